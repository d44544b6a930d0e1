//! The open form's keys: moving between fields, typing, opening a field's picker, and
//! sending it (checked, then turned into the model's operation by `forms::submit`).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Effect, Phase, Screen, Section};
use crate::model::*;
use crate::tui::form::{Field, FieldKind, Form, FormKind};
use crate::tui::forms;
use crate::tui::help::Help;
use crate::tui::keymap::{self, Action};
use crate::tui::picker::Picker;

impl App {
    pub(super) fn form_key(&mut self, ev: KeyEvent) {
        if self.picker.is_some() {
            return self.picker_key(ev);
        }
        let now = self.now;
        let Some(form) = &mut self.form else { return };
        if let Some(other) = form.asking_keep().map(str::to_string) {
            let shown = crate::text::line(&other).into_owned();
            match keymap::lookup(keymap::KEEP_DRAFT, &ev) {
                Some(Action::KeepDraft) => {
                    let drafters = form.drafters.get_or_insert_default();
                    drafters.asking = None;
                    if !drafters.kept.contains(&other) {
                        drafters.kept.push(other);
                    }
                    self.message = Some(format!(
                        "{shown}'s draft is kept: its save records that {shown} drafted it."
                    ));
                }
                Some(Action::Discard) => {
                    self.form = None;
                    self.message = Some(format!(
                        "{shown}'s draft is discarded: nothing of it was saved."
                    ));
                }
                Some(Action::Lock) => self.lock(),
                // The question stands: a key typed for the form would change their words.
                _ => {}
            }
            return;
        }
        if form.confirm_discard {
            match keymap::lookup(keymap::DISCARD, &ev) {
                // Discarding the first-run set-up leaves nothing to show: it quits, as Esc
                // on an untouched set-up does (it was a screen no key left).
                Some(Action::Discard) if self.phase == Phase::Setup => {
                    self.form = None;
                    self.effects.push(Effect::Quit);
                }
                Some(Action::Discard) => {
                    self.form = None;
                    self.message = Some("Changes discarded.".into());
                }
                _ => form.confirm_discard = false,
            }
            return;
        }
        let action = keymap::lookup(keymap::FORM, &ev);
        match action {
            Some(Action::NextField) | Some(Action::PrevField) => {
                let multiline = form.fields[form.focus].kind == FieldKind::Multiline;
                // Arrows move inside multi-line text; Tab always moves between fields.
                if multiline && matches!(ev.code, KeyCode::Up | KeyCode::Down) {
                    form.fields[form.focus].input.input(ev);
                    return;
                }
                form.fields[form.focus].leave(now);
                // What was typed can change the guidance: a reference not in the agency's
                // format is flagged on leaving the field (tester3 #22).
                forms::refresh_notice(form);
                let n = form.fields.len();
                form.focus = if action == Some(Action::NextField) {
                    (form.focus + 1) % n
                } else {
                    (form.focus + n - 1) % n
                };
            }
            Some(Action::Submit) => self.submit_form(),
            Some(Action::Cancel) => {
                if form.dirty {
                    form.confirm_discard = true;
                } else if self.phase == Phase::Setup {
                    self.effects.push(Effect::Quit);
                } else {
                    self.form = None;
                }
            }
            Some(Action::Help) => self.help = Some(Help::default()),
            Some(Action::Lock) => self.lock(),
            _ => {
                let field = &mut form.fields[form.focus];
                match (&field.kind, ev.code) {
                    // Ctrl-U or Alt-B is a key, not a letter to filter the choices by.
                    (FieldKind::Choice(_), KeyCode::Char(_))
                        if ev
                            .modifiers
                            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {}
                    (FieldKind::Choice(options), KeyCode::Enter | KeyCode::Char(_)) => {
                        let mut picker =
                            Picker::new(field.label, options.clone(), form.focus, field.chosen);
                        if let KeyCode::Char(c) = ev.code
                            && c != ' '
                        {
                            picker.type_char(c);
                        }
                        self.picker = Some(picker);
                    }
                    (FieldKind::Suggest(all), KeyCode::Enter)
                        if !field.suggestions().is_empty() =>
                    {
                        // Names that match what is typed are offered; the typed text stays
                        // available as the last row.
                        let typed = if field.input.is_prefilled() {
                            String::new()
                        } else {
                            field.text()
                        };
                        self.picker = Some(Picker::suggesting(
                            field.label,
                            all,
                            form.focus,
                            &typed,
                            &field.text(),
                        ));
                    }
                    (FieldKind::Toggle, KeyCode::Char(' ') | KeyCode::Enter) => {
                        field.chosen = Some(if field.chosen == Some(1) { 0 } else { 1 });
                        form.dirty = true;
                        // A toggle can change what another field needs ("reference awaited").
                        forms::refresh_notice(form);
                    }
                    (FieldKind::Multiline, _) => {
                        form.dirty |= field.input.input(ev);
                    }
                    (_, KeyCode::Enter) => {
                        // Enter in a one-line field moves on, like Tab.
                        field.leave(now);
                        forms::refresh_notice(form);
                        form.focus = (form.focus + 1) % form.fields.len();
                    }
                    (
                        FieldKind::Text
                        | FieldKind::Secret
                        | FieldKind::DateTime
                        | FieldKind::Date
                        | FieldKind::Number
                        | FieldKind::Suggest(_),
                        _,
                    ) if field.input.input(ev) => {
                        form.dirty = true;
                        field.error = None;
                    }
                    _ => {}
                }
            }
        }
    }

