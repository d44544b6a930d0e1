//! The errors a user can meet, each one sentence saying what to do next, and the exit
//! code the command line gives for it.

use std::io;
use std::path::{Path, PathBuf};

use crate::model::{AuditFault, FORMAT, Invalid};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "Wrong passphrase or not this logbook's key: try again, or give the right --identity file."
    )]
    WrongSecret,
    /// Key files given with --identity that open nothing here, each named with the reason.
    #[error("{0}")]
    KeyFiles(String),
    #[error(
        "{0} is opened with a passphrase, not a key file: leave out --identity and enter the passphrase."
    )]
    NeedsPassphrase(PathBuf),
    #[error("{}", needs_identity_words(.0))]
    NeedsIdentity(PathBuf),
    #[error(
        "{0} is not an age-encrypted logbook: check the path, or restore the logbook from a backup with `logbook restore`."
    )]
    NotAge(PathBuf),
    #[error("{0} is damaged or truncated: restore it from a backup with `logbook restore`.")]
    Damaged(PathBuf),
    #[error(
        "{path} decrypts but is not a readable logbook ({detail}): restore it from a backup with `logbook restore`."
    )]
    Unreadable { path: PathBuf, detail: String },
    #[error(
        "{path} was written by a newer version of logbook (format {found}; this version reads up to {FORMAT}): upgrade logbook to open it."
    )]
    NewerFormat { path: PathBuf, found: u32 },
    #[error(
        "{0} is locked by another process: close the other logbook app or command, then try again."
    )]
    Locked(PathBuf),
    #[error(
        "{0} has a second name on this disk (a hard link), so another program could write it under that name while this one does: remove the other name (`find / -xdev -samefile {0}` finds it), then try again."
    )]
    HardLinked(PathBuf),
    #[error(
        "{0} was changed on disk by another program since it was opened: nothing was saved; open it again and repeat the change."
    )]
    ChangedOnDisk(PathBuf),
    /// The file this process opened is no longer there (deleted or moved by someone else):
    /// the change is still in memory, and the app offers to write it there again.
    #[error(
        "{0} was deleted or moved since it was opened: nothing was saved; put the file back (or restore it from a backup), then repeat the change."
    )]
    Vanished(PathBuf),
    #[error("There is no logbook at {0}: create one with `logbook init`, or give --logbook PATH.")]
    NoLogbook(PathBuf),
    #[error("{0} already exists: choose another path, or open it instead of creating it.")]
    Exists(PathBuf),
    #[error(
        "{0} is not an age identity file: give the file that `logbook keygen` or `age-keygen` wrote."
    )]
    BadIdentity(PathBuf),
    #[error("{0}")]
    Io(IoFailure),
    #[error("{0}")]
    Usage(String),
    #[error(
        "There is no terminal to ask for the {0}: give --passphrase-file FILE or --identity FILE."
    )]
    NoTerminal(&'static str),
    #[error("{0}")]
    Invalid(#[from] Invalid),
    /// Said the same by `logbook verify`, by every command that refuses to write, and by
    /// the app's pop-up, which shows this sentence (tester2 #35).
    #[error(
        "The audit trail is broken: {0}; restore the latest sound backup with `logbook restore` (`logbook backups DIR` lists the backups on a medium with their state)."
    )]
    Audit(#[from] AuditFault),
    #[error(
        "{0} is on the same disk as the logbook, so a backup there would be lost with it: back up to a removable medium (on the command line, --allow-same-disk does it anyway)."
    )]
    SameDisk(PathBuf),
    #[error(
        "{0} already exists on the medium: nothing was overwritten and no backup was made; back up again in a moment, or move that file away."
    )]
    BackupNameTaken(PathBuf),
    #[error(
        "The medium at {0} was removed during the backup: no backup was made there and the logbook is unchanged; plug it back in and back up again."
    )]
    MediumRemoved(PathBuf),
    #[error(
        "The backup {path} did not read back correctly from the medium ({detail}): it was deleted and the logbook is unchanged; try again, or use another medium."
    )]
    BackupUnverified { path: PathBuf, detail: String },
    #[error(
        "{0} is encrypted to a backup key and there is no backup key file (logbook-...-key.age) beside it that this passphrase opens: copy the key file from the medium the backup came from, or give --identity with a recovery key."
    )]
    NoBackupKey(PathBuf),
    #[error(
        "None of the keys given opens the backup {0}: it is encrypted to the keys the logbook had when it was made. Give one of those as well, or a recovery key (--identity may be repeated)."
    )]
    BackupKeyNotHeld(PathBuf),
    #[error(
        "{0} is damaged, truncated or not a backup, so it cannot be used: choose another backup (`logbook backups DIR` lists them with their state)."
    )]
    DamagedBackup(PathBuf),
    #[error("The audit trail of the backup {path} is broken: {fault}; it cannot be trusted.")]
    BackupAudit { path: PathBuf, fault: AuditFault },
    #[error(
        "{backup} is a backup of a different logbook: compare it with the logbook it came from."
    )]
    OtherLogbook { backup: PathBuf },
    #[error("{0}")]
    CheckFailed(String),
    #[error(
        "The history does not match the backup {backup}: {detail}; keep this backup, it is evidence of what the logbook held."
    )]
    NotExtended { backup: PathBuf, detail: String },
    #[error(
        "{0} is not a regular file (a device, a pipe, a folder or a link where none is expected): give the path of the file itself."
    )]
    NotRegular(PathBuf),
    #[error(
        "{path} is larger than {}, far more than any logbook file: check the path.",
        size_text(*limit)
    )]
    TooLarge { path: PathBuf, limit: u64 },
    #[error(
        "{path} cannot be imported ({detail}): correct the file and import it again; the logbook is unchanged."
    )]
    BadImport { path: PathBuf, detail: String },
    /// The new file replaced the old (the rename is done) but the folder's fsync failed.
    #[error(
        "{path} was saved, but the folder could not be flushed ({source}): the change may not survive a power cut; check the disk, then run `logbook verify`."
    )]
    Unflushed {
        path: PathBuf,
        /// The saved file's identity, so that later saves over it are not refused.
        id: crate::vault::FileId,
        source: io::Error,
    },
    /// A restore replaced the logbook but the folder's fsync failed.
    #[error(
        "{live} was restored from the backup{}, but the folder could not be flushed ({source}): the restore may not survive a power cut; check the disk, then run `logbook verify`.",
        kept_note(kept)
    )]
    RestoredUnflushed {
        live: PathBuf,
        kept: Option<PathBuf>,
        source: io::Error,
    },
    /// A restore failed before the logbook was replaced; the copy it kept stays.
    #[error("{cause} The logbook was not replaced; a copy of it as it was is also kept as {kept}.")]
    NotRestored { cause: Box<Error>, kept: PathBuf },
}

fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b => format!("{} KiB", b >> 10),
    }
}

fn kept_note(kept: &Option<PathBuf>) -> String {
    kept.as_ref()
        .map(|k| format!(" (the logbook it replaced is kept as {})", k.display()))
        .unwrap_or_default()
}

impl Error {
    /// The process exit code, as the command-line contract sets them.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Audit(_)
            | Error::BackupAudit { .. }
            | Error::OtherLogbook { .. }
            | Error::NotExtended { .. }
            | Error::CheckFailed(_) => 1,
            Error::Usage(_)
            | Error::NoTerminal(_)
            | Error::Invalid(_)
            | Error::Exists(_)
            | Error::SameDisk(_)
            | Error::BackupNameTaken(_) => 2,
            Error::WrongSecret
            | Error::KeyFiles(_)
            | Error::NeedsPassphrase(_)
            | Error::NeedsIdentity(_)
            | Error::BadIdentity(_)
            | Error::NoBackupKey(_)
            | Error::BackupKeyNotHeld(_) => 3,
            Error::NotAge(_)
            | Error::Damaged(_)
            | Error::Unreadable { .. }
            | Error::NewerFormat { .. }
            | Error::DamagedBackup(_)
            | Error::NotRegular(_)
            | Error::BadImport { .. }
            | Error::TooLarge { .. } => 4,
            Error::Locked(_)
            | Error::HardLinked(_)
            | Error::ChangedOnDisk(_)
            | Error::Vanished(_) => 5,
            Error::NotRestored { cause, .. } => cause.exit_code(),
            Error::Io(_)
            | Error::Unflushed { .. }
            | Error::RestoredUnflushed { .. }
            | Error::NoLogbook(_)
            | Error::MediumRemoved(_)
            | Error::BackupUnverified { .. } => 6,
        }
    }

    /// An I/O failure on `path`, worded for what went wrong.
    pub fn io(doing: &'static str, path: &Path, source: io::Error) -> Error {
        Error::Io(IoFailure {
            doing,
            path: path.to_path_buf(),
            source,
        })
    }
}

/// An I/O failure, explained in the words a user needs: which file, what happened, what now.
#[derive(Debug)]
pub struct IoFailure {
    pub doing: &'static str,
    pub path: PathBuf,
    pub source: io::Error,
}

impl std::fmt::Display for IoFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.path.display();
        let folder = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .display();
        let doing = self.doing;
        match self.source.kind() {
            // `logbook ... | head`: the reader went away, not the disk; a change is saved
            // before its message is printed, so "nothing was changed" would be false.
            io::ErrorKind::BrokenPipe if self.path == Path::new("standard output") => write!(
                f,
                "The output was closed before everything was printed (a pipe that stopped reading, such as `head`): what the command saved is saved; run it again without the pipe to read its whole answer."
            ),
            io::ErrorKind::StorageFull => write!(
                f,
                "The disk is full while {doing} {path}: free some space and try again (nothing was changed)."
            ),
            io::ErrorKind::ReadOnlyFilesystem => write!(
                f,
                "{folder} is on a read-only disk, so {doing} {path} failed: choose a writable folder (nothing was changed)."
            ),
            io::ErrorKind::PermissionDenied => write!(
                f,
                "No permission for {doing} {path}: check who owns {folder} (nothing was changed)."
            ),
            io::ErrorKind::NotFound => write!(
                f,
                "The folder {folder} does not exist, so {doing} {path} failed: create it or choose another path."
            ),
            _ => write!(
                f,
                "Could not finish {doing} {path} ({}): check the disk and try again (nothing was changed).",
                self.source
            ),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A passphrase was given for a logbook with no key file beside it: either a key-mode
/// logbook, or a passphrase logbook moved or renamed without its `NAME.key.age` (tester4
/// #4): both are said, with how to put the key file back.
fn needs_identity_words(path: &std::path::Path) -> String {
    let key_file = crate::vault::key_file_path(path);
    let name = key_file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    format!(
        "{} has no key file {name} beside it, so a passphrase cannot open it: if it is a passphrase logbook, put its key file back there as {name} (if the logbook was moved or renamed, the key file is NAME.key.age beside its old name; every backup folder holds a copy, logbook-ID-key-FPR.age); if it opens with a key file, give --identity FILE.",
        path.display()
    )
}
