//! Sessions on sled: the busy ones packed, a few records per commit instead of one per chat.
//!
//! Every message rewrites its chat's session. Stored as one record per chat (`S` + chat),
//! each message was a key write of its own, a change to one of sled's nodes, and every tenth
//! change to a node a rewrite of the whole node: the largest part of what sled cost per message
//! (#15, BENCHMARKS.md). Here the sessions a commit writes go into packs (`K` + id, see
//! `codec::SessionPack`), each written once and never changed, and memory knows where each of
//! those chats' newest session is. A pack none of whose sessions is newest any more is removed
//! one commit later, so a reader that found a session there just before can still read it.
//!
//! Memory holds only the chats that wrote lately. Once a pack is [`COLD_AFTER_PACKS`] packs
//! old, the sessions in it that are still newest (chats gone quiet) go back to records of
//! their own, a bounded number per commit; the index forgets them and their pack goes. A
//! quiet chat that writes again moves into a pack, and loses its record in the same commit.
//! So memory grows with the chats of the last minutes, not with every citizen who ever wrote,
//! and a store of the layout before packs needs no migration: its sessions are all quiet.
//!
//! Atomicity is sled's: packs and records are written by the commit's `apply_batch` with
//! everything else. At open the packs are read in id order; the newest copy of a chat wins
//! over older ones and over its record.
//!
//! Erasure needs nothing of its own. A session is sealed under its chat's key, every copy of it
//! under the same one, and deleting it destroys that key, so any older copy left in a pack or
//! a record opens as none. At open such copies are dropped from memory at once (their keys are
//! gone from the key file).

use super::{Database, sled_error};
use crate::fast_hash::HashMap;
use crate::model::ChatKey;
use crate::model::session::Session;
use crate::store::codec::{self, SessionPack};
use crate::store::keys::Purpose;
use crate::store::seal::{KeyRef, SealKey};
use crate::store::{R, StoreError};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A pack is closed once it holds this many bytes. sled rewrites a whole node, up to 16
/// records, every tenth change to it, and one message over a quarter of a segment (128 kB)
/// would go to a blob file of its own, synced on its own.
const PACK_BYTES: usize = 4096;
/// A pack this many packs old has its newest sessions moved back to records of their own.
/// With ~16 sessions a pack (fewer when commits are small), memory knows at most the chats of
/// the last ~130,000 session writes (~100 bytes each), and a chat that writes again within
/// them stays packed.
const COLD_AFTER_PACKS: u64 = 8192;
/// Sessions moved out of old packs per commit, at least (more when a commit writes more, so
/// moving keeps up with writing).
const MOVES_PER_COMMIT: usize = 64;

/// Called with each session's per-chat record key, chat and sealed record by
/// [`Database::session_records`].
pub(super) type RecordVisit<'a> = dyn FnMut(&[u8], ChatKey, &[u8]) -> R<()> + 'a;

/// Where a chat's newest session is: its pack, its bytes there, and the key it is sealed
/// under (none: a record of a format this build does not know, which reads as corrupt).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Spot {
    pack: u64,
    start: u32,
    end: u32,
    key: Option<KeyRef>,
}

impl Spot {
    /// Whether the session here still opens: its key is in the key file. A record of a format
    /// this build does not know counts as live, kept as found to read as corrupt.
    fn is_live(&self, db: &Database) -> R<bool> {
        match self.key {
            Some(key) => Ok(db.live_key(key)?.is_some()),
            None => Ok(true),
        }
    }
}

/// What memory knows of the stored sessions; only the committer changes it (after each
/// durable commit), so it always matches the disk.
pub(super) struct Index {
    at: HashMap<ChatKey, Spot>,
    /// Each stored pack with how many of its sessions are their chat's newest.
    packs: BTreeMap<u64, u32>,
    /// Packs with no newest session, removed by the next commit.
    unused: Vec<u64>,
    /// The next pack's id.
    next: u64,
    /// [`COLD_AFTER_PACKS`], lower in tests.
    pub(super) cold_after: u64,
}

impl Default for Index {
    fn default() -> Self {
        Self {
            at: HashMap::default(),
            packs: BTreeMap::new(),
            unused: Vec::new(),
            next: 0,
            cold_after: COLD_AFTER_PACKS,
        }
    }
}

