//! The WhatsApp channel against the fake Graph API on loopback, with webhook bodies signed the
//! way Meta signs them: dialogs with buttons and lists, a photo, a location, duplicate and
//! forged deliveries, rate limits, and news after 25 hours as a template.

use super::fake_graph::{self, FakeGraph};
use super::support::repo;
use pintu::app::{Core, start_core};
use pintu::clock::{Clock, ManualClock, SystemClock};
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
    addr: std::net::SocketAddr,
    server: tokio::task::JoinHandle<()>,
    http: reqwest::Client,
    dir: tempfile::TempDir,
}

/// Message ids stay unique across restarts (a reused one would be a redelivery).
static NEXT_WAMID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

async fn start() -> Wa {
    let graph = FakeGraph::start(TOKEN, PHONE_ID).await;
    start_with(graph, super::support::private_tempdir(), true, Arc::new(SystemClock)).await
}

/// pintu's WhatsApp channel on `dir` (kept across a restart), with or without the template.
async fn start_with(
    graph: FakeGraph,
    dir: tempfile::TempDir,
    template: bool,
    clock: Arc<dyn Clock>,
) -> Wa {
    let mut env: HashMap<String, String> = [
        ("PINTU_DATA_DIR", dir.path().display().to_string()),
        ("PINTU_DIALOGS_DIR", repo().join("dialogs").display().to_string()),
        ("PINTU_LOCALES_DIR", repo().join("locales").display().to_string()),
        ("WHATSAPP_TOKEN", TOKEN.to_string()),
        ("WHATSAPP_PHONE_NUMBER_ID", PHONE_ID.to_string()),
        ("WHATSAPP_APP_SECRET", SECRET.to_string()),
        ("WHATSAPP_VERIFY_TOKEN", "verifikasi".to_string()),
        ("WHATSAPP_API_URL", graph.url()),
        ("PINTU_TARGET_DISKOMINFO_URL", "http://127.0.0.1:9/unused".to_string()),
        ("PINTU_TARGET_DISKOMINFO_SECRET", "x".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if template {
        env.insert("WHATSAPP_TEMPLATE".into(), "status_permohonan:id".into());
    }
    let config = Config::load_with(None, &env).unwrap();
    let core = start_core(&config, clock).unwrap();
    let wa = config.whatsapp.clone().unwrap();
    let app = pintu::channel::whatsapp::start(&core.wiring(), &config, &wa).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    Wa { graph, core, url: format!("http://{addr}/whatsapp/webhook"), addr, server, http, dir }
}

impl Wa {
    fn next_id(&self) -> String {
        format!("wamid.TEST{}", NEXT_WAMID.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
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

    /// POSTs a signed body and hangs up at once, without reading the answer.
    async fn post_and_hang_up(&self, body: &serde_json::Value) {
        use tokio::io::AsyncWriteExt;
        let bytes = serde_json::to_vec(body).unwrap();
        let head = format!(
            "POST /whatsapp/webhook HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
             x-hub-signature-256: {}\r\ncontent-length: {}\r\n\r\n",
            self.addr,
            fake_graph::sign(SECRET, &bytes),
            bytes.len()
        );
        let mut conn = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        conn.write_all(&[head.as_bytes(), &bytes].concat()).await.unwrap();
    }

    /// Stops this pintu the way a restart would (the store closed), keeping the fake and the
    /// data folder.
    async fn stop(self) -> (FakeGraph, tempfile::TempDir) {
        self.server.abort();
        let _ = self.server.await;
        drop(self.core);
        (self.graph, self.dir)
    }

    async fn settle(&self, before: usize) -> Vec<serde_json::Value> {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !self.core.store.pending_replies(pintu::model::Channel::WhatsApp).unwrap().is_empty()
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
    // Over 4 MB (Meta's bodies reach 3): refused before the signature is even computed.
    let huge = vec![b' '; (4 << 20) + 1];
    assert_eq!(wa.post_raw(&huge, Some(&fake_graph::sign(SECRET, &huge))).await, 413);
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
    // Every message was answered at once: the replies show it was seen, so no mark-as-read
    // call (one request less per message).
    assert!(wa.graph.marked_read().is_empty(), "{:?}", wa.graph.marked_read());
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
    // The duplicate got no reply of its own: it is marked read instead.
    assert_eq!(wa.graph.marked_read(), ["wamid.SAME"]);
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
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let graph = FakeGraph::start(TOKEN, PHONE_ID).await;
    let wa = start_with(graph, super::support::private_tempdir(), true, clock.clone()).await;
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
    clock.advance(25 * 3600);
    let before = wa.graph.sent_to(CITIZEN).len();
    let no_parsed = pintu::model::TicketNo::parse(&no, &[]).unwrap();
    wa.core
        .http
        .desk
        .change(
            no_parsed,
            pintu::model::Status::Diproses,
            None,
            pintu::model::ticket::Actor::Officer("t".into()),
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

/// Issue #14 D2: Meta's call hangs up right after posting (a timeout on its side), then Meta
/// delivers again. Every citizen still gets each reply exactly once, at once, no restart needed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_that_hang_up_then_redeliver_get_each_reply_once() {
    let wa = start().await;
    let per_halo = wa.say("halo").await.len();
    assert!(per_halo >= 1);
    let citizens: Vec<String> = (0..40).map(|i| format!("62812000000{i:02}")).collect();
    let bodies: Vec<serde_json::Value> = citizens
        .iter()
        .map(|c| fake_graph::text_message(PHONE_ID, c, &format!("wamid.HUP{c}"), "halo"))
        .collect();
    for body in &bodies {
        wa.post_and_hang_up(body).await;
    }
    // Some were committed before the hang-up was noticed, some not: either way the redelivery
    // leaves each citizen answered.
    for body in &bodies {
        assert_eq!(wa.post(body).await, 200, "a redelivery is acknowledged");
    }
    let answered = |g: &FakeGraph| citizens.iter().all(|c| g.sent_to(c).len() >= per_halo);
    wa.graph.wait_until(Duration::from_secs(15), answered).await;
    // A new message per citizen: its answer is queued behind anything the redelivery caused.
    for c in &citizens {
        let body = fake_graph::text_message(PHONE_ID, c, &wa.next_id(), "status");
        assert_eq!(wa.post(&body).await, 200);
    }
    let both = |g: &FakeGraph| citizens.iter().all(|c| g.sent_to(c).len() > per_halo);
    wa.graph.wait_until(Duration::from_secs(15), both).await;
    wa.settle(0).await;
    for c in &citizens {
        let texts: Vec<String> = wa.graph.sent_to(c).iter().map(|m| m.body.to_string()).collect();
        assert_eq!(texts.len(), per_halo + 1, "{c}: each reply once\n{texts:#?}");
    }
}

/// Delivers `body` again and checks nothing answers it: the next message's single reply is
/// all that arrives (it queues behind anything the redelivery caused).
async fn not_answered_again(wa: &Wa, body: &serde_json::Value) {
    let before = wa.graph.sent_to(CITIZEN).len();
    assert_eq!(wa.post(body).await, 200);
    let status = wa.say("status").await;
    assert_eq!(status.len(), 1, "only the status answer: {status:#?}");
    assert_eq!(wa.graph.sent_to(CITIZEN).len(), before + 1);
}

/// Issue #14 D3: a wamid Meta delivers again after 20 newer messages, after `hapus data saya`
/// and after a restart is not answered again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_wamids_are_not_answered_again() {
    let wa = start().await;
    let first = fake_graph::text_message(PHONE_ID, CITIZEN, "wamid.OLD", "halo");
    assert_eq!(wa.post(&first).await, 200);
    wa.settle(0).await;
    for _ in 0..20 {
        assert!(!wa.say("halo").await.is_empty());
    }
    not_answered_again(&wa, &first).await;
    let erase = fake_graph::text_message(PHONE_ID, CITIZEN, "wamid.ERASE", "hapus data saya");
    assert_eq!(wa.post(&erase).await, 200);
    wa.settle(0).await;
    let yes = fake_graph::text_message(PHONE_ID, CITIZEN, "wamid.YES", "ya");
    assert_eq!(wa.post(&yes).await, 200);
    wa.settle(0).await;
    // A new session, with its privacy notice, so the checks below count one reply.
    assert!(wa.say("status").await.len() > 1);
    for body in [&first, &erase, &yes] {
        not_answered_again(&wa, body).await;
    }
    let (graph, dir) = wa.stop().await;
    let wa = start_with(graph, dir, true, Arc::new(SystemClock)).await;
    for body in [&first, &erase, &yes] {
        not_answered_again(&wa, body).await;
    }
}

/// Issue #14 D4: the erasure's confirmation is an ordinary text (the citizen just wrote, so the
/// 24-hour window is open, though the session it used to be read from is gone), with and
/// without a template configured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_erasure_confirmation_arrives_as_text() {
    for template in [true, false] {
        let graph = FakeGraph::start(TOKEN, PHONE_ID).await;
        let dir = super::support::private_tempdir();
        let wa = start_with(graph, dir, template, Arc::new(SystemClock)).await;
        wa.say("halo").await;
        wa.say("hapus data saya").await;
        let done = wa.say("ya").await;
        assert_eq!(done.len(), 1, "{done:#?}");
        assert_eq!(done[0]["type"], "text", "template {template}: {:#}", done[0]);
        let body = done[0]["text"]["body"].as_str().unwrap();
        assert!(body.contains("sudah dihapus"), "{body}");
    }
}
