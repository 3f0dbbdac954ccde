//! Free text to a service. Every service is scored on the whole message, the way a person at
//! the counter listens: by the roots of the words (Indonesian morphology, through the sastrawi
//! stemmer and its root dictionary), with rare, specific words counting for more than words many
//! services share, typos forgiven only in words that are not real Indonesian words, and a
//! question about an application already filed ("kapan ktp sy jadi?") sent to the status flow
//! instead of starting a new one. When two services score alike, the citizen is asked which one
//! they mean instead of being guessed at.
//!
//! Admins tune it without code: each dialog's `keywords:` (phrases that name the service, by
//! root, so "kehilangan ktp" also matches "ktp hilang"'s words), and `dialogs/_router.yaml`
//! (stems the dictionary gets wrong, real words it lacks, what a new request and an urgent call
//! sound like). `pintu route "text"` prints every decision with its reasons.

use super::fast_hash::{WordMap, WordSet};
use super::lexicon::Lexicon;
use super::yaml::{self, Fields, pos_of};
use super::{Action, Script};
use crate::diag::Diagnostic;
use crate::text::{edit_distance, normalize_phrase};
use marked_yaml::Node;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

/// A service scoring at least this is a candidate (one specific word is about 3).
const MIN_SCORE: f32 = 1.4;
/// The weight of each word of a status cue: a one-word cue ("lacak") passes [`MIN_SCORE`].
const STATUS_WEIGHT: f32 = 1.5;
/// A status question must score at least this share of the service it names.
const STATUS_SHARE: f32 = 0.35;
/// A runner-up within this share of the best is too close to call: ask.
const CLOSE: f32 = 0.8;
/// How many services a clarifying question names at most.
const MAX_CANDIDATES: usize = 3;
/// Words a message may hold between the words of a keyword ("kapan ktp saya jadi").
const MAX_GAP: usize = 2;
/// A message longer than this is a story: words of the emergency service in it are more
/// likely told in passing ("rawan kecelakaan") unless something says it is happening now.
const LONG_MESSAGE: usize = 8;
/// Match qualities: the same word, the same root, a typo of a word that is not a real word.
const EXACT: f32 = 1.0;
const SAME_ROOT: f32 = 0.85;
const TYPO: f32 = 0.6;

/// Routing settings from `dialogs/_router.yaml` (all optional).
#[derive(Debug, Clone, Default)]
pub struct RouterConfig {
    /// Words whose root the stemmer gets wrong for this domain ("meninggal" is not "tinggal").
    pub stems: HashMap<String, String>,
    /// Real words missing from the root dictionary (regional, colloquial): never typo-corrected.
    pub known: HashSet<String>,
    /// Phrases that ask for something new ("mau", "bagaimana cara"): they keep a question that
    /// also sounds like a status question ("berapa lama") with the service.
    pub request_cues: Vec<String>,
    /// Words that say something is happening now ("tolong", "segera", "terjebak"): without one,
    /// a long message is not an emergency report just because it names one.
    pub urgent_cues: Vec<String>,
    /// Words that tell of a danger in general or in the past ("rawan kecelakaan"): with one,
    /// the emergency service's words count for much less.
    pub incidental_cues: Vec<String>,
    /// Politeness formulas that contain a service's word ("maaf mengganggu"): left out before
    /// scoring.
    pub ignore_phrases: Vec<String>,
    /// Weights set by hand for words whose rarity among keywords misleads: "jalan" names one
    /// service but is said in passing everywhere; "surat" decides little on its own.
    pub weights: HashMap<String, f32>,
}

const KEYS: &[&str] = &[
    "stems",
    "known_words",
    "request_cues",
    "urgent_cues",
    "incidental_cues",
    "ignore_phrases",
    "weights",
];

/// Compiles `_router.yaml`.
pub fn load(path: &Path, text: &str) -> (Option<RouterConfig>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = match yaml::parse(path, text) {
        Ok(r) => r,
        Err(d) => return (None, vec![d]),
    };
    let f = Fields::new(path, &root, KEYS, &mut diags);
    let list = |key: &str, diags: &mut Vec<Diagnostic>| -> Vec<String> {
        f.words(key, diags).iter().map(|w| normalize_phrase(w)).filter(|w| !w.is_empty()).collect()
    };
    let mut cfg = RouterConfig {
        known: list("known_words", &mut diags).into_iter().collect(),
        request_cues: list("request_cues", &mut diags),
        urgent_cues: list("urgent_cues", &mut diags),
        incidental_cues: list("incidental_cues", &mut diags),
        ignore_phrases: list("ignore_phrases", &mut diags),
        ..RouterConfig::default()
    };
    let weight = |v: &str| v.parse::<f32>().ok().filter(|w| (0.0..=10.0).contains(w));
    cfg.weights =
        word_map(&f, "weights", weight, "a weight from 0 to 10, e.g. `jalan: 1.5`", &mut diags);
    let root = |v: &str| Some(normalize_phrase(v)).filter(|r| !r.is_empty());
    cfg.stems =
        word_map(&f, "stems", root, "the root word, e.g. `meninggal: meninggal`", &mut diags);
    let ok = !crate::diag::has_errors(&diags);
    (ok.then_some(cfg), diags)
}

