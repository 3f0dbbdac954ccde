//! Cross-file checks that need scripts, menu and texts together: missing and unused messages,
//! unreachable steps, menu entries without a script.

use super::menu::Menu;
use super::{Action, Script, StepKind};
use crate::diag::{Diagnostic, Pos};
use crate::locale::Locales;
use crate::model::session::Lang;
use std::collections::{BTreeMap, BTreeSet};

/// Every message id a script needs, with the step position to blame if it is missing.
pub fn required_keys(script: &Script) -> Vec<(String, Pos)> {
    let top = Pos::new(&script.path, 1, 1);
    let mut keys =
        vec![(script.title_key(), top.clone()), (super::opd_key(&script.opd), top.clone())];
    if script.intro {
        keys.push((format!("{}-intro", script.id), top));
    }
    for (i, step) in script.steps.iter().enumerate() {
        let pos = script.step_pos.get(i).cloned().unwrap_or_else(|| Pos::new(&script.path, 1, 1));
        let prompt = script.prompt_key(step);
        if step.asks() {
            keys.push((format!("{prompt}.label"), pos.clone()));
        }
        keys.push((prompt, pos.clone()));
        if let StepKind::Choice(opts) = &step.kind {
            for o in opts {
                keys.push((script.option_key(step, o), pos.clone()));
                if o.done {
                    keys.push((script.option_done_key(step, o), pos.clone()));
                }
            }
        }
    }
    keys
}

/// Runs every cross-file check.
pub fn check(
    scripts: &BTreeMap<String, Script>,
    menu: &Menu,
    locales: &Locales,
) -> Vec<Diagnostic> {
    let mut diags = super::needed::engine_texts(locales);
    let mut used: BTreeSet<String> = global_keys().into_iter().collect();
    for script in scripts.values() {
        for (key, pos) in required_keys(script) {
            for lang in [Lang::Id, Lang::En] {
                if !locales.has(lang, &key) {
                    let owner = if key.starts_with("opd-") { "opd" } else { &script.id };
                    let (file, what) =
                        (format!("locales/{}/{owner}.ftl", lang.code()), describe(&key));
                    diags
                        .push(Diagnostic::error(&pos, format!("missing {what} `{key}` in {file}")));
                }
            }
            used.insert(key.split('.').next().unwrap_or(&key).to_string());
        }
        reachability(script, &mut diags);
        shape(script, &mut diags);
    }
    for (id, pos) in &menu.services {
        if !scripts.contains_key(id) {
            diags.push(Diagnostic::error(
                pos,
                format!("the menu lists `{id}`, but no script with that id loaded"),
            ));
        }
    }
    for e in &menu.elsewhere {
        used.insert(e.message.clone());
        for lang in [Lang::Id, Lang::En] {
            if !locales.has(lang, &e.message) {
                let msg = format!("missing message `{}` in locales/{}/", e.message, lang.code());
                diags.push(Diagnostic::error(&e.pos, msg));
            }
        }
    }
    // Messages nobody uses are usually typos of ones that are missing.
    let dialog_dir = scripts.values().next().and_then(|s| s.path.parent().map(|p| p.to_path_buf()));
    for ((lang, id), def) in &locales.defined {
        // Agency names are a shared list: an agency without a service yet is not a typo.
        if used.contains(id) || id.starts_with("opd-") {
            continue;
        }
        // Texts of a script that failed to load were already reported with that script.
        let owner = id.split('-').next().unwrap_or("");
        let owner_file_exists =
            dialog_dir.as_ref().is_some_and(|d| d.join(format!("{owner}.yaml")).exists());
        if owner_file_exists && !scripts.contains_key(owner) {
            continue;
        }
        let msg = format!("message `{id}` ({}) is not used by any script", lang.code());
        diags.push(Diagnostic::error(&def.pos, msg));
    }
    diags
}

fn describe(key: &str) -> &'static str {
    if key.ends_with(".label") { "attribute" } else { "message" }
}

/// Message ids the program itself uses (greetings, menu, help, validator re-prompts, statuses).
pub fn global_keys() -> Vec<String> {
    let mut keys: Vec<String> = super::needed::MESSAGE_IDS.iter().map(|s| s.to_string()).collect();
    keys.extend(crate::validate::MESSAGE_IDS.iter().map(|s| s.to_string()));
    keys.extend(crate::ticket::message_ids());
    keys
}

/// Steps no path can reach are almost always a wrong `next:` or a forgotten branch.
fn reachability(script: &Script, diags: &mut Vec<Diagnostic>) {
    let n = script.steps.len();
    let mut seen = vec![false; n];
    let mut todo = vec![0usize];
    while let Some(i) = todo.pop() {
        if i >= n || seen[i] {
            continue;
        }
        seen[i] = true;
        let step = &script.steps[i];
        let mut targets: Vec<usize> = Vec::new();
        let mut falls_through = step.next.is_none();
        match &step.kind {
            StepKind::Summary | StepKind::End => falls_through = false,
            StepKind::Choice(opts) => {
                targets.extend(opts.iter().filter_map(|o| o.next.map(usize::from)));
                falls_through &= opts.iter().any(|o| o.next.is_none());
            }
            StepKind::YesNo { yes, no } => {
                targets.extend([yes, no].into_iter().flatten().map(|t| usize::from(*t)));
                falls_through &= yes.is_none() || no.is_none();
            }
            _ => {}
        }
        targets.extend(step.next.map(usize::from));
        // A conditional step may be skipped, so whatever follows it is reachable too.
        if falls_through || step.when.is_some() {
            targets.push(i + 1);
        }
        todo.extend(targets);
    }
    for (i, reached) in seen.iter().enumerate() {
        if !reached {
            let pos =
                script.step_pos.get(i).cloned().unwrap_or_else(|| Pos::new(&script.path, 1, 1));
            let msg = format!(
                "step `{}` can never be reached (no `next:` or branch leads to it)",
                script.steps[i].id
            );
            diags.push(Diagnostic::error(&pos, msg));
        }
    }
}

/// Rules about which steps fit which action.
fn shape(script: &Script, diags: &mut Vec<Diagnostic>) {
    let at =
        |i: usize| script.step_pos.get(i).cloned().unwrap_or_else(|| Pos::new(&script.path, 1, 1));
    for (i, step) in script.steps.iter().enumerate() {
        let bad = match (&step.kind, script.action) {
            (StepKind::Ticket, Action::Submit | Action::Inform) => {
                Some("a `ticket` step belongs in an `action: status` script")
            }
            (StepKind::Summary, Action::Status | Action::Inform) => {
                Some("a `summary` step only makes sense when the script submits")
            }
            _ => None,
        };
        if let Some(msg) = bad {
            diags.push(Diagnostic::error(&at(i), msg));
        }
        if step.optional
            && matches!(step.kind, StepKind::Summary | StepKind::End | StepKind::YesNo { .. })
        {
            diags.push(Diagnostic::error(
                &at(i),
                format!("a `{}` step cannot be optional", step.kind.name()),
            ));
        }
    }
}
