//! The contents of a child protection file transfer: one person's incidents in the
//! logbook's own schema, with every other person reduced to a role (unlinked, and their id
//! and reference replaced in the text by "another pupil" etc., as `--anonymise-others`
//! does), plus the same records as print-ready HTML.

use std::collections::HashSet;

use chrono::NaiveDateTime;

use super::{Export, Format, apply};
use crate::model::{
    EnteredInError, FORMAT, Incident, Logbook, Person, StepState, TRANSFER_KIND, TransferDocument,
    TransferFile,
};

/// The transfer of `who`'s file, written by `by` at `at`.
pub fn transfer(book: &Logbook, who: &Person, by: &str, at: NaiveDateTime) -> TransferFile {
    let mut export = Export::new(by, at);
    export.anonymise_others = true;
    export.about = Some(who.id.clone());
    let incidents: Vec<&Incident> = book
        .incidents
        .iter()
        .map(crate::model::Shared::get)
        .filter(|i| i.people.iter().any(|p| p.person == who.id))
        .collect();
    let mut others: Vec<String> = incidents
        .iter()
        .flat_map(|i| i.people.iter().map(|p| p.person.clone()))
        .filter(|p| *p != who.id)
        .collect();
    others.sort();
    others.dedup();
    let swaps = export.swaps(book, &others);
    let sent: HashSet<&str> = incidents.iter().map(|i| i.id.as_str()).collect();

    let mut documents = vec![TransferDocument {
        title: format!("Chronology of {}", who.id),
        html: Format::Html.render(&super::person(book, who, &export)),
    }];
    let mut records = Vec::new();
    for inc in &incidents {
        // Outside this logbook, "kept in this logbook" names the school whose logbook it is.
        let mut copy = (*inc).clone();
        crate::model::name_where_kept(&mut copy, &book.settings.organisation);
        documents.push(TransferDocument {
            title: format!("Incident chronology: {}", inc.id),
            html: Format::Html.render(&super::incident(book, &copy, &export)),
        });
        copy.people.retain(|p| p.person == who.id);
        copy.related.retain(|r| sent.contains(r.as_str()));
        // The receiving school applies its own retention; provenance is set on arrival.
        copy.retention = None;
        copy.transferred = None;
        map_text(&mut copy, &|t| apply(&swaps, t));
        records.push(copy);
    }
    let mut person = who.clone();
    person.transferred = None;
    person.notes = apply(&swaps, &person.notes);
    TransferFile {
        format: FORMAT,
        kind: TRANSFER_KIND.to_string(),
        from: book.settings.organisation.clone(),
        sent: at,
        sent_by: by.to_string(),
        person,
        incidents: records,
        documents,
    }
}

/// Applies `f` to every piece of free text in an incident (not to ids, dates or choices).
fn map_text(i: &mut Incident, f: &dyn Fn(&str) -> String) {
    let m = |s: &mut String| *s = f(s);
    let error = |e: &mut Option<EnteredInError>| {
        if let Some(e) = e {
            e.by = f(&e.by);
            e.reason = f(&e.reason);
        }
    };
    m(&mut i.reported_by);
    m(&mut i.recorded_by);
    m(&mut i.platform);
    m(&mut i.description);
    m(&mut i.immediate_action);
    if let Some(c) = &mut i.closure {
        m(&mut c.by);
        m(&mut c.outcome);
    }
    for c in &mut i.checklist {
        m(&mut c.step);
        match &mut c.state {
            StepState::Open => {}
            StepState::Done { by, .. } => m(by),
            StepState::NotApplicable { by, reason, .. } => {
                m(by);
                m(reason);
            }
        }
    }
    for e in &mut i.evidence {
        m(&mut e.description);
        m(&mut e.source);
        m(&mut e.captured_by);
        m(&mut e.kept_at);
        for c in &mut e.custody {
            m(&mut c.event);
            m(&mut c.reference);
        }
        error(&mut e.error);
    }
    for r in &mut i.reports {
        m(&mut r.agency_name);
        m(&mut r.by);
        m(&mut r.reference);
        m(&mut r.contact);
        m(&mut r.outcome);
        m(&mut r.reason);
        error(&mut r.error);
    }
    for r in &mut i.reviews {
        m(&mut r.by);
        m(&mut r.outcome);
        error(&mut r.error);
        error(&mut r.cancelled);
    }
    error(&mut i.error);
}
