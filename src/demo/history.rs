//! Builds a genuine audit trail for a logbook whose records were written out whole (the
//! demo data, synthetic logbooks): each incident is replayed through the audited model
//! operations as it would have been kept, piece by piece at the times the records give:
//! recorded, evidence added, reports made, reviews scheduled and held, steps ticked,
//! closed. The result verifies like any logbook kept through the app.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};

use crate::model::*;

/// The record time as an audit timestamp. Demo and synthetic records carry no zone;
/// they are stamped as UTC.
fn stamp(by: &str, at: NaiveDateTime) -> Stamp {
    let utc = FixedOffset::east_opt(0).expect("zero offset is valid");
    let at: DateTime<FixedOffset> = utc.from_utc_datetime(&at);
    Stamp::new(by, at)
}

/// When review `index` was put in the diary: RV-1 when the incident was recorded, each
/// later one when the review before it was held.
fn scheduled_at(incident: &Incident, index: usize) -> NaiveDateTime {
    index
        .checked_sub(1)
        .and_then(|prev| incident.reviews[prev].held)
        .unwrap_or(incident.reported)
}

/// The incident as it stood at time `t`: only what had happened by then. Related links
/// are kept only to incidents that `exists` says are already recorded.
fn project(fin: &Incident, t: NaiveDateTime, exists: impl Fn(&str) -> bool) -> Incident {
    let upto = |when: NaiveDateTime| when <= t;
    let error_upto = |e: &Option<EnteredInError>| e.clone().filter(|e| upto(e.when));
    let mut inc = fin.clone();
    inc.evidence = fin
        .evidence
        .iter()
        .filter(|e| upto(e.captured))
        .map(|e| Evidence {
            custody: e.custody.iter().filter(|c| upto(c.when)).cloned().collect(),
            error: error_upto(&e.error),
            ..e.clone()
        })
        .collect();
    inc.reports = fin
        .reports
        .iter()
        .filter(|r| upto(r.when))
        .map(|r| ReportingStep {
            error: error_upto(&r.error),
            ..r.clone()
        })
        .collect();
    inc.reviews = fin
        .reviews
        .iter()
        .enumerate()
        .filter(|(i, _)| upto(scheduled_at(fin, *i)))
        .map(|(_, r)| match r.held {
            Some(held) if !upto(held) => Review::scheduled(r.id.clone(), r.due),
            _ => Review {
                error: error_upto(&r.error),
                ..r.clone()
            },
        })
        .collect();
    for item in &mut inc.checklist {
        let when = match &item.state {
            StepState::Open => None,
            StepState::Done { when, .. } | StepState::NotApplicable { when, .. } => Some(*when),
        };
        if when.is_some_and(|w| !upto(w)) {
            item.state = StepState::Open;
        }
    }
    inc.related.retain(|id| exists(id));
    inc.closure = fin.closure.clone().filter(|c| upto(c.when));
    let first_review_held = fin.reviews.iter().filter_map(|r| r.held).min();
    inc.status = match (fin.status, &inc.closure) {
        (_, Some(_)) => Status::Closed,
        (Status::Open, None) => Status::Open,
        (_, None)
            if first_review_held.is_some_and(upto)
                || first_review_held.is_none() && fin.status == Status::Monitoring =>
        {
            Status::Monitoring
        }
        _ => Status::Open,
    };
    inc.error = error_upto(&fin.error);
    inc
}

/// Every moment something was added to the incident, with who did it.
fn moments(
    fin: &Incident,
    reported_at: &HashMap<&str, NaiveDateTime>,
) -> Vec<(NaiveDateTime, String)> {
    let mut m = Vec::new();
    // A link to a later incident is made when that incident is recorded.
    m.extend(
        fin.related
            .iter()
            .filter_map(|id| reported_at.get(id.as_str()))
            .map(|t| (*t, fin.recorded_by.clone())),
    );
    for e in &fin.evidence {
        m.push((e.captured, e.captured_by.clone()));
        m.extend(e.custody.iter().map(|c| (c.when, e.captured_by.clone())));
        m.extend(e.error.iter().map(|x| (x.when, x.by.clone())));
    }
    for r in &fin.reports {
        m.push((r.when, r.by.clone()));
        m.extend(r.error.iter().map(|x| (x.when, x.by.clone())));
    }
    for (i, r) in fin.reviews.iter().enumerate() {
        m.push((scheduled_at(fin, i), fin.recorded_by.clone()));
        if let Some(held) = r.held {
            m.push((held, r.by.clone()));
        }
        m.extend(r.error.iter().map(|x| (x.when, x.by.clone())));
    }
    for item in &fin.checklist {
        match &item.state {
            StepState::Open => {}
            StepState::Done { by, when } | StepState::NotApplicable { by, when, .. } => {
                m.push((*when, by.clone()))
            }
        }
    }
    m.extend(fin.closure.iter().map(|c| (c.when, c.by.clone())));
    m.extend(fin.error.iter().map(|x| (x.when, x.by.clone())));
    m.retain(|(t, _)| *t > fin.reported);
    m
}

