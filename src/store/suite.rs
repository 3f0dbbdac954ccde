//! Conformance tests every [`Store`] backend runs, generated per backend by [`store_suite!`]
//! (the pattern of matrix-rust-sdk's `integration_tests.rs`), plus the sample records the
//! codec's frozen fixtures are built from.
//!
//! Each `pub fn` taking a store is one check, named for what it proves. They use only the trait,
//! never a backend's internals, so a new backend proves itself by invoking the macro. Nothing
//! here may depend on timing or on the file system. The outbox checks live in `suite/outbox.rs`.

mod outbox;

pub use self::outbox::{
    due_by, next_due, outbox_dead_then_requeue, outbox_done_removes_it,
    outbox_due_respects_now_and_max, outbox_next_due_is_the_earliest,
    outbox_ops_commit_with_the_ticket, outbox_orders_by_due_then_id,
    outbox_reschedule_leaves_no_stale_due, outbox_starts_empty,
    several_outbox_ops_on_one_id_in_one_batch,
};

use super::{Batch, Store, TicketFilter, TicketOrder};
use crate::clock::Timestamp;
use crate::model::account::{Account, Role};
use crate::model::outbox::{Job, OutboxEntry, OutboxOp, PushEvent};
use crate::model::session::{Answer, FileRef, Flow, Lang, Pending, Session, Value};
use crate::model::ticket::{Actor, Change, FollowUp, Ticket};
use crate::model::{Channel, ChatKey};
use crate::model::{Status, TicketNo};

/// Generates one `#[test]` per conformance check.
///
/// `fresh` is an expression giving `(store, guard)`: a new empty store and whatever must live
/// as long as it (a temp dir; `()` for memory). With `reopen: |store, &guard| -> store` the
/// durability check runs too; the closure must drop the store and open it again.
macro_rules! store_suite {
    // First: a `$fresh:expr` arm would fail hard on `@each` rather than fall through.
    (@each $fresh:expr; $($name:ident),+) => {
        $(
            #[test]
            fn $name() {
                let (store, _guard) = $fresh;
                $crate::store::suite::$name(&store);
            }
        )+
    };
    ($fresh:expr $(,)?) => {
        $crate::store::suite::store_suite!(@each $fresh;
            session_put_get_delete, batch_is_all_visible, later_writes_win,
            tickets_of_oldest_first_per_chat, ticket_updates_replace, tickets_in_number_order,
            script_source_by_version, large_session, non_ascii_ids, empty_batch,
            outbox_starts_empty, outbox_orders_by_due_then_id, outbox_due_respects_now_and_max,
            outbox_next_due_is_the_earliest, outbox_reschedule_leaves_no_stale_due,
            outbox_done_removes_it, outbox_dead_then_requeue,
            several_outbox_ops_on_one_id_in_one_batch, outbox_ops_commit_with_the_ticket,
            pending_replies_in_order_per_channel, pending_replies_of_one_chat,
            seen_markers_expire_by_the_hour, audit_log_newest_first,
            sessions_are_listed_with_their_chats, accounts_by_login, staff_sessions_by_token,
            ticket_listings_filter_order_and_page, tickets_to_follow_are_those_the_scan_needs);
    };
    ($fresh:expr, reopen: $reopen:expr $(,)?) => {
        $crate::store::suite::store_suite!($fresh);
        #[test]
        fn committed_batch_survives_reopen() {
            let (store, guard) = $fresh;
            $crate::store::suite::survives_reopen(store, |s| ($reopen)(s, &guard));
        }
    };
}
pub(crate) use store_suite;

/// A chat on Telegram.
pub fn chat(id: &str) -> ChatKey {
    ChatKey::new(Channel::Telegram, id)
}

/// The `n`th of a set of distinct, valid ticket numbers.
pub fn ticket_no(n: u8) -> TicketNo {
    TicketNo::from_random([n; 16])
}

