//! The admins' pages under `/admin`: the dialog editor with the same checks as `pintu check`,
//! a preview chat on an in-memory store, the funnel per service, the audit log, staff accounts,
//! and how a sentence would be routed. Admins only (anyone else gets 404, as if the pages did
//! not exist); every change is audited as `konsol:<login>`, every form post CSRF-checked.

pub mod editor;
pub mod funnel;
pub mod preview;

use crate::audit::AuditEvent;
use crate::desk::Desk;
use crate::metrics::Metrics;
use crate::model::account::Role;
use crate::reload::Reloader;
use crate::store::Batch;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use editor::{Field, ServiceFiles};
use preview::Preview;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

impl axum::extract::FromRef<AdminState> for super::staff::StaffState {
    fn from_ref(s: &AdminState) -> Self {
        s.staff.clone()
    }
}

/// What the admin pages share.
#[derive(Clone)]
pub struct AdminState {
    pub reloader: Arc<Reloader>,
    pub desk: Desk,
    pub metrics: Arc<Metrics>,
    /// A draft idle this long counts as stopped in the funnel (as the engine asks to resume).
    pub resume_after_secs: i64,
    /// One save at a time: the fingerprint check, the write and the reload go together.
    pub saving: Arc<tokio::sync::Mutex<()>>,
    /// Each admin's preview, by login (one each).
    pub previews: Arc<Mutex<HashMap<String, Preview>>>,
    /// Who is asking: the staff sign-in.
    pub staff: super::staff::StaffState,
}

impl AdminState {
    pub fn new(
        reloader: Arc<Reloader>,
        desk: Desk,
        metrics: Arc<Metrics>,
        staff: super::staff::StaffState,
    ) -> Self {
        let resume_after_secs = desk.settings.resume_after_secs;
        Self {
            reloader,
            desk,
            metrics,
            resume_after_secs,
            saving: Arc::default(),
            previews: Arc::default(),
            staff,
        }
    }
}

