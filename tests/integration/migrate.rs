//! `pintu migrate` with the real binary: a citizen's half-filled form and a staff account move
//! from a sled data folder into a throw-away PostgreSQL database, the folder then refuses to
//! serve, and the citizen continues the form on the database.

use super::cluster;
use super::support::{private_tempdir, repo};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn pintu(data: &Path, database: Option<&str>, args: &[&str], stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pintu"));
    command
        .args(args)
        .env("PINTU_DATA_DIR", data)
        .env("PINTU_DIALOGS_DIR", repo().join("dialogs"))
        .env("PINTU_LOCALES_DIR", repo().join("locales"))
        // The API's port is not needed, and another test may hold the default one.
        .env("PINTU_HTTP_ADDR", "127.0.0.1:0")
        .env_remove("PINTU_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(url) = database {
        command.env("PINTU_DATABASE_URL", url);
    }
    let mut child = command.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn a_data_folder_moves_into_postgres_and_the_citizen_goes_on_there() {
    let dir = private_tempdir();
    let data = dir.path();
    let started = pintu(data, None, &["chat", "--user", "7"], "ktp hilang\nya\n");
    assert!(started.status.success(), "{}", text(&started));
    let add = ["user", "add", "--admin", "--name", "Ani", "--login", "ani", "--password-stdin"];
    assert!(pintu(data, None, &add, "kata-sandi-ani\n").status.success());

    let (_cluster, url) = cluster::fresh_database();
    let moved = pintu(data, None, &["migrate", "--to", &url], "");
    let report = text(&moved);
    assert!(moved.status.success(), "{report}");
    assert!(report.contains("checked record by record: 1 sessions"), "{report}");
    assert!(report.contains("1 staff accounts"), "{report}");
    assert!(report.contains(":***@"), "the address is shown without its password: {report}");

    let again = pintu(data, None, &["migrate", "--to", &url], "");
    assert!(!again.status.success() && text(&again).contains("already moved"), "{}", text(&again));
    // The old copy does not serve any more.
    let old = pintu(data, None, &["chat", "--user", "7"], "6409011708900001\n");
    assert!(!old.status.success(), "{}", text(&old));
    assert!(text(&old).contains("were moved to a database"), "{}", text(&old));

    // On the database the citizen's form goes on where it was: the NIK, then the name.
    let on = pintu(data, Some(&url), &["chat", "--user", "7"], "6409011708900001\n");
    let said = text(&on);
    assert!(on.status.success(), "{said}");
    assert!(said.contains("Mohon ketik nama lengkap"), "{said}");

    // Accounts are managed in the database from now on.
    let add = ["user", "add", "--opd", "disdukcapil", "--name", "Budi", "--login", "budi"];
    let added =
        pintu(data, Some(&url), &[&add[..], &["--password-stdin"]].concat(), "sandi-budi-1\n");
    assert!(added.status.success(), "{}", text(&added));
    let list = text(&pintu(data, Some(&url), &["user", "list"], ""));
    assert!(list.contains("ani") && list.contains("budi"), "{list}");
}
