//! Storage: the group-commit curve, bytes on disk, and start-up with a big store.
//!
//! 1. Commit cost per batch size (1, 10, 100, 500 messages) through `SledStore::commit`, which
//!    flushes and fdatasyncs before returning. Each "message" writes what a real step writes:
//!    the session, one pending reply (the reply text is a `Reply` with a message key, as pintu
//!    stores it; a commit's replies share one record) and its dedupe hash (a commit's hashes
//!    share one record too). Batch size 1 is the flush-per-message cost. Beside it, as the
//!    baseline, the same commits appended to a plain log (the records sealed the same way, one
//!    `write` and one fdatasync per commit): the floor a log-structured store could reach.
//! 2. Bytes on disk per session and per ticket: 100,000 of each (separate stores), divided
//!    (sled's `size_on_disk` and the directory's allocated blocks).
//! 3. Start-up: 1,000,000 sessions and 1,000,000 tickets (with their chat index keys) generated
//!    once in batches of 10,000, then a fresh child process (this binary re-executed) opens the
//!    store as `pintu serve` does (32 MB cache), reads 1,000 random sessions and tickets, and
//!    reports open time, read latency and its peak RSS (VmHWM).
//! 4. Erasure under load, on that store: a client commits 10-message batches through the
//!    committer in a closed loop (the other chats) while citizens erase their data (session
//!    deleted, ticket anonymised: what `hapus data saya` commits), one every 250 ms. Reported:
//!    the other chats' commit waits (median, p99, max) and each erasure's own time, for
//!    crypto-shredding (the commit alone) and for the compaction pintu did before (the commit,
//!    then `compact()` as an exclusive committer job), and as a baseline the same load for as
//!    long with no erasure.
//!
//! `cargo bench --bench store -- --bench` for the figures; as a test (`cargo test --all-targets`)
//! it runs tiny sizes only. Data goes to a temp dir (`$PINTU_BENCH_DIR` to choose where; it
//! must be on the disk pintu would use, not tmpfs, for the fdatasync figures to mean anything).

mod common;

use common::status_kb;
use pintu::clock::Now;
use pintu::engine::{self, Ctx, Effect, Settings};
use pintu::model::Status;
use pintu::model::TicketNo;
use pintu::model::input::Input;
use pintu::model::reply::{Msg, Outgoing, Reply};
use pintu::model::session::{Lang, Session, Value};
use pintu::model::ticket::{Actor, Change, FollowUp, Ticket};
use pintu::model::{Channel, ChatKey};
use pintu::script::catalogue::Catalogue;
use pintu::store::{Batch, ReplyOp, Seen, SledStore, Store};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const CACHE: u64 = 32 << 20;

fn catalogue() -> Catalogue {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    Catalogue::load(&root.join("dialogs"), &root.join("locales")).0
}

fn now() -> Now {
    let wita = time::UtcOffset::from_hms(8, 0, 0).expect("offset");
    Now::at_local(
        time::macros::date!(2026 - 11 - 26),
        time::Time::from_hms(9, 0, 0).expect("t"),
        wita,
    )
}

/// A mid-dialog session (after name and e-mail of the IKD dialog) and the answers of a
/// finished one, both from the real engine.
fn samples() -> (Session, Vec<(String, Value)>) {
    let cat = catalogue();
    let settings = Settings::default();
    let ctx = Ctx { catalogue: &cat, pinned: None, settings: &settings, now: now() };
    let mut session: Option<Session> = None;
    let mut mid = None;
    let mut answers = None;
    for (i, t) in common::DIALOG.iter().enumerate() {
        let step = engine::step(&ctx, session.as_ref(), Input::Text((*t).into()));
        for e in &step.effects {
            if let Effect::Submit { draft, .. } = e {
                answers = Some(draft.answers.clone());
            }
        }
        if i == 6 {
            mid = Some(step.session.clone());
        }
        session = Some(step.session);
    }
    (mid.expect("mid session"), answers.expect("the dialog submits"))
}

fn chat(i: u64) -> ChatKey {
    ChatKey::new(Channel::Telegram, (100_000_000 + i).to_string())
}

fn ticket_no(i: u64) -> TicketNo {
    // Distinct random-looking numbers from a counter (splitmix64).
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&z.to_le_bytes());
    b[8..].copy_from_slice(&i.to_le_bytes());
    TicketNo::from_random(b)
}

fn ticket(i: u64, answers: &[(String, Value)]) -> Ticket {
    let at = now().at;
    Ticket {
        no: ticket_no(i),
        script: "ikd".into(),
        version: 1,
        opd: "disdukcapil".into(),
        chat: chat(i),
        lang: Lang::default(),
        answers: answers.to_vec(),
        status: Status::Diterima,
        history: vec![Change { at, status: Status::Diterima, actor: Actor::Citizen, note: None }],
        created: at,
        due: Some(now().today().to_julian_day() + 1),
        followup: FollowUp::default(),
    }
}

