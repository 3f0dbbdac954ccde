//! Reading a marked YAML tree with positions, so every complaint names its line and column.

use crate::diag::{Diagnostic, Pos};
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode, MarkedSequenceNode};
use marked_yaml::{LoaderOptions, Node, Span};
use std::path::Path;

/// Parses YAML text whose top level must be a mapping.
pub fn parse(path: &Path, text: &str) -> Result<MarkedMappingNode, Diagnostic> {
    let opts = LoaderOptions::default().error_on_duplicate_keys(true);
    match marked_yaml::parse_yaml_with_options(0, text, opts) {
        Ok(Node::Mapping(m)) => Ok(m),
        Ok(other) => Err(Diagnostic::error(
            &pos_of(path, other.span()),
            "the file must be a mapping of keys (id:, version:, steps:, ...)",
        )),
        Err(e) => Err(load_error(path, text, e)),
    }
}

fn load_error(path: &Path, text: &str, e: marked_yaml::LoadError) -> Diagnostic {
    use marked_yaml::LoadError as E;
    let (m, msg) = match &e {
        E::TopLevelMustBeMapping(m) => (*m, "the file must be a mapping of keys".to_string()),
        E::TopLevelMustBeSequence(m) => (*m, "the file must be a list".to_string()),
        E::UnexpectedAnchor(m) => (*m, "YAML anchors and aliases are not supported".into()),
        E::MappingKeyMustBeScalar(m) => (*m, "keys must be plain words".to_string()),
        E::UnexpectedTag(m) => (*m, "YAML tags (!...) are not supported".to_string()),
        E::ScanError(m, s) => {
            let (line, col, msg) = super::syntax::locate(text, m.line(), m.column(), s.info());
            return Diagnostic::error(&Pos::new(path, line, col), format!("YAML syntax: {msg}"));
        }
        E::DuplicateKey(d) => {
            let first = d.prev_key.span().start().map_or(0, |m| m.line());
            let at = pos_of(path, d.key.span());
            let msg = format!("duplicate key `{}` (first on line {first})", d.key.as_str());
            return Diagnostic::error(&at, msg);
        }
    };
    Diagnostic::error(&Pos::new(path, m.line(), m.column()), msg)
}

pub fn pos_of(path: &Path, span: &Span) -> Pos {
    span.start().map_or_else(|| Pos::new(path, 1, 1), |m| Pos::new(path, m.line(), m.column()))
}

/// Where a mapping starts: its first key (a block mapping's own mark is only known once the
/// scanner is past that key), or its `{`.
pub fn mapping_pos(path: &Path, map: &MarkedMappingNode) -> Pos {
    let start = pos_of(path, map.span());
    match map.keys().next().map(|k| pos_of(path, k.span())) {
        Some(key) if (key.line, key.col) < (start.line, start.col) => key,
        _ => start,
    }
}

/// A mapping being read: remembers which keys were used so unknown ones can be reported.
pub struct Fields<'a> {
    pub path: &'a Path,
    pub map: &'a MarkedMappingNode,
    allowed: &'static [&'static str],
}

