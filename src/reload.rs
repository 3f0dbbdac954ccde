//! Live edits of dialogs and texts: on SIGHUP, on the admin endpoint, and when the files
//! change (checked every few seconds), the folders are loaded and checked like `pintu check`.
//! Only a clean load goes live; otherwise the old version stays and the problems are logged
//! and returned. Citizens mid-dialog finish on the version they started (pinned in the store).
//!
//! Several instances (a shared store): each instance serves its own folders, and the store
//! holds the published *dialog set*, every file of both folders, by revision. A clean load of
//! edited folders (the admin editor, a file edited by hand, SIGHUP) is published as the next
//! revision; every instance polls the newest revision with the change check and writes a
//! newer one into its folders, then loads it. At start, folders holding a set that was
//! published once (an instance started from an older image, or stopped for a while), or
//! empty, are behind and take the newest; folders holding a set never published (edited while the
//! instance was stopped, or a new deployment) are ahead and are published, if they load
//! cleanly: an instance refuses to start with edited folders that do not. Two edits on two
//! instances at once: the later publish wins, and the other instance's folders follow it;
//! every revision stays in the store by digest, the newest 20 with their files.
//! Why not the database as the only copy: `pintu check`, the editor and admins' habits all
//! work on folders, and an instance keeps serving its last set when the database is away.
//!
//! May use: `diag`, `private_fs`, `script`, `store`.

use crate::diag::{Diagnostic, Severity};
use crate::script::catalogue::Catalogue;
use crate::store::{DialogFile, DialogSet, Digest, Store};
use sha2::{Digest as _, Sha256};
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
    /// Serialises reloads (watcher, signal and API may fire together), and on a shared store
    /// what the folders hold of the published sets.
    lock: std::sync::Mutex<Published>,
    /// Names this instance in the dialog sets it publishes.
    instance: String,
}

/// What the folders hold of the dialog sets published in a shared store.
#[derive(Debug, Default)]
struct Published {
    /// The newest revision the folders were brought in line with (published or taken).
    revision: Option<u64>,
    /// The digest of what the folders held when last published or taken.
    digest: Option<Digest>,
    /// A clean load not yet published (the store was away): published on the next check.
    unpublished: bool,
    /// A newer set was only partly written into the folders: they are neither this
    /// instance's edit nor a published set, so nothing is published until it is written.
    torn: bool,
}

impl Reloader {
    pub fn new(
        dialogs: PathBuf,
        locales: PathBuf,
        live: watch::Sender<Arc<Catalogue>>,
        store: Arc<dyn Store>,
    ) -> Self {
        let instance = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "?".into());
        let instance = format!("{instance} pid {}", std::process::id());
        Self { dialogs, locales, live, store, lock: Default::default(), instance }
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

    /// Loads and checks; on success the new catalogue is live (and on a shared store, published
    /// to the other instances) and the number of services is returned, otherwise the problems
    /// (as `path:line:col: ...`).
    pub fn reload(&self) -> Result<usize, Vec<Diagnostic>> {
        let mut published = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let n = self.load()?;
        if self.store.shared() && !published.torn {
            published.unpublished = true;
            self.publish(&mut published);
        }
        Ok(n)
    }

