//! Outbox checks of the conformance suite: due order, rescheduling, done, dead letters and
//! re-queueing, several ops on one id in one batch, and atomicity with the ticket they serve.

use super::{chat, commit, ticket_at, ticket_no};
use crate::clock::Timestamp;
use crate::model::Status;
use crate::model::outbox::{Job, OutboxEntry, OutboxOp};
use crate::model::ticket::Ticket;
use crate::store::{Batch, Store};

/// Pending entries due by `now`, at most `max`: the head of `outbox_pending`'s due order.
pub fn due_by(store: &impl Store, now: i64, max: usize) -> Vec<OutboxEntry> {
    let pending = store.outbox_pending().unwrap();
    pending.into_iter().filter(|e| e.due.0 <= now).take(max).collect()
}

/// The earliest due of any pending entry.
pub fn next_due(store: &impl Store) -> Option<Timestamp> {
    store.outbox_pending().unwrap().first().map(|e| e.due)
}

/// A pending forward numbered `id`, due at `due`.
fn entry(id: u64, due: i64) -> OutboxEntry {
    // Low bits only: the ticket is incidental, any valid number will do.
    let ticket = ticket_no(id as u8);
    OutboxEntry {
        id,
        job: Job::Forward { ticket, revision: 0 },
        due: Timestamp(due),
        attempts: 0,
        created: Timestamp(1_000),
        last_error: None,
    }
}

/// `entry` after a failed attempt, retried at `due`.
fn retried(entry: &OutboxEntry, due: i64) -> OutboxEntry {
    OutboxEntry {
        due: Timestamp(due),
        attempts: entry.attempts + 1,
        last_error: Some(format!("attempt {} failed", entry.attempts + 1)),
        ..entry.clone()
    }
}

fn ops(ops: impl IntoIterator<Item = OutboxOp>) -> Batch {
    Batch { outbox: ops.into_iter().collect(), ..Batch::default() }
}

fn put_all(store: &impl Store, entries: &[OutboxEntry]) {
    commit(store, ops(entries.iter().cloned().map(OutboxOp::Put)));
}

/// Everything due by the end of time; must equal the pending list (no stale, no duplicates).
fn all_due(store: &impl Store) -> Vec<OutboxEntry> {
    let due = due_by(store, i64::MAX, usize::MAX);
    assert_eq!(due, store.outbox_pending().unwrap(), "due index and pending entries agree");
    due
}

fn ids(entries: &[OutboxEntry]) -> Vec<u64> {
    entries.iter().map(|e| e.id).collect()
}

/// Ids and due times, for compact expectations.
fn schedule(entries: &[OutboxEntry]) -> Vec<(u64, i64)> {
    entries.iter().map(|e| (e.id, e.due.0)).collect()
}

/// Six entries, out of order, with ties on due broken by id (unsigned, `u64::MAX` last).
fn unordered() -> Vec<OutboxEntry> {
    [(5, 100), (3, 100), (9, -50), (u64::MAX, 100), (1, 200), (7, i64::MIN)]
        .map(|(id, due)| entry(id, due))
        .into()
}

pub fn outbox_starts_empty(store: &impl Store) {
    assert_eq!(due_by(store, i64::MAX, 10), vec![]);
    assert_eq!(next_due(store), None);
    assert_eq!(store.outbox_pending().unwrap(), vec![]);
    assert_eq!(store.outbox_dead().unwrap(), vec![]);
}

pub fn outbox_orders_by_due_then_id(store: &impl Store) {
    let entries = unordered();
    put_all(store, &entries[..3]);
    put_all(store, &entries[3..]);
    let pending = all_due(store);
    assert_eq!(ids(&pending), [7, 9, 3, 5, u64::MAX, 1]);
    for got in &pending {
        assert_eq!(Some(got), entries.iter().find(|e| e.id == got.id), "whole entry back");
    }
}

pub fn outbox_due_respects_now_and_max(store: &impl Store) {
    put_all(store, &unordered());
    let due = |now, max| ids(&due_by(store, now, max));
    assert_eq!(due(i64::MIN, 10), [7]);
    assert_eq!(due(-51, 10), [7]);
    assert_eq!(due(99, 10), [7, 9]);
    assert_eq!(due(100, 10), [7, 9, 3, 5, u64::MAX], "due exactly now counts");
    assert_eq!(due(100, 3), [7, 9, 3]);
    assert_eq!(due(100, 0), Vec::<u64>::new());
    assert_eq!(due(i64::MAX, 100), [7, 9, 3, 5, u64::MAX, 1]);
}

pub fn outbox_next_due_is_the_earliest(store: &impl Store) {
    put_all(store, &[entry(4, 300), entry(2, 50), entry(8, 50)]);
    assert_eq!(next_due(store), Some(Timestamp(50)));
    commit(store, ops([OutboxOp::Done(2)]));
    assert_eq!(next_due(store), Some(Timestamp(50)));
    commit(store, ops([OutboxOp::Dead(retried(&entry(8, 50), 60))]));
    assert_eq!(next_due(store), Some(Timestamp(300)), "dead is not due");
    commit(store, ops([OutboxOp::Done(4)]));
    assert_eq!(next_due(store), None);
}

