//! The forms that end or correct a case: close it (`close_case`, which lists what is
//! unfinished first), re-open it (`reopen_case`), and mark an entry entered in error
//! (`mark_in_error`: the entry stays, struck through), or unlink a person linked by mistake
//! (`unlink_person`: the trail keeps the link and the reason).

use super::super::form::*;
use super::fields::*;
use crate::model::*;

/// The tick box that closes a case over unfinished work (closing, or a review that closes).
pub fn confirm() -> Field {
    Field::new(
        "confirm",
        "Close despite unfinished work",
        FieldKind::Toggle,
    )
    .with_toggle(false)
}

/// The closing form lists what is still unfinished up front, so the DSL sees it before
/// writing the outcome; the model refuses to close over it until the toggle confirms.
pub fn close(book: &Logbook, id: &str) -> Form {
    let mut form = Form::new(
        FormKind::Close(id.to_string()),
        format!("Close {id}"),
        vec![
            Field::new("outcome", "Outcome of the case", FieldKind::Multiline).required(),
            confirm(),
        ],
    );
    let unfinished = book
        .incident(id)
        .map(Incident::unfinished)
        .unwrap_or_default();
    if !unfinished.is_empty() {
        form.notice = Some(format!(
            "Unfinished: {}. Finish these first, or close anyway by ticking the last field.",
            unfinished_words(&unfinished)
        ));
    }
    form
}

/// The unfinished work in one sentence: the open checklist steps counted once, not each
/// after its own "checklist step not done:" (seven times over for a grooming case, which
/// filled the form's top at 80x24 with the same words).
fn unfinished_words(unfinished: &[String]) -> String {
    const STEP: &str = "checklist step not done: ";
    let steps: Vec<&str> = unfinished
        .iter()
        .filter_map(|u| u.strip_prefix(STEP))
        .collect();
    let mut parts = Vec::new();
    match steps.as_slice() {
        [] => {}
        [one] => parts.push(format!("{}{one}", STEP)),
        many => parts.push(format!(
            "{} checklist steps not done ({})",
            many.len(),
            many.join("; ")
        )),
    }
    parts.extend(unfinished.iter().filter(|u| !u.starts_with(STEP)).cloned());
    parts.join("; ")
}

pub fn submit_close(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
) -> Result<String, Invalid> {
    let outcome = multiline(form, "outcome");
    book.close_case(stamp, id, &outcome, toggled(form, "confirm"))?;
    Ok(format!("{id} closed."))
}

pub fn reopen(id: &str) -> Form {
    reason_form(
        FormKind::Reopen(id.to_string()),
        format!("Re-open {id}"),
        "Why it is re-opened",
    )
}

pub fn submit_reopen(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
) -> Result<String, Invalid> {
    Ok(
        match book.reopen_case(stamp, id, &multiline(form, "reason"))? {
            Some((rv, due)) => format!(
                "{id} re-opened; review {rv} due {}.",
                crate::present::date(due)
            ),
            None => format!("{id} re-opened."),
        },
    )
}

