//! The app with key files and several staff: a key file typed on the unlock screen, the
//! recorder named by the key that opened the logbook, switching recorder (audited), and
//! who can open the logbook on the Settings screen.

use chrono::NaiveDateTime;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::*;
use crate::model::*;

fn now() -> NaiveDateTime {
    crate::demo::demo_now()
}

// The app tests' own helpers: one way to press, type, draw and snapshot.
use super::tests::{ctrl, keys, press, render, snap};

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

/// The incident first in the list, opened, and its id.
fn open_first_incident(app: &mut App) -> String {
    press(app, KeyCode::Enter);
    match app.screen() {
        Screen::Detail { id, .. } => id.clone(),
        other => panic!("not an incident: {other:?}"),
    }
}

/// Tester4 #13: the evidence Description was one line, so a chat log pasted into a
/// Message log item (6,000 messages) became one line in `show` and every export. It is
/// multi-line: the lines pasted (and Enter typed) are kept.
#[test]
fn a_chat_log_pasted_into_an_evidence_description_keeps_its_lines() {
    let mut app = super::tests::demo_app();
    let id = open_first_incident(&mut app);
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.form.as_ref().unwrap().fields[1].key, "description");
    app.paste("[21:14] jess_x_2009: send it or else\r\n[21:15] ZA: no\r\n");
    keys(&mut app, "Copied word for word");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "by RO");
    let log = "[21:14] jess_x_2009: send it or else\n[21:15] ZA: no\nCopied word for word\nby RO";
    assert_eq!(app.form.as_ref().unwrap().value("description"), log);
    snap("form-evidence-chat-log", &mut app);
    let form = app.form.as_mut().unwrap();
    form.field_mut("kept_at")
        .unwrap()
        .set_text("DSL office safe");
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| f.banner())
    );
    let book = app.book.as_ref().unwrap();
    let item = book.incident(&id).unwrap().evidence.last().unwrap();
    assert_eq!(item.description, log);
}

/// Tester finding 3: a pasted tab moved to the next field and the rest of the paste
/// replaced the pre-filled Captured date; the escapes in it vanished. A paste is text for
/// the field it was pasted into, stored as pasted, and escaped when drawn.
#[test]
fn a_paste_goes_into_the_focused_field_as_text_and_never_moves_on() {
    let mut app = super::tests::demo_app();
    let id = open_first_incident(&mut app);
    press(&mut app, KeyCode::Char('e'));
    let form = app.form.as_ref().unwrap();
    let captured = form.value("captured");
    let source = form.fields.iter().position(|f| f.key == "source").unwrap();
    // Tab from the first field reaches Description, then Source.
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "Screenshot of the DM");
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.form.as_ref().unwrap().focus, source);
    app.paste("Instagram DM \u{1b}[31mRED\u{1b}[0m text\ttab\r\n");
    let form = app.form.as_ref().unwrap();
    assert_eq!(form.focus, source, "a paste never moves to another field");
    assert_eq!(
        form.value("source"),
        "Instagram DM \u{1b}[31mRED\u{1b}[0m text tab"
    );
    assert_eq!(
        form.value("captured"),
        captured,
        "the next field is untouched"
    );
    assert!(app.effects.is_empty(), "a paste never submits");
    snap("form-evidence-pasted", &mut app);
    // Saved as pasted.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "DSL office safe");
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| f.banner())
    );
    let book = app.book.as_ref().unwrap();
    let ev = book.incident(&id).unwrap().evidence.last().unwrap();
    assert_eq!(ev.source, "Instagram DM \u{1b}[31mRED\u{1b}[0m text tab");
    assert_eq!(ev.captured.format("%Y-%m-%d %H:%M").to_string(), captured);
}

