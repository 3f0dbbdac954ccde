//! A fake agency (OPD) backend for delivery tests: receives pintu's signed ticket deliveries on
//! 127.0.0.1, records every request, and answers according to a switchable [`Mode`] (accept,
//! fail with a status, ask to retry later, be slow, or drop the connection).
//!
//! It checks the contract independently of pintu: its HMAC code is its own, so a bug in
//! `pintu::outbox::sign` shows up as a 401 here instead of agreeing with itself.

use std::collections::HashSet;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::serve::{IncomingStream, Listener};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};

/// The receiver's allowed clock skew, as in the delivery contract.
const MAX_SKEW_SECS: i64 = 300;

/// How the fake answers requests that arrive after [`FakeAgency::set_mode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Verify signature and timestamp (401 if wrong), then answer 200; a repeated key is
    /// answered 200 again and counted once. Also 400 without an `Idempotency-Key` and 422 for a
    /// body that is not JSON.
    Ok,
    /// Answer this status without accepting, whatever the signature (an agency that fails
    /// before it even looks at the request).
    Status(u16),
    /// Answer `status` with `Retry-After: secs`, without accepting (e.g. 429 or 503).
    RetryAfter { status: u16, secs: u64 },
    /// Wait this long, then behave like `Ok`. The processing finishes even if the client gives
    /// up first, like a real backend that commits after the caller timed out; so a retry with
    /// the same key is a duplicate.
    Slow(Duration),
    /// Read the request, then close the connection without answering: the client sees a
    /// connection error, not a status.
    Drop,
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The `Idempotency-Key` header, if present.
    pub key: Option<String>,
    /// Whether `X-Pintu-Signature` is `v1=<lowercase hex HMAC>` over "<timestamp>.<body>".
    pub signature_ok: bool,
    /// Whether `X-Pintu-Timestamp` is unix seconds within 300 s of the fake's clock.
    pub timestamp_ok: bool,
    /// The body as JSON, or `Value::Null` if it is not JSON.
    pub body: Value,
    /// The status answered; 0 while still being answered (`Slow`) or if never answered (`Drop`).
    pub status: u16,
    /// When the request (head and body) arrived.
    pub at: Instant,
}

/// A running fake agency; stops when dropped.
pub struct FakeAgency {
    addr: SocketAddr,
    shared: Arc<Shared>,
    /// Never sent on: dropping it (with the `FakeAgency`) is the shutdown signal, so no code
    /// path can forget to stop the server.
    _shutdown: watch::Sender<()>,
}

struct Shared {
    secret: Vec<u8>,
    state: Mutex<Log>,
    /// Woken on every new request and every newly accepted key.
    changed: Notify,
    /// Resolves `changed()` with an error once the `FakeAgency` is dropped.
    shutdown: watch::Receiver<()>,
}

struct Log {
    mode: Mode,
    requests: Vec<Received>,
    /// Accepted keys in order of first acceptance; `accepted_set` makes the check O(1).
    accepted: Vec<String>,
    accepted_set: HashSet<String>,
}

impl Shared {
    /// A test that panicked while holding the lock must not turn every later call into a
    /// second, confusing panic; the log is still meaningful.
    fn lock(&self) -> MutexGuard<'_, Log> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl FakeAgency {
    /// Starts on 127.0.0.1:0 with this secret; returns once listening.
    pub async fn start(secret: &str) -> Self {
        // Loopback only: the fake must never be reachable from outside the test machine.
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind fake agency");
        let addr = listener.local_addr().expect("fake agency address");
        let (shutdown_tx, shutdown_rx) = watch::channel(());
        let shared = Arc::new(Shared {
            secret: secret.as_bytes().to_vec(),
            state: Mutex::new(Log {
                mode: Mode::Ok,
                requests: Vec::new(),
                accepted: Vec::new(),
                accepted_set: HashSet::new(),
            }),
            changed: Notify::new(),
            shutdown: shutdown_rx.clone(),
        });
        let app = Router::new().route("/tickets", post(receive)).with_state(shared.clone());
        let mut signal = shutdown_rx;
        // Graceful shutdown once the sender is dropped: stop accepting, close idle keep-alive
        // connections, and let in-flight handlers (which also watch the signal) finish, so no
        // task outlives the fake.
        let server = axum::serve(
            KillableListener(listener),
            app.into_make_service_with_connect_info::<Killer>(),
        )
        .with_graceful_shutdown(async move {
            let _ = signal.changed().await;
        });
        tokio::spawn(async move {
            let _ = server.await;
        });
        // The socket is bound and listening already: connections queue in the backlog until
        // the spawned server accepts them.
        FakeAgency { addr, shared, _shutdown: shutdown_tx }
    }

