//! What a disposal leaves outside the logbook that the program can know of (tester4 #24,
//! #25): the copies a restore kept beside the logbook (`NAME.before-restore-TIMESTAMP`,
//! each the whole logbook as it was, opening with the same key, never rotated away), and
//! the unencrypted export files the trail records, whose entries the disposal empties.
//! `dispose` and the app's disposal form say both before anything is removed, `retention`
//! names copies still holding records, and the certificate names the copies as not covered.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{NaiveDateTime, Timelike};

use crate::model::{Logbook, PlainExport};
use crate::text;
use crate::vault::{self, file};

/// A copy a restore kept of the logbook it replaced, with its key file (passphrase mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreCopy {
    pub path: PathBuf,
    pub key_file: Option<PathBuf>,
    /// When the restore kept it, from its name (local time, as `restore::apply` names it).
    pub made: Option<NaiveDateTime>,
}

/// The marker `restore::apply` puts between the logbook's name and the time.
const BEFORE_RESTORE: &str = ".before-restore-";

/// The copies restores kept beside the logbook `live`, oldest first: regular files named
/// `NAME.before-restore-YYYYMMDD-HHMMSS[-N]` (their key files are not copies of their own).
pub fn restore_copies(live: &Path) -> Vec<RestoreCopy> {
    let Some(name) = live.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Vec::new();
    };
    let folder = file::folder_of(live);
    let prefix = format!("{name}{BEFORE_RESTORE}");
    let Ok(entries) = fs::read_dir(&folder) else {
        return Vec::new();
    };
    let mut copies: Vec<RestoreCopy> = entries
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_str()?.to_string();
            let rest = n.strip_prefix(&prefix)?;
            if n.ends_with(".key.age") || !e.file_type().ok()?.is_file() {
                return None;
            }
            let path = folder.join(&n);
            let key = vault::key_file_path(&path);
            Some(RestoreCopy {
                key_file: key.is_file().then_some(key),
                made: rest
                    .get(..15)
                    .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y%m%d-%H%M%S").ok()),
                path,
            })
        })
        .collect();
    copies.sort_by(|a, b| a.path.cmp(&b.path));
    copies
}

impl RestoreCopy {
    /// Whether it may hold the record `id` of `book`: kept after the record was first
    /// written and, for a record disposed of, before its disposal. Unknown times: it may.
    pub fn may_hold(&self, book: &Logbook, id: &str) -> bool {
        let Some(made) = self.made else {
            return true;
        };
        // The copy's name gives whole seconds: a record written within that second counts.
        let written = book
            .first_recorded(id)
            .is_none_or(|at| at.with_nanosecond(0).unwrap_or(at) <= made);
        let not_yet_disposed = book
            .tombstones
            .iter()
            .find(|t| t.id == id)
            .is_none_or(|t| t.disposed >= made.date());
        written && not_yet_disposed
    }

    /// The shell command that removes it and its key file.
    pub fn remove_command(&self) -> String {
        let mut cmd = format!("rm -- {}", quoted(&self.path));
        if let Some(k) = &self.key_file {
            cmd.push(' ');
            cmd.push_str(&quoted(k));
        }
        cmd
    }

    fn described(&self) -> String {
        let mut s = text::path(&self.path);
        if let Some(k) = &self.key_file {
            s.push_str(&format!(" (with its key file {})", text::path(k)));
        }
        if let Some(made) = self.made {
            s.push_str(&format!(
                ", kept by the restore of {}",
                made.format("%Y-%m-%d %H:%M")
            ));
        }
        s
    }
}

/// A path in single quotes for a shell, escaped for the terminal as every path is shown.
fn quoted(p: &Path) -> String {
    format!("'{}'", text::path(p).replace('\'', r"'\''"))
}