/// A multi-line paste keeps its lines in a multi-line field, and Enter in it is not
/// pressed; in a choice field it filters the choices as typing does.
#[test]
fn a_multiline_paste_keeps_its_lines_and_a_choice_paste_filters() {
    let mut app = super::tests::demo_app();
    press(&mut app, KeyCode::Char('n'));
    let form = app.form.as_ref().unwrap();
    let description = form
        .fields
        .iter()
        .position(|f| f.key == "description")
        .unwrap();
    app.form.as_mut().unwrap().focus = description;
    app.paste("He said:\r\n\t\"send it\"\r\nthen left the chat");
    let form = app.form.as_ref().unwrap();
    assert_eq!(form.focus, description);
    assert_eq!(
        form.value("description"),
        "He said:\n\t\"send it\"\nthen left the chat"
    );
    let types = form.fields.iter().position(|f| f.key == "types").unwrap();
    app.form.as_mut().unwrap().focus = types;
    app.paste("sextortion\n");
    let picker = app
        .picker
        .as_ref()
        .expect("a pasted choice opens its picker");
    assert_eq!(picker.filter, "sextortion");
    assert!(
        app.form
            .as_ref()
            .unwrap()
            .field("types")
            .unwrap()
            .chosen
            .is_none()
    );
}

/// A passphrase pasted from a password manager unlocks, and is never shown.
#[test]
fn a_pasted_passphrase_unlocks_and_is_not_shown() {
    let mut app = App::new("logbook.age".into(), now());
    app.paste("correct horse battery staple\n");
    let screen = render(&mut app, 100, 30);
    assert!(!screen.contains("correct"), "{screen}");
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.effects.as_slice(), [Effect::Unlock(s)] if s.as_str() == "correct horse battery staple")
    );
}

/// In the list's filter a paste is filter text: `q` or `?` in it neither quits nor opens help.
#[test]
fn a_paste_in_the_list_filter_is_filter_text() {
    let mut app = super::tests::demo_app();
    press(&mut app, KeyCode::Char('/'));
    app.paste("q?n\t");
    assert_eq!(app.list.filter.text, "q?n ");
    assert!(app.form.is_none() && app.help.is_none() && !app.quitting);
    assert!(app.effects.is_empty());
    // On a screen where nothing is typed, a paste does nothing (never keys).
    press(&mut app, KeyCode::Esc);
    app.paste("nq");
    assert!(app.form.is_none() && !app.quitting && app.effects.is_empty());
}

/// Tester finding 2: after the date named in "Not saved: When it happened ... needs
/// attention" was corrected, the banner still named it while other fields were refused.
/// The banner follows the refusals beside the fields: it names one still refused, or goes.
#[test]
fn the_not_saved_banner_names_a_field_still_refused_or_goes() {
    let mut app = super::tests::demo_app();
    press(&mut app, KeyCode::Char('n'));
    ctrl(&mut app, 'u');
    keys(&mut app, "2026-02-31 19:40");
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 's');
    let banner = app.form.as_ref().unwrap().banner().unwrap().into_owned();
    assert!(
        banner.starts_with("Not saved: When it happened and "),
        "{banner}"
    );
    press(&mut app, KeyCode::BackTab);
    ctrl(&mut app, 'u');
    keys(&mut app, "2026-11-10 19:40");
    press(&mut app, KeyCode::Tab);
    let form = app.form.as_ref().unwrap();
    assert!(form.field("occurred").unwrap().shown_error().is_none());
    let banner = form.banner().unwrap().into_owned();
    assert!(!banner.contains("When it happened"), "{banner}");
    assert!(
        banner.starts_with("Not saved: Reported by and "),
        "{banner}"
    );
    snap("form-incident-banner-follows", &mut app);
    // Each refused field put right: the banner goes with the last refusal.
    let form = app.form.as_mut().unwrap();
    form.field_mut("reported_by")
        .unwrap()
        .set_text("Form tutor");
    form.field_mut("description")
        .unwrap()
        .set_text("Messages in a group chat");
    form.field_mut("types").unwrap().chosen = Some(0);
    assert_eq!(form.banner(), None);
}

fn focus_on(app: &mut App, key: &str) {
    let form = app.form.as_mut().unwrap();
    form.focus = form.fields.iter().position(|f| f.key == key).unwrap();
}

