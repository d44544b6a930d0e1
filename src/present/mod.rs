//! The presentation layer: turns a record into labels, dates and labelled lines, once, for
//! `logbook show`, the exports and the app's incident screen and entry pop-up (`screen`),
//! so a court-facing printout cannot drift from what the screen shows.
//!
//! Everything returned here is the logbook's own text, NOT escaped: each output escapes it
//! for where it goes (`crate::text` for a terminal or a text file, `report` for Markdown and
//! HTML). Dates and the words "approximately", "OVERDUE", "late" and "entered in error" are
//! written here and nowhere else.

use chrono::{NaiveDate, NaiveDateTime};

pub use crate::model::dates::{CLOCK, DAY, EXACT, MINUTE, at, clock, date, exact, when};
use crate::model::*;

pub mod screen;
pub mod trail;

/// When an incident happened, marked when it is an estimate.
pub fn happened(inc: &Incident) -> String {
    if inc.occurred_approximate {
        format!("{} (approximately)", when(inc.occurred))
    } else {
        when(inc.occurred)
    }
}

/// When a chronology event happened, marked as `happened` marks it when it is an estimate.
pub fn event_when(e: &crate::model::chronology::Event) -> String {
    if e.approximate {
        format!("{} (approximately)", when(e.when))
    } else {
        when(e.when)
    }
}

/// `event_when` in the 16 characters of a table's date column: an estimate gives its day
/// alone, "about 2026-11-20", since "2026-11-20 19:30 (approximately)" would be cut to a
/// time that reads as exact.
pub fn event_when_short(e: &crate::model::chronology::Event) -> String {
    if e.approximate {
        format!("about {}", date(e.when.date()))
    } else {
        when(e.when)
    }
}

/// The incident's next review date, marked when it has passed on an open case.
pub fn next_review(inc: &Incident, today: NaiveDate) -> Option<String> {
    inc.next_review().map(|due| {
        if inc.is_overdue(today) {
            format!("{}  OVERDUE", date(due))
        } else {
            date(due)
        }
    })
}

/// An incident's status as every list and printout says it: "Entered in error" for an
/// incident marked so (whatever its status, it is no case to work on), else its status.
pub fn status(inc: &Incident) -> &'static str {
    if inc.error.is_some() {
        "Entered in error"
    } else {
        inc.status.label()
    }
}

/// The heading over what an incident owes: on a closed case it is what was left undone.
pub fn owed_heading(inc: &Incident) -> &'static str {
    if inc.status == Status::Closed {
        "Not done when the case closed"
    } else {
        "Still to do"
    }
}

/// What an incident still owes (`Incident::owed`, the model's one rule), as (the section it
/// belongs to, what, its state): `show`, the exports and the app's summary list these.
pub fn owed(inc: &Incident, today: NaiveDate) -> Vec<(Section, String, String)> {
    inc.owed()
        .into_iter()
        .map(|o| match o {
            Owed::Step { step } => (
                Section::Checklist,
                "Checklist step".to_string(),
                format!("{step} (not yet done)"),
            ),
            Owed::Review { id, due } => {
                let state = inc.reviews.iter().find(|r| r.id == id).map_or_else(
                    || format!("due {}", date(due)),
                    |r| review_title(r, inc, today),
                );
                (Section::Reviews, format!("Review {id}"), state)
            }
            Owed::FollowUp { step, agency } => (
                Section::Reporting,
                format!("{step} {agency}"),
                "follow-up owed".to_string(),
            ),
            Owed::Reference {
                step,
                agency,
                since,
            } => (
                Section::Reporting,
                format!("{step} {agency}"),
                awaited(since),
            ),
        })
        .collect()
}

/// "reference awaited since 2026-11-30": a reference the agency has still to give.
pub fn awaited(since: NaiveDateTime) -> String {
    format!("reference awaited since {}", date(since.date()))
}

