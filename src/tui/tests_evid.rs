//! Evidence and reporting rules as the app asks about them (tester4 #7 and #6), driven by
//! keys on the demo logbook with the demo clock.

use ratatui::crossterm::event::KeyCode;

use super::app::*;
use super::tests::{ctrl, demo_app, incident, keys, press, snap};
use crate::model::*;

/// An open case whose imagery a copy would reproduce (the demo's sextortion case).
fn imagery_case(app: &App) -> String {
    app.book
        .as_ref()
        .unwrap()
        .incidents
        .iter()
        .find(|i| i.status != Status::Closed && i.error.is_none() && i.copies_are_indecent())
        .map(|i| i.id.clone())
        .expect("an open imagery case in the demo")
}

fn fill_screenshot(app: &mut App, id: &str) {
    let now = crate::demo::demo_now();
    app.form = Some(super::forms::evidence(
        app.book.as_ref().unwrap(),
        id,
        "RO",
        now,
    ));
    let form = app.form.as_mut().unwrap();
    form.fill("kind", |f| f.with_choice("Screenshot"));
    form.fill("description", |f| {
        f.with_text("Screenshot of the group post showing the image, taken by Mr T on his phone")
    });
    form.fill("kept_at", |f| {
        f.with_text("Mr T's phone; printed copy in the DSL safe")
    });
}

/// tester4 #7: on a nude-image or sextortion case a staff screenshot of the image was
/// recorded as ordinary evidence without a question. The first save says that a copy is
/// itself an indecent image of a child and what to record instead; the second saves it,
/// marked, and the mark is on the screen.
#[test]
fn a_screenshot_on_an_imagery_case_is_asked_about_then_saved_marked() {
    let mut app = demo_app();
    let id = imagery_case(&app);
    let before = incident(&app, &id).evidence.len();
    fill_screenshot(&mut app, &id);
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("asked first, not saved");
    let banner = form.banner().unwrap_or_default();
    assert!(
        banner.contains("itself an indecent image of a child")
            && banner.contains("where the original is")
            && banner.contains("Press Ctrl-S again"),
        "{banner}"
    );
    assert_eq!(
        form.field("kind").unwrap().shown_error(),
        Some("a copy of the imagery: see above")
    );
    assert_eq!(
        incident(&app, &id).evidence.len(),
        before,
        "nothing saved yet"
    );
    snap("form-evidence-imagery-copy", &mut app);
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| f.banner())
    );
    let item = incident(&app, &id).evidence.last().unwrap().clone();
    assert_eq!(incident(&app, &id).evidence.len(), before + 1);
    assert!(item.imagery_copy, "the item is marked");
    let lines: Vec<String> = crate::present::evidence_lines(&item)
        .into_iter()
        .map(|l| l.value)
        .collect();
    assert!(
        lines.iter().any(|l| l == crate::present::COPY_MARK),
        "{lines:?}"
    );
}

/// The same question for a link (kind URL) is not asked: recording where the image is is
/// what the guidance asks for; and a screenshot on a cyberbullying case is not asked about.
#[test]
fn a_url_on_an_imagery_case_and_a_screenshot_elsewhere_save_at_once() {
    let mut app = demo_app();
    let id = imagery_case(&app);
    fill_screenshot(&mut app, &id);
    app.form
        .as_mut()
        .unwrap()
        .fill("kind", |f| f.with_choice("Url"));
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| f.banner())
    );
    assert!(!incident(&app, &id).evidence.last().unwrap().imagery_copy);
    let other = app
        .book
        .as_ref()
        .unwrap()
        .incidents
        .iter()
        .find(|i| i.status != Status::Closed && i.error.is_none() && !i.copies_are_indecent())
        .map(|i| i.id.clone())
        .unwrap();
    fill_screenshot(&mut app, &other);
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| f.banner())
    );
    assert!(!incident(&app, &other).evidence.last().unwrap().imagery_copy);
}

