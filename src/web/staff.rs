//! Staff sign-in for the console and the admin pages: the login form, sessions and the form
//! token (CSRF) every staff form carries.
//!
//! - A session is a random 256-bit token in a cookie (`HttpOnly; Secure; SameSite=Strict`).
//!   The store keeps only its SHA-256 (`StaffSession`), so sessions survive a restart, are
//!   shared by every instance on one database, and a copy of the store signs nobody in.
//! - Every sign-in gets a new token (the old cookie's session is ended: no fixation). A session
//!   ends after [`IDLE_SECS`] without a request, [`MAX_SECS`] after sign-in, at sign-out, and
//!   when the account is disabled or its password reset (`users.rs`); the account is read on
//!   every request, so a disabled account is out at once.
//! - Wrong passwords lock the account (`users::login`); the sign-in form is refused from
//!   another site (its `Origin`), and every other staff form carries the session's token.
//! - Sign-ins, failures, locks and sign-outs go to the audit log with the client's address.

use crate::desk::Desk;
use crate::http::client_ip;
use crate::model::account::{Account, Role, SessionOp, StaffSession};
use crate::store::Batch;
use crate::users::LoginOutcome;
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The session cookie's name.
const COOKIE: &str = "pintu_staff";
/// A session without a request for this long has ended (30 minutes).
pub const IDLE_SECS: i64 = 30 * 60;
/// A session ends this long after sign-in, however busy (a working day).
pub const MAX_SECS: i64 = 12 * 3600;
/// The last-seen time is written at most this often (one lazy write, not one per page).
const TOUCH_SECS: i64 = 60;
/// Where a request without a session is sent.
pub const SIGN_IN: &str = "/konsol/masuk";

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What sign-in and the session check need.
#[derive(Clone)]
pub struct StaffState {
    /// The store, committer and clock the console shares with the ticket API.
    pub desk: Desk,
    pub trusted_proxies: Arc<[IpAddr]>,
}

/// A signed-in staff member, from the session cookie; as an extractor, a request without a
/// valid session is redirected to the sign-in page.
#[derive(Debug, Clone)]
pub struct Staff {
    pub account: Account,
    /// The token this session's forms carry.
    pub form_token: String,
    /// The client's address, for the audit log.
    pub from: String,
    token_hash: [u8; 32],
}

impl Staff {
    /// The name the audit log gives this staff member.
    pub fn actor(&self) -> String {
        crate::users::actor(&self.account.login)
    }

    /// Is `token` (a form's hidden field) this session's? Constant time.
    pub fn form_ok(&self, token: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.form_token.as_bytes().ct_eq(token.as_bytes()))
    }
}

impl<S> FromRequestParts<S> for Staff
where
    StaffState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let s = StaffState::from_ref(state);
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let headers = parts.headers.clone();
        match tokio::task::spawn_blocking(move || s.signed_in(&headers, peer)).await {
            Ok(Ok(Some(staff))) => Ok(staff),
            Ok(Ok(None)) => Err(Redirect::to(SIGN_IN).into_response()),
            _ => Err(unavailable()),
        }
    }
}

impl StaffState {
    /// The staff member whose live session the request's cookie names, if any; marks the
    /// session seen. Reads the store: call it where blocking is allowed.
    pub fn signed_in(
        &self,
        headers: &HeaderMap,
        peer: Option<IpAddr>,
    ) -> Result<Option<Staff>, crate::store::StoreError> {
        let Some(token_hash) = session_cookie(headers).map(|t| hash(&t)) else { return Ok(None) };
        let store = &self.desk.store;
        let Some(session) = store.staff_session(&token_hash)? else { return Ok(None) };
        let Some(account) = store.account(&session.login)? else { return Ok(None) };
        let now = self.desk.clock.now();
        if account.disabled || !live(&session, now.0) {
            return Ok(None);
        }
        if now.0 - session.seen.0 >= TOUCH_SECS {
            let seen = StaffSession { seen: now, ..session.clone() };
            let op = SessionOp::Put(token_hash, seen);
            self.desk
                .committer
                .commit_later(Batch { staff_sessions: vec![op], ..Batch::default() });
        }
        let from = client_ip(peer, headers, &self.trusted_proxies).to_string();
        Ok(Some(Staff { account, form_token: session.form_token, from, token_hash }))
    }
}

