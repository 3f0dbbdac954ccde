//! A minimal agency (OPD) receiver for tickets delivered by pintu: read it top to bottom to see
//! what your backend has to do.
//!
//! ```text
//! AGENCY_SECRET=the-shared-secret cargo run --example agency_receiver
//! AGENCY_ADDR=0.0.0.0:9090 AGENCY_SECRET=... cargo run --example agency_receiver
//! ```
//!
//! pintu sends every ticket as `POST <url>` with a JSON body and three headers:
//!
//! - `Idempotency-Key`: the ticket number (`K7Q4M9XS`), or `K7Q4M9XS-2` for the citizen's
//!   second correction. The same key arriving again is the same delivery, retried.
//! - `X-Pintu-Timestamp`: unix seconds when pintu signed the request.
//! - `X-Pintu-Signature`: `v1=` + lowercase hex of HMAC-SHA256(secret, "<timestamp>.<body>").
//!
//! How pintu reads the answer:
//!
//! - 2xx: delivered, pintu stops sending it.
//! - 429 or 503 with `Retry-After: <seconds>`: pintu tries again after that many seconds.
//! - any other 5xx (or no answer at all): pintu tries again later, with backoff.
//! - any other 4xx: permanent failure, a human at pintu's side has to look at it. So only answer
//!   4xx when retrying cannot help (bad signature, body you can never parse).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// How far (in seconds) the signed timestamp may be from our clock. Older requests are refused
/// so that a captured request cannot be replayed later; keep your server's clock synced (NTP).
const MAX_CLOCK_SKEW_SECS: u64 = 300;

/// Shared state of the receiver.
struct Agency {
    /// The secret shared with pintu's operators, as bytes.
    secret: Vec<u8>,
    /// Idempotency keys already processed.
    ///
    /// In memory only because this is an example: after a restart it is empty, and a retried
    /// delivery would be processed twice. In production, store the key in your database, in the
    /// SAME transaction that stores the ticket (e.g. a UNIQUE column): then "ticket saved" and
    /// "key remembered" can never disagree, even if the process crashes between the two.
    seen: Mutex<HashSet<String>>,
}

#[tokio::main]
async fn main() {
    // The secret is not optional: without it anyone who can reach this port could file tickets
    // in the agency's name. Refuse to start rather than run unauthenticated.
    let secret = match std::env::var("AGENCY_SECRET") {
        Ok(s) if !s.trim().is_empty() => s,
        _ => {
            eprintln!(
                "agency_receiver: AGENCY_SECRET is not set.\n\
                 Set it to the secret configured for this agency in pintu, e.g.\n\
                 \n    AGENCY_SECRET=... cargo run --example agency_receiver"
            );
            std::process::exit(2);
        }
    };
    let addr_text = std::env::var("AGENCY_ADDR").unwrap_or_else(|_| "127.0.0.1:9090".to_owned());
    let addr: SocketAddr = match addr_text.parse() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("agency_receiver: AGENCY_ADDR {addr_text:?} is not an address: {e}");
            std::process::exit(2);
        }
    };

    let state = Arc::new(Agency { secret: secret.into_bytes(), seen: Mutex::new(HashSet::new()) });
    let app = Router::new().route("/tickets", post(receive_ticket)).with_state(state);

    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("agency_receiver: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    println!("agency_receiver: listening on http://{addr}/tickets");
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("agency_receiver: server error: {e}");
        std::process::exit(1);
    }
}

