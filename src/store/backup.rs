//! The backup file: a consistent copy of every record and of the attachment files they refer
//! to, checked on restore.
//!
//! Format: the magic line `PINTU-BACKUP 2\n`, then entries, each starting with a big-endian
//! u32 tag:
//! - a record: the tag is its key length; key, u32 value length, value;
//! - an attachment ([`FILE`]): u32 name length, the name under `files/`, u64 length, bytes;
//! - the end ([`END`]): the 32-byte SHA-256 of everything before this tag.
//!
//! Files written by `PINTU-BACKUP 1` (records only) read the same way. Records keep the store's
//! own encoding (`codec.rs`), so a backup restores into the same version of pintu or a later
//! one. Files are streamed, never held in memory whole.

use super::{R, Store, StoreError, codec};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::{Read, Seek, Write};
use std::path::Path;

const MAGIC: &[u8] = b"PINTU-BACKUP 2\n";
const MAGIC_V1: &[u8] = b"PINTU-BACKUP 1\n";
const FILE: u32 = u32::MAX - 1;
const END: u32 = u32::MAX;

/// What a backup holds.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub records: u64,
    pub files: u64,
    /// Attachments a record refers to that were not in the data folder (erased since).
    pub missing_files: u64,
}

/// Writes every record of `store` to `out` (attachments are added by [`with_files`]); returns
/// the number of records.
pub fn write(store: &dyn Store, out: &mut dyn Write) -> R<u64> {
    let mut w = Writer::start(out)?;
    let n = store.export(&mut |k, v| w.record(k, v))?;
    w.finish()?;
    Ok(n)
}

/// Rewrites a records-only backup (from [`write`], taken between two commits) to `out` with
/// the attachment files its sessions and tickets refer to, read from `data_dir/files/`.
/// Attachments are never changed once written, so copying them after the records is
/// consistent; one erased meanwhile is left out and counted.
pub fn with_files(records: &mut dyn Read, data_dir: &Path, out: &mut dyn Write) -> R<Counts> {
    let records =
        read(records, &mut |_, _| Err(bad("an attachment where only records were expected")))?;
    let mut counts = Counts { records: records.len() as u64, ..Counts::default() };
    let mut w = Writer::start(out)?;
    let mut files = BTreeSet::new();
    for (k, v) in &records {
        files.extend(codec::referenced_files(k, v)?);
        w.record(k, v)?;
    }
    for stored in files {
        let Some(name) =
            stored.strip_prefix("files/").filter(|n| crate::private_fs::is_plain_name(n))
        else {
            continue;
        };
        match std::fs::File::open(data_dir.join(&stored)) {
            Ok(mut f) => {
                let len = f.metadata().map_err(io)?.len();
                w.file(name, &mut f, len)?;
                counts.files += 1;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => counts.missing_files += 1,
            Err(e) => return Err(io(e)),
        }
    }
    w.finish()?;
    Ok(counts)
}

/// Counts for `pintu stats`.
#[derive(Debug, Default, serde::Serialize)]
pub struct Stats {
    pub sessions: u64,
    pub tickets: u64,
    pub tickets_by_status: std::collections::BTreeMap<String, u64>,
    pub outbox_pending: u64,
    pub outbox_dead: u64,
}

pub fn stats(store: &dyn Store) -> R<Stats> {
    let mut s = Stats::default();
    store.export(&mut |k, _| {
        if super::codec::is_session_key(k) {
            s.sessions += 1;
        }
        Ok(())
    })?;
    for t in store.tickets()? {
        s.tickets += 1;
        *s.tickets_by_status.entry(t.status.code().to_string()).or_default() += 1;
    }
    s.outbox_pending = store.outbox_pending()?.len() as u64;
    s.outbox_dead = store.outbox_dead()?.len() as u64;
    Ok(s)
}

/// Reads a backup into an empty store, its attachments into `data_dir/files/` (owner-only).
/// Refuses a damaged file (a wrong checksum, a record this build cannot read, an attachment
/// name that is not one pintu gives) before writing anything: the whole file is checked in a
/// first pass, then read again to write.
pub fn restore<I: Read + Seek>(store: &dyn Store, input: &mut I, data_dir: &Path) -> R<Counts> {
    if !store.is_empty()? {
        return Err(StoreError::Io("restore needs an empty data folder".into()));
    }
    let mut files = 0;
    let records = read(input, &mut |_, bytes| {
        files += 1;
        std::io::copy(bytes, &mut std::io::sink()).map(drop).map_err(io)
    })?;
    for (n, (key, value)) in records.iter().enumerate() {
        codec::check_record(key, value).map_err(|e| {
            let (StoreError::Corrupt(why) | StoreError::Io(why) | StoreError::Conflict(why)) = e;
            StoreError::Corrupt(format!(
                "backup file: record {} of {}: {why}",
                n + 1,
                records.len()
            ))
        })?;
    }
    input.rewind().map_err(io)?;
    let dir = data_dir.join("files");
    crate::private_fs::create_private_dir(&dir).map_err(io)?;
    read(input, &mut |name, bytes| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(dir.join(name)).map_err(io)?;
        std::io::copy(bytes, &mut f).map_err(io)?;
        f.sync_all().map_err(io)
    })?;
    let records = store.import(&mut records.into_iter().map(Ok))?;
    Ok(Counts { records, files, missing_files: 0 })
}

