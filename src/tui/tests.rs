//! The app driven by keys alone: every action's effect on state and records, and an insta
//! snapshot of every screen, form, picker and dialog at 100x30 and 80x24, on the demo
//! logbook with the demo clock.

use chrono::NaiveDateTime;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::*;
use super::form::{ErrorTarget, FormKind};
use crate::model::*;

fn now() -> NaiveDateTime {
    crate::demo::demo_now()
}

/// The app on the demo logbook, ready, recording as RO (shared with the forms' tests).
pub(super) fn demo_app() -> App {
    let book = crate::demo::logbook().unwrap();
    App::ready("logbook.age".into(), now(), book, "RO".into())
}

pub(super) fn press(app: &mut App, code: KeyCode) {
    app.key(KeyEvent::new(code, KeyModifiers::NONE));
}

pub(super) fn ctrl(app: &mut App, c: char) {
    app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

pub(super) fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn tab(app: &mut App, n: usize) {
    for _ in 0..n {
        press(app, KeyCode::Tab);
    }
}

pub(super) fn render(app: &mut App, width: u16, height: u16) -> String {
    // The loop gives the app the terminal's size; paging reads it.
    app.size = ratatui::layout::Rect::new(0, 0, width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| super::view::draw(f, app)).unwrap();
    terminal.backend().to_string()
}

/// Snapshots a screen at both sizes into the top-level `snapshots/` folder.
pub(super) fn snap(name: &str, app: &mut App) {
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("{name}-100x30"), render(app, 100, 30));
        insta::assert_snapshot!(format!("{name}-80x24"), render(app, 80, 24));
    });
}

pub(super) fn open_incident(app: &mut App, id: &str) {
    press(app, KeyCode::Char('4'));
    let row = app
        .list
        .rows
        .iter()
        .position(|n| app.book.as_ref().unwrap().incidents[*n].id == id)
        .unwrap();
    app.list.selected = row;
    press(app, KeyCode::Enter);
    assert!(matches!(app.screen(), Screen::Detail { id: x, .. } if x == id));
}

pub(super) fn incident<'a>(app: &'a App, id: &str) -> &'a Incident {
    app.book.as_ref().unwrap().incident(id).unwrap()
}

fn saved(app: &mut App) -> bool {
    let saved = app.effects.iter().any(|e| matches!(e, Effect::Save));
    app.effects.clear();
    saved
}

/// Goes to a detail section by pressing Tab.
pub(super) fn section(app: &mut App, target: Section) {
    for _ in 0..Section::ALL.len() {
        if matches!(app.screen(), Screen::Detail { section, .. } if *section == target) {
            return;
        }
        press(app, KeyCode::Tab);
    }
    panic!("section {target:?} not reached");
}

#[test]
fn list_views_filter_and_sort() {
    let mut app = demo_app();
    snap("list-open", &mut app);
    let open = app.list.rows.len();
    press(&mut app, KeyCode::Char('4'));
    assert_eq!(
        app.list.rows.len(),
        app.book.as_ref().unwrap().incidents.len()
    );
    press(&mut app, KeyCode::Char('3'));
    assert!(app.list.rows.len() < app.book.as_ref().unwrap().incidents.len());
    press(&mut app, KeyCode::Char('2'));
    let due = app.list.rows.len();
    assert!(due > 0 && due <= open);
    snap("list-reviews-due", &mut app);
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('/'));
    keys(&mut app, "action fraud");
    assert!(app.list.filter.typing);
    assert!(!app.list.rows.is_empty());
    for n in &app.list.rows {
        let i = &app.book.as_ref().unwrap().incidents[*n];
        assert!(
            i.reports.iter().any(|r| r.agency == Agency::ActionFraud)
                || i.description.to_lowercase().contains("action fraud")
        );
    }
    snap("list-filtered", &mut app);
    press(&mut app, KeyCode::Esc);
    assert!(app.list.filter.text.is_empty());
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.list.sort, Sort::Risk);
    let book = app.book.as_ref().unwrap();
    let risks: Vec<RiskLevel> = app
        .list
        .rows
        .iter()
        .map(|n| book.incidents[*n].risk_level)
        .collect();
    assert!(risks.windows(2).all(|w| w[0] >= w[1]));
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.list.sort, Sort::NextReview);
    // Clearing the filter kept the selected incident: start from the top.
    press(&mut app, KeyCode::Char('g'));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.list.selected, 2);
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(app.list.selected, app.list.rows.len() - 1);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.list.selected, 0);
}

#[test]
fn help_comes_from_the_keymap_of_the_screen() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('?'));
    assert!(app.help.is_some());
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("filter as you type") && screen.contains("record a new incident"));
    snap("help-list", &mut app);
    press(&mut app, KeyCode::Char('x'));
    assert!(
        app.help.is_some(),
        "only Esc or the opening key closes help"
    );
    press(&mut app, KeyCode::Esc);
    assert!(app.help.is_none());
}

#[test]
fn detail_sections_and_entries() {
    let mut app = demo_app();
    open_incident(&mut app, "INC-2026-0002");
    snap("detail-summary", &mut app);
    for s in [
        Section::People,
        Section::Evidence,
        Section::Reporting,
        Section::Reviews,
        Section::Checklist,
        Section::History,
    ] {
        section(&mut app, s);
        snap(&format!("detail-{}", s.label().to_lowercase()), &mut app);
    }
    section(&mut app, Section::Reporting);
    press(&mut app, KeyCode::Enter);
    assert!(app.popup.is_some());
    snap("detail-entry-popup", &mut app);
    press(&mut app, KeyCode::Esc);
    assert!(app.popup.is_none());
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), &Screen::List);
}

#[test]
fn an_entered_in_error_incident_is_struck_through_but_visible() {
    let mut app = demo_app();
    open_incident(&mut app, "INC-2026-0018");
    assert!(incident(&app, "INC-2026-0018").error.is_some());
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("ENTERED IN ERROR"));
}

/// Tester5 #3: `x` on a case marked entered in error by mistake withdraws the mark, with
/// the mark's date, author and reason shown above the reason asked for.
#[test]
fn x_on_an_entered_in_error_incident_withdraws_the_mark() {
    let mut app = demo_app();
    open_incident(&mut app, "INC-2026-0018");
    press(&mut app, KeyCode::Char('x'));
    assert!(matches!(
        app.form.as_ref().unwrap().kind,
        FormKind::WithdrawError(_, ErrorTarget::Incident)
    ));
    snap("form-withdraw-error", &mut app);
    ctrl(&mut app, 's');
    assert!(app.form.as_ref().unwrap().fields[0].error.is_some());
    keys(&mut app, "It was the live case, not the duplicate");
    ctrl(&mut app, 's');
    assert!(app.form.is_none(), "{:?}", app.message);
    assert_eq!(incident(&app, "INC-2026-0018").error, None);
    let screen = render(&mut app, 100, 30);
    assert!(!screen.contains("ENTERED IN ERROR"), "{screen}");
}

#[test]
fn new_incident_refused_then_recorded() {
    let mut app = demo_app();
    let before = app.book.as_ref().unwrap().incidents.len();
    press(&mut app, KeyCode::Char('n'));
    assert!(matches!(
        app.form.as_ref().unwrap().kind,
        FormKind::NewIncident
    ));
    snap("form-new-incident", &mut app);
    // Submitting with the required fields empty is refused beside them.
    ctrl(&mut app, 's');
    let form = app.form.as_ref().unwrap();
    assert!(
        form.fields
            .iter()
            .any(|f| f.key == "description" && f.error.is_some())
    );
    snap("form-refused", &mut app);
    // An impossible date is refused on leaving the field.
    let form = app.form.as_mut().unwrap();
    form.focus = 0;
    form.fields[0].set_text("2026-02-30 10:00");
    tab(&mut app, 1);
    assert!(
        app.form.as_ref().unwrap().fields[0]
            .error
            .as_ref()
            .unwrap()
            .contains("not a date")
    );
    app.form.as_mut().unwrap().fields[0].set_text("2026-11-15 16:00");
    app.form.as_mut().unwrap().focus = 3;
    keys(&mut app, "Form tutor");
    press(&mut app, KeyCode::Tab);
    // The type picker filters as you type.
    press(&mut app, KeyCode::Enter);
    assert!(app.picker.is_some());
    keys(&mut app, "cyberb");
    snap("picker-incident-type", &mut app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.form.as_ref().unwrap().value("types"), "Cyberbullying");
    app.form.as_mut().unwrap().focus = 8;
    keys(&mut app, "Instagram");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "JB was sent messages calling him names.");
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form
            .as_ref()
            .map(|f| f.fields.iter().map(|f| f.error.clone()).collect::<Vec<_>>())
    );
    assert!(saved(&mut app));
    let book = app.book.as_ref().unwrap();
    assert_eq!(book.incidents.len(), before + 1);
    let new = book
        .incidents
        .iter()
        .find(|i| i.platform == "Instagram" && i.description.starts_with("JB"))
        .unwrap();
    assert_eq!(new.id, "INC-2026-0020");
    assert_eq!(new.recorded_by, "RO");
    assert!(
        !new.checklist.is_empty(),
        "the checklist comes from the type"
    );
    assert_eq!(new.reviews.len(), 1, "a first review is scheduled");
    assert_eq!(book.audit.last().unwrap().action, "recorded incident");
    book.verify_audit().unwrap();
    // Ctrl-S opened the incident it created, and the review in its diary is announced.
    assert!(
        matches!(app.screen(), Screen::Detail { id, section: Section::Summary, .. } if id == "INC-2026-0020")
    );
    let message = app.message.clone().unwrap();
    assert!(message.contains("Review RV-1 due 2026-11-30"), "{message}");
    snap("detail-new-incident-recorded", &mut app);
    press(&mut app, KeyCode::Esc);
    assert!(
        matches!(app.screen(), Screen::List),
        "Esc goes back to the list"
    );
}

#[test]
fn a_cancelled_review_reads_cancelled_and_is_not_offered_for_holding() {
    let mut app = demo_app();
    let id = "INC-2026-0019";
    let stamp = app.stamp();
    let rv = incident(&app, id).reviews[0].id.clone();
    app.book
        .as_mut()
        .unwrap()
        .cancel_review(&stamp, id, &rv, "Case moved to the police")
        .unwrap();
    open_incident(&mut app, id);
    section(&mut app, Section::Reviews);
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("cancelled"), "{screen}");
    assert!(!screen.contains("not yet held"), "{screen}");
    press(&mut app, KeyCode::Char('H'));
    assert!(app.form.is_none());
    assert_eq!(app.message.as_deref(), Some("Review RV-1 was cancelled."));
    // With no review pending, v schedules a new one rather than offering a move.
    press(&mut app, KeyCode::Char('v'));
    assert!(matches!(
        app.form.as_ref().unwrap().kind,
        FormKind::ScheduleReview(_)
    ));
}

