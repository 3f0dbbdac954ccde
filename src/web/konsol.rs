//! The officers' console: the queue of an OPD's tickets (`/konsol`) with filters, paging and a
//! CSV export, and a ticket's page (`/konsol/tiket/{nomor}`) with its answers, files and
//! history, where an officer changes its status.
//!
//! - An officer sees only their OPD's tickets; another OPD's ticket is 404, exactly like an
//!   unknown number. An admin sees every OPD's, with an OPD filter.
//! - A status change goes through the same desk as the ticket API and the Telegram buttons: the
//!   same rules, the same audit entry, and the citizen's push.
//! - NIK and KK are masked on the ticket's page; showing them in full is a form post, audited.
//!   The CSV holds no answers at all.

use super::staff::{Staff, forbidden, page, unavailable};
use crate::audit::AuditEvent;
use crate::clock::Timestamp;
use crate::desk::DeskError;
use crate::http::AppState;
use crate::model::ticket::{Actor, Ticket};
use crate::model::{ActorKind, SlaClock, Status, TicketNo};
use crate::script::StepKind;
use crate::store::{self, Batch, TicketFilter, TicketOrder};
use askama::Template;
use axum::Router;
use axum::extract::{FromRef, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::Value as Json;
use time::Date;

/// Tickets per page of the queue.
const PAGE: usize = 50;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the console's handlers share: the ticket API's state (desk, file links) and the
/// staff sign-in's.
#[derive(Clone)]
pub struct KonsolState {
    pub http: AppState,
    pub staff: super::staff::StaffState,
}

impl FromRef<KonsolState> for super::staff::StaffState {
    fn from_ref(s: &KonsolState) -> Self {
        s.staff.clone()
    }
}

pub fn router<S>(state: KonsolState) -> Router<S> {
    Router::new()
        .route("/konsol", get(queue))
        .route("/konsol/tiket.csv", get(csv))
        .route("/konsol/tiket/{no}", get(ticket_page))
        .route("/konsol/tiket/{no}/lihat", post(reveal))
        .route("/konsol/tiket/{no}/status", post(change_status))
        .with_state(state)
}

/// The queue's filters, as the filter form sends them (empty fields mean "any").
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
struct Filter {
    status: String,
    layanan: String,
    terlambat: String,
    dari: String,
    sampai: String,
    cari: String,
    opd: String,
    halaman: usize,
}

impl Filter {
    /// The query string of these filters (for the pager and the CSV link), page left out.
    fn query(&self) -> String {
        let pairs = [
            ("status", &self.status),
            ("layanan", &self.layanan),
            ("terlambat", &self.terlambat),
            ("dari", &self.dari),
            ("sampai", &self.sampai),
            ("cari", &self.cari),
            ("opd", &self.opd),
        ];
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            q.append_pair(k, v);
        }
        q.finish()
    }
}

/// The OPD whose tickets this staff member may see; `None` for an admin (every OPD).
fn scope(staff: &Staff) -> Option<&str> {
    staff.account.opd()
}

fn now(s: &KonsolState) -> crate::clock::Now {
    s.http.desk.now()
}

/// The ticket's due date (revised if announced) while its clock runs: working days left
/// (negative: late).
fn days_left(s: &KonsolState, t: &Ticket, today: Date) -> Option<i64> {
    if t.status.clock() != SlaClock::Runs {
        return None;
    }
    let due = Date::from_julian_day(t.current_due()?).ok()?;
    let calendar = &s.http.desk.settings.calendar;
    Some(if due >= today {
        i64::from(calendar.working_days_between(today, due))
    } else {
        -i64::from(calendar.working_days_between(due, today))
    })
}

fn local_time(s: &KonsolState, at: crate::clock::Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp(at.0)
        .map(|t| {
            let t = t.to_offset(s.http.desk.offset);
            format!("{} {:02}:{:02}", t.date(), t.hour(), t.minute())
        })
        .unwrap_or_default()
}

fn status_label(s: &KonsolState, status: Status) -> String {
    let cat = s.http.desk.catalogue.borrow();
    let msg = crate::model::reply::Msg::new(status.label_key());
    cat.locales.text(crate::model::session::Lang::Id, &msg)
}

fn service_title(s: &KonsolState, id: &str) -> String {
    let cat = s.http.desk.catalogue.borrow();
    let key = format!("{id}-title");
    if cat.locales.has(crate::model::session::Lang::Id, &key) {
        cat.locales.text(crate::model::session::Lang::Id, &crate::model::reply::Msg::new(key))
    } else {
        id.to_string()
    }
}

