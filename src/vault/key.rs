//! The secrets that open a logbook, and the public keys it is sealed to.
//!
//! A logbook is always encrypted to X25519 recipients (`Recipients`, public, never empty),
//! so saving needs no secret at all. What opens it is one or more X25519 identities
//! (`Identities`, never empty): from key files given with `--identity` (which may
//! themselves be protected by a passphrase, in age's format), or, in passphrase mode, from
//! the key file kept beside the logbook (`NAME.key.age`, an age file encrypted with the
//! passphrase, which `age -d -i NAME.key.age NAME.age` also opens). A passphrase therefore
//! costs one scrypt run per unlock, never one per save. `Key::Passphrase` is what the user
//! typed: it opens that key file, or a logbook written before key files (scrypt recipient).

use std::fs;
use std::path::{Path, PathBuf};

use age::secrecy::{ExposeSecret, SecretString};
use age::x25519;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// One or more X25519 identities. Never empty: an empty set opens nothing and seals to
/// nobody, so it cannot be made.
#[derive(Clone)]
pub struct Identities(Vec<x25519::Identity>);

impl Identities {
    /// `None` when `ids` is empty.
    pub fn new(ids: Vec<x25519::Identity>) -> Option<Identities> {
        (!ids.is_empty()).then_some(Identities(ids))
    }

    pub fn one(id: x25519::Identity) -> Identities {
        Identities(vec![id])
    }

    pub fn iter(&self) -> impl Iterator<Item = &x25519::Identity> {
        self.0.iter()
    }

    /// Adds `other`'s identities not already held.
    pub fn extend(&mut self, other: Identities) {
        for id in other.0 {
            if !self.0.iter().any(|i| i.to_public() == id.to_public()) {
                self.0.push(id);
            }
        }
    }

    /// The public keys, as `age1...` strings.
    pub fn public_keys(&self) -> Vec<String> {
        self.0.iter().map(|i| i.to_public().to_string()).collect()
    }

    pub fn recipients(&self) -> Recipients {
        Recipients(self.0.iter().map(|i| i.to_public()).collect())
    }
}

/// One or more X25519 public keys to seal to. Never empty.
#[derive(Clone, Debug)]
pub struct Recipients(Vec<x25519::Recipient>);

impl Recipients {
    /// Parses `age1...` keys; refuses an empty list with a sentence saying what to give.
    pub fn parse(keys: &[String]) -> Result<Recipients> {
        parse_recipients(keys).map(Recipients)
    }

    pub fn as_slice(&self) -> &[x25519::Recipient] {
        &self.0
    }

    pub(crate) fn encryptor(&self) -> age::Encryptor {
        age::Encryptor::with_recipients(self.0.iter().map(|r| r as &dyn age::Recipient))
            .expect("a non-empty set of X25519 recipients is always valid")
    }
}

/// What opens a logbook: a passphrase (for the key file beside it, or an old scrypt
/// logbook) or identities.
#[derive(Clone)]
pub enum Key {
    Passphrase(SecretString),
    Identities(Identities),
}

impl Key {
    pub fn passphrase(text: &str) -> Key {
        Key::Passphrase(SecretString::from(text.to_string()))
    }

    pub fn is_passphrase(&self) -> bool {
        matches!(self, Key::Passphrase(_))
    }

    /// The public keys of the identities (empty for a passphrase).
    pub fn public_keys(&self) -> Vec<String> {
        match self {
            Key::Passphrase(_) => Vec::new(),
            Key::Identities(ids) => ids.public_keys(),
        }
    }

    /// Reads age identity files (`AGE-SECRET-KEY-1...` lines, `#` comments ignored). A
    /// file protected with a passphrase (an age file, as `logbook keygen` writes by
    /// default and `age -d -i` accepts) is opened with the passphrase `ask` returns.
    pub fn from_identity_files(
        paths: &[PathBuf],
        ask: &mut dyn FnMut(&Path) -> Result<Zeroizing<String>>,
    ) -> Result<Key> {
        let mut all: Option<Identities> = None;
        for path in paths {
            let ids = read_identity_file(path, ask)?;
            match &mut all {
                Some(a) => a.extend(ids),
                None => all = Some(ids),
            }
        }
        all.map(Key::Identities).ok_or_else(|| {
            Error::Usage("Give the key file that opens the logbook with --identity FILE.".into())
        })
    }
}

/// The first line of an age file; a passphrase-protected identity file starts with it.
const AGE_HEADER: &[u8] = b"age-encryption.org/v1";

/// Whether the identity file at `path` is protected by a passphrase.
pub fn is_protected(path: &Path) -> bool {
    let mut head = [0u8; 21];
    fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| head == AGE_HEADER)
}