pub fn outbox_reschedule_leaves_no_stale_due(store: &impl Store) {
    let (a, b, c) = (entry(1, 10), entry(2, 20), entry(3, 30));
    put_all(store, &[a.clone(), b.clone(), c.clone()]);
    let later = retried(&a, 25);
    commit(store, ops([OutboxOp::Put(later.clone())]));
    assert_eq!(due_by(store, 10, 10), vec![], "not at its old due");
    assert_eq!(due_by(store, 24, 10), vec![b.clone()]);
    assert_eq!(all_due(store), vec![b.clone(), later.clone(), c.clone()]);
    assert_eq!(next_due(store), Some(Timestamp(20)));
    // Earlier, then the same due with other contents: still one entry, the newest.
    let earlier = retried(&c, 5);
    commit(store, ops([OutboxOp::Put(earlier.clone())]));
    let same_due = retried(&earlier, 5);
    commit(store, ops([OutboxOp::Put(same_due.clone())]));
    assert_eq!(all_due(store), vec![same_due, b, later]);
    assert_eq!(next_due(store), Some(Timestamp(5)));
}

pub fn outbox_done_removes_it(store: &impl Store) {
    put_all(store, &[entry(1, 10), entry(2, 20)]);
    commit(store, ops([OutboxOp::Done(1), OutboxOp::Done(99)])); // unknown ids are fine
    assert_eq!(ids(&all_due(store)), [2]);
    commit(store, ops([OutboxOp::Dead(retried(&entry(3, 30), 30))]));
    commit(store, ops([OutboxOp::Done(3)]));
    assert_eq!(store.outbox_dead().unwrap(), vec![], "done also clears a dead letter");
    assert_eq!(ids(&all_due(store)), [2]);
}

pub fn outbox_dead_then_requeue(store: &impl Store) {
    let a = entry(1, 10);
    put_all(store, std::slice::from_ref(&a));
    let given_up = retried(&a, 10);
    commit(store, ops([OutboxOp::Dead(given_up.clone())]));
    assert_eq!(all_due(store), vec![]);
    assert_eq!(next_due(store), None);
    assert_eq!(store.outbox_dead().unwrap(), vec![given_up.clone()], "last_error kept");
    // An admin re-queues it: pending again at its new due, off the dead list.
    let requeued = OutboxEntry { due: Timestamp(50), attempts: 0, ..given_up };
    commit(store, ops([OutboxOp::Put(requeued.clone())]));
    assert_eq!(store.outbox_dead().unwrap(), vec![]);
    assert_eq!(all_due(store), vec![requeued]);
    // The dead list is oldest first by creation (then id), whatever the ids; an entry never
    // pending can die directly.
    let born = |id, created| OutboxEntry { created: Timestamp(created), ..entry(id, 0) };
    let dead = [born(5, 300), born(9, 100), born(u64::MAX, 200), born(2, 200)];
    commit(store, ops(dead.iter().cloned().map(OutboxOp::Dead)));
    assert_eq!(ids(&store.outbox_dead().unwrap()), [9, 2, u64::MAX, 5]);
}

pub fn several_outbox_ops_on_one_id_in_one_batch(store: &impl Store) {
    put_all(store, &[entry(3, 5), entry(4, 7), entry(7, 3)]);
    commit(
        store,
        ops([
            // New, then done: never seen.
            OutboxOp::Put(entry(1, 10)),
            OutboxOp::Done(1),
            // New, then moved: only the last due.
            OutboxOp::Put(entry(2, 10)),
            OutboxOp::Put(entry(2, 30)),
            // Stored, moved, then back: one entry at the original due.
            OutboxOp::Put(entry(3, 40)),
            OutboxOp::Put(entry(3, 5)),
            // Stored, done, then put again: pending at the new due.
            OutboxOp::Done(4),
            OutboxOp::Put(entry(4, 8)),
            // New, then dead; dead, then re-queued.
            OutboxOp::Put(entry(5, 1)),
            OutboxOp::Dead(entry(5, 1)),
            OutboxOp::Dead(entry(6, 2)),
            OutboxOp::Put(entry(6, 2)),
            // Stored, moved, given up, re-queued: pending once, at the last due.
            OutboxOp::Put(entry(7, 50)),
            OutboxOp::Dead(entry(7, 50)),
            OutboxOp::Put(entry(7, 60)),
        ]),
    );
    assert_eq!(schedule(&all_due(store)), [(6, 2), (3, 5), (4, 8), (2, 30), (7, 60)]);
    assert_eq!(ids(&store.outbox_dead().unwrap()), [5]);
    assert_eq!(due_by(store, 40, 10).len(), 4, "no stale 3@40, 7@50");
}

pub fn outbox_ops_commit_with_the_ticket(store: &impl Store) {
    let ticket = ticket_at(21, &chat("7001"), 500);
    let forward =
        OutboxEntry { job: Job::Forward { ticket: ticket.no, revision: 0 }, ..entry(9, 500) };
    let batch = Batch {
        tickets: vec![ticket.clone()],
        outbox: vec![OutboxOp::Put(forward.clone())],
        ..Batch::default()
    };
    commit(store, batch);
    assert_eq!(store.ticket(&ticket.no).unwrap(), Some(ticket.clone()));
    assert_eq!(due_by(store, 500, 10), vec![forward.clone()]);
    // The forward succeeds as the ticket moves on: both or neither.
    let moved = Ticket { status: Status::Diproses, ..ticket };
    let batch = Batch {
        tickets: vec![moved.clone()],
        outbox: vec![OutboxOp::Done(forward.id)],
        ..Batch::default()
    };
    commit(store, batch);
    assert_eq!(store.ticket(&moved.no).unwrap(), Some(moved));
    assert_eq!(all_due(store), vec![]);
}
