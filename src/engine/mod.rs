//! The conversation engine: one citizen message in, the new session, replies and effects out.
//!
//! Pure: no I/O, clock, randomness or async. Everything it needs arrives in [`Ctx`]; anything
//! that needs the store or randomness (a ticket number, a stored ticket) leaves as an
//! [`Effect`] that the driver (`convo`) resolves, calling back into [`status`] for the words.
//! Only `convo` calls [`step`].
//!
//! May use: `calendar`, `clock`, `locale`, `model`, `script`, `text`, `validate`.

pub mod answer;
mod commands;
pub mod flow;
mod resume;
pub mod status;
#[cfg(test)]
mod tests;

use crate::calendar::Calendar;
use crate::clock::{Now, Timestamp};
use crate::model::TicketNo;
use crate::model::input::Input;
use crate::model::reply::Reply;
use crate::model::session::{Lang, Pending, Session, Value};
use crate::script::Script;
use crate::script::catalogue::Catalogue;
use crate::script::lexicon::{Command, Intent};
use std::sync::Arc;

/// Deployment settings the engine needs (from `Config`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// A dialog (draft) idle longer than this is closed at the next message.
    pub session_ttl_secs: i64,
    /// A citizen back after this long is asked to continue the draft or start anew first.
    pub resume_after_secs: i64,
    /// Invalid answers in a row before the re-prompt also offers `bantuan`/`menu`.
    pub max_misses: u8,
    pub calendar: Calendar,
    /// First digit of the kabupaten's postal codes (7 for Kalimantan), for a soft warning.
    pub postal_first_digit: Option<u8>,
    /// The script started by emergency words.
    pub emergency_script: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            session_ttl_secs: 7 * 24 * 60 * 60,
            resume_after_secs: 30 * 60,
            max_misses: 3,
            calendar: Calendar::indonesia_2026(),
            postal_first_digit: Some(7),
            emergency_script: "darurat".to_string(),
        }
    }
}

/// Everything one step may read.
pub struct Ctx<'a> {
    pub catalogue: &'a Catalogue,
    /// The session's script when its pinned version is not the catalogue's current one
    /// (resolved by the driver from the store).
    pub pinned: Option<&'a Arc<Script>>,
    pub settings: &'a Settings,
    pub now: Now,
}

/// The outcome of one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The new session; `None` if nothing worth keeping remains.
    pub session: Session,
    pub replies: Vec<Reply>,
    pub effects: Vec<Effect>,
}

/// Work only the driver can do, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Store this script version's source (once) so the session can finish on it.
    Pin { script: String, version: u32 },
    /// Insert the status of tickets at reply position `at`.
    ShowStatus { query: StatusQuery, at: usize },
    /// Create a ticket from these answers and insert the confirmation at reply position `at`.
    Submit { draft: Draft, at: usize },
    /// `perbaiki <nomor>`: if the ticket is this chat's and waits for a correction, ask for it
    /// (the driver calls [`status::begin_correction`]); insert the answer at `at`.
    BeginCorrection { ticket: TicketNo, at: usize },
    /// The citizen's correction for a ticket; insert the confirmation at `at`.
    Correct { ticket: TicketNo, value: Value, at: usize },
    /// `data saya`: insert what is held about the chat at `at`.
    ShowMyData { at: usize },
    /// `hapus data saya`, confirmed: erase the session and the personal data of closed
    /// tickets; insert what was done (and what stays, for open tickets) at `at`.
    Forget { at: usize },
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatusQuery {
    One(TicketNo),
    /// The chat's own open tickets.
    Mine,
}

/// A finished request, before it has a number.
#[derive(Debug, Clone)]
pub struct Draft {
    pub script: Arc<Script>,
    /// Answers on the path actually taken, by step id.
    pub answers: Vec<(String, Value)>,
}

impl PartialEq for Draft {
    fn eq(&self, other: &Self) -> bool {
        self.script.id == other.script.id
            && self.script.version == other.script.version
            && self.answers == other.answers
    }
}

