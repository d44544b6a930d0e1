//! Writing one backup: encrypt to a temporary file on the medium, fsync it and the folder,
//! rename it to `logbook-YYYYMMDD-HHMMSS.age`, then read it back from the medium and check
//! it whole before calling it good. Then the manifest, then rotation.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use super::inspect::{self, Item, State};
use super::lock::FolderLock;
use super::manifest::{self, Entry, Loaded, Manifest};
use super::names;
use super::rotate::{self, Rotation};
use super::seal::{self, Sealing};
use crate::error::{Error, Result};
use crate::model::{Head, Logbook, sha256_hex};
use crate::vault::{self, Key, file};

/// What a running backup is doing, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Encrypting and writing; bytes written to the medium so far.
    Writing { bytes: u64 },
    /// Reading the copy back from the medium and checking it.
    Verifying,
    /// Updating the manifest and removing old backups.
    Rotating,
}

pub struct Options {
    /// Keep this many of this logbook's backups in the folder (at least 1).
    pub keep: usize,
    /// The time the backup is named after.
    pub now: DateTime<FixedOffset>,
    /// Passphrase mode: the logbook's key file, copied beside the backups.
    pub key_file: Option<PathBuf>,
    /// The logbook's path, to refuse a folder on the logbook's own disk (a backup there
    /// would be lost with it). `None` only when the user allowed that on purpose.
    pub refuse_disk_of: Option<PathBuf>,
}

/// Refuses `dir` if it is on the same disk as the logbook at `logbook`. The CLI calls it
/// before asking for a secret; `run` calls it again, so the app gets the same check.
pub fn check_destination(dir: &Path, logbook: &Path) -> Result<()> {
    let folder = file::folder_of(logbook);
    let own = device_of(&folder).map_err(|e| Error::io("reading", &folder, e))?;
    match device_of(dir) {
        Ok(dev) if dev == own => Err(Error::SameDisk(dir.to_path_buf())),
        _ => Ok(()),
    }
}

/// A backup that was written and verified.
#[derive(Debug)]
pub struct Report {
    pub path: PathBuf,
    pub sha256: String,
    pub size: u64,
    pub head: Head,
    pub incidents: u64,
    /// Passphrase logbooks: the key file beside the backups.
    pub key_file: Option<PathBuf>,
    pub rotation: Rotation,
    /// Other files named like backups that were left untouched, and why.
    pub left: Vec<Item>,
    /// Interrupted backups' temporary files that were removed.
    pub cleaned: Vec<String>,
    /// Something the user should know that did not stop the backup.
    pub notes: Vec<String>,
}

/// The device a path is on, to tell a removable medium from the logbook's own disk and to
/// notice a medium that went away.
pub fn device_of(path: &Path) -> io::Result<u64> {
    let meta = fs::metadata(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok(meta.dev())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Ok(0)
    }
}