    /// The URL to configure as pintu's target, e.g. "http://127.0.0.1:PORT/tickets".
    pub fn url(&self) -> String {
        format!("http://{}/tickets", self.addr)
    }

    /// How the next requests are answered (applies to requests that arrive after the call).
    pub fn set_mode(&self, mode: Mode) {
        if let Mode::Status(status) | Mode::RetryAfter { status, .. } = mode {
            // Fail in the test that made the mistake, not later inside the server.
            assert!(StatusCode::from_u16(status).is_ok(), "FakeAgency: {status} is not a status");
        }
        self.shared.lock().mode = mode;
    }

    /// Every request received, in arrival order (including refused ones).
    pub fn requests(&self) -> Vec<Received> {
        self.shared.lock().requests.clone()
    }

    /// Distinct idempotency keys accepted (2xx) so far, in order of first acceptance.
    pub fn accepted_keys(&self) -> Vec<String> {
        self.shared.lock().accepted.clone()
    }

    /// Waits until at least `n` distinct keys were accepted, or panics after `deadline`.
    pub async fn wait_accepted(&self, n: usize, deadline: Duration) {
        self.wait_until(deadline, &format!("{n} accepted keys"), |log| log.accepted.len() >= n)
            .await;
    }

    /// Waits until at least `n` requests (any outcome) arrived, or panics after `deadline`.
    pub async fn wait_requests(&self, n: usize, deadline: Duration) {
        self.wait_until(deadline, &format!("{n} requests"), |log| log.requests.len() >= n).await;
    }

    async fn wait_until(&self, deadline: Duration, what: &str, done: impl Fn(&Log) -> bool) {
        let until = tokio::time::Instant::now() + deadline;
        loop {
            // Register for the wake-up *before* checking, so a change between the check and
            // the await cannot be missed.
            let notified = self.shared.changed.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if done(&self.shared.lock()) {
                return;
            }
            if tokio::time::timeout_at(until, notified).await.is_err() {
                let log = self.shared.lock();
                let seen: Vec<(Option<&str>, u16)> =
                    log.requests.iter().map(|r| (r.key.as_deref(), r.status)).collect();
                panic!(
                    "FakeAgency: no {what} within {deadline:?}; requests (key, status): {seen:?}; \
                     accepted: {:?}",
                    log.accepted
                );
            }
        }
    }
}

/// The single route: record the request, then answer as the mode at arrival says.
async fn receive(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(killer): ConnectInfo<Killer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = header_str(&headers, "idempotency-key").map(str::to_owned);
    let timestamp = header_str(&headers, "x-pintu-timestamp");
    let signature = header_str(&headers, "x-pintu-signature");
    let timestamp_ok = timestamp.is_some_and(timestamp_fresh);
    let signature_ok = match (timestamp, signature) {
        (Some(t), Some(s)) => signature_valid(&shared.secret, t, &body, s),
        _ => false,
    };
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();

    let (index, mode) = {
        let mut log = shared.lock();
        log.requests.push(Received {
            key: key.clone(),
            signature_ok,
            timestamp_ok,
            body: parsed.clone().unwrap_or(Value::Null),
            status: 0,
            at: Instant::now(),
        });
        (log.requests.len() - 1, log.mode)
    };
    shared.changed.notify_waiters();

    let verdict = Verdict { index, key, signature_ok, timestamp_ok, json_ok: parsed.is_some() };
    match mode {
        Mode::Ok => verdict.apply(&shared),
        Mode::Slow(delay) => {
            // In its own task so it completes even if the client hangs up and hyper drops this
            // handler; it still ends early if the fake itself is dropped.
            let shared = shared.clone();
            let task = tokio::spawn(async move {
                let mut shutdown = shared.shutdown.clone();
                tokio::select! {
                    () = tokio::time::sleep(delay) => verdict.apply(&shared),
                    _ = shutdown.changed() => answer(StatusCode::SERVICE_UNAVAILABLE, "stopping"),
                }
            });
            task.await.unwrap_or_else(|_| answer(StatusCode::INTERNAL_SERVER_ERROR, "panicked"))
        }
        Mode::Status(status) => {
            let status = record_status(&shared, index, status);
            answer(status, "configured failure")
        }
        Mode::RetryAfter { status, secs } => {
            let status = record_status(&shared, index, status);
            let mut response = answer(status, "configured retry-after");
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
            response
        }
        Mode::Drop => {
            // Make every write on this connection fail: hyper then closes it without sending a
            // byte of the response. Status stays 0: nothing was answered.
            killer.kill();
            answer(StatusCode::INTERNAL_SERVER_ERROR, "never sent")
        }
    }
}