/// Neither idle too long nor too old.
fn live(session: &StaffSession, now: i64) -> bool {
    now - session.seen.0 < IDLE_SECS && now - session.created.0 < MAX_SECS
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The session token from the cookie, when it has the form pintu gives them.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    super::cookie(headers, COOKIE)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// 256 random bits as hex.
fn random_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub fn router<S>(state: StaffState) -> Router<S> {
    Router::new()
        .route(SIGN_IN, get(sign_in_page).post(sign_in))
        .route("/konsol/keluar", post(sign_out))
        .with_state(state)
}

#[derive(Template)]
#[template(path = "staff_sign_in.html")]
struct SignInPage<'a> {
    version: &'a str,
    login: &'a str,
    /// Why the last attempt failed, Indonesian then English.
    problem: Option<(String, String)>,
}

async fn sign_in_page() -> Response {
    page(StatusCode::OK, SignInPage { version: VERSION, login: "", problem: None }.render())
}

#[derive(serde::Deserialize)]
struct SignInForm {
    login: String,
    password: String,
}

async fn sign_in(
    State(s): State<StaffState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<SignInForm>,
) -> Response {
    if !same_origin(&headers) {
        return forbidden();
    }
    let from = client_ip(Some(peer.ip()), &headers, &s.trusted_proxies).to_string();
    let login = form.login.trim().to_lowercase();
    let now = s.desk.clock.now();
    // argon2 takes tens of milliseconds of CPU: not on the async workers.
    let store = s.desk.store.clone();
    let (who, password, at) = (login.clone(), form.password, from.clone());
    let checked = tokio::task::spawn_blocking(move || {
        crate::users::login(store.as_ref(), &who, &password, &at, now)
    })
    .await;
    let Ok(Ok((outcome, mut batch))) = checked else { return unavailable() };
    let problem = match outcome {
        LoginOutcome::Ok(account) => {
            let (Some(token), Some(form_token)) = (random_token(), random_token()) else {
                return unavailable();
            };
            let session =
                StaffSession { login: account.login, created: now, seen: now, form_token };
            // A new token at every sign-in; a session the browser still had ends.
            if let Some(old) = session_cookie(&headers) {
                batch.staff_sessions.push(SessionOp::End(hash(&old)));
            }
            batch.staff_sessions.push(SessionOp::Put(hash(&token), session));
            if !s.desk.committer.commit(batch).await {
                return unavailable();
            }
            let mut response = Redirect::to("/konsol").into_response();
            let cookie = format!(
                "{COOKIE}={token}; Path=/; Max-Age={MAX_SECS}; HttpOnly; SameSite=Strict; Secure"
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, v);
            }
            return response;
        }
        LoginOutcome::Refused => {
            ("Login atau kata sandi salah.".to_string(), "Wrong login or password.".to_string())
        }
        LoginOutcome::Locked(until) => {
            let minutes = (until.0 - now.0 + 59) / 60;
            (
                format!(
                    "Terlalu banyak kata sandi salah: akun dikunci {minutes} menit lagi. \
                     Admin dapat membukanya lebih cepat."
                ),
                format!(
                    "Too many wrong passwords: the account is locked for {minutes} more minutes. \
                     An admin can unlock it sooner."
                ),
            )
        }
    };
    if !s.desk.committer.commit(batch).await {
        return unavailable();
    }
    let shown = SignInPage { version: VERSION, login: &login, problem: Some(problem) };
    page(StatusCode::UNAUTHORIZED, shown.render())
}

#[derive(serde::Deserialize)]
struct TokenForm {
    #[serde(default)]
    token: String,
}

