//! Webhook mode: Telegram POSTs one update per request with the secret header. The answer is
//! 2xx only after the update is committed; 5xx makes Telegram retry; a wrong or missing secret
//! is 401 and changes nothing.

use super::{Telegram, map};
use crate::telemetry::Secret;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use std::sync::Arc;
use subtle::ConstantTimeEq;

#[derive(Clone)]
struct Hook {
    tg: Arc<Telegram>,
    secret: Secret<String>,
}

pub(super) fn router(tg: Arc<Telegram>, secret: Secret<String>) -> Router {
    Router::new().route("/telegram/webhook", post(receive)).with_state(Hook { tg, secret })
}

async fn receive(State(h): State<Hook>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers.get("x-telegram-bot-api-secret-token").map(|v| v.as_bytes()).unwrap_or(b"");
    if !bool::from(given.ct_eq(h.secret.expose().as_bytes())) {
        return StatusCode::UNAUTHORIZED;
    }
    let Some(map::Raw { id: Some(id), incoming }) = std::str::from_utf8(&body).ok().map(map::read)
    else {
        // Retrying cannot fix it: acknowledge and log.
        tracing::warn!("unreadable Telegram webhook body");
        return StatusCode::OK;
    };
    // Its own task: Telegram hanging up must not cancel the work between the commit and the
    // queueing of the replies, or they would wait for a restart (the redelivery is a duplicate).
    h.tg.tasks
        .clone()
        .spawn(async move {
            match h.tg.submit(id, incoming).await {
                Ok(None) => StatusCode::OK,
                Ok(Some((chat, rx))) => match h.tg.deliver(chat, rx).await {
                    Ok(()) => StatusCode::OK,
                    Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
                },
                Err(_) => StatusCode::SERVICE_UNAVAILABLE,
            }
        })
        .await
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
