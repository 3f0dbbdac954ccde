//! What runs at open, before anyone uses the store: finishing what a crash interrupted, and,
//! once per older store, sealing its plaintext.
//!
//! - An interrupted [`SledStore::compact`] is completed or rolled back, and its leftover
//!   folders (which may hold plaintext) are removed.
//! - Reply groups whose key is gone were wholly sent: they are removed. Reply keys no stored
//!   group refers to (pooled before a crash, or destroyed without a sync before a power cut)
//!   are destroyed.
//! - A store written before records were sealed (the key file's flag is not set) has its
//!   sessions, tickets and reply groups sealed under fresh keys, and is then rewritten once by
//!   [`SledStore::compact`] so the plaintext copies in sled's log go too. A crash anywhere in
//!   this repeats it at the next open (sealed records are left as they are). Restores go the
//!   same way, since backups hold plain records.

use super::{Database, KEY_FILE, SledStore, io_error, replies, sled_error};
use crate::store::keys::Purpose;
use crate::store::{R, Store, StoreError, codec};
use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Records sealed per `apply_batch` while sealing an older store.
const CHUNK: usize = 10_000;

/// The folders a compaction of `dir` goes through.
struct Folders {
    /// Being written.
    compacting: PathBuf,
    /// Complete and synced, about to replace `dir`.
    compacted: PathBuf,
    /// The store it replaces, until the swap is done.
    old: PathBuf,
    /// A throwaway store held while neither is open.
    swap: PathBuf,
}

impl Folders {
    fn of(dir: &Path) -> Self {
        Self {
            compacting: dir.with_extension("compacting"),
            compacted: dir.with_extension("compacted"),
            old: dir.with_extension("old"),
            swap: dir.with_extension("swap"),
        }
    }
}

/// Completes a swap a crash interrupted (or falls back to the old store), then removes every
/// leftover folder: an old store still holds the plaintext the compaction was to remove.
pub(super) fn finish_interrupted_compaction(dir: &Path) -> R<()> {
    let f = Folders::of(dir);
    let mut changed = false;
    if !dir.exists() {
        if f.compacted.exists() {
            std::fs::rename(&f.compacted, dir).map_err(|e| io_error("finish a compaction", e))?;
            changed = true;
        } else if f.old.exists() {
            std::fs::rename(&f.old, dir).map_err(|e| io_error("roll back a compaction", e))?;
            changed = true;
        }
    }
    for leftover in [&f.compacting, &f.compacted, &f.old, &f.swap] {
        match std::fs::remove_dir_all(leftover) {
            Ok(()) => changed = true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error("remove a compaction's leftovers", e)),
        }
    }
    if changed { sync_parent(dir) } else { Ok(()) }
}

impl SledStore {
    /// Runs at open; see the module docs.
    pub(super) fn prepare(&self) -> R<()> {
        let sealed = {
            let db = self.read()?;
            db.sweep()?;
            db.keys.all_sealed()?
        };
        if sealed { Ok(()) } else { self.seal_all() }
    }

    /// Seals every plaintext record, then rewrites the store once so no plaintext copy stays
    /// in sled's log, then records that it is done.
    pub(super) fn seal_all(&self) -> R<()> {
        let sealed = self.read()?.seal_plaintext()?;
        if sealed > 0 || !self.read()?.is_empty()? {
            tracing::info!(sealed, "store sealed; rewriting it once so no plaintext is left");
            self.compact()?;
        }
        self.read()?.keys.set_all_sealed()
    }

    /// Rewrites the store into a fresh folder holding only the live records (and the key file)
    /// and swaps it in; returns the records kept. sled keeps overwritten and deleted values in
    /// its log until it reuses the space: this leaves none. Readers and writers wait while it
    /// runs, so it is for sealing an older store once (at open, after a restore), never for
    /// routine erasure, which destroys keys instead.
    pub fn compact(&self) -> R<u64> {
        let mut guard =
            self.open.write().map_err(|_| StoreError::Io("store lock poisoned".into()))?;
        let f = Folders::of(&self.dir);
        finish_interrupted_compaction(&self.dir)?;
        crate::private_fs::create_private_dir(&f.compacting)
            .map_err(|e| io_error("create the compaction folder", e))?;
        guard.keys.sync()?;
        let keys = f.compacting.join(KEY_FILE);
        std::fs::copy(self.dir.join(KEY_FILE), &keys).map_err(|e| io_error("copy keys", e))?;
        File::open(&keys).and_then(|k| k.sync_all()).map_err(|e| io_error("sync keys", e))?;
        let n = {
            let fresh = Database::open(&f.compacting, self.cache_bytes)?;
            let mut records = Vec::new();
            guard.raw_records(&mut |k, v| {
                records.push(Ok((k.to_vec(), v.to_vec())));
                Ok(())
            })?;
            fresh.import(&mut records.into_iter())?
        };
        // The rename marks the copy complete: from here a crash finishes the swap at open.
        std::fs::rename(&f.compacting, &f.compacted)
            .map_err(|e| io_error("mark the compaction complete", e))?;
        sync_parent(&self.dir)?;
        // The old database must be closed before its folder moves.
        let placeholder = Database::open(&f.swap, 1 << 20)?;
        drop(std::mem::replace(&mut *guard, placeholder));
        std::fs::rename(&self.dir, &f.old).map_err(|e| io_error("move the old store", e))?;
        std::fs::rename(&f.compacted, &self.dir).map_err(|e| io_error("move the new store", e))?;
        sync_parent(&self.dir)?;
        *guard = Database::open(&self.dir, self.cache_bytes)?;
        // sled's threads may still be closing the old folders; what stays is removed at the
        // next open.
        if let Err(e) = finish_interrupted_compaction(&self.dir) {
            tracing::warn!(error = %e, "compaction leftovers remain until the next start");
        }
        Ok(n)
    }
}

