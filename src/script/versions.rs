//! Once citizens have started a script version, its steps are fixed. A session keeps only
//! `(script, version)`, a step index and its answers by step index, so steps that change under
//! the same version number would move everyone in the middle of it to another question, or
//! hand their answers to other steps. A new version is safe: sessions finish on the version
//! they pinned. Texts may change freely; a pinned version keeps its own.
//!
//! Compared here: the order of the steps, their ids, kinds and options, branches, `next`,
//! conditions, `optional`, and the script's `action`. Not compared: comments, layout, texts,
//! keywords, synonyms and limits such as `min`/`max`, which move nobody.

use super::yaml::{self, pos_of};
use super::{CondValue, Script, Step, StepKind};
use crate::diag::{Diagnostic, Pos};
use crate::model::session::StepIdx;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The YAML a script version had when citizens may have started it (the store's pinned
/// record, or the catalogue being served), if any.
pub type Earlier<'a> = dyn Fn(&str, u32) -> Option<String> + 'a;

/// No earlier versions known (a fresh install, or a check without the store).
pub fn none(_: &str, _: u32) -> Option<String> {
    None
}

/// One error for each script whose steps differ from an earlier text of the same version.
pub fn check(scripts: &BTreeMap<String, Script>, earlier: &Earlier) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for script in scripts.values() {
        let Some(old_yaml) = earlier(&script.id, script.version) else { continue };
        // Compiled the way a pinned version is: an earlier text that no longer compiles (the
        // rules got stricter) cannot be compared, and sessions on it end with `script-updated`.
        let (Some(old), _) =
            super::load::load(&PathBuf::from(format!("{}.yaml", script.id)), &old_yaml)
        else {
            continue;
        };
        if let Some(d) = compare(script, &old, earlier) {
            diags.push(d);
        }
    }
    diags
}

/// An error at the first difference, or `None` if `new` is `old` with other texts or layout.
fn compare(new: &Script, old: &Script, earlier: &Earlier) -> Option<Diagnostic> {
    let (a, b) = (shape(new), shape(old));
    let first = a.iter().zip(&b).position(|(x, y)| x != y).or_else(|| {
        // One is the other plus steps at the end.
        (a.len() != b.len()).then(|| a.len().min(b.len()))
    });
    let (at, what) = match first {
        Some(i) => {
            let last = new.step_pos.len().saturating_sub(1);
            let at = new.step_pos.get(i.min(last)).cloned().unwrap_or_else(|| version_pos(new));
            (at, "steps changed")
        }
        None if new.action != old.action => (version_pos(new), "`action` changed"),
        None => return None,
    };
    let v = new.version;
    let free = next_free(&new.id, v, earlier);
    let msg = format!(
        "{what} but version is still {v}, which citizens have started; raise `version:` to {free}"
    );
    Some(Diagnostic::error(&at, msg))
}

/// The next version number after `v` that no citizen has started yet.
pub fn next_free(id: &str, v: u32, earlier: &Earlier) -> u32 {
    (v.saturating_add(1)..=v.saturating_add(1000))
        .find(|n| earlier(id, *n).is_none())
        .unwrap_or(v.saturating_add(1))
}

/// Where `version:` is written (the top of the file if it cannot be found).
pub fn version_pos(script: &Script) -> Pos {
    yaml::parse(&script.path, &script.source)
        .ok()
        .and_then(|root| {
            root.keys().find(|k| k.as_str() == "version").map(|k| pos_of(&script.path, k.span()))
        })
        .unwrap_or_else(|| Pos::new(&script.path, 1, 1))
}

/// One line per step with what a session's position and answers depend on; steps are named
/// by id so an inserted step shows up once, not as a shift of every later index.
fn shape(script: &Script) -> Vec<String> {
    script.steps.iter().map(|step| step_shape(script, step)).collect()
}

