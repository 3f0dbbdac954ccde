//! The conversation layer: keeps each chat's messages in order, steps each platform message at
//! most once, batches many chats' steps into one durable commit, and only then hands replies
//! back to the channel.
//!
//! Chats are spread over shards by hash; a shard is one task owning its chats' cached
//! sessions, so there are no locks and no task per chat. Each shard drains what is waiting,
//! steps it, and sends one [`Batch`] to the committer (`commit.rs`), the only writer.
//!
//! May use: `attachments`, `audit`, `clock`, `commit`, `engine`, `fast_hash`, `metrics`, `model`,
//! `private_fs`, `script`, `store`, `tasks`, `ticket`.

pub mod dedupe;
mod shard;

use crate::clock::{Clock, Timestamp};
use crate::commit::Committer;
use crate::engine::Settings;
use crate::model::input::Input;
use crate::model::reply::Outgoing;
use crate::model::{Channel, ChatKey, MessageId};
use crate::script::catalogue::Catalogue;
use crate::store::{Batch, ReplyOp, Store, StoreError};
use dedupe::{Dedupe, Pruner};
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use time::UtcOffset;
use tokio::sync::{mpsc, oneshot, watch};

/// One platform message on its way in.
#[derive(Debug)]
pub struct Inbound {
    pub chat: ChatKey,
    /// Platform message id for dedupe; `None` where the platform never redelivers (terminal).
    pub msg: Option<MessageId>,
    pub input: Input,
    /// Completed after the step is durable, with the replies to send. For a redelivered
    /// message these are the chat's replies still pending, if any (the first delivery's may not
    /// have reached the sender); senders skip those they already have.
    pub done: oneshot::Sender<Result<Vec<Queued>, ConvoError>>,
}

/// Where a submitted message's replies arrive once it is committed.
pub type Replies = oneshot::Receiver<Result<Vec<Queued>, ConvoError>>;

/// A reply stored as pending: send it, then report it with [`Convo::mark_sent`]. After a
/// crash the store still has it and the channel sends it at start-up.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub seq: u64,
    pub out: Arc<Outgoing>,
}

/// Why a message was not stepped; the channel should let the platform redeliver it.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ConvoError {
    #[error("the store could not commit; the message will be processed when redelivered")]
    Store,
    #[error("pintu is shutting down")]
    Closed,
}

/// How the conversation layer is sized.
#[derive(Debug, Clone)]
pub struct ConvoConfig {
    pub shards: usize,
    /// Most messages a shard steps into one batch.
    pub batch_max: usize,
    /// Sessions a shard keeps in memory; past that it forgets them all and reloads from the
    /// store as chats come back.
    pub cache_per_shard: usize,
    pub queue_per_shard: usize,
    pub offset: UtcOffset,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Where attachments are, to delete them with "hapus data saya" (none in some tests).
    pub data_dir: Option<std::path::PathBuf>,
    /// Which OPDs' tickets get outbox work; by default all of them get both kinds.
    pub routes: Routes,
    /// How long a platform message id is remembered (the platform's redelivery window).
    pub dedupe_window_secs: i64,
    /// Where the shard tasks are counted. A shard ends once every `Convo` clone is gone, after
    /// answering what it holds.
    pub tasks: crate::tasks::Tasks,
}

/// Which OPDs have somewhere to deliver to. An OPD without a backend waits for its officers to
/// pull tickets through the API, so queueing a forward for it would only be written, tried and
/// deleted again; the same holds for a notice without an officers' group.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    /// OPDs with a backend target (`None`: every OPD).
    pub forward: Option<HashSet<String>>,
    /// OPDs with an officers' group (`None`: every OPD).
    pub notify: Option<HashSet<String>>,
}

impl Routes {
    pub fn forwards(&self, opd: &str) -> bool {
        self.forward.as_ref().is_none_or(|s| s.contains(opd))
    }

    pub fn notifies(&self, opd: &str) -> bool {
        self.notify.as_ref().is_none_or(|s| s.contains(opd))
    }
}

/// How long a lead lasts without renewal: a leader renews it before each round of its job (a
/// Telegram long poll takes up to 20 s), so another instance takes over within this after the
/// leader died.
pub const LEASE_SECS: u32 = 30;

/// How often an instance on a shared store looks for replies a dead instance left unsent.
pub const ORPHANS_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Meta redelivers an unacknowledged webhook for up to 7 days.
pub const DEDUPE_WINDOW_SECS: i64 = 7 * 86_400;

impl Default for ConvoConfig {
    fn default() -> Self {
        Self {
            // Shards step in parallel only on separate cores, and each commits on its own:
            // more shards than cores would only mean more, smaller commits.
            shards: std::thread::available_parallelism().map_or(1, |n| n.get()).min(4),
            batch_max: 256,
            // The most a table of 8,192 buckets holds (hashbrown fills to 7/8): at 8,192 the
            // table would double to 16,384 buckets (32 bytes each, the sessions themselves
            // apart), mostly empty after each clear (#15).
            cache_per_shard: 7168,
            queue_per_shard: 1024,
            offset: UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC),
            metrics: Arc::default(),
            data_dir: None,
            routes: Routes::default(),
            dedupe_window_secs: DEDUPE_WINDOW_SECS,
            tasks: crate::tasks::Tasks::default(),
        }
    }
}

