//! The reporting-step form: a referral to an agency or a decision not to refer
//! (`add_reporting_step`, `record_not_referred`), and the same fields filled to update a
//! step, e.g. with the reference that arrived later (`edit_reporting_step`).

use chrono::NaiveDateTime;

use super::super::form::*;
use super::Refused;
use super::fields::*;
use crate::model::*;
use crate::reference::{IssuesReference, Reference};

pub fn report(book: &Logbook, id: &str, who: &str, now: NaiveDateTime) -> Form {
    let mut form = Form::new(
        FormKind::Report(id.to_string()),
        format!("Reporting step for {id}"),
        vec![
            Field::new("agency", "Agency", agency_choices()).required(),
            Field::new(
                "decision",
                "Decision",
                choices(Decision::ALL, Decision::label),
            )
            .required()
            .with_choice("Referred"),
            Field::new("when", "When", FieldKind::DateTime)
                .named("When it was reported")
                .required()
                .with_text(&when(now)),
            who_field(book, "by", "By", who),
            Field::new("method", "How", choices(Method::ALL, Method::label)).with_choice("Phone"),
            Field::new("reference", "Their reference number", FieldKind::Text),
            Field::new("reference_awaited", "Reference awaited", FieldKind::Toggle)
                .with_toggle(false),
            Field::new("contact", "Who was spoken to / address", FieldKind::Text),
            Field::new("outcome", "Outcome", FieldKind::Text),
            Field::new("follow_up_owed", "Follow-up owed", FieldKind::Toggle).with_toggle(false),
            Field::new("reason", "Reason (if not referred)", FieldKind::Multiline),
            // Last, so the keys that reach the fields above stay as they were.
            Field::new("agency_name", "Other agency's name", FieldKind::Text),
            Field::new(
                "delay_reason",
                "Reason for any delay (later than the timescale)",
                FieldKind::Text,
            ),
        ],
    );
    refresh_notice(&mut form);
    form
}

/// The reporting-step form filled from an existing step. The old values stay in the
/// history.
pub fn edit_report(
    book: &Logbook,
    id: &str,
    step: &ReportingStep,
    who: &str,
    now: NaiveDateTime,
) -> Form {
    let mut form = report(book, id, who, now);
    form.kind = FormKind::EditReport(id.to_string(), step.id.clone());
    form.title = format!("Update {} {}", id, step.id);
    let method = step.method.map_or(String::new(), value_of);
    form.fill("agency", |f| f.with_choice(&value_of(step.agency)));
    form.fill("decision", |f| f.with_choice(&value_of(step.decision)));
    form.fill("when", |f| f.with_text(&when(step.when)));
    form.fill("by", |f| f.with_text(&step.by));
    form.fill("method", |f| f.with_choice(&method));
    form.fill("reference", |f| f.with_text(&step.reference));
    form.fill("reference_awaited", |f| {
        f.with_toggle(step.reference_awaited)
    });
    form.fill("contact", |f| f.with_text(&step.contact));
    form.fill("outcome", |f| f.with_text(&step.outcome));
    form.fill("follow_up_owed", |f| f.with_toggle(step.follow_up_owed));
    form.fill("reason", |f| f.with_text(&step.reason));
    form.fill("agency_name", |f| f.with_text(&step.agency_name));
    form.fill("delay_reason", |f| f.with_text(&step.delay_reason));
    refresh_notice(&mut form);
    form
}

/// What is required follows the decision: the reference is marked `*` when the agency
/// always gives one, unless it is marked awaited or the step records a decision not to
/// refer, and the reason is marked `*` for a decision not to refer (the model requires
/// both). The notice says what the chosen agency gives and how soon, or, for a decision
/// not to refer, what is and is not recorded.
pub fn refresh_notice(form: &mut Form) {
    let reference = Reference::get();
    let agency = pick(Agency::ALL, &form.value("agency"));
    let not_referred = form.value("decision") == value_of(Decision::NotReferred);
    let needed = agency
        .is_some_and(|a| reference.agency(a).issues_reference == IssuesReference::Always)
        && !not_referred
        && !toggled(form, "reference_awaited");
    if let Some(f) = form.field_mut("reference") {
        f.needed = needed;
    }
    if let Some(f) = form.field_mut("reason") {
        f.needed = not_referred;
    }
    form.notice = agency.map(|a| {
        let info = reference.agency(a);
        if not_referred {
            // No referral is made: what the agency would give does not apply, and the
            // model keeps no method, reference or follow-up for this decision.
            return format!(
                "{}: considered, not referred. The reason is recorded; How, the reference and a follow-up are not.",
                info.name
            );
        }
        let expect = match info.issues_reference {
            IssuesReference::Always => "a reference is always given",
            IssuesReference::Sometimes => "a reference may be given",
            IssuesReference::Never => "no reference is given",
        };
        let timescale = if info.timescale.is_empty() {
            String::new()
        } else {
            format!(" Timescale: {}.", info.timescale.trim_end_matches('.'))
        };
        let warning = reference
            .reference_warning(a, &form.value("reference"))
            .map_or(String::new(), |w| format!(" {w}."));
        format!(
            "{}: {expect}: {}.{timescale}{warning}",
            info.name,
            info.reference_format.trim_end_matches('.')
        )
    });
}

