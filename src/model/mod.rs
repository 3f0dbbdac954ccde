//! The shared vocabulary: plain types that the engine, the store, the channels and the outbox
//! all speak. May use: nothing else of pintu.

pub mod chat;

pub use chat::{Channel, ChatKey, MessageId};
