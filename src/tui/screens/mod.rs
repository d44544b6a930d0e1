//! The screens under the overlays, one module each. A screen's key handling reads the
//! logbook through a [`Ctx`], changes the screen's own state, and returns what only the app
//! can do ([`Go`]: open a screen, a form or a pop-up, say something, work the list out
//! again), which `App::go` carries out. The overlays over them (`help`, `popup`, `picker`,
//! the form, `backup_dialog`) are components in the same way.

pub mod chronology;
pub mod detail;
pub mod history;
pub mod list;
pub mod people;
pub mod unlock;

use chrono::NaiveDateTime;

use super::filter::Filter;
use super::form::Form;
use super::keymap::Action;
use super::popup::Popup;
use crate::model::Logbook;

/// The incident screen's sections are the record's parts, as `present` names them.
pub use crate::present::Section;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    List,
    Detail {
        id: String,
        section: Section,
        selected: usize,
    },
    /// The people register, and its filter.
    People {
        selected: usize,
        filter: Filter,
    },
    Chronology {
        person: String,
        selected: usize,
    },
    /// Staff concerns waiting in the inbox (`tui::concerns`).
    Concerns {
        selected: usize,
    },
    /// Anonymised figures; `period` indexes `records::PERIODS`; `scroll`: the first row
    /// shown of the figures under the charts, which scroll (at 80x24 most are below).
    Statistics {
        period: usize,
        scroll: usize,
    },
    /// Every incident's retention date.
    Retention {
        selected: usize,
    },
    /// The logbook's history: its audit entries, all or of one kind (`present::trail`).
    /// `selected` counts the entries shown; past the last it is the last (it opens there).
    History {
        selected: usize,
        kind: Option<crate::present::trail::Kind>,
    },
}

/// What a screen's key handling reads: the logbook and who records, the clock, and how many
/// rows a page of the screen holds at the terminal's size (`view::page`).
pub struct Ctx<'a> {
    pub book: &'a Logbook,
    pub who: &'a str,
    pub now: NaiveDateTime,
    pub page: usize,
}

/// What a screen asks of the app after a key.
pub enum Go {
    /// Open this screen over the current one.
    Push(Screen),
    /// Back to the screen beneath.
    Pop,
    /// The screen on top, changed (another section, row or filter).
    Set(Screen),
    Form(Form),
    Popup(Popup),
    /// A message for the status bar.
    Say(String),
    /// The list's rows are worked out again (its view or sort changed).
    Refresh,
    /// The same, keeping the incident selected (its filter changed).
    RefreshKeepingSelection,
    /// The people register's filter is cleared, keeping the person selected.
    ClearPeopleFilter,
    OpenConcerns,
    /// Tick this checklist step of this incident as done now.
    TickStep {
        id: String,
        step: usize,
    },
}

/// Whether the action moves a selection (or a scroll): the movement keys every list has.
pub fn moves(action: Action) -> bool {
    matches!(
        action,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
    )
}

/// The selection after a movement key in a list of `len` rows, `page` rows a page.
pub fn move_selection(selected: usize, len: usize, action: Action, page: usize) -> usize {
    let last = len.saturating_sub(1);
    match action {
        Action::Up => selected.saturating_sub(1),
        Action::Down => (selected + 1).min(last),
        Action::PageUp => selected.saturating_sub(page),
        Action::PageDown => (selected + page).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => selected,
    }
}
