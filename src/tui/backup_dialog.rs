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
    /// The result: the summary (paragraphs apart by a blank line: what was written, the
    /// backups on the medium, then that it may be removed) or why it failed; `scroll`: how
    /// far the middle is scrolled, so the verdict above and the word to eject below stay
    /// in view whatever the medium holds (tester3 #36).
    Done {
        result: Result<String, String>,
        scroll: u16,
    },
}

/// What a key did in the dialog.
pub enum Outcome {
    Stay,
    Close,
    /// Back up into this folder.
    Start(PathBuf),
}

impl BackupStep {
    /// The result of a backup, scrolled to the top.
    pub fn done(result: Result<String, String>) -> BackupStep {
        BackupStep::Done { result, scroll: 0 }
    }

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
                        // `~/STICK` and a path pasted in quotes, as a shell takes them.
                        None => super::fingerprint::typed_path(&folder.value()),
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
            BackupStep::Done { scroll, .. } => match action {
                Some(Action::Choose | Action::Cancel) => return Outcome::Close,
                // Drawing clamps it to what there is to see.
                Some(Action::Down) => *scroll = scroll.saturating_add(1),
                Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                _ => {}
            },
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
            BackupStep::Done { result, scroll } => done(frame, inner, result, *scroll),
        }
    }
}

/// Lines of `text` wrapped to `width`, a line's leading spaces (a list's indent) kept on
/// each of its rows.
fn wrapped(text: &str, width: u16) -> Vec<String> {
    let mut out = Vec::new();
    for l in text.lines() {
        let body = l.trim_start();
        let indent = &l[..l.len() - body.len()];
        let rows = crate::tui::view::wrap_words(body, width.saturating_sub(indent.len() as u16));
        if rows.is_empty() {
            out.push(String::new());
        }
        out.extend(rows.into_iter().map(|r| format!("{indent}{r}")));
    }
    out
}

