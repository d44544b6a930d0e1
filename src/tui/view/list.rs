//! The incident list (home): views, filter, sort, and only the visible rows built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, Tabs};

use crate::model::Status;
use crate::text::line;
use crate::tui::app::{App, View};
use crate::tui::keymap::{self, Action};

/// The tabs, the filter line, the table, and the box of references awaited (the
/// reviews-due view, when any are) with how many it shows: one layout for drawing and paging.
fn layout(area: Rect, awaited: usize) -> [Rect; 4] {
    let [tabs_area, filter_area, table_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    if awaited == 0 {
        return [tabs_area, filter_area, table_area, Rect::default()];
    }
    // Up to four references, a line saying how many more, and the borders.
    let height = awaited.min(4) as u16 + u16::from(awaited > 4) + 2;
    let [table_area, awaited_area] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(height)]).areas(table_area);
    [tabs_area, filter_area, table_area, awaited_area]
}

/// The references still awaited from an agency, which the reviews-due view lists too:
/// they are chased in the same sitting as the reviews.
fn awaited(app: &App) -> Vec<(&crate::model::Incident, &crate::model::ReportingStep)> {
    match &app.book {
        Some(book) if app.list.view == View::Due => book.awaited_references(),
        _ => Vec::new(),
    }
}

/// Rows of incidents the table shows in `area`.
pub fn page(area: Rect, app: &App) -> usize {
    let [_, _, table_area, _] = layout(area, awaited(app).len());
    usize::from(table_area.height.saturating_sub(3))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let Some(book) = &app.book else { return };
    let awaited = awaited(app);
    let [tabs_area, filter_area, table_area, awaited_area] = layout(area, awaited.len());
    let selected_tab = View::ALL
        .iter()
        .position(|v| *v == app.list.view)
        .unwrap_or(0);
    // The keys to filter and record go at the right of the tabs, where there is room, so
    // the line under them (organisation, counts, order) is not cut at 80 columns.
    let hint = keymap::hints(keymap::LIST, &[Action::Filter, Action::NewIncident]);
    let [tabs_area, hint_area] = Layout::horizontal([
        Constraint::Min(1),
        Constraint::Length(Span::raw(hint.as_str()).width() as u16),
    ])
    .areas(tabs_area);
    frame.render_widget(
        Tabs::new(View::ALL.iter().map(|v| {
            format!(
                "{} {}",
                keymap::key_for(keymap::LIST, v.action()),
                v.label()
            )
        }))
        .select(selected_tab)
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD))
        .divider("│"),
        tabs_area,
    );
    frame.render_widget(Paragraph::new(hint).dim(), hint_area);
    let filter = if app.list.filter.shown() {
        Line::from(vec![
            Span::styled("Filter: ", Style::new().bold()),
            Span::raw(app.list.filter.drawn()),
        ])
    } else {
        let total = book.incidents.len();
        let counts = format!(
            " · {} of {total} {} · sorted {}",
            app.list.rows.len(),
            if total == 1 { "incident" } else { "incidents" },
            // The reviews-due view is always in the order the reviews fall due.
            if app.list.view == View::Due {
                crate::tui::app::Sort::NextReview.label()
            } else {
                app.list.sort.label()
            },
        );
        // A long organisation name gives way, never the counts.
        let room = usize::from(area.width).saturating_sub(Span::raw(counts.as_str()).width());
        Line::from(format!(
            "{}{counts}",
            super::shorten(&line(&book.settings.organisation), room)
        ))
        .dim()
    };
    frame.render_widget(Paragraph::new(filter), filter_area);

    if !awaited.is_empty() {
        let shown = awaited.len().min(4);
        let mut lines: Vec<Line> = awaited
            .iter()
            .take(shown)
            .map(|(i, r)| {
                let agency = line(&r.agency_words()).into_owned();
                // The agency last: a narrow screen cuts its long name, not the dates.
                Line::raw(format!(
                    "{} {}  since {}  {agency}",
                    i.id,
                    r.id,
                    crate::present::date(r.when.date()),
                ))
            })
            .collect();
        if awaited.len() > shown {
            lines.push(Line::raw(format!("... {} more", awaited.len() - shown)).dim());
        }
        frame.render_widget(
            Paragraph::new(lines).block(
                Block::bordered().title(format!(" References awaited ({}) ", awaited.len())),
            ),
            awaited_area,
        );
    }
    let block = Block::bordered();
    let inner_height = block.inner(table_area).height.saturating_sub(1) as usize;
    let selected = app.list.selected;
    // Only the rows that fit are built: the list stays quick at 50,000 incidents.
    let start = selected.saturating_sub(inner_height.saturating_sub(1));
    let today = app.now.date();
    // Below 100 columns the risk area gives its room to people and types (detail shows it).
    let wide = area.width >= 100;
    let (mut any_overdue, mut any_unbooked) = (false, false);
    // An incident entered in error says so in words (strikethrough alone is not drawn by
    // every terminal): the status column widens when one is on screen.
    let any_error = app
        .list
        .rows
        .iter()
        .skip(start)
        .take(inner_height)
        .any(|n| book.incidents[*n].error.is_some());
    // An id is never cut: past 9,999 incidents in a year it is a character longer
    // (INC-2026-10000), and the column widens when such an id is on screen.
    let id_width = app
        .list
        .rows
        .iter()
        .skip(start)
        .take(inner_height)
        .map(|n| book.incidents[*n].id.chars().count())
        .max()
        .unwrap_or(0)
        .max(13);
    let mut widths = vec![
        Constraint::Length(id_width as u16),
        Constraint::Length(10),
        Constraint::Fill(2),
    ];
    let mut header = vec!["Id", "Reported", "People"];
    if wide {
        widths.push(Constraint::Length(8));
        header.push("Area");
    }
    widths.extend([
        Constraint::Fill(3),
        Constraint::Length(8),
        Constraint::Length(if any_error { 16 } else { 10 }),
        Constraint::Length(12),
    ]);
    header.extend(["Types", "Risk", "Status", "Next review"]);
    let columns = super::table_columns(&widths, block.inner(table_area).width);
    let rows: Vec<Row> = app
        .list
        .rows
        .iter()
        .enumerate()
        .skip(start)
        .take(inner_height)
        .map(|(n, index)| {
            let i = &book.incidents[*index];
            let people: Vec<String> = i
                .people
                .iter()
                .map(|p| {
                    book.person(&p.person)
                        .map_or_else(|| p.person.clone(), |p| line(&p.reference).into_owned())
                })
                .collect();
            let types: Vec<&str> = i.types.iter().map(|t| t.label()).collect();
            // An open case with no review booked is as urgent as an overdue one.
            let unbooked = i.no_review_booked();
            any_overdue |= i.is_overdue(today);
            any_unbooked |= unbooked;
            let overdue = i.is_overdue(today) || unbooked;
            let review = match i.next_review() {
                _ if i.status == Status::Closed || i.error.is_some() => String::new(),
                Some(d) if overdue => format!("{d} !"),
                Some(d) => d.to_string(),
                None => "none booked!".into(),
            };
            let mut style = Style::new();
            if overdue {
                style = style.red().bold();
            }
            if i.error.is_some() {
                style = style.add_modifier(Modifier::CROSSED_OUT);
            }
            if n == selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            let mut cells = vec![
                i.id.clone(),
                crate::present::date(i.reported.date()),
                people.join(", "),
            ];
            if wide {
                cells.push(i.risk_area.label().to_string());
            }
            cells.extend([
                types.join(", "),
                i.risk_level.label().to_string(),
                if i.error.is_some() {
                    "Entered in error".to_string()
                } else {
                    i.status.label().to_string()
                },
                review,
            ]);
            Row::new(super::fit_cells(cells, &columns)).style(style)
        })
        .collect();
    let empty = rows.is_empty();
    // The legend explains a mark on screen; with none shown it would only be noise.
    let mut block = match (any_overdue, any_unbooked) {
        (true, true) => block.title_bottom(" ! review overdue or none booked "),
        (true, false) => block.title_bottom(" ! review overdue "),
        (false, true) => block.title_bottom(" ! no review booked "),
        (false, false) => block,
    };
    // Rows beyond the screen are said on the border, as the Summary tab says its lines.
    if let Some(more) = super::more_rows(
        app,
        (start, inner_height, app.list.rows.len()),
        ("incident", "incidents"),
    ) {
        block = block.title_bottom(more);
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).bold())
        .block(block)
        .column_spacing(1);
    frame.render_widget(table, table_area);
    if empty {
        let hint = if book.incidents.is_empty() {
            format!(
                "No incidents yet: {}",
                keymap::hints(keymap::LIST, &[Action::NewIncident, Action::Help])
            )
        } else {
            format!(
                "Nothing in this view: {}",
                keymap::hints(keymap::LIST, &[Action::ViewAll, Action::Filter])
            )
        };
        let [_, middle, _] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Fill(1),
        ])
        .areas(table_area);
        frame.render_widget(Paragraph::new(hint).centered(), middle);
    }
}
