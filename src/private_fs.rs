//! Owner-only files for citizens' personal data (UU 27/2022): the process creates everything
//! with umask 077; the data folder is created 0700 and pintu refuses to start on one other
//! users can open; everything inside is made 0700/0600, whatever mode an earlier version or
//! the store library created it with; backups are written 0600.
//!
//! May use: nothing else of pintu.

use anyhow::Context;
use std::path::Path;

/// Makes every file and folder this process creates owner-only from its first byte (umask
/// 077). The store library creates files of its own whenever it likes (snapshots while serving,
/// when a command such as `pintu backup` opens the store) with whatever mode the umask leaves;
/// [`tighten`] at start-up cannot reach those.
pub fn owner_only_umask() {
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Creates `dir` (and missing parents) owner-only, or checks that an existing one is.
pub fn ensure_private_dir(dir: &Path) -> anyhow::Result<()> {
    create_private_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .permissions()
            .mode();
        anyhow::ensure!(
            mode & 0o077 == 0,
            "{dir} can be opened by other users of this machine (mode {mode:o}), and it holds \
             citizens' personal data. Make it owner-only first: chmod 700 {dir}",
            dir = dir.display(),
            mode = mode & 0o777,
        );
    }
    Ok(())
}

/// Creates `dir` and any missing parents as 0700 if it does not exist yet.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// Makes everything under `dir` owner-only: folders 0700, files 0600.
pub fn tighten(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::symlink_metadata(dir)?;
        if meta.is_dir() {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            for entry in std::fs::read_dir(dir)? {
                tighten(&entry?.path())?;
            }
        } else if meta.is_file() {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// A file name that cannot lead out of its folder (and that pintu could have given an
/// attachment): letters, digits and dots, not starting with a dot.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

/// Writes a new file (or replaces one) readable by its owner only.
pub fn write_private(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = create_private(file)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Replaces `path` with `bytes` (owner-only) so a reader sees the old file or the new one,
/// never a part: written to a temporary name in the same folder, synced, renamed over it, and
/// the folder synced.
pub fn replace_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let mut nonce = [0u8; 6];
    getrandom::fill(&mut nonce).map_err(|e| std::io::Error::other(e.to_string()))?;
    // A dot name ending in `.tmp`: no loader reads it (they take `.yaml` and `.ftl`), and the
    // dialog sets shared between instances leave dot files out.
    let tmp = dir.join(format!(".{name}.{}.tmp", hex::encode(nonce)));
    let written = (|| {
        let mut f = create_private(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Creates (or truncates) a file readable by its owner only, to write into.
pub fn create_private(file: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let f = opts.open(file)?;
    // A file that existed keeps its mode through `open`: set it.
    tighten(file)?;
    Ok(f)
}

/// Deletes erased attachments (`files/<random>.<ext>` under `data_dir`; any other path is
/// refused) and syncs the folder, so they are gone from the disk before the commit that records
/// the erasure: a crash after that commit cannot leave them behind, and one before it repeats
/// the erasure. A file already gone is fine.
pub fn remove_attachments(data_dir: &Path, files: &[String]) -> std::io::Result<()> {
    let ours = |f: &&String| f.starts_with("files/") && !f.contains("..");
    let mut removed = false;
    for f in files.iter().filter(ours) {
        match std::fs::remove_file(data_dir.join(f)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            result => removed |= result.is_ok(),
        }
    }
    if removed {
        std::fs::File::open(data_dir.join("files"))?.sync_all()?;
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_data_folder_is_owner_only_and_an_open_one_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/pintu-data");
        ensure_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        ensure_private_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let err = ensure_private_dir(&dir).unwrap_err().to_string();
        assert!(err.contains("chmod 700"), "{err}");
        assert!(err.contains("755"), "{err}");
    }

    #[test]
    fn everything_inside_becomes_owner_only() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("db");
        std::fs::create_dir_all(db.join("blobs")).unwrap();
        std::fs::write(db.join("db"), b"NIK").unwrap();
        std::fs::write(db.join("blobs/1"), b"NIK").unwrap();
        for p in [&db, &db.join("blobs")] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        tighten(&db).unwrap();
        assert_eq!(mode(&db), 0o700);
        assert_eq!(mode(&db.join("blobs")), 0o700);
        assert_eq!(mode(&db.join("db")), 0o600);
        assert_eq!(mode(&db.join("blobs/1")), 0o600);
        let backup = tmp.path().join("backup.bin");
        std::fs::write(&backup, b"old").unwrap();
        write_private(&backup, b"new").unwrap();
        assert_eq!(mode(&backup), 0o600);
        assert_eq!(std::fs::read(&backup).unwrap(), b"new");
    }
}

/// Copies a folder tree as it is at this moment (tests: what a `kill -9` would leave, or a
/// folder of dialogs to edit).
#[cfg(test)]
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
