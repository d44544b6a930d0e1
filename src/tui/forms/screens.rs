//! Every form as a person meets it, through the app on the demo logbook: before and after
//! typing at 100x30 and 80x24 with the cursor's cell named under the screen (TestBackend
//! text has no cursor), and the key sequences of issue 9: Ctrl-U clears, typing replaces a
//! pre-filled or refused date, a refusal goes once the value it was about changes.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

use super::super::app::App;
use super::super::form::{ErrorTarget, FieldKind, Form};
use super::super::tests::{ctrl, demo_app, keys, press};
use crate::model::*;

fn form(app: &App) -> &Form {
    app.form.as_ref().expect("a form is open")
}

fn focus_on(app: &mut App, key: &str) {
    let form = app.form.as_mut().unwrap();
    form.focus = form.fields.iter().position(|f| f.key == key).unwrap();
}

/// The screen as text, and where the cursor is (None when hidden).
fn render(app: &mut App, width: u16, height: u16) -> (String, Option<(u16, u16)>) {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| super::super::view::draw(f, app)).unwrap();
    let backend = terminal.backend();
    let cursor = backend
        .cursor_visible()
        .then(|| (backend.cursor_position().x, backend.cursor_position().y));
    (backend.to_string(), cursor)
}

/// The screen with a line under it naming the cursor's cell (0-based row and column).
fn screen_with_cursor(app: &mut App, width: u16, height: u16) -> String {
    let (screen, cursor) = render(app, width, height);
    let cursor = cursor.map_or("cursor hidden".to_string(), |(x, y)| {
        format!("cursor at row {y}, column {x}")
    });
    format!("{screen}{cursor}\n")
}

/// The text typed into a field of this kind: a long account in text fields, so wrapping
/// shows; a date over a pre-filled one, so replacing shows.
fn typed_for(kind: &FieldKind) -> Option<&'static str> {
    match kind {
        FieldKind::Text | FieldKind::Multiline => Some(
            "Mum rang at 08:10: he has not slept since the messages started, is scared to \
             come in, and she has kept the phone switched off since Sunday. Did he say why?",
        ),
        FieldKind::DateTime => Some("2026-11-14 16:30"),
        FieldKind::Date => Some("2026-12-01"),
        FieldKind::Number => Some("21"),
        FieldKind::Suggest(_) => Some("PC 2231 Hale"),
        FieldKind::Secret | FieldKind::Choice(_) | FieldKind::Toggle => None,
    }
}

/// Opens `form`, snapshots it, types into its first field that takes typing, and
/// snapshots it again: both states in one snapshot per size. The cursor must stand just
/// after what was typed, and what was typed must be what the field holds.
fn before_and_after(name: &str, opened: Form) {
    let mut app = demo_app();
    app.form = Some(opened);
    let first = form_first_typed(&app);
    focus_on(&mut app, first.0);
    let sizes = [(100, 30), (80, 24)];
    let before: Vec<String> = sizes
        .iter()
        .map(|(w, h)| screen_with_cursor(&mut app, *w, *h))
        .collect();
    // A pre-filled value (a default date) is replaced; text already recorded is added to.
    let field = form(&app).field(first.0).unwrap();
    let (typed, expected) = if field.input.is_prefilled() || field.text().is_empty() {
        (first.1.to_string(), first.1.to_string())
    } else {
        (
            format!(" {}", first.1),
            format!("{} {}", field.text(), first.1),
        )
    };
    keys(&mut app, &typed);
    assert_eq!(
        form(&app).field(first.0).unwrap().text(),
        expected,
        "{name}"
    );
    for (n, (w, h)) in sizes.iter().enumerate() {
        let after = screen_with_cursor(&mut app, *w, *h);
        let (screen, cursor) = render(&mut app, *w, *h);
        let (x, y) = cursor.unwrap_or_else(|| panic!("{name}: no cursor in the field:\n{screen}"));
        // The cell before the cursor holds the last character typed (or the row above
        // ends with it, when the cursor starts a new row).
        let rows: Vec<Vec<char>> = screen
            .lines()
            .map(|l| l.trim_matches('"').chars().collect())
            .collect();
        let last = first.1.chars().last().unwrap();
        let before_cursor = if x > 0 {
            rows[y as usize].get(x as usize - 1).copied()
        } else {
            None
        };
        assert!(
            before_cursor == Some(last) || rows[y as usize - 1].contains(&last),
            "{name} {w}x{h}: the cursor (row {y}, column {x}) stands after the text typed:\n{screen}"
        );
        insta::with_settings!({ snapshot_path => "../../../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(
                format!("form-typing-{name}-{w}x{h}"),
                format!("before typing:\n{}\nafter typing {:?} into {}:\n{after}", before[n], first.1, first.0)
            );
        });
    }
}

