//! The saver thread owns the logbook file. The app sends it the newest logbook after each
//! committed change; saves coalesce (a newer request replaces one not yet started), so
//! typing never waits on the disk, and quitting waits for the last one.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use zeroize::{Zeroize, Zeroizing};

use crate::model::{Logbook, Stamp};
use crate::vault::{Key, Vault};

pub enum Job {
    Save(Box<Logbook>),
    /// Encrypt this text with the logbook's secret and hand it back (a draft while locked).
    Seal(Vec<String>, Zeroizing<String>),
    SetKey(Key),
    /// Back up to this folder (the saver holds the key the backup is sealed with).
    Backup {
        book: Box<Logbook>,
        dir: std::path::PathBuf,
        keep: usize,
        stamp: Stamp,
    },
}

pub enum Done {
    Saved(Result<(), String>),
    Sealed(Result<Vec<u8>, String>),
    BackupProgress(crate::backup::Progress),
    /// The backup's file name and a summary, or the error; and the logbook if the backup
    /// changed it (a passphrase logbook's first backup creates its backup key).
    BackedUp(Result<(String, String), String>, Option<Box<Logbook>>),
}

pub struct Saver {
    jobs: Option<Sender<Job>>,
    pub done: Receiver<Done>,
    thread: Option<JoinHandle<Vault>>,
    /// Saves sent and not yet answered.
    pub pending: usize,
}

impl Saver {
    pub fn spawn(mut vault: Vault) -> Saver {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (outbox, done) = mpsc::channel::<Done>();
        let thread = std::thread::spawn(move || {
            let mut next = inbox.recv().ok();
            while let Some(job) = next.take() {
                match job {
                    Job::Save(mut book) => {
                        // Coalesce: skip to the newest save already waiting.
                        loop {
                            match inbox.try_recv() {
                                Ok(Job::Save(newer)) => {
                                    let _ = outbox.send(Done::Saved(Ok(())));
                                    book.zeroize();
                                    book = newer;
                                }
                                Ok(other) => {
                                    next = Some(other);
                                    break;
                                }
                                Err(_) => break,
                            }
                        }
                        let result = vault.save(&book).map_err(|e| e.to_string());
                        // This copy was only for writing: wipe it rather than just free it.
                        book.zeroize();
                        let _ = outbox.send(Done::Saved(result));
                    }
                    Job::Seal(recipients, text) => {
                        let sealed = vault
                            .seal_bytes(&recipients, text.as_bytes())
                            .map_err(|e| e.to_string());
                        let _ = outbox.send(Done::Sealed(sealed));
                    }
                    Job::SetKey(key) => vault.set_key(key),
                    Job::Backup {
                        mut book,
                        dir,
                        keep,
                        stamp,
                    } => {
                        let (result, changed) =
                            back_up(&mut vault, &mut book, &dir, keep, &stamp, &outbox);
                        let _ = outbox.send(Done::BackedUp(result, changed.then_some(book)));
                    }
                }
                if next.is_none() {
                    next = inbox.recv().ok();
                }
            }
            vault
        });
        Saver {
            jobs: Some(jobs),
            done,
            thread: Some(thread),
            pending: 0,
        }
    }

    pub fn send(&mut self, job: Job) {
        if matches!(job, Job::Save(_)) {
            self.pending += 1;
        }
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(job);
        }
    }

    /// Waits for every save sent so far, then ends the thread and returns the vault.
    pub fn finish(mut self) -> Option<Vault> {
        self.jobs = None;
        self.thread.take().and_then(|t| t.join().ok())
    }
}

/// Runs one backup with the vault's key, saving first if it had to create the backup key.
fn back_up(
    vault: &mut Vault,
    book: &mut Logbook,
    dir: &std::path::Path,
    keep: usize,
    stamp: &Stamp,
    outbox: &mpsc::Sender<Done>,
) -> (Result<(String, String), String>, bool) {
    let changed = crate::backup::ensure_backup_key(book, vault.key(), stamp);
    if changed && let Err(e) = vault.save(book) {
        return (Err(e.to_string()), false);
    }
    let options = crate::backup::Options {
        keep: keep.max(1),
        now: stamp.at,
        refuse_disk_of: Some(vault.path().to_path_buf()),
    };
    let result = crate::backup::run(book, vault.key(), dir, &options, &mut |p| {
        let _ = outbox.send(Done::BackupProgress(p));
    });
    let result = result
        .map(|r| {
            let name = r
                .path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let mut summary = format!(
                "{} written and verified: {} incidents, {} audit entries, {} bytes, SHA-256 {}.",
                r.path.display(),
                r.incidents,
                r.head.len,
                r.size,
                &r.sha256[..16.min(r.sha256.len())]
            );
            if !r.rotation.removed.is_empty() {
                summary.push_str(&format!(
                    " Removed {} older backup(s).",
                    r.rotation.removed.len()
                ));
            }
            summary.push_str(&history_proof(vault.key(), book, dir));
            summary.push_str("\n\nIt is safe to remove the medium.");
            (name, summary)
        })
        .map_err(|e| e.to_string());
    (result, changed)
}

/// Each backup on the medium with its state and whether the logbook's trail extends it
/// unchanged: the proof that nothing recorded since was rewritten or removed.
fn history_proof(key: &Key, book: &Logbook, dir: &std::path::Path) -> String {
    use crate::backup::{Relation, State};
    let opener = crate::backup::Opener::new(key, Some(book));
    let Ok(listing) = crate::backup::list(dir, &opener, Some(book)) else {
        return String::new();
    };
    let mut text = String::from("\n\nBackups on this medium:");
    for item in listing.items.iter().take(6) {
        let relation = match (&item.state, &item.relation) {
            (State::Verified, Some(Relation::Extends(0))) => {
                "the logbook is exactly this".to_string()
            }
            (State::Verified, Some(Relation::Extends(n))) => {
                format!("history unchanged since, {n} entries added")
            }
            (State::Verified, Some(Relation::Diverges(d))) => format!("HISTORY DIFFERS: {d}"),
            _ => String::new(),
        };
        text.push_str(&format!(
            "\n  {}  {}  {relation}",
            item.name,
            item.state.label()
        ));
    }
    if listing.items.len() > 6 {
        text.push_str(&format!(
            "\n  ... and {} older (logbook backups shows all)",
            listing.items.len() - 6
        ));
    }
    text
}
