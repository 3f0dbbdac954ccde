//! Moving a whole store into another (`pintu migrate --to`): a kabupaten's sled data folder
//! into PostgreSQL, for instance.
//!
//! The copy is logical, through the [`Store`] trait: every session, ticket, pinned script,
//! outbox entry (pending and dead), pending reply, audit event, staff account and dedupe marker
//! is read from the source and written to the target in batches, so each backend keeps its own
//! layout and seals personal data under keys of its own (no key leaves the source). What was
//! erased in the source reads as erased and arrives erased.
//!
//! - **Resumable.** Every write is an upsert by the record's identity, and a record the target
//!   already holds unchanged is skipped; the audit log, which only grows, continues after the
//!   events the target has (checked to be the source's first ones). A copy cut off anywhere
//!   (a kill, a lost connection) is finished by running it again, even if the source served
//!   in between: sessions, outbox entries and pending replies the source no longer has are
//!   removed from the target (tickets and accounts are never deleted).
//! - **Checked record by record.** [`verify`] reads every record back from the target and
//!   compares it with the source, both ways (nothing missing, nothing extra), and names the
//!   first difference by kind and position, never by content.
//!
//! Both stores must be idle: nothing may commit to either while they are copied or compared.

use super::{Batch, R, ReplyOp, Seen, Store, StoreError};
use crate::audit::AuditEvent;
use crate::clock::Timestamp;
use crate::model::Channel;
use crate::model::outbox::OutboxOp;
use std::collections::{HashMap, HashSet};

/// Records per commit: large enough that the per-commit fsync does not dominate, small enough
/// that a cut-off copy loses little work.
const CHUNK: usize = 500;

const HOUR: i64 = 3600;

/// Every channel's pending replies are copied.
const CHANNELS: [Channel; 4] =
    [Channel::Terminal, Channel::Telegram, Channel::WhatsApp, Channel::Web];

/// Records of each kind: copied (written) or, for [`verify`], found equal in both stores.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub sessions: u64,
    pub tickets: u64,
    pub scripts: u64,
    pub outbox: u64,
    pub dead: u64,
    pub replies: u64,
    pub audit: u64,
    pub accounts: u64,
    /// Hours of dedupe markers.
    pub seen_hours: u64,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.sessions
            + self.tickets
            + self.scripts
            + self.outbox
            + self.dead
            + self.replies
            + self.audit
            + self.accounts
            + self.seen_hours
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} sessions, {} tickets, {} script versions, {} outbox entries, {} dead letters, \
             {} pending replies, {} audit events, {} staff accounts, {} hours of dedupe markers",
            self.sessions,
            self.tickets,
            self.scripts,
            self.outbox,
            self.dead,
            self.replies,
            self.audit,
            self.accounts,
            self.seen_hours
        )
    }
}

/// The hours of dedupe markers worth moving: the dedupe window up to now (older ones are
/// dropped by the next prune anyway), and an hour ahead for a clock that was slightly off.
fn seen_hours(now: Timestamp, window_secs: i64) -> impl Iterator<Item = Timestamp> {
    let last = now.0.div_euclid(HOUR) + 1;
    let first = last - window_secs.div_euclid(HOUR) - 2;
    (first..=last).map(|h| Timestamp(h * HOUR))
}

/// The start of the hour `at` is in.
fn hour_start(at: Timestamp) -> Timestamp {
    Timestamp(at.0.div_euclid(HOUR) * HOUR)
}

fn hour_of(store: &dyn Store, start: Timestamp) -> R<HashSet<u64>> {
    Ok(store.seen_between(start, start.plus_secs(HOUR))?.into_iter().collect())
}

/// Writes into the target in chunks of about [`CHUNK`] records.
struct Writer<'a> {
    to: &'a dyn Store,
    batch: Batch,
    records: usize,
}

impl Writer<'_> {
    fn add(&mut self, write: impl FnOnce(&mut Batch)) -> R<()> {
        write(&mut self.batch);
        self.records += 1;
        if self.records >= CHUNK { self.flush() } else { Ok(()) }
    }

    fn flush(&mut self) -> R<()> {
        if self.records > 0 {
            self.to.commit(&std::mem::take(&mut self.batch))?;
            self.records = 0;
        }
        Ok(())
    }
}

