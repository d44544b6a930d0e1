//! What every form module shares: building choice and "who" fields from the model's enums
//! and staff list, and reading typed values back, each unparsable value refused naming its
//! field (never read as 0, "" or "now").

use chrono::{NaiveDate, NaiveDateTime};

use super::super::form::*;
use crate::model::*;
use crate::reference::Reference;

/// A choice field over an enum: its labels shown, its variant names as the values.
pub fn choices<T: Copy + std::fmt::Debug>(
    all: &[T],
    label: impl Fn(T) -> &'static str,
) -> FieldKind {
    FieldKind::Choice(
        all.iter()
            .map(|v| Choice::new(label(*v), format!("{v:?}")))
            .collect(),
    )
}

/// The agencies, found by any of their names: the picker's filter also searches each
/// agency's full name and other names ("CEOP", "NCA", "Action Fraud", "MASH").
pub fn agency_choices() -> FieldKind {
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
pub fn pick<T: Copy + std::fmt::Debug>(all: &[T], value: &str) -> Option<T> {
    all.iter().copied().find(|v| format!("{v:?}") == value)
}

/// A choice value as `choices` writes it.
pub fn value_of<T: std::fmt::Debug>(v: T) -> String {
    format!("{v:?}")
}

/// A date and time as a form field holds it: as every screen writes one.
pub use crate::present::when;

/// A "who did it" field: any name may be typed (a visiting officer, a colleague since
/// left), and today's staff and the holders of the logbook's keys are suggested. It starts
/// with `name`, kept as it was.
pub fn who_field(book: &Logbook, key: &'static str, label: &'static str, name: &str) -> Field {
    Field::new(key, label, FieldKind::Suggest(recorders(book)))
        .required()
        .with_text(name)
}

/// The people who record: the staff listed in the settings, then the holders of the keys
/// that open the logbook (in key mode the staff list is often empty, and the DSL's own
/// name was said to match no one, as if it were a stranger's; tester3 #28). Recovery
/// keys' holders (a chair of governors) do not record.
pub fn recorders(book: &Logbook) -> Vec<String> {
    let s = &book.settings;
    let mut names = s.staff.clone();
    for h in &s.holders {
        if s.recipients.contains(&h.key)
            && h.key != s.passphrase_key
            && !h.name.trim().is_empty()
            && !names.contains(&h.name)
        {
            names.push(h.name.clone());
        }
    }
    names
}

/// A field's label, for a refusal that names it.
fn label(form: &Form, key: &str) -> &'static str {
    form.field(key).map_or("This field", Field::name)
}

pub fn refused(key: &str, message: String) -> Invalid {
    Invalid {
        field: key.to_string(),
        message,
    }
}

/// A whole number the person typed. Unparsable text is refused naming the field, never
/// read as 0.
pub fn number(form: &Form, key: &str) -> Result<u32, Invalid> {
    parse_number(&form.value(key)).map_err(|m| refused(key, format!("{}: {m}", label(form, key))))
}

/// An optional year of birth: empty is "not known", anything else must be a year.
pub fn optional_year(form: &Form) -> Result<Option<i32>, Invalid> {
    let text = form.value("birth_year");
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.trim().parse().map(Some).map_err(|_| {
        refused(
            "birth_year",
            format!(
                "{}: {} is not a year or year group: type e.g. 2012, Y9 (or Year 9), R for reception, or leave it empty",
                label(form, "birth_year"),
                crate::text::line(&text)
            ),
        )
    })
}

/// A date and time the person typed. Unparsable text is refused naming the field, never
/// replaced by "now".
pub fn datetime(form: &Form, key: &str, now: NaiveDateTime) -> Result<NaiveDateTime, Invalid> {
    parse_datetime(&form.value(key), now)
        .map_err(|m| refused(key, format!("{}: {m}", label(form, key))))
}

/// A stored date and time an edit form shows to the minute: while its field is untouched,
/// the stored value itself (seconds and all: a concern's exact time), so saving a form
/// nobody changed never rewrites it or records a change nobody made.
pub fn kept_datetime(
    form: &Form,
    key: &str,
    now: NaiveDateTime,
    stored: Option<NaiveDateTime>,
) -> Result<NaiveDateTime, Invalid> {
    match stored {
        Some(t) if form.field(key).is_some_and(Field::untouched) => Ok(t),
        _ => datetime(form, key, now),
    }
}

pub fn date(form: &Form, key: &str, now: NaiveDateTime) -> Result<NaiveDate, Invalid> {
    parse_date(&form.value(key), now.date())
        .map_err(|m| refused(key, format!("{}: {m}", label(form, key))))
}

/// A choice the form requires; an empty or unknown value is refused naming the field.
pub fn chosen<T: Copy + std::fmt::Debug>(form: &Form, all: &[T], key: &str) -> Result<T, Invalid> {
    pick(all, &form.value(key))
        .ok_or_else(|| refused(key, format!("{}: choose one", label(form, key))))
}

pub fn toggled(form: &Form, key: &str) -> bool {
    !form.value(key).is_empty()
}

/// Multi-line text as typed (not trimmed: its lines are the person's).
pub fn multiline(form: &Form, key: &str) -> String {
    form.field(key).map(Field::text).unwrap_or_default()
}

/// A form of one required multi-line reason (entered in error, re-open, not applicable).
pub fn reason_form(kind: FormKind, title: impl Into<String>, label: &'static str) -> Form {
    Form::new(
        kind,
        title,
        vec![Field::new("reason", label, FieldKind::Multiline).required()],
    )
}
