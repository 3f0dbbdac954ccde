//! The key file: where the keys of sealed records live (see `seal.rs`), outside sled, so a
//! destroyed key is really gone. sled never overwrites in place (old versions stay in its log),
//! but this file is a flat array of fixed-size slots overwritten in place.
//!
//! Layout: a 16-byte header (`PINTUKEY`, layout version 1, a flag set once the store holds no
//! plaintext personal records, 6 reserved bytes), then 48-byte slots: key id (8, big-endian,
//! 0 = empty), purpose (1), 7 reserved bytes, the 32-byte key.
//!
//! Crash safety, both ways:
//! - a key reaches the device (written, `fdatasync`) before any commit that uses it: keys are
//!   handed out from pools written ahead, one sync per [`POOL`] keys or more (a commit
//!   reserves what it may need, so it syncs once at most);
//! - destroying a key overwrites its slot with zeros; a record key is destroyed and synced
//!   right after the sled commit that stops referring to it and before that commit returns
//!   (the commit carries a record of the erasure, which the next open finishes after a
//!   crash), so an erasure is on the device before its reply.
//!   Reply-group keys (the group was sent, nothing needs it) are zeroed without a sync of
//!   their own; one a crash brought back is found at the next open, since it is of purpose
//!   [`Purpose::Reply`] and no stored group refers to it, and destroyed then.
//!
//! The free list is derived at open from the empty slots. A crash can leave pooled keys that
//! nothing used: they seal nothing and cost 48 bytes each (reply ones are swept as above).
//!
//! Keys read lately are kept in memory ([`Recent`]): every commit reseals the sessions it
//! writes under their keys, and a read of the file for each was ~2 % of pintu's CPU per
//! message (BENCHMARKS.md, #15). Keys handed out are not: most seal a ticket or a reply group,
//! read again seldom or once. The file stays the truth: every write to a slot goes through
//! this type, which then drops the slot's copy in memory.

use super::seal::{KeyRef, Keyring, SealKey};
use super::{R, StoreError};
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use zeroize::Zeroizing;

const MAGIC: &[u8; 8] = b"PINTUKEY";
const LAYOUT: u8 = 1;
const HEADER: u64 = 16;
/// Offset of the "no plaintext left" flag in the header.
const SEALED_FLAG: u64 = 9;
const SLOT: usize = 48;
/// Keys written ahead with one `fdatasync`, at least.
pub const POOL: usize = 64;

/// What a key seals; only reply keys are swept at open (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A session or a ticket: lives as long as the record.
    Record = 1,
    /// One commit's group of pending replies: lives until they are all sent.
    Reply = 2,
}

/// The open key file.
pub struct KeyFile {
    file: File,
    state: Mutex<State>,
    recent: Mutex<Recent>,
}

/// How many keys [`Recent`] holds at most: 56 bytes a place, 448 kB in all. More than the
/// chats a shard's session cache holds; with more chats writing, the file is read for some.
const RECENT: usize = 8192;

/// Keys in memory, by slot: a fixed table where slot `n` can only sit at `n % RECENT`, so a
/// newer slot there replaces the older (slots are dense, so they spread evenly). Fixed, never
/// resized: a key leaves memory only by being dropped in place, and a dropped key is wiped
/// (`Zeroizing`), where a growing map would leave copies in the blocks it freed.
struct Recent(Vec<Option<SealKey>>);

impl Recent {
    fn get(&self, slot: u32) -> Option<&SealKey> {
        self.0[slot as usize % RECENT].as_ref().filter(|k| k.slot == slot)
    }

    fn put(&mut self, key: SealKey) {
        let at = key.slot as usize % RECENT;
        self.0[at] = Some(key);
    }

    /// Drops the slot's key if held (the slot is being overwritten).
    fn forget(&mut self, slot: u32) {
        let at = slot as usize % RECENT;
        if self.0[at].as_ref().is_some_and(|k| k.slot == slot) {
            self.0[at] = None;
        }
    }
}

