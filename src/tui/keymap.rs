//! One table per screen of (keys, action, description). The same table decides what a key
//! does and writes the help overlay and the footer hints, so they cannot drift apart.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a key can ask for. `description` is exhaustive: a new action does not
/// compile until it is described.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Lock,
    SwitchRecorder,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Filter,
    ViewOpen,
    ViewDue,
    ViewClosed,
    ViewAll,
    CycleSort,
    NewIncident,
    PeopleRegister,
    Settings,
    NextSection,
    PrevSection,
    EditIncident,
    LinkPerson,
    AddEvidence,
    RegisterFile,
    AddReport,
    AddReview,
    HoldReview,
    TickStep,
    TickStepAt,
    StepNotApplicable,
    CloseCase,
    ReopenCase,
    MarkError,
    UnlinkPerson,
    Chronology,
    NewPerson,
    EditPerson,
    LinkRelated,
    RetrySave,
    Backup,
    Concerns,
    ConcernAddTo,
    ConcernNoAction,
    ConcernsSwitch,
    ReadInbox,
    NextField,
    PrevField,
    Submit,
    Choose,
    PickChoice,
    Cancel,
    Statistics,
    Retention,
    History,
    CycleKind,
    CyclePeriod,
    Dispose,
    Export,
    DeleteBack,
    TypeToFilter,
    Unlock,
    Discard,
    LineStart,
    LineEnd,
    ClearField,
    KillToEnd,
    DeleteWordBack,
    WordLeft,
    WordRight,
    CharLeft,
    CharRight,
    DeleteForward,
    TickBox,
    NewLine,
    TypeText,
    KeepDraft,
}

impl Action {
    /// Every action, for the test that each has a key, a description and a hint.
    pub const ALL: [Action; 79] = [
        Action::Quit,
        Action::Help,
        Action::Lock,
        Action::SwitchRecorder,
        Action::Back,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Open,
        Action::Filter,
        Action::ViewOpen,
        Action::ViewDue,
        Action::ViewClosed,
        Action::ViewAll,
        Action::CycleSort,
        Action::NewIncident,
        Action::PeopleRegister,
        Action::Settings,
        Action::NextSection,
        Action::PrevSection,
        Action::EditIncident,
        Action::LinkPerson,
        Action::AddEvidence,
        Action::RegisterFile,
        Action::AddReport,
        Action::AddReview,
        Action::HoldReview,
        Action::TickStep,
        Action::TickStepAt,
        Action::StepNotApplicable,
        Action::CloseCase,
        Action::ReopenCase,
        Action::MarkError,
        Action::UnlinkPerson,
        Action::Chronology,
        Action::NewPerson,
        Action::EditPerson,
        Action::LinkRelated,
        Action::RetrySave,
        Action::Backup,
        Action::Concerns,
        Action::ConcernAddTo,
        Action::ConcernNoAction,
        Action::ConcernsSwitch,
        Action::ReadInbox,
        Action::NextField,
        Action::PrevField,
        Action::Submit,
        Action::Choose,
        Action::PickChoice,
        Action::Cancel,
        Action::Statistics,
        Action::Retention,
        Action::History,
        Action::CycleKind,
        Action::CyclePeriod,
        Action::Dispose,
        Action::Export,
        Action::DeleteBack,
        Action::TypeToFilter,
        Action::Unlock,
        Action::Discard,
        Action::LineStart,
        Action::LineEnd,
        Action::ClearField,
        Action::KillToEnd,
        Action::DeleteWordBack,
        Action::WordLeft,
        Action::WordRight,
        Action::CharLeft,
        Action::CharRight,
        Action::DeleteForward,
        Action::TickBox,
        Action::NewLine,
        Action::TypeText,
        Action::KeepDraft,
    ];
}

