//! The review forms: schedule a review (`schedule_review`), move one not yet held
//! (`reschedule_review`), and hold one (`hold_review`, which may schedule the next or close).

use chrono::{Duration, Months, NaiveDate, NaiveDateTime};

use super::super::form::*;
use super::Refused;
use super::fields::*;
use crate::model::*;

/// The date the next review falls due by the logbook's review interval.
fn next_due(book: &Logbook, now: NaiveDateTime) -> NaiveDate {
    now.date() + Duration::days(book.settings.review_interval_days as i64)
}

/// `v`: a case already waiting for a review is offered the move of that review (audited as
/// a reschedule) rather than a second one beside it; adding another stays possible.
pub fn schedule_review(book: &Logbook, id: &str, now: NaiveDateTime) -> Form {
    let pending = book.incident(id).and_then(|i| {
        i.reviews
            .iter()
            .find(|r| r.held.is_none() && r.cancelled.is_none() && r.error.is_none())
    });
    let Some(r) = pending else {
        return Form::new(
            FormKind::ScheduleReview(id.to_string()),
            format!("Schedule a review of {id}"),
            vec![
                Field::new("due", "Due", FieldKind::Date)
                    .required()
                    .with_text(&next_due(book, now).to_string()),
            ],
        );
    };
    let today = now.date();
    let mut form = Form::new(
        FormKind::RescheduleReview(id.to_string(), r.id.clone()),
        format!("Move review {} of {id}", r.id),
        vec![
            // The date it has now, which the first key typed replaces.
            Field::new("due", "New date", FieldKind::Date)
                .required()
                .with_text(&r.due.to_string()),
            // Required to move it (the model says so beside it), not to add another.
            Field::new("reason", "Why it is moved", FieldKind::Multiline),
            Field::new(
                "second",
                "Keep it and add another review",
                FieldKind::Toggle,
            )
            .with_toggle(false),
        ],
    );
    // A review already overdue is said to be so, and that the move does not make it on
    // time (tester4 #21).
    form.notice = Some(if r.due < today {
        format!(
            "Review {} was due {} and is OVERDUE ({} days). Moving it does not make it on time: the statistics keep {} as its date. The move and its reason are kept with the review.",
            r.id,
            r.due,
            (today - r.due).num_days(),
            r.due
        )
    } else {
        format!(
            "Review {} is due {} and not yet held. Saving moves it to the new date; the move and its reason are kept with the review.",
            r.id, r.due
        )
    });
    form
}

/// A review date more than a year away is most likely a slip (`+999` for `+99` or `+9`):
/// the first save says so beside the date, and saving the same date again keeps it.
/// Returns (what was checked, the field, the question) for the app to ask once.
pub fn far_date(form: &Form, now: NaiveDateTime) -> Option<(String, &'static str, String)> {
    let key = match form.kind {
        FormKind::ScheduleReview(_) | FormKind::RescheduleReview(..) => "due",
        FormKind::HoldReview(..)
            if form.value("decision") == value_of(ReviewDecision::ContinueMonitoring) =>
        {
            "next_review"
        }
        _ => return None,
    };
    let due = parse_date(&form.value(key), now.date()).ok()?;
    let year = now.date().checked_add_months(Months::new(12))?;
    if due <= year {
        return None;
    }
    let save = super::super::keymap::key_for(
        super::super::keymap::FORM,
        super::super::keymap::Action::Submit,
    );
    Some((
        format!("{key} {due}"),
        key,
        format!(
            "{} is more than a year away: check the date, or press {save} again to keep it",
            crate::present::date(due)
        ),
    ))
}

pub fn submit_schedule(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
) -> Result<String, Invalid> {
    let due = date(form, "due", stamp.at.naive_local())?;
    let next = book.schedule_review(stamp, id, due)?;
    Ok(format!("Review {next} due {due}."))
}

pub fn submit_reschedule(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
    rv: &str,
) -> Result<String, Invalid> {
    let due = date(form, "due", stamp.at.naive_local())?;
    if toggled(form, "second") {
        let next = book.schedule_review(stamp, id, due)?;
        return Ok(format!("Review {next} due {due}; {rv} stays as it was."));
    }
    book.reschedule_review(stamp, id, rv, due, &multiline(form, "reason"))?;
    Ok(format!("Review {rv} moved to {due}."))
}

pub fn hold_review(book: &Logbook, id: &str, review: &str, who: &str, now: NaiveDateTime) -> Form {
    Form::new(
        FormKind::HoldReview(id.to_string(), review.to_string()),
        format!("Review {review} of {id}"),
        vec![
            Field::new("held", "Held", FieldKind::DateTime)
                .named("When the review was held")
                .required()
                .with_text(&when(now)),
            who_field(book, "by", "By", who),
            Field::new("outcome", "Outcome", FieldKind::Multiline).required(),
            Field::new(
                "risk_now",
                "Risk now",
                choices(RiskLevel::ALL, RiskLevel::label),
            )
            .required(),
            Field::new(
                "decision",
                "Decision",
                choices(ReviewDecision::ALL, ReviewDecision::label),
            )
            .required()
            .with_choice("ContinueMonitoring"),
            // Continue monitoring proposes the next date from the review interval;
            // escalate books it too.
            Field::new(
                "next_review",
                "Next review (monitor or escalate)",
                FieldKind::Date,
            )
            .with_text(&next_due(book, now).to_string()),
            super::close::confirm(),
        ],
    )
}

/// Holds the review, once every field is right: the values that cannot be read and what
/// the model refuses of the rest (`Logbook::held_refusals`) are refused all at once.
pub fn submit_hold(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
    rv: &str,
) -> Result<String, Refused> {
    let now = stamp.at.naive_local();
    let decision = chosen(form, ReviewDecision::ALL, "decision");
    let next_review = match decision {
        Ok(ReviewDecision::ContinueMonitoring) => date(form, "next_review", now).map(Some),
        // Escalate books the date given too; left empty, the model books one (tester4 #18).
        Ok(ReviewDecision::Escalate) if form.value("next_review").trim().is_empty() => Ok(None),
        Ok(ReviewDecision::Escalate) => date(form, "next_review", now).map(Some),
        _ => Ok(None),
    };
    let held = datetime(form, "held", now);
    let refused: Vec<Invalid> = [
        decision.as_ref().err(),
        next_review.as_ref().err(),
        held.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    let (Ok(decision), Ok(next_review), Ok(held)) = (decision, next_review, held) else {
        return Err(Refused(refused));
    };
    let held = HeldReview {
        held,
        by: form.value("by"),
        outcome: multiline(form, "outcome"),
        risk_now: pick(RiskLevel::ALL, &form.value("risk_now")),
        decision,
        next_review,
    };
    let confirmed = toggled(form, "confirm");
    let refused = book.held_refusals(stamp, id, rv, &held, confirmed);
    if !refused.is_empty() {
        return Err(Refused(refused));
    }
    let scheduled = book.hold_review(stamp, id, rv, held, confirmed)?;
    Ok(match (decision, scheduled) {
        (ReviewDecision::Close, _) => format!("Review {rv} recorded; {id} closed."),
        (_, Some(next)) => format!("Review {rv} recorded; review {next} scheduled."),
        _ => format!("Review {rv} recorded."),
    })
}
