//! The Retention screen: every incident with the date it is kept until and the rule that
//! sets it; closed records past their date are marked due, and those whose date cannot be
//! worked out say what is missing. D on a due record opens the disposal form (`forms::dispose`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};

use crate::model::{Status, Until};
use crate::present;
use crate::text::line;
use crate::tui::app::App;
use crate::tui::keymap::{self, Action};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, selected: usize) {
    let Some(book) = &app.book else { return };
    let today = app.now.date();
    let schedule = app.retention_rows.of(book, today);
    let due = schedule.iter().filter(|r| r.due).count();
    let title = format!(
        " Retention · {due} due for disposal · {} ",
        keymap::hints(
            keymap::RETENTION,
            &[Action::Open, Action::Dispose, Action::Back]
        )
    );
    // The rule of the selected record in full, wrapped, under the table: the table's
    // last column is cut at any width, and for a record whose date cannot be worked out
    // it is the one instruction this screen exists to give (what to add).
    let chosen = schedule.get(selected).map(|r| {
        let rule = match &r.kept.until {
            Until::Unknown(why) => format!("needs data: {why}"),
            _ => r.kept.rule.clone(),
        };
        format!("{}: {}", r.id, line(&rule))
    });
    let area = match &chosen {
        Some(text) => {
            let lines = super::wrap_words(text, area.width.saturating_sub(2));
            let [table, below] = Layout::vertical([
                Constraint::Fill(1),
                Constraint::Length(lines.len().min(4) as u16 + 1),
            ])
            .areas(area);
            frame.render_widget(
                Paragraph::new(lines.into_iter().map(Line::from).collect::<Vec<_>>())
                    .block(Block::new().borders(Borders::LEFT | Borders::RIGHT | Borders::BOTTOM)),
                below,
            );
            table
        }
        None => area,
    };
    let block = if chosen.is_some() {
        Block::new()
            .borders(Borders::LEFT | Borders::RIGHT | Borders::TOP)
            .title(title)
    } else {
        Block::bordered().title(title)
    };
    let height = block.inner(area).height.saturating_sub(1) as usize;
    let start = selected.saturating_sub(height.saturating_sub(1));
    let widths = [
        Constraint::Length(14),
        Constraint::Length(11),
        Constraint::Length(12),
        Constraint::Length(10),
        Constraint::Fill(1),
    ];
    // A rule longer than its column ends in "…" (it is shown whole under the table).
    let columns = super::table_columns(&widths, block.inner(area).width);
    let rows: Vec<Row> = schedule
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(n, r)| {
            let (until, state) = match &r.kept.until {
                Until::Date(d) if r.due => (present::date(*d), "due"),
                Until::Date(d) => (present::date(*d), ""),
                Until::WhenClosed => ("from closure".to_string(), "open"),
                Until::Unknown(_) => ("unknown".to_string(), "needs data"),
            };
            let rule = match &r.kept.until {
                Until::Unknown(why) => why.clone(),
                _ => r.kept.rule.clone(),
            };
            let closed = match (r.closed, r.status) {
                (Some(c), Status::Closed) => present::date(c),
                _ => r.status.label().to_string(),
            };
            let mut style = match state {
                "due" => Style::new().red().bold(),
                "needs data" => Style::new().yellow(),
                _ => Style::new(),
            };
            if n == selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            Row::new(super::fit_cells(
                vec![
                    r.id.clone(),
                    closed,
                    until,
                    state.to_string(),
                    line(&rule).into_owned(),
                ],
                &columns,
            ))
            .style(style)
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(["Incident", "Closed", "Kept until", "", "Rule"]).bold())
        .block(block);
    frame.render_widget(table, area);
}
