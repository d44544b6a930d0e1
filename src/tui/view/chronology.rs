//! One person's chronology across incidents (`model::chronology`), drawn with the columns
//! date, incident, event, detail; the record's text is escaped here, where it is drawn.
//!
//! A table cell too long for its column ends in "…", and the selected event is shown whole
//! under the table (what happened, the record's words, who, the risk, what was done and
//! what came of it), wrapped: a chronology is read for its detail, which no column fits.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::symbols::border;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};

use crate::model::chronology::Event;
use crate::text::line;
use crate::tui::app::App;
use crate::tui::keymap::{self, Action};

/// The table, and under it the box showing the selected event whole. The table takes
/// the rows its `events` need, up to two thirds of the screen; the box the rest. Neither
/// depends on which row is selected, so nothing jumps as the selection moves.
fn layout(area: Rect, events: usize) -> [Rect; 2] {
    super::table_over_box(area, events, 4)
}

/// Rows of events the table shows in `area` when there are `events`: its top border and
/// header row aside.
pub fn page(area: Rect, events: usize) -> usize {
    usize::from(layout(area, events)[0].height.saturating_sub(2))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, person: &str, selected: usize) {
    let Some(book) = &app.book else { return };
    let found = book.person(person);
    let name = found.map_or_else(
        || person.to_string(),
        |p| format!("{} {} ({})", p.id, line(&p.reference), p.age_group.label()),
    );
    let events = crate::model::chronology::events(book, person);
    let hint = keymap::hints(keymap::CHRONOLOGY, &[Action::Open, Action::Back]);
    let title = format!(" Chronology: {name} ");
    if events.is_empty() {
        // Headings over nothing read as a fault: say why it is empty and how to fill it.
        let who = found.map_or_else(|| person.to_string(), |p| line(&p.reference).into_owned());
        let text = format!(
            "Nothing is recorded for {who} yet: no incident names them. To add them to one, \
             open the incident and press {} ({}).",
            keymap::key_for(keymap::DETAIL, Action::LinkPerson),
            Action::LinkPerson.description(),
        );
        let block = Block::bordered().title(title).title_bottom(format!(
            " {} ",
            keymap::hints(keymap::CHRONOLOGY, &[Action::Back])
        ));
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

    let [table_area, below] = layout(area, events.len());
    let block = Block::new()
        .borders(Borders::LEFT | Borders::RIGHT | Borders::TOP)
        .title(title.clone());
    let inner_width = block.inner(table_area).width;
    let height = block.inner(table_area).height.saturating_sub(1) as usize;
    let start = selected.saturating_sub(height.saturating_sub(1));
    // The event column gives way below 100 columns, so the detail keeps some room.
    let widths = [
        Constraint::Length(16),
        Constraint::Length(13),
        Constraint::Length(if inner_width >= 98 { 32 } else { 24 }),
        Constraint::Fill(1),
    ];
    let columns = super::table_columns(&widths, inner_width);
    let rows: Vec<Row> = events
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(n, e)| {
            let mut style = Style::new();
            if e.in_error {
                style = style.add_modifier(Modifier::CROSSED_OUT);
            }
            if n == selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            let cells = vec![
                crate::present::event_when_short(e),
                e.incident.clone(),
                line(&e.event).into_owned(),
                line(&e.detail).into_owned(),
            ];
            Row::new(super::fit_cells(cells, &columns)).style(style)
        })
        .collect();
    let block = match super::more_rows(app, (start, height, events.len()), ("event", "events")) {
        Some(more) => block.title_top(more),
        None => block,
    };
    let table = Table::new(rows, widths)
        .header(Row::new(["When", "Incident", "Event", "Detail"]).bold())
        .column_spacing(1)
        .block(block);
    frame.render_widget(table, table_area);

    if let Some(e) = events.get(selected.min(events.len() - 1)) {
        draw_selected(frame, below, e, &hint);
    }
}

/// The selected event whole, wrapped, in the box under the table; what does not fit ends
/// in a line saying how much more there is and that Enter opens the incident.
fn draw_selected(frame: &mut Frame, area: Rect, e: &Event, hint: &str) {
    // The box's top border joins the table's sides.
    let set = border::Set {
        top_left: "├",
        top_right: "┤",
        ..border::PLAIN
    };
    let mut block = Block::bordered()
        .border_set(set)
        .title(format!(
            " {} · {} ",
            e.incident,
            crate::present::event_when(e)
        ))
        .title_bottom(format!(" {hint} "));
    if e.in_error {
        block = block.title(Line::from(" Entered in error ").bold());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width;
    let mut lines: Vec<Line> = Vec::new();
    let mut field = |label: &str, text: &str| {
        if text.trim().is_empty() {
            return;
        }
        let head = if label.is_empty() {
            String::new()
        } else {
            format!("{label}: ")
        };
        for (k, row) in super::wrap_words(&format!("{head}{}", line(text)), width)
            .into_iter()
            .enumerate()
        {
            lines.push(match row.strip_prefix(head.as_str()) {
                Some(rest) if k == 0 && !head.is_empty() => Line::from(vec![
                    Span::from(head.clone()).bold(),
                    Span::from(rest.to_string()),
                ]),
                _ => Line::from(row),
            });
        }
    };
    field("", &e.event);
    field("", &e.detail);
    field("Source", &e.source);
    field("Risk", &e.impact);
    field("Action", &e.action);
    field("Outcome", &e.outcome);
    if let Some(first) = lines.first_mut() {
        *first = std::mem::take(first).bold();
    }
    let room = usize::from(inner.height);
    if lines.len() > room && room > 0 {
        let more = lines.len() - (room - 1);
        lines.truncate(room - 1);
        let key = keymap::key_for(keymap::CHRONOLOGY, Action::Open);
        lines.push(
            Line::from(format!(
                "… {more} more {}: {key} opens the incident",
                if more == 1 { "line" } else { "lines" }
            ))
            .dim(),
        );
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
