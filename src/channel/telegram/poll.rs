//! Long polling that confirms nothing before it is committed: a batch of updates is stepped and
//! committed, its replies queued, and only then does the next getUpdates carry the offset that
//! confirms it. A crash in between means redelivery, which the dedupe markers absorb.
//!
//! getUpdates is called here rather than through teloxide, so each update's JSON reaches
//! [`map::read`] as it is: the common private text skips teloxide's full `Update` parse.

use super::{Telegram, api, map};
use serde_json::value::RawValue;
use std::sync::Arc;
use std::time::Duration;
use teloxide::prelude::*;
use teloxide::types::ResponseParameters;
use teloxide::{ApiError, RequestError};
use tokio_util::sync::CancellationToken;

/// The lease of the instance that polls, when several share the store.
const LEASE: &str = "telegram-getupdates";
/// How often an instance that does not poll asks whether it should.
const STANDBY: Duration = Duration::from_secs(2);

/// Seconds Telegram may hold a getUpdates open (the request itself may take 10 s more).
const POLL_SECS: u32 = 10;

pub(super) async fn run(tg: Arc<Telegram>, shutdown: CancellationToken) {
    // A leftover webhook makes every getUpdates fail with 409.
    if let Ok(info) = tg.bot.get_webhook_info().await
        && info.url.is_some()
    {
        tracing::info!("removing the Telegram webhook to poll instead");
        let _ = tg.bot.delete_webhook().await;
    }
    let url = api::method_url(&tg.bot, "GetUpdates");
    let client = tg.bot.client().clone();
    // Start at 0: the earliest unconfirmed update (ids may restart lower after a quiet week).
    let mut offset: i64 = 0;
    let mut failures: u32 = 0;
    loop {
        // One instance at a time polls (Telegram answers a second getUpdates with 409); the
        // others look every few seconds whether the leader's lease ran out.
        if !tg.convo.leads(LEASE) {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                () = tokio::time::sleep(STANDBY) => continue,
            }
        }
        let request = get_updates(&client, &url, offset);
        let updates = tokio::select! {
            // Nothing confirmed: whatever was fetched is delivered again next time.
            _ = shutdown.cancelled() => return,
            r = request => r,
        };
        let updates = match updates {
            Ok(u) => {
                failures = 0;
                u
            }
            Err(RequestError::RetryAfter(s)) => {
                tokio::time::sleep(s.duration()).await;
                continue;
            }
            Err(e) => {
                failures += 1;
                tracing::warn!(error = %e, "getUpdates failed");
                tokio::time::sleep(Duration::from_millis(250 << failures.min(7))).await;
                continue;
            }
        };
        let Some(last) = updates.iter().filter_map(|u| u.id).max() else {
            if !updates.is_empty() {
                tracing::error!("a getUpdates batch without a readable update id; fetching again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            continue;
        };
        // Submit the whole batch first (chats step in parallel, each chat in order), then wait.
        let mut waiting = Vec::with_capacity(updates.len());
        let mut ok = true;
        for u in updates {
            let Some(id) = u.id else {
                tracing::warn!("an unreadable Telegram update skipped");
                continue;
            };
            match tg.submit(id, u.incoming).await {
                Ok(Some(w)) => waiting.push(w),
                Ok(None) => {}
                Err(_) => ok = false,
            }
        }
        for (chat, rx) in waiting {
            if tg.deliver(chat, rx).await.is_err() {
                ok = false;
            }
        }
        if ok {
            offset = i64::from(last) + 1;
        } else {
            // Not committed: keep the offset so Telegram sends the batch again.
            tracing::error!("a Telegram batch could not be committed; it will be fetched again");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// One long-poll call: the updates after `offset`, each read by [`map::read`].
async fn get_updates(
    client: &reqwest::Client,
    url: &reqwest::Url,
    offset: i64,
) -> Result<Vec<map::Raw>, RequestError> {
    #[derive(serde::Deserialize)]
    struct Answer<'a> {
        ok: bool,
        #[serde(borrow)]
        result: Option<Vec<&'a RawValue>>,
        error_code: Option<u16>,
        description: Option<ApiError>,
        parameters: Option<ResponseParameters>,
    }
    let body = serde_json::json!({
        "offset": offset,
        "timeout": POLL_SECS,
        "allowed_updates": ["message", "callback_query"],
    });
    let response = client
        .post(url.clone())
        .timeout(Duration::from_secs(u64::from(POLL_SECS) + 10))
        .json(&body)
        .send()
        .await?;
    let raw = response.bytes().await?;
    let answer: Answer = serde_json::from_slice(&raw).map_err(|e| api::invalid(e, &raw))?;
    if answer.ok {
        return Ok(answer.result.unwrap_or_default().iter().map(|u| map::read(u.get())).collect());
    }
    Err(api::error(answer.error_code, answer.parameters, answer.description))
}
