//! Staff sign-in over plain HTTP against the real core: no cookie is sent to the sign-in
//! page, wrong passwords lock the account, a sign-in gets a new session token (the old one
//! ends), a form without the session's token or from another site is refused, sign-out and a
//! disabled account end the session, and the store keeps only the token's hash.

use pintu::model::account::Role;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, ORIGIN, SET_COOKIE};

use super::webchat::{Citizen, Server, request_ktp, server as web_server};

/// The core with the web pages on 127.0.0.1, and three accounts: `budi`, officer of
/// Disdukcapil (KTP-el's OPD), `sari` of Dinsos, and admin `ani`.
async fn server() -> Server {
    let s = web_server(&[]).await;
    let desk = &s.core.http.desk;
    let now = desk.clock.now();
    for (login, role) in [
        ("budi", Role::Officer { opd: "disdukcapil".into() }),
        ("sari", Role::Officer { opd: "dinsos".into() }),
        ("ani", Role::Admin),
    ] {
        let password = format!("sandi-{login}-123");
        let batch =
            pintu::users::add(desk.store.as_ref(), login, login, role, &password, "cli", now)
                .unwrap();
        assert!(desk.committer.commit(batch).await);
    }
    s
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

/// A signed-in staff member's requests.
struct Signed<'a> {
    s: &'a Server,
    token: String,
}

impl Signed<'_> {
    async fn get(&self, path: &str) -> reqwest::Response {
        self.s.get(path, &self.token).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        client()
            .post(format!("{}{path}", self.s.base))
            .header(COOKIE, format!("pintu_staff={}", self.token))
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

async fn signed_in<'a>(s: &'a Server, login: &str) -> Signed<'a> {
    let response = s.sign_in(login, &format!("sandi-{login}-123"), None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    Signed { s, token: session_cookie(&response).0 }
}

trait StaffRequests {
    async fn sign_in(&self, login: &str, password: &str, cookie: Option<&str>)
    -> reqwest::Response;
    async fn get(&self, path: &str, cookie: &str) -> reqwest::Response;
}

impl StaffRequests for Server {
    async fn sign_in(
        &self,
        login: &str,
        password: &str,
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut request = client()
            .post(format!("{}/konsol/masuk", self.base))
            .form(&[("login", login), ("password", password)]);
        if let Some(c) = cookie {
            request = request.header(COOKIE, format!("pintu_staff={c}"));
        }
        request.send().await.unwrap()
    }

    async fn get(&self, path: &str, cookie: &str) -> reqwest::Response {
        let request = client().get(format!("{}{path}", self.base));
        request.header(COOKIE, format!("pintu_staff={cookie}")).send().await.unwrap()
    }
}

/// The session token a response set, and the whole cookie line.
fn session_cookie(response: &reqwest::Response) -> (String, String) {
    let line = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
    let token = line.strip_prefix("pintu_staff=").unwrap().split(';').next().unwrap().to_string();
    (token, line)
}

