//! A fake WhatsApp Cloud API (Graph API) on 127.0.0.1 for pintu's WhatsApp channel: it checks
//! the bearer token on every route, accepts message sends only when they keep the Cloud API's
//! documented limits (protocols.md C4; a broken one gets the real 400 / code 100 body), records
//! sends and mark-reads, serves media in the real two steps (metadata, then a bearer-protected
//! download URL that can be made to "expire"), and injects send faults with Graph's exact error
//! envelopes, so pintu's error classification (C5) is exercised as in production. An outage
//! switch ([`FakeGraph::set_outage`]) takes the whole API down: HTTP 500, or no answer at all.
//!
//! The free functions build what Meta POSTs to pintu's webhook (messages and statuses in the
//! shapes of `../shared/real-world/whatsapp/`), sign them like Meta (`X-Hub-Signature-256`), and
//! serialise them like Meta ([`meta_bytes`]: non-ASCII as `\uXXXX`), so webhook tests can post
//! exact bytes.
//!
//! Deliberately stricter than Graph in one way: message types pintu never sends (image,
//! document, reaction, other interactive types) are refused with code 100, so an unexpected
//! payload fails a test instead of passing silently.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, watch};

use super::outage::{Killer, Outage, Switch};

/// The business number's display form in the builders' `metadata` and `context.from`.
const DISPLAY_PHONE_NUMBER: &str = "6221000000";
/// The WhatsApp Business Account id in the builders' `entry[].id`.
const WABA_ID: &str = "100000000000001";
/// The profile name the builders give every citizen.
const PROFILE_NAME: &str = "Warga Uji";

// Limits from protocols.md C4 (Meta's Cloud API reference), counted in characters.
const MAX_TEXT: usize = 4096;
const MAX_BUTTONS: usize = 3;
const MAX_BUTTON_TITLE: usize = 20;
const MAX_BUTTON_ID: usize = 256;
const MAX_BUTTON_BODY: usize = 1024;
const MAX_HEADER_FOOTER: usize = 60;
const MAX_LIST_BUTTON: usize = 20;
const MAX_SECTIONS: usize = 10;
const MAX_ROWS: usize = 10;
const MAX_SECTION_TITLE: usize = 24;
const MAX_ROW_TITLE: usize = 24;
const MAX_ROW_DESCRIPTION: usize = 72;
const MAX_ROW_ID: usize = 200;
const MAX_LIST_BODY: usize = 4096;
const MAX_LOCATION_BODY: usize = 1024;

/// One HTTP request the fake received, refused ones included.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The path without the query string, e.g. "/v25.0/106540352242922/messages".
    pub path: String,
    /// Whether `Authorization: Bearer <token>` carried the configured token.
    pub auth_ok: bool,
    /// The body as JSON; `Null` when empty, a JSON string of the raw text when not JSON.
    pub body: Value,
}

/// One accepted message send (mark-reads are in [`FakeGraph::marked_read`]).
#[derive(Clone, Debug)]
pub struct SentMsg {
    pub to: String,
    /// The top-level `type` ("text", "interactive", "template").
    pub kind: String,
    /// The whole request body as sent.
    pub body: Value,
    /// The id the fake answered with, `wamid.FAKE<n>`; statuses for it join on this.
    pub wamid: String,
    /// When the fake accepted it (to tell repeats after a restart from others).
    pub at: Instant,
}

/// A running fake Graph API for one token and one phone number id; stops when dropped.
pub struct FakeGraph {
    addr: SocketAddr,
    shared: Arc<Shared>,
    /// Never sent on: dropping it (with the fake) is the shutdown signal.
    _shutdown: watch::Sender<()>,
}

struct Shared {
    token: String,
    phone_number_id: String,
    /// "http://127.0.0.1:PORT", the host of the media download URLs.
    origin: String,
    state: Mutex<Book>,
    /// Woken on every request; waiters re-check their condition.
    changed: Notify,
    outage: Switch,
}

#[derive(Default)]
struct Book {
    requests: Vec<Logged>,
    sent: Vec<SentMsg>,
    marked_read: Vec<String>,
    media: HashMap<String, Media>,
    media_expired: bool,
    faults: Vec<Fault>,
    /// The last `wamid.FAKE<n>` handed out; tests may count on 1, 2, 3, …
    wamids: u64,
    /// Numbers `fbtrace_id`s, which only need to differ.
    traces: u64,
}

/// A request and the status it got, so a failed wait can show what pintu was told.
struct Logged {
    request: Request,
    status: u16,
}

struct Media {
    mime: String,
    bytes: Vec<u8>,
}

/// A queued send failure (see [`FakeGraph::fail_next`]).
struct Fault {
    left: usize,
    to: Option<String>,
    code: u32,
    status: StatusCode,
}

