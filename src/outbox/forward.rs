//! Delivering tickets to agency backends: the versioned JSON body (documented in the README),
//! signed with the target's secret, with an idempotency key per ticket and revision.

use super::retry::{Outcome, classify_http};
use super::sign::{IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature};
use crate::attachments::FileLinks;
use crate::config::Target;
use crate::model::reply::Msg;
use crate::model::session::{Lang, Value};
use crate::model::ticket::Ticket;
use crate::script::catalogue::Catalogue;
use crate::script::{Script, StepKind};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// How long attachment links in a delivery stay valid.
const LINK_SECS: i64 = 24 * 3600;

/// Sends to the configured targets.
pub struct Forwarder {
    client: reqwest::Client,
    pub targets: BTreeMap<String, Target>,
    pub public_url: String,
    pub links: FileLinks,
}

impl Forwarder {
    pub fn new(
        outbound: &crate::net::Outbound,
        targets: BTreeMap<String, Target>,
        public_url: String,
        links: FileLinks,
    ) -> anyhow::Result<Self> {
        let client = outbound.builder().connect_timeout(Duration::from_secs(5)).build()?;
        Ok(Self { client, targets, public_url, links })
    }

    /// Posts a signed JSON body to the ticket's agency. `None` when the OPD has no target:
    /// its tickets wait in pintu for officers to use the API.
    pub async fn post(&self, opd: &str, key: &str, body: &Json, now: i64) -> Option<Outcome> {
        let target = self.targets.get(opd)?;
        let bytes = body.to_string().into_bytes();
        let sig = signature(target.secret.expose().as_bytes(), now, &bytes);
        let sent = self
            .client
            .post(&target.url)
            .timeout(Duration::from_secs(target.timeout_secs))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(IDEMPOTENCY_HEADER, key)
            .header(TIMESTAMP_HEADER, now.to_string())
            .header(SIGNATURE_HEADER, sig)
            .body(bytes)
            .send()
            .await;
        Some(match sent {
            Ok(resp) => {
                let retry_after = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                classify_http(resp.status().as_u16(), retry_after.as_deref())
            }
            // Connection refused, reset, timeout: the agency may be down for hours; keep trying.
            Err(e) => Outcome::Retry { after_secs: None, reason: describe(&e) },
        })
    }
}

/// A reqwest error without the URL (it may carry secrets in query strings).
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "broken response"
    } else {
        "request failed"
    };
    kind.to_string()
}

/// The idempotency key of a delivery: the ticket for the submission, `<ticket>-<n>` for the
/// n-th correction.
pub fn idempotency_key(ticket: &Ticket, revision: u32) -> String {
    if revision == 0 {
        ticket.no.as_str().to_string()
    } else {
        format!("{}-{revision}", ticket.no.as_str())
    }
}

/// The delivery body (format version 1); the API shows tickets the same way.
pub fn ticket_body(
    ticket: &Ticket,
    revision: u32,
    script: Option<&Script>,
    cat: &Catalogue,
    links: &FileLinks,
    public_url: &str,
    now: i64,
) -> Json {
    let date = |jd: i32| time::Date::from_julian_day(jd).map(|d| d.to_string()).unwrap_or_default();
    let text = |key: String| {
        let m = Msg::new(key.clone());
        cat.locales.has(Lang::Id, &key).then(|| cat.locales.text(Lang::Id, &m))
    };
    let answers: Vec<Json> = ticket
        .answers
        .iter()
        .map(|(step_id, value)| {
            let step = script.and_then(|s| s.step_index(step_id).and_then(|i| s.step(i)));
            let label = script
                .and_then(|s| step.map(|st| format!("{}.label", s.prompt_key(st))))
                .and_then(text)
                .unwrap_or_else(|| step_id.clone());
            let mut a = json!({ "step": step_id, "label": label });
            let fields = match value {
                Value::Text(t) => json!({ "type": "text", "value": t }),
                Value::Number(n) => json!({ "type": "number", "value": n }),
                Value::Date(jd) => json!({ "type": "date", "value": date(*jd) }),
                Value::Choice(i) => {
                    let opt = step.and_then(|st| match &st.kind {
                        StepKind::Choice(opts) => opts.get(usize::from(*i)).map(|o| (st, o)),
                        _ => None,
                    });
                    match (opt, script) {
                        (Some((st, o)), Some(s)) => json!({ "type": "choice", "value": &*o.value, "text": text(s.option_key(st, o)) }),
                        _ => json!({ "type": "choice", "value": i }),
                    }
                }
                Value::Yes(b) => json!({ "type": "yesno", "value": b }),
                Value::File(f) => json!({
                    "type": "file",
                    "url": links.url(public_url, &f.path, now + LINK_SECS),
                    "mime": f.mime,
                    "bytes": f.bytes,
                }),
                Value::Location { lat, lon } => json!({ "type": "location", "lat": lat, "lon": lon }),
                Value::Skipped => json!({ "type": "skipped" }),
            };
            if let (Json::Object(a), Json::Object(f)) = (&mut a, fields) {
                a.extend(f);
            }
            a
        })
        .collect();
    let submitted = time::OffsetDateTime::from_unix_timestamp(ticket.created.0)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok());
    json!({
        "version": 1,
        "type": "ticket",
        "ticket": ticket.no.to_string(),
        "revision": revision,
        "service": {
            "id": ticket.script,
            "version": ticket.version,
            "title": text(format!("{}-title", ticket.script)),
        },
        "opd": ticket.opd,
        "status": ticket.status.code(),
        "submitted_at": submitted,
        "due": ticket.due.map(date),
        "channel": ticket.chat.channel.code(),
        "answers": answers,
        "status_url": format!("{public_url}/api/v1/tickets/{}/status", ticket.no),
    })
}

/// The body of a daily overdue reminder.
pub fn reminder_body(ticket: &Ticket, day: i32) -> Json {
    let date = |jd: i32| time::Date::from_julian_day(jd).map(|d| d.to_string()).unwrap_or_default();
    json!({
        "version": 1,
        "type": "reminder",
        "ticket": ticket.no.to_string(),
        "service": { "id": ticket.script },
        "opd": ticket.opd,
        "status": ticket.status.code(),
        "due": ticket.due.map(date),
        "revised_due": ticket.followup.revised_due.map(date),
        "day": date(day),
    })
}
