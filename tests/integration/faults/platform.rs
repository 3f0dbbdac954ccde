//! The platforms' side of the faults: WhatsApp (the fake Graph API, and webhooks signed and
//! retried as Meta retries them) and Telegram (the fake Bot API, polled by pintu or posting to
//! its webhook and retrying as Telegram does). A [`Citizen`] says things on one of them and
//! reads what pintu sent back.

use super::super::fake_graph::{self, FakeGraph};
use super::super::fake_telegram::FakeTelegram;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

const WA_TOKEN: &str = "EAAfaults";
const WA_PHONE_ID: &str = "106540352242922";
const WA_SECRET: &str = "faults_app_secret";
const TG_TOKEN: &str = "123456:FAULTS-token";
const TG_SECRET: &str = "faults_hook_secret";
/// A platform keeps redelivering an unacknowledged message for days; the tests give up sooner.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(90);

/// How Telegram hands pintu its updates.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TgMode {
    Polling,
    Webhook,
}

/// The two fake platforms one pintu talks to.
pub struct Platforms {
    pub graph: FakeGraph,
    pub telegram: FakeTelegram,
    tg_mode: TgMode,
    http: reqwest::Client,
    /// Webhook mode: Telegram numbers updates per bot, across chats.
    next_update: AtomicI64,
}

impl Platforms {
    pub async fn start(tg_mode: TgMode) -> Arc<Self> {
        Arc::new(Self {
            graph: FakeGraph::start(WA_TOKEN, WA_PHONE_ID).await,
            telegram: FakeTelegram::start(TG_TOKEN).await,
            tg_mode,
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            next_update: AtomicI64::new(700_000_001),
        })
    }

    /// What pintu needs to use both channels against these fakes.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("WHATSAPP_TOKEN", WA_TOKEN.to_owned()),
            ("WHATSAPP_PHONE_NUMBER_ID", WA_PHONE_ID.to_owned()),
            ("WHATSAPP_APP_SECRET", WA_SECRET.to_owned()),
            ("WHATSAPP_VERIFY_TOKEN", "verifikasi".to_owned()),
            ("WHATSAPP_API_URL", self.graph.url()),
            ("TELEGRAM_BOT_TOKEN", TG_TOKEN.to_owned()),
            ("TELEGRAM_API_URL", self.telegram.url()),
            ("TELEGRAM_RATE_LIMIT", "off".to_owned()),
        ];
        if self.tg_mode == TgMode::Webhook {
            env.push(("TELEGRAM_WEBHOOK_URL", "https://pintu.example".to_owned()));
            env.push(("TELEGRAM_WEBHOOK_SECRET", TG_SECRET.to_owned()));
        }
        env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// Waits until neither fake has a connection open: after a kill, until every call the
    /// dead pintu wrote has been recorded, so that none is taken for its successor's.
    pub async fn quiet(&self) {
        const DEADLINE: Duration = Duration::from_secs(10);
        tokio::join!(self.graph.quiet(DEADLINE), self.telegram.quiet(DEADLINE));
    }

    pub fn whatsapp(self: &Arc<Self>, n: u32) -> Citizen {
        Citizen { platforms: self.clone(), who: Who::WhatsApp(format!("62812{n:08}")) }
    }

    pub fn telegram(self: &Arc<Self>, n: u32) -> Citizen {
        Citizen { platforms: self.clone(), who: Who::Telegram(5_000_000 + i64::from(n)) }
    }
}

#[derive(Clone, Debug)]
enum Who {
    /// The phone number.
    WhatsApp(String),
    /// The private chat id (= user id).
    Telegram(i64),
}

/// One citizen on one platform.
#[derive(Clone)]
pub struct Citizen {
    platforms: Arc<Platforms>,
    who: Who,
}

/// A message a citizen sent, kept to be delivered again.
#[derive(Clone)]
pub struct Said {
    pub text: String,
    /// What the platform POSTs to pintu's webhook, byte for byte (empty when pintu polls).
    body: Vec<u8>,
}

/// One message pintu sent to a citizen, as the platform recorded it.
#[derive(Clone, Debug)]
pub struct Received {
    pub text: String,
    pub at: Instant,
}

impl Citizen {
    pub fn name(&self) -> String {
        match &self.who {
            Who::WhatsApp(phone) => format!("WhatsApp {phone}"),
            Who::Telegram(id) => format!("Telegram {id}"),
        }
    }

