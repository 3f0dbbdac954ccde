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
//! | session (on sled, of a chat gone quiet; in a backup, of every chat) | `S` chat | session record |
//! | sessions packed by one commit (`sled/sessions.rs`) | `K` pack id (8, big-endian) | session pack |
//! | ticket | `T` compact number (8 ASCII) | ticket record |
//! | chat → ticket index | `I` chat `\0` created (8, order-preserving) number (8) | empty |
//! | dedupe markers | `W` hour (4, big-endian) unique (8) | seen record |
//! | old dedupe marker (read, then dropped) | `M` message id | empty |
//! | pinned script | `P` script id `\0` version (4, big-endian) | script record |
//! | pending outbox entry | `O` id (8, big-endian) | outbox record |
//! | due index | `Q` due (8, order-preserving) id (8, big-endian) | empty |
//! | dead letter | `D` id (8, big-endian) | outbox record |
//! | staff account | `U` login | account record |
//!
//! `chat` is `<channel code>:<id>`, the `ChatKey` display form, so keys stay readable in dumps.
//! "Order-preserving" is a big-endian `i64` with its sign bit flipped, so byte order is time
//! order, negatives included.
//!
//! Every pending entry has exactly one due-index key, for its current `due`: a scan of `Q` lists
//! the pending outbox in due order. Dead letters have no
//! index; ids are random, so the `D` range is in no useful order and readers sort the (short,
//! admin-only) list by creation time instead of paying for a second index on every commit.

use super::seal::KeyRef;
use super::{R, StoreError};
use crate::audit::AuditEvent;
use crate::clock::Timestamp;
use crate::model::account::{Account, StaffSession};
use crate::model::outbox::OutboxEntry;
use crate::model::reply::Outgoing;
use crate::model::session::{Lang, Session, Value};
use crate::model::ticket::{Change, FollowUp, Ticket};
use crate::model::{Channel, ChatKey, MessageId};
use crate::model::{Status, TicketNo};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Format byte of the first session record layout.
pub const SESSION_V1: u8 = 1;
/// Format byte of the session layout with `recent` (dedupe hashes) at the end.
pub const SESSION_V2: u8 = 2;
/// Format byte of the session layout sealed under the session's own key (`seal.rs`): the
/// format-2 body, encrypted. What the store writes; format 2 stays the plain form (backups).
pub const SESSION_V3: u8 = 3;
/// Format byte of the first ticket record layout (no follow-up); read and upgraded, never
/// written.
pub const TICKET_V1: u8 = 1;
/// Format byte of the ticket layout with [`FollowUp`] at the end.
pub const TICKET_V2: u8 = 2;
/// Format byte of a ticket whose personal fields (answers, officers' notes) are sealed under
/// the ticket's own key: the format-2 body without them, then the sealed blob (none when the
/// ticket holds nothing personal, e.g. once erased).
pub const TICKET_V3: u8 = 3;
/// Format byte of a pinned script source stored as raw UTF-8.
pub const SCRIPT_V1: u8 = 1;
/// Format byte of the first outbox entry layout (pending and dead alike).
pub const OUTBOX_V1: u8 = 1;
/// Format byte of a pending reply (`Outgoing` in postcard).
pub const REPLY_V1: u8 = 1;
/// Format byte of a group of pending replies (`Vec<(ChatKey, seq, Outgoing)>` in postcard).
pub const REPLY_GROUP_V1: u8 = 1;
/// Format byte of a record of dedupe hashes: 8 big-endian bytes each, no length (postcard's
/// varints would take 10 bytes for most of these random numbers).
pub const SEEN_V1: u8 = 1;
/// Format byte of a reply group sealed under a key of its own, destroyed once all its replies
/// are sent (summaries carry NIKs).
pub const REPLY_GROUP_V2: u8 = 2;
/// Format byte of a pack of sessions (`sled/sessions.rs`): entries of a big-endian `u16`
/// length and the chat's key form, then a big-endian `u32` length and the session record as
/// a per-chat record would hold it (sealed, format 3).
pub const SESSION_PACK_V1: u8 = 1;

