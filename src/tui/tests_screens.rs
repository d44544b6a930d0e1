//! The screens as a person reads them: what a view lists and counts, what a table shows
//! of a long value, and the signs that more is below (tester2 findings 16, 33, 34, 35).

use ratatui::crossterm::event::KeyCode;

use super::app::*;
use super::tests::{ctrl, demo_app, incident, keys, open_incident, press, render, section, snap};
use crate::model::chronology;
use crate::model::*;

/// The rows of the list's current view, by incident id.
fn listed(app: &App) -> Vec<String> {
    let book = app.book.as_ref().unwrap();
    app.list
        .rows
        .iter()
        .map(|n| book.incidents[*n].id.clone())
        .collect()
}

#[test]
fn an_incident_entered_in_error_leaves_the_open_view_and_owes_no_review() {
    // Tester2 finding 33: marked in error, it was still listed and counted in the Open
    // view with its review date, and its Reviews tab still offered the review as owed.
    let mut app = demo_app();
    let id = "INC-2026-0019";
    assert!(incident(&app, id).status != Status::Closed);
    press(&mut app, KeyCode::Char('1'));
    let open_before = app.list.rows.len();
    assert!(listed(&app).iter().any(|i| i == id));
    open_incident(&mut app, id);
    press(&mut app, KeyCode::Char('x'));
    keys(&mut app, "Test record created by mistake");
    ctrl(&mut app, 's');
    assert!(app.form.is_none(), "{:?}", app.message);
    // Its Reviews tab lists the review, owed no more, with nothing offered.
    section(&mut app, Section::Reviews);
    let screen = render(&mut app, 100, 30);
    assert!(
        screen.contains("not owed: incident entered in error"),
        "{screen}"
    );
    assert!(!screen.contains("not yet held"), "{screen}");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('1'));
    assert!(
        !listed(&app).iter().any(|i| i == id),
        "not in the Open view"
    );
    assert_eq!(app.list.rows.len(), open_before - 1);
    let total = app.book.as_ref().unwrap().incidents.len();
    let screen = render(&mut app, 100, 30);
    assert!(
        screen.contains(&format!("{} of {total} incidents", open_before - 1)),
        "{screen}"
    );
    assert!(!screen.contains(id), "{screen}");
    press(&mut app, KeyCode::Char('2'));
    assert!(!listed(&app).iter().any(|i| i == id), "not in Reviews due");
    // All still lists it, in words.
    press(&mut app, KeyCode::Char('4'));
    let screen = render(&mut app, 100, 30);
    let row = screen
        .lines()
        .find(|l| l.contains(id))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(row.contains("Entered in error"), "{row}");
}

/// Opens the chronology of the person whose reference is `reference`, from the people
/// register, as a person would: P, filter by the reference, Enter.
fn chronology_of(app: &mut App, reference: &str) {
    press(app, KeyCode::Char('P'));
    press(app, KeyCode::Char('/'));
    keys(app, reference);
    press(app, KeyCode::Enter);
    press(app, KeyCode::Enter);
    assert!(
        matches!(app.screen(), Screen::Chronology { .. }),
        "{:?}",
        app.screen()
    );
}

#[test]
fn the_chronology_marks_a_cut_detail_and_shows_the_selected_event_whole() {
    // Tester2 finding 16: the Detail column was cut at about 35 characters, with no "…"
    // and no way to read the rest there.
    let mut app = demo_app();
    chronology_of(&mut app, "Theo M.");
    let Screen::Chronology { person, .. } = app.screen().clone() else {
        unreachable!()
    };
    let events = chronology::events(app.book.as_ref().unwrap(), &person);
    let long = events
        .iter()
        .position(|e| (60..300).contains(&e.detail.chars().count()))
        .expect("an event with a long detail");
    for _ in 0..long {
        press(&mut app, KeyCode::Char('j'));
    }
    for (w, h) in [(80, 24), (100, 30)] {
        let screen = render(&mut app, w, h);
        let row = screen
            .lines()
            .find(|l| l.contains(&crate::present::when(events[long].when)) && l.contains('…'))
            .unwrap_or_else(|| panic!("no cut row marked with …:\n{screen}"));
        assert!(row.contains('…'), "{row}");
        // Every word of the selected event's detail is on the screen, under the table.
        let text: String = screen.replace(['│', '"'], " ");
        let flat: Vec<&str> = text.split_whitespace().collect();
        let flat = flat.join(" ");
        let detail: Vec<&str> = events[long].detail.split_whitespace().collect();
        assert!(flat.contains(&detail.join(" ")), "{w}x{h}:\n{screen}");
    }
}