/// Tester finding 5: the "possibly already in the register" warning stayed, saying Ctrl-S
/// would add a new person, after the existing person was chosen in Person.
#[test]
fn the_duplicate_warning_goes_once_the_existing_person_is_chosen() {
    let mut app = super::tests::demo_app();
    let id = open_first_incident(&mut app);
    let book = app.book.as_ref().unwrap();
    let linked: Vec<String> = book
        .incident(&id)
        .unwrap()
        .people
        .iter()
        .map(|l| l.person.clone())
        .collect();
    let known = book
        .people
        .iter()
        .find(|p| p.error.is_none() && !linked.contains(&p.id) && p.birth_year.is_some())
        .expect("a person with a year of birth not on this incident")
        .clone();
    press(&mut app, KeyCode::Char('p'));
    assert!(matches!(
        app.form.as_ref().unwrap().kind,
        super::form::FormKind::LinkPerson(_)
    ));
    focus_on(&mut app, "reference");
    keys(&mut app, &known.reference);
    focus_on(&mut app, "birth_year");
    keys(&mut app, &known.birth_year.unwrap_or_default().to_string());
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("warned, not linked");
    assert!(form.banner().unwrap().contains(&known.id));
    // The person chooses the one already there.
    focus_on(&mut app, "person");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, &known.id);
    press(&mut app, KeyCode::Enter);
    let form = app.form.as_ref().unwrap();
    assert_eq!(form.value("person"), known.id);
    assert_eq!(form.banner(), None, "the warning is about a new person");
    assert!(form.field("reference").unwrap().shown_error().is_none());
    snap("form-link-person-existing-chosen", &mut app);
    ctrl(&mut app, 's');
    assert!(app.form.is_none());
    let book = app.book.as_ref().unwrap();
    assert!(
        book.incident(&id)
            .unwrap()
            .people
            .iter()
            .any(|l| l.person == known.id)
    );
}

/// Tester finding 6: with "Considered, not referred" chosen, the required reason was not
/// marked `*`, and the agency's notice spoke of the reference it gives to a referral.
#[test]
fn a_decision_not_to_refer_marks_the_reason_required_and_no_reference_hint() {
    let mut app = super::tests::demo_app();
    open_first_incident(&mut app);
    press(&mut app, KeyCode::Char('r'));
    focus_on(&mut app, "agency");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "101");
    press(&mut app, KeyCode::Enter);
    let form = app.form.as_ref().unwrap();
    assert!(
        form.notice
            .as_deref()
            .unwrap()
            .contains("a reference is always given")
    );
    assert!(form.field("reference").unwrap().needed);
    assert!(!form.field("reason").unwrap().needed);
    focus_on(&mut app, "decision");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "not referred");
    press(&mut app, KeyCode::Enter);
    let form = app.form.as_ref().unwrap();
    assert_eq!(form.value("decision"), "NotReferred");
    assert!(form.field("reason").unwrap().needed, "Reason is marked *");
    assert!(!form.field("reference").unwrap().needed);
    let notice = form.notice.as_deref().unwrap();
    assert!(!notice.contains("reference is always given"), "{notice}");
    assert!(notice.contains("considered, not referred"), "{notice}");
    snap("form-report-not-referred", &mut app);
}

/// Tester finding 4's remainder: the evidence form stopped at its first refusal. An item
/// captured "later" with a custody event "later" has both times refused at one Ctrl-S.
#[test]
fn an_evidence_item_and_its_custody_event_in_the_future_are_both_refused_at_once() {
    let mut app = super::tests::demo_app();
    let later = (now() + chrono::Duration::minutes(30))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let book = app.book.as_ref().unwrap();
    let (id, item) = book
        .incidents
        .iter()
        .filter(|i| i.status != Status::Closed && i.error.is_none())
        .find_map(|i| Some((i.id.clone(), i.evidence.first()?.clone())))
        .expect("an open incident with evidence");
    app.form = Some(crate::tui::forms::edit_evidence(
        book,
        &id,
        &item,
        "RO",
        now(),
    ));
    let before = app.book.clone();
    for (key, text) in [
        ("captured", later.as_str()),
        ("custody", "Phone handed to PC 2231 Hale"),
        ("custody_when", later.as_str()),
    ] {
        focus_on(&mut app, key);
        ctrl(&mut app, 'u');
        keys(&mut app, text);
    }
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("refused");
    for key in ["captured", "custody_when"] {
        let e = form.field(key).unwrap().shown_error().unwrap_or_default();
        assert!(e.contains("is in the future"), "{key}: {e:?}");
    }
    assert_eq!(
        form.banner().as_deref(),
        Some("Not saved: When it was captured and 1 more field need attention.")
    );
    assert!(app.book == before, "nothing saved");
    snap("form-evidence-two-future-times", &mut app);
}

