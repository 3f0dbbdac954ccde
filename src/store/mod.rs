//! Durable state behind one narrow trait: sessions, tickets, dedupe markers, pinned script
//! sources, the outbox (pending and dead entries, read in due order) and staff accounts. Reads are direct; every write is a [`Batch`] committed atomically, and `commit`
//! returns only once the batch is on disk (flushed and fdatasync'ed), because a citizen's reply
//! may leave only after the state that produced it is safe.
//!
//! `sled` appears only in `sled.rs`; `codec.rs` alone decides byte formats. Every backend runs
//! the same conformance suite (`suite.rs`).
//!
//! May use: `audit`, `clock`, `fast_hash`, `model`, `private_fs`.

pub mod backup;
pub mod codec;
pub mod keys;
pub mod memory;
pub mod postgres;
pub mod seal;
pub mod sled;
#[cfg(test)]
pub mod suite;
pub mod transfer;

use crate::audit::AuditEvent;
use crate::clock::Timestamp;
use crate::model::TicketNo;
use crate::model::account::{Account, SessionOp, StaffSession};
use crate::model::outbox::{OutboxEntry, OutboxOp};
use crate::model::reply::Outgoing;
use crate::model::session::Session;
use crate::model::status::{SlaClock, Status};
use crate::model::ticket::Ticket;
use crate::model::{Channel, ChatKey, MessageId};
use std::time::SystemTime;

pub use self::memory::MemoryStore;
pub use self::postgres::PgStore;
pub use self::sled::SledStore;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage I/O failed: {0}")]
    Io(String),
    #[error("a stored record is corrupt or of an unknown format: {0}")]
    Corrupt(String),
    /// A fenced commit found a chat stepped by another process since its step read it; nothing
    /// of the batch was written.
    #[error("another instance stepped a chat of this batch meanwhile: {0}")]
    Conflict(String),
}

pub type R<T> = Result<T, StoreError>;

/// Called with each chat's session by [`Store::sessions`].
pub type SessionVisit<'a> = dyn FnMut(ChatKey, Session) -> R<()> + 'a;

/// Called with each (key, value) record by [`Store::export`].
pub type Visit<'a> = dyn FnMut(&[u8], &[u8]) -> R<()> + 'a;

/// All writes of one or more steps, applied all-or-nothing.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Batch {
    /// `None` deletes the chat's session. Shared with the shard's cache, which takes the
    /// session back without a copy once the commit has dropped this (`convo::shard`).
    pub sessions: Vec<(ChatKey, Option<std::sync::Arc<Session>>)>,
    /// Inserted or replaced by number.
    pub tickets: Vec<Ticket>,
    /// Dedupe markers: hashes of the platform messages these steps consumed, with when (see
    /// `convo::dedupe`). They hold no personal data and outlive the chat's session.
    pub seen: Vec<Seen>,
    /// Drops the dedupe markers of every hour before this instant's, the platform no longer
    /// redelivering those messages, and every marker of the old one-key-per-message layout
    /// (whoever prunes has marked those again first).
    pub seen_expired: Option<Timestamp>,
    /// Script sources pinned by sessions: (id, version, YAML). Written once per version so a
    /// session can finish on its version after an edit or a restart.
    pub scripts: Vec<(String, u32, String)>,
    /// Outbound work added, rescheduled, finished or given up, in order.
    pub outbox: Vec<OutboxOp>,
    /// Replies to citizens: written as pending with the step that produced them, marked sent
    /// once the platform took them, so a crash in between resends instead of losing them.
    pub replies: Vec<ReplyOp>,
    /// Appended to the audit log.
    pub audit: Vec<AuditEvent>,
    /// Staff accounts inserted or replaced by login.
    pub accounts: Vec<Account>,
    /// Console sign-ins started and ended, in order.
    pub staff_sessions: Vec<SessionOp>,
    /// For a store shared by several processes: each stepped chat with the step version its
    /// step read ([`Store::load_session_fenced`]). The commit fails with
    /// [`StoreError::Conflict`] unless every chat is still at that version, and moves each one
    /// version on. A store of one process has no fences.
    pub fences: Vec<(ChatKey, u64)>,
}

/// How long the instance that committed a pending reply has to send it before another
/// instance sends it instead (see [`Store::orphaned_replies`]): far longer than a send, short
/// enough that a citizen whose instance died waits seconds, not until it restarts.
pub const REPLY_CLAIM_SECS: u32 = 15;

/// What [`Store::claim_outbox`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The entry is this process's to attempt until the claim runs out.
    Taken,
    /// Another process holds a live claim on it.
    Held,
    /// It is no longer pending (finished or given up by whoever held it).
    Gone,
}

