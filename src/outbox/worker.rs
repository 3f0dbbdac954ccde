//! The outbox worker: runs each due entry in its lane (one lane per agency, one per chat
//! channel, one for officers, each with its own concurrency limit, so a slow agency never
//! blocks another), and commits what came of it. Everything it learns is written through the
//! committer; nothing is removed before the receiver acknowledged it.
//!
//! The store is the durable copy; the worker keeps its own in memory, loaded once at start and
//! then kept current from the outbox changes the committer reports after each commit. So a
//! wake costs a look at the lanes' queue heads, never a scan of the stored backlog.
//!
//! On a store shared by several instances (`Store::shared`), entries committed by the others
//! never reach this committer's feed, so the worker also reads, every [`RESCAN_SECS`], the
//! entries written since its last look (`Store::outbox_written_since`, from a little before it:
//! a write that started earlier may have committed later; and the whole backlog every
//! [`FULL_RESCAN`], for a write slower than that). It claims each entry before attempting it
//! (`Store::claim_outbox`), so one instance at a time delivers it. A claim outlives any attempt
//! ([`CLAIM_SECS`]); if its instance dies, the entry is another's once it runs out, and is
//! delivered again under the same idempotency key.

use super::forward::{self, Forwarder};
use super::push::Sinks;
use super::retry::{self, Outcome, Policy};
use crate::clock::{Clock, Timestamp};
use crate::commit::Committer;
use crate::model::outbox::{Job, OutboxEntry, OutboxOp};
use crate::model::reply::Outgoing;
use crate::model::ticket::Ticket;
use crate::script::Script;
use crate::script::catalogue::Catalogue;
use crate::store::{Batch, Claim, Store};
use crate::tasks::Tasks;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::{mpsc, watch};

/// Everything the worker needs.
pub struct Outbox {
    pub store: Arc<dyn Store>,
    pub committer: Committer,
    pub clock: Arc<dyn Clock>,
    pub catalogue: watch::Receiver<Arc<Catalogue>>,
    pub forwarder: Arc<Forwarder>,
    pub sinks: Arc<Sinks>,
    pub policy: Policy,
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// Deliveries to one chat channel in flight at once.
const PUSH_CONCURRENCY: usize = 16;
/// Longest sleep between looks at the queue (a clock that jumps is noticed within it).
const MAX_WAIT_SECS: i64 = 5;
/// How long an entry whose result could not be committed waits before it is tried again.
const UNRECORDED_RETRY_SECS: i64 = 5;

/// How often a worker on a shared store reads the entries other instances wrote.
const RESCAN_SECS: i64 = 2;
/// How far before its last look a worker reads again: a commit that started before the look
/// and ended after it carries its start time.
const RESCAN_OVERLAP: Duration = Duration::from_secs(30);
/// How often a worker on a shared store reads the whole backlog again, for a commit slower
/// than [`RESCAN_OVERLAP`].
const FULL_RESCAN: Duration = Duration::from_secs(300);
/// How long a claim on an entry lasts: longer than any attempt (agency timeouts are seconds).
const CLAIM_SECS: u32 = 30;

/// An attempt that finished: the entry, its lane, and whether its result was committed.
struct Finished {
    id: u64,
    lane: String,
    recorded: bool,
    /// Another instance finished the entry: it is no longer pending.
    gone: bool,
}

/// One lane: its waiting entries in due order and how many attempts it runs.
struct Lane {
    limit: usize,
    running: usize,
    waiting: BTreeSet<(Timestamp, u64)>,
}

/// A pending entry as the worker holds it.
struct Held {
    entry: OutboxEntry,
    lane: String,
    running: bool,
}

/// The in-memory copy of the pending outbox, by lane.
#[derive(Default)]
struct Queue {
    held: HashMap<u64, Held>,
    lanes: HashMap<String, Lane>,
}

impl Queue {
    /// Adds or replaces an entry (a retry comes back with a later due time).
    fn put(
        &mut self,
        entry: OutboxEntry,
        lane_of: impl FnOnce(&OutboxEntry) -> Option<(String, usize)>,
    ) {
        let id = entry.id;
        // A ticket's lane never changes: an entry already held keeps its own, and only a new
        // one needs `lane_of` (which reads its ticket; `None` drops the entry).
        let (lane_name, running) = match self.held.remove(&id) {
            Some(old) => {
                if let Some(lane) = self.lanes.get_mut(&old.lane) {
                    lane.waiting.remove(&(old.entry.due, id));
                }
                (old.lane, old.running)
            }
            None => {
                let Some((name, limit)) = lane_of(&entry) else { return };
                self.lanes.entry(name.clone()).or_insert_with(|| Lane {
                    limit: limit.max(1),
                    running: 0,
                    waiting: BTreeSet::new(),
                });
                (name, false)
            }
        };
        if !running && let Some(lane) = self.lanes.get_mut(&lane_name) {
            lane.waiting.insert((entry.due, id));
        }
        self.held.insert(id, Held { entry, lane: lane_name, running });
    }

