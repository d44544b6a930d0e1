//! The app's state and how keys change it. `App` holds everything a frame shows; key
//! handling changes the state and queues effects (save, unlock, quit) that the event loop
//! carries out, so every behaviour can be tested by feeding keys and reading state.

use chrono::NaiveDateTime;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::filter::Filter;
use super::form::Form;
use super::help::Help;
use super::keymap::{self, Action, Binding};
use super::picker::Picker;
pub use super::screens::list::{ListState, Sort, View};
use super::screens::unlock::Unlock;
use super::screens::{Ctx, Go};
pub use super::screens::{Screen, Section};
use crate::model::*;

mod form_keys;
mod picking;
mod saving;

pub use form_keys::setup_form;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No logbook yet: the set-up form.
    Setup,
    /// Asking for the passphrase or key file.
    Unlock,
    /// Decrypting (scrypt takes about a second by design).
    Unlocking,
    /// Choosing who is recording.
    ChooseWho,
    Ready,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    /// Nothing to save yet this session.
    Idle,
    Saving,
    Saved(NaiveDateTime),
    /// Saved at this time, but the folder could not be flushed afterwards.
    Unflushed(NaiveDateTime),
    Failed(String),
}

/// What the event loop must do for the app.
pub enum Effect {
    Save,
    /// Write the logbook again where it was opened (its file was deleted or moved away).
    SaveAgain,
    Unlock(zeroize::Zeroizing<String>),
    Create {
        form_values: Vec<(String, String)>,
    },
    Lock,
    Quit,
    /// Look for removable media for the backup dialog.
    FindVolumes,
    Backup(std::path::PathBuf),
    /// Read the staff concern inbox with the logbook's key.
    ReadConcerns,
    /// Remove these concern files: the logbook holding them is saved.
    RemoveConcerns(Vec<std::path::PathBuf>),
    /// Write an export (see `records`), then record it in the trail.
    Export(Box<super::records::Outgoing>),
    /// Read an evidence file through for its fingerprint, off the screen's thread (a file
    /// can be gigabytes); the answer comes back to `App::fingerprinted` with `job`.
    Fingerprint {
        job: u64,
        path: std::path::PathBuf,
    },
}

pub use super::backup_dialog::BackupStep;

/// What can be open over the screen, each a layer of `App::layers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Screen,
    Popup,
    Form,
    Backup,
    Picker,
    Help,
}

pub use super::popup::Popup;

pub struct App {
    pub phase: Phase,
    /// What the status bar calls the logbook.
    pub name: String,
    /// The lock screen's fields.
    pub unlock: Unlock,
    /// The holder named in settings for the key that opened the logbook (set by the loop
    /// before `unlocked`): in key mode, the one who records.
    pub holder: Option<String>,
    pub book: Option<Logbook>,
    pub who: String,
    pub screens: Vec<Screen>,
    pub list: ListState,
    pub form: Option<Form>,
    pub picker: Option<Picker>,
    pub popup: Option<Popup>,
    pub backup: Option<BackupStep>,
    /// When the last verified backup was made (from the trail).
    pub last_backup: Option<NaiveDateTime>,
    /// The help overlay, while open.
    pub help: Option<Help>,
    pub save: SaveState,
    pub message: Option<String>,
    pub now: NaiveDateTime,
    pub last_key: NaiveDateTime,
    pub effects: Vec<Effect>,
    /// A form in progress when the app locked, encrypted by the loop while locked.
    pub draft: Option<Vec<u8>>,
    pub quitting: bool,
    /// Quit was asked for while a save was on its way: quit once it is on disk.
    pub quit_after_save: bool,
    /// The person was told the last change is not saved; a second quit loses it.
    pub quit_warned: bool,
    /// The last save found the logbook's file gone (deleted or moved while open): `R`
    /// writes it there again instead of retrying a save that cannot succeed.
    pub save_gone: bool,
    /// The terminal's size, given by the loop as `now` is. Paging moves by the rows the
    /// screen shows at this size (`view::page`), worked out as drawing lays them out:
    /// drawing reads the state and never writes it.
    pub size: ratatui::layout::Rect,
    /// What the check of the audit trail found wrong, once the logbook was shown before
    /// its trail was read (`Logbook::trail_pending`): shown in the status bar for as long
    /// as the logbook is open, since nothing can be changed.
    pub trail_fault: Option<String>,
    /// Staff concerns from the inbox.
    pub concerns: super::concerns::Inbox,
    /// The Retention screen's rows, kept until the logbook changes.
    pub retention_rows: super::records::RetentionRows,
    /// The Statistics screen's figures, kept until the logbook, day or period changes.
    pub stats_cache: super::records::StatsCache,
    /// The set-up form was sent: the loop is creating the logbook (deriving the key takes
    /// seconds) and the status bar shows a spinner; keys wait for its answer.
    pub creating: bool,
    /// A change of recorder made while the history was still being checked (a key-file
    /// switch unlocks again, and the check runs again): who took over, from whom and how,
    /// recorded as soon as the check passes (`record_handover`), never dropped.
    pub handover: Option<(Stamp, String, String)>,
    /// The evidence file being hashed for the open form: (job, the path as typed). An
    /// answer for another job, or for a form since closed or changed, is not used.
    pub hashing: Option<(u64, String)>,
    pub hash_jobs: u64,
    /// The logbook's file, for what is looked for beside it (restore copies named at a
    /// disposal); None in tests that have no file.
    pub path: Option<std::path::PathBuf>,
    /// Unlocked after a lock with a passphrase (which names no one): whoever unlocked says
    /// who they are before anything is recorded (tester4 #11); Enter keeps the last.
    pub confirming_who: bool,
}