/// A mapping of words to values (`stems`, `weights`), each value read by `parse`; `expected`
/// says what a value should be when one cannot be read.
fn word_map<T>(
    f: &Fields,
    key: &str,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
    diags: &mut Vec<Diagnostic>,
) -> HashMap<String, T> {
    let mut out = HashMap::new();
    let Some(node) = f.node(key) else { return out };
    let Node::Mapping(m) = node else {
        let msg = format!("`{key}` must map each word to {expected}");
        diags.push(Diagnostic::error(&pos_of(f.path, node.span()), msg));
        return out;
    };
    for (k, v) in m.iter() {
        let value = match v {
            Node::Scalar(s) => parse(s.as_str()),
            _ => None,
        };
        match value {
            Some(t) => {
                out.insert(normalize_phrase(k), t);
            }
            None => diags
                .push(Diagnostic::error(&pos_of(f.path, v.span()), format!("expected {expected}"))),
        }
    }
    out
}

/// The stemmer and its root dictionary, loaded once (the dictionary is compiled into the binary).
fn stemmer() -> &'static sastrawi::Stemmer<'static> {
    static DICT: OnceLock<sastrawi::Dictionary> = OnceLock::new();
    static STEMMER: OnceLock<sastrawi::Stemmer<'static>> = OnceLock::new();
    STEMMER.get_or_init(|| sastrawi::Stemmer::new(DICT.get_or_init(sastrawi::Dictionary::new)))
}

fn dictionary() -> &'static sastrawi::Dictionary {
    static DICT: OnceLock<sastrawi::Dictionary> = OnceLock::new();
    DICT.get_or_init(sastrawi::Dictionary::new)
}

/// Is this an Indonesian word (a root, a derived form of one, or a stopword)?
pub fn is_real_word(word: &str) -> bool {
    let dict = dictionary();
    dict.find(word) || stemmer().is_stopword(word) || {
        let root = stem(word);
        root != word && dict.find(&root)
    }
}

/// One word of a message, with what matching needs to know about it.
#[derive(Debug, Clone)]
struct Token {
    text: String,
    root: String,
    /// A real word (in the root dictionary, the lexicon or `known_words`, or a stopword): it is
    /// never read as a typo of a keyword ("sampai" is not "sampah").
    known: bool,
}

/// The words of a normalised message: reduplication folded ("bolong2", "jalan jalan"), digits
/// split from letters ("3bulan"), each with its root.
fn tokenize(canon: &str, cfg: &RouterConfig, lex: &Lexicon) -> Words {
    let mut words: Vec<String> = Vec::new();
    for w in canon.split(' ').filter(|w| !w.is_empty()) {
        // "bolong2", "kata2": the 2 marks reduplication.
        let w = match w.strip_suffix('2') {
            Some(base) if base.chars().count() >= 3 && base.chars().all(char::is_alphabetic) => {
                base
            }
            _ => w,
        };
        for part in split_digits(w) {
            if words.last().is_some_and(|prev| *prev == part) {
                continue; // "jalan-jalan", "selesai-selesai"
            }
            words.push(part);
        }
    }
    for phrase in &cfg.ignore_phrases {
        let p: Vec<&str> = phrase.split(' ').collect();
        while let Some(at) =
            words.windows(p.len()).position(|w| w.iter().zip(&p).all(|(a, b)| a == b))
        {
            words.drain(at..at + p.len());
        }
    }
    Words::new(words.into_iter().map(|w| token(w, cfg, lex)).collect())
}

/// A message's words, with sets of their forms so a keyword that cannot match is passed over
/// without comparing it with every word.
struct Words {
    list: Vec<Token>,
    texts: WordSet,
    roots: WordSet,
    /// Some word may be a typo (not a real word, 5 letters or more).
    typos: bool,
}

impl Words {
    fn new(list: Vec<Token>) -> Self {
        Self {
            texts: list.iter().map(|t| t.text.clone()).collect(),
            roots: list.iter().map(|t| t.root.clone()).collect(),
            typos: list.iter().any(|t| !t.known && t.text.chars().count() >= 5),
            list,
        }
    }

