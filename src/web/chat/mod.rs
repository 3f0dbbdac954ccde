//! The citizens' web chat pages (`/`, `/obrolan`): the conversation, a text box, the current
//! choices as buttons, uploads and a location. Every message is a plain form post answered
//! with a redirect to the page once it is committed, so the chat works without JavaScript;
//! `static/chat.js` sends and polls without reloading when it runs.
//!
//! A chat is a random 128-bit cookie id (never derived from the address). Every form carries
//! a token derived from the chat id (CSRF: a page of another site cannot know it), and a
//! message id, so a form posted twice is stepped once.

pub mod limit;

use crate::channel::web::{View, WebChat};
use crate::model::input::{AttachmentKind, Input};
use crate::model::reply::{Hint, Msg};
use crate::model::session::Lang;
use crate::script::catalogue::Catalogue;
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Multipart, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use hmac::{Hmac, Mac};
use limit::Limiter;
use sha2::Sha256;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::sync::watch;

/// The chat cookie's name.
const COOKIE: &str = "pintu_chat";
/// A year: the chat is the citizen's, like a phone number.
const COOKIE_MAX_AGE: u64 = 365 * 86_400;
/// The largest upload (Telegram's limit for bots; a dialog step may allow less).
const MAX_UPLOAD: usize = 20 * 1024 * 1024;
/// The longest message taken from the text box.
const MAX_TEXT: usize = 4096;

/// What the chat's handlers share.
#[derive(Clone)]
pub struct ChatState {
    pub chat: Arc<WebChat>,
    pub catalogue: watch::Receiver<Arc<Catalogue>>,
    /// Derives each chat's form token; a secret kept across restarts, so open pages stay valid.
    pub form_key: Arc<[u8]>,
    pub limiter: Arc<Limiter>,
    pub trusted_proxies: Arc<[IpAddr]>,
}

pub fn router(state: ChatState) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/obrolan", get(page).post(send))
        .route(
            "/obrolan/berkas",
            axum::routing::post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD + 64 * 1024)),
        )
        .route("/obrolan/baru", get(news))
        .route("/privasi", get(privacy))
        .layer(axum::middleware::from_fn_with_state(state.clone(), rate_limit))
        .with_state(state)
}

/// Answers `429` with a polite page when the client's address asks too often.
async fn rate_limit(State(s): State<ChatState>, request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = crate::http::client_ip(peer, request.headers(), &s.trusted_proxies);
    if s.limiter.allow(ip, std::time::Instant::now()) {
        return next.run(request).await;
    }
    let mut response = notice(StatusCode::TOO_MANY_REQUESTS, Notice::TOO_MANY);
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    response
}

#[derive(serde::Deserialize)]
struct After {
    #[serde(default)]
    after: u64,
}

/// The chat page; a first visit gets its chat id.
async fn page(State(s): State<ChatState>, headers: HeaderMap, Query(q): Query<After>) -> Response {
    let (id, new) = match chat_id(&headers) {
        Some(id) => (id, false),
        None => (random_hex(), true),
    };
    let view = match s.chat.view(&id, q.after) {
        Ok(view) => view,
        Err(_) => return notice(StatusCode::SERVICE_UNAVAILABLE, Notice::NOT_NOW),
    };
    let page = ChatPage {
        token: form_token(&s.form_key, &id),
        mid: random_hex(),
        hint_upload: matches!(view.hint, Hint::Photo | Hint::Document),
        hint_location: view.hint == Hint::Location,
        kind: if view.hint == Hint::Document { "dokumen" } else { "foto" },
        lines: view.lines.iter().map(|l| (l.from_citizen, markup(&l.text))).collect(),
        view: &view,
        version: env!("CARGO_PKG_VERSION"),
        max_mb: MAX_UPLOAD / (1024 * 1024),
    };
    let mut response = html(StatusCode::OK, page.render());
    let h = response.headers_mut();
    // Replies appear on this page only once: a cached copy would show them again.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if new {
        let cookie = format!(
            "{COOKIE}={id}; Path=/; Max-Age={COOKIE_MAX_AGE}; HttpOnly; SameSite=Strict; Secure"
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            h.insert(header::SET_COOKIE, v);
        }
    }
    response
}

