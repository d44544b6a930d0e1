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

/// Columns drawn per month at most: enough to read a month as a bar, not so many that a
/// short period stretches into a wall.
const MONTH_WIDTH: usize = 8;

/// The trend drawn `width` columns wide from the month rows (every month of the period,
/// from `stats::compute`): the sparkline's columns, the line of month marks under it,
/// and how many months each bar stands for (1 unless the period has more months than
/// the screen has columns, when neighbouring months are added together).
struct Trend {
    columns: Vec<u64>,
    marks: String,
    months_per_bar: usize,
}

/// The heights a trend bar is drawn in: eighths of its two rows.
const TREND_HEIGHT: u64 = 16;

/// The height of a month hidden as "<5": the lowest mark, the same for every such month.
const HIDDEN_HEIGHT: u64 = 1;

/// `rows` are the months with their counts, `hidden` whether each is shown as "<5" in the
/// tables (`stats::suppressed`, complementary suppression included). A hidden month is
/// drawn at one fixed, lowest height, and a bar holding one (where months are added
/// together) too: a bar's height to scale beside the total shown would give its count
/// back, which every table hides (tester4 #8). Other bars are scaled to the busiest shown
/// one, never as low as a hidden month's.
fn trend(rows: &[(String, u64)], hidden: &[bool], width: usize) -> Trend {
    let width = width.max(1);
    let months_per_bar = rows.len().div_ceil(width).max(1);
    let bars: Vec<(&str, Option<u64>)> = rows
        .chunks(months_per_bar)
        .enumerate()
        .map(|(k, c)| {
            let start = k * months_per_bar;
            let any_hidden = (start..start + c.len()).any(|i| hidden.get(i) == Some(&true));
            let sum = c.iter().map(|(_, n)| n).sum();
            (c[0].0.as_str(), (!any_hidden).then_some(sum))
        })
        .collect();
    let busiest = bars
        .iter()
        .filter_map(|(_, n)| *n)
        .max()
        .unwrap_or(0)
        .max(1);
    let height = |n: Option<u64>| match n {
        None => HIDDEN_HEIGHT,
        Some(0) => 0,
        Some(n) => (n * TREND_HEIGHT).div_ceil(busiest).max(HIDDEN_HEIGHT + 1),
    };
    let each = (width / bars.len().max(1)).clamp(1, MONTH_WIDTH);
    // A blank column between bars once they are 3 wide, so months read apart.
    let gap = usize::from(each >= 3);
    let mut columns = Vec::with_capacity(bars.len() * each);
    for (_, n) in &bars {
        columns.extend(std::iter::repeat_n(height(*n), each - gap));
        columns.extend(std::iter::repeat_n(0, gap));
    }
    let marks = marks(&bars, each);
    Trend {
        columns,
        marks,
        months_per_bar,
    }
}

