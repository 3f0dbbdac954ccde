//! The production [`Store`]: sled 0.34 in the data dir, one key-prefixed tree, and a commit that
//! returns only once its batch is on the device.
//!
//! Each commit is one `Tree::apply_batch` (atomic, also across a crash: sled logs a batch
//! manifest and recovery drops incomplete batches). Against a multi-tree transaction, 1,000
//! commits of 50 session writes (2 cores, virtual disk, medians of 5): 309 µs/commit against
//! 331 without the flush, 524 against 594 with flush and fdatasync. It is also simpler: no
//! conflict retries, no tuple of trees to grow, and the committer is the only writer, so a
//! transaction's isolation buys nothing. Key layout and bytes are `codec`'s alone.
//!
//! Durability: `Db::flush` ends in `sync_file_range` on Linux, which survives `kill -9` but not
//! a power cut (no device cache flush, no metadata), and sled never syncs `conf` or blob files.
//! So after every flush we `fdatasync` new blob files, then the log file `db`.

use super::{Batch, R, Store, StoreError, codec};
use crate::channel::{ChatKey, MessageId};
use crate::engine::session::Session;
use crate::ticket::TicketNo;
use crate::ticket::record::Ticket;
use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The one tree holding every record; kinds are told apart by the key's first byte.
const TREE: &str = "records";
/// Longest single pause while waiting for the lock of a just-dropped `Db`; the pauses double
/// from 5 ms, so the whole wait stays under twice this.
const LOCK_WAIT: Duration = Duration::from_millis(640);

/// A [`Store`] on sled; see the module docs.
pub struct SledStore {
    db: sled::Db,
    tree: sled::Tree,
    files: Mutex<Files>,
}

/// Sled's files that need an explicit `fdatasync`, kept open so a sync costs one syscall.
struct Files {
    /// The log: every record and batch manifest goes here.
    log: File,
    /// Where sled writes values too large for the log, one new file each, never synced by it.
    blob_dir: PathBuf,
    /// Blob files already synced, with the length they had then.
    synced_blobs: HashMap<OsString, u64>,
}

impl SledStore {
    /// Opens or creates the store in `dir`, with `cache_bytes` of page cache (sled's default of
    /// 1 GiB would dwarf the rest of the service).
    pub fn open(dir: &Path, cache_bytes: u64) -> R<Self> {
        let db = open_db(dir, cache_bytes)?;
        let tree = db.open_tree(TREE).map_err(|e| sled_error("open tree", e))?;
        let log = File::open(dir.join("db")).map_err(|e| io_error("open log file", e))?;
        // `conf` is written once, unsynced, when sled creates the store; the directory holds
        // the names of `db`, `conf` and `blobs`. Neither changes later, so once is enough.
        for path in [dir.join("conf"), dir.to_path_buf()] {
            let file = File::open(&path).map_err(|e| io_error("open for sync", e))?;
            file.sync_all().map_err(|e| io_error("sync at open", e))?;
        }
        let files = Files { log, blob_dir: dir.join("blobs"), synced_blobs: HashMap::new() };
        let store = Self { db, tree, files: Mutex::new(files) };
        // Whatever an earlier process flushed but did not sync becomes durable before use.
        store.sync()?;
        Ok(store)
    }

    /// Bytes the store takes on disk; 0 if sled cannot tell (a metric, not worth an error).
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }

    fn get<T>(&self, key: &[u8], decode: fn(&[u8]) -> R<T>) -> R<Option<T>> {
        let value = self.tree.get(key).map_err(|e| sled_error("read", e))?;
        value.map(|v| decode(&v)).transpose()
    }

    /// Flushes sled's buffers, then makes the files reach the device.
    fn sync(&self) -> R<()> {
        self.db.flush().map_err(|e| sled_error("flush", e))?;
        let mut files =
            self.files.lock().map_err(|_| StoreError::Io("sync lock poisoned".into()))?;
        files.sync()
    }
}

impl Files {
    fn sync(&mut self) -> R<()> {
        // Blobs first: the log may point at them, and a durable pointer to a lost blob would
        // make recovery fail.
        self.sync_blobs()?;
        self.log.sync_data().map_err(|e| io_error("fdatasync log", e))
    }

