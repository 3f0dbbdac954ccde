//! What every channel shares: who a chat is, what came in, what goes out.
//!
//! Channels only translate between a platform and these types; they never decide the dialog
//! and never touch the store.
//!
//! May use: `attachments`, `clock`, `config`, `convo`, `desk`, `engine`, `fast_hash`, `http`,
//! `locale`, `model`, `net`, `outbox`, `script`, `tasks`, `telemetry`, `ticket`, `validate`.

pub mod ordered;
pub mod telegram;
pub mod terminal;
pub mod text;
pub mod web;
pub mod whatsapp;

pub use crate::model::chat::{Channel, ChatKey, MessageId};

/// What `app` hands a channel to start with. Channels reach the store only through the
/// conversation layer (pending replies, a chat's last touch) and the desk.
pub struct Wiring<'a> {
    pub convo: &'a crate::convo::Convo,
    pub sinks: &'a crate::outbox::push::Sinks,
    pub catalogue:
        tokio::sync::watch::Receiver<std::sync::Arc<crate::script::catalogue::Catalogue>>,
    /// Status changes from officers' buttons.
    pub desk: &'a crate::desk::Desk,
    pub health: &'a std::sync::Arc<crate::http::Health>,
    pub outbound: &'a crate::net::Outbound,
    pub clock: &'a std::sync::Arc<dyn crate::clock::Clock>,
    pub tasks: &'a crate::tasks::Tasks,
}

/// Makes the engine's input for a received photo or document. Its kind of content is read
/// from the bytes (the platform's MIME type and the file name are only the sender's word);
/// the bytes are written later, and only if the step keeps them.
pub fn attachment_input(
    data_dir: &std::path::Path,
    bytes: Vec<u8>,
    kind: crate::model::input::AttachmentKind,
) -> std::io::Result<crate::model::input::Input> {
    use crate::model::input::{Attachment, Input};
    let (file, upload) = crate::attachments::receive(data_dir, bytes)?;
    Ok(Input::Attachment(Attachment { kind, file, upload }))
}

/// Test support: the recorded platform payloads in `../shared/real-world/<platform>`, kept
/// outside the repository (a checkout without them skips those checks with a note).
#[cfg(test)]
pub(crate) mod recorded {
    use std::path::{Path, PathBuf};

    /// The folder of one platform's recordings, when it is there.
    pub fn dir(platform: &str) -> Option<PathBuf> {
        let dir =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/real-world").join(platform);
        dir.is_dir().then_some(dir)
    }

    /// The `*.json` file names in `dir`, sorted.
    pub fn json_names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        names
    }
}
