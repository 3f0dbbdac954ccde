//! A [`Store`] on PostgreSQL, selected by `PINTU_DATABASE_URL` (sled stays the embedded
//! default). One table per kind of record (`postgres/migrations/*.sql`), values as `codec`'s
//! bytes in `bytea` columns, and codec's keys wherever their byte order is the order the trait
//! reads in, so listings come back in the same order as from sled.
//!
//! Client: the blocking `postgres` crate, which drives tokio-postgres on a small runtime of its
//! own, which tokio refuses to start inside another runtime: calls made inside one run on a
//! scoped thread of their own ([`on_plain_thread`]); the committer's calls run where they are.
//! TLS is rustls (ring, Mozilla roots) when the URL asks for it (`sslmode=require`); without
//! `sslmode` it is tried and plain is accepted (libpq's `prefer`).
//!
//! Durability: [`Store::commit`] is one transaction per batch and returns after `COMMIT`,
//! which with PostgreSQL's default `synchronous_commit = on` means its WAL is flushed (fsync) on
//! the server. Every connection sets `synchronous_commit = on` itself, so a database default
//! of `off` cannot weaken it.
//!
//! Erasure is crypto-shredding, as on sled (`seal.rs`): sessions, tickets' personal fields and
//! replies are sealed under keys in `seal_keys`, and a commit that deletes a session, erases a
//! ticket or sends a commit's last reply deletes that key in the same transaction. A deleted
//! row survives as a dead tuple until vacuum, so after a commit that erased records (a session
//! deleted or a ticket erased) the store runs `VACUUM FULL seal_keys` outside the transaction:
//! the table is rewritten into a new file and the old one unlinked, so no page of the database
//! holds the key any more (the table holds one small row per live record, so the rewrite is
//! short; it locks only that table). A transaction older than the erasure that is still open
//! may still see the key, and VACUUM FULL then rightly copies it: such a copy goes with the
//! next erasure's VACUUM FULL after that transaction ends. Reply keys are left to
//! autovacuum, as sled leaves them to the next sync. What PostgreSQL keeps outside the table is documented in the README: WAL
//! segments until they are recycled, and base backups or replicas taken meanwhile.
//!
//! Reads use one connection, the committer another, so a long listing never delays a commit.
//!
//! Several instances: any number of pintu processes may share the database ([`Store::shared`]
//! is true). Per chat, steps are serialised optimistically rather than by owning chats: each
//! chat has a step version (`chat_versions`); a step reads it with the session, in one
//! statement ([`Store::load_session_fenced`]), and its commit moves it on only if it is still the version
//! read, in the same transaction as the step's writes, or the whole commit fails with
//! [`StoreError::Conflict`] and no reply is sent (the platform redelivers). Why not leases on
//! hash partitions with an inbox for messages that reach a non-owner: that needs a lease
//! renewer, an inbox, a listener and a way back to the instance holding the citizen's HTTP
//! request (the web chat), all to avoid conflicts that only occur when one chat's messages
//! reach two instances at the same moment. And why not `SELECT … FOR UPDATE` on the session:
//! the lock would have to be held from the read in the shard until the group commit, on the
//! committer's connection, across every chat of the batch. The price of this design is a
//! session read (and a dedupe lookup, `seen_once`) per message instead of the shard's cache,
//! and, on a conflict, the failure of the whole group commit it rode in.
//!
//! Reading the version (with the session) before the dedupe marker is what makes a
//! redelivery safe: a step committed before the version read is seen by the marker lookup; one
//! committed after it makes this commit fail.
//!
//! Statements of the commit path and of the reads made for each message are prepared once per
//! connection ([`Conn`]): run as SQL text, each would cost a round trip to prepare it first.
//!
//! Pending replies carry a claim too (`claimed_until`, [`super::REPLY_CLAIM_SECS`] from their
//! commit): the committing instance sends them at once; if it dies first, another instance
//! takes them over once the claim runs out ([`Store::orphaned_replies`]).
//!
//! Outbox entries are claimed ([`Store::claim_outbox`]) with `FOR UPDATE SKIP LOCKED` and a
//! claim time, so an instance killed mid-delivery leaves the entry to another once the claim
//! runs out; the idempotency key makes the repeat harmless at the agency.

use super::seal::{KeyRef, Keyring, SealKey};
use super::{
    Batch, Claim, DialogFile, DialogSet, Digest, R, ReplyOp, SessionVisit, Store, StoreError,
    TicketFilter, TicketOrder, TicketPage, codec,
};
use crate::audit::AuditEvent;
use crate::clock::Timestamp;
use crate::model::TicketNo;
use crate::model::account::{Account, SessionOp, StaffSession};
use crate::model::outbox::{OutboxEntry, OutboxOp};
use crate::model::reply::Outgoing;
use crate::model::session::Session;
use crate::model::status::{SlaClock, Status};
use crate::model::ticket::Ticket;
use crate::model::{Channel, ChatKey};
use postgres::types::ToSql;
use postgres::{Client, GenericClient, Row, Transaction};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;
use zeroize::Zeroizing;

mod migrate;

/// A [`Store`] on PostgreSQL; see the module docs.
pub struct PgStore {
    /// Always `Some` until dropped (see `Drop`).
    clients: Option<Clients>,
}

struct Clients {
    reader: Mutex<Conn>,
    writer: Mutex<Conn>,
}

/// A connection and the statements prepared on it. Running SQL text costs a round trip to
/// prepare it before the one that runs it, every time; the commit path and the reads made for
/// each message run their statements prepared once per connection instead (fixed SQL only, so
/// the cache stays as small as the code).
struct Conn {
    client: Client,
    statements: HashMap<&'static str, postgres::Statement>,
}

impl Conn {
    fn new(client: Client) -> Self {
        Self { client, statements: HashMap::new() }
    }

    /// A transaction whose fixed statements are prepared once per connection.
    fn transaction(&mut self) -> Result<Tx<'_>, postgres::Error> {
        Ok(Tx { tx: self.client.transaction()?, statements: &mut self.statements })
    }

    fn prepared(&mut self, sql: &'static str) -> Result<postgres::Statement, postgres::Error> {
        prepared_once(&mut self.client, &mut self.statements, sql)
    }

    /// `query_opt` of a fixed statement, prepared once.
    fn query_opt_prepared(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.client.query_opt(&statement, params)
    }

    /// `query_one` of a fixed statement, prepared once.
    fn query_one_prepared(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.client.query_one(&statement, params)
    }

    /// `query` of a fixed statement, prepared once.
    fn query_prepared(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.client.query(&statement, params)
    }
}

impl std::ops::Deref for Conn {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// `sql` prepared on `client`, whose connection's statements are `statements`: prepared the
/// first time, then taken from there.
fn prepared_once(
    client: &mut impl GenericClient,
    statements: &mut HashMap<&'static str, postgres::Statement>,
    sql: &'static str,
) -> Result<postgres::Statement, postgres::Error> {
    if let Some(statement) = statements.get(sql) {
        return Ok(statement.clone());
    }
    let statement = client.prepare(sql)?;
    statements.insert(sql, statement.clone());
    Ok(statement)
}

/// A transaction of a [`Conn`]: `execute` and the queries take fixed SQL and prepare each
/// statement once per connection.
struct Tx<'a> {
    tx: Transaction<'a>,
    statements: &'a mut HashMap<&'static str, postgres::Statement>,
}

