//! Disposing of a record past its retention date, from the Retention screen: the record
//! named and what disposal does said plainly, a reason asked, the disposal confirmed by a
//! tick; then the operation `logbook dispose` runs (`dispose_due`), whose tombstone and
//! audit entry keep the reason.

use chrono::NaiveDate;

use super::super::form::*;
use super::Refused;
use super::fields::*;
use crate::model::*;

/// The form for `id`, or None when it is not in the logbook.
pub fn dispose(book: &Logbook, id: &str, today: NaiveDate) -> Option<Form> {
    let incident = book.incident(id)?;
    let kept = book.retention(incident);
    let closed = incident.closure.as_ref().map_or_else(
        || "not closed".to_string(),
        |c| format!("closed {}", crate::present::date(c.when.date())),
    );
    let until = match kept.until {
        Until::Date(d) if d < today => format!("was kept until {}", crate::present::date(d)),
        Until::Date(d) => format!("is kept until {}", crate::present::date(d)),
        Until::WhenClosed | Until::Unknown(_) => "has no retention date".to_string(),
    };
    let mut form = Form::new(
        FormKind::Dispose(id.to_string()),
        format!("Dispose of {id}"),
        vec![
            Field::new("reason", "Why it is disposed of now", FieldKind::Text).required(),
            Field::new("confirm_disposal", "Remove it for good", FieldKind::Toggle)
                .with_toggle(false),
        ],
    );
    // What is lost is said before anything is typed: this cannot be undone in the logbook.
    form.notice = Some(format!(
        "{id} ({}; {closed}) {until} under the rule: {}. Disposing of it deletes the record \
         and everything in it from the logbook for good. Only a tombstone stays: its number, \
         today's date, your name, the rule and your reason (e.g. annual retention review), recorded in the audit trail. \
         Backups made before keep it until they are rotated away.",
        crate::present::types(incident),
        crate::text::line(&kept.rule)
    ));
    Some(form)
}

/// Disposes of `id` with the reason typed, once the tick confirms it. Both refusals (no
/// reason, no tick) are given together.
pub fn submit(form: &Form, book: &mut Logbook, stamp: &Stamp, id: &str) -> Result<String, Refused> {
    // One line, as `--reason` is: it goes into the tombstone's rule and the certificate.
    let reason = form.value("reason");
    let mut refused = Vec::new();
    if reason.trim().is_empty() {
        refused.push(super::fields::refused(
            "reason",
            "The reason is required: fill it in".into(),
        ));
    }
    if !toggled(form, "confirm_disposal") {
        refused.push(super::fields::refused(
            "confirm_disposal",
            format!(
                "Tick this to dispose of {id} for good ({} keeps it)",
                super::super::keymap::key_for(
                    super::super::keymap::FORM,
                    super::super::keymap::Action::Cancel
                )
            ),
        ));
    }
    if !refused.is_empty() {
        return Err(Refused(refused));
    }
    book.dispose_due(stamp, id, stamp.at.date_naive(), &reason)?;
    let mut said =
        format!("Disposed of {id}: its tombstone, with your reason, is in the audit trail.");
    // People linked to no other incident went with it (tester3 #6).
    for person in book.people_disposed_with(id) {
        said.push_str(&format!(
            " {person} is linked to no other incident and was disposed of with it."
        ));
    }
    Ok(said)
}