/// Registering a file on such a case is asked about before the file is even read; the
/// second save reads it, registers it and marks the item.
#[test]
fn a_file_registered_on_an_imagery_case_is_asked_about_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("IMG_0042.jpg");
    std::fs::write(&file, b"not really an image").unwrap();
    let mut app = demo_app();
    let id = imagery_case(&app);
    let n = incident(&app, &id)
        .evidence
        .iter()
        .position(|e| e.file.is_none() && e.error.is_none())
        .expect("an item with no file");
    let ev = incident(&app, &id).evidence[n].id.clone();
    app.form = Some(super::forms::register_file(&id, &ev));
    keys(&mut app, &file.display().to_string());
    ctrl(&mut app, 's');
    assert!(
        !app.effects
            .iter()
            .any(|e| matches!(e, Effect::Fingerprint { .. })),
        "not read before the answer"
    );
    let banner = app.form.as_ref().unwrap().banner().unwrap_or_default();
    assert!(
        banner.contains("itself an indecent image of a child"),
        "{banner}"
    );
    ctrl(&mut app, 's');
    let pos = app
        .effects
        .iter()
        .position(|e| matches!(e, Effect::Fingerprint { .. }))
        .expect("read after confirming");
    if let Effect::Fingerprint { job, path } = app.effects.remove(pos) {
        app.fingerprinted(job, super::fingerprint::fingerprint(&path));
    }
    let item = &incident(&app, &id).evidence[n];
    assert!(item.file.is_some() && item.imagery_copy, "{item:?}");
    press(&mut app, KeyCode::Esc);
}

/// An open case reported more than a week before the demo's "now": a LADO referral made
/// now is later than one working day.
fn reported_a_week_ago(app: &App) -> String {
    let now = crate::demo::demo_now();
    app.book
        .as_ref()
        .unwrap()
        .incidents
        .iter()
        .find(|i| {
            i.status != Status::Closed
                && i.error.is_none()
                && i.reported + chrono::Duration::days(8) < now
        })
        .map(|i| i.id.clone())
        .expect("an open case reported a week ago")
}

fn lado_now(app: &mut App, id: &str) {
    app.form = Some(super::forms::report(
        app.book.as_ref().unwrap(),
        id,
        "RO",
        crate::demo::demo_now(),
    ));
    let form = app.form.as_mut().unwrap();
    form.fill("agency", |f| f.with_choice("Lado"));
    form.fill("reference", |f| f.with_text("LADO/26/204"));
}

/// tester4 #6: a LADO referral days after the report was recorded without a word, though
/// the form said "Within one working day". The first save says how late it is beside
/// When and asks for the reason; given, it is kept and shown on the step's entry.
#[test]
fn a_late_lado_referral_is_asked_about_and_keeps_the_reason_for_the_delay() {
    let mut app = demo_app();
    let id = reported_a_week_ago(&app);
    let before = incident(&app, &id).reports.len();
    lado_now(&mut app, &id);
    ctrl(&mut app, 's');
    let form = app.form.as_ref().expect("asked first, not saved");
    let e = form
        .field("when")
        .unwrap()
        .shown_error()
        .unwrap_or_default();
    assert!(
        e.starts_with("Made ")
            && e.contains("working days after the report; LADO asks for one working day")
            && e.contains("give the reason for the delay"),
        "{e}"
    );
    assert_eq!(
        incident(&app, &id).reports.len(),
        before,
        "nothing saved yet"
    );
    snap("form-report-late-lado", &mut app);
    // The reason given: saved at once, kept, and the step's entry says how late it was.
    app.form.as_mut().unwrap().fill("delay_reason", |f| {
        f.with_text("The DSL was off sick; the deputy was not told")
    });
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| f.banner())
    );
    let inc = incident(&app, &id).clone();
    let step = inc.reports.last().unwrap();
    assert_eq!(
        step.delay_reason,
        "The DSL was off sick; the deputy was not told"
    );
    let late = step.lateness(inc.reported).expect("marked late");
    let rows: Vec<String> = crate::present::screen::entry(
        app.book.as_ref().unwrap(),
        &inc,
        crate::present::Section::Reporting,
        inc.reports.len() - 1,
    )
    .unwrap()
    .rows
    .iter()
    .map(|r| r.text.clone())
    .collect();
    assert!(rows.contains(&format!("Timescale: {late}")), "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r == "The DSL was off sick; the deputy was not told"),
        "{rows:?}"
    );
}

/// Asked once: saving again keeps the late referral without a reason, still marked.
#[test]
fn a_late_referral_saved_again_is_kept_without_a_reason() {
    let mut app = demo_app();
    let id = reported_a_week_ago(&app);
    lado_now(&mut app, &id);
    ctrl(&mut app, 's');
    assert!(app.form.is_some());
    ctrl(&mut app, 's');
    assert!(
        app.form.is_none(),
        "{:?}",
        app.form.as_ref().map(|f| f.banner())
    );
    let inc = incident(&app, &id);
    let step = inc.reports.last().unwrap();
    assert!(step.delay_reason.is_empty());
    assert!(step.lateness(inc.reported).is_some());
}