/// The incident's types, in the order recorded.
pub fn types(inc: &Incident) -> String {
    inc.types
        .iter()
        .map(|t| t.label())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A person as an incident names them: their reference, marked when the register entry
/// is a mistake, so no list or printout names them as a normal participant (tester4 #27).
pub fn named(p: &Person) -> String {
    if p.error.is_some() {
        format!("{} [entered in error]", p.reference)
    } else {
        p.reference.clone()
    }
}

/// The references of the people in an incident, in the order linked.
pub fn people_refs(book: &Logbook, inc: &Incident) -> String {
    inc.people
        .iter()
        .map(|inv| {
            book.person(&inv.person)
                .map_or_else(|| inv.person.clone(), named)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// "ENTERED IN ERROR <when> by <who>: <reason>", for an entry marked as a mistake.
pub fn in_error(error: &Option<EnteredInError>) -> Option<String> {
    error.as_ref().map(|e| {
        format!(
            "ENTERED IN ERROR {} by {}: {}",
            when(e.when),
            e.by,
            e.reason
        )
    })
}

/// One labelled value: "Happened: 2026-10-02 14:00 (approximately)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub label: &'static str,
    pub value: String,
}

fn push(lines: &mut Vec<Line>, label: &'static str, value: impl Into<String>) {
    lines.push(Line {
        label,
        value: value.into(),
    });
}

/// The incident's facts at a glance, in the order `show` and the exports give them.
pub fn summary(inc: &Incident, today: NaiveDate) -> Vec<Line> {
    let mut lines = Vec::new();
    push(&mut lines, "Happened", happened(inc));
    push(
        &mut lines,
        "Reported",
        format!("{} by {}", when(inc.reported), inc.reported_by),
    );
    push(&mut lines, "Recorded by", inc.recorded_by.clone());
    push(
        &mut lines,
        "Risk",
        format!("{} ({})", inc.risk_level.label(), inc.risk_area.label()),
    );
    push(&mut lines, "Types", types(inc));
    push(&mut lines, "Platform", inc.platform.clone());
    if let Some(next) = next_review(inc, today) {
        push(&mut lines, "Next review", next);
    }
    if !inc.related.is_empty() {
        push(&mut lines, "Related", inc.related.join(", "));
    }
    lines
}

/// An incident's retention: the date and the rule, or why there is no date yet.
pub fn retention(kept: &Kept) -> String {
    match &kept.until {
        Until::Date(d) => format!("kept until {} ({})", date(*d), kept.rule),
        Until::WhenClosed => format!("runs from closure ({})", kept.rule),
        Until::Unknown(why) => format!("date unknown: {why}"),
    }
}

/// Where a record taken in by a child protection file transfer came from.
pub fn transferred(t: &Transferred) -> String {
    format!(
        "{} (their {}), sent {} by {}",
        t.from,
        t.source_id,
        when(t.sent),
        t.sent_by
    )
}

/// A person as an incident names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRef {
    pub id: String,
    /// The register's reference (initials or first name); the id when not in the register.
    pub reference: String,
    pub age_group: Option<AgeGroup>,
    pub birth_year: Option<i32>,
    pub role: Role,
}

impl PersonRef {
    /// "Child, born 2012" (empty when the person is not in the register).
    pub fn group(&self) -> String {
        match (self.age_group, self.birth_year) {
            (Some(g), Some(y)) => format!("{}, born {y}", g.label()),
            (Some(g), None) => g.label().to_string(),
            _ => String::new(),
        }
    }
}

pub fn people(book: &Logbook, inc: &Incident) -> Vec<PersonRef> {
    inc.people
        .iter()
        .map(|inv| {
            let p = book.person(&inv.person);
            PersonRef {
                id: inv.person.clone(),
                reference: p.map_or_else(|| inv.person.clone(), named),
                age_group: p.map(|p| p.age_group),
                birth_year: p.and_then(|p| p.birth_year),
                role: inv.role,
            }
        })
        .collect()
}

/// "Screenshot: <description>, captured <when> by <who>".
pub fn evidence_title(e: &Evidence) -> String {
    format!(
        "{}: {}, captured {} by {}",
        e.kind.label(),
        first_line(&e.description),
        when(e.captured),
        e.captured_by
    )
}

/// The first line of a text that may hold several (a staff concern taken in as evidence
/// keeps its own lines: "When: ...", "Who is involved: ..."). A one-line listing shows
/// this, and the rest (`more_lines`) as lines of their own under it, never as "\n".
pub fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// The lines after the first (see `first_line`).
pub fn more_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().skip(1)
}

/// The mark of a screenshot or file kept on a case where a copy of the imagery is itself
/// an indecent image of a child, saved after the warning (tester4 #7), worded once for the
/// screens, `show` and every export.
pub const COPY_MARK: &str = "POSSIBLE COPY OF THE IMAGERY: saved after the warning that a copy of an image of a child is itself an indecent image; record what happens to it (a custody event)";

/// Where an evidence item came from, where it is kept, its file's fingerprint, and the
/// mark of a possible copy of the imagery.
pub fn evidence_lines(e: &Evidence) -> Vec<Line> {
    let mut lines = Vec::new();
    if !e.source.is_empty() {
        push(&mut lines, "source", e.source.clone());
    }
    push(&mut lines, "kept at", e.kept_at.clone());
    if let Some(f) = &e.file {
        push(&mut lines, "file", fingerprint(f, false));
    }
    if e.imagery_copy {
        push(&mut lines, "warning", COPY_MARK);
    }
    lines
}

/// A registered file: "264019 bytes, SHA-256 0e85...", the hash cut to 16 characters
/// where room is short (a screen row; the entry and every printout give it whole).
pub fn fingerprint(f: &FileFingerprint, short: bool) -> String {
    if short {
        let cut: String = f.sha256.chars().take(16).collect();
        format!("{} bytes, SHA-256 {cut}...", f.size)
    } else {
        format!("{} bytes, SHA-256 {}", f.size, f.sha256)
    }
}

/// "Closed 2026-11-03 10:00 by RO", the heading over a closure's outcome.
pub fn closed(c: &Closure) -> String {
    format!("Closed {} by {}", when(c.when), c.by)
}

/// "cancelled 2026-11-03 10:00 by RO: <why>", for a review taken out of the diary.
pub fn cancelled(c: &EnteredInError) -> String {
    format!("cancelled {} by {}: {}", when(c.when), c.by, c.reason)
}

/// "moved 2026-12-20 09:00 by RO from 2026-12-14 (overdue) to 2026-12-27: <why>": one move
/// of a review, as `show`, the exports and the app give it (tester4 #21).
pub fn review_move(m: &ReviewMove) -> String {
    let overdue = if m.when.date() > m.from {
        " (overdue)"
    } else {
        ""
    };
    format!(
        "moved {} by {} from {}{overdue} to {}: {}",
        when(m.when),
        m.by,
        date(m.from),
        date(m.to),
        m.reason
    )
}

/// " (moved from 2026-12-14 when overdue)" after a moved review's date: the date it missed,
/// which the statistics keep, or else the date it first had.
fn moved_from(r: &Review) -> String {
    let counted = r.counted_due();
    match r.moves.first() {
        _ if counted != r.due => format!(" (moved from {} when overdue)", date(counted)),
        Some(m) => format!(" (moved from {})", date(m.from)),
        None => String::new(),
    }
}

/// A review still owed on an open case whose date has passed. An incident entered in
/// error owes none: there is no case to review.
pub fn review_overdue(r: &Review, inc: &Incident, today: NaiveDate) -> bool {
    review_owed(r, inc) && r.due < today
}

/// A review not yet held that is still owed: not cancelled or entered in error, on an
/// open case not itself entered in error.
pub fn review_owed(r: &Review, inc: &Incident) -> bool {
    r.held.is_none()
        && r.cancelled.is_none()
        && r.error.is_none()
        && inc.status != Status::Closed
        && inc.error.is_none()
}

/// The audit trail of one incident, oldest first.
pub fn history<'a>(book: &'a Logbook, inc: &Incident) -> impl Iterator<Item = &'a AuditEntry> {
    let subject = Subject::Incident(inc.id.clone());
    book.audit
        .iter()
        .map(|e| &**e)
        .filter(move |e| e.subject == subject)
}