impl Action {
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit (waits for the last save)",
            Action::Help => "show or hide this help",
            Action::Lock => "lock now",
            Action::SwitchRecorder => "switch who is recording",
            Action::Back => "back",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "first",
            Action::Bottom => "last",
            Action::Open => "open",
            Action::Filter => "filter as you type",
            Action::ViewOpen => "open cases",
            Action::ViewDue => "reviews due or overdue",
            Action::ViewClosed => "closed cases",
            Action::ViewAll => "all incidents",
            Action::CycleSort => "sort by date, risk or next review",
            Action::NewIncident => "record a new incident",
            Action::PeopleRegister => "people register",
            Action::Settings => "settings",
            Action::NextSection => "next section",
            Action::PrevSection => "previous section",
            Action::EditIncident => {
                "edit the summary, or the selected evidence item or reporting step"
            }
            Action::LinkPerson => "link a person",
            Action::AddEvidence => "add evidence",
            Action::RegisterFile => {
                "register the selected evidence item's file (SHA-256 and size; never copied)"
            }
            Action::AddReport => "add a reporting step or a decision not to refer",
            Action::AddReview => "schedule a review",
            Action::HoldReview => "record the selected review as held",
            Action::TickStep => "tick the selected checklist step (done now)",
            Action::TickStepAt => "tick the selected step, saying when it was done",
            Action::StepNotApplicable => "mark the selected step not applicable",
            Action::CloseCase => "close the case",
            Action::ReopenCase => "re-open the case",
            Action::MarkError => {
                "mark the selected entry (or a checklist step's tick) entered in error"
            }
            Action::UnlinkPerson => {
                "unlink the selected person (linked by mistake), with the reason"
            }
            Action::Chronology => "chronology of the selected person",
            Action::NewPerson => "add a person to the register",
            Action::EditPerson => "edit the selected person",
            Action::LinkRelated => "link a related incident",
            Action::RetrySave => "retry a save that failed",
            Action::Backup => "back up to removable media",
            Action::Concerns => "staff concerns waiting",
            Action::ConcernAddTo => "add the concern to an existing incident",
            Action::ConcernNoAction => "no further action, with the reason",
            Action::ConcernsSwitch => "switch between concerns waiting and those taken in",
            Action::ReadInbox => "look in the concern folder again",
            Action::NextField => "next field",
            Action::PrevField => "previous field",
            Action::Submit => "save",
            Action::Choose => "take the highlighted choice",
            Action::PickChoice => {
                "on a choice or a name: the list to choose from; on other one-line text: next field"
            }
            Action::Cancel => "cancel",
            Action::Statistics => "statistics (anonymised figures)",
            Action::Retention => "retention: records due for disposal",
            Action::History => {
                "the logbook's history: every audit entry (keys, recorders, backups, restores, settings, every change)"
            }
            Action::CycleKind => {
                "show one kind of entry only (keys, backups, ...), in turn, then all"
            }
            Action::CyclePeriod => "next period",
            Action::Dispose => "dispose of the selected record (asks why, and to confirm)",
            Action::Export => "export a chronology (format, for whom, encrypted or not)",
            Action::DeleteBack => "delete the character before the cursor",
            Action::Unlock => "unlock with what is typed",
            Action::Discard => "discard the changes in the form",
            Action::TypeToFilter => "letters, digits and signs narrow the rows to those that match",
            Action::LineStart => "to the start of the line",
            Action::LineEnd => "to the end of the line",
            Action::ClearField => "clear the field",
            Action::KillToEnd => "delete to the end of the line",
            Action::DeleteWordBack => "delete the word before the cursor",
            Action::WordLeft => "back one word",
            Action::WordRight => "forward one word",
            Action::CharLeft => "back one character",
            Action::CharRight => "forward one character",
            Action::DeleteForward => "delete the character under the cursor",
            Action::TickBox => "on a tick box: tick or untick it",
            Action::NewLine => "in a multi-line field: a new line",
            Action::TypeText => {
                "types into the field; a pre-filled date or number is replaced by the first key typed"
            }
            Action::KeepDraft => {
                "keep the form another holder left when the app locked: it is saved as drafted by them"
            }
        }
    }
}