const SESSION: u8 = b'S';
const TICKET: u8 = b'T';
const INDEX: u8 = b'I';
const LEGACY_SEEN: u8 = b'M';
const SEEN: u8 = b'W';
const SCRIPT: u8 = b'P';
const OUTBOX: u8 = b'O';
const DUE: u8 = b'Q';
const DEAD: u8 = b'D';
const REPLY: u8 = b'R';
const REPLY_GROUP: u8 = b'G';
const REPLY_GROUP_SENT: u8 = b'H';
const AUDIT: u8 = b'A';
const ERASING: u8 = b'E';
const ACCOUNT: u8 = b'U';
const STAFF_SESSION: u8 = b'L';
const SESSION_PACK: u8 = b'K';
/// Format byte of an audit event.
pub const AUDIT_V1: u8 = 1;
/// Staff account: postcard of `model::account::Account`.
pub const ACCOUNT_V1: u8 = 1;
/// [`StaffSession`] as postcard.
pub const STAFF_SESSION_V1: u8 = 1;

/// Bytes of an index key after its chat prefix: created (8) + ticket number (8).
const INDEX_SUFFIX: usize = 16;
/// Bytes of a due-index key: prefix (1) + due (8) + id (8).
const DUE_KEY_LEN: usize = 17;

/// Encodes a session as its current record format.
pub fn encode_session(session: &Session) -> R<Vec<u8>> {
    encode(SESSION_V2, session, "session")
}

/// Decodes any session record format this build knows.
pub fn decode_session(bytes: &[u8]) -> R<Session> {
    match bytes.split_first() {
        Some((&SESSION_V2, body)) => decode(body, "session"),
        Some((&SESSION_V1, body)) => decode::<SessionV1>(body, "session v1").map(Session::from),
        _ => Err(unknown_format("session", bytes)),
    }
}

/// The session as format 1 stored it: today's [`Session`] without `recent`. Frozen: it must
/// keep decoding the records written before format 2, so never edit it along with `Session`.
#[derive(Deserialize)]
struct SessionV1 {
    lang: crate::model::session::Lang,
    flow: Option<crate::model::session::Flow>,
    pending: crate::model::session::Pending,
    misses: u8,
    noticed: bool,
    touched: crate::clock::Timestamp,
}

impl From<SessionV1> for Session {
    fn from(v1: SessionV1) -> Self {
        let SessionV1 { lang, flow, pending, misses, noticed, touched } = v1;
        Session { lang, flow, pending, misses, noticed, touched, recent: Vec::new() }
    }
}

/// Encodes a ticket as its current record format.
pub fn encode_ticket(ticket: &Ticket) -> R<Vec<u8>> {
    encode(TICKET_V2, ticket, "ticket")
}

/// Decodes any ticket record format this build knows; older ones are upgraded on the way.
pub fn decode_ticket(bytes: &[u8]) -> R<Ticket> {
    match bytes.split_first() {
        Some((&TICKET_V2, body)) => decode(body, "ticket"),
        Some((&TICKET_V1, body)) => decode::<TicketV1>(body, "ticket v1").map(Ticket::from),
        _ => Err(unknown_format("ticket", bytes)),
    }
}

/// The ticket as format 1 stored it: today's [`Ticket`] without `followup`. Frozen: it must
/// keep decoding the records written before format 2, so never edit it along with `Ticket`.
#[derive(Deserialize)]
struct TicketV1 {
    no: TicketNo,
    script: String,
    version: u32,
    opd: String,
    chat: ChatKey,
    lang: Lang,
    answers: Vec<(String, Value)>,
    status: Status,
    history: Vec<Change>,
    created: Timestamp,
    due: Option<i32>,
}

impl From<TicketV1> for Ticket {
    fn from(v1: TicketV1) -> Self {
        let TicketV1 {
            no,
            script,
            version,
            opd,
            chat,
            lang,
            answers,
            status,
            history,
            created,
            due,
        } = v1;
        // Nothing had been followed up before format 2 existed.
        let followup = FollowUp::default();
        Ticket {
            no,
            script,
            version,
            opd,
            chat,
            lang,
            answers,
            status,
            history,
            created,
            due,
            followup,
        }
    }
}

/// Encodes an outbox entry (pending or dead) as its current record format.
pub fn encode_outbox(entry: &OutboxEntry) -> R<Vec<u8>> {
    encode(OUTBOX_V1, entry, "outbox")
}

/// Decodes any outbox record format this build knows.
pub fn decode_outbox(bytes: &[u8]) -> R<OutboxEntry> {
    match bytes.split_first() {
        Some((&OUTBOX_V1, body)) => decode(body, "outbox"),
        _ => Err(unknown_format("outbox", bytes)),
    }
}

