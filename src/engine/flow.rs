//! Moving through a script: entering it, finding the next question on the path the answers
//! chose, going back, skipping, editing from the summary, finishing.

use super::{Draft, Effect, Engine, StatusQuery};
use crate::model::TicketNo;
use crate::model::reply::{FieldValue, Hint, Msg, Piece, Reply};
use crate::model::session::Lang;
use crate::model::session::{Answer, Flow, Pending, StepIdx, Value};
use crate::script::{Action, CondValue, Condition, Script, Step, StepKind};
use crate::text::{edit_distance, normalize_phrase, typo_budget};
use std::sync::Arc;

/// Where the path through a script currently stops.
pub(crate) enum Stop {
    Ask(StepIdx),
    Summary(StepIdx),
    End(StepIdx),
    /// Past the last step.
    Done,
}

/// Follows the answers from the first step: skips steps whose condition fails, takes branches,
/// and stops at the first question without an answer. Also returns the answered steps on the
/// path, which are what gets submitted (answers left on an abandoned branch are not).
pub(crate) fn walk(script: &Script, flow: &Flow) -> (Stop, Vec<StepIdx>) {
    let mut path = Vec::new();
    let mut i: usize = 0;
    // A `next:` pointing backwards could loop over answered steps; no path is longer than
    // visiting every step twice.
    for _ in 0..=script.steps.len() * 2 {
        let Some(step) = script.steps.get(i) else {
            return (Stop::Done, path);
        };
        let idx = i as StepIdx;
        if step.when.as_ref().is_some_and(|c| !holds(c, flow)) {
            i += 1;
            continue;
        }
        match step.kind {
            StepKind::Summary => return (Stop::Summary(idx), path),
            StepKind::End => return (Stop::End(idx), path),
            _ => {}
        }
        let Some(value) = flow.answer(idx) else {
            return (Stop::Ask(idx), path);
        };
        path.push(idx);
        i = usize::from(next_after(step, value).unwrap_or(idx + 1));
    }
    (Stop::Done, path)
}

fn next_after(step: &Step, value: &Value) -> Option<StepIdx> {
    let branch = match (&step.kind, value) {
        (StepKind::Choice(opts), Value::Choice(i)) => {
            opts.get(usize::from(*i)).and_then(|o| o.next)
        }
        (StepKind::YesNo { yes, .. }, Value::Yes(true)) => *yes,
        (StepKind::YesNo { no, .. }, Value::Yes(false)) => *no,
        _ => None,
    };
    branch.or(step.next)
}

fn holds(cond: &Condition, flow: &Flow) -> bool {
    let actual = match flow.answer(cond.step) {
        Some(Value::Choice(i)) => Some(CondValue::Option(*i)),
        Some(Value::Yes(b)) => Some(CondValue::Yes(*b)),
        _ => None,
    };
    let matched = actual.is_some_and(|a| cond.any_of.contains(&a));
    matched != cond.negate
}

