//! Everything admins edit, loaded and checked together: the menu, the lexicon, every script and
//! every text. A broken script is reported and left out; the rest still serve.

use super::lexicon::Lexicon;
use super::menu::Elsewhere;
use super::router::{Decision, Routed, Router};
use super::{Script, StepKind, lint};
use crate::diag::{Diagnostic, Pos, has_errors};
use crate::locale::Locales;
use crate::model::reply::Msg;
use crate::model::session::Lang;
use crate::text::{edit_distance, normalize_phrase, typo_budget};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The live dialogs and texts.
#[derive(Debug)]
pub struct Catalogue {
    /// Current version of every script that loaded, by id.
    pub scripts: BTreeMap<String, Arc<Script>>,
    /// Menu entries in order (only scripts that loaded).
    pub menu: Vec<Arc<Script>>,
    pub elsewhere: Vec<Elsewhere>,
    pub lexicon: Lexicon,
    pub locales: Arc<Locales>,
    /// Every service's keywords compiled once, for [`Catalogue::route`].
    pub router: Router,
}

impl Catalogue {
    /// Loads `dialogs_dir` and `locales_dir`, returning what loaded and every problem found.
    pub fn load(dialogs_dir: &Path, locales_dir: &Path) -> (Self, Vec<Diagnostic>) {
        Self::load_checking(dialogs_dir, locales_dir, &super::versions::none)
    }

    /// Like [`Catalogue::load`], and leaves out (with an error) every script whose steps differ
    /// from `earlier`'s text of the same version: citizens in the middle of it would jump.
    pub fn load_checking(
        dialogs_dir: &Path,
        locales_dir: &Path,
        earlier: &super::versions::Earlier,
    ) -> (Self, Vec<Diagnostic>) {
        Self::load_replacing(dialogs_dir, locales_dir, earlier, &[])
    }

