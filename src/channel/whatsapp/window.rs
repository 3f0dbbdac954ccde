//! The customer-service window: for 24 hours after a citizen's last message any message may
//! reach them, afterwards only an approved template. That is a fact about the chat's last
//! inbound message, so the channel notes it as messages arrive. The session cannot be the
//! source: `hapus data saya` erases it just before its confirmation goes out. The session's
//! last touch (from the store) stands in only for chats not heard from since the start: a push
//! days later, a reply left pending over a restart.

use crate::channel::ChatKey;
use crate::fast_hash::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

/// A free-form message is allowed this long after the citizen's last message (24 h, with a
/// margin for clocks and queues).
pub const WINDOW_SECS: i64 = 23 * 3600 + 30 * 60;

/// Entries older than the window are dropped after this many new ones.
const PRUNE_EVERY: usize = 4096;

/// When each chat last wrote (unix seconds), by a hash of its id: a false match in 2^64 would
/// only send free-form text that Meta then refuses with 131047, which falls back to the
/// template.
#[derive(Default)]
pub struct LastInbound {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    at: HashMap<u64, i64>,
    since_prune: usize,
}

fn key(chat: &ChatKey) -> u64 {
    let mut h = DefaultHasher::new();
    chat.hash(&mut h);
    h.finish()
}

impl LastInbound {
    /// The chat wrote at `sent` (Meta's timestamp; unknown or in the future: `now`). A
    /// redelivery of an older message does not move the time back.
    pub fn note(&self, chat: &ChatKey, sent: i64, now: i64) {
        let sent = if sent > 0 { sent.min(now) } else { now };
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let at = st.at.entry(key(chat)).or_insert(sent);
        *at = (*at).max(sent);
        st.since_prune += 1;
        if st.since_prune >= PRUNE_EVERY {
            st.since_prune = 0;
            st.at.retain(|_, at| now - *at < WINDOW_SECS);
        }
    }

    /// When the chat last wrote, if it did since the start.
    pub fn get(&self, chat: &ChatKey) -> Option<i64> {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).at.get(&key(chat)).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::Channel;

    #[test]
    fn the_latest_message_counts_and_old_entries_go() {
        let last = LastInbound::default();
        let a = ChatKey::new(Channel::WhatsApp, "6281234567890");
        let b = ChatKey::new(Channel::WhatsApp, "6281298765432");
        assert_eq!(last.get(&a), None);
        last.note(&a, 1_000, 1_005);
        last.note(&a, 900, 1_010);
        assert_eq!(last.get(&a), Some(1_000), "a redelivered older message keeps the time");
        last.note(&a, 5_000, 1_020);
        assert_eq!(last.get(&a), Some(1_020), "never later than now");
        last.note(&b, 0, 1_030);
        assert_eq!(last.get(&b), Some(1_030), "no timestamp: now");
        let later = 1_030 + WINDOW_SECS;
        for i in 0..PRUNE_EVERY {
            last.note(&ChatKey::new(Channel::WhatsApp, i.to_string()), later, later);
        }
        assert_eq!((last.get(&a), last.get(&b)), (None, None), "closed windows are forgotten");
    }
}
