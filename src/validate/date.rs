//! Calendar dates typed day-month-year, as Indonesians always write them (`domain.md` §4.5).
//!
//! Accepts numbers with any of `- / .` or spaces, ISO `YYYY-MM-DD`, compact `DDMMYYYY`, month
//! words in Indonesian (old spellings too: `Djuli`, `Pebruari`, `Nopember`) and English, filler
//! words (`tgl`, `bln`, `thn`), weekday names and a trailing time, and the relative words
//! `hari ini`, `kemarin`, `kemarin lusa`, `besok`, `lusa`. Month-first numeric dates are never
//! guessed: `12/25/1990` is refused as month 25. Working days are the calendar module's job.

use time::{Date, Duration, Month};

use super::{Checked, EMPTY, Issue, clean, num};

/// Which side of today a step accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRange {
    /// Not after today (birth, death, incident dates).
    Past,
    /// Not before today (appointments).
    Future,
    /// Either side.
    Any,
}

/// Bounds of one date step, from the dialog script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateRule {
    /// Which side of today is accepted.
    pub range: DateRange,
    /// Earliest accepted date, if the script sets one.
    pub not_before: Option<Date>,
    /// Latest accepted date, if the script sets one.
    pub not_after: Option<Date>,
    /// Oldest accepted date as an age in whole years (birth dates: 120).
    pub max_age_years: Option<u16>,
    /// Latest accepted date as days from today (IKD booking: 30, MPP queue: 14).
    pub max_days_ahead: Option<u16>,
}

impl DateRule {
    /// A rule with only a range and no other bound.
    pub const fn new(range: DateRange) -> Self {
        Self { range, not_before: None, not_after: None, max_age_years: None, max_days_ahead: None }
    }

    /// A birth date: not in the future, age at most 120 years.
    pub const fn birth_date() -> Self {
        Self { max_age_years: Some(120), ..Self::new(DateRange::Past) }
    }
}

/// Month words after old-spelling repair, Indonesian and English, January first.
const MONTHS: [&str; 12] = [
    "januari jan january",
    "februari feb pebruari peb febuari february",
    "maret mar mrt march",
    "april apr",
    "mei may",
    "juni jun june",
    "juli jul july",
    "agustus agu agt ags agst agus aug august",
    "september sep sept spt",
    "oktober okt oct october",
    "november nov nopember nop",
    "desember des dec december",
];

/// Words that carry no date information: labels, weekdays, English ordinal suffixes.
const SKIP: &str = "tgl tg tanggal bln bulan thn th tahun senin selasa rabu kamis jumat sabtu \
    minggu ahad monday tuesday wednesday thursday friday saturday sunday st nd rd of";

/// Relative words, in days from today.
#[rustfmt::skip] // a table: several entries per line
const RELATIVE: &[(&str, i64)] = &[
    ("hari ini", 0), ("sekarang", 0), ("today", 0), ("kemarin", -1), ("yesterday", -1),
    ("kemarin lusa", -2), ("besok", 1), ("esok", 1), ("tomorrow", 1), ("lusa", 2),
];

const FORMAT: &str = "invalid-date-format";
const NO_SUCH_DAY: &str = "invalid-date-no-such-day";

/// Day, month and the year as typed (`None` when left out), before the century is chosen.
struct Typed<'a> {
    day: &'a str,
    month: u8,
    year: Option<&'a str>,
}

/// Parses a typed date and applies the step's bounds.
pub fn check(raw: &str, today: Date, rule: &DateRule) -> Checked<Date> {
    let text = clean(raw).to_lowercase().replace(['\'', '’'], "");
    if text.is_empty() {
        return Err(Issue::new(EMPTY));
    }
    let words = drop_time(&text);
    let date = match RELATIVE.iter().find(|(w, _)| *w == words.join(" ")) {
        Some((_, days)) => today.checked_add(Duration::days(*days)).ok_or(Issue::new(FORMAT))?,
        None => resolve(&typed(&words)?, today, rule.range)?,
    };
    bounds(date, today, rule).map(|d| (d, Vec::new()))
}