    /// Like [`Catalogue::load_checking`], with the files named in `replaced` (dialogs or texts)
    /// taking the given text instead of what is on disk, added if missing: what the folders
    /// would load once an admin's edit is saved, checked before anything is written.
    pub fn load_replacing(
        dialogs_dir: &Path,
        locales_dir: &Path,
        earlier: &super::versions::Earlier,
        replaced: &[(PathBuf, String)],
    ) -> (Self, Vec<Diagnostic>) {
        let (locales, mut diags) = Locales::load_dir_with(locales_dir, replaced);
        let mut sources = Vec::new();
        match std::fs::read_dir(dialogs_dir) {
            Ok(rd) => {
                let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
                paths.retain(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"));
                let new_files =
                    replaced.iter().map(|(p, _)| p).filter(|p| p.parent() == Some(dialogs_dir));
                paths.extend(new_files.cloned());
                paths.sort();
                paths.dedup();
                for p in paths {
                    if let Some((_, text)) = replaced.iter().find(|(r, _)| *r == p) {
                        sources.push((p, text.clone()));
                        continue;
                    }
                    match std::fs::read_to_string(&p) {
                        Ok(t) => sources.push((p, t)),
                        Err(e) => diags.push(Diagnostic::error(
                            &Pos::new(&p, 1, 1),
                            format!("cannot read: {e}"),
                        )),
                    }
                }
            }
            Err(e) => {
                let msg = format!("cannot read the dialogs folder: {e}");
                diags.push(Diagnostic::error(&Pos::new(dialogs_dir, 1, 1), msg));
            }
        }
        let (cat, more) = Self::from_sources_checking(dialogs_dir, sources, locales, earlier);
        diags.extend(more);
        (cat, diags)
    }

    /// Builds a catalogue from file texts already read (used by `load` and by tests).
    pub fn from_sources(
        dialogs_dir: &Path,
        sources: Vec<(PathBuf, String)>,
        locales: Locales,
    ) -> (Self, Vec<Diagnostic>) {
        Self::from_sources_checking(dialogs_dir, sources, locales, &super::versions::none)
    }

    fn from_sources_checking(
        dialogs_dir: &Path,
        sources: Vec<(PathBuf, String)>,
        locales: Locales,
        earlier: &super::versions::Earlier,
    ) -> (Self, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut lexicon = None;
        let mut menu = None;
        let mut router_cfg = None;
        let mut scripts = BTreeMap::new();
        for (path, text) in &sources {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            match name {
                "_lexicon.yaml" => {
                    let (l, d) = super::lexicon::load(path, text);
                    diags.extend(d);
                    lexicon = l;
                }
                "_menu.yaml" => {
                    let (m, d) = super::menu::load(path, text);
                    diags.extend(d);
                    menu = m;
                }
                "_router.yaml" => {
                    let (r, d) = super::router::load(path, text);
                    diags.extend(d);
                    router_cfg = r;
                }
                _ if name.starts_with('_') => {
                    let msg = "unknown special file; only _menu.yaml, _lexicon.yaml and \
                               _router.yaml exist";
                    diags.push(Diagnostic::error(&Pos::new(path, 1, 1), msg));
                }
                _ => {
                    let (s, d) = super::load::load(path, text);
                    diags.extend(d);
                    if let Some(s) = s {
                        scripts.insert(s.id.to_string(), s);
                    }
                }
            }
        }
        for (file, what) in [("_lexicon.yaml", lexicon.is_some()), ("_menu.yaml", menu.is_some())] {
            let path = dialogs_dir.join(file);
            if !what && !diags.iter().any(|d| d.path == path) {
                diags.push(Diagnostic::error(&Pos::new(&path, 1, 1), "missing or unreadable"));
            }
        }
        let menu = menu.unwrap_or_default();
        // Texts are part of a script: one whose messages are missing is left out like a script
        // with a YAML error, so no citizen ever sees a raw message id.
        let mut lint = lint::check(&scripts, &menu, &locales);
        lint.extend(super::versions::check(&scripts, earlier));
        let broken: Vec<String> = scripts
            .values()
            .filter(|s| {
                lint.iter().any(|d| d.path == s.path && d.severity == crate::diag::Severity::Error)
            })
            .map(|s| s.id.to_string())
            .collect();
        diags.extend(lint);
        for id in broken {
            scripts.remove(&id);
        }
        let scripts: BTreeMap<String, Arc<Script>> = scripts
            .into_iter()
            .map(|(id, s)| (id, Arc::new(with_label_matches(s, &locales, lexicon.as_ref()))))
            .collect();
        let menu_scripts: Vec<Arc<Script>> =
            menu.services.iter().filter_map(|(id, _)| scripts.get(id).cloned()).collect();
        let router = Router::new(&scripts, &menu_scripts, router_cfg.unwrap_or_default());
        let cat = Self {
            router,
            scripts,
            menu: menu_scripts,
            elsewhere: menu.elsewhere,
            lexicon: lexicon.unwrap_or_default(),
            locales: Arc::new(locales),
        };
        (cat, diags)
    }

    /// True if nothing at all could be loaded (the service cannot talk to anyone).
    pub fn is_unusable(&self) -> bool {
        self.menu.is_empty()
    }

    pub fn script(&self, id: &str) -> Option<&Arc<Script>> {
        self.scripts.get(id)
    }

    /// What the store keeps for a pinned script version: its YAML and its own texts, so a
    /// session can finish on it even after both are edited.
    pub fn pinned_record(&self, script: &Script) -> String {
        let texts: BTreeMap<&str, String> = self
            .locales
            .sources_of(&script.id)
            .into_iter()
            .map(|(lang, ftl)| (lang.code(), ftl))
            .collect();
        serde_json::json!({ "yaml": &*script.source, "texts": texts }).to_string()
    }

    /// The YAML inside a pinned record (see [`Catalogue::pinned_record`]).
    pub fn pinned_yaml(record: &str) -> Option<String> {
        let value: serde_json::Value = serde_json::from_str(record).ok()?;
        value.get("yaml")?.as_str().map(str::to_string)
    }

    /// Compiles a pinned script version from its stored record, with texts where its own
    /// messages are as they were and everything else is current. `None` if it no longer
    /// compiles.
    pub fn compile_pinned(&self, id: &str, record: &str) -> Option<Pinned> {
        #[derive(serde::Deserialize)]
        struct Record {
            yaml: String,
            texts: BTreeMap<String, String>,
        }
        let rec: Record = serde_json::from_str(record).ok()?;
        let prefix = format!("{id}-");
        let mut files = Vec::new();
        for lang in [Lang::Id, Lang::En] {
            let mut ftl: String = self
                .locales
                .defined
                .iter()
                .filter(|((l, key), _)| *l == lang && !key.starts_with(&prefix))
                .map(|(_, d)| d.source.as_str())
                .collect();
            ftl.push_str(rec.texts.get(lang.code()).map_or("", String::as_str));
            files.push((lang, PathBuf::from(format!("{id}.{}.ftl", lang.code())), ftl));
        }
        let (locales, _) = Locales::from_sources(files);
        let path = PathBuf::from(format!("{id}.yaml"));
        let (script, _) = super::load::load(&path, &rec.yaml);
        let script = with_label_matches(script?, &locales, Some(&self.lexicon));
        Some(Pinned { script: Arc::new(script), locales: Arc::new(locales) })
    }

    /// Prefixes citizens may type before a ticket number (`KTP-K7Q4-M9XS`).
    pub fn ticket_prefixes(&self) -> Vec<&str> {
        self.scripts.values().filter_map(|s| s.ticket_prefix.as_deref()).collect()
    }

    /// The service free text asks for ("mau bikin ktp dong" → `ktp_el`), or the status flow for
    /// a question about an application already filed ("ktp saya kapan jadi?"); `None` when
    /// nothing fits or two services are too close to call (see [`Catalogue::routed`]).
    pub fn route(&self, canon: &str) -> Option<&Arc<Script>> {
        match self.routed(canon, None).decision {
            Decision::Service(s) | Decision::Status(s) => self.scripts.get(&*s.id),
            Decision::Clarify(_) | Decision::Nothing => None,
        }
    }

    /// The router's whole decision with its reasons; `emergency` names the emergency service.
    pub fn routed(&self, canon: &str, emergency: Option<&str>) -> Routed {
        self.router.route(canon, &self.lexicon, emergency)
    }

    /// The "not ours" message for free text about another institution's service.
    pub fn elsewhere_for(&self, canon: &str) -> Option<&str> {
        self.elsewhere_where(canon, contains_phrase)
    }

    /// Does free text name another institution's service in so many words (no typo allowance)?
    pub fn elsewhere_exactly(&self, canon: &str) -> bool {
        self.elsewhere_where(canon, contains_exact).is_some()
    }

    /// The message of the first "not ours" entry one of whose keywords `found` in the words.
    fn elsewhere_where(&self, canon: &str, found: fn(&[&str], &str) -> bool) -> Option<&str> {
        let words: Vec<&str> = canon.split(' ').collect();
        self.elsewhere
            .iter()
            .find(|e| e.keywords.iter().any(|k| found(&words, k)))
            .map(|e| e.message.as_str())
    }
}

/// Does the phrase occur as whole words in `words`, exactly?
pub fn contains_exact(words: &[&str], phrase: &str) -> bool {
    contains_words(words, phrase, |got, want| got == want)
}

/// Does the phrase occur as whole words in `words`, allowing small typos in longer words?
fn contains_phrase(words: &[&str], phrase: &str) -> bool {
    contains_words(words, phrase, |got, w| {
        got == w || {
            let budget = typo_budget(w.chars().count());
            budget > 0
                // Cheap length check first: most words are far apart.
                && got.len().abs_diff(w.len()) <= budget * 4
                && edit_distance(got, w) <= budget
        }
    })
}

/// Does some run of `words` match the phrase's words one by one? Splits the phrase on the
/// fly: this runs for every keyword of every service on a dialog's first message.
fn contains_words(words: &[&str], phrase: &str, same: impl Fn(&str, &str) -> bool) -> bool {
    let n = phrase.split(' ').count();
    if phrase.is_empty() || n > words.len() {
        return false;
    }
    words.windows(n).any(|win| win.iter().zip(phrase.split(' ')).all(|(got, w)| same(got, w)))
}

/// A script version that is no longer live, with the texts it was written with.
#[derive(Debug, Clone)]
pub struct Pinned {
    pub script: Arc<Script>,
    pub locales: Arc<Locales>,
}

/// Adds each option's and each title's texts (in every language) to what matches it, so
/// citizens may type the words they read on the screen; then puts every keyword and option word
/// through the lexicon as input is (fillers dropped, abbreviations expanded), so both sides
/// of a comparison look alike.
fn with_label_matches(mut script: Script, locales: &Locales, lexicon: Option<&Lexicon>) -> Script {
    let title = script.title_key();
    for lang in [Lang::Id, Lang::En] {
        if locales.has(lang, &title) {
            let text = locales.text(lang, &Msg::new(title.clone()));
            let t = normalize_phrase(&text);
            if !t.is_empty() && !script.keywords.contains(&t) {
                script.keywords.push(t.clone());
            }
            let canon = lexicon.map_or(t, |lex| lex.canon(&text));
            if !script.titles.contains(&canon) {
                script.titles.push(canon);
            }
        }
    }
    let keys: Vec<Vec<String>> = script
        .steps
        .iter()
        .map(|st| match &st.kind {
            StepKind::Choice(opts) => opts.iter().map(|o| script.option_key(st, o)).collect(),
            _ => Vec::new(),
        })
        .collect();
    for (step, keys) in script.steps.iter_mut().zip(keys) {
        if let StepKind::Choice(opts) = &mut step.kind {
            for (opt, key) in opts.iter_mut().zip(keys) {
                for lang in [Lang::Id, Lang::En] {
                    if locales.has(lang, &key) {
                        let t = normalize_phrase(&locales.text(lang, &Msg::new(key.clone())));
                        if !t.is_empty() && !opt.matches.contains(&t) {
                            opt.matches.push(t);
                        }
                    }
                }
            }
        }
    }
    if let Some(lex) = lexicon {
        let canon_all = |words: &mut Vec<String>| {
            for w in words.iter_mut() {
                *w = lex.canon(w);
            }
            words.retain(|w| !w.is_empty());
            words.dedup();
        };
        canon_all(&mut script.keywords);
        for step in &mut script.steps {
            if let StepKind::Choice(opts) = &mut step.kind {
                opts.iter_mut().for_each(|o| canon_all(&mut o.matches));
            }
        }
    }
    script
}

/// Loads and reports, for `pintu check`: true if there were errors. `earlier` gives the text
/// of script versions citizens have started (see [`super::versions`]).
pub fn check_dirs(
    dialogs_dirs: &[PathBuf],
    locales_dir: &Path,
    earlier: &super::versions::Earlier,
) -> (Vec<Diagnostic>, bool) {
    let mut all = Vec::new();
    for d in dialogs_dirs {
        let (_, diags) = Catalogue::load_checking(d, locales_dir, earlier);
        all.extend(diags);
    }
    all.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
    all.dedup();
    let bad = has_errors(&all);
    (all, bad)
}
#[cfg(test)]
mod pinned_tests {
    #[test]
    fn a_pinned_record_compiles_back() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (cat, _) = super::Catalogue::load(&dir.join("dialogs"), &dir.join("locales"));
        let script = cat.script("ktp_el").unwrap();
        let record = cat.pinned_record(script);
        let pinned = cat.compile_pinned("ktp_el", &record).expect("compiles");
        assert_eq!(pinned.script.steps.len(), script.steps.len());
    }
}