impl App {
    pub fn new(name: String, now: NaiveDateTime) -> App {
        App {
            phase: Phase::Unlock,
            name,
            unlock: Unlock::default(),
            holder: None,
            book: None,
            who: String::new(),
            screens: vec![Screen::List],
            list: ListState {
                view: View::Open,
                filter: Filter::default(),
                sort: Sort::Date,
                selected: 0,
                rows: Vec::new(),
                found: Default::default(),
            },
            handover: None,
            hashing: None,
            hash_jobs: 0,
            form: None,
            picker: None,
            popup: None,
            backup: None,
            last_backup: None,
            help: None,
            save: SaveState::Idle,
            message: None,
            now,
            last_key: now,
            effects: Vec::new(),
            draft: None,
            quitting: false,
            quit_after_save: false,
            quit_warned: false,
            save_gone: false,
            size: ratatui::layout::Rect::new(0, 0, 100, 30),
            trail_fault: None,
            concerns: Default::default(),
            retention_rows: Default::default(),
            stats_cache: Default::default(),
            creating: false,
            path: None,
            confirming_who: false,
        }
    }

    /// The app opened on a logbook already decrypted (the demo, or after set-up).
    pub fn ready(name: String, now: NaiveDateTime, book: Logbook, who: String) -> App {
        let mut app = App::new(name, now);
        app.book = Some(book);
        app.who = who;
        app.phase = Phase::Ready;
        app.refresh();
        app.note_last_backup();
        app
    }

    pub fn screen(&self) -> &Screen {
        self.screens.last().unwrap_or(&Screen::List)
    }

    /// What is open, bottom to top: the screen, then each overlay. This one order decides
    /// both what is drawn over what (`view::draw` draws them in it) and where a key goes
    /// (the top layer has the keyboard), so the two cannot disagree.
    pub fn layers(&self) -> Vec<Layer> {
        let mut layers = vec![Layer::Screen];
        if self.popup.is_some() {
            layers.push(Layer::Popup);
        }
        if self.form.is_some() {
            layers.push(Layer::Form);
        }
        if self.backup.is_some() {
            layers.push(Layer::Backup);
        }
        if self.picker.is_some() {
            layers.push(Layer::Picker);
        }
        if self.help.is_some() {
            layers.push(Layer::Help);
        }
        layers
    }

    /// The layer that has the keyboard.
    pub fn top(&self) -> Layer {
        self.layers().last().copied().unwrap_or(Layer::Screen)
    }

