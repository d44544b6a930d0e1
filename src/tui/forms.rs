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

/// The agencies, found by any of their names: the picker's filter also searches each
/// agency's full name and other names ("CEOP", "NCA", "Action Fraud", "MASH").
fn agency_choices() -> FieldKind {
    let reference = Reference::get();
    FieldKind::Choice(
        Agency::ALL
            .iter()
            .map(|a| {
                let info = reference.agency(*a);
                Choice::new(a.label(), format!("{a:?}")).with_keywords(format!(
                    "{} {}",
                    info.name,
                    info.aliases.join(" ")
                ))
            })
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

/// A "who did it" field: any name may be typed (a visiting officer, a colleague since
/// left), and today's staff are suggested. It starts with `name`, kept as it was.
fn who_field(book: &Logbook, key: &'static str, label: &'static str, name: &str) -> Field {
    Field::new(key, label, FieldKind::Suggest(book.settings.staff.clone()))
        .required()
        .with_text(name)
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
            // The reference is marked `*` when the agency always gives one, unless it is
            // marked awaited or the step records a decision not to refer.
            let needed = pick(Agency::ALL, &form.value("agency"))
                .is_some_and(|a| reference.agency(a).issues_reference == IssuesReference::Always)
                && form.value("decision") != format!("{:?}", Decision::NotReferred)
                && !toggled(form, "reference_awaited");
            if let Some(f) = form.field_mut("reference") {
                f.needed = needed;
            }
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
                let warning = reference
                    .reference_warning(a, &form.value("reference"))
                    .map_or(String::new(), |w| format!(" {w}."));
                format!(
                    "{}: {expect}: {}.{timescale}{warning}",
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
    people.extend(
        book.people
            .iter()
            .filter(|p| p.error.is_none())
            .map(|p| Choice::new(format!("{}  {}", p.id, person_label(p)), p.id.as_str())),
    );
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
            Field::new("birth_year", "Year of birth or group (Y9)", FieldKind::Text),
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
            Field::new("birth_year", "Year of birth or group (Y9)", FieldKind::Text),
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
                Field::new(f.key, f.label, f.kind.clone()).with_text(
                    &person
                        .birth_year
                        .map_or_else(|| person.year_group.clone(), |y| y.to_string()),
                ),
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
            who_field(book, "captured_by", "Captured by", who),
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
            Field::new("agency", "Agency", agency_choices()).required(),
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
            who_field(book, "by", "By", who),
            Field::new("method", "How", choices(Method::ALL, Method::label)).with_choice("Phone"),
            Field::new("reference", "Their reference number", FieldKind::Text),
            Field::new("reference_awaited", "Reference awaited", FieldKind::Toggle)
                .with_toggle(false),
            Field::new("contact", "Who was spoken to / address", FieldKind::Text),
            Field::new("outcome", "Outcome", FieldKind::Text),
            Field::new("follow_up_owed", "Follow-up owed", FieldKind::Toggle).with_toggle(false),
            Field::new("reason", "Reason (if not referred)", FieldKind::Multiline),
            // Last, so the keys that reach the fields above stay as they were.
            Field::new("agency_name", "Other agency's name", FieldKind::Text),
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
    set(&mut form, "by", &|_| who_field(book, "by", "By", &step.by));
    set(&mut form, "reference_awaited", &|f| {
        f.with_toggle(step.reference_awaited)
    });
    set(&mut form, "method", &|f| {
        f.with_choice(&step.method.map_or(String::new(), |m| format!("{m:?}")))
    });
    set(&mut form, "reference", &|f| f.with_text(&step.reference));
    set(&mut form, "agency_name", &|f| {
        f.with_text(&step.agency_name)
    });
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
            "captured_by" => Some(who_field(book, f.key, f.label, &item.captured_by)),
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
    form.fields.push(
        Field::new("custody_when", "When it happened", FieldKind::DateTime).with_text(&when(now)),
    );
    form.fields.push(Field::new(
        "custody_reference",
        "Its reference",
        FieldKind::Text,
    ));
    form
}

/// The path of an evidence item's file, to record its SHA-256 and size. The file is read
/// where it is, never copied.
pub fn register_file(id: &str, ev: &str) -> Form {
    let mut form = Form::new(
        FormKind::RegisterFile(id.to_string(), ev.to_string()),
        format!("Register the file of {id} {ev}"),
        vec![Field::new("path", "Path of the file", FieldKind::Text).required()],
    );
    form.notice = Some(
        "The file is read once to record its SHA-256 fingerprint and size. It is not copied, \
         moved or changed, and stays where it is."
            .into(),
    );
    form
}

/// `v`: a case already waiting for a review is offered the move of that review (audited as
/// a reschedule) rather than a second one beside it; adding another stays possible.
pub fn schedule_review(book: &Logbook, id: &str, now: NaiveDateTime) -> Form {
    let due = now.date() + Duration::days(book.settings.review_interval_days as i64);
    let pending = book.incident(id).and_then(|i| {
        i.reviews
            .iter()
            .find(|r| r.held.is_none() && r.cancelled.is_none() && r.error.is_none())
    });
    let Some(r) = pending else {
        return Form::new(
            FormKind::ScheduleReview(id.to_string()),
            format!("Schedule a review of {id}"),
            vec![
                Field::new("due", "Due", FieldKind::Date)
                    .required()
                    .with_text(&due.to_string()),
            ],
        );
    };
    let mut form = Form::new(
        FormKind::RescheduleReview(id.to_string(), r.id.clone()),
        format!("Move review {} of {id}", r.id),
        vec![
            // The date it has now, which the first key typed replaces.
            Field::new("due", "New date", FieldKind::Date)
                .required()
                .with_text(&r.due.to_string()),
            Field::new(
                "second",
                "Keep it and add another review",
                FieldKind::Toggle,
            )
            .with_toggle(false),
        ],
    );
    form.notice = Some(format!(
        "Review {} is due {} and not yet held. Saving moves it to the new date (the move is kept in the history).",
        r.id, r.due
    ));
    form
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
            who_field(book, "by", "By", who),
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
            Field::new(
                "confirm",
                "Close despite unfinished work",
                FieldKind::Toggle,
            )
            .with_toggle(false),
        ],
    )
}

/// The closing form lists what is still unfinished up front, so the DSL sees it before
/// writing the outcome; the model refuses to close over it until the toggle confirms.
pub fn close(book: &Logbook, id: &str) -> Form {
    let mut form = Form::new(
        FormKind::Close(id.to_string()),
        format!("Close {id}"),
        vec![
            Field::new("outcome", "Outcome of the case", FieldKind::Multiline).required(),
            Field::new(
                "confirm",
                "Close despite unfinished work",
                FieldKind::Toggle,
            )
            .with_toggle(false),
        ],
    );
    let unfinished = book
        .incident(id)
        .map(Incident::unfinished)
        .unwrap_or_default();
    if !unfinished.is_empty() {
        form.notice = Some(format!(
            "Unfinished: {}. Finish these first, or close anyway by ticking the last field.",
            unfinished.join("; ")
        ));
    }
    form
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

/// A checklist step ticked with when it was done (now, unless typed): on a closed case, a
/// step done before it closed, the time proposed being the closing time.
pub fn tick_step(book: &Logbook, id: &str, step: usize, now: NaiveDateTime) -> Option<Form> {
    let incident = book.incident(id)?;
    let text = &incident.checklist.get(step)?.step;
    let at = incident.closure.as_ref().map_or(now, |c| c.when);
    let mut form = Form::new(
        FormKind::TickStep(id.to_string(), step),
        "Tick a checklist step",
        vec![
            Field::new("when", "When it was done", FieldKind::DateTime)
                .required()
                .with_text(&when(at)),
        ],
    );
    form.notice = Some(crate::text::line(text).into_owned());
    Some(form)
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
        FormKind::RegisterFile(id, ev) => register_file(id, ev),
        FormKind::Report(id) => report(book, id, who, now),
        FormKind::EditReport(id, rs) => {
            let step = book.incident(id)?.reports.iter().find(|r| &r.id == rs)?;
            edit_report(book, id, step, who, now)
        }
        FormKind::ScheduleReview(id) | FormKind::RescheduleReview(id, _) => {
            schedule_review(book, id, now)
        }
        FormKind::HoldReview(id, rv) => hold_review(book, id, rv, who, now),
        FormKind::Close(id) => close(book, id),
        FormKind::Reopen(id) => reopen(id),
        FormKind::MarkError(id, target) => mark_error(id, target.clone()),
        FormKind::NotApplicable(id, step) => {
            not_applicable(id, *step, &book.incident(id)?.checklist.get(*step)?.step)
        }
        FormKind::TickStep(id, step) => tick_step(book, id, *step, now)?,
        FormKind::Settings => settings(book),
        // A concern form is never kept over a lock: the concern waits in the inbox.
        FormKind::Concern => return None,
        FormKind::Export(id) => super::records::export_form(book, id)?,
    })
}

