//! The forms of the app, one module per form (or per family of forms on one record): how
//! each is built from the logbook, and which of the model's audited operations submitting it
//! calls. Forms only turn fields into those operations: every rule lives in the model, and
//! every refusal comes back as one sentence naming its field, shown beside that field.
//!
//! Edit forms are the new forms' field lists filled from the record (`Form::fill`), so which
//! fields are required is stated once, in the new form.

mod checklist;
mod close;
mod dispose;
mod evidence;
mod fields;
mod incident;
mod person;
mod report;
mod review;
mod settings;
mod setup;
mod view;

#[cfg(test)]
mod screens;

use chrono::NaiveDateTime;

use super::form::*;
use crate::model::*;

pub use checklist::{not_applicable, tick_step};
pub use close::{close, mark_error, reopen, unlink, withdraw_error};
pub use dispose::dispose;
pub use evidence::{copy_confirmed, copy_question, edit_evidence, evidence, register_file};
pub use incident::{incident, link_related, summary};
pub use person::{
    duplicate_warning, edit_person, link_person, new_person, person_error,
    withdraw_error as withdraw_person_error,
};
pub use report::{edit_report, late_question, report};
pub use review::{far_date, hold_review, schedule_review};
pub use settings::settings;
pub use setup::{names as setup_names, setup, strength};
pub use view::draw;

/// Guidance that depends on what is chosen: the imagery rule, an agency's reference, a
/// duplicate warning that no longer applies.
pub fn refresh_notice(form: &mut Form) {
    match form.kind {
        FormKind::NewIncident | FormKind::EditIncident(_) => incident::refresh_notice(form),
        FormKind::Report(_) | FormKind::EditReport(..) => report::refresh_notice(form),
        FormKind::LinkPerson(_) => person::refresh_notice(form),
        _ => {}
    }
}

/// A fresh form of the given kind, as its action would open it (for restoring a draft).
pub fn rebuild(kind: &FormKind, book: &Logbook, who: &str, now: NaiveDateTime) -> Option<Form> {
    Some(match kind {
        FormKind::Setup => setup(),
        FormKind::NewIncident => incident(book, who, now, None),
        FormKind::EditIncident(id) => incident(book, who, now, Some(book.incident(id)?)),
        FormKind::LinkPerson(id) => link_person(book, id),
        FormKind::NewPerson => new_person(),
        FormKind::EditPerson(id) => edit_person(book.person(id)?),
        FormKind::PersonError(id) => person_error(book.person(id)?),
        FormKind::LinkRelated(id) => link_related(book, id),
        FormKind::Evidence(id) => evidence(book, id, who, now),
        FormKind::EditEvidence(id, ev) => {
            let item = book.incident(id)?.evidence.iter().find(|e| &e.id == ev)?;
            edit_evidence(book, id, item, who, now)
        }
        FormKind::RegisterFile(id, ev) => register_file(id, ev),
        FormKind::Report(id) => report(book, id, who, now),
        FormKind::EditReport(id, rs) => {
            let step = book.incident(id)?.reports.iter().find(|r| &r.id == rs)?;
            edit_report(book, id, step, who, now)
        }
        FormKind::ScheduleReview(id) | FormKind::RescheduleReview(id, _) => {
            schedule_review(book, id, now)
        }
        FormKind::HoldReview(id, rv) => hold_review(book, id, rv, who, now),
        FormKind::Close(id) => close(book, id),
        FormKind::Reopen(id) => reopen(id),
        FormKind::MarkError(id, target) => mark_error(book.incident(id)?, target.clone()),
        FormKind::WithdrawError(id, target) => {
            close::withdraw_error(book.incident(id)?, target.clone())
        }
        FormKind::WithdrawPersonError(id) => withdraw_person_error(book.person(id)?),
        FormKind::Unlink(id, person, role) => close::unlink(book, id, person, *role),
        FormKind::NotApplicable(id, step) => {
            not_applicable(id, *step, &book.incident(id)?.checklist.get(*step)?.step)
        }
        FormKind::TickStep(id, step) => tick_step(book, id, *step, now)?,
        FormKind::Settings => settings(book),
        // A concern form is never kept over a lock: the concern waits in the inbox.
        FormKind::Concern => return None,
        FormKind::Export(id) => super::records::export_form(book, id)?,
        FormKind::Dispose(id) => dispose(book, id, now.date())?,
    })
}

