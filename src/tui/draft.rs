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
    /// Who was recording when the app locked: whoever unlocks next is asked before
    /// someone else's draft becomes theirs (`App::ask_whose_draft`).
    #[serde(default)]
    pub by: String,
    /// Others whose draft it already was, kept by `by` (`Form::drafted_by`).
    #[serde(default)]
    pub drafted_by: Vec<String>,
}

/// The form as it stands, typed by `who` (the one recording). A question about another's
/// draft not yet answered stays asked: the draft is still theirs.
pub fn capture(form: &Form, who: &str) -> DraftForm {
    DraftForm {
        by: form.asking_keep().unwrap_or(who).to_string(),
        drafted_by: form.drafted_by().to_vec(),
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
    form.drafters = Some(Box::new(super::form::Drafters {
        of: Some(draft.by).filter(|by| !by.is_empty()),
        asking: None,
        kept: draft.drafted_by,
    }));
    forms::refresh_notice(&mut form);
    Some(form)
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyCode;

    use super::super::app::App;
    use super::super::tests::{ctrl, demo_app, keys, press, render, snap};
    use crate::model::*;

    /// The loop's lock and an unlock by the holder `holder`: the form is kept as a draft
    /// and rebuilt, and the app told who opened it.
    fn lock_and_unlock_as(app: &mut App, holder: &str) {
        let draft = super::capture(app.form.as_ref().unwrap(), &app.who);
        let book = app.book.clone().unwrap();
        app.locked(None);
        app.holder = Some(holder.to_string());
        let form = super::restore(draft, &book, &app.who, app.now);
        app.unlocked(Ok((book, form)));
    }

    /// A new incident half typed by RO: the description and who reported it.
    fn half_typed(app: &mut App) {
        press(app, KeyCode::Char('n'));
        let form = app.form.as_mut().unwrap();
        form.field_mut("reported_by")
            .unwrap()
            .set_text("Form tutor");
        form.field_mut("description")
            .unwrap()
            .set_text("ZY was sent a self-harm video on TikTok.");
        form.dirty = true;
    }

    /// Tester3 #32: a form R. Okafor was filling in when the app locked reopened for J.
    /// Patel, who unlocked next with their own key, and was saved as J. Patel's alone.
    #[test]
    fn another_holders_draft_is_asked_about_and_saved_as_drafted_by_them() {
        let mut app = demo_app();
        half_typed(&mut app);
        lock_and_unlock_as(&mut app, "KW");
        assert_eq!(app.who, "KW");
        let form = app.form.as_ref().expect("the draft reopens");
        assert_eq!(form.asking_keep(), Some("RO"));
        snap("keep-draft-of-another", &mut app);
        // Nothing typed reaches the form until the question is answered.
        keys(&mut app, "xyz");
        press(&mut app, KeyCode::Tab);
        assert_eq!(
            app.form.as_ref().unwrap().value("description"),
            "ZY was sent a self-harm video on TikTok."
        );
        press(&mut app, KeyCode::Char('k'));
        let form = app.form.as_mut().unwrap();
        assert!(form.asking_keep().is_none());
        form.field_mut("types").unwrap().chosen = Some(0);
        ctrl(&mut app, 's');
        let book = app.book.as_ref().unwrap();
        let super::super::app::Screen::Detail { id, .. } = app.screen().clone() else {
            panic!("the incident recorded opens: {:?}", app.message);
        };
        assert_eq!(book.incident(&id).unwrap().recorded_by, "KW");
        let last = book.audit.last().unwrap();
        assert_eq!(last.subject, Subject::Incident(id.clone()));
        assert_eq!(last.by, "KW");
        assert!(
            last.action.starts_with("drafted by RO:") && last.action.ends_with("saved by KW"),
            "{}",
            last.action
        );
        assert!(app.message.as_deref().unwrap().contains("drafted by RO"));
        book.verify_audit().unwrap();
        // `show` and the incident's History list it with the incident's other entries.
        assert!(
            crate::present::history(book, book.incident(&id).unwrap())
                .any(|e| e.action.starts_with("drafted by RO"))
        );
    }

    #[test]
    fn another_holders_draft_can_be_discarded_and_ones_own_is_not_asked_about() {
        let mut app = demo_app();
        half_typed(&mut app);
        let entries = app.book.as_ref().unwrap().audit.len();
        lock_and_unlock_as(&mut app, "KW");
        press(&mut app, KeyCode::Char('d'));
        assert!(app.form.is_none());
        assert!(
            app.message
                .as_deref()
                .unwrap()
                .contains("RO's draft is discarded")
        );
        // Only the hand-over to KW went into the trail.
        assert_eq!(app.book.as_ref().unwrap().audit.len(), entries + 1);

        // The same holder unlocks: their own form, no question, nothing extra recorded.
        let mut app = demo_app();
        half_typed(&mut app);
        lock_and_unlock_as(&mut app, "RO");
        let form = app.form.as_ref().unwrap();
        assert!(form.asking_keep().is_none() && form.drafted_by().is_empty());
        assert!(!render(&mut app, 100, 30).contains("when the app locked"));
    }
}
