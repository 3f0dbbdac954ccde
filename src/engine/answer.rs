//! Turning a message into an answer for the step being asked: validation per step kind, soft
//! warnings to confirm, and polite re-prompts that say what is expected.

use super::Engine;
use crate::model::TicketNo;
use crate::model::input::Input;
use crate::model::reply::{Msg, Reply};
use crate::model::session::{Pending, Value};
use crate::script::lexicon::{Command, Intent, LeadKind};
use crate::script::{Opt, Script, Step, StepKind};
use crate::text::{edit_distance, typo_budget};
use crate::validate::{self, Issue};

/// The result of validating one answer.
enum Verdict {
    Accept(Value),
    /// Kept only if the citizen confirms.
    Warn(Value, Vec<Issue>),
    Refuse(Msg),
    /// Not an answer to this step at all: re-ask with this explanation.
    WrongKind(&'static str),
}

impl Engine<'_> {
    /// A typed answer (commands and intents have already been handled).
    pub fn answer_text(&mut self, raw: &str, canon: &str, intent: Option<&Intent>) {
        let Some(script) = self.flow_script() else {
            return self.advance();
        };
        let at = self.s.flow.as_ref().map_or(0, |f| f.at);
        let Some(step) = script.step(at) else {
            return self.advance();
        };
        if matches!(step.kind, StepKind::Summary) {
            return self.at_summary(intent);
        }
        let yes_no = matches!(step.kind, StepKind::YesNo { .. })
            && self.ctx.catalogue.lexicon.yes_no(canon).is_some();
        if step.optional && !yes_no && self.is_skip_word(canon) {
            return self.accept(Value::Skipped);
        }
        let verdict = self.check_text(&script, step, raw, canon, intent);
        self.apply(&script, at, verdict);
    }

    /// A non-text input (photo, location, contact) for the step being asked.
    pub fn answer_input(&mut self, input: Input) {
        let Some(script) = self.flow_script() else {
            return self.advance();
        };
        let at = self.s.flow.as_ref().map_or(0, |f| f.at);
        let Some(step) = script.step(at) else {
            return self.advance();
        };
        let verdict = match (&step.kind, input) {
            (
                StepKind::Photo { max_bytes } | StepKind::Document { max_bytes },
                Input::Attachment(a),
            ) => {
                // `mime` was read from the content: a PDF or a text renamed `.jpg` is no photo.
                let image = a.file.mime.starts_with("image/");
                if a.file.bytes > *max_bytes {
                    too_big(*max_bytes)
                } else if matches!(step.kind, StepKind::Photo { .. }) && !image {
                    Verdict::WrongKind("invalid-file-not-photo")
                } else if !image && a.file.mime != "application/pdf" {
                    Verdict::WrongKind("invalid-file-not-document")
                } else {
                    Verdict::Accept(Value::File(a.file))
                }
            }
            (
                StepKind::Photo { max_bytes } | StepKind::Document { max_bytes },
                Input::TooBig { .. },
            ) => too_big(*max_bytes),
            (StepKind::Location, Input::Location { lat, lon }) => location(lat, lon),
            (StepKind::Phone { mobile }, Input::Contact { phone, own }) => {
                if !own {
                    self.say(Reply::key("contact-not-own"));
                }
                checked(validate::phone::check(&phone, *mobile), |p| Value::Text(p.e164))
            }
            (StepKind::Summary, _) => return self.resume(),
            (kind, _) => Verdict::WrongKind(expected_for(kind)),
        };
        self.apply(&script, at, verdict);
    }

    fn apply(&mut self, script: &Script, at: u16, verdict: Verdict) {
        match verdict {
            Verdict::Accept(v) => self.accept(v),
            // One warning offering a fix ("maksudnya budi@gmail.com?"): a question whose yes
            // takes the fix.
            Verdict::Warn(v, issues)
                if issues.len() == 1 && issues[0].get("suggestion").is_some() =>
            {
                let suggested = Value::Text(issues[0].get("suggestion").unwrap_or("").to_string());
                self.say(Reply::msg(issue_msg(&issues[0])));
                self.s.pending = Pending::Suggestion { typed: v, suggested };
            }
            Verdict::Warn(v, issues) => {
                // Warning texts end by saying how to confirm ("Ketik ya bila sudah benar").
                let mut r = Reply::default();
                for i in issues {
                    r = r.line(issue_msg(&i));
                }
                self.say(r);
                self.s.pending = Pending::Warning(v);
            }
            Verdict::Refuse(why) => {
                self.miss(why);
                self.reshow_choices(script, at);
            }
            Verdict::WrongKind(key) => {
                // The citizen sent something of another kind: say what is expected and ask again.
                self.miss(Msg::new(key));
                self.ask(script, at);
            }
        }
    }

