//! The ticket API for agencies (and their backends' status callbacks):
//! `GET /api/v1/tickets`, `GET /api/v1/tickets/{nomor}`, `POST /api/v1/tickets/{nomor}/status`,
//! and for admins `GET /api/v1/outbox/dead`, `POST /api/v1/outbox/dead/{id}/requeue`.
//! Every call needs a bearer token; an OPD's token sees only that OPD's tickets.

use super::error::ApiError;
use super::{AppState, ClientAddr};
use crate::audit::AuditEvent;
use crate::clock::Now;
use crate::config::Scope;
use crate::desk::DeskError;
use crate::model::outbox::{OutboxEntry, OutboxOp};
use crate::model::ticket::{Actor, Ticket};
use crate::model::{Status, TicketNo};
use crate::outbox::forward;
use crate::outbox::worker::script_for;
use crate::store::{Batch, TicketFilter, TicketOrder};
use crate::ticket::change::ChangeError;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// API bodies are small JSON documents.
const BODY_LIMIT: usize = 16 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/tickets", get(list))
        .route("/api/v1/tickets/{no}", get(show))
        .route("/api/v1/tickets/{no}/status", post(set_status))
        .route("/api/v1/outbox/dead", get(dead_letters))
        .route("/api/v1/outbox/dead/{id}/requeue", post(requeue))
        .route("/api/v1/admin/reload", post(reload))
        .route("/api/v1/admin/backup", post(backup))
        .route("/api/v1/admin/stats", get(stats))
        .route("/api/v1/admin/audit", get(audit_log))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Finds the scope of the bearer token; compares digests in constant time against every
/// configured token so timing reveals nothing.
fn authorize(state: &AppState, headers: &HeaderMap) -> Result<Scope, ApiError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthorized("a bearer token is required"))?;
    let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
    let mut found = None;
    for (scope, want) in state.tokens.iter() {
        if bool::from(digest.ct_eq(want)) {
            found = Some(scope.clone());
        }
    }
    found.ok_or(ApiError::Unauthorized("unknown token"))
}

/// Appends one admin action to the audit log.
async fn audit(state: &AppState, from: &ClientAddr, action: &str, detail: String) {
    let e =
        AuditEvent::new(state.desk.clock.now(), "admin", action, "", detail).from(from.0.as_str());
    let _ = state.desk.committer.commit(Batch { audit: vec![e], ..Batch::default() }).await;
}

fn may_see(scope: &Scope, ticket: &Ticket) -> Result<(), ApiError> {
    match scope {
        Scope::Admin => Ok(()),
        Scope::Opd(opd) if *opd == ticket.opd => Ok(()),
        Scope::Opd(_) => Err(ApiError::Forbidden("this ticket belongs to another OPD")),
    }
}

fn now(state: &AppState) -> Now {
    Now::new(state.desk.clock.now(), state.desk.offset)
}

fn load(state: &AppState, no: &str) -> Result<Ticket, ApiError> {
    let prefixes: Vec<String> =
        state.desk.catalogue.borrow().ticket_prefixes().iter().map(|p| p.to_string()).collect();
    let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
    let no = TicketNo::parse(no, &prefixes).map_err(|_| ApiError::NotFound("no such ticket"))?;
    state.desk.store.ticket(&no)?.ok_or(ApiError::NotFound("no such ticket"))
}