/// A form's refusals: every field found wrong, to be marked at once (`Form::refuse_all`)
/// rather than one per save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub Vec<Invalid>);

impl From<Invalid> for Refused {
    fn from(e: Invalid) -> Refused {
        Refused(vec![e])
    }
}

impl Refused {
    /// The first refusal, where only one can be given (the command line, a concern).
    pub fn first(self) -> Invalid {
        self.0.into_iter().next().unwrap_or_else(|| Invalid {
            field: String::new(),
            message: "Not saved: check the form".into(),
        })
    }
}

/// What a saved form leaves: the message for the status bar, and the incident to open.
#[derive(Debug)]
pub struct Done {
    pub message: String,
    pub open: Option<String>,
}

/// Applies a submitted form to the logbook through its module. A new incident is opened
/// once recorded, with the review the model put in its diary announced.
pub fn submit(form: &Form, book: &mut Logbook, stamp: &Stamp) -> Result<Done, Refused> {
    // The number a new person is given, for the record of who drafted them.
    let new_person = book.next_person_id();
    let mut done = if form.kind != FormKind::NewIncident {
        submit_change(form, book, stamp).map(|message| Done {
            message,
            open: None,
        })?
    } else {
        let id = incident::record(form, book, stamp)?;
        let review = book
            .incident(&id)
            .and_then(|i| i.reviews.first())
            .map_or_else(String::new, |r| format!(" Review {} due {}.", r.id, r.due));
        let link = super::keymap::key_for(super::keymap::DETAIL, super::keymap::Action::LinkPerson);
        Done {
            message: format!("{id} recorded.{review} {link} links the people."),
            open: Some(id),
        }
    };
    if !form.drafted_by().is_empty()
        && let Some(subject) = drafted_subject(&form.kind, done.open.as_deref(), new_person)
    {
        let names = form.drafted_by().join(" and ");
        book.record_drafted_by(stamp, subject, &names)?;
        done.message = format!(
            "{} Recorded as drafted by {}.",
            done.message,
            crate::text::line(&names)
        );
    }
    Ok(done)
}

/// What a form's save changed, for the record that someone else drafted it (`None` where
/// nothing stays to record it on: a disposal, a concern, an export, the set-up).
fn drafted_subject(kind: &FormKind, opened: Option<&str>, new_person: String) -> Option<Subject> {
    Some(match kind {
        FormKind::NewIncident => Subject::Incident(opened?.to_string()),
        FormKind::NewPerson => Subject::Person(new_person),
        FormKind::EditPerson(id)
        | FormKind::PersonError(id)
        | FormKind::WithdrawPersonError(id) => Subject::Person(id.clone()),
        FormKind::Settings => Subject::Settings,
        FormKind::Setup | FormKind::Concern | FormKind::Export(_) | FormKind::Dispose(_) => {
            return None;
        }
        FormKind::EditIncident(id)
        | FormKind::LinkPerson(id)
        | FormKind::LinkRelated(id)
        | FormKind::Evidence(id)
        | FormKind::EditEvidence(id, _)
        | FormKind::RegisterFile(id, _)
        | FormKind::Report(id)
        | FormKind::EditReport(id, _)
        | FormKind::ScheduleReview(id)
        | FormKind::RescheduleReview(id, _)
        | FormKind::HoldReview(id, _)
        | FormKind::Close(id)
        | FormKind::Reopen(id)
        | FormKind::MarkError(id, _)
        | FormKind::WithdrawError(id, _)
        | FormKind::NotApplicable(id, _)
        | FormKind::TickStep(id, _)
        | FormKind::Unlink(id, _, _) => Subject::Incident(id.clone()),
    })
}

