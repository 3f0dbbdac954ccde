//! One reminder before a kept draft is dropped (issue #13 item 9), where the channel allows it.
//!
//! The timing is honest per channel. Telegram may message a chat at any time, so the reminder
//! comes a day before the draft is dropped, when it is most useful. WhatsApp allows free-form
//! messages only within 24 hours of the citizen's last message (outside, only approved
//! templates), so the reminder comes 20 to 23 hours after that message, inside the window with
//! margin for delays; a pintu that was down all that time sends none rather than a template.
//! The terminal has nobody to remind.
//!
//! [`Reminders`] scans the stored sessions every few minutes and hands each due chat to the
//! conversation layer, which steps the reminder like a message (re-checking that the draft is
//! still idle, so a citizen who just wrote is not reminded), commits it, and only then gives
//! it to the chat's channel to send.
//!
//! May use: `clock`, `convo`, `model`, `store`.

use crate::clock::{Clock, Timestamp};
use crate::convo::Convo;
use crate::model::session::{Pending, Session};
use crate::model::{Channel, ChatKey};
use crate::store::{R, Store};
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const HOUR: i64 = 3600;
/// Telegram: this long before the draft expires.
pub const TELEGRAM_LEAD_SECS: i64 = 24 * HOUR;
/// WhatsApp: not before this long after the citizen's last message…
pub const WHATSAPP_AFTER_SECS: i64 = 20 * HOUR;
/// …and not after this long (the free-form window is 24 h).
pub const WHATSAPP_UNTIL_SECS: i64 = 23 * HOUR;
/// How often the sessions are scanned: well inside WhatsApp's three-hour span.
pub const SCAN_EVERY: Duration = Duration::from_secs(10 * 60);

/// When a draft last touched at `touched`, dropped `ttl_secs` later, may get its reminder
/// (Unix seconds), or `None` if none can honestly come before then. Never before
/// `resume_after_secs`: a citizen away that briefly has not left.
pub fn reminder_window(
    channel: Channel,
    touched: Timestamp,
    ttl_secs: i64,
    resume_after_secs: i64,
) -> Option<Range<i64>> {
    let expires = touched.0.saturating_add(ttl_secs);
    let earliest = touched.0 + resume_after_secs;
    let (from, until) = match channel {
        Channel::Telegram => (expires - TELEGRAM_LEAD_SECS, expires),
        Channel::WhatsApp => (touched.0 + WHATSAPP_AFTER_SECS, touched.0 + WHATSAPP_UNTIL_SECS),
        // A web page cannot be reached until the citizen opens it again; the resume question
        // greets them then.
        Channel::Terminal | Channel::Web => return None,
    };
    let window = from.max(earliest)..until.min(expires);
    (!window.is_empty()).then_some(window)
}

/// Is this chat's session a draft whose reminder is due at `now`? Not when a question about
/// it already waits for the answer (an earlier reminder, or the citizen's own return).
pub fn is_due(chat: &ChatKey, session: &Session, now: Timestamp, ttl: i64, resume: i64) -> bool {
    session.flow.is_some()
        && session.pending != Pending::Resume
        && reminder_window(chat.channel, session.touched, ttl, resume)
            .is_some_and(|w| w.contains(&now.0))
}

/// The reminder task: scans every [`SCAN_EVERY`] until shutdown.
pub struct Reminders {
    pub store: Arc<dyn Store>,
    pub convo: Convo,
    pub clock: Arc<dyn Clock>,
    pub session_ttl_secs: i64,
    pub resume_after_secs: i64,
}

impl Reminders {
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(SCAN_EVERY) => {}
            }
            match self.scan_once().await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "draft reminders sent"),
                Err(e) => tracing::error!(error = %e, "draft reminder scan failed"),
            }
        }
    }

    /// Reminds every chat whose reminder is due now; returns how many were sent on their way.
    pub async fn scan_once(&self) -> anyhow::Result<usize> {
        let (store, now) = (self.store.clone(), self.clock.now());
        let (ttl, resume) = (self.session_ttl_secs, self.resume_after_secs);
        // Reading every session blocks: keep it off the async workers.
        let due = tokio::task::spawn_blocking(move || -> R<Vec<(ChatKey, Timestamp)>> {
            let mut due = Vec::new();
            store.sessions(&mut |chat, session| {
                if is_due(&chat, &session, now, ttl, resume) {
                    due.push((chat, session.touched));
                }
                Ok(())
            })?;
            Ok(due)
        })
        .await??;
        let mut sent = 0;
        for (chat, touched) in due {
            if self.convo.remind(chat, touched).await? {
                sent += 1;
            }
        }
        Ok(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * HOUR;
    const T: Timestamp = Timestamp(1_795_000_000);

    #[test]
    fn telegram_in_the_day_before_the_draft_is_dropped() {
        let w = reminder_window(Channel::Telegram, T, 7 * DAY, 1800).unwrap();
        assert_eq!(w, T.0 + 6 * DAY..T.0 + 7 * DAY);
    }

    #[test]
    fn whatsapp_inside_the_24_hour_window() {
        let w = reminder_window(Channel::WhatsApp, T, 7 * DAY, 1800).unwrap();
        assert_eq!(w, T.0 + 20 * HOUR..T.0 + 23 * HOUR);
    }

    #[test]
    fn none_when_it_would_come_too_late_or_nowhere() {
        // A draft dropped within 20 hours: the WhatsApp reminder would come after it.
        assert_eq!(reminder_window(Channel::WhatsApp, T, 12 * HOUR, 1800), None);
        assert_eq!(reminder_window(Channel::Terminal, T, 7 * DAY, 1800), None);
        // A short TTL: Telegram waits at least the resume threshold, still before expiry.
        assert_eq!(
            reminder_window(Channel::Telegram, T, 2 * HOUR, 1800),
            Some(T.0 + 1800..T.0 + 2 * HOUR)
        );
        assert_eq!(reminder_window(Channel::Telegram, T, 1800, 1800), None);
    }

    #[test]
    fn due_only_for_an_idle_draft_not_asked_about_yet() {
        let chat = ChatKey::new(Channel::Telegram, "1");
        let flow = crate::model::session::Flow {
            script: "ikd".into(),
            version: 1,
            at: 0,
            answers: Vec::new(),
            editing: false,
            started: T,
        };
        let draft = Session { flow: Some(flow), touched: T, ..Session::default() };
        let in_window = Timestamp(T.0 + 6 * DAY + HOUR);
        assert!(is_due(&chat, &draft, in_window, 7 * DAY, 1800));
        assert!(!is_due(&chat, &draft, Timestamp(T.0 + DAY), 7 * DAY, 1800), "too early");
        let asked = Session { pending: Pending::Resume, ..draft.clone() };
        assert!(!is_due(&chat, &asked, in_window, 7 * DAY, 1800), "asked already");
        let menu = Session { touched: T, ..Session::default() };
        assert!(!is_due(&chat, &menu, in_window, 7 * DAY, 1800), "no draft");
    }
}