impl Action {
    /// The word or two a footer hint shows after the key ("a add"): exhaustive like
    /// `description`, so a new action does not compile until it has one.
    pub fn short(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Lock => "lock",
            Action::Back => "back",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "first",
            Action::Bottom => "last",
            Action::Open => "open",
            Action::Filter => "filter",
            Action::ViewOpen => "open cases",
            Action::ViewDue => "reviews due",
            Action::ViewClosed => "closed",
            Action::ViewAll => "all",
            Action::CycleSort => "sort",
            Action::NewIncident => "new",
            Action::PeopleRegister => "people",
            Action::Settings => "settings",
            Action::NextSection => "sections",
            Action::PrevSection => "previous section",
            Action::EditIncident => "edit",
            // Named by what they add: the summary offers all three side by side.
            Action::LinkPerson => "person",
            Action::AddEvidence => "evidence",
            Action::RegisterFile => "register its file",
            Action::AddReport => "report",
            Action::AddReview => "review",
            Action::HoldReview => "record as held",
            Action::TickStep => "tick",
            Action::TickStepAt => "tick with a time",
            Action::StepNotApplicable => "not applicable",
            Action::CloseCase => "close",
            Action::ReopenCase => "re-open",
            Action::MarkError => "entered in error",
            Action::UnlinkPerson => "unlink",
            Action::Chronology => "chronology",
            Action::NewPerson => "add",
            Action::EditPerson => "edit",
            Action::LinkRelated => "link a related incident",
            Action::RetrySave => "retry the save",
            Action::Backup => "back up",
            Action::Concerns => "concerns",
            Action::SwitchRecorder => "switch recorder",
            Action::Statistics => "statistics",
            Action::Retention => "retention",
            Action::History => "history",
            Action::CycleKind => "kind",
            Action::CyclePeriod => "next period",
            Action::Dispose => "dispose",
            Action::Export => "export",
            Action::ConcernAddTo => "add to an incident",
            Action::ConcernNoAction => "no further action",
            Action::ConcernsSwitch => "taken in",
            Action::ReadInbox => "look again",
            Action::NextField => "next",
            Action::PrevField => "previous",
            Action::Submit => "save",
            Action::Choose => "choose",
            Action::PickChoice => "choose",
            Action::Cancel => "cancel",
            Action::DeleteBack => "delete",
            Action::Unlock => "unlock",
            Action::Discard => "discards",
            Action::TypeToFilter => "to filter",
            Action::LineStart => "start",
            Action::LineEnd => "end",
            Action::ClearField => "clear",
            Action::KillToEnd => "delete to end",
            Action::DeleteWordBack => "delete word",
            Action::WordLeft => "word back",
            Action::WordRight => "word forward",
            Action::CharLeft => "left",
            Action::CharRight => "right",
            Action::DeleteForward => "delete",
            Action::TickBox => "tick",
            Action::NewLine => "new line",
            Action::TypeText => "to type",
            Action::KeepDraft => "keeps it",
        }
    }
}