    /// Could this term match some word? (False means certainly not.)
    fn may_have(&self, term: &Term) -> bool {
        self.texts.contains(&*term.text)
            || self.roots.contains(&*term.root)
            || (self.typos && term.chars >= 5)
    }
}

impl std::ops::Deref for Words {
    type Target = [Token];
    fn deref(&self) -> &[Token] {
        &self.list
    }
}

/// "3bulan" → "3", "bulan"; "5hri" → "5", "hri"; words of one kind, and codes that mix letters
/// and digits more than once ("k7q4"), stay whole.
fn split_digits(w: &str) -> Vec<String> {
    let switches = w
        .chars()
        .zip(w.chars().skip(1))
        .filter(|(a, b)| a.is_ascii_digit() != b.is_ascii_digit())
        .count();
    if switches != 1 {
        return vec![w.to_string()];
    }
    let mut parts: Vec<String> = Vec::new();
    let mut last_digit: Option<bool> = None;
    for c in w.chars() {
        let d = c.is_ascii_digit();
        if last_digit != Some(d) {
            parts.push(String::new());
        }
        last_digit = Some(d);
        if let Some(p) = parts.last_mut() {
            p.push(c);
        }
    }
    parts
}

fn token(text: String, cfg: &RouterConfig, lex: &Lexicon) -> Token {
    let root = root_of(&text, cfg);
    // Any number matches any number: the cue "sudah 1 bulan" is also "sdh 3 bulan".
    if text.chars().all(|c| c.is_ascii_digit()) {
        return Token { text, root: NUMBER.to_string(), known: true };
    }
    let dict = dictionary();
    let known = text.chars().count() < 5
        || !text.chars().all(char::is_alphabetic)
        || cfg.known.contains(&text)
        || lex.knows(&text)
        || dict.find(&text)
        || (root != text && dict.find(&root))
        || stemmer().is_stopword(&text);
    Token { text, root, known }
}

/// The root every number shares.
const NUMBER: &str = "#";

/// The root of one word: an admin's override, else the stemmer's.
fn root_of(word: &str, cfg: &RouterConfig) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) {
        return NUMBER.to_string();
    }
    if let Some(r) = cfg.stems.get(word) {
        return r.clone();
    }
    if !word.is_ascii() || word.len() > 40 {
        return word.to_string();
    }
    stem(word)
}

/// The stemmer's root of a word, remembered: stemming tries many affix combinations (tens of
/// µs for a word not in the dictionary), and citizens use the same few thousand words.
fn stem(word: &str) -> String {
    /// Past this many words the memo starts again (a few MB at most).
    const MAX_MEMO: usize = 50_000;
    static MEMO: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let memo = MEMO.get_or_init(Mutex::default);
    if let Some(root) = memo.lock().ok().and_then(|m| m.get(word).cloned()) {
        return root;
    }
    let root = stemmer().stem_word(word).into_owned();
    if let Ok(mut m) = memo.lock() {
        if m.len() >= MAX_MEMO {
            m.clear();
        }
        m.insert(word.to_string(), root.clone());
    }
    root
}

/// A keyword: words that must all appear, in order, with at most [`MAX_GAP`] words between.
#[derive(Debug)]
struct Pattern {
    text: Box<str>,
    terms: Vec<Term>,
}

#[derive(Debug)]
struct Term {
    text: Box<str>,
    root: Box<str>,
    chars: usize,
    weight: f32,
}

