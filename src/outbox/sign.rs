//! The signature on every delivery to an agency (documented in the README for implementers):
//! `X-Pintu-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>` with
//! `X-Pintu-Timestamp: <unix seconds>`. Signing the timestamp with the body lets receivers
//! refuse replays older than a few minutes.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "x-pintu-signature";
pub const TIMESTAMP_HEADER: &str = "x-pintu-timestamp";
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-Pintu-Signature` value for a body sent at `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!("v1={}", hex::encode(mac(secret, timestamp, body).finalize().into_bytes()))
}

/// Checks a signature header in constant time.
pub fn verify(secret: &[u8], timestamp: i64, body: &[u8], header: &str) -> bool {
    let Some(sig) = header.strip_prefix("v1=").and_then(|h| hex::decode(h).ok()) else {
        return false;
    };
    mac(secret, timestamp, body).verify_slice(&sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies() {
        let body = br#"{"ticket":"K7Q4-M9XS"}"#;
        let sig = signature(b"rahasia", 1_795_636_800, body);
        assert!(sig.starts_with("v1=") && sig.len() == 3 + 64);
        assert!(verify(b"rahasia", 1_795_636_800, body, &sig));
        assert!(!verify(b"rahasia", 1_795_636_801, body, &sig), "timestamp is signed");
        assert!(!verify(b"lain", 1_795_636_800, body, &sig), "secret matters");
        assert!(!verify(b"rahasia", 1_795_636_800, b"{}", &sig), "body matters");
        assert!(!verify(b"rahasia", 1_795_636_800, body, "v1=zz"));
        assert!(!verify(b"rahasia", 1_795_636_800, body, ""));
    }

    #[test]
    fn known_vector() {
        // printf '%s' '1700000000.{}' | python3: hmac.new(b"secret", ..., sha256)
        assert_eq!(
            signature(b"secret", 1_700_000_000, b"{}"),
            "v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
    }
}
