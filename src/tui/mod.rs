//! The terminal app: set-up, unlock, the incident list, detail, forms and reviews.
//! `run` owns the terminal and the event loop; `app` holds the state and turns keys into
//! changes and effects; `view` draws; `saver` writes the file off the UI thread.

pub mod app;
pub mod backup_dialog;
mod concerns;
mod draft;
mod editor;
pub mod filter;
mod fingerprint;
pub mod form;
mod forms;
pub mod help;
pub mod holders;
pub(crate) mod kept_draft;
mod key_file;
pub mod keymap;
mod paste;
pub mod picker;
pub mod popup;
mod records;
mod saver;
pub mod screens;
pub mod view;

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use chrono::{Local, NaiveDateTime};
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::model::{AuditEntry, Logbook, Settings, Shared, Stamp};
use crate::vault::{self, Access, Key, Vault};
use app::{App, Effect, Layer, Phase, SaveState};
use saver::{Done, Job, Saver};

/// What the app opens on.
pub struct Session {
    pub path: PathBuf,
    /// Key mode: the identity files given (`--identity`, repeatable): any that opens it
    /// unlocks it, as on the command line (tester3 #1).
    pub identities: Vec<PathBuf>,
    /// Already open (the demo): skip set-up and unlock.
    pub open: Option<(Vault, Logbook)>,
    /// A folder removed when a signal ends the app (the demo's, with its throwaway key):
    /// the process exits without returning to the caller that would remove it.
    pub scratch: Option<PathBuf>,
}

fn now() -> NaiveDateTime {
    let t = Local::now().naive_local();
    t - chrono::Duration::nanoseconds(i64::from(chrono::Timelike::nanosecond(&t)))
}

/// Restores the terminal however the loop ends: return, `?`, a signal, or panic unwinding.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Puts the terminal back (paste marking off, raw mode off, the normal screen). A terminal
/// that has gone (its window closed: every write fails with EIO) cannot be put back and
/// needs nothing: errors are ignored, and nothing is printed about them, since printing to
/// a closed terminal panics (`eprintln!`), and a panic here, in a drop or the panic hook,
/// aborts the process and kills the save on its way (tester5 #1).
fn restore_terminal() {
    bracketed_paste(false);
    let _ = ratatui::try_restore();
}

/// Opens the terminal as `ratatui::try_init` does, without its panic hook, whose
/// `ratatui::restore` prints "Failed to restore terminal" and so panics again inside the
/// hook on a closed terminal (an abort). `restore_on_panic` installs one that cannot.
fn open_terminal() -> std::io::Result<ratatui::DefaultTerminal> {
    ratatui::crossterm::terminal::enable_raw_mode()?;
    ratatui::crossterm::execute!(
        std::io::stdout(),
        ratatui::crossterm::terminal::EnterAlternateScreen
    )?;
    ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(std::io::stdout()))
}

/// Lets go of the terminal: shows the cursor if it can; if it cannot (the terminal is
/// gone), the `Terminal` is forgotten rather than dropped, as its drop would try again and
/// print the failure with `eprintln!`, which panics on a closed terminal.
fn close_terminal(mut terminal: ratatui::DefaultTerminal) {
    if terminal.show_cursor().is_err() {
        std::mem::forget(terminal);
    }
}

/// Asks the terminal to mark pastes (`Event::Paste`), so pasted text arrives as one piece
/// of text rather than as keys (a tab in it would move to the next field), or stops it: a
/// shell left with it on would see `[200~` around every paste.
fn bracketed_paste(on: bool) {
    use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
    let mut out = std::io::stdout();
    // A terminal that does not understand it ignores it; there is nothing else to do.
    let _ = if on {
        ratatui::crossterm::execute!(out, EnableBracketedPaste)
    } else {
        ratatui::crossterm::execute!(out, DisableBracketedPaste)
    };
}

/// Restores the terminal (ignoring a terminal that has gone) before the panic is reported.
fn restore_on_panic() {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        hook(info);
    }));
}

/// Everything the loop waits for, on one channel: keys and the terminal's size from the
/// input thread, answers from the saver and the unlock threads, and signals. The loop
/// blocks on it, handles what has come, then draws once.
enum Msg {
    Key(ratatui::crossterm::event::KeyEvent),
    /// Pasted text, as one piece (bracketed paste): it may be a passphrase.
    Paste(Zeroizing<String>),
    /// The terminal's new size.
    Resized(u16, u16),
    /// The keyboard can no longer be read: the terminal is gone.
    InputGone,
    Saver(Done),
    /// The save thread is gone (it panicked): nothing sent to it will be done.
    SaverGone,
    Opened(Opened),
    Signal(i32),
    /// An evidence file's fingerprint, read on a thread of its own (`Effect::Fingerprint`).
    Fingerprinted(u64, Result<crate::model::FileFingerprint, String>),
}

/// The loop's state beside the app: the threads working for it and what they need.
struct Shell {
    path: PathBuf,
    app: App,
    saver: Option<Saver>,
    /// The identities that opened the logbook, while it is unlocked (for backups, which
    /// read themselves back). Dropped on lock: a locked app holds no secret.
    key: Option<Key>,
    /// Which unlock a trail check answers: one from before a lock is ignored.
    unlocks: u64,
    tx: mpsc::Sender<Msg>,
    /// The last signal that asked the app to end (0: none).
    signal: i32,
    /// Passphrase mode: the key file the passphrase opened, put back before each save if
    /// it has gone (`key_file`).
    key_file: Option<key_file::KeyFileCopy>,
    /// The logbook's public keys, for a draft kept when a signal ends the app
    /// (`kept_draft`): known from the first unlock on, and kept while locked.
    seal_to: Vec<String>,
    /// False for the demo, whose folder goes when it ends: nothing is kept there.
    keeps_drafts: bool,
    /// A change not saved when the app was last ended by a signal, put back once the
    /// logbook's trail has passed its check (`Opened::Trail`).
    kept_book: Option<(Box<Logbook>, kept_draft::Kept, bool)>,
    /// Whether the form of that draft came back too (for the sentence).
    kept_form: bool,
    /// What became of a draft kept on a signal: said once the terminal is restored.
    kept_note: Option<String>,
}

