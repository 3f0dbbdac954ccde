//! The fault suite (issue #14): the real `pintu serve` on 127.0.0.1 against the fake Graph and
//! Bot APIs, through platform outages, callers hanging up, late redeliveries, erasures and
//! `kill -9` at random (seeded, printed) moments. Each test checks the product's promises
//! exactly: every message answered once and in order (repeats only right after a restart, and
//! counted), every ticket stored once under its citizen, no erased NIK in any file under the
//! data folder, and every file there owner-only.
//!
//! What a citizen should read is taken from a control citizen who walks the same dialog on
//! the same pintu before the faults start ([`expected`]).

pub(crate) mod ledger;
pub(crate) mod platform;

use super::support::private_tempdir;
use crate::process::Pintu;
use ledger::{
    Rng, assert_answered_exactly_once, assert_erased, assert_one_ticket_each, assert_owner_only,
    normalize, wait_for_messages,
};
use platform::{Citizen, Platforms, TgMode};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::time::sleep_until;

use super::outage::Outage;

/// An emergency report to its ticket, then the ticket list; each with the words the last
/// answer to it contains.
pub(crate) const REPORT: &[(&str, &str)] = &[
    ("halo", "Silakan pilih layanan"),
    ("darurat", "Apakah ini keadaan darurat"),
    ("ya", "Mohon kirim lokasi"),
    ("lewati", "Apa yang terjadi"),
    ("1", "keterangan singkat"),
    ("lewati", "Nomor tiket"),
    ("status", "sedang berjalan"),
];

/// The dialog a fresh chat answers with the menu or "no requests yet".
const MENU: (&str, &str) = ("menu", "Silakan pilih layanan");
const STATUS_NONE: (&str, &str) = ("status", "Belum ada permohonan");

/// A NIK typed into a dialog (IKD activation), then `hapus data saya` and `ya`.
fn erasure(nik: &str) -> Vec<(&str, &'static str)> {
    vec![
        ("ikd", "Mohon ketik NIK"),
        (nik, "nama lengkap"),
        ("Budi Santoso", "alamat email"),
        ("hapus data saya", "Lanjutkan?"),
        ("ya", "sudah dihapus"),
    ]
}

/// A valid NIK (Kab. Bogor, born 17-08-1990) that no text or other citizen contains.
fn nik(n: u32) -> String {
    format!("320101170890{:04}", 1000 + n)
}

async fn started(tg_mode: TgMode) -> (Arc<Platforms>, Pintu, tempfile::TempDir) {
    let platforms = Platforms::start(tg_mode).await;
    let dir = private_tempdir();
    let mut pintu = Pintu::new(&dir.path().join("data"), &platforms.env());
    pintu.start().await;
    (platforms, pintu, dir)
}

/// What a citizen reads walking `script`: the control citizen's messages, normalized.
pub(crate) async fn expected(
    control: &Citizen,
    pintu: SocketAddr,
    script: &[(&str, &str)],
) -> Vec<String> {
    control.walk(pintu, script).await;
    control.received().iter().map(|r| normalize(&r.text)).collect()
}

fn numbered(platforms: &Arc<Platforms>, range: std::ops::RangeInclusive<u32>) -> [Vec<Citizen>; 2] {
    [
        range.clone().map(|n| platforms.whatsapp(n)).collect(),
        range.map(|n| platforms.telegram(n)).collect(),
    ]
}

/// Both APIs fail for 60 s while citizens go on writing (each half of the outage HTTP 500, the
/// other half no connection): every reply arrives afterwards, exactly once and in order,
/// without a restart. Two pintus at once, so one minute tests both ways Telegram hands over
/// updates: polled (nothing comes in while the Bot API is down) and by webhook (messages come
/// in and their replies wait).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_and_bot_api_down_for_60_s_under_load() {
    let (polled, webhook) =
        tokio::join!(apis_down_for_60_s(TgMode::Polling), apis_down_for_60_s(TgMode::Webhook));
    eprintln!(
        "every reply delivered {polled:.1?} (Telegram polled) and {webhook:.1?} (Telegram \
         webhook) after the outage ended"
    );
}

