//! The rules a record must keep. Each refusal is one sentence naming the field and saying
//! what to do, so the app can show it beside the field and the CLI can print it.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::types::*;
use crate::reference::{IssuesReference, Reference};

/// A refused record: which field, and why, in one sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    /// The field's path, e.g. `reviews[RV-2].due`, for the app to put the message beside it.
    pub field: String,
    pub message: String,
}

pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Invalid {
    Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// What a record is checked against.
pub struct Context<'a> {
    /// Nothing may be dated after this.
    pub now: NaiveDateTime,
    pub people: &'a [Person],
    pub reference: &'a Reference,
}

fn required(field: &str, value: &str, what: &str) -> Result<(), Invalid> {
    if value.trim().is_empty() {
        Err(invalid(field, format!("{what} is required: fill it in")))
    } else {
        Ok(())
    }
}

fn not_future(
    field: &str,
    when: NaiveDateTime,
    now: NaiveDateTime,
    what: &str,
) -> Result<(), Invalid> {
    if when > now {
        Err(invalid(
            field,
            format!(
                "{what} ({}) is in the future: enter a time up to now",
                when.format("%Y-%m-%d %H:%M")
            ),
        ))
    } else {
        Ok(())
    }
}

fn not_before(field: &str, date: NaiveDate, start: NaiveDate, what: &str) -> Result<(), Invalid> {
    if date < start {
        Err(invalid(
            field,
            format!(
                "{what} ({date}) is before the incident happened ({start}): enter a date on or after it"
            ),
        ))
    } else {
        Ok(())
    }
}

/// `PREFIX-N` with N a positive number without leading zeros.
pub fn is_item_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|n| {
            !n.is_empty() && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit())
        })
}

/// `INC-YYYY-NNNN`.
pub fn is_incident_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 13
        && id.starts_with("INC-")
        && b[8] == b'-'
        && b[4..8].iter().all(u8::is_ascii_digit)
        && b[9..].iter().all(u8::is_ascii_digit)
}

/// `P-NNNN` (four or more digits).
pub fn is_person_id(id: &str) -> bool {
    id.strip_prefix("P-")
        .is_some_and(|n| n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit()))
}

fn check_error(field: &str, error: &Option<EnteredInError>, ctx: &Context) -> Result<(), Invalid> {
    if let Some(e) = error {
        required(&format!("{field}.by"), &e.by, "Who marked it in error")?;
        required(
            &format!("{field}.reason"),
            &e.reason,
            "The reason it was entered in error",
        )?;
        not_future(
            &format!("{field}.when"),
            e.when,
            ctx.now,
            "The time it was marked in error",
        )?;
    }
    Ok(())
}

fn unique_ids<'a>(
    field: &str,
    ids: impl Iterator<Item = &'a str>,
    prefix: &str,
) -> Result<(), Invalid> {
    let mut seen = HashSet::new();
    for id in ids {
        if !is_item_id(id, prefix) {
            return Err(invalid(
                field,
                format!(
                    "{id} is not a {prefix}-N number: number items {prefix}-1, {prefix}-2, ..."
                ),
            ));
        }
        if !seen.insert(id) {
            return Err(invalid(
                field,
                format!("{id} is used twice: give each item its own number"),
            ));
        }
    }
    Ok(())
}

impl Person {
    pub fn validate(&self, now: NaiveDateTime) -> Result<(), Invalid> {
        if !is_person_id(&self.id) {
            return Err(invalid(
                "id",
                format!("{} is not a person number like P-0001", self.id),
            ));
        }
        required(
            "reference",
            &self.reference,
            "The person's reference (initials or first name)",
        )?;
        if let Some(year) = self.birth_year
            && (year < 1900 || year > now.year())
        {
            return Err(invalid(
                "birth_year",
                format!(
                    "Year of birth {year} is not possible: enter a year between 1900 and {}",
                    now.year()
                ),
            ));
        }
        let ctx = Context {
            now,
            people: &[],
            reference: Reference::get(),
        };
        check_error("error", &self.error, &ctx)
    }
}

