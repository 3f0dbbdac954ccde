//! The web pages: the citizens' chat (`chat`), staff sign-in (`staff`), the officers' console
//! (`konsol`) and the admins' pages (`admin`), with the security headers every page gets and
//! the static assets served from the binary.
//!
//! May use: `attachments`, `audit`, `channel`, `clock`, `commit`, `convo`, `desk`, `diag`,
//! `engine`, `http`, `metrics`, `model`, `outbox`, `private_fs`, `reload`, `script`, `store`,
//! `tasks`, `users`, `validate`.

pub mod admin;
pub mod chat;
pub mod konsol;
pub mod staff;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// What the pages share.
#[derive(Clone)]
pub struct WebState {
    pub chat: chat::ChatState,
    pub staff: staff::StaffState,
    pub konsol: konsol::KonsolState,
    pub admin: admin::AdminState,
}

/// Every web page and asset, with the security headers.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/static/pintu.css", get(|| asset("text/css; charset=utf-8", CSS)))
        .route("/static/chat.js", get(|| asset("text/javascript; charset=utf-8", CHAT_JS)))
        .merge(chat::router(state.chat))
        .merge(staff::router(state.staff.clone()))
        .merge(konsol::router(state.konsol))
        .merge(admin::router(state.admin))
        .layer(axum::middleware::map_response(security_headers))
}

const CSS: &str = include_str!("static/pintu.css");
const CHAT_JS: &str = include_str!("static/chat.js");

/// Assets are named with the release in the pages' links (`?v=`), so they may be cached long.
async fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}

/// The value of cookie `name`, if the request has it.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_string())
}

/// Scripts and styles only from pintu itself (no inline script), no framing, no referrer.
async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
