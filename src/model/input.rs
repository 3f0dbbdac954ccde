//! What a channel hands the engine for one platform message.

use crate::clock::Timestamp;
use crate::model::session::FileRef;

/// One citizen message, already translated from the platform's shape, or pintu's own reminder.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Raw text as typed; the engine normalises it.
    Text(String),
    /// A photo or document, already stored under the data dir by the channel.
    Attachment(Attachment),
    Location {
        lat: f64,
        lon: f64,
    },
    /// A shared contact card; `own` when it is the sender's own number.
    Contact {
        phone: String,
        own: bool,
    },
    /// Something pintu cannot use (sticker, voice note, video).
    Unsupported,
    /// An attachment the channel refused before storing it (too big for the platform).
    TooBig {
        bytes: u64,
    },
    /// Not from the citizen: the reminder scan found the chat's draft idle since `touched`
    /// (see [`crate::engine::remind`]).
    DraftReminder {
        touched: Timestamp,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    Photo,
    Document,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub kind: AttachmentKind,
    /// Where it will be stored, and what its content is (`mime` from its first bytes).
    pub file: FileRef,
    pub upload: Upload,
}

/// An attachment's bytes, not yet on disk. The engine never looks at them: the conversation
/// layer writes them to `dest` only when the step keeps the file, so a refused upload leaves
/// nothing behind.
#[derive(Clone, PartialEq)]
pub struct Upload {
    pub dest: std::path::PathBuf,
    pub bytes: std::sync::Arc<[u8]>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Upload({} bytes)", self.bytes.len())
    }
}