/// Counts bytes on their way to the medium, for the progress display.
struct Counting<'a> {
    inner: &'a mut dyn Write,
    bytes: u64,
    reported: u64,
    progress: &'a mut dyn FnMut(Progress),
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        if self.bytes - self.reported >= 1 << 20 {
            self.reported = self.bytes;
            (self.progress)(Progress::Writing { bytes: self.bytes });
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Runs `step`; if it fails and the medium is gone (the folder vanished or is now another
/// device, as after an unplug), says so instead of the low-level error.
fn on_medium<T>(dir: &Path, dev: u64, step: impl FnOnce() -> Result<T>) -> Result<T> {
    step().map_err(|e| {
        if device_of(dir).map_or(true, |d| d != dev) {
            Error::MediumRemoved(dir.to_path_buf())
        } else {
            e
        }
    })
}

/// A short reason a read-back failed, for `Error::BackupUnverified`.
fn reason(e: &Error) -> String {
    match e {
        Error::Damaged(_) | Error::NotAge(_) => "it is damaged or truncated".into(),
        Error::WrongSecret => "it does not open with the logbook's key".into(),
        Error::Unreadable { detail, .. } => detail.clone(),
        Error::BackupAudit { fault, .. } => format!("its audit trail is broken: {fault}"),
        Error::Io(f) => f.source.to_string(),
        other => other.to_string(),
    }
}

/// Backs `logbook` up into `dir`. `key` is the identities the logbook was opened with
/// (they read the backup back). On any failure the logbook, the older backups and the manifest are as they were,
/// and no file stands under a backup's name that is not a complete, verified backup.
/// The backup folder is not there: the same sentence from the command line and the app.
pub fn missing_folder(dir: &Path) -> Error {
    Error::Usage(format!(
        "There is no folder {}: plug the medium in, or check the path given.",
        crate::text::path(dir)
    ))
}

pub fn run(
    logbook: &Logbook,
    key: &Key,
    dir: &Path,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Report> {
    if options.keep == 0 {
        return Err(Error::Usage(
            "Keep at least one backup: give --keep 1 or more.".into(),
        ));
    }
    let sealing = Sealing::new(logbook, key)?;
    let dev = match fs::metadata(dir) {
        Ok(m) if m.is_dir() => device_of(dir).map_err(|e| Error::io("reading", dir, e))?,
        Ok(_) => {
            return Err(Error::Usage(format!(
                "{} is a file, not a folder: give the folder to back up into.",
                crate::text::path(dir)
            )));
        }
        // The folder itself is missing (a medium not plugged in, a mistyped path): named
        // as such, not as "the folder above it does not exist".
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing_folder(dir)),
        Err(e) => return Err(Error::io("backing up to", dir, e)),
    };
    if let Some(logbook_path) = &options.refuse_disk_of {
        check_destination(dir, logbook_path)?;
    }
    let id = logbook.id().to_string();
    let name = names::backup_name(&options.now);
    let target = dir.join(&name);

    // One backup at a time in a folder: the lock also makes it safe to remove the
    // temporary files an interrupted backup left. Removed again when this function returns.
    let _lock = FolderLock::acquire(dir).map_err(|e| match e {
        Error::Io(f) => Error::io("backing up to", &target, f.source),
        other => other,
    })?;
    let cleaned = remove_partials(dir);
    if fs::symlink_metadata(&target).is_ok() {
        return Err(Error::BackupNameTaken(target));
    }

    let mut notes = Vec::new();
    // Passphrase logbooks: the key file first, so that a backup never stands without it.
    let copied = match &options.key_file {
        Some(source) => Some(on_medium(dir, dev, || {
            seal::copy_key_file(dir, &id, source, &logbook.settings.passphrase_key)
        })?),
        None => None,
    };
    // A copy this run wrote goes again if the backup fails: a full medium must not keep a
    // key file beside no backup (tester3 #28).
    let mut new_copy = NewCopy(
        copied
            .as_ref()
            .filter(|(_, new)| *new)
            .map(|(p, _)| p.clone()),
    );
    let key_file = copied.map(|(p, _)| p);

    on_medium(dir, dev, || {
        file::replace_atomically(&target, None, |out| {
            let mut counting = Counting {
                inner: out,
                bytes: 0,
                reported: 0,
                progress: &mut *progress,
            };
            seal::encrypt_ron(&mut counting, &sealing.recipients, logbook)?;
            (counting.progress)(Progress::Writing {
                bytes: counting.bytes,
            });
            // Never rename over a file that appeared meanwhile.
            if fs::symlink_metadata(&target).is_ok() {
                return Err(io::Error::from(io::ErrorKind::AlreadyExists));
            }
            Ok(())
        })
        .map_err(|e| match e {
            Error::Io(f) if f.source.kind() == io::ErrorKind::AlreadyExists => {
                Error::BackupNameTaken(target.clone())
            }
            // Renamed into place but not durable: not a backup to rely on, so undo it.
            Error::Unflushed { source, .. } => {
                discard(&target);
                Error::BackupUnverified {
                    path: target.clone(),
                    detail: format!("the medium's folder could not be flushed: {source}"),
                }
            }
            other => other,
        })
    })?;

    progress(Progress::Verifying);
    let (sha256, size) = match read_back(&target, dev, logbook, &sealing) {
        Ok(v) => v,
        Err(e) => {
            discard(&target);
            return Err(match e {
                Error::MediumRemoved(_) => Error::MediumRemoved(dir.to_path_buf()),
                _ if device_of(dir).map_or(true, |d| d != dev) => {
                    Error::MediumRemoved(dir.to_path_buf())
                }
                e => Error::BackupUnverified {
                    path: target.clone(),
                    detail: reason(&e),
                },
            });
        }
    };

    progress(Progress::Rotating);
    let mut manifest = match manifest::load(dir, &id, &sealing.opener) {
        Loaded::Read(m) => m,
        Loaded::Missing => Manifest::new(&id),
        // After a passphrase change (or keys removed) the manifest is still encrypted to
        // the keys of then: said plainly, with what it means for the older backups, which
        // open only with those keys and so are left alone by rotation (tester3 #20).
        Loaded::Unreadable(why) if why == manifest::NOT_THIS_KEY => {
            notes.push(format!(
                "The manifest {} was written for the keys this logbook had before (a passphrase change, or keys removed), so it does not open with today's; a new one was started for the backups made from now on. \
Backups made before that change open only with the passphrase or keys of then (or a recovery key): rotation cannot tell them from another logbook's, so it never removes them. \
`logbook backups {}` lists them; remove them yourself once a backup made since the change is verified and you no longer need them.",
                names::manifest_name(&id),
                crate::text::path(dir)
            ));
            Manifest::new(&id)
        }
        Loaded::Unreadable(why) => {
            notes.push(format!(
                "The manifest {} could not be read ({why}); a new one was started, so older backups are no longer rotated automatically.",
                names::manifest_name(&id)
            ));
            Manifest::new(&id)
        }
    };
    manifest.backups.retain(|e| e.file != name);
    manifest.backups.push(Entry {
        file: name.clone(),
        sha256: sha256.clone(),
        size,
        incidents: logbook.incidents.len() as u64,
        people: logbook.people.len() as u64,
        written: options.now,
        head: logbook.head(),
    });
    // Without its manifest entry a backup could never be rotated: undo it instead.
    match on_medium(dir, dev, || {
        manifest::save(dir, &manifest, &sealing.recipients)
    }) {
        Ok(()) => {}
        // The manifest is in place, only not yet durable: the backup stands.
        Err(Error::Unflushed { source, .. }) => notes.push(format!(
            "The manifest was written but the medium's folder could not be flushed ({source}); if the medium loses it, the next backup starts a new one."
        )),
        Err(e) => {
            discard(&target);
            return Err(e);
        }
    }
    // The backup stands from here on, and its key file with it.
    new_copy.keep();

    let rotation = on_medium(dir, dev, || {
        rotate::rotate(
            dir,
            &mut manifest,
            options.keep,
            logbook,
            &sealing.opener,
            &name,
        )
    })?;
    if rotation.unflushed {
        notes.push(
            "Old backups were removed but the medium's folder could not be flushed; if the medium loses power now, some may reappear."
                .into(),
        );
    }
    if !rotation.removed.is_empty()
        && let Err(e) = manifest::save(dir, &manifest, &sealing.recipients)
    {
        notes.push(format!(
            "The manifest could not be updated after removing old backups ({e}); the next backup will."
        ));
    }
    let left = others(dir, &manifest, &id, &name, &sealing);
    Ok(Report {
        path: target,
        sha256,
        size,
        head: logbook.head(),
        incidents: logbook.incidents.len() as u64,
        key_file,
        rotation,
        left,
        cleaned,
        notes,
    })
}

/// A key file copy a failed backup wrote: removed when dropped unless `keep` was called.
struct NewCopy(Option<PathBuf>);

impl NewCopy {
    fn keep(&mut self) {
        self.0 = None;
    }
}

impl Drop for NewCopy {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            discard(&path);
        }
    }
}

