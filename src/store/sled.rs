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
//! Outbox ops join the same `apply_batch`; keeping the due index exact needs each touched
//! entry's stored due, read before the batch is built (safe for the same reason: one writer).
//! See `sled/outbox.rs`.
//!
//! Sessions, rewritten by every message, are packed: the sessions of a commit share a few
//! records, and memory knows where each chat's is (`sled/sessions.rs`). Pending replies are
//! grouped per commit the same way (`sled/replies.rs`).
//!
//! Durability: `Db::flush` ends in `sync_file_range` on Linux, which survives `kill -9` but not
//! a power cut (no device cache flush, no metadata), and sled never syncs `conf` or blob files.
//! So after every flush we `fdatasync` new blob files, then the log file `db`.
//!
//! Erasure is crypto-shredding (`seal.rs`, `keys.rs`, `codec/sealed.rs`): sessions, tickets'
//! personal fields and reply groups are sealed under keys kept in the key file `keys` beside
//! sled's files. A commit that deletes a session, erases a ticket or sends a group's last
//! reply destroys that key (an erasure's keys right after its commit, durably, before the
//! commit returns; a crash in between is finished at open), so old copies in sled's log
//! become noise; no store rewrite, no exclusive lock. `maintain.rs` seals an older store's plaintext once at
//! open and then rewrites it ([`SledStore::compact`]), the one time the whole store is copied.

mod maintain;
mod outbox;
mod records;
mod replies;
mod sessions;

use super::keys::{KeyFile, Purpose};
use super::{Batch, R, SessionVisit, Store, StoreError, codec};
use crate::audit::AuditEvent;
use crate::clock::Timestamp;
use crate::model::TicketNo;
use crate::model::account::{Account, SessionOp, StaffSession};
use crate::model::outbox::OutboxEntry;
use crate::model::reply::Outgoing;
use crate::model::session::Session;
use crate::model::ticket::Ticket;
use crate::model::{Channel, ChatKey, MessageId};
use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock, RwLockReadGuard};
use std::time::Duration;

/// The one tree holding every record; kinds are told apart by the key's first byte.
const TREE: &str = "records";
/// The key file, inside the store's folder so it moves with it.
const KEY_FILE: &str = "keys";
/// Longest single pause while waiting for the lock of a just-dropped `Db`; the pauses double
/// from 5 ms, so the whole wait stays under twice this.
const LOCK_WAIT: Duration = Duration::from_millis(640);

/// A [`Store`] on sled; see the module docs. The open database sits behind a lock only so
/// [`SledStore::compact`] (sealing an older store, once) can swap in a rewritten copy; every
/// other call takes it shared.
pub struct SledStore {
    dir: PathBuf,
    cache_bytes: u64,
    open: RwLock<Database>,
}

/// One opened sled database.
pub(super) struct Database {
    db: sled::Db,
    pub(super) tree: sled::Tree,
    pub(super) files: Mutex<Files>,
    /// The pending reply groups as stored (see `sled/replies.rs`).
    replies: Mutex<replies::Groups>,
    /// Where each chat's session is stored (see `sled/sessions.rs`).
    sessions: Mutex<sessions::Index>,
    /// The keys sealed records are sealed under.
    pub(super) keys: KeyFile,
}

/// Sled's files that need an explicit `fdatasync`, kept open so a sync costs one syscall.
pub(super) struct Files {
    /// The log: every record and batch manifest goes here.
    log: File,
    /// Where sled writes values too large for the log, one new file each, never synced by it.
    blob_dir: PathBuf,
    /// Blob files already synced, with the length they had then.
    pub(super) synced_blobs: HashMap<OsString, u64>,
}

impl SledStore {
    /// Opens or creates the store in `dir`, with `cache_bytes` of page cache (sled's default of
    /// 1 GiB would dwarf the rest of the service).
    pub fn open(dir: &Path, cache_bytes: u64) -> R<Self> {
        maintain::finish_interrupted_compaction(dir)?;
        let open = Database::open(dir, cache_bytes)?;
        let store = Self { dir: dir.to_path_buf(), cache_bytes, open: RwLock::new(open) };
        store.prepare()?;
        Ok(store)
    }

    /// Bytes the store takes on disk; 0 if sled cannot tell (a metric, not worth an error).
    pub fn size_on_disk(&self) -> u64 {
        self.read().map_or(0, |o| o.db.size_on_disk().unwrap_or(0))
    }