/// True when `raw` is `value` typed again (spaces and case aside), as when a citizen insists on
/// an address pintu suspected of a typo.
fn same_text(raw: &str, value: &Value) -> bool {
    let typed: String = raw.split_whitespace().collect();
    matches!(value, Value::Text(t) if typed.trim_end_matches('.').eq_ignore_ascii_case(t))
}

/// Steps a session by one input.
pub fn step(ctx: &Ctx, session: Option<&Session>, input: Input) -> Step {
    if let Input::DraftReminder { touched } = input {
        return remind(ctx, session, touched);
    }
    let mut e = Engine {
        ctx,
        s: session.cloned().unwrap_or_default(),
        replies: Vec::new(),
        effects: Vec::new(),
        first_contact: session.is_none(),
        expired: false,
    };
    let idle = ctx.now.at.0.saturating_sub(e.s.touched.0);
    if e.s.flow.is_some() && idle > ctx.settings.session_ttl_secs {
        e.s.flow = None;
        e.s.pending = Pending::Nothing;
        e.expired = true;
        e.say(Reply::key("session-expired"));
    } else if idle > ctx.settings.resume_after_secs
        && e.s.pending != Pending::Resume
        && e.flow_script().is_some()
        && !e.urgent(&input)
    {
        // Back after a while: continue or start anew comes before anything else. The message
        // itself is not taken as an answer; "lanjutkan" re-asks the open question. (A draft
        // whose script version is gone takes the usual "start again" path instead.)
        e.s.touched = ctx.now.at;
        e.ask_resume();
        e.privacy_notice_once();
        return Step { session: e.s, replies: e.replies, effects: e.effects };
    }
    e.s.touched = ctx.now.at;
    e.handle(input);
    e.privacy_notice_once();
    Step { session: e.s, replies: e.replies, effects: e.effects }
}

/// The one reminder of a draft left idle since `touched` (issue #13 item 9): which service,
/// how much is saved, until when it is kept, and the "lanjutkan / mulai baru" choice a
/// returning citizen gets, so the answer to it is settled like theirs. No reply when there is
/// nothing to remind of: no session or draft, activity since the scan saw it, or a question
/// already waiting for the answer (an earlier reminder or resume question). The session's
/// `touched` is kept: a reminder is not the citizen's activity and does not lengthen the draft's
/// life.
pub fn remind(ctx: &Ctx, session: Option<&Session>, touched: Timestamp) -> Step {
    let s = session.cloned().unwrap_or_default();
    let mut e = Engine {
        ctx,
        s,
        replies: Vec::new(),
        effects: Vec::new(),
        first_contact: false,
        expired: false,
    };
    let due = session.is_some()
        && e.s.touched == touched
        && e.s.pending != Pending::Resume
        && ctx.now.at.0.saturating_sub(touched.0) <= ctx.settings.session_ttl_secs;
    if due && e.flow_script().is_some() {
        e.send_reminder();
    }
    Step { session: e.s, replies: e.replies, effects: e.effects }
}

/// One step in progress.
pub(crate) struct Engine<'a> {
    pub ctx: &'a Ctx<'a>,
    pub s: Session,
    pub replies: Vec<Reply>,
    pub effects: Vec<Effect>,
    pub first_contact: bool,
    /// The dialog expired at this message: what follows was meant as an answer, so it is not
    /// "not understood".
    pub expired: bool,
}