impl Tx<'_> {
    fn prepared(&mut self, sql: &'static str) -> Result<postgres::Statement, postgres::Error> {
        prepared_once(&mut self.tx, self.statements, sql)
    }

    fn execute(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.execute(&statement, params)
    }

    fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.query(&statement, params)
    }

    fn query_one(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.query_one(&statement, params)
    }

    fn query_opt(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.tx.query_opt(&statement, params)
    }

    fn commit(self) -> Result<(), postgres::Error> {
        self.tx.commit()
    }
}

/// Closing a client blocks on its runtime too, so it is done where that is allowed.
impl Drop for PgStore {
    fn drop(&mut self) {
        if let Some(clients) = self.clients.take() {
            let _ = on_plain_thread(move || {
                drop(clients);
                Ok(())
            });
        }
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://…`), runs the migrations not yet applied, and finishes
    /// nothing else: a PostgreSQL commit leaves no half-done erasure behind.
    pub fn open(url: &str) -> R<Self> {
        on_plain_thread(|| {
            let mut writer = connect(url)?;
            migrate::run(&mut writer)?;
            let indexed = Self::index_tickets(&mut writer)?;
            if indexed > 0 {
                tracing::info!(tickets = indexed, "tickets indexed for listings");
            }
            let reader = connect(url)?;
            let clients = Clients {
                reader: Mutex::new(Conn::new(reader)),
                writer: Mutex::new(Conn::new(writer)),
            };
            Ok(Self { clients: Some(clients) })
        })
    }

    fn clients(&self) -> R<&Clients> {
        self.clients.as_ref().ok_or_else(|| StoreError::Io("the store is closed".into()))
    }

    fn reader(&self) -> R<MutexGuard<'_, Conn>> {
        self.clients()?
            .reader
            .lock()
            .map_err(|_| StoreError::Io("database reader lock poisoned".into()))
    }

    fn writer(&self) -> R<MutexGuard<'_, Conn>> {
        self.clients()?
            .writer
            .lock()
            .map_err(|_| StoreError::Io("database writer lock poisoned".into()))
    }
}

/// Runs `op` where the blocking client may block: here on a plain thread (the committer), on
/// a scoped thread of its own when called from inside a tokio runtime (a worker, or
/// `spawn_blocking`), where the client's own runtime would refuse to start. Some callers read
/// the store from async code (the catalogue at start), which sled tolerated.
fn on_plain_thread<T: Send>(op: impl FnOnce() -> R<T> + Send) -> R<T> {
    if tokio::runtime::Handle::try_current().is_err() {
        return op();
    }
    std::thread::scope(|s| {
        s.spawn(op)
            .join()
            .unwrap_or_else(|_| Err(StoreError::Io("a PostgreSQL call panicked".into())))
    })
}

/// A read-only transaction that sees one snapshot of the database throughout.
fn snapshot(client: &mut Client) -> R<Transaction<'_>> {
    client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(db_error("begin a snapshot read"))
}

/// The newest published dialog set's revision and digest.
const DIALOGS_HEAD: &str =
    "SELECT revision, digest FROM dialog_sets ORDER BY revision DESC LIMIT 1";

/// Serialises dialog publishes across instances (any fixed number, distinct from the
/// migrations' lock).
const DIALOGS_LOCK: i64 = 0x7069_6e74_7500_0002;

/// How many of the newest dialog revisions keep their files (for an operator to look back).
const DIALOG_REVISIONS_KEPT: i64 = 20;

/// Column `i` of `row` as a digest.
fn digest_of(row: &Row, i: usize) -> R<Digest> {
    let bytes: &[u8] = row.get(i);
    bytes.try_into().map_err(|_| StoreError::Io("a dialog digest is not 32 bytes".into()))
}

/// `url` with its password replaced, for logs and errors.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return "postgres://…".into() };
    let (authority, tail) = rest.split_once('/').map_or((rest, ""), |(a, t)| (a, t));
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(name, _)| name);
            format!("{user}:***@{host}")
        }
        None => authority.to_owned(),
    };
    // A password can also ride in the query string (`?password=…`).
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => p.to_owned(),
                })
                .collect();
            format!("{path}?{}", params.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}/{tail}")
}