#[derive(serde::Deserialize)]
struct SendForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    mid: String,
    #[serde(default)]
    after: u64,
    #[serde(default)]
    text: String,
    /// From the browser's geolocation (chat.js); typed addresses come as text.
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
}

/// A message from the text box, a choice button or the location button.
async fn send(
    State(s): State<ChatState>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<SendForm>,
) -> Response {
    let Some(id) = checked_chat(&s, &headers, &f.token) else {
        return notice(StatusCode::FORBIDDEN, Notice::EXPIRED);
    };
    let location = f.lat.trim().parse::<f64>().ok().zip(f.lon.trim().parse::<f64>().ok());
    let (input, shown) = match location {
        Some((lat, lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {
            (Input::Location { lat, lon }, format!("📍 {lat:.5}, {lon:.5}"))
        }
        _ => {
            let text: String = f.text.trim().chars().take(MAX_TEXT).collect();
            if text.is_empty() {
                return done(&headers);
            }
            (Input::Text(text.clone()), text)
        }
    };
    submit(&s, &headers, &id, &f.mid, input, shown, f.after).await
}

/// A photo or document: its kind is read from its bytes; anything but an image or a PDF is
/// refused before it reaches the dialog.
async fn upload(State(s): State<ChatState>, headers: HeaderMap, mut form: Multipart) -> Response {
    let (mut token, mut mid, mut after, mut kind, mut bytes) =
        (String::new(), String::new(), 0, AttachmentKind::Photo, None);
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return notice(StatusCode::PAYLOAD_TOO_LARGE, Notice::TOO_BIG);
            }
            Err(_) => return notice(StatusCode::BAD_REQUEST, Notice::BAD_UPLOAD),
        };
        let name = field.name().unwrap_or_default().to_string();
        let value = match field.bytes().await {
            Ok(v) => v,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return notice(StatusCode::PAYLOAD_TOO_LARGE, Notice::TOO_BIG);
            }
            Err(_) => return notice(StatusCode::BAD_REQUEST, Notice::BAD_UPLOAD),
        };
        let text = || String::from_utf8_lossy(&value).trim().to_string();
        match name.as_str() {
            "token" => token = text(),
            "mid" => mid = text(),
            "after" => after = text().parse().unwrap_or(0),
            "jenis" if text() == "dokumen" => kind = AttachmentKind::Document,
            "berkas" => bytes = Some(value.to_vec()),
            _ => {}
        }
    }
    let Some(id) = checked_chat(&s, &headers, &token) else {
        return notice(StatusCode::FORBIDDEN, Notice::EXPIRED);
    };
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else { return done(&headers) };
    let Some(file_type) = crate::attachments::FileType::of(&bytes) else {
        return notice(StatusCode::UNSUPPORTED_MEDIA_TYPE, Notice::NOT_A_FILE_WE_TAKE);
    };
    let shown = match kind {
        AttachmentKind::Photo => format!("📷 foto ({})", file_type.ext()),
        AttachmentKind::Document => format!("📄 dokumen ({})", file_type.ext()),
    };
    let input = match s.chat.attachment(bytes, kind) {
        Ok(input) => input,
        Err(e) => {
            tracing::warn!(error = %e, "web chat upload could not be taken");
            return notice(StatusCode::SERVICE_UNAVAILABLE, Notice::NOT_NOW);
        }
    };
    submit(&s, &headers, &id, &mid, input, shown, after).await
}

async fn submit(
    s: &ChatState,
    headers: &HeaderMap,
    id: &str,
    mid: &str,
    input: Input,
    shown: String,
    after: u64,
) -> Response {
    // Without a usable id the message is still taken, only not protected against a repeat.
    let mid = if is_message_id(mid) { mid.to_string() } else { random_hex() };
    match s.chat.post(id, &mid, input, shown, after).await {
        Ok(()) => done(headers),
        Err(e) => {
            tracing::warn!(error = %e, "web chat message not taken");
            notice(StatusCode::SERVICE_UNAVAILABLE, Notice::NOT_NOW)
        }
    }
}