#[test]
fn an_evidence_file_is_fingerprinted_where_it_is_and_odd_paths_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("screenshot.png");
    std::fs::write(&file, b"abc").unwrap();
    let mut app = demo_app();
    let (id, n) = app
        .book
        .as_ref()
        .unwrap()
        .incidents
        .iter()
        .filter(|i| i.status != Status::Closed)
        .find_map(|i| {
            Some((
                i.id.clone(),
                i.evidence.iter().position(|e| e.file.is_none())?,
            ))
        })
        .expect("the demo has an item with no file registered");
    let id = id.as_str();
    open_incident(&mut app, id);
    section(&mut app, Section::Evidence);
    if let Some(Screen::Detail { selected, .. }) = app.screens.last_mut() {
        *selected = n;
    }
    press(&mut app, KeyCode::Char('f'));
    snap("form-register-file", &mut app);
    // A folder is refused in one sentence beside the field; nothing is recorded.
    keys(&mut app, &dir.path().display().to_string());
    ctrl(&mut app, 's');
    run_fingerprint(&mut app);
    let error = app
        .form
        .as_ref()
        .unwrap()
        .field("path")
        .unwrap()
        .error
        .clone();
    assert!(
        error.as_deref().unwrap().contains("is a folder"),
        "{error:?}"
    );
    assert!(incident(&app, id).evidence[n].file.is_none());
    ctrl(&mut app, 'u');
    keys(&mut app, &format!("'{}'", file.display()));
    ctrl(&mut app, 's');
    // The file is read off the screen's thread: the form waits, saying so.
    assert!(
        app.form
            .as_ref()
            .and_then(|f| f.banner())
            .is_some_and(|b| b.starts_with("Hashing ")),
        "{:?}",
        app.form.as_ref().map(|f| f.banner())
    );
    assert!(incident(&app, id).evidence[n].file.is_none());
    run_fingerprint(&mut app);
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| &f.error)
    );
    let f = incident(&app, id).evidence[n].file.clone().unwrap();
    assert_eq!(
        f.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(f.size, 3);
    assert!(app.message.as_deref().unwrap().contains("3 bytes"));
    assert!(file.exists() && std::fs::read(&file).unwrap() == b"abc");
    assert!(saved(&mut app));
    // A second file for the same item is a new item, said before any path is asked.
    press(&mut app, KeyCode::Char('f'));
    assert!(app.form.is_none());
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .contains("already has its file")
    );
}

/// Runs the fingerprint the app asked for (`Effect::Fingerprint`) as the loop's thread
/// would, and gives the app the answer.
fn run_fingerprint(app: &mut App) {
    let pos = app
        .effects
        .iter()
        .position(|e| matches!(e, Effect::Fingerprint { .. }))
        .expect("a fingerprint asked for");
    if let Effect::Fingerprint { job, path } = app.effects.remove(pos) {
        app.fingerprinted(job, super::fingerprint::fingerprint(&path));
    }
}

/// Hashing a file (gigabytes, on a slow stick) froze the screen: it runs on a thread, and
/// an answer that comes after the form was closed, or its path changed, records nothing.
#[test]
fn a_file_is_hashed_off_the_screen_thread_and_a_stale_answer_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("photo.jpg");
    std::fs::write(&file, b"abc").unwrap();
    let mut app = demo_app();
    let (id, n) = app
        .book
        .as_ref()
        .unwrap()
        .incidents
        .iter()
        .filter(|i| i.status != Status::Closed && i.error.is_none())
        .find_map(|i| {
            Some((
                i.id.clone(),
                i.evidence.iter().position(|e| e.file.is_none())?,
            ))
        })
        .expect("an item with no file");
    let ev = incident(&app, &id).evidence[n].id.clone();
    let open = |app: &mut App| {
        app.form = Some(super::forms::register_file(&id, &ev));
        keys(app, &file.display().to_string());
        ctrl(app, 's');
    };
    // The path changed while it was read: nothing is registered, and it says so.
    open(&mut app);
    keys(&mut app, "x");
    run_fingerprint(&mut app);
    assert!(incident(&app, &id).evidence[n].file.is_none());
    assert!(
        app.form
            .as_ref()
            .unwrap()
            .banner()
            .unwrap()
            .contains("nothing was registered")
    );
    // The form was discarded while it was read: nothing is registered.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    open(&mut app);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(app.form.is_none());
    run_fingerprint(&mut app);
    assert!(incident(&app, &id).evidence[n].file.is_none());
    // Asked twice: only the answer to the last is used.
    open(&mut app);
    ctrl(&mut app, 's');
    let answers: Vec<_> = app
        .effects
        .drain(..)
        .filter_map(|e| match e {
            Effect::Fingerprint { job, path } => Some((job, path)),
            _ => None,
        })
        .collect();
    assert_eq!(answers.len(), 2);
    let (old, path) = answers[0].clone();
    app.fingerprinted(old, super::fingerprint::fingerprint(&path));
    assert!(incident(&app, &id).evidence[n].file.is_none());
    let (new, path) = answers[1].clone();
    app.fingerprinted(new, super::fingerprint::fingerprint(&path));
    assert_eq!(
        incident(&app, &id).evidence[n].file.as_ref().unwrap().size,
        3
    );
}

#[test]
fn esc_on_a_changed_form_asks_before_discarding() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    app.form.as_mut().unwrap().focus = 3;
    keys(&mut app, "x");
    press(&mut app, KeyCode::Esc);
    assert!(app.form.as_ref().unwrap().confirm_discard);
    snap("dialog-discard", &mut app);
    press(&mut app, KeyCode::Char('n'));
    assert!(app.form.is_some());
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(app.form.is_none());
}

#[test]
fn evidence_reporting_reviews_and_checklist() {
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    let evidence = incident(&app, id).evidence.len();
    press(&mut app, KeyCode::Char('e'));
    snap("form-evidence", &mut app);
    tab(&mut app, 1);
    keys(&mut app, "Voice note transcript");
    tab(&mut app, 4);
    keys(&mut app, "Safeguarding safe, envelope 31");
    ctrl(&mut app, 's');
    assert!(app.form.is_none());
    assert_eq!(incident(&app, id).evidence.len(), evidence + 1);
    assert!(saved(&mut app));

    // Action Fraud always gives a reference: without one the step is refused beside it.
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "action");
    press(&mut app, KeyCode::Enter);
    let form = app.form.as_ref().unwrap();
    assert!(
        form.notice.as_ref().unwrap().contains("NFRC"),
        "{:?}",
        form.notice
    );
    snap("form-report-action-fraud", &mut app);
    ctrl(&mut app, 's');
    let form = app.form.as_ref().unwrap();
    assert!(
        form.field("reference")
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .contains("always gives a reference")
    );
    let reports = incident(&app, id).reports.len();
    let form = app.form.as_mut().unwrap();
    form.focus = form
        .fields
        .iter()
        .position(|f| f.key == "reference")
        .unwrap();
    keys(&mut app, "NFRC2611230001");
    ctrl(&mut app, 's');
    assert!(app.form.is_none());
    let step = incident(&app, id).reports.last().unwrap().clone();
    assert_eq!(
        (step.agency, step.reference.as_str(), reports + 1),
        (
            Agency::ActionFraud,
            "NFRC2611230001",
            incident(&app, id).reports.len()
        )
    );

    // A decision not to refer needs its reason.
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "children");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "considered");
    press(&mut app, KeyCode::Enter);
    ctrl(&mut app, 's');
    assert!(
        app.form
            .as_ref()
            .unwrap()
            .field("reason")
            .unwrap()
            .error
            .is_some()
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));

    // Reviews: v on a case whose review is not yet held moves that review (audited as a
    // reschedule) rather than adding a second beside it; adding another stays possible.
    section(&mut app, Section::Reviews);
    let reviews = incident(&app, id).reviews.len();
    let pending = incident(&app, id)
        .reviews
        .iter()
        .find(|r| r.held.is_none() && r.cancelled.is_none())
        .unwrap()
        .clone();
    press(&mut app, KeyCode::Char('v'));
    snap("form-schedule-review", &mut app);
    // Saving the date it already has is refused with the reason.
    ctrl(&mut app, 's');
    let error = app
        .form
        .as_ref()
        .unwrap()
        .field("due")
        .unwrap()
        .error
        .clone();
    assert!(error.unwrap().contains("already due on"));
    keys(&mut app, "+20");
    // A move needs its reason (tester4 #21), said beside the field.
    ctrl(&mut app, 's');
    let error = app
        .form
        .as_ref()
        .unwrap()
        .field("reason")
        .unwrap()
        .error
        .clone();
    assert!(error.unwrap().contains("why the review is moved"));
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "Parents away until then");
    ctrl(&mut app, 's');
    assert!(app.form.is_none());
    assert_eq!(
        incident(&app, id).reviews.len(),
        reviews,
        "moved, not added"
    );
    let moved = incident(&app, id)
        .reviews
        .iter()
        .find(|r| r.id == pending.id)
        .unwrap();
    assert!(moved.due > pending.due);
    assert_eq!(moved.moves[0].reason, "Parents away until then");
    assert!(app.message.as_deref().unwrap().contains("moved to"));
    let last = app.book.as_ref().unwrap().audit.last().unwrap();
    assert!(
        last.action.contains("rescheduled review"),
        "{}",
        last.action
    );
    press(&mut app, KeyCode::Char('v'));
    keys(&mut app, "+20");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 's');
    assert!(app.form.is_none());
    assert_eq!(incident(&app, id).reviews.len(), reviews + 1);
    let open_review = incident(&app, id)
        .reviews
        .iter()
        .position(|r| r.held.is_none())
        .unwrap();
    if let Some(Screen::Detail { selected, .. }) = app.screens.last_mut() {
        *selected = open_review;
    }
    press(&mut app, KeyCode::Char('H'));
    snap("form-hold-review", &mut app);
    tab(&mut app, 2);
    keys(&mut app, "Theo reports no further messages.");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "low");
    press(&mut app, KeyCode::Enter);
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form
            .as_ref()
            .map(|f| f.fields.iter().map(|f| f.error.clone()).collect::<Vec<_>>())
    );
    let inc = incident(&app, id);
    assert!(inc.reviews[open_review].held.is_some());
    assert_eq!(inc.status, Status::Monitoring);
    assert_eq!(
        inc.reviews.len(),
        reviews + 2,
        "continue monitoring schedules the next review"
    );

    // Checklist: tick, and not applicable with a reason.
    section(&mut app, Section::Checklist);
    let open_step = incident(&app, id)
        .checklist
        .iter()
        .position(|c| c.state == StepState::Open)
        .unwrap();
    if let Some(Screen::Detail { selected, .. }) = app.screens.last_mut() {
        *selected = open_step;
    }
    press(&mut app, KeyCode::Char(' '));
    assert!(
        matches!(&incident(&app, id).checklist[open_step].state, StepState::Done { by, .. } if by == "RO")
    );
    let next_step = incident(&app, id)
        .checklist
        .iter()
        .position(|c| c.state == StepState::Open)
        .unwrap();
    if let Some(Screen::Detail { selected, .. }) = app.screens.last_mut() {
        *selected = next_step;
    }
    press(&mut app, KeyCode::Char('N'));
    snap("form-not-applicable", &mut app);
    keys(&mut app, "No platform account involved");
    ctrl(&mut app, 's');
    assert!(matches!(
        &incident(&app, id).checklist[next_step].state,
        StepState::NotApplicable { .. }
    ));
    app.book.as_ref().unwrap().verify_audit().unwrap();
}

#[test]
fn imagery_types_show_the_never_copy_rule() {
    let mut app = demo_app();
    let imagery = app
        .book
        .as_ref()
        .unwrap()
        .incidents
        .iter()
        .find(|i| i.types.contains(&IncidentType::NudeImageSharing) && i.status != Status::Closed)
        .unwrap()
        .id
        .clone();
    open_incident(&mut app, &imagery);
    press(&mut app, KeyCode::Char('e'));
    let form = app.form.as_ref().unwrap();
    assert!(form.notice.as_ref().unwrap().contains("Never view, copy"));
    assert!(
        form.field("kept_at")
            .unwrap()
            .label
            .contains("never a copy")
    );
    snap("form-evidence-imagery", &mut app);
}