    /// Forgets a finished or dead entry.
    fn remove(&mut self, id: u64) {
        if let Some(h) = self.held.remove(&id)
            && let Some(lane) = self.lanes.get_mut(&h.lane)
        {
            lane.waiting.remove(&(h.entry.due, id));
        }
    }

    /// An attempt ended; its entry waits again if it is still pending (a retry, or a result
    /// that could not be recorded, which is tried again after `retry_at`).
    fn finished(&mut self, done: &Finished, retry_at: Timestamp) {
        let Some(lane) = self.lanes.get_mut(&done.lane) else { return };
        lane.running = lane.running.saturating_sub(1);
        if done.gone {
            self.held.remove(&done.id);
            return;
        }
        // Gone already when its result was a `Done` or `Dead` that arrived first.
        let Some(h) = self.held.get_mut(&done.id).filter(|h| h.running) else { return };
        h.running = false;
        if !done.recorded {
            h.entry.due = h.entry.due.max(retry_at);
        }
        lane.waiting.insert((h.entry.due, done.id));
    }

    /// Takes every entry due by `now` from lanes with a free slot, marking them running.
    fn take_due(&mut self, now: Timestamp) -> Vec<(OutboxEntry, String)> {
        let mut out = Vec::new();
        for (name, lane) in &mut self.lanes {
            while lane.running < lane.limit {
                let Some(&(due, id)) = lane.waiting.first() else { break };
                if due > now {
                    break;
                }
                lane.waiting.pop_first();
                if let Some(h) = self.held.get_mut(&id) {
                    h.running = true;
                    lane.running += 1;
                    out.push((h.entry.clone(), name.clone()));
                }
            }
        }
        out
    }

    /// The earliest due time in a lane that could start it.
    fn next_due(&self) -> Option<Timestamp> {
        self.lanes
            .values()
            .filter(|l| l.running < l.limit)
            .filter_map(|l| l.waiting.first().map(|(due, _)| *due))
            .min()
    }
}

impl Outbox {
    /// Runs until pintu stops, its attempts as tasks of `tasks`. An attempt under way when
    /// pintu stops is dropped and retried after the restart, under the same idempotency key.
    pub async fn run(self, tasks: Tasks) {
        let shutdown = tasks.stopping().clone();
        let me = Arc::new(self);
        // Subscribed before the load: a change committed in between is seen twice, and
        // applying a change twice leaves the same queue.
        let mut changes = me.committer.outbox_changes();
        let mut queue = Queue::default();
        let shared = me.store.shared();
        let (mut scanned, mut scanned_all) = (Instant::now(), Instant::now());
        let mut looked = me.scan(&mut queue, None);
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Finished>();
        loop {
            if shared && scanned.elapsed() >= Duration::from_secs(RESCAN_SECS.unsigned_abs()) {
                let since = if scanned_all.elapsed() >= FULL_RESCAN {
                    scanned_all = Instant::now();
                    None
                } else {
                    looked.and_then(|at| at.checked_sub(RESCAN_OVERLAP))
                };
                looked = me.scan(&mut queue, since).or(looked);
                scanned = Instant::now();
            }
            // Changes first: an attempt's result is reported before the attempt finishes.
            while let Ok(ops) = changes.try_recv() {
                for op in ops {
                    me.admit(&mut queue, op);
                }
            }
            while let Ok(f) = done_rx.try_recv() {
                queue.finished(&f, me.clock.now().plus_secs(UNRECORDED_RETRY_SECS));
            }
            let now = me.clock.now();
            for (entry, lane) in queue.take_due(now) {
                let (me, done, stop) = (me.clone(), done_tx.clone(), shutdown.clone());
                tasks.spawn(async move {
                    let id = entry.id;
                    let claim = if shared { me.claim(id) } else { Claim::Taken };
                    let attempt = async {
                        match claim {
                            Claim::Taken => match me.ticket_of(&entry) {
                                Some(ticket) => me.attempt(entry, ticket).await,
                                None => true,
                            },
                            // Another instance holds it: look again after the usual pause.
                            Claim::Held => false,
                            Claim::Gone => true,
                        }
                    };
                    let recorded = tokio::select! {
                        recorded = attempt => recorded,
                        () = stop.cancelled() => return,
                    };
                    let gone = claim == Claim::Gone;
                    let _ = done.send(Finished { id, lane, recorded, gone });
                });
            }
            let longest = if shared { RESCAN_SECS } else { MAX_WAIT_SECS };
            let wait = queue.next_due().map_or(longest, |t| (t.0 - now.0).clamp(1, longest));
            tokio::select! {
                _ = shutdown.cancelled() => return,
                Some(ops) = changes.recv() => {
                    for op in ops {
                        me.admit(&mut queue, op);
                    }
                }
                Some(f) = done_rx.recv() => {
                    queue.finished(&f, me.clock.now().plus_secs(UNRECORDED_RETRY_SECS));
                }
                _ = tokio::time::sleep(Duration::from_secs(wait.unsigned_abs())) => {}
            }
        }
    }

