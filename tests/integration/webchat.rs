//! The citizens' web chat over plain HTTP, as a browser without JavaScript uses it: form
//! posts, 303 redirects, the chat cookie; the real core in-process on 127.0.0.1 (or the real
//! binary, for a restart). The browser test with Chromium is at the end.

use super::support::{private_tempdir, repo};
use pintu::app::{Core, start_core};
use pintu::clock::SystemClock;
use pintu::config::Config;
use pintu::model::status::Status;
use pintu::model::ticket::Actor;
use pintu::model::ticket_no::TicketNo;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The KTP-el request for a lost card, up to the summary, as the citizen types it.
const KTP_HILANG: [&str; 5] =
    ["ktp hilang", "ya", "6409011708900001", "Budi Santoso", "6409012005150003"];

/// pintu's core with the web pages and the API on 127.0.0.1:<free port>.
pub(super) struct Server {
    pub(super) core: Core,
    pub(super) base: String,
    _data: tempfile::TempDir,
}

pub(super) async fn server(extra: &[(&str, &str)]) -> Server {
    let data = private_tempdir();
    let mut env: HashMap<String, String> = [
        ("PINTU_DATA_DIR", data.path().display().to_string()),
        ("PINTU_DIALOGS_DIR", repo().join("dialogs").display().to_string()),
        ("PINTU_LOCALES_DIR", repo().join("locales").display().to_string()),
        ("PINTU_RETRY_BASE", "1s".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let config = Config::load_with(None, &env).expect("test config");
    let core = start_core(&config, Arc::new(SystemClock)).expect("core starts");
    let app = pintu::http::router(core.http.clone())
        .merge(pintu::app::web_router(&core, &config).expect("web pages"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server { core, base, _data: data }
}

/// A citizen's browser without JavaScript: keeps the chat cookie and the last page's form.
pub(super) struct Citizen {
    http: reqwest::Client,
    base: String,
    cookie: Option<String>,
    token: String,
    mid: String,
    after: String,
}

impl Citizen {
    pub(super) fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap();
        Citizen {
            http,
            base: base.to_string(),
            cookie: None,
            token: String::new(),
            mid: String::new(),
            after: String::new(),
        }
    }

    /// Goes on with the same cookie and form on another server (another instance behind a
    /// load balancer).
    pub(super) fn move_to(&mut self, base: &str) {
        self.base = base.to_string();
    }

    async fn get(&mut self, path: &str) -> reqwest::Response {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            request = request.header(COOKIE, c);
        }
        let response = request.send().await.unwrap();
        if let Some(set) = response.headers().get(SET_COOKIE) {
            let set = set.to_str().unwrap();
            self.cookie = Some(set.split(';').next().unwrap().to_string());
        }
        response
    }

    /// The chat page as the redirect after a post shows it; remembers its form.
    pub(super) async fn open(&mut self) -> String {
        let response = self.get("/obrolan").await;
        assert_eq!(response.status(), StatusCode::OK);
        let html = response.text().await.unwrap();
        self.token = field(&html, "token");
        self.mid = field(&html, "mid");
        self.after = field(&html, "after");
        html
    }

    /// Posts the page's text form; returns the response before any redirect is followed.
    async fn post(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.http.post(format!("{}/obrolan", self.base)).form(fields);
        if let Some(c) = &self.cookie {
            request = request.header(COOKIE, c);
        }
        request.send().await.unwrap()
    }

    /// Types `text` into the page's box, sends it, follows the redirect: the page's text.
    pub(super) async fn say(&mut self, text: &str) -> String {
        let fields = [
            ("token", self.token.clone()),
            ("mid", self.mid.clone()),
            ("after", self.after.clone()),
            ("text", text.to_string()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = self.post(&fields).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{text}");
        assert_eq!(response.headers()["location"], "/obrolan#akhir");
        text_of(&self.open().await)
    }

    /// Sends a file with the page's upload form (`jenis` foto or dokumen).
    async fn upload(&mut self, bytes: &[u8], jenis: &str) -> (StatusCode, String) {
        let boundary = "----pintu-test-boundary";
        let mut body = Vec::new();
        for (name, value) in [("token", &self.token), ("mid", &self.mid), ("after", &self.after)] {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"jenis\"\r\n\r\n{jenis}\r\n"
            )
            .as_bytes(),
        );
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"foto.jpg\"\r\n\
                 Content-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(bytes);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let response = self
            .http
            .post(format!("{}/obrolan/berkas", self.base))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .header(COOKIE, self.cookie.clone().unwrap())
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        if status == StatusCode::SEE_OTHER {
            return (status, text_of(&self.open().await));
        }
        (status, text_of(&response.text().await.unwrap()))
    }

    /// chat.js's poll: the lines newer than `after`, and the new `after`.
    async fn poll(&mut self, after: &str) -> (Vec<String>, String) {
        let response = self.get(&format!("/obrolan/baru?after={after}")).await;
        assert_eq!(response.status(), StatusCode::OK);
        let news: serde_json::Value = response.json().await.unwrap();
        let lines = news["lines"].as_array().unwrap().iter().map(|l| text_of(l.as_str().unwrap()));
        (lines.collect(), news["after"].as_u64().unwrap().to_string())
    }
}

/// A hidden field's value in the page's text form.
fn field(html: &str, name: &str) -> String {
    let form = &html[html.find("id=\"send\"").expect("the text form")..];
    let marker = format!("name=\"{name}\" value=\"");
    let at = form.find(&marker).unwrap_or_else(|| panic!("no {name} in the form")) + marker.len();
    form[at..].split('"').next().unwrap().to_string()
}

/// The page without tags and with entities decoded, as a citizen reads it.
fn text_of(html: &str) -> String {
    let tags = regex::Regex::new(r"<[^>]*>").unwrap();
    tags.replace_all(html, "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn ticket_in(page: &str) -> String {
    let at = page.rfind("Nomor tiket: ").unwrap_or_else(|| panic!("no ticket in {page}")) + 13;
    page[at..at + 9].to_string()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("tests/fixtures").join(name)).unwrap()
}

/// A lost KTP-el requested through the web chat's forms, with the two photos uploaded.
pub(super) async fn request_ktp(citizen: &mut Citizen) -> String {
    citizen.open().await;
    for line in KTP_HILANG {
        citizen.say(line).await;
    }
    let photo = fixture("foto.jpg");
    for _ in 0..2 {
        let (status, _) = citizen.upload(&photo, "foto").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    citizen.say("1").await;
    let done = citizen.say("ya").await;
    ticket_in(&done)
}

#[tokio::test]
async fn a_citizen_requests_a_ktp_el_with_form_posts_and_finds_it_with_status() {
    let server = server(&[]).await;
    let mut citizen = Citizen::new(&server.base);
    let first = citizen.get("/").await;
    assert_eq!(first.status(), StatusCode::OK);
    let cookie = first.headers()[SET_COOKIE].to_str().unwrap().to_string();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let csp = first.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(first.headers()["x-frame-options"], "DENY");

    citizen.open().await;
    let hello = citizen.say("ktp hilang").await;
    assert!(hello.contains("Pemberitahuan Privasi"), "the privacy notice comes first:\n{hello}");
    for line in &KTP_HILANG[1..] {
        citizen.say(line).await;
    }
    let photo = fixture("foto.jpg");
    let (status, page) = citizen.upload(&photo, "foto").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(page.contains("📷 foto (jpg)"), "the upload is in the transcript:\n{page}");
    citizen.upload(&photo, "foto").await;
    citizen.say("1").await;
    let done = citizen.say("ya").await;
    let no = ticket_in(&done);
    let files = std::fs::read_dir(server._data.path().join("files")).unwrap().count();
    assert_eq!(files, 2, "both photos are kept like any channel's attachments");

    let status = citizen.say(&format!("status {no}")).await;
    let shown = &status[status.rfind(&format!("status {no}")).unwrap()..];
    assert!(shown.contains(&no) && shown.contains("Diterima"), "{shown}");
    let ticket = server.core.store.ticket(&TicketNo::parse(&no, &[]).unwrap()).unwrap().unwrap();
    assert_eq!(ticket.chat.channel, pintu::model::Channel::Web);
}

#[tokio::test]
async fn a_form_posted_twice_is_stepped_once() {
    let server = server(&[]).await;
    let mut citizen = Citizen::new(&server.base);
    citizen.open().await;
    let fields = [
        ("token", citizen.token.clone()),
        ("mid", citizen.mid.clone()),
        ("after", citizen.after.clone()),
        ("text", "menu".to_string()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(citizen.post(&fields).await.status(), StatusCode::SEE_OTHER);
    let once = citizen.open().await;
    // The citizen pressed "back" and sent the same form again.
    assert_eq!(citizen.post(&fields).await.status(), StatusCode::SEE_OTHER);
    let twice = citizen.open().await;
    assert_eq!(twice.matches("<li class=\"me\">").count(), 1, "{twice}");
    assert_eq!(
        twice.matches("<li class=\"pintu\">").count(),
        once.matches("<li class=\"pintu\">").count(),
        "no second menu:\n{twice}"
    );
    // A new message (a new form) is stepped.
    let next = citizen.say("menu").await;
    assert_eq!(next.matches("Silakan pilih layanan").count(), 2, "{next}");
}

/// What chat.js posts after the browser's geolocation answered.
#[tokio::test]
async fn a_location_from_the_browser_answers_the_location_question() {
    let server = server(&[]).await;
    let mut citizen = Citizen::new(&server.base);
    citizen.open().await;
    citizen.say("darurat").await;
    let asked = citizen.say("ya").await;
    assert!(asked.contains("Mohon kirim lokasi kejadian"), "the location question:\n{asked}");
    let fields = [
        ("token", citizen.token.clone()),
        ("mid", citizen.mid.clone()),
        ("after", citizen.after.clone()),
        ("lat", "-1.2612".to_string()),
        ("lon", "116.8301".to_string()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(citizen.post(&fields).await.status(), StatusCode::SEE_OTHER);
    let page = text_of(&citizen.open().await);
    let after = &page[page.find("📍 -1.26120, 116.83010").expect("the location line")..];
    assert!(!after.contains("Mohon kirim lokasi kejadian"), "the location was taken:\n{after}");
    assert!(after.contains("1. "), "the next question (the kind of emergency):\n{after}");
}

#[tokio::test]
async fn hapus_data_saya_erases_the_transcript_too() {
    let server = server(&[]).await;
    let mut citizen = Citizen::new(&server.base);
    citizen.open().await;
    for line in KTP_HILANG {
        citizen.say(line).await;
    }
    assert!(citizen.say("hapus data saya").await.contains("Budi Santoso"));
    let erased = citizen.say("ya").await;
    assert!(erased.contains("sudah dihapus"), "{erased}");
    for gone in ["Budi Santoso", "6409011708900001", "6409012005150003"] {
        assert!(!erased.contains(gone), "{gone} is still on the page:\n{erased}");
    }
}

#[tokio::test]
async fn forms_without_the_chats_token_or_cookie_are_refused() {
    let server = server(&[]).await;
    let mut citizen = Citizen::new(&server.base);
    citizen.open().await;
    let forged = citizen.post(&[("token", "0123"), ("mid", "abcdefgh12"), ("text", "menu")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(text_of(&forged.text().await.unwrap()).contains("kedaluwarsa"));
    let token = citizen.token.clone();
    citizen.cookie = None;
    let no_cookie = citizen.post(&[("token", &token), ("text", "menu")]).await;
    assert_eq!(no_cookie.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_officers_status_change_appears_at_the_next_poll_once() {
    let server = server(&[]).await;
    let mut citizen = Citizen::new(&server.base);
    let no = request_ktp(&mut citizen).await;
    let page = citizen.open().await;
    let after = field(&page, "after");
    let (nothing, _) = citizen.poll(&after).await;
    assert!(nothing.is_empty(), "{nothing:?}");

    let officer = Actor::Officer("api:disdukcapil".into());
    let ticket = TicketNo::parse(&no, &[]).unwrap();
    server.core.http.desk.change(ticket, Status::Diverifikasi, None, officer, None).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let (lines, after) = loop {
        let (lines, next) = citizen.poll(&after).await;
        if !lines.is_empty() {
            break (lines, next);
        }
        assert!(tokio::time::Instant::now() < deadline, "no push arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(lines.concat().contains(&no), "{lines:?}");
    // The next poll acknowledges it: not shown again, and the page keeps it in the transcript.
    let (again, _) = citizen.poll(&after).await;
    assert!(again.is_empty(), "{again:?}");
    let page = text_of(&citizen.open().await);
    assert_eq!(page.matches("Diverifikasi").count(), 1, "{page}");
    // Marks are committed lazily (a lost mark only repeats a reply): wait for them.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !server.core.store.pending_replies(pintu::model::Channel::Web).unwrap().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "every reply shown is marked sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_upload_that_is_not_an_image_or_pdf_is_refused_politely() {
    let server = server(&[]).await;
    let mut citizen = Citizen::new(&server.base);
    citizen.open().await;
    for line in KTP_HILANG {
        citizen.say(line).await;
    }
    // A text file named and labelled as a JPEG.
    let (status, page) = citizen.upload(&fixture("catatan.txt"), "foto").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(page.contains("Mohon maaf") && page.contains("bukan foto"), "{page}");
    let chat = text_of(&citizen.open().await);
    assert!(!chat.contains("📷"), "nothing was sent to the dialog:\n{chat}");
    assert!(!server._data.path().join("files").exists(), "nothing was written");
}

#[tokio::test]
async fn too_many_requests_from_one_address_get_a_polite_429() {
    let server = server(&[("PINTU_WEB_RATE", "3")]).await;
    let mut citizen = Citizen::new(&server.base);
    for _ in 0..3 {
        assert_eq!(citizen.get("/obrolan").await.status(), StatusCode::OK);
    }
    let refused = citizen.get("/obrolan").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    let page = text_of(&refused.text().await.unwrap());
    assert!(page.contains("Terlalu banyak permintaan") && page.contains("Mohon maaf"), "{page}");
}

/// The real binary: a reply committed but not yet fetched by the page is there after a
/// restart.
#[tokio::test]
async fn a_reply_not_yet_fetched_survives_a_restart() {
    let data = private_tempdir();
    let mut pintu = super::process::Pintu::new(data.path(), &[]);
    pintu.start().await;
    let base = pintu.url("");
    let mut citizen = Citizen::new(&base);
    citizen.open().await;
    let fields = [
        ("token", citizen.token.clone()),
        ("mid", citizen.mid.clone()),
        ("text", "ktp hilang".to_string()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(citizen.post(&fields).await.status(), StatusCode::SEE_OTHER);
    // The browser closed before following the redirect; pintu is killed.
    pintu.kill9().await;
    pintu.start().await;
    let page = text_of(&citizen.open().await);
    assert!(page.contains("Pemberitahuan Privasi") && page.contains("KTP"), "{page}");
    pintu.stop().await;
}

/// Chromium with chat.js: the same KTP-el request typed into the page, the photos chosen in the
/// upload form, a choice tapped, then `status`; a screenshot of every step.
#[tokio::test]
async fn in_a_real_browser_a_citizen_requests_a_ktp_el_and_finds_it_with_status() {
    use fantoccini::Locator::Css;
    let data = private_tempdir();
    let pintu = super::browser::Pintu::start(data.path(), &[]).await;
    let browser = super::browser::Browser::start("webchat_ktp_el").await;
    let b = &browser.client;
    browser.goto(&pintu.url("/")).await;
    let replies = || async { b.find_all(Css("#log li.pintu")).await.unwrap().len() };
    // Waits until pintu's replies to the last message are on the page (chat.js polls).
    let wait_for_more = |before: usize| async move {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while replies().await <= before {
            assert!(tokio::time::Instant::now() < deadline, "no reply appeared");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let log = || async { b.find(Css("#log")).await.unwrap().text().await.unwrap() };
    let say = |text: String| async move {
        let before = replies().await;
        let input = b.find(Css("#text")).await.unwrap();
        input.send_keys(&text).await.unwrap();
        b.find(Css("#send button[type=submit]")).await.unwrap().click().await.unwrap();
        wait_for_more(before).await;
    };
    for line in KTP_HILANG {
        say(line.to_string()).await;
        browser.snap(&format!("said {line}")).await;
    }
    assert!(log().await.contains("Pemberitahuan Privasi"), "the privacy notice comes first");
    let photo = repo().join("tests/fixtures/foto.jpg");
    for n in 1..=2 {
        let before = replies().await;
        // The question asks for a photo: the upload form is open already.
        let file = b.find(Css("#upload input[type=file]")).await.unwrap();
        file.send_keys(&photo.display().to_string()).await.unwrap();
        browser.snap(&format!("photo {n} chosen")).await;
        b.find(Css("#upload button[type=submit]")).await.unwrap().click().await.unwrap();
        wait_for_more(before).await;
        browser.snap(&format!("photo {n} sent")).await;
    }
    let before = replies().await;
    b.find(Css("#choices button[value='1']")).await.unwrap().click().await.unwrap();
    wait_for_more(before).await;
    browser.snap("choice 1 tapped").await;
    say("ya".to_string()).await;
    browser.snap("submitted").await;
    let done = log().await;
    let no = ticket_in(&done);
    say(format!("status {no}")).await;
    browser.snap("status").await;
    let status = log().await;
    let shown = &status[status.rfind(&format!("status {no}")).unwrap()..];
    assert!(shown.contains(&no) && shown.contains("Diterima"), "{shown}");
    // What a page without JavaScript also shows: the whole conversation, after a reload.
    browser.goto(&pintu.url("/obrolan")).await;
    assert!(log().await.contains(&format!("status {no}")), "the transcript keeps the chat");
    browser.goto(&pintu.url("/privasi")).await;
    let privacy = b.find(Css("main")).await.unwrap().text().await.unwrap();
    assert!(privacy.contains("Pemberitahuan Privasi") && privacy.contains("hapus data saya"));
    browser.close().await;
}
