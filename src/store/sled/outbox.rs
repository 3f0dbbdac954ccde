//! The outbox on sled: turning [`OutboxOp`]s into writes of one `apply_batch`, and reading the
//! due index back.
//!
//! Invariant: every pending entry (`O` id) has exactly one due-index key (`Q` due id), the one
//! for its stored `due`. A `Put` that moves an entry, a `Done` and a `Dead` must therefore
//! remove the key of the due the entry had, which only the stored entry knows; so [`write`]
//! reads it first. That read cannot race a write because the committer is the store's only
//! writer. Readers still check each index key against its entry and skip a mismatch, so a stale
//! key could cost a lookup but never yield an entry twice or at an old due.

use super::sled_error;
use crate::clock::Timestamp;
use crate::model::outbox::{OutboxEntry, OutboxOp};
use crate::store::{R, codec};
use std::collections::HashMap;

/// Adds the writes of `ops`, in order, to `writes`.
///
/// Several ops may touch one id (a merged batch, or put-then-done): `indexed` tracks the due
/// each id is indexed under as the ops so far leave it, starting from the stored entry, and
/// each op removes that key before writing its own. `sled::Batch` keeps the last write per
/// key, so a key removed by one op and inserted by a later one ends up inserted.
pub(super) fn write(tree: &sled::Tree, ops: &[OutboxOp], writes: &mut sled::Batch) -> R<()> {
    let mut indexed: HashMap<u64, Option<Timestamp>> = HashMap::new();
    for op in ops {
        let id = match op {
            OutboxOp::Put(entry) | OutboxOp::Dead(entry) => entry.id,
            OutboxOp::Done(id) => *id,
        };
        let old = match indexed.get(&id) {
            Some(&due) => due,
            None => stored_due(tree, id)?,
        };
        if let Some(old) = old {
            writes.remove(&codec::due_key(old, id)[..]);
        }
        let (entry_key, dead_key) = (codec::outbox_key(id), codec::dead_key(id));
        let now = match op {
            OutboxOp::Put(entry) => {
                writes.insert(&entry_key[..], codec::encode_outbox(entry)?);
                writes.insert(&codec::due_key(entry.due, id)[..], &[][..]);
                writes.remove(&dead_key[..]);
                Some(entry.due)
            }
            OutboxOp::Done(_) => {
                writes.remove(&entry_key[..]);
                writes.remove(&dead_key[..]);
                None
            }
            OutboxOp::Dead(entry) => {
                writes.remove(&entry_key[..]);
                writes.insert(&dead_key[..], codec::encode_outbox(entry)?);
                None
            }
        };
        indexed.insert(id, now);
    }
    Ok(())
}

/// The due the pending entry `id` is indexed under, if it is pending.
///
/// An unreadable stored entry is treated as unindexed rather than failing the commit: every op
/// overwrites or removes it, and failing would block the committer, i.e. every chat, on one bad
/// record. Its old index key may stay behind; readers skip it (see the module docs).
fn stored_due(tree: &sled::Tree, id: u64) -> R<Option<Timestamp>> {
    let Some(bytes) = tree.get(codec::outbox_key(id)).map_err(|e| sled_error("read", e))? else {
        return Ok(None);
    };
    match codec::decode_outbox(&bytes) {
        Ok(entry) => Ok(Some(entry.due)),
        Err(e) => {
            tracing::warn!(id, error = %e, "replacing an unreadable outbox entry");
            Ok(None)
        }
    }
}

/// Every pending entry, by due then id: one scan of the due index.
pub(super) fn pending(tree: &sled::Tree) -> R<Vec<OutboxEntry>> {
    let mut found = Vec::new();
    for item in tree.scan_prefix(codec::due_prefix()) {
        let (key, _) = item.map_err(|e| sled_error("scan", e))?;
        if let Some(entry) = indexed_entry(tree, &key)? {
            found.push(entry);
        }
    }
    Ok(found)
}

/// Dead letters, oldest first (by creation, then id). Ids are random, so key order is no age
/// order; the list is short and read only by admins, so sorting here beats an index that every
/// commit would have to maintain.
pub(super) fn dead(tree: &sled::Tree) -> R<Vec<OutboxEntry>> {
    let mut found = Vec::new();
    for item in tree.scan_prefix(codec::dead_prefix()) {
        let (_, value) = item.map_err(|e| sled_error("scan", e))?;
        found.push(codec::decode_outbox(&value)?);
    }
    found.sort_by_key(|e| (e.created, e.id));
    Ok(found)
}

/// The pending entry a due-index key stands for, or `None` if the key is stale (the entry is
/// gone or now due at another time).
fn indexed_entry(tree: &sled::Tree, key: &[u8]) -> R<Option<OutboxEntry>> {
    let Some((due, id)) = codec::parse_due_key(key) else {
        return Ok(None);
    };
    let Some(bytes) = tree.get(codec::outbox_key(id)).map_err(|e| sled_error("read", e))? else {
        return Ok(None);
    };
    let entry = codec::decode_outbox(&bytes)?;
    Ok((entry.due == due).then_some(entry))
}