pub fn router(state: AdminState) -> Router {
    Router::new()
        .route("/admin", get(home))
        .route("/admin/layanan", get(services))
        .route("/admin/layanan/{id}", get(edit).post(save))
        .route("/admin/pratinjau/{id}", get(preview_page).post(preview_say))
        .route("/admin/corong", get(funnel_page))
        .route("/admin/audit", get(audit_page))
        .route("/admin/pengguna", get(users_page).post(user_add))
        .route("/admin/pengguna/{login}", post(user_change))
        .route("/admin/rute", get(route_page))
        .with_state(state)
}

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn html(status: StatusCode, rendered: askama::Result<String>) -> Response {
    match rendered {
        Ok(body) => {
            let mut r = (status, Html(body)).into_response();
            // Pages show live data and one-time passwords: never from a cache.
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "an admin page template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A short page in Indonesian and English when something could not be done.
fn notice(status: StatusCode, id: &str, en: &str) -> Response {
    let page = NoticePage { version: VERSION, id, en };
    html(status, page.render())
}

fn busy() -> Response {
    notice(
        StatusCode::SERVICE_UNAVAILABLE,
        "Mohon maaf, data belum dapat dibaca atau disimpan saat ini. Silakan coba lagi sebentar lagi.",
        "Sorry, the data cannot be read or saved right now. Please try again shortly.",
    )
}

/// Appends one admin action to the audit log; true once it is durable.
async fn audit(s: &AdminState, admin: &Admin, action: &str, target: &str, detail: String) -> bool {
    let e = AuditEvent::new(
        s.desk.clock.now(),
        crate::users::actor(&admin.login),
        action,
        target,
        detail,
    )
    .from(admin.from.clone());
    s.desk.committer.commit(Batch { audit: vec![e], ..Batch::default() }).await
}

#[derive(Template)]
#[template(path = "admin_notice.html")]
struct NoticePage<'a> {
    version: &'static str,
    id: &'a str,
    en: &'a str,
}

// ----- home and the list of services -----

#[derive(Template)]
#[template(path = "admin_home.html")]
struct HomePage {
    version: &'static str,
    login: String,
}

async fn home(admin: Admin) -> Response {
    html(StatusCode::OK, HomePage { version: VERSION, login: admin.login }.render())
}

struct ServiceRow {
    id: String,
    title: String,
    version: String,
    opd: String,
    live: bool,
}

#[derive(Template)]
#[template(path = "admin_services.html")]
struct ServicesPage {
    version: &'static str,
    rows: Vec<ServiceRow>,
}

async fn services(_admin: Admin, State(s): State<AdminState>) -> Response {
    let live = s.reloader.live();
    let rows = ServiceFiles::list(&s.reloader)
        .into_iter()
        .map(|id| match live.script(&id) {
            Some(script) => ServiceRow {
                title: title(&live, script),
                version: script.version.to_string(),
                opd: script.opd.to_string(),
                live: true,
                id,
            },
            None => ServiceRow {
                id,
                title: String::new(),
                version: "–".into(),
                opd: String::new(),
                live: false,
            },
        })
        .collect();
    html(StatusCode::OK, ServicesPage { version: VERSION, rows }.render())
}

fn title(cat: &crate::script::catalogue::Catalogue, script: &crate::script::Script) -> String {
    let msg = crate::model::reply::Msg::new(script.title_key());
    cat.locales.text(crate::model::session::Lang::Id, &msg)
}

// ----- the editor -----

/// One text area of the editor, with what the check said about it.
struct Area {
    name: &'static str,
    label: &'static str,
    path: String,
    text: String,
    fingerprint: String,
    excerpt: Vec<ExcerptRow>,
}

/// A numbered line shown beside the editor, with its problems.
struct ExcerptRow {
    gap: bool,
    number: usize,
    text: String,
    problems: Vec<(bool, String)>,
}

#[derive(Template)]
#[template(path = "admin_editor.html")]
struct EditorPage {
    version: &'static str,
    csrf: String,
    id: String,
    areas: Vec<Area>,
    /// Problems in files other than these three.
    elsewhere: Vec<editor::Problem>,
    errors: usize,
    warnings: usize,
    /// What happened: saved, refused, stale.
    message: Option<(bool, String)>,
}

fn label(field: Field) -> &'static str {
    match field {
        Field::Dialog => "Dialog (YAML)",
        Field::TextsId => "Teks bahasa Indonesia (Fluent)",
        Field::TextsEn => "Teks bahasa Inggris · English texts (Fluent)",
    }
}

fn editor_page(
    csrf: String,
    files: &ServiceFiles,
    texts: &[String; 3],
    fingerprints: [String; 3],
    checked: Option<&editor::Checked>,
    message: Option<(bool, String)>,
) -> EditorPage {
    let problems = checked.map(|c| c.problems.as_slice()).unwrap_or_default();
    let areas = Field::ALL
        .iter()
        .zip(fingerprints)
        .map(|(&f, fingerprint)| {
            let mine: Vec<&editor::Problem> =
                problems.iter().filter(|p| p.field == Some(f)).collect();
            let excerpt = editor::excerpt(&texts[f as usize], &mine)
                .into_iter()
                .map(|l| ExcerptRow {
                    gap: l.gap,
                    number: l.number,
                    text: l.text,
                    problems: l
                        .problems
                        .iter()
                        .map(|p| {
                            let at = format!(
                                "baris {} kolom {} · line {} col {}",
                                p.line, p.col, p.line, p.col
                            );
                            (p.error, format!("{at}: {}", p.message))
                        })
                        .collect(),
                })
                .collect();
            Area {
                name: f.name(),
                label: label(f),
                path: files.path(f).display().to_string(),
                text: texts[f as usize].clone(),
                fingerprint,
                excerpt,
            }
        })
        .collect();
    EditorPage {
        version: VERSION,
        csrf,
        id: files.id.clone(),
        areas,
        elsewhere: problems.iter().filter(|p| p.field.is_none()).cloned().collect(),
        errors: problems.iter().filter(|p| p.error).count(),
        warnings: problems.iter().filter(|p| !p.error).count(),
        message,
    }
}

fn read_all(files: &ServiceFiles) -> std::io::Result<[String; 3]> {
    Ok([files.read(Field::Dialog)?, files.read(Field::TextsId)?, files.read(Field::TextsEn)?])
}

fn not_found() -> Response {
    notice(
        StatusCode::NOT_FOUND,
        "Halaman atau layanan ini tidak ada.",
        "This page or service does not exist.",
    )
}

async fn edit(admin: Admin, State(s): State<AdminState>, Path(id): Path<String>) -> Response {
    let Some(files) = ServiceFiles::of(&s.reloader, &id) else { return not_found() };
    let Ok(texts) = read_all(&files) else { return busy() };
    let fingerprints = texts.clone().map(|t| editor::fingerprint(&t));
    html(StatusCode::OK, editor_page(admin.csrf, &files, &texts, fingerprints, None, None).render())
}

#[derive(serde::Deserialize)]
struct SaveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    dialog: String,
    #[serde(default)]
    teks_id: String,
    #[serde(default)]
    teks_en: String,
    #[serde(default)]
    h_dialog: String,
    #[serde(default)]
    h_teks_id: String,
    #[serde(default)]
    h_teks_en: String,
    /// `simpan` (save) or `pratinjau` (preview without saving).
    #[serde(default)]
    aksi: String,
}