/// The sentences about copies beside `live` that may hold any of `records` (incidents and
/// people), or None when there is none. `when` says whose records: "these records",
/// "records past their date" and the like.
pub fn copies_note(live: &Path, book: &Logbook, records: &[String], when: &str) -> Option<String> {
    let holding: Vec<(RestoreCopy, Vec<&String>)> = restore_copies(live)
        .into_iter()
        .filter_map(|c| {
            let held: Vec<&String> = records.iter().filter(|id| c.may_hold(book, id)).collect();
            (!held.is_empty()).then_some((c, held))
        })
        .collect();
    if holding.is_empty() {
        return None;
    }
    let mut s = format!(
        "Copies kept beside the logbook by a restore may still hold, in full, {when}: each is the whole logbook as it was before that restore, opens with the same key, and is never rotated away:\n"
    );
    for (c, held) in &holding {
        let ids: Vec<&str> = held.iter().map(|s| s.as_str()).collect();
        s.push_str(&format!(
            "  {}: may hold {}.\n",
            c.described(),
            text::line(&ids.join(", "))
        ));
    }
    s.push_str("Remove each once the restore it undoes is checked and you no longer need it (the README says how long to keep one):\n");
    for (c, _) in &holding {
        s.push_str(&format!("  {}\n", c.remove_command()));
    }
    Some(s)
}

/// The names of the copies beside `live` that may hold any of `records`, for the
/// certificate's "not covered" sentence.
pub fn copies_holding(live: &Path, book: &Logbook, records: &[String]) -> Vec<String> {
    restore_copies(live)
        .into_iter()
        .filter(|c| records.iter().any(|id| c.may_hold(book, id)))
        .filter_map(|c| Some(c.path.file_name()?.to_string_lossy().into_owned()))
        .collect()
}

/// Where `path` (as recorded) is now: relative paths are looked for from the current folder.
fn still_there(path: &str) -> bool {
    fs::symlink_metadata(Path::new(path)).is_ok()
}

/// The sentences listing the unencrypted exports `exports`, each with whether its file is
/// still where it was written, or None when there is none.
pub fn exports_note(exports: &[PlainExport]) -> Option<String> {
    if exports.is_empty() {
        return None;
    }
    let mut s = "Unencrypted export files the audit trail records of these records (the disposal empties those entries, so the logbook will not list them again):\n".to_string();
    for x in exports {
        let whom = if x.for_whom.trim().is_empty() {
            String::new()
        } else {
            format!(", for {}", text::line(&x.for_whom))
        };
        let state = if still_there(&x.path) {
            "is still on this computer: destroy it"
        } else if Path::new(&x.path).is_absolute() {
            "is no longer there (destroyed or moved)"
        } else {
            "is not found from this folder (destroyed, moved, or written from another folder: look there)"
        };
        s.push_str(&format!(
            "  {} ({} of {}, exported {}{whom}) {state}.\n",
            text::line(&x.path),
            text::line(&x.format),
            text::line(&x.subject),
            x.at.format("%Y-%m-%d %H:%M"),
        ));
    }
    s.push_str("Copies already sent to others are not covered by the disposal: ask them to destroy theirs.\n");
    Some(s)
}

/// What a disposal of the incidents `ids` (not yet disposed of) from `book`, kept at
/// `live`, does not reach: its unencrypted exports and the restore copies that may hold
/// them or the people who go with them. Empty when there is neither.
pub fn disposal_note(live: &Path, book: &Logbook, ids: &[String]) -> String {
    let mut records = ids.to_vec();
    records.extend(book.people_going_with(ids));
    [
        exports_note(&book.plaintext_exports(ids)),
        copies_note(live, book, &records, "these records"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_copies_are_found_by_name_with_their_key_files_and_times() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("l.age");
        for n in [
            "l.age",
            "l.age.before-restore-20261130-163708",
            "l.age.before-restore-20261130-163708.key.age",
            "l.age.before-restore-20261201-090000-2",
            "other.age.before-restore-20261130-163708",
            "l.age.before-restore-junk",
        ] {
            fs::write(dir.path().join(n), b"x").unwrap();
        }
        let copies = restore_copies(&live);
        let names: Vec<String> = copies
            .iter()
            .map(|c| c.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "l.age.before-restore-20261130-163708",
                "l.age.before-restore-20261201-090000-2",
                "l.age.before-restore-junk"
            ]
        );
        assert!(copies[0].key_file.is_some());
        assert!(copies[1].key_file.is_none());
        assert_eq!(copies[0].made.unwrap().to_string(), "2026-11-30 16:37:08");
        assert!(copies[2].made.is_none());
        let cmd = copies[0].remove_command();
        assert!(cmd.starts_with("rm -- '"), "{cmd}");
        assert!(cmd.contains("163708' '"), "{cmd}");
        assert!(cmd.ends_with("163708.key.age'"), "{cmd}");
    }
}