/// Encodes a pending reply as one record of its own, the layout before reply groups: only
/// read now, so only tests write it (to plant an old store's record).
#[cfg(test)]
pub fn encode_reply(out: &Outgoing) -> R<Vec<u8>> {
    encode(REPLY_V1, out, "reply")
}

pub fn decode_reply(bytes: &[u8]) -> R<Outgoing> {
    match bytes.split_first() {
        Some((&REPLY_V1, body)) => decode(body, "reply"),
        _ => Err(unknown_format("reply", bytes)),
    }
}

/// A commit's pending replies, all in one record.
pub type ReplyGroup = Vec<(ChatKey, u64, Outgoing)>;

/// A reply group to be written, borrowing its replies from the batch (the same bytes as a
/// [`ReplyGroup`]): copying every reply of a commit only to encode it was ~1 % of pintu's CPU
/// per Telegram message (BENCHMARKS.md, #15).
pub type ReplyGroupRefs<'a> = [(&'a ChatKey, u64, &'a Outgoing)];

/// Borrows an owned group for writing.
pub fn reply_group_refs(group: &ReplyGroup) -> Vec<(&ChatKey, u64, &Outgoing)> {
    group.iter().map(|(chat, seq, out)| (chat, *seq, out)).collect()
}

pub fn encode_reply_group(group: &ReplyGroup) -> R<Vec<u8>> {
    encode(REPLY_GROUP_V1, group, "reply group")
}

pub fn decode_reply_group(bytes: &[u8]) -> R<ReplyGroup> {
    match bytes.split_first() {
        Some((&REPLY_GROUP_V1, body)) => decode(body, "reply group"),
        _ => Err(unknown_format("reply group", bytes)),
    }
}

/// A record kind's tag + a 64-bit id (big-endian, so ids sort as numbers).
fn tagged_id(tag: u8, id: u64) -> [u8; 9] {
    let mut key = [tag; 9];
    key[1..].copy_from_slice(&id.to_be_bytes());
    key
}

/// `E` + a random id: an erasure under way, the keys it destroys right after its commit (see
/// `sled.rs`). Holds key slots and ids only, never a key.
pub fn erasing_key(id: u64) -> [u8; 9] {
    tagged_id(ERASING, id)
}

pub fn erasing_prefix() -> [u8; 1] {
    [ERASING]
}

/// Layout 1, then per key its slot (4 bytes) and id (8), big-endian.
pub fn encode_erasing(keys: &[KeyRef]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + keys.len() * 12);
    out.push(1);
    for key in keys {
        out.extend_from_slice(&key.slot.to_be_bytes());
        out.extend_from_slice(&key.id.to_be_bytes());
    }
    out
}

pub fn decode_erasing(bytes: &[u8]) -> R<Vec<KeyRef>> {
    match bytes.split_first() {
        Some((1, keys)) if keys.len() % 12 == 0 => Ok(keys
            .chunks_exact(12)
            .map(|k| KeyRef {
                slot: u32::from_be_bytes([k[0], k[1], k[2], k[3]]),
                id: u64::from_be_bytes([k[4], k[5], k[6], k[7], k[8], k[9], k[10], k[11]]),
            })
            .collect()),
        _ => Err(unknown_format("erasure under way", bytes)),
    }
}

/// `G` + group id (big-endian).
pub fn reply_group_key(id: u64) -> [u8; 9] {
    tagged_id(REPLY_GROUP, id)
}

pub fn reply_group_prefix() -> [u8; 1] {
    [REPLY_GROUP]
}

/// `H` + group id (big-endian): which of the group's replies were sent, one bit per reply in
/// group order (a raw bitmap: it has no other layout to evolve into).
pub fn reply_group_sent_key(id: u64) -> [u8; 9] {
    tagged_id(REPLY_GROUP_SENT, id)
}

