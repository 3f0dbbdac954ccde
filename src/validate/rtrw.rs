//! RT/RW (neighbourhood and hamlet numbers), normalised to `003/005` (`domain.md` §4.6).
//!
//! People write `RT 03 / RW 005`, `rt3rw5`, `RW 5 RT 3`, `rt/rw 3/5` or a bare `3/5` (RT first,
//! as on the KTP). Many Kaltim localities have RT only, so a missing RW is refused or accepted
//! per the `rw_optional` setting of the kabupaten.

use super::{Checked, EMPTY, Issue, clean};

const FORMAT: &str = "invalid-rtrw-format";

/// Which of the two numbers a label or position refers to.
#[derive(Clone, Copy, PartialEq)]
enum Slot {
    Rt = 0,
    Rw = 1,
}

/// Checks an RT/RW answer; returns `"003/005"`, or `"012"` for RT alone when `rw_optional`.
pub fn check(raw: &str, rw_optional: bool) -> Checked<String> {
    let text = clean(raw).to_lowercase();
    if text.is_empty() {
        return Err(Issue::new(EMPTY));
    }
    let mut values: [Option<u16>; 2] = [None, None];
    // Labels waiting for their number, in order: `rt/rw 3/5` names both before the numbers.
    let mut pending: Vec<Slot> = Vec::new();
    for token in tokens(&text)? {
        let labels: &[Slot] = match token {
            "rt" => &[Slot::Rt],
            "rw" => &[Slot::Rw],
            "rtrw" => &[Slot::Rt, Slot::Rw],
            _ => {
                // A bare number fills the next labelled slot, else RT then RW.
                let slot = match pending.is_empty() {
                    false => pending.remove(0),
                    true if values[0].is_none() => Slot::Rt,
                    true => Slot::Rw,
                };
                if values[slot as usize].replace(number(token)?).is_some() {
                    return Err(Issue::new(FORMAT));
                }
                continue;
            }
        };
        for &slot in labels {
            if pending.contains(&slot) || values[slot as usize].is_some() {
                return Err(Issue::new(FORMAT));
            }
            pending.push(slot);
        }
    }
    if !pending.is_empty() {
        return Err(Issue::new(FORMAT));
    }
    match values {
        [Some(rt), Some(rw)] => Ok((format!("{rt:03}/{rw:03}"), Vec::new())),
        [Some(rt), None] if rw_optional => Ok((format!("{rt:03}"), Vec::new())),
        [Some(rt), None] => Err(Issue::new("invalid-rtrw-need-rw").arg("rt", format!("{rt:03}"))),
        [None, Some(_)] => Err(Issue::new("invalid-rtrw-need-rt")),
        [None, None] => Err(Issue::new(FORMAT)),
    }
}

/// Letter and digit runs; spaces and `/ . - : ,` separate. Other characters are refused.
fn tokens(text: &str) -> Result<Vec<&str>, Issue> {
    let mut out = Vec::new();
    let mut start: Option<(usize, bool)> = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        let kind = match c {
            '0'..='9' => Some(true),
            'a'..='z' => Some(false),
            ' ' | '/' | '.' | '-' | ':' | ',' => None,
            _ => return Err(Issue::new(FORMAT)),
        };
        if let Some((s, digit)) = start {
            if kind == Some(digit) {
                continue;
            }
            out.push(&text[s..i]);
        }
        start = kind.map(|digit| (i, digit));
    }
    Ok(out)
}

/// One RT or RW number: 1–999 (leading zeros are fine, `0` and `1234` are not).
fn number(token: &str) -> Result<u16, Issue> {
    let bad = || Issue::new("invalid-rtrw-number").arg("number", token.to_owned());
    // tokens() never yields an empty run, so [0] exists.
    if !token.as_bytes()[0].is_ascii_digit() {
        return Err(Issue::new(FORMAT));
    }
    let digits = token.trim_start_matches('0');
    if digits.is_empty() || digits.len() > 3 {
        return Err(bad());
    }
    Ok(super::num(digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(raw: &str, rw_optional: bool) -> Result<String, &'static str> {
        check(raw, rw_optional).map(|(v, _)| v).map_err(|e| e.code)
    }

    #[test]
    fn domain_vectors() {
        let same = [
            "RT 03 / RW 005",
            "003/005",
            "rt 3 rw 5",
            "Rt.003 Rw.005",
            "rt03/rw05",
            "3/5",
            "RW 5 RT 3",
            "RT/RW 3/5",
            "rt:3, rw:5",
            "rtrw 3/5",
        ];
        for raw in same {
            assert_eq!(run(raw, false), Ok("003/005".into()), "{raw}");
        }
        assert_eq!(run("RT 12", true), Ok("012".into()));
        let err = check("RT 12", false).expect_err("RW required");
        assert_eq!((err.code, err.get("rt")), ("invalid-rtrw-need-rw", Some("012")));
        assert_eq!(run("RT 0 RW 5", false), Err("invalid-rtrw-number"));
        assert_eq!(run("RT 1234", true), Err("invalid-rtrw-number"));
    }

    #[test]
    fn refusals() {
        assert_eq!(run("RW 5", true), Err("invalid-rtrw-need-rt"));
        for raw in ["RT", "RT 3 RT 4", "3/5/7", "blok A", "RT 3 RW", "rt 3 rw 5 😀", "rk 3"] {
            assert_eq!(run(raw, true), Err(FORMAT), "{raw}");
        }
    }
}