impl Settings {
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.review_interval_days == 0 {
            return Err(invalid(
                "review_interval_days",
                "The review interval must be at least one day",
            ));
        }
        if self.idle_lock_minutes == 0 {
            return Err(invalid(
                "idle_lock_minutes",
                "The idle lock must be at least one minute",
            ));
        }
        if self.backup_interval_days == 0 {
            return Err(invalid(
                "backup_interval_days",
                "The backup interval must be at least one day",
            ));
        }
        if self.backup_keep == 0 {
            return Err(invalid("backup_keep", "Keep at least one backup"));
        }
        for (field, keys) in [
            ("recipients", &self.recipients),
            ("recovery_recipients", &self.recovery_recipients),
        ] {
            for key in keys {
                if key.parse::<age::x25519::Recipient>().is_err() {
                    return Err(invalid(
                        field,
                        format!(
                            "{key} is not an age public key: paste the whole key, starting age1"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Incident {
    /// Checks the incident on its own and against the people register and reference data.
    pub fn validate(&self, ctx: &Context) -> Result<(), Invalid> {
        if !is_incident_id(&self.id) {
            return Err(invalid(
                "id",
                format!("{} is not an incident number like INC-2026-0001", self.id),
            ));
        }
        let started = self.occurred.date();
        not_future("occurred", self.occurred, ctx.now, "When it happened")?;
        not_future("reported", self.reported, ctx.now, "When it was reported")?;
        if self.occurred > self.reported {
            return Err(invalid(
                "occurred",
                "It cannot have happened after it was reported: check both times",
            ));
        }
        required("reported_by", &self.reported_by, "Who reported it")?;
        required("recorded_by", &self.recorded_by, "Who is recording it")?;
        required("description", &self.description, "A factual description")?;
        if self.types.is_empty() {
            return Err(invalid("types", "Choose at least one incident type"));
        }
        let mut involved = HashSet::new();
        for (i, inv) in self.people.iter().enumerate() {
            let field = format!("people[{i}]");
            if !ctx.people.iter().any(|p| p.id == inv.person) {
                return Err(invalid(
                    field,
                    format!(
                        "{} is not in the people register: add the person first",
                        inv.person
                    ),
                ));
            }
            if !involved.insert((&inv.person, inv.role)) {
                return Err(invalid(
                    field,
                    format!("{} is already linked as {}", inv.person, inv.role),
                ));
            }
        }
        match (&self.closure, self.status) {
            (None, Status::Closed) => {
                return Err(invalid(
                    "closure",
                    "A case is closed with an outcome: record the outcome to close it",
                ));
            }
            (Some(_), Status::Open | Status::Monitoring) => {
                return Err(invalid(
                    "status",
                    "A case with a closure must have the status Closed: re-open it to change the status",
                ));
            }
            (Some(c), Status::Closed) => {
                required("closure.outcome", &c.outcome, "The outcome of the case")?;
                required("closure.by", &c.by, "Who closed the case")?;
                not_future("closure.when", c.when, ctx.now, "The closing time")?;
                if c.when < self.reported {
                    return Err(invalid(
                        "closure.when",
                        "A case cannot close before it was reported: check the closing time",
                    ));
                }
            }
            (None, _) => {}
        }
        for (i, item) in self.checklist.iter().enumerate() {
            let field = format!("checklist[{i}]");
            required(&field, &item.step, "The checklist step")?;
            match &item.state {
                StepState::Open => {}
                StepState::Done { by, when } => {
                    required(&format!("{field}.state.by"), by, "Who did the step")?;
                    not_future(
                        &format!("{field}.state.when"),
                        *when,
                        ctx.now,
                        "When the step was done",
                    )?;
                }
                StepState::NotApplicable { by, when, reason } => {
                    required(
                        &format!("{field}.state.by"),
                        by,
                        "Who marked the step not applicable",
                    )?;
                    required(
                        &format!("{field}.state.reason"),
                        reason,
                        "Why the step does not apply",
                    )?;
                    not_future(
                        &format!("{field}.state.when"),
                        *when,
                        ctx.now,
                        "When the step was marked",
                    )?;
                }
            }
        }
        unique_ids(
            "evidence",
            self.evidence.iter().map(|e| e.id.as_str()),
            "EV",
        )?;
        for ev in &self.evidence {
            let f = |name: &str| format!("evidence[{}].{name}", ev.id);
            required(
                &f("description"),
                &ev.description,
                "A description of the evidence",
            )?;
            required(
                &f("captured_by"),
                &ev.captured_by,
                "Who captured the evidence",
            )?;
            required(&f("kept_at"), &ev.kept_at, "Where the evidence is kept")?;
            not_future(&f("captured"), ev.captured, ctx.now, "When it was captured")?;
            not_before(
                &f("captured"),
                ev.captured.date(),
                started,
                "The capture date",
            )?;
            if let Some(file) = &ev.file
                && (file.sha256.len() != 64 || !file.sha256.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                return Err(invalid(
                    f("file"),
                    "The file's SHA-256 must be 64 hexadecimal characters",
                ));
            }
            for c in &ev.custody {
                required(&f("custody"), &c.event, "What happened to the item")?;
                not_future(&f("custody"), c.when, ctx.now, "The custody time")?;
            }
            check_error(&f("error"), &ev.error, ctx)?;
        }
        unique_ids("reports", self.reports.iter().map(|r| r.id.as_str()), "RS")?;
        for rs in &self.reports {
            let f = |name: &str| format!("reports[{}].{name}", rs.id);
            required(&f("by"), &rs.by, "Who made the report or decision")?;
            not_future(&f("when"), rs.when, ctx.now, "When it was reported")?;
            not_before(&f("when"), rs.when.date(), started, "The reporting date")?;
            match rs.decision {
                Decision::Referred => {
                    let agency = ctx.reference.agency(rs.agency);
                    if agency.issues_reference == IssuesReference::Always
                        && rs.reference.trim().is_empty()
                    {
                        return Err(invalid(
                            f("reference"),
                            format!(
                                "{} always gives a reference ({}): enter it",
                                agency.name, agency.reference_format
                            ),
                        ));
                    }
                }
                Decision::NotReferred => {
                    required(&f("reason"), &rs.reason, "The reason for not referring")?;
                }
            }
            check_error(&f("error"), &rs.error, ctx)?;
        }
        unique_ids("reviews", self.reviews.iter().map(|r| r.id.as_str()), "RV")?;
        for rv in &self.reviews {
            let f = |name: &str| format!("reviews[{}].{name}", rv.id);
            not_before(&f("due"), rv.due, started, "The review date")?;
            if let Some(held) = rv.held {
                not_future(&f("held"), held, ctx.now, "When the review was held")?;
                not_before(&f("held"), held.date(), started, "The review")?;
                required(&f("by"), &rv.by, "Who held the review")?;
                required(&f("outcome"), &rv.outcome, "The review's outcome")?;
                let Some(decision) = rv.decision else {
                    return Err(invalid(
                        f("decision"),
                        "Choose the review's decision: continue monitoring, escalate or close",
                    ));
                };
                match (decision, rv.next_review) {
                    (ReviewDecision::ContinueMonitoring, None) => {
                        return Err(invalid(
                            f("next_review"),
                            "Continue monitoring needs the next review date",
                        ));
                    }
                    (_, Some(next)) if next <= held.date() => {
                        return Err(invalid(
                            f("next_review"),
                            "The next review must come after this one: choose a later date",
                        ));
                    }
                    _ => {}
                }
            } else if rv.decision.is_some() || !rv.outcome.is_empty() {
                return Err(invalid(
                    f("held"),
                    "A review with an outcome needs the time it was held",
                ));
            }
            check_error(&f("error"), &rv.error, ctx)?;
        }
        check_error("error", &self.error, ctx)?;
        Ok(())
    }
}

impl Logbook {
    /// Checks every record and the links between them (ids unique, people and related
    /// incidents exist). Used on import; `now` bounds every date.
    pub fn validate(&self, now: NaiveDateTime) -> Result<(), Invalid> {
        self.settings.validate()?;
        let mut ids = HashSet::new();
        for p in &self.people {
            p.validate(now).map_err(|e| prefixed(&p.id, e))?;
            if !ids.insert(p.id.as_str()) {
                return Err(invalid(
                    "people",
                    format!("{} is in the people register twice", p.id),
                ));
            }
        }
        let ctx = Context {
            now,
            people: &self.people,
            reference: Reference::get(),
        };
        let mut ids = HashSet::new();
        for inc in &self.incidents {
            inc.validate(&ctx).map_err(|e| prefixed(&inc.id, e))?;
            if !ids.insert(inc.id.as_str()) {
                return Err(invalid("incidents", format!("{} appears twice", inc.id)));
            }
        }
        for inc in &self.incidents {
            for rel in &inc.related {
                if !ids.contains(rel.as_str()) {
                    return Err(invalid(
                        format!("{}.related", inc.id),
                        format!("{}: the related incident {rel} does not exist", inc.id),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Puts the record's id in front of a message, so a refusal in a whole file says where.
fn prefixed(id: &str, e: Invalid) -> Invalid {
    Invalid {
        field: format!("{id}.{}", e.field),
        message: format!("{id}: {}", e.message),
    }
}