pub fn run(session: Session) -> Result<()> {
    let name = session.path.file_name().map_or_else(
        || "logbook".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    // No key may do two things on one screen (see `keymap::check`).
    keymap::check()
        .map_err(|m| Error::Usage(format!("the app's key tables are inconsistent: {m}")))?;
    // The key file beside a passphrase logbook, given for the logbook (tester4 #13).
    vault::refuse_key_file_as_logbook(&session.path)?;
    // What an interrupted set-up left of a key file (tester4 #13).
    vault::file::remove_dead_temps(&vault::key_file_path(&session.path));
    let (tx, rx) = mpsc::channel::<Msg>();
    let mut shell = Shell {
        path: session.path.clone(),
        app: App::new(name, now()),
        saver: None,
        key: None,
        unlocks: 0,
        tx,
        signal: 0,
        key_file: None,
        seal_to: Vec::new(),
        keeps_drafts: session.open.is_none(),
        kept_book: None,
        kept_form: false,
        kept_note: None,
    };
    shell.app.path = Some(session.path.clone());
    let app = &mut shell.app;
    // Ask for what the file needs, read from its header: a key-mode logbook asks for a key
    // file (the one given with --identity, or a path typed) and, if that file is protected,
    // its passphrase, so Enter alone never unlocks a protected key.
    let identity = session.identities.first().cloned();
    let mode = session
        .path
        .exists()
        .then(|| vault::mode(&session.path).ok())
        .flatten();
    let key_mode = identity.is_some() || mode == Some(vault::Mode::Keys);
    prepare_key_unlock(app, key_mode, identity.as_deref());
    app.unlock.other_key_files = session
        .identities
        .iter()
        .skip(1)
        .map(|p| p.display().to_string())
        .collect();
    if identity.is_none() && mode == Some(vault::Mode::Keys) {
        // No key file beside it: perhaps a passphrase logbook moved without it.
        app.unlock.missing_key_file = vault::key_file_path(&session.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
    }
    // Key holders of a passphrase logbook may give their key file instead.
    app.unlock.passphrase_or_key =
        mode == Some(vault::Mode::Passphrase) && vault::sealed_keys(&session.path) > 1;
    match session.open {
        Some((vault, book)) => {
            let who = book
                .settings
                .staff
                .first()
                .cloned()
                .unwrap_or_else(|| "DSL".into());
            *app = App::ready(app.name.clone(), now(), book, who);
            prepare_key_unlock(app, identity.is_some(), identity.as_deref());
            // The demo: its throwaway key file is beside it.
            shell.key = identity.as_ref().and_then(|p| {
                Key::from_identity_files(std::slice::from_ref(p), &mut |_| {
                    Err(Error::NoTerminal("passphrase"))
                })
                .ok()
            });
            shell.spawn_saver(vault);
        }
        None if !session.path.exists() => {
            app.phase = Phase::Setup;
            app.form = Some(app::setup_form());
        }
        None => {}
    }

    // SIGTERM, SIGHUP, SIGINT and SIGQUIT end the loop cleanly, so the terminal is restored
    // (the shell is not left in the alternate screen), the last save finishes, and the
    // process exits 128 + the signal's number as a shell expects.
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGQUIT,
    ])
    .map_err(|e| Error::io("watching signals for", &session.path, e))?;
    let signals_tx = shell.tx.clone();
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if signals_tx.send(Msg::Signal(signal)).is_err() {
                return;
            }
        }
    });

    spawn_input(shell.tx.clone());
    restore_on_panic();
    let _guard = TerminalGuard;
    let mut terminal =
        open_terminal().map_err(|e| Error::io("opening the terminal for", &session.path, e))?;
    bracketed_paste(true);
    if let Ok(size) = terminal.size() {
        shell.app.size = ratatui::layout::Rect::new(0, 0, size.width, size.height);
    }

    let mut drawing = Ok(());
    loop {
        // A frame that cannot be drawn means the terminal has gone (its window closed): leave
        // as when it is closed, keeping the form in progress, and finish the save on its way
        // below rather than returning with it unfinished.
        if let Err(e) = terminal.draw(|frame| view::draw(frame, &shell.app)) {
            shell.keep_on_signal(signal_hook::consts::SIGHUP);
            drawing = Err(Error::io("drawing on the terminal for", &session.path, e));
            break;
        }
        // Block until something happens, or until the clock matters (a tick).
        let first = match rx.recv_timeout(next_tick(&shell.app, now())) {
            Ok(msg) => Some(msg),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            // Unreachable while `shell` holds a sender; leave rather than spin.
            Err(mpsc::RecvTimeoutError::Disconnected) => Some(Msg::InputGone),
        };
        // A tick only moves the clock (idle lock, spinner); then everything waiting is
        // handled, each message's effects before the next message, and one frame drawn.
        shell.tick();
        for msg in first
            .into_iter()
            .chain(std::iter::from_fn(|| rx.try_recv().ok()))
        {
            shell.tick();
            shell.handle(msg);
            shell.run_effects();
            if shell.app.quitting {
                break;
            }
        }
        shell.run_effects();
        if shell.app.quitting {
            break;
        }
    }
    // The save on its way is finished before the terminal is touched: a terminal that has
    // gone (its window closed, then SIGHUP) fails every write, and whatever goes wrong
    // there must not cost the change (tester5 #1). The demo's folder goes then too, its
    // saves finished, so nothing writes there any more.
    let finished = shell.saver.take().map_or(Ok(()), saver::Saver::finish);
    if let Some(folder) = &session.scratch {
        let _ = std::fs::remove_dir_all(folder);
    }
    close_terminal(terminal);
    if shell.app.phase == Phase::Setup {
        let _ = writeln!(
            std::io::stderr(),
            "No logbook was created: run logbook again to set one up."
        );
    }
    shell.app.forget_records();
    // A key file that went while nothing was saved: the logbook on disk still needs it.
    if let Some(copy) = &shell.key_file
        && shell.path.exists()
    {
        match copy.ensure() {
            // Not eprintln: on a terminal that has gone it would panic before the last save.
            Ok(key_file::Found::WrittenBack) => {
                let _ = writeln!(std::io::stderr(), "{}", copy.written_back());
            }
            Ok(key_file::Found::There) => {}
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "logbook: {e}.");
            }
        }
    }
    let result = finished.and(drawing);
    // A signal that came while the last save finished counts too.
    for msg in rx.try_iter() {
        if let Msg::Signal(s) = msg {
            shell.signal = s;
        }
    }
    if shell.signal != 0 {
        // Ended by a signal: the terminal is restored and the saves are finished; say what
        // did not save, and exit as killed by that signal.
        drop(_guard);
        if let Some(note) = &shell.kept_note {
            let _ = writeln!(std::io::stderr(), "logbook: {note}");
        }
        if let Err(e) = &result {
            let _ = writeln!(std::io::stderr(), "logbook: {e}");
        }
        std::process::exit(128 + shell.signal);
    }
    result
}

