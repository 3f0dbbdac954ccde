//! Sending to Telegram (ordering per chat is `channel::ordered`). Rate limits are teloxide's `Throttle`
//! (1 msg/s per chat, 30/s overall) and every `retry_after` is waited out; network errors are
//! retried with backoff; a chat that blocked the bot is given up. A reply is marked sent only
//! after Telegram took it, so a crash resends instead of losing it.

use super::map;
use crate::channel::ChatKey;
use crate::channel::ordered::{Deliver, Ordered, Sent};
use crate::convo::Convo;
use crate::engine::reply::{Hint, Msg, Outgoing};
use crate::script::catalogue::Catalogue;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::Limits;
use teloxide::prelude::*;
use teloxide::types::{ChatId, ReplyMarkup};
use teloxide::{ApiError, RequestError};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// The client, throttled to Telegram's limits unless configured otherwise (tests against a
/// fake server).
#[derive(Clone)]
enum Client {
    Plain(Bot),
    Throttled(Throttle<Bot>),
}

impl Client {
    async fn send(
        &self,
        chat: ChatId,
        text: String,
        markup: Option<ReplyMarkup>,
    ) -> Result<(), RequestError> {
        match self {
            Client::Plain(b) => {
                let mut r = b.send_message(chat, text);
                if let Some(m) = markup {
                    r = r.reply_markup(m);
                }
                r.await.map(drop)
            }
            Client::Throttled(b) => {
                let mut r = b.send_message(chat, text);
                if let Some(m) = markup {
                    r = r.reply_markup(m);
                }
                r.await.map(drop)
            }
        }
    }
}

/// Telegram's side of ordered delivery.
pub(crate) struct TelegramOut {
    client: Client,
    catalogue: watch::Receiver<Arc<Catalogue>>,
    /// Chats currently showing a one-tap reply keyboard (to remove it afterwards).
    keyboards: Mutex<HashSet<ChatKey>>,
    shutdown: CancellationToken,
}

pub(crate) type Sender = Ordered<TelegramOut>;

pub(crate) fn start(
    bot: Bot,
    convo: Convo,
    catalogue: watch::Receiver<Arc<Catalogue>>,
    throttle: bool,
    shutdown: CancellationToken,
) -> Sender {
    let client = if throttle {
        Client::Throttled(bot.throttle(Limits::default()))
    } else {
        Client::Plain(bot)
    };
    Ordered::new(TelegramOut { client, catalogue, keyboards: Mutex::default(), shutdown }, convo)
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
                match self
                    .client
                    .send(ChatId(chat_id), part.text.clone(), part.markup.clone())
                    .await
                {
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
                        if failures >= 8 || self.shutdown.is_cancelled() {
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
