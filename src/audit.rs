//! The append-only audit log: who did what, when, from where — status changes, admin actions,
//! backups, reloads. Written in the same batch as the change it records; read through the admin
//! API. Holds ticket numbers and actor names, never citizens' personal data.
//!
//! May use: `clock`.

use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};

/// One audited action (postcard record: append fields only in a new format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub at: Timestamp,
    /// `api:disdukcapil`, `admin`, `tg:4242`, `system`, `citizen`.
    pub who: String,
    /// `status`, `requeue`, `backup`, `reload`, ...
    pub action: String,
    /// What it was done to (a ticket number, an outbox id), if anything.
    pub target: String,
    /// Details such as `diterima → diproses`.
    pub detail: String,
    /// Where the request came from (the API client's address), when known.
    pub from: String,
}

impl AuditEvent {
    pub fn new(
        at: Timestamp,
        who: impl Into<String>,
        action: &str,
        target: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            at,
            who: who.into(),
            action: action.to_string(),
            target: target.into(),
            detail: detail.into(),
            from: String::new(),
        }
    }

    pub fn from(mut self, from: impl Into<String>) -> Self {
        self.from = from.into();
        self
    }
}
