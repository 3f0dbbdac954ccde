//! Live edits of dialogs and texts: on SIGHUP, on the admin endpoint, and when the files
//! change (checked every few seconds), the folders are loaded and checked like `pintu check`.
//! Only a clean load goes live; otherwise the old version stays and the problems are logged
//! and returned. Citizens mid-dialog finish on the version they started (pinned in the store).
//!
//! May use: `diag`, `script`, `store`.

use crate::diag::{Diagnostic, Severity};
use crate::script::catalogue::Catalogue;
use crate::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Reloads the catalogue from its folders.
pub struct Reloader {
    dialogs: PathBuf,
    locales: PathBuf,
    live: watch::Sender<Arc<Catalogue>>,
    /// The script versions citizens started, which an edit must not change under their feet.
    store: Arc<dyn Store>,
    /// Serialises reloads (watcher, signal and API may fire together).
    lock: std::sync::Mutex<()>,
}

impl Reloader {
    pub fn new(
        dialogs: PathBuf,
        locales: PathBuf,
        live: watch::Sender<Arc<Catalogue>>,
        store: Arc<dyn Store>,
    ) -> Self {
        Self { dialogs, locales, live, store, lock: std::sync::Mutex::new(()) }
    }

    pub fn dialogs_dir(&self) -> &Path {
        &self.dialogs
    }

    pub fn locales_dir(&self) -> &Path {
        &self.locales
    }

    /// The catalogue citizens are served now.
    pub fn live(&self) -> Arc<Catalogue> {
        self.live.borrow().clone()
    }

    /// The YAML of a script version citizens may have started: pinned in the store, or the
    /// live version (a citizen may have started it in a batch not yet committed, so not yet
    /// pinned).
    fn earlier(&self, live: &Catalogue, id: &str, version: u32) -> Option<String> {
        pinned_yaml(self.store.as_ref(), id, version).or_else(|| {
            live.script(id).filter(|s| s.version == version).map(|s| s.source.to_string())
        })
    }

    /// What the folders would load with the files in `replaced` holding the given texts, and
    /// every problem, checked as a reload checks: nothing is written.
    pub fn candidate(&self, replaced: &[(PathBuf, String)]) -> (Catalogue, Vec<Diagnostic>) {
        let live = self.live();
        let earlier = |id: &str, version: u32| self.earlier(&live, id, version);
        Catalogue::load_replacing(&self.dialogs, &self.locales, &earlier, replaced)
    }

    /// The version number a script's edited YAML needs when its steps differ from a version
    /// citizens may have started under the same number; `None` when its own number is fine
    /// (or the YAML does not compile, which the candidate check reports).
    pub fn version_needed(&self, path: &Path, yaml: &str) -> Option<u32> {
        let (script, _) = crate::script::load::load(path, yaml);
        let script = script?;
        let live = self.live();
        let earlier = |id: &str, version: u32| self.earlier(&live, id, version);
        let (id, version) = (script.id.to_string(), script.version);
        let scripts = std::collections::BTreeMap::from([(id.clone(), script)]);
        let changed = !crate::script::versions::check(&scripts, &earlier).is_empty();
        changed.then(|| crate::script::versions::next_free(&id, version, &earlier))
    }

    /// Loads and checks; on success the new catalogue is live and the number of services is
    /// returned, otherwise the problems (as `path:line:col: ...`).
    pub fn reload(&self) -> Result<usize, Vec<Diagnostic>> {
        let _one = self.lock.lock();
        let live = self.live();
        let earlier = |id: &str, version: u32| self.earlier(&live, id, version);
        let (cat, diags) = Catalogue::load_checking(&self.dialogs, &self.locales, &earlier);
        let errors: Vec<Diagnostic> =
            diags.into_iter().filter(|d| d.severity == Severity::Error).collect();
        if !errors.is_empty() || cat.is_unusable() {
            for e in &errors {
                tracing::error!("{e}");
            }
            tracing::error!(
                problems = errors.len(),
                "dialogs not reloaded: the previous version stays live"
            );
            return Err(errors);
        }
        let n = cat.menu.len();
        self.live.send_replace(Arc::new(cat));
        tracing::info!(services = n, "dialogs reloaded");
        Ok(n)
    }

    /// Watches the folders (every `every`) and SIGHUP until `shutdown`.
    pub async fn watch(self: Arc<Self>, every: Duration, shutdown: CancellationToken) {
        let mut seen = fingerprint(&[&self.dialogs, &self.locales]);
        #[cfg(unix)]
        let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
        loop {
            #[cfg(unix)]
            let hangup = async {
                match hup.as_mut() {
                    Some(h) => {
                        h.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            #[cfg(not(unix))]
            let hangup = std::future::pending::<()>();
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = hangup => {
                    let me = self.clone();
                    let _ = tokio::task::spawn_blocking(move || me.reload()).await;
                }
                _ = tokio::time::sleep(every) => {
                    let now = fingerprint(&[&self.dialogs, &self.locales]);
                    if now != seen {
                        seen = now;
                        let me = self.clone();
                        let _ = tokio::task::spawn_blocking(move || me.reload()).await;
                    }
                }
            }
        }
    }
}

/// The YAML of a script version as citizens started it, from the store's pinned record.
pub fn pinned_yaml(store: &dyn Store, id: &str, version: u32) -> Option<String> {
    match store.script_source(id, version) {
        Ok(record) => record.as_deref().and_then(Catalogue::pinned_yaml),
        Err(e) => {
            tracing::warn!(script = id, version, error = %e, "pinned version unreadable; not compared");
            None
        }
    }
}

/// Names, sizes and modification times of the files in the folders (and their subfolders).
fn fingerprint(dirs: &[&Path]) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out = Vec::new();
    let mut todo: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
    while let Some(dir) = todo.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            match e.metadata() {
                Ok(m) if m.is_dir() => todo.push(p),
                Ok(m) => out.push((p, m.len(), m.modified().ok())),
                Err(_) => {}
            }
        }
    }
    out.sort();
    out
}