fn connect(url: &str) -> R<Client> {
    let config: postgres::Config = url
        .parse()
        .map_err(|e| StoreError::Io(format!("PINTU_DATABASE_URL {}: {e}", redacted(url))))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Io(format!("TLS setup: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut client = config
        .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
        .map_err(|e| StoreError::Io(format!("connecting to {}: {e}", redacted(url))))?;
    client.batch_execute("SET synchronous_commit = on").map_err(db_error("configure"))?;
    Ok(client)
}

/// The server's message names tables, columns and constraints; the values of parameters
/// (personal data) are only in its detail, which is left out.
fn db_error(op: &'static str) -> impl Fn(postgres::Error) -> StoreError {
    move |e| match e.as_db_error() {
        Some(db) => {
            StoreError::Io(format!("PostgreSQL {op}: {} ({})", db.message(), db.code().code()))
        }
        None => StoreError::Io(format!("PostgreSQL {op}: {e}")),
    }
}

/// The one key a row was read with (joined from `seal_keys`), as a keyring for `codec`.
struct RowKey(Option<SealKey>);

impl Keyring for RowKey {
    fn key(&self, slot: u32) -> R<Option<SealKey>> {
        Ok(self.0.clone().filter(|k| k.slot == slot))
    }
}

/// Reads the key columns `slot`, `id`, `secret` (from a LEFT JOIN: all NULL when none).
fn row_key(row: &Row, first: usize) -> R<RowKey> {
    let slot: Option<i32> = row.try_get(first).map_err(db_error("read key"))?;
    let Some(slot) = slot else { return Ok(RowKey(None)) };
    let id: i64 = row.try_get(first + 1).map_err(db_error("read key"))?;
    let bytes: &[u8] = row.try_get(first + 2).map_err(db_error("read key"))?;
    let mut secret = Zeroizing::new([0u8; 32]);
    if bytes.len() != 32 {
        return Err(StoreError::Corrupt("a sealing key of the wrong length".into()));
    }
    secret.copy_from_slice(bytes);
    Ok(RowKey(Some(SealKey { slot: slot as u32, id: id as u64, secret })))
}

fn bytes(row: &Row, i: usize) -> R<Vec<u8>> {
    row.try_get(i).map_err(db_error("read"))
}

/// A new key, stored in `seal_keys` by the transaction that will use it.
fn new_key(tx: &mut Tx<'_>) -> R<SealKey> {
    new_keys(tx, 1)?.pop().ok_or_else(|| StoreError::Io("a new key went missing".into()))
}

/// `n` new sealing keys, made in one statement.
fn new_keys(tx: &mut Tx<'_>, n: usize) -> R<Vec<SealKey>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let mut keys: Vec<SealKey> = Vec::with_capacity(n);
    while keys.len() < n {
        let mut random = Zeroizing::new([0u8; 40]);
        getrandom::fill(&mut random[..])
            .map_err(|e| StoreError::Io(format!("no randomness for a key: {e}")))?;
        // A zero id would read as an empty slot elsewhere; 1 in 2^64, but then take another.
        // Ids tell the new keys' slots apart below, so each is taken once.
        let id = u64::from_be_bytes(random[..8].try_into().unwrap_or_default()).max(1);
        if keys.iter().any(|k| k.id == id) {
            continue;
        }
        let mut secret = Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(&random[8..]);
        keys.push(SealKey { slot: 0, id, secret });
    }
    let ids: Vec<i64> = keys.iter().map(|k| k.id as i64).collect();
    let secrets: Vec<&[u8]> = keys.iter().map(|k| &k.secret[..]).collect();
    let rows = tx
        .query(
            "INSERT INTO seal_keys (id, secret) SELECT * FROM unnest($1::bigint[], $2::bytea[]) \
             RETURNING id, slot",
            &[&ids, &secrets],
        )
        .map_err(db_error("new keys"))?;
    let slots: HashMap<i64, i32> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    for key in &mut keys {
        let slot = slots
            .get(&(key.id as i64))
            .ok_or_else(|| StoreError::Io("a new key has no slot".into()))?;
        key.slot = *slot as u32;
    }
    Ok(keys)
}

fn slot_param(key: Option<&SealKey>) -> Option<i32> {
    key.map(|k| k.slot as i32)
}

/// The keys of `slots`, destroyed with the transaction.
fn destroy_keys(tx: &mut Tx<'_>, slots: &[i32]) -> R<()> {
    if !slots.is_empty() {
        tx.execute("DELETE FROM seal_keys WHERE slot = ANY($1)", &[&slots])
            .map_err(db_error("destroy keys"))?;
    }
    Ok(())
}

impl Store for PgStore {
    fn load_session(&self, chat: &ChatKey) -> R<Option<Session>> {
        on_plain_thread(|| {
            let row = self
                .reader()?
                .query_opt_prepared(SESSION_FOR_WRITE, &[&codec::session_key(chat)])
                .map_err(db_error("load session"))?;
            let Some(row) = row else { return Ok(None) };
            codec::open_session(&bytes(&row, 0)?, &row_key(&row, 1)?)
        })
    }

    fn sessions(&self, visit: &mut SessionVisit) -> R<()> {
        let all = on_plain_thread(|| {
            let rows = self
                .reader()?
                .query(
                    "SELECT s.key, s.value, k.slot, k.id, k.secret FROM sessions s \
                     LEFT JOIN seal_keys k ON k.slot = s.key_slot ORDER BY s.key",
                    &[],
                )
                .map_err(db_error("list sessions"))?;
            let mut all = Vec::with_capacity(rows.len());
            for row in rows {
                if let Some(session) = codec::open_session(&bytes(&row, 1)?, &row_key(&row, 2)?)? {
                    all.push((codec::chat_of_session_key(&bytes(&row, 0)?)?, session));
                }
            }
            Ok(all)
        })?;
        // Visited here, on the caller's thread: `visit` may hold what cannot cross threads.
        all.into_iter().try_for_each(|(chat, session)| visit(chat, session))
    }

    fn seen_between(&self, from: Timestamp, until: Timestamp) -> R<Vec<u64>> {
        on_plain_thread(|| {
            let (from, until) = (codec::seen_hour(from), codec::seen_hour(until));
            let mut out = Vec::new();
            if from >= until {
                return Ok(out);
            }
            let rows = self
                .reader()?
                .query(
                    "SELECT hashes FROM seen WHERE hour >= $1 AND hour < $2",
                    &[&i64::from(from), &i64::from(until)],
                )
                .map_err(db_error("read seen markers"))?;
            for row in rows {
                out.extend(codec::decode_seen(&bytes(&row, 0)?)?);
            }
            Ok(out)
        })
    }

    fn ticket(&self, no: &TicketNo) -> R<Option<Ticket>> {
        on_plain_thread(|| {
            let row = self
                .reader()?
                .query_opt_prepared(TICKET_FOR_WRITE, &[&codec::ticket_key(no)])
                .map_err(db_error("read ticket"))?;
            row.map(|row| codec::open_ticket(&bytes(&row, 0)?, &row_key(&row, 1)?)).transpose()
        })
    }

    fn tickets_of(&self, chat: &ChatKey) -> R<Vec<Ticket>> {
        on_plain_thread(|| {
            self.read_tickets(
                "WHERE t.chat = $1 ORDER BY t.chat_order",
                &[&codec::session_key(chat)],
            )
        })
    }

    fn tickets_matching(
        &self,
        filter: &TicketFilter,
        order: TicketOrder,
        skip: usize,
        limit: usize,
    ) -> R<TicketPage> {
        let (conditions, params) = ticket_conditions(filter);
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
        let order = match order {
            TicketOrder::Number => "t.key",
            TicketOrder::NewestFirst => "t.created DESC, t.key",
        };
        let clamp = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let page = format!(
            "WHERE {conditions} ORDER BY {order} OFFSET {} LIMIT {}",
            clamp(skip),
            clamp(limit)
        );
        on_plain_thread(|| {
            let mut client = self.reader()?;
            // One snapshot, so the count is of the tickets paged through.
            let mut tx = snapshot(&mut client)?;
            let total: i64 = tx
                .query_one(&format!("SELECT count(*) FROM tickets t WHERE {conditions}"), &params)
                .map_err(db_error("count tickets"))?
                .get(0);
            let tickets = query_tickets(&mut tx, &page, &params)?;
            tx.commit().map_err(db_error("end ticket listing"))?;
            Ok(TicketPage { tickets, total: total as usize })
        })
    }

    fn tickets_to_follow(&self, closed_before: Timestamp) -> R<Vec<Ticket>> {
        let waiting: Vec<&str> =
            running_codes().into_iter().chain([Status::PerluPerbaikan.code()]).collect();
        let closed: Vec<&str> =
            Status::ALL.iter().filter(|s| s.is_terminal()).map(|s| s.code()).collect();
        on_plain_thread(|| {
            self.read_tickets(
                "WHERE t.status = ANY($1) \
                 OR (NOT t.erased AND t.status = ANY($2) AND t.last_change < $3) ORDER BY t.key",
                &[&waiting, &closed, &closed_before.0],
            )
        })
    }

    fn script_source(&self, id: &str, version: u32) -> R<Option<String>> {
        on_plain_thread(|| {
            let row = self
                .reader()?
                .query_opt(
                    "SELECT source FROM scripts WHERE id = $1 AND version = $2",
                    &[&id, &(version as i32)],
                )
                .map_err(db_error("read script"))?;
            row.map(|row| codec::decode_script(&bytes(&row, 0)?)).transpose()
        })
    }

    fn scripts(&self) -> R<Vec<(String, u32)>> {
        on_plain_thread(|| {
            let rows = self
                .reader()?
                .query("SELECT id, version FROM scripts ORDER BY id COLLATE \"C\", version", &[])
                .map_err(db_error("list scripts"))?;
            rows.iter()
                .map(|row| {
                    let id: String = row.try_get(0).map_err(db_error("read script id"))?;
                    let version: i32 = row.try_get(1).map_err(db_error("read script version"))?;
                    Ok((id, version as u32))
                })
                .collect()
        })
    }

    fn tickets(&self) -> R<Vec<Ticket>> {
        on_plain_thread(|| self.read_tickets("ORDER BY t.key", &[]))
    }

    fn outbox_pending(&self) -> R<Vec<OutboxEntry>> {
        on_plain_thread(|| {
            let rows = self
                .reader()?
                .query("SELECT value FROM outbox_pending ORDER BY due_order", &[])
                .map_err(db_error("read outbox"))?;
            rows.iter().map(|row| codec::decode_outbox(&bytes(row, 0)?)).collect()
        })
    }

    fn shared_secret(&self, name: &str, fresh: &[u8]) -> R<Option<Vec<u8>>> {
        on_plain_thread(|| {
            let mut client = self.reader()?;
            client
                .execute(
                    "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&name, &fresh],
                )
                .map_err(db_error("offer a secret"))?;
            let row = client
                .query_one("SELECT value FROM secrets WHERE name = $1", &[&name])
                .map_err(db_error("read a secret"))?;
            Ok(Some(row.get(0)))
        })
    }

    fn outbox_written_since(
        &self,
        since: Option<SystemTime>,
    ) -> R<(Vec<OutboxEntry>, Option<SystemTime>)> {
        on_plain_thread(|| {
            let mut client = self.reader()?;
            // The clock first: an entry written after it is read now or next time.
            let clock: SystemTime = client
                .query_one("SELECT now()", &[])
                .map_err(db_error("read the database clock"))?
                .get(0);
            let rows = match since {
                Some(since) => client.query(
                    "SELECT value FROM outbox_pending WHERE written_at >= $1 ORDER BY due_order",
                    &[&since],
                ),
                None => client.query("SELECT value FROM outbox_pending ORDER BY due_order", &[]),
            }
            .map_err(db_error("read outbox"))?;
            let entries =
                rows.iter().map(|row| codec::decode_outbox(&bytes(row, 0)?)).collect::<R<_>>()?;
            Ok((entries, Some(clock)))
        })
    }

    fn outbox_dead(&self) -> R<Vec<OutboxEntry>> {
        on_plain_thread(|| {
            let rows = self
                .reader()?
                .query("SELECT value FROM outbox_dead", &[])
                .map_err(db_error("read dead letters"))?;
            let mut found: Vec<OutboxEntry> =
                rows.iter().map(|row| codec::decode_outbox(&bytes(row, 0)?)).collect::<R<_>>()?;
            // The same order as sled: creation time, then id (ids are u64, unlike bigint).
            found.sort_by_key(|e| (e.created, e.id));
            Ok(found)
        })
    }

    fn audit_log(&self, max: usize) -> R<Vec<AuditEvent>> {
        on_plain_thread(|| {
            let max = i64::try_from(max).unwrap_or(i64::MAX);
            let rows = self
                .reader()?
                .query("SELECT value FROM audit ORDER BY at DESC, n DESC LIMIT $1", &[&max])
                .map_err(db_error("read audit log"))?;
            rows.iter().map(|row| codec::decode_audit(&bytes(row, 0)?)).collect()
        })
    }

    fn account(&self, login: &str) -> R<Option<Account>> {
        on_plain_thread(|| {
            let row = self
                .reader()?
                .query_opt("SELECT value FROM accounts WHERE login = $1", &[&login])
                .map_err(db_error("read account"))?;
            row.map(|row| codec::decode_account(&bytes(&row, 0)?)).transpose()
        })
    }

    fn accounts(&self) -> R<Vec<Account>> {
        on_plain_thread(|| {
            let rows = self
                .reader()?
                .query("SELECT value FROM accounts ORDER BY login COLLATE \"C\"", &[])
                .map_err(db_error("read accounts"))?;
            rows.iter().map(|row| codec::decode_account(&bytes(row, 0)?)).collect()
        })
    }

    fn staff_session(&self, token_hash: &[u8; 32]) -> R<Option<StaffSession>> {
        on_plain_thread(|| {
            let row = self
                .reader()?
                .query_opt("SELECT value FROM staff_sessions WHERE key = $1", &[&&token_hash[..]])
                .map_err(db_error("read staff session"))?;
            row.map(|row| codec::decode_staff_session(&bytes(&row, 0)?)).transpose()
        })
    }

    fn pending_replies(&self, channel: Channel) -> R<Vec<(ChatKey, u64, Outgoing)>> {
        on_plain_thread(|| self.read_replies(REPLIES_OF_CHANNEL, &channel.code()))
    }

    fn chat_pending_replies(&self, chat: &ChatKey) -> R<Vec<(u64, Outgoing)>> {
        on_plain_thread(|| {
            let found = self.read_replies(REPLIES_OF_CHAT, &codec::session_key(chat))?;
            Ok(found.into_iter().map(|(_, seq, out)| (seq, out)).collect())
        })
    }

    fn is_empty(&self) -> R<bool> {
        on_plain_thread(|| {
            let row = self
                .reader()?
                .query_one(
                    "SELECT NOT (EXISTS (SELECT 1 FROM sessions) OR EXISTS (SELECT 1 FROM tickets) \
                     OR EXISTS (SELECT 1 FROM seen) OR EXISTS (SELECT 1 FROM scripts) \
                     OR EXISTS (SELECT 1 FROM outbox_pending) OR EXISTS (SELECT 1 FROM outbox_dead) \
                     OR EXISTS (SELECT 1 FROM replies) OR EXISTS (SELECT 1 FROM audit) \
                     OR EXISTS (SELECT 1 FROM accounts) OR EXISTS (SELECT 1 FROM staff_sessions))",
                    &[],
                )
                .map_err(db_error("count records"))?;
            Ok(row.get(0))
        })
    }

    fn shared(&self) -> bool {
        true
    }

    fn load_session_fenced(&self, chat: &ChatKey) -> R<(Option<Session>, u64)> {
        on_plain_thread(|| {
            // One statement, so the version and the session are of one snapshot: a commit
            // moves both at once (the fence is in the step's transaction).
            let row = self
                .reader()?
                .query_one_prepared(
                    "SELECT v.version, s.value, k.slot, k.id, k.secret FROM (SELECT 1) one \
                     LEFT JOIN chat_versions v ON v.chat = $1 \
                     LEFT JOIN sessions s ON s.key = $2 \
                     LEFT JOIN seal_keys k ON k.slot = s.key_slot",
                    &[&fence_id(chat), &codec::session_key(chat)],
                )
                .map_err(db_error("load session"))?;
            let version = row.get::<_, Option<i64>>(0).map_or(0, |v| v as u64);
            let value: Option<Vec<u8>> = row.get(1);
            let session = match value {
                Some(value) => codec::open_session(&value, &row_key(&row, 2)?)?,
                None => None,
            };
            Ok((session, version))
        })
    }

    fn stepped(&self, hash: u64) -> R<bool> {
        on_plain_thread(|| {
            let row = self
                .reader()?
                .query_opt_prepared("SELECT 1 FROM seen_once WHERE hash = $1", &[&(hash as i64)])
                .map_err(db_error("read seen marker"))?;
            Ok(row.is_some())
        })
    }

    fn orphaned_replies(&self, channel: Channel) -> R<Vec<(ChatKey, u64, Outgoing)>> {
        on_plain_thread(|| {
            let keys: Vec<Vec<u8>> = self
                .reader()?
                .query(
                    "UPDATE replies SET claimed_until = now() + make_interval(secs => $2) \
                     WHERE key IN (SELECT key FROM replies WHERE channel = $1 \
                     AND claimed_until < now() ORDER BY key LIMIT 1000 FOR UPDATE SKIP LOCKED) \
                     RETURNING key",
                    &[&channel.code(), &f64::from(super::REPLY_CLAIM_SECS)],
                )
                .map_err(db_error("claim orphaned replies"))?
                .iter()
                .map(|row| bytes(row, 0))
                .collect::<R<_>>()?;
            if keys.is_empty() {
                return Ok(Vec::new());
            }
            self.read_replies(REPLIES_WITH_KEYS, &keys)
        })
    }

    fn hold_lease(&self, name: &str, holder: &str, secs: u32) -> R<bool> {
        on_plain_thread(|| {
            let held = self
                .reader()?
                .execute(
                    "INSERT INTO leases (name, holder, until) \
                     VALUES ($1, $2, now() + make_interval(secs => $3)) \
                     ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, \
                     until = EXCLUDED.until \
                     WHERE leases.holder = EXCLUDED.holder OR leases.until < now()",
                    &[&name, &holder, &f64::from(secs)],
                )
                .map_err(db_error("hold lease"))?;
            Ok(held == 1)
        })
    }

    fn claim_outbox(&self, id: u64, secs: u32) -> R<Claim> {
        on_plain_thread(|| {
            let mut client = self.reader()?;
            let mut tx = client.transaction().map_err(db_error("begin claim"))?;
            let row_id = id as i64;
            // SKIP LOCKED: an entry another instance is claiming right now is simply not ours.
            let free = tx
                .query_opt(
                    "SELECT claimed_until IS NULL OR claimed_until < now() FROM outbox_pending \
                     WHERE id = $1 FOR UPDATE SKIP LOCKED",
                    &[&row_id],
                )
                .map_err(db_error("claim outbox entry"))?;
            let claim = match free.map(|row| row.get::<_, bool>(0)) {
                Some(true) => {
                    tx.execute(
                        "UPDATE outbox_pending SET claimed_until = now() + make_interval(secs => $2) \
                         WHERE id = $1",
                        &[&row_id, &f64::from(secs)],
                    )
                    .map_err(db_error("claim outbox entry"))?;
                    Claim::Taken
                }
                Some(false) => Claim::Held,
                None => {
                    let exists = tx
                        .query_opt("SELECT 1 FROM outbox_pending WHERE id = $1", &[&row_id])
                        .map_err(db_error("claim outbox entry"))?;
                    if exists.is_some() { Claim::Held } else { Claim::Gone }
                }
            };
            tx.commit().map_err(db_error("commit claim"))?;
            Ok(claim)
        })
    }

    fn dialogs_head(&self) -> R<Option<(u64, Digest)>> {
        on_plain_thread(|| {
            let row = self
                .reader()?
                .query_opt(DIALOGS_HEAD, &[])
                .map_err(db_error("read dialog revision"))?;
            row.map(|r| Ok((r.get::<_, i64>(0) as u64, digest_of(&r, 1)?))).transpose()
        })
    }

    fn dialogs_latest(&self) -> R<Option<DialogSet>> {
        on_plain_thread(|| {
            let mut client = self.reader()?;
            // One snapshot, so the files are those of the revision read.
            let mut tx = snapshot(&mut client)?;
            let Some(head) =
                tx.query_opt(DIALOGS_HEAD, &[]).map_err(db_error("read dialog revision"))?
            else {
                return Ok(None);
            };
            let revision: i64 = head.get(0);
            let files = tx
                .query(
                    "SELECT path, content FROM dialog_files WHERE revision = $1 ORDER BY path",
                    &[&revision],
                )
                .map_err(db_error("read dialog files"))?
                .iter()
                .map(|r| (r.get::<_, String>(0), r.get::<_, Vec<u8>>(1)))
                .collect();
            tx.commit().map_err(db_error("end dialog read"))?;
            Ok(Some(DialogSet { revision: revision as u64, digest: digest_of(&head, 1)?, files }))
        })
    }

    fn dialogs_known(&self, digest: &Digest) -> R<bool> {
        on_plain_thread(|| {
            let row = self
                .reader()?
                .query_opt("SELECT 1 FROM dialog_sets WHERE digest = $1 LIMIT 1", &[&&digest[..]])
                .map_err(db_error("look up dialog digest"))?;
            Ok(row.is_some())
        })
    }

    fn publish_dialogs(&self, digest: &Digest, files: &[DialogFile], by: &str) -> R<u64> {
        on_plain_thread(|| {
            let mut client = self.reader()?;
            let mut tx = client.transaction().map_err(db_error("begin dialog publish"))?;
            // One publisher at a time, so two instances publishing the same edit make one
            // revision, not two.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&DIALOGS_LOCK])
                .map_err(db_error("lock dialog sets"))?;
            let head = tx.query_opt(DIALOGS_HEAD, &[]).map_err(db_error("read dialog revision"))?;
            if let Some(head) = head
                && digest_of(&head, 1)? == *digest
            {
                return Ok(head.get::<_, i64>(0) as u64);
            }
            let revision: i64 = tx
                .query_one(
                    "INSERT INTO dialog_sets (digest, published_by) VALUES ($1, $2) \
                     RETURNING revision",
                    &[&&digest[..], &by],
                )
                .map_err(db_error("publish dialogs"))?
                .get(0);
            for (path, content) in files {
                tx.execute(
                    "INSERT INTO dialog_files (revision, path, content) VALUES ($1, $2, $3)",
                    &[&revision, path, content],
                )
                .map_err(db_error("publish dialog file"))?;
            }
            // Older revisions keep their digests (see the migration), not their files.
            tx.execute(
                "DELETE FROM dialog_files WHERE revision <= $1",
                &[&(revision - DIALOG_REVISIONS_KEPT)],
            )
            .map_err(db_error("prune dialog files"))?;
            tx.commit().map_err(db_error("commit dialog publish"))?;
            Ok(revision as u64)
        })
    }

    fn commit(&self, batch: &Batch) -> R<()> {
        on_plain_thread(|| {
            if batch.is_empty() {
                return Ok(());
            }
            let mut client = self.writer()?;
            let mut tx = client.transaction().map_err(db_error("begin"))?;
            // First, so a stale step fails before it wrote (and waited on) anything else.
            write_fences(&mut tx, &batch.fences)?;
            let mut erased = write_sessions(&mut tx, &batch.sessions)?;
            erased |= write_tickets(&mut tx, &batch.tickets)?;
            write_seen(&mut tx, batch)?;
            for (id, version, source) in &batch.scripts {
                tx.execute(
                    "INSERT INTO scripts (id, version, source) VALUES ($1, $2, $3) \
                     ON CONFLICT (id, version) DO UPDATE SET source = EXCLUDED.source",
                    &[id, &(*version as i32), &codec::encode_script(source)],
                )
                .map_err(db_error("write script"))?;
            }
            for account in &batch.accounts {
                tx.execute(
                    "INSERT INTO accounts (login, value) VALUES ($1, $2) \
                     ON CONFLICT (login) DO UPDATE SET value = EXCLUDED.value",
                    &[&account.login, &codec::encode_account(account)?],
                )
                .map_err(db_error("write account"))?;
            }
            write_replies(&mut tx, &batch.replies)?;
            for e in &batch.audit {
                tx.execute(
                    "INSERT INTO audit (at, value) VALUES ($1, $2)",
                    &[&e.at.0, &codec::encode_audit(e)?],
                )
                .map_err(db_error("write audit"))?;
            }
            write_outbox(&mut tx, &batch.outbox)?;
            write_staff_sessions(&mut tx, &batch.staff_sessions)?;
            // With synchronous_commit = on (set at connect), COMMIT returns once the WAL record
            // is flushed on the server: the batch survives a crash or a power cut.
            tx.commit().map_err(db_error("commit"))?;
            if erased {
                // Outside the transaction (VACUUM cannot run in one): the deleted key rows leave
                // no page behind. Already committed, so a failure here is logged, not returned:
                // the erasure happened, only its dead tuples wait for autovacuum.
                if let Err(e) = client.batch_execute("VACUUM FULL seal_keys") {
                    tracing::warn!(error = %e, "vacuuming erased keys failed; autovacuum will");
                }
            }
            Ok(())
        })
    }
}

impl PgStore {
    fn read_tickets(&self, filter: &str, params: &[&(dyn ToSql + Sync)]) -> R<Vec<Ticket>> {
        query_tickets(&mut self.reader()?.client, filter, params)
    }

    /// Fills in the listing columns of tickets written before migration 6 (see there), a
    /// thousand at a time.
    fn index_tickets(client: &mut Client) -> R<u64> {
        let mut indexed = 0;
        loop {
            let tickets = query_tickets(client, "WHERE t.status IS NULL LIMIT 1000", &[])?;
            if tickets.is_empty() {
                return Ok(indexed);
            }
            let mut tx = client.transaction().map_err(db_error("begin ticket index"))?;
            for ticket in &tickets {
                index_ticket(&mut tx, &codec::ticket_key(&ticket.no), ticket)?;
            }
            tx.commit().map_err(db_error("commit ticket index"))?;
            indexed += tickets.len() as u64;
        }
    }

    fn read_replies(
        &self,
        sql: &'static str,
        param: &(dyn postgres::types::ToSql + Sync),
    ) -> R<Vec<(ChatKey, u64, Outgoing)>> {
        let rows =
            self.reader()?.query_prepared(sql, &[param]).map_err(db_error("read replies"))?;
        let mut out = Vec::new();
        for row in rows {
            // `None`: its key is gone, which a pending reply's never is while its row exists.
            if let Some(group) = codec::open_reply_group(&bytes(&row, 0)?, &row_key(&row, 1)?)? {
                out.extend(group);
            }
        }
        Ok(out)
    }
}

/// The stored row's key (slot and id) of a sealed record, read in the transaction.
fn stored_key(tx: &mut Tx<'_>, sql: &'static str, key: &[u8]) -> R<Option<(Vec<u8>, RowKey)>> {
    let row = tx.query_opt(sql, &[&key]).map_err(db_error("read for write"))?;
    row.map(|row| Ok((bytes(&row, 0)?, row_key(&row, 1)?))).transpose()
}

/// Pending replies, opened with their keys, in key order: of a channel, of a chat, by keys.
const REPLIES_OF_CHANNEL: &str = "SELECT r.value, k.slot, k.id, k.secret FROM replies r \
     LEFT JOIN seal_keys k ON k.slot = r.key_slot WHERE r.channel = $1 ORDER BY r.key";
const REPLIES_OF_CHAT: &str = "SELECT r.value, k.slot, k.id, k.secret FROM replies r \
     LEFT JOIN seal_keys k ON k.slot = r.key_slot WHERE r.chat = $1 ORDER BY r.key";
const REPLIES_WITH_KEYS: &str = "SELECT r.value, k.slot, k.id, k.secret FROM replies r \
     LEFT JOIN seal_keys k ON k.slot = r.key_slot WHERE r.key = ANY($1) ORDER BY r.key";

const SESSION_FOR_WRITE: &str = "SELECT s.value, k.slot, k.id, k.secret FROM sessions s \
     LEFT JOIN seal_keys k ON k.slot = s.key_slot WHERE s.key = $1";
const TICKET_FOR_WRITE: &str = "SELECT t.value, k.slot, k.id, k.secret FROM tickets t \
     LEFT JOIN seal_keys k ON k.slot = t.key_slot WHERE t.key = $1";

/// Writes the sessions, sealed, as `sled/records.rs` does: a chat whose session the batch
/// deletes (erasure, expiry) loses its key, even if a later write starts a new session.
/// Returns whether a key was destroyed.
fn write_sessions(tx: &mut Tx<'_>, ops: &[(ChatKey, Option<Arc<Session>>)]) -> R<bool> {
    let mut last: Vec<(&ChatKey, bool, Option<&Session>)> = Vec::new();
    for (chat, session) in ops {
        match last.iter_mut().find(|(c, _, _)| *c == chat) {
            Some(entry) => {
                entry.1 |= session.is_none();
                entry.2 = session.as_deref();
            }
            None => last.push((chat, session.is_none(), session.as_deref())),
        }
    }
    if last.is_empty() {
        return Ok(false);
    }
    // A few statements for the whole batch, not three a session: the stored sessions' keys
    // in one read, the new keys in one insert, the sessions in one insert and one delete.
    let keys: Vec<Vec<u8>> = last.iter().map(|(chat, _, _)| codec::session_key(chat)).collect();
    let mut stored: HashMap<Vec<u8>, (Vec<u8>, RowKey)> = HashMap::new();
    for row in tx
        .query(
            "SELECT s.key, s.value, k.slot, k.id, k.secret FROM sessions s \
             LEFT JOIN seal_keys k ON k.slot = s.key_slot WHERE s.key = ANY($1)",
            &[&keys],
        )
        .map_err(db_error("read for write"))?
    {
        stored.insert(bytes(&row, 0)?, (bytes(&row, 1)?, row_key(&row, 2)?));
    }
    let mut doomed = Vec::new();
    let mut writes: Vec<(&Vec<u8>, &Session, Option<SealKey>)> = Vec::new();
    let mut deletes: Vec<&[u8]> = Vec::new();
    for ((_, deleted, session), key) in last.into_iter().zip(&keys) {
        let stored = stored.remove(key);
        let stored_slot = stored.as_ref().and_then(|(value, _)| codec::session_key_ref(value));
        let kept = match (stored, stored_slot) {
            (Some(_), Some(old)) if deleted => {
                doomed.push(old.slot as i32);
                None
            }
            (Some((_, ring)), Some(old)) => live(&ring, old)?,
            _ => None,
        };
        match session {
            Some(s) => writes.push((key, s, kept)),
            None => deletes.push(key),
        }
    }
    let mut fresh = new_keys(tx, writes.iter().filter(|w| w.2.is_none()).count())?.into_iter();
    let mut rows = (Vec::new(), Vec::new(), Vec::new());
    for (key, session, kept) in writes {
        let seal = match kept {
            Some(k) => k,
            None => fresh.next().ok_or_else(|| StoreError::Io("a new key went missing".into()))?,
        };
        rows.0.push(key.as_slice());
        rows.1.push(seal.slot as i32);
        rows.2.push(codec::seal_session(session, &seal)?);
    }
    if !deletes.is_empty() {
        tx.execute("DELETE FROM sessions WHERE key = ANY($1)", &[&deletes])
            .map_err(db_error("delete sessions"))?;
    }
    if !rows.0.is_empty() {
        tx.execute(
            "INSERT INTO sessions (key, key_slot, value) \
             SELECT * FROM unnest($1::bytea[], $2::integer[], $3::bytea[]) \
             ON CONFLICT (key) DO UPDATE SET key_slot = EXCLUDED.key_slot, value = EXCLUDED.value",
            &[&rows.0, &rows.1, &rows.2],
        )
        .map_err(db_error("write sessions"))?;
    }
    destroy_keys(tx, &doomed)?;
    Ok(!doomed.is_empty())
}

/// The key `r` names if the ring (the row's joined key) still holds it.
fn live(ring: &RowKey, r: KeyRef) -> R<Option<SealKey>> {
    Ok(ring.key(r.slot)?.filter(|k| k.id == r.id))
}

/// Writes the tickets: a ticket keeps its key while it holds personal data; the write that
/// erases it (or leaves nothing personal) destroys the key. Returns whether one was destroyed.
fn write_tickets(tx: &mut Tx<'_>, tickets: &[Ticket]) -> R<bool> {
    // The key each ticket is left under by the writes so far.
    let mut under: HashMap<TicketNo, Option<SealKey>> = HashMap::new();
    let mut doomed = Vec::new();
    for ticket in tickets {
        let key = codec::ticket_key(&ticket.no);
        let current = match under.entry(ticket.no) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let old = match stored_key(tx, TICKET_FOR_WRITE, &key)? {
                    Some((value, ring)) => match codec::ticket_key_ref(&value) {
                        Some(r) => live(&ring, r)?,
                        None => None,
                    },
                    None => None,
                };
                e.insert(old)
            }
        };
        if codec::ticket_is_personal(ticket) {
            if current.is_none() {
                *current = Some(new_key(tx)?);
            }
        } else if let Some(old) = current.take() {
            doomed.push(old.slot as i32);
        }
        // With the listing columns of migration 6.
        let listing = Listing::of(ticket);
        tx.execute(
            "INSERT INTO tickets (key, chat, chat_order, key_slot, value, number, opd, script, \
             status, created, due, last_change, erased) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (key) DO UPDATE SET chat = EXCLUDED.chat, \
             chat_order = EXCLUDED.chat_order, key_slot = EXCLUDED.key_slot, \
             value = EXCLUDED.value, number = EXCLUDED.number, opd = EXCLUDED.opd, \
             script = EXCLUDED.script, status = EXCLUDED.status, created = EXCLUDED.created, \
             due = EXCLUDED.due, last_change = EXCLUDED.last_change, erased = EXCLUDED.erased",
            &[
                &key as &(dyn ToSql + Sync),
                &codec::session_key(&ticket.chat),
                &codec::index_key(ticket),
                &slot_param(current.as_ref()),
                &codec::seal_ticket(ticket, current.as_ref())?,
            ]
            .into_iter()
            .chain(listing.params())
            .collect::<Vec<_>>(),
        )
        .map_err(db_error("write ticket"))?;
    }
    destroy_keys(tx, &doomed)?;
    Ok(!doomed.is_empty())
}

