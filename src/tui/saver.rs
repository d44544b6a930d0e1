//! The saver thread owns the logbook file. The app sends it what changed after each
//! committed change (`vault::Tracker`): the thread keeps its own copy of the logbook, with
//! each person's and incident's text as the file holds it (`vault::Held`), so neither the
//! screen's thread copies the whole logbook nor the save encodes every record again. Saves coalesce (a newer request
//! replaces one not yet started), so typing never waits on the disk, and quitting waits for
//! the last one.

use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;

use zeroize::Zeroizing;

use crate::error::{Error, IoFailure};
use crate::model::{Logbook, Stamp};
use crate::vault::{Delta, Held, Key, Tracker, Vault};

/// What the status bar says when the save thread is gone (it panicked): changes can no
/// longer reach the disk, and "Saving..." must not show for ever.
pub const THREAD_STOPPED: &str = "The save thread stopped, so changes are NOT being saved: note what you changed, quit, and open the logbook again.";

/// What the app says when the logbook's file was deleted or moved while it was open.
pub const VANISHED: &str = "logbook file deleted or moved";

pub enum Job {
    /// Save the logbook: what changed since the last save job (`Saver::save` makes it).
    Save(Box<Delta>),
    /// Write the logbook again where it was opened: its file was deleted or moved away
    /// (`Done::Vanished`), and the person asked for it to be written there again.
    SaveAgain(Box<Delta>),
    /// Take this first copy of the logbook, without saving: made off the screen's thread
    /// when a logbook is opened (`Saver::prime`), so that its first save is as quick as
    /// the rest.
    Keep(Box<Delta>),
    /// Encrypt this text to the logbook's public keys (its recipients) and hand it back
    /// (a draft while locked): no secret needed.
    Seal(Vec<String>, Zeroizing<String>),
    /// Back up the logbook (what changed since the last job, as for a save) to this
    /// folder; the key (the identities that opened the logbook) reads the backup back, and
    /// is dropped when the backup ends.
    Backup {
        key: Key,
        book: Box<Delta>,
        dir: std::path::PathBuf,
        keep: usize,
        stamp: Stamp,
    },
}

pub enum Done {
    Saved(Result<(), String>),
    /// Saved, but the folder could not be flushed: the change may not survive a power cut.
    SavedUnflushed(String),
    /// Nothing saved: the logbook's file was deleted or moved while open. `SaveAgain`
    /// writes it there again.
    Vanished(String),
    Sealed(Result<Vec<u8>, String>),
    BackupProgress(crate::backup::Progress),
    /// The backup's file name and a summary, or the error; and the logbook if the backup
    /// changed it (no backup does any more; kept for the app's handler).
    BackedUp(Result<(String, String), String>, Option<Box<Logbook>>),
}

pub struct Saver {
    jobs: Option<Sender<Job>>,
    /// The thread hands back the vault and the last save's failure, if the last save failed.
    thread: Option<JoinHandle<(Vault, Option<Error>)>>,
    /// Saves sent and not yet answered.
    pub pending: usize,
    /// The thread is gone: nothing sent to it will be done.
    pub stopped: bool,
    path: std::path::PathBuf,
    /// What the save jobs sent so far hold: every save job goes through it, in order, to
    /// the one copy the thread keeps.
    tracker: Tracker,
}

impl Saver {
    /// `deliver` is handed each answer as it comes, then `None` once the thread is gone
    /// (it ended or panicked): the app's loop blocks on its one message channel, so the
    /// answers are pushed into it rather than polled for.
    pub fn spawn(mut vault: Vault, deliver: impl Fn(Option<Done>) + Send + 'static) -> Saver {
        let path = vault.path().to_path_buf();
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (outbox, done) = mpsc::channel::<Done>();
        std::thread::spawn(move || {
            while let Ok(answer) = done.recv() {
                deliver(Some(answer));
            }
            deliver(None);
        });
        let thread = std::thread::spawn(move || {
            // The last save's failure: quitting reports it and exits non-zero.
            let mut last_failure: Option<Error> = None;
            // The logbook as the last save job left it, with its records' text.
            let mut held: Option<Held> = None;
            let mut next = inbox.recv().ok();
            while let Some(job) = next.take() {
                match job {
                    Job::Save(delta) => {
                        let mut newest = keep(&mut held, *delta);
                        // Coalesce: skip to the newest save already waiting (each one's
                        // changes are kept, in order; only the last is written).
                        loop {
                            match inbox.try_recv() {
                                Ok(Job::Save(newer)) => {
                                    let _ = outbox.send(Done::Saved(Ok(())));
                                    newest = keep(&mut held, *newer);
                                }
                                Ok(other) => {
                                    next = Some(other);
                                    break;
                                }
                                Err(_) => break,
                            }
                        }
                        last_failure = answer(vault.save_held(newest), &outbox);
                    }
                    Job::SaveAgain(delta) => {
                        let held = keep(&mut held, *delta);
                        last_failure = answer(vault.save_held_again(held), &outbox);
                    }
                    Job::Keep(delta) => {
                        keep(&mut held, *delta);
                    }
                    Job::Seal(recipients, text) => {
                        let sealed = vault
                            .seal_bytes(&recipients, text.as_bytes())
                            .map_err(|e| e.to_string());
                        let _ = outbox.send(Done::Sealed(sealed));
                    }
                    Job::Backup {
                        key,
                        book,
                        dir,
                        keep: how_many,
                        stamp,
                    } => {
                        let book = keep(&mut held, *book).logbook();
                        let result = back_up(&vault, &key, book, &dir, how_many, &stamp, &outbox);
                        let _ = outbox.send(Done::BackedUp(result, None));
                        // The key goes with the job: the saver keeps no secret.
                        drop(key);
                    }
                }
                if next.is_none() {
                    next = inbox.recv().ok();
                }
            }
            // The records wipe themselves as the last copy of each is dropped.
            drop(held);
            (vault, last_failure)
        });
        Saver {
            jobs: Some(jobs),
            thread: Some(thread),
            pending: 0,
            stopped: false,
            path,
            tracker: Tracker::default(),
        }
    }