/// What one stepped message writes.
fn message_writes(batch: &mut Batch, i: u64, session: &Session, seq: u64) {
    let c = chat(i);
    // Message hashes look random; the shard puts a round's hashes in one `Seen`.
    let hash = seq.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    match batch.seen.first_mut() {
        Some(seen) => seen.hashes.push(hash),
        None => batch.seen.push(Seen { at: now().at, hashes: vec![hash] }),
    }
    batch.sessions.push((c.clone(), Some(session.clone().into())));
    let reply =
        Reply::msg(Msg::new("invalid-text-pattern").arg("contoh", String::from("budi@gmail.com")));
    batch.replies.push(ReplyOp::Pending {
        chat: c,
        seq,
        out: Outgoing { lang: Lang::default(), reply }.into(),
    });
}

fn dir_bytes(dir: &Path) -> u64 {
    // Allocated blocks (du), not apparent sizes: sled preallocates segments.
    let out = std::process::Command::new("du").arg("-sk").arg(dir).output();
    out.ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.split_whitespace().next().and_then(|k| k.parse::<u64>().ok()))
        .map_or(0, |k| k * 1024)
}

fn commit_curve(base: &Path, session: &Session, quick: bool) {
    let store = SledStore::open(&base.join("curve"), CACHE).expect("open");
    curve(
        "group-commit curve (each message = session + one pending reply + its dedupe hash; flush + fdatasync per commit)",
        session,
        quick,
        |batch| store.commit(batch).expect("commit"),
    );
}

/// Times `commit` on batches of 1, 10, 100 and 500 messages (see [`message_writes`]), the
/// chats cycling through 20,000.
fn curve(title: &str, session: &Session, quick: bool, mut commit: impl FnMut(&Batch)) {
    println!("store: {title}");
    println!(
        "store: {:>6} {:>8} {:>12} {:>12} {:>14}",
        "batch", "commits", "µs/commit", "µs/message", "messages/s"
    );
    let mut seq = 0u64;
    for (size, commits) in [(1u64, 300u64), (10, 300), (100, 100), (500, 40)] {
        let commits = if quick { 3 } else { commits };
        let mut times = Vec::new();
        for c in 0..commits + 3 {
            let mut batch = Batch::default();
            for k in 0..size {
                seq += 1;
                message_writes(&mut batch, (c * size + k) % 20_000, session, seq);
            }
            let t = Instant::now();
            commit(&batch);
            if c >= 3 {
                times.push(t.elapsed());
            }
        }
        times.sort();
        let median = times[times.len() / 2];
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        println!(
            "store: {:>6} {:>8} {:>12.0} {:>12.1} {:>14.0}   (median {:.0} µs)",
            size,
            commits,
            mean.as_secs_f64() * 1e6,
            mean.as_secs_f64() * 1e6 / size as f64,
            size as f64 / mean.as_secs_f64(),
            median.as_secs_f64() * 1e6,
        );
    }
}

/// The same commits as [`commit_curve`] appended to a plain log: the floor a log-structured
/// store could reach (BENCHMARKS.md, L1), side by side with sled. Each commit seals the same
/// records as `SledStore` does (each session under its chat's key, the replies as one group
/// under a fresh key, the dedupe hashes in the clear), appends them length-prefixed to one
/// file with one `write`, then `fdatasync`; a map keeps each chat's key and latest offset.
/// Left out, which a real one needs: writing new keys to the key file (sled's row pays one
/// sync per 64 new chats), compaction of dead records, and recovery at open.
fn log_curve(base: &Path, session: &Session, quick: bool) {
    use pintu::store::codec;
    use pintu::store::seal::SealKey;
    use std::collections::HashMap;
    use std::io::Write;

    fn append(buf: &mut Vec<u8>, key: &[u8], value: &[u8]) {
        for part in [key, value] {
            buf.extend_from_slice(&(part.len() as u32).to_le_bytes());
            buf.extend_from_slice(part);
        }
    }
    let mut file = std::fs::File::create(base.join("log")).expect("create log");
    let mut next_id = 0u64;
    let mut fresh_key = || {
        next_id += 1;
        let mut secret = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut secret[..]).expect("randomness");
        SealKey { slot: next_id as u32, id: next_id, secret }
    };
    // Each chat's key and the offset of its latest session.
    let mut chats: HashMap<ChatKey, (SealKey, u64)> = HashMap::new();
    let mut offset = 0u64;
    let mut buf = Vec::new();
    curve(
        "baseline, append-only log (the same records sealed; one write + fdatasync per commit)",
        session,
        quick,
        |batch| {
            buf.clear();
            for (chat, session) in &batch.sessions {
                let session = session.as_ref().expect("the curve only writes sessions");
                let at = offset + buf.len() as u64;
                let (key, latest) = chats.entry(chat.clone()).or_insert_with(|| (fresh_key(), 0));
                *latest = at;
                let sealed = codec::seal_session(session, key).expect("seal");
                append(&mut buf, &codec::session_key(chat), &sealed);
            }
            let replies: Vec<_> = batch
                .replies
                .iter()
                .filter_map(|op| match op {
                    ReplyOp::Pending { chat, seq, out } => Some((chat, *seq, &**out)),
                    ReplyOp::Sent { .. } => None,
                })
                .collect();
            let group = codec::seal_reply_group(&replies, &fresh_key()).expect("seal");
            append(&mut buf, &codec::reply_group_key(replies[0].1), &group);
            let hashes: Vec<u8> =
                batch.seen.iter().flat_map(|s| &s.hashes).flat_map(|h| h.to_be_bytes()).collect();
            append(&mut buf, b"M", &hashes);
            file.write_all(&buf).expect("append");
            file.sync_data().expect("fdatasync");
            offset += buf.len() as u64;
        },
    );
}