/// What `Mode::Ok` decides for one request, carried across the `Slow` delay.
struct Verdict {
    index: usize,
    key: Option<String>,
    signature_ok: bool,
    timestamp_ok: bool,
    json_ok: bool,
}

impl Verdict {
    fn apply(self, shared: &Shared) -> Response {
        let (status, reason) = if !self.signature_ok {
            (StatusCode::UNAUTHORIZED, "bad signature")
        } else if !self.timestamp_ok {
            (StatusCode::UNAUTHORIZED, "stale timestamp")
        } else if self.key.is_none() {
            (StatusCode::BAD_REQUEST, "missing Idempotency-Key")
        } else if !self.json_ok {
            (StatusCode::UNPROCESSABLE_ENTITY, "body is not JSON")
        } else {
            (StatusCode::OK, "")
        };
        {
            let mut log = shared.lock();
            log.requests[self.index].status = status.as_u16();
            if let (true, Some(key)) = (status.is_success(), self.key)
                && log.accepted_set.insert(key.clone())
            {
                log.accepted.push(key);
            }
        }
        shared.changed.notify_waiters();
        if status.is_success() {
            (status, axum::Json(json!({ "received": true }))).into_response()
        } else {
            answer(status, reason)
        }
    }
}

fn record_status(shared: &Shared, index: usize, status: u16) -> StatusCode {
    shared.lock().requests[index].status = status;
    // `set_mode` refused invalid codes already.
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn answer(status: StatusCode, reason: &str) -> Response {
    (status, axum::Json(json!({ "received": false, "error": reason }))).into_response()
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok()
}

fn timestamp_fresh(timestamp: &str) -> bool {
    let Ok(sent) = timestamp.parse::<i64>() else {
        return false;
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    now.abs_diff(sent) <= MAX_SKEW_SECS.unsigned_abs()
}

/// The contract's check, written independently of pintu: `v1=` + lowercase hex of
/// HMAC-SHA256(secret, "<timestamp header>.<raw body>"), compared in constant time.
fn signature_valid(secret: &[u8], timestamp: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.strip_prefix("v1=") else {
        return false;
    };
    // The contract says lowercase; `hex::decode` would also take uppercase, so check first.
    if !hex_sig.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return false;
    }
    let Ok(claimed) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&claimed).is_ok()
}

// --- `Mode::Drop` plumbing ---------------------------------------------------------------------
//
// axum's handlers cannot close their connection, and refusing at accept time would depend on
// whether the client reuses a pooled keep-alive connection. So every connection's stream gets a
// kill switch, the handler reaches it through `ConnectInfo`, and a killed stream fails all
// writes: hyper gives up on the connection and drops the socket without answering, which the
// client sees as "connection closed before message completed".

/// A per-connection kill switch, handed to handlers as connect info.
#[derive(Clone)]
struct Killer(Arc<AtomicBool>);

