//! Kode pos: five digits, never starting with 0 (`domain.md` §4.4).
//!
//! The first digit names a postal region (7 = Kalimantan), so a code from another region is
//! probably a typo or the citizen's old address: a warning, not a refusal, because people do
//! apply from where they live now.

use super::{Checked, DigitCodes, Issue, digits_only};

const CODES: DigitCodes = DigitCodes {
    chars: "invalid-postal-chars",
    length: "invalid-postal-length",
    letter_o: "invalid-postal-chars",
};

/// Checks a kode pos; `tenant_first_digit` is the kabupaten's postal region (7 for PPU).
pub fn check(raw: &str, tenant_first_digit: Option<u8>) -> Checked<String> {
    let code = digits_only(raw, &CODES, &[5])?;
    // digits_only() returned exactly five ASCII digits.
    let first = code.as_bytes()[0] - b'0';
    if first == 0 {
        return Err(Issue::new("invalid-postal-first-digit"));
    }
    let mut warnings = Vec::new();
    if let Some(expected) = tenant_first_digit.filter(|d| *d != first) {
        let warning = Issue::new("warn-postal-region").arg("code", code.clone());
        warnings.push(warning.arg("expected", expected.to_string()));
    }
    Ok((code, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(raw: &str, tenant: Option<u8>) -> Result<(String, Vec<&'static str>), &'static str> {
        check(raw, tenant).map(|(c, w)| (c, w.iter().map(|i| i.code).collect())).map_err(|e| e.code)
    }

    #[test]
    fn domain_vectors() {
        for raw in ["76144", "76 144", "76.144"] {
            assert_eq!(codes(raw, Some(7)), Ok(("76144".into(), vec![])), "{raw}");
        }
        let err = check("7614", Some(7)).expect_err("4 digits");
        assert_eq!((err.code, err.get("digits")), ("invalid-postal-length", Some("4")));
        assert_eq!(codes("06144", Some(7)), Err("invalid-postal-first-digit"));
        assert_eq!(codes("55111", Some(7)), Ok(("55111".into(), vec!["warn-postal-region"])));
        assert_eq!(codes("55111", None), Ok(("55111".into(), vec![])));
        assert_eq!(codes("76l44", None), Err("invalid-postal-chars"));
    }
}