impl Database {
    /// Every stored record as it is on disk (sealed), for a compaction.
    fn raw_records(&self, visit: &mut crate::store::Visit) -> R<u64> {
        let mut n = 0;
        for item in self.tree.iter() {
            let (k, v) = item.map_err(|e| sled_error("read", e))?;
            visit(&k, &v)?;
            n += 1;
        }
        Ok(n)
    }

    /// Removes wholly sent groups and destroys reply keys nothing refers to.
    fn sweep(&self) -> R<()> {
        let mut groups = self.reply_groups()?;
        let mut writes = sled::Batch::default();
        let shredded = groups.take_shredded();
        for id in &shredded {
            writes.remove(&codec::reply_group_key(*id)[..]);
            writes.remove(&codec::reply_group_sent_key(*id)[..]);
        }
        if !shredded.is_empty() {
            self.tree.apply_batch(writes).map_err(|e| sled_error("write", e))?;
            self.sync()?;
        }
        let referenced: HashSet<_> = groups.keys().collect();
        let orphans: Vec<_> = self
            .keys
            .reply_keys_at_open()?
            .into_iter()
            .filter(|k| !referenced.contains(k))
            .collect();
        self.keys.destroy(&orphans, true)
    }

    /// Seals every plaintext session, ticket and reply group (one-reply records of the oldest
    /// layout become groups of one); returns how many were sealed.
    fn seal_plaintext(&self) -> R<u64> {
        let mut n = 0u64;
        let mut writes = sled::Batch::default();
        let mut in_batch = 0;
        for item in self.tree.iter() {
            let (k, v) = item.map_err(|e| sled_error("read", e))?;
            if codec::is_session_key(&k) && codec::is_plain_session(&v) {
                let key = self.keys.take(Purpose::Record)?;
                writes.insert(k, codec::seal_session(&codec::decode_session(&v)?, &key)?);
            } else if codec::is_ticket_key(&k) && codec::is_plain_ticket(&v) {
                let ticket = codec::decode_ticket(&v)?;
                let key = codec::ticket_is_personal(&ticket)
                    .then(|| self.keys.take(Purpose::Record))
                    .transpose()?;
                writes.insert(k, codec::seal_ticket(&ticket, key.as_ref())?);
            } else if codec::is_reply_group_key(&k) && codec::is_plain_reply_group(&v) {
                let key = self.keys.take(Purpose::Reply)?;
                let group = codec::decode_reply_group(&v)?;
                writes.insert(k, codec::seal_reply_group(&codec::reply_group_refs(&group), &key)?);
            } else if let Some((chat, seq)) = codec::parse_reply_key(&k) {
                let key = self.keys.take(Purpose::Reply)?;
                let out = codec::decode_reply(&v)?;
                writes.insert(
                    &codec::reply_group_key(seq)[..],
                    codec::seal_reply_group(&[(&chat, seq, &out)], &key)?,
                );
                writes.remove(k);
            } else {
                continue;
            }
            n += 1;
            in_batch += 1;
            if in_batch == CHUNK {
                self.tree
                    .apply_batch(std::mem::take(&mut writes))
                    .map_err(|e| sled_error("write", e))?;
                in_batch = 0;
            }
        }
        self.tree.apply_batch(writes).map_err(|e| sled_error("write", e))?;
        self.sync()?;
        *self.reply_groups()? = replies::Groups::load(&self.tree, &self.keys)?;
        Ok(n)
    }
}

fn sync_parent(dir: &Path) -> R<()> {
    match dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_error("sync the data folder", e)),
        None => Ok(()),
    }
}
