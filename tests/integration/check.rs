//! `pintu check` on broken scripts: every problem with its true `path:line:col`.

use super::support::{copy_tree, repo};
use std::process::Command;

fn pintu() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pintu"))
}

#[test]
fn shipped_dialogs_are_clean() {
    let out = pintu().arg("check").arg(repo().join("dialogs")).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "pintu check found problems:\n{stdout}");
    assert!(stdout.is_empty(), "{stdout}");
}

#[test]
fn three_planted_mistakes_give_three_located_errors() {
    let dir = copy_tree();
    let file = dir.path().join("dialogs/planted.yaml");
    std::fs::write(
        &file,
        "id: planted\n\
         version: 1\n\
         opd: disdukcapil\n\
         sla_days: 1\n\
         steps:\n\
         \x20 - { id: nama, kind: txt }\n\
         \x20 - { id: jenis, kind: choice, options: [a, b], next: ringkasn }\n\
         \x20 - { id: hp, kind: text, pattern: \"[0-9\" }\n\
         \x20 - { id: ringkasan, kind: summary }\n",
    )
    .unwrap();
    let texts = "planted-title = T\nplanted-nama = N\n    .label = N\nplanted-jenis = J\n    .label = J\n\
                 planted-jenis-a = A\nplanted-jenis-b = B\nplanted-hp = H\n    .label = H\nplanted-ringkasan = R\n";
    for lang in ["id", "en"] {
        std::fs::write(dir.path().join(format!("locales/{lang}/planted.ftl")), texts).unwrap();
    }
    let out = pintu().arg("check").arg(dir.path().join("dialogs")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let f = file.display().to_string();
    let want = [
        format!("{f}:6:23: error: unknown step kind `txt`"),
        format!("{f}:7:55: error: no step with id `ringkasn` in this script"),
        format!("{f}:8:36: error: `pattern` is not a valid regular expression"),
    ];
    assert_eq!(lines.len(), 3, "{stdout}");
    for (line, want) in lines.iter().zip(&want) {
        assert!(line.starts_with(want.as_str()), "got  {line}\nwant {want}");
    }
}

#[test]
fn yaml_syntax_and_locale_mistakes_are_located() {
    let dir = copy_tree();
    std::fs::write(dir.path().join("dialogs/rusak.yaml"), "id: rusak\nsteps: [\n  - id: x\n")
        .unwrap();
    // A typo in a message id: the real id goes missing and the typo is unused.
    let ftl = dir.path().join("locales/en/ktp_el.ftl");
    let text =
        std::fs::read_to_string(&ftl).unwrap().replacen("ktp_el-title =", "ktp_el-titel =", 1);
    std::fs::write(&ftl, text).unwrap();
    let out = pintu().arg("check").arg(dir.path().join("dialogs")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("rusak.yaml:") && stdout.contains("YAML syntax"), "{stdout}");
    assert!(stdout.contains("missing message `ktp_el-title` in locales/en/ktp_el.ftl"), "{stdout}");
    assert!(
        stdout.contains("ktp_el.ftl:") && stdout.contains("`ktp_el-titel` (en) is not used"),
        "{stdout}"
    );
    for line in stdout.lines() {
        let parts: Vec<&str> = line.splitn(4, ':').collect();
        assert!(
            parts.len() == 4 && parts[1].parse::<u32>().is_ok() && parts[2].parse::<u32>().is_ok(),
            "not path:line:col: {line}"
        );
    }
}

#[test]
fn a_missing_folder_is_exit_status_2() {
    let out = pintu().args(["check", "/no/such/dialogs"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/dialogs"));
}