/// How long the loop may sleep when nothing comes: a quarter second while the unlock
/// spinner turns, else until the next minute (the clock the status bar and the lists read)
/// or the idle lock, whichever is sooner.
fn next_tick(app: &App, now: NaiveDateTime) -> Duration {
    if app.phase == Phase::Unlocking || app.creating {
        return Duration::from_millis(250);
    }
    let to_minute = 60 - i64::from(chrono::Timelike::second(&now));
    let to_lock = if app.phase == Phase::Ready {
        let minutes = app
            .book
            .as_ref()
            .map_or(5, |b| b.settings.idle_lock_minutes.max(1));
        i64::from(minutes) * 60 - (now - app.last_key).num_seconds()
    } else {
        i64::MAX
    };
    Duration::from_secs(to_minute.min(to_lock).max(1) as u64)
}

impl Shell {
    /// Starts the saver, its answers delivered into the loop's channel.
    fn spawn_saver(&mut self, vault: Vault) {
        let tx = self.tx.clone();
        self.saver = Some(Saver::spawn(vault, move |done| {
            let _ = tx.send(done.map_or(Msg::SaverGone, Msg::Saver));
        }));
    }

    /// Time passes: the clock the screens read, and the idle lock.
    fn tick(&mut self) {
        self.app.tick(now());
    }

    fn handle(&mut self, msg: Msg) {
        let app = &mut self.app;
        match msg {
            Msg::Key(key) => {
                app.now = now();
                app.key(key);
            }
            Msg::Paste(text) => {
                app.now = now();
                app.paste(&text);
            }
            Msg::Resized(width, height) => {
                app.size = ratatui::layout::Rect::new(0, 0, width, height);
            }
            // The terminal is gone (its window closed): keep the form in progress as a
            // closed window's SIGHUP does, finish the last save and leave.
            Msg::InputGone => {
                self.keep_on_signal(signal_hook::consts::SIGHUP);
                self.app.effects.push(Effect::Quit);
            }
            Msg::Signal(signal) => {
                self.signal = signal;
                self.keep_on_signal(signal);
                self.app.effects.push(Effect::Quit);
            }
            Msg::SaverGone => {
                if let Some(s) = &mut self.saver {
                    s.stopped = true;
                    s.pending = 0;
                }
                // The thread is gone: say so rather than "Saving..." for ever.
                if !matches!(&app.save, SaveState::Failed(m) if m == saver::THREAD_STOPPED) {
                    app.saved(Err(saver::THREAD_STOPPED.into()));
                }
            }
            Msg::Saver(done) => self.saver_done(done),
            Msg::Opened(Opened::Trail(n, result)) => {
                let current = n == self.unlocks;
                let (result, first) = match result {
                    Ok((audit, first)) => (Ok(audit), Some(first)),
                    Err(e) => (Err(e), None),
                };
                trail_checked(app, current, result);
                let whole = app.book.as_ref().is_some_and(|b| !b.trail_pending);
                if let (true, Some(first), Some(s)) = (current && whole, first, &mut self.saver) {
                    let (tracker, delta) = *first;
                    s.prime(tracker, delta);
                }
                if current && whole {
                    self.put_back_kept_change();
                }
            }
            Msg::Opened(Opened::Unlocked(result)) => self.unlocked(*result),
            Msg::Opened(Opened::Created(result)) => self.created(*result),
            Msg::Fingerprinted(job, result) => app.fingerprinted(job, result),
        }
    }

    /// The creating thread's answer: the new logbook opens, or the set-up form says why not.
    fn created(&mut self, result: Created) {
        let app = &mut self.app;
        app.creating = false;
        match result {
            Ok((vault, book, who, opened, identity)) => {
                self.key = Some(opened);
                if identity.is_none() {
                    self.key_file = key_file::KeyFileCopy::read(&self.path);
                }
                *app = App::ready(app.name.clone(), now(), book, who);
                prepare_key_unlock(app, identity.is_some(), identity.as_deref());
                app.message = Some(format!(
                    "Logbook created. Press {} to record the first incident, {} for all keys.",
                    keymap::key_for(keymap::LIST, keymap::Action::NewIncident),
                    keymap::key_for(keymap::GLOBAL, keymap::Action::Help)
                ));
                self.spawn_saver(vault);
            }
            Err(message) => {
                if let Some(form) = &mut app.form {
                    // The same form sent again after a question goes ahead (`create`).
                    form.warned = Some(message.clone());
                    form.say(message);
                }
            }
        }
    }

