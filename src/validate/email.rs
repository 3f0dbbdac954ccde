//! E-mail addresses (`domain.md` §4.6), e.g. for the OSS account or the e-signed KK PDF.
//!
//! Only the shape is checked (one `@`, a dotted domain, at most 254 characters); whether the
//! mailbox exists is not knowable offline. A domain one keystroke away from a big provider
//! (`gmail.co`, `gmial.com`) is most likely a typo, so it gets a warning with the suggestion.

use super::{Checked, EMPTY, Issue, clean};

/// RFC 5321 limits.
const MAX_LEN: usize = 254;
const MAX_LOCAL: usize = 64;

/// Providers most citizens use; typos of these are worth a question.
const POPULAR: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "yahoo.co.id",
    "ymail.com",
    "hotmail.com",
    "outlook.com",
    "icloud.com",
];
/// Real domains one edit away from a popular one (`mail.com` vs `gmail.com`): never "fixed".
const ALSO_REAL: &[&str] = &["mail.com", "live.com", "gmx.com", "aol.com", "outlook.co.id"];

/// Checks an address; returns it with the domain lower-cased (the local part is kept as typed,
/// it may be case-sensitive).
pub fn check(raw: &str) -> Checked<String> {
    let text = clean(raw);
    // Spaces cannot occur in an address: phone keyboards put them around `@` and dots
    // ("budi @ yahoo.co.id"), which is forgiven; between two words ("email sy budi@…") they
    // mean the answer holds more than the address, which must not become part of it.
    let words: Vec<&str> = text.split_whitespace().collect();
    let joinable = |a: &str, b: &str| a.ends_with(['@', '.']) || b.starts_with(['@', '.']);
    if words.windows(2).any(|w| !joinable(w[0], w[1])) {
        return Err(Issue::new("invalid-email-format"));
    }
    // A trailing dot ends the citizen's sentence.
    let text: String = words.concat();
    let text = text.strip_prefix("mailto:").unwrap_or(&text);
    let text = text.trim_end_matches('.');
    if text.is_empty() {
        return Err(Issue::new(EMPTY));
    }
    if text.chars().count() > MAX_LEN {
        return Err(Issue::new("invalid-email-long").arg("max", MAX_LEN.to_string()));
    }
    let (local, domain) = match text.split_once('@') {
        Some((local, domain)) if !domain.contains('@') => (local, domain.to_ascii_lowercase()),
        _ => return Err(Issue::new("invalid-email-at")),
    };
    let local_ok = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c);
    let dots_ok = !local.starts_with('.') && !local.ends_with('.') && !local.contains("..");
    if local.is_empty() || local.len() > MAX_LOCAL || !local.chars().all(local_ok) || !dots_ok {
        return Err(Issue::new("invalid-email-format"));
    }
    if !domain_ok(&domain) {
        return Err(Issue::new("invalid-email-domain"));
    }
    let address = format!("{local}@{domain}");
    let known = |d: &&str| **d == domain;
    let mut warnings = Vec::new();
    if !POPULAR.iter().any(known)
        && !ALSO_REAL.iter().any(known)
        && let Some(fix) = POPULAR.iter().find(|p| one_edit(p.as_bytes(), domain.as_bytes()))
    {
        let warning = Issue::new("warn-email-typo").arg("address", address.clone());
        warnings.push(warning.arg("suggestion", format!("{local}@{fix}")));
    }
    Ok((address, warnings))
}

/// At least two labels of `a-z 0-9 -` (not at either end), a top-level domain of letters.
fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld = labels.last().copied().unwrap_or_default();
    labels.len() >= 2
        && labels.iter().all(label_ok)
        && tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_lowercase())
}

/// True when `b` differs from `a` by exactly one insertion, deletion, substitution or swap of
/// neighbours (the typing slips worth suggesting a fix for).
fn one_edit(a: &[u8], b: &[u8]) -> bool {
    if a == b || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[same..], &b[same..]);
    let swapped = a.len() >= 2 && b.len() >= 2 && a[0] == b[1] && a[1] == b[0] && a[2..] == b[2..];
    a.get(1..) == b.get(1..) || a.get(1..) == Some(b) || Some(a) == b.get(1..) || swapped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(raw: &str) -> Result<(String, Option<String>), &'static str> {
        let (address, w) = check(raw).map_err(|e| e.code)?;
        Ok((address, w.first().and_then(|i| i.get("suggestion")).map(String::from)))
    }

    #[test]
    fn domain_vectors() {
        assert_eq!(run("budi@gmail.com"), Ok(("budi@gmail.com".into(), None)));
        let typo = Some("budi@gmail.com".to_owned());
        assert_eq!(run("budi@gmail.co"), Ok(("budi@gmail.co".into(), typo)));
        assert_eq!(run("budi@@gmail.com"), Err("invalid-email-at"));
        let long = format!("{}@{}.com", "a".repeat(60), "b".repeat(200));
        assert_eq!(run(&long), Err("invalid-email-long"));
    }

    #[test]
    fn forgiving_and_strict() {
        assert_eq!(run(" Budi.Santoso@GMAIL.COM. "), Ok(("Budi.Santoso@gmail.com".into(), None)));
        assert_eq!(run("budi @ yahoo.co.id"), Ok(("budi@yahoo.co.id".into(), None)));
        assert_eq!(run("budi@gmail . com"), Ok(("budi@gmail.com".into(), None)));
        // Words before the address are not part of it (the engine strips such lead-ins).
        assert_eq!(run("email sy budi@gmail.com"), Err("invalid-email-format"));
        assert_eq!(run("budi santoso@gmail.com"), Err("invalid-email-format"));
        assert_eq!(run("siti@mail.com"), Ok(("siti@mail.com".into(), None)));
        assert_eq!(run("siti@ppukab.go.id"), Ok(("siti@ppukab.go.id".into(), None)));
        for (raw, fix) in [("a@gmial.com", "a@gmail.com"), ("a@yahoo.con", "a@yahoo.com")] {
            assert_eq!(run(raw).map(|r| r.1), Ok(Some(fix.into())), "{raw}");
        }
        let refused = [
            ("budi", "invalid-email-at"),
            ("budi@gmail", "invalid-email-domain"),
            ("budi@gmail..com", "invalid-email-domain"),
            ("budi@-gmail.com", "invalid-email-domain"),
            ("budi@gmail.c0m", "invalid-email-domain"),
            (".budi@gmail.com", "invalid-email-format"),
            ("bu..di@gmail.com", "invalid-email-format"),
            ("@gmail.com", "invalid-email-format"),
            ("büdi@gmail.com", "invalid-email-format"),
        ];
        for (raw, code) in refused {
            assert_eq!(run(raw), Err(code), "{raw}");
        }
    }
}