    /// Loads and checks the folders; the caller holds the lock.
    fn load(&self) -> Result<usize, Vec<Diagnostic>> {
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

    /// Publishes what the folders hold as the newest dialog set, unless it already is. A store
    /// that is away leaves it marked unpublished, for the next check.
    fn publish(&self, published: &mut Published) {
        let published_now =
            read_set(&self.dialogs, &self.locales).map_err(|e| e.to_string()).and_then(|files| {
                let digest = digest(&files);
                if published.digest == Some(digest) {
                    return Ok(None);
                }
                let revision = self
                    .store
                    .publish_dialogs(&digest, &files, &self.instance)
                    .map_err(|e| e.to_string())?;
                Ok(Some((revision, digest)))
            });
        match published_now {
            Ok(None) => published.unpublished = false,
            Ok(Some((revision, digest))) => {
                tracing::info!(revision, "dialogs published to the other instances");
                *published = Published {
                    revision: Some(revision),
                    digest: Some(digest),
                    ..Published::default()
                };
            }
            Err(error) => {
                tracing::error!(%error, "dialogs not published yet; trying again shortly")
            }
        }
    }

    /// On a shared store, at start (after the first load, [`take_published`] before it):
    /// notes what the folders hold of the published sets, or publishes folders edited since
    /// (see the module docs), refusing ones with errors. Blocking.
    pub fn join(&self, taken: Option<(u64, Digest)>) -> anyhow::Result<()> {
        if !self.store.shared() {
            return Ok(());
        }
        if let Some((revision, digest)) = taken {
            *self.lock.lock().unwrap_or_else(|e| e.into_inner()) = Published {
                revision: Some(revision),
                digest: Some(digest),
                ..Published::default()
            };
            return Ok(());
        }
        // Edited folders, or the first instance: published if they load cleanly.
        self.reload().map(|_| ()).map_err(|errors| {
            let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow::anyhow!(
                "the dialog folders differ from the dialogs the other instances serve and have \
                 errors, so they are neither served nor published (fix them, or empty the \
                 folders to take the published ones):\n{}",
                list.join("\n")
            )
        })
    }

    /// On a shared store: publishes a clean load that could not be published yet, then takes
    /// a newer published set into the folders and loads it. Returns whether the folders
    /// changed. Blocking.
    pub fn follow(&self) -> Result<bool, String> {
        let mut published = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if published.unpublished {
            self.publish(&mut published);
            if published.unpublished {
                // The folders were edited here: a newer set must not overwrite them first.
                return Ok(false);
            }
        }
        let Some((revision, digest)) = self.store.dialogs_head().map_err(|e| e.to_string())? else {
            return Ok(false);
        };
        if published.revision == Some(revision) {
            return Ok(false);
        }
        if published.digest == Some(digest) {
            published.revision = Some(revision);
            return Ok(false);
        }
        let Some(set) = self.store.dialogs_latest().map_err(|e| e.to_string())? else {
            return Ok(false);
        };
        if let Err(e) = write_set(&self.dialogs, &self.locales, &set) {
            published.torn = true;
            return Err(format!(
                "dialogs revision {} not written to the folders: {e}",
                set.revision
            ));
        }
        *published = Published {
            revision: Some(set.revision),
            digest: Some(set.digest),
            unpublished: false,
            torn: false,
        };
        tracing::info!(revision = set.revision, "dialogs taken from another instance");
        // A set another instance loaded cleanly loads here too (same checks, same pinned
        // versions); if not, the previous catalogue stays live and the errors are logged.
        let _ = self.load();
        Ok(true)
    }

    /// Watches the folders (every `every`) and SIGHUP until `shutdown`.
    pub async fn watch(self: Arc<Self>, every: Duration, shutdown: CancellationToken) {
        let mut seen = fingerprint(&[&self.dialogs, &self.locales]);
        // The last failure to check the published dialogs, logged once until it changes.
        let mut failing: Option<String> = None;
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
                    // After the local check, so an edit here is published before a newer
                    // set could be written over it.
                    if self.store.shared() {
                        let me = self.clone();
                        match tokio::task::spawn_blocking(move || me.follow()).await {
                            Ok(Ok(changed)) => {
                                if changed {
                                    seen = fingerprint(&[&self.dialogs, &self.locales]);
                                }
                                failing = None;
                            }
                            Ok(Err(error)) if failing.as_ref() != Some(&error) => {
                                tracing::warn!(%error, "published dialogs not checked");
                                failing = Some(error);
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
}

/// On a shared store, at start before the first load: folders behind the published dialogs
/// (holding a set published earlier, empty, or half written when the instance stopped) take
/// the newest set. Returns the published set the folders now hold; `None` when they hold
/// none (edited, or nothing published yet: see [`Reloader::join`]).
pub fn take_published(
    dialogs: &Path,
    locales: &Path,
    store: &dyn Store,
) -> anyhow::Result<Option<(u64, Digest)>> {
    if !store.shared() {
        return Ok(None);
    }
    let Some((revision, newest)) = store.dialogs_head()? else { return Ok(None) };
    let files = read_set(dialogs, locales)?;
    if digest(&files) == newest {
        let _ = std::fs::remove_file(dialogs.join(TAKING));
        return Ok(Some((revision, newest)));
    }
    // Half written when the instance stopped: not an edit, whatever it holds. Empty: a new
    // instance, or folders emptied to take the published set.
    let behind = dialogs.join(TAKING).exists()
        || files.is_empty()
        || store.dialogs_known(&digest(&files))?;
    if !behind {
        return Ok(None);
    }
    let Some(set) = store.dialogs_latest()? else { return Ok(None) };
    write_set(dialogs, locales, &set)?;
    tracing::info!(revision = set.revision, "the dialog folders were behind: took the newest");
    Ok(Some((set.revision, set.digest)))
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

/// The two folders' files as a dialog set: every regular file but dot files (the editor's
/// temporary files), by path (`dialogs/…`, `locales/…`).
fn read_set(dialogs: &Path, locales: &Path) -> std::io::Result<Vec<DialogFile>> {
    let mut files = Vec::new();
    for (root, prefix) in [(dialogs, "dialogs"), (locales, "locales")] {
        for rel in files_under(root)? {
            let bytes = std::fs::read(root.join(&rel))?;
            files.push((format!("{prefix}/{rel}"), bytes));
        }
    }
    files.sort();
    Ok(files)
}

/// The paths (`/`-separated, relative) of the regular files under `root` but dot files; none
/// when `root` does not exist.
fn files_under(root: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut todo = vec![String::new()];
    while let Some(rel) = todo.pop() {
        let entries = match std::fs::read_dir(root.join(&rel)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && rel.is_empty() => continue,
            entries => entries?,
        };
        for entry in entries {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else { continue };
            if name.starts_with('.') {
                continue;
            }
            let path = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let kind = entry.file_type()?;
            if kind.is_dir() {
                todo.push(path);
            } else if kind.is_file() {
                out.push(path);
            }
        }
    }
    Ok(out)
}

/// A digest of a dialog set's paths and bytes (in path order), which tells sets apart.
fn digest(files: &[DialogFile]) -> Digest {
    let mut hash = Sha256::new();
    for (path, bytes) in files {
        hash.update((path.len() as u64).to_le_bytes());
        hash.update(path.as_bytes());
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    }
    hash.finalize().into()
}

/// Writes a published set into the folders: files that differ are replaced atomically, files
/// the set lacks are removed. Paths that could lead out of the folders are refused before
/// anything is written.
fn write_set(dialogs: &Path, locales: &Path, set: &DialogSet) -> std::io::Result<()> {
    let target = |path: &str| -> Option<PathBuf> {
        let (prefix, rel) = path.split_once('/')?;
        let root = match prefix {
            "dialogs" => dialogs,
            "locales" => locales,
            _ => return None,
        };
        let plain = |part: &str| {
            !part.is_empty()
                && !part.starts_with('.')
                && part.chars().all(|c| c.is_alphanumeric() || "._-".contains(c))
        };
        rel.split('/').all(plain).then(|| root.join(rel))
    };
    let mut wanted = std::collections::HashSet::new();
    let mut writes = Vec::new();
    for (path, bytes) in &set.files {
        let file = target(path).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, format!("unsafe path {path:?}"))
        })?;
        wanted.insert(file.clone());
        writes.push((file, bytes));
    }
    // Marks the folders as being written until done: a crash in between leaves them half old,
    // half new, which must not pass for an edit at the next start (see `join`).
    std::fs::create_dir_all(dialogs)?;
    crate::private_fs::write_private(&dialogs.join(TAKING), b"")?;
    for (file, bytes) in writes {
        if std::fs::read(&file).ok().as_deref() == Some(bytes.as_slice()) {
            continue;
        }
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::private_fs::replace_private(&file, bytes)?;
    }
    for root in [dialogs, locales] {
        for rel in files_under(root)? {
            let file = root.join(&rel);
            if !wanted.contains(&file) {
                std::fs::remove_file(&file)?;
            }
        }
    }
    std::fs::remove_file(dialogs.join(TAKING))?;
    std::fs::File::open(dialogs)?.sync_all()
}

/// A dot file in the dialogs folder while a published set is being written into the folders.
const TAKING: &str = ".taking-published-dialogs";

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::postgres::PgStore;
    use crate::store::postgres::cluster::fresh_database;

    /// One instance's folders (copies of the repository's) and, once started, its reloader.
    struct Instance {
        dir: tempfile::TempDir,
        url: String,
        reloader: Option<Reloader>,
    }

    impl Instance {
        fn on(url: &str) -> Self {
            let dir = tempfile::tempdir().unwrap();
            for name in ["dialogs", "locales"] {
                crate::private_fs::copy_tree(
                    &Path::new(env!("CARGO_MANIFEST_DIR")).join(name),
                    &dir.path().join(name),
                );
            }
            Self { dir, url: url.into(), reloader: None }
        }

        /// Starts as `start_core` does: folders behind take the newest, then the first load,
        /// then the edited folders are published.
        fn start(&mut self) -> anyhow::Result<()> {
            let store: Arc<dyn Store> = Arc::new(PgStore::open(&self.url).unwrap());
            let (dialogs, locales) = (self.file("dialogs"), self.file("locales"));
            let taken = take_published(&dialogs, &locales, store.as_ref())?;
            let (first, _) = Catalogue::load(&dialogs, &locales);
            let (live, _) = watch::channel(Arc::new(first));
            let reloader = self.reloader.insert(Reloader::new(dialogs, locales, live, store));
            reloader.join(taken)
        }

        fn r(&self) -> &Reloader {
            self.reloader.as_ref().expect("started")
        }

        fn file(&self, rel: &str) -> PathBuf {
            self.dir.path().join(rel)
        }

        fn edit(&self, rel: &str, edit: impl FnOnce(String) -> String) {
            let text = std::fs::read_to_string(self.file(rel)).unwrap();
            std::fs::write(self.file(rel), edit(text)).unwrap();
        }

        fn ktp_source(&self) -> String {
            self.r().live().script("ktp_el").unwrap().source.to_string()
        }
    }

    #[test]
    fn an_edit_on_one_instance_reaches_the_others_and_so_does_a_removal() {
        let (_cluster, url) = fresh_database();
        let (mut a, mut b) = (Instance::on(&url), Instance::on(&url));
        a.start().unwrap();
        b.start().unwrap();
        assert_eq!(a.r().store.dialogs_head().unwrap().unwrap().0, 1, "one set, published once");
        assert!(!b.r().follow().unwrap(), "nothing newer");

        a.edit("dialogs/ktp_el.yaml", |t| format!("# diubah di instance A\n{t}"));
        a.edit("locales/id/ktp_el.ftl", |t| format!("{t}\n# Catatan dari instance A\n"));
        std::fs::write(a.file("dialogs/CATATAN.md"), "Hapus nanti\n").unwrap();
        a.r().reload().unwrap();
        assert!(b.r().follow().unwrap(), "B takes A's edit");
        assert!(b.ktp_source().starts_with("# diubah di instance A"), "live on B");
        for rel in ["dialogs/ktp_el.yaml", "locales/id/ktp_el.ftl", "dialogs/CATATAN.md"] {
            assert_eq!(std::fs::read(b.file(rel)).unwrap(), std::fs::read(a.file(rel)).unwrap());
        }
        assert!(!b.r().follow().unwrap(), "taken once");
        // B's reload of what it took publishes nothing new.
        b.r().reload().unwrap();
        assert_eq!(b.r().store.dialogs_head().unwrap().unwrap().0, 2);

        std::fs::remove_file(a.file("dialogs/CATATAN.md")).unwrap();
        a.r().reload().unwrap();
        assert!(b.r().follow().unwrap());
        assert!(!b.file("dialogs/CATATAN.md").exists(), "a removed file goes on B too");
        assert!(!a.r().follow().unwrap(), "A publishes and does not take its own set back");
    }

    #[test]
    fn folders_behind_take_the_newest_and_edited_folders_are_published_if_clean() {
        let (_cluster, url) = fresh_database();
        let mut a = Instance::on(&url);
        a.start().unwrap();
        a.edit("dialogs/ktp_el.yaml", |t| format!("# revisi 2\n{t}"));
        a.r().reload().unwrap();

        // Started from the original files (published as revision 1): behind, so it takes 2.
        let mut late = Instance::on(&url);
        late.start().unwrap();
        assert!(late.ktp_source().starts_with("# revisi 2"));

        // Edited while stopped (a set never published): published, and A follows it.
        let mut edited = Instance::on(&url);
        edited.edit("dialogs/ktp_el.yaml", |t| format!("# revisi 3\n{t}"));
        edited.start().unwrap();
        assert!(edited.ktp_source().starts_with("# revisi 3"));
        assert!(a.r().follow().unwrap());
        assert!(a.ktp_source().starts_with("# revisi 3"));

        // Empty folders (a new instance): they take the newest.
        let mut empty = Instance::on(&url);
        for name in ["dialogs", "locales"] {
            std::fs::remove_dir_all(empty.file(name)).unwrap();
            std::fs::create_dir(empty.file(name)).unwrap();
        }
        empty.start().unwrap();
        assert!(empty.ktp_source().starts_with("# revisi 3"));

        // Edited with an error: refused at start, with the error's place; nothing published.
        let mut broken = Instance::on(&url);
        broken.edit("dialogs/ktp_el.yaml", |t| t.replacen("steps:", "stepz:", 1));
        let error = format!("{:#}", broken.start().unwrap_err());
        assert!(error.contains("ktp_el.yaml:"), "{error}");
        assert!(edited.r().store.dialogs_head().unwrap().unwrap().0 == 3);
    }

    #[test]
    fn folders_half_written_when_the_instance_stopped_take_the_newest() {
        let (_cluster, url) = fresh_database();
        let mut a = Instance::on(&url);
        a.start().unwrap();
        a.edit("dialogs/ktp_el.yaml", |t| format!("# revisi 2\n{t}"));
        a.r().reload().unwrap();

        // A crash while writing revision 2 over a clean, never-published edit of another file.
        let mut b = Instance::on(&url);
        b.edit("locales/id/ktp_el.ftl", |t| format!("{t}\n# setengah ditulis\n"));
        std::fs::write(b.file(&format!("dialogs/{TAKING}")), "").unwrap();
        b.start().unwrap();
        assert!(b.ktp_source().starts_with("# revisi 2"));
        assert_eq!(
            std::fs::read(b.file("locales/id/ktp_el.ftl")).unwrap(),
            std::fs::read(a.file("locales/id/ktp_el.ftl")).unwrap()
        );
        assert!(!b.file(&format!("dialogs/{TAKING}")).exists());
        assert_eq!(a.r().store.dialogs_head().unwrap().unwrap().0, 2, "nothing published");
    }

    #[test]
    fn a_set_with_a_path_out_of_the_folders_is_refused_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (dialogs, locales) = (dir.path().join("dialogs"), dir.path().join("locales"));
        for bad in ["dialogs/../etc/passwd", "other/a.yaml", "locales/.hidden", "dialogs/a//b"] {
            let set = DialogSet {
                revision: 1,
                digest: [0; 32],
                files: vec![("dialogs/a.yaml".into(), b"a".to_vec()), (bad.into(), b"x".to_vec())],
            };
            assert!(write_set(&dialogs, &locales, &set).is_err(), "{bad}");
            assert!(!dialogs.join("a.yaml").exists(), "nothing written for {bad}");
        }
    }
}
