//! What a delivery attempt's result means for its outbox entry: done, retry later (with
//! exponential backoff and jitter, or the receiver's Retry-After), or give up (dead letter).
//! Pure, so the policy is tested without sockets or clocks.

use crate::clock::Timestamp;
use crate::model::outbox::{OutboxEntry, OutboxOp};

/// The result of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Try again; `after_secs` when the receiver said how long to wait.
    Retry {
        after_secs: Option<u64>,
        reason: String,
    },
    /// Will never work as it is (bad request, unknown chat): keep for an admin.
    Fail {
        reason: String,
    },
}

/// Backoff settings.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub base_ms: u64,
    pub max_ms: u64,
}

/// Reads an HTTP answer: 2xx done; 408, 425, 429 and 5xx retry (honouring `Retry-After`
/// seconds); any other status is permanent.
pub fn classify_http(status: u16, retry_after: Option<&str>) -> Outcome {
    let after_secs = retry_after.and_then(|v| v.trim().parse::<u64>().ok());
    match status {
        200..=299 => Outcome::Done,
        408 | 425 | 429 | 500..=599 => {
            Outcome::Retry { after_secs, reason: format!("HTTP {status}") }
        }
        _ => Outcome::Fail { reason: format!("HTTP {status}") },
    }
}

/// Delay before attempt number `attempts + 1`: `base · 2^attempts`, capped at `max`, with
/// "equal jitter" (half fixed, half random) so a recovering agency is not hit by every
/// retry at the same second. `random` is any random number.
pub fn backoff_ms(policy: Policy, attempts: u32, random: u64) -> u64 {
    let exp = policy.base_ms.saturating_mul(1u64 << attempts.min(32)).min(policy.max_ms).max(1);
    exp / 2 + random % (exp / 2 + 1)
}

/// The outbox change an outcome calls for.
pub fn next_op(
    entry: &OutboxEntry,
    outcome: Outcome,
    now: Timestamp,
    policy: Policy,
    random: u64,
) -> OutboxOp {
    match outcome {
        Outcome::Done => OutboxOp::Done(entry.id),
        Outcome::Retry { after_secs, reason } => {
            let wait_ms = match after_secs {
                // A receiver's own wait is honoured, but never beyond our longest backoff.
                Some(s) => s.saturating_mul(1000).min(policy.max_ms),
                None => backoff_ms(policy, entry.attempts, random),
            };
            let wait_secs = i64::try_from(wait_ms.div_ceil(1000)).unwrap_or(i64::MAX).max(1);
            OutboxOp::Put(OutboxEntry {
                due: now.plus_secs(wait_secs),
                attempts: entry.attempts.saturating_add(1),
                last_error: Some(reason),
                ..entry.clone()
            })
        }
        Outcome::Fail { reason } => OutboxOp::Dead(OutboxEntry {
            attempts: entry.attempts.saturating_add(1),
            last_error: Some(reason),
            ..entry.clone()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TicketNo;
    use crate::model::outbox::Job;

    fn entry(attempts: u32) -> OutboxEntry {
        OutboxEntry {
            id: 9,
            job: Job::Forward { ticket: TicketNo::parse("K7Q4-M9XS", &[]).unwrap(), revision: 0 },
            due: Timestamp(100),
            attempts,
            created: Timestamp(100),
            last_error: None,
        }
    }

    const P: Policy = Policy { base_ms: 2000, max_ms: 3_600_000 };

    #[test]
    fn http_statuses() {
        for (status, want_retry) in
            [(500, true), (502, true), (503, true), (429, true), (408, true)]
        {
            assert_eq!(matches!(classify_http(status, None), Outcome::Retry { .. }), want_retry);
        }
        for status in [400, 401, 403, 404, 409, 410, 422] {
            assert!(matches!(classify_http(status, None), Outcome::Fail { .. }), "{status}");
        }
        assert_eq!(classify_http(201, None), Outcome::Done);
        assert_eq!(
            classify_http(429, Some(" 30 ")),
            Outcome::Retry { after_secs: Some(30), reason: "HTTP 429".into() }
        );
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        // (attempts, random, expected ms)
        for (attempts, random, want) in [
            (0, 0, 1000),
            (0, 1000, 2000),
            (1, 0, 2000),
            (3, 0, 8000),
            (20, 0, 1_800_000),
            (20, u64::MAX, 1_800_000 + u64::MAX % 1_800_001),
            (63, 7, 1_800_007),
        ] {
            assert_eq!(backoff_ms(P, attempts, random), want, "attempts {attempts}");
        }
        for a in 0..40 {
            assert!(backoff_ms(P, a, u64::MAX) <= P.max_ms);
        }
    }

    #[test]
    fn outcomes_become_ops() {
        let now = Timestamp(1000);
        assert_eq!(next_op(&entry(0), Outcome::Done, now, P, 0), OutboxOp::Done(9));
        let OutboxOp::Put(e) = next_op(
            &entry(2),
            Outcome::Retry { after_secs: None, reason: "HTTP 503".into() },
            now,
            P,
            0,
        ) else {
            panic!()
        };
        assert_eq!(
            (e.due, e.attempts, e.last_error.as_deref()),
            (Timestamp(1004), 3, Some("HTTP 503"))
        );
        let OutboxOp::Put(e) = next_op(
            &entry(0),
            Outcome::Retry { after_secs: Some(120), reason: "HTTP 429".into() },
            now,
            P,
            0,
        ) else {
            panic!()
        };
        assert_eq!(e.due, Timestamp(1120), "Retry-After wins over backoff");
        let OutboxOp::Dead(e) =
            next_op(&entry(0), Outcome::Fail { reason: "HTTP 422".into() }, now, P, 0)
        else {
            panic!()
        };
        assert_eq!(e.last_error.as_deref(), Some("HTTP 422"));
    }
}
