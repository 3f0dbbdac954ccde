//! `pintu user …` with the real binary: accounts land in the store with argon2 hashes, a
//! generated password is printed once and works, and every change is audited.

use crate::support::private_tempdir;
use pintu::clock::Timestamp;
use pintu::store::{SledStore, Store};
use pintu::users::{LoginOutcome, login};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn pintu(data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pintu"))
        .args(args)
        .env("PINTU_DATA_DIR", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn user_add_list_disable_reset() {
    let dir = private_tempdir();
    let data = dir.path();
    let add = ["user", "add", "--opd", "disdukcapil", "--name", "Budi Santoso"];
    let out = ok(&pintu(data, &[&add[..], &["--password-stdin"]].concat(), "kata-sandi-budi\n"));
    assert_eq!(out.trim(), "account budi.santoso created");
    let again = pintu(data, &[&add[..], &["--password-stdin"]].concat(), "kata-sandi-budi\n");
    assert!(!again.status.success(), "a second budi.santoso is refused");
    let admin =
        ok(&pintu(data, &["user", "add", "--admin", "--name", "Ani", "--login", "ani"], ""));
    let generated = admin.split("password (shown once): ").nth(1).expect("printed").trim();
    assert_eq!(generated.len(), 16);
    ok(&pintu(data, &["user", "disable", "budi.santoso"], ""));
    let list = ok(&pintu(data, &["user", "list"], ""));
    assert!(list.contains("budi.santoso") && list.contains("disdukcapil"), "{list}");
    assert!(list.lines().any(|l| l.starts_with("budi.santoso") && l.contains("disabled")));
    assert!(list.lines().any(|l| l.starts_with("ani") && l.contains("(admin)")));
    let reset = ok(&pintu(data, &["user", "reset", "ani"], ""));
    let new_password = reset.split("password (shown once): ").nth(1).expect("printed").trim();
    assert_ne!(new_password, generated);
    assert!(!pintu(data, &["user", "reset", "nobody"], "").status.success());

    let store = SledStore::open(&data.join("db"), 1 << 20).unwrap();
    let budi = store.account("budi.santoso").unwrap().unwrap();
    assert!(budi.password_hash.starts_with("$argon2id$") && budi.disabled);
    let now = Timestamp(2_000_000_000);
    let try_login = |name: &str, pw: &str| login(&store, name, pw, "", now).unwrap().0;
    assert_eq!(try_login("budi.santoso", "kata-sandi-budi"), LoginOutcome::Refused);
    assert_eq!(try_login("ani", generated), LoginOutcome::Refused);
    assert!(matches!(try_login("ani", new_password), LoginOutcome::Ok(a) if a.is_admin()));
    let actions: Vec<String> = store.audit_log(10).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.len(), 4, "{actions:?}");
    assert!(
        ["user_add", "user_disable", "user_reset"].iter().all(|a| actions.iter().any(|x| x == a))
    );
}
