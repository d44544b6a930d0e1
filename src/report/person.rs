//! One person's chronology across incidents, in the columns UK practice uses: date,
//! significant event, source, impact on the child, action taken, outcome/review.

use super::Export;
use super::doc::{Block, Doc, Row, Table};
use crate::model::{Incident, Logbook, Person, chronology};
use crate::present::{self, Line};

/// An incident marked entered in error (often: the wrong pupil was linked) is another
/// child's case as far as this person is concerned: its content never leaves in their
/// chronology or their child protection file transfer, only a count in the header
/// (tester3 #46). Returns (withheld, kept) of `linked`.
pub(super) fn withhold<'a>(linked: &[&'a Incident]) -> (Vec<&'a Incident>, Vec<&'a Incident>) {
    linked.iter().partition(|i| i.error.is_some())
}

/// The header line that counts the incidents `withhold` left out, if any.
pub(super) fn left_out(withheld: usize) -> Option<Line> {
    (withheld > 0).then(|| Line {
        label: "Left out",
        value: format!("{withheld} incident(s) marked entered in error (content withheld)"),
    })
}

pub fn person(book: &Logbook, who: &Person, export: &Export) -> Doc {
    let linked: Vec<&crate::model::Incident> = book
        .incidents
        .iter()
        .map(crate::model::Shared::get)
        .filter(|i| i.people.iter().any(|p| p.person == who.id))
        .collect();
    let (withheld, incidents) = withhold(&linked);
    let mut facts = vec![
        Line {
            label: "Person",
            value: format!("{} {}", who.id, who.reference),
        },
        Line {
            label: "Age group",
            value: match who.birth_year {
                Some(y) => format!("{}, born {y}", who.age_group.label()),
                None => who.age_group.label().to_string(),
            },
        },
        Line {
            label: "Incidents",
            value: incidents
                .iter()
                .map(|i| format!("{} ({})", i.id, present::status(i)))
                .collect::<Vec<_>>()
                .join(", "),
        },
    ];
    facts.extend(left_out(withheld.len()));
    if let Some(note) = present::in_error(&who.error) {
        facts.push(Line {
            label: "Marked",
            value: note,
        });
    }
    let rows = chronology::events(book, &who.id)
        .into_iter()
        .filter(|e| !withheld.iter().any(|i| i.id == e.incident))
        .map(|e| {
            // The record's words once: a review's outcome or a reason not to refer is
            // already in its own column.
            let repeated = [&e.source, &e.action, &e.outcome]
                .iter()
                .any(|c| c.contains(e.detail.as_str()));
            let event = if e.detail.is_empty() || repeated {
                format!("{}: {}", e.incident, e.event)
            } else {
                format!("{}: {}\n{}", e.incident, e.event, e.detail)
            };
            Row {
                cells: vec![
                    present::event_when(&e),
                    event,
                    e.source,
                    e.impact,
                    e.action,
                    e.outcome,
                ],
                struck: e.in_error,
            }
        })
        .collect();
    let blocks = vec![
        Block::Fields(facts),
        Block::Heading("Chronology".into()),
        Block::Table(Table {
            columns: vec![
                "Date",
                "Significant event",
                "Source",
                "Impact on the child",
                "Action taken",
                "Outcome / review",
            ],
            rows,
        }),
    ];
    let mut doc = Doc {
        title: format!("Chronology: {} {}", who.id, who.reference),
        meta: export.meta(book),
        blocks,
        wide: true,
    };
    let mut others: Vec<String> = linked
        .iter()
        .flat_map(|i| i.people.iter().map(|p| p.person.clone()))
        .filter(|p| *p != who.id)
        .collect();
    others.sort();
    others.dedup();
    let mut export = export.clone();
    export.about = Some(who.id.clone());
    export.anonymise(book, &mut doc, &others);
    doc
}
