//! Each platform message is stepped at most once for as long as the platform may deliver it
//! again (Meta retries for up to 7 days), and telling a redelivery from a new message costs no
//! store read.
//!
//! Every stepped message is kept as its 64-bit hash ([`MessageId::hash`]): in memory, in one set
//! for all chats (8 bytes a message, see [`Hashes`]); on disk, as markers committed with the
//! step itself (one record per commit and hour, see `store::codec`), from which the set is
//! rebuilt exactly after a restart or a crash.
//! Markers are not part of the session, so erasing a chat's data keeps them: a hash of a
//! platform id says nothing about the citizen. [`Pruner`] drops the hours older than the window,
//! from the store (through the committer) and then from the set.

use crate::clock::{Clock, Timestamp};
use crate::commit::Committer;
use crate::fast_hash::{HashSet, HashSetExt};
use crate::model::MessageId;
use crate::store::{Batch, Seen, Store, StoreError};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often expired markers are dropped; they expire by whole hours.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// The hashes of the messages stepped within the window.
pub struct Dedupe {
    seen: Mutex<Hashes>,
    window_secs: i64,
}

impl Dedupe {
    /// The set as the store has it: every marker of the window, and the old layout's markers
    /// (the first prune writes those again in the new one).
    pub fn load(store: &dyn Store, now: Timestamp, window_secs: i64) -> Result<Self, StoreError> {
        let mut hashes = store.seen_between(now.plus_secs(-window_secs), Timestamp(i64::MAX))?;
        hashes.extend(store.seen_legacy()?.iter().map(MessageId::hash));
        Ok(Self { seen: Mutex::new(Hashes::from_vec(hashes)), window_secs })
    }

    // A poisoned lock means a panic while moving plain numbers: the set is still whole.
    fn hashes(&self) -> std::sync::MutexGuard<'_, Hashes> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Was a message with this hash stepped within the window (and committed)?
    pub fn contains(&self, hash: u64) -> bool {
        self.hashes().contains(hash)
    }

    /// Takes in the hashes of a committed round.
    pub fn insert(&self, hashes: &[u64]) {
        self.hashes().insert(hashes);
    }

    fn forget(&self, hashes: &[u64]) {
        self.hashes().forget(hashes);
    }
}

/// A set of hashes in 8 bytes each: the set holds every message of the window (Meta's 7 days),
/// and a `HashSet` would take 9–18 bytes a hash and, while it doubles, both tables at once.
/// Most hashes sit in a sorted vector; new ones wait in a small `HashSet` until there are enough
/// to merge them in, in place and in one pass.
#[derive(Default)]
struct Hashes {
    /// Sorted, without duplicates.
    settled: Vec<u64>,
    /// Inserted since the last merge; none of them is in `settled`.
    recent: HashSet<u64>,
}

/// The fewest new hashes worth a merge; below a sixteenth of the set, merges wait longer, so
/// each hash is moved about sixteen times at most over its life.
const MERGE_AT_LEAST: usize = 4096;

impl Hashes {
    fn from_vec(mut hashes: Vec<u64>) -> Self {
        hashes.sort_unstable();
        hashes.dedup();
        hashes.shrink_to_fit();
        Self { settled: hashes, recent: HashSet::new() }
    }

    fn contains(&self, hash: u64) -> bool {
        self.recent.contains(&hash) || self.settled.binary_search(&hash).is_ok()
    }

    fn insert(&mut self, hashes: &[u64]) {
        for &hash in hashes {
            if self.settled.binary_search(&hash).is_err() {
                self.recent.insert(hash);
            }
        }
        if self.recent.len() >= MERGE_AT_LEAST.max(self.settled.len() / 16) {
            self.merge();
        }
    }

    /// Moves `recent` into `settled`, merging from the back so no second vector is needed.
    fn merge(&mut self) {
        let mut new: Vec<u64> = self.recent.drain().collect();
        new.sort_unstable();
        let old_len = self.settled.len();
        self.settled.reserve_exact(new.len());
        self.settled.resize(old_len + new.len(), 0);
        let (mut old, mut write) = (old_len, self.settled.len());
        while let Some(&next) = new.last() {
            write -= 1;
            if old > 0 && self.settled[old - 1] > next {
                old -= 1;
                self.settled[write] = self.settled[old];
            } else {
                self.settled[write] = next;
                new.pop();
            }
        }
        // `recent` keeps its table for the next round; it is small by construction.
    }

    fn forget(&mut self, hashes: &[u64]) {
        let mut gone = hashes.to_vec();
        gone.sort_unstable();
        for hash in &gone {
            self.recent.remove(hash);
        }
        self.settled.retain(|h| gone.binary_search(h).is_err());
        self.settled.shrink_to_fit();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stream of hashes with repeats (xorshift, no rand crate).
    fn stream(n: usize, seed: u64) -> Vec<u64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // A small range now and then, so some hashes come twice.
                if x.is_multiple_of(5) { x % 1000 } else { x }
            })
            .collect()
    }

    #[test]
    fn the_compact_set_agrees_with_a_hash_set_through_merges_and_forgetting() {
        let mut model = HashSet::new();
        let mut set = Hashes::from_vec(stream(3000, 1));
        model.extend(stream(3000, 1));
        for round in 0..40u64 {
            let batch = stream(700, round + 2);
            set.insert(&batch);
            model.extend(batch.iter().copied());
            if round % 7 == 6 {
                let gone: Vec<u64> =
                    model.iter().copied().filter(|h| h.is_multiple_of(3)).collect();
                set.forget(&gone);
                for h in &gone {
                    model.remove(h);
                }
            }
            assert!(set.settled.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
            assert!(set.recent.iter().all(|h| set.settled.binary_search(h).is_err()));
            assert_eq!(set.settled.len() + set.recent.len(), model.len());
            for h in model.iter().take(500) {
                assert!(set.contains(*h));
            }
            for h in stream(200, 1000 + round) {
                assert_eq!(set.contains(h), model.contains(&h), "hash {h}");
            }
        }
        assert!(set.settled.len() > MERGE_AT_LEAST, "the test went through merges");
    }

    #[test]
    fn a_merge_keeps_every_hash_wherever_it_falls() {
        let mut set = Hashes::from_vec(vec![10, 20, 30]);
        set.recent.extend([5, 15, 25, 35, 40]);
        set.merge();
        assert_eq!(set.settled, vec![5, 10, 15, 20, 25, 30, 35, 40]);
        assert!(set.recent.is_empty());
        let mut empty = Hashes::default();
        empty.recent.extend([3, 1, 2]);
        empty.merge();
        assert_eq!(empty.settled, vec![1, 2, 3]);
    }
}