    /// The keymap of what has the keyboard now (under the help, whose keys it lists).
    pub fn keymap(&self) -> &'static [Binding] {
        if matches!(self.phase, Phase::Unlock | Phase::Unlocking) {
            return keymap::UNLOCK;
        }
        match self.below_help() {
            Layer::Backup => keymap::BACKUP,
            // Someone must be recording: Esc does nothing until a name is chosen.
            Layer::Picker if self.must_choose_who() => keymap::CHOOSE_WHO,
            // No logbook yet: nothing to lock.
            Layer::Form if self.phase == Phase::Setup => keymap::SETUP_FORM,
            Layer::Form if self.form.as_ref().and_then(Form::asking_keep).is_some() => {
                keymap::KEEP_DRAFT
            }
            Layer::Form => keymap::FORM,
            Layer::Picker => keymap::PICKER,
            Layer::Popup if self.concerns.reading => self.concerns.reader_keys(),
            Layer::Popup => keymap::POPUP,
            Layer::Screen | Layer::Help => match self.screen() {
                // Typing into a filter: its keys, not the screen's (which are text there).
                Screen::List if self.list.filter.typing => keymap::FILTER,
                Screen::People { filter, .. } if filter.typing => keymap::FILTER,
                Screen::List => keymap::LIST,
                Screen::Detail { .. } => keymap::DETAIL,
                Screen::People { .. } => keymap::PEOPLE,
                Screen::Chronology { .. } => keymap::CHRONOLOGY,
                Screen::Concerns { .. } => self.concerns.keys(),
                Screen::Statistics { .. } => keymap::STATISTICS,
                Screen::Retention { .. } => keymap::RETENTION,
                Screen::History { .. } => keymap::HISTORY,
            },
        }
    }

    /// The layer that has the keyboard, or would have without the help over it.
    pub fn below_help(&self) -> Layer {
        self.layers()
            .into_iter()
            .rev()
            .find(|l| *l != Layer::Help)
            .unwrap_or(Layer::Screen)
    }

    /// Choosing who records at start-up: someone must, so the picker cannot be left.
    pub fn must_choose_who(&self) -> bool {
        self.phase == Phase::ChooseWho && (self.who.is_empty() || self.confirming_who)
    }

    pub(super) fn today(&self) -> chrono::NaiveDate {
        self.now.date()
    }

    pub fn stamp(&self) -> Stamp {
        use chrono::TimeZone;
        let offset = chrono::Local
            .from_local_datetime(&self.now)
            .earliest()
            .map_or_else(
                || chrono::FixedOffset::east_opt(0).expect("zero offset"),
                |t| *t.offset(),
            );
        let at = offset
            .from_local_datetime(&self.now)
            .earliest()
            .unwrap_or_else(|| offset.from_utc_datetime(&self.now));
        Stamp::new(self.who.clone(), at)
    }

    pub fn selected_incident(&self) -> Option<&Incident> {
        let book = self.book.as_ref()?;
        match self.screen() {
            Screen::Detail { id, .. } => book.incident(id),
            _ => self
                .list
                .rows
                .get(self.list.selected)
                .map(|n| &*book.incidents[*n]),
        }
    }

    /// Feeds one key press to the app.
    pub fn key(&mut self, ev: KeyEvent) {
        self.last_key = self.now;
        if self.creating {
            // The set-up form's values are on their way: a key would change or send it again.
            return;
        }
        if self.top() == Layer::Help {
            // Help is read, not typed into: only its closing and scrolling keys do anything.
            let page = super::view::page(self) as u16;
            if self.help.as_mut().is_some_and(|h| h.handle(&ev, page)) {
                self.help = None;
            }
            return;
        }
        // F1 opens help everywhere, forms and pickers included.
        if ev.code == KeyCode::F(1)
            && matches!(
                self.phase,
                Phase::Ready | Phase::Setup | Phase::Unlock | Phase::Unlocking | Phase::ChooseWho
            )
        {
            self.help = Some(Help::default());
            return;
        }
        // Ctrl-C quits nothing (see `ctrl_c_words`): it says how to leave.
        if ev.code == KeyCode::Char('c')
            && ev
                .modifiers
                .contains(ratatui::crossterm::event::KeyModifiers::CONTROL)
        {
            self.message = Some(super::ctrl_c_words(self));
            return;
        }
        match self.phase {
            Phase::Setup => self.form_key(ev),
            Phase::Unlock => self.unlock_key(ev),
            Phase::Unlocking => {}
            Phase::ChooseWho => self.picker_key(ev),
            Phase::Ready => self.ready_key(ev),
        }
    }

    /// Time passes: locks the app after the idle minutes in settings.
    pub fn tick(&mut self, now: NaiveDateTime) {
        self.now = now;
        if self.phase != Phase::Ready {
            return;
        }
        let minutes = self
            .book
            .as_ref()
            .map_or(5, |b| b.settings.idle_lock_minutes.max(1));
        if (now - self.last_key).num_seconds() >= i64::from(minutes) * 60 {
            self.lock();
        }
    }

    /// Locks: the loop encrypts any form in progress as a draft and drops the records.
    pub fn lock(&mut self) {
        if self.phase != Phase::Ready {
            return;
        }
        // A concern form is not kept over a lock: the concern stays waiting in the inbox.
        if self.form.as_ref().is_some_and(|f| f.concern.is_some()) {
            self.form = None;
            self.concerns.form_dropped = true;
        }
        self.effects.push(Effect::Lock);
    }

    /// Called by the loop once the draft is encrypted: forget everything decrypted.
    pub fn locked(&mut self, draft: Option<Vec<u8>>) {
        self.draft = draft;
        self.forget_records();
        self.concerns.forget();
        self.form = None;
        self.picker = None;
        self.popup = None;
        self.help = None;
        self.list.rows.clear();
        self.phase = Phase::Unlock;
        self.quit_warned = false;
        self.message = Some(
            self.unlock
                .locked()
                .unwrap_or_else(|| "Locked. Unlock to continue where you were.".into()),
        );
        if std::mem::take(&mut self.concerns.form_dropped) {
            self.message = Some(format!(
                "Locked. The concern you were taking in is still waiting in the folder: {} after unlocking.",
                keymap::key_for(keymap::LIST, Action::Concerns)
            ));
        }
    }

    fn unlock_key(&mut self, ev: KeyEvent) {
        let action = keymap::lookup(keymap::UNLOCK, &ev);
        if action != Some(Action::Quit) {
            // "Esc again" means the next key: any other key takes the warning back.
            self.quit_warned = false;
        }
        match action {
            // A kept draft is lost by quitting while locked: the first Esc says so.
            Some(Action::Quit) if self.draft.is_some() && !self.quit_warned => {
                self.quit_warned = true;
                self.message = Some(format!(
                    "{} again quits and the form you were filling in is lost; unlock to keep it.",
                    keymap::key_for(keymap::UNLOCK, Action::Quit)
                ));
            }
            Some(Action::Quit) => self.request_quit(),
            _ => {
                if let Some(effect) = self.unlock.handle(action, ev) {
                    self.phase = Phase::Unlocking;
                    self.effects.push(effect);
                }
            }
        }
    }

    /// Drops the decrypted records, wiping their text from memory first.
    pub fn forget_records(&mut self) {
        self.retention_rows.clear();
        self.stats_cache.clear();
        // The filter's copy of the records' text is wiped as it is dropped.
        self.list.found = Default::default();
        if let Some(mut book) = self.book.take() {
            zeroize::Zeroize::zeroize(&mut book);
        }
    }

    /// The loop's answer to an unlock: the logbook, or a message and another try.
    pub fn unlocked(&mut self, result: Result<(Logbook, Option<Form>), String>) {
        match result {
            Ok((book, draft)) => {
                // Help opened while unlocking listed the lock screen's keys.
                self.help = None;
                let staff = book.settings.staff.clone();
                self.book = Some(book);
                self.form = draft;
                self.draft = None;
                self.message = None;
                self.refresh();
                self.note_last_backup();
                self.read_concerns();
                self.unlock.switching = false;
                // A key's holder records: a key names its holder, never a list.
                if let Some(name) = self.holder.clone() {
                    self.phase = Phase::Ready;
                    self.switch_recorder(name, "opened the logbook with their key");
                } else if self.who.is_empty() {
                    self.choose_who(&staff);
                } else {
                    // A passphrase names no one, and the idle lock is when someone else
                    // sits down: asked again, the last recorder first (Enter keeps them).
                    self.confirming_who = true;
                    self.choose_who(&staff);
                }
            }
            Err(message) => {
                self.phase = Phase::Unlock;
                self.unlock.error = Some(message);
            }
        }
    }

    fn ready_key(&mut self, ev: KeyEvent) {
        match self.top() {
            Layer::Picker => return self.picker_key(ev),
            Layer::Backup => return self.backup_key(ev),
            Layer::Form => return self.form_key(ev),
            Layer::Popup | Layer::Screen | Layer::Help => {}
        }
        // A filter being typed has the keys: they are text.
        match self.screens.last_mut() {
            Some(Screen::List) | None if self.list.filter.typing => {
                if let Some(go) = self.list.type_key(ev) {
                    self.go(go);
                }
                return;
            }
            Some(Screen::People { filter, .. }) if filter.typing => {
                return self.people_filter_key(ev);
            }
            _ => {}
        }
        let action =
            keymap::lookup(self.keymap(), &ev).or_else(|| keymap::lookup(keymap::GLOBAL, &ev));
        let Some(action) = action else { return };
        let main = super::view::main_area(self);
        if let Some(popup) = &mut self.popup {
            match action {
                // Help opens over the pop-up (it lists the pop-up's keys) rather than closing it.
                Action::Help => self.help = Some(Help::default()),
                // The concern reader's hint names these: they act on the concern read.
                Action::NewIncident | Action::ConcernAddTo | Action::ConcernNoAction
                    if self.concerns.reading =>
                {
                    self.popup = None;
                    self.concerns.reading = false;
                    if let Screen::Concerns { selected } = *self.screen() {
                        self.concerns_action(action, selected);
                    }
                }
                _ => {
                    if popup.handle(action, main) {
                        self.popup = None;
                        self.concerns.reading = false;
                    }
                }
            }
            return;
        }
        self.message = None;
        match action {
            Action::Quit => self.request_quit(),
            Action::Help => self.help = Some(Help::default()),
            Action::Lock => self.lock(),
            Action::SwitchRecorder => self.start_switch(),
            Action::Backup => self.effects.push(Effect::FindVolumes),
            Action::RetrySave => match self.save {
                SaveState::Failed(_) if self.save_gone => self.effects.push(Effect::SaveAgain),
                SaveState::Failed(_) => self.effects.push(Effect::Save),
                _ => self.message = Some("Nothing to retry: the logbook is saved.".into()),
            },
            _ => {
                if let Some(go) = self.screen_key(action) {
                    self.go(go);
                }
            }
        }
    }

    /// An action for the screen on top: what it asks for, if anything (the concern inbox,
    /// statistics and retention screens act on the app themselves).
    fn screen_key(&mut self, action: Action) -> Option<Go> {
        use super::screens::{chronology, detail, history, people};
        let screen = self.screen().clone();
        match screen {
            Screen::Concerns { selected } => {
                self.concerns_action(action, selected);
                return None;
            }
            Screen::Statistics { period, scroll } => {
                super::records::statistics(self, action, period, scroll);
                return None;
            }
            Screen::Retention { selected } => {
                super::records::retention(self, action, selected);
                return None;
            }
            _ => {}
        }
        let page = super::view::page(self);
        let rows = match screen {
            Screen::People { .. } => self.people_rows(),
            _ => Vec::new(),
        };
        let ctx = Ctx {
            book: self.book.as_ref()?,
            who: &self.who,
            now: self.now,
            page,
        };
        match screen {
            Screen::List => self.list.handle(action, &ctx),
            Screen::Detail {
                id,
                section,
                selected,
            } => {
                let len = || self.section_len(&id, section);
                detail::handle(&ctx, &id, section, selected, len, action)
            }
            Screen::People { selected, filter } => {
                people::handle(&ctx, &rows, selected, &filter, action)
            }
            Screen::Chronology { person, selected } => {
                chronology::handle(&ctx, &person, selected, action)
            }
            Screen::History { selected, kind } => history::handle(&ctx, selected, kind, action),
            Screen::Concerns { .. } | Screen::Statistics { .. } | Screen::Retention { .. } => None,
        }
    }

    /// Carries out what a screen asked for.
    fn go(&mut self, go: Go) {
        match go {
            Go::Push(screen) => self.screens.push(screen),
            Go::Pop => {
                self.screens.pop();
            }
            Go::Set(screen) => {
                if let Some(top) = self.screens.last_mut() {
                    *top = screen;
                }
            }
            Go::Form(form) => self.form = Some(form),
            Go::Popup(popup) => self.popup = Some(popup),
            Go::Say(message) => self.message = Some(message),
            Go::Refresh => self.refresh(),
            Go::RefreshKeepingSelection => self.refresh_keeping_selection(),
            Go::ClearPeopleFilter => {
                let before = self.people_rows();
                if let Some(Screen::People { filter, .. }) = self.screens.last_mut() {
                    filter.text.clear();
                }
                self.keep_person_selected(&before);
            }
            Go::OpenConcerns => self.open_concerns(),
            Go::TickStep { id, step } => {
                let stamp = self.stamp();
                let when = self.now;
                let result = self
                    .book
                    .as_mut()
                    .map(|b| b.tick_step(&stamp, &id, step, when));
                self.after_change(
                    result
                        .unwrap_or(Ok(()))
                        .map(|()| "Step ticked.".to_string()),
                );
            }
        }
    }
}
