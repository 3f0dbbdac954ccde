//! The words citizens type, from `dialogs/_lexicon.yaml`: yes/no, commands, greetings, number
//! words, fillers and abbreviations. Kept out of Rust so admins can add regional words.

use super::fast_hash::{WordMap, WordSet};
use super::yaml::{self, Fields, pos_of};
use crate::diag::Diagnostic;
use crate::text::{normalize_phrase, squeeze};
use marked_yaml::Node;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

/// A global command, understood in every state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    Menu,
    Back,
    Help,
    Skip,
    Status,
    Edit,
    Language,
    /// `perbaiki <nomor>`: send what an officer asked for.
    Fix,
    /// `data saya`: what pintu holds about this chat.
    MyData,
    /// `hapus data saya`: erase it (after confirmation).
    Forget,
}

const COMMANDS: &[(&str, Command)] = &[
    ("menu", Command::Menu),
    ("back", Command::Back),
    ("help", Command::Help),
    ("skip", Command::Skip),
    ("status", Command::Status),
    ("edit", Command::Edit),
    ("language", Command::Language),
    ("fix", Command::Fix),
    ("my_data", Command::MyData),
    ("forget", Command::Forget),
];

const KEYS: &[&str] = &[
    "yes",
    "no",
    "wrong",
    "cancel",
    "commands",
    "greetings",
    "salam",
    "thanks",
    "emergency",
    "fillers",
    "abbreviations",
    "numbers",
    "last",
    "english",
    "indonesian",
    "emergency_alone",
    "urgent",
    "multipliers",
    "negatable",
    "lead_ins",
    "places",
];

/// Groups of `lead_ins:` words: one per kind of answer, then the shared possessives and links.
const LEAD_GROUPS: &[&str] =
    &["nik", "kk", "phone", "email", "date", "name", "text", "postal", "own", "link"];

/// The kind of answer a lead-in introduces ("nik sy …", "tgl lahir …", "alamat sy di …").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeadKind {
    Nik,
    Kk,
    Phone,
    Email,
    Date,
    Name,
    /// Short text answers such as a street or a place.
    Text,
    Postal,
}

/// What a message means on its own, before any step interprets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    Yes,
    No,
    /// "bukan", "salah": the shown data is wrong.
    Wrong,
    Cancel,
    Command(Command, Option<String>),
    Greeting,
    Salam,
    Thanks,
    Emergency,
}

/// Compiled word lists. All entries are normalised as input is.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    yes: WordSet,
    no: WordSet,
    wrong: WordSet,
    cancel: WordSet,
    commands: Vec<(String, Command)>,
    greetings: WordSet,
    salam: WordSet,
    thanks: WordSet,
    emergency: WordSet,
    emergency_alone: WordSet,
    urgent: WordSet,
    fillers: WordSet,
    abbreviations: WordMap<String>,
    numbers: WordMap<u16>,
    multipliers: WordMap<u16>,
    last: WordSet,
    english: WordSet,
    indonesian: WordSet,
    /// Words that still mean no after a no word: "belum punya", "blm sempat".
    negatable: WordSet,
    /// Words that make a typed text a place ("jl", "rt", "desa", "dekat"): the described
    /// location of a citizen who cannot share one.
    places: WordSet,
    /// Head phrases per kind of answer, each as its canonical words.
    lead_heads: HashMap<LeadKind, Vec<Vec<String>>>,
    /// Possessives after a head ("nik *saya*", "nomor *nya*").
    lead_own: WordSet,
    /// Linking words around a head ("nik saya *adalah*", "*ini* nik saya", "alamat *di*").
    lead_link: WordSet,
}

/// A word of a message with its place in the raw text, for cutting the raw value out.
struct Token {
    start: usize,
    end: usize,
    /// Canonical form: normalised, abbreviation expanded ("sy" → "saya").
    word: String,
}

/// What the words of a stretch of tokens were, when every one of them is lead-in material.
#[derive(Default, Clone, Copy)]
struct LeadRun {
    head: bool,
    /// A head followed by a possessive or a linking word or sign ("nama saya", "nik:"): no real
    /// value starts that way.
    unmistakable: bool,
    /// Only fillers ("pak", "kak"): harmless around a number, never cut from a name.
    fillers_only: bool,
}