/// Splits into words and drops a time of day (`07:30`, `pukul 08.00`, `WITA`).
fn drop_time(text: &str) -> Vec<&str> {
    let mut after_label = false;
    let mut keep = |word: &&str| {
        let label = matches!(*word, "pukul" | "pkl" | "jam");
        let time = label || word.contains(':') || matches!(*word, "wib" | "wita" | "wit");
        !(std::mem::replace(&mut after_label, label) || time)
    };
    text.split([' ', ',']).filter(|w| !w.is_empty()).filter(|w| keep(w)).collect()
}

/// Tokenises the words and recognises the day-month-year shape.
fn typed<'a>(words: &[&'a str]) -> Result<Typed<'a>, Issue> {
    let mut nums: Vec<&str> = Vec::new();
    let mut month_word: Option<(usize, u8)> = None;
    for word in words {
        for token in tokens(word)? {
            // tokens() never yields an empty run, so [0] exists.
            if token.as_bytes()[0].is_ascii_digit() {
                nums.push(token);
            } else if let Some(m) = month_of(token) {
                if month_word.replace((nums.len(), m)).is_some() {
                    return Err(Issue::new(FORMAT));
                }
            } else if !SKIP.split_whitespace().any(|w| w == token) {
                return Err(Issue::new(FORMAT));
            }
        }
    }
    let need_day = || Err(Issue::new("invalid-date-need-day"));
    match (month_word, nums.as_slice()) {
        (Some((1, month)), [day, rest @ ..]) if rest.len() <= 1 => {
            Ok(Typed { day, month, year: rest.first().copied() })
        }
        (Some((0, month)), [day, year]) => Ok(Typed { day, month, year: Some(year) }),
        (Some((0, _)), [_]) => need_day(),
        // Compact DDMMYYYY, or YYYYMMDD when that reading cannot be day-first.
        (None, [one]) if one.len() == 8 => {
            let month = short_num(&one[2..4]).is_some_and(|m| (1..=12).contains(&m));
            if month && (one[4..].starts_with("19") || one[4..].starts_with("20")) {
                numeric(&one[..2], &one[2..4], Some(&one[4..]))
            } else {
                numeric(&one[6..], &one[4..6], Some(&one[..4]))
            }
        }
        (None, [one]) if one.len() == 6 => numeric(&one[..2], &one[2..4], Some(&one[4..])),
        (None, [year, month, day]) if year.len() == 4 => numeric(day, month, Some(year)),
        (None, [day, month, rest @ ..]) if rest.len() <= 1 => {
            numeric(day, month, rest.first().copied())
        }
        _ => Err(Issue::new(FORMAT)),
    }
}

/// A numeric day-month-year; refuses a month outside 1–12 (month-first input lands here).
fn numeric<'a>(day: &'a str, month: &str, year: Option<&'a str>) -> Result<Typed<'a>, Issue> {
    let number = short_num(month).and_then(|m| u8::try_from(m).ok());
    match number.filter(|m| (1..=12).contains(m)) {
        Some(month) => Ok(Typed { day, month, year }),
        None => {
            let shown = number.map_or_else(|| month.to_owned(), |m| m.to_string());
            Err(Issue::new("invalid-date-month").arg("month", shown))
        }
    }
}

/// Digit runs and letter runs; `-` `/` `.` separate, anything else is not a date.
fn tokens(word: &str) -> Result<Vec<&str>, Issue> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in word.char_indices().chain([(word.len(), '/')]) {
        let class = match c {
            '0'..='9' => 1,
            'a'..='z' => 2,
            _ => 0,
        };
        if let Some((s, cls)) = start {
            if cls == class {
                continue;
            }
            out.push(&word[s..i]);
            start = None;
        }
        match (class, c) {
            (0, '-' | '/' | '.') => {}
            (0, _) => return Err(Issue::new(FORMAT)),
            _ => start = Some((i, class)),
        }
    }
    Ok(out)
}