impl Shared {
    /// A test that panicked while holding the lock must not turn every later call into a
    /// second, confusing panic; the state is still meaningful.
    fn lock(&self) -> MutexGuard<'_, Book> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn next_trace(&self) -> String {
        let mut book = self.lock();
        book.traces += 1;
        format!("AFakeTrace{:013}", book.traces)
    }

    /// A Graph error response with a fresh `fbtrace_id` (Meta's ids differ per response).
    fn error(&self, status: StatusCode, code: u32, details: Option<&str>) -> Response {
        let trace = self.next_trace();
        (status, axum::Json(graph_error(code, details, &trace))).into_response()
    }

    /// Graph's answer to a missing or unknown token: code 190 like an expired one (which
    /// [`FakeGraph::fail_next`] gives), but without the expiry subcode.
    fn invalid_token(&self) -> Response {
        let mut body = graph_error(190, None, &self.next_trace());
        body["error"]["message"] = json!("Invalid OAuth access token - Cannot parse access token");
        if let Some(error) = body["error"].as_object_mut() {
            error.remove("error_subcode");
        }
        (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response()
    }

    /// Graph's answer for an id that is not this token's phone number or media: it cannot tell
    /// "absent" from "not yours", so both are the same code 100 / subcode 33.
    fn unknown_object(&self, method: &Method, id: &str) -> Response {
        let verb = method.as_str().to_ascii_lowercase();
        let mut body = graph_error(100, None, &self.next_trace());
        body["error"]["message"] = json!(format!(
            "Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded \
             due to missing permissions, or does not support this operation. Please read the \
             Graph API documentation at https://developers.facebook.com/docs/graph-api"
        ));
        body["error"]["error_subcode"] = json!(33);
        (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
    }

    /// The first queued fault that applies to a send to `to`, used up by one.
    fn take_fault(&self, to: &str) -> Option<(u32, StatusCode)> {
        let mut book = self.lock();
        let index = book.faults.iter().position(|f| f.to.as_deref().is_none_or(|t| t == to))?;
        let fault = &mut book.faults[index];
        fault.left -= 1;
        let hit = (fault.code, fault.status);
        if fault.left == 0 {
            book.faults.remove(index);
        }
        Some(hit)
    }
}

impl FakeGraph {
    /// Starts on 127.0.0.1:0 accepting this bearer token and phone number id; returns once
    /// listening.
    pub async fn start(token: &str, phone_number_id: &str) -> Self {
        let outage = Switch::new();
        let listener = outage.listener().await;
        let addr = listener.addr();
        let (shutdown_tx, mut shutdown_rx) = watch::channel(());
        let shared = Arc::new(Shared {
            token: token.to_owned(),
            phone_number_id: phone_number_id.to_owned(),
            origin: format!("http://{addr}"),
            state: Mutex::new(Book::default()),
            changed: Notify::new(),
            outage,
        });
        // One handler routes by hand: "/media/{id}" and "/{version}/{media_id}" overlap, and
        // every request, even to an unknown path, must be recorded the same way.
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let app = app.into_make_service_with_connect_info::<Killer>();
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = shutdown_rx.changed().await;
        });
        tokio::spawn(async move {
            let _ = server.await;
        });
        FakeGraph { addr, shared, _shutdown: shutdown_tx }
    }

    /// The base URL to configure as `WHATSAPP_API_URL`, "http://127.0.0.1:PORT/v25.0".
    pub fn url(&self) -> String {
        format!("{}/v25.0", self.shared.origin)
    }

    /// Registers media for `GET /{version}/{media_id}` and its download URL; re-adding an id
    /// replaces it.
    pub fn add_media(&self, media_id: &str, mime: &str, bytes: Vec<u8>) {
        let media = Media { mime: mime.to_owned(), bytes };
        self.shared.lock().media.insert(media_id.to_owned(), media);
    }

    /// While `on`, downloads answer 404 as an expired lookaside URL does; the metadata step
    /// still works, so a client that redoes step 1 succeeds once this is turned off.
    pub fn expire_media(&self, on: bool) {
        self.shared.lock().media_expired = on;
    }

    /// The next `n` sends (only those to `to`, if given) fail with Graph error `code` and HTTP
    /// `http_status`. Faults queue in call order; a send takes the first one that applies.
    /// Mark-reads are never faulted. Sends that break a C4 limit get code 100 whatever is
    /// queued, without using a fault up: a bug in pintu's payload must not hide behind one.
    pub fn fail_next(&self, n: usize, to: Option<&str>, code: u32, http_status: u16) {
        let status = StatusCode::from_u16(http_status).expect("fail_next: a valid HTTP status");
        if n > 0 {
            let to = to.map(str::to_owned);
            self.shared.lock().faults.push(Fault { left: n, to, code, status });
        }
    }

    /// Starts or ends an outage of the whole API (sends, mark-reads, media): HTTP 500 with
    /// Graph's code 131000 ("Something went wrong"), or connections closed unanswered. Queued
    /// faults wait for its end.
    pub fn set_outage(&self, outage: Outage) {
        self.shared.outage.set(outage);
    }

    /// Waits until no client is connected (see [`Switch::quiet`]).
    pub async fn quiet(&self, deadline: Duration) {
        self.shared.outage.quiet(deadline).await;
    }

    /// Every request received, in order, refused ones included.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.lock().requests.iter().map(|l| l.request.clone()).collect()
    }

    /// Every request received with the HTTP status it was answered with, in order.
    pub fn answered(&self) -> Vec<(Request, u16)> {
        self.shared.lock().requests.iter().map(|l| (l.request.clone(), l.status)).collect()
    }

    /// Accepted message sends (not mark-reads), in order.
    pub fn sent(&self) -> Vec<SentMsg> {
        self.shared.lock().sent.clone()
    }

    /// Accepted message sends to one recipient, in order.
    pub fn sent_to(&self, to: &str) -> Vec<SentMsg> {
        self.shared.lock().sent.iter().filter(|s| s.to == to).cloned().collect()
    }

    /// The `message_id`s of accepted mark-read calls, in order.
    pub fn marked_read(&self) -> Vec<String> {
        self.shared.lock().marked_read.clone()
    }

    /// Waits until at least `n` sends to `to` were accepted, or panics with a dump of the
    /// requests after `deadline`.
    pub async fn wait_sent(&self, to: &str, n: usize, deadline: Duration) {
        let what = format!("{n} messages sent to {to}");
        self.wait_for(deadline, &what, |g| g.sent_to(to).len() >= n).await;
    }

    /// Waits until `pred(self)` holds (re-checked after every request), or panics with a dump
    /// of the requests after `deadline`.
    pub async fn wait_until(&self, deadline: Duration, pred: impl Fn(&FakeGraph) -> bool) {
        self.wait_for(deadline, "the condition", pred).await;
    }

    async fn wait_for(&self, deadline: Duration, what: &str, pred: impl Fn(&FakeGraph) -> bool) {
        let until = tokio::time::Instant::now() + deadline;
        loop {
            // Register for the wake-up *before* checking, so a request between the check and
            // the await cannot be missed.
            let mut notified = pin!(self.shared.changed.notified());
            notified.as_mut().enable();
            if pred(self) {
                return;
            }
            if tokio::time::timeout_at(until, notified).await.is_err() {
                panic!("FakeGraph: no {what} within {deadline:?}; requests:\n{}", self.dump());
            }
        }
    }

    /// One line per request with its answer status, bodies shortened so a 4096-char text does
    /// not drown the panic message.
    fn dump(&self) -> String {
        let book = self.shared.lock();
        let mut out = String::new();
        for l in &book.requests {
            let r = &l.request;
            let body = r.body.to_string();
            let short: String = body.chars().take(200).collect();
            let ellipsis = if short.len() < body.len() { "…" } else { "" };
            let auth = if r.auth_ok { "" } else { " (bad auth)" };
            let _ =
                writeln!(out, "  {} {}{auth} → {} {short}{ellipsis}", r.method, r.path, l.status);
        }
        if out.is_empty() {
            out.push_str("  (none)\n");
        }
        out
    }
}

/// Records the request, checks the token, then routes by path segments.
async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    let auth_ok = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t == shared.token);
    let body = if raw.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&raw)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&raw).into_owned()))
    };
    let path = uri.path().to_owned();
    let response = if shared.outage.get() == Outage::ServerError {
        shared.error(StatusCode::INTERNAL_SERVER_ERROR, 131000, None)
    } else if auth_ok {
        route(&shared, &method, &path, &body)
    } else {
        shared.invalid_token()
    };
    let request = Request { method: method.to_string(), path, auth_ok, body };
    shared.lock().requests.push(Logged { request, status: response.status().as_u16() });
    shared.changed.notify_waiters();
    response
}

fn route(shared: &Shared, method: &Method, path: &str, body: &Value) -> Response {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::GET, ["media", id]) => download(shared, id),
        (&Method::POST, [version, phone, "messages"]) if is_version(version) => {
            if *phone == shared.phone_number_id {
                messages(shared, body)
            } else {
                shared.unknown_object(method, phone)
            }
        }
        (&Method::GET, [version, media_id]) if is_version(version) => media_info(shared, media_id),
        _ => {
            // Graph's answer to a path it has no node or edge for.
            let trace = shared.next_trace();
            let mut body = graph_error(2500, None, &trace);
            body["error"]["message"] = json!(format!("Unknown path components: {path}"));
            (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
        }
    }
}

/// "v25.0" and the like; Graph treats anything else as a node id, which pintu never means.
fn is_version(segment: &str) -> bool {
    segment.strip_prefix('v').and_then(|v| v.split_once('.')).is_some_and(|(major, minor)| {
        !major.is_empty()
            && !minor.is_empty()
            && major.bytes().chain(minor.bytes()).all(|b| b.is_ascii_digit())
    })
}