/// The tickets this staff member may see that pass the filters, newest first.
/// Why a ticket or the queue could not be shown.
enum Refusal {
    /// A form without this session's token.
    Forbidden,
    /// Unknown, or another OPD's: the same answer for both.
    NotFound,
    /// The store could not be read.
    Unavailable,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Forbidden => forbidden(),
            Refusal::NotFound => not_found(),
            Refusal::Unavailable => unavailable(),
        }
    }
}

/// The tickets the filters select, newest first: `limit` of them after the first `skip`, and
/// how many in all.
fn selected(
    s: &KonsolState,
    staff: &Staff,
    f: &Filter,
    skip: usize,
    limit: usize,
) -> Result<store::TicketPage, Refusal> {
    let offset = s.http.desk.offset;
    // A local day's first second.
    let day_start = |d: &str| {
        let day = Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
        Some(Timestamp(day.midnight().assume_offset(offset).unix_timestamp()))
    };
    let opd =
        scope(staff).map(str::to_owned).or_else(|| Some(f.opd.clone()).filter(|o| !o.is_empty()));
    let cari = f.cari.trim().to_uppercase();
    let filter = TicketFilter {
        opd,
        statuses: Status::parse(&f.status).into_iter().collect(),
        script: Some(f.layanan.clone()).filter(|l| !l.is_empty()),
        created_from: day_start(&f.dari),
        created_before: day_start(&f.sampai).map(|t| t.plus_secs(86_400)),
        number_contains: Some(cari).filter(|c| !c.is_empty()),
        overdue: (!f.terlambat.is_empty()).then(|| (now(s).today().to_julian_day(), true)),
    };
    s.http
        .desk
        .store
        .tickets_matching(&filter, TicketOrder::NewestFirst, skip, limit)
        .map_err(|_| Refusal::Unavailable)
}

struct Row {
    no: String,
    service: String,
    status: String,
    created: String,
    due: String,
    /// Working days left, or late (negative), while the clock runs.
    left: Option<i64>,
}

#[derive(Template)]
#[template(path = "konsol_queue.html")]
struct QueuePage<'a> {
    version: &'a str,
    name: &'a str,
    role: String,
    admin: bool,
    token: &'a str,
    filter: &'a Filter,
    statuses: Vec<(String, String)>,
    services: Vec<(String, String)>,
    rows: Vec<Row>,
    total: usize,
    page: usize,
    pages: usize,
    query: String,
}

async fn queue(State(s): State<KonsolState>, staff: Staff, Query(f): Query<Filter>) -> Response {
    let page_no = f.halaman.max(1);
    let mut found = selected(&s, &staff, &f, (page_no - 1) * PAGE, PAGE);
    let pages = found.as_ref().map_or(1, |p| p.total.div_ceil(PAGE).max(1));
    if page_no > pages {
        // Past the last page (the queue shrank since the link was made): the last page.
        found = selected(&s, &staff, &f, (pages - 1) * PAGE, PAGE);
    }
    let store::TicketPage { tickets, total } = match found {
        Ok(t) => t,
        Err(r) => return r.into_response(),
    };
    let page_no = page_no.min(pages);
    let today = now(&s).today();
    let rows = tickets
        .iter()
        .map(|t| Row {
            no: t.no.to_string(),
            service: service_title(&s, &t.script),
            status: status_label(&s, t.status),
            created: local_time(&s, t.created),
            due: t
                .current_due()
                .and_then(|d| Date::from_julian_day(d).ok())
                .map(|d| d.to_string())
                .unwrap_or_default(),
            left: days_left(&s, t, today),
        })
        .collect();
    let statuses =
        Status::ALL.iter().map(|st| (st.code().to_string(), status_label(&s, *st))).collect();
    let services = {
        let cat = s.http.desk.catalogue.borrow().clone();
        cat.scripts
            .values()
            .filter(|sc| scope(&staff).is_none_or(|o| *sc.opd == *o))
            .map(|sc| (sc.id.to_string(), service_title(&s, &sc.id)))
            .collect()
    };
    let shown = QueuePage {
        version: VERSION,
        name: &staff.account.name,
        role: super::staff::role_text(&staff.account.role),
        admin: staff.account.is_admin(),
        token: &staff.form_token,
        filter: &f,
        statuses,
        services,
        rows,
        total,
        page: page_no,
        pages,
        query: f.query(),
    };
    page(StatusCode::OK, shown.render())
}

