//! Tax and business numbers: NPWP, and the OSS NIB and KBLI codes (`domain.md` §4.2).
//!
//! Since PMK 112/2022 individuals use their NIK as NPWP and other taxpayers a 16-digit form that
//! is `0` + the old 15 digits. The old 15 digits (`XX.XXX.XXX.X-XXX.XXX`) carry a Luhn check digit
//! in position 9, which catches most typing slips; NIB and KBLI have no public check digit.

use time::Date;

use super::{Checked, DigitCodes, Issue, digits_only, nik};

const CODES: DigitCodes = DigitCodes {
    chars: "invalid-npwp-chars",
    length: "invalid-npwp-length",
    letter_o: "invalid-npwp-chars",
};
const NIB: DigitCodes = DigitCodes {
    chars: "invalid-nib-chars",
    length: "invalid-nib-length",
    letter_o: "invalid-nib-chars",
};
const KBLI: DigitCodes = DigitCodes {
    chars: "invalid-kbli-chars",
    length: "invalid-kbli-length",
    letter_o: "invalid-kbli-chars",
};

/// Checks an NPWP in any of its three forms and returns its digits as typed (15 or 16):
/// 15 digits → Luhn over digits 1–9; 16 starting `0` → Luhn over digits 1–10; other 16 → NIK
/// rules (NIK errors and warnings are passed through unchanged).
pub fn check(raw: &str, today: Date) -> Checked<String> {
    let digits = digits_only(raw, &CODES, &[15, 16])?;
    let checked = match (digits.len(), digits.starts_with('0')) {
        (15, _) => &digits[..9],
        (_, true) => &digits[..10],
        _ => return nik::check(&digits, today).map(|(nik, warnings)| (nik.digits, warnings)),
    };
    // All zeros passes Luhn, but `00.000.000.0-000.000` is what forms use for "no NPWP".
    if !luhn(checked) || digits.bytes().all(|b| b == b'0') {
        return Err(Issue::new("invalid-npwp-check"));
    }
    Ok((digits, Vec::new()))
}

/// Luhn (mod 10) over ASCII digits, the last one being the check digit.
fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Checks an NIB (Nomor Induk Berusaha, issued by OSS): 13 digits, grouping ignored.
pub fn check_nib(raw: &str) -> Checked<String> {
    digits_only(raw, &NIB, &[13]).map(|d| (d, Vec::new()))
}

/// Checks a KBLI business-activity code: 5 digits.
pub fn check_kbli(raw: &str) -> Checked<String> {
    digits_only(raw, &KBLI, &[5]).map(|d| (d, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::TODAY;
    use super::*;

    fn code(r: Checked<String>) -> Result<String, &'static str> {
        r.map(|(v, _)| v).map_err(|e| e.code)
    }

    #[test]
    fn domain_npwp_vectors() {
        let table: [(&str, Result<&str, &str>); 8] = [
            ("01.312.166.0-091.000", Ok("013121660091000")),
            ("016090524017000", Ok("016090524017000")),
            ("0013121660091000", Ok("0013121660091000")),
            ("3201011708900001", Ok("3201011708900001")),
            ("01.312.166.1-091.000", Err("invalid-npwp-check")),
            ("0013121661091000", Err("invalid-npwp-check")),
            ("12345678", Err("invalid-npwp-length")),
            ("000000000000000", Err("invalid-npwp-check")),
        ];
        for (raw, want) in table {
            assert_eq!(code(check(raw, TODAY)), want.map(String::from), "{raw}");
        }
        // A 16-digit NPWP not starting with 0 is a NIK and gets the NIK's own messages.
        assert_eq!(code(check("9971011708900001", TODAY)), Err("invalid-nik-province"));
        assert_eq!(code(check("01.312.166.0-091.00O", TODAY)), Err("invalid-npwp-chars"));
    }

    #[test]
    fn domain_nib_kbli_vectors() {
        assert_eq!(code(check_nib("1234 5678 9012 3")), Ok("1234567890123".into()));
        assert_eq!(code(check_nib("123456789012")), Err("invalid-nib-length"));
        assert_eq!(code(check_nib("12345678901x3")), Err("invalid-nib-chars"));
        assert_eq!(code(check_kbli("47111")), Ok("47111".into()));
        assert_eq!(code(check_kbli("4711")), Err("invalid-kbli-length"));
        assert_eq!(code(check_kbli("4711a")), Err("invalid-kbli-chars"));
    }
}
