//! The WhatsApp channel against the fake Graph API on loopback, with webhook bodies signed the
//! way Meta signs them: dialogs with buttons and lists, a photo, a location, duplicate and
//! forged deliveries, rate limits, and news after 25 hours as a template.

use super::fake_graph::{self, FakeGraph};
use super::support::repo;
use pintu::app::{Core, start_core};
use pintu::clock::SystemClock;
use pintu::config::Config;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const TOKEN: &str = "EAAtest";
const PHONE_ID: &str = "106540352242922";
const SECRET: &str = "test_app_secret";
const CITIZEN: &str = "6281234567890";

struct Wa {
    graph: FakeGraph,
    core: Core,
    url: String,
    http: reqwest::Client,
    wamid: std::sync::atomic::AtomicU32,
    _dir: tempfile::TempDir,
}

async fn start() -> Wa {
    let graph = FakeGraph::start(TOKEN, PHONE_ID).await;
    let dir = super::support::private_tempdir();
    let env: HashMap<String, String> = [
        ("PINTU_DATA_DIR", dir.path().display().to_string()),
        ("PINTU_DIALOGS_DIR", repo().join("dialogs").display().to_string()),
        ("PINTU_LOCALES_DIR", repo().join("locales").display().to_string()),
        ("WHATSAPP_TOKEN", TOKEN.to_string()),
        ("WHATSAPP_PHONE_NUMBER_ID", PHONE_ID.to_string()),
        ("WHATSAPP_APP_SECRET", SECRET.to_string()),
        ("WHATSAPP_VERIFY_TOKEN", "verifikasi".to_string()),
        ("WHATSAPP_API_URL", graph.url()),
        ("WHATSAPP_TEMPLATE", "status_permohonan:id".to_string()),
        ("PINTU_TARGET_DISKOMINFO_URL", "http://127.0.0.1:9/unused".to_string()),
        ("PINTU_TARGET_DISKOMINFO_SECRET", "x".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let config = Config::load_with(None, &env).unwrap();
    let core = start_core(&config, Arc::new(SystemClock)).unwrap();
    let wa = config.whatsapp.clone().unwrap();
    let app = pintu::channel::whatsapp::start(&core, &config, &wa).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    Wa {
        graph,
        core,
        url: format!("http://{addr}/whatsapp/webhook"),
        http,
        wamid: 1.into(),
        _dir: dir,
    }
}

impl Wa {
    fn next_id(&self) -> String {
        format!("wamid.TEST{}", self.wamid.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
    }

    async fn post(&self, body: &serde_json::Value) -> u16 {
        let bytes = serde_json::to_vec(body).unwrap();
        self.post_raw(&bytes, Some(&fake_graph::sign(SECRET, &bytes))).await
    }

    async fn post_raw(&self, bytes: &[u8], sig: Option<&str>) -> u16 {
        let mut r = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(bytes.to_vec());
        if let Some(s) = sig {
            r = r.header("X-Hub-Signature-256", s);
        }
        r.send().await.unwrap().status().as_u16()
    }

    /// Sends a text and returns the bot's messages in answer (the webhook returns after the
    /// commit; sends follow shortly).
    async fn say(&self, text: &str) -> Vec<serde_json::Value> {
        let before = self.graph.sent_to(CITIZEN).len();
        let id = self.next_id();
        assert_eq!(self.post(&fake_graph::text_message(PHONE_ID, CITIZEN, &id, text)).await, 200);
        self.settle(before).await
    }

    async fn settle(&self, before: usize) -> Vec<serde_json::Value> {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !self
            .core
            .store
            .pending_replies(pintu::channel::Channel::WhatsApp)
            .unwrap()
            .is_empty()
        {
            assert!(std::time::Instant::now() < deadline, "replies not sent");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.graph.sent_to(CITIZEN)[before..].iter().map(|s| s.body.clone()).collect()
    }
}

fn kinds(sent: &[serde_json::Value]) -> Vec<String> {
    sent.iter()
        .map(|b| match b["type"].as_str().unwrap() {
            "interactive" => format!("interactive:{}", b["interactive"]["type"].as_str().unwrap()),
            t => t.to_string(),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_and_forged_webhooks() {
    let wa = start().await;
    let ok = wa
        .http
        .get(format!(
            "{}?hub.mode=subscribe&hub.verify_token=verifikasi&hub.challenge=1158201444",
            wa.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    let bad = wa
        .http
        .get(format!("{}?hub.mode=subscribe&hub.verify_token=salah&hub.challenge=1", wa.url))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 403);
    let body = serde_json::to_vec(&fake_graph::text_message(PHONE_ID, CITIZEN, "wamid.X1", "halo"))
        .unwrap();
    assert_eq!(wa.post_raw(&body, None).await, 401);
    assert_eq!(wa.post_raw(&body, Some("sha256=00")).await, 401);
    let mut tampered = body.clone();
    *tampered.last_mut().unwrap() = b' ';
    assert_eq!(wa.post_raw(&tampered, Some(&fake_graph::sign(SECRET, &body))).await, 401);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(wa.graph.sent().is_empty(), "forged calls changed nothing");
    // Malformed JSON with a good signature: acknowledged, logged.
    let junk = b"{not json";
    assert_eq!(wa.post_raw(junk, Some(&fake_graph::sign(SECRET, junk))).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_with_buttons_list_photo_and_location() {
    let wa = start().await;
    let hello = wa.say("halo").await;
    assert!(
        kinds(&hello).contains(&"interactive:list".to_string())
            || kinds(&hello).contains(&"text".to_string()),
        "{hello:?}"
    );
    // Lampu jalan: the danger question has 3 short options → reply buttons.
    wa.say("lampu jalan mati").await;
    wa.graph.add_media("MEDIA1", "image/jpeg", vec![0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    let before = wa.graph.sent_to(CITIZEN).len();
    assert_eq!(
        wa.post(&fake_graph::image_message(
            PHONE_ID,
            CITIZEN,
            &wa.next_id(),
            "MEDIA1",
            "image/jpeg"
        ))
        .await,
        200
    );
    let after_photo = wa.settle(before).await;
    assert!(
        kinds(&after_photo).contains(&"interactive:location_request_message".to_string()),
        "{after_photo:?}"
    );
    let before = wa.graph.sent_to(CITIZEN).len();
    assert_eq!(
        wa.post(&fake_graph::location_message(PHONE_ID, CITIZEN, &wa.next_id(), -1.26, 116.83))
            .await,
        200
    );
    wa.settle(before).await;
    let danger = wa.say("Depan masjid Al-Ikhlas").await;
    let buttons = danger
        .iter()
        .find(|b| b["interactive"]["type"] == "button")
        .expect("danger levels as buttons");
    let id =
        buttons["interactive"]["action"]["buttons"][1]["reply"]["id"].as_str().unwrap().to_string();
    let before = wa.graph.sent_to(CITIZEN).len();
    assert_eq!(
        wa.post(&fake_graph::button_reply(PHONE_ID, CITIZEN, &wa.next_id(), &id, "Sedang")).await,
        200
    );
    let summary = wa.settle(before).await;
    assert!(
        summary.iter().any(|b| b["text"]["body"]
            .as_str()
            .is_some_and(|t| t.contains("Mohon periksa kembali"))),
        "{summary:?}"
    );
    let done = wa.say("ya").await;
    assert!(
        done.iter().any(|b| b["text"]["body"].as_str().is_some_and(|t| t.contains("Nomor tiket"))),
        "{done:?}"
    );
    assert!(!wa.graph.marked_read().is_empty(), "messages are marked read");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_delivery_twice_is_answered_once() {
    let wa = start().await;
    let body = fake_graph::text_message(PHONE_ID, CITIZEN, "wamid.SAME", "halo");
    assert_eq!(wa.post(&body).await, 200);
    let first = wa.settle(0).await.len();
    assert!(first >= 1);
    assert_eq!(wa.post(&body).await, 200);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(wa.settle(0).await.len(), first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_waited_out() {
    let wa = start().await;
    wa.graph.fail_next(2, Some(CITIZEN), 130429, 429);
    let out = wa.say("halo").await;
    assert!(!out.is_empty(), "sent after the rate limit passed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn news_after_25_hours_goes_out_as_the_template() {
    let wa = start().await;
    // A quick report, then the citizen goes quiet.
    wa.say("darurat").await;
    wa.say("ya").await;
    wa.say("lewati").await;
    wa.say("1").await;
    let done = wa.say("lewati").await;
    let text = done
        .iter()
        .find_map(|b| b["text"]["body"].as_str().filter(|t| t.contains("Nomor tiket")))
        .unwrap()
        .to_string();
    let at = text.find("Nomor tiket: *").unwrap() + 14;
    let no = text[at..at + 9].to_string();
    // 25 hours later (the session's last message moved back in time).
    let chat = pintu::channel::ChatKey::new(pintu::channel::Channel::WhatsApp, CITIZEN);
    let mut session = wa.core.store.load_session(&chat).unwrap().unwrap();
    session.touched = pintu::clock::Timestamp(session.touched.0 - 25 * 3600);
    let batch = pintu::store::Batch { sessions: vec![(chat, Some(session))], ..Default::default() };
    wa.core.store.commit(&batch).unwrap();
    let before = wa.graph.sent_to(CITIZEN).len();
    let no_parsed = pintu::ticket::TicketNo::parse(&no, &[]).unwrap();
    wa.core
        .http
        .desk
        .change(
            no_parsed,
            pintu::ticket::Status::Diproses,
            None,
            pintu::ticket::record::Actor::Officer("t".into()),
            None,
        )
        .await
        .unwrap();
    wa.graph.wait_sent(CITIZEN, before + 1, Duration::from_secs(15)).await;
    let push = wa.graph.sent_to(CITIZEN).last().unwrap().body.clone();
    assert_eq!(push["type"], "template", "{push}");
    assert_eq!(push["template"]["name"], "status_permohonan");
    let params = push["template"]["components"][0]["parameters"].as_array().unwrap();
    assert_eq!(params[0]["text"], no.as_str());
    assert!(params[2]["text"].as_str().unwrap().contains("Diproses"));
}

/// Issue #13: tapping "Ya" under "Apakah ini keadaan darurat…?" starts the emergency report
/// (the tap arrives as option 1, which must not be read as menu item 1, KTP-el), with the kind
/// the citizen already named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tapping_ya_at_the_emergency_question_starts_the_report() {
    let wa = start().await;
    let asked = wa.say("tolong ada kebakaran").await;
    let buttons = asked
        .iter()
        .find(|b| b["interactive"]["type"] == "button")
        .expect("Ya / Tidak as reply buttons");
    let ya = &buttons["interactive"]["action"]["buttons"][0]["reply"];
    assert_eq!(ya["title"], "Ya");
    let id = ya["id"].as_str().unwrap().to_string();
    let before = wa.graph.sent_to(CITIZEN).len();
    assert_eq!(
        wa.post(&fake_graph::button_reply(PHONE_ID, CITIZEN, &wa.next_id(), &id, "Ya")).await,
        200
    );
    let started = wa.settle(before).await;
    let text: Vec<String> = started
        .iter()
        .filter_map(|b| {
            b["text"]["body"]
                .as_str()
                .or(b["interactive"]["body"]["text"].as_str())
                .map(String::from)
        })
        .collect();
    assert!(text.iter().any(|t| t.contains("Kami catat: Kebakaran")), "{started:?}");
    assert!(text.iter().all(|t| !t.contains("KTP-el")), "{started:?}");
    assert!(kinds(&started).contains(&"interactive:location_request_message".to_string()));
}