/// The key of the first field that takes typing, and what is typed into it.
fn form_first_typed(app: &App) -> (&'static str, &'static str) {
    form(app)
        .fields
        .iter()
        .find_map(|f| typed_for(&f.kind).map(|t| (f.key, t)))
        .expect("every form has a field to type in")
}

/// An open incident of the demo with evidence, a reporting step and a review pending.
fn busy_incident(book: &Logbook) -> &Incident {
    book.incidents
        .iter()
        .rev()
        .find(|i| {
            i.closure.is_none()
                && !i.evidence.is_empty()
                && !i.reports.is_empty()
                && i.reviews.iter().any(|r| r.held.is_none())
        })
        .expect("the demo has a busy open incident")
}

#[test]
fn every_form_before_and_after_typing_with_the_cursor() {
    let book = crate::demo::logbook().unwrap();
    let now = crate::demo::demo_now();
    let i = busy_incident(&book);
    let id = i.id.as_str();
    let person = book.people.iter().find(|p| p.error.is_none()).unwrap();
    let review = i.reviews.iter().find(|r| r.held.is_none()).unwrap();
    let closed = book.incidents.iter().find(|i| i.closure.is_some()).unwrap();
    let forms: Vec<(&str, Form)> = vec![
        ("setup", super::setup()),
        ("edit-incident", super::incident(&book, "RO", now, Some(i))),
        ("link-person", super::link_person(&book, id)),
        ("new-person", super::new_person()),
        ("edit-person", super::edit_person(person)),
        ("person-error", super::person_error(person)),
        ("evidence", super::evidence(&book, id, "RO", now)),
        (
            "edit-evidence",
            super::edit_evidence(&book, id, &i.evidence[0], "RO", now),
        ),
        ("register-file", super::register_file(id, &i.evidence[0].id)),
        ("report", super::report(&book, id, "RO", now)),
        (
            "edit-report",
            super::edit_report(&book, id, &i.reports[0], "RO", now),
        ),
        (
            "schedule-review",
            super::schedule_review(&book, closed.id.as_str(), now),
        ),
        ("move-review", super::schedule_review(&book, id, now)),
        (
            "hold-review",
            super::hold_review(&book, id, &review.id, "RO", now),
        ),
        ("close", super::close(&book, id)),
        ("reopen", super::reopen(&closed.id)),
        ("mark-error", super::mark_error(i, ErrorTarget::Incident)),
        (
            "not-applicable",
            super::not_applicable(id, 0, &i.checklist[0].step),
        ),
        ("tick-step", super::tick_step(&book, id, 0, now).unwrap()),
        ("settings", super::settings(&book)),
    ];
    for (name, form) in forms {
        before_and_after(name, form);
    }
}

#[test]
fn ctrl_u_clears_and_typing_over_a_prefilled_date_replaces_it() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(form(&app).fields[form(&app).focus].key, "occurred");
    keys(&mut app, "2026-11-14 16:30");
    assert_eq!(form(&app).value("occurred"), "2026-11-14 16:30");
    focus_on(&mut app, "reported_by");
    keys(&mut app, "Form tutor");
    ctrl(&mut app, 'u');
    assert_eq!(form(&app).value("reported_by"), "");
    keys(&mut app, "Head of year");
    assert_eq!(form(&app).value("reported_by"), "Head of year");
}