/// A footer hint for these actions of a table: "a add · / filter · Esc back", each key taken
/// from the table, so a hint cannot name a key that does something else. An action the table
/// does not bind is left out.
pub fn hints(table: &[Binding], actions: &[Action]) -> String {
    actions
        .iter()
        .filter_map(|a| {
            let mut key = key_for(table, *a);
            if key.is_empty() {
                key = key_for(GLOBAL, *a);
            }
            (!key.is_empty()).then(|| format!("{key} {}", a.short()))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn key(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}
const fn alt(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::ALT,
    }
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}
/// Stands in a table for the printable keys, which a text-entry mode types into its text:
/// drawn as "type"; no key press matches it (crossterm reports no printable key as `Null`,
/// and the modes take a `Null` for nothing).
const TYPING: Key = code(KeyCode::Null);

const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}

impl Key {
    /// The same key with Alt held.
    const fn alt(self) -> Key {
        Key {
            code: self.code,
            mods: KeyModifiers::ALT,
        }
    }
}

impl Key {
    pub fn label(self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Null => "type".into(),
            other => format!("{other:?}"),
        };
        // A letter is drawn in capitals after the modifier ("Ctrl-A"), a named key as named.
        let held = if base.chars().count() == 1 {
            base.to_uppercase()
        } else {
            base.clone()
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{held}")
        } else if self.mods.contains(KeyModifiers::ALT) {
            format!("Alt-{held}")
        } else {
            base
        }
    }

    fn matches(self, ev: &KeyEvent) -> bool {
        // Shift is part of the character for letters ('N' vs 'n'); compare the rest.
        let mods = ev.modifiers - KeyModifiers::SHIFT;
        let want = self.mods - KeyModifiers::SHIFT;
        ev.code == self.code && mods == want
            || matches!((ev.code, self.code), (KeyCode::BackTab, KeyCode::BackTab))
    }
}

#[derive(Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
}

const fn bind(keys: &'static [Key], action: Action) -> Binding {
    Binding { keys, action }
}

/// Keys that work everywhere outside text entry.
pub const GLOBAL: &[Binding] = &[
    bind(&[key('?'), code(KeyCode::F(1))], Action::Help),
    bind(&[key('B')], Action::Backup),
    bind(&[key('R')], Action::RetrySave),
    bind(&[ctrl('l')], Action::Lock),
    bind(&[key('W')], Action::SwitchRecorder),
    bind(&[key('q')], Action::Quit),
];

const MOVE: [Binding; 6] = [
    bind(&[key('k'), code(KeyCode::Up)], Action::Up),
    bind(&[key('j'), code(KeyCode::Down)], Action::Down),
    bind(&[code(KeyCode::PageUp), ctrl('u')], Action::PageUp),
    bind(&[code(KeyCode::PageDown), ctrl('d')], Action::PageDown),
    bind(&[key('g'), code(KeyCode::Home)], Action::Top),
    bind(&[key('G'), code(KeyCode::End)], Action::Bottom),
];

/// A screen's table that starts with the movement keys every list has (`MOVE`).
macro_rules! with_moves {
    ($($binding:expr),* $(,)?) => {
        &[MOVE[0], MOVE[1], MOVE[2], MOVE[3], MOVE[4], MOVE[5], $($binding),*]
    };
}

pub const LIST: &[Binding] = with_moves![
    bind(&[code(KeyCode::Enter)], Action::Open),
    bind(&[key('/')], Action::Filter),
    bind(&[key('1')], Action::ViewOpen),
    bind(&[key('2')], Action::ViewDue),
    bind(&[key('3')], Action::ViewClosed),
    bind(&[key('4')], Action::ViewAll),
    bind(&[key('s')], Action::CycleSort),
    bind(&[key('n')], Action::NewIncident),
    bind(&[key('P')], Action::PeopleRegister),
    bind(&[key('S')], Action::Settings),
    bind(&[key('C')], Action::Concerns),
    bind(&[key('T')], Action::Statistics),
    bind(&[key('D')], Action::Retention),
    bind(&[key('H')], Action::History),
    bind(&[code(KeyCode::Esc)], Action::Back),
];