#[test]
fn people_link_register_and_chronology() {
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    let people = app.book.as_ref().unwrap().people.len();
    press(&mut app, KeyCode::Char('p'));
    snap("form-link-person", &mut app);
    tab(&mut app, 1);
    keys(&mut app, "Sam T. (Y7)");
    ctrl(&mut app, 's');
    assert!(app.form.is_none());
    assert_eq!(app.book.as_ref().unwrap().people.len(), people + 1);
    let linked = incident(&app, id).people.last().unwrap().clone();
    assert_eq!(
        app.book
            .as_ref()
            .unwrap()
            .person(&linked.person)
            .unwrap()
            .reference,
        "Sam T. (Y7)"
    );
    // Link an existing person, chosen in the picker.
    press(&mut app, KeyCode::Char('p'));
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "P-0001");
    press(&mut app, KeyCode::Enter);
    app.form.as_mut().unwrap().focus = 4;
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "witness");
    press(&mut app, KeyCode::Enter);
    ctrl(&mut app, 's');
    assert!(
        incident(&app, id)
            .people
            .iter()
            .any(|p| p.person == "P-0001" && p.role == Role::Witness)
    );

    section(&mut app, Section::People);
    press(&mut app, KeyCode::Char('C'));
    assert!(matches!(app.screen(), Screen::Chronology { .. }));
    snap("chronology", &mut app);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('P'));
    assert!(matches!(app.screen(), Screen::People { .. }));
    snap("people-register", &mut app);
    press(&mut app, KeyCode::Char('a'));
    keys(&mut app, "Mia W. (Y10)");
    ctrl(&mut app, 's');
    assert_eq!(app.book.as_ref().unwrap().people.len(), people + 2);
}

#[test]
fn close_reopen_and_entered_in_error() {
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    press(&mut app, KeyCode::Char('c'));
    snap("form-close", &mut app);
    ctrl(&mut app, 's');
    assert!(
        app.form.as_ref().unwrap().fields[0].error.is_some(),
        "closing needs an outcome"
    );
    keys(
        &mut app,
        "Senders identified; apology and restorative meeting held.",
    );
    ctrl(&mut app, 's');
    // Unfinished work is listed and must be confirmed: the refusal is marked on the toggle
    // while focus stays where the person left it, so Tab goes to it.
    let form = app
        .form
        .as_ref()
        .expect("closing with unfinished work asks first");
    let warning = form.field("confirm").and_then(|f| f.error.clone());
    assert!(
        warning.as_deref().is_some_and(|w| w.contains("unfinished")),
        "{warning:?}"
    );
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 's');
    assert_eq!(incident(&app, id).status, Status::Closed);
    // A closed case refuses changes until re-opened.
    press(&mut app, KeyCode::Char('e'));
    assert!(app.form.is_none());
    assert!(app.message.as_ref().unwrap().contains("re-open"));
    press(&mut app, KeyCode::Char('o'));
    keys(&mut app, "Further messages reported by parent");
    ctrl(&mut app, 's');
    assert_eq!(incident(&app, id).status, Status::Open);
    assert!(incident(&app, id).closure.is_none());

    section(&mut app, Section::Evidence);
    press(&mut app, KeyCode::Char('x'));
    snap("form-entered-in-error", &mut app);
    // The item being struck out is named, not the incident's summary (tester finding 35).
    let item = &incident(&app, id).evidence[0];
    let notice = app.form.as_ref().unwrap().notice.clone().unwrap();
    assert!(
        notice.starts_with(&format!("{}: ", item.id))
            && notice.contains(crate::present::first_line(&item.description)),
        "{notice}"
    );
    keys(&mut app, "Screenshot belongs to another incident");
    ctrl(&mut app, 's');
    let ev = &incident(&app, id).evidence[0];
    assert!(ev.error.is_some(), "marked, not deleted");
    let history = app
        .book
        .as_ref()
        .unwrap()
        .audit
        .iter()
        .rev()
        .take(3)
        .map(|e| e.action.clone())
        .collect::<Vec<_>>();
    assert!(
        history.iter().any(|a| a.contains("entered in error")),
        "{history:?}"
    );
    app.book.as_ref().unwrap().verify_audit().unwrap();
}

#[test]
fn settings_form_saves_through_the_trail() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('S'));
    snap("form-settings", &mut app);
    let form = app.form.as_mut().unwrap();
    let i = form
        .fields
        .iter()
        .position(|f| f.key == "idle_lock_minutes")
        .unwrap();
    form.fields[i].set_text("10");
    ctrl(&mut app, 's');
    assert_eq!(app.book.as_ref().unwrap().settings.idle_lock_minutes, 10);
    assert_eq!(
        app.book.as_ref().unwrap().audit.last().unwrap().subject,
        Subject::Settings
    );
}

#[test]
fn idle_lock_drops_the_records_and_ctrl_l_locks() {
    let mut app = demo_app();
    app.tick(now() + chrono::Duration::minutes(4));
    assert!(app.effects.is_empty());
    app.tick(now() + chrono::Duration::minutes(5));
    assert!(matches!(app.effects.as_slice(), [Effect::Lock]));
    app.effects.clear();
    app.locked(Some(vec![1, 2, 3]));
    assert!(app.book.is_none() && app.form.is_none() && app.phase == Phase::Unlock);
    let screen = render(&mut app, 100, 30);
    assert!(!screen.contains("INC-"), "no record shows while locked");
    app.unlock.identity = None;
    snap("unlock-with-draft", &mut app);
    keys(&mut app, "secret words");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.phase, Phase::Unlocking);
    assert!(matches!(app.effects.as_slice(), [Effect::Unlock(s)] if s.as_str() == "secret words"));
    snap("unlocking", &mut app);
    app.effects.clear();
    app.unlocked(Err(
        "Wrong passphrase or not this logbook's key: try again.".into(),
    ));
    assert_eq!(app.phase, Phase::Unlock);
    snap("unlock-wrong", &mut app);

    let mut app = demo_app();
    ctrl(&mut app, 'l');
    assert!(matches!(app.effects.as_slice(), [Effect::Lock]));
}

#[test]
fn esc_on_the_lock_screen_asks_first_when_a_draft_is_kept() {
    // Tester finding: Esc on the lock screen quit at once, losing the kept draft.
    let mut app = demo_app();
    ctrl(&mut app, 'l');
    app.effects.clear();
    app.locked(Some(vec![1, 2, 3]));
    press(&mut app, KeyCode::Esc);
    assert!(!app.quitting, "the first Esc only warns");
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .contains("form you were filling in is lost")
    );
    keys(&mut app, "a");
    press(&mut app, KeyCode::Esc);
    assert!(!app.quitting, "a key in between takes the warning back");
    press(&mut app, KeyCode::Esc);
    assert!(app.quitting, "Esc twice quits");

    // No draft: Esc quits at once, as before.
    let mut app = demo_app();
    ctrl(&mut app, 'l');
    app.locked(None);
    press(&mut app, KeyCode::Esc);
    assert!(app.quitting);
}

#[test]
fn the_lock_box_shows_a_wrong_passphrase_and_the_draft_note_whole_at_80x24() {
    let mut app = demo_app();
    ctrl(&mut app, 'l');
    app.locked(Some(vec![1]));
    app.unlocked(Err(
        "Wrong passphrase or not this logbook's key: try again.".into(),
    ));
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("reopens after"), "{screen}");
}

#[test]
fn unlock_then_choose_who_is_recording() {
    let mut app = App::new("logbook.age".into(), now());
    snap("unlock", &mut app);
    let book = crate::demo::logbook().unwrap();
    app.unlocked(Ok((book, None)));
    assert_eq!(app.phase, Phase::ChooseWho);
    snap("choose-who", &mut app);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.phase, Phase::Ready);
    assert_eq!(app.who, "KW");
}

/// Tester finding 32: F1 in a form listed Tab, Ctrl-S and Esc but none of the keys the
/// fields take for their text (the README's readline keys), the tick box's Space, Enter
/// for a new line, or that typing replaces a pre-filled date.
#[test]
fn f1_in_a_form_lists_the_text_editing_keys() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::F(1));
    let screen = render(&mut app, 100, 80);
    for want in [
        "Ctrl-A Home",
        "Ctrl-E End",
        "Ctrl-U",
        "Ctrl-K",
        "Ctrl-W Alt-Backspace",
        "Alt-B",
        "Alt-F",
        "← ",
        "→ ",
        "Backspace",
        "Delete",
        "on a tick box: tick or untick it",
        "in a multi-line field: a new line",
        "replaced by the first key typed",
        "lock now",
    ] {
        assert!(screen.contains(want), "{want} missing from:\n{screen}");
    }
}

/// Tester finding 19: the set-up form's help offered "Ctrl-L lock now", which does
/// nothing there: there is no logbook to lock yet.
#[test]
fn the_setup_forms_help_offers_no_lock() {
    let mut app = App::new("logbook.age".into(), now());
    app.phase = Phase::Setup;
    app.form = Some(super::app::setup_form());
    press(&mut app, KeyCode::F(1));
    let screen = render(&mut app, 100, 80);
    assert!(!screen.contains("lock now"), "{screen}");
    assert!(!screen.contains("Ctrl-L"), "{screen}");
    assert!(
        screen.contains("Ctrl-S") && screen.contains("Ctrl-U"),
        "{screen}"
    );
}

/// Tester finding 39: the start-up "Who is recording?" picker offered "Esc cancel", which
/// does nothing there (someone must record); switching recorder later can still be left.
#[test]
fn the_start_up_recorder_picker_offers_no_esc() {
    let mut app = App::new("logbook.age".into(), now());
    let book = crate::demo::logbook().unwrap();
    app.unlocked(Ok((book, None)));
    assert_eq!(app.phase, Phase::ChooseWho);
    let screen = render(&mut app, 100, 30);
    assert!(
        screen.contains("type your name or choose, then Enter"),
        "{screen}"
    );
    assert!(!screen.contains("Esc"), "{screen}");
    press(&mut app, KeyCode::F(1));
    let screen = render(&mut app, 100, 30);
    assert!(
        !screen.contains("Esc cancel") && !screen.contains("cancel"),
        "{screen}"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.phase, Phase::ChooseWho, "Esc does not leave it");
    // Switching later (W) may be called off: there Esc is offered.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.phase, Phase::Ready);
    press(&mut app, KeyCode::Char('W'));
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("Esc cancel"), "{screen}");
}

/// Tester finding 46: discarding a typed-in set-up (Esc, y) left an empty screen that no
/// key left, not even q. It quits, as Esc on an untouched set-up does.
#[test]
fn discarding_the_first_run_setup_quits() {
    let mut app = App::new("logbook.age".into(), now());
    app.phase = Phase::Setup;
    app.form = Some(super::app::setup_form());
    keys(&mut app, "Org");
    press(&mut app, KeyCode::Esc);
    assert!(app.form.as_ref().unwrap().confirm_discard);
    keys(&mut app, "y");
    assert!(app.form.is_none());
    assert!(
        app.effects
            .iter()
            .any(|e| matches!(e, super::app::Effect::Quit)),
        "quits"
    );
}

