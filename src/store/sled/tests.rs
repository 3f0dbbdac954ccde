//! Sled-only checks: the suite, durability on disk, the files we sync, and what only raw keys
//! can show (planted old or corrupt records, stale index keys).

use super::*;
use crate::clock::Timestamp;
use crate::model::outbox::OutboxOp;
use crate::store::suite::{self, store_suite};
use tempfile::TempDir;

const CACHE: u64 = 8 << 20;

pub(super) fn fresh() -> (SledStore, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (SledStore::open(dir.path(), CACHE).unwrap(), dir)
}

pub(super) fn reopen(store: SledStore, dir: &TempDir) -> SledStore {
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
    crate::private_fs::copy_tree(dir.path(), copy.path());
    suite::assert_sample_batch(&SledStore::open(copy.path(), CACHE).unwrap());
    drop(store);
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
    assert_eq!(names, ["blobs", "conf", "db", "keys"]);
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
    assert!(!store.read().unwrap().files.lock().unwrap().synced_blobs.is_empty());
    let store = reopen(store, &dir);
    assert_eq!(store.script_source("big", 1).unwrap(), Some(source));
}

/// sled deletes a replaced blob on a thread of its own, possibly between the directory listing
/// and the sync: a blob that is gone by then is not a failed commit (here a name whose file is
/// gone, which opens the way a just-deleted blob does).
#[test]
fn a_blob_deleted_while_syncing_does_not_fail_the_commit() {
    let (store, dir) = fresh();
    let blobs = dir.path().join("blobs");
    std::fs::create_dir_all(&blobs).unwrap();
    std::os::unix::fs::symlink(dir.path().join("deleted"), blobs.join("18446744")).unwrap();
    let batch = Batch { scripts: vec![("ktp".into(), 1, "id: ktp\n".into())], ..Batch::default() };
    store.commit(&batch).unwrap();
    assert_eq!(store.script_source("ktp", 1).unwrap().as_deref(), Some("id: ktp\n"));
}

#[test]
fn unknown_formats_read_as_corrupt() {
    let (store, dir) = fresh();
    let chat = suite::chat("1");
    let mut pack = codec::SessionPack::default();
    pack.push(&chat, &[99u8, 1, 2]).unwrap();
    store.read().unwrap().tree.insert(codec::session_pack_key(0), pack.into_bytes()).unwrap();
    drop(store);
    let store = SledStore::open(dir.path(), CACHE).unwrap();
    assert!(matches!(store.load_session(&chat), Err(StoreError::Corrupt(_))));
    // A record of the layout before packs, too.
    let other = suite::chat("2");
    store.read().unwrap().tree.insert(codec::session_key(&other), &[99u8, 1, 2][..]).unwrap();
    drop(store);
    let store = SledStore::open(dir.path(), CACHE).unwrap();
    assert!(matches!(store.load_session(&other), Err(StoreError::Corrupt(_))));
    assert!(matches!(store.load_session(&chat), Err(StoreError::Corrupt(_))));
}

#[test]
fn a_second_open_of_the_same_dir_fails() {
    let (_store, dir) = fresh();
    assert!(matches!(SledStore::open(dir.path(), CACHE), Err(StoreError::Io(_))));
}

/// Format-1 ticket records written before the follow-up existed read as upgraded tickets from a
/// real sled dir, through every read path, across a reopen; rewriting one seals it (format 3).
#[test]
fn v1_ticket_records_are_read_and_upgraded() {
    use crate::store::codec::tests::{ticket_v1_fixture, ticket_v1_upgraded};
    let (store, dir) = fresh();
    let expected = ticket_v1_upgraded();
    let key = codec::ticket_key(&expected.no);
    store.read().unwrap().tree.insert(&key, ticket_v1_fixture()).unwrap();
    store.read().unwrap().tree.insert(codec::index_key(&expected), &[][..]).unwrap();
    store.read().unwrap().sync().unwrap();
    let store = reopen(store, &dir);
    assert_eq!(store.ticket(&expected.no).unwrap(), Some(expected.clone()));
    assert_eq!(store.tickets_of(&expected.chat).unwrap(), vec![expected.clone()]);
    assert_eq!(store.tickets().unwrap(), vec![expected.clone()]);
    let mut followed = expected;
    followed.followup.corrections = 2;
    store.commit(&Batch { tickets: vec![followed.clone()], ..Batch::default() }).unwrap();
    assert_eq!(store.read().unwrap().tree.get(&key).unwrap().unwrap()[0], codec::TICKET_V3);
    assert_eq!(store.ticket(&followed.no).unwrap(), Some(followed));
}