pub const DETAIL: &[Binding] = with_moves![
    bind(
        &[code(KeyCode::Tab), key('l'), code(KeyCode::Right)],
        Action::NextSection,
    ),
    bind(
        &[code(KeyCode::BackTab), key('h'), code(KeyCode::Left)],
        Action::PrevSection,
    ),
    bind(&[code(KeyCode::Enter)], Action::Open),
    bind(&[key('E')], Action::EditIncident),
    bind(&[key('p')], Action::LinkPerson),
    bind(&[key('e')], Action::AddEvidence),
    bind(&[key('f')], Action::RegisterFile),
    bind(&[key('r')], Action::AddReport),
    bind(&[key('v')], Action::AddReview),
    bind(&[key('H')], Action::HoldReview),
    bind(&[key(' ')], Action::TickStep),
    bind(&[key('t')], Action::TickStepAt),
    bind(&[key('N')], Action::StepNotApplicable),
    bind(&[key('c')], Action::CloseCase),
    bind(&[key('o')], Action::ReopenCase),
    bind(&[key('x')], Action::MarkError),
    bind(&[key('u')], Action::UnlinkPerson),
    bind(&[key('C')], Action::Chronology),
    bind(&[key('L')], Action::LinkRelated),
    bind(&[key('X')], Action::Export),
    bind(&[code(KeyCode::Esc)], Action::Back),
];

pub const PEOPLE: &[Binding] = with_moves![
    bind(&[code(KeyCode::Enter), key('C')], Action::Chronology),
    bind(&[key('/')], Action::Filter),
    bind(&[key('a')], Action::NewPerson),
    bind(&[key('E')], Action::EditPerson),
    bind(&[key('x')], Action::MarkError),
    bind(&[key('X')], Action::Export),
    bind(&[key('H')], Action::History),
    bind(&[code(KeyCode::Esc)], Action::Back),
];

pub const CHRONOLOGY: &[Binding] = with_moves![
    bind(&[code(KeyCode::Enter)], Action::Open),
    bind(&[code(KeyCode::Esc)], Action::Back),
];

pub const STATISTICS: &[Binding] = with_moves![
    bind(&[key('p'), code(KeyCode::Tab)], Action::CyclePeriod),
    bind(&[code(KeyCode::Esc)], Action::Back),
];

/// The logbook's history: every audit entry, one kind or all.
pub const HISTORY: &[Binding] = with_moves![
    bind(&[code(KeyCode::Enter)], Action::Open),
    bind(&[code(KeyCode::Tab), key('f')], Action::CycleKind),
    bind(&[code(KeyCode::Esc)], Action::Back),
];

pub const RETENTION: &[Binding] = with_moves![
    bind(&[code(KeyCode::Enter)], Action::Open),
    bind(&[key('D')], Action::Dispose),
    bind(&[code(KeyCode::Esc)], Action::Back),
];

/// Staff concerns waiting in the inbox: read one, then take it in one of three ways.
pub const CONCERNS: &[Binding] = with_moves![
    bind(&[code(KeyCode::Enter)], Action::Open),
    bind(&[key('n')], Action::NewIncident),
    bind(&[key('a')], Action::ConcernAddTo),
    bind(&[key('d')], Action::ConcernNoAction),
    bind(&[key('r')], Action::ReadInbox),
    bind(&[code(KeyCode::Tab)], Action::ConcernsSwitch),
    bind(&[code(KeyCode::Esc)], Action::Back),
];

/// Staff concerns taken in (tester3 #43): read one whole with what was decided; one
/// recorded as needing no further action can be added to an incident after all.
pub const CONCERNS_TAKEN: &[Binding] = with_moves![
    bind(&[code(KeyCode::Enter)], Action::Open),
    bind(&[key('a')], Action::ConcernAddTo),
    bind(&[code(KeyCode::Tab)], Action::ConcernsSwitch),
    bind(&[code(KeyCode::Esc)], Action::Back),
];

/// Forms: text keys go to the field, so only keys no field uses are bound here.
pub const FORM: &[Binding] = &[
    bind(
        &[code(KeyCode::Tab), code(KeyCode::Down)],
        Action::NextField,
    ),
    bind(
        &[code(KeyCode::BackTab), code(KeyCode::Up)],
        Action::PrevField,
    ),
    bind(&[ctrl('s')], Action::Submit),
    // Documents Enter: the form hands it to the focused field, which opens its list.
    bind(&[code(KeyCode::Enter)], Action::PickChoice),
    bind(&[code(KeyCode::Esc), ctrl('[')], Action::Cancel),
    bind(&[code(KeyCode::F(1))], Action::Help),
    bind(&[ctrl('l')], Action::Lock),
];

