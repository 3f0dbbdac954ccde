//! `data saya` shows what is held, masked; `hapus data saya` erases it so that the NIK is found
//! nowhere in the data folder afterwards, attachments included. Personal data is stored sealed
//! (never plaintext on disk); erasure destroys the keys (`store::sled`), no rewrite to wait for.

use super::fake_agency::FakeAgency;
use super::outbox::core_with;
use pintu::app::Core;
use pintu::model::ticket::Actor;
use pintu::model::{Channel, ChatKey};
use pintu::model::{Status, TicketNo};
use std::path::Path;

/// Not the example number the texts show (that one is in every pinned script record).
const NIK: &str = "6409014506880003";
const KK: &str = "6409011203100007";

/// Sends a line (terminal syntax, so `/foto` works) and marks the replies sent, as a channel does.
async fn say(core: &Core, data: &Path, text: &str) -> String {
    let chat = ChatKey::new(Channel::Terminal, "warga");
    let input = pintu::channel::terminal::parse_line(text, data).unwrap();
    let out = core.convo.handle(chat.clone(), None, input).await.unwrap();
    core.convo.mark_sent(&chat, out.iter().map(|q| q.seq));
    let l = core.catalogue.borrow().locales.clone();
    out.iter().map(|q| l.render(q.out.lang, &q.out.reply)).collect::<Vec<_>>().join("\n")
}

fn holds(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if std::fs::read(&p)
                .unwrap_or_default()
                .windows(needle.len())
                .any(|w| w == needle)
            {
                found.push(p.display().to_string());
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_my_data_leaves_no_trace_of_the_nik() {
    let agency = FakeAgency::start("rahasia-agensi").await;
    let data = super::support::private_tempdir();
    let core = core_with(&agency, data.path());
    let d = data.path();
    for line in [
        "ktp saya hilang",
        "ya",
        NIK,
        "Siti Aminah",
        KK,
        "/foto tests/fixtures/foto.jpg",
        "/foto tests/fixtures/foto.jpg",
        "1",
    ] {
        say(&core, d, line).await;
    }
    let done = say(&core, d, "ya").await;
    let at = done.find("Nomor tiket: *").unwrap() + 14;
    let no = TicketNo::parse(&done[at..at + 9], &[]).unwrap();
    // The agency finishes it.
    let officer = || Actor::Officer("api:disdukcapil".into());
    core.http.desk.change(no, Status::Diproses, None, officer(), None).await.unwrap();
    core.http.desk.change(no, Status::Selesai, None, officer(), None).await.unwrap();
    // `data saya`: masked.
    let mine = say(&core, d, "data saya").await;
    assert!(mine.contains("6409********0003") && !mine.contains(NIK), "{mine}");
    let stored = core.store.ticket(&no).unwrap().unwrap();
    assert!(format!("{:?}", stored.answers).contains(NIK), "the NIK is stored before erasing");
    assert!(holds(d, NIK.as_bytes()).is_empty(), "sealed: never plaintext on disk");
    // `hapus data saya`, confirmed.
    assert!(say(&core, d, "hapus data saya").await.contains("akan dihapus"));
    let erased = say(&core, d, "ya").await;
    assert!(erased.contains("sudah dihapus"), "{erased}");
    // Complete when the answer is given: nothing runs on in the background.
    assert!(holds(d, NIK.as_bytes()).is_empty());
    assert!(holds(d, KK.as_bytes()).is_empty(), "the KK number is gone too");
    let photos = std::fs::read_dir(d.join("files")).unwrap().count();
    assert_eq!(photos, 0, "attachments are deleted");
    // What must stay, stays: the ticket's number, service and statuses.
    let t = core.store.ticket(&no).unwrap().unwrap();
    assert_eq!(t.status, Status::Selesai);
    assert!(t.answers.is_empty() && t.is_erased());
    assert!(say(&core, d, "data saya").await.contains("tidak menyimpan data"));
}
