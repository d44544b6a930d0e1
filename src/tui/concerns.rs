//! Staff concerns in the app: what the loop read from the inbox, the Concerns screen's
//! actions, and the three ways a concern is taken in (a new incident with the form
//! pre-filled from it, added to an existing incident, or no further action with a reason),
//! each through the model's audited `take_in_concern`. A concern file is removed from the
//! inbox only once the logbook holding it is saved (`concerns_saved`).

use std::path::PathBuf;

use chrono::NaiveDateTime;
use zeroize::Zeroize;

use super::app::{App, Effect, Popup, Screen};
use super::form::{Choice, Field, FieldKind, Form, FormKind};
use super::forms;
use super::keymap::{self, Action};
use crate::concern::Incoming;
use crate::model::*;

/// The inbox as the app knows it.
#[derive(Default)]
pub struct Inbox {
    /// Concerns waiting to be taken in, oldest first (decrypted: wiped on lock).
    pub waiting: Vec<Incoming>,
    /// What the last look found wrong: files set aside and why, or why the folder could
    /// not be read.
    pub notes: Vec<String>,
    /// Files of concerns taken in whose save has not yet been confirmed.
    pub done: Vec<PathBuf>,
    /// Whether the inbox has been read since unlocking.
    pub looked: bool,
    /// A concern form was closed by the lock (said after locking).
    pub form_dropped: bool,
    /// The pop-up open is the reader of the selected concern: its keys act on it.
    pub reading: bool,
    /// Why the last look could not read the folder (a stick not plugged in): said on the
    /// screen instead of "No new concerns" (tester3 #32).
    pub error: Option<String>,
    /// The screen lists the concerns taken in (from the logbook), not those waiting.
    pub taken_view: bool,
}

impl Inbox {
    /// Wipes the decrypted concerns (on lock). Files taken in stay listed for removal: a
    /// logbook kept over the lock (its save failed) still holds them.
    pub fn forget(&mut self) {
        for i in &mut self.waiting {
            i.concern.zeroize();
        }
        self.waiting.clear();
        self.notes.clear();
        self.looked = false;
        self.reading = false;
        self.error = None;
        self.taken_view = false;
    }

    /// The keys of the Concerns screen: those waiting, or those taken in.
    pub fn keys(&self) -> &'static [keymap::Binding] {
        if self.taken_view {
            keymap::CONCERNS_TAKEN
        } else {
            keymap::CONCERNS
        }
    }

    /// The keys of the reader of a concern: one waiting, or one taken in.
    pub fn reader_keys(&self) -> &'static [keymap::Binding] {
        if self.taken_view {
            keymap::CONCERN_TAKEN_READER
        } else {
            keymap::CONCERN_READER
        }
    }
}

/// The concerns taken in, as the Concerns screen lists them: the latest written first.
pub fn taken(book: &Logbook) -> Vec<&ConcernRecord> {
    let mut rows: Vec<&ConcernRecord> = book.concerns.iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.concern.written));
    rows
}

use super::screens::move_selection;

/// Replaces a field's text as if the form had been opened with it.
fn prefill(form: &mut Form, key: &str, text: &str) {
    if let Some(f) = form.field_mut(key) {
        let mut new = Field::new(f.key, f.label, f.kind.clone()).with_text(text);
        new.required = f.required;
        *f = new;
    }
}

/// The full concern, labelled, for reading in a popup (escaped for display), with the
/// keys that take it in.
pub fn full_text(c: &Concern) -> String {
    format!(
        "{}\n{}",
        crate::concern::whole(c),
        keymap::hints(
            keymap::CONCERN_READER,
            &[
                Action::NewIncident,
                Action::ConcernAddTo,
                Action::ConcernNoAction
            ]
        ),
    )
}

/// A concern taken in, whole, with what was decided (tester3 #43: one recorded as needing
/// no further action could never be read again), and, while that is the decision, the key
/// that adds it to an incident after all.
pub fn taken_text(r: &ConcernRecord) -> String {
    let mut text = format!(
        "{}\n{}",
        crate::concern::whole(&r.concern),
        crate::concern::decision(r)
    );
    if matches!(r.outcome, ConcernOutcome::NoFurtherAction { .. }) {
        text.push('\n');
        text.push_str(&keymap::hints(
            keymap::CONCERN_TAKEN_READER,
            &[Action::ConcernAddTo],
        ));
    }
    text
}

/// "today 12:50" read beside the day the concern was written.
fn when_said(c: &Concern) -> String {
    if c.when.trim().is_empty() {
        "not given".to_string()
    } else {
        format!(
            "{}, written {}",
            crate::text::line(c.when.trim()),
            c.written.format("%a %Y-%m-%d")
        )
    }
}

/// The key that opens the concerns waiting, for the messages that point to them.
fn concerns_key() -> String {
    keymap::key_for(keymap::LIST, Action::Concerns)
}

