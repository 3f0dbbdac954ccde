//! Integration tests, one binary: golden transcripts through the real conversation layer, the
//! real `pintu` binary (chat, restart, check), hostile input, and the fault suite (`faults`).

mod admin;
mod attachments;
mod backup;
mod binary;
mod browser;
mod check;
// The store's own throw-away PostgreSQL cluster, shared rather than copied; the tests here use
// only part of it.
#[allow(dead_code)]
#[path = "../../src/store/postgres/cluster.rs"]
mod cluster;
mod corpus;
mod fake_agency;
mod fake_graph;
mod fake_telegram;
mod faults;
mod instances;
mod layering;
mod migrate;
mod outage;
mod outbox;
mod privacy;
mod process;
mod redelivery;
mod reload;
mod robustness;
mod staff;
mod support;
mod telegram;
mod transcripts;
mod users;
mod versions;
mod webchat;
mod whatsapp;
