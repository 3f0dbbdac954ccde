//! Durable work items: what must still reach an agency or a citizen. Stored as postcard
//! records (variants by position: append, never reorder).

use crate::clock::Timestamp;
use crate::model::TicketNo;
use serde::{Deserialize, Serialize};

/// One piece of outbound work, kept until it succeeded or was given up (dead letter).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Unique, random; the store key.
    pub id: u64,
    pub job: Job,
    /// Not to be tried before this instant (backoff, Retry-After).
    pub due: Timestamp,
    /// Failed attempts so far.
    pub attempts: u32,
    pub created: Timestamp,
    /// Why the last attempt failed, for admins (never personal data).
    pub last_error: Option<String>,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Job {
    /// Deliver the ticket to its agency's backend. `revision` counts the citizen's
    /// corrections: 0 is the submission, each correction is delivered again with its own
    /// idempotency key.
    Forward { ticket: TicketNo, revision: u32 },
    /// Tell the citizen about something that happened to their ticket.
    Push { ticket: TicketNo, event: PushEvent },
    /// Remind the agency that a ticket is overdue (at most once per day).
    Remind { ticket: TicketNo, day: i32 },
    /// Post a new ticket to its agency's officers' group (where one is configured).
    Notify { ticket: TicketNo },
}

/// What a push tells the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PushEvent {
    /// The status change at this index of the ticket's history.
    Status { index: u16 },
    /// The due date passed; `revised_due` (Julian day) is the new expectation.
    Overdue { revised_due: i32 },
}

impl Job {
    /// Every kind, as [`Job::kind`] names them.
    pub const KINDS: [&'static str; 4] = ["forward", "push", "remind", "notify"];

    /// A short stable name of the job's kind, for logs and metric labels.
    pub fn kind(&self) -> &'static str {
        match self {
            Job::Forward { .. } => "forward",
            Job::Push { .. } => "push",
            Job::Remind { .. } => "remind",
            Job::Notify { .. } => "notify",
        }
    }

    pub fn ticket(&self) -> TicketNo {
        match self {
            Job::Forward { ticket, .. }
            | Job::Push { ticket, .. }
            | Job::Remind { ticket, .. }
            | Job::Notify { ticket } => *ticket,
        }
    }
}

/// A changed outbox, as part of an atomic [`crate::store::Batch`].
#[derive(Debug, Clone, PartialEq)]
pub enum OutboxOp {
    /// Inserts or replaces a pending entry (also takes it off the dead list: re-queue).
    Put(OutboxEntry),
    /// Finished: removes the entry wherever it is.
    Done(u64),
    /// Given up: moves the entry (with its `last_error`) to the dead list.
    Dead(OutboxEntry),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Metrics report every kind in `KINDS`: each job's kind must be one of them.
    #[test]
    fn every_job_kind_is_listed() {
        let ticket = TicketNo::from_random([0; 16]);
        let jobs = [
            Job::Forward { ticket, revision: 0 },
            Job::Push { ticket, event: PushEvent::Overdue { revised_due: 0 } },
            Job::Remind { ticket, day: 0 },
            Job::Notify { ticket },
        ];
        let kinds: Vec<&str> = jobs.iter().map(Job::kind).collect();
        assert_eq!(kinds, Job::KINDS);
    }
}