/// One changed field as the history lists it: "status: \"Open\" -> \"Closed\"".
pub fn change(inc: &Incident, c: &FieldChange) -> String {
    format!(
        "{}: {} -> {}",
        field(inc, &c.field),
        quoted(&stored(&c.field, &c.old)),
        quoted(&stored(&c.field, &c.new))
    )
}

/// A value as the audit trail stores it, in the words and date format the rest of the
/// record uses: "Police101" is "Police (101)", "2026-11-12T12:13:00" is "2026-11-12 12:13".
/// The trail keeps the stored form (it is hashed); only what is shown is reworded.
pub fn stored(path: &str, value: &str) -> String {
    if let Some(words) = stored_label(path, value) {
        return words;
    }
    match NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S") {
        Ok(t) => when(t),
        Err(_) => value.to_string(),
    }
}

/// A changed field's path as a reader names it. The stored path stays as it is (the trail
/// hashes it); a checklist step, stored by its place in the list (`checklist[0].state`),
/// is named by its words: `checklist "Preserve evidence" state`. Items with an id
/// (`evidence[EV-1]`) already read well.
pub fn field(inc: &Incident, path: &str) -> String {
    match step_field(inc, path) {
        Some((step, "")) => step,
        Some((step, rest)) => format!("{step} {rest}"),
        None => path.to_string(),
    }
}