    /// The chat as pintu's store keys it.
    pub fn chat_key(&self) -> pintu::model::ChatKey {
        use pintu::model::{Channel, ChatKey};
        match &self.who {
            Who::WhatsApp(phone) => ChatKey::new(Channel::WhatsApp, phone.as_str()),
            Who::Telegram(id) => ChatKey::new(Channel::Telegram, id.to_string()),
        }
    }

    /// Writes `text`: the platform delivers it until pintu acknowledges it (on Telegram with
    /// polling, it is queued for pintu's next getUpdates).
    pub async fn say(&self, pintu: SocketAddr, text: &str) -> Said {
        if let (Who::Telegram(id), TgMode::Polling) = (&self.who, self.platforms.tg_mode) {
            // The fake numbers and queues it in one step, as Telegram does: an update numbered
            // before one pintu already confirmed would be dropped.
            self.platforms.telegram.text(*id, text);
            return Said { text: text.to_owned(), body: Vec::new() };
        }
        let said = self.compose(text);
        self.redeliver(pintu, &said).await;
        said
    }

    /// The platform delivers `said` (again), retrying until pintu answers 200, as Meta and
    /// Telegram do with a webhook that failed or timed out.
    pub async fn redeliver(&self, pintu: SocketAddr, said: &Said) {
        let until = Instant::now() + DELIVERY_DEADLINE;
        while !self.deliver_once(pintu, said).await {
            assert!(Instant::now() < until, "{}: {:?} never acknowledged", self.name(), said.text);
            // Meta and Telegram back off for seconds to hours; compressed here.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// One delivery of `said`: true when pintu answered 200.
    pub async fn deliver_once(&self, pintu: SocketAddr, said: &Said) -> bool {
        let (path, header, value) = match (&self.who, self.platforms.tg_mode) {
            (Who::WhatsApp(_), _) => (
                "/whatsapp/webhook",
                "X-Hub-Signature-256",
                fake_graph::sign(WA_SECRET, &said.body),
            ),
            (Who::Telegram(_), TgMode::Webhook) => {
                ("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token", TG_SECRET.to_owned())
            }
            (Who::Telegram(_), TgMode::Polling) => {
                panic!("with polling, Telegram itself delivers unconfirmed updates again")
            }
        };
        let url = format!("http://{pintu}{path}");
        let sent = self
            .platforms
            .http
            .post(&url)
            .header("content-type", "application/json")
            .header(header, &value)
            .body(said.body.clone())
            .send()
            .await;
        match sent {
            Ok(r) if r.status() == 200 => true,
            // 401 would be a bug in this test, not a fault to ride out.
            Ok(r) if r.status() == 401 => panic!("{}: pintu refused the signature", self.name()),
            _ => false,
        }
    }

    /// Delivers `said` on a raw connection and hangs up `after` it is written, without reading
    /// the answer: a platform whose request timed out, or a proxy that cut it.
    pub async fn deliver_and_hang_up(&self, pintu: SocketAddr, said: &Said, after: Duration) {
        let (path, header, value) = match &self.who {
            Who::WhatsApp(_) => (
                "/whatsapp/webhook",
                "X-Hub-Signature-256",
                fake_graph::sign(WA_SECRET, &said.body),
            ),
            Who::Telegram(_) => {
                ("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token", TG_SECRET.to_owned())
            }
        };
        let Ok(mut stream) = tokio::net::TcpStream::connect(pintu).await else { return };
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {pintu}\r\nContent-Type: application/json\r\n\
             {header}: {value}\r\nContent-Length: {}\r\n\r\n",
            said.body.len()
        );
        if stream.write_all(head.as_bytes()).await.is_err()
            || stream.write_all(&said.body).await.is_err()
        {
            return;
        }
        tokio::time::sleep(after).await;
        drop(stream);
    }

    /// Everything pintu sent this citizen, in the order the platform accepted it.
    pub fn received(&self) -> Vec<Received> {
        match &self.who {
            Who::WhatsApp(phone) => self
                .platforms
                .graph
                .sent_to(phone)
                .into_iter()
                .map(|s| Received { text: whatsapp_text(&s.body), at: s.at })
                .collect(),
            Who::Telegram(id) => self
                .platforms
                .telegram
                .sent_to(*id)
                .into_iter()
                .map(|s| Received { text: s.text, at: s.at })
                .collect(),
        }
    }

    /// Each attempt pintu made to send this citizen something, with the platform's answer: what
    /// a failed check shows to tell a lost reply from a late one.
    pub fn attempts(&self) -> Vec<String> {
        match &self.who {
            Who::WhatsApp(phone) => self
                .platforms
                .graph
                .answered()
                .into_iter()
                .filter(|(r, _)| r.body["to"] == phone.as_str())
                .map(|(r, status)| format!("{status} {}", short(&whatsapp_text(&r.body))))
                .collect(),
            Who::Telegram(id) => self
                .platforms
                .telegram
                .calls()
                .into_iter()
                .filter(|c| c.method == "sendmessage")
                .filter(|c| c.body["chat_id"].to_string().trim_matches('"') == id.to_string())
                .map(|c| short(c.body["text"].as_str().unwrap_or_default()))
                .collect(),
        }
    }

    /// Says each `(text, marker)` and waits until a message containing `marker` arrives in
    /// answer, like a citizen reading before typing on.
    pub async fn walk(&self, pintu: SocketAddr, script: &[(&str, &str)]) {
        for (text, marker) in script {
            let before = self.received().len();
            self.say(pintu, text).await;
            self.walk_wait(before, marker).await;
        }
    }

    /// Waits until a message containing `marker` arrives after the first `before` ones.
    pub async fn walk_wait(&self, before: usize, marker: &str) {
        let until = Instant::now() + Duration::from_secs(30);
        while !self.received()[before..].iter().any(|r| r.text.contains(marker)) {
            assert!(
                Instant::now() < until,
                "{}: no answer with {marker:?}; got {:#?}",
                self.name(),
                &self.received()[before..]
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Sends a photo (a JPEG the fake Graph API serves for download); WhatsApp only.
    pub async fn send_photo(&self, pintu: SocketAddr) -> Said {
        let Who::WhatsApp(phone) = &self.who else { panic!("photos are sent on WhatsApp here") };
        let media_id = format!("media{}", random_hex());
        let jpeg = [&[0xff, 0xd8, 0xff, 0xe0][..], &[7; 2000]].concat();
        self.platforms.graph.add_media(&media_id, "image/jpeg", jpeg);
        let body = fake_graph::image_message(WA_PHONE_ID, phone, &wamid(), &media_id, "image/jpeg");
        let said = Said { text: "(foto)".to_owned(), body: fake_graph::meta_bytes(&body) };
        self.redeliver(pintu, &said).await;
        said
    }

    /// The platform's form of a new message, not delivered yet.
    pub fn compose(&self, text: &str) -> Said {
        match &self.who {
            Who::WhatsApp(phone) => {
                let body = fake_graph::text_message(WA_PHONE_ID, phone, &wamid(), text);
                let body = fake_graph::meta_bytes(&body);
                Said { text: text.to_owned(), body }
            }
            Who::Telegram(id) => {
                let update_id = self.platforms.next_update.fetch_add(1, Ordering::SeqCst);
                let update = json!({
                    "update_id": update_id,
                    "message": {
                        "message_id": update_id,
                        "date": 1_790_000_000,
                        "from": { "id": id, "is_bot": false, "first_name": "Warga" },
                        "chat": { "id": id, "type": "private", "first_name": "Warga" },
                        "text": text,
                    },
                });
                let body = serde_json::to_vec(&update).expect("json");
                Said { text: text.to_owned(), body }
            }
        }
    }
}

/// The first line of a message, cut to 60 characters.
fn short(text: &str) -> String {
    text.lines().next().unwrap_or_default().chars().take(60).collect()
}

fn random_hex() -> String {
    let mut id = [0u8; 8];
    getrandom::fill(&mut id).expect("randomness");
    hex::encode(id)
}

/// A new WhatsApp message id.
fn wamid() -> String {
    format!("wamid.{}", random_hex())
}

/// What a citizen reads in a Graph send: the text, or an interactive message's body with its
/// kind (buttons, list, location request), or a template's parameters.
fn whatsapp_text(body: &Value) -> String {
    match body["type"].as_str() {
        Some("interactive") => format!(
            "[{}] {}",
            body["interactive"]["type"].as_str().unwrap_or_default(),
            body["interactive"]["body"]["text"].as_str().unwrap_or_default()
        ),
        Some("template") => format!("[template] {}", body["template"]),
        _ => body["text"]["body"].as_str().unwrap_or_default().to_owned(),
    }
}
