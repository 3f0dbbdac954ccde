//! Texts: Fluent bundles per language from `locales/<lang>/*.ftl`, and rendering of engine
//! replies into plain text. Indonesian is the default and the fallback for missing texts.
//!
//! May use: `diag`, `model`, `validate`.

use crate::diag::{Diagnostic, Pos};
use crate::model::reply::{Arg, FieldValue, Msg, Piece, Reply};
use crate::model::session::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a message (or one of its attributes) is defined.
#[derive(Debug, Clone)]
pub struct Defined {
    pub pos: Pos,
    pub attributes: Vec<String>,
    /// The message's own Fluent source, so a pinned script version can keep its texts.
    pub source: String,
}

/// All texts of all languages.
pub struct Locales {
    bundles: Vec<(Lang, FluentBundle<FluentResource>)>,
    /// Message ids per language, for `pintu check`.
    pub defined: BTreeMap<(Lang, String), Defined>,
}

impl std::fmt::Debug for Locales {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Locales({} messages)", self.defined.len())
    }
}

const LANGS: [Lang; 2] = [Lang::Id, Lang::En];

impl Locales {
    /// Loads `dir/id/*.ftl` and `dir/en/*.ftl`. Files with syntax errors are reported and the
    /// entries Fluent could still read are kept.
    pub fn load_dir(dir: &Path) -> (Self, Vec<Diagnostic>) {
        Self::load_dir_with(dir, &[])
    }

    /// Like [`Locales::load_dir`], with the files named in `replaced` taking the given text
    /// instead of what is on disk (added if missing): the admin editor's candidate.
    pub fn load_dir_with(dir: &Path, replaced: &[(PathBuf, String)]) -> (Self, Vec<Diagnostic>) {
        let mut files = Vec::new();
        let mut diags = Vec::new();
        for lang in LANGS {
            let sub = dir.join(lang.code());
            let mut paths: Vec<_> = match std::fs::read_dir(&sub) {
                Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
                Err(e) => {
                    let msg = format!("cannot read locale folder: {e}");
                    diags.push(Diagnostic::error(&Pos::new(&sub, 1, 1), msg));
                    continue;
                }
            };
            paths.retain(|p| p.extension().is_some_and(|x| x == "ftl"));
            paths.extend(
                replaced.iter().map(|(p, _)| p.clone()).filter(|p| p.parent() == Some(&sub)),
            );
            paths.sort();
            paths.dedup();
            for p in paths {
                if let Some((_, text)) = replaced.iter().find(|(r, _)| *r == p) {
                    files.push((lang, p, text.clone()));
                    continue;
                }
                match std::fs::read_to_string(&p) {
                    Ok(text) => files.push((lang, p, text)),
                    Err(e) => diags
                        .push(Diagnostic::error(&Pos::new(&p, 1, 1), format!("cannot read: {e}"))),
                }
            }
        }
        let (locales, more) = Self::from_sources(files);
        diags.extend(more);
        (locales, diags)
    }

