//! One person's chronology across incidents: significant events in time order, with the
//! columns a safeguarding chronology uses (date, incident, event, detail). Checklist ticks
//! are left out: a chronology lists significant events and decisions, not routine steps.

use chrono::NaiveDateTime;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::widgets::{Block, Row, Table};

use crate::model::{Decision, Logbook};
use crate::text::line;
use crate::tui::app::App;

pub struct Event {
    pub when: NaiveDateTime,
    pub incident: String,
    pub event: String,
    pub detail: String,
    pub in_error: bool,
}

/// Everything about one person, across the incidents that name them, oldest first.
pub fn events(book: &Logbook, person: &str) -> Vec<Event> {
    let mut out = Vec::new();
    for i in book
        .incidents
        .iter()
        .filter(|i| i.people.iter().any(|p| p.person == person))
    {
        let roles: Vec<&str> = i
            .people
            .iter()
            .filter(|p| p.person == person)
            .map(|p| p.role.label())
            .collect();
        let types: Vec<&str> = i.types.iter().map(|t| t.label()).collect();
        let mut push = |when, event: String, detail: &str, in_error: bool| {
            out.push(Event {
                when,
                incident: i.id.clone(),
                event,
                detail: line(detail).into_owned(),
                in_error,
            });
        };
        push(
            i.occurred,
            format!("{} ({})", types.join(", "), roles.join(", ")),
            &i.description,
            i.error.is_some(),
        );
        for e in &i.evidence {
            push(
                e.captured,
                format!("Evidence {}: {}", e.id, e.kind.label()),
                &e.description,
                e.error.is_some(),
            );
        }
        for r in &i.reports {
            let what = match r.decision {
                Decision::Referred => format!("Reported to {}", r.agency.label()),
                Decision::NotReferred => format!("Not referred to {}", r.agency.label()),
            };
            let detail = if r.decision == Decision::NotReferred {
                &r.reason
            } else {
                &r.reference
            };
            push(r.when, what, detail, r.error.is_some());
        }
        for r in &i.reviews {
            if let Some(held) = r.held {
                push(
                    held,
                    format!("Review {}: {}", r.id, r.decision.map_or("", |d| d.label())),
                    &r.outcome,
                    r.error.is_some(),
                );
            }
        }
        if let Some(c) = &i.closure {
            push(c.when, "Closed".into(), &c.outcome, false);
        }
    }
    out.sort_by(|a, b| {
        a.when
            .cmp(&b.when)
            .then_with(|| a.incident.cmp(&b.incident))
    });
    out
}

pub fn draw(frame: &mut Frame, area: Rect, app: &mut App, person: &str, selected: usize) {
    let Some(book) = &app.book else { return };
    let name = book.person(person).map_or_else(
        || person.to_string(),
        |p| format!("{} {} ({})", p.id, line(&p.reference), p.age_group.label()),
    );
    let events = events(book, person);
    let block = Block::bordered().title(format!(
        " Chronology: {name} · Enter open incident · Esc back "
    ));
    let height = block.inner(area).height.saturating_sub(1) as usize;
    app.page = height.max(1);
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
                e.when.format("%Y-%m-%d %H:%M").to_string(),
                e.incident.clone(),
                e.event.clone(),
                e.detail.clone(),
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