/// The new-incident form, pre-filled from the concern: who reported it, when (marked
/// approximate until the DSL checks it), where, what happened in the staff member's words,
/// and what they did.
pub fn new_incident_form(book: &Logbook, who: &str, now: NaiveDateTime, c: &Concern) -> Form {
    let mut form = forms::incident(book, who, now, None);
    let written = crate::present::when(c.written.naive_local().min(now));
    prefill(&mut form, "occurred", &written);
    if let Some(f) = form.field_mut("occurred_approximate") {
        f.chosen = Some(1);
    }
    prefill(&mut form, "reported", &written);
    prefill(&mut form, "reported_by", &c.from());
    prefill(&mut form, "platform", c.place.trim());
    prefill(&mut form, "description", &c.text());
    prefill(&mut form, "immediate_action", &c.action);
    form.title = format!("New incident from staff concern {}", c.receipt);
    form.notice = Some(format!(
        "Pre-filled from concern {}: check when it happened (the concern says: {}), choose the type and risk. The concern's words are kept as evidence.",
        c.receipt,
        when_said(c)
    ));
    form.concern = Some(c.receipt.clone());
    form
}

/// The incidents (open or monitoring) a concern may be added to, the latest first.
fn open_incidents(book: &Logbook) -> Vec<Choice> {
    let mut open: Vec<&Incident> = book
        .incidents
        .iter()
        .map(crate::model::Shared::get)
        .filter(|i| i.status != Status::Closed && i.error.is_none())
        .collect();
    open.sort_by_key(|i| std::cmp::Reverse(i.reported));
    open.iter()
        .map(|i| {
            Choice::new(
                format!(
                    "{} {}",
                    i.id,
                    crate::concern::first_words(&crate::text::line(&i.description), 50)
                ),
                i.id.as_str(),
            )
        })
        .collect()
}

/// Choose the incident (open or monitoring) the concern is added to.
pub fn add_to_form(book: &Logbook, c: &Concern) -> Form {
    let options = open_incidents(book);
    let mut form = Form::new(
        FormKind::Concern,
        format!("Add staff concern {} to an incident", c.receipt),
        vec![Field::new("incident", "Incident", FieldKind::Choice(options)).required()],
    );
    form.notice = Some(format!(
        "The concern's words become an evidence item (staff concern) of the incident chosen. From {}: \"{}\"",
        crate::text::line(&c.from()),
        crate::concern::first_words(&crate::text::line(&c.what), 60)
    ));
    form.concern = Some(c.receipt.clone());
    form
}

/// A concern taken in with no further action, added to an incident after all: which
/// incident, and why now (required, kept beside the earlier decision).
pub fn add_later_form(book: &Logbook, r: &ConcernRecord) -> Form {
    let c = &r.concern;
    let mut form = Form::new(
        FormKind::Concern,
        format!("Add staff concern {} to an incident after all", c.receipt),
        vec![
            Field::new(
                "incident",
                "Incident",
                FieldKind::Choice(open_incidents(book)),
            )
            .required(),
            Field::new("why", "Why it is added now", FieldKind::Multiline).required(),
        ],
    );
    form.notice = Some(format!(
        "It was recorded as needing no further action (reason: {}). Its words become an evidence item (staff concern) of the incident chosen; the earlier decision is kept with it. From {}: \"{}\"",
        match &r.outcome {
            ConcernOutcome::NoFurtherAction { reason } => {
                crate::concern::first_words(&crate::text::line(reason), 80)
            }
            other => crate::text::line(&other.label()).into_owned(),
        },
        crate::text::line(&c.from()),
        crate::concern::first_words(&crate::text::line(&c.what), 60)
    ));
    form.concern = Some(c.receipt.clone());
    form
}

/// No further action, with the reason (required), kept with the whole concern.
pub fn no_action_form(c: &Concern) -> Form {
    let mut form = Form::new(
        FormKind::Concern,
        format!("No further action on staff concern {}", c.receipt),
        vec![
            Field::new(
                "reason",
                "Why no further action is needed",
                FieldKind::Multiline,
            )
            .required(),
        ],
    );
    form.notice = Some(format!(
        "The concern is kept in the logbook with this decision and its reason. From {}: \"{}\"",
        crate::text::line(&c.from()),
        crate::concern::first_words(&crate::text::line(&c.what), 60)
    ));
    form.concern = Some(c.receipt.clone());
    form
}

impl App {
    /// Asks the loop to look in the inbox (when the logbook names one). Not while the
    /// trail is still being read: a concern names its logbook by the trail's first hash,
    /// so before then every concern would look written for another logbook and be set
    /// aside. The trail check asks again when it passes.
    pub fn read_concerns(&mut self) {
        // Not while the history is still being checked: a concern names its logbook by the
        // trail's first entry, which is not read yet, so every concern would look like one
        // for another logbook and be set aside. The check's end reads the folder.
        if self
            .book
            .as_ref()
            .is_some_and(|b| !b.settings.concern_inbox.is_empty() && !b.trail_pending)
        {
            self.effects.push(Effect::ReadConcerns);
        }
    }

