//! `backup`, `backups`, `restore`, `recovery` and `verify --against`: the command-line side
//! of `crate::backup`. Every value from a logbook or a medium is printed through
//! `text::line`.

use std::io::{BufRead as _, IsTerminal as _, Write};

use chrono::Timelike as _;
use std::path::{Path, PathBuf};

use super::args::{BackupArgs, Global, RecoveryArgs};
use super::print::count;
use super::{logbook_path, now, operator, secret, stdout_error};
use crate::backup::{self, Current, Item, Relation, RestoreRelation, State, Summary, Volume};
use crate::error::{Error, Result};
use crate::model::{AuditEntry, Divergence, Logbook, Stamp};
use crate::present;
use crate::text::line;
use crate::vault::{self, Access, Key, Vault, file};

/// Reads a logbook, or a backup: with a passphrase, a backup (encrypted to the backup key)
/// opens through the key file beside it.
pub(super) fn read_logbook_or_backup(path: &Path, key: &Key) -> Result<Logbook> {
    match vault::read(path, key) {
        Ok((book, _)) => Ok(book),
        Err(Error::NeedsIdentity(_)) if key.is_passphrase() => {
            let opener = backup::opener_for(path, key, None)?;
            Ok(vault::read(path, &opener.key()?)?.0)
        }
        Err(e) => Err(e),
    }
}

/// `verify` given the backups' manifest: said what it is, before any secret is asked
/// (tester3 #32).
pub(super) fn refuse_manifest(path: &Path) -> Result<()> {
    let is_manifest = path
        .file_name()
        .is_some_and(|n| backup::is_manifest_name(&n.to_string_lossy()));
    if is_manifest {
        return Err(Error::Usage(format!(
            "{} is the manifest of the backups beside it (what each one holds, for rotation), not a backup or a logbook: `logbook backups {}` checks the backups with it.",
            crate::text::path(path),
            crate::text::path(&file::folder_of(path))
        )));
    }
    Ok(())
}

fn entry_text(e: &AuditEntry) -> String {
    format!(
        "#{} {} by {}: {}",
        e.seq,
        present::at(&e.at),
        line(&e.by),
        line(&e.action)
    )
}

/// What differs between two versions of one audit entry, field by field with both values,
/// so that two versions differing only in a value (a change's old or new text, the exact
/// second, a hash) never read the same.
fn entry_difference(was: &AuditEntry, now: &AuditEntry) -> String {
    let mut parts = Vec::new();
    let mut differ = |what: &str, a: String, b: String| {
        if a != b {
            parts.push(format!("{what} was {} and is now {}", line(&a), line(&b)));
        }
    };
    differ("the time", was.at.to_rfc3339(), now.at.to_rfc3339());
    differ("the author", was.by.clone(), now.by.clone());
    differ(
        "the record",
        format!("{:?}", was.subject),
        format!("{:?}", now.subject),
    );
    differ("the action", was.action.clone(), now.action.clone());
    let longest = was.changes.len().max(now.changes.len());
    for i in 0..longest {
        let show = |c: Option<&crate::model::FieldChange>| {
            c.map_or_else(
                || "absent".to_string(),
                |c| format!("{}: {:?} -> {:?}", c.field, c.old, c.new),
            )
        };
        differ(
            &format!("change {}", i + 1),
            show(was.changes.get(i)),
            show(now.changes.get(i)),
        );
    }
    differ(
        "the state hash",
        was.state.to_string(),
        now.state.to_string(),
    );
    // Nothing else differs: then only the chain hash does, and it is named.
    let only_hash = was.hash != now.hash;
    if parts.is_empty() && only_hash {
        parts.push(format!(
            "the entry hash was {} and is now {}",
            was.hash, now.hash
        ));
    }
    parts.join("; ")
}

