//! Rotation: keep the newest N backups of this logbook and remove older ones, but only
//! files this program wrote and can still vouch for.
//!
//! A file is removed only when all of these hold: the manifest (encrypted, so it cannot be
//! forged without the key) lists it; its SHA-256 and size are still the ones recorded when
//! it was written and verified; it is older than the newest N such files; and the current
//! audit trail extends the head it holds. A backup whose history the current logbook no
//! longer extends is kept whatever N says: it is the evidence of what was changed.

use std::fs;
use std::path::Path;

use super::manifest::Manifest;
use crate::error::{Error, Result};
use crate::model::{Logbook, sha256_hex};
use crate::vault::file;

#[derive(Debug, Default, Clone)]
pub struct Rotation {
    /// Older backups removed.
    pub removed: Vec<String>,
    /// Older backups kept because the current trail does not extend them.
    pub kept_as_evidence: Vec<String>,
    /// The removals are done but the folder's fsync failed (they may not be durable).
    pub unflushed: bool,
}

/// Whether `dir/name` is still exactly the file the manifest recorded.
fn unchanged(dir: &Path, name: &str, manifest: &Manifest) -> bool {
    let Some(entry) = manifest.entry(name) else {
        return false;
    };
    let path = dir.join(name);
    fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() == entry.size)
        && fs::read(&path).is_ok_and(|b| sha256_hex(&b) == entry.sha256)
}

/// Removes the backups beyond the newest `keep` (the one just written, `newest`, always
/// counts and is always kept). Drops manifest entries whose file is gone; keeps entries
/// of changed files, so they show as damaged rather than vanish.
pub fn rotate(
    dir: &Path,
    manifest: &mut Manifest,
    keep: usize,
    current: &Logbook,
    newest: &str,
) -> Result<Rotation> {
    let mut rotation = Rotation::default();
    manifest.backups.retain(|e| dir.join(&e.file).exists());
    let mut older: Vec<String> = manifest
        .backups
        .iter()
        .map(|e| e.file.clone())
        .filter(|f| f != newest && unchanged(dir, f, manifest))
        .collect();
    older.sort();
    older.reverse();
    for name in older.into_iter().skip(keep.saturating_sub(1)) {
        let Some(entry) = manifest.entry(&name) else {
            continue;
        };
        if !current.extends_head(&entry.head) {
            rotation.kept_as_evidence.push(name);
            continue;
        }
        let path = dir.join(&name);
        fs::remove_file(&path).map_err(|e| Error::io("removing the old backup", &path, e))?;
        manifest.backups.retain(|e| e.file != name);
        rotation.removed.push(name);
    }
    // The files are gone whatever the fsync says: report it, never as "nothing changed".
    if !rotation.removed.is_empty() && file::sync_folder(dir).is_err() {
        rotation.unflushed = true;
    }
    Ok(rotation)
}
