//! YAML → [`Script`]. Every problem becomes a [`Diagnostic`] at its line and column; a script
//! with any error is not returned, so the service never runs a half-understood dialog.

use super::yaml::{self, Fields, is_snake_id, pos_of};
use super::{Action, CondValue, Condition, Opt, Script, Step, StepKind};
use crate::diag::{Diagnostic, Pos};
use crate::model::session::StepIdx;
use crate::text::normalize_phrase;
use crate::validate::date::{DateRange, DateRule};
use marked_yaml::Node;
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use regex::Regex;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

const SCRIPT_KEYS: &[&str] =
    &["id", "version", "opd", "sla_days", "ticket_prefix", "action", "intro", "keywords", "steps"];
const STEP_KEYS: &[&str] = &[
    "id",
    "kind",
    "optional",
    "when",
    "next",
    "min",
    "max",
    "pattern",
    "newborn",
    "birth_date",
    "nik",
    "mobile",
    "range",
    "not_before",
    "not_after",
    "max_age_years",
    "max_days_ahead",
    "working_day",
    "rw_optional",
    "options",
    "yes",
    "no",
    "max_mb",
];
const OPTION_KEYS: &[&str] = &["value", "synonyms", "next", "done"];
/// Longest script a session can index (StepIdx) with room to spare.
const MAX_STEPS: usize = 500;

/// Compiles one script file. `Err` carries at least one error; `Ok` may come with warnings.
pub fn load(path: &Path, text: &str) -> (Option<Script>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = match yaml::parse(path, text) {
        Ok(root) => root,
        Err(d) => return (None, vec![d]),
    };
    let script = compile(path, text, &root, &mut diags);
    let ok = !crate::diag::has_errors(&diags);
    (script.filter(|_| ok), diags)
}

fn compile(
    path: &Path,
    text: &str,
    root: &MarkedMappingNode,
    diags: &mut Vec<Diagnostic>,
) -> Option<Script> {
    let f = Fields::new(path, root, SCRIPT_KEYS, diags);
    let id = f.required("id", diags).map(|s| s.as_str().to_string());
    if let Some(s) = f.scalar("id", diags) {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if !is_snake_id(s) {
            diags.push(Diagnostic::error(&pos_of(path, s.span()), "`id` must be snake_case ASCII"));
        } else if !stem.is_empty() && stem != s.as_str() {
            let msg = format!("`id` is `{}` but the file is named `{stem}.yaml`", s.as_str());
            diags.push(Diagnostic::error(&pos_of(path, s.span()), msg));
        }
    }
    if f.node("version").is_none() {
        diags.push(Diagnostic::error(&f.pos(), "missing `version`"));
    }
    let version = f.int("version", 1, i64::from(u32::MAX), diags).unwrap_or(1);
    let opd = f.required("opd", diags).map(|s| s.as_str().to_string()).unwrap_or_default();
    let sla_days = f.int("sla_days", 0, 365, diags).unwrap_or(0);
    let ticket_prefix = f.scalar("ticket_prefix", diags).and_then(|s| {
        let ok = (1..=6).contains(&s.len()) && s.chars().all(|c| c.is_ascii_uppercase());
        if !ok {
            let msg = "`ticket_prefix` must be 1 to 6 capital letters, like KTP";
            diags.push(Diagnostic::error(&pos_of(path, s.span()), msg));
        }
        ok.then(|| s.as_str().to_string())
    });
    let action = match f.scalar("action", diags).map(|s| (s, s.as_str())) {
        None | Some((_, "submit")) => Action::Submit,
        Some((_, "status")) => Action::Status,
        Some((_, "none")) => Action::Inform,
        Some((s, other)) => {
            let msg = format!("unknown action `{other}`; expected submit, status or none");
            diags.push(Diagnostic::error(&pos_of(path, s.span()), msg));
            Action::Submit
        }
    };
    let intro = f.bool("intro", diags);
    let keywords = f.words("keywords", diags).iter().map(|k| normalize_phrase(k)).collect();
    let (steps, step_pos) = match f.node("steps") {
        Some(Node::Sequence(seq)) if !seq.is_empty() => compile_steps(path, seq, diags),
        Some(other) => {
            let msg = "`steps` must be a non-empty list of steps";
            diags.push(Diagnostic::error(&f.value_pos("steps", other), msg));
            (Vec::new(), Vec::new())
        }
        None => {
            diags.push(Diagnostic::error(&f.pos(), "missing `steps`"));
            (Vec::new(), Vec::new())
        }
    };
    Some(Script {
        id: Arc::from(id?),
        version: u32::try_from(version).unwrap_or(1),
        opd: Arc::from(opd),
        sla_days: u16::try_from(sla_days).unwrap_or(0),
        ticket_prefix,
        action,
        intro,
        keywords,
        titles: Vec::new(),
        steps,
        source: Arc::from(text),
        path: path.to_path_buf(),
        step_pos,
    })
}