impl Lexicon {
    /// Normalises and canonicalises a message: fillers dropped, abbreviations expanded.
    pub fn canon(&self, raw: &str) -> String {
        let norm = key_of(raw);
        let words: Vec<&str> = norm
            .split(' ')
            .filter(|w| !self.fillers.contains(*w))
            .map(|w| self.abbreviations.get(w).map_or(w, String::as_str))
            .collect();
        // A message made only of fillers ("kak") keeps them rather than becoming empty.
        if words.is_empty() { norm } else { words.join(" ") }
    }

    /// What the message means by itself. `canon` is the output of [`Lexicon::canon`].
    pub fn intent(&self, canon: &str) -> Option<Intent> {
        if canon.is_empty() {
            return None;
        }
        // Phrases first: "ga jadi" is a cancel even though "ga" alone is a no.
        if self.cancel.contains(canon) {
            return Some(Intent::Cancel);
        }
        for (phrase, cmd) in &self.commands {
            if canon == phrase {
                return Some(Intent::Command(*cmd, None));
            }
            if let Some(rest) =
                canon.strip_prefix(phrase.as_str()).and_then(|r| r.strip_prefix(' '))
                && matches!(cmd, Command::Status | Command::Edit | Command::Fix)
            {
                return Some(Intent::Command(*cmd, Some(rest.to_string())));
            }
        }
        let all = |set: &WordSet| canon.split(' ').all(|w| has_loosely(set, w));
        match self.yes_no(canon) {
            Some(true) => return Some(Intent::Yes),
            Some(false) => return Some(Intent::No),
            None => {}
        }
        if all(&self.wrong) {
            return Some(Intent::Wrong);
        }
        if self.emergency.contains(canon) || self.emergency_words(canon) {
            return Some(Intent::Emergency);
        }
        if has_loosely(&self.salam, canon) {
            return Some(Intent::Salam);
        }
        if self.greetings.contains(canon) || all(&self.greetings) {
            return Some(Intent::Greeting);
        }
        if self.thanks.contains(canon) || all(&self.thanks) || self.starts_with_thanks(canon) {
            return Some(Intent::Thanks);
        }
        None
    }

    /// The message read as an answer to a yes/no question, ignoring commands: "iya udh", "udh
    /// ada" are yes; "blm", "belum punya", "ga ada", "iya belum" are no (a no word, after any
    /// yes words, followed only by what it negates). "ga jadi" stays a cancel and "ga tau" is
    /// no answer at all (`None`).
    pub fn yes_no(&self, canon: &str) -> Option<bool> {
        if canon.is_empty() || self.cancel.contains(canon) {
            return None;
        }
        let is = has_loosely;
        let words: Vec<&str> = canon.split(' ').collect();
        if words.iter().all(|w| is(&self.yes, w)) {
            return Some(true);
        }
        let first_no = words.iter().position(|w| is(&self.no, w))?;
        let before_ok = words[..first_no].iter().all(|w| is(&self.yes, w));
        let after_ok = words[first_no + 1..]
            .iter()
            .all(|w| is(&self.yes, w) || is(&self.no, w) || is(&self.negatable, w));
        (before_ok && after_ok).then_some(false)
    }

