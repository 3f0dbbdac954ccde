//! Telephone numbers as Indonesians type them, normalised to E.164 (`domain.md` §4.3).
//!
//! People group digits every way (`0812-3456-7890`, `(0812) 3456 7890`, `+62 0812…`) and paste
//! WhatsApp's `62812…` form, so separators go and the trunk or country prefix is worked out from
//! the digits. Operator prefixes are ignored on purpose: numbers are portable between operators.
//! WhatsApp already gives the sender's number, so this is for an *alternative* number.

use super::{Checked, EMPTY, Issue, clean};

/// A usable telephone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// `+` and digits, e.g. `+6281234567890`.
    pub e164: String,
    /// What kind of number it is, from the Indonesian numbering plan.
    pub kind: PhoneKind,
}

/// Kind of number; decides whether SMS/WhatsApp can reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneKind {
    /// Indonesian mobile, `+628[1-35-9]…`.
    Mobile,
    /// Indonesian fixed line with its area code, `+62542…`.
    Landline,
    /// Another country's number; its type cannot be told without that country's plan.
    Foreign,
}

const SHORT: &str = "invalid-phone-short";
const LONG: &str = "invalid-phone-long";
const NOT_MOBILE: &str = "invalid-phone-not-mobile";

/// Checks a typed number. With `mobile_only`, landlines are refused (the step needs a number
/// that receives messages); foreign numbers are kept with a warning in both modes, since
/// citizens working abroad are legitimate but a stray `+60` is a common slip.
pub fn check(raw: &str, mobile_only: bool) -> Checked<Phone> {
    let (plus, digits) = strip(raw)?;
    // Service numbers (112, 110, 1500-xxx) are not someone's phone; 112 is the likely mix-up.
    if !plus && digits.starts_with('1') && digits.len() <= 6 {
        return Err(Issue::new("invalid-phone-emergency").arg("number", digits));
    }
    let national = match national_part(plus, &digits) {
        Some(national) => national,
        None => return foreign(&digits),
    };
    // One trunk `0` may remain after a country code (`+62 0812…`, `62 0812…`).
    let national = national.strip_prefix('0').unwrap_or(national);
    let (kind, min, max) = match national.as_bytes() {
        // 080x are toll-free, premium and shared-cost numbers, 084 is not allocated: nobody
        // can be called back there.
        [b'8', b'0' | b'4', ..] => return Err(Issue::new(NOT_MOBILE)),
        [b'8', ..] => (PhoneKind::Mobile, 9, 12),
        [b'2'..=b'7' | b'9', ..] => (PhoneKind::Landline, 8, 11),
        _ if national.len() < 8 => return Err(Issue::new(SHORT)),
        _ => return Err(Issue::new(NOT_MOBILE)),
    };
    if national.len() < min {
        return Err(Issue::new(SHORT));
    }
    if national.len() > max {
        return Err(Issue::new(LONG));
    }
    if mobile_only && kind != PhoneKind::Mobile {
        return Err(Issue::new(NOT_MOBILE));
    }
    Ok((Phone { e164: format!("+62{national}"), kind }, Vec::new()))
}

/// Removes separators, a `tel:` scheme and an extension, and returns (had a leading `+`, digits).
fn strip(raw: &str) -> Result<(bool, String), Issue> {
    let text = clean(raw).to_lowercase();
    let text = text.strip_prefix("tel:").unwrap_or(&text);
    // An extension cannot receive a call-back or a message; keep the main number.
    let text =
        ["ext", "psw"].iter().filter_map(|m| text.find(m)).min().map_or(text, |i| &text[..i]);
    let mut digits = String::with_capacity(text.len());
    let mut plus = false;
    for (i, c) in text.trim().char_indices() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => plus = true,
            ' ' | '-' | '.' | '(' | ')' | '/' => {}
            _ if super::letter_o_among_digits(text) => {
                return Err(Issue::new("invalid-phone-letter-o"));
            }
            _ => return Err(Issue::new("invalid-phone-chars")),
        }
    }
    if digits.is_empty() {
        return Err(Issue::new(if plus { SHORT } else { EMPTY }));
    }
    Ok((plus, digits))
}

/// The Indonesian national part, or `None` when the digits carry another country code (then
/// `digits` is rewritten to start with that country code).
fn national_part(plus: bool, digits: &str) -> Option<&str> {
    if plus {
        return digits.strip_prefix("62");
    }
    if let Some(intl) = digits.strip_prefix("00") {
        // `00` is the generic international prefix; 001/007/008/009 are Indonesian carriers'.
        return intl.strip_prefix("62").or_else(|| {
            let carrier = intl.strip_prefix(['1', '7', '8', '9'])?;
            carrier.strip_prefix("62")
        });
    }
    match digits.strip_prefix("62") {
        // WhatsApp's form; shorter `62…` strings are read as national (area code 062x).
        Some(rest) if digits.len() >= 11 => Some(rest),
        _ => Some(digits.strip_prefix('0').unwrap_or(digits)),
    }
}

