//! The store suite and PostgreSQL-specific checks, each on a fresh database of a throw-away
//! cluster (`cluster.rs`).

use super::cluster::{Cluster, fresh_database};
use super::{PgStore, migrate, redacted};
use crate::store::suite::{self, store_suite};
use crate::store::{Batch, Claim, DialogSet, Store, StoreError, TicketFilter, TicketOrder};
use std::sync::Arc;

/// A store on a fresh database; the guard keeps the cluster running and knows the URL.
fn fresh() -> (PgStore, (Arc<Cluster>, String)) {
    let (cluster, url) = fresh_database();
    (PgStore::open(&url).expect("open the store"), (cluster, url))
}

store_suite!(fresh(), reopen: |store: PgStore, guard: &(Arc<Cluster>, String)| {
    drop(store);
    PgStore::open(&guard.1).expect("reopen")
});

#[test]
fn migrations_run_once_and_opening_again_applies_none() {
    let (store, (_cluster, url)) = fresh();
    store.commit(&suite::sample_batch()).unwrap();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    assert_eq!(migrate::run(&mut client).unwrap(), 0);
    let again = PgStore::open(&url).unwrap();
    let versions: Vec<i32> = client
        .query("SELECT version FROM schema_migrations ORDER BY version", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, vec![1, 2, 3, 4, 5, 6, 7, 8]);
    suite::assert_sample_batch(&again);
}

/// A client on `url` after making the database refuse every audit event with `message` (drop
/// trigger `refuse` on `audit` to end it).
fn refusing_audit_events(url: &str, message: &str) -> postgres::Client {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION '{message}'; END $$; \
             CREATE TRIGGER refuse BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION refuse();"
        ))
        .unwrap();
    client
}

#[test]
fn a_failed_batch_leaves_nothing() {
    let (store, (_cluster, url)) = fresh();
    // The database refuses the batch's audit events, written after its sessions, tickets,
    // markers, scripts and replies in the same transaction.
    let mut client = refusing_audit_events(&url, "refused by the test");
    let error = store.commit(&suite::sample_batch()).unwrap_err();
    assert!(error.to_string().contains("refused by the test"), "{error}");
    assert!(store.is_empty().unwrap());
    let keys: i64 = client.query_one("SELECT count(*) FROM seal_keys", &[]).unwrap().get(0);
    assert_eq!(keys, 0, "the batch's new keys were rolled back with it");
    // The store is still usable.
    client.batch_execute("DROP TRIGGER refuse ON audit").unwrap();
    store.commit(&suite::sample_batch()).unwrap();
    suite::assert_sample_batch(&store);
}

/// Deleting a session destroys its key, and the key's bytes are gone from the table's file
/// (not just marked dead) once the commit returns and the server writes its pages. On a
/// cluster of its own: a transaction older than the erasure anywhere else (another test's
/// CREATE DATABASE) could still see the key, so VACUUM FULL would rightly keep it.
#[test]
fn an_erased_session_leaves_no_key_in_the_table_file() {
    let cluster = Cluster::start();
    let url = cluster.url("postgres");
    let store = PgStore::open(&url).unwrap();
    let chat = suite::chat("erase-me");
    let batch = Batch {
        sessions: vec![(chat.clone(), Some(suite::sample_session().into()))],
        ..Batch::default()
    };
    store.commit(&batch).unwrap();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let secret: Vec<u8> = client
        .query_one("SELECT k.secret FROM sessions s JOIN seal_keys k ON k.slot = s.key_slot", &[])
        .unwrap()
        .get(0);
    client.batch_execute("CHECKPOINT").unwrap();
    let file = |client: &mut postgres::Client| {
        let path: String =
            client.query_one("SELECT pg_relation_filepath('seal_keys')", &[]).unwrap().get(0);
        std::fs::read(cluster.data_dir().join(path)).unwrap()
    };
    let contains = |hay: &[u8]| hay.windows(secret.len()).any(|w| w == secret.as_slice());
    assert!(contains(&file(&mut client)), "the key is in the table file before the erasure");
    store.commit(&Batch { sessions: vec![(chat.clone(), None)], ..Batch::default() }).unwrap();
    client.batch_execute("CHECKPOINT").unwrap();
    assert!(!contains(&file(&mut client)), "the erased key is still in the table file");
    assert_eq!(store.load_session(&chat).unwrap(), None);
    let keys: i64 = client.query_one("SELECT count(*) FROM seal_keys", &[]).unwrap().get(0);
    assert_eq!(keys, 0);
}