    /// The value inside an answer wrapped in words that only announce it: "nik sy 3201…",
    /// "tgl lahir 17 agustus 90", "3201… itu nik saya", "nama saya Budi Santoso". Returns the
    /// raw text between the lead-in and the tail (separators kept as typed), or `None` when
    /// there is nothing to strip. `strict` (for answers that validate as typed, such as names)
    /// strips only an unmistakable lead-in: a head with a possessive or linking word.
    pub fn strip_lead_in<'a>(&self, kind: LeadKind, raw: &'a str, strict: bool) -> Option<&'a str> {
        let heads = self.lead_heads.get(&kind)?;
        let toks = self.tokens(raw);
        // Long messages are stories, not answers with a lead-in.
        if toks.is_empty() || toks.len() > 40 {
            return None;
        }
        let ok = |run: &LeadRun| {
            if strict { run.unmistakable } else { run.head || run.fillers_only }
        };
        // The longest leading run of lead-in words that still leaves a value.
        let (mut lead, mut lead_run) = (0, LeadRun::default());
        for (n, run) in self.lead_runs(heads, raw, &toks) {
            if n < toks.len() && ok(&run) {
                (lead, lead_run) = (n, run);
            }
        }
        // The longest trailing run after the value: lead-in words up to the very end.
        let (mut tail, mut tail_run) = (toks.len(), LeadRun::default());
        for a in (lead + 1..toks.len()).rev() {
            let runs = self.lead_runs(heads, raw, &toks[a..]);
            if let Some((_, run)) = runs.into_iter().find(|(n, _)| *n == toks.len() - a)
                && ok(&run)
            {
                (tail, tail_run) = (a, run);
            }
        }
        if lead == 0 && tail == toks.len() {
            return None;
        }
        // Without strictness, fillers alone may go only when a real lead-in was found too, or
        // around digits: "0812 3456 7890 pak".
        let any_head = lead_run.head || tail_run.head;
        if !strict && !any_head && !raw.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        // "nik saya" alone holds no value.
        let middle = &toks[lead..tail];
        if self.lead_runs(heads, raw, middle).last().is_some_and(|(n, _)| *n == middle.len()) {
            return None;
        }
        let value = &raw[toks[lead].start..toks[tail - 1].end];
        (!value.trim().is_empty()).then_some(value)
    }

    /// Reads lead-in words from the start of `toks` for as long as there are any, greedily
    /// (longest head phrase first), and returns the state after each step: how many tokens were
    /// read and what they were.
    fn lead_runs(&self, heads: &[Vec<String>], raw: &str, toks: &[Token]) -> Vec<(usize, LeadRun)> {
        let mut out = Vec::new();
        let mut run = LeadRun { fillers_only: true, ..LeadRun::default() };
        let mut i = 0;
        let mut after_head = false;
        while i < toks.len() {
            let w = toks[i].word.as_str();
            let rest = &toks[i..];
            let longest = heads
                .iter()
                .filter(|h| {
                    h.len() <= rest.len() && rest.iter().zip(h.iter()).all(|(t, w)| t.word == *w)
                })
                .map(Vec::len)
                .max();
            if let Some(n) = longest {
                // A sign right after a head links it to the value: "nik: 3201…", "nama=Budi".
                let end = toks[i + n - 1].end;
                let next = toks.get(i + n).map_or(raw.len(), |t| t.start);
                run.head = true;
                run.fillers_only = false;
                run.unmistakable |= raw[end..next].contains([':', '=']);
                after_head = true;
                i += n;
                out.push((i, run));
                continue;
            }
            // "namaku", "nomornya", "hpnya": a head with its possessive attached.
            let suffixed = ["nya", "ku"].iter().any(|suf| {
                w.strip_suffix(suf).is_some_and(|stem| {
                    !stem.is_empty() && heads.iter().any(|h| h.len() == 1 && h[0] == stem)
                })
            });
            if suffixed {
                run.head = true;
                run.unmistakable = true;
                run.fillers_only = false;
                after_head = false;
            } else if self.lead_own.contains(w) || self.lead_link.contains(w) {
                run.unmistakable |= after_head;
                run.fillers_only = false;
                after_head = false;
            } else if self.fillers.contains(w) {
                after_head = false;
            } else {
                break;
            }
            i += 1;
            out.push((i, run));
        }
        out
    }

    /// Splits raw text into words at spaces and the signs people put between a label and a
    /// value (`:` `=` `,` `;` `.` `-` `/`), keeping each word's place.
    fn tokens(&self, raw: &str) -> Vec<Token> {
        let sep = |c: char| c.is_whitespace() || ":=,;.-/".contains(c);
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in raw.char_indices().chain(std::iter::once((raw.len(), ' '))) {
            match (start, sep(c)) {
                (None, false) => start = Some(i),
                (Some(s), true) => {
                    let norm = normalize_phrase(&raw[s..i]);
                    let word = self.abbreviations.get(&norm).cloned().unwrap_or(norm);
                    out.push(Token { start: s, end: i, word });
                    start = None;
                }
                _ => {}
            }
        }
        out
    }

    /// "terimakasih infonya", "makasih banyak ya": a short message that opens with thanks.
    fn starts_with_thanks(&self, canon: &str) -> bool {
        let words: Vec<&str> = canon.split(' ').collect();
        words.len() <= 4
            && (1..=2.min(words.len())).any(|n| {
                let head = words[..n].join(" ");
                has_loosely(&self.thanks, &head)
            })
    }

    /// A message that opens with a greeting or a salam ("Selamat siang, Admin ...",
    /// "Assalamu' alaikum Wr. Wb ..."), whatever follows: `Some(true)` for a salam.
    pub fn opens_with_greeting(&self, canon: &str) -> Option<bool> {
        let words: Vec<&str> = canon.split(' ').collect();
        (1..=3.min(words.len())).rev().find_map(|n| {
            let spaced = words[..n].join(" ");
            let joined = words[..n].concat();
            let is = |set: &WordSet| [&spaced, &joined].iter().any(|p| has_loosely(set, p));
            if is(&self.salam) {
                Some(true)
            } else if is(&self.greetings) {
                Some(false)
            } else {
                None
            }
        })
    }

    /// A message that opens with thanks ("Trimakasih, jadi gampang urus izin usaha"), also
    /// after a yes word ("ok makasih infonya").
    pub fn opens_with_thanks(&self, canon: &str) -> bool {
        let words: Vec<&str> = canon.split(' ').skip_while(|w| self.yes.contains(*w)).collect();
        (1..=2.min(words.len())).any(|n| {
            let head = words[..n].join(" ");
            has_loosely(&self.thanks, &head)
        })
    }

    /// Short messages with an emergency word ("tolong kebakaran", "banjir!!"), or a call for
    /// help that stands alone or with an urgent word ("tolong", "tolong cepat").
    fn emergency_words(&self, canon: &str) -> bool {
        let words: Vec<&str> = canon.split(' ').collect();
        let strong = words.len() <= 4 && words.iter().any(|w| self.emergency.contains(*w));
        let alone = words.iter().any(|w| self.emergency_alone.contains(*w))
            && words.iter().all(|w| self.emergency_alone.contains(*w) || self.urgent.contains(*w));
        strong || alone || self.emergency_alone.contains(canon)
    }

    /// A 1-based option number written as `1`, `no 1`, `pilih 2`, `dua`, `kedua`, `terakhir`
    /// (`count` resolves "terakhir").
    pub fn option_number(&self, canon: &str, count: usize) -> Option<usize> {
        let words: Vec<&str> = canon.split(' ').collect();
        let last = *words.last()?;
        // Leading words such as "no", "nomor", "pilih", "yang" carry no meaning here.
        if words.len() > 3 {
            return None;
        }
        let n = if let Ok(n) = last.parse::<usize>() {
            n
        } else if let Some(n) = self.numbers.get(last) {
            usize::from(*n)
        } else if self.last.contains(last) {
            count
        } else {
            // "1 tolong": a leading number with a trailing word.
            words.first().and_then(|w| w.parse::<usize>().ok())?
        };
        (1..=count).contains(&n).then_some(n)
    }

    /// An amount as citizens write it: `5000000`, `5.000.000`, `Rp 5.000.000`, `5 juta`,
    /// `lima juta`, `2,5 juta`. `None` unless the whole message is an amount.
    pub fn amount(&self, raw: &str) -> Option<i64> {
        let lower = raw.trim().to_lowercase();
        let text = lower.strip_prefix("rp").unwrap_or(&lower).trim_start_matches(['.', ' ']);
        let words: Vec<&str> = text.split_whitespace().collect();
        let (num, scale) = match words.as_slice() {
            [n] => (*n, 1i64),
            // Multipliers are stored as powers of a thousand ("juta" = 2); any other second
            // word is a unit ("2 orang", "3 anak").
            [n, m] => match self.multipliers.get(*m) {
                Some(p) => (*n, 1000i64.checked_pow(u32::from(*p))?),
                None => (*n, 1),
            },
            _ => return None,
        };
        if let Some(n) = self.numbers.get(num) {
            return i64::from(*n).checked_mul(scale);
        }
        // "5.000.000" groups thousands with dots; "2,5" is a decimal comma.
        let (whole, frac) = num.split_once(',').unwrap_or((num, ""));
        let whole: String = whole.chars().filter(|c| *c != '.').collect();
        if whole.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let w: i64 = whole.parse().ok()?;
        let mut value = w.checked_mul(scale)?;
        if !frac.is_empty() && scale > 1 {
            let f: i64 = frac.parse().ok()?;
            let denom = 10i64.checked_pow(u32::try_from(frac.len()).ok()?)?;
            value = value.checked_add(f.checked_mul(scale)? / denom)?;
        } else if !frac.is_empty() {
            return None;
        }
        Some(value)
    }

    /// Is this word one the lexicon lists (a yes/no word, filler, abbreviation, greeting, ...)?
    /// The router never reads such a word as a typo of a service's keyword.
    pub fn knows(&self, word: &str) -> bool {
        [
            &self.yes,
            &self.no,
            &self.wrong,
            &self.cancel,
            &self.greetings,
            &self.salam,
            &self.thanks,
            &self.emergency,
            &self.urgent,
            &self.fillers,
            &self.last,
        ]
        .iter()
        .any(|set| set.contains(word))
            || self.abbreviations.contains_key(word)
            || self.abbreviations.values().any(|v| v == word)
            || self.numbers.contains_key(word)
    }

    /// Does this message describe a place (two words or more, one a `places:` word: "jl
    /// sudirman rt 3", "depan sdn 2 waru")? A sentence without one ("sebentar saya cari") is not
    /// taken for an address.
    pub fn names_a_place(&self, canon: &str) -> bool {
        let mut words = canon.split_whitespace();
        canon.split_whitespace().nth(1).is_some() && words.any(|w| self.places.contains(w))
    }

    pub fn wants_english(&self, canon: &str) -> bool {
        self.english.contains(canon)
    }

    pub fn wants_indonesian(&self, canon: &str) -> bool {
        self.indonesian.contains(canon)
    }
}

