//! `pintu eval`: how well first messages reach the right service, scored honestly on a labelled
//! CSV (a `text` column and an expected-label column). Each message is sent to the real engine
//! as a fresh chat's first message and the first reply is read:
//! - a service label counts only if that service's dialog starts, or a clarifying question
//!   lists it (for the emergency service, also its "is this an emergency?" question);
//! - `status` (and labels aliased to it) counts only if the status flow starts;
//! - `greeting` and `thanks` count only for a greeting or a thanks reply (a greeting put in front
//!   of "not understood" is not one);
//! - `other` counts if no service the file expects elsewhere starts (the menu, a "not ours"
//!   answer, or a service the file never expects all count).
//!
//! Also counted: emergency dialogs opened, and emergency questions asked, for rows that are
//! not emergencies.
//!
//! May use: `engine`, `model`, `script`.

use crate::engine::{self, Ctx, Effect};
use crate::model::input::Input;
use crate::model::reply::Piece;
use crate::script::Action;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// What a fresh chat's first message led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// This service's dialog started.
    Service(String),
    /// The status flow started (or a status was shown).
    Status,
    /// A clarifying question naming these services.
    Clarify(Vec<String>),
    /// The 112 block and "is this an emergency?".
    EmergencyAsk,
    Greeting,
    Thanks,
    /// A "not ours, go there" answer.
    Elsewhere,
    /// The menu (with "not understood").
    Menu,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Service(id) => write!(f, "{id}"),
            Outcome::Status => write!(f, "status"),
            Outcome::Clarify(ids) => write!(f, "ask:{}", ids.join("|")),
            Outcome::EmergencyAsk => write!(f, "emergency?"),
            Outcome::Greeting => write!(f, "greeting"),
            Outcome::Thanks => write!(f, "thanks"),
            Outcome::Elsewhere => write!(f, "elsewhere"),
            Outcome::Menu => write!(f, "menu"),
        }
    }
}

/// Sends `text` as a new chat's first message and reads what happened.
pub fn first_message(ctx: &Ctx, text: &str) -> Outcome {
    let step = engine::step(ctx, None, Input::Text(text.to_string()));
    let cat = ctx.catalogue;
    if let Some(id) = step.effects.iter().find_map(|e| match e {
        Effect::Pin { script, .. } => Some(script.clone()),
        _ => None,
    }) {
        let status = cat.script(&id).is_some_and(|s| s.action == Action::Status);
        return if status { Outcome::Status } else { Outcome::Service(id) };
    }
    if step.effects.iter().any(|e| matches!(e, Effect::ShowStatus { .. })) {
        return Outcome::Status;
    }
    if let crate::model::session::Pending::Clarify(ids) = &step.session.pending {
        return Outcome::Clarify(ids.clone());
    }
    let keys: Vec<&str> = step
        .replies
        .iter()
        .flat_map(|r| r.body.iter())
        .filter_map(|p| match p {
            Piece::Msg(m) => Some(m.key.as_str()),
            Piece::Field { .. } => None,
        })
        .collect();
    let has = |k: &str| keys.iter().any(|x| x.starts_with(k));
    if has("emergency-alert") {
        Outcome::EmergencyAsk
    } else if has("thanks-reply") {
        Outcome::Thanks
    } else if has("elsewhere-") {
        Outcome::Elsewhere
    } else if has("greeting") && !has("not-understood") {
        Outcome::Greeting
    } else {
        Outcome::Menu
    }
}

/// How the file's labels map to pintu's services: `label=service+service`; a label that is a
/// script id needs no alias; `status`, `greeting`, `thanks`, `other` are built in.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    aliases: BTreeMap<String, Vec<String>>,
}

impl Labels {
    /// Parses `label=id+id` pairs.
    pub fn parse(pairs: &[String]) -> Result<Self, String> {
        let mut aliases = BTreeMap::new();
        for p in pairs {
            let (label, ids) =
                p.split_once('=').ok_or_else(|| format!("`{p}`: expected label=service"))?;
            let ids: Vec<String> =
                ids.split('+').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            if label.trim().is_empty() || ids.is_empty() {
                return Err(format!("`{p}`: expected label=service"));
            }
            aliases.insert(label.trim().to_string(), ids);
        }
        Ok(Self { aliases })
    }

    fn targets<'a>(&'a self, label: &'a str) -> Vec<&'a str> {
        match self.aliases.get(label) {
            Some(ids) => ids.iter().map(String::as_str).collect(),
            None => vec![label],
        }
    }
}

/// One scored row.
#[derive(Debug, Clone)]
pub struct Row {
    pub text: String,
    pub expected: String,
    pub got: Outcome,
    pub ok: bool,
}

/// The whole evaluation.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub rows: Vec<Row>,
    /// Emergency dialogs opened by rows that are not emergencies.
    pub false_emergencies: usize,
    /// "Is this an emergency?" asked for rows that are not emergencies.
    pub emergency_questions: usize,
}

impl Report {
    pub fn hits(&self) -> usize {
        self.rows.iter().filter(|r| r.ok).count()
    }

    /// Share of rows right, in percent.
    pub fn accuracy(&self) -> f64 {
        percent(self.hits(), self.rows.len())
    }

    /// Share right among rows with this label (after aliasing to `status`, pass `status`).
    pub fn accuracy_of(&self, expected: &str) -> Option<f64> {
        let rows: Vec<&Row> = self.rows.iter().filter(|r| r.expected == expected).collect();
        (!rows.is_empty()).then(|| percent(rows.iter().filter(|r| r.ok).count(), rows.len()))
    }