/// After a post: chat.js only needs to know it is committed; a plain form goes back to the
/// page (303, so a reload does not post again).
fn done(headers: &HeaderMap) -> Response {
    if headers.get("x-pintu-fetch").is_some() {
        StatusCode::NO_CONTENT.into_response()
    } else {
        Redirect::to("/obrolan#akhir").into_response()
    }
}

#[derive(serde::Serialize)]
struct News {
    after: u64,
    lines: Vec<String>,
    choices: Vec<String>,
    hint: &'static str,
}

/// chat.js's poll: the replies newer than `after` (those up to `after` are acknowledged).
async fn news(State(s): State<ChatState>, headers: HeaderMap, Query(q): Query<After>) -> Response {
    let Some(id) = chat_id(&headers) else { return StatusCode::NO_CONTENT.into_response() };
    let view = match s.chat.news(&id, q.after) {
        Ok(view) => view,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let news = News {
        after: view.after,
        lines: view.lines.iter().map(|l| markup(&l.text)).collect(),
        choices: view.choices,
        hint: match view.hint {
            Hint::Photo => "foto",
            Hint::Document => "dokumen",
            Hint::Location => "lokasi",
            Hint::Contact | Hint::None => "",
        },
    };
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(news)).into_response()
}

/// The privacy notice in both languages, linked from every page's footer.
async fn privacy(State(s): State<ChatState>) -> Response {
    let catalogue = s.catalogue.borrow().clone();
    let text = |lang| markup(&catalogue.locales.text(lang, &Msg::new("privacy-notice")));
    let page =
        PrivacyPage { id: text(Lang::Id), en: text(Lang::En), version: env!("CARGO_PKG_VERSION") };
    html(StatusCode::OK, page.render())
}

#[derive(Template)]
#[template(path = "chat.html")]
struct ChatPage<'a> {
    view: &'a View,
    /// (from the citizen, the line as HTML).
    lines: Vec<(bool, String)>,
    token: String,
    mid: String,
    hint_upload: bool,
    hint_location: bool,
    /// The upload's preselected kind.
    kind: &'static str,
    version: &'static str,
    max_mb: usize,
}

#[derive(Template)]
#[template(path = "chat_privacy.html")]
struct PrivacyPage {
    id: String,
    en: String,
    version: &'static str,
}

#[derive(Template)]
#[template(path = "chat_notice.html")]
struct NoticePage {
    notice: &'static Notice,
    version: &'static str,
}

/// A short page when a message could not be taken, in Indonesian and English.
struct Notice {
    title: &'static str,
    id: &'static str,
    en: &'static str,
}

impl Notice {
    const TOO_MANY: &'static Notice = &Notice {
        title: "Terlalu banyak permintaan",
        id: "Mohon maaf, terlalu banyak permintaan dari alamat Anda dalam waktu singkat. \
             Silakan tunggu sebentar, lalu coba lagi.",
        en: "Too many requests from your address in a short time. Please wait a moment and try again.",
    };
    const EXPIRED: &'static Notice = &Notice {
        title: "Halaman kedaluwarsa",
        id: "Mohon maaf, pesan ini tidak dapat diterima karena halaman obrolan sudah kedaluwarsa \
             atau dikirim dari tempat lain. Silakan buka obrolan lagi dan kirim ulang pesannya.",
        en: "This message could not be taken: the chat page has expired or the form came from \
             elsewhere. Please open the chat again and resend it.",
    };
    const NOT_NOW: &'static Notice = &Notice {
        title: "Belum dapat diproses",
        id: "Mohon maaf, pesan Bapak/Ibu belum dapat kami proses saat ini. Silakan kirim lagi \
             sebentar lagi.",
        en: "Sorry, we cannot process your message right now. Please send it again shortly.",
    };
    const TOO_BIG: &'static Notice = &Notice {
        title: "Berkas terlalu besar",
        id: "Mohon maaf, berkas itu terlalu besar (paling besar 20 MB). Silakan kirim foto yang \
             lebih kecil.",
        en: "Sorry, that file is too large (20 MB at most). Please send a smaller photo.",
    };
    const BAD_UPLOAD: &'static Notice = &Notice {
        title: "Berkas tidak terbaca",
        id: "Mohon maaf, berkas tidak terkirim dengan utuh. Silakan pilih berkasnya dan kirim lagi.",
        en: "Sorry, the file did not arrive whole. Please choose it and send it again.",
    };
    const NOT_A_FILE_WE_TAKE: &'static Notice = &Notice {
        title: "Jenis berkas tidak didukung",
        id: "Mohon maaf, berkas ini bukan foto (JPEG, PNG, WebP) atau dokumen PDF, jadi tidak \
             dapat kami terima. Silakan kirim foto atau PDF.",
        en: "Sorry, this file is not a photo (JPEG, PNG, WebP) or a PDF document, so we cannot \
             take it. Please send a photo or a PDF.",
    };
}

