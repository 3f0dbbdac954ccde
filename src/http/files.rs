//! Attachments leave pintu only through short-lived signed links:
//! `/files/<name>?exp=<unix seconds>&sig=<hex HMAC-SHA256(key, "<name>.<exp>")>`. The key
//! never leaves the server; a link stops working at `exp`.

use crate::attachments::FileType;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::sync::Arc;

/// Signs and checks attachment links, and knows where the files are.
#[derive(Clone)]
pub struct FileLinks {
    key: Arc<[u8]>,
    data_dir: std::path::PathBuf,
}

impl FileLinks {
    pub fn new(key: &[u8], data_dir: std::path::PathBuf) -> Self {
        Self { key: Arc::from(key), data_dir }
    }

    fn mac(&self, name: &str, exp: i64) -> Hmac<Sha256> {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC accepts keys of any length"),
        };
        mac.update(name.as_bytes());
        mac.update(b".");
        mac.update(exp.to_string().as_bytes());
        mac
    }

    /// A link to `files/<name>` (as stored in a `FileRef`) valid until `exp`.
    pub fn url(&self, public_url: &str, stored_path: &str, exp: i64) -> String {
        let name = stored_path.strip_prefix("files/").unwrap_or(stored_path);
        let sig = hex::encode(self.mac(name, exp).finalize().into_bytes());
        format!("{public_url}/files/{name}?exp={exp}&sig={sig}")
    }

    /// Is this a valid, unexpired link for `name` at time `now`?
    pub fn check(&self, name: &str, exp: i64, sig: &str, now: i64) -> bool {
        let Ok(sig) = hex::decode(sig) else { return false };
        exp >= now && self.mac(name, exp).verify_slice(&sig).is_ok()
    }
}

#[derive(Deserialize)]
pub struct LinkQuery {
    exp: i64,
    sig: String,
}

/// `GET /files/{name}`: the file if the link is valid, else 403 (404 if it is gone).
pub async fn serve(
    State(links): State<FileLinks>,
    Path(name): Path<String>,
    Query(q): Query<LinkQuery>,
) -> Response {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    // Names are ours (random hex + extension); anything else is not a file we gave out.
    if !crate::private_fs::is_plain_name(&name) || !links.check(&name, q.exp, &q.sig, now) {
        return super::error::ApiError::Forbidden("invalid or expired link").into_response();
    }
    let path = links.data_dir.join("files").join(&name);
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let ext = name.rsplit('.').next().unwrap_or("");
            let mime =
                FileType::from_ext(ext).map_or(crate::attachments::UNKNOWN_MIME, FileType::mime);
            let headers =
                [(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "private, no-store")];
            (StatusCode::OK, headers, bytes).into_response()
        }
        Err(_) => super::error::ApiError::NotFound("no such file").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_signed_and_expire() {
        let l = FileLinks::new(b"kunci", "/tmp".into());
        let url = l.url("http://h", "files/ab12.jpg", 2000);
        let sig = url.rsplit("sig=").next().unwrap();
        assert!(url.starts_with("http://h/files/ab12.jpg?exp=2000&sig="));
        assert!(l.check("ab12.jpg", 2000, sig, 1999));
        assert!(!l.check("ab12.jpg", 2000, sig, 2001), "expired");
        assert!(!l.check("ab13.jpg", 2000, sig, 1999), "other file");
        assert!(!l.check("ab12.jpg", 3000, sig, 1999), "exp is signed");
        assert!(!FileLinks::new(b"lain", "/tmp".into()).check("ab12.jpg", 2000, sig, 1999));
    }
}
