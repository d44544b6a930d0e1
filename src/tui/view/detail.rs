//! One incident: a header, the sections as tabs, and the selected section's entries.
//! Entries entered in error stay visible, struck through, with the reason.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Paragraph, Tabs, Wrap};

use crate::present::screen::{self, Kind, Next, Row};
use crate::present::{self, Section};
use crate::text::{block as text_block, line};
use crate::tui::app::{App, Popup};
use crate::tui::keymap::{Action, DETAIL, key_for};

/// The words for what the reader can do next, with the key that does it.
fn next_words(next: Next) -> String {
    let key = |action| key_for(DETAIL, action);
    match next {
        Next::HoldReview => format!("({} records it)", key(Action::HoldReview)),
        Next::AddReference => format!("({} adds it when it arrives)", key(Action::EditIncident)),
        Next::Chronology => format!(
            "{} shows this person's chronology.",
            key(Action::Chronology)
        ),
        Next::TickStep => format!(
            "{} ticks it, {} marks it not applicable.",
            key(Action::TickStep),
            key(Action::StepNotApplicable)
        ),
        Next::Open => format!("({})", key(Action::Open)),
    }
}

/// A row's text escaped for the terminal (free text keeps its line breaks), with what can
/// be done next after it.
fn row_text(row: &Row) -> String {
    let mut text = if row.kind == Kind::Text {
        text_block(&row.text).into_owned()
    } else {
        line(&row.text).into_owned()
    };
    if let Some(next) = row.next {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&next_words(next));
    }
    text
}

fn style(kind: Kind) -> Style {
    match kind {
        Kind::Plain | Kind::Text => Style::new(),
        Kind::Heading => Style::new().bold(),
        Kind::Detail => Style::new().dim(),
        Kind::Struck => Style::new().add_modifier(Modifier::CROSSED_OUT),
        Kind::ErrorNote => Style::new().red(),
        Kind::Alert => Style::new().red().bold(),
    }
}

/// What an empty section says, with the key that adds its first item.
fn empty_hint(section: Section) -> Option<String> {
    let (words, action) = match section {
        Section::People => ("No one linked yet: {} links a person.", Action::LinkPerson),
        Section::Evidence => (
            "No evidence recorded: {} adds an item.",
            Action::AddEvidence,
        ),
        Section::Reporting => (
            "No reports or decisions yet: {} records one.",
            Action::AddReport,
        ),
        Section::Reviews => ("No reviews: {} schedules one.", Action::AddReview),
        Section::Summary | Section::Checklist | Section::History => return None,
    };
    Some(words.replace("{}", &key_for(DETAIL, action)))
}