    /// Takes in the stored backlog written since `since` (`None`: all of it): at start, and on a
    /// shared store every [`RESCAN_SECS`] for what other instances added (entries held already
    /// keep their place). Returns the store's clock at the look, when it has one.
    fn scan(&self, queue: &mut Queue, since: Option<SystemTime>) -> Option<SystemTime> {
        match self.store.outbox_written_since(since) {
            Ok((entries, looked)) => {
                let new: Vec<OutboxEntry> =
                    entries.into_iter().filter(|e| !queue.held.contains_key(&e.id)).collect();
                if !new.is_empty() {
                    tracing::info!(entries = new.len(), "stored outbox entries taken in");
                }
                for e in new {
                    self.admit(queue, OutboxOp::Put(e));
                }
                looked
            }
            Err(e) => {
                tracing::error!(error = %e, "reading the outbox failed");
                None
            }
        }
    }

    /// Claims an entry on a shared store; an error counts as held (tried again later).
    fn claim(&self, id: u64) -> Claim {
        self.store.claim_outbox(id, CLAIM_SECS).unwrap_or_else(|e| {
            tracing::error!(error = %e, "claiming an outbox entry failed");
            Claim::Held
        })
    }

    /// Applies one committed outbox change to the worker's queue. A new entry's lane comes from
    /// its ticket, read once.
    fn admit(&self, queue: &mut Queue, op: OutboxOp) {
        match op {
            OutboxOp::Put(entry) => {
                queue.put(entry, |e| self.ticket_of(e).map(|ticket| self.lane(&e.job, &ticket)))
            }
            OutboxOp::Done(id) => queue.remove(id),
            OutboxOp::Dead(entry) => queue.remove(entry.id),
        }
    }

