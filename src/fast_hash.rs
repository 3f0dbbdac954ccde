//! Hash maps and sets for the per-message bookkeeping: chats in the conversation shards and
//! delivery queues, reply and message numbers. std's SipHash was 1–1.5 % of pintu's CPU per
//! message, on these and hyper's connection pool together; foldhash is several times cheaper.
//! It is still seeded at random per process, which is enough for keys that are platform ids,
//! random cookie ids and numbers pintu assigns: nobody outside sees these maps' hashes to
//! search for collisions.
//!
//! May use: nothing else of pintu.
pub use foldhash::{HashMap, HashSet, HashSetExt};
