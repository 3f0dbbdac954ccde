//! Sending to Telegram (ordering per chat is `channel::ordered`). Messages are paced to
//! Telegram's limits (one a second per chat, three seconds apart in groups, 30 a second
//! overall) and every `retry_after` is waited out; network errors are retried with backoff; a
//! chat that blocked the bot is given up. A reply is marked sent only after Telegram took it,
//! so a crash resends instead of losing it.
//!
//! `sendMessage` is pintu's hottest call, so it does not go through teloxide's generic request
//! path, which parses the request URL every time and the whole `Message` Telegram echoes back
//! (an untagged enum, buffered and tried variant by variant), nor through reqwest's layers
//! (`net::Endpoint`). Only `ok`, `description` and `parameters` are read here; errors still
//! become teloxide's `RequestError`s, so the handling below is the same.

use super::{api, map};
use crate::channel::ChatKey;
use crate::channel::ordered::{Deliver, Ordered, Sent};
use crate::convo::Convo;
use crate::fast_hash::{HashMap, HashSet};
use crate::model::reply::{Hint, Msg, Outgoing};
use crate::net::{Endpoint, Outbound, Timeouts};
use crate::script::catalogue::Catalogue;
use crate::tasks::Tasks;
use axum::http::{HeaderMap, HeaderValue, header};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use teloxide::prelude::*;
use teloxide::types::{ReplyMarkup, ResponseParameters};
use teloxide::{ApiError, RequestError};
use tokio::sync::watch;
use tokio::time::Instant;

/// The Bot API's `sendMessage`, and nothing else.
struct SendMessage {
    /// Its URL holds the token (see [`api::method_url`]); `Endpoint`'s errors never show it.
    endpoint: Endpoint,
    headers: HeaderMap,
}

#[derive(serde::Serialize)]
struct Payload<'a> {
    chat_id: i64,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_markup: Option<&'a ReplyMarkup>,
}

/// Telegram's answer, without the echoed message.
#[derive(serde::Deserialize)]
struct Answer {
    ok: bool,
    error_code: Option<u16>,
    description: Option<ApiError>,
    parameters: Option<ResponseParameters>,
}

impl Answer {
    fn into_result(self) -> Result<(), RequestError> {
        if self.ok {
            Ok(())
        } else {
            Err(api::error(self.error_code, self.parameters, self.description))
        }
    }
}

impl SendMessage {
    fn new(bot: &Bot, outbound: &Outbound) -> anyhow::Result<Self> {
        // teloxide's client settings (`default_reqwest_settings`).
        let timeouts = Timeouts { connect: Duration::from_secs(5), total: Duration::from_secs(17) };
        let endpoint = outbound.endpoint(api::method_url(bot, "SendMessage").as_str(), timeouts)?;
        let json = HeaderValue::from_static("application/json");
        Ok(Self { endpoint, headers: HeaderMap::from_iter([(header::CONTENT_TYPE, json)]) })
    }

    async fn send(
        &self,
        chat_id: i64,
        text: &str,
        reply_markup: Option<&ReplyMarkup>,
    ) -> Result<(), RequestError> {
        // Sized for the text and the rest: growing from serde_json's 128 bytes reallocated.
        let mut body = Vec::with_capacity(text.len() + 256);
        serde_json::to_writer(&mut body, &Payload { chat_id, text, reply_markup })
            .map_err(|e| RequestError::InvalidJson { source: Arc::new(e), raw: "".into() })?;
        let raw = match self.endpoint.post(&self.headers, body.into()).await {
            Ok(answer) => answer.body,
            // Retried with backoff, like teloxide's network errors.
            Err(e) => return Err(RequestError::Io(Arc::new(std::io::Error::other(e)))),
        };
        read_answer(&raw)
    }
}

/// What Telegram answered to a message sent. Its success starts so, and the echoed message
/// after it is not needed: reading it cost a parse per reply (#15). Anything else is read
/// whole.
fn read_answer(raw: &[u8]) -> Result<(), RequestError> {
    if raw.starts_with(br#"{"ok":true,"#) {
        return Ok(());
    }
    let answer: Answer = serde_json::from_slice(raw).map_err(|e| api::invalid(e, raw))?;
    answer.into_result()
}