/// The citizen's web chat page once it shows `news` (a status push comes through the outbox).
async fn hears(citizen: &mut Citizen, news: &str) -> String {
    for _ in 0..100 {
        let page = citizen.open().await;
        if page.contains(news) {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the citizen's chat never showed {news}");
}

/// The hidden form token on a page.
fn form_token(page: &str) -> String {
    let at = page.find("name=\"token\" value=\"").expect("a form token") + 20;
    page[at..at + 64].to_string()
}

#[tokio::test]
async fn sign_in_rotates_the_session_and_sign_out_ends_it() {
    let s = server().await;
    // No cookie: to the sign-in page.
    let response = client().get(format!("{}/konsol", s.base)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/konsol/masuk");
    let page = client().get(format!("{}/konsol/masuk", s.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    let first = s.sign_in("budi", "sandi-budi-123", None).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let (token, line) = session_cookie(&first);
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(line.contains(flag), "{line}");
    }
    let home = s.get("/konsol", &token).await;
    assert_eq!(home.status(), StatusCode::OK);
    let page = home.text().await.unwrap();
    assert!(page.contains("budi") && page.contains("petugas disdukcapil"), "{page}");
    // The store has the token's hash, never the token.
    let hash: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()).into();
    assert!(s.core.http.desk.store.staff_session(&hash).unwrap().is_some());

    // Signing in again from the same browser: a new token, and the old one is over.
    let second = s.sign_in("budi", "sandi-budi-123", Some(&token)).await;
    let (fresh, _) = session_cookie(&second);
    assert_ne!(fresh, token);
    assert_eq!(s.get("/konsol", &token).await.status(), StatusCode::SEE_OTHER);
    let page = s.get("/konsol", &fresh).await.text().await.unwrap();

    // Sign-out needs the session's form token.
    let sign_out = |form: Vec<(&'static str, String)>| {
        client()
            .post(format!("{}/konsol/keluar", s.base))
            .header(COOKIE, format!("pintu_staff={fresh}"))
            .form(&form)
            .send()
    };
    assert_eq!(sign_out(vec![]).await.unwrap().status(), StatusCode::FORBIDDEN);
    let wrong = vec![("token", "0".repeat(64))];
    assert_eq!(sign_out(wrong).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(s.get("/konsol", &fresh).await.status(), StatusCode::OK, "still signed in");
    let out = sign_out(vec![("token", form_token(&page))]).await.unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(out.headers()[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(s.get("/konsol", &fresh).await.status(), StatusCode::SEE_OTHER);

    let actions: Vec<String> =
        s.core.http.desk.store.audit_log(50).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "login").count(), 2, "{actions:?}");
    assert!(actions.contains(&"logout".to_string()), "{actions:?}");
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_and_a_foreign_form_is_refused() {
    let s = server().await;
    for _ in 0..4 {
        let refused = s.sign_in("budi", "salah-sekali", None).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert!(refused.headers().get(SET_COOKIE).is_none());
        assert!(refused.text().await.unwrap().contains("Login atau kata sandi salah"));
    }
    let locked = s.sign_in("budi", "salah-sekali", None).await;
    assert!(locked.text().await.unwrap().contains("akun dikunci 15 menit"));
    // Locked: even the right password is refused now.
    let right = s.sign_in("budi", "sandi-budi-123", None).await;
    assert_eq!(right.status(), StatusCode::UNAUTHORIZED);
    assert!(right.headers().get(SET_COOKIE).is_none());
    let actions: Vec<String> =
        s.core.http.desk.store.audit_log(50).unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"login_locked".to_string()), "{actions:?}");

    // A sign-in form on another site's page.
    let foreign = client()
        .post(format!("{}/konsol/masuk", s.base))
        .header(ORIGIN, "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[("login", "ani"), ("password", "sandi-ani-123")])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert!(foreign.headers().get(SET_COOKIE).is_none());
}

#[tokio::test]
async fn a_disabled_account_is_signed_out_at_once() {
    let s = server().await;
    let (token, _) = session_cookie(&s.sign_in("ani", "sandi-ani-123", None).await);
    let page = s.get("/konsol", &token).await.text().await.unwrap();
    assert!(page.contains("/admin"), "an admin sees the way to the admin pages");
    let desk = &s.core.http.desk;
    let batch =
        pintu::users::set_disabled(desk.store.as_ref(), "ani", true, "cli", desk.clock.now())
            .unwrap();
    assert!(desk.committer.commit(batch).await);
    assert_eq!(s.get("/konsol", &token).await.status(), StatusCode::SEE_OTHER);
    // Enabled again: the old session stays over.
    let batch =
        pintu::users::set_disabled(desk.store.as_ref(), "ani", false, "cli", desk.clock.now())
            .unwrap();
    assert!(desk.committer.commit(batch).await);
    assert_eq!(s.get("/konsol", &token).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_officer_finds_the_ticket_changes_its_status_and_the_citizen_hears_it() {
    let s = server().await;
    let mut citizen = Citizen::new(&s.base);
    let no = request_ktp(&mut citizen).await;
    let budi = signed_in(&s, "budi").await;

    // The queue, and its filters.
    let queue = budi.get("/konsol").await.text().await.unwrap();
    assert!(queue.contains(&no), "{queue}");
    let none = budi.get("/konsol?status=selesai").await.text().await.unwrap();
    assert!(!none.contains(&no));
    let found = budi.get(&format!("/konsol?cari={}", &no[..4])).await.text().await.unwrap();
    assert!(found.contains(&no));

    // The ticket's page: NIK and KK masked until revealed, and the reveal audited.
    let page = budi.get(&format!("/konsol/tiket/{no}")).await.text().await.unwrap();
    assert!(!page.contains("6409011708900001") && !page.contains("6409012005150003"), "{page}");
    let img = page.find("<img src=\"/files/").expect("the photos are shown inline");
    let src = &page[img + 10..];
    let src = src[..src.find('"').unwrap()].replace("&amp;", "&").replace("&#38;", "&");
    let photo = client().get(format!("{}{src}", s.base)).send().await.unwrap();
    assert_eq!(photo.status(), StatusCode::OK, "{src}");
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    let token = form_token(&page);
    let shown = budi.post(&format!("/konsol/tiket/{no}/lihat"), &[("token", &token)]).await;
    let shown = shown.text().await.unwrap();
    assert!(shown.contains("6409011708900001"), "{shown}");
    let audit = s.core.http.desk.store.audit_log(20).unwrap();
    assert!(audit.iter().any(|e| e.action == "reveal" && e.target == no && e.who == "konsol:budi"));

    // A status change without the form token changes nothing.
    let path = format!("/konsol/tiket/{no}/status");
    let refused = budi.post(&path, &[("status", "diproses")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let changed = budi
        .post(&path, &[("token", &token), ("status", "diproses"), ("catatan", "Berkas lengkap")])
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    let prefixes = ["KTP"];
    let ticket_no = pintu::model::TicketNo::parse(&no, &prefixes).unwrap();
    let ticket = s.core.http.desk.store.ticket(&ticket_no).unwrap().unwrap();
    assert_eq!(ticket.status, pintu::model::Status::Diproses);
    let page = budi.get(&format!("/konsol/tiket/{no}")).await.text().await.unwrap();
    assert!(page.contains("Berkas lengkap") && page.contains("konsol:budi"), "{page}");

    // The citizen's web chat shows the news.
    let heard = hears(&mut citizen, "<strong>Diproses</strong>").await;
    assert!(heard.contains(&no), "{heard}");

    // CSV: the ticket, no answers.
    let csv = budi.get("/konsol/tiket.csv").await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("nomor,layanan,opd,status") && csv.contains(&no), "{csv}");
    assert!(!csv.contains("6409011708900001") && !csv.contains("Budi Santoso"), "{csv}");
}

#[tokio::test]
async fn another_opds_ticket_is_not_found_and_not_listed() {
    let s = server().await;
    let mut citizen = Citizen::new(&s.base);
    let no = request_ktp(&mut citizen).await;
    let sari = signed_in(&s, "sari").await;
    let page = sari.get(&format!("/konsol/tiket/{no}")).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let unknown = sari.get("/konsol/tiket/KTP-0000-0000").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(page.text().await.unwrap(), unknown.text().await.unwrap(), "the same answer");
    let queue = sari.get("/konsol").await.text().await.unwrap();
    assert!(!queue.contains(&no));
    let token = form_token(&queue);
    let path = format!("/konsol/tiket/{no}/status");
    let post = sari.post(&path, &[("token", &token), ("status", "diproses")]).await;
    assert_eq!(post.status(), StatusCode::NOT_FOUND);
    // The admin sees every OPD's.
    let ani = signed_in(&s, "ani").await;
    assert!(ani.get("/konsol").await.text().await.unwrap().contains(&no));
    assert_eq!(ani.get(&format!("/konsol/tiket/{no}")).await.status(), StatusCode::OK);
}

/// `pintu user add` for an officer of Disdukcapil, with the password on stdin (pintu stopped).
fn add_officer(data: &std::path::Path, login: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pintu"))
        .args(["user", "add", "--opd", "disdukcapil", "--name", login, "--login", login])
        .arg("--password-stdin")
        .env("PINTU_DATA_DIR", data)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let password = format!("sandi-{login}-123\n");
    child.stdin.take().unwrap().write_all(password.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
}

/// Chromium against the real binary: an officer is locked out after wrong passwords; another
/// signs in, filters the queue, opens a citizen's ticket, changes its status (the citizen's web
/// chat then shows it), and signs out. A screenshot of every page.
#[tokio::test]
async fn in_a_real_browser_an_officer_works_the_queue() {
    use fantoccini::Locator::Css;
    let data = super::support::private_tempdir();
    add_officer(data.path(), "budi");
    add_officer(data.path(), "rina");
    let pintu = super::browser::Pintu::start(data.path(), &[]).await;
    let mut citizen = Citizen::new(pintu.url("").trim_end_matches('/'));
    let no = request_ktp(&mut citizen).await;

    let browser = super::browser::Browser::start("konsol_officer").await;
    let b = &browser.client;
    let text = || async { b.find(Css("main")).await.unwrap().text().await.unwrap() };
    // Clicks a submit button and waits for the next page (the old one's body goes stale).
    let submit = |css: String| async move {
        let old = b.find(Css("main")).await.unwrap();
        b.find(Css(&css)).await.unwrap().click().await.unwrap();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        while old.text().await.is_ok() {
            assert!(tokio::time::Instant::now() < deadline, "no new page after {css}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    let sign_in = |login: &'static str, password: &'static str| async move {
        b.find(Css("#login")).await.unwrap().clear().await.unwrap();
        b.find(Css("#login")).await.unwrap().send_keys(login).await.unwrap();
        b.find(Css("#password")).await.unwrap().send_keys(password).await.unwrap();
        submit("form.stack button[type=submit]".into()).await;
    };
    browser.goto(&pintu.url("/konsol")).await;
    assert!(b.current_url().await.unwrap().as_str().ends_with("/konsol/masuk"));
    browser.snap("sign-in page").await;
    for n in 1..=5 {
        sign_in("budi", "bukan-sandinya").await;
        browser.snap(&format!("wrong password {n}")).await;
    }
    assert!(text().await.contains("akun dikunci"), "{}", text().await);

    sign_in("rina", "sandi-rina-123").await;
    assert!(b.current_url().await.unwrap().as_str().ends_with("/konsol"));
    assert!(text().await.contains(&no));
    browser.snap("queue").await;
    b.find(Css("select[name=status]")).await.unwrap().select_by_value("selesai").await.unwrap();
    submit("form.filters button[type=submit]".into()).await;
    assert!(!text().await.contains(&no), "no finished ticket yet");
    browser.snap("queue filtered: selesai").await;
    b.find(Css("select[name=status]")).await.unwrap().select_by_value("diterima").await.unwrap();
    submit("form.filters button[type=submit]".into()).await;
    assert!(text().await.contains(&no));
    browser.snap("queue filtered: diterima").await;

    submit(format!("a[href='/konsol/tiket/{no}']")).await;
    let page = text().await;
    assert!(page.contains("Jawaban") && !page.contains("6409011708900001"), "{page}");
    browser.snap("ticket").await;
    let status = b.find(Css("#status")).await.unwrap();
    status.select_by_value("diproses").await.unwrap();
    b.find(Css("#catatan"))
        .await
        .unwrap()
        .send_keys("Berkas lengkap, sedang dicetak")
        .await
        .unwrap();
    browser.snap("status chosen").await;
    // Waits for the page the status change leads to: reading `main` at once could find the
    // old page's, gone stale by the time its text is read (a flaky failure in CI).
    submit("form[action$='/status'] button[type=submit]".into()).await;
    let page = text().await;
    assert!(
        page.contains("Berkas lengkap, sedang dicetak") && page.contains("konsol:rina"),
        "{page}"
    );
    browser.snap("status changed").await;

    hears(&mut citizen, "<strong>Diproses</strong>").await;

    submit("a[href='/konsol']".into()).await;
    submit("form[action='/konsol/keluar'] button".into()).await;
    assert!(b.current_url().await.unwrap().as_str().ends_with("/konsol/masuk"));
    browser.snap("signed out").await;
    browser.goto(&pintu.url("/konsol")).await;
    assert!(
        b.current_url().await.unwrap().as_str().ends_with("/konsol/masuk"),
        "the session is over"
    );
    browser.close().await;
}

/// The admin pages know who is asking from the same sign-in: an admin gets them, an officer
/// and a visitor without a session do not.
#[tokio::test]
async fn admin_pages_are_for_signed_in_admins() {
    let s = server().await;
    let ani = signed_in(&s, "ani").await;
    let home = ani.get("/admin").await;
    assert_eq!(home.status(), StatusCode::OK);
    let page = ani.get("/admin/layanan").await.text().await.unwrap();
    assert!(page.contains("ktp_el"), "{page}");
    let budi = signed_in(&s, "budi").await;
    assert_eq!(budi.get("/admin").await.status(), StatusCode::NOT_FOUND);
    let nobody = client().get(format!("{}/admin", s.base)).send().await.unwrap();
    assert_eq!(nobody.status(), StatusCode::NOT_FOUND);
}
