//! A fake Telegram Bot API on 127.0.0.1 for pintu's Telegram channel: it serves `getUpdates`
//! from a queue the test fills, records every call, answers `sendMessage` and friends with
//! real-shaped objects, and injects faults (429, 403, migrated group, 409, 500, delay, dropped
//! connection) with Telegram's exact error envelopes, so teloxide classifies them as it would
//! in production. An outage switch ([`FakeTelegram::set_outage`]) takes the whole API down.
//!
//! It follows the real API where pintu's correctness depends on it: an update is confirmed (and
//! dropped) only when a later `getUpdates` carries a higher `offset`; a newer `getUpdates`
//! terminates an in-flight one with 409; polling while a webhook is set is a 409; texts over
//! 4096 UTF-16 units and `callback_data` over 64 bytes are refused whole. Long polls wait at
//! most 1 s so idle tests stay fast.
//!
//! URLs follow teloxide (`POST {base}/bot<TOKEN>/<Method>`, `GET {base}/file/bot<TOKEN>/<path>`);
//! method names are matched case-insensitively, as Telegram does.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};
use tokio::sync::{Notify, watch};

use super::outage::{Killer, Outage, Switch};

/// The fake bot's user id (also in `getMe` and as `from` of the messages it "sends").
const BOT_ID: i64 = 123_456;
const BOT_USERNAME: &str = "layanan_test_bot";
/// Telegram counts text length in UTF-16 code units (its entity offset unit).
const MAX_TEXT_UTF16: usize = 4096;
const MAX_CALLBACK_DATA_BYTES: usize = 64;
/// Bots may download files up to 20 MB; `getFile` refuses bigger ones.
const MAX_DOWNLOAD_BYTES: usize = 20 * 1024 * 1024;
/// Long polls are capped so an idle test never waits for production's 10 s timeouts.
const MAX_POLL_WAIT: Duration = Duration::from_secs(1);
/// Builders number updates from here (Telegram's ids are large and sequential).
const FIRST_UPDATE_ID: i64 = 500_000_001;

const NOT_FOUND: &str = "Not Found";
const CONFLICT_GET_UPDATES: &str = "Conflict: terminated by other getUpdates request; make sure \
                                    that only one bot instance is running";
const CONFLICT_WEBHOOK: &str = "Conflict: can't use getUpdates method while webhook is active; \
                                use deleteWebhook to delete the webhook first";
const NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message content \
                            and reply markup are exactly the same as a current content and reply \
                            markup of the message";

/// A failure injected into the next call of one method (see [`FakeTelegram::fail_next`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 "Too Many Requests: retry after N" with `parameters.retry_after`.
    RetryAfter(u32),
    /// 403 "Forbidden: bot was blocked by the user".
    Blocked,
    /// 400 "group chat was upgraded to a supergroup chat" with `parameters.migrate_to_chat_id`.
    MigrateTo(i64),
    /// 500 "Internal Server Error" (teloxide sleeps 10 s on any 5xx before returning).
    ServerError,
    /// 409 "Conflict: terminated by other getUpdates request; …".
    Conflict,
    /// Wait this long, then handle the call normally.
    Delay(Duration),
    /// Read the request, then close the connection without answering.
    Drop,
}

/// One request as the fake received it (recorded before faults and validation).
#[derive(Debug, Clone)]
pub struct Call {
    /// Lowercase method name (`"sendmessage"`); `"download"` for `GET /file/bot<TOKEN>/<path>`.
    pub method: String,
    /// Parameters as a JSON object (form and query values stay strings); for a download
    /// `{"path": …}`; `Null` if the body could not be parsed.
    pub body: Value,
    pub at: Instant,
}

/// A `sendMessage` the fake accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub chat_id: i64,
    pub text: String,
    /// The `reply_markup` as sent (inline keyboard, reply keyboard, `remove_keyboard`, …).
    pub reply_markup: Option<Value>,
    pub message_id: i32,
    /// When the fake accepted it (to tell repeats after a restart from others).
    pub at: Instant,
}

/// A running fake Bot API for one token; stops when dropped.
pub struct FakeTelegram {
    addr: SocketAddr,
    shared: Arc<Shared>,
    /// Never sent on: dropping it (with the fake) is the shutdown signal.
    _shutdown: watch::Sender<()>,
}

struct Shared {
    /// `"bot" + token`, the path segment every API URL must carry.
    bot_segment: String,
    state: Mutex<Book>,
    /// Woken on every call and every state change; waiters re-check their condition.
    changed: Notify,
    /// Resolves `changed()` with an error once the fake is dropped.
    shutdown: watch::Receiver<()>,
    outage: Switch,
}

#[derive(Default)]
struct Book {
    /// Unconfirmed updates by id: a `BTreeMap` hands them out in id order whatever the push
    /// order.
    updates: BTreeMap<i64, Value>,
    next_update_id: i64,
    /// The highest `offset` any getUpdates carried.
    confirmed: i64,
    /// Generation of the getUpdates call currently allowed to wait; an older one that finds
    /// itself replaced answers 409.
    poller: Option<u64>,
    poll_generation: u64,
    webhook: String,
    calls: Vec<Call>,
    sent: Vec<Sent>,
    /// Text and inline keyboard of messages sent or edited, by (chat, message id): edits and
    /// callback builders reuse them.
    messages: HashMap<(i64, i32), Stored>,
    next_message_id: i32,
    files: HashMap<String, StoredFile>,
    faults: HashMap<String, VecDeque<Fault>>,
    /// Callback query ids in push order, and those answered.
    callbacks: Vec<String>,
    answered: HashSet<String>,
}

#[derive(Clone)]
struct Stored {
    text: String,
    /// Only inline keyboards: they are what Telegram attaches to (and echoes in) a message.
    inline_markup: Option<Value>,
}

struct StoredFile {
    unique_id: String,
    path: String,
    bytes: Arc<Vec<u8>>,
}

impl Shared {
    /// A test that panicked while holding the lock must not turn every later call into a
    /// second, confusing panic; the state is still meaningful.
    fn lock(&self) -> MutexGuard<'_, Book> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, method: &str, body: Value) {
        self.lock().calls.push(Call { method: method.to_owned(), body, at: Instant::now() });
        self.changed.notify_waiters();
    }

    fn take_fault(&self, method: &str) -> Option<Fault> {
        self.lock().faults.get_mut(method)?.pop_front()
    }
}

impl Book {
    /// Telegram's confirmation rule: a positive offset forgets every update below it; a
    /// negative one keeps only the last `-offset` updates.
    fn confirm(&mut self, offset: i64) {
        if offset > 0 {
            self.updates = self.updates.split_off(&offset);
            self.confirmed = self.confirmed.max(offset);
        } else if offset < 0 {
            let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
            while self.updates.len() > keep {
                self.updates.pop_first();
            }
        }
    }

    fn next_message_id(&mut self) -> i32 {
        self.next_message_id += 1;
        self.next_message_id
    }

    fn insert_update(&mut self, update: Value) {
        let id = update
            .get("update_id")
            .and_then(Value::as_i64)
            .expect("FakeTelegram: an update needs an integer \"update_id\"");
        if let Some(query_id) = update.pointer("/callback_query/id").and_then(Value::as_str) {
            self.callbacks.push(query_id.to_owned());
        }
        self.next_update_id = self.next_update_id.max(id + 1);
        self.updates.insert(id, update);
    }