impl Engine<'_> {
    /// Starts a script at its beginning, pinned to its current version. The intro is left out
    /// when the citizen has just seen the same words (the emergency block).
    pub fn enter(&mut self, script: &Arc<Script>) {
        self.enter_with(script, true);
    }

    pub fn enter_with(&mut self, script: &Arc<Script>, intro: bool) {
        self.begin(script, intro);
        self.advance();
    }

    /// Opens a flow on the script without asking anything yet (answers known in advance can
    /// be added before the first question).
    pub fn begin(&mut self, script: &Arc<Script>, intro: bool) {
        self.s.flow = Some(Flow {
            script: script.id.to_string(),
            version: script.version,
            at: 0,
            answers: Vec::new(),
            editing: false,
            started: self.ctx.now.at,
        });
        self.s.misses = 0;
        self.effects.push(Effect::Pin { script: script.id.to_string(), version: script.version });
        if script.intro && intro {
            self.say(Reply::key(&format!("{}-intro", script.id)));
        }
    }

    /// Asks the next question, shows the summary, or finishes.
    pub fn advance(&mut self) {
        let Some(script) = self.flow_script() else {
            return self.lost_script();
        };
        let Some(flow) = self.s.flow.as_mut() else {
            return self.menu(false);
        };
        flow.editing = false;
        let (stop, path) = walk(&script, flow);
        match stop {
            Stop::Ask(i) => {
                flow.at = i;
                self.ask(&script, i);
            }
            Stop::Summary(i) => {
                flow.at = i;
                self.summary(&script, i, &path);
            }
            Stop::End(i) => {
                self.s.flow = None;
                if let Some(step) = script.step(i) {
                    self.say(Reply::key(&script.prompt_key(step)));
                }
            }
            Stop::Done => self.finish(&script, &path),
        }
    }

    /// Re-asks whatever is waiting (after help, status, an unsupported message, ...).
    pub fn resume(&mut self) {
        match self.s.flow.as_ref() {
            None => {}
            Some(_) => {
                let Some(script) = self.flow_script() else {
                    return self.lost_script();
                };
                let at = self.s.flow.as_ref().map_or(0, |f| f.at);
                match script.step(at).map(|s| &s.kind) {
                    Some(StepKind::Summary) => {
                        let (_, path) = self
                            .s
                            .flow
                            .as_ref()
                            .map(|f| walk(&script, f))
                            .unwrap_or((Stop::Done, Vec::new()));
                        self.summary(&script, at, &path);
                    }
                    _ => self.ask(&script, at),
                }
            }
        }
    }

    /// The session's script version is gone (its source could not be found): start over.
    fn lost_script(&mut self) {
        self.s.flow = None;
        self.say(Reply::key("script-updated"));
        self.menu(false);
    }

    pub fn ask(&mut self, script: &Script, i: StepIdx) {
        let Some(step) = script.step(i) else { return };
        let mut r = Reply::key(&script.prompt_key(step));
        match &step.kind {
            StepKind::Choice(opts) => {
                r.choices = opts.iter().map(|o| Msg::new(script.option_key(step, o))).collect()
            }
            StepKind::YesNo { .. } => {
                r.choices = vec![Msg::new("choice-yes"), Msg::new("choice-no")]
            }
            StepKind::Location => r.hint = Hint::Location,
            StepKind::Phone { .. } => r.hint = Hint::Contact,
            StepKind::Photo { .. } => r.hint = Hint::Photo,
            StepKind::Document { .. } => r.hint = Hint::Document,
            _ => {}
        }
        self.say(r);
    }

    /// The numbered answers under the summary step's own heading (admins word it per service).
    fn summary(&mut self, script: &Script, at: StepIdx, path: &[StepIdx]) {
        let heading = script.step(at).map_or_else(|| script.title_key(), |s| script.prompt_key(s));
        let mut r = Reply::key(&heading);
        for (n, &i) in path.iter().enumerate() {
            let (Some(step), Some(flow)) = (script.step(i), self.s.flow.as_ref()) else {
                continue;
            };
            let Some(value) = flow.answer(i) else {
                continue;
            };
            let label = Msg::new(format!("{}.label", script.prompt_key(step)));
            r.body.push(Piece::Field { n: n + 1, label, value: show(script, step, value) });
        }
        r.body.push(Piece::Msg(Msg::new("summary-confirm")));
        self.say(r);
    }

    /// Past the last step: submit, show a status, or just close.
    fn finish(&mut self, script: &Arc<Script>, path: &[StepIdx]) {
        let Some(flow) = self.s.flow.take() else {
            return;
        };
        match script.action {
            Action::Submit => self.submit(script, &flow, path),
            Action::Status => {
                let no = flow.answers.iter().find_map(|a| match &a.value {
                    Value::Text(t) => TicketNo::parse(t, &[]).ok(),
                    _ => None,
                });
                let query = no.map_or(StatusQuery::Mine, StatusQuery::One);
                self.effects.push(Effect::ShowStatus { query, at: self.replies.len() });
            }
            Action::Inform => self.menu(false),
        }
    }

    /// Hands the answers on the path to the driver, which creates the ticket.
    pub fn submit(&mut self, script: &Arc<Script>, flow: &Flow, path: &[StepIdx]) {
        let answers = path
            .iter()
            .filter_map(|&i| Some((script.step(i)?.id.to_string(), flow.answer(i)?.clone())))
            .collect();
        let at = self.replies.len();
        self.effects.push(Effect::Submit { draft: Draft { script: script.clone(), answers }, at });
    }

    /// Keeps a validated answer and moves on.
    pub fn accept(&mut self, value: Value) {
        let Some(flow) = self.s.flow.as_mut() else {
            return;
        };
        let step = flow.at;
        flow.answers.retain(|a| a.step != step);
        flow.answers.push(Answer { step, value });
        self.s.misses = 0;
        self.advance();
    }

    /// Refuses an answer with a reason; after several misses also offers help, in the same
    /// message: with the question asked again, a failed answer never costs more than two.
    pub fn miss(&mut self, why: Msg) {
        self.s.misses = self.s.misses.saturating_add(1);
        let mut r = Reply::msg(why);
        if self.s.misses >= self.ctx.settings.max_misses {
            r = r.line(Msg::new("stuck"));
        }
        self.say(r);
    }

    /// `kembali`: undo the last answer and ask that question again.
    pub fn back(&mut self) {
        let Some(flow) = self.s.flow.as_mut() else {
            return self.menu(false);
        };
        if flow.editing {
            return self.advance();
        }
        // Undo answers until the question changes: an answer given in advance (the emergency
        // kind named in the first message) or one left on an abandoned branch is not what the
        // citizen sees as "the previous question".
        let before = flow.at;
        let script = self.flow_script();
        loop {
            let Some(flow) = self.s.flow.as_mut() else { return };
            if flow.answers.pop().is_none() {
                self.s.flow = None;
                self.say(Reply::key("back-at-start"));
                return self.menu(false);
            }
            let moved = match script.as_deref().map(|s| walk(s, flow).0) {
                Some(Stop::Ask(i) | Stop::Summary(i) | Stop::End(i)) => i != before,
                _ => true,
            };
            if moved {
                return self.advance();
            }
        }
    }

    /// `lewati` on an optional step.
    pub fn skip(&mut self) {
        let Some(script) = self.flow_script() else {
            return self.menu(false);
        };
        let at = self.s.flow.as_ref().map_or(0, |f| f.at);
        match script.step(at) {
            Some(step) if step.optional => self.accept(Value::Skipped),
            // Nothing to skip at the summary: say how to send or correct, as for any other word.
            Some(step) if matches!(step.kind, StepKind::Summary) => {
                self.miss(Msg::new("summary-how-to-edit"))
            }
            Some(_) => {
                self.miss(Msg::new("skip-not-allowed"));
                self.ask(&script, at);
            }
            None => self.menu(false),
        }
    }

    /// `ubah N` at the summary. False when not at a summary (the words may be an answer).
    pub fn edit(&mut self, arg: Option<&str>) -> bool {
        let Some(script) = self.flow_script() else {
            return false;
        };
        let Some(flow) = self.s.flow.as_ref() else {
            return false;
        };
        if !matches!(script.step(flow.at).map(|s| &s.kind), Some(StepKind::Summary)) {
            return false;
        }
        let (_, path) = walk(&script, flow);
        let lex = &self.ctx.catalogue.lexicon;
        let n = match arg {
            Some(a) => match lex.option_number(a, path.len()) {
                Some(n) => Some(n),
                None => match self.field_by_label(&script, &path, a)[..] {
                    [] => {
                        let jumlah = path.len() as i64;
                        self.miss(Msg::new("edit-not-found").arg("jumlah", jumlah));
                        return true;
                    }
                    [n] => Some(n),
                    ref several => {
                        // "ubah nomor" with a KK and a phone number: ask which, by number.
                        let mut r = Reply::key("edit-ambiguous");
                        for &n in several {
                            let step = script.step(path[n - 1]);
                            let label = step.map_or_else(
                                || Msg::new(script.title_key()),
                                |s| Msg::new(format!("{}.label", script.prompt_key(s))),
                            );
                            r = r.line(
                                Msg::new("edit-option").arg("nomor", n as i64).arg("label", label),
                            );
                        }
                        self.say(r);
                        return true;
                    }
                },
            },
            None => None,
        };
        let Some(n) = n else {
            self.miss(Msg::new("edit-which").arg("jumlah", path.len() as i64));
            return true;
        };
        let i = path[n - 1];
        if let Some(flow) = self.s.flow.as_mut() {
            flow.at = i;
            flow.editing = true;
        }
        if let (Some(step), Some(v)) =
            (script.step(i), self.s.flow.as_ref().and_then(|f| f.answer(i)))
        {
            let shown = show(&script, step, v);
            let current = match shown {
                FieldValue::Text(t) => Msg::new("edit-current").arg("nilai", t),
                FieldValue::Msg(m) => Msg::new("edit-current").arg("nilai", m),
            };
            self.say(Reply::msg(current));
        }
        self.ask(&script, i);
        true
    }

    /// `ubah nomor hp`: the summary lines (1-based) whose label, as shown in the summary in
    /// either language, best matches the words. Every word must match a word of the label:
    /// exactly, by a small typo in a long word, or as an abbreviation (`no` for nomor, `tgl`
    /// for tanggal). One line is an answer; several are for the citizen to choose from.
    fn field_by_label(&self, script: &Script, path: &[StepIdx], words: &str) -> Vec<usize> {
        const NOISE: &[&str] = &["saya", "yang", "data", "punya", "aku", "ku", "nya", "isian"];
        let wanted: Vec<&str> = words
            .split(' ')
            .filter(|w| !w.is_empty() && !NOISE.contains(w))
            .map(|w| if w.len() >= 6 { w.strip_suffix("nya").unwrap_or(w) } else { w })
            .collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        let locales = &self.ctx.catalogue.locales;
        // (score, label words left unmatched, line) per line whose label takes every word.
        let mut scored: Vec<(usize, usize, usize)> = Vec::new();
        for (k, &i) in path.iter().enumerate() {
            let Some(step) = script.step(i) else { continue };
            let key = format!("{}.label", script.prompt_key(step));
            let best = [Lang::Id, Lang::En]
                .into_iter()
                .filter(|&lang| locales.has(lang, &key))
                .filter_map(|lang| {
                    let label = normalize_phrase(&locales.text(lang, &Msg::new(key.clone())));
                    let label: Vec<&str> = label.split(' ').collect();
                    let mut score = 0;
                    let mut used = vec![false; label.len()];
                    for w in &wanted {
                        let (q, j) = label
                            .iter()
                            .enumerate()
                            .map(|(j, l)| (word_likeness(w, l), j))
                            .max_by_key(|&(q, j)| (q, std::cmp::Reverse(j)))?;
                        if q == 0 {
                            return None;
                        }
                        score += q;
                        used[j] = true;
                    }
                    Some((score, used.iter().filter(|u| !**u).count()))
                })
                .max_by_key(|&(score, left)| (score, std::cmp::Reverse(left)));
            if let Some((score, left)) = best {
                scored.push((score, left, k + 1));
            }
        }
        let top = scored.iter().map(|&(score, ..)| score).max().unwrap_or(0);
        scored.retain(|&(score, ..)| score == top);
        // "ubah nik" between "NIK" and "NIK ibu": the label the words cover completely.
        let complete: Vec<usize> =
            scored.iter().filter(|&&(_, left, _)| left == 0).map(|&(.., n)| n).collect();
        if complete.len() == 1 {
            return complete;
        }
        scored.into_iter().map(|(.., n)| n).collect()
    }

    /// Is the citizen typing free text right now (where words like "status" are content)?
    pub fn answering_free_text(&self) -> bool {
        let Some(script) = self.flow_script() else {
            return false;
        };
        let at = self.s.flow.as_ref().map_or(0, |f| f.at);
        matches!(script.step(at).map(|s| &s.kind), Some(StepKind::Text { .. }))
            && self.s.pending == Pending::Nothing
    }
}

