//! Pushing ticket news to citizens: the outbox hands each push to the channel the ticket came
//! from. Channels register a sink; a push for a channel that is not running (a terminal chat
//! that is closed) waits in the outbox until it is.

use super::retry::Outcome;
use crate::model::reply::Outgoing;
use crate::model::ticket::Ticket;
use crate::model::{Channel, ChatKey};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::{mpsc, oneshot};

/// One push offered to a channel.
#[derive(Debug)]
pub struct Delivery {
    pub chat: ChatKey,
    pub out: Outgoing,
    pub ack: oneshot::Sender<Delivered>,
}

/// A channel's answer to a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    Yes,
    /// The chat is not reachable from this process right now: try later.
    NotNow,
    /// The chat can never be reached (blocked the bot): keep for an admin.
    Never(String),
}

/// A new ticket for officers to see.
#[derive(Debug)]
pub struct Notice {
    pub ticket: Ticket,
    pub ack: oneshot::Sender<Delivered>,
}

/// The channels that can take pushes, by platform, and where officers are told of tickets.
#[derive(Default)]
pub struct Sinks {
    channels: Mutex<HashMap<Channel, mpsc::Sender<Delivery>>>,
    officers: Mutex<Option<mpsc::Sender<Notice>>>,
}

impl Sinks {
    /// Registers a channel; pushes for its chats arrive on the returned receiver.
    pub fn register(&self, channel: Channel) -> mpsc::Receiver<Delivery> {
        let (tx, rx) = mpsc::channel(64);
        if let Ok(mut map) = self.channels.lock() {
            map.insert(channel, tx);
        }
        rx
    }

    /// Registers the officers' channel (Telegram groups).
    pub fn register_officers(&self) -> mpsc::Receiver<Notice> {
        let (tx, rx) = mpsc::channel(64);
        if let Ok(mut o) = self.officers.lock() {
            *o = Some(tx);
        }
        rx
    }

    /// Tells officers about a ticket; done at once when no officers' channel runs.
    pub async fn notify_officers(&self, ticket: Ticket) -> Outcome {
        let sender = self.officers.lock().ok().and_then(|o| o.clone());
        let Some(sender) = sender else { return Outcome::Done };
        let (ack, answer) = oneshot::channel();
        if sender.send(Notice { ticket, ack }).await.is_err() {
            return Outcome::Done;
        }
        match answer.await {
            Ok(Delivered::Yes) => Outcome::Done,
            Ok(Delivered::NotNow) | Err(_) => Outcome::Retry {
                after_secs: None,
                reason: "officers' group not reachable now".into(),
            },
            Ok(Delivered::Never(reason)) => Outcome::Fail { reason },
        }
    }

    /// Offers a push to the chat's channel and waits for its answer.
    pub async fn deliver(&self, chat: ChatKey, out: Outgoing) -> Outcome {
        let sender = self.channels.lock().ok().and_then(|m| m.get(&chat.channel).cloned());
        let not_now = |why: &str| Outcome::Retry { after_secs: None, reason: why.to_string() };
        let Some(sender) = sender else { return not_now("channel not running") };
        let (ack, answer) = oneshot::channel();
        if sender.send(Delivery { chat, out, ack }).await.is_err() {
            return not_now("channel stopped");
        }
        match answer.await {
            Ok(Delivered::Yes) => Outcome::Done,
            Ok(Delivered::NotNow) | Err(_) => not_now("chat not reachable now"),
            Ok(Delivered::Never(reason)) => Outcome::Fail { reason },
        }
    }
}