    /// The loop's answer: the concerns waiting (those already being taken in left out),
    /// and the files it set aside.
    pub fn concerns_read(&mut self, result: Result<crate::concern::Inbox, String>) {
        let taken_view = self.concerns.taken_view;
        self.concerns.forget();
        self.concerns.taken_view = taken_view;
        self.concerns.looked = true;
        match result {
            Ok(inbox) => {
                self.concerns.notes = inbox.warnings.clone();
                // Every file in set-aside/, not only this look's: each look starts afresh,
                // and a file set aside is never read again, so only its kept reason says why.
                self.concerns.notes.extend(
                    inbox
                        .set_aside
                        .iter()
                        .filter(|s| s.moved.is_err())
                        .map(|s| s.sentence()),
                );
                self.concerns
                    .notes
                    .extend(inbox.aside.iter().map(|a| a.sentence()));
                self.concerns.waiting = inbox.concerns;
                let n = self.concerns.waiting.len();
                // Every file in set-aside/, as the screen lists them, not only this look's
                // (tester3 #28: "1 file set aside" over a list of three).
                let aside = inbox.aside.len();
                let just_now = inbox.set_aside.iter().filter(|s| s.moved.is_ok()).count();
                let mut said = Vec::new();
                if n > 0 {
                    said.push(format!(
                        "{n} new concern{} from staff: {} to read {}",
                        if n == 1 { "" } else { "s" },
                        concerns_key(),
                        if n == 1 { "it" } else { "them" }
                    ));
                }
                if !inbox.warnings.is_empty() {
                    said.push(format!(
                        "the concern folder needs attention ({} says why)",
                        concerns_key()
                    ));
                } else if aside > 0 {
                    said.push(format!(
                        "{aside} file{} in the concern folder set aside{} ({} says why)",
                        if aside == 1 { "" } else { "s" },
                        match just_now {
                            0 => String::new(),
                            n if n == aside => String::new(),
                            n => format!(", {n} just now"),
                        },
                        concerns_key()
                    ));
                }
                if !said.is_empty() {
                    self.message = Some(format!("{}.", said.join("; ")));
                }
            }
            Err(e) => {
                self.message = Some(format!("The concern folder could not be read: {e}"));
                self.concerns.error = Some(e);
            }
        }
        let len = self.concerns_len();
        if let Some(Screen::Concerns { selected }) = self.screens.last_mut() {
            *selected = (*selected).min(len.saturating_sub(1));
        }
    }

    /// How many rows the Concerns screen lists: those waiting, or those taken in.
    fn concerns_len(&self) -> usize {
        if self.concerns.taken_view {
            self.book.as_ref().map_or(0, |b| b.concerns.len())
        } else {
            self.concerns.waiting.len()
        }
    }

    /// The status bar's word on concerns waiting, if any.
    pub fn concerns_status(&self) -> Option<String> {
        match self.concerns.waiting.len() {
            0 => None,
            1 => Some(format!("1 new concern ({})", concerns_key())),
            n => Some(format!("{n} new concerns ({})", concerns_key())),
        }
    }

    pub fn open_concerns(&mut self) {
        if self
            .book
            .as_ref()
            .is_some_and(|b| b.settings.concern_inbox.is_empty())
        {
            self.message = Some(
                "No concern folder is set up: run `logbook concern-setup --inbox DIR` once.".into(),
            );
            return;
        }
        self.concerns.taken_view = false;
        self.screens.push(Screen::Concerns { selected: 0 });
        self.read_concerns();
    }

    pub fn concerns_action(&mut self, action: Action, selected: usize) {
        if action == Action::ConcernsSwitch {
            self.concerns.taken_view = !self.concerns.taken_view;
            if let Some(top) = self.screens.last_mut() {
                *top = Screen::Concerns { selected: 0 };
            }
            return;
        }
        if self.concerns.taken_view {
            return self.taken_action(action, selected);
        }
        let len = self.concerns.waiting.len();
        let Some(book) = &self.book else { return };
        let current = self.concerns.waiting.get(selected).map(|i| &i.concern);
        match (action, current) {
            (Action::Back, _) => {
                self.screens.pop();
            }
            (Action::ReadInbox, _) => self.read_concerns(),
            (Action::Open, Some(c)) => {
                self.popup = Some(Popup {
                    title: format!("Staff concern {}", c.receipt),
                    text: full_text(c),
                    scroll: 0,
                });
                self.concerns.reading = true;
            }
            (Action::NewIncident, Some(c)) => {
                self.form = Some(new_incident_form(book, &self.who, self.now, c));
            }
            (Action::ConcernAddTo, Some(c)) => {
                if book
                    .incidents
                    .iter()
                    .any(|i| i.status != Status::Closed && i.error.is_none())
                {
                    self.form = Some(add_to_form(book, c));
                } else {
                    self.message = Some(format!(
                        "There is no open incident to add it to: {} records a new one.",
                        keymap::key_for(keymap::CONCERNS, Action::NewIncident)
                    ));
                }
            }
            (Action::ConcernNoAction, Some(c)) => self.form = Some(no_action_form(c)),
            (
                Action::Open | Action::NewIncident | Action::ConcernAddTo | Action::ConcernNoAction,
                None,
            ) => {
                self.message = Some(format!(
                    "There is no concern waiting: {} looks in the folder again.",
                    keymap::key_for(keymap::CONCERNS, Action::ReadInbox)
                ));
            }
            _ => {
                let page = super::view::page(self);
                if let Some(top) = self.screens.last_mut() {
                    *top = Screen::Concerns {
                        selected: move_selection(selected, len, action, page),
                    };
                }
            }
        }
    }