    /// What changed in `book` since the last job that carried the logbook: every such
    /// job must be sent, in order, for the thread's copy to stay the app's.
    pub fn delta(&mut self, book: &Logbook) -> Box<Delta> {
        Box::new(self.tracker.delta(book))
    }

    /// Saves the logbook (or, `again`, writes it again where its file vanished from):
    /// sends what changed since the last save. False if the thread is gone.
    pub fn save(&mut self, book: &Logbook, again: bool) -> bool {
        let delta = self.delta(book);
        self.send(if again {
            Job::SaveAgain(delta)
        } else {
            Job::Save(delta)
        })
    }

    /// Hands the thread the logbook just opened, as `tracker`'s first delta, made on
    /// another thread from a copy sharing the app's records: the thread encodes it while
    /// nothing waits, and the first save sends only what changed.
    pub fn prime(&mut self, tracker: Tracker, first: Delta) {
        self.tracker = tracker;
        self.send(Job::Keep(Box::new(first)));
    }

    /// Sends a job; false if the thread is gone (the job will never be done).
    pub fn send(&mut self, job: Job) -> bool {
        let is_save = matches!(job, Job::Save(_) | Job::SaveAgain(_));
        let sent = !self.stopped && self.jobs.as_ref().is_some_and(|j| j.send(job).is_ok());
        if !sent {
            self.stopped = true;
            self.pending = 0;
        } else if is_save {
            self.pending += 1;
        }
        sent
    }

    /// Waits for every save sent so far, then ends the thread. The error is the last
    /// save's failure (or the thread's end), so that quitting after it exits non-zero.
    pub fn finish(mut self) -> Result<(), Error> {
        self.jobs = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok((_, Some(failure)))) => Err(failure),
            Some(Err(_)) => Err(Error::Io(IoFailure {
                doing: "saving",
                path: self.path.clone(),
                source: std::io::Error::other("the save thread stopped"),
            })),
            _ => Ok(()),
        }
    }
}

/// Applies a job's changes to the thread's copy (the first makes it).
fn keep(held: &mut Option<Held>, delta: Delta) -> &Held {
    match held {
        Some(held) => {
            held.apply(delta);
            held
        }
        None => held.insert(Held::new(delta)),
    }
}

/// Tells the app how a save went; returns the failure, if it was one (quitting reports it).
fn answer(result: Result<(), Error>, outbox: &Sender<Done>) -> Option<Error> {
    let done = match &result {
        Ok(()) => Done::Saved(Ok(())),
        // Renamed into place but the folder not flushed: the new file is the logbook, so
        // this is a warning, not a failure to save.
        Err(e @ Error::Unflushed { .. }) => Done::SavedUnflushed(e.to_string()),
        Err(Error::Vanished(_)) => Done::Vanished(VANISHED.into()),
        Err(e) => Done::Saved(Err(e.to_string())),
    };
    let _ = outbox.send(done);
    result
        .err()
        .filter(|e| !matches!(e, Error::Unflushed { .. }))
}

/// Runs one backup with the key that opened the logbook. Never changes the logbook.
fn back_up(
    vault: &Vault,
    key: &Key,
    book: &Logbook,
    dir: &std::path::Path,
    keep: usize,
    stamp: &Stamp,
    outbox: &mpsc::Sender<Done>,
) -> Result<(String, String), String> {
    let options = crate::backup::Options {
        keep: keep.max(1),
        now: stamp.at,
        key_file: (!book.settings.passphrase_key.is_empty())
            .then(|| crate::vault::key_file_path(vault.path())),
        refuse_disk_of: Some(vault.path().to_path_buf()),
    };
    let result = crate::backup::run(book, key, dir, &options, &mut |p| {
        let _ = outbox.send(Done::BackupProgress(p));
    });
    result
        .map(|r| {
            let name = r
                .path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let summary = super::backup_dialog::summary(&r, key, book, dir, options.keep);
            (name, summary)
        })
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Identities;

    /// Primed with the logbook as opened, the thread saves a change from what it was sent
    /// of it (one incident and its trail entry), and the file holds exactly the whole
    /// logbook's text; a save of nothing changed sends nothing.
    #[test]
    fn a_primed_saver_sends_only_the_change_and_writes_the_whole_logbook() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lb.age");
        let ids = Identities::one(age::x25519::Identity::generate());
        let mut book = crate::demo::logbook().unwrap();
        let vault = Vault::create(&path, &book, Some(ids.recipients())).unwrap();
        let mut saver = Saver::spawn(vault, |_| {});
        let mut tracker = Tracker::default();
        let first = tracker.delta(&book);
        saver.prime(tracker, first);

        let id = book.incidents[3].id.clone();
        let stamp = Stamp::new("RO", book.audit.last().unwrap().at);
        book.update_incident(&stamp, &id, "edited description", |i| {
            i.description.push_str(" (and more)")
        })
        .unwrap();
        let delta = saver.tracker.delta(&book);
        assert_eq!(delta.records(), 2, "the incident and its trail entry");
        assert!(saver.send(Job::Save(Box::new(delta))));
        assert!(saver.save(&book, false));
        saver.finish().unwrap();

        let sealed = std::fs::read(&path).unwrap();
        let plain = crate::vault::decrypt(&path, &sealed, &Key::Identities(ids)).unwrap();
        assert!(plain.as_slice() == crate::vault::to_ron(&book).as_bytes());
    }
}