async fn save(
    admin: Admin,
    State(s): State<AdminState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<SaveForm>,
) -> Response {
    if !admin.csrf_ok(&form.csrf) {
        return expired();
    }
    let Some(files) = ServiceFiles::of(&s.reloader, &id) else { return not_found() };
    let mut texts = [&form.dialog, &form.teks_id, &form.teks_en].map(|t| editor::normalise(t));
    let sent = [form.h_dialog, form.h_teks_id, form.h_teks_en];
    if form.aksi == "pratinjau" {
        return preview_candidate(&admin, &s, &files, texts, sent).await;
    }
    let _one = s.saving.lock().await;
    let Ok(current) = read_all(&files) else { return busy() };
    let now = current.clone().map(|t| editor::fingerprint(&t));
    if now != sent {
        // Someone saved (here or over SSH) since this form was opened. The admin's text stays
        // in the form, now carrying the newer fingerprints: saving again overwrites knowingly.
        let msg = "Berkas ini sudah diubah orang lain sejak formulir dibuka; tidak disimpan. \
                   Teks Anda masih di bawah. Bandingkan dengan berkas terbaru (buka halaman ini \
                   lagi di tab lain), lalu simpan lagi untuk menimpanya. · The file changed since \
                   this form was opened; nothing was saved. Your text is kept below: compare with \
                   the newest file, then save again to overwrite it.";
        let page = editor_page(admin.csrf, &files, &texts, now, None, Some((false, msg.into())));
        return html(StatusCode::CONFLICT, page.render());
    }
    let checked = {
        let (r, f) = (s.reloader.clone(), files.clone());
        let mut t = texts.clone();
        match tokio::task::spawn_blocking(move || (editor::check(&r, &f, &mut t), t)).await {
            Ok((checked, t)) => {
                texts = t;
                checked
            }
            Err(_) => return busy(),
        }
    };
    if checked.has_errors() {
        let msg = format!(
            "Tidak disimpan: {} kesalahan, lihat di samping barisnya. · Not saved: {} error(s), \
             shown next to their lines.",
            checked.problems.iter().filter(|p| p.error).count(),
            checked.problems.iter().filter(|p| p.error).count(),
        );
        let page = editor_page(admin.csrf, &files, &texts, now, Some(&checked), Some((false, msg)));
        return html(StatusCode::UNPROCESSABLE_ENTITY, page.render());
    }
    let changed: Vec<Field> =
        Field::ALL.into_iter().filter(|f| texts[*f as usize] != current[*f as usize]).collect();
    // Texts first: a reload between two writes then sees new texts with the old dialog (unused
    // texts are only warnings), not a dialog whose texts are missing.
    for f in [Field::TextsEn, Field::TextsId, Field::Dialog] {
        if changed.contains(&f)
            && let Err(e) =
                crate::private_fs::replace_private(files.path(f), texts[f as usize].as_bytes())
        {
            tracing::error!(file = %files.path(f).display(), error = %e, "dialog edit not written");
            return busy();
        }
    }
    let r = s.reloader.clone();
    let reloaded = tokio::task::spawn_blocking(move || r.reload()).await;
    let names: Vec<String> = changed
        .iter()
        .map(|f| {
            files.path(*f).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        })
        .collect();
    let mut detail = if names.is_empty() { "no change".to_string() } else { names.join(", ") };
    if let Some((from, to)) = checked.bumped {
        detail.push_str(&format!("; version {from} → {to}"));
    }
    let live = matches!(reloaded, Ok(Ok(_)));
    if !live {
        detail.push_str("; reload failed");
    }
    audit(&s, &admin, "dialog_save", &files.id, detail).await;
    let mut msg = if live {
        "Tersimpan dan sudah berlaku untuk warga. · Saved and live for citizens.".to_string()
    } else {
        "Tersimpan, tetapi pemuatan ulang gagal (lihat log server); versi lama masih berlaku. · \
         Saved, but the reload failed (see the server log); the old version is still live."
            .to_string()
    };
    if let Some((from, to)) = checked.bumped {
        msg.push_str(&format!(
            " Langkah dialog berubah, jadi versi dinaikkan dari {from} ke {to}; warga yang sedang \
             mengisi menyelesaikan versi {from}. · The steps changed, so the version was raised \
             from {from} to {to}; citizens mid-dialog finish on version {from}."
        ));
    }
    let fingerprints = texts.clone().map(|t| editor::fingerprint(&t));
    let page =
        editor_page(admin.csrf, &files, &texts, fingerprints, Some(&checked), Some((live, msg)));
    html(StatusCode::OK, page.render())
}