/// Platform messages stepped at one time, as their 64-bit hashes (`MessageId::hash`).
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub at: Timestamp,
    pub hashes: Vec<u64>,
}

/// A reply's life in the store.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyOp {
    /// To be sent to `chat`, in `seq` order. Shared with the [`crate::convo::Queued`] handed to
    /// the channel, so a reply is not copied to be both stored and sent.
    Pending { chat: ChatKey, seq: u64, out: std::sync::Arc<Outgoing> },
    /// Sent (or abandoned): forget it.
    Sent { chat: ChatKey, seq: u64 },
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
            && self.tickets.is_empty()
            && self.seen.is_empty()
            && self.seen_expired.is_none()
            && self.scripts.is_empty()
            && self.outbox.is_empty()
            && self.replies.is_empty()
            && self.audit.is_empty()
            && self.accounts.is_empty()
            && self.staff_sessions.is_empty()
            && self.fences.is_empty()
    }

    /// The dedupe markers' hashes grouped by the hour (`codec::seen_hour`) they were stepped
    /// in: a backend writes one record per hour per commit.
    pub fn seen_by_hour(&self) -> Vec<(u32, Vec<u64>)> {
        let mut by_hour: Vec<(u32, Vec<u64>)> = Vec::new();
        for seen in self.seen.iter().filter(|s| !s.hashes.is_empty()) {
            let hour = codec::seen_hour(seen.at);
            match by_hour.iter_mut().find(|(h, _)| *h == hour) {
                Some((_, hashes)) => hashes.extend(&seen.hashes),
                None => by_hour.push((hour, seen.hashes.clone())),
            }
        }
        by_hour
    }

    /// Appends another batch's writes after this one's (later writes win).
    pub fn merge(&mut self, other: Batch) {
        self.sessions.extend(other.sessions);
        self.tickets.extend(other.tickets);
        self.seen.extend(other.seen);
        self.seen_expired = self.seen_expired.max(other.seen_expired);
        self.scripts.extend(other.scripts);
        self.outbox.extend(other.outbox);
        self.replies.extend(other.replies);
        self.audit.extend(other.audit);
        self.accounts.extend(other.accounts);
        self.staff_sessions.extend(other.staff_sessions);
        self.fences.extend(other.fences);
    }
}

/// Which tickets a listing wants (the officers' queue, the ticket API): every condition set
/// must hold. A store with indexes answers from them (PostgreSQL); the default reads every
/// ticket and keeps the matching ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    pub opd: Option<String>,
    /// Any of these statuses; empty: any status.
    pub statuses: Vec<Status>,
    pub script: Option<String>,
    /// Created at or after.
    pub created_from: Option<Timestamp>,
    /// Created before.
    pub created_before: Option<Timestamp>,
    /// Part of the ticket number (upper case), e.g. its last digits.
    pub number_contains: Option<String>,
    /// (day, want): overdue on that day (Julian) or, when `want` is false, not overdue: see
    /// [`Ticket::overdue_on`].
    pub overdue: Option<(i32, bool)>,
}

impl TicketFilter {
    pub fn matches(&self, t: &Ticket) -> bool {
        self.opd.as_ref().is_none_or(|o| *o == t.opd)
            && (self.statuses.is_empty() || self.statuses.contains(&t.status))
            && self.script.as_ref().is_none_or(|s| *s == t.script)
            && self.created_from.is_none_or(|at| t.created >= at)
            && self.created_before.is_none_or(|at| t.created < at)
            && self.number_contains.as_ref().is_none_or(|n| t.no.to_string().contains(n.as_str()))
            && self.overdue.is_none_or(|(day, want)| t.overdue_on(day) == want)
    }
}

/// The order of a ticket listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketOrder {
    /// By number (the API).
    Number,
    /// Newest first, then by number (the officers' queue).
    NewestFirst,
}

/// One page of a listing and how many tickets match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketPage {
    pub tickets: Vec<Ticket>,
    pub total: usize,
}

/// Whether the follow-up scan has something to do with `t` (see `sla::scan_all`): its SLA
/// clock runs, it waits for a correction, or it was closed before `closed_before` and its
/// personal data are still there (retention).
pub fn to_follow(t: &Ticket, closed_before: Timestamp) -> bool {
    t.status.clock() == SlaClock::Runs
        || t.status == Status::PerluPerbaikan
        || (t.status.is_terminal() && !t.is_erased() && t.last_change() < closed_before)
}

/// A SHA-256 digest.
pub type Digest = [u8; 32];

