//! Talking to the Graph API: sending rendered replies (buttons, lists, text; a template outside
//! the 24-hour window), marking messages read, and the two-step media download. Errors are
//! decided by Graph's `error.code`, not the HTTP status.

use super::map;
use super::window::{LastInbound, WINDOW_SECS};
use crate::channel::ChatKey;
use crate::channel::ordered::{Deliver, Sent};
use crate::clock::Clock;
use crate::config::WhatsAppConfig;
use crate::convo::Convo;
use crate::engine::status::PUSH_OVERDUE;
use crate::http::Health;
use crate::model::reply::{Arg, Msg, Outgoing, Piece};
use crate::net::{Answer, Endpoint, PostError, Timeouts};
use crate::script::catalogue::Catalogue;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Largest media pintu accepts (WhatsApp allows up to 100 MB; documents for a service are small).
const MAX_MEDIA: u64 = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("file too big ({0} bytes)")]
    TooBig(u64),
    #[error("media request failed: {0}")]
    Failed(String),
    #[error("media checksum mismatch")]
    Checksum,
}

/// The Graph API client of one business number.
pub struct Graph {
    /// For the media downloads.
    http: reqwest::Client,
    base: String,
    /// `{base}/{phone_number_id}/messages`: every reply is POSTed there.
    messages: Endpoint,
    /// `Bearer <token>`, marked sensitive (never shown in `Debug` output).
    authorization: HeaderValue,
    /// The headers of a POST to `messages`: the bearer and the JSON content type.
    post_headers: HeaderMap,
    template: Option<(String, String)>,
    catalogue: watch::Receiver<Arc<Catalogue>>,
    /// Sessions' last touch, for chats not heard from since the start.
    convo: Convo,
    last_inbound: LastInbound,
    clock: Arc<dyn Clock>,
    health: Arc<Health>,
    /// Throughput limit of the number: the earliest instant the next send may start. A plain
    /// mutex: it is held for a comparison, never across an await.
    next_slot: Mutex<Instant>,
    interval: Duration,
}

/// What a send attempt came to.
enum Attempt {
    Ok,
    /// 131047: outside the window; send the template instead.
    NeedsTemplate,
    Retry(Duration),
    Never(String),
}

impl Graph {
    pub fn new(
        wa: &WhatsAppConfig,
        outbound: &crate::net::Outbound,
        catalogue: watch::Receiver<Arc<Catalogue>>,
        convo: Convo,
        clock: Arc<dyn Clock>,
        health: Arc<Health>,
    ) -> anyhow::Result<Self> {
        let timeouts = Timeouts { connect: Duration::from_secs(5), total: Duration::from_secs(20) };
        let http =
            outbound.builder().connect_timeout(timeouts.connect).timeout(timeouts.total).build()?;
        let messages = outbound
            .endpoint(&format!("{}/{}/messages", wa.api_url, wa.phone_number_id), timeouts)
            .map_err(|e| anyhow::anyhow!("WHATSAPP_API_URL: {e:#}"))?;
        let mut authorization = HeaderValue::try_from(format!("Bearer {}", wa.token.expose()))
            .map_err(|_| anyhow::anyhow!("WHATSAPP_TOKEN holds characters a header cannot"))?;
        authorization.set_sensitive(true);
        let post_headers = HeaderMap::from_iter([
            (header::AUTHORIZATION, authorization.clone()),
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
        ]);
        Ok(Self {
            http,
            base: wa.api_url.clone(),
            messages,
            authorization,
            post_headers,
            template: wa.template.clone(),
            catalogue,
            convo,
            last_inbound: LastInbound::default(),
            clock,
            health,
            next_slot: Mutex::new(Instant::now()),
            interval: Duration::from_secs(1) / wa.rate_per_sec.max(1),
        })
    }