/// A number under another country code: E.164 allows 8–15 digits in all.
fn foreign(digits: &str) -> Checked<Phone> {
    let digits = digits.strip_prefix("00").unwrap_or(digits);
    if digits.len() < 8 {
        return Err(Issue::new(SHORT));
    }
    if digits.len() > 15 {
        return Err(Issue::new(LONG));
    }
    let e164 = format!("+{digits}");
    let warning = Issue::new("warn-phone-foreign").arg("number", e164.clone());
    Ok((Phone { e164, kind: PhoneKind::Foreign }, vec![warning]))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::vectors;
    use super::*;

    fn e164(raw: &str, mobile_only: bool) -> Result<(String, PhoneKind), &'static str> {
        check(raw, mobile_only).map(|(p, _)| (p.e164, p.kind)).map_err(|e| e.code)
    }

    #[test]
    fn domain_valid_vectors() {
        let same = [
            "081234567890",
            "0812-3456-7890",
            "0812 3456 7890",
            "0812.3456.7890",
            "(0812) 3456-7890",
            "+62 812-3456-7890",
            "+6281234567890",
            "6281234567890",
            "62 812 3456 7890",
            "81234567890",
            "+62 0812 3456 7890",
            "006281234567890",
        ];
        for raw in same {
            assert_eq!(e164(raw, true), Ok(("+6281234567890".into(), PhoneKind::Mobile)), "{raw}");
        }
        let table = [
            ("6208123456789", "+628123456789", PhoneKind::Mobile),
            ("0811-540-123", "+62811540123", PhoneKind::Mobile),
            ("(0542) 421234", "+62542421234", PhoneKind::Landline),
            ("021-2345 6789", "+622123456789", PhoneKind::Landline),
            ("+60 12-345 6789", "+60123456789", PhoneKind::Foreign),
        ];
        for (raw, want, kind) in table {
            assert_eq!(e164(raw, false), Ok((want.into(), kind)), "{raw}");
        }
        let (_, warnings) = check("+60 12-345 6789", true).expect("foreign kept");
        assert_eq!(warnings[0].code, "warn-phone-foreign");
    }

    #[test]
    fn domain_invalid_vectors() {
        let table = [
            ("0812345", SHORT),
            ("08123456789012", LONG),
            ("0841234567", NOT_MOBILE),
            ("0812-3456-789O", "invalid-phone-letter-o"),
            ("112", "invalid-phone-emergency"),
            ("(0542) 421234", NOT_MOBILE), // landline where a mobile is required
        ];
        for (raw, code) in table {
            assert_eq!(e164(raw, true), Err(code), "{raw}");
        }
    }

    /// `phone.csv` rows where pintu deliberately differs from libphonenumber, with the reason.
    const CSV_EXCEPTIONS: &[(&str, &str)] = &[
        ("0800 1234567", "toll-free: cannot call a citizen back there, refused as not mobile"),
        ("0809 1 234 567", "premium-rate: not a personal number, refused as not mobile"),
        ("0804 123 4567", "shared-cost: not a personal number, refused as not mobile"),
        ("0807 1 123 456", "UAN (company number): not a personal number, refused as not mobile"),
        ("0062812345678", "domain.md §4.3 reads 0062 as +62 (people dial 00 abroad); valid here"),
    ];

    #[test]
    fn real_world_phone_csv() {
        let Some(rows) = vectors("phone.csv") else {
            return;
        };
        let (mut pass, mut excepted, mut alt) = (0, 0, 0);
        for row in &rows {
            let input = row["input"].as_str();
            let got = e164(input, false);
            if CSV_EXCEPTIONS.iter().any(|(i, _)| *i == input) {
                let ours =
                    if input.starts_with("0062") { Ok("+62812345678") } else { Err(NOT_MOBILE) };
                assert_eq!(got.map(|(e, _)| e), ours.map(String::from), "{input}");
                excepted += 1;
                continue;
            }
            if row["expected_valid"] != "valid" {
                assert!(got.is_err(), "{input} should be refused, got {got:?}");
            } else {
                // Where the table offers an alternative, we read `62…` as WhatsApp's form
                // (domain.md: `62…` with ≥ 11 digits drops the country code).
                let want = if row["alt_e164"].is_empty() {
                    &row["expected_e164"]
                } else {
                    &row["alt_e164"]
                };
                alt += usize::from(!row["alt_e164"].is_empty());
                let kind = match (row["region"].as_str(), row["number_type"].as_str()) {
                    ("ID", "FIXED_LINE") if row["alt_e164"].is_empty() => PhoneKind::Landline,
                    ("ID", _) => PhoneKind::Mobile,
                    _ => PhoneKind::Foreign,
                };
                assert_eq!(got, Ok((want.clone(), kind)), "{input}");
            }
            pass += 1;
        }
        eprintln!("phone.csv: {pass} pass ({alt} via alt_e164), {excepted} documented exceptions");
        assert_eq!(excepted, CSV_EXCEPTIONS.len());
    }
}