fn expired() -> Response {
    notice(
        StatusCode::FORBIDDEN,
        "Formulir ini kedaluwarsa atau tidak berasal dari pintu. Silakan buka halamannya lagi.",
        "This form has expired or did not come from pintu. Please open the page again.",
    )
}

// ----- preview -----

/// Checks the edited texts and, when they load, starts a preview on them.
async fn preview_candidate(
    admin: &Admin,
    s: &AdminState,
    files: &ServiceFiles,
    mut texts: [String; 3],
    sent: [String; 3],
) -> Response {
    let (r, f) = (s.reloader.clone(), files.clone());
    let checked = {
        let mut t = texts.clone();
        match tokio::task::spawn_blocking(move || (editor::check(&r, &f, &mut t), t)).await {
            Ok((checked, t)) => {
                texts = t;
                checked
            }
            Err(_) => return busy(),
        }
    };
    if checked.has_errors() {
        let msg = "Pratinjau tidak dapat dimulai: perbaiki kesalahannya dulu. · The preview \
                   cannot start: fix the errors first.";
        let page = editor_page(
            admin.csrf.clone(),
            files,
            &texts,
            sent,
            Some(&checked),
            Some((false, msg.into())),
        );
        return html(StatusCode::UNPROCESSABLE_ENTITY, page.render());
    }
    let replaced: Vec<(std::path::PathBuf, String)> = Field::ALL
        .iter()
        .map(|f| (files.path(*f).to_path_buf(), texts[*f as usize].clone()))
        .collect();
    let r = s.reloader.clone();
    let Ok((catalogue, _)) = tokio::task::spawn_blocking(move || r.candidate(&replaced)).await
    else {
        return busy();
    };
    start_preview(admin, s, &files.id, true, Arc::new(catalogue)).await
}

