//! Integration tests, one binary: golden transcripts through the real conversation layer, the
//! real `pintu` binary (chat, restart, check), hostile input, and the fault suite (`faults`).

mod admin;
mod attachments;
mod backup;
mod binary;
mod browser;
mod check;
mod corpus;
mod fake_agency;
mod fake_graph;
mod fake_telegram;
mod faults;
mod layering;
mod outage;
mod outbox;
mod privacy;
mod process;
mod redelivery;
mod reload;
mod robustness;
mod support;
mod telegram;
mod transcripts;
mod users;
mod versions;
mod webchat;
mod whatsapp;