/// 20 citizens on WhatsApp and 20 on Telegram through a 60 s outage of both APIs; returns how
/// long after its end the last reply went out.
async fn apis_down_for_60_s(tg_mode: TgMode) -> Duration {
    const OUTAGE: Duration = Duration::from_secs(60);
    let (platforms, mut pintu, _dir) = started(tg_mode).await;
    let addr = pintu.addr();
    let [wa_control, tg_control] = [platforms.whatsapp(0), platforms.telegram(0)];
    let (wa_expected, tg_expected) =
        tokio::join!(expected(&wa_control, addr, REPORT), expected(&tg_control, addr, REPORT));
    let [wa, tg] = numbered(&platforms, 1..=20);

    let begin = Instant::now() + Duration::from_secs(2);
    let end = begin + OUTAGE;
    let outage = {
        let platforms = platforms.clone();
        tokio::spawn(async move {
            sleep_until(begin.into()).await;
            platforms.graph.set_outage(Outage::ServerError);
            platforms.telegram.set_outage(Outage::Unreachable);
            sleep_until((begin + OUTAGE / 2).into()).await;
            platforms.graph.set_outage(Outage::Unreachable);
            platforms.telegram.set_outage(Outage::ServerError);
            sleep_until(end.into()).await;
            platforms.graph.set_outage(Outage::Off);
            platforms.telegram.set_outage(Outage::Off);
        })
    };
    // The load: each citizen's messages spread over the outage, and it stops by itself.
    let mut load = Vec::new();
    for (n, citizen) in wa.iter().enumerate().chain(tg.iter().enumerate()) {
        let citizen = citizen.clone();
        let first = begin - Duration::from_secs(1) + Duration::from_millis(150 * n as u64);
        load.push(tokio::spawn(async move {
            for (k, (text, _)) in REPORT.iter().enumerate() {
                sleep_until((first + Duration::from_secs(10) * k as u32).into()).await;
                citizen.say(addr, text).await;
            }
        }));
    }
    for task in load {
        task.await.expect("load");
    }
    outage.await.expect("outage");
    wait_for_messages(&wa, wa_expected.len(), Duration::from_secs(150)).await;
    wait_for_messages(&tg, tg_expected.len(), Duration::from_secs(150)).await;
    let recovered = end.elapsed();
    pintu.stop().await;
    // Before the test opens the store itself (with its own umask).
    assert_owner_only(pintu.data_dir());
    let store = pintu.store();
    assert_answered_exactly_once(&wa, &wa_expected, &pintu, &store);
    assert_answered_exactly_once(&tg, &tg_expected, &pintu, &store);
    for citizen in wa.iter().chain(&tg) {
        assert!(
            citizen.received().iter().any(|r| r.at > end),
            "{}: the outage held nothing back, so it tested nothing",
            citizen.name()
        );
    }
    let everyone: Vec<Citizen> = [wa, tg, vec![wa_control, tg_control]].concat();
    assert_one_ticket_each(&everyone, &store);
    recovered
}

/// `kill -9`, then a start once the fakes have recorded every call the killed pintu wrote:
/// one in flight at the kill is read (and timed) a few milliseconds later, and recorded after
/// the successor's start it would look like the successor's, so a legitimate repeat of it
/// (resent from the store) would be taken for a reply sent twice by one process.
async fn kill_9_and_restart(pintu: &mut Pintu, platforms: &Platforms) {
    pintu.kill9().await;
    platforms.quiet().await;
    pintu.start().await;
}