/// Writes entries, hashing every byte before the end tag.
struct Writer<'a> {
    out: &'a mut dyn Write,
    hash: Sha256,
}

impl<'a> Writer<'a> {
    fn start(out: &'a mut dyn Write) -> R<Self> {
        let mut w = Self { out, hash: Sha256::new() };
        w.put(MAGIC)?;
        Ok(w)
    }

    fn put(&mut self, bytes: &[u8]) -> R<()> {
        self.hash.update(bytes);
        self.out.write_all(bytes).map_err(io)
    }

    fn record(&mut self, key: &[u8], value: &[u8]) -> R<()> {
        let len = |x: &[u8]| {
            u32::try_from(x.len())
                .ok()
                .filter(|&n| n < FILE)
                .ok_or_else(|| StoreError::Io("record too large".into()))
        };
        self.put(&len(key)?.to_be_bytes())?;
        self.put(key)?;
        self.put(&len(value)?.to_be_bytes())?;
        self.put(value)
    }

    fn file(&mut self, name: &str, content: &mut dyn Read, len: u64) -> R<()> {
        let name_len = u32::try_from(name.len()).map_err(|_| bad("file name too long"))?;
        self.put(&FILE.to_be_bytes())?;
        self.put(&name_len.to_be_bytes())?;
        self.put(name.as_bytes())?;
        self.put(&len.to_be_bytes())?;
        let mut copied = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = content.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            copied += n as u64;
            self.put(&buf[..n])?;
        }
        if copied == len {
            Ok(())
        } else {
            Err(StoreError::Io(format!("attachment {name} changed while it was copied")))
        }
    }

    fn finish(mut self) -> R<()> {
        self.out.write_all(&END.to_be_bytes()).map_err(io)?;
        let digest = std::mem::take(&mut self.hash).finalize();
        self.out.write_all(&digest).map_err(io)?;
        self.out.flush().map_err(io)
    }
}

/// Reads a backup: returns its records, hands each attachment (name, bytes) to `on_file`, which
/// must read all of them, and checks the checksum at the end.
fn read(
    input: &mut dyn Read,
    on_file: &mut dyn FnMut(&str, &mut dyn Read) -> R<()>,
) -> R<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut r = HashRead { inner: std::io::BufReader::new(input), hash: Sha256::new() };
    let magic = r.take_vec(MAGIC.len()).map_err(|_| bad("not a pintu backup"))?;
    if magic != MAGIC && magic != MAGIC_V1 {
        return Err(bad("not a pintu backup"));
    }
    let mut records = Vec::new();
    loop {
        let digest_so_far = r.hash.clone();
        let tag = r.u32()?;
        match tag {
            END => {
                let mut want = [0u8; 32];
                r.inner.read_exact(&mut want).map_err(|_| bad("truncated"))?;
                let mut rest = [0u8; 1];
                let trailing = r.inner.read(&mut rest).map_err(io)? != 0;
                if digest_so_far.finalize().as_slice() != want || trailing {
                    return Err(bad("checksum mismatch (damaged or incomplete)"));
                }
                return Ok(records);
            }
            FILE => {
                let name_len = r.u32()? as usize;
                let name = String::from_utf8(r.take_vec(name_len)?)
                    .ok()
                    .filter(|n| crate::private_fs::is_plain_name(n))
                    .ok_or_else(|| bad("an attachment name pintu does not give"))?;
                let len = u64::from_be_bytes(r.array()?);
                let mut bytes = (&mut r).take(len);
                on_file(&name, &mut bytes)?;
                if bytes.limit() != 0 {
                    return Err(bad("truncated"));
                }
            }
            key_len => {
                let key = r.take_vec(key_len as usize)?;
                let value_len = r.u32()? as usize;
                records.push((key, r.take_vec(value_len)?));
            }
        }
    }
}

