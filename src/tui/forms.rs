//! The forms of the app: how each is built from the logbook, and what submitting it does.
//! Submitting goes through the model's audited operations, so every refusal comes back as
//! one sentence naming its field, shown beside that field.

use chrono::{Duration, NaiveDateTime};

use super::form::*;
use crate::model::*;
use crate::reference::{IMAGERY_RULE, IssuesReference, Reference};

fn choices<T: Copy + std::fmt::Debug>(all: &[T], label: impl Fn(T) -> &'static str) -> FieldKind {
    FieldKind::Choice(
        all.iter()
            .map(|v| Choice::new(label(*v), format!("{v:?}")))
            .collect(),
    )
}

/// Parses a choice value written by `choices` back into its enum.
fn pick<T: Copy + std::fmt::Debug>(all: &[T], value: &str) -> Option<T> {
    all.iter().copied().find(|v| format!("{v:?}") == value)
}

fn when(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn staff_choices(book: &Logbook, who: &str) -> FieldKind {
    let mut staff = book.settings.staff.clone();
    if !staff.iter().any(|s| s == who) && !who.is_empty() {
        staff.insert(0, who.to_string());
    }
    FieldKind::Choice(
        staff
            .iter()
            .map(|s| Choice::new(crate::text::line(s), s.as_str()))
            .collect(),
    )
}

pub fn setup() -> Form {
    let mut form = Form::new(
        FormKind::Setup,
        "Set up a new logbook",
        vec![
            Field::new("organisation", "Organisation", FieldKind::Text).required(),
            Field::new(
                "who",
                "Who is recording (name or initials)",
                FieldKind::Text,
            )
            .required(),
            Field::new("passphrase", "Passphrase", FieldKind::Secret),
            Field::new("repeat", "Repeat passphrase", FieldKind::Secret),
            Field::new(
                "identity",
                "or an age identity (key) file instead",
                FieldKind::Text,
            ),
        ],
    );
    form.notice = Some("Choose a passphrase of a few unrelated words, or give a key file made by `logbook keygen`.".into());
    form
}

/// A rough strength for a passphrase being typed: length and variety of characters.
pub fn strength(pass: &str) -> &'static str {
    let n = pass.chars().count();
    let classes = [
        pass.chars().any(|c| c.is_ascii_lowercase()),
        pass.chars().any(|c| c.is_ascii_uppercase()),
        pass.chars().any(|c| c.is_ascii_digit()),
        pass.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    match (n, classes) {
        (0, _) => "",
        (1..=7, _) => "too short (at least 8)",
        (8..=11, 0..=2) => "weak",
        (8..=15, _) => "fair",
        _ => "strong",
    }
}

pub fn incident(
    book: &Logbook,
    who: &str,
    now: NaiveDateTime,
    existing: Option<&Incident>,
) -> Form {
    let types = choices(IncidentType::ALL, IncidentType::label);
    let mut second = vec![Choice::new("(none)", "")];
    if let FieldKind::Choice(all) = &types {
        second.extend(all.iter().cloned());
    }
    let risk = choices(RiskLevel::ALL, RiskLevel::label);
    let area = choices(RiskArea::ALL, RiskArea::label);
    let (kind, title) = match existing {
        Some(i) => (
            FormKind::EditIncident(i.id.clone()),
            format!("Edit {}", i.id),
        ),
        None => (FormKind::NewIncident, "Record a new incident".to_string()),
    };
    let now_text = when(now);
    let fields = vec![
        Field::new("occurred", "When it happened", FieldKind::DateTime)
            .required()
            .with_text(&existing.map_or(now_text.clone(), |i| when(i.occurred))),
        Field::new(
            "occurred_approximate",
            "Time is approximate",
            FieldKind::Toggle,
        )
        .with_toggle(existing.is_some_and(|i| i.occurred_approximate)),
        Field::new("reported", "When it was reported", FieldKind::DateTime)
            .required()
            .with_text(&existing.map_or(now_text, |i| when(i.reported))),
        Field::new("reported_by", "Reported by", FieldKind::Text)
            .required()
            .with_text(existing.map_or("", |i| &i.reported_by)),
        Field::new("types", "Incident type", types)
            .required()
            .with_choice(
                &existing
                    .and_then(|i| i.types.first())
                    .map_or(String::new(), |t| format!("{t:?}")),
            ),
        Field::new("type2", "Second type", FieldKind::Choice(second)).with_choice(
            &existing
                .and_then(|i| i.types.get(1))
                .map_or(String::new(), |t| format!("{t:?}")),
        ),
        Field::new("risk_area", "Risk area (4 Cs)", area)
            .with_choice(&existing.map_or(String::new(), |i| format!("{:?}", i.risk_area))),
        Field::new("risk_level", "Risk level", risk)
            .required()
            .with_choice(&existing.map_or("Medium".to_string(), |i| format!("{:?}", i.risk_level))),
        Field::new("platform", "Platform or app", FieldKind::Text)
            .with_text(existing.map_or("", |i| &i.platform)),
        Field::new(
            "description",
            "What happened (facts, who, when, words used)",
            FieldKind::Multiline,
        )
        .required()
        .with_text(existing.map_or("", |i| &i.description)),
        Field::new(
            "immediate_action",
            "Immediate action taken",
            FieldKind::Multiline,
        )
        .with_text(existing.map_or("", |i| &i.immediate_action)),
    ];
    let _ = (book, who);
    Form::new(kind, title, fields)
}

/// Guidance that depends on what is chosen: the imagery rule, an agency's reference.
pub fn refresh_notice(form: &mut Form) {
    let reference = Reference::get();
    match form.kind {
        FormKind::NewIncident | FormKind::EditIncident(_) => {
            let imagery = ["types", "type2"]
                .iter()
                .filter_map(|k| pick(IncidentType::ALL, &form.value(k)))
                .any(|t| reference.incident_type(t).imagery);
            form.notice = imagery.then(|| IMAGERY_RULE.to_string());
            // The risk area follows the first type unless the user chose one.
            if let Some(t) = pick(IncidentType::ALL, &form.value("types")) {
                let area = format!("{:?}", reference.incident_type(t).risk_area);
                if let Some(f) = form.field_mut("risk_area")
                    && f.chosen.is_none()
                {
                    *f = Field::new(
                        "risk_area",
                        "Risk area (4 Cs)",
                        choices(RiskArea::ALL, RiskArea::label),
                    )
                    .with_choice(&area);
                }
            }
        }
        FormKind::Report(_) | FormKind::EditReport(..) => {
            form.notice = pick(Agency::ALL, &form.value("agency")).map(|a| {
                let info = reference.agency(a);
                let expect = match info.issues_reference {
                    IssuesReference::Always => "a reference is always given",
                    IssuesReference::Sometimes => "a reference may be given",
                    IssuesReference::Never => "no reference is given",
                };
                let timescale = if info.timescale.is_empty() {
                    String::new()
                } else {
                    format!(" Timescale: {}.", info.timescale.trim_end_matches('.'))
                };
                format!(
                    "{}: {expect}: {}.{timescale}",
                    info.name,
                    info.reference_format.trim_end_matches('.')
                )
            });
        }
        _ => {}
    }
}

pub fn link_person(book: &Logbook, id: &str) -> Form {
    let mut people = vec![Choice::new(
        "+ a new person (type their reference below)",
        "",
    )];
    people.extend(book.people.iter().filter(|p| p.error.is_none()).map(|p| {
        Choice::new(
            format!(
                "{}  {} ({})",
                p.id,
                crate::text::line(&p.reference),
                p.age_group.label()
            ),
            p.id.as_str(),
        )
    }));
    Form::new(
        FormKind::LinkPerson(id.to_string()),
        format!("Link a person to {id}"),
        vec![
            Field::new("person", "Person", FieldKind::Choice(people)).with_choice(""),
            Field::new(
                "reference",
                "New person's reference (initials or first name + year)",
                FieldKind::Text,
            ),
            Field::new(
                "age_group",
                "Age group",
                choices(AgeGroup::ALL, AgeGroup::label),
            )
            .with_choice("Child"),
            Field::new("birth_year", "Year of birth (children)", FieldKind::Number),
            Field::new(
                "role",
                "Role in this incident",
                choices(Role::ALL, Role::label),
            )
            .required()
            .with_choice("Subject"),
        ],
    )
}

pub fn new_person() -> Form {
    Form::new(
        FormKind::NewPerson,
        "Add a person to the register",
        vec![
            Field::new(
                "reference",
                "Reference (initials or first name + year)",
                FieldKind::Text,
            )
            .required(),
            Field::new(
                "age_group",
                "Age group",
                choices(AgeGroup::ALL, AgeGroup::label),
            )
            .required()
            .with_choice("Child"),
            Field::new("birth_year", "Year of birth (children)", FieldKind::Number),
            Field::new("notes", "Notes", FieldKind::Multiline),
        ],
    )
}

/// The person form filled from the register, to correct a reference, age group or year.
pub fn edit_person(person: &Person) -> Form {
    let mut form = new_person();
    form.kind = FormKind::EditPerson(person.id.clone());
    form.title = format!("Edit {}", person.id);
    for f in &mut form.fields {
        let filled = match f.key {
            "reference" => Some(
                Field::new(f.key, f.label, f.kind.clone())
                    .required()
                    .with_text(&person.reference),
            ),
            "age_group" => Some(
                Field::new(f.key, f.label, f.kind.clone())
                    .required()
                    .with_choice(&format!("{:?}", person.age_group)),
            ),
            "birth_year" => Some(
                Field::new(f.key, f.label, f.kind.clone())
                    .with_text(&person.birth_year.map_or(String::new(), |y| y.to_string())),
            ),
            "notes" => Some(Field::new(f.key, f.label, f.kind.clone()).with_text(&person.notes)),
            _ => None,
        };
        if let Some(filled) = filled {
            *f = filled;
        }
    }
    form
}

pub fn person_error(id: &str) -> Form {
    Form::new(
        FormKind::PersonError(id.to_string()),
        format!("Mark {id} as entered in error"),
        vec![
            Field::new(
                "reason",
                "Reason (the person stays, struck through)",
                FieldKind::Multiline,
            )
            .required(),
        ],
    )
}

pub fn link_related(book: &Logbook, id: &str) -> Form {
    let options = book
        .incidents
        .iter()
        .rev()
        .filter(|i| i.id != id)
        .map(|i| {
            let types: Vec<&str> = i.types.iter().map(|t| t.label()).collect();
            Choice::new(
                format!(
                    "{}  {}  {}",
                    i.id,
                    i.reported.format("%Y-%m-%d"),
                    types.join(", ")
                ),
                i.id.as_str(),
            )
        })
        .collect();
    Form::new(
        FormKind::LinkRelated(id.to_string()),
        format!("Link an incident related to {id}"),
        vec![Field::new("related", "Related incident", FieldKind::Choice(options)).required()],
    )
}

pub fn evidence(book: &Logbook, id: &str, who: &str, now: NaiveDateTime) -> Form {
    let imagery = book.incident(id).is_some_and(|i| {
        i.types
            .iter()
            .any(|t| Reference::get().incident_type(*t).imagery)
    });
    let (kept_label, notice) = if imagery {
        (
            "Where the material is (URL, app, device): never a copy",
            Some(IMAGERY_RULE.to_string()),
        )
    } else {
        ("Where it is kept", None)
    };
    let mut form = Form::new(
        FormKind::Evidence(id.to_string()),
        format!("Add evidence to {id}"),
        vec![
            Field::new(
                "kind",
                "Kind",
                choices(EvidenceKind::ALL, EvidenceKind::label),
            )
            .required()
            .with_choice(if imagery { "Url" } else { "Screenshot" }),
            Field::new("description", "Description", FieldKind::Text).required(),
            Field::new("source", "Source (platform, URL, account)", FieldKind::Text),
            Field::new("captured", "Captured", FieldKind::DateTime)
                .required()
                .with_text(&when(now)),
            Field::new("captured_by", "Captured by", staff_choices(book, who))
                .required()
                .with_choice(who),
            Field::new("kept_at", kept_label, FieldKind::Text).required(),
        ],
    );
    form.notice = notice;
    form
}

pub fn report(book: &Logbook, id: &str, who: &str, now: NaiveDateTime) -> Form {
    let mut form = Form::new(
        FormKind::Report(id.to_string()),
        format!("Reporting step for {id}"),
        vec![
            Field::new("agency", "Agency", choices(Agency::ALL, Agency::label)).required(),
            Field::new(
                "decision",
                "Decision",
                choices(Decision::ALL, Decision::label),
            )
            .required()
            .with_choice("Referred"),
            Field::new("when", "When", FieldKind::DateTime)
                .required()
                .with_text(&when(now)),
            Field::new("by", "By", staff_choices(book, who))
                .required()
                .with_choice(who),
            Field::new("method", "How", choices(Method::ALL, Method::label)).with_choice("Phone"),
            Field::new("reference", "Their reference number", FieldKind::Text),
            Field::new("contact", "Who was spoken to / address", FieldKind::Text),
            Field::new("outcome", "Outcome", FieldKind::Text),
            Field::new("follow_up_owed", "Follow-up owed", FieldKind::Toggle).with_toggle(false),
            Field::new("reason", "Reason (if not referred)", FieldKind::Multiline),
        ],
    );
    refresh_notice(&mut form);
    form
}

/// The reporting-step form filled from an existing step, e.g. to add the reference that
/// arrived later. The old values stay in the history.
pub fn edit_report(
    book: &Logbook,
    id: &str,
    step: &ReportingStep,
    who: &str,
    now: NaiveDateTime,
) -> Form {
    let mut form = report(book, id, who, now);
    form.kind = FormKind::EditReport(id.to_string(), step.id.clone());
    form.title = format!("Update {} {}", id, step.id);
    let set = |form: &mut Form, key: &str, f: &dyn Fn(Field) -> Field| {
        if let Some(i) = form.fields.iter().position(|x| x.key == key) {
            let field = std::mem::replace(&mut form.fields[i], Field::new("", "", FieldKind::Text));
            form.fields[i] = f(field);
        }
    };
    set(&mut form, "agency", &|f| {
        f.with_choice(&format!("{:?}", step.agency))
    });
    set(&mut form, "decision", &|f| {
        f.with_choice(&format!("{:?}", step.decision))
    });
    set(&mut form, "when", &|f| f.with_text(&when(step.when)));
    set(&mut form, "by", &|f| f.with_choice(&step.by));
    set(&mut form, "method", &|f| {
        f.with_choice(&step.method.map_or(String::new(), |m| format!("{m:?}")))
    });
    set(&mut form, "reference", &|f| f.with_text(&step.reference));
    set(&mut form, "contact", &|f| f.with_text(&step.contact));
    set(&mut form, "outcome", &|f| f.with_text(&step.outcome));
    set(&mut form, "follow_up_owed", &|f| {
        f.with_toggle(step.follow_up_owed)
    });
    set(&mut form, "reason", &|f| f.with_text(&step.reason));
    refresh_notice(&mut form);
    form
}

/// The evidence form filled from an existing item, with a custody event to add (e.g.
/// "Handed to PC 2231 Hale").
pub fn edit_evidence(
    book: &Logbook,
    id: &str,
    item: &Evidence,
    who: &str,
    now: NaiveDateTime,
) -> Form {
    let mut form = evidence(book, id, who, now);
    form.kind = FormKind::EditEvidence(id.to_string(), item.id.clone());
    form.title = format!("Update {} {}", id, item.id);
    for f in &mut form.fields {
        let filled = match f.key {
            "kind" => Some(
                Field::new(f.key, f.label, f.kind.clone())
                    .required()
                    .with_choice(&format!("{:?}", item.kind)),
            ),
            "description" => Some(
                Field::new(f.key, f.label, f.kind.clone())
                    .required()
                    .with_text(&item.description),
            ),
            "source" => Some(Field::new(f.key, f.label, f.kind.clone()).with_text(&item.source)),
            "captured" => Some(
                Field::new(f.key, f.label, f.kind.clone())
                    .required()
                    .with_text(&when(item.captured)),
            ),
            "captured_by" => Some(
                Field::new(f.key, f.label, f.kind.clone())
                    .required()
                    .with_choice(&item.captured_by),
            ),
            "kept_at" => Some(
                Field::new(f.key, f.label, f.kind.clone())
                    .required()
                    .with_text(&item.kept_at),
            ),
            _ => None,
        };
        if let Some(filled) = filled {
            *f = filled;
        }
    }
    form.fields.push(Field::new(
        "custody",
        "Custody event to add (e.g. handed to police)",
        FieldKind::Text,
    ));
    form.fields.push(Field::new(
        "custody_reference",
        "Its reference",
        FieldKind::Text,
    ));
    form
}

pub fn schedule_review(book: &Logbook, id: &str, now: NaiveDateTime) -> Form {
    let due = now.date() + Duration::days(book.settings.review_interval_days as i64);
    Form::new(
        FormKind::ScheduleReview(id.to_string()),
        format!("Schedule a review of {id}"),
        vec![
            Field::new("due", "Due", FieldKind::Date)
                .required()
                .with_text(&due.to_string()),
        ],
    )
}

pub fn hold_review(book: &Logbook, id: &str, review: &str, who: &str, now: NaiveDateTime) -> Form {
    let next = now.date() + Duration::days(book.settings.review_interval_days as i64);
    Form::new(
        FormKind::HoldReview(id.to_string(), review.to_string()),
        format!("Review {review} of {id}"),
        vec![
            Field::new("held", "Held", FieldKind::DateTime)
                .required()
                .with_text(&when(now)),
            Field::new("by", "By", staff_choices(book, who))
                .required()
                .with_choice(who),
            Field::new("outcome", "Outcome", FieldKind::Multiline).required(),
            Field::new(
                "risk_now",
                "Risk now",
                choices(RiskLevel::ALL, RiskLevel::label),
            )
            .required(),
            Field::new(
                "decision",
                "Decision",
                choices(ReviewDecision::ALL, ReviewDecision::label),
            )
            .required()
            .with_choice("ContinueMonitoring"),
            // Continue monitoring proposes the next date from the review interval.
            Field::new(
                "next_review",
                "Next review (continue monitoring)",
                FieldKind::Date,
            )
            .with_text(&next.to_string()),
        ],
    )
}

pub fn close(id: &str) -> Form {
    Form::new(
        FormKind::Close(id.to_string()),
        format!("Close {id}"),
        vec![Field::new("outcome", "Outcome of the case", FieldKind::Multiline).required()],
    )
}

pub fn reopen(id: &str) -> Form {
    Form::new(
        FormKind::Reopen(id.to_string()),
        format!("Re-open {id}"),
        vec![Field::new("reason", "Why it is re-opened", FieldKind::Multiline).required()],
    )
}

pub fn mark_error(id: &str, target: ErrorTarget) -> Form {
    let what = match &target {
        ErrorTarget::Incident => id.to_string(),
        ErrorTarget::Evidence(x) | ErrorTarget::Report(x) | ErrorTarget::Review(x) => {
            format!("{id} {x}")
        }
    };
    Form::new(
        FormKind::MarkError(id.to_string(), target),
        format!("Mark {what} as entered in error"),
        vec![
            Field::new(
                "reason",
                "Reason (the entry stays, struck through)",
                FieldKind::Multiline,
            )
            .required(),
        ],
    )
}

pub fn not_applicable(id: &str, step: usize, text: &str) -> Form {
    let mut form = Form::new(
        FormKind::NotApplicable(id.to_string(), step),
        "Checklist step not applicable",
        vec![
            Field::new(
                "reason",
                "Why the step does not apply",
                FieldKind::Multiline,
            )
            .required(),
        ],
    );
    form.notice = Some(crate::text::line(text).into_owned());
    form
}

pub fn settings(book: &Logbook) -> Form {
    let s = &book.settings;
    Form::new(
        FormKind::Settings,
        "Settings",
        vec![
            Field::new("organisation", "Organisation", FieldKind::Text)
                .required()
                .with_text(&s.organisation),
            Field::new(
                "staff",
                "Staff who record (comma-separated)",
                FieldKind::Text,
            )
            .with_text(&s.staff.join(", ")),
            Field::new(
                "review_interval_days",
                "Review interval (days)",
                FieldKind::Number,
            )
            .required()
            .with_text(&s.review_interval_days.to_string()),
            Field::new(
                "idle_lock_minutes",
                "Lock after idle (minutes)",
                FieldKind::Number,
            )
            .required()
            .with_text(&s.idle_lock_minutes.to_string()),
            Field::new(
                "backup_interval_days",
                "Back up every (days)",
                FieldKind::Number,
            )
            .required()
            .with_text(&s.backup_interval_days.to_string()),
            Field::new("backup_keep", "Backups to keep", FieldKind::Number)
                .required()
                .with_text(&s.backup_keep.to_string()),
        ],
    )
}

/// A fresh form of the given kind, as its action would open it (for restoring a draft).
pub fn rebuild(kind: &FormKind, book: &Logbook, who: &str, now: NaiveDateTime) -> Option<Form> {
    Some(match kind {
        FormKind::Setup => setup(),
        FormKind::NewIncident => incident(book, who, now, None),
        FormKind::EditIncident(id) => incident(book, who, now, Some(book.incident(id)?)),
        FormKind::LinkPerson(id) => link_person(book, id),
        FormKind::NewPerson => new_person(),
        FormKind::EditPerson(id) => edit_person(book.person(id)?),
        FormKind::PersonError(id) => person_error(id),
        FormKind::LinkRelated(id) => link_related(book, id),
        FormKind::Evidence(id) => evidence(book, id, who, now),
        FormKind::EditEvidence(id, ev) => {
            let item = book.incident(id)?.evidence.iter().find(|e| &e.id == ev)?;
            edit_evidence(book, id, item, who, now)
        }
        FormKind::Report(id) => report(book, id, who, now),
        FormKind::EditReport(id, rs) => {
            let step = book.incident(id)?.reports.iter().find(|r| &r.id == rs)?;
            edit_report(book, id, step, who, now)
        }
        FormKind::ScheduleReview(id) => schedule_review(book, id, now),
        FormKind::HoldReview(id, rv) => hold_review(book, id, rv, who, now),
        FormKind::Close(id) => close(id),
        FormKind::Reopen(id) => reopen(id),
        FormKind::MarkError(id, target) => mark_error(id, target.clone()),
        FormKind::NotApplicable(id, step) => {
            not_applicable(id, *step, &book.incident(id)?.checklist.get(*step)?.step)
        }
        FormKind::Settings => settings(book),
    })
}

fn number(form: &Form, key: &str) -> u32 {
    form.value(key).parse().unwrap_or(0)
}

fn optional_year(form: &Form) -> Option<i32> {
    form.value("birth_year").parse().ok()
}

fn datetime(form: &Form, key: &str, now: NaiveDateTime) -> NaiveDateTime {
    parse_datetime(&form.value(key), now).unwrap_or(now)
}

/// Applies a submitted form to the logbook. `Ok(message)` is shown in the status bar.
pub fn submit(form: &Form, book: &mut Logbook, stamp: &Stamp) -> Result<String, Invalid> {
    let now = stamp.at.naive_local();
    let who = stamp.by.clone();
    let v = |k: &str| form.value(k);
    match &form.kind {
        FormKind::Setup => unreachable_form(),
        FormKind::NewIncident | FormKind::EditIncident(_) => {
            let mut types: Vec<IncidentType> = Vec::new();
            for k in ["types", "type2"] {
                if let Some(t) = pick(IncidentType::ALL, &v(k))
                    && !types.contains(&t)
                {
                    types.push(t);
                }
            }
            let area = pick(RiskArea::ALL, &v("risk_area"))
                .or_else(|| {
                    types
                        .first()
                        .map(|t| Reference::get().incident_type(*t).risk_area)
                })
                .unwrap_or(RiskArea::Conduct);
            let risk = pick(RiskLevel::ALL, &v("risk_level")).unwrap_or(RiskLevel::Medium);
            let apply = |i: &mut Incident| {
                i.occurred = datetime(form, "occurred", now);
                i.occurred_approximate = !v("occurred_approximate").is_empty();
                i.reported = datetime(form, "reported", now);
                i.reported_by = v("reported_by");
                i.types = types.clone();
                i.risk_area = area;
                i.risk_level = risk;
                i.platform = v("platform");
                i.description = form
                    .field("description")
                    .map(Field::text)
                    .unwrap_or_default();
                i.immediate_action = form
                    .field("immediate_action")
                    .map(Field::text)
                    .unwrap_or_default();
            };
            if let FormKind::EditIncident(id) = &form.kind {
                book.update_incident(stamp, id, "edited summary", apply)?;
                return Ok(format!("{id} updated."));
            }
            let mut incident = Incident {
                id: String::new(),
                occurred: now,
                occurred_approximate: false,
                reported: now,
                reported_by: String::new(),
                recorded_by: who,
                people: Vec::new(),
                risk_area: area,
                types: Vec::new(),
                platform: String::new(),
                description: String::new(),
                immediate_action: String::new(),
                risk_level: risk,
                status: Status::Open,
                closure: None,
                checklist: Vec::new(),
                evidence: Vec::new(),
                reports: Vec::new(),
                reviews: Vec::new(),
                related: Vec::new(),
                error: None,
            };
            apply(&mut incident);
            if types.is_empty() {
                return Err(Invalid {
                    field: "types".into(),
                    message: "Choose at least one incident type".into(),
                });
            }
            // Every new case has its first review in the diary.
            incident.reviews.push(Review::scheduled(
                "RV-1",
                now.date() + Duration::days(book.settings.review_interval_days as i64),
            ));
            let id = book.add_incident(stamp, incident)?;
            Ok(format!("{id} recorded. Link the people involved with p."))
        }
        FormKind::LinkPerson(id) => {
            let role = pick(Role::ALL, &v("role")).unwrap_or(Role::Subject);
            let mut person = v("person");
            let mut staged = book.clone();
            if person.is_empty() {
                let reference = v("reference");
                if reference.is_empty() {
                    return Err(Invalid {
                        field: "reference".into(),
                        message: "Choose a person, or type the new person's reference".into(),
                    });
                }
                person = staged.add_person(
                    stamp,
                    Person {
                        id: String::new(),
                        reference,
                        age_group: pick(AgeGroup::ALL, &v("age_group"))
                            .unwrap_or(AgeGroup::Unknown),
                        birth_year: optional_year(form),
                        notes: String::new(),
                        error: None,
                    },
                )?;
            }
            let link = Involvement {
                person: person.clone(),
                role,
            };
            staged.update_incident(
                stamp,
                id,
                &format!("linked {person} as {}", role.label()),
                |i| i.people.push(link),
            )?;
            *book = staged;
            Ok(format!("{person} linked to {id}."))
        }
        FormKind::NewPerson => {
            let id = book.add_person(
                stamp,
                Person {
                    id: String::new(),
                    reference: v("reference"),
                    age_group: pick(AgeGroup::ALL, &v("age_group")).unwrap_or(AgeGroup::Unknown),
                    birth_year: optional_year(form),
                    notes: form.field("notes").map(Field::text).unwrap_or_default(),
                    error: None,
                },
            )?;
            Ok(format!("{id} added to the register."))
        }
        FormKind::Evidence(id) => {
            let next = book
                .incident(id)
                .map(|i| i.next_item_id("EV"))
                .unwrap_or_default();
            let item = Evidence {
                id: next.clone(),
                kind: pick(EvidenceKind::ALL, &v("kind")).unwrap_or(EvidenceKind::Note),
                description: v("description"),
                source: v("source"),
                captured: datetime(form, "captured", now),
                captured_by: v("captured_by"),
                kept_at: v("kept_at"),
                file: None,
                custody: Vec::new(),
                error: None,
            };
            book.update_incident(stamp, id, &format!("added evidence {next}"), |i| {
                i.evidence.push(item)
            })?;
            Ok(format!("Evidence {next} added to {id}."))
        }
        FormKind::EditPerson(id) => {
            let (reference, age_group, birth_year) = (
                v("reference"),
                pick(AgeGroup::ALL, &v("age_group")),
                optional_year(form),
            );
            let notes = form.field("notes").map(Field::text).unwrap_or_default();
            book.update_person(stamp, id, "edited person", |p| {
                p.reference = reference;
                p.age_group = age_group.unwrap_or(p.age_group);
                p.birth_year = birth_year;
                p.notes = notes;
            })?;
            Ok(format!("{id} updated."))
        }
        FormKind::PersonError(id) => {
            let reason = v("reason");
            book.update_person(stamp, id, "marked entered in error", |p| {
                p.error = Some(EnteredInError {
                    when: now,
                    by: who.clone(),
                    reason,
                });
            })?;
            Ok(format!(
                "{id} marked entered in error; the person stays visible, struck through."
            ))
        }
        FormKind::LinkRelated(id) => {
            let related = v("related");
            book.update_incident(
                stamp,
                id,
                &format!("linked related incident {related}"),
                |i| {
                    if !i.related.contains(&related) {
                        i.related.push(related.clone());
                    }
                },
            )?;
            Ok(format!("{id} linked to {related}."))
        }
        FormKind::EditEvidence(id, ev) => {
            let (kind, description, source) = (
                pick(EvidenceKind::ALL, &v("kind")),
                v("description"),
                v("source"),
            );
            let (captured, captured_by, kept_at) = (
                datetime(form, "captured", now),
                v("captured_by"),
                v("kept_at"),
            );
            let custody = v("custody");
            let custody_reference = v("custody_reference");
            let action = if custody.is_empty() {
                format!("updated evidence {ev}")
            } else {
                format!("recorded custody of {ev}")
            };
            book.update_incident(stamp, id, &action, |i| {
                if let Some(e) = i.evidence.iter_mut().find(|e| &e.id == ev) {
                    e.kind = kind.unwrap_or(e.kind);
                    e.description = description;
                    e.source = source;
                    e.captured = captured;
                    e.captured_by = captured_by;
                    e.kept_at = kept_at;
                    if !custody.is_empty() {
                        e.custody.push(CustodyEvent {
                            when: now,
                            event: custody,
                            reference: custody_reference,
                        });
                    }
                }
            })?;
            Ok(format!("Evidence {ev} updated."))
        }
        FormKind::EditReport(id, rs) => {
            let Some(agency) = pick(Agency::ALL, &v("agency")) else {
                return Err(Invalid {
                    field: "agency".into(),
                    message: "Choose the agency".into(),
                });
            };
            let decision = pick(Decision::ALL, &v("decision")).unwrap_or(Decision::Referred);
            let reason = v("reason");
            let (when_at, by, method) = (
                datetime(form, "when", now),
                v("by"),
                pick(Method::ALL, &v("method")),
            );
            let (reference, contact, outcome, owed) = (
                v("reference"),
                v("contact"),
                v("outcome"),
                !v("follow_up_owed").is_empty(),
            );
            book.update_incident(stamp, id, &format!("updated reporting step {rs}"), |i| {
                if let Some(r) = i.reports.iter_mut().find(|r| &r.id == rs) {
                    r.agency = agency;
                    r.decision = decision;
                    r.when = when_at;
                    r.by = by;
                    r.method = method;
                    r.reference = reference;
                    r.contact = contact;
                    r.outcome = outcome;
                    r.follow_up_owed = owed;
                    r.reason = reason;
                }
            })?;
            Ok(format!("Reporting step {rs} updated."))
        }
        FormKind::Report(id) => {
            let next = book
                .incident(id)
                .map(|i| i.next_item_id("RS"))
                .unwrap_or_default();
            let decision = pick(Decision::ALL, &v("decision")).unwrap_or(Decision::Referred);
            let Some(agency) = pick(Agency::ALL, &v("agency")) else {
                return Err(Invalid {
                    field: "agency".into(),
                    message: "Choose the agency".into(),
                });
            };
            let step = ReportingStep {
                id: next.clone(),
                agency,
                decision,
                when: datetime(form, "when", now),
                by: v("by"),
                method: pick(Method::ALL, &v("method")),
                reference: v("reference"),
                contact: v("contact"),
                outcome: v("outcome"),
                follow_up_owed: !v("follow_up_owed").is_empty(),
                reason: v("reason"),
                error: None,
            };
            let action = match decision {
                Decision::Referred => format!("reported to {} ({next})", agency.label()),
                Decision::NotReferred => {
                    format!("considered {}, not referred ({next})", agency.label())
                }
            };
            book.update_incident(stamp, id, &action, |i| i.reports.push(step))?;
            Ok(format!("Reporting step {next} recorded on {id}."))
        }
        FormKind::ScheduleReview(id) => {
            let next = book
                .incident(id)
                .map(|i| i.next_item_id("RV"))
                .unwrap_or_default();
            let due = parse_date(&v("due"), now.date()).map_err(|m| Invalid {
                field: "due".into(),
                message: m,
            })?;
            let review = Review::scheduled(next.clone(), due);
            book.update_incident(stamp, id, &format!("scheduled review {next}"), |i| {
                i.reviews.push(review)
            })?;
            Ok(format!("Review {next} due {due}."))
        }
        FormKind::HoldReview(id, rv) => {
            let decision = pick(ReviewDecision::ALL, &v("decision"));
            let next = if decision == Some(ReviewDecision::ContinueMonitoring) {
                Some(
                    parse_date(&v("next_review"), now.date()).map_err(|m| Invalid {
                        field: "next_review".into(),
                        message: m,
                    })?,
                )
            } else {
                None
            };
            let held = datetime(form, "held", now);
            let outcome = v("outcome");
            let (by, risk) = (v("by"), pick(RiskLevel::ALL, &v("risk_now")));
            let new_id = book
                .incident(id)
                .map(|i| i.next_item_id("RV"))
                .unwrap_or_default();
            book.update_incident(stamp, id, &format!("held review {rv}"), |i| {
                if let Some(r) = i.reviews.iter_mut().find(|r| &r.id == rv) {
                    r.held = Some(held);
                    r.by = by;
                    r.outcome = outcome;
                    r.risk_now = risk;
                    r.decision = decision;
                    r.next_review = next;
                }
                if let Some(risk) = risk {
                    i.risk_level = risk;
                }
                match decision {
                    Some(ReviewDecision::ContinueMonitoring) => {
                        i.status = Status::Monitoring;
                        if let Some(due) = next {
                            i.reviews.push(Review::scheduled(new_id, due));
                        }
                    }
                    Some(ReviewDecision::Escalate) => i.status = Status::Open,
                    _ => {}
                }
            })?;
            let then = if decision == Some(ReviewDecision::Close) {
                " Close the case with c."
            } else {
                ""
            };
            Ok(format!("Review {rv} recorded.{then}"))
        }
        FormKind::Close(id) => {
            let outcome = v("outcome");
            book.update_incident(stamp, id, "closed case", |i| {
                i.status = Status::Closed;
                i.closure = Some(Closure {
                    when: now,
                    by: who.clone(),
                    outcome,
                });
            })?;
            Ok(format!("{id} closed."))
        }
        FormKind::Reopen(id) => {
            let reason = v("reason");
            if reason.is_empty() {
                return Err(Invalid {
                    field: "reason".into(),
                    message: "The reason is required: fill it in".into(),
                });
            }
            book.update_incident(stamp, id, &format!("re-opened: {reason}"), |i| {
                i.status = Status::Open;
                i.closure = None;
            })?;
            Ok(format!("{id} re-opened."))
        }
        FormKind::MarkError(id, target) => {
            let mark = EnteredInError {
                when: now,
                by: who.clone(),
                reason: v("reason"),
            };
            let (action, done) = match target {
                ErrorTarget::Incident => ("marked entered in error".to_string(), id.clone()),
                ErrorTarget::Evidence(x) | ErrorTarget::Report(x) | ErrorTarget::Review(x) => {
                    (format!("marked {x} entered in error"), format!("{id} {x}"))
                }
            };
            book.update_incident(stamp, id, &action, |i| match target {
                ErrorTarget::Incident => i.error = Some(mark),
                ErrorTarget::Evidence(x) => {
                    if let Some(e) = i.evidence.iter_mut().find(|e| &e.id == x) {
                        e.error = Some(mark);
                    }
                }
                ErrorTarget::Report(x) => {
                    if let Some(r) = i.reports.iter_mut().find(|r| &r.id == x) {
                        r.error = Some(mark);
                    }
                }
                ErrorTarget::Review(x) => {
                    if let Some(r) = i.reviews.iter_mut().find(|r| &r.id == x) {
                        r.error = Some(mark);
                    }
                }
            })?;
            Ok(format!(
                "{done} marked entered in error; it stays visible, struck through."
            ))
        }
        FormKind::NotApplicable(id, step) => {
            let reason = v("reason");
            book.update_incident(stamp, id, "marked checklist step not applicable", |i| {
                if let Some(item) = i.checklist.get_mut(*step) {
                    item.state = StepState::NotApplicable {
                        by: who.clone(),
                        when: now,
                        reason,
                    };
                }
            })?;
            Ok("Step marked not applicable.".into())
        }
        FormKind::Settings => {
            let staff: Vec<String> = v("staff")
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            book.update_settings(stamp, |s| {
                s.organisation = v("organisation");
                s.staff = staff;
                s.review_interval_days = number(form, "review_interval_days");
                s.idle_lock_minutes = number(form, "idle_lock_minutes");
                s.backup_interval_days = number(form, "backup_interval_days");
                s.backup_keep = number(form, "backup_keep");
            })?;
            Ok("Settings saved.".into())
        }
    }
}

fn unreachable_form() -> Result<String, Invalid> {
    Err(Invalid {
        field: String::new(),
        message: "This form is handled before the logbook is open".into(),
    })
}