/// `verify --against BACKUP`: the logbook (already verified) must extend the backup.
pub(super) fn verify_against(
    path: &Path,
    current: &Logbook,
    backup_file: &Path,
    key: &Key,
    out: &mut dyn Write,
) -> Result<()> {
    let not_held = |e: Error| match e {
        Error::WrongSecret if !key.is_passphrase() => {
            Error::BackupKeyNotHeld(backup_file.to_path_buf())
        }
        other => other,
    };
    let opener = backup::opener_for(backup_file, key, Some(current)).map_err(not_held)?;
    let earlier = backup::open_backup(backup_file, &opener)
        .map_err(not_held)?
        .logbook;
    if earlier.id() != current.id() {
        return Err(Error::OtherLogbook {
            backup: backup_file.to_path_buf(),
        });
    }
    match current.trail_extends(&earlier.audit) {
        Ok(added) => {
            let head = earlier.head();
            let held = if head.len == 1 {
                "the one audit entry the backup holds is here exactly as it was".to_string()
            } else {
                format!(
                    "all {} audit entries the backup holds are here exactly as they were",
                    head.len
                )
            };
            writeln!(
                out,
                "{} extends {} unchanged: {held} (entry {} has the backup's last hash {}), and {} added since.",
                crate::text::path(path),
                crate::text::path(backup_file),
                head.len,
                head.hash,
                count(added, "entry was", "entries were")
            )
            .map_err(stdout_error)?;
            // Entries emptied at a disposal since keep their links, not their content.
            let emptied = current
                .audit
                .iter()
                .take(earlier.audit.len())
                .filter(|e| e.redacted.is_some())
                .count();
            if emptied > 0 {
                writeln!(
                    out,
                    "Of those, {emptied} about records disposed of since keep only their date, author and link: their content was removed with the record."
                )
                .map_err(stdout_error)?;
            }
            // Records the backup holds that are gone now were disposed of: the trail
            // (verified above) holds an audited disposal for each.
            let disposed: Vec<String> = earlier
                .incidents
                .iter()
                .filter_map(|i| current.disposal_entry(&i.id).map(|e| (i, e)))
                .map(|(i, e)| format!("{} (audit entry {}, {})", i.id, e.seq, e.by))
                .collect();
            if !disposed.is_empty() {
                writeln!(
                    out,
                    "Disposed of since the backup, each by an audited disposal: {}.",
                    crate::text::line(&disposed.join(", "))
                )
                .map_err(stdout_error)?;
            }
            Ok(())
        }
        Err(d @ Divergence::Differs { seq }) => {
            // The logbook's own audited restore explains it: said as such (tester3 #10).
            if let Some(drop) = backup::RestoreDrop::of(current, &d) {
                return Err(Error::NotExtended {
                    backup: backup_file.to_path_buf(),
                    detail: format!(
                        "from audit entry {seq} on it holds history that {} dropped: the logbook was restored from an older backup since, so this backup is not part of its history (nothing was rewritten)",
                        restore_text(&drop)
                    ),
                });
            }
            let i = seq as usize - 1;
            Err(Error::NotExtended {
                backup: backup_file.to_path_buf(),
                detail: format!(
                    "audit entry {seq} differs from the backup's ({}; in the backup it reads {}), so history recorded before the backup was rewritten since",
                    entry_difference(&earlier.audit[i], &current.audit[i]),
                    entry_text(&earlier.audit[i]),
                ),
            })
        }
        Err(d) => Err(Error::NotExtended {
            backup: backup_file.to_path_buf(),
            detail: d.to_string(),
        }),
    }
}

pub(super) fn ask_line(prompt: &str) -> Result<String> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|_| Error::NoTerminal("confirmation"))?;
    Ok(answer.trim().to_string())
}

/// Asks before a change that loses something (a key's access, a backup): `said` (what is
/// lost and what is left) and the question on a terminal, answered by typing yes; without
/// a terminal it is refused with `refused` unless `yes` (--yes, for scripts) was given.
/// Returns whether to go ahead.
pub(super) fn confirm(yes: bool, said: &str, question: &str, refused: &str) -> Result<bool> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Usage(refused.into()));
    }
    eprint!("{said}");
    let answer = ask_line(question)?;
    Ok(answer.eq_ignore_ascii_case("yes"))
}

fn volume_text(v: &Volume) -> String {
    if v.device == "?" {
        crate::text::path(&v.path).to_string()
    } else {
        format!("{} ({})", crate::text::path(&v.path), line(&v.device))
    }
}

/// Without --to: offer the removable volumes found, asking on a terminal.
fn choose_volume(logbook_folder: &Path) -> Result<PathBuf> {
    let volumes = backup::removable_volumes(logbook_folder);
    if volumes.is_empty() {
        return Err(Error::Usage(
            "No removable medium is mounted: plug in a USB stick and try again, or give --to DIR."
                .into(),
        ));
    }
    let listed = volumes
        .iter()
        .map(volume_text)
        .collect::<Vec<_>>()
        .join(", ");
    if !std::io::stdin().is_terminal() {
        return Err(Error::Usage(format!(
            "Found removable media at {listed}, and there is no terminal to confirm one: give --to DIR with the one to back up to."
        )));
    }
    if let [only] = volumes.as_slice() {
        let answer = ask_line(&format!("Back up to {}? [y/N] ", volume_text(only)))?;
        if answer.eq_ignore_ascii_case("y") || answer.eq_ignore_ascii_case("yes") {
            return Ok(only.path.clone());
        }
        return Err(Error::Usage(
            "No backup was made: give --to DIR to choose the folder.".into(),
        ));
    }
    for (i, v) in volumes.iter().enumerate() {
        eprintln!("  {}  {}", i + 1, volume_text(v));
    }
    let answer = ask_line(&format!(
        "Back up to which one? [1-{}, Enter to cancel] ",
        volumes.len()
    ))?;
    answer
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| volumes.get(i))
        .map(|v| v.path.clone())
        .ok_or_else(|| {
            Error::Usage("No backup was made: give --to DIR to choose the folder.".into())
        })
}

