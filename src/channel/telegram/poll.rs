//! Long polling that confirms nothing before it is committed: a batch of updates is stepped and
//! committed, its replies queued, and only then does the next getUpdates carry the offset that
//! confirms it. A crash in between means redelivery, which the dedupe markers absorb.

use super::Telegram;
use std::sync::Arc;
use std::time::Duration;
use teloxide::prelude::*;
use teloxide::types::AllowedUpdate;
use tokio_util::sync::CancellationToken;

/// Seconds Telegram may hold a getUpdates open (below teloxide's 17 s client timeout).
const POLL_SECS: u32 = 10;

pub(super) async fn run(tg: Arc<Telegram>, shutdown: CancellationToken) {
    // A leftover webhook makes every getUpdates fail with 409.
    if let Ok(info) = tg.bot.get_webhook_info().await {
        if info.url.is_some() {
            tracing::info!("removing the Telegram webhook to poll instead");
            let _ = tg.bot.delete_webhook().await;
        }
    }
    // Start at 0: the earliest unconfirmed update (ids may restart lower after a quiet week).
    let mut offset: i32 = 0;
    let mut failures: u32 = 0;
    loop {
        let request = tg
            .bot
            .get_updates()
            .offset(offset)
            .timeout(POLL_SECS)
            .allowed_updates([AllowedUpdate::Message, AllowedUpdate::CallbackQuery]);
        let updates = tokio::select! {
            // Nothing confirmed: whatever was fetched is delivered again next time.
            _ = shutdown.cancelled() => return,
            r = request.send() => r,
        };
        let updates = match updates {
            Ok(u) => {
                failures = 0;
                u
            }
            Err(teloxide::RequestError::RetryAfter(s)) => {
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
        let Some(last) = updates.last().map(|u| u.id) else { continue };
        // Submit the whole batch first (chats step in parallel, each chat in order), then wait.
        let mut waiting = Vec::with_capacity(updates.len());
        let mut ok = true;
        for u in &updates {
            match tg.submit(u).await {
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
            offset = last.as_offset();
        } else {
            // Not committed: keep the offset so Telegram sends the batch again.
            tracing::error!("a Telegram batch could not be committed; it will be fetched again");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}
