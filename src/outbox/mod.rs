//! The durable outbox: forwarding tickets to agencies, pushing status changes to citizens,
//! reminding agencies of overdue tickets. Entries are written in the same atomic batch as the
//! change that caused them and removed only after the receiver acknowledged them.
//!
//! May use: `attachments`, `clock`, `commit`, `config`, `engine`, `metrics`, `model`, `net`,
//! `script`, `store`, `tasks`, `ticket`.

pub mod forward;
pub mod push;
pub mod retry;
pub mod sign;
pub mod worker;