    /// The Concerns screen listing those taken in: read one whole with its decision, and
    /// add one recorded as needing no further action to an incident after all.
    fn taken_action(&mut self, action: Action, selected: usize) {
        let Some(book) = &self.book else { return };
        let rows = taken(book);
        let len = rows.len();
        match (action, rows.get(selected)) {
            (Action::Back, _) => {
                self.screens.pop();
            }
            (Action::Open, Some(r)) => {
                self.popup = Some(Popup {
                    title: format!("Staff concern {}, taken in", r.concern.receipt),
                    text: taken_text(r),
                    scroll: 0,
                });
                self.concerns.reading = true;
            }
            (Action::ConcernAddTo, Some(r)) => match &r.outcome {
                ConcernOutcome::NoFurtherAction { .. }
                    if book
                        .incidents
                        .iter()
                        .any(|i| i.status != Status::Closed && i.error.is_none()) =>
                {
                    self.form = Some(add_later_form(book, r));
                }
                ConcernOutcome::NoFurtherAction { .. } => {
                    self.message = Some(
                        "There is no open incident to add it to: record the incident first (n on the list), then add this concern to it.".into(),
                    );
                }
                ConcernOutcome::NewIncident { incident, evidence }
                | ConcernOutcome::AddedTo { incident, evidence } => {
                    self.message = Some(format!(
                        "Concern {} is already evidence {evidence} of {incident}: its words are not added twice.",
                        r.concern.receipt
                    ));
                }
            },
            (Action::Open | Action::ConcernAddTo, None) => {
                self.message = Some("No concern has been taken in yet.".into());
            }
            _ => {
                let page = super::view::page(self);
                if let Some(top) = self.screens.last_mut() {
                    *top = Screen::Concerns {
                        selected: move_selection(selected, len, action, page),
                    };
                }
            }
        }
    }

    /// Submits the open concern form through the model. On success the concern leaves the
    /// waiting list and its file is queued for removal once the save is confirmed. A
    /// concern already taken in (the form asks why it is added now) is added to the
    /// incident chosen, its earlier decision kept (`Logbook::add_taken_concern_to`).
    pub fn take_in(&mut self, receipt: &str) -> Result<String, Invalid> {
        let stamp = self.stamp();
        let now = self.now;
        if let (Some(book), Some(form)) = (self.book.as_mut(), self.form.as_ref())
            && form.field("why").is_some()
        {
            return book.add_taken_concern_to(
                &stamp,
                receipt,
                &form.value("incident"),
                &form.field("why").map(Field::text).unwrap_or_default(),
            );
        }
        let Some(index) = self
            .concerns
            .waiting
            .iter()
            .position(|i| i.concern.receipt == receipt)
        else {
            return Err(Invalid {
                field: String::new(),
                message: format!(
                    "Concern {receipt} is no longer waiting: press {}",
                    keymap::key_for(keymap::FORM, Action::Cancel)
                ),
            });
        };
        let (Some(book), Some(form)) = (self.book.as_mut(), self.form.as_ref()) else {
            return Err(Invalid {
                field: String::new(),
                message: "The logbook is not open".into(),
            });
        };
        let how = match form.kind {
            FormKind::NewIncident => TakeIn::NewIncident(forms::summary(form, now)?),
            _ if form.field("incident").is_some() => TakeIn::AddTo(form.value("incident")),
            _ => TakeIn::NoFurtherAction(form.field("reason").map(Field::text).unwrap_or_default()),
        };
        let said = book.take_in_concern(&stamp, &self.concerns.waiting[index].concern, how)?;
        let mut taken = self.concerns.waiting.remove(index);
        taken.concern.zeroize();
        self.concerns.done.push(taken.path);
        let len = self.concerns_len();
        if let Some(Screen::Concerns { selected }) = self.screens.last_mut() {
            *selected = (*selected).min(len.saturating_sub(1));
        }
        Ok(said)
    }

