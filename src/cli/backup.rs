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
    differ("the state hash", was.state.clone(), now.state.clone());
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
        Err(Divergence::Differs { seq }) => {
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
    for item in &report.left {
        text.push_str(&format!(
            "Left {} untouched: {}.\n",
            line(&item.name),
            state_text(item)
        ));
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
            backup::short_id(book.id())
        ),
        None => format!("Backups in {}, newest first:\n", crate::text::path(&dir)),
    };
    if listing.items.is_empty() {
        text.push_str("  none\n");
    }
    let mut damaged = 0;
    let mut diverged = 0;
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

pub(super) fn restore(
    global: &Global,
    file: &Path,
    yes: bool,
    name: Option<&str>,
    out: &mut dyn Write,
) -> Result<()> {
    let path = logbook_path(global)?;
    if !file.exists() {
        return Err(Error::Usage(format!(
            "There is no backup at {}: check the path (`logbook backups DIR` lists them).",
            crate::text::path(file)
        )));
    }
    let key = secret::open_key(global, &path)?;
    let mut plan = backup::plan(file, &path, &key)?;
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
    let stamp = Stamp::new(
        operator(global, Some(&key), &plan.restored().settings)?,
        now(),
    );
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
        let keys = &book.settings.recovery_recipients;
        let text = if keys.is_empty() {
            "No recovery keys: backups open only with the logbook's own secret. Add one with `logbook recovery --add age1...`.\n".to_string()
        } else {
            format!(
                "Every backup made now also opens with these recovery keys:\n{}",
                keys.iter()
                    .map(|k| format!("  {}\n", line(k)))
                    .collect::<String>()
            )
        };
        return out.write_all(text.as_bytes()).map_err(stdout_error);
    }
    let add: Vec<String> = args.add.iter().map(|k| k.trim().to_string()).collect();
    let remove: Vec<String> = args.remove.iter().map(|k| k.trim().to_string()).collect();
    if !add.is_empty() {
        vault::parse_recipients(&add)?;
    }
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
    let stamp = Stamp::new(operator(global, Some(&key), &book.settings)?, now());
    book.update_settings(&stamp, |s| {
        s.recovery_recipients.retain(|k| !remove.contains(k));
        for k in add {
            if !s.recovery_recipients.contains(&k) {
                s.recovery_recipients.push(k);
            }
        }
    })?;
    vault.save(&book)?;
    writeln!(
        out,
        "{} now has {}; backups made from now on open with them, older backups keep the keys they were made with.",
        crate::text::path(&path),
        match book.settings.recovery_recipients.len() {
            0 => "no recovery keys".to_string(),
            n => count(n as u64, "recovery key", "recovery keys"),
        }
    )
    .map_err(stdout_error)?;
    // Concerns are encrypted to the recovery keys too (tester finding 37).
    if let Some(said) = crate::concern::follow(&vault, &book) {
        writeln!(out, "{said}").map_err(stdout_error)?;
    }
    Ok(())
}
