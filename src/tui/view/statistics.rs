//! The Statistics screen: the anonymised figures of `logbook stats` for a period, as bar
//! charts and a sparkline. The same suppression as every export: no name, initials or
//! reference, and any count from 1 to 4 shown as "<5" and drawn as an empty bar.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, Block, Paragraph, Sparkline, Wrap};

use crate::report::stats::{self, Stats, Tally};
use crate::tui::app::App;
use crate::tui::keymap::{self, Action};
use crate::tui::records::{PERIODS, period};

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

pub fn draw(frame: &mut Frame, area: Rect, app: &App, n: usize) {
    let Some(book) = &app.book else { return };
    let today = app.now.date();
    let (from, to) = period(n, today);
    let Some(stats) = app.stats_cache.of(book, today, n) else {
        return;
    };
    let s = &*stats;
    let hint = keymap::hints(keymap::STATISTICS, &[Action::CyclePeriod, Action::Back]);
    let block = Block::bordered().title(format!(" Statistics (anonymised) · {hint} "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [head, charts, trend, rest] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(6),
        Constraint::Length(3),
        Constraint::Min(0),
    ])
    .areas(inner);

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

    let mut lines = Vec::new();
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
        lines.push(Line::from(vec![format!("{title}: ").bold(), text.into()]));
    }
    for f in &s.figures {
        lines.push(Line::from(vec![
            format!("{}: ", f.label).bold(),
            stats::figure_text(f).into(),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), rest);
}