#[test]
fn first_run_setup_checks_the_passphrase() {
    let mut app = App::new("logbook.age".into(), now());
    app.phase = Phase::Setup;
    app.form = Some(super::app::setup_form());
    let focus = |app: &App| {
        let form = app.form.as_ref().unwrap();
        form.fields[form.focus].key
    };
    keys(&mut app, "Northfield Primary");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "RO");
    press(&mut app, KeyCode::Tab);
    // The key-file choice comes before the passphrase fields.
    assert_eq!(focus(&app), "identity");
    press(&mut app, KeyCode::Tab);
    assert_eq!(focus(&app), "passphrase");
    keys(&mut app, "password");
    // Issue 8 defect 2: strength shows while typing, from a real estimator...
    assert!(render(&mut app, 100, 30).contains("strength: very weak"));
    snap("setup", &mut app);
    ctrl(&mut app, 's');
    // ... and a guessable passphrase is refused, saying what would do.
    let form = app.form.as_ref().unwrap();
    let error = form.field("passphrase").unwrap().error.as_ref().unwrap();
    assert!(error.contains("four or more random"), "{error}");
    assert_eq!(focus(&app), "passphrase", "focus stays after a refusal");
    assert!(app.effects.is_empty());

    ctrl(&mut app, 'u');
    keys(&mut app, "lantern orbit velvet cabbage");
    assert!(render(&mut app, 100, 30).contains("strength: strong"));
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "lantern orbit velvet cabbages");
    ctrl(&mut app, 's');
    assert!(
        app.form
            .as_ref()
            .unwrap()
            .field("repeat")
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .contains("differ")
    );
    assert_eq!(focus(&app), "repeat", "focus stays after a refusal");
    snap("setup-refused", &mut app);
    // The refused repeat is selected (tester4 #13): typing it again replaces it, rather
    // than appending to a secret that cannot be seen.
    keys(&mut app, "lantern orbit velvet cabbage");
    assert_eq!(
        app.form.as_ref().unwrap().value("repeat"),
        "lantern orbit velvet cabbage"
    );
    ctrl(&mut app, 's');
    assert!(matches!(app.effects.as_slice(), [Effect::Create { .. }]));
    // Tester finding: seconds of key derivation with no sign of work, under the old
    // "Not saved" banner.
    assert!(app.creating);
    assert!(
        app.form.as_ref().unwrap().error.is_none(),
        "the old banner goes"
    );
    snap("setup-creating", &mut app);
    assert!(render(&mut app, 80, 24).contains("Creating the logbook…"));
    app.effects.clear();
    ctrl(&mut app, 's');
    assert!(app.effects.is_empty(), "keys wait while it is created");
}

#[test]
fn a_passphrase_typed_into_the_key_file_field_is_not_shown() {
    // Issue 8 defect 3: after a refusal moved focus, Tab landed on the key-file field,
    // which showed the passphrase in clear.
    let mut app = App::new("logbook.age".into(), now());
    app.phase = Phase::Setup;
    app.form = Some(super::app::setup_form());
    tab(&mut app, 3);
    keys(&mut app, "lantern orbit velvet cabbage");
    press(&mut app, KeyCode::BackTab);
    keys(&mut app, "lantern orb");
    let screen = render(&mut app, 100, 30);
    assert!(!screen.contains("lantern"), "{screen}");
    assert!(
        screen.contains("hidden: this looks like the passphrase"),
        "{screen}"
    );
}

#[test]
fn quit_and_text_from_the_logbook_is_drawn_escaped() {
    let mut book = crate::demo::logbook().unwrap();
    let stamp = Stamp::new(
        "RO",
        chrono::DateTime::parse_from_rfc3339("2026-11-16T09:00:00+00:00").unwrap(),
    );
    let id = book.incidents[0].id.clone();
    book.update_incident(&stamp, &id, "edited", |i| {
        i.platform = "\u{1b}]52;c;aGk=\u{7}\u{202e}Snap".into();
    })
    .unwrap();
    let mut app = App::ready("logbook.age".into(), now(), book, "RO".into());
    press(&mut app, KeyCode::Char('4'));
    open_incident(&mut app, &id);
    let screen = render(&mut app, 100, 30);
    assert!(
        screen.contains("\\e]52;c;aGk=\\x07\\u{202e}Snap"),
        "{screen}"
    );
    press(&mut app, KeyCode::Char('q'));
    assert!(app.quitting);
}

#[test]
fn a_reference_that_arrives_later_and_a_custody_event_are_recorded_with_history() {
    let mut app = demo_app();
    let id = app
        .book
        .as_ref()
        .unwrap()
        .incidents
        .iter()
        .rev()
        .find(|i| i.status != Status::Closed && !i.reports.is_empty() && !i.evidence.is_empty())
        .unwrap()
        .id
        .clone();
    let id = id.as_str();
    open_incident(&mut app, id);
    section(&mut app, Section::Reporting);
    let before = incident(&app, id).reports[0].clone();
    press(&mut app, KeyCode::Char('E'));
    assert!(
        matches!(&app.form.as_ref().unwrap().kind, FormKind::EditReport(_, rs) if rs == &before.id)
    );
    snap("form-edit-report", &mut app);
    let form = app.form.as_mut().unwrap();
    let i = form.fields.iter().position(|f| f.key == "outcome").unwrap();
    form.fields[i].set_text("Platform removed the voice note");
    ctrl(&mut app, 's');
    assert!(app.form.is_none());
    assert_eq!(
        incident(&app, id).reports[0].outcome,
        "Platform removed the voice note"
    );
    let entry = app.book.as_ref().unwrap().audit.last().unwrap();
    let change = entry
        .changes
        .iter()
        .find(|c| c.field.ends_with(".outcome"))
        .unwrap();
    assert_eq!(
        (change.old.as_str(), change.new.as_str()),
        (before.outcome.as_str(), "Platform removed the voice note")
    );

    section(&mut app, Section::Evidence);
    press(&mut app, KeyCode::Char('E'));
    let form = app.form.as_mut().unwrap();
    let i = form.fields.iter().position(|f| f.key == "custody").unwrap();
    form.fields[i].set_text("Handed to PC 2231 Hale");
    ctrl(&mut app, 's');
    assert_eq!(
        incident(&app, id).evidence[0].custody.last().unwrap().event,
        "Handed to PC 2231 Hale"
    );
    app.book.as_ref().unwrap().verify_audit().unwrap();
}

#[test]
fn the_backup_dialog_at_each_step_and_the_status_bar_warning() {
    let mut app = demo_app();
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("not backed up yet: B"), "{screen}");
    press(&mut app, KeyCode::Char('B'));
    assert!(matches!(app.effects.as_slice(), [Effect::FindVolumes]));
    app.effects.clear();
    app.volumes_found(vec![(
        "/media/dsl/SAFE-USB (/dev/sdb1)".into(),
        "/media/dsl/SAFE-USB".into(),
    )]);
    snap("backup-choose", &mut app);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(&app.backup, Some(BackupStep::Choose { folder, .. }) if folder.error.is_some()),
        "an empty folder is refused"
    );
    keys(&mut app, "/mnt/backups");
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.effects.as_slice(), [Effect::Backup(p)] if p.to_str() == Some("/media/dsl/SAFE-USB"))
    );
    app.effects.clear();
    if let Some(BackupStep::Running { total, .. }) = &mut app.backup {
        *total = 1000;
    }
    app.backup_progress("Writing", 400);
    snap("backup-running", &mut app);
    press(&mut app, KeyCode::Esc);
    assert!(
        matches!(app.backup, Some(BackupStep::Running { .. })),
        "a running backup is not interrupted"
    );
    let audit = app.book.as_ref().unwrap().audit.len();
    app.backed_up(
        Ok(("logbook-20261116-090000.age".into(), "/media/dsl/SAFE-USB/logbook-20261116-090000.age written and verified: 30 incidents.\n\nBackups on this medium, with what the logbook added since (its history unchanged):\n  logbook-20261116-090000.age  verified  just written\n  logbook-20261109-083000.age  verified  +12 entries since\n\nEverything is written to the medium: eject it before unplugging it.".into())),
        None,
    );
    assert!(saved(&mut app));
    assert_eq!(
        app.book.as_ref().unwrap().audit.len(),
        audit + 1,
        "the backup is recorded in the trail"
    );
    app.book.as_ref().unwrap().verify_audit().unwrap();
    snap("backup-done", &mut app);
    press(&mut app, KeyCode::Enter);
    assert!(app.backup.is_none());
    assert!(render(&mut app, 100, 30).contains("backed up today"));
    app.tick(now() + chrono::Duration::days(8));
    app.effects.clear();
    let (text, warn) = app.backup_status();
    assert!(warn && text.contains("8 days ago"), "{text}");

    press(&mut app, KeyCode::Char('B'));
    app.volumes_found(Vec::new());
    snap("backup-no-medium", &mut app);
    keys(&mut app, "/nowhere");
    press(&mut app, KeyCode::Enter);
    app.effects.clear();
    app.backed_up(Err("The folder /nowhere does not exist, so backing up to /nowhere failed: create it or choose another path.".into()), None);
    snap("backup-failed", &mut app);
}

#[test]
fn people_are_edited_or_marked_in_error_and_incidents_linked() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('P'));
    press(&mut app, KeyCode::Char('E'));
    assert!(matches!(&app.form.as_ref().unwrap().kind, FormKind::EditPerson(id) if id == "P-0001"));
    snap("form-edit-person", &mut app);
    let form = app.form.as_mut().unwrap();
    form.fields[0].set_text("Jayden B. (Y10)");
    ctrl(&mut app, 's');
    let book = app.book.as_ref().unwrap();
    assert_eq!(book.person("P-0001").unwrap().reference, "Jayden B. (Y10)");
    let entry = book.audit.last().unwrap();
    assert_eq!(entry.subject, Subject::Person("P-0001".into()));
    assert!(
        entry
            .changes
            .iter()
            .any(|c| c.field == "reference" && c.new == "Jayden B. (Y10)")
    );
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('x'));
    keys(&mut app, "Duplicate of P-0001");
    ctrl(&mut app, 's');
    assert!(
        app.book
            .as_ref()
            .unwrap()
            .person("P-0002")
            .unwrap()
            .error
            .is_some()
    );
    press(&mut app, KeyCode::Esc);

    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    press(&mut app, KeyCode::Char('L'));
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "INC-2026-0017");
    snap("picker-related", &mut app);
    press(&mut app, KeyCode::Enter);
    ctrl(&mut app, 's');
    assert!(
        incident(&app, id)
            .related
            .contains(&"INC-2026-0017".to_string())
    );
    app.book.as_ref().unwrap().verify_audit().unwrap();
}

#[test]
fn a_failed_save_is_shown_kept_and_retried_with_r() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('R'));
    assert!(app.effects.is_empty() && app.message.as_ref().unwrap().contains("Nothing to retry"));
    app.saved(Err("The disk is full while saving logbook.age: free some space and try again (nothing was changed).".into()));
    assert!(render(&mut app, 100, 30).contains("NOT SAVED"));
    press(&mut app, KeyCode::Char('R'));
    assert!(matches!(app.effects.as_slice(), [Effect::Save]));
}

/// Locks with the form open and unlocks again, as the loop does: the draft is captured
/// and the form rebuilt from it.
fn lock_and_restore(app: &mut App) {
    let draft = super::draft::capture(app.form.as_ref().unwrap(), &app.who);
    let book = app.book.clone().unwrap();
    app.form = super::draft::restore(draft, &book, &app.who, app.now);
}

#[test]
fn text_typed_after_unlocking_goes_after_the_old_text() {
    // Issue 8 defect 1: the restored editor put the cursor at the start, so BBB went in
    // front of AAA and "BBBAAA" was saved into the trail.
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    press(&mut app, KeyCode::Char('c'));
    keys(&mut app, "AAA");
    lock_and_restore(&mut app);
    keys(&mut app, "BBB");
    assert_eq!(app.form.as_ref().unwrap().value("outcome"), "AAABBB");

    // The same in the E form, on a multi-line field away from the first.
    let mut app = demo_app();
    open_incident(&mut app, id);
    press(&mut app, KeyCode::Char('E'));
    let form = app.form.as_mut().unwrap();
    form.focus = form
        .fields
        .iter()
        .position(|f| f.key == "platform")
        .unwrap();
    let before = form.value("platform");
    keys(&mut app, "AAA");
    lock_and_restore(&mut app);
    keys(&mut app, "BBB");
    assert_eq!(
        app.form.as_ref().unwrap().value("platform"),
        format!("{before}AAABBB")
    );
}

