//! What pintu's own Bot API calls (`getUpdates`, `sendMessage`) share: the method URL and the
//! translation of Telegram's error answers into teloxide's `RequestError`, so callers handle
//! them exactly like errors of teloxide's own requests.

use std::sync::Arc;
use teloxide::prelude::*;
use teloxide::types::ResponseParameters;
use teloxide::{ApiError, RequestError};

/// `<api>/bot<token>/<method>`. Holds the token: never log it (reqwest errors are turned into
/// `RequestError`s, which hide it, before anything is logged).
pub(super) fn method_url(bot: &Bot, method: &str) -> reqwest::Url {
    let mut url = bot.api_url();
    // Like teloxide: the method path replaces whatever path the API URL has.
    url.set_path(&format!("bot{}/{method}", bot.token()));
    url
}

/// The error an `"ok": false` answer means. A 5xx `error_code` is Telegram being down, not a
/// verdict on the request ("Internal Server Error", "Bad Gateway"): it becomes an `Io` error,
/// which callers retry with backoff like a network failure, where an `Api` error would make
/// them drop the message.
pub(super) fn error(
    error_code: Option<u16>,
    parameters: Option<ResponseParameters>,
    description: Option<ApiError>,
) -> RequestError {
    match (parameters, description) {
        (Some(ResponseParameters::RetryAfter(s)), _) => RequestError::RetryAfter(s),
        (Some(ResponseParameters::MigrateToChatId(to)), _) => RequestError::MigrateToChatId(to),
        (None, description) if error_code.is_some_and(|c| c >= 500) => {
            let what = description.map_or_else(|| "no description".into(), |e| e.to_string());
            let code = error_code.unwrap_or_default();
            RequestError::Io(Arc::new(std::io::Error::other(format!("Telegram {code}: {what}"))))
        }
        (None, Some(e)) => RequestError::Api(e),
        (None, None) => RequestError::Api(ApiError::Unknown("no description".into())),
    }
}

/// An answer that is not the JSON it should be (a proxy's error page, a cut connection).
pub(super) fn invalid(e: serde_json::Error, raw: &[u8]) -> RequestError {
    RequestError::InvalidJson {
        source: Arc::new(e),
        raw: String::from_utf8_lossy(&raw[..raw.len().min(200)]).into(),
    }
}