/// On a save the form refused for what it checks itself (a time it cannot read, a
/// required field empty): what the model would refuse of the other fields is found by
/// submitting to a copy of the logbook, and marked too, so every wrong field is refused at
/// the first save. The copy is dropped; the logbook is not touched.
pub fn check_also(form: &mut Form, book: &Logbook, stamp: &Stamp) {
    let mut copy = book.clone();
    if let Err(refused) = submit(form, &mut copy, stamp) {
        form.refuse_also(&refused.0);
    }
}

/// Applies a form that changes what is already recorded. `Ok(message)` is shown in the
/// status bar.
fn submit_change(form: &Form, book: &mut Logbook, stamp: &Stamp) -> Result<String, Refused> {
    // Each module's refusal (one, or a form's several) becomes the form's refusals.
    Ok(match &form.kind {
        FormKind::Setup | FormKind::NewIncident | FormKind::Export(_) => {
            return Err(Refused::from(Invalid {
                field: String::new(),
                message: "This form is handled before the logbook is open".into(),
            }));
        }
        FormKind::EditIncident(id) => incident::submit_edit(form, book, stamp, id)?,
        FormKind::Settings => settings::submit(form, book, stamp)?,
        FormKind::LinkRelated(id) => incident::submit_related(form, book, stamp, id)?,
        FormKind::LinkPerson(id) => person::submit_link(form, book, stamp, id)?,
        FormKind::NewPerson => person::submit_new(form, book, stamp)?,
        FormKind::EditPerson(id) => person::submit_edit(form, book, stamp, id)?,
        FormKind::PersonError(id) => person::submit_error(form, book, stamp, id)?,
        FormKind::Evidence(id) => evidence::submit_new(form, book, stamp, id)?,
        FormKind::EditEvidence(id, ev) => evidence::submit_edit(form, book, stamp, id, ev)?,
        FormKind::RegisterFile(id, ev) => evidence::submit_file(form, book, stamp, id, ev)?,
        FormKind::Report(id) => report::submit_new(form, book, stamp, id)?,
        FormKind::EditReport(id, rs) => report::submit_edit(form, book, stamp, id, rs)?,
        FormKind::ScheduleReview(id) => review::submit_schedule(form, book, stamp, id)?,
        FormKind::RescheduleReview(id, rv) => review::submit_reschedule(form, book, stamp, id, rv)?,
        FormKind::HoldReview(id, rv) => review::submit_hold(form, book, stamp, id, rv)?,
        FormKind::Close(id) => close::submit_close(form, book, stamp, id)?,
        FormKind::Reopen(id) => close::submit_reopen(form, book, stamp, id)?,
        FormKind::MarkError(id, target) => close::submit_error(form, book, stamp, id, target)?,
        FormKind::WithdrawError(id, target) => {
            close::submit_withdraw(form, book, stamp, id, target)?
        }
        FormKind::WithdrawPersonError(id) => person::submit_withdraw(form, book, stamp, id)?,
        FormKind::Unlink(id, person, role) => {
            close::submit_unlink(form, book, stamp, id, person, *role)?
        }
        FormKind::NotApplicable(id, step) => {
            checklist::submit_not_applicable(form, book, stamp, id, *step)?
        }
        FormKind::TickStep(id, step) => checklist::submit_tick(form, book, stamp, id, *step)?,
        FormKind::Dispose(id) => dispose::submit(form, book, stamp, id)?,
        // Submitted by `tui::concerns`, which the app routes concern forms to.
        FormKind::Concern => {
            return Err(Refused::from(fields::refused(
                "",
                format!(
                    "Take the concern in from the Concerns screen ({})",
                    super::keymap::key_for(super::keymap::LIST, super::keymap::Action::Concerns)
                ),
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Logbook {
        crate::demo::logbook().unwrap()
    }

    fn stamp() -> Stamp {
        Stamp::new("RO", crate::demo::demo_now().and_utc().fixed_offset())
    }

    fn set(form: &mut Form, key: &str, text: &str) {
        form.field_mut(key).unwrap().set_text(text);
    }

    #[test]
    fn an_unparsable_date_is_refused_naming_the_field_not_read_as_now() {
        let mut b = book();
        let now = crate::demo::demo_now();
        let mut form = incident(&b, "RO", now, None);
        set(&mut form, "description", "Messages in a group chat");
        set(&mut form, "reported_by", "Form tutor");
        form.field_mut("types").unwrap().chosen = Some(0);
        set(&mut form, "occurred", "last tuesday");
        let before = b.clone();
        let e = submit(&form, &mut b, &stamp()).unwrap_err().first();
        assert_eq!(e.field, "occurred");
        assert!(e.message.starts_with("When it happened: "), "{e}");
        assert_eq!(b, before);
    }

    #[test]
    fn an_unparsable_number_is_refused_naming_the_field_not_read_as_0() {
        let mut b = book();
        let mut form = settings(&b);
        set(&mut form, "backup_keep", "ten");
        let before = b.clone();
        let e = submit(&form, &mut b, &stamp()).unwrap_err().first();
        assert_eq!(e.field, "backup_keep");
        assert!(
            e.message.contains("Backups to keep") && e.message.contains("ten"),
            "{e}"
        );
        assert_eq!(b, before);
        let mut form = new_person();
        set(&mut form, "reference", "QX");
        set(&mut form, "birth_year", "2O12");
        let e = submit(&form, &mut b, &stamp()).unwrap_err().first();
        assert_eq!(e.field, "birth_year");
    }

    #[test]
    fn editing_keeps_a_recorder_who_is_not_in_todays_staff_list() {
        let mut b = book();
        let s = stamp();
        b.update_settings(&s, |st| st.staff = vec!["RO".into()])
            .unwrap();
        let (id, ev, rs) = b
            .incidents
            .iter()
            .find_map(|i| {
                let ev = i.evidence.iter().find(|e| e.captured_by != "RO")?;
                let rs = i.reports.iter().find(|r| r.by != "RO")?;
                Some((i.id.clone(), ev.clone(), rs.clone()))
            })
            .expect("the demo has entries by other staff");
        let now = crate::demo::demo_now();
        let form = edit_evidence(&b, &id, &ev, "RO", now);
        assert_eq!(form.value("captured_by"), ev.captured_by);
        let form = edit_report(&b, &id, &rs, "RO", now);
        assert_eq!(form.value("by"), rs.by);
    }

    fn open_incident_with_a_step(b: &Logbook) -> String {
        b.incidents
            .iter()
            .find(|i| {
                i.status != Status::Closed
                    && i.error.is_none()
                    && i.checklist.iter().any(|c| c.state == StepState::Open)
            })
            .map(|i| i.id.clone())
            .expect("the demo has an open incident with an open step")
    }

    /// Tester finding 41: saving an untouched evidence form cut the seconds off its
    /// Captured time (a concern's exact time) and recorded that as a change.
    #[test]
    fn an_untouched_time_keeps_its_seconds_and_records_no_change() {
        use chrono::Timelike;
        let mut b = book();
        let s = stamp();
        let now = crate::demo::demo_now();
        let id = open_incident_with_a_step(&b);
        let captured = (now - chrono::Duration::minutes(30))
            .with_second(12)
            .unwrap()
            .with_nanosecond(743_040_059)
            .unwrap();
        let details = EvidenceDetails {
            copy_confirmed: false,
            kind: EvidenceKind::Screenshot,
            description: "Staff concern".into(),
            source: String::new(),
            captured,
            captured_by: "RO".into(),
            kept_at: "In this logbook".into(),
        };
        let ev = b.add_evidence(&s, &id, details).unwrap();
        let item = |b: &Logbook| {
            b.incident(&id)
                .unwrap()
                .evidence
                .iter()
                .find(|e| e.id == ev)
                .unwrap()
                .clone()
        };
        let entries = b.audit.len();
        let form = edit_evidence(&b, &id, &item(&b), "RO", now);
        let _ = submit(&form, &mut b, &s);
        assert_eq!(item(&b).captured, captured);
        assert_eq!(b.audit.len(), entries, "nothing was changed");
        // Another field changed: the time is still kept as it was.
        let mut form = edit_evidence(&b, &id, &item(&b), "RO", now);
        set(&mut form, "captured_by", "KW");
        submit(&form, &mut b, &s).unwrap();
        assert_eq!(item(&b).captured, captured);
        assert_eq!(item(&b).captured_by, "KW");
        // A time typed is taken as typed.
        let typed = captured.with_second(0).unwrap().with_nanosecond(0).unwrap()
            - chrono::Duration::minutes(5);
        let mut form = edit_evidence(&b, &id, &item(&b), "RO", now);
        set(&mut form, "captured", &fields::when(typed));
        submit(&form, &mut b, &s).unwrap();
        assert_eq!(item(&b).captured, typed);
    }

    /// Tester finding 36: a custody time in the future was refused beside the custody
    /// event's text (and so not selected for typing over); it belongs beside its time.
    #[test]
    fn a_custody_time_in_the_future_is_refused_beside_its_time() {
        let mut b = book();
        let s = stamp();
        let now = crate::demo::demo_now();
        let (id, item) = b
            .incidents
            .iter()
            .filter(|i| i.status != Status::Closed && i.error.is_none())
            .find_map(|i| Some((i.id.clone(), i.evidence.first()?.clone())))
            .expect("an open incident with evidence");
        let mut form = edit_evidence(&b, &id, &item, "RO", now);
        set(&mut form, "custody", "Phone handed to PC 2231 Hale");
        set(
            &mut form,
            "custody_when",
            &fields::when(now + chrono::Duration::hours(2)),
        );
        let refused = submit(&form, &mut b, &s).unwrap_err();
        form.refuse_all(&refused.0);
        assert!(form.field("custody").unwrap().shown_error().is_none());
        assert!(
            form.field("custody_when")
                .unwrap()
                .shown_error()
                .is_some_and(|e| e.contains("is in the future")),
            "{refused:?}"
        );
    }

    /// The reverse of tester finding 37: moving an incident's happened-date later than a
    /// step already done was saved; it is refused beside "When it happened".
    #[test]
    fn moving_the_happened_date_after_a_done_step_is_refused_beside_it() {
        let mut b = book();
        let s = stamp();
        let now = crate::demo::demo_now();
        let (id, done) = b
            .incidents
            .iter()
            .filter(|i| i.error.is_none())
            .find_map(|i| {
                let done = i.checklist.iter().find_map(|c| match c.state {
                    StepState::Done { when, .. } => Some(when),
                    _ => None,
                })?;
                Some((i.id.clone(), done))
            })
            .expect("the demo has a step done");
        let before = b.clone();
        let mut form = incident(&b, "RO", now, b.incident(&id));
        let later = done + chrono::Duration::days(1);
        set(&mut form, "occurred", &fields::when(later));
        set(&mut form, "reported", &fields::when(now));
        let refused = submit(&form, &mut b, &s).unwrap_err();
        assert_eq!(b, before);
        form.refuse_all(&refused.0);
        let shown = form.field("occurred").unwrap().shown_error();
        assert!(
            shown
                .is_some_and(|e| e.contains("was done") && e.contains("enter a time on or before")),
            "{refused:?}"
        );
    }

    /// The fields of `form` marked refused after `submit`, by key.
    fn refused_fields(form: &mut Form, b: &mut Logbook) -> Vec<&'static str> {
        let before = b.clone();
        let refused = submit(form, b, &stamp()).unwrap_err();
        assert_eq!(*b, before, "a refused form changes nothing");
        form.refuse_all(&refused.0);
        form.fields
            .iter()
            .filter(|f| f.shown_error().is_some())
            .map(|f| f.key)
            .collect()
    }

    fn open_with_evidence(b: &Logbook) -> (String, Evidence) {
        b.incidents
            .iter()
            .filter(|i| i.status != Status::Closed && i.error.is_none())
            .find_map(|i| Some((i.id.clone(), i.evidence.first()?.clone())))
            .expect("an open incident with evidence")
    }

    /// Tester finding 4's remainder: the evidence, reporting and review forms stopped at
    /// their first refusal; every independent one is marked at the first save.
    #[test]
    fn the_evidence_reporting_and_review_forms_refuse_every_wrong_field_at_once() {
        let mut b = book();
        let now = crate::demo::demo_now();
        let later = fields::when(now + chrono::Duration::hours(2));
        // Evidence: the captured time and the custody time both in the future.
        let (id, item) = open_with_evidence(&b);
        let mut form = edit_evidence(&b, &id, &item, "RO", now);
        set(&mut form, "captured", &later);
        set(&mut form, "custody", "Phone handed to PC 2231 Hale");
        set(&mut form, "custody_when", &later);
        assert_eq!(
            refused_fields(&mut form, &mut b),
            ["captured", "custody_when"]
        );
        // A reporting step: dated before the incident, and to an agency that always gives
        // a reference, with none given.
        let occurred = b.incident(&id).unwrap().occurred;
        let mut form = report(&b, &id, "RO", now);
        form.fill("agency", |f| {
            f.with_choice(&fields::value_of(Agency::ActionFraud))
        });
        set(
            &mut form,
            "when",
            &fields::when(occurred - chrono::Duration::days(3)),
        );
        assert_eq!(refused_fields(&mut form, &mut b), ["when", "reference"]);
        // A review: held in the future, the next review not after it.
        let (id, rv) = b
            .incidents
            .iter()
            .filter(|i| i.status != Status::Closed && i.error.is_none())
            .find_map(|i| {
                let r = i
                    .reviews
                    .iter()
                    .find(|r| r.held.is_none() && r.cancelled.is_none() && r.error.is_none())?;
                Some((i.id.clone(), r.id.clone()))
            })
            .expect("an open incident with a review to hold");
        let mut form = hold_review(&b, &id, &rv, "RO", now);
        set(&mut form, "held", &later);
        set(&mut form, "outcome", "No further messages");
        form.fill("risk_now", |f| {
            f.with_choice(&fields::value_of(RiskLevel::Low))
        });
        set(&mut form, "next_review", &now.date().to_string());
        assert_eq!(refused_fields(&mut form, &mut b), ["held", "next_review"]);
    }

    /// Tester finding 37: a checklist step could be ticked as done years before the
    /// incident happened, unlike evidence, reports and reviews.
    #[test]
    fn a_step_is_not_done_before_the_incident_happened() {
        let mut b = book();
        let s = stamp();
        let id = open_incident_with_a_step(&b);
        let incident = b.incident(&id).unwrap();
        let step = incident
            .checklist
            .iter()
            .position(|c| c.state == StepState::Open)
            .unwrap();
        let before = incident.occurred - chrono::Duration::days(400);
        let e = b.tick_step(&s, &id, step, before).unwrap_err();
        assert_eq!(e.field, "when");
        assert!(e.message.contains("before the incident happened"), "{e}");
        let e = b
            .step_not_applicable(&s, &id, step, before, "Not needed")
            .unwrap_err();
        assert!(e.message.contains("before the incident happened"), "{e}");
    }
}
