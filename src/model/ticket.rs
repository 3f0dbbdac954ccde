//! The stored ticket: what a citizen submitted and everything that happened to it since.

use super::{Status, TicketNo};
use crate::clock::Timestamp;
use crate::model::ChatKey;
use crate::model::session::{FileRef, Lang, Value};
use serde::{Deserialize, Serialize};

/// Who changed a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    Citizen,
    /// An officer, by login or Telegram user id.
    Officer(String),
    System,
}

/// One entry of a ticket's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub at: Timestamp,
    pub status: Status,
    pub actor: Actor,
    pub note: Option<String>,
}

/// A submitted request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub no: TicketNo,
    pub script: String,
    pub version: u32,
    pub opd: String,
    /// Where the citizen asked from, so status changes go back there.
    pub chat: ChatKey,
    pub lang: Lang,
    /// Answers by step id, in the order given.
    pub answers: Vec<(String, Value)>,
    pub status: Status,
    pub history: Vec<Change>,
    pub created: Timestamp,
    /// Expected completion date (Julian day); `None` for services without an SLA.
    pub due: Option<i32>,
    /// What happened after submission: overdue notices, reminders, corrections.
    pub followup: FollowUp,
}

/// Follow-up bookkeeping of a ticket (added in record format 2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    /// The day (Julian) the due date was found passed and the citizen was told; once.
    pub overdue_since: Option<i32>,
    /// The new expected date announced with the apology.
    pub revised_due: Option<i32>,
    /// The last day (Julian) the agency was reminded; at most one reminder a day.
    pub reminded_on: Option<i32>,
    /// Corrections the citizen sent after "perlu perbaikan"; each is forwarded again.
    pub corrections: u32,
}

impl Ticket {
    /// Erases what identifies the citizen (answers, the chat it came from), keeping number,
    /// service, dates and statuses. Returns the attachment files to delete.
    pub fn erase_personal(&mut self) -> Vec<String> {
        let files = self.files().map(|f| f.path.clone()).collect();
        self.answers.clear();
        for c in &mut self.history {
            // Officers' notes may quote the citizen.
            c.note = None;
        }
        self.chat = ChatKey::new(self.chat.channel, ERASED);
        files
    }

    /// The attachments among the answers (corrections included).
    pub fn files(&self) -> impl Iterator<Item = &FileRef> {
        self.answers.iter().filter_map(|(_, v)| match v {
            Value::File(f) => Some(f),
            _ => None,
        })
    }

    /// Was the personal data already erased?
    pub fn is_erased(&self) -> bool {
        &*self.chat.id == ERASED
    }

    /// When the status last changed (created, if never): for a closed ticket, when it closed.
    pub fn last_change(&self) -> Timestamp {
        self.history.last().map_or(self.created, |c| c.at)
    }

    /// The expected completion date now (Julian day): the revised one after an overdue notice.
    pub fn current_due(&self) -> Option<i32> {
        self.followup.revised_due.or(self.due)
    }

    /// Whether the ticket is overdue on `day` (Julian): its SLA clock runs and it is past due.
    pub fn overdue_on(&self, day: i32) -> bool {
        self.status.clock() == super::status::SlaClock::Runs
            && self.current_due().is_some_and(|d| d < day)
    }
}

/// The chat id of tickets whose personal data was erased.
pub const ERASED: &str = "-";
