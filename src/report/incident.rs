//! An incident's chronology for an agency: the facts, the people and their roles, every
//! dated entry in time order (evidence with its hash, size, where kept and custody;
//! reporting steps or decisions not to refer; checklist steps; reviews), what is still to
//! do, and the audit trail.

use super::doc::{Block, Doc, Row, Table};
use super::{Export, another};
use crate::model::{Incident, Logbook};
use crate::present::{self, Line, Section};

pub fn incident(book: &Logbook, inc: &Incident, export: &Export) -> Doc {
    let today = export.at.date();
    let mut blocks = Vec::new();

    blocks.push(Block::Heading("Summary".into()));
    let mut facts = vec![Line {
        label: "Status",
        value: present::status(inc).to_string(),
    }];
    if let Some(note) = present::in_error(&inc.error) {
        facts.push(Line {
            label: "Marked",
            value: note,
        });
    }
    facts.extend(present::summary(inc, today));
    if export.anonymise_others {
        // Another incident's number tells a parent that another (often another child's)
        // case exists and which: with others anonymised the links are only counted.
        for line in facts.iter_mut().filter(|l| l.label == "Related") {
            line.value = format!(
                "{} other {} (numbers left out: other people anonymised)",
                inc.related.len(),
                if inc.related.len() == 1 {
                    "incident"
                } else {
                    "incidents"
                }
            );
        }
    }
    blocks.push(Block::Fields(facts));

    if export.has(Section::Summary) {
        blocks.push(Block::Heading("Description".into()));
        blocks.push(Block::Text(inc.description.clone()));
        if !inc.immediate_action.is_empty() {
            blocks.push(Block::Heading("Immediate action".into()));
            blocks.push(Block::Text(inc.immediate_action.clone()));
        }
        if let Some(c) = &inc.closure {
            blocks.push(Block::Heading(present::closed(c)));
            blocks.push(Block::Text(c.outcome.clone()));
        }
    }

    if export.has(Section::People) {
        blocks.push(Block::Heading("People".into()));
        let rows = present::people(book, inc)
            .into_iter()
            .map(|p| {
                let named = !export.anonymise_others || export.about.as_deref() == Some(&p.id);
                let (id, reference) = match p.age_group {
                    Some(g) if !named => (String::new(), another(g).to_string()),
                    _ => (p.id.clone(), p.reference.clone()),
                };
                Row::new(vec![id, reference, p.group(), p.role.label().to_string()])
            })
            .collect();
        blocks.push(Block::Table(Table {
            columns: vec!["Id", "Person", "Age group", "Role"],
            rows,
        }));
    }

    blocks.push(Block::Heading("Chronology".into()));
    let rows = present::entries(inc)
        .into_iter()
        .filter(|e| e.section.is_none_or(|s| export.has(s)))
        .map(|e| {
            let mut detail: Vec<String> = e
                .detail
                .iter()
                .filter(|l| !l.value.is_empty())
                .map(|l| format!("{}: {}", l.label, l.value))
                .collect();
            if let Some(note) = &e.error {
                detail.push(note.clone());
            }
            Row {
                cells: vec![present::when(e.when), e.what, detail.join("\n"), e.by],
                struck: e.error.is_some(),
            }
        })
        .collect();
    blocks.push(Block::Table(Table {
        columns: vec!["When", "Entry", "Details", "By"],
        rows,
    }));

    // Undated work still owed (the model's one rule, `Incident::owed`): checklist steps,
    // reviews not yet held, follow-ups owed and references awaited, each under the section
    // it belongs to. An incident entered in error owes nothing; a closed case lists what
    // was left undone as such.
    let owed: Vec<Row> = present::owed(inc, today)
        .into_iter()
        .filter(|(section, ..)| export.has(*section))
        .map(|(_, what, state)| Row::new(vec![what, state]))
        .collect();
    if !owed.is_empty() {
        blocks.push(Block::Heading(present::owed_heading(inc).into()));
        blocks.push(Block::Table(Table {
            columns: vec!["What", "State"],
            rows: owed,
        }));
    }

    if export.has(Section::History) {
        blocks.push(Block::Heading("Audit trail".into()));
        // Entries about earlier exports name who else was sent the record (an officer, a
        // parent, another school), the keys and where files were written: none of that is
        // the next recipient's business, so they are left out and only counted.
        let (exports, entries): (Vec<_>, Vec<_>) =
            present::history(book, inc).partition(|e| e.is_export());
        if !exports.is_empty() {
            blocks.push(Block::Text(format!(
                "{} earlier {} of this record {} left out: the logbook's own history lists who received {}.",
                exports.len(),
                if exports.len() == 1 { "export" } else { "exports" },
                if exports.len() == 1 { "is" } else { "are" },
                if exports.len() == 1 { "it" } else { "them" },
            )));
        }
        let rows = entries
            .into_iter()
            .map(|e| {
                let changes = present::changes(inc, &e.changes);
                Row::new(vec![
                    format!("#{}", e.seq),
                    present::at(&e.at),
                    e.by.clone(),
                    e.action.clone(),
                    changes.join("\n"),
                ])
            })
            .collect();
        blocks.push(Block::Table(Table {
            columns: vec!["#", "When", "By", "Action", "Changes"],
            rows,
        }));
    }

    let mut doc = Doc {
        title: format!("Incident chronology: {}", inc.id),
        meta: export.meta(book),
        blocks,
        wide: false,
    };
    let people: Vec<String> = inc.people.iter().map(|p| p.person.clone()).collect();
    export.anonymise(book, &mut doc, &people);
    if export.anonymise_others {
        // The same in the text and the audit trail ("linked related incident INC-...").
        let others: Vec<&str> = book
            .incidents
            .iter()
            .map(|i| i.id.as_str())
            .chain(inc.related.iter().map(String::as_str))
            .filter(|id| *id != inc.id)
            .collect();
        doc.map_text(&|text: &str| {
            others.iter().fold(text.to_string(), |t, id| {
                super::replace_words(&t, id, "another incident")
            })
        });
    }
    doc
}
