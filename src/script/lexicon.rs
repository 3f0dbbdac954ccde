//! The words citizens type, from `dialogs/_lexicon.yaml`: yes/no, commands, greetings, number
//! words, fillers and abbreviations. Kept out of Rust so admins can add regional words.

use super::diag::Diagnostic;
use super::yaml::{self, Fields, pos_of};
use crate::engine::normalize::{normalize_phrase, squeeze};
use marked_yaml::Node;
use std::collections::{HashMap, HashSet};
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
];

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
    yes: HashSet<String>,
    no: HashSet<String>,
    wrong: HashSet<String>,
    cancel: HashSet<String>,
    commands: Vec<(String, Command)>,
    greetings: HashSet<String>,
    salam: HashSet<String>,
    thanks: HashSet<String>,
    emergency: HashSet<String>,
    emergency_alone: HashSet<String>,
    urgent: HashSet<String>,
    fillers: HashSet<String>,
    abbreviations: HashMap<String, String>,
    numbers: HashMap<String, u16>,
    multipliers: HashMap<String, u16>,
    last: HashSet<String>,
    english: HashSet<String>,
    indonesian: HashSet<String>,
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
            {
                if matches!(cmd, Command::Status | Command::Edit | Command::Fix) {
                    return Some(Intent::Command(*cmd, Some(rest.to_string())));
                }
            }
        }
        let all = |set: &HashSet<String>| {
            canon.split(' ').all(|w| set.contains(w) || set.contains(&squeeze(w)))
        };
        if all(&self.yes) {
            return Some(Intent::Yes);
        }
        if all(&self.no) {
            return Some(Intent::No);
        }
        if all(&self.wrong) {
            return Some(Intent::Wrong);
        }
        if self.emergency.contains(canon) || self.emergency_words(canon) {
            return Some(Intent::Emergency);
        }
        if self.salam.contains(canon) || self.salam.contains(&squeeze(canon)) {
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

    /// "terimakasih infonya", "makasih banyak ya": a short message that opens with thanks.
    fn starts_with_thanks(&self, canon: &str) -> bool {
        let words: Vec<&str> = canon.split(' ').collect();
        words.len() <= 4
            && (1..=2.min(words.len())).any(|n| {
                let head = words[..n].join(" ");
                self.thanks.contains(&head) || self.thanks.contains(&squeeze(&head))
            })
    }

    /// A message that opens with a greeting or a salam ("Selamat siang, Admin ...",
    /// "Assalamu' alaikum Wr. Wb ..."), whatever follows: `Some(true)` for a salam.
    pub fn opens_with_greeting(&self, canon: &str) -> Option<bool> {
        let words: Vec<&str> = canon.split(' ').collect();
        (1..=3.min(words.len())).rev().find_map(|n| {
            let spaced = words[..n].join(" ");
            let joined = words[..n].concat();
            let is = |set: &HashSet<String>| {
                [&spaced, &joined].iter().any(|p| set.contains(*p) || set.contains(&squeeze(p)))
            };
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
            self.thanks.contains(&head) || self.thanks.contains(&squeeze(&head))
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

    pub fn wants_english(&self, canon: &str) -> bool {
        self.english.contains(canon)
    }

    pub fn wants_indonesian(&self, canon: &str) -> bool {
        self.indonesian.contains(canon)
    }
}

/// The matching form of a word or message: normalised, except that a short message made only
/// of punctuation ("-", "?") keeps it, since those are commands (`lewati`, `bantuan`).
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
    let set = |key: &str, diags: &mut Vec<Diagnostic>| -> HashSet<String> {
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
    let ok = !super::diag::has_errors(&diags);
    (ok.then_some(lex), diags)
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
