//! Restoring a backup over the current logbook: verify the backup whole, show what it
//! holds beside the current logbook, and only then, holding the logbook's lock, replace the
//! logbook atomically, keeping the replaced file as `NAME.before-restore-TIMESTAMP`.
//! Restoring never merges: the logbook becomes exactly the backup.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDateTime};

use super::inspect::open_backup;
use super::seal::opener_for;
use crate::error::{Error, Result};
use crate::model::{AuditEntry, Divergence, Head, Logbook, Stamp};
use crate::vault::{self, FileId, Key, Lock, Vault, file};

/// What a logbook holds, in the few facts a DSL needs to choose.
#[derive(Debug, Clone)]
pub struct Summary {
    pub incidents: u64,
    pub people: u64,
    /// The most recently reported incident: id and when it was reported.
    pub newest: Option<(String, NaiveDateTime)>,
    pub last_entry: Option<AuditEntry>,
    pub head: Head,
    pub id: String,
}

impl Summary {
    pub fn of(book: &Logbook) -> Summary {
        Summary {
            incidents: book.incidents.len() as u64,
            people: book.people.len() as u64,
            newest: book
                .incidents
                .iter()
                .max_by_key(|i| (i.reported, i.id.clone()))
                .map(|i| (i.id.clone(), i.reported)),
            last_entry: book.audit.last().map(|e| AuditEntry::clone(e)),
            head: book.head(),
            id: book.id().to_string(),
        }
    }
}

/// The current logbook, as far as it could be read.
#[derive(Debug, Clone)]
pub enum Current {
    Missing,
    /// There, but it does not open or verify: the reason in words.
    Unreadable(String),
    Present(Box<Summary>),
}

/// How the backup's history relates to the current logbook's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relation {
    /// Exactly the same trail.
    Same,
    /// The current trail extends the backup's: restoring drops this many later entries.
    CurrentExtends(u64),
    /// The backup's trail extends the current one's: restoring adds this many entries.
    BackupExtends(u64),
    /// Neither extends the other: the first entry where they part.
    Diverged(Divergence),
    /// The backup is of a different logbook.
    OtherLogbook,
    /// There is no readable current logbook to compare with.
    NoCurrent,
}

/// The current logbook's access and concern folder, kept over the backup's by a restore:
/// a key removed since the backup (a deputy who left, a stolen laptop's key) must not open
/// the logbook again because an older copy was restored, a passphrase changed since (perhaps
/// because it leaked) must not open it again either, and a concern folder set up since must
/// go on being looked at. Empty when the backup's settings already agree.
#[derive(Debug, Clone, Default)]
pub struct Keeps {
    settings: Option<crate::model::Settings>,
    /// Holders and recovery keys the backup has that stay removed (names or short keys).
    pub stay_removed: Vec<String>,
    /// Holders and recovery keys added since the backup that stay.
    pub stay_added: Vec<String>,
    /// The concern folder the current logbook looks at, where the backup's differs.
    pub concern_inbox: Option<String>,
    /// The backup opens with a passphrase (its key) other than the one that opens the
    /// current logbook: the restored logbook opens with the current one (or, if the current
    /// logbook has none, with its key files), never with the backup's.
    pub passphrase_stays: Option<PassphraseStays>,
}

/// How the restored logbook opens, where the backup was made with another passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassphraseStays {
    /// With the current passphrase, through the current key file (which stays).
    Current,
    /// With the current key files only: the backup's passphrase no longer opens it.
    KeyFilesOnly,
}

impl Keeps {
    pub fn is_empty(&self) -> bool {
        self.settings.is_none()
    }

    /// Whether the restored logbook opens through the key file beside the current one
    /// (which then stays), rather than through the copy beside the backup.
    fn keeps_key_file(&self) -> bool {
        self.settings
            .as_ref()
            .is_some_and(|s| !s.passphrase_key.is_empty())
    }

