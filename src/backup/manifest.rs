//! The manifest beside one logbook's backups: for each file this program wrote and
//! verified, its SHA-256, size, incident and people counts, time, and the audit head it
//! holds. Counts and times are sensitive, so the manifest is encrypted to the same
//! recipients as the backups; the stick alone reveals nothing but file names and sizes.
//!
//! The manifest is also the proof of authorship that rotation relies on: only a file listed
//! here, with the same SHA-256, is ever deleted.

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::names;
use super::seal::{Opener, encrypt_ron};
use crate::error::{Error, Result};
use crate::model::Head;
use crate::vault::{self, file};

/// This build writes manifest format 1.
pub const MANIFEST_FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The logbook's id (the hash of its first audit entry).
    pub logbook: String,
    #[serde(default)]
    pub backups: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub file: String,
    pub sha256: String,
    pub size: u64,
    pub incidents: u64,
    pub people: u64,
    pub written: DateTime<FixedOffset>,
    pub head: Head,
}

impl Manifest {
    pub fn new(logbook: &str) -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT,
            logbook: logbook.to_string(),
            backups: Vec::new(),
        }
    }

    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.backups.iter().find(|e| e.file == name)
    }
}

/// What was found where a logbook's manifest should be.
pub enum Loaded {
    Missing,
    Read(Manifest),
    /// There, but it does not open or parse: why, in words.
    Unreadable(String),
}

/// Why a manifest is unreadable when it opens with none of the keys given (a passphrase
/// change or a removed key since it was written).
pub const NOT_THIS_KEY: &str = "it does not open with this logbook's key";

/// Reads the manifest of logbook `id` in `dir`.
pub fn load(dir: &Path, id: &str, opener: &Opener) -> Loaded {
    let path = dir.join(names::manifest_name(id));
    let bytes = match file::read_regular(&path, file::limits::LOGBOOK, file::Links::Refuse) {
        Ok(b) => b,
        Err(e) if file::is_not_found(&e) => return Loaded::Missing,
        Err(e) => return Loaded::Unreadable(e.to_string()),
    };
    let plain = match opener
        .key()
        .and_then(|key| vault::decrypt(&path, &bytes, &key))
    {
        Ok(p) => p,
        Err(Error::WrongSecret) => {
            return Loaded::Unreadable(NOT_THIS_KEY.into());
        }
        Err(_) => return Loaded::Unreadable("it is damaged".into()),
    };
    match std::str::from_utf8(&plain)
        .ok()
        .and_then(|t| ron::from_str::<Manifest>(t).ok())
    {
        Some(m) if m.format <= MANIFEST_FORMAT && m.logbook == id => Loaded::Read(m),
        Some(m) if m.logbook != id => Loaded::Unreadable("it belongs to another logbook".into()),
        Some(_) => Loaded::Unreadable("a newer version of logbook wrote it".into()),
        None => Loaded::Unreadable("it does not parse".into()),
    }
}

/// Reads the manifest file at `path`, whatever logbook it is of, if the opener opens it:
/// for listing backups without the logbook (with a recovery key), where only the dates it
/// records are taken from it.
pub fn load_file(path: &Path, opener: &Opener) -> Option<Manifest> {
    let bytes = file::read_regular(path, file::limits::LOGBOOK, file::Links::Refuse).ok()?;
    let plain = vault::decrypt(path, &bytes, &opener.key().ok()?).ok()?;
    let m: Manifest = ron::from_str(std::str::from_utf8(&plain).ok()?).ok()?;
    (m.format <= MANIFEST_FORMAT).then_some(m)
}

/// Writes the manifest atomically (temporary file, fsync, rename, fsync the folder).
pub fn save(dir: &Path, manifest: &Manifest, recipients: &[age::x25519::Recipient]) -> Result<()> {
    let path = dir.join(names::manifest_name(&manifest.logbook));
    file::replace_atomically(&path, None, |out| encrypt_ron(out, recipients, manifest))?;
    Ok(())
}
