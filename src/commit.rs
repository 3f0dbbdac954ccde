//! The committer: the one thread that writes. It merges every batch waiting at the moment into
//! one store commit (one flush for hundreds of messages) and then completes each batch.
//! Conversations, the outbox, the API and the SLA timer all write through it, so writes never
//! race and one flush serves them all.
//!
//! May use: `model`, `store`.

use crate::model::outbox::OutboxOp;
use crate::store::{Batch, ReplyOp, Store, StoreError};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// A task that must see the store with no commit in progress.
type ExclusiveTask = Box<dyn FnOnce(&dyn Store) + Send>;

/// Where the outbox worker hears of committed outbox changes.
type Feed = Arc<Mutex<Option<mpsc::UnboundedSender<Vec<OutboxOp>>>>>;

/// Work for the committer thread.
// Commits are nearly every job: boxing the batch would cost an allocation per commit to save
// bytes in the few other jobs.
#[allow(clippy::large_enum_variant)]
enum Job {
    /// A batch, and who waits for it to be durable.
    Commit(Batch, oneshot::Sender<bool>),
    /// Lazy writes are waiting (sent once per lazy window, not once per write).
    Lazy,
    /// Runs alone between commits (a consistent backup).
    Exclusive(ExclusiveTask),
}

/// Handle to the committer thread; the thread ends when all handles are dropped.
#[derive(Clone)]
pub struct Committer {
    tx: std_mpsc::Sender<Job>,
    /// Told every committed outbox change, in commit order.
    outbox_feed: Feed,
    /// Writes nobody waits for, until the next commit takes them.
    lazy: Arc<Mutex<Batch>>,
}

impl Committer {
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (tx, rx) = std_mpsc::channel::<Job>();
        let outbox_feed = Feed::default();
        let lazy = Arc::new(Mutex::new(Batch::default()));
        let (feed, pending) = (outbox_feed.clone(), lazy.clone());
        std::thread::Builder::new()
            .name("pintu-committer".into())
            .spawn(move || run(store, rx, feed, pending))
            // Without a committer nothing can be written; failing at start is the only option.
            .expect("spawn the committer thread");
        Self { tx, outbox_feed, lazy }
    }

    /// From now on, every committed batch's outbox changes arrive here, in commit order, before
    /// the batch's waiters are told it is durable. One subscriber (the outbox worker); a new
    /// subscription replaces the old one.
    pub fn outbox_changes(&self) -> mpsc::UnboundedReceiver<Vec<OutboxOp>> {
        let (tx, rx) = mpsc::unbounded_channel();
        if let Ok(mut feed) = self.outbox_feed.lock() {
            *feed = Some(tx);
        }
        rx
    }

    /// Commits a batch (together with whatever else is waiting); true once it is durable.
    pub async fn commit(&self, batch: Batch) -> bool {
        let (done, rx) = oneshot::channel();
        if self.tx.send(Job::Commit(batch, done)).is_err() {
            return false;
        }
        rx.await.unwrap_or(false)
    }

    /// Queues a batch nobody waits for; it goes into the next commit, or is committed on its own
    /// after at most [`LAZY_WAIT`]. For writes whose loss in a crash only repeats work (a reply
    /// marked sent, an entry for a vanished ticket).
    pub fn commit_later(&self, batch: Batch) {
        self.later(|lazy| lazy.merge(batch));
    }

    /// [`Committer::commit_later`] of replies' changes alone, added to what waits without a
    /// batch of their own: every reply sent is marked so (#15).
    pub fn replies_later(&self, ops: impl IntoIterator<Item = ReplyOp>) {
        self.later(|lazy| lazy.replies.extend(ops));
    }

    fn later(&self, add: impl FnOnce(&mut Batch)) {
        let first = {
            let Ok(mut lazy) = self.lazy.lock() else { return };
            let was_empty = lazy.is_empty();
            add(&mut lazy);
            was_empty && !lazy.is_empty()
        };
        // Only the first write of a window wakes the committer (to start its timer): one
        // thread hand-off per window instead of one per reply. Nothing added wakes nobody.
        if first {
            let _ = self.tx.send(Job::Lazy);
        }
    }

    /// Runs `f` on the committer thread with no commit in progress: what it reads is one
    /// consistent state. `None` if the committer has stopped.
    pub async fn exclusive<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> T + Send + 'static,
    ) -> Option<T> {
        let (done, rx) = oneshot::channel();
        let job = Job::Exclusive(Box::new(move |store: &dyn Store| {
            let _ = done.send(f(store));
        }));
        self.tx.send(job).ok()?;
        rx.await.ok()
    }
}