/// The permission bits of the file at `path` when other users of this computer may read
/// it (group or others have any access), else None.
pub fn open_to_others(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Reads one identity file, asking `ask` for the passphrase of a protected one: a wrong
/// passphrase is `Error::WrongSecret`, so a caller given several files can try the rest.
pub fn read_identity_file(
    path: &Path,
    ask: &mut dyn FnMut(&Path) -> Result<Zeroizing<String>>,
) -> Result<Identities> {
    read_identity_file_with_holder(path, ask).map(|(ids, _)| ids)
}

/// `read_identity_file`, with the holder the file names (`# holder: NAME`), if any.
pub fn read_identity_file_with_holder(
    path: &Path,
    ask: &mut dyn FnMut(&Path) -> Result<Zeroizing<String>>,
) -> Result<(Identities, Option<String>)> {
    let bytes = Zeroizing::new(
        super::file::read_regular(
            path,
            super::file::limits::IDENTITY,
            super::file::Links::Follow,
        )
        .map_err(|e| {
            if super::file::is_not_found(&e) {
                Error::Usage(format!(
                    "The key file {} does not exist: check the path given to --identity.",
                    crate::text::line(&path.display().to_string())
                ))
            } else {
                e
            }
        })?,
    );
    if bytes.starts_with(AGE_HEADER) && !super::header_is_scrypt(&bytes) {
        // Sealed to keys, not to a passphrase: a logbook or a backup given by mistake as
        // the key file (its name is alike), which no passphrase typed would open.
        return Err(Error::Usage(format!(
            "{} is a logbook (or a backup of one), not a key file: give your own key file (made by `logbook keygen`); a passphrase logbook needs none, as its key file NAME.key.age is beside it.",
            crate::text::path(path)
        )));
    }
    let named = |text: &str| -> Result<(Identities, Option<String>)> {
        let ids = parse_identities(text).ok_or_else(|| Error::BadIdentity(path.to_path_buf()))?;
        Ok((ids, holder_in(text).map(str::to_string)))
    };
    if bytes.starts_with(AGE_HEADER) {
        let pass = SecretString::from(ask(path)?.to_string());
        let plain = super::codec::decrypt(path, &bytes, &Key::Passphrase(pass))?;
        let text =
            std::str::from_utf8(&plain).map_err(|_| Error::BadIdentity(path.to_path_buf()))?;
        return named(text);
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| Error::BadIdentity(path.to_path_buf()))?;
    named(text)
}

/// Whether `text` is an identity file's text (`AGE-SECRET-KEY-1...` lines, comments).
pub fn is_identity_text(text: &str) -> bool {
    parse_identities(text).is_some()
}

/// The identities in an identity file's text; `None` if a line is not one, or none is.
fn parse_identities(text: &str) -> Option<Identities> {
    let mut ids = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        ids.push(line.parse::<x25519::Identity>().ok()?);
    }
    Identities::new(ids)
}

/// Opens a passphrase-protected identity file (one scrypt run).
pub fn open_protected(path: &Path, bytes: &[u8], pass: &SecretString) -> Result<Identities> {
    let plain = super::codec::decrypt(path, bytes, &Key::Passphrase(pass.clone()))?;
    let text = std::str::from_utf8(&plain).map_err(|_| Error::BadIdentity(path.to_path_buf()))?;
    parse_identities(text).ok_or_else(|| Error::BadIdentity(path.to_path_buf()))
}

/// Reads the passphrase-protected key file at `path`.
pub fn read_key_file(path: &Path, pass: &SecretString) -> Result<Identities> {
    let bytes = Zeroizing::new(super::file::read_regular(
        path,
        super::file::limits::IDENTITY,
        super::file::Links::Follow,
    )?);
    open_protected(path, &bytes, pass)
}

pub fn parse_recipients(keys: &[String]) -> Result<Vec<x25519::Recipient>> {
    if keys.is_empty() {
        return Err(Error::Usage(
            "Give at least one recipient public key (age1...).".into(),
        ));
    }
    keys.iter()
        .map(|k| {
            k.trim().parse::<x25519::Recipient>().map_err(|_| {
                Error::Usage(format!(
                    "{} is not an age public key: give the whole key, starting age1 (as `logbook keygen` prints it).",
                    crate::text::line(k)
                ))
            })
        })
        .collect()
}

/// Whether `ids` can open the age file at `path`, from its header alone (an X25519 key
/// is unwrapped without reading the body, so this costs no scrypt and no decryption).
/// Only a header that names no key of `ids` gives `false`: anything else (not an age
/// file, a passphrase file, damage) is left for the real opening to report in its words.
pub fn opens_file(path: &Path, ids: &Identities) -> bool {
    use std::io::Read;
    // Only a regular file of a logbook's size is looked at (a device, a FIFO or a huge
    // file is left for the real opening to refuse at once), and only as far as a header
    // can reach: a file of zeros must not be read to its end looking for one.
    const HEADER_MAX: u64 = 1 << 20;
    let Ok((file, _)) = super::file::open_regular(
        path,
        super::file::limits::LOGBOOK,
        super::file::Links::Follow,
    ) else {
        return true;
    };
    let header = std::io::BufReader::new(file.take(HEADER_MAX));
    let Ok(decryptor) = age::Decryptor::new_buffered(header) else {
        return true;
    };
    if decryptor.is_scrypt() {
        return true;
    }
    !matches!(
        decryptor.decrypt(ids.iter().map(|i| i as &dyn age::Identity)),
        Err(age::DecryptError::NoMatchingKeys)
    )
}

