//! The main menu, from `dialogs/_menu.yaml`: which services are offered, in what order, and
//! where to send citizens for services that are not the kabupaten's.

use super::yaml::{self, Fields, pos_of};
use crate::diag::{Diagnostic, Pos};
use crate::text::normalize_phrase;
use marked_yaml::Node;
use std::path::Path;

/// A service pintu does not handle, and the message that says where to go instead.
#[derive(Debug, Clone)]
pub struct Elsewhere {
    pub keywords: Vec<String>,
    pub message: String,
    pub pos: Pos,
}

/// The menu as written; the catalogue drops services whose script failed to load.
#[derive(Debug, Clone, Default)]
pub struct Menu {
    pub services: Vec<(String, Pos)>,
    pub elsewhere: Vec<Elsewhere>,
}

pub fn load(path: &Path, text: &str) -> (Option<Menu>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = match yaml::parse(path, text) {
        Ok(r) => r,
        Err(d) => return (None, vec![d]),
    };
    let f = Fields::new(path, &root, &["services", "elsewhere"], &mut diags);
    let services: Vec<(String, Pos)> = f
        .words("services", &mut diags)
        .iter()
        .map(|s| (s.as_str().to_string(), pos_of(path, s.span())))
        .collect();
    if services.is_empty() {
        diags.push(Diagnostic::error(&f.pos(), "`services` must list at least one script id"));
    }
    let mut elsewhere = Vec::new();
    match f.node("elsewhere") {
        None => {}
        Some(Node::Sequence(seq)) => {
            for item in seq.iter() {
                let Node::Mapping(m) = item else {
                    let msg = "each entry must be { keywords: [...], message: elsewhere-... }";
                    diags.push(Diagnostic::error(&pos_of(path, item.span()), msg));
                    continue;
                };
                let ef = Fields::new(path, m, &["keywords", "message"], &mut diags);
                let Some(message) = ef.required("message", &mut diags) else {
                    continue;
                };
                let keywords = ef.words("keywords", &mut diags);
                if keywords.is_empty() {
                    diags.push(Diagnostic::error(&ef.pos(), "`keywords` must not be empty"));
                }
                elsewhere.push(Elsewhere {
                    keywords: keywords.iter().map(|k| normalize_phrase(k)).collect(),
                    message: message.as_str().to_string(),
                    pos: pos_of(path, message.span()),
                });
            }
        }
        Some(other) => {
            let at = f.value_pos("elsewhere", other);
            diags.push(Diagnostic::error(&at, "`elsewhere` must be a list"));
        }
    }
    let ok = !crate::diag::has_errors(&diags);
    (ok.then_some(Menu { services, elsewhere }), diags)
}
