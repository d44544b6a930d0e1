//! The saver thread owns the logbook file. The app sends it the newest logbook after each
//! committed change; saves coalesce (a newer request replaces one not yet started), so
//! typing never waits on the disk, and quitting waits for the last one.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use zeroize::Zeroizing;

use crate::model::Logbook;
use crate::vault::{Key, Vault};

pub enum Job {
    Save(Box<Logbook>),
    /// Encrypt this text with the logbook's secret and hand it back (a draft while locked).
    Seal(Vec<String>, Zeroizing<String>),
    SetKey(Key),
}

pub enum Done {
    Saved(Result<(), String>),
    Sealed(Result<Vec<u8>, String>),
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
                        let _ = outbox.send(Done::Saved(result));
                    }
                    Job::Seal(recipients, text) => {
                        let sealed = vault
                            .seal_bytes(&recipients, text.as_bytes())
                            .map_err(|e| e.to_string());
                        let _ = outbox.send(Done::Sealed(sealed));
                    }
                    Job::SetKey(key) => vault.set_key(key),
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