#[test]
fn the_chronology_marks_an_approximate_time_in_its_column_and_under_the_table() {
    // Tester4 #5: the Chronology screen gave an approximate time as exact.
    let mut app = demo_app();
    let book = app.book.clone().unwrap();
    let (who, inc) = book
        .incidents
        .iter()
        .filter(|i| i.occurred_approximate && i.error.is_none())
        .find_map(|i| {
            let p = book.person(&i.people.first()?.person)?;
            // The reference must find this person alone in the register's filter.
            let alone = book
                .people
                .iter()
                .filter(|o| o.reference.contains(&p.reference))
                .count()
                == 1;
            alone.then(|| (p.reference.clone(), i.id.clone()))
        })
        .expect("an approximate time on a case with people");
    chronology_of(&mut app, &who);
    let Screen::Chronology { person, .. } = app.screen().clone() else {
        unreachable!()
    };
    let events = chronology::events(&book, &person);
    let at = events
        .iter()
        .position(|e| e.incident == inc && e.approximate)
        .unwrap();
    for _ in 0..at {
        press(&mut app, KeyCode::Char('j'));
    }
    let exact = crate::present::when(events[at].when);
    let day = crate::present::date(events[at].when.date());
    for (w, h) in [(80, 24), (100, 30)] {
        let screen = render(&mut app, w, h);
        assert!(
            screen.contains(&format!("about {day} {inc}")),
            "{w}x{h}:\n{screen}"
        );
        assert!(
            screen.contains(&format!("{inc} · {exact} (approximately)")),
            "{w}x{h}:\n{screen}"
        );
    }
}

#[test]
fn a_person_with_no_incidents_has_a_chronology_that_says_so() {
    // Tester2 finding 35: an empty chronology showed column headings and no sentence.
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('P'));
    press(&mut app, KeyCode::Char('a'));
    keys(&mut app, "Mia W. (Y10)");
    ctrl(&mut app, 's');
    assert!(app.form.is_none(), "{:?}", app.message);
    press(&mut app, KeyCode::Esc);
    chronology_of(&mut app, "Mia W.");
    for (w, h) in [(80, 24), (100, 30)] {
        let screen = render(&mut app, w, h);
        assert!(
            screen.contains("Nothing is recorded for Mia W. (Y10) yet"),
            "{screen}"
        );
        assert!(!screen.contains("Detail"), "{screen}");
    }
    snap("chronology-empty", &mut app);
}

#[test]
fn the_incident_list_says_how_many_rows_are_below_and_above() {
    // Tester2 finding 35: at 80x24, 18 rows shown of 21 and nothing said more were below.
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('4'));
    let total = app.list.rows.len();
    let screen = render(&mut app, 80, 24);
    let shown = screen.lines().filter(|l| l.contains("INC-")).count();
    assert!(shown < total, "{screen}");
    let bottom = screen.lines().rfind(|l| l.contains('└')).unwrap();
    assert!(
        bottom.contains(&format!("↓ {} more incidents", total - shown)),
        "{bottom}"
    );
    press(&mut app, KeyCode::Char('G'));
    let screen = render(&mut app, 80, 24);
    let bottom = screen.lines().rfind(|l| l.contains('└')).unwrap();
    assert!(
        bottom.contains(&format!("↑ {} more incidents", total - shown)),
        "{bottom}"
    );
    assert!(!bottom.contains('↓'), "{bottom}");
    // With every row on screen there is no sign.
    let screen = render(&mut app, 100, 60);
    assert!(!screen.contains("more incidents"), "{screen}");
}

