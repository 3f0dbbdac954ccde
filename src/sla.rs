//! Service-level follow-up, run on a timer: overdue tickets get one apology with a new
//! expected date and their agency a reminder at most once a day; requests left in "perlu
//! perbaikan" for too long are closed. The decision is a pure function of the tickets and
//! the date; the task around it only reads and commits.
//!
//! May use: `audit`, `calendar`, `clock`, `commit`, `model`, `private_fs`, `script`, `store`,
//! `ticket`.

use crate::calendar::Calendar;
use crate::clock::{Clock, Now};
use crate::commit::Committer;
use crate::model::outbox::{Job, OutboxEntry, OutboxOp, PushEvent};
use crate::model::ticket::{Actor, Ticket};
use crate::model::{SlaClock, Status};
use crate::script::catalogue::Catalogue;
use crate::store::{Batch, Store};
use crate::ticket::change::{ChangeCtx, change_status, new_entry_id, push_entry};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use time::UtcOffset;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Days a ticket may wait for the citizen's correction before it is closed.
pub const CORRECTION_DAYS: i64 = 14;

/// What the scan needs to know about the deployment.
pub struct Rules<'a> {
    pub calendar: &'a Calendar,
    /// OPDs with a backend to remind.
    pub targets: &'a BTreeSet<String>,
    /// Working days of each service (by script id), for the revised date.
    pub sla_days: &'a dyn Fn(&str) -> u16,
    /// Personal data of tickets closed longer than this (seconds) is erased.
    pub retention_secs: i64,
}

/// What one pass decided: the writes, and attachment files to delete once they are committed.
#[derive(Debug, Default)]
pub struct Scan {
    pub batch: Batch,
    pub erased_files: Vec<String>,
}

/// One pass over the tickets: the writes it calls for (empty if nothing to do).
pub fn scan(tickets: &[Ticket], now: Now, rules: &Rules) -> Batch {
    scan_all(tickets, now, rules).batch
}

/// [`scan`] with the files of erased tickets.
pub fn scan_all(tickets: &[Ticket], now: Now, rules: &Rules) -> Scan {
    let mut erased = Vec::new();
    let today = now.today();
    let jd = today.to_julian_day();
    let mut batch = Batch::default();
    for t in tickets {
        let mut t2 = t.clone();
        let mut ops = Vec::new();
        if t.status.clock() == SlaClock::Runs {
            let due = t.followup.revised_due.or(t.due);
            if due.is_some_and(|d| d < jd) {
                // Half the service time again, at least a day: an honest new expectation.
                let extra = ((rules.sla_days)(&t.script).div_ceil(2)).max(1);
                let revised = rules.calendar.add_working_days(today, extra).to_julian_day();
                t2.followup.overdue_since.get_or_insert(jd);
                t2.followup.revised_due = Some(revised);
                ops.push(OutboxOp::Put(push_entry(
                    new_entry_id(),
                    t,
                    PushEvent::Overdue { revised_due: revised },
                    now.at,
                )));
            }
            let is_overdue = t2.followup.overdue_since.is_some();
            if is_overdue && rules.targets.contains(&t.opd) && t.followup.reminded_on != Some(jd) {
                t2.followup.reminded_on = Some(jd);
                ops.push(OutboxOp::Put(OutboxEntry {
                    id: new_entry_id(),
                    job: Job::Remind { ticket: t.no, day: jd },
                    due: now.at,
                    attempts: 0,
                    created: now.at,
                    last_error: None,
                }));
            }
        }
        if t.status == Status::PerluPerbaikan
            && now.at.0 - t.last_change().0 > CORRECTION_DAYS * 86_400
        {
            let ctx =
                ChangeCtx { now, calendar: rules.calendar, sla_days: 0, push_id: new_entry_id() };
            if let Ok((closed, push)) = change_status(
                &t2,
                Status::Dibatalkan,
                Some("tidak ada perbaikan dalam 14 hari"),
                Actor::System,
                &ctx,
            ) {
                t2 = closed;
                ops.push(push);
            }
        }
        let expired = t.status.is_terminal() && now.at.0 - t.last_change().0 > rules.retention_secs;
        if expired && !t2.is_erased() {
            // The retention schedule: keep number, service, dates and statuses only.
            let files = t2.erase_personal();
            batch.audit.push(crate::audit::AuditEvent::new(
                now.at,
                "system",
                "retention",
                t.no.to_string(),
                format!("{} files", files.len()),
            ));
            erased.extend(files);
            batch.tickets.push(t2);
            batch.outbox.extend(ops);
            continue;
        }
        if !ops.is_empty() {
            batch.tickets.push(t2);
            batch.outbox.extend(ops);
        }
    }
    Scan { batch, erased_files: erased }
}