/// Spaces messages out to Telegram's limits: every message takes the next free slot 1/30 s
/// after the previous one, and a chat's next message waits a second (three in a group) after
/// its last.
struct Pace {
    global: Duration,
    next_global: Mutex<Instant>,
    last_per_chat: Mutex<HashMap<i64, Instant>>,
}

impl Pace {
    fn telegram() -> Self {
        Self {
            global: Duration::from_millis(34),
            next_global: Mutex::new(Instant::now()),
            last_per_chat: Mutex::default(),
        }
    }

    /// Waits until this chat may be sent its next message.
    async fn wait(&self, chat_id: i64) {
        let now = Instant::now();
        let per_chat = Duration::from_secs(if chat_id < 0 { 3 } else { 1 });
        let chat_slot = self.last_per_chat.lock().map_or(now, |mut last| {
            if last.len() > 50_000 {
                // Chats quiet for longer than the largest gap need no entry.
                last.retain(|_, t| now.saturating_duration_since(*t) < Duration::from_secs(3));
            }
            last.get(&chat_id).map_or(now, |t| (*t + per_chat).max(now))
        });
        let slot = self.next_global.lock().map_or(chat_slot, |mut next| {
            let slot = (*next).max(chat_slot);
            *next = slot + self.global;
            slot
        });
        if let Ok(mut last) = self.last_per_chat.lock() {
            last.insert(chat_id, slot);
        }
        tokio::time::sleep_until(slot).await;
    }
}

/// Telegram's side of ordered delivery.
pub(crate) struct TelegramOut {
    api: SendMessage,
    /// Telegram's limits; `None` against a fake server (benchmarks, tests).
    pace: Option<Pace>,
    catalogue: watch::Receiver<Arc<Catalogue>>,
    /// Chats currently showing a one-tap reply keyboard (to remove it afterwards).
    keyboards: Mutex<HashSet<ChatKey>>,
    tasks: Tasks,
}

pub(crate) type Sender = Ordered<TelegramOut>;

pub(crate) fn start(
    bot: &Bot,
    outbound: &Outbound,
    convo: Convo,
    catalogue: watch::Receiver<Arc<Catalogue>>,
    throttle: bool,
    tasks: Tasks,
) -> anyhow::Result<Sender> {
    let out = TelegramOut {
        api: SendMessage::new(bot, outbound)?,
        pace: throttle.then(Pace::telegram),
        catalogue,
        keyboards: Mutex::default(),
        tasks: tasks.clone(),
    };
    Ok(Ordered::new(out, convo, tasks))
}

impl Deliver for TelegramOut {
    fn deliver(
        &self,
        chat: &ChatKey,
        out: &Outgoing,
    ) -> impl std::future::Future<Output = Sent> + Send {
        self.send(chat, out)
    }
}