    /// After an unlock or a change of recorder: a form restored from a draft that someone
    /// else was typing when the app locked asks whether to keep it (`KEEP_DRAFT`), so it is
    /// never saved as the new recorder's own words without a word.
    pub(super) fn ask_whose_draft(&mut self) {
        if self.who.is_empty() {
            // Chosen next (`choose_who`), which asks then.
            return;
        }
        let Some(drafters) = self.form.as_mut().and_then(|f| f.drafters.as_mut()) else {
            return;
        };
        if let Some(by) = drafters.of.take()
            && by != self.who
        {
            drafters.asking = Some(by);
        }
    }

    pub(super) fn submit_form(&mut self) {
        let now = self.now;
        let stamp = self.stamp();
        let Some(form) = &mut self.form else { return };
        let mut first_bad = None;
        for (i, f) in form.fields.iter_mut().enumerate() {
            if f.check(now).is_some() && first_bad.is_none() {
                first_bad = Some(i);
            }
        }
        if first_bad.is_some() {
            // Focus stays: the refused fields are marked, and the first one named, with
            // what the model refuses of the others (`forms::check_also`).
            if let Some(book) = &self.book {
                forms::check_also(form, book, &stamp);
            }
            form.announce();
            return;
        }
        if let FormKind::Export(_) = form.kind {
            return crate::tui::records::submit_export(self);
        }
        if form.kind == FormKind::Setup {
            if let Err((field, message)) = check_setup(form) {
                form.refuse(field, &message);
                return;
            }
            let mut values: Vec<(String, String)> = form
                .fields
                .iter()
                .map(|f| (f.key.to_string(), f.text()))
                .collect();
            // What the last try was told: the same form sent again after a question
            // (a key file made for someone else) goes ahead (`tui::create`).
            values.push(("warned".into(), form.warned.clone().unwrap_or_default()));
            // The old "Not saved" banner would say the last try failed while this one runs.
            form.error = None;
            self.creating = true;
            self.effects.push(Effect::Create {
                form_values: values,
            });
            return;
        }
        // A review date more than a year away is asked about once, beside the date.
        if let Some((checked, key, question)) = forms::far_date(form, now)
            && form.warned.as_ref() != Some(&checked)
        {
            form.warned = Some(checked);
            form.refuse(key, &question);
            return;
        }
        // A referral later than its agency's timescale with no reason for the delay is
        // asked about once, beside When (tester4 #6); saving again keeps it.
        if let Some(book) = &self.book
            && let Some((checked, key, question)) = forms::late_question(form, book, now)
            && form.warned.as_ref() != Some(&checked)
        {
            form.warned = Some(checked);
            form.refuse(key, &question);
            return;
        }
        // A screenshot or file on a case where a copy of the imagery is itself an indecent
        // image of a child is asked about once (tester4 #7); saving again confirms it.
        if let Some(book) = &self.book
            && let Some((checked, key, question)) = forms::copy_question(form, book)
            && form.warned.as_ref() != Some(&checked)
        {
            form.warned = Some(checked);
            if let Some(f) = form.field_mut(key) {
                f.error = Some("a copy of the imagery: see above".into());
            }
            form.say(question);
            return;
        }
        // A likely duplicate is said once; saving the same person again adds them anyway.
        if let Some(book) = &self.book
            && let Some((checked, warning)) = forms::duplicate_warning(form, book)
            && form.warned.as_ref() != Some(&checked)
        {
            form.warned = Some(checked);
            if let Some(f) = form.field_mut("reference") {
                f.error = Some("possibly a duplicate: see above".into());
            }
            form.say(warning);
            return;
        }
        // An evidence file is read through on a thread of its own: it can be gigabytes,
        // and the screen would freeze meanwhile. The form waits, saying so.
        if let FormKind::RegisterFile(..) = form.kind {
            let typed = form.value("path");
            let path = crate::tui::fingerprint::typed_path(&typed);
            form.say(format!(
                "Hashing {}... The file is read once, never copied; {} stops waiting.",
                crate::text::line(&path.display().to_string()),
                keymap::key_for(keymap::FORM, Action::Cancel)
            ));
            self.hash_jobs += 1;
            self.hashing = Some((self.hash_jobs, typed));
            self.effects.push(Effect::Fingerprint {
                job: self.hash_jobs,
                path,
            });
            return;
        }
        if let Some(receipt) = self.form.as_ref().and_then(|f| f.concern.clone()) {
            let result = self.take_in(&receipt);
            return self.after_change(result);
        }
        let (Some(book), Some(form)) = (self.book.as_mut(), self.form.as_ref()) else {
            return;
        };
        let disposal = matches!(form.kind, FormKind::Dispose(_));
        match forms::submit(form, book, &stamp) {
            Ok(done) => {
                self.after_change(Ok(done.message));
                if disposal {
                    crate::tui::records::after_disposal(self);
                }
                if let Some(id) = done.open {
                    // The incident just recorded opens, as if chosen from the list.
                    self.screens.truncate(1);
                    self.screens.push(Screen::Detail {
                        id,
                        section: Section::Summary,
                        selected: 0,
                    });
                }
            }
            Err(refused) => {
                if let Some(form) = &mut self.form {
                    form.refuse_all(&refused.0);
                }
            }
        }
    }