async fn sign_out(
    State(s): State<StaffState>,
    staff: Staff,
    axum::Form(form): axum::Form<TokenForm>,
) -> Response {
    if !staff.form_ok(&form.token) {
        return forbidden();
    }
    let now = s.desk.clock.now();
    let event =
        crate::audit::AuditEvent::new(now, staff.actor(), "logout", &staff.account.login, "")
            .from(staff.from.as_str());
    let batch = Batch {
        staff_sessions: vec![SessionOp::End(staff.token_hash)],
        audit: vec![event],
        ..Batch::default()
    };
    if !s.desk.committer.commit(batch).await {
        return unavailable();
    }
    let mut response = Redirect::to(SIGN_IN).into_response();
    let gone = format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
    if let Ok(v) = HeaderValue::from_str(&gone) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// A form posted from another site's page is refused. Browsers say where a request comes from
/// in `Sec-Fetch-Site`; where they do not, `Origin` must name this host. (`Origin` alone is not
/// enough: with pintu's `Referrer-Policy: no-referrer` browsers send `Origin: null` even for
/// pintu's own forms.) A request with neither (an old browser, a script) is judged by the rest.
fn same_origin(headers: &HeaderMap) -> bool {
    let value = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    if let Some(site) = value(header::HeaderName::from_static("sec-fetch-site")) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = value(header::ORIGIN).filter(|o| *o != "null") else {
        return true;
    };
    let host = value(header::HOST).unwrap_or("");
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// The account's role in words, for pages.
pub fn role_text(role: &Role) -> String {
    match role {
        Role::Admin => "admin".to_string(),
        Role::Officer { opd } => format!("petugas {opd}"),
    }
}

#[derive(Template)]
#[template(path = "staff_notice.html")]
struct NoticePage<'a> {
    version: &'a str,
    title: &'a str,
    id: &'a str,
    en: &'a str,
}

/// A short page with a title and a sentence in Indonesian and English.
pub fn notice_page(title: &str, id: &str, en: &str) -> askama::Result<String> {
    NoticePage { version: VERSION, title, id, en }.render()
}

/// A form without this session's token, or from another site.
pub fn forbidden() -> Response {
    let notice = notice_page(
        "Formulir ditolak · Form refused",
        "Formulir ini kedaluwarsa atau tidak berasal dari halaman pintu. Muat ulang halaman lalu coba lagi.",
        "This form has expired or did not come from a pintu page. Reload the page and try again.",
    );
    page(StatusCode::FORBIDDEN, notice)
}

/// The store could not be read or written.
pub fn unavailable() -> Response {
    let notice = notice_page(
        "Sedang tidak tersedia · Unavailable",
        "pintu tidak dapat membaca atau menyimpan data saat ini. Coba lagi sebentar lagi.",
        "pintu cannot read or save data right now. Please try again in a moment.",
    );
    page(StatusCode::SERVICE_UNAVAILABLE, notice)
}

/// A rendered staff page, no-store (it may show personal data; a shared computer's back
/// button must not show it after sign-out).
pub fn page(status: StatusCode, rendered: askama::Result<String>) -> Response {
    match rendered {
        Ok(body) => {
            let mut response = (status, Html(body)).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "a staff page template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;

    #[test]
    fn sessions_end_when_idle_or_old() {
        let at = |created, seen| StaffSession {
            login: "budi".into(),
            created: Timestamp(created),
            seen: Timestamp(seen),
            form_token: String::new(),
        };
        assert!(live(&at(0, 0), IDLE_SECS - 1));
        assert!(!live(&at(0, 0), IDLE_SECS));
        assert!(live(&at(0, MAX_SECS - 10), MAX_SECS - 1));
        assert!(!live(&at(0, MAX_SECS - 10), MAX_SECS));
    }

    #[test]
    fn only_forms_of_this_site_sign_in() {
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, HeaderValue::from_static("pintu.example:8080"));
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_str(v).unwrap());
            }
            h
        };
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin"), ("origin", "null")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(same_origin(&headers(&[("origin", "https://pintu.example:8080")])));
        assert!(same_origin(&headers(&[])));
        assert!(!same_origin(&headers(&[("origin", "https://evil.example")])));
    }
}
