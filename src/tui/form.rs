//! Forms: fields with labels, required marks, their own refusal messages, and typed values.
//! Text is edited raw in `editor::Editor` and escaped only when drawn; choices open a
//! filterable picker; dates are typed as `model::dates` reads them (`30/11/2026 14:30`,
//! `2026-11-30 14:30`, `now`, `yesterday 19:30`, `2.30pm`; days also `today`, `+7`) and
//! checked on leaving the field, where they are written back in full. A paste is text for
//! the focused field (`Editor::paste`).

use chrono::NaiveDateTime;

use super::editor::Editor;
use crate::model::Invalid;
/// Typed dates are read in the model, so the command line takes the same forms.
pub use crate::model::dates::{parse_date, parse_datetime};

/// One option of a choice field: what the user sees, and the value the form builder reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub label: String,
    pub value: String,
    /// Other words the picker's filter finds it by (an agency's other names), not shown.
    pub keywords: String,
}

impl Choice {
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Choice {
        Choice {
            label: label.into(),
            value: value.into(),
            keywords: String::new(),
        }
    }

    pub fn with_keywords(mut self, keywords: impl Into<String>) -> Choice {
        self.keywords = keywords.into();
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Multiline,
    Secret,
    /// A moment that has happened (every one the forms ask for: a time after now is
    /// refused on leaving the field), typed as `model::dates::parse_datetime` reads it.
    DateTime,
    /// A day, as `model::dates::parse_date` reads it.
    Date,
    Number,
    Choice(Vec<Choice>),
    /// Free text with suggestions (staff names): any name typed is kept as typed; the
    /// suggestions that match what is typed are shown, and Enter offers them to choose.
    Suggest(Vec<String>),
    /// Yes or no; Space toggles.
    Toggle,
}

pub struct Field {
    /// The model field this edits; refusals whose path ends in it are shown beside it.
    pub key: &'static str,
    pub label: &'static str,
    /// What a refusal calls the field, where the label's guidance would make it awkward
    /// (`name`).
    short: Option<&'static str>,
    pub kind: FieldKind,
    pub required: bool,
    /// Marked `*` because of what another field holds (a reference, for an agency that always
    /// gives one). The model's rule refuses it with its reason, so the form does not check it.
    pub needed: bool,
    pub input: Editor,
    /// The chosen option of a choice field, or a toggle's state (0 no, 1 yes).
    pub chosen: Option<usize>,
    pub error: Option<String>,
    /// The value a refusal was given for: once the person changes it, the refusal beside
    /// the field is no longer about what it holds, and is not shown (`shown_error`).
    refused_value: Option<String>,
    /// The stored text the field was opened with: while the editor still holds exactly
    /// this, the value is this, untrimmed, so an untouched field is never rewritten.
    original: Option<String>,
}

impl Field {
    pub fn new(key: &'static str, label: &'static str, kind: FieldKind) -> Field {
        let input = Editor::new(
            kind == FieldKind::Multiline,
            (kind == FieldKind::Secret).then_some('•'),
        );
        Field {
            key,
            label,
            short: None,
            kind,
            required: false,
            needed: false,
            input,
            chosen: None,
            error: None,
            refused_value: None,
            original: None,
        }
    }

    /// Gives the field a name of its own for refusals (see `name`).
    pub fn named(mut self, short: &'static str) -> Field {
        self.short = Some(short);
        self
    }

