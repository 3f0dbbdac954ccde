//! NIK (Nomor Induk Kependudukan), the 16-digit population number: `PP KK CC DDMMYY SSSS`.
//!
//! Province, kabupaten/kota and kecamatan of *first* registration, then the birth date with
//! 40 added to the day for women, then a serial from 0001 (`domain.md` §4.1). There is no check
//! digit, so structure is all we can verify; real NIKs with a wrong date exist, which is why a
//! mismatch with what the citizen stated is only a warning.

use time::{Date, Month};

use super::{
    Checked, DigitCodes, Issue, all_same, date::format_numeric, digits_of, digits_only, num,
};

const CODES: DigitCodes = DigitCodes {
    chars: "invalid-nik-chars",
    length: "invalid-nik-length",
    letter_o: "invalid-nik-letter-o",
};

/// The 38 Kemendagri province codes (Kepmendagri 300.2.2-2138/2025). NIKs issued before the
/// 2022 Papua split keep 91/92, so the new codes only add to the list.
#[rustfmt::skip] // a table: several entries per line
pub const PROVINCES: &[(u8, &str)] = &[
    (11, "Aceh"), (12, "Sumatera Utara"), (13, "Sumatera Barat"), (14, "Riau"), (15, "Jambi"),
    (16, "Sumatera Selatan"), (17, "Bengkulu"), (18, "Lampung"),
    (19, "Kepulauan Bangka Belitung"), (21, "Kepulauan Riau"),
    (31, "DKI Jakarta"), (32, "Jawa Barat"), (33, "Jawa Tengah"), (34, "DI Yogyakarta"),
    (35, "Jawa Timur"), (36, "Banten"),
    (51, "Bali"), (52, "Nusa Tenggara Barat"), (53, "Nusa Tenggara Timur"),
    (61, "Kalimantan Barat"), (62, "Kalimantan Tengah"), (63, "Kalimantan Selatan"),
    (64, "Kalimantan Timur"), (65, "Kalimantan Utara"),
    (71, "Sulawesi Utara"), (72, "Sulawesi Tengah"), (73, "Sulawesi Selatan"),
    (74, "Sulawesi Tenggara"), (75, "Gorontalo"), (76, "Sulawesi Barat"),
    (81, "Maluku"), (82, "Maluku Utara"),
    (91, "Papua"), (92, "Papua Barat"), (93, "Papua Selatan"), (94, "Papua Tengah"),
    (95, "Papua Pegunungan"), (96, "Papua Barat Daya"),
];

/// Name of a province code, `None` if the code is not one of the 38.
pub fn province_name(code: u8) -> Option<&'static str> {
    PROVINCES.iter().find(|(c, _)| *c == code).map(|(_, name)| *name)
}

/// A structurally valid NIK and what it encodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nik {
    /// The 16 digits, separators removed.
    pub digits: String,
    /// Birth date encoded in digits 7–12, century resolved against "today".
    pub birth_date: Date,
    /// Day part was 41–71.
    pub female: bool,
    /// Province of first registration (digits 1–2).
    pub province: u8,
}

impl Nik {
    /// Region of first registration in wilayah-table form, `64.09.01`.
    pub fn region_code(&self) -> String {
        format_region(&self.digits)
    }
}

/// Checks a typed NIK against the structure rules, in the order `domain.md` gives them.
pub fn check(raw: &str, today: Date) -> Checked<Nik> {
    let digits = digits_only(raw, &CODES, &[16])?;
    if all_same(&digits) {
        return Err(Issue::new("invalid-nik-repeated"));
    }
    let province = num(&digits[..2]) as u8;
    if province_name(province).is_none() {
        return Err(Issue::new("invalid-nik-province").arg("code", &digits[..2]));
    }
    if &digits[2..4] == "00" {
        return Err(Issue::new("invalid-nik-regency"));
    }
    if &digits[4..6] == "00" {
        return Err(Issue::new("invalid-nik-district"));
    }
    let bad_date = || Issue::new("invalid-nik-date").arg("part", &digits[6..12]);
    let day = num(&digits[6..8]);
    let female = day > 40;
    let day = if female { day - 40 } else { day };
    let month = Month::try_from(num(&digits[8..10]) as u8).map_err(|_| bad_date())?;
    if !(1..=31).contains(&day) {
        return Err(bad_date());
    }
    let birth_date =
        birth_year(num(&digits[10..12]), month, day as u8, today).ok_or_else(bad_date)?;
    if &digits[12..] == "0000" {
        return Err(Issue::new("invalid-nik-serial"));
    }
    // Kabupaten use 01–69 and kota 71–99; 70 is neither, so the region cannot exist today,
    // but pemekaran has renumbered regions before, hence only a warning.
    let mut warnings = Vec::new();
    if &digits[2..4] == "70" {
        warnings.push(Issue::new("warn-nik-region-unknown").arg("code", format_region(&digits)));
    }
    Ok((Nik { digits, birth_date, female, province }, warnings))
}