    pub(super) fn read(&self) -> R<RwLockReadGuard<'_, Database>> {
        self.open.read().map_err(|_| StoreError::Io("store lock poisoned".into()))
    }
}

impl Database {
    fn open(dir: &Path, cache_bytes: u64) -> R<Self> {
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
        let keys = KeyFile::open(&dir.join(KEY_FILE))?;
        let replies = Mutex::new(replies::Groups::load(&tree, &keys)?);
        let sessions = Mutex::default();
        let store = Self { db, tree, files: Mutex::new(files), replies, sessions, keys };
        // Whatever an earlier process flushed but did not sync becomes durable before use.
        store.sync()?;
        store.finish_erasures()?;
        *store.session_index()? = sessions::Index::load(&store)?;
        Ok(store)
    }

    /// Destroys the keys of erasures that were committed but not finished (a crash between
    /// the commit and the keys' destruction), then forgets them.
    fn finish_erasures(&self) -> R<()> {
        let mut finished = Vec::new();
        for entry in self.tree.scan_prefix(codec::erasing_prefix()) {
            let (key, value) = entry.map_err(|e| sled_error("scan", e))?;
            self.keys.destroy(&codec::decode_erasing(&value)?, true)?;
            finished.push(key);
        }
        if finished.is_empty() {
            return Ok(());
        }
        tracing::info!(erasures = finished.len(), "finished erasures interrupted by a crash");
        for key in finished {
            self.tree.remove(key).map_err(|e| sled_error("write", e))?;
        }
        self.sync()
    }

    fn raw(&self, key: &[u8]) -> R<Option<sled::IVec>> {
        self.tree.get(key).map_err(|e| sled_error("read", e))
    }

    fn decode_ticket(&self, bytes: &[u8]) -> R<Ticket> {
        codec::open_ticket(bytes, &self.keys)
    }

