//! The real `pintu` binary: `chat` piped, stopped mid-dialog and started again on the same data
//! dir; `serve` answering its health endpoint.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs `pintu chat` with these lines on stdin and returns stdout.
fn chat(data: &std::path::Path, user: &str, lines: &[&str]) -> String {
    let out = chat_with(data, user, lines, &[]);
    String::from_utf8(out.stdout).unwrap()
}

/// `pintu chat` left running, to be fed and read line by line (and killed mid-dialog).
fn live_chat(
    data: &std::path::Path,
    user: &str,
) -> (std::process::Child, std::process::ChildStdin, std::io::BufReader<std::process::ChildStdout>)
{
    let mut child = Command::new(env!("CARGO_BIN_EXE_pintu"))
        .args(["chat", "--user", user])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PINTU_DATA_DIR", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    (child, stdin, stdout)
}

/// Runs `pintu chat` with these lines and extra environment variables; checks it succeeded.
fn chat_with(
    data: &std::path::Path,
    user: &str,
    lines: &[&str],
    env: &[(&str, &str)],
) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pintu"))
        .args(["chat", "--user", user])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PINTU_DATA_DIR", data)
        .env_remove("PINTU_LOG")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for l in lines {
        writeln!(stdin, "{l}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pintu chat failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn ticket_in(text: &str) -> String {
    let at = text.find("Nomor tiket: *").expect("a ticket number") + "Nomor tiket: *".len();
    text[at..at + 9].to_string()
}

#[test]
fn a_dialog_survives_a_restart_and_the_ticket_can_be_found_again() {
    let data = super::support::private_tempdir();
    // First run: start a KTP-el request (lost card) with a couple of mistakes, then stop.
    let first = chat(data.path(), "42", &["halo", "ktp hilang", "ya", "12345", "6409011708900001"]);
    assert!(first.contains("16"), "the short NIK is refused with what is expected:\n{first}");
    // Second run, same data dir: the dialog continues at the question after the NIK.
    let second = chat(data.path(), "42", &["kembali"]);
    assert!(second.contains("NIK"), "`kembali` goes back to the NIK question:\n{second}");
    let third = chat(
        data.path(),
        "42",
        &[
            "6409011708900001",
            "Budi Santoso",
            "6409012005150003",
            "/foto tests/fixtures/foto.jpg",
            "/foto tests/fixtures/foto.jpg",
            "1",
            "ya",
        ],
    );
    let no = ticket_in(&third);
    // Fourth run: after a restart the ticket is found by its number.
    let fourth = chat(data.path(), "42", &[&format!("status {no}")]);
    assert!(fourth.contains(&no) && fourth.contains("Diterima"), "{fourth}");
    // Another citizen sees only the current status, nothing personal.
    let other = chat(data.path(), "77", &[&format!("cek {}", no.to_lowercase())]);
    assert!(other.contains("Diterima") && !other.contains("Riwayat"), "{other}");
}

#[test]
fn serve_answers_health_and_stops_on_sigterm() {
    let data = super::support::private_tempdir();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_pintu"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PINTU_DATA_DIR", data.path())
        .env("PINTU_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env_remove("TELEGRAM_BOT_TOKEN")
        .env_remove("WHATSAPP_TOKEN")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut body = String::new();
    for _ in 0..200 {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Read;
            write!(s, "GET /readyz HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
            s.read_to_string(&mut body).unwrap();
            if body.contains("ready") {
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(body.starts_with("HTTP/1.0 200") && body.contains("\"ready\""), "{body}");
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("Telegram channel not started"), "{log}");
}

/// `kill -9` right after a reply was printed: the reply was only printed after its state was
/// on disk, so the next run continues from the question after it.
#[test]
fn a_reply_that_was_shown_survives_kill_9() {
    use std::io::BufRead;
    let data = super::support::private_tempdir();
    let (mut child, mut stdin, mut stdout) = live_chat(data.path(), "9");
    writeln!(stdin, "akta kematian").unwrap();
    writeln!(stdin, "3201011708450001").unwrap();
    stdin.flush().unwrap();
    // Read until the question that follows the NIK has been printed.
    let mut seen = String::new();
    while !seen.contains("nama lengkap almarhum") {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "pintu ended early:\n{seen}");
        seen.push_str(&line);
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let after = chat(data.path(), "9", &["kembali"]);
    assert!(
        after.contains("NIK almarhum"),
        "the NIK answer survived, so `kembali` returns to it:\n{after}"
    );
}

/// The acceptance run: 100 tickets submitted through `pintu chat` while the agency is
/// down; then `pintu serve` delivers them, is killed with SIGKILL half-way and restarted.
/// Every ticket arrives, and a ticket seen twice always carries the same idempotency key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_tickets_survive_an_outage_and_kill_9() {
    use super::fake_agency::{FakeAgency, Mode};
    let agency = FakeAgency::start("rahasia").await;
    agency.set_mode(Mode::Status(503));
    let data = super::support::private_tempdir();
    let env = |cmd: &mut Command| {
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("PINTU_DATA_DIR", data.path())
            .env("PINTU_HTTP_ADDR", "127.0.0.1:0")
            .env("PINTU_TARGET_DISKOMINFO_URL", agency.url())
            .env("PINTU_TARGET_DISKOMINFO_SECRET", "rahasia")
            .env("PINTU_RETRY_BASE", "1s")
            .env("PINTU_RETRY_MAX", "1s");
    };
    let mut lines = Vec::new();
    for _ in 0..100 {
        lines.extend(["darurat", "ya", "lewati", "1", "lewati"]);
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pintu"));
    env(&mut cmd);
    let script = lines.join("\n") + "\n";
    let out = tokio::task::spawn_blocking(move || {
        let mut child = cmd
            .args(["chat", "--user", "100"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut tickets: Vec<String> = stdout
        .match_indices("Nomor tiket: *")
        .map(|(i, m)| stdout[i + m.len()..i + m.len() + 9].replace('-', ""))
        .collect();
    tickets.sort();
    tickets.dedup();
    assert_eq!(tickets.len(), 100, "100 distinct tickets were issued");
    // The agency comes back, slowly: serve delivers, and is killed half-way.
    agency.set_mode(Mode::Slow(Duration::from_millis(40)));
    let serve = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pintu"));
        env(&mut cmd);
        cmd.stderr(Stdio::null()).spawn().unwrap()
    };
    let mut first = serve();
    agency.wait_accepted(30, Duration::from_secs(60)).await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let mut second = serve();
    agency.wait_accepted(100, Duration::from_secs(90)).await;
    let pid = second.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    second.wait().unwrap();
    let mut accepted = agency.accepted_keys();
    accepted.sort();
    assert_eq!(accepted, tickets, "every ticket arrived, none was invented");
    for r in agency.requests().iter().filter(|r| r.status == 200) {
        assert!(r.signature_ok);
        assert!(tickets.contains(r.key.as_ref().unwrap()));
    }
}

/// The data folder holds every NIK: pintu keeps it owner-only and will not open one that other
/// users of the machine can read (issue #14 D5).
#[test]
fn the_data_folder_is_owner_only_and_an_open_one_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = super::support::private_tempdir();
    let data = tmp.path().join("pintu-data");
    chat(&data, "1", &["halo"]);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    let mut stack = vec![data.clone()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                assert_eq!(mode(&path), 0o700, "{}", path.display());
                stack.push(path);
            } else {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
            }
        }
    }
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pintu"))
        .args(["chat", "--user", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PINTU_DATA_DIR", &data)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("chmod 700"), "{err}");
}

/// `pintu chat` keeps stderr to warnings unless `PINTU_LOG` asks for more (issue #14 item 9).
#[test]
fn chat_follows_pintu_log() {
    let data = super::support::private_tempdir();
    let quiet = chat_with(data.path(), "1", &["halo"], &[]);
    let quiet = String::from_utf8_lossy(&quiet.stderr);
    assert!(!quiet.contains("dialogs loaded"), "only warnings by default:\n{quiet}");
    let verbose = chat_with(data.path(), "1", &["halo"], &[("PINTU_LOG", "pintu=info")]);
    let verbose = String::from_utf8_lossy(&verbose.stderr);
    assert!(verbose.contains("dialogs loaded"), "PINTU_LOG is followed:\n{verbose}");
}

/// `pintu backup` carries the attachments a draft or ticket refers to, and `pintu restore`
/// puts them back owner-only (issue #14 D8).
#[test]
fn backup_and_restore_carry_the_attachments() {
    let tmp = super::support::private_tempdir();
    let data = tmp.path().join("data");
    let lines = ["kk", "tambah anak", "6409011708900001", "6409011708900001", "ya"];
    let more = ["6409012005150003", "lewati", "/dokumen tests/fixtures/surat.pdf"];
    chat(&data, "5", &[&lines[..], &more[..]].concat());
    let pintu = |args: &[&str], dir: &std::path::Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_pintu"))
            .args(args)
            .env("PINTU_DATA_DIR", dir)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "pintu {args:?}: {err}");
        err
    };
    let file = tmp.path().join("pintu.backup");
    let said = pintu(&["backup", file.to_str().unwrap()], &data);
    assert!(said.contains("1 attachment files"), "{said}");
    let restored = tmp.path().join("restored");
    let said = pintu(&["restore", file.to_str().unwrap()], &restored);
    assert!(said.contains("1 attachment files restored"), "{said}");
    let names: Vec<_> = std::fs::read_dir(restored.join("files")).unwrap().collect();
    assert_eq!(names.len(), 1);
    let path = names[0].as_ref().unwrap().path();
    let pdf = std::fs::read("tests/fixtures/surat.pdf").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), pdf);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
}

/// Files under `dir` whose bytes contain `needle`.
fn files_holding(dir: &std::path::Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_holding(&path, needle));
        } else if std::fs::read(&path)
            .unwrap_or_default()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
        {
            found.push(path);
        }
    }
    found
}