    /// After a refused choice the options are shown again so the citizen need not scroll.
    fn reshow_choices(&mut self, script: &Script, at: u16) {
        if let Some(step) = script.step(at)
            && matches!(step.kind, StepKind::Choice(_) | StepKind::YesNo { .. })
        {
            self.ask(script, at);
        }
    }

    fn at_summary(&mut self, intent: Option<&Intent>) {
        if intent != Some(&Intent::Yes) {
            return self.miss(Msg::new("summary-how-to-edit"));
        }
        let Some(script) = self.flow_script() else {
            return self.advance();
        };
        let Some(flow) = self.s.flow.take() else {
            return;
        };
        let (_, path) = super::flow::walk(&script, &flow);
        self.submit(&script, &flow, &path);
    }

    fn is_skip_word(&self, canon: &str) -> bool {
        matches!(
            self.ctx.catalogue.lexicon.intent(canon),
            Some(Intent::Command(Command::Skip, None))
        )
    }

    fn check_text(
        &self,
        script: &Script,
        step: &Step,
        raw: &str,
        canon: &str,
        intent: Option<&Intent>,
    ) -> Verdict {
        let today = self.ctx.now.today();
        let flow = self.s.flow.as_ref();
        let answer_of = |idx: Option<u16>| idx.and_then(|i| flow.and_then(|f| f.answer(i)));
        match &step.kind {
            StepKind::Text { min, max, pattern } => {
                // "alamat sy di Jl. Merdeka 5": a short answer loses an unmistakable lead-in;
                // longer texts are stories, where such words belong to what is told.
                let raw = if *max <= SHORT_TEXT {
                    self.ctx
                        .catalogue
                        .lexicon
                        .strip_lead_in(LeadKind::Text, raw, true)
                        .unwrap_or(raw)
                } else {
                    raw
                };
                let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
                let len = text.chars().count();
                if len < usize::from(*min) {
                    Verdict::Refuse(Msg::new("invalid-text-short").arg("min", i64::from(*min)))
                } else if len > usize::from(*max) {
                    Verdict::Refuse(
                        Msg::new("invalid-text-long")
                            .arg("max", i64::from(*max))
                            .arg("panjang", len as i64),
                    )
                } else if pattern.as_ref().is_some_and(|p| !p.is_match(&text)) {
                    Verdict::Refuse(
                        Msg::new("invalid-text-pattern")
                            .arg("contoh", Msg::new(format!("{}.label", script.prompt_key(step)))),
                    )
                } else {
                    Verdict::Accept(Value::Text(text))
                }
            }
            StepKind::Name { newborn } => self.lead_in(LeadKind::Name, raw, |t| {
                checked(validate::name::check(t, *newborn), Value::Text)
            }),
            StepKind::Number { min, max } => match self.ctx.catalogue.lexicon.amount(raw) {
                Some(n) if (*min..=*max).contains(&n) => Verdict::Accept(Value::Number(n)),
                _ => Verdict::Refuse(Msg::new("invalid-number").arg("min", *min).arg("max", *max)),
            },
            StepKind::Nik { birth_date } => {
                let stated = match answer_of(*birth_date) {
                    Some(Value::Date(jd)) => time::Date::from_julian_day(*jd).ok(),
                    _ => None,
                };
                self.lead_in(LeadKind::Nik, raw, |t| {
                    checked(validate::nik::check_with(t, today, stated, None, None), |n| {
                        Value::Text(n.digits)
                    })
                })
            }
            StepKind::Kk { nik } => {
                let nik = match answer_of(*nik) {
                    Some(Value::Text(t)) => Some(t.as_str()),
                    _ => None,
                };
                self.lead_in(LeadKind::Kk, raw, |t| {
                    checked(validate::kk::check(t, nik), Value::Text)
                })
            }
            StepKind::Phone { mobile } => self.lead_in(LeadKind::Phone, raw, |t| {
                checked(validate::phone::check(t, *mobile), |p| Value::Text(p.e164))
            }),
            StepKind::Email => self
                .lead_in(LeadKind::Email, raw, |t| checked(validate::email::check(t), Value::Text)),
            StepKind::Date { rule, working_day } => {
                self.lead_in(LeadKind::Date, raw, |t| match validate::date::check(t, today, rule) {
                    Ok((d, _)) if *working_day && !self.ctx.settings.calendar.is_working_day(d) => {
                        let day = crate::model::reply::Arg::Date(d.to_julian_day());
                        Verdict::Refuse(
                            Msg::new("invalid-date-not-working-day").arg("tanggal", day),
                        )
                    }
                    other => checked(other, |d| Value::Date(d.to_julian_day())),
                })
            }
            StepKind::RtRw { rw_optional } => {
                checked(validate::rtrw::check(raw, *rw_optional), Value::Text)
            }
            StepKind::Postal => self.lead_in(LeadKind::Postal, raw, |t| {
                checked(
                    validate::postal::check(t, self.ctx.settings.postal_first_digit),
                    Value::Text,
                )
            }),
            StepKind::Choice(opts) => match pick(&self.ctx.catalogue.lexicon, opts, canon) {
                Some(i) => Verdict::Accept(Value::Choice(i)),
                None => Verdict::WrongKind("invalid-choice"),
            },
            StepKind::YesNo { .. } => match (self.ctx.catalogue.lexicon.yes_no(canon), intent) {
                (Some(yes), _) => Verdict::Accept(Value::Yes(yes)),
                (_, Some(Intent::Yes)) => Verdict::Accept(Value::Yes(true)),
                (_, Some(Intent::No | Intent::Wrong)) => Verdict::Accept(Value::Yes(false)),
                _ => match self.numbered_yes_no(canon) {
                    Some(yes) => Verdict::Accept(Value::Yes(yes)),
                    None => Verdict::WrongKind("invalid-yesno"),
                },
            },
            StepKind::Location => match validate::location::parse(raw) {
                Some((lat, lon)) => location(lat, lon),
                // Someone who cannot share a location (a computer, no GPS, reporting a place
                // passed earlier) describes it: kept as they wrote it, for the officer.
                None if raw.trim().chars().count() <= usize::from(SHORT_TEXT)
                    && self.ctx.catalogue.lexicon.names_a_place(canon) =>
                {
                    Verdict::Accept(Value::Text(raw.trim().to_string()))
                }
                None => Verdict::WrongKind("expect-location"),
            },
            StepKind::Photo { .. } => Verdict::WrongKind("expect-photo"),
            StepKind::Document { .. } => Verdict::WrongKind("expect-document"),
            StepKind::Ticket => {
                let prefixes = self.ctx.catalogue.ticket_prefixes();
                match TicketNo::find_in(raw, &prefixes)
                    .ok_or(())
                    .or_else(|_| TicketNo::parse(raw, &prefixes))
                {
                    Ok(no) => Verdict::Accept(Value::Text(no.as_str().to_string())),
                    Err(e) => Verdict::Refuse(Msg::new(e.message_id())),
                }
            }
            StepKind::Summary | StepKind::End => Verdict::WrongKind("not-understood"),
        }
    }
}