/// `POST /{version}/{phone_id}/messages`: mark-read, or a send checked against C4.
fn messages(shared: &Shared, body: &Value) -> Response {
    if !body.is_object() {
        return shared.error(StatusCode::BAD_REQUEST, 100, Some("the body must be a JSON object"));
    }
    if body.get("messaging_product") != Some(&json!("whatsapp")) {
        let details = "The parameter messaging_product is required and must be 'whatsapp'.";
        return shared.error(StatusCode::BAD_REQUEST, 100, Some(details));
    }
    if body.get("status").is_some() {
        return mark_read(shared, body);
    }
    let kind = match validate_send(body) {
        Ok(kind) => kind,
        Err(details) => return shared.error(StatusCode::BAD_REQUEST, 100, Some(&details)),
    };
    let to = body["to"].as_str().unwrap_or_default().to_owned();
    if let Some((code, status)) = shared.take_fault(&to) {
        return shared.error(status, code, None);
    }
    // Graph answers the digits it resolved as `wa_id`, even for an input with '+' or spaces.
    let wa_id: String = to.chars().filter(char::is_ascii_digit).collect();
    let template = kind == "template";
    // Numbered and recorded under one lock, so wamid order is `sent()` order.
    let wamid = {
        let mut book = shared.lock();
        book.wamids += 1;
        let wamid = format!("wamid.FAKE{}", book.wamids);
        let at = Instant::now();
        let sent = SentMsg { to: to.clone(), kind, body: body.clone(), wamid: wamid.clone(), at };
        book.sent.push(sent);
        wamid
    };
    let mut message = json!({ "id": wamid });
    if template {
        // Real template sends carry this extra field (send_success_template_accepted.json).
        message["message_status"] = json!("accepted");
    }
    axum::Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": to, "wa_id": wa_id }],
        "messages": [message],
    }))
    .into_response()
}

fn mark_read(shared: &Shared, body: &Value) -> Response {
    match validate_mark_read(body) {
        Ok(id) => {
            shared.lock().marked_read.push(id.to_owned());
            axum::Json(json!({ "success": true })).into_response()
        }
        Err(details) => shared.error(StatusCode::BAD_REQUEST, 100, Some(&details)),
    }
}

/// Returns the `message_id` of a well-formed mark-read, or the reason for code 100.
fn validate_mark_read(body: &Value) -> Result<&str, String> {
    if body["status"] != "read" {
        return Err("status must be 'read'".to_owned());
    }
    if body.get("typing_indicator").is_some_and(|t| t["type"] != "text") {
        return Err("typing_indicator.type must be 'text'".to_owned());
    }
    text(body, "/message_id", usize::MAX)
}

/// Checks a send against C4; returns its `type`, or the reason for code 100.
fn validate_send(msg: &Value) -> Result<String, String> {
    text(msg, "/to", usize::MAX)?;
    // Graph defaults a missing type to "text".
    let kind = match msg.get("type") {
        None => "text",
        Some(kind) => kind.as_str().ok_or("type must be a string")?,
    };
    match kind {
        "text" => {
            text(msg, "/text/body", MAX_TEXT)?;
        }
        "interactive" => validate_interactive(&msg["interactive"])?,
        "template" => {
            text(msg, "/template/name", usize::MAX)?;
            text(msg, "/template/language/code", usize::MAX)?;
            if msg["template"].get("components").is_some_and(|c| !c.is_array()) {
                return Err("template.components must be an array".to_owned());
            }
        }
        other => {
            return Err(format!(
                "type '{other}': the fake accepts only text, interactive and template"
            ));
        }
    }
    Ok(kind.to_owned())
}

fn validate_interactive(i: &Value) -> Result<(), String> {
    match text(i, "/type", usize::MAX)? {
        "button" => {
            text(i, "/body/text", MAX_BUTTON_BODY)?;
            header_footer(i)?;
            let buttons = array(i, "/action/buttons")?;
            if buttons.is_empty() || buttons.len() > MAX_BUTTONS {
                return Err(format!("{} buttons: 1 to {MAX_BUTTONS} allowed", buttons.len()));
            }
            let mut titles = HashSet::new();
            for button in buttons {
                if button["type"] != "reply" {
                    return Err("button type must be 'reply'".to_owned());
                }
                text(button, "/reply/id", MAX_BUTTON_ID)?;
                let title = text(button, "/reply/title", MAX_BUTTON_TITLE)?;
                if !titles.insert(title) {
                    return Err(format!("duplicate button title '{title}'"));
                }
            }
        }
        "list" => {
            text(i, "/body/text", MAX_LIST_BODY)?;
            header_footer(i)?;
            text(i, "/action/button", MAX_LIST_BUTTON)?;
            let sections = array(i, "/action/sections")?;
            if sections.is_empty() || sections.len() > MAX_SECTIONS {
                return Err(format!("{} sections: 1 to {MAX_SECTIONS} allowed", sections.len()));
            }
            let mut total = 0;
            for section in sections {
                // A title is optional for a single section, required as soon as there are two.
                if sections.len() > 1 || section.get("title").is_some() {
                    text(section, "/title", MAX_SECTION_TITLE)?;
                }
                let rows = array(section, "/rows")?;
                if rows.is_empty() {
                    return Err("every section needs at least one row".to_owned());
                }
                for row in rows {
                    text(row, "/id", MAX_ROW_ID)?;
                    text(row, "/title", MAX_ROW_TITLE)?;
                    if row.get("description").is_some() {
                        text(row, "/description", MAX_ROW_DESCRIPTION)?;
                    }
                }
                total += rows.len();
            }
            if total > MAX_ROWS {
                return Err(format!("{total} rows in all: at most {MAX_ROWS} allowed"));
            }
        }
        "location_request_message" => {
            text(i, "/body/text", MAX_LOCATION_BODY)?;
            if i.pointer("/action/name") != Some(&json!("send_location")) {
                return Err("action.name must be 'send_location'".to_owned());
            }
        }
        other => {
            return Err(format!(
                "interactive type '{other}': the fake accepts button, list, \
                 location_request_message"
            ));
        }
    }
    Ok(())
}

/// A text header and a footer are each limited to 60 characters.
fn header_footer(i: &Value) -> Result<(), String> {
    if i.pointer("/header/type").is_some_and(|t| t == "text") {
        text(i, "/header/text", MAX_HEADER_FOOTER)?;
    }
    if i.get("footer").is_some() {
        text(i, "/footer/text", MAX_HEADER_FOOTER)?;
    }
    Ok(())
}

/// The non-empty string at `pointer`, at most `max` characters (Meta counts characters, not
/// bytes: an Indonesian text with emoji must not be cut at a byte limit).
fn text<'a>(v: &'a Value, pointer: &str, max: usize) -> Result<&'a str, String> {
    let name = pointer.trim_start_matches('/').replace('/', ".");
    let s = v.pointer(pointer).and_then(Value::as_str).ok_or(format!("{name} is required"))?;
    let len = s.chars().count();
    if len == 0 {
        return Err(format!("{name} must not be empty"));
    }
    if len > max {
        return Err(format!("{name} is {len} characters: at most {max} allowed"));
    }
    Ok(s)
}

fn array<'a>(v: &'a Value, pointer: &str) -> Result<&'a Vec<Value>, String> {
    let name = pointer.trim_start_matches('/').replace('/', ".");
    v.pointer(pointer).and_then(Value::as_array).ok_or(format!("{name} must be an array"))
}