impl<'a> Fields<'a> {
    /// Starts reading `map`, reporting keys outside `allowed` (typos such as `nxt:`).
    pub fn new(
        path: &'a Path,
        map: &'a MarkedMappingNode,
        allowed: &'static [&'static str],
        diags: &mut Vec<Diagnostic>,
    ) -> Self {
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                let msg = format!(
                    "unknown key `{}`; expected one of: {}",
                    key.as_str(),
                    allowed.join(", ")
                );
                diags.push(Diagnostic::error(&pos_of(path, key.span()), msg));
            }
        }
        Self { path, map, allowed }
    }

    /// Where the mapping starts (see [`mapping_pos`]).
    pub fn pos(&self) -> Pos {
        mapping_pos(self.path, self.map)
    }

    /// Where `key:` itself is written.
    pub fn key_pos(&self, key: &str) -> Pos {
        self.map
            .keys()
            .find(|k| k.as_str() == key)
            .map_or_else(|| self.pos(), |k| pos_of(self.path, k.span()))
    }

    /// Where to report a problem with `key`'s value. A value left empty (`next:`) has the
    /// position of whatever comes next, possibly lines below, so it is reported at its key.
    pub fn value_pos(&self, key: &str, value: &Node) -> Pos {
        match value {
            Node::Scalar(s) if s.as_str().is_empty() => self.key_pos(key),
            other => pos_of(self.path, other.span()),
        }
    }

    pub fn node(&self, key: &str) -> Option<&'a Node> {
        debug_assert!(self.allowed.contains(&key), "reading undeclared key {key}");
        self.map.get_node(key)
    }

    /// A scalar value, or an error if present but not a scalar.
    pub fn scalar(&self, key: &str, diags: &mut Vec<Diagnostic>) -> Option<&'a MarkedScalarNode> {
        let node = self.node(key)?;
        match node {
            Node::Scalar(s) if s.as_str().trim().is_empty() => {
                let msg = format!("`{key}` has no value; write one after `{key}:` or remove it");
                diags.push(Diagnostic::error(&self.key_pos(key), msg));
                None
            }
            Node::Scalar(s) => Some(s),
            _ => {
                let msg = format!("`{key}` must be a single value");
                diags.push(Diagnostic::error(&pos_of(self.path, node.span()), msg));
                None
            }
        }
    }

    /// A required scalar; reports its absence at the mapping.
    pub fn required(&self, key: &str, diags: &mut Vec<Diagnostic>) -> Option<&'a MarkedScalarNode> {
        if self.node(key).is_none() {
            diags.push(Diagnostic::error(&self.pos(), format!("missing `{key}`")));
        }
        self.scalar(key, diags)
    }

    /// A whole number within bounds.
    pub fn int(&self, key: &str, lo: i64, hi: i64, diags: &mut Vec<Diagnostic>) -> Option<i64> {
        let s = self.scalar(key, diags)?;
        match s.as_str().trim().parse::<i64>() {
            Ok(n) if (lo..=hi).contains(&n) => Some(n),
            _ => {
                let msg = format!("`{key}` must be a whole number from {lo} to {hi}");
                diags.push(Diagnostic::error(&pos_of(self.path, s.span()), msg));
                None
            }
        }
    }

    pub fn bool(&self, key: &str, diags: &mut Vec<Diagnostic>) -> bool {
        let Some(s) = self.scalar(key, diags) else {
            return false;
        };
        s.as_bool().unwrap_or_else(|| {
            let msg = format!("`{key}` must be true or false");
            diags.push(Diagnostic::error(&pos_of(self.path, s.span()), msg));
            false
        })
    }

    /// A list of scalars (a single scalar counts as a list of one).
    pub fn words(&self, key: &str, diags: &mut Vec<Diagnostic>) -> Vec<&'a MarkedScalarNode> {
        match self.node(key) {
            None => Vec::new(),
            Some(Node::Scalar(s)) if s.as_str().trim().is_empty() => {
                let msg = format!("`{key}` has no value; write a list such as [a, b] or remove it");
                diags.push(Diagnostic::error(&self.key_pos(key), msg));
                Vec::new()
            }
            Some(Node::Scalar(s)) => vec![s],
            Some(Node::Sequence(seq)) => scalars(self.path, seq, diags),
            Some(Node::Mapping(m)) => {
                let msg = format!("`{key}` must be a list such as [a, b]");
                diags.push(Diagnostic::error(&pos_of(self.path, m.span()), msg));
                Vec::new()
            }
        }
    }
}

/// The scalars of a sequence, reporting nested lists or mappings.
pub fn scalars<'a>(
    path: &Path,
    seq: &'a MarkedSequenceNode,
    diags: &mut Vec<Diagnostic>,
) -> Vec<&'a MarkedScalarNode> {
    let mut out = Vec::new();
    for item in seq.iter() {
        match item {
            Node::Scalar(s) => out.push(s),
            other => diags.push(Diagnostic::error(
                &pos_of(path, other.span()),
                "expected a single word or phrase here",
            )),
        }
    }
    out
}

/// Ids are ASCII snake_case so they can be message ids, file names and store keys.
pub fn is_snake_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && s.len() <= 48
}