/// Tester finding 35: a review could be moved to `+999` (2029) without a word. A date more
/// than a year away is asked about beside the field; Ctrl-S again keeps it, and a nearer
/// date typed instead saves at once.
#[test]
fn a_review_date_more_than_a_year_away_is_asked_about_once() {
    let mut app = super::tests::demo_app();
    let id = "INC-2026-0004";
    let pending = |app: &App| {
        let inc = app.book.as_ref().unwrap().incident(id).unwrap();
        inc.reviews
            .iter()
            .find(|r| r.held.is_none() && r.cancelled.is_none() && r.error.is_none())
            .map(|r| (r.id.clone(), r.due))
            .unwrap()
    };
    let (rv, due) = pending(&app);
    app.form = Some(crate::tui::forms::schedule_review(
        app.book.as_ref().unwrap(),
        id,
        now(),
    ));
    keys(&mut app, "+999");
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("asked first");
    let e = form.field("due").unwrap().shown_error().unwrap_or_default();
    let far = now().date() + chrono::Duration::days(999);
    assert_eq!(
        e,
        format!("{far} is more than a year away: check the date, or press Ctrl-S again to keep it")
    );
    assert_eq!(pending(&app), (rv.clone(), due), "nothing moved yet");
    snap("form-review-far-date", &mut app);
    // Typing replaces the date asked about; a date within the year saves at once (with
    // the reason a move needs).
    keys(&mut app, "+99");
    let reason = |app: &mut App| {
        let form = app.form.as_mut().unwrap();
        form.field_mut("reason")
            .unwrap()
            .set_text("Waiting for the police");
    };
    reason(&mut app);
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| f.banner())
    );
    assert_eq!(pending(&app).1, now().date() + chrono::Duration::days(99));
    // Asked once: the same far date saved again is kept.
    app.form = Some(crate::tui::forms::schedule_review(
        app.book.as_ref().unwrap(),
        id,
        now(),
    ));
    keys(&mut app, "+999");
    reason(&mut app);
    ctrl(&mut app, 's');
    assert!(app.form.is_some());
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| f.banner())
    );
    assert_eq!(pending(&app), (rv, far));
}

/// Tester finding 4: of two times in the future only the first was refused; the second
/// only at the next Ctrl-S. Every wrong field is marked at the first save.
#[test]
fn two_times_in_the_future_are_both_refused_at_the_first_save() {
    let mut app = super::tests::demo_app();
    let later = |minutes| {
        (now() + chrono::Duration::minutes(minutes))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    press(&mut app, KeyCode::Char('n'));
    let form = app.form.as_mut().unwrap();
    form.field_mut("occurred").unwrap().set_text(&later(30));
    form.field_mut("reported").unwrap().set_text(&later(35));
    form.field_mut("reported_by")
        .unwrap()
        .set_text("Form tutor");
    form.field_mut("description")
        .unwrap()
        .set_text("Messages in a group chat");
    form.field_mut("types").unwrap().chosen = Some(0);
    let before = app.book.as_ref().unwrap().incidents.len();
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("refused");
    for key in ["occurred", "reported"] {
        let e = form.field(key).unwrap().shown_error().unwrap_or_default();
        assert!(e.contains("is in the future"), "{key}: {e:?}");
    }
    assert_eq!(
        form.banner().as_deref(),
        Some("Not saved: When it happened and 1 more field need attention.")
    );
    assert_eq!(app.book.as_ref().unwrap().incidents.len(), before);
    snap("form-incident-two-future-times", &mut app);
    // Passing through a refused field does not drop its refusal: only a change does.
    focus_on(&mut app, "reported");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::BackTab);
    let form = app.form.as_ref().unwrap();
    assert!(form.field("reported").unwrap().shown_error().is_some());
    assert!(form.field("occurred").unwrap().shown_error().is_some());
}

