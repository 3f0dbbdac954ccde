//! Pure validators for the form fields citizens type in a chat (`domain.md` §4).
//!
//! Each validator takes the trimmed raw text of one answer and returns a [`Checked`] value: the
//! normalised value plus soft warnings (kept when the citizen confirms with `ya`), or one
//! [`Issue`] that makes the engine re-prompt. An issue is a Fluent message id with its arguments,
//! rendered from `locales/*/validate.ftl`; no citizen-facing text lives here, only recognition
//! tables (province codes, month words). Nothing in this module does I/O or reads the clock:
//! "today" is always passed in, so every rule is testable against fixed vectors.
//!
//! The module also owns masking of identifiers for logs and non-owner views (`domain.md` §7.2).
//!
//! May use: nothing else of pintu.

pub mod date;
pub mod email;
pub mod kk;
pub mod location;
pub mod name;
pub mod nik;
pub mod npwp;
pub mod phone;
pub mod postal;
pub mod rtrw;

use unicode_normalization::UnicodeNormalization;

/// Why an input was refused or needs confirmation: a Fluent message id plus its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Fluent message id, `invalid-…` for errors and `warn-…` for warnings.
    pub code: &'static str,
    /// Fluent arguments, already formatted as plain strings (dates as `17-08-1990`).
    pub args: Vec<(&'static str, String)>,
}

impl Issue {
    /// An issue without arguments.
    pub fn new(code: &'static str) -> Self {
        Self { code, args: Vec::new() }
    }

    /// Adds one argument; chainable.
    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// The value of argument `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.args.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }
}

/// Ok((normalised value, warnings)) — warnings are soft (citizen may confirm with "ya");
/// Err = refuse and re-prompt.
pub type Checked<T> = Result<(T, Vec<Issue>), Issue>;

/// Input with no usable content at all (only spaces, emoji, control characters...).
pub const EMPTY: &str = "invalid-empty";

/// Every message id any validator may emit (for `pintu check` to verify locales). A test scans
/// the sources for `"invalid-…"` / `"warn-…"` literals and the `.ftl` files to keep it complete.
#[rustfmt::skip] // one line per validator
pub const MESSAGE_IDS: &[&str] = &[
    EMPTY,
    "invalid-nik-chars", "invalid-nik-letter-o", "invalid-nik-length", "invalid-nik-repeated", "invalid-nik-province",
    "invalid-nik-regency", "invalid-nik-district", "invalid-nik-date", "invalid-nik-serial",
    "warn-nik-region-unknown", "warn-nik-birth-date", "warn-nik-sex", "warn-nik-same-as-kk",
    "invalid-kk-chars", "invalid-kk-letter-o", "invalid-kk-length", "invalid-kk-repeated", "invalid-kk-province",
    "invalid-kk-region", "warn-kk-date", "warn-kk-serial", "warn-kk-same-as-nik",
    "invalid-npwp-chars", "invalid-npwp-length", "invalid-npwp-check", "invalid-nib-chars",
    "invalid-nib-length", "invalid-kbli-chars", "invalid-kbli-length",
    "invalid-phone-chars", "invalid-phone-letter-o", "invalid-phone-short", "invalid-phone-long", "invalid-phone-emergency",
    "invalid-phone-not-mobile", "warn-phone-foreign",
    "invalid-date-format", "invalid-date-no-such-day", "invalid-date-month", "invalid-date-year",
    "invalid-date-need-year", "invalid-date-need-day", "invalid-date-future", "invalid-date-past",
    "invalid-date-too-early", "invalid-date-too-late", "invalid-date-too-old",
    "invalid-date-too-far",
    "invalid-postal-chars", "invalid-postal-length", "invalid-postal-first-digit",
    "warn-postal-region",
    "invalid-rtrw-format", "invalid-rtrw-number", "invalid-rtrw-need-rw", "invalid-rtrw-need-rt",
    "invalid-name-chars", "invalid-name-digits", "invalid-name-short", "invalid-name-long",
    "warn-name-baby-one-word", "warn-name-baby-punctuation", "warn-name-baby-long",
    "invalid-email-at", "invalid-email-format", "invalid-email-domain", "invalid-email-long",
    "warn-email-typo",
    "invalid-location-range", "invalid-location-swapped", "invalid-location-outside",
    "warn-location-outside-area",
];