/// What a change did, in the words of the trail, from the first field it touched.
fn action_for(changes: &[FieldChange]) -> String {
    let Some(first) = changes.first() else {
        return "updated".into();
    };
    let item = |f: &str| f.split(['[', ']']).nth(1).unwrap_or("").to_string();
    let added = first.old.is_empty();
    let top = first.field.split(['[', '.']).next().unwrap_or("");
    match top {
        "evidence" if first.field.ends_with(".custody") || first.field.contains("custody") => {
            format!("recorded custody of {}", item(&first.field))
        }
        "evidence" if added && first.field.ends_with(".id") => {
            format!("added evidence {}", item(&first.field))
        }
        "reports" if added && first.field.ends_with(".id") => {
            format!("recorded reporting step {}", item(&first.field))
        }
        "reviews" if added && first.field.ends_with(".id") => {
            format!("scheduled review {}", item(&first.field))
        }
        "reviews" => format!("held review {}", item(&first.field)),
        "checklist" if first.new == "NotApplicable" => {
            "marked checklist step not applicable".into()
        }
        "checklist" => "ticked checklist step".into(),
        "closure" | "status" if changes.iter().any(|c| c.field == "closure.outcome") => {
            "closed case".into()
        }
        "status" => "changed status".into(),
        "related" => "linked related incidents".into(),
        _ if first.field.ends_with("error.reason")
            || first.field.ends_with("error.when")
            || first.field.contains("error") =>
        {
            "marked entered in error".into()
        }
        _ => format!("updated {top}"),
    }
}

/// Replays whole records into a logbook with a complete, valid audit trail.
/// People no incident names are entered with the first incident, or at `now` if there is none.
pub fn with_history(records: Logbook, now: NaiveDateTime) -> Result<Logbook, Invalid> {
    let mut records = records;
    records.sort();
    let mut book = Logbook::new(records.settings.clone());
    let reported_at: HashMap<&str, NaiveDateTime> = records
        .incidents
        .iter()
        .map(|i| (i.id.as_str(), i.reported))
        .collect();

    // A person enters the register just before the first incident that names them.
    let mut first_seen: HashMap<&str, (NaiveDateTime, &str)> = HashMap::new();
    for inc in &records.incidents {
        for inv in &inc.people {
            let seen = first_seen
                .entry(inv.person.as_str())
                .or_insert((inc.reported, &inc.recorded_by));
            if inc.reported < seen.0 {
                *seen = (inc.reported, &inc.recorded_by);
            }
        }
    }
    let start = records
        .incidents
        .iter()
        .map(|i| i.reported)
        .min()
        .unwrap_or(now);

    // Events in time order: (time, order within the same time, what).
    enum What<'a> {
        Person(&'a Person, String),
        Incident(&'a Incident, NaiveDateTime, String),
    }
    let mut events: Vec<(NaiveDateTime, u8, usize, What)> = Vec::new();
    for (n, p) in records.people.iter().enumerate() {
        let (at, by) = first_seen
            .get(p.id.as_str())
            .map(|(t, by)| (*t, by.to_string()))
            .unwrap_or_else(|| {
                (
                    start,
                    records.settings.staff.first().cloned().unwrap_or_default(),
                )
            });
        events.push((at, 0, n, What::Person(p, by)));
    }
    for (n, inc) in records.incidents.iter().enumerate() {
        events.push((
            inc.reported,
            1,
            n,
            What::Incident(inc, inc.reported, inc.recorded_by.clone()),
        ));
        for (t, by) in moments(inc, &reported_at) {
            events.push((t, 2, n, What::Incident(inc, t, by)));
        }
    }
    events.sort_by_key(|(t, order, n, _)| (*t, *order, *n));

    for (_, _, _, what) in events {
        match what {
            What::Person(p, by) => {
                let by = if by.is_empty() {
                    "import".to_string()
                } else {
                    by
                };
                let at = first_seen.get(p.id.as_str()).map_or(start, |s| s.0);
                let mut person = p.clone();
                let error = person.error.take();
                book.add_person(&stamp(&by, at), person)?;
                if let Some(e) = error {
                    book.update_person(
                        &stamp(&e.by, e.when.max(at)),
                        &p.id,
                        "marked entered in error",
                        |p| p.error = Some(e.clone()),
                    )?;
                }
            }
            What::Incident(fin, t, by) => {
                let now = project(fin, t, |id: &str| book.incident(id).is_some());
                match book.incident(&fin.id) {
                    None => {
                        book.add_incident(&stamp(&by, t), now)?;
                    }
                    Some(current) if *current == now => {}
                    Some(current) => {
                        let action = action_for(&diff_all(current, &now));
                        book.update_incident(&stamp(&by, t), &fin.id, &action, |i| *i = now)?;
                    }
                }
            }
        }
    }
    // The replay must arrive exactly at the records it was given.
    for inc in &records.incidents {
        if book.incident(&inc.id) != Some(inc) {
            return Err(Invalid {
                field: inc.id.clone(),
                message: format!(
                    "{}: its history could not be replayed to the recorded state",
                    inc.id
                ),
            });
        }
    }
    book.tombstones = std::mem::take(&mut records.tombstones);
    Ok(book)
}