    /// Builds bundles from (language, path, text) triples.
    pub fn from_sources(files: Vec<(Lang, std::path::PathBuf, String)>) -> (Self, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut defined = BTreeMap::new();
        let mut bundles: Vec<(Lang, FluentBundle<FluentResource>)> = LANGS
            .iter()
            .map(|&l| {
                let id = l.code().parse().unwrap_or_default();
                let mut b = FluentBundle::new_concurrent(vec![id]);
                // Isolation marks (U+2068/2069) would show up in chats and break transcripts.
                b.set_use_isolating(false);
                (l, b)
            })
            .collect();
        for (lang, path, text) in files {
            let resource = match FluentResource::try_new(text.clone()) {
                Ok(r) => r,
                Err((r, errors)) => {
                    for e in errors {
                        let at = Pos::at_offset(&path, &text, e.pos.start);
                        diags.push(Diagnostic::error(&at, format!("Fluent syntax: {}", e.kind)));
                    }
                    r
                }
            };
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    let id = m.id.name.to_string();
                    let (pos, source) = find_definition(&path, &text, &id);
                    let attributes = m.attributes.iter().map(|a| a.id.name.to_string()).collect();
                    let def = Defined { pos: pos.clone(), attributes, source };
                    if let Some(prev) = defined.insert((lang, id.clone()), def) {
                        let msg = format!(
                            "message `{id}` is defined twice (also at {}:{})",
                            prev.pos.path.display(),
                            prev.pos.line
                        );
                        diags.push(Diagnostic::error(&pos, msg));
                    }
                }
            }
            if let Some((_, bundle)) = bundles.iter_mut().find(|(l, _)| *l == lang) {
                // Duplicates were reported above; the later definition wins.
                bundle.add_resource_overriding(resource);
            }
        }
        (Self { bundles, defined }, diags)
    }

    /// Is the message (or `message.attribute`) defined in this language?
    pub fn has(&self, lang: Lang, key: &str) -> bool {
        let (id, attr) = split_key(key);
        self.defined.get(&(lang, id.to_string())).is_some_and(|d| match attr {
            None => true,
            Some(a) => d.attributes.iter().any(|x| x == a),
        })
    }

    /// The Fluent source of every message of one script (`<id>-...`), per language: what a
    /// session pinned to this version needs to render after an admin edits the texts.
    pub fn sources_of(&self, script_id: &str) -> Vec<(Lang, String)> {
        let prefix = format!("{script_id}-");
        LANGS
            .iter()
            .map(|&lang| {
                let text = self
                    .defined
                    .iter()
                    .filter(|((l, id), _)| *l == lang && id.starts_with(&prefix))
                    .map(|(_, d)| d.source.as_str())
                    .collect::<String>();
                (lang, text)
            })
            .collect()
    }

    /// Renders one message; a text missing in `lang` comes from the other language, so a
    /// citizen reads words rather than an id. Never panics. A [`Msg::literal`] is already text.
    pub fn text(&self, lang: Lang, msg: &Msg) -> String {
        let mut out = String::new();
        self.write_text(&mut out, lang, msg);
        out
    }

    /// [`Locales::text`], appended to `out`: a reply's texts are written straight into the
    /// reply's string, not each into a string of its own first (every reply is rendered, #15).
    fn write_text(&self, out: &mut String, lang: Lang, msg: &Msg) {
        if let Some(t) = msg.as_literal() {
            out.push_str(t);
            return;
        }
        let other = if lang == Lang::Id { Lang::En } else { Lang::Id };
        for l in [lang, other] {
            if self.format(out, l, lang, msg) {
                return;
            }
        }
        // `pintu check`, reloads and start-up refuse texts missing in every language, so this
        // is a bug (a key no list declares): say so where operators look.
        tracing::error!(key = %msg.key, "no text in any language; the citizen sees the bare id");
        out.push_str(&msg.key);
    }

    /// Appends `msg` from `bundle_lang`'s texts, without trailing blanks; false (and nothing
    /// written) when that language lacks it.
    fn format(&self, out: &mut String, bundle_lang: Lang, lang: Lang, msg: &Msg) -> bool {
        let Some((_, bundle)) = self.bundles.iter().find(|(l, _)| *l == bundle_lang) else {
            return false;
        };
        let (id, attr) = split_key(&msg.key);
        let Some(message) = bundle.get_message(id) else { return false };
        let pattern = match attr {
            None => message.value(),
            Some(a) => message.get_attribute(a).map(|a| a.value()),
        };
        let Some(pattern) = pattern else { return false };
        // Arguments borrow the message's names and texts; only nested texts and dates are
        // made here.
        let mut args = FluentArgs::with_capacity(msg.args.len());
        for (name, value) in &msg.args {
            let v: FluentValue = match value {
                Arg::Text(s) => s.as_str().into(),
                Arg::Num(n) => (*n).into(),
                Arg::Msg(inner) => self.text(lang, inner).into(),
                Arg::Date(jd) => format_date(lang, *jd).into(),
            };
            args.set(name.as_ref(), v);
        }
        let start = out.len();
        let mut errors = Vec::new();
        // Writing into a `String` cannot fail.
        let _ = bundle.write_pattern(out, pattern, Some(&args), &mut errors);
        let end = start + out[start..].trim_end().len();
        out.truncate(end);
        true
    }

    /// Renders a whole reply as plain text, choices as numbered lines.
    pub fn render(&self, lang: Lang, reply: &Reply) -> String {
        use std::fmt::Write;
        // One string written line by line, sized for most replies: a vector of lines joined at
        // the end, or a string grown from nothing, cost more allocations, and every reply is
        // rendered (#15).
        let mut out = String::with_capacity(256);
        // Before every line but the first, as `join` did (an empty line included).
        let mut first = true;
        let mut line = |out: &mut String| {
            if !std::mem::take(&mut first) {
                out.push('\n');
            }
        };
        for piece in &reply.body {
            line(&mut out);
            match piece {
                Piece::Msg(m) => self.write_text(&mut out, lang, m),
                Piece::Field { n, label, value } => {
                    let _ = write!(out, "{n}. ");
                    self.write_text(&mut out, lang, label);
                    out.push_str(": ");
                    match value {
                        FieldValue::Text(t) => out.push_str(t),
                        FieldValue::Msg(m) => self.write_text(&mut out, lang, m),
                    }
                }
            }
        }
        for (i, c) in reply.choices.iter().enumerate() {
            line(&mut out);
            let _ = write!(out, "  {}. ", i + 1);
            self.write_text(&mut out, lang, c);
        }
        if let Some(f) = &reply.footer {
            line(&mut out);
            self.write_text(&mut out, lang, f);
        }
        out
    }

    /// Choice labels alone, for channels that draw buttons.
    pub fn choice_labels(&self, lang: Lang, reply: &Reply) -> Vec<String> {
        reply.choices.iter().map(|c| self.text(lang, c)).collect()
    }
}

