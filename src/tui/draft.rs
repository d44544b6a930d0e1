//! What survives a lock: a form in progress (and, if the last save failed, the unsaved
//! logbook), as RON encrypted with the logbook's own secret. Nothing typed is lost, and
//! nothing readable stays in the app while the lock screen shows.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::form::{Form, FormKind};
use super::forms;
use crate::model::Logbook;

#[derive(Serialize, Deserialize)]
pub struct Draft {
    /// The logbook, only when its last save failed (so the change is not lost).
    pub book: Option<Logbook>,
    pub form: Option<DraftForm>,
}

#[derive(Serialize, Deserialize)]
pub struct DraftForm {
    pub kind: FormKind,
    pub focus: usize,
    /// (field key, text, chosen option)
    pub fields: Vec<(String, String, Option<usize>)>,
}

pub fn capture(form: &Form) -> DraftForm {
    DraftForm {
        kind: form.kind.clone(),
        focus: form.focus,
        fields: form
            .fields
            .iter()
            .map(|f| (f.key.to_string(), f.text(), f.chosen))
            .collect(),
    }
}

/// Rebuilds the form and puts back what was typed and chosen.
pub fn restore(draft: DraftForm, book: &Logbook, who: &str, now: NaiveDateTime) -> Option<Form> {
    let mut form = forms::rebuild(&draft.kind, book, who, now)?;
    for (key, text, chosen) in draft.fields {
        if let Some(f) = form.fields.iter_mut().find(|f| f.key == key) {
            if f.is_text() {
                // The cursor goes to the end: typing after unlocking continues the text
                // rather than going in front of it.
                f.set_text(&text);
            }
            f.chosen = chosen;
        }
    }
    form.focus = draft.focus.min(form.fields.len().saturating_sub(1));
    form.dirty = true;
    forms::refresh_notice(&mut form);
    Some(form)
}
