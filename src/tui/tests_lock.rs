//! The lock and unlock of a passphrase logbook: whoever unlocks says who is recording
//! (tester4 #11), and the lock screen says whose form it keeps.

use ratatui::crossterm::event::KeyCode;

use super::app::*;
use super::tests::{ctrl, demo_app, keys, press, render, snap};

/// The loop's part of a lock and a passphrase unlock (no key holder named): the form in
/// progress kept as a draft and rebuilt.
fn lock_and_unlock(app: &mut App) {
    ctrl(app, 'l');
    assert!(matches!(app.effects.as_slice(), [Effect::Lock]));
    app.effects.clear();
    let draft = app
        .form
        .as_ref()
        .map(|f| super::draft::capture(f, &app.who));
    let book = app.book.clone().unwrap();
    app.locked(draft.as_ref().map(|_| vec![1]));
    if draft.is_some() {
        snap("unlock-draft-of-ro", app);
    }
    app.holder = None;
    let form = draft.and_then(|d| super::draft::restore(d, &book, &app.who, app.now));
    app.unlocked(Ok((book, form)));
}

/// Tester4 #11: after the idle lock (or Ctrl-L), whoever typed the shared passphrase
/// carried on recording as the person before them, never asked. Now the unlock asks who
/// is recording, the last recorder first so Enter alone keeps them, and it cannot be
/// left with Esc.
#[test]
fn a_passphrase_unlock_asks_who_is_recording_with_the_last_recorder_first() {
    let mut app = demo_app();
    lock_and_unlock(&mut app);
    assert_eq!(app.phase, Phase::ChooseWho);
    let picker = app.picker.as_ref().unwrap();
    assert_eq!(
        picker.options[0].value, "RO",
        "the last recorder comes first"
    );
    assert_eq!(picker.current(), Some(0));
    snap("choose-who-after-unlock", &mut app);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.phase, Phase::ChooseWho, "someone must say who they are");
    let entries = app.book.as_ref().unwrap().audit.len();
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.phase, Phase::Ready);
    assert_eq!(app.who, "RO");
    assert_eq!(
        app.book.as_ref().unwrap().audit.len(),
        entries,
        "the same recorder is no change"
    );

    // Someone else: the change is audited as with W.
    lock_and_unlock(&mut app);
    keys(&mut app, "Nia Llewelyn");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.who, "Nia Llewelyn");
    let last = app.book.as_ref().unwrap().audit.last().unwrap();
    assert_eq!(last.by, "Nia Llewelyn");
    assert!(
        last.action.contains("was RO") && last.action.contains("after unlocking"),
        "{}",
        last.action
    );
}

/// Tester4 #11: a form kept over the lock says on the lock screen whose it is, and the
/// one who unlocks as someone else is asked whether to keep it.
#[test]
fn a_form_kept_over_the_lock_is_named_and_asked_about() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    let form = app.form.as_mut().unwrap();
    form.field_mut("reported_by")
        .unwrap()
        .set_text("Form tutor");
    form.dirty = true;
    lock_and_unlock(&mut app);
    keys(&mut app, "Nia Llewelyn");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.who, "Nia Llewelyn");
    assert_eq!(
        app.form.as_ref().and_then(|f| f.asking_keep()),
        Some("RO"),
        "RO's draft is asked about"
    );
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("RO"), "{screen}");
}

/// The lock screens of tester4 #4 (a passphrase logbook without its key file beside it),
/// tester3 #32 (a passphrase logbook with key holders: Tab for a key file), tester3 #1
/// (several key files) and an unprotected key file others can read.
#[test]
fn the_lock_screen_says_what_the_logbook_needs() {
    let mut app = App::new("d.age".into(), crate::demo::demo_now());
    app.unlock.key_mode = true;
    app.unlock.key_focus = true;
    app.unlock.missing_key_file = Some("d.key.age".into());
    snap("unlock-key-file-missing", &mut app);

    let mut app = App::new("lb.age".into(), crate::demo::demo_now());
    app.unlock.passphrase_or_key = true;
    snap("unlock-passphrase-or-key", &mut app);
    press(&mut app, KeyCode::Tab);
    assert!(app.unlock.key_mode && app.unlock.key_focus);
    snap("unlock-passphrase-or-key-file", &mut app);
    // An empty key file path: the passphrase typed is the logbook's.
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "secret words");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.effects.as_slice(), [Effect::Unlock(s)] if s.as_str() == "secret words"));
    assert!(app.unlock.identity.is_none());

    let mut app = App::new("lb.age".into(), crate::demo::demo_now());
    app.unlock.key_mode = true;
    app.unlock.key_file.set_text("/keys/other.key");
    app.unlock.other_key_files = vec!["/keys/dsl.key".into()];
    app.unlock.key_unprotected = true;
    app.unlock.key_open_to_others = Some(0o644);
    snap("unlock-several-key-files", &mut app);
}