/// `incident`: the case, whose types and platform name it beside its number, so a wrong
/// selection shows.
pub fn mark_error(incident: &Incident, target: ErrorTarget) -> Form {
    let id = incident.id.as_str();
    let what = match &target {
        ErrorTarget::Incident => id.to_string(),
        ErrorTarget::Evidence(x) | ErrorTarget::Report(x) | ErrorTarget::Review(x) => {
            format!("{id} {x}")
        }
        ErrorTarget::Step(n) => format!("{id} checklist step {}", n + 1),
    };
    let shown = target.clone();
    let mut form = reason_form(
        FormKind::MarkError(id.to_string(), target),
        format!("Mark {what} as entered in error"),
        "Reason (the entry stays, struck through)",
    );
    // Above the reason, not in the title, where it would be cut at 80 columns: the entry
    // being struck out, so a wrong selection shows (an item, not its incident's summary).
    form.notice = Some(match &shown {
        ErrorTarget::Incident => {
            let platform = crate::text::line(&incident.platform);
            let types = crate::present::types(incident);
            let case = if platform.trim().is_empty() {
                format!("{id}: {types}")
            } else {
                format!("{id}: {types}, {platform}")
            };
            // The live case marked instead of its duplicate stops being owed anything
            // (tester5 #3): what it still owes is said first, so the wrong row shows.
            match still_owed(incident) {
                None => case,
                Some(owed) => format!(
                    "{case}. It still owes: {owed}. If this is the live case, not the entry made in error, press Esc."
                ),
            }
        }
        ErrorTarget::Evidence(x) => incident.evidence.iter().find(|e| &e.id == x).map_or_else(
            || x.clone(),
            |e| {
                format!(
                    "{x}: {}",
                    crate::text::line(&crate::present::evidence_title(e))
                )
            },
        ),
        ErrorTarget::Report(x) => incident.reports.iter().find(|r| &r.id == x).map_or_else(
            || x.clone(),
            |r| {
                format!(
                    "{x}: {}",
                    crate::text::line(&crate::present::report_title(r))
                )
            },
        ),
        ErrorTarget::Review(x) => incident.reviews.iter().find(|r| &r.id == x).map_or_else(
            || x.clone(),
            |r| {
                let held = r.held.map_or_else(
                    || "not held".to_string(),
                    |t| {
                        format!(
                            "held {} by {}",
                            crate::present::when(t),
                            crate::text::line(&r.by)
                        )
                    },
                );
                format!("{x}: due {}, {held}", crate::present::date(r.due))
            },
        ),
        // The step and what it says now: the step opens again (tester4 #22).
        ErrorTarget::Step(n) => incident.checklist.get(*n).map_or_else(
            || format!("checklist step {}", n + 1),
            |c| {
                format!(
                    "{} {}. The step opens again; the tick stays in the record, struck.",
                    crate::present::checklist_state(&c.state),
                    c.step
                )
            },
        ),
    });
    form
}

pub fn submit_error(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
    target: &ErrorTarget,
) -> Result<String, Invalid> {
    let (entry, done) = match target {
        ErrorTarget::Incident => (Entry::Incident, id.to_string()),
        ErrorTarget::Evidence(x) => (Entry::Evidence(x.clone()), format!("{id} {x}")),
        ErrorTarget::Report(x) => (Entry::Report(x.clone()), format!("{id} {x}")),
        ErrorTarget::Review(x) => (Entry::Review(x.clone()), format!("{id} {x}")),
        ErrorTarget::Step(n) => {
            book.strike_step(stamp, id, *n, &multiline(form, "reason"))?;
            return Ok(format!(
                "{id} checklist step {} marked entered in error: the step is open again.",
                n + 1
            ));
        }
    };
    book.mark_in_error(stamp, id, &entry, &multiline(form, "reason"))?;
    Ok(format!(
        "{done} marked entered in error; it stays visible, struck through."
    ))
}

/// What a case still owes, in a few words for the marking form (`Incident::owed`), or
/// `None` when it owes nothing.
fn still_owed(incident: &Incident) -> Option<String> {
    let owed = incident.owed();
    if owed.is_empty() {
        return None;
    }
    let steps = owed
        .iter()
        .filter(|o| matches!(o, Owed::Step { .. }))
        .count();
    let mut parts: Vec<String> = owed
        .iter()
        .filter_map(|o| match o {
            Owed::Step { .. } => None,
            Owed::Review { id, due } => {
                Some(format!("review {id} due {}", crate::present::date(*due)))
            }
            other => Some(crate::text::line(&other.describe()).into_owned()),
        })
        .collect();
    match steps {
        0 => {}
        1 => parts.push("1 checklist step".into()),
        n => parts.push(format!("{n} checklist steps")),
    }
    Some(parts.join("; "))
}

