//! The HTTP server: health and readiness, the ticket API for agencies, signed attachment
//! links. Channel webhooks mount here later.
//!
//! May use: `attachments`, `audit`, `clock`, `config`, `desk`, `metrics`, `model`, `outbox`,
//! `private_fs`, `reload`, `store`, `ticket`.

pub mod api;
pub mod error;
pub mod files;

use crate::attachments::FileLinks;
use crate::config::Scope;
use crate::desk::Desk;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What the endpoints report on.
#[derive(Debug, Default)]
pub struct Health {
    /// Store open and catalogue loaded.
    pub ready: AtomicBool,
    /// The Graph API refused the WhatsApp token (code 190): an admin must replace it.
    pub whatsapp_token_invalid: AtomicBool,
}

/// Everything the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub health: Arc<Health>,
    /// SHA-256 digests of bearer tokens with their scope.
    pub tokens: Arc<Vec<(Scope, [u8; 32])>>,
    pub links: FileLinks,
    pub public_url: String,
    /// Where status changes go (shared with officers' buttons); also the handlers' store,
    /// committer, clock, settings and catalogue.
    pub desk: Desk,
    pub metrics: Arc<crate::metrics::Metrics>,
    pub reloader: Arc<crate::reload::Reloader>,
    /// Proxies whose `X-Forwarded-For` is believed (`PINTU_TRUSTED_PROXIES`).
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
}

/// The client's address: the peer, unless the peer is a trusted proxy, then the last address in
/// `X-Forwarded-For` that is not one of the trusted proxies (the ones before it could be
/// written by the client itself).
pub fn client_ip(
    peer: Option<std::net::IpAddr>,
    headers: &axum::http::HeaderMap,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    let peer = peer.unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded.into_iter().rev().find(|ip| !trusted.contains(ip)).unwrap_or(peer)
}

/// Where a request came from ([`client_ip`]), for the audit log; set on every API request.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

/// Stamps each request with its [`ClientAddr`].
async fn stamp_client(
    State(trusted): State<Arc<[std::net::IpAddr]>>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let from = client_ip(peer, request.headers(), &trusted).to_string();
    request.extensions_mut().insert(ClientAddr(from));
    next.run(request).await
}

pub fn router(state: AppState) -> Router {
    let health = state.health.clone();
    let files =
        Router::new().route("/files/{name}", get(files::serve)).with_state(state.links.clone());
    Router::new()
        .route(
            "/healthz",
            get(|| async { (StatusCode::OK, axum::Json(serde_json::json!({"status": "ok"}))) }),
        )
        .route("/readyz", get(readyz).with_state(health))
        .route("/metrics", get(metrics).with_state(state.clone()))
        .merge(api::router(state.clone()))
        .merge(files)
        .layer(axum::middleware::from_fn_with_state(state.trusted_proxies, stamp_client))
}

/// OpenMetrics text (Prometheus scrapes it); no personal data in any label.
async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    let body = s.metrics.render(s.desk.store.as_ref(), s.desk.clock.now());
    ([(axum::http::header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], body)
}

async fn readyz(State(h): State<Arc<Health>>) -> impl IntoResponse {
    if h.whatsapp_token_invalid.load(Ordering::SeqCst) {
        let body = serde_json::json!({"status": "unhealthy", "reason": "WhatsApp token expired or invalid"});
        return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body));
    }
    if h.ready.load(Ordering::SeqCst) {
        (StatusCode::OK, axum::Json(serde_json::json!({"status": "ready"})))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"status": "starting"})))
    }
}