/// Tester finding 15: a number too large for a record was "not a whole number", and a
/// review interval of 0 was refused only once the other fields were put right.
#[test]
fn settings_refuse_a_number_too_large_and_a_zero_interval_at_one_save() {
    let mut app = super::tests::demo_app();
    press(&mut app, KeyCode::Char('S'));
    focus_on(&mut app, "review_interval_days");
    keys(&mut app, "0");
    focus_on(&mut app, "backup_keep");
    keys(&mut app, "99999999999999999999");
    let settings = app.book.as_ref().unwrap().settings.clone();
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("refused");
    assert_eq!(
        form.field("backup_keep").unwrap().shown_error(),
        Some("99999999999999999999 is too large: type a number from 1 to 4294967295")
    );
    assert_eq!(
        form.field("review_interval_days").unwrap().shown_error(),
        Some("The review interval must be at least one day")
    );
    assert_eq!(app.book.as_ref().unwrap().settings, settings);
    snap("form-settings-two-refusals", &mut app);
    // Both numbers read, both zero: both refused by the model at once.
    focus_on(&mut app, "backup_keep");
    keys(&mut app, "0");
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("refused");
    assert_eq!(
        form.field("backup_keep").unwrap().shown_error(),
        Some("Keep at least one backup")
    );
    assert!(
        form.field("review_interval_days")
            .unwrap()
            .shown_error()
            .is_some()
    );
}

/// Tester finding 14: F1 while typing in the list's filter listed the list's keys (`q`
/// quit, `?` help), which there type into the filter. Help shows the filter's keys.
#[test]
fn f1_in_the_list_filter_shows_the_filters_keys() {
    let mut app = super::tests::demo_app();
    press(&mut app, KeyCode::Char('/'));
    keys(&mut app, "ceop");
    press(&mut app, KeyCode::F(1));
    assert!(app.help.is_some());
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("Backspace"), "{screen}");
    assert!(!screen.contains("record a new incident"), "{screen}");
    assert!(!screen.contains("quit"), "{screen}");
    snap("help-list-filter", &mut app);
    // Help closes back into the filter, which kept its text.
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "q");
    assert_eq!(app.list.filter.text, "ceopq");
    assert!(!app.quitting);
}

/// Tester finding 12: a wrong section in "Leave out" was refused beside "Write to file"
/// (whose key `out` the key `without` ends with), and the banner blamed that field.
#[test]
fn a_wrong_leave_out_section_is_refused_beside_leave_out() {
    let mut app = super::tests::demo_app();
    open_first_incident(&mut app);
    press(&mut app, KeyCode::Char('X'));
    // Refused before anything is written (and a fixed name keeps the snapshot stable).
    let out = "forms2-test-never-written.html";
    assert!(!std::path::Path::new(out).exists());
    let form = app.form.as_mut().expect("the export form");
    form.field_mut("for")
        .unwrap()
        .set_text("MASH duty social worker");
    form.field_mut("out").unwrap().set_text(out);
    form.field_mut("plaintext").unwrap().chosen = Some(1);
    focus_on(&mut app, "without");
    keys(&mut app, "histroy, evidence");
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("refused");
    assert!(form.field("out").unwrap().shown_error().is_none());
    assert!(
        form.field("without")
            .unwrap()
            .shown_error()
            .is_some_and(|e| e.starts_with("histroy is not a section"))
    );
    assert_eq!(
        form.banner().as_deref(),
        Some("Not saved: Leave out needs attention (the message is beside it).")
    );
    snap("form-export-leave-out-refused", &mut app);
    // Corrected: the refusal and the banner go at once.
    ctrl(&mut app, 'w');
    ctrl(&mut app, 'w');
    ctrl(&mut app, 'w');
    keys(&mut app, "history, evidence");
    let form = app.form.as_ref().unwrap();
    assert!(form.field("without").unwrap().shown_error().is_none());
    assert_eq!(form.banner(), None);
}

