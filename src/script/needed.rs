//! The texts pintu itself says (greetings, help, re-prompts, statuses, pushes, officers'
//! buttons), as opposed to a script's: every language must have each of them, or a citizen
//! would read a bare id. `pintu check`, reloads and start-up all refuse a catalogue without.

use super::lint::global_keys;
use crate::diag::{Diagnostic, Pos};
use crate::locale::{Defined, Locales};
use crate::model::session::Lang;
use std::path::{Path, PathBuf};

/// Message ids the engine itself hands out; `locales/*/common.ftl` defines them. Kept here, with
/// the other lists of texts pintu needs, so that checking a catalogue needs nothing above it.
pub const MESSAGE_IDS: &[&str] = &[
    "greeting",
    "greeting-salam",
    "time-pagi",
    "time-siang",
    "time-sore",
    "time-malam",
    "privacy-notice",
    "menu-intro",
    "menu-hint",
    "not-understood",
    "clarify-which",
    "clarify-hint",
    "elsewhere-intro",
    "help",
    "help-in-flow",
    "help-answer-text",
    "help-answer-number",
    "help-answer-date",
    "help-answer-choice",
    "help-answer-yesno",
    "help-answer-photo",
    "help-answer-document",
    "help-answer-location",
    "help-answer-summary",
    "help-skip",
    "help-commands",
    "thanks-reply",
    "session-expired",
    "resume-ask",
    "draft-reminder",
    "resume-continue",
    "resume-restart",
    "resume-which",
    "resume-continued",
    "resume-restarted",
    "script-updated",
    "empty-input",
    "unsupported-media",
    "stuck",
    "continue-with",
    "cancel-confirm",
    "cancelled",
    "cancel-kept",
    "switched",
    "nothing-to-cancel",
    "back-at-start",
    "skip-not-allowed",
    "choice-yes",
    "choice-no",
    "emergency-alert",
    "emergency-confirm",
    "emergency-declined",
    "language-ask",
    "language-id",
    "language-en",
    "language-set",
    "understood-choice",
    "summary-confirm",
    "summary-how-to-edit",
    "edit-which",
    "edit-current",
    "edit-ambiguous",
    "edit-not-found",
    "edit-option",
    "answer-yes",
    "answer-no",
    "answer-file",
    "answer-skipped",
    "invalid-text-short",
    "invalid-text-long",
    "invalid-text-pattern",
    "invalid-number",
    "invalid-choice",
    "invalid-yesno",
    "expect-text",
    "expect-photo",
    "expect-document",
    "expect-location",
    "invalid-file-too-big",
    "invalid-file-not-photo",
    "invalid-file-not-document",
    "invalid-date-not-working-day",
    "contact-not-own",
    "submitted",
    "submitted-no-due",
    "status-line",
    "status-due",
    "status-history-intro",
    "status-history-line",
    "status-history-note",
    "status-not-found",
    "status-none",
    "status-mine-intro",
    "status-mine-line",
    "status-other-chat",
    "push-status",
    "push-overdue",
    "push-next-fix",
    "push-next-pickup",
    "push-next-wait",
    "fix-which",
    "fix-ask",
    "fix-not-needed",
    "fix-received",
    "button-location",
    "button-contact",
    "officer-new-ticket",
    "officer-denied",
    "officer-note-ask",
    "officer-done",
    "officer-refused",
    "button-list",
    "template-overdue",
    "mydata-intro",
    "mydata-flow",
    "mydata-ticket",
    "mydata-none",
    "mydata-how-to-delete",
    "forget-confirm",
    "forget-kept",
    "forget-done",
];

/// Every text pintu itself says (greetings, help, re-prompts, statuses, pushes, officers'
/// buttons) in every language: without one a citizen would read its bare id, so a catalogue
/// missing any is refused (by `check`, by a reload, at start-up). Each is reported in the file
/// and at the line where it belongs: beside the message that precedes it in the language that
/// has it.
pub fn engine_texts(locales: &Locales) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for key in global_keys() {
        for lang in [Lang::Id, Lang::En] {
            if locales.has(lang, &key) {
                continue;
            }
            let elsewhere = [Lang::Id, Lang::En]
                .into_iter()
                .filter(|&o| o != lang)
                .find_map(|o| locales.defined.get(&(o, key.clone())).map(|d| (o, d)));
            let diag = match elsewhere {
                Some((other, def)) => {
                    let file = sibling(&def.pos.path, lang);
                    let at = insertion_point(locales, lang, other, def, &file);
                    let msg = format!(
                        "missing message `{key}` (pintu needs it: translate the {} text at {}:{})",
                        other.code(),
                        def.pos.path.display(),
                        def.pos.line
                    );
                    Diagnostic::error(&at, msg)
                }
                None => {
                    let file = default_file(locales, lang, &key);
                    let msg = format!(
                        "missing message `{key}` (pintu needs it in every language; citizens \
                         would read the bare id)"
                    );
                    Diagnostic::error(&Pos::new(&file, 1, 1), msg)
                }
            };
            diags.push(diag);
        }
    }
    diags
}

/// The same file in another language's folder (`locales/en/common.ftl` → `locales/id/...`).
fn sibling(path: &Path, lang: Lang) -> PathBuf {
    match (path.parent().and_then(Path::parent), path.file_name()) {
        (Some(root), Some(name)) => root.join(lang.code()).join(name),
        _ => path.to_path_buf(),
    }
}

