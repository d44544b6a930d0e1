//! Opening one backup and telling what a folder of backups holds.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use super::manifest::{self, Loaded, Manifest};
use super::names;
use super::seal::Opener;
use crate::error::{Error, Result};
use crate::model::{Divergence, Head, Logbook, sha256_hex};
use crate::vault::{self, file};

/// A backup read, decrypted, parsed and with a sound audit trail.
pub struct Opened {
    pub logbook: Logbook,
    pub sha256: String,
    pub size: u64,
}

/// Reads a backup and checks it whole: decrypt (age authenticates every byte), parse,
/// verify the audit trail. Any failure is an error; nothing is half-read.
pub fn open_backup(path: &Path, opener: &Opener) -> Result<Opened> {
    let bytes = file::read_regular(path, file::limits::LOGBOOK, file::Links::Follow).map_err(
        |e| match e {
            e if file::is_not_found(&e) => Error::Usage(format!(
                "There is no backup at {}: check the path (`logbook backups DIR` lists them).",
                path.display()
            )),
            e => e,
        },
    )?;
    let sha256 = sha256_hex(&bytes);
    let plain = vault::decrypt(path, &bytes, &opener.key()?).map_err(|e| match e {
        Error::Damaged(p) | Error::NotAge(p) => Error::DamagedBackup(p),
        other => other,
    })?;
    let logbook = vault::decode(path, &plain)?;
    logbook.verify_audit().map_err(|fault| Error::BackupAudit {
        path: path.to_path_buf(),
        fault,
    })?;
    Ok(Opened {
        logbook,
        sha256,
        size: bytes.len() as u64,
    })
}

/// What a file named like a backup is, as far as this logbook's key can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Opens, parses and verifies (or matches the manifest's record of a file that did).
    Verified,
    /// Does not decrypt, parse or verify, or differs from the manifest's record.
    Damaged(String),
    /// A sound backup of a different logbook.
    OtherLogbook,
    /// Cannot be opened with this key: another logbook's, or not a backup at all.
    Unknown(String),
}

impl State {
    pub fn label(&self) -> &'static str {
        match self {
            State::Verified => "verified",
            State::Damaged(_) => "damaged",
            State::OtherLogbook => "other logbook",
            State::Unknown(_) => "unknown",
        }
    }
}

/// Why a file is `State::Unknown` when the keys given do not open it.
pub const NOT_OPENED: &str = "encrypted to keys not given (give the recovery key, or the key it was made for, with another --identity)";

/// What a backup holds, from the manifest or from the file itself.
#[derive(Debug, Clone)]
pub struct Info {
    pub written: Option<DateTime<FixedOffset>>,
    pub incidents: u64,
    pub people: u64,
    pub head: Head,
    pub logbook: String,
}

impl Info {
    fn of(book: &Logbook) -> Info {
        Info {
            written: None,
            incidents: book.incidents.len() as u64,
            people: book.people.len() as u64,
            head: book.head(),
            logbook: book.id().to_string(),
        }
    }
}

/// How the current logbook's trail relates to a backup's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relation {
    /// The current trail holds the backup's unchanged, plus this many entries.
    Extends(u64),
    /// It does not: the first difference.
    Diverges(Divergence),
    /// It does not because the logbook was restored from an older backup since: the
    /// backup holds history that audited restore dropped (not a rewrite).
    DroppedByRestore(RestoreDrop),
}

/// An audited restore that dropped history a backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreDrop {
    /// The first audit entry where the backup's trail and the current one part.
    pub differs: u64,
    /// The restore's own audit entry: its number, time, author and action ("restored the
    /// logbook from the backup NAME").
    pub seq: u64,
    pub at: DateTime<FixedOffset>,
    pub by: String,
    pub action: String,
}

impl RestoreDrop {
    /// Why `live` does not extend an earlier trail, if an audited restore explains it.
    pub fn of(live: &Logbook, divergence: &Divergence) -> Option<RestoreDrop> {
        let Divergence::Differs { seq } = divergence else {
            return None;
        };
        live.dropped_by_restore(divergence).map(|e| RestoreDrop {
            differs: *seq,
            seq: e.seq,
            at: e.at,
            by: e.by.clone(),
            action: e.action.clone(),
        })
    }
}

/// How `live` relates to an earlier trail that it does not extend.
fn diverged(live: &Logbook, d: Divergence) -> Relation {
    match RestoreDrop::of(live, &d) {
        Some(drop) => Relation::DroppedByRestore(drop),
        None => Relation::Diverges(d),
    }
}

#[derive(Debug, Clone)]
pub struct Item {
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
    pub state: State,
    pub info: Option<Info>,
    pub in_manifest: bool,
    pub relation: Option<Relation>,
}

