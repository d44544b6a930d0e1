//! Drawing. Reads the app state and the clock value in it, nothing else: no I/O, no
//! `now()`, so every screen is a pure function of the state and snapshots are stable.
//! Every string from the logbook goes through `text::line` or `text::block`.

pub mod chronology;
mod concerns;
pub mod detail;
mod list;
mod people;
mod retention;
mod statistics;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::app::{App, Layer, Phase, SaveState, Screen};
use super::keymap;

/// The screen's area and the status bar's, at this size.
fn split(app: &App, area: Rect) -> [Rect; 2] {
    let height = status_height(app, area.width);
    Layout::vertical([Constraint::Min(1), Constraint::Length(height)]).areas(area)
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
        Phase::Unlock | Phase::Unlocking => draw_unlock(frame, main, app),
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
                    Screen::Statistics { period } => statistics::draw(frame, main, app, period),
                    Screen::Retention { selected, confirm } => {
                        retention::draw(frame, main, app, selected, confirm)
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

/// The status bar's text and the help hint at its right.
fn status_line(app: &App) -> (Line<'static>, String) {
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
        format!(" · recording as {}", crate::text::line(&app.who))
    };
    let mut spans = vec![Span::styled(
        format!(" {}{who} ", app.name),
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
    // which answers the key just pressed, then the other save states.
    let failed = matches!(app.save, SaveState::Failed(_));
    let mut save = Some(save).filter(|s| !s.content.is_empty());
    if failed {
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
    if app.book.is_some() && app.message.is_none() {
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

/// Rows the status bar needs at this width: more than one (up to three) when its text would
/// otherwise be cut, so a failed save and the message answering a key both stay in view.
fn status_height(app: &App, width: u16) -> u16 {
    let (line, hint) = status_line(app);
    let room = width.saturating_sub(hint.chars().count() as u16 + 1);
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    (wrap_words(&text, room).len() as u16).clamp(1, 3)
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let (line, hint) = status_line(app);
    let [left, right] = Layout::horizontal([
        Constraint::Min(1),
        Constraint::Length(hint.chars().count() as u16 + 1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), left);
    frame.render_widget(Paragraph::new(hint).dim(), right);
}

fn draw_unlock(frame: &mut Frame, area: Rect, app: &App) {
    // Key mode has two fields and a warning to show.
    let mut lines = vec![
        Line::from(vec![
            Span::raw("Logbook: "),
            Span::styled(app.name.clone(), Style::new().bold()),
        ]),
        Line::raw(""),
    ];
    if app.phase == Phase::Unlocking {
        lines.push(Line::raw(format!("{} Unlocking...", spinner(app))));
    } else if app.key_mode {
        let cursor = |focused: bool| if focused { "_" } else { "" };
        lines.push(Line::raw("This logbook opens with a key file."));
        lines.push(Line::from(vec![
            Span::raw(if app.key_focus {
                "▶ Key file: "
            } else {
                "  Key file: "
            }),
            Span::raw(crate::text::line(&app.key_file.text()).into_owned()),
            Span::raw(cursor(app.key_focus)),
        ]));
        lines.push(Line::from(vec![
            Span::raw(if app.key_focus {
                "  Its passphrase (if it has one): "
            } else {
                "▶ Its passphrase (if it has one): "
            }),
            Span::raw("•".repeat(app.unlock.text().chars().count())),
            Span::raw(cursor(!app.key_focus)),
        ]));
        lines.push(Line::raw(""));
        lines.push(
            Line::raw(keymap::hints(
                keymap::UNLOCK,
                &[
                    keymap::Action::NextField,
                    keymap::Action::Unlock,
                    keymap::Action::Quit,
                ],
            ))
            .dim(),
        );
        if app.key_unprotected && !app.switching {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!(
                    "This key file has no passphrase: {} alone unlocks it, so this lock only hides the screen.",
                    keymap::key_for(keymap::UNLOCK, keymap::Action::Unlock)
                ),
                Style::new().yellow().bold(),
            ));
        }
    } else {
        lines.push(Line::from(vec![
            Span::raw("Passphrase: "),
            Span::raw("•".repeat(app.unlock.text().chars().count())),
            Span::raw("_"),
        ]));
        lines.push(Line::raw(""));
        lines.push(
            Line::raw(keymap::hints(
                keymap::UNLOCK,
                &[keymap::Action::Unlock, keymap::Action::Quit],
            ))
            .dim(),
        );
    }
    if let Some(e) = &app.unlock_error {
        lines.push(Line::raw(""));
        lines.push(Line::styled(e.clone(), Style::new().red().bold()));
    }
    if app.draft.is_some() {
        lines.push(Line::raw(""));
        lines.push(Line::raw(
            "A form you were filling in is kept, encrypted, and reopens after unlocking.",
        ));
    }
    // As high as its wrapped lines (at least the old half of the screen): a message and
    // the note about the kept form are never cut at 80x24.
    let width = area.width * 7 / 10;
    let needed: usize = lines
        .iter()
        .map(|l| {
            wrap_words(&l.to_string(), width.saturating_sub(2))
                .len()
                .max(1)
        })
        .sum();
    let height = (needed as u16 + 2)
        .max(area.height * if app.key_mode { 7 } else { 5 } / 10)
        .min(area.height);
    let [v] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [box_area] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(v);
    frame.render_widget(Clear, box_area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" Locked ")),
        box_area,
    );
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
    let block = Block::bordered()
        .title(format!(" {} ", p.title))
        .title_bottom(format!(
            " {} · {} {} · {} ",
            keymap::hints(keymap::PICKER, &[keymap::Action::TypeToFilter]),
            keymap::key_for(keymap::PICKER, keymap::Action::Up),
            keymap::key_for(keymap::PICKER, keymap::Action::Down),
            keymap::hints(
                keymap::PICKER,
                &[keymap::Action::Choose, keymap::Action::Cancel],
            )
        ));
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
    help.draw(frame, area, &entries);
}
