//! Ticket numbers: 7 random symbols and 1 check symbol, shown `K7Q4-M9XS` (domain.md §3.3).
//!
//! Sequential or dated numbers leak volume and invite guessing, so numbers are random and carry
//! no personal data. The alphabet drops `0 O 1 I L`, which people confuse when reading aloud or
//! typing from a photo. The check symbol is a weighted sum modulo 31; as 31 is prime, every
//! single wrong symbol and every swap of two neighbours is caught before a store lookup.
//!
//! This module draws no randomness itself: the caller passes bytes from a CSPRNG and retries
//! on a collision with a stored ticket.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// The 31 symbols, in ASCII order so that byte order is symbol order.
const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const BASE: u128 = ALPHABET.len() as u128;
/// Bytes the user may type between symbols.
const SEPARATORS: [char; 4] = [' ', '-', '.', '#'];

/// A valid ticket number; holds the 8 compact symbols (ASCII, from [`ALPHABET`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketNo([u8; 8]);

/// Why a typed ticket number was refused; each maps to a citizen-facing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketNoError {
    /// Not 8 symbols once separators and any service prefix are removed.
    WrongLength {
        /// Symbols found.
        len: usize,
    },
    /// A character outside the alphabet (often `0`, `O`, `1`, `I` or `L`).
    BadSymbol {
        /// The offending character, uppercased.
        symbol: char,
    },
    /// The check symbol does not match: a typo or swapped neighbours.
    CheckFailed,
}

impl TicketNo {
    /// A fresh number from 16 random bytes (draw them from a CSPRNG).
    ///
    /// The bytes are read as one 128-bit integer and split into base-31 digits; 31⁷ divides
    /// 2¹²⁸ so nearly evenly that the bias is below 2⁻⁹⁰, i.e. every number is equally likely.
    pub fn from_random(bytes: [u8; 16]) -> Self {
        let mut rest = u128::from_le_bytes(bytes);
        let mut indices = [0u8; 7];
        for index in &mut indices {
            // Below 31, so the cast is lossless.
            *index = (rest % BASE) as u8;
            rest /= BASE;
        }
        Self::from_indices(indices)
    }

    /// Reads what a citizen or officer typed: case and the separators ` ` `-` `.` `#` are
    /// ignored, and one of `known_prefixes` (a script's `ticket_prefix`, e.g. `KTP` in
    /// `KTP-K7Q4-M9XS`) is dropped when present.
    ///
    /// Checks run in order: length 8, alphabet, check symbol.
    pub fn parse(input: &str, known_prefixes: &[&str]) -> Result<Self, TicketNoError> {
        let compact = normalise(input);
        let symbols: Vec<char> = strip_prefix(&compact, known_prefixes).chars().collect();
        let symbols: [char; 8] = symbols
            .try_into()
            .map_err(|rest: Vec<char>| TicketNoError::WrongLength { len: rest.len() })?;
        let mut indices = [0u8; 8];
        for (slot, &c) in indices.iter_mut().zip(&symbols) {
            *slot = index_of(c).ok_or(TicketNoError::BadSymbol { symbol: c })?;
        }
        let [body @ .., check] = indices;
        let no = Self::from_indices(body);
        if no.0[7] != ALPHABET[usize::from(check)] {
            return Err(TicketNoError::CheckFailed);
        }
        Ok(no)
    }

    /// Finds a valid ticket number inside free text such as `status k7q4 m9xs` or
    /// `cek KTP K7Q4-M9XS ya`, trying each word alone and joined with the next one or two.
    ///
    /// Any 8-letter word made of alphabet symbols passes the check one time in 31, so a
    /// match is a candidate to look up, not proof that a ticket exists.
    pub fn find_in(text: &str, known_prefixes: &[&str]) -> Option<Self> {
        let words: Vec<String> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '#')))
            .map(normalise)
            .filter(|w| !w.is_empty())
            .collect();
        (0..words.len()).find_map(|start| {
            let mut joined = String::new();
            words[start..].iter().take(3).find_map(|word| {
                joined.push_str(word);
                Self::parse(&joined, known_prefixes).ok()
            })
        })
    }

    /// The 8 symbols without the dash, as stored and used in keys and URLs.
    pub fn as_str(&self) -> &str {
        // Invariant: every constructor fills the array from ALPHABET, which is ASCII.
        std::str::from_utf8(&self.0).expect("ticket symbols are ASCII")
    }

    fn from_indices(indices: [u8; 7]) -> Self {
        let mut symbols = [0u8; 8];
        let mut sum = 0usize;
        for (i, &index) in indices.iter().enumerate() {
            symbols[i] = ALPHABET[usize::from(index)];
            sum += (i + 1) * usize::from(index);
        }
        symbols[7] = ALPHABET[sum % ALPHABET.len()];
        Self(symbols)
    }
}

/// Uppercases and drops separators; other characters are kept so they can be reported.
fn normalise(input: &str) -> String {
    input.chars().filter(|c| !SEPARATORS.contains(c)).map(|c| c.to_ascii_uppercase()).collect()
}

/// Drops a known prefix only when something longer than a number was typed, so a number that
/// happens to start with `KTP` is left alone. A prefix leaving exactly 8 symbols wins.
fn strip_prefix<'a>(compact: &'a str, known_prefixes: &[&str]) -> &'a str {
    if compact.chars().count() <= 8 {
        return compact;
    }
    let rests = known_prefixes.iter().filter_map(|p| compact.strip_prefix(&normalise(p)[..]));
    rests.min_by_key(|rest| (rest.chars().count() != 8, rest.len())).unwrap_or(compact)
}

