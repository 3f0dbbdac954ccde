//! Where a YAML syntax error really is, in words an admin understands.
//!
//! The YAML scanner often notices a mistake only at the next token, which can be lines further
//! down (past blank lines and comments): an unclosed `[` or `{` is reported where the next key
//! starts, a tab at the scalar before it. This module re-reads the text up to the reported
//! place and moves the diagnostic to the mistake itself. It never decides whether the text is
//! valid YAML: the parser did; this only improves the position and the wording.

/// Line, column (both 1-based) and message for a scanner error reported at `line`:`col`.
pub fn locate(text: &str, line: usize, col: usize, info: &str) -> (usize, usize, String) {
    let offset = offset_of(text, line, col);
    let mut flow = scan_flow(&text[..offset]);
    // The scanner may stop right at the wrong closing bracket.
    if let (Some(&open), Some(close)) = (flow.open.last(), text[offset..].chars().next())
        && matches!(close, ']' | '}')
        && closer(open.0) != close
        && flow.mismatch.is_none()
    {
        flow.mismatch = Some((open, close));
    }
    if let Some(((open, l, c), close)) = flow.mismatch {
        let want = closer(open);
        return (
            l,
            c,
            format!("`{open}` opened here is closed with `{close}`; close it with `{want}`"),
        );
    }
    if let Some(&(open, l, c)) = flow.open.last()
        && l < line
    {
        let want = closer(open);
        return (l, c, format!("`{open}` opened here is never closed; add `{want}`"));
    }
    if info.contains("tab")
        && let Some((l, c)) = indenting_tab(text, line)
    {
        return (l, c, "a tab is used to indent this line; YAML needs spaces".to_string());
    }
    if info.contains("quoted scalar") {
        let rest = text[offset..].lines().next().unwrap_or("");
        if let Some(q) = rest.chars().next().filter(|q| matches!(q, '"' | '\''))
            && !rest[1..].contains(q)
        {
            let msg = format!("the quote {q} opened here is not closed on this line");
            return (line, col, msg);
        }
    }
    // The scanner's words, for the mistakes admins make most, in plain terms.
    let msg = if info.contains("mapping values are not allowed") {
        "a `key:` cannot start here; is this line indented too far, or does a value before it \
         need quotes?"
    } else if info.contains("block collection") && info.contains("did not find expected") {
        "this line does not line up with the list above it; check its indentation"
    } else if info.contains("block mapping") && info.contains("did not find expected") {
        "this line does not line up with the keys above it; check its indentation"
    } else {
        info
    };
    (line, col, msg.to_string())
}

fn closer(open: char) -> char {
    if open == '[' { ']' } else { '}' }
}

/// Byte offset of a 1-based line and character column, clamped to the text.
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let within = l.char_indices().nth(col.saturating_sub(1)).map_or(l.len(), |(b, _)| b);
            return offset + within;
        }
        offset += l.len();
    }
    text.len()
}

/// Flow collections (`[...]`, `{...}`) still open at the end of `text`, and the first one
/// closed with the wrong bracket; each as (bracket, line, column).
#[derive(Debug, Default)]
struct Flow {
    open: Vec<(char, usize, usize)>,
    mismatch: Option<((char, usize, usize), char)>,
}

fn scan_flow(text: &str) -> Flow {
    let mut flow = Flow::default();
    let mut quote: Option<char> = None;
    // Lines of a block scalar (`pattern: |`) are text, brackets included: while lines are
    // indented deeper than the line that opened it, they are skipped.
    let mut block_scalar: Option<usize> = None;
    for (i, line) in text.split('\n').enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(opened_at) = block_scalar {
            if line.trim().is_empty() || indent > opened_at {
                continue;
            }
            block_scalar = None;
        }
        if quote.is_none() && flow.open.is_empty() && opens_block_scalar(line) {
            block_scalar = Some(indent);
        }
        // What came before on this line decides whether a bracket or quote starts a token: in
        // `a[1]: x` or `it's` they are plain characters.
        let mut token_start = true;
        let mut chars = line.chars().enumerate().peekable();
        while let Some((c, ch)) = chars.next() {
            if let Some(q) = quote {
                if ch == '\\' && q == '"' {
                    chars.next();
                } else if ch == q {
                    // `''` inside single quotes is an escaped quote.
                    if q == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                        chars.next();
                    } else {
                        quote = None;
                    }
                }
                continue;
            }
            match ch {
                '#' if token_start || c == 0 => break,
                ' ' | '\t' => {
                    token_start = true;
                    continue;
                }
                '"' | '\'' if token_start => quote = Some(ch),
                '[' | '{' if token_start => flow.open.push((ch, i + 1, c + 1)),
                ']' | '}' if !flow.open.is_empty() => {
                    if let Some(open) = flow.open.pop()
                        && closer(open.0) != ch
                        && flow.mismatch.is_none()
                    {
                        flow.mismatch = Some((open, ch));
                    }
                }
                _ => {}
            }
            token_start = matches!(ch, '[' | '{' | ',' | ':' | '-' | '?');
        }
    }
    flow
}

