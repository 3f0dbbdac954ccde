//! Dialog scripts: admin-written YAML compiled into [`Script`]s, plus the shared word lists
//! ([`lexicon::Lexicon`]) and the main menu, gathered in a [`catalogue::Catalogue`].
//!
//! Compiled scripts are plain data: no I/O, so the engine can be tested without files.
//!
//! May use: `diag`, `locale`, `model`, `text`, `ticket`, `validate`.

pub mod catalogue;
mod fast_hash;
pub mod lexicon;
pub mod lint;
pub mod load;
pub mod menu;
pub mod router;
pub mod yaml;

// What `pintu check` and reloads add to each file's own checks.
pub mod needed;
mod syntax;
pub mod versions;

use crate::diag::Pos;
use crate::model::session::StepIdx;
use crate::validate::date::DateRule;
use regex::Regex;
use std::path::PathBuf;
use std::sync::Arc;

/// What finishing a script does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Creates a ticket for the OPD.
    Submit,
    /// Shows the status of the ticket the citizen named (or lists the chat's tickets).
    Status,
    /// Information only.
    Inform,
}

/// One service's dialog, compiled.
#[derive(Debug, Clone)]
pub struct Script {
    pub id: Arc<str>,
    pub version: u32,
    pub opd: Arc<str>,
    /// Working days to completion; 0 = no due date.
    pub sla_days: u16,
    pub ticket_prefix: Option<String>,
    pub action: Action,
    pub intro: bool,
    /// Normalised phrases that start this script from free text.
    pub keywords: Vec<String>,
    /// The service's title as the menu shows it, in each language, as [`Lexicon::canon`]
    /// reads it: a message that is exactly one of these names the service. Filled in by the
    /// catalogue, which has the texts.
    ///
    /// [`Lexicon::canon`]: lexicon::Lexicon::canon
    pub titles: Vec<String>,
    pub steps: Vec<Step>,
    /// The YAML it was compiled from, kept so sessions can pin this version in the store.
    pub source: Arc<str>,
    /// Where it was read from, and where each step starts, for `pintu check`.
    pub path: PathBuf,
    pub step_pos: Vec<Pos>,
}

impl Script {
    pub fn step_index(&self, id: &str) -> Option<StepIdx> {
        self.steps.iter().position(|s| &*s.id == id).and_then(|i| StepIdx::try_from(i).ok())
    }

    pub fn step(&self, idx: StepIdx) -> Option<&Step> {
        self.steps.get(usize::from(idx))
    }

    /// Message id of the service's name.
    pub fn title_key(&self) -> String {
        format!("{}-title", self.id)
    }

    /// Message id of a step's question (or of an `end` step's text).
    pub fn prompt_key(&self, step: &Step) -> String {
        format!("{}-{}", self.id, step.id)
    }

    /// Message id of an option's title.
    pub fn option_key(&self, step: &Step, opt: &Opt) -> String {
        format!("{}-{}-{}", self.id, step.id, opt.value)
    }

    /// Message id of the extra confirmation text of an option marked `done: true`.
    pub fn option_done_key(&self, step: &Step, opt: &Opt) -> String {
        format!("{}-done", self.option_key(step, opt))
    }
}

/// One question.
#[derive(Debug, Clone)]
pub struct Step {
    pub id: Arc<str>,
    pub kind: StepKind,
    /// `lewati` is accepted.
    pub optional: bool,
    pub when: Option<Condition>,
    /// Where to continue after this step (default: the following one).
    pub next: Option<StepIdx>,
}

impl Step {
    /// Does this step wait for an answer (as opposed to a summary or an end text)?
    pub fn asks(&self) -> bool {
        !matches!(self.kind, StepKind::Summary | StepKind::End)
    }
}

#[derive(Debug, Clone)]
pub enum StepKind {
    Text { min: u16, max: u16, pattern: Option<Regex> },
    Name { newborn: bool },
    Number { min: i64, max: i64 },
    Nik { birth_date: Option<StepIdx> },
    Kk { nik: Option<StepIdx> },
    Phone { mobile: bool },
    Email,
    Date { rule: DateRule, working_day: bool },
    RtRw { rw_optional: bool },
    Postal,
    Choice(Vec<Opt>),
    YesNo { yes: Option<StepIdx>, no: Option<StepIdx> },
    Photo { max_bytes: u64 },
    Document { max_bytes: u64 },
    Location,
    Ticket,
    Summary,
    End,
}

impl StepKind {
    /// The name admins write in `kind:`.
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Text { .. } => "text",
            StepKind::Name { .. } => "name",
            StepKind::Number { .. } => "number",
            StepKind::Nik { .. } => "nik",
            StepKind::Kk { .. } => "kk",
            StepKind::Phone { .. } => "phone",
            StepKind::Email => "email",
            StepKind::Date { .. } => "date",
            StepKind::RtRw { .. } => "rtrw",
            StepKind::Postal => "postal",
            StepKind::Choice(_) => "choice",
            StepKind::YesNo { .. } => "yesno",
            StepKind::Photo { .. } => "photo",
            StepKind::Document { .. } => "document",
            StepKind::Location => "location",
            StepKind::Ticket => "ticket",
            StepKind::Summary => "summary",
            StepKind::End => "end",
        }
    }
}

/// A choice option.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: Arc<str>,
    /// Normalised words that pick this option, besides its number: the value itself, the
    /// admin's synonyms, and (added by the catalogue) the option's titles in every locale.
    pub matches: Vec<String>,
    pub next: Option<StepIdx>,
    /// `done: true`: the confirmation after submitting adds message `<option key>-done`, for
    /// what only this choice needs afterwards (e.g. what to bring to a booked visit).
    pub done: bool,
}

/// `when:` — ask a step only if an earlier answer is (or is not) one of some values.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub step: StepIdx,
    pub negate: bool,
    pub any_of: Vec<CondValue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondValue {
    Option(u16),
    Yes(bool),
}

/// Message id of an agency's full name.
pub fn opd_key(opd: &str) -> String {
    format!("opd-{opd}")
}