/// One file of a dialog set: its path under the folders (`dialogs/…` or `locales/…`) and
/// its bytes.
pub type DialogFile = (String, Vec<u8>);

/// A published set of dialog and text files: on a shared store, what every instance serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogSet {
    pub revision: u64,
    pub digest: Digest,
    /// By path.
    pub files: Vec<DialogFile>,
}

/// The storage seam. Synchronous on purpose: sled blocks, so callers use the committer thread
/// or `spawn_blocking`.
pub trait Store: Send + Sync + 'static {
    fn load_session(&self, chat: &ChatKey) -> R<Option<Session>>;
    /// Calls `visit` with every stored session, in key order (the draft reminder's scan). A
    /// session committed meanwhile may be seen before or after its change.
    fn sessions(&self, visit: &mut SessionVisit) -> R<()>;
    /// Hashes of the platform messages marked in the hours from `from`'s up to (not including)
    /// `until`'s: what the dedupe index loads, and what a prune up to `until` drops.
    fn seen_between(&self, from: Timestamp, until: Timestamp) -> R<Vec<u64>>;
    /// Ids of markers in the old one-key-per-message layout, which have no time to expire by.
    /// A store that never had that layout has none.
    fn seen_legacy(&self) -> R<Vec<MessageId>> {
        Ok(Vec::new())
    }
    fn ticket(&self, no: &TicketNo) -> R<Option<Ticket>>;
    /// The chat's tickets, oldest first.
    fn tickets_of(&self, chat: &ChatKey) -> R<Vec<Ticket>>;
    /// The tickets `filter` matches in `order`: `limit` of them after the first `skip`, and
    /// how many match in all.
    fn tickets_matching(
        &self,
        filter: &TicketFilter,
        order: TicketOrder,
        skip: usize,
        limit: usize,
    ) -> R<TicketPage> {
        let mut tickets = self.tickets()?;
        tickets.retain(|t| filter.matches(t));
        if order == TicketOrder::NewestFirst {
            tickets.sort_by(|a, b| b.created.cmp(&a.created).then(a.no.cmp(&b.no)));
        }
        let total = tickets.len();
        Ok(TicketPage { tickets: tickets.into_iter().skip(skip).take(limit).collect(), total })
    }
    /// The tickets the follow-up scan has something to do with ([`to_follow`]), by number.
    fn tickets_to_follow(&self, closed_before: Timestamp) -> R<Vec<Ticket>> {
        let mut tickets = self.tickets()?;
        tickets.retain(|t| to_follow(t, closed_before));
        Ok(tickets)
    }
    fn script_source(&self, id: &str, version: u32) -> R<Option<String>>;
    /// Every stored script version as (id, version), in that order (moving a store).
    fn scripts(&self) -> R<Vec<(String, u32)>>;
    /// Every ticket, in number order (listing, SLA scans).
    fn tickets(&self) -> R<Vec<Ticket>>;
    /// All pending entries, earliest due first (the outbox worker loads them once at start;
    /// metrics, admin listing).
    fn outbox_pending(&self) -> R<Vec<OutboxEntry>>;
    /// On a shared store: the pending entries written at or after `since` (`None`: all), and
    /// the store's own clock when they were read, for the next call (so the instances' clocks
    /// never matter). A store of one process has no other writer: all of them, and no clock.
    fn outbox_written_since(
        &self,
        since: Option<SystemTime>,
    ) -> R<(Vec<OutboxEntry>, Option<SystemTime>)> {
        let _ = since;
        Ok((self.outbox_pending()?, None))
    }
    /// The dead-letter list, oldest first.
    fn outbox_dead(&self) -> R<Vec<OutboxEntry>>;
    /// The newest `max` audit events, newest first.
    fn audit_log(&self, max: usize) -> R<Vec<AuditEvent>>;
    /// The staff account with this login.
    fn account(&self, login: &str) -> R<Option<Account>>;
    /// Every staff account, by login.
    fn accounts(&self) -> R<Vec<Account>>;
    /// The console session whose cookie token hashes (SHA-256) to `token_hash`.
    fn staff_session(&self, token_hash: &[u8; 32]) -> R<Option<StaffSession>>;
    /// Replies not yet marked sent on this channel, per chat in `seq` order.
    fn pending_replies(&self, channel: Channel) -> R<Vec<(ChatKey, u64, Outgoing)>>;
    /// One chat's replies not yet marked sent, in `seq` order (a redelivered message sends
    /// them again). Cheap when the chat has none.
    fn chat_pending_replies(&self, chat: &ChatKey) -> R<Vec<(u64, Outgoing)>>;
    /// Applies the batch atomically; when this returns `Ok` the batch survives a crash or a
    /// power cut.
    fn commit(&self, batch: &Batch) -> R<()>;
    /// True when other processes may write this store at the same time (PostgreSQL): the
    /// conversation layer then reads sessions fenced instead of caching them, and the outbox
    /// worker claims entries before attempting them.
    fn shared(&self) -> bool {
        false
    }
    /// The chat's session with its step version, to fence the commit of a step on it (see
    /// [`Batch::fences`]). A store of one process has no versions.
    fn load_session_fenced(&self, chat: &ChatKey) -> R<(Option<Session>, u64)> {
        Ok((self.load_session(chat)?, 0))
    }
    /// Whether a platform message with this hash was stepped and committed by any process
    /// within the dedupe window. A store of one process answers from the caller's own index.
    fn stepped(&self, hash: u64) -> R<bool> {
        let _ = hash;
        Ok(false)
    }
    /// On a shared store: replies on `channel` still pending [`REPLY_CLAIM_SECS`] after their
    /// commit (the instance that committed them died before sending them), claimed by this
    /// process for as long again, per chat in `seq` order. A store of one process has none to
    /// hand over: its own channel sends what is pending when it starts.
    fn orphaned_replies(&self, channel: Channel) -> R<Vec<(ChatKey, u64, Outgoing)>> {
        let _ = channel;
        Ok(Vec::new())
    }
    /// Takes or renews the lease `name` for `holder` (one process's random id) for `secs`
    /// seconds: true while `holder` leads. Another holder gets it only once it ran out. A store
    /// of one process: its one process always leads.
    fn hold_lease(&self, name: &str, holder: &str, secs: u32) -> R<bool> {
        let _ = (name, holder, secs);
        Ok(true)
    }
    /// Claims a pending outbox entry for `secs` seconds, so one process at a time attempts
    /// it; a claim of a process that died runs out and the entry is another's to take. A store
    /// of one process has no one to share with.
    fn claim_outbox(&self, id: u64, secs: u32) -> R<Claim> {
        let _ = (id, secs);
        Ok(Claim::Taken)
    }
    /// On a shared store: the newest published dialog set's revision and digest, polled by
    /// every instance (see `reload`). `None` when none was published, and on a store of one
    /// process, whose folders are the only copy.
    fn dialogs_head(&self) -> R<Option<(u64, Digest)>> {
        Ok(None)
    }
    /// The newest published dialog set with its files.
    fn dialogs_latest(&self) -> R<Option<DialogSet>> {
        Ok(None)
    }
    /// Whether a dialog set with this digest was ever published: folders holding it are
    /// behind the newest, not edited.
    fn dialogs_known(&self, digest: &Digest) -> R<bool> {
        let _ = digest;
        Ok(false)
    }
    /// Publishes `files` as the newest dialog set, unless the newest already has this digest;
    /// returns its revision. `by` names the publishing instance, for the operators.
    fn publish_dialogs(&self, digest: &Digest, files: &[DialogFile], by: &str) -> R<u64> {
        let _ = (digest, files, by);
        Err(StoreError::Io("this store shares no dialogs".into()))
    }
    /// On a shared store: the secret named `name`, made once by the process that asks first
    /// (it offers `fresh`) and the same for every process after it. `None` on a store of one
    /// process, whose secrets stay in its data folder.
    fn shared_secret(&self, name: &str, fresh: &[u8]) -> R<Option<Vec<u8>>> {
        let _ = (name, fresh);
        Ok(None)
    }
    /// Every stored record as (key, value) in key order, for backups. Consistent when no
    /// commit runs meanwhile (the committer calls it between commits).
    fn export(&self, visit: &mut Visit) -> R<u64> {
        let _ = visit;
        Err(StoreError::Io("this store cannot be exported".into()))
    }
    /// Writes records as exported, then flushes (restore into an empty store).
    fn import(&self, records: &mut dyn Iterator<Item = R<(Vec<u8>, Vec<u8>)>>) -> R<u64> {
        let _ = records;
        Err(StoreError::Io("this store cannot be imported into".into()))
    }
    /// True when the store holds no record at all.
    fn is_empty(&self) -> R<bool> {
        Ok(false)
    }
    /// Rewrites the store so deleted records leave no bytes behind; returns the records kept.
    /// A store that keeps no old versions does nothing. Blocks every reader and writer while it
    /// runs: erasure never calls it (it destroys keys, see `sled.rs`); the sled store uses it
    /// once to seal an older store, and the store bench to compare.
    fn compact(&self) -> R<u64> {
        Ok(0)
    }
}
