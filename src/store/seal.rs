//! Crypto-shredding's cipher side: personal data is stored sealed (ChaCha20-Poly1305, RFC 8439)
//! under a key of its own, so erasing it means destroying the key, not finding and rewriting
//! every old copy of the bytes (sled keeps overwritten values in its log until it reuses the
//! space).
//!
//! A sealed blob is `slot (4, big-endian) · key id (8) · nonce (12) · ciphertext · tag (16)`.
//! The slot says where the key lives in the key file (`keys.rs`); the key id, random and
//! non-zero, tells a reused slot from the key the blob was sealed with. The record kind, slot
//! and key id are authenticated as associated data, so a blob cannot be passed off as another
//! kind of record. Nonces are random: a key seals one session, ticket or reply group, a few
//! thousand times at most, far from the 2^32 messages where random 96-bit nonces get risky.
//!
//! The cipher is ring's (BoringSSL's assembly), which rustls already brings: RustCrypto's
//! `chacha20poly1305` 0.11, used before, left its AVX2 intrinsics out of line, and sealing a
//! session took 4 % of pintu's CPU per Telegram message (BENCHMARKS.md, #15). Same algorithm,
//! same bytes: blobs sealed by either open with the other (see the tests).
//!
//! This module does no I/O: it is handed keys through [`Keyring`].

use super::{R, StoreError};
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use zeroize::Zeroizing;

/// Bytes of the blob's header: slot, key id, nonce.
const HEADER: usize = 4 + 8 + 12;
/// Bytes of the Poly1305 tag at the end.
const TAG: usize = 16;

/// A live key: its slot, its id, and the 32 secret bytes (wiped from memory on drop).
#[derive(Clone)]
pub struct SealKey {
    pub slot: u32,
    pub id: u64,
    pub secret: Zeroizing<[u8; 32]>,
}

/// Which key sealed a blob, read from its header without any key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyRef {
    pub slot: u32,
    pub id: u64,
}

impl SealKey {
    pub fn key_ref(&self) -> KeyRef {
        KeyRef { slot: self.slot, id: self.id }
    }
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealKey({}#{:x}, ***)", self.slot, self.id)
    }
}

/// Where blobs find their keys.
pub trait Keyring {
    /// The key now in `slot`, or `None` if the slot is empty (destroyed or never written).
    fn key(&self, slot: u32) -> R<Option<SealKey>>;
}

/// What opening a blob found.
#[derive(Debug)]
pub enum Opened {
    Plain(Zeroizing<Vec<u8>>),
    /// Its key was destroyed: the data is erased.
    Shredded,
}

/// Appends `plain` sealed under `key` to `out`; `kind` is the record kind it belongs to.
pub fn seal(key: &SealKey, kind: u8, plain: &[u8], out: &mut Vec<u8>) -> R<()> {
    let sealer = cipher(key)?;
    let nonce = fresh_nonce()?;
    let start = out.len();
    out.extend_from_slice(&key.slot.to_be_bytes());
    out.extend_from_slice(&key.id.to_be_bytes());
    out.extend_from_slice(&nonce);
    let aad = aad(kind, key.key_ref());
    let body = out.len();
    out.extend_from_slice(plain);
    let tag = sealer
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut out[body..],
        )
        .map_err(|_| {
            out.truncate(start);
            StoreError::Corrupt("a record too large to seal".into())
        })?;
    out.extend_from_slice(tag.as_ref());
    Ok(())
}

/// Nonces drawn from the OS per draw of this many: one `getrandom` call per sealed record was
/// 0.7 % of pintu's CPU per Telegram message (BENCHMARKS.md, #15).
const NONCES_PER_DRAW: usize = 64;

/// A nonce the OS's generator made. Nonces are public and only need to be unique, so handing
/// out the bytes of one larger draw in turn is as good as a draw each; each byte is used once.
fn fresh_nonce() -> R<[u8; 12]> {
    struct Pool {
        bytes: [u8; 12 * NONCES_PER_DRAW],
        used: usize,
    }
    thread_local! {
        // Starts used up, so the first nonce draws.
        static POOL: std::cell::RefCell<Pool> = const {
            let bytes = [0; 12 * NONCES_PER_DRAW];
            std::cell::RefCell::new(Pool { bytes, used: NONCES_PER_DRAW })
        };
    }
    POOL.with_borrow_mut(|pool| {
        if pool.used == NONCES_PER_DRAW {
            getrandom::fill(&mut pool.bytes)
                .map_err(|e| StoreError::Io(format!("no randomness for a nonce: {e}")))?;
            pool.used = 0;
        }
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&pool.bytes[12 * pool.used..12 * (pool.used + 1)]);
        pool.used += 1;
        Ok(nonce)
    })
}

/// The key a blob was sealed with.
pub fn key_ref(blob: &[u8]) -> Option<KeyRef> {
    if blob.len() < HEADER + TAG {
        return None;
    }
    let slot = u32::from_be_bytes(blob[..4].try_into().ok()?);
    let id = u64::from_be_bytes(blob[4..12].try_into().ok()?);
    Some(KeyRef { slot, id })
}