/// The holder named in an identity file's text (`# holder: NAME`, as `keygen` writes it).
pub fn holder_in(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("# holder:"))
        .map(str::trim)
        .filter(|n| !n.is_empty())
}

/// Protects the identity file at `path` with a new passphrase, in place: `plain` is its
/// text (already decrypted with the old passphrase, or read from an unprotected file).
/// The new file is made in memory and opened again with `pass` before anything is
/// written, then put in place atomically (0600, fsynced, renamed), so the key is never
/// left unreadable: on any failure the file on disk is the old one.
pub fn reprotect_identity_file(path: &Path, plain: &[u8], pass: &SecretString) -> Result<()> {
    let text = std::str::from_utf8(plain).map_err(|_| Error::BadIdentity(path.to_path_buf()))?;
    let before = parse_identities(text).ok_or_else(|| Error::BadIdentity(path.to_path_buf()))?;
    let recipient = passphrase_recipient(pass);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| {
                Error::Usage(format!(
                    "The key file could not be sealed ({e}): nothing was changed."
                ))
            })?;
    let mut sealed = Vec::new();
    let sealing = (|| -> std::io::Result<()> {
        let mut stream = encryptor.wrap_output(&mut sealed)?;
        std::io::Write::write_all(&mut stream, plain)?;
        stream.finish()?;
        Ok(())
    })();
    sealing.map_err(|e| Error::io("sealing", path, e))?;
    let after = open_protected(path, &sealed, pass)?;
    if after.public_keys() != before.public_keys() {
        return Err(Error::Usage(format!(
            "The key file {} did not read back the same after sealing: nothing was changed.",
            crate::text::path(path)
        )));
    }
    // A link is followed: the key file itself is replaced, not the link.
    let target = fs::canonicalize(path).map_err(|e| Error::io("reading", path, e))?;
    super::file::replace_atomically(&target, None, |out| out.write_all(&sealed))?;
    Ok(())
}

/// The scrypt recipient for a passphrase, with the work factor every passphrase file of
/// this program uses (key files; logbooks from before key files).
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

/// The text of an identity file, in the format `age-keygen` writes.
fn identity_text(identity: &x25519::Identity, created: &str, name: &str) -> Zeroizing<String> {
    let holder = if name.is_empty() {
        String::new()
    } else {
        format!("# holder: {}\n", crate::text::line(name))
    };
    Zeroizing::new(format!(
        "# created: {created}\n{holder}# public key: {}\n{}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    ))
}

/// Writes `identity` to `path` (0600, fsynced, atomically), encrypted with `pass` when
/// given. With `replace` false an existing file is never written over.
pub fn write_identity(
    path: &Path,
    identity: &x25519::Identity,
    pass: Option<&SecretString>,
    created: &str,
    name: &str,
    replace: bool,
) -> Result<()> {
    let text = identity_text(identity, created, name);
    if !replace && fs::symlink_metadata(path).is_ok() {
        return Err(Error::Exists(path.to_path_buf()));
    }
    super::file::replace_atomically(path, None, |out| match pass {
        Some(pass) => {
            let recipient = passphrase_recipient(pass);
            let encryptor =
                age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
            let mut stream = encryptor.wrap_output(out)?;
            std::io::Write::write_all(&mut stream, text.as_bytes())?;
            stream.finish()?;
            Ok(())
        }
        None => std::io::Write::write_all(out, text.as_bytes()),
    })?;
    Ok(())
}

/// Writes a new X25519 identity to `path` (0600, never over an existing file), protected
/// with `pass` when given, and returns its public key.
pub fn keygen(
    path: &Path,
    created: &str,
    name: &str,
    pass: Option<&SecretString>,
) -> Result<String> {
    let identity = x25519::Identity::generate();
    write_identity(path, &identity, pass, created, name, false)?;
    Ok(identity.to_public().to_string())
}

/// A short fingerprint of a public key, for file names: the first 12 hex digits of its
/// SHA-256.
pub fn fingerprint(public: &str) -> String {
    crate::model::sha256_hex(public.as_bytes())[..12].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_and_recipients_cannot_be_empty() {
        assert!(Identities::new(Vec::new()).is_none());
        assert!(Recipients::parse(&[]).is_err());
        let id = x25519::Identity::generate();
        let ids = Identities::one(id.clone());
        assert_eq!(ids.recipients().as_slice(), &[id.to_public()]);
    }
}
