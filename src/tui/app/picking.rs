//! The picker's keys (choosing who records, or a value for a form's field) and the change
//! of recorder it leads to.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Effect, Phase};
use crate::tui::forms;
use crate::tui::keymap::{self, Action};
use crate::tui::picker::Picker;

impl App {
    /// Asks who is recording (passphrase mode, or a key with no holder named): the staff
    /// in settings, or any name typed that matches none of them ("someone else").
    pub(super) fn choose_who(&mut self, staff: &[String]) {
        use crate::tui::form::Choice;
        let mut options: Vec<Choice> = staff
            .iter()
            .map(|s| Choice::new(crate::text::line(s), s.as_str()))
            .collect();
        let mut current = staff.iter().position(|s| *s == self.who);
        let title = if self.confirming_who {
            // After a lock: the one recording before comes first (typed in, if not on the
            // staff list), so Enter alone keeps them and anyone else says who they are.
            let last = match current {
                Some(at) => options.remove(at),
                None => Choice::new(crate::text::line(&self.who), self.who.as_str()),
            };
            options.insert(0, last);
            current = Some(0);
            format!(
                "Who is recording? ({} was; or type your name)",
                crate::text::line(&self.who)
            )
        } else {
            "Who is recording? (or type your name)".to_string()
        };
        self.picker = Some(Picker::new(title, options, 0, current));
        self.phase = Phase::ChooseWho;
    }

    /// `name` records from now on. A change of recorder in a session is an audit entry
    /// (saved at once), so the trail shows who took over from whom, and how.
    pub(super) fn switch_recorder(&mut self, name: String, how: &str) {
        self.confirming_who = false;
        // One Unicode form for every name recorded (tester4 #10).
        let name = crate::text::nfc(&name).into_owned();
        let from = std::mem::replace(&mut self.who, name);
        // A form someone else left open when the app locked is theirs until this one says.
        self.ask_whose_draft();
        if from.is_empty() || from == self.who {
            return;
        }
        let stamp = self.stamp();
        let Some(book) = &self.book else { return };
        if book.trail_pending {
            self.message = Some(format!(
                "{} is recording now (was {}); the hand-over goes into the history once its check has passed.",
                crate::text::line(&self.who),
                crate::text::line(&from)
            ));
            self.handover = Some((stamp, from, how.to_string()));
            return;
        }
        self.handover = Some((stamp, from, how.to_string()));
        self.record_handover();
    }

    /// Writes the change of recorder kept in `handover` into the audit trail (and saves):
    /// at once, or when the history check that was running has passed.
    pub fn record_handover(&mut self) {
        let Some(book) = &mut self.book else { return };
        let Some((stamp, from, how)) = self.handover.take() else {
            return;
        };
        match book.record_recorder(&stamp, &from, &how) {
            Ok(()) => {
                self.effects.push(Effect::Save);
                self.message = Some(format!(
                    "{} is recording now (was {}).",
                    crate::text::line(&self.who),
                    crate::text::line(&from)
                ));
            }
            Err(e) => self.message = Some(e.to_string()),
        }
    }

    /// `W`: someone else takes over recording. With key files, only by unlocking with
    /// their own key (the app locks and asks for it); with a passphrase, which several
    /// may know, by choosing or typing their name.
    pub(super) fn start_switch(&mut self) {
        if self.unlock.key_mode {
            self.unlock.switching = true;
            self.lock();
        } else if let Some(book) = &self.book {
            let staff = book.settings.staff.clone();
            self.choose_who(&staff);
        }
    }

