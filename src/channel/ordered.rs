//! Per-chat ordered delivery shared by the platform channels: each chat's messages go out
//! strictly in order, chats in parallel, and a task runs for a chat only while it has something
//! to send. What "sending" means is the channel's [`Deliver`]; what happens after (marking a
//! reply sent, acknowledging a push) is decided here, once.

use super::ChatKey;
use crate::convo::{Convo, Queued, Unasked};
use crate::fast_hash::{HashMap, HashSet};
use crate::model::reply::Outgoing;
use crate::outbox::push::{Delivered, Delivery};
use crate::tasks::Tasks;
use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// First wait before a reply that could not go out is tried again; it doubles up to
/// [`RETRY_MAX`]. An API outage of minutes costs the citizen that long, not a restart.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(60);

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
    /// Not now (network down, shutting down): a reply is tried again here, ahead of the chat's
    /// later messages, until it goes out or pintu stops (it is still pending in the store and
    /// goes out after a restart); a push is retried by the outbox.
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

/// Records that a stored reply (by its sequence number) went out.
type MarkSent = Box<dyn Fn(&ChatKey, u64) + Send + Sync>;

struct Inner<D> {
    deliver: D,
    /// The conversation layer's `mark_sent`, in production.
    sent: MarkSent,
    /// Sending stops when pintu stops; drains and the follower are its tasks.
    tasks: Tasks,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// A chat has a queue exactly while its task runs: the task removes the queue when it
    /// finds it empty, so an item queued before that is the task's to send.
    queues: HashMap<ChatKey, VecDeque<Item>>,
    /// Replies queued or being sent, by seq.
    holding: HashSet<u64>,
    /// Replies sent lately, by seq: a redelivered message hands back what the store still
    /// lists as pending, and a reply's "sent" mark reaches the store a commit later.
    sent: Recent,
}

/// The last [`RECENT_SENT`] seqs, oldest first, with a set to look them up.
#[derive(Default)]
struct Recent {
    order: VecDeque<u64>,
    set: HashSet<u64>,
}

/// How many sent replies are remembered. A mark is committed within tens of milliseconds
/// (the committer's lazy window plus a commit); this covers well over a second at full load
/// and hours at a town's usual pace, for a few hundred kilobytes.
const RECENT_SENT: usize = 16_384;

impl Recent {
    fn insert(&mut self, seq: u64) {
        if self.order.len() == RECENT_SENT
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        self.order.push_back(seq);
        self.set.insert(seq);
    }

    fn contains(&self, seq: u64) -> bool {
        self.set.contains(&seq)
    }
}

impl<D: Deliver> Ordered<D> {
    pub fn new(deliver: D, convo: Convo, tasks: Tasks) -> Self {
        Self::with_marker(deliver, move |chat, seq| convo.mark_sent(chat, [seq]), tasks)
    }

    /// [`Ordered::new`] with another way to record a sent reply.
    fn with_marker(
        deliver: D,
        sent: impl Fn(&ChatKey, u64) + Send + Sync + 'static,
        tasks: Tasks,
    ) -> Self {
        let inner = Inner { deliver, sent: Box::new(sent), tasks, state: Mutex::default() };
        Self { inner: Arc::new(inner) }
    }

    pub fn deliverer(&self) -> &D {
        &self.inner.deliver
    }

    /// Queues an item behind the chat's earlier ones; starts the chat's task if idle. A reply
    /// already queued, being sent or lately sent is not queued again.
    pub fn queue(&self, chat: ChatKey, item: Item) {
        let start = {
            let Ok(mut st) = self.inner.state.lock() else { return };
            if let Item::Reply(q) = &item
                && (st.sent.contains(q.seq) || !st.holding.insert(q.seq))
            {
                return;
            }
            match st.queues.get_mut(&chat) {
                Some(queue) => {
                    queue.push_back(item);
                    false
                }
                None => {
                    st.queues.insert(chat.clone(), VecDeque::from([item]));
                    true
                }
            }
        };
        if start {
            let me = self.clone();
            self.inner.tasks.spawn(async move { me.drain(chat).await });
        }
    }

    /// Queues, until both senders are gone or pintu stops, the outbox's pushes for this
    /// channel and the replies pintu sends unasked (draft reminders). The stop matters: this
    /// task holds the conversation layer, and with it the sender of the unasked replies.
    pub fn follow(&self, mut pushes: mpsc::Receiver<Delivery>, mut unasked: Unasked) {
        let me = self.clone();
        self.inner.tasks.spawn(async move {
            let (mut pushes_open, mut unasked_open) = (true, true);
            while pushes_open || unasked_open {
                tokio::select! {
                    () = me.inner.tasks.stopping().cancelled() => return,
                    p = pushes.recv(), if pushes_open => match p {
                        Some(p) => me.queue(p.chat, Item::Push(p.out, p.ack)),
                        None => pushes_open = false,
                    },
                    u = unasked.recv(), if unasked_open => match u {
                        Some((chat, replies)) => {
                            for q in replies {
                                me.queue(chat.clone(), Item::Reply(q));
                            }
                        }
                        None => unasked_open = false,
                    },
                }
            }
        });
    }

