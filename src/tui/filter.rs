//! Filter-as-you-type, as the list and the people register use it: a line of text and
//! whether keys are typing into it. Its keys come from `keymap::FILTER`, which the help
//! and the hints read too.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap::{self, Action};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    /// Keys type into the filter (else they go to the screen).
    pub typing: bool,
}

/// What a key did to a filter being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    /// The text changed: the rows shown change, and the selection goes to the first.
    Changed,
    /// Typing ended; the text stays.
    Done,
    /// Not a key for the filter.
    Ignored,
}

impl Filter {
    pub fn handle(&mut self, ev: KeyEvent) -> Typed {
        match keymap::lookup(keymap::FILTER, &ev) {
            Some(Action::Cancel) => {
                self.text.clear();
                self.typing = false;
                return Typed::Changed;
            }
            Some(Action::Choose) => {
                self.typing = false;
                return Typed::Done;
            }
            Some(Action::DeleteBack) => {
                self.text.pop();
                return Typed::Changed;
            }
            _ => {}
        }
        match ev.code {
            KeyCode::Char(c)
                if !ev.modifiers.contains(KeyModifiers::CONTROL) && !c.is_control() =>
            {
                self.text.push(c);
                Typed::Changed
            }
            _ => Typed::Ignored,
        }
    }

    /// Shown at all: being typed, or holding text.
    pub fn shown(&self) -> bool {
        self.typing || !self.text.is_empty()
    }

    /// The text as drawn, with the cursor while typing.
    pub fn drawn(&self) -> String {
        let cursor = if self.typing { "_" } else { "" };
        format!("{}{cursor}", crate::text::line(&self.text))
    }
}