#[test]
fn editing_one_field_leaves_text_nobody_touched_byte_identical() {
    // Issue 10 item 1: the editor held the escaped display form, so saving wrote the
    // literal text `\u{200f}` and `\r` and the trail credited the person with the edit.
    let mut book = crate::demo::logbook().unwrap();
    let stamp = Stamp::new(
        "RO",
        chrono::DateTime::parse_from_rfc3339("2026-11-16T09:00:00+00:00").unwrap(),
    );
    let id = "INC-2026-0019";
    let description = "He wrote \u{200f}مرحبا\r\nthen  \r\n  ".to_string();
    book.update_incident(&stamp, id, "imported", |i| {
        i.description = description.clone();
    })
    .unwrap();
    let mut app = App::ready("logbook.age".into(), now(), book, "RO".into());
    open_incident(&mut app, id);
    let risk = incident(&app, id).risk_level;
    press(&mut app, KeyCode::Char('E'));
    let at = app
        .form
        .as_ref()
        .unwrap()
        .fields
        .iter()
        .position(|f| f.key == "risk_level")
        .unwrap();
    tab(&mut app, at);
    press(&mut app, KeyCode::Enter);
    assert!(app.picker.is_some());
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    ctrl(&mut app, 's');
    assert!(app.form.is_none(), "saved: {:?}", app.message);
    assert_ne!(incident(&app, id).risk_level, risk);
    assert_eq!(incident(&app, id).description, description);
    let last = app.book.as_ref().unwrap().audit.last().unwrap();
    let fields: Vec<&str> = last.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(
        fields,
        ["risk_level"],
        "only the risk is credited as changed"
    );
}

#[test]
fn form_keys_ctrl_u_clears_and_typing_replaces_a_prefilled_date() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    // The first field is "when it happened", pre-filled with now.
    keys(&mut app, "2026-11-01 08:15");
    assert_eq!(
        app.form.as_ref().unwrap().value("occurred"),
        "2026-11-01 08:15"
    );
    ctrl(&mut app, 'u');
    assert_eq!(app.form.as_ref().unwrap().value("occurred"), "");
    // Passing through a pre-filled date and back leaves it replaceable.
    tab(&mut app, 3);
    press(&mut app, KeyCode::BackTab);
    keys(&mut app, "2026-11-02 10:00");
    assert_eq!(
        app.form.as_ref().unwrap().value("reported"),
        "2026-11-02 10:00"
    );
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "Form tutor");
    ctrl(&mut app, 'w');
    keys(&mut app, "teacher");
    assert_eq!(
        app.form.as_ref().unwrap().value("reported_by"),
        "Form teacher"
    );
}

#[test]
fn quit_waits_for_the_save_and_never_loses_a_failed_one_silently() {
    // Issue 8 defect 4: q straight after a change whose save then failed exited 0.
    let mut app = demo_app();
    app.saving();
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.quitting, "a save on its way is waited for");
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .contains("quits once it is on disk")
    );
    app.saved(Err("The disk is full while saving logbook.age.".into()));
    assert!(!app.quitting, "a failed save stops the quit");
    let screen = render(&mut app, 100, 30);
    assert!(status_bar(&screen).contains("NOT SAVED"), "{screen}");
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .contains("Not saved, so not quitting")
    );
    press(&mut app, KeyCode::Char('q'));
    assert!(app.quitting, "the second q, after the warning, quits");

    // A save that succeeds lets the quit go through.
    let mut app = demo_app();
    app.saving();
    press(&mut app, KeyCode::Char('q'));
    app.saved(Ok(()));
    assert!(app.quitting);

    // A failed save with nothing pending: warned first, then quits.
    let mut app = demo_app();
    app.saved(Err("The disk is full.".into()));
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.quitting && app.quit_warned);
    press(&mut app, KeyCode::Char('q'));
    assert!(app.quitting);
}

#[test]
fn a_save_whose_folder_was_not_flushed_reads_as_saved_with_a_warning() {
    // Issue 10 item 2: after the rename the new file is the logbook; "NOT SAVED" would be
    // false, and quitting must not be held up as if the change were lost.
    let mut app = demo_app();
    app.saving();
    press(&mut app, KeyCode::Char('q'));
    app.saved_unflushed(
        "logbook.age was saved, but the folder could not be flushed: the change may not survive a power cut.".into(),
    );
    assert!(app.quitting, "a saved change does not hold up quitting");
    let mut app = demo_app();
    app.saved_unflushed("logbook.age was saved, but the folder could not be flushed.".into());
    let screen = render(&mut app, 100, 30);
    assert!(matches!(app.save, SaveState::Unflushed(_)));
    assert!(screen.contains("was saved, but the folder"), "{screen}");
    assert!(!screen.contains("NOT SAVED"), "{screen}");
    // Once the message is gone, the status bar still says so.
    app.message = None;
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("not flushed"), "{screen}");
}

#[test]
fn the_checklist_scrolls_with_the_selection_and_space_ticks_what_is_seen() {
    // Issue 8: j past the fold and Space ticked a step nobody could see; a checkbox
    // wrapped onto a line of its own.
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    section(&mut app, Section::Checklist);
    let steps = incident(&app, id).checklist.len();
    assert!(steps > 3);
    for _ in 0..steps {
        press(&mut app, KeyCode::Char('j'));
    }
    let last = incident(&app, id).checklist[steps - 1].step.clone();
    for (w, h) in [(44, 14), (60, 16), (100, 30)] {
        let screen = render(&mut app, w, h);
        let start: String = last.chars().take(20).collect();
        assert!(
            screen.contains(&start),
            "the selected step is on screen:\n{screen}"
        );
        for row in screen.lines() {
            let t = row.trim_matches(|c| c == '"' || c == '│' || c == ' ');
            assert!(
                !matches!(t, "[ ]" | "[x]" | "[-]"),
                "a checkbox alone on a line:\n{screen}"
            );
        }
    }
}

#[test]
fn f1_opens_help_over_a_form_and_esc_closes_it_without_touching_the_form() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    tab(&mut app, 3);
    keys(&mut app, "Form tutor");
    let dirty = app.form.as_ref().unwrap().dirty;
    press(&mut app, KeyCode::F(1));
    assert!(app.help.is_some());
    snap("help-over-form", &mut app);
    // Keys while help shows do not reach the form beneath.
    keys(&mut app, "xyz");
    press(&mut app, KeyCode::Enter);
    assert!(app.help.is_some());
    press(&mut app, KeyCode::Esc);
    assert!(app.help.is_none());
    let form = app.form.as_ref().unwrap();
    assert_eq!(form.value("reported_by"), "Form tutor");
    assert_eq!(form.dirty, dirty);
    assert!(!form.confirm_discard, "Esc closed the help, not the form");

    // `?` typed in a text field is text; on a screen it opens help, and `?` closes it.
    tab(&mut app, 6);
    keys(&mut app, "did he say why?");
    assert!(app.help.is_none());
    assert_eq!(
        app.form.as_ref().unwrap().value("description"),
        "did he say why?"
    );
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('?'));
    assert!(app.help.is_some());
    press(&mut app, KeyCode::Char('n'));
    assert!(
        app.help.is_some() && app.form.is_none(),
        "no key reaches the list beneath"
    );
    press(&mut app, KeyCode::Char('?'));
    assert!(app.help.is_none());
}

#[test]
fn forms_before_and_after_typing_with_the_cursor_and_a_wrapped_description() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    snap("form-new-incident-before-typing", &mut app);
    tab(&mut app, 3);
    keys(&mut app, "Form tutor");
    tab(&mut app, 6);
    keys(
        &mut app,
        "Theo said that three boys in his form had been sending him messages every evening \
         for a fortnight, calling him names and telling him nobody wanted him in the group; \
         he showed me the messages on his phone and I wrote down the words used.",
    );
    snap("form-new-incident-after-typing", &mut app);
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("the words used."),
        "the end of the text shows, wrapped:\n{screen}"
    );
}

#[test]
fn focus_stays_after_a_refused_save_and_after_a_pick() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    tab(&mut app, 4);
    let focus = |app: &App| {
        let form = app.form.as_ref().unwrap();
        form.fields[form.focus].key
    };
    assert_eq!(focus(&app), "types");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "cyberb");
    press(&mut app, KeyCode::Enter);
    assert_eq!(focus(&app), "types", "focus stays after a pick");
    ctrl(&mut app, 's');
    let form = app.form.as_ref().unwrap();
    assert_eq!(focus(&app), "types", "focus stays after a refused save");
    assert!(form.field("reported_by").unwrap().error.is_some());
    assert!(
        form.banner().unwrap().contains("Reported by"),
        "the refused field is named: {:?}",
        form.banner()
    );
}

/// Moves focus to the field with this key (as Tab would, without counting presses).
fn focus(app: &mut App, key: &str) {
    let form = app.form.as_mut().unwrap();
    form.focus = form.fields.iter().position(|f| f.key == key).unwrap();
}

#[test]
fn who_did_it_takes_any_name_typed_with_staff_names_suggested() {
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    // Evidence captured by someone not on the staff list: the name is kept as typed.
    press(&mut app, KeyCode::Char('e'));
    focus(&mut app, "description");
    keys(&mut app, "Screenshots from the officer");
    focus(&mut app, "captured_by");
    keys(&mut app, "PC 2231 Hale");
    snap("form-evidence-free-name", &mut app);
    // Enter on a name that no staff name matches keeps it and moves on.
    press(&mut app, KeyCode::Enter);
    assert!(app.picker.is_none());
    assert_eq!(
        app.form.as_ref().unwrap().value("captured_by"),
        "PC 2231 Hale"
    );
    focus(&mut app, "kept_at");
    keys(&mut app, "With the police");
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| &f.error)
    );
    assert_eq!(
        incident(&app, id).evidence.last().unwrap().captured_by,
        "PC 2231 Hale"
    );

    // A reporting step: typing filters the staff names, Enter offers them, and the
    // typed text stays available as the last row.
    press(&mut app, KeyCode::Char('r'));
    focus(&mut app, "by");
    keys(&mut app, "k");
    assert_eq!(
        app.form
            .as_ref()
            .unwrap()
            .field("by")
            .unwrap()
            .suggestions(),
        ["KW"]
    );
    press(&mut app, KeyCode::Enter);
    let picker = app
        .picker
        .as_ref()
        .expect("Enter offers the matching names");
    assert_eq!(picker.row_count(), 2);
    snap("picker-staff-suggestions", &mut app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.form.as_ref().unwrap().value("by"), "KW");
    // Choosing the typed row keeps free text that begins like a staff name.
    keys(&mut app, "Kim from Early Help");
    assert_eq!(
        app.form.as_ref().unwrap().value("by"),
        "KWKim from Early Help"
    );
    ctrl(&mut app, 'u');
    keys(&mut app, "K Lee");
    press(&mut app, KeyCode::Enter);
    assert!(app.picker.is_none(), "no staff name contains \"K Lee\"");
    assert_eq!(app.form.as_ref().unwrap().value("by"), "K Lee");
    focus(&mut app, "by");
    ctrl(&mut app, 'u');
    keys(&mut app, "K");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.form.as_ref().unwrap().value("by"), "K");
}

#[test]
fn a_required_reference_is_starred_and_an_awaited_one_shown_in_reviews_due() {
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    press(&mut app, KeyCode::Char('r'));
    let needed = |app: &App| {
        app.form
            .as_ref()
            .unwrap()
            .field("reference")
            .unwrap()
            .needed
    };
    assert!(!needed(&app), "no agency chosen yet");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "report fraud");
    press(&mut app, KeyCode::Enter);
    assert!(needed(&app), "Report Fraud always gives a reference");
    assert!(render(&mut app, 100, 30).contains("*Their reference number"));
    focus(&mut app, "reference_awaited");
    press(&mut app, KeyCode::Char(' '));
    assert!(!needed(&app), "not while the reference is awaited");
    assert!(!render(&mut app, 100, 30).contains("*Their reference number"));
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| &f.error)
    );
    let step = incident(&app, id).reports.last().unwrap().clone();
    assert!(step.reference_awaited && step.reference.is_empty());
    section(&mut app, Section::Reporting);
    assert!(render(&mut app, 100, 30).contains("reference AWAITED"));
    // Reviews due lists it with the reviews.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('2'));
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("References awaited"), "{screen}");
    assert!(screen.contains(&format!("{id} {}", step.id)), "{screen}");
    snap("list-reviews-due-awaited", &mut app);
}

