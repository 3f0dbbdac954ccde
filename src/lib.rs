//! pintu: the chat front door ("satu pintu") of a kabupaten's digital public-service mall.
//! Citizens request services and follow their tickets from the chat apps they already use.
//!
//! # Layout
//! - [`model`]: the shared vocabulary (chats, sessions, replies, tickets, statuses, outbox
//!   entries) that every layer speaks; [`clock`], [`calendar`]: time and working days.
//! - [`config`]: defaults < `pintu.toml` < environment, validated once.
//! - [`script`]: admin-written dialogs (YAML) compiled and checked, reported through [`diag`];
//!   [`locale`]: texts (Fluent); [`text`]: normalising what citizens type.
//! - [`engine`]: the pure conversation engine — one message in, session/replies/effects out.
//! - [`validate`]: NIK, KK, NPWP, phone, dates, RT/RW, ... as Indonesians type them.
//! - [`ticket`]: how a status change is applied; [`desk`]: status changes from outside the
//!   dialog (API, officers).
//! - [`store`]: sessions and tickets in sled behind a narrow trait, one atomic flush per batch;
//!   personal data sealed under per-record keys that erasure destroys;
//!   [`private_fs`]: owner-only data folder, files and backups; [`attachments`]: citizens'
//!   files, checked by content, written only when kept, swept when no longer referred to, and
//!   linked by signed URLs.
//! - [`convo`]: per-chat order, dedupe, group commit; the only caller of the engine;
//!   [`fast_hash`]: the maps its per-message bookkeeping uses.
//! - [`sla`]: due dates, overdue notices and retention; [`draft_reminder`]: the one reminder of
//!   an idle draft.
//! - [`channel`]: platform adapters (Telegram, WhatsApp, web, terminal); [`web`]: the web
//!   pages (the citizens' chat at `/`); [`http`]: the officers' API,
//!   attachment links, health and metrics; [`outbox`]: forwards and pushes, retried;
//!   [`net`]: every outgoing HTTP client (proxy, extra CAs).
//! - [`eval`]: `pintu eval`, first-message routing scored on a labelled CSV.
//! - [`app`]: wiring for `serve`, `chat`, `check`, `route` and `eval`.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod app;
pub mod attachments;
pub mod audit;
pub mod calendar;
pub mod channel;
pub mod cli;
pub mod clock;
pub mod commit;
pub mod config;
pub mod convo;
pub mod desk;
pub mod diag;
pub mod draft_reminder;
pub mod engine;
pub mod eval;
pub mod fast_hash;
pub mod http;
pub mod locale;
pub mod metrics;
pub mod model;
pub mod net;
pub mod outbox;
pub mod private_fs;
pub mod reload;
pub mod script;
pub mod sla;
pub mod store;
pub mod tasks;
pub mod telemetry;
pub mod text;
pub mod ticket;
pub mod users;
pub mod validate;
pub mod web;