/// A reader that hashes what it reads.
struct HashRead<I> {
    inner: I,
    hash: Sha256,
}

impl<I: Read> Read for HashRead<I> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

impl<I: Read> HashRead<I> {
    fn array<const N: usize>(&mut self) -> R<[u8; N]> {
        let mut out = [0u8; N];
        self.read_exact(&mut out).map_err(|_| bad("truncated"))?;
        Ok(out)
    }

    fn u32(&mut self) -> R<u32> {
        self.array().map(u32::from_be_bytes)
    }

    fn take_vec(&mut self, n: usize) -> R<Vec<u8>> {
        let mut out = Vec::new();
        // Grows with what is really there: a damaged length cannot allocate gigabytes at once.
        let got = (&mut *self).take(n as u64).read_to_end(&mut out).map_err(io)?;
        if got == n { Ok(out) } else { Err(bad("truncated")) }
    }
}

fn bad(why: &str) -> StoreError {
    StoreError::Corrupt(format!("backup file: {why}"))
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Io(format!("backup: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::session::{Answer, FileRef, Value};
    use crate::store::SledStore;
    use crate::store::suite::{assert_sample_batch, sample_batch};
    use std::io::Cursor;

    /// A backup file of these records and (name, bytes) attachments, as [`Writer`] writes it.
    fn file_of(records: &[(Vec<u8>, Vec<u8>)], files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = Writer::start(&mut out).unwrap();
        for (k, v) in records {
            w.record(k, v).unwrap();
        }
        for (name, bytes) in files {
            w.file(name, &mut &bytes[..], bytes.len() as u64).unwrap();
        }
        w.finish().unwrap();
        out
    }

    fn records_of(file: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        read(&mut &file[..], &mut |_, b| {
            std::io::copy(b, &mut std::io::sink()).map(drop).map_err(io)
        })
        .unwrap()
    }

    #[test]
    fn backup_restores_to_the_same_records_and_refuses_damage() {
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let src = SledStore::open(&a.path().join("db"), 1 << 20).unwrap();
        src.commit(&sample_batch()).unwrap();
        let mut file = Vec::new();
        let n = write(&src, &mut file).unwrap();
        assert!(n >= 5);
        let dst = SledStore::open(&b.path().join("db"), 1 << 20).unwrap();
        assert_eq!(restore(&dst, &mut Cursor::new(&file), b.path()).unwrap().records, n);
        assert_sample_batch(&dst);
        // Restoring over data is refused.
        assert!(restore(&dst, &mut Cursor::new(&file), b.path()).is_err());
        // A flipped byte or a cut file is refused before anything is written.
        let empty = SledStore::open(&c.path().join("db"), 1 << 20).unwrap();
        let mut damaged = file.clone();
        let mid = damaged.len() / 2;
        damaged[mid] ^= 1;
        assert!(restore(&empty, &mut Cursor::new(&damaged), c.path()).is_err());
        let cut = &file[..file.len() - 10];
        assert!(restore(&empty, &mut Cursor::new(cut), c.path()).is_err());
        assert!(empty.is_empty().unwrap());
    }

    /// A backup whose checksum is right but which holds a record this build cannot read (issue
    /// #14 item 9) is refused before anything is written: restored, it broke `pintu stats` and
    /// the ticket list.
    #[test]
    fn a_backup_with_one_unreadable_record_is_refused() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let src = SledStore::open(a.path(), 1 << 20).unwrap();
        src.commit(&sample_batch()).unwrap();
        let mut file = Vec::new();
        write(&src, &mut file).unwrap();
        let records = records_of(&file);
        /// Damages a record, given its key and value.
        type Damage<'a> = &'a dyn Fn(&mut Vec<u8>, &mut Vec<u8>);
        let damaged = |damage: Damage| {
            let mut records = records.clone();
            let (key, value) =
                records.iter_mut().find(|(k, _)| k.first() == Some(&b'T')).expect("a ticket");
            damage(key, value);
            file_of(&records, &[])
        };
        let empty = SledStore::open(&b.path().join("db"), 1 << 20).unwrap();
        let damages: [Damage; 3] =
            [&|_, v| v.truncate(v.len() - 1), &|_, v| v[0] = 99, &|k, _| k[0] = b'Z'];
        for damage in damages {
            let file = damaged(damage);
            let err = restore(&empty, &mut Cursor::new(file), b.path()).unwrap_err().to_string();
            assert!(err.contains("backup file: record"), "{err}");
            assert!(empty.is_empty().unwrap(), "nothing written");
        }
        // The same records undamaged restore.
        assert!(restore(&empty, &mut Cursor::new(damaged(&|_, _| {})), b.path()).is_ok());
        assert_sample_batch(&empty);
    }

    /// Attachments travel with the records that refer to them, owner-only; files nothing
    /// refers to stay behind (issue #14 D8).
    #[test]
    fn attachments_are_backed_up_and_restored_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let file_ref = |path: &str| {
            Value::File(FileRef { path: path.into(), mime: "image/jpeg".into(), bytes: 3 })
        };
        let mut batch = sample_batch();
        if let Some((_, Some(session))) = batch.sessions.first_mut() {
            let flow = std::sync::Arc::make_mut(session).flow.as_mut().unwrap();
            for (step, path) in [(40, "files/aa11.jpg"), (41, "files/dd44.jpg")] {
                flow.answers.push(Answer { step, value: file_ref(path) });
            }
        }
        batch.tickets[0].answers.push(("foto".into(), file_ref("files/bb22.pdf")));
        let src = SledStore::open(&a.path().join("db"), 1 << 20).unwrap();
        src.commit(&batch).unwrap();
        std::fs::create_dir(a.path().join("files")).unwrap();
        for (name, bytes) in [("aa11.jpg", "aaa"), ("bb22.pdf", "bbb"), ("cc33.jpg", "ccc")] {
            std::fs::write(a.path().join("files").join(name), bytes).unwrap();
        }
        let mut records = Vec::new();
        write(&src, &mut records).unwrap();
        let mut file = Vec::new();
        let counts = with_files(&mut records.as_slice(), a.path(), &mut file).unwrap();
        assert_eq!((counts.files, counts.missing_files), (2, 1), "dd44 was erased: {counts:?}");
        let dst = SledStore::open(&b.path().join("db"), 1 << 20).unwrap();
        let restored = restore(&dst, &mut Cursor::new(&file), b.path()).unwrap();
        assert_eq!((restored.records, restored.files), (counts.records, 2));
        let files = b.path().join("files");
        assert_eq!(std::fs::metadata(&files).unwrap().permissions().mode() & 0o777, 0o700);
        for (name, bytes) in [("aa11.jpg", "aaa"), ("bb22.pdf", "bbb")] {
            let path = files.join(name);
            assert_eq!(std::fs::read_to_string(&path).unwrap(), bytes);
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(!files.join("cc33.jpg").exists(), "nothing refers to it");
        assert_eq!(dst.tickets().unwrap(), src.tickets().unwrap());
    }

    #[test]
    fn attachment_names_must_be_ours_and_old_backups_still_restore() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let src = SledStore::open(&a.path().join("db"), 1 << 20).unwrap();
        src.commit(&sample_batch()).unwrap();
        let mut v2 = Vec::new();
        write(&src, &mut v2).unwrap();
        let records = records_of(&v2);
        let dst = SledStore::open(&b.path().join("db"), 1 << 20).unwrap();
        for name in ["../db/db", ".x", "a/b.jpg"] {
            let file = file_of(&records, &[(name, b"x")]);
            let err = restore(&dst, &mut Cursor::new(file), b.path()).unwrap_err().to_string();
            assert!(err.contains("attachment name"), "{name}: {err}");
            assert!(dst.is_empty().unwrap());
        }
        // A backup written before attachments were included (`PINTU-BACKUP 1`).
        let mut v1 = MAGIC_V1.to_vec();
        v1.extend_from_slice(&v2[MAGIC.len()..v2.len() - 36]);
        let digest = Sha256::digest(&v1);
        v1.extend_from_slice(&END.to_be_bytes());
        v1.extend_from_slice(&digest);
        assert_eq!(
            restore(&dst, &mut Cursor::new(v1), b.path()).unwrap().records,
            records.len() as u64
        );
        assert_sample_batch(&dst);
    }
}