fn bytes_per_record(base: &Path, session: &Session, answers: &[(String, Value)], quick: bool) {
    let n: u64 = if quick { 2_000 } else { 100_000 };
    for kind in ["session", "ticket"] {
        let dir = base.join(format!("size-{kind}"));
        let store = SledStore::open(&dir, CACHE).expect("open");
        let empty_sled = store.size_on_disk();
        let empty_du = dir_bytes(&dir);
        let mut i = 0;
        while i < n {
            let mut batch = Batch::default();
            for k in i..(i + 10_000).min(n) {
                if kind == "session" {
                    batch.sessions.push((chat(k), Some(session.clone().into())));
                } else {
                    batch.tickets.push(ticket(k, answers));
                }
            }
            store.commit(&batch).expect("commit");
            i += 10_000;
        }
        let sled_bytes = store.size_on_disk().saturating_sub(empty_sled);
        drop(store);
        let du = dir_bytes(&dir).saturating_sub(empty_du);
        let record = if kind == "session" {
            pintu::store::codec::encode_session(session).expect("enc").len()
        } else {
            pintu::store::codec::encode_ticket(&ticket(0, answers)).expect("enc").len()
        };
        println!(
            "store: {n} {kind}s: {:.0} B/{kind} on disk (sled size_on_disk), {:.0} B/{kind} (du), encoded value {record} B",
            sled_bytes as f64 / n as f64,
            du as f64 / n as f64
        );
    }
}

fn big_store(base: &Path, session: &Session, answers: &[(String, Value)], quick: bool) {
    let n: u64 = if quick { 20_000 } else { 1_000_000 };
    let dir = base.join("big");
    let t = Instant::now();
    {
        let store = SledStore::open(&dir, CACHE).expect("open");
        let mut i = 0;
        while i < n {
            let mut batch = Batch::default();
            for k in i..(i + 10_000).min(n) {
                batch.sessions.push((chat(k), Some(session.clone().into())));
                batch.tickets.push(ticket(k, answers));
            }
            store.commit(&batch).expect("commit");
            i += 10_000;
        }
        println!(
            "store: generated {n} sessions + {n} tickets in {:.1} s ({} MB on disk by du, sled says {} MB); RSS of the generator {} MB",
            t.elapsed().as_secs_f64(),
            dir_bytes(&dir) >> 20,
            store.size_on_disk() >> 20,
            status_kb("self", "VmHWM:") >> 10
        );
    }
    // A fresh process, as at a pintu start.
    let exe = std::env::current_exe().expect("exe");
    let out = std::process::Command::new(exe)
        .env("PINTU_BENCH_OPEN", &dir)
        .env("PINTU_BENCH_N", n.to_string())
        .output()
        .expect("run the open child");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        panic!("open child failed");
    }
}