impl TelegramOut {
    /// Renders and sends one reply (possibly several messages).
    async fn send(&self, chat: &ChatKey, out: &Outgoing) -> Sent {
        let Ok(mut chat_id) = chat.id.parse::<i64>() else {
            return Sent::Never("bad chat id".into());
        };
        let (text, choices, label) = {
            let cat = self.catalogue.borrow();
            let l = &cat.locales;
            let label = match out.reply.hint {
                Hint::Location => l.text(out.lang, &Msg::new("button-location")),
                Hint::Contact => l.text(out.lang, &Msg::new("button-contact")),
                _ => String::new(),
            };
            (l.render(out.lang, &out.reply), l.choice_labels(out.lang, &out.reply), label)
        };
        let open = self.keyboards.lock().is_ok_and(|k| k.contains(chat));
        // Request keyboards only work in private chats (positive ids).
        let hint = if chat_id > 0 { out.reply.hint } else { Hint::None };
        let (parts, open_after) = map::plan(&text, &choices, hint, &label, open);
        if let Ok(mut k) = self.keyboards.lock() {
            if open_after {
                k.insert(chat.clone());
            } else {
                k.remove(chat);
            }
        }
        for part in parts {
            let mut failures = 0u32;
            loop {
                if let Some(pace) = &self.pace {
                    pace.wait(chat_id).await;
                }
                match self.api.send(chat_id, &part.text, part.markup.as_ref()).await {
                    Ok(()) => break,
                    Err(RequestError::RetryAfter(s)) => tokio::time::sleep(s.duration()).await,
                    Err(RequestError::MigrateToChatId(new)) => {
                        tracing::warn!(
                            "a Telegram group became a supergroup; sending to its new id"
                        );
                        chat_id = new.0;
                    }
                    Err(RequestError::Api(e)) if unreachable(&e) => {
                        tracing::info!(chat = %crate::telemetry::chat_tag(chat), "Telegram chat unreachable (blocked or gone)");
                        return Sent::Never("chat unreachable".into());
                    }
                    Err(RequestError::Api(ApiError::MessageNotModified)) => break,
                    Err(RequestError::Api(e)) => {
                        tracing::error!(error = %e, "Telegram refused a message; dropped");
                        return Sent::Never(format!("refused: {e}"));
                    }
                    Err(e) => {
                        failures += 1;
                        tracing::warn!(error = %e, failures, "Telegram send failed");
                        if failures >= 8 || self.tasks.stopping().is_cancelled() {
                            // Still pending in the store: sent again after a restart.
                            return Sent::Later;
                        }
                        tokio::time::sleep(Duration::from_millis(200 << failures.min(7))).await;
                    }
                }
            }
        }
        Sent::Yes
    }
}

/// Errors meaning the chat cannot be written to any more (teloxide's strings lag the API, so
/// an unknown "Forbidden" counts too).
fn unreachable(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::ChatNotFound
            | ApiError::CantInitiateConversation
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
    ) || matches!(e, ApiError::Unknown(d) if d.starts_with("Forbidden"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn messages_are_spaced_per_chat_and_overall() {
        let pace = Pace::telegram();
        let start = Instant::now();
        let mut at = Vec::new();
        for chat in [1, 2, 1, -100, -100] {
            pace.wait(chat).await;
            at.push(start.elapsed().as_millis());
        }
        assert_eq!(at[0], 0);
        assert_eq!(at[1], 34, "another chat: the next global slot");
        assert_eq!(at[2], 1000, "the same private chat: a second after its last");
        assert_eq!(at[3], 1034, "a group: the next global slot after that");
        assert_eq!(at[4], 4034, "the same group: three seconds later");
    }

    #[test]
    fn answers_become_teloxide_errors() {
        let parse = |s: &str| read_answer(s.as_bytes());
        assert!(parse(r#"{"ok":true,"result":{"message_id":5,"chat":{"id":1}}}"#).is_ok());
        // Another order or spacing is read whole.
        assert!(parse(r#"{ "result": {"message_id": 5}, "ok": true }"#).is_ok());
        assert!(parse(r#"{"ok":true}"#).is_ok());
        let flood = r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#;
        assert!(matches!(parse(flood), Err(RequestError::RetryAfter(s)) if s.seconds() == 7));
        let moved = r#"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001}}"#;
        assert!(matches!(parse(moved), Err(RequestError::MigrateToChatId(c)) if c.0 == -1001));
        let blocked = r#"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#;
        assert!(matches!(parse(blocked), Err(RequestError::Api(ApiError::BotBlocked))));
        // Telegram down is not a refusal: retried like a network error, never dropped.
        let down = r#"{"ok":false,"error_code":500,"description":"Internal Server Error"}"#;
        assert!(matches!(parse(down), Err(RequestError::Io(_))));
        let gateway = r#"{"ok":false,"error_code":502,"description":"Bad Gateway"}"#;
        assert!(matches!(parse(gateway), Err(RequestError::Io(_))));
        let refused =
            r#"{"ok":false,"error_code":400,"description":"Bad Request: message is too long"}"#;
        assert!(matches!(parse(refused), Err(RequestError::Api(_))));
    }
}