/// `kill -9` at random moments while 40 citizens report: nothing is lost, nothing stepped
/// twice; the only repeats are replies sent just before a kill and sent again at the restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_moments_under_load() {
    const KILLS: usize = 8;
    let mut rng = Rng::seeded("kill_9_at_random_moments_under_load");
    let (platforms, mut pintu, _dir) = started(TgMode::Polling).await;
    let addr = pintu.addr();
    let [wa_control, tg_control] = [platforms.whatsapp(0), platforms.telegram(0)];
    let (wa_expected, tg_expected) =
        tokio::join!(expected(&wa_control, addr, REPORT), expected(&tg_control, addr, REPORT));
    let [wa, tg] = numbered(&platforms, 1..=20);

    let mut load = Vec::new();
    for (i, citizen) in wa.iter().chain(&tg).enumerate() {
        let citizen = citizen.clone();
        let pause = Duration::from_millis(1500 + 97 * (i as u64 % 11));
        load.push(tokio::spawn(async move {
            for (text, _) in REPORT {
                citizen.say(addr, text).await;
                tokio::time::sleep(pause).await;
            }
        }));
    }
    for _ in 0..KILLS {
        tokio::time::sleep(rng.between(Duration::from_millis(300), Duration::from_millis(2500)))
            .await;
        kill_9_and_restart(&mut pintu, &platforms).await;
    }
    for task in load {
        task.await.expect("load");
    }
    wait_for_messages(&wa, wa_expected.len(), Duration::from_secs(60)).await;
    wait_for_messages(&tg, tg_expected.len(), Duration::from_secs(60)).await;
    pintu.stop().await;
    // Before the test opens the store itself (with its own umask).
    assert_owner_only(pintu.data_dir());
    let store = pintu.store();
    let repeats = assert_answered_exactly_once(&wa, &wa_expected, &pintu, &store)
        + assert_answered_exactly_once(&tg, &tg_expected, &pintu, &store);
    let everyone: Vec<Citizen> = [wa, tg, vec![wa_control, tg_control]].concat();
    assert_one_ticket_each(&everyone, &store);
    eprintln!("{KILLS} kills: {repeats} replies repeated right after a restart");
}

/// `kill -9` inside an erasure: within 30 ms of the `ya` that confirms it (before or during
/// its commit), or within 20 ms of the confirmation (while the erasure finishes its cleanup).
/// After the restart the citizen has the confirmation exactly once, the report filed before
/// is still there, and the NIK is in no file under the data folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_inside_an_erasure() {
    let mut rng = Rng::seeded("kill_9_inside_an_erasure");
    let (platforms, mut pintu, _dir) = started(TgMode::Polling).await;
    let addr = pintu.addr();
    // A report first: its open ticket must outlive the erasure and the kill.
    fn script(nik: &str) -> Vec<(&str, &str)> {
        [&REPORT[..6], &erasure(nik)].concat()
    }
    let control = platforms.telegram(0);
    let control_nik = nik(0);
    let expected = expected(&control, addr, &script(&control_nik)).await;
    let citizens: Vec<Citizen> = (1..=10).map(|n| platforms.telegram(n)).collect();
    for (n, citizen) in (1..).zip(&citizens) {
        let nik = nik(n);
        let script = script(&nik);
        let ((ya, done), before) = script.split_last().expect("a script");
        citizen.walk(addr, before).await;
        let confirmed = citizen.received().len();
        citizen.say(addr, ya).await;
        if rng.next().is_multiple_of(3) {
            tokio::time::sleep(rng.between(Duration::ZERO, Duration::from_millis(30))).await;
        } else {
            // Looked for every millisecond: the cleanup after the confirmation is short.
            while !citizen.received()[confirmed..].iter().any(|r| r.text.contains(done)) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            tokio::time::sleep(rng.between(Duration::ZERO, Duration::from_millis(20))).await;
        }
        kill_9_and_restart(&mut pintu, &platforms).await;
    }
    wait_for_messages(&citizens, expected.len(), Duration::from_secs(30)).await;
    let niks: Vec<String> = (0..=10).map(nik).collect();
    assert_erased(pintu.data_dir(), &niks, Duration::from_secs(10)).await;
    pintu.stop().await;
    assert_erased(pintu.data_dir(), &niks, Duration::ZERO).await;
    // Before the test opens the store itself (with its own umask).
    assert_owner_only(pintu.data_dir());
    let store = pintu.store();
    let repeats = assert_answered_exactly_once(&citizens, &expected, &pintu, &store);
    assert_one_ticket_each(&[citizens, vec![control]].concat(), &store);
    eprintln!("{repeats} replies repeated right after a restart");
}

