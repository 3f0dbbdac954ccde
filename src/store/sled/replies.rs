//! Pending replies on sled, one record per commit instead of one per reply.
//!
//! Every reply is written as pending before it is sent and forgotten once the platform took
//! it. One record per reply made that two key writes per reply (the record and its removal),
//! each a node update in sled's log. Here all replies of one commit share one group record
//! (`G` + the group's first seq); when some of its replies are sent, the next commit rewrites
//! the group with what is left, and the last one removes it. A crash resends exactly the
//! replies whose sending was not yet committed, as before.
//!
//! Stores written before groups existed hold one `R` record per reply; they are still read at
//! start-up and removed when sent.

use super::sled_error;
use crate::channel::{Channel, ChatKey};
use crate::engine::reply::Outgoing;
use crate::store::codec::{self, ReplyGroup};
use crate::store::{R, ReplyOp};
use std::collections::{BTreeMap, HashMap};

/// What the committer knows of the stored groups; only it touches this (behind the store's
/// mutex), so it always matches the disk.
#[derive(Default)]
pub(super) struct Groups {
    /// Each stored group's replies not yet sent.
    groups: HashMap<u64, ReplyGroup>,
    /// Which group a pending reply is in.
    group_of: HashMap<u64, u64>,
}

/// How one commit changes the groups; applied to [`Groups`] once the commit is durable.
#[derive(Default)]
pub(super) struct Change {
    /// Groups rewritten (`Some`) or removed (`None`).
    groups: BTreeMap<u64, Option<ReplyGroup>>,
}

impl Groups {
    /// Reads every stored group.
    pub(super) fn load(tree: &sled::Tree) -> R<Self> {
        let mut me = Self::default();
        for item in tree.scan_prefix(codec::reply_group_prefix()) {
            let (key, value) = item.map_err(|e| sled_error("read", e))?;
            let Some(id) = key.get(1..9).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes)
            else {
                continue;
            };
            let group = codec::decode_reply_group(&value)?;
            for (_, seq, _) in &group {
                me.group_of.insert(*seq, id);
            }
            me.groups.insert(id, group);
        }
        Ok(me)
    }

    /// Adds the writes for `ops` to `writes` and returns what changes in memory.
    pub(super) fn write(
        &self,
        tree: &sled::Tree,
        ops: &[ReplyOp],
        writes: &mut sled::Batch,
    ) -> R<Change> {
        let mut change = Change::default();
        let mut new: ReplyGroup = Vec::new();
        for op in ops {
            match op {
                ReplyOp::Pending { chat, seq, out } => new.push((chat.clone(), *seq, out.clone())),
                ReplyOp::Sent { chat, seq } => {
                    if let Some(pos) = new.iter().position(|(_, s, _)| s == seq) {
                        new.remove(pos);
                    } else if let Some(&id) = self.group_of.get(seq) {
                        let left = change
                            .groups
                            .entry(id)
                            .or_insert_with(|| self.groups.get(&id).cloned())
                            .get_or_insert_with(Vec::new);
                        left.retain(|(_, s, _)| s != seq);
                    } else {
                        // A reply from before groups (or one already forgotten): remove its
                        // own record, reading first so a missing one costs no write.
                        let key = codec::reply_key(chat, *seq);
                        if tree.contains_key(&key).map_err(|e| sled_error("read", e))? {
                            writes.remove(key);
                        }
                    }
                }
            }
        }
        if let Some(&(_, first, _)) = new.first() {
            change.groups.insert(first, Some(new));
        }
        for (id, group) in &mut change.groups {
            if group.as_ref().is_some_and(Vec::is_empty) {
                *group = None;
            }
            match group {
                Some(g) => {
                    writes.insert(&codec::reply_group_key(*id)[..], codec::encode_reply_group(g)?)
                }
                None => writes.remove(&codec::reply_group_key(*id)[..]),
            }
        }
        Ok(change)
    }

    /// Takes in a change once its commit is durable.
    pub(super) fn apply(&mut self, change: Change) {
        for (id, group) in change.groups {
            if let Some(old) = self.groups.remove(&id) {
                for (_, seq, _) in old {
                    self.group_of.remove(&seq);
                }
            }
            if let Some(group) = group {
                for (_, seq, _) in &group {
                    self.group_of.insert(*seq, id);
                }
                self.groups.insert(id, group);
            }
        }
    }

    /// The channel's pending replies: per chat in seq order.
    pub(super) fn pending(
        &self,
        tree: &sled::Tree,
        channel: Channel,
    ) -> R<Vec<(ChatKey, u64, Outgoing)>> {
        let mut out = Vec::new();
        for item in tree.scan_prefix(codec::reply_channel_prefix(channel)) {
            let (key, value) = item.map_err(|e| sled_error("read", e))?;
            let (chat, seq) = codec::parse_reply_key(&key)
                .ok_or_else(|| crate::store::StoreError::Corrupt("unreadable reply key".into()))?;
            out.push((chat, seq, codec::decode_reply(&value)?));
        }
        for group in self.groups.values() {
            out.extend(group.iter().filter(|(chat, _, _)| chat.channel == channel).cloned());
        }
        out.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        Ok(out)
    }
}
