//! Integration tests, one binary: golden transcripts through the real conversation layer, the
//! real `pintu` binary (chat, restart, check), and hostile input.

mod attachments;
mod backup;
mod binary;
mod check;
mod corpus;
mod fake_agency;
mod fake_graph;
mod fake_telegram;
mod outbox;
mod privacy;
mod redelivery;
mod reload;
mod robustness;
mod support;
mod telegram;
mod transcripts;
mod versions;
mod whatsapp;