/// The platform's request is cut while pintu works on it (a timeout, a proxy), and the
/// platform delivers it again: the citizen gets the replies now, once, not after the next
/// restart. 40 chats on WhatsApp and 30 on Telegram's webhook, every message cut once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_hanging_up_mid_request_then_redelivering() {
    let mut rng = Rng::seeded("callers_hanging_up_mid_request_then_redelivering");
    let (platforms, mut pintu, _dir) = started(TgMode::Webhook).await;
    let addr = pintu.addr();
    let [wa_control, tg_control] = [platforms.whatsapp(0), platforms.telegram(0)];
    let (wa_expected, tg_expected) =
        tokio::join!(expected(&wa_control, addr, REPORT), expected(&tg_control, addr, REPORT));
    let wa: Vec<Citizen> = (1..=40).map(|n| platforms.whatsapp(n)).collect();
    let tg: Vec<Citizen> = (1..=30).map(|n| platforms.telegram(n)).collect();

    let mut load = Vec::new();
    for citizen in wa.iter().chain(&tg) {
        let citizen = citizen.clone();
        let hang_ups: Vec<(Duration, Duration)> = REPORT
            .iter()
            .map(|_| {
                let cut = rng.between(Duration::ZERO, Duration::from_millis(20));
                (cut, rng.between(Duration::from_millis(10), Duration::from_millis(100)))
            })
            .collect();
        load.push(tokio::spawn(async move {
            for ((text, _), (cut, retry)) in REPORT.iter().zip(hang_ups) {
                let said = citizen.compose(text);
                citizen.deliver_and_hang_up(addr, &said, cut).await;
                tokio::time::sleep(retry).await;
                citizen.redeliver(addr, &said).await;
            }
        }));
    }
    for task in load {
        task.await.expect("load");
    }
    wait_for_messages(&wa, wa_expected.len(), Duration::from_secs(30)).await;
    wait_for_messages(&tg, tg_expected.len(), Duration::from_secs(30)).await;
    pintu.stop().await;
    // Before the test opens the store itself (with its own umask).
    assert_owner_only(pintu.data_dir());
    let store = pintu.store();
    assert_answered_exactly_once(&wa, &wa_expected, &pintu, &store);
    assert_answered_exactly_once(&tg, &tg_expected, &pintu, &store);
    let everyone: Vec<Citizen> = [wa, tg, vec![wa_control, tg_control]].concat();
    assert_one_ticket_each(&everyone, &store);
}

/// Meta retries a webhook for up to 7 days: a message delivered again after 20 newer ones is
/// still recognised and not answered again (on Telegram's webhook too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeliveries_after_20_newer_messages() {
    let (platforms, mut pintu, _dir) = started(TgMode::Webhook).await;
    let addr = pintu.addr();
    let mut script = vec![REPORT[0]];
    script.extend([STATUS_NONE, MENU].iter().cycle().take(20));
    let last = [STATUS_NONE];
    let full = [script.clone(), last.to_vec()].concat();
    let [wa_control, tg_control] = [platforms.whatsapp(0), platforms.telegram(0)];
    let (wa_expected, tg_expected) =
        tokio::join!(expected(&wa_control, addr, &full), expected(&tg_control, addr, &full));
    let citizens = [platforms.whatsapp(1), platforms.telegram(1)];
    for citizen in &citizens {
        let mut said = Vec::new();
        for (text, marker) in &script {
            let before = citizen.received().len();
            said.push(citizen.compose(text));
            citizen.redeliver(addr, said.last().expect("just said")).await;
            citizen.walk_wait(before, marker).await;
        }
        // The first four again, each after at least 17 newer messages.
        for old in &said[..4] {
            citizen.redeliver(addr, old).await;
        }
        // Replies of one chat go out in order: any answer to the repeats would come first.
        citizen.walk(addr, &last).await;
    }
    pintu.stop().await;
    // Before the test opens the store itself (with its own umask).
    assert_owner_only(pintu.data_dir());
    let store = pintu.store();
    let [wa, tg] = citizens;
    assert_answered_exactly_once(&[wa], &wa_expected, &pintu, &store);
    assert_answered_exactly_once(&[tg], &tg_expected, &pintu, &store);
}

