//! Nomor Kartu Keluarga (KK): 16 digits = region (6) + recording date (6) + serial (4).
//!
//! The number changes when a family moves, its head dies, on divorce or *pecah KK*, so it is
//! checked for shape only and never used as a key (`domain.md` §4.2). Only the region is
//! refused when wrong; an odd date or serial is a warning, since old KKs were numbered by hand.

use super::nik::province_name;
use super::{Checked, DigitCodes, Issue, all_same, digits_of, digits_only, num};

const CODES: DigitCodes = DigitCodes {
    chars: "invalid-kk-chars",
    length: "invalid-kk-length",
    letter_o: "invalid-kk-letter-o",
};

/// Checks a typed KK number; `applicant_nik`, when known, catches the common mix-up of typing
/// the NIK into the KK question.
pub fn check(raw: &str, applicant_nik: Option<&str>) -> Checked<String> {
    let digits = digits_only(raw, &CODES, &[16])?;
    // Not in the domain list, but a run of one digit is a placeholder as surely as for a NIK,
    // and `1111…` would otherwise pass as an Aceh number.
    if all_same(&digits) {
        return Err(Issue::new("invalid-kk-repeated"));
    }
    if province_name(num(&digits[..2]) as u8).is_none() {
        return Err(Issue::new("invalid-kk-province").arg("code", &digits[..2]));
    }
    if &digits[2..4] == "00" || &digits[4..6] == "00" {
        return Err(Issue::new("invalid-kk-region"));
    }
    let mut warnings = Vec::new();
    let (day, month) = (num(&digits[6..8]), num(&digits[8..10]));
    if !(1..=31).contains(&day) || !(1..=12).contains(&month) {
        warnings.push(Issue::new("warn-kk-date").arg("part", &digits[6..12]));
    }
    if &digits[12..] == "0000" {
        warnings.push(Issue::new("warn-kk-serial"));
    }
    if applicant_nik.is_some_and(|nik| digits_of(nik) == digits) {
        warnings.push(Issue::new("warn-kk-same-as-nik"));
    }
    Ok((digits, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(raw: &str, nik: Option<&str>) -> Result<Vec<&'static str>, &'static str> {
        check(raw, nik).map(|(_, w)| w.iter().map(|i| i.code).collect()).map_err(|e| e.code)
    }

    #[test]
    fn domain_vectors() {
        assert_eq!(check("6409 0120 0515 0003", None), Ok(("6409012005150003".into(), vec![])));
        assert_eq!(check("6409-0120-0515-0003", None).map(|v| v.0), Ok("6409012005150003".into()));
        let err = check("640901200515003", None).expect_err("15 digits");
        assert_eq!((err.code, err.get("digits")), ("invalid-kk-length", Some("15")));
        assert_eq!(codes("9909012005150003", None), Err("invalid-kk-province"));
        assert_eq!(codes("6400012005150003", None), Err("invalid-kk-region"));
        assert_eq!(codes("6409002005150003", None), Err("invalid-kk-region"));
        assert_eq!(codes("6409014705150003", None), Ok(vec!["warn-kk-date"]));
    }

    #[test]
    fn warnings_and_refusals() {
        assert_eq!(codes("6409012013150003", None), Ok(vec!["warn-kk-date"]));
        assert_eq!(codes("6409012005150000", None), Ok(vec!["warn-kk-serial"]));
        let nik = Some("6409.01.200515.0003");
        assert_eq!(codes("6409012005150003", nik), Ok(vec!["warn-kk-same-as-nik"]));
        assert_eq!(codes("6409012005150003", Some("6409011708900001")), Ok(vec![]));
        assert_eq!(codes("1111111111111111", None), Err("invalid-kk-repeated"));
        assert_eq!(codes("6409O12005150003", None), Err("invalid-kk-letter-o"));
        assert_eq!(codes("", None), Err("invalid-empty"));
    }
}
