//! Erasure on disk: what a citizen typed is never on disk in plaintext, and once erased, the
//! keys that could open the old copies in sled's log are nowhere under the data folder, right
//! after the commit and after a reopen. Older plaintext stores are sealed at open, and an
//! interrupted rewrite is finished.

use super::*;
use crate::model::Status;
use crate::model::reply::{Msg, Outgoing, Reply};
use crate::model::session::{Lang, Pending, Value};
use crate::store::ReplyOp;
use crate::store::seal::Keyring;
use crate::store::suite;

fn reopen(store: SledStore, dir: &tempfile::TempDir) -> SledStore {
    drop(store);
    SledStore::open(dir.path(), CACHE).unwrap()
}

const CACHE: u64 = 8 << 20;
const NIK: &str = "3201011708900001";
const NAME: &str = "Siti Rahasia Aminah";

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

/// Files under `dir` whose bytes contain `needle`.
fn holding(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let has = |f: &PathBuf| {
        std::fs::read(f).unwrap_or_default().windows(needle.len()).any(|w| w == needle)
    };
    walk(dir).into_iter().filter(has).collect()
}

fn personal_session() -> Session {
    Session { pending: Pending::Warning(Value::Text(NIK.into())), ..suite::sample_session() }
}

/// A closed ticket of `chat` holding the NIK and the name.
fn personal_ticket(chat: &ChatKey) -> Ticket {
    let mut t = suite::ticket_at(1, chat, 100);
    t.answers =
        vec![("nik".into(), Value::Text(NIK.into())), ("nama".into(), Value::Text(NAME.into()))];
    t.status = Status::Selesai;
    t
}

fn summary(chat: &ChatKey, seq: u64) -> ReplyOp {
    let reply = Reply::msg(Msg::literal(format!("NIK {NIK}")));
    ReplyOp::Pending { chat: chat.clone(), seq, out: Outgoing { lang: Lang::Id, reply }.into() }
}

/// The 32 secret bytes of the key a stored record is sealed under.
/// The chat's stored session record, as sealed.
fn session_record(store: &SledStore, chat: &crate::model::ChatKey) -> sled::IVec {
    store.read().unwrap().session_record(chat).unwrap().expect("a stored session")
}

fn secret_of(store: &SledStore, key: Option<crate::store::seal::KeyRef>) -> Vec<u8> {
    let key = key.expect("the record is sealed");
    store.read().unwrap().keys.key(key.slot).unwrap().expect("live key").secret.to_vec()
}

#[test]
fn an_erasure_leaves_neither_plaintext_nor_the_keys_to_old_copies() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let store = SledStore::open(&db, CACHE).unwrap();
    let chat = suite::chat("6281234567890");
    let other = suite::chat("6289999999999");
    let ticket = personal_ticket(&chat);
    let kept = personal_ticket(&other);
    let kept = Ticket { no: suite::ticket_no(2), ..kept };
    store
        .commit(&Batch {
            sessions: vec![(chat.clone(), Some(personal_session().into()))],
            tickets: vec![ticket.clone(), kept.clone()],
            replies: vec![summary(&chat, 1)],
            ..Batch::default()
        })
        .unwrap();
    // Rewritten a few times, as a dialog does: every old version stays in sled's log.
    for misses in 0..3 {
        let s = Session { misses, ..personal_session() };
        store
            .commit(&Batch { sessions: vec![(chat.clone(), Some(s.into()))], ..Batch::default() })
            .unwrap();
    }
    for needle in [NIK, NAME] {
        assert_eq!(holding(dir.path(), needle.as_bytes()), Vec::<PathBuf>::new(), "plaintext");
    }
    let raw = |k: &[u8]| store.read().unwrap().tree.get(k).unwrap().unwrap();
    let session_secret = secret_of(&store, codec::session_key_ref(&session_record(&store, &chat)));
    let ticket_secret =
        secret_of(&store, codec::ticket_key_ref(&raw(&codec::ticket_key(&ticket.no))));
    let group_secret =
        secret_of(&store, codec::reply_group_key_ref(&raw(&codec::reply_group_key(1))));
    assert!(!holding(dir.path(), &session_secret).is_empty(), "keys live in the key file");

    // The erasure, as `forget` writes it: session deleted, closed ticket anonymised; the
    // summary was sent meanwhile.
    let mut erased = ticket.clone();
    erased.erase_personal();
    store
        .commit(&Batch {
            sessions: vec![(chat.clone(), None)],
            tickets: vec![erased.clone()],
            replies: vec![ReplyOp::Sent { chat: chat.clone(), seq: 1 }],
            ..Batch::default()
        })
        .unwrap();
    let check = |store: &SledStore| {
        for secret in [&session_secret, &ticket_secret, &group_secret] {
            assert_eq!(holding(dir.path(), secret), Vec::<PathBuf>::new(), "a destroyed key");
        }
        for needle in [NIK, NAME] {
            assert_eq!(holding(dir.path(), needle.as_bytes()), Vec::<PathBuf>::new());
        }
        assert_eq!(store.load_session(&chat).unwrap(), None);
        assert_eq!(store.ticket(&ticket.no).unwrap(), Some(erased.clone()));
        assert_eq!(store.tickets_of(&chat).unwrap(), vec![]);
        // Someone else's ticket is untouched.
        assert_eq!(store.ticket(&kept.no).unwrap(), Some(kept.clone()));
    };
    check(&store);
    drop(store);
    let store = SledStore::open(&db, CACHE).unwrap();
    check(&store);
    // The chat may come back: a new session under a new key.
    store
        .commit(&Batch {
            sessions: vec![(chat.clone(), Some(personal_session().into()))],
            ..Batch::default()
        })
        .unwrap();
    assert_eq!(store.load_session(&chat).unwrap(), Some(personal_session()));
}

