//! Per-chat ordered delivery shared by the platform channels: each chat's messages go out
//! strictly in order, chats in parallel, and a task runs for a chat only while it has something
//! to send. What "sending" means is the channel's [`Deliver`]; what happens after (marking a
//! reply sent, acknowledging a push) is decided here, once.

use super::ChatKey;
use crate::convo::{Convo, Queued};
use crate::engine::reply::Outgoing;
use crate::outbox::push::Delivered;
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Something to send to one chat.
pub enum Item {
    /// A reply stored as pending; marked sent afterwards.
    Reply(Queued),
    /// A push from the outbox; its acknowledgement completes the outbox entry.
    Push(Outgoing, oneshot::Sender<Delivered>),
}

/// How one message went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Yes,
    /// Not now (network down, shutting down): a reply stays pending and goes out after a
    /// restart; a push is retried by the outbox.
    Later,
    /// Never (blocked, refused): dropped, and a push goes to the dead letters.
    Never(String),
}

/// A platform's way of sending one rendered reply to one chat (maybe several messages).
pub trait Deliver: Send + Sync + 'static {
    fn deliver(&self, chat: &ChatKey, out: &Outgoing) -> impl Future<Output = Sent> + Send;
}

/// Queues per chat; cheap to clone.
pub struct Ordered<D: Deliver> {
    inner: Arc<Inner<D>>,
}

impl<D: Deliver> Clone for Ordered<D> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone() }
    }
}

struct Inner<D> {
    deliver: D,
    convo: Convo,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    queues: HashMap<ChatKey, VecDeque<Item>>,
    active: HashSet<ChatKey>,
}

impl<D: Deliver> Ordered<D> {
    pub fn new(deliver: D, convo: Convo) -> Self {
        Self { inner: Arc::new(Inner { deliver, convo, state: Mutex::default() }) }
    }

    pub fn deliverer(&self) -> &D {
        &self.inner.deliver
    }

    /// Queues an item behind the chat's earlier ones; starts the chat's task if idle.
    pub fn queue(&self, chat: ChatKey, item: Item) {
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
                    if self.inner.deliver.deliver(&chat, &q.out).await != Sent::Later {
                        self.inner.convo.mark_sent(&chat, [q.seq]);
                    }
                }
                Item::Push(out, ack) => {
                    let result = match self.inner.deliver.deliver(&chat, &out).await {
                        Sent::Yes => Delivered::Yes,
                        Sent::Later => Delivered::NotNow,
                        Sent::Never(why) => Delivered::Never(why),
                    };
                    let _ = ack.send(result);
                }
            }
        }
    }
}