/// `GET /{version}/{media_id}`: step 1 of a download (C7).
fn media_info(shared: &Shared, media_id: &str) -> Response {
    let book = shared.lock();
    let Some(media) = book.media.get(media_id) else {
        drop(book);
        return shared.unknown_object(&Method::GET, media_id);
    };
    axum::Json(json!({
        "messaging_product": "whatsapp",
        "url": format!("{}/media/{media_id}", shared.origin),
        "mime_type": media.mime,
        "sha256": hex::encode(Sha256::digest(&media.bytes)),
        "file_size": media.bytes.len(),
        "id": media_id,
    }))
    .into_response()
}

/// `GET /media/{id}`: step 2, the bytes (the bearer was already checked).
fn download(shared: &Shared, media_id: &str) -> Response {
    let book = shared.lock();
    match book.media.get(media_id) {
        Some(media) if !book.media_expired => {
            ([(header::CONTENT_TYPE, media.mime.clone())], media.bytes.clone()).into_response()
        }
        // An expired or unknown lookaside URL is a bare 404, not a Graph error.
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Graph's error envelope for `code`, with the message, type and fields Meta sends for it
/// (`graph_responses/`): e.g. 131056 comes without `error_data`, 130429 and 190 still carry an
/// `error_subcode`. `details` replaces the usual `error_data.details`.
fn graph_error(code: u32, details: Option<&str>, trace: &str) -> Value {
    let (message, usual_details, subcode): (String, Option<&str>, Option<u32>) = match code {
        190 => (
            "Error validating access token: Session has expired on Friday, 11-Jul-25 06:00:00 \
             PDT. The current time is Saturday, 12-Jul-25 02:40:10 PDT."
                .to_owned(),
            None,
            Some(463),
        ),
        2500 => ("Unknown path components".to_owned(), None, None),
        100 => ("(#100) Invalid parameter".to_owned(), Some("Invalid parameter"), None),
        130429 => (
            "(#130429) Rate limit hit".to_owned(),
            Some("Cloud API message throughput has been reached."),
            Some(2_494_055),
        ),
        131056 => (
            "(#131056) (Business Account, Consumer Account) pair rate limit hit".to_owned(),
            None,
            None,
        ),
        _ => {
            let title = error_title(code);
            (format!("(#{code}) {title}"), Some(title), None)
        }
    };
    let mut error = json!({ "message": message, "type": "OAuthException", "code": code });
    if let Some(details) = details.or(usual_details) {
        error["error_data"] = json!({ "messaging_product": "whatsapp", "details": details });
    }
    if let Some(subcode) = subcode {
        error["error_subcode"] = json!(subcode);
    }
    error["fbtrace_id"] = json!(trace);
    json!({ "error": error })
}

/// Meta's title for a Cloud API error code (its error-code table), for send errors and
/// `failed` statuses.
fn error_title(code: u32) -> &'static str {
    match code {
        1 => "An unknown error occurred",
        2 => "Service temporarily unavailable",
        4 => "Application request limit reached",
        10 => "Application does not have permission for this action",
        100 => "Invalid parameter",
        368 => "Temporarily blocked for policies violations",
        80007 => "Rate limit issues",
        130429 => "Rate limit hit",
        131000 => "Something went wrong",
        131008 => "Required parameter is missing",
        131009 => "Parameter value is not valid",
        131026 => "Receiver is incapable of receiving this message",
        131047 => "Re-engagement message",
        131048 => "Spam rate limit hit",
        131049 => "This message was not delivered to maintain healthy ecosystem engagement.",
        131056 => "(Business Account, Consumer Account) pair rate limit hit",
        131057 => "Account in maintenance mode",
        132000 => "Number of parameters does not match the expected number of params",
        132001 => "Template name does not exist in the translation",
        _ => "Fake Graph error",
    }
}

/// The `details` Meta gives with a failed status for `code`.
fn error_details(code: u32) -> &'static str {
    match code {
        131026 => "Message Undeliverable.",
        131047 => {
            "Message failed to send because more than 24 hours have passed since the customer \
             last replied to this number."
        }
        _ => error_title(code),
    }
}

// --- Webhook side: what Meta POSTs to pintu ----------------------------------------------------

/// The `X-Hub-Signature-256` value for `body`: "sha256=" + hex HMAC-SHA256 keyed with the app
/// secret.
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// `body` serialised as Meta sends it: compact, ASCII-only, non-ASCII as lowercase `\uXXXX`
/// (UTF-16, so emoji become surrogate pairs). Sign and post these bytes to prove pintu checks
/// the signature on the raw body: re-serialising them yields different bytes.
pub fn meta_bytes(body: &Value) -> Vec<u8> {
    let compact = body.to_string();
    let mut out = String::with_capacity(compact.len());
    // Outside strings JSON is ASCII, so every non-ASCII char is inside a string literal.
    for c in compact.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for unit in c.encode_utf16(&mut [0; 2]) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out.into_bytes()
}

/// A text message from `from`, in the envelope of `text.json`.
pub fn text_message(phone_number_id: &str, from: &str, wamid: &str, text: &str) -> Value {
    inbound(phone_number_id, from, wamid, "text", json!({ "body": text }))
}

/// A press of reply button `id` (`interactive.button_reply`). Real ones carry a `context`
/// naming the message with the buttons: add it with [`in_reply_to`].
pub fn button_reply(
    phone_number_id: &str,
    from: &str,
    wamid: &str,
    id: &str,
    title: &str,
) -> Value {
    let interactive =
        json!({ "type": "button_reply", "button_reply": { "id": id, "title": title } });
    inbound(phone_number_id, from, wamid, "interactive", interactive)
}

/// A choice of list row `id` (`interactive.list_reply`, without the optional `description`);
/// add the `context` with [`in_reply_to`].
pub fn list_reply(phone_number_id: &str, from: &str, wamid: &str, id: &str, title: &str) -> Value {
    let interactive = json!({ "type": "list_reply", "list_reply": { "id": id, "title": title } });
    inbound(phone_number_id, from, wamid, "interactive", interactive)
}

/// An image without caption. Its `sha256` is a placeholder of the webhook's shape (base64 of
/// 32 zero bytes): the builder does not know the bytes, and pintu checks the hex hash from
/// step 1 of the download ([`FakeGraph::add_media`]).
pub fn image_message(
    phone_number_id: &str,
    from: &str,
    wamid: &str,
    media_id: &str,
    mime: &str,
) -> Value {
    let image = json!({
        "mime_type": mime,
        "sha256": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "id": media_id,
    });
    inbound(phone_number_id, from, wamid, "image", image)
}

/// A shared current location (no name or address, as `location_current.json`).
pub fn location_message(
    phone_number_id: &str,
    from: &str,
    wamid: &str,
    lat: f64,
    lon: f64,
) -> Value {
    let location = json!({ "latitude": lat, "longitude": lon });
    inbound(phone_number_id, from, wamid, "location", location)
}

