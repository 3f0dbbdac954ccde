//! Pending replies on sled: one record per commit instead of one per reply.
//!
//! Every reply is written as pending before it is sent and forgotten once the platform took
//! it. One record per reply made that two key writes per reply (the record, then its removal),
//! each a node update in sled's log. Here all replies of one commit share one group record
//! (`G` + the group's first seq, written once); sending is recorded in a small bitmap next to
//! it (`H` + id, one bit per reply, rewritten by the commits that carry sent marks), and the
//! last reply sent removes both. A crash resends exactly the replies whose sending was not yet
//! committed, as before.
//!
//! Stores written before groups existed hold one `R` record per reply; they are sealed into
//! groups of one at open (`maintain.rs`) and removed when sent.
//!
//! Each group is sealed under a key of its own (summaries carry NIKs and names), destroyed by
//! the commit that records its last reply sent: sent replies are unreadable on disk from then
//! on, erasure or not. A group whose key is gone was wholly sent; it is dropped at open.

use super::sled_error;
use crate::fast_hash::HashMap;
use crate::model::reply::Outgoing;
use crate::model::{Channel, ChatKey};
use crate::store::codec;
use crate::store::keys::{KeyFile, Purpose};
use crate::store::seal::{KeyRef, Keyring};
use crate::store::{R, ReplyOp, StoreError};
use std::collections::{BTreeMap, BTreeSet};

/// What the committer knows of the stored groups; only it changes this (behind the store's
/// mutex, after each durable commit), so it always matches the disk.
#[derive(Default)]
pub(super) struct Groups {
    /// Each stored group's sent bitmap and how many replies are still unsent.
    open: HashMap<u64, Open>,
    /// Where each unsent reply is, by seq.
    at: HashMap<u64, Spot>,
    /// Groups found at load whose key was destroyed (all sent): to be removed.
    shredded: Vec<u64>,
}

/// A reply's group, its position there, and its chat (hashed: enough to find one chat's
/// replies without reading every group).
#[derive(Clone, Copy)]
struct Spot {
    group: u64,
    pos: usize,
    chat: u64,
}

fn chat_hash(chat: &ChatKey) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    chat.hash(&mut h);
    h.finish()
}

#[derive(Clone)]
struct Open {
    sent: Vec<u8>,
    left: usize,
    /// The key the group is sealed under (`None`: a plain group from an older store).
    key: Option<KeyRef>,
}

impl Open {
    fn new(len: usize, key: Option<KeyRef>) -> Self {
        Self { sent: vec![0; len.div_ceil(8)], left: len, key }
    }

    fn is_sent(&self, pos: usize) -> bool {
        self.sent.get(pos / 8).is_some_and(|b| b & (1 << (pos % 8)) != 0)
    }

    fn mark(&mut self, pos: usize) {
        if !self.is_sent(pos)
            && let Some(b) = self.sent.get_mut(pos / 8)
        {
            *b |= 1 << (pos % 8);
            self.left = self.left.saturating_sub(1);
        }
    }
}

/// How one commit changes the groups; taken in by [`Groups::apply`] once the commit is durable.
/// A group's id, each reply's (seq, chat hash), and the group's key.
type NewGroup = (u64, Vec<(u64, u64)>, KeyRef);

#[derive(Default)]
pub(super) struct Change {
    /// A group written by this commit: id, its replies' seqs and chats, its key.
    new: Option<NewGroup>,
    /// Groups with newly sent replies, as they are now (`left == 0`: removed).
    marked: BTreeMap<u64, Open>,
    /// The replies newly sent.
    sent: Vec<u64>,
    /// Keys of the groups this commit removes: destroyed before it is written.
    pub(super) finished: Vec<KeyRef>,
}

fn group_id(key: &[u8]) -> Option<u64> {
    key.get(1..9).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes)
}

impl Groups {
    /// Reads every stored group and its sent marks.
    pub(super) fn load(tree: &sled::Tree, keys: &dyn Keyring) -> R<Self> {
        let mut me = Self::default();
        for item in tree.scan_prefix(codec::reply_group_prefix()) {
            let (key, value) = item.map_err(|e| sled_error("read", e))?;
            let Some(id) = group_id(&key) else { continue };
            let Some(group) = codec::open_reply_group(&value, keys)? else {
                me.shredded.push(id);
                continue;
            };
            let mut open = Open::new(group.len(), codec::reply_group_key_ref(&value));
            if let Some(sent) = tree
                .get(codec::reply_group_sent_key(id))
                .map_err(|e| sled_error("read", e))?
                .filter(|s| s.len() == open.sent.len())
            {
                open.sent.copy_from_slice(&sent);
                open.left = (0..group.len()).filter(|&p| !open.is_sent(p)).count();
            }
            for (pos, (chat, seq, _)) in group.iter().enumerate() {
                if !open.is_sent(pos) {
                    me.at.insert(*seq, Spot { group: id, pos, chat: chat_hash(chat) });
                }
            }
            me.open.insert(id, open);
        }
        Ok(me)
    }