    /// What of `current` the restored logbook keeps over `backup`'s settings: who opens it
    /// (the everyday keys, their holders and the passphrase's key, in either mode), the
    /// recovery keys and the concern folder.
    fn of(current: &crate::model::Settings, backup: &crate::model::Settings) -> Keeps {
        let mut after = backup.clone();
        after.recipients.clone_from(&current.recipients);
        after.holders.clone_from(&current.holders);
        after.passphrase_key.clone_from(&current.passphrase_key);
        after
            .recovery_recipients
            .clone_from(&current.recovery_recipients);
        let mut concern_inbox = None;
        if !current.concern_inbox.is_empty() && current.concern_inbox != backup.concern_inbox {
            after.concern_inbox.clone_from(&current.concern_inbox);
            concern_inbox = Some(current.concern_inbox.clone());
        }
        if after == *backup {
            return Keeps::default();
        }
        let passphrase_stays = (!backup.passphrase_key.is_empty()
            && backup.passphrase_key != current.passphrase_key)
            .then_some(if current.passphrase_key.is_empty() {
                PassphraseStays::KeyFilesOnly
            } else {
                PassphraseStays::Current
            });
        let named = |s: &crate::model::Settings, key: &str| {
            s.holders
                .iter()
                .find(|h| h.key == key)
                .map(|h| h.name.clone())
                .unwrap_or_else(|| short_key(key))
        };
        // The passphrases' own keys are said apart (`passphrase_stays`), not as holders.
        let keys = |s: &crate::model::Settings| -> Vec<(String, bool)> {
            let mut all: Vec<(String, bool)> = s
                .recipients
                .iter()
                .filter(|k| **k != current.passphrase_key && **k != backup.passphrase_key)
                .map(|k| (k.clone(), false))
                .collect();
            all.extend(s.recovery_recipients.iter().map(|k| (k.clone(), true)));
            all
        };
        let label = |s: &crate::model::Settings, (k, recovery): &(String, bool)| {
            if *recovery {
                format!("recovery key {}", short_key(k))
            } else {
                named(s, k)
            }
        };
        let (now, then) = (keys(current), keys(backup));
        Keeps {
            settings: Some(after),
            stay_removed: then
                .iter()
                .filter(|k| !now.contains(k))
                .map(|k| label(backup, k))
                .collect(),
            stay_added: now
                .iter()
                .filter(|k| !then.contains(k))
                .map(|k| label(current, k))
                .collect(),
            concern_inbox,
            passphrase_stays,
        }
    }
}

/// "age1l98pk5dx..." for a key with no holder's name.
fn short_key(key: &str) -> String {
    format!("{}...", key.chars().take(12).collect::<String>())
}

/// A record the backup holds that was disposed of since.
#[derive(Debug, Clone)]
pub struct Disposed {
    pub id: String,
    /// The audit entry of the disposal, and who made it.
    pub seq: u64,
    pub by: String,
    pub on: chrono::NaiveDate,
}

/// A staff concern taken in since the backup.
#[derive(Debug, Clone)]
pub struct DroppedConcern {
    pub receipt: String,
    pub from: String,
    pub taken_in: NaiveDateTime,
}

/// A verified backup ready to replace the current logbook, holding the logbook's lock.
pub struct Plan {
    pub file: PathBuf,
    pub live: PathBuf,
    pub backup: Summary,
    pub current: Current,
    pub relation: Relation,
    /// Key mode: the public keys given that the backup is not encrypted to at all (a new
    /// everyday key made for the restore, say), added to the restored logbook's recipients
    /// with an audit entry. A recovery key given is never among them: it goes on opening
    /// backups only.
    pub adds_recipients: Vec<String>,
    /// Who holds the keys in `adds_recipients`, recorded with them (`name_new_keys`).
    pub new_holder: Option<String>,
    /// What the restored logbook keeps of the current one's settings rather than the
    /// backup's: who can open it, and where staff concerns arrive.
    pub keeps: Keeps,
    /// Records the backup holds that were disposed of since (each by an audited disposal):
    /// restoring brings them back.
    pub brings_back: Vec<Disposed>,
    /// Staff concerns taken in since the backup: their files left the concern folder when
    /// they were taken in, so after the restore they are only in the kept copy.
    pub drops_concerns: Vec<DroppedConcern>,
    restored: Logbook,
    seen: Option<FileId>,
    _lock: Lock,
}

