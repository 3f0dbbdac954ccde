//! Staff accounts of the console: officers of one OPD, and admins.

use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};

/// What an account may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Sees and changes the tickets of this OPD (agency id, e.g. `disdukcapil`) only.
    Officer { opd: String },
    /// Every OPD's tickets, the dialog editor, users and the audit log.
    Admin,
}

/// One staff account (postcard record: append fields only in a new format).
///
/// Kept in plain form, unlike citizens' records: it holds a staff member's work identity and
/// a one-way password hash, nothing a citizen's erasure could reach, and it must outlive
/// any erasure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The login name, unique; what the audit log names (`konsol:<login>`).
    pub login: String,
    /// The person's display name.
    pub name: String,
    pub role: Role,
    /// The password as an argon2 PHC string (`$argon2id$v=19$…`); never the password.
    pub password_hash: String,
    /// A disabled account cannot log in; kept so the audit log's names stay meaningful.
    pub disabled: bool,
    /// Wrong passwords in a row since the last good login or lock.
    pub failed_logins: u32,
    /// No login is accepted before this instant.
    pub locked_until: Option<Timestamp>,
    pub created: Timestamp,
}

impl Account {
    /// The OPD whose tickets this account may see; `None` for an admin (every OPD).
    pub fn opd(&self) -> Option<&str> {
        match &self.role {
            Role::Officer { opd } => Some(opd),
            Role::Admin => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// A signed-in staff member's session in the console (postcard record: append fields only in a
/// new format). Stored under the SHA-256 of its cookie token, never the token itself, so a
/// copy of the store signs nobody in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSession {
    pub login: String,
    /// Signed in at; the session ends a fixed time after it, used or not.
    pub created: Timestamp,
    /// Last request seen (updated at most once a minute); idle too long, the session ends.
    pub seen: Timestamp,
    /// The token every form of this session carries (CSRF), hex.
    pub form_token: String,
}

/// A change to the stored staff sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionOp {
    /// Inserts or replaces the session with this token hash.
    Put([u8; 32], StaffSession),
    /// Ends one session (logout, or the old one at a new login).
    End([u8; 32]),
    /// Ends every session of this login (disabled, password reset).
    EndAll(String),
}