/// A session deleted and started again in one batch (erasure, then a new message) gets a new
/// key: the old one is destroyed all the same.
#[test]
fn a_session_deleted_and_rewritten_in_one_batch_gets_a_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path(), CACHE).unwrap();
    let chat = suite::chat("1");
    store
        .commit(&Batch {
            sessions: vec![(chat.clone(), Some(personal_session().into()))],
            ..Batch::default()
        })
        .unwrap();
    let old = codec::session_key_ref(&session_record(&store, &chat)).unwrap();
    let fresh = Session::default();
    store
        .commit(&Batch {
            sessions: vec![(chat.clone(), None), (chat.clone(), Some(fresh.clone().into()))],
            ..Batch::default()
        })
        .unwrap();
    assert!(store.read().unwrap().live_key(old).unwrap().is_none());
    assert_eq!(store.load_session(&chat).unwrap(), Some(fresh));
}

/// A store written before sealing (plain records, no key file) is sealed at open and rewritten
/// once: the plaintext is gone from every file, and every record reads as before.
#[test]
fn an_old_plaintext_store_is_sealed_and_rewritten_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let chat = suite::chat("6281234567890");
    let ticket = personal_ticket(&chat);
    let reply = Outgoing { lang: Lang::Id, reply: Reply::msg(Msg::literal(format!("NIK {NIK}"))) };
    {
        let old = sled::open(&db).unwrap();
        let tree = old.open_tree(TREE).unwrap();
        tree.insert(codec::session_key(&chat), codec::encode_session(&personal_session()).unwrap())
            .unwrap();
        tree.insert(codec::ticket_key(&ticket.no), codec::encode_ticket(&ticket).unwrap()).unwrap();
        tree.insert(codec::index_key(&ticket), &[][..]).unwrap();
        let group = vec![(chat.clone(), 5, reply.clone())];
        tree.insert(&codec::reply_group_key(5)[..], codec::encode_reply_group(&group).unwrap())
            .unwrap();
        tree.insert(codec::reply_key(&chat, 9), codec::encode_reply(&reply).unwrap()).unwrap();
        old.flush().unwrap();
    }
    assert!(!holding(dir.path(), NIK.as_bytes()).is_empty());
    let store = SledStore::open(&db, CACHE).unwrap();
    assert_eq!(holding(dir.path(), NIK.as_bytes()), Vec::<PathBuf>::new());
    assert_eq!(holding(dir.path(), NAME.as_bytes()), Vec::<PathBuf>::new());
    assert_eq!(store.load_session(&chat).unwrap(), Some(personal_session()));
    assert_eq!(store.tickets_of(&chat).unwrap(), vec![ticket]);
    let pending = store.pending_replies(chat.channel).unwrap();
    assert_eq!(pending, vec![(chat.clone(), 5, reply.clone()), (chat.clone(), 9, reply)]);
    // Once is enough: the next open finds it sealed and rewrites nothing.
    assert!(store.read().unwrap().keys.all_sealed().unwrap());
}

