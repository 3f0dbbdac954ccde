//! When a kept draft may be followed up with its one reminder, per channel. Only the policy
//! (a pure function, tested here); the sender that scans idle drafts and writes the reminder
//! through the committer and outbox is not built yet (issue #13 item 9).
//!
//! Honest per channel: Telegram may message a chat at any time, so the reminder comes a day
//! before the draft is dropped, when it is most useful. WhatsApp allows free-form messages only
//! within 24 hours of the citizen's last message (outside, only approved templates), so the
//! reminder comes 20 hours after that message, inside the window with margin for delays; the
//! terminal has nobody to remind.

use crate::channel::Channel;
use crate::clock::Timestamp;

const HOUR: i64 = 3600;
/// Telegram: this long before the draft expires.
pub const TELEGRAM_LEAD_SECS: i64 = 24 * HOUR;
/// WhatsApp: this long after the citizen's last message (the free-form window is 24 h).
pub const WHATSAPP_AFTER_SECS: i64 = 20 * HOUR;

/// When to remind of a draft last touched at `touched` that is dropped `ttl_secs` later, or
/// `None` if no reminder can honestly come before then. Never before `resume_after_secs`: a
/// citizen away that briefly has not left.
pub fn reminder_at(
    channel: Channel,
    touched: Timestamp,
    ttl_secs: i64,
    resume_after_secs: i64,
) -> Option<Timestamp> {
    let expires = touched.0.saturating_add(ttl_secs);
    let at = match channel {
        Channel::Telegram => expires - TELEGRAM_LEAD_SECS,
        Channel::WhatsApp => touched.0 + WHATSAPP_AFTER_SECS,
        Channel::Terminal => return None,
    };
    let at = at.max(touched.0 + resume_after_secs);
    (at < expires).then_some(Timestamp(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * HOUR;
    const T: Timestamp = Timestamp(1_795_000_000);

    #[test]
    fn telegram_a_day_before_the_draft_is_dropped() {
        let at = reminder_at(Channel::Telegram, T, 7 * DAY, 1800);
        assert_eq!(at, Some(Timestamp(T.0 + 6 * DAY)));
    }

    #[test]
    fn whatsapp_inside_the_24_hour_window() {
        let at = reminder_at(Channel::WhatsApp, T, 7 * DAY, 1800).unwrap();
        assert_eq!(at.0 - T.0, 20 * HOUR);
        assert!(at.0 - T.0 < 23 * HOUR + 30 * 60, "before the window closes");
    }

    #[test]
    fn none_when_it_would_come_too_late_or_nowhere() {
        // A draft dropped within 20 hours: the WhatsApp reminder would come after it.
        assert_eq!(reminder_at(Channel::WhatsApp, T, 12 * HOUR, 1800), None);
        assert_eq!(reminder_at(Channel::Terminal, T, 7 * DAY, 1800), None);
        // A short TTL: Telegram waits at least the resume threshold, still before expiry.
        assert_eq!(reminder_at(Channel::Telegram, T, 2 * HOUR, 1800), Some(Timestamp(T.0 + 1800)));
        assert_eq!(reminder_at(Channel::Telegram, T, 1800, 1800), None);
    }
}