impl Pattern {
    fn new(text: &str, cfg: &RouterConfig) -> Self {
        let terms = text
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| Term {
                text: w.into(),
                root: root_of(w, cfg).into(),
                chars: w.chars().count(),
                weight: 1.0,
            })
            .collect();
        Self { text: text.into(), terms }
    }

    /// The best occurrence of the pattern in the message: all its words within a window of
    /// the pattern's length plus [`MAX_GAP`], in any order ("rusak jalan" is "jalan rusak");
    /// words between and a changed order cost a little.
    /// How well each of its words matched there (in the keyword's order), gaps and order paid.
    fn find(&self, tokens: &Words) -> Option<Vec<f32>> {
        self.find_within(tokens, MAX_GAP)
    }

    fn find_within(&self, tokens: &Words, max_gap: usize) -> Option<Vec<f32>> {
        let n = self.terms.len();
        if n == 0 || tokens.is_empty() || !self.terms.iter().all(|t| tokens.may_have(t)) {
            return None;
        }
        // How well each term matches each word, computed once; most keywords have a word the
        // message lacks and stop at the first such row.
        let mut quality: Vec<Vec<Option<f32>>> = Vec::with_capacity(n);
        for term in &self.terms {
            let row: Vec<Option<f32>> = tokens.iter().map(|t| term.quality(t)).collect();
            if row.iter().all(Option::is_none) {
                return None;
            }
            quality.push(row);
        }
        let width = if n == 1 { 1 } else { n + max_gap };
        let mut best: Option<(f32, Vec<f32>)> = None;
        for start in 0..tokens.len() {
            let window = start..tokens.len().min(start + width);
            let mut hits: Vec<(usize, f32)> = Vec::with_capacity(n);
            for row in &quality {
                let hit = window
                    .clone()
                    .filter(|i| !hits.iter().any(|(j, _)| j == i))
                    .filter_map(|i| row[i].map(|q| (i, q)))
                    .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
                match hit {
                    Some(h) => hits.push(h),
                    None => break,
                }
            }
            // Only windows that begin with a hit: each occurrence is scored once.
            if hits.len() < n || !hits.iter().any(|(i, _)| *i == start) {
                continue;
            }
            let lo = hits.iter().map(|h| h.0).min().unwrap_or(start);
            let hi = hits.iter().map(|h| h.0).max().unwrap_or(start);
            let gaps = (hi - lo + 1 - n) as f32;
            let in_order = hits.windows(2).all(|w| w[0].0 < w[1].0);
            let penalty = 1.0 - 0.1 * gaps - if in_order { 0.0 } else { 0.1 };
            let qualities: Vec<f32> = hits.iter().map(|(_, q)| q * penalty).collect();
            let score: f32 = qualities.iter().zip(&self.terms).map(|(q, t)| q * t.weight).sum();
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((score, qualities));
            }
        }
        best.map(|(_, f)| f)
    }
}

impl Pattern {
    /// Is this cue said? A one-word cue must be said as written ("caranya" is not "secara",
    /// though both have the root "cara"); a phrase matches by roots, its words side by side
    /// ("mau tanya progres pengajuan" is not "mau ajukan").
    fn cue_in(&self, tokens: &Words) -> bool {
        match &self.terms[..] {
            [one] => tokens.iter().any(|t| *t.text == *one.text),
            _ => self.find_within(tokens, 0).is_some(),
        }
    }
}

impl Term {
    fn quality(&self, t: &Token) -> Option<f32> {
        if *t.text == *self.text {
            return Some(EXACT);
        }
        if (t.root.len() >= 3 || *t.root == *NUMBER) && *t.root == *self.root {
            return Some(SAME_ROOT);
        }
        // Typos only between a word that is not a real word and a keyword word of 5+ letters:
        // "kelahrian" is "kelahiran", but "sampai" is never "sampah" and "padam" never "pdam".
        if self.chars >= 5 && !t.known {
            let budget = if self.chars >= 7 { 2 } else { 1 };
            let n = t.text.chars().count();
            if n.abs_diff(self.chars) <= budget && edit_distance(&t.text, &self.text) <= budget {
                return Some(TYPO);
            }
        }
        None
    }
}

/// One service's keywords, compiled.
#[derive(Debug)]
struct Entry {
    script: Arc<Script>,
    patterns: Vec<Pattern>,
}

/// The compiled routing table.
#[derive(Debug, Default)]
pub struct Router {
    /// Services that can be started, menu entries first in menu order (ties go to the earlier).
    services: Vec<Entry>,
    /// The status flow's cues (its keywords): a question about an application already filed.
    status: Option<Entry>,
    request_cues: Vec<Pattern>,
    urgent_cues: Vec<Pattern>,
    incidental_cues: Vec<Pattern>,
    /// Which keywords are worth trying for a message.
    gate: Gate,
    cfg: RouterConfig,
}

/// Where each keyword of the services and the status flow could match: by its first word's
/// text and root. A message's words look up the few keywords worth trying instead of trying
/// every one of them (hundreds) on every first message.
#[derive(Debug, Default)]
struct Gate {
    /// A first word's text or root → (entry, pattern); the status flow's entry comes after
    /// the services'.
    by_word: WordMap<Vec<(u32, u32)>>,
    /// Keywords whose first word has 5 letters or more: a typo may match it.
    typo_prone: Vec<(u32, u32)>,
}

