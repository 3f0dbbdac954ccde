//! An in-memory [`Store`] for engine and conversation tests: the same contract as sled, nothing
//! on disk.
//!
//! It keeps typed values (no codec round trip), so it proves behaviour, not byte formats; the
//! codec's fixtures and the sled suite cover those. The outbox mirrors sled's layout (entries by
//! id plus a due-ordered set) so the suite exercises the same rescheduling bookkeeping. It must
//! not be used where data has to survive the process.

use super::{Batch, R, ReplyOp, SessionVisit, Store, StoreError, codec};
use crate::audit::AuditEvent;
use crate::clock::Timestamp;
use crate::model::TicketNo;
use crate::model::account::{Account, SessionOp, StaffSession};
use crate::model::outbox::{OutboxEntry, OutboxOp};
use crate::model::reply::Outgoing;
use crate::model::session::Session;
use crate::model::ticket::Ticket;
use crate::model::{Channel, ChatKey};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Everything behind one lock, so a commit is atomic for readers.
#[derive(Debug, Default)]
struct Maps {
    sessions: BTreeMap<ChatKey, Session>,
    tickets: BTreeMap<TicketNo, Ticket>,
    /// Dedupe hashes by the hour they were marked in.
    seen: BTreeMap<u32, Vec<u64>>,
    scripts: BTreeMap<(String, u32), String>,
    /// Pending outbox entries by id.
    pending: BTreeMap<u64, OutboxEntry>,
    /// `(due, id)` of every pending entry, and nothing else.
    due: BTreeSet<(Timestamp, u64)>,
    /// Dead letters by id.
    dead: BTreeMap<u64, OutboxEntry>,
    /// Pending replies by chat and seq.
    replies: BTreeMap<(ChatKey, u64), Outgoing>,
    audit: Vec<AuditEvent>,
    accounts: BTreeMap<String, Account>,
    staff_sessions: BTreeMap<[u8; 32], StaffSession>,
}

impl Maps {
    fn apply(&mut self, op: &OutboxOp) {
        let id = match op {
            OutboxOp::Put(entry) | OutboxOp::Dead(entry) => entry.id,
            OutboxOp::Done(id) => *id,
        };
        // Whatever happens to the id, its old due leaves the index with it.
        if let Some(old) = self.pending.remove(&id) {
            self.due.remove(&(old.due, id));
        }
        match op {
            OutboxOp::Put(entry) => {
                self.dead.remove(&id);
                self.due.insert((entry.due, id));
                self.pending.insert(id, entry.clone());
            }
            OutboxOp::Done(_) => {
                self.dead.remove(&id);
            }
            OutboxOp::Dead(entry) => {
                self.dead.insert(id, entry.clone());
            }
        }
    }

    /// Pending entries due at or before `until`, earliest first, at most `max`.
    /// Every pending entry, by due then id.
    fn pending_in_due_order(&self) -> Vec<OutboxEntry> {
        // The set holds exactly the pending entries' (due, id), so the lookup always succeeds.
        self.due.iter().filter_map(|(_, id)| self.pending.get(id).cloned()).collect()
    }
}

/// A [`Store`] held in memory; see the module docs.
#[derive(Debug, Default)]
pub struct MemoryStore {
    maps: Mutex<Maps>,
    /// Set by tests to make every commit fail, to exercise the committer's retry path.
    fail_commits: AtomicBool,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// While `on`, every `commit` returns [`StoreError::Io`] and applies nothing, as a full
    /// disk would.
    pub fn fail_commits(&self, on: bool) {
        self.fail_commits.store(on, Ordering::SeqCst);
    }

    fn maps(&self) -> R<MutexGuard<'_, Maps>> {
        // A poisoned lock means a panic mid-commit: the maps may be half-applied, so refuse
        // rather than serve them.
        self.maps.lock().map_err(|_| StoreError::Io("memory store lock poisoned".into()))
    }
}

impl Store for MemoryStore {
    fn load_session(&self, chat: &ChatKey) -> R<Option<Session>> {
        Ok(self.maps()?.sessions.get(chat).cloned())
    }

    fn sessions(&self, visit: &mut SessionVisit) -> R<()> {
        // A copy, so `visit` may take its time without holding the lock.
        let all: Vec<(ChatKey, Session)> =
            self.maps()?.sessions.iter().map(|(c, s)| (c.clone(), s.clone())).collect();
        all.into_iter().try_for_each(|(chat, session)| visit(chat, session))
    }

    fn seen_between(&self, from: Timestamp, until: Timestamp) -> R<Vec<u64>> {
        let (from, until) = (codec::seen_hour(from), codec::seen_hour(until));
        if from >= until {
            return Ok(Vec::new());
        }
        Ok(self.maps()?.seen.range(from..until).flat_map(|(_, h)| h.iter().copied()).collect())
    }

    fn ticket(&self, no: &TicketNo) -> R<Option<Ticket>> {
        Ok(self.maps()?.tickets.get(no).cloned())
    }

    fn tickets_of(&self, chat: &ChatKey) -> R<Vec<Ticket>> {
        let maps = self.maps()?;
        let mut found: Vec<Ticket> =
            maps.tickets.values().filter(|t| t.chat == *chat).cloned().collect();
        // The same order as sled's index: creation time, then number.
        found.sort_by_key(|t| (t.created, t.no));
        Ok(found)
    }

