//! The Concerns screen: staff concerns waiting in the inbox (when written, from whom,
//! first words, receipt), and any files the last look set aside, with why.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Row, Table, Wrap};

use crate::concern::first_words;
use crate::text::line;
use crate::tui::app::App;
use crate::tui::keymap::{self, Action};

/// How many wait, and the keys that take them in.
fn summary(app: &App) -> String {
    let waiting = app.concerns.waiting.len();
    if !app.concerns.looked {
        "Looking in the concern folder ...".to_string()
    } else if waiting == 0 {
        format!(
            "No new concerns · {}",
            keymap::hints(keymap::CONCERNS, &[Action::ReadInbox])
        )
    } else {
        format!(
            "{waiting} new · {}",
            keymap::hints(
                keymap::CONCERNS,
                &[
                    Action::Open,
                    Action::NewIncident,
                    Action::ConcernAddTo,
                    Action::ConcernNoAction,
                    Action::ReadInbox,
                ]
            )
        )
    }
}

/// The summary (wrapped, never cut at 80 columns), the table and the notes under it: one
/// layout for drawing and paging.
fn layout(area: Rect, app: &App) -> [Rect; 3] {
    let head = super::wrap_words(&summary(app), area.width)
        .len()
        .clamp(1, 2) as u16;
    let wrapped: usize = app
        .concerns
        .notes
        .iter()
        .map(|n| {
            super::wrap_words(&line(n), area.width.saturating_sub(2))
                .len()
                .max(1)
        })
        .sum();
    let notes_height = if app.concerns.notes.is_empty() {
        0
    } else {
        (wrapped as u16 + 2).min(area.height / 3)
    };
    Layout::vertical([
        Constraint::Length(head),
        Constraint::Min(3),
        Constraint::Length(notes_height),
    ])
    .areas(area)
}

/// Rows of concerns the table shows in `area`.
pub fn page(area: Rect, app: &App) -> usize {
    let [_, table_area, _] = layout(area, app);
    usize::from(table_area.height.saturating_sub(3))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, selected: usize) {
    let Some(book) = &app.book else { return };
    let folder = line(&book.settings.concern_inbox).into_owned();
    let notes: Vec<Line> = app
        .concerns
        .notes
        .iter()
        .map(|n| Line::styled(line(n).into_owned(), Style::new().yellow()))
        .collect();
    let [head, table_area, notes_area] = layout(area, app);
    let summary: Vec<Line> = super::wrap_words(&summary(app), head.width)
        .into_iter()
        .map(Line::raw)
        .collect();
    frame.render_widget(Paragraph::new(summary).dim(), head);

    let block = Block::bordered().title(format!(
        " Staff concerns in {folder} · {} ",
        keymap::hints(keymap::CONCERNS, &[Action::Back])
    ));
    let height = block.inner(table_area).height.saturating_sub(1) as usize;
    let start = selected.saturating_sub(height.saturating_sub(1));
    let rows: Vec<Row> = app
        .concerns
        .waiting
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(n, i)| {
            let c = &i.concern;
            let style = if n == selected {
                Style::new().add_modifier(Modifier::REVERSED)
            } else {
                Style::new()
            };
            Row::new(vec![
                crate::present::at(&c.written),
                line(&c.from()).into_owned(),
                first_words(&line(&c.what), 200),
                c.receipt.clone(),
            ])
            .style(style)
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(16),
            Constraint::Length(24),
            Constraint::Fill(1),
            Constraint::Length(11),
        ],
    )
    .header(Row::new(["Written", "From", "What was seen or heard", "Receipt"]).bold())
    .block(block);
    frame.render_widget(table, table_area);
    if !notes.is_empty() {
        frame.render_widget(
            Paragraph::new(notes)
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(" Set aside (not taken in) ")),
            notes_area,
        );
    }
}
