//! Citizens' attachments (photos and documents) under `<data dir>/files/`: recognised by their
//! content, written only once a step keeps them, linked with a key that survives restarts, and
//! swept once nothing refers to them.
//!
//! A file is written just before the commit whose session or ticket refers to it (see
//! `convo`), so a refused upload (too big, the wrong kind) never reaches the disk. What can
//! still be left behind (drafts dropped or cancelled, a commit that failed after its files
//! were written) is found by [`sweep`]: files no session or ticket refers to, once older than
//! the draft TTL.
//!
//! May use: `model`, `private_fs`, `store`, `telemetry`.

use crate::model::input::Upload;
use crate::model::session::FileRef;
use crate::store::{R, Store, StoreError, codec};
use crate::telemetry::Secret;
use anyhow::Context;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio_util::sync::CancellationToken;

/// The folder under the data dir that holds attachments; stored paths start with `files/`.
pub const DIR: &str = "files";

/// The MIME type recorded for content that is none of the kinds pintu accepts.
pub const UNKNOWN_MIME: &str = "application/octet-stream";

/// The kinds of file pintu accepts, told by their first bytes: the platform's MIME type and
/// the file name are only what the sender's phone claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

impl FileType {
    /// What `bytes` are, when they are one of the accepted kinds.
    pub fn of(bytes: &[u8]) -> Option<Self> {
        Some(match infer::get(bytes)?.mime_type() {
            "image/jpeg" => Self::Jpeg,
            "image/png" => Self::Png,
            "image/webp" => Self::Webp,
            "application/pdf" => Self::Pdf,
            _ => return None,
        })
    }

    /// The kind a stored file's extension stands for (pintu names files after their content).
    pub fn from_ext(ext: &str) -> Option<Self> {
        Some(match ext {
            "jpg" | "jpeg" => Self::Jpeg,
            "png" => Self::Png,
            "webp" => Self::Webp,
            "pdf" => Self::Pdf,
            _ => return None,
        })
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Pdf => "pdf",
        }
    }
}

/// Describes received bytes for the engine: a new random name under `files/` (names must not
/// reveal whose file it is) with the extension and MIME type of the content, and the bytes
/// themselves, to be written only if the step keeps the file.
pub fn receive(data_dir: &Path, bytes: Vec<u8>) -> std::io::Result<(FileRef, Upload)> {
    let kind = FileType::of(&bytes);
    let mut rnd = [0u8; 12];
    getrandom::fill(&mut rnd).map_err(|e| std::io::Error::other(e.to_string()))?;
    let name: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
    let path = format!("{DIR}/{name}.{}", kind.map_or("bin", FileType::ext));
    let file = FileRef {
        path: path.clone(),
        mime: kind.map_or(UNKNOWN_MIME, FileType::mime).to_string(),
        bytes: bytes.len() as u64,
    };
    Ok((file, Upload { dest: data_dir.join(path), bytes: bytes.into() }))
}

/// Writes a kept upload owner-only and makes it durable (the file and its name) before the
/// commit that refers to it.
pub fn write(upload: &Upload) -> std::io::Result<()> {
    use std::io::Write;
    let dir = upload.dest.parent().ok_or_else(|| std::io::Error::other("no parent folder"))?;
    crate::private_fs::create_private_dir(dir)?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&upload.dest)?;
    f.write_all(&upload.bytes)?;
    f.sync_all()?;
    std::fs::File::open(dir)?.sync_all()
}

/// The key that signs attachment links: `PINTU_FILES_SECRET` when set; else on a shared store
/// the one every instance shares (`Store::shared_secret`, made by the first instance, which
/// offers its data folder's key if it has one, so links sent before a move to the database
/// keep working); else a random key made once and kept owner-only in the data folder, so
/// links already given to agencies keep working after a restart.
pub fn link_key(
    data_dir: &Path,
    explicit: Option<&Secret<String>>,
    store: &dyn Store,
) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = explicit {
        return Ok(secret.expose().as_bytes().to_vec());
    }
    if store.shared() {
        let offer = match folder_key(data_dir)? {
            Some(key) => key,
            None => fresh_key()?,
        };
        if let Some(key) = store.shared_secret(SHARED_KEY, &offer)? {
            return Ok(key);
        }
    }
    if let Some(key) = folder_key(data_dir)? {
        return Ok(key);
    }
    let key = fresh_key()?;
    let file = data_dir.join(KEY_FILE);
    crate::private_fs::write_private(&file, format!("{}\n", hex::encode(&key)).as_bytes())
        .with_context(|| format!("writing {}", file.display()))?;
    Ok(key)
}

/// The name of the link key among a shared store's secrets.
pub const SHARED_KEY: &str = "files";

/// The file in the data folder that holds the link key of a store of one process.
const KEY_FILE: &str = "files-secret";

