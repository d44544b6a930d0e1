//! Refusals the model words for the app's forms ("... is required: fill it in", "choose an
//! incident from the list"), reworded for the command line, where there is no field to fill
//! in and no list to choose from (tester2 #35). The model's wording, and so the app's, is
//! left as it is: only what reaches the command line is reworded, here, in one place.

use std::path::Path;

use crate::error::Error;
use crate::model::Invalid;

/// Where a command's values came from, to say where a missing or wrong one goes.
pub enum Given<'a> {
    /// Options: each field the model may refuse (its name in `Invalid::field`) with the
    /// option that gives it.
    Options(&'a [(&'a str, &'a str)]),
    /// A file being imported.
    File(&'a Path),
}

/// `e` in command-line words when it is a form's refusal; any other error as it was.
pub fn reword(e: Error, given: Given<'_>) -> Error {
    match e {
        Error::Invalid(invalid) => Error::Invalid(reword_invalid(invalid, given)),
        other => other,
    }
}

/// The refusal's message in command-line words (its field kept).
pub fn reword_invalid(invalid: Invalid, given: Given<'_>) -> Invalid {
    let message = reworded(&invalid, &given).unwrap_or(invalid.message);
    Invalid {
        field: invalid.field,
        message,
    }
}

fn reworded(invalid: &Invalid, given: &Given<'_>) -> Option<String> {
    let message = invalid.message.trim_end_matches('.');
    // `people[P-0003].name`: the last part names the field.
    let field = invalid.field.rsplit('.').next().unwrap_or(&invalid.field);
    let option = match given {
        Given::Options(options) => options.iter().find(|(f, _)| *f == field).map(|(_, o)| *o),
        Given::File(_) => None,
    };
    let give = |what: &str| match (given, option) {
        (Given::File(file), _) => format!(
            "{what}: add it to {} and import it again",
            crate::text::path(file)
        ),
        (_, Some(option)) => format!("{what}: give it after {option}"),
        (_, None) => format!("{what}: give it on the command line"),
    };
    if let Some(what) = message.strip_suffix(" is required: fill it in") {
        return Some(give(&format!("{what} is required")));
    }
    if let Some(head) = message.strip_suffix(": choose an incident from the list") {
        return Some(format!("{head}: `logbook list` shows the numbers"));
    }
    if let Some(head) = message.strip_suffix(": choose one from the list") {
        return Some(format!(
            "{head}: `logbook show` with the incident's number lists them"
        ));
    }
    if let Some(head) = message.strip_suffix(": re-open it first, or record a new incident") {
        return Some(format!(
            "{head}: re-open it in the app first, or give an open incident (`logbook list --status open` shows them)"
        ));
    }
    // "Say why ...": say with which option.
    if message.starts_with("Say ") && option.is_some() {
        return Some(give(message));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(field: &str, message: &str) -> Invalid {
        Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    #[test]
    fn form_words_become_command_line_words() {
        let take = Given::Options(&[("incident", "--add-to"), ("reason", "--no-further-action")]);
        let r = |i| {
            reword_invalid(
                i,
                Given::Options(&[("incident", "--add-to"), ("reason", "--no-further-action")]),
            )
            .message
        };
        assert_eq!(
            r(refused(
                "reason",
                "Why no further action is needed is required: fill it in"
            )),
            "Why no further action is needed is required: give it after --no-further-action"
        );
        assert_eq!(
            r(refused(
                "incident",
                "INC-2026-0099 is not in the logbook: choose an incident from the list"
            )),
            "INC-2026-0099 is not in the logbook: `logbook list` shows the numbers"
        );
        assert_eq!(
            reword_invalid(
                refused("what", "What happened is required: fill it in"),
                take
            )
            .message,
            "What happened is required: give it on the command line"
        );
        assert_eq!(
            reword_invalid(
                refused(
                    "incidents[INC-2025-0001].description",
                    "INC-2025-0001: A factual description is required: fill it in"
                ),
                Given::File(Path::new("records.ron"))
            )
            .message,
            "INC-2025-0001: A factual description is required: add it to records.ron and import it again"
        );
        // Anything else is left as the model said it.
        assert_eq!(
            r(refused("incident", "INC-2026-0001 is in the future")),
            "INC-2026-0001 is in the future"
        );
    }
}