/// A session with every field set and every `Value` variant among its answers.
pub fn sample_session() -> Session {
    let answers = [
        Value::Text("Budi Santoso".into()),
        Value::Number(-42),
        Value::Date(2_460_000),
        Value::Choice(3),
        Value::Yes(true),
        Value::File(FileRef {
            path: "files/2026/03/ab12.jpg".into(),
            mime: "image/jpeg".into(),
            bytes: 123_456,
        }),
        Value::Location { lat: -1.2379, lon: 116.8529 },
        Value::Skipped,
    ];
    let answers = answers.into_iter().zip(0u16..).map(|(value, step)| Answer { step, value });
    Session {
        lang: Lang::En,
        flow: Some(Flow {
            script: "ktp_el_hilang".into(),
            version: 3,
            at: 9,
            answers: answers.collect(),
            editing: true,
            started: Timestamp(1_772_410_500),
        }),
        pending: Pending::Warning(Value::Text("6409011708900001".into())),
        misses: 2,
        noticed: true,
        touched: Timestamp(1_772_411_000),
        recent: vec![1, 0x9e37_79b9_7f4a_7c15, u64::MAX],
    }
}

/// A ticket with every field set, history and follow-up included.
pub fn sample_ticket() -> Ticket {
    Ticket {
        no: ticket_no(7),
        script: "ktp_el_hilang".into(),
        version: 3,
        opd: "disdukcapil".into(),
        chat: ChatKey::new(Channel::WhatsApp, "6281234567890"),
        lang: Lang::Id,
        answers: vec![
            ("nama".into(), Value::Text("Siti Aminah".into())),
            ("tgl_lahir".into(), Value::Date(2_447_893)),
            ("surat_polisi".into(), Value::Yes(false)),
        ],
        status: Status::PerluPerbaikan,
        history: vec![
            change(1_772_411_000, Status::Diterima, Actor::Citizen, None),
            change(
                1_772_497_400,
                Status::PerluPerbaikan,
                officer("petugas_waru"),
                Some("Foto surat buram"),
            ),
            change(1_772_500_000, Status::PerluPerbaikan, Actor::System, None),
        ],
        created: Timestamp(1_772_411_000),
        due: Some(2_461_105),
        followup: FollowUp {
            overdue_since: Some(2_461_106),
            revised_due: Some(2_461_113),
            reminded_on: Some(2_461_107),
            corrections: 1,
        },
    }
}

/// Outbox entries of the sample ticket, one per `Job` and `PushEvent` variant, with extreme
/// ids and due times among them.
pub fn sample_outbox() -> Vec<OutboxEntry> {
    let ticket = sample_ticket().no;
    let entry = |id, job, due, attempts, last_error: Option<&str>| OutboxEntry {
        id,
        job,
        due: Timestamp(due),
        attempts,
        created: Timestamp(1_772_411_000),
        last_error: last_error.map(str::to_owned),
    };
    let status = PushEvent::Status { index: 2 };
    let overdue = PushEvent::Overdue { revised_due: 2_461_113 };
    vec![
        entry(0x0123_4567_89ab_cdef, Job::Forward { ticket, revision: 0 }, 1_772_411_000, 0, None),
        entry(u64::MAX, Job::Push { ticket, event: status }, 1_772_500_060, 3, Some("HTTP 503")),
        entry(1, Job::Push { ticket, event: overdue }, -5, 1, Some("timed out after 10 s")),
        entry(42, Job::Remind { ticket, day: 2_461_107 }, i64::MAX, 0, None),
    ]
}

fn change(at: i64, status: Status, actor: Actor, note: Option<&str>) -> Change {
    Change { at: Timestamp(at), status, actor, note: note.map(str::to_owned) }
}

fn officer(login: &str) -> Actor {
    Actor::Officer(login.into())
}

/// A ticket of `chat` numbered `n`, created at `created`.
pub fn ticket_at(n: u8, chat: &ChatKey, created: i64) -> Ticket {
    Ticket { no: ticket_no(n), chat: chat.clone(), created: Timestamp(created), ..sample_ticket() }
}

