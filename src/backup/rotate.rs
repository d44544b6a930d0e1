//! Rotation: keep the newest N backups of this logbook and remove older ones, but only
//! files this program would have written and can still vouch for.
//!
//! What is and is not authenticated: the manifest and the backups are age files, and age
//! has no sender authentication. In key mode anyone holding the logbook's *public* key (a
//! former deputy, say) can write a manifest or a backup that decrypts. So the manifest is
//! never trusted to name what to delete. A file is removed only when all of these hold:
//! - its name is exactly a backup's name (`logbook-YYYYMMDD-HHMMSS.age`: no separator, no
//!   `..`), in the backup folder itself, and it is a regular file (not a link);
//! - it is older than the newest N such files;
//! - read now, it decrypts with this logbook's key, parses, its audit trail verifies, it is
//!   this logbook (same id), its trail is not empty, and the current trail extends it
//!   entry by entry: it holds nothing the current logbook does not also hold.
//!
//! A forger with only the public key cannot make a file pass the last test without the
//! logbook's records, and a file that passes it is redundant with the current logbook. A
//! backup whose history the current logbook no longer extends is kept whatever N says: it
//! is the evidence of what was changed. When an audited restore in the current trail
//! explains the difference (the backup holds what the restore dropped), it is named as
//! such and removed only when the person says so (`remove_dropped`). Complete backups an interrupted run left out of
//! the manifest are rotated too, since the manifest is not what vouches for them.

use std::fs;
use std::path::Path;

use super::inspect::{RestoreDrop, open_backup};
use super::manifest::Manifest;
use super::names;
use super::seal::Opener;
use crate::error::{Error, Result};
use crate::model::Logbook;
use crate::vault::file;

#[derive(Debug, Default, Clone)]
pub struct Rotation {
    /// Older backups removed.
    pub removed: Vec<String>,
    /// Older backups kept because the current trail does not extend them.
    pub kept_as_evidence: Vec<String>,
    /// Older backups beyond N kept because they hold history an audited restore dropped:
    /// not evidence of a rewrite, but not redundant either, so they are removed only when
    /// the person says so (`remove_dropped`), each named.
    pub dropped_by_restore: Vec<(String, RestoreDrop)>,
    /// The removals are done but the folder's fsync failed (they may not be durable).
    pub unflushed: bool,
}

/// Why an older file may be removed, or why not.
enum Verdict {
    Redundant,
    Evidence,
    /// History an audited restore dropped (see `RestoreDrop`).
    Dropped(RestoreDrop),
    NotOurs,
}

/// Reads `dir/name` whole and decides whether it is a backup of `current` that the
/// current trail extends.
fn judge(dir: &Path, name: &str, opener: &Opener, current: &Logbook) -> Verdict {
    let path = dir.join(name);
    if !fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file()) {
        return Verdict::NotOurs;
    }
    let Ok(opened) = open_backup(&path, opener) else {
        return Verdict::NotOurs;
    };
    let backup = opened.logbook;
    if backup.audit.is_empty() || backup.id() != current.id() {
        return Verdict::NotOurs;
    }
    match current.trail_extends(&backup.audit) {
        Ok(_) => Verdict::Redundant,
        Err(d) => match RestoreDrop::of(current, &d) {
            Some(drop) => Verdict::Dropped(drop),
            None => Verdict::Evidence,
        },
    }
}

/// Removes the backups beyond the newest `keep` (the one just written, `newest`, always
/// counts and is always kept). Drops manifest entries whose file is gone or whose name is
/// not a backup's; keeps entries of changed files, so they show as damaged rather than vanish.
pub fn rotate(
    dir: &Path,
    manifest: &mut Manifest,
    keep: usize,
    current: &Logbook,
    opener: &Opener,
    newest: &str,
) -> Result<Rotation> {
    let mut rotation = Rotation::default();
    manifest
        .backups
        .retain(|e| names::is_backup_name(&e.file) && dir.join(&e.file).exists());
    let mut older: Vec<String> = fs::read_dir(dir)
        .map_err(|e| Error::io("reading", dir, e))?
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| names::is_backup_name(n) && n.as_str() != newest)
        .collect();
    older.sort();
    older.reverse();
    let mut counted = 1;
    for name in older {
        // Only this logbook's own backups count towards N.
        let verdict = judge(dir, &name, opener, current);
        match verdict {
            Verdict::NotOurs => continue,
            _ if counted < keep => {
                counted += 1;
                continue;
            }
            Verdict::Evidence => {
                rotation.kept_as_evidence.push(name);
                continue;
            }
            Verdict::Dropped(drop) => {
                rotation.dropped_by_restore.push((name, drop));
                continue;
            }
            Verdict::Redundant => {}
        }
        remove(dir, manifest, &name)?;
        rotation.removed.push(name);
    }
    // The files are gone whatever the fsync says: report it, never as "nothing changed".
    if !rotation.removed.is_empty() && file::sync_folder(dir).is_err() {
        rotation.unflushed = true;
    }
    Ok(rotation)
}

fn remove(dir: &Path, manifest: &mut Manifest, name: &str) -> Result<()> {
    let path = dir.join(name);
    fs::remove_file(&path).map_err(|e| Error::io("removing the old backup", &path, e))?;
    manifest.backups.retain(|e| e.file != name);
    Ok(())
}

/// Removes the backups `names` that hold history an audited restore dropped, once the
/// person agreed to (each was named to them): each is judged again now, by the same tests
/// rotation applies, and removed only if it is still this logbook's backup whose history
/// the restore explains. Returns the names removed.
pub fn remove_dropped(
    dir: &Path,
    manifest: &mut Manifest,
    current: &Logbook,
    opener: &Opener,
    names: &[String],
) -> Result<Vec<String>> {
    let mut removed = Vec::new();
    for name in names {
        if !names::is_backup_name(name) {
            continue;
        }
        if let Verdict::Dropped(_) = judge(dir, name, opener, current) {
            remove(dir, manifest, name)?;
            removed.push(name.clone());
        }
    }
    if !removed.is_empty() {
        let _ = file::sync_folder(dir);
    }
    Ok(removed)
}