    /// Accuracy per label, a confusion table (label → outcome → count) and the misses.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ =
            writeln!(out, "overall: {}/{} ({:.1}%)", self.hits(), self.rows.len(), self.accuracy());
        let _ = writeln!(
            out,
            "non-emergency rows: {} emergency dialogs opened, {} emergency questions asked",
            self.false_emergencies, self.emergency_questions
        );
        let mut per: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
        for r in &self.rows {
            *per.entry(&r.expected).or_default().entry(outcome_kind(&r.got)).or_default() += 1;
        }
        let _ = writeln!(out, "\nper label (right/rows) and what the rows led to:");
        for (label, outcomes) in &per {
            let rows = outcomes.values().sum::<usize>();
            let ok = self.rows.iter().filter(|r| r.expected == *label && r.ok).count();
            let spread: Vec<String> = outcomes.iter().map(|(o, n)| format!("{o} {n}")).collect();
            let _ = writeln!(
                out,
                "  {label:<16} {ok:>3}/{rows:<3} {:>5.1}%   {}",
                percent(ok, rows),
                spread.join(", ")
            );
        }
        let misses: Vec<&Row> = self.rows.iter().filter(|r| !r.ok).collect();
        let _ = writeln!(out, "\nmisses ({}):", misses.len());
        for r in misses {
            let text: String = r.text.chars().take(110).collect();
            let _ = writeln!(out, "  {:<16} → {:<28} {text}", r.expected, r.got.to_string());
        }
        out
    }
}

fn outcome_kind(o: &Outcome) -> String {
    match o {
        Outcome::Clarify(_) => "ask".to_string(),
        other => other.to_string(),
    }
}

fn percent(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 }
}

/// Scores `(text, label)` rows; `emergency` is the emergency service's id.
pub fn evaluate(ctx: &Ctx, rows: &[(String, String)], labels: &Labels, emergency: &str) -> Report {
    // Services the file expects somewhere: an `other` row must not start one of them.
    let expected_services: BTreeSet<String> = rows
        .iter()
        .flat_map(|(_, l)| labels.targets(l).into_iter().map(str::to_string).collect::<Vec<_>>())
        .filter(|t| ctx.catalogue.script(t).is_some())
        .collect();
    let mut report = Report::default();
    for (text, label) in rows {
        let got = first_message(ctx, text);
        let targets = labels.targets(label);
        let is_emergency = targets.contains(&emergency);
        let ok = if targets.contains(&"status") {
            got == Outcome::Status
        } else {
            match (targets.as_slice(), &got) {
                (["greeting"], g) => *g == Outcome::Greeting,
                (["thanks"], g) => *g == Outcome::Thanks,
                (["other"], Outcome::Service(id)) => !expected_services.contains(id),
                (["other"], Outcome::Clarify(ids)) => {
                    !ids.iter().any(|id| expected_services.contains(id))
                }
                (["other"], g) => matches!(g, Outcome::Menu | Outcome::Elsewhere),
                (_, Outcome::Service(id)) => targets.contains(&id.as_str()),
                (_, Outcome::Clarify(ids)) => ids.iter().any(|id| targets.contains(&id.as_str())),
                (_, Outcome::EmergencyAsk) => is_emergency,
                _ => false,
            }
        };
        if !is_emergency {
            match &got {
                Outcome::Service(id) if id == emergency => report.false_emergencies += 1,
                Outcome::EmergencyAsk => report.emergency_questions += 1,
                _ => {}
            }
        }
        report.rows.push(Row {
            text: text.clone(),
            expected: if targets.contains(&"status") { "status".into() } else { label.clone() },
            got,
            ok,
        });
    }
    report
}

/// Reads the `text` column and the `expected` column of a CSV with a header row (quoted fields,
/// doubled quotes and line breaks inside quotes allowed).
pub fn read_csv(
    csv: &str,
    text_col: &str,
    expected_col: &str,
) -> Result<Vec<(String, String)>, String> {
    let records = parse_csv(csv);
    let Some((header, body)) = records.split_first() else {
        return Err("the file is empty".into());
    };
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| format!("no column `{name}` (columns: {})", header.join(", ")))
    };
    let (t, e) = (col(text_col)?, col(expected_col)?);
    Ok(body
        .iter()
        .filter(|r| r.len() > t.max(e))
        .map(|r| (r[t].clone(), r[e].trim().to_string()))
        .collect())
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                fields.push(std::mem::take(&mut field));
                if fields.iter().any(|f| !f.is_empty()) {
                    rows.push(std::mem::take(&mut fields));
                }
                fields.clear();
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        rows.push(fields);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_quotes_and_line_breaks() {
        let rows = read_csv(
            "text,expected,note\n\"a, \"\"b\"\"\",ktp_el,x\n\"two\nlines\",greeting,\nplain,other",
            "text",
            "expected",
        )
        .unwrap();
        assert_eq!(
            rows,
            [
                ("a, \"b\"".to_string(), "ktp_el".to_string()),
                ("two\nlines".to_string(), "greeting".to_string()),
                ("plain".to_string(), "other".to_string()),
            ]
        );
        assert!(read_csv("a,b\n1,2", "text", "b").unwrap_err().contains("no column `text`"));
    }

    #[test]
    fn labels_alias_to_services() {
        let l =
            Labels::parse(&["ktp_baru=ktp_el".into(), "pengaduan=pengaduan+lapor".into()]).unwrap();
        assert_eq!(l.targets("ktp_baru"), ["ktp_el"]);
        assert_eq!(l.targets("pengaduan"), ["pengaduan", "lapor"]);
        assert_eq!(l.targets("akta"), ["akta"]);
        assert!(Labels::parse(&["nonsense".into()]).is_err());
    }
}