/// Starts `admin`'s preview of `id` (replacing any other) and shows it.
async fn start_preview(
    admin: &Admin,
    s: &AdminState,
    id: &str,
    unsaved: bool,
    catalogue: Arc<crate::script::catalogue::Catalogue>,
) -> Response {
    match new_preview(admin, s, id, unsaved, catalogue).await {
        Ok(()) => Redirect::to(&format!("/admin/pratinjau/{id}#akhir")).into_response(),
        Err(response) => response,
    }
}

async fn new_preview(
    admin: &Admin,
    s: &AdminState,
    id: &str,
    unsaved: bool,
    catalogue: Arc<crate::script::catalogue::Catalogue>,
) -> Result<(), Response> {
    let started = Preview::start(
        id,
        unsaved,
        catalogue,
        s.desk.settings.clone(),
        s.desk.clock.clone(),
        s.desk.offset,
    );
    let Ok(mut preview) = started else { return Err(busy()) };
    if let Some(opening) = preview.opening() {
        match preview.stepper().say(&opening).await {
            Ok(lines) => preview.push(lines),
            Err(_) => return Err(busy()),
        }
    }
    let Ok(mut all) = s.previews.lock() else { return Err(busy()) };
    all.insert(admin.login.clone(), preview);
    Ok(())
}

#[derive(Template)]
#[template(path = "admin_preview.html")]
struct PreviewPage {
    version: &'static str,
    csrf: String,
    id: String,
    unsaved: bool,
    /// (from the admin, the line as HTML).
    lines: Vec<(bool, String)>,
}

async fn preview_page(
    admin: Admin,
    State(s): State<AdminState>,
    Path(id): Path<String>,
) -> Response {
    let shown = |s: &AdminState| {
        let all = s.previews.lock().ok()?;
        all.get(&admin.login).filter(|p| p.service == id).map(|p| (p.unsaved, p.lines.clone()))
    };
    let (unsaved, lines) = match shown(&s) {
        Some(shown) => shown,
        None => {
            // No preview of this service yet: one of the saved version.
            let live = s.reloader.live();
            if live.script(&id).is_none() {
                return not_found();
            }
            if let Err(response) = new_preview(&admin, &s, &id, false, live).await {
                return response;
            }
            let Some(shown) = shown(&s) else { return busy() };
            shown
        }
    };
    // As the web chat shows them: escaped, `*bold*` bold.
    let lines = lines.into_iter().map(|(me, text)| (me, super::chat::markup(&text))).collect();
    let page = PreviewPage { version: VERSION, csrf: admin.csrf, id, unsaved, lines };
    html(StatusCode::OK, page.render())
}

#[derive(serde::Deserialize)]
struct SayForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
    /// `ulang`: start the preview again on the saved version.
    #[serde(default)]
    aksi: String,
}

async fn preview_say(
    admin: Admin,
    State(s): State<AdminState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<SayForm>,
) -> Response {
    if !admin.csrf_ok(&form.csrf) {
        return expired();
    }
    if form.aksi == "ulang" {
        if let Ok(mut all) = s.previews.lock() {
            all.remove(&admin.login);
        }
        return Redirect::to(&format!("/admin/pratinjau/{id}#akhir")).into_response();
    }
    let text: String = form.text.trim().chars().take(4096).collect();
    let stepper = {
        let Ok(all) = s.previews.lock() else { return busy() };
        all.get(&admin.login).filter(|p| p.service == id).map(Preview::stepper)
    };
    let Some(stepper) = stepper else {
        return Redirect::to(&format!("/admin/pratinjau/{id}")).into_response();
    };
    if !text.is_empty() {
        let Ok(lines) = stepper.say(&text).await else { return busy() };
        if let Ok(mut all) = s.previews.lock()
            && let Some(p) = all.get_mut(&admin.login).filter(|p| p.service == id)
        {
            p.push(lines);
        }
    }
    Redirect::to(&format!("/admin/pratinjau/{id}#akhir")).into_response()
}