/// What listings filter and sort a ticket by: the columns of migration 6, in the order
/// `number, opd, script, status, created, due, last_change, erased`.
struct Listing<'t> {
    ticket: &'t Ticket,
    number: String,
    status: &'static str,
    due: Option<i32>,
    last_change: i64,
    erased: bool,
}

impl<'t> Listing<'t> {
    fn of(ticket: &'t Ticket) -> Self {
        Self {
            ticket,
            number: ticket.no.to_string(),
            status: ticket.status.code(),
            due: ticket.current_due(),
            last_change: ticket.last_change().0,
            erased: ticket.is_erased(),
        }
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 8] {
        [
            &self.number,
            &self.ticket.opd,
            &self.ticket.script,
            &self.status,
            &self.ticket.created.0,
            &self.due,
            &self.last_change,
            &self.erased,
        ]
    }
}

/// Writes the listing columns into a ticket's row written before migration 6;
/// `write_tickets` writes them with every ticket.
fn index_ticket(client: &mut impl GenericClient, key: &[u8], ticket: &Ticket) -> R<()> {
    let listing = Listing::of(ticket);
    let params: Vec<&(dyn ToSql + Sync)> =
        std::iter::once(&key as &(dyn ToSql + Sync)).chain(listing.params()).collect();
    client
        .execute(
            "UPDATE tickets SET number = $2, opd = $3, script = $4, status = $5, created = $6, \
             due = $7, last_change = $8, erased = $9 WHERE key = $1",
            &params,
        )
        .map_err(db_error("index ticket"))?;
    Ok(())
}

