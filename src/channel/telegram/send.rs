//! Sending to Telegram: each chat's messages strictly in order, chats in parallel. A task runs
//! for a chat only while it has something to send. Rate limits are teloxide's `Throttle`
//! (1 msg/s per chat, 30/s overall) and every `retry_after` is waited out; network errors are
//! retried with backoff; a chat that blocked the bot is given up. A reply is marked sent only
//! after Telegram took it, so a crash resends instead of losing it.

use super::map;
use crate::channel::ChatKey;
use crate::convo::{Convo, Queued};
use crate::engine::reply::{Hint, Msg, Outgoing};
use crate::outbox::push::Delivered;
use crate::script::catalogue::Catalogue;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::Limits;
use teloxide::prelude::*;
use teloxide::types::{ChatId, ReplyMarkup};
use teloxide::{ApiError, RequestError};
use tokio::sync::{oneshot, watch};
use tokio_util::sync::CancellationToken;

/// Something to send to one chat.
pub(crate) enum Item {
    /// A reply stored as pending; marked sent afterwards.
    Reply(Queued),
    /// A push from the outbox; its acknowledgement completes the outbox entry.
    Push(Outgoing, oneshot::Sender<Delivered>),
}

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

struct State {
    queues: HashMap<ChatKey, VecDeque<Item>>,
    active: HashSet<ChatKey>,
    /// Chats currently showing a one-tap reply keyboard (to remove it afterwards).
    keyboards: HashSet<ChatKey>,
}

/// Handle to queue messages; cheap to clone.
#[derive(Clone)]
pub(crate) struct Sender {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    convo: Convo,
    catalogue: watch::Receiver<Arc<Catalogue>>,
    state: Mutex<State>,
    shutdown: CancellationToken,
}

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
    let state = State { queues: HashMap::new(), active: HashSet::new(), keyboards: HashSet::new() };
    Sender {
        inner: Arc::new(Inner { client, convo, catalogue, state: Mutex::new(state), shutdown }),
    }
}

impl Sender {
    /// Queues an item behind the chat's earlier ones; starts the chat's task if idle.
    pub(crate) async fn queue(&self, chat: ChatKey, item: Item) {
        let start = {
            let Ok(mut st) = self.inner.state.lock() else { return };
            st.queues.entry(chat.clone()).or_default().push_back(item);
            st.active.insert(chat.clone())
        };
        if start {
            let me = self.clone();
            tokio::spawn(async move { me.drain(chat).await });
        }
    }

    async fn drain(&self, chat: ChatKey) {
        loop {
            let next = {
                let Ok(mut st) = self.inner.state.lock() else { return };
                let item = st.queues.get_mut(&chat).and_then(VecDeque::pop_front);
                if item.is_none() {
                    st.queues.remove(&chat);
                    st.active.remove(&chat);
                }
                item
            };
            let Some(item) = next else { return };
            match item {
                Item::Reply(q) => {
                    if self.send(&chat, &q.out).await != Sent::Later {
                        self.inner.convo.mark_sent(&chat, [q.seq]);
                    }
                }
                Item::Push(out, ack) => {
                    let result = match self.send(&chat, &out).await {
                        Sent::Yes => Delivered::Yes,
                        Sent::Later => Delivered::NotNow,
                        Sent::Never(why) => Delivered::Never(why),
                    };
                    super::ack(ack, result);
                }
            }
        }
    }

    /// Renders and sends one reply (possibly several messages).
    async fn send(&self, chat: &ChatKey, out: &Outgoing) -> Sent {
        let Ok(mut chat_id) = chat.id.parse::<i64>() else {
            return Sent::Never("bad chat id".into());
        };
        let (text, choices, label) = {
            let cat = self.inner.catalogue.borrow();
            let l = &cat.locales;
            let label = match out.reply.hint {
                Hint::Location => l.text(out.lang, &Msg::new("button-location")),
                Hint::Contact => l.text(out.lang, &Msg::new("button-contact")),
                _ => String::new(),
            };
            (l.render(out.lang, &out.reply), l.choice_labels(out.lang, &out.reply), label)
        };
        let open = self.inner.state.lock().is_ok_and(|s| s.keyboards.contains(chat));
        // Request keyboards only work in private chats (positive ids).
        let hint = if chat_id > 0 { out.reply.hint } else { Hint::None };
        let (parts, open_after) = map::plan(&text, &choices, hint, &label, open);
        if let Ok(mut s) = self.inner.state.lock() {
            if open_after {
                s.keyboards.insert(chat.clone());
            } else {
                s.keyboards.remove(chat);
            }
        }
        for part in parts {
            let mut failures = 0u32;
            loop {
                match self
                    .inner
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
                        if failures >= 8 || self.inner.shutdown.is_cancelled() {
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

#[derive(Debug, PartialEq, Eq)]
enum Sent {
    Yes,
    Later,
    Never(String),
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
