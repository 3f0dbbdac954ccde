//! The admins' pages over plain HTTP, as a browser without JavaScript uses them, against the
//! real core in-process on 127.0.0.1 with its dialogs in a temp copy: officers get 404, a save
//! with an error is refused and leaves the file alone, a good save goes live for citizens, a
//! stale form does not overwrite a newer file, and the preview leaves the store untouched. The
//! browser test (Chromium, screenshots of every page) is at the end.

use super::support::{copy_tree, say_to};
use pintu::model::account::Role;
use reqwest::StatusCode;
use std::path::PathBuf;

const PASSWORD: &str = "kata-sandi-panjang";

/// pintu's core with the web pages on 127.0.0.1:<free port>, an admin `ani` and an officer
/// `budi` of disdukcapil, dialogs and texts in a temp copy the editor may write.
struct Server {
    /// The web chat tests' server: the core, the API and every web page.
    web: super::webchat::Server,
    tree: tempfile::TempDir,
}

impl std::ops::Deref for Server {
    type Target = super::webchat::Server;
    fn deref(&self) -> &Self::Target {
        &self.web
    }
}

impl Server {
    fn file(&self, rel: &str) -> PathBuf {
        self.tree.path().join(rel)
    }
}

async fn server() -> Server {
    let tree = copy_tree();
    let dialogs = tree.path().join("dialogs").display().to_string();
    let locales = tree.path().join("locales").display().to_string();
    let web =
        super::webchat::server(&[("PINTU_DIALOGS_DIR", &dialogs), ("PINTU_LOCALES_DIR", &locales)])
            .await;
    let core = &web.core;
    let now = core.clock.now();
    for (login, role) in
        [("ani", Role::Admin), ("budi", Role::Officer { opd: "disdukcapil".into() })]
    {
        let batch =
            pintu::users::add(core.store.as_ref(), login, login, role, PASSWORD, "cli", now)
                .unwrap();
        core.store.commit(&batch).unwrap();
    }
    Server { web, tree }
}

/// `login`'s browser without JavaScript, signed in at `/konsol/masuk`: sends the session
/// cookie.
async fn login(s: &Server, login: &str) -> StaffBrowser {
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let signed = plain
        .post(format!("{}/konsol/masuk", s.base))
        .form(&[("login", login), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER, "{login} signs in");
    let cookie = signed.headers()[reqwest::header::SET_COOKIE].to_str().unwrap();
    let session = cookie.split(';').next().unwrap().to_string();
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(reqwest::header::COOKIE, session.parse().unwrap());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .default_headers(h)
        .build()
        .unwrap();
    StaffBrowser { http, base: s.base.clone() }
}

/// A staff member's browser without JavaScript: logged in, keeps the session cookie.
struct StaffBrowser {
    http: reqwest::Client,
    base: String,
}

impl StaffBrowser {
    async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.http.post(format!("{}{path}", self.base)).form(fields).send().await.unwrap()
    }

    /// The page's HTML, asserting it answered 200.
    async fn page(&self, path: &str) -> String {
        let r = self.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.text().await.unwrap()
    }
}