#[derive(Default)]
struct State {
    /// Empty slots below `len`, reused before the file grows.
    free: Vec<u32>,
    /// Slots in the file.
    len: u32,
    /// Keys on the device and not yet handed out, per purpose (index `purpose - 1`).
    pools: [Vec<SealKey>; 2],
    /// The reply keys in the file when it was opened, for the sweep at open.
    reply_keys_at_open: Vec<KeyRef>,
}

impl KeyFile {
    /// Opens the key file at `path`, creating it owner-only if missing.
    pub fn open(path: &Path) -> R<Self> {
        let io = |op: &str, e: std::io::Error| StoreError::Io(format!("key file {op}: {e}"));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(|e| io("open", e))?;
        let size = file.metadata().map_err(|e| io("stat", e))?.len();
        if size == 0 {
            let mut header = [0u8; HEADER as usize];
            header[..8].copy_from_slice(MAGIC);
            header[8] = LAYOUT;
            file.write_all_at(&header, 0).map_err(|e| io("create", e))?;
            file.sync_all().map_err(|e| io("sync", e))?;
            if let Some(dir) = path.parent() {
                File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io("sync folder", e))?;
            }
        }
        let mut header = [0u8; HEADER as usize];
        file.read_exact_at(&mut header, 0).map_err(|e| io("read header", e))?;
        if &header[..8] != MAGIC || header[8] != LAYOUT {
            return Err(StoreError::Corrupt("the key file has an unknown layout".into()));
        }
        // A slot cut short by a crash while the file grew was never synced, so never used.
        let len = u32::try_from((size.max(HEADER) - HEADER) / SLOT as u64)
            .map_err(|_| StoreError::Corrupt("the key file is too large".into()))?;
        let mut state = State { len, ..State::default() };
        let mut reader = std::io::BufReader::with_capacity(1 << 20, &file);
        std::io::Seek::seek(&mut reader, std::io::SeekFrom::Start(HEADER))
            .map_err(|e| io("seek", e))?;
        let mut slot = Zeroizing::new([0u8; SLOT]);
        for n in 0..len {
            reader.read_exact(&mut slot[..]).map_err(|e| io("read", e))?;
            let id = u64::from_be_bytes(slot[..8].try_into().unwrap_or_default());
            if id == 0 {
                state.free.push(n);
            } else if slot[8] == Purpose::Reply as u8 {
                state.reply_keys_at_open.push(KeyRef { slot: n, id });
            }
        }
        // Lowest slots first, so the file stays compact.
        state.free.reverse();
        let recent = Recent(std::iter::repeat_with(|| None).take(RECENT).collect());
        Ok(Self { file, state: Mutex::new(state), recent: Mutex::new(recent) })
    }

    fn state(&self) -> R<MutexGuard<'_, State>> {
        self.state.lock().map_err(|_| StoreError::Io("key file lock poisoned".into()))
    }

    fn recent(&self) -> R<MutexGuard<'_, Recent>> {
        self.recent.lock().map_err(|_| StoreError::Io("key cache lock poisoned".into()))
    }

    /// Makes sure the next `n` [`take`](Self::take)s of `purpose` need no sync of their own:
    /// a commit calls it with its most keys, so it syncs the key file at most once.
    pub fn reserve(&self, purpose: Purpose, n: usize) -> R<()> {
        let mut state = self.state()?;
        let pool = state.pools[purpose as usize - 1].len();
        if pool < n {
            let fresh = self.write_ahead(&mut state, purpose, (n - pool).max(POOL))?;
            state.pools[purpose as usize - 1].extend(fresh);
        }
        Ok(())
    }

    /// A fresh key, already on the device.
    pub fn take(&self, purpose: Purpose) -> R<SealKey> {
        self.reserve(purpose, 1)?;
        self.state()?.pools[purpose as usize - 1]
            .pop()
            .ok_or_else(|| StoreError::Io("key pool empty after refill".into()))
    }

    /// Writes `n` new keys into empty slots and syncs them.
    fn write_ahead(&self, state: &mut State, purpose: Purpose, n: usize) -> R<Vec<SealKey>> {
        // All randomness in one call, and runs of consecutive slots (the file growing) in one
        // write each: a commit of hundreds of new chats costs a few syscalls, not hundreds.
        let mut random = Zeroizing::new(vec![0u8; n * 40]);
        getrandom::fill(&mut random[..]).map_err(no_randomness)?;
        let mut fresh = Vec::with_capacity(n);
        let mut run: (u32, Zeroizing<Vec<u8>>) = (0, Zeroizing::new(Vec::new()));
        for chunk in random.chunks_exact(40) {
            let slot = match state.free.pop() {
                Some(slot) => slot,
                None => {
                    state.len = state
                        .len
                        .checked_add(1)
                        .ok_or_else(|| StoreError::Io("the key file is full".into()))?;
                    state.len - 1
                }
            };
            // A zero id marks an empty slot; 1 in 2^64, but then take any other.
            let id = u64::from_be_bytes(chunk[..8].try_into().unwrap_or_default()).max(1);
            let mut secret = Zeroizing::new([0u8; 32]);
            secret.copy_from_slice(&chunk[8..]);
            let next = run.0 + (run.1.len() / SLOT) as u32;
            if run.1.is_empty() || slot != next {
                self.write_run(&run)?;
                run = (slot, Zeroizing::new(Vec::with_capacity(SLOT * n)));
            }
            run.1.extend_from_slice(&id.to_be_bytes());
            run.1.extend_from_slice(&[purpose as u8, 0, 0, 0, 0, 0, 0, 0]);
            run.1.extend_from_slice(&secret[..]);
            fresh.push(SealKey { slot, id, secret });
        }
        self.write_run(&run)?;
        // Free slots were forgotten when destroyed, and new ones were never held; but what is
        // in memory must never outlive what the slot holds.
        let mut recent = self.recent()?;
        for key in &fresh {
            recent.forget(key.slot);
        }
        drop(recent);
        self.sync()?;
        Ok(fresh)
    }

    /// Writes slots starting at `run.0`, back to back.
    fn write_run(&self, run: &(u32, Zeroizing<Vec<u8>>)) -> R<()> {
        if run.1.is_empty() {
            return Ok(());
        }
        self.file.write_all_at(&run.1, offset(run.0)).map_err(write_error)
    }

    /// Overwrites the slots of `keys` with zeros (a slot already holding another key is left
    /// alone); with `sync`, they are gone from the device when this returns.
    pub fn destroy(&self, keys: &[KeyRef], sync: bool) -> R<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut state = self.state()?;
        for key in keys {
            if Keyring::key(self, key.slot)?.is_some_and(|k| k.id == key.id) {
                self.file.write_all_at(&[0u8; SLOT], offset(key.slot)).map_err(write_error)?;
                // After the write: a read racing it then either put the old key in memory
                // before this forgets it, or read the zeros (`key` holds the lock across both).
                self.recent()?.forget(key.slot);
                state.free.push(key.slot);
            }
        }
        if sync { self.sync() } else { Ok(()) }
    }

    /// Makes every write so far durable (also reply keys zeroed without a sync).
    pub fn sync(&self) -> R<()> {
        self.file.sync_data().map_err(|e| StoreError::Io(format!("fdatasync key file: {e}")))
    }

    /// The reply keys the file held when it was opened (found by the one read at open: a
    /// slot-by-slot look-up of millions of keys would slow every start).
    pub fn reply_keys_at_open(&self) -> R<Vec<KeyRef>> {
        Ok(self.state()?.reply_keys_at_open.clone())
    }

    /// True once the store was found to hold no plaintext personal records.
    pub fn all_sealed(&self) -> R<bool> {
        let mut flag = [0u8; 1];
        self.file.read_exact_at(&mut flag, SEALED_FLAG).map_err(read_error)?;
        Ok(flag[0] == 1)
    }

    /// Records (durably) that the store holds no plaintext personal records any more.
    pub fn set_all_sealed(&self) -> R<()> {
        self.file.write_all_at(&[1], SEALED_FLAG).map_err(write_error)?;
        self.sync()
    }
}