    fn saver_done(&mut self, done: Done) {
        let app = &mut self.app;
        let Some(s) = &mut self.saver else { return };
        match done {
            Done::Saved(result) => {
                s.pending = s.pending.saturating_sub(1);
                if s.pending == 0 || result.is_err() {
                    app.saved(result);
                }
            }
            Done::Vanished(message) => {
                s.pending = s.pending.saturating_sub(1);
                app.saved_vanished(message);
            }
            Done::SavedUnflushed(warning) => {
                s.pending = s.pending.saturating_sub(1);
                app.saved_unflushed(warning);
            }
            Done::BackupProgress(p) => match p {
                crate::backup::Progress::Writing { bytes } => app.backup_progress("Writing", bytes),
                crate::backup::Progress::Verifying => {
                    app.backup_progress("Reading back and verifying", u64::MAX)
                }
                crate::backup::Progress::Rotating => {
                    app.backup_progress("Updating the manifest", u64::MAX)
                }
            },
            Done::BackedUp(result, book) => app.backed_up(result, book.map(|b| *b)),
            Done::Sealed(result) => {
                let sealed = result
                    .map_err(|e| app.message = Some(format!("Could not keep the draft: {e}")))
                    .ok();
                app.locked(sealed);
            }
        }
    }

    fn unlocked(&mut self, result: Unlocked) {
        let app = &mut self.app;
        match result {
            Ok((book, vault, opened)) => {
                app.holder = book.settings.holder_of(&opened.public_keys());
                app.unlock.key_unprotected = app
                    .unlock
                    .identity
                    .as_deref()
                    .is_some_and(|p| !vault::is_protected(std::path::Path::new(p)));
                app.unlock.key_open_to_others = app
                    .unlock
                    .identity
                    .as_deref()
                    .and_then(|p| vault::open_to_others(std::path::Path::new(p)));
                let draft = app
                    .draft
                    .take()
                    .and_then(|bytes| open_draft(&self.path, &bytes, &opened));
                self.seal_to = if book.settings.recipients.is_empty() {
                    opened.public_keys()
                } else {
                    book.settings.recipients.clone()
                };
                let kept = match (&draft, self.keeps_drafts) {
                    (None, true) => kept_draft::read(&self.path, &opened),
                    _ => None,
                };
                self.key = Some(opened);
                let (book, form) = match draft {
                    Some(d) => {
                        let book = d.book.unwrap_or(book);
                        let form = d
                            .form
                            .and_then(|f| draft::restore(f, &book, &app.who, app.now));
                        (book, form)
                    }
                    None => (book, None),
                };
                if let (Some(v), None) = (vault, &self.saver) {
                    // The key file that has just opened the logbook (passphrase mode).
                    let by_passphrase =
                        !self.app.unlock.key_mode || self.app.unlock.identity.is_none();
                    if by_passphrase && !book.settings.passphrase_key.is_empty() {
                        self.key_file = key_file::KeyFileCopy::read(&self.path);
                    }
                    self.spawn_saver(v);
                }
                let trail_pending = book.trail_pending;
                match kept {
                    Some(Ok((kept, draft))) => {
                        let form = draft
                            .form
                            .and_then(|f| draft::restore(f, &book, &self.app.who, self.app.now));
                        let restored = form.is_some();
                        self.app.unlocked(Ok((book, form)));
                        self.kept_back(kept, draft.book, restored, trail_pending);
                    }
                    Some(Err(message)) => {
                        self.app.unlocked(Ok((book, form)));
                        self.app.message = Some(message);
                    }
                    None => self.app.unlocked(Ok((book, form))),
                }
            }
            Err(message) => app.unlocked(Err(message)),
        }
    }

    /// A signal is ending the app: a form in progress, or a change whose save failed, is
    /// kept encrypted beside the logbook (`kept_draft`); so is the draft a lock holds.
    fn keep_on_signal(&mut self, signal: i32) {
        if !self.keeps_drafts || self.seal_to.is_empty() {
            return;
        }
        let app = &self.app;
        let (draft, sealed) = match &app.book {
            Some(book) => {
                let draft = draft::Draft {
                    book: matches!(app.save, SaveState::Failed(_)).then(|| book.clone()),
                    form: app.form.as_ref().map(|f| draft::capture(f, &app.who)),
                };
                if draft.book.is_none() && draft.form.is_none() {
                    return;
                }
                (Some(draft), None)
            }
            None => match &app.draft {
                Some(sealed) => (None, Some(sealed.clone())),
                None => return,
            },
        };
        let kept = kept_draft::Kept {
            at: kept_draft::stamp(now()),
            by: app.who.clone(),
            why: kept_draft::why(signal).into(),
            file: kept_draft::file_hash(&self.path),
            draft,
            sealed,
        };
        self.kept_note = Some(match kept_draft::write(&self.path, &self.seal_to, &kept) {
            Ok((path, aside)) => format!(
                "the form in progress was kept, encrypted, in {}: it comes back when the logbook is next unlocked.{}",
                path.display(),
                aside.map_or_else(String::new, |a| format!(
                    " An older kept form that was never put back is now in {}.",
                    a.display()
                ))
            ),
            Err(e) => format!("the form in progress could NOT be kept ({e})."),
        });
    }

    /// The unlock found a draft kept when a signal ended the app: the form is back; a
    /// change not saved then comes back once the trail has passed its check, and only onto
    /// the very file it was made on.
    fn kept_back(
        &mut self,
        kept: kept_draft::Kept,
        book: Option<Logbook>,
        form: bool,
        trail_pending: bool,
    ) {
        match book {
            Some(book) => {
                let same = kept.file == kept_draft::file_hash(&self.path);
                self.kept_book = Some((Box::new(book), kept, same));
                self.kept_form = form;
                if !trail_pending {
                    self.put_back_kept_change();
                }
            }
            None => {
                self.app.message = Some(kept_draft::restored_words(&kept, form, None));
                if form {
                    kept_draft::remove(&self.path);
                }
            }
        }
    }