impl Gate {
    fn new<'a>(entries: impl Iterator<Item = &'a Entry>) -> Self {
        let mut gate = Gate::default();
        for (e, entry) in entries.enumerate() {
            for (p, pattern) in entry.patterns.iter().enumerate() {
                let Some(first) = pattern.terms.first() else { continue };
                let id = (e as u32, p as u32);
                gate.by_word.entry(first.text.to_string()).or_default().push(id);
                if first.root != first.text {
                    gate.by_word.entry(first.root.to_string()).or_default().push(id);
                }
                if first.chars >= 5 {
                    gate.typo_prone.push(id);
                }
            }
        }
        gate
    }

    /// The keywords that may match `tokens`, by entry then pattern, each once. A keyword left
    /// out certainly does not match: its first word is nowhere in the message.
    fn candidates(&self, tokens: &Words) -> Vec<(u32, u32)> {
        let mut found: Vec<(u32, u32)> = tokens
            .texts
            .iter()
            .chain(tokens.roots.iter())
            .filter_map(|w| self.by_word.get(w))
            .flatten()
            .copied()
            .collect();
        if tokens.typos {
            found.extend_from_slice(&self.typo_prone);
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// What free text should lead to.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Start this service.
    Service(Arc<Script>),
    /// A question about an application already filed: the status flow.
    Status(Arc<Script>),
    /// Too close to call: ask which of these (best first).
    Clarify(Vec<Arc<Script>>),
    /// Nothing fits.
    Nothing,
}

/// A decision with its reasons, for `pintu route` and tests.
#[derive(Debug, Clone)]
pub struct Routed {
    pub decision: Decision,
    /// Every service that matched anything: (id, score, the keywords found), best first.
    pub scores: Vec<(String, f32, Vec<String>)>,
    /// The status cues found, and their score.
    pub status: (f32, Vec<String>),
    pub request_cues: Vec<String>,
    pub urgent: bool,
    pub incidental: bool,
    /// The message's words with their roots, as matched.
    pub words: Vec<(String, String, bool)>,
}

impl Routed {
    /// A readable account of the decision.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        let words: Vec<String> = self
            .words
            .iter()
            .map(|(w, r, known)| {
                let mark = if *known { "" } else { "?" };
                if w == r { format!("{w}{mark}") } else { format!("{w}({r}){mark}") }
            })
            .collect();
        let _ = writeln!(out, "words: {}", words.join(" "));
        let _ = writeln!(out, "  (root in brackets; ? = not a known word, typos allowed)");
        for (id, score, found) in &self.scores {
            let _ = writeln!(out, "{id:<22} {score:>5.2}  {}", found.join(", "));
        }
        if !self.status.1.is_empty() {
            let _ = writeln!(out, "status cues {:.2}: {}", self.status.0, self.status.1.join(", "));
        }
        if !self.request_cues.is_empty() {
            let _ = writeln!(out, "new request cues: {}", self.request_cues.join(", "));
        }
        if self.urgent {
            let _ = writeln!(out, "urgent cue found");
        }
        if self.incidental {
            let _ = writeln!(out, "incidental cue found (emergency words count less)");
        }
        let outcome = match &self.decision {
            Decision::Service(s) => format!("start {}", s.id),
            Decision::Status(s) => format!("status question → {}", s.id),
            Decision::Clarify(c) => format!(
                "ask which: {}",
                c.iter().map(|s| s.id.to_string()).collect::<Vec<_>>().join(", ")
            ),
            Decision::Nothing => "nothing fits → menu".to_string(),
        };
        let _ = writeln!(out, "→ {outcome}");
        out
    }
}

impl Router {
    /// Compiles the keywords of `menu` scripts (in menu order) and then of the rest.
    pub fn new(
        scripts: &BTreeMap<String, Arc<Script>>,
        menu: &[Arc<Script>],
        cfg: RouterConfig,
    ) -> Self {
        let entry = |s: &Arc<Script>| Entry {
            script: s.clone(),
            patterns: s
                .keywords
                .iter()
                .filter(|k| !k.is_empty())
                .map(|k| Pattern::new(k, &cfg))
                .collect(),
        };
        let ordered =
            menu.iter().chain(scripts.values().filter(|s| !menu.iter().any(|m| m.id == s.id)));
        let mut services = Vec::new();
        let mut status: Option<Entry> = None;
        for s in ordered {
            if s.action == Action::Status {
                status.get_or_insert_with(|| entry(s));
            } else {
                services.push(entry(s));
            }
        }
        // A word's weight: rarer across services = more specific. "ktp" names one service;
        // "surat" or "data" appear in many and decide little on their own.
        let mut df: HashMap<String, usize> = HashMap::new();
        for e in services.iter() {
            let roots: HashSet<&str> =
                e.patterns.iter().flat_map(|p| p.terms.iter().map(|t| &*t.root)).collect();
            for r in roots {
                *df.entry(r.to_string()).or_default() += 1;
            }
        }
        let n = services.len().max(1) as f32;
        for e in services.iter_mut() {
            for p in e.patterns.iter_mut() {
                for t in p.terms.iter_mut() {
                    let d = df.get(&*t.root).copied().unwrap_or(1).max(1) as f32;
                    let set = cfg.weights.get(&*t.text).or_else(|| cfg.weights.get(&*t.root));
                    t.weight = set.copied().unwrap_or_else(|| 1.0 + (n / d).ln());
                }
            }
        }
        // Status cues are phrases ("belum jadi", "lacak"): one of them is enough.
        if let Some(st) = status.as_mut() {
            st.patterns
                .iter_mut()
                .flat_map(|p| p.terms.iter_mut())
                .for_each(|t| t.weight = STATUS_WEIGHT);
        }
        let cues = |list: &[String]| list.iter().map(|c| Pattern::new(c, &cfg)).collect();
        let gate = Gate::new(services.iter().chain(status.as_ref()));
        Self {
            gate,
            request_cues: cues(&cfg.request_cues),
            urgent_cues: cues(&cfg.urgent_cues),
            incidental_cues: cues(&cfg.incidental_cues),
            services,
            status,
            cfg,
        }
    }

