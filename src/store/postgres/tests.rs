//! The store suite and PostgreSQL-specific checks, each on a fresh database of a throw-away
//! cluster (`cluster.rs`).

use super::cluster::{Cluster, fresh_database};
use super::{PgStore, migrate, redacted};
use crate::store::suite::{self, store_suite};
use crate::store::{Batch, Store};
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
    assert_eq!(versions, vec![1, 2]);
    suite::assert_sample_batch(&again);
}

#[test]
fn a_failed_batch_leaves_nothing() {
    let (store, (_cluster, url)) = fresh();
    // The database refuses the batch's audit events, written after its sessions, tickets,
    // markers, scripts and replies in the same transaction.
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$; \
             CREATE TRIGGER refuse BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION refuse();",
        )
        .unwrap();
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
    let batch =
        Batch { sessions: vec![(chat.clone(), Some(suite::sample_session()))], ..Batch::default() };
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
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'connection lost'; END $$; \
             CREATE TRIGGER refuse BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION refuse();",
        )
        .unwrap();
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