/// "Selasa, 1 Desember 2026" / "Tuesday, 1 December 2026".
pub fn format_date(lang: Lang, julian_day: i32) -> String {
    match time::Date::from_julian_day(julian_day) {
        Ok(d) if lang == Lang::En => crate::validate::date::format_en(d),
        Ok(d) => crate::validate::date::format_id(d),
        Err(_) => String::from("-"),
    }
}

fn split_key(key: &str) -> (&str, Option<&str>) {
    match key.split_once('.') {
        Some((id, attr)) => (id, Some(attr)),
        None => (key, None),
    }
}

/// Where `id = ...` starts (for pointing admins at it) and the message's source lines.
fn find_definition(path: &Path, text: &str, id: &str) -> (Pos, String) {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix(id)
            && rest.trim_start().starts_with('=')
        {
            let mut source = line.to_string();
            // Continuation lines are indented (or blank inside a pattern).
            for more in lines.by_ref() {
                if !(more.starts_with(' ') || more.trim().is_empty()) {
                    break;
                }
                source.push_str(more);
            }
            let source = format!("{}\n", source.trim_end());
            return (Pos::at_offset(path, text, offset), source);
        }
        offset += line.len();
    }
    (Pos::new(path, 1, 1), String::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::reply::{FieldValue, Msg, Piece, Reply};

    #[test]
    fn a_reply_renders_as_lines_an_empty_one_included() {
        let ftl = "sapa = Halo { $nama }!   \nlabel = Nama\npilih = Pilih satu.\n";
        let (locales, diags) =
            Locales::from_sources(vec![(Lang::Id, "id/test.ftl".into(), ftl.to_string())]);
        assert!(diags.is_empty(), "{diags:?}");
        // Through a variable: `script::needed` lists the ids the code names literally.
        let text = |id: &str| Msg::new(id);
        let reply = Reply {
            body: vec![
                Piece::Msg(Msg::literal(String::new())),
                Piece::Msg(text("sapa").arg("nama", String::from("Budi"))),
                Piece::Field {
                    n: 1,
                    label: text("label"),
                    value: FieldValue::Text("Budi Santoso".into()),
                },
            ],
            choices: vec![Msg::literal("Ya".into()), Msg::literal("Tidak".into())],
            footer: Some(text("pilih")),
            ..Reply::default()
        };
        assert_eq!(
            locales.render(Lang::Id, &reply),
            "\nHalo Budi!\n1. Nama: Budi Santoso\n  1. Ya\n  2. Tidak\nPilih satu."
        );
    }
}