/// Step ids and their positions, for resolving `next`, branches and conditions.
struct Index<'a> {
    path: &'a Path,
    ids: HashMap<String, StepIdx>,
}

impl Index<'_> {
    fn target(&self, node: &MarkedScalarNode, diags: &mut Vec<Diagnostic>) -> Option<StepIdx> {
        let found = self.ids.get(node.as_str()).copied();
        if found.is_none() {
            let msg = format!("no step with id `{}` in this script", node.as_str());
            diags.push(Diagnostic::error(&pos_of(self.path, node.span()), msg));
        }
        found
    }
}

fn compile_steps(
    path: &Path,
    seq: &marked_yaml::types::MarkedSequenceNode,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Step>, Vec<Pos>) {
    if seq.len() > MAX_STEPS {
        let msg = format!("a script may have at most {MAX_STEPS} steps");
        diags.push(Diagnostic::error(&pos_of(path, seq.span()), msg));
        return (Vec::new(), Vec::new());
    }
    // First pass: ids, so steps may refer to later steps.
    let mut index = Index { path, ids: HashMap::new() };
    let mut maps = Vec::new();
    for (i, node) in seq.iter().enumerate() {
        let Node::Mapping(m) = node else {
            let msg = "each step must be a mapping such as { id: nama, kind: text }";
            diags.push(Diagnostic::error(&pos_of(path, node.span()), msg));
            continue;
        };
        if let Some(id) = m.get_scalar("id") {
            if !is_snake_id(id) {
                let msg = format!("step id `{}` must be snake_case ASCII", id.as_str());
                diags.push(Diagnostic::error(&pos_of(path, id.span()), msg));
            }
            let idx = StepIdx::try_from(i).unwrap_or(StepIdx::MAX);
            if index.ids.insert(id.as_str().to_string(), idx).is_some() {
                let msg = format!("duplicate step id `{}`", id.as_str());
                diags.push(Diagnostic::error(&pos_of(path, id.span()), msg));
            }
        }
        maps.push((i, m));
    }
    let mut steps = Vec::new();
    let mut positions = Vec::new();
    for (i, m) in maps {
        if let Some(step) = compile_step(&index, i, m, &steps, diags) {
            steps.push(step);
            positions.push(yaml::mapping_pos(path, m));
        }
    }
    (steps, positions)
}

