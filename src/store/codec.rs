//! The only place that decides how stored things look as bytes: record formats and key layout.
//!
//! A record is one format byte followed by postcard. Postcard is not self-describing, so the
//! types it encodes must avoid `skip_serializing_if`, `flatten` and untagged enums, append enum
//! variants (never reorder), and a changed struct gets a new format byte plus an upgrade path
//! here. Every format has a frozen fixture under `tests/fixtures/records/` that must decode
//! forever. This module does no I/O and knows nothing about sled: backends call it for bytes.
//!
//! # Key layout
//!
//! Everything lives in one ordered key space; the first byte says the kind:
//!
//! | kind | key | value |
//! |---|---|---|
//! | session | `S` chat | session record |
//! | ticket | `T` compact number (8 ASCII) | ticket record |
//! | chat → ticket index | `I` chat `\0` created (8, order-preserving) number (8) | empty |
//! | seen marker | `M` message id | empty |
//! | pinned script | `P` script id `\0` version (4, big-endian) | script record |
//!
//! `chat` is `<channel code>:<id>`, the `ChatKey` display form, so keys stay readable in dumps.

use super::{R, StoreError};
use crate::channel::{ChatKey, MessageId};
use crate::engine::session::Session;
use crate::ticket::TicketNo;
use crate::ticket::record::Ticket;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Format byte of the first session record layout.
pub const SESSION_V1: u8 = 1;
/// Format byte of the first ticket record layout.
pub const TICKET_V1: u8 = 1;
/// Format byte of a pinned script source stored as raw UTF-8.
pub const SCRIPT_V1: u8 = 1;

const SESSION: u8 = b'S';
const TICKET: u8 = b'T';
const INDEX: u8 = b'I';
const SEEN: u8 = b'M';
const SCRIPT: u8 = b'P';

/// Bytes of an index key after its chat prefix: created (8) + ticket number (8).
const INDEX_SUFFIX: usize = 16;

/// Encodes a session as its current record format.
pub fn encode_session(session: &Session) -> R<Vec<u8>> {
    encode(SESSION_V1, session, "session")
}

/// Decodes any session record format this build knows.
pub fn decode_session(bytes: &[u8]) -> R<Session> {
    match bytes.split_first() {
        Some((&SESSION_V1, body)) => decode(body, "session"),
        _ => Err(unknown_format("session", bytes)),
    }
}

/// Encodes a ticket as its current record format.
pub fn encode_ticket(ticket: &Ticket) -> R<Vec<u8>> {
    encode(TICKET_V1, ticket, "ticket")
}

/// Decodes any ticket record format this build knows.
pub fn decode_ticket(bytes: &[u8]) -> R<Ticket> {
    match bytes.split_first() {
        Some((&TICKET_V1, body)) => decode(body, "ticket"),
        _ => Err(unknown_format("ticket", bytes)),
    }
}

/// Encodes a pinned script source. Raw UTF-8: postcard would only add a length prefix.
pub fn encode_script(source: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(source.len() + 1);
    out.push(SCRIPT_V1);
    out.extend_from_slice(source.as_bytes());
    out
}

/// Decodes a pinned script source.
pub fn decode_script(bytes: &[u8]) -> R<String> {
    match bytes.split_first() {
        Some((&SCRIPT_V1, body)) => String::from_utf8(body.to_vec())
            .map_err(|_| StoreError::Corrupt("script record is not UTF-8".into())),
        _ => Err(unknown_format("script", bytes)),
    }
}

/// Key of a chat's session.
pub fn session_key(chat: &ChatKey) -> Vec<u8> {
    let mut key = vec![SESSION];
    push_chat(&mut key, chat);
    key
}

/// Key of a ticket record.
pub fn ticket_key(no: &TicketNo) -> Vec<u8> {
    let mut key = vec![TICKET];
    key.extend_from_slice(no.as_str().as_bytes());
    key
}

/// Prefix under which all of a chat's index entries sort, oldest first.
pub fn index_prefix(chat: &ChatKey) -> Vec<u8> {
    let mut key = vec![INDEX];
    push_chat(&mut key, chat);
    key.push(0);
    key
}

