//! Files on disk: private creation, the lock, and the atomic replace that makes a crash at
//! any instant leave either the old or the new logbook.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};

#[cfg(unix)]
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};

/// Creates a new file readable and writable by its owner only. Refuses to replace an
/// existing file (O_EXCL), so a stale or planted file is never written through.
pub fn create_private(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => Error::Exists(path.to_path_buf()),
        _ => Error::io("creating", path, e),
    })
}

/// Writes `bytes` into a new owner-only file (never over an existing one) and syncs it;
/// a partial file is removed. For documents that leave the logbook (exports, transfers).
pub fn write_new_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = create_private(path)?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    if let Err(e) = written {
        drop(f);
        let _ = fs::remove_file(path);
        return Err(Error::io("writing", path, e));
    }
    Ok(())
}

/// Creates the folder (and its parents) owner-only if it does not exist yet.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| Error::io("creating the folder", dir, e))
}

/// The file a logbook path names: a symbolic link is resolved once, so that saves replace
/// the real file beside it (and the link keeps pointing at the current logbook) instead of
/// replacing the link with a regular file and leaving its target stale. Anything else,
/// including a dangling link, is returned as given.
pub fn resolve_link(path: &Path) -> PathBuf {
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink())
        && let Ok(real) = fs::canonicalize(path)
    {
        return real;
    }
    path.to_path_buf()
}

/// The folder a path lives in ("." for a bare file name).
pub fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `logbook.age` -> `logbook.age.lock`, beside it: named after the whole file name, so
/// `a.age` and `a.bak` never share a lock.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

/// The lock name earlier versions used (`logbook.age` -> `logbook.lock`).
fn legacy_lock_path(path: &Path) -> PathBuf {
    path.with_extension("lock")
}

/// An exclusive lock on the logbook's lock file, held while this process may write.
/// The kernel drops it when the process dies, so a crash never leaves a stale lock.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    pub fn acquire(logbook: &Path) -> Result<Lock> {
        // No lock file beside a device or a pipe given as the logbook (`/dev/zero.lock`).
        let meta = fs::metadata(logbook).ok();
        if meta.as_ref().is_some_and(|m| !m.is_file()) {
            return Err(Error::NotRegular(logbook.to_path_buf()));
        }
        // The lock is named after the path, so a second name for the same file (a hard
        // link) would take a second lock, and two programs saving under the two names would
        // split the logbook in two without a word (tester4 #9). A save replaces the file by
        // rename, so the logbook this program writes always has one name.
        #[cfg(unix)]
        if meta.as_ref().is_some_and(|m| m.nlink() > 1) {
            return Err(Error::HardLinked(logbook.to_path_buf()));
        }
        let path = lock_path(logbook);
        let lock = Lock::take(&path, logbook)?;
        // An earlier version writing this logbook holds the old-named lock: refuse too. It
        // is only tested, not held, since `a.age` and `a.bak` both map to `a.lock`.
        let legacy = legacy_lock_path(logbook);
        if legacy != path
            && let Ok(file) = OpenOptions::new().read(true).write(true).open(&legacy)
        {
            match file.try_lock() {
                Ok(()) => drop(file),
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(Error::Locked(logbook.to_path_buf()));
                }
                Err(fs::TryLockError::Error(_)) => {}
            }
        }
        Ok(lock)
    }

    fn take(path: &Path, logbook: &Path) -> Result<Lock> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        options.mode(0o600);
        let file = options
            .open(path)
            .map_err(|e| Error::io("opening the lock file", path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(Lock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(Error::Locked(logbook.to_path_buf())),
            Err(fs::TryLockError::Error(e)) => Err(Error::io("locking", path, e)),
        }
    }
}

/// Which file was on disk: a save replaces the file by rename, so a new inode, size or
/// modification time means someone else wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileId {
    dev: u64,
    ino: u64,
    len: u64,
    modified: Option<SystemTime>,
}

impl FileId {
    pub fn of(path: &Path) -> io::Result<FileId> {
        FileId::from_meta(&fs::metadata(path)?)
    }

    /// The identity of an open file. A rename keeps a file's device, inode, size and
    /// modification time, so the temporary file's identity before the rename is the
    /// logbook's after it, with no fallible step in between.
    fn of_file(file: &File) -> io::Result<FileId> {
        FileId::from_meta(&file.metadata()?)
    }