// ----- funnel -----

struct Chart {
    f: funnel::ServiceFunnel,
    bars: Vec<funnel::Bar>,
    height: u32,
}

#[derive(Template)]
#[template(path = "admin_funnel.html")]
struct FunnelPage {
    version: &'static str,
    charts: Vec<Chart>,
    label_w: u32,
    width: u32,
    resume_minutes: i64,
}

async fn funnel_page(_admin: Admin, State(s): State<AdminState>) -> Response {
    let store = s.desk.store.clone();
    let read = tokio::task::spawn_blocking(move || {
        let tickets = store.tickets()?;
        let mut sessions = Vec::new();
        store.sessions(&mut |_, session| {
            if session.flow.is_some() {
                sessions.push(session);
            }
            Ok(())
        })?;
        Ok::<_, crate::store::StoreError>((tickets, sessions))
    })
    .await;
    let Ok(Ok((tickets, sessions))) = read else { return busy() };
    let live = s.reloader.live();
    let now = s.desk.clock.now();
    let counted = funnel::count(&live, &tickets, &sessions, &s.metrics, now, s.resume_after_secs);
    let charts = counted
        .into_iter()
        .map(|f| {
            let bars = funnel::bars(&f);
            let height = u32::try_from(bars.len()).unwrap_or(0) * funnel::ROW_H + 4;
            Chart { f, bars, height }
        })
        .collect();
    let page = FunnelPage {
        version: VERSION,
        charts,
        label_w: funnel::LABEL_W,
        width: funnel::LABEL_W + funnel::BAR_W + funnel::VALUE_W,
        resume_minutes: s.resume_after_secs / 60,
    };
    html(StatusCode::OK, page.render())
}

// ----- audit log -----

/// Events per page of the audit log.
const AUDIT_PAGE: usize = 50;
/// How far back the audit page reads (newest first).
const AUDIT_SCAN: usize = 10_000;

#[derive(serde::Deserialize, Default)]
struct AuditQuery {
    #[serde(default)]
    pelaku: String,
    #[serde(default)]
    aksi: String,
    #[serde(default)]
    hal: usize,
}

struct AuditRow {
    at: String,
    who: String,
    action: String,
    target: String,
    detail: String,
    from: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    version: &'static str,
    pelaku: String,
    aksi: String,
    rows: Vec<AuditRow>,
    page: usize,
    prev: Option<String>,
    next: Option<String>,
}

async fn audit_page(
    _admin: Admin,
    State(s): State<AdminState>,
    Query(q): Query<AuditQuery>,
) -> Response {
    let store = s.desk.store.clone();
    let Ok(Ok(events)) = tokio::task::spawn_blocking(move || store.audit_log(AUDIT_SCAN)).await
    else {
        return busy();
    };
    let (who, what) = (q.pelaku.trim().to_lowercase(), q.aksi.trim().to_lowercase());
    let matching: Vec<AuditEvent> = events
        .into_iter()
        .filter(|e| who.is_empty() || e.who.to_lowercase().contains(&who))
        .filter(|e| what.is_empty() || e.action.to_lowercase().contains(&what))
        .collect();
    let offset = s.desk.offset;
    let rows: Vec<AuditRow> = matching
        .iter()
        .skip(q.hal * AUDIT_PAGE)
        .take(AUDIT_PAGE)
        .map(|e| AuditRow {
            at: local_time(e.at, offset),
            who: e.who.clone(),
            action: e.action.clone(),
            target: e.target.clone(),
            detail: e.detail.clone(),
            from: e.from.clone(),
        })
        .collect();
    let link = |page: usize| {
        let enc = |s: &str| -> String {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        };
        format!("/admin/audit?pelaku={}&aksi={}&hal={page}", enc(&q.pelaku), enc(&q.aksi))
    };
    let page = AuditPage {
        version: VERSION,
        prev: (q.hal > 0).then(|| link(q.hal - 1)),
        next: (matching.len() > (q.hal + 1) * AUDIT_PAGE).then(|| link(q.hal + 1)),
        pelaku: q.pelaku,
        aksi: q.aksi,
        rows,
        page: q.hal + 1,
    };
    html(StatusCode::OK, page.render())
}