    /// Waits for the number's next free slot (per-number throughput limit).
    async fn slot(&self) {
        let wait = {
            // Held only for plain arithmetic: a poisoned lock still holds a valid instant.
            let mut next = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let at = (*next).max(now);
            *next = at + self.interval;
            at - now
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Pushes the whole number back (130429: the number's throughput was exceeded).
    fn pause(&self, d: Duration) {
        let mut next = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
        *next = (*next).max(Instant::now() + d);
    }

    /// POSTs one JSON body to the number's `/messages`.
    async fn post_messages(&self, json: Bytes) -> Result<Answer, PostError> {
        self.messages.post(&self.post_headers, json).await
    }

    async fn post(&self, json: Bytes) -> Attempt {
        self.slot().await;
        let Answer { status, body: bytes } = match self.post_messages(json).await {
            Ok(answer) => answer,
            Err(e) => {
                tracing::debug!(error = %e, "no answer from the Graph API");
                return Attempt::Retry(Duration::from_secs(2));
            }
        };
        if status.is_success() {
            self.health.whatsapp_token_invalid.store(false, Ordering::SeqCst);
            return Attempt::Ok;
        }
        let code = map::graph_error(&bytes).map(|(c, _)| c);
        match code {
            Some(131047) => Attempt::NeedsTemplate,
            Some(130429) | Some(4) | Some(80007) => {
                self.pause(Duration::from_secs(2));
                Attempt::Retry(Duration::from_secs(1))
            }
            // Pair rate limit: only this citizen waits (their own chat task sleeps).
            Some(131056) => Attempt::Retry(Duration::from_secs(6)),
            Some(131057) | Some(131000) | Some(1) | Some(2) => {
                Attempt::Retry(Duration::from_secs(5))
            }
            Some(190) => {
                self.health.whatsapp_token_invalid.store(true, Ordering::SeqCst);
                tracing::error!(
                    "WHATSAPP_TOKEN is expired or invalid: replace it; WhatsApp messages wait until then"
                );
                Attempt::Retry(Duration::from_secs(60))
            }
            Some(c) => Attempt::Never(format!("Graph error {c}")),
            None if status.is_server_error() || status.as_u16() == 429 => {
                Attempt::Retry(Duration::from_secs(3))
            }
            None => Attempt::Never(format!("HTTP {}", status.as_u16())),
        }
    }

    /// Sends one body, retrying temporary failures a few times.
    async fn send_body(&self, body: &map::Outbound) -> Attempt {
        let json = Bytes::from(body.to_json());
        for _ in 0..5 {
            match self.post(json.clone()).await {
                Attempt::Retry(d) => tokio::time::sleep(d).await,
                other => return other,
            }
        }
        Attempt::Retry(Duration::ZERO)
    }

    /// A citizen's message arrived (`sent`: Meta's timestamp of it).
    pub fn inbound(&self, chat: &ChatKey, sent: i64) {
        self.last_inbound.note(chat, sent, self.clock.now().0);
    }

    /// Is the customer-service window open (the citizen wrote in the last ~24 h)?
    fn window_open(&self, chat: &ChatKey) -> bool {
        let last =
            self.last_inbound.get(chat).or_else(|| self.convo.last_touched(chat).map(|t| t.0));
        last.is_some_and(|at| self.clock.now().0 - at < WINDOW_SECS)
    }

    async fn send(&self, chat: &ChatKey, out: &Outgoing) -> Sent {
        // Replies answer a message just received; pushes may come days later. (The template's
        // send is boxed: inline, its own `send_body` made every send's future 0.8 kB larger.)
        if !self.window_open(chat) {
            return Box::pin(self.send_template(chat, out)).await;
        }
        let bodies = {
            let cat = self.catalogue.borrow();
            let l = &cat.locales;
            let text = l.render(out.lang, &out.reply);
            let choices = l.choice_labels(out.lang, &out.reply);
            // The list button's label is rendered only for a reply that becomes a list.
            let list_button = || l.text(out.lang, &Msg::new("button-list"));
            map::outbound(&chat.id, &text, &choices, out.reply.hint, list_button)
        };
        for body in bodies {
            match self.send_body(&body).await {
                Attempt::Ok => {}
                Attempt::NeedsTemplate => return Box::pin(self.send_template(chat, out)).await,
                Attempt::Retry(_) => return Sent::Later,
                Attempt::Never(why) => return Sent::Never(why),
            }
        }
        Sent::Yes
    }

    /// Outside the window only an approved template may be sent: the ticket number, the service
    /// and the news, in that order.
    async fn send_template(&self, chat: &ChatKey, out: &Outgoing) -> Sent {
        let Some((name, lang)) = &self.template else {
            return Sent::Later;
        };
        let params = self.template_params(out);
        match self.send_body(&map::template(&chat.id, name, lang, &params)).await {
            Attempt::Ok => Sent::Yes,
            Attempt::Retry(_) | Attempt::NeedsTemplate => Sent::Later,
            Attempt::Never(why) => Sent::Never(why),
        }
    }

    /// The template's parameters: ticket number, service and the news. A status push gives its
    /// new status and an overdue apology its short form; any other reply (one that waited past
    /// the window, say over an outage) is told whole as the news, without ticket or service.
    fn template_params(&self, out: &Outgoing) -> Vec<String> {
        let cat = self.catalogue.borrow();
        let l = &cat.locales;
        let first = match out.reply.body.first() {
            Some(Piece::Msg(m)) => Some(m),
            _ => None,
        };
        let arg = |name: &str| {
            let (_, a) = first?.args.iter().find(|(n, _)| n == name)?;
            Some(match a {
                Arg::Text(t) => t.clone(),
                Arg::Num(n) => n.to_string(),
                Arg::Msg(inner) => l.text(out.lang, inner),
                Arg::Date(jd) => crate::locale::format_date(out.lang, *jd),
            })
        };
        let news = if first.is_some_and(|m| &*m.key == PUSH_OVERDUE) {
            l.text(out.lang, &Msg::new("template-overdue"))
        } else {
            arg("status").unwrap_or_else(|| l.render(out.lang, &out.reply))
        };
        vec![arg("tiket").unwrap_or_default(), arg("layanan").unwrap_or_default(), news]
    }

    /// Marks a citizen's message read (the blue ticks: we are on it). Best effort.
    pub async fn mark_read(&self, wamid: &str) {
        let _ = self.post_messages(map::mark_read(wamid).into()).await;
    }

    /// A GET with the bearer token that fails on non-2xx answers. Only for the Graph API and
    /// the media URLs it hands out.
    async fn get(&self, url: &str) -> Result<reqwest::Response, reqwest::Error> {
        let auth = self.authorization.clone();
        self.http.get(url).header(header::AUTHORIZATION, auth).send().await?.error_for_status()
    }

    /// The two-step media download: metadata, then the bytes (same bearer), checksum checked.
    /// The reported MIME type is not returned: pintu reads the kind from the content.
    pub async fn download(&self, media_id: &str) -> Result<Vec<u8>, MediaError> {
        let fail = |e: reqwest::Error| {
            MediaError::Failed(if e.is_timeout() {
                "timeout".into()
            } else {
                "request failed".into()
            })
        };
        let meta: serde_json::Value = self
            .get(&format!("{}/{media_id}", self.base))
            .await
            .map_err(fail)?
            .json()
            .await
            .map_err(fail)?;
        let size = meta["file_size"]
            .as_u64()
            .or_else(|| meta["file_size"].as_str().and_then(|s| s.parse().ok()));
        if let Some(s) = size.filter(|&s| s > MAX_MEDIA) {
            return Err(MediaError::TooBig(s));
        }
        let url = meta["url"].as_str().ok_or_else(|| MediaError::Failed("no url".into()))?;
        let bytes = self.get(url).await.map_err(fail)?.bytes().await.map_err(fail)?;
        if bytes.len() as u64 > MAX_MEDIA {
            return Err(MediaError::TooBig(bytes.len() as u64));
        }
        if let Some(want) = meta["sha256"].as_str()
            && hex::encode(Sha256::digest(&bytes)) != want.to_ascii_lowercase()
        {
            return Err(MediaError::Checksum);
        }
        Ok(bytes.to_vec())
    }
}

impl Deliver for Arc<Graph> {
    fn deliver(
        &self,
        chat: &ChatKey,
        out: &Outgoing,
    ) -> impl std::future::Future<Output = Sent> + Send {
        self.send(chat, out)
    }
}