    /// The platform's send is boxed (here and in `send_reply`): held inline it made this
    /// task 3–5 kB, past what glibc's per-thread cache serves, so every spawn took the
    /// allocator's slow path and copied the whole future twice; boxed, the task is ~0.7 kB.
    async fn drain(&self, chat: ChatKey) {
        loop {
            let next = {
                let Ok(mut st) = self.inner.state.lock() else { return };
                let item = st.queues.get_mut(&chat).and_then(VecDeque::pop_front);
                if item.is_none() {
                    st.queues.remove(&chat);
                }
                item
            };
            let Some(item) = next else { return };
            match item {
                Item::Reply(q) => self.reply(&chat, q).await,
                Item::Push(out, ack) => {
                    let result = match Box::pin(self.inner.deliver.deliver(&chat, &out)).await {
                        Sent::Yes => Delivered::Yes,
                        Sent::Later => Delivered::NotNow,
                        Sent::Never(why) => Delivered::Never(why),
                    };
                    let _ = ack.send(result);
                }
            }
        }
    }

    /// Sends a stored reply, trying again while the platform cannot take it: the chat's later
    /// messages wait behind it, so nothing overtakes it.
    async fn reply(&self, chat: &ChatKey, q: Queued) {
        let sent = self.send_reply(chat, &q).await;
        if let Ok(mut st) = self.inner.state.lock() {
            st.holding.remove(&q.seq);
            if sent {
                st.sent.insert(q.seq);
            }
        }
        if sent {
            (self.inner.sent)(chat, q.seq);
        }
    }

