//! An admin edits a script while a citizen is in the middle of it: the citizen finishes on the
//! version they started, also across a restart; new citizens get the new version.

use super::support::{Harness, copy_tree, shipped_catalogue, thursday};
use pintu::script::catalogue::Catalogue;
use std::sync::Arc;

/// The shipped version of `ktp_el` (bumped whenever the dialog changes).
fn shipped_version() -> u32 {
    shipped_catalogue().script("ktp_el").unwrap().version
}

/// The shipped dialogs with `ktp_el` one version on, which no longer asks for the KK number.
fn edited_catalogue() -> (tempfile::TempDir, Arc<Catalogue>) {
    let v = shipped_version();
    let dir = copy_tree();
    let yaml = dir.path().join("dialogs/ktp_el.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let text = text.replacen(&format!("version: {v}"), &format!("version: {}", v + 1), 1);
    let text: String =
        text.lines().filter(|l| !l.contains("id: no_kk")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&yaml, text).unwrap();
    for lang in ["id", "en"] {
        let ftl = dir.path().join(format!("locales/{lang}/ktp_el.ftl"));
        let text = std::fs::read_to_string(&ftl).unwrap();
        // Drop the `ktp_el-no_kk` message with its indented lines.
        let mut out = String::new();
        let mut skipping = false;
        for line in text.lines() {
            if line.starts_with("ktp_el-no_kk ") {
                skipping = true;
                continue;
            }
            if skipping && (line.starts_with(' ') || line.is_empty()) {
                continue;
            }
            skipping = false;
            out.push_str(line);
            out.push('\n');
        }
        std::fs::write(&ftl, out).unwrap();
    }
    let (cat, diags) = Catalogue::load(&dir.path().join("dialogs"), &dir.path().join("locales"));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(cat.script("ktp_el").unwrap().version, v + 1);
    (dir, Arc::new(cat))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_mid_dialog_finishes_on_the_version_they_started() {
    let mut h = Harness::new(shipped_catalogue(), thursday(9, 0));
    h.say("lama", "ktp rusak").await;
    let asked = h.say("lama", "6409011708900001").await.join("\n");
    assert!(asked.contains("nama"), "{asked}");
    // The edit goes live.
    let (_dir, v2) = edited_catalogue();
    let pinned = h.store.script_source("ktp_el", shipped_version()).unwrap();
    let record = pinned.expect("the shipped version was pinned");
    assert!(v2.compile_pinned("ktp_el", &record).is_some(), "{record}");
    h.publish(v2);
    let kk_question = h.say("lama", "Budi Santoso").await.join("\n");
    assert!(
        kk_question.contains("Kartu Keluarga (16 angka)"),
        "the old version still asks for the KK: {kk_question}"
    );
    // A restart in between: the pinned version comes back from the store.
    h.restart();
    let next = h.say("lama", "6409012005150003").await.join("\n");
    assert!(next.contains("foto Kartu Keluarga"), "{next}");
    // A citizen who starts now gets the new version: no KK number question after the name.
    h.say("baru", "ktp rusak").await;
    h.say("baru", "6409011708900001").await;
    let after_name = h.say("baru", "Siti Aminah").await.join("\n");
    assert!(
        after_name.contains("foto Kartu Keluarga") && !after_name.contains("(16 angka)"),
        "{after_name}"
    );
}