/// The dedupe hash [`sample_batch`] marks.
pub const SAMPLE_SEEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// One write of every kind, all about the sample ticket's chat: a pending and a dead outbox
/// entry among them.
pub fn sample_batch() -> Batch {
    let ticket = sample_ticket();
    let [pending, dead, ..] = <[OutboxEntry; 4]>::try_from(sample_outbox()).expect("4 samples");
    Batch {
        sessions: vec![(ticket.chat.clone(), Some(sample_session().into()))],
        tickets: vec![ticket],
        seen: vec![super::Seen { at: Timestamp(1_772_411_000), hashes: vec![SAMPLE_SEEN] }],
        // Nothing is that old: it only proves an expiry can ride along.
        seen_expired: Some(Timestamp(0)),
        scripts: vec![("ktp_el_hilang".into(), 3, "id: ktp_el_hilang\n".into())],
        outbox: vec![OutboxOp::Put(pending), OutboxOp::Dead(dead)],
        replies: vec![super::ReplyOp::Pending {
            chat: ChatKey::new(Channel::WhatsApp, "6281234567890"),
            seq: 1,
            out: crate::model::reply::Outgoing {
                lang: Lang::En,
                reply: crate::model::reply::Reply::msg(
                    crate::model::reply::Msg::new("submitted").arg("tiket", "K7Q4-M9XS"),
                ),
            }
            .into(),
        }],
        audit: vec![crate::audit::AuditEvent::new(
            Timestamp(1_795_636_800),
            "api:disdukcapil",
            "status",
            "K7Q4-M9XS",
            "diterima -> diproses",
        )],
        accounts: vec![sample_account()],
        staff_sessions: Vec::new(),
        fences: Vec::new(),
    }
}

/// An officer of Disdukcapil (the hash is of `rahasia-123`, argon2id default parameters).
pub fn sample_account() -> Account {
    Account {
        login: "budi".into(),
        name: "Budi Santoso".into(),
        role: Role::Officer { opd: "disdukcapil".into() },
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$AAAA".into(),
        disabled: false,
        failed_logins: 0,
        locked_until: None,
        created: Timestamp(1_795_636_800),
    }
}

/// Checks that every write of [`sample_batch`] is visible.
pub fn assert_sample_batch(store: &impl Store) {
    let ticket = sample_ticket();
    assert_eq!(store.load_session(&ticket.chat).unwrap(), Some(sample_session()));
    assert_eq!(store.ticket(&ticket.no).unwrap(), Some(ticket.clone()));
    assert_eq!(store.tickets_of(&ticket.chat).unwrap(), vec![ticket]);
    assert_eq!(store.seen_between(Timestamp(0), Timestamp(i64::MAX)).unwrap(), [SAMPLE_SEEN]);
    assert_eq!(store.pending_replies(Channel::WhatsApp).unwrap().len(), 1);
    assert_eq!(store.audit_log(10).unwrap().len(), 1);
    let source = store.script_source("ktp_el_hilang", 3).unwrap();
    assert_eq!(source.as_deref(), Some("id: ktp_el_hilang\n"));
    let samples = sample_outbox();
    assert_eq!(store.outbox_pending().unwrap(), [samples[0].clone()]);
    assert_eq!(store.outbox_dead().unwrap(), [samples[1].clone()]);
    assert_eq!(next_due(store), Some(samples[0].due));
    assert_eq!(store.audit_log(10).unwrap().len(), 1);
    assert_eq!(store.accounts().unwrap(), [sample_account()]);
}

fn commit(store: &impl Store, batch: Batch) {
    store.commit(&batch).expect("commit");
}

pub(crate) fn sessions(writes: &[(&ChatKey, Option<&Session>)]) -> Batch {
    let sessions = writes.iter().map(|(c, s)| ((*c).clone(), s.cloned().map(Into::into))).collect();
    Batch { sessions, ..Batch::default() }
}

/// Every session [`Store::sessions`] visits, in its order.
pub(crate) fn listed_sessions(store: &impl Store) -> Vec<(ChatKey, Session)> {
    let mut listed = Vec::new();
    store
        .sessions(&mut |chat, session| {
            listed.push((chat, session));
            Ok(())
        })
        .unwrap();
    listed
}

fn tickets(tickets: &[&Ticket]) -> Batch {
    Batch { tickets: tickets.iter().map(|t| (*t).clone()).collect(), ..Batch::default() }
}

fn source(store: &impl Store, id: &str, version: u32) -> Option<String> {
    store.script_source(id, version).unwrap()
}

pub fn session_put_get_delete(store: &impl Store) {
    let (a, b) = (chat("1001"), chat("1002"));
    assert_eq!(store.load_session(&a).unwrap(), None);
    commit(store, sessions(&[(&a, Some(&sample_session()))]));
    assert_eq!(store.load_session(&a).unwrap(), Some(sample_session()));
    assert_eq!(store.load_session(&b).unwrap(), None, "another chat sees nothing");
    commit(store, sessions(&[(&a, None)]));
    assert_eq!(store.load_session(&a).unwrap(), None);
    commit(store, sessions(&[(&a, None)])); // deleting what is gone is fine
}