    /// True once the platform took the reply or refused it for good; false when stopping (it
    /// stays pending in the store and goes out after the restart).
    async fn send_reply(&self, chat: &ChatKey, q: &Queued) -> bool {
        let mut wait = RETRY_FIRST;
        loop {
            match Box::pin(self.inner.deliver.deliver(chat, &q.out)).await {
                Sent::Later => {
                    tokio::select! {
                        () = self.inner.tasks.stopping().cancelled() => return false,
                        () = tokio::time::sleep(wait) => {}
                    }
                    wait = (wait * 2).min(RETRY_MAX);
                }
                Sent::Yes | Sent::Never(_) => return true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::Channel;
    use crate::model::reply::Reply;
    use crate::model::session::Lang;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A platform that is down for its first `down` attempts, then records what it sends.
    struct Flaky {
        down: usize,
        attempts: AtomicUsize,
        sent: Mutex<Vec<String>>,
    }

    impl Deliver for Arc<Flaky> {
        async fn deliver(&self, _chat: &ChatKey, out: &Outgoing) -> Sent {
            if self.attempts.fetch_add(1, Ordering::SeqCst) < self.down {
                return Sent::Later;
            }
            let key = match out.reply.body.first() {
                Some(crate::model::reply::Piece::Msg(m)) => m.key.to_string(),
                _ => String::new(),
            };
            self.sent.lock().unwrap().push(key);
            Sent::Yes
        }
    }

    /// An `Ordered` over `flaky` that records the seqs it marks as sent.
    fn marking(flaky: Arc<Flaky>) -> (Ordered<Arc<Flaky>>, Arc<Mutex<Vec<u64>>>) {
        let marked = Arc::new(Mutex::new(Vec::new()));
        let m = marked.clone();
        let ordered = Ordered::with_marker(
            flaky,
            move |_: &ChatKey, seq| m.lock().unwrap().push(seq),
            Tasks::new(),
        );
        (ordered, marked)
    }

    fn queued(seq: u64, key: &str) -> Item {
        let out = Outgoing { reply: Reply::key(key), lang: Lang::Id };
        Item::Reply(Queued { seq, out: out.into() })
    }

    #[tokio::test(start_paused = true)]
    async fn a_reply_the_platform_refused_for_a_while_goes_out_first_without_a_restart() {
        let flaky =
            Arc::new(Flaky { down: 6, attempts: AtomicUsize::new(0), sent: Mutex::default() });
        let (ordered, marked) = marking(flaky.clone());
        let chat = ChatKey::new(Channel::WhatsApp, "6281234567890");
        ordered.queue(chat.clone(), queued(1, "first"));
        ordered.queue(chat.clone(), queued(2, "second"));
        // Six refusals back off 1 + 2 + 4 + 8 + 16 + 32 s: about a minute of outage.
        tokio::time::sleep(Duration::from_secs(90)).await;
        assert_eq!(*flaky.sent.lock().unwrap(), ["first", "second"]);
        assert_eq!(*marked.lock().unwrap(), [1, 2]);
    }

    /// A redelivered message hands back what the store lists as pending: replies still queued,
    /// being retried or just sent are not sent twice, one never seen is.
    #[tokio::test(start_paused = true)]
    async fn a_reply_handed_back_again_goes_out_once() {
        let flaky =
            Arc::new(Flaky { down: 2, attempts: AtomicUsize::new(0), sent: Mutex::default() });
        let (ordered, marked) = marking(flaky.clone());
        let chat = ChatKey::new(Channel::WhatsApp, "6281234567890");
        ordered.queue(chat.clone(), queued(1, "first"));
        ordered.queue(chat.clone(), queued(2, "second"));
        // While the platform refuses the first: both handed back again.
        ordered.queue(chat.clone(), queued(1, "first"));
        ordered.queue(chat.clone(), queued(2, "second"));
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(*flaky.sent.lock().unwrap(), ["first", "second"]);
        // Sent, but their marks may not be stored yet: handed back once more, with a third.
        ordered.queue(chat.clone(), queued(1, "first"));
        ordered.queue(chat.clone(), queued(3, "third"));
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(*flaky.sent.lock().unwrap(), ["first", "second", "third"]);
        assert_eq!(*marked.lock().unwrap(), [1, 2, 3]);
    }

    #[tokio::test(start_paused = true)]
    async fn stopping_leaves_the_reply_pending_for_the_next_start() {
        let flaky = Arc::new(Flaky {
            down: usize::MAX,
            attempts: AtomicUsize::new(0),
            sent: Mutex::default(),
        });
        let marked = Arc::new(Mutex::new(Vec::new()));
        let m = marked.clone();
        let tasks = Tasks::new();
        let ordered = Ordered::with_marker(
            flaky.clone(),
            move |_: &ChatKey, seq| m.lock().unwrap().push(seq),
            tasks.clone(),
        );
        let chat = ChatKey::new(Channel::Telegram, "42");
        ordered.queue(chat.clone(), queued(7, "first"));
        tokio::time::sleep(Duration::from_secs(5)).await;
        tasks.signal_stop();
        tokio::time::sleep(Duration::from_secs(120)).await;
        let attempts = flaky.attempts.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert_eq!(flaky.attempts.load(Ordering::SeqCst), attempts, "no attempts after the stop");
        assert!(marked.lock().unwrap().is_empty(), "not marked sent: still pending");
    }

    /// A platform that takes a while per message and records how many sends overlap.
    #[derive(Default)]
    struct Slow {
        sending: AtomicUsize,
        most_at_once: AtomicUsize,
        sent: Mutex<Vec<(String, String)>>,
    }

    impl Deliver for Arc<Slow> {
        async fn deliver(&self, chat: &ChatKey, out: &Outgoing) -> Sent {
            let now = self.sending.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_at_once.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(100)).await;
            let key = match out.reply.body.first() {
                Some(crate::model::reply::Piece::Msg(m)) => m.key.to_string(),
                _ => String::new(),
            };
            self.sent.lock().unwrap().push((chat.id.to_string(), key));
            self.sending.fetch_sub(1, Ordering::SeqCst);
            Sent::Yes
        }
    }

    /// Items queued while a chat's last one is being sent join that chat's task: they go out
    /// after it, never beside it, and a chat whose task ended gets a new one.
    #[tokio::test(start_paused = true)]
    async fn a_chat_has_one_sender_at_a_time() {
        let slow = Arc::new(Slow::default());
        let ordered = Ordered::with_marker(slow.clone(), |_: &ChatKey, _| {}, Tasks::new());
        let chat = ChatKey::new(Channel::WhatsApp, "6281234567890");
        ordered.queue(chat.clone(), queued(1, "first"));
        tokio::time::sleep(Duration::from_millis(50)).await;
        ordered.queue(chat.clone(), queued(2, "second"));
        tokio::time::sleep(Duration::from_millis(100)).await;
        ordered.queue(chat.clone(), queued(3, "third"));
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(slow.most_at_once.load(Ordering::SeqCst), 1);
        // Idle again: the next item starts a task of its own, beside another chat's.
        let other = ChatKey::new(Channel::WhatsApp, "6289876543210");
        ordered.queue(chat.clone(), queued(4, "fourth"));
        ordered.queue(other.clone(), queued(5, "other"));
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(slow.most_at_once.load(Ordering::SeqCst), 2);
        let sent = slow.sent.lock().unwrap();
        let of = |id: &str| -> Vec<&str> {
            sent.iter().filter(|(c, _)| c == id).map(|(_, k)| k.as_str()).collect()
        };
        assert_eq!(of("6281234567890"), ["first", "second", "third", "fourth"]);
        assert_eq!(of("6289876543210"), ["other"]);
    }
}
