//! The people register: each person once, with how many incidents name them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::widgets::{Block, Row, Table};

use crate::text::line;
use crate::tui::app::App;

pub fn draw(frame: &mut Frame, area: Rect, app: &mut App, selected: usize) {
    let Some(book) = &app.book else { return };
    let block = Block::bordered().title(" People register · Enter chronology · a add · Esc back ");
    let height = block.inner(area).height.saturating_sub(1) as usize;
    app.page = height.max(1);
    let start = selected.saturating_sub(height.saturating_sub(1));
    // A child protection file sent and not yet acknowledged (UK guidance: five school days).
    let pending = book.pending_transfers();
    let rows: Vec<Row> = book
        .people
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(n, p)| {
            let count = book
                .incidents
                .iter()
                .filter(|i| i.people.iter().any(|x| x.person == p.id))
                .count();
            let mut style = Style::new();
            if p.error.is_some() {
                style = style.add_modifier(Modifier::CROSSED_OUT);
            }
            if n == selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            Row::new(vec![
                p.id.clone(),
                match pending.get(p.id.as_str()) {
                    Some(e) => format!(
                        "{} · file sent {}, not acknowledged",
                        line(&p.reference),
                        e.at.format("%Y-%m-%d")
                    ),
                    None => line(&p.reference).into_owned(),
                },
                p.age_group.label().to_string(),
                p.birth_year.map_or_else(String::new, |y| y.to_string()),
                count.to_string(),
            ])
            .style(style)
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(8),
            Constraint::Fill(1),
            Constraint::Length(20),
            Constraint::Length(6),
            Constraint::Length(9),
        ],
    )
    .header(Row::new(["Id", "Reference", "Age group", "Born", "Incidents"]).bold())
    .block(block);
    frame.render_widget(table, area);
}