/// Verifies the backup `file`, reads the current logbook at `live` (which may be missing
/// or damaged), takes the logbook's lock and describes what a restore would do.
/// Changes nothing on disk except creating the logbook's folder and lock file.
pub fn plan(file: &Path, live: &Path, key: &Key) -> Result<Plan> {
    plan_with(file, live, key, &mut |_| Ok(None))
}

/// `plan`, where the passphrase `key` opens the current logbook but not the backup (made
/// with an earlier passphrase): `backup_secret` is asked, with the current logbook (to
/// say when its passphrase was changed), for the secret that opens the backup; `None`
/// leaves it at "wrong passphrase". The restored logbook keeps the current passphrase.
pub fn plan_with(
    file: &Path,
    live: &Path,
    key: &Key,
    backup_secret: &mut dyn FnMut(&Logbook) -> Result<Option<Key>>,
) -> Result<Plan> {
    // A linked logbook is restored where the link points, keeping the link.
    let live = &file::resolve_link(live);
    let current_read = if live.exists() {
        Some(vault::read(live, key).and_then(|(book, seen)| {
            book.verify_audit()?;
            Ok((book, seen))
        }))
    } else {
        None
    };
    let current_book = current_read
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .map(|(b, _)| b);
    let opened = opener_for(file, key, current_book).and_then(|o| open_backup(file, &o));
    let restored = match (opened, current_book) {
        (Ok(o), _) => o.logbook,
        // The current passphrase opens the logbook but not this backup: it was made with
        // an earlier passphrase (before `logbook passwd`), asked for apart (tester3 #20).
        (Err(Error::WrongSecret), Some(book)) if key.is_passphrase() => {
            let Some(then) = backup_secret(book)? else {
                return Err(Error::WrongSecret);
            };
            opener_for(file, &then, current_book)
                .and_then(|o| open_backup(file, &o))
                .map_err(|e| match e {
                    Error::WrongSecret => Error::KeyFiles(format!(
                        "The passphrase given for the backup {} does not open it either: give the passphrase the logbook had when the backup was made (or open it with a recovery key). Nothing was changed.",
                        crate::text::path(file)
                    )),
                    other => other,
                })?
                .logbook
        }
        (Err(e), _) => return Err(e),
    };

    let folder = file::folder_of(live);
    file::ensure_private_dir(&folder)?;
    let lock = Lock::acquire(live)?;
    // What was read must still be what is there, now that no one else can write.
    let seen = current_read
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .map(|(_, seen)| seen.clone());
    let now_there = FileId::of(live).ok();
    let unchanged = match (&current_read, &now_there) {
        (None, None) => true,
        (Some(Ok((_, seen))), Some(now)) => seen == now,
        (Some(Err(_)), Some(_)) => true,
        _ => false,
    };
    if !unchanged {
        return Err(Error::ChangedOnDisk(live.to_path_buf()));
    }

    let backup = Summary::of(&restored);
    let (current, relation) = match &current_read {
        None => (Current::Missing, Relation::NoCurrent),
        Some(Err(Error::WrongSecret)) if key.is_passphrase() => (
            Current::Unreadable(
                "it does not open with the passphrase given; if its passphrase was changed since the backup, answer no and give the current one: the backup's is then asked apart, and the logbook keeps the current one".into(),
            ),
            Relation::NoCurrent,
        ),
        Some(Err(Error::WrongSecret)) => (
            Current::Unreadable("it does not open with the key given".into()),
            Relation::NoCurrent,
        ),
        Some(Err(e)) => (Current::Unreadable(e.to_string()), Relation::NoCurrent),
        Some(Ok((book, _))) => (
            Current::Present(Box::new(Summary::of(book))),
            relate(book, &restored),
        ),
    };
    let same = current_book.filter(|book| book.id() == restored.id());
    let keeps = same.map_or_else(Keeps::default, |book| {
        Keeps::of(&book.settings, &restored.settings)
    });
    let brings_back = same.map_or_else(Vec::new, |book| {
        restored
            .incidents
            .iter()
            .filter_map(|i| {
                let entry = book.disposal_entry(&i.id)?;
                Some(Disposed {
                    id: i.id.clone(),
                    seq: entry.seq,
                    by: entry.by.clone(),
                    on: entry.at.date_naive(),
                })
            })
            .collect()
    });
    let drops_concerns = same.map_or_else(Vec::new, |book| {
        book.concerns
            .iter()
            .filter(|c| {
                !restored
                    .concerns
                    .iter()
                    .any(|r| r.concern.receipt == c.concern.receipt)
            })
            .map(|c| DroppedConcern {
                receipt: c.concern.receipt.clone(),
                from: c.concern.from(),
                taken_in: c.taken_in,
            })
            .collect()
    });
    let adds_recipients =
        new_everyday_keys(key, keeps.settings.as_ref().unwrap_or(&restored.settings))?;
    Ok(Plan {
        file: file.to_path_buf(),
        live: live.to_path_buf(),
        backup,
        current,
        relation,
        adds_recipients,
        new_holder: None,
        keeps,
        brings_back,
        drops_concerns,
        restored,
        seen,
        _lock: lock,
    })
}