/// A checklist step's path split into the step, named (`checklist "Preserve evidence"`),
/// and the rest of the path (`state.by`); None for any other path.
pub fn step_field<'p>(inc: &Incident, path: &'p str) -> Option<(String, &'p str)> {
    let rest = path.strip_prefix("checklist[")?;
    let (n, rest) = rest.split_once(']')?;
    let step = &inc.checklist.get(n.parse::<usize>().ok()?)?.step;
    Some((
        format!("checklist \"{step}\""),
        rest.strip_prefix('.').unwrap_or(rest),
    ))
}

/// An entry's changes as lines, each checklist step named once above its own changes:
/// `checklist "Preserve evidence":` then `  state: "Open" -> "Done"`.
pub fn changes(inc: &Incident, changes: &[FieldChange]) -> Vec<String> {
    let mut out = Vec::new();
    let mut last: Option<String> = None;
    for c in changes {
        match step_field(inc, &c.field) {
            Some((step, rest)) if !rest.is_empty() => {
                if last.as_ref() != Some(&step) {
                    out.push(format!("{step}:"));
                    last = Some(step);
                }
                out.push(format!(
                    "  {rest}: {} -> {}",
                    quoted(&stored(&c.field, &c.old)),
                    quoted(&stored(&c.field, &c.new))
                ));
            }
            _ => {
                last = None;
                out.push(change(inc, c));
            }
        }
    }
    out
}

/// One custody event: "2026-10-03 10:00  Handed to PC 1234 Smith  ref EX/1" (the
/// reference named, so it does not read as part of the event's text).
pub fn custody(c: &CustodyEvent) -> String {
    format!("{}  {}{}", when(c.when), c.event, custody_ref(c))
}

/// ", ref EX/1" after a custody event that has a reference; "" for one without.
pub fn custody_ref(c: &CustodyEvent) -> String {
    if c.reference.is_empty() {
        String::new()
    } else {
        format!(", ref {}", c.reference)
    }
}

/// Where an evidence item was kept and, after a custody event, its latest one, which a
/// reader takes as where it is now (a copy given to the police leaves the original where
/// it was, so the first place is kept beside it): ("kept at", place) alone, or
/// ("first kept at", place) and ("latest custody", "Handed to PC 1234 Smith
/// (2026-10-03 10:00), ref EX/1").
pub fn kept(e: &Evidence) -> Vec<(&'static str, String)> {
    // The latest by time; of two at the same minute, the one recorded last.
    match e.custody.iter().max_by_key(|c| c.when) {
        Some(c) => vec![
            ("first kept at", e.kept_at.clone()),
            (
                "latest custody",
                format!("{} ({}){}", c.event, when(c.when), custody_ref(c)),
            ),
        ],
        None => vec![("kept at", e.kept_at.clone())],
    }
}

/// "CEOP  Referred  2026-10-02 15:00 by RO Online form".
pub fn report_title(r: &ReportingStep) -> String {
    let method = r.method.map_or("", |m| m.label());
    format!(
        "{}  {}  {} by {} {method}",
        r.agency_words(),
        r.decision.label(),
        when(r.when),
        r.by
    )
}