    /// Puts back the change kept when a signal ended the app (see `kept_back`).
    fn put_back_kept_change(&mut self) {
        let Some((book, kept, same)) = self.kept_book.take() else {
            return;
        };
        let form = std::mem::take(&mut self.kept_form);
        let app = &mut self.app;
        let ok = same && app.trail_fault.is_none();
        if ok {
            app.book = Some(*book);
            app.refresh();
            app.saved(Err(
                "a change made before the app was closed, put back from the kept draft".into(),
            ));
            kept_draft::remove(&self.path);
        }
        app.message = Some(kept_draft::restored_words(&kept, form, Some(ok)));
    }

    /// Carries out what the app asked for.
    fn run_effects(&mut self) {
        let path = self.path.clone();
        for effect in std::mem::take(&mut self.app.effects) {
            let app = &mut self.app;
            match effect {
                Effect::Save | Effect::SaveAgain => {
                    if let (Some(s), Some(book)) = (&mut self.saver, &app.book) {
                        // Never a logbook the passphrase cannot open: its key file first.
                        // (Only beside a logbook: a save over a vanished one is refused,
                        // and `R` writes both back.)
                        let check = matches!(effect, Effect::SaveAgain) || path.exists();
                        match self
                            .key_file
                            .as_ref()
                            .filter(|_| check)
                            .map(key_file::KeyFileCopy::ensure)
                        {
                            Some(Err(e)) => {
                                app.saved(Err(e));
                                continue;
                            }
                            Some(Ok(key_file::Found::WrittenBack)) => {
                                app.message = self
                                    .key_file
                                    .as_ref()
                                    .map(key_file::KeyFileCopy::written_back);
                            }
                            Some(Ok(key_file::Found::There)) => {
                                // Owner-only, as every save makes the logbook (tester4 #13).
                                if let Some(note) = vault::tighten_key_file(&path) {
                                    app.message = Some(note);
                                }
                            }
                            None => {}
                        }
                        if s.save(book, matches!(effect, Effect::SaveAgain)) {
                            app.saving();
                        } else {
                            app.saved(Err(saver::THREAD_STOPPED.into()));
                        }
                    }
                }
                Effect::Unlock(secret) => {
                    let path = path.clone();
                    let identity = if app.unlock.key_mode {
                        app.unlock.identity.as_ref().map(PathBuf::from)
                    } else {
                        None
                    };
                    // The other key files given at start, tried after the one on the
                    // screen; not when another holder takes over with their own.
                    let others: Vec<PathBuf> = if identity.is_none() || app.unlock.switching {
                        Vec::new()
                    } else {
                        app.unlock
                            .other_key_files
                            .iter()
                            .map(PathBuf::from)
                            .filter(|p| Some(p) != identity.as_ref())
                            .collect()
                    };
                    let first = self.saver.is_none();
                    let who = app.who.clone();
                    let tx = self.tx.clone();
                    self.unlocks += 1;
                    let n = self.unlocks;
                    let send = move |opened| {
                        let _ = tx.send(Msg::Opened(opened));
                    };
                    std::thread::spawn(move || {
                        match unlock(&path, identity.as_ref(), &others, &secret, first, &who) {
                            Ok((book, vault, key, Some(trail))) => {
                                // The list is shown at once; the trail is read and checked
                                // here meanwhile, against a copy of the records.
                                let mut records = book.clone();
                                send(Opened::Unlocked(Box::new(Ok((book, vault, key)))));
                                let result = trail
                                    .check(&mut records)
                                    .map(|()| {
                                        // The save thread's first copy, made here rather
                                        // than on the screen's thread at the first change.
                                        let mut tracker = vault::Tracker::default();
                                        let first = tracker.delta(&records);
                                        let audit = std::mem::take(&mut records.audit);
                                        (audit, Box::new((tracker, first)))
                                    })
                                    .map_err(|e| in_app_words(&e, None));
                                send(Opened::Trail(n, result));
                            }
                            Ok((book, vault, key, None)) => {
                                send(Opened::Unlocked(Box::new(Ok((book, vault, key)))));
                            }
                            Err(e) => send(Opened::Unlocked(Box::new(Err(e)))),
                        }
                    });
                }
                Effect::Create { form_values } => {
                    // Deriving the passphrase's key takes seconds: on a thread, as unlocking
                    // is, so the spinner turns meanwhile.
                    let path = path.clone();
                    let tx = self.tx.clone();
                    std::thread::spawn(move || {
                        let identity = form_values
                            .iter()
                            .find(|(k, v)| k == "identity" && !v.trim().is_empty())
                            .map(|(_, v)| fingerprint::typed_path(v));
                        let result = create(&path, &form_values)
                            .map(|(vault, book, who, key)| (vault, book, who, key, identity))
                            .map_err(|e| in_app_words(&e, None));
                        let _ = tx.send(Msg::Opened(Opened::Created(Box::new(result))));
                    });
                }
                Effect::FindVolumes => {
                    let folder = vault::file::folder_of(&path);
                    let volumes = crate::backup::removable_volumes(&folder)
                        .into_iter()
                        .map(|v| (format!("{} ({})", v.path.display(), v.device), v.path))
                        .collect();
                    app.volumes_found(volumes);
                }
                Effect::Backup(_) if app.book.as_ref().is_some_and(|b| b.trail_pending) => {
                    app.backed_up(
                        Err("The history has not passed its check yet: back up once the status bar no longer says so.".into()),
                        None,
                    );
                }
                Effect::Backup(dir) => match (&mut self.saver, &app.book, &self.key) {
                    (Some(s), Some(book), Some(key)) => {
                        if let Some(app::BackupStep::Running { total, .. }) = &mut app.backup {
                            *total = std::fs::metadata(&path).map_or(0, |m| m.len());
                        }
                        let keep = book.settings.backup_keep as usize;
                        let job = Job::Backup {
                            key: key.clone(),
                            book: s.delta(book),
                            dir,
                            keep,
                            stamp: app.stamp(),
                        };
                        if !s.send(job) {
                            app.backed_up(Err(saver::THREAD_STOPPED.into()), None);
                        }
                    }
                    _ => app.backed_up(Err("The logbook is not open.".into()), None),
                },
                Effect::Lock => {
                    self.key = None;
                    let draft = draft::Draft {
                        book: matches!(app.save, SaveState::Failed(_))
                            .then(|| app.book.clone())
                            .flatten(),
                        form: app.form.as_ref().map(|f| draft::capture(f, &app.who)),
                    };
                    match (&mut self.saver, &app.book) {
                        (Some(s), Some(book)) if draft.book.is_some() || draft.form.is_some() => {
                            // A draft that cannot be encoded is never dropped in silence.
                            let text = match ron::to_string(&draft) {
                                Ok(text) => Zeroizing::new(text),
                                Err(e) => {
                                    app.forget_records();
                                    app.form = None;
                                    app.locked(None);
                                    app.message = Some(format!(
                                        "Locked, but the form in progress could not be kept ({e}): type it again after unlocking."
                                    ));
                                    continue;
                                }
                            };
                            let sent = s.send(Job::Seal(book.settings.recipients.clone(), text));
                            // The records go now; the sealed draft arrives in a moment.
                            app.forget_records();
                            app.form = None;
                            if !sent {
                                app.message = Some(format!(
                                    "Could not keep the draft: {}",
                                    saver::THREAD_STOPPED
                                ));
                                app.locked(None);
                            }
                        }
                        _ => app.locked(None),
                    }
                }
                Effect::ReadConcerns => {
                    if let (Some(book), Some(key)) = (&app.book, &self.key) {
                        let dir = PathBuf::from(&book.settings.concern_inbox);
                        let result =
                            crate::concern::read_inbox(&dir, key, book, &app.concerns.done)
                                .map_err(|e| e.to_string());
                        app.concerns_read(result);
                    }
                }
                Effect::RemoveConcerns(files) => {
                    for file in files {
                        if let Err(e) = crate::concern::remove(&file) {
                            app.message = Some(format!(
                                "A concern is taken in and saved, but its file could not be removed from the folder: {e}"
                            ));
                        }
                    }
                }
                Effect::Export(outgoing) => records::write(app, *outgoing),
                Effect::Fingerprint { job, path } => {
                    let tx = self.tx.clone();
                    std::thread::spawn(move || {
                        let result = fingerprint::fingerprint(&path);
                        let _ = tx.send(Msg::Fingerprinted(job, result));
                    });
                }
                // The terminal is gone, a signal came, or set-up was cancelled: leave. Saves
                // already sent are finished by `run`, and a failed last save makes the exit
                // non-zero.
                Effect::Quit => app.quitting = true,
            }
        }
    }
}

