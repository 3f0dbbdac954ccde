//! What pintu remembers about a chat between messages. Stored as postcard records: variants go
//! by position, so append new ones at the end and never reorder (see `store::codec`).

use crate::clock::Timestamp;
use serde::{Deserialize, Serialize};

/// The language replies are rendered in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A step's position in its script.
pub type StepIdx = u16;

/// A stored attachment: the bytes live in a file under the data dir, records hold this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRef {
    /// Path relative to the data dir.
    pub path: String,
    pub mime: String,
    pub bytes: u64,
}

/// One validated answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Value {
    /// Text after validation (a name, NIK, phone in E.164, `003/005`, ...).
    Text(String),
    Number(i64),
    /// A calendar date as a Julian day number (compact and independent of `time`'s serde).
    Date(i32),
    /// Index of the chosen option.
    Choice(u16),
    Yes(bool),
    File(FileRef),
    Location {
        lat: f64,
        lon: f64,
    },
    /// An optional step the citizen skipped with `lewati`.
    Skipped,
}

/// One answer in the order it was given; `kembali` pops the last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub step: StepIdx,
    pub value: Value,
}

/// A dialog in progress, pinned to the script version it started on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    pub script: String,
    pub version: u32,
    /// The step whose question is waiting for an answer.
    pub at: StepIdx,
    pub answers: Vec<Answer>,
    /// Set by `ubah N`: after this answer go straight back to the summary.
    pub editing: bool,
    pub started: Timestamp,
}

impl Flow {
    pub fn answer(&self, step: StepIdx) -> Option<&Value> {
        self.answers.iter().rev().find(|a| a.step == step).map(|a| &a.value)
    }
}

/// What the next message is expected to settle before anything else.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Pending {
    #[default]
    Nothing,
    /// A value with soft warnings: `ya` keeps it, anything else is a new answer.
    Warning(Value),
    /// `batal` with answers at stake: `ya` discards them.
    Cancel,
    /// An emergency word was typed: `ya` starts the emergency report.
    Emergency,
    /// `bahasa` was typed: the next message picks the language.
    Language,
    /// `perbaiki <nomor>` was accepted: the next text or file is the correction.
    Correction(crate::model::TicketNo),
    /// `hapus data saya` was typed: `ya` erases the chat's personal data.
    Forget,
    /// Free text fitted several services about equally: the next message picks one of these
    /// (script ids, in the order shown) by number, button or words.
    Clarify(Vec<String>),
    /// "Maksudnya budi@gmail.com?" after a likely typo: `ya` takes the suggestion, `tidak`
    /// keeps what was typed, anything else is a new answer.
    Suggestion { typed: Value, suggested: Value },
    /// Like `Emergency`, when the message also said what happened ("tolong ada kebakaran"):
    /// `ya` starts the emergency report with this option (its `value`) of the report's first
    /// choice already chosen, so the citizen is not asked again. The value, not the words, is
    /// kept: it is short and holds nothing personal.
    EmergencyAbout(String),
    /// Back to a draft after a while: `1`/`lanjutkan` continues it, `2`/`mulai baru` drops it
    /// and starts the same service again.
    Resume,
}

/// Everything about one chat that survives a restart.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Session {
    pub lang: Lang,
    pub flow: Option<Flow>,
    pub pending: Pending,
    /// Invalid answers in a row; after a few the re-prompt offers `bantuan` and `menu`.
    pub misses: u8,
    /// The privacy notice has been shown to this chat.
    pub noticed: bool,
    pub touched: Timestamp,
    /// Dedupe hashes of the chat's last messages, as sessions of record format 2 kept them
    /// before dedupe markers of their own (`convo::dedupe`). Only read: the conversation layer
    /// turns them into markers at the chat's next message and leaves this empty, so a future
    /// session format can drop it. The engine never looks at it.
    pub recent: Vec<u64>,
}

impl Session {
    /// The attachments this session refers to (answers of the draft, a value awaiting "ya").
    pub fn files(&self) -> impl Iterator<Item = &FileRef> {
        let answers = self.flow.iter().flat_map(|f| f.answers.iter().map(|a| &a.value));
        let pending: Vec<&Value> = match &self.pending {
            Pending::Warning(v) => vec![v],
            Pending::Suggestion { typed, suggested } => vec![typed, suggested],
            _ => Vec::new(),
        };
        answers.chain(pending).filter_map(|v| match v {
            Value::File(f) => Some(f),
            _ => None,
        })
    }
}
