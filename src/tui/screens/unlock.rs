//! The lock screen: the passphrase, or in key mode the key file's path and its passphrase,
//! with what went wrong last time. Its keys come from `keymap::UNLOCK`.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::app::Effect;
use crate::tui::form::{Field, FieldKind};
use crate::tui::keymap::{self, Action};
use crate::tui::view::wrap_words;

pub struct Unlock {
    /// Key mode: unlock with the key file named here instead of a passphrase.
    pub identity: Option<String>,
    /// The logbook opens with key files: the unlock screen asks for a key file's path
    /// (`key_file`) and, if the file is protected, its passphrase.
    pub key_mode: bool,
    pub key_file: Field,
    /// The key file field has the keyboard (else the passphrase field).
    pub key_focus: bool,
    /// The key file that opened the logbook has no passphrase: Enter alone unlocks it,
    /// so the lock only hides the screen, and the lock screen says so.
    pub key_unprotected: bool,
    /// That key file, with no passphrase, is readable by other users of this computer
    /// (its permission bits): said on the lock screen, as the command line says it.
    pub key_open_to_others: Option<u32>,
    /// Locked to switch recorder: the key file field starts empty.
    pub switching: bool,
    pub passphrase: Field,
    /// Why the last try did not unlock.
    pub error: Option<String>,
    /// Key mode only because no key file is beside the logbook (none given at start): the
    /// name that key file would have (`NAME.key.age`), for a passphrase logbook moved or
    /// renamed without it (tester4 #4).
    pub missing_key_file: Option<String>,
    /// A passphrase logbook also sealed to key holders' keys: Tab offers a key file
    /// instead of the passphrase, and an empty key file path goes back to the passphrase
    /// (tester3 #32).
    pub passphrase_or_key: bool,
    /// The other key files given with `--identity` after the first: tried in turn when
    /// the one on the screen does not open the logbook (tester3 #1).
    pub other_key_files: Vec<String>,
}

fn passphrase_field() -> Field {
    Field::new("passphrase", "Passphrase", FieldKind::Secret)
}

fn key_file_field() -> Field {
    Field::new("key_file", "Key file", FieldKind::Text)
}

impl Default for Unlock {
    fn default() -> Unlock {
        let mut passphrase = passphrase_field();
        passphrase.required = true;
        Unlock {
            identity: None,
            key_mode: false,
            key_file: key_file_field(),
            key_focus: false,
            key_unprotected: false,
            key_open_to_others: None,
            switching: false,
            passphrase,
            error: None,
            missing_key_file: None,
            passphrase_or_key: false,
            other_key_files: Vec::new(),
        }
    }
}

impl Unlock {
    /// A key of the lock screen other than quitting (the app decides that, as a kept form
    /// may be lost by it): the unlock to start once something is typed.
    pub fn handle(&mut self, action: Option<Action>, ev: KeyEvent) -> Option<Effect> {
        match action {
            Some(Action::Unlock) => {
                let secret = zeroize::Zeroizing::new(self.passphrase.text());
                let path = self.key_file.text().trim().to_string();
                if self.key_mode && path.is_empty() && self.passphrase_or_key {
                    // No key file typed: the logbook's own passphrase.
                    self.identity = None;
                    if secret.is_empty() {
                        self.error = Some(format!(
                            "Type the logbook's passphrase, or a key file's path, then {}.",
                            keymap::key_for(keymap::UNLOCK, Action::Unlock)
                        ));
                        return None;
                    }
                } else if self.key_mode {
                    if path.is_empty() {
                        self.error = Some(format!(
                            "Type the path of your key file (from `logbook keygen`), then {}.",
                            keymap::key_for(keymap::UNLOCK, Action::Unlock)
                        ));
                        self.key_focus = true;
                        return None;
                    }
                    // As typed in a shell: `~/dsl.key` (the README's path) and a path
                    // pasted in quotes (tester3 #17).
                    self.identity = Some(
                        crate::tui::fingerprint::typed_path(&path)
                            .to_string_lossy()
                            .into_owned(),
                    );
                } else if secret.is_empty() {
                    self.error = Some(format!(
                        "Type the passphrase, then {}.",
                        keymap::key_for(keymap::UNLOCK, Action::Unlock)
                    ));
                    return None;
                }
                self.error = None;
                self.passphrase = passphrase_field();
                return Some(Effect::Unlock(secret));
            }
            Some(Action::NextField) if self.key_mode => self.key_focus = !self.key_focus,
            // A key holder of a passphrase logbook: their key file instead.
            Some(Action::NextField) if self.passphrase_or_key => {
                self.key_mode = true;
                self.key_focus = true;
                self.error = None;
            }
            _ if self.key_mode && self.key_focus => {
                self.key_file.input.input(ev);
            }
            _ => {
                self.passphrase.input.input(ev);
            }
        }
        None
    }

    /// The app has locked: the fields start again. When locked to switch recorder, what
    /// the status bar should say.
    pub fn locked(&mut self) -> Option<String> {
        self.error = None;
        self.passphrase = passphrase_field();
        if self.switching {
            // Another holder takes over: they give their own key file.
            self.key_file = key_file_field();
            self.key_focus = true;
            return Some(format!(
                "Locked to switch recorder: give your own key file, then {}.",
                keymap::key_for(keymap::UNLOCK, Action::Unlock)
            ));
        }
        self.key_focus = self.key_mode && self.key_file.text().trim().is_empty();
        None
    }

