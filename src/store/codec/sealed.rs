//! Sealed record formats: what the store writes for records that hold personal data. Each
//! carries, in the clear, only what the store needs to find and index it; the personal part is
//! a blob sealed under a key of its own (`store/seal.rs`), so destroying the key erases every
//! copy of it, old versions in sled's log included.
//!
//! | record | format | sealed | key |
//! |---|---|---|---|
//! | session | [`SESSION_V3`] | the whole format-2 body | the session's, destroyed when it is deleted |
//! | ticket | [`TICKET_V3`] | answers and officers' notes | the ticket's, destroyed when it is erased |
//! | reply group | [`REPLY_GROUP_V2`] | the whole group | the group's, destroyed once all are sent |
//!
//! The plain formats stay readable: older stores are sealed at open (`sled.rs`), and backups
//! hold plain records, re-sealed under fresh keys on restore.

use super::{
    REPLY_GROUP, REPLY_GROUP_V1, REPLY_GROUP_V2, ReplyGroup, ReplyGroupRefs, SESSION, SESSION_V1,
    SESSION_V2, SESSION_V3, TICKET, TICKET_V1, TICKET_V2, TICKET_V3, decode, decode_reply_group,
    decode_session, decode_ticket, encode, encode_reply_group, encode_session, encode_ticket,
    unknown_format,
};
use crate::model::session::{Session, Value};
use crate::model::ticket::{ERASED, Ticket};
use crate::store::seal::{self, KeyRef, Keyring, Opened, SealKey};
use crate::store::{R, StoreError};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Record kinds bound into each blob, so one kind's blob never opens as another's.
const SESSION_KIND: u8 = b'S';
const TICKET_KIND: u8 = b'T';
const REPLY_GROUP_KIND: u8 = b'G';

/// Is this session record in a plain (pre-sealing) format?
pub fn is_plain_session(bytes: &[u8]) -> bool {
    matches!(bytes.first(), Some(&SESSION_V1 | &SESSION_V2))
}

/// Is this ticket record in a plain (pre-sealing) format?
pub fn is_plain_ticket(bytes: &[u8]) -> bool {
    matches!(bytes.first(), Some(&TICKET_V1 | &TICKET_V2))
}

/// A session sealed under `key`.
pub fn seal_session(session: &Session, key: &SealKey) -> R<Vec<u8>> {
    let body = zeroize::Zeroizing::new(encode(SESSION_V2, session, "session")?);
    let mut out = Vec::with_capacity(body.len() + 48);
    out.push(SESSION_V3);
    seal::seal(key, SESSION_KIND, &body[1..], &mut out)?;
    Ok(out)
}

/// A session record of any format; `None` if its key was destroyed (the session was erased).
pub fn open_session(bytes: &[u8], keys: &dyn Keyring) -> R<Option<Session>> {
    match bytes.split_first() {
        Some((&SESSION_V3, blob)) => match seal::open(SESSION_KIND, blob, keys)? {
            Opened::Plain(body) => decode(&body, "session").map(Some),
            Opened::Shredded => Ok(None),
        },
        _ => decode_session(bytes).map(Some),
    }
}

/// The key a session record is sealed under (`None`: plain or unreadable).
pub fn session_key_ref(bytes: &[u8]) -> Option<KeyRef> {
    match bytes.split_first() {
        Some((&SESSION_V3, blob)) => seal::key_ref(blob),
        _ => None,
    }
}

/// The personal part of a ticket, sealed in format 3.
#[derive(Serialize, Deserialize)]
struct Personal {
    answers: Vec<(String, Value)>,
    /// One per history entry, in order.
    notes: Vec<Option<String>>,
}

/// Does the ticket hold anything that must be sealed?
pub fn ticket_is_personal(ticket: &Ticket) -> bool {
    !ticket.answers.is_empty() || ticket.history.iter().any(|c| c.note.is_some())
}