/// A ticket as the API shows it: the delivery body plus history and follow-up.
fn ticket_json(state: &AppState, t: &Ticket) -> Value {
    let cat = state.desk.catalogue.borrow().clone();
    let now = now(state);
    let script = script_for(&cat, state.desk.store.as_ref(), t);
    let mut body = forward::ticket_body(
        t,
        t.followup.corrections,
        script.as_deref(),
        &cat,
        &state.links,
        &state.public_url,
        now.at.0,
    );
    let rfc = |s: i64| {
        time::OffsetDateTime::from_unix_timestamp(s).ok().and_then(|x| {
            x.to_offset(state.desk.offset)
                .format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
    };
    let history: Vec<Value> = t
        .history
        .iter()
        .map(|c| {
            let actor = match &c.actor {
                Actor::Citizen => "citizen".to_string(),
                Actor::Officer(who) => format!("officer:{who}"),
                Actor::System => "system".to_string(),
            };
            json!({ "at": rfc(c.at.0), "status": c.status.code(), "actor": actor, "note": c.note })
        })
        .collect();
    if let Value::Object(m) = &mut body {
        m.remove("version");
        m.remove("type");
        m.insert("history".into(), Value::Array(history));
        m.insert("overdue".into(), Value::Bool(t.overdue_on(now.today().to_julian_day())));
        let date = |jd: i32| time::Date::from_julian_day(jd).map(|d| d.to_string()).ok();
        m.insert("revised_due".into(), json!(t.followup.revised_due.and_then(date)));
    }
    body
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(no): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let scope = authorize(&state, &headers)?;
    let t = load(&state, &no)?;
    may_see(&scope, &t)?;
    Ok(Json(ticket_json(&state, &t)))
}

#[derive(Deserialize)]
struct ListQuery {
    opd: Option<String>,
    status: Option<String>,
    overdue: Option<bool>,
    limit: Option<usize>,
}

async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let scope = authorize(&state, &headers)?;
    let opd = match (&scope, q.opd) {
        (Scope::Opd(mine), Some(asked)) if *mine != asked => {
            return Err(ApiError::Forbidden("a token sees only its own OPD"));
        }
        (Scope::Opd(mine), _) => Some(mine.clone()),
        (Scope::Admin, asked) => asked,
    };
    let status = match q.status.as_deref() {
        None => None,
        Some(code) => Some(
            Status::parse(code)
                .ok_or_else(|| ApiError::Unprocessable(format!("unknown status `{code}`")))?,
        ),
    };
    let today = now(&state).today().to_julian_day();
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let filter = TicketFilter {
        opd,
        statuses: status.into_iter().collect(),
        overdue: q.overdue.map(|want| (today, want)),
        ..TicketFilter::default()
    };
    let page = state.desk.store.tickets_matching(&filter, TicketOrder::Number, 0, limit)?;
    let tickets: Vec<Value> = page
        .tickets
        .into_iter()
        .map(|t| {
            let date = |jd: i32| time::Date::from_julian_day(jd).map(|d| d.to_string()).ok();
            json!({
                "ticket": t.no.to_string(),
                "service": t.script,
                "opd": t.opd,
                "status": t.status.code(),
                "due": t.due.and_then(date),
                "overdue": t.overdue_on(today),
            })
        })
        .collect();
    Ok(Json(json!({ "tickets": tickets })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    status: String,
    note: Option<String>,
}

async fn set_status(
    State(state): State<AppState>,
    Extension(from): Extension<ClientAddr>,
    headers: HeaderMap,
    Path(no): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let scope = authorize(&state, &headers)?;
    let body: StatusBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::Unprocessable(format!("body must be {{\"status\": ..., \"note\": ...}}: {e}"))
    })?;
    let to = Status::parse(&body.status)
        .ok_or_else(|| ApiError::Unprocessable(format!("unknown status `{}`", body.status)))?;
    if body.note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(ApiError::Unprocessable("the note may have at most 1000 characters".into()));
    }
    let prefixes: Vec<String> =
        state.desk.catalogue.borrow().ticket_prefixes().iter().map(|p| p.to_string()).collect();
    let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
    let no = TicketNo::parse(&no, &prefixes).map_err(|_| ApiError::NotFound("no such ticket"))?;
    let (actor, opd) = match &scope {
        Scope::Admin => (Actor::Officer("admin".into()), None),
        Scope::Opd(opd) => (Actor::Officer(format!("api:{opd}")), Some(opd.as_str())),
    };
    let changed = state
        .desk
        .change_from(no, to, body.note.as_deref(), actor, opd, &from.0)
        .await
        .map_err(|e| match e {
        DeskError::NotFound => ApiError::NotFound("no such ticket"),
        DeskError::OtherOpd => ApiError::Forbidden("this ticket belongs to another OPD"),
        DeskError::Refused(ChangeError::NoteRequired(_)) => ApiError::Unprocessable(e.to_string()),
        DeskError::Refused(_) => ApiError::Conflict(e.to_string()),
        DeskError::NotStored => ApiError::Unavailable("the change could not be stored; try again"),
        DeskError::Store(e) => ApiError::from(e),
    })?;
    Ok(Json(ticket_json(&state, &changed)))
}

fn entry_json(e: &OutboxEntry) -> Value {
    let (kind, extra) = match &e.job {
        crate::model::outbox::Job::Forward { revision, .. } => {
            ("forward", json!({ "revision": revision }))
        }
        crate::model::outbox::Job::Push { .. } => ("push", json!({})),
        crate::model::outbox::Job::Remind { .. } => ("remind", json!({})),
        crate::model::outbox::Job::Notify { .. } => ("notify", json!({})),
    };
    json!({
        "id": e.id.to_string(),
        "kind": kind,
        "ticket": e.job.ticket().to_string(),
        "attempts": e.attempts,
        "last_error": e.last_error,
        "detail": extra,
    })
}

