//! The WhatsApp Cloud API channel: a signed webhook on pintu's HTTP server (verified over the
//! raw bytes before anything is parsed), each message stepped once (dedupe by wamid) and
//! committed before Meta gets its 200, replies sent in order per citizen through the Graph API.

pub mod client;
pub mod map;
mod window;

use crate::channel::ordered::{Item, Ordered};
use crate::channel::{Channel, ChatKey, MessageId, Wiring};
use crate::config::{Config, WhatsAppConfig};
use crate::convo::{Convo, ConvoError, Inbound, Replies};
use crate::model::input::Input;
use crate::telemetry::Secret;
use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::routing::get;
use client::Graph;
use http_body_util::LengthLimitError;
use map::{Content, Event};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tokio::sync::oneshot;

/// Meta's webhook bodies reach 3 MB; axum's default limit is 2 MB.
const BODY_LIMIT: usize = 4 << 20;

/// The webhook's state, shared (`Arc`) by every request: cloning it per request would copy its
/// strings.
struct Hook {
    convo: Convo,
    graph: Arc<Graph>,
    sender: Ordered<Arc<Graph>>,
    app_secret: Secret<String>,
    verify_token: Secret<String>,
    phone_number_id: String,
    data_dir: PathBuf,
    /// Webhook work runs as these tasks (see `receive`).
    tasks: crate::tasks::Tasks,
}

/// Starts the channel; returns the webhook routes to mount.
pub fn start(core: &Wiring<'_>, config: &Config, wa: &WhatsAppConfig) -> anyhow::Result<Router> {
    let graph = Arc::new(Graph::new(
        wa,
        core.outbound,
        core.catalogue.clone(),
        core.convo.clone(),
        core.clock.clone(),
        core.health.clone(),
    )?);
    let sender = Ordered::new(graph.clone(), core.convo.clone(), core.tasks.clone());
    for (chat, reply) in core.convo.pending_replies(Channel::WhatsApp)? {
        sender.queue(chat, Item::Reply(reply));
    }
    sender.follow(
        core.sinks.register(Channel::WhatsApp),
        core.convo.register_unasked(Channel::WhatsApp),
    );
    tracing::info!(templates = wa.template.is_some(), "WhatsApp channel started");
    let hook = Hook {
        convo: core.convo.clone(),
        graph,
        sender,
        app_secret: wa.app_secret.clone(),
        verify_token: wa.verify_token.clone(),
        phone_number_id: wa.phone_number_id.clone(),
        data_dir: config.data_dir.clone(),
        tasks: core.tasks.clone(),
    };
    Ok(Router::new()
        .route("/whatsapp/webhook", get(verify).post(receive))
        .with_state(Arc::new(hook)))
}

/// Meta's subscription handshake: echo the challenge if the verify token matches.
async fn verify(
    State(h): State<Arc<Hook>>,
    Query(q): Query<HashMap<String, String>>,
) -> (StatusCode, String) {
    let mode_ok = q.get("hub.mode").is_some_and(|m| m == "subscribe");
    let given = q.get("hub.verify_token").map(String::as_bytes).unwrap_or(b"");
    let token_ok = bool::from(given.ct_eq(h.verify_token.expose().as_bytes()));
    match (mode_ok && token_ok, q.get("hub.challenge")) {
        (true, Some(c)) => (StatusCode::OK, c.clone()),
        _ => (StatusCode::FORBIDDEN, String::new()),
    }
}