/// A status for one of pintu's messages: `sent`, `delivered` and `read` carry the opaque
/// `conversation` and `pricing` objects, `error_code` adds `errors[]` as a `failed` status has.
pub fn status_update(
    phone_number_id: &str,
    wamid: &str,
    recipient: &str,
    status: &str,
    error_code: Option<u32>,
) -> Value {
    let mut item = json!({
        "id": wamid,
        "status": status,
        "timestamp": now(),
        "recipient_id": recipient,
    });
    if matches!(status, "sent" | "delivered" | "read") {
        let mut conversation =
            json!({ "id": "fakeconversation0000000000000001", "origin": { "type": "service" } });
        if status == "sent" {
            // Only the first status of a conversation says when it ends.
            conversation["expiration_timestamp"] = json!((now_secs() + 86_400).to_string());
        }
        item["conversation"] = conversation;
        item["pricing"] =
            json!({ "billable": true, "pricing_model": "CBP", "category": "service" });
    }
    if let Some(code) = error_code {
        let title = error_title(code);
        item["errors"] = json!([{
            "code": code,
            "title": title,
            "message": title,
            "error_data": { "details": error_details(code) },
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        }]);
    }
    envelope(phone_number_id, json!({ "statuses": [item] }))
}

/// Adds `context` (the business number and `wamid`, the message replied to) to every message
/// in a webhook body, as Meta does for button and list replies and swipe-replies.
pub fn in_reply_to(mut body: Value, wamid: &str) -> Value {
    let context = json!({ "from": DISPLAY_PHONE_NUMBER, "id": wamid });
    for entry in body["entry"].as_array_mut().into_iter().flatten() {
        for change in entry["changes"].as_array_mut().into_iter().flatten() {
            for message in change["value"]["messages"].as_array_mut().into_iter().flatten() {
                message["context"] = context.clone();
            }
        }
    }
    body
}

fn inbound(phone_number_id: &str, from: &str, wamid: &str, kind: &str, content: Value) -> Value {
    let mut message = json!({ "from": from, "id": wamid, "timestamp": now(), "type": kind });
    message[kind] = content;
    envelope(
        phone_number_id,
        json!({
            "contacts": [{ "profile": { "name": PROFILE_NAME }, "wa_id": from }],
            "messages": [message],
        }),
    )
}

