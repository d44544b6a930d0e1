//! The backup dialog: choose a medium (or type a folder), watch the backup run, read the
//! result. Its keys come from `keymap::BACKUP`; it asks the loop for the backup through
//! what `handle` returns.

use std::path::PathBuf;

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::form::Field;
use super::keymap::{self, Action};

/// The backup dialog: choose a medium, watch it run, read the result.
pub enum BackupStep {
    /// `selected == volumes.len()` is the "type a folder" line.
    Choose {
        volumes: Vec<(String, PathBuf)>,
        selected: usize,
        folder: Box<Field>,
    },
    Running {
        to: String,
        bytes: u64,
        total: u64,
        stage: &'static str,
    },
    Done(Result<String, String>),
}

/// What a key did in the dialog.
pub enum Outcome {
    Stay,
    Close,
    /// Back up into this folder.
    Start(PathBuf),
}

impl BackupStep {
    /// A key in the dialog. `incidents`: what the progress counts until the file's size
    /// is known.
    pub fn handle(&mut self, ev: KeyEvent, incidents: u64) -> Outcome {
        let action = keymap::lookup(keymap::BACKUP, &ev);
        match self {
            BackupStep::Choose {
                volumes,
                selected,
                folder,
            } => match action {
                Some(Action::Up) => *selected = selected.saturating_sub(1),
                Some(Action::Down) => *selected = (*selected + 1).min(volumes.len()),
                Some(Action::Cancel) => return Outcome::Close,
                Some(Action::Choose) => {
                    let to = match volumes.get(*selected) {
                        Some((_, path)) => path.clone(),
                        None if folder.value().is_empty() => {
                            folder.error = Some(format!(
                                "Type the folder to back up into (on the removable medium), then {}",
                                keymap::key_for(keymap::BACKUP, Action::Choose)
                            ));
                            return Outcome::Stay;
                        }
                        None => PathBuf::from(folder.value()),
                    };
                    *self = BackupStep::Running {
                        to: to.display().to_string(),
                        bytes: 0,
                        total: incidents,
                        stage: "Writing",
                    };
                    return Outcome::Start(to);
                }
                _ if *selected == volumes.len() => {
                    folder.input.input(ev);
                    folder.error = None;
                }
                _ => {}
            },
            // A backup in progress is not interrupted from the keyboard: the medium is
            // left with a whole backup or none.
            BackupStep::Running { .. } => {}
            BackupStep::Done(_) => {
                if matches!(action, Some(Action::Choose | Action::Cancel)) {
                    return Outcome::Close;
                }
            }
        }
        Outcome::Stay
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect) {
        let step = self;
        let [v] = Layout::vertical([Constraint::Length(20)])
            .flex(Flex::Center)
            .areas(area);
        let [h] = Layout::horizontal([Constraint::Percentage(80)])
            .flex(Flex::Center)
            .areas(v);
        frame.render_widget(Clear, h);
        let block = Block::bordered().title(" Back up to removable media ");
        let inner = block.inner(h);
        frame.render_widget(block, h);
        match step {
            BackupStep::Choose {
                volumes,
                selected,
                folder,
            } => {
                let mut lines = vec![
                    Line::raw("Choose where to write an encrypted, verified backup:"),
                    Line::raw(""),
                ];
                if volumes.is_empty() {
                    lines.push(
                        Line::raw(
                            "  No removable medium found: insert one, or type a folder below.",
                        )
                        .dim(),
                    );
                }
                for (i, (label, _)) in volumes.iter().enumerate() {
                    let text = format!("  {label}");
                    lines.push(if i == *selected {
                        Line::styled(text, Style::new().add_modifier(Modifier::REVERSED))
                    } else {
                        Line::raw(text)
                    });
                }
                let typed = format!("  Folder: {}_", crate::text::line(&folder.text()));
                lines.push(if *selected == volumes.len() {
                    Line::styled(typed, Style::new().add_modifier(Modifier::REVERSED))
                } else {
                    Line::raw(typed)
                });
                if let Some(e) = &folder.error {
                    lines.push(Line::styled(e.clone(), Style::new().red()));
                }
                lines.push(Line::raw(""));
                lines.push(
                    Line::raw(format!(
                        "type a folder on the last line · {}",
                        keymap::hints(
                            keymap::BACKUP,
                            &[
                                keymap::Action::Up,
                                keymap::Action::Down,
                                keymap::Action::Choose,
                                keymap::Action::Cancel,
                            ],
                        )
                    ))
                    .dim(),
                );
                frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
            }
            BackupStep::Running {
                to,
                bytes,
                total,
                stage,
            } => {
                let [text_area, gauge_area, _] = Layout::vertical([
                    Constraint::Length(3),
                    Constraint::Length(1),
                    Constraint::Min(0),
                ])
                .areas(inner);
                frame.render_widget(
                    Paragraph::new(format!(
                        "Backing up to {}\n{stage}...",
                        crate::text::line(to)
                    ))
                    .wrap(Wrap { trim: false }),
                    text_area,
                );
                let ratio = if *bytes == u64::MAX {
                    1.0
                } else if *total == 0 {
                    0.0
                } else {
                    (*bytes as f64 / *total as f64).min(1.0)
                };
                frame.render_widget(
                    ratatui::widgets::Gauge::default()
                        .ratio(ratio)
                        .label(format!("{:.0}%", ratio * 100.0)),
                    gauge_area,
                );
            }
            BackupStep::Done(result) => {
                let (title, body, style) = match result {
                    Ok(summary) => ("Backup verified", summary.clone(), Style::new().bold()),
                    Err(e) => (
                        "Backup FAILED: nothing that looks like a good backup was left",
                        e.clone(),
                        Style::new().red().bold(),
                    ),
                };
                let mut lines = vec![Line::styled(title, style), Line::raw("")];
                lines.extend(body.lines().map(|l| Line::raw(l.to_string())));
                lines.extend([
                    Line::raw(""),
                    Line::raw(format!(
                        "{} or {} closes",
                        keymap::key_for(keymap::BACKUP, keymap::Action::Choose),
                        keymap::key_for(keymap::BACKUP, keymap::Action::Cancel)
                    ))
                    .dim(),
                ]);
                frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
            }
        }
    }
}