    /// The logbook is saved (durably): the files of the concerns it took in can go.
    pub fn concerns_saved(&mut self) {
        if !self.concerns.done.is_empty() {
            let done = std::mem::take(&mut self.concerns.done);
            self.effects.push(Effect::RemoveConcerns(done));
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::concern::SetAside;

    fn now() -> NaiveDateTime {
        crate::demo::demo_now()
    }

    fn press(app: &mut App, code: KeyCode) {
        app.key(KeyEvent::new(code, KeyModifiers::NONE));
    }

    use crate::tui::tests::snap;

    fn concern(receipt: &str, what: &str) -> Concern {
        let written = chrono::FixedOffset::east_opt(0)
            .unwrap()
            .from_local_datetime(&(now() - chrono::Duration::minutes(50)))
            .unwrap();
        Concern {
            receipt: receipt.into(),
            written,
            what: what.into(),
            when: "today, morning break".into(),
            who: "JB Y9".into(),
            place: "Snapchat".into(),
            action: "Listened; told JB I would pass it on.".into(),
            by: "A. Khan".into(),
            role: "Form tutor".into(),
        }
    }

    /// The demo app with an inbox, on the Concerns screen, with two concerns and one file
    /// set aside, as the loop would hand them over.
    fn app_with_concerns() -> App {
        let mut book = crate::demo::logbook().unwrap();
        book.settings.concern_inbox = "/srv/share/concerns".into();
        let mut app = App::ready("logbook.age".into(), now(), book, "RO".into());
        press(&mut app, KeyCode::Char('C'));
        assert!(matches!(app.screen(), Screen::Concerns { selected: 0 }));
        assert!(
            app.effects
                .iter()
                .any(|e| matches!(e, Effect::ReadConcerns))
        );
        app.effects.clear();
        app.concerns_read(Ok(crate::concern::Inbox {
            concerns: vec![
                Incoming {
                    path: "/srv/share/concerns/concern-1.age".into(),
                    concern: concern(
                        "C-7K3Q-9XPD",
                        "JB (Y9) told me \"they keep posting my photo with horrible comments\" and showed me the group chat.",
                    ),
                },
                Incoming {
                    path: "/srv/share/concerns/concern-2.age".into(),
                    concern: concern("C-M2XD-4KQ7", "Saw a Year 7 pupil crying over messages on her phone"),
                },
            ],
            set_aside: vec![SetAside {
                name: "concern-0f3a.age".into(),
                problem: crate::concern::Problem::Damaged("not a whole age file".into()),
                moved: Ok("/srv/share/concerns/set-aside/concern-0f3a.age".into()),
            }],
            aside: vec![crate::concern::Aside {
                name: "concern-0f3a.age".into(),
                why: Some("it is damaged (not a whole age file); what to do: ask staff who passed on a concern lately to write it again.".into()),
            }],
            warnings: Vec::new(),
        }));
        app
    }

    /// Tester finding #29: a damaged file was set aside with "C says why" in the status
    /// bar, but the next look (each starts afresh) found nothing new and the Concerns
    /// screen never said which file or why.
    #[test]
    fn files_set_aside_stay_listed_with_why_on_every_look() {
        let dir = tempfile::tempdir().unwrap();
        let name = "concern-ffff456789abcdef0123456789abcdef.age";
        std::fs::write(dir.path().join(name), b"garbage2\n").unwrap();
        let mut book = crate::demo::logbook().unwrap();
        book.settings.concern_inbox = "/srv/share/concerns".into();
        let key = crate::vault::Key::Identities(crate::vault::Identities::one(
            age::x25519::Identity::generate(),
        ));
        let mut app = App::ready("logbook.age".into(), now(), book, "RO".into());
        press(&mut app, KeyCode::Char('C'));
        for look in 0..2 {
            let inbox =
                crate::concern::read_inbox(dir.path(), &key, app.book.as_ref().unwrap(), &[])
                    .map_err(|e| e.to_string());
            app.concerns_read(inbox);
            if look == 0 {
                assert!(
                    app.message
                        .as_deref()
                        .unwrap()
                        .contains("set aside (C says why)")
                );
            }
        }
        assert!(!dir.path().join(name).exists());
        let screen = crate::tui::tests::render(&mut app, 100, 30);
        assert!(screen.contains(&format!("set-aside/{name}")), "{screen}");
        assert!(screen.contains("damaged"), "{screen}");
        assert!(screen.contains("write it again"), "{screen}");
        snap("concerns-set-aside", &mut app);
    }

    /// A concern names its logbook by the trail's first hash: looking before the trail
    /// has been read would set every concern aside as written for another logbook (the
    /// staff-concern tmux test caught it).
    #[test]
    fn the_inbox_is_read_only_once_the_trail_is_here() {
        let mut book = crate::demo::logbook().unwrap();
        book.settings.concern_inbox = "/srv/share/concerns".into();
        book.trail_pending = true;
        let mut app = App::ready("logbook.age".into(), now(), book, "RO".into());
        app.effects.clear();
        app.read_concerns();
        assert!(
            !app.effects
                .iter()
                .any(|e| matches!(e, Effect::ReadConcerns)),
            "read before the trail"
        );
        app.book.as_mut().unwrap().trail_pending = false;
        app.read_concerns();
        assert!(
            app.effects
                .iter()
                .any(|e| matches!(e, Effect::ReadConcerns))
        );
        let mut pending = crate::demo::logbook().unwrap();
        pending.trail_pending = true;
        let dir = tempfile::tempdir().unwrap();
        let key = crate::vault::Key::Identities(crate::vault::Identities::one(
            age::x25519::Identity::generate(),
        ));
        assert!(crate::concern::read_inbox(dir.path(), &key, &pending, &[]).is_err());
    }

    /// Tester4 #13: 30 concerns waiting at 80x24 showed 17 rows and nothing said more were
    /// below (or, at the end, above), unlike the list and the register.
    #[test]
    fn concerns_beyond_the_screen_are_said_on_the_border() {
        let mut app = app_with_concerns();
        let one = app.concerns.waiting[1].clone();
        app.concerns.waiting = (0..30)
            .map(|n| Incoming {
                path: format!("/srv/share/concerns/concern-{n}.age").into(),
                concern: Concern {
                    receipt: format!("C-TEST-{n:04}"),
                    ..one.concern.clone()
                },
            })
            .collect();
        let screen = crate::tui::tests::render(&mut app, 80, 24);
        let border =
            |screen: &str, sign: &str| screen.lines().any(|l| l.contains(sign) && l.contains('─'));
        assert!(border(&screen, "more concerns"), "{screen}");
        let shown = screen.matches("C-TEST-").count();
        assert!(
            border(&screen, &format!("↓ {} more concerns", 30 - shown)),
            "{screen}"
        );
        for _ in 0..29 {
            press(&mut app, KeyCode::Down);
        }
        let screen = crate::tui::tests::render(&mut app, 80, 24);
        assert!(screen.contains("C-TEST-0029"), "{screen}");
        let shown = screen.matches("C-TEST-").count();
        assert!(
            border(&screen, &format!("↑ {} more concerns", 30 - shown)),
            "{screen}"
        );
        assert!(!screen.contains("↓"), "{screen}");
    }

    #[test]
    fn the_concerns_screen_lists_them_and_the_status_bar_counts_them() {
        let mut app = app_with_concerns();
        assert_eq!(app.concerns_status().as_deref(), Some("2 new concerns (C)"));
        assert!(
            app.message
                .as_deref()
                .unwrap()
                .contains("2 new concerns from staff")
        );
        snap("concerns", &mut app);
        press(&mut app, KeyCode::Char('?'));
        snap("help-concerns", &mut app);
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Enter);
        snap("concern-read", &mut app);
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
        assert!(matches!(app.screen(), Screen::List));
        snap("list-with-concerns", &mut app);
    }

    /// Tester finding: the reader's hint named n, a and d, but n and d did nothing
    /// there and `?` closed the reader instead of showing help.
    #[test]
    fn the_concern_reader_keys_do_what_its_hint_says() {
        for (key, title) in [('n', "incident"), ('a', "Add"), ('d', "action")] {
            let mut app = app_with_concerns();
            press(&mut app, KeyCode::Enter);
            assert!(app.popup.is_some());
            press(&mut app, KeyCode::Char(key));
            assert!(app.popup.is_none(), "{key} closes the reader");
            let form = app
                .form
                .as_ref()
                .unwrap_or_else(|| panic!("{key} opens no form"));
            assert!(form.title.contains(title), "{key}: {}", form.title);
            assert!(form.concern.is_some());
        }
        let mut app = app_with_concerns();
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('?'));
        assert!(
            app.popup.is_some() && app.help.is_some(),
            "? opens help over the reader"
        );
        snap("help-concern-read", &mut app);
        press(&mut app, KeyCode::Esc);
        assert!(app.popup.is_some() && app.help.is_none());
        press(&mut app, KeyCode::Esc);
        assert!(app.popup.is_none() && !app.concerns.reading);
    }