/// How well a typed word stands for a label word: 3 the same, 2 a small typo in a long word,
/// 1 an abbreviation (its letters in order, same first letter: `no` nomor, `tgl` tanggal,
/// `kec` kecamatan), 0 not at all.
fn word_likeness(typed: &str, label: &str) -> usize {
    if typed == label {
        return 3;
    }
    let len = typed.chars().count();
    // Never fuzzy on short words ("kk" is not "ke").
    if len >= 5 && edit_distance(typed, label) <= typo_budget(len) {
        return 2;
    }
    let mut rest = label.chars();
    let abbreviates = len >= 2
        && len < label.chars().count()
        && typed.chars().next() == label.chars().next()
        && typed.chars().all(|c| rest.any(|l| l == c));
    usize::from(abbreviates)
}

/// How an answer reads back in a summary.
pub(crate) fn show(script: &Script, step: &Step, value: &Value) -> FieldValue {
    match value {
        Value::Text(t) => FieldValue::Text(t.clone()),
        Value::Number(n) => FieldValue::Text(n.to_string()),
        Value::Date(jd) => FieldValue::Text(
            time::Date::from_julian_day(*jd)
                .map(|d| format!("{:02}-{:02}-{}", d.day(), u8::from(d.month()), d.year()))
                .unwrap_or_default(),
        ),
        Value::Choice(i) => match &step.kind {
            StepKind::Choice(opts) => {
                opts.get(usize::from(*i)).map_or(FieldValue::Text(String::new()), |o| {
                    FieldValue::Msg(Msg::new(script.option_key(step, o)))
                })
            }
            _ => FieldValue::Text(String::new()),
        },
        Value::Yes(true) => FieldValue::Msg(Msg::new("answer-yes")),
        Value::Yes(false) => FieldValue::Msg(Msg::new("answer-no")),
        Value::File(_) => FieldValue::Msg(Msg::new("answer-file")),
        Value::Location { lat, lon } => FieldValue::Text(format!("{lat:.5}, {lon:.5}")),
        Value::Skipped => FieldValue::Msg(Msg::new("answer-skipped")),
    }
}