fn step_shape(script: &Script, step: &Step) -> String {
    let name = |i: &Option<StepIdx>| {
        i.and_then(|i| script.step(i)).map_or_else(|| "-".to_string(), |s| s.id.to_string())
    };
    let kind = match &step.kind {
        StepKind::Choice(opts) => {
            let opts: Vec<String> =
                opts.iter().map(|o| format!("{}>{}", o.value, name(&o.next))).collect();
            format!("choice[{}]", opts.join(","))
        }
        StepKind::YesNo { yes, no } => format!("yesno[{}|{}]", name(yes), name(no)),
        StepKind::Nik { birth_date } => format!("nik[{}]", name(birth_date)),
        StepKind::Kk { nik } => format!("kk[{}]", name(nik)),
        other => other.name().to_string(),
    };
    let when = step.when.as_ref().map_or_else(String::new, |c| {
        let target = script.step(c.step);
        let values: Vec<String> = c
            .any_of
            .iter()
            .map(|v| match (v, target.map(|t| &t.kind)) {
                (CondValue::Option(i), Some(StepKind::Choice(opts))) => {
                    opts.get(usize::from(*i)).map_or_else(|| i.to_string(), |o| o.value.to_string())
                }
                (CondValue::Option(i), _) => i.to_string(),
                (CondValue::Yes(b), _) => b.to_string(),
            })
            .collect();
        let op = if c.negate { "not in" } else { "in" };
        format!("{} {op} {}", name(&Some(c.step)), values.join(","))
    });
    format!("{} {kind} optional={} when=({when}) next={}", step.id, step.optional, name(&step.next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn shipped() -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("dialogs/akta_kematian.yaml");
        std::fs::read_to_string(path).unwrap()
    }

    /// Checks `edited` against the shipped text as the started version 1 (and, when
    /// `also_started` says so, later versions too).
    fn check_edit(edited: &str, also_started: &[u32]) -> Vec<String> {
        let path = PathBuf::from("dialogs/akta_kematian.yaml");
        let (script, diags) = super::super::load::load(&path, edited);
        assert!(diags.is_empty(), "{diags:?}");
        let scripts = BTreeMap::from([("akta_kematian".to_string(), script.unwrap())]);
        let old = shipped();
        let earlier = |id: &str, v: u32| {
            (id == "akta_kematian" && (v == 1 || also_started.contains(&v))).then(|| old.clone())
        };
        check(&scripts, &earlier).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn texts_comments_layout_and_limits_may_change() {
        let edited = shipped()
            .replace("# No \"ayah\"", "# Changed comment. No \"ayah\"")
            .replace("min: 2, max: 100", "min: 3, max: 120")
            .replace("synonyms: [suami, istri", "synonyms: [suami, laki, istri")
            .replace(
                "  - { id: ringkasan, kind: summary }",
                "  - id: ringkasan\n    kind: summary",
            );
        assert_eq!(check_edit(&edited, &[]), Vec::<String>::new());
    }

    #[test]
    fn changed_steps_are_reported_at_the_first_change() {
        let p = "dialogs/akta_kematian.yaml";
        let msg = |v, n| {
            format!(
                "error: steps changed but version is still {v}, which citizens have started; \
                 raise `version:` to {n}"
            )
        };
        // Where a line starts in a text: the shipped file's keywords may grow without moving
        // what is tested.
        let line = |text: &str, needle: &str| {
            1 + text[..text.find(needle).expect("needle in text")].matches('\n').count()
        };
        let shipped = shipped();
        let inserted = shipped.replacen(
            "  - { id: tanggal_meninggal",
            "  - { id: hp_pelapor, kind: phone }\n  - { id: tanggal_meninggal",
            1,
        );
        let at = line(&inserted, "  - { id: hp_pelapor");
        assert_eq!(check_edit(&inserted, &[]), [format!("{p}:{at}:5: {}", msg(1, 2))]);
        // Versions 2 and 3 were started too (the admin went back to 1): suggest 4.
        assert_eq!(check_edit(&inserted, &[2, 3]), [format!("{p}:{at}:5: {}", msg(1, 4))]);
        let kind = shipped
            .replace("id: surat_kematian, kind: photo", "id: surat_kematian, kind: document");
        let at = line(&kind, "  - { id: surat_kematian");
        assert_eq!(check_edit(&kind, &[]), [format!("{p}:{at}:5: {}", msg(1, 2))]);
        let option = shipped.replace("      - orang_tua\n", "      - orang_tua\n      - wali\n");
        let at = line(&option, "  - id: hubungan");
        assert_eq!(check_edit(&option, &[]), [format!("{p}:{at}:5: {}", msg(1, 2))]);
        let removed = shipped.replace("  - { id: ringkasan, kind: summary }\n", "");
        let at = line(&removed, "  - id: hubungan");
        assert_eq!(check_edit(&removed, &[]), [format!("{p}:{at}:5: {}", msg(1, 2))]);
        let optional = shipped.replace(
            "kind: nik }\n  - id: hubungan",
            "kind: nik, optional: true }\n  - id: hubungan",
        );
        let at = line(&optional, "  - { id: nik_pelapor");
        assert_eq!(check_edit(&optional, &[]), [format!("{p}:{at}:5: {}", msg(1, 2))]);
        let action = shipped.replace("steps:\n", "action: none\nsteps:\n");
        let want = msg(1, 2).replace("steps changed", "`action` changed");
        assert_eq!(check_edit(&action, &[]), [format!("{p}:4:1: {want}")]);
    }

    #[test]
    fn a_new_version_is_not_compared() {
        let edited =
            shipped().replace("version: 1", "version: 2").replace("kind: photo", "kind: document");
        assert_eq!(check_edit(&edited, &[]), Vec::<String>::new());
    }
}