    fn add_file(&mut self, file_id: &str, bytes: Vec<u8>, dir: &str, ext: &str) {
        let n = self.files.len();
        let file = StoredFile {
            unique_id: format!("AQAD{n}"),
            path: format!("{dir}/file_{n}{ext}"),
            bytes: Arc::new(bytes),
        };
        self.files.insert(file_id.to_owned(), file);
    }

    /// The message a callback builder points at: the one pintu sent, if known.
    fn stored(&self, chat_id: i64, message_id: i32) -> Stored {
        self.messages
            .get(&(chat_id, message_id))
            .cloned()
            .unwrap_or_else(|| Stored { text: "Pilih:".to_owned(), inline_markup: None })
    }
}

impl FakeTelegram {
    /// Starts on 127.0.0.1:0 for this bot token; returns once listening.
    pub async fn start(token: &str) -> Self {
        let outage = Switch::new();
        let listener = outage.listener().await;
        let addr = listener.addr();
        let (shutdown_tx, shutdown_rx) = watch::channel(());
        let shared = Arc::new(Shared {
            bot_segment: format!("bot{token}"),
            state: Mutex::new(Book { next_update_id: FIRST_UPDATE_ID, ..Book::default() }),
            changed: Notify::new(),
            shutdown: shutdown_rx.clone(),
            outage,
        });
        let app = Router::new()
            .route("/file/{bot}/{*path}", get(download))
            // Telegram also accepts GET with a query string; teloxide always POSTs.
            .route("/{bot}/{method}", get(api).post(api))
            .fallback(|| async { error(404, NOT_FOUND, None) })
            .with_state(shared.clone());
        let mut signal = shutdown_rx;
        // Graceful shutdown once the sender is dropped: stop accepting, close idle keep-alive
        // connections, and let in-flight handlers (which watch the signal too) finish.
        let server = axum::serve(listener, app.into_make_service_with_connect_info::<Killer>())
            .with_graceful_shutdown(async move {
                let _ = signal.changed().await;
            });
        tokio::spawn(async move {
            let _ = server.await;
        });
        // Bound and listening already: connections queue in the backlog until the spawned
        // server accepts them.
        FakeTelegram { addr, shared, _shutdown: shutdown_tx }
    }

    /// The API root to give teloxide (`Bot::set_api_url`), e.g. "http://127.0.0.1:PORT".
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues an Update (JSON object with an integer "update_id"), verbatim; getUpdates hands
    /// them out in id order. Re-pushing an id replaces the queued update.
    pub fn push_update(&self, update: Value) {
        self.shared.lock().insert_update(update);
        self.shared.changed.notify_waiters();
    }

    /// Queues a private-chat text message from user `chat_id` (`from.id == chat.id`); a
    /// leading `/command` gets its `bot_command` entity. Returns the update_id.
    pub fn text(&self, chat_id: i64, text: &str) -> i64 {
        let mut content = json!({ "text": text });
        if text.starts_with('/') {
            let command = text.split(char::is_whitespace).next().unwrap_or(text);
            content["entities"] = json!([{
                "offset": 0,
                "length": command.encode_utf16().count(),
                "type": "bot_command",
            }]);
        }
        self.private_message(chat_id, content)
    }

    /// Queues a press of an inline button with `data` on message `message_id` in `chat_id`
    /// (private or group) by user `from_id`. The message carries the text and keyboard the fake
    /// recorded for it, if pintu sent it. The callback query id is `"cb<update_id>"`.
    pub fn callback(&self, chat_id: i64, from_id: i64, data: &str, message_id: i32) -> i64 {
        let id = {
            let mut st = self.shared.lock();
            let id = st.next_update_id;
            let stored = st.stored(chat_id, message_id);
            let mut message = json!({
                "message_id": message_id,
                "from": bot_user(),
                "chat": chat(chat_id),
                "date": now(),
                "text": stored.text,
            });
            if let Some(markup) = stored.inline_markup {
                message["reply_markup"] = markup;
            }
            st.insert_update(json!({
                "update_id": id,
                "callback_query": {
                    "id": format!("cb{id}"),
                    "from": user(from_id),
                    "message": message,
                    "chat_instance": format!("-{}", chat_id.unsigned_abs()),
                    "data": data,
                },
            }));
            id
        };
        self.shared.changed.notify_waiters();
        id
    }

    /// Queues a private-chat photo: two sizes, smallest first as Telegram sends them — a
    /// thumbnail `"<file_id>-thumb"` and `file_id` itself with `file_size == size`. Both are
    /// registered with deterministic bytes of their sizes (see [`FakeTelegram::add_file`]).
    pub fn photo(&self, chat_id: i64, file_id: &str, size: u32) -> i64 {
        let thumb_id = format!("{file_id}-thumb");
        let thumb_size = size.min(1200);
        {
            let mut st = self.shared.lock();
            st.add_file(&thumb_id, fake_jpeg(thumb_size), "photos", ".jpg");
            st.add_file(file_id, fake_jpeg(size), "photos", ".jpg");
        }
        let photo = |id: &str, unique: String, size: u32, width: u32, height: u32| {
            json!({ "file_id": id, "file_unique_id": unique, "file_size": size,
                    "width": width, "height": height })
        };
        self.private_message(
            chat_id,
            json!({ "photo": [
                photo(&thumb_id, format!("{file_id}-tu"), thumb_size, 90, 68),
                photo(file_id, format!("{file_id}-u"), size, 1280, 960),
            ] }),
        )
    }

    /// Queues a private-chat location.
    pub fn location(&self, chat_id: i64, lat: f64, lon: f64) -> i64 {
        self.private_message(chat_id, json!({ "location": { "latitude": lat, "longitude": lon } }))
    }

    /// Serves `bytes` for `getFile(file_id)` (path `documents/file_<n>`) and the download route.
    pub fn add_file(&self, file_id: &str, bytes: Vec<u8>) {
        self.shared.lock().add_file(file_id, bytes, "documents", "");
    }

    /// Queues a fault for the next call of `method` (lowercase, e.g. "sendmessage"; "download"
    /// for the file route). Faults for one method are consumed in order, one per call.
    pub fn fail_next(&self, method: &str, fault: Fault) {
        self.shared.lock().faults.entry(method.to_ascii_lowercase()).or_default().push_back(fault);
    }

    /// Starts or ends an outage of the whole Bot API (every method and downloads): HTTP 500
    /// with Telegram's error body, or connections closed unanswered. Queued faults wait
    /// for its end.
    pub fn set_outage(&self, outage: Outage) {
        self.shared.outage.set(outage);
    }

    /// Waits until no client is connected (see [`Switch::quiet`]).
    pub async fn quiet(&self, deadline: Duration) {
        self.shared.outage.quiet(deadline).await;
    }

    /// Pretends a webhook is set (e.g. left over by an earlier deployment): getUpdates answers
    /// 409 until `deleteWebhook`.
    pub fn set_webhook(&self, url: &str) {
        self.shared.lock().webhook = url.to_owned();
    }

