//! Drawing. Reads the app state and the clock value in it, nothing else: no I/O, no
//! `now()`, so every screen is a pure function of the state and snapshots are stable.
//! Every string from the logbook goes through `text::line` or `text::block`.

pub mod chronology;
mod concerns;
pub mod detail;
mod history;
mod list;
mod people;
mod retention;
mod statistics;
#[cfg(test)]
mod tests;

pub use statistics::hidden as statistics_hidden;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::app::{App, Layer, Phase, SaveState, Screen};
use super::keymap;

/// The screen's area and the status bar's, at this size.
fn split(app: &App, area: Rect) -> [Rect; 2] {
    let height = status_height(app, area.width);
    Layout::vertical([Constraint::Min(1), Constraint::Length(height)]).areas(area)
}

/// Where screens are drawn at the app's size: all but the status bar.
pub fn main_area(app: &App) -> Rect {
    split(app, app.size)[0]
}

/// Rows a page holds in what has the keyboard, at the app's size (`App::size`): the help,
/// or the screen on top. Worked out from the same layout as drawing, so PgDn moves by what
/// is seen, without drawing writing anything back.
pub fn page(app: &App) -> usize {
    let [main, _] = split(app, app.size);
    let borders = |n: u16| usize::from(main.height.saturating_sub(n));
    let rows = if app.help.is_some() {
        borders(2)
    } else {
        match app.screen() {
            Screen::List => list::page(main, app),
            // Head, tabs and the section's borders.
            Screen::Detail { .. } => borders(4),
            Screen::Concerns { .. } => concerns::page(main, app),
            Screen::Statistics { .. } => statistics::page(main),
            Screen::Chronology { person, .. } => app.book.as_ref().map_or(1, |book| {
                chronology::page(main, crate::model::chronology::events(book, person).len())
            }),
            Screen::History { kind, .. } => app.book.as_ref().map_or(1, |book| {
                history::page(main, super::screens::history::rows(book, *kind).len())
            }),
            // Borders and the header row.
            _ => borders(3),
        }
    };
    rows.max(1)
}

pub fn draw(frame: &mut Frame, app: &App) {
    let [main, status] = split(app, frame.area());
    // The layers in `App::layers` order, bottom to top: the order that also decides where a
    // key goes, so what is drawn on top is always what has the keyboard.
    for layer in app.layers() {
        match layer {
            Layer::Screen => draw_screen(frame, main, app),
            Layer::Popup => {
                if let Some(popup) = &app.popup {
                    popup.draw(frame, main);
                }
            }
            Layer::Form => {
                if let Some(form) = &app.form {
                    super::forms::draw(frame, main, form);
                }
            }
            Layer::Backup => {
                if let Some(step) = &app.backup {
                    step.draw(frame, main);
                }
            }
            Layer::Picker => draw_picker(frame, main, app),
            Layer::Help => draw_help(frame, main, app),
        }
    }
    draw_status(frame, status, app);
}

/// What lies under every overlay: the unlock box, or the screen on top of the stack.
fn draw_screen(frame: &mut Frame, main: Rect, app: &App) {
    match app.phase {
        Phase::Setup => {}
        Phase::Unlock | Phase::Unlocking => app.unlock.draw(
            frame,
            main,
            &app.name,
            (app.phase == Phase::Unlocking).then(|| spinner(app)),
            app.draft.is_some().then_some(app.who.as_str()),
        ),
        Phase::ChooseWho | Phase::Ready => {
            if app.book.is_some() {
                match app.screen().clone() {
                    Screen::List => list::draw(frame, main, app),
                    Screen::Detail {
                        id,
                        section,
                        selected,
                    } => detail::draw(frame, main, app, &id, section, selected),
                    Screen::People { selected, filter } => {
                        people::draw(frame, main, app, selected, &filter)
                    }
                    Screen::Chronology { person, selected } => {
                        chronology::draw(frame, main, app, &person, selected)
                    }
                    Screen::Concerns { selected } => concerns::draw(frame, main, app, selected),
                    Screen::Statistics { period, scroll } => {
                        statistics::draw(frame, main, app, period, scroll)
                    }
                    Screen::Retention { selected } => retention::draw(frame, main, app, selected),
                    Screen::History { selected, kind } => {
                        history::draw(frame, main, app, selected, kind)
                    }
                }
            }
        }
    }
}

/// A rectangle in the middle of `area`, as a percentage of it.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Percentage(height)])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Percentage(width)])
        .flex(Flex::Center)
        .areas(v);
    h
}