/// A reporting step's reference as every printout gives it: the reference, flagged when
/// it does not look like the agency's stated format (tester3 #22); "awaited since ..."
/// while the agency has still to give it (tester3 #30); None when there is none to give.
pub fn reference(r: &ReportingStep) -> Option<String> {
    if !r.reference.is_empty() {
        return Some(match r.reference_warning() {
            Some(w) => format!("{} [{w}]", r.reference),
            None => r.reference.clone(),
        });
    }
    (r.decision == Decision::Referred && r.reference_awaited)
        .then(|| format!("awaited (since {})", date(r.when.date())))
}

/// A reporting step's reference, contact, outcome, reason and follow-up, and how late it
/// was against the agency's timescale from `reported` (the incident's), with why.
pub fn report_lines(r: &ReportingStep, reported: NaiveDateTime) -> Vec<Line> {
    let mut lines = Vec::new();
    if let Some(late) = r.lateness(reported) {
        push(&mut lines, "timescale", late);
    }
    if !r.delay_reason.is_empty() {
        push(&mut lines, "reason for delay", r.delay_reason.clone());
    }
    if let Some(reference) = reference(r) {
        push(&mut lines, "reference", reference);
    }
    for (label, value) in [
        ("contact", &r.contact),
        ("outcome", &r.outcome),
        ("reason", &r.reason),
    ] {
        if !value.is_empty() {
            push(&mut lines, label, value.clone());
        }
    }
    if r.follow_up_owed {
        push(&mut lines, "follow-up", "owed");
    }
    lines
}

/// "due 2026-11-01  held 2026-11-03 10:00 (late) by RO: Continue monitoring";
/// "due 2026-11-01  not yet held  OVERDUE" for one owed on an open case;
/// "due 2026-11-01  cancelled 2026-10-20 09:00 by RO: <why>" for one taken out of the diary;
/// "due 2026-11-01  not held: case closed 2026-10-30" for one the closure made unneeded.
pub fn review_title(r: &Review, inc: &Incident, today: NaiveDate) -> String {
    let due = format!("{}{}", date(r.due), moved_from(r));
    match (r.held, &r.cancelled) {
        (Some(held), _) => {
            // Late against the date it missed, if it was moved after it (tester4 #21).
            let late = if held.date() > r.counted_due() {
                " (late)"
            } else {
                ""
            };
            format!(
                "due {due}  held {}{late} by {}: {}",
                when(held),
                r.by,
                r.decision.map_or("", |d| d.label())
            )
        }
        (None, Some(c)) => format!("due {due}  {}", cancelled(c)),
        (None, None) if inc.status == Status::Closed => {
            // Not owed any more: the case closed before it was held.
            let closed = inc
                .closure
                .as_ref()
                .map_or_else(String::new, |c| format!(" {}", date(c.when.date())));
            format!("due {due}  not held: case closed{closed}")
        }
        (None, None) if inc.error.is_some() && r.error.is_none() => {
            format!("due {due}  not owed: incident entered in error")
        }
        (None, None) => {
            let overdue = if review_overdue(r, inc, today) {
                "  OVERDUE"
            } else {
                ""
            };
            format!("due {due}  not yet held{overdue}")
        }
    }
}

/// A checklist step's state: "[ ]", "[x] <when> <who>", "[-] <when> <who>: not applicable, <why>".
pub fn checklist_state(state: &StepState) -> String {
    match state {
        StepState::Open => "[ ]".to_string(),
        StepState::Done { by, when: t } => format!("[x] {} {by}", when(*t)),
        StepState::NotApplicable {
            by,
            when: t,
            reason,
        } => format!("[-] {} {by}: not applicable, {reason}", when(*t)),
    }
}

/// "[x] 2026-11-30 16:16 RO  ENTERED IN ERROR 2026-11-30 16:20 by RO: <why>": a checklist
/// step's tick taken back (tester4 #22).
pub fn struck_step(s: &StruckStep) -> String {
    format!(
        "{}  {}",
        checklist_state(&s.was),
        in_error(&Some(s.error.clone())).unwrap_or_default()
    )
}

/// A changed value as history shows it: quoted, or "(none)".
pub fn quoted(value: &str) -> String {
    if value.is_empty() {
        "(none)".into()
    } else {
        format!("\"{value}\"")
    }
}

