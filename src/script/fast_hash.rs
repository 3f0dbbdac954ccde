//! Hash sets and maps of short words, hashed with FNV-1a. The lexicon and the router look
//! words up many times per message; SipHash's resistance to crafted keys buys nothing there,
//! because the sets are written by admins and a citizen's words are only looked up, never
//! inserted (no input can make a set's buckets collide).

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

pub type WordSet = HashSet<String, BuildHasherDefault<Fnv>>;
pub type WordMap<V> = HashMap<String, V, BuildHasherDefault<Fnv>>;

/// FNV-1a, 64 bits.
#[derive(Default)]
pub struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