#[test]
fn a_refused_date_is_selected_so_typing_replaces_it_and_its_refusal_goes_when_changed() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    ctrl(&mut app, 'u');
    keys(&mut app, "last tuesday");
    press(&mut app, KeyCode::Tab);
    let refusal = "is not a date and time: type e.g. 30/11/2026 14:30 (day first)";
    assert!(
        form(&app).fields[0]
            .shown_error()
            .is_some_and(|e| e.contains(refusal))
    );
    let (screen, _) = render(&mut app, 80, 24);
    assert!(
        screen.contains("last tuesday is not a date and time: type"),
        "{screen}"
    );
    // Back to it: the first key replaces the bad value instead of appending to it.
    press(&mut app, KeyCode::BackTab);
    keys(&mut app, "2026-11-14");
    assert_eq!(form(&app).value("occurred"), "2026-11-14");
    // The refusal was about "last tuesday": it no longer stands beside the new value.
    assert_eq!(form(&app).fields[0].shown_error(), None);
    let (screen, _) = render(&mut app, 80, 24);
    assert!(!screen.contains(refusal), "{screen}");

    // The same after a refused save: focus stays where it was, the refused field is
    // named, and typing there replaces the bad value.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    keys(&mut app, "2026-02-30 09:00");
    focus_on(&mut app, "reported_by");
    ctrl(&mut app, 's');
    assert_eq!(form(&app).fields[form(&app).focus].key, "reported_by");
    assert!(
        form(&app)
            .banner()
            .unwrap()
            .contains("When it was reported")
    );
    focus_on(&mut app, "reported");
    keys(&mut app, "now");
    assert_eq!(form(&app).value("reported"), "now");
}

#[test]
fn a_long_one_line_value_is_shown_whole_not_only_its_tail() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    focus_on(&mut app, "reported_by");
    keys(
        &mut app,
        "The form tutor who was on duty in the library at lunchtime",
    );
    let (screen, _) = render(&mut app, 80, 24);
    assert!(screen.contains("The form tutor who"), "{screen}");
    assert!(screen.contains("library at lunchtime"), "{screen}");
    // Not focused, it still shows its start.
    press(&mut app, KeyCode::Tab);
    let (screen, _) = render(&mut app, 80, 24);
    assert!(screen.contains("The form tutor who"), "{screen}");
}

#[test]
fn a_passphrase_typed_into_the_key_file_field_is_not_echoed() {
    let mut app = demo_app();
    app.form = Some(super::setup());
    focus_on(&mut app, "identity");
    keys(&mut app, "correct horse battery staple");
    let (screen, cursor) = render(&mut app, 80, 24);
    assert!(!screen.contains("horse"), "{screen}");
    assert!(screen.contains("looks like a passphrase"), "{screen}");
    assert!(cursor.is_some(), "the cursor stays in the field");
    // A path is a path, spaces and all.
    let form = app.form.as_mut().unwrap();
    form.field_mut("identity")
        .unwrap()
        .set_text("/home/ro/My keys/dsl.key");
    let (screen, _) = render(&mut app, 80, 24);
    assert!(screen.contains("/home/ro/My keys/dsl.key"), "{screen}");
}

#[test]
fn a_refused_field_is_marked_red_where_its_label_is() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    ctrl(&mut app, 's');
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|f| super::super::view::draw(f, &app))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let colour_of = |label: &str| {
        let (x, y) = (0..buffer.area.height)
            .find_map(|y| {
                let row: String = (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect();
                row.find(label)
                    .map(|at| (row[..at].chars().count() as u16, y))
            })
            .unwrap_or_else(|| panic!("{label} is on screen"));
        buffer[(x, y)].fg
    };
    assert_eq!(colour_of("Reported by"), ratatui::style::Color::Red);
    assert_ne!(colour_of("Platform or app"), ratatui::style::Color::Red);
}

