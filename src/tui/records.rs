//! Keys on the Statistics and Retention screens. Kept out of `app.rs` so the screens that
//! show records leaving the logbook sit together; they change state only through `App`'s
//! own fields and the model's audited operations.

use std::cell::{Ref, RefCell};
use std::path::PathBuf;

use chrono::{Datelike, Months, NaiveDate};
use zeroize::Zeroizing;

use super::app::{App, Effect, Screen, Section};
use super::form::{Choice, Field, FieldKind, Form, FormKind};
use super::keymap::Action;
use crate::model::{Logbook, Stamp, Subject, Until, is_person_id};
use crate::present;
use crate::report::{self, Export, Format};

/// The Retention screen's rows, worked out once per change of the logbook (or of the day)
/// rather than on every key and redraw: the schedule passes over every incident and person,
/// which takes a quarter of a second at 20,000 incidents. A memo, not state: what it gives
/// depends only on the logbook and the day, so drawing may fill it through `&self`.
#[derive(Default)]
pub struct RetentionRows {
    /// What the rows were worked out from: the trail's length (every change adds to it),
    /// the number of incidents, and the day; and the rows.
    memo: RefCell<(Option<RowsKey>, Rows)>,
}

type Rows = Vec<RetentionRow>;
type RowsKey = (usize, usize, NaiveDate);

pub struct RetentionRow {
    pub id: String,
    pub status: crate::model::Status,
    pub closed: Option<NaiveDate>,
    pub kept: crate::model::Kept,
    pub due: bool,
}

impl RetentionRows {
    /// The rows for `book` on `today`, worked out again only if either has changed.
    pub fn of(&self, book: &Logbook, today: NaiveDate) -> Ref<'_, [RetentionRow]> {
        let from = (book.audit.len(), book.incidents.len(), today);
        if self.memo.borrow().0 != Some(from) {
            let rows = book
                .retention_schedule()
                .into_iter()
                .map(|(i, kept)| RetentionRow {
                    id: i.id.clone(),
                    status: i.status,
                    closed: i.closure.as_ref().map(|c| c.when.date()),
                    due: kept.is_due(i, today),
                    kept,
                })
                .collect();
            *self.memo.borrow_mut() = (Some(from), rows);
        }
        Ref::map(self.memo.borrow(), |(_, rows)| rows.as_slice())
    }

    /// Forgets the rows (on lock: they name incidents).
    pub fn clear(&mut self) {
        *self.memo.get_mut() = (None, Vec::new());
    }
}

/// The Statistics screen's figures, worked out once per change of the logbook, the day or
/// the period rather than on every redraw (a tenth of a second at 20,000 incidents). A
/// memo like `RetentionRows`.
#[derive(Default)]
pub struct StatsCache {
    memo: RefCell<(Option<StatsKey>, Option<report::stats::Stats>)>,
}

/// What the figures were worked out from: the trail's length, the number of incidents,
/// the day and the period.
type StatsKey = (usize, usize, NaiveDate, usize);

impl StatsCache {
    /// The figures for `book` over `period` on `today`, worked out again only if needed.
    pub fn of(
        &self,
        book: &Logbook,
        today: NaiveDate,
        period: usize,
    ) -> Option<Ref<'_, report::stats::Stats>> {
        let key = (book.audit.len(), book.incidents.len(), today, period);
        if self.memo.borrow().0 != Some(key) {
            let (from, to) = self::period(period, today);
            let stats = report::stats::compute(book, from, to, today);
            *self.memo.borrow_mut() = (Some(key), Some(stats));
        }
        Ref::filter_map(self.memo.borrow(), |(_, stats)| stats.as_ref()).ok()
    }

    pub fn clear(&mut self) {
        *self.memo.get_mut() = (None, None);
    }
}

/// An export on its way out: written by the event loop, then recorded in the trail.
pub struct Outgoing {
    pub path: PathBuf,
    pub bytes: Zeroizing<Vec<u8>>,
    pub subject: Subject,
    pub action: String,
    /// Said when it is written and recorded.
    pub done: String,
}

