//! The codec's frozen fixtures and key-order checks. `pub(crate)` so backend tests can plant a
//! frozen record in a real store.

use super::*;
use crate::model::outbox::Job;
use crate::store::suite::{chat, sample_outbox, sample_session, sample_ticket, ticket_at};

/// Frozen records: written once from the samples, then never regenerated. If one stops
/// decoding, stored data would too; if encoding drifts from one, bump the format byte.
const SESSION_V1_HEX: &str = include_str!("../../../tests/fixtures/records/session-v1.hex");
const SESSION_V2_HEX: &str = include_str!("../../../tests/fixtures/records/session-v2.hex");
const TICKET_V1_HEX: &str = include_str!("../../../tests/fixtures/records/ticket-v1.hex");
const TICKET_V2_HEX: &str = include_str!("../../../tests/fixtures/records/ticket-v2.hex");
/// Three dedupe hashes: 1, [`crate::store::suite::SAMPLE_SEEN`] and `u64::MAX`.
const SEEN_V1_HEX: &str = include_str!("../../../tests/fixtures/records/seen-v1.hex");
/// One record per [`sample_outbox`] entry, separated by blank lines.
const OUTBOX_V1_HEX: &str = include_str!("../../../tests/fixtures/records/outbox-v1.hex");
/// A session pack of two entries, `tg:777` and `wa:6281234567890`, with stand-in records.
const SESSION_PACK_V1_HEX: &str =
    include_str!("../../../tests/fixtures/records/session-pack-v1.hex");

/// The frozen format-1 ticket record.
pub(crate) fn ticket_v1_fixture() -> Vec<u8> {
    unhex(TICKET_V1_HEX)
}

/// What the format-1 fixture reads as today: the sample as it was then, nothing followed up.
pub(crate) fn ticket_v1_upgraded() -> Ticket {
    Ticket { followup: FollowUp::default(), ..sample_ticket() }
}

fn unhex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let digit = |d: u8| char::from(d).to_digit(16).expect("hex digit") as u8;
    digits.chunks(2).map(|p| digit(p[0]) << 4 | digit(p[1])).collect()
}