/// A field's label, for a refusal that names it.
fn label(form: &Form, key: &str) -> &'static str {
    form.field(key).map_or("This field", |f| f.label)
}

fn refused(key: &str, message: String) -> Invalid {
    Invalid {
        field: key.to_string(),
        message,
    }
}

/// A whole number the person typed. Unparsable text is refused naming the field, never
/// read as 0.
fn number(form: &Form, key: &str) -> Result<u32, Invalid> {
    let text = form.value(key);
    text.trim().parse().map_err(|_| {
        refused(
            key,
            format!(
                "{}: {} is not a whole number: type digits only, e.g. 14",
                label(form, key),
                crate::text::line(&text)
            ),
        )
    })
}

/// An optional year of birth: empty is "not known", anything else must be a year.
fn optional_year(form: &Form) -> Result<Option<i32>, Invalid> {
    let text = form.value("birth_year");
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.trim().parse().map(Some).map_err(|_| {
        refused(
            "birth_year",
            format!(
                "{}: {} is not a year or year group: type e.g. 2012 or Y9, or leave it empty",
                label(form, "birth_year"),
                crate::text::line(&text)
            ),
        )
    })
}

/// A date and time the person typed. Unparsable text is refused naming the field, never
/// replaced by "now".
fn datetime(form: &Form, key: &str, now: NaiveDateTime) -> Result<NaiveDateTime, Invalid> {
    parse_datetime(&form.value(key), now)
        .map_err(|m| refused(key, format!("{}: {m}", label(form, key))))
}