/// The export form for an incident (INC-...) or a person (P-...).
pub fn export_form(book: &Logbook, id: &str) -> Option<Form> {
    let person = is_person_id(id);
    if person {
        book.person(id)?;
    } else {
        book.incident(id)?;
    }
    let formats = vec![
        Choice::new("HTML page (prints on A4)", "html"),
        Choice::new("Markdown", "md"),
        Choice::new("Plain text", "txt"),
    ];
    let mut fields = vec![
        Field::new("format", "Format", FieldKind::Choice(formats)).with_choice("html"),
        Field::new("for", "For whom", FieldKind::Text).required(),
        Field::new("out", "Write to file", FieldKind::Text).required(),
        Field::new("recipient", "Encrypt to key", FieldKind::Text),
        Field::new("plaintext", "No key: unencrypted", FieldKind::Toggle).with_toggle(false),
    ];
    if !person {
        fields.push(Field::new("without", "Leave out", FieldKind::Text));
    }
    fields.push(
        Field::new("anonymise", "Others by role only", FieldKind::Toggle).with_toggle(person),
    );
    if !person {
        fields.push(about_field(book, id));
    }
    let what = if person {
        "chronology"
    } else {
        "incident chronology"
    };
    let mut form = Form::new(
        FormKind::Export(id.to_string()),
        format!("Export the {what} of {id}"),
        fields,
    );
    form.notice = Some(format!(
        "Give the recipient's age public key (age1...) to encrypt the file; an unencrypted file needs the box ticked. {}Every export is recorded in the audit trail.",
        if person {
            ""
        } else {
            "Leave out: any of description, people, evidence, reporting, reviews, checklist, history, comma separated. "
        }
    ));
    Some(form)
}

/// Who an incident's export is for, as `export --about` says it (tester3 #19): the one
/// person still named when the others are shown by role, chosen from the incident's people
/// (a parent's own child must not become "another pupil" in their own chronology).
fn about_field(book: &Logbook, id: &str) -> Field {
    let mut options = vec![Choice::new("(no one: everyone by role)", "")];
    if let Some(incident) = book.incident(id) {
        options.extend(present::people(book, incident).into_iter().map(|p| {
            let group = p.group();
            let group = if group.is_empty() {
                String::new()
            } else {
                format!(", {group}")
            };
            Choice::new(
                format!(
                    "{} ({}{group}), {}",
                    crate::text::line(&p.reference),
                    p.id,
                    p.role.label()
                ),
                p.id,
            )
        }));
    }
    Field::new(
        "about",
        "About (the person this is for)",
        FieldKind::Choice(options),
    )
    .with_choice("")
}

/// Turns the export form into a document and asks the loop to write it; refusals are shown
/// beside their field and nothing is written.
pub fn submit_export(app: &mut App) {
    let (by, at) = (app.who.clone(), app.now);
    let (Some(book), Some(form)) = (app.book.as_ref(), app.form.as_mut()) else {
        return;
    };
    let FormKind::Export(id) = form.kind.clone() else {
        return;
    };
    let v = |k: &str| form.value(k).trim().to_string();
    let format = match v("format").as_str() {
        "md" => Format::Md,
        "txt" => Format::Txt,
        _ => Format::Html,
    };
    let for_whom = match report::prepared_for(&v("for")) {
        Ok(whom) => whom,
        Err(e) => return form.refuse("for", e),
    };
    // `~/inc5.html` is in the home folder, as on the lock screen (`typed_path`).
    let path = super::fingerprint::typed_path(&v("out"));
    let recipient = v("recipient");
    let plaintext = v("plaintext") == "yes";
    if recipient.is_empty() && !plaintext {
        return form.refuse(
            "recipient",
            "Give the recipient's age key (age1...), or tick \"No key: unencrypted\" to write the file in the clear",
        );
    }
    if !recipient.is_empty() && plaintext {
        return form.refuse(
            "plaintext",
            "A key is given, so the file is encrypted: untick \"unencrypted\" or clear the key",
        );
    }
    if path.exists() {
        return form.refuse("out", "A file of that name exists: choose a new name");
    }
    // Refused here, with the form kept: once sent, a failed write would lose what was typed.
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !folder.is_dir()
    {
        return form.refuse(
            "out",
            &format!(
                "The folder {} does not exist: create it or choose another path",
                crate::text::path(folder)
            ),
        );
    }
    let mut export = Export::new(by.clone(), at);
    export.prepared_for = for_whom.clone();
    export.anonymise_others = v("anonymise") == "yes";
    export.about = Some(v("about")).filter(|p| !p.is_empty());
    let person = is_person_id(&id);
    if !person {
        for name in v("without")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match present::Section::ALL.iter().find(|s| s.name() == name) {
                Some(s) => export.without.push(*s),
                None => {
                    return form.refuse(
                        "without",
                        &format!("{name} is not a section: use description, people, evidence, reporting, reviews, checklist or history"),
                    );
                }
            }
        }
        export.without.sort();
        export.without.dedup();
    }
    let (doc, subject, what) = if person {
        let Some(p) = book.person(&id) else { return };
        (
            report::person(book, p, &export),
            Subject::Person(id.clone()),
            "person chronology",
        )
    } else {
        let Some(i) = book.incident(&id) else { return };
        (
            report::incident(book, i, &export),
            Subject::Incident(id.clone()),
            "incident chronology",
        )
    };
    let text = Zeroizing::new(format.render(&doc).into_bytes());
    let (bytes, place) = if recipient.is_empty() {
        (text, format!("plaintext file {}", path.display()))
    } else {
        match report::seal(std::slice::from_ref(&recipient), &text, &path) {
            Ok(sealed) => (
                Zeroizing::new(sealed),
                format!("age file {} encrypted to {recipient}", path.display()),
            ),
            Err(e) => return form.refuse("recipient", &e.to_string()),
        }
    };
    let selection = export.selection();
    let action = format!(
        "{what} as {}{selection} for {for_whom} (from the app): {place}",
        format.name()
    );
    let done = format!(
        "Exported the {what} of {id} to {}; recorded in the audit trail.",
        path.display()
    );
    app.form = None;
    app.message = Some("Writing the export...".into());
    app.effects.push(Effect::Export(Box::new(Outgoing {
        path,
        bytes,
        subject,
        action,
        done,
    })));
}

