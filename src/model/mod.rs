//! The shared vocabulary: plain types that the engine, the store, the channels and the outbox
//! all speak.
//!
//! May use: `clock`.

pub mod account;
pub mod chat;
pub mod input;
pub mod outbox;
pub mod reply;
pub mod session;
pub mod status;
pub mod ticket;
pub mod ticket_no;

pub use chat::{Channel, ChatKey, MessageId};
pub use status::{ActorKind, SlaClock, Status, TransitionError};
pub use ticket_no::{TicketNo, TicketNoError};