    /// Every call received, in order, including refused and faulted ones.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
    }

    /// sendMessage calls that succeeded, in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.shared.lock().sent.clone()
    }

    /// sendMessage calls to `chat_id` that succeeded, in order.
    pub fn sent_to(&self, chat_id: i64) -> Vec<Sent> {
        self.shared.lock().sent.iter().filter(|s| s.chat_id == chat_id).cloned().collect()
    }

    /// The highest offset a getUpdates call has carried (the confirmation point); 0 if none.
    pub fn confirmed_offset(&self) -> i64 {
        self.shared.lock().confirmed
    }

    /// Ids of queued callback queries not yet answered by a successful `answerCallbackQuery`,
    /// in push order (Telegram's client spins until the answer).
    pub fn unanswered_callbacks(&self) -> Vec<String> {
        let st = self.shared.lock();
        st.callbacks.iter().filter(|id| !st.answered.contains(*id)).cloned().collect()
    }

    /// Waits until `pred(self)` holds (re-checked on every call and state change), or panics
    /// with a dump of the calls after `deadline`.
    pub async fn wait_until(&self, deadline: Duration, pred: impl Fn(&FakeTelegram) -> bool) {
        self.wait_for(deadline, "the condition", pred).await;
    }

    /// Waits until at least `n` sends to `chat_id` succeeded, or panics after `deadline`.
    pub async fn wait_sent(&self, chat_id: i64, n: usize, deadline: Duration) {
        let what = format!("{n} messages sent to {chat_id}");
        self.wait_for(deadline, &what, |t| t.sent_to(chat_id).len() >= n).await;
    }

    async fn wait_for(&self, deadline: Duration, what: &str, pred: impl Fn(&FakeTelegram) -> bool) {
        let until = tokio::time::Instant::now() + deadline;
        loop {
            // Register for the wake-up *before* checking, so a change between the check and
            // the await cannot be missed.
            let mut notified = pin!(self.shared.changed.notified());
            notified.as_mut().enable();
            if pred(self) {
                return;
            }
            if tokio::time::timeout_at(until, notified).await.is_err() {
                panic!(
                    "FakeTelegram: no {what} within {deadline:?}; calls:\n{}",
                    self.dump_calls()
                );
            }
        }
    }

    /// One line per call, bodies shortened: enough to see what pintu did without 4096-char
    /// texts drowning the panic message.
    fn dump_calls(&self) -> String {
        let calls = self.calls();
        let start = calls.first().map(|c| c.at);
        let lines: Vec<String> = calls
            .iter()
            .map(|c| {
                let body = c.body.to_string();
                let short: String = body.chars().take(200).collect();
                let ellipsis = if short.len() < body.len() { "…" } else { "" };
                let ms = start.map_or(0, |s| c.at.duration_since(s).as_millis());
                format!("  +{ms}ms {} {short}{ellipsis}", c.method)
            })
            .collect();
        if lines.is_empty() { "  (none)".to_owned() } else { lines.join("\n") }
    }

    fn private_message(&self, chat_id: i64, content: Value) -> i64 {
        assert!(chat_id > 0, "FakeTelegram builders are for private chats; push_update for groups");
        let id = {
            let mut st = self.shared.lock();
            let id = st.next_update_id;
            let mut message = json!({
                "message_id": st.next_message_id(),
                "from": user(chat_id),
                "chat": chat(chat_id),
                "date": now(),
            });
            if let (Some(message), Value::Object(content)) = (message.as_object_mut(), content) {
                message.extend(content);
            }
            st.insert_update(json!({ "update_id": id, "message": message }));
            id
        };
        self.shared.changed.notify_waiters();
        id
    }
}

// --- routes -----------------------------------------------------------------------------------

type Params = Map<String, Value>;

/// `/{bot}/{method}`: record, check the token, apply a queued fault, then answer.
async fn api(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(killer): ConnectInfo<Killer>,
    Path((bot, method)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let method = method.to_ascii_lowercase();
    let params = parse_params(&headers, query.as_deref(), &body);
    shared.record(&method, params.clone().map_or(Value::Null, Value::Object));
    if bot != shared.bot_segment {
        // What Telegram answers for a wrong token; teloxide maps it to `ApiError::InvalidToken`.
        return error(404, NOT_FOUND, None);
    }
    if shared.outage.get() == Outage::ServerError {
        return error(500, "Internal Server Error", None);
    }
    if let Some(response) = apply_fault(&shared, &killer, &method).await {
        return response;
    }
    let Some(p) = params else {
        return error(400, "Bad Request: can't parse request body", None);
    };
    match method.as_str() {
        "getme" => ok(get_me()),
        "getupdates" => get_updates(&shared, &p).await,
        "sendmessage" => send_message(&shared, &p),
        "editmessagereplymarkup" => edit_reply_markup(&shared, &p),
        "answercallbackquery" => answer_callback(&shared, &p),
        "setwebhook" => set_webhook(&shared, &p),
        "deletewebhook" => delete_webhook(&shared, &p),
        "getwebhookinfo" => {
            let st = shared.lock();
            ok(json!({
                "url": st.webhook,
                "has_custom_certificate": false,
                "pending_update_count": st.updates.len(),
            }))
        }
        "getfile" => get_file(&shared, &p),
        _ => error(400, "Bad Request: unknown method", None),
    }
}

/// `GET /file/{bot}/{*path}`: teloxide sends the file path as one encoded segment
/// (`photos%2Ffile_0.jpg`); axum's wildcard decodes it.
async fn download(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(killer): ConnectInfo<Killer>,
    Path((bot, path)): Path<(String, String)>,
) -> Response {
    shared.record("download", json!({ "path": path }));
    if bot != shared.bot_segment {
        return error(404, NOT_FOUND, None);
    }
    if shared.outage.get() == Outage::ServerError {
        return error(500, "Internal Server Error", None);
    }
    if let Some(response) = apply_fault(&shared, &killer, "download").await {
        return response;
    }
    let bytes = shared.lock().files.values().find(|f| f.path == path).map(|f| f.bytes.clone());
    match bytes {
        Some(bytes) => {
            ([(header::CONTENT_TYPE, "application/octet-stream")], bytes.as_ref().clone())
                .into_response()
        }
        None => error(404, NOT_FOUND, None),
    }
}

/// `None` (proceed normally) unless a fault answers the call instead.
async fn apply_fault(shared: &Shared, killer: &Killer, method: &str) -> Option<Response> {
    let fault = shared.take_fault(method)?;
    Some(match fault {
        Fault::RetryAfter(secs) => error(
            429,
            &format!("Too Many Requests: retry after {secs}"),
            Some(json!({ "retry_after": secs })),
        ),
        Fault::Blocked => error(403, "Forbidden: bot was blocked by the user", None),
        Fault::MigrateTo(chat_id) => error(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            Some(json!({ "migrate_to_chat_id": chat_id })),
        ),
        Fault::ServerError => error(500, "Internal Server Error", None),
        Fault::Conflict => error(409, CONFLICT_GET_UPDATES, None),
        Fault::Delay(delay) => {
            // Cut short when the fake is dropped, then answered normally: a 5xx here would cost
            // the client teloxide's 10 s server-error sleep.
            let mut shutdown = shared.shutdown.clone();
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                _ = shutdown.changed() => {}
            }
            return None;
        }
        Fault::Drop => {
            // Every write on this connection now fails: hyper closes it without sending a byte.
            killer.kill();
            error(500, "never sent", None)
        }
    })
}

fn get_me() -> Value {
    let mut me = bot_user();
    for (flag, value) in [
        ("can_join_groups", true),
        ("can_read_all_group_messages", false),
        ("supports_inline_queries", false),
        ("has_main_web_app", false),
    ] {
        me[flag] = Value::Bool(value);
    }
    me
}