/// The matching form of a word or message: normalised, except that a short message made only
/// of punctuation ("-", "?") keeps it, since those are commands (`lewati`, `bantuan`).
/// Is `word` in `set` as written, or with its doubled letters collapsed ("okee")?
fn has_loosely(set: &WordSet, word: &str) -> bool {
    set.contains(word) || matches!(squeeze(word), Cow::Owned(s) if set.contains(&s))
}

fn key_of(raw: &str) -> String {
    let norm = normalize_phrase(raw);
    let t = raw.trim();
    if norm.is_empty() && !t.is_empty() && t.chars().count() <= 3 { t.to_string() } else { norm }
}

/// Compiles `_lexicon.yaml`.
pub fn load(path: &Path, text: &str) -> (Option<Lexicon>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = match yaml::parse(path, text) {
        Ok(r) => r,
        Err(d) => return (None, vec![d]),
    };
    let f = Fields::new(path, &root, KEYS, &mut diags);
    let set = |key: &str, diags: &mut Vec<Diagnostic>| -> WordSet {
        f.words(key, diags).iter().map(|w| key_of(w)).filter(|w| !w.is_empty()).collect()
    };
    let mut lex = Lexicon {
        yes: set("yes", &mut diags),
        no: set("no", &mut diags),
        wrong: set("wrong", &mut diags),
        cancel: set("cancel", &mut diags),
        greetings: set("greetings", &mut diags),
        salam: set("salam", &mut diags),
        thanks: set("thanks", &mut diags),
        emergency: set("emergency", &mut diags),
        emergency_alone: set("emergency_alone", &mut diags),
        urgent: set("urgent", &mut diags),
        fillers: set("fillers", &mut diags),
        last: set("last", &mut diags),
        english: set("english", &mut diags),
        indonesian: set("indonesian", &mut diags),
        negatable: set("negatable", &mut diags),
        places: set("places", &mut diags),
        ..Lexicon::default()
    };
    for key in ["yes", "no", "cancel", "commands"] {
        if f.node(key).is_none() {
            diags.push(Diagnostic::error(&f.pos(), format!("missing `{key}`")));
        }
    }
    // A wrong `commands` does not stop the reading: the other lists' mistakes are reported
    // in the same run.
    if let Some(node) = f.node("commands").filter(|n| !matches!(n, Node::Mapping(_))) {
        let msg = "`commands` must map each command to its words";
        diags.push(Diagnostic::error(&f.value_pos("commands", node), msg));
    }
    if let Some(Node::Mapping(m)) = f.node("commands") {
        let cf = Fields::new(
            path,
            m,
            &[
                "menu", "back", "help", "skip", "status", "edit", "language", "fix", "my_data",
                "forget",
            ],
            &mut diags,
        );
        for (name, cmd) in COMMANDS {
            for w in cf.words(name, &mut diags) {
                lex.commands.push((key_of(w), *cmd));
            }
        }
        // Longest phrase first, so "cek status" wins over "cek".
        lex.commands.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    }
    for (key, target) in [("abbreviations", 0), ("numbers", 1), ("multipliers", 2)] {
        let Some(node) = f.node(key) else { continue };
        let Node::Mapping(m) = node else {
            diags.push(Diagnostic::error(
                &f.value_pos(key, node),
                format!("`{key}` must be a mapping such as {{ yg: yang }}"),
            ));
            continue;
        };
        for (k, v) in m.iter() {
            let Node::Scalar(v) = v else {
                diags.push(Diagnostic::error(&pos_of(path, v.span()), "expected a single value"));
                continue;
            };
            if target == 0 {
                lex.abbreviations.insert(normalize_phrase(k), normalize_phrase(v));
            } else if let Ok(n) = v.as_str().parse::<u16>() {
                let map = if target == 1 { &mut lex.numbers } else { &mut lex.multipliers };
                map.insert(normalize_phrase(k), n);
            } else {
                diags.push(Diagnostic::error(&pos_of(path, v.span()), "expected a whole number"));
            }
        }
    }
    // After `abbreviations`: lead-in words are expanded the same way.
    if let Some(node) = f.node("lead_ins") {
        load_lead_ins(path, node, &mut lex, &mut diags);
    }
    let ok = !crate::diag::has_errors(&diags);
    (ok.then_some(lex), diags)
}