/// Reads the backup back from the medium and checks it is exactly the logbook.
fn read_back(
    target: &Path,
    dev: u64,
    logbook: &Logbook,
    sealing: &Sealing,
) -> Result<(String, u64)> {
    let bytes = file::read_regular(target, file::limits::LOGBOOK, file::Links::Refuse)?;
    if device_of(target).map_or(true, |d| d != dev) {
        return Err(Error::MediumRemoved(target.to_path_buf()));
    }
    let plain = vault::decrypt(target, &bytes, &sealing.opener.key()?)?;
    let copy = vault::decode(target, &plain)?;
    copy.verify_audit().map_err(|fault| Error::BackupAudit {
        path: target.to_path_buf(),
        fault,
    })?;
    if copy != *logbook {
        return Err(Error::Unreadable {
            path: target.to_path_buf(),
            detail: "it decrypts to something other than the logbook".into(),
        });
    }
    Ok((sha256_hex(&bytes), bytes.len() as u64))
}

/// Removes a backup this run wrote that is not good, so nothing under its name looks
/// like a backup.
fn discard(target: &Path) {
    if fs::remove_file(target).is_ok() {
        let _ = file::sync_folder(&file::folder_of(target));
    }
}

/// Removes the temporary files of interrupted backups (only ever named by this program).
/// Called while holding the folder's lock, so no other backup is writing them.
fn remove_partials(dir: &Path) -> Vec<String> {
    let mut removed = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if names::is_partial(&name) && fs::remove_file(entry.path()).is_ok() {
                removed.push(name);
            }
        }
    }
    removed
}

