//! The incident forms: a new incident (`record_incident`), the same fields filled to edit
//! one (`edit_summary`), and a related incident to link (`link_related`).

use chrono::NaiveDateTime;

use super::super::form::*;
use super::Refused;
use super::fields::*;
use crate::model::*;
use crate::reference::{IMAGERY_RULE, Reference};

/// The risk area field, with nothing chosen: it follows the first type until chosen.
fn risk_area() -> Field {
    Field::new(
        "risk_area",
        "Risk area (4 Cs)",
        choices(RiskArea::ALL, RiskArea::label),
    )
}

/// The incident types, found by the words of their descriptions too: "self-harm" finds
/// "Harmful or triggering content", "loot boxes" "Excessive online spending" (a DSL typed
/// "self" and was told nothing matches). A match on a type's own name comes first.
fn type_choices() -> FieldKind {
    let reference = Reference::get();
    FieldKind::Choice(
        IncidentType::ALL
            .iter()
            .map(|t| {
                Choice::new(t.label(), value_of(*t))
                    .with_keywords(reference.incident_type(*t).description.as_str())
            })
            .collect(),
    )
}

/// The fields of a new incident, both times "now".
fn new_incident(now: NaiveDateTime) -> Form {
    let types = type_choices();
    let mut second = vec![Choice::new("(none)", "")];
    if let FieldKind::Choice(all) = &types {
        second.extend(all.iter().cloned());
    }
    Form::new(
        FormKind::NewIncident,
        "Record a new incident",
        vec![
            Field::new("occurred", "When it happened", FieldKind::DateTime)
                .required()
                .with_text(&when(now)),
            Field::new(
                "occurred_approximate",
                "Time is approximate",
                FieldKind::Toggle,
            )
            .with_toggle(false),
            Field::new("reported", "When it was reported", FieldKind::DateTime)
                .required()
                .with_text(&when(now)),
            Field::new("reported_by", "Reported by", FieldKind::Text).required(),
            Field::new("types", "Incident type", types).required(),
            Field::new("type2", "Second type", FieldKind::Choice(second)).with_choice(""),
            risk_area(),
            Field::new(
                "risk_level",
                "Risk level",
                choices(RiskLevel::ALL, RiskLevel::label),
            )
            .required()
            .with_choice("Medium"),
            Field::new("platform", "Platform or app", FieldKind::Text),
            Field::new(
                "description",
                "What happened (facts, who, when, words used)",
                FieldKind::Multiline,
            )
            .required(),
            Field::new(
                "immediate_action",
                "Immediate action taken",
                FieldKind::Multiline,
            ),
        ],
    )
}

/// A new incident's form, or the same fields filled from `existing` to edit it.
pub fn incident(
    book: &Logbook,
    who: &str,
    now: NaiveDateTime,
    existing: Option<&Incident>,
) -> Form {
    let _ = (book, who);
    let mut form = new_incident(now);
    let Some(i) = existing else {
        return form;
    };
    form.kind = FormKind::EditIncident(i.id.clone());
    form.title = format!("Edit {}", i.id);
    let kind_of = |t: Option<&IncidentType>| t.map_or(String::new(), value_of);
    form.fill("occurred", |f| f.with_text(&when(i.occurred)));
    form.fill("occurred_approximate", |f| {
        f.with_toggle(i.occurred_approximate)
    });
    form.fill("reported", |f| f.with_text(&when(i.reported)));
    form.fill("reported_by", |f| f.with_text(&i.reported_by));
    form.fill("types", |f| f.with_choice(&kind_of(i.types.first())));
    form.fill("type2", |f| f.with_choice(&kind_of(i.types.get(1))));
    form.fill("risk_area", |f| f.with_choice(&value_of(i.risk_area)));
    form.fill("risk_level", |f| f.with_choice(&value_of(i.risk_level)));
    form.fill("platform", |f| f.with_text(&i.platform));
    form.fill("description", |f| f.with_text(&i.description));
    form.fill("immediate_action", |f| f.with_text(&i.immediate_action));
    form
}

