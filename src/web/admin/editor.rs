//! The dialog editor's decisions, apart from HTTP: which files a service has, their
//! fingerprints (a stale form must not overwrite a newer file), the candidate check (the same
//! as `pintu check`, on the folders with the edited files replaced in memory), the version bump
//! a structural change needs, and the atomic write.

use crate::diag::{Diagnostic, Severity};
use crate::reload::Reloader;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The three texts of one service, in the order the editor shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Dialog,
    TextsId,
    TextsEn,
}

impl Field {
    pub const ALL: [Field; 3] = [Field::Dialog, Field::TextsId, Field::TextsEn];

    /// The form field's name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Dialog => "dialog",
            Field::TextsId => "teks_id",
            Field::TextsEn => "teks_en",
        }
    }
}

/// Where one service's dialog and texts live.
#[derive(Debug, Clone)]
pub struct ServiceFiles {
    pub id: String,
    paths: [PathBuf; 3],
}

impl ServiceFiles {
    /// The files of service `id`, if its dialog file exists. Only plain ids (as script ids
    /// are): a path from the URL never leaves the folders.
    pub fn of(reloader: &Reloader, id: &str) -> Option<Self> {
        let plain = (1..=64).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !id.starts_with('_');
        if !plain {
            return None;
        }
        let dialog = reloader.dialogs_dir().join(format!("{id}.yaml"));
        if !dialog.is_file() {
            return None;
        }
        let ftl = |lang: &str| reloader.locales_dir().join(lang).join(format!("{id}.ftl"));
        Some(Self { id: id.to_string(), paths: [dialog, ftl("id"), ftl("en")] })
    }

    pub fn path(&self, field: Field) -> &Path {
        &self.paths[field as usize]
    }

    /// The file's text now; empty when it does not exist yet (a service without English
    /// texts).
    pub fn read(&self, field: Field) -> std::io::Result<String> {
        match std::fs::read_to_string(self.path(field)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            other => other,
        }
    }

    /// Every service with a dialog file, sorted by id.
    pub fn list(reloader: &Reloader) -> Vec<String> {
        let Ok(rd) = std::fs::read_dir(reloader.dialogs_dir()) else { return Vec::new() };
        let mut ids: Vec<String> = rd
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".yaml").map(str::to_string))
            .filter(|n| !n.starts_with('_'))
            .collect();
        ids.sort();
        ids
    }
}

/// A short fingerprint of a file's text, carried in the form: the save is refused when the
/// file changed since the form was opened.
pub fn fingerprint(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..12])
}

/// Browsers send text areas with CRLF line ends; the files keep LF.
pub fn normalise(text: &str) -> String {
    let mut t = text.replace("\r\n", "\n");
    if !t.is_empty() && !t.ends_with('\n') {
        t.push('\n');
    }
    t
}

/// One problem the check found, placed in the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The edited text it is in; `None` for another file (shown with its path).
    pub field: Option<Field>,
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub error: bool,
    pub message: String,
}

/// What checking a candidate found.
#[derive(Debug, Default)]
pub struct Checked {
    pub problems: Vec<Problem>,
    /// The version the dialog was raised to, when its steps changed under a number citizens
    /// may have started.
    pub bumped: Option<(u32, u32)>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.error)
    }
}

/// Checks `texts` (dialog, Indonesian and English texts) as the folders would load with them
/// in place. A structural change under a version citizens may have started is given the next
/// free version number in `texts[0]` (the admin is told): that is what the version rule asks
/// for, and refusing would only make the admin type the number the message names.
pub fn check(reloader: &Reloader, files: &ServiceFiles, texts: &mut [String; 3]) -> Checked {
    let mut bumped = None;
    if let Some(to) = reloader.version_needed(files.path(Field::Dialog), &texts[0])
        && let Some((from, raised)) = with_version(&texts[0], to)
    {
        texts[0] = raised;
        bumped = Some((from, to));
    }
    let replaced: Vec<(PathBuf, String)> = Field::ALL
        .iter()
        .map(|f| (files.path(*f).to_path_buf(), texts[*f as usize].clone()))
        .collect();
    let (_, diags) = reloader.candidate(&replaced);
    let mut problems: Vec<Problem> = diags.iter().map(|d| place(files, d)).collect();
    problems.sort_by(|a, b| {
        (a.field.is_none(), &a.path, a.line, a.col).cmp(&(
            b.field.is_none(),
            &b.path,
            b.line,
            b.col,
        ))
    });
    problems.dedup();
    Checked { problems, bumped }
}

