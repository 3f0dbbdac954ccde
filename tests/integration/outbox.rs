//! Tickets reach the agencies and status changes reach citizens: the real core (store,
//! committer, outbox worker, HTTP API) against the fake agency on loopback.

use super::fake_agency::{FakeAgency, Mode};
use super::support::{repo, say_to};
use pintu::app::{Core, start_core};
use pintu::clock::SystemClock;
use pintu::config::Config;
use pintu::model::{Channel, ChatKey};
use pintu::outbox::push::Delivered;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const SECRET: &str = "rahasia-agensi";
const OPD_TOKEN: &str = "token-kominfo";
const ADMIN_TOKEN: &str = "token-admin";

fn digest(token: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(token.as_bytes())))
}

/// A core whose `diskominfo` tickets (darurat, pengaduan) go to `agency`.
pub fn core_with(agency: &FakeAgency, data: &std::path::Path) -> Core {
    let env: HashMap<String, String> = [
        ("PINTU_DATA_DIR", data.display().to_string()),
        ("PINTU_DIALOGS_DIR", repo().join("dialogs").display().to_string()),
        ("PINTU_LOCALES_DIR", repo().join("locales").display().to_string()),
        ("PINTU_TARGET_DISKOMINFO_URL", agency.url()),
        ("PINTU_TARGET_DISKOMINFO_SECRET", SECRET.to_string()),
        ("PINTU_API_TOKEN_DISKOMINFO", digest(OPD_TOKEN)),
        ("PINTU_ADMIN_TOKEN", digest(ADMIN_TOKEN)),
        ("PINTU_RETRY_BASE", "1s".to_string()),
        ("PINTU_RETRY_MAX", "2s".to_string()),
        ("PINTU_PUBLIC_URL", "http://pintu.test".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let config = Config::load_with(None, &env).expect("test config");
    start_core(&config, Arc::new(SystemClock)).expect("core starts")
}

/// Files an emergency report (the shortest dialog) and returns its ticket number.
pub async fn report(core: &Core, user: &str) -> String {
    // "darurat" names no kind of emergency, so the report asks it: always these five messages.
    say_to(core, user, "darurat").await;
    say_to(core, user, "ya").await;
    say_to(core, user, "lewati").await;
    say_to(core, user, "1").await;
    let done = say_to(core, user, "lewati").await;
    let at = done.find("Nomor tiket: *").unwrap_or_else(|| panic!("no ticket in {done}")) + 14;
    done[at..at + 9].to_string()
}

/// An HTTP server for the core's API on 127.0.0.1:0.
async fn api(core: &Core) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // As `serve` does: the peer's address is what the audit log records.
    let app = pintu::http::router(core.http.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_arrive_exactly_once_after_an_outage() {
    let agency = FakeAgency::start(SECRET).await;
    agency.set_mode(Mode::Status(503));
    let data = super::support::private_tempdir();
    let core = core_with(&agency, data.path());
    let mut tickets = Vec::new();
    for i in 0..5 {
        tickets.push(report(&core, &format!("w{i}")).await);
    }
    agency.wait_requests(5, Duration::from_secs(20)).await;
    agency.set_mode(Mode::Ok);
    agency.wait_accepted(5, Duration::from_secs(30)).await;
    let mut keys = agency.accepted_keys();
    keys.sort();
    let mut want: Vec<String> = tickets.iter().map(|t| t.replace('-', "")).collect();
    want.sort();
    assert_eq!(keys, want, "each ticket once, keyed by its number");
    let ok: Vec<_> = agency.requests().into_iter().filter(|r| r.status == 200).collect();
    assert!(ok.iter().all(|r| r.signature_ok && r.timestamp_ok));
    let body = &ok[0].body;
    assert_eq!(body["version"], 1);
    assert_eq!(body["opd"], "diskominfo");
    assert_eq!(body["service"]["id"], "darurat");
    assert!(body["status_url"].as_str().unwrap().starts_with("http://pintu.test/api/v1/tickets/"));
    assert!(
        body["answers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["step"] == "kategori" && a["type"] == "choice")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured_and_bad_requests_become_dead_letters() {
    let agency = FakeAgency::start(SECRET).await;
    agency.set_mode(Mode::RetryAfter { status: 429, secs: 1 });
    let data = super::support::private_tempdir();
    let core = core_with(&agency, data.path());
    let no = report(&core, "a").await;
    agency.wait_requests(2, Duration::from_secs(20)).await;
    let reqs = agency.requests();
    let gap = reqs[1].at - reqs[0].at;
    assert!(gap >= Duration::from_millis(900), "waited {gap:?} after Retry-After: 1");
    // A permanent refusal: the entry goes to the dead letters, where an admin finds it.
    agency.set_mode(Mode::Status(422));
    agency.wait_requests(3, Duration::from_secs(20)).await;
    let base = api(&core).await;
    let http = client();
    let dead: serde_json::Value = loop {
        let v: serde_json::Value = http
            .get(format!("{base}/api/v1/outbox/dead"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if !v["dead"].as_array().unwrap().is_empty() {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let entry = &dead["dead"][0];
    assert_eq!(entry["ticket"], no.as_str());
    assert_eq!(entry["last_error"], "HTTP 422");
    // Only admins see dead letters.
    let forbidden =
        http.get(format!("{base}/api/v1/outbox/dead")).bearer_auth(OPD_TOKEN).send().await.unwrap();
    assert_eq!(forbidden.status(), 403);
    // Fixed on the agency's side, re-queued by the admin: delivered once.
    agency.set_mode(Mode::Ok);
    let id = entry["id"].as_str().unwrap();
    let r = http
        .post(format!("{base}/api/v1/outbox/dead/{id}/requeue"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    agency.wait_accepted(1, Duration::from_secs(20)).await;
    assert_eq!(agency.accepted_keys(), vec![no.replace('-', "")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_changes_status_and_the_citizen_gets_the_push() {
    let agency = FakeAgency::start(SECRET).await;
    let data = super::support::private_tempdir();
    let core = core_with(&agency, data.path());
    let mut pushes = core.sinks.register(Channel::Terminal);
    let no = report(&core, "warga").await;
    let base = api(&core).await;
    let http = client();
    let url = format!("{base}/api/v1/tickets/{no}");
    let post = |token: Option<&str>, body: &str| {
        let mut r = http
            .post(format!("{url}/status"))
            .header("content-type", "application/json")
            // Written by the client itself, with no trusted proxy in front: not believed.
            .header("x-forwarded-for", "203.0.113.66")
            .body(body.to_string());
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    // Authentication and validation, each with its JSON error.
    assert_eq!(http.get(&url).send().await.unwrap().status(), 401);
    assert_eq!(http.get(&url).bearer_auth("salah").send().await.unwrap().status(), 401);
    assert_eq!(
        http.get(format!("{base}/api/v1/tickets/K7Q4-M9XS"))
            .bearer_auth(OPD_TOKEN)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let bad = post(Some(OPD_TOKEN), "{\"status\": 5}").await.unwrap();
    assert_eq!(bad.status(), 422);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid");
    assert_eq!(
        post(Some(OPD_TOKEN), r#"{"status":"selesai"}"#).await.unwrap().status(),
        409,
        "diterima → selesai is not allowed"
    );
    assert_eq!(
        post(Some(OPD_TOKEN), r#"{"status":"ditolak"}"#).await.unwrap().status(),
        422,
        "a rejection needs a note"
    );
    assert_eq!(post(None, r#"{"status":"diproses"}"#).await.unwrap().status(), 401);
    // A valid change.
    let ok =
        post(Some(OPD_TOKEN), r#"{"status":"perlu_perbaikan","note":"Foto lokasi kurang jelas"}"#)
            .await
            .unwrap();
    assert_eq!(ok.status(), 200);
    let t: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(t["status"], "perlu_perbaikan");
    assert_eq!(t["history"].as_array().unwrap().len(), 2);
    // The citizen's chat gets the news, with what to do next.
    let push = tokio::time::timeout(Duration::from_secs(10), pushes.recv()).await.unwrap().unwrap();
    assert_eq!(push.chat, ChatKey::new(Channel::Terminal, "warga"));
    let text = core.catalogue.borrow().locales.render(push.out.lang, &push.out.reply);
    push.ack.send(Delivered::Yes).unwrap();
    assert!(
        text.contains("Perlu Perbaikan")
            && text.contains("Foto lokasi kurang jelas")
            && text.contains(&format!("perbaiki {no}")),
        "{text}"
    );
    // The citizen sends the correction: back to verification, forwarded as revision 1.
    say_to(&core, "warga", &format!("perbaiki {no}")).await;
    let thanks = say_to(&core, "warga", "Lokasinya di depan SDN 3, dekat pasar").await;
    assert!(thanks.contains("Perbaikan untuk permohonan"), "{thanks}");
    agency.wait_accepted(2, Duration::from_secs(20)).await;
    assert!(agency.accepted_keys().contains(&format!("{}-1", no.replace('-', ""))));
    let t: serde_json::Value =
        http.get(&url).bearer_auth(OPD_TOKEN).send().await.unwrap().json().await.unwrap();
    assert_eq!(t["status"], "diverifikasi");
    // Same-state changes are conflicts; another OPD's token sees nothing.
    assert_eq!(post(Some(OPD_TOKEN), r#"{"status":"diverifikasi"}"#).await.unwrap().status(), 409);
    let list: serde_json::Value = http
        .get(format!("{base}/api/v1/tickets?status=diverifikasi"))
        .bearer_auth(OPD_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["tickets"].as_array().unwrap().len(), 1);
    let other = http
        .get(format!("{base}/api/v1/tickets?opd=dinsos"))
        .bearer_auth(OPD_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 403);
    // Every change is in the audit log: who, what, when, from where.
    let log = http.get(format!("{base}/api/v1/admin/audit")).bearer_auth(ADMIN_TOKEN).send();
    let log: serde_json::Value = log.await.unwrap().json().await.unwrap();
    let events = log["events"].as_array().unwrap();
    let first = events.iter().find(|e| e["detail"] == "diterima -> perlu_perbaikan");
    let first = first.expect("the officer's change is audited");
    assert_eq!(first["who"], "api:diskominfo");
    assert_eq!(first["target"], no.as_str());
    assert_eq!(first["from"], "127.0.0.1", "the peer: no trusted proxy in front");
    assert!(first["at"].as_str().unwrap().starts_with("20"));
    let opd_audit = http.get(format!("{base}/api/v1/admin/audit")).bearer_auth(OPD_TOKEN).send();
    assert_eq!(opd_audit.await.unwrap().status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_the_funnel_and_the_outbox() {
    let agency = FakeAgency::start(SECRET).await;
    let data = super::support::private_tempdir();
    let core = core_with(&agency, data.path());
    report(&core, "a").await;
    // Another citizen gives up on the KTP-el request at the NIK question.
    say_to(&core, "b", "ktp hilang").await;
    say_to(&core, "b", "ya").await;
    say_to(&core, "b", "batal").await;
    say_to(&core, "b", "ya").await;
    agency.wait_accepted(1, Duration::from_secs(20)).await;
    let base = api(&core).await;
    let text = client().get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
    for want in [
        "pintu_dialogs_total{service=\"darurat\",event=\"started\",step=\"\"} 1",
        "pintu_dialogs_total{service=\"darurat\",event=\"completed\",step=\"\"} 1",
        "pintu_dialogs_total{service=\"ktp_el\",event=\"abandoned\",step=\"nik\"} 1",
        "pintu_messages_in_total{channel=\"term\"} 9",
        "pintu_dead_letters 0",
    ] {
        assert!(text.contains(want), "missing `{want}` in\n{text}");
    }
    assert!(text.contains("pintu_deliveries_total{kind=\"forward\",outcome=\"done\"}"), "{text}");
    assert!(!text.contains("6409"), "no personal data in metrics");
}
