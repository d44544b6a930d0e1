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
    pub people: &'a [Shared<Person>],
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
                super::dates::when(when)
            ),
        ))
    } else {
        Ok(())
    }
}

pub(super) fn not_before(
    field: &str,
    date: NaiveDate,
    start: NaiveDate,
    what: &str,
) -> Result<(), Invalid> {
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

/// `INC-YYYY-NNNN`: four digits, or more without a leading zero (INC-2026-10000), so a
/// trust with many settings never runs out of numbers in a year.
pub fn is_incident_id(id: &str) -> bool {
    let b = id.as_bytes();
    let number = b.get(9..).unwrap_or_default();
    b.len() >= 13
        && id.starts_with("INC-")
        && b[8] == b'-'
        && b[4..8].iter().all(u8::is_ascii_digit)
        && number.iter().all(u8::is_ascii_digit)
        && (number.len() == 4 || (number.len() <= 12 && number[0] != b'0'))
}

/// The longest idle time before the app locks itself (`Settings::idle_lock_minutes`).
pub const MAX_IDLE_LOCK_MINUTES: u32 = 240;

/// A year group as typed, in its stored form (`N`, `R`, `Y1` to `Y13`), or `None` when it
/// is not one. Case and the usual spellings are taken: `y9`, `Y 9`, `Yr 9`, `Year 9`, `YR`
/// and `Reception` (reception), `Nursery` (tester3 #28).
pub fn year_group(text: &str) -> Option<String> {
    let t: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase();
    let stored = match t.as_str() {
        "N" | "NURSERY" => "N".to_string(),
        "R" | "YR" | "RECEPTION" => "R".to_string(),
        _ => {
            let number = ["YEAR", "YR", "Y"]
                .iter()
                .find_map(|p| t.strip_prefix(p))?
                .trim_start();
            format!("Y{number}")
        }
    };
    is_year_group(&stored).then_some(stored)
}

/// A school year group: N (nursery), R (reception) or Y1 to Y13.
pub fn is_year_group(text: &str) -> bool {
    match text {
        "N" | "R" => true,
        _ => text
            .strip_prefix('Y')
            .and_then(|n| n.parse::<u8>().ok().filter(|_| !n.starts_with('0')))
            .is_some_and(|n| (1..=13).contains(&n)),
    }
}

/// A year group belongs to a pupil: a member of staff or an adult given one (`Y9`) was
/// listed with it, and the retention rule for an allegation about staff then worked from
/// the year of birth it stands for, as if their age were known (tester4 #13). Checked when
/// a person is added or edited, never on reading a logbook, so records made before stay
/// readable (and are refused only when next edited, with what to do).
pub fn year_group_fits(age_group: AgeGroup, year_group: &str) -> Result<(), Invalid> {
    if year_group.trim().is_empty() || !matches!(age_group, AgeGroup::Staff | AgeGroup::Adult) {
        return Ok(());
    }
    Err(invalid(
        "birth_year",
        format!(
            "A year group ({}) is for a pupil, not for {}: give their year of birth (e.g. 1984) or leave it empty, or choose Child or Young person as the age group",
            year_group.trim(),
            match age_group {
                AgeGroup::Staff => "a member of staff or volunteer",
                _ => "an adult",
            }
        ),
    ))
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
        if !self.year_group.is_empty() && !is_year_group(&self.year_group) {
            return Err(invalid(
                "year_group",
                format!(
                    "{} is not a year group: type R, N or Y1 to Y13, e.g. Y9",
                    self.year_group
                ),
            ));
        }
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

/// The first of a record's refusals, as the record's refusal.
fn first(refusals: Vec<Invalid>) -> Result<(), Invalid> {
    refusals.into_iter().next().map_or(Ok(()), Err)
}

impl Settings {
    pub fn validate(&self) -> Result<(), Invalid> {
        first(self.refusals())
    }

    /// Every refusal of the settings: each field is checked on its own, so a form can mark
    /// every wrong field at once instead of one per save.
    pub fn refusals(&self) -> Vec<Invalid> {
        let mut out = Vec::new();
        for (field, value, message) in [
            (
                "review_interval_days",
                self.review_interval_days,
                "The review interval must be at least one day",
            ),
            (
                "idle_lock_minutes",
                self.idle_lock_minutes,
                "The idle lock must be at least one minute",
            ),
            (
                "backup_interval_days",
                self.backup_interval_days,
                "The backup interval must be at least one day",
            ),
            ("backup_keep", self.backup_keep, "Keep at least one backup"),
        ] {
            if value == 0 {
                out.push(invalid(field, message));
            }
        }
        // The idle lock is what hides the records on a screen left unattended: 100000
        // minutes (69 days) turned it off in effect (tester3 #28).
        if self.idle_lock_minutes > MAX_IDLE_LOCK_MINUTES {
            out.push(invalid(
                "idle_lock_minutes",
                format!(
                    "The idle lock can be at most {MAX_IDLE_LOCK_MINUTES} minutes (4 hours), so records left on an unattended screen are hidden the same day: type 1 to {MAX_IDLE_LOCK_MINUTES}"
                ),
            ));
        }
        for (field, keys) in [
            ("recipients", &self.recipients),
            ("recovery_recipients", &self.recovery_recipients),
        ] {
            if let Some(key) = keys
                .iter()
                .find(|k| k.parse::<age::x25519::Recipient>().is_err())
            {
                out.push(invalid(
                    field,
                    format!("{key} is not an age public key: paste the whole key, starting age1"),
                ));
            }
        }
        out
    }
}

/// Every refusal of an incident's summary fields, each checked on its own so a form can
/// mark every wrong field at once (two times in the future are both refused at the first
/// save). A time not known (`None`: the form could not read it, and refuses it itself) is
/// left out, with the check that compares the two.
pub fn summary_refusals(
    occurred: Option<NaiveDateTime>,
    reported: Option<NaiveDateTime>,
    reported_by: &str,
    description: &str,
    has_type: bool,
    now: NaiveDateTime,
) -> Vec<Invalid> {
    let mut out = Vec::new();
    if let Some(t) = occurred {
        out.extend(not_future("occurred", t, now, "When it happened").err());
    }
    if let Some(t) = reported {
        out.extend(not_future("reported", t, now, "When it was reported").err());
    }
    if let (Some(o), Some(r)) = (occurred, reported)
        && o > r
        && out.iter().all(|e| e.field != "occurred")
    {
        out.push(invalid(
            "occurred",
            "It cannot have happened after it was reported: check both times",
        ));
    }
    out.extend(required("reported_by", reported_by, "Who reported it").err());
    out.extend(required("description", description, "A factual description").err());
    if !has_type {
        out.push(invalid("types", "Choose at least one incident type"));
    }
    out
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
        first(summary_refusals(
            Some(self.occurred),
            Some(self.reported),
            &self.reported_by,
            &self.description,
            !self.types.is_empty(),
            ctx.now,
        ))?;
        required("recorded_by", &self.recorded_by, "Who is recording it")?;
        let mut involved = HashSet::new();
        for (i, inv) in self.people.iter().enumerate() {
            let field = format!("people[{i}]");
            // The register is kept in id order (`Logbook::sort`), so a binary search
            // finds a person at once; only a miss, whether a register out of order or a
            // person not in it, is confirmed by a scan (linear per incident made
            // `demo --generate 50000` take an hour).
            let listed = |id: &str| {
                ctx.people
                    .binary_search_by(|p| super::ops::id_order(&p.id, id))
                    .is_ok()
                    || ctx.people.iter().any(|p| p.id == id)
            };
            if !listed(&inv.person) {
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
            // A tick taken back keeps who marked it so and why (tester4 #22).
            for (n, s) in item.struck.iter().enumerate() {
                if s.was == StepState::Open {
                    return Err(invalid(
                        format!("{field}.struck[{n}].was"),
                        "Only a step done or marked not applicable can be entered in error",
                    ));
                }
                check_error(
                    &format!("{field}.struck[{n}].error"),
                    &Some(s.error.clone()),
                    ctx,
                )?;
            }
        }
        unique_ids(
            "evidence",
            self.evidence.iter().map(|e| e.id.as_str()),
            "EV",
        )?;
        for ev in &self.evidence {
            first(ev.refusals(started, ctx))?;
        }
        unique_ids("reports", self.reports.iter().map(|r| r.id.as_str()), "RS")?;
        for rs in &self.reports {
            first(rs.refusals(started, ctx))?;
        }
        unique_ids("reviews", self.reviews.iter().map(|r| r.id.as_str()), "RV")?;
        for rv in &self.reviews {
            first(rv.refusals(started, ctx))?;
        }
        check_error("error", &self.error, ctx)?;
        Ok(())
    }
}

// Each entry's checks, every one of them: a record is refused for the first
// (`Incident::validate`), a form marks them all at once (`Logbook::evidence_refusals` and
// the like). `started`: the day the incident happened, before which nothing is dated.

impl Evidence {
    pub fn refusals(&self, started: NaiveDate, ctx: &Context) -> Vec<Invalid> {
        let f = |name: &str| format!("evidence[{}].{name}", self.id);
        let mut out = Vec::new();
        out.extend(
            required(
                &f("description"),
                &self.description,
                "A description of the evidence",
            )
            .err(),
        );
        out.extend(
            required(
                &f("captured_by"),
                &self.captured_by,
                "Who captured the evidence",
            )
            .err(),
        );
        out.extend(required(&f("kept_at"), &self.kept_at, "Where the evidence is kept").err());
        // One refusal per field: a time in the future is not also "before" anything.
        out.extend(
            not_future(
                &f("captured"),
                self.captured,
                ctx.now,
                "When it was captured",
            )
            .and_then(|()| {
                not_before(
                    &f("captured"),
                    self.captured.date(),
                    started,
                    "The capture date",
                )
            })
            .err(),
        );
        if let Some(file) = &self.file
            && (file.sha256.len() != 64 || !file.sha256.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            out.push(invalid(
                f("file"),
                "The file's SHA-256 must be 64 hexadecimal characters",
            ));
        }
        for c in &self.custody {
            out.extend(required(&f("custody"), &c.event, "What happened to the item").err());
            // The time has a field of its own in the form: the refusal goes beside it.
            out.extend(not_future(&f("custody_when"), c.when, ctx.now, "The custody time").err());
        }
        out.extend(check_error(&f("error"), &self.error, ctx).err());
        out
    }
}

impl ReportingStep {
    pub fn refusals(&self, started: NaiveDate, ctx: &Context) -> Vec<Invalid> {
        let f = |name: &str| format!("reports[{}].{name}", self.id);
        let mut out = Vec::new();
        out.extend(required(&f("by"), &self.by, "Who made the report or decision").err());
        if self.agency == Agency::Other {
            out.extend(
                required(
                    &f("agency_name"),
                    &self.agency_name,
                    "The other agency's name (e.g. Early Help, CAMHS)",
                )
                .err(),
            );
        }
        out.extend(
            not_future(&f("when"), self.when, ctx.now, "When it was reported")
                .and_then(|()| {
                    not_before(&f("when"), self.when.date(), started, "The reporting date")
                })
                .err(),
        );
        match self.decision {
            Decision::Referred => {
                let agency = ctx.reference.agency(self.agency);
                if agency.issues_reference == IssuesReference::Always
                    && self.reference.trim().is_empty()
                    && !self.reference_awaited
                {
                    out.push(invalid(
                        f("reference"),
                        format!(
                            "{} always gives a reference ({}): enter it, or mark it as awaited",
                            agency.name, agency.reference_format
                        ),
                    ));
                }
            }
            Decision::NotReferred => {
                out.extend(
                    required(&f("reason"), &self.reason, "The reason for not referring").err(),
                );
            }
        }
        out.extend(check_error(&f("error"), &self.error, ctx).err());
        out
    }
}

impl Review {
    pub fn refusals(&self, started: NaiveDate, ctx: &Context) -> Vec<Invalid> {
        let f = |name: &str| format!("reviews[{}].{name}", self.id);
        let mut out = Vec::new();
        out.extend(not_before(&f("due"), self.due, started, "The review date").err());
        if let Some(held) = self.held {
            out.extend(
                not_future(&f("held"), held, ctx.now, "When the review was held")
                    .and_then(|()| not_before(&f("held"), held.date(), started, "The review"))
                    .err(),
            );
            out.extend(required(&f("by"), &self.by, "Who held the review").err());
            out.extend(required(&f("outcome"), &self.outcome, "The review's outcome").err());
            match (self.decision, self.next_review) {
                (None, _) => out.push(invalid(
                    f("decision"),
                    "Choose the review's decision: continue monitoring, escalate or close",
                )),
                (Some(ReviewDecision::ContinueMonitoring), None) => out.push(invalid(
                    f("next_review"),
                    "Continue monitoring needs the next review date",
                )),
                (Some(_), Some(next)) if next <= held.date() => out.push(invalid(
                    f("next_review"),
                    "The next review must come after this one: choose a later date",
                )),
                _ => {}
            }
        } else if self.decision.is_some() || !self.outcome.is_empty() {
            out.push(invalid(
                f("held"),
                "A review with an outcome needs the time it was held",
            ));
        }
        if self.cancelled.is_some() && self.held.is_some() {
            out.push(invalid(
                f("cancelled"),
                "A review that was held cannot be cancelled: mark it entered in error instead",
            ));
        }
        out.extend(check_error(&f("cancelled"), &self.cancelled, ctx).err());
        out.extend(check_error(&f("error"), &self.error, ctx).err());
        // A move keeps who made it, when and why (tester4 #21), as a cancellation does.
        for (n, m) in self.moves.iter().enumerate() {
            let g = |name: &str| f(&format!("moves[{n}].{name}"));
            out.extend(required(&g("by"), &m.by, "Who moved the review").err());
            out.extend(required(&g("reason"), &m.reason, "The reason the review was moved").err());
            out.extend(not_future(&g("when"), m.when, ctx.now, "When the review was moved").err());
            if m.from == m.to {
                out.push(invalid(g("to"), "A review moved must move to another date"));
            }
        }
        out
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
        let mut disposed = HashSet::new();
        for t in &self.tombstones {
            if !disposed.insert(t.id.as_str()) || ids.contains(t.id.as_str()) {
                return Err(invalid(
                    "tombstones",
                    format!(
                        "{} is disposed of twice, or both disposed of and present",
                        t.id
                    ),
                ));
            }
        }
        for inc in &self.incidents {
            for rel in &inc.related {
                if !ids.contains(rel.as_str()) && !disposed.contains(rel.as_str()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    }

    fn mark() -> Option<EnteredInError> {
        Some(EnteredInError {
            when: at(15, 12),
            by: "RO".into(),
            reason: "Wrong case".into(),
        })
    }

    fn person() -> Person {
        Person {
            id: "P-0001".into(),
            reference: "JB".into(),
            age_group: AgeGroup::Child,
            birth_year: Some(2012),
            notes: String::new(),
            error: mark(),
            year_group: String::new(),
            transferred: None,
        }
    }

    /// An incident using every part the rules look at, valid as it stands.
    fn incident() -> Incident {
        Incident {
            id: "INC-2026-0001".into(),
            occurred: at(14, 18),
            occurred_approximate: false,
            reported: at(15, 8),
            reported_by: "Form tutor".into(),
            recorded_by: "RO".into(),
            people: vec![Involvement {
                person: "P-0001".into(),
                role: Role::Subject,
            }],
            risk_area: RiskArea::Conduct,
            types: vec![IncidentType::Cyberbullying],
            platform: String::new(),
            description: "Messages".into(),
            immediate_action: String::new(),
            risk_level: RiskLevel::Low,
            status: Status::Closed,
            closure: Some(Closure {
                when: at(16, 8),
                by: "RO".into(),
                outcome: "Resolved".into(),
            }),
            checklist: vec![
                ChecklistItem {
                    step: "Block".into(),
                    state: StepState::Done {
                        by: "RO".into(),
                        when: at(15, 9),
                    },
                    struck: Vec::new(),
                },
                ChecklistItem {
                    step: "Report".into(),
                    state: StepState::NotApplicable {
                        by: "RO".into(),
                        when: at(15, 9),
                        reason: "No account".into(),
                    },
                    struck: Vec::new(),
                },
            ],
            evidence: vec![Evidence {
                imagery_copy: false,
                id: "EV-1".into(),
                kind: EvidenceKind::Screenshot,
                description: "Chat".into(),
                source: String::new(),
                captured: at(15, 9),
                captured_by: "RO".into(),
                kept_at: "Safe".into(),
                file: Some(FileFingerprint {
                    sha256: "ab".repeat(32),
                    size: 1,
                }),
                custody: vec![CustodyEvent {
                    when: at(15, 10),
                    event: "Handed over".into(),
                    reference: String::new(),
                }],
                error: mark(),
            }],
            reports: vec![
                ReportingStep {
                    delay_reason: String::new(),
                    id: "RS-1".into(),
                    agency: Agency::Police101,
                    agency_name: String::new(),
                    decision: Decision::Referred,
                    when: at(15, 10),
                    by: "RO".into(),
                    method: None,
                    reference: "CAD 1".into(),
                    contact: String::new(),
                    outcome: String::new(),
                    follow_up_owed: false,
                    reference_awaited: false,
                    reason: String::new(),
                    error: mark(),
                },
                ReportingStep {
                    delay_reason: String::new(),
                    id: "RS-2".into(),
                    agency: Agency::Lado,
                    agency_name: String::new(),
                    decision: Decision::NotReferred,
                    when: at(15, 10),
                    by: "RO".into(),
                    method: None,
                    reference: String::new(),
                    contact: String::new(),
                    outcome: String::new(),
                    follow_up_owed: false,
                    reference_awaited: false,
                    reason: "Not staff".into(),
                    error: None,
                },
            ],
            reviews: vec![
                Review {
                    id: "RV-1".into(),
                    due: at(15, 0).date(),
                    held: Some(at(15, 15)),
                    by: "RO".into(),
                    outcome: "Calm".into(),
                    risk_now: Some(RiskLevel::Low),
                    decision: Some(ReviewDecision::ContinueMonitoring),
                    next_review: Some(at(20, 0).date()),
                    error: None,
                    cancelled: None,
                    moves: Vec::new(),
                },
                Review {
                    id: "RV-2".into(),
                    due: at(20, 0).date(),
                    cancelled: mark(),
                    ..Review::scheduled("RV-2", at(20, 0).date())
                },
            ],
            related: Vec::new(),
            error: mark(),
            retention: None,
            transferred: None,
        }
    }

    fn now() -> NaiveDateTime {
        at(16, 9)
    }

    fn check(i: &Incident) -> Result<(), Invalid> {
        let people = [Shared::new(person())];
        i.validate(&Context {
            now: now(),
            people: &people,
            reference: Reference::get(),
        })
    }

    #[test]
    fn people_are_found_in_a_register_in_id_order_or_not() {
        let named = |id: &str| {
            let mut p = person();
            p.id = id.into();
            Shared::new(p)
        };
        let mut register: Vec<_> = (2..400).map(|n| named(&format!("P-{n:04}"))).collect();
        fn ctx(people: &[Shared<Person>]) -> Context<'_> {
            Context {
                now: at(16, 9),
                people,
                reference: Reference::get(),
            }
        }
        let mut i = incident();
        i.people[0].person = "P-0123".into();
        i.validate(&ctx(&register)).unwrap();
        // Out of order (as a file edited by hand may be): found all the same.
        register.reverse();
        i.validate(&ctx(&register)).unwrap();
        i.people[0].person = "P-0001".into();
        let refused = i.validate(&ctx(&register)).unwrap_err();
        assert_eq!(refused.field, "people[0]");
    }

    #[test]
    fn the_sample_records_are_valid() {
        check(&incident()).unwrap();
        person().validate(now()).unwrap();
        Settings::new("S", vec![]).validate().unwrap();
    }

    type Change = fn(&mut Incident);
    /// The field a refusal names, and the change that triggers it.
    type Case<T> = (&'static str, fn(&mut T));

    /// Every refusal of `Incident::validate`: the change that triggers it and the field it names.
    #[test]
    fn every_incident_refusal_names_its_field() {
        let cases: &[(&str, Change)] = &[
            ("id", |i| i.id = "INC-26-1".into()),
            ("occurred", |i| i.occurred = at(17, 9)),
            ("reported", |i| i.reported = at(17, 9)),
            ("occurred", |i| i.occurred = at(15, 9)),
            ("reported_by", |i| i.reported_by = " ".into()),
            ("recorded_by", |i| i.recorded_by = String::new()),
            ("description", |i| i.description = String::new()),
            ("types", |i| i.types.clear()),
            ("people[0]", |i| i.people[0].person = "P-0009".into()),
            ("people[1]", |i| {
                let again = i.people[0].clone();
                i.people.push(again)
            }),
            ("closure", |i| i.closure = None),
            ("status", |i| i.status = Status::Open),
            ("closure.outcome", |i| {
                i.closure.as_mut().unwrap().outcome.clear()
            }),
            ("closure.by", |i| i.closure.as_mut().unwrap().by.clear()),
            ("closure.when", |i| {
                i.closure.as_mut().unwrap().when = at(17, 9)
            }),
            ("closure.when", |i| {
                i.closure.as_mut().unwrap().when = at(15, 7)
            }),
            ("checklist[0]", |i| i.checklist[0].step.clear()),
            ("checklist[0].state.by", |i| {
                i.checklist[0].state = StepState::Done {
                    by: String::new(),
                    when: at(15, 9),
                }
            }),
            ("checklist[0].state.when", |i| {
                i.checklist[0].state = StepState::Done {
                    by: "RO".into(),
                    when: at(17, 9),
                }
            }),
            ("checklist[1].state.by", |i| {
                i.checklist[1].state = StepState::NotApplicable {
                    by: String::new(),
                    when: at(15, 9),
                    reason: "x".into(),
                }
            }),
            ("checklist[1].state.reason", |i| {
                i.checklist[1].state = StepState::NotApplicable {
                    by: "RO".into(),
                    when: at(15, 9),
                    reason: String::new(),
                }
            }),
            ("checklist[1].state.when", |i| {
                i.checklist[1].state = StepState::NotApplicable {
                    by: "RO".into(),
                    when: at(17, 9),
                    reason: "x".into(),
                }
            }),
            ("evidence", |i| i.evidence[0].id = "EV-01".into()),
            ("evidence", |i| {
                let again = i.evidence[0].clone();
                i.evidence.push(again)
            }),
            ("evidence[EV-1].description", |i| {
                i.evidence[0].description.clear()
            }),
            ("evidence[EV-1].captured_by", |i| {
                i.evidence[0].captured_by.clear()
            }),
            ("evidence[EV-1].kept_at", |i| i.evidence[0].kept_at.clear()),
            ("evidence[EV-1].captured", |i| {
                i.evidence[0].captured = at(17, 9)
            }),
            ("evidence[EV-1].captured", |i| {
                i.evidence[0].captured = at(13, 9)
            }),
            ("evidence[EV-1].file", |i| {
                i.evidence[0].file.as_mut().unwrap().sha256 = "zz".into()
            }),
            ("evidence[EV-1].custody", |i| {
                i.evidence[0].custody[0].event.clear()
            }),
            ("evidence[EV-1].custody_when", |i| {
                i.evidence[0].custody[0].when = at(17, 9)
            }),
            ("evidence[EV-1].error.by", |i| {
                i.evidence[0].error.as_mut().unwrap().by.clear()
            }),
            ("evidence[EV-1].error.reason", |i| {
                i.evidence[0].error.as_mut().unwrap().reason.clear()
            }),
            ("evidence[EV-1].error.when", |i| {
                i.evidence[0].error.as_mut().unwrap().when = at(17, 9)
            }),
            ("reports", |i| i.reports[0].id = "RV-1".into()),
            ("reports[RS-1].by", |i| i.reports[0].by.clear()),
            ("reports[RS-1].when", |i| i.reports[0].when = at(17, 9)),
            ("reports[RS-1].when", |i| i.reports[0].when = at(13, 9)),
            ("reports[RS-1].reference", |i| {
                i.reports[0].reference.clear()
            }),
            ("reports[RS-2].reason", |i| i.reports[1].reason.clear()),
            ("reports[RS-2].agency_name", |i| {
                i.reports[1].agency = Agency::Other
            }),
            ("reports[RS-1].error.reason", |i| {
                i.reports[0].error.as_mut().unwrap().reason.clear()
            }),
            ("reviews", |i| i.reviews[1].id = "RV-1".into()),
            ("reviews[RV-1].due", |i| i.reviews[0].due = at(13, 0).date()),
            ("reviews[RV-1].held", |i| {
                i.reviews[0].held = Some(at(17, 9))
            }),
            ("reviews[RV-1].held", |i| {
                i.reviews[0].held = Some(at(13, 9))
            }),
            ("reviews[RV-1].by", |i| i.reviews[0].by.clear()),
            ("reviews[RV-1].outcome", |i| i.reviews[0].outcome.clear()),
            ("reviews[RV-1].decision", |i| i.reviews[0].decision = None),
            ("reviews[RV-1].next_review", |i| {
                i.reviews[0].next_review = None
            }),
            ("reviews[RV-1].next_review", |i| {
                i.reviews[0].next_review = Some(at(15, 0).date())
            }),
            ("reviews[RV-2].held", |i| i.reviews[1].outcome = "x".into()),
            ("reviews[RV-1].cancelled", |i| {
                i.reviews[0].cancelled = mark()
            }),
            ("reviews[RV-2].cancelled.by", |i| {
                i.reviews[1].cancelled.as_mut().unwrap().by.clear()
            }),
            ("reviews[RV-1].error.by", |i| {
                i.reviews[0].error = mark();
                i.reviews[0].error.as_mut().unwrap().by.clear()
            }),
            ("error.reason", |i| i.error.as_mut().unwrap().reason.clear()),
            ("error.by", |i| i.error.as_mut().unwrap().by.clear()),
            ("error.when", |i| i.error.as_mut().unwrap().when = at(17, 9)),
            ("reports", |i| i.reports[1].id = "RS-1".into()),
            ("reports[RS-1].error.by", |i| {
                i.reports[0].error.as_mut().unwrap().by.clear()
            }),
            ("reports[RS-1].error.when", |i| {
                i.reports[0].error.as_mut().unwrap().when = at(17, 9)
            }),
            ("reviews", |i| i.reviews[1].id = "RV-02".into()),
            ("reviews[RV-2].cancelled.reason", |i| {
                i.reviews[1].cancelled.as_mut().unwrap().reason.clear()
            }),
            ("reviews[RV-2].cancelled.when", |i| {
                i.reviews[1].cancelled.as_mut().unwrap().when = at(17, 9)
            }),
            ("reviews[RV-1].error.reason", |i| {
                i.reviews[0].error = mark();
                i.reviews[0].error.as_mut().unwrap().reason.clear()
            }),
            ("reviews[RV-1].error.when", |i| {
                i.reviews[0].error = mark();
                i.reviews[0].error.as_mut().unwrap().when = at(17, 9)
            }),
        ];
        for (field, change) in cases {
            let mut i = incident();
            change(&mut i);
            match check(&i) {
                Err(e) => {
                    assert_eq!(&e.field, field, "{}", e.message);
                    assert!(
                        e.message.contains(':') || e.message.len() > 20,
                        "{}",
                        e.message
                    );
                }
                Ok(()) => panic!("no refusal for {field}"),
            }
        }
    }

    #[test]
    fn an_awaited_reference_may_be_missing() {
        let mut i = incident();
        i.reports[0].reference.clear();
        i.reports[0].reference_awaited = true;
        check(&i).unwrap();
    }

    #[test]
    fn every_person_refusal_names_its_field() {
        let cases: &[Case<Person>] = &[
            ("id", |p| p.id = "P-1".into()),
            ("reference", |p| p.reference = " ".into()),
            ("birth_year", |p| p.birth_year = Some(1899)),
            ("birth_year", |p| p.birth_year = Some(2027)),
            ("year_group", |p| p.year_group = "Y14".into()),
            ("year_group", |p| p.year_group = "9".into()),
            ("error.by", |p| p.error.as_mut().unwrap().by.clear()),
            ("error.reason", |p| p.error.as_mut().unwrap().reason.clear()),
            ("error.when", |p| p.error.as_mut().unwrap().when = at(17, 9)),
        ];
        for (field, change) in cases {
            let mut p = person();
            change(&mut p);
            assert_eq!(&p.validate(now()).unwrap_err().field, field);
        }
    }

    /// Tester4 #13: a member of staff given `Y9` was listed with it, and the retention
    /// rule for an allegation about staff then read as if their age were known.
    #[test]
    fn a_year_group_is_refused_for_staff_and_adults_with_what_to_do() {
        let mut b = crate::demo::logbook().unwrap();
        let stamp = crate::model::Stamp::new("RO", b.audit.last().unwrap().at);
        let details = |age_group, year_group: &str| super::super::commands::PersonDetails {
            reference: "Mrs QS (cover supervisor)".into(),
            age_group,
            birth_year: None,
            year_group: year_group.into(),
            notes: String::new(),
        };
        for group in [AgeGroup::Staff, AgeGroup::Adult] {
            let e = b.register_person(&stamp, details(group, "Y9")).unwrap_err();
            assert_eq!(e.field, "birth_year");
            assert!(
                e.message.contains("give their year of birth"),
                "{}",
                e.message
            );
        }
        let people = b.people.len();
        let id = b
            .register_person(&stamp, details(AgeGroup::Staff, ""))
            .unwrap();
        assert_eq!(b.people.len(), people + 1);
        // Nor can an edit give one.
        let e = b
            .edit_person(&stamp, &id, details(AgeGroup::Staff, "Y9"))
            .unwrap_err();
        assert_eq!(e.field, "birth_year");
        // A pupil, and an adult at risk (a sixth-former of 18), keep theirs.
        for group in [
            AgeGroup::Child,
            AgeGroup::YoungPerson,
            AgeGroup::AdultAtRisk,
        ] {
            b.register_person(&stamp, details(group, "Y13")).unwrap();
        }
        // A record made before the rule still reads and verifies.
        let mut old = person();
        old.age_group = AgeGroup::Staff;
        old.birth_year = None;
        old.year_group = "Y9".into();
        old.validate(now()).unwrap();
    }

    /// Tester4 #13: a parent or carer had no role of their own.
    #[test]
    fn a_parent_or_carer_is_linked_in_a_role_of_their_own() {
        assert!(Role::ALL.contains(&Role::ParentOrCarer));
        assert_eq!(Role::ParentOrCarer.label(), "Parent or carer");
        assert_eq!(Role::from_name("ParentOrCarer"), Some(Role::ParentOrCarer));
        // Stored as its own name; the earlier roles' stored names are unchanged.
        let stored = |r: Role| ron::to_string(&r).unwrap();
        assert_eq!(stored(Role::ParentOrCarer), "ParentOrCarer");
        assert_eq!(stored(Role::Reporter), "Reporter");
        let mut b = crate::demo::logbook().unwrap();
        let stamp = crate::model::Stamp::new("RO", b.audit.last().unwrap().at);
        let id = b.incidents[0].id.clone();
        let parent = super::super::commands::PersonDetails {
            reference: "Mum of JB".into(),
            age_group: AgeGroup::Adult,
            birth_year: None,
            year_group: String::new(),
            notes: String::new(),
        };
        let p = b
            .link_new_person(&stamp, &id, parent, Role::ParentOrCarer)
            .unwrap();
        let inc = b.incidents.iter().find(|i| i.id == id).unwrap();
        assert!(
            inc.people
                .iter()
                .any(|x| x.person == p && x.role == Role::ParentOrCarer)
        );
        assert!(b.verify_audit().is_ok());
    }

    #[test]
    fn every_settings_refusal_names_its_field() {
        let cases: &[Case<Settings>] = &[
            ("review_interval_days", |s| s.review_interval_days = 0),
            ("idle_lock_minutes", |s| s.idle_lock_minutes = 0),
            ("backup_interval_days", |s| s.backup_interval_days = 0),
            ("backup_keep", |s| s.backup_keep = 0),
            ("recipients", |s| s.recipients = vec!["age1nope".into()]),
            ("recovery_recipients", |s| {
                s.recovery_recipients = vec!["ssh-rsa AAA".into()]
            }),
        ];
        for (field, change) in cases {
            let mut s = Settings::new("S", vec![]);
            change(&mut s);
            assert_eq!(&s.validate().unwrap_err().field, field);
        }
    }

    fn logbook() -> Logbook {
        let mut b = Logbook::new(Settings::new("S", vec![]));
        b.people.push(Shared::new(person()));
        b.incidents.push(Shared::new(incident()));
        b.validate(now()).unwrap();
        b
    }

    #[test]
    fn every_logbook_refusal_names_its_field() {
        let cases: &[Case<Logbook>] = &[
            ("idle_lock_minutes", |b| b.settings.idle_lock_minutes = 0),
            ("P-1.id", |b| b.people[0].id = "P-1".into()),
            ("people", |b| {
                let again = b.people[0].clone();
                b.people.push(again)
            }),
            ("INC-2026-0001.description", |b| {
                b.incidents[0].description.clear()
            }),
            ("incidents", |b| {
                let again = b.incidents[0].clone();
                b.incidents.push(again)
            }),
            ("tombstones", |b| {
                b.tombstones.push(Tombstone {
                    id: "INC-2026-0001".into(),
                    disposed: at(16, 0).date(),
                    by: String::new(),
                    rule: String::new(),
                })
            }),
            ("INC-2026-0001.related", |b| {
                b.incidents[0].related.push("INC-2026-0002".into())
            }),
        ];
        for (field, change) in cases {
            let mut b = logbook();
            change(&mut b);
            assert_eq!(&b.validate(now()).unwrap_err().field, field);
        }
        // A related incident since disposed of is still a valid link.
        let mut b = logbook();
        b.incidents[0].related.push("INC-2025-0001".into());
        b.tombstones.push(Tombstone {
            id: "INC-2025-0001".into(),
            disposed: at(16, 0).date(),
            by: "RO".into(),
            rule: "r".into(),
        });
        b.validate(now()).unwrap();
    }

    #[test]
    fn incident_numbers_have_four_digits_or_more_without_a_leading_zero() {
        for ok in [
            "INC-2026-0001",
            "INC-2026-9999",
            "INC-2026-10000",
            "INC-2027-123456",
        ] {
            assert!(is_incident_id(ok), "{ok}");
        }
        for bad in [
            "INC-2026-001",
            "INC-2026-01000",
            "INC-2026-1000a",
            "INC-26-00001",
            "INC-2026_0001",
            "INC-2026-",
            "INC-2026-1234567890123",
        ] {
            assert!(!is_incident_id(bad), "{bad}");
        }
        assert!(is_item_id("EV-12", "EV") && !is_item_id("EV-012", "EV"));
        assert!(is_person_id("P-000123") && !is_person_id("P-12"));
    }
}