fn compile_step(
    index: &Index,
    position: usize,
    m: &MarkedMappingNode,
    earlier: &[Step],
    diags: &mut Vec<Diagnostic>,
) -> Option<Step> {
    let path = index.path;
    let f = Fields::new(path, m, STEP_KEYS, diags);
    let id = f.required("id", diags)?;
    let kind_node = f.required("kind", diags)?;
    let here = f.pos();
    let mb = |key, default: i64, diags: &mut Vec<Diagnostic>| {
        let n = f.int(key, 1, 100, diags).unwrap_or(default);
        u64::try_from(n).unwrap_or(5) * 1024 * 1024
    };
    let ref_to = |key: &str, diags: &mut Vec<Diagnostic>| {
        f.scalar(key, diags).and_then(|s| index.target(s, diags))
    };
    let kind = match kind_node.as_str() {
        "text" => {
            let min = f.int("min", 0, 4000, diags).unwrap_or(1);
            let max = f.int("max", 1, 4000, diags).unwrap_or(500);
            if min > max {
                diags.push(Diagnostic::error(&here, "`min` is larger than `max`"));
            }
            let pattern = f.scalar("pattern", diags).and_then(|p| {
                Regex::new(&format!("^(?:{})$", p.as_str()))
                    .map_err(|e| {
                        let first = e.to_string().lines().last().unwrap_or("").trim().to_string();
                        let msg = format!("`pattern` is not a valid regular expression: {first}");
                        diags.push(Diagnostic::error(&pos_of(path, p.span()), msg));
                    })
                    .ok()
            });
            StepKind::Text { min: min as u16, max: max as u16, pattern }
        }
        "name" => StepKind::Name { newborn: f.bool("newborn", diags) },
        "number" => {
            let min = f.int("min", i64::MIN / 2, i64::MAX / 2, diags).unwrap_or(0);
            let max = f.int("max", i64::MIN / 2, i64::MAX / 2, diags).unwrap_or(i64::MAX / 2);
            if min > max {
                diags.push(Diagnostic::error(&here, "`min` is larger than `max`"));
            }
            StepKind::Number { min, max }
        }
        "nik" => StepKind::Nik { birth_date: ref_to("birth_date", diags) },
        "kk" => StepKind::Kk { nik: ref_to("nik", diags) },
        "phone" => StepKind::Phone { mobile: f.bool("mobile", diags) },
        "email" => StepKind::Email,
        "date" => date_step(&f, diags),
        "rtrw" => StepKind::RtRw { rw_optional: f.bool("rw_optional", diags) },
        "postal" => StepKind::Postal,
        "choice" => StepKind::Choice(options(index, &f, diags)),
        "yesno" => StepKind::YesNo { yes: ref_to("yes", diags), no: ref_to("no", diags) },
        "photo" => StepKind::Photo { max_bytes: mb("max_mb", 5, diags) },
        "document" => StepKind::Document { max_bytes: mb("max_mb", 10, diags) },
        "location" => StepKind::Location,
        "ticket" => StepKind::Ticket,
        "summary" => StepKind::Summary,
        "end" => StepKind::End,
        other => {
            let msg = format!(
                "unknown step kind `{other}`; expected one of: text, name, number, nik, kk, \
                 phone, email, date, rtrw, postal, choice, yesno, photo, document, location, \
                 ticket, summary, end"
            );
            diags.push(Diagnostic::error(&pos_of(path, kind_node.span()), msg));
            return None;
        }
    };
    let when = f.scalar("when", diags).and_then(|w| condition(index, w, earlier, position, diags));
    Some(Step {
        id: Arc::from(id.as_str()),
        kind,
        optional: f.bool("optional", diags),
        when,
        next: ref_to("next", diags),
    })
}

fn date_step(f: &Fields, diags: &mut Vec<Diagnostic>) -> StepKind {
    let mut range = match f.scalar("range", diags).map(|s| (s, s.as_str())) {
        None | Some((_, "any")) => DateRange::Any,
        Some((_, "past")) => DateRange::Past,
        Some((_, "future")) => DateRange::Future,
        Some((s, other)) => {
            let msg = format!("unknown range `{other}`; expected past, future or any");
            diags.push(Diagnostic::error(&pos_of(f.path, s.span()), msg));
            DateRange::Any
        }
    };
    // `today` is the natural way for an admin to write a moving bound.
    let mut bound = |key: &str, today_means: DateRange, diags: &mut Vec<Diagnostic>| {
        let s = f.scalar(key, diags)?;
        if s.as_str() == "today" {
            range = today_means;
            return None;
        }
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(s.as_str(), &fmt)
            .map_err(|_| {
                let msg = format!("`{key}` must be a date like 2000-01-31, or `today`");
                diags.push(Diagnostic::error(&pos_of(f.path, s.span()), msg));
            })
            .ok()
    };
    let not_before = bound("not_before", DateRange::Future, diags);
    let not_after = bound("not_after", DateRange::Past, diags);
    let small = |key, diags: &mut Vec<Diagnostic>| {
        f.int(key, 0, 200 * 366, diags).and_then(|n| u16::try_from(n).ok())
    };
    let rule = DateRule {
        range,
        not_before,
        not_after,
        max_age_years: small("max_age_years", diags),
        max_days_ahead: small("max_days_ahead", diags),
    };
    StepKind::Date { rule, working_day: f.bool("working_day", diags) }
}