impl Plan {
    /// The logbook the restore will write (before any recipient it adds).
    pub fn restored(&self) -> &Logbook {
        &self.restored
    }
}

/// The keys given that a key-mode backup is not encrypted to: they become everyday keys of
/// the restored logbook. A recovery key opens the backup but never the restored logbook,
/// so a restore with recovery keys alone is refused, saying to make a new everyday key
/// and give it too (the restore reads the result back with the keys given).
fn new_everyday_keys(key: &Key, settings: &crate::model::Settings) -> Result<Vec<String>> {
    if !matches!(key, Key::Identities(_)) || settings.recipients.is_empty() {
        return Ok(Vec::new());
    }
    let mine = key.public_keys();
    if mine.iter().any(|k| settings.recipients.contains(k)) {
        return Ok(Vec::new());
    }
    let new: Vec<String> = mine
        .into_iter()
        .filter(|k| !settings.recovery_recipients.contains(k))
        .collect();
    if new.is_empty() {
        return Err(Error::Usage(
            "A recovery key opens backups only, and stays that way after a restore: make a new everyday key first (`logbook keygen --out FILE --name NAME`), then give both (--identity RECOVERY-KEY --identity FILE) and the new key's holder (--name NAME). Nothing was changed.".into(),
        ));
    }
    Ok(new)
}

fn relate(current: &Logbook, backup: &Logbook) -> Relation {
    if current.id() != backup.id() {
        return Relation::OtherLogbook;
    }
    if current.head() == backup.head() {
        return Relation::Same;
    }
    match current.trail_extends(&backup.audit) {
        Ok(added) => Relation::CurrentExtends(added),
        Err(d) => match backup.trail_extends(&current.audit) {
            Ok(added) => Relation::BackupExtends(added),
            Err(_) => Relation::Diverged(d),
        },
    }
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    /// Where the replaced logbook was kept (none when there was no logbook).
    pub kept_as: Option<PathBuf>,
    pub head: Head,
}