fn index_of(c: char) -> Option<u8> {
    let byte = u8::try_from(c).ok()?;
    let position = ALPHABET.iter().position(|&a| a == byte)?;
    // Below 31, so the cast is lossless.
    Some(position as u8)
}

impl TicketNoError {
    /// The Fluent message (locales/*/status.ftl) that tells the citizen what to fix.
    pub fn message_id(&self) -> &'static str {
        match self {
            Self::WrongLength { .. } => "invalid-ticket-length",
            Self::BadSymbol { .. } => "invalid-ticket-symbol",
            Self::CheckFailed => "invalid-ticket-check",
        }
    }
}

impl fmt::Display for TicketNoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongLength { len } => write!(f, "ticket number has {len} symbols, not 8"),
            Self::BadSymbol { symbol } => write!(f, "`{symbol}` is not a ticket number symbol"),
            Self::CheckFailed => f.write_str("ticket number check symbol does not match"),
        }
    }
}

impl std::error::Error for TicketNoError {}

impl fmt::Display for TicketNo {
    /// `K7Q4-M9XS`: two groups of four are easier to read out and copy.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (head, tail) = self.as_str().split_at(4);
        write!(f, "{head}-{tail}")
    }
}

impl fmt::Debug for TicketNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TicketNo").field(&self.as_str()).finish()
    }
}

impl Serialize for TicketNo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TicketNo {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = TicketNo;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a ticket number such as K7Q4M9XS")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TicketNo, E> {
                TicketNo::parse(v, &[]).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketNoError::*;

    fn parse(s: &str) -> Result<TicketNo, TicketNoError> {
        TicketNo::parse(s, &[])
    }

    /// Deterministic stand-in for a CSPRNG (splitmix64), so tests stay reproducible.
    fn bytes(seed: u64) -> [u8; 16] {
        let mix = |mut z: u64| {
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let a = mix(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        (u128::from(a) << 64 | u128::from(mix(a))).to_le_bytes()
    }

    /// domain.md §3.3, then edge cases.
    const VECTORS: [(&str, Result<&str, TicketNoError>); 14] = [
        ("K7Q4-M9XS", Ok("K7Q4-M9XS")),
        ("k7q4 m9xs", Ok("K7Q4-M9XS")),
        ("#K7Q4M9XS", Ok("K7Q4-M9XS")),
        ("7HRM-3CD7", Ok("7HRM-3CD7")),
        ("K7Q4-M9XA", Err(CheckFailed)),
        ("K7Q4-9MXS", Err(CheckFailed)),
        ("K7Q4-M0XS", Err(BadSymbol { symbol: '0' })),
        ("K7Q4-M9X", Err(WrongLength { len: 7 })),
        (" k7q4.m9xs ", Ok("K7Q4-M9XS")),
        ("k7q4-moxs", Err(BadSymbol { symbol: 'O' })),
        ("K7Q4-M9Xé", Err(BadSymbol { symbol: 'é' })),
        ("K7Q4-M9XSS", Err(WrongLength { len: 9 })),
        (" - ", Err(WrongLength { len: 0 })),
        ("KTP-K7Q4-M9XS", Err(WrongLength { len: 11 })),
    ];

    #[test]
    fn vectors() {
        for (input, want) in VECTORS {
            let got = parse(input).map(|no| no.to_string());
            assert_eq!(got, want.map(String::from), "{input}");
        }
    }

    #[test]
    fn every_typo_and_neighbour_swap_is_caught() {
        let mut numbers = vec![parse("K7Q4M9XS").unwrap(), parse("7HRM3CD7").unwrap()];
        numbers.extend((0..300).map(|seed| TicketNo::from_random(bytes(seed))));
        let reparse = |symbols: [u8; 8]| parse(std::str::from_utf8(&symbols).unwrap());
        for no in numbers {
            assert_eq!(parse(no.as_str()), Ok(no));
            for pos in 0..8 {
                for &other in ALPHABET.iter().filter(|&&a| a != no.0[pos]) {
                    let mut typo = no.0;
                    typo[pos] = other;
                    assert_eq!(reparse(typo), Err(CheckFailed), "{no} at {pos}");
                }
            }
            for pos in (0..7).filter(|&p| no.0[p] != no.0[p + 1]) {
                let mut swap = no.0;
                swap.swap(pos, pos + 1);
                assert_eq!(reparse(swap), Err(CheckFailed), "{no} at {pos}");
            }
        }
    }

    #[test]
    fn random_numbers_are_valid_and_spread() {
        assert_eq!(TicketNo::from_random([0; 16]).to_string(), "2222-2222");
        let mut seen = [[0u32; 31]; 7];
        for seed in 0..31 * 400 {
            let no = TicketNo::from_random(bytes(seed));
            assert_eq!(parse(&no.to_string()), Ok(no));
            for (pos, counts) in seen.iter_mut().enumerate() {
                counts[usize::from(index_of(char::from(no.0[pos])).unwrap())] += 1;
            }
        }
        // Each symbol is expected 400 times per position (σ ≈ 20); bias would leave this band.
        for counts in seen {
            assert!(counts.iter().all(|&c| (300..500).contains(&c)), "{counts:?}");
        }
    }
}