#[test]
fn people_filter_duplicates_warned_and_the_picker_tells_two_alike_apart() {
    let mut app = demo_app();
    let book = app.book.as_ref().unwrap();
    let known = book
        .people
        .iter()
        .find(|p| p.error.is_none() && p.birth_year.is_some())
        .unwrap()
        .clone();
    let total = book.people.len();
    press(&mut app, KeyCode::Char('P'));
    // `/` filters the register as you type; Esc clears the filter, then goes back.
    press(&mut app, KeyCode::Char('/'));
    keys(&mut app, &known.reference);
    let rows = app.people_rows();
    assert!(!rows.is_empty() && rows.len() < total);
    assert!(rows.iter().all(|n| {
        let p = &app.book.as_ref().unwrap().people[*n];
        p.reference.contains(&known.reference) || p.notes.contains(&known.reference)
    }));
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen(), Screen::People { filter, .. } if !filter.typing));
    snap("people-register-filtered", &mut app);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.people_rows().len(), total);
    assert!(matches!(app.screen(), Screen::People { .. }));

    // Adding someone with the same initials and year is warned about once.
    press(&mut app, KeyCode::Char('a'));
    keys(&mut app, &known.reference);
    focus(&mut app, "birth_year");
    keys(&mut app, &known.birth_year.unwrap().to_string());
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("not added yet");
    let warning = form.error.clone().unwrap();
    assert!(warning.contains(&known.id), "{warning}");
    assert!(warning.contains("Ctrl-S again"), "{warning}");
    assert_eq!(app.book.as_ref().unwrap().people.len(), total);
    snap("form-person-duplicate-warning", &mut app);
    ctrl(&mut app, 's');
    assert!(app.form.is_none());
    assert_eq!(app.book.as_ref().unwrap().people.len(), total + 1);

    // The person picker shows the year and notes beside each reference.
    press(&mut app, KeyCode::Esc);
    open_incident(&mut app, "INC-2026-0019");
    press(&mut app, KeyCode::Char('p'));
    press(&mut app, KeyCode::Enter);
    let picker = app.picker.as_ref().unwrap();
    let label = &picker
        .options
        .iter()
        .find(|o| o.value == known.id)
        .unwrap()
        .label;
    assert!(
        label.contains(&format!("born {}", known.birth_year.unwrap())),
        "{label}"
    );
    // Year groups are searchable in the picker too.
    keys(&mut app, "born");
    assert!(!app.picker.as_ref().unwrap().visible().is_empty());
}

#[test]
fn the_refusal_beside_close_despite_unfinished_work_fits_on_one_line() {
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    assert!(!incident(&app, id).unfinished().is_empty());
    press(&mut app, KeyCode::Char('c'));
    keys(&mut app, "Support plan in place; no further messages.");
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("refused: work unfinished");
    assert!(form.error.as_deref().unwrap().contains("Work unfinished"));
    let beside = form.field("confirm").unwrap().error.clone().unwrap();
    for (w, h) in [(80, 24), (100, 30)] {
        let screen = render(&mut app, w, h);
        assert!(
            screen.lines().any(|l| l.contains(&beside)),
            "cut at {w} columns:\n{screen}"
        );
    }
    snap("form-close-refused", &mut app);
    // Ticking it closes the case.
    focus(&mut app, "confirm");
    press(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 's');
    assert!(app.form.is_none());
    assert_eq!(incident(&app, id).status, Status::Closed);
}

#[test]
fn a_tick_takes_when_it_was_done_and_a_closed_case_needs_no_reopen_for_it() {
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    section(&mut app, Section::Checklist);
    let open_step = |app: &App| {
        incident(app, id)
            .checklist
            .iter()
            .position(|c| c.state == StepState::Open)
            .unwrap()
    };
    let n = open_step(&app);
    if let Some(Screen::Detail { selected, .. }) = app.screens.last_mut() {
        *selected = n;
    }
    press(&mut app, KeyCode::Char('t'));
    snap("form-tick-step", &mut app);
    keys(&mut app, "2026-11-14 15:30");
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| &f.error)
    );
    assert!(matches!(
        &incident(&app, id).checklist[n].state,
        StepState::Done { when, .. } if when.to_string() == "2026-11-14 15:30:00"
    ));

    // Closed with a step still open: Space asks when it was done, proposing the closing
    // time, and ticks it without a re-open.
    press(&mut app, KeyCode::Char('c'));
    keys(&mut app, "Resolved.");
    focus(&mut app, "confirm");
    press(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 's');
    assert_eq!(incident(&app, id).status, Status::Closed);
    let n = open_step(&app);
    if let Some(Screen::Detail { selected, .. }) = app.screens.last_mut() {
        *selected = n;
    }
    press(&mut app, KeyCode::Char(' '));
    let closed_at = incident(&app, id).closure.as_ref().unwrap().when;
    assert_eq!(
        app.form.as_ref().expect("a form asks when").value("when"),
        crate::present::when(closed_at)
    );
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| &f.error)
    );
    assert!(matches!(
        incident(&app, id).checklist[n].state,
        StepState::Done { .. }
    ));
    assert_eq!(incident(&app, id).status, Status::Closed);
}

#[test]
fn the_status_bar_names_the_recorder_and_keeps_not_saved_in_view() {
    let mut app = demo_app();
    let bar = |app: &mut App, w, h| {
        let screen = render(app, w, h);
        let lines: Vec<&str> = screen.lines().collect();
        lines[lines.len() - 3..].join("\n")
    };
    assert!(bar(&mut app, 100, 30).contains("recording as RO"));
    app.saved(Err("the disk is full (No space left on device)".into()));
    app.message = Some(
        "INC-2026-0020 recorded. Review RV-1 due 2026-11-30. p links the people involved.".into(),
    );
    for (w, h) in [(100, 30), (80, 24)] {
        let text = bar(&mut app, w, h);
        assert!(text.contains("NOT SAVED"), "{w} columns:\n{text}");
        assert!(
            text.contains("INC-2026-0020 recorded"),
            "{w} columns:\n{text}"
        );
    }
    snap("status-not-saved-with-message", &mut app);
}

#[test]
fn help_fits_at_80x24_and_scrolls_with_nothing_cut() {
    let mut app = demo_app();
    open_incident(&mut app, "INC-2026-0019");
    press(&mut app, KeyCode::Char('?'));
    let first = render(&mut app, 80, 24);
    assert!(first.contains("more below"), "{first}");
    // Every description is on screen somewhere while scrolling down, whole (wrapped).
    let mut seen = first.clone();
    for _ in 0..40 {
        press(&mut app, KeyCode::Down);
        seen.push_str(&render(&mut app, 80, 24));
    }
    let flat: String = seen.split_whitespace().collect::<Vec<_>>().join(" ");
    for (_, what) in super::keymap::help(super::keymap::DETAIL) {
        let first_words: String = what.split(' ').take(4).collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&first_words), "{what:?} never shown");
    }
    assert!(seen.contains("edit the summary, or the selected evidence item or"));
    snap("help-detail-scrolled", &mut app);
    press(&mut app, KeyCode::Esc);
    assert!(app.help.is_none());
}

#[test]
fn one_layer_stack_decides_what_is_drawn_on_top_and_where_keys_go() {
    let mut app = demo_app();
    assert_eq!(app.layers(), [Layer::Screen]);
    press(&mut app, KeyCode::Char('n'));
    focus(&mut app, "types");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::F(1));
    assert_eq!(
        app.layers(),
        [Layer::Screen, Layer::Form, Layer::Picker, Layer::Help]
    );
    // The help lists the keys of the layer beneath it, and takes every key itself.
    let actions = |t: &[super::keymap::Binding]| t.iter().map(|b| b.action).collect::<Vec<_>>();
    assert_eq!(actions(app.keymap()), actions(super::keymap::PICKER));
    keys(&mut app, "cyber");
    assert!(app.picker.as_ref().unwrap().filter.is_empty());
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.top(), Layer::Picker);
    keys(&mut app, "cyber");
    assert_eq!(app.picker.as_ref().unwrap().filter, "cyber");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.top(), Layer::Form);
    assert_eq!(actions(app.keymap()), actions(super::keymap::FORM));
}

#[test]
fn the_agency_picker_finds_an_agency_by_any_of_its_names() {
    let mut app = demo_app();
    open_incident(&mut app, "INC-2026-0019");
    press(&mut app, KeyCode::Char('r'));
    for (typed, agency) in [
        ("report fraud", Agency::ActionFraud),
        ("action fraud", Agency::ActionFraud),
        ("nca", Agency::Ceop),
        ("mash", Agency::ChildrensSocialCare),
    ] {
        focus(&mut app, "agency");
        press(&mut app, KeyCode::Enter);
        keys(&mut app, typed);
        let picker = app.picker.as_ref().unwrap();
        let found: Vec<&str> = picker
            .visible()
            .iter()
            .map(|i| picker.options[*i].value.as_str())
            .collect();
        assert!(
            found.contains(&format!("{agency:?}").as_str()),
            "{typed}: {found:?}"
        );
        press(&mut app, KeyCode::Esc);
    }
}

#[test]
fn a_page_is_what_the_screen_shows_at_its_size_without_drawing_first() {
    // Drawing writes nothing back: paging works from the size the loop gives the app.
    let mut app = demo_app();
    app.size = ratatui::layout::Rect::new(0, 0, 100, 16);
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::PageDown);
    // 16 rows: the status bar, the tabs and the filter line, the borders and the header.
    assert_eq!(app.list.selected, 10);
    let screen = render(&mut app, 100, 16);
    let id = &app.selected_incident().unwrap().id;
    let rows = screen.lines().filter(|l| l.contains("INC-")).count();
    assert!(screen.contains(id.as_str()) && rows == 10, "{screen}");
    // Drawing at another size changes nothing in the state.
    let before = app.list.selected;
    render(&mut app, 80, 24);
    assert_eq!(app.list.selected, before);
}

#[test]
fn the_list_header_is_whole_at_80x24_says_1_incident_and_shows_the_legend_only_when_needed() {
    let mut app = demo_app();
    {
        let book = app.book.as_mut().unwrap();
        let closed = book
            .incidents
            .iter()
            .position(|i| i.status == Status::Closed)
            .unwrap();
        let kept = book.incidents.swap_remove(closed);
        book.incidents = vec![kept];
        book.settings.organisation =
            "The Northbrook Valley Learning Trust and its Federated Primary Schools".into();
    }
    press(&mut app, KeyCode::Char('4'));
    let screen = render(&mut app, 80, 24);
    let lines: Vec<&str> = screen.lines().collect();
    // The keys at the right of the tabs, the counts whole under them, the name shortened.
    assert!(
        lines[0].contains("4 All") && lines[0].contains("/ filter · n new"),
        "{screen}"
    );
    assert!(
        lines[1].contains("… · 1 of 1 incident · sorted newest first"),
        "{screen}"
    );
    assert!(!screen.contains("review overdue"), "{screen}");
    // With an overdue review in view, the legend explains the mark.
    let mut app = demo_app();
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains(" !│") && screen.contains("! review overdue"),
        "{screen}"
    );
}

#[test]
fn the_concern_folder_is_read_only_once_the_history_has_passed_its_check() {
    // Read before the trail, every concern looks like one for another logbook (it names
    // the logbook by the trail's first entry) and would be set aside.
    let mut app = demo_app();
    app.effects.clear();
    let mut book = app.book.take().unwrap();
    book.settings.concern_inbox = "/srv/share/concerns".into();
    let audit = std::mem::take(&mut book.audit);
    book.trail_pending = true;
    app.unlocked(Ok((book, None)));
    assert!(
        !app.effects
            .iter()
            .any(|e| matches!(e, Effect::ReadConcerns)),
        "read before the history was checked"
    );
    super::trail_checked(&mut app, true, Ok(audit));
    assert!(
        app.effects
            .iter()
            .any(|e| matches!(e, Effect::ReadConcerns))
    );
}