/// `(due, id)` pairs, the shape of a due-index key.
type Schedule = Vec<(Timestamp, u64)>;

/// The raw due-index keys of the tree and the pending entries, to show no key is stale.
fn due_index(store: &SledStore) -> (Schedule, Schedule) {
    let keys = store.read().unwrap().tree.scan_prefix(codec::due_prefix()).map(|kv| kv.unwrap().0);
    let index = keys.map(|k| codec::parse_due_key(&k).unwrap()).collect();
    let mut entries: Schedule =
        store.outbox_pending().unwrap().iter().map(|e| (e.due, e.id)).collect();
    entries.sort();
    (index, entries)
}

/// Reschedules, dead letters and re-queues leave exactly one index key per pending entry, and
/// the outbox comes back whole after a reopen.
#[test]
fn outbox_survives_reopen_with_an_exact_index() {
    use crate::model::outbox::OutboxOp::{Dead, Done, Put};
    let (store, dir) = fresh();
    let [a, b, c, d] = <[OutboxEntry; 4]>::try_from(suite::sample_outbox()).unwrap();
    let at = |e: &OutboxEntry, due| OutboxEntry { due: Timestamp(due), ..e.clone() };
    let commit = |store: &SledStore, outbox| {
        store.commit(&Batch { outbox, ..Batch::default() }).unwrap();
    };
    commit(&store, vec![Put(a.clone()), Put(b.clone()), Put(c.clone()), Put(d.clone())]);
    commit(&store, vec![Put(at(&a, 7)), Put(at(&a, 9)), Put(at(&b, 9)), Dead(c.clone())]);
    commit(&store, vec![Put(at(&c, 1)), Done(d.id), Put(at(&d, 3)), Put(at(&b, 2))]);
    let (index, entries) = due_index(&store);
    assert_eq!(index, entries);
    assert_eq!(index.len(), 4);
    let store = reopen(store, &dir);
    assert_eq!(due_index(&store), (index, entries));
    let pending = store.outbox_pending().unwrap();
    assert_eq!(pending, [at(&c, 1), at(&b, 2), at(&d, 3), at(&a, 9)]);
    assert_eq!(suite::next_due(&store), Some(Timestamp(1)));
    assert_eq!(store.outbox_dead().unwrap(), vec![]);
}

/// An unreadable pending entry fails reads (they report corruption) but not the commit that
/// replaces or finishes it; the index key it leaves behind is skipped.
#[test]
fn an_unreadable_outbox_entry_can_be_replaced() {
    let (store, _dir) = fresh();
    let entry = suite::sample_outbox()[0].clone();
    store.read().unwrap().tree.insert(codec::outbox_key(entry.id), &[99u8, 1][..]).unwrap();
    store
        .read()
        .unwrap()
        .tree
        .insert(&codec::due_key(Timestamp(10), entry.id)[..], &[][..])
        .unwrap();
    assert!(matches!(store.outbox_pending(), Err(StoreError::Corrupt(_))));
    let put = Batch { outbox: vec![OutboxOp::Put(entry.clone())], ..Batch::default() };
    store.commit(&put).unwrap();
    assert_eq!(suite::due_by(&store, 10, 5), vec![], "stale key skipped");
    assert_eq!(store.outbox_pending().unwrap(), vec![entry.clone()]);
    assert_eq!(suite::next_due(&store), Some(entry.due));
    let done = Batch { outbox: vec![OutboxOp::Done(entry.id)], ..Batch::default() };
    store.commit(&done).unwrap();
    assert_eq!(store.outbox_pending().unwrap(), vec![]);
    assert_eq!(suite::next_due(&store), None);
}