/// Child: open the big store, read a few records, report.
fn open_child(dir: &Path, n: u64) {
    let rss0 = status_kb("self", "VmRSS:");
    let t = Instant::now();
    let store = SledStore::open(dir, CACHE).expect("open");
    let open = t.elapsed();
    let rss_open = status_kb("self", "VmRSS:");
    let t = Instant::now();
    let mut found = 0;
    for j in 0..1_000u64 {
        let k = (j * 7919 * 104_729) % n;
        found += usize::from(store.load_session(&chat(k)).expect("read").is_some());
        found += usize::from(store.ticket(&ticket_no(k)).expect("read").is_some());
    }
    let reads = t.elapsed();
    println!(
        "store: open of {n}+{n} records: {:.0} ms; 2,000 random reads (1,000 sessions + 1,000 tickets, {found} found): {:.1} µs/read",
        open.as_secs_f64() * 1e3,
        reads.as_secs_f64() * 1e6 / 2000.0
    );
    println!(
        "store: RSS before open {} MB, after open {} MB, after reads {} MB, peak (VmHWM) {} MB",
        rss0 >> 10,
        rss_open >> 10,
        status_kb("self", "VmRSS:") >> 10,
        status_kb("self", "VmHWM:") >> 10
    );
}

/// Section 4: other chats' waits while citizens erase their data (see the module docs).
fn erasure_under_load(dir: &Path, session: &Session, answers: &[(String, Value)], quick: bool) {
    let n: u64 = if quick { 20_000 } else { 1_000_000 };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let store = Arc::new(SledStore::open(dir, CACHE).expect("open"));
    let committer = pintu::commit::Committer::start(store);
    println!(
        "store: erasure under load on {n} sessions + {n} tickets (10-message commits in a closed loop)"
    );
    for (approach, compact, erasures) in [
        ("no erasure (baseline)", false, 0u64),
        ("crypto-shredding", false, 20),
        ("compaction (before)", true, if quick { 2 } else { 1 }),
    ] {
        let stop = Arc::new(AtomicBool::new(false));
        let load = {
            let (committer, stop, session) = (committer.clone(), stop.clone(), session.clone());
            rt.spawn(async move {
                let mut waits = Vec::new();
                let mut seq = 1u64 << 40;
                while !stop.load(Ordering::Relaxed) {
                    let mut batch = Batch::default();
                    for _ in 0..10 {
                        seq += 1;
                        // Chats above the erased ones, spread over the whole store.
                        message_writes(&mut batch, 1_000 + seq * 7919 % (n - 1_000), &session, seq);
                    }
                    let t = Instant::now();
                    assert!(committer.commit(batch).await, "commit");
                    waits.push(t.elapsed());
                }
                waits
            })
        };
        let erase_times = rt.block_on(async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let mut times = Vec::new();
            if erasures == 0 {
                // As long as the 20 erasures take, for the same number of other commits.
                tokio::time::sleep(Duration::from_millis(20 * 250)).await;
            }
            for e in 0..erasures {
                let victim = if compact { 500 + e } else { e };
                let mut erased = ticket(victim, answers);
                erased.erase_personal();
                let batch = Batch {
                    sessions: vec![(chat(victim), None)],
                    tickets: vec![erased],
                    ..Batch::default()
                };
                let t = Instant::now();
                assert!(committer.commit(batch).await, "erasure commit");
                if compact {
                    committer.exclusive(|s| s.compact().expect("compact")).await;
                }
                times.push(t.elapsed());
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            times
        });
        stop.store(true, Ordering::Relaxed);
        let mut waits = rt.block_on(load).expect("load task");
        waits.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let erase_ms: Vec<String> = erase_times.iter().map(|d| format!("{:.1}", ms(*d))).collect();
        println!(
            "store: {approach}: {} other commits waited median {:.2} ms, p99 {:.2} ms, max {:.1} ms; {} erasures took {} ms",
            waits.len(),
            ms(waits[waits.len() / 2]),
            ms(waits[waits.len() * 99 / 100]),
            ms(*waits.last().expect("some commits")),
            erasures,
            erase_ms.join(", ")
        );
    }
}

fn main() {
    if let Some(dir) = std::env::var_os("PINTU_BENCH_OPEN") {
        let n = std::env::var("PINTU_BENCH_N").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
        open_child(Path::new(&dir), n);
        return;
    }
    let quick = std::env::args().all(|a| a != "--bench");
    let tmp = match std::env::var_os("PINTU_BENCH_DIR") {
        Some(d) => tempfile::tempdir_in(d),
        None => tempfile::tempdir(),
    }
    .expect("temp dir");
    println!("store: machine: {}", common::machine());
    println!(
        "store: data in {} ({})",
        tmp.path().display(),
        if quick { "smoke run" } else { "full run" }
    );
    let (session, answers) = samples();
    commit_curve(tmp.path(), &session, quick);
    log_curve(tmp.path(), &session, quick);
    bytes_per_record(tmp.path(), &session, &answers, quick);
    big_store(tmp.path(), &session, &answers, quick);
    erasure_under_load(&tmp.path().join("big"), &session, &answers, quick);
}
