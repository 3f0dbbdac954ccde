//! The outbox worker: picks due entries, runs each in its lane (one lane per agency target,
//! one per chat channel, each with its own concurrency limit, so a slow agency never blocks
//! another), and commits what came of it. Everything it learns is written through the
//! committer; nothing is removed before the receiver acknowledged it.

use super::entry::{Job, OutboxEntry};
use super::forward::{self, Forwarder};
use super::push::Sinks;
use super::retry::{self, Outcome, Policy};
use crate::clock::Clock;
use crate::commit::Committer;
use crate::engine::reply::Outgoing;
use crate::script::Script;
use crate::script::catalogue::Catalogue;
use crate::store::{Batch, Store};
use crate::ticket::record::Ticket;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_util::sync::CancellationToken;

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
/// Entries read per scan.
const SCAN: usize = 512;

impl Outbox {
    /// Runs until `shutdown`; in-flight attempts finish or are retried after a restart.
    pub async fn run(self, shutdown: CancellationToken) {
        let me = Arc::new(self);
        let wake = me.committer.outbox_wake();
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<u64>();
        let mut in_flight: HashSet<u64> = HashSet::new();
        let mut lanes: HashMap<String, Arc<Semaphore>> = HashMap::new();
        let mut lane_of: HashMap<
            (crate::ticket::TicketNo, std::mem::Discriminant<Job>),
            (String, usize),
        > = HashMap::new();
        loop {
            while let Ok(id) = done_rx.try_recv() {
                in_flight.remove(&id);
            }
            let now = me.clock.now();
            let due = match me.store.outbox_due(now, SCAN) {
                Ok(d) => d,
                Err(e) => {
                    tracing::error!(error = %e, "reading the outbox failed");
                    Vec::new()
                }
            };
            for entry in due {
                if in_flight.contains(&entry.id) {
                    continue;
                }
                // A ticket's lane never changes: read the ticket once, not on every rescan of
                // a backlog whose lanes are full.
                let no = entry.job.ticket();
                let kind = std::mem::discriminant(&entry.job);
                let lane = match lane_of.get(&(no, kind)) {
                    Some(l) => l.clone(),
                    None => {
                        let Some(ticket) = me.ticket_of(&entry) else { continue };
                        let l = me.lane(&entry.job, &ticket);
                        if lane_of.len() > 100_000 {
                            lane_of.clear();
                        }
                        lane_of.insert((no, kind), l.clone());
                        l
                    }
                };
                let (lane, limit) = lane;
                let sem =
                    lanes.entry(lane).or_insert_with(|| Arc::new(Semaphore::new(limit))).clone();
                // A full lane waits for one of its attempts to finish; other lanes go on.
                let Ok(permit) = sem.try_acquire_owned() else { continue };
                in_flight.insert(entry.id);
                let (me, done) = (me.clone(), done_tx.clone());
                tokio::spawn(async move {
                    let id = entry.id;
                    if let Some(ticket) = me.ticket_of(&entry) {
                        me.attempt(entry, ticket).await;
                    }
                    drop(permit);
                    let _ = done.send(id);
                });
            }
            let next = me.store.outbox_next_due().ok().flatten();
            let wait_secs = next.map_or(5, |t| (t.0 - me.clock.now().0).clamp(1, 5));
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = wake.notified() => {}
                Some(id) = done_rx.recv() => { in_flight.remove(&id); }
                _ = tokio::time::sleep(Duration::from_secs(wait_secs as u64)) => {}
            }
        }
    }

    /// The ticket an entry is about; an entry whose ticket is gone is finished.
    fn ticket_of(&self, entry: &OutboxEntry) -> Option<Ticket> {
        match self.store.ticket(&entry.job.ticket()) {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                tracing::warn!(ticket = %entry.job.ticket(), "outbox entry for a missing ticket dropped");
                self.commit_op(super::entry::OutboxOp::Done(entry.id));
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

    async fn attempt(&self, entry: OutboxEntry, ticket: Ticket) {
        let now = self.clock.now();
        let outcome = match &entry.job {
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
                tracing::info!(ticket = %ticket.no, job = kind(&entry.job), "delivered")
            }
            Outcome::Retry { reason, .. } => {
                tracing::warn!(ticket = %ticket.no, job = kind(&entry.job), attempts = entry.attempts + 1, %reason, "will retry")
            }
            Outcome::Fail { reason } => {
                tracing::error!(ticket = %ticket.no, job = kind(&entry.job), %reason, "moved to dead letters")
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
        if !self.committer.commit(Batch { outbox: vec![op], ..Batch::default() }).await {
            // The entry stays as it was and is tried again: at worst a duplicate delivery,
            // which the idempotency key absorbs.
            tracing::error!("could not record an outbox result");
        }
    }

    fn commit_op(&self, op: super::entry::OutboxOp) {
        let committer = self.committer.clone();
        tokio::spawn(async move {
            committer.commit(Batch { outbox: vec![op], ..Batch::default() }).await
        });
    }
}

fn kind(job: &Job) -> &'static str {
    match job {
        Job::Forward { .. } => "forward",
        Job::Push { .. } => "push",
        Job::Remind { .. } => "remind",
        Job::Notify { .. } => "notify",
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