/// A ticket with its personal fields sealed under `key`; `key` is needed exactly when
/// [`ticket_is_personal`].
pub fn seal_ticket(ticket: &Ticket, key: Option<&SealKey>) -> R<Vec<u8>> {
    let mut public = ticket.clone();
    let personal = Personal {
        answers: std::mem::take(&mut public.answers),
        notes: public.history.iter_mut().map(|c| c.note.take()).collect(),
    };
    let mut out = encode(TICKET_V3, &public, "ticket")?;
    if ticket_is_personal(ticket) {
        let key = key.ok_or_else(|| StoreError::Corrupt("a personal ticket needs a key".into()))?;
        let body = zeroize::Zeroizing::new(
            postcard::to_allocvec(&personal)
                .map_err(|e| StoreError::Corrupt(format!("ticket cannot be encoded: {e}")))?,
        );
        seal::seal(key, TICKET_KIND, &body, &mut out)?;
    }
    Ok(out)
}

/// A ticket record of any format. One whose key was destroyed reads as erased.
pub fn open_ticket(bytes: &[u8], keys: &dyn Keyring) -> R<Ticket> {
    let Some((&TICKET_V3, body)) = bytes.split_first() else {
        return decode_ticket(bytes);
    };
    let (mut ticket, blob) = split_ticket(body)?;
    if blob.is_empty() {
        return Ok(ticket);
    }
    match seal::open(TICKET_KIND, blob, keys)? {
        Opened::Plain(personal) => {
            let personal: Personal = decode(&personal, "ticket personal data")?;
            ticket.answers = personal.answers;
            for (change, note) in ticket.history.iter_mut().zip(personal.notes) {
                change.note = note;
            }
        }
        // Erased but not yet rewritten (a crash between the two): what the rewrite holds.
        Opened::Shredded => {
            ticket.chat = crate::model::ChatKey::new(ticket.chat.channel, ERASED);
        }
    }
    Ok(ticket)
}

/// The key a ticket record's personal part is sealed under, if it has one.
pub fn ticket_key_ref(bytes: &[u8]) -> Option<KeyRef> {
    match bytes.split_first() {
        Some((&TICKET_V3, body)) => split_ticket(body).ok().and_then(|(_, b)| seal::key_ref(b)),
        _ => None,
    }
}

fn split_ticket(body: &[u8]) -> R<(Ticket, &[u8])> {
    postcard::take_from_bytes(body).map_err(|e| StoreError::Corrupt(format!("ticket record: {e}")))
}

/// A reply group sealed under `key`.
pub fn seal_reply_group(group: &ReplyGroupRefs, key: &SealKey) -> R<Vec<u8>> {
    let body = zeroize::Zeroizing::new(encode(REPLY_GROUP_V1, group, "reply group")?);
    let mut out = Vec::with_capacity(body.len() + 48);
    out.push(REPLY_GROUP_V2);
    seal::seal(key, REPLY_GROUP_KIND, &body[1..], &mut out)?;
    Ok(out)
}

/// A reply group of any format; `None` if its key was destroyed (every reply was sent).
pub fn open_reply_group(bytes: &[u8], keys: &dyn Keyring) -> R<Option<ReplyGroup>> {
    match bytes.split_first() {
        Some((&REPLY_GROUP_V2, blob)) => match seal::open(REPLY_GROUP_KIND, blob, keys)? {
            Opened::Plain(body) => decode(&body, "reply group").map(Some),
            Opened::Shredded => Ok(None),
        },
        Some((&REPLY_GROUP_V1, _)) => decode_reply_group(bytes).map(Some),
        _ => Err(unknown_format("reply group", bytes)),
    }
}

/// The key a reply group is sealed under (`None`: plain or unreadable).
pub fn reply_group_key_ref(bytes: &[u8]) -> Option<KeyRef> {
    match bytes.split_first() {
        Some((&REPLY_GROUP_V2, blob)) => seal::key_ref(blob),
        _ => None,
    }
}

/// Is this reply group in the plain (pre-sealing) format?
pub fn is_plain_reply_group(bytes: &[u8]) -> bool {
    bytes.first() == Some(&REPLY_GROUP_V1)
}