    #[test]
    fn a_concern_becomes_an_incident_and_its_file_goes_only_after_the_save() {
        let mut app = app_with_concerns();
        let before = app.book.as_ref().unwrap().incidents.len();
        press(&mut app, KeyCode::Char('n'));
        let form = app.form.as_ref().unwrap();
        assert_eq!(form.value("reported_by"), "A. Khan (Form tutor)");
        assert_eq!(form.value("platform"), "Snapchat");
        assert!(form.value("description").starts_with("JB (Y9) told me"));
        snap("concern-new-incident", &mut app);
        // Submitting without a type is refused, and nothing is taken in.
        app.key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert!(app.form.is_some());
        assert_eq!(app.concerns.waiting.len(), 2);
        app.form
            .as_mut()
            .unwrap()
            .field_mut("types")
            .unwrap()
            .chosen = Some(0);
        app.key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert!(
            app.form.is_none(),
            "{:?}",
            app.form.as_ref().map(|f| &f.error)
        );
        let book = app.book.as_ref().unwrap();
        assert_eq!(book.incidents.len(), before + 1);
        let record = book.concern("C-7K3Q-9XPD").unwrap();
        let ConcernOutcome::NewIncident { incident, evidence } = &record.outcome else {
            panic!("{:?}", record.outcome)
        };
        let item = book
            .incident(incident)
            .unwrap()
            .evidence
            .iter()
            .find(|e| &e.id == evidence)
            .unwrap();
        assert_eq!(item.kind, EvidenceKind::StaffConcern);
        book.verify_audit().unwrap();
        assert!(app.effects.iter().any(|e| matches!(e, Effect::Save)));
        assert!(
            !app.effects
                .iter()
                .any(|e| matches!(e, Effect::RemoveConcerns(_)))
        );
        app.effects.clear();
        assert_eq!(app.concerns.waiting.len(), 1);
        assert_eq!(app.concerns_status().as_deref(), Some("1 new concern (C)"));
        // A save that failed, or one not flushed, removes nothing.
        app.saving();
        app.saved(Err("disk full".into()));
        app.saving();
        app.saved_unflushed("not flushed".into());
        assert!(app.effects.is_empty());
        app.saving();
        app.saved(Ok(()));
        let removed: Vec<_> = app
            .effects
            .iter()
            .filter_map(|e| match e {
                Effect::RemoveConcerns(f) => Some(f.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            removed,
            vec![vec![PathBuf::from("/srv/share/concerns/concern-1.age")]]
        );
    }

    #[test]
    fn added_to_an_incident_or_no_further_action_with_a_reason() {
        let mut app = app_with_concerns();
        press(&mut app, KeyCode::Char('a'));
        snap("concern-add-to", &mut app);
        // Enter opens the incident picker; Enter chooses the first.
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        let chosen = app.form.as_ref().unwrap().value("incident");
        app.key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert!(app.form.is_none());
        let book = app.book.as_ref().unwrap();
        assert!(matches!(
            &book.concern("C-7K3Q-9XPD").unwrap().outcome,
            ConcernOutcome::AddedTo { incident, .. } if *incident == chosen
        ));
        press(&mut app, KeyCode::Char('d'));
        snap("concern-no-further-action", &mut app);
        // A reason is required.
        app.key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert!(app.form.is_some());
        for c in "Parent already informed".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        app.key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert!(app.form.is_none());
        let book = app.book.as_ref().unwrap();
        assert!(matches!(
            &book.concern("C-M2XD-4KQ7").unwrap().outcome,
            ConcernOutcome::NoFurtherAction { reason } if reason == "Parent already informed"
        ));
        book.verify_audit().unwrap();
        assert!(app.concerns.waiting.is_empty());
        assert_eq!(app.concerns.done.len(), 2);
    }

    fn ctrl_s(app: &mut App) {
        app.key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    }

    fn type_text(app: &mut App, text: &str) {
        for c in text.chars() {
            press(app, KeyCode::Char(c));
        }
    }

    /// Tester3 #43: a concern closed with "no further action" could never be read again
    /// in the app, nor added to the incident it turned out to belong to.
    #[test]
    fn concerns_taken_in_are_read_with_the_decision_and_one_is_added_to_an_incident_later() {
        let mut app = app_with_concerns();
        press(&mut app, KeyCode::Char('j'));
        press(&mut app, KeyCode::Char('d'));
        type_text(&mut app, "Looked like a game advert; parent aware");
        ctrl_s(&mut app);
        assert!(app.form.is_none());
        // Tab: those taken in, with what was decided.
        press(&mut app, KeyCode::Tab);
        assert!(app.concerns.taken_view);
        let screen = crate::tui::tests::render(&mut app, 100, 30);
        assert!(screen.contains("no further action"), "{screen}");
        assert!(screen.contains("Saw a Year 7 pupil crying"), "{screen}");
        snap("concerns-taken", &mut app);
        press(&mut app, KeyCode::Enter);
        let text = &app.popup.as_ref().unwrap().text;
        assert!(
            text.contains("Decision: no further action. Reason: Looked like a game advert"),
            "{text}"
        );
        assert!(text.contains("by RO on"), "{text}");
        snap("concern-taken-read", &mut app);
        // a: add it to an incident after all, saying why.
        press(&mut app, KeyCode::Char('a'));
        assert!(app.popup.is_none());
        let form = app.form.as_ref().expect("the add-later form");
        assert!(form.title.contains("after all"), "{}", form.title);
        snap("concern-add-later", &mut app);
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        let chosen = app.form.as_ref().unwrap().value("incident");
        // Why is required.
        ctrl_s(&mut app);
        assert!(app.form.is_some());
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "A second concern names the same sender");
        ctrl_s(&mut app);
        assert!(
            app.form.is_none(),
            "{:?}",
            app.form.as_ref().map(|f| &f.error)
        );
        let book = app.book.as_ref().unwrap();
        let r = book.concern("C-M2XD-4KQ7").unwrap();
        assert!(matches!(
            &r.outcome,
            ConcernOutcome::AddedTo { incident, .. } if *incident == chosen
        ));
        assert_eq!(r.earlier.len(), 1);
        book.verify_audit().unwrap();
        assert!(app.effects.iter().any(|e| matches!(e, Effect::Save)));
        // Once in an incident, a says so rather than adding it twice.
        press(&mut app, KeyCode::Char('a'));
        assert!(app.form.is_none());
        assert!(
            app.message.as_deref().unwrap().contains("already evidence"),
            "{:?}",
            app.message
        );
        // Tab again: those waiting.
        press(&mut app, KeyCode::Tab);
        assert!(!app.concerns.taken_view);
        assert_eq!(app.concerns.waiting.len(), 1);
    }

    /// Tester3 #32: with the folder not there (a stick not plugged in), the screen said
    /// "No new concerns" over an empty table, and the reason sat in the "Set aside" box.
    #[test]
    fn a_folder_that_cannot_be_read_is_said_on_the_screen_not_no_new_concerns() {
        let mut app = app_with_concerns();
        app.concerns_read(Err(
            "The concern inbox /media/STICK/concerns is not there: plug in the drive it is on, or set it up again with `logbook concern-setup --inbox DIR`.".into(),
        ));
        let screen = crate::tui::tests::render(&mut app, 100, 30);
        assert!(!screen.contains("No new concerns"), "{screen}");
        assert!(!screen.contains("Set aside"), "{screen}");
        assert!(screen.contains("could not be read"), "{screen}");
        snap("concerns-folder-missing", &mut app);
    }

    /// Tester3 #28: the status bar counted only the files set aside at this look, while
    /// the screen listed every file in set-aside/.
    #[test]
    fn the_message_counts_every_file_set_aside() {
        let mut app = app_with_concerns();
        let aside = |n: usize| crate::concern::Aside {
            name: format!("concern-{n:032x}.age"),
            why: Some("it is damaged; what to do: ask staff to write it again.".into()),
        };
        app.concerns_read(Ok(crate::concern::Inbox {
            concerns: Vec::new(),
            set_aside: vec![SetAside {
                name: "concern-0f3a.age".into(),
                problem: crate::concern::Problem::Damaged("not a whole age file".into()),
                moved: Ok("/srv/share/concerns/set-aside/concern-0f3a.age".into()),
            }],
            aside: (0..3).map(aside).collect(),
            warnings: Vec::new(),
        }));
        assert_eq!(
            app.message.as_deref(),
            Some("3 files in the concern folder set aside, 1 just now (C says why).")
        );
    }

    /// Tester3 #28 and #32: the reader labelled the staff member's action "What they did"
    /// where the evidence item says "What I did", and showed "today 12:50" with no day.
    #[test]
    fn the_reader_labels_as_the_evidence_does_and_dates_when() {
        let app = app_with_concerns();
        let text = full_text(&app.concerns.waiting[0].concern);
        assert!(text.contains("What I did: Listened"), "{text}");
        assert!(!text.contains("What they did"), "{text}");
        let written = app.concerns.waiting[0].concern.written;
        assert!(
            text.contains(&format!(
                "When: today, morning break (written {})",
                written.format("%a %Y-%m-%d %H:%M")
            )),
            "{text}"
        );
    }

    /// A concern written in paragraphs (tester3 #44 keeps its empty lines) is listed by
    /// its first words, not with its line breaks shown as "\n\n".
    #[test]
    fn a_concern_in_paragraphs_is_listed_by_its_first_words() {
        let mut app = app_with_concerns();
        app.concerns.waiting[0].concern.what =
            "She showed me this message:\n\nyou better not".into();
        let screen = crate::tui::tests::render(&mut app, 100, 30);
        assert!(
            screen.contains("She showed me this message: you better not"),
            "{screen}"
        );
        assert!(!screen.contains("\\n"), "{screen}");
    }

    /// Tester3 #47: E on a "Staff concern" evidence item rewrote the member of staff's
    /// words; the form now says they are kept as written, and a change is refused in one
    /// sentence while a custody event is still added.
    #[test]
    fn the_words_of_a_staff_concern_item_are_kept_as_written() {
        let mut app = app_with_concerns();
        press(&mut app, KeyCode::Char('n'));
        app.form
            .as_mut()
            .unwrap()
            .field_mut("types")
            .unwrap()
            .chosen = Some(0);
        ctrl_s(&mut app);
        let book = app.book.as_ref().unwrap();
        let ConcernOutcome::NewIncident { incident, evidence } =
            &book.concern("C-7K3Q-9XPD").unwrap().outcome
        else {
            panic!()
        };
        let (id, ev) = (incident.clone(), evidence.clone());
        let item = book
            .incident(&id)
            .unwrap()
            .evidence
            .iter()
            .find(|e| e.id == ev)
            .unwrap()
            .clone();
        let open = |app: &mut App| {
            app.form = Some(forms::edit_evidence(
                app.book.as_ref().unwrap(),
                &id,
                &item,
                "RO",
                now(),
            ));
        };
        open(&mut app);
        let notice = app.form.as_ref().unwrap().notice.clone().unwrap();
        assert!(notice.contains("kept as its author wrote it"), "{notice}");
        let before = app.book.clone();
        let form = app.form.as_mut().unwrap();
        form.field_mut("description")
            .unwrap()
            .set_text("At lunch KL (Y9) said a boy shared a photo of her.");
        ctrl_s(&mut app);
        let form = app.form.as_ref().expect("refused, the form stays");
        let said = form
            .fields
            .iter()
            .filter_map(|f| f.error.clone())
            .chain(form.error.clone())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            said.contains(
                "staff concern C-7K3Q-9XPD as A. Khan wrote it, so it is kept as written"
            ),
            "{said}"
        );
        assert_eq!(app.book, before);
        // Untouched, with a custody event: saved.
        open(&mut app);
        let form = app.form.as_mut().unwrap();
        form.field_mut("custody")
            .unwrap()
            .set_text("Printed copy handed to PC 2231 Hale");
        ctrl_s(&mut app);
        assert!(
            app.form.is_none(),
            "{:?}",
            app.form.as_ref().map(|f| &f.error)
        );
        let book = app.book.as_ref().unwrap();
        let kept = book
            .incident(&id)
            .unwrap()
            .evidence
            .iter()
            .find(|e| e.id == ev)
            .unwrap();
        assert_eq!(kept.description, item.description);
        assert_eq!(kept.custody.len(), 1);
    }

    #[test]
    fn locking_drops_the_concern_form_and_wipes_the_concerns() {
        let mut app = app_with_concerns();
        press(&mut app, KeyCode::Char('n'));
        app.lock();
        assert!(app.form.is_none());
        app.locked(None);
        assert!(app.message.as_deref().unwrap().contains("still waiting"));
        assert!(app.concerns.waiting.is_empty());
        assert_eq!(app.concerns_status(), None);
    }
}