pub fn sessions_are_listed_with_their_chats(store: &impl Store) {
    let (a, b, gone) = (chat("a"), ChatKey::new(Channel::WhatsApp, "62812ä"), chat("gone"));
    let mut other = sample_session();
    other.misses = 2;
    commit(
        store,
        sessions(&[(&a, Some(&sample_session())), (&b, Some(&other)), (&gone, Some(&other))]),
    );
    commit(store, sessions(&[(&gone, None)]));
    let mut listed = listed_sessions(store);
    listed.sort_by(|x, y| x.0.cmp(&y.0));
    let mut want = vec![(a, sample_session()), (b, other)];
    want.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(listed, want);
}

pub fn batch_is_all_visible(store: &impl Store) {
    commit(store, sample_batch());
    assert_sample_batch(store);
}

pub fn later_writes_win(store: &impl Store) {
    let (a, b) = (chat("2001"), chat("2002"));
    let first = Session { misses: 1, ..Session::default() };
    let second = Session { misses: 2, ..Session::default() };
    let older = ticket_at(1, &a, 100);
    let newer = Ticket { status: Status::Selesai, ..older.clone() };
    let mut batch =
        sessions(&[(&a, Some(&first)), (&a, Some(&second)), (&b, Some(&first)), (&b, None)]);
    batch.tickets = vec![older, newer.clone()];
    commit(store, batch);
    assert_eq!(store.load_session(&a).unwrap(), Some(second));
    assert_eq!(store.load_session(&b).unwrap(), None);
    assert_eq!(store.ticket(&newer.no).unwrap(), Some(newer.clone()));
    assert_eq!(store.tickets_of(&a).unwrap(), vec![newer]);
}

/// Markers are kept by hour: read back by hours, and dropped whole hours at a time.
pub fn seen_markers_expire_by_the_hour(store: &impl Store) {
    use super::Seen;
    let all = |store: &dyn Store| {
        let mut found = store.seen_between(Timestamp(i64::MIN), Timestamp(i64::MAX)).unwrap();
        found.sort_unstable();
        found
    };
    let t = Timestamp(1_772_409_600); // the start of an hour
    assert!(all(store).is_empty());
    commit(
        store,
        Batch {
            seen: vec![
                Seen { at: t, hashes: vec![1, u64::MAX] },
                Seen { at: t.plus_secs(3599), hashes: vec![2] },
                Seen { at: t.plus_secs(3600), hashes: vec![3] },
                Seen { at: t.plus_secs(3 * 3600), hashes: vec![] },
            ],
            ..Batch::default()
        },
    );
    commit(store, Batch { seen: vec![Seen { at: t, hashes: vec![4] }], ..Batch::default() });
    assert_eq!(all(store), [1, 2, 3, 4, u64::MAX]);
    let mut first_hour = store.seen_between(t, t.plus_secs(3600)).unwrap();
    first_hour.sort_unstable();
    assert_eq!(first_hour, [1, 2, 4, u64::MAX]);
    let mut two_hours = store.seen_between(t.plus_secs(1800), t.plus_secs(7200)).unwrap();
    two_hours.sort_unstable();
    assert_eq!(two_hours, [1, 2, 3, 4, u64::MAX], "whole hours, from the one `from` is in");
    assert!(store.seen_between(t.plus_secs(7200), t).unwrap().is_empty(), "an empty range");
    // A cut inside the second hour drops only the first.
    commit(store, Batch { seen_expired: Some(t.plus_secs(3600 + 1800)), ..Batch::default() });
    assert_eq!(all(store), [3]);
    assert!(store.seen_legacy().unwrap().is_empty());
    // Erasing a chat's session leaves them be.
    commit(store, sessions(&[(&chat("5"), None)]));
    assert_eq!(all(store), [3]);
}

pub fn tickets_of_oldest_first_per_chat(store: &impl Store) {
    // `77` is a prefix of `777`, and a chat id may hold `\0`: neither may leak across chats.
    let (a, b, c) = (chat("77"), chat("777"), chat("77\0\u{1}"));
    let a_new = ticket_at(1, &a, 300);
    let a_old = ticket_at(2, &a, -5); // before the epoch still sorts first
    let a_mid = ticket_at(3, &a, 200);
    let (b_only, c_only) = (ticket_at(4, &b, 100), ticket_at(5, &c, 50));
    commit(store, tickets(&[&a_new, &b_only, &a_old, &c_only, &a_mid]));
    assert_eq!(store.tickets_of(&a).unwrap(), vec![a_old, a_mid, a_new]);
    assert_eq!(store.tickets_of(&b).unwrap(), vec![b_only]);
    assert_eq!(store.tickets_of(&c).unwrap(), vec![c_only]);
    assert_eq!(store.tickets_of(&chat("7")).unwrap(), vec![]);
    let same_id_elsewhere = ChatKey::new(Channel::WhatsApp, "77");
    assert_eq!(store.tickets_of(&same_id_elsewhere).unwrap(), vec![]);
}