/// The follow-up task: runs [`scan_all`] every `interval` until `shutdown`.
pub struct FollowUp {
    pub store: Arc<dyn Store>,
    pub committer: Committer,
    pub clock: Arc<dyn Clock>,
    pub offset: UtcOffset,
    pub calendar: Calendar,
    pub catalogue: watch::Receiver<Arc<Catalogue>>,
    pub targets: BTreeSet<String>,
    pub interval: Duration,
    pub retention_secs: i64,
    pub data_dir: std::path::PathBuf,
}

impl FollowUp {
    fn scan(&self, tickets: &[Ticket]) -> Scan {
        let cat = self.catalogue.borrow().clone();
        let sla = |id: &str| cat.script(id).map_or(0, |s| s.sla_days);
        let rules = Rules {
            calendar: &self.calendar,
            targets: &self.targets,
            sla_days: &sla,
            retention_secs: self.retention_secs,
        };
        scan_all(tickets, Now::new(self.clock.now(), self.offset), &rules)
    }

    /// Deletes the scan's erased attachments, then commits it; true once committed.
    async fn apply(&self, Scan { batch, erased_files }: Scan) -> bool {
        // Files first: a crash before the commit repeats the erasure next scan. The commit
        // destroys the erased tickets' keys (see `store::sled`).
        if let Err(e) = crate::private_fs::remove_attachments(&self.data_dir, &erased_files) {
            tracing::error!(error = %e, "retention: attachments could not be deleted");
            return false;
        }
        self.committer.commit(batch).await
    }