/// Tells what one backup-named file is. A file the manifest lists with the same SHA-256
/// was verified when it was written and is not decrypted again; any other is opened whole.
pub fn classify(
    path: &Path,
    manifest: Option<&Manifest>,
    this: Option<&str>,
    opener: &Opener,
) -> (Item, Option<Logbook>) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let listed = manifest.and_then(|m| m.entry(&name));
    let link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let mut item = Item {
        name,
        path: path.to_path_buf(),
        size: fs::metadata(path).map_or(0, |m| m.len()),
        state: State::Unknown(String::new()),
        info: None,
        in_manifest: listed.is_some(),
        relation: None,
    };
    // A link named like a backup points off the medium (perhaps at a logbook on the
    // internal disk): never read as a backup, said as what it is (tester3 #28).
    if link {
        let to = fs::read_link(path)
            .map(|t| format!(" to {}", crate::text::path(&t)))
            .unwrap_or_default();
        item.state = State::Unknown(format!(
            "a symbolic link{to}, not a backup file on this medium: left alone"
        ));
        return (item, None);
    }
    if let (Some(entry), Some(m)) = (listed, manifest)
        && entry.size == item.size
        && file::read_regular(path, file::limits::LOGBOOK, file::Links::Refuse)
            .is_ok_and(|b| sha256_hex(&b) == entry.sha256)
    {
        item.state = State::Verified;
        item.info = Some(Info {
            written: Some(entry.written),
            incidents: entry.incidents,
            people: entry.people,
            head: entry.head.clone(),
            logbook: m.logbook.clone(),
        });
        return (item, None);
    }
    match open_backup(path, opener) {
        Ok(opened) => {
            let mut info = Info::of(&opened.logbook);
            info.written = listed.map(|e| e.written);
            item.state = if listed.is_some() {
                State::Damaged("it is not the file this logbook wrote: its SHA-256 differs from the manifest's".into())
            } else if this.is_some_and(|id| id != info.logbook) {
                State::OtherLogbook
            } else {
                State::Verified
            };
            item.info = Some(info);
            (item, Some(opened.logbook))
        }
        Err(e) => {
            let is_age = file::read_regular(path, file::limits::LOGBOOK, file::Links::Refuse)
                .is_ok_and(|b| b.starts_with(b"age-encryption.org/"));
            item.state = match e {
                Error::WrongSecret | Error::NeedsPassphrase(_) if listed.is_none() => {
                    State::Unknown(NOT_OPENED.into())
                }
                Error::DamagedBackup(_) if listed.is_none() && !is_age => {
                    State::Unknown("not an age file".into())
                }
                Error::BackupAudit { fault, .. } => {
                    State::Damaged(format!("its audit trail is broken: {fault}"))
                }
                Error::Io(f) => State::Damaged(format!("it cannot be read: {}", f.source)),
                Error::NewerFormat { found, .. } => {
                    State::Unknown(format!("written by a newer logbook (format {found})"))
                }
                Error::Unreadable { detail, .. } => {
                    State::Damaged(format!("it decrypts but does not parse: {detail}"))
                }
                _ => State::Damaged("it is damaged or truncated".into()),
            };
            (item, None)
        }
    }
}

/// Everything in a backup folder.
pub struct Listing {
    pub items: Vec<Item>,
    /// Temporary files interrupted backups left (never backups).
    pub partials: Vec<String>,
    /// Files the manifest lists that are no longer there.
    pub missing: Vec<String>,
    /// Why the manifest could not be read, if it could not.
    pub manifest_problem: Option<String>,
}

/// Lists the backups in `dir`, newest first, with their state and, when the current
/// logbook is given, whether its trail extends each of its own backups.
pub fn list(dir: &Path, opener: &Opener, live: Option<&Logbook>) -> Result<Listing> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("reading", dir, e))?;
    let mut backups = Vec::new();
    let mut partials = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if names::is_backup_name(&name) {
            backups.push(entry.path());
        } else if names::is_partial(&name) {
            partials.push(name);
        }
    }
    backups.sort();
    backups.reverse();
    partials.sort();
    let this = live.map(|l| l.id().to_string());
    let (manifest, manifest_problem) = match &this {
        Some(id) => match manifest::load(dir, id, opener) {
            Loaded::Read(m) => (Some(m), None),
            Loaded::Missing => (None, None),
            Loaded::Unreadable(why) => (None, Some(why)),
        },
        None => (None, None),
    };
    // Without the logbook (a recovery key alone), the dates come from whichever manifests
    // in the folder the keys open (tester3 #28); only the dates, never the verdict.
    let dated: Vec<Manifest> = if live.is_none() {
        fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| names::is_manifest_name(&e.file_name().to_string_lossy()))
                    .filter_map(|e| manifest::load_file(&e.path(), opener))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut items = Vec::new();
    for path in backups {
        let (mut item, opened) = classify(&path, manifest.as_ref(), this.as_deref(), opener);
        if let Some(info) = &mut item.info
            && info.written.is_none()
        {
            info.written = dated
                .iter()
                .filter(|m| m.logbook == info.logbook)
                .find_map(|m| m.entry(&item.name))
                .filter(|e| e.size == item.size)
                .map(|e| e.written);
        }
        if let (Some(live), Some(info), State::Verified) = (live, &item.info, &item.state)
            && info.logbook == live.id()
        {
            item.relation = Some(relation(live, &info.head, opened.as_ref(), &path, opener));
        }
        items.push(item);
    }
    let missing = manifest
        .map(|m| {
            m.backups
                .into_iter()
                // A name no backup has (a path, say) is never looked up outside the folder.
                .filter(|e| !names::is_backup_name(&e.file) || !dir.join(&e.file).exists())
                .map(|e| e.file)
                .collect()
        })
        .unwrap_or_default();
    Ok(Listing {
        items,
        partials,
        missing,
        manifest_problem,
    })
}

/// How `live` relates to a backup with `head`: by the head alone when it matches (the
/// hash chain makes that a proof), else entry by entry to name the first difference.
fn relation(
    live: &Logbook,
    head: &Head,
    opened: Option<&Logbook>,
    path: &Path,
    opener: &Opener,
) -> Relation {
    if live.extends_head(head) {
        return Relation::Extends(live.audit.len() as u64 - head.len);
    }
    let trail = match opened {
        Some(book) => live.trail_extends(&book.audit),
        None => match open_backup(path, opener) {
            Ok(o) => live.trail_extends(&o.logbook.audit),
            Err(_) => Err(Divergence::Differs { seq: head.len }),
        },
    };
    match trail {
        Ok(added) => Relation::Extends(added),
        Err(d) => diverged(live, d),
    }
}