    /// The field's name in a refusal ("X is required: fill it in", "Not saved: X needs
    /// attention"): the label without its guidance, which is cut at " (" or ":" ("Where
    /// the material is (URL, app, device): never a copy" is "Where the material is"),
    /// unless the field was given a name (`named`).
    pub fn name(&self) -> &'static str {
        self.short.unwrap_or_else(|| {
            let cut = [" (", ":"]
                .iter()
                .filter_map(|c| self.label.find(c))
                .min()
                .unwrap_or(self.label.len());
            match self.label[..cut].trim_end() {
                "" => self.label,
                name => name,
            }
        })
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    /// Puts the stored text in the editor as it is (control characters included: they are
    /// escaped when drawn, never in the value), so a field nobody touches saves exactly what
    /// it was given. A date or number put there is a default the first key typed replaces.
    pub fn with_text(mut self, text: &str) -> Field {
        self.input.set_text(text);
        self.input.set_prefilled(matches!(
            self.kind,
            FieldKind::DateTime | FieldKind::Date | FieldKind::Number | FieldKind::Suggest(_)
        ));
        self.original = Some(text.to_string());
        self
    }

    pub fn with_choice(mut self, value: &str) -> Field {
        if let FieldKind::Choice(options) = &self.kind {
            self.chosen = options.iter().position(|o| o.value == value);
        }
        self
    }

    pub fn with_toggle(mut self, on: bool) -> Field {
        self.chosen = Some(on as usize);
        self
    }

    pub fn text(&self) -> String {
        self.input.text().to_string()
    }

    /// Still holds exactly the stored text it was opened with.
    pub fn untouched(&self) -> bool {
        self.original.as_deref() == Some(self.input.text())
    }

    pub fn value(&self) -> String {
        match &self.kind {
            FieldKind::Choice(options) => self
                .chosen
                .and_then(|i| options.get(i))
                .map(|c| c.value.clone())
                .unwrap_or_default(),
            FieldKind::Toggle => {
                if self.chosen == Some(1) {
                    "yes".into()
                } else {
                    String::new()
                }
            }
            _ if self.original.as_deref() == Some(self.input.text()) => self.text(),
            // A "who" field holds a name: typed names are kept in one Unicode form
            // (tester4 #10). Other text (a path among it) is kept byte for byte.
            // A name the list knows ("sian ap rhys" for Siân ap Rhys) is spelt as it does.
            FieldKind::Suggest(known) => {
                let typed = self.text();
                match crate::text::known_as(&typed, known.iter().map(String::as_str)) {
                    Some(name) => crate::text::nfc(name).into_owned(),
                    None => crate::text::nfc(typed.trim()).into_owned(),
                }
            }
            _ => self.text().trim().to_string(),
        }
    }

    /// What the field shows when not being edited.
    pub fn display(&self) -> String {
        match &self.kind {
            FieldKind::Choice(options) => self.chosen.and_then(|i| options.get(i)).map_or_else(
                || {
                    let key = super::keymap::key_for(
                        super::keymap::FORM,
                        super::keymap::Action::PickChoice,
                    );
                    format!("(choose: {key})")
                },
                |c| c.label.clone(),
            ),
            FieldKind::Toggle => {
                if self.chosen == Some(1) {
                    "[x] yes".into()
                } else {
                    "[ ] no".into()
                }
            }
            FieldKind::Secret => "•".repeat(self.text().chars().count()),
            _ => self.text(),
        }
    }

    pub fn is_text(&self) -> bool {
        !matches!(self.kind, FieldKind::Choice(_) | FieldKind::Toggle)
    }

    pub fn set_text(&mut self, text: &str) {
        self.input.set_text(text);
    }

    /// The suggestions of a suggest field that match what is typed (all of them while it
    /// is empty or still holds its pre-filled value), in their order.
    pub fn suggestions(&self) -> Vec<&str> {
        let FieldKind::Suggest(all) = &self.kind else {
            return Vec::new();
        };
        let typed = if self.input.is_prefilled() {
            String::new()
        } else {
            self.input.text().trim().to_lowercase()
        };
        // Case and accents aside, as the list filter ("sian" suggests Siân).
        all.iter()
            .map(String::as_str)
            .filter(|s| crate::model::query::contains_ignore_case(s, &typed))
            .collect()
    }