/// `x` on an entry already marked entered in error: the form that withdraws the mark,
/// naming when, by whom and why it was made, so the DSL sees what they are undoing.
pub fn withdraw_error(incident: &Incident, target: ErrorTarget) -> Form {
    let id = incident.id.as_str();
    let (what, mark) = match &target {
        ErrorTarget::Incident => (id.to_string(), incident.error.as_ref()),
        // A tick entered in error opens the step again: there is no mark to withdraw.
        ErrorTarget::Step(n) => (format!("{id} checklist step {}", n + 1), None),
        ErrorTarget::Evidence(x) => (
            format!("{id} {x}"),
            incident
                .evidence
                .iter()
                .find(|e| &e.id == x)
                .and_then(|e| e.error.as_ref()),
        ),
        ErrorTarget::Report(x) => (
            format!("{id} {x}"),
            incident
                .reports
                .iter()
                .find(|r| &r.id == x)
                .and_then(|r| r.error.as_ref()),
        ),
        ErrorTarget::Review(x) => (
            format!("{id} {x}"),
            incident
                .reviews
                .iter()
                .find(|r| &r.id == x)
                .and_then(|r| r.error.as_ref()),
        ),
    };
    let mut form = reason_form(
        FormKind::WithdrawError(id.to_string(), target),
        format!("Withdraw the entered-in-error mark on {what}"),
        "Reason (kept in the history)",
    );
    form.notice = mark.map(|m| withdraw_notice(&what, m));
    form
}

/// The sentence above a withdrawal's reason: the mark being undone and what undoing does.
pub fn withdraw_notice(what: &str, mark: &EnteredInError) -> String {
    format!(
        "{what} was marked entered in error on {} by {}: {}. Withdrawing puts it back as it was (anything it owed is owed again); the history keeps the mark and this reason.",
        crate::present::when(mark.when),
        crate::text::line(&mark.by),
        // The reason's own full stop is not doubled.
        crate::text::line(mark.reason.trim_end().trim_end_matches('.'))
    )
}

pub fn submit_withdraw(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
    target: &ErrorTarget,
) -> Result<String, Invalid> {
    let (entry, done) = match target {
        ErrorTarget::Incident => (Entry::Incident, id.to_string()),
        ErrorTarget::Evidence(x) => (Entry::Evidence(x.clone()), format!("{id} {x}")),
        ErrorTarget::Report(x) => (Entry::Report(x.clone()), format!("{id} {x}")),
        ErrorTarget::Review(x) => (Entry::Review(x.clone()), format!("{id} {x}")),
        ErrorTarget::Step(_) => {
            return Err(refused(
                "reason",
                "A tick entered in error has no mark to withdraw: tick the step again".into(),
            ));
        }
    };
    book.withdraw_error(stamp, id, &entry, &multiline(form, "reason"))?;
    Ok(format!(
        "{done} is no longer marked entered in error; the history keeps the mark and the reason."
    ))
}

/// Unlinking a person linked by mistake: the person, their role and the incident are named
/// above the reason, so a wrong selection shows.
pub fn unlink(book: &Logbook, id: &str, person: &str, role: Role) -> Form {
    let mut form = reason_form(
        FormKind::Unlink(id.to_string(), person.to_string(), role),
        format!("Unlink {person} from {id}"),
        "Reason (kept in the history)",
    );
    let reference = book.person(person).map_or_else(String::new, |p| {
        format!(" {}", crate::text::line(&p.reference))
    });
    form.notice = Some(format!(
        "{person}{reference}, linked as {}. The person stays in the register; the history keeps the link and the reason.",
        role.label()
    ));
    form
}

pub fn submit_unlink(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
    person: &str,
    role: Role,
) -> Result<String, Invalid> {
    book.unlink_person(stamp, id, person, Some(role), &multiline(form, "reason"))?;
    Ok(format!(
        "{person} unlinked from {id}; the history keeps the link and the reason."
    ))
}
