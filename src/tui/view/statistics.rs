//! The Statistics screen: the anonymised figures of `logbook stats` for a period, as bar
//! charts and a sparkline. The same suppression as every export: no name, initials or
//! reference, and any count from 1 to 4 shown as "<5" and drawn as an empty bar.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, Block, Paragraph, Sparkline};

use crate::report::stats::{self, Stats, Tally};
use crate::tui::app::App;
use crate::tui::keymap::{self, Action};
use crate::tui::records::{PERIODS, period};
use crate::tui::view::wrap_words;

/// Bars for a tally: the label carries the shown count ("<5" when suppressed), and a
/// suppressed bar is drawn empty so its length does not give the count away.
fn bars(tally: &Tally) -> Vec<Bar<'static>> {
    stats::suppressed(tally)
        .into_iter()
        .zip(&tally.rows)
        .map(|((label, shown), (_, n))| {
            let value = if shown == "<5" { 0 } else { *n };
            Bar::with_label(format!("{label} {shown}"), value).text_value("")
        })
        .collect()
}

/// The counts of "YYYY-MM" rows with the months between them that had none filled in as
/// zero, so the trend's spacing is true to the calendar.
fn every_month(rows: &[(String, u64)]) -> Vec<u64> {
    let month = |m: &str| -> Option<i32> {
        let (y, m) = m.split_once('-')?;
        Some(y.parse::<i32>().ok()? * 12 + m.parse::<i32>().ok()? - 1)
    };
    let mut out = Vec::new();
    let mut next = None;
    for (m, v) in rows {
        let Some(n) = month(m) else { continue };
        if let Some(mut k) = next {
            while k < n {
                out.push(0);
                k += 1;
            }
        }
        out.push(*v);
        next = Some(n + 1);
    }
    out
}

fn tally<'a>(s: &'a Stats, starts: &str) -> Option<&'a Tally> {
    s.tallies.iter().find(|t| t.title.starts_with(starts))
}

fn chart<'a>(title: &'a str, bars: Vec<Bar<'a>>) -> BarChart<'a> {
    BarChart::horizontal(bars)
        .bar_width(1)
        .bar_gap(0)
        .block(Block::new().title(Line::from(title).bold()))
}

#[cfg(test)]
#[test]
fn months_without_incidents_count_as_zero() {
    let rows = vec![("2025-11".into(), 3), ("2026-02".into(), 1)];
    assert_eq!(every_month(&rows), vec![3, 0, 0, 1]);
}

/// The statistics box's parts inside its borders: the head, the charts, the trend and the
/// figures under them (which scroll).
fn layout(area: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(6),
        Constraint::Length(3),
        Constraint::Min(0),
    ])
    .areas(Block::bordered().inner(area))
}

/// Rows a page of the figures holds in the screen's `area`.
pub fn page(area: Rect) -> usize {
    usize::from(layout(area)[3].height)
}

/// The figures under the charts (types, age groups, reports, figures), wrapped here to
/// `width` so the scroll counts the rows drawn.
fn figure_rows(s: &Stats, width: u16) -> Vec<Line<'static>> {
    let mut figures: Vec<(String, String)> = Vec::new();
    for (title, starts) in [
        ("Types", "Incidents by type"),
        ("Age groups harmed", "Incidents by age group"),
        ("Reports made", "Reports made"),
        ("Not referred", "Decisions not to refer"),
    ] {
        let Some(t) = tally(s, starts) else { continue };
        let cells: Vec<String> = stats::suppressed(t)
            .into_iter()
            .map(|(l, n)| format!("{l} {n}"))
            .collect();
        let text = if cells.is_empty() {
            "none".to_string()
        } else {
            cells.join(" · ")
        };
        figures.push((title.to_string(), text));
    }
    for f in &s.figures {
        figures.push((f.label.to_string(), stats::figure_text(f)));
    }
    let mut rows = Vec::new();
    for (title, text) in figures {
        let head = format!("{title}: ");
        for (k, row) in wrap_words(&format!("{head}{text}"), width)
            .into_iter()
            .enumerate()
        {
            rows.push(match row.strip_prefix(head.as_str()) {
                Some(rest) if k == 0 => {
                    Line::from(vec![head.clone().bold(), rest.to_string().into()])
                }
                _ => Line::from(row),
            });
        }
    }
    rows
}

/// How many rows of the figures lie beyond the first screenful at the app's size: how far
/// they scroll.
pub fn hidden(app: &App, n: usize) -> usize {
    let Some(book) = &app.book else { return 0 };
    let Some(stats) = app.stats_cache.of(book, app.now.date(), n) else {
        return 0;
    };
    let [main, _] = super::split(app, app.size);
    let rest = layout(main)[3];
    figure_rows(&stats, rest.width)
        .len()
        .saturating_sub(usize::from(rest.height))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, n: usize, scroll: usize) {
    let Some(book) = &app.book else { return };
    let today = app.now.date();
    let (from, to) = period(n, today);
    let Some(stats) = app.stats_cache.of(book, today, n) else {
        return;
    };
    let s = &*stats;
    let [head, charts, trend, rest] = layout(area);
    let rows = figure_rows(s, rest.width);
    let height = usize::from(rest.height);
    let scroll = scroll.min(rows.len().saturating_sub(height));
    let below = rows.len().saturating_sub(scroll + height);
    let hint = keymap::hints(keymap::STATISTICS, &[Action::CyclePeriod, Action::Back]);
    let mut block = Block::bordered().title(format!(" Statistics (anonymised) · {hint} "));
    if below > 0 {
        let more = if below == 1 { "line" } else { "lines" };
        let keys = keymap::hints(keymap::STATISTICS, &[Action::Down, Action::PageDown]);
        block = block.title_bottom(format!(" ↓ {below} more {more} · {keys} "));
    } else if scroll > 0 {
        let keys = keymap::hints(keymap::STATISTICS, &[Action::Up, Action::Top]);
        block = block.title_bottom(format!(" {keys} "));
    }
    frame.render_widget(block, area);

    let range = match (from, to) {
        (Some(f), Some(t)) => format!("{f} to {t}"),
        _ => "every record".to_string(),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(format!(
                "{} ({range}): {} incidents reported",
                PERIODS[n.min(PERIODS.len() - 1)],
                stats::shown(s.incidents)
            ))
            .bold(),
            Line::from("Counts from 1 to 4 show as <5, with an empty bar. No names or references."),
        ]),
        head,
    );

    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .spacing(2)
            .areas(charts);
    if let Some(t) = tally(s, "Incidents by area") {
        frame.render_widget(chart("By area of risk (4 Cs)", bars(t)), left);
    }
    if let Some(t) = tally(s, "Reviews") {
        frame.render_widget(chart("Reviews held", bars(t)), right);
    }

    if let Some(t) = tally(s, "Incidents by month") {
        // The shape of the year, scaled to the busiest month and without a number, so no
        // count can be read off it; the counts are in `logbook stats`, suppressed.
        let data = every_month(&t.rows);
        let first = t.rows.first().map_or("", |(m, _)| m.as_str());
        let last = t.rows.last().map_or("", |(m, _)| m.as_str());
        frame.render_widget(
            Sparkline::default()
                .data(&data)
                .style(Style::new().cyan())
                .block(
                    Block::new().title(
                        Line::from(format!(
                            "Trend by month reported, {first} to {last} (no counts)"
                        ))
                        .bold(),
                    ),
                ),
            trend,
        );
    }

    frame.render_widget(Paragraph::new(rows).scroll((scroll as u16, 0)), rest);
}
