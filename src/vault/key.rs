//! The secrets that open a logbook: a passphrase (age scrypt recipient) or one or more
//! X25519 identities. Both are held in types that wipe their memory on drop.

use std::fs;
use std::io::Write;
use std::path::Path;

use age::secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// What opens (and, with the logbook's recipients, re-seals) a logbook.
#[derive(Clone)]
pub enum Key {
    Passphrase(SecretString),
    /// Key mode. Saves encrypt to the logbook's recipients in its settings, or, when the
    /// settings name none, to these identities' own public keys.
    Identities(Vec<age::x25519::Identity>),
}

impl Key {
    pub fn passphrase(text: &str) -> Key {
        Key::Passphrase(SecretString::from(text.to_string()))
    }

    pub fn is_passphrase(&self) -> bool {
        matches!(self, Key::Passphrase(_))
    }

    /// Reads an age identity file: `AGE-SECRET-KEY-1...` lines, `#` comments ignored.
    pub fn from_identity_file(path: &Path) -> Result<Key> {
        let bytes = Zeroizing::new(
            super::file::read_regular(
                path,
                super::file::limits::IDENTITY,
                super::file::Links::Follow,
            )
            .map_err(|e| match e {
                e if super::file::is_not_found(&e) => Error::Usage(format!(
                    "The identity file {} does not exist: check the path given to --identity.",
                    path.display()
                )),
                e => e,
            })?,
        );
        let text =
            std::str::from_utf8(&bytes).map_err(|_| Error::BadIdentity(path.to_path_buf()))?;
        let mut identities = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let identity = line
                .parse::<age::x25519::Identity>()
                .map_err(|_| Error::BadIdentity(path.to_path_buf()))?;
            identities.push(identity);
        }
        if identities.is_empty() {
            return Err(Error::BadIdentity(path.to_path_buf()));
        }
        Ok(Key::Identities(identities))
    }

    /// The public keys of the identities (empty for a passphrase).
    pub fn public_keys(&self) -> Vec<String> {
        match self {
            Key::Passphrase(_) => Vec::new(),
            Key::Identities(ids) => ids.iter().map(|i| i.to_public().to_string()).collect(),
        }
    }
}

/// Where a save encrypts to.
pub(crate) enum Seal {
    Passphrase(SecretString),
    Recipients(Vec<age::x25519::Recipient>),
}

impl Seal {
    /// The seal for a logbook opened with `key` whose settings name `recipients`.
    pub(crate) fn for_key(key: &Key, recipients: &[String]) -> Result<Seal> {
        match key {
            Key::Passphrase(p) => Ok(Seal::Passphrase(p.clone())),
            Key::Identities(ids) => {
                if recipients.is_empty() {
                    return Ok(Seal::Recipients(
                        ids.iter().map(|i| i.to_public()).collect(),
                    ));
                }
                parse_recipients(recipients).map(Seal::Recipients)
            }
        }
    }

    pub(crate) fn encryptor(&self) -> age::Encryptor {
        match self {
            Seal::Passphrase(p) => {
                let recipient = passphrase_recipient(p);
                age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                    .expect("a single scrypt recipient is always a valid recipient set")
            }
            Seal::Recipients(rs) => {
                age::Encryptor::with_recipients(rs.iter().map(|r| r as &dyn age::Recipient))
                    .expect("a non-empty set of X25519 recipients is always valid")
            }
        }
    }
}

pub fn parse_recipients(keys: &[String]) -> Result<Vec<age::x25519::Recipient>> {
    if keys.is_empty() {
        return Err(Error::Usage(
            "Give at least one recipient public key (age1...).".into(),
        ));
    }
    keys.iter()
        .map(|k| {
            k.trim().parse::<age::x25519::Recipient>().map_err(|_| {
                Error::Usage(format!(
                    "{k} is not an age public key: give the whole key, starting age1 (as `logbook keygen` prints it)."
                ))
            })
        })
        .collect()
}

/// The scrypt recipient for a passphrase, with the work factor every passphrase file of
/// this program uses (the logbook, a passphrase logbook's backup key file).
pub fn passphrase_recipient(pass: &SecretString) -> age::scrypt::Recipient {
    let mut recipient = age::scrypt::Recipient::new(pass.clone());
    if let Some(log_n) = test_work_factor() {
        recipient.set_work_factor(log_n);
    }
    recipient
}

/// Debug builds (the test suite) may lower the scrypt work factor so tests run quickly.
/// Release builds always use age's default of about one second, whatever the environment.
fn test_work_factor() -> Option<u8> {
    if cfg!(debug_assertions) {
        std::env::var("LOGBOOK_TEST_SCRYPT_LOG_N")
            .ok()?
            .parse()
            .ok()
    } else {
        None
    }
}

/// Writes a new X25519 identity to `path` (0600, never over an existing file) in the format
/// `age-keygen` uses, and returns its public key.
pub fn keygen(path: &Path, created: &str) -> Result<String> {
    let identity = age::x25519::Identity::generate();
    let public = identity.to_public().to_string();
    let contents = Zeroizing::new(format!(
        "# created: {created}\n# public key: {public}\n{}\n",
        identity.to_string().expose_secret()
    ));
    let mut file = super::file::create_private(path)?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| {
            let _ = fs::remove_file(path);
            Error::io("writing", path, e)
        })?;
    Ok(public)
}