impl Killer {
    fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, KillableListener>> for Killer {
    fn connect_info(stream: IncomingStream<'_, KillableListener>) -> Self {
        Killer(stream.io().killed.clone())
    }
}

struct KillableListener(TcpListener);

impl Listener for KillableListener {
    type Io = KillableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((inner, addr)) => {
                    let killed = Arc::new(AtomicBool::new(false));
                    return (KillableStream { inner, killed }, addr);
                }
                // Transient (e.g. out of file descriptors): back off briefly, like axum does.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

struct KillableStream {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
}

impl KillableStream {
    fn check(&self) -> io::Result<()> {
        if self.killed.load(Ordering::SeqCst) {
            Err(io::Error::new(io::ErrorKind::ConnectionAborted, "fake agency: Mode::Drop"))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Err(e) = self.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Err(e) = self.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "rahasia-dinas";
    const WAIT: Duration = Duration::from_secs(5);

    fn client() -> reqwest::Client {
        reqwest::Client::builder().no_proxy().build().expect("reqwest client")
    }

    fn now() -> i64 {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
        i64::try_from(secs).expect("seconds fit")
    }

    /// Signs like the contract says, with code independent of both pintu and the fake.
    fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(body);
        format!("v1={}", hex::encode(mac.finalize().into_bytes()))
    }

    fn body(ticket: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "version": 1,
            "ticket": ticket,
            "revision": 0,
            "service": { "id": "ktp_el", "version": 1, "title": "KTP-el" },
            "opd": "disdukcapil",
            "answers": [{ "step": "nik", "label": "NIK", "type": "text", "value": "0" }],
        }))
        .expect("json")
    }

    /// Posts `body` with `key`, signed with `secret` at `timestamp`.
    async fn post_as(
        agency: &FakeAgency,
        secret: &str,
        timestamp: i64,
        key: &str,
        body: Vec<u8>,
    ) -> reqwest::Result<reqwest::Response> {
        client()
            .post(agency.url())
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .header("x-pintu-timestamp", timestamp.to_string())
            .header("x-pintu-signature", sign(secret, timestamp, &body))
            .body(body)
            .send()
            .await
    }

    async fn post(agency: &FakeAgency, key: &str) -> reqwest::Result<reqwest::Response> {
        post_as(agency, SECRET, now(), key, body(key)).await
    }

    async fn post_badly_signed(
        agency: &FakeAgency,
        key: &str,
    ) -> reqwest::Result<reqwest::Response> {
        post_as(agency, "wrong-secret", now(), key, body(key)).await
    }

    #[tokio::test]
    async fn ok_accepts_signed_requests_once_per_key() {
        let agency = FakeAgency::start(SECRET).await;
        assert!(
            agency.url().starts_with("http://127.0.0.1:") && agency.url().ends_with("/tickets")
        );

        let first = post(&agency, "K7Q4M9XS").await.expect("send");
        assert_eq!(first.status(), 200);
        assert_eq!(first.json::<Value>().await.expect("json"), json!({ "received": true }));
        // The same delivery again (pintu timed out or crashed): 200 again, counted once.
        assert_eq!(post(&agency, "K7Q4M9XS").await.expect("send").status(), 200);
        assert_eq!(post(&agency, "K7Q4M9XS-1").await.expect("send").status(), 200);
        agency.wait_accepted(2, WAIT).await;
        assert_eq!(agency.accepted_keys(), ["K7Q4M9XS", "K7Q4M9XS-1"]);

        let requests = agency.requests();
        assert_eq!(requests.len(), 3);
        assert!(requests.iter().all(|r| r.signature_ok && r.timestamp_ok && r.status == 200));
        assert_eq!(requests[0].key.as_deref(), Some("K7Q4M9XS"));
        assert_eq!(requests[0].body["service"]["id"], "ktp_el");
        assert!(requests.windows(2).all(|w| w[0].at <= w[1].at), "arrival order");
    }

