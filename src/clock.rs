//! Wall time as the rest of pintu sees it.
//!
//! The engine never reads a clock: the driver reads one [`Clock`] and passes a [`Now`] in, so
//! tests pin time exactly and transcripts stay deterministic.
//!
//! May use: nothing else of pintu.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, Time, UtcOffset};

/// Seconds since the Unix epoch, UTC. Compact in records and totally ordered.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// This instant plus `secs` seconds (saturating, so a huge config value cannot wrap).
    pub fn plus_secs(self, secs: i64) -> Self {
        Self(self.0.saturating_add(secs))
    }
}

/// An instant together with the deployment's fixed UTC offset (WIB/WITA/WIT have no DST).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    pub at: Timestamp,
    pub offset: UtcOffset,
}

impl Now {
    pub fn new(at: Timestamp, offset: UtcOffset) -> Self {
        Self { at, offset }
    }

    fn local(&self) -> OffsetDateTime {
        // Out-of-range timestamps cannot come from a real clock; fall back to the epoch rather
        // than panic on a corrupted record.
        OffsetDateTime::from_unix_timestamp(self.at.0)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(self.offset)
    }

    /// The local calendar date ("today") in the deployment's zone.
    pub fn today(&self) -> Date {
        self.local().date()
    }

    /// The local time of day.
    pub fn time_of_day(&self) -> Time {
        self.local().time()
    }

    /// Builds a `Now` from a local date and time, for tests and transcripts.
    pub fn at_local(date: Date, time: Time, offset: UtcOffset) -> Self {
        let t = date.with_time(time).assume_offset(offset);
        Self::new(Timestamp(t.unix_timestamp()), offset)
    }
}

/// Where the driver gets "now"; `SystemClock` in production, a fixed or stepped clock in tests.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp(OffsetDateTime::now_utc().unix_timestamp())
    }
}

/// A clock tests move by hand (session expiry, due dates) without sleeping.
#[derive(Debug, Default)]
pub struct ManualClock(std::sync::atomic::AtomicI64);

impl ManualClock {
    pub fn new(at: Timestamp) -> Self {
        Self(std::sync::atomic::AtomicI64::new(at.0))
    }

    pub fn set(&self, at: Timestamp) {
        self.0.store(at.0, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(std::sync::atomic::Ordering::SeqCst))
    }
}

/// Parses a zone name or offset: `WIB`, `WITA`, `WIT`, `Asia/Jakarta`, `Asia/Makassar`,
/// `Asia/Jayapura`, `UTC`, or `+08:00`.
pub fn parse_zone(s: &str) -> Option<UtcOffset> {
    let hours = match s.trim().to_ascii_lowercase().as_str() {
        "wib" | "asia/jakarta" | "asia/pontianak" => 7,
        "wita" | "asia/makassar" => 8,
        "wit" | "asia/jayapura" => 9,
        "utc" | "z" => 0,
        other => {
            let (sign, rest) = match other.as_bytes().first()? {
                b'+' => (1, &other[1..]),
                b'-' => (-1, &other[1..]),
                _ => return None,
            };
            let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
            let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
            return UtcOffset::from_hms(sign * h, sign * m, 0).ok();
        }
    };
    UtcOffset::from_hms(hours, 0, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones() {
        assert_eq!(parse_zone("WITA").unwrap().whole_hours(), 8);
        assert_eq!(parse_zone("Asia/Jakarta").unwrap().whole_hours(), 7);
        assert_eq!(parse_zone("+09:00").unwrap().whole_hours(), 9);
        assert_eq!(parse_zone("-03:30").unwrap().whole_minutes(), -210);
        assert!(parse_zone("Mars/Olympus").is_none());
    }

    #[test]
    fn today_follows_the_offset() {
        // 2026-11-25 20:00 UTC is already 2026-11-26 04:00 in WITA.
        let now = Now::new(Timestamp(1_795_636_800), UtcOffset::from_hms(8, 0, 0).unwrap());
        assert_eq!(now.today().to_string(), "2026-11-26");
        assert_eq!(now.time_of_day().hour(), 4);
    }
}