/// `640901…` → `64.09.01`; callers pass at least 6 ASCII digits.
fn format_region(d: &str) -> String {
    format!("{}.{}.{}", &d[..2], &d[2..4], &d[4..6])
}

/// Century for a two-digit NIK year: the current century if the date exists and is not after
/// today, else the previous one; `None` if neither gives a real date.
fn birth_year(yy: u16, month: Month, day: u8, today: Date) -> Option<Date> {
    let century = today.year() - today.year().rem_euclid(100);
    let this = Date::from_calendar_date(century + i32::from(yy), month, day).ok();
    match this {
        Some(d) if d <= today => Some(d),
        _ => Date::from_calendar_date(century - 100 + i32::from(yy), month, day).ok(),
    }
}

/// [`check`], then compares the NIK with what the citizen stated: a different birth date or sex,
/// or a NIK equal to the KK number, is a warning (real NIKs with wrong dates exist).
pub fn check_with(
    raw: &str,
    today: Date,
    stated_birth: Option<Date>,
    stated_female: Option<bool>,
    kk: Option<&str>,
) -> Checked<Nik> {
    let (nik, mut warnings) = check(raw, today)?;
    if let Some(stated) = stated_birth.filter(|d| *d != nik.birth_date) {
        warnings.push(
            Issue::new("warn-nik-birth-date")
                .arg("nik_date", format_numeric(nik.birth_date))
                .arg("stated_date", format_numeric(stated)),
        );
    }
    if let Some(stated) = stated_female.filter(|f| *f != nik.female) {
        warnings.push(
            Issue::new("warn-nik-sex")
                .arg("nik_sex", sex(nik.female))
                .arg("stated_sex", sex(stated)),
        );
    }
    if kk.is_some_and(|kk| digits_of(kk) == nik.digits) {
        warnings.push(Issue::new("warn-nik-same-as-kk"));
    }
    Ok((nik, warnings))
}

/// Fluent selector value for a sex; the `.ftl` turns it into words.
fn sex(female: bool) -> &'static str {
    if female { "female" } else { "male" }
}