    #[tokio::test]
    async fn ok_refuses_bad_signature_stale_timestamp_and_bad_bodies() {
        let agency = FakeAgency::start(SECRET).await;

        assert_eq!(post_badly_signed(&agency, "AAAAAAAA").await.expect("send").status(), 401);
        // Correctly signed, but six minutes old: a replay.
        let stale = now() - 360;
        let response = post_as(&agency, SECRET, stale, "BBBBBBBB", body("B")).await;
        assert_eq!(response.expect("send").status(), 401);
        // Signed over different bytes than those sent.
        let ts = now();
        let response = client()
            .post(agency.url())
            .header("idempotency-key", "CCCCCCCC")
            .header("x-pintu-timestamp", ts.to_string())
            .header("x-pintu-signature", sign(SECRET, ts, b"{}"))
            .body(body("C"))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 401);
        // Uppercase hex is not the contract's format.
        let response = client()
            .post(agency.url())
            .header("idempotency-key", "DDDDDDDD")
            .header("x-pintu-timestamp", ts.to_string())
            .header(
                "x-pintu-signature",
                sign(SECRET, ts, b"{}").to_uppercase().replace("V1=", "v1="),
            )
            .body("{}")
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 401);
        // Signed, but not JSON.
        let response = post_as(&agency, SECRET, now(), "EEEEEEEE", b"not json".to_vec()).await;
        assert_eq!(response.expect("send").status(), 422);

        let requests = agency.requests();
        assert_eq!(requests.len(), 5);
        assert!(!requests[0].signature_ok && requests[0].timestamp_ok);
        assert!(requests[1].signature_ok && !requests[1].timestamp_ok);
        assert!(!requests[2].signature_ok && !requests[3].signature_ok);
        assert!(requests[4].signature_ok && requests[4].body.is_null());
        assert!(agency.accepted_keys().is_empty());
    }

    #[tokio::test]
    async fn status_mode_answers_the_status_without_accepting() {
        let agency = FakeAgency::start(SECRET).await;
        for status in [500, 503, 422] {
            agency.set_mode(Mode::Status(status));
            assert_eq!(post(&agency, "K7Q4M9XS").await.expect("send").status(), status);
            assert_eq!(
                post_badly_signed(&agency, "K7Q4M9XS").await.expect("send").status(),
                status
            );
        }
        assert!(agency.accepted_keys().is_empty());
        let requests = agency.requests();
        assert_eq!(
            requests.iter().map(|r| r.status).collect::<Vec<_>>(),
            [500, 500, 503, 503, 422, 422]
        );
        assert!(requests[0].signature_ok && !requests[1].signature_ok);

        // Back to normal: the retry is accepted.
        agency.set_mode(Mode::Ok);
        assert_eq!(post(&agency, "K7Q4M9XS").await.expect("send").status(), 200);
        assert_eq!(agency.accepted_keys(), ["K7Q4M9XS"]);
    }

    #[tokio::test]
    async fn retry_after_mode_sends_the_header() {
        let agency = FakeAgency::start(SECRET).await;
        agency.set_mode(Mode::RetryAfter { status: 429, secs: 7 });
        for response in [post(&agency, "K7Q4M9XS").await, post_badly_signed(&agency, "X").await] {
            let response = response.expect("send");
            assert_eq!(response.status(), 429);
            assert_eq!(response.headers()["retry-after"], "7");
        }
        agency.set_mode(Mode::RetryAfter { status: 503, secs: 30 });
        let response = post(&agency, "K7Q4M9XS").await.expect("send");
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "30");
        assert!(agency.accepted_keys().is_empty());
        assert_eq!(agency.requests().iter().map(|r| r.status).collect::<Vec<_>>(), [429, 429, 503]);
    }

    #[tokio::test]
    async fn slow_mode_delays_then_accepts_even_after_the_client_gave_up() {
        let agency = FakeAgency::start(SECRET).await;
        let delay = Duration::from_millis(300);
        agency.set_mode(Mode::Slow(delay));

        let started = Instant::now();
        assert_eq!(post(&agency, "AAAAAAAA").await.expect("send").status(), 200);
        assert!(started.elapsed() >= delay);
        assert_eq!(post_badly_signed(&agency, "BBBBBBBB").await.expect("send").status(), 401);

        // The client times out first, yet the fake finishes processing: a retry is a duplicate.
        let ts = now();
        let payload = body("C");
        let error = client()
            .post(agency.url())
            .timeout(Duration::from_millis(50))
            .header("idempotency-key", "CCCCCCCC")
            .header("x-pintu-timestamp", ts.to_string())
            .header("x-pintu-signature", sign(SECRET, ts, &payload))
            .body(payload)
            .send()
            .await
            .expect_err("times out");
        assert!(error.is_timeout(), "{error:?}");
        agency.wait_accepted(2, WAIT).await;
        assert_eq!(agency.accepted_keys(), ["AAAAAAAA", "CCCCCCCC"]);
        assert_eq!(agency.requests().iter().map(|r| r.status).collect::<Vec<_>>(), [200, 401, 200]);
    }

    #[tokio::test]
    async fn drop_mode_closes_the_connection_without_answering() {
        let agency = FakeAgency::start(SECRET).await;
        agency.set_mode(Mode::Drop);
        let client = client();
        for secret in [SECRET, "wrong-secret"] {
            let ts = now();
            let payload = body("A");
            let error = client
                .post(agency.url())
                .header("idempotency-key", "AAAAAAAA")
                .header("x-pintu-timestamp", ts.to_string())
                .header("x-pintu-signature", sign(secret, ts, &payload))
                .body(payload)
                .send()
                .await
                .expect_err("connection dropped");
            assert!(!error.is_status() && !error.is_timeout(), "{error:?}");
        }
        let requests = agency.requests();
        assert_eq!(requests.len(), 2);
        assert!(requests.iter().all(|r| r.status == 0 && r.key.as_deref() == Some("AAAAAAAA")));
        assert!(requests[0].signature_ok && !requests[1].signature_ok);
        assert!(agency.accepted_keys().is_empty());

        // The same client recovers on a fresh connection once the agency is back.
        agency.set_mode(Mode::Ok);
        let response = post_as(&agency, SECRET, now(), "AAAAAAAA", body("A")).await;
        assert_eq!(response.expect("send").status(), 200);
    }

    #[tokio::test]
    async fn waits_wake_on_arrival_without_polling() {
        let agency = Arc::new(FakeAgency::start(SECRET).await);
        let sender = {
            let agency = agency.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let _ = post_badly_signed(&agency, "AAAAAAAA").await;
                let _ = post(&agency, "BBBBBBBB").await;
            })
        };
        agency.wait_requests(1, WAIT).await;
        agency.wait_accepted(1, WAIT).await;
        agency.wait_requests(2, WAIT).await;
        sender.await.expect("sender");
        assert_eq!(agency.accepted_keys(), ["BBBBBBBB"]);
    }

    #[tokio::test]
    #[should_panic(expected = "no 1 accepted keys within")]
    async fn wait_accepted_panics_after_the_deadline() {
        let agency = FakeAgency::start(SECRET).await;
        let _ = post_badly_signed(&agency, "AAAAAAAA").await;
        agency.wait_accepted(1, Duration::from_millis(50)).await;
    }

    #[tokio::test]
    #[should_panic(expected = "no 1 requests within")]
    async fn wait_requests_panics_after_the_deadline() {
        let agency = FakeAgency::start(SECRET).await;
        agency.wait_requests(1, Duration::from_millis(50)).await;
    }

    #[tokio::test]
    async fn dropping_the_fake_stops_it_and_its_slow_handlers() {
        let agency = FakeAgency::start(SECRET).await;
        let url = agency.url();
        agency.set_mode(Mode::Slow(Duration::from_secs(600)));
        let in_flight = {
            let ts = now();
            let payload = body("A");
            client()
                .post(agency.url())
                .header("idempotency-key", "AAAAAAAA")
                .header("x-pintu-timestamp", ts.to_string())
                .header("x-pintu-signature", sign(SECRET, ts, &payload))
                .body(payload)
                .send()
        };
        let in_flight = tokio::spawn(in_flight);
        agency.wait_requests(1, WAIT).await;
        drop(agency);

        // The slow handler gives up at once instead of holding the server for ten minutes.
        let answered = tokio::time::timeout(WAIT, in_flight).await.expect("in-flight request ends");
        let status = answered.expect("task").map(|r| r.status().as_u16());
        assert!(matches!(status, Ok(503) | Err(_)), "{status:?}");
        // The port closes; allow the server task a moment to see the signal.
        let closed = tokio::time::timeout(WAIT, async {
            while client().post(&url).send().await.is_ok() {
                tokio::task::yield_now().await;
            }
        })
        .await;
        assert!(closed.is_ok(), "fake agency still answering after drop");
    }
}