    /// Scores every service on `canon` (a message after [`Lexicon::canon`]) and decides.
    /// `emergency` names the emergency service, whose words in a long story count only with a
    /// sign that it is happening now.
    pub fn route(&self, canon: &str, lex: &Lexicon, emergency: Option<&str>) -> Routed {
        let tokens = tokenize(canon, &self.cfg, lex);
        let urgent = self.urgent_cues.iter().any(|p| p.cue_in(&tokens));
        let incidental = self.incidental_cues.iter().any(|p| p.cue_in(&tokens));
        let long = tokens.len() > LONG_MESSAGE;
        let candidates = self.gate.candidates(&tokens);
        // The keywords worth trying for entry `i` (services first, then the status flow).
        let tried = |i: usize| {
            let from = candidates.partition_point(|c| (c.0 as usize) < i);
            let to = candidates.partition_point(|c| (c.0 as usize) <= i);
            candidates[from..to].iter().map(|c| c.1 as usize)
        };
        let mut scores: Vec<(usize, f32, Vec<String>)> = Vec::new();
        for (i, e) in self.services.iter().enumerate() {
            let (mut score, found) = coverage(e, tried(i), &tokens);
            if score <= 0.0 {
                continue;
            }
            if emergency.is_some_and(|id| *e.script.id == *id) {
                if incidental {
                    score *= 0.3;
                } else if long && !urgent {
                    score *= 0.5;
                }
            }
            scores.push((i, score, found));
        }
        // Best first; ties keep menu order.
        scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let (status_score, status_found) = self
            .status
            .as_ref()
            .map_or((0.0, Vec::new()), |e| coverage(e, tried(self.services.len()), &tokens));
        let request_cues: Vec<String> = self
            .request_cues
            .iter()
            .filter(|p| p.cue_in(&tokens))
            .map(|p| p.text.to_string())
            .collect();
        let decision = self.decide(&scores, status_score, !request_cues.is_empty());
        Routed {
            decision,
            scores: scores
                .iter()
                .map(|(i, s, f)| (self.services[*i].script.id.to_string(), *s, f.clone()))
                .collect(),
            status: (status_score, status_found),
            request_cues,
            urgent,
            incidental,
            words: tokens.list.into_iter().map(|t| (t.text, t.root, t.known)).collect(),
        }
    }

    /// The answer to a clarifying question: which of `ids` the words point to ("kelahiran"
    /// for akta kelahiran or akta kematian), counting any word of a candidate's keywords, not
    /// only whole keywords. `None` unless exactly one candidate scores best.
    pub fn pick_among(&self, canon: &str, lex: &Lexicon, ids: &[String]) -> Option<usize> {
        let tokens = tokenize(canon, &self.cfg, lex);
        let scores: Vec<f32> = ids
            .iter()
            .map(|id| {
                let Some(e) = self.services.iter().find(|e| *e.script.id == **id) else {
                    return 0.0;
                };
                tokens
                    .iter()
                    .map(|t| {
                        e.patterns
                            .iter()
                            .flat_map(|p| &p.terms)
                            .filter_map(|term| term.quality(t).map(|q| q * term.weight))
                            .fold(0.0, f32::max)
                    })
                    .sum()
            })
            .collect();
        let best = scores.iter().copied().fold(0.0, f32::max);
        let winners: Vec<usize> = (0..ids.len()).filter(|&i| scores[i] == best).collect();
        match winners[..] {
            [i] if best > 0.0 => Some(i),
            _ => None,
        }
    }