    fn reply_groups(&self) -> R<std::sync::MutexGuard<'_, replies::Groups>> {
        self.replies.lock().map_err(|_| StoreError::Io("reply lock poisoned".into()))
    }

    /// Dedupe markers: one record per hour per commit, however many messages it stepped;
    /// expiry removes whole hours (a range, not a scan of everything).
    fn write_seen(&self, batch: &Batch, writes: &mut sled::Batch) -> R<()> {
        for (hour, hashes) in &batch.seen_by_hour() {
            // Random low bits keep two commits of the same hour apart.
            let key = codec::seen_key(*hour, u64::from_le_bytes(rand8()));
            writes.insert(&key[..], codec::encode_seen(hashes));
        }
        if let Some(before) = batch.seen_expired {
            let end = codec::seen_hour_start(codec::seen_hour(before));
            let expired = &codec::seen_prefix()[..]..&end[..];
            let legacy = self.tree.scan_prefix(codec::legacy_seen_prefix());
            for item in self.tree.range(expired).chain(legacy) {
                let (key, _) = item.map_err(|e| sled_error("scan", e))?;
                writes.remove(key);
            }
        }
        Ok(())
    }

    /// [`Store::export`] of the records in `range` but session packs.
    fn export_others(
        &self,
        range: (Bound<&[u8]>, Bound<&[u8]>),
        visit: &mut super::Visit,
    ) -> R<u64> {
        let mut n = 0;
        for item in self.tree.range::<&[u8], _>(range) {
            let (k, v) = item.map_err(|e| sled_error("read", e))?;
            if codec::session_pack_id(&k).is_some() {
                continue;
            }
            if let Some(plain) = codec::plain_record(&k, &v, &self.keys)? {
                visit(&k, &plain)?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Flushes sled's buffers, then makes the files reach the device.
    pub(super) fn sync(&self) -> R<()> {
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
        // sled deletes replaced blobs on its own threads, so one listed here may be gone by
        // the time it is looked at: it is no longer referenced, and there is nothing to sync.
        // (Failing the commit for it once failed a whole round of citizens' messages.)
        let gone = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
        for entry in entries {
            let entry = entry.map_err(|e| io_error("list blobs", e))?;
            let len = match entry.metadata() {
                Ok(meta) => meta.len(),
                Err(e) if gone(&e) => continue,
                Err(e) => return Err(io_error("stat blob", e)),
            };
            let name = entry.file_name();
            if self.synced_blobs.get(&name) != Some(&len) {
                let file = match File::open(entry.path()) {
                    Ok(file) => file,
                    Err(e) if gone(&e) => continue,
                    Err(e) => return Err(io_error("open blob", e)),
                };
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

impl Store for Database {
    fn load_session(&self, chat: &ChatKey) -> R<Option<Session>> {
        let Some(bytes) = self.session_record(chat)? else { return Ok(None) };
        codec::open_session(&bytes, &self.keys)
    }

    fn sessions(&self, visit: &mut SessionVisit) -> R<()> {
        self.session_records(&mut |_, chat, record| {
            // A session whose key is gone (erased; the index forgets it at the next open): none.
            match codec::open_session(record, &self.keys)? {
                Some(session) => visit(chat, session),
                None => Ok(()),
            }
        })
    }

    fn seen_between(&self, from: Timestamp, until: Timestamp) -> R<Vec<u64>> {
        let (from, until) = (codec::seen_hour(from), codec::seen_hour(until));
        let mut out = Vec::new();
        if from >= until {
            return Ok(out);
        }
        let range = codec::seen_hour_start(from)..codec::seen_hour_start(until);
        for item in self.tree.range(range) {
            let (_, value) = item.map_err(|e| sled_error("scan", e))?;
            out.extend(codec::decode_seen(&value)?);
        }
        Ok(out)
    }

    fn seen_legacy(&self) -> R<Vec<MessageId>> {
        let mut out = Vec::new();
        for item in self.tree.scan_prefix(codec::legacy_seen_prefix()) {
            let (key, _) = item.map_err(|e| sled_error("scan", e))?;
            out.extend(codec::legacy_seen_id(&key));
        }
        Ok(out)
    }

    fn ticket(&self, no: &TicketNo) -> R<Option<Ticket>> {
        self.raw(&codec::ticket_key(no))?.map(|b| self.decode_ticket(&b)).transpose()
    }

    fn tickets_of(&self, chat: &ChatKey) -> R<Vec<Ticket>> {
        let prefix = codec::index_prefix(chat);
        let mut found = Vec::new();
        for entry in self.tree.scan_prefix(&prefix) {
            let (key, _) = entry.map_err(|e| sled_error("scan", e))?;
            let Some(ticket_key) = codec::ticket_key_from_index(&prefix, &key) else {
                continue;
            };
            let Some(ticket) =
                self.raw(&ticket_key)?.map(|b| self.decode_ticket(&b)).transpose()?
            else {
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
        self.raw(&codec::script_key(id, version))?.map(|b| codec::decode_script(&b)).transpose()
    }

    fn scripts(&self) -> R<Vec<(String, u32)>> {
        let mut found = Vec::new();
        for entry in self.tree.scan_prefix(codec::script_prefix()) {
            let (key, _) = entry.map_err(|e| sled_error("scan", e))?;
            found.push(codec::parse_script_key(&key)?);
        }
        Ok(found)
    }

    fn tickets(&self) -> R<Vec<Ticket>> {
        let mut found = Vec::new();
        for entry in self.tree.scan_prefix(codec::ticket_prefix()) {
            let (_, value) = entry.map_err(|e| sled_error("scan", e))?;
            found.push(self.decode_ticket(&value)?);
        }
        Ok(found)
    }

    fn outbox_pending(&self) -> R<Vec<OutboxEntry>> {
        outbox::pending(&self.tree)
    }

    fn outbox_dead(&self) -> R<Vec<OutboxEntry>> {
        outbox::dead(&self.tree)
    }

    fn pending_replies(&self, channel: Channel) -> R<Vec<(ChatKey, u64, Outgoing)>> {
        self.reply_groups()?.pending(&self.tree, &self.keys, channel)
    }

    fn chat_pending_replies(&self, chat: &ChatKey) -> R<Vec<(u64, Outgoing)>> {
        self.reply_groups()?.pending_of(&self.tree, &self.keys, chat)
    }

    /// Plain records (`codec::plain_record`): a backup holds no keys and restores under
    /// fresh ones; what was erased before it is not in it. Sessions come out one record per
    /// chat, in key order among the rest, as stores before packs held them.
    fn export(&self, visit: &mut super::Visit) -> R<u64> {
        // Every session key starts with the one byte of `session_prefix`: the records before
        // it, the sessions, the records after it is key order.
        let sessions = codec::session_prefix();
        let after = [sessions[0] + 1];
        let mut n = self.export_others((Bound::Unbounded, Bound::Excluded(sessions)), visit)?;
        self.session_records(&mut |key, _, record| {
            if let Some(session) = codec::open_session(record, &self.keys)? {
                visit(key, &codec::encode_session(&session)?)?;
                n += 1;
            }
            Ok(())
        })?;
        n += self.export_others((Bound::Included(&after[..]), Bound::Unbounded), visit)?;
        Ok(n)
    }

    fn import(&self, records: &mut dyn Iterator<Item = R<(Vec<u8>, Vec<u8>)>>) -> R<u64> {
        let mut n = 0;
        let mut writes = sled::Batch::default();
        for r in records {
            let (k, v) = r?;
            writes.insert(k, v);
            n += 1;
            if n % 10_000 == 0 {
                self.tree
                    .apply_batch(std::mem::take(&mut writes))
                    .map_err(|e| sled_error("write", e))?;
            }
        }
        self.tree.apply_batch(writes).map_err(|e| sled_error("write", e))?;
        self.sync()?;
        // Imported reply groups are pending like any others.
        *self.reply_groups()? = replies::Groups::load(&self.tree, &self.keys)?;
        *self.session_index()? = sessions::Index::load(self)?;
        Ok(n)
    }

    fn audit_log(&self, max: usize) -> R<Vec<AuditEvent>> {
        let mut out = Vec::new();
        for item in self.tree.scan_prefix(codec::audit_prefix()).rev().take(max) {
            let (_, v) = item.map_err(|e| sled_error("read", e))?;
            out.push(codec::decode_audit(&v)?);
        }
        Ok(out)
    }

    fn account(&self, login: &str) -> R<Option<Account>> {
        self.raw(&codec::account_key(login))?.map(|b| codec::decode_account(&b)).transpose()
    }

    fn accounts(&self) -> R<Vec<Account>> {
        let mut out = Vec::new();
        for item in self.tree.scan_prefix(codec::account_prefix()) {
            let (_, v) = item.map_err(|e| sled_error("read", e))?;
            out.push(codec::decode_account(&v)?);
        }
        Ok(out)
    }

    fn staff_session(&self, token_hash: &[u8; 32]) -> R<Option<StaffSession>> {
        self.raw(&codec::staff_session_key(token_hash))?
            .map(|b| codec::decode_staff_session(&b))
            .transpose()
    }

    fn is_empty(&self) -> R<bool> {
        Ok(self.tree.is_empty())
    }

    fn commit(&self, batch: &Batch) -> R<()> {
        if batch.is_empty() {
            return Ok(());
        }
        // Encode everything before writing anything, so a bad record aborts the whole batch.
        // sled::Batch keeps the last write per key, which is what "later writes win" needs.
        let mut writes = sled::Batch::default();
        // Keys of erased sessions and tickets: destroyed, durably, once the batch is (below).
        let mut doomed = Vec::new();
        // Held until the commit is done: commits one at a time, each building on what the
        // last one left in memory (reply groups, where sessions are).
        let mut groups = self.reply_groups()?;
        // At most this many new keys; reserving them here costs one key-file sync, not many.
        self.keys.reserve(Purpose::Record, batch.sessions.len() + batch.tickets.len())?;
        let sessions =
            self.session_index()?.write(self, &batch.sessions, &mut writes, &mut doomed)?;
        self.write_tickets(&batch.tickets, &mut writes, &mut doomed)?;
        self.write_seen(batch, &mut writes)?;
        for (id, version, source) in &batch.scripts {
            writes.insert(codec::script_key(id, *version), codec::encode_script(source));
        }
        let replies = groups.write(&self.tree, &self.keys, &batch.replies, &mut writes)?;
        for e in &batch.audit {
            // Random low bits keep two events of the same second apart.
            let seq = u64::from_le_bytes(rand8());
            writes.insert(codec::audit_key(e.at, seq), codec::encode_audit(e)?);
        }
        outbox::write(&self.tree, &batch.outbox, &mut writes)?;
        for account in &batch.accounts {
            writes.insert(codec::account_key(&account.login), codec::encode_account(account)?);
        }
        for op in &batch.staff_sessions {
            match op {
                SessionOp::Put(hash, session) => writes.insert(
                    &codec::staff_session_key(hash)[..],
                    codec::encode_staff_session(session)?,
                ),
                SessionOp::End(hash) => writes.remove(&codec::staff_session_key(hash)[..]),
                // Few: a handful of sessions per staff member, each at most a working day.
                SessionOp::EndAll(login) => {
                    for item in self.tree.scan_prefix(codec::staff_session_prefix()) {
                        let (key, value) = item.map_err(|e| sled_error("scan", e))?;
                        if codec::decode_staff_session(&value)?.login == *login {
                            writes.remove(key);
                        }
                    }
                }
            }
        }
        // An erasure is committed with the keys it dooms and they are destroyed right after,
        // before the commit returns (so before any reply about it): a crash in between is
        // finished at the next open (`finish_erasures`). Destroying them first instead would
        // let a crash leave a session whose key is gone while its erasure never happened: the
        // citizen's confirmation would meet an empty chat.
        let erasing = (!doomed.is_empty()).then(|| {
            let key = codec::erasing_key(u64::from_le_bytes(rand8()));
            writes.insert(&key, codec::encode_erasing(&doomed));
            key
        });
        // A wholly sent group's key needs no sync of its own (keys.rs says why).
        self.keys.destroy(&replies.finished, false)?;
        self.tree.apply_batch(writes).map_err(|e| sled_error("write", e))?;
        self.sync()?;
        if let Some(key) = erasing {
            self.keys.destroy(&doomed, true)?;
            // Durable with the next commit's flush; found again after a crash, it only destroys
            // keys already gone.
            self.tree.remove(key).map_err(|e| sled_error("write", e))?;
        }
        groups.apply(replies);
        self.session_index()?.apply(sessions);
        Ok(())
    }
}

fn rand8() -> [u8; 8] {
    let mut b = [0u8; 8];
    // Uniqueness within one second only needs to be likely; a clock-based fallback will do.
    if getrandom::fill(&mut b).is_err() {
        b = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            .to_le_bytes();
    }
    b
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
mod erasure_tests;
#[cfg(test)]
mod tests;

/// Every call on the currently open database.
impl Store for SledStore {
    fn load_session(&self, chat: &ChatKey) -> R<Option<Session>> {
        self.read()?.load_session(chat)
    }
    fn sessions(&self, visit: &mut SessionVisit) -> R<()> {
        self.read()?.sessions(visit)
    }
    fn seen_between(&self, from: Timestamp, until: Timestamp) -> R<Vec<u64>> {
        self.read()?.seen_between(from, until)
    }
    fn seen_legacy(&self) -> R<Vec<MessageId>> {
        self.read()?.seen_legacy()
    }
    fn ticket(&self, no: &TicketNo) -> R<Option<Ticket>> {
        self.read()?.ticket(no)
    }
    fn tickets_of(&self, chat: &ChatKey) -> R<Vec<Ticket>> {
        self.read()?.tickets_of(chat)
    }
    fn script_source(&self, id: &str, version: u32) -> R<Option<String>> {
        self.read()?.script_source(id, version)
    }
    fn scripts(&self) -> R<Vec<(String, u32)>> {
        self.read()?.scripts()
    }
    fn tickets(&self) -> R<Vec<Ticket>> {
        self.read()?.tickets()
    }
    fn outbox_pending(&self) -> R<Vec<OutboxEntry>> {
        self.read()?.outbox_pending()
    }
    fn outbox_dead(&self) -> R<Vec<OutboxEntry>> {
        self.read()?.outbox_dead()
    }
    fn audit_log(&self, max: usize) -> R<Vec<AuditEvent>> {
        self.read()?.audit_log(max)
    }
    fn account(&self, login: &str) -> R<Option<Account>> {
        self.read()?.account(login)
    }
    fn accounts(&self) -> R<Vec<Account>> {
        self.read()?.accounts()
    }
    fn staff_session(&self, token_hash: &[u8; 32]) -> R<Option<StaffSession>> {
        self.read()?.staff_session(token_hash)
    }
    fn pending_replies(&self, channel: Channel) -> R<Vec<(ChatKey, u64, Outgoing)>> {
        self.read()?.pending_replies(channel)
    }
    fn chat_pending_replies(&self, chat: &ChatKey) -> R<Vec<(u64, Outgoing)>> {
        self.read()?.chat_pending_replies(chat)
    }
    fn commit(&self, batch: &Batch) -> R<()> {
        self.read()?.commit(batch)
    }
    fn export(&self, visit: &mut super::Visit) -> R<u64> {
        self.read()?.export(visit)
    }
    /// Backups hold plain records: they are sealed under fresh keys, then the store is
    /// rewritten so the plaintext just written leaves no copy.
    fn import(&self, records: &mut dyn Iterator<Item = R<(Vec<u8>, Vec<u8>)>>) -> R<u64> {
        let n = self.read()?.import(records)?;
        self.seal_all()?;
        Ok(n)
    }
    fn is_empty(&self) -> R<bool> {
        self.read()?.is_empty()
    }
    fn compact(&self) -> R<u64> {
        SledStore::compact(self)
    }
}
