//! What the engine says, as message ids and arguments. Rendering to text happens at send time
//! (`locale`), so a reply stored before a crash renders the same afterwards, in the chat's
//! language.

use crate::model::session::Lang;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A message id with its arguments. An id containing `.` names an attribute
/// (`ktp_el-nik.label`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Msg {
    pub key: String,
    pub args: Vec<(Cow<'static, str>, Arg)>,
}

impl Msg {
    pub fn new(key: impl Into<String>) -> Self {
        Self { key: key.into(), args: Vec::new() }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((Cow::Borrowed(name), value.into()));
        self
    }

    /// Text rendered already (the texts of a script version that is no longer live).
    pub fn literal(text: String) -> Self {
        Self { key: LITERAL.to_string(), args: vec![(Cow::Borrowed("text"), Arg::Text(text))] }
    }

    pub fn as_literal(&self) -> Option<&str> {
        match (self.key.as_str(), self.args.as_slice()) {
            (LITERAL, [(name, Arg::Text(t))]) if name == "text" => Some(t),
            _ => None,
        }
    }

    /// Every message in this one, nested arguments included.
    pub fn for_each_mut(&mut self, f: &mut impl FnMut(&mut Msg)) {
        for (_, arg) in &mut self.args {
            if let Arg::Msg(inner) = arg {
                inner.for_each_mut(f);
            }
        }
        f(self);
    }
}

/// The key of a literal message; not a valid Fluent id, so it never clashes with one.
const LITERAL: &str = "=";

/// An argument value; nested messages and dates are rendered in the reply's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Arg {
    Text(String),
    Num(i64),
    Msg(Msg),
    /// Julian day, shown as "Selasa, 1 Desember 2026".
    Date(i32),
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Num(n)
    }
}

impl From<Msg> for Arg {
    fn from(m: Msg) -> Self {
        Arg::Msg(m)
    }
}

/// A line of a reply: a message, or text the citizen gave (shown back verbatim in summaries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Piece {
    Msg(Msg),
    /// `label: value` line of a summary, numbered.
    Field {
        n: usize,
        label: Msg,
        value: FieldValue,
    },
}

/// How an answer is shown back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FieldValue {
    Text(String),
    Msg(Msg),
}

/// What kind of one-tap input a channel may offer along with the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Hint {
    #[default]
    None,
    Location,
    Contact,
    Photo,
    Document,
}

/// One message to the citizen: lines of text, optional numbered choices, an input hint.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Reply {
    pub body: Vec<Piece>,
    /// Numbered options; channels show buttons or "1. ..." lines. Answering with the number
    /// (or tapping) picks one.
    pub choices: Vec<Msg>,
    /// A line shown after the choices (how to answer).
    pub footer: Option<Msg>,
    pub hint: Hint,
}

impl Reply {
    /// Visits every message of the reply (body, field labels and values, choices, footer).
    pub fn for_each_msg_mut(&mut self, mut f: impl FnMut(&mut Msg)) {
        for piece in &mut self.body {
            match piece {
                Piece::Msg(m) => m.for_each_mut(&mut f),
                Piece::Field { label, value, .. } => {
                    label.for_each_mut(&mut f);
                    if let FieldValue::Msg(m) = value {
                        m.for_each_mut(&mut f);
                    }
                }
            }
        }
        for c in &mut self.choices {
            c.for_each_mut(&mut f);
        }
        if let Some(m) = &mut self.footer {
            m.for_each_mut(&mut f);
        }
    }

    pub fn msg(m: Msg) -> Self {
        Self { body: vec![Piece::Msg(m)], ..Self::default() }
    }

    pub fn key(key: &str) -> Self {
        Self::msg(Msg::new(key))
    }

    pub fn line(mut self, m: Msg) -> Self {
        self.body.push(Piece::Msg(m));
        self
    }
}

/// A reply addressed to a chat, with the language to render it in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outgoing {
    pub lang: Lang,
    pub reply: Reply,
}