fn date(form: &Form, key: &str, now: NaiveDateTime) -> Result<chrono::NaiveDate, Invalid> {
    parse_date(&form.value(key), now.date())
        .map_err(|m| refused(key, format!("{}: {m}", label(form, key))))
}

/// A choice the form requires; an empty or unknown value is refused naming the field.
fn chosen<T: Copy + std::fmt::Debug>(form: &Form, all: &[T], key: &str) -> Result<T, Invalid> {
    pick(all, &form.value(key))
        .ok_or_else(|| refused(key, format!("{}: choose one", label(form, key))))
}

fn toggled(form: &Form, key: &str) -> bool {
    !form.value(key).is_empty()
}

fn multiline(form: &Form, key: &str) -> String {
    form.field(key).map(Field::text).unwrap_or_default()
}

pub fn summary(form: &Form, now: NaiveDateTime) -> Result<Summary, Invalid> {
    let mut types: Vec<IncidentType> = Vec::new();
    for k in ["types", "type2"] {
        if let Some(t) = pick(IncidentType::ALL, &form.value(k))
            && !types.contains(&t)
        {
            types.push(t);
        }
    }
    Ok(Summary {
        occurred: datetime(form, "occurred", now)?,
        occurred_approximate: toggled(form, "occurred_approximate"),
        reported: datetime(form, "reported", now)?,
        reported_by: form.value("reported_by"),
        types,
        risk_area: pick(RiskArea::ALL, &form.value("risk_area")),
        risk_level: chosen(form, RiskLevel::ALL, "risk_level")?,
        platform: form.value("platform"),
        description: multiline(form, "description"),
        immediate_action: multiline(form, "immediate_action"),
    })
}