    /// The ticket an entry is about; an entry whose ticket is gone is finished.
    fn ticket_of(&self, entry: &OutboxEntry) -> Option<Ticket> {
        match self.store.ticket(&entry.job.ticket()) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                tracing::warn!(ticket = %entry.job.ticket(), "outbox entry for a missing ticket dropped");
                self.commit_op(OutboxOp::Done(entry.id));
                None
            }
            Err(e) => {
                tracing::error!(error = %e, "reading a ticket for the outbox failed");
                None
            }
        }
    }

    fn lane(&self, job: &Job, ticket: &Ticket) -> (String, usize) {
        match job {
            Job::Forward { .. } | Job::Remind { .. } => {
                let limit = self.forwarder.targets.get(&ticket.opd).map_or(4, |t| t.concurrency);
                (format!("opd:{}", ticket.opd), limit)
            }
            Job::Push { .. } => (format!("chat:{}", ticket.chat.channel.code()), PUSH_CONCURRENCY),
            Job::Notify { .. } => ("officers".to_string(), PUSH_CONCURRENCY),
        }
    }

    /// Makes one attempt and commits its result; false when the result could not be recorded.
    async fn attempt(&self, entry: OutboxEntry, ticket: Ticket) -> bool {
        let now = self.clock.now();
        let outcome = match &entry.job {
            // Nothing to build for an OPD without a backend.
            Job::Forward { .. } | Job::Remind { .. }
                if !self.forwarder.targets.contains_key(&ticket.opd) =>
            {
                None
            }
            Job::Forward { revision, .. } => {
                let cat = self.catalogue.borrow().clone();
                let script = script_for(&cat, self.store.as_ref(), &ticket);
                let fwd = &self.forwarder;
                let body = forward::ticket_body(
                    &ticket,
                    *revision,
                    script.as_deref(),
                    &cat,
                    &fwd.links,
                    &fwd.public_url,
                    now.0,
                );
                let key = forward::idempotency_key(&ticket, *revision);
                self.forwarder.post(&ticket.opd, &key, &body, now.0).await
            }
            Job::Remind { day, .. } => {
                let key = format!("{}-remind-{day}", ticket.no.as_str());
                let body = forward::reminder_body(&ticket, *day);
                self.forwarder.post(&ticket.opd, &key, &body, now.0).await
            }
            Job::Notify { .. } => Some(self.sinks.notify_officers(ticket.clone()).await),
            Job::Push { event, .. } => {
                let reply = crate::engine::status::pushed(&ticket, *event);
                Some(
                    self.sinks
                        .deliver(ticket.chat.clone(), Outgoing { lang: ticket.lang, reply })
                        .await,
                )
            }
        };
        let outcome = outcome.unwrap_or_else(|| {
            tracing::info!(ticket = %ticket.no, opd = %ticket.opd, "no target for this OPD; the ticket waits for the API");
            Outcome::Done
        });
        let label = match &outcome {
            Outcome::Done => "done",
            Outcome::Retry { .. } => "retry",
            Outcome::Fail { .. } => "dead",
        };
        self.metrics.delivery(&entry.job, label);
        match &outcome {
            Outcome::Done => {
                tracing::info!(ticket = %ticket.no, job = entry.job.kind(), "delivered")
            }
            Outcome::Retry { reason, .. } => {
                tracing::warn!(ticket = %ticket.no, job = entry.job.kind(), attempts = entry.attempts + 1, %reason, "will retry")
            }
            Outcome::Fail { reason } => {
                tracing::error!(ticket = %ticket.no, job = entry.job.kind(), %reason, "moved to dead letters")
            }
        }
        let op = retry::next_op(
            &entry,
            outcome,
            self.clock.now(),
            self.policy,
            crate::ticket::change::new_entry_id(),
        );
        // Awaited before the entry leaves the in-flight set, so it is never picked up again
        // with its old due time.
        let recorded = self.committer.commit(Batch { outbox: vec![op], ..Batch::default() }).await;
        if !recorded {
            // The entry stays as it was and is tried again: at worst a duplicate delivery,
            // which the idempotency key absorbs.
            tracing::error!("could not record an outbox result");
        }
        recorded
    }

    fn commit_op(&self, op: OutboxOp) {
        self.committer.commit_later(Batch { outbox: vec![op], ..Batch::default() });
    }
}