/// The loop's half of an export: writes the file (owner-only, never over another), then
/// records it in the trail and saves; a file whose entry cannot be recorded is removed.
pub fn write(app: &mut App, out: Outgoing) {
    if let Err(e) = crate::vault::file::write_new_private(&out.path, &out.bytes) {
        app.message = Some(format!("Export not written: {e}"));
        return;
    }
    let stamp: Stamp = app.stamp();
    let Some(book) = app.book.as_mut() else {
        return;
    };
    match book.record_export(&stamp, out.subject, &out.action) {
        Ok(()) => app.after_change(Ok(out.done)),
        Err(e) => {
            let _ = std::fs::remove_file(&out.path);
            app.message = Some(format!(
                "Export removed again, as it could not be recorded: {}",
                e.message
            ));
        }
    }
}

/// The periods the Statistics screen offers, in the order `p` steps through them.
pub const PERIODS: [&str; 4] = [
    "last 12 months",
    "this school year",
    "last school year",
    "all time",
];

/// The first and last day of period `n` on `today`.
pub fn period(n: usize, today: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let school_start = |year: i32| NaiveDate::from_ymd_opt(year, 9, 1);
    let this_year = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    match n {
        0 => (
            today
                .checked_sub_months(Months::new(12))
                .and_then(|d| d.succ_opt()),
            Some(today),
        ),
        1 => (school_start(this_year), Some(today)),
        2 => (
            school_start(this_year - 1),
            school_start(this_year).and_then(|d| d.pred_opt()),
        ),
        _ => (None, None),
    }
}

fn set_top(app: &mut App, screen: Screen) {
    if let Some(top) = app.screens.last_mut() {
        *top = screen;
    }
}

pub fn statistics(app: &mut App, action: Action, period: usize, scroll: usize) {
    match action {
        Action::CyclePeriod => set_top(
            app,
            Screen::Statistics {
                period: (period + 1) % PERIODS.len(),
                scroll: 0,
            },
        ),
        // The figures under the charts scroll by rows, one position per hidden row.
        _ if super::screens::moves(action) => {
            let rows = super::view::statistics_hidden(app, period) + 1;
            let page = super::view::page(app);
            let scroll = super::screens::move_selection(scroll, rows, action, page);
            set_top(app, Screen::Statistics { period, scroll });
        }
        Action::Back => {
            app.screens.pop();
        }
        _ => {}
    }
}