/// The parts of an incident record: the app's incident screen shows one at a time (its
/// tabs, in this order) and an export may leave any out (`--without`, by `name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    /// The incident's own account. On screen: its facts, description, immediate action and
    /// closure. An export always gives the facts; left out, as "description", is the free
    /// text (description, immediate action, closure outcome).
    Summary,
    People,
    Evidence,
    Reporting,
    Reviews,
    Checklist,
    /// The audit trail.
    History,
}

impl Section {
    pub const ALL: &'static [Section] = &[
        Section::Summary,
        Section::People,
        Section::Evidence,
        Section::Reporting,
        Section::Reviews,
        Section::Checklist,
        Section::History,
    ];

    /// The name used on the command line and in an export's header.
    pub fn name(self) -> &'static str {
        match self {
            Section::Summary => "description",
            Section::People => "people",
            Section::Evidence => "evidence",
            Section::Reporting => "reporting",
            Section::Reviews => "reviews",
            Section::Checklist => "checklist",
            Section::History => "history",
        }
    }

    /// The tab's title on the incident screen.
    pub fn label(self) -> &'static str {
        match self {
            Section::Summary => "Summary",
            Section::People => "People",
            Section::Evidence => "Evidence",
            Section::Reporting => "Reporting",
            Section::Reviews => "Reviews",
            Section::Checklist => "Checklist",
            Section::History => "History",
        }
    }
}

/// One dated entry in an incident's chronology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub when: NaiveDateTime,
    /// The part of the record it comes from (None: the incident itself, always shown).
    pub section: Option<Section>,
    pub what: String,
    pub detail: Vec<Line>,
    pub by: String,
    /// "ENTERED IN ERROR ..." when the item was marked as a mistake.
    pub error: Option<String>,
}

