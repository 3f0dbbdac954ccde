//! The committer: the one thread that writes. It merges every batch waiting at the moment into
//! one store commit (one flush for hundreds of messages) and then completes each batch.
//! Conversations, the outbox, the API and the SLA timer all write through it, so writes never
//! race and one flush serves them all.

use crate::outbox::entry::OutboxOp;
use crate::store::{Batch, Store};
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use tokio::sync::{Notify, oneshot};

type Job = (Batch, oneshot::Sender<bool>);

/// Handle to the committer thread; the thread ends when all handles are dropped.
#[derive(Clone)]
pub struct Committer {
    tx: std_mpsc::Sender<Job>,
    /// Woken after a commit that added outbox work, so delivery starts at once.
    outbox_wake: Arc<Notify>,
}

impl Committer {
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (tx, rx) = std_mpsc::channel::<Job>();
        let outbox_wake = Arc::new(Notify::new());
        let wake = outbox_wake.clone();
        std::thread::Builder::new()
            .name("pintu-committer".into())
            .spawn(move || run(store, rx, wake))
            // Without a committer nothing can be written; failing at start is the only option.
            .expect("spawn the committer thread");
        Self { tx, outbox_wake }
    }

    /// Notified after every commit that queued outbox work.
    pub fn outbox_wake(&self) -> Arc<Notify> {
        self.outbox_wake.clone()
    }

    /// Commits a batch (together with whatever else is waiting); true once it is durable.
    pub async fn commit(&self, batch: Batch) -> bool {
        let (done, rx) = oneshot::channel();
        if self.tx.send((batch, done)).is_err() {
            return false;
        }
        rx.await.unwrap_or(false)
    }
}

fn run(store: Arc<dyn Store>, rx: std_mpsc::Receiver<Job>, outbox_wake: Arc<Notify>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        // Group commit: never wait to fill, take only what is already queued.
        while let Ok(more) = rx.try_recv() {
            jobs.push(more);
        }
        let mut merged = Batch::default();
        let mut waiters = Vec::with_capacity(jobs.len());
        for (batch, done) in jobs {
            merged.merge(batch);
            waiters.push(done);
        }
        let ok = match store.commit(&merged) {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "commit failed; the messages will be redelivered");
                false
            }
        };
        for w in waiters {
            let _ = w.send(ok);
        }
        if ok && merged.outbox.iter().any(|op| matches!(op, OutboxOp::Put(_))) {
            outbox_wake.notify_one();
        }
    }
}