pub fn ticket_updates_replace(store: &impl Store) {
    let a = chat("3001");
    let mut ticket = ticket_at(9, &a, 1_000);
    commit(store, tickets(&[&ticket]));
    ticket.status = Status::Diproses;
    ticket.history.push(change(2_000, Status::Diproses, Actor::System, None));
    commit(store, tickets(&[&ticket]));
    assert_eq!(store.ticket(&ticket.no).unwrap(), Some(ticket.clone()));
    assert_eq!(store.tickets_of(&a).unwrap(), vec![ticket], "an update is no second ticket");
    assert_eq!(store.ticket(&ticket_no(10)).unwrap(), None);
}

pub fn tickets_in_number_order(store: &impl Store) {
    assert_eq!(store.tickets().unwrap(), vec![]);
    let (a, b) = (chat("6001"), chat("6002"));
    let all: Vec<Ticket> = [(3, &a, 10), (1, &b, 20), (250, &a, -1), (2, &a, 5)]
        .map(|(n, c, t)| ticket_at(n, c, t))
        .into();
    commit(store, tickets(&all.iter().collect::<Vec<_>>()));
    let updated = Ticket { status: Status::Selesai, ..all[0].clone() };
    commit(store, tickets(&[&updated]));
    let mut expected = vec![updated, all[1].clone(), all[2].clone(), all[3].clone()];
    expected.sort_by_key(|t| t.no);
    assert_eq!(store.tickets().unwrap(), expected);
}

pub fn script_source_by_version(store: &impl Store) {
    let scripts = vec![
        ("kk_baru".into(), 1, "version: 1\n".into()),
        ("kk_baru".into(), 2, "version: 2\n".into()),
        ("kk".into(), 1, "other\n".into()),
    ];
    commit(store, Batch { scripts, ..Batch::default() });
    assert_eq!(source(store, "kk_baru", 1).as_deref(), Some("version: 1\n"));
    assert_eq!(source(store, "kk_baru", 2).as_deref(), Some("version: 2\n"));
    assert_eq!(source(store, "kk_baru", 3), None);
    assert_eq!(source(store, "kk", 1).as_deref(), Some("other\n"));
    assert_eq!(source(store, "kk", 2), None);
    // Listed by id, then version; "kk" before "kk_baru" (a prefix sorts first), 10 after 2.
    let more = vec![("kk_baru".into(), 10, "version: 10\n".into())];
    commit(store, Batch { scripts: more, ..Batch::default() });
    let listed = store.scripts().unwrap();
    let expected = [("kk", 1), ("kk_baru", 1), ("kk_baru", 2), ("kk_baru", 10)];
    assert_eq!(listed, expected.map(|(id, v)| (id.to_string(), v)));
}

pub fn large_session(store: &impl Store) {
    let mut session = sample_session();
    let flow = session.flow.as_mut().expect("sample has a flow");
    let text = |step| Value::Text(format!("jawaban ke-{step} {}", "x".repeat(40)));
    flow.answers = (0..100).map(|step| Answer { step, value: text(step) }).collect();
    let a = chat("4001");
    commit(store, sessions(&[(&a, Some(&session))]));
    assert_eq!(store.load_session(&a).unwrap(), Some(session));
}

pub fn non_ascii_ids(store: &impl Store) {
    let a = ChatKey::new(Channel::Terminal, "Ñoño 🙂 warga");
    let mut session = sample_session();
    session.pending = Pending::Warning(Value::Text("Jl. Sudirman № 5 — RT 003/005".into()));
    let ticket = ticket_at(11, &a, 10);
    let mut batch = sessions(&[(&a, Some(&session))]);
    batch.tickets = vec![ticket.clone()];
    batch.scripts = vec![("ktp".into(), 1, "judul: «KTP» 🙂\n".into())];
    commit(store, batch);
    assert_eq!(store.load_session(&a).unwrap(), Some(session));
    assert_eq!(store.tickets_of(&a).unwrap(), vec![ticket]);
    assert_eq!(source(store, "ktp", 1).as_deref(), Some("judul: «KTP» 🙂\n"));
}

