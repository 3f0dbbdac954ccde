//! `pintu check` on broken scripts: every problem with its true `path:line:col`.

use super::support::{copy_tree, repo};
use std::path::Path;
use std::process::Command;

fn pintu() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pintu"));
    // No store unless a test gives one: a developer's `pintu-data` must not change results.
    cmd.env("PINTU_DATA_DIR", "/nonexistent/pintu-data");
    cmd
}

/// `pintu check` on a tree's dialogs: exit code and stdout lines.
fn check(tree: &Path, data: Option<&Path>) -> (Option<i32>, Vec<String>, String) {
    let mut cmd = pintu();
    if let Some(d) = data {
        cmd.env("PINTU_DATA_DIR", d);
    }
    let out = cmd.arg("check").arg(tree.join("dialogs")).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
    (out.status.code(), stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `text` without the Fluent message `id` and its indented lines.
fn without_message(text: &str, id: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with(&format!("{id} =")) {
            skipping = true;
            continue;
        }
        if !(skipping && line.starts_with(' ')) {
            skipping = false;
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// 1-based line of the first line starting with `prefix`.
fn line_of(text: &str, prefix: &str) -> usize {
    text.lines().position(|l| l.starts_with(prefix)).expect(prefix) + 1
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

#[test]
fn a_text_pintu_needs_missing_in_one_language_fails_the_check() {
    let dir = copy_tree();
    let ftl = dir.path().join("locales/id/common.ftl");
    let original = std::fs::read_to_string(&ftl).unwrap();
    std::fs::write(&ftl, without_message(&original, "help")).unwrap();
    let (code, lines, _) = check(dir.path(), None);
    assert_eq!(code, Some(1));
    // Reported where it belongs: after the message that precedes it in English.
    let en = std::fs::read_to_string(repo().join("locales/en/common.ftl")).unwrap();
    let en_line = line_of(&en, "help =");
    let before = en.lines().take(en_line - 1).filter(|l| l.contains(" =")).last().unwrap();
    let prev_id = before.split(' ').next().unwrap();
    let at = line_of(&original, &format!("{prev_id} =")) + 1;
    let root = dir.path().join("locales");
    assert_eq!(
        lines,
        [format!(
            "{}:{at}:1: error: missing message `help` (pintu needs it: translate the en text at \
             {}:{en_line})",
            root.join("id/common.ftl").display(),
            root.join("en/common.ftl").display()
        )]
    );
    // The service refuses to start on it, with the same words.
    let data = super::support::private_tempdir();
    let out = Command::new(env!("CARGO_BIN_EXE_pintu"))
        .arg("chat")
        .env("PINTU_DATA_DIR", data.path())
        .env("PINTU_DIALOGS_DIR", dir.path().join("dialogs"))
        .env("PINTU_LOCALES_DIR", &root)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&lines[0]), "{stderr}");
}

#[test]
fn a_broken_lexicon_hides_no_other_problem() {
    let dir = copy_tree();
    let d = dir.path().join("dialogs");
    let lexicon = d.join("_lexicon.yaml");
    let text = std::fs::read_to_string(&lexicon).unwrap();
    let yes = line_of(&text, "yes:");
    std::fs::write(&lexicon, text.replacen("yes: [", "yes: [[", 1)).unwrap();
    let yaml = d.join("akta_kematian.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let kind = line_of(&text, "  - { id: nama_almarhum, kind: name }");
    std::fs::write(&yaml, text.replacen("kind: name }", "kind: nama }", 1)).unwrap();
    let menu = d.join("_menu.yaml");
    let text = std::fs::read_to_string(&menu).unwrap();
    let ktp = line_of(&text, "  - ktp_el");
    std::fs::write(&menu, text.replacen("  - ktp_el\n", "  - ktp_elektronik\n", 1)).unwrap();
    let ftl = dir.path().join("locales/en/ktp_el.ftl");
    let text = std::fs::read_to_string(&ftl).unwrap();
    let title = line_of(&text, "ktp_el-title =");
    std::fs::write(&ftl, text.replacen("ktp_el-title =", "ktp_el-titel =", 1)).unwrap();

    let (code, lines, _) = check(dir.path(), None);
    assert_eq!(code, Some(1));
    let at = |p: &Path, l: usize, c: usize| format!("{}:{l}:{c}: error: ", p.display());
    for want in [
        format!("{}YAML syntax: `[` opened here is never closed; add `]`", at(&lexicon, yes, 6)),
        format!("{}unknown step kind `nama`", at(&yaml, kind, 32)),
        format!("{}the menu lists `ktp_elektronik`", at(&menu, ktp, 5)),
        format!("{}message `ktp_el-titel` (en) is not used", at(&ftl, title, 1)),
    ] {
        assert!(lines.iter().any(|l| l.starts_with(&want)), "no {want}\nin:\n{}", lines.join("\n"));
    }
}

#[test]
fn yaml_syntax_errors_point_at_the_mistake() {
    let shipped = std::fs::read_to_string(repo().join("dialogs/akta_kematian.yaml")).unwrap();
    let line = |prefix: &str| line_of(&shipped, prefix);
    let cases = [
        // Unclosed quote.
        ("opd: disdukcapil", "opd: \"disdukcapil", (line("opd:"), 6), "the quote \" opened here"),
        // Bad indentation of one step.
        (
            "  - { id: nama_almarhum",
            "   - { id: nama_almarhum",
            (line("  - { id: nama_almarhum"), 4),
            "does not line up",
        ),
        // A tab (the scanner blames the line above).
        ("    kind: choice", "\tkind: choice", (line("    kind: choice"), 1), "a tab is used"),
        (
            "sla_days: 3",
            "sla_days: 3\nopd: dinsos",
            (line("sla_days:") + 1, 1),
            "duplicate key `opd`",
        ),
        // Unclosed flow list, noticed by the scanner three lines further down.
        (
            "    options:\n",
            "    options: [a, b,\n\n      # which one?\n",
            (line("    options:"), 14),
            "`[` opened here is never closed; add `]`",
        ),
    ];
    for (from, to, (l, c), words) in cases {
        let dir = copy_tree();
        let yaml = dir.path().join("dialogs/akta_kematian.yaml");
        std::fs::write(&yaml, shipped.replacen(from, to, 1)).unwrap();
        let (code, lines, _) = check(dir.path(), None);
        assert_eq!(code, Some(1), "{to}");
        let want = format!("{}:{l}:{c}: error: ", yaml.display());
        let mine: Vec<&String> =
            lines.iter().filter(|x| x.contains("akta_kematian.yaml")).collect();
        assert!(
            mine.len() == 1 && mine[0].starts_with(&want) && mine[0].contains(words),
            "{to:?}: want {want}…{words}\ngot {mine:?}"
        );
    }
}

#[test]
fn steps_changed_without_a_new_version_fail_the_check() {
    let dir = copy_tree();
    let data = super::support::private_tempdir();
    // A citizen starts the death certificate dialog: version 1 is pinned in the store.
    let mut child = Command::new(env!("CARGO_BIN_EXE_pintu"))
        .arg("chat")
        .env("PINTU_DATA_DIR", data.path())
        .env("PINTU_DIALOGS_DIR", dir.path().join("dialogs"))
        .env("PINTU_LOCALES_DIR", dir.path().join("locales"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"akta kematian\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("NIK"), "the dialog started");
    let (code, lines, _) = check(dir.path(), Some(data.path()));
    assert_eq!((code, lines.len()), (Some(0), 0), "{lines:?}");

    // The admin inserts a step and forgets the version; texts and comments alone are fine.
    let yaml = dir.path().join("dialogs/akta_kematian.yaml");
    let original = std::fs::read_to_string(&yaml).unwrap();
    let step = "  - { id: tanggal_meninggal";
    let edited = original.replacen(
        step,
        "  - { id: hp_pelapor, kind: phone }\n  - { id: tanggal_meninggal",
        1,
    );
    std::fs::write(&yaml, &edited).unwrap();
    for lang in ["id", "en"] {
        let ftl = dir.path().join(format!("locales/{lang}/akta_kematian.ftl"));
        let mut t = std::fs::read_to_string(&ftl).unwrap();
        t.push_str("akta_kematian-hp_pelapor = Nomor HP pelapor?\n    .label = HP pelapor\n");
        std::fs::write(&ftl, t).unwrap();
    }
    let (code, lines, _) = check(dir.path(), Some(data.path()));
    assert_eq!(code, Some(1));
    assert_eq!(
        lines,
        [format!(
            "{}:{}:5: error: steps changed but version is still 1, which citizens have started; \
             raise `version:` to 2",
            yaml.display(),
            line_of(&original, step)
        )]
    );
    // While a running pintu holds the store, check still runs and says what it skipped.
    {
        let _held = pintu::store::SledStore::open(&data.path().join("db"), 1 << 20).unwrap();
        let (code, lines, stderr) = check(dir.path(), Some(data.path()));
        assert_eq!((code, lines.len()), (Some(0), 0), "{lines:?}");
        assert!(stderr.contains("in use by a running pintu"), "{stderr}");
    }
    // Raising the version is the fix.
    std::fs::write(&yaml, edited.replacen("version: 1", "version: 2", 1)).unwrap();
    let (code, lines, _) = check(dir.path(), Some(data.path()));
    assert_eq!((code, lines.len()), (Some(0), 0), "{lines:?}");
}