    /// Adds the writes for `ops` to `writes` and returns what changes in memory.
    pub(super) fn write(
        &self,
        tree: &sled::Tree,
        keys: &KeyFile,
        ops: &[ReplyOp],
        writes: &mut sled::Batch,
    ) -> R<Change> {
        let mut change = Change::default();
        let mut new: Vec<(&ChatKey, u64, &Outgoing)> = Vec::new();
        for op in ops {
            match op {
                ReplyOp::Pending { chat, seq, out } => new.push((chat, *seq, out)),
                ReplyOp::Sent { chat, seq } => {
                    if let Some(pos) = new.iter().position(|(_, s, _)| s == seq) {
                        new.remove(pos);
                    } else if let Some(&Spot { group, pos, .. }) = self.at.get(seq) {
                        let Some(open) = self.open.get(&group) else { continue };
                        change.marked.entry(group).or_insert_with(|| open.clone()).mark(pos);
                        change.sent.push(*seq);
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
        if let Some(&(_, id, _)) = new.first() {
            let key = keys.take(Purpose::Reply)?;
            writes.insert(&codec::reply_group_key(id)[..], codec::seal_reply_group(&new, &key)?);
            let replies = new.iter().map(|(chat, seq, _)| (*seq, chat_hash(chat))).collect();
            change.new = Some((id, replies, key.key_ref()));
        }
        for (id, open) in &change.marked {
            let sent_key = codec::reply_group_sent_key(*id);
            if open.left == 0 {
                writes.remove(&codec::reply_group_key(*id)[..]);
                writes.remove(&sent_key[..]);
                change.finished.extend(open.key);
            } else {
                writes.insert(&sent_key[..], &open.sent[..]);
            }
        }
        Ok(change)
    }

    /// Takes in a change once its commit is durable.
    pub(super) fn apply(&mut self, change: Change) {
        if let Some((id, replies, key)) = change.new {
            self.open.insert(id, Open::new(replies.len(), Some(key)));
            for (pos, (seq, chat)) in replies.into_iter().enumerate() {
                self.at.insert(seq, Spot { group: id, pos, chat });
            }
        }
        for seq in change.sent {
            self.at.remove(&seq);
        }
        for (id, open) in change.marked {
            if open.left == 0 {
                self.open.remove(&id);
            } else {
                self.open.insert(id, open);
            }
        }
    }

    /// The channel's unsent replies: per chat in seq order.
    pub(super) fn pending(
        &self,
        tree: &sled::Tree,
        keys: &dyn Keyring,
        channel: Channel,
    ) -> R<Vec<(ChatKey, u64, Outgoing)>> {
        let mut out = Vec::new();
        for item in tree.scan_prefix(codec::reply_channel_prefix(channel)) {
            let (key, value) = item.map_err(|e| sled_error("read", e))?;
            let (chat, seq) = codec::parse_reply_key(&key)
                .ok_or_else(|| StoreError::Corrupt("unreadable reply key".into()))?;
            out.push((chat, seq, codec::decode_reply(&value)?));
        }
        for item in tree.scan_prefix(codec::reply_group_prefix()) {
            let (key, value) = item.map_err(|e| sled_error("read", e))?;
            let Some(open) = group_id(&key).and_then(|id| self.open.get(&id)) else { continue };
            let Some(group) = codec::open_reply_group(&value, keys)? else { continue };
            out.extend(
                group
                    .into_iter()
                    .enumerate()
                    .filter(|(pos, (chat, ..))| chat.channel == channel && !open.is_sent(*pos))
                    .map(|(_, reply)| reply),
            );
        }
        out.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        Ok(out)
    }

    /// One chat's unsent replies, in seq order: only the groups holding one are read.
    pub(super) fn pending_of(
        &self,
        tree: &sled::Tree,
        keys: &dyn Keyring,
        chat: &ChatKey,
    ) -> R<Vec<(u64, Outgoing)>> {
        let mut out = Vec::new();
        for item in tree.scan_prefix(codec::reply_chat_prefix(chat)) {
            let (key, value) = item.map_err(|e| sled_error("read", e))?;
            // The prefix also matches a longer chat id that continues with `\0`.
            if let Some((_, seq)) = codec::parse_reply_key(&key).filter(|(c, _)| c == chat) {
                out.push((seq, codec::decode_reply(&value)?));
            }
        }
        let hash = chat_hash(chat);
        let groups: BTreeSet<u64> =
            self.at.values().filter(|s| s.chat == hash).map(|s| s.group).collect();
        for id in groups {
            let Some(open) = self.open.get(&id) else { continue };
            let Some(value) =
                tree.get(codec::reply_group_key(id)).map_err(|e| sled_error("read", e))?
            else {
                continue;
            };
            let Some(group) = codec::open_reply_group(&value, keys)? else { continue };
            out.extend(
                group
                    .into_iter()
                    .enumerate()
                    .filter(|(pos, (c, ..))| c == chat && !open.is_sent(*pos))
                    .map(|(_, (_, seq, reply))| (seq, reply)),
            );
        }
        out.sort_by_key(|(seq, _)| *seq);
        Ok(out)
    }

    /// The keys of the stored groups.
    pub(super) fn keys(&self) -> impl Iterator<Item = KeyRef> + '_ {
        self.open.values().filter_map(|o| o.key)
    }

    /// Groups found wholly sent at load (their key destroyed), to remove: taken once.
    pub(super) fn take_shredded(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.shredded)
    }
}