/// The first-run set-up form: the form's keys but the lock, as there is no logbook to
/// lock yet (Ctrl-L does nothing there, so its help must not offer it).
pub const SETUP_FORM: &[Binding] = &[FORM[0], FORM[1], FORM[2], FORM[3], FORM[4], FORM[5]];

/// The keys a form's field handles itself (`tui::editor`, and the form for a tick box):
/// documented here so the help lists them under the form's keys; the editor's test
/// presses each key listed and checks that it does what it says.
pub const EDITING: &[Binding] = &[
    bind(&[TYPING], Action::TypeText),
    bind(&[ctrl('a'), code(KeyCode::Home)], Action::LineStart),
    bind(&[ctrl('e'), code(KeyCode::End)], Action::LineEnd),
    bind(&[ctrl('u')], Action::ClearField),
    bind(&[ctrl('k')], Action::KillToEnd),
    bind(
        &[ctrl('w'), code(KeyCode::Backspace).alt()],
        Action::DeleteWordBack,
    ),
    bind(&[alt('b')], Action::WordLeft),
    bind(&[alt('f')], Action::WordRight),
    bind(&[code(KeyCode::Left)], Action::CharLeft),
    bind(&[code(KeyCode::Right)], Action::CharRight),
    bind(&[code(KeyCode::Backspace)], Action::DeleteBack),
    bind(&[code(KeyCode::Delete)], Action::DeleteForward),
    bind(&[key(' ')], Action::TickBox),
    bind(&[code(KeyCode::Enter)], Action::NewLine),
];

/// The unlock screen: the passphrase, and in key mode the key file's path, are typed.
pub const UNLOCK: &[Binding] = &[
    bind(
        &[
            code(KeyCode::Tab),
            code(KeyCode::BackTab),
            code(KeyCode::Up),
            code(KeyCode::Down),
        ],
        Action::NextField,
    ),
    bind(&[code(KeyCode::Enter)], Action::Unlock),
    bind(&[code(KeyCode::Esc)], Action::Quit),
    // Not `?`: it is text in a passphrase.
    bind(&[code(KeyCode::F(1))], Action::Help),
];

/// A form asks whether to drop its changes: `y` drops them, any other key goes back to it.
pub const DISCARD: &[Binding] = &[
    bind(&[key('y'), key('Y')], Action::Discard),
    bind(&[code(KeyCode::Esc)], Action::Back),
];

/// Another holder's form, reopened after an unlock: keep it (recorded as drafted by
/// them) or discard it; no other key does anything until it is answered.
pub const KEEP_DRAFT: &[Binding] = &[
    bind(&[key('k'), key('K')], Action::KeepDraft),
    bind(&[key('d'), key('D')], Action::Discard),
    bind(&[code(KeyCode::F(1))], Action::Help),
    bind(&[ctrl('l')], Action::Lock),
];

/// Pickers: typing filters, arrows choose.
pub const PICKER: &[Binding] = &[
    bind(&[TYPING], Action::TypeToFilter),
    bind(&[code(KeyCode::Backspace)], Action::DeleteBack),
    bind(&[code(KeyCode::Up), ctrl('p')], Action::Up),
    bind(&[code(KeyCode::Down), ctrl('n')], Action::Down),
    bind(&[code(KeyCode::Enter)], Action::Choose),
    bind(&[code(KeyCode::Esc), ctrl('[')], Action::Cancel),
];

