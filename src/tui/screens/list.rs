//! The incident list: which incidents it shows (its view tab, filter and sort), which is
//! selected, and the keys that change them.

use ratatui::crossterm::event::KeyEvent;

use super::{Ctx, Go, Screen, Section, move_selection, moves};
use crate::model::*;
use crate::tui::app::App;
use crate::tui::filter::{Filter, Typed};
use crate::tui::forms;
use crate::tui::keymap::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Open,
    Due,
    Closed,
    All,
}

impl View {
    pub const ALL: [View; 4] = [View::Open, View::Due, View::Closed, View::All];
    pub fn label(self) -> &'static str {
        match self {
            View::Open => "Open",
            View::Due => "Reviews due",
            View::Closed => "Closed",
            View::All => "All",
        }
    }

    /// The list's action that shows this view: its key goes on the tab.
    pub fn action(self) -> Action {
        match self {
            View::Open => Action::ViewOpen,
            View::Due => Action::ViewDue,
            View::Closed => Action::ViewClosed,
            View::All => Action::ViewAll,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Date,
    Risk,
    NextReview,
}

impl Sort {
    pub fn label(self) -> &'static str {
        match self {
            Sort::Date => "newest first",
            Sort::Risk => "highest risk first",
            Sort::NextReview => "next review first",
        }
    }
}

/// The incident list's view, filter, sort and selection.
#[derive(Debug, Clone)]
pub struct ListState {
    pub view: View,
    pub filter: Filter,
    pub sort: Sort,
    pub selected: usize,
    /// Indices into `logbook.incidents` of the rows shown, in order.
    pub rows: Vec<usize>,
    /// What the filter found, kept between keystrokes.
    pub found: crate::model::query::Narrowing<(View, Sort, chrono::NaiveDate)>,
}

impl ListState {
    /// An action of the list's table.
    pub fn handle(&mut self, action: Action, ctx: &Ctx) -> Option<Go> {
        match action {
            _ if moves(action) => {
                self.selected = move_selection(self.selected, self.rows.len(), action, ctx.page);
                None
            }
            Action::Open => {
                let n = self.rows.get(self.selected)?;
                Some(Go::Push(Screen::Detail {
                    id: ctx.book.incidents[*n].id.clone(),
                    section: Section::Summary,
                    selected: 0,
                }))
            }
            Action::Filter => {
                self.filter.typing = true;
                None
            }
            Action::ViewOpen | Action::ViewDue | Action::ViewClosed | Action::ViewAll => {
                self.view = match action {
                    Action::ViewOpen => View::Open,
                    Action::ViewDue => View::Due,
                    Action::ViewClosed => View::Closed,
                    _ => View::All,
                };
                self.selected = 0;
                Some(Go::Refresh)
            }
            Action::CycleSort => {
                self.sort = match self.sort {
                    Sort::Date => Sort::Risk,
                    Sort::Risk => Sort::NextReview,
                    Sort::NextReview => Sort::Date,
                };
                Some(Go::Refresh)
            }
            Action::NewIncident => {
                Some(Go::Form(forms::incident(ctx.book, ctx.who, ctx.now, None)))
            }
            Action::PeopleRegister => Some(Go::Push(Screen::People {
                selected: 0,
                filter: Filter::default(),
            })),
            Action::Concerns => Some(Go::OpenConcerns),
            Action::Statistics => Some(Go::Push(Screen::Statistics {
                period: 0,
                scroll: 0,
            })),
            Action::Retention => Some(Go::Push(Screen::Retention { selected: 0 })),
            Action::History => Some(Go::Push(super::history::opened())),
            Action::Settings => {
                let mut form = forms::settings(ctx.book);
                form.notice = Some(crate::tui::holders::who_can_open(&ctx.book.settings));
                Some(Go::Form(form))
            }
            Action::Back => {
                self.filter.text.clear();
                Some(Go::RefreshKeepingSelection)
            }
            _ => None,
        }
    }

    /// A key while the filter is being typed: the keys are text.
    pub fn type_key(&mut self, ev: KeyEvent) -> Option<Go> {
        (self.filter.handle(ev) == Typed::Changed).then_some(Go::RefreshKeepingSelection)
    }
}

impl App {
    /// Recomputes the list's rows after the logbook, view, filter or sort changed.
    pub fn refresh(&mut self) {
        let Some(book) = &self.book else {
            self.list.rows.clear();
            return;
        };
        let today = self.today();
        let soon = today + chrono::Duration::days(14);
        let (view, sort) = (self.list.view, self.list.sort);
        // The view's rows in order, then those the filter finds (kept between keystrokes).
        let rows = self
            .list
            .found
            .rows(book, (view, sort, today), &self.list.filter.text, || {
                // Cases with no review booked first, then by date, highest risk first.
                if view == View::Due {
                    return crate::model::query::reviews_due(book, soon);
                }
                let mut rows: Vec<usize> = book
                    .incidents
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| match view {
                        // An incident entered in error is no case to work on: it stays
                        // in All (and Closed, if it was closed), marked in words.
                        View::Open => i.status != Status::Closed && i.error.is_none(),
                        // Listed by `query::reviews_due` above.
                        View::Due => false,
                        View::Closed => i.status == Status::Closed,
                        View::All => true,
                    })
                    .map(|(n, _)| n)
                    .collect();
                let incidents = &book.incidents;
                match (sort, view) {
                    (Sort::NextReview, _) | (_, View::Due) => rows
                        .sort_by_cached_key(|n| crate::model::query::review_order(&incidents[*n])),
                    (Sort::Risk, _) => rows.sort_by_key(|n| {
                        (
                            std::cmp::Reverse(incidents[*n].risk_level),
                            std::cmp::Reverse(incidents[*n].reported),
                        )
                    }),
                    (Sort::Date, _) => rows.sort_by(|a, b| {
                        let (a, b) = (&incidents[*a], &incidents[*b]);
                        (b.reported, &b.id).cmp(&(a.reported, &a.id))
                    }),
                }
                rows
            });
        self.list.rows = rows;
        self.list.selected = self
            .list
            .selected
            .min(self.list.rows.len().saturating_sub(1));
    }

    /// Recomputes the list after its filter changed: the incident that was selected stays
    /// selected if it is still shown (else the first row), so clearing a filter never
    /// moves the selection to another record.
    pub(in crate::tui) fn refresh_keeping_selection(&mut self) {
        let kept = self.list.rows.get(self.list.selected).copied();
        self.refresh();
        self.list.selected = kept
            .and_then(|n| self.list.rows.iter().position(|r| *r == n))
            .unwrap_or(0);
    }
}