/// A turning bar for work the loop is waiting on, from the clock in the state.
fn spinner(app: &App) -> &'static str {
    ["|", "/", "-", "\\"][(app.now.and_utc().timestamp() % 4) as usize]
}

/// The most of the status bar's width the recorder's name may take: a long name (a holder
/// named with their whole job title) is cut with "…", so the messages after it (saved, new
/// concerns, the backup's age) always have room.
fn who_width(width: u16) -> usize {
    (usize::from(width) / 4).max(12)
}

/// The status bar's text at this width and the help hint at its right.
fn status_line(app: &App, width: u16) -> (Line<'static>, String) {
    let save = match &app.save {
        SaveState::Idle => Span::raw(""),
        SaveState::Saving => Span::styled("Saving...", Style::new().add_modifier(Modifier::BOLD)),
        SaveState::Saved(t) => Span::raw(format!("Saved {}", crate::present::clock(*t))),
        SaveState::Unflushed(t) => Span::styled(
            format!(
                "Saved {}, not flushed: may not survive a power cut",
                crate::present::clock(*t)
            ),
            Style::new().yellow().bold(),
        ),
        SaveState::Failed(e) if app.save_gone => Span::styled(
            format!(
                "NOT SAVED: {e}; {} writes it again",
                keymap::key_for(keymap::GLOBAL, keymap::Action::RetrySave)
            ),
            Style::new().red().bold(),
        ),
        SaveState::Failed(e) => Span::styled(
            format!(
                "NOT SAVED: {e} (kept in memory; {} retries)",
                keymap::key_for(keymap::GLOBAL, keymap::Action::RetrySave)
            ),
            Style::new().red().bold(),
        ),
    };
    // Who is recording, said as such: "· RO" alone read as "read-only".
    let who = if app.who.is_empty() {
        String::new()
    } else {
        format!(
            " · recording as {}",
            shorten(&crate::text::line(&app.who), who_width(width))
        )
    };
    let mut spans = vec![Span::styled(
        format!(" {}{who} ", shorten(&app.name, who_width(width))),
        Style::new().add_modifier(Modifier::REVERSED),
    )];
    let mut parts = Vec::new();
    if app.creating {
        parts.push(Span::styled(
            format!("{} Creating the logbook…", spinner(app)),
            Style::new().bold(),
        ));
    }
    // A failed save comes first: no message may push it off the bar. Then the message,
    // which answers the key just pressed, then the other save states. Except the warning
    // that the next q loses the change: it comes before the failure's own (long) words,
    // which the bar may cut at 80 columns.
    let failed = matches!(app.save, SaveState::Failed(_));
    let mut save = Some(save).filter(|s| !s.content.is_empty());
    if failed && !app.quit_warned {
        parts.extend(save.take());
    }
    if let Some(m) = &app.message {
        parts.push(Span::styled(m.clone(), Style::new().bold()));
    }
    parts.extend(save);
    if let Some(history) = super::history_status(app) {
        parts.push(history);
    }
    // The count of concerns waiting gives way to a message too (the one after unlocking
    // says the same): it is back at the next key.
    if let Some(waiting) = app.concerns_status().filter(|_| app.message.is_none()) {
        parts.push(Span::styled(waiting, Style::new().yellow().bold()));
    }
    // A message is brief (the next key clears it): while it shows, it has the backup's room.
    // A history that failed its check cannot be backed up: B is not offered then.
    if app.book.is_some() && app.message.is_none() && app.trail_fault.is_none() {
        let (text, warn) = app.backup_status();
        let style = if warn {
            Style::new().red().bold()
        } else {
            Style::new()
        };
        parts.push(Span::styled(text, style));
    }
    for part in parts {
        spans.push(Span::raw(" · "));
        spans.push(part);
    }
    // The form's own footer lists its keys; the bar only says where help is.
    let hint = if matches!(app.phase, Phase::Unlock | Phase::Unlocking) {
        // `?` is text in a passphrase: the lock screen's help is on F1 only.
        format!(
            " {}",
            keymap::hints(keymap::UNLOCK, &[keymap::Action::Help])
        )
    } else if app.form.is_some() {
        format!(" {}", keymap::hints(keymap::FORM, &[keymap::Action::Help]))
    } else {
        format!(
            " {}",
            keymap::hints(keymap::GLOBAL, &[keymap::Action::Help])
        )
    };
    (Line::from(spans), hint)
}