    /// The lock box in the middle of `area`. `unlocking`: the spinner while the logbook is
    /// decrypted; `draft_kept`: a form in progress waits, encrypted, for the unlock, with
    /// who was recording when it was kept (whoever unlocks may be someone else).
    pub fn draw(
        &self,
        frame: &mut Frame,
        area: Rect,
        name: &str,
        unlocking: Option<&str>,
        draft_kept: Option<&str>,
    ) {
        // Key mode has two fields and a warning to show.
        let mut lines = vec![
            Line::from(vec![
                Span::raw("Logbook: "),
                Span::styled(name.to_string(), Style::new().bold()),
            ]),
            Line::raw(""),
        ];
        if let Some(spinner) = unlocking {
            lines.push(Line::raw(format!("{spinner} Unlocking...")));
        } else if self.key_mode {
            let cursor = |focused: bool| if focused { "_" } else { "" };
            if let Some(key_file) = &self.missing_key_file {
                // Perhaps a passphrase logbook moved or renamed without its key file: the
                // program cannot tell without a secret, so both are said.
                lines.push(Line::raw(format!(
                    "This logbook opens with a key file. If it is a passphrase logbook, its key file {key_file} is missing beside it: put it back (moved or renamed, the logbook left it as NAME.key.age beside its old name; every backup folder holds a copy, logbook-ID-key-FPR.age), or type that key file's path below with the passphrase."
                )));
            } else if self.passphrase_or_key {
                lines.push(Line::raw(
                    "Your key file (leave it empty to use the logbook's passphrase):",
                ));
            } else {
                lines.push(Line::raw("This logbook opens with a key file."));
            }
            lines.push(Line::from(vec![
                Span::raw(if self.key_focus {
                    "▶ Key file: "
                } else {
                    "  Key file: "
                }),
                Span::raw(crate::text::line(&self.key_file.text()).into_owned()),
                Span::raw(cursor(self.key_focus)),
            ]));
            lines.push(Line::from(vec![
                Span::raw(if self.key_focus {
                    "  Its passphrase (if it has one): "
                } else {
                    "▶ Its passphrase (if it has one): "
                }),
                Span::raw("•".repeat(self.passphrase.text().chars().count())),
                Span::raw(cursor(!self.key_focus)),
            ]));
            if !self.other_key_files.is_empty() && !self.switching {
                let others: Vec<String> = self
                    .other_key_files
                    .iter()
                    .map(|p| crate::text::line(p).into_owned())
                    .collect();
                lines.push(Line::raw(format!(
                    "  Also tried: {} (any that opens it)",
                    others.join(", ")
                )));
            }
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
            if self.key_unprotected && !self.switching {
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    format!(
                        "This key file has no passphrase: {} alone unlocks it, so this lock only hides the screen.",
                        keymap::key_for(keymap::UNLOCK, keymap::Action::Unlock)
                    ),
                    Style::new().yellow().bold(),
                ));
                if let Some(mode) = self.key_open_to_others {
                    lines.push(Line::styled(
                        format!(
                            "Other users of this computer can read it too (mode {mode:o}): make it yours alone with `chmod 600 {}`.",
                            crate::text::line(&self.key_file.text())
                        ),
                        Style::new().yellow().bold(),
                    ));
                }
            }
        } else {
            lines.push(Line::from(vec![
                Span::raw("Passphrase: "),
                Span::raw("•".repeat(self.passphrase.text().chars().count())),
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
            if self.passphrase_or_key {
                lines.push(Line::raw(format!(
                    "{}: use a key file instead (a key holder's own key).",
                    keymap::key_for(keymap::UNLOCK, keymap::Action::NextField)
                )));
            }
        }
        if let Some(e) = &self.error {
            lines.push(Line::raw(""));
            lines.push(Line::styled(e.clone(), Style::new().red().bold()));
        }
        if let Some(by) = draft_kept {
            lines.push(Line::raw(""));
            lines.push(Line::raw(if by.is_empty() {
                "A form you were filling in is kept, encrypted, and reopens after unlocking."
                    .to_string()
            } else {
                format!(
                    "A form {} was filling in is kept, encrypted, and reopens after unlocking.",
                    crate::text::line(by)
                )
            }));
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
            .max(area.height * if self.key_mode { 7 } else { 5 } / 10)
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
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;

    /// The key file's path as the README writes it (`~/dsl.key`) or pasted in quotes is the
    /// file meant (tester3 #17).
    #[test]
    fn a_key_file_typed_with_a_tilde_or_in_quotes_is_the_file_meant() {
        let home = std::env::var("HOME").unwrap_or_default();
        for (typed, meant) in [
            ("~/dsl.key".to_string(), format!("{home}/dsl.key")),
            (
                "'/keys/my dsl.key'".to_string(),
                "/keys/my dsl.key".to_string(),
            ),
        ] {
            let mut unlock = Unlock {
                key_mode: true,
                key_focus: true,
                ..Unlock::default()
            };
            unlock.key_file.set_text(&typed);
            let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
            assert!(unlock.handle(Some(Action::Unlock), enter).is_some());
            assert_eq!(unlock.identity.as_deref(), Some(meant.as_str()), "{typed}");
        }
    }
}