/// Just after the message that precedes `def` in its file, if `lang` has that one in `file`.
fn insertion_point(locales: &Locales, lang: Lang, other: Lang, def: &Defined, file: &Path) -> Pos {
    let before = locales
        .defined
        .iter()
        .filter(|((l, _), d)| {
            *l == other && d.pos.path == def.pos.path && d.pos.line < def.pos.line
        })
        .max_by_key(|(_, d)| d.pos.line)
        .and_then(|((_, id), _)| locales.defined.get(&(lang, id.clone())))
        .filter(|d| d.pos.path == file);
    match before {
        Some(d) => Pos::new(file, d.pos.line + d.source.lines().count(), 1),
        None => Pos::new(file, 1, 1),
    }
}

/// Where a text nobody defined belongs: validators' texts in `validate.ftl`, ticket statuses
/// in `status.ftl`, the rest in `common.ftl`.
fn default_file(locales: &Locales, lang: Lang, key: &str) -> PathBuf {
    let name = if crate::validate::MESSAGE_IDS.contains(&key) {
        "validate.ftl"
    } else if crate::ticket::message_ids().iter().any(|k| k == key) {
        "status.ftl"
    } else {
        "common.ftl"
    };
    let root = locales
        .defined
        .values()
        .find_map(|d| d.pos.path.parent().and_then(Path::parent).map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("locales"));
    root.join(lang.code()).join(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn shipped_locales() -> Locales {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        Locales::load_dir(&root.join("locales")).0
    }

    /// Every text id the code names (`Msg::new("help")`, `Reply::key("cancelled")`, or a
    /// literal such as `"time-pagi"` that the shipped locales define) is in `global_keys`, so
    /// `check` asks every language for it.
    #[test]
    fn every_text_the_code_names_is_declared() {
        let declared: BTreeSet<String> = global_keys().into_iter().collect();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let locales = shipped_locales();
        let shipped: BTreeSet<&str> = locales.defined.keys().map(|(_, id)| id.as_str()).collect();
        let scripts: BTreeSet<String> = std::fs::read_dir(root.join("dialogs"))
            .unwrap()
            .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_string))
            .collect();
        let called = regex::Regex::new(r#"(?:Msg::new|Reply::key)\(\s*"([a-z0-9-]+)""#).unwrap();
        let literal = regex::Regex::new(r#""([a-z][a-z0-9]*(?:-[a-z0-9]+)+)""#).unwrap();
        let mut todo = vec![root.join("src")];
        let mut missing = BTreeSet::new();
        while let Some(dir) = todo.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    todo.push(path);
                    continue;
                }
                if path.extension().is_none_or(|x| x != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let by_call = called.captures_iter(&text).map(|c| c[1].to_string());
                let by_literal = literal
                    .captures_iter(&text)
                    .map(|c| c[1].to_string())
                    .filter(|id| shipped.contains(id.as_str()));
                for id in by_call.chain(by_literal) {
                    let owner = id.split('-').next().unwrap_or("");
                    if !declared.contains(&id) && owner != "opd" && !scripts.contains(owner) {
                        missing.insert(format!("{id} ({})", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "add these to script::needed::MESSAGE_IDS: {missing:?}");
    }

    #[test]
    fn a_missing_engine_text_is_reported_where_it_belongs() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let mut files = Vec::new();
        for lang in [Lang::Id, Lang::En] {
            for entry in std::fs::read_dir(root.join(lang.code())).unwrap() {
                let path = entry.unwrap().path();
                let mut text = std::fs::read_to_string(&path).unwrap();
                if lang == Lang::Id && path.ends_with("common.ftl") {
                    text = without_message(&text, "help");
                }
                if path.ends_with("validate.ftl") {
                    // Gone from both languages.
                    text = without_message(&text, "invalid-nik-serial");
                }
                files.push((lang, path, text));
            }
        }
        let (locales, diags) = Locales::from_sources(files);
        assert!(diags.is_empty(), "{diags:?}");
        let got: Vec<String> = engine_texts(&locales).iter().map(ToString::to_string).collect();
        let shipped = shipped_locales();
        let before_help = shipped
            .defined
            .iter()
            .filter(|((l, _), d)| *l == Lang::Id && d.pos.path.ends_with("id/common.ftl"))
            .filter(|(_, d)| d.pos.line < shipped.defined[&(Lang::Id, "help".into())].pos.line)
            .map(|(_, d)| d.pos.line + d.source.lines().count())
            .max()
            .unwrap();
        let en_help = shipped.defined[&(Lang::En, "help".into())].pos.line;
        let r = root.display();
        assert_eq!(
            got,
            [
                format!(
                    "{r}/id/common.ftl:{before_help}:1: error: missing message `help` (pintu needs \
                     it: translate the en text at {r}/en/common.ftl:{en_help})"
                ),
                format!(
                    "{r}/id/validate.ftl:1:1: error: missing message `invalid-nik-serial` (pintu \
                     needs it in every language; citizens would read the bare id)"
                ),
                format!(
                    "{r}/en/validate.ftl:1:1: error: missing message `invalid-nik-serial` (pintu \
                     needs it in every language; citizens would read the bare id)"
                ),
            ]
        );
        // Rendering never shows the id: the other language's text stands in.
        let help = locales.text(Lang::Id, &crate::model::reply::Msg::new("help"));
        assert!(help.starts_with("*Help*"), "{help}");
    }

    /// `text` without the message `id` and its indented lines.
    fn without_message(text: &str, id: &str) -> String {
        let mut out = String::new();
        let mut skipping = false;
        for line in text.lines() {
            if line.starts_with(&format!("{id} =")) {
                skipping = true;
                continue;
            }
            if skipping && line.starts_with(' ') {
                continue;
            }
            skipping = false;
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}