#[test]
fn the_password_never_shows() {
    let url = "postgres://pintu:s3cret@db.example:5432/pintu?sslmode=require&password=s3cret";
    let shown = redacted(url);
    assert!(!shown.contains("s3cret"), "{shown}");
    assert_eq!(shown, "postgres://pintu:***@db.example:5432/pintu?sslmode=require&password=***");
    let error = PgStore::open("postgres://pintu:s3cret@127.0.0.1:1/pintu").err().unwrap();
    assert!(!error.to_string().contains("s3cret"), "{error}");
}

/// `serve` opens the store and reads the catalogue from async code: the blocking client must
/// work (and close) there too, on a worker as in `spawn_blocking`.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn works_inside_a_tokio_runtime() {
    // The test's own admin client is blocking too.
    let (cluster, url) = std::thread::spawn(fresh_database).join().unwrap();
    let store = PgStore::open(&url).unwrap();
    store.commit(&suite::sample_batch()).unwrap();
    suite::assert_sample_batch(&store);
    let store = tokio::task::spawn_blocking(move || {
        suite::assert_sample_batch(&store);
        store
    })
    .await
    .unwrap();
    drop(store);
    drop(cluster);
}

/// `pintu migrate --to`: a sled store moved into an empty database, cut off half-way by a
/// failing commit, finished by running it again, then compared record by record.
#[test]
fn a_sled_store_moves_in_resumes_after_a_cut_and_compares_equal() {
    use crate::store::transfer::tests::{MANY, NOW, WINDOW, fill};
    use crate::store::transfer::{copy, verify};
    let dir = tempfile::tempdir().unwrap();
    let from = crate::store::SledStore::open(&dir.path().join("db"), 8 << 20).unwrap();
    fill(&from);
    let (to, (_cluster, url)) = fresh();
    // The database refuses the audit events, copied after sessions and tickets: the chunks
    // before are committed, the one holding an event is not.
    let mut client = refusing_audit_events(&url, "connection lost");
    assert!(copy(&from, &to, NOW, WINDOW).unwrap_err().to_string().contains("connection lost"));
    let tickets: i64 = client.query_one("SELECT count(*) FROM tickets", &[]).unwrap().get(0);
    assert!(tickets > 0 && tickets <= MANY as i64, "a part was moved: {tickets}");
    assert!(verify(&from, &to, NOW, WINDOW).is_err());

    client.batch_execute("DROP TRIGGER refuse ON audit").unwrap();
    let rest = copy(&from, &to, NOW, WINDOW).unwrap();
    assert!(rest.audit > 0 && rest.sessions == 0 && rest.tickets < MANY as u64, "{rest:?}");
    let checked = verify(&from, &to, NOW, WINDOW).unwrap();
    assert_eq!((checked.sessions, checked.tickets), (MANY as u64 + 1, MANY as u64 + 1));
    // Personal data arrives sealed under the database's own keys, as pintu writes it.
    let plain: i64 = client
        .query_one("SELECT count(*) FROM tickets WHERE position('Siti'::bytea IN value) > 0", &[])
        .unwrap()
        .get(0);
    assert_eq!(plain, 0);
}

/// A step's commit: the chat's session written, fenced at the version the step read.
fn step_batch(chat: &crate::model::ChatKey, version: u64, misses: u8) -> Batch {
    let mut session = suite::sample_session();
    session.misses = misses;
    Batch {
        sessions: vec![(chat.clone(), Some(session.into()))],
        fences: vec![(chat.clone(), version)],
        ..Batch::default()
    }
}

#[test]
fn a_stale_steps_commit_is_refused_and_writes_nothing() {
    let (a, (_cluster, url)) = fresh();
    let b = PgStore::open(&url).unwrap();
    let chat = suite::chat("6281100000001");
    // Both instances read the chat before either stepped it.
    let (none, read_by_a) = a.load_session_fenced(&chat).unwrap();
    let (_, read_by_b) = b.load_session_fenced(&chat).unwrap();
    assert!(none.is_none());
    a.commit(&step_batch(&chat, read_by_a, 1)).unwrap();
    let refused = b.commit(&step_batch(&chat, read_by_b, 2)).unwrap_err();
    assert!(matches!(refused, StoreError::Conflict(_)), "{refused}");
    assert_eq!(a.load_session(&chat).unwrap().unwrap().misses, 1);
    // Read again, B steps on A's result, and A's old read is stale in turn.
    let (seen_by_b, now) = b.load_session_fenced(&chat).unwrap();
    assert_eq!(seen_by_b.unwrap().misses, 1);
    assert!(now > read_by_a);
    b.commit(&step_batch(&chat, now, 2)).unwrap();
    assert!(matches!(a.commit(&step_batch(&chat, now, 3)), Err(StoreError::Conflict(_))));
    assert_eq!(a.load_session(&chat).unwrap().unwrap().misses, 2);
}

