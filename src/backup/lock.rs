//! The lock that keeps two backups out of one folder at once. Unlike the logbook's own lock,
//! it sits on someone's USB stick or share, so it is removed when the backup ends (done or
//! failed) instead of staying behind as a 0-byte file there (tester2 #35).
//!
//! Removing a lock file is only safe with two rules. A process that opened the file just
//! before its holder removed it could then lock the removed file while a third process
//! creates and locks a new one, and both would think they hold the folder. So a lock counts
//! only if, once it is held, the name still names the locked file (else the new file is
//! tried); and the file is removed while still locked, and only if the name still names the
//! file this process locked, so a lock file another process holds is never removed.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

#[cfg(unix)]
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};

use super::names;
use crate::error::{Error, Result};

/// Held while a backup writes into a folder; dropping it removes the lock file.
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    path: PathBuf,
}

impl FolderLock {
    /// Locks `dir` for one backup, or says it is locked by another process.
    pub fn acquire(dir: &Path) -> Result<FolderLock> {
        let path = dir.join(names::LOCK_NAME);
        // Each retry means another backup removed its lock file just as this one opened
        // it; a handful covers any real race, and a folder that keeps changing is "locked".
        for _ in 0..8 {
            let file = open(&path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => return Err(Error::Locked(dir.to_path_buf())),
                Err(fs::TryLockError::Error(e)) => return Err(Error::io("locking", &path, e)),
            }
            if still_named(&file, &path) {
                // Built first, so that a refusal below still removes the file.
                let lock = FolderLock { file, path };
                refuse_if_legacy_held(dir)?;
                return Ok(lock);
            }
        }
        Err(Error::Locked(dir.to_path_buf()))
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Still locked here: no other process can hold this file, and the name is removed
        // only while it names this file. The lock itself goes when `file` closes.
        if removable(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn open(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    options.mode(0o600);
    options
        .open(path)
        .map_err(|e| Error::io("opening the lock file", path, e))
}

/// Whether `path` (followed) is still the file `file` has open.
#[cfg(unix)]
fn still_named(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Without inode numbers the name cannot be compared: the lock is taken as held.
#[cfg(not(unix))]
fn still_named(_file: &File, _path: &Path) -> bool {
    true
}

/// Whether `path` itself (not a link in its place) is the file `file` has open.
#[cfg(unix)]
fn removable(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => b.is_file() && a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Without inode numbers a lock file is never removed: it may be another process's.
#[cfg(not(unix))]
fn removable(_file: &File, _path: &Path) -> bool {
    false
}

/// An earlier version backing up into this folder holds `.logbook-backup.lock`: refused
/// too. That file is only tested, never created or removed.
fn refuse_if_legacy_held(dir: &Path) -> Result<()> {
    if let Ok(file) = OpenOptions::new()
        .read(true)
        .write(true)
        .open(dir.join(names::LEGACY_LOCK_NAME))
        && let Err(fs::TryLockError::WouldBlock) = file.try_lock()
    {
        return Err(Error::Locked(dir.to_path_buf()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_file_is_removed_when_the_backup_ends() {
        let dir = tempfile::tempdir().unwrap();
        let lock = FolderLock::acquire(dir.path()).unwrap();
        assert!(dir.path().join(names::LOCK_NAME).exists());
        assert!(matches!(
            FolderLock::acquire(dir.path()),
            Err(Error::Locked(_))
        ));
        drop(lock);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_lock_file_another_process_holds_is_never_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(names::LOCK_NAME);
        let mine = FolderLock::acquire(dir.path()).unwrap();
        // Someone replaced the name meanwhile (not a logbook): it is left alone.
        fs::remove_file(&path).unwrap();
        fs::write(&path, b"").unwrap();
        drop(mine);
        assert!(path.exists());
    }

    #[test]
    fn a_lock_held_under_the_earlier_name_is_respected() {
        let dir = tempfile::tempdir().unwrap();
        let legacy = File::create(dir.path().join(names::LEGACY_LOCK_NAME)).unwrap();
        legacy.lock().unwrap();
        assert!(matches!(
            FolderLock::acquire(dir.path()),
            Err(Error::Locked(_))
        ));
        assert!(!dir.path().join(names::LOCK_NAME).exists());
    }
}