pub(super) fn backup(global: &Global, args: BackupArgs, out: &mut dyn Write) -> Result<()> {
    let path = logbook_path(global)?;
    if !path.exists() {
        return Err(Error::NoLogbook(path));
    }
    let folder = file::folder_of(&path);
    let dir = match &args.to {
        Some(d) => d.clone(),
        None => choose_volume(&folder)?,
    };
    backup::device_of(&dir).map_err(|_| backup::missing_folder(&dir))?;
    if !dir.is_dir() {
        return Err(backup::missing_folder(&dir));
    }
    if !args.allow_same_disk {
        backup::check_destination(&dir, &path)?;
    }

    // A passphrase opens the key file beside the logbook (one scrypt run); a logbook from
    // before key files is moved to one first (opened for writing, audited).
    let given = secret::open_key(global, &path)?;
    let (logbook, key) = match vault::read_unlocking(&path, &given)? {
        (_, Key::Passphrase(_)) => {
            let (_, book, key) = super::open_with(global, &path, &given, Access::Write)?;
            (book, key)
        }
        opened => opened,
    };
    logbook.verify_audit()?;
    // Who is backing up, asked before the long work.
    let by = operator(global, Some(&key), &logbook.settings)?;
    let keep = args.keep.unwrap_or(logbook.settings.backup_keep) as usize;
    let at = now();
    let options = backup::Options {
        keep,
        // Whole seconds, as in the file name.
        now: at.with_nanosecond(0).unwrap_or(at),
        key_file: (!logbook.settings.passphrase_key.is_empty())
            .then(|| vault::key_file_path(&path)),
        refuse_disk_of: (!args.allow_same_disk).then(|| path.clone()),
    };
    let report = backup::run(&logbook, &key, &dir, &options, &mut |_| {})?;
    // The trail records each verified backup (the app's status bar reads its age from it).
    // If the app has the logbook open it holds the lock: the backup stands, unrecorded.
    let name = report
        .path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let recorded = Vault::open(&path, &key, Access::Write).and_then(|(mut vault, mut book, _)| {
        book.record_backup(&Stamp::new(by, now()), &name)?;
        vault.save(&book)
    });

    let mut text = format!(
        "Backed up to {} and read it back from the medium: sound, {}, {} (last entry hash {}), {} bytes, SHA-256 {}.\n",
        crate::text::path(&report.path),
        count(report.incidents as u64, "incident", "incidents"),
        count(report.head.len, "audit entry", "audit entries"),
        report.head.hash,
        report.size,
        report.sha256
    );
    if let Err(e) = recorded {
        text.push_str(&format!(
            "The backup is good, but it is not recorded in the logbook's trail: {e}\n"
        ));
    }
    let recovery = logbook.settings.recovery_recipients.len();
    let recovery_text = match recovery {
        0 => String::new(),
        1 => " and by the recovery key".into(),
        n => format!(" and by each of the {n} recovery keys"),
    };
    match &report.key_file {
        Some(key_file) => text.push_str(&format!(
            "It opens with the passphrase (through the key file {} beside it){recovery_text}.\n",
            crate::text::path(key_file)
        )),
        None => text.push_str(&format!(
            "It opens with the logbook's keys{recovery_text}.\n"
        )),
    }
    if !report.rotation.removed.is_empty() {
        text.push_str(&format!(
            "Removed {}, keeping the newest {keep}: {}.\n",
            count(
                report.rotation.removed.len() as u64,
                "older backup",
                "older backups"
            ),
            report.rotation.removed.join(", ")
        ));
    }
    for name in &report.rotation.kept_as_evidence {
        text.push_str(&format!(
            "Kept {name} although it is beyond --keep {keep}: the current audit trail does not extend it, so it is evidence of a change to history (see `logbook verify --against`).\n"
        ));
    }
    // Backups encrypted to keys not given (another logbook's, or this one's from before a
    // passphrase change) are counted, not listed one line each (tester3 #32).
    let (unknown, named): (Vec<&Item>, Vec<&Item>) = report
        .left
        .iter()
        .partition(|i| matches!(&i.state, State::Unknown(why) if why == backup::NOT_OPENED));
    for item in named {
        text.push_str(&format!(
            "Left {} untouched: {}.\n",
            line(&item.name),
            state_text(item)
        ));
    }
    if !unknown.is_empty() {
        text.push_str(&format!(
            "Left {} untouched that the keys given do not open (another logbook's, or this one's made with keys or a passphrase it no longer has); `logbook backups {}` lists them.\n",
            count(unknown.len() as u64, "backup", "backups"),
            crate::text::path(&dir)
        ));
    }
    if !report.rotation.dropped_by_restore.is_empty() {
        out.write_all(text.as_bytes()).map_err(stdout_error)?;
        text = dropped_by_restore(
            &logbook,
            &key,
            &dir,
            &report.rotation.dropped_by_restore,
            keep,
            args.yes,
        )?;
    }
    if !report.cleaned.is_empty() {
        text.push_str(&format!(
            "Removed {} left by an interrupted backup.\n",
            count(report.cleaned.len() as u64, "partial file", "partial files")
        ));
    }
    for note in &report.notes {
        text.push_str(note);
        text.push('\n');
    }
    text.push_str("Everything is written to the medium; eject it before unplugging it.\n");
    out.write_all(text.as_bytes()).map_err(stdout_error)
}

/// How an audited restore is named: "the restore of 2026-11-30 13:12 (audit entry 27,
/// R. Okafor: restored the logbook from the backup logbook-...age)".
fn restore_text(drop: &backup::RestoreDrop) -> String {
    format!(
        "the restore of {} (audit entry {}, {}: {})",
        present::at(&drop.at),
        drop.seq,
        line(&drop.by),
        line(&drop.action)
    )
}

