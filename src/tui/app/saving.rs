//! Saves and backups as the event loop reports them back, and quitting around them: a
//! save on its way is waited for, a failed one is not dropped without a word.

use ratatui::crossterm::event::KeyEvent;

use super::{App, Effect, SaveState};
use crate::model::*;
use crate::tui::backup_dialog::{BackupStep, Outcome};
use crate::tui::form::{Field, FieldKind};
use crate::tui::keymap::{self, Action};

impl App {
    /// Reads the time of the last verified backup from the trail (once, not per frame).
    pub fn note_last_backup(&mut self) {
        self.last_backup = self
            .book
            .as_ref()
            .and_then(|b| b.last_backup())
            .map(|t| t.naive_local());
    }

    /// The status bar's word on backups: how long since the last, a warning when overdue.
    pub fn backup_status(&self) -> (String, bool) {
        let interval = self
            .book
            .as_ref()
            .map_or(7, |b| b.settings.backup_interval_days.max(1));
        match self.last_backup {
            None => (
                format!(
                    "not backed up yet: {}",
                    keymap::key_for(keymap::GLOBAL, Action::Backup)
                ),
                true,
            ),
            Some(t) => {
                let days = (self.now - t).num_days();
                let ago = match days {
                    0 => "backed up today".to_string(),
                    1 => "backed up 1 day ago".to_string(),
                    n => format!("backed up {n} days ago"),
                };
                if days >= i64::from(interval) {
                    let key = keymap::key_for(keymap::GLOBAL, Action::Backup);
                    (format!("{ago}: back up now ({key})"), true)
                } else {
                    (ago, false)
                }
            }
        }
    }

    /// The loop found these removable volumes: open the dialog on them.
    pub fn volumes_found(&mut self, volumes: Vec<(String, std::path::PathBuf)>) {
        let mut folder = Field::new("folder", "Folder", FieldKind::Text);
        folder.required = true;
        self.backup = Some(BackupStep::Choose {
            volumes,
            selected: 0,
            folder: Box::new(folder),
        });
    }

    pub(super) fn backup_key(&mut self, ev: KeyEvent) {
        let incidents = self.book.as_ref().map_or(0, |b| b.incidents.len() as u64);
        let Some(step) = &mut self.backup else { return };
        match step.handle(ev, incidents) {
            Outcome::Stay => {}
            Outcome::Close => self.backup = None,
            Outcome::Start(to) => self.effects.push(Effect::Backup(to)),
        }
    }

    /// Progress from the running backup.
    pub fn backup_progress(&mut self, stage: &'static str, bytes: u64) {
        if let Some(BackupStep::Running {
            stage: s, bytes: b, ..
        }) = &mut self.backup
        {
            *s = stage;
            *b = bytes;
        }
    }

    /// The backup's result. On success the trail records it and the logbook is saved.
    /// `book` is the logbook as the backup wrote it when that changed it (a passphrase
    /// logbook's first backup creates its backup key).
    pub fn backed_up(&mut self, result: Result<(String, String), String>, book: Option<Logbook>) {
        if let Some(book) = book {
            // The copy it replaces is wiped, not just freed.
            self.forget_records();
            self.book = Some(book);
        }
        let outcome = match result {
            Ok((file, summary)) => {
                let stamp = self.stamp();
                match self.book.as_mut().map(|b| b.record_backup(&stamp, &file)) {
                    Some(Err(e)) => Err(e.to_string()),
                    _ => {
                        self.note_last_backup();
                        self.effects.push(Effect::Save);
                        Ok(summary)
                    }
                }
            }
            Err(e) => Err(e),
        };
        self.backup = Some(BackupStep::done(outcome));
    }

    /// The person asked to quit. A save on its way is waited for; a change whose save failed
    /// is not dropped until the person, told so, asks a second time.
    pub fn request_quit(&mut self) {
        match &self.save {
            SaveState::Saving => {
                self.quit_after_save = true;
                self.message =
                    Some("Saving the last change: the app quits once it is on disk.".into());
            }
            SaveState::Failed(_) if !self.quit_warned => {
                let (retry, quit) = (
                    keymap::key_for(keymap::GLOBAL, Action::RetrySave),
                    keymap::key_for(keymap::GLOBAL, Action::Quit),
                );
                self.message = Some(format!(
                    "The last change is NOT saved. {retry} retries; press {quit} again to quit and lose it."
                ));
                self.quit_warned = true;
            }
            _ => self.quitting = true,
        }
    }

    /// A save was sent to the saver.
    pub fn saving(&mut self) {
        self.save = SaveState::Saving;
        self.quit_warned = false;
    }

    /// The saver's answer (for the newest change sent, or a failure).
    /// The saver's answer when the file was replaced but its folder not flushed: the change
    /// is saved (later saves go over it), and the person is told it may not survive a power
    /// cut, never that it was not saved.
    pub fn saved_unflushed(&mut self, warning: String) {
        // Not yet durable: taken-in concern files stay in the inbox until a save is.
        let taken = std::mem::take(&mut self.concerns.done);
        self.saved(Ok(()));
        self.concerns.done = taken;
        self.save = SaveState::Unflushed(self.now);
        self.message = Some(warning);
    }

    /// The saver's answer when the logbook's file was deleted or moved while open: nothing
    /// was saved, and `R` offers to write it there again.
    pub fn saved_vanished(&mut self, message: String) {
        self.saved(Err(message));
        self.save_gone = true;
        // "... saved." from the form would contradict it, and the bar needs the room.
        self.message = None;
    }

    pub fn saved(&mut self, result: Result<(), String>) {
        let failed = result.is_err();
        self.save_gone = false;
        if !failed {
            self.concerns_saved();
        }
        self.save = match result {
            Ok(()) => SaveState::Saved(self.now),
            Err(e) => SaveState::Failed(e),
        };
        if std::mem::take(&mut self.quit_after_save) {
            if failed {
                // Quitting now would lose the change without a word: say so and stay.
                self.message = Some(format!(
                    "Not saved, so not quitting: {} retries, {} quits anyway.",
                    keymap::key_for(keymap::GLOBAL, Action::RetrySave),
                    keymap::key_for(keymap::GLOBAL, Action::Quit)
                ));
                self.quit_warned = true;
            } else {
                self.quitting = true;
            }
        }
    }
}
