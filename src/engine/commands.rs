//! Global commands (menu, batal, kembali, bantuan, status, bahasa), greetings, the privacy
//! notice, the main menu and free text at the menu (routing to a service).

use super::flow;
use super::{Effect, Engine, StatusQuery};
use crate::model::TicketNo;
use crate::model::input::Input;
use crate::model::reply::{self, Msg, Reply};
use crate::model::session::{self, Pending, StepIdx};
use crate::script::lexicon::Command;
use crate::script::router::{self, Decision};
use crate::script::{Opt, Script, StepKind};
use std::sync::Arc;

impl Engine<'_> {
    /// Runs a global command; false if it does not apply here and the text is an answer.
    /// `arg` is the canonical text after the command's words; `raw` the whole message as typed.
    pub(super) fn command(&mut self, cmd: Command, arg: Option<&str>, raw: &str) -> bool {
        match cmd {
            Command::Menu => {
                if self.has_answers() {
                    self.ask_cancel();
                } else {
                    self.s.flow = None;
                    self.menu(false);
                }
            }
            Command::Back => self.back(),
            Command::Help => self.help(),
            Command::Status => return self.status_command(arg, raw),
            Command::Language => {
                self.s.pending = Pending::Language;
                let mut r = Reply::key("language-ask");
                r.choices = vec![Msg::new("language-id"), Msg::new("language-en")];
                self.say(r);
            }
            Command::Edit => return self.edit(arg),
            Command::Fix => return self.fix_command(arg, raw),
            Command::MyData => {
                self.effects.push(Effect::ShowMyData { at: self.replies.len() });
                // What is held, then why and for whom: the notice `bantuan` no longer repeats.
                self.say(Reply::key("privacy-notice"));
                self.s.noticed = true;
            }
            Command::Forget => self.ask_yes_no("forget-confirm", Pending::Forget),
            Command::Skip => self.skip(),
        }
        true
    }

    /// Where a command's argument begins in what the citizen typed: the longest tail of `raw`
    /// whose canonical form is `arg`, or all of `raw` when none is (punctuation glued the
    /// command to it). Ticket numbers are read from there, not from `arg`: the canonical form
    /// shortens letter runs ("ZM8H-SSS2" becomes "zm8h s2") and expands abbreviations, which
    /// breaks a number; and the command's own words stay out of it ("cek" + "K7Q4M" could pass
    /// as a number).
    fn typed_argument<'r>(&self, raw: &'r str, arg: &str) -> &'r str {
        let lex = &self.ctx.catalogue.lexicon;
        let mut rest = raw.trim();
        while !rest.is_empty() {
            if lex.canon(rest) == arg {
                return rest;
            }
            rest = rest.split_once(char::is_whitespace).map_or("", |(_, r)| r.trim_start());
        }
        raw
    }

    pub(super) fn status_command(&mut self, arg: Option<&str>, raw: &str) -> bool {
        // Inside a free-text answer "status ..." is just words.
        if self.answering_free_text() && arg.is_some() {
            return false;
        }
        let prefixes = self.ctx.catalogue.ticket_prefixes();
        let query = match arg {
            None => StatusQuery::Mine,
            Some(a) => {
                let typed = self.typed_argument(raw, a);
                match TicketNo::find_in(typed, &prefixes) {
                    Some(no) => StatusQuery::One(no),
                    // "cek status permohonan saya": words, not a mistyped number.
                    None if !a.chars().any(|c| c.is_ascii_digit()) => StatusQuery::Mine,
                    // Why the number is wrong, as typed ("K7Q4-M9XT?" fails its check).
                    None => match TicketNo::parse(
                        typed.trim_matches(|c: char| !c.is_alphanumeric()),
                        &prefixes,
                    ) {
                        Ok(no) => StatusQuery::One(no),
                        Err(e) => {
                            self.miss(Msg::new(e.message_id()));
                            return true;
                        }
                    },
                }
            }
        };
        self.effects.push(Effect::ShowStatus { query, at: self.replies.len() });
        if self.s.flow.is_some() {
            self.resume();
        }
        true
    }

    /// `perbaiki <nomor>`: the driver checks the ticket and asks for the correction.
    pub(super) fn fix_command(&mut self, arg: Option<&str>, raw: &str) -> bool {
        if self.answering_free_text() {
            return false;
        }
        let prefixes = self.ctx.catalogue.ticket_prefixes();
        match arg.and_then(|a| TicketNo::find_in(self.typed_argument(raw, a), &prefixes)) {
            Some(ticket) => {
                self.effects.push(Effect::BeginCorrection { ticket, at: self.replies.len() })
            }
            None => self.miss(Msg::new("fix-which")),
        }
        true
    }

    pub(super) fn cancel(&mut self) {
        if self.has_answers() {
            self.ask_cancel();
        } else if self.s.flow.take().is_some() {
            self.say(Reply::key("cancelled"));
            self.menu(false);
        } else {
            self.say(Reply::key("nothing-to-cancel"));
            self.menu(false);
        }
    }

    pub(super) fn ask_cancel(&mut self) {
        self.ask_yes_no("cancel-confirm", Pending::Cancel);
    }

    /// Asks a confirmation shown as "1. Ya / 2. Tidak"; `settle_pending` takes its answer, by
    /// word or by number, whatever state the chat is in.
    pub(super) fn ask_yes_no(&mut self, key: &str, pending: Pending) {
        let mut r = Reply::key(key);
        r.choices = vec![Msg::new("choice-yes"), Msg::new("choice-no")];
        self.say(r);
        self.s.pending = pending;
    }

    /// The cancel confirmation is open and the citizen named a service instead of answering:
    /// cancel this request and start that one. False if the words name no service (they are
    /// then a fresh message, as before).
    pub(super) fn switch_service(&mut self, canon: &str) -> bool {
        let Some(script) = self.ctx.catalogue.route(canon).cloned() else {
            return false;
        };
        // The service being filled in: nothing to cancel, carry on with it.
        if self.s.flow.as_ref().is_some_and(|f| *f.script == *script.id) {
            self.say(Reply::key("cancel-kept"));
            self.resume();
            return true;
        }
        self.s.flow = None;
        let title = Msg::new(script.title_key());
        self.say(Reply::msg(Msg::new("switched").arg("layanan", title)));
        self.enter(&script);
        self.preselect(canon);
        true
    }

    pub(super) fn has_answers(&self) -> bool {
        self.s.flow.as_ref().is_some_and(|f| !f.answers.is_empty())
    }

    /// The 112 block, then "is this an emergency?". What the message already says happened
    /// ("tolong ada kebakaran") is remembered across that question, so the report does not ask
    /// it again.
    pub(super) fn emergency_alert(&mut self, canon: &str) {
        self.say(Reply::key("emergency-alert"));
        let pending = match self.emergency_kind(canon) {
            Some(value) => Pending::EmergencyAbout(value),
            None => Pending::Emergency,
        };
        self.ask_yes_no("emergency-confirm", pending);
    }

    /// The option of the emergency report's first choice ("what happened?") that the message
    /// names, by its `value`.
    fn emergency_kind(&self, canon: &str) -> Option<String> {
        let script = self.ctx.catalogue.script(&self.ctx.settings.emergency_script)?;
        let (_, opts) = first_choice(script)?;
        option_named(opts, canon).map(|i| opts[i].value.to_string())
    }

    /// Starts the emergency report after the citizen confirmed (by word, number or by sending
    /// a location). `about` is the option already named; `location` the one already sent.
    pub(super) fn start_emergency(&mut self, about: Option<String>, location: Option<(f64, f64)>) {
        let id = self.ctx.settings.emergency_script.clone();
        let Some(script) = self.ctx.catalogue.script(&id).cloned() else {
            return self.menu(false);
        };
        // The 112 block was shown a moment ago; don't repeat it.
        self.begin(&script, false);
        let named = about.and_then(|value| {
            let (idx, opts) = first_choice(&script)?;
            Some((idx, opts.iter().position(|o| *o.value == *value)?))
        });
        if let Some((idx, i)) = named {
            let understood = self.preset(&script, idx, i);
            self.say(understood);
        }
        let Some((lat, lon)) = location else {
            return self.advance();
        };
        let Some(flow) = self.s.flow.as_mut() else {
            return self.advance();
        };
        let at = match flow::walk(&script, flow).0 {
            flow::Stop::Ask(i)
                if matches!(script.step(i).map(|s| &s.kind), Some(StepKind::Location)) =>
            {
                i
            }
            _ => return self.advance(),
        };
        flow.at = at;
        self.answer_input(Input::Location { lat, lon });
        // Refused (outside Indonesia): the reason was given; ask for the location again.
        let unanswered = self.s.flow.as_ref().is_some_and(|f| f.at == at && f.answer(at).is_none());
        if unanswered && self.s.pending == Pending::Nothing {
            self.ask(&script, at);
        }
    }

    /// Short help for where the citizen is: what to type here, and the few commands that
    /// matter (the privacy notice has its own place: first contact, and `data saya`).
    pub(super) fn help(&mut self) {
        let Some(script) = self.flow_script() else {
            self.say(Reply::key("help"));
            return self.menu(false);
        };
        let at = self.s.flow.as_ref().map_or(0, |f| f.at);
        let step = script.step(at);
        let here = match step.map(|s| &s.kind) {
            Some(StepKind::Choice(_)) => "help-answer-choice",
            Some(StepKind::YesNo { .. }) => "help-answer-yesno",
            Some(StepKind::Photo { .. }) => "help-answer-photo",
            Some(StepKind::Document { .. }) => "help-answer-document",
            Some(StepKind::Location) => "help-answer-location",
            Some(StepKind::Summary) => "help-answer-summary",
            Some(StepKind::Number { .. }) => "help-answer-number",
            Some(StepKind::Date { .. }) => "help-answer-date",
            _ => "help-answer-text",
        };
        let mut r = Reply::msg(Msg::new("help-in-flow").arg("jawab", Msg::new(here)));
        if step.is_some_and(|s| s.optional) {
            r = r.line(Msg::new("help-skip"));
        }
        self.say(r.line(Msg::new("help-commands")));
        self.resume();
    }

    /// Every chat sees the privacy notice at its first contact, whatever it starts with: after
    /// a greeting or the emergency numbers, before anything else.
    pub(super) fn privacy_notice_once(&mut self) {
        if self.s.noticed {
            return;
        }
        self.s.noticed = true;
        let leading = |r: &Reply| match r.body.first() {
            Some(reply::Piece::Msg(m)) => {
                m.key.starts_with("greeting")
                    || m.key.starts_with("emergency-")
                    || m.key == "session-expired"
            }
            _ => false,
        };
        let at = self.replies.iter().take_while(|r| leading(r)).count();
        self.replies.insert(at, Reply::key("privacy-notice"));
        for effect in &mut self.effects {
            if let Effect::ShowStatus { at: pos, .. } | Effect::Submit { at: pos, .. } = effect
                && *pos >= at
            {
                *pos += 1;
            }
        }
    }

    pub(super) fn greet(&mut self, salam: bool) {
        let hour = self.ctx.now.time_of_day().hour();
        let part = match hour {
            4..=10 => "time-pagi",
            11..=14 => "time-siang",
            15..=17 => "time-sore",
            _ => "time-malam",
        };
        let key = if salam { "greeting-salam" } else { "greeting" };
        self.say(Reply::msg(Msg::new(key).arg("waktu", Msg::new(part))));
    }

    /// Shows the main menu; on first contact greets and shows the privacy notice first.
    pub fn menu(&mut self, greet_if_new: bool) {
        if self.first_contact && greet_if_new {
            self.greet(false);
        }
        let mut r = Reply::key("menu-intro");
        r.choices = self.ctx.catalogue.menu.iter().map(|s| Msg::new(s.title_key())).collect();
        r.footer = Some(Msg::new("menu-hint"));
        self.say(r);
    }

    /// Free text at the menu: a number, a service's words, or a service that is not ours.
    pub(super) fn top_level(&mut self, raw: &str, canon: &str) {
        let cat = self.ctx.catalogue;
        if let Some(n) = cat.lexicon.option_number(canon, cat.menu.len()) {
            let script = cat.menu[n - 1].clone();
            return self.enter(&script);
        }
        // A valid ticket number anywhere ("kapan tiket K7Q4-M9XS jadi?") asks about it. Words
        // pass the check symbol once in 31, so a number without digits counts only if no part
        // of it is a real word ("MANA SAJA" is not a ticket). Looked for as typed: the
        // canonical form can break a number (see `typed_argument`).
        let prefixes = cat.ticket_prefixes();
        if let Some(no) = TicketNo::find_in(raw, &prefixes).filter(|no| {
            let s = no.as_str().to_lowercase();
            s.chars().any(|c| c.is_ascii_digit())
                || ![&s[..], &s[..4], &s[4..]].iter().any(|w| router::is_real_word(w))
        }) {
            let query = StatusQuery::One(no);
            return self.effects.push(Effect::ShowStatus { query, at: self.replies.len() });
        }
        let emergency = self.ctx.settings.emergency_script.as_str();
        let routed = cat.routed(canon, Some(emergency));
        // Thanks that praise a service ("makasih, jadi gampang urus izin usaha") close a
        // conversation; they ask for nothing.
        if routed.request_cues.is_empty()
            && routed.status.1.is_empty()
            && cat.lexicon.opens_with_thanks(canon)
        {
            self.say(Reply::key("thanks-reply"));
            return self.menu(false);
        }
        match routed.decision {
            // The emergency report starts with the 112 block and "is this an emergency?": a
            // flood or an accident told in a story may be long over.
            Decision::Service(script) if *script.id == *emergency => {
                return self.emergency_alert(canon);
            }
            Decision::Service(script) => {
                self.enter(&script);
                return self.preselect(canon);
            }
            // A status question about another institution's service ("perpanjang SIM kok
            // lama") gets where to go, not our status flow.
            Decision::Status(_) if cat.elsewhere_exactly(canon) => {}
            // "kapan ktp sy jadi?": the chat's own requests at once (the reply says how to ask
            // about a ticket number from elsewhere).
            Decision::Status(_) => {
                let query = StatusQuery::Mine;
                return self.effects.push(Effect::ShowStatus { query, at: self.replies.len() });
            }
            Decision::Clarify(candidates) => return self.clarify(&candidates),
            Decision::Nothing => {}
        }
        // As typed when the canonical form shortened it ("ZM8H-SSS3" is "zm8h s3").
        if let Some(query) = self.ticket_typed_alone(canon).or_else(|| self.ticket_typed_alone(raw))
        {
            match query {
                Ok(no) => self.effects.push(Effect::ShowStatus {
                    query: StatusQuery::One(no),
                    at: self.replies.len(),
                }),
                Err(e) => self.say(Reply::key(e.message_id())),
            }
            return;
        }
        if let Some(msg) = cat.elsewhere_for(canon) {
            self.say(Reply::key("elsewhere-intro").line(Msg::new(msg)));
            return self.menu(false);
        }
        // "Selamat siang, Admin ...", "Assalamualaikum, malam Bapak": a greeting with
        // nothing else understood is a greeting.
        if let Some(salam) = cat.lexicon.opens_with_greeting(canon) {
            self.greet(salam);
            return self.menu(false);
        }
        if self.first_contact {
            self.greet(false);
        }
        if !self.expired {
            self.say(Reply::key("not-understood"));
        }
        self.menu(false);
    }

    /// Several services fit about equally: ask which one, naming them as numbered choices.
    fn clarify(&mut self, candidates: &[Arc<Script>]) {
        let mut r = Reply::key("clarify-which");
        r.choices = candidates.iter().map(|s| Msg::new(s.title_key())).collect();
        r.footer = Some(Msg::new("clarify-hint"));
        self.say(r);
        self.s.pending = Pending::Clarify(candidates.iter().map(|s| s.id.to_string()).collect());
    }

    /// The answer to [`Engine::clarify`]: a number, a button, or words that name one of the
    /// services asked about. False if the message is something else (it is then read afresh).
    pub(super) fn settle_clarify(&mut self, ids: &[String], canon: &str) -> bool {
        let cat = self.ctx.catalogue;
        let candidates: Vec<Arc<Script>> =
            ids.iter().filter_map(|id| cat.script(id).cloned()).collect();
        let chosen = match cat.lexicon.option_number(canon, candidates.len()) {
            Some(n) => candidates.get(n - 1).cloned(),
            None => cat
                .router
                .pick_among(canon, &cat.lexicon, ids)
                .and_then(|i| cat.script(&ids[i]).cloned()),
        };
        let Some(script) = chosen else { return false };
        self.enter(&script);
        true
    }

    /// A message that is only a ticket number ("K7Q4-M9XS", "k7q4 m9xs") asks for its status;
    /// one that looks like a number but is not valid gets the reason.
    pub(super) fn ticket_typed_alone(
        &self,
        canon: &str,
    ) -> Option<Result<TicketNo, crate::model::TicketNoError>> {
        let compact: String =
            canon.chars().filter(|c| !matches!(c, ' ' | '-' | '#' | '.')).collect();
        let looks = compact.len() == 8
            && compact.chars().all(|c| c.is_ascii_alphanumeric())
            && compact.chars().any(|c| c.is_ascii_digit())
            && compact.chars().any(|c| c.is_ascii_alphabetic());
        looks.then(|| TicketNo::parse(&compact, &[]))
    }

    /// At the menu: the entry whose title, as the menu shows it, is the whole message.
    pub(super) fn menu_entry_named(&self, canon: &str) -> Option<Arc<Script>> {
        if self.s.flow.is_some() {
            return None;
        }
        let cat = self.ctx.catalogue;
        // Titles are among a script's keywords: only those scripts are worth rendering.
        cat.menu
            .iter()
            .filter(|s| s.keywords.iter().any(|k| k == canon))
            .find(|s| self.is_title_of(s, canon))
            .cloned()
    }

    /// Is the message exactly the service's title, in either language?
    fn is_title_of(&self, script: &Script, canon: &str) -> bool {
        script.titles.iter().any(|t| t == canon)
    }

    /// Is the question a choice, and the message exactly one of its options' words?
    pub(super) fn names_an_option(&self, canon: &str) -> bool {
        let Some(script) = self.flow_script() else {
            return false;
        };
        let at = self.s.flow.as_ref().map_or(0, |f| f.at);
        match script.step(at).map(|s| &s.kind) {
            Some(StepKind::Choice(opts)) => {
                opts.iter().any(|o| o.matches.iter().any(|m| m == canon))
            }
            // "tidak ada" is a skip word elsewhere, but here it answers the question: no.
            Some(StepKind::YesNo { .. }) => self.ctx.catalogue.lexicon.yes_no(canon).is_some(),
            _ => false,
        }
    }

    /// "ktp saya hilang" already answers "what do you need?": when the first question is a
    /// choice and exactly one option's words appear in the message, take it instead of asking.
    /// The emergency report asks the location first: "ada kebakaran" answers its later "what
    /// happened?", which is then not asked.
    pub(super) fn preselect(&mut self, canon: &str) {
        let Some(script) = self.flow_script() else {
            return;
        };
        let Some(at) = self.s.flow.as_ref().map(|f| f.at) else {
            return;
        };
        let Some(step) = script.step(at) else {
            return;
        };
        // The service's own name, as the menu shows it ("Laporan Jalan, Lampu Jalan, ..."),
        // picks the service like its number does, and nothing inside it.
        if self.is_title_of(&script, canon) {
            return;
        }
        if let StepKind::Choice(opts) = &step.kind {
            if let Some(i) = option_named(opts, canon) {
                let label = Msg::new(script.option_key(step, &opts[i]));
                // The question was already asked in this reply: replace it by what was understood.
                self.replies.pop();
                self.say(Reply::msg(Msg::new("understood-choice").arg("pilihan", label)));
                self.accept(session::Value::Choice(i as u16));
            }
        } else if *script.id == *self.ctx.settings.emergency_script {
            let Some((idx, opts)) = first_choice(&script) else {
                return;
            };
            if let Some(i) = option_named(opts, canon) {
                let understood = self.preset(&script, idx, i);
                // Said before the question just asked, which stays the last message.
                let pos = self.replies.len().saturating_sub(1);
                self.replies.insert(pos, understood);
            }
        }
    }

    /// Records option `i` of choice step `idx` ahead of time (the walk then passes that step
    /// without asking) and returns the reply saying so. It goes first in the answers, so
    /// `kembali` undoes what the citizen typed before it.
    fn preset(&mut self, script: &Script, idx: StepIdx, i: usize) -> Reply {
        let label = match script.step(idx).map(|s| (s, &s.kind)) {
            Some((step, StepKind::Choice(opts))) => Msg::new(script.option_key(step, &opts[i])),
            _ => Msg::new(script.title_key()),
        };
        if let Some(flow) = self.s.flow.as_mut() {
            let value = session::Value::Choice(i as u16);
            flow.answers.retain(|a| a.step != idx);
            flow.answers.insert(0, session::Answer { step: idx, value });
        }
        Reply::msg(Msg::new("understood-choice").arg("pilihan", label))
    }
}

/// The script's first choice step, with its options.
fn first_choice(script: &Script) -> Option<(StepIdx, &[Opt])> {
    script.steps.iter().enumerate().find_map(|(i, step)| match &step.kind {
        StepKind::Choice(opts) => Some((StepIdx::try_from(i).ok()?, &opts[..])),
        _ => None,
    })
}

/// The one option whose words occur in the message: each option's longest phrase found wins
/// ("lampu jalan" beats "jalan"); a tie between options is no answer.
fn option_named(opts: &[Opt], canon: &str) -> Option<usize> {
    let words: Vec<&str> = canon.split(' ').collect();
    let found: Vec<(usize, usize)> = (0..opts.len())
        .filter_map(|i| {
            let m = opts[i].matches.iter().filter(|m| m.len() >= 4);
            let best = m
                .filter(|m| crate::script::catalogue::contains_exact(&words, m))
                .map(|m| m.len())
                .max()?;
            Some((best, i))
        })
        .collect();
    let longest = found.iter().map(|&(len, _)| len).max().unwrap_or(0);
    let hits: Vec<usize> =
        found.iter().filter(|&&(len, _)| len == longest).map(|&(_, i)| i).collect();
    match hits[..] {
        [i] => Some(i),
        _ => None,
    }
}