/// Replies of one commit share one record; sent ones are marked beside it, and the last one
/// sent removes both; what is left survives a reopen. A one-record-per-reply `R` record from an older store
/// is still read, and removed once sent.
#[test]
fn reply_groups_shrink_and_vanish_and_old_records_still_count() {
    use crate::model::reply::{Msg, Outgoing, Reply};
    use crate::model::session::Lang;
    use crate::store::ReplyOp;
    let out = |k: &str| Outgoing { lang: Lang::Id, reply: Reply::msg(Msg::new(k)) };
    let chat = ChatKey::new(Channel::Telegram, "7");
    let (store, dir) = fresh();
    let old = codec::reply_key(&chat, 1);
    store.read().unwrap().tree.insert(&old, codec::encode_reply(&out("old")).unwrap()).unwrap();
    let pending = |seq, k| ReplyOp::Pending { chat: chat.clone(), seq, out: out(k).into() };
    let sent = |seq| ReplyOp::Sent { chat: chat.clone(), seq };
    let commit = |store: &SledStore, replies| {
        store.commit(&Batch { replies, ..Batch::default() }).unwrap();
    };
    commit(&store, vec![pending(10, "a"), pending(11, "b"), pending(12, "c")]);
    let groups = |store: &SledStore| {
        store.read().unwrap().tree.scan_prefix(codec::reply_group_prefix()).count()
    };
    assert_eq!(groups(&store), 1, "one record for the commit's three replies");
    let seqs = |store: &SledStore| -> Vec<u64> {
        store.pending_replies(Channel::Telegram).unwrap().iter().map(|r| r.1).collect()
    };
    assert_eq!(seqs(&store), vec![1, 10, 11, 12]);
    let of_chat = |store: &SledStore| -> Vec<u64> {
        store.chat_pending_replies(&chat).unwrap().iter().map(|r| r.0).collect()
    };
    assert_eq!(of_chat(&store), vec![1, 10, 11, 12], "one chat's: groups and old records");
    commit(&store, vec![sent(11), sent(1)]);
    assert_eq!(seqs(&store), vec![10, 12]);
    assert_eq!(of_chat(&store), vec![10, 12]);
    assert!(!store.read().unwrap().tree.contains_key(&old).unwrap(), "old record removed");
    let store = reopen(store, &dir);
    assert_eq!(seqs(&store), vec![10, 12], "the sent marks are stored");
    assert_eq!(of_chat(&store), vec![10, 12]);
    commit(&store, vec![sent(10), sent(12), sent(999)]);
    assert_eq!(seqs(&store), Vec::<u64>::new());
    assert_eq!(groups(&store), 0, "the last reply sent removes the group");
    let marks = store.read().unwrap().tree.scan_prefix([b'H']).count();
    assert_eq!(marks, 0, "and its sent marks");
    let store = reopen(store, &dir);
    assert_eq!(seqs(&store), Vec::<u64>::new());
}

/// One marker record per commit and hour, however many messages; the old layout's markers (one
/// key per message id) are listed until an expiry drops them.
#[test]
fn seen_records_per_commit_and_old_markers_until_pruned() {
    use crate::model::MessageId;
    use crate::store::Seen;
    let (store, dir) = fresh();
    let old = MessageId("wa:wamid.OLD".into());
    store.read().unwrap().tree.insert(codec::legacy_seen_key(&old), &[][..]).unwrap();
    assert_eq!(store.seen_legacy().unwrap(), [old]);
    let t = Timestamp(1_772_409_600);
    let seen = |at, hashes| Seen { at, hashes };
    let batch = Batch {
        seen: vec![seen(t, vec![1, 2]), seen(t.plus_secs(60), vec![3]), seen(t, vec![])],
        ..Batch::default()
    };
    store.commit(&batch).unwrap();
    let records =
        |store: &SledStore| store.read().unwrap().tree.scan_prefix(codec::seen_prefix()).count();
    assert_eq!(records(&store), 1, "one record for the commit's hour");
    let store = reopen(store, &dir);
    let mut all = store.seen_between(t, t.plus_secs(3600)).unwrap();
    all.sort_unstable();
    assert_eq!(all, [1, 2, 3]);
    store.commit(&Batch { seen_expired: Some(t), ..Batch::default() }).unwrap();
    assert!(store.seen_legacy().unwrap().is_empty(), "old markers dropped");
    assert_eq!(records(&store), 1, "the hour of the cut itself is kept");
    store.commit(&Batch { seen_expired: Some(t.plus_secs(3600)), ..Batch::default() }).unwrap();
    assert_eq!(records(&store), 0);
}