fn options(index: &Index, f: &Fields, diags: &mut Vec<Diagnostic>) -> Vec<Opt> {
    let path = index.path;
    let Some(Node::Sequence(seq)) = f.node("options") else {
        diags.push(Diagnostic::error(&f.pos(), "a choice needs `options:`, a list of values"));
        return Vec::new();
    };
    let mut out: Vec<Opt> = Vec::new();
    for node in seq.iter() {
        let (value, synonyms, next, done) = match node {
            Node::Scalar(s) => (s, Vec::new(), None, false),
            Node::Mapping(m) => {
                let of = Fields::new(path, m, OPTION_KEYS, diags);
                let Some(value) = of.required("value", diags) else {
                    continue;
                };
                let next = of.scalar("next", diags).and_then(|s| index.target(s, diags));
                (value, of.words("synonyms", diags), next, of.bool("done", diags))
            }
            Node::Sequence(s) => {
                let msg = "an option must be a value or { value, synonyms, next, done }";
                diags.push(Diagnostic::error(&pos_of(path, s.span()), msg));
                continue;
            }
        };
        if !is_snake_id(value) {
            let msg = format!("option value `{}` must be snake_case ASCII", value.as_str());
            diags.push(Diagnostic::error(&pos_of(path, value.span()), msg));
        }
        if out.iter().any(|o| *o.value == *value.as_str()) {
            let msg = format!("duplicate option `{}`", value.as_str());
            diags.push(Diagnostic::error(&pos_of(path, value.span()), msg));
        }
        let mut matches = vec![normalize_phrase(&value.replace('_', " "))];
        matches.extend(synonyms.iter().map(|s| normalize_phrase(s)));
        out.push(Opt { value: Arc::from(value.as_str()), matches, next, done });
    }
    if out.is_empty() {
        diags.push(Diagnostic::error(&f.pos(), "a choice needs at least one option"));
    }
    out
}

/// Parses `step == value`, `step != value`, `step in [a, b]` against an earlier step.
fn condition(
    index: &Index,
    node: &MarkedScalarNode,
    earlier: &[Step],
    position: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<Condition> {
    let at: Pos = pos_of(index.path, node.span());
    let text = node.as_str().trim();
    let bad = |diags: &mut Vec<Diagnostic>, msg: String| {
        diags.push(Diagnostic::error(&at, msg));
        None
    };
    let (lhs, negate, rhs) = if let Some((l, r)) = text.split_once("!=") {
        (l, true, r)
    } else if let Some((l, r)) = text.split_once("==") {
        (l, false, r)
    } else if let Some((l, r)) = text.split_once(" in ") {
        (l, false, r)
    } else {
        return bad(
            diags,
            format!(
                "cannot read condition `{text}`; write `step == value`, `step != value` or `step in [a, b]`"
            ),
        );
    };
    let lhs = lhs.trim();
    let Some(&step) = index.ids.get(lhs) else {
        return bad(diags, format!("condition refers to unknown step `{lhs}`"));
    };
    if usize::from(step) >= position {
        return bad(diags, format!("condition must refer to an earlier step, not `{lhs}`"));
    }
    let target = earlier.get(usize::from(step))?;
    let rhs = rhs.trim().trim_start_matches('[').trim_end_matches(']');
    let mut any_of = Vec::new();
    for word in rhs.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let v = match &target.kind {
            StepKind::Choice(opts) => match opts.iter().position(|o| &*o.value == word) {
                Some(i) => CondValue::Option(i as u16),
                None => return bad(diags, format!("step `{lhs}` has no option `{word}`")),
            },
            StepKind::YesNo { .. } => match word {
                "ya" | "yes" | "true" => CondValue::Yes(true),
                "tidak" | "no" | "false" => CondValue::Yes(false),
                _ => {
                    return bad(diags, format!("compare yes/no step `{lhs}` with ya or tidak"));
                }
            },
            _ => {
                return bad(
                    diags,
                    format!("conditions can test choice and yes/no steps; `{lhs}` is not one"),
                );
            }
        };
        any_of.push(v);
    }
    if any_of.is_empty() {
        return bad(diags, format!("condition on `{lhs}` names no value"));
    }
    Some(Condition { step, negate, any_of })
}