/// The status bar at this width: its text wrapped into rows (at most three), and the hint
/// at the right of the last row, or on a row of its own when the text leaves no room there,
/// so that neither splits the other: a message reads whole, then where help is.
fn status_rows(app: &App, width: u16) -> (Vec<Line<'static>>, String) {
    let (line, hint) = status_line(app, width);
    let hint_width = hint.chars().count() + 1;
    let mut rows = wrap_line(&line, width);
    rows.truncate(3);
    if rows.last().map_or(0, Line::width) + hint_width > usize::from(width) {
        rows.push(Line::default());
    }
    (rows, hint)
}

/// Rows the status bar needs at this width: more than one when its text would otherwise be
/// cut, so a failed save and the message answering a key both stay in view.
fn status_height(app: &App, width: u16) -> u16 {
    status_rows(app, width).0.len() as u16
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let (rows, hint) = status_rows(app, area.width);
    let hint_width = (hint.chars().count() as u16 + 1).min(area.width);
    frame.render_widget(Paragraph::new(rows), area);
    let hint_area = Rect::new(
        area.right().saturating_sub(hint_width),
        area.bottom().saturating_sub(1),
        hint_width,
        1.min(area.height),
    );
    frame.render_widget(Paragraph::new(hint).dim(), hint_area);
}

/// Splits a styled line into rows of at most `width` columns at spaces, each word keeping
/// its style (as `wrap_words` does for plain text); the spaces where it breaks are dropped.
fn wrap_line(line: &Line<'static>, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    let mut rows = vec![Line::default()];
    let mut used = 0;
    // Spaces wait for the word after them: at a break they are dropped.
    let mut spaces: Vec<Span<'static>> = Vec::new();
    for span in &line.spans {
        for (k, word) in span.content.split(' ').enumerate() {
            if k > 0 {
                spaces.push(Span::styled(" ", span.style));
            }
            if word.is_empty() {
                continue;
            }
            let w = Span::raw(word).width();
            if used > 0 && used + spaces.len() + w > width {
                rows.push(Line::default());
                used = 0;
                spaces.clear();
            }
            let row = rows.last_mut().expect("a row");
            used += spaces.len() + w;
            row.spans.append(&mut spaces);
            row.spans.push(Span::styled(word.to_string(), span.style));
        }
    }
    if used + spaces.len() <= width
        && let Some(row) = rows.last_mut()
    {
        row.spans.append(&mut spaces);
    }
    rows
}

/// `text` cut to `width` columns (as the terminal counts them), with "…" where it was cut.
pub fn shorten(text: &str, width: usize) -> String {
    if Span::raw(text).width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if Span::raw(format!("{out}{c}…")).width() > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// The widths a `Table` gives its columns `widths` in `width` columns (as it lays them out:
/// from the start, one space between, no selection marker), so that a cell too wide for its
/// column can be shortened with "…" instead of cut off without a sign.
pub fn table_columns(widths: &[Constraint], width: u16) -> Vec<usize> {
    Layout::horizontal(widths.iter().copied())
        .flex(Flex::Start)
        .spacing(1)
        .split(Rect::new(0, 0, width, 1))
        .iter()
        .map(|r| usize::from(r.width))
        .collect()
}

/// A table row's cells, each shortened to its column (`table_columns`).
pub fn fit_cells(cells: Vec<String>, columns: &[usize]) -> Vec<String> {
    cells
        .into_iter()
        .zip(columns)
        .map(|(cell, width)| shorten(&cell, *width))
        .collect()
}

/// The sign on a table's border that rows lie above or below the ones shown ("↑ 2 more
/// · ↓ 14 more incidents"), worded as the pop-ups' "↓ N more lines"; None when all show,
/// or when a form, pop-up or help covers the table (the sign is about moving in it).
/// `start` is the first row shown, `shown` how many fit, `total` how many there are.
pub fn more_rows(
    app: &App,
    (start, shown, total): (usize, usize, usize),
    (one, many): (&str, &str),
) -> Option<Line<'static>> {
    if app.top() != Layer::Screen {
        return None;
    }
    let below = total.saturating_sub(start + shown);
    let mut parts = Vec::new();
    if start > 0 {
        parts.push(format!("↑ {start} more"));
    }
    if below > 0 {
        parts.push(format!("↓ {below} more"));
    }
    // The noun agrees with the last count said: "↓ 1 more incident".
    let noun = if below == 1 || (below == 0 && start == 1) {
        one
    } else {
        many
    };
    (!parts.is_empty())
        .then(|| Line::from(format!(" {} {noun} ", parts.join(" · "))).right_aligned())
}