/// The line under the trend: the first and last month, and a few between (about one in
/// four, a space apart at least), each starting under its bar; the last is pulled left to
/// end under the drawing when its own start leaves too little room.
fn marks<T>(bars: &[(&str, T)], each: usize) -> String {
    let n = bars.len();
    let Some(((first, _), (last, _))) = bars.first().zip(bars.last()) else {
        return String::new();
    };
    let len = first.chars().count();
    let total = n * each;
    let mut line = vec![' '; total.max(len)];
    let mut put = |at: usize, label: &str| {
        for (cell, c) in line.iter_mut().skip(at).zip(label.chars()) {
            *cell = c;
        }
    };
    put(0, first);
    let last_at = ((n - 1) * each).min(total.saturating_sub(len));
    if n > 1 && last_at > len {
        put(last_at, last);
        let step = (len + 2).div_ceil(each).max((n - 1).div_ceil(4));
        for k in (step..n - 1).step_by(step) {
            let at = k * each;
            if at + len < last_at {
                put(at, bars[k].0);
            }
        }
    }
    line.into_iter().collect::<String>().trim_end().to_string()
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

/// The statistics box's parts inside its borders: the head, the charts, the trend and the
/// figures under them (which scroll).
fn layout(area: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(6),
        // The trend's title, two rows of bars and the line of months under them.
        Constraint::Length(4),
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
    let [head, charts, trend_area, rest] = layout(area);
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
        // The shape of the period, scaled to the busiest month and without a number, so
        // no count can be read off it; the counts are in `logbook stats`, suppressed.
        let [title, bars, marks] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Length(1),
        ])
        .areas(trend_area);
        let hidden: Vec<bool> = stats::suppressed(t)
            .iter()
            .map(|(_, shown)| shown == "<5")
            .collect();
        let drawn = trend(&t.rows, &hidden, usize::from(trend_area.width));
        let first = t.rows.first().map_or("", |(m, _)| m.as_str());
        let last = t.rows.last().map_or("", |(m, _)| m.as_str());
        let span = if t.rows.is_empty() {
            "no months".to_string()
        } else {
            format!("{first} to {last}")
        };
        let each = match drawn.months_per_bar {
            1 => String::new(),
            k => format!("; a bar is {k} months"),
        };
        frame.render_widget(
            Paragraph::new(
                Line::from(format!(
                    "Trend by month reported, {span} (no counts{each}; ▁ is <5)"
                ))
                .bold(),
            ),
            title,
        );
        frame.render_widget(
            Sparkline::default()
                .data(&drawn.columns)
                .max(TREND_HEIGHT)
                .style(Style::new().cyan()),
            bars,
        );
        frame.render_widget(Paragraph::new(drawn.marks).dim(), marks);
    }

    frame.render_widget(Paragraph::new(rows).scroll((scroll as u16, 0)), rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months(n: usize) -> Vec<(String, u64)> {
        (0..n)
            .map(|k| {
                let m = 2025 * 12 + 8 + k;
                (format!("{}-{:02}", m / 12, m % 12 + 1), k as u64 % 3)
            })
            .collect()
    }

    #[test]
    fn a_year_is_drawn_several_columns_a_month_with_its_first_and_last_month_marked() {
        // Tester2 finding 34: one column a month, no marks.
        let t = trend(&months(12), &[], 98);
        assert_eq!(t.months_per_bar, 1);
        assert_eq!(t.columns.len(), 12 * MONTH_WIDTH);
        assert!(t.marks.starts_with("2025-09 "), "{}", t.marks);
        assert!(t.marks.ends_with("2026-08"), "{}", t.marks);
        assert!(t.marks.matches("20").count() >= 4, "{}", t.marks);
        let t = trend(&months(12), &[], 78);
        assert_eq!(t.columns.len(), 12 * 6);
        assert!(t.marks.starts_with("2025-09 "), "{}", t.marks);
        assert!(t.marks.ends_with("2026-08"), "{}", t.marks);
        // The last month's empty bar still takes its room.
        assert_eq!(t.columns[11 * 6..], [16, 16, 16, 16, 16, 0]);
    }

    #[test]
    fn a_long_period_adds_neighbouring_months_and_still_ends_at_the_last() {
        let t = trend(&months(200), &[], 78);
        assert_eq!(t.months_per_bar, 3);
        assert!(t.columns.len() <= 78);
        assert!(t.marks.starts_with("2025-09"), "{}", t.marks);
        assert!(t.marks.chars().count() <= 78);
        let t = trend(&months(1), &[], 78);
        assert_eq!(t.marks, "2025-09");
        let t = trend(&[], &[], 78);
        assert!(t.columns.is_empty() && t.marks.is_empty());
    }

    /// Tester4 #8: with 1 incident in October and 5 in November, the bars (3 eighths and
    /// 16) gave October's count back beside the total of 6.
    #[test]
    fn a_hidden_month_is_drawn_at_one_fixed_height_whatever_its_count() {
        let rows = |oct: u64, nov: u64| {
            vec![
                ("2026-09".to_string(), 0),
                ("2026-10".to_string(), oct),
                ("2026-11".to_string(), nov),
            ]
        };
        let hidden = [false, true, true];
        let one = trend(&rows(1, 5), &hidden, 30);
        let four = trend(&rows(4, 5), &hidden, 30);
        assert_eq!(
            one.columns, four.columns,
            "the count of a hidden month shows"
        );
        assert!(one.columns.contains(&HIDDEN_HEIGHT));
        // A shown month is never as low as a hidden one; none is drawn as none.
        let shown = trend(&rows(1, 40), &[false, true, false], 30);
        assert!(
            shown
                .columns
                .iter()
                .all(|h| *h == 0 || *h == HIDDEN_HEIGHT || *h > 1)
        );
        assert!(shown.columns.contains(&TREND_HEIGHT));
        // Months added together: a bar holding a hidden month is hidden too.
        let many: Vec<(String, u64)> = (0..200).map(|k| (format!("m{k}"), 10)).collect();
        let mut hide = vec![false; 200];
        hide[4] = true;
        let t = trend(&many, &hide, 78);
        assert_eq!(t.months_per_bar, 3);
        assert_eq!(t.columns.len(), 67, "one column a bar");
        assert_eq!(t.columns[0], TREND_HEIGHT);
        assert_eq!(
            t.columns[1], HIDDEN_HEIGHT,
            "months 4 to 6 hold the hidden one"
        );
    }
}
