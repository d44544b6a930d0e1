//! The checklist forms: a step that does not apply, with why (`step_not_applicable`), and a
//! step ticked with when it was done (`tick_step`).

use chrono::NaiveDateTime;

use super::super::form::*;
use super::fields::*;
use crate::model::*;

pub fn not_applicable(id: &str, step: usize, text: &str) -> Form {
    let mut form = reason_form(
        FormKind::NotApplicable(id.to_string(), step),
        "Checklist step not applicable",
        "Why the step does not apply",
    );
    form.notice = Some(crate::text::line(text).into_owned());
    form
}

pub fn submit_not_applicable(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
    step: usize,
) -> Result<String, Invalid> {
    let now = stamp.at.naive_local();
    book.step_not_applicable(stamp, id, step, now, &multiline(form, "reason"))?;
    Ok("Step marked not applicable.".into())
}

/// A checklist step ticked with when it was done (now, unless typed): on a closed case, a
/// step done before it closed, the time proposed being the closing time.
pub fn tick_step(book: &Logbook, id: &str, step: usize, now: NaiveDateTime) -> Option<Form> {
    let incident = book.incident(id)?;
    let text = &incident.checklist.get(step)?.step;
    let at = incident.closure.as_ref().map_or(now, |c| c.when);
    let mut form = Form::new(
        FormKind::TickStep(id.to_string(), step),
        "Tick a checklist step",
        vec![
            Field::new("when", "When it was done", FieldKind::DateTime)
                .required()
                .with_text(&when(at)),
        ],
    );
    form.notice = Some(crate::text::line(text).into_owned());
    Some(form)
}

pub fn submit_tick(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
    step: usize,
) -> Result<String, Invalid> {
    let done = datetime(form, "when", stamp.at.naive_local())?;
    book.tick_step(stamp, id, step, done)?;
    Ok("Step ticked.".into())
}