/// `POST /tickets`.
///
/// The body is taken as raw `Bytes`, not as `Json<...>`: the signature covers the exact bytes
/// pintu sent, and re-serializing parsed JSON would not reproduce them (key order, spacing,
/// number formats). So: verify first, parse second.
async fn receive_ticket(
    State(agency): State<Arc<Agency>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // 1. Authenticity and freshness. Nothing about the request is trusted before this passes.
    if let Err(reason) = verify(&agency.secret, &headers, &body) {
        // 401 is permanent for pintu: a wrong secret will not fix itself by retrying.
        return error(StatusCode::UNAUTHORIZED, reason);
    }

    // 2. The idempotency key. pintu always sends one; without it we could not tell a retry from
    //    a new ticket.
    let Some(key) = header_str(&headers, "idempotency-key").map(str::to_owned) else {
        return error(StatusCode::BAD_REQUEST, "missing Idempotency-Key");
    };

    // 3. Parse the body. Be lenient: pintu may add fields in later versions of the body, so read
    //    what you need and ignore the rest. A serde struct without `deny_unknown_fields` works
    //    just as well as `Value`.
    let ticket: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        // 422: pintu will not retry, the same bytes would fail again.
        Err(_) => return error(StatusCode::UNPROCESSABLE_ENTITY, "body is not JSON"),
    };

    // 4. Deduplicate. A repeated key means pintu did not see our earlier answer (timeout, crash,
    //    network) and sent the same delivery again: answer 2xx again, but do not process it
    //    twice. Checking and inserting under one lock also covers two copies arriving at once.
    let is_new = match agency.seen.lock() {
        Ok(mut seen) => seen.insert(key.clone()),
        // A poisoned lock means another request panicked mid-update; a 500 makes pintu retry.
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    };
    if !is_new {
        return (StatusCode::OK, axum::Json(json!({ "received": true }))).into_response();
    }

    // 5. Process the ticket: here we only log it. Tickets carry personal data (NIK, addresses,
    //    photos of family cards), so log identifiers and counts, never the answers themselves.
    //    File answers are short-lived signed URLs: download them now, while they are valid.
    let number = ticket.get("ticket").and_then(Value::as_str).unwrap_or("?");
    let service = ticket.pointer("/service/id").and_then(Value::as_str).unwrap_or("?");
    let revision = ticket.get("revision").and_then(Value::as_u64).unwrap_or(0);
    let answers = ticket.get("answers").and_then(Value::as_array).map_or(0, Vec::len);
    println!(
        "new ticket {number} (key {key}, revision {revision}): service {service}, {answers} answers"
    );

    // If saving fails in a real backend, answer 503 (with `Retry-After`) or 500 and do NOT keep
    // the key: pintu will deliver it again later.
    (StatusCode::OK, axum::Json(json!({ "received": true }))).into_response()
}

/// Checks `X-Pintu-Timestamp` and `X-Pintu-Signature` against the raw body.
fn verify(secret: &[u8], headers: &HeaderMap, body: &[u8]) -> Result<(), &'static str> {
    let timestamp = header_str(headers, "x-pintu-timestamp").ok_or("missing X-Pintu-Timestamp")?;
    let signature = header_str(headers, "x-pintu-signature").ok_or("missing X-Pintu-Signature")?;

    // Freshness: refuse timestamps too far from our clock, in either direction.
    let sent: u64 = timestamp.parse().map_err(|_| "malformed X-Pintu-Timestamp")?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    if now.abs_diff(sent) > MAX_CLOCK_SKEW_SECS {
        return Err("stale X-Pintu-Timestamp (check both clocks)");
    }

    // The signature is "v1=<hex>"; the "v1=" prefix leaves room for a future scheme.
    let hex_sig = signature.strip_prefix("v1=").ok_or("unsupported X-Pintu-Signature scheme")?;
    let claimed = hex::decode(hex_sig).map_err(|_| "malformed X-Pintu-Signature")?;

    // HMAC over "<timestamp>.<body>", exactly as received. The timestamp is signed too, so it
    // cannot be changed to make an old request look fresh.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| "bad secret")?;
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    // `verify_slice` compares in constant time. Never compare MACs with `==`: the time an
    // early mismatch takes leaks how many leading bytes were right.
    mac.verify_slice(&claimed).map_err(|_| "bad X-Pintu-Signature")
}

/// A header's value as text, if present and visible ASCII.
fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok()
}

/// A JSON error answer. The reason helps pintu's operators; it contains no secrets.
fn error(status: StatusCode, reason: &str) -> Response {
    (status, axum::Json(json!({ "received": false, "error": reason }))).into_response()
}