/// The lines of a section, one entry per item (with continuation lines), and which line
/// each entry starts on, for highlighting the selection (`usize::MAX`: not an entry).
fn section_lines(
    book: &crate::model::Logbook,
    i: &crate::model::Incident,
    section: Section,
    today: chrono::NaiveDate,
) -> Vec<(usize, Line<'static>)> {
    let rows = screen::section(book, i, section, today);
    let mut out = Vec::with_capacity(rows.len());
    if rows.is_empty()
        && let Some(hint) = empty_hint(section)
    {
        out.push((usize::MAX, Line::raw(hint).dim()));
    }
    for row in rows {
        let n = row.item.unwrap_or(usize::MAX);
        let text = row_text(&row);
        if let Some(label) = row.label {
            out.push((
                n,
                Line::from(vec![
                    Span::styled(format!("{label:<12} "), Style::new().bold()),
                    Span::raw(text),
                ]),
            ));
        } else if row.kind == Kind::Text {
            for l in text.lines() {
                out.push((n, Line::raw(l.to_string())));
            }
        } else {
            out.push((n, Line::styled(text, style(row.kind))));
        }
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, id: &str, section: Section, selected: usize) {
    let Some(book) = &app.book else { return };
    let Some(i) = book.incident(id) else { return };
    let [head, tabs_area, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let overdue = if i.is_overdue(app.now.date()) {
        "  REVIEW OVERDUE"
    } else {
        ""
    };
    let error = if i.error.is_some() {
        "  ENTERED IN ERROR"
    } else {
        ""
    };
    // The markers come before the types, which are long and cut at the screen's edge
    // (tester finding 33).
    let mut title = vec![Span::styled(
        format!(" {} ", i.id),
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
    )];
    if !overdue.is_empty() || !error.is_empty() {
        title.push(Span::styled(
            format!("{overdue}{error}"),
            Style::new().red().bold(),
        ));
    }
    // An incident entered in error is no case to work on: its marker stands instead of
    // "Open" (tester3 #32).
    let status = if i.error.is_some() {
        String::new()
    } else {
        format!("  {}", i.status.label())
    };
    title.push(Span::raw(format!(
        "{status}  {} risk  {}",
        i.risk_level.label(),
        line(&present::types(i))
    )));
    frame.render_widget(Paragraph::new(Line::from(title)), head);
    let index = Section::ALL.iter().position(|s| *s == section).unwrap_or(0);
    frame.render_widget(
        Tabs::new(Section::ALL.iter().map(|s| s.label()))
            .select(index)
            .highlight_style(Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD))
            .divider("│"),
        tabs_area,
    );
    let block = Block::bordered().title_bottom(section_hint(
        section,
        i.status == crate::model::Status::Closed,
    ));
    let inner = block.inner(body);
    let height = inner.height as usize;
    // Wrapped here, not by the paragraph, so the scroll below counts the rows drawn: the
    // highlighted entry is always on screen (Space acts on what is seen), and the summary,
    // which has no entries, scrolls by rows (`selected` is then its first row shown).
    let lines = wrap_rows(
        section_lines(book, i, section, app.now.date()),
        inner.width,
        section != Section::Summary,
    );
    let first = lines.iter().position(|(n, _)| *n == selected).unwrap_or(0);
    let last = lines.iter().rposition(|(n, _)| *n == selected).unwrap_or(0);
    let scroll = if section == Section::Summary {
        selected.min(lines.len().saturating_sub(height))
    } else {
        (last + 1).saturating_sub(height).min(first)
    };
    let below = lines.len().saturating_sub(scroll + height);
    // Only the summary needs saying: in a list the selection moves the view.
    let block = if below > 0 && section == Section::Summary {
        let more = if below == 1 { "line" } else { "lines" };
        block.title_top(Line::from(format!(" ↓ {below} more {more} ")).right_aligned())
    } else {
        block
    };
    let text: Vec<Line> = lines
        .into_iter()
        .map(|(n, l)| {
            if n == selected && section != Section::Summary {
                l.patch_style(Style::new().add_modifier(Modifier::REVERSED))
            } else {
                l
            }
        })
        .collect();
    frame.render_widget(
        Paragraph::new(Text::from(text))
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0))
            .block(block),
        body,
    );
}

/// How many rows of the incident's summary lie beyond the first screenful: how far it
/// scrolls (the movement keys move the summary's first row shown, as it has no entries).
pub fn summary_hidden(app: &App, id: &str) -> usize {
    let (Some(book), Some(i)) = (&app.book, app.book.as_ref().and_then(|b| b.incident(id))) else {
        return 0;
    };
    let [main, _] = super::split(app, app.size);
    // Inside the section's borders, under the head and the tabs.
    let width = main.width.saturating_sub(2);
    let height = usize::from(main.height.saturating_sub(4));
    let lines = section_lines(book, i, Section::Summary, app.now.date());
    wrap_rows(lines, width, false).len().saturating_sub(height)
}