/// `lead_ins:` maps each kind of answer (and `own`, `link`) to its words. Abbreviations are
/// expanded as in messages, so "sy" need not be listed next to "saya". Loaded after
/// `abbreviations` is known, hence called last.
fn load_lead_ins(path: &Path, node: &Node, lex: &mut Lexicon, diags: &mut Vec<Diagnostic>) {
    let Node::Mapping(m) = node else {
        diags.push(Diagnostic::error(
            &pos_of(path, node.span()),
            "`lead_ins` must map each kind of answer to its words, such as { nik: [nik, no nik] }",
        ));
        return;
    };
    let lf = Fields::new(path, m, LEAD_GROUPS, diags);
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for name in LEAD_GROUPS {
        let words = lf.words(name, diags);
        let words = words.iter().map(|w| key_of(w)).filter(|w| !w.is_empty()).collect();
        groups.push((name, words));
    }
    let canon = |phrase: &str, lex: &Lexicon| -> Vec<String> {
        phrase
            .split(' ')
            .map(|w| lex.abbreviations.get(w).cloned().unwrap_or(w.to_string()))
            .collect()
    };
    for (name, words) in groups {
        let kind = match name {
            "nik" => LeadKind::Nik,
            "kk" => LeadKind::Kk,
            "phone" => LeadKind::Phone,
            "email" => LeadKind::Email,
            "date" => LeadKind::Date,
            "name" => LeadKind::Name,
            "text" => LeadKind::Text,
            "postal" => LeadKind::Postal,
            _ => {
                let set = words.iter().map(|p| canon(p, lex).join(" ")).collect();
                if name == "own" {
                    lex.lead_own = set
                } else {
                    lex.lead_link = set
                }
                continue;
            }
        };
        let heads = words.iter().map(|p| canon(p, lex)).collect();
        lex.lead_heads.insert(kind, heads);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Lexicon {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("dialogs/_lexicon.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        let (lex, diags) = load(&path, &text);
        assert!(diags.is_empty(), "{diags:?}");
        lex.unwrap()
    }

    #[test]
    fn intents_from_domain_examples() {
        let lex = shipped();
        let intent = |s: &str| lex.intent(&lex.canon(s));
        for yes in ["Iyaaa!!", "OKEE 👍", "siap pak", "y", "betul", "nggih", "iyaa sudah"] {
            assert_eq!(intent(yes), Some(Intent::Yes), "{yes}");
        }
        for no in ["Gk", "nggak", "tdk", "mboten", "kada", "👎"] {
            assert_eq!(intent(no), Some(Intent::No), "{no}");
        }
        assert_eq!(intent("ga jadi deh"), Some(Intent::Cancel));
        assert_eq!(intent("bukan, salah"), Some(Intent::Wrong));
        assert_eq!(intent(" MENU "), Some(Intent::Command(Command::Menu, None)));
        assert_eq!(intent("mnu"), Some(Intent::Command(Command::Menu, None)));
        assert_eq!(intent("-"), Some(Intent::Command(Command::Skip, None)));
        assert_eq!(intent("?"), Some(Intent::Command(Command::Help, None)));
        assert_eq!(
            intent("status k7q4 m9xs"),
            Some(Intent::Command(Command::Status, Some("k7q4 m9xs".into())))
        );
        assert_eq!(intent("ubah 3"), Some(Intent::Command(Command::Edit, Some("3".into()))));
        assert_eq!(intent("assalamu'alaikum"), Some(Intent::Salam));
        assert_eq!(intent("tolong!!"), Some(Intent::Emergency));
        assert_eq!(intent("tolong cepat"), Some(Intent::Emergency));
        assert_eq!(intent("ada kebakaran di rumah"), Some(Intent::Emergency));
        assert_eq!(intent("tolong kirim ulang formulirnya"), None);
        assert_eq!(intent("makasih kak"), Some(Intent::Thanks));
    }

    #[test]
    fn option_numbers_and_amounts() {
        let lex = shipped();
        let n = |s: &str| lex.option_number(&lex.canon(s), 4);
        for (s, want) in [
            ("1", 1),
            ("1.", 1),
            ("2)", 2),
            ("(3)", 3),
            ("no 2", 2),
            ("nomor 4", 4),
            ("pilih 1", 1),
            ("yang 2", 2),
            ("1 aja", 1),
            ("dua", 2),
            ("kedua", 2),
            ("terakhir", 4),
        ] {
            assert_eq!(n(s), Some(want), "{s}");
        }
        assert_eq!(n("5"), None);
        assert_eq!(n("0"), None);
        for (s, want) in [
            ("5000000", 5_000_000),
            ("5.000.000", 5_000_000),
            ("Rp 5.000.000", 5_000_000),
            ("Rp5.000.000", 5_000_000),
            ("5 juta", 5_000_000),
            ("lima juta", 5_000_000),
            ("2,5 juta", 2_500_000),
            ("750 rb", 750_000),
            ("2 orang", 2),
        ] {
            assert_eq!(lex.amount(s), Some(want), "{s}");
        }
        for bad in ["lima juta rupiah saja", "2,5", "abc", "", "99999999999999999999"] {
            assert_eq!(lex.amount(bad), None, "{bad}");
        }
    }
}

#[cfg(test)]
mod answer_words {
    use super::tests_support::shipped;
    use super::*;

    #[test]
    fn everyday_yes_and_no() {
        let lex = shipped();
        let yn = |s: &str| lex.yes_no(&lex.canon(s));
        let yes = [
            "udh",
            "sdh",
            "iya udh",
            "udh ada",
            "sudah ada",
            "iya sudah",
            "ada",
            "punya",
            "iyo",
            "nggih",
            "inggih",
            "iya sudah punya",
            "ya",
            "Iyaaa!!",
            "ok",
            "udah pernah",
            "👍",
        ];
        for s in yes {
            assert_eq!(yn(s), Some(true), "{s}");
        }
        let no = [
            "blm",
            "belum",
            "belum punya",
            "blm ada",
            "ga ada",
            "gk punya",
            "tidak punya",
            "tidak ada",
            "ndak",
            "blm sempat",
            "iya belum",
            "ya ga ada",
            "sudah tidak ada",
            "mboten",
            "ora ono",
            "tidak mau",
            "belum pernah",
            "👎",
        ];
        for s in no {
            assert_eq!(yn(s), Some(false), "{s}");
        }
        // Not answers: a cancel, not knowing, a sentence.
        for s in ["ga jadi", "tidak tahu", "gak tau", "ya atau tidak", "menu", "kapan selesai"] {
            assert_eq!(yn(s), None, "{s}");
        }
        // The same reading holds for every yes/no confirmation; "ga ada" alone stays the skip
        // command for optional steps, and the engine reads it as no in yes/no steps.
        assert_eq!(lex.intent(&lex.canon("belum punya")), Some(Intent::No));
        assert_eq!(lex.intent(&lex.canon("iya udh")), Some(Intent::Yes));
        assert_eq!(lex.intent(&lex.canon("ga ada")), Some(Intent::Command(Command::Skip, None)));
        assert_eq!(lex.intent(&lex.canon("ga jadi")), Some(Intent::Cancel));
    }

    #[test]
    fn lead_ins_are_stripped_from_answers() {
        let lex = shipped();
        let cases = [
            (LeadKind::Nik, "nik sy 3201 0117 0890 0001", Some("3201 0117 0890 0001")),
            (LeadKind::Nik, "NIK: 3201011708900001", Some("3201011708900001")),
            (LeadKind::Nik, "no nik saya adalah 3201011708900001", Some("3201011708900001")),
            (LeadKind::Nik, "nikku 3201011708900001", Some("3201011708900001")),
            (LeadKind::Nik, "ini nik ibu 6409015708900002", Some("6409015708900002")),
            (LeadKind::Nik, "3201011708900001 itu nik saya", Some("3201011708900001")),
            (LeadKind::Nik, "3201011708900001 pak", Some("3201011708900001")),
            (LeadKind::Kk, "nomor kk 6409 0120 0515 0003", Some("6409 0120 0515 0003")),
            (LeadKind::Kk, "no kartu keluarga: 6409012005150003", Some("6409012005150003")),
            (LeadKind::Date, "tgl lahir 17 agustus 90", Some("17 agustus 90")),
            (LeadKind::Date, "lahir 17-08-1990", Some("17-08-1990")),
            (LeadKind::Date, "tanggal lahir saya 17/8/1990", Some("17/8/1990")),
            (LeadKind::Date, "saya lahir tanggal 17 agt 1990", Some("17 agt 1990")),
            (LeadKind::Phone, "hp sy 0812 3456 7890", Some("0812 3456 7890")),
            (LeadKind::Phone, "nomor wa sy 0812-3456-7890", Some("0812-3456-7890")),
            (LeadKind::Phone, "no. hp: +62 812 3456 7890", Some("+62 812 3456 7890")),
            (LeadKind::Phone, "telp (0542) 421234", Some("(0542) 421234")),
            (LeadKind::Phone, "nomornya 081234567890", Some("081234567890")),
            (LeadKind::Email, "email sy budi@gmail.com", Some("budi@gmail.com")),
            (LeadKind::Email, "e-mail: Budi.Santoso@gmail.com", Some("Budi.Santoso@gmail.com")),
            (LeadKind::Email, "budi@gmail.com itu email saya", Some("budi@gmail.com")),
            (LeadKind::Postal, "kode pos 76144", Some("76144")),
            // Nothing to strip, or words that are not lead-ins.
            (LeadKind::Nik, "3201011708900001", None),
            (LeadKind::Nik, "kk saya 6409012005150003", None),
            (LeadKind::Nik, "sy mau daftar 3201011708900001", None),
            (LeadKind::Phone, "nik 3201011708900001", None),
            (LeadKind::Date, "17 agustus 1990", None),
            (LeadKind::Nik, "nik saya", None),
        ];
        for (kind, raw, want) in cases {
            assert_eq!(lex.strip_lead_in(kind, raw, false), want, "{raw}");
        }
    }

    #[test]
    fn names_and_short_texts_lose_only_unmistakable_lead_ins() {
        let lex = shipped();
        let strict = |kind, raw| lex.strip_lead_in(kind, raw, true);
        assert_eq!(strict(LeadKind::Name, "nama saya Budi Santoso"), Some("Budi Santoso"));
        assert_eq!(strict(LeadKind::Name, "nama sy Siti Aminah"), Some("Siti Aminah"));
        assert_eq!(strict(LeadKind::Name, "Nama lengkap saya: M. Yusuf"), Some("M. Yusuf"));
        assert_eq!(strict(LeadKind::Name, "namaku Nur-Aini"), Some("Nur-Aini"));
        assert_eq!(strict(LeadKind::Name, "nama: Sukarno"), Some("Sukarno"));
        assert_eq!(strict(LeadKind::Name, "Budi Santoso nama saya"), Some("Budi Santoso"));
        // Real names are never cut, even when they start with a lead-in word.
        for name in ["Budi Santoso", "Nama Budi", "Saya Budi", "Ayu Nomor", "Siti pak"] {
            assert_eq!(strict(LeadKind::Name, name), None, "{name}");
        }
        let text = |raw| strict(LeadKind::Text, raw);
        assert_eq!(text("alamat sy di Jl. Merdeka No. 12"), Some("Jl. Merdeka No. 12"));
        assert_eq!(text("alamat: Jl. Propinsi Km 5"), Some("Jl. Propinsi Km 5"));
        assert_eq!(text("lahir di Balikpapan"), None);
        assert_eq!(text("saya lahir di Balikpapan"), None);
        assert_eq!(text("tempat lahir saya Balikpapan"), Some("Balikpapan"));
        assert_eq!(text("Jl. Alamat Baru 5"), None);
        assert_eq!(text("Desa Nipah-Nipah"), None);
    }
}

#[cfg(test)]
mod tests_support {
    use super::*;

    pub fn shipped() -> Lexicon {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("dialogs/_lexicon.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        let (lex, diags) = load(&path, &text);
        assert!(diags.is_empty(), "{diags:?}");
        lex.unwrap()
    }
}
