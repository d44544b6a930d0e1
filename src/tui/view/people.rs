//! The people register: each person once, with how many incidents name them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::widgets::{Block, Paragraph, Row, Table};

use crate::text::line;
use crate::tui::app::App;
use crate::tui::filter::Filter;
use crate::tui::keymap::{self, Action};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, selected: usize, filter: &Filter) {
    let rows_shown = app.people_rows();
    let Some(book) = &app.book else { return };
    let hint = keymap::hints(
        keymap::PEOPLE,
        &[
            Action::Chronology,
            Action::Filter,
            Action::NewPerson,
            Action::EditPerson,
            Action::Back,
        ],
    );
    // A child protection file sent and not yet acknowledged (UK guidance: five school days):
    // its own column, while any is waiting, so the notes stay the DSL's own.
    let pending = book.pending_transfers();
    let waiting = if pending.is_empty() {
        String::new()
    } else {
        format!(
            "{} sent, not acknowledged · ",
            match pending.len() {
                1 => "1 file".to_string(),
                n => format!("{n} files"),
            }
        )
    };
    let title = if filter.shown() {
        format!(
            " People register · {waiting}filter: {} · {} of {} ",
            filter.drawn(),
            rows_shown.len(),
            book.people.len()
        )
    } else if waiting.is_empty() {
        " People register ".to_string()
    } else {
        format!(" People register · {} ", waiting.trim_end_matches(" · "))
    };
    let block = Block::bordered()
        .title(title)
        .title_bottom(format!(" {hint} "));
    let height = block.inner(area).height.saturating_sub(1) as usize;
    let start = selected.saturating_sub(height.saturating_sub(1));
    let mut widths = vec![
        Constraint::Length(7),
        Constraint::Fill(2),
        Constraint::Length(12),
        Constraint::Length(5),
        Constraint::Length(9),
    ];
    let mut headings = vec!["Id", "Reference", "Age group", "Year", "Incidents"];
    if !pending.is_empty() {
        widths.push(Constraint::Length(10));
        headings.push("File sent");
    }
    widths.push(Constraint::Fill(3));
    headings.push("Notes");
    let columns = super::table_columns(&widths, block.inner(area).width);
    let rows: Vec<Row> = rows_shown
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(n, index)| {
            let p = &book.people[*index];
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
            let mut cells = vec![
                p.id.clone(),
                line(&p.reference).into_owned(),
                p.age_group.label().to_string(),
                p.birth_year
                    .map_or_else(|| line(&p.year_group).into_owned(), |y| y.to_string()),
                count.to_string(),
            ];
            if !pending.is_empty() {
                cells.push(
                    pending
                        .get(p.id.as_str())
                        .map_or_else(String::new, |e| crate::present::date(e.at.date_naive())),
                );
            }
            cells.push(line(p.notes.lines().next().unwrap_or_default()).into_owned());
            Row::new(super::fit_cells(cells, &columns)).style(style)
        })
        .collect();
    let empty = rows.is_empty();
    let block = match super::more_rows(app, (start, height, rows_shown.len()), ("person", "people"))
    {
        Some(more) => block.title_bottom(more),
        None => block,
    };
    let table = Table::new(rows, widths)
        .header(Row::new(headings).bold())
        .block(block);
    frame.render_widget(table, area);
    if empty && !filter.text.is_empty() {
        let [_, middle, _] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Fill(1),
        ])
        .areas(area);
        frame.render_widget(
            Paragraph::new(format!(
                "No one matches: {}",
                keymap::hints(keymap::PEOPLE, &[Action::Back])
            ))
            .centered(),
            middle,
        );
    }
}