/// The script version a ticket was submitted on (for labels and option values).
pub fn script_for(cat: &Catalogue, store: &dyn Store, ticket: &Ticket) -> Option<Arc<Script>> {
    if let Some(s) = cat.script(&ticket.script).filter(|s| s.version == ticket.version) {
        return Some(s.clone());
    }
    let record = store.script_source(&ticket.script, ticket.version).ok().flatten()?;
    cat.compile_pinned(&ticket.script, &record).map(|p| p.script)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TicketNo;

    fn entry(id: u64, due: i64) -> OutboxEntry {
        OutboxEntry {
            id,
            job: Job::Notify { ticket: TicketNo::from_random([id as u8; 16]) },
            due: Timestamp(due),
            attempts: 0,
            created: Timestamp(0),
            last_error: None,
        }
    }

    fn ids(taken: &[(OutboxEntry, String)]) -> Vec<u64> {
        taken.iter().map(|(e, _)| e.id).collect()
    }

    /// A lane for a new entry.
    fn lane(name: &str, limit: usize) -> impl FnOnce(&OutboxEntry) -> Option<(String, usize)> {
        move |_| Some((name.to_string(), limit))
    }

    #[test]
    fn due_entries_start_in_due_order_within_each_lanes_limit() {
        let mut q = Queue::default();
        q.put(entry(1, 30), lane("opd:a", 2));
        q.put(entry(2, 10), lane("opd:a", 2));
        q.put(entry(3, 20), lane("opd:a", 2));
        q.put(entry(4, 99), lane("opd:b", 2));
        q.put(entry(5, 5), lane("opd:b", 2));
        let mut taken = ids(&q.take_due(Timestamp(50)));
        taken.sort_unstable();
        assert_eq!(taken, vec![2, 3, 5], "a: the two earliest; b: only what is due");
        assert_eq!(q.take_due(Timestamp(50)), vec![], "a is full, b has nothing due");
        assert_eq!(q.next_due(), Some(Timestamp(99)), "a full lane does not wake the worker");
    }

    #[test]
    fn a_retry_reported_before_or_after_the_attempt_ends_waits_for_its_new_due() {
        for result_first in [true, false] {
            let mut q = Queue::default();
            q.put(entry(1, 10), lane("opd:a", 1));
            q.put(entry(2, 10), lane("opd:a", 1));
            let first = q.take_due(Timestamp(10));
            assert_eq!(ids(&first), vec![1]);
            let retry = OutboxEntry { due: Timestamp(60), attempts: 1, ..entry(1, 0) };
            let done = Finished { id: 1, lane: "opd:a".into(), recorded: true, gone: false };
            if result_first {
                q.put(retry, lane("ignored", 9));
                q.finished(&done, Timestamp(15));
            } else {
                q.finished(&done, Timestamp(15));
                q.put(retry, lane("ignored", 9));
            }
            assert_eq!(ids(&q.take_due(Timestamp(10))), vec![2], "the slot is free again");
            q.remove(2);
            q.finished(
                &Finished { id: 2, lane: "opd:a".into(), recorded: true, gone: false },
                Timestamp(15),
            );
            assert_eq!(q.take_due(Timestamp(59)), vec![]);
            assert_eq!(ids(&q.take_due(Timestamp(60))), vec![1]);
        }
    }

    #[test]
    fn a_delivered_entry_is_gone_whichever_report_comes_first() {
        for result_first in [true, false] {
            let mut q = Queue::default();
            q.put(entry(1, 10), lane("chat:tg", 1));
            assert_eq!(ids(&q.take_due(Timestamp(10))), vec![1]);
            let done = Finished { id: 1, lane: "chat:tg".into(), recorded: true, gone: false };
            if result_first {
                q.remove(1);
                q.finished(&done, Timestamp(10));
            } else {
                q.finished(&done, Timestamp(10));
                q.remove(1);
            }
            assert_eq!(q.take_due(Timestamp(1_000)), vec![]);
            assert!(q.held.is_empty());
            assert_eq!(q.lanes["chat:tg"].running, 0);
        }
    }

    #[test]
    fn an_unrecorded_result_is_tried_again_later_not_at_once() {
        let mut q = Queue::default();
        q.put(entry(1, 10), lane("opd:a", 1));
        assert_eq!(ids(&q.take_due(Timestamp(10))), vec![1]);
        q.finished(
            &Finished { id: 1, lane: "opd:a".into(), recorded: false, gone: false },
            Timestamp(15),
        );
        assert_eq!(q.take_due(Timestamp(14)), vec![]);
        assert_eq!(ids(&q.take_due(Timestamp(15))), vec![1]);
    }

    #[test]
    fn an_entry_another_instance_finished_is_dropped_and_frees_its_slot() {
        let mut q = Queue::default();
        q.put(entry(1, 10), lane("opd:a", 1));
        q.put(entry(2, 10), lane("opd:a", 1));
        assert_eq!(ids(&q.take_due(Timestamp(10))), vec![1]);
        q.finished(
            &Finished { id: 1, lane: "opd:a".into(), recorded: true, gone: true },
            Timestamp(15),
        );
        assert_eq!(ids(&q.take_due(Timestamp(99))), vec![2], "1 is not taken again");
        assert!(!q.held.contains_key(&1));
    }
}
