//! The preview chat: an admin talks to a dialog (the saved one, or an edited one not yet
//! saved) through the real conversation layer, on its own in-memory store, committer and
//! catalogue. Nothing reaches citizens' data: no ticket is forwarded (no outbox worker runs,
//! and no OPD has a route), nothing is pushed, and it all vanishes with the preview.

use crate::clock::Clock;
use crate::commit::Committer;
use crate::convo::{Convo, ConvoConfig, Routes};
use crate::engine::Settings;
use crate::model::input::Input;
use crate::model::{Channel, ChatKey};
use crate::script::catalogue::Catalogue;
use crate::store::{MemoryStore, Store};
use crate::tasks::Tasks;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::watch;

/// The longest transcript kept: a preview is a try-out, not an archive.
const MAX_LINES: usize = 200;

/// One admin's preview of one service.
pub struct Preview {
    pub service: String,
    /// True when it runs an edit not yet saved.
    pub unsaved: bool,
    /// (from the admin, text) in order.
    pub lines: Vec<(bool, String)>,
    catalogue: Arc<Catalogue>,
    convo: Convo,
    /// The preview's own store: what the preview's "citizen" typed lives only here.
    pub store: Arc<MemoryStore>,
    tasks: Tasks,
    // Keeps the conversation layer's catalogue channel open.
    _live: watch::Sender<Arc<Catalogue>>,
}

impl Preview {
    /// Starts an empty preview of `service` running `catalogue`.
    pub fn start(
        service: &str,
        unsaved: bool,
        catalogue: Arc<Catalogue>,
        settings: Arc<Settings>,
        clock: Arc<dyn Clock>,
        offset: time::UtcOffset,
    ) -> Result<Self, crate::store::StoreError> {
        let store = Arc::new(MemoryStore::new());
        let dyn_store: Arc<dyn Store> = store.clone();
        let committer = Committer::start(dyn_store.clone());
        let (tx, rx) = watch::channel(catalogue.clone());
        let tasks = Tasks::new();
        let config = ConvoConfig {
            shards: 1,
            offset,
            // Its own counters: a preview is not a citizen and stays out of the funnel.
            metrics: Arc::default(),
            data_dir: None,
            routes: Routes { forward: Some(HashSet::new()), notify: Some(HashSet::new()) },
            tasks: tasks.clone(),
            ..ConvoConfig::default()
        };
        let convo = Convo::start(dyn_store, committer, rx, settings, clock, config)?;
        Ok(Self {
            service: service.to_string(),
            unsaved,
            lines: Vec::new(),
            catalogue,
            convo,
            store,
            tasks,
            _live: tx,
        })
    }

    /// A first message that starts the service: its first keyword, else its Indonesian title.
    pub fn opening(&self) -> Option<String> {
        let script = self.catalogue.script(&self.service)?;
        script.keywords.first().cloned().or_else(|| script.titles.first().cloned())
    }

    /// Adds stepped lines to the transcript, keeping the newest.
    pub fn push(&mut self, lines: Vec<(bool, String)>) {
        self.lines.extend(lines);
        let over = self.lines.len().saturating_sub(MAX_LINES);
        self.lines.drain(..over);
    }

    /// A handle to step with while the preview table is not locked.
    pub fn stepper(&self) -> Stepper {
        Stepper { convo: self.convo.clone(), catalogue: self.catalogue.clone() }
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        self.tasks.signal_stop();
    }
}

/// What stepping a preview needs, cloned out of the shared table.
#[derive(Clone)]
pub struct Stepper {
    convo: Convo,
    catalogue: Arc<Catalogue>,
}

impl Stepper {
    /// Steps one message; returns it and the replies, rendered, for the transcript.
    pub async fn say(&self, text: &str) -> Result<Vec<(bool, String)>, crate::convo::ConvoError> {
        let chat = ChatKey::new(Channel::Web, "pratinjau");
        let replies = self.convo.handle(chat.clone(), None, Input::Text(text.to_string())).await?;
        self.convo.mark_sent(&chat, replies.iter().map(|r| r.seq));
        let mut lines = vec![(true, text.to_string())];
        lines.extend(
            replies
                .iter()
                .map(|r| (false, self.catalogue.locales.render(r.out.lang, &r.out.reply))),
        );
        Ok(lines)
    }
}