fn person_details(form: &Form) -> Result<PersonDetails, Invalid> {
    // The one field takes a year of birth or, where that is not known, a year group.
    let typed = form.value("birth_year").trim().to_ascii_uppercase();
    let (birth_year, year_group) = if is_year_group(&typed) {
        (None, typed)
    } else {
        (optional_year(form)?, String::new())
    };
    Ok(PersonDetails {
        reference: form.value("reference"),
        age_group: chosen(form, AgeGroup::ALL, "age_group")?,
        birth_year,
        year_group,
        notes: multiline(form, "notes"),
    })
}

fn evidence_details(form: &Form, now: NaiveDateTime) -> Result<EvidenceDetails, Invalid> {
    Ok(EvidenceDetails {
        kind: chosen(form, EvidenceKind::ALL, "kind")?,
        description: form.value("description"),
        source: form.value("source"),
        captured: datetime(form, "captured", now)?,
        captured_by: form.value("captured_by"),
        kept_at: form.value("kept_at"),
    })
}

fn step_details(form: &Form, now: NaiveDateTime) -> Result<StepDetails, Invalid> {
    Ok(StepDetails {
        agency: chosen(form, Agency::ALL, "agency")?,
        agency_name: form.value("agency_name"),
        decision: chosen(form, Decision::ALL, "decision")?,
        when: datetime(form, "when", now)?,
        by: form.value("by"),
        method: pick(Method::ALL, &form.value("method")),
        reference: form.value("reference"),
        contact: form.value("contact"),
        outcome: form.value("outcome"),
        follow_up_owed: toggled(form, "follow_up_owed"),
        reference_awaited: toggled(form, "reference_awaited"),
        reason: multiline(form, "reason"),
    })
}

/// Before a person is added to the register (alone or while linking): the people already
/// there who may be the same (same initials, same year of birth or year group, or a year
/// unknown on one side). Returns (what was checked, the warning) for the app to show once.
pub fn duplicate_warning(form: &Form, book: &Logbook) -> Option<(String, String)> {
    let linking = match form.kind {
        FormKind::NewPerson => false,
        FormKind::LinkPerson(_) if form.value("person").is_empty() => true,
        _ => return None,
    };
    let d = person_details(form).ok()?;
    let same: Vec<String> = book
        .likely_duplicates(&d.reference, d.birth_year)
        .into_iter()
        .filter(|p| {
            d.year_group.is_empty() || p.year_group.is_empty() || p.year_group == d.year_group
        })
        .map(|p| format!("{} {}", p.id, person_label(p)))
        .collect();
    if same.is_empty() {
        return None;
    }
    let again = super::keymap::key_for(super::keymap::FORM, super::keymap::Action::Submit);
    let instead = if linking {
        "or choose them in Person instead"
    } else {
        &format!(
            "or {} and link the one already there",
            super::keymap::key_for(super::keymap::FORM, super::keymap::Action::Cancel)
        )
    };
    Some((
        format!("{}|{:?}|{}", d.reference, d.birth_year, d.year_group),
        format!(
            "Possibly already in the register: {}. {again} again adds a new person anyway, {instead}.",
            same.join("; ")
        ),
    ))
}

/// A person as a picker or warning shows them: reference, age group, year of birth or year
/// group, and the first words of the notes, so two "A.B."s can be told apart.
fn person_label(p: &Person) -> String {
    let mut parts = vec![p.age_group.label().to_string()];
    match (p.birth_year, p.year_group.as_str()) {
        (Some(y), _) => parts.push(format!("born {y}")),
        (None, "") => {}
        (None, g) => parts.push(crate::text::line(g).into_owned()),
    }
    let notes = p.notes.lines().next().unwrap_or_default().trim();
    if !notes.is_empty() {
        let short: String = notes.chars().take(40).collect();
        let more = if notes.chars().count() > 40 {
            "..."
        } else {
            ""
        };
        parts.push(format!("{}{more}", crate::text::line(&short)));
    }
    format!("{} ({})", crate::text::line(&p.reference), parts.join(", "))
}