/// The imagery rule while a type involving imagery is chosen, and the risk area following
/// the first type unless the person chose one.
pub fn refresh_notice(form: &mut Form) {
    let reference = Reference::get();
    let imagery = ["types", "type2"]
        .iter()
        .filter_map(|k| pick(IncidentType::ALL, &form.value(k)))
        .any(|t| reference.incident_type(t).imagery);
    form.notice = imagery.then(|| IMAGERY_RULE.to_string());
    if let Some(t) = pick(IncidentType::ALL, &form.value("types")) {
        let area = value_of(reference.incident_type(t).risk_area);
        if let Some(f) = form.field_mut("risk_area")
            && f.chosen.is_none()
        {
            *f = risk_area().with_choice(&area);
        }
    }
}

/// The incident's summary as the model takes it, from the form's fields; the first
/// refusal if any field is wrong (see `summary_all`).
pub fn summary(form: &Form, now: NaiveDateTime) -> Result<Summary, Invalid> {
    summary_all(form, now).map_err(Refused::first)
}

/// The incident's summary, or every refusal of its fields at once: the times that cannot
/// be read, and the model's checks of the summary (`summary_refusals`) on what can, so two
/// times in the future are both marked at the first save.
fn summary_all(form: &Form, now: NaiveDateTime) -> Result<Summary, Refused> {
    let mut types: Vec<IncidentType> = Vec::new();
    for k in ["types", "type2"] {
        if let Some(t) = pick(IncidentType::ALL, &form.value(k))
            && !types.contains(&t)
        {
            types.push(t);
        }
    }
    let occurred = datetime(form, "occurred", now);
    let reported = datetime(form, "reported", now);
    let risk_level = chosen(form, RiskLevel::ALL, "risk_level");
    let mut refused: Vec<Invalid> = [
        occurred.as_ref().err(),
        reported.as_ref().err(),
        risk_level.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    let description = multiline(form, "description");
    refused.extend(summary_refusals(
        occurred.as_ref().ok().copied(),
        reported.as_ref().ok().copied(),
        &form.value("reported_by"),
        &description,
        !types.is_empty(),
        now,
    ));
    if !refused.is_empty() {
        return Err(Refused(refused));
    }
    Ok(Summary {
        occurred: occurred?,
        occurred_approximate: toggled(form, "occurred_approximate"),
        reported: reported?,
        reported_by: form.value("reported_by"),
        types,
        risk_area: pick(RiskArea::ALL, &form.value("risk_area")),
        risk_level: risk_level?,
        platform: form.value("platform"),
        description,
        immediate_action: multiline(form, "immediate_action"),
    })
}

/// Records a new incident; returns its id.
pub fn record(form: &Form, book: &mut Logbook, stamp: &Stamp) -> Result<String, Refused> {
    let summary = summary_all(form, stamp.at.naive_local())?;
    Ok(book.record_incident(stamp, summary)?)
}

pub fn submit_edit(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
) -> Result<String, Refused> {
    let mut summary = summary_all(form, stamp.at.naive_local())?;
    // Times shown to the minute: an untouched one keeps what is stored (`kept_datetime`).
    if let Some(i) = book.incident(id) {
        for (key, field, stored) in [
            ("occurred", &mut summary.occurred, i.occurred),
            ("reported", &mut summary.reported, i.reported),
        ] {
            if form.field(key).is_some_and(Field::untouched) {
                *field = stored;
            }
        }
    }
    Ok(match book.edit_summary(stamp, id, summary)? {
        0 => format!("{id} updated."),
        1 => format!("{id} updated; 1 checklist step added for the new type."),
        n => format!("{id} updated; {n} checklist steps added for the new type."),
    })
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
                    crate::present::date(i.reported.date()),
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

pub fn submit_related(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
) -> Result<String, Invalid> {
    let related = form.value("related");
    book.link_related(stamp, id, &related)?;
    Ok(format!("{id} linked to {related}."))
}