/// The result box: the verdict and what was written at the top, how to close (and, after a
/// good backup, that the medium may be ejected) at the bottom, always in view; between
/// them the backups on the medium, scrolled with the arrows, with how many more lines
/// there are above and below (tester3 #36).
fn done(frame: &mut Frame, inner: Rect, result: &Result<String, String>, scroll: u16) {
    let (title, body, style) = match result {
        Ok(summary) => ("Backup verified", summary.as_str(), Style::new().bold()),
        Err(e) => (
            "Backup FAILED: nothing that looks like a good backup was left",
            e.as_str(),
            Style::new().red().bold(),
        ),
    };
    let paragraphs: Vec<&str> = body.split("\n\n").collect();
    let (head, middle, foot) = match (result, paragraphs.as_slice()) {
        (Ok(_), [head, middle @ .., foot]) => (*head, middle.join("\n\n"), Some(*foot)),
        _ => (body, String::new(), None),
    };
    let width = inner.width;
    let closes = Line::raw(format!(
        "{} or {} closes",
        keymap::key_for(keymap::BACKUP, keymap::Action::Choose),
        keymap::key_for(keymap::BACKUP, keymap::Action::Cancel)
    ))
    .dim();
    let mut top = vec![Line::styled(title, style), Line::raw("")];
    top.extend(wrapped(head, width).into_iter().map(Line::raw));
    let mut bottom = Vec::new();
    if let Some(foot) = foot {
        bottom.push(Line::raw(""));
        bottom.extend(
            wrapped(foot, width)
                .into_iter()
                .map(|l| Line::styled(l, Style::new().bold())),
        );
    }
    bottom.push(Line::raw(""));
    bottom.push(closes);
    let rows = wrapped(&middle, width);
    let room = usize::from(inner.height).saturating_sub(top.len() + bottom.len());
    let mut shown: Vec<Line> = Vec::new();
    if !rows.is_empty() && room > 0 {
        shown.push(Line::raw(""));
        let room = room - 1;
        if rows.len() <= room {
            shown.extend(rows.iter().map(|r| Line::raw(r.clone())));
        } else {
            // One line says what is above and below, and how to see it.
            let window = room.saturating_sub(1);
            let first = usize::from(scroll).min(rows.len().saturating_sub(window));
            let below = rows.len().saturating_sub(first + window);
            shown.extend(
                rows.iter()
                    .skip(first)
                    .take(window)
                    .map(|r| Line::raw(r.clone())),
            );
            let mut sign = Vec::new();
            if first > 0 {
                sign.push(format!("↑ {first} more"));
            }
            if below > 0 {
                sign.push(format!("↓ {below} more"));
            }
            sign.push(format!(
                "{}/{} scroll",
                keymap::key_for(keymap::BACKUP, keymap::Action::Up),
                keymap::key_for(keymap::BACKUP, keymap::Action::Down)
            ));
            shown.push(Line::raw(sign.join(" · ")).dim());
        }
    }
    let mut lines = top;
    lines.extend(shown);
    lines.extend(bottom);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// "1 entry", "12 entries".
fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The result of a good backup, as the dialog shows it: what was written; what rotation
/// removed or kept; each backup on the medium with whether the logbook's trail extends it
/// (the proof that nothing recorded since was rewritten); and that the medium may be
/// ejected. Paragraphs apart by a blank line (see `BackupStep::Done`).
pub fn summary(
    report: &crate::backup::Report,
    key: &crate::vault::Key,
    book: &crate::model::Logbook,
    dir: &std::path::Path,
    keep: usize,
) -> String {
    use crate::backup::{Relation, State};
    let shown = |t: &str| crate::text::line(t).into_owned();
    let mut head = format!(
        "{} written and verified: {}, {}, {} bytes, SHA-256 {}.",
        crate::text::path(&report.path),
        count(report.incidents, "incident", "incidents"),
        count(report.head.len, "audit entry", "audit entries"),
        report.size,
        &report.sha256[..16.min(report.sha256.len())]
    );
    let rotation = &report.rotation;
    if !rotation.removed.is_empty() {
        head.push_str(&format!(
            " Removed {}, keeping the newest {keep}: {}.",
            count(
                rotation.removed.len() as u64,
                "older backup",
                "older backups"
            ),
            rotation.removed.join(", ")
        ));
    }
    if !rotation.dropped_by_restore.is_empty() {
        let names: Vec<&str> = rotation
            .dropped_by_restore
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        head.push_str(&format!(
            " Kept {} beyond the newest {keep}: {} history a restore dropped and may open with keys removed since ({}); `logbook backup --to DIR --keep {keep} --yes` removes {}.",
            count(names.len() as u64, "older backup", "older backups"),
            if names.len() == 1 { "it holds" } else { "they hold" },
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" },
        ));
    }
    for name in &rotation.kept_as_evidence {
        head.push_str(&format!(
            " Kept {name} beyond the newest {keep}: its history differs from the logbook's, so it is evidence of a change (`logbook verify --against`)."
        ));
    }
    let mut text = head;
    let opener = crate::backup::Opener::new(key, Some(book));
    if let Ok(listing) = crate::backup::list(dir, &opener, Some(book)) {
        text.push_str(
            "\n\nBackups on this medium, with what the logbook added since (its history unchanged):",
        );
        let newest = report
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        for item in &listing.items {
            let relation = match (&item.state, &item.relation) {
                _ if newest.as_deref() == Some(item.name.as_str()) => "just written".to_string(),
                (State::Verified, Some(Relation::Extends(0))) => "nothing since".to_string(),
                (State::Verified, Some(Relation::Extends(n))) => {
                    format!("+{} since", count(*n, "entry", "entries"))
                }
                (State::Verified, Some(Relation::DroppedByRestore(d))) => format!(
                    "holds history the restore of {} dropped",
                    crate::present::at(&d.at)
                ),
                (State::Verified, Some(Relation::Diverges(d))) => format!("HISTORY DIFFERS: {d}"),
                (State::Unknown(_), _) => "not opened by this logbook's keys".to_string(),
                (State::Damaged(why), _) => shown(why),
                _ => String::new(),
            };
            text.push_str(&format!(
                "\n  {}  {}  {relation}",
                shown(&item.name),
                item.state.label()
            ));
        }
    }
    // As the command line says it: a stick pulled out without ejecting may be left
    // half-written (tester3 #32).
    text.push_str("\n\nEverything is written to the medium: eject it before unplugging it.");
    text
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyCode;

    use crate::tui::app::Effect;
    use crate::tui::tests::{demo_app, keys, press, render, snap};

    /// A backup result as `summary` writes it, with `n` backups on the medium.
    fn result(n: usize) -> String {
        let mut text = "/media/dsl/SAFE-USB/logbook-20261116-090000.age written and verified: 30 incidents, 212 audit entries, 48211 bytes, SHA-256 5f0c2a9e81d7b3c4.\n\nBackups on this medium, with what the logbook added since (its history unchanged):".to_string();
        for i in 0..n {
            let relation = if i == 0 {
                "just written".to_string()
            } else {
                format!(
                    "+{} since",
                    if i == 1 {
                        "1 entry".to_string()
                    } else {
                        format!("{i} entries")
                    }
                )
            };
            text.push_str(&format!(
                "\n  logbook-202611{:02}-090000.age  verified  {relation}",
                16 - i
            ));
        }
        text.push_str("\n\nEverything is written to the medium: eject it before unplugging it.");
        text
    }

    /// Ten backups on the stick (the default to keep): the verdict above and the word to
    /// eject below stay in view at 80x24 and 100x30, the list scrolls between them with a
    /// sign saying how much more there is (tester3 #36).
    #[test]
    fn a_long_list_of_backups_scrolls_between_the_verdict_and_the_word_to_eject() {
        let mut app = demo_app();
        press(&mut app, KeyCode::Char('B'));
        app.effects.clear();
        app.volumes_found(Vec::new());
        keys(&mut app, "/media/dsl/SAFE-USB");
        press(&mut app, KeyCode::Enter);
        app.effects.clear();
        app.backed_up(Ok(("logbook-20261116-090000.age".into(), result(10))), None);
        for (w, h) in [(80, 24), (100, 30)] {
            let screen = render(&mut app, w, h);
            assert!(screen.contains("Backup verified"), "{screen}");
            assert!(screen.contains("eject it before"), "{screen}");
            assert!(screen.contains("Enter or Esc closes"), "{screen}");
        }
        let screen = render(&mut app, 80, 24);
        assert!(screen.contains("↓ "), "{screen}");
        assert!(!screen.contains("logbook-20261107"), "{screen}");
        snap("backup-done-ten", &mut app);
        for _ in 0..20 {
            press(&mut app, KeyCode::Down);
        }
        let screen = render(&mut app, 80, 24);
        assert!(
            screen.contains("logbook-20261107"),
            "the last backup: {screen}"
        );
        assert!(screen.contains("↑ "), "{screen}");
        assert!(screen.contains("eject it before"), "{screen}");
        press(&mut app, KeyCode::Enter);
        assert!(app.backup.is_none());
    }

    /// A folder typed as the shell takes it: `~/` is the home folder, and quotes pasted
    /// around a path go (tester3 #17, #32).
    #[test]
    fn a_folder_typed_with_a_tilde_or_in_quotes_is_the_folder_meant() {
        let home = std::env::var("HOME").unwrap_or_default();
        for (typed, meant) in [
            ("~/usb".to_string(), format!("{home}/usb")),
            (
                "'/media/dsl/MY STICK'".to_string(),
                "/media/dsl/MY STICK".to_string(),
            ),
            (
                "\"/media/dsl/MY STICK\"".to_string(),
                "/media/dsl/MY STICK".to_string(),
            ),
        ] {
            let mut app = demo_app();
            press(&mut app, KeyCode::Char('B'));
            app.effects.clear();
            app.volumes_found(Vec::new());
            keys(&mut app, &typed);
            press(&mut app, KeyCode::Enter);
            assert!(
                matches!(app.effects.as_slice(), [Effect::Backup(p)] if p.to_str() == Some(meant.as_str())),
                "{typed} is not backed up into {meant}"
            );
        }
    }
}