    /// Marks the field refused with `message`. A refused one-line value (a date, a number,
    /// a year of birth, a path, a reference) is selected, as a pre-filled one is: typing
    /// replaces it rather than appending to the bad value (`2031` then `2011` read
    /// `20312011`), and moving the cursor first keeps it to correct in place. Multi-line
    /// text is not: one key would replace a whole account.
    pub fn refuse(&mut self, message: &str) {
        self.error = Some(message.to_string());
        self.refused_value = Some(self.value());
        if self.is_text() && self.kind != FieldKind::Multiline && !self.input.text().is_empty() {
            self.input.set_prefilled(true);
        }
    }

    /// The refusal to show beside the field: none once the value it was given for has
    /// been changed (the next save or leaving the field checks again).
    pub fn shown_error(&self) -> Option<&str> {
        match &self.refused_value {
            Some(v) if *v != self.value() => None,
            _ => self.error.as_deref(),
        }
    }

    /// Writes a checked value in its full form, only if that changes it, so passing through
    /// a pre-filled date leaves it replaceable by the first key typed.
    fn normalise(&mut self, text: &str) {
        if self.input.text() != text {
            self.set_text(text);
        }
    }

    /// On leaving the field: what was typed is checked and normalised (a date that does
    /// not exist is refused at once), but an empty required field is refused only at the
    /// save: Tab passes through fields on the way to another, and "is required" beside
    /// each one passed read as a telling-off for something not yet done.
    pub fn leave(&mut self, now: NaiveDateTime) {
        if !self.value().is_empty() {
            self.check(now);
        }
    }

    /// Checks and normalises the field (on leaving it, and at the save): dates are expanded from shortcuts
    /// and must exist; required fields must be filled. Returns the refusal, if any.
    pub fn check(&mut self, now: NaiveDateTime) -> Option<String> {
        let value = self.value();
        let error = if value.is_empty() {
            self.required
                .then(|| format!("{} is required: fill it in", self.name()))
        } else {
            match self.kind {
                FieldKind::DateTime => match parse_datetime(&value, now) {
                    // Every date and time a form asks for is of something that has
                    // happened: refused on leaving the field, not only at the save (the
                    // model's own sentence), so it is selected before anything is typed.
                    Ok(t) if t > now => {
                        let t = crate::present::when(t);
                        self.normalise(&t);
                        Some(format!(
                            "{} ({t}) is in the future: enter a time up to now",
                            self.name()
                        ))
                    }
                    Ok(t) => {
                        self.normalise(&crate::present::when(t));
                        None
                    }
                    Err(e) => Some(e),
                },
                FieldKind::Date => match parse_date(&value, now.date()) {
                    Ok(d) => {
                        self.normalise(&d.to_string());
                        None
                    }
                    Err(e) => Some(e),
                },
                FieldKind::Number => parse_number(&value).err(),
                _ => None,
            }
        };
        match &error {
            Some(e) => self.refuse(e),
            // A refusal of this very value (the model's: a time in the future) stands until
            // the value changes: passing through the field does not answer it.
            None if self.refused_value.as_deref() == Some(value.as_str()) => {}
            None => self.error = None,
        }
        error
    }
}

/// A whole number as typed, within what a record holds. Digits beyond that are "too large"
/// (they are digits: "not a whole number" misled); anything else is not a number.
pub fn parse_number(text: &str) -> Result<u32, String> {
    let t = text.trim();
    t.parse::<u32>().map_err(|e| {
        let shown = crate::text::line(t);
        match e.kind() {
            std::num::IntErrorKind::PosOverflow => {
                format!("{shown} is too large: type a number from 1 to {}", u32::MAX)
            }
            _ => format!("{shown} is not a whole number: type digits only, e.g. 14"),
        }
    })
}

/// What a form is for, and so what its submission does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FormKind {
    Setup,
    NewIncident,
    EditIncident(String),
    LinkPerson(String),
    NewPerson,
    EditPerson(String),
    PersonError(String),
    LinkRelated(String),
    Evidence(String),
    EditEvidence(String, String),
    /// An evidence item's file to fingerprint: (incident, item).
    RegisterFile(String, String),
    Report(String),
    EditReport(String, String),
    ScheduleReview(String),
    /// `v` on a case whose review is not yet held: move that review (or add another).
    RescheduleReview(String, String),
    HoldReview(String, String),
    Close(String),
    Reopen(String),
    MarkError(String, ErrorTarget),
    /// `x` on an entry already marked entered in error: the mark withdrawn, with a reason.
    WithdrawError(String, ErrorTarget),
    /// The same for a person in the register.
    WithdrawPersonError(String),
    /// A person linked by mistake, unlinked with the reason: (incident, person, role).
    Unlink(String, String, crate::model::Role),
    NotApplicable(String, usize),
    /// A checklist step ticked with the time it was done: (incident, step).
    TickStep(String, usize),
    Settings,
    /// Taking in a staff concern: added to an incident, or no further action (see `concerns`).
    Concern,
    /// Export of an incident's (INC-...) or a person's (P-...) chronology.
    Export(String),
    /// A record past its retention date, disposed of from the Retention screen.
    Dispose(String),
}