/// How one commit changes the index; taken in by [`Index::apply`] once the commit is durable.
#[derive(Default)]
pub(super) struct Change {
    /// Packs written.
    written: Vec<u64>,
    /// Each chat's new spot, or none (deleted, moved to a record, or found erased).
    moved: Vec<(ChatKey, Option<Spot>)>,
    /// Packs removed.
    removed: Vec<u64>,
    /// The id of the pack being filled.
    next: u64,
}

/// The pack being filled by a commit, and the packs it filled.
struct Packer<'w> {
    writes: &'w mut sled::Batch,
    change: &'w mut Change,
    pack: SessionPack,
}

impl Packer<'_> {
    fn push(&mut self, chat: &ChatKey, record: &[u8], key: Option<KeyRef>) -> R<()> {
        let range = self.pack.push(chat, record)?;
        let offset = |n: usize| {
            u32::try_from(n).map_err(|_| StoreError::Corrupt("session pack too long".into()))
        };
        let spot = Spot {
            pack: self.change.next,
            start: offset(range.start)?,
            end: offset(range.end)?,
            key,
        };
        self.change.moved.push((chat.clone(), Some(spot)));
        if self.pack.len() >= PACK_BYTES {
            self.close();
        }
        Ok(())
    }

    fn close(&mut self) {
        if self.pack.is_empty() {
            return;
        }
        let id = self.change.next;
        let bytes = std::mem::take(&mut self.pack).into_bytes();
        self.writes.insert(&codec::session_pack_key(id)[..], bytes);
        self.change.written.push(id);
        self.change.next += 1;
    }
}

impl Index {
    /// Reads every pack, oldest first, keeping each chat's newest session whose key is still
    /// in the key file.
    pub(super) fn load(db: &Database) -> R<Self> {
        let mut me = Self::default();
        for item in db.tree.scan_prefix(codec::session_pack_prefix()) {
            let (key, value) = item.map_err(|e| sled_error("read", e))?;
            let id = codec::session_pack_id(&key)
                .ok_or_else(|| StoreError::Corrupt("session pack key of a wrong length".into()))?;
            for (chat, range) in codec::session_pack_entries(&value)? {
                let key = codec::session_key_ref(&value[range.clone()]);
                // Lengths checked when the pack was decoded, and packs are far below 4 GB.
                let spot = Spot { pack: id, start: range.start as u32, end: range.end as u32, key };
                me.at.insert(chat, spot);
            }
            me.packs.insert(id, 0);
            me.next = id + 1;
        }
        // One look per packed chat (the index is bounded, see COLD_AFTER_PACKS), through the
        // key cache the commits then use.
        for (chat, spot) in std::mem::take(&mut me.at) {
            if spot.is_live(db)? {
                if let Some(live) = me.packs.get_mut(&spot.pack) {
                    *live += 1;
                }
                me.at.insert(chat, spot);
            }
        }
        me.unused = me.packs.iter().filter(|(_, live)| **live == 0).map(|(&id, _)| id).collect();
        Ok(me)
    }

    /// The chat's newest session as stored: its pack's id and its bytes there.
    fn spot(&self, chat: &ChatKey) -> Option<Spot> {
        self.at.get(chat).copied()
    }