    /// The fingerprint of the file hashed for job `job` (`Effect::Fingerprint`): recorded
    /// on the item if the form that asked is still open on the same path, else dropped.
    pub fn fingerprinted(&mut self, job: u64, result: Result<FileFingerprint, String>) {
        let Some((asked, typed)) = self.hashing.take() else {
            return;
        };
        if asked != job {
            self.hashing = Some((asked, typed));
            return;
        }
        let Some(form) = &mut self.form else {
            return;
        };
        let FormKind::RegisterFile(id, ev) = form.kind.clone() else {
            return;
        };
        if form.value("path") != typed {
            // Changed while it was read: the file now named is read at the next save.
            form.say("The path was changed while the file was read: nothing was registered.");
            return;
        }
        let file = match result {
            Ok(file) => file,
            Err(message) => return form.refuse("path", &message),
        };
        let confirmed = self
            .book
            .as_ref()
            .is_some_and(|book| forms::copy_confirmed(form, book));
        let stamp = self.stamp();
        let Some(book) = self.book.as_mut() else {
            return;
        };
        let (size, short) = (file.size, file.sha256.chars().take(12).collect::<String>());
        let result = book
            .register_file(&stamp, &id, &ev, file, confirmed)
            .map(|()| {
                format!("File of {ev} registered: {size} bytes, SHA-256 {short}... (not copied).")
            });
        self.after_change(result);
    }

    /// After a change: close the form and save, or keep the form with the refusal shown.
    pub(in crate::tui) fn after_change(&mut self, result: Result<String, Invalid>) {
        match result {
            Ok(message) => {
                self.form = None;
                self.message = Some(message);
                self.refresh();
                self.effects.push(Effect::Save);
            }
            Err(invalid) => match &mut self.form {
                Some(form) => form.refuse(&invalid.field, &invalid.message),
                None => self.message = Some(invalid.message),
            },
        }
    }
}

/// The set-up form: the key-file choice comes before the passphrase fields, so that a
/// passphrase typed on after a refusal never lands beside them in a clear-text field.
pub fn setup_form() -> Form {
    let mut form = forms::setup();
    if let Some(i) = form.fields.iter().position(|f| f.key == "identity") {
        let mut identity = form.fields.remove(i);
        identity.label = "Key file from `logbook keygen` (or leave empty and choose a passphrase)";
        let at = form
            .fields
            .iter()
            .position(|f| f.key == "passphrase")
            .unwrap_or(form.fields.len());
        form.fields.insert(at, identity);
    }
    form
}

/// The set-up form's own rules: a key file, or a passphrase hard enough to guess
/// (`crate::strength`, as `logbook init` and `passwd` use) typed twice alike.
fn check_setup(form: &Form) -> Result<(), (&'static str, String)> {
    let identity = form.value("identity");
    if !identity.is_empty() {
        // Refused beside the field, as every form's refusals are, before the slow create.
        let path = &crate::tui::fingerprint::typed_path(&identity);
        if !path.exists() {
            return Err((
                "identity",
                format!(
                    "The key file {} does not exist: check the path typed",
                    crate::text::path(path)
                ),
            ));
        }
        return Ok(());
    }
    let pass = form
        .field("passphrase")
        .map(Field::text)
        .unwrap_or_default();
    let names = forms::setup_names(form);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    crate::strength::check_with(&pass, &names)
        .map_err(|e| ("passphrase", format!("{e} Or give a key file.")))?;
    if form.field("repeat").map(Field::text).unwrap_or_default() != pass {
        return Err(("repeat", "The two passphrases differ: type it again".into()));
    }
    Ok(())
}
