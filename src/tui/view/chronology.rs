//! One person's chronology across incidents (`model::chronology`), drawn with the columns
//! date, incident, event, detail; the record's text is escaped here, where it is drawn.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::widgets::{Block, Row, Table};

use crate::text::line;
use crate::tui::app::App;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, person: &str, selected: usize) {
    let Some(book) = &app.book else { return };
    let name = book.person(person).map_or_else(
        || person.to_string(),
        |p| format!("{} {} ({})", p.id, line(&p.reference), p.age_group.label()),
    );
    let events = crate::model::chronology::events(book, person);
    let hint = crate::tui::keymap::hints(
        crate::tui::keymap::CHRONOLOGY,
        &[
            crate::tui::keymap::Action::Open,
            crate::tui::keymap::Action::Back,
        ],
    );
    let block = Block::bordered()
        .title(format!(" Chronology: {name} "))
        .title_bottom(format!(" {hint} "));
    let height = block.inner(area).height.saturating_sub(1) as usize;
    let start = selected.saturating_sub(height.saturating_sub(1));
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
            Row::new(vec![
                crate::present::when(e.when),
                e.incident.clone(),
                e.event.clone(),
                line(&e.detail).into_owned(),
            ])
            .style(style)
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(16),
            Constraint::Length(13),
            Constraint::Length(30),
            Constraint::Fill(1),
        ],
    )
    .header(Row::new(["When", "Incident", "Event", "Detail"]).bold())
    .block(block);
    frame.render_widget(table, area);
}
