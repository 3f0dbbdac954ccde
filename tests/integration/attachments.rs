//! Attachments (issue #14 D8): a refused upload (the wrong kind by its content, too big) never
//! reaches the disk, a kept one is written owner-only, and files that no draft or ticket refers
//! to any more are swept once older than the draft TTL.

use super::support::{Harness, shipped_catalogue, thursday};
use std::path::Path;
use std::time::{Duration, SystemTime};

const WEEK: Duration = Duration::from_secs(7 * 86_400);

/// The attachment files in the data folder, sorted.
fn stored(data: &Path) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(data.join("files")) else { return Vec::new() };
    let mut names: Vec<String> =
        dir.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A family-card request up to its document step (as in transcript 03).
async fn up_to_the_document(h: &Harness, user: &str) {
    for line in
        ["kk", "tambah anak", "6409011708900001", "6409011708900001", "ya", "6409012005150003"]
    {
        h.say(user, line).await;
    }
    let asked = h.say(user, "lewati").await.join("\n");
    assert!(asked.contains("dokumen"), "{asked}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_uploads_are_never_written_and_kept_ones_are_owner_only() {
    let h = Harness::new(shipped_catalogue(), thursday(10, 0));
    let data = h.data_dir().to_path_buf();
    up_to_the_document(&h, "1").await;
    let refused = h.say("1", "/dokumen tests/fixtures/catatan.txt").await.join("\n");
    assert!(refused.contains("tidak dapat kami terima"), "{refused}");
    assert!(stored(&data).is_empty(), "a refused document is not written");
    h.say("1", "/dokumen tests/fixtures/surat.pdf").await;
    let kept = stored(&data);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].ends_with(".pdf"), "named after its content: {kept:?}");
    let file = data.join("files").join(&kept[0]);
    assert_eq!(std::fs::read(&file).unwrap(), std::fs::read("tests/fixtures/surat.pdf").unwrap());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    // At the photo step: a PDF, a text named .jpg, and a JPEG over the step's 5 MB.
    let tmp = super::support::private_tempdir();
    let big = tmp.path().join("besar.jpg");
    let mut bytes = std::fs::read("tests/fixtures/foto.jpg").unwrap();
    bytes.resize(6 << 20, 0);
    std::fs::write(&big, bytes).unwrap();
    for (line, why) in [
        ("/foto tests/fixtures/surat.pdf".to_string(), "bukan foto"),
        ("/foto tests/fixtures/catatan.jpg".to_string(), "bukan foto"),
        (format!("/foto {}", big.display()), "terlalu besar"),
    ] {
        let reply = h.say("1", &line).await.join("\n");
        assert!(reply.contains(why), "{line}: {reply}");
        assert_eq!(stored(&data).len(), 1, "{line} left a file");
    }
    h.say("1", "/foto tests/fixtures/foto.jpg").await;
    assert_eq!(stored(&data).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_no_draft_or_ticket_refers_to_are_swept_after_the_ttl() {
    let h = Harness::new(shipped_catalogue(), thursday(10, 0));
    let data = h.data_dir().to_path_buf();
    // Citizen 1 submits a request with a document and a photo: the ticket keeps them.
    up_to_the_document(&h, "1").await;
    h.say("1", "/dokumen tests/fixtures/surat.pdf").await;
    h.say("1", "/foto tests/fixtures/foto.jpg").await;
    h.say("1", "lewati").await;
    let done = h.say("1", "ya").await.join("\n");
    assert!(done.contains("Nomor tiket"), "{done}");
    let in_ticket = stored(&data);
    assert_eq!(in_ticket.len(), 2);
    // Citizen 2 keeps a draft with a document; citizen 3 sends one, then cancels the draft.
    up_to_the_document(&h, "2").await;
    h.say("2", "/dokumen tests/fixtures/surat.pdf").await;
    up_to_the_document(&h, "3").await;
    h.say("3", "/dokumen tests/fixtures/surat.pdf").await;
    let in_draft: Vec<String> =
        stored(&data).into_iter().filter(|n| !in_ticket.contains(n)).collect();
    assert_eq!(in_draft.len(), 2);
    h.say("3", "batal").await;
    h.say("3", "ya").await;
    let store = h.store.as_ref();
    // Young files stay, referred to or not: a step may have just written one.
    assert_eq!(pintu::attachments::sweep(store, &data, WEEK, SystemTime::now()).unwrap(), 0);
    assert_eq!(stored(&data).len(), 4);
    // A week later only the cancelled draft's file goes.
    let later = SystemTime::now() + WEEK + Duration::from_secs(60);
    assert_eq!(pintu::attachments::sweep(store, &data, WEEK, later).unwrap(), 1);
    let left = stored(&data);
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(in_ticket.iter().all(|n| left.contains(n)), "the ticket's files stay");
    let draft_files = pintu::attachments::referenced(store).unwrap();
    assert_eq!(draft_files.len(), 3, "the ticket's two and citizen 2's draft: {draft_files:?}");
}
