//! Who a backup is encrypted to, and what opens it again.
//!
//! A backup is encrypted to the logbook's own recipients plus the recovery recipients.
//! In passphrase mode the logbook's recipient is the key in its key file
//! (`NAME.key.age`, sealed with the passphrase), and a copy of that key file is written
//! beside the backups as `logbook-ID-key-FPR.age` (FPR: a fingerprint of its public key):
//! the passphrase alone then opens every backup, with this program or with
//! `age -d -i logbook-ID-key-FPR.age BACKUP`. A passphrase change makes a new key, so the
//! copies are named per key and older backups keep theirs.
//!
//! Older passphrase logbooks had a separate *backup key* kept inside the logbook, with
//! `logbook-ID-key.age` beside the backups: those backups still open (through the key
//! inside the logbook, or that key file), but no new backup key is made.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use age::x25519;
use serde::Serialize;

use super::names;
use crate::error::{Error, Result};
use crate::model::Logbook;
use crate::vault::{self, Identities, Key, file};

/// Writes `value` as RON, in the logbook file's layout, straight into an age stream to
/// `recipients`: no plaintext copy is made.
pub(crate) fn encrypt_ron<T: Serialize + Sync>(
    out: &mut dyn Write,
    recipients: &[x25519::Recipient],
    value: &T,
) -> io::Result<()> {
    let encryptor = age::Encryptor::with_recipients(recipients.iter().map(|r| r as _))
        .map_err(|e| io::Error::other(e.to_string()))?;
    vault::encrypt_ron(out, encryptor, value)
}

/// Where one logbook's backups are encrypted to, and what this process opens them with.
pub struct Sealing {
    pub(crate) recipients: Vec<x25519::Recipient>,
    pub(crate) opener: Opener,
}

fn parse_identity(secret: &str) -> Option<x25519::Identity> {
    secret.trim().parse().ok()
}

fn push_unique(all: &mut Vec<x25519::Recipient>, r: x25519::Recipient) {
    if !all.contains(&r) {
        all.push(r);
    }
}

impl Sealing {
    /// The sealing for backups of `logbook`, opened with `key`: the identities that
    /// opened it (a passphrase logbook from before key files must be opened for writing
    /// first, which moves it to a key file).
    pub fn new(logbook: &Logbook, key: &Key) -> Result<Sealing> {
        let Key::Identities(ids) = key else {
            return Err(Error::Usage(
                "This logbook still uses its passphrase directly: open it for writing once (any change, or `logbook passwd`), which moves it to a key file, then back up.".into(),
            ));
        };
        let mut recipients = Vec::new();
        if logbook.settings.recipients.is_empty() {
            for r in ids.recipients().as_slice() {
                push_unique(&mut recipients, r.clone());
            }
        } else {
            for r in vault::parse_recipients(&logbook.settings.recipients)? {
                push_unique(&mut recipients, r);
            }
        }
        if !logbook.settings.recovery_recipients.is_empty() {
            for r in vault::parse_recipients(&logbook.settings.recovery_recipients)? {
                push_unique(&mut recipients, r);
            }
        }
        Ok(Sealing {
            recipients,
            opener: Opener::new(key, Some(logbook)),
        })
    }
}

/// Copies the logbook's key file (`source`, sealed with the passphrase) beside the
/// backups as `logbook-ID-key-FPR.age`, unless that very file is there already; reads it
/// back to prove the copy is whole. Returns its path and whether this call wrote it (so a
/// backup that then fails can take a copy it left behind away again).
pub(crate) fn copy_key_file(
    dir: &Path,
    id: &str,
    source: &Path,
    public: &str,
) -> Result<(PathBuf, bool)> {
    let bytes = file::read_regular(source, file::limits::IDENTITY, file::Links::Follow)?;
    let path = dir.join(names::passphrase_key_file_name(
        id,
        &vault::fingerprint(public),
    ));
    if file::read_regular(&path, file::limits::IDENTITY, file::Links::Refuse)
        .is_ok_and(|there| there == bytes)
    {
        return Ok((path, false));
    }
    let new = fs::symlink_metadata(&path).is_err();
    file::replace_atomically(&path, None, |out| out.write_all(&bytes))?;
    if file::read_regular(&path, file::limits::IDENTITY, file::Links::Refuse)? != bytes {
        return Err(Error::BackupUnverified {
            path: path.clone(),
            detail: "the key file did not read back as written".into(),
        });
    }
    Ok((path, new))
}