/// Tester finding 38: a change of recorder made while the history was being checked
/// (every key-file switch, which unlocks again) was refused by the model and dropped, so
/// the trail never said who took over. It is recorded once the check passes.
#[test]
fn a_change_of_recorder_during_the_history_check_is_recorded_after_it() {
    let mut app = demo_app();
    let mut book = app.book.take().unwrap();
    let audit = std::mem::take(&mut book.audit);
    let entries = audit.len();
    book.trail_pending = true;
    app.unlocked(Ok((book, None)));
    if app.picker.is_some() {
        keys(&mut app, "RO");
        press(&mut app, KeyCode::Enter);
    }
    let before = app.who.clone();
    app.effects.clear();
    press(&mut app, KeyCode::Char('W'));
    keys(&mut app, "KW");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.who, "KW");
    let said = app.message.clone().unwrap_or_default();
    assert!(said.contains("once its check has passed"), "{said}");
    super::trail_checked(&mut app, true, Ok(audit));
    let book = app.book.as_ref().unwrap();
    assert_eq!(
        book.audit.len(),
        entries + 1,
        "the hand-over is in the trail"
    );
    let last = &book.audit[entries];
    assert_eq!(last.by, "KW");
    assert!(last.action.contains(&before), "{}", last.action);
    assert!(app.effects.iter().any(|e| matches!(e, Effect::Save)));
    assert!(app.handover.is_none());
}

/// The person selected in the people register.
fn selected_person(app: &App) -> String {
    let Screen::People { selected, .. } = app.screen() else {
        panic!("not on the people register")
    };
    let rows = app.people_rows();
    app.book.as_ref().unwrap().people[rows[*selected]]
        .reference
        .clone()
}

#[test]
fn clearing_a_filter_keeps_the_same_record_selected() {
    // Tester finding: Esc on a filter moved the selection to the first record, and `x`
    // then offered to mark that other record as entered in error.
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('P'));
    press(&mut app, KeyCode::Char('/'));
    keys(&mut app, "Leo");
    press(&mut app, KeyCode::Enter);
    let leo = selected_person(&app);
    assert!(leo.starts_with("Leo"), "{leo}");
    press(&mut app, KeyCode::Esc);
    assert_eq!(selected_person(&app), leo, "Esc on a typed filter");
    press(&mut app, KeyCode::Char('/'));
    keys(&mut app, "Leo");
    press(&mut app, KeyCode::Esc);
    assert_eq!(selected_person(&app), leo, "Esc while typing");
    press(&mut app, KeyCode::Char('x'));
    let title = app.form.as_ref().unwrap().title.clone();
    assert!(
        title.contains(&leo),
        "the confirmation names the person: {title}"
    );
    app.form = None;

    let mut app = demo_app();
    press(&mut app, KeyCode::Char('/'));
    keys(&mut app, "Sext");
    press(&mut app, KeyCode::Enter);
    let chosen = app.list.rows[app.list.selected];
    assert!(!app.list.rows.is_empty());
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.list.rows[app.list.selected], chosen);
}

#[test]
fn marking_an_incident_in_error_names_its_types() {
    let mut app = demo_app();
    open_incident(&mut app, "INC-2026-0002");
    press(&mut app, KeyCode::Char('x'));
    let notice = app
        .form
        .as_ref()
        .unwrap()
        .notice
        .clone()
        .unwrap_or_default();
    let types = crate::present::types(incident(&app, "INC-2026-0002"));
    assert!(notice.contains(&types), "{notice}");
}

#[test]
fn f1_opens_the_unlock_keys_on_the_lock_screen() {
    // Tester finding: the bar said "? help", `?` types into the passphrase, F1 did nothing.
    let mut app = App::new("logbook.age".into(), now());
    let screen = render(&mut app, 80, 24);
    assert!(
        screen.contains("F1 help") && !screen.contains("? help"),
        "{screen}"
    );
    keys(&mut app, "a?");
    assert_eq!(
        app.unlock.passphrase.text(),
        "a?",
        "? is text in a passphrase"
    );
    press(&mut app, KeyCode::F(1));
    assert!(app.help.is_some());
    snap("help-unlock", &mut app);
    press(&mut app, KeyCode::Esc);
    assert!(
        app.help.is_none() && !app.quitting,
        "Esc closes the help only"
    );
    assert_eq!(app.unlock.passphrase.text(), "a?");
}

/// Tester finding: a value wider than its column was cut at the column's edge with no sign
/// that more was there. Each cut value now ends in "…".
#[test]
fn values_too_wide_for_their_column_end_in_an_ellipsis() {
    let mut app = demo_app();
    let shown = render(&mut app, 80, 24);
    let book = app.book.as_ref().unwrap();
    let mut cut = 0;
    for n in &app.list.rows {
        let i = &book.incidents[*n];
        let Some(row) = shown.lines().find(|l| l.contains(i.id.as_str())) else {
            continue;
        };
        let types: Vec<&str> = i.types.iter().map(|t| t.label()).collect();
        let types = types.join(", ");
        if !row.contains(&types) {
            cut += 1;
            let start: String = types.chars().take(4).collect();
            assert!(row.contains(&start), "{row}");
            assert!(row.contains('…'), "types cut without …: {row}");
        }
    }
    assert!(
        cut > 0,
        "no value is too wide at 80x24: the test shows nothing\n{shown}"
    );

    press(&mut app, KeyCode::Char('P'));
    let shown = render(&mut app, 80, 24);
    let book = app.book.as_ref().unwrap();
    let mut cut = 0;
    for p in &book.people {
        let Some(row) = shown.lines().find(|l| l.contains(p.id.as_str())) else {
            continue;
        };
        let notes = p.notes.lines().next().unwrap_or_default();
        if !notes.is_empty() && !row.contains(notes) {
            cut += 1;
            assert!(row.contains('…'), "notes cut without …: {row}");
        }
    }
    assert!(cut > 0, "no note is too wide at 80x24\n{shown}");

    app.picker = Some(super::picker::Picker::new(
        "Pick",
        vec![super::form::Choice::new(
            format!("A very long choice {}", "and more ".repeat(12)),
            "v",
        )],
        0,
        None,
    ));
    let shown = render(&mut app, 80, 24);
    let row = shown
        .lines()
        .find(|l| l.contains("A very long choice"))
        .unwrap();
    assert!(row.contains('…'), "{row}");
}

/// Tester finding: with a message of two lines, "? help" sat at the right of the first, in
/// the middle of the message. The message now reads whole, and the hint ends the bar.
#[test]
fn the_status_bar_hint_never_splits_a_two_line_message() {
    let message = "The export was written to /media/usb/exports/logbook-2026-11-30.age and recorded in the audit trail; keep the stick locked away.";
    for width in [80, 100] {
        let mut app = demo_app();
        app.message = Some(message.into());
        let shown = render(&mut app, width, 24);
        let lines: Vec<String> = shown
            .lines()
            .map(|l| l.trim_matches('"').trim().to_string())
            .collect();
        let first = lines
            .iter()
            .position(|l| l.starts_with("logbook.age"))
            .expect("the status bar");
        let bar = &lines[first..];
        assert!(bar.len() >= 2, "{shown}");
        let hint = super::keymap::hints(super::keymap::GLOBAL, &[super::keymap::Action::Help]);
        assert!(bar.last().unwrap().ends_with(&hint), "{shown}");
        assert_eq!(
            bar.iter().filter(|l| l.contains(&hint)).count(),
            1,
            "{shown}"
        );
        let text = bar.join(" ");
        assert!(text.contains(message), "split at {width}: {shown}");
    }
}

/// Tester finding 40: after a failed save, q's warning that the next q loses the change
/// came after the disk error's long words, and the bar (three lines at most) cut it off
/// at 80 columns.
#[test]
fn the_warning_that_q_loses_an_unsaved_change_shows_at_80_columns() {
    let mut app = demo_app();
    app.saved(Err(
        "The disk is full while saving /tmp/t2mnt/key.age: free some space and try again (nothing was changed).".into(),
    ));
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.quitting);
    let screen = render(&mut app, 80, 24);
    assert!(
        status_bar(&screen).contains("press q again to quit"),
        "{screen}"
    );
}

#[test]
fn an_incident_entered_in_error_says_so_in_words_and_has_no_review_due() {
    // Tester finding 33: marked by strikethrough only, the marker cut off after long types,
    // and its pending review left due in the Open and Reviews due views.
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    assert!(incident(&app, id).next_review().is_some());
    press(&mut app, KeyCode::Char('x'));
    keys(&mut app, "Test record created by mistake");
    ctrl(&mut app, 's');
    assert!(app.form.is_none(), "{:?}", app.message);
    assert!(incident(&app, id).error.is_some());
    assert_eq!(incident(&app, id).next_review(), None);
    // The header's marker comes before the types, so it is never cut.
    let screen = render(&mut app, 80, 24);
    let header = screen.lines().next().unwrap();
    assert!(header.contains("ENTERED IN ERROR"), "{header}");
    press(&mut app, KeyCode::Esc);
    // Left out of the Open view (tests_screens), it stays in All, in words.
    press(&mut app, KeyCode::Char('4'));
    let screen = render(&mut app, 100, 30);
    let row = screen
        .lines()
        .find(|l| l.contains(id))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(row.contains("Entered in error"), "{row}");
    press(&mut app, KeyCode::Char('2'));
    let book = app.book.as_ref().unwrap();
    assert!(
        !app.list.rows.iter().any(|n| book.incidents[*n].id == id),
        "not in the Reviews due view"
    );
}

/// The status bar's text as one line: the rows under the screen's bottom border, joined.
fn status_bar(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let last_border = lines
        .iter()
        .rposition(|l| l.trim_matches('"').starts_with('└'))
        .unwrap_or(0);
    lines[last_border + 1..]
        .iter()
        .map(|l| l.trim_matches('"').trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Past 9,999 incidents in a year an id is a character longer (INC-2026-10000); the list
/// showed "INC-2026-1000" cut (found measuring at 50,000 incidents).
#[test]
fn a_five_digit_incident_number_is_shown_whole() {
    let mut app = demo_app();
    let first = app.list.rows[0];
    let book = app.book.as_mut().unwrap();
    let mut inc = (*book.incidents[first]).clone();
    inc.id = "INC-2026-10000".into();
    book.incidents[first] = crate::model::Shared::new(inc);
    for (w, h) in [(80, 24), (100, 30)] {
        let shown = render(&mut app, w, h);
        assert!(shown.contains("INC-2026-10000 "), "{shown}");
    }
}

/// Tester3 #46: a person linked by mistake could not be unlinked from the People tab (`x`
/// there only said to select another entry).
#[test]
fn a_person_linked_by_mistake_is_unlinked_with_u_and_the_reason() {
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    section(&mut app, Section::People);
    let person = incident(&app, id).people[0].person.clone();
    let linked = incident(&app, id).people.len();
    // `x` on a person points to the key that unlinks.
    press(&mut app, KeyCode::Char('x'));
    assert!(app.form.is_none());
    assert!(
        app.message.as_deref().is_some_and(|m| m.contains(" u:")),
        "{:?}",
        app.message
    );
    press(&mut app, KeyCode::Char('u'));
    assert!(
        matches!(&app.form.as_ref().unwrap().kind, FormKind::Unlink(i, p, _) if i == id && *p == person)
    );
    snap("form-unlink-person", &mut app);
    // The reason is required.
    ctrl(&mut app, 's');
    assert!(app.form.as_ref().unwrap().fields[0].error.is_some());
    assert_eq!(incident(&app, id).people.len(), linked);
    keys(&mut app, "Wrong pupil linked");
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| &f.error)
    );
    assert!(saved(&mut app));
    assert_eq!(incident(&app, id).people.len(), linked - 1);
    let book = app.book.as_ref().unwrap();
    assert!(
        book.person(&person).is_some(),
        "the person stays in the register"
    );
    let last = book.audit.last().unwrap();
    assert!(
        last.action.starts_with(&format!("unlinked {person} ("))
            && last.action.ends_with(": Wrong pupil linked"),
        "{}",
        last.action
    );
    book.verify_audit().unwrap();
    // The help of the incident screen lists the key.
    press(&mut app, KeyCode::Char('?'));
    assert!(render(&mut app, 100, 30).contains("unlink the selected person"));
}