/// Does the line end with a block scalar indicator (`key: |`, `- >-`), comments aside?
fn opens_block_scalar(line: &str) -> bool {
    let content = line.split(" #").next().unwrap_or(line).trim_end();
    let last = content.rsplit(' ').next().unwrap_or("");
    content.len() > last.len()
        && (last.starts_with('|') || last.starts_with('>'))
        && last[1..].chars().all(|c| matches!(c, '-' | '+' | '0'..='9'))
}

/// The first tab in a line's indentation, from `from_line` on (or anywhere, if none).
fn indenting_tab(text: &str, from_line: usize) -> Option<(usize, usize)> {
    let lines = || text.split('\n').enumerate().map(|(i, l)| (i + 1, l));
    let in_indent = |(n, l): (usize, &str)| {
        let indent = &l[..l.len() - l.trim_start_matches([' ', '\t']).len()];
        indent.find('\t').map(|b| (n, indent[..b].chars().count() + 1))
    };
    lines().skip(from_line.saturating_sub(1)).find_map(in_indent).or_else(|| {
        lines().find_map(|(n, l)| l.find('\t').map(|b| (n, l[..b].chars().count() + 1)))
    })
}

#[cfg(test)]
mod tests {
    use crate::script::yaml;
    use std::path::Path;

    /// Each broken text, the true place of its mistake and words the message must contain.
    #[test]
    fn syntax_errors_point_at_the_mistake() {
        let head = "id: x\nversion: 1\n";
        #[rustfmt::skip]
        let cases: &[(&str, (usize, usize), &str)] = &[
            ("opd: \"dinsos\nsla_days: 3\nsteps: []\n", (3, 6), "quote \" opened here is not closed"),
            ("steps:\n  - { id: a, kind: end }\n  - { id: 'b, kind: end }\n", (5, 11), "quote ' opened"),
            // The scanner notices the open `[` only at `opd:`, three lines further down.
            ("keywords: [a, b,\n  c\n\n# c\nopd: x\nsteps: []\n", (3, 11), "`[` opened here is never closed"),
            ("steps:\n  - { id: a, kind: text\n\n  - { id: b, kind: end }\n", (4, 5), "`{` opened here is never closed"),
            ("steps:\n  - { id: a, kind: choice, options: [p, q }\n", (4, 37), "closed with `}`; close it with `]`"),
            ("steps:\n  - id: a\n    kind: text\n   - id: b\n", (6, 4), "does not line up with the list"),
            // Reported by the scanner at the scalar before the tab, a line up.
            ("steps:\n  - id: a\n\tkind: text\n", (5, 1), "tab is used to indent"),
            ("opd: x\n  sla_days: 3\nsteps: []\n", (4, 11), "indented too far"),
            ("opd: x\nsteps: []\nopd: y\n", (5, 1), "duplicate key `opd` (first on line 3)"),
        ];
        for (body, (line, col), words) in cases {
            let text = format!("{head}{body}");
            let d = yaml::parse(Path::new("x.yaml"), &text).expect_err(body);
            assert_eq!((d.line, d.col), (*line, *col), "{body:?}: {}", d.message);
            assert!(d.message.contains(words), "{body:?}: {}", d.message);
        }
    }

    #[test]
    fn brackets_inside_quotes_comments_and_words_are_not_collections() {
        let text = "a: \"[x\" # [ {\nb: it's [1]\nc: '{''}'\nd: [x\ne: 1\n";
        let d = yaml::parse(Path::new("x.yaml"), text).expect_err("d is not closed");
        assert_eq!((d.line, d.col), (4, 4), "{}", d.message);
        // The `[` is text in a block scalar; the mistake is the second `:` on line 5.
        let text = "a: |\n  [x\n\n  y\nb: c: d\n";
        let d = yaml::parse(Path::new("x.yaml"), text).expect_err("two colons");
        assert_eq!(d.line, 5, "{}", d.message);
        assert!(d.message.contains("cannot start here"), "{}", d.message);
    }
}