async fn get_updates(shared: &Arc<Shared>, p: &Params) -> Response {
    let offset = int(p, "offset").unwrap_or(0);
    let limit = usize::try_from(int(p, "limit").unwrap_or(100).clamp(1, 100)).unwrap_or(100);
    let timeout = u64::try_from(int(p, "timeout").unwrap_or(0)).unwrap_or(0);
    let wait = Duration::from_secs(timeout).min(MAX_POLL_WAIT);
    let generation = {
        let mut st = shared.lock();
        if !st.webhook.is_empty() {
            return error(409, CONFLICT_WEBHOOK, None);
        }
        // The confirmation happens on arrival, whatever this call later returns.
        st.confirm(offset);
        st.poll_generation += 1;
        st.poller = Some(st.poll_generation);
        st.poll_generation
    };
    // Wakes an older in-flight poll, which finds itself replaced and answers 409: on Telegram
    // the newest getUpdates wins ("terminated by other getUpdates request").
    shared.changed.notify_waiters();
    let _guard = PollGuard { shared, generation };
    let until = tokio::time::Instant::now() + wait;
    let mut shutdown = shared.shutdown.clone();
    loop {
        let mut notified = pin!(shared.changed.notified());
        notified.as_mut().enable();
        {
            let st = shared.lock();
            if st.poller != Some(generation) {
                return error(409, CONFLICT_GET_UPDATES, None);
            }
            let batch: Vec<Value> = st.updates.values().take(limit).cloned().collect();
            if !batch.is_empty() {
                return ok(Value::Array(batch));
            }
        }
        tokio::select! {
            woken = tokio::time::timeout_at(until, notified) => {
                if woken.is_err() {
                    return ok(json!([]));
                }
            }
            _ = shutdown.changed() => return ok(json!([])),
        }
    }
}

/// Ends this call's claim on the poller slot however the handler ends (answer, client hang-up),
/// unless a newer call has taken it already.
struct PollGuard<'a> {
    shared: &'a Shared,
    generation: u64,
}

impl Drop for PollGuard<'_> {
    fn drop(&mut self) {
        let mut st = self.shared.lock();
        if st.poller == Some(self.generation) {
            st.poller = None;
        }
    }
}

fn send_message(shared: &Shared, p: &Params) -> Response {
    let chat_id = match chat_id(p) {
        Ok(id) => id,
        Err(description) => return error(400, description, None),
    };
    let text = string(p, "text").unwrap_or_default();
    if text.is_empty() {
        return error(400, "Bad Request: message text is empty", None);
    }
    // Counted on the raw text: pintu sends plain text, where that is what Telegram counts.
    if text.encode_utf16().count() > MAX_TEXT_UTF16 {
        return error(400, "Bad Request: message is too long", None);
    }
    let markup = match markup(p) {
        Ok(markup) => markup,
        Err(description) => return error(400, description, None),
    };
    let inline_markup = markup.clone().filter(|m| has_inline_buttons(Some(m)));
    let message_id = {
        let mut st = shared.lock();
        let message_id = st.next_message_id();
        let at = Instant::now();
        st.sent.push(Sent { chat_id, text: text.clone(), reply_markup: markup, message_id, at });
        let stored = Stored { text: text.clone(), inline_markup: inline_markup.clone() };
        st.messages.insert((chat_id, message_id), stored);
        message_id
    };
    shared.changed.notify_waiters();
    ok(message(chat_id, message_id, &text, inline_markup))
}

fn edit_reply_markup(shared: &Shared, p: &Params) -> Response {
    if string(p, "inline_message_id").is_some() {
        return ok(Value::Bool(true));
    }
    let chat_id = match chat_id(p) {
        Ok(id) => id,
        Err(description) => return error(400, description, None),
    };
    let Some(message_id) = int(p, "message_id").and_then(|id| i32::try_from(id).ok()) else {
        return error(400, "Bad Request: message identifier is not specified", None);
    };
    let new = match markup(p) {
        Ok(markup) => markup.filter(|m| has_inline_buttons(Some(m))),
        Err(description) => return error(400, description, None),
    };
    let text = {
        let mut st = shared.lock();
        let stored = st.stored(chat_id, message_id);
        // Telegram refuses a no-op edit; pintu must take it as success. Unknown messages
        // (e.g. pushed by a test, never sent here) are edited leniently.
        if st.messages.contains_key(&(chat_id, message_id)) && stored.inline_markup == new {
            return error(400, NOT_MODIFIED, None);
        }
        let text = stored.text;
        let updated = Stored { text: text.clone(), inline_markup: new.clone() };
        st.messages.insert((chat_id, message_id), updated);
        text
    };
    shared.changed.notify_waiters();
    ok(message(chat_id, message_id, &text, new))
}

fn answer_callback(shared: &Shared, p: &Params) -> Response {
    let id = string(p, "callback_query_id").unwrap_or_default();
    {
        let mut st = shared.lock();
        if !st.callbacks.contains(&id) {
            // teloxide's spelling (→ `ApiError::InvalidQueryId`); Telegram's capitalisation of
            // "id" has varied.
            return error(
                400,
                "Bad Request: query is too old and response timeout expired or query id is \
                 invalid",
                None,
            );
        }
        st.answered.insert(id);
    }
    shared.changed.notify_waiters();
    ok(Value::Bool(true))
}

fn set_webhook(shared: &Shared, p: &Params) -> Response {
    let mut st = shared.lock();
    st.webhook = string(p, "url").unwrap_or_default();
    if truthy(p, "drop_pending_updates") {
        st.updates.clear();
    }
    ok(Value::Bool(true))
}

fn delete_webhook(shared: &Shared, p: &Params) -> Response {
    let mut st = shared.lock();
    st.webhook.clear();
    if truthy(p, "drop_pending_updates") {
        st.updates.clear();
    }
    ok(Value::Bool(true))
}

fn get_file(shared: &Shared, p: &Params) -> Response {
    let file_id = string(p, "file_id").unwrap_or_default();
    let st = shared.lock();
    let Some(file) = st.files.get(&file_id) else {
        return error(400, "Bad Request: invalid file_id", None);
    };
    if file.bytes.len() > MAX_DOWNLOAD_BYTES {
        return error(400, "Bad Request: file is too big", None);
    }
    ok(json!({
        "file_id": file_id,
        "file_unique_id": file.unique_id,
        "file_size": file.bytes.len(),
        "file_path": file.path,
    }))
}

// --- helpers ----------------------------------------------------------------------------------

/// Parameters from the query string and a JSON, urlencoded or multipart body (body wins);
/// `None` if the body cannot be read.
fn parse_params(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Option<Params> {
    let mut params = query.map(form_pairs).unwrap_or_default();
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let content_type = content_type.unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if media_type == "application/x-www-form-urlencoded" {
        params.extend(form_pairs(std::str::from_utf8(body).ok()?));
    } else if media_type == "multipart/form-data" {
        // teloxide sends some methods (setWebhook, uploads) as multipart.
        params.extend(multipart_fields(content_type, body)?);
    } else if !body.is_empty() {
        match serde_json::from_slice(body).ok()? {
            Value::Object(object) => params.extend(object),
            _ => return None,
        }
    }
    Some(params)
}

fn form_pairs(encoded: &str) -> Params {
    // `Url` already implements application/x-www-form-urlencoded decoding (`+`, `%xx`).
    let Ok(url) = reqwest::Url::parse(&format!("http://form/?{encoded}")) else {
        return Params::new();
    };
    url.query_pairs().map(|(k, v)| (k.into_owned(), Value::String(v.into_owned()))).collect()
}

/// The fields of a multipart/form-data body as strings, as Telegram reads them; a file part
/// becomes `"<file NAME, N bytes>"` (the fake stores no uploads).
fn multipart_fields(content_type: &str, body: &[u8]) -> Option<Params> {
    let boundary = content_type.split(';').find_map(|p| p.trim().strip_prefix("boundary="))?;
    let delimiter = format!("--{}", boundary.trim_matches('"'));
    // Lossy: only file parts can be binary, and their content is not kept.
    let text = String::from_utf8_lossy(body);
    let mut params = Params::new();
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let (head, value) = part.trim_start_matches("\r\n").split_once("\r\n\r\n")?;
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        let disposition = head
            .lines()
            .find(|line| line.to_ascii_lowercase().starts_with("content-disposition:"))?;
        let attribute = |key: &str| {
            disposition.split(';').find_map(|a| {
                let a = a.trim();
                let v = a.strip_prefix(key)?.strip_prefix('=')?;
                Some(v.trim_matches('"').to_owned())
            })
        };
        let value = match attribute("filename") {
            Some(file) => format!("<file {file}, {} bytes>", value.len()),
            None => value.to_owned(),
        };
        params.insert(attribute("name")?, Value::String(value));
    }
    Some(params)
}