/// Reads the keyboard (and the terminal's size) on its own thread and sends them into the
/// loop's channel: when the terminal is closed under it, crossterm's reader can spin on
/// end-of-file and never return, and a loop that waited on it alone would never exit.
fn spawn_input(tx: mpsc::Sender<Msg>) {
    std::thread::spawn(move || {
        loop {
            let msg = match event::read() {
                // Only presses: some terminals also report releases.
                Ok(Event::Key(key)) if key.kind == KeyEventKind::Press => Msg::Key(key),
                Ok(Event::Resize(width, height)) => Msg::Resized(width, height),
                Ok(Event::Paste(text)) => Msg::Paste(Zeroizing::new(text)),
                Ok(_) => continue,
                Err(_) => Msg::InputGone,
            };
            let gone = matches!(msg, Msg::InputGone);
            if tx.send(msg).is_err() || gone {
                return;
            }
        }
    });
}

/// Sets up the unlock screen for a key-mode logbook: the key file given (focus on its
/// passphrase when it is protected), or an empty path to type.
fn prepare_key_unlock(app: &mut App, key_mode: bool, identity: Option<&std::path::Path>) {
    app.unlock.key_mode = key_mode;
    if !key_mode {
        return;
    }
    match identity {
        Some(p) => {
            let shown = p.display().to_string();
            app.unlock.key_file =
                form::Field::new("key_file", "Key file", form::FieldKind::Text).with_text(&shown);
            app.unlock.identity = Some(shown);
            app.unlock.key_unprotected = !vault::is_protected(p);
            app.unlock.key_open_to_others = vault::open_to_others(p);
            app.unlock.key_focus = false;
        }
        None => app.unlock.key_focus = true,
    }
}

fn open_draft(path: &std::path::Path, bytes: &[u8], key: &Key) -> Option<draft::Draft> {
    let plain = vault::decrypt(path, bytes, key).ok()?;
    ron::from_str(std::str::from_utf8(&plain).ok()?).ok()
}

/// The logbook an unlock opened (its vault on the first unlock) and the key that opened it.
type Unlocked = std::result::Result<(Logbook, Option<Vault>, Key), String>;

/// A logbook created from the set-up form: its vault and records, who records, the key
/// that opens it and the key file named in the form.
type Created = std::result::Result<(Vault, Logbook, String, Key, Option<PathBuf>), String>;

/// What an unlock thread reports: the logbook (its records, while its trail is read), and
/// then the trail, checked, for the unlock with that number.
enum Opened {
    Unlocked(Box<Unlocked>),
    /// The set-up form's logbook, created (with the key file named, if any), or why not.
    Created(Box<Created>),
    /// The trail, checked, with the save thread's first copy of the whole logbook.
    Trail(
        u64,
        std::result::Result<(Vec<Shared<AuditEntry>>, FirstCopy), String>,
    ),
}

