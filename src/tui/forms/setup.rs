//! The set-up form: the organisation, who is recording, and a key file or a passphrase typed
//! twice. The app creates the logbook from it (`tui::create`); nothing here writes a file.

use super::super::form::*;

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
            // Before the passphrase fields, so a passphrase typed on after a refusal never
            // lands in a clear-text field beside them.
            Field::new(
                "identity",
                "Key file from `logbook keygen` (or leave empty and choose a passphrase)",
                FieldKind::Text,
            ),
            // With a key file, the one passphrase field is the key file's (tester3 #35):
            // the labels say so, as the lock screen does.
            Field::new(
                "passphrase",
                "Passphrase (with a key file: its passphrase, if it has one)",
                FieldKind::Secret,
            ),
            Field::new(
                "repeat",
                "Repeat passphrase (not needed with a key file)",
                FieldKind::Secret,
            ),
        ],
    );
    form.notice = Some(
        "Choose a passphrase of a few unrelated words, or give a key file made by \
         `logbook keygen`."
            .into(),
    );
    form
}

/// A passphrase's strength as the set-up form shows it while it is typed: the same measure
/// (`crate::strength`) that `logbook init` and `passwd` refuse a weak one by.
pub fn strength(form: &Form, pass: &str) -> &'static str {
    let names = names(form);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    crate::strength::label_with(pass, &names)
}

/// The names typed in the set-up form (the organisation's, the recorder's): a passphrase
/// built on them is easy to guess for anyone who knows the school.
pub fn names(form: &Form) -> Vec<String> {
    ["organisation", "who"]
        .into_iter()
        .map(|key| form.value(key))
        .filter(|v| !v.is_empty())
        .collect()
}
