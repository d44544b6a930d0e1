//! The plaintext inside the age file: RON with a `format` version, and the age layer.

use std::io::{self, Read, Write};
use std::path::Path;

use age::secrecy::ExposeSecret as _;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::key::{Key, Recipients};
use crate::error::{Error, Result};
use crate::model::{FORMAT, Logbook};

/// Two-space indentation, no struct names, and one line per item below the record level
/// (an evidence item, an audit entry's field change): a person reading `age -d` output
/// sees each record's fields plainly, and the file is about a third of fully pretty RON.
fn pretty() -> ron::ser::PrettyConfig {
    ron::ser::PrettyConfig::new()
        .indentor("  ")
        .struct_names(false)
        .depth_limit(4)
}

/// Writes the logbook as RON straight into the age stream: no plaintext copy of the whole
/// logbook is ever made, in memory or on disk.
pub(crate) fn encrypt_to(
    out: &mut dyn Write,
    recipients: &Recipients,
    logbook: &Logbook,
) -> io::Result<()> {
    encrypt_ron(out, recipients.encryptor(), logbook)
}

/// Writes any value as RON, in the logbook file's layout, straight into an age stream (the
/// logbook, a backup, a backup manifest). Keeps the writer's own error, so a full disk is
/// still reported as a full disk.
pub fn encrypt_ron<T: serde::Serialize>(
    out: &mut dyn Write,
    encryptor: age::Encryptor,
    value: &T,
) -> io::Result<()> {
    let stream = encryptor.wrap_output(out)?;
    let mut keep = KeepError {
        inner: stream,
        error: None,
    };
    let result = ron::Options::default().to_io_writer_pretty(&mut keep, value, pretty());
    if let Some(e) = keep.error.take() {
        return Err(e);
    }
    result.map_err(|e| io::Error::other(e.to_string()))?;
    keep.inner.finish()?;
    Ok(())
}

/// RON reports a writer's failure as text; this keeps the original error, so a full disk
/// is still known to be a full disk when the message is written.
struct KeepError<W> {
    inner: W,
    error: Option<io::Error>,
}

impl<W: Write> Write for KeepError<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).inspect_err(|e| {
            self.error
                .get_or_insert_with(|| io::Error::new(e.kind(), e.to_string()));
        })
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().inspect_err(|e| {
            self.error
                .get_or_insert_with(|| io::Error::new(e.kind(), e.to_string()));
        })
    }
}

/// The RON text of a logbook, for plaintext exports the user asked for (tests, `import`).
pub fn to_ron(logbook: &Logbook) -> String {
    ron::ser::to_string_pretty(logbook, pretty()).unwrap_or_default()
}

/// Decrypts a whole age file into a zeroizing buffer. The stream is read to its end
/// before anything is parsed, so a damaged or truncated tail is refused, never half-read.
pub fn decrypt(path: &Path, ciphertext: &[u8], key: &Key) -> Result<Zeroizing<Vec<u8>>> {
    let decryptor =
        age::Decryptor::new_buffered(ciphertext).map_err(|e| header_error(path, ciphertext, e))?;
    let reader = match key {
        Key::Passphrase(pass) => {
            if !decryptor.is_scrypt() {
                return Err(Error::NeedsIdentity(path.to_path_buf()));
            }
            let mut identity = age::scrypt::Identity::new(pass.expose_secret().to_owned().into());
            // Cap the work a file can demand before the passphrase is checked, as the Go age CLI does.
            identity.set_max_work_factor(22);
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
        Key::Identities(ids) => {
            if decryptor.is_scrypt() {
                return Err(Error::NeedsPassphrase(path.to_path_buf()));
            }
            decryptor.decrypt(ids.iter().map(|i| i as &dyn age::Identity))
        }
    };
    let mut reader = reader.map_err(|e| match e {
        age::DecryptError::NoMatchingKeys
        | age::DecryptError::DecryptionFailed
        | age::DecryptError::KeyDecryptionFailed => Error::WrongSecret,
        age::DecryptError::ExcessiveWork { .. } => Error::Usage(format!(
            "{} needs more passphrase work than this machine allows: re-encrypt it with `logbook passwd` on the machine that made it.",
            path.display()
        )),
        other => header_error(path, ciphertext, other),
    })?;
    // The plaintext is never longer than the ciphertext: reserving that much up front
    // means the buffer never reallocates and leaves no unzeroized copy behind.
    let mut plain = Zeroizing::new(Vec::with_capacity(ciphertext.len()));
    reader
        .read_to_end(&mut plain)
        .map_err(|_| Error::Damaged(path.to_path_buf()))?;
    Ok(plain)
}

fn header_error(path: &Path, ciphertext: &[u8], e: age::DecryptError) -> Error {
    let looks_like_age = ciphertext.starts_with(b"age-encryption.org/");
    match e {
        age::DecryptError::UnknownFormat if looks_like_age => Error::Unreadable {
            path: path.to_path_buf(),
            detail: "it uses a newer version of the age format".into(),
        },
        _ if looks_like_age => Error::Damaged(path.to_path_buf()),
        _ => Error::NotAge(path.to_path_buf()),
    }
}

#[derive(Deserialize)]
struct FormatProbe {
    format: u32,
}

/// Parses decrypted RON into a logbook, refusing a newer format with a clear message.
/// Formats older than this build's would be migrated here; format 1 is the first.
pub fn decode(path: &Path, plain: &[u8]) -> Result<Logbook> {
    let text = std::str::from_utf8(plain).map_err(|_| Error::Unreadable {
        path: path.to_path_buf(),
        detail: "it is not UTF-8 text".into(),
    })?;
    match ron::from_str::<Logbook>(text) {
        Ok(mut logbook) => {
            if logbook.format > FORMAT {
                return Err(Error::NewerFormat {
                    path: path.to_path_buf(),
                    found: logbook.format,
                });
            }
            if logbook.format < FORMAT {
                return Err(Error::Unreadable {
                    path: path.to_path_buf(),
                    detail: format!(
                        "format {} is not a format any version of logbook wrote",
                        logbook.format
                    ),
                });
            }
            logbook.sort();
            Ok(logbook)
        }
        Err(e) => {
            // A newer format may not parse as this one: say so rather than "damaged".
            if let Ok(probe) = ron::from_str::<FormatProbe>(text)
                && probe.format > FORMAT
            {
                return Err(Error::NewerFormat {
                    path: path.to_path_buf(),
                    found: probe.format,
                });
            }
            Err(Error::Unreadable {
                path: path.to_path_buf(),
                detail: format!(
                    "RON error at line {}, column {}: {}",
                    e.span.start.line, e.span.start.col, e.code
                ),
            })
        }
    }
}

/// Whether the age header at the start of `head` holds a passphrase (scrypt) stanza: the
/// logbook was written before key files, or the file is a passphrase-encrypted one. Read
/// from the header's stanza lines alone, before any secret is asked for.
pub fn header_is_scrypt(head: &[u8]) -> bool {
    head.starts_with(b"age-encryption.org/v1\n")
        && head
            .split(|&b| b == b'\n')
            .skip(1)
            .take_while(|l| !l.starts_with(b"---"))
            .any(|l| l.starts_with(b"-> scrypt "))
}