impl Engine<'_> {
    /// Validates an answer as typed and, failing that, without the words around it that only
    /// announce it ("nik sy …", "tgl lahir …", "… itu nik saya"). A valid answer is never
    /// altered, except a name behind an unmistakable lead-in ("nama saya Budi"). When both fail,
    /// the reason given is about the value the citizen meant, the one without the lead-in.
    fn lead_in(&self, kind: LeadKind, raw: &str, check: impl Fn(&str) -> Verdict) -> Verdict {
        let lex = &self.ctx.catalogue.lexicon;
        let first = check(raw);
        let valid = matches!(first, Verdict::Accept(_) | Verdict::Warn(..));
        match lex.strip_lead_in(kind, raw, valid) {
            Some(value) => match check(value) {
                again @ (Verdict::Accept(_) | Verdict::Warn(..)) => again,
                _ if valid => first,
                again => again,
            },
            None => first,
        }
    }
}

/// Text steps up to this many characters are short answers (a street, a place), not stories.
const SHORT_TEXT: u16 = 200;

/// Picks an option by number, by its words, or by its words with a small typo.
pub(crate) fn pick(
    lex: &crate::script::lexicon::Lexicon,
    opts: &[Opt],
    canon: &str,
) -> Option<u16> {
    if let Some(n) = lex.option_number(canon, opts.len()) {
        return u16::try_from(n - 1).ok();
    }
    if let Some(i) = opts.iter().position(|o| o.matches.iter().any(|m| m == canon)) {
        return u16::try_from(i).ok();
    }
    // Typos: the closest option within the typo budget, if it is the only one that close.
    let budget = typo_budget(canon.chars().count());
    let mut best: Option<(usize, usize)> = None;
    let mut tie = false;
    for (i, o) in opts.iter().enumerate() {
        let d = o.matches.iter().map(|m| edit_distance(m, canon)).min().unwrap_or(usize::MAX);
        if d <= budget {
            match best {
                Some((bd, _)) if d == bd => tie = true,
                Some((bd, _)) if d > bd => {}
                _ => {
                    best = Some((d, i));
                    tie = false;
                }
            }
        }
    }
    // A single distinctive word ("hilang" for "KTP-el hilang") also picks an option.
    if best.is_none() {
        let hits: Vec<usize> = opts
            .iter()
            .enumerate()
            .filter(|(_, o)| {
                o.matches
                    .iter()
                    .any(|m| m.split(' ').any(|w| w.len() >= 4 && canon.split(' ').any(|c| c == w)))
            })
            .map(|(i, _)| i)
            .collect();
        if hits.len() == 1 {
            return u16::try_from(hits[0]).ok();
        }
    }
    match best {
        Some((_, i)) if !tie => u16::try_from(i).ok(),
        _ => None,
    }
}

