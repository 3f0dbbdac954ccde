//! Moving a ticket to another status: the one place that checks the transition table, records
//! history, recomputes due dates and queues the push to the citizen. Pure: callers commit the
//! result (the HTTP API, officers' buttons, the SLA timer, a citizen's correction).

use super::{ActorKind, Status, TransitionError};
use crate::calendar::Calendar;
use crate::clock::{Now, Timestamp};
use crate::model::outbox::{Job, OutboxEntry, OutboxOp, PushEvent};
use crate::model::ticket::{Actor, Change, Ticket};

/// Why a status change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("the ticket is already {0}")]
    Same(Status),
    #[error("a ticket that is {from} cannot become {to}")]
    NotAllowed { from: Status, to: Status },
    #[error("this actor may not move a ticket from {from} to {to}")]
    WrongActor { from: Status, to: Status },
    #[error("moving to {0} needs a note for the citizen")]
    NoteRequired(Status),
}

/// What a status change needs to know besides the ticket.
#[derive(Clone, Copy)]
pub struct ChangeCtx<'a> {
    pub now: Now,
    pub calendar: &'a Calendar,
    /// The service's working days, to restart the clock after a correction.
    pub sla_days: u16,
    /// A fresh random id for the push entry.
    pub push_id: u64,
}

/// Applies `to` to a copy of the ticket. Returns the changed ticket and the outbox entry that
/// pushes the news to the citizen.
pub fn change_status(
    ticket: &Ticket,
    to: Status,
    note: Option<&str>,
    actor: Actor,
    ctx: &ChangeCtx,
) -> Result<(Ticket, OutboxOp), ChangeError> {
    let ChangeCtx { now, calendar, sla_days, push_id } = *ctx;
    let from = ticket.status;
    let kind = match actor {
        Actor::Citizen => ActorKind::Citizen,
        Actor::Officer(_) => ActorKind::Officer,
        Actor::System => ActorKind::System,
    };
    Status::can_move(from, to, kind).map_err(|e| match e {
        TransitionError::Same => ChangeError::Same(from),
        TransitionError::NotAllowed => ChangeError::NotAllowed { from, to },
        TransitionError::WrongActor => ChangeError::WrongActor { from, to },
    })?;
    let note = note.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
    if Status::needs_note(from, to) && note.is_none() {
        return Err(ChangeError::NoteRequired(to));
    }
    let mut t = ticket.clone();
    t.status = to;
    t.history.push(Change { at: now.at, status: to, actor, note });
    // Adminduk service times count from complete requirements: after a correction the clock
    // starts again from today.
    if from == Status::PerluPerbaikan && to == Status::Diverifikasi && sla_days > 0 {
        t.due = Some(calendar.add_working_days(now.today(), sla_days).to_julian_day());
        t.followup.overdue_since = None;
        t.followup.revised_due = None;
    }
    let index = u16::try_from(t.history.len() - 1).unwrap_or(u16::MAX);
    let push = push_entry(push_id, &t, PushEvent::Status { index }, now.at);
    Ok((t, OutboxOp::Put(push)))
}

/// A push to the citizen, due at once.
pub fn push_entry(id: u64, ticket: &Ticket, event: PushEvent, now: Timestamp) -> OutboxEntry {
    OutboxEntry {
        id,
        job: Job::Push { ticket: ticket.no, event },
        due: now,
        attempts: 0,
        created: now,
        last_error: None,
    }
}

/// A fresh random id for an outbox entry.
pub fn new_entry_id() -> u64 {
    let mut b = [0u8; 8];
    // Without an OS random source nothing in pintu can work (ticket numbers need it too); a
    // time-based id keeps the outbox usable rather than failing the change.
    if getrandom::fill(&mut b).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        return nanos as u64;
    }
    u64::from_le_bytes(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TicketNo;
    use crate::model::session::Lang;
    use crate::model::ticket::FollowUp;
    use crate::model::{Channel, ChatKey};
    use time::macros::{date, time};

    fn now() -> Now {
        Now::at_local(
            date!(2026 - 11 - 26),
            time!(10:00),
            time::UtcOffset::from_hms(8, 0, 0).unwrap(),
        )
    }

    fn ticket(status: Status) -> Ticket {
        Ticket {
            no: TicketNo::parse("K7Q4-M9XS", &[]).unwrap(),
            script: "ktp_el".into(),
            version: 1,
            opd: "disdukcapil".into(),
            chat: ChatKey::new(Channel::Terminal, "1"),
            lang: Lang::Id,
            answers: Vec::new(),
            status,
            history: vec![Change { at: Timestamp(0), status, actor: Actor::Citizen, note: None }],
            created: Timestamp(0),
            due: Some(date!(2026 - 11 - 27).to_julian_day()),
            followup: FollowUp { overdue_since: Some(1), ..FollowUp::default() },
        }
    }

    fn officer() -> Actor {
        Actor::Officer("petugas".into())
    }

    #[test]
    fn a_change_records_history_and_queues_a_push() {
        let cal = Calendar::indonesia_2026();
        let t = ticket(Status::Diterima);
        let ctx = ChangeCtx { now: now(), calendar: &cal, sla_days: 3, push_id: 7 };
        let (t2, op) = change_status(&t, Status::Diproses, None, officer(), &ctx).unwrap();
        assert_eq!(t2.status, Status::Diproses);
        assert_eq!(t2.history.len(), 2);
        let OutboxOp::Put(e) = op else { panic!("push expected") };
        assert_eq!(e.id, 7);
        assert_eq!(e.job, Job::Push { ticket: t.no, event: PushEvent::Status { index: 1 } });
    }

    #[test]
    fn refusals() {
        let cal = Calendar::indonesia_2026();
        let t = ticket(Status::Diterima);
        let ctx = ChangeCtx { now: now(), calendar: &cal, sla_days: 3, push_id: 1 };
        let c = |to, note, actor| change_status(&t, to, note, actor, &ctx).map(|_| ());
        assert_eq!(c(Status::Diterima, None, officer()), Err(ChangeError::Same(Status::Diterima)));
        assert_eq!(
            c(Status::Selesai, None, officer()),
            Err(ChangeError::NotAllowed { from: Status::Diterima, to: Status::Selesai })
        );
        assert_eq!(
            c(Status::Ditolak, Some("  "), officer()),
            Err(ChangeError::NoteRequired(Status::Ditolak))
        );
        assert!(c(Status::Ditolak, Some("Berkas tidak sesuai"), officer()).is_ok());
    }

    #[test]
    fn a_correction_restarts_the_service_time() {
        let cal = Calendar::indonesia_2026();
        let t = ticket(Status::PerluPerbaikan);
        let ctx = ChangeCtx { now: now(), calendar: &cal, sla_days: 3, push_id: 1 };
        let (t2, _) = change_status(&t, Status::Diverifikasi, None, Actor::System, &ctx).unwrap();
        // Thursday 26-11 + 3 working days = Tuesday 01-12.
        assert_eq!(t2.due, Some(date!(2026 - 12 - 01).to_julian_day()));
        assert_eq!(t2.followup.overdue_since, None);
    }
}
