//! The screens as a person reads them: what a view lists and counts, what a table shows
//! of a long value, and the signs that more is below (tester2 findings 16, 33, 34, 35).

use ratatui::crossterm::event::KeyCode;

use super::app::*;
use super::tests::{ctrl, demo_app, incident, keys, open_incident, press, render, section};
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