/// Splits text into lines of at most `width` columns at spaces (a word longer than a line
/// is cut), so labels and messages are wrapped rather than cut off.
pub fn wrap_words(text: &str, width: u16) -> Vec<String> {
    let width = usize::from(width.max(1));
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let w = Span::raw(word).width();
        let have = Span::raw(line.as_str()).width();
        if have > 0 && have + 1 + w > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

fn draw_picker(frame: &mut Frame, area: Rect, app: &App) {
    let Some(p) = &app.picker else { return };
    // The options that match, then (in a free-text picker) the typed text as it is.
    let mut labels: Vec<String> = p
        .visible()
        .iter()
        .map(|i| p.options[*i].label.clone())
        .collect();
    if let Some(typed) = p.typed_row() {
        labels.push(format!("\"{}\" as typed", crate::text::line(typed)));
    }
    let height = (labels.len() as u16 + 3)
        .min(area.height.saturating_sub(2))
        .max(5);
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Percentage(70)])
        .flex(Flex::Center)
        .areas(v);
    frame.render_widget(Clear, h);
    let footer = if app.must_choose_who() {
        // Someone must record: no Esc to offer, and a name not in the list is taken.
        format!(
            " type your name or choose, then {} ",
            keymap::key_for(keymap::CHOOSE_WHO, keymap::Action::Choose)
        )
    } else {
        format!(
            " {} · {} {} · {} ",
            keymap::hints(keymap::PICKER, &[keymap::Action::TypeToFilter]),
            keymap::key_for(keymap::PICKER, keymap::Action::Up),
            keymap::key_for(keymap::PICKER, keymap::Action::Down),
            keymap::hints(
                keymap::PICKER,
                &[keymap::Action::Choose, keymap::Action::Cancel],
            )
        )
    };
    let block = Block::bordered()
        .title(format!(" {} ", p.title))
        .title_bottom(footer);
    let inner = block.inner(h);
    frame.render_widget(block, h);
    let [filter_area, list_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    frame.render_widget(
        Paragraph::new(format!("Filter: {}_", crate::text::line(&p.filter))).dim(),
        filter_area,
    );
    let selected = p.selected.min(labels.len().saturating_sub(1));
    let rows = list_area.height as usize;
    let start = selected.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = labels
        .into_iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(n, label)| {
            // A label wider than the box ends in "…" rather than at the border.
            let label = shorten(&label, usize::from(list_area.width).saturating_sub(2));
            if n == selected {
                Line::styled(
                    format!("> {label}"),
                    Style::new().add_modifier(Modifier::REVERSED),
                )
            } else {
                Line::raw(format!("  {label}"))
            }
        })
        .collect();
    let lines = if lines.is_empty() && app.phase == Phase::ChooseWho && !p.filter.trim().is_empty()
    {
        // Someone not in the list: the name typed is taken as it is.
        vec![Line::raw(format!(
            "  {}: record as {}",
            keymap::key_for(keymap::PICKER, keymap::Action::Choose),
            crate::text::line(p.filter.trim())
        ))]
    } else if lines.is_empty() {
        vec![Line::raw(format!(
            "  (nothing matches: {})",
            keymap::key_for(keymap::PICKER, keymap::Action::DeleteBack)
        ))]
    } else {
        lines
    };
    frame.render_widget(Paragraph::new(lines), list_area);
}

/// The help over what has the keyboard beneath it: that layer's keys, then the keys that
/// work everywhere (not over a form or a picker, where they are text).
fn draw_help(frame: &mut Frame, area: Rect, app: &App) {
    let Some(help) = &app.help else { return };
    let table = app.keymap();
    let mut entries = keymap::help(table);
    let locked = matches!(app.phase, Phase::Unlock | Phase::Unlocking);
    // Where keys type text (a filter), the global keys are text too.
    let typing = table
        .iter()
        .any(|b| b.action == keymap::Action::TypeToFilter);
    if app.form.is_none() && app.picker.is_none() && !locked && !typing {
        entries.extend(keymap::help(keymap::GLOBAL));
    }
    // Over a form: the keys its fields take for their text, after the form's own.
    if !locked && app.below_help() == Layer::Form {
        entries.extend(keymap::help(keymap::EDITING));
    }
    help.draw(frame, area, &entries);
}

/// A table over a box showing its selected row whole: the table takes the `rows` it needs
/// (with its top border and header row), leaving the box at least a third of the screen
/// (between `least` and 12 lines). Neither depends on which row is selected, so nothing
/// jumps as the selection moves. The chronology and the logbook's history share it.
pub(super) fn table_over_box(area: Rect, rows: usize, least: u16) -> [Rect; 2] {
    let least = (area.height / 3).clamp(least, 12);
    let table = (rows as u16)
        .saturating_add(2)
        .min(area.height.saturating_sub(least));
    Layout::vertical([Constraint::Length(table), Constraint::Fill(1)]).areas(area)
}
