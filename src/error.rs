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
    #[error(
        "{0} is opened with a passphrase, not a key file: leave out --identity and enter the passphrase."
    )]
    NeedsPassphrase(PathBuf),
    #[error("{0} is opened with a key file, not a passphrase: give --identity FILE.")]
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
        "{0} was changed on disk by another program since it was opened: nothing was saved; open it again and repeat the change."
    )]
    ChangedOnDisk(PathBuf),
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
    #[error("The audit trail is broken: {0}.")]
    Audit(#[from] AuditFault),
}

impl Error {
    /// The process exit code, as the command-line contract sets them.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Audit(_) => 1,
            Error::Usage(_) | Error::NoTerminal(_) | Error::Invalid(_) | Error::Exists(_) => 2,
            Error::WrongSecret
            | Error::NeedsPassphrase(_)
            | Error::NeedsIdentity(_)
            | Error::BadIdentity(_) => 3,
            Error::NotAge(_)
            | Error::Damaged(_)
            | Error::Unreadable { .. }
            | Error::NewerFormat { .. } => 4,
            Error::Locked(_) | Error::ChangedOnDisk(_) => 5,
            Error::Io(_) | Error::NoLogbook(_) => 6,
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