    fn script_source(&self, id: &str, version: u32) -> R<Option<String>> {
        Ok(self.maps()?.scripts.get(&(id.to_owned(), version)).cloned())
    }

    fn scripts(&self) -> R<Vec<(String, u32)>> {
        Ok(self.maps()?.scripts.keys().cloned().collect())
    }

    fn tickets(&self) -> R<Vec<Ticket>> {
        Ok(self.maps()?.tickets.values().cloned().collect())
    }

    fn outbox_pending(&self) -> R<Vec<OutboxEntry>> {
        Ok(self.maps()?.pending_in_due_order())
    }

    fn outbox_dead(&self) -> R<Vec<OutboxEntry>> {
        let mut dead: Vec<OutboxEntry> = self.maps()?.dead.values().cloned().collect();
        // The same order as sled: creation time, then id.
        dead.sort_by_key(|e| (e.created, e.id));
        Ok(dead)
    }

    fn audit_log(&self, max: usize) -> R<Vec<AuditEvent>> {
        let maps = self.maps()?;
        let mut all = maps.audit.clone();
        // Same order as sled: by time (stable for equal times), newest first.
        all.sort_by_key(|e| e.at);
        Ok(all.into_iter().rev().take(max).collect())
    }

    fn account(&self, login: &str) -> R<Option<Account>> {
        Ok(self.maps()?.accounts.get(login).cloned())
    }

    fn accounts(&self) -> R<Vec<Account>> {
        Ok(self.maps()?.accounts.values().cloned().collect())
    }

    fn staff_session(&self, token_hash: &[u8; 32]) -> R<Option<StaffSession>> {
        Ok(self.maps()?.staff_sessions.get(token_hash).cloned())
    }

    fn pending_replies(&self, channel: Channel) -> R<Vec<(ChatKey, u64, Outgoing)>> {
        let maps = self.maps()?;
        let mine = maps.replies.iter().filter(|((chat, _), _)| chat.channel == channel);
        Ok(mine.map(|((chat, seq), out)| (chat.clone(), *seq, out.clone())).collect())
    }

    fn chat_pending_replies(&self, chat: &ChatKey) -> R<Vec<(u64, Outgoing)>> {
        let maps = self.maps()?;
        let range = (chat.clone(), 0)..=(chat.clone(), u64::MAX);
        Ok(maps.replies.range(range).map(|((_, seq), out)| (*seq, out.clone())).collect())
    }

    fn commit(&self, batch: &Batch) -> R<()> {
        if self.fail_commits.load(Ordering::SeqCst) {
            return Err(StoreError::Io("commits are switched off for this test".into()));
        }
        let mut maps = self.maps()?;
        for (chat, session) in &batch.sessions {
            match session {
                Some(s) => maps.sessions.insert(chat.clone(), Session::clone(s)),
                None => maps.sessions.remove(chat),
            };
        }
        for ticket in &batch.tickets {
            maps.tickets.insert(ticket.no, ticket.clone());
        }
        for seen in &batch.seen {
            maps.seen.entry(codec::seen_hour(seen.at)).or_default().extend(&seen.hashes);
        }
        if let Some(before) = batch.seen_expired {
            maps.seen = maps.seen.split_off(&codec::seen_hour(before));
        }
        maps.audit.extend(batch.audit.iter().cloned());
        for op in &batch.staff_sessions {
            match op {
                SessionOp::Put(hash, session) => {
                    maps.staff_sessions.insert(*hash, session.clone());
                }
                SessionOp::End(hash) => {
                    maps.staff_sessions.remove(hash);
                }
                SessionOp::EndAll(login) => maps.staff_sessions.retain(|_, s| s.login != *login),
            }
        }
        for account in &batch.accounts {
            maps.accounts.insert(account.login.clone(), account.clone());
        }
        for op in &batch.replies {
            match op {
                ReplyOp::Pending { chat, seq, out } => {
                    maps.replies.insert((chat.clone(), *seq), Outgoing::clone(out));
                }
                ReplyOp::Sent { chat, seq } => {
                    maps.replies.remove(&(chat.clone(), *seq));
                }
            }
        }
        for (id, version, source) in &batch.scripts {
            maps.scripts.insert((id.clone(), *version), source.clone());
        }
        for op in &batch.outbox {
            maps.apply(op);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::suite::{self, store_suite};

    store_suite!((MemoryStore::new(), ()));

    #[test]
    fn failed_commits_apply_nothing() {
        let store = MemoryStore::new();
        let ticket = suite::sample_ticket();
        store.fail_commits(true);
        let failed = store.commit(&suite::sample_batch());
        assert!(matches!(failed, Err(StoreError::Io(_))));
        assert_eq!(store.load_session(&ticket.chat).unwrap(), None);
        assert_eq!(store.ticket(&ticket.no).unwrap(), None);
        assert!(store.maps().unwrap().seen.is_empty());
        assert!(store.maps().unwrap().scripts.is_empty());
        assert_eq!(store.outbox_pending().unwrap(), vec![]);
        assert_eq!(store.outbox_dead().unwrap(), vec![]);
        store.fail_commits(false);
        store.commit(&suite::sample_batch()).unwrap();
        suite::assert_sample_batch(&store);
    }
}
