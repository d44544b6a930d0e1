//! The logbook's history (`screens::history`): the audit entries in a table (number, when,
//! who, record, what), and under it the selected entry whole, wrapped, as far as it fits
//! (`Enter` shows all of it). Text from the entries is escaped here, where it is drawn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::symbols::border;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};

use crate::present::trail::{self, Kind};
use crate::text::line;
use crate::tui::app::App;
use crate::tui::keymap::{self, Action};
use crate::tui::screens::history::{clamp, rows, text, title};

/// The table over the box showing the selected entry: the table takes the rows its
/// `entries` need, up to two thirds of the screen; the box the rest. Neither depends on
/// which row is selected, so nothing jumps as the selection moves.
fn layout(area: Rect, entries: usize) -> [Rect; 2] {
    super::table_over_box(area, entries, 5)
}

/// Rows of entries the table shows in `area` when `entries` are shown: its top border and
/// header row aside.
pub fn page(area: Rect, entries: usize) -> usize {
    usize::from(layout(area, entries)[0].height.saturating_sub(2))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, selected: usize, kind: Option<Kind>) {
    let Some(book) = &app.book else { return };
    let shown = rows(book, kind);
    let hint = keymap::hints(
        keymap::HISTORY,
        &[Action::Open, Action::CycleKind, Action::Back],
    );
    let title_text = match kind {
        None => format!(" Logbook history · all {} entries ", book.audit.len()),
        // The kind by its short name: what it covers heads the selected entry's box.
        Some(k) => format!(
            " Logbook history · {} · {} of {} entries ",
            k.name(),
            shown.len(),
            book.audit.len()
        ),
    };
    // Until the trail is read and checked there is nothing to show, and nothing is shown
    // as if it were sound when the check failed.
    let empty = if book.trail_pending && app.trail_fault.is_some() {
        Some("The history failed its check, so it is not shown: `logbook verify` says what is wrong, and `logbook history` lists the entries with it.".to_string())
    } else if book.trail_pending {
        Some("The history is still being read and checked: it shows here once the check has passed (the status bar says when).".to_string())
    } else if shown.is_empty() {
        Some(format!(
            "No entries of this kind ({}): {} shows the next kind.",
            kind.map_or("", Kind::label),
            keymap::key_for(keymap::HISTORY, Action::CycleKind)
        ))
    } else {
        None
    };
    if let Some(text) = empty {
        let block = Block::bordered()
            .title(title_text)
            .title_bottom(format!(" {hint} "));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let lines: Vec<Line> = super::wrap_words(&text, inner.width.saturating_sub(2))
            .into_iter()
            .map(Line::from)
            .collect();
        let [_, middle, _] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(lines.len() as u16),
            Constraint::Fill(1),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(lines).centered(), middle);
        return;
    }

    let selected = clamp(selected, shown.len());
    let [table_area, below] = layout(area, shown.len());
    let block = Block::new()
        .borders(Borders::LEFT | Borders::RIGHT | Borders::TOP)
        .title(title_text);
    let inner_width = block.inner(table_area).width;
    let height = block.inner(table_area).height.saturating_sub(1) as usize;
    let start = selected.saturating_sub(height.saturating_sub(1));
    let widths = [
        Constraint::Length(6),
        Constraint::Length(16),
        Constraint::Length(if inner_width >= 98 { 16 } else { 12 }),
        Constraint::Length(13),
        Constraint::Fill(1),
    ];
    let columns = super::table_columns(&widths, inner_width);
    let table_rows: Vec<Row> = shown
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(n, index)| {
            let e = &book.audit[*index];
            let mut style = Style::new();
            if trail::emptied(e) {
                style = style.add_modifier(Modifier::DIM);
            }
            if n == selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            let cells = vec![
                format!("#{}", e.seq),
                crate::present::at(&e.at),
                line(&e.by).into_owned(),
                line(&trail::record(e)).into_owned(),
                line(&trail::what(e)).into_owned(),
            ];
            Row::new(super::fit_cells(cells, &columns)).style(style)
        })
        .collect();
    let block = match super::more_rows(app, (start, height, shown.len()), ("entry", "entries")) {
        Some(more) => block.title_top(more),
        None => block,
    };
    let table = Table::new(table_rows, widths)
        .header(Row::new(["#", "When", "By", "Record", "What"]).bold())
        .column_spacing(1)
        .block(block);
    frame.render_widget(table, table_area);

    if let Some(e) = shown.get(selected).and_then(|n| book.audit.get(*n)) {
        // The box's top border joins the table's sides.
        let set = border::Set {
            top_left: "├",
            top_right: "┤",
            ..border::PLAIN
        };
        let block = Block::bordered()
            .border_set(set)
            .title(format!(" {} ", title(e)))
            .title_bottom(format!(" {hint} "));
        let inner = block.inner(below);
        frame.render_widget(block, below);
        let mut lines: Vec<Line> = Vec::new();
        for (k, paragraph) in text(book, e).iter().enumerate() {
            for row in super::wrap_words(paragraph, inner.width) {
                lines.push(if k == 0 {
                    Line::from(row).bold()
                } else {
                    Line::from(row)
                });
            }
        }
        let room = usize::from(inner.height);
        if lines.len() > room && room > 0 {
            let more = lines.len() - (room - 1);
            lines.truncate(room - 1);
            lines.push(
                Line::from(format!(
                    "… {more} more {}: {} shows it whole",
                    if more == 1 { "line" } else { "lines" },
                    keymap::key_for(keymap::HISTORY, Action::Open)
                ))
                .dim(),
            );
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