    fn decide(&self, scores: &[(usize, f32, Vec<String>)], status: f32, request: bool) -> Decision {
        let top = scores.first().map_or(0.0, |s| s.1);
        // A status question outranks the service it names, unless the service is said much
        // more strongly ("status perkawinan" in a long request to change a KK), or the message
        // also asks for something new ("mau buat ktp, berapa lama?") and names it more strongly.
        if let Some(st) = &self.status
            && status >= MIN_SCORE
            && status >= top * STATUS_SHARE
            && (!request || status >= top)
        {
            return Decision::Status(st.script.clone());
        }
        if top < MIN_SCORE {
            return Decision::Nothing;
        }
        let close: Vec<Arc<Script>> = scores
            .iter()
            .take_while(|s| s.1 >= top * CLOSE)
            .take(MAX_CANDIDATES)
            .map(|s| self.services[s.0].script.clone())
            .collect();
        match close.len() {
            0 => Decision::Nothing,
            1 => Decision::Service(close[0].clone()),
            _ => Decision::Clarify(close),
        }
    }
}

/// A service's score: each root counts once (saying "ktp" twice does not make it more about
/// KTP), with the best weight × quality any of the service's keywords gives it; and the
/// keywords found. Only the keywords `tried` (by index, in order) are looked for: the others
/// cannot match.
fn coverage(e: &Entry, tried: impl Iterator<Item = usize>, tokens: &Words) -> (f32, Vec<String>) {
    let mut best: HashMap<&str, f32> = HashMap::new();
    let mut found = Vec::new();
    for p in tried.filter_map(|i| e.patterns.get(i)) {
        let Some(qualities) = p.find(tokens) else { continue };
        found.push(p.text.to_string());
        for (q, t) in qualities.iter().zip(&p.terms) {
            let slot = best.entry(&t.root).or_insert(0.0);
            *slot = slot.max(q * t.weight);
        }
    }
    (best.values().sum(), found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stemmer_finds_roots_and_never_panics() {
        let cfg = RouterConfig::default();
        for (w, root) in [
            ("kehilangan", "hilang"),
            ("pembuatan", "buat"),
            ("perekaman", "rekam"),
            ("penebangan", "tebang"),
            ("berlubang", "lubang"),
            ("kelahiran", "lahir"),
        ] {
            assert_eq!(root_of(w, &cfg), root, "{w}");
        }
        for odd in ["", "a", "ñandú", "x".repeat(100).as_str(), "ke-", "-nya", "2023", "menge"] {
            let _ = root_of(odd, &cfg);
        }
    }

    #[test]
    fn router_settings_load_and_mistakes_are_placed() {
        let path = Path::new("dialogs/_router.yaml");
        let (cfg, diags) = load(path, "stems: { matinya: mati }\nweights:\n  jalan: 1.5\n");
        assert!(diags.is_empty(), "{diags:?}");
        let cfg = cfg.unwrap();
        assert_eq!(cfg.stems["matinya"], "mati");
        assert_eq!(cfg.weights["jalan"], 1.5);
        let (cfg, diags) = load(path, "weights:\n  jalan: berat\nstems: [a, b]\nstem: {}\n");
        assert!(cfg.is_none());
        let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(shown.iter().any(|d| d.starts_with("dialogs/_router.yaml:2:10:")), "{shown:?}");
        assert!(shown.iter().any(|d| d.contains("`stems` must map")), "{shown:?}");
    }

    #[test]
    fn real_words_are_told_from_codes() {
        for w in ["mana", "saja", "kapan", "kehilangan", "yang"] {
            assert!(is_real_word(w), "{w}");
        }
        for w in ["kqmx", "hrtw", "zxcvbnmq"] {
            assert!(!is_real_word(w), "{w}");
        }
    }

    #[test]
    fn reduplication_and_glued_numbers_are_folded() {
        let lex = Lexicon::default();
        let cfg = RouterConfig::default();
        let words = |s: &str| -> Vec<String> {
            tokenize(s, &cfg, &lex).list.into_iter().map(|t| t.text).collect()
        };
        assert_eq!(words("jalan bolong2"), ["jalan", "bolong"]);
        assert_eq!(words("jalan jalan rusak"), ["jalan", "rusak"]);
        assert_eq!(words("sudah 3bulan"), ["sudah", "3", "bulan"]);
    }

    #[test]
    fn real_words_are_never_typos() {
        let lex = Lexicon::default();
        let cfg = RouterConfig::default();
        let t = |w: &str| token(w.to_string(), &cfg, &lex);
        let kw = |w: &str| Pattern::new(w, &cfg);
        for (typed, keyword) in [
            ("sampai", "sampah"),
            ("kelurahan", "keluhan"),
            ("pengajuan", "pengaduan"),
            ("menjadi", "mengadu"),
            ("kebenaran", "kebakaran"),
            ("tanyakan", "tabrakan"),
            ("selatan", "selokan"),
            ("padam", "pdam"),
        ] {
            assert!(kw(keyword).terms[0].quality(&t(typed)).is_none(), "{typed} ~ {keyword}");
        }
        assert_eq!(kw("kelahiran").terms[0].quality(&t("kelahrian")), Some(TYPO));
    }

    /// The shipped catalogue's decision for a message.
    fn decide(text: &str) -> String {
        use std::sync::OnceLock;
        static CAT: OnceLock<crate::script::catalogue::Catalogue> = OnceLock::new();
        let cat = CAT.get_or_init(|| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            crate::script::catalogue::Catalogue::load(&dir.join("dialogs"), &dir.join("locales")).0
        });
        let canon = cat.lexicon.canon(text);
        match cat.routed(&canon, Some("darurat")).decision {
            Decision::Service(s) => s.id.to_string(),
            Decision::Status(_) => "status".into(),
            Decision::Clarify(c) => {
                format!("ask:{}", c.iter().map(|s| s.id.to_string()).collect::<Vec<_>>().join("|"))
            }
            Decision::Nothing => "menu".into(),
        }
    }

    #[test]
    fn ordinary_words_are_not_typos_of_service_words() {
        // Issue #13 item 2: each of these once opened the wrong service through a "typo".
        for (text, want) in [
            // A question about waiting, never a report about rubbish (sampah).
            ("sampai kapan harus menunggu antrean", "status"),
            ("sampai di kantor jam berapa", "menu"),
            ("saya mau ke kantor kelurahan", "menu"),
            ("keluar rumah jam berapa", "menu"),
            ("pengajuan bansos bpnt", "bansos"),
            ("kebenaran saya mau tanya pkh", "bansos"),
            ("air pdam padam sejak pagi", "pengaduan"),
            ("rumah di jalan selatan", "lapor_infrastruktur"),
            ("akta kelahrian anak", "akta_kelahiran"),
        ] {
            assert_eq!(decide(text), want, "{text}");
        }
    }

    #[test]
    fn status_questions_reach_the_status_flow() {
        for text in [
            "kapan ktp sy jadi?",
            "gmn status ktp sy",
            "sudah seminggu ktp blm jadi",
            "akta anak sy sdh 2 bulan blm jadi",
            "kk saya kok belum selesai ya",
            "sudah sampai mana permohonan saya",
            "saya sudah ngurus surat pindah tapi belum ada kabar",
        ] {
            assert_eq!(decide(text), "status", "{text}");
        }
        // Asking how long a new request takes is not chasing one.
        assert_eq!(decide("mau bikin ktp baru, berapa lama jadinya?"), "ktp_el");
    }

    #[test]
    fn emergencies_told_in_passing_are_not_emergencies() {
        assert_eq!(
            decide(
                "tolong segera perbaiki jalan di depan rumah yang rusak parah bolong2, \
                 sudah banyak kecelakaan"
            ),
            "lapor_infrastruktur"
        );
        assert_eq!(decide("lampu jalan mati, rawan kecelakaan"), "lapor_infrastruktur");
        assert_eq!(decide("rumah tetangga kebakaran"), "darurat");
        assert_eq!(decide("tolong saya terjebak banjir bersama anak di atap rumah"), "darurat");
    }

    #[test]
    fn vocabulary_people_use() {
        // Issue #13 item 13, each as people would write it.
        for (text, want) in [
            ("mohon pemangkasan pohon depan sekolah", "lapor_infrastruktur"),
            ("perantingan pohon di jalan poros", "lapor_infrastruktur"),
            ("penebangan pohon yang sudah lapuk", "lapor_infrastruktur"),
            ("paving di gang kami rusak", "lapor_infrastruktur"),
            ("jalan desa rusak parah bolong2", "lapor_infrastruktur"),
            ("jukir liar minta uang di depan pasar", "pengaduan"),
            ("pelayanan puskesmas lambat sekali", "pengaduan"),
            ("cara dapat bantuan beras dari pemerintah", "bansos"),
            ("pasien muntah darah butuh ambulans", "darurat"),
            ("ada sarang tawon besar di rumah", "darurat"),
            ("daftar umkm", "izin_usaha_mikro"),
            ("pindah", "surat_pindah"),
        ] {
            assert_eq!(decide(text), want, "{text}");
        }
    }

    #[test]
    fn close_calls_are_asked() {
        assert_eq!(decide("akta"), "ask:akta_kelahiran|akta_kematian");
        assert_eq!(decide("halo apa kabar"), "menu");
    }
}
