//! The e2e bench's baselines (issue #15): bots that speak the same protocols as pintu against
//! the same fakes, keep every chat's state in memory and write nothing to disk.
//!
//! * [`hand_written`]: the ceiling. Telegram: one `getUpdates` loop, each update's replies
//!   posted as `sendMessage` in a task of their own. WhatsApp: an axum webhook that checks the
//!   signature, reads the body into borrowed structs, answers 200 and posts the replies to the
//!   Graph API. Chat state: a `HashMap` behind a mutex.
//! * [`teloxide_in_memory`]: a teloxide `Dispatcher` with its `InMemStorage` dialogue
//!   (Telegram only; teloxide has no WhatsApp).
//!
//! Both run the Aktivasi IKD form as a small state machine ([`Chat::answer`]): the NIK must be
//! 16 digits (else asked again), the e-mail must hold an `@`, the choice must be `1`, the summary
//! must be confirmed with `ya`. Their texts are pintu's, recorded by the bench's calibration
//! and handed over in the file `$E2E_EXPECT`, so the harness checks them exactly as it checks
//! pintu (exact texts, number of messages per step, unique ticket numbers). The bench binary
//! starts itself as the bot (`E2E_BOT=hand|teloxide`), pinned to pintu's core.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The calibrated replies: `first[step]` for a chat's first dialog, `later[step]` after it;
/// ticket numbers appear as `<T>`.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default)]
pub struct Script {
    pub first: Vec<Vec<String>>,
    pub later: Vec<Vec<String>>,
}

/// Where a chat is in the form, and how many forms it finished.
#[derive(Clone, Default)]
pub struct Chat {
    at: usize,
    dialogs: u32,
}

static TICKETS: AtomicU64 = AtomicU64::new(0);

impl Chat {
    /// The replies to `text`, moving the chat on. A refused answer gets the question again.
    pub fn answer(&mut self, script: &Script, text: &str) -> Vec<String> {
        let text = text.trim();
        let nik = text.len() == 16 && text.bytes().all(|b| b.is_ascii_digit());
        let accepted = match self.at {
            0 => text.eq_ignore_ascii_case("ikd"),
            1 => nik,
            2 => !text.is_empty(),
            3 => text.contains('@'),
            4 => text.eq_ignore_ascii_case("lewati") || text.bytes().all(|b| b.is_ascii_digit()),
            5 => text == "1",
            6 => !text.is_empty(),
            _ => text.eq_ignore_ascii_case("ya"),
        };
        let steps = if self.dialogs == 0 { &script.first } else { &script.later };
        if !accepted {
            // The question again (the bench sends nothing but the dialog at the menu).
            // Prompt `at` was asked by the dialog's step `at` (step 1 is the refused NIK itself).
            if self.at == 0 {
                return Vec::new();
            }
            return steps[self.at].last().cloned().into_iter().collect();
        }
        // Prompt `at` is answered by the dialog's step `at` (0) or `at + 1` (after the NIK).
        let step = if self.at == 0 { 0 } else { self.at + 1 };
        let replies = steps[step].clone();
        self.at += 1;
        if step + 1 == steps.len() {
            *self = Chat { at: 0, dialogs: self.dialogs + 1 };
            let n = TICKETS.fetch_add(1, Ordering::Relaxed);
            let no = format!("B{:04}-{:04}", n / 10_000, n % 10_000);
            return replies.into_iter().map(|r| r.replace("<T>", &no)).collect();
        }
        replies
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("baseline bot: {name} not set"))
}

/// Runs the bot named by `E2E_BOT` until it is killed.
pub fn run(kind: &str) {
    let script: Script = serde_json::from_slice(&std::fs::read(env("E2E_EXPECT")).expect("read"))
        .expect("E2E_EXPECT");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let script = Arc::new(script);
        let whatsapp = std::env::var_os("WHATSAPP_TOKEN").is_some();
        match (kind, whatsapp) {
            ("hand", false) => hand_written::telegram(script).await,
            ("hand", true) => hand_written::whatsapp(script).await,
            ("teloxide", false) => teloxide_in_memory::telegram(script).await,
            _ => panic!("no baseline bot {kind:?} for this channel"),
        }
    });
}

/// The harness waits for `GET /healthz` on `PINTU_HTTP_ADDR`: the Telegram bots answer it too.
async fn health(router: axum::Router) {
    let l = tokio::net::TcpListener::bind(env("PINTU_HTTP_ADDR")).await.expect("bind");
    let router = router.route("/healthz", axum::routing::get(|| async { "ok" }));
    axum::serve(l, router).await.expect("serve");
}

