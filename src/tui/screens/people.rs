//! The people register: the people recorded, filtered as typed, the row selected, and
//! the keys that open, add, edit or export a person.

use ratatui::crossterm::event::KeyEvent;

use super::{Ctx, Go, Screen, move_selection};
use crate::tui::app::App;
use crate::tui::filter::{Filter, Typed};
use crate::tui::forms;
use crate::tui::keymap::Action;

/// An action of the register's table: `rows` are the people shown (`App::people_rows`),
/// `selected` counts them, `filter` is the register's.
pub fn handle(
    ctx: &Ctx,
    rows: &[usize],
    selected: usize,
    filter: &Filter,
    action: Action,
) -> Option<Go> {
    let person = rows.get(selected).and_then(|n| ctx.book.people.get(*n));
    match action {
        Action::Back if !filter.text.is_empty() => Some(Go::ClearPeopleFilter),
        Action::Back => Some(Go::Pop),
        Action::Filter => Some(Go::Set(Screen::People {
            selected,
            filter: Filter {
                typing: true,
                ..filter.clone()
            },
        })),
        Action::Chronology => person.map(|p| {
            Go::Push(Screen::Chronology {
                person: p.id.clone(),
                selected: 0,
            })
        }),
        Action::NewPerson => Some(Go::Form(forms::new_person())),
        Action::History => Some(Go::Push(super::history::opened())),
        // The person on the selected row (`selected` counts the rows shown).
        Action::Export => crate::tui::records::export_form(ctx.book, &person?.id).map(Go::Form),
        Action::EditPerson => person.map(|p| Go::Form(forms::edit_person(p))),
        // On a person already marked, `x` withdraws the mark (one marked by mistake).
        Action::MarkError => person.map(|p| {
            Go::Form(if p.error.is_some() {
                forms::withdraw_person_error(p)
            } else {
                forms::person_error(p)
            })
        }),
        _ => Some(Go::Set(Screen::People {
            selected: move_selection(selected, rows.len(), action, ctx.page),
            filter: filter.clone(),
        })),
    }
}

impl App {
    /// Indices into `logbook.people` of the register's rows: all, or those matching its
    /// filter (reference, number, year of birth or group, notes).
    pub fn people_rows(&self) -> Vec<usize> {
        let Some(book) = &self.book else {
            return Vec::new();
        };
        let needle = match self.screen() {
            Screen::People { filter, .. } => filter.text.to_lowercase(),
            _ => String::new(),
        };
        book.people
            .iter()
            .enumerate()
            .filter(|(_, p)| crate::model::query::person_matches(p, &needle))
            .map(|(n, _)| n)
            .collect()
    }

    /// After the people register's filter changed (`before`: its rows until then): the
    /// person who was selected stays selected if still shown, else the first row.
    pub(in crate::tui) fn keep_person_selected(&mut self, before: &[usize]) {
        let rows = self.people_rows();
        if let Some(Screen::People { selected, .. }) = self.screens.last_mut() {
            *selected = before
                .get(*selected)
                .and_then(|n| rows.iter().position(|r| r == n))
                .unwrap_or(0);
        }
    }

    /// A key while the register's filter is being typed: the keys are text.
    pub(in crate::tui) fn people_filter_key(&mut self, ev: KeyEvent) {
        let before = self.people_rows();
        if let Some(Screen::People { filter, .. }) = self.screens.last_mut()
            && filter.handle(ev) == Typed::Changed
        {
            self.keep_person_selected(&before);
        }
    }
}
