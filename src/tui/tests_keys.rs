//! The app with key files and several staff: a key file typed on the unlock screen, the
//! recorder named by the key that opened the logbook, switching recorder (audited), and
//! who can open the logbook on the Settings screen.

use chrono::NaiveDateTime;
use ratatui::crossterm::event::KeyCode;

use super::app::*;
use crate::model::*;

fn now() -> NaiveDateTime {
    crate::demo::demo_now()
}

// The app tests' own helpers: one way to press, type, draw and snapshot.
use super::tests::{keys, press, snap};

const DSL_KEY: &str = "age1s92rpy9py8vuje6n5ahjpp477n6twmktp025533f2rf6zgp2u4qsjsw4jx";
const DEPUTY_KEY: &str = "age1yyxy30ge5a0dech2tutulglzrrdklt4qvjfjpmg4p8l5husmp46snsz9na";
const CHAIR_KEY: &str = "age1xvah4p9uzrph709enx6hvjtk3aka5v44sh2nddlrrvt4u942mu3qpa6v6q";

/// The demo logbook as a key-mode logbook of a DSL and a deputy, with a recovery key.
fn keyed_book() -> Logbook {
    let mut book = crate::demo::logbook().unwrap();
    let stamp = Stamp::new("RO", now().and_utc().fixed_offset());
    book.update_settings(&stamp, |s| {
        s.recipients = vec![DSL_KEY.into(), DEPUTY_KEY.into()];
        s.recovery_recipients = vec![CHAIR_KEY.into()];
        s.holders = vec![
            Holder {
                key: DSL_KEY.into(),
                name: "R. Okafor".into(),
            },
            Holder {
                key: DEPUTY_KEY.into(),
                name: "J. Patel".into(),
            },
            Holder {
                key: CHAIR_KEY.into(),
                name: "Chair of trustees".into(),
            },
        ];
    })
    .unwrap();
    book
}

fn key_mode_app() -> App {
    let mut app = App::new("logbook.age".into(), now());
    app.unlock.key_mode = true;
    app.unlock.key_focus = true;
    app
}

#[test]
fn a_key_file_is_typed_on_the_unlock_screen_and_its_holder_records() {
    let mut app = key_mode_app();
    // Enter alone asks for the key file.
    press(&mut app, KeyCode::Enter);
    assert!(app.effects.is_empty());
    assert!(app.unlock.error.as_deref().unwrap().contains("key file"));
    snap("unlock-key-file", &mut app);
    keys(&mut app, "/home/jp/deputy.key");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "deputy words");
    snap("unlock-key-file-typed", &mut app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.phase, Phase::Unlocking);
    assert_eq!(app.unlock.identity.as_deref(), Some("/home/jp/deputy.key"));
    assert!(matches!(app.effects.as_slice(), [Effect::Unlock(s)] if s.as_str() == "deputy words"));
    app.effects.clear();
    // The loop names the key's holder: no list to choose from.
    app.holder = Some("J. Patel".into());
    app.unlocked(Ok((keyed_book(), None)));
    assert_eq!(app.phase, Phase::Ready);
    assert_eq!(app.who, "J. Patel");
    assert!(app.picker.is_none());
    assert_eq!(app.stamp().by, "J. Patel");
}

#[test]
fn switching_recorder_with_key_files_locks_for_the_other_key_and_is_audited() {
    let mut app = key_mode_app();
    app.unlock.identity = Some("/home/ro/dsl.key".into());
    app.holder = Some("R. Okafor".into());
    app.unlocked(Ok((keyed_book(), None)));
    assert_eq!(app.who, "R. Okafor");
    let entries = app.book.as_ref().unwrap().audit.len();
    press(&mut app, KeyCode::Char('W'));
    assert!(matches!(app.effects.as_slice(), [Effect::Lock]));
    app.effects.clear();
    app.locked(None);
    assert_eq!(app.phase, Phase::Unlock);
    assert!(
        app.unlock.key_file.text().is_empty(),
        "the other holder gives their own key"
    );
    assert!(app.book.is_none());
    keys(&mut app, "/home/jp/deputy.key");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "deputy words");
    press(&mut app, KeyCode::Enter);
    app.effects.clear();
    app.holder = Some("J. Patel".into());
    app.unlocked(Ok((keyed_book(), None)));
    assert_eq!(app.who, "J. Patel");
    let book = app.book.as_ref().unwrap();
    assert_eq!(book.audit.len(), entries + 1);
    let last = book.audit.last().unwrap();
    assert_eq!(last.by, "J. Patel");
    assert!(last.action.contains("was R. Okafor"), "{}", last.action);
    assert!(book.verify_audit().is_ok());
    assert!(matches!(app.effects.as_slice(), [Effect::Save]));
}

#[test]
fn with_a_passphrase_someone_else_types_their_name_and_the_switch_is_audited() {
    let mut app = App::new("logbook.age".into(), now());
    let book = crate::demo::logbook().unwrap();
    let entries = book.audit.len();
    app.unlocked(Ok((book, None)));
    assert_eq!(app.phase, Phase::ChooseWho);
    // Nobody is recording yet: Esc does not skip the question.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.phase, Phase::ChooseWho);
    keys(&mut app, "Sam Lee");
    snap("choose-who-someone-else", &mut app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.phase, Phase::Ready);
    assert_eq!(app.who, "Sam Lee");
    // The first choice is not a switch: nothing is written.
    assert_eq!(app.book.as_ref().unwrap().audit.len(), entries);
    press(&mut app, KeyCode::Char('W'));
    assert_eq!(app.phase, Phase::ChooseWho);
    // A switch may be called off.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.phase, Phase::Ready);
    assert_eq!(app.who, "Sam Lee");
    press(&mut app, KeyCode::Char('W'));
    press(&mut app, KeyCode::Enter);
    let first = app.book.as_ref().unwrap().settings.staff[0].clone();
    assert_eq!(app.who, first);
    let last = app.book.as_ref().unwrap().audit.last().unwrap().clone();
    assert_eq!(last.by, first);
    assert!(last.action.contains("was Sam Lee"), "{}", last.action);
}

#[test]
fn an_unprotected_key_file_says_the_lock_only_hides_the_screen() {
    let mut app = key_mode_app();
    app.unlock.key_file =
        super::form::Field::new("key_file", "Key file", super::form::FieldKind::Text)
            .with_text("/home/ro/dsl.key");
    app.unlock.key_focus = false;
    app.unlock.key_unprotected = true;
    snap("unlock-key-file-unprotected", &mut app);
    // Enter alone is tried (the file has no passphrase to ask for).
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.phase, Phase::Unlocking);
}

#[test]
fn settings_show_who_can_open_the_logbook_and_its_backups() {
    let mut app = App::ready(
        "logbook.age".into(),
        now(),
        keyed_book(),
        "R. Okafor".into(),
    );
    press(&mut app, KeyCode::Char('S'));
    let notice = app.form.as_ref().unwrap().notice.clone().unwrap();
    assert!(notice.contains("R. Okafor (age1s92rpy…w4jx)"), "{notice}");
    assert!(notice.contains("J. Patel"), "{notice}");
    assert!(
        notice.contains("backups only (recovery): Chair of trustees"),
        "{notice}"
    );
    snap("form-settings-keys", &mut app);
}
