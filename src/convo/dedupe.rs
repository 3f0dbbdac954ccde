//! Each platform message is stepped at most once for as long as the platform may deliver it
//! again (Meta retries for up to 7 days), and telling a redelivery from a new message costs no
//! store read.
//!
//! Every stepped message is kept as its 64-bit hash ([`MessageId::hash`]): in memory, in one set
//! for all chats; on disk, as markers committed with the step itself (one record per commit and
//! hour, see `store::codec`), from which the set is rebuilt exactly after a restart or a crash.
//! Markers are not part of the session, so erasing a chat's data keeps them: a hash of a
//! platform id says nothing about the citizen. [`Pruner`] drops the hours older than the window,
//! from the store (through the committer) and then from the set.

use crate::clock::{Clock, Timestamp};
use crate::commit::Committer;
use crate::model::MessageId;
use crate::store::{Batch, Seen, Store, StoreError};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often expired markers are dropped; they expire by whole hours.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// The hashes of the messages stepped within the window.
pub struct Dedupe {
    seen: Mutex<HashSet<u64>>,
    window_secs: i64,
}

impl Dedupe {
    /// The set as the store has it: every marker of the window, and the old layout's markers
    /// (the first prune writes those again in the new one).
    pub fn load(store: &dyn Store, now: Timestamp, window_secs: i64) -> Result<Self, StoreError> {
        let mut seen: HashSet<u64> = store
            .seen_between(now.plus_secs(-window_secs), Timestamp(i64::MAX))?
            .into_iter()
            .collect();
        seen.extend(store.seen_legacy()?.iter().map(MessageId::hash));
        Ok(Self { seen: Mutex::new(seen), window_secs })
    }

    /// Was a message with this hash stepped within the window (and committed)?
    pub fn contains(&self, hash: u64) -> bool {
        // A poisoned lock means a panic while inserting plain numbers: the set is still whole.
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).contains(&hash)
    }

    /// Takes in the hashes of a committed round.
    pub fn insert(&self, hashes: &[u64]) {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).extend(hashes);
    }

    fn forget(&self, hashes: &[u64]) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        for h in hashes {
            seen.remove(h);
        }
    }
}

/// The periodic job that lets markers expire.
pub struct Pruner {
    pub store: Arc<dyn Store>,
    pub committer: Committer,
    pub clock: Arc<dyn Clock>,
    pub dedupe: Arc<Dedupe>,
}

impl Pruner {
    /// Prunes at once, then every hour, until `shutdown`.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            match self.prune().await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(messages = n, "dedupe markers past the window dropped"),
                Err(e) => tracing::error!(error = %e, "dedupe markers could not be pruned"),
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(PRUNE_EVERY) => {}
            }
        }
    }

    /// One pass: the hours before the window leave the store in one commit, then the set.
    /// Markers of the old layout are written again as of now in that commit, so they keep
    /// protecting for one more window. Returns how many hashes expired.
    pub async fn prune(&self) -> Result<usize, StoreError> {
        let now = self.clock.now();
        let cutoff = now.plus_secs(-self.dedupe.window_secs);
        let expired = self.store.seen_between(Timestamp(i64::MIN), cutoff)?;
        let legacy: Vec<u64> = self.store.seen_legacy()?.iter().map(MessageId::hash).collect();
        let seen =
            if legacy.is_empty() { Vec::new() } else { vec![Seen { at: now, hashes: legacy }] };
        let batch = Batch { seen, seen_expired: Some(cutoff), ..Batch::default() };
        if !self.committer.commit(batch).await {
            return Err(StoreError::Io("the prune could not be committed".into()));
        }
        self.dedupe.forget(&expired);
        Ok(expired.len())
    }
}