fn hex(bytes: &[u8]) -> String {
    let lines = bytes
        .chunks(32)
        .map(|line| line.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n");
    lines.collect()
}

/// Format 1 is read forever, upgraded with no dedupe hashes.
#[test]
fn session_v1_still_decodes() {
    let frozen = unhex(SESSION_V1_HEX);
    assert_eq!(frozen[0], SESSION_V1);
    let upgraded = Session { recent: Vec::new(), ..sample_session() };
    assert_eq!(decode_session(&frozen).unwrap(), upgraded);
}

#[test]
fn session_v2_is_frozen() {
    let frozen = unhex(SESSION_V2_HEX);
    assert_eq!(decode_session(&frozen).unwrap(), sample_session());
    let now = encode_session(&sample_session()).unwrap();
    assert_eq!(now, frozen, "session encoding changed; new bytes:\n{}", hex(&now));
}

#[test]
fn session_pack_v1_is_frozen() {
    let frozen = unhex(SESSION_PACK_V1_HEX);
    let entries = session_pack_entries(&frozen).unwrap();
    let read: Vec<_> = entries.iter().map(|(c, r)| (c.to_string(), &frozen[r.clone()])).collect();
    let first: &[u8] = b"\x03first";
    let second: &[u8] = b"\x03second record";
    assert_eq!(read, vec![("tg:777".into(), first), ("wa:6281234567890".into(), second)]);
    let mut now = SessionPack::default();
    for (chat, range) in &entries {
        assert_eq!(now.push(chat, &frozen[range.clone()]).unwrap(), range.clone());
    }
    let now = now.into_bytes();
    assert_eq!(now, frozen, "session pack encoding changed; new bytes:\n{}", hex(&now));
    // Cut inside an entry, it reads as corrupt (sled writes a value whole; this is a check
    // of the lengths, not a recovery path).
    let first_end = entries[0].1.end;
    for end in (2..frozen.len()).filter(|&end| end != first_end) {
        let cut = session_pack_entries(&frozen[..end]);
        assert!(matches!(cut, Err(StoreError::Corrupt(_))), "cut at {end}");
    }
}

#[test]
fn seen_v1_is_frozen() {
    let hashes = [1, crate::store::suite::SAMPLE_SEEN, u64::MAX];
    let frozen = unhex(SEEN_V1_HEX);
    assert_eq!(decode_seen(&frozen).unwrap(), hashes);
    assert_eq!(encode_seen(&hashes), frozen);
    assert_eq!(decode_seen(&encode_seen(&[])).unwrap(), Vec::<u64>::new());
    assert!(matches!(decode_seen(&frozen[..12]), Err(StoreError::Corrupt(_))), "cut short");
    assert!(matches!(decode_seen(&[2]), Err(StoreError::Corrupt(_))), "unknown format");
}

/// Markers are filed by whole hours since the epoch.
#[test]
fn seen_hours() {
    assert_eq!(seen_hour(Timestamp(0)), 0);
    assert_eq!(seen_hour(Timestamp(3599)), 0);
    assert_eq!(seen_hour(Timestamp(3600)), 1);
    assert_eq!(seen_hour(Timestamp(-1)), 0, "before the epoch: hour 0");
    assert_eq!(seen_hour(Timestamp(i64::MAX)), u32::MAX);
}

/// `Pending::Suggestion` was appended after every older variant: it round-trips, and the
/// variants before it keep their bytes (the frozen fixture above holds `Pending::Warning`).
#[test]
fn pending_suggestion_round_trips() {
    use crate::model::session::{Pending, Value};
    let pending = Pending::Suggestion {
        typed: Value::Text("budi@gmial.com".into()),
        suggested: Value::Text("budi@gmail.com".into()),
    };
    let session = Session { pending, ..sample_session() };
    let bytes = encode_session(&session).unwrap();
    assert_eq!(decode_session(&bytes).unwrap(), session);
}

/// Format 1 is read forever, upgraded with an empty follow-up.
#[test]
fn ticket_v1_still_decodes() {
    let frozen = ticket_v1_fixture();
    assert_eq!(frozen[0], TICKET_V1);
    assert_eq!(decode_ticket(&frozen).unwrap(), ticket_v1_upgraded());
}

#[test]
fn ticket_v2_is_frozen() {
    let frozen = unhex(TICKET_V2_HEX);
    assert_eq!(decode_ticket(&frozen).unwrap(), sample_ticket());
    let now = encode_ticket(&sample_ticket()).unwrap();
    assert_eq!(now, frozen, "ticket encoding changed; new bytes:\n{}", hex(&now));
}

#[test]
fn outbox_v1_is_frozen() {
    let frozen: Vec<Vec<u8>> = OUTBOX_V1_HEX.split("\n\n").map(unhex).collect();
    let samples = sample_outbox();
    assert_eq!(frozen.len(), samples.len(), "one fixture record per sample entry");
    for (frozen, sample) in frozen.iter().zip(&samples) {
        assert_eq!(decode_outbox(frozen).unwrap(), *sample);
        let now = encode_outbox(sample).unwrap();
        assert_eq!(now, *frozen, "outbox encoding changed; new bytes:\n{}", hex(&now));
    }
}

/// The fixture is only a guard if the samples use every variant a record can hold.
#[test]
fn outbox_samples_cover_every_variant() {
    use crate::model::outbox::PushEvent;
    let samples = sample_outbox();
    let has = |f: fn(&Job) -> bool| samples.iter().any(|e| f(&e.job));
    assert!(has(|j| matches!(j, Job::Forward { .. })));
    assert!(has(|j| matches!(j, Job::Push { event: PushEvent::Status { .. }, .. })));
    assert!(has(|j| matches!(j, Job::Push { event: PushEvent::Overdue { .. }, .. })));
    assert!(has(|j| matches!(j, Job::Remind { .. })));
    assert!(samples.iter().any(|e| e.last_error.is_some()));
    assert!(samples.iter().any(|e| e.last_error.is_none()));
}

/// Session records store `Pending` by variant position: old positions never move, and the
/// variants added later (at the end) round-trip.
#[test]
fn pending_variants_keep_their_positions() {
    use crate::model::session::{Pending, Value};
    let position = |p: &Pending| postcard::to_allocvec(p).unwrap()[0];
    assert_eq!(position(&Pending::Cancel), 2);
    assert_eq!(position(&Pending::Emergency), 3);
    assert_eq!(position(&Pending::Forget), 6);
    assert_eq!(position(&Pending::Clarify(Vec::new())), 7);
    let suggestion =
        Pending::Suggestion { typed: Value::Text("a".into()), suggested: Value::Text("b".into()) };
    assert_eq!(position(&suggestion), 8);
    let about = Pending::EmergencyAbout("kebakaran".into());
    assert_eq!(position(&about), 9);
    assert_eq!(position(&Pending::Resume), 10);
    let session = Session { pending: about, ..sample_session() };
    let bytes = encode_session(&session).unwrap();
    assert_eq!(decode_session(&bytes).unwrap(), session);
}

/// The design budget for a stored session is 1 KB.
#[test]
fn sample_session_fits_the_budget() {
    assert!(encode_session(&sample_session()).unwrap().len() <= 1024);
}

#[test]
fn bad_records_are_corrupt() {
    let good = encode_session(&sample_session()).unwrap();
    let mut unknown = good.clone();
    unknown[0] = 200;
    let mut trailing = good.clone();
    trailing.push(0);
    let truncated = &good[..good.len() / 2];
    for bad in [&[][..], &unknown, &trailing, truncated, &[SESSION_V1, 0xff, 0xff][..]] {
        assert!(matches!(decode_session(bad), Err(StoreError::Corrupt(_))), "{bad:?}");
    }
    let ticket = encode_ticket(&sample_ticket()).unwrap();
    assert!(matches!(decode_ticket(&ticket[..3]), Err(StoreError::Corrupt(_))));
    assert!(matches!(decode_ticket(&[7]), Err(StoreError::Corrupt(_))));
    // A v2 body under the v1 byte has trailing follow-up bytes; a v1 body under v2 lacks them.
    let mut as_v1 = ticket.clone();
    as_v1[0] = TICKET_V1;
    assert!(matches!(decode_ticket(&as_v1), Err(StoreError::Corrupt(_))));
    let mut as_v2 = ticket_v1_fixture();
    as_v2[0] = TICKET_V2;
    assert!(matches!(decode_ticket(&as_v2), Err(StoreError::Corrupt(_))));
    let entry = encode_outbox(&sample_outbox()[0]).unwrap();
    assert!(matches!(decode_outbox(&entry[..entry.len() - 1]), Err(StoreError::Corrupt(_))));
    assert!(matches!(decode_outbox(&[2]), Err(StoreError::Corrupt(_))));
    assert!(matches!(decode_script(&[SCRIPT_V1, 0xc3]), Err(StoreError::Corrupt(_))));
}

#[test]
fn scripts_round_trip() {
    let source = "id: ktp\njudul: «KTP» 🙂\n";
    assert_eq!(decode_script(&encode_script(source)).unwrap(), source);
}

#[test]
fn keys_are_readable_and_distinct_per_kind() {
    let a = chat("777");
    assert_eq!(session_key(&a), b"Stg:777");
    assert_eq!(index_prefix(&a), b"Itg:777\0");
    assert_eq!(script_key("kk", 258), b"Pkk\0\0\0\x01\x02");
    assert_eq!(legacy_seen_key(&MessageId("wamid.X".into())), b"Mwamid.X");
    assert_eq!(legacy_seen_id(b"Mwamid.X"), Some(MessageId("wamid.X".into())));
    assert_eq!(legacy_seen_id(b"Wwamid.X"), None);
    assert_eq!(seen_key(0x0102, 7), *b"W\0\0\x01\x02\0\0\0\0\0\0\0\x07");
    assert!(seen_key(0x0102, 7).starts_with(&seen_hour_start(0x0102)));
    assert!(seen_key(0x0102, u64::MAX)[..] < seen_hour_start(0x0103)[..], "hours in order");
    assert!(seen_hour_start(0).starts_with(&seen_prefix()));
    let no = sample_ticket().no;
    assert_eq!(ticket_key(&no), [b"T", no.as_str().as_bytes()].concat());
    assert!(ticket_key(&no).starts_with(&ticket_prefix()));
    assert_eq!(outbox_key(0x0102), *b"O\0\0\0\0\0\0\x01\x02");
    assert_eq!(dead_key(0x0102), *b"D\0\0\0\0\0\0\x01\x02");
    assert_eq!(due_key(Timestamp(0), 5), *b"Q\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x05");
    assert!(due_key(Timestamp(-1), 1).starts_with(&due_prefix()));
    assert!(dead_key(1).starts_with(&dead_prefix()));
}

#[test]
fn index_keys_sort_by_creation_then_number() {
    let a = chat("1");
    let times = [i64::MIN, -1, 0, 1, 1_772_411_000, i64::MAX];
    let keys: Vec<Vec<u8>> = times.iter().map(|&t| index_key(&ticket_at(1, &a, t))).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "creation order");
    let (x, y) = (ticket_at(1, &a, 5), ticket_at(2, &a, 5));
    assert_eq!(index_key(&x) < index_key(&y), x.no < y.no, "ties by number");
}