pub fn retention(app: &mut App, action: Action, selected: usize) {
    let Some(book) = app.book.as_ref() else {
        return;
    };
    let today = app.now.date();
    let (len, chosen) = {
        let schedule = app.retention_rows.of(book, today);
        let chosen = schedule
            .get(selected)
            .map(|r| (r.id.clone(), r.due, r.kept.until.clone()));
        (schedule.len(), chosen)
    };
    if super::screens::moves(action) {
        let page = super::view::page(app);
        let selected = super::screens::move_selection(selected, len, action, page);
        return set_top(app, Screen::Retention { selected });
    }
    match action {
        Action::Open => {
            if let Some((id, ..)) = chosen {
                app.screens.push(Screen::Detail {
                    id,
                    section: Section::Summary,
                    selected: 0,
                });
            }
        }
        Action::Dispose => {
            let Some((id, due, until)) = chosen else {
                return;
            };
            if !due {
                app.message = Some(match until {
                    Until::Date(d) if d >= today => {
                        format!("{id} is kept until {d}: it cannot be disposed of before then.")
                    }
                    Until::Unknown(why) => format!("{id}: retention date unknown: {why}."),
                    _ => format!(
                        "{id} is not closed: only a closed case past its date is disposed of."
                    ),
                });
                return;
            }
            // The form asks why and for a confirming tick, then runs what `logbook
            // dispose` runs, the reason kept with the tombstone (`forms::dispose`).
            let mut form = super::forms::dispose(book, &id, today);
            // What the disposal does not reach, said before it is confirmed (tester4 #24,
            // #25): unencrypted exports the trail records, restore copies beside the logbook.
            if let (Some(form), Some(live)) = (form.as_mut(), app.path.as_deref()) {
                let outside =
                    crate::backup::kept::disposal_note(live, book, std::slice::from_ref(&id));
                if !outside.is_empty() {
                    // The notice is one wrapped paragraph: the lines become sentences.
                    let notice = form.notice.get_or_insert_with(String::new);
                    for line in outside.lines().map(str::trim).filter(|l| !l.is_empty()) {
                        notice.push(' ');
                        notice.push_str(line);
                    }
                }
            }
            app.form = form;
        }
        Action::Back => {
            app.screens.pop();
        }
        _ => {}
    }
}

/// After a disposal the Retention screen has one row fewer: the selection stays on the
/// row that took the disposed one's place, or the last.
pub fn after_disposal(app: &mut App) {
    let (Some(book), Some(Screen::Retention { selected })) = (&app.book, app.screens.last()) else {
        return;
    };
    let len = app.retention_rows.of(book, app.now.date()).len();
    let selected = (*selected).min(len.saturating_sub(1));
    set_top(app, Screen::Retention { selected });
}

#[cfg(test)]
mod tests {

    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::model::Subject;

    fn demo_app() -> App {
        let book = crate::demo::logbook().unwrap();
        App::ready(
            "logbook.age".into(),
            crate::demo::demo_now(),
            book,
            "RO".into(),
        )
    }

    fn press(app: &mut App, c: char) {
        app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }

    use crate::tui::tests::{render, snap};

    /// Sets a field as typing would (fields are not `Clone`: they hold an editor).
    fn set(f: &mut Field, change: impl FnOnce(Field) -> Field) {
        let taken = std::mem::replace(f, Field::new("", "", FieldKind::Text));
        *f = change(taken);
    }

    fn key(app: &mut App, code: KeyCode, mods: KeyModifiers) {
        app.key(KeyEvent::new(code, mods));
    }

    fn typed(app: &mut App, text: &str) {
        for c in text.chars() {
            press(app, c);
        }
    }

    /// Opens INC-2026-0004 from the list of all incidents, then its export form.
    fn export_form_of_an_incident(app: &mut App) {
        press(app, '4');
        let row = app
            .list
            .rows
            .iter()
            .position(|n| app.book.as_ref().unwrap().incidents[*n].id == "INC-2026-0004")
            .unwrap();
        app.list.selected = row;
        key(app, KeyCode::Enter, KeyModifiers::NONE);
        press(app, 'X');
        assert!(matches!(&app.form, Some(f) if f.kind == FormKind::Export("INC-2026-0004".into())));
    }