/// The step's fields, or every refusal of them at once: the values that cannot be read,
/// and what the model refuses of the rest (`Logbook::step_refusals`). `rs`: the step edited,
/// whose time is kept while its field is untouched (`kept_datetime`).
fn step_all(
    form: &Form,
    book: &Logbook,
    stamp: &Stamp,
    id: &str,
    rs: Option<&str>,
) -> Result<StepDetails, Refused> {
    let now = stamp.at.naive_local();
    let stored = rs.and_then(|rs| {
        book.incident(id)
            .and_then(|i| i.reports.iter().find(|r| r.id == rs))
            .map(|r| r.when)
    });
    let agency = chosen(form, Agency::ALL, "agency");
    let decision = chosen(form, Decision::ALL, "decision");
    let when = kept_datetime(form, "when", now, stored);
    let mut refused: Vec<Invalid> = [
        agency.as_ref().err(),
        decision.as_ref().err(),
        when.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    if let (Ok(agency), Ok(decision), Ok(when)) = (agency, decision, when) {
        let d = details(form, agency, decision, when);
        refused.extend(book.step_refusals(stamp, id, rs, &d));
        if refused.is_empty() {
            return Ok(d);
        }
    }
    Err(Refused(refused))
}

/// The step the form holds, once its agency, decision and time could be read.
fn details(form: &Form, agency: Agency, decision: Decision, when: NaiveDateTime) -> StepDetails {
    StepDetails {
        agency,
        agency_name: form.value("agency_name"),
        decision,
        when,
        by: form.value("by"),
        method: pick(Method::ALL, &form.value("method")),
        reference: form.value("reference"),
        contact: form.value("contact"),
        outcome: form.value("outcome"),
        follow_up_owed: toggled(form, "follow_up_owed"),
        reference_awaited: toggled(form, "reference_awaited"),
        reason: multiline(form, "reason"),
        delay_reason: form.value("delay_reason"),
    }
}

/// A referral later than its agency's timescale (LADO: one working day after the report)
/// with no reason for the delay given: the first save says so beside When, as the far
/// review date is asked about, and saving again keeps it without one (tester4 #6).
/// Returns (what was checked, the field, the question).
pub fn late_question(
    form: &Form,
    book: &Logbook,
    now: NaiveDateTime,
) -> Option<(String, &'static str, String)> {
    let (FormKind::Report(id) | FormKind::EditReport(id, _)) = &form.kind else {
        return None;
    };
    if !form.value("delay_reason").trim().is_empty() {
        return None;
    }
    let agency = chosen(form, Agency::ALL, "agency").ok()?;
    let decision = chosen(form, Decision::ALL, "decision").ok()?;
    let when = datetime(form, "when", now).ok()?;
    let late = book.late_referral(id, &details(form, agency, decision, when))?;
    let save = super::super::keymap::key_for(
        super::super::keymap::FORM,
        super::super::keymap::Action::Submit,
    );
    let mut words = late.chars();
    let late = words
        .next()
        .map(|c| c.to_uppercase().chain(words).collect::<String>())
        .unwrap_or_default();
    Some((
        format!("late {id} {agency:?} {when}"),
        "when",
        format!(
            "{late}: give the reason for the delay (the last field), or press {save} again to save without one"
        ),
    ))
}

pub fn submit_new(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
) -> Result<String, Refused> {
    let d = step_all(form, book, stamp, id, None)?;
    let next = match d.decision {
        Decision::Referred => book.add_reporting_step(stamp, id, d)?,
        Decision::NotReferred => book.record_not_referred(stamp, id, d)?,
    };
    Ok(format!(
        "Reporting step {next} recorded on {id}.{}",
        reference_flag(book, id, &next)
    ))
}

/// " <warning>." after a save whose reference does not look like the agency's format
/// (flagged, never refused: tester3 #22); "" otherwise.
fn reference_flag(book: &Logbook, id: &str, rs: &str) -> String {
    book.incident(id)
        .and_then(|i| i.reports.iter().find(|r| r.id == rs))
        .and_then(ReportingStep::reference_warning)
        .map_or_else(String::new, |w| format!(" {w}."))
}

pub fn submit_edit(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
    rs: &str,
) -> Result<String, Refused> {
    let details = step_all(form, book, stamp, id, Some(rs))?;
    book.edit_reporting_step(stamp, id, rs, details)?;
    Ok(format!(
        "Reporting step {rs} updated.{}",
        reference_flag(book, id, rs)
    ))
}
