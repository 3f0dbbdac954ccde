//! Backups: taken through the API while citizens are submitting, restored with the real
//! binary into an empty folder, they hold exactly the tickets of one moment.

use super::fake_agency::FakeAgency;
use super::outbox::{core_with, report};
use pintu::store::{SledStore, Store};
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_to_the_same_tickets() {
    let agency = FakeAgency::start("rahasia-agensi").await;
    let data = super::support::private_tempdir();
    let core = std::sync::Arc::new(core_with(&agency, data.path()));
    // Citizens keep submitting while the backup is taken.
    let load = {
        let core = core.clone();
        tokio::spawn(async move {
            for i in 0..20 {
                report(&core, &format!("w{i}")).await;
            }
        })
    };
    while core.store.tickets().unwrap().len() < 5 {
        tokio::task::yield_now().await;
    }
    let snapshot = core
        .http
        .desk
        .committer
        .exclusive(|store| {
            let mut file = Vec::new();
            pintu::store::backup::write(store, &mut file).unwrap();
            file
        })
        .await
        .unwrap();
    load.await.unwrap();
    let dir = super::support::private_tempdir();
    let file = dir.path().join("pintu.backup");
    std::fs::write(&file, &snapshot).unwrap();
    // Restore with the real binary into an empty data folder.
    let restored = dir.path().join("restored");
    let out = Command::new(env!("CARGO_BIN_EXE_pintu"))
        .args(["restore", file.to_str().unwrap()])
        .env("PINTU_DATA_DIR", &restored)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = Command::new(env!("CARGO_BIN_EXE_pintu"))
        .args(["restore", file.to_str().unwrap()])
        .env("PINTU_DATA_DIR", &restored)
        .output()
        .unwrap();
    assert!(!again.status.success(), "restoring over data is refused");
    let stats = Command::new(env!("CARGO_BIN_EXE_pintu"))
        .arg("stats")
        .env("PINTU_DATA_DIR", &restored)
        .output()
        .unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    let store = SledStore::open(&restored.join("db"), 1 << 20).unwrap();
    let backed_up = store.tickets().unwrap();
    assert!(backed_up.len() >= 5 && backed_up.len() <= 20);
    assert_eq!(stats["tickets"], backed_up.len() as u64);
    // Every ticket in the backup is a ticket that exists, and its chat index came with it.
    for t in &backed_up {
        assert!(core.store.ticket(&t.no).unwrap().is_some());
        assert!(store.tickets_of(&t.chat).unwrap().iter().any(|x| x.no == t.no));
    }
}