/// Month number of a word, after repairing old spellings (`dj`→`j`, `tj`→`c`, `oe`→`u`).
fn month_of(word: &str) -> Option<u8> {
    let word = word.replace("dj", "j").replace("tj", "c").replace("oe", "u");
    let month = MONTHS.iter().position(|words| words.split(' ').any(|w| w == word))?;
    u8::try_from(month + 1).ok()
}

/// Value of a 1–2 digit run; longer runs are not a day or month.
fn short_num(s: &str) -> Option<u16> {
    (s.len() <= 2).then(|| num(s))
}

/// Chooses the year (century for two digits, this year when none) and builds the date.
fn resolve(t: &Typed, today: Date, range: DateRange) -> Result<Date, Issue> {
    let month = Month::try_from(t.month).map_err(|_| Issue::new(FORMAT))?;
    let day = short_num(t.day).ok_or(Issue::new(FORMAT))? as u8;
    let make = |year: i32| {
        let date = format!("{day:02}-{:02}-{year:04}", t.month);
        Date::from_calendar_date(year, month, day)
            .map_err(|_| Issue::new(NO_SUCH_DAY).arg("date", date))
    };
    let after_today = |year| make(year).is_ok_and(|d| d > today);
    let this_year = today.year();
    let year = match t.year {
        Some(y) if y.len() == 4 => i32::from(num(y)),
        Some(y) if y.len() == 2 => {
            // Two digits: this century, unless a past field would land in the future; an
            // open field takes the century nearest to today.
            let y = this_year - this_year.rem_euclid(100) + i32::from(num(y));
            match range {
                DateRange::Past if after_today(y) => y - 100,
                DateRange::Any => [y, y - 100, y + 100]
                    .into_iter()
                    .min_by_key(|c| (c - this_year).abs())
                    .unwrap_or(y),
                _ => y,
            }
        }
        Some(y) => return Err(Issue::new("invalid-date-year").arg("year", y)),
        None if range == DateRange::Past && after_today(this_year) => {
            let date = format!("{day:02}-{:02}", t.month);
            return Err(Issue::new("invalid-date-need-year").arg("date", date));
        }
        // "5 jan" typed in late December means next January.
        None if range == DateRange::Future && make(this_year).is_ok_and(|d| d < today) => {
            this_year + 1
        }
        None => this_year,
    };
    make(year)
}

/// The step's bounds, most specific message first.
fn bounds(date: Date, today: Date, rule: &DateRule) -> Result<Date, Issue> {
    if (date.year() - today.year()).abs() > 200 {
        return Err(Issue::new("invalid-date-year").arg("year", date.year().to_string()));
    }
    match rule.range {
        DateRange::Past if date > today => return Err(Issue::new("invalid-date-future")),
        DateRange::Future if date < today => return Err(Issue::new("invalid-date-past")),
        _ => {}
    }
    if let Some(years) = rule.max_age_years {
        let year = today.year() - i32::from(years);
        // 29 February has no anniversary in most years; 28 February stands in for it.
        let oldest = Date::from_calendar_date(year, today.month(), today.day())
            .or_else(|_| Date::from_calendar_date(year, today.month(), 28));
        if oldest.is_ok_and(|oldest| date < oldest) {
            return Err(Issue::new("invalid-date-too-old").arg("years", years.to_string()));
        }
    }
    if let Some(days) = rule.max_days_ahead {
        let last = today.checked_add(Duration::days(i64::from(days)));
        if last.is_some_and(|last| date > last) {
            let last = last.map(format_numeric).unwrap_or_default();
            return Err(Issue::new("invalid-date-too-far")
                .arg("days", days.to_string())
                .arg("last", last));
        }
    }
    if let Some(min) = rule.not_before.filter(|min| date < *min) {
        return Err(Issue::new("invalid-date-too-early").arg("min", format_numeric(min)));
    }
    if let Some(max) = rule.not_after.filter(|max| date > *max) {
        return Err(Issue::new("invalid-date-too-late").arg("max", format_numeric(max)));
    }
    Ok(date)
}

/// `17-08-1990`: the form message arguments use.
pub fn format_numeric(d: Date) -> String {
    format!("{:02}-{:02}-{:04}", d.day(), u8::from(d.month()), d.year())
}