/// Tester finding 22: Ctrl-U (clear, by habit) on a choice opened its picker filtered by
/// "u", and the next Tabs went into the picker.
#[test]
fn control_keys_on_a_choice_do_not_open_its_picker() {
    let mut app = super::tests::demo_app();
    open_first_incident(&mut app);
    press(&mut app, KeyCode::Char('e'));
    focus_on(&mut app, "kind");
    for c in ['u', 'a', 'w'] {
        ctrl(&mut app, c);
    }
    app.key(KeyEvent::new(KeyCode::Char('b'), KeyModifiers::ALT));
    assert!(app.picker.is_none());
    press(&mut app, KeyCode::Tab);
    assert_eq!(
        app.form.as_ref().unwrap().fields[app.form.as_ref().unwrap().focus].key,
        "description"
    );
}

/// Tester finding 46: discarding a typed set-up form left an empty screen no key left.
#[test]
fn discarding_the_set_up_form_ends_the_app() {
    let mut app = App::new("logbook.age".into(), now());
    app.phase = Phase::Setup;
    app.form = Some(super::app::setup_form());
    keys(&mut app, "Org");
    press(&mut app, KeyCode::Esc);
    assert!(app.effects.is_empty(), "asks first");
    press(&mut app, KeyCode::Char('y'));
    assert!(matches!(app.effects.as_slice(), [Effect::Quit]));
}

/// Tester finding 39 (part): F1 did nothing on the "Who is recording?" picker.
#[test]
fn f1_opens_help_on_the_who_is_recording_picker() {
    let mut app = App::new("logbook.age".into(), now());
    app.unlocked(Ok((crate::demo::logbook().unwrap(), None)));
    assert_eq!(app.phase, Phase::ChooseWho);
    press(&mut app, KeyCode::F(1));
    assert!(app.help.is_some());
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("take the highlighted choice"), "{screen}");
}

/// Tester finding 20: a key file that does not exist was refused in the banner only.
#[test]
fn a_missing_key_file_in_set_up_is_refused_beside_its_field() {
    let mut app = App::new("logbook.age".into(), now());
    app.phase = Phase::Setup;
    app.form = Some(super::app::setup_form());
    let form = app.form.as_mut().unwrap();
    form.field_mut("organisation")
        .unwrap()
        .set_text("Northfield Academy");
    form.field_mut("who").unwrap().set_text("R. Okafor");
    form.field_mut("identity")
        .unwrap()
        .set_text("/nonexistent/dsl.key");
    ctrl(&mut app, 's');
    assert!(app.effects.is_empty() && !app.creating);
    let form = app.form.as_ref().unwrap();
    assert_eq!(
        form.field("identity").unwrap().shown_error(),
        Some("The key file /nonexistent/dsl.key does not exist: check the path typed")
    );
    assert!(form.banner().unwrap().starts_with("Not saved: Key file"));
}

/// Tester finding 26: an export into a folder that does not exist closed the form (what
/// was typed lost) and failed in the status bar; it is refused beside the file instead.
#[test]
fn an_export_into_a_missing_folder_is_refused_with_the_form_kept() {
    let mut app = super::tests::demo_app();
    open_first_incident(&mut app);
    press(&mut app, KeyCode::Char('X'));
    let form = app.form.as_mut().expect("the export form");
    form.field_mut("for").unwrap().set_text("Parent of JB");
    form.field_mut("out")
        .unwrap()
        .set_text("/nonexistent/dir/jb.html");
    form.field_mut("plaintext").unwrap().chosen = Some(1);
    ctrl(&mut app, 's');
    assert!(app.effects.is_empty());
    let form = app.form.as_ref().expect("the form is kept");
    assert_eq!(form.value("for"), "Parent of JB");
    assert!(
        form.field("out")
            .unwrap()
            .shown_error()
            .is_some_and(|e| e.starts_with("The folder /nonexistent/dir does not exist"))
    );
}