/// Messages delivered again after the chat erased its data are recognised (not answered,
/// nothing stored again), and the NIK typed before the erasure is in no file.
async fn redeliveries_after_erasure(whatsapp: bool) {
    let (platforms, mut pintu, _dir) = started(TgMode::Webhook).await;
    let addr = pintu.addr();
    let on = |n| if whatsapp { platforms.whatsapp(n) } else { platforms.telegram(n) };
    let (control, citizen) = (on(0), on(1));
    let after = [STATUS_NONE];
    let control_nik = nik(0);
    let full = [erasure(&control_nik), after.to_vec()].concat();
    let expected = expected(&control, addr, &full).await;
    let mut said = Vec::new();
    let citizen_nik = nik(1);
    for (text, marker) in erasure(&citizen_nik) {
        let before = citizen.received().len();
        said.push(citizen.compose(text));
        citizen.redeliver(addr, said.last().expect("just said")).await;
        citizen.walk_wait(before, marker).await;
    }
    for old in &said {
        citizen.redeliver(addr, old).await;
    }
    citizen.walk(addr, &after).await;
    let niks = [nik(0), nik(1)];
    assert_erased(pintu.data_dir(), &niks, Duration::from_secs(10)).await;
    pintu.stop().await;
    assert_erased(pintu.data_dir(), &niks, Duration::ZERO).await;
    // Before the test opens the store itself (with its own umask).
    assert_owner_only(pintu.data_dir());
    let store = pintu.store();
    assert_answered_exactly_once(&[citizen], &expected, &pintu, &store);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_redeliveries_after_erasure() {
    redeliveries_after_erasure(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whatsapp_redeliveries_after_erasure() {
    redeliveries_after_erasure(true).await;
}

/// Every file pintu writes under its data folder is owner-only whatever the umask (022 here):
/// the store, attachments, after a `kill -9` and the recovery that follows; and a backup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_file_pintu_writes_is_owner_only() {
    let (platforms, mut pintu, dir) = started(TgMode::Polling).await;
    let addr = pintu.addr();
    let (wa, tg) = (platforms.whatsapp(1), platforms.telegram(1));
    wa.walk(addr, &[("lampu jalan mati", "foto")]).await;
    let before = wa.received().len();
    wa.send_photo(addr).await;
    wa.walk_wait(before, "lokasi").await;
    tg.walk(addr, REPORT).await;
    assert_owner_only(pintu.data_dir());
    kill_9_and_restart(&mut pintu, &platforms).await;
    tg.walk(addr, &[STATUS_NONE.0].map(|s| (s, "sedang berjalan"))).await;
    pintu.stop().await;
    let files = pintu.data_dir().join("files");
    assert_eq!(std::fs::read_dir(&files).expect("attachments").count(), 1, "the photo is kept");
    assert_owner_only(pintu.data_dir());

    let backup = dir.path().join("cadangan.pintu");
    let out = std::process::Command::new("sh")
        .args(["-c", "umask 022 && exec \"$0\" backup \"$1\"", env!("CARGO_BIN_EXE_pintu")])
        .arg(&backup)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PINTU_DATA_DIR", pintu.data_dir())
        .output()
        .expect("pintu backup");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&backup).expect("backup").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the backup holds every NIK");
    assert_owner_only(pintu.data_dir());
}