/// Replaces the logbook with the planned backup: the current file is kept (hard-linked,
/// or copied where links are not supported) as `NAME.before-restore-TIMESTAMP`; the
/// backup is re-encrypted with `key` as the logbook (passphrase, or its recipients) into a
/// temporary file beside it, fsynced, renamed over the logbook, the folder fsynced, and the
/// result read back and checked. On failure before the rename the logbook is as it was;
/// no failure removes the kept copy, and each error says what is on disk.
pub fn apply(plan: Plan, key: Key, stamp: &Stamp, now: DateTime<FixedOffset>) -> Result<Restored> {
    let Plan {
        file: backup_file,
        live,
        mut restored,
        seen,
        adds_recipients,
        new_holder,
        keeps,
        _lock,
        ..
    } = plan;
    let folder = file::folder_of(&live);
    let name = live
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "logbook.age".into());
    remove_partials(&folder, &name);
    if seen.is_some() && FileId::of(&live).ok() != seen {
        return Err(Error::ChangedOnDisk(live.clone()));
    }
    // The current logbook's keys and concern folder stay (an audit entry records the
    // change from the backup's), so a removed key does not come back with an older copy.
    // With the current passphrase's key, the key file beside the logbook stays as it is.
    let keeps_key_file = keeps.keeps_key_file();
    if let Some(after) = keeps.settings {
        restored.update_settings(stamp, |s| *s = after)?;
    }
    if !adds_recipients.is_empty() {
        let Some(name) = new_holder.filter(|n| !n.trim().is_empty()) else {
            return Err(Error::Usage(
                "Name the holder of the new everyday key given for the restore: --name NAME. Nothing was changed.".into(),
            ));
        };
        restored.update_settings(stamp, |s| {
            for key in &adds_recipients {
                s.holders.retain(|h| h.key != *key);
                s.holders.push(crate::model::Holder {
                    key: key.clone(),
                    name: name.trim().to_string(),
                });
            }
            s.recipients.extend(adds_recipients);
        })?;
    }
    // Passphrase mode: the key file that opens the restored logbook is staged beside it,
    // to take its place once the logbook is in place. A passphrase backup from before key
    // files gets a new key, sealed with the passphrase (audited); a newer one brings the
    // copy of its key file from beside the backup.
    let mut fallback = None;
    let mut staged = false;
    if restored.settings.recipients.is_empty() {
        match &key {
            Key::Passphrase(pass) => {
                vault::stage_passphrase_key(&live, &mut restored, pass, stamp)?;
                staged = true;
            }
            Key::Identities(ids) => fallback = Some(ids.recipients()),
        }
    } else if !restored.settings.passphrase_key.is_empty() && !keeps_key_file {
        let copy = file::folder_of(&backup_file).join(super::names::passphrase_key_file_name(
            &restored.id(),
            &vault::fingerprint(&restored.settings.passphrase_key),
        ));
        if let Ok(bytes) = file::read_regular(&copy, file::limits::IDENTITY, file::Links::Refuse) {
            vault::stage_key_file(&live, &bytes)?;
            staged = true;
        }
    }
    // The restore itself is on the record: who restored which backup.
    let from = backup_file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    restored.record_restore(stamp, &from)?;

    let kept_as = if live.exists() {
        let stamp = now.format("%Y%m%d-%H%M%S").to_string();
        let before = (1..)
            .map(|n| match n {
                1 => folder.join(format!("{name}.before-restore-{stamp}")),
                n => folder.join(format!("{name}.before-restore-{stamp}-{n}")),
            })
            .find(|p| fs::symlink_metadata(p).is_err())
            .unwrap_or_else(|| folder.join(format!("{name}.before-restore-{stamp}")));
        // Passphrase mode: the replaced logbook opens only with its own key file, which
        // the restore may replace; it is kept beside the copy, named to match it.
        let live_key = vault::key_file_path(&live);
        let kept = keep_copy(&live, &before).and_then(|()| {
            if live_key.exists() {
                keep_copy(&live_key, &vault::key_file_path(&before))
            } else {
                Ok(())
            }
        });
        if let Err(e) = kept {
            if staged {
                vault::discard_staged_key_file(&live);
            }
            // A link or copy may stand already: say so rather than remove it.
            if fs::symlink_metadata(&before).is_ok() {
                return Err(Error::NotRestored {
                    cause: Box::new(e),
                    kept: before,
                });
            }
            return Err(e);
        }
        Some(before)
    } else {
        None
    };
    // From here on no error path removes the kept copy: until the rename it is a second
    // copy of the unchanged logbook, after it the only copy of what the logbook held.
    let not_restored = |cause: Error| match &kept_as {
        Some(kept) => Error::NotRestored {
            cause: Box::new(cause),
            kept: kept.clone(),
        },
        None => cause,
    };

    let temp = folder.join(format!(".{name}.restore-{}.age", std::process::id()));
    match Vault::create(&temp, &restored, fallback) {
        // The temporary file is written and fsynced; the folder is flushed after the rename.
        Ok(_) | Err(Error::Unflushed { .. }) => {}
        Err(e) => {
            if staged {
                vault::discard_staged_key_file(&live);
            }
            let _ = fs::remove_file(&temp);
            let _ = fs::remove_file(file::lock_path(&temp));
            return Err(not_restored(e));
        }
    }
    let _ = fs::remove_file(file::lock_path(&temp));
    if let Err(e) = file::rename(&temp, &live) {
        let _ = fs::remove_file(&temp);
        if staged {
            vault::discard_staged_key_file(&live);
        }
        return Err(not_restored(Error::io("restoring", &live, e)));
    }
    // The logbook is in place: its key file (passphrase mode) takes its place beside it.
    let promoted = if staged {
        vault::promote_key_file(&live)
    } else {
        Ok(())
    };
    // The backup is the logbook now: a failed flush is reported as such, never undone.
    if let Err(source) = file::sync_folder(&folder) {
        return Err(Error::RestoredUnflushed {
            live: live.clone(),
            kept: kept_as.clone(),
            source,
        });
    }
    // Read it back as the logbook it now is.
    let check = promoted
        .and_then(|()| vault::read(&live, &key))
        .and_then(|(book, _)| {
            book.verify_audit()?;
            if book == restored {
                Ok(())
            } else {
                Err(Error::Unreadable {
                    path: live.clone(),
                    detail: "it does not read back as the backup".into(),
                })
            }
        });
    if let Err(e) = check {
        // Put the replaced logbook back where it was, keeping the copy: a hard link back.
        let back = kept_as.as_ref().map(|before| {
            let temp = folder.join(format!(".{name}.restore-{}.back", std::process::id()));
            fs::hard_link(before, &temp)
                .or_else(|_| fs::copy(before, &temp).map(|_| ()))
                .and_then(|()| file::rename(&temp, &live))
                .and_then(|()| file::sync_folder(&folder))
        });
        return Err(match back {
            Some(Ok(())) => not_restored(e),
            _ => e,
        });
    }
    Ok(Restored {
        kept_as,
        head: restored.head(),
    })
}