/// `R` + channel code + `:` + chat id + `\0` + seq (big-endian): one reply per record, as
/// stores before reply groups wrote them; still read and removed.
pub fn reply_key(chat: &ChatKey, seq: u64) -> Vec<u8> {
    let mut key = vec![REPLY];
    push_chat(&mut key, chat);
    key.push(0);
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

/// The range of one chat's pending replies (and of longer chat ids continuing with `\0`:
/// check [`parse_reply_key`]'s chat).
pub fn reply_chat_prefix(chat: &ChatKey) -> Vec<u8> {
    let mut key = vec![REPLY];
    push_chat(&mut key, chat);
    key.push(0);
    key
}

/// The range of one channel's pending replies.
pub fn reply_channel_prefix(channel: Channel) -> Vec<u8> {
    let mut key = vec![REPLY];
    key.extend_from_slice(channel.code().as_bytes());
    key.push(b':');
    key
}

/// Chat and seq back from a reply key (the seq is the last 8 bytes: chat ids may hold `\0`).
pub fn parse_reply_key(key: &[u8]) -> Option<(ChatKey, u64)> {
    let body = key.strip_prefix(&[REPLY])?;
    let (chat, seq) = body.split_at_checked(body.len().checked_sub(9)?)?;
    let (&sep, seq) = seq.split_first()?;
    if sep != 0 {
        return None;
    }
    let chat = ChatKey::parse(std::str::from_utf8(chat).ok()?)?;
    Some((chat, u64::from_be_bytes(seq.try_into().ok()?)))
}

pub fn encode_audit(e: &AuditEvent) -> R<Vec<u8>> {
    encode(AUDIT_V1, e, "audit event")
}

pub fn decode_audit(bytes: &[u8]) -> R<AuditEvent> {
    match bytes.split_first() {
        Some((&AUDIT_V1, body)) => decode(body, "audit event"),
        _ => Err(unknown_format("audit event", bytes)),
    }
}

/// `A` + time (ordered) + a sequence number: the log in time order, never overwritten.
pub fn audit_key(at: Timestamp, seq: u64) -> Vec<u8> {
    let mut key = vec![AUDIT];
    key.extend_from_slice(&ordered(at));
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

pub fn audit_prefix() -> [u8; 1] {
    [AUDIT]
}

pub fn encode_account(account: &Account) -> R<Vec<u8>> {
    encode(ACCOUNT_V1, account, "account")
}

pub fn decode_account(bytes: &[u8]) -> R<Account> {
    match bytes.split_first() {
        Some((&ACCOUNT_V1, body)) => decode(body, "account"),
        _ => Err(unknown_format("account", bytes)),
    }
}

/// `U` + login: accounts in login order.
pub fn account_key(login: &str) -> Vec<u8> {
    let mut key = vec![ACCOUNT];
    key.extend_from_slice(login.as_bytes());
    key
}

pub fn account_prefix() -> [u8; 1] {
    [ACCOUNT]
}

pub fn encode_staff_session(session: &StaffSession) -> R<Vec<u8>> {
    encode(STAFF_SESSION_V1, session, "staff session")
}

pub fn decode_staff_session(bytes: &[u8]) -> R<StaffSession> {
    match bytes.split_first() {
        Some((&STAFF_SESSION_V1, body)) => decode(body, "staff session"),
        _ => Err(unknown_format("staff session", bytes)),
    }
}

/// `L` + the SHA-256 of the session's cookie token.
pub fn staff_session_key(token_hash: &[u8; 32]) -> [u8; 33] {
    let mut key = [0u8; 33];
    key[0] = STAFF_SESSION;
    key[1..].copy_from_slice(token_hash);
    key
}

pub fn staff_session_prefix() -> [u8; 1] {
    [STAFF_SESSION]
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

/// Is this a session record's key (for counting in `pintu stats`)?
pub fn is_session_key(key: &[u8]) -> bool {
    key.first() == Some(&SESSION)
}

/// Is this a ticket record's key?
pub fn is_ticket_key(key: &[u8]) -> bool {
    key.first() == Some(&TICKET)
}

/// Is this a reply group's key?
pub fn is_reply_group_key(key: &[u8]) -> bool {
    key.first() == Some(&REPLY_GROUP)
}

/// Prefix under which every session record sorts.
pub fn session_prefix() -> &'static [u8] {
    &[SESSION]
}

/// `K` + pack id (big-endian): the sessions one commit wrote, in one record (see
/// `sled/sessions.rs`). Ids grow with every pack, so key order is age order.
pub fn session_pack_key(id: u64) -> [u8; 9] {
    tagged_id(SESSION_PACK, id)
}

pub fn session_pack_prefix() -> [u8; 1] {
    [SESSION_PACK]
}

/// The id of a session pack's key.
pub fn session_pack_id(key: &[u8]) -> Option<u64> {
    match key {
        [SESSION_PACK, id @ ..] => id.try_into().ok().map(u64::from_be_bytes),
        _ => None,
    }
}

/// A session pack being written; see [`SESSION_PACK_V1`].
pub struct SessionPack(Vec<u8>);

impl Default for SessionPack {
    fn default() -> Self {
        Self(vec![SESSION_PACK_V1])
    }
}

impl SessionPack {
    /// Appends `chat`'s session record; returns where the record sits in the pack.
    pub fn push(&mut self, chat: &ChatKey, record: &[u8]) -> R<std::ops::Range<usize>> {
        let too_long = || StoreError::Corrupt("session too long for a pack".into());
        let chat_len = u16::try_from(chat_len(chat)).map_err(|_| too_long())?;
        let record_len = u32::try_from(record.len()).map_err(|_| too_long())?;
        self.0.extend_from_slice(&chat_len.to_be_bytes());
        push_chat(&mut self.0, chat);
        self.0.extend_from_slice(&record_len.to_be_bytes());
        let start = self.0.len();
        self.0.extend_from_slice(record);
        Ok(start..self.0.len())
    }

    /// Bytes so far.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.len() == 1
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

/// A session pack's entries: each chat, and where its session record sits in `bytes`.
pub fn session_pack_entries(bytes: &[u8]) -> R<Vec<(ChatKey, std::ops::Range<usize>)>> {
    let bad = || StoreError::Corrupt("session pack is cut short or malformed".into());
    let mut entries = Vec::new();
    match bytes.first() {
        Some(&SESSION_PACK_V1) => {}
        _ => return Err(unknown_format("session pack", bytes)),
    }
    let mut at = 1;
    let take = |n: usize, at: &mut usize| {
        let range = *at..at.checked_add(n).filter(|&end| end <= bytes.len()).ok_or_else(bad)?;
        *at = range.end;
        Ok::<_, StoreError>(range)
    };
    while at < bytes.len() {
        let len = take(2, &mut at)?;
        let chat_len = u16::from_be_bytes([bytes[len.start], bytes[len.start + 1]]);
        let chat = take(usize::from(chat_len), &mut at)?;
        let chat = std::str::from_utf8(&bytes[chat])
            .ok()
            .and_then(ChatKey::parse)
            .ok_or_else(|| StoreError::Corrupt("session pack names no chat".into()))?;
        let len = take(4, &mut at)?;
        let record_len = u32::from_be_bytes(bytes[len].try_into().map_err(|_| bad())?);
        entries.push((chat, take(record_len as usize, &mut at)?));
    }
    Ok(entries)
}

/// The chat a session record's key belongs to.
pub fn chat_of_session_key(key: &[u8]) -> R<ChatKey> {
    key.strip_prefix(&[SESSION])
        .and_then(|chat| std::str::from_utf8(chat).ok())
        .and_then(ChatKey::parse)
        .ok_or_else(|| StoreError::Corrupt("session key does not name a chat".into()))
}

/// Checks that a (key, value) record as exported is one this build can read: its kind is
/// known and its value decodes. A restore runs it over every record before writing any, so a
/// backup with a valid checksum but a damaged record is refused instead of breaking the
/// ticket list later. Names the kind of record, never its content.
pub fn check_record(key: &[u8], value: &[u8]) -> R<()> {
    let empty = |what: &str| match value {
        [] => Ok(()),
        _ => Err(StoreError::Corrupt(format!("{what} has a value, it should be empty"))),
    };
    match key.first() {
        Some(&SESSION) => decode_session(value).map(drop),
        Some(&TICKET) => {
            let ticket = decode_ticket(value)?;
            if ticket_key(&ticket.no) == key {
                Ok(())
            } else {
                Err(StoreError::Corrupt("ticket record stored under another number".into()))
            }
        }
        Some(&INDEX) => empty("ticket index entry"),
        Some(&LEGACY_SEEN) => empty("dedupe marker of the old layout"),
        Some(&SEEN) => match key.len() {
            13 => decode_seen(value).map(drop),
            _ => Err(StoreError::Corrupt("dedupe marker key of a wrong length".into())),
        },
        Some(&SCRIPT) => decode_script(value).map(drop),
        Some(&OUTBOX | &DEAD) => decode_outbox(value).map(drop),
        Some(&DUE) => match parse_due_key(key) {
            Some(_) => empty("due index entry"),
            None => Err(StoreError::Corrupt("due index key of a wrong length".into())),
        },
        Some(&REPLY) => decode_reply(value).map(drop),
        Some(&REPLY_GROUP) => decode_reply_group(value).map(drop),
        // A raw bitmap: any bytes are a valid one.
        Some(&REPLY_GROUP_SENT) => Ok(()),
        Some(&AUDIT) => decode_audit(value).map(drop),
        Some(&ERASING) => decode_erasing(value).map(drop),
        Some(&ACCOUNT) => {
            if account_key(&decode_account(value)?.login) == key {
                Ok(())
            } else {
                Err(StoreError::Corrupt("account record stored under another login".into()))
            }
        }
        Some(&STAFF_SESSION) => match key.len() {
            33 => decode_staff_session(value).map(drop),
            _ => Err(StoreError::Corrupt("staff session key of a wrong length".into())),
        },
        // Sealed: a backup holds each session as a plain record of its own.
        Some(&SESSION_PACK) => Err(StoreError::Corrupt("a sealed session pack in a backup".into())),
        Some(other) => Err(StoreError::Corrupt(format!("unknown record kind {other}"))),
        None => Err(StoreError::Corrupt("record with an empty key".into())),
    }
}

/// The attachment paths (`files/…`) a record refers to: a session's draft, a ticket's answers;
/// none for other kinds.
pub fn referenced_files(key: &[u8], value: &[u8]) -> R<Vec<String>> {
    let paths = |files: &mut dyn Iterator<Item = &crate::model::session::FileRef>| {
        files.map(|f| f.path.clone()).collect()
    };
    Ok(match key.first() {
        Some(&SESSION) => paths(&mut decode_session(value)?.files()),
        Some(&TICKET) => paths(&mut decode_ticket(value)?.files()),
        _ => Vec::new(),
    })
}

/// Key of a chat's session.
pub fn session_key(chat: &ChatKey) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + chat_len(chat));
    key.push(SESSION);
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
    // Room for what `index_key` appends: a timestamp and a ticket number.
    let mut key = Vec::with_capacity(2 + chat_len(chat) + 8 + 16);
    key.push(INDEX);
    push_chat(&mut key, chat);
    key.push(0);
    key
}

/// Index entry placing `ticket` among its chat's tickets by creation time, then number.
pub fn index_key(ticket: &Ticket) -> Vec<u8> {
    let mut key = index_prefix(&ticket.chat);
    key.extend_from_slice(&ordered(ticket.created));
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

/// Key of a marker of the old layout (one per message, its id in the key).
pub fn legacy_seen_key(msg: &MessageId) -> Vec<u8> {
    let mut key = vec![LEGACY_SEEN];
    key.extend_from_slice(msg.0.as_bytes());
    key
}

pub fn legacy_seen_prefix() -> [u8; 1] {
    [LEGACY_SEEN]
}

/// The message id an old-layout marker key holds.
pub fn legacy_seen_id(key: &[u8]) -> Option<MessageId> {
    let id = key.strip_prefix(&[LEGACY_SEEN])?;
    Some(MessageId(String::from_utf8(id.to_vec()).ok()?))
}

/// The hour a dedupe marker written at `at` is filed under (hours since the epoch; earlier
/// instants file under hour 0). Markers expire by whole hours.
pub fn seen_hour(at: Timestamp) -> u32 {
    u32::try_from(at.0.div_euclid(3600).max(0)).unwrap_or(u32::MAX)
}

/// `W` + hour + a number that keeps records of the same hour apart.
pub fn seen_key(hour: u32, unique: u64) -> [u8; 13] {
    let mut key = [SEEN; 13];
    key[1..5].copy_from_slice(&hour.to_be_bytes());
    key[5..].copy_from_slice(&unique.to_be_bytes());
    key
}

/// Where the markers of `hour` begin; every later hour sorts after it.
pub fn seen_hour_start(hour: u32) -> [u8; 5] {
    let mut key = [SEEN; 5];
    key[1..].copy_from_slice(&hour.to_be_bytes());
    key
}

pub fn seen_prefix() -> [u8; 1] {
    [SEEN]
}

pub fn encode_seen(hashes: &[u64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + 8 * hashes.len());
    out.push(SEEN_V1);
    for h in hashes {
        out.extend_from_slice(&h.to_be_bytes());
    }
    out
}

pub fn decode_seen(bytes: &[u8]) -> R<Vec<u64>> {
    match bytes.split_first() {
        Some((&SEEN_V1, body)) if body.len() % 8 == 0 => Ok(body
            .chunks_exact(8)
            .map(|c| u64::from_be_bytes(c.try_into().unwrap_or_default()))
            .collect()),
        Some((&SEEN_V1, body)) => {
            Err(StoreError::Corrupt(format!("seen record of {} bytes", body.len())))
        }
        _ => Err(unknown_format("seen", bytes)),
    }
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

pub fn script_prefix() -> [u8; 1] {
    [SCRIPT]
}

/// The (id, version) a [`script_key`] names.
pub fn parse_script_key(key: &[u8]) -> R<(String, u32)> {
    let bad = || StoreError::Corrupt("script key of a wrong form".into());
    let rest = key.strip_prefix(&[SCRIPT]).ok_or_else(bad)?;
    let (id, version) =
        rest.split_at_checked(rest.len().checked_sub(5).ok_or_else(bad)?).ok_or_else(bad)?;
    let version = version.strip_prefix(&[0]).ok_or_else(bad)?;
    let id = std::str::from_utf8(id).map_err(|_| bad())?;
    Ok((id.to_owned(), u32::from_be_bytes(version.try_into().map_err(|_| bad())?)))
}

/// Prefix of every ticket key; keys under it sort by ticket number.
pub fn ticket_prefix() -> [u8; 1] {
    [TICKET]
}

/// Key of a pending outbox entry.
pub fn outbox_key(id: u64) -> [u8; 9] {
    id_key(OUTBOX, id)
}

/// Key of a dead letter.
pub fn dead_key(id: u64) -> [u8; 9] {
    id_key(DEAD, id)
}

/// Prefix of every dead letter.
pub fn dead_prefix() -> [u8; 1] {
    [DEAD]
}

/// Prefix of the due index; a scan of it yields pending entries by due time, then id.
pub fn due_prefix() -> [u8; 1] {
    [DUE]
}

/// The due-index entry of a pending entry that is due at `due`.
pub fn due_key(due: Timestamp, id: u64) -> [u8; DUE_KEY_LEN] {
    let mut key = [0; DUE_KEY_LEN];
    key[0] = DUE;
    key[1..9].copy_from_slice(&ordered(due));
    key[9..].copy_from_slice(&id.to_be_bytes());
    key
}

/// The due time and id a due-index key stands for, or `None` for a key of another shape.
/// Callers still check the entry under [`outbox_key`] has that due, which skips stale keys.
pub fn parse_due_key(key: &[u8]) -> Option<(Timestamp, u64)> {
    let key: &[u8; DUE_KEY_LEN] = key.try_into().ok()?;
    if key[0] != DUE {
        return None;
    }
    let mut due = [0; 8];
    due.copy_from_slice(&key[1..9]);
    let mut id = [0; 8];
    id.copy_from_slice(&key[9..]);
    Some((unordered(due), u64::from_be_bytes(id)))
}

fn id_key(prefix: u8, id: u64) -> [u8; 9] {
    let mut key = [prefix; 9];
    key[1..].copy_from_slice(&id.to_be_bytes());
    key
}

/// Flipping the sign bit makes big-endian byte order equal numeric order for negatives too.
fn ordered(t: Timestamp) -> [u8; 8] {
    ((t.0 as u64) ^ (1 << 63)).to_be_bytes()
}

fn unordered(bytes: [u8; 8]) -> Timestamp {
    Timestamp((u64::from_be_bytes(bytes) ^ (1 << 63)) as i64)
}

/// The bytes [`push_chat`] appends, so a key is allocated once at its size.
fn chat_len(chat: &ChatKey) -> usize {
    chat.channel.code().len() + 1 + chat.id.len()
}

fn push_chat(key: &mut Vec<u8>, chat: &ChatKey) {
    key.extend_from_slice(chat.channel.code().as_bytes());
    key.push(b':');
    key.extend_from_slice(chat.id.as_bytes());
}

fn encode<T: Serialize + ?Sized>(format: u8, value: &T, what: &str) -> R<Vec<u8>> {
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

mod sealed;
pub use sealed::*;

#[cfg(test)]
pub(crate) mod tests;