/// Canonical form shared by all validators: NFKC (fullwidth digits and letters become ASCII,
/// ligatures split), Arabic-Indic digits folded to ASCII (libphonenumber does the same), format
/// characters (zero-width, bidi marks) dropped and other control or odd white space turned into a
/// plain space, then trimmed. Pasted numbers often carry such invisible characters.
pub(crate) fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.nfkc() {
        match c {
            '\u{0660}'..='\u{0669}' => out.push(shift_digit(c, '\u{0660}')),
            '\u{06F0}'..='\u{06F9}' => out.push(shift_digit(c, '\u{06F0}')),
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' => {}
            '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}' => {}
            c if c.is_control() || c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// Maps a digit of another script to ASCII, given the zero of its block.
fn shift_digit(c: char, zero: char) -> char {
    let offset = u32::from(c) - u32::from(zero);
    char::from_digit(offset, 10).unwrap_or('?')
}

/// Codes a fixed-length number field reports; lets NIK, KK, NPWP, NIB share one reader.
pub(crate) struct DigitCodes {
    pub chars: &'static str,
    pub length: &'static str,
    /// For a letter O typed among the digits (`32010117O8900001`); only then may the
    /// re-prompt talk about the letter O ("nik sy 3201…" has an o too, in a word).
    pub letter_o: &'static str,
}

/// Strips spaces, dots and dashes (how people group long numbers) and returns the digits, or an
/// issue: a non-digit character, or a length not in `lengths` (argument `digits` = how many
/// digits were typed, so the citizen sees what went wrong).
pub(crate) fn digits_only(
    raw: &str,
    codes: &DigitCodes,
    lengths: &[usize],
) -> Result<String, Issue> {
    let text = clean(raw);
    if text.is_empty() {
        return Err(Issue::new(EMPTY));
    }
    let mut digits = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '.' | '-' => {}
            _ if letter_o_among_digits(&text) => return Err(Issue::new(codes.letter_o)),
            _ => return Err(Issue::new(codes.chars)),
        }
    }
    if lengths.contains(&digits.len()) {
        Ok(digits)
    } else {
        Err(Issue::new(codes.length).arg("digits", digits.len().to_string()))
    }
}

/// True when an `O`/`o` stands among digits as a zero would (`32010117O89…`, `O812…`,
/// `…789O`): a digit next to it (across spaces, dots, dashes) and no letter on either side.
pub(crate) fn letter_o_among_digits(text: &str) -> bool {
    let chars: Vec<char> = text.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    chars.iter().enumerate().any(|(i, c)| {
        let before = i.checked_sub(1).and_then(|j| chars.get(j));
        let after = chars.get(i + 1);
        let near = |n: Option<&char>| n.is_none_or(|n| !n.is_alphabetic());
        matches!(c, 'o' | 'O')
            && near(before)
            && near(after)
            && (before.is_some_and(char::is_ascii_digit) || after.is_some_and(char::is_ascii_digit))
    })
}

/// Value of a run of ASCII digits; callers pass at most 4, so it fits. Saturating arithmetic
/// keeps a caller's slip from ever panicking.
pub(crate) fn num(digits: &str) -> u16 {
    let digit = |b: u8| u16::from(b.saturating_sub(b'0'));
    digits.bytes().fold(0, |acc, b| acc.saturating_mul(10).saturating_add(digit(b)))
}

/// ASCII digits of a loosely typed number, for comparing NIK and KK however they were grouped.
pub(crate) fn digits_of(s: &str) -> String {
    clean(s).chars().filter(char::is_ascii_digit).collect()
}

/// True when every character of `s` is the same (`1111111111111111`): a placeholder, not a number.
pub(crate) fn all_same(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|first| chars.all(|c| c == first))
}

/// Keeps the first `head` and last `tail` characters and stars the rest; short values are starred
/// entirely, so masking never reveals more than it hides.
fn mask_middle(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let middle = chars.len() - head - tail;
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(middle));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// Masks a NIK or KK for logs: `3201011708900001` → `3201********0001` (region and serial stay,
/// the birth date, which identifies the person, is hidden).
pub fn mask_nik(s: &str) -> String {
    mask_middle(s, 4, 4)
}

