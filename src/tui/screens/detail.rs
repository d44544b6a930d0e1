//! The incident screen: one incident's sections (summary, people, evidence, reporting,
//! reviews, checklist, history), the row selected in the one shown, and the keys that act
//! on that row or on the case.

use super::{Ctx, Go, Screen, Section, move_selection, moves};
use crate::model::*;
use crate::tui::app::App;
use crate::tui::form::ErrorTarget;
use crate::tui::forms;
use crate::tui::keymap::{self, Action};

/// An action of the incident screen's table, on incident `id` showing `section` with row
/// `selected`; `len` counts the section's rows (asked only when the selection moves).
pub fn handle(
    ctx: &Ctx,
    id: &str,
    section: Section,
    selected: usize,
    len: impl FnOnce() -> usize,
    action: Action,
) -> Option<Go> {
    let book = ctx.book;
    // Borrowed, not cloned: a copy made on every key press would be freed unwiped.
    let incident = book.incident(id)?;
    let closed = incident.status == Status::Closed;
    let index = Section::ALL.iter().position(|s| *s == section).unwrap_or(0);
    let set = |section: Section, selected: usize| {
        Some(Go::Set(Screen::Detail {
            id: id.to_string(),
            section,
            selected,
        }))
    };
    let say = |message: String| Some(Go::Say(message));
    let (who, now) = (ctx.who, ctx.now);
    match action {
        Action::Back => Some(Go::Pop),
        Action::Export => crate::tui::records::export_form(book, id).map(Go::Form),
        Action::NextSection => set(Section::ALL[(index + 1) % Section::ALL.len()], 0),
        Action::PrevSection => set(
            Section::ALL[(index + Section::ALL.len() - 1) % Section::ALL.len()],
            0,
        ),
        _ if moves(action) => set(section, move_selection(selected, len(), action, ctx.page)),
        Action::Open => {
            crate::tui::view::detail::entry_popup(book, incident, section, selected).map(Go::Popup)
        }
        _ if closed
            && !matches!(
                action,
                Action::ReopenCase
                    | Action::Chronology
                    | Action::MarkError
                    | Action::UnlinkPerson
                    | Action::TickStep
                    | Action::TickStepAt
            ) =>
        {
            let key = keymap::key_for(keymap::DETAIL, Action::ReopenCase);
            say(format!(
                "{id} is closed: re-open it with {key} to change it."
            ))
        }
        // E edits what is selected: an evidence item, a reporting step, or the summary.
        Action::EditIncident => Some(Go::Form(
            match (
                section,
                incident.evidence.get(selected),
                incident.reports.get(selected),
            ) {
                (Section::Evidence, Some(e), _) => forms::edit_evidence(book, id, e, who, now),
                (Section::Reporting, _, Some(r)) => forms::edit_report(book, id, r, who, now),
                _ => forms::incident(book, who, now, Some(incident)),
            },
        )),
        Action::LinkPerson => Some(Go::Form(forms::link_person(book, id))),
        Action::LinkRelated => Some(Go::Form(forms::link_related(book, id))),
        Action::AddEvidence => Some(Go::Form(forms::evidence(book, id, who, now))),
        Action::RegisterFile => match incident
            .evidence
            .get(selected)
            .filter(|_| section == Section::Evidence)
        {
            Some(e) if e.file.is_some() => say(format!(
                "{} already has its file registered: a different file is a new item.",
                e.id
            )),
            Some(e) => Some(Go::Form(forms::register_file(id, &e.id))),
            None => say(format!(
                "Go to Evidence ({}) and select an item.",
                section_key()
            )),
        },
        Action::AddReport => Some(Go::Form(forms::report(book, id, who, now))),
        Action::AddReview => Some(Go::Form(forms::schedule_review(book, id, now))),
        Action::HoldReview => match incident
            .reviews
            .get(selected)
            .filter(|_| section == Section::Reviews)
        {
            Some(r) if r.held.is_none() && r.error.is_none() && r.cancelled.is_none() => {
                Some(Go::Form(forms::hold_review(book, id, &r.id, who, now)))
            }
            Some(r) if r.cancelled.is_some() => say(format!("Review {} was cancelled.", r.id)),
            Some(r) => say(format!("Review {} is already recorded.", r.id)),
            None => say(format!(
                "Go to Reviews ({}) and select a review to record it as held.",
                section_key()
            )),
        },
        Action::TickStep | Action::TickStepAt | Action::StepNotApplicable => {
            let Some(step) = incident
                .checklist
                .get(selected)
                .filter(|_| section == Section::Checklist)
            else {
                return say(format!(
                    "Go to Checklist ({}) and select a step.",
                    section_key()
                ));
            };
            if step.state != StepState::Open {
                say("That step is already done or marked not applicable.".into())
            } else if action == Action::StepNotApplicable {
                Some(Go::Form(forms::not_applicable(id, selected, &step.step)))
            } else if action == Action::TickStepAt || closed {
                // On a closed case only a step done before it closed can be ticked:
                // the form asks when, proposing the closing time.
                forms::tick_step(book, id, selected, now).map(Go::Form)
            } else {
                Some(Go::TickStep {
                    id: id.to_string(),
                    step: selected,
                })
            }
        }
        Action::CloseCase => Some(Go::Form(forms::close(book, id))),
        Action::ReopenCase if closed => Some(Go::Form(forms::reopen(id))),
        Action::ReopenCase => say(format!("{id} is not closed.")),
        Action::MarkError => {
            let target = match section {
                Section::Evidence => incident
                    .evidence
                    .get(selected)
                    .map(|e| ErrorTarget::Evidence(e.id.clone())),
                Section::Reporting => incident
                    .reports
                    .get(selected)
                    .map(|r| ErrorTarget::Report(r.id.clone())),
                Section::Reviews => incident
                    .reviews
                    .get(selected)
                    .map(|r| ErrorTarget::Review(r.id.clone())),
                Section::Summary => Some(ErrorTarget::Incident),
                // A step ticked (or set aside) by mistake (tester4 #22).
                Section::Checklist => match incident.checklist.get(selected) {
                    Some(c) if c.state != StepState::Open => Some(ErrorTarget::Step(selected)),
                    Some(_) => {
                        return say(
                            "That step is open: only a step done or marked not applicable can be entered in error.".into(),
                        );
                    }
                    None => None,
                },
                _ => None,
            };
            match target {
                // On an entry already marked, `x` withdraws the mark: the live case
                // marked instead of its duplicate comes back (tester5 #3).
                Some(t) if marked(incident, &t) => Some(Go::Form(forms::withdraw_error(incident, t))),
                Some(t) => Some(Go::Form(forms::mark_error(incident, t))),
                // A person linked by mistake is unlinked, with the reason (tester3 #46).
                None if section == Section::People => say(format!(
                    "A person linked by mistake is unlinked with {}: the history keeps the link and the reason.",
                    keymap::key_for(keymap::DETAIL, Action::UnlinkPerson)
                )),
                None => say("Select an evidence item, reporting step, review or checklist step, or go to Summary for the whole incident.".into()),
            }
        }
        Action::UnlinkPerson => match incident
            .people
            .get(selected)
            .filter(|_| section == Section::People)
        {
            Some(inv) => Some(Go::Form(forms::unlink(book, id, &inv.person, inv.role))),
            None => say(format!(
                "Go to People ({}) and select the person to unlink.",
                section_key()
            )),
        },
        Action::Chronology => match incident
            .people
            .get(selected)
            .filter(|_| section == Section::People)
        {
            Some(inv) => Some(Go::Push(Screen::Chronology {
                person: inv.person.clone(),
                selected: 0,
            })),
            None => say(format!(
                "Go to People ({}) and select a person.",
                section_key()
            )),
        },
        _ => None,
    }
}