/// Choosing who records at start-up: the picker's keys but Esc, as someone must record.
pub const CHOOSE_WHO: &[Binding] = &[PICKER[0], PICKER[1], PICKER[2], PICKER[3], PICKER[4]];

/// Typing into a filter (the list, the people register): the rows narrow as you type.
/// `TYPING` stands for the keys that go into the text.
pub const FILTER: &[Binding] = &[
    bind(&[TYPING], Action::TypeToFilter),
    bind(
        &[code(KeyCode::Enter), code(KeyCode::Down), code(KeyCode::Up)],
        Action::Choose,
    ),
    bind(&[code(KeyCode::Esc), ctrl('[')], Action::Cancel),
    bind(&[code(KeyCode::Backspace)], Action::DeleteBack),
];

/// The backup dialog: choose a medium or type a folder, then watch it run.
pub const BACKUP: &[Binding] = &[
    bind(&[code(KeyCode::Up)], Action::Up),
    bind(&[code(KeyCode::Down)], Action::Down),
    bind(&[code(KeyCode::Enter)], Action::Choose),
    bind(&[code(KeyCode::Esc), ctrl('[')], Action::Cancel),
];

/// The help overlay: it scrolls when the keys of a screen do not fit; Esc, F1 or `?`
/// (`closes_help`) close it.
pub const HELP: &[Binding] = &[
    MOVE[0],
    MOVE[1],
    MOVE[2],
    MOVE[3],
    bind(&[code(KeyCode::Esc), code(KeyCode::F(1))], Action::Back),
];

pub const POPUP: &[Binding] = &[
    MOVE[0],
    MOVE[1],
    MOVE[2],
    MOVE[3],
    MOVE[4],
    MOVE[5],
    bind(&[code(KeyCode::Esc), code(KeyCode::Enter)], Action::Back),
];

/// The reader of a staff concern (a pop-up over the concerns): it scrolls and closes as a
/// pop-up does, and takes the concern in with the same keys as the concern list.
pub const CONCERN_READER: &[Binding] = &[
    MOVE[0],
    MOVE[1],
    MOVE[2],
    MOVE[3],
    MOVE[4],
    MOVE[5],
    bind(&[code(KeyCode::Esc), code(KeyCode::Enter)], Action::Back),
    bind(&[key('n')], Action::NewIncident),
    bind(&[key('a')], Action::ConcernAddTo),
    bind(&[key('d')], Action::ConcernNoAction),
];

/// The reader of a staff concern taken in: it scrolls and closes as a pop-up does, and
/// adds one recorded as needing no further action to an incident, as the list does.
pub const CONCERN_TAKEN_READER: &[Binding] = &[
    MOVE[0],
    MOVE[1],
    MOVE[2],
    MOVE[3],
    MOVE[4],
    MOVE[5],
    bind(&[code(KeyCode::Esc), code(KeyCode::Enter)], Action::Back),
    bind(&[key('a')], Action::ConcernAddTo),
];

/// Every table, with whether the global keys work beside it (not where text is typed or
/// in a dialog of its own).
pub const TABLES: &[(&str, &[Binding], bool)] = &[
    ("help", HELP, false),
    ("concerns", CONCERNS, true),
    ("concerns taken in", CONCERNS_TAKEN, true),
    ("statistics", STATISTICS, true),
    ("retention", RETENTION, true),
    ("history", HISTORY, true),
    ("backup", BACKUP, false),
    ("global", GLOBAL, false),
    ("list", LIST, true),
    ("detail", DETAIL, true),
    ("people", PEOPLE, true),
    ("chronology", CHRONOLOGY, true),
    ("form", FORM, false),
    ("set-up form", SETUP_FORM, false),
    ("editing", EDITING, false),
    ("picker", PICKER, false),
    ("choose who", CHOOSE_WHO, false),
    ("popup", POPUP, true),
    ("concern reader", CONCERN_READER, true),
    ("concern taken in reader", CONCERN_TAKEN_READER, true),
    ("filter", FILTER, false),
    ("unlock", UNLOCK, false),
    ("discard", DISCARD, false),
    ("keep a draft", KEEP_DRAFT, false),
];