fn notice(status: StatusCode, notice: &'static Notice) -> Response {
    html(status, NoticePage { notice, version: env!("CARGO_PKG_VERSION") }.render())
}

fn html(status: StatusCode, rendered: askama::Result<String>) -> Response {
    match rendered {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a web chat template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The chat id from the cookie, when it is one pintu could have made.
fn chat_id(headers: &HeaderMap) -> Option<String> {
    super::cookie(headers, COOKIE)
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The chat id, if the form's token is this chat's.
fn checked_chat(s: &ChatState, headers: &HeaderMap, token: &str) -> Option<String> {
    use subtle::ConstantTimeEq;
    let id = chat_id(headers)?;
    let expected = form_token(&s.form_key, &id);
    bool::from(expected.as_bytes().ct_eq(token.as_bytes())).then_some(id)
}

/// HMAC of the chat id: the same for every page of the chat, across restarts.
fn form_token(key: &[u8], id: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return String::new() };
    mac.update(b"pintu web chat form\0");
    mac.update(id.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// 128 random bits as hex; a chat id or a form's message id.
fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    // The OS's generator does not fail on the systems pintu runs on; were it to, an all-zero
    // id would make every citizen one chat, so better to stop.
    getrandom::fill(&mut bytes).expect("the OS random generator failed");
    hex::encode(bytes)
}

/// A message id made by this page or by chat.js.
fn is_message_id(mid: &str) -> bool {
    (8..=64).contains(&mid.len()) && mid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A line as HTML: escaped, with the dialogs' `*bold*` shown bold.
pub(super) fn markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let parts: Vec<&str> = line.split('*').collect();
        // An odd number of stars leaves the last one as it is.
        let pairs = (parts.len() - 1) / 2;
        for (j, part) in parts.iter().enumerate() {
            if j > 0 {
                let bold = j <= pairs * 2;
                out.push_str(match (bold, j % 2) {
                    (true, 1) => "<strong>",
                    (true, _) => "</strong>",
                    (false, _) => "*",
                });
            }
            escape_into(&mut out, part);
        }
    }
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_escapes_and_bolds_pairs_of_stars() {
        assert_eq!(markup("*Status* <b>&"), "<strong>Status</strong> &lt;b&gt;&amp;");
        assert_eq!(markup("a * b"), "a * b");
        assert_eq!(markup("*x* y *z"), "<strong>x</strong> y *z");
        assert_eq!(markup("1\n*2*"), "1\n<strong>2</strong>");
    }

    #[test]
    fn a_chat_id_must_be_one_pintu_could_have_made() {
        let mut h = HeaderMap::new();
        let id = random_hex();
        h.insert(header::COOKIE, format!("x=1; {COOKIE}={id}").parse().unwrap());
        assert_eq!(chat_id(&h), Some(id));
        h.insert(header::COOKIE, format!("{COOKIE}=../../etc").parse().unwrap());
        assert_eq!(chat_id(&h), None);
    }

    #[test]
    fn the_form_token_is_per_chat_and_per_key() {
        let a = form_token(b"key", "aa");
        assert_eq!(a, form_token(b"key", "aa"));
        assert_ne!(a, form_token(b"key", "ab"));
        assert_ne!(a, form_token(b"other", "aa"));
        assert_eq!(a.len(), 32);
    }
}