pub fn empty_batch(store: &impl Store) {
    commit(store, Batch::default());
    assert_eq!(store.load_session(&chat("5001")).unwrap(), None);
}

/// Commits, lets `reopen` drop and reopen the store, and checks everything came back.
pub fn survives_reopen<S: Store>(store: S, reopen: impl FnOnce(S) -> S) {
    commit(&store, sample_batch());
    assert_sample_batch(&reopen(store));
}

/// Replies are kept per chat in seq order until marked sent, and listed per channel.
/// One chat's pending replies, in seq order, without another chat's (one whose id the first's
/// extends included), and without those marked sent.
pub fn pending_replies_of_one_chat(store: &impl Store) {
    use super::ReplyOp;
    use crate::model::reply::{Msg, Outgoing, Reply};
    let out = |k: &str| Outgoing { lang: Lang::Id, reply: Reply::msg(Msg::new(k)) };
    let (a, b) = (chat("77"), chat("77\0\u{1}"));
    let pending =
        |chat: &ChatKey, seq, k| ReplyOp::Pending { chat: chat.clone(), seq, out: out(k).into() };
    assert!(store.chat_pending_replies(&a).unwrap().is_empty());
    commit(
        store,
        Batch {
            replies: vec![pending(&a, 30, "c"), pending(&b, 5, "x"), pending(&a, 2, "a")],
            ..Batch::default()
        },
    );
    commit(store, Batch { replies: vec![pending(&a, 40, "d")], ..Batch::default() });
    let seqs = |c: &ChatKey| -> Vec<u64> {
        store.chat_pending_replies(c).unwrap().into_iter().map(|(seq, _)| seq).collect()
    };
    assert_eq!(seqs(&a), [2, 30, 40]);
    assert_eq!(store.chat_pending_replies(&a).unwrap()[0].1, out("a"));
    assert_eq!(seqs(&b), [5]);
    commit(
        store,
        Batch { replies: vec![ReplyOp::Sent { chat: a.clone(), seq: 30 }], ..Batch::default() },
    );
    assert_eq!(seqs(&a), [2, 40]);
    assert!(store.chat_pending_replies(&chat("7")).unwrap().is_empty());
}

pub fn pending_replies_in_order_per_channel(store: &impl Store) {
    use super::ReplyOp;
    use crate::model::reply::{Msg, Outgoing, Reply};
    let out = |k: &str| Outgoing { lang: Lang::Id, reply: Reply::msg(Msg::new(k).arg("n", 1i64)) };
    let (a, b) = (ChatKey::new(Channel::Telegram, "7"), ChatKey::new(Channel::Telegram, "-1001"));
    let wa = ChatKey::new(Channel::WhatsApp, "6281234567890");
    let pending =
        |chat: &ChatKey, seq, k| ReplyOp::Pending { chat: chat.clone(), seq, out: out(k).into() };
    let batch = Batch {
        replies: vec![
            pending(&a, 300, "c"),
            pending(&a, 2, "a"),
            pending(&b, 5, "x"),
            pending(&wa, 1, "w"),
            pending(&a, 40, "b"),
        ],
        ..Batch::default()
    };
    commit(store, batch);
    let tg = store.pending_replies(Channel::Telegram).unwrap();
    let keys: Vec<(String, u64, String)> = tg
        .iter()
        .map(|(c, s, o)| {
            let crate::model::reply::Piece::Msg(m) = &o.reply.body[0] else { panic!() };
            (c.id.to_string(), *s, m.key.clone())
        })
        .collect();
    let mut by_chat: Vec<(String, u64, String)> = keys.clone();
    by_chat.sort_by(|x, y| (&x.0, x.1).cmp(&(&y.0, y.1)));
    assert_eq!(keys.len(), 4);
    assert_eq!(keys, by_chat, "per chat in seq order");
    assert_eq!(tg[0].2, out(if tg[0].0 == a { "a" } else { "x" }));
    assert_eq!(store.pending_replies(Channel::WhatsApp).unwrap().len(), 1);
    commit(
        store,
        Batch {
            replies: vec![
                ReplyOp::Sent { chat: a.clone(), seq: 2 },
                ReplyOp::Sent { chat: a.clone(), seq: 999 },
            ],
            ..Batch::default()
        },
    );
    let left: Vec<u64> = store
        .pending_replies(Channel::Telegram)
        .unwrap()
        .iter()
        .filter(|(c, ..)| *c == a)
        .map(|(_, s, _)| *s)
        .collect();
    assert_eq!(left, vec![40, 300]);
}