/// The key bound twice in a table (counting the global keys where they work), if any.
fn bound_twice(name: &str, table: &[Binding], with_global: bool) -> Option<String> {
    let global = GLOBAL.iter().filter(|_| with_global);
    let keys: Vec<Key> = table
        .iter()
        .chain(global)
        .flat_map(|b| b.keys.iter().copied())
        .collect();
    keys.iter()
        .enumerate()
        .find(|(i, k)| keys[i + 1..].contains(k))
        .map(|(_, k)| format!("{name}: {} is bound twice", k.label()))
}

/// The start-up check: no key does two things in one table, so no key silently loses one
/// of its actions. The app refuses to start otherwise (a test runs the same check).
pub fn check() -> Result<(), String> {
    TABLES
        .iter()
        .find_map(|(name, table, global)| bound_twice(name, table, *global))
        .map_or(Ok(()), Err)
}

/// Keys that close the help: Esc, or the key that opened it (`?` where no text is typed,
/// F1 anywhere). Nothing else does, and no key reaches the screen beneath while it shows.
pub fn closes_help(ev: &KeyEvent) -> bool {
    matches!(ev.code, KeyCode::Esc | KeyCode::F(1) | KeyCode::Char('?'))
        && !ev.modifiers.contains(KeyModifiers::CONTROL)
}

/// The action a key asks for on a screen, if any.
pub fn lookup(table: &[Binding], ev: &KeyEvent) -> Option<Action> {
    table
        .iter()
        .find(|b| b.keys.iter().any(|k| k.matches(ev)))
        .map(|b| b.action)
}

/// The first key bound to an action in a table, as drawn ("p", "Ctrl-S"), for a message
/// that names the key: generated here, so it cannot drift from what the key does.
pub fn key_for(table: &[Binding], action: Action) -> String {
    table
        .iter()
        .find(|b| b.action == action)
        .and_then(|b| b.keys.first())
        .map_or_else(String::new, |k| k.label())
}

/// (keys, description) lines for the help overlay.
pub fn help(table: &[Binding]) -> Vec<(String, &'static str)> {
    table
        .iter()
        .map(|b| {
            let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
            (keys.join(" "), b.action.description())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> impl Iterator<Item = (&'static str, &'static [Binding])> {
        TABLES.iter().map(|(name, table, _)| (*name, *table))
    }

    #[test]
    fn no_key_is_bound_twice_on_one_screen() {
        assert_eq!(check(), Ok(()));
        // And the check finds one.
        const TWICE: &[Binding] = &[
            bind(&[key('x')], Action::MarkError),
            bind(&[key('q')], Action::Export),
        ];
        assert!(bound_twice("test", TWICE, true).is_some_and(|m| m.contains("q")));
    }

    #[test]
    fn every_action_has_a_description_and_help_lists_every_binding() {
        for (_, table) in all() {
            let lines = help(table);
            assert_eq!(lines.len(), table.len());
            assert!(
                lines
                    .iter()
                    .all(|(keys, d)| !keys.is_empty() && !d.is_empty())
            );
        }
    }

    #[test]
    fn every_action_has_a_key_a_description_and_a_hint() {
        let tables: Vec<_> = all().collect();
        for a in Action::ALL {
            assert!(
                !a.description().is_empty() && !a.short().is_empty(),
                "{a:?}"
            );
            assert!(
                tables.iter().any(|(_, t)| t.iter().any(|b| b.action == a)),
                "{a:?} has no key on any screen"
            );
        }
        // And ALL is complete: every action a table binds is in it.
        for (name, table) in tables {
            for b in table.iter() {
                assert!(Action::ALL.contains(&b.action), "{name}: {:?}", b.action);
            }
        }
    }
}
