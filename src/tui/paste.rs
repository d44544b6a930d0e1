//! Pasted text (the terminal's bracketed paste, `Event::Paste`): one message, delivered as
//! text to whatever has the keyboard, never as keys. Typed keys would act: a tab in a
//! paste moved to the next field and the rest overwrote it (a pre-filled date), a line
//! break would submit or move on. Where nothing takes text, a paste does nothing.

use super::app::{App, Layer, Phase, Screen};
use super::backup_dialog::BackupStep;
use super::form::FieldKind;
use super::picker::Picker;

/// Text for a one-line filter (the list's, a picker's): line breaks and tabs as spaces,
/// other control characters left out, since a filter only narrows what is shown.
fn filter_text(text: &str) -> String {
    super::editor::pasted(text, false, false)
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

impl App {
    /// Feeds one paste to the app.
    pub fn paste(&mut self, text: &str) {
        self.last_key = self.now;
        if self.creating {
            return;
        }
        match self.phase {
            Phase::Unlock => {
                let unlock = &mut self.unlock;
                let field = if unlock.key_mode && unlock.key_focus {
                    &mut unlock.key_file
                } else {
                    &mut unlock.passphrase
                };
                if field.input.paste(text) {
                    // The refusal of what was there before is about something else now.
                    unlock.error = None;
                    self.quit_warned = false;
                }
                return;
            }
            Phase::Unlocking => return,
            Phase::Setup | Phase::ChooseWho | Phase::Ready => {}
        }
        match self.top() {
            Layer::Help => {}
            Layer::Picker => {
                if let Some(picker) = &mut self.picker {
                    filter_text(text).chars().for_each(|c| picker.type_char(c));
                }
            }
            Layer::Form => self.paste_into_form(text),
            Layer::Backup => {
                if let Some(BackupStep::Choose {
                    volumes,
                    selected,
                    folder,
                }) = &mut self.backup
                    && *selected == volumes.len()
                    && folder.input.paste(text)
                {
                    folder.error = None;
                }
            }
            Layer::Popup | Layer::Screen => self.paste_into_filter(text),
        }
    }

    /// Into the focused field: as text into a text field, as the filter of a choice's
    /// picker (as typing does), nowhere for a yes/no.
    fn paste_into_form(&mut self, text: &str) {
        let Some(form) = &mut self.form else { return };
        if form.confirm_discard || form.asking_keep().is_some() {
            return;
        }
        let focus = form.focus;
        let field = &mut form.fields[focus];
        match &field.kind {
            FieldKind::Choice(options) => {
                let mut picker = Picker::new(field.label, options.clone(), focus, field.chosen);
                filter_text(text).chars().for_each(|c| picker.type_char(c));
                self.picker = Some(picker);
            }
            FieldKind::Toggle => {}
            _ => {
                if field.input.paste(text) {
                    field.error = None;
                    form.dirty = true;
                }
            }
        }
    }

    /// Into the list's or the people register's filter, while it is being typed.
    fn paste_into_filter(&mut self, text: &str) {
        if self.popup.is_some() {
            return;
        }
        match self.screens.last_mut() {
            Some(Screen::List) | None if self.list.filter.typing => {
                self.list.filter.text.push_str(&filter_text(text));
                self.refresh_keeping_selection();
            }
            Some(Screen::People { filter, .. }) if filter.typing => {
                let before = self.people_rows();
                if let Some(Screen::People { filter, .. }) = self.screens.last_mut() {
                    filter.text.push_str(&filter_text(text));
                }
                self.keep_person_selected(&before);
            }
            _ => {}
        }
    }
}
