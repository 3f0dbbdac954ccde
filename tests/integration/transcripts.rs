//! Golden conversations: every `tests/transcripts/*.txt` is replayed through the real
//! conversation layer (sled store, shipped dialogs and texts) and must match to the letter.
//!
//! Format: `> ` a citizen's line (terminal syntax: `/foto FILE`, `/lokasi LAT,LON`), `< ` a bot
//! reply with its further lines indented by two spaces, `# ` a comment, `@ now YYYY-MM-DD HH:MM`
//! (WITA), `@ wait 31m`, `@ restart` (new conversation layer over the same store), `@ user ID`.
//! Ticket numbers are random, so replies show them as `{T1}`, `{T2}` in order of appearance and
//! citizens may type those placeholders. `PINTU_BLESS=1 cargo test` rewrites the files with
//! what the bot says now: review the diff before committing it.

use super::support::{Harness, shipped_catalogue, wita};
use pintu::clock::Now;
use pintu::model::TicketNo;
use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transcripts_match() {
    let dir = super::support::repo().join("tests/transcripts");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    files.sort();
    assert!(files.len() >= 10, "expected transcripts for every shipped dialog");
    let bless = std::env::var_os("PINTU_BLESS").is_some();
    let mut failures = Vec::new();
    for path in &files {
        let expected = std::fs::read_to_string(path).unwrap();
        let actual = replay(path, &expected).await;
        if actual != expected {
            if bless {
                std::fs::write(path, &actual).unwrap();
            } else {
                failures.push(format!(
                    "{}:\n{}",
                    path.display(),
                    first_difference(&expected, &actual)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} transcript(s) differ (PINTU_BLESS=1 to update):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Replays the inputs and directives of a transcript, returning the transcript as it should be.
async fn replay(path: &Path, text: &str) -> String {
    let mut h = Harness::new(shipped_catalogue(), super::support::thursday(8, 15));
    let mut user = "1".to_string();
    let mut tickets: Vec<String> = Vec::new();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("< ") || line == "<" || line.starts_with("  ") {
            continue; // bot output is regenerated
        }
        if let Some(cmd) = line.strip_prefix("@ ") {
            directive(path, cmd, &mut h, &mut user);
            out.push_str(line);
            out.push('\n');
        } else if let Some(said) = line.strip_prefix("> ").or_else(|| (line == ">").then_some("")) {
            out.push_str(line);
            out.push('\n');
            let mut typed = said.to_string();
            for (i, t) in tickets.iter().enumerate() {
                typed = typed.replace(&format!("{{T{}}}", i + 1), t);
            }
            for reply in h.say(&user, &typed).await {
                let reply = mask_tickets(&reply, &mut tickets);
                for (i, l) in reply.lines().enumerate() {
                    let prefix = if i == 0 { "< " } else { "  " };
                    out.push_str(format!("{prefix}{l}").trim_end());
                    out.push('\n');
                }
            }
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn directive(path: &Path, cmd: &str, h: &mut Harness, user: &mut String) {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    match words.as_slice() {
        ["now", date, time_] => {
            let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
            let local = time::PrimitiveDateTime::parse(&format!("{date} {time_}"), &fmt).unwrap();
            h.clock.set(Now::at_local(local.date(), local.time(), wita()).at);
        }
        ["wait", d] => h.clock.advance(pintu::config::parse_duration(d).unwrap()),
        ["restart"] => h.restart(),
        ["user", id] => *user = id.to_string(),
        _ => panic!("{}: unknown directive `@ {cmd}`", path.display()),
    }
}

/// Replaces ticket numbers with stable placeholders.
fn mask_tickets(text: &str, seen: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let candidate = rest.get(..9).filter(|c| c.as_bytes().get(4) == Some(&b'-'));
        // K7Q4-M9XS is the example number the texts show; it is never issued in a transcript.
        let issued = candidate.filter(|c| *c != "K7Q4-M9XS");
        if let Some(no) = issued.and_then(|c| TicketNo::parse(c, &[]).ok()).map(|n| n.to_string()) {
            let boundary_ok = !out.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
            if boundary_ok {
                let i = seen.iter().position(|s| *s == no).unwrap_or_else(|| {
                    seen.push(no.clone());
                    seen.len() - 1
                });
                out.push_str(&format!("{{T{}}}", i + 1));
                rest = &rest[9..];
                continue;
            }
        }
        let c = rest.chars().next().unwrap();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let i = e.iter().zip(&a).position(|(x, y)| x != y).unwrap_or(e.len().min(a.len()));
    let ctx = i.saturating_sub(3);
    format!(
        "line {}:\n--- expected\n{}\n+++ actual\n{}",
        i + 1,
        e[ctx..(i + 3).min(e.len())].join("\n"),
        a[ctx..(i + 3).min(a.len())].join("\n")
    )
}