/// The files named like backups that are not this logbook's sound backups (another
/// logbook's, damaged, changed since the manifest recorded them, unknown), each classified.
fn others(dir: &Path, manifest: &Manifest, id: &str, newest: &str, sealing: &Sealing) -> Vec<Item> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| names::is_backup_name(n) && n != newest)
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|name| {
            let (item, _) =
                inspect::classify(&dir.join(&name), Some(manifest), Some(id), &sealing.opener);
            // This logbook's complete backups, listed or not, are rotated, not "left".
            let ours = item.state == State::Verified
                && item.info.as_ref().is_some_and(|i| i.logbook == id);
            (!ours).then_some(item)
        })
        .collect()
}

/// Removes the older backups `names` that `run` kept because they hold history an audited
/// restore dropped (`Rotation::dropped_by_restore`), after the person was shown them and
/// agreed. Holds the folder's lock; each file is judged again first, so only such a backup
/// of this logbook is ever removed. Returns the names removed.
pub fn remove_dropped(
    logbook: &Logbook,
    key: &Key,
    dir: &Path,
    names: &[String],
) -> Result<Vec<String>> {
    let sealing = Sealing::new(logbook, key)?;
    let _lock = FolderLock::acquire(dir)?;
    let id = logbook.id().to_string();
    let loaded = manifest::load(dir, &id, &sealing.opener);
    let mut manifest = match &loaded {
        Loaded::Read(m) => m.clone(),
        _ => Manifest::new(&id),
    };
    let removed = rotate::remove_dropped(dir, &mut manifest, logbook, &sealing.opener, names)?;
    // An unreadable manifest is left as it is (the next backup says so), never replaced by
    // one that lists nothing.
    if !removed.is_empty() && matches!(loaded, Loaded::Read(_)) {
        manifest::save(dir, &manifest, &sealing.recipients)?;
    }
    Ok(removed)
}