/// What every shard shares.
pub(crate) struct Shared {
    pub store: Arc<dyn Store>,
    pub catalogue: watch::Receiver<Arc<Catalogue>>,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub config: ConvoConfig,
    /// Orders replies: per chat, increasing across restarts (seeded from the clock).
    pub reply_seq: AtomicU64,
    pub dedupe: Arc<Dedupe>,
    /// This process's random id, as leases name their holder.
    pub instance: String,
}

/// A random id for this process: two instances, or one and its restart, never share one.
fn instance_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Io(format!("no randomness: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Replies pintu sends unasked (draft reminders), for a channel to send like any other.
pub type Unasked = mpsc::Receiver<(ChatKey, Vec<Queued>)>;
type UnaskedSink = mpsc::Sender<(ChatKey, Vec<Queued>)>;

/// Handle to the running conversation layer; cheap to clone.
#[derive(Clone)]
pub struct Convo {
    shards: Arc<[mpsc::Sender<Inbound>]>,
    committer: Committer,
    /// Where each running channel takes replies that no platform message waits for.
    unasked: Arc<Mutex<HashMap<Channel, UnaskedSink>>>,
    shared: Arc<Shared>,
}

impl Convo {
    /// Loads the dedupe markers and starts the shard tasks. They stop when every `Convo` clone
    /// is dropped (after finishing what they hold).
    pub fn start(
        store: Arc<dyn Store>,
        committer: Committer,
        catalogue: watch::Receiver<Arc<Catalogue>>,
        settings: Arc<Settings>,
        clock: Arc<dyn Clock>,
        config: ConvoConfig,
    ) -> Result<Self, StoreError> {
        let dedupe = Dedupe::load(store.as_ref(), clock.now(), config.dedupe_window_secs)?;
        let n = config.shards.max(1);
        let queue = config.queue_per_shard.max(1);
        // Microseconds since the epoch: later than any seq issued before a restart.
        let seed = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000)
            .unwrap_or(1);
        let shared = Arc::new(Shared {
            store,
            catalogue,
            settings,
            clock,
            config,
            reply_seq: AtomicU64::new(seed),
            dedupe: Arc::new(dedupe),
            instance: instance_id()?,
        });
        let shards: Vec<_> = (0..n)
            .map(|_| {
                let (tx, rx) = mpsc::channel(queue);
                shared.config.tasks.spawn(shard::run(shared.clone(), committer.clone(), rx));
                tx
            })
            .collect();
        Ok(Self { shards: shards.into(), committer, unasked: Arc::default(), shared })
    }

    /// The job that drops dedupe markers past the window; run it beside the shards.
    pub fn pruner(&self) -> Pruner {
        Pruner {
            store: self.shared.store.clone(),
            committer: self.committer.clone(),
            clock: self.shared.clock.clone(),
            dedupe: self.shared.dedupe.clone(),
        }
    }

    /// On a store shared with other instances: every [`ORPHANS_EVERY`], hands the channels
    /// running here the replies another instance committed but did not send in time (it died
    /// between its commit and its send; its webhook was acknowledged, so nothing else would
    /// bring them). Returns at once on a store of one process, whose channels send what is
    /// pending when they start.
    pub async fn send_orphans(self, stop: tokio_util::sync::CancellationToken) {
        if !self.shared.store.shared() {
            return;
        }
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(ORPHANS_EVERY) => {}
            }
            let sinks: Vec<(Channel, UnaskedSink)> = match self.unasked.lock() {
                Ok(map) => map.iter().map(|(c, s)| (*c, s.clone())).collect(),
                Err(_) => return,
            };
            for (channel, sink) in sinks {
                let found = match self.shared.store.orphaned_replies(channel) {
                    Ok(found) => found,
                    Err(e) => {
                        tracing::error!(error = %e, "reading other instances' replies failed");
                        continue;
                    }
                };
                if !found.is_empty() {
                    tracing::info!(replies = found.len(), "sending replies another instance left");
                }
                // Per chat, in order: one hand-over per chat.
                let mut chats: Vec<(ChatKey, Vec<Queued>)> = Vec::new();
                for (chat, seq, out) in found {
                    match chats.last_mut() {
                        Some((c, queued)) if *c == chat => {
                            queued.push(Queued { seq, out: out.into() })
                        }
                        _ => chats.push((chat, vec![Queued { seq, out: out.into() }])),
                    }
                }
                for chat in chats {
                    if sink.send(chat).await.is_err() {
                        break;
                    }
                }
            }
        }
    }

    /// Whether this instance leads the job `name` (one instance at a time on a shared store;
    /// always on a store of one process), renewing its lease for [`LEASE_SECS`]. A failed
    /// read of the lease counts as not leading.
    pub fn leads(&self, name: &str) -> bool {
        let holder = &self.shared.instance;
        self.shared.store.hold_lease(name, holder, LEASE_SECS).unwrap_or_else(|e| {
            tracing::error!(error = %e, job = name, "the lease could not be read");
            false
        })
    }

    /// Registers a channel for the replies pintu sends unasked; they arrive on the receiver,
    /// committed as pending, to be sent and marked like replies to a message.
    pub fn register_unasked(&self, channel: Channel) -> Unasked {
        let (tx, rx) = mpsc::channel(64);
        if let Ok(mut map) = self.unasked.lock() {
            map.insert(channel, tx);
        }
        rx
    }

    /// Steps the draft reminder for a chat whose draft the scan found idle since `touched`
    /// and hands the reply to the chat's channel. Returns whether a reminder was sent on its
    /// way: none when the chat wrote meanwhile or was reminded already. When the channel is
    /// not running here, the reminder stays pending in the store and goes out when it starts.
    pub async fn remind(&self, chat: ChatKey, touched: Timestamp) -> Result<bool, ConvoError> {
        let replies = self.handle(chat.clone(), None, Input::DraftReminder { touched }).await?;
        if replies.is_empty() {
            return Ok(false);
        }
        let sink = self.unasked.lock().ok().and_then(|m| m.get(&chat.channel).cloned());
        if let Some(sink) = sink {
            let _ = sink.send((chat, replies)).await;
        }
        Ok(true)
    }

    /// Queues a message; waits while its shard is full (backpressure).
    pub async fn submit(&self, inbound: Inbound) -> Result<(), ConvoError> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        inbound.chat.hash(&mut h);
        let i = (h.finish() % self.shards.len() as u64) as usize;
        self.shards[i].send(inbound).await.map_err(|_| ConvoError::Closed)
    }

    /// Submits one message and waits for its replies.
    pub async fn handle(
        &self,
        chat: ChatKey,
        msg: Option<MessageId>,
        input: Input,
    ) -> Result<Vec<Queued>, ConvoError> {
        let (done, rx) = oneshot::channel();
        self.submit(Inbound { chat, msg, input, done }).await?;
        rx.await.unwrap_or(Err(ConvoError::Closed))
    }

    /// Replies committed on this channel but not yet marked sent, per chat in order: a channel
    /// sends them first when it starts (a crash or a stop came between commit and send).
    /// On a store shared with other instances there are none to send here: some are other
    /// live instances' replies on their way, and a dead instance's come through
    /// [`Convo::send_orphans`] once their claim runs out.
    pub fn pending_replies(&self, channel: Channel) -> Result<Vec<(ChatKey, Queued)>, StoreError> {
        if self.shared.store.shared() {
            return Ok(Vec::new());
        }
        let pending = self.shared.store.pending_replies(channel)?;
        Ok(pending
            .into_iter()
            .map(|(chat, seq, out)| (chat, Queued { seq, out: out.into() }))
            .collect())
    }

    /// One chat's replies not yet marked sent, in order: what a web page has still to show.
    pub fn chat_pending_replies(&self, chat: &ChatKey) -> Result<Vec<Queued>, StoreError> {
        let pending = self.shared.store.chat_pending_replies(chat)?;
        Ok(pending.into_iter().map(|(seq, out)| Queued { seq, out: out.into() }).collect())
    }

    /// Stores a reply for `chat` as pending, durably, outside any step (a push a channel keeps
    /// until its chat asks for it). Ordered after the chat's replies already issued.
    pub async fn queue_reply(&self, chat: ChatKey, out: Outgoing) -> Result<Queued, ConvoError> {
        let seq = self.shared.reply_seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let out = Arc::new(out);
        let replies = vec![ReplyOp::Pending { chat, seq, out: out.clone() }];
        if self.committer.commit(Batch { replies, ..Batch::default() }).await {
            Ok(Queued { seq, out })
        } else {
            Err(ConvoError::Store)
        }
    }

    /// When the chat's session was last touched, if it has one: the last inbound message for
    /// chats the channel has not heard from since the start (WhatsApp's 24-hour window).
    pub fn last_touched(&self, chat: &ChatKey) -> Option<Timestamp> {
        match self.shared.store.load_session(chat) {
            Ok(Some(session)) => Some(session.touched),
            _ => None,
        }
    }

    /// Commits whatever is waiting for a commit (replies marked sent); for a clean stop.
    pub async fn flush(&self) -> bool {
        self.committer.commit(Batch::default()).await
    }

    /// Marks replies as delivered to the platform. Not awaited by design: if the mark is lost in
    /// a crash, the reply is sent once more at start-up (a repeat, never a loss).
    pub fn mark_sent(&self, chat: &ChatKey, seqs: impl IntoIterator<Item = u64>) {
        let marks = seqs.into_iter().map(|seq| ReplyOp::Sent { chat: chat.clone(), seq });
        self.committer.replies_later(marks);
    }
}
