//! Who a backup is encrypted to, and what opens it again.
//!
//! Key mode: the logbook's own recipients plus the recovery recipients. Passphrase mode:
//! age allows an scrypt (passphrase) recipient only on its own, never beside X25519 keys,
//! so a passphrase logbook gets one X25519 *backup key*, made at its first backup and kept
//! inside the encrypted logbook. Backups are encrypted to that key plus the recovery
//! recipients, and the key itself is written beside the backups as a small age file
//! encrypted with the passphrase (`logbook-ID-key.age`), so the passphrase alone still
//! opens every backup, with this program or with the `age` CLI.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use age::secrecy::{ExposeSecret as _, SecretString};
use age::x25519;
use serde::Serialize;
use zeroize::Zeroizing;

use super::names;
use crate::error::{Error, Result};
use crate::model::{BackupSecret, Logbook, Stamp};
use crate::vault::{self, Key, file};

/// Writes `value` as RON, in the logbook file's layout, straight into an age stream to
/// `recipients`: no plaintext copy is made.
pub(crate) fn encrypt_ron<T: Serialize>(
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
    /// Passphrase mode: the backup key, and the passphrase its key file is sealed with.
    pub(crate) backup_key: Option<(x25519::Identity, SecretString)>,
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
    /// The sealing for backups of `logbook`, opened with `key`. A passphrase logbook must
    /// have its backup key already (`ensure_backup_key`).
    pub fn new(logbook: &Logbook, key: &Key) -> Result<Sealing> {
        let mut recipients = Vec::new();
        let (opener, backup_key) = match key {
            Key::Identities(ids) => {
                if !logbook.settings.recipients.is_empty() {
                    for r in vault::parse_recipients(&logbook.settings.recipients)? {
                        push_unique(&mut recipients, r);
                    }
                }
                for id in ids {
                    push_unique(&mut recipients, id.to_public());
                }
                (Opener { ids: ids.clone() }, None)
            }
            Key::Passphrase(pass) => {
                let identity = logbook
                    .backup_key
                    .as_ref()
                    .and_then(|s| parse_identity(s.expose()))
                    .ok_or_else(|| {
                        Error::Usage(
                            "This logbook has no backup key yet: back it up with `logbook backup`, which makes one."
                                .into(),
                        )
                    })?;
                recipients.push(identity.to_public());
                (
                    Opener {
                        ids: vec![identity.clone()],
                    },
                    Some((identity, pass.clone())),
                )
            }
        };
        if !logbook.settings.recovery_recipients.is_empty() {
            for r in vault::parse_recipients(&logbook.settings.recovery_recipients)? {
                push_unique(&mut recipients, r);
            }
        }
        if recipients.is_empty() {
            return Err(Error::Usage(
                "This logbook names no recipients to encrypt a backup to: give --identity FILE."
                    .into(),
            ));
        }
        Ok(Sealing {
            recipients,
            opener,
            backup_key,
        })
    }
}

/// Makes the backup key of a passphrase logbook if it has none yet, recording its public
/// half in the audit trail. Returns true when the logbook changed and must be saved.
/// Key-mode logbooks need no backup key: this does nothing for them.
pub fn ensure_backup_key(logbook: &mut Logbook, key: &Key, stamp: &Stamp) -> bool {
    if !key.is_passphrase()
        || logbook
            .backup_key
            .as_ref()
            .is_some_and(|s| parse_identity(s.expose()).is_some())
    {
        return false;
    }
    let identity = x25519::Identity::generate();
    let public = identity.to_public().to_string();
    let secret = BackupSecret::new(identity.to_string().expose_secret().to_string());
    // A refusal (the settings cannot be encoded) leaves the logbook unchanged and without a
    // backup key, which the backup then reports; nothing is recorded half-done.
    logbook.set_backup_key(stamp, secret, &public).is_ok()
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
        let mut ids = match key {
            Key::Identities(ids) => ids.clone(),
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
            match read_key_file(&path, pass) {
                Ok(id) => {
                    self.ids.push(id);
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

    /// The opener as a vault key, for `vault::decrypt` and `vault::read`.
    pub fn key(&self) -> Key {
        Key::Identities(self.ids.clone())
    }
}

/// The opener for one backup file: the secret given, the current logbook's backup key if
/// it opened, and otherwise (a passphrase) the key files beside the backup.
pub fn opener_for(file: &Path, key: &Key, live: Option<&Logbook>) -> Result<Opener> {
    let mut opener = Opener::new(key, live);
    if key.is_passphrase() && opener.is_empty() {
        let dir = file::folder_of(file);
        match opener.add_key_files(&dir, key) {
            Ok(0) => return Err(Error::NoBackupKey(file.to_path_buf())),
            Ok(_) => {}
            Err(Error::WrongSecret) => return Err(Error::WrongSecret),
            Err(_) => return Err(Error::NoBackupKey(file.to_path_buf())),
        }
    }
    Ok(opener)
}

/// The key file's plaintext: an age identity file, as `age-keygen` writes one.
fn key_file_text(id: &str, identity: &x25519::Identity) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "# The backup key of logbook {id}: opens its backups (age -d -i THIS_FILE BACKUP).\n# public key: {}\n{}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    ))
}

/// Writes the key file for logbook `id` into `dir`, encrypted with the passphrase.
pub(crate) fn write_key_file(
    dir: &Path,
    id: &str,
    identity: &x25519::Identity,
    pass: &SecretString,
) -> Result<PathBuf> {
    let path = dir.join(names::key_file_name(id));
    let text = key_file_text(id, identity);
    file::replace_atomically(&path, None, |out| {
        let recipient = vault::passphrase_recipient(pass);
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| io::Error::other(e.to_string()))?;
        let mut stream = encryptor.wrap_output(out)?;
        stream.write_all(text.as_bytes())?;
        stream.finish()?;
        Ok(())
    })?;
    Ok(path)
}

/// Reads a key file with the passphrase: the backup key it holds.
pub(crate) fn read_key_file(path: &Path, pass: &SecretString) -> Result<x25519::Identity> {
    let bytes = file::read_regular(path, file::limits::IDENTITY, file::Links::Refuse)?;
    let plain = vault::decrypt(path, &bytes, &Key::Passphrase(pass.clone()))?;
    let text = std::str::from_utf8(&plain).map_err(|_| Error::Damaged(path.to_path_buf()))?;
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(parse_identity)
        .ok_or_else(|| Error::Damaged(path.to_path_buf()))
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
        let plain = vault::decrypt(Path::new("t"), &sealed, &Key::Identities(vec![id])).unwrap();
        assert_eq!(std::str::from_utf8(&plain).unwrap(), vault::to_ron(&book));
    }
}