/// The queue as CSV (the same filters, every page): numbers, services, statuses and dates,
/// no answers. Audited, as it leaves pintu.
async fn csv(State(s): State<KonsolState>, staff: Staff, Query(f): Query<Filter>) -> Response {
    let tickets = match selected(&s, &staff, &f, 0, usize::MAX) {
        Ok(found) => found.tickets,
        Err(r) => return r.into_response(),
    };
    let today = now(&s).today();
    let mut out = String::from("nomor,layanan,opd,status,masuk,tenggat,sisa_hari_kerja\r\n");
    for t in &tickets {
        let due = t.current_due().and_then(|d| Date::from_julian_day(d).ok());
        let left = days_left(&s, t, today).map(|d| d.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\r\n",
            t.no,
            csv_field(&service_title(&s, &t.script)),
            csv_field(&t.opd),
            t.status.code(),
            local_time(&s, t.created),
            due.map(|d| d.to_string()).unwrap_or_default(),
            left
        ));
    }
    let event = AuditEvent::new(now(&s).at, staff.actor(), "export_csv", "tickets", f.query())
        .from(staff.from.as_str());
    let batch = Batch { audit: vec![event], ..Batch::default() };
    if !s.http.desk.committer.commit(batch).await {
        return unavailable();
    }
    let mut response = out.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"tiket.csv\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A CSV field, quoted when needed; a leading `=`, `+`, `-` or `@` is defused so a
/// spreadsheet does not run it as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// The ticket, if this staff member may see it; otherwise the same 404 as an unknown number.
fn load(s: &KonsolState, staff: &Staff, no: &str) -> Result<Ticket, Refusal> {
    let prefixes: Vec<String> =
        s.http.desk.catalogue.borrow().ticket_prefixes().iter().map(|p| p.to_string()).collect();
    let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
    let Ok(no) = TicketNo::parse(no, &prefixes) else { return Err(Refusal::NotFound) };
    match s.http.desk.store.ticket(&no) {
        Ok(Some(t)) if scope(staff).is_none_or(|o| o == t.opd) => Ok(t),
        Ok(_) => Err(Refusal::NotFound),
        Err(_) => Err(Refusal::Unavailable),
    }
}

/// The ticket a form posted on its page is about, if the form carries this session's token.
fn form_ticket(s: &KonsolState, staff: &Staff, no: &str, token: &str) -> Result<Ticket, Refusal> {
    if !staff.form_ok(token) {
        return Err(Refusal::Forbidden);
    }
    load(s, staff, no)
}

fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        super::staff::notice_page(
            "Tidak ditemukan · Not found",
            "Tiket ini tidak ada, atau bukan milik OPD Anda.",
            "This ticket does not exist, or belongs to another OPD.",
        ),
    )
}

struct Answer {
    label: String,
    text: String,
    /// A signed link to the file, and whether it is a picture shown inline.
    file: Option<(String, bool)>,
    /// Masked (NIK, KK) until revealed.
    masked: bool,
}

struct Change {
    at: String,
    status: String,
    by: String,
    note: String,
}

#[derive(Template)]
#[template(path = "konsol_ticket.html")]
struct TicketPage<'a> {
    version: &'a str,
    token: &'a str,
    no: String,
    service: String,
    opd: String,
    status: String,
    created: String,
    due: String,
    left: Option<i64>,
    answers: Vec<Answer>,
    any_masked: bool,
    history: Vec<Change>,
    moves: Vec<(String, String)>,
    message: Option<(bool, String)>,
}