fn place(files: &ServiceFiles, d: &Diagnostic) -> Problem {
    let field = Field::ALL.into_iter().find(|f| files.path(*f) == d.path);
    Problem {
        field,
        path: d.path.display().to_string(),
        line: d.line,
        col: d.col,
        error: d.severity == Severity::Error,
        message: d.message.clone(),
    }
}

/// `yaml` with its top-level `version:` set to `to`, and the number it had; `None` when there
/// is no such line to change.
fn with_version(yaml: &str, to: u32) -> Option<(u32, String)> {
    let mut out = String::with_capacity(yaml.len() + 2);
    let mut from = None;
    for line in yaml.split_inclusive('\n') {
        if from.is_none()
            && let Some(rest) = line.strip_prefix("version:")
        {
            let value = rest.trim_start();
            let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse::<u32>() {
                from = Some(n);
                let after = &value[digits.len()..];
                out.push_str(&format!("version: {to}{after}"));
                continue;
            }
        }
        out.push_str(line);
    }
    from.map(|f| (f, out))
}

/// The lines of `text` around each of `lines` (1-based), numbered, with the problems under
/// their line: what the editor shows next to the text area.
pub fn excerpt<'p>(text: &str, problems: &[&'p Problem]) -> Vec<ExcerptLine<'p>> {
    const AROUND: usize = 2;
    let all: Vec<&str> = text.lines().collect();
    let mut wanted: Vec<usize> = Vec::new();
    for p in problems {
        let line = p.line.clamp(1, all.len().max(1));
        wanted.extend(line.saturating_sub(AROUND).max(1)..=(line + AROUND).min(all.len().max(1)));
    }
    wanted.sort_unstable();
    wanted.dedup();
    let mut out = Vec::new();
    let mut last = 0;
    for n in wanted {
        out.push(ExcerptLine {
            gap: last != 0 && n > last + 1,
            number: n,
            text: all.get(n - 1).copied().unwrap_or("").to_string(),
            problems: problems
                .iter()
                .copied()
                .filter(|p| p.line.clamp(1, all.len().max(1)) == n)
                .collect(),
        });
        last = n;
    }
    out
}

/// One numbered line of an excerpt.
pub struct ExcerptLine<'p> {
    /// Lines were left out before this one.
    pub gap: bool,
    pub number: usize,
    pub text: String,
    pub problems: Vec<&'p Problem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_line_is_raised_and_its_comment_kept() {
        let yaml = "id: x\nversion: 3   # bump on edit\nsteps: []\n";
        let (from, out) = with_version(yaml, 4).unwrap();
        assert_eq!(from, 3);
        assert_eq!(out, "id: x\nversion: 4   # bump on edit\nsteps: []\n");
        assert!(with_version("id: x\n  version: 3\n", 4).is_none(), "only the top level");
    }

    #[test]
    fn crlf_becomes_lf_and_the_last_line_ends() {
        assert_eq!(normalise("a\r\nb"), "a\nb\n");
        assert_eq!(normalise(""), "");
    }

    #[test]
    fn an_excerpt_numbers_the_lines_around_each_problem() {
        let text = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let p = |line| Problem {
            field: Some(Field::Dialog),
            path: "x.yaml".into(),
            line,
            col: 1,
            error: true,
            message: format!("at {line}"),
        };
        let (a, b) = (p(2), p(8));
        let lines = excerpt(text, &[&a, &b]);
        let numbers: Vec<usize> = lines.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 6, 7, 8, 9]);
        assert!(lines[4].gap && !lines[3].gap);
        assert_eq!(lines[1].problems[0].message, "at 2");
        assert_eq!(lines[6].text, "8");
    }
}