/// The X25519 identities that open backups: the user's key files, a passphrase logbook's
/// backup key, and backup keys unwrapped from key files with the passphrase.
#[derive(Clone, Default)]
pub struct Opener {
    ids: Vec<x25519::Identity>,
}

impl Opener {
    /// From the secret given and, when it opened, the current logbook's backup key.
    pub fn new(key: &Key, live: Option<&Logbook>) -> Opener {
        let mut ids: Vec<x25519::Identity> = match key {
            Key::Identities(ids) => ids.iter().cloned().collect(),
            Key::Passphrase(_) => Vec::new(),
        };
        if let Some(id) = live
            .and_then(|l| l.backup_key.as_ref())
            .and_then(|s| parse_identity(s.expose()))
        {
            ids.push(id);
        }
        Opener { ids }
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// A passphrase opens the key files in `dir`: adds the backup keys they hold. Tries
    /// each key file (one scrypt each); a key file the passphrase does not open is skipped.
    /// Fails with the first error only when no key file opened at all.
    pub fn add_key_files(&mut self, dir: &Path, key: &Key) -> Result<usize> {
        let Key::Passphrase(pass) = key else {
            return Ok(0);
        };
        let mut files: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(|e| Error::io("reading", dir, e))?
            .flatten()
            .filter(|e| names::is_key_file_name(&e.file_name().to_string_lossy()))
            .map(|e| e.path())
            .collect();
        files.sort();
        let mut added = 0;
        let mut first_error = None;
        for path in files {
            match vault::read_key_file(&path, pass) {
                Ok(ids) => {
                    self.ids.extend(ids.iter().cloned());
                    added += 1;
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) if added == 0 => Err(e),
            _ => Ok(added),
        }
    }

    /// The opener as a vault key, for `vault::decrypt` and `vault::read`. With no
    /// identity at all, nothing can open the file: the secret given is wrong for it.
    pub fn key(&self) -> Result<Key> {
        Identities::new(self.ids.clone())
            .map(Key::Identities)
            .ok_or(Error::WrongSecret)
    }
}

/// The opener for one backup file: the secret given, the current logbook's backup key if
/// it opened, and otherwise (a passphrase) the key files beside the backup.
pub fn opener_for(file: &Path, key: &Key, live: Option<&Logbook>) -> Result<Opener> {
    let mut opener = Opener::new(key, live);
    // A logbook file kept beside its own key file (`NAME.key.age`, as `restore` keeps the
    // file it replaced, `NAME.before-restore-...` with its key) opens with that key file
    // and the same passphrase, as the logbook itself does. A wrong passphrase is told
    // below, as for any backup.
    if let Key::Passphrase(pass) = key {
        let own = vault::key_file_path(file);
        if own.is_file()
            && let Ok(ids) = vault::read_key_file(&own, pass)
        {
            opener.ids.extend(ids.iter().cloned());
        }
    }
    if key.is_passphrase() {
        // Always: a logbook that still holds an old backup key opens only the backups made
        // before key files; newer ones open through their key file.
        let had_some = !opener.is_empty();
        let dir = file::folder_of(file);
        match opener.add_key_files(&dir, key) {
            Ok(0) | Err(_) if had_some => {}
            Ok(0) => return Err(Error::NoBackupKey(file.to_path_buf())),
            Ok(_) => {}
            Err(Error::WrongSecret) => return Err(Error::WrongSecret),
            Err(_) => return Err(Error::NoBackupKey(file.to_path_buf())),
        }
    }
    Ok(opener)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_holds_exactly_the_ron_the_logbook_file_holds() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 16)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let book = crate::demo::generate(5, 9, now).unwrap();
        let id = x25519::Identity::generate();
        let mut sealed = Vec::new();
        encrypt_ron(&mut sealed, &[id.to_public()], &book).unwrap();
        let plain = vault::decrypt(
            Path::new("t"),
            &sealed,
            &Key::Identities(vault::Identities::one(id)),
        )
        .unwrap();
        assert_eq!(std::str::from_utf8(&plain).unwrap(), vault::to_ron(&book));
    }
}