/// Tester4 #13: "Write to file" `~/inc5.html` was refused as "The folder ~ does not
/// exist": `~/` is the home folder, as on the lock screen. (Checked on the export the form
/// hands the loop: nothing is written.)
#[test]
fn an_export_to_a_path_under_the_home_folder_goes_there() {
    let Some(home) = std::env::var_os("HOME").filter(|h| std::path::Path::new(h).is_dir()) else {
        return;
    };
    let name = "logbook-forms-test-export-never-written.html";
    let mut app = super::tests::demo_app();
    open_first_incident(&mut app);
    press(&mut app, KeyCode::Char('X'));
    let form = app.form.as_mut().expect("the export form");
    form.field_mut("for").unwrap().set_text("PC Hale");
    form.field_mut("out")
        .unwrap()
        .set_text(&format!("~/{name}"));
    form.field_mut("plaintext").unwrap().chosen = Some(1);
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form
            .as_ref()
            .map(|f| f.field("out").unwrap().shown_error())
    );
    let path = app.effects.iter().find_map(|e| match e {
        super::app::Effect::Export(out) => Some(out.path.clone()),
        _ => None,
    });
    assert_eq!(path, Some(std::path::Path::new(&home).join(name)));
}

/// Tester finding 28: at 80x24 a close refused over much unfinished work pushed every
/// field off the form, and "↑ 1 more field above" was drawn over the footer.
#[test]
fn a_close_refused_over_much_unfinished_work_keeps_the_focused_field_in_view() {
    let mut app = super::tests::demo_app();
    // An incident with two types: many checklist steps open.
    press(&mut app, KeyCode::Char('n'));
    let form = app.form.as_mut().unwrap();
    form.field_mut("reported_by")
        .unwrap()
        .set_text("Form tutor");
    form.field_mut("description")
        .unwrap()
        .set_text("Messages in a group chat");
    form.field_mut("types").unwrap().chosen = Some(1);
    form.field_mut("type2").unwrap().chosen = Some(4);
    ctrl(&mut app, 's');
    assert!(app.form.is_none());
    press(&mut app, KeyCode::Char('c'));
    keys(&mut app, "Resolved with both families");
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("refused: not confirmed");
    assert_eq!(form.fields[form.focus].key, "confirm");
    app.size = ratatui::layout::Rect::new(0, 0, 80, 24);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Close despite unfinished work"), "{screen}");
    assert!(screen.contains("Tab next"), "the footer is whole: {screen}");
    snap("form-close-refused-much-unfinished", &mut app);
    press(&mut app, KeyCode::BackTab);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Outcome of the case"), "{screen}");
}

/// Tester finding 35 (a small thing): a required field was marked "is required" as soon
/// as Tab passed it on the way to another field. It is refused at the save; a value typed
/// is still checked on leaving.
#[test]
fn passing_an_empty_required_field_does_not_refuse_it_until_the_save() {
    let mut app = super::tests::demo_app();
    press(&mut app, KeyCode::Char('n'));
    focus_on(&mut app, "reported");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    let form = app.form.as_ref().unwrap();
    assert_eq!(form.fields[form.focus].key, "types");
    assert!(form.field("reported_by").unwrap().shown_error().is_none());
    focus_on(&mut app, "occurred");
    ctrl(&mut app, 'u');
    keys(&mut app, "2026-02-31 19:40");
    press(&mut app, KeyCode::Tab);
    assert!(
        app.form
            .as_ref()
            .unwrap()
            .field("occurred")
            .unwrap()
            .shown_error()
            .is_some()
    );
    ctrl(&mut app, 's');
    let form = app.form.as_ref().unwrap();
    assert!(form.field("reported_by").unwrap().shown_error().is_some());
}