/// The save thread's first copy of a logbook just opened (see `Saver::prime`).
type FirstCopy = Box<(vault::Tracker, vault::Delta)>;

/// Puts the checked trail into the logbook shown, or keeps the logbook unchangeable and
/// says what is wrong. `current`: the answer is for the latest unlock (not one from before
/// a lock), and the logbook shown is still the one whose trail was read.
fn trail_checked(
    app: &mut App,
    current: bool,
    result: std::result::Result<Vec<Shared<AuditEntry>>, String>,
) {
    let Some(book) = app.book.as_mut().filter(|b| current && b.trail_pending) else {
        if let Ok(mut audit) = result {
            zeroize::Zeroize::zeroize(&mut audit);
        }
        return;
    };
    match result {
        Ok(audit) => {
            book.audit = audit;
            book.trail_pending = false;
            app.trail_fault = None;
            app.note_last_backup();
            app.record_handover();
            app.refresh();
            // Concerns name the logbook they are for by its id, which is the trail's first
            // hash: they are read only now that the trail is here.
            app.read_concerns();
        }
        Err(fault) => {
            app.popup = Some(app::Popup {
                title: "The history failed its check".into(),
                text: format!(
                    "{}\n\nThe records are shown, but nothing can be changed, saved or backed up: quit the app to restore (`logbook verify` reports the same).",
                    crate::text::line(&fault)
                ),
                scroll: 0,
            });
            app.trail_fault = Some(fault);
        }
    }
}

/// What Ctrl-C says. Many programs quit on it; here it does nothing, so a key pressed by
/// mistake cannot lose work, and says how to leave from where the person is (the keys
/// from the tables: in a form or a passphrase `q` is text, not quit).
pub(crate) fn ctrl_c_words(app: &App) -> String {
    use keymap::{Action, key_for};
    let quit = key_for(keymap::GLOBAL, Action::Quit);
    let head = "Ctrl-C does nothing here, so a key pressed by mistake cannot lose work";
    match (app.phase, app.top()) {
        (Phase::Unlock | Phase::Unlocking, _) => format!(
            "Ctrl-C does nothing here: {} quits",
            key_for(keymap::UNLOCK, Action::Quit)
        ),
        (Phase::ChooseWho, _) => {
            format!("Ctrl-C does nothing here: choose who is recording, then {quit} quits")
        }
        (Phase::Setup, _) | (_, Layer::Form) => format!(
            "{head}: {} leaves the form (asking first if anything was typed), then {quit} quits",
            key_for(keymap::FORM, Action::Cancel)
        ),
        // A filter being typed takes `q` as text.
        (_, Layer::Screen)
            if !match app.screen() {
                app::Screen::List => app.list.filter.typing,
                app::Screen::People { filter, .. } => filter.typing,
                _ => false,
            } =>
        {
            format!("{head}: {quit} quits")
        }
        (_, Layer::Screen) => format!(
            "{head}: {} ends the filter, then {quit} quits",
            key_for(keymap::FILTER, Action::Cancel)
        ),
        _ => format!(
            "{head}: {} closes this, then {quit} quits",
            key_for(keymap::PICKER, Action::Cancel)
        ),
    }
}

/// The status bar's word on the audit trail while it is read and checked after the list
/// was shown, or what its check found.
fn history_status(app: &App) -> Option<ratatui::text::Span<'static>> {
    use ratatui::style::Style;
    if !app.book.as_ref()?.trail_pending {
        return None;
    }
    Some(match &app.trail_fault {
        None => ratatui::text::Span::styled(
            "Checking history... (changes wait until it has passed)",
            Style::new().bold(),
        ),
        Some(_) => ratatui::text::Span::styled(
            "HISTORY FAILED ITS CHECK: nothing can be changed",
            Style::new().red().bold(),
        ),
    })
}

/// Proves the secret by decrypting the logbook. The first unlock also takes the lock,
/// and moves a passphrase logbook from before key files to a key file. A protected key
/// file is opened with the passphrase typed. Returns the identities that opened it, and
/// the audit trail still to be read and checked (`Logbook::trail_pending`).
fn unlock(
    path: &std::path::Path,
    identity: Option<&PathBuf>,
    others: &[PathBuf],
    secret: &Zeroizing<String>,
    first: bool,
    who: &str,
) -> std::result::Result<(Logbook, Option<Vault>, Key, Option<vault::PendingTrail>), String> {
    let words = |e: Error| in_app_words(&e, identity.map(PathBuf::as_path));
    let key = match identity {
        Some(file) => key_from_files(path, file, others, secret).map_err(words)?,
        None => Key::passphrase(secret),
    };
    if first {
        let (mut vault, mut book, mut key, trail) =
            Vault::open_records(path, &key, Access::Write).map_err(words)?;
        if vault.needs_migration() {
            let by = if who.is_empty() {
                "the holder of the passphrase".to_string()
            } else {
                who.to_string()
            };
            let stamp = Stamp::new(by, Local::now().fixed_offset());
            if let Some(ids) = vault.migrate(&mut book, &stamp).map_err(words)? {
                key = Key::Identities(ids);
            }
        }
        Ok((book, Some(vault), key, trail))
    } else {
        let (_, book, key, trail) = Vault::open_records(path, &key, Access::Read).map_err(words)?;
        Ok((book, None, key, trail))
    }
}

