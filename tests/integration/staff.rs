//! Staff sign-in over plain HTTP against the real core: no cookie is sent to the sign-in
//! page, wrong passwords lock the account, a sign-in gets a new session token (the old one
//! ends), a form without the session's token or from another site is refused, sign-out and a
//! disabled account end the session, and the store keeps only the token's hash.

use super::support::{private_tempdir, repo};
use pintu::app::{Core, start_core};
use pintu::clock::SystemClock;
use pintu::config::Config;
use pintu::model::account::Role;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use std::collections::HashMap;
use std::sync::Arc;

struct Server {
    core: Core,
    base: String,
    _data: tempfile::TempDir,
}

/// The core with the web pages on 127.0.0.1, and two accounts: officer `budi`, admin `ani`.
async fn server() -> Server {
    let data = private_tempdir();
    let env: HashMap<String, String> = [
        ("PINTU_DATA_DIR", data.path().display().to_string()),
        ("PINTU_DIALOGS_DIR", repo().join("dialogs").display().to_string()),
        ("PINTU_LOCALES_DIR", repo().join("locales").display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let config = Config::load_with(None, &env).expect("test config");
    let core = start_core(&config, Arc::new(SystemClock)).expect("core starts");
    let desk = &core.http.desk;
    let now = desk.clock.now();
    for (login, role) in
        [("budi", Role::Officer { opd: "disdukcapil".into() }), ("ani", Role::Admin)]
    {
        let password = format!("sandi-{login}-123");
        let batch =
            pintu::users::add(desk.store.as_ref(), login, login, role, &password, "cli", now)
                .unwrap();
        assert!(desk.committer.commit(batch).await);
    }
    let app = pintu::app::web_router(&core, &config).expect("web pages");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Server { core, base, _data: data }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

impl Server {
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