    /// How the recorder was chosen, for the audit entry of a change.
    fn how_chosen(&self) -> &'static str {
        if self.confirming_who {
            "chosen at the keyboard after unlocking (passphrase)"
        } else {
            "chosen at the keyboard (passphrase)"
        }
    }

    pub(super) fn picker_key(&mut self, ev: KeyEvent) {
        let Some(picker) = &mut self.picker else {
            return;
        };
        match keymap::lookup(keymap::PICKER, &ev) {
            Some(Action::Up) => picker.up(),
            Some(Action::Down) => picker.down(),
            Some(Action::Cancel) => {
                // Someone must be recording; a switch already under way may be called off.
                if self.must_choose_who() {
                    return;
                }
                if self.phase == Phase::ChooseWho {
                    self.phase = Phase::Ready;
                }
                self.picker = None;
            }
            Some(Action::Choose) if picker.free_text => {
                let Some(value) = picker.chosen_value() else {
                    return;
                };
                let field = picker.field;
                self.picker = None;
                if let Some(form) = &mut self.form {
                    if let Some(f) = form.fields.get_mut(field) {
                        f.set_text(&value);
                        f.error = None;
                    }
                    form.dirty = true;
                    form.focus = field;
                }
            }
            Some(Action::Choose) => {
                let typed = picker.filter.trim().to_string();
                if self.phase == Phase::ChooseWho && picker.current().is_none() {
                    if typed.is_empty() {
                        return;
                    }
                    // Someone else: the name typed, matching none in the list. A staff
                    // name typed otherwise (case, accents, spacing) is that member of
                    // staff, spelt as the list spells them (tester4 #10).
                    let name = crate::text::known_as(
                        &typed,
                        picker.options.iter().map(|o| o.value.as_str()),
                    )
                    .map_or(typed.clone(), str::to_string);
                    self.picker = None;
                    self.phase = Phase::Ready;
                    let how = self.how_chosen();
                    self.switch_recorder(name, how);
                    self.refresh();
                    return;
                }
                let Some(choice) = picker.current() else {
                    return;
                };
                let field = picker.field;
                let value = picker.options[choice].value.clone();
                self.picker = None;
                if self.phase == Phase::ChooseWho {
                    self.phase = Phase::Ready;
                    let how = self.how_chosen();
                    self.switch_recorder(value, how);
                    self.refresh();
                    return;
                }
                if let Some(form) = &mut self.form {
                    if let Some(f) = form.fields.get_mut(field) {
                        f.chosen = Some(choice);
                        f.error = None;
                    }
                    form.dirty = true;
                    forms::refresh_notice(form);
                    // Focus stays on the field just chosen: Tab moves on, as everywhere.
                    form.focus = field;
                }
            }
            _ => match ev.code {
                KeyCode::Backspace => picker.backspace(),
                KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => {
                    picker.type_char(c)
                }
                _ => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyCode;

    use crate::model::Stamp;
    use crate::tui::app::{App, Phase};
    use crate::tui::tests::{keys, press, render};

    /// The demo logbook with "Siân ap Rhys" (composed, as the set-up stored her) on the
    /// staff list, RO recording.
    fn app_with_sian() -> App {
        let mut book = crate::demo::logbook().unwrap();
        let at = book.audit.last().unwrap().at;
        book.update_settings(&Stamp::new("RO", at), |s| {
            s.staff.push("Si\u{e2}n ap Rhys".into())
        })
        .unwrap();
        App::ready(
            "logbook.age".into(),
            crate::demo::demo_now(),
            book,
            "RO".into(),
        )
    }

    /// Tester4 #10: "sian ap rhys" (a UK keyboard) matched no one and became a second
    /// author; "Siân ap Rhys" typed decomposed (a Mac) a third that looked the same.
    #[test]
    fn a_staff_name_typed_in_other_case_accents_or_form_records_as_that_member_of_staff() {
        for typed in ["sian ap rhys", "Sia\u{302}n ap Rhys", "SIAN  AP RHYS"] {
            let mut app = app_with_sian();
            press(&mut app, KeyCode::Char('W'));
            assert_eq!(app.phase, Phase::ChooseWho);
            keys(&mut app, typed);
            // The staff name is offered, first, and no "record as" the typed text.
            let screen = render(&mut app, 100, 30);
            assert!(screen.contains("Siân ap Rhys"), "{typed:?}:\n{screen}");
            assert!(!screen.contains("record as"), "{typed:?}:\n{screen}");
            press(&mut app, KeyCode::Enter);
            assert_eq!(app.phase, Phase::Ready);
            assert_eq!(app.who, "Si\u{e2}n ap Rhys", "{typed:?}");
            let last = app.book.as_ref().unwrap().audit.last().unwrap().clone();
            assert_eq!(last.by, "Si\u{e2}n ap Rhys", "{typed:?}");
        }
    }

    /// A name matching no one is kept as typed, in one Unicode form.
    #[test]
    fn someone_else_typed_decomposed_is_recorded_composed() {
        let mut app = app_with_sian();
        press(&mut app, KeyCode::Char('W'));
        keys(&mut app, "Zoe\u{308} Brown");
        let screen = render(&mut app, 100, 30);
        assert!(screen.contains("record as"), "{screen}");
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.who, "Zo\u{eb} Brown");
        let last = app.book.as_ref().unwrap().audit.last().unwrap().clone();
        assert_eq!(last.by, "Zo\u{eb} Brown");
    }
}
