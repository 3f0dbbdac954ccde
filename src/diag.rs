//! Problems in admin-edited files, reported as `path:line:col: severity: message`.
//!
//! May use: nothing else of pintu.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem at a place in a file. Lines and columns are 1-based, as editors show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn error(at: &Pos, message: impl Into<String>) -> Self {
        Self::new(at, Severity::Error, message)
    }

    pub fn warning(at: &Pos, message: impl Into<String>) -> Self {
        Self::new(at, Severity::Warning, message)
    }

    fn new(at: &Pos, severity: Severity, message: impl Into<String>) -> Self {
        Self {
            path: at.path.clone(),
            line: at.line,
            col: at.col,
            severity,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let (p, l, c, m) = (self.path.display(), self.line, self.col, &self.message);
        write!(f, "{p}:{l}:{c}: {sev}: {m}")
    }
}

/// A place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pos {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
}

impl Pos {
    pub fn new(path: &Path, line: usize, col: usize) -> Self {
        Self { path: path.to_path_buf(), line: line.max(1), col: col.max(1) }
    }

    /// Line and column of a byte offset in `text`.
    pub fn at_offset(path: &Path, text: &str, offset: usize) -> Self {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Self::new(path, line, col)
    }
}

/// True if any diagnostic is an error (warnings alone do not fail `pintu check`).
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(|d| d.severity == Severity::Error)
}