async fn dead_letters(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    if authorize(&state, &headers)? != Scope::Admin {
        return Err(ApiError::Forbidden("dead letters are for admins"));
    }
    let dead: Vec<Value> = state.desk.store.outbox_dead()?.iter().map(entry_json).collect();
    Ok(Json(json!({ "dead": dead })))
}

async fn requeue(
    State(state): State<AppState>,
    Extension(from): Extension<ClientAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if authorize(&state, &headers)? != Scope::Admin {
        return Err(ApiError::Forbidden("dead letters are for admins"));
    }
    let id: u64 = id.parse().map_err(|_| ApiError::NotFound("no such dead letter"))?;
    let entry = state
        .desk
        .store
        .outbox_dead()?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or(ApiError::NotFound("no such dead letter"))?;
    let again = OutboxEntry { due: state.desk.clock.now(), attempts: 0, ..entry };
    let audit = AuditEvent::new(
        state.desk.clock.now(),
        "admin",
        "requeue",
        id.to_string(),
        again.job.ticket().to_string(),
    )
    .from(from.0.as_str());
    let batch = Batch {
        outbox: vec![OutboxOp::Put(again.clone())],
        audit: vec![audit],
        ..Batch::default()
    };
    if !state.desk.committer.commit(batch).await {
        return Err(ApiError::Unavailable("could not re-queue; try again"));
    }
    tracing::info!(ticket = %again.job.ticket(), "dead letter re-queued by an admin");
    Ok(Json(entry_json(&again)))
}

/// `POST /api/v1/admin/reload`: load and check the dialogs; 200 when live, 422 with the
/// problems (`path:line:col: ...`) when the old version stays.
async fn reload(
    State(state): State<AppState>,
    Extension(from): Extension<ClientAddr>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    if authorize(&state, &headers)? != Scope::Admin {
        return Err(ApiError::Forbidden("reloading is for admins"));
    }
    let r = state.reloader.clone();
    let result = tokio::task::spawn_blocking(move || r.reload()).await;
    let outcome = match &result {
        Ok(Ok(n)) => format!("reloaded, {n} services"),
        Ok(Err(p)) => format!("refused, {} problems", p.len()),
        Err(_) => "failed".to_string(),
    };
    audit(&state, &from, "reload", outcome).await;
    match result {
        Ok(Ok(n)) => Ok(Json(json!({ "reloaded": true, "services": n }))),
        Ok(Err(problems)) => {
            let list: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
            Err(ApiError::Rejected(json!({ "reloaded": false, "problems": list })))
        }
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}

/// `POST /api/v1/admin/backup`: a consistent snapshot of the store's records (taken between
/// commits) in the backup format; `pintu backup` adds the attachment files from the data
/// folder.
async fn backup(
    State(state): State<AppState>,
    Extension(from): Extension<ClientAddr>,
    headers: HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    if authorize(&state, &headers)? != Scope::Admin {
        return Err(ApiError::Forbidden("backups are for admins"));
    }
    let taken = state.desk.committer.exclusive(|store| {
        let mut file = Vec::new();
        crate::store::backup::write(store, &mut file).map(|n| (n, file))
    });
    let (n, file) = taken.await.ok_or(ApiError::Unavailable("the store is shutting down"))??;
    tracing::info!(records = n, "backup taken through the API");
    audit(&state, &from, "backup", format!("{n} records")).await;
    let headers = [(axum::http::header::CONTENT_TYPE, "application/octet-stream")];
    Ok((headers, file).into_response())
}

/// `GET /api/v1/admin/stats`: counts of sessions, tickets by status, outbox depth.
async fn stats(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    if authorize(&state, &headers)? != Scope::Admin {
        return Err(ApiError::Forbidden("statistics are for admins"));
    }
    let s = crate::store::backup::stats(state.desk.store.as_ref())?;
    Ok(Json(serde_json::to_value(s).unwrap_or_default()))
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<usize>,
}

/// `GET /api/v1/admin/audit?limit=N`: the newest audit events first.
async fn audit_log(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    if authorize(&state, &headers)? != Scope::Admin {
        return Err(ApiError::Forbidden("the audit log is for admins"));
    }
    let events = state.desk.store.audit_log(q.limit.unwrap_or(100).clamp(1, 10_000))?;
    let rfc = |s: i64| {
        time::OffsetDateTime::from_unix_timestamp(s)
            .ok()
            .and_then(|x| x.format(&time::format_description::well_known::Rfc3339).ok())
    };
    let list: Vec<Value> = events
        .iter()
        .map(|e| json!({ "at": rfc(e.at.0), "who": e.who, "action": e.action, "target": e.target, "detail": e.detail, "from": e.from }))
        .collect();
    Ok(Json(json!({ "events": list })))
}
