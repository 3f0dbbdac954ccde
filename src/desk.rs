//! The one way a ticket's status changes from outside the dialog: the HTTP API and officers'
//! buttons both come here, so both check the same transitions, write the same history and
//! push the same news to the citizen.
//!
//! May use: `audit`, `clock`, `commit`, `engine`, `model`, `script`, `store`, `ticket`.

use crate::audit::AuditEvent;
use crate::clock::{Clock, Now};
use crate::commit::Committer;
use crate::engine::Settings;
use crate::model::ticket::{Actor, Ticket};
use crate::model::{Status, TicketNo};
use crate::script::catalogue::Catalogue;
use crate::store::{Batch, Store, StoreError};
use crate::ticket::change::{ChangeCtx, ChangeError, change_status, new_entry_id};
use std::sync::Arc;
use time::UtcOffset;
use tokio::sync::watch;

/// Why a change did not happen.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("no such ticket")]
    NotFound,
    #[error("this ticket belongs to another OPD")]
    OtherOpd,
    #[error(transparent)]
    Refused(#[from] ChangeError),
    #[error("the change could not be stored")]
    NotStored,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Status changes, serialised: each reads a ticket and writes it back.
#[derive(Clone)]
pub struct Desk {
    pub store: Arc<dyn Store>,
    pub committer: Committer,
    pub clock: Arc<dyn Clock>,
    pub offset: UtcOffset,
    pub settings: Arc<Settings>,
    pub catalogue: watch::Receiver<Arc<Catalogue>>,
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl Desk {
    pub fn new(
        store: Arc<dyn Store>,
        committer: Committer,
        clock: Arc<dyn Clock>,
        offset: UtcOffset,
        settings: Arc<Settings>,
        catalogue: watch::Receiver<Arc<Catalogue>>,
    ) -> Self {
        Self { store, committer, clock, offset, settings, catalogue, lock: Arc::default() }
    }

    pub fn now(&self) -> Now {
        Now::new(self.clock.now(), self.offset)
    }

    /// Moves ticket `no` to `to`. `opd`: the caller may only touch this OPD's tickets.
    pub async fn change(
        &self,
        no: TicketNo,
        to: Status,
        note: Option<&str>,
        actor: Actor,
        opd: Option<&str>,
    ) -> Result<Ticket, DeskError> {
        self.change_from(no, to, note, actor, opd, "").await
    }

    /// [`Desk::change`], recording in the audit log where the request came from.
    pub async fn change_from(
        &self,
        no: TicketNo,
        to: Status,
        note: Option<&str>,
        actor: Actor,
        opd: Option<&str>,
        from: &str,
    ) -> Result<Ticket, DeskError> {
        let _one_at_a_time = self.lock.lock().await;
        // The lock above serialises this process's changes. On a store shared by several
        // instances, the change is fenced on its chat's version, read before the ticket: a
        // change (or a citizen's step) committed meanwhile by another instance refuses this
        // commit, and it is made again on what that one wrote, so no change is lost.
        let mut ticket = self.store.ticket(&no)?.ok_or(DeskError::NotFound)?;
        let shared = self.store.shared();
        let mut attempts = if shared { FENCED_ATTEMPTS } else { 1 };
        let changed = loop {
            attempts -= 1;
            let fence = if shared {
                // A ticket's chat never changes: its version, then the ticket as of it.
                let (_, version) = self.store.load_session_fenced(&ticket.chat)?;
                ticket = self.store.ticket(&no)?.ok_or(DeskError::NotFound)?;
                vec![(ticket.chat.clone(), version)]
            } else {
                Vec::new()
            };
            if opd.is_some_and(|o| o != ticket.opd) {
                return Err(DeskError::OtherOpd);
            }
            let (changed, batch) = self.change_batch(&ticket, to, note, actor.clone(), from)?;
            if self.committer.commit(Batch { fences: fence, ..batch }).await {
                break changed;
            }
            if attempts == 0 {
                return Err(DeskError::NotStored);
            }
        };
        tracing::info!(ticket = %changed.no, status = changed.status.code(), "status changed");
        Ok(changed)
    }

    /// The changed ticket and what to commit for it: the ticket, the citizen's push, the audit
    /// entry.
    fn change_batch(
        &self,
        ticket: &Ticket,
        to: Status,
        note: Option<&str>,
        actor: Actor,
        from: &str,
    ) -> Result<(Ticket, Batch), DeskError> {
        let sla_days = self.catalogue.borrow().script(&ticket.script).map_or(0, |s| s.sla_days);
        let ctx = ChangeCtx {
            now: self.now(),
            calendar: &self.settings.calendar,
            sla_days,
            push_id: new_entry_id(),
        };
        let who = match &actor {
            Actor::Citizen => "citizen".to_string(),
            Actor::Officer(o) => o.clone(),
            Actor::System => "system".to_string(),
        };
        let (changed, push) = change_status(ticket, to, note, actor, &ctx)?;
        let detail = format!("{} -> {}", ticket.status.code(), to.code());
        let audit =
            AuditEvent::new(ctx.now.at, who, "status", ticket.no.to_string(), detail).from(from);
        let batch = Batch {
            tickets: vec![changed.clone()],
            outbox: vec![push],
            audit: vec![audit],
            ..Batch::default()
        };
        Ok((changed, batch))
    }
}

/// Tries of a fenced change before giving up (each refused one lost to another instance's
/// commit on the same chat).
const FENCED_ATTEMPTS: u32 = 3;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::store::postgres::cluster::fresh_database;
    use crate::store::{PgStore, suite};

    fn desk(url: &str) -> Desk {
        let store: Arc<dyn Store> = Arc::new(PgStore::open(url).unwrap());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (catalogue, _) = Catalogue::load(&root.join("dialogs"), &root.join("locales"));
        let (_, rx) = watch::channel(Arc::new(catalogue));
        let committer = Committer::start(store.clone());
        Desk::new(store, committer, Arc::new(SystemClock), UtcOffset::UTC, Arc::default(), rx)
    }

    /// Two instances change one ticket at the same moment: every change reported done is in
    /// the ticket's history (without the fence, one could overwrite the other's).
    #[test]
    fn concurrent_changes_on_two_instances_lose_nothing() {
        // The cluster and the blocking clients are set up outside the runtime.
        let (_cluster, url) = fresh_database();
        let (a, b) = (desk(&url), desk(&url));
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            for n in 0..12u8 {
                let mut ticket =
                    suite::ticket_at(n, &suite::chat(&format!("62811{n}")), 1_800_000_000);
                ticket.status = Status::Diterima;
                ticket.history.truncate(1);
                a.store
                    .commit(&Batch { tickets: vec![ticket.clone()], ..Batch::default() })
                    .unwrap();
                let officer = |who: &str| Actor::Officer(who.into());
                let (by_a, by_b) = tokio::join!(
                    a.change(ticket.no, Status::Diverifikasi, None, officer("a"), None),
                    b.change(ticket.no, Status::Diproses, None, officer("b"), None),
                );
                let stored = a.store.ticket(&ticket.no).unwrap().unwrap();
                let done: Vec<Status> =
                    [by_a, by_b].into_iter().filter_map(Result::ok).map(|t| t.status).collect();
                assert!(!done.is_empty());
                for status in &done {
                    assert!(
                        stored.history.iter().any(|c| c.status == *status),
                        "ticket {n}: {status} was reported done but is not in {:?}",
                        stored.history
                    );
                }
            }
        });
    }
}
