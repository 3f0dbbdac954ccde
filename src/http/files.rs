//! `GET /files/{name}`: attachments leave pintu only through short-lived signed links (see
//! [`FileLinks`]).

use crate::attachments::{FileLinks, FileType};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

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
    let path = links.file(&name);
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