impl Engine<'_> {
    pub fn say(&mut self, r: Reply) {
        self.replies.push(r);
    }

    fn handle(&mut self, input: Input) {
        match input {
            Input::Text(raw) => self.text(&raw),
            Input::Unsupported => {
                self.say(Reply::key("unsupported-media"));
                self.resume();
            }
            // A location right after the emergency question means "yes, here it is": it is
            // both the answer and the report's location, which must not be lost.
            Input::Location { lat, lon }
                if matches!(self.s.pending, Pending::Emergency | Pending::EmergencyAbout(_)) =>
            {
                let about = match std::mem::take(&mut self.s.pending) {
                    Pending::EmergencyAbout(value) => Some(value),
                    _ => None,
                };
                self.start_emergency(about, Some((lat, lon)));
            }
            Input::Attachment(a) if matches!(self.s.pending, Pending::Correction(_)) => {
                if let Pending::Correction(no) = std::mem::take(&mut self.s.pending) {
                    let at = self.replies.len();
                    self.effects.push(Effect::Correct {
                        ticket: no,
                        value: Value::File(a.file),
                        at,
                    });
                }
            }
            // A file or location while the continue-or-restart question is open: ask it again.
            _ if self.s.pending == Pending::Resume => self.ask_resume_again(),
            other => {
                self.s.pending = Pending::Nothing;
                if self.s.flow.is_some() {
                    self.answer_input(other);
                } else {
                    self.menu(true);
                }
            }
        }
    }

    fn text(&mut self, raw: &str) {
        let raw = raw.trim();
        let lex = &self.ctx.catalogue.lexicon;
        let canon = lex.canon(raw);
        if canon.is_empty() {
            self.say(Reply::key("empty-input"));
            return self.resume();
        }
        let intent = lex.intent(&canon);
        if self.settle_pending(raw, &canon, intent.as_ref()) {
            return;
        }
        // An option's own words outrank global words: "keluar" is a cancel word, but also how a
        // citizen answers "pindah keluar atau datang?".
        if self.names_an_option(&canon) {
            return self.answer_text(raw, &canon, intent.as_ref());
        }
        // Likewise a menu entry's own title ("Darurat (112)", "Cek Status Permohonan") picks
        // that entry as its number does.
        if let Some(script) = self.menu_entry_named(&canon) {
            return self.enter(&script);
        }
        let in_emergency =
            self.flow_script().is_some_and(|s| *s.id == *self.ctx.settings.emergency_script);
        match intent.clone() {
            Some(Intent::Emergency) if !in_emergency => return self.emergency_alert(&canon),
            Some(Intent::Cancel) => return self.cancel(),
            Some(Intent::Command(cmd, arg)) if self.command(cmd, arg.as_deref(), raw) => return,
            Some(Intent::Greeting | Intent::Salam) if !self.answering_free_text() => {
                let salam = intent == Some(Intent::Salam);
                self.greet(salam);
                return if self.s.flow.is_some() { self.resume() } else { self.menu(false) };
            }
            Some(Intent::Thanks) if !self.answering_free_text() => {
                self.say(Reply::key("thanks-reply"));
                return if self.s.flow.is_some() { self.resume() } else { self.menu(false) };
            }
            _ => {}
        }
        if lex.wants_english(&canon) || lex.wants_indonesian(&canon) {
            self.s.lang = if lex.wants_english(&canon) { Lang::En } else { Lang::Id };
            self.say(Reply::key("language-set"));
            return self.resume();
        }
        if self.s.flow.is_some() {
            self.answer_text(raw, &canon, intent.as_ref());
        } else {
            self.top_level(raw, &canon);
        }
    }

    /// Answers what the previous reply asked, if this message does. True if handled.
    fn settle_pending(&mut self, raw: &str, canon: &str, intent: Option<&Intent>) -> bool {
        let pending = std::mem::take(&mut self.s.pending);
        // Confirmations are shown as "1. Ya / 2. Tidak" (buttons arrive as the number too), so
        // they take the number as well as the words.
        let answer = self.yes_no(canon, intent);
        let yes = answer == Some(true);
        let no = answer == Some(false);
        match pending {
            Pending::Nothing => false,
            Pending::Resume => self.settle_resume(canon, intent),
            Pending::Cancel if yes || intent == Some(&Intent::Cancel) => {
                self.s.flow = None;
                self.say(Reply::key("cancelled"));
                self.menu(false);
                true
            }
            Pending::Cancel if no => {
                self.say(Reply::key("cancel-kept"));
                self.resume();
                true
            }
            // "menu", then "akta kelahiran": not an answer to the open question, but the
            // service wanted instead.
            Pending::Cancel if intent.is_none() => self.switch_service(canon),
            // A warning is not numbered: a number is a new answer, only the words confirm.
            Pending::Warning(value) if intent == Some(&Intent::Yes) => {
                self.accept(value);
                true
            }
            // "tidak", "bukan", "ubah": the warned value is wrong; ask again.
            Pending::Warning(_)
                if matches!(
                    intent,
                    Some(Intent::No | Intent::Wrong | Intent::Command(Command::Edit, None))
                ) =>
            {
                self.resume();
                true
            }
            Pending::Suggestion { suggested, .. } if yes => {
                self.accept(suggested);
                true
            }
            // "tidak"/"bukan" to "maksudnya X?": not X, so what was typed is meant; the prompt
            // says so. Typing the same address again means the same.
            Pending::Suggestion { typed, .. } if no || same_text(raw, &typed) => {
                self.accept(typed);
                true
            }
            Pending::Suggestion { .. } if intent == Some(&Intent::Command(Command::Edit, None)) => {
                self.resume();
                true
            }
            Pending::Emergency if yes => {
                self.start_emergency(None, None);
                true
            }
            Pending::EmergencyAbout(value) if yes => {
                self.start_emergency(Some(value), None);
                true
            }
            Pending::Emergency | Pending::EmergencyAbout(_) if no => {
                self.say(Reply::key("emergency-declined"));
                self.resume();
                true
            }
            Pending::Forget if yes => {
                self.s.flow = None;
                self.effects.push(Effect::Forget { at: self.replies.len() });
                true
            }
            Pending::Forget if no => {
                self.say(Reply::key("forget-kept"));
                self.resume();
                true
            }
            Pending::Clarify(ids) => self.settle_clarify(&ids, canon),
            // A correction is any text that is not a command.
            Pending::Correction(no)
                if !matches!(intent, Some(Intent::Command(..) | Intent::Cancel)) =>
            {
                let value = Value::Text(raw.split_whitespace().collect::<Vec<_>>().join(" "));
                self.effects.push(Effect::Correct { ticket: no, value, at: self.replies.len() });
                true
            }
            Pending::Language => {
                let lex = &self.ctx.catalogue.lexicon;
                let lang = match lex.option_number(canon, 2) {
                    Some(1) => Some(Lang::Id),
                    Some(2) => Some(Lang::En),
                    _ if lex.wants_english(canon) => Some(Lang::En),
                    _ if lex.wants_indonesian(canon) => Some(Lang::Id),
                    _ => None,
                };
                let Some(lang) = lang else { return false };
                self.s.lang = lang;
                self.say(Reply::key("language-set"));
                self.resume();
                true
            }
            // Anything else is a fresh message: the question is dropped.
            _ => false,
        }
    }

    /// The answer to a question shown with the choices "1. Ya / 2. Tidak": its words, or the
    /// number of its choice (typed, or a tapped button, which channels send as the number).
    fn yes_no(&self, canon: &str, intent: Option<&Intent>) -> Option<bool> {
        match intent {
            Some(Intent::Yes) => Some(true),
            Some(Intent::No | Intent::Wrong) => Some(false),
            Some(_) => None,
            None => self.numbered_yes_no(canon),
        }
    }

    /// `1` (Ya) or `2` (Tidak), typed or tapped, for every question shown with those choices.
    pub(crate) fn numbered_yes_no(&self, canon: &str) -> Option<bool> {
        match self.ctx.catalogue.lexicon.option_number(canon, 2)? {
            1 => Some(true),
            _ => Some(false),
        }
    }

    /// An emergency is never held back behind the continue-or-restart question.
    fn urgent(&self, input: &Input) -> bool {
        let Input::Text(raw) = input else { return false };
        let lex = &self.ctx.catalogue.lexicon;
        lex.intent(&lex.canon(raw)) == Some(Intent::Emergency)
    }

    /// The script the current flow runs on, if it can still be resolved.
    pub fn flow_script(&self) -> Option<Arc<Script>> {
        let flow = self.s.flow.as_ref()?;
        if let Some(p) = self.ctx.pinned
            && *p.id == *flow.script
            && p.version == flow.version
        {
            return Some(p.clone());
        }
        self.ctx.catalogue.script(&flow.script).filter(|s| s.version == flow.version).cloned()
    }
}