/// The older backups beyond --keep that hold history an audited restore dropped: named,
/// with what they still open to, then removed if the person says yes (--yes), else kept
/// with how to remove them (tester3 #10). Returns the text that follows.
fn dropped_by_restore(
    logbook: &Logbook,
    key: &Key,
    dir: &Path,
    dropped: &[(String, backup::RestoreDrop)],
    keep: usize,
    yes: bool,
) -> Result<String> {
    let names: Vec<String> = dropped.iter().map(|(n, _)| n.clone()).collect();
    let mut restores: Vec<String> = dropped.iter().map(|(_, d)| restore_text(d)).collect();
    restores.dedup();
    let one = names.len() == 1;
    let said = format!(
        "Beyond --keep {keep}, {} {} history that {} dropped, so {} not removed by {}: {}. {} still open{} with the keys {} made with, including any removed since (a deputy who left, a lost key).\n",
        count(names.len() as u64, "older backup", "older backups"),
        if one { "holds" } else { "hold" },
        restores.join(" and "),
        if one { "it is" } else { "they are" },
        if one { "itself" } else { "themselves" },
        names.join(", "),
        if one { "It" } else { "They" },
        if one { "s" } else { "" },
        if one { "it was" } else { "they were" },
    );
    let terminal = std::io::stdin().is_terminal();
    let go = if yes {
        true
    } else if terminal {
        eprint!("{said}");
        let question = if one {
            "Remove it too? Type yes to remove it: "
        } else {
            "Remove them too? Type yes to remove them: "
        };
        ask_line(question)?.eq_ignore_ascii_case("yes")
    } else {
        false
    };
    let mut text = String::new();
    if !go {
        if !terminal {
            text.push_str(&said);
        }
        text.push_str(&format!(
            "Kept {}: to remove {} run the backup again with --yes (`logbook backup --to {} --keep {keep} --yes`), or destroy {} by hand once checked with `logbook verify --against`.\n",
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" },
            crate::text::path(dir),
            if names.len() == 1 { "it" } else { "them" },
        ));
        return Ok(text);
    }
    let removed = backup::remove_dropped(logbook, key, dir, &names)?;
    let left: Vec<&String> = names.iter().filter(|n| !removed.contains(n)).collect();
    if !removed.is_empty() {
        text.push_str(&format!(
            "Removed {} that held history the restore dropped: {}.\n",
            count(removed.len() as u64, "older backup", "older backups"),
            removed.join(", ")
        ));
    }
    if !left.is_empty() {
        text.push_str(&format!(
            "Left {} (it changed since it was judged): {}.\n",
            count(left.len() as u64, "backup", "backups"),
            left.iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(text)
}

fn state_text(item: &Item) -> String {
    match &item.state {
        State::Verified if item.in_manifest => "verified".into(),
        State::Verified => "verified, a backup of this logbook that the manifest does not list (an interrupted backup's); rotated like the others".into(),
        State::Damaged(why) => format!("damaged: {}", line(why)),
        State::OtherLogbook => format!(
            "a backup of another logbook ({})",
            item.info
                .as_ref()
                .map_or("?", |i| backup::short_id(&i.logbook))
        ),
        State::Unknown(why) if why.is_empty() => "unknown".into(),
        State::Unknown(why) => format!("unknown: {}", line(why)),
    }
}

/// The folder for `backups` without DIR: the one removable medium mounted.
fn listing_folder(logbook_folder: &Path) -> Result<PathBuf> {
    let volumes = backup::removable_volumes(logbook_folder);
    match volumes.as_slice() {
        [only] => Ok(only.path.clone()),
        [] => Err(Error::Usage(
            "No removable medium is mounted: plug one in, or give the folder: `logbook backups DIR`."
                .into(),
        )),
        many => Err(Error::Usage(format!(
            "Found several removable media ({}): give the folder: `logbook backups DIR`.",
            many.iter().map(volume_text).collect::<Vec<_>>().join(", ")
        ))),
    }
}

pub(super) fn backups(global: &Global, dir: Option<PathBuf>, out: &mut dyn Write) -> Result<()> {
    let path = logbook_path(global)?;
    let dir = match dir {
        Some(d) => d,
        None => listing_folder(&file::folder_of(&path))?,
    };
    if !dir.is_dir() {
        return Err(backup::missing_folder(&dir));
    }
    let key = secret::open_key(global, &path)?;
    let mut notes = Vec::new();
    let live = if path.exists() {
        match vault::read(&path, &key) {
            Ok((book, _)) => match book.verify_audit() {
                Ok(()) => Some(book),
                Err(fault) => {
                    notes.push(format!(
                        "The current logbook's audit trail is broken ({fault}): it is not compared with the backups; `logbook restore` one of them."
                    ));
                    None
                }
            },
            // Keys that open backups but not the logbook (a recovery key) still list them.
            Err(Error::WrongSecret) if !key.is_passphrase() => {
                notes.push(
                    "The keys given do not open the current logbook (a recovery key opens backups only), so the backups are not compared with it.".into(),
                );
                None
            }
            Err(e @ (Error::WrongSecret | Error::NeedsIdentity(_) | Error::NeedsPassphrase(_))) => {
                return Err(e);
            }
            Err(e) => {
                notes.push(format!(
                    "The current logbook could not be read, so it is not compared with the backups: {e}"
                ));
                None
            }
        }
    } else {
        notes.push(format!(
            "There is no logbook at {}, so the backups are not compared with one.",
            crate::text::path(&path)
        ));
        None
    };
    let mut opener = backup::Opener::new(&key, live.as_ref());
    if key.is_passphrase() {
        let had_some = !opener.is_empty();
        match opener.add_key_files(&dir, &key) {
            Ok(0) | Err(_) if had_some => {}
            Err(Error::WrongSecret) => return Err(Error::WrongSecret),
            Ok(0) | Err(_) => notes.push(format!(
                "No backup key file in {} opens with this passphrase, so passphrase backups show as unknown.",
                crate::text::path(&dir)
            )),
            Ok(_) => {}
        }
    }
    let listing = backup::list(&dir, &opener, live.as_ref())?;

    let mut text = match &live {
        Some(book) => format!(
            "Backups in {} (this logbook is {}), newest first:\n",
            crate::text::path(&dir),
            backup::short_id(&book.id())
        ),
        None => format!("Backups in {}, newest first:\n", crate::text::path(&dir)),
    };
    if listing.items.is_empty() {
        text.push_str("  none\n");
    }
    let mut damaged = 0;
    let mut diverged = 0;
    let mut dropped = 0;
    for item in &listing.items {
        let mut row = format!("  {}  {:<13}", line(&item.name), item.state.label());
        match (&item.state, &item.info) {
            (State::Verified, Some(info)) => {
                if let Some(written) = info.written {
                    row.push_str(&format!("  {}", present::at(&written)));
                }
                row.push_str(&format!(
                    "  {}  {}",
                    count(info.incidents, "incident", "incidents"),
                    count(info.head.len, "entry", "entries")
                ));
                match &item.relation {
                    Some(Relation::Extends(0)) => {
                        row.push_str("  the current trail is exactly this backup's")
                    }
                    Some(Relation::Extends(n)) => row.push_str(&format!(
                        "  the current trail extends it unchanged (+{})",
                        count(*n, "entry", "entries")
                    )),
                    Some(Relation::Diverges(d)) => {
                        diverged += 1;
                        row.push_str(&format!("  NOT extended by the current trail: {d}"));
                    }
                    // Explained by the logbook's own audited restore: said as such, not as
                    // a rewrite (tester3 #10).
                    Some(Relation::DroppedByRestore(drop)) => {
                        dropped += 1;
                        row.push_str(&format!(
                            "  holds history from entry {} on that {} dropped",
                            drop.differs,
                            restore_text(drop)
                        ));
                    }
                    None => {}
                }
                if !item.in_manifest && live.is_some() {
                    row.push_str("  (not in the manifest)");
                }
            }
            (State::Damaged(_), _) => {
                damaged += 1;
                row.push_str(&format!("  {}", state_text(item)));
            }
            _ => row.push_str(&format!("  {}", state_text(item))),
        }
        text.push_str(&row);
        text.push('\n');
    }
    if !listing.partials.is_empty() {
        text.push_str(&format!(
            "Partial files left by interrupted backups (not backups; the next backup removes them): {}\n",
            listing
                .partials
                .iter()
                .map(|p| line(p).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !listing.missing.is_empty() {
        text.push_str(&format!(
            "The manifest lists backups that are no longer here: {}\n",
            // Names from the manifest are anyone's words (it has no sender authentication).
            listing
                .missing
                .iter()
                .map(|n| line(n).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(why) = &listing.manifest_problem {
        text.push_str(&format!("The manifest could not be read: {why}.\n"));
    }
    if dropped > 0 {
        text.push_str(&format!(
            "{} history a restore dropped: {} may still open with keys removed since; `logbook backup --to {} --keep N --yes` removes those beyond N, or destroy them by hand once checked.\n",
            if dropped == 1 { "1 backup holds".to_string() } else { format!("{dropped} backups hold") },
            if dropped == 1 { "it" } else { "they" },
            crate::text::path(&dir)
        ));
    }
    for note in notes {
        text.push_str(&note);
        text.push('\n');
    }
    out.write_all(text.as_bytes()).map_err(stdout_error)?;
    if damaged + diverged > 0 {
        return Err(Error::CheckFailed(format!(
            "{} in {} cannot be relied on ({damaged} damaged, {diverged} not extended by the current trail): keep them all, make a new backup, and check the history with `logbook verify --against`.",
            count((damaged + diverged) as u64, "backup", "backups"),
            crate::text::path(&dir)
        )));
    }
    Ok(())
}

fn summary_text(label: &str, place: &Path, s: &Summary) -> String {
    let mut t = format!(
        "{label:<8} {}\n         {}, {}, {}\n",
        crate::text::path(place),
        count(s.incidents, "incident", "incidents"),
        count(s.people, "person", "people"),
        count(s.head.len, "audit entry", "audit entries")
    );
    if let Some((id, reported)) = &s.newest {
        t.push_str(&format!(
            "         newest incident {}, reported {}\n",
            line(id),
            present::when(*reported)
        ));
    }
    if let Some(e) = &s.last_entry {
        t.push_str(&format!("         last audit entry {}\n", entry_text(e)));
    }
    t
}

/// What a restore keeps of the current logbook, brings back or drops, beyond its history:
/// keys removed since stay removed, records disposed of since come back, concerns taken in
/// since are left only in the kept copy. One line each, empty when none applies.
fn restore_consequences(plan: &backup::Plan) -> String {
    let mut text = String::new();
    let keeps = &plan.keeps;
    if !keeps.stay_removed.is_empty() {
        text.push_str(&format!(
            "Keys removed since the backup stay removed (the backup still lists them): {}.\n",
            line(&keeps.stay_removed.join(", "))
        ));
    }
    if !keeps.stay_added.is_empty() {
        text.push_str(&format!(
            "Keys added since the backup stay: {}.\n",
            line(&keeps.stay_added.join(", "))
        ));
    }
    match keeps.passphrase_stays {
        Some(backup::PassphraseStays::Current) => text.push_str(
            "The backup was made with an earlier passphrase: the restored logbook opens with the current passphrase only (its key file stays), never with the backup's.\n",
        ),
        Some(backup::PassphraseStays::KeyFilesOnly) => text.push_str(
            "The backup opened with a passphrase: the restored logbook opens with the current key files only, not with that passphrase.\n",
        ),
        None => {}
    }
    if let Some(inbox) = &keeps.concern_inbox {
        text.push_str(&format!(
            "The concern folder stays {}.\n",
            crate::text::path(Path::new(inbox))
        ));
    }
    if !keeps.is_empty() {
        text.push_str(
            "(The restored logbook records this in its audit trail as a change of settings.)\n",
        );
    }
    if !plan.brings_back.is_empty() {
        let named: Vec<String> = plan
            .brings_back
            .iter()
            .map(|d| {
                format!(
                    "{} (disposed of on {} by {}, audit entry {})",
                    d.id,
                    crate::model::dates::date(d.on),
                    d.by,
                    d.seq
                )
            })
            .collect();
        text.push_str(&format!(
            "WARNING: restoring brings back {} disposed of since the backup: {}. Dispose of {} again afterwards (`logbook dispose ID --reason ...`); a certificate of disposal already issued stays true only then.\n",
            if named.len() == 1 { "a record" } else { "records" },
            line(&named.join(", ")),
            if named.len() == 1 { "it" } else { "them" },
        ));
    }
    if !plan.drops_concerns.is_empty() {
        let named: Vec<String> = plan
            .drops_concerns
            .iter()
            .map(|c| {
                format!(
                    "{} from {}, taken in {}",
                    c.receipt,
                    c.from,
                    crate::model::dates::when(c.taken_in)
                )
            })
            .collect();
        text.push_str(&format!(
            "WARNING: {} taken in since the backup {} not in it (the concern folder no longer holds {}), so after the restore {} only in the copy kept beside the logbook: {}.\n",
            if named.len() == 1 { "a staff concern" } else { "staff concerns" },
            if named.len() == 1 { "is" } else { "are" },
            if named.len() == 1 { "its file" } else { "their files" },
            if named.len() == 1 { "it is" } else { "they are" },
            line(&named.join("; ")),
        ));
    }
    text
}

/// "the 3 audit entries (#5 to #7)", "the audit entry #5".
fn entries(n: u64, first: u64, last: u64) -> String {
    if n == 1 {
        format!("the audit entry #{first}")
    } else {
        format!("the {n} audit entries #{first} to #{last}")
    }
}

/// `restore`'s options beside the backup file.
pub(super) struct RestoreArgs<'a> {
    pub yes: bool,
    pub name: Option<&'a str>,
    pub backup_passphrase_file: Option<&'a Path>,
}

/// When the logbook's passphrase was last changed, from its trail: " (the passphrase was
/// changed on DATE, audit entry N)", or nothing when the trail does not say.
fn passphrase_changed(book: &Logbook) -> String {
    book.audit
        .iter()
        .rev()
        .find(|e| e.changes.iter().any(|c| c.field.contains("passphrase_key")))
        .map_or_else(String::new, |e| {
            format!(
                " (the passphrase was changed on {}, audit entry {})",
                present::at(&e.at),
                e.seq
            )
        })
}

pub(super) fn restore(
    global: &Global,
    file: &Path,
    args: RestoreArgs,
    out: &mut dyn Write,
) -> Result<()> {
    let RestoreArgs {
        yes,
        name,
        backup_passphrase_file,
    } = args;
    let path = logbook_path(global)?;
    if !file.exists() {
        return Err(Error::Usage(format!(
            "There is no backup at {}: check the path (`logbook backups DIR` lists them).",
            crate::text::path(file)
        )));
    }
    let key = secret::open_key(global, &path)?;
    // A backup made before `passwd` opens with the passphrase of then, asked apart; the
    // current one stays the logbook's (tester3 #20).
    let mut backup_secret = |book: &Logbook| -> Result<Option<Key>> {
        let when = passphrase_changed(book);
        if let Some(f) = backup_passphrase_file {
            return Ok(Some(Key::passphrase(&secret::read_passphrase_file(f)?)));
        }
        if !std::io::stdin().is_terminal() {
            return Err(Error::KeyFiles(format!(
                "The passphrase given opens {} but not the backup {}: the backup was made with an earlier passphrase{when}. Give that one with --backup-passphrase-file FILE (the logbook keeps its current passphrase). Nothing was changed.",
                crate::text::path(&path),
                crate::text::path(file)
            )));
        }
        eprintln!(
            "The passphrase given opens the logbook but not this backup: it was made with an earlier passphrase{when}. The restored logbook keeps the current one."
        );
        let then = secret::ask(
            "Passphrase the backup was made with: ",
            "backup's passphrase",
        )?;
        eprintln!("Unlocking...");
        Ok(Some(Key::passphrase(&then)))
    };
    let mut plan = backup::plan_with(file, &path, &key, &mut backup_secret)?;
    if !plan.adds_recipients.is_empty() {
        let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
            return Err(Error::Usage(
                "The backup is not encrypted to the key file given for everyday use: name its holder with --name NAME (it becomes an everyday key of the restored logbook). Nothing was changed.".into(),
            ));
        };
        plan.new_holder = Some(name.to_string());
    }
    let mut text = summary_text("Backup", file, &plan.backup);
    text.insert_str(
        0,
        "The backup is verified: it decrypts whole, reads, and its audit trail is sound.\n",
    );
    match &plan.current {
        Current::Present(s) => text.push_str(&summary_text("Current", &path, s)),
        Current::Missing => text.push_str(&format!(
            "Current  there is no logbook at {}: the backup becomes the logbook.\n",
            crate::text::path(&path)
        )),
        Current::Unreadable(why) => text.push_str(&format!(
            "Current  {} cannot be read ({}); it will be kept beside the restored one.\n",
            crate::text::path(&path),
            why.trim_end_matches('.')
        )),
    }
    let last = match &plan.current {
        Current::Present(s) => s.head.len,
        _ => 0,
    };
    let backup_len = plan.backup.head.len;
    text.push_str(&match &plan.relation {
        RestoreRelation::Same => {
            "The current logbook holds exactly the backup's history: restoring changes no record.\n".into()
        }
        RestoreRelation::CurrentExtends(n) => format!(
            "The current trail extends the backup's unchanged: restoring removes {} made since and every change recorded there.\n",
            entries(*n, backup_len + 1, last)
        ),
        RestoreRelation::BackupExtends(n) => format!(
            "The backup's trail extends the current one's: restoring adds {} the current logbook lacks.\n",
            entries(*n, last + 1, backup_len)
        ),
        RestoreRelation::Diverged(d) => format!(
            "The histories differ ({d}): restoring replaces the current history with the backup's.\n"
        ),
        RestoreRelation::OtherLogbook => {
            "WARNING: the backup is of a different logbook: restoring replaces this logbook with another one.\n".into()
        }
        RestoreRelation::NoCurrent => String::new(),
    });
    text.push_str(&restore_consequences(&plan));
    if !plan.adds_recipients.is_empty() {
        text.push_str(&format!(
            "The new everyday key {} ({}) is added to the restored logbook's keys (an audit entry records it), so it opens it; a recovery key given goes on opening backups only.\n",
            plan.adds_recipients.join(", "),
            line(plan.new_holder.as_deref().unwrap_or_default())
        ));
    }
    if matches!(plan.current, Current::Present(_) | Current::Unreadable(_)) {
        text.push_str(&format!(
            "The current file is kept as {}.before-restore-TIMESTAMP; no record is merged.\n",
            crate::text::path(&path)
        ));
    }
    out.write_all(text.as_bytes()).map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;

    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Error::Usage(
                "There is no terminal to confirm the restore, so nothing was changed: read the comparison above, then run it again with --yes to replace the logbook.".into(),
            ));
        }
        let answer = ask_line(&format!(
            "Replace {} with this backup? Type yes to restore: ",
            crate::text::path(&path)
        ))?;
        if !answer.eq_ignore_ascii_case("yes") {
            writeln!(out, "Nothing was restored.").map_err(stdout_error)?;
            return Ok(());
        }
    }
    // Recorded as the holder of a key given (the recovery key's, if named); where none is
    // named, the holder of the new key just named with --name, rather than asked again
    // (tester3 #28).
    let named_key = plan
        .restored()
        .settings
        .holder_of(&key.public_keys())
        .is_some();
    let by = match (&plan.new_holder, global.by.as_deref().map(str::trim)) {
        (Some(holder), None | Some("")) if !named_key => holder.clone(),
        _ => operator(global, Some(&key), &plan.restored().settings)?,
    };
    let stamp = Stamp::new(by, now());
    let added = plan.adds_recipients.clone();
    // To read back the keys the restored logbook is sealed to, for its concern folder.
    let reopen = key.clone();
    let had_folder = !plan.restored().settings.concern_inbox.is_empty();
    let done = backup::apply(plan, key, &stamp, now())?;
    let kept = match &done.kept_as {
        Some(p) => format!(" The replaced file is kept as {}.", crate::text::path(p)),
        None => String::new(),
    };
    let rekeyed = if added.is_empty() {
        String::new()
    } else {
        " If a key that opened the logbook was lost or stolen, remove it now (`logbook keys remove age1...`; `logbook keys` lists them), then make a new backup.".into()
    };
    writeln!(
        out,
        "Restored {} from {}: read back and sound, {} (last entry hash {}).{kept}{rekeyed}",
        crate::text::path(&path),
        crate::text::path(file),
        count(done.head.len, "audit entry", "audit entries"),
        done.head.hash
    )
    .map_err(stdout_error)?;
    // The concern folder follows the restored logbook's keys (tester findings 27, 37).
    let said = match vault::Vault::open(&path, &reopen, Access::Read) {
        Ok((vault, book, _)) => crate::concern::follow(&vault, &book),
        Err(_) if !had_folder => None,
        Err(e) => Some(format!(
            "Warning: the concern folder could not be updated ({}): run `logbook concern-setup --inbox DIR` now, or staff concerns will be written to the old keys.",
            e.to_string().trim_end_matches('.')
        )),
    };
    if let Some(said) = said {
        writeln!(out, "{said}").map_err(stdout_error)?;
    }
    Ok(())
}

pub(super) fn recovery(global: &Global, args: RecoveryArgs, out: &mut dyn Write) -> Result<()> {
    let path = logbook_path(global)?;
    if !path.exists() {
        return Err(Error::NoLogbook(path));
    }
    if args.add.is_empty() && args.remove.is_empty() {
        let key = secret::open_key(global, &path)?;
        let (book, _) = vault::read(&path, &key)?;
        let s = &book.settings;
        let text = if s.recovery_recipients.is_empty() {
            "No recovery keys: backups open only with the logbook's own secret. Add one with `logbook recovery --add age1... --name NAME`.\n".to_string()
        } else {
            format!(
                "Every backup made now also opens with these recovery keys:\n{}",
                s.recovery_recipients
                    .iter()
                    .map(|k| format!("  {:<24} {}\n", super::keys::named(s, k), line(k)))
                    .collect::<String>()
            )
        };
        return out.write_all(text.as_bytes()).map_err(stdout_error);
    }
    // `--add age1...=NAME`, or one `--add` with `--name` (tester3 #28: the README's example
    // left the key unnamed).
    let (add, mut named) = if args.add.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        secret::recipients(&args.add, None)?
    };
    if let Some(name) = args.name.as_deref() {
        let [key] = add.as_slice() else {
            return Err(Error::Usage(
                "--name names the holder of one recovery key: give one --add with it, or name each as --add age1...=NAME.".into(),
            ));
        };
        let name = secret::holder_name(name)?;
        if !name.is_empty() {
            named.retain(|h| h.key != *key);
            named.push(crate::model::Holder {
                key: key.clone(),
                name,
            });
        }
    }
    let remove: Vec<String> = args.remove.iter().map(|k| k.trim().to_string()).collect();
    let (mut vault, mut book, key) = super::open(global, Access::Write)?;
    if let Some(k) = remove
        .iter()
        .find(|k| !book.settings.recovery_recipients.contains(k))
    {
        return Err(Error::Usage(format!(
            "{} is not a recovery key of this logbook: `logbook recovery` lists them.",
            line(k)
        )));
    }
    if let Some(k) = add.iter().find(|k| book.settings.recipients.contains(k)) {
        return Err(Error::Usage(format!(
            "{} already opens the logbook itself (it is {}'s everyday key): a recovery key should be one kept apart, in a safe. Nothing was changed.",
            line(k),
            super::keys::named(&book.settings, k)
        )));
    }
    let mut after = book.settings.clone();
    after.recovery_recipients.retain(|k| !remove.contains(k));
    for k in &add {
        if !after.recovery_recipients.contains(k) {
            after.recovery_recipients.push(k.clone());
        }
    }
    for h in named {
        after.holders.retain(|o| o.key != h.key);
        after.holders.push(h);
    }
    if !remove.is_empty() {
        let gone: Vec<String> = remove
            .iter()
            .map(|k| super::keys::named(&book.settings, k))
            .collect();
        let said = format!(
            "The recovery key of {} will no longer open the backups made from now on; older backups still open with it.\n{}\n",
            super::keys::and_list(&gone),
            super::keys::who_is_left(&after, &key.public_keys())
        );
        let which = if gone.len() == 1 {
            "this recovery key"
        } else {
            "these recovery keys"
        };
        if !confirm(
            args.yes,
            &said,
            &format!("Remove {which}? Type yes to remove: "),
            &format!(
                "Removing {which} needs a yes, and there is no terminal to ask: nothing was changed; run it again with --yes to remove."
            ),
        )? {
            writeln!(out, "Nothing was changed.").map_err(stdout_error)?;
            return Ok(());
        }
    }
    let stamp = Stamp::new(operator(global, Some(&key), &book.settings)?, now());
    book.update_settings(&stamp, |s| *s = after)?;
    vault.save(&book)?;
    let s = &book.settings;
    let now_text = match s.recovery_recipients.as_slice() {
        [] => "no recovery key: none will open the backups made from now on".to_string(),
        keys => format!(
            "{}: {} also open{} every backup made from now on",
            count(keys.len() as u64, "recovery key", "recovery keys"),
            super::keys::and_list(
                &keys
                    .iter()
                    .map(|k| super::keys::named(s, k))
                    .collect::<Vec<_>>()
            ),
            if keys.len() == 1 { "s" } else { "" }
        ),
    };
    writeln!(
        out,
        "{} now has {now_text}; older backups keep the keys they were made with.",
        crate::text::path(&path),
    )
    .map_err(stdout_error)?;
    // Concerns are encrypted to the recovery keys too (tester finding 37).
    if let Some(said) = crate::concern::follow(&vault, &book) {
        writeln!(out, "{said}").map_err(stdout_error)?;
    }
    Ok(())
}