/// How long writes nobody waits for may wait for a commit to ride along with; then they are
/// committed on their own. Replies are marked sent this way: committing each mark at once
/// would cost a flush and an fdatasync per reply sent.
const LAZY_WAIT: Duration = Duration::from_millis(50);

/// What the committer does next.
// One value at a time on the committer's stack: boxing the job would cost an allocation per
// commit to save bytes nobody keeps.
#[allow(clippy::large_enum_variant)]
enum Next {
    Job(Job),
    /// The oldest lazy write has waited long enough.
    LazyDue,
    /// Every handle is gone.
    Closed,
}

fn run(
    store: Arc<dyn Store>,
    rx: std_mpsc::Receiver<Job>,
    outbox_feed: Feed,
    lazy: Arc<Mutex<Batch>>,
) {
    let take_lazy = || lazy.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default();
    let mut carry: Option<Job> = None;
    let mut lazy_since: Option<Instant> = None;
    loop {
        let next = match (carry.take(), lazy_since) {
            (Some(job), _) => Next::Job(job),
            (None, Some(since)) => match rx.recv_timeout(LAZY_WAIT.saturating_sub(since.elapsed()))
            {
                Ok(job) => Next::Job(job),
                Err(std_mpsc::RecvTimeoutError::Timeout) => Next::LazyDue,
                Err(std_mpsc::RecvTimeoutError::Disconnected) => Next::Closed,
            },
            (None, None) => rx.recv().map_or(Next::Closed, Next::Job),
        };
        let mut waited = Vec::new();
        match next {
            Next::Job(Job::Exclusive(f)) => {
                f(store.as_ref());
                continue;
            }
            Next::Job(Job::Lazy) => {
                lazy_since.get_or_insert_with(Instant::now);
                continue;
            }
            Next::Job(Job::Commit(batch, done)) => waited.push((batch, done)),
            Next::LazyDue => {}
            Next::Closed => {
                let _ = commit(store.as_ref(), &outbox_feed, take_lazy(), Vec::new());
                return;
            }
        }
        // Group commit: never wait to fill, take only what is already queued (up to the next
        // exclusive job, which must see exactly the commits before it).
        while let Ok(more) = rx.try_recv() {
            match more {
                Job::Commit(batch, done) => waited.push((batch, done)),
                Job::Lazy => {}
                exclusive => {
                    carry = Some(exclusive);
                    break;
                }
            }
        }
        // Lazy writes (marks of replies already sent, entries of vanished tickets) never touch
        // what the waited batches write, so their place in the merge does not matter.
        let mut merged = take_lazy();
        lazy_since = None;
        // On a shared store one stale step refuses the whole merged commit: the parts are kept
        // to be committed one by one then, so the others (and the lazy marks of replies sent)
        // are not lost with it.
        let parts = store.shared().then(|| {
            let mut parts = vec![merged.clone()];
            parts.extend(waited.iter().map(|(batch, _)| batch.clone()));
            parts
        });
        let mut waiters = Vec::with_capacity(waited.len());
        for (batch, done) in waited {
            merged.merge(batch);
            waiters.push(done);
        }
        match (commit(store.as_ref(), &outbox_feed, merged, waiters), parts) {
            (Err((StoreError::Conflict(_), waiters)), Some(mut parts)) => {
                let lazy = parts.remove(0);
                let _ = commit(store.as_ref(), &outbox_feed, lazy, Vec::new());
                for (batch, done) in parts.into_iter().zip(waiters) {
                    let _ = commit(store.as_ref(), &outbox_feed, batch, vec![done]);
                }
            }
            (Err((_, waiters)), _) => {
                for w in waiters {
                    let _ = w.send(false);
                }
            }
            (Ok(()), _) => {}
        }
    }
}

/// Commits one batch, reports its outbox changes, then completes its waiters; on failure
/// the waiters are handed back with the error.
fn commit(
    store: &dyn Store,
    outbox_feed: &Feed,
    mut merged: Batch,
    waiters: Vec<oneshot::Sender<bool>>,
) -> Result<(), (StoreError, Vec<oneshot::Sender<bool>>)> {
    if let Err(e) = store.commit(&merged) {
        tracing::error!(error = %e, "commit failed; the messages will be redelivered");
        return Err((e, waiters));
    }
    // Before the waiters hear: the shards take these sessions back into their caches, and a
    // session shared with nothing is taken without a copy.
    drop(std::mem::take(&mut merged.sessions));
    if !merged.outbox.is_empty()
        && let Ok(mut feed) = outbox_feed.lock()
    {
        // A worker that is gone (shutdown) unsubscribes itself this way.
        if feed.as_ref().is_some_and(|tx| tx.send(merged.outbox).is_err()) {
            *feed = None;
        }
    }
    for w in waiters {
        let _ = w.send(true);
    }
    Ok(())
}
