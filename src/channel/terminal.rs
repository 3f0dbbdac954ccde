//! The terminal channel behind `pintu chat`: one line is one message. Lines starting with a
//! slash command stand for what a phone would send: `/foto FILE`, `/dokumen FILE`,
//! `/lokasi LAT,LON`, `/kontak PHONE`. Everything else is text (so `/start` stays text).

use crate::model::input::{AttachmentKind, Input};
use std::path::Path;

/// Turns a typed line into engine input; attachments are kept for `data_dir/files`.
/// Problems with a file (missing, unreadable) come back as text for the user, not as errors.
pub fn parse_line(line: &str, data_dir: &Path) -> Result<Input, String> {
    let line = line.trim_end_matches(['\r', '\n']);
    let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
    let rest = rest.trim();
    match cmd {
        "/foto" | "/photo" => store_file(rest, AttachmentKind::Photo, data_dir),
        "/dokumen" | "/document" => store_file(rest, AttachmentKind::Document, data_dir),
        "/lokasi" | "/location" => {
            let parsed = rest
                .split_once(',')
                .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
            match parsed {
                Some((lat, lon)) => Ok(Input::Location { lat, lon }),
                None => Err("pakai: /lokasi -1.26,116.83".to_string()),
            }
        }
        "/kontak" | "/contact" => Ok(Input::Contact { phone: rest.to_string(), own: true }),
        "/stiker" | "/sticker" | "/suara" | "/voice" => Ok(Input::Unsupported),
        _ => Ok(Input::Text(line.to_string())),
    }
}

fn store_file(path: &str, kind: AttachmentKind, data_dir: &Path) -> Result<Input, String> {
    if path.is_empty() {
        return Err("pakai: /foto path/ke/berkas.jpg".to_string());
    }
    let bytes = std::fs::read(path).map_err(|e| format!("berkas {path} tidak bisa dibaca: {e}"))?;
    super::attachment_input(data_dir, bytes, kind)
        .map_err(|e| format!("berkas tidak bisa disimpan: {e}"))
}