    /// Scans one ticket again as its chat's version reads now, and commits what it changes
    /// fenced on that version; true if something was committed.
    async fn fenced(&self, seen: &Ticket) -> bool {
        let fresh = (|| {
            let (_, version) = self.store.load_session_fenced(&seen.chat)?;
            Ok::<_, crate::store::StoreError>((version, self.store.ticket(&seen.no)?))
        })();
        let (version, Some(ticket)) = (match fresh {
            Ok(found) => found,
            Err(e) => {
                tracing::error!(error = %e, "follow-up scan could not read a ticket");
                return false;
            }
        }) else {
            return false;
        };
        let mut scan = self.scan(std::slice::from_ref(&ticket));
        if scan.batch.tickets.is_empty() {
            return false;
        }
        scan.batch.fences = vec![(ticket.chat.clone(), version)];
        self.apply(scan).await
    }

    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            // Only the tickets the scan can change: open ones, and closed ones due for
            // retention (an index on a shared store; every ticket is not read each time).
            let closed_before = self.clock.now().plus_secs(-self.retention_secs);
            match self.store.tickets_to_follow(closed_before).map(|tickets| self.scan(&tickets)) {
                Ok(scan) if self.store.shared() => {
                    // Other instances change tickets too: each one changed here is scanned
                    // again on its own, fenced on its chat (see `desk.rs`); one changed
                    // meanwhile is left to the next scan.
                    let mut n = 0;
                    for ticket in scan.batch.tickets {
                        n += usize::from(self.fenced(&ticket).await);
                    }
                    if n > 0 {
                        tracing::info!(
                            tickets = n,
                            "follow-up: overdue notices, reminders, closures, retention"
                        );
                    }
                }
                Ok(scan) => {
                    let n = scan.batch.tickets.len();
                    if n > 0 && self.apply(scan).await {
                        tracing::info!(
                            tickets = n,
                            "follow-up: overdue notices, reminders, closures, retention"
                        );
                    }
                }
                Err(e) => tracing::error!(error = %e, "follow-up scan could not read tickets"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(self.interval) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use crate::model::TicketNo;
    use crate::model::session::Lang;
    use crate::model::ticket::{Change, FollowUp};
    use crate::model::{Channel, ChatKey};
    use time::macros::{date, time};

    fn at(d: time::Date) -> Now {
        Now::at_local(d, time!(09:00), UtcOffset::from_hms(8, 0, 0).unwrap())
    }

    fn ticket(status: Status, due: time::Date) -> Ticket {
        Ticket {
            no: TicketNo::parse("K7Q4-M9XS", &[]).unwrap(),
            script: "ktp_el".into(),
            version: 1,
            opd: "disdukcapil".into(),
            chat: ChatKey::new(Channel::Terminal, "1"),
            lang: Lang::Id,
            answers: Vec::new(),
            status,
            history: vec![Change {
                at: at(date!(2026 - 11 - 20)).at,
                status,
                actor: Actor::Citizen,
                note: None,
            }],
            created: Timestamp(0),
            due: Some(due.to_julian_day()),
            followup: FollowUp::default(),
        }
    }

    fn scan_on(tickets: &[Ticket], day: time::Date, with_target: bool) -> Batch {
        let cal = Calendar::indonesia_2026();
        let targets: BTreeSet<String> =
            if with_target { ["disdukcapil".to_string()].into() } else { BTreeSet::new() };
        let sla = |_: &str| 3;
        scan(
            tickets,
            at(day),
            &Rules {
                calendar: &cal,
                targets: &targets,
                sla_days: &sla,
                retention_secs: 365 * 86_400,
            },
        )
    }

    /// The store hands the scan only [`crate::store::to_follow`]'s tickets: the scan of those
    /// changes exactly what a scan of every ticket changes.
    #[test]
    fn the_tickets_to_follow_are_all_the_scan_changes() {
        let day = date!(2026 - 11 - 26);
        let now = at(day).at;
        let mut all = Vec::new();
        for (i, status) in Status::ALL.into_iter().enumerate() {
            for (j, days_ago) in [1, 20, 400].into_iter().enumerate() {
                for erased in [false, true] {
                    for due in [date!(2026 - 11 - 20), date!(2026 - 12 - 20)] {
                        let mut t = ticket(status, due);
                        t.no =
                            TicketNo::from_random([(i * 30 + j * 10) as u8 + u8::from(erased); 16]);
                        t.history[0].at = now.plus_secs(-days_ago * 86_400);
                        if erased {
                            t.erase_personal();
                        }
                        all.push(t);
                    }
                }
            }
        }
        let closed_before = now.plus_secs(-365 * 86_400);
        let to_follow: Vec<Ticket> =
            all.iter().filter(|t| crate::store::to_follow(t, closed_before)).cloned().collect();
        assert!(to_follow.len() < all.len());
        let (whole, part) = (scan_on(&all, day, true), scan_on(&to_follow, day, true));
        assert!(!whole.tickets.is_empty());
        assert_eq!(whole.tickets, part.tickets);
        assert_eq!(whole.outbox.len(), part.outbox.len());
        assert_eq!(whole.audit.len(), part.audit.len());
    }

    #[test]
    fn overdue_once_then_a_reminder_a_day() {
        let t = ticket(Status::Diproses, date!(2026 - 11 - 25));
        let b = scan_on(&[t], date!(2026 - 11 - 26), true);
        assert_eq!(b.tickets.len(), 1);
        let t1 = &b.tickets[0];
        // Thursday + 2 working days (half of 3, rounded up) = Monday 30-11.
        assert_eq!(t1.followup.revised_due, Some(date!(2026 - 11 - 30).to_julian_day()));
        assert_eq!(b.outbox.len(), 2, "one apology, one reminder");
        // Same day again: nothing new.
        assert!(scan_on(std::slice::from_ref(t1), date!(2026 - 11 - 26), true).is_empty());
        // Next day: a reminder, no second apology (the revised date has not passed).
        let b2 = scan_on(std::slice::from_ref(t1), date!(2026 - 11 - 27), true);
        assert_eq!(b2.outbox.len(), 1);
        assert!(matches!(&b2.outbox[0], OutboxOp::Put(e) if matches!(e.job, Job::Remind { .. })));
    }

    #[test]
    fn nothing_for_tickets_on_time_paused_or_closed() {
        let on_time = ticket(Status::Diterima, date!(2026 - 11 - 27));
        let paused = ticket(Status::PerluPerbaikan, date!(2026 - 11 - 20));
        let done = ticket(Status::Selesai, date!(2026 - 11 - 20));
        assert!(scan_on(&[on_time, paused, done], date!(2026 - 11 - 26), true).is_empty());
        // Without a target there is no reminder, but the citizen still gets the apology.
        let late = ticket(Status::Diterima, date!(2026 - 11 - 20));
        assert_eq!(scan_on(&[late], date!(2026 - 11 - 26), false).outbox.len(), 1);
    }

    #[test]
    fn a_correction_not_sent_in_14_days_closes_the_ticket() {
        let t = ticket(Status::PerluPerbaikan, date!(2026 - 11 - 30));
        assert!(scan_on(std::slice::from_ref(&t), date!(2026 - 12 - 03), true).is_empty());
        let b = scan_on(&[t], date!(2026 - 12 - 05), true);
        assert_eq!(b.tickets[0].status, Status::Dibatalkan);
    }
}