    #[test]
    fn an_export_from_the_incident_screen_is_encrypted_written_and_audited() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = demo_app();
        export_form_of_an_incident(&mut app);
        snap("form-export", &mut app);
        let out = dir.path().join("inc.html.age");
        let identity = age::x25519::Identity::generate();
        let public = identity.to_public().to_string();
        key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
        typed(&mut app, "PC 2231 Hale");
        key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
        typed(&mut app, out.to_str().unwrap());
        // Neither a key nor the unencrypted box: refused, nothing queued.
        key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert!(app.effects.is_empty());
        let form = app.form.as_ref().expect("the form stays open");
        assert!(
            form.fields
                .iter()
                .any(|f| f.key == "recipient" && f.error.is_some())
        );
        key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
        typed(&mut app, &public);
        key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert!(
            app.form.is_none(),
            "{:?}",
            app.form.as_ref().map(|f| f.error.clone())
        );
        let Some(Effect::Export(outgoing)) = app.effects.pop() else {
            panic!("an export is queued");
        };
        let before = app.book.as_ref().unwrap().audit.len();
        write(&mut app, *outgoing);
        assert!(
            app.message.as_ref().unwrap().starts_with("Exported"),
            "{:?}",
            app.message
        );
        assert!(matches!(app.effects.last(), Some(Effect::Save)));
        let book = app.book.as_ref().unwrap();
        assert_eq!(book.audit.len(), before + 1);
        let entry = book.audit.last().unwrap();
        assert!(
            entry
                .action
                .contains("incident chronology as HTML for PC 2231 Hale (from the app): age file"),
            "{}",
            entry.action
        );
        book.verify_audit().unwrap();
        // The file is an age file the key opens, holding the chronology.
        let sealed = std::fs::read(&out).unwrap();
        let decryptor = age::Decryptor::new_buffered(&sealed[..]).unwrap();
        let mut reader = decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .unwrap();
        let mut html = String::new();
        std::io::Read::read_to_string(&mut reader, &mut html).unwrap();
        assert!(html.contains("Incident chronology: INC-2026-0004"));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn an_unencrypted_export_from_the_people_register_needs_the_box_ticked() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = demo_app();
        press(&mut app, 'P');
        press(&mut app, 'X');
        let Some(form) = &app.form else {
            panic!("the export form opens")
        };
        assert_eq!(form.kind, FormKind::Export("P-0001".into()));
        let out = dir.path().join("p1.md");
        // Set the fields as typed: Markdown, for whom, where, the box ticked.
        let form = app.form.as_mut().unwrap();
        for f in &mut form.fields {
            match f.key {
                "format" => set(f, |f| f.with_choice("md")),
                "for" => set(f, |f| f.with_text("Parent of JB")),
                "out" => set(f, |f| f.with_text(out.to_str().unwrap())),
                "plaintext" => set(f, |f| f.with_toggle(true)),
                _ => {}
            }
        }
        key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        let Some(Effect::Export(outgoing)) = app.effects.pop() else {
            panic!(
                "an export is queued: {:?}",
                app.form.as_ref().map(|f| f.error.clone())
            );
        };
        write(&mut app, *outgoing);
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.starts_with("**CONFIDENTIAL - safeguarding record**"),
            "{text}"
        );
        assert!(
            text.contains("another young person"),
            "others by role by default"
        );
        let entry = app.book.as_ref().unwrap().audit.last().unwrap();
        assert_eq!(entry.subject, Subject::Person("P-0001".into()));
        assert!(entry.action.contains("plaintext file"), "{}", entry.action);
        // Never over an existing file.
        app.effects.clear();
        press(&mut app, 'X');
        let form = app.form.as_mut().unwrap();
        for f in &mut form.fields {
            match f.key {
                "for" => set(f, |f| f.with_text("Parent of JB")),
                "out" => set(f, |f| f.with_text(out.to_str().unwrap())),
                "plaintext" => set(f, |f| f.with_toggle(true)),
                _ => {}
            }
        }
        key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert!(app.effects.is_empty());
        let form = app.form.as_ref().expect("the form stays open");
        assert!(
            form.fields
                .iter()
                .any(|f| f.key == "out" && f.error.is_some())
        );
    }

    #[test]
    fn the_people_register_shows_a_transfer_sent_and_not_acknowledged() {
        let mut app = demo_app();
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-16T09:00:00+00:00").unwrap();
        let stamp = Stamp::new("RO", at);
        let book = app.book.as_mut().unwrap();
        book.record_export(
            &stamp,
            Subject::Person("P-0001".into()),
            "child protection file transfer of P-0001 for Hillside: age file t.age",
        )
        .unwrap();
        press(&mut app, 'P');
        let shown = render(&mut app, 100, 30);
        // Its own column and the title's count; the notes stay the DSL's (tester3 #32).
        assert!(shown.contains("1 file sent, not acknowledged"), "{shown}");
        let row = shown.lines().find(|l| l.contains("P-0001")).unwrap();
        assert!(row.contains("2026-11-16"), "{row}");
        let book = app.book.as_mut().unwrap();
        book.acknowledge_transfer(&stamp, "P-0001", "by phone")
            .unwrap();
        let shown = render(&mut app, 100, 30);
        assert!(!shown.contains("not acknowledged"), "{shown}");
    }

    #[test]
    fn periods_are_the_last_year_and_the_school_years() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let today = d(2026, 11, 16);
        assert_eq!(period(0, today), (Some(d(2025, 11, 17)), Some(today)));
        assert_eq!(period(1, today), (Some(d(2026, 9, 1)), Some(today)));
        assert_eq!(
            period(2, today),
            (Some(d(2025, 9, 1)), Some(d(2026, 8, 31)))
        );
        assert_eq!(period(3, today), (None, None));
    }

    #[test]
    fn the_statistics_screen_names_no_one_and_steps_through_periods() {
        let mut app = demo_app();
        press(&mut app, 'T');
        assert!(matches!(app.screen(), Screen::Statistics { period: 0, .. }));
        snap("statistics", &mut app);
        let shown = render(&mut app, 100, 30);
        let book = app.book.as_ref().unwrap();
        for p in &book.people {
            let short = p.reference.split(" (").next().unwrap();
            assert!(!shown.contains(short), "the screen names {short}");
            assert!(!shown.contains(&p.id));
        }
        press(&mut app, 'p');
        assert!(matches!(app.screen(), Screen::Statistics { period: 1, .. }));
        press(&mut app, 'p');
        press(&mut app, 'p');
        press(&mut app, 'p');
        assert!(matches!(app.screen(), Screen::Statistics { period: 0, .. }));
        app.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        assert!(matches!(app.screen(), Screen::List));
    }

    #[test]
    fn the_statistics_scroll_to_their_last_figure_at_80x24() {
        let mut app = demo_app();
        app.size = ratatui::layout::Rect::new(0, 0, 80, 24);
        press(&mut app, 'T');
        let last = {
            let book = app.book.as_ref().unwrap();
            let stats = app.stats_cache.of(book, app.now.date(), 0).unwrap();
            format!("{}:", stats.figures.last().expect("figures").label)
        };
        let first = render(&mut app, 80, 24);
        assert!(!first.contains(&last), "{first}");
        // The border says that more is below and which keys reach it.
        let down = super::super::keymap::key_for(super::super::keymap::STATISTICS, Action::Down);
        assert!(first.contains("more lines"), "{first}");
        assert!(first.contains(&format!("{down} down")), "{first}");
        press(&mut app, 'G');
        let end = render(&mut app, 80, 24);
        assert!(end.contains(&last), "{end}");
        assert!(!end.contains("more line"), "{end}");
        insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("statistics-scrolled-80x24", end);
        });
        // Back to the top, and another period starts at the top again.
        press(&mut app, 'g');
        assert_eq!(render(&mut app, 80, 24), first);
        press(&mut app, 'G');
        press(&mut app, 'p');
        assert!(matches!(
            app.screen(),
            Screen::Statistics {
                period: 1,
                scroll: 0
            }
        ));
    }

    /// The Retention screen asked no reason (it said to use `logbook dispose ID --reason`):
    /// D on a due record opens a form naming it and saying what disposal does; the reason
    /// and a confirming tick are both required, refused together; the disposal is the
    /// command line's (`dispose_due`), its tombstone and audit entry keeping the reason.
    #[test]
    fn the_retention_screen_asks_why_and_to_confirm_before_disposing() {
        let mut app = demo_app();
        // Two years on, an adults-only case closed in 2025 would still be kept; move the
        // clock so one is due: INC-2025-0009 as an adults-only case closed 2025-11-04.
        app.now = NaiveDate::from_ymd_opt(2032, 1, 10)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        press(&mut app, 'D');
        assert!(matches!(app.screen(), Screen::Retention { .. }));
        let book = app.book.as_ref().unwrap();
        let today = app.now.date();
        let schedule = book.retention_schedule();
        let Some(row) = schedule.iter().position(|(i, k)| k.is_due(i, today)) else {
            panic!("a record due in 2032: {schedule:?}");
        };
        let id = schedule[row].0.id.clone();
        drop(schedule);
        if let Some(Screen::Retention { selected }) = app.screens.last_mut() {
            *selected = row;
        }
        press(&mut app, 'D');
        let form = app.form.as_ref().expect("D opens the disposal form");
        assert_eq!(form.kind, FormKind::Dispose(id.clone()));
        let notice = form.notice.clone().unwrap();
        assert!(
            notice.starts_with(&id) && notice.contains("for good") && notice.contains("tombstone"),
            "{notice}"
        );
        insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("form-dispose-100x30", render(&mut app, 100, 30));
            insta::assert_snapshot!("form-dispose-80x24", render(&mut app, 80, 24));
        });
        // Ctrl-S with nothing given: the reason and the tick are both refused, nothing goes.
        key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert!(app.book.as_ref().unwrap().incident(&id).is_some());
        let form = app.form.as_ref().unwrap();
        for key in ["reason", "confirm_disposal"] {
            assert!(
                form.field(key).unwrap().shown_error().is_some(),
                "{key} refused: {:?}",
                form.banner()
            );
        }
        insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("form-dispose-refused-80x24", render(&mut app, 80, 24));
        });
        // A reason typed but no tick: still nothing disposed of.
        typed(&mut app, "Annual retention review");
        key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert!(app.book.as_ref().unwrap().incident(&id).is_some());
        // Tab to the tick, Space ticks it, Ctrl-S disposes of the record.
        key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
        press(&mut app, ' ');
        key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert!(
            app.form.is_none(),
            "{:?}",
            app.form.as_ref().map(|f| f.banner())
        );
        let book = app.book.as_ref().unwrap();
        assert!(book.incident(&id).is_none(), "{:?}", app.message);
        let tombstone = book.tombstones.iter().find(|t| t.id == id).unwrap();
        assert!(
            tombstone.rule.ends_with("; Annual retention review"),
            "{}",
            tombstone.rule
        );
        let entry = book.disposal_entry(&id).unwrap();
        assert!(
            entry.action.contains("Annual retention review"),
            "{}",
            entry.action
        );
        assert_eq!(entry.by, "RO");
        book.verify_audit().unwrap();
        assert!(
            app.message
                .as_ref()
                .unwrap()
                .contains(&format!("Disposed of {id}")),
            "{:?}",
            app.message
        );
        // The selection stays within the shorter list.
        let len = book.retention_schedule().len();
        assert!(matches!(app.screen(), Screen::Retention { selected } if *selected < len));
    }

    /// Tester4 #24 and #25 in the app: the disposal form names, before anything is typed,
    /// the unencrypted export the trail records of the record (still on disk: destroy it)
    /// and the copy a restore kept beside the logbook, with the command that removes it.
    #[test]
    fn the_disposal_form_names_plaintext_exports_and_restore_copies() {
        let mut app = demo_app();
        app.now = NaiveDate::from_ymd_opt(2032, 1, 10)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("logbook.age");
        let copy = dir
            .path()
            .join("logbook.age.before-restore-20270101-120000");
        std::fs::write(&live, b"x").unwrap();
        std::fs::write(&copy, b"x").unwrap();
        let html = dir.path().join("inc.html");
        std::fs::write(&html, b"<html>").unwrap();
        app.path = Some(live);
        let today = app.now.date();
        let (row, id) = {
            let book = app.book.as_ref().unwrap();
            let schedule = book.retention_schedule();
            let row = schedule
                .iter()
                .position(|(i, k)| k.is_due(i, today))
                .expect("a record due in 2032");
            (row, schedule[row].0.id.clone())
        };
        let stamp = app.stamp();
        app.book
            .as_mut()
            .unwrap()
            .record_export(
                &stamp,
                Subject::Incident(id.clone()),
                &format!(
                    "incident chronology as HTML for PC 3390 Hughes: plaintext file {}",
                    html.display()
                ),
            )
            .unwrap();
        app.retention_rows = Default::default();
        press(&mut app, 'D');
        if let Some(Screen::Retention { selected }) = app.screens.last_mut() {
            *selected = row;
        }
        press(&mut app, 'D');
        let form = app.form.as_ref().expect("D opens the disposal form");
        let notice = form.notice.clone().unwrap();
        assert!(
            notice.contains(&format!("{} (HTML of {id}, exported", html.display()))
                && notice.contains("for PC 3390 Hughes) is still on this computer: destroy it"),
            "{notice}"
        );
        assert!(
            notice.contains(&format!("{}", copy.display()))
                && notice.contains(&format!("may hold {id}"))
                && notice.contains("rm -- '"),
            "{notice}"
        );
    }

    #[test]
    fn a_shorter_date_set_by_hand_does_not_make_a_childs_record_due() {
        // Tester finding 45: a date set before `--set` refused shorter dates (2026-11-01 on
        // a child's record closed that month) made it due and D, D disposed of it.
        let mut app = demo_app();
        let today = app.now.date();
        let book = app.book.as_mut().unwrap();
        let (id, rule_date) = book
            .retention_schedule()
            .into_iter()
            .find_map(|(i, k)| match k.until {
                crate::model::Until::Date(d)
                    if i.closure.is_some() && k.rule.starts_with("a child involved") =>
                {
                    Some((i.id.clone(), d))
                }
                _ => None,
            })
            .expect("a closed child's record in the demo");
        let pos = book.incidents.iter().position(|i| i.id == id).unwrap();
        book.incidents[pos].retention = Some(crate::model::RetentionOverride {
            until: today - chrono::Days::new(30),
            reason: "Test of disposal".into(),
            by: "RO".into(),
            set: app.now,
        });
        press(&mut app, 'D');
        let book = app.book.as_ref().unwrap();
        let schedule = book.retention_schedule();
        let row = schedule.iter().position(|(i, _)| i.id == id).unwrap();
        assert_eq!(schedule[row].1.until, crate::model::Until::Date(rule_date));
        drop(schedule);
        if let Some(Screen::Retention { selected, .. }) = app.screens.last_mut() {
            *selected = row;
        }
        press(&mut app, 'D');
        press(&mut app, 'D');
        assert!(app.book.as_ref().unwrap().incident(&id).is_some());
        assert!(
            app.message
                .as_ref()
                .unwrap()
                .contains("cannot be disposed of"),
            "{:?}",
            app.message
        );
    }

    #[test]
    fn the_retention_screen_lists_every_incident_with_its_date() {
        let mut app = demo_app();
        press(&mut app, 'D');
        snap("retention", &mut app);
        // A record not yet due is refused with its date.
        press(&mut app, 'G');
        press(&mut app, 'D');
        assert!(app.message.is_some());
        assert_eq!(
            app.book.as_ref().unwrap().incidents.len(),
            crate::demo::logbook().unwrap().incidents.len()
        );
    }

    /// Tester3 #19: an incident's export with "Others by role only" had no way to say
    /// whom it was for, so the child a parent asked about became "another pupil" too. The
    /// form offers the incident's people, as `export --about` does; the file keeps the
    /// chosen one named and the others by role.
    #[test]
    fn an_incident_export_by_role_keeps_the_person_it_is_about_named() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("for-parent.txt");
        let mut app = demo_app();
        export_form_of_an_incident(&mut app);
        let form = app.form.as_mut().unwrap();
        let FieldKind::Choice(options) = &form.field("about").unwrap().kind else {
            panic!("a choice of the incident's people");
        };
        let labels: Vec<&str> = options.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            labels.len(),
            3,
            "no one, and the incident's two people: {labels:?}"
        );
        assert!(labels[1].starts_with("Ruby A. (Y10) (P-0013"), "{labels:?}");
        set(form.field_mut("format").unwrap(), |f| f.with_choice("txt"));
        form.field_mut("for").unwrap().set_text("Parent of Ruby A.");
        form.field_mut("out")
            .unwrap()
            .set_text(out.to_str().unwrap());
        set(form.field_mut("plaintext").unwrap(), |f| {
            f.with_toggle(true)
        });
        set(form.field_mut("anonymise").unwrap(), |f| {
            f.with_toggle(true)
        });
        set(form.field_mut("about").unwrap(), |f| {
            f.with_choice("P-0013")
        });
        key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        let Some(Effect::Export(outgoing)) = app.effects.pop() else {
            panic!(
                "an export is queued: {:?}",
                app.form.as_ref().map(|f| f.banner())
            );
        };
        write(&mut app, *outgoing);
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.contains("Ruby A. (Y10)"),
            "the child it is about is named:\n{text}"
        );
        assert!(!text.contains("'Dan'"), "the other is by role:\n{text}");
    }
}
