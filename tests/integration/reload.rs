//! An admin edits a dialog while a citizen is in the middle of it: a typo is refused with its
//! `path:line:col` and nothing breaks; after the fix new citizens get the new dialog and the
//! one in the middle finishes on the old.

use super::fake_agency::FakeAgency;
use super::support::{copy_tree, say_to};
use pintu::app::start_core;
use pintu::clock::SystemClock;
use pintu::config::Config;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_edit_with_a_typo_keeps_the_old_dialog() {
    let _agency = FakeAgency::start("s").await;
    let tree = copy_tree();
    let data = super::support::private_tempdir();
    let admin = "admin-token";
    let env: HashMap<String, String> = [
        ("PINTU_DATA_DIR", data.path().display().to_string()),
        ("PINTU_DIALOGS_DIR", tree.path().join("dialogs").display().to_string()),
        ("PINTU_LOCALES_DIR", tree.path().join("locales").display().to_string()),
        ("PINTU_ADMIN_TOKEN", format!("sha256:{}", hex::encode(Sha256::digest(admin)))),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let config = Config::load_with(None, &env).unwrap();
    let core = start_core(&config, Arc::new(SystemClock)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = pintu::http::router(core.http.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let reload = || http.post(format!("{base}/api/v1/admin/reload")).bearer_auth(admin).send();

    // A citizen is in the middle of the death certificate dialog.
    say_to(&core, "lama", "akta kematian").await;
    let asked = say_to(&core, "lama", "3201011708450001").await;
    assert!(asked.contains("nama lengkap almarhum"), "{asked}");

    // The admin edits it with a typo: refused, with the place of the mistake.
    let yaml = tree.path().join("dialogs/akta_kematian.yaml");
    let original = std::fs::read_to_string(&yaml).unwrap();
    let typo =
        original.replacen("version: 1", "version: 2", 1).replacen("kind: name", "kind: nama", 1);
    std::fs::write(&yaml, &typo).unwrap();
    let r = reload().await.unwrap();
    assert_eq!(r.status(), 422);
    let body: serde_json::Value = r.json().await.unwrap();
    let problem = body["error"]["detail"]["problems"][0].as_str().unwrap().to_string();
    assert!(
        problem.contains("akta_kematian.yaml:") && problem.contains("unknown step kind `nama`"),
        "{problem}"
    );
    // Nothing broke: the citizen goes on, and new citizens still get the service.
    assert!(say_to(&core, "lama", "Sukarno").await.contains("tanggal meninggal"));
    assert!(say_to(&core, "baru", "akta kematian").await.contains("NIK almarhum"));

    // The fix: version 2 asks for the reporter's phone right after the name.
    let fixed = original.replacen("version: 1", "version: 2", 1).replacen(
        "  - { id: tanggal_meninggal",
        "  - { id: hp_pelapor, kind: phone }\n  - { id: tanggal_meninggal",
        1,
    );
    assert_ne!(fixed, original, "the edit applies");
    std::fs::write(&yaml, fixed).unwrap();
    for lang in ["id", "en"] {
        let ftl = tree.path().join(format!("locales/{lang}/akta_kematian.ftl"));
        let mut t = std::fs::read_to_string(&ftl).unwrap();
        t.push_str(
            "akta_kematian-hp_pelapor = Mohon ketik nomor HP pelapor.\n    .label = HP pelapor\n",
        );
        std::fs::write(&ftl, t).unwrap();
    }
    let r = reload().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // The new citizen (started on version 1) and a newer one on version 2.
    say_to(&core, "newer", "akta kematian").await;
    say_to(&core, "newer", "3201011708450001").await;
    assert!(
        say_to(&core, "newer", "Sukarno").await.contains("nomor HP pelapor"),
        "version 2 for new dialogs"
    );
    assert!(
        say_to(&core, "lama", "kemarin").await.contains("tempat meninggal"),
        "the old dialog finishes on version 1"
    );
}

/// Inserts a phone question before the date of death, with its texts; `version` unchanged
/// unless `bump`.
fn insert_step(tree: &std::path::Path, bump: bool) -> (std::path::PathBuf, usize) {
    let yaml = tree.join("dialogs/akta_kematian.yaml");
    let original = std::fs::read_to_string(&yaml).unwrap();
    let step = "  - { id: tanggal_meninggal";
    let line = original.lines().position(|l| l.starts_with(step)).unwrap() + 1;
    let mut edited = original.replacen(
        step,
        "  - { id: hp_pelapor, kind: phone }\n  - { id: tanggal_meninggal",
        1,
    );
    if bump {
        edited = edited.replacen("version: 1", "version: 2", 1);
    }
    std::fs::write(&yaml, edited).unwrap();
    for lang in ["id", "en"] {
        let ftl = tree.join(format!("locales/{lang}/akta_kematian.ftl"));
        let mut t = std::fs::read_to_string(&ftl).unwrap();
        if !t.contains("akta_kematian-hp_pelapor") {
            t.push_str("akta_kematian-hp_pelapor = Nomor HP pelapor?\n    .label = HP pelapor\n");
        }
        std::fs::write(&ftl, t).unwrap();
    }
    (yaml, line)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_edit_that_would_move_citizens_or_lose_texts_is_refused() {
    let tree = copy_tree();
    let data = super::support::private_tempdir();
    let env: HashMap<String, String> = [
        ("PINTU_DATA_DIR", data.path().display().to_string()),
        ("PINTU_DIALOGS_DIR", tree.path().join("dialogs").display().to_string()),
        ("PINTU_LOCALES_DIR", tree.path().join("locales").display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let config = Config::load_with(None, &env).unwrap();
    let core = start_core(&config, Arc::new(SystemClock)).unwrap();
    say_to(&core, "lama", "akta kematian").await;
    assert!(say_to(&core, "lama", "3201011708450001").await.contains("nama lengkap almarhum"));

    // Steps changed under version 1, which the citizen started: refused, old dialog stays.
    let yaml = tree.path().join("dialogs/akta_kematian.yaml");
    let original = std::fs::read_to_string(&yaml).unwrap();
    let (_, line) = insert_step(tree.path(), false);
    let problems = core.http.reloader.reload().unwrap_err();
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [format!(
            "{}:{line}:5: error: steps changed but version is still 1, which citizens have \
             started; raise `version:` to 2",
            yaml.display()
        )]
    );
    assert!(say_to(&core, "lama", "Sukarno").await.contains("tanggal meninggal"), "no jump");

    // A text pintu itself needs goes missing: refused too, and `bantuan` still gets words.
    std::fs::write(&yaml, &original).unwrap();
    let common = tree.path().join("locales/id/common.ftl");
    let text = std::fs::read_to_string(&common).unwrap();
    let without: String = text
        .split_inclusive('\n')
        .scan(false, |skipping, l| {
            *skipping = l.starts_with("help =") || (*skipping && l.starts_with(' '));
            Some(if *skipping { "" } else { l })
        })
        .collect();
    std::fs::write(&common, without).unwrap();
    let problems = core.http.reloader.reload().unwrap_err();
    assert!(
        problems.iter().any(|p| p.to_string().contains("missing message `help` (pintu needs it")),
        "{problems:?}"
    );
    assert!(say_to(&core, "lama", "bantuan").await.contains("*Bantuan*"));
}

/// Restarted with steps changed under a version a citizen is in the middle of: the script is
/// left out (new citizens do not get it until the version is raised) and the citizen finishes
/// on the stored version.
#[test]
fn a_restart_with_steps_changed_under_a_started_version_keeps_the_citizen_on_it() {
    let tree = copy_tree();
    let data = super::support::private_tempdir();
    let chat = |user: &str, lines: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pintu"))
            .args(["chat", "--user", user])
            .env("PINTU_DATA_DIR", data.path())
            .env("PINTU_DIALOGS_DIR", tree.path().join("dialogs"))
            .env("PINTU_LOCALES_DIR", tree.path().join("locales"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(lines.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (text(&out.stdout), text(&out.stderr))
    };
    let (first, _) = chat("1", "akta kematian\n3201011708450001\n");
    assert!(first.contains("nama lengkap almarhum"), "{first}");
    let (yaml, line) = insert_step(tree.path(), false);
    let (second, log) = chat("1", "Sukarno\n");
    assert!(second.contains("tanggal meninggal"), "the stored version goes on: {second}");
    let want = format!("{}:{line}:5: error: steps changed but version is still 1", yaml.display());
    assert!(log.contains(&want), "{log}");
}
