//! Passphrase mode: the passphrase opens the key file beside the logbook
//! (`NAME.key.age`, the logbook's identity sealed with the passphrase), not the logbook.
//! A logbook saved while that file is gone (a clean-up script, a sync client, a folder
//! moved to the bin) no longer opens with the passphrase, though every save said "Saved".
//! So the app keeps the key file's bytes as they were when it opened the logbook (they
//! are sealed: no secret is held) and, before each save and on quitting, puts the file
//! back if it has gone; a file there that is not the one that opened the logbook is
//! never written over, and the save is refused instead (the change stays in memory).

use std::path::{Path, PathBuf};

use crate::vault;

/// The key file beside the logbook, as it was when it opened the logbook.
pub struct KeyFileCopy {
    path: PathBuf,
    bytes: Vec<u8>,
}

/// What `KeyFileCopy::ensure` found.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// The key file is there, unchanged.
    There,
    /// It had gone and was written back.
    WrittenBack,
}

impl KeyFileCopy {
    /// Reads the key file of the logbook at `logbook` (a symbolic link is followed, as the
    /// logbook's saves do). None if there is none (a key-mode logbook).
    pub fn read(logbook: &Path) -> Option<KeyFileCopy> {
        let path = vault::key_file_path(&vault::file::resolve_link(logbook));
        let bytes = std::fs::read(&path).ok()?;
        Some(KeyFileCopy { path, bytes })
    }

    /// Makes sure the key file is there, writing it back (owner-only, atomically) if it
    /// has gone. The error is one sentence, for "NOT SAVED: ...".
    pub fn ensure(&self) -> Result<Found, String> {
        let path = self.path.display().to_string();
        let shown = crate::text::line(&path);
        match std::fs::read(&self.path) {
            Ok(bytes) if bytes == self.bytes => Ok(Found::There),
            Ok(_) => Err(format!(
                "the key file {shown} beside the logbook is no longer the one the passphrase opened, so the passphrase might not open what is saved: put the original back (every backup folder holds a copy, logbook-ID-key-FPR.age), then retry"
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                match vault::file::replace_atomically(&self.path, None, |out| {
                    out.write_all(&self.bytes)
                }) {
                    // Renamed into place: it is there, even if the folder was not flushed.
                    Ok(_) | Err(crate::error::Error::Unflushed { .. }) => Ok(Found::WrittenBack),
                    Err(e) => Err(format!(
                        "the key file {shown} that the passphrase opens had gone and could not be written back ({e}), so the passphrase would not open what is saved"
                    )),
                }
            }
            Err(e) => Err(format!(
                "the key file {shown} that the passphrase opens could not be read ({e})"
            )),
        }
    }

    /// What the status bar says once the key file was written back.
    pub fn written_back(&self) -> String {
        format!(
            "The key file {} had gone from beside the logbook: it was written back, so the passphrase still opens the logbook.",
            crate::text::line(&self.path.display().to_string())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_gone_is_written_back_and_one_replaced_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let logbook = dir.path().join("lb.age");
        let key = dir.path().join("lb.key.age");
        std::fs::write(&key, b"sealed identity").unwrap();
        let copy = KeyFileCopy::read(&logbook).unwrap();
        assert_eq!(copy.ensure(), Ok(Found::There));
        std::fs::remove_file(&key).unwrap();
        assert_eq!(copy.ensure(), Ok(Found::WrittenBack));
        assert_eq!(std::fs::read(&key).unwrap(), b"sealed identity");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&key, b"another").unwrap();
        assert!(copy.ensure().unwrap_err().contains("no longer the one"));
        assert_eq!(
            std::fs::read(&key).unwrap(),
            b"another",
            "never written over"
        );
    }
}