/// A stored record as a backup holds it: sealed records opened into their plain formats (a
/// restore seals them again under fresh keys), `None` for an erased session or a wholly sent
/// reply group, which leave nothing to back up. Other records are returned as they are.
pub fn plain_record<'a>(
    key: &[u8],
    value: &'a [u8],
    keys: &dyn Keyring,
) -> R<Option<Cow<'a, [u8]>>> {
    let plain = match key.first() {
        Some(&SESSION) => open_session(value, keys)?.map(|s| encode_session(&s)).transpose()?,
        Some(&TICKET) => Some(encode_ticket(&open_ticket(value, keys)?)?),
        Some(&REPLY_GROUP) => {
            open_reply_group(value, keys)?.map(|g| encode_reply_group(&g)).transpose()?
        }
        _ => return Ok(Some(Cow::Borrowed(value))),
    };
    Ok(plain.map(Cow::Owned))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::reply::{Msg, Outgoing, Reply};
    use crate::model::session::Lang;
    use crate::model::{Channel, ChatKey};
    use crate::store::seal::Ring;
    use crate::store::suite::{sample_session, sample_ticket};
    use std::collections::HashMap;
    use zeroize::Zeroizing;

    fn ring() -> (SealKey, Ring) {
        let key = SealKey { slot: 3, id: 9, secret: Zeroizing::new([7; 32]) };
        (key.clone(), Ring([(3, key)].into()))
    }

    fn contains(hay: &[u8], needle: &str) -> bool {
        hay.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    #[test]
    fn sealed_session_round_trips_and_reads_as_gone_without_its_key() {
        let (key, keys) = ring();
        let bytes = seal_session(&sample_session(), &key).unwrap();
        assert_eq!(session_key_ref(&bytes), Some(key.key_ref()));
        assert_eq!(open_session(&bytes, &keys).unwrap(), Some(sample_session()));
        assert_eq!(open_session(&bytes, &Ring(HashMap::new())).unwrap(), None);
        // Plain formats still read, with no key.
        let plain = super::super::encode_session(&sample_session()).unwrap();
        assert!(is_plain_session(&plain));
        assert_eq!(open_session(&plain, &Ring(HashMap::new())).unwrap(), Some(sample_session()));
    }

    #[test]
    fn sealed_ticket_hides_answers_and_notes_and_reads_as_erased_without_its_key() {
        let (key, keys) = ring();
        let t = sample_ticket();
        let note = t.history.iter().find_map(|c| c.note.clone()).expect("the sample has a note");
        let bytes = seal_ticket(&t, Some(&key)).unwrap();
        assert!(!contains(&bytes, "Siti Aminah") && !contains(&bytes, &note));
        assert_eq!(ticket_key_ref(&bytes), Some(key.key_ref()));
        assert_eq!(open_ticket(&bytes, &keys).unwrap(), t);
        let shredded = open_ticket(&bytes, &Ring(HashMap::new())).unwrap();
        let mut erased = t.clone();
        erased.erase_personal();
        assert_eq!(shredded, erased);
        // An erased ticket holds nothing personal: no key, no blob.
        let bytes = seal_ticket(&erased, None).unwrap();
        assert_eq!(ticket_key_ref(&bytes), None);
        assert_eq!(open_ticket(&bytes, &Ring(HashMap::new())).unwrap(), erased);
        assert!(seal_ticket(&t, None).is_err());
    }

    #[test]
    fn sealed_reply_group_round_trips() {
        let (key, keys) = ring();
        let chat = ChatKey::new(Channel::Telegram, "42");
        let out = Outgoing {
            lang: Lang::Id,
            reply: Reply::msg(Msg::literal("NIK 3201011708900001".to_string())),
        };
        let bytes = seal_reply_group(&[(&chat, 7, &out), (&chat, 8, &out)], &key).unwrap();
        // Written from borrowed replies, read back as an owned group.
        let group: ReplyGroup = vec![(chat.clone(), 7, out.clone()), (chat, 8, out)];
        assert!(!contains(&bytes, "3201011708900001"));
        assert_eq!(reply_group_key_ref(&bytes), Some(key.key_ref()));
        assert_eq!(open_reply_group(&bytes, &keys).unwrap(), Some(group));
        assert_eq!(open_reply_group(&bytes, &Ring(HashMap::new())).unwrap(), None);
    }
}