/// Whether the entry `x` is on is already marked entered in error.
fn marked(incident: &Incident, target: &ErrorTarget) -> bool {
    match target {
        ErrorTarget::Incident => incident.error.is_some(),
        // A ticked step is marked by opening it again: nothing stays marked.
        ErrorTarget::Step(_) => false,
        ErrorTarget::Evidence(x) => incident
            .evidence
            .iter()
            .any(|e| &e.id == x && e.error.is_some()),
        ErrorTarget::Report(x) => incident
            .reports
            .iter()
            .any(|r| &r.id == x && r.error.is_some()),
        ErrorTarget::Review(x) => incident
            .reviews
            .iter()
            .any(|r| &r.id == x && r.error.is_some()),
    }
}

/// The key that moves between an incident's sections, for messages that send the person
/// to one.
fn section_key() -> String {
    keymap::key_for(keymap::DETAIL, Action::NextSection)
}

impl App {
    /// How many entries the current detail section lists.
    pub fn section_len(&self, id: &str, section: Section) -> usize {
        let Some(book) = &self.book else { return 0 };
        let Some(i) = book.incident(id) else { return 0 };
        match section {
            // The summary has no entries: it scrolls by rows, one position per hidden row.
            Section::Summary => crate::tui::view::detail::summary_hidden(self, id) + 1,
            Section::People => i.people.len(),
            Section::Evidence => i.evidence.len(),
            Section::Reporting => i.reports.len(),
            Section::Reviews => i.reviews.len(),
            Section::Checklist => i.checklist.len(),
            Section::History => book
                .audit
                .iter()
                .filter(|e| e.subject == Subject::Incident(id.to_string()))
                .count(),
        }
    }
}