fn local_time(at: crate::clock::Timestamp, offset: time::UtcOffset) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp(at.0)
        .map(|t| t.to_offset(offset))
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| at.0.to_string())
}

// ----- users -----

struct UserRow {
    login: String,
    name: String,
    role: String,
    state: &'static str,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    version: &'static str,
    csrf: String,
    rows: Vec<UserRow>,
    opds: Vec<String>,
    /// (login, password) shown once after a create or reset.
    password: Option<(String, String)>,
    message: Option<(bool, String)>,
}

async fn users_view(
    admin: &Admin,
    s: &AdminState,
    status: StatusCode,
    password: Option<(String, String)>,
    message: Option<(bool, String)>,
) -> Response {
    let store = s.desk.store.clone();
    let Ok(Ok(accounts)) = tokio::task::spawn_blocking(move || store.accounts()).await else {
        return busy();
    };
    let now = s.desk.clock.now();
    let rows = accounts
        .into_iter()
        .map(|a| UserRow {
            role: match &a.role {
                Role::Admin => "admin".into(),
                Role::Officer { opd } => format!("petugas · officer {opd}"),
            },
            state: if a.disabled {
                "nonaktif · disabled"
            } else if a.locked_until.is_some_and(|u| u > now) {
                "terkunci · locked"
            } else {
                "aktif · active"
            },
            disabled: a.disabled,
            login: a.login,
            name: a.name,
        })
        .collect();
    let live = s.reloader.live();
    let mut opds: Vec<String> = live.scripts.values().map(|s| s.opd.to_string()).collect();
    opds.sort();
    opds.dedup();
    let page =
        UsersPage { version: VERSION, csrf: admin.csrf.clone(), rows, opds, password, message };
    html(status, page.render())
}

async fn users_page(admin: Admin, State(s): State<AdminState>) -> Response {
    users_view(&admin, &s, StatusCode::OK, None, None).await
}

#[derive(serde::Deserialize)]
struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    name: String,
    /// An OPD id, or `admin`.
    #[serde(default)]
    peran: String,
}

async fn user_add(
    admin: Admin,
    State(s): State<AdminState>,
    axum::Form(f): axum::Form<AddForm>,
) -> Response {
    if !admin.csrf_ok(&f.csrf) {
        return expired();
    }
    let role = match f.peran.trim() {
        "admin" => Role::Admin,
        opd => Role::Officer { opd: opd.to_string() },
    };
    let login = f.login.trim().to_lowercase();
    let name = f.name.trim().to_string();
    if name.is_empty() {
        let msg = "Nama wajib diisi. · The name is required.".to_string();
        return users_view(&admin, &s, StatusCode::UNPROCESSABLE_ENTITY, None, Some((false, msg)))
            .await;
    }
    let (store, now, by) =
        (s.desk.store.clone(), s.desk.clock.now(), crate::users::actor(&admin.login));
    let l = login.clone();
    let made = tokio::task::spawn_blocking(move || {
        let password = crate::users::generate_password()?;
        let batch = crate::users::add(store.as_ref(), &l, &name, role, &password, &by, now)?;
        Ok::<_, crate::users::UserError>((password, batch))
    })
    .await;
    account_result(&admin, &s, made, &login).await
}

#[derive(serde::Deserialize)]
struct ChangeForm {
    #[serde(default)]
    csrf: String,
    /// `nonaktifkan`, `aktifkan` or `reset`.
    #[serde(default)]
    aksi: String,
}