/// The identities of the first of `file` and `others` that opens the logbook at `path`
/// (a protected one with the passphrase typed): any key file given opens it, as on the
/// command line. When none does, why `file` did not.
fn key_from_files(
    path: &std::path::Path,
    file: &std::path::Path,
    others: &[PathBuf],
    secret: &Zeroizing<String>,
) -> Result<Key> {
    let mut ask = |_: &std::path::Path| {
        if secret.is_empty() {
            Err(Error::Usage(format!(
                "This key file is protected by a passphrase: type it, then {}.",
                unlock_key()
            )))
        } else {
            Ok(secret.clone())
        }
    };
    let first = vault::read_identity_file(file, &mut ask);
    if others.is_empty() {
        return first.map(Key::Identities);
    }
    if let Ok(ids) = &first
        && vault::opens_file(path, ids)
    {
        return first.map(Key::Identities);
    }
    for other in others {
        if let Ok(ids) = vault::read_identity_file(other, &mut ask)
            && vault::opens_file(path, &ids)
        {
            return Ok(Key::Identities(ids));
        }
    }
    first.map(Key::Identities)
}

/// The key that unlocks, for the unlock screen's messages.
fn unlock_key() -> String {
    keymap::key_for(keymap::UNLOCK, keymap::Action::Unlock)
}

/// A vault error in the app's words: the person typed into the app's fields, so a message
/// about command-line flags (`--identity`) would send them looking for something they never
/// gave. What the app cannot do from inside (another mode) says how to start it.
fn in_app_words(e: &Error, key_file: Option<&std::path::Path>) -> String {
    match e {
        // A protected key file refuses the passphrase typed for it.
        Error::WrongSecret if key_file.is_some_and(vault::is_protected) => {
            format!(
                "Wrong passphrase for the key file: type it again, then {}.",
                unlock_key()
            )
        }
        Error::WrongSecret if key_file.is_some() => {
            "This key file does not open this logbook: give the key file of one of its holders."
                .into()
        }
        Error::WrongSecret => format!("Wrong passphrase: type it again, then {}.", unlock_key()),
        Error::NeedsIdentity(_) => {
            "This logbook opens with a key file, not a passphrase: type the key file's path above."
                .into()
        }
        Error::NeedsPassphrase(_) => format!(
            "This logbook opens with a passphrase, not a key file: press {} and start the app without a key file.",
            keymap::key_for(keymap::UNLOCK, keymap::Action::Quit)
        ),
        Error::BadIdentity(path) => format!(
            "Key file: {} is not an age identity file; give the file that `logbook keygen` wrote.",
            crate::text::line(&path.display().to_string())
        ),
        // Typed into the app, not given with --identity.
        Error::Usage(m) => m.replace("the path given to --identity", "the path typed"),
        other => other.to_string(),
    }
}

/// Creates the logbook from the set-up form: with a passphrase, a new key sealed with
/// it into the key file beside the logbook; with a key file, its public keys.
fn create(
    path: &std::path::Path,
    values: &[(String, String)],
) -> Result<(Vault, Logbook, String, Key)> {
    let get = |k: &str| {
        values
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    // Names in one Unicode form, as every typed name (tester4 #10).
    let who = crate::text::nfc(&get("who")).into_owned();
    let organisation = crate::text::nfc(&get("organisation")).into_owned();
    let mut settings = Settings::new(organisation, vec![who.clone()]);
    let identity = get("identity");
    let pass = Zeroizing::new(
        values
            .iter()
            .find(|(k, _)| k == "passphrase")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
    );
    let at = Local::now().fixed_offset();
    let (key, staged) = if identity.is_empty() {
        let id = age::x25519::Identity::generate();
        let public = id.to_public().to_string();
        settings.recipients = vec![public.clone()];
        settings.passphrase_key = public.clone();
        settings.holders.push(crate::model::Holder {
            key: public,
            name: who.clone(),
        });
        if let Some(folder) = path.parent() {
            vault::file::ensure_private_dir(folder)?;
        }
        // The key file first: a logbook never stands without the key file that opens it.
        let secret = age::secrecy::SecretString::from(pass.to_string());
        vault::write_identity(
            &vault::key_file_path(path),
            &id,
            Some(&secret),
            &at.to_rfc3339(),
            "",
            false,
        )?;
        (Key::Identities(vault::Identities::one(id)), true)
    } else {
        let file = fingerprint::typed_path(&identity);
        let (ids, holder) = vault::read_identity_file_with_holder(&file, &mut |_| {
            Ok(pass.clone())
        })
        .map_err(|e| match e {
            // Said as the key file's passphrase, and where to type it (tester3 #35).
            Error::WrongSecret => Error::KeyFiles(format!(
                "Wrong passphrase for the key file {}: type its passphrase in the Passphrase field (the repeat is not needed), then {}.",
                crate::text::path(&file),
                keymap::key_for(keymap::SETUP_FORM, keymap::Action::Submit)
            )),
            other => other,
        })?;
        // A key file made for someone else (its `# holder:` line), picked by mistake,
        // would record its holder's work as this recorder's (tester4 #13): said once;
        // the same form sent again creates it.
        if let Some(holder) = holder.filter(|h| !h.trim().eq_ignore_ascii_case(who.trim())) {
            let said = format!(
                "The key file {} says it is {}'s, but {} is recording: if it is yours, press {} again to create the logbook with it; if not, give your own key file.",
                crate::text::path(&file),
                crate::text::line(&holder),
                crate::text::line(&who),
                keymap::key_for(keymap::SETUP_FORM, keymap::Action::Submit)
            );
            if get("warned") != said {
                return Err(Error::KeyFiles(said));
            }
        }
        let key = Key::Identities(ids);
        settings.recipients = key.public_keys();
        for public in key.public_keys() {
            settings.holders.push(crate::model::Holder {
                key: public,
                name: who.clone(),
            });
        }
        (key, false)
    };
    let book = Logbook::create(&Stamp::new(who.clone(), at), settings)?;
    let vault = Vault::create(path, &book, None).inspect_err(|_| {
        if staged {
            let _ = std::fs::remove_file(vault::key_file_path(path));
        }
    })?;
    Ok((vault, book, who, key))
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_evid;
#[cfg(test)]
mod tests_keys;
#[cfg(test)]
mod tests_lock;
#[cfg(test)]
mod tests_screens;