/// An integer parameter, sent as a JSON number or (form, query) as a string.
fn int(p: &Params, key: &str) -> Option<i64> {
    match p.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn string(p: &Params, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn truthy(p: &Params, key: &str) -> bool {
    matches!(p.get(key), Some(Value::Bool(true))) || string(p, key).is_some_and(|s| s == "true")
}

/// The numeric `chat_id`; `Err` is the 400 description.
fn chat_id(p: &Params) -> Result<i64, &'static str> {
    match p.get("chat_id") {
        None | Some(Value::Null) => Err("Bad Request: chat_id is empty"),
        // "@channelusername" and other non-numeric ids name no chat this fake knows.
        Some(_) => int(p, "chat_id").ok_or("Bad Request: chat not found"),
    }
}

/// The `reply_markup` (a JSON string in form bodies), with inline button data checked; `Err` is
/// the 400 description.
fn markup(p: &Params) -> Result<Option<Value>, &'static str> {
    let markup = match p.get("reply_markup") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => serde_json::from_str(s)
            .map_err(|_| "Bad Request: can't parse reply keyboard markup JSON object")?,
        Some(other) => other.clone(),
    };
    let buttons = markup.get("inline_keyboard").and_then(Value::as_array).into_iter().flatten();
    for button in buttons.filter_map(Value::as_array).flatten() {
        if let Some(data) = button.get("callback_data").and_then(Value::as_str) {
            // 1–64 *bytes*, not characters: 33 non-ASCII characters can already fail.
            if data.is_empty() || data.len() > MAX_CALLBACK_DATA_BYTES {
                return Err("Bad Request: BUTTON_DATA_INVALID");
            }
        }
    }
    Ok(Some(markup))
}

/// An empty inline keyboard means "no buttons": Telegram omits it from the message.
fn has_inline_buttons(markup: Option<&Value>) -> bool {
    markup
        .and_then(|m| m.get("inline_keyboard"))
        .and_then(Value::as_array)
        .is_some_and(|rows| rows.iter().any(|row| row.as_array().is_some_and(|r| !r.is_empty())))
}

fn message(chat_id: i64, message_id: i32, text: &str, inline_markup: Option<Value>) -> Value {
    let mut message = json!({
        "message_id": message_id,
        "from": bot_user(),
        "chat": chat(chat_id),
        "date": now(),
        "text": text,
    });
    if let Some(markup) = inline_markup {
        message["reply_markup"] = markup;
    }
    message
}

fn bot_user() -> Value {
    json!({ "id": BOT_ID, "is_bot": true, "first_name": "Layanan", "username": BOT_USERNAME })
}

fn user(id: i64) -> Value {
    json!({ "id": id, "is_bot": false, "first_name": "Warga", "language_code": "id" })
}

/// Private chats have the user's (positive) id; groups are negative (`-100…` supergroups).
fn chat(id: i64) -> Value {
    if id > 0 {
        json!({ "id": id, "type": "private", "first_name": "Warga" })
    } else {
        json!({ "id": id, "type": "supergroup", "title": "Petugas Layanan" })
    }
}

fn now() -> i64 {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    i64::try_from(secs).unwrap_or(i64::MAX)
}

/// `size` bytes starting with a JPEG start-of-image marker, so a sniffing reader sees a JPEG.
fn fake_jpeg(size: u32) -> Vec<u8> {
    let header = [0xFF, 0xD8, 0xFF, 0xE0];
    (0..size as usize).map(|i| header.get(i).copied().unwrap_or((i % 251) as u8)).collect()
}

fn ok(result: Value) -> Response {
    axum::Json(json!({ "ok": true, "result": result })).into_response()
}

