//! The people forms: add a person to the register (`register_person`), edit one
//! (`edit_person`, the same fields filled), link a person to an incident (`link_person`, or
//! `link_new_person` with the new person's fields), mark one entered in error, and the
//! "possibly already in the register" warning given once before adding.

use super::super::form::*;
use super::fields::*;
use crate::model::*;

/// The fields that describe a person, as the register form and a new person linked from
/// an incident both ask them.
fn reference(label: &'static str) -> Field {
    Field::new("reference", label, FieldKind::Text)
}

fn age_group() -> Field {
    Field::new(
        "age_group",
        "Age group",
        choices(AgeGroup::ALL, AgeGroup::label),
    )
    .with_choice("Child")
}

fn birth_year() -> Field {
    Field::new("birth_year", "Year of birth or group (Y9)", FieldKind::Text)
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
            // Needed only for a new person: the model refuses a link to nobody.
            reference("New person's reference (initials or first name + year)"),
            age_group(),
            birth_year(),
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

pub fn submit_link(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
) -> Result<String, Invalid> {
    let role = chosen(form, Role::ALL, "role")?;
    let person = form.value("person");
    if !person.is_empty() {
        book.link_person(stamp, id, &person, role)?;
        return Ok(format!("{person} linked to {id}."));
    }
    if form.value("reference").is_empty() {
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

pub fn new_person() -> Form {
    Form::new(
        FormKind::NewPerson,
        "Add a person to the register",
        vec![
            reference("Reference (initials or first name + year)").required(),
            age_group().required(),
            birth_year(),
            Field::new("notes", "Notes", FieldKind::Multiline),
        ],
    )
}

pub fn submit_new(form: &Form, book: &mut Logbook, stamp: &Stamp) -> Result<String, Invalid> {
    let id = book.register_person(stamp, person_details(form)?)?;
    Ok(format!("{id} added to the register."))
}

/// The person form filled from the register, to correct a reference, age group or year.
pub fn edit_person(person: &Person) -> Form {
    let mut form = new_person();
    form.kind = FormKind::EditPerson(person.id.clone());
    form.title = format!("Edit {}", person.id);
    let year = person
        .birth_year
        .map_or_else(|| person.year_group.clone(), |y| y.to_string());
    form.fill("reference", |f| f.with_text(&person.reference));
    form.fill("age_group", |f| f.with_choice(&value_of(person.age_group)));
    form.fill("birth_year", |f| f.with_text(&year));
    form.fill("notes", |f| f.with_text(&person.notes));
    form
}

pub fn submit_edit(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
) -> Result<String, Invalid> {
    book.edit_person(stamp, id, person_details(form)?)?;
    Ok(format!("{id} updated."))
}

/// Names the person by reference too, not the number alone, so a wrong selection shows.
pub fn person_error(person: &Person) -> Form {
    let id = &person.id;
    reason_form(
        FormKind::PersonError(id.to_string()),
        format!(
            "Mark {id} {} as entered in error",
            crate::text::line(&person.reference)
        ),
        "Reason (the person stays, struck through)",
    )
}

pub fn submit_error(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
) -> Result<String, Invalid> {
    book.mark_person_in_error(stamp, id, &form.value("reason"))?;
    Ok(format!(
        "{id} marked entered in error; the person stays visible, struck through."
    ))
}

/// `x` on a person already marked entered in error: the mark withdrawn, with a reason.
pub fn withdraw_error(person: &Person) -> Form {
    let id = &person.id;
    let mut form = reason_form(
        FormKind::WithdrawPersonError(id.to_string()),
        format!(
            "Withdraw the entered-in-error mark on {id} {}",
            crate::text::line(&person.reference)
        ),
        "Reason (kept in the history)",
    );
    form.notice = person
        .error
        .as_ref()
        .map(|m| super::close::withdraw_notice(id, m));
    form
}

pub fn submit_withdraw(
    form: &Form,
    book: &mut Logbook,
    stamp: &Stamp,
    id: &str,
) -> Result<String, Invalid> {
    book.withdraw_person_error(stamp, id, &form.value("reason"))?;
    Ok(format!(
        "{id} is no longer marked entered in error; the history keeps the mark and the reason."
    ))
}

fn person_details(form: &Form) -> Result<PersonDetails, Invalid> {
    // The one field takes a year of birth or, where that is not known, a year group.
    let (birth_year, year_group) = match year_group(&form.value("birth_year")) {
        Some(group) => (None, group),
        None => (optional_year(form)?, String::new()),
    };
    Ok(PersonDetails {
        reference: typed_name(form, "reference"),
        age_group: chosen(form, AgeGroup::ALL, "age_group")?,
        birth_year,
        year_group,
        notes: multiline(form, "notes"),
    })
}

/// A name typed in a one-line field, in one Unicode form (tester4 #10: "Siân" typed
/// decomposed looked the same and was another name to every filter and comparison). An
/// untouched field keeps the stored bytes, so saving a form nobody changed changes nothing.
pub(super) fn typed_name(form: &Form, key: &str) -> String {
    let value = form.value(key);
    if form.field(key).is_some_and(Field::untouched) {
        return value;
    }
    crate::text::nfc(&value).into_owned()
}

/// Once an existing person is chosen, no new person is added: a "possibly already in the
/// register" warning about the new person's fields no longer applies, and goes (with its
/// mark beside the reference), so Ctrl-S is not said to add anyone.
pub fn refresh_notice(form: &mut Form) {
    if form.value("person").is_empty() || form.warned.take().is_none() {
        return;
    }
    form.error = None;
    if let Some(f) = form.field_mut("reference") {
        f.error = None;
    }
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
    let key = |action| super::super::keymap::key_for(super::super::keymap::FORM, action);
    let again = key(super::super::keymap::Action::Submit);
    let instead = if linking {
        "or choose them in Person instead".to_string()
    } else {
        format!(
            "or {} and link the one already there",
            key(super::super::keymap::Action::Cancel)
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