pub mod hand_written {
    use super::*;
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode};
    use hmac::{Hmac, Mac};
    use serde::Deserialize;
    use sha2::Sha256;
    use std::borrow::Cow;

    type Chats<K> = Arc<Mutex<HashMap<K, Chat>>>;

    #[derive(Deserialize)]
    struct Updates {
        result: Vec<Update>,
    }
    #[derive(Deserialize)]
    struct Update {
        update_id: i64,
        message: Option<Message>,
    }
    #[derive(Deserialize)]
    struct Message {
        chat: ChatId,
        text: Option<String>,
    }
    #[derive(Deserialize)]
    struct ChatId {
        id: i64,
    }

    pub async fn telegram(script: Arc<Script>) {
        tokio::spawn(health(axum::Router::new()));
        let api = format!("{}/bot{}", env("TELEGRAM_API_URL"), env("TELEGRAM_BOT_TOKEN"));
        let send_url: Arc<str> = format!("{api}/sendMessage").into();
        let client = reqwest::Client::builder().no_proxy().build().expect("client");
        let chats: Chats<i64> = Arc::default();
        let mut offset = 0;
        loop {
            let body = format!(r#"{{"offset":{offset},"timeout":10,"limit":100}}"#);
            let got = client
                .post(format!("{api}/getUpdates"))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await;
            let Ok(Ok(updates)) = (match got {
                Ok(r) => Ok(r.json::<Updates>().await),
                Err(e) => Err(e),
            }) else {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            };
            for u in updates.result {
                offset = offset.max(u.update_id + 1);
                let Some(Message { chat, text: Some(text) }) = u.message else { continue };
                let replies =
                    chats.lock().expect("chats").entry(chat.id).or_default().answer(&script, &text);
                let (client, url) = (client.clone(), send_url.clone());
                tokio::spawn(async move {
                    for text in replies {
                        let body = serde_json::json!({ "chat_id": chat.id, "text": text });
                        let _ = client.post(&*url).json(&body).send().await;
                    }
                });
            }
        }
    }

    #[derive(Deserialize)]
    struct Hook<'a> {
        #[serde(borrow)]
        entry: Vec<Entry<'a>>,
    }
    #[derive(Deserialize)]
    struct Entry<'a> {
        #[serde(borrow)]
        changes: Vec<Change<'a>>,
    }
    #[derive(Deserialize)]
    struct Change<'a> {
        #[serde(borrow)]
        value: Value<'a>,
    }
    #[derive(Deserialize)]
    struct Value<'a> {
        #[serde(borrow, default)]
        messages: Vec<WaMessage<'a>>,
    }
    #[derive(Deserialize)]
    struct WaMessage<'a> {
        from: &'a str,
        #[serde(borrow)]
        text: Option<WaText<'a>>,
    }
    #[derive(Deserialize)]
    struct WaText<'a> {
        #[serde(borrow)]
        body: Cow<'a, str>,
    }

    struct Wa {
        script: Arc<Script>,
        chats: Chats<String>,
        client: reqwest::Client,
        url: String,
        auth: String,
        secret: String,
    }

    pub async fn whatsapp(script: Arc<Script>) {
        let wa = Arc::new(Wa {
            script,
            chats: Arc::default(),
            client: reqwest::Client::builder().no_proxy().build().expect("client"),
            url: format!(
                "{}/v21.0/{}/messages",
                env("WHATSAPP_API_URL"),
                env("WHATSAPP_PHONE_NUMBER_ID")
            ),
            auth: format!("Bearer {}", env("WHATSAPP_TOKEN")),
            secret: env("WHATSAPP_APP_SECRET"),
        });
        let router = axum::Router::new()
            .route("/whatsapp/webhook", axum::routing::post(webhook))
            .with_state(wa);
        health(router).await;
    }

    async fn webhook(State(wa): State<Arc<Wa>>, headers: HeaderMap, body: Bytes) -> StatusCode {
        let sig = headers
            .get("x-hub-signature-256")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("sha256="))
            .and_then(|v| hex::decode(v).ok());
        let mut mac = Hmac::<Sha256>::new_from_slice(wa.secret.as_bytes()).expect("hmac key");
        mac.update(&body);
        if sig.is_none_or(|s| mac.verify_slice(&s).is_err()) {
            return StatusCode::UNAUTHORIZED;
        }
        let Ok(hook) = serde_json::from_slice::<Hook>(&body) else {
            return StatusCode::BAD_REQUEST;
        };
        for m in hook.entry.iter().flat_map(|e| &e.changes).flat_map(|c| &c.value.messages) {
            let Some(text) = &m.text else { continue };
            let replies = wa
                .chats
                .lock()
                .expect("chats")
                .entry(m.from.to_string())
                .or_default()
                .answer(&wa.script, &text.body);
            let (wa, to) = (wa.clone(), m.from.to_string());
            tokio::spawn(async move {
                for text in replies {
                    let body = serde_json::json!({
                        "messaging_product": "whatsapp",
                        "to": to,
                        "type": "text",
                        "text": { "body": text },
                    });
                    let _ = wa
                        .client
                        .post(&wa.url)
                        .header("authorization", &wa.auth)
                        .json(&body)
                        .send()
                        .await;
                }
            });
        }
        StatusCode::OK
    }
}

pub mod teloxide_in_memory {
    use super::*;
    use teloxide::dispatching::dialogue::InMemStorage;
    use teloxide::prelude::*;

    type Dialogue = teloxide::dispatching::dialogue::Dialogue<Chat, InMemStorage<Chat>>;

    pub async fn telegram(script: Arc<Script>) {
        tokio::spawn(health(axum::Router::new()));
        let url = env("TELEGRAM_API_URL").parse().expect("TELEGRAM_API_URL");
        let client = teloxide::net::default_reqwest_settings().no_proxy().build().expect("client");
        let bot = Bot::with_client(env("TELEGRAM_BOT_TOKEN"), client).set_api_url(url);
        let handler = Update::filter_message()
            .enter_dialogue::<Message, InMemStorage<Chat>, Chat>()
            .endpoint(answer);
        Dispatcher::builder(bot, handler)
            .dependencies(dptree::deps![InMemStorage::<Chat>::new(), script])
            .build()
            .dispatch()
            .await;
    }

    async fn answer(
        bot: Bot,
        dialogue: Dialogue,
        msg: Message,
        script: Arc<Script>,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let Some(text) = msg.text() else { return Ok(()) };
        let mut chat = dialogue.get_or_default().await?;
        let replies = chat.answer(&script, text);
        dialogue.update(chat).await?;
        for reply in replies {
            bot.send_message(msg.chat.id, reply).await?;
        }
        Ok(())
    }
}
