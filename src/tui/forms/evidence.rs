//! The evidence forms: add an item (`add_evidence`), update one with the same fields filled
//! and a custody event to add (`edit_evidence`, `add_custody_event`), and register the file
//! of an item by its fingerprint (`register_file`).

use chrono::NaiveDateTime;

use super::super::form::*;
use super::Refused;
use super::fields::*;
use crate::model::*;
use crate::reference::{COPY_WARNING, IMAGERY_RULE, Reference};

/// The question a screenshot or file gets on a case where a copy of the imagery is itself
/// an indecent image of a child (tester4 #7): the first save says why above the form and
/// marks the field, as the far review date is asked about; saving the same again saves
/// it, marked (`copy_confirmed`). Returns (what was checked, the field, the question).
pub fn copy_question(form: &Form, book: &Logbook) -> Option<(String, &'static str, String)> {
    let save = super::super::keymap::key_for(
        super::super::keymap::FORM,
        super::super::keymap::Action::Submit,
    );
    let (checked, key, what) = match &form.kind {
        FormKind::Evidence(id) | FormKind::EditEvidence(id, _) => {
            let ev = match &form.kind {
                FormKind::EditEvidence(_, ev) => Some(ev.as_str()),
                _ => None,
            };
            let kind = chosen(form, EvidenceKind::ALL, "kind").ok()?;
            book.copy_refusal(id, ev, kind)?;
            (format!("copy {id} {ev:?} {kind:?}"), "kind", "save it")
        }
        FormKind::RegisterFile(id, ev) => {
            book.register_file_refusal(id, ev, false)?;
            let path = form.value("path");
            (format!("copy {id} {ev} {path}"), "path", "register it")
        }
        _ => return None,
    };
    Some((
        checked,
        key,
        format!(
            "{COPY_WARNING}. Press {save} again to {what} anyway, marked as a possible copy of the imagery."
        ),
    ))
}

/// Whether the question above was asked about exactly what is being saved: the second
/// save confirms it.
pub fn copy_confirmed(form: &Form, book: &Logbook) -> bool {
    copy_question(form, book).is_some_and(|(checked, ..)| form.warned.as_ref() == Some(&checked))
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
            // Multi-line: a chat log pasted here ("messages written down word for word")
            // keeps its line breaks (tester4 #13).
            Field::new("description", "Description", FieldKind::Multiline).required(),
            Field::new("source", "Source (platform, URL, account)", FieldKind::Text),
            Field::new("captured", "Captured", FieldKind::DateTime)
                .named("When it was captured")
                .required()
                .with_text(&when(now)),
            who_field(book, "captured_by", "Captured by", who),
            Field::new("kept_at", kept_label, FieldKind::Text).required(),
        ],
    );
    form.notice = notice;
    form
}

pub fn submit_new(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
) -> Result<String, Refused> {
    let (details, _) = evidence_all(form, book, stamp, id, None)?;
    let next = book.add_evidence(stamp, id, details)?;
    Ok(format!("Evidence {next} added to {id}."))
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
    form.fill("kind", |f| f.with_choice(&value_of(item.kind)));
    form.fill("description", |f| f.with_text(&item.description));
    form.fill("source", |f| f.with_text(&item.source));
    form.fill("captured", |f| f.with_text(&when(item.captured)));
    form.fill("captured_by", |f| f.with_text(&item.captured_by));
    form.fill("kept_at", |f| f.with_text(&item.kept_at));
    // A member of staff's own words are kept as written (`Logbook::staff_words_refusal`):
    // said before anything is typed, not only on saving (tester3 #47).
    if item.kind == EvidenceKind::StaffConcern {
        form.notice = Some(format!(
            "{} is a staff concern, kept as its author wrote it: only a custody event can be added here; add your own correction or note as a new evidence item of kind Note.",
            item.id
        ));
    }
    form.fields.push(Field::new(
        "custody",
        "Custody event to add (e.g. handed to police)",
        FieldKind::Text,
    ));
    form.fields.push(
        Field::new("custody_when", "When it happened", FieldKind::DateTime)
            .named("The custody time")
            .with_text(&when(now)),
    );
    form.fields.push(Field::new(
        "custody_reference",
        "Its reference",
        FieldKind::Text,
    ));
    form
}

pub fn submit_edit(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
    ev: &str,
) -> Result<String, Refused> {
    let (details, event) = evidence_all(form, book, stamp, id, Some(ev))?;
    let unchanged = book
        .incident(id)
        .and_then(|i| i.evidence.iter().find(|e| e.id == ev))
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

/// The item's fields and the custody event to add (the edit form's), or every refusal of
/// them at once: the values that cannot be read, and what the model refuses of the rest
/// (`Logbook::evidence_refusals`). `ev`: the item edited, whose captured time is kept
/// while its field is untouched (`kept_datetime`).
fn evidence_all(
    form: &Form,
    book: &Logbook,
    stamp: &Stamp,
    id: &str,
    ev: Option<&str>,
) -> Result<(EvidenceDetails, Option<CustodyEvent>), Refused> {
    let now = stamp.at.naive_local();
    let stored = ev.and_then(|ev| {
        book.incident(id)
            .and_then(|i| i.evidence.iter().find(|e| e.id == ev))
            .map(|e| e.captured)
    });
    let kind = chosen(form, EvidenceKind::ALL, "kind");
    let captured = kept_datetime(form, "captured", now, stored);
    let custody = form.value("custody");
    let event = (ev.is_some() && !custody.is_empty()).then(|| {
        datetime(form, "custody_when", now).map(|when| CustodyEvent {
            when,
            event: custody,
            reference: form.value("custody_reference"),
        })
    });
    let mut refused: Vec<Invalid> = [
        kind.as_ref().err(),
        captured.as_ref().err(),
        event.as_ref().and_then(|e| e.as_ref().err()),
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    if let (Ok(kind), Ok(captured)) = (&kind, &captured) {
        let details = EvidenceDetails {
            copy_confirmed: copy_confirmed(form, book),
            kind: *kind,
            description: form.value("description"),
            source: form.value("source"),
            captured: *captured,
            captured_by: form.value("captured_by"),
            kept_at: form.value("kept_at"),
        };
        let event = event.and_then(Result::ok);
        refused.extend(book.evidence_refusals(stamp, id, ev, &details, event.as_ref()));
        if refused.is_empty() {
            return Ok((details, event));
        }
    }
    Err(Refused(refused))
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

pub fn submit_file(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
    ev: &str,
) -> Result<String, Invalid> {
    use super::super::fingerprint::{fingerprint, typed_path};
    let path = typed_path(&form.value("path"));
    let file = fingerprint(&path).map_err(|m| refused("path", m))?;
    let (size, short) = (file.size, file.sha256.chars().take(12).collect::<String>());
    book.register_file(stamp, id, ev, file, copy_confirmed(form, book))?;
    Ok(format!(
        "File of {ev} registered: {size} bytes, SHA-256 {short}... (not copied)."
    ))
}