/// What an "entered in error" marking applies to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ErrorTarget {
    Incident,
    Evidence(String),
    Report(String),
    Review(String),
    /// A checklist step's tick (or "not applicable"), by its place in the list (tester4 #22).
    Step(usize),
}

pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The message at the top: a refusal not tied to one field, or the announcement of
    /// refused fields (`error_about_fields`), which goes once every refused field has been
    /// changed, so a banner never outlives what it was about.
    pub error: Option<String>,
    pub error_about_fields: bool,
    /// Guidance shown above the fields (an agency's reference format, the imagery rule).
    pub notice: Option<String>,
    pub dirty: bool,
    /// The person (reference and year) a "likely duplicate" warning was given for: saving
    /// the same again adds them anyway.
    pub warned: Option<String>,
    /// Esc on a changed form asks first.
    pub confirm_discard: bool,
    /// The receipt of the staff concern this form takes in (`tui::concerns` submits it).
    pub concern: Option<String>,
    /// Whose draft this is, for a form restored after a lock (boxed: most forms have none).
    pub drafters: Option<Box<Drafters>>,
}

/// Who typed a form restored after a lock, and what the one recording now said about it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Drafters {
    /// Who was recording when the app locked, until it is checked against who unlocked
    /// (`App::ask_whose_draft`).
    pub of: Option<String>,
    /// Someone else's draft, reopened for the holder who unlocked: the question "keep it
    /// or discard it?" shows, and its keys (`keymap::KEEP_DRAFT`) alone work, until answered.
    pub asking: Option<String>,
    /// The others whose draft this is, kept by the one recording now: the save records
    /// them in the trail (`forms::submit`), so a record never reads as typed by one person
    /// alone when another wrote it.
    pub kept: Vec<String>,
}

impl Form {
    pub fn new(kind: FormKind, title: impl Into<String>, fields: Vec<Field>) -> Form {
        Form {
            kind,
            title: title.into(),
            fields,
            focus: 0,
            error: None,
            error_about_fields: false,
            notice: None,
            dirty: false,
            warned: None,
            confirm_discard: false,
            concern: None,
            drafters: None,
        }
    }

    /// Another holder's draft being asked about (`Drafters::asking`).
    pub fn asking_keep(&self) -> Option<&str> {
        self.drafters.as_ref()?.asking.as_deref()
    }