#[test]
fn a_long_text_being_typed_says_how_much_is_above_it() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    focus_on(&mut app, "description");
    for n in 1..=12 {
        keys(&mut app, &format!("Line {n} of what he said."));
        press(&mut app, KeyCode::Enter);
    }
    keys(&mut app, "The end.");
    let (screen, cursor) = render(&mut app, 80, 24);
    assert!(screen.contains("more lines above"), "{screen}");
    assert!(screen.contains("The end."), "{screen}");
    assert!(!screen.contains("Line 1 of"), "{screen}");
    let (x, y) = cursor.unwrap();
    let row: String = screen.lines().nth(usize::from(y)).unwrap().into();
    assert!(
        row.contains("The end."),
        "the cursor is on the last row typed: {row}"
    );
    assert!(x > 0);
    // Moving up to the top shows the start, and says what is below instead.
    for _ in 0..12 {
        press(&mut app, KeyCode::Up);
    }
    let (screen, _) = render(&mut app, 80, 24);
    assert!(screen.contains("Line 1 of"), "{screen}");
    assert!(screen.contains("more lines"), "{screen}");
}

/// Tester3 #28: in key mode (no staff list) the key holder's own name in "By" showed
/// "(no staff name matches: kept as typed)", as if a warning about the DSL's own name.
#[test]
fn a_key_holders_own_name_is_suggested_not_warned_about() {
    let mut app = demo_app();
    let key = age::x25519::Identity::generate().to_public().to_string();
    {
        let s = &mut app.book.as_mut().unwrap().settings;
        s.staff.clear();
        s.recipients = vec![key.clone()];
        s.holders = vec![Holder {
            key,
            name: "R. Okafor".into(),
        }];
    }
    app.who = "R. Okafor".into();
    let book = app.book.clone().unwrap();
    let id = book
        .incidents
        .iter()
        .find(|i| i.status != Status::Closed && i.error.is_none())
        .map(|i| i.id.clone())
        .unwrap();
    app.form = Some(super::evidence(
        &book,
        &id,
        "R. Okafor",
        crate::demo::demo_now(),
    ));
    focus_on(&mut app, "captured_by");
    let (screen, _) = render(&mut app, 80, 24);
    assert!(screen.contains("staff: R. Okafor"), "{screen}");
    assert!(!screen.contains("no staff name matches"), "{screen}");
    // No names to suggest at all: nothing is said about the name typed.
    app.book.as_mut().unwrap().settings.holders.clear();
    let book = app.book.clone().unwrap();
    app.form = Some(super::evidence(
        &book,
        &id,
        "R. Okafor",
        crate::demo::demo_now(),
    ));
    focus_on(&mut app, "captured_by");
    let (screen, _) = render(&mut app, 80, 24);
    assert!(!screen.contains("no staff name matches"), "{screen}");
}

/// Tester3 #28: "Lock after idle (minutes)" took 100000 (69 days), which turns the idle
/// lock off in effect; it is refused beside the field, with the bound.
#[test]
fn an_idle_lock_of_days_is_refused_beside_its_field() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('S'));
    focus_on(&mut app, "idle_lock_minutes");
    keys(&mut app, "100000");
    ctrl(&mut app, 's');
    let f = form(&app).field("idle_lock_minutes").unwrap();
    assert!(
        f.shown_error().is_some_and(|e| e.contains("at most 240")),
        "{:?}",
        f.error
    );
    assert_eq!(app.book.as_ref().unwrap().settings.idle_lock_minutes, 5);
    let f = app
        .form
        .as_mut()
        .unwrap()
        .field_mut("idle_lock_minutes")
        .unwrap();
    f.set_text("240");
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| f.banner())
    );
    assert_eq!(app.book.as_ref().unwrap().settings.idle_lock_minutes, 240);
}