impl Keyring for KeyFile {
    fn key(&self, slot: u32) -> R<Option<SealKey>> {
        // Held across the read and the put, so a slot overwritten meanwhile is forgotten after
        // the put, never before it (see `destroy`).
        let mut recent = self.recent()?;
        if let Some(key) = recent.get(slot) {
            return Ok(Some(key.clone()));
        }
        let mut bytes = Zeroizing::new([0u8; SLOT]);
        match self.file.read_exact_at(&mut bytes[..], offset(slot)) {
            Ok(()) => {}
            // Past the end: never written.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(read_error(e)),
        }
        let id = u64::from_be_bytes(bytes[..8].try_into().unwrap_or_default());
        if id == 0 {
            return Ok(None);
        }
        let mut secret = Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(&bytes[16..]);
        let key = SealKey { slot, id, secret };
        recent.put(key.clone());
        Ok(Some(key))
    }
}

fn offset(slot: u32) -> u64 {
    HEADER + u64::from(slot) * SLOT as u64
}

fn no_randomness(e: getrandom::Error) -> StoreError {
    StoreError::Io(format!("no randomness for a key: {e}"))
}

fn write_error(e: std::io::Error) -> StoreError {
    StoreError::Io(format!("key file write: {e}"))
}

fn read_error(e: std::io::Error) -> StoreError {
    StoreError::Io(format!("key file read: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_survive_reopen_and_destroyed_ones_stay_gone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let file = KeyFile::open(&path).unwrap();
        let a = file.take(Purpose::Record).unwrap();
        let b = file.take(Purpose::Record).unwrap();
        let r = file.take(Purpose::Reply).unwrap();
        assert_ne!((a.slot, a.id), (b.slot, b.id));
        file.destroy(&[b.key_ref()], true).unwrap();
        // A stale reference (wrong id) does not destroy the key now in the slot.
        file.destroy(&[KeyRef { slot: a.slot, id: a.id ^ 1 }], true).unwrap();
        drop(file);
        let file = KeyFile::open(&path).unwrap();
        assert_eq!(*file.key(a.slot).unwrap().unwrap().secret, *a.secret);
        assert!(file.key(b.slot).unwrap().is_none());
        assert!(file.reply_keys_at_open().unwrap().contains(&r.key_ref()));
        assert!(!file.all_sealed().unwrap());
        file.set_all_sealed().unwrap();
        // The destroyed slot is reused, under a new id.
        let c = file.take(Purpose::Record).unwrap();
        let raw = std::fs::read(&path).unwrap();
        assert!(!raw.windows(32).any(|w| w == &b.secret[..]), "destroyed key bytes remain");
        assert!(raw.windows(32).any(|w| w == &c.secret[..]));
        drop(file);
        assert!(KeyFile::open(&path).unwrap().all_sealed().unwrap());
        std::fs::write(&path, b"not a key file at all").unwrap();
        assert!(KeyFile::open(&path).is_err());
    }

    #[test]
    fn keys_held_in_memory_follow_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = KeyFile::open(&dir.path().join("keys")).unwrap();
        let a = file.take(Purpose::Record).unwrap();
        assert!(file.recent().unwrap().get(a.slot).is_none(), "handed out, not yet read");
        assert_eq!(*file.key(a.slot).unwrap().unwrap().secret, *a.secret);
        assert!(file.recent().unwrap().get(a.slot).is_some());
        // Another slot at the same place in memory takes it; the key is read again.
        let far = SealKey { slot: a.slot + RECENT as u32, ..a.clone() };
        file.recent().unwrap().put(far);
        assert!(file.recent().unwrap().get(a.slot).is_none());
        assert_eq!(*file.key(a.slot).unwrap().unwrap().secret, *a.secret);
        file.destroy(&[a.key_ref()], false).unwrap();
        assert!(file.key(a.slot).unwrap().is_none(), "a destroyed key is still in memory");
        // The slot is reused for a new key (once the keys written ahead are used up): that one
        // is found, not the old one.
        let b = (0..2 * POOL)
            .map(|_| file.take(Purpose::Record).unwrap())
            .find(|k| k.slot == a.slot)
            .expect("the destroyed slot is reused");
        let found = file.key(b.slot).unwrap().unwrap();
        assert_eq!((found.id, *found.secret), (b.id, *b.secret));
        assert_eq!(file.recent().unwrap().0.len(), RECENT, "the table never grows");
    }
}