/// Keeps the current logbook under `before`: a hard link (instant, and the very same
/// bytes), or an owner-only copy, fsynced, where the file system has no links.
fn keep_copy(live: &Path, before: &Path) -> Result<()> {
    if before.exists() {
        return Err(Error::Exists(before.to_path_buf()));
    }
    if fs::hard_link(live, before).is_err() {
        let mut to = file::create_private(before)?;
        let copied = fs::File::open(live)
            .and_then(|mut from| std::io::copy(&mut from, &mut to))
            .and_then(|_| file::sync_file(&to));
        if let Err(e) = copied {
            let _ = fs::remove_file(before);
            return Err(Error::io("keeping a copy of the logbook as", before, e));
        }
    }
    // The old logbook stays owner-only, whatever its mode was.
    file::make_private(before)
        .and_then(|()| file::sync_folder(&file::folder_of(before)))
        .map_err(|e| Error::io("keeping a copy of the logbook as", before, e))
}

/// Removes what an interrupted restore left: its temporary logbook and lock. Called while
/// holding the logbook's lock.
fn remove_partials(folder: &Path, name: &str) {
    let prefixes = [format!(".{name}.restore-"), format!("..{name}.restore-")];
    if let Ok(entries) = fs::read_dir(folder) {
        for entry in entries.flatten() {
            let n = entry.file_name().to_string_lossy().into_owned();
            if prefixes.iter().any(|p| n.starts_with(p.as_str())) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}