/// A crash in the middle of the swap: the complete copy is taken, and the old store (which
/// would still hold plaintext) removed; before the copy was complete, the old store stays.
#[test]
fn an_interrupted_rewrite_is_finished_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let store = SledStore::open(&db, CACHE).unwrap();
    store.commit(&suite::sample_batch()).unwrap();
    drop(store);
    // Between the two renames: only the complete copy is there.
    std::fs::rename(&db, db.with_extension("compacted")).unwrap();
    suite::assert_sample_batch(&SledStore::open(&db, CACHE).unwrap());
    assert!(!db.with_extension("compacted").exists());
    // A copy that was never completed, and an old store left behind: both removed.
    std::fs::create_dir(db.with_extension("compacting")).unwrap();
    std::fs::create_dir(db.with_extension("old")).unwrap();
    suite::assert_sample_batch(&SledStore::open(&db, CACHE).unwrap());
    assert!(!db.with_extension("compacting").exists() && !db.with_extension("old").exists());
}

/// Reply keys no group refers to (pooled, or brought back by a power cut) are destroyed at
/// open; a group whose key is gone was wholly sent and is dropped.
#[test]
fn stray_reply_keys_and_spent_groups_are_swept_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path(), CACHE).unwrap();
    let chat = suite::chat("1");
    store
        .commit(&Batch { replies: vec![summary(&chat, 1), summary(&chat, 2)], ..Batch::default() })
        .unwrap();
    store.commit(&Batch { replies: vec![summary(&chat, 3)], ..Batch::default() }).unwrap();
    let raw = |id| store.read().unwrap().tree.get(codec::reply_group_key(id)).unwrap().unwrap();
    let spent = codec::reply_group_key_ref(&raw(3)).unwrap();
    let live = codec::reply_group_key_ref(&raw(1)).unwrap();
    store.read().unwrap().keys.destroy(&[spent], true).unwrap();
    // Dropped with most of its pool of reply keys (written ahead) unused.
    drop(store);
    let store = SledStore::open(dir.path(), CACHE).unwrap();
    assert!(store.read().unwrap().keys.reply_keys_at_open().unwrap().len() > 1);
    assert!(store.read().unwrap().tree.get(codec::reply_group_key(3)).unwrap().is_none());
    assert_eq!(store.pending_replies(chat.channel).unwrap().len(), 2);
    // The sweep at that open left only the live group's key.
    let store = reopen(store, &dir);
    assert_eq!(store.read().unwrap().keys.reply_keys_at_open().unwrap(), vec![live]);
}

/// A crash after an erasure's commit but before its keys were destroyed: the next open
/// destroys them. (The other order, keys first, would let a crash leave the session
/// unreadable while the erasure, its dedupe marker and its confirmation were never committed.)
#[test]
fn an_erasure_interrupted_after_its_commit_is_finished_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let store = SledStore::open(&db, CACHE).unwrap();
    let chat = suite::chat("6281234567890");
    store
        .commit(&Batch {
            sessions: vec![(chat.clone(), Some(personal_session().into()))],
            ..Batch::default()
        })
        .unwrap();
    let raw = |s: &SledStore, k: &[u8]| s.read().unwrap().tree.get(k).unwrap();
    let key = codec::session_key_ref(&session_record(&store, &chat));
    let secret = secret_of(&store, key);
    // What the erasure's commit writes, with the crash right after it: the erasure under way
    // on record, the key still in the key file. (Deleting a session writes nothing to its
    // pack: the index forgets the chat, and the key's destruction makes every copy noise.)
    {
        let open = store.read().unwrap();
        let mut writes = sled::Batch::default();
        writes.insert(&codec::erasing_key(7), codec::encode_erasing(&[key.unwrap()]));
        open.tree.apply_batch(writes).unwrap();
        open.sync().unwrap();
    }
    assert!(!holding(dir.path(), &secret).is_empty(), "the crash left the key behind");
    drop(store);
    let store = SledStore::open(&db, CACHE).unwrap();
    assert_eq!(holding(dir.path(), &secret), Vec::<PathBuf>::new(), "destroyed at open");
    assert_eq!(raw(&store, &codec::erasing_key(7)), None, "the erasure is finished");
    assert_eq!(store.load_session(&chat).unwrap(), None);
    drop(store);
    // Nothing is left to do at the next open either.
    let store = SledStore::open(&db, CACHE).unwrap();
    assert_eq!(store.read().unwrap().tree.scan_prefix(codec::erasing_prefix()).count(), 0);
}

/// An erasure's commit leaves no record of itself once it returns: its keys are gone and the
/// record saying they were to go is dropped.
#[test]
fn a_finished_erasure_leaves_no_erasure_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(&dir.path().join("db"), CACHE).unwrap();
    let chat = suite::chat("6281234567890");
    let session = |s| Batch { sessions: vec![(chat.clone(), s)], ..Batch::default() };
    store.commit(&session(Some(personal_session().into()))).unwrap();
    store.commit(&session(None)).unwrap();
    assert_eq!(store.read().unwrap().tree.scan_prefix(codec::erasing_prefix()).count(), 0);
}