    /// The others whose draft was kept (`Drafters::kept`).
    pub fn drafted_by(&self) -> &[String] {
        self.drafters.as_ref().map_or(&[], |d| &d.kept)
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn field_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    pub fn value(&self, key: &str) -> String {
        self.field(key).map(Field::value).unwrap_or_default()
    }

    /// Fills a field from what is recorded, keeping its label, kind and whether it is
    /// required: edit forms reuse the new forms' field lists, so each rule is stated once.
    pub fn fill(&mut self, key: &str, fill: impl FnOnce(Field) -> Field) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            let field = std::mem::replace(f, Field::new("", "", FieldKind::Text));
            *f = fill(field);
        }
    }

    /// The message for the top of the form, if it still applies. An announcement of
    /// refused fields follows the refusals beside them: it names a field still refused
    /// (the first), and goes once none is. It never names a field already put right.
    pub fn banner(&self) -> Option<std::borrow::Cow<'_, str>> {
        if !self.error_about_fields {
            return self.error.as_deref().map(std::borrow::Cow::Borrowed);
        }
        let refused: Vec<usize> = (0..self.fields.len())
            .filter(|i| self.fields[*i].shown_error().is_some())
            .collect();
        let first = *refused.first()?;
        let label = self.fields[first].name();
        // Several: each is marked red with its message, so the count says enough.
        match refused.len() - 1 {
            0 => {}
            1 => {
                return Some(format!("Not saved: {label} and 1 more field need attention.").into());
            }
            n => {
                return Some(
                    format!("Not saved: {label} and {n} more fields need attention.").into(),
                );
            }
        }
        let how = if first == self.focus {
            "the message is beside it".to_string()
        } else {
            format!(
                "{} to it; the message is beside it",
                super::keymap::key_for(super::keymap::FORM, super::keymap::Action::NextField)
            )
        };
        Some(format!("Not saved: {label} needs attention ({how}).").into())
    }

    /// A message for the top of the form that is about no one field (a warning, a
    /// failure to create): it stays until the next save.
    pub fn say(&mut self, message: impl Into<String>) {
        self.error = Some(message.into());
        self.error_about_fields = false;
    }

    /// Announces the refused fields at the top (`banner` words it from the fields still
    /// refused): the announcement goes once they have all been changed.
    pub fn announce(&mut self) {
        self.error = None;
        self.error_about_fields = true;
    }

    /// Puts a refusal from the model beside the field whose path it names, and announces it
    /// at the top. Focus stays where the person left it: moving it would send what they
    /// type next into another field (a passphrase into a clear-text one).
    pub fn refuse(&mut self, path: &str, message: &str) {
        match self.field_for(path) {
            // "Confirm to close anyway": the list of what is unfinished is long, so it goes
            // at the top where it wraps, and one line beside the tick box says what to do.
            Some(i) if self.fields[i].key == "confirm" => {
                self.fields[i].refuse("Tick this to close anyway: what is unfinished is above.");
                self.say(format!("Not saved. {message}."));
            }
            // The field is named even when it has the focus: "see below this field" read
            // as nonsense on a form whose refused field was off screen.
            Some(i) => {
                self.fields[i].refuse(message);
                self.announce();
            }
            None => self.say(message),
        }
    }

    /// The field a refusal's path (`reports[RS-1].reference`) is about, if the form has it.
    fn field_for(&self, path: &str) -> Option<usize> {
        let last = path
            .rsplit(['.', ']'])
            .find(|s| !s.is_empty())
            .unwrap_or(path);
        // The field named exactly first, else one the path ends with at a boundary: a
        // refusal of "without" once landed beside "out", whose key it merely ends with.
        let keyed = |f: &Field| !f.key.is_empty();
        self.fields
            .iter()
            .position(|f| keyed(f) && f.key == last)
            .or_else(|| {
                self.fields.iter().position(|f| {
                    keyed(f)
                        && path
                            .strip_suffix(f.key)
                            .is_some_and(|rest| rest.is_empty() || rest.ends_with(['.', ']']))
                })
            })
    }

    /// Marks every refusal beside its field at once (the first for a field that has
    /// several), so each wrong field is refused at the first save rather than one per save.
    /// A refusal about no one field is said at the top.
    pub fn refuse_all(&mut self, refusals: &[Invalid]) {
        let mut marked = Vec::new();
        let (fields, general): (Vec<&Invalid>, Vec<&Invalid>) = refusals
            .iter()
            .partition(|r| self.field_for(&r.field).is_some());
        for r in fields {
            let i = self.field_for(&r.field);
            if !marked.contains(&i) {
                marked.push(i);
                self.refuse(&r.field, &r.message);
            }
        }
        for r in general {
            self.say(&r.message);
        }
    }

    /// After a save the form refused for what it checks itself: the model's refusals of
    /// the other fields are marked too, beside fields not already refused. A refusal about
    /// no one field waits for the save that reaches the model.
    pub fn refuse_also(&mut self, refusals: &[Invalid]) {
        for r in refusals {
            if let Some(i) = self.field_for(&r.field)
                && self.fields[i].shown_error().is_none()
            {
                self.fields[i].refuse(&r.message);
            }
        }
        self.announce();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 16)
            .unwrap()
            .and_hms_opt(9, 30, 12)
            .unwrap()
    }

    /// Tester finding 35: "Where the material is (URL, app, device): never a copy is
    /// required: fill it in". A refusal names the field without its label's guidance.
    #[test]
    fn a_refusal_names_the_field_without_its_guidance() {
        let mut f = Field::new(
            "kept_at",
            "Where the material is (URL, app, device): never a copy",
            FieldKind::Text,
        )
        .required();
        assert_eq!(
            f.check(now()).as_deref(),
            Some("Where the material is is required: fill it in")
        );
        for (label, name) in [
            (
                "What happened (facts, who, when, words used)",
                "What happened",
            ),
            ("Reason (if not referred)", "Reason"),
            ("Captured by", "Captured by"),
            ("Who is recording? (or type your name)", "Who is recording?"),
        ] {
            assert_eq!(Field::new("k", label, FieldKind::Text).name(), name);
        }
        let mut form = Form::new(
            FormKind::Settings,
            "t",
            vec![
                Field::new(
                    "backup_interval_days",
                    "Back up every (days)",
                    FieldKind::Number,
                )
                .named("The backup interval"),
            ],
        );
        form.refuse(
            "backup_interval_days",
            "The backup interval must be at least one day",
        );
        assert_eq!(
            form.banner().as_deref(),
            Some("Not saved: The backup interval needs attention (the message is beside it).")
        );
    }

    #[test]
    fn leaving_a_required_empty_field_is_refused_beside_it() {
        let mut f = Field::new("description", "Description", FieldKind::Multiline).required();
        assert!(f.check(now()).unwrap().contains("required"));
        assert!(f.error.is_some());
    }

    #[test]
    fn a_refusal_lands_beside_the_field_it_names() {
        let mut form = Form::new(
            FormKind::NewIncident,
            "t",
            vec![
                Field::new("occurred", "When", FieldKind::DateTime),
                Field::new("reference", "Reference", FieldKind::Text),
            ],
        );
        form.refuse("reports[RS-1].reference", "needed");
        assert_eq!(form.focus, 0, "focus stays where the person left it");
        assert_eq!(form.fields[1].error.as_deref(), Some("needed"));
        assert!(form.banner().unwrap().contains("Reference needs attention"));
        form.refuse("something.else", "general");
        assert_eq!(form.error.as_deref(), Some("general"));
    }

    /// The announcement at the top goes once the refused field is changed (a tester saw
    /// "Not saved: ... needs attention" stay after fixing the field), and names the field
    /// even when it has the focus.
    #[test]
    fn the_announcement_goes_when_the_refused_field_is_changed() {
        let mut form = Form::new(
            FormKind::NewIncident,
            "t",
            vec![
                Field::new("occurred", "When", FieldKind::DateTime),
                Field::new("reference", "Reference", FieldKind::Text),
            ],
        );
        form.focus = 1;
        form.refuse("reports[RS-1].reference", "needed");
        assert_eq!(
            form.banner().as_deref(),
            Some("Not saved: Reference needs attention (the message is beside it).")
        );
        form.fields[1].set_text("CRN 1234");
        assert_eq!(form.banner(), None);
        form.say("Could not create the logbook");
        assert_eq!(
            form.banner().as_deref(),
            Some("Could not create the logbook")
        );
    }
}