/// Telegram's error envelope: `ok`, `error_code`, `description`, and `parameters` only when
/// there are some. teloxide classifies on `description` and `parameters`, not on the status.
fn error(code: u16, description: &str, parameters: Option<Value>) -> Response {
    let mut body = json!({ "ok": false, "error_code": code, "description": description });
    if let Some(parameters) = parameters {
        body["parameters"] = parameters;
    }
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpStream;

    use teloxide::net::Download;
    use teloxide::payloads::{
        AnswerCallbackQuerySetters, EditMessageReplyMarkupSetters, GetUpdatesSetters,
        SendMessageSetters, SetWebhookSetters,
    };
    use teloxide::requests::{Request, Requester};
    use teloxide::types::{
        CallbackQueryId, ChatId, FileId, InlineKeyboardButton, InlineKeyboardMarkup,
        KeyboardButton, KeyboardMarkup, MessageId, Update, UpdateKind, UserId,
    };
    use teloxide::{ApiError, Bot, DownloadError, RequestError};

    const TOKEN: &str = "123456:AAH-fake_token_for_loopback_tests0";
    const WAIT: Duration = Duration::from_secs(5);
    const REAL_WORLD: &str = "/work/shared/real-world/telegram";

    /// The client pintu builds (B2): teloxide's timeouts, no proxy so loopback stays loopback.
    fn bot_with(fake: &FakeTelegram, token: &str) -> Bot {
        let client =
            teloxide::net::default_reqwest_settings().no_proxy().build().expect("reqwest client");
        let url = reqwest::Url::parse(&fake.url()).expect("fake url");
        Bot::with_client(token, client).set_api_url(url)
    }

    fn bot(fake: &FakeTelegram) -> Bot {
        bot_with(fake, TOKEN)
    }

    fn http() -> reqwest::Client {
        reqwest::Client::builder().no_proxy().build().expect("reqwest client")
    }

    fn method_url(fake: &FakeTelegram, method: &str) -> String {
        format!("{}/bot{TOKEN}/{method}", fake.url())
    }

    fn ids(updates: &[Update]) -> Vec<i64> {
        updates.iter().map(|u| i64::from(u.id.0)).collect()
    }

    #[tokio::test]
    async fn get_me_answers_the_bot_and_a_wrong_token_is_invalid_token() {
        let fake = FakeTelegram::start(TOKEN).await;
        let me = bot(&fake).get_me().await.expect("getMe");
        assert_eq!(me.id, UserId(123_456));
        assert_eq!(me.username(), "layanan_test_bot");
        assert!(me.is_bot && me.can_join_groups && !me.can_read_all_group_messages);

        let err = bot_with(&fake, "999:wrong").get_me().await.expect_err("wrong token");
        assert!(matches!(err, RequestError::Api(ApiError::InvalidToken)), "{err:?}");

        let methods: Vec<String> = fake.calls().into_iter().map(|c| c.method).collect();
        assert_eq!(methods, ["getme", "getme"], "method names are recorded lowercase");
    }

    #[tokio::test]
    async fn get_updates_hands_out_in_id_order_until_an_offset_confirms() {
        let fake = FakeTelegram::start(TOKEN).await;
        let bot = bot(&fake);
        let base = FIRST_UPDATE_ID;
        // Pushed out of order; builders continue after the highest id pushed.
        fake.push_update(json!({ "update_id": base + 2, "message": {
            "message_id": 9, "date": 1_700_000_000, "chat": { "id": 777, "type": "private" },
            "from": { "id": 777, "is_bot": false, "first_name": "Budi" }, "text": "dua" } }));
        fake.push_update(json!({ "update_id": base, "new_kind_from_the_future": {} }));
        assert_eq!(fake.text(777, "tiga"), base + 3);
        assert_eq!(fake.location(777, -6.2, 106.816_666), base + 4);

        let all = bot.get_updates().await.expect("first poll");
        assert_eq!(ids(&all), [base, base + 2, base + 3, base + 4]);
        assert!(matches!(all[0].kind, UpdateKind::Error(_)), "unknown kinds keep their id");
        assert_eq!(fake.confirmed_offset(), 0, "offset 0 confirms nothing");

        // Unconfirmed updates come again (at-least-once), `limit` caps the batch.
        let again = bot.get_updates().limit(2).await.expect("redelivery");
        assert_eq!(ids(&again), [base, base + 2]);

        // Confirm through base + 2; the rest stays queued.
        let rest = bot.get_updates().offset(again[1].id.as_offset()).await.expect("confirm");
        assert_eq!(ids(&rest), [base + 3, base + 4]);
        assert_eq!(fake.confirmed_offset(), base + 3);
        let UpdateKind::Message(text) = &rest[0].kind else { panic!("{:?}", rest[0].kind) };
        assert_eq!(text.text(), Some("tiga"));
        assert_eq!(text.chat.id, ChatId(777));
        let location = match &rest[1].kind {
            UpdateKind::Message(m) => m.location().expect("location"),
            other => panic!("{other:?}"),
        };
        assert!((location.latitude + 6.2).abs() < 1e-9);

        // A lower offset later does not bring confirmed updates back, nor lower the mark.
        let after = bot.get_updates().offset(0).await.expect("poll");
        assert_eq!(ids(&after), [base + 3, base + 4]);
        assert_eq!(fake.confirmed_offset(), base + 3);

        // Negative offset: keep only the last |offset| updates.
        let last = bot.get_updates().offset(-1).await.expect("negative offset");
        assert_eq!(ids(&last), [base + 4]);

        let none = bot.get_updates().offset(last[0].id.as_offset()).await.expect("empty");
        assert!(none.is_empty());
        assert_eq!(fake.confirmed_offset(), base + 5);
    }

    #[tokio::test]
    async fn an_idle_long_poll_returns_empty_within_about_a_second() {
        let fake = FakeTelegram::start(TOKEN).await;
        let started = Instant::now();
        // Production's 10 s timeout is capped at 1 s.
        let updates = bot(&fake).get_updates().timeout(10).await.expect("long poll");
        let waited = started.elapsed();
        assert!(updates.is_empty());
        assert!(waited >= Duration::from_millis(900), "returned early: {waited:?}");
        assert!(waited < Duration::from_millis(1900), "waited too long: {waited:?}");
    }

    #[tokio::test]
    async fn a_push_wakes_a_waiting_long_poll() {
        let fake = FakeTelegram::start(TOKEN).await;
        let poll = tokio::spawn(bot(&fake).get_updates().timeout(10).send());
        fake.wait_until(WAIT, |t| t.calls().iter().any(|c| c.method == "getupdates")).await;
        let pushed_at = Instant::now();
        let id = fake.text(42, "halo");
        let updates = poll.await.expect("join").expect("long poll");
        assert_eq!(ids(&updates), [id]);
        assert!(pushed_at.elapsed() < Duration::from_millis(500), "not woken by the push");
    }

    #[tokio::test]
    async fn a_newer_get_updates_terminates_the_in_flight_one_with_409() {
        let fake = FakeTelegram::start(TOKEN).await;
        let first = tokio::spawn(bot(&fake).get_updates().timeout(10).send());
        fake.wait_until(WAIT, |t| t.calls().iter().any(|c| c.method == "getupdates")).await;

        let started = Instant::now();
        let second = bot(&fake).get_updates().timeout(0).await.expect("the newer poll wins");
        assert!(second.is_empty());
        let err = first.await.expect("join").expect_err("the older poll is terminated");
        assert!(matches!(err, RequestError::Api(ApiError::TerminatedByOtherGetUpdates)), "{err:?}");
        assert!(started.elapsed() < Duration::from_millis(500), "terminated late");

        // Sequential polls never conflict.
        bot(&fake).get_updates().await.expect("after the overlap");
    }

    #[tokio::test]
    async fn a_webhook_blocks_polling_until_deleted() {
        let fake = FakeTelegram::start(TOKEN).await;
        let bot = bot(&fake);
        let info = bot.get_webhook_info().await.expect("info");
        assert_eq!((info.url, info.pending_update_count), (None, 0));

        fake.set_webhook("https://pintu.example.go.id/tg");
        fake.text(777, "antre");
        let info = bot.get_webhook_info().await.expect("info");
        assert_eq!(info.url.map(String::from).as_deref(), Some("https://pintu.example.go.id/tg"));
        assert_eq!(info.pending_update_count, 1);

        // teloxide's `CantGetUpdates` lacks Telegram's "Conflict: " prefix, so the real text
        // arrives as `Unknown`: classify on the text, as pintu must.
        let err = bot.get_updates().await.expect_err("webhook active");
        assert!(
            matches!(&err, RequestError::Api(ApiError::Unknown(d)) if d.contains("webhook is active")),
            "{err:?}"
        );

        bot.delete_webhook().await.expect("deleteWebhook");
        assert_eq!(bot.get_updates().await.expect("poll").len(), 1, "pending updates survive");

        let url = reqwest::Url::parse("https://pintu.example.go.id/tg").expect("url");
        bot.set_webhook(url).drop_pending_updates(true).await.expect("setWebhook (multipart)");
        let info = bot.get_webhook_info().await.expect("info");
        assert_eq!(info.url.map(String::from).as_deref(), Some("https://pintu.example.go.id/tg"));
        bot.delete_webhook().await.expect("deleteWebhook");
        assert!(bot.get_updates().await.expect("poll").is_empty(), "dropped with the webhook");
    }

    #[tokio::test]
    async fn send_message_with_an_inline_keyboard_is_recorded_and_echoed() {
        let fake = FakeTelegram::start(TOKEN).await;
        let bot = bot(&fake);
        let keyboard = InlineKeyboardMarkup::new([
            [InlineKeyboardButton::callback("KTP-el", "c:1")],
            [InlineKeyboardButton::callback("Kartu Keluarga", "c:2")],
        ]);
        let msg = bot
            .send_message(ChatId(777), "Pilih layanan:")
            .reply_markup(keyboard.clone())
            .await
            .expect("sendMessage");
        assert_eq!((msg.chat.id, msg.text()), (ChatId(777), Some("Pilih layanan:")));
        assert!(msg.chat.is_private());
        assert_eq!(msg.reply_markup(), Some(&keyboard), "inline keyboards are echoed");

        let share = KeyboardMarkup::new([[KeyboardButton::new("Kirim lokasi")]]);
        let group = ChatId(-1_001_234_567_890);
        let second = bot.send_message(group, "Tiket baru").reply_markup(share).await.expect("send");
        assert!(second.chat.is_supergroup());
        assert!(second.id.0 > msg.id.0, "message ids increase");
        assert_eq!(second.reply_markup(), None, "reply keyboards are not part of the message");

        let sent = fake.sent_to(777);
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].text.as_str(), sent[0].message_id), ("Pilih layanan:", msg.id.0));
        let rows = &sent[0].reply_markup.as_ref().expect("markup")["inline_keyboard"];
        assert_eq!(rows[1][0], json!({ "text": "Kartu Keluarga", "callback_data": "c:2" }));
        assert_eq!(fake.sent().len(), 2);
        assert_eq!(
            fake.sent()[1].reply_markup.as_ref().expect("keyboard")["keyboard"][0][0]["text"],
            "Kirim lokasi"
        );

        // A press on that message carries its text and keyboard; removing the buttons works
        // once, the identical edit again is Telegram's "not modified".
        fake.callback(777, 777, "c:2", msg.id.0);
        let updates = bot.get_updates().await.expect("poll");
        let UpdateKind::CallbackQuery(query) = &updates[0].kind else { panic!("{updates:?}") };
        assert_eq!(query.data.as_deref(), Some("c:2"));
        assert_eq!(query.regular_message().and_then(|m| m.reply_markup()), Some(&keyboard));

        let edited = bot
            .edit_message_reply_markup(ChatId(777), msg.id)
            .reply_markup(InlineKeyboardMarkup::default())
            .await
            .expect("remove buttons");
        assert_eq!((edited.text(), edited.reply_markup()), (Some("Pilih layanan:"), None));
        let err =
            bot.edit_message_reply_markup(ChatId(777), msg.id).await.expect_err("identical markup");
        assert!(matches!(err, RequestError::Api(ApiError::MessageNotModified)), "{err:?}");
        // Messages the fake never sent are edited leniently.
        bot.edit_message_reply_markup(ChatId(777), MessageId(999)).await.expect("unknown message");
    }

    #[tokio::test]
    async fn over_long_texts_and_callback_data_are_refused_whole() {
        let fake = FakeTelegram::start(TOKEN).await;
        let bot = bot(&fake);
        let chat = ChatId(777);
        // 2048 emoji are 4096 UTF-16 units: the limit counts units, not chars or bytes.
        bot.send_message(chat, "😀".repeat(2048)).await.expect("exactly 4096 units");
        bot.send_message(chat, "a".repeat(4096)).await.expect("exactly 4096 ASCII");
        for text in ["😀".repeat(2049), "a".repeat(4097)] {
            let err = bot.send_message(chat, text).await.expect_err("too long");
            assert!(matches!(err, RequestError::Api(ApiError::MessageIsTooLong)), "{err:?}");
        }
        let err = bot.send_message(chat, "").await.expect_err("empty");
        assert!(matches!(err, RequestError::Api(ApiError::MessageTextIsEmpty)), "{err:?}");

        let button =
            |data: String| InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("x", data)]]);
        bot.send_message(chat, "ok").reply_markup(button("k".repeat(64))).await.expect("64 bytes");
        // 33 characters, 66 bytes.
        for data in ["k".repeat(65), "é".repeat(33)] {
            let err =
                bot.send_message(chat, "x").reply_markup(button(data)).await.expect_err("data");
            assert!(matches!(err, RequestError::Api(ApiError::ButtonDataInvalid)), "{err:?}");
        }
        assert_eq!(fake.sent_to(777).len(), 3, "refused sends are not recorded as sent");
    }

    #[tokio::test]
    async fn faults_arrive_as_teloxides_typed_errors_in_order() {
        let fake = FakeTelegram::start(TOKEN).await;
        let bot = bot(&fake);
        let chat = ChatId(777);
        for fault in [
            Fault::RetryAfter(3),
            Fault::Blocked,
            Fault::MigrateTo(-1_001_987_654_321),
            Fault::Conflict,
            Fault::Drop,
            Fault::Delay(Duration::from_millis(200)),
        ] {
            fake.fail_next("sendmessage", fault);
        }
        let send = || bot.send_message(chat, "Halo");

        let err = send().await.expect_err("429");
        assert!(matches!(err, RequestError::RetryAfter(s) if s.seconds() == 3), "{err:?}");
        let err = send().await.expect_err("403");
        assert!(matches!(err, RequestError::Api(ApiError::BotBlocked)), "{err:?}");
        let err = send().await.expect_err("migrated");
        assert!(
            matches!(err, RequestError::MigrateToChatId(ChatId(-1_001_987_654_321))),
            "{err:?}"
        );
        let err = send().await.expect_err("409");
        assert!(matches!(err, RequestError::Api(ApiError::TerminatedByOtherGetUpdates)), "{err:?}");
        let err = send().await.expect_err("dropped");
        assert!(matches!(err, RequestError::Network(_)), "{err:?}");

        let started = Instant::now();
        send().await.expect("delayed, then answered");
        assert!(started.elapsed() >= Duration::from_millis(200));
        send().await.expect("faults are used up");

        assert_eq!(fake.sent_to(777).len(), 2, "only the answered sends count");
        let calls = fake.calls();
        assert_eq!(calls.len(), 7, "faulted calls are recorded too");
        assert!(calls.windows(2).all(|w| w[0].at <= w[1].at));

        // Faults are per method: a getUpdates fault leaves sendMessage alone.
        fake.fail_next("GetUpdates", Fault::RetryAfter(1));
        send().await.expect("other method");
        let err = bot.get_updates().await.expect_err("poll 429");
        assert!(matches!(err, RequestError::RetryAfter(_)), "{err:?}");
    }

    /// Through reqwest: teloxide would sleep 10 s on the 5xx.
    #[tokio::test]
    async fn server_error_is_a_500_envelope() {
        let fake = FakeTelegram::start(TOKEN).await;
        fake.fail_next("sendmessage", Fault::ServerError);
        let response = http()
            .post(method_url(&fake, "sendMessage"))
            .json(&json!({ "chat_id": 777, "text": "Halo" }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 500);
        let body: Value = response.json().await.expect("json");
        assert_eq!(
            body,
            json!({ "ok": false, "error_code": 500, "description": "Internal Server Error" })
        );
        assert!(fake.sent().is_empty());
    }

    #[tokio::test]
    async fn get_file_and_download_serve_the_registered_bytes() {
        let fake = FakeTelegram::start(TOKEN).await;
        let bot = bot(&fake);
        fake.add_file("BQAC-d", b"%PDF-1.7 surat".to_vec());
        let file = bot.get_file(FileId("BQAC-d".into())).await.expect("getFile");
        assert_eq!((file.size, file.path.as_str()), (14, "documents/file_0"));
        let mut bytes = Vec::new();
        bot.download_file(&file.path, &mut bytes).await.expect("download");
        assert_eq!(bytes, b"%PDF-1.7 surat");

        // The photo builder: take the largest size, as pintu must; its path has a slash that
        // travels as %2F in one segment.
        fake.photo(777, "AgAC-b", 45_000);
        let updates = bot.get_updates().await.expect("poll");
        let UpdateKind::Message(msg) = &updates[0].kind else { panic!("{updates:?}") };
        let sizes = msg.photo().expect("photo");
        assert_eq!(sizes.iter().map(|s| s.file.size).collect::<Vec<_>>(), [1200, 45_000]);
        let largest = &sizes.last().expect("sizes").file;
        let file = bot.get_file(largest.id.clone()).await.expect("getFile");
        assert!(file.path.starts_with("photos/") && file.path.ends_with(".jpg"), "{}", file.path);
        let mut bytes = Vec::new();
        bot.download_file(&file.path, &mut bytes).await.expect("download photo");
        assert_eq!((bytes.len(), &bytes[..3]), (45_000, &[0xFF, 0xD8, 0xFF][..]));

        let err = bot.get_file(FileId("nope".into())).await.expect_err("unknown id");
        assert!(matches!(&err, RequestError::Api(ApiError::Unknown(d)) if d.contains("file_id")));
        fake.photo(777, "AgAC-huge", 20 * 1024 * 1024 + 1);
        let err = bot.get_file(FileId("AgAC-huge".into())).await.expect_err("over 20 MB");
        assert!(matches!(&err, RequestError::Api(ApiError::Unknown(d)) if d.ends_with("too big")));

        fake.fail_next("download", Fault::Drop);
        let err = bot.download_file(&file.path, &mut Vec::new()).await.expect_err("dropped");
        assert!(matches!(err, DownloadError::Network(_)), "{err:?}");
        let err = bot.download_file("photos/none.jpg", &mut Vec::new()).await.expect_err("404");
        assert!(
            matches!(&err, DownloadError::Network(e) if e.status().is_some_and(|s| s == 404)),
            "{err:?}"
        );
        let downloads = fake.calls().iter().filter(|c| c.method == "download").count();
        assert_eq!(downloads, 4);
    }

    #[tokio::test]
    async fn callbacks_are_tracked_until_answered() {
        let fake = FakeTelegram::start(TOKEN).await;
        let bot = bot(&fake);
        let group = -1_001_234_567_890;
        let id = fake.callback(group, 4242, "t:OK:17", 55);
        let updates = bot.get_updates().await.expect("poll");
        let UpdateKind::CallbackQuery(query) = &updates[0].kind else { panic!("{updates:?}") };
        assert_eq!(query.id, CallbackQueryId(format!("cb{id}")));
        assert_eq!(query.from.id, UserId(4242));
        let message = query.regular_message().expect("message");
        assert_eq!((message.chat.id, message.id), (ChatId(group), MessageId(55)));
        assert_eq!(fake.unanswered_callbacks(), [format!("cb{id}")]);

        bot.answer_callback_query(query.id.clone()).text("Diterima").await.expect("answer");
        assert!(fake.unanswered_callbacks().is_empty());
        let err = bot.answer_callback_query(CallbackQueryId("x".into())).await.expect_err("id");
        assert!(matches!(err, RequestError::Api(ApiError::InvalidQueryId)), "{err:?}");
    }

    #[tokio::test]
    async fn commands_get_their_bot_command_entity() {
        let fake = FakeTelegram::start(TOKEN).await;
        fake.text(777, "/start ktp_baru");
        fake.text(777, "halo /start");
        let updates = bot(&fake).get_updates().await.expect("poll");
        let entities: Vec<Value> = updates
            .iter()
            .map(|u| match &u.kind {
                UpdateKind::Message(m) => serde_json::to_value(m.entities()).expect("json"),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(entities[0], json!([{ "offset": 0, "length": 6, "type": "bot_command" }]));
        assert_eq!(entities[1], json!([]), "only a leading command is one");
    }

    /// Real-shaped updates captured from Telegram pass through verbatim and parse in teloxide.
    #[tokio::test]
    async fn real_world_updates_pass_through() {
        let Ok(dir) = std::fs::read_dir(REAL_WORLD) else {
            eprintln!("skipped: {REAL_WORLD} is not on this machine");
            return;
        };
        let fake = FakeTelegram::start(TOKEN).await;
        let mut pushed = Vec::new();
        for entry in dir.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).expect("read sample");
                let update: Value = serde_json::from_str(&text).expect("sample json");
                pushed.push(update["update_id"].as_i64().expect("update_id"));
                fake.push_update(update);
            }
        }
        let batch =
            std::fs::read_to_string(format!("{REAL_WORLD}/api_responses/getupdates_batch.json"))
                .expect("batch");
        let batch: Value = serde_json::from_str(&batch).expect("batch json");
        for update in batch["result"].as_array().expect("result") {
            pushed.push(update["update_id"].as_i64().expect("update_id"));
            fake.push_update(update.clone());
        }
        pushed.sort_unstable();
        pushed.dedup();

        let bot = bot(&fake);
        let mut offset = 0;
        let mut seen = Vec::new();
        loop {
            let updates = bot.get_updates().offset(offset).limit(5).await.expect("poll");
            let Some(last) = updates.last() else { break };
            offset = last.id.as_offset();
            seen.extend(ids(&updates));
        }
        assert_eq!(seen, pushed);
        assert_eq!(fake.confirmed_offset(), pushed.last().expect("samples") + 1);
    }

    #[tokio::test]
    async fn get_query_and_form_requests_work_and_unknown_routes_are_telegram_errors() {
        let fake = FakeTelegram::start(TOKEN).await;
        let http = http();
        let me = http.get(method_url(&fake, "GETME")).send().await.expect("get");
        let me: Value = me.json().await.expect("json");
        assert_eq!(me["result"]["username"], "layanan_test_bot");

        let form = [
            ("chat_id", "777"),
            ("text", "Halo warga"),
            ("reply_markup", r#"{"remove_keyboard":true}"#),
        ];
        let response = http.post(method_url(&fake, "sendMessage")).form(&form).send().await;
        assert_eq!(response.expect("form").status(), 200);
        let sent = &fake.sent_to(777)[0];
        assert_eq!(
            (sent.text.as_str(), &sent.reply_markup),
            ("Halo warga", &Some(json!({ "remove_keyboard": true })))
        );

        let response = http.post(method_url(&fake, "sendSticker")).json(&json!({})).send().await;
        let response = response.expect("unknown method");
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.expect("json");
        assert_eq!(
            body,
            json!({ "ok": false, "error_code": 400, "description": "Bad Request: unknown method" })
        );

        let response = http.get(format!("{}/nowhere", fake.url())).send().await.expect("404");
        assert_eq!(response.status(), 404);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body, json!({ "ok": false, "error_code": 404, "description": "Not Found" }));
    }

    #[tokio::test]
    async fn wait_sent_wakes_when_the_send_arrives() {
        let fake = FakeTelegram::start(TOKEN).await;
        let bot = bot(&fake);
        let sender = tokio::spawn(async move {
            for n in 0..3 {
                bot.send_message(ChatId(5), format!("bagian {n}")).await.expect("send");
            }
        });
        fake.wait_sent(5, 3, WAIT).await;
        let texts: Vec<String> = fake.sent_to(5).into_iter().map(|s| s.text).collect();
        assert_eq!(texts, ["bagian 0", "bagian 1", "bagian 2"], "per-chat order");
        sender.await.expect("sender");
    }

    #[tokio::test]
    #[should_panic(expected = "FakeTelegram: no 1 messages sent to 5")]
    async fn wait_sent_panics_with_the_calls_after_the_deadline() {
        let fake = FakeTelegram::start(TOKEN).await;
        bot(&fake).get_me().await.expect("getMe");
        fake.wait_sent(5, 1, Duration::from_millis(50)).await;
    }

    #[tokio::test]
    async fn dropping_the_fake_stops_the_server() {
        let fake = FakeTelegram::start(TOKEN).await;
        let addr = fake.addr;
        // A poll in flight must not keep the server alive.
        let poll = tokio::spawn(bot(&fake).get_updates().timeout(10).send());
        fake.wait_until(WAIT, |t| !t.calls().is_empty()).await;
        drop(fake);
        let _ = poll.await.expect("join");
        let deadline = Instant::now() + WAIT;
        // The listener closes once the server task sees the signal; retry briefly until then.
        while TcpStream::connect(addr).await.is_ok() {
            assert!(Instant::now() < deadline, "fake still accepting after drop");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