/// Splits each line wider than `width` into rows at spaces, keeping its entry number and
/// style; with `hang`, continuation rows are indented so the entry's first column stays
/// clear (free text wraps flush, as a paragraph).
fn wrap_rows(
    lines: Vec<(usize, Line<'static>)>,
    width: u16,
    hang: bool,
) -> Vec<(usize, Line<'static>)> {
    let hang = if hang { "    " } else { "" };
    let mut out = Vec::with_capacity(lines.len());
    for (n, l) in lines {
        if l.width() <= usize::from(width) {
            out.push((n, l));
            continue;
        }
        // A labelled fact ("Reported     <value>", its label a bold first span): the value
        // wraps in its own column, each row under the first, with the label kept bold.
        if let [label, value] = l.spans.as_slice()
            && label.style == Style::new().bold()
        {
            let at = label.width();
            let room = usize::from(width).saturating_sub(at);
            if room >= 20 {
                let style = l.style.patch(value.style);
                for (k, row) in super::wrap_words(&value.content, room as u16)
                    .into_iter()
                    .enumerate()
                {
                    let head = if k == 0 {
                        label.clone()
                    } else {
                        Span::raw(" ".repeat(at))
                    };
                    out.push((n, Line::from(vec![head, Span::styled(row, style)])));
                }
                continue;
            }
        }
        // Otherwise the value's style is the last span's.
        let style = l.spans.last().map_or(l.style, |s| l.style.patch(s.style));
        let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
        // A detail row's indent (a change under its history entry) is kept on every row.
        let body = text.trim_start_matches(' ');
        let indent = " ".repeat(text.len() - body.len());
        let room =
            width.saturating_sub((hang.len() + indent.len().min(usize::from(width) / 2)) as u16);
        for (k, row) in super::wrap_words(body, room).into_iter().enumerate() {
            let row = if k == 0 {
                format!("{indent}{row}")
            } else {
                format!("{indent}{hang}{row}")
            };
            out.push((n, Line::styled(row, style)));
        }
    }
    out
}

/// The keys of a section, from the detail keymap (so a hint never names a key that does
/// something else), and only those that apply: an open case is offered the next steps of
/// case work and closing, a closed one re-opening.
fn section_hint(section: Section, closed: bool) -> String {
    use crate::tui::keymap::{Action as A, DETAIL, hints};
    let actions: &[A] = match section {
        Section::Summary if closed => &[A::ReopenCase, A::MarkError, A::NextSection, A::Help],
        Section::Summary => &[
            A::EditIncident,
            A::LinkPerson,
            A::AddEvidence,
            A::AddReport,
            A::AddReview,
            A::CloseCase,
            A::Help,
        ],
        Section::People => &[A::LinkPerson, A::Chronology, A::UnlinkPerson, A::Open],
        Section::Evidence => &[
            A::AddEvidence,
            A::EditIncident,
            A::RegisterFile,
            A::MarkError,
            A::Open,
        ],
        Section::Reporting => &[A::AddReport, A::EditIncident, A::MarkError, A::Open],
        Section::Reviews => &[A::AddReview, A::HoldReview, A::MarkError, A::Open],
        Section::Checklist => &[A::TickStep, A::TickStepAt, A::StepNotApplicable],
        Section::History => &[A::Open],
    };
    format!(" {} ", hints(DETAIL, actions))
}

/// The full text of the selected entry, for Enter.
pub fn entry_popup(
    book: &crate::model::Logbook,
    i: &crate::model::Incident,
    section: Section,
    selected: usize,
) -> Option<Popup> {
    let opened = screen::entry(book, i, section, selected)?;
    let text = opened
        .rows
        .iter()
        .map(|row| match row.label {
            Some(label) => format!("{label}: {}", row_text(row)),
            None => row_text(row),
        })
        .collect::<Vec<_>>()
        .join("\n");
    Some(Popup {
        title: opened.title,
        text,
        scroll: 0,
    })
}

#[cfg(test)]
mod tests {
    /// The summary offers what applies (a tester saw "o re-open" on an open case, and no
    /// p, e, r or v): an open case its case work and closing, a closed one re-opening.
    #[test]
    fn the_summary_hint_offers_what_applies_to_the_case() {
        let open = super::section_hint(super::Section::Summary, false);
        for key in ["p person", "e evidence", "r report", "v review", "c close"] {
            assert!(open.contains(key), "{key}: {open}");
        }
        assert!(!open.contains("re-open"), "{open}");
        let closed = super::section_hint(super::Section::Summary, true);
        assert!(closed.contains("o re-open"), "{closed}");
        assert!(!closed.contains("c close"), "{closed}");
    }

    /// Tester2 finding 35: at 80 columns a wrapped value lost its indent, its second row
    /// starting under the label ("teacher)" under "Reported").
    #[test]
    fn a_wrapped_labelled_value_keeps_its_column() {
        let value = "2026-11-30 10:15 by Ms Zoë Ó Briain-Łukasz (Y9 tutor / PE teacher)";
        let line = Line::from(vec![
            Span::styled(format!("{:<12} ", "Reported"), Style::new().bold()),
            Span::raw(value),
        ]);
        let rows = wrap_rows(vec![(usize::MAX, line)], 78, false);
        assert_eq!(rows.len(), 2);
        let text = |l: &Line| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        };
        assert!(text(&rows[0].1).starts_with("Reported     2026-11-30"));
        assert_eq!(rows[0].1.spans[0].style, Style::new().bold());
        let second = text(&rows[1].1);
        assert!(
            second.starts_with(&format!("{}teacher", " ".repeat(13))),
            "{second:?}"
        );
        assert!(rows.iter().all(|(_, l)| l.width() <= 78));
    }

    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::{Terminal, backend::TestBackend};

    use super::*;
    use crate::tui::app::Screen;

    fn render(app: &mut App, width: u16, height: u16) -> String {
        app.size = Rect::new(0, 0, width, height);
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| super::super::draw(f, app)).unwrap();
        terminal.backend().to_string()
    }

    fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
        app.key(KeyEvent::new(code, modifiers));
    }

    /// The summary has no entries to select: the movement keys scroll it, and it says how
    /// much is below (at 80x24 the description's end, the immediate action and the open
    /// checklist steps were out of reach).
    #[test]
    fn the_summary_scrolls_and_says_what_is_below() {
        let book = crate::demo::logbook().unwrap();
        let id = book
            .incidents
            .iter()
            .max_by_key(|i| i.description.len() + i.immediate_action.len())
            .unwrap()
            .id
            .clone();
        let mut app = App::ready(
            "logbook.age".into(),
            crate::demo::demo_now(),
            book,
            "RO".into(),
        );
        app.screens.push(Screen::Detail {
            id: id.clone(),
            section: Section::Summary,
            selected: 0,
        });
        let top = render(&mut app, 80, 24);
        assert!(top.contains("more lines"), "{top}");
        let hidden = summary_hidden(&app, &id);
        assert!(hidden > 0);
        press(&mut app, KeyCode::Char('j'), KeyModifiers::NONE);
        assert!(matches!(app.screen(), Screen::Detail { selected: 1, .. }));
        press(&mut app, KeyCode::Char('d'), KeyModifiers::CONTROL);
        press(&mut app, KeyCode::Char('G'), KeyModifiers::SHIFT);
        let bottom = render(&mut app, 80, 24);
        assert!(matches!(app.screen(), Screen::Detail { selected, .. } if *selected == hidden));
        assert!(!bottom.contains("more line"), "{bottom}");
        assert_ne!(top, bottom);
        insta::with_settings!({ snapshot_path => "../../../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("detail-summary-scrolled-80x24", bottom);
        });
        press(&mut app, KeyCode::Char('k'), KeyModifiers::NONE);
        assert!(matches!(app.screen(), Screen::Detail { selected, .. } if *selected == hidden - 1));
        press(&mut app, KeyCode::Char('g'), KeyModifiers::NONE);
        assert!(matches!(app.screen(), Screen::Detail { selected: 0, .. }));
    }
}