    fn from_meta(meta: &fs::Metadata) -> io::Result<FileId> {
        #[cfg(unix)]
        let (dev, ino) = (meta.dev(), meta.ino());
        #[cfg(not(unix))]
        let (dev, ino) = (0, 0);
        Ok(FileId {
            dev,
            ino,
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

fn temp_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "logbook".into());
    format!(".{name}.tmp-")
}

/// Removes temporary files that a killed process left beside `target`. Only called while
/// holding the lock, when no other writer can be mid-save.
pub fn remove_stale_temps(target: &Path) {
    let prefix = temp_prefix(target);
    let Ok(entries) = fs::read_dir(folder_of(target)) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Removes the temporary files beside `target` that a process which has since ended left
/// (an interrupted first-run set-up leaves `.NAME.key.age.tmp-PID-N`, tester4 #13), when
/// no lock is held: only names of exactly that pattern, only when that process is gone
/// (or, where that cannot be told, the file is over a day old).
pub fn remove_dead_temps(target: &Path) {
    let prefix = temp_prefix(target);
    let Ok(entries) = fs::read_dir(folder_of(target)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((pid, nanos)) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.split_once('-'))
        else {
            continue;
        };
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(pid) || !digits(nanos) || pid == std::process::id().to_string() {
            continue;
        }
        let proc = Path::new("/proc");
        let gone = if proc.join("self").exists() {
            !proc.join(pid).exists()
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 24 * 3600)
        };
        if gone && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Replaces `target` with what `write` produces, atomically: a new owner-only temporary
/// file in the same folder, written, flushed and fsynced (a failed fsync fails the save),
/// then renamed over the target and the folder fsynced. If `expected` is given, the
/// target must still be that file, or nothing is replaced. On any failure before the
/// rename the temporary file is removed and the target is untouched. Returns the new
/// file's identity.
///
/// Once the rename is done the new file *is* the target, so a failed folder fsync after
/// it is `Error::Unflushed`, which carries the new identity: the caller must treat the
/// file as saved (and keep saving over it), and say the change may not survive a power cut.
///
/// The temporary file is made here rather than with `tempfile::Builder`: its name carries
/// the logbook's own prefix and this process's id, which is how a later writer finds and
/// removes what a killed save left (`remove_stale_temps`), and every write, fsync and
/// rename goes through the fault-injection layer the tests use. Like `tempfile` it is
/// created exclusively (`create_new`) and owner-only.
pub fn replace_atomically(
    target: &Path,
    expected: Option<&FileId>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<FileId> {
    let folder = folder_of(target);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let temp = folder.join(format!(
        "{}{}-{nanos}",
        temp_prefix(target),
        std::process::id()
    ));
    let file = create_private(&temp)?;
    let written = (|| -> Result<FileId> {
        let mut out = BufWriter::with_capacity(1 << 16, Faulty(file));
        write(&mut out).map_err(|e| Error::io("saving", target, e))?;
        let Faulty(file) = out
            .into_inner()
            .map_err(|e| Error::io("saving", target, e.into_error()))?;
        sync_file(&file).map_err(|e| Error::io("saving", target, e))?;
        let id = FileId::of_file(&file).map_err(|e| Error::io("saving", target, e))?;
        drop(file);
        if let Some(expected) = expected {
            match FileId::of(target) {
                Ok(now) if &now == expected => {}
                Ok(_) => return Err(Error::ChangedOnDisk(target.to_path_buf())),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(Error::Vanished(target.to_path_buf()));
                }
                Err(e) => return Err(Error::io("checking", target, e)),
            }
        }
        rename(&temp, target).map_err(|e| Error::io("saving", target, e))?;
        Ok(id)
    })();
    let id = match written {
        Ok(id) => id,
        Err(e) => {
            let _ = fs::remove_file(&temp);
            return Err(e);
        }
    };
    match sync_folder(&folder) {
        Ok(()) => Ok(id),
        Err(source) => Err(Error::Unflushed {
            path: target.to_path_buf(),
            id,
            source,
        }),
    }
}

/// Makes a rename durable: fsync the folder that holds the file.
pub fn sync_folder(folder: &Path) -> io::Result<()> {
    faults::check(faults::Op::SyncFolder, folder)?;
    #[cfg(unix)]
    {
        File::open(folder)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(())
    }
}

/// Makes a file's contents durable (fsync), through the fault seam.
pub fn sync_file(file: &File) -> io::Result<()> {
    faults::check(faults::Op::SyncFile, Path::new(""))?;
    file.sync_all()
}

/// Renames a file, through the fault seam.
pub fn rename(from: &Path, to: &Path) -> io::Result<()> {
    faults::check(faults::Op::Rename, to)?;
    fs::rename(from, to)
}

/// A file whose writes pass through the fault seam.
struct Faulty(File);

impl Write for Faulty {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        faults::check(faults::Op::Write, Path::new(""))?;
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Injectable failures for the tests that prove every write, fsync and rename failure is
/// reported truthfully (tests/fault_injection.rs). Inactive unless a test arms it on its own
/// thread, so the program itself never sees an injected fault.
#[doc(hidden)]
pub mod faults {
    use std::cell::RefCell;
    use std::io;
    use std::path::{Path, PathBuf};

    /// The kinds of operation that can be made to fail.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Op {
        Write,
        SyncFile,
        SyncFolder,
        Rename,
    }

    #[derive(Default)]
    struct Plan {
        /// Fail the operation with this index (0-based), if any.
        fail_at: Option<usize>,
        /// Every operation seen since arming, in order.
        seen: Vec<(Op, PathBuf)>,
    }

    thread_local! {
        static PLAN: RefCell<Option<Plan>> = const { RefCell::new(None) };
    }

    /// Counts this thread's file operations from now on, failing the `fail_at`-th (if
    /// given), until `disarm`.
    pub fn arm(fail_at: Option<usize>) {
        PLAN.with(|p| {
            *p.borrow_mut() = Some(Plan {
                fail_at,
                seen: Vec::new(),
            })
        });
    }

    /// Stops injecting and returns the operations seen since `arm`.
    pub fn disarm() -> Vec<(Op, PathBuf)> {
        PLAN.with(|p| p.borrow_mut().take().map(|p| p.seen).unwrap_or_default())
    }

    pub(super) fn check(op: Op, path: &Path) -> io::Result<()> {
        PLAN.with(|p| {
            let mut plan = p.borrow_mut();
            let Some(plan) = plan.as_mut() else {
                return Ok(());
            };
            let index = plan.seen.len();
            plan.seen.push((op, path.to_path_buf()));
            if plan.fail_at == Some(index) {
                Err(io::Error::other(format!("injected {op:?} failure")))
            } else {
                Ok(())
            }
        })
    }
}

/// Bounds on what is read whole into memory, far beyond anything real (a logbook of 50,000
/// incidents, the largest planned for, is about 640 MB), so that a wrong path (`/dev/zero`,
/// a huge file) fails at once with a clear message instead of filling memory.
pub mod limits {
    /// A logbook, a backup or a manifest (ciphertext), or an import file.
    pub const LOGBOOK: u64 = 4 << 30;
    /// An age identity file (one key is 74 bytes; a few hundred keys fit easily).
    pub const IDENTITY: u64 = 1 << 20;
    /// A passphrase file.
    pub const PASSPHRASE: u64 = 64 << 10;
}

/// Whether a symbolic link at the path itself is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// A path the user gave: a link to a regular file is fine.
    Follow,
    /// A file the program found by name (a backup on a medium): a link is refused.
    Refuse,
}

/// Reads a regular file whole, refusing anything else (a device, a FIFO, a folder, a
/// socket) and anything longer than `limit` bytes, each with one clear sentence. The file
/// is opened non-blocking, so a FIFO never hangs the program (or a lock it holds); what
/// is opened is checked (fstat), so a swap between check and open cannot slip through.
/// `NotFound` is returned as `Error::Io` with that kind, for callers to word it.
pub fn read_regular(path: &Path, limit: u64, links: Links) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let (file, len) = open_regular(path, limit, links)?;
    let mut bytes = Vec::with_capacity(len as usize);
    // The file may grow while it is read: never read past the limit.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("reading", path, e))?;
    if bytes.len() as u64 > limit {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(bytes)
}

/// Opens a regular file to read as `read_regular` does, with the same refusals, without
/// reading it: the file and its length when opened.
pub fn open_regular(path: &Path, limit: u64, links: Links) -> Result<(fs::File, u64)> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        let mut flags = rustix::fs::OFlags::NONBLOCK;
        if links == Links::Refuse {
            flags |= rustix::fs::OFlags::NOFOLLOW;
        }
        options.custom_flags(flags.bits() as i32);
    }
    let file = options.open(path).map_err(|e| {
        // O_NOFOLLOW on a link fails with ELOOP.
        if links == Links::Refuse && fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()) {
            Error::NotRegular(path.to_path_buf())
        } else {
            Error::io("reading", path, e)
        }
    })?;
    let meta = file.metadata().map_err(|e| Error::io("reading", path, e))?;
    if !meta.is_file() {
        return Err(Error::NotRegular(path.to_path_buf()));
    }
    if meta.len() > limit {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok((file, meta.len()))
}

/// Whether an error from `read_regular` means there is no such file.
pub fn is_not_found(e: &Error) -> bool {
    matches!(e, Error::Io(f) if f.source.kind() == io::ErrorKind::NotFound)
}

/// Owner-only permissions on an existing file (e.g. one a user encrypted by hand).
pub fn make_private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