/// Every dated fact of an incident, oldest first: when it happened and was reported, each
/// evidence item and custody event, each reporting step or decision not to refer, each
/// checklist step done or set aside, each review held or cancelled, the closure and any
/// error marking.
pub fn entries(inc: &Incident) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut add = |when, section, what: String, detail: Vec<Line>, by: &str, error| {
        out.push(Entry {
            when,
            section,
            what,
            detail,
            by: by.to_string(),
            error,
        });
    };
    let mut facts = vec![
        Line {
            label: "types",
            value: types(inc),
        },
        Line {
            label: "risk",
            value: format!("{} ({})", inc.risk_level.label(), inc.risk_area.label()),
        },
    ];
    if !inc.platform.is_empty() {
        push(&mut facts, "platform", inc.platform.clone());
    }
    let what = if inc.occurred_approximate {
        "Happened (approximately)"
    } else {
        "Happened"
    };
    add(inc.occurred, None, what.into(), facts, "", None);
    add(
        inc.reported,
        None,
        format!("Reported by {}", inc.reported_by),
        vec![],
        &inc.recorded_by,
        None,
    );
    for e in &inc.evidence {
        let mut detail = vec![Line {
            label: "description",
            value: e.description.clone(),
        }];
        detail.extend(evidence_lines(e));
        add(
            e.captured,
            Some(Section::Evidence),
            format!("Evidence {} captured: {}", e.id, e.kind.label()),
            detail,
            &e.captured_by,
            in_error(&e.error),
        );
        for c in &e.custody {
            let mut detail = vec![];
            if !c.reference.is_empty() {
                push(&mut detail, "reference", c.reference.clone());
            }
            add(
                c.when,
                Some(Section::Evidence),
                format!("Custody of {}: {}", e.id, c.event),
                detail,
                "",
                None,
            );
        }
    }
    for r in &inc.reports {
        let what = match (r.decision, r.method) {
            (Decision::NotReferred, _) => {
                format!("{} {}: {}", r.id, r.decision.label(), r.agency_words())
            }
            (Decision::Referred, Some(m)) => {
                format!("{} Referred to {} ({})", r.id, r.agency_words(), m.label())
            }
            (Decision::Referred, None) => format!("{} Referred to {}", r.id, r.agency_words()),
        };
        add(
            r.when,
            Some(Section::Reporting),
            what,
            report_lines(r, inc.reported),
            &r.by,
            in_error(&r.error),
        );
    }
    for item in &inc.checklist {
        // A tick taken back stays in the chronology, struck with its mark (tester4 #22).
        let states = item
            .struck
            .iter()
            .map(|s| (&s.was, in_error(&Some(s.error.clone()))))
            .chain(std::iter::once((&item.state, None)));
        for (state, error) in states {
            match state {
                StepState::Open => {}
                StepState::Done { by, when } => add(
                    *when,
                    Some(Section::Checklist),
                    format!("Checklist step done: {}", item.step),
                    vec![],
                    by,
                    error,
                ),
                StepState::NotApplicable { by, when, reason } => add(
                    *when,
                    Some(Section::Checklist),
                    format!("Checklist step not applicable: {}", item.step),
                    vec![Line {
                        label: "reason",
                        value: reason.clone(),
                    }],
                    by,
                    error,
                ),
            }
        }
    }
    for r in &inc.reviews {
        for m in &r.moves {
            let overdue = if m.when.date() > m.from {
                " (overdue)"
            } else {
                ""
            };
            add(
                m.when,
                Some(Section::Reviews),
                format!(
                    "Review {} moved from {}{overdue} to {}",
                    r.id,
                    date(m.from),
                    date(m.to)
                ),
                vec![Line {
                    label: "reason",
                    value: m.reason.clone(),
                }],
                &m.by,
                in_error(&r.error),
            );
        }
        if let (None, Some(c)) = (r.held, &r.cancelled) {
            add(
                c.when,
                Some(Section::Reviews),
                format!("Review {} cancelled (was due {})", r.id, date(r.due)),
                vec![Line {
                    label: "reason",
                    value: c.reason.clone(),
                }],
                &c.by,
                in_error(&r.error),
            );
        }
        if let Some(held) = r.held {
            let late = if held.date() > r.counted_due() {
                ", late"
            } else {
                ""
            };
            let mut detail = vec![];
            if let Some(d) = r.decision {
                push(&mut detail, "decision", d.label());
            }
            if let Some(l) = r.risk_now {
                push(&mut detail, "risk now", l.label());
            }
            push(&mut detail, "outcome", r.outcome.clone());
            if let Some(next) = r.next_review {
                push(&mut detail, "next review", date(next));
            }
            add(
                held,
                Some(Section::Reviews),
                format!(
                    "Review {} held (due {}{}{late})",
                    r.id,
                    date(r.due),
                    moved_from(r)
                ),
                detail,
                &r.by,
                in_error(&r.error),
            );
        }
    }
    if let Some(c) = &inc.closure {
        add(
            c.when,
            None,
            "Case closed".into(),
            vec![Line {
                label: "outcome",
                value: c.outcome.clone(),
            }],
            &c.by,
            None,
        );
    }
    if let Some(e) = &inc.error {
        add(
            e.when,
            None,
            "Incident marked entered in error".into(),
            vec![Line {
                label: "reason",
                value: e.reason.clone(),
            }],
            &e.by,
            None,
        );
    }
    // Stable: entries at the same minute keep the order above (happened before reported).
    out.sort_by_key(|e| e.when);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Logbook {
        crate::demo::logbook().unwrap()
    }

    #[test]
    fn approximate_and_overdue_are_worded_once_here() {
        let book = demo();
        let today = crate::demo::demo_now().date();
        let approx = book.incidents.iter().find(|i| i.occurred_approximate);
        let approx = approx.expect("the demo has an approximate time");
        assert!(happened(approx).ends_with(" (approximately)"));
        let overdue = book.incidents.iter().find(|i| i.is_overdue(today)).unwrap();
        assert!(next_review(overdue, today).unwrap().ends_with("  OVERDUE"));
        let summary = summary(overdue, today);
        assert!(summary.iter().any(|l| l.label == "Next review"));
    }

    #[test]
    fn an_incidents_entries_are_in_time_order_and_cover_every_dated_item() {
        let book = demo();
        for inc in &book.incidents {
            let entries = entries(inc);
            assert!(entries.windows(2).all(|w| w[0].when <= w[1].when));
            let dated = 2
                + inc.evidence.len()
                + inc.evidence.iter().map(|e| e.custody.len()).sum::<usize>()
                + inc.reports.len()
                + inc
                    .checklist
                    .iter()
                    .filter(|c| c.state != StepState::Open)
                    .count()
                + inc.checklist.iter().map(|c| c.struck.len()).sum::<usize>()
                + inc.reviews.iter().filter(|r| r.held.is_some()).count()
                + inc.reviews.iter().map(|r| r.moves.len()).sum::<usize>()
                + inc
                    .reviews
                    .iter()
                    .filter(|r| r.held.is_none() && r.cancelled.is_some())
                    .count()
                + usize::from(inc.closure.is_some())
                + usize::from(inc.error.is_some());
            assert_eq!(entries.len(), dated, "{}", inc.id);
        }
    }

    #[test]
    fn a_checklist_step_in_the_history_is_named_by_its_words() {
        let book = demo();
        let inc = book
            .incidents
            .iter()
            .find(|i| !i.checklist.is_empty())
            .unwrap();
        let step = &inc.checklist[0].step;
        let c = FieldChange {
            field: "checklist[0].state".into(),
            old: "Open".into(),
            new: "Done".into(),
        };
        assert_eq!(
            change(inc, &c),
            format!("checklist \"{step}\" state: \"Open\" -> \"Done\"")
        );
        assert_eq!(field(inc, "checklist[0]"), format!("checklist \"{step}\""));
        let lines = changes(inc, &[c.clone(), c]);
        assert_eq!(lines.len(), 3, "the step named once: {lines:?}");
        assert_eq!(lines[1], "  state: \"Open\" -> \"Done\"");
        // Paths that do not name a step are left as stored.
        assert_eq!(field(inc, "checklist[999].state"), "checklist[999].state");
        assert_eq!(
            field(inc, "evidence[EV-1].kept_at"),
            "evidence[EV-1].kept_at"
        );
    }

    /// Tester finding 18: the history showed "Police999", "ContinueMonitoring" and
    /// "2026-11-12T12:13:00" where every other screen says "Police (999)", "Continue
    /// monitoring" and "2026-11-12 12:13".
    #[test]
    fn the_history_says_stored_values_in_the_words_of_the_screens() {
        let book = demo();
        let inc = &book.incidents[0];
        let c = |field: &str, old: &str, new: &str| FieldChange {
            field: field.into(),
            old: old.into(),
            new: new.into(),
        };
        assert_eq!(
            change(inc, &c("reports[RS-2].agency", "Police999", "Police101")),
            "reports[RS-2].agency: \"Police (999)\" -> \"Police (101)\""
        );
        assert_eq!(
            change(inc, &c("reviews[RV-1].decision", "", "ContinueMonitoring")),
            "reviews[RV-1].decision: (none) -> \"Continue monitoring\""
        );
        assert_eq!(
            change(inc, &c("reports[RS-1].decision", "Referred", "NotReferred")),
            "reports[RS-1].decision: \"Referred\" -> \"Considered, not referred\""
        );
        assert_eq!(
            change(inc, &c("state.when", "", "2026-11-12T12:13:00")),
            "state.when: (none) -> \"2026-11-12 12:13\""
        );
        assert_eq!(
            change(inc, &c("types", "Cyberbullying", "Cyberbullying, Hate")),
            "types: \"Cyberbullying\" -> \"Cyberbullying, Online hate\""
        );
        // Free text is never reworded, even when it reads like a stored name.
        assert_eq!(
            change(inc, &c("reports[RS-1].outcome", "Police999", "Lado")),
            "reports[RS-1].outcome: \"Police999\" -> \"Lado\""
        );
        // A value that is not one of the field's variants is shown as stored.
        assert_eq!(stored("agency", "Somewhere"), "Somewhere");
    }

    #[test]
    fn values_are_left_unescaped_for_each_output_to_escape() {
        let mut e = EnteredInError {
            when: crate::demo::demo_now(),
            by: "RO".into(),
            reason: "typo\u{202e}".into(),
        };
        assert!(in_error(&Some(e.clone())).unwrap().contains('\u{202e}'));
        e.reason.clear();
        assert_eq!(in_error(&None), None);
        assert_eq!(quoted(""), "(none)");
    }
}
