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
        let ticket = self.store.ticket(&no)?.ok_or(DeskError::NotFound)?;
        if opd.is_some_and(|o| o != ticket.opd) {
            return Err(DeskError::OtherOpd);
        }
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
        let (changed, push) = change_status(&ticket, to, note, actor, &ctx)?;
        let detail = format!("{} -> {}", ticket.status.code(), to.code());
        let audit = AuditEvent::new(ctx.now.at, who, "status", no.to_string(), detail).from(from);
        let batch = Batch {
            tickets: vec![changed.clone()],
            outbox: vec![push],
            audit: vec![audit],
            ..Batch::default()
        };
        if !self.committer.commit(batch).await {
            return Err(DeskError::NotStored);
        }
        tracing::info!(ticket = %changed.no, status = changed.status.code(), "status changed");
        Ok(changed)
    }
}