/// The audit log keeps every event, newest first.
pub fn audit_log_newest_first(store: &impl Store) {
    use crate::audit::AuditEvent;
    let ev = |t: i64, a: &str| AuditEvent::new(Timestamp(t), "admin", a, "", "");
    commit(store, Batch { audit: vec![ev(20, "b"), ev(10, "a")], ..Batch::default() });
    commit(store, Batch { audit: vec![ev(30, "c"), ev(30, "d")], ..Batch::default() });
    let log = store.audit_log(10).unwrap();
    assert_eq!(log.len(), 4, "events of the same second are all kept");
    let order: Vec<i64> = log.iter().map(|e| e.at.0).collect();
    assert_eq!(order, vec![30, 30, 20, 10]);
    assert_eq!(store.audit_log(1).unwrap().len(), 1);
}

/// Accounts are found by login, listed in login order, and replaced whole by a later write.
pub fn accounts_by_login(store: &impl Store) {
    assert_eq!(store.accounts().unwrap(), []);
    assert_eq!(store.account("budi").unwrap(), None);
    let budi = sample_account();
    let admin = Account { login: "ani".into(), role: Role::Admin, ..sample_account() };
    commit(store, Batch { accounts: vec![budi.clone(), admin.clone()], ..Batch::default() });
    assert_eq!(store.account("budi").unwrap(), Some(budi.clone()));
    assert_eq!(store.accounts().unwrap(), [admin.clone(), budi.clone()]);
    let locked = Account { failed_logins: 5, locked_until: Some(Timestamp(1_795_637_700)), ..budi };
    commit(store, Batch { accounts: vec![locked.clone()], ..Batch::default() });
    assert_eq!(store.account("budi").unwrap(), Some(locked.clone()));
    assert_eq!(store.accounts().unwrap(), [admin, locked]);
    // A login that is a prefix of another's is a different account.
    assert_eq!(store.account("bud").unwrap(), None);
}

pub fn staff_sessions_by_token(store: &impl Store) {
    use crate::model::account::{SessionOp, StaffSession};
    let session = |login: &str, at: i64| StaffSession {
        login: login.into(),
        created: Timestamp(at),
        seen: Timestamp(at),
        form_token: format!("{at:064x}"),
    };
    let ops = vec![
        SessionOp::Put([1; 32], session("budi", 1)),
        SessionOp::Put([2; 32], session("budi", 2)),
        SessionOp::Put([3; 32], session("siti", 3)),
    ];
    commit(store, Batch { staff_sessions: ops, ..Batch::default() });
    assert_eq!(store.staff_session(&[2; 32]).unwrap(), Some(session("budi", 2)));
    assert_eq!(store.staff_session(&[9; 32]).unwrap(), None);
    // Seen again: replaced.
    let touched = StaffSession { seen: Timestamp(50), ..session("budi", 2) };
    let ops = vec![SessionOp::Put([2; 32], touched.clone()), SessionOp::End([1; 32])];
    commit(store, Batch { staff_sessions: ops, ..Batch::default() });
    assert_eq!(store.staff_session(&[1; 32]).unwrap(), None);
    assert_eq!(store.staff_session(&[2; 32]).unwrap(), Some(touched));
    let ops = vec![SessionOp::EndAll("budi".into())];
    commit(store, Batch { staff_sessions: ops, ..Batch::default() });
    assert_eq!(store.staff_session(&[2; 32]).unwrap(), None);
    assert_eq!(store.staff_session(&[3; 32]).unwrap(), Some(session("siti", 3)));
}