/// Index entry placing `ticket` among its chat's tickets by creation time, then number.
pub fn index_key(ticket: &Ticket) -> Vec<u8> {
    let mut key = index_prefix(&ticket.chat);
    // Flipping the sign bit makes big-endian byte order equal numeric order for negatives too.
    let created = (ticket.created.0 as u64) ^ (1 << 63);
    key.extend_from_slice(&created.to_be_bytes());
    key.extend_from_slice(ticket.no.as_str().as_bytes());
    key
}

/// The ticket key an index entry points to, or `None` if `key` is not an entry directly under
/// `prefix` (a chat id may contain `\0`, so a longer chat can share the prefix). Callers still
/// compare [`index_key`] of the loaded ticket with `key`, which also skips stale entries.
pub fn ticket_key_from_index(prefix: &[u8], key: &[u8]) -> Option<Vec<u8>> {
    let suffix = key.strip_prefix(prefix)?;
    if suffix.len() != INDEX_SUFFIX {
        return None;
    }
    let mut out = vec![TICKET];
    // The length check above makes this slice the 8 number bytes.
    out.extend_from_slice(&suffix[8..]);
    Some(out)
}

/// Key of a dedupe marker.
pub fn seen_key(msg: &MessageId) -> Vec<u8> {
    let mut key = vec![SEEN];
    key.extend_from_slice(msg.0.as_bytes());
    key
}

/// Key of a pinned script version. Script ids are ASCII snake_case, so `\0` cannot be in one.
pub fn script_key(id: &str, version: u32) -> Vec<u8> {
    let mut key = Vec::with_capacity(id.len() + 6);
    key.push(SCRIPT);
    key.extend_from_slice(id.as_bytes());
    key.push(0);
    key.extend_from_slice(&version.to_be_bytes());
    key
}

fn push_chat(key: &mut Vec<u8>, chat: &ChatKey) {
    key.extend_from_slice(chat.channel.code().as_bytes());
    key.push(b':');
    key.extend_from_slice(chat.id.as_bytes());
}

fn encode<T: Serialize>(format: u8, value: &T, what: &str) -> R<Vec<u8>> {
    // Writing after the format byte in place avoids copying the record once more.
    let mut out = Vec::with_capacity(256);
    out.push(format);
    postcard::to_extend(value, out)
        .map_err(|e| StoreError::Corrupt(format!("{what} record cannot be encoded: {e}")))
}

fn decode<T: DeserializeOwned>(body: &[u8], what: &str) -> R<T> {
    // Postcard ignores trailing bytes; refusing them catches records of another layout that
    // happen to parse as a prefix.
    match postcard::take_from_bytes(body) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => {
            Err(StoreError::Corrupt(format!("{what} record has {} trailing bytes", rest.len())))
        }
        // Postcard's errors name the problem, never the data, so they are safe to report.
        Err(e) => Err(StoreError::Corrupt(format!("{what} record: {e}"))),
    }
}

fn unknown_format(what: &str, bytes: &[u8]) -> StoreError {
    match bytes.first() {
        Some(b) => StoreError::Corrupt(format!("{what} record has unknown format byte {b}")),
        None => StoreError::Corrupt(format!("{what} record is empty")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::suite::{chat, sample_session, sample_ticket, ticket_at};

    /// Frozen records: written once from the samples, then never regenerated. If one stops
    /// decoding, stored data would too; if encoding drifts from one, bump the format byte.
    const SESSION_V1_HEX: &str = include_str!("../../tests/fixtures/records/session-v1.hex");
    const TICKET_V1_HEX: &str = include_str!("../../tests/fixtures/records/ticket-v1.hex");

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

    #[test]
    fn session_v1_is_frozen() {
        let frozen = unhex(SESSION_V1_HEX);
        assert_eq!(decode_session(&frozen).unwrap(), sample_session());
        let now = encode_session(&sample_session()).unwrap();
        assert_eq!(now, frozen, "session encoding changed; new bytes:\n{}", hex(&now));
    }

    #[test]
    fn ticket_v1_is_frozen() {
        let frozen = unhex(TICKET_V1_HEX);
        assert_eq!(decode_ticket(&frozen).unwrap(), sample_ticket());
        let now = encode_ticket(&sample_ticket()).unwrap();
        assert_eq!(now, frozen, "ticket encoding changed; new bytes:\n{}", hex(&now));
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
        assert_eq!(seen_key(&MessageId("wamid.X".into())), b"Mwamid.X");
        let no = sample_ticket().no;
        assert_eq!(ticket_key(&no), [b"T", no.as_str().as_bytes()].concat());
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
}
