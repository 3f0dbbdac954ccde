//! The Telegram channel: teloxide as the Bot API client; pintu's own poll loop (offsets are
//! confirmed only after the batch is committed), or a webhook on pintu's HTTP server; a sender
//! that keeps each chat's replies in order. Nothing here decides the dialog.

mod api;
pub mod map;
mod officers;
mod poll;
mod send;
mod webhook;

use crate::channel::ordered::Item;
use crate::channel::{Channel, ChatKey, MessageId, Wiring};
use crate::config::{Config, TelegramConfig};
use crate::convo::{Convo, ConvoError, Inbound, Replies};
use crate::model::input::{AttachmentKind, Input};
use map::{Content, Incoming};
use send::Sender;
use std::path::PathBuf;
use std::sync::Arc;
use teloxide::net::Download;
use teloxide::prelude::*;
use tokio::sync::oneshot;

/// Telegram's download limit for bots (getFile).
const MAX_DOWNLOAD: u64 = 20 * 1024 * 1024;

/// What the poll loop and the webhook share.
pub(crate) struct Telegram {
    bot: Bot,
    convo: Convo,
    sender: Sender,
    data_dir: PathBuf,
    officers: Option<Arc<officers::Officers>>,
    /// Webhook work runs as these tasks (see `webhook`).
    tasks: crate::tasks::Tasks,
}

/// Starts the channel. Returns the webhook route to mount when in webhook mode.
pub async fn start(
    core: &Wiring<'_>,
    config: &Config,
    tg: &TelegramConfig,
) -> anyhow::Result<Option<axum::Router>> {
    let bot = bot(tg, core.outbound)?;
    match bot.get_me().await {
        Ok(me) => tracing::info!(bot = %me.username(), "Telegram channel started"),
        Err(e) => tracing::warn!(error = %e, "Telegram getMe failed; the channel keeps trying"),
    }
    let sender = send::start(
        &bot,
        core.outbound,
        core.convo.clone(),
        core.catalogue.clone(),
        tg.throttle,
        core.tasks.clone(),
    )?;
    // Replies committed before a crash or restart but never confirmed as sent go out first.
    let pending = core.convo.pending_replies(Channel::Telegram)?;
    if !pending.is_empty() {
        tracing::info!(replies = pending.len(), "resending Telegram replies left pending");
    }
    for (chat, reply) in pending {
        sender.queue(chat, Item::Reply(reply));
    }
    sender.follow(
        core.sinks.register(Channel::Telegram),
        core.convo.register_unasked(Channel::Telegram),
    );
    let officers = (!tg.officers.is_empty()).then(|| {
        let o = Arc::new(officers::Officers::new(
            bot.clone(),
            tg.officers.clone(),
            core.desk.clone(),
            core.catalogue.clone(),
        ));
        core.tasks.spawn(o.clone().run(core.sinks.register_officers()));
        tracing::info!(groups = tg.officers.len(), "officers' groups configured");
        o
    });
    let me = Arc::new(Telegram {
        bot: bot.clone(),
        convo: core.convo.clone(),
        sender,
        data_dir: config.data_dir.clone(),
        officers,
        tasks: core.tasks.clone(),
    });
    if let Some(url) = &tg.webhook_url {
        let full = format!("{}/telegram/webhook", url.trim_end_matches('/'));
        let parsed = reqwest::Url::parse(&full)?;
        bot.set_webhook(parsed).secret_token(tg.webhook_secret.expose().clone()).await?;
        tracing::info!("Telegram webhook registered");
        return Ok(Some(webhook::router(me, tg.webhook_secret.clone())));
    }
    core.tasks.spawn(poll::run(me, core.tasks.stopping().clone()));
    Ok(None)
}

/// A Bot on teloxide's client settings going out pintu's way (`net`), pointed at the
/// configured API.
fn bot(tg: &TelegramConfig, outbound: &crate::net::Outbound) -> anyhow::Result<Bot> {
    let client = outbound.apply(teloxide::net::default_reqwest_settings()).build()?;
    let mut bot = Bot::with_client(tg.token.expose(), client);
    if let Some(url) = &tg.api_url {
        // teloxide appends `/bot<token>/<Method>`: a trailing slash would double it.
        bot = bot.set_api_url(reqwest::Url::parse(url.trim_end_matches('/'))?);
    }
    Ok(bot)
}