/// Takes the request whole: axum's `HeaderMap` extractor would copy the headers (and free the
/// copy), ~2 % of pintu's CPU per WhatsApp message.
async fn receive(State(h): State<Arc<Hook>>, request: Request) -> StatusCode {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(body) => body,
        Err(e) if std::error::Error::source(&e).is_some_and(|e| e.is::<LengthLimitError>()) => {
            return StatusCode::PAYLOAD_TOO_LARGE;
        }
        Err(_) => return StatusCode::BAD_REQUEST,
    };
    let sig = parts.headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
    if !map::signature_ok(h.app_secret.expose().as_bytes(), sig, &body) {
        return StatusCode::UNAUTHORIZED;
    }
    let events = match map::events(&body, &h.phone_number_id) {
        Ok(e) => e,
        Err(why) => {
            // A bug of ours or Meta's: answering non-200 would only mean days of retries.
            tracing::warn!(%why, "unreadable WhatsApp webhook body");
            return StatusCode::OK;
        }
    };
    // Finished even if Meta hangs up: the work between a commit and the queueing of its
    // replies must not be cancelled, or they would wait for a restart (the redelivery is only
    // a duplicate).
    h.tasks.finish(h.clone().handle(events)).await
}

impl Hook {
    /// Steps every message of one webhook body and queues each committed message's replies,
    /// also when another one failed (Meta redelivers the whole body; those are duplicates then).
    async fn handle(self: Arc<Self>, events: Vec<Event>) -> StatusCode {
        let mut answer = StatusCode::OK;
        let mut waiting: Vec<(ChatKey, String, Replies)> = Vec::new();
        for event in events {
            match event {
                Event::Message { chat, wamid, content, timestamp, .. } => {
                    self.graph.inbound(&chat, timestamp);
                    let input = self.input(content).await;
                    let (done, rx) = oneshot::channel();
                    let inbound = Inbound {
                        chat: chat.clone(),
                        msg: Some(MessageId(format!("wa:{wamid}"))),
                        input,
                        done,
                    };
                    if self.convo.submit(inbound).await.is_err() {
                        answer = StatusCode::SERVICE_UNAVAILABLE;
                        break;
                    }
                    waiting.push((chat, wamid, rx));
                }
                Event::Status { status, errors, .. } => {
                    if status == "failed" {
                        tracing::warn!(
                            ?errors,
                            "WhatsApp reports a message could not be delivered"
                        );
                    } else {
                        tracing::debug!(%status, "WhatsApp delivery status");
                    }
                }
                Event::Error { codes } => tracing::warn!(?codes, "WhatsApp reports an error"),
            }
        }
        for (chat, wamid, rx) in waiting {
            match rx.await.unwrap_or(Err(ConvoError::Closed)) {
                Ok(replies) => {
                    // A reply going out shows the citizen their message was seen; only a
                    // message answered by nothing (a redelivery) gets the blue ticks by call.
                    if replies.is_empty() {
                        let graph = self.graph.clone();
                        self.tasks.spawn(async move { graph.mark_read(&wamid).await });
                    }
                    for q in replies {
                        self.sender.queue(chat.clone(), Item::Reply(q));
                    }
                }
                // Not committed: Meta delivers again, and the dedupe marker is not there yet.
                Err(_) => answer = StatusCode::INTERNAL_SERVER_ERROR,
            }
        }
        answer
    }

    async fn input(&self, content: Content) -> Input {
        match content {
            Content::Text(t) => Input::Text(t),
            // A button or list row we sent carries "c:<n>": the engine's numbered answer.
            Content::Choice { id, title } => {
                Input::Text(map::choice_from_id(&id).map_or(title, |n| n.to_string()))
            }
            Content::Location { lat, lon } => Input::Location { lat, lon },
            Content::Contact { phone, own } => Input::Contact { phone, own },
            Content::Unsupported => Input::Unsupported,
            // The MIME type and file name Meta reports are the sender's word: the content
            // decides (`attachment_input`).
            Content::Media { media_id, kind, .. } => match self.graph.download(&media_id).await {
                Ok(bytes) => match crate::channel::attachment_input(&self.data_dir, bytes, kind) {
                    Ok(input) => input,
                    Err(e) => {
                        tracing::error!(error = %e, "receiving a WhatsApp attachment failed");
                        Input::Unsupported
                    }
                },
                Err(client::MediaError::TooBig(bytes)) => Input::TooBig { bytes },
                Err(e) => {
                    tracing::warn!(error = %e, "WhatsApp media download failed");
                    Input::Unsupported
                }
            },
        }
    }
}