const NAMES_ID: [&str; 2] = [
    "Senin Selasa Rabu Kamis Jumat Sabtu Minggu",
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
];
const NAMES_EN: [&str; 2] = [
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "January February March April May June July August September October November December",
];

/// `<weekday>, <day> <month> <year>` from space-separated weekday and month names.
fn format_with(d: Date, [days, months]: [&str; 2]) -> String {
    let weekday = days.split(' ').nth(usize::from(d.weekday().number_days_from_monday()));
    let month = months.split(' ').nth(usize::from(u8::from(d.month()) - 1));
    let (weekday, month) = (weekday.unwrap_or_default(), month.unwrap_or_default());
    format!("{weekday}, {} {month} {}", d.day(), d.year())
}

/// `Selasa, 1 Desember 2026` (`domain.md` §6.1).
pub fn format_id(d: Date) -> String {
    format_with(d, NAMES_ID)
}

/// `Tuesday, 1 December 2026`.
pub fn format_en(d: Date) -> String {
    format_with(d, NAMES_EN)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{TODAY, vectors};
    use super::*;
    use time::macros::date;

    fn run(raw: &str, rule: &DateRule) -> Result<Date, Issue> {
        check(raw, TODAY, rule).map(|(d, _)| d)
    }

    fn past(raw: &str) -> Result<Date, &'static str> {
        run(raw, &DateRule::birth_date()).map_err(|e| e.code)
    }

    /// Bookings: future, at most 30 days ahead (IKD).
    const APPOINTMENT: DateRule =
        DateRule { max_days_ahead: Some(30), ..DateRule::new(DateRange::Future) };

    #[test]
    fn domain_past_field_vectors() {
        let table = [
            ("17-08-1990|17/8/90|17.08.1990|17 8 1990|1990-08-17", date!(1990 - 08 - 17)),
            (
                "17 Agustus 1990|17 agt 90|17 agst 1990|17-AGU-1990|17 August 1990",
                date!(1990 - 08 - 17),
            ),
            (
                "tgl 17 bln 8 thn 1990|17081990|19900817|170890|August 17th, 1990",
                date!(1990 - 08 - 17),
            ),
            ("5 Pebruari 2001", date!(2001 - 02 - 05)),
            ("10 Nopember 1995|10 nop 95", date!(1995 - 11 - 10)),
            ("1 Djuli 1960|1 Djoeli 1960", date!(1960 - 07 - 01)),
            ("3/4/05", date!(2005 - 04 - 03)),
            ("29-02-2000", date!(2000 - 02 - 29)),
            ("17-08-26", date!(2026 - 08 - 17)),
            ("30-12-26", date!(1926 - 12 - 30)),
            ("17 agt", date!(2026 - 08 - 17)),
            ("kemarin", date!(2026 - 11 - 25)),
            ("kemarin lusa|Kemarin  Lusa", date!(2026 - 11 - 24)),
            ("hari ini", TODAY),
        ];
        for (inputs, want) in table {
            for raw in inputs.split('|') {
                assert_eq!(past(raw), Ok(want), "{raw}");
            }
        }
    }

    #[test]
    fn domain_past_field_refusals() {
        let table = [
            ("29-02-1900|29/02/23|31-02-2000|31-04-1990|00-01-1990", NO_SUCH_DAY),
            ("17-13-1990|12/25/1990", "invalid-date-month"),
            ("17-08-2030|besok", "invalid-date-future"),
            ("1 des", "invalid-date-need-year"),
            ("17 08 1890", "invalid-date-too-old"),
            ("Agustus 1990", "invalid-date-need-day"),
            ("17|17 8 1990 5|kemarinnya|17 agt des 1990|17😀08😀1990|170|1234567", FORMAT),
            ("17-08-199|17-08-1", "invalid-date-year"),
        ];
        for (inputs, code) in table {
            for raw in inputs.split('|') {
                assert_eq!(past(raw), Err(code), "{raw}");
            }
        }
        let issue = |raw| run(raw, &DateRule::birth_date()).expect_err(raw);
        assert_eq!(issue("31 Pebruari 2000").get("date"), Some("31-02-2000"));
        assert_eq!(issue("12/25/1990").get("month"), Some("25"));
        assert_eq!(issue("1 des").get("date"), Some("01-12"));
        assert_eq!(issue("17-08-1990 5").code, FORMAT);
    }

    #[test]
    fn domain_appointment_vectors() {
        assert_eq!(run("besok", &APPOINTMENT), Ok(date!(2026 - 11 - 27)));
        assert_eq!(run("lusa", &APPOINTMENT), Ok(date!(2026 - 11 - 28)));
        assert_eq!(run("1 des", &APPOINTMENT), Ok(date!(2026 - 12 - 01)));
        // A Saturday and a cuti bersama parse fine here; the calendar module refuses them.
        assert_eq!(run("28-11-2026", &APPOINTMENT), Ok(date!(2026 - 11 - 28)));
        assert_eq!(run("24/12/26", &APPOINTMENT), Ok(date!(2026 - 12 - 24)));
        assert_eq!(run("25-11-2026", &APPOINTMENT).map_err(|e| e.code), Err("invalid-date-past"));
        let far = run("5 jan", &APPOINTMENT).expect_err("2027-01-05 is 40 days ahead");
        assert_eq!((far.code, far.get("last")), ("invalid-date-too-far", Some("26-12-2026")));
        let any = DateRule::new(DateRange::Any);
        assert_eq!(run("1 des", &any), Ok(date!(2026 - 12 - 01)));
        // Two-digit years in an open field take the century nearest to today.
        assert_eq!(run("1/1/99", &any), Ok(date!(1999 - 01 - 01)));
        assert_eq!(run("1/1/70", &any), Ok(date!(2070 - 01 - 01)));
        let bounded =
            DateRule { not_before: Some(date!(2026 - 01 - 01)), not_after: Some(TODAY), ..any };
        let early = run("31-12-2025", &bounded).expect_err("before");
        assert_eq!((early.code, early.get("min")), ("invalid-date-too-early", Some("01-01-2026")));
        assert_eq!(run("27-11-2026", &bounded).map_err(|e| e.code), Err("invalid-date-too-late"));
        assert_eq!(run("1-1-0001", &any).map_err(|e| e.code), Err("invalid-date-year"));
    }

    #[test]
    fn formatting() {
        assert_eq!(format_id(date!(2026 - 12 - 01)), "Selasa, 1 Desember 2026");
        assert_eq!(format_en(date!(2026 - 12 - 01)), "Tuesday, 1 December 2026");
        assert_eq!(format_id(date!(2026 - 11 - 29)), "Minggu, 29 November 2026");
        assert_eq!(format_numeric(date!(1990 - 08 - 17)), "17-08-1990");
    }

    /// `dates.csv` rows where pintu deliberately differs, with the reason.
    const CSV_EXCEPTIONS: &[(&str, &str)] = &[(
        "17 Agustus",
        "domain.md §4.5: no year means this year (2026-08-17, e.g. a baby's akta); \
         only a no-year date that lands in the future asks for the year",
    )];

    #[test]
    fn real_world_dates_csv() {
        let Some(rows) = vectors("dates.csv") else {
            return;
        };
        let (mut pass, mut excepted) = (0, 0);
        for row in &rows {
            let input = row["input"].as_str();
            let got = run(input, &DateRule::birth_date());
            if CSV_EXCEPTIONS.iter().any(|(i, _)| *i == input) {
                assert_eq!(got, Ok(date!(2026 - 08 - 17)), "{input}");
                excepted += 1;
                continue;
            }
            match row["expected"].as_str() {
                // `ambiguous` rows give the reading a birth-date field should pick; we agree.
                "valid" | "ambiguous" => {
                    let got = got.map(|d| d.to_string());
                    assert_eq!(got, Ok(row["expected_iso"].clone()), "{input}");
                }
                _ => assert!(got.is_err(), "{input} should be refused, got {got:?}"),
            }
            pass += 1;
        }
        eprintln!("dates.csv: {pass} rows pass, {excepted} documented exceptions");
        assert_eq!(excepted, CSV_EXCEPTIONS.len());
    }
}