    /// The packed chats with their per-chat record keys, in that key's order.
    fn chats(&self) -> Vec<(Vec<u8>, ChatKey)> {
        let mut all: Vec<_> =
            self.at.keys().map(|chat| (codec::session_key(chat), chat.clone())).collect();
        all.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// Adds the writes for the batch's session `ops` to `writes`, sealed: packs of the new
    /// sessions, old packs' sessions moved to records, removal of unused packs. A chat whose
    /// session the batch deletes (erasure, expiry) loses its key, even if a later write in the
    /// batch starts a new session; the key goes into `doomed`.
    pub(super) fn write(
        &mut self,
        db: &Database,
        ops: &[(ChatKey, Option<Arc<Session>>)],
        writes: &mut sled::Batch,
        doomed: &mut Vec<KeyRef>,
    ) -> R<Change> {
        let mut change = Change { next: self.next, ..Change::default() };
        for &id in &self.unused {
            writes.remove(&codec::session_pack_key(id)[..]);
            change.removed.push(id);
        }
        let mut last: HashMap<&ChatKey, (bool, Option<&Session>)> = HashMap::default();
        for (chat, session) in ops {
            let entry = last.entry(chat).or_insert((false, None));
            entry.0 |= session.is_none();
            entry.1 = session.as_deref();
        }
        let mut packer = Packer { writes, change: &mut change, pack: SessionPack::default() };
        for (&chat, &(deleted, session)) in &last {
            let stored = match self.spot(chat) {
                Some(spot) => spot.key,
                None => {
                    let record_key = codec::session_key(chat);
                    let record = db.raw(&record_key)?;
                    if record.is_some() {
                        // Quiet until now: from here its pack has it.
                        packer.writes.remove(record_key);
                    }
                    record.as_deref().and_then(codec::session_key_ref)
                }
            };
            if deleted {
                // A copy left by a crash between a move and its pack's removal (see the
                // module docs) goes too; its key goes with the others either way.
                packer.writes.remove(codec::session_key(chat));
            }
            let kept = match stored {
                Some(old) if deleted => {
                    doomed.push(old);
                    None
                }
                Some(old) => db.live_key(old)?,
                None => None,
            };
            match session {
                Some(s) => {
                    let seal: SealKey = match kept {
                        Some(k) => k,
                        None => db.keys.take(Purpose::Record)?,
                    };
                    let record = codec::seal_session(s, &seal)?;
                    packer.push(chat, &record, Some(seal.key_ref()))?;
                }
                None => packer.change.moved.push((chat.clone(), None)),
            }
        }
        let budget = MOVES_PER_COMMIT.max(last.len());
        let mut moves = 0;
        let cold = self.packs.range(..self.next.saturating_sub(self.cold_after));
        for (&id, _) in cold.filter(|(_, live)| **live > 0) {
            if moves >= budget {
                break;
            }
            let Some(bytes) =
                db.tree.get(codec::session_pack_key(id)).map_err(|e| sled_error("read", e))?
            else {
                continue;
            };
            for (chat, range) in codec::session_pack_entries(&bytes)? {
                let Some(spot) = self.spot(&chat) else { continue };
                if spot.pack != id || last.contains_key(&chat) {
                    continue;
                }
                // Erased if not live, and a crash kept the index from learning it.
                if spot.is_live(db)? {
                    packer.writes.insert(codec::session_key(&chat), &bytes[range]);
                    moves += 1;
                }
                packer.change.moved.push((chat, None));
            }
        }
        packer.close();
        // Taken even if the commit fails: a failed commit may still have written its packs,
        // and a later commit reusing their ids would leave a mix of both under them.
        self.next = change.next;
        Ok(change)
    }

    /// Takes in a commit's change once it is durable.
    pub(super) fn apply(&mut self, change: Change) {
        for id in &change.removed {
            self.packs.remove(id);
        }
        self.unused.retain(|id| !change.removed.contains(id));
        for &id in &change.written {
            self.packs.insert(id, 0);
        }
        for (chat, spot) in change.moved {
            let old = match spot {
                Some(spot) => {
                    if let Some(live) = self.packs.get_mut(&spot.pack) {
                        *live += 1;
                    }
                    self.at.insert(chat, spot)
                }
                None => self.at.remove(&chat),
            };
            if let Some(old) = old {
                self.superseded(old.pack);
            }
        }
    }

    fn superseded(&mut self, id: u64) {
        let Some(live) = self.packs.get_mut(&id) else { return };
        *live = live.saturating_sub(1);
        if *live == 0 {
            self.unused.push(id);
        }
    }
}

impl Database {
    pub(super) fn session_index(&self) -> R<std::sync::MutexGuard<'_, Index>> {
        self.sessions.lock().map_err(|_| StoreError::Io("session index lock poisoned".into()))
    }

    /// The chat's newest stored session record (sealed), if any.
    pub(super) fn session_record(&self, chat: &ChatKey) -> R<Option<sled::IVec>> {
        // A pack is removed one commit after its last session was superseded, and the index
        // learns of the supersession before that commit: a pack gone between reading the
        // index and reading the pack means the index has moved on, so read it again.
        for _ in 0..3 {
            let Some(spot) = self.session_index()?.spot(chat) else {
                return self.raw(&codec::session_key(chat));
            };
            let pack = self
                .tree
                .get(codec::session_pack_key(spot.pack))
                .map_err(|e| sled_error("read", e))?;
            if let Some(pack) = pack {
                let range = spot.start as usize..spot.end as usize;
                return match pack.len() >= range.end {
                    true => Ok(Some(pack.subslice(range.start, range.len()))),
                    false => Err(StoreError::Corrupt("session pack shorter than its index".into())),
                };
            }
        }
        Err(StoreError::Io("a session's pack kept moving while it was read".into()))
    }