/// Copies every record of `from` that `to` does not already hold unchanged; returns what was
/// written. `now` and `window_secs` (the dedupe window) bound the dedupe markers moved.
pub fn copy(from: &dyn Store, to: &dyn Store, now: Timestamp, window_secs: i64) -> R<Counts> {
    let mut n = Counts::default();
    let mut w = Writer { to, batch: Batch::default(), records: 0 };

    for account in from.accounts()? {
        if to.account(&account.login)?.as_ref() != Some(&account) {
            w.add(|b| b.accounts.push(account))?;
            n.accounts += 1;
        }
    }
    // Scripts before the sessions pinned to them.
    for (id, version) in from.scripts()? {
        let source = from.script_source(&id, version)?.ok_or_else(|| vanished("script"))?;
        if to.script_source(&id, version)?.as_ref() != Some(&source) {
            w.add(|b| b.scripts.push((id, version, source)))?;
            n.scripts += 1;
        }
    }
    let mut sessions = Vec::new();
    from.sessions(&mut |chat, session| {
        sessions.push((chat, session));
        Ok(())
    })?;
    // What the target holds and the source no longer does went since a cut-off run.
    let kept: HashSet<_> = sessions.iter().map(|(chat, _)| chat.clone()).collect();
    let mut gone = Vec::new();
    to.sessions(&mut |chat, _| {
        if !kept.contains(&chat) {
            gone.push(chat);
        }
        Ok(())
    })?;
    for chat in gone {
        w.add(|b| b.sessions.push((chat, None)))?;
    }
    for (chat, session) in sessions {
        if to.load_session(&chat)?.as_ref() != Some(&session) {
            w.add(|b| b.sessions.push((chat, Some(session.into()))))?;
            n.sessions += 1;
        }
    }
    for ticket in from.tickets()? {
        if to.ticket(&ticket.no)?.as_ref() != Some(&ticket) {
            w.add(|b| b.tickets.push(ticket))?;
            n.tickets += 1;
        }
    }
    let pending: HashMap<u64, _> = to.outbox_pending()?.into_iter().map(|e| (e.id, e)).collect();
    let dead: HashMap<u64, _> = to.outbox_dead()?.into_iter().map(|e| (e.id, e)).collect();
    let source_pending = from.outbox_pending()?;
    let source_dead = from.outbox_dead()?;
    let kept: HashSet<u64> = source_pending.iter().chain(&source_dead).map(|e| e.id).collect();
    for id in pending.keys().chain(dead.keys()).filter(|id| !kept.contains(id)) {
        w.add(|b| b.outbox.push(OutboxOp::Done(*id)))?;
    }
    for entry in source_pending {
        if pending.get(&entry.id) != Some(&entry) {
            w.add(|b| b.outbox.push(OutboxOp::Put(entry)))?;
            n.outbox += 1;
        }
    }
    for entry in source_dead {
        if dead.get(&entry.id) != Some(&entry) {
            w.add(|b| b.outbox.push(OutboxOp::Dead(entry)))?;
            n.dead += 1;
        }
    }
    for channel in CHANNELS {
        let held: HashMap<_, _> = to
            .pending_replies(channel)?
            .into_iter()
            .map(|(chat, seq, out)| ((chat, seq), out))
            .collect();
        let replies = from.pending_replies(channel)?;
        let kept: HashSet<_> = replies.iter().map(|(chat, seq, _)| (chat.clone(), *seq)).collect();
        for (chat, seq) in held.keys().filter(|k| !kept.contains(k)) {
            let (chat, seq) = (chat.clone(), *seq);
            w.add(|b| b.replies.push(ReplyOp::Sent { chat, seq }))?;
        }
        for (chat, seq, out) in replies {
            if held.get(&(chat.clone(), seq)) != Some(&out) {
                w.add(|b| b.replies.push(ReplyOp::Pending { chat, seq, out: out.into() }))?;
                n.replies += 1;
            }
        }
    }
    // The log only grows: the target's events must be the source's oldest ones.
    let events = audit_in_order(from.audit_log(usize::MAX)?);
    let held = audit_in_order(to.audit_log(usize::MAX)?);
    if held.len() > events.len() || events[..held.len()] != held[..] {
        return Err(StoreError::Corrupt(
            "the target's audit log is not the start of the source's: the target is not a copy \
             of this store in progress"
                .into(),
        ));
    }
    for event in events.into_iter().skip(held.len()) {
        w.add(|b| b.audit.push(event))?;
        n.audit += 1;
    }
    for start in seen_hours(now, window_secs) {
        let held = hour_of(to, start)?;
        let missing: Vec<u64> =
            hour_of(from, start)?.into_iter().filter(|h| !held.contains(h)).collect();
        if !missing.is_empty() {
            w.add(|b| b.seen.push(Seen { at: start, hashes: missing }))?;
            n.seen_hours += 1;
        }
    }
    // Markers of the old one-key-per-message layout have no time: they count from now.
    let legacy: Vec<u64> = from.seen_legacy()?.iter().map(|m| m.hash()).collect();
    if !legacy.is_empty() {
        let held = hour_of(to, hour_start(now))?;
        let missing: Vec<u64> = legacy.into_iter().filter(|h| !held.contains(h)).collect();
        if !missing.is_empty() {
            w.add(|b| b.seen.push(Seen { at: now, hashes: missing }))?;
            n.seen_hours += 1;
        }
    }
    w.flush()?;
    Ok(n)
}