fn render_ticket(
    s: &KonsolState,
    staff: &Staff,
    t: &Ticket,
    revealed: bool,
    message: Option<(bool, String)>,
) -> Response {
    let cat = s.http.desk.catalogue.borrow().clone();
    let now = now(s);
    let script = crate::outbox::worker::script_for(&cat, s.http.desk.store.as_ref(), t);
    let body = crate::outbox::forward::ticket_body(
        t,
        t.followup.corrections,
        script.as_deref(),
        &cat,
        &s.http.links,
        // Links relative to the page: the officer reached pintu at whatever address this is.
        "",
        now.at.0,
    );
    let secret_kind = |step: &str| {
        script
            .as_ref()
            .and_then(|sc| sc.step_index(step).and_then(|i| sc.step(i)))
            .is_some_and(|st| matches!(st.kind, StepKind::Nik { .. } | StepKind::Kk { .. }))
    };
    let answers: Vec<Answer> = body["answers"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|a| {
            let get = |k: &str| a.get(k).and_then(Json::as_str).unwrap_or_default().to_string();
            let masked = !revealed && secret_kind(&get("step"));
            let text = match get("type").as_str() {
                "choice" => a
                    .get("text")
                    .and_then(Json::as_str)
                    .map_or_else(|| a["value"].to_string(), str::to_string),
                "yesno" => {
                    if a["value"].as_bool() == Some(true) {
                        "Ya".into()
                    } else {
                        "Tidak".into()
                    }
                }
                "number" => a["value"].to_string(),
                "location" => format!("{}, {}", a["lat"], a["lon"]),
                "skipped" => "—".into(),
                "file" => get("mime"),
                _ if masked => crate::validate::mask_nik(&get("value")),
                _ => get("value"),
            };
            let file =
                (get("type") == "file").then(|| (get("url"), get("mime").starts_with("image/")));
            Answer { label: get("label"), text, file, masked }
        })
        .collect();
    let history = t
        .history
        .iter()
        .map(|c| Change {
            at: local_time(s, c.at),
            status: status_label(s, c.status),
            by: match &c.actor {
                Actor::Citizen => "warga · citizen".into(),
                Actor::Officer(who) => who.clone(),
                Actor::System => "sistem · system".into(),
            },
            note: c.note.clone().unwrap_or_default(),
        })
        .collect();
    let moves = t
        .status
        .moves(ActorKind::Officer)
        .map(|st| (st.code().to_string(), status_label(s, st)))
        .collect();
    let shown = TicketPage {
        version: VERSION,
        token: &staff.form_token,
        no: t.no.to_string(),
        service: service_title(s, &t.script),
        opd: t.opd.clone(),
        status: status_label(s, t.status),
        created: local_time(s, t.created),
        due: t
            .current_due()
            .and_then(|d| Date::from_julian_day(d).ok())
            .map(|d| d.to_string())
            .unwrap_or_default(),
        left: days_left(s, t, now.today()),
        any_masked: answers.iter().any(|a| a.masked),
        answers,
        history,
        moves,
        message,
    };
    page(StatusCode::OK, shown.render())
}

async fn ticket_page(
    State(s): State<KonsolState>,
    staff: Staff,
    Path(no): Path<String>,
) -> Response {
    match load(&s, &staff, &no) {
        Ok(t) => render_ticket(&s, &staff, &t, false, None),
        Err(r) => r.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct TokenForm {
    #[serde(default)]
    token: String,
}

/// NIK and KK in full: one post, one audit entry naming the ticket.
async fn reveal(
    State(s): State<KonsolState>,
    staff: Staff,
    Path(no): Path<String>,
    axum::Form(form): axum::Form<TokenForm>,
) -> Response {
    let t = match form_ticket(&s, &staff, &no, &form.token) {
        Ok(t) => t,
        Err(r) => return r.into_response(),
    };
    let event = AuditEvent::new(now(&s).at, staff.actor(), "reveal", t.no.to_string(), "nik/kk")
        .from(staff.from.as_str());
    if !s.http.desk.committer.commit(Batch { audit: vec![event], ..Batch::default() }).await {
        return unavailable();
    }
    render_ticket(&s, &staff, &t, true, None)
}

#[derive(serde::Deserialize)]
struct StatusForm {
    #[serde(default)]
    token: String,
    status: String,
    #[serde(default)]
    catatan: String,
}

async fn change_status(
    State(s): State<KonsolState>,
    staff: Staff,
    Path(no): Path<String>,
    axum::Form(form): axum::Form<StatusForm>,
) -> Response {
    let t = match form_ticket(&s, &staff, &no, &form.token) {
        Ok(t) => t,
        Err(r) => return r.into_response(),
    };
    let Some(to) = Status::parse(&form.status) else {
        let msg = "Pilih status baru. · Choose the new status.".to_string();
        return render_ticket(&s, &staff, &t, false, Some((false, msg)));
    };
    let note = Some(form.catatan.trim()).filter(|n| !n.is_empty());
    let actor = Actor::Officer(staff.actor());
    let changed = s.http.desk.change_from(t.no, to, note, actor, scope(&staff), &staff.from).await;
    match changed {
        Ok(_) => Redirect::to(&format!("/konsol/tiket/{}", t.no)).into_response(),
        Err(DeskError::NotFound | DeskError::OtherOpd) => not_found(),
        Err(DeskError::Refused(why)) => {
            let msg = format!("Status tidak diubah: {why}. · Not changed: {why}.");
            render_ticket(&s, &staff, &t, false, Some((false, msg)))
        }
        Err(DeskError::NotStored | DeskError::Store(_)) => unavailable(),
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("KTP-el"), "KTP-el");
        assert_eq!(csv_field("Akta, kelahiran"), "\"Akta, kelahiran\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