#[test]
fn a_message_stepped_by_one_instance_is_known_to_another_and_never_committed_twice() {
    let (a, (_cluster, url)) = fresh();
    let b = PgStore::open(&url).unwrap();
    assert!(!b.stepped(suite::SAMPLE_SEEN).unwrap());
    a.commit(&suite::sample_batch()).unwrap();
    assert!(b.stepped(suite::SAMPLE_SEEN).unwrap());
    let seen = suite::sample_batch().seen;
    let again = b.commit(&Batch { seen, ..Batch::default() }).unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)), "{again}");
}

#[test]
fn an_outbox_entry_is_claimed_by_one_instance_until_its_claim_runs_out() {
    let (a, (_cluster, url)) = fresh();
    let b = PgStore::open(&url).unwrap();
    a.commit(&suite::sample_batch()).unwrap();
    let id = a.outbox_pending().unwrap()[0].id;
    assert_eq!(a.claim_outbox(id, 1).unwrap(), Claim::Taken);
    assert_eq!(b.claim_outbox(id, 1).unwrap(), Claim::Held);
    // A died mid-delivery: its claim runs out and B may take the entry.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(b.claim_outbox(id, 60).unwrap(), Claim::Taken);
    assert_eq!(a.claim_outbox(id, 60).unwrap(), Claim::Held);
    let done = Batch { outbox: vec![crate::model::outbox::OutboxOp::Done(id)], ..Batch::default() };
    b.commit(&done).unwrap();
    assert_eq!(a.claim_outbox(id, 60).unwrap(), Claim::Gone);
}

#[test]
fn a_lease_is_held_by_one_instance_and_taken_over_once_it_runs_out() {
    let (a, (_cluster, url)) = fresh();
    let b = PgStore::open(&url).unwrap();
    assert!(a.hold_lease("telegram-poll", "a", 1).unwrap());
    assert!(!b.hold_lease("telegram-poll", "b", 1).unwrap());
    assert!(a.hold_lease("telegram-poll", "a", 1).unwrap(), "renewed by its holder");
    assert!(b.hold_lease("other-job", "b", 1).unwrap(), "leases are per job");
    // A stopped renewing (it died): B takes over, and A no longer leads.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(b.hold_lease("telegram-poll", "b", 30).unwrap());
    assert!(!a.hold_lease("telegram-poll", "a", 30).unwrap());
}

#[test]
fn dialog_sets_are_published_once_per_digest_and_keep_their_history() {
    let (store, _guard) = fresh();
    assert_eq!(store.dialogs_head().unwrap(), None);
    assert_eq!(store.dialogs_latest().unwrap(), None);
    let files = |text: &str| {
        vec![
            ("dialogs/ktp.yaml".to_string(), text.as_bytes().to_vec()),
            ("locales/id/ktp.ftl".to_string(), b"judul = KTP".to_vec()),
        ]
    };
    let (first, second) = ([1u8; 32], [2u8; 32]);
    let one = store.publish_dialogs(&first, &files("v1"), "a").unwrap();
    // The same digest again (another instance starting with the same folders): no new revision.
    assert_eq!(store.publish_dialogs(&first, &files("v1"), "b").unwrap(), one);
    let two = store.publish_dialogs(&second, &files("v2"), "b").unwrap();
    assert!(two > one);
    assert_eq!(store.dialogs_head().unwrap(), Some((two, second)));
    let latest = store.dialogs_latest().unwrap().unwrap();
    assert_eq!(latest, DialogSet { revision: two, digest: second, files: files("v2") });
    assert!(store.dialogs_known(&first).unwrap());
    assert!(!store.dialogs_known(&[3u8; 32]).unwrap());
    // Going back to an earlier set publishes it again as the newest.
    let three = store.publish_dialogs(&first, &files("v1"), "a").unwrap();
    assert_eq!(store.dialogs_head().unwrap(), Some((three, first)));
}

#[test]
fn old_dialog_revisions_keep_their_digest_but_not_their_files() {
    let (store, (_cluster, url)) = fresh();
    for i in 0..25u8 {
        store.publish_dialogs(&[i; 32], &[("dialogs/a.yaml".into(), vec![i])], "a").unwrap();
    }
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let with_files: i64 =
        client.query_one("SELECT count(DISTINCT revision) FROM dialog_files", &[]).unwrap().get(0);
    assert_eq!(with_files, 20);
    assert!(store.dialogs_known(&[0; 32]).unwrap());
    assert_eq!(
        store.dialogs_latest().unwrap().unwrap().files,
        vec![("dialogs/a.yaml".into(), vec![24])]
    );
}