/// Forty tickets over two OPDs, three services, every status, two weeks of creation times and
/// due dates, some erased, all committed, then some changed (so listings see updates).
fn varied_tickets(store: &impl Store) -> Vec<Ticket> {
    let mut all = Vec::new();
    for n in 0..40u8 {
        let i = usize::from(n);
        let mut t = ticket_at(
            n + 1,
            &chat(&format!("70{n:02}")),
            1_772_000_000 + i64::from(n % 14) * 86_400,
        );
        t.opd = ["disdukcapil", "dpmptsp"][i % 2].into();
        t.script = ["ktp_el", "akta_kelahiran", "izin_usaha_mikro"][i % 3].into();
        t.status = Status::ALL[i % Status::ALL.len()];
        t.history.last_mut().unwrap().at = Timestamp(1_772_000_000 + i64::from(n) * 40_000);
        t.due = (n % 5 != 0).then_some(2_461_100 + i32::from(n % 7));
        t.followup.revised_due = (n % 6 == 0).then_some(2_461_110);
        if n % 9 == 0 {
            t.erase_personal();
        }
        all.push(t);
    }
    commit(store, tickets(&all.iter().collect::<Vec<_>>()));
    for t in all.iter_mut().step_by(4) {
        t.status = Status::Diproses;
        t.history.push(change(1_772_900_000, Status::Diproses, Actor::System, None));
    }
    commit(store, tickets(&all.iter().step_by(4).collect::<Vec<_>>()));
    all.sort_by_key(|t| t.no);
    assert_eq!(store.tickets().unwrap(), all);
    all
}

pub fn ticket_listings_filter_order_and_page(store: &impl Store) {
    let all = varied_tickets(store);
    let part = all[5].no.to_string()[4..8].to_string();
    let filters = [
        TicketFilter::default(),
        TicketFilter { opd: Some("dpmptsp".into()), ..TicketFilter::default() },
        TicketFilter {
            opd: Some("disdukcapil".into()),
            statuses: vec![Status::Diproses, Status::Diterima],
            ..TicketFilter::default()
        },
        TicketFilter { script: Some("akta_kelahiran".into()), ..TicketFilter::default() },
        TicketFilter {
            created_from: Some(Timestamp(1_772_000_000 + 3 * 86_400)),
            created_before: Some(Timestamp(1_772_000_000 + 9 * 86_400)),
            ..TicketFilter::default()
        },
        TicketFilter { number_contains: Some(part), ..TicketFilter::default() },
        TicketFilter { overdue: Some((2_461_104, true)), ..TicketFilter::default() },
        TicketFilter {
            opd: Some("dpmptsp".into()),
            overdue: Some((2_461_104, false)),
            ..TicketFilter::default()
        },
        TicketFilter { opd: Some("nobody".into()), ..TicketFilter::default() },
    ];
    for filter in &filters {
        let by_number: Vec<Ticket> = all.iter().filter(|t| filter.matches(t)).cloned().collect();
        let mut newest = by_number.clone();
        newest.sort_by(|a, b| b.created.cmp(&a.created).then(a.no.cmp(&b.no)));
        for (order, expected) in
            [(TicketOrder::Number, &by_number), (TicketOrder::NewestFirst, &newest)]
        {
            for (skip, limit) in [(0, usize::MAX), (0, 3), (2, 5), (expected.len(), 10), (100, 1)] {
                let page = store.tickets_matching(filter, order, skip, limit).unwrap();
                let want: Vec<TicketNo> =
                    expected.iter().skip(skip).take(limit).map(|t| t.no).collect();
                let got: Vec<TicketNo> = page.tickets.iter().map(|t| t.no).collect();
                assert_eq!(page.total, expected.len(), "{filter:?}");
                assert_eq!(got, want, "{filter:?} {order:?} {skip} {limit}");
            }
        }
    }
    let whole = store.tickets_matching(&filters[0], TicketOrder::Number, 0, usize::MAX).unwrap();
    assert_eq!(whole.tickets, all, "tickets listed whole, as stored");
    // The filters are not all empty-handed or all-matching: the comparison above means something.
    let sizes: Vec<usize> =
        filters.iter().map(|f| all.iter().filter(|t| f.matches(t)).count()).collect();
    assert!(sizes[1..8].iter().all(|n| *n > 0 && *n < all.len()), "{sizes:?}");
}

pub fn tickets_to_follow_are_those_the_scan_needs(store: &impl Store) {
    let all = varied_tickets(store);
    for cutoff in [1_772_000_000, 1_772_400_000, 1_772_800_000, 1_773_000_000] {
        let expected: Vec<Ticket> =
            all.iter().filter(|t| super::to_follow(t, Timestamp(cutoff))).cloned().collect();
        assert!(!expected.is_empty() && expected.len() < all.len());
        assert_eq!(store.tickets_to_follow(Timestamp(cutoff)).unwrap(), expected, "{cutoff}");
    }
}