/// The notification envelope around one change's `value` fields.
fn envelope(phone_number_id: &str, fields: Value) -> Value {
    let mut value = json!({
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": DISPLAY_PHONE_NUMBER,
            "phone_number_id": phone_number_id,
        },
    });
    for (key, field) in fields.as_object().into_iter().flatten() {
        value[key] = field.clone();
    }
    json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": WABA_ID, "changes": [{ "value": value, "field": "messages" }] }],
    })
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Meta's timestamps are decimal strings.
fn now() -> String {
    now_secs().to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    use tokio::net::TcpStream;

    use super::*;

    const TOKEN: &str = "EAAfake_system_user_token_for_loopback";
    const PHONE_ID: &str = "106540352242922";
    const CITIZEN: &str = "6281234567890";
    const WAIT: Duration = Duration::from_secs(5);

    fn http() -> reqwest::Client {
        reqwest::Client::builder().no_proxy().build().expect("reqwest client")
    }

    /// POSTs `body` to the messages edge with the right token; returns status and JSON answer.
    async fn post(fake: &FakeGraph, body: Value) -> (u16, Value) {
        let url = format!("{}/{PHONE_ID}/messages", fake.url());
        let response = http().post(url).bearer_auth(TOKEN).json(&body).send().await.expect("send");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json answer"))
    }

    fn text_send(to: &str, body: &str) -> Value {
        json!({ "messaging_product": "whatsapp", "to": to, "type": "text",
                "text": { "preview_url": false, "body": body } })
    }

    fn buttons(titles: &[&str]) -> Value {
        let buttons: Vec<Value> = titles
            .iter()
            .enumerate()
            .map(
                |(n, t)| json!({ "type": "reply", "reply": { "id": format!("b{n}"), "title": t } }),
            )
            .collect();
        json!({ "messaging_product": "whatsapp", "to": CITIZEN, "type": "interactive",
                "interactive": { "type": "button", "body": { "text": "Pilih layanan:" },
                                 "action": { "buttons": buttons } } })
    }

    /// A list with `per_section` rows in each section, titled "Bagian <n>".
    fn list(per_section: &[usize]) -> Value {
        let sections: Vec<Value> = per_section
            .iter()
            .enumerate()
            .map(|(s, &rows)| {
                let rows: Vec<Value> = (0..rows)
                    .map(|r| json!({ "id": format!("s{s}r{r}"), "title": format!("Baris {r}") }))
                    .collect();
                json!({ "title": format!("Bagian {s}"), "rows": rows })
            })
            .collect();
        json!({ "messaging_product": "whatsapp", "to": CITIZEN, "type": "interactive",
                "interactive": { "type": "list", "body": { "text": "Silakan pilih." },
                                 "action": { "button": "Lihat layanan", "sections": sections } } })
    }

    #[track_caller]
    fn assert_invalid(answer: &(u16, Value), why: &str) {
        assert_eq!(answer.0, 400, "{why}: {}", answer.1);
        assert_eq!(answer.1["error"]["code"], 100, "{why}: {}", answer.1);
        assert_eq!(answer.1["error"]["message"], "(#100) Invalid parameter", "{why}");
        assert_eq!(answer.1["error"]["type"], "OAuthException", "{why}");
    }

    /// Posts each broken payload, expecting 400 / code 100, then checks nothing was recorded.
    async fn assert_all_invalid(fake: &FakeGraph, cases: Vec<(&str, Value)>) {
        let before = fake.sent().len();
        for (why, body) in cases {
            assert_invalid(&post(fake, body).await, why);
        }
        assert_eq!(fake.sent().len(), before, "refused sends are not recorded as sent");
    }

    /// The shared folder (as `src/validate` finds it); `None` with a note when absent, since
    /// the third-party material is never copied into the repository.
    fn real_world(file: &str) -> Option<Value> {
        let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
        let dir = std::env::var_os("PINTU_SHARED_DIR")
            .map(PathBuf::from)
            .into_iter()
            .chain([beside, PathBuf::from("/work/shared")])
            .find(|p| p.is_dir())?;
        let path = dir.join("real-world/whatsapp").join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("note: {} not found, shape not compared", path.display());
            return None;
        };
        Some(serde_json::from_str(&text).expect("real-world file is JSON"))
    }

    /// Every node as "path:type", arrays collapsed to "[]": equal sets mean the same keys,
    /// nesting and JSON types, whatever the values.
    fn shape(v: &Value) -> BTreeSet<String> {
        fn walk(v: &Value, path: String, out: &mut BTreeSet<String>) {
            let kind = match v {
                Value::Null => "null",
                Value::Bool(_) => "bool",
                Value::Number(_) => "number",
                Value::String(_) => "string",
                Value::Array(items) => {
                    items.iter().for_each(|i| walk(i, format!("{path}[]"), out));
                    "array"
                }
                Value::Object(map) => {
                    map.iter().for_each(|(k, i)| walk(i, format!("{path}.{k}"), out));
                    "object"
                }
            };
            out.insert(format!("{path}:{kind}"));
        }
        let mut out = BTreeSet::new();
        walk(v, String::new(), &mut out);
        out
    }

    /// `built` has the shape of real-world `file`, except nodes whose path ends with one of
    /// `absent` (optional fields the builder leaves out) or `extra` (ones it adds).
    fn assert_shape(built: &Value, file: &str, absent: &[&str], extra: &[&str]) {
        let Some(real) = real_world(file) else { return };
        let ends = |node: &String, list: &[&str]| {
            let path = node.rsplit_once(':').map_or(node.as_str(), |(p, _)| p);
            list.iter().any(|suffix| path.ends_with(suffix))
        };
        let (built, real) = (shape(built), shape(&real));
        let missing: Vec<_> = real.difference(&built).filter(|n| !ends(n, absent)).collect();
        let added: Vec<_> = built.difference(&real).filter(|n| !ends(n, extra)).collect();
        assert!(
            missing.is_empty() && added.is_empty(),
            "{file}: missing {missing:?}, extra {added:?}"
        );
    }

    #[tokio::test]
    async fn every_route_refuses_a_missing_or_wrong_token_with_190() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        fake.add_media("m1", "image/jpeg", b"jpeg".to_vec());
        let send = format!("{}/{PHONE_ID}/messages", fake.url());
        let client = http();
        let attempts = [
            client.post(&send).json(&text_send(CITIZEN, "Halo")),
            client.post(&send).bearer_auth("wrong").json(&text_send(CITIZEN, "Halo")),
            // The token in the query string (Graph's other way) leaks into logs: not accepted.
            client.post(format!("{send}?access_token={TOKEN}")).json(&text_send(CITIZEN, "x")),
            client.get(format!("{}/m1", fake.url())).header("Authorization", TOKEN),
            client.get(format!("{}/media/m1", fake.shared.origin)).bearer_auth("wrong"),
        ];
        for attempt in attempts {
            let response = attempt.send().await.expect("request");
            assert_eq!(response.status(), 401);
            let body: Value = response.json().await.expect("json");
            assert_eq!(body["error"]["code"], 190, "{body}");
            assert_eq!(body["error"]["type"], "OAuthException");
            assert!(body["error"]["fbtrace_id"].is_string());
        }
        let requests = fake.requests();
        assert_eq!(requests.len(), 5);
        assert!(requests.iter().all(|r| !r.auth_ok), "{requests:?}");
        assert_eq!(requests[0].method, "POST");
        assert_eq!(requests[0].path, format!("/v25.0/{PHONE_ID}/messages"));
        assert_eq!(requests[0].body["text"]["body"], "Halo", "refused bodies are recorded too");
        assert_eq!(requests[4].path, "/media/m1");
        assert_eq!(requests[4].body, Value::Null, "an empty body is Null");
        assert!(fake.sent().is_empty());
    }

    #[tokio::test]
    async fn a_text_send_is_recorded_and_answered_with_a_fake_wamid() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        assert!(fake.url().starts_with("http://127.0.0.1:") && fake.url().ends_with("/v25.0"));
        let (status, answer) = post(&fake, text_send(CITIZEN, "Tiket: KTP-2026-000123")).await;
        assert_eq!(status, 200);
        assert_eq!(
            answer,
            json!({ "messaging_product": "whatsapp",
                    "contacts": [{ "input": CITIZEN, "wa_id": CITIZEN }],
                    "messages": [{ "id": "wamid.FAKE1" }] })
        );
        // '+' in the input is kept there; wa_id is digits only, as Graph resolves it.
        let (_, answer) = post(&fake, text_send("+6281111111111", "Halo")).await;
        assert_eq!(answer["contacts"][0]["input"], "+6281111111111");
        assert_eq!(answer["contacts"][0]["wa_id"], "6281111111111");
        assert_eq!(answer["messages"][0]["id"], "wamid.FAKE2");

        let sent = fake.sent();
        assert_eq!(sent.len(), 2);
        assert_eq!((sent[0].to.as_str(), sent[0].kind.as_str()), (CITIZEN, "text"));
        assert_eq!(sent[0].body["text"]["body"], "Tiket: KTP-2026-000123");
        assert_eq!(sent[0].wamid, "wamid.FAKE1");
        assert_eq!(fake.sent_to(CITIZEN).len(), 1);
        assert!(fake.requests().iter().all(|r| r.auth_ok));
        assert!(fake.marked_read().is_empty());
    }

    #[tokio::test]
    async fn text_length_is_counted_in_characters_up_to_4096() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        // 4096 two-byte characters: over 4096 bytes, but within the limit.
        assert_eq!(post(&fake, text_send(CITIZEN, &"é".repeat(4096))).await.0, 200);
        let (status, answer) = post(&fake, text_send(CITIZEN, &"a".repeat(4097))).await;
        assert_invalid(&(status, answer.clone()), "4097 chars");
        let details = answer["error"]["error_data"]["details"].as_str().expect("details");
        assert!(details.contains("text.body"), "{details}");
        assert_invalid(&post(&fake, text_send(CITIZEN, "")).await, "empty text");
        assert_eq!(fake.sent().len(), 1);
    }

    #[tokio::test]
    async fn reply_buttons_out_of_limits_are_refused_with_100() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        let mut long_id = buttons(&["KTP-el"]);
        long_id["interactive"]["action"]["buttons"][0]["reply"]["id"] = json!("x".repeat(257));
        let mut long_body = buttons(&["KTP-el"]);
        long_body["interactive"]["body"]["text"] = json!("x".repeat(1025));
        let mut long_footer = buttons(&["KTP-el"]);
        long_footer["interactive"]["footer"] = json!({ "text": "x".repeat(61) });
        let mut not_reply = buttons(&["KTP-el"]);
        not_reply["interactive"]["action"]["buttons"][0]["type"] = json!("url");
        assert_all_invalid(
            &fake,
            vec![
                ("no buttons", buttons(&[])),
                ("four buttons", buttons(&["A", "B", "C", "D"])),
                ("21-char title", buttons(&["Kartu Keluarga (KK)!!"])),
                ("duplicate titles", buttons(&["KTP-el", "KTP-el"])),
                ("257-char id", long_id),
                ("1025-char body", long_body),
                ("61-char footer", long_footer),
                ("non-reply button", not_reply),
            ],
        )
        .await;
        let mut edge = buttons(&["Kartu Keluarga Baru!", "KTP-el", "Akta Kelahiran"]);
        edge["interactive"]["action"]["buttons"][0]["reply"]["id"] = json!("x".repeat(256));
        edge["interactive"]["body"]["text"] = json!("x".repeat(1024));
        assert_eq!(post(&fake, edge).await.0, 200, "20-char title, 256-char id, 1024 body");
        assert_eq!(fake.sent()[0].kind, "interactive");
    }

    #[tokio::test]
    async fn lists_out_of_limits_are_refused_with_100() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        // A two-row list with one field of its first row (or the action) changed.
        let row = |field: &str, value: Value| {
            let mut body = list(&[2]);
            body["interactive"]["action"]["sections"][0]["rows"][0][field] = value;
            body
        };
        let mut long_button = list(&[2]);
        long_button["interactive"]["action"]["button"] = json!("x".repeat(21));
        let mut untitled = list(&[1, 1]);
        untitled["interactive"]["action"]["sections"][1].as_object_mut().unwrap().remove("title");
        assert_all_invalid(
            &fake,
            vec![
                ("21-char button", long_button),
                ("11 sections", list(&[1; 11])),
                ("11 rows in all", list(&[6, 5])),
                ("no sections", list(&[])),
                ("empty section", list(&[1, 0])),
                ("25-char row title", row("title", json!("x".repeat(25)))),
                ("73-char description", row("description", json!("x".repeat(73)))),
                ("201-char row id", row("id", json!("x".repeat(201)))),
                ("untitled second section", untitled),
            ],
        )
        .await;
        let mut edge = list(&[5, 5]);
        let first = &mut edge["interactive"]["action"]["sections"][0]["rows"][0];
        first["description"] = json!("x".repeat(72));
        first["title"] = json!("x".repeat(24));
        first["id"] = json!("x".repeat(200));
        assert_eq!(post(&fake, edge).await.0, 200, "10 rows in 2 sections at every limit");
        let mut single = list(&[3]);
        single["interactive"]["action"]["sections"][0].as_object_mut().unwrap().remove("title");
        assert_eq!(post(&fake, single).await.0, 200, "one section needs no title");
    }

    #[tokio::test]
    async fn location_requests_and_templates_are_accepted_other_shapes_are_100() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        let location = json!({ "messaging_product": "whatsapp", "to": CITIZEN,
            "type": "interactive", "interactive": { "type": "location_request_message",
            "body": { "text": "Bagikan lokasi Anda" }, "action": { "name": "send_location" } } });
        assert_eq!(post(&fake, location.clone()).await.0, 200);
        let template = json!({ "messaging_product": "whatsapp", "to": CITIZEN, "type": "template",
            "template": { "name": "status_permohonan", "language": { "code": "id" },
            "components": [{ "type": "body",
                             "parameters": [{ "type": "text", "text": "Budi" }] }] } });
        let (status, answer) = post(&fake, template.clone()).await;
        assert_eq!(status, 200);
        assert_eq!(answer["messages"][0]["message_status"], "accepted", "as real template sends");

        let mut no_language = template.clone();
        no_language["template"].as_object_mut().unwrap().remove("language");
        let mut wrong_action = location.clone();
        wrong_action["interactive"]["action"]["name"] = json!("send_contact");
        let mut no_product = text_send(CITIZEN, "Halo");
        no_product.as_object_mut().unwrap().remove("messaging_product");
        let mut no_to = text_send(CITIZEN, "Halo");
        no_to.as_object_mut().unwrap().remove("to");
        let image = json!({ "messaging_product": "whatsapp", "to": CITIZEN, "type": "image",
                            "image": { "id": "123" } });
        assert_all_invalid(
            &fake,
            vec![
                ("template without language", no_language),
                ("location request with another action", wrong_action),
                ("no messaging_product", no_product),
                ("no to", no_to),
                ("a type pintu does not send", image),
            ],
        )
        .await;
        let kinds: Vec<String> = fake.sent().into_iter().map(|s| s.kind).collect();
        assert_eq!(kinds, ["interactive", "template"]);

        // Another phone number id, and a path without version, are Graph's 400s.
        let other = format!("{}/999/messages", fake.url());
        let response =
            http().post(other).bearer_auth(TOKEN).json(&location).send().await.expect("send");
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.expect("json");
        assert_eq!(
            (body["error"]["code"].clone(), body["error"]["error_subcode"].clone()),
            (json!(100), json!(33))
        );
        let bare = format!("{}/{PHONE_ID}/messages", fake.shared.origin);
        let response = http().post(bare).bearer_auth(TOKEN).json(&location).send().await.unwrap();
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], 2500);
    }

    #[tokio::test]
    async fn mark_read_answers_success_and_is_not_a_send() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        fake.fail_next(1, None, 130429, 429);
        let plain = json!({ "messaging_product": "whatsapp", "status": "read",
                            "message_id": "wamid.IN1" });
        let typing = json!({ "messaging_product": "whatsapp", "status": "read",
                             "message_id": "wamid.IN2", "typing_indicator": { "type": "text" } });
        assert_eq!(post(&fake, plain).await, (200, json!({ "success": true })));
        assert_eq!(post(&fake, typing).await, (200, json!({ "success": true })));
        let bad = json!({ "messaging_product": "whatsapp", "status": "read" });
        assert_invalid(&post(&fake, bad).await, "mark-read without message_id");
        assert_eq!(fake.marked_read(), ["wamid.IN1", "wamid.IN2"]);
        assert!(fake.sent().is_empty());
        // The queued fault was left for the next real send.
        assert_eq!(post(&fake, text_send(CITIZEN, "Halo")).await.0, 429);
    }

    #[tokio::test]
    async fn media_downloads_in_two_steps_and_can_expire() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        let bytes = b"\xff\xd8\xff\xe0 fake jpeg".to_vec();
        fake.add_media("2604585545671592", "image/jpeg", bytes.clone());
        let client = http();
        let info: Value = client
            .get(format!("{}/2604585545671592", fake.url()))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("step 1")
            .json()
            .await
            .expect("json");
        let url = info["url"].as_str().expect("url").to_owned();
        assert_eq!(url, format!("{}/media/2604585545671592", fake.shared.origin));
        assert_eq!(info["mime_type"], "image/jpeg");
        assert_eq!(info["sha256"], hex::encode(Sha256::digest(&bytes)));
        assert_eq!(info["file_size"], bytes.len());
        assert_eq!(info["id"], "2604585545671592");

        let download = client.get(&url).bearer_auth(TOKEN).send().await.expect("step 2");
        assert_eq!(download.status(), 200);
        assert_eq!(download.headers()[header::CONTENT_TYPE], "image/jpeg");
        assert_eq!(download.bytes().await.expect("bytes").as_ref(), bytes.as_slice());

        fake.expire_media(true);
        let expired = client.get(&url).bearer_auth(TOKEN).send().await.expect("expired");
        assert_eq!(expired.status(), 404);
        fake.expire_media(false);
        let again = client.get(&url).bearer_auth(TOKEN).send().await.expect("again");
        assert_eq!(again.status(), 200);

        let unknown = client.get(format!("{}/404404", fake.url())).bearer_auth(TOKEN);
        let unknown = unknown.send().await.expect("unknown");
        assert_eq!(unknown.status(), 400);
        let body: Value = unknown.json().await.expect("json");
        assert_eq!(body["error"]["code"], 100);
        assert!(body["error"]["message"].as_str().unwrap().starts_with("Unsupported get request"));
    }

    #[tokio::test]
    async fn each_fault_answers_its_code_status_and_real_body_shape() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        let cases = [
            (130429, 429, Some("error_130429_rate_limit.json")),
            (130429, 400, None),
            (131056, 400, Some("error_131056_pair_rate_limit.json")),
            (131047, 400, Some("error_131047_reengagement.json")),
            (131026, 400, None),
            (190, 401, Some("error_190_token_expired.json")),
            (100, 400, Some("error_100_invalid_parameter.json")),
            (131000, 500, None),
        ];
        for (code, status, file) in cases {
            fake.fail_next(1, None, code, status);
            let (got, body) = post(&fake, text_send(CITIZEN, "Halo")).await;
            assert_eq!((got, body["error"]["code"].clone()), (status, json!(code)), "{body}");
            assert_eq!(body["error"]["type"], "OAuthException");
            assert!(body["error"]["fbtrace_id"].is_string());
            let message = body["error"]["message"].as_str().expect("message");
            if code != 190 {
                assert!(message.starts_with(&format!("(#{code}) ")), "{message}");
            }
            if let Some(file) = file {
                assert_shape(&body, &format!("graph_responses/{file}"), &[], &[]);
            }
            assert_eq!(post(&fake, text_send(CITIZEN, "Halo")).await.0, 200, "one fault only");
        }
        assert_eq!(fake.sent().len(), cases.len(), "faulted sends are not recorded as sent");
        assert!(
            fake.sent().iter().enumerate().all(|(n, s)| s.wamid == format!("wamid.FAKE{}", n + 1))
        );
    }

    #[tokio::test]
    async fn faults_for_one_recipient_spare_the_others_and_a_broken_send_keeps_them() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        let other = "6289999999999";
        fake.fail_next(2, Some(CITIZEN), 131056, 400);
        fake.fail_next(0, None, 500, 500);
        assert_eq!(post(&fake, text_send(other, "Halo")).await.0, 200);
        assert_invalid(&post(&fake, text_send(CITIZEN, "")).await, "validation comes first");
        assert_eq!(post(&fake, text_send(CITIZEN, "1")).await.0, 400);
        assert_eq!(post(&fake, text_send(other, "Halo")).await.0, 200);
        let (status, body) = post(&fake, text_send(CITIZEN, "2")).await;
        assert_eq!((status, body["error"]["code"].clone()), (400, json!(131056)));
        assert_eq!(post(&fake, text_send(CITIZEN, "3")).await.0, 200, "n = 0 queues nothing");
        assert_eq!(fake.sent_to(other).len(), 2);
        assert_eq!(fake.sent_to(CITIZEN)[0].body["text"]["body"], "3");
    }

    #[tokio::test]
    async fn wait_sent_wakes_when_the_sends_arrive() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        let url = format!("{}/{PHONE_ID}/messages", fake.url());
        let sender = tokio::spawn(async move {
            for n in 0..3 {
                let body = text_send(CITIZEN, &format!("bagian {n}"));
                http().post(&url).bearer_auth(TOKEN).json(&body).send().await.expect("send");
            }
        });
        fake.wait_sent(CITIZEN, 3, WAIT).await;
        let texts: Vec<Value> =
            fake.sent_to(CITIZEN).into_iter().map(|s| s.body["text"]["body"].clone()).collect();
        assert_eq!(texts, ["bagian 0", "bagian 1", "bagian 2"], "order kept");
        fake.wait_until(WAIT, |g| g.requests().len() == 3).await;
        sender.await.expect("sender");
    }

    #[tokio::test]
    #[should_panic(expected = "FakeGraph: no 1 messages sent to 6281234567890")]
    async fn wait_sent_panics_with_the_requests_after_the_deadline() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        fake.fail_next(1, None, 131026, 400);
        post(&fake, text_send(CITIZEN, "Halo")).await;
        fake.wait_sent(CITIZEN, 1, Duration::from_millis(50)).await;
    }

    #[tokio::test]
    async fn the_dump_lists_requests_with_their_answers() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        fake.fail_next(1, None, 131026, 400);
        post(&fake, text_send(CITIZEN, &"x".repeat(300))).await;
        let dump = fake.dump();
        assert!(dump.contains(&format!("POST /v25.0/{PHONE_ID}/messages → 400 ")), "{dump}");
        assert!(dump.ends_with("…\n"), "long bodies are shortened: {dump}");
    }

    #[test]
    fn sign_matches_the_protocol_vector() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        assert_eq!(
            sign("test_app_secret", body),
            "sha256=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633756"
        );
    }

    #[test]
    fn meta_bytes_escape_non_ascii_like_meta() {
        let body = text_message(PHONE_ID, CITIZEN, "wamid.IN1", "Terima kasih 🙏 Bu Ratna, ñ");
        let bytes = meta_bytes(&body);
        assert!(bytes.is_ascii());
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains(r"Terima kasih \ud83d\ude4f Bu Ratna, \u00f1"), "{text}");
        let parsed: Value = serde_json::from_slice(&bytes).expect("still JSON");
        assert_eq!(parsed, body);
        assert_ne!(sign("s", &bytes), sign("s", body.to_string().as_bytes()), "bytes matter");
    }

    #[test]
    fn builders_have_the_real_webhook_shapes() {
        let text = text_message(PHONE_ID, CITIZEN, "wamid.IN1", "Halo");
        assert_eq!(
            text["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"],
            PHONE_ID
        );
        let message = &text["entry"][0]["changes"][0]["value"]["messages"][0];
        assert_eq!(
            (message["from"].as_str(), message["id"].as_str()),
            (Some(CITIZEN), Some("wamid.IN1"))
        );
        assert!(message["timestamp"].as_str().unwrap().parse::<u64>().is_ok(), "a string");
        assert_shape(&text, "text.json", &[], &[]);
        assert_shape(&in_reply_to(text, "wamid.FAKE1"), "text_reply_context.json", &[], &[]);

        let button =
            in_reply_to(button_reply(PHONE_ID, CITIZEN, "w2", "svc_ktp", "KTP-el"), "wamid.FAKE1");
        let reply = &button["entry"][0]["changes"][0]["value"]["messages"][0];
        assert_eq!(reply["context"]["id"], "wamid.FAKE1");
        assert_eq!(reply["interactive"]["button_reply"]["id"], "svc_ktp");
        assert_shape(&button, "interactive_button_reply.json", &[], &[]);

        let list = in_reply_to(list_reply(PHONE_ID, CITIZEN, "w3", "svc_kk", "KK"), "wamid.FAKE1");
        assert_shape(&list, "interactive_list_reply.json", &["list_reply.description"], &[]);

        let image = image_message(PHONE_ID, CITIZEN, "w4", "2604585545671592", "image/jpeg");
        assert_shape(&image, "image_caption.json", &["image.caption"], &[]);

        let location = location_message(PHONE_ID, CITIZEN, "w5", -6.175392, 106.827153);
        assert_eq!(
            location["entry"][0]["changes"][0]["value"]["messages"][0]["location"]["latitude"],
            -6.175392
        );
        assert_shape(&location, "location_current.json", &[], &[]);

        for status in ["sent", "delivered", "read"] {
            let built = status_update(PHONE_ID, "wamid.FAKE1", CITIZEN, status, None);
            assert_shape(&built, &format!("status_{status}.json"), &[], &[]);
        }
        let failed = status_update(PHONE_ID, "wamid.FAKE1", CITIZEN, "failed", Some(131047));
        let item = &failed["entry"][0]["changes"][0]["value"]["statuses"][0];
        assert_eq!(
            (item["errors"][0]["code"].clone(), item["recipient_id"].clone()),
            (json!(131047), json!(CITIZEN))
        );
        assert_shape(&failed, "status_failed_131047.json", &[], &[]);
        let failed = status_update(PHONE_ID, "wamid.FAKE1", CITIZEN, "failed", Some(131026));
        assert_shape(&failed, "status_failed_131026.json", &[], &["href"]);
    }

    #[tokio::test]
    async fn dropping_the_fake_stops_the_server() {
        let fake = FakeGraph::start(TOKEN, PHONE_ID).await;
        let addr = fake.addr;
        assert_eq!(post(&fake, text_send(CITIZEN, "Halo")).await.0, 200);
        drop(fake);
        let deadline = std::time::Instant::now() + WAIT;
        // The listener closes once the server task sees the signal; retry briefly until then.
        while TcpStream::connect(addr).await.is_ok() {
            assert!(std::time::Instant::now() < deadline, "fake still accepting after drop");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