    /// Syncs blob files that are new or have grown since the last sync. Blobs are rare (values
    /// over a quarter segment), so this is usually one empty directory read.
    fn sync_blobs(&mut self) -> R<()> {
        let entries = match std::fs::read_dir(&self.blob_dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_error("list blobs", e)),
        };
        let mut now = HashMap::with_capacity(self.synced_blobs.len());
        let mut added = false;
        for entry in entries {
            let entry = entry.map_err(|e| io_error("list blobs", e))?;
            let len = entry.metadata().map_err(|e| io_error("stat blob", e))?.len();
            let name = entry.file_name();
            if self.synced_blobs.get(&name) != Some(&len) {
                let file = File::open(entry.path()).map_err(|e| io_error("open blob", e))?;
                file.sync_data().map_err(|e| io_error("fdatasync blob", e))?;
                added = true;
            }
            now.insert(name, len);
        }
        if added {
            // New names live in the directory, which needs its own sync.
            let dir = File::open(&self.blob_dir).map_err(|e| io_error("open blob dir", e))?;
            dir.sync_all().map_err(|e| io_error("sync blob dir", e))?;
        }
        // Dropping names sled has garbage-collected keeps the map from growing forever.
        self.synced_blobs = now;
        Ok(())
    }
}

impl Store for SledStore {
    fn load_session(&self, chat: &ChatKey) -> R<Option<Session>> {
        self.get(&codec::session_key(chat), codec::decode_session)
    }

    fn seen(&self, msg: &MessageId) -> R<bool> {
        self.tree.contains_key(codec::seen_key(msg)).map_err(|e| sled_error("read", e))
    }

    fn ticket(&self, no: &TicketNo) -> R<Option<Ticket>> {
        self.get(&codec::ticket_key(no), codec::decode_ticket)
    }

    fn tickets_of(&self, chat: &ChatKey) -> R<Vec<Ticket>> {
        let prefix = codec::index_prefix(chat);
        let mut found = Vec::new();
        for entry in self.tree.scan_prefix(&prefix) {
            let (key, _) = entry.map_err(|e| sled_error("scan", e))?;
            let Some(ticket_key) = codec::ticket_key_from_index(&prefix, &key) else {
                continue;
            };
            let Some(ticket) = self.get(&ticket_key, codec::decode_ticket)? else {
                continue;
            };
            // Skips entries of a longer chat id sharing the prefix, and stale entries left if a
            // ticket's chat or creation time were ever rewritten.
            if codec::index_key(&ticket) == *key {
                found.push(ticket);
            }
        }
        Ok(found)
    }

    fn script_source(&self, id: &str, version: u32) -> R<Option<String>> {
        self.get(&codec::script_key(id, version), codec::decode_script)
    }

    fn commit(&self, batch: &Batch) -> R<()> {
        if batch.is_empty() {
            return Ok(());
        }
        // Encode everything before writing anything, so a bad record aborts the whole batch.
        // sled::Batch keeps the last write per key, which is what "later writes win" needs.
        let mut writes = sled::Batch::default();
        for (chat, session) in &batch.sessions {
            let key = codec::session_key(chat);
            match session {
                Some(s) => writes.insert(key, codec::encode_session(s)?),
                None => writes.remove(key),
            }
        }
        for ticket in &batch.tickets {
            writes.insert(codec::ticket_key(&ticket.no), codec::encode_ticket(ticket)?);
            writes.insert(codec::index_key(ticket), &[][..]);
        }
        for msg in &batch.seen {
            writes.insert(codec::seen_key(msg), &[][..]);
        }
        for (id, version, source) in &batch.scripts {
            writes.insert(codec::script_key(id, *version), codec::encode_script(source));
        }
        self.tree.apply_batch(writes).map_err(|e| sled_error("write", e))?;
        self.sync()
    }
}

/// Opens sled, retrying briefly while the lock is held: a `Db` dropped in this process releases
/// its file lock only when sled's background threads finish (spacejam/sled#1234, #1289), so an
/// in-process reopen (tests, a restart) can race it. Another live process holds the lock far
/// longer than this wait (under 0.7 s), so a real double open still fails.
fn open_db(dir: &Path, cache_bytes: u64) -> R<sled::Db> {
    let config = sled::Config::new()
        .path(dir)
        .cache_capacity(cache_bytes)
        // Writes dominate (every message rewrites a session) and records are small, so we
        // trade disk space for less segment rewriting; `size_on_disk` lets ops watch it.
        .mode(sled::Mode::HighThroughput);
    let mut pause = Duration::from_millis(5);
    loop {
        match config.open() {
            Err(e) if is_lock_busy(&e) && pause < LOCK_WAIT => {
                std::thread::sleep(pause);
                pause *= 2;
            }
            result => return result.map_err(|e| sled_error("open", e)),
        }
    }
}