fn vanished(what: &str) -> StoreError {
    StoreError::Io(format!(
        "a {what} vanished from the source while it was copied: is pintu running?"
    ))
}

/// A record that differs, by kind and position in the source's order.
fn differs(what: &str, position: usize) -> StoreError {
    StoreError::Corrupt(format!(
        "{what} number {} differs between the source and the target",
        position + 1
    ))
}

fn count_differs(what: &str, source: usize, target: usize) -> StoreError {
    StoreError::Corrupt(format!("the source has {source} {what}, the target {target}"))
}

/// Compares every record of `from` with `to`, both ways; returns the records found equal.
/// Dedupe markers are compared over the hours [`copy`] moves, legacy ones in the current hour.
pub fn verify(from: &dyn Store, to: &dyn Store, now: Timestamp, window_secs: i64) -> R<Counts> {
    let mut n = Counts::default();
    let accounts = from.accounts()?;
    let held = to.accounts()?;
    if accounts != held {
        let at = accounts.iter().zip(&held).position(|(a, b)| a != b);
        return Err(match at {
            Some(i) => differs("staff account", i),
            None => count_differs("staff accounts", accounts.len(), held.len()),
        });
    }
    n.accounts = accounts.len() as u64;

    let scripts = from.scripts()?;
    let held = to.scripts()?;
    if scripts != held {
        return Err(count_differs("script versions (or their ids)", scripts.len(), held.len()));
    }
    for (i, (id, version)) in scripts.iter().enumerate() {
        if from.script_source(id, *version)? != to.script_source(id, *version)? {
            return Err(differs("script version", i));
        }
    }
    n.scripts = scripts.len() as u64;

    let mut count = 0usize;
    let mut first_bad = None;
    from.sessions(&mut |chat, session| {
        if first_bad.is_none() && to.load_session(&chat)?.as_ref() != Some(&session) {
            first_bad = Some(count);
        }
        count += 1;
        Ok(())
    })?;
    if let Some(i) = first_bad {
        return Err(differs("session", i));
    }
    let mut held = 0usize;
    to.sessions(&mut |_, _| {
        held += 1;
        Ok(())
    })?;
    if held != count {
        return Err(count_differs("sessions", count, held));
    }
    n.sessions = count as u64;

    let tickets = from.tickets()?;
    let held = to.tickets()?;
    if let Some(i) = tickets.iter().zip(&held).position(|(a, b)| a != b) {
        return Err(differs("ticket", i));
    }
    if tickets.len() != held.len() {
        return Err(count_differs("tickets", tickets.len(), held.len()));
    }
    n.tickets = tickets.len() as u64;

    n.outbox = same_entries("outbox entry", from.outbox_pending()?, to.outbox_pending()?)?;
    n.dead = same_entries("dead letter", from.outbox_dead()?, to.outbox_dead()?)?;

    for channel in CHANNELS {
        let replies = from.pending_replies(channel)?;
        let held = to.pending_replies(channel)?;
        if let Some(i) = replies.iter().zip(&held).position(|(a, b)| a != b) {
            return Err(differs("pending reply", i));
        }
        if replies.len() != held.len() {
            return Err(count_differs("pending replies", replies.len(), held.len()));
        }
        n.replies += replies.len() as u64;
    }

    let events = audit_in_order(from.audit_log(usize::MAX)?);
    let held = audit_in_order(to.audit_log(usize::MAX)?);
    if let Some(i) = events.iter().zip(&held).position(|(a, b)| a != b) {
        return Err(differs("audit event (oldest first)", i));
    }
    if events.len() != held.len() {
        return Err(count_differs("audit events", events.len(), held.len()));
    }
    n.audit = events.len() as u64;

    let legacy: HashSet<u64> = from.seen_legacy()?.iter().map(|m| m.hash()).collect();
    let this_hour = hour_start(now);
    for start in seen_hours(now, window_secs) {
        let mut expected = hour_of(from, start)?;
        if start == this_hour {
            expected.extend(&legacy);
        }
        if hour_of(to, start)? != expected {
            return Err(StoreError::Corrupt(format!(
                "the dedupe markers of the hour from {} differ",
                start.0
            )));
        }
        n.seen_hours += u64::from(!expected.is_empty());
    }
    Ok(n)
}