#[test]
fn index_entries_point_at_their_ticket() {
    let ticket = sample_ticket();
    let prefix = index_prefix(&ticket.chat);
    let key = index_key(&ticket);
    assert_eq!(ticket_key_from_index(&prefix, &key), Some(ticket_key(&ticket.no)));
    // A longer chat id sharing the prefix yields keys of another length.
    let mut longer = key.clone();
    longer.insert(prefix.len(), b'x');
    assert_eq!(ticket_key_from_index(&prefix, &longer), None);
    assert_eq!(ticket_key_from_index(&index_prefix(&chat("2")), &key), None);
}

#[test]
fn due_keys_sort_by_due_then_id_and_parse_back() {
    let times = [i64::MIN, -1, 0, 1, 1_772_411_000, i64::MAX];
    let ids = [0, 1, u64::MAX >> 1, (u64::MAX >> 1) + 1, u64::MAX];
    let mut keys = Vec::new();
    for &t in &times {
        for &id in &ids {
            let key = due_key(Timestamp(t), id);
            assert_eq!(parse_due_key(&key), Some((Timestamp(t), id)));
            keys.push(key);
        }
    }
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "due, then id (as unsigned)");
    assert_eq!(parse_due_key(&outbox_key(1)), None);
    assert_eq!(parse_due_key(&due_key(Timestamp(1), 1)[..16]), None);
}