/// Tester3 #28: `y9`, `Year 9` and `YR` (reception) were refused as year groups.
#[test]
fn year_groups_are_taken_as_schools_write_them() {
    for (typed, stored) in [
        ("y9", "Y9"),
        ("Year 9", "Y9"),
        ("year 11", "Y11"),
        ("Yr 7", "Y7"),
        ("YR", "R"),
        ("reception", "R"),
        ("Nursery", "N"),
        ("r", "R"),
    ] {
        let mut app = demo_app();
        press(&mut app, KeyCode::Char('P'));
        press(&mut app, KeyCode::Char('a'));
        let form = app.form.as_mut().unwrap();
        form.field_mut("reference").unwrap().set_text("QZ");
        form.field_mut("birth_year").unwrap().set_text(typed);
        form.dirty = true;
        ctrl(&mut app, 's');
        assert!(
            app.form.is_none(),
            "{typed}: {:?}",
            app.form.as_ref().map(|f| f.banner())
        );
        let book = app.book.as_ref().unwrap();
        let p = book.people.iter().find(|p| p.reference == "QZ").unwrap();
        assert_eq!(
            (p.year_group.as_str(), p.birth_year),
            (stored, None),
            "{typed}"
        );
    }
    for typed in ["Year nine", "Y14", "Y0", "Year"] {
        let mut app = demo_app();
        press(&mut app, KeyCode::Char('P'));
        press(&mut app, KeyCode::Char('a'));
        let form = app.form.as_mut().unwrap();
        form.field_mut("reference").unwrap().set_text("QZ");
        form.field_mut("birth_year").unwrap().set_text(typed);
        ctrl(&mut app, 's');
        let f = form_field_error(&app, "birth_year");
        assert!(f.is_some(), "{typed} is refused");
    }
}

/// Tester4 #13: "Mrs QS (cover supervisor)", Staff or volunteer, `Y9` was saved and
/// listed with the year group, and the retention rule read as if her age were known.
#[test]
fn a_year_group_for_a_member_of_staff_is_refused_beside_the_field() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('P'));
    press(&mut app, KeyCode::Char('a'));
    let people = app.book.as_ref().unwrap().people.len();
    let form = app.form.as_mut().unwrap();
    form.field_mut("reference")
        .unwrap()
        .set_text("Mrs QS (cover supervisor)");
    let f = form.field_mut("age_group").unwrap();
    let FieldKind::Choice(options) = &f.kind else {
        panic!("age group is a choice")
    };
    f.chosen = options.iter().position(|o| o.value == "Staff");
    form.field_mut("birth_year").unwrap().set_text("Y9");
    form.dirty = true;
    ctrl(&mut app, 's');
    let said = form_field_error(&app, "birth_year").expect("refused beside the field");
    assert!(said.contains("give their year of birth"), "{said}");
    assert_eq!(app.book.as_ref().unwrap().people.len(), people);
}

fn form_field_error(app: &App, key: &str) -> Option<String> {
    form(app)
        .field(key)
        .and_then(|f| f.shown_error().map(str::to_string))
}

/// Tester3 #32: lowering "Backups to keep" from 10 to 1 was saved without a word; the
/// next backup then removed 12 backups, unnamed. Saving says what the next backup removes.
#[test]
fn keeping_fewer_backups_says_what_the_next_backup_removes() {
    let mut app = demo_app();
    {
        let stamp = app.stamp();
        let book = app.book.as_mut().unwrap();
        for day in 1..=12 {
            book.record_backup(&stamp, &format!("logbook-202611{day:02}-090000.age"))
                .unwrap();
        }
        assert_eq!(book.settings.backup_keep, 10);
    }
    press(&mut app, KeyCode::Char('S'));
    focus_on(&mut app, "backup_keep");
    keys(&mut app, "1");
    ctrl(&mut app, 's');
    let said = app.message.clone().unwrap();
    assert!(
        said.contains("lowered from 10 to 1")
            && said.contains("removes 10 older backups")
            && said.contains("logbook-20261103-090000.age to logbook-20261112-090000.age"),
        "{said}"
    );
    // Raising it, or keeping the same, says nothing more.
    press(&mut app, KeyCode::Char('S'));
    focus_on(&mut app, "backup_keep");
    keys(&mut app, "5");
    ctrl(&mut app, 's');
    assert_eq!(app.message.as_deref(), Some("Settings saved."));
}