/// The tickets `filter` (SQL after `FROM tickets t LEFT JOIN seal_keys k`) selects, opened.
fn query_tickets(
    client: &mut impl GenericClient,
    filter: &str,
    params: &[&(dyn ToSql + Sync)],
) -> R<Vec<Ticket>> {
    let sql = format!(
        "SELECT t.value, k.slot, k.id, k.secret FROM tickets t \
         LEFT JOIN seal_keys k ON k.slot = t.key_slot {filter}"
    );
    let rows = client.query(&sql, params).map_err(db_error("read tickets"))?;
    rows.iter().map(|row| codec::open_ticket(&bytes(row, 0)?, &row_key(row, 1)?)).collect()
}

/// A [`TicketFilter`] as SQL conditions on `tickets t` (`TRUE` when it has none) and their
/// parameters.
fn ticket_conditions(filter: &TicketFilter) -> (String, Vec<Box<dyn ToSql + Sync>>) {
    let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::new();
    // Adds a parameter; returns its placeholder.
    let mut param = |value: Box<dyn ToSql + Sync>| {
        params.push(value);
        format!("${}", params.len())
    };
    let mut conditions: Vec<String> = Vec::new();
    if let Some(opd) = &filter.opd {
        conditions.push(format!("t.opd = {}", param(Box::new(opd.clone()))));
    }
    if !filter.statuses.is_empty() {
        let codes: Vec<&str> = filter.statuses.iter().map(|s| s.code()).collect();
        conditions.push(format!("t.status = ANY({})", param(Box::new(codes))));
    }
    if let Some(script) = &filter.script {
        conditions.push(format!("t.script = {}", param(Box::new(script.clone()))));
    }
    if let Some(at) = filter.created_from {
        conditions.push(format!("t.created >= {}", param(Box::new(at.0))));
    }
    if let Some(at) = filter.created_before {
        conditions.push(format!("t.created < {}", param(Box::new(at.0))));
    }
    if let Some(part) = &filter.number_contains {
        conditions.push(format!("strpos(t.number, {}) > 0", param(Box::new(part.clone()))));
    }
    if let Some((day, want)) = filter.overdue {
        // As `Ticket::overdue_on`; a ticket without a due date is not overdue.
        let overdue = format!(
            "COALESCE(t.status = ANY({}) AND t.due < {}, false)",
            param(Box::new(running_codes())),
            param(Box::new(day))
        );
        conditions.push(if want { overdue } else { format!("NOT {overdue}") });
    }
    if conditions.is_empty() {
        conditions.push("TRUE".into());
    }
    (conditions.join(" AND "), params)
}