/// The value of the form field `name` in `html` (a hidden input or a text area).
fn field(html: &str, name: &str) -> String {
    let input = format!("name=\"{name}\" value=\"");
    if let Some(at) = html.find(&input) {
        return unescape(html[at + input.len()..].split('"').next().unwrap());
    }
    let area = format!("name=\"{name}\"");
    let at = html.find(&area).unwrap_or_else(|| panic!("no field {name}"));
    let rest = &html[at..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</textarea>").unwrap();
    unescape(&rest[open..close])
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The editor's form as the browser would send it, with `edit` applied to the three texts.
fn editor_form(html: &str, edit: impl Fn(&str, String) -> String) -> Vec<(String, String)> {
    let mut form = vec![("csrf".to_string(), field(html, "csrf"))];
    for name in ["dialog", "teks_id", "teks_en"] {
        form.push((name.to_string(), edit(name, field(html, name))));
        let h = format!("h_{name}");
        form.push((h.clone(), field(html, &h)));
    }
    form
}

async fn post_form(
    staff: &StaffBrowser,
    path: &str,
    form: &[(String, String)],
) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    staff.post(path, &fields).await
}

const ADMIN_PAGES: [&str; 8] = [
    "/admin",
    "/admin/layanan",
    "/admin/layanan/ikd",
    "/admin/pratinjau/ikd",
    "/admin/corong",
    "/admin/audit",
    "/admin/pengguna",
    "/admin/rute?teks=ktp+hilang",
];

#[tokio::test]
async fn an_officer_gets_404_on_every_admin_page_and_an_admin_gets_them() {
    let s = server().await;
    let budi = login(&s, "budi").await;
    for path in ADMIN_PAGES {
        assert_eq!(budi.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let posted = budi.post("/admin/layanan/ikd", &[("dialog", "x")]).await;
    assert_eq!(posted.status(), StatusCode::NOT_FOUND);
    let ani = login(&s, "ani").await;
    for path in ADMIN_PAGES {
        ani.page(path).await;
    }
    let route = ani.page("/admin/rute?teks=ktp+saya+hilang").await;
    assert!(route.contains("→ start ktp_el"), "the routing box explains: {route}");
}

#[tokio::test]
async fn a_save_with_an_error_is_refused_shown_at_its_line_and_the_file_is_unchanged() {
    let s = server().await;
    let ani = login(&s, "ani").await;
    let path = s.file("dialogs/ikd.yaml");
    let before = std::fs::read(&path).unwrap();
    let html = ani.page("/admin/layanan/ikd").await;
    let form = editor_form(&html, |name, text| {
        if name == "dialog" { text.replace("kind: email", "kind: surel") } else { text }
    });
    let broken_line = 1 + field(&html, "dialog")
        .lines()
        .position(|l| l.contains("kind: email"))
        .expect("ikd asks for an e-mail");
    let r = post_form(&ani, "/admin/layanan/ikd", &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("Tidak disimpan"), "the refusal is said");
    // The line is shown numbered, with its problem under it.
    let at = page
        .find(&format!("<span class=\"no\">{broken_line}</span>"))
        .expect("the broken line is numbered");
    let after = &page[at..];
    assert!(after[..after.find("</li>").unwrap()].contains("surel"), "its problem beside it");
    assert!(field(&page, "dialog").contains("kind: surel"), "the admin's text is kept");
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file is unchanged");
    let live = s.core.catalogue.borrow().clone();
    assert!(live.script("ikd").is_some(), "the live service stays");
}

#[tokio::test]
async fn a_good_save_goes_live_for_citizens_and_is_audited() {
    let s = server().await;
    let ani = login(&s, "ani").await;
    let html = ani.page("/admin/layanan/ikd").await;
    let first = say_to(&s.core, "1", "ikd").await;
    assert!(!first.contains("Kartu digital"), "{first}");
    let form = editor_form(&html, |name, text| {
        if name == "teks_id" {
            text.replace("ikd-title = Aktivasi IKD (KTP digital)", "ikd-title = Kartu digital IKD")
                .replace("Baik, Bapak/Ibu. Aktivasi", "Kartu digital: aktivasi")
        } else {
            text
        }
    });
    let r = post_form(&ani, "/admin/layanan/ikd", &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Tersimpan dan sudah berlaku"));
    let written = std::fs::read_to_string(s.file("locales/id/ikd.ftl")).unwrap();
    assert!(written.contains("Kartu digital: aktivasi"));
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(s.file("locales/id/ikd.ftl")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o077, 0, "owner-only");
    let seen = say_to(&s.core, "2", "ikd").await;
    assert!(seen.contains("Kartu digital: aktivasi"), "a citizen sees the new text: {seen}");
    let log = s.core.store.audit_log(10).unwrap();
    let save = log.iter().find(|e| e.action == "dialog_save").expect("audited");
    assert_eq!((save.who.as_str(), save.target.as_str()), ("konsol:ani", "ikd"));
    assert!(save.detail.contains("ikd.ftl"), "{}", save.detail);
}

#[tokio::test]
async fn a_structural_change_raises_the_version_and_a_stale_form_is_refused() {
    let s = server().await;
    let ani = login(&s, "ani").await;
    let html = ani.page("/admin/layanan/ikd").await;
    // The e-mail becomes optional: the steps change under version 2.
    let form = editor_form(&html, |name, text| {
        if name == "dialog" {
            text.replace("{ id: email, kind: email }", "{ id: email, kind: email, optional: true }")
        } else {
            text
        }
    });
    let r = post_form(&ani, "/admin/layanan/ikd", &form).await;
    let status = r.status();
    let page = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("versi dinaikkan dari 2 ke 3"), "the admin is told");
    let yaml = std::fs::read_to_string(s.file("dialogs/ikd.yaml")).unwrap();
    assert!(yaml.contains("version: 3") && yaml.contains("kind: email, optional: true"));
    assert_eq!(s.core.catalogue.borrow().script("ikd").unwrap().version, 3);
    // The first form again: its fingerprints are of the file before the save.
    let stale = editor_form(&html, |_, text| text.replace("Aktivasi IKD", "Aktivasi lama"));
    let r = post_form(&ani, "/admin/layanan/ikd", &stale).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("sudah diubah orang lain")
            && field(&page, "teks_id").contains("Aktivasi lama")
    );
    let texts = std::fs::read_to_string(s.file("locales/id/ikd.ftl")).unwrap();
    assert!(!texts.contains("Aktivasi lama"), "the newer file is not overwritten");
}

#[tokio::test]
async fn the_preview_runs_an_unsaved_edit_to_a_ticket_and_leaves_the_store_untouched() {
    let s = server().await;
    let ani = login(&s, "ani").await;
    let html = ani.page("/admin/layanan/ikd").await;
    let before_yaml = std::fs::read(s.file("dialogs/ikd.yaml")).unwrap();
    let count = |store: &dyn pintu::store::Store| {
        let mut sessions = 0;
        store
            .sessions(&mut |_, _| {
                sessions += 1;
                Ok(())
            })
            .unwrap();
        (sessions, store.tickets().unwrap().len(), store.outbox_pending().unwrap().len())
    };
    let store_before = count(s.core.store.as_ref());
    let mut form = editor_form(&html, |name, text| {
        if name == "teks_id" {
            text.replace("Mohon ketik NIK Bapak/Ibu", "PRATINJAU: ketik NIK")
        } else {
            text
        }
    });
    form.push(("aksi".into(), "pratinjau".into()));
    let r = post_form(&ani, "/admin/layanan/ikd", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = ani.page("/admin/pratinjau/ikd").await;
    assert!(page.contains("belum disimpan") && page.contains("PRATINJAU: ketik NIK"), "{page}");
    let csrf = field(&page, "csrf");
    let mut last = page;
    let monday = next_monday();
    let lines =
        ["6409011708900001", "Budi Santoso", "budi@example.com", "lewati", "1", &monday, "ya"];
    for line in lines {
        let r = ani.post("/admin/pratinjau/ikd", &[("csrf", &csrf), ("text", line)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{line}");
        last = ani.page("/admin/pratinjau/ikd").await;
    }
    let ticket =
        regex::Regex::new(r"Nomor tiket: <strong>[0-9A-Z]{4}-[0-9A-Z]{4}</strong>").unwrap();
    assert!(ticket.is_match(&last), "the preview reaches a ticket: {last}");
    let no_csrf = ani.post("/admin/pratinjau/ikd", &[("text", "halo")]).await;
    assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN, "a post without the token is refused");
    assert_eq!(count(s.core.store.as_ref()), store_before, "nothing reached the real store");
    assert_eq!(std::fs::read(s.file("dialogs/ikd.yaml")).unwrap(), before_yaml, "not saved");
    let live = say_to(&s.core, "3", "ikd").await;
    assert!(!live.contains("PRATINJAU"), "citizens still see the saved text");
}

/// The next Monday (never today) as the dialogs' dates are typed: a working day ahead.
fn next_monday() -> String {
    let today = time::OffsetDateTime::now_utc().to_offset(super::support::wita()).date();
    let ahead = 7 - i64::from(today.weekday().number_days_from_monday());
    let monday = today + time::Duration::days(ahead);
    format!("{:02}-{:02}-{}", monday.day(), u8::from(monday.month()), monday.year())
}

#[tokio::test]
async fn the_funnel_counts_drafts_and_tickets_from_the_store() {
    let s = server().await;
    let ani = login(&s, "ani").await;
    // One citizen stops at the name, another submits.
    say_to(&s.core, "1", "ikd").await;
    say_to(&s.core, "1", "6409011708900001").await;
    let monday = next_monday();
    let lines = ["ikd", "6409011708900001", "Ani", "ani@example.com", "lewati", "2", &monday, "ya"];
    let mut last = String::new();
    for line in lines {
        last = say_to(&s.core, "2", line).await;
    }
    assert!(last.contains("Nomor tiket"), "{last}");
    let page = ani.page("/admin/corong").await;
    let chart = &page[page.find("aria-label=\"Corong ikd\"").expect("an ikd chart")..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    // Labels and values in order: started, each step (nik, nama, email, …), submitted.
    let labels_and_values: Vec<&str> =
        chart.split("fill=\"#333\">").skip(1).map(|t| t.split('<').next().unwrap()).collect();
    assert_eq!(labels_and_values[0], "mulai · started");
    assert_eq!(labels_and_values[1], "2", "two started: {labels_and_values:?}");
    assert_eq!(labels_and_values[2..6], ["nik", "2", "nama", "2"], "both reached the name");
    assert_eq!(labels_and_values[6..8], ["email", "1"], "one went on");
    assert_eq!(labels_and_values[labels_and_values.len() - 1], "1", "one submitted");
    assert!(page.contains("Sejak start"), "the since-start counters are shown");
}

#[tokio::test]
async fn users_are_created_reset_and_disabled_with_the_password_shown_once_and_audited() {
    let s = server().await;
    let ani = login(&s, "ani").await;
    let page = ani.page("/admin/pengguna").await;
    let csrf = field(&page, "csrf");
    let form =
        [("csrf", csrf.as_str()), ("login", "citra"), ("name", "Citra"), ("peran", "dinsos")];
    let r = ani.post("/admin/pengguna", &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    let created = r.text().await.unwrap();
    let secret = |html: &str| {
        let marker = "class=\"secret\"><code>";
        let at = html.find(marker).expect("the password is shown") + marker.len();
        html[at..].split('<').next().unwrap().to_string()
    };
    let password = secret(&created);
    let now = s.core.clock.now();
    let (outcome, _) =
        pintu::users::login(s.core.store.as_ref(), "citra", &password, "", now).unwrap();
    assert!(matches!(outcome, pintu::users::LoginOutcome::Ok(a) if a.opd() == Some("dinsos")));
    assert!(!ani.page("/admin/pengguna").await.contains(&password), "shown once only");
    let again = ani.post("/admin/pengguna", &form).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY, "a second citra is refused");
    let r = ani.post("/admin/pengguna/citra", &[("csrf", &csrf), ("aksi", "reset")]).await;
    let reset = secret(&r.text().await.unwrap());
    assert_ne!(reset, password);
    ani.post("/admin/pengguna/citra", &[("csrf", &csrf), ("aksi", "nonaktifkan")]).await;
    assert!(s.core.store.account("citra").unwrap().unwrap().disabled);
    let forged =
        ani.post("/admin/pengguna/citra", &[("csrf", "palsu"), ("aksi", "aktifkan")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN, "a wrong CSRF token is refused");
    assert!(s.core.store.account("citra").unwrap().unwrap().disabled);
    let log = ani.page("/admin/audit?pelaku=konsol%3Aani&aksi=user").await;
    for action in ["user_add", "user_reset", "user_disable"] {
        assert!(log.contains(action), "{action} in the filtered audit log");
    }
    assert!(!log.contains(">login<"), "other actions are filtered out");
}

/// Chromium on pintu's core and pages (in-process): an admin signs in, visits every admin page, plants an
/// error in a dialog and sees it next to its line with the save refused, then fixes it, saves,
/// previews. A screenshot of every page under `target/screenshots/admin_editor/`.
#[tokio::test]
async fn in_a_real_browser_the_editor_shows_a_planted_error_at_its_line_and_refuses_the_save() {
    use fantoccini::Locator::Css;
    let s = server().await;
    let browser = super::browser::Browser::start("admin_editor").await;
    let b = &browser.client;
    // Signed in as ani on the sign-in page.
    b.goto(&format!("{}/konsol/masuk", s.base)).await.unwrap();
    b.find(Css("#login")).await.unwrap().send_keys("ani").await.unwrap();
    b.find(Css("#password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Css("form.stack button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Css("form.filters")).await.unwrap();
    browser.snap("signed in").await;
    let url = |path: &str| format!("{}{path}", s.base);
    for path in ADMIN_PAGES {
        browser.goto(&url(path)).await;
        let main = b.find(Css("main")).await.unwrap().text().await.unwrap();
        assert!(!main.contains("Halaman atau layanan ini tidak ada"), "{path} is shown: {main}");
    }
    browser.goto(&url("/admin/layanan/ikd")).await;
    let area = b.find(Css("#t-dialog")).await.unwrap();
    let yaml = area.prop("value").await.unwrap().unwrap();
    let line = 1 + yaml.lines().position(|l| l.contains("kind: email")).unwrap();
    area.clear().await.unwrap();
    area.send_keys(&yaml.replace("kind: email", "kind: surel")).await.unwrap();
    browser.snap("error planted").await;
    b.find(Css("button[value=simpan]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Css(".banner")).await.unwrap();
    browser.snap("save refused").await;
    let banner = b.find(Css(".banner")).await.unwrap().text().await.unwrap();
    assert!(banner.contains("Tidak disimpan"), "{banner}");
    let hit = b.find(Css("#dialog .lines li.hit")).await.unwrap().text().await.unwrap();
    assert!(hit.starts_with(&line.to_string()) && hit.contains("surel"), "at its line: {hit}");
    let kept = b.find(Css("#t-dialog")).await.unwrap().prop("value").await.unwrap().unwrap();
    assert!(kept.contains("kind: surel"), "the admin's text is kept");
    let on_disk = std::fs::read_to_string(s.file("dialogs/ikd.yaml")).unwrap();
    assert_eq!(on_disk, yaml, "the file is unchanged");
    // Fixed, and previewed without saving.
    let area = b.find(Css("#t-dialog")).await.unwrap();
    area.clear().await.unwrap();
    area.send_keys(&yaml).await.unwrap();
    b.find(Css("button[value=pratinjau]")).await.unwrap().click().await.unwrap();
    b.wait().for_element(Css("ol.log")).await.unwrap();
    browser.snap("preview").await;
    let input = b.find(Css("#text")).await.unwrap();
    input.send_keys("6409011708900001").await.unwrap();
    b.find(Css("#akhir button[type=submit]")).await.unwrap().click().await.unwrap();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        // While the post's redirect loads, the page may have no log yet.
        let log = match b.find(Css("ol.log")).await {
            Ok(log) => log.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if log.contains("nama lengkap") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no next question: {log}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.snap("preview answered").await;
    browser.close().await;
}