/// `hapus data saya` confirmed, pintu killed with SIGKILL as soon as the erasure is answered:
/// after the restart the erased draft's NIK and name are nowhere under the data folder, the
/// draft is gone, and the open ticket (kept, as the citizen was told) still reads.
#[test]
fn an_erasure_answered_then_kill_9_holds_after_the_restart() {
    use std::io::BufRead;
    const DRAFT_NIK: &str = "3201011708900002";
    const DRAFT_NAME: &str = "Ani Rahasia Wulandari";
    // Not the dialogs' example NIK, which the pinned script's texts hold.
    const OPEN_NIK: &str = "6409011708900004";
    let data = super::support::private_tempdir();
    let submitted = chat(
        data.path(),
        "5",
        &[
            "ktp hilang",
            "ya",
            OPEN_NIK,
            "Budi Santoso",
            "6409012005150003",
            "/foto tests/fixtures/foto.jpg",
            "/foto tests/fixtures/foto.jpg",
            "1",
            "ya",
        ],
    );
    let no = ticket_in(&submitted);
    let (mut child, mut stdin, mut stdout) = live_chat(data.path(), "5");
    for line in ["ktp hilang", "ya", DRAFT_NIK, DRAFT_NAME, "hapus data saya", "ya"] {
        writeln!(stdin, "{line}").unwrap();
    }
    stdin.flush().unwrap();
    let mut seen = String::new();
    while !seen.contains("sudah dihapus") {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "pintu ended early:\n{seen}");
        seen.push_str(&line);
    }
    child.kill().unwrap(); // SIGKILL, right after the answer
    child.wait().unwrap();
    let after = chat(data.path(), "5", &["halo", &format!("status {no}")]);
    assert!(!after.contains("lanjutkan"), "the erased draft is not offered again:\n{after}");
    assert!(after.contains(&no) && after.contains("Diterima"), "the open ticket stays:\n{after}");
    for erased in [DRAFT_NIK, DRAFT_NAME] {
        assert_eq!(files_holding(data.path(), erased), Vec::<std::path::PathBuf>::new());
    }
    // The open ticket's data is kept, sealed: readable by pintu, not by grep.
    assert_eq!(files_holding(data.path(), OPEN_NIK), Vec::<std::path::PathBuf>::new());
}