/// What a saved form leaves: the message for the status bar, and the incident to open.
#[derive(Debug)]
pub struct Done {
    pub message: String,
    pub open: Option<String>,
}

/// Applies a submitted form to the logbook. Forms only turn fields into the model's
/// operations: every rule lives in the model. A new incident is opened once recorded, with
/// the review the model put in its diary announced.
pub fn submit(form: &Form, book: &mut Logbook, stamp: &Stamp) -> Result<Done, Invalid> {
    if form.kind != FormKind::NewIncident {
        return submit_change(form, book, stamp).map(|message| Done {
            message,
            open: None,
        });
    }
    let id = book.record_incident(stamp, summary(form, stamp.at.naive_local())?)?;
    let review = book
        .incident(&id)
        .and_then(|i| i.reviews.first())
        .map_or_else(String::new, |r| format!(" Review {} due {}.", r.id, r.due));
    let link = super::keymap::key_for(super::keymap::DETAIL, super::keymap::Action::LinkPerson);
    Ok(Done {
        message: format!("{id} recorded.{review} {link} links the people."),
        open: Some(id),
    })
}

/// Applies a form that changes what is already recorded. `Ok(message)` is shown in the
/// status bar.
fn submit_change(form: &Form, book: &mut Logbook, stamp: &Stamp) -> Result<String, Invalid> {
    let now = stamp.at.naive_local();
    let v = |k: &str| form.value(k);
    match &form.kind {
        FormKind::Setup | FormKind::NewIncident | FormKind::Export(_) => unreachable_form(),
        FormKind::EditIncident(id) => {
            book.edit_summary(stamp, id, summary(form, now)?)?;
            Ok(format!("{id} updated."))
        }
        FormKind::LinkPerson(id) => {
            let role = chosen(form, Role::ALL, "role")?;
            let person = v("person");
            if !person.is_empty() {
                book.link_person(stamp, id, &person, role)?;
                return Ok(format!("{person} linked to {id}."));
            }
            if v("reference").is_empty() {
                return Err(refused(
                    "reference",
                    "Choose a person, or type the new person's reference".into(),
                ));
            }
            let details = PersonDetails {
                notes: String::new(),
                ..person_details(form)?
            };
            let person = book.link_new_person(stamp, id, details, role)?;
            Ok(format!("{person} linked to {id}."))
        }
        FormKind::NewPerson => {
            let id = book.register_person(stamp, person_details(form)?)?;
            Ok(format!("{id} added to the register."))
        }
        FormKind::EditPerson(id) => {
            book.edit_person(stamp, id, person_details(form)?)?;
            Ok(format!("{id} updated."))
        }
        FormKind::PersonError(id) => {
            book.mark_person_in_error(stamp, id, &v("reason"))?;
            Ok(format!(
                "{id} marked entered in error; the person stays visible, struck through."
            ))
        }
        FormKind::LinkRelated(id) => {
            let related = v("related");
            book.link_related(stamp, id, &related)?;
            Ok(format!("{id} linked to {related}."))
        }
        FormKind::Evidence(id) => {
            let next = book.add_evidence(stamp, id, evidence_details(form, now)?)?;
            Ok(format!("Evidence {next} added to {id}."))
        }
        FormKind::EditEvidence(id, ev) => {
            let details = evidence_details(form, now)?;
            let custody = v("custody");
            let event = if custody.is_empty() {
                None
            } else {
                Some(CustodyEvent {
                    when: datetime(form, "custody_when", now)?,
                    event: custody,
                    reference: v("custody_reference"),
                })
            };
            let unchanged = book
                .incident(id)
                .and_then(|i| i.evidence.iter().find(|e| &e.id == ev))
                .is_some_and(|e| {
                    e.kind == details.kind
                        && e.description == details.description
                        && e.source == details.source
                        && e.captured == details.captured
                        && e.captured_by == details.captured_by
                        && e.kept_at == details.kept_at
                });
            // Two operations, each audited; a custody event alone leaves the item as it was.
            if !unchanged || event.is_none() {
                book.edit_evidence(stamp, id, ev, details)?;
            }
            if let Some(event) = event {
                book.add_custody_event(stamp, id, ev, event)?;
            }
            Ok(format!("Evidence {ev} updated."))
        }
        FormKind::RegisterFile(id, ev) => {
            let path = super::fingerprint::typed_path(&v("path"));
            let file = super::fingerprint::fingerprint(&path).map_err(|m| refused("path", m))?;
            let (size, short) = (file.size, file.sha256.chars().take(12).collect::<String>());
            book.register_file(stamp, id, ev, file)?;
            Ok(format!(
                "File of {ev} registered: {size} bytes, SHA-256 {short}... (not copied)."
            ))
        }
        FormKind::Report(id) => {
            let d = step_details(form, now)?;
            let next = match d.decision {
                Decision::Referred => book.add_reporting_step(stamp, id, d)?,
                Decision::NotReferred => book.record_not_referred(stamp, id, d)?,
            };
            Ok(format!("Reporting step {next} recorded on {id}."))
        }
        FormKind::EditReport(id, rs) => {
            book.edit_reporting_step(stamp, id, rs, step_details(form, now)?)?;
            Ok(format!("Reporting step {rs} updated."))
        }
        FormKind::ScheduleReview(id) => {
            let due = date(form, "due", now)?;
            let next = book.schedule_review(stamp, id, due)?;
            Ok(format!("Review {next} due {due}."))
        }
        FormKind::RescheduleReview(id, rv) => {
            let due = date(form, "due", now)?;
            if toggled(form, "second") {
                let next = book.schedule_review(stamp, id, due)?;
                return Ok(format!("Review {next} due {due}; {rv} stays as it was."));
            }
            book.reschedule_review(stamp, id, rv, due)?;
            Ok(format!("Review {rv} moved to {due}."))
        }
        FormKind::HoldReview(id, rv) => {
            let decision = chosen(form, ReviewDecision::ALL, "decision")?;
            let next_review = if decision == ReviewDecision::ContinueMonitoring {
                Some(date(form, "next_review", now)?)
            } else {
                None
            };
            let held = HeldReview {
                held: datetime(form, "held", now)?,
                by: v("by"),
                outcome: multiline(form, "outcome"),
                risk_now: pick(RiskLevel::ALL, &v("risk_now")),
                decision,
                next_review,
            };
            let scheduled = book.hold_review(stamp, id, rv, held, toggled(form, "confirm"))?;
            Ok(match (decision, scheduled) {
                (ReviewDecision::Close, _) => format!("Review {rv} recorded; {id} closed."),
                (_, Some(next)) => format!("Review {rv} recorded; review {next} scheduled."),
                _ => format!("Review {rv} recorded."),
            })
        }
        FormKind::Close(id) => {
            book.close_case(
                stamp,
                id,
                &multiline(form, "outcome"),
                toggled(form, "confirm"),
            )?;
            Ok(format!("{id} closed."))
        }
        FormKind::Reopen(id) => {
            book.reopen_case(stamp, id, &multiline(form, "reason"))?;
            Ok(format!("{id} re-opened."))
        }
        FormKind::MarkError(id, target) => {
            let (entry, done) = match target {
                ErrorTarget::Incident => (Entry::Incident, id.clone()),
                ErrorTarget::Evidence(x) => (Entry::Evidence(x.clone()), format!("{id} {x}")),
                ErrorTarget::Report(x) => (Entry::Report(x.clone()), format!("{id} {x}")),
                ErrorTarget::Review(x) => (Entry::Review(x.clone()), format!("{id} {x}")),
            };
            book.mark_in_error(stamp, id, &entry, &multiline(form, "reason"))?;
            Ok(format!(
                "{done} marked entered in error; it stays visible, struck through."
            ))
        }
        FormKind::NotApplicable(id, step) => {
            book.step_not_applicable(stamp, id, *step, now, &multiline(form, "reason"))?;
            Ok("Step marked not applicable.".into())
        }
        FormKind::TickStep(id, step) => {
            book.tick_step(stamp, id, *step, datetime(form, "when", now)?)?;
            Ok("Step ticked.".into())
        }
        FormKind::Settings => {
            let staff: Vec<String> = v("staff")
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let (review, idle, backup, keep) = (
                number(form, "review_interval_days")?,
                number(form, "idle_lock_minutes")?,
                number(form, "backup_interval_days")?,
                number(form, "backup_keep")?,
            );
            book.update_settings(stamp, |s| {
                s.organisation = v("organisation");
                s.staff = staff;
                s.review_interval_days = review;
                s.idle_lock_minutes = idle;
                s.backup_interval_days = backup;
                s.backup_keep = keep;
            })?;
            Ok("Settings saved.".into())
        }
        // Submitted by `tui::concerns`, which the app routes concern forms to.
        FormKind::Concern => Err(refused(
            "",
            "Take the concern in from the Concerns screen (C)".into(),
        )),
    }
}

