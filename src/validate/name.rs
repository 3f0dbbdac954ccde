//! Personal names (`domain.md` §4.6): letters, spaces, `'` `.` `-`, case kept as typed.
//!
//! Single names (`Sukarno`) are legal and common, so the adult rule is lenient. A newborn's
//! name gets Permendagri 73/2022's advice (at most 60 characters, at least two words, no
//! punctuation) as warnings only: the registry decides, the bot just points it out.

use super::{Checked, EMPTY, Issue, clean};

/// Longest name kept (characters, after normalising).
const MAX_CHARS: usize = 100;
/// Permendagri 73/2022: new names at most 60 characters.
const BABY_MAX_CHARS: usize = 60;

/// Checks a name; `newborn` adds the Permendagri 73/2022 warnings for `nama_bayi`.
pub fn check(raw: &str, newborn: bool) -> Checked<String> {
    // Phone keyboards type typographic apostrophes (`Ma’ruf`); the registry uses `'`.
    let text = clean(raw).replace(['’', '‘', 'ʼ', '`', '´'], "'");
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(Issue::new(EMPTY));
    }
    if name.chars().any(|c| c.is_numeric()) {
        return Err(Issue::new("invalid-name-digits"));
    }
    let punctuation = |c: char| matches!(c, '\'' | '.' | '-');
    let allowed = |c: char| c.is_alphabetic() || c == ' ' || punctuation(c);
    // A name starts with a letter: `.` or `-Budi` are slips, not names.
    if !name.chars().all(allowed) || !name.starts_with(char::is_alphabetic) {
        return Err(Issue::new("invalid-name-chars"));
    }
    if name.chars().filter(|c| c.is_alphabetic()).count() < 2 {
        return Err(Issue::new("invalid-name-short"));
    }
    let length = name.chars().count();
    if length > MAX_CHARS {
        return Err(Issue::new("invalid-name-long").arg("max", MAX_CHARS.to_string()));
    }
    let mut warnings = Vec::new();
    if newborn {
        if name.split(' ').count() < 2 {
            warnings.push(Issue::new("warn-name-baby-one-word"));
        }
        if name.chars().any(punctuation) {
            warnings.push(Issue::new("warn-name-baby-punctuation"));
        }
        if length > BABY_MAX_CHARS {
            let max = BABY_MAX_CHARS.to_string();
            warnings.push(Issue::new("warn-name-baby-long").arg("max", max));
        }
    }
    Ok((name, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(raw: &str, newborn: bool) -> Result<(String, Vec<&'static str>), &'static str> {
        check(raw, newborn)
            .map(|(n, w)| (n, w.iter().map(|i| i.code).collect()))
            .map_err(|e| e.code)
    }

    #[test]
    fn domain_vectors() {
        let table = [
            ("  siti   aminah ", "siti aminah"),
            ("Sukarno", "Sukarno"),
            ("Ma’ruf Amin", "Ma'ruf Amin"),
            ("M. Yusuf", "M. Yusuf"),
            ("Nur-Aini", "Nur-Aini"),
            ("Anak Agung Gede Ngurah", "Anak Agung Gede Ngurah"),
            ("I Gusti Ayu Ngurah Rai", "I Gusti Ayu Ngurah Rai"),
            ("Ni Luh Ayu Dewi", "Ni Luh Ayu Dewi"),
        ];
        for (raw, want) in table {
            assert_eq!(run(raw, false), Ok((want.into(), vec![])), "{raw}");
        }
        let refused = [
            ("Budi123", "invalid-name-digits"),
            ("Budi@", "invalid-name-chars"),
            ("😀", "invalid-name-chars"),
            (".", "invalid-name-chars"),
            ("A", "invalid-name-short"),
            ("-Budi", "invalid-name-chars"),
            ("", EMPTY),
        ];
        for (raw, code) in refused {
            assert_eq!(run(raw, false), Err(code), "{raw}");
        }
        assert_eq!(run(&"Budi ".repeat(21), false), Err("invalid-name-long"));
    }

    #[test]
    fn newborn_warnings() {
        assert_eq!(run("Aisyah", true), Ok(("Aisyah".into(), vec!["warn-name-baby-one-word"])));
        assert_eq!(run("Aisyah Putri", true), Ok(("Aisyah Putri".into(), vec![])));
        let (_, w) = run("Muh. Rizki", true).expect("kept");
        assert_eq!(w, vec!["warn-name-baby-punctuation"]);
        let (_, w) = run(&"Putri ".repeat(11), true).expect("66 characters, kept");
        assert_eq!(w, vec!["warn-name-baby-long"]);
    }
}