async fn user_change(
    admin: Admin,
    State(s): State<AdminState>,
    Path(login): Path<String>,
    axum::Form(f): axum::Form<ChangeForm>,
) -> Response {
    if !admin.csrf_ok(&f.csrf) {
        return expired();
    }
    let (store, now, by) =
        (s.desk.store.clone(), s.desk.clock.now(), crate::users::actor(&admin.login));
    let l = login.clone();
    let aksi = f.aksi;
    let done = tokio::task::spawn_blocking(move || match aksi.as_str() {
        "reset" => {
            let password = crate::users::generate_password()?;
            let batch = crate::users::reset(store.as_ref(), &l, &password, &by, now)?;
            Ok((password, batch))
        }
        "nonaktifkan" | "aktifkan" => {
            let off = aksi == "nonaktifkan";
            Ok((String::new(), crate::users::set_disabled(store.as_ref(), &l, off, &by, now)?))
        }
        _ => Err(crate::users::UserError::Unknown(l)),
    })
    .await;
    account_result(&admin, &s, done, &login).await
}

/// Commits an account change and shows the list again, with a new password once.
async fn account_result(
    admin: &Admin,
    s: &AdminState,
    done: Result<Result<(String, Batch), crate::users::UserError>, tokio::task::JoinError>,
    login: &str,
) -> Response {
    let (password, mut batch) = match done {
        Ok(Ok(made)) => made,
        Ok(Err(crate::users::UserError::Store(_))) | Err(_) => return busy(),
        Ok(Err(e)) => {
            let msg = format!("Tidak dilakukan · Not done: {e}");
            return users_view(
                admin,
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some((false, msg)),
            )
            .await;
        }
    };
    for e in &mut batch.audit {
        e.from = admin.from.clone();
    }
    if !s.desk.committer.commit(batch).await {
        return busy();
    }
    let shown = (!password.is_empty()).then(|| (login.to_string(), password));
    let msg = format!("Tersimpan · Saved: {login}");
    users_view(admin, s, StatusCode::OK, shown, Some((true, msg))).await
}

// ----- routing box -----

#[derive(serde::Deserialize, Default)]
struct RouteQuery {
    #[serde(default)]
    teks: String,
}

#[derive(Template)]
#[template(path = "admin_route.html")]
struct RoutePage {
    version: &'static str,
    teks: String,
    explained: Option<String>,
}

async fn route_page(
    _admin: Admin,
    State(s): State<AdminState>,
    Query(q): Query<RouteQuery>,
) -> Response {
    let teks: String = q.teks.trim().chars().take(500).collect();
    let explained = (!teks.is_empty()).then(|| {
        let live = s.reloader.live();
        let canon = live.lexicon.canon(&teks);
        live.routed(&canon, Some(&s.desk.settings.emergency_script)).explain()
    });
    html(StatusCode::OK, RoutePage { version: VERSION, teks, explained }.render())
}

// ----- the edges: who is asking -----

/// The admin a request comes from, with the form token of their session.
pub struct Admin {
    pub login: String,
    pub from: String,
    pub csrf: String,
}

impl Admin {
    fn csrf_ok(&self, token: &str) -> bool {
        use subtle::ConstantTimeEq;
        !self.csrf.is_empty() && bool::from(self.csrf.as_bytes().ct_eq(token.as_bytes()))
    }
}

impl axum::extract::FromRequestParts<AdminState> for Admin {
    type Rejection = Response;

    /// Anyone but a logged-in admin gets 404: the pages do not exist for them.
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AdminState,
    ) -> Result<Self, Self::Rejection> {
        // No session, an officer's, or a store that cannot be read now: not found.
        match super::staff::Staff::from_request_parts(parts, state).await {
            Ok(staff) if staff.account.is_admin() => {
                Ok(Admin { login: staff.account.login, from: staff.from, csrf: staff.form_token })
            }
            _ => Err(not_found()),
        }
    }
}