#[test]
fn tickets_written_before_the_listing_columns_are_indexed_at_open() {
    let (store, (_cluster, url)) = fresh();
    let (a, b) = (suite::chat("1"), suite::chat("2"));
    let mut other = suite::ticket_at(2, &b, 2_000);
    other.opd = "dpmptsp".into();
    let batch =
        Batch { tickets: vec![suite::ticket_at(1, &a, 1_000), other.clone()], ..Batch::default() };
    store.commit(&batch).unwrap();
    drop(store);
    // As a database migrated from version 5 holds them.
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute(
            "UPDATE tickets SET number = NULL, opd = NULL, script = NULL, status = NULL, \
             created = NULL, due = NULL, last_change = NULL, erased = NULL",
        )
        .unwrap();
    let store = PgStore::open(&url).unwrap();
    let filter = TicketFilter { opd: Some("dpmptsp".into()), ..TicketFilter::default() };
    let page = store.tickets_matching(&filter, TicketOrder::NewestFirst, 0, 10).unwrap();
    assert_eq!(page.tickets, vec![other]);
    let unindexed: i64 =
        client.query_one("SELECT count(*) FROM tickets WHERE status IS NULL", &[]).unwrap().get(0);
    assert_eq!(unindexed, 0);
}

#[test]
fn outbox_entries_are_read_by_when_they_were_written() {
    let (store, _guard) = fresh();
    let entries = suite::sample_outbox();
    let put = |e: &crate::model::outbox::OutboxEntry| Batch {
        outbox: vec![crate::model::outbox::OutboxOp::Put(e.clone())],
        ..Batch::default()
    };
    let ids = |read: &[crate::model::outbox::OutboxEntry]| {
        let mut ids: Vec<u64> = read.iter().map(|e| e.id).collect();
        ids.sort_unstable();
        ids
    };
    store.commit(&put(&entries[0])).unwrap();
    store.commit(&put(&entries[1])).unwrap();
    let (all, looked) = store.outbox_written_since(None).unwrap();
    assert_eq!(ids(&all), ids(&entries[..2]));
    let looked = looked.expect("the database's clock");
    // Written after the look: a new entry, and the first one rescheduled.
    store.commit(&put(&entries[2])).unwrap();
    let rescheduled = crate::model::outbox::OutboxEntry { attempts: 1, ..entries[0].clone() };
    store.commit(&put(&rescheduled)).unwrap();
    let (since, _) = store.outbox_written_since(Some(looked)).unwrap();
    assert_eq!(ids(&since), ids(&[entries[2].clone(), rescheduled.clone()]));
    assert!(since.contains(&rescheduled), "as written last");
    let earlier = looked - std::time::Duration::from_secs(30);
    assert_eq!(store.outbox_written_since(Some(earlier)).unwrap().0.len(), 3);
}

#[test]
fn a_shared_secret_is_the_first_one_offered() {
    let (a, (_cluster, url)) = fresh();
    let b = PgStore::open(&url).unwrap();
    assert_eq!(a.shared_secret("files", b"first").unwrap(), Some(b"first".to_vec()));
    assert_eq!(b.shared_secret("files", b"second").unwrap(), Some(b"first".to_vec()));
    assert_eq!(b.shared_secret("other", b"second").unwrap(), Some(b"second".to_vec()));
}

#[test]
fn a_batch_of_sessions_keeps_live_keys_and_replaces_an_erased_ones() {
    let (store, (_cluster, url)) = fresh();
    let (a, b, c) = (suite::chat("a"), suite::chat("b"), suite::chat("c"));
    let session = suite::sample_session();
    let put = |chats: &[&crate::model::ChatKey]| Batch {
        sessions: chats.iter().map(|c| ((*c).clone(), Some(session.clone().into()))).collect(),
        ..Batch::default()
    };
    store.commit(&put(&[&b, &c])).unwrap();
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let slot = |client: &mut postgres::Client, chat: &crate::model::ChatKey| -> i32 {
        let key = crate::store::codec::session_key(chat);
        client.query_one("SELECT key_slot FROM sessions WHERE key = $1", &[&key]).unwrap().get(0)
    };
    let (b_slot, c_slot) = (slot(&mut client, &b), slot(&mut client, &c));
    // One batch: a new session, an update, and an erasure followed by a new start.
    let mut batch = put(&[&a, &b]);
    batch.sessions.push((c.clone(), None));
    batch.sessions.push((c.clone(), Some(session.clone().into())));
    store.commit(&batch).unwrap();
    assert_eq!(slot(&mut client, &b), b_slot, "an update keeps its key");
    assert_ne!(slot(&mut client, &c), c_slot, "a session erased in the batch gets a new key");
    let gone: i64 = client
        .query_one("SELECT count(*) FROM seal_keys WHERE slot = $1", &[&c_slot])
        .unwrap()
        .get(0);
    assert_eq!(gone, 0, "the erased session's key is destroyed");
    for chat in [&a, &b, &c] {
        assert_eq!(store.load_session(chat).unwrap(), Some(session.clone()));
    }
}
