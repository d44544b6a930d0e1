//! The encrypted logbook file: one standard age v1 file holding RON. Opening reads and
//! decrypts the whole file before parsing; saving replaces it atomically; a separate lock
//! file keeps a second writer out.

mod codec;
pub mod file;
mod key;

use std::path::{Path, PathBuf};

pub use codec::{decode, decrypt, encrypt_ron, to_ron};
pub use file::{FileId, Lock};
pub use key::{Key, keygen, parse_recipients, passphrase_recipient};

use crate::error::{Error, Result};
use crate::model::Logbook;
use key::Seal;

/// An open logbook file: where it is, the key that opened it, and (when writable) the lock.
pub struct Vault {
    path: PathBuf,
    key: Key,
    lock: Option<Lock>,
    /// The file as it was when opened or last saved, to refuse saving over someone else's write.
    seen: FileId,
}

/// Whether the caller will write: only writers take the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

impl Vault {
    /// Creates a new logbook file at `path`; refuses if one is there already.
    pub fn create(path: &Path, key: Key, logbook: &Logbook) -> Result<Vault> {
        let folder = file::folder_of(path);
        file::ensure_private_dir(&folder)?;
        let lock = Lock::acquire(path)?;
        if path.exists() {
            return Err(Error::Exists(path.to_path_buf()));
        }
        file::remove_stale_temps(path);
        let seal = Seal::for_key(&key, &logbook.settings.recipients)?;
        let seen =
            file::replace_atomically(path, None, |out| codec::encrypt_to(out, &seal, logbook))?;
        Ok(Vault {
            path: path.to_path_buf(),
            key,
            lock: Some(lock),
            seen,
        })
    }

    /// Opens, decrypts and parses the logbook at `path`.
    pub fn open(path: &Path, key: Key, access: Access) -> Result<(Vault, Logbook)> {
        let path = &file::resolve_link(path);
        // Take the lock before reading, so what we read is what we will save over.
        let lock = match access {
            Access::Write => {
                if !path.exists() {
                    return Err(Error::NoLogbook(path.to_path_buf()));
                }
                let lock = Lock::acquire(path)?;
                file::remove_stale_temps(path);
                Some(lock)
            }
            Access::Read => None,
        };
        let (logbook, seen) = read(path, &key)?;
        Ok((
            Vault {
                path: path.to_path_buf(),
                key,
                lock,
                seen,
            },
            logbook,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn key(&self) -> &Key {
        &self.key
    }

    /// Encrypts and saves the logbook atomically over the file this vault opened.
    pub fn save(&mut self, logbook: &Logbook) -> Result<()> {
        if self.lock.is_none() {
            return Err(Error::Usage(
                "This logbook was opened read-only: open it for writing to save.".into(),
            ));
        }
        let seal = Seal::for_key(&self.key, &logbook.settings.recipients)?;
        match file::replace_atomically(&self.path, Some(&self.seen), |out| {
            codec::encrypt_to(out, &seal, logbook)
        }) {
            Ok(id) => {
                self.seen = id;
                Ok(())
            }
            // Saved, not yet durable: the new file is the logbook, so later saves go over it.
            Err(Error::Unflushed { path, id, source }) => {
                self.seen = id.clone();
                Err(Error::Unflushed { path, id, source })
            }
            Err(e) => Err(e),
        }
    }

    /// Changes the secret (passphrase, or key mode's identities) and re-saves at once.
    /// The old file stays in place until the re-encrypted one has replaced it.
    pub fn rekey(&mut self, key: Key, logbook: &Logbook) -> Result<()> {
        let old = std::mem::replace(&mut self.key, key);
        if let Err(e) = self.save(logbook) {
            // Unflushed: the re-encrypted file is in place, so the new key is the one.
            if !matches!(e, Error::Unflushed { .. }) {
                self.key = old;
            }
            return Err(e);
        }
        Ok(())
    }
}

impl Vault {
    /// Encrypts bytes in memory with this logbook's secret (for a draft kept while locked).
    pub fn seal_bytes(&self, recipients: &[String], plain: &[u8]) -> Result<Vec<u8>> {
        let seal = Seal::for_key(&self.key, recipients)?;
        let mut out = Vec::new();
        let mut w = seal
            .encryptor()
            .wrap_output(&mut out)
            .map_err(|e| Error::io("encrypting", &self.path, e))?;
        std::io::Write::write_all(&mut w, plain)
            .and_then(|()| w.finish().map(|_| ()))
            .map_err(|e| Error::io("encrypting", &self.path, e))?;
        Ok(out)
    }

    /// Replaces the key (after it has been proven by decrypting the logbook with it).
    pub fn set_key(&mut self, key: Key) {
        self.key = key;
    }
}

/// Reads, decrypts and parses a logbook or backup file without locking it.
pub fn read(path: &Path, key: &Key) -> Result<(Logbook, FileId)> {
    let ciphertext = file::read_regular(path, file::limits::LOGBOOK, file::Links::Follow).map_err(
        |e| match e {
            e if file::is_not_found(&e) => Error::NoLogbook(path.to_path_buf()),
            e => e,
        },
    )?;
    let seen = FileId::of(path).map_err(|e| Error::io("reading", path, e))?;
    let plain = codec::decrypt(path, &ciphertext, key)?;
    let logbook = codec::decode(path, &plain)?;
    Ok((logbook, seen))
}