/// The codes of the statuses whose SLA clock runs.
fn running_codes() -> Vec<&'static str> {
    Status::ALL.iter().filter(|s| s.clock() == SlaClock::Runs).map(|s| s.code()).collect()
}

/// The id of a chat's row in `chat_versions`: FNV-1a of its key, so the table holds no phone
/// number. Two chats sharing one would only fence each other (a needless conflict).
fn fence_id(chat: &ChatKey) -> i64 {
    codec::session_key(chat)
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
        as i64
}

/// Moves each fenced chat one version on, or fails the commit if another process did first.
/// The row lock taken here holds a concurrent commit of the same chat until this one ends,
/// which then finds the version moved and fails.
fn write_fences(tx: &mut Tx<'_>, fences: &[(ChatKey, u64)]) -> R<()> {
    let mut done: Vec<&ChatKey> = Vec::new();
    for (chat, version) in fences {
        if done.contains(&chat) {
            continue;
        }
        done.push(chat);
        let id = fence_id(chat);
        let moved = if *version == 0 {
            tx.execute(
                "INSERT INTO chat_versions (chat, version) VALUES ($1, 1) ON CONFLICT DO NOTHING",
                &[&id],
            )
        } else {
            tx.execute(
                "UPDATE chat_versions SET version = version + 1 WHERE chat = $1 AND version = $2",
                &[&id, &(*version as i64)],
            )
        }
        .map_err(db_error("fence chat"))?;
        if moved != 1 {
            return Err(StoreError::Conflict(format!("chat {chat} is past version {version}")));
        }
    }
    Ok(())
}