/// Warns when a wilayah table does not know the NIK's kecamatan; `known` receives the code in
/// table form (`64.09.01`). Only a warning: pemekaran changes codes, NIKs keep the old ones.
pub fn check_region(nik: &Nik, known: impl Fn(&str) -> bool) -> Option<Issue> {
    let code = nik.region_code();
    (!known(&code)).then(|| Issue::new("warn-nik-region-unknown").arg("code", code))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{TODAY, vectors};
    use super::*;
    use time::macros::date;

    fn ok(raw: &str) -> Nik {
        match check(raw, TODAY) {
            Ok((nik, w)) if w.is_empty() => nik,
            other => panic!("{raw}: {other:?}"),
        }
    }

    #[test]
    fn domain_valid_vectors() {
        let table = [
            ("6409011708900001", date!(1990 - 08 - 17), false),
            ("3201011708900001", date!(1990 - 08 - 17), false),
            ("6409015708900002", date!(1990 - 08 - 17), true),
            ("3471014102950003", date!(1995 - 02 - 01), true),
            ("6409012902000001", date!(2000 - 02 - 29), false),
            ("6409016902000001", date!(2000 - 02 - 29), true),
            ("6409011203050001", date!(2005 - 03 - 12), false),
            ("6409010101260001", date!(2026 - 01 - 01), false),
            ("3171011708450001", date!(1945 - 08 - 17), false),
            ("6409013012260001", date!(1926 - 12 - 30), false),
        ];
        for (raw, birth, female) in table {
            let nik = ok(raw);
            assert_eq!((nik.birth_date, nik.female), (birth, female), "{raw}");
            assert_eq!(nik.digits, raw);
        }
        for raw in ["3201-0117-0890-0001", "3201 0117 0890 0001", "32.01.01.170890.0001"] {
            assert_eq!(ok(raw).digits, "3201011708900001");
        }
    }

    #[test]
    fn domain_invalid_vectors() {
        let table = [
            ("640901170890001", "invalid-nik-length", Some(("digits", "15"))),
            ("64090117089000012", "invalid-nik-length", Some(("digits", "17"))),
            ("32010117O8900001", "invalid-nik-letter-o", None),
            ("9971011708900001", "invalid-nik-province", Some(("code", "99"))),
            ("2001011708900001", "invalid-nik-province", Some(("code", "20"))),
            ("3200011708900001", "invalid-nik-regency", None),
            ("3201001708900001", "invalid-nik-district", None),
            ("3201010008900001", "invalid-nik-date", Some(("part", "000890"))),
            ("3201013208900001", "invalid-nik-date", None),
            ("3201017208900001", "invalid-nik-date", None),
            ("3201011713900001", "invalid-nik-date", None),
            ("3201013102900001", "invalid-nik-date", None),
            ("6409012902230001", "invalid-nik-date", None),
            ("3201011708900000", "invalid-nik-serial", None),
            ("1111111111111111", "invalid-nik-repeated", None),
        ];
        for (raw, code, arg) in table {
            let err = check(raw, TODAY).expect_err(raw);
            assert_eq!(err.code, code, "{raw}");
            if let Some((name, value)) = arg {
                assert_eq!(err.get(name), Some(value), "{raw}");
            }
        }
    }

    #[test]
    fn domain_warning_vectors() {
        let known = |code: &str| code != "64.99.01";
        let (nik, _) = check("6499011708900001", TODAY).expect("structurally valid");
        assert_eq!(check_region(&nik, known).map(|i| i.code), Some("warn-nik-region-unknown"));
        assert_eq!(check_region(&ok("6409011708900001"), known), None);
        let (_, w) = check("6470011708900001", TODAY).expect("kab/kota 70 only warns");
        assert_eq!(w[0].get("code"), Some("64.70.01"));

        let (_, w) = check_with("6409011708900001", TODAY, Some(date!(1990 - 08 - 18)), None, None)
            .expect("date mismatch only warns");
        let want = Issue::new("warn-nik-birth-date")
            .arg("nik_date", "17-08-1990")
            .arg("stated_date", "18-08-1990");
        assert_eq!(w, vec![want]);
        let (_, w) = check_with("6409015708900002", TODAY, None, Some(false), None).expect("sex");
        let want = Issue::new("warn-nik-sex").arg("nik_sex", "female").arg("stated_sex", "male");
        assert_eq!(w, vec![want]);
        let kk = Some("6409 0117 0890 0001");
        let (_, w) = check_with("6409011708900001", TODAY, None, None, kk).expect("kk");
        assert_eq!(w, vec![Issue::new("warn-nik-same-as-kk")]);
        let stated = (Some(date!(1990 - 08 - 17)), Some(false), Some("6409012005150003"));
        let (_, w) =
            check_with("6409011708900001", TODAY, stated.0, stated.1, stated.2).expect("ok");
        assert!(w.is_empty());
    }

    /// Rows of `nik.csv` where pintu deliberately differs, with the reason.
    const CSV_EXCEPTIONS: &[(&str, &str)] = &[
        ("32 7300 010101 0001", "kecamatan 00: domain.md §4.1 refuses it; the CSV skips the check"),
        ("32 7300 710101 0001", "kecamatan 00: domain.md §4.1 refuses it; the CSV skips the check"),
    ];

    #[test]
    fn real_world_nik_csv() {
        let Some(rows) = vectors("nik.csv") else {
            return;
        };
        let (mut pass, mut excepted) = (0, 0);
        for row in &rows {
            let input = row["input"].as_str();
            let got = check(input, TODAY);
            if let Some((_, why)) = CSV_EXCEPTIONS.iter().find(|(i, _)| *i == input) {
                assert_eq!(row["expected"], "valid", "exception list is stale for {input}");
                assert_eq!(
                    got.map(|_| ()).map_err(|e| e.code),
                    Err("invalid-nik-district"),
                    "{why}"
                );
                excepted += 1;
                continue;
            }
            if row["expected"] == "valid" {
                let (nik, _) = got.unwrap_or_else(|e| panic!("{input}: {e:?}"));
                assert_eq!(nik.province.to_string(), row["province_code"], "{input}");
                assert_eq!(province_name(nik.province), Some(row["province_name"].as_str()));
                assert_eq!(nik.birth_date.to_string(), row["birth_date"], "{input}");
                assert_eq!(if nik.female { "F" } else { "M" }, row["sex"], "{input}");
                assert_eq!(&nik.digits[12..], row["serial"], "{input}");
            } else {
                assert!(got.is_err(), "{input} should be refused: {}", row["invalid_reason"]);
            }
            pass += 1;
        }
        eprintln!("nik.csv: {pass} rows pass, {excepted} documented exceptions");
        assert_eq!(excepted, CSV_EXCEPTIONS.len());
    }

    #[test]
    fn real_world_provinces_csv() {
        let Some(rows) = vectors("provinces.csv") else {
            return;
        };
        assert_eq!(rows.len(), PROVINCES.len());
        for row in &rows {
            let code: u8 = row["code"].parse().expect("numeric code");
            assert_eq!(province_name(code), Some(row["name"].as_str()), "{code}");
            let nik = format!("{code:02}01011708450001");
            assert_eq!(check(&nik, TODAY).map(|(n, _)| n.province), Ok(code));
        }
        eprintln!("provinces.csv: {} rows pass", rows.len());
    }
}
