//! Working days (*hari kerja*): Monday to Friday minus a configured list of holidays.
//!
//! SLAs are promised in working days, so due dates, overdue checks and appointment dates all go
//! through [`Calendar`]. Holidays (*libur nasional*, *cuti bersama*, local days off) are set
//! yearly by decree and differ per kabupaten, so they are data, not code: the config loader reads
//! a list with [`Calendar::parse_holiday_list`]; [`Calendar::indonesia_2026`] is only the shipped
//! default. This module does no I/O and never reads the clock: callers pass dates in.
//!
//! May use: nothing else of pintu.

use std::collections::BTreeSet;
use std::ops::Bound::{Excluded, Included};

use time::{Date, Month, Weekday};

/// Which days count as working days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    /// Weekend entries are harmless: a weekend day is never a working day anyway.
    holidays: BTreeSet<Date>,
}

/// 2026 per SKB 3 Menteri (SKB 1497, 2, 5/2025): libur nasional, then cuti bersama.
const INDONESIA_2026: [(Month, u8); 25] = [
    (Month::January, 1),
    (Month::January, 16),
    (Month::February, 17),
    (Month::March, 19),
    (Month::March, 21),
    (Month::March, 22),
    (Month::April, 3),
    (Month::April, 5),
    (Month::May, 1),
    (Month::May, 14),
    (Month::May, 27),
    (Month::May, 31),
    (Month::June, 1),
    (Month::June, 16),
    (Month::August, 17),
    (Month::August, 25),
    (Month::December, 25),
    // cuti bersama
    (Month::February, 16),
    (Month::March, 18),
    (Month::March, 20),
    (Month::March, 23),
    (Month::March, 24),
    (Month::May, 15),
    (Month::May, 28),
    (Month::December, 24),
];

impl Calendar {
    /// A calendar whose non-working days are weekends plus `holidays`.
    pub fn new(holidays: impl IntoIterator<Item = Date>) -> Self {
        Self { holidays: holidays.into_iter().collect() }
    }

    /// The shipped default: Indonesia's 2026 national holidays and *cuti bersama*
    /// (domain.md §6.4). Kabupaten add local holidays and next year's list through config.
    pub fn indonesia_2026() -> Self {
        // A day listed in the const table that does not exist is a typo caught by the tests,
        // so skipping it here is safer than panicking at start-up.
        Self::new(
            INDONESIA_2026
                .iter()
                .filter_map(|&(month, day)| Date::from_calendar_date(2026, month, day).ok()),
        )
    }

    /// The configured holidays, in date order.
    pub fn holidays(&self) -> impl Iterator<Item = Date> + '_ {
        self.holidays.iter().copied()
    }

    /// Whether offices are open on `d`: a weekday that is not a holiday.
    pub fn is_working_day(&self, d: Date) -> bool {
        is_weekday(d) && !self.holidays.contains(&d)
    }

    /// The date `n` working days after `from`, counting from the day **after** `from`
    /// (a request sent on Thursday 2026-11-26 with 3 days is due Tuesday 2026-12-01).
    ///
    /// `n = 0` returns `from` itself. `from` need not be a working day.
    pub fn add_working_days(&self, from: Date, n: u16) -> Date {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            // Saturate at the end of `time`'s range rather than panic; no SLA gets there.
            let Some(next) = d.next_day() else { return d };
            d = next;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// How many working days lie in `(from, to]`: after `from`, up to and including `to`.
    ///
    /// It is the inverse of [`Calendar::add_working_days`], so with `from` a due date and `to`
    /// today it counts the working days a ticket is overdue. Zero when `to <= from`.
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        if to <= from {
            return 0;
        }
        // Whole weeks by arithmetic, so a far-off date cannot make this loop for long.
        let days = (to - from).whole_days();
        let mut weekdays = days / 7 * 5;
        let mut d = to;
        for _ in 0..days % 7 {
            if is_weekday(d) {
                weekdays += 1;
            }
            match d.previous_day() {
                Some(prev) => d = prev,
                None => break,
            }
        }
        let holidays =
            self.holidays.range((Excluded(from), Included(to))).filter(|h| is_weekday(**h)).count();
        let holidays = i64::try_from(holidays).unwrap_or(i64::MAX);
        u32::try_from(weekdays.saturating_sub(holidays).max(0)).unwrap_or(u32::MAX)
    }

    /// Reads a holiday list as written in config: ISO dates (`2026-12-25`), one per line or
    /// separated by commas; `#` starts a comment. Blank entries are skipped.
    ///
    /// The error names the 1-based line and the offending entry.
    pub fn parse_holiday_list(text: &str) -> Result<Vec<Date>, String> {
        let mut dates = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let content = line.split('#').next().unwrap_or_default();
            for entry in content.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                let date = parse_iso_date(entry).map_err(|why| format!("line {}: {why}", i + 1))?;
                dates.push(date);
            }
        }
        Ok(dates)
    }
}