#[test]
fn the_evidence_list_says_where_an_item_is_now_and_names_a_custody_reference() {
    // Tester2 finding 35: after a custody event the list still gave the first place it was
    // kept, and the entry ran the reference into the event's text.
    let mut app = demo_app();
    let id = "INC-2026-0004";
    let e = &incident(&app, id).evidence[0];
    let c = e
        .custody
        .last()
        .expect("a custody event in the demo")
        .clone();
    open_incident(&mut app, id);
    section(&mut app, Section::Evidence);
    let screen = render(&mut app, 100, 30);
    let flat = screen.replace(['│', '"'], " ");
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    let ev1 = &flat[flat.find("EV-1").unwrap()..flat.find("EV-2").unwrap()];
    assert!(
        ev1.contains(&format!(
            "latest custody: {} ({}), ref {}",
            c.event,
            crate::present::when(c.when),
            c.reference
        )),
        "{screen}"
    );
    assert!(ev1.contains("first kept at:"), "{ev1}");
    press(&mut app, KeyCode::Enter);
    let screen = render(&mut app, 100, 30);
    let flat = screen.replace(['│', '"'], " ");
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(&format!("{}, ref {}", c.event, c.reference)),
        "{screen}"
    );
    assert!(flat.contains("First kept at"), "{screen}");
}

#[test]
fn a_history_that_failed_its_check_is_not_offered_a_backup() {
    // Tester2 finding 35: the pop-up said nothing can be backed up, and the status bar
    // still offered "not backed up yet: B".
    let mut app = demo_app();
    let mut book = app.book.take().unwrap();
    book.audit.clear();
    book.trail_pending = true;
    app.unlocked(Ok((book, None)));
    if app.picker.is_some() {
        keys(&mut app, "RO");
        press(&mut app, KeyCode::Enter);
    }
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("backed up yet"), "{screen}");
    super::trail_checked(&mut app, true, Err("entry 5 no longer matches".into()));
    press(&mut app, KeyCode::Esc);
    for (w, h) in [(80, 24), (100, 30)] {
        let screen = render(&mut app, w, h);
        assert!(screen.contains("HISTORY FAILED ITS CHECK"), "{screen}");
        assert!(!screen.contains("backed up"), "{screen}");
        assert!(!screen.contains("back up now"), "{screen}");
    }
}

#[test]
fn ctrl_c_quits_nothing_and_says_how_to_leave() {
    // Tester2 finding 35: Ctrl-C did nothing and said nothing.
    let mut app = demo_app();
    ctrl(&mut app, 'c');
    assert!(!app.quitting);
    let said = app.message.clone().unwrap_or_default();
    assert!(said.contains("Ctrl-C does nothing here"), "{said}");
    assert!(said.ends_with("q quits"), "{said}");
    let screen = render(&mut app, 80, 24);
    let flat = screen.replace('"', " ");
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("q quits"), "{screen}");
    // In a form q is text: it says Esc first, and the form is kept as typed.
    press(&mut app, KeyCode::Char('n'));
    keys(&mut app, "abc");
    // The form as drawn, the status bar (where the words go) aside.
    let form = |app: &mut App| {
        let screen = render(app, 100, 30);
        screen.lines().take(25).collect::<Vec<_>>().join("\n")
    };
    let before = form(&mut app);
    assert!(before.contains("abc"), "{before}");
    ctrl(&mut app, 'c');
    assert!(app.form.is_some() && !app.quitting);
    assert_eq!(form(&mut app), before);
    let said = app.message.clone().unwrap_or_default();
    assert!(said.contains("Esc leaves the form"), "{said}");
}
