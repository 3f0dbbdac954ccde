//! What the fault tests assert, exactly: every message answered once and in order (a repeat
//! only right after a restart, and counted), every ticket stored once, no erased NIK left in any
//! file under the data folder, every file owner-only. Plus the seeded randomness that makes a
//! failed run replayable.

use super::platform::{Citizen, Received};
use crate::process::Pintu;
use pintu::store::Store;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

static TICKET: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}\b").expect("regex"));
static GREETING: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"Selamat (pagi|siang|sore|malam)").expect("regex"));
static DIGITS: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"[0-9]+").expect("regex"));

/// A message as compared between citizens: ticket numbers, numbers and the time-of-day
/// greeting replaced, so two citizens walking the same dialog read the same lines.
pub fn normalize(text: &str) -> String {
    let text = TICKET.replace_all(text, "<tiket>");
    let text = GREETING.replace_all(&text, "Selamat <waktu>");
    DIGITS.replace_all(&text, "#").into_owned()
}

/// The ticket numbers mentioned in a citizen's messages, first mention first, each once.
pub fn tickets_in(received: &[Received]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for r in received.iter().filter(|r| r.text.contains("Nomor tiket")) {
        for m in TICKET.find_iter(&r.text) {
            if !found.iter().any(|t| t == m.as_str()) {
                found.push(m.as_str().to_owned());
            }
        }
    }
    found
}

/// Checks that `received` is `expected` (normalized), in order, each once, except for copies
/// of earlier messages that arrived after a restart which came after the first copy: those are
/// the replies a killed pintu had sent but not yet marked sent. Returns how many there were.
pub fn exactly_once(
    expected: &[String],
    received: &[Received],
    starts: &[Instant],
) -> Result<usize, String> {
    let mut next = 0;
    let mut repeats = 0;
    let mut last_seen: HashMap<String, Instant> = HashMap::new();
    for (i, r) in received.iter().enumerate() {
        let text = normalize(&r.text);
        if expected.get(next) == Some(&text) {
            next += 1;
        } else {
            let restarted_since = last_seen
                .get(&text)
                .is_some_and(|first| starts.iter().any(|s| first < s && *s <= r.at));
            if !restarted_since {
                return Err(format!(
                    "message {i} is {text:?}, expected {:?} (none is a repeat after a restart)\
                     \nreceived: {:#?}",
                    expected.get(next),
                    received.iter().map(|r| &r.text).collect::<Vec<_>>()
                ));
            }
            repeats += 1;
        }
        last_seen.insert(text, r.at);
    }
    if next < expected.len() {
        return Err(format!(
            "{} of {} expected messages arrived; the first missing is {:?}",
            next,
            expected.len(),
            expected[next]
        ));
    }
    Ok(repeats)
}

/// Waits until every citizen has at least `n` messages, or gives up after `deadline` (the
/// check that follows then says what is missing). The fakes record on their own tasks, so
/// this looks every 50 ms.
pub async fn wait_for_messages(citizens: &[Citizen], n: usize, deadline: Duration) {
    let until = Instant::now() + deadline;
    while Instant::now() < until {
        if citizens.iter().all(|c| c.received().len() >= n) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Asserts [`exactly_once`] for every citizen, naming each one that failed and the replies
/// still pending in the store (the stopped pintu's); returns the repeats after restarts.
pub fn assert_answered_exactly_once(
    citizens: &[Citizen],
    expected: &[String],
    pintu: &Pintu,
    store: &dyn Store,
) -> usize {
    let mut failures = Vec::new();
    let mut repeats = 0;
    for c in citizens {
        match exactly_once(expected, &c.received(), pintu.starts()) {
            Ok(n) => repeats += n,
            Err(why) => failures.push(format!(
                "{}: {why}\nsend attempts and answers: {:#?}",
                c.name(),
                c.attempts()
            )),
        }
    }
    let mut pending = Vec::new();
    for channel in [pintu::model::Channel::WhatsApp, pintu::model::Channel::Telegram] {
        pending.extend(store.pending_replies(channel).expect("pending replies"));
    }
    assert!(
        failures.is_empty() && pending.is_empty(),
        "{} of {} citizens not answered exactly once; {} replies still pending in the store \
         (for {:?})\n{}\npintu's log ends:\n{}",
        failures.len(),
        citizens.len(),
        pending.len(),
        pending
            .iter()
            .map(|(chat, ..)| chat.to_string())
            .collect::<std::collections::BTreeSet<_>>(),
        failures.join("\n\n"),
        pintu.log_tail()
    );
    repeats
}

/// Every citizen's ticket is in the store exactly once, under their chat and the number they
/// were told, and the store holds no other ticket.
pub fn assert_one_ticket_each(citizens: &[Citizen], store: &dyn Store) {
    for c in citizens {
        let told = tickets_in(&c.received());
        assert_eq!(told.len(), 1, "{} was told {told:?}", c.name());
        let stored: Vec<String> = store
            .tickets_of(&c.chat_key())
            .expect("tickets of a chat")
            .iter()
            .map(|t| t.no.to_string())
            .collect();
        assert_eq!(stored, told, "{}: stored tickets", c.name());
    }
    let all = store.tickets().expect("all tickets").len();
    assert_eq!(all, citizens.len(), "tickets in the store: one per citizen, no other");
}

/// Files under `dir` whose bytes contain one of `secrets`, with the secret found.
pub fn files_holding(dir: &Path, secrets: &[String]) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for file in files_under(dir) {
        // A file may vanish between listing and reading (a store rewrite): then it holds
        // nothing any more.
        let Ok(bytes) = std::fs::read(&file) else { continue };
        for secret in secrets {
            let needle = secret.as_bytes();
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push((file.clone(), secret.clone()));
            }
        }
    }
    found
}

