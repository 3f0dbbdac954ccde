//! The Telegram channel against the fake Bot API on loopback: dialogs with buttons, a photo
//! and a location, redelivered updates, 429 storms, webhook secrets, officers' buttons, and
//! the real binary killed mid-dialog.

use super::fake_telegram::{FakeTelegram, Fault};
use super::support::repo;
use pintu::app::{Core, start_core};
use pintu::clock::{Clock, ManualClock, SystemClock, Timestamp};
use pintu::config::Config;
use pintu::model::Channel;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "123456:TEST-token";
const CITIZEN: i64 = 777;

struct Tg {
    fake: FakeTelegram,
    core: Core,
    route: Option<axum::Router>,
    _dir: tempfile::TempDir,
}

async fn start(fake: FakeTelegram, extra: &[(&str, &str)]) -> Tg {
    start_at(fake, extra, Arc::new(SystemClock)).await
}

async fn start_at(fake: FakeTelegram, extra: &[(&str, &str)], clock: Arc<dyn Clock>) -> Tg {
    let dir = super::support::private_tempdir();
    let mut env: HashMap<String, String> = [
        ("PINTU_DATA_DIR", dir.path().display().to_string()),
        ("PINTU_DIALOGS_DIR", repo().join("dialogs").display().to_string()),
        ("PINTU_LOCALES_DIR", repo().join("locales").display().to_string()),
        ("TELEGRAM_BOT_TOKEN", TOKEN.to_string()),
        ("TELEGRAM_API_URL", fake.url()),
        ("TELEGRAM_RATE_LIMIT", "off".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let config = Config::load_with(None, &env).expect("config");
    let core = start_core(&config, clock).expect("core");
    let tg = config.telegram.clone().expect("telegram configured");
    let route = pintu::channel::telegram::start(&core.wiring(), &config, &tg).await.unwrap();
    Tg { fake, core, route, _dir: dir }
}

impl Tg {
    /// Waits until every reply produced so far has been sent and marked sent.
    async fn settle(&self, update_id: i64) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let confirmed = self.fake.confirmed_offset() > update_id;
            let pending = self.core.store.pending_replies(Channel::Telegram).unwrap().len();
            if confirmed && pending == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "update {update_id} not settled: confirmed={confirmed}, pending={pending}\n{:#?}",
                self.fake.calls().iter().map(|c| &c.method).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Sends a text and returns the bot's messages in answer.
    async fn say(&self, text: &str) -> Vec<String> {
        let before = self.fake.sent_to(CITIZEN).len();
        let id = self.fake.text(CITIZEN, text);
        self.settle(id).await;
        self.fake.sent_to(CITIZEN)[before..].iter().map(|s| s.text.clone()).collect()
    }

    async fn press(&self, data: &str) -> Vec<String> {
        let before = self.fake.sent_to(CITIZEN).len();
        let msg_id = self.fake.sent_to(CITIZEN).last().map_or(1, |s| s.message_id);
        let id = self.fake.callback(CITIZEN, CITIZEN, data, msg_id);
        self.settle(id).await;
        self.fake.sent_to(CITIZEN)[before..].iter().map(|s| s.text.clone()).collect()
    }
}

fn buttons(markup: &Option<serde_json::Value>) -> Vec<String> {
    markup
        .as_ref()
        .and_then(|m| m["inline_keyboard"].as_array())
        .map(|rows| {
            rows.iter()
                .flat_map(|r| r.as_array().unwrap())
                .map(|b| b["callback_data"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_report_with_buttons_location_and_photo() {
    let tg = start(FakeTelegram::start(TOKEN).await, &[]).await;
    let hello = tg.say("/start").await.join("\n");
    assert!(hello.contains("Silakan pilih layanan"), "{hello}");
    let menu = tg
        .fake
        .sent_to(CITIZEN)
        .into_iter()
        .find(|s| s.text.contains("Silakan pilih layanan"))
        .unwrap();
    assert_eq!(buttons(&menu.reply_markup)[0], "c:1", "choices are buttons");
    // An infrastructure report: buttons, a photo, a location.
    let started = tg.say("lampu jalan mati").await.join("\n");
    assert!(started.contains("Kami catat"), "{started}");
    let photo_asked = started;
    assert!(photo_asked.contains("foto"), "{photo_asked}");
    let id = tg.fake.photo(CITIZEN, "AgAC-lampu", 48_000);
    tg.settle(id).await;
    let location_q = tg.fake.sent_to(CITIZEN).last().unwrap().clone();
    assert!(location_q.text.contains("lokasi"), "{}", location_q.text);
    let keyboard = location_q.reply_markup.clone().unwrap();
    assert_eq!(
        keyboard["keyboard"][0][0]["request_location"], true,
        "one tap to share the location"
    );
    let id = tg.fake.location(CITIZEN, -1.2612, 116.8305);
    tg.settle(id).await;
    tg.say("Depan masjid Al-Ikhlas, dekat pasar").await;
    let summary = tg.press("c:2").await.join("\n");
    assert!(summary.contains("Mohon periksa kembali"), "{summary}");
    let done = tg.say("ya").await.join("\n");
    assert!(done.contains("Nomor tiket"), "{done}");
    assert!(tg.fake.unanswered_callbacks().is_empty(), "every button press is answered");
    // The photo was downloaded into the data dir.
    let files = std::fs::read_dir(tg._dir.path().join("files")).unwrap().count();
    assert_eq!(files, 1);
    // Nothing too long or with oversized button data was ever sent (the fake would refuse).
    assert!(tg.fake.calls().iter().all(|c| c.method != "sendmessage"
        || c.body["text"].as_str().is_some_and(|t| t.encode_utf16().count() <= 4096)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_update_is_answered_once_and_429_is_waited_out() {
    let tg = start(FakeTelegram::start(TOKEN).await, &[]).await;
    tg.say("halo").await;
    // Telegram delivers the same update again (e.g. after our crash before confirming).
    let update = serde_json::json!({"update_id": 900000001, "message": {"message_id": 5, "date": 1700000000,
        "from": {"id": CITIZEN, "is_bot": false, "first_name": "Budi"}, "chat": {"id": CITIZEN, "type": "private"}, "text": "1"}});
    let before = tg.fake.sent_to(CITIZEN).len();
    tg.fake.push_update(update.clone());
    tg.settle(900000001).await;
    let first = tg.fake.sent_to(CITIZEN).len() - before;
    assert!(first >= 1);
    tg.fake.push_update(update);
    tg.settle(900000001).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(tg.fake.sent_to(CITIZEN).len() - before, first, "the repeat got no second answer");
    // A 429 storm: every reply still arrives, in order.
    for _ in 0..3 {
        tg.fake.fail_next("sendmessage", Fault::RetryAfter(1));
    }
    let started = Instant::now();
    let out = tg.say("menu").await;
    assert!(out.iter().any(|t| t.contains("Silakan pilih layanan")), "{out:?}");
    assert!(started.elapsed() >= Duration::from_secs(2), "retry_after was honoured");
}

/// Issue #13 item 9: a draft left idle gets one reminder in its last day, with the same
/// choices as a return, and the answer to it continues the draft.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_draft_gets_one_reminder_before_it_is_dropped() {
    const DAY: i64 = 86_400;
    let clock = Arc::new(ManualClock::new(Timestamp(1_795_000_000)));
    let tg = start_at(FakeTelegram::start(TOKEN).await, &[], clock.clone()).await;
    tg.say("ikd").await;
    let asked = tg.say("6409011708900001").await.join("\n");
    assert!(asked.contains("nama"), "{asked}");
    let reminders = pintu::draft_reminder::Reminders {
        store: tg.core.store.clone(),
        convo: tg.core.convo.clone(),
        clock: clock.clone(),
        session_ttl_secs: 7 * DAY,
        resume_after_secs: 1800,
    };
    clock.advance(DAY);
    assert_eq!(reminders.scan_once().await.unwrap(), 0, "not yet");
    clock.advance(5 * DAY + 3600);
    let before = tg.fake.sent_to(CITIZEN).len();
    assert_eq!(reminders.scan_once().await.unwrap(), 1);
    let deadline = Instant::now() + Duration::from_secs(10);
    while tg.fake.sent_to(CITIZEN).len() == before
        || !tg.core.store.pending_replies(Channel::Telegram).unwrap().is_empty()
    {
        assert!(Instant::now() < deadline, "the reminder was not sent");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let reminder = tg.fake.sent_to(CITIZEN)[before].clone();
    assert!(reminder.text.contains("Pengingat"), "{}", reminder.text);
    assert!(reminder.text.contains("2026"), "the day it is dropped: {}", reminder.text);
    assert_eq!(buttons(&reminder.reply_markup).len(), 2, "lanjutkan / mulai baru");
    assert_eq!(reminders.scan_once().await.unwrap(), 0, "one reminder only");
    clock.advance(3600);
    let continued = tg.say("1").await.join("\n");
    assert!(continued.contains("lanjutkan") && continued.contains("nama"), "{continued}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_checks_the_secret() {
    let fake = FakeTelegram::start(TOKEN).await;
    let tg = start(
        fake,
        &[
            ("TELEGRAM_WEBHOOK_URL", "https://pintu.example"),
            ("TELEGRAM_WEBHOOK_SECRET", "rahasia_hook"),
        ],
    )
    .await;
    assert!(tg.fake.calls().iter().any(|c| c.method == "setwebhook"));
    let app = tg.route.clone().expect("webhook route");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let update = serde_json::json!({"update_id": 42, "message": {"message_id": 1, "date": 1700000000,
        "from": {"id": CITIZEN, "is_bot": false, "first_name": "Budi"}, "chat": {"id": CITIZEN, "type": "private"}, "text": "halo"}});
    let url = format!("http://{addr}/telegram/webhook");
    for secret in [None, Some("salah")] {
        let mut r = http.post(&url).json(&update);
        if let Some(s) = secret {
            r = r.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        assert_eq!(r.send().await.unwrap().status(), 401);
    }
    assert!(tg.fake.sent_to(CITIZEN).is_empty(), "a forged update changes nothing");
    let ok = http
        .post(&url)
        .header("X-Telegram-Bot-Api-Secret-Token", "rahasia_hook")
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    tg.fake.wait_sent(CITIZEN, 2, Duration::from_secs(10)).await;
    assert!(tg.fake.sent_to(CITIZEN)[0].text.contains("Selamat"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_buttons_change_the_status_and_the_citizen_hears() {
    const GROUP: i64 = -1001234567890;
    const OFFICER: i64 = 4242;
    let fake = FakeTelegram::start(TOKEN).await;
    let tg = start(fake, &[("TELEGRAM_OFFICERS_DISKOMINFO", &format!("{GROUP}:{OFFICER}"))]).await;
    tg.say("darurat").await;
    tg.say("ya").await;
    tg.say("lewati").await;
    tg.say("1").await;
    let done = tg.say("lewati").await.join("\n");
    let at = done.find("Nomor tiket: *").unwrap() + 14;
    let no = done[at..at + 9].to_string();
    // The group gets the ticket with buttons.
    tg.fake.wait_sent(GROUP, 1, Duration::from_secs(10)).await;
    let post = tg.fake.sent_to(GROUP)[0].clone();
    assert!(post.text.contains(&no), "{}", post.text);
    let data = buttons(&post.reply_markup);
    let diproses = data.iter().find(|d| d.starts_with("s:diproses:")).unwrap().clone();
    // A stranger in the group is refused and nothing changes.
    tg.fake.callback(GROUP, 999, &diproses, post.message_id);
    tg.fake
        .wait_until(Duration::from_secs(10), |f| {
            f.calls()
                .iter()
                .any(|c| c.method == "answercallbackquery" && c.body["show_alert"] == true)
        })
        .await;
    let ticket =
        tg.core.store.ticket(&pintu::model::TicketNo::parse(&no, &[]).unwrap()).unwrap().unwrap();
    assert_eq!(ticket.status, pintu::model::Status::Diterima);
    // The officer presses: the citizen gets the news.
    let before = tg.fake.sent_to(CITIZEN).len();
    tg.fake.callback(GROUP, OFFICER, &diproses, post.message_id);
    tg.fake.wait_sent(CITIZEN, before + 1, Duration::from_secs(15)).await;
    let news = tg.fake.sent_to(CITIZEN).last().unwrap().text.clone();
    assert!(news.contains(&no) && news.contains("Diproses"), "{news}");
    tg.fake.wait_until(Duration::from_secs(10), |f| f.unanswered_callbacks().is_empty()).await;
}

/// The real binary polling the fake Bot API, killed with SIGKILL mid-dialog and restarted: the
/// dialog continues where it was and nothing is answered twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_killed_mid_dialog_continues_after_restart() {
    use std::process::{Command, Stdio};
    let fake = FakeTelegram::start(TOKEN).await;
    let data = super::support::private_tempdir();
    let serve = || {
        Command::new(env!("CARGO_BIN_EXE_pintu"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("PINTU_DATA_DIR", data.path())
            .env("PINTU_HTTP_ADDR", "127.0.0.1:0")
            .env("TELEGRAM_BOT_TOKEN", TOKEN)
            .env("TELEGRAM_API_URL", fake.url())
            .env("TELEGRAM_RATE_LIMIT", "off")
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut first = serve();
    fake.text(CITIZEN, "akta kematian");
    fake.wait_until(Duration::from_secs(20), |f| {
        f.sent_to(CITIZEN).iter().any(|s| s.text.contains("NIK almarhum"))
    })
    .await;
    fake.text(CITIZEN, "3201011708450001");
    fake.wait_until(Duration::from_secs(20), |f| {
        f.sent_to(CITIZEN).iter().any(|s| s.text.contains("nama lengkap almarhum"))
    })
    .await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let asked_before =
        fake.sent_to(CITIZEN).iter().filter(|s| s.text.contains("nama lengkap almarhum")).count();
    let mut second = serve();
    fake.text(CITIZEN, "Sukarno");
    fake.wait_until(Duration::from_secs(20), |f| {
        f.sent_to(CITIZEN).iter().any(|s| s.text.contains("tanggal meninggal"))
    })
    .await;
    let asked_after =
        fake.sent_to(CITIZEN).iter().filter(|s| s.text.contains("nama lengkap almarhum")).count();
    assert!(asked_after <= asked_before + 1, "at most one repeated reply after a crash");
    second.kill().unwrap();
    second.wait().unwrap();
}

/// Many citizens at once: every one gets every answer, in order, exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_citizens_at_once_each_in_order() {
    let tg = start(FakeTelegram::start(TOKEN).await, &[]).await;
    let chats: Vec<i64> = (1..=30).map(|i| 10_000 + i).collect();
    let script = ["darurat", "ya", "lewati", "1", "lewati"];
    for step in script {
        let ids: Vec<i64> = chats.iter().map(|&c| tg.fake.text(c, step)).collect();
        tg.settle(*ids.iter().max().unwrap()).await;
    }
    for &c in &chats {
        let texts: Vec<String> = tg.fake.sent_to(c).into_iter().map(|s| s.text).collect();
        let tickets = texts.iter().filter(|t| t.contains("Nomor tiket")).count();
        assert_eq!(tickets, 1, "chat {c}: {texts:#?}");
        let alert = texts.iter().position(|t| t.contains("112")).unwrap();
        let ticket = texts.iter().position(|t| t.contains("Nomor tiket")).unwrap();
        assert!(alert < ticket, "replies of one chat stay in order");
    }
}

/// Logs at the most verbose level pintu has carry no NIK, phone number or token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_never_show_personal_data_or_the_token() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let fake = FakeTelegram::start(TOKEN).await;
    let data = super::support::private_tempdir();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pintu"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PINTU_DATA_DIR", data.path())
        .env("PINTU_HTTP_ADDR", "127.0.0.1:0")
        .env("PINTU_LOG", "trace")
        .env("TELEGRAM_BOT_TOKEN", TOKEN)
        .env("TELEGRAM_API_URL", fake.url())
        .env("TELEGRAM_RATE_LIMIT", "off")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the log as it comes: a full pipe would stop pintu.
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        let _ = stderr.read_to_string(&mut log);
        log
    });
    for text in ["ktp rusak", "3201011708900001", "Budi Santoso", "+6281298765432"] {
        let before = fake.sent_to(CITIZEN).len();
        fake.text(CITIZEN, text);
        fake.wait_until(Duration::from_secs(20), |f| f.sent_to(CITIZEN).len() > before).await;
    }
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    child.wait().unwrap();
    let log = reader.join().unwrap();
    assert!(log.contains("Telegram channel started"), "the log was captured:\n{log}");
    for secret in ["3201011708900001", "81298765432", "Budi Santoso", TOKEN, "TEST-token"] {
        assert!(!log.contains(secret), "`{secret}` leaked into the log");
    }
}

/// Waits until no reply is left pending.
async fn all_sent(tg: &Tg) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !tg.core.store.pending_replies(Channel::Telegram).unwrap().is_empty() {
        assert!(Instant::now() < deadline, "replies left pending");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Issue #14 D2 on the webhook: Telegram's call hangs up right after posting, then the update
/// comes again. Every chat gets each reply exactly once, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_callers_that_hang_up_then_redeliver_get_each_reply_once() {
    use tokio::io::AsyncWriteExt;
    const SECRET: &str = "rahasia_hook";
    let fake = FakeTelegram::start(TOKEN).await;
    let webhook =
        [("TELEGRAM_WEBHOOK_URL", "https://pintu.example"), ("TELEGRAM_WEBHOOK_SECRET", SECRET)];
    let tg = start(fake, &webhook).await;
    let app = tg.route.clone().expect("webhook route");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("http://{addr}/telegram/webhook");
    let update = |id: i64, chat: i64, text: &str| {
        serde_json::json!({"update_id": id, "message": {"message_id": id, "date": 1700000000,
            "from": {"id": chat, "is_bot": false, "first_name": "Budi"},
            "chat": {"id": chat, "type": "private"}, "text": text}})
    };
    let post = |body: serde_json::Value| {
        let r = http.post(&url).header("X-Telegram-Bot-Api-Secret-Token", SECRET).json(&body);
        async move { r.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(post(update(1, CITIZEN, "halo")).await, 200);
    all_sent(&tg).await;
    let per_halo = tg.fake.sent_to(CITIZEN).len();
    let chats: Vec<i64> = (0..30).map(|i| 9_000 + i).collect();
    for (i, &chat) in chats.iter().enumerate() {
        let body = serde_json::to_vec(&update(100 + i as i64, chat, "halo")).unwrap();
        let head = format!(
            "POST /telegram/webhook HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
             x-telegram-bot-api-secret-token: {SECRET}\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
        conn.write_all(&[head.as_bytes(), &body].concat()).await.unwrap();
    }
    for (i, &chat) in chats.iter().enumerate() {
        assert_eq!(post(update(100 + i as i64, chat, "halo")).await, 200);
    }
    // A new update per chat: its answer is queued behind anything the redelivery caused.
    for (i, &chat) in chats.iter().enumerate() {
        assert_eq!(post(update(200 + i as i64, chat, "status")).await, 200);
    }
    let all = |f: &FakeTelegram| chats.iter().all(|&c| f.sent_to(c).len() > per_halo);
    tg.fake.wait_until(Duration::from_secs(15), all).await;
    all_sent(&tg).await;
    for &chat in &chats {
        let texts: Vec<String> = tg.fake.sent_to(chat).into_iter().map(|s| s.text).collect();
        assert_eq!(texts.len(), per_halo + 1, "chat {chat}: each reply once\n{texts:#?}");
    }
}
