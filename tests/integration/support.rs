//! Shared test plumbing: a conversation layer over a real store with a hand-moved clock.

use pintu::clock::{ManualClock, Now};
use pintu::convo::{Convo, ConvoConfig};
use pintu::engine::Settings;
use pintu::model::input::Input;
use pintu::model::{Channel, ChatKey};
use pintu::script::catalogue::Catalogue;
use pintu::store::{SledStore, Store};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use time::UtcOffset;
use tokio::sync::watch;

/// A temp dir only its owner can open, as pintu requires of its data folder (the temp dir
/// crate leaves the mode to the umask).
pub fn private_tempdir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new().permissions(std::fs::Permissions::from_mode(0o700)).tempdir().unwrap()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn wita() -> UtcOffset {
    UtcOffset::from_hms(8, 0, 0).unwrap()
}

/// The shipped dialogs and texts; panics with the diagnostics if any are broken.
pub fn shipped_catalogue() -> Arc<Catalogue> {
    let (cat, diags) = Catalogue::load(&repo().join("dialogs"), &repo().join("locales"));
    let errors: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    assert!(errors.is_empty(), "shipped dialogs have problems:\n{}", errors.join("\n"));
    Arc::new(cat)
}

/// A running conversation layer on a sled store in a temp dir.
pub struct Harness {
    pub dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
    pub catalogue: Arc<Catalogue>,
    /// Publishes a new catalogue to the running conversation layer (a live edit).
    pub catalogue_tx: watch::Sender<Arc<Catalogue>>,
    pub store: Arc<dyn Store>,
    pub convo: Convo,
}

impl Harness {
    pub fn new(catalogue: Arc<Catalogue>, now: Now) -> Self {
        let dir = private_tempdir();
        let store: Arc<dyn Store> =
            Arc::new(SledStore::open(&dir.path().join("db"), 8 << 20).unwrap());
        Self::over(store, dir, catalogue, now)
    }

    /// The same over a store the test made (one whose commits it can make fail).
    pub fn over(
        store: Arc<dyn Store>,
        dir: tempfile::TempDir,
        catalogue: Arc<Catalogue>,
        now: Now,
    ) -> Self {
        let clock = Arc::new(ManualClock::new(now.at));
        let (catalogue_tx, rx) = watch::channel(catalogue.clone());
        let convo = start(&store, rx, &clock);
        Self { dir, clock, catalogue, catalogue_tx, store, convo }
    }

    /// Simulates a full restart: a new conversation layer with empty caches.
    pub fn restart(&mut self) {
        let (tx, rx) = watch::channel(self.catalogue.clone());
        self.catalogue_tx = tx;
        self.convo = start(&self.store, rx, &self.clock);
    }

    /// An admin's edit going live while citizens are mid-dialog.
    pub fn publish(&mut self, catalogue: Arc<Catalogue>) {
        self.catalogue = catalogue.clone();
        self.catalogue_tx.send_replace(catalogue);
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Sends one typed line (terminal syntax, so `/foto FILE` works) and renders the replies.
    pub async fn say(&self, user: &str, line: &str) -> Vec<String> {
        let input = match pintu::channel::terminal::parse_line(line, self.data_dir()) {
            Ok(i) => i,
            Err(help) => return vec![format!("({help})")],
        };
        self.send(user, input).await
    }

    pub async fn send(&self, user: &str, input: Input) -> Vec<String> {
        let chat = ChatKey::new(Channel::Terminal, user);
        let out = self.convo.handle(chat, None, input).await.expect("message committed");
        out.iter().map(|o| self.catalogue.locales.render(o.out.lang, &o.out.reply)).collect()
    }
}

fn start(
    store: &Arc<dyn Store>,
    rx: watch::Receiver<Arc<Catalogue>>,
    clock: &Arc<ManualClock>,
) -> Convo {
    let config = ConvoConfig { offset: wita(), shards: 2, ..ConvoConfig::default() };
    let committer = pintu::commit::Committer::start(store.clone());
    Convo::start(store.clone(), committer, rx, Arc::new(Settings::default()), clock.clone(), config)
        .unwrap()
}

/// 2026-11-26 (Thursday) at a local WITA time.
pub fn thursday(hour: u8, minute: u8) -> Now {
    Now::at_local(
        time::macros::date!(2026 - 11 - 26),
        time::Time::from_hms(hour, minute, 0).unwrap(),
        wita(),
    )
}

/// A copy of the shipped dialogs and texts in a temp dir, to edit or plant mistakes in.
pub fn copy_tree() -> tempfile::TempDir {
    let dir = private_tempdir();
    for sub in ["dialogs", "locales/id", "locales/en"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir(repo().join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, dir.path().join(sub).join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    dir
}

/// A terminal citizen's text to a running core; the replies rendered, one string.
pub async fn say_to(core: &pintu::app::Core, user: &str, text: &str) -> String {
    let chat = ChatKey::new(Channel::Terminal, user);
    let out = core.convo.handle(chat, None, Input::Text(text.into())).await.unwrap();
    let locales = core.catalogue.borrow().locales.clone();
    out.iter().map(|o| locales.render(o.out.lang, &o.out.reply)).collect::<Vec<_>>().join("\n")
}