/// Dedupe markers: one row per hour per commit; expiry drops whole hours. Each hash also gets
/// a row of its own in `seen_once`, which any instance can look up; a hash already there means
/// the message was stepped twice, and the commit is refused.
fn write_seen(tx: &mut Tx<'_>, batch: &Batch) -> R<()> {
    for (hour, hashes) in &batch.seen_by_hour() {
        tx.execute(
            "INSERT INTO seen (hour, hashes) VALUES ($1, $2)",
            &[&i64::from(*hour), &codec::encode_seen(hashes)],
        )
        .map_err(db_error("write seen markers"))?;
        let ids: Vec<i64> = hashes.iter().map(|h| *h as i64).collect();
        let added = tx
            .execute(
                "INSERT INTO seen_once (hash, hour) SELECT DISTINCT unnest($1::bigint[]), $2::bigint \
                 ON CONFLICT DO NOTHING",
                &[&ids, &i64::from(*hour)],
            )
            .map_err(db_error("write seen markers"))?;
        let distinct = ids.iter().collect::<std::collections::HashSet<_>>().len();
        if added as usize != distinct {
            return Err(StoreError::Conflict("a message was stepped by another instance".into()));
        }
    }
    if let Some(before) = batch.seen_expired {
        let hour = i64::from(codec::seen_hour(before));
        tx.execute("DELETE FROM seen WHERE hour < $1", &[&hour])
            .map_err(db_error("expire seen markers"))?;
        tx.execute("DELETE FROM seen_once WHERE hour < $1", &[&hour])
            .map_err(db_error("expire seen markers"))?;
    }
    Ok(())
}