fn unreachable_form() -> Result<String, Invalid> {
    Err(Invalid {
        field: String::new(),
        message: "This form is handled before the logbook is open".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Logbook {
        crate::demo::logbook().unwrap()
    }

    fn stamp() -> Stamp {
        Stamp::new("RO", crate::demo::demo_now().and_utc().fixed_offset())
    }

    fn set(form: &mut Form, key: &str, text: &str) {
        form.field_mut(key).unwrap().set_text(text);
    }

    #[test]
    fn an_unparsable_date_is_refused_naming_the_field_not_read_as_now() {
        let mut b = book();
        let now = crate::demo::demo_now();
        let mut form = incident(&b, "RO", now, None);
        set(&mut form, "description", "Messages in a group chat");
        set(&mut form, "reported_by", "Form tutor");
        form.field_mut("types").unwrap().chosen = Some(0);
        set(&mut form, "occurred", "last tuesday");
        let before = b.clone();
        let e = submit(&form, &mut b, &stamp()).unwrap_err();
        assert_eq!(e.field, "occurred");
        assert!(e.message.starts_with("When it happened: "), "{e}");
        assert_eq!(b, before);
    }

    #[test]
    fn an_unparsable_number_is_refused_naming_the_field_not_read_as_0() {
        let mut b = book();
        let mut form = settings(&b);
        set(&mut form, "backup_keep", "ten");
        let before = b.clone();
        let e = submit(&form, &mut b, &stamp()).unwrap_err();
        assert_eq!(e.field, "backup_keep");
        assert!(
            e.message.contains("Backups to keep") && e.message.contains("ten"),
            "{e}"
        );
        assert_eq!(b, before);
        let mut form = new_person();
        set(&mut form, "reference", "QX");
        set(&mut form, "birth_year", "2O12");
        let e = submit(&form, &mut b, &stamp()).unwrap_err();
        assert_eq!(e.field, "birth_year");
    }

    #[test]
    fn editing_keeps_a_recorder_who_is_not_in_todays_staff_list() {
        let mut b = book();
        let s = stamp();
        b.update_settings(&s, |st| st.staff = vec!["RO".into()])
            .unwrap();
        let (id, ev, rs) = b
            .incidents
            .iter()
            .find_map(|i| {
                let ev = i.evidence.iter().find(|e| e.captured_by != "RO")?;
                let rs = i.reports.iter().find(|r| r.by != "RO")?;
                Some((i.id.clone(), ev.clone(), rs.clone()))
            })
            .expect("the demo has entries by other staff");
        let now = crate::demo::demo_now();
        let form = edit_evidence(&b, &id, &ev, "RO", now);
        assert_eq!(form.value("captured_by"), ev.captured_by);
        let form = edit_report(&b, &id, &rs, "RO", now);
        assert_eq!(form.value("by"), rs.by);
    }
}