/// Waits until no file under `dir` holds any of `secrets` (an erasure may finish after its
/// confirmation was sent), then asserts it.
pub async fn assert_erased(dir: &Path, secrets: &[String], deadline: Duration) {
    let until = Instant::now() + deadline;
    loop {
        let found = files_holding(dir, secrets);
        if found.is_empty() {
            return;
        }
        assert!(
            Instant::now() < until,
            "erased NIKs are still on disk {deadline:?} after the erasure:\n{}",
            found
                .iter()
                .map(|(f, s)| format!("  {} holds {s}", f.display()))
                .collect::<Vec<_>>()
                .join("\n")
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every folder under `dir` (itself included) is 0700 and every file 0600.
pub fn assert_owner_only(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::symlink_metadata(p).map(|m| m.permissions().mode() & 0o777);
    let mut wrong = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        if let Ok(m) = mode(&folder)
            && m != 0o700
        {
            wrong.push(format!("  folder {} is {m:o}", folder.display()));
        }
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(m) = mode(&path)
                && m != 0o600
            {
                wrong.push(format!("  file {} is {m:o}", path.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "not owner-only under {}:\n{}", dir.display(), wrong.join("\n"));
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// splitmix64: enough randomness for kill moments, and the same sequence for the same seed.
pub struct Rng(u64);

impl Rng {
    /// Seeded from `PINTU_FAULT_SEED` when set (to replay a failure), else from the clock;
    /// the seed is printed either way.
    pub fn seeded(test: &str) -> Self {
        let seed = std::env::var("PINTU_FAULT_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        eprintln!("{test}: fault seed {seed} (replay with PINTU_FAULT_SEED={seed})");
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A duration in `[low, high)`.
    pub fn between(&mut self, low: Duration, high: Duration) -> Duration {
        let span = (high - low).as_micros().max(1) as u64;
        low + Duration::from_micros(self.next() % span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(base: Instant, ms: u64) -> Instant {
        base + Duration::from_millis(ms)
    }

    fn got(base: Instant, list: &[(&str, u64)]) -> Vec<Received> {
        list.iter().map(|(t, ms)| Received { text: (*t).to_owned(), at: at(base, *ms) }).collect()
    }

    #[test]
    fn repeats_count_only_after_a_restart_and_nothing_may_be_missing() {
        let base = Instant::now();
        let expected: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let restart = [at(base, 15)];
        let clean = got(base, &[("a", 1), ("b", 2), ("c", 3)]);
        assert_eq!(exactly_once(&expected, &clean, &restart), Ok(0));
        let resent = got(base, &[("a", 1), ("b", 10), ("b", 20), ("c", 30)]);
        assert_eq!(exactly_once(&expected, &resent, &restart), Ok(1));
        let twice = got(base, &[("a", 1), ("b", 2), ("b", 3), ("c", 30)]);
        assert!(exactly_once(&expected, &twice, &restart).is_err(), "no restart in between");
        let missing = got(base, &[("a", 1), ("c", 3)]);
        assert!(exactly_once(&expected, &missing, &restart).is_err());
        let short = got(base, &[("a", 1), ("b", 2)]);
        assert!(exactly_once(&expected, &short, &restart).is_err());
    }

    #[test]
    fn normalizing_hides_ticket_numbers_numbers_and_the_time_of_day() {
        assert_eq!(
            normalize("Selamat pagi. Nomor tiket: *PP68-TWPR* (3 hari)"),
            normalize("Selamat malam. Nomor tiket: *K7Q4-M9XS* (5 hari)")
        );
        let received = got(Instant::now(), &[("Nomor tiket: *PP68-TWPR*\nstatus PP68-TWPR", 1)]);
        assert_eq!(tickets_in(&received), ["PP68-TWPR"]);
    }

    #[test]
    fn the_same_seed_gives_the_same_moments() {
        let (mut a, mut b) = (Rng(7), Rng(7));
        let (low, high) = (Duration::from_millis(100), Duration::from_millis(200));
        for _ in 0..100 {
            let d = a.between(low, high);
            assert_eq!(d, b.between(low, high));
            assert!(low <= d && d < high);
        }
    }
}