/// Opens a blob of `kind`. A missing or replaced key means the data was erased; a key that is
/// there but does not open the blob means damage, which is an error, not an erasure.
pub fn open(kind: u8, blob: &[u8], keys: &dyn Keyring) -> R<Opened> {
    let damaged = || StoreError::Corrupt("sealed record is damaged".into());
    let wanted = key_ref(blob).ok_or_else(damaged)?;
    let Some(key) = keys.key(wanted.slot)?.filter(|k| k.id == wanted.id) else {
        return Ok(Opened::Shredded);
    };
    let nonce: [u8; 12] = blob[12..HEADER].try_into().map_err(|_| damaged())?;
    // Ciphertext and tag, opened in place: what is left is the plaintext.
    let mut plain = Zeroizing::new(blob[HEADER..].to_vec());
    let len = cipher(&key)?
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad(kind, wanted)),
            &mut plain,
        )
        .map_err(|_| damaged())?
        .len();
    plain.truncate(len);
    Ok(Opened::Plain(plain))
}

/// The key as ring's cipher. ring does not wipe it on drop; it lives on this call's stack only,
/// while the secret's own copy (`SealKey`) is wiped when dropped.
fn cipher(key: &SealKey) -> R<LessSafeKey> {
    // Only a key of the wrong length is refused, and a secret is always 32 bytes.
    let unbound = UnboundKey::new(&CHACHA20_POLY1305, &key.secret[..])
        .map_err(|_| StoreError::Corrupt("a sealing key ring refuses".into()))?;
    Ok(LessSafeKey::new(unbound))
}

fn aad(kind: u8, key: KeyRef) -> [u8; 13] {
    let mut aad = [0u8; 13];
    aad[0] = kind;
    aad[1..5].copy_from_slice(&key.slot.to_be_bytes());
    aad[5..].copy_from_slice(&key.id.to_be_bytes());
    aad
}

/// Keys in memory by slot, for tests of sealing without a key file.
#[cfg(test)]
pub(crate) struct Ring(pub std::collections::HashMap<u32, SealKey>);

#[cfg(test)]
impl Keyring for Ring {
    fn key(&self, slot: u32) -> R<Option<SealKey>> {
        Ok(self.0.get(&slot).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn key(slot: u32, id: u64, byte: u8) -> SealKey {
        SealKey { slot, id, secret: Zeroizing::new([byte; 32]) }
    }

    fn opened(r: R<Opened>) -> Option<Vec<u8>> {
        match r.unwrap() {
            Opened::Plain(p) => Some(p.to_vec()),
            Opened::Shredded => None,
        }
    }

    /// A blob sealed by RustCrypto's `chacha20poly1305` 0.11, which sealed every record before
    /// ring did: stores written then open as they are.
    #[test]
    fn blobs_sealed_by_the_cipher_before_still_open() {
        let k = SealKey {
            slot: 7,
            id: 0x0123_4567_89ab_cdef,
            secret: Zeroizing::new(core::array::from_fn(|i| i as u8)),
        };
        let blob = hex::decode(
            "000000070123456789abcdefc670fc68674aec40be3ab33e64690a245256647f05ed31afb86f2079037638\
             89212d8ea00016bca9eb38bf4e8f590b1ee8a4b6f0ee738b5b824e56b69426",
        )
        .unwrap();
        let ring = Ring([(7, k)].into());
        let plain = opened(open(b'S', &blob, &ring)).unwrap();
        assert_eq!(plain, b"NIK 3201011708900001, Budi Santoso");
    }

    /// RFC 8439, section 2.8.2: ring's cipher is the standard one, byte for byte.
    #[test]
    fn the_cipher_matches_rfc_8439() {
        let k = SealKey {
            slot: 0,
            id: 1,
            secret: Zeroizing::new(core::array::from_fn(|i| 0x80 + i as u8)),
        };
        let plain = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip \
                      for the future, sunscreen would be it.";
        let nonce = [0x07, 0, 0, 0, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47];
        let aad = hex::decode("50515253c0c1c2c3c4c5c6c7").unwrap();
        let mut data = plain.to_vec();
        let tag = cipher(&k)
            .unwrap()
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&aad),
                &mut data,
            )
            .unwrap();
        assert_eq!(hex::encode(&data[..16]), "d31a8d34648e60db7b86afbc53ef7ec2");
        assert_eq!(hex::encode(tag.as_ref()), "1ae10b594f09e26a7e902ecbd0600691");
    }

    #[test]
    fn nonces_never_repeat_across_draws() {
        let nonces: std::collections::HashSet<[u8; 12]> =
            (0..5 * NONCES_PER_DRAW + 3).map(|_| fresh_nonce().unwrap()).collect();
        assert_eq!(nonces.len(), 5 * NONCES_PER_DRAW + 3);
        assert!(!nonces.contains(&[0; 12]), "a nonce handed out before its draw");
    }

    #[test]
    fn sealed_bytes_hide_the_plaintext_and_open_with_the_key_only() {
        let k = key(7, 42, 1);
        let mut blob = b"prefix".to_vec();
        seal(&k, b'S', b"3201011708900001", &mut blob).unwrap();
        let blob = &blob[6..];
        assert!(!blob.windows(16).any(|w| w == b"3201011708900001"));
        assert_eq!(key_ref(blob), Some(KeyRef { slot: 7, id: 42 }));
        let ring = Ring([(7, k.clone())].into());
        assert_eq!(opened(open(b'S', blob, &ring)).unwrap(), b"3201011708900001");
        // Gone, or replaced by another key in the same slot: erased.
        assert!(opened(open(b'S', blob, &Ring(HashMap::new()))).is_none());
        assert!(opened(open(b'S', blob, &Ring([(7, key(7, 43, 1))].into()))).is_none());
        // The right key but another kind, or a flipped bit: damage, not erasure.
        assert!(open(b'T', blob, &ring).is_err());
        let mut flipped = blob.to_vec();
        flipped[30] ^= 1;
        assert!(open(b'S', &flipped, &ring).is_err());
        assert!(open(b'S', &blob[..20], &ring).is_err());
    }
}