impl Telegram {
    /// Hands one update (as [`map::read`] understood it) to the conversation layer. Returns the
    /// chat and a receiver for its replies, or `None` when there is nothing to step (ignored
    /// kinds, button answers only).
    pub(crate) async fn submit(
        &self,
        update_id: u32,
        incoming: Incoming,
    ) -> Result<Option<(ChatKey, Replies)>, ConvoError> {
        let msg = Some(MessageId(format!("tg:{update_id}")));
        let (chat, input) = match incoming {
            Incoming::Ignore(why) => {
                tracing::debug!(why, "Telegram update ignored");
                return Ok(None);
            }
            Incoming::GroupReply { chat, from, text, reply_to } => {
                if let Some(o) = &self.officers {
                    o.reply(&chat, from, text, reply_to).await;
                }
                return Ok(None);
            }
            Incoming::Callback { chat, from, query_id, data, private: false, .. } => {
                match &self.officers {
                    Some(o) => o.press(&chat, from, query_id, &data).await,
                    None => {
                        let _ = self
                            .bot
                            .answer_callback_query(teloxide::types::CallbackQueryId(query_id))
                            .await;
                    }
                }
                return Ok(None);
            }
            Incoming::Callback { chat, query_id, data, private, .. } => {
                // Answer every button press at once, or the client keeps spinning.
                let bot = self.bot.clone();
                self.tasks.spawn(async move {
                    bot.answer_callback_query(teloxide::types::CallbackQueryId(query_id)).await
                });
                match (private, map::choice_from_data(&data)) {
                    (true, Some(n)) => (chat, Input::Text(n.to_string())),
                    _ => return Ok(None),
                }
            }
            Incoming::Message { chat, content, .. } => {
                let input = self.input(content).await;
                (chat, input)
            }
        };
        let (done, rx) = oneshot::channel();
        self.convo.submit(Inbound { chat: chat.clone(), msg, input, done }).await?;
        Ok(Some((chat, rx)))
    }

    /// Waits for an update's replies and queues them for sending.
    pub(crate) async fn deliver(&self, chat: ChatKey, rx: Replies) -> Result<(), ConvoError> {
        let replies = rx.await.unwrap_or(Err(ConvoError::Closed))?;
        for q in replies {
            self.sender.queue(chat.clone(), Item::Reply(q));
        }
        Ok(())
    }

    async fn input(&self, content: Content) -> Input {
        match content {
            Content::Text(t) => Input::Text(t),
            Content::Location { lat, lon } => Input::Location { lat, lon },
            Content::Contact { phone, own } => Input::Contact { phone, own },
            Content::Unsupported => Input::Unsupported,
            // The MIME type and name Telegram reports are the sender's word: the content
            // decides (`attachment_input`).
            Content::File { file_id, kind, size, .. } => {
                if size.is_some_and(|s| s > MAX_DOWNLOAD) {
                    return Input::TooBig { bytes: size.unwrap_or(0) };
                }
                match self.download(&file_id, kind).await {
                    Ok(input) => input,
                    Err(e) => {
                        tracing::warn!(error = %e, "Telegram file download failed");
                        // Asks the citizen to send it again rather than losing the step.
                        Input::Unsupported
                    }
                }
            }
        }
    }

    async fn download(&self, file_id: &str, kind: AttachmentKind) -> anyhow::Result<Input> {
        let file = self.bot.get_file(teloxide::types::FileId(file_id.to_string())).await?;
        if u64::from(file.size) > MAX_DOWNLOAD && file.size != u32::MAX {
            return Ok(Input::TooBig { bytes: u64::from(file.size) });
        }
        let mut bytes: Vec<u8> = Vec::new();
        self.bot.download_file(&file.path, &mut bytes).await?;
        Ok(crate::channel::attachment_input(&self.data_dir, bytes, kind)?)
    }
}