/// Masks every run of 10 or more digits in text shown back to a citizen (a NIK or KK typed
/// where something else was asked: "nomor 3201********0001 tidak berlaku"); shorter numbers
/// (RT, year, the birth-date digits of a NIK) stay as typed, since the citizen needs to see them.
pub fn mask_long_numbers(text: &str) -> String {
    const LONG: usize = 10;
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if run.len() >= LONG {
            out.push_str(&mask_nik(&run));
        } else {
            out.push_str(&run);
        }
        run.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

/// Masks a phone number: `+6281234567890` → `+62812****7890`.
pub fn mask_phone(s: &str) -> String {
    mask_middle(s, 6, 4)
}

/// Masks an e-mail address: `budi@gmail.com` → `b***@gmail.com`; no `@` → `***`.
pub fn mask_email(s: &str) -> String {
    match s.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Shared by the validators' tests: the vectors' "today" and the third-party CSV tables.

    use std::collections::HashMap;
    use std::path::PathBuf;
    use time::{Date, macros::date};

    /// "Today" for every vector in `domain.md` (a Thursday).
    pub const TODAY: Date = date!(2026 - 11 - 26);

    /// The shared folder: `$PINTU_SHARED_DIR`, else `../shared` beside the crate (the repo
    /// layout), else `/work/shared` (scratch crates elsewhere).
    pub fn shared_dir() -> Option<PathBuf> {
        let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
        let candidates = std::env::var_os("PINTU_SHARED_DIR").map(PathBuf::from);
        candidates.into_iter().chain([beside, PathBuf::from("/work/shared")]).find(|p| p.is_dir())
    }

    /// Rows of `real-world/vectors/<file>` keyed by header; `None`, with a note, when the
    /// third-party folder is absent (it is never copied into the repository).
    pub fn vectors(file: &str) -> Option<Vec<HashMap<String, String>>> {
        let path = shared_dir()?.join("real-world/vectors").join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("note: {} not found, skipping its rows", path.display());
            return None;
        };
        let mut rows = parse_csv(&text).into_iter();
        let header = rows.next()?;
        let rows = rows.map(|r| header.iter().cloned().zip(r).collect::<HashMap<_, _>>());
        Some(rows.collect())
    }

    /// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
    fn parse_csv(text: &str) -> Vec<Vec<String>> {
        let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
        let (mut quoted, mut chars) = (false, text.chars().peekable());
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => field.push(chars.next().unwrap()),
                (true, '"') => quoted = false,
                (false, '"') => quoted = true,
                (false, ',') => row.push(std::mem::take(&mut field)),
                (false, '\n') => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                (false, '\r') => {}
                (_, c) => field.push(c),
            }
        }
        if !field.is_empty() || !row.is_empty() {
            row.push(field);
            rows.push(row);
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::TODAY;
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn letter_o_only_when_typed_among_digits() {
        for text in ["32010117O8900001", "O812 3456 7890", "0812-3456-789O", "3201 o117 0890"] {
            assert!(letter_o_among_digits(text), "{text}");
        }
        for text in ["nik sy 3201 0117 0890 0001", "no 0812", "nomor 3201", "3201 ok", "abc"] {
            assert!(!letter_o_among_digits(text), "{text}");
        }
        let code = |raw| nik::check(raw, TODAY).map(|_| ()).map_err(|e| e.code);
        assert_eq!(code("32010117O8900001"), Err("invalid-nik-letter-o"));
        assert_eq!(code("nik sy 3201 0117 0890 0001"), Err("invalid-nik-chars"));
        let phone = |raw| phone::check(raw, false).map(|_| ()).map_err(|e| e.code);
        assert_eq!(phone("hp sy 0812 3456 7890"), Err("invalid-phone-chars"));
        assert_eq!(phone("0812 3456 789O"), Err("invalid-phone-letter-o"));
    }

    #[test]
    fn masks() {
        assert_eq!(mask_nik("3201011708900001"), "3201********0001");
        assert_eq!(mask_phone("+6281234567890"), "+62812****7890");
        assert_eq!(mask_email("budi@gmail.com"), "b***@gmail.com");
        assert_eq!(mask_email("budi"), "***");
        assert_eq!(mask_nik("1234"), "****");
        assert_eq!(mask_phone("😀😀"), "**");
        assert_eq!(mask_long_numbers("3201011708900001"), "3201********0001");
        assert_eq!(mask_long_numbers("+6281234567890"), "+6281*****7890");
        assert_eq!(
            mask_long_numbers("RT 003, tahun 1990, 17-08-1990"),
            "RT 003, tahun 1990, 17-08-1990"
        );
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean("\u{200B} ０８１２\u{202E}٣\tx\u{0}y "), "08123 x y");
        assert!(all_same("1111") && !all_same("1121") && !all_same(""));
    }

    /// Runs every validator once on `raw`, collecting whatever issues come out.
    fn run_all(raw: &str) -> Vec<Issue> {
        let opt = Some(raw);
        let mut out = Vec::new();
        let mut add = |r: Result<Vec<Issue>, Issue>| match r {
            Ok(warnings) => out.extend(warnings),
            Err(issue) => out.push(issue),
        };
        let stated = (Some(time::macros::date!(1990 - 08 - 18)), Some(true));
        add(nik::check_with(raw, TODAY, stated.0, stated.1, opt).map(|v| v.1));
        add(kk::check(raw, opt).map(|v| v.1));
        add(npwp::check(raw, TODAY).map(|v| v.1));
        add(npwp::check_nib(raw).map(|v| v.1));
        add(npwp::check_kbli(raw).map(|v| v.1));
        add(phone::check(raw, true).map(|v| v.1));
        add(phone::check(raw, false).map(|v| v.1));
        let rule = |range| date::DateRule::new(range);
        let rules = [
            date::DateRule::birth_date(),
            date::DateRule { max_days_ahead: Some(14), ..rule(date::DateRange::Future) },
            date::DateRule { not_before: Some(TODAY), ..rule(date::DateRange::Any) },
            date::DateRule { not_after: Some(TODAY), ..rule(date::DateRange::Any) },
        ];
        for rule in &rules {
            add(date::check(raw, TODAY, rule).map(|v| v.1));
        }
        add(postal::check(raw, Some(7)).map(|v| v.1));
        add(rtrw::check(raw, false).map(|v| v.1));
        add(name::check(raw, true).map(|v| v.1));
        add(email::check(raw).map(|v| v.1));
        let area = location::Area { south: -1.6, west: 116.3, north: -0.7, east: 117.1 };
        if let Some((lat, lon)) = location::parse(raw) {
            add(location::check_within(lat, lon, &area).map(|v| v.1));
        }
        if let Ok((nik, _)) = nik::check(raw, TODAY) {
            add(Ok(nik::check_region(&nik, |_| false).into_iter().collect()));
        }
        out
    }

    /// Hostile input fed to every validator: none may panic.
    #[test]
    fn never_panics() {
        let long_digits = "9".repeat(10_000);
        let long_text = "a".repeat(10_000);
        #[rustfmt::skip]
        let nasty = [
            "", " ", "😀", "👨‍👩‍👧", "🇮🇩", "مرحبا بالعالم", "שלום", "\u{0}\u{7}\u{1b}[2J", "\n\t\r",
            "\u{200B}\u{FEFF}\u{202E}", "e\u{301}\u{301}\u{301}", "٣٢٠١٠١١٧٠٨٩٠٠٠٠١", "+", "@",
            "-", "/", "..", "99999999999999999999/99/99999999", "rt 99999999999999999999",
            "-1e308,1e308", "NaN,inf", "1/1/9999", "31 12 99999", "ǅ", "ß", "İ", "\u{10FFFF}",
        ];
        for raw in nasty.iter().copied().chain([long_digits.as_str(), long_text.as_str()]) {
            let _ = run_all(raw);
            let _ = (mask_nik(raw), mask_phone(raw), mask_email(raw));
            let _ = location::check(f64::MAX, f64::MIN);
        }
    }

    /// Inputs that between them make every validator emit every message id.
    #[rustfmt::skip]
    const CORPUS: &[&str] = &[
        "", "6409011708900001", "6409015708900002", "640901170890001", "32010117O8900001",
        "1111111111111111", "9971011708900001", "3200011708900001", "3201001708900001",
        "3201013208900001", "3201011708900000", "6470011708900001", "6409014705150000",
        "01.312.166.1-091.000", "1234567890123", "4711", "4711a", "12345", "0812345",
        "08123456789012", "112", "0812-3456-789O", "+60 12-345 6789", "(0542) 421234", "17",
        "31-02-2000", "17-13-1990", "17-08-199", "1 des", "Agustus 1990", "17-08-2030",
        "25-11-2026", "17 08 1890", "1 jan", "76144", "06144", "55111", "RT 12", "RW 5", "RT 0",
        "rt rw", "Budi123", "Budi@", "A", "Aisyah", "Muh. Rizki Putra", LONG_NAME,
        "budi@@gmail.com", "budi@gmail", ".b@gmail.com", "budi@gmail.co", "-1.26,116.83",
        "116.83,-1.26", "51.5,-0.12", "-6.175,106.827", "0,200",
    ];
    /// 66 characters: over the newborn limit, under the general one.
    const LONG_NAME: &str = "Putri Putri Putri Putri Putri Putri Putri Putri Putri Putri Putri";

    /// Message ids with the `$variables` each uses, from a Fluent file: a message starts at
    /// column 0 with `id =`; indented lines continue it.
    fn ftl_messages(ftl: &str) -> BTreeMap<String, BTreeSet<String>> {
        let mut messages = BTreeMap::new();
        let mut current = None;
        for line in ftl.lines() {
            if let Some((id, _)) = line.split_once(" =").filter(|_| !line.starts_with([' ', '#'])) {
                current = Some(id.to_owned());
                messages.insert(id.to_owned(), BTreeSet::new());
            }
            let Some(vars) = current.as_ref().and_then(|id| messages.get_mut(id)) else {
                continue;
            };
            for part in line.split('$').skip(1) {
                let end = part.find(|c: char| !c.is_ascii_alphanumeric() && c != '_');
                vars.insert(part[..end.unwrap_or(part.len())].to_owned());
            }
        }
        messages
    }

    #[test]
    fn message_ids_are_complete() {
        let ids: BTreeSet<&str> = MESSAGE_IDS.iter().copied().collect();
        assert_eq!(ids.len(), MESSAGE_IDS.len(), "duplicate ids");
        for id in MESSAGE_IDS {
            let kebab = id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
            assert!(kebab && (id.starts_with("invalid-") || id.starts_with("warn-")), "{id}");
        }
        // Every id literal in the validators' sources is listed, and every listed id is used.
        #[rustfmt::skip]
        let sources = [
            include_str!("nik.rs"), include_str!("kk.rs"), include_str!("npwp.rs"),
            include_str!("phone.rs"), include_str!("date.rs"), include_str!("postal.rs"),
            include_str!("rtrw.rs"), include_str!("name.rs"), include_str!("email.rs"),
            include_str!("location.rs"),
        ];
        let mut used = BTreeSet::from([EMPTY]);
        for source in sources {
            for part in source.split('"').skip(1).step_by(2) {
                if part.starts_with("invalid-") || part.starts_with("warn-") {
                    assert!(ids.contains(part), "{part} missing from MESSAGE_IDS");
                    used.insert(part);
                }
            }
        }
        assert_eq!(used, ids, "MESSAGE_IDS lists ids no validator emits");
        // Both locales define exactly these messages, with the arguments the validators pass.
        let mut seen: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        let long = ["Putri ".repeat(20), format!("{}@gmail.com", "a".repeat(250))];
        for raw in CORPUS.iter().copied().chain(long.iter().map(String::as_str)) {
            for issue in run_all(raw) {
                seen.insert(issue.code, issue.args.iter().map(|(k, _)| (*k).to_owned()).collect());
            }
        }
        let unseen: Vec<_> = ids.iter().filter(|id| !seen.contains_key(*id)).collect();
        assert!(unseen.is_empty(), "corpus never triggers {unseen:?}");
        let locales = [
            ("id", include_str!("../../locales/id/validate.ftl")),
            ("en", include_str!("../../locales/en/validate.ftl")),
        ];
        for (lang, ftl) in locales {
            let messages = ftl_messages(ftl);
            let defined: BTreeSet<&str> = messages.keys().map(String::as_str).collect();
            assert_eq!(defined, ids, "{lang}: message ids differ from MESSAGE_IDS");
            for (code, args) in &seen {
                assert_eq!(&messages[*code], args, "{lang}: arguments of {code}");
            }
        }
    }
}