/// "self" and "self-harm" found no incident type: the types are found by the words of
/// their descriptions too, after any match on their names.
#[test]
fn an_incident_type_is_found_by_the_words_that_describe_it() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    focus_on(&mut app, "types");
    keys(&mut app, "self-harm");
    let picker = app.picker.as_ref().expect("typing opens the list");
    assert_eq!(picker.chosen_value().as_deref(), Some("HarmfulContent"));
    press(&mut app, KeyCode::Enter);
    assert_eq!(form(&app).value("types"), "HarmfulContent");
    // A name still comes before a description that mentions the same word.
    focus_on(&mut app, "types");
    keys(&mut app, "groom");
    let picker = app.picker.as_ref().unwrap();
    assert_eq!(
        picker.chosen_value().as_deref(),
        Some("GroomingOrExploitation")
    );
}

/// The close form of a grooming case said "checklist step not done:" before each of its
/// seven open steps; they are counted once.
#[test]
fn the_close_form_counts_the_open_steps_once() {
    let mut app = demo_app();
    let book = app.book.clone().unwrap();
    let (id, open) = book
        .incidents
        .iter()
        .filter(|i| i.status != Status::Closed && i.error.is_none())
        .map(|i| {
            let open = i
                .checklist
                .iter()
                .filter(|c| c.state == StepState::Open)
                .count();
            (i.id.clone(), open)
        })
        .find(|(_, open)| *open >= 2)
        .expect("an open case with two open steps");
    app.form = Some(super::close(&book, &id));
    let notice = form(&app).notice.clone().unwrap();
    assert!(
        notice.starts_with(&format!("Unfinished: {open} checklist steps not done (")),
        "{notice}"
    );
    assert!(!notice.contains("checklist step not done:"), "{notice}");
}

/// "R. Okafor, R. Okafor" in the staff list was saved twice, and offered twice.
#[test]
fn a_staff_name_typed_twice_is_kept_once() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('S'));
    let f = app.form.as_mut().unwrap().field_mut("staff").unwrap();
    f.set_text("\n  R. Okafor \n\nR. Okafor\nKW\n");
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| f.banner())
    );
    assert_eq!(
        app.book.as_ref().unwrap().settings.staff,
        ["R. Okafor", "KW"]
    );
}

/// Tester4 #13: "Llewelyn, Nia (deputy DSL)", a name written the school way, became two
/// staff; tester4 #10: the same name typed again in other case, accents or Unicode form
/// was a second member of staff, and a decomposed name was kept decomposed.
#[test]
fn a_staff_name_with_a_comma_is_one_name_and_one_typed_otherwise_is_the_same() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('S'));
    let f = app.form.as_mut().unwrap().field_mut("staff").unwrap();
    assert_eq!(f.label, "Staff who record (one per line)");
    f.set_text("Llewelyn, Nia (deputy DSL)\nSia\u{302}n ap Rhys\nsian ap rhys\nRO");
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| f.banner())
    );
    assert_eq!(
        app.book.as_ref().unwrap().settings.staff,
        ["Llewelyn, Nia (deputy DSL)", "Si\u{e2}n ap Rhys", "RO"]
    );
    // The list reads back one a line, and saving it untouched changes nothing.
    let trail = app.book.as_ref().unwrap().audit.len();
    press(&mut app, KeyCode::Char('S'));
    let f = app.form.as_ref().unwrap().field("staff").unwrap();
    assert_eq!(
        f.text(),
        "Llewelyn, Nia (deputy DSL)\nSi\u{e2}n ap Rhys\nRO"
    );
    ctrl(&mut app, 's');
    assert_eq!(app.book.as_ref().unwrap().audit.len(), trail);
}