/// Pending replies are sealed under one key per commit (one one-reply group per row); a key
/// is destroyed once no row sealed under it is left.
fn write_replies(tx: &mut Tx<'_>, ops: &[ReplyOp]) -> R<()> {
    if ops.is_empty() {
        return Ok(());
    }
    // The last op on each reply decides (a reply written and marked sent in one batch is
    // gone); one DELETE and one INSERT for the whole batch, not two statements a reply.
    let mut last: HashMap<Vec<u8>, &ReplyOp> = HashMap::new();
    for op in ops {
        let (chat, seq) = match op {
            ReplyOp::Pending { chat, seq, .. } | ReplyOp::Sent { chat, seq } => (chat, *seq),
        };
        last.insert(codec::reply_key(chat, seq), op);
    }
    let keys: Vec<&[u8]> = last.keys().map(Vec::as_slice).collect();
    let touched: Vec<i32> = tx
        .query("DELETE FROM replies WHERE key = ANY($1) RETURNING key_slot", &[&keys])
        .map_err(db_error("replace replies"))?
        .iter()
        .map(|row| row.get::<_, i32>(0))
        .collect();
    let pending: Vec<(&Vec<u8>, &ChatKey, u64, &Outgoing)> = last
        .iter()
        .filter_map(|(key, op)| match op {
            ReplyOp::Pending { chat, seq, out } => Some((key, chat, *seq, &**out)),
            ReplyOp::Sent { .. } => None,
        })
        .collect();
    if !pending.is_empty() {
        // One key seals every reply of the commit.
        let seal = new_key(tx)?;
        let mut rows = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (key, chat, seq, out) in pending {
            rows.0.push(key.as_slice());
            rows.1.push(chat.channel.code());
            rows.2.push(codec::session_key(chat));
            rows.3.push(codec::seal_reply_group(&[(chat, seq, out)], &seal)?);
        }
        tx.execute(
            "INSERT INTO replies (key, channel, chat, key_slot, value, claimed_until) \
             SELECT r.key, r.channel, r.chat, $5, r.value, now() + make_interval(secs => $6) \
             FROM unnest($1::bytea[], $2::text[], $3::bytea[], $4::bytea[]) \
             AS r(key, channel, chat, value)",
            &[
                &rows.0,
                &rows.1,
                &rows.2,
                &rows.3,
                &(seal.slot as i32),
                &f64::from(super::REPLY_CLAIM_SECS),
            ],
        )
        .map_err(db_error("write replies"))?;
    }
    if !touched.is_empty() {
        tx.execute(
            "DELETE FROM seal_keys k WHERE k.slot = ANY($1) \
             AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.key_slot = k.slot)",
            &[&touched],
        )
        .map_err(db_error("destroy reply keys"))?;
    }
    Ok(())
}

/// Outbox ops in order, with the same meaning as on sled: `Put` (re)schedules an entry,
/// `Done` forgets it, `Dead` moves it to the dead letters.
fn write_outbox(tx: &mut Tx<'_>, ops: &[OutboxOp]) -> R<()> {
    for op in ops {
        let id = match op {
            OutboxOp::Put(entry) | OutboxOp::Dead(entry) => entry.id,
            OutboxOp::Done(id) => *id,
        };
        // The u64 id's bits as bigint: only compared for equality.
        let row_id = id as i64;
        tx.execute("DELETE FROM outbox_pending WHERE id = $1", &[&row_id])
            .map_err(db_error("outbox"))?;
        tx.execute("DELETE FROM outbox_dead WHERE id = $1", &[&row_id])
            .map_err(db_error("outbox"))?;
        match op {
            OutboxOp::Put(entry) => {
                tx.execute(
                    "INSERT INTO outbox_pending (id, due_order, value) VALUES ($1, $2, $3)",
                    &[&row_id, &&codec::due_key(entry.due, id)[..], &codec::encode_outbox(entry)?],
                )
                .map_err(db_error("outbox"))?;
            }
            OutboxOp::Dead(entry) => {
                tx.execute(
                    "INSERT INTO outbox_dead (id, value) VALUES ($1, $2)",
                    &[&row_id, &codec::encode_outbox(entry)?],
                )
                .map_err(db_error("outbox"))?;
            }
            OutboxOp::Done(_) => {}
        }
    }
    Ok(())
}

fn write_staff_sessions(tx: &mut Tx<'_>, ops: &[SessionOp]) -> R<()> {
    for op in ops {
        match op {
            SessionOp::Put(hash, session) => tx.execute(
                "INSERT INTO staff_sessions (key, login, value) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                &[&&hash[..], &session.login, &codec::encode_staff_session(session)?],
            ),
            SessionOp::End(hash) => {
                tx.execute("DELETE FROM staff_sessions WHERE key = $1", &[&&hash[..]])
            }
            SessionOp::EndAll(login) => {
                tx.execute("DELETE FROM staff_sessions WHERE login = $1", &[login])
            }
        }
        .map_err(db_error("write staff session"))?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod cluster;
#[cfg(test)]
mod tests;