/// The audit log oldest first, and events of the same second in one fixed order: a store may
/// list those in any order (sled keeps them apart by random bits), and a copy need not keep it.
fn audit_in_order(mut events: Vec<AuditEvent>) -> Vec<AuditEvent> {
    events.sort_by_cached_key(|e| (e.at, format!("{e:?}")));
    events
}

/// Outbox entries compared by id, both ways.
fn same_entries(
    what: &str,
    from: Vec<crate::model::outbox::OutboxEntry>,
    to: Vec<crate::model::outbox::OutboxEntry>,
) -> R<u64> {
    let held: HashMap<u64, _> = to.iter().map(|e| (e.id, e)).collect();
    if let Some(i) = from.iter().position(|e| held.get(&e.id) != Some(&e)) {
        return Err(differs(what, i));
    }
    if from.len() != to.len() {
        return Err(count_differs(&format!("{what}s"), from.len(), to.len()));
    }
    Ok(from.len() as u64)
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::audit::AuditEvent;
    use crate::model::TicketNo;
    use crate::store::suite::{chat, sample_batch, sample_session, sample_ticket};
    use crate::store::{MemoryStore, SledStore};

    /// The instant the test stores are copied at: the sample batch's marker is in the window.
    pub const NOW: Timestamp = Timestamp(1_772_420_000);
    pub const WINDOW: i64 = 7 * 86_400;
    /// More sessions and tickets than one chunk holds, so a copy takes several commits.
    pub const MANY: usize = 2 * CHUNK + 37;

    /// A store with every kind of record, erased tickets and markers of several hours among them.
    pub fn fill(store: &dyn Store) {
        store.commit(&sample_batch()).unwrap();
        let mut batch = Batch::default();
        for i in 0..MANY {
            let who = chat(&format!("{}", 8_100_000 + i));
            let mut session = sample_session();
            session.misses = (i % 5) as u8;
            batch.sessions.push((who.clone(), Some(session.into())));
            let mut no = [0u8; 16];
            no[..8].copy_from_slice(&(i as u64 + 1000).to_be_bytes());
            let mut ticket = sample_ticket();
            ticket.no = TicketNo::from_random(no);
            ticket.chat = who.clone();
            ticket.created = NOW.plus_secs(-(i as i64));
            if i % 7 == 0 {
                ticket.erase_personal();
            }
            batch.tickets.push(ticket);
            if i % 100 == 0 {
                // Events of one second, which sled lists in no fixed order.
                let ticket = format!("T{i}");
                batch.audit.push(AuditEvent::new(NOW, "konsol:budi", "status", &ticket, "y"));
                batch
                    .seen
                    .push(Seen { at: NOW.plus_secs(-(i as i64) * 36), hashes: vec![i as u64] });
            }
        }
        batch.scripts.push(("ktp_el_hilang".into(), 4, "id: ktp_el_hilang\nversion: 4\n".into()));
        batch.scripts.push(("akta".into(), 1, "id: akta\n".into()));
        store.commit(&batch).unwrap();
    }

    fn sled(dir: &tempfile::TempDir) -> SledStore {
        SledStore::open(&dir.path().join("db"), 8 << 20).unwrap()
    }

    #[test]
    fn a_copy_holds_every_record_and_a_second_copy_writes_nothing() {
        let from = MemoryStore::default();
        fill(&from);
        let dir = tempfile::tempdir().unwrap();
        let to = sled(&dir);
        let copied = copy(&from, &to, NOW, WINDOW).unwrap();
        assert_eq!(copied.sessions, MANY as u64 + 1);
        assert_eq!(copied.tickets, MANY as u64 + 1);
        assert_eq!((copied.scripts, copied.outbox, copied.dead, copied.replies), (3, 1, 1, 1));
        assert_eq!((copied.accounts, copied.audit), (1, 1 + MANY.div_ceil(100) as u64));
        assert!(copied.seen_hours >= 2, "{copied:?}");
        assert_eq!(verify(&from, &to, NOW, WINDOW).unwrap(), copied);
        assert_eq!(copy(&from, &to, NOW, WINDOW).unwrap(), Counts::default());
        // And back: the copy is a store like any other.
        let back = MemoryStore::default();
        copy(&to, &back, NOW, WINDOW).unwrap();
        assert_eq!(verify(&from, &back, NOW, WINDOW).unwrap(), copied);
    }

    /// A cut-off move finished after the source served meanwhile: what went from the source
    /// goes from the target too.
    #[test]
    fn a_second_copy_follows_what_the_source_dropped_meanwhile() {
        let from = MemoryStore::default();
        fill(&from);
        let to = MemoryStore::default();
        copy(&from, &to, NOW, WINDOW).unwrap();
        let (chat, _, _) = from.pending_replies(Channel::WhatsApp).unwrap().remove(0);
        let drop = Batch {
            sessions: vec![(chat.clone(), None)],
            replies: vec![ReplyOp::Sent { chat, seq: 1 }],
            outbox: vec![OutboxOp::Done(from.outbox_pending().unwrap()[0].id)],
            ..Batch::default()
        };
        from.commit(&drop).unwrap();
        assert!(verify(&from, &to, NOW, WINDOW).is_err());
        copy(&from, &to, NOW, WINDOW).unwrap();
        let checked = verify(&from, &to, NOW, WINDOW).unwrap();
        assert_eq!((checked.sessions, checked.outbox, checked.replies), (MANY as u64, 0, 0));
    }

    #[test]
    fn verify_names_the_first_difference_by_kind_never_by_content() {
        let from = MemoryStore::default();
        fill(&from);
        let to = MemoryStore::default();
        copy(&from, &to, NOW, WINDOW).unwrap();
        let mut changed = from.tickets().unwrap()[3].clone();
        changed.opd = "dinsos".into();
        to.commit(&Batch { tickets: vec![changed], ..Batch::default() }).unwrap();
        let error = verify(&from, &to, NOW, WINDOW).unwrap_err().to_string();
        assert!(error.contains("ticket number 4 differs"), "{error}");
        assert!(!error.contains("dinsos") && !error.contains("8100"), "{error}");

        let to = MemoryStore::default();
        copy(&from, &to, NOW, WINDOW).unwrap();
        let extra = Batch {
            sessions: vec![(chat("9"), Some(sample_session().into()))],
            ..Batch::default()
        };
        to.commit(&extra).unwrap();
        let error = verify(&from, &to, NOW, WINDOW).unwrap_err().to_string();
        assert!(error.contains(&format!("the source has {} sessions", MANY + 1)), "{error}");
    }

    #[test]
    fn a_target_with_another_audit_log_is_refused() {
        let from = MemoryStore::default();
        fill(&from);
        let to = MemoryStore::default();
        let other = AuditEvent::new(NOW, "cli", "user.add", "siti", "");
        to.commit(&Batch { audit: vec![other], ..Batch::default() }).unwrap();
        let error = copy(&from, &to, NOW, WINDOW).unwrap_err().to_string();
        assert!(error.contains("not a copy of this store in progress"), "{error}");
    }
}