fn checked<T>(result: validate::Checked<T>, to_value: impl FnOnce(T) -> Value) -> Verdict {
    match result {
        Ok((v, warnings)) if warnings.is_empty() => Verdict::Accept(to_value(v)),
        Ok((v, warnings)) => Verdict::Warn(to_value(v), warnings),
        Err(issue) => Verdict::Refuse(issue_msg(&issue)),
    }
}

fn location(lat: f64, lon: f64) -> Verdict {
    checked(validate::location::check(lat, lon), |(lat, lon)| Value::Location { lat, lon })
}

fn too_big(max_bytes: u64) -> Verdict {
    let mb = i64::try_from(max_bytes / (1024 * 1024)).unwrap_or(i64::MAX);
    Verdict::Refuse(Msg::new("invalid-file-too-big").arg("max_mb", mb))
}

/// The citizen's explanation of an issue. What they typed comes back with NIK-like numbers
/// masked, as everywhere else pintu shows them.
fn issue_msg(issue: &Issue) -> Msg {
    let mut m = Msg::new(issue.code);
    for (name, value) in &issue.args {
        m = m.arg(name, validate::mask_long_numbers(value));
    }
    m
}

/// What to tell a citizen who sent the wrong kind of thing for this step.
fn expected_for(kind: &StepKind) -> &'static str {
    match kind {
        StepKind::Photo { .. } => "expect-photo",
        StepKind::Document { .. } => "expect-document",
        StepKind::Location => "expect-location",
        StepKind::Choice(_) => "invalid-choice",
        StepKind::YesNo { .. } => "invalid-yesno",
        _ => "expect-text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::reply::Arg;

    #[test]
    fn a_nik_typed_at_another_step_is_not_echoed_in_full() {
        let Err(issue) = validate::rtrw::check("3201011708900001", false) else {
            panic!("a NIK is not an RT/RW");
        };
        assert_eq!(issue.get("number"), Some("3201011708900001"));
        let msg = issue_msg(&issue);
        assert_eq!(msg.args.len(), 1);
        assert!(matches!(&msg.args[0].1, Arg::Text(t) if t == "3201********0001"), "{msg:?}");
    }
}