/// Tester3 #12: a re-opened case dropped out of the diary ("Next review none").
#[test]
fn re_opening_a_case_puts_a_review_in_the_diary_and_says_so() {
    let mut app = demo_app();
    let closed = app
        .book
        .as_ref()
        .unwrap()
        .incidents
        .iter()
        .find(|i| {
            i.status == Status::Closed
                && i.error.is_none()
                && i.reviews
                    .iter()
                    .all(|r| r.held.is_some() || r.cancelled.is_some() || r.error.is_some())
        })
        .unwrap()
        .id
        .clone();
    open_incident(&mut app, &closed);
    press(&mut app, KeyCode::Char('o'));
    keys(&mut app, "Parent reports it has started again");
    ctrl(&mut app, 's');
    assert_eq!(incident(&app, &closed).status, Status::Open);
    let due = incident(&app, &closed)
        .next_review()
        .expect("a review is due again");
    let interval = app.book.as_ref().unwrap().settings.review_interval_days;
    assert_eq!(
        due,
        now().date() + chrono::Duration::days(i64::from(interval))
    );
    let message = app.message.clone().unwrap_or_default();
    assert!(message.contains("re-opened; review RV-"), "{message}");
    assert!(message.contains(&crate::present::date(due)), "{message}");
}

/// Tester3 #11: a review held before the case was reported, closing it, was refused at the
/// top only, as "check the closing time", a field the form does not have.
#[test]
fn a_closing_review_held_before_the_report_is_refused_beside_held() {
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    let inc = incident(&app, id).clone();
    let rv = inc
        .reviews
        .iter()
        .position(|r| r.held.is_none() && r.cancelled.is_none() && r.error.is_none())
        .unwrap();
    section(&mut app, Section::Reviews);
    for _ in 0..rv {
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Char('H'));
    let early = inc.reported - chrono::Duration::minutes(30);
    assert!(
        early >= inc.occurred,
        "between when it happened and the report"
    );
    let form = app.form.as_mut().unwrap();
    form.field_mut("held")
        .unwrap()
        .set_text(&crate::present::when(early));
    form.field_mut("outcome")
        .unwrap()
        .set_text("Spoke to the pupil");
    focus(&mut app, "risk_now");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "Low");
    press(&mut app, KeyCode::Enter);
    focus(&mut app, "decision");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "Close");
    press(&mut app, KeyCode::Enter);
    focus(&mut app, "confirm");
    press(&mut app, KeyCode::Char(' '));
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("refused");
    let held = form.field("held").unwrap().error.clone();
    assert!(
        held.as_deref()
            .is_some_and(|e| e.contains("before the case was reported")),
        "{held:?} / {:?}",
        form.error
    );
    assert!(
        !form.error.as_deref().unwrap_or("").contains("closing time"),
        "{:?}",
        form.error
    );
    assert_eq!(incident(&app, id).status, inc.status);
}

/// Tester3 #22: a Report Fraud reference not NFRC and 12 digits had no flag anywhere.
#[test]
fn a_reference_not_in_its_format_is_flagged_on_leaving_the_field_and_after_saving() {
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "report fraud");
    press(&mut app, KeyCode::Enter);
    focus(&mut app, "reference");
    keys(&mut app, "12345");
    press(&mut app, KeyCode::Tab);
    let notice = app
        .form
        .as_ref()
        .unwrap()
        .notice
        .clone()
        .unwrap_or_default();
    assert!(notice.contains("check the reference"), "{notice}");
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "flagged, not refused: {:?}",
        app.form.as_ref().map(|f| &f.error)
    );
    let message = app.message.clone().unwrap_or_default();
    assert!(message.contains("NFRC followed by 12 digits"), "{message}");
    section(&mut app, Section::Reporting);
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("ref 12345 (check format)"), "{screen}");
}

/// Tester4 #13: a year of birth refused at the save (`2031`) was appended to: Shift-Tab
/// back and `2011` read `20312011`. Every one-line field refused is selected, so the first
/// key replaces it, as a refused date always was.
#[test]
fn a_refused_year_of_birth_is_replaced_by_what_is_typed_next() {
    let mut app = demo_app();
    open_incident(&mut app, "INC-2026-0019");
    press(&mut app, KeyCode::Char('p'));
    assert!(matches!(
        app.form.as_ref().unwrap().kind,
        FormKind::LinkPerson(_)
    ));
    tab(&mut app, 1);
    keys(&mut app, "QZ");
    tab(&mut app, 2);
    keys(&mut app, "2031");
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("refused, the form stays");
    assert!(
        form.field("birth_year").unwrap().shown_error().is_some(),
        "{:?}",
        form.banner()
    );
    tab(&mut app, 1);
    press(&mut app, KeyCode::BackTab);
    keys(&mut app, "2011");
    assert_eq!(app.form.as_ref().unwrap().value("birth_year"), "2011");
    // Moving the cursor first keeps the refused value to correct in place.
    let form = app.form.as_mut().unwrap();
    form.fields.iter_mut().for_each(|f| f.error = None);
    let field = form.field_mut("birth_year").unwrap();
    field.set_text("2031");
    field.refuse("Year of birth 2031 is not possible");
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Backspace);
    keys(&mut app, "1");
    assert_eq!(app.form.as_ref().unwrap().value("birth_year"), "2011");
    ctrl(&mut app, 's');
    assert!(app.form.is_none(), "saved: {:?}", app.message);
}

/// Tester4 #13: a "When it happened" in the future was refused only at Ctrl-S, and what
/// was typed after it was appended (`2027-01-05 10:002026-11-27 21:15`). The form knows
/// the time: it is refused on leaving the field, with the model's sentence, and selected.
#[test]
fn a_time_in_the_future_is_refused_on_leaving_the_field_and_replaced_by_typing() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('n'));
    keys(&mut app, "5/1/2027 10:00");
    press(&mut app, KeyCode::Tab);
    let field = app.form.as_ref().unwrap().field("occurred").unwrap();
    assert_eq!(
        field.shown_error(),
        Some("When it happened (2027-01-05 10:00) is in the future: enter a time up to now")
    );
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("is in the future"), "{screen}");
    press(&mut app, KeyCode::BackTab);
    keys(&mut app, "yesterday 21:15");
    press(&mut app, KeyCode::Tab);
    let field = app.form.as_ref().unwrap().field("occurred").unwrap();
    let yesterday = now().date().pred_opt().unwrap();
    // Written back in full, so the person sees which day was read.
    assert_eq!(field.value(), format!("{yesterday} 21:15"));
    assert_eq!(field.shown_error(), None);
}

/// Tester4 #22: a checklist step ticked by mistake could not be corrected; `x` on it now
/// marks the tick entered in error with a reason, and the step is open again.
#[test]
fn x_on_a_ticked_checklist_step_marks_the_tick_entered_in_error() {
    let mut app = demo_app();
    let id = "INC-2026-0019";
    open_incident(&mut app, id);
    section(&mut app, Section::Checklist);
    let n = incident(&app, id)
        .checklist
        .iter()
        .position(|c| c.state == StepState::Open)
        .expect("an open step");
    for _ in 0..n {
        press(&mut app, KeyCode::Char('j'));
    }
    // x on an open step says what x is for.
    press(&mut app, KeyCode::Char('x'));
    assert!(app.form.is_none());
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .contains("That step is open")
    );
    press(&mut app, KeyCode::Char(' '));
    assert!(matches!(
        incident(&app, id).checklist[n].state,
        StepState::Done { .. }
    ));
    press(&mut app, KeyCode::Char('x'));
    assert!(matches!(
        app.form.as_ref().unwrap().kind,
        FormKind::MarkError(_, crate::tui::form::ErrorTarget::Step(s)) if s == n
    ));
    snap("form-step-entered-in-error", &mut app);
    ctrl(&mut app, 's');
    assert!(app.form.is_some(), "the reason is required");
    keys(
        &mut app,
        "Space pressed by mistake: the police were not told",
    );
    ctrl(&mut app, 's');
    assert!(app.form.is_none(), "{:?}", app.message);
    let step = &incident(&app, id).checklist[n];
    assert_eq!(step.state, StepState::Open);
    assert_eq!(step.struck.len(), 1);
    assert!(app.message.as_deref().unwrap().contains("open again"));
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("ENTERED IN ERROR"), "{screen}");
    // The help says x covers a checklist step's tick.
    press(&mut app, KeyCode::Char('?'));
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("checklist step's tick"), "{screen}");
}

/// Tester4 #21: moving an overdue review asked no reason, said nothing about it being
/// overdue, and the statistics then counted no overdue review.
#[test]
fn moving_an_overdue_review_says_so_asks_why_and_stays_counted() {
    let mut app = demo_app();
    let today = app.today();
    let book = app.book.as_ref().unwrap();
    let id = book
        .incidents
        .iter()
        .find(|i| i.is_overdue(today))
        .expect("an overdue review in the demo")
        .id
        .clone();
    let counted = |app: &App| {
        let s = crate::report::stats::compute(app.book.as_ref().unwrap(), None, None, today);
        let reviews = s.tallies.iter().find(|t| t.title == "Reviews").unwrap();
        reviews.rows.clone()
    };
    let before = counted(&app);
    open_incident(&mut app, &id);
    section(&mut app, Section::Reviews);
    press(&mut app, KeyCode::Char('v'));
    let notice = app.form.as_ref().unwrap().notice.clone().unwrap();
    assert!(notice.contains("OVERDUE"), "{notice}");
    snap("form-move-overdue-review", &mut app);
    keys(&mut app, "+7");
    press(&mut app, KeyCode::Tab);
    keys(&mut app, "Head of year away this week");
    ctrl(&mut app, 's');
    assert!(app.form.is_none(), "{:?}", app.message);
    assert!(!incident(&app, &id).is_overdue(today), "the diary moves on");
    assert_eq!(counted(&app), before, "the statistics keep it overdue");
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("when overdue"), "{screen}");
}

/// Tester3 #12 leftover, tester4 #13: an open case with no review booked was missing from
/// Reviews due; within one date the list kept record order, not the highest risk first.
#[test]
fn reviews_due_lists_cases_with_no_review_first_and_the_highest_risk_first() {
    let mut app = demo_app();
    let id = "INC-2026-0019";
    let stamp = app.stamp();
    let rv = incident(&app, id)
        .reviews
        .iter()
        .find(|r| r.held.is_none() && r.cancelled.is_none() && r.error.is_none())
        .unwrap()
        .id
        .clone();
    app.book
        .as_mut()
        .unwrap()
        .cancel_review(&stamp, id, &rv, "Replaced by a strategy meeting")
        .unwrap();
    app.refresh();
    press(&mut app, KeyCode::Char('2'));
    let book = app.book.as_ref().unwrap();
    let rows: Vec<&Incident> = app.list.rows.iter().map(|n| &*book.incidents[*n]).collect();
    assert_eq!(rows[0].id, id, "no review booked comes first");
    for w in rows.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.next_review().is_some() && a.next_review() == b.next_review() {
            assert!(a.risk_level >= b.risk_level, "{} before {}", a.id, b.id);
        }
    }
    let screen = render(&mut app, 100, 30);
    assert!(screen.contains("none booked"), "{screen}");
}