/// The link key kept in the data folder, if there is one.
pub fn folder_key(data_dir: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    let file = data_dir.join(KEY_FILE);
    match std::fs::read_to_string(&file) {
        Ok(text) => {
            let key = hex::decode(text.trim()).ok().filter(|k| k.len() == 32);
            key.map(Some).with_context(|| {
                format!(
                    "{} is damaged (it should hold 64 hex digits); delete it to make a new one \
                     (file links already sent stop working) or set PINTU_FILES_SECRET",
                    file.display()
                )
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", file.display())),
    }
}

fn fresh_key() -> anyhow::Result<Vec<u8>> {
    let mut key = vec![0u8; 32];
    getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(key)
}

/// The attachment paths the store refers to: every session's, then every ticket's. In this
/// order because a file only ever moves from a draft to a ticket, so a file moved while the
/// store is read is seen in one or the other.
pub fn referenced(store: &dyn Store) -> R<HashSet<String>> {
    let mut found = HashSet::new();
    store.export(&mut |key, value| {
        if codec::is_session_key(key) {
            found.extend(codec::referenced_files(key, value)?);
        }
        Ok(())
    })?;
    for ticket in store.tickets()? {
        found.extend(ticket.files().map(|f| f.path.clone()));
    }
    Ok(found)
}

/// Deletes attachment files that no session or ticket refers to and that were last written
/// more than `older_than` before `now`; returns how many. The age keeps a file that a step has
/// just written, whose commit is still on its way, and matches the time a draft may wait.
pub fn sweep(
    store: &dyn Store,
    data_dir: &Path,
    older_than: Duration,
    now: SystemTime,
) -> R<usize> {
    let io = |e: std::io::Error| StoreError::Io(format!("sweeping attachments: {e}"));
    let dir = data_dir.join(DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(io(e)),
    };
    let cutoff = now.checked_sub(older_than).unwrap_or(SystemTime::UNIX_EPOCH);
    let mut old: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io)?;
        let meta = entry.metadata().map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if meta.is_file()
            && meta.modified().map_err(io)? < cutoff
            && crate::private_fs::is_plain_name(&name)
        {
            old.push((format!("{DIR}/{name}"), entry.path()));
        }
    }
    // Most passes find nothing old enough, and then the store is not read at all.
    if old.is_empty() {
        return Ok(0);
    }
    let keep = referenced(store)?;
    let mut removed = 0;
    for (stored, path) in old {
        if keep.contains(&stored) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => removed += 1,
            // Erased meanwhile (`hapus data saya`, retention).
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
    }
    Ok(removed)
}

/// How often [`Sweeper`] looks for files no one refers to.
pub const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// How old an unreferenced file must be before it is swept: the draft TTL (a draft's files go
/// with it), and never less than an hour, so a test-sized TTL of seconds cannot catch a file
/// whose commit is still on its way.
pub fn sweep_age(session_ttl_secs: i64) -> Duration {
    Duration::from_secs(u64::try_from(session_ttl_secs).unwrap_or(0).max(3600))
}

/// The sweep, run every `every` until `shutdown`.
pub struct Sweeper {
    pub store: std::sync::Arc<dyn Store>,
    pub data_dir: PathBuf,
    pub older_than: Duration,
    pub every: Duration,
}

impl Sweeper {
    pub async fn run(self, shutdown: CancellationToken) {
        let this = std::sync::Arc::new(self);
        loop {
            let job = this.clone();
            let swept = tokio::task::spawn_blocking(move || {
                sweep(job.store.as_ref(), &job.data_dir, job.older_than, SystemTime::now())
            })
            .await;
            match swept {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(files = n, "attachments no one refers to deleted"),
                Ok(Err(e)) => tracing::error!(error = %e, "attachment sweep failed"),
                Err(e) => tracing::error!(error = %e, "attachment sweep stopped"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(this.every) => {}
            }
        }
    }
}

/// Attachments leave pintu only through short-lived signed links:
/// `/files/<name>?exp=<unix seconds>&sig=<hex HMAC-SHA256(key, "<name>.<exp>")>`. The key
/// never leaves the server; a link stops working at `exp`.
#[derive(Clone)]
pub struct FileLinks {
    key: Arc<[u8]>,
    data_dir: PathBuf,
}

impl FileLinks {
    pub fn new(key: &[u8], data_dir: PathBuf) -> Self {
        Self { key: Arc::from(key), data_dir }
    }

    fn mac(&self, name: &str, exp: i64) -> Hmac<Sha256> {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC accepts keys of any length"),
        };
        mac.update(name.as_bytes());
        mac.update(b".");
        mac.update(exp.to_string().as_bytes());
        mac
    }

    /// A link to `files/<name>` (as stored in a `FileRef`) valid until `exp`.
    pub fn url(&self, public_url: &str, stored_path: &str, exp: i64) -> String {
        let name = stored_path.strip_prefix("files/").unwrap_or(stored_path);
        let sig = hex::encode(self.mac(name, exp).finalize().into_bytes());
        format!("{public_url}/files/{name}?exp={exp}&sig={sig}")
    }

    /// Where the file a link names is kept.
    pub fn file(&self, name: &str) -> PathBuf {
        self.data_dir.join("files").join(name)
    }

    /// Is this a valid, unexpired link for `name` at time `now`?
    pub fn check(&self, name: &str, exp: i64, sig: &str, now: i64) -> bool {
        let Ok(sig) = hex::decode(sig) else { return false };
        exp >= now && self.mac(name, exp).verify_slice(&sig).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_decides_the_kind_not_the_name() {
        let jpeg = [0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
        assert_eq!(FileType::of(&jpeg), Some(FileType::Jpeg));
        assert_eq!(FileType::of(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(FileType::Png));
        assert_eq!(FileType::of(b"RIFF\0\0\0\0WEBPVP8 "), Some(FileType::Webp));
        assert_eq!(FileType::of(b"%PDF-1.7\n"), Some(FileType::Pdf));
        assert_eq!(FileType::of(b"surat pengantar RT"), None);
        assert_eq!(FileType::of(b"PK\x03\x04"), None, "an office document or a zip");
        assert_eq!(FileType::of(b""), None);
        let tmp = tempfile::tempdir().unwrap();
        let (file, upload) = receive(tmp.path(), b"%PDF-1.4 ...".to_vec()).unwrap();
        let name = file.path.strip_prefix("files/").unwrap();
        assert!(crate::private_fs::is_plain_name(name) && name.ends_with(".pdf"), "{name}");
        assert_eq!((file.mime.as_str(), file.bytes), ("application/pdf", 12));
        assert_eq!(upload.dest, tmp.path().join(&file.path));
        assert!(!upload.dest.exists(), "nothing is written before a step keeps it");
        let (text, _) = receive(tmp.path(), b"halo".to_vec()).unwrap();
        assert!(text.path.ends_with(".bin") && text.mime == UNKNOWN_MIME);
        for (ext, kind) in [("jpg", FileType::Jpeg), ("png", FileType::Png), ("pdf", FileType::Pdf)]
        {
            assert_eq!(FileType::from_ext(ext), Some(kind));
            assert_eq!(FileType::from_ext(kind.ext()), Some(kind));
        }
    }

    #[test]
    fn the_link_key_is_made_once_and_kept_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let store = crate::store::MemoryStore::default();
        let first = link_key(tmp.path(), None, &store).unwrap();
        assert_eq!(first.len(), 32);
        let file = tmp.path().join("files-secret");
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(
            link_key(tmp.path(), None, &store).unwrap(),
            first,
            "the same key after a restart"
        );
        let explicit = Secret::new("dari-lingkungan".to_string());
        assert_eq!(link_key(tmp.path(), Some(&explicit), &store).unwrap(), b"dari-lingkungan");
        std::fs::write(&file, "rusak").unwrap();
        let err = format!("{:#}", link_key(tmp.path(), None, &store).unwrap_err());
        assert!(err.contains("damaged") && err.contains("PINTU_FILES_SECRET"), "{err}");
    }

    #[test]
    fn instances_on_one_database_share_the_link_key_and_a_moved_folder_keeps_its_own() {
        let (_cluster, url) = crate::store::postgres::cluster::fresh_database();
        // A kabupaten's folder that served on sled, then moved to the database.
        let moved = tempfile::tempdir().unwrap();
        let on_sled = link_key(moved.path(), None, &crate::store::MemoryStore::default()).unwrap();
        let store = crate::store::PgStore::open(&url).unwrap();
        assert_eq!(link_key(moved.path(), None, &store).unwrap(), on_sled, "links sent still work");
        // A new instance on the same database: the same key, nothing in its folder.
        let other = tempfile::tempdir().unwrap();
        let second = crate::store::PgStore::open(&url).unwrap();
        assert_eq!(link_key(other.path(), None, &second).unwrap(), on_sled);
        assert!(!other.path().join(KEY_FILE).exists());
    }

    #[test]
    fn links_are_signed_and_expire() {
        let l = FileLinks::new(b"kunci", "/tmp".into());
        let url = l.url("http://h", "files/ab12.jpg", 2000);
        let sig = url.rsplit("sig=").next().unwrap();
        assert!(url.starts_with("http://h/files/ab12.jpg?exp=2000&sig="));
        assert!(l.check("ab12.jpg", 2000, sig, 1999));
        assert!(!l.check("ab12.jpg", 2000, sig, 2001), "expired");
        assert!(!l.check("ab13.jpg", 2000, sig, 1999), "other file");
        assert!(!l.check("ab12.jpg", 3000, sig, 1999), "exp is signed");
        assert!(!FileLinks::new(b"lain", "/tmp".into()).check("ab12.jpg", 2000, sig, 1999));
    }
}