/// Sled 0.34 reports a held lock as an `Other` I/O error (the `WouldBlock` is only in the text),
/// and 0.34 is frozen, so matching the text is stable.
fn is_lock_busy(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io) if io.to_string().starts_with("could not acquire lock"))
}

/// Sled's messages name operations, paths and tree names, never record contents.
fn sled_error(op: &str, e: sled::Error) -> StoreError {
    match e {
        sled::Error::Corruption { .. } => StoreError::Corrupt(format!("sled {op}: {e}")),
        e => StoreError::Io(format!("sled {op}: {e}")),
    }
}

fn io_error(op: &str, e: std::io::Error) -> StoreError {
    StoreError::Io(format!("{op}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::suite::{self, store_suite};
    use tempfile::TempDir;

    const CACHE: u64 = 8 << 20;

    fn fresh() -> (SledStore, TempDir) {
        let dir = tempfile::tempdir().unwrap();
        (SledStore::open(dir.path(), CACHE).unwrap(), dir)
    }

    fn reopen(store: SledStore, dir: &TempDir) -> SledStore {
        drop(store);
        SledStore::open(dir.path(), CACHE).unwrap()
    }

    store_suite!(fresh(), reopen: reopen);

    /// A commit survives the store being dropped without any close or extra flush.
    #[test]
    fn commit_then_drop_without_close_then_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = SledStore::open(dir.path(), CACHE).unwrap();
            store.commit(&suite::sample_batch()).unwrap();
        }
        suite::assert_sample_batch(&SledStore::open(dir.path(), CACHE).unwrap());
    }

    /// The files as they are the moment `commit` returns, copied while the store is still open
    /// (so no drop or shutdown code runs), are what a `kill -9` leaves: they must hold the batch.
    #[test]
    fn files_right_after_commit_hold_the_batch() {
        let (store, dir) = fresh();
        store.commit(&suite::sample_batch()).unwrap();
        let copy = tempfile::tempdir().unwrap();
        copy_dir(dir.path(), copy.path());
        suite::assert_sample_batch(&SledStore::open(copy.path(), CACHE).unwrap());
        drop(store);
    }

    fn copy_dir(from: &Path, to: &Path) {
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    /// What sled 0.34 puts in the data dir, i.e. what `Files` must cover (`snap.*` files appear
    /// on shutdown; sled syncs those itself, and recovery can do without them).
    #[test]
    fn data_dir_holds_the_files_we_sync() {
        let (store, dir) = fresh();
        store.commit(&suite::sample_batch()).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["blobs", "conf", "db"]);
        assert!(store.size_on_disk() > 0);
    }

    /// Values past sled's blob threshold land in `blobs/`, get synced, and read back.
    #[test]
    fn large_values_go_to_synced_blobs() {
        let (store, dir) = fresh();
        let source = "x: y\n".repeat(40_000);
        let batch = Batch { scripts: vec![("big".into(), 1, source.clone())], ..Batch::default() };
        store.commit(&batch).unwrap();
        assert!(std::fs::read_dir(dir.path().join("blobs")).unwrap().count() > 0);
        assert!(!store.files.lock().unwrap().synced_blobs.is_empty());
        let store = reopen(store, &dir);
        assert_eq!(store.script_source("big", 1).unwrap(), Some(source));
    }

    #[test]
    fn unknown_formats_read_as_corrupt() {
        let (store, _dir) = fresh();
        let chat = suite::chat("1");
        store.tree.insert(codec::session_key(&chat), &[99u8, 1, 2][..]).unwrap();
        assert!(matches!(store.load_session(&chat), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn a_second_open_of_the_same_dir_fails() {
        let (_store, dir) = fresh();
        assert!(matches!(SledStore::open(dir.path(), CACHE), Err(StoreError::Io(_))));
    }
}
