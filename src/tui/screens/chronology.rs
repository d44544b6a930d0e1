//! A person's chronology: every event of every incident they are part of, in order
//! (`model::chronology`), and the row selected.

use super::{Ctx, Go, Screen, Section, move_selection};
use crate::tui::keymap::Action;

/// An action of the chronology's table, on `person`'s events with row `selected`.
pub fn handle(ctx: &Ctx, person: &str, selected: usize, action: Action) -> Option<Go> {
    let events = crate::model::chronology::events(ctx.book, person);
    match action {
        Action::Back => Some(Go::Pop),
        Action::Open => events.get(selected).map(|e| {
            Go::Push(Screen::Detail {
                id: e.incident.clone(),
                section: Section::Summary,
                selected: 0,
            })
        }),
        _ => Some(Go::Set(Screen::Chronology {
            person: person.to_string(),
            selected: move_selection(selected, events.len(), action, ctx.page),
        })),
    }
}