/// An officer ([`sample_account`]) and a disabled, locked admin, separated by a blank line.
const ACCOUNT_V1_HEX: &str = include_str!("../../../tests/fixtures/records/account-v1.hex");

#[test]
fn account_v1_is_frozen() {
    use crate::model::account::{Account, Role};
    use crate::store::suite::sample_account;
    let admin = Account {
        login: "ani".into(),
        role: Role::Admin,
        disabled: true,
        failed_logins: 3,
        locked_until: Some(Timestamp(1_795_637_700)),
        ..sample_account()
    };
    let frozen: Vec<Vec<u8>> = ACCOUNT_V1_HEX.split("\n\n").map(unhex).collect();
    assert_eq!(frozen.len(), 2);
    for (frozen, sample) in frozen.iter().zip([sample_account(), admin]) {
        assert_eq!(decode_account(frozen).unwrap(), sample);
        let now = encode_account(&sample).unwrap();
        assert_eq!(now, *frozen, "account encoding changed; new bytes:\n{}", hex(&now));
        check_record(&account_key(&sample.login), frozen).unwrap();
    }
    assert!(check_record(&account_key("other"), &frozen[0]).is_err(), "stored under another login");
    assert!(matches!(decode_account(&[2]), Err(StoreError::Corrupt(_))), "unknown format");
}