fn is_weekday(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Strict `YYYY-MM-DD`: config files are written by staff, so ambiguity is reported, not guessed.
fn parse_iso_date(entry: &str) -> Result<Date, String> {
    let shape = || format!("`{entry}` is not a date; expected YYYY-MM-DD such as 2026-12-25");
    let parts: Vec<&str> = entry.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(shape());
    };
    let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return Err(shape());
    }
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>())
    else {
        return Err(shape());
    };
    let no_such = || format!("`{entry}` is not a day of the calendar");
    let month = Month::try_from(month).map_err(|_| no_such())?;
    Date::from_calendar_date(year, month, day).map_err(|_| no_such())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn shipped_2026_list_is_complete() {
        let cal = Calendar::indonesia_2026();
        // 17 libur nasional + 8 cuti bersama, none lost to a typo in the table.
        assert_eq!(cal.holidays().count(), 25);
        assert!(cal.holidays().all(|d| d.year() == 2026));
    }

    #[test]
    fn due_date_vectors() {
        let cal = Calendar::indonesia_2026();
        let cases = [
            (date!(2026 - 11 - 26), 3, date!(2026 - 12 - 01)),
            (date!(2026 - 08 - 14), 1, date!(2026 - 08 - 18)),
            (date!(2026 - 05 - 13), 2, date!(2026 - 05 - 19)),
            (date!(2026 - 03 - 18), 3, date!(2026 - 03 - 27)),
            (date!(2026 - 12 - 17), 5, date!(2026 - 12 - 28)),
            (date!(2026 - 11 - 26), 0, date!(2026 - 11 - 26)),
            // Submitted on a Saturday: Monday is the first day.
            (date!(2026 - 11 - 28), 1, date!(2026 - 11 - 30)),
        ];
        for (from, n, due) in cases {
            assert_eq!(cal.add_working_days(from, n), due, "{from} + {n}");
        }
    }

    #[test]
    fn working_day_vectors() {
        let cal = Calendar::indonesia_2026();
        assert!(cal.is_working_day(date!(2026 - 11 - 27))); // Friday
        assert!(cal.is_working_day(date!(2026 - 12 - 01))); // Tuesday
        assert!(!cal.is_working_day(date!(2026 - 11 - 28))); // Saturday
        assert!(!cal.is_working_day(date!(2026 - 11 - 29))); // Sunday
        assert!(!cal.is_working_day(date!(2026 - 12 - 24))); // cuti bersama
        assert!(!cal.is_working_day(date!(2026 - 08 - 17))); // libur nasional
        assert!(Calendar::default().is_working_day(date!(2026 - 08 - 17)));
    }

    #[test]
    fn between_inverts_add() {
        let cal = Calendar::indonesia_2026();
        let mut from = date!(2025 - 12 - 20);
        while from < date!(2027 - 01 - 10) {
            for n in [0, 1, 2, 3, 5, 15, 30, 200] {
                let due = cal.add_working_days(from, n);
                assert_eq!(cal.working_days_between(from, due), u32::from(n), "{from} + {n}");
            }
            from = from.next_day().unwrap();
        }
    }

    #[test]
    fn between_counts_overdue_days() {
        let cal = Calendar::indonesia_2026();
        let due = date!(2026 - 12 - 01);
        assert_eq!(cal.working_days_between(due, due), 0);
        assert_eq!(cal.working_days_between(due, date!(2026 - 11 - 20)), 0);
        assert_eq!(cal.working_days_between(due, date!(2026 - 12 - 03)), 2);
        // 22, 23 Dec work; 24, 25 off; 26, 27 weekend; 28 works.
        assert_eq!(cal.working_days_between(date!(2026 - 12 - 21), date!(2026 - 12 - 28)), 3);
        // Far-apart dates are computed, not walked.
        let far = cal.working_days_between(Date::MIN, Date::MAX);
        assert!(far > 1_000_000);
    }

    #[test]
    fn holiday_list_formats() {
        let text = "# libur daerah PPU\n2026-12-25, 2026-12-24\n\n  2027-01-01  # tahun baru\n";
        let dates = Calendar::parse_holiday_list(text).unwrap();
        assert_eq!(dates, [date!(2026 - 12 - 25), date!(2026 - 12 - 24), date!(2027 - 01 - 01)]);
        assert_eq!(Calendar::parse_holiday_list("  \n# none\n,,"), Ok(vec![]));
    }

    #[test]
    fn holiday_list_errors_name_the_line() {
        let cases = [
            ("2026-12-25\n25-12-2026", "line 2: `25-12-2026` is not a date"),
            ("2026-12-25,2026/12/26", "line 1: `2026/12/26` is not a date"),
            ("\n\n2026-02-30", "line 3: `2026-02-30` is not a day of the calendar"),
            ("2026-13-01", "line 1: `2026-13-01` is not a day"),
            ("2026-1-5", "line 1: `2026-1-5` is not a date"),
            ("+026-01-05", "line 1: `+026-01-05` is not a date"),
            ("libur", "line 1: `libur` is not a date"),
        ];
        for (text, want) in cases {
            let err = Calendar::parse_holiday_list(text).unwrap_err();
            assert!(err.starts_with(want), "{text:?}: {err}");
        }
    }
}