    /// Every chat's session record (sealed), packed or quiet, with its per-chat record key, in
    /// that key's order: what a store of one record per chat would hold.
    pub(super) fn session_records(&self, visit: &mut RecordVisit) -> R<()> {
        let mut packed = self.session_index()?.chats().into_iter().peekable();
        for item in self.tree.scan_prefix(codec::session_prefix()) {
            let (key, record) = item.map_err(|e| sled_error("scan", e))?;
            let mut newer = false;
            while let Some((k, chat)) = packed.next_if(|(k, _)| k[..] <= key[..]) {
                newer |= k[..] == key[..];
                self.visit_packed(&k, chat, visit)?;
            }
            // A packed chat's record, if any, is an older copy.
            if !newer {
                visit(&key, codec::chat_of_session_key(&key)?, &record)?;
            }
        }
        for (k, chat) in packed {
            self.visit_packed(&k, chat, visit)?;
        }
        Ok(())
    }

    fn visit_packed(&self, key: &[u8], chat: ChatKey, visit: &mut RecordVisit) -> R<()> {
        match self.session_record(&chat)? {
            Some(record) => visit(key, chat, &record),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::ChatKey;
    use crate::model::session::Session;
    use crate::store::sled::SledStore;
    use crate::store::sled::tests::{fresh, reopen};
    use crate::store::suite::{chat, listed_sessions as listed, sample_session, sessions};
    use crate::store::{Store, codec};

    fn write(store: &SledStore, writes: &[(&ChatKey, Option<&Session>)]) {
        store.commit(&sessions(writes)).unwrap();
    }

    fn session(misses: u8) -> Session {
        Session { misses, ..sample_session() }
    }

    /// Keys of one kind in the tree.
    fn keys(store: &SledStore, prefix: &[u8]) -> Vec<Vec<u8>> {
        let db = store.read().unwrap();
        db.tree.scan_prefix(prefix).keys().map(|k| k.unwrap().to_vec()).collect()
    }

    #[test]
    fn the_newest_copy_of_each_chat_wins_and_survives_a_restart() {
        let (store, dir) = fresh();
        let (a, b) = (chat("1"), chat("2"));
        write(&store, &[(&a, Some(&session(0))), (&b, Some(&session(7)))]);
        write(&store, &[(&a, Some(&session(1)))]);
        // Twice in one batch: the later one.
        write(&store, &[(&a, Some(&session(2))), (&a, Some(&session(3)))]);
        let expected = vec![(a.clone(), session(3)), (b.clone(), session(7))];
        assert_eq!(listed(&store), expected);
        let store = reopen(store, &dir);
        assert_eq!(store.load_session(&a).unwrap(), Some(session(3)));
        assert_eq!(listed(&store), expected);
        assert!(keys(&store, codec::session_prefix()).is_empty(), "no record per chat");
    }

    #[test]
    fn a_pack_none_of_whose_sessions_is_newest_goes_a_commit_later() {
        let (store, dir) = fresh();
        let (a, b) = (chat("1"), chat("2"));
        write(&store, &[(&a, Some(&session(0))), (&b, Some(&session(0)))]);
        write(&store, &[(&a, Some(&session(1)))]);
        let first = codec::session_pack_key(0).to_vec();
        assert!(keys(&store, &codec::session_pack_prefix()).contains(&first), "b is there");
        write(&store, &[(&b, Some(&session(1)))]);
        // Superseded now, removed by the next commit.
        write(&store, &[(&a, Some(&session(2)))]);
        assert!(!keys(&store, &codec::session_pack_prefix()).contains(&first));
        let store = reopen(store, &dir);
        assert_eq!(store.load_session(&a).unwrap(), Some(session(2)));
        assert_eq!(store.load_session(&b).unwrap(), Some(session(1)));
    }

    #[test]
    fn a_deleted_session_stays_gone_though_its_pack_still_holds_a_copy() {
        let (store, dir) = fresh();
        let (a, b) = (chat("1"), chat("2"));
        write(&store, &[(&a, Some(&session(0))), (&b, Some(&session(0)))]);
        write(&store, &[(&a, None)]);
        assert_eq!(keys(&store, &codec::session_pack_prefix()).len(), 1, "b keeps the pack");
        assert_eq!(store.load_session(&a).unwrap(), None);
        let store = reopen(store, &dir);
        assert_eq!(store.load_session(&a).unwrap(), None);
        assert_eq!(listed(&store), vec![(b.clone(), session(0))]);
        // And it may start again, under a new key.
        write(&store, &[(&a, Some(&session(4)))]);
        let store = reopen(store, &dir);
        assert_eq!(store.load_session(&a).unwrap(), Some(session(4)));
    }

    /// Quiet chats leave memory for records of their own, read as before, exported in key
    /// order with the packed ones, and packed again when they write.
    #[test]
    fn quiet_chats_move_to_records_and_back_to_a_pack_when_they_write() {
        let (store, dir) = fresh();
        store.read().unwrap().session_index().unwrap().cold_after = 3;
        let (quiet, gone, busy) = (chat("1"), chat("2"), chat("3"));
        write(&store, &[(&quiet, Some(&session(5))), (&gone, Some(&session(6)))]);
        write(&store, &[(&gone, None)]);
        for n in 0..5 {
            write(&store, &[(&busy, Some(&session(n)))]);
        }
        assert_eq!(keys(&store, codec::session_prefix()), vec![codec::session_key(&quiet)]);
        assert!(store.read().unwrap().session_index().unwrap().spot(&quiet).is_none());
        assert_eq!(store.load_session(&quiet).unwrap(), Some(session(5)));
        assert_eq!(store.load_session(&gone).unwrap(), None);
        let all = vec![(quiet.clone(), session(5)), (busy.clone(), session(4))];
        assert_eq!(listed(&store), all);
        let mut exported = Vec::new();
        store
            .export(&mut |k, v| {
                exported.push((k.to_vec(), codec::decode_session(v).ok()));
                Ok(())
            })
            .unwrap();
        let expected: Vec<_> =
            all.iter().map(|(c, s)| (codec::session_key(c), Some(s.clone()))).collect();
        assert_eq!(exported, expected, "plain records, one per chat, in key order");

        let store = reopen(store, &dir);
        assert_eq!(listed(&store), all);
        write(&store, &[(&quiet, Some(&session(8)))]);
        assert!(keys(&store, codec::session_prefix()).is_empty(), "packed again");
        let store = reopen(store, &dir);
        assert_eq!(store.load_session(&quiet).unwrap(), Some(session(8)));
    }

    /// Random writes, deletions and restarts over a few chats, checked against a map after
    /// every commit: packs come and go, and every chat always reads its last write.
    #[test]
    fn every_chat_reads_its_last_write_through_random_commits_and_restarts() {
        let (mut store, dir) = fresh();
        let chats: Vec<ChatKey> = (0..12).map(|n| chat(&n.to_string())).collect();
        let mut model: std::collections::HashMap<ChatKey, Session> = Default::default();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..400u32 {
            if round % 97 == 96 {
                store = reopen(store, &dir);
            }
            store.read().unwrap().session_index().unwrap().cold_after = 1 + next(6);
            let mut ops = Vec::new();
            for _ in 0..1 + next(5) {
                let chat = &chats[next(chats.len() as u64) as usize];
                let op = (next(8) != 0).then(|| session((round % 250) as u8));
                match &op {
                    Some(s) => model.insert(chat.clone(), s.clone()),
                    None => model.remove(chat),
                };
                ops.push((chat, op));
            }
            let ops: Vec<_> = ops.iter().map(|(c, s)| (*c, s.as_ref())).collect();
            write(&store, &ops);
            for chat in &chats {
                assert_eq!(store.load_session(chat).unwrap(), model.get(chat).cloned(), "{round}");
            }
        }
        let mut all: Vec<_> = model.into_iter().collect();
        all.sort_by_key(|(c, _)| codec::session_key(c));
        assert_eq!(listed(&store), all);
    }
}
