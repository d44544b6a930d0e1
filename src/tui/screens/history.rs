//! The logbook's history: every audit entry in order (`present::trail` words them), all or
//! one kind at a time, the newest selected when it opens. `Enter` shows the selected entry
//! whole in a pop-up; the box under the table shows as much of it as fits.

use super::{Ctx, Go, Screen, move_selection, moves};
use crate::model::{AuditEntry, Logbook};
use crate::present::trail::{self, Kind};
use crate::text::line;
use crate::tui::keymap::Action;
use crate::tui::popup::Popup;

/// The screen as it opens from another: every entry, the newest selected.
pub fn opened() -> Screen {
    Screen::History {
        selected: usize::MAX,
        kind: None,
    }
}

/// The entries shown: indexes into the trail, oldest first.
pub fn rows(book: &Logbook, kind: Option<Kind>) -> Vec<usize> {
    book.audit
        .iter()
        .enumerate()
        .filter(|(_, e)| kind.is_none_or(|k| trail::kind(e) == k))
        .map(|(n, _)| n)
        .collect()
}

/// The kind after `kind` when the filter is turned: each kind in turn, then all again.
pub fn next_kind(kind: Option<Kind>) -> Option<Kind> {
    match kind {
        None => Kind::ALL.first().copied(),
        Some(k) => Kind::ALL
            .iter()
            .position(|x| *x == k)
            .and_then(|n| Kind::ALL.get(n + 1))
            .copied(),
    }
}

/// The row selected among `len` rows (`selected` may be past the last: the last).
pub fn clamp(selected: usize, len: usize) -> usize {
    selected.min(len.saturating_sub(1))
}

/// An action of the history screen.
pub fn handle(ctx: &Ctx, selected: usize, kind: Option<Kind>, action: Action) -> Option<Go> {
    let shown = rows(ctx.book, kind);
    let selected = clamp(selected, shown.len());
    match action {
        Action::Back => Some(Go::Pop),
        Action::Open => {
            let e = ctx.book.audit.get(*shown.get(selected)?)?;
            Some(Go::Popup(popup(ctx.book, e)))
        }
        Action::CycleKind => Some(Go::Set(Screen::History {
            selected: usize::MAX,
            kind: next_kind(kind),
        })),
        a if moves(a) => Some(Go::Set(Screen::History {
            selected: move_selection(selected, shown.len(), a, ctx.page),
            kind,
        })),
        _ => None,
    }
}

/// The title of an entry shown whole: "#12 · 2026-11-30 13:15 · R. Okafor".
pub fn title(e: &AuditEntry) -> String {
    format!(
        "#{} · {} · {}",
        e.seq,
        crate::present::at(&e.at),
        line(&e.by)
    )
}

/// An entry, escaped, one paragraph a line: what it is about, what it records, and each
/// change (the pop-up adds the hashes that chain it).
pub fn text(book: &Logbook, e: &AuditEntry) -> Vec<String> {
    let kind = trail::kind(e);
    let mut out = vec![
        format!("{} · {}", line(&trail::record(e)), kind.label()),
        line(&trail::what(e)).into_owned(),
    ];
    out.extend(trail::changes(book, e).iter().map(|c| line(c).into_owned()));
    out
}

/// The entry whole, with the hashes `verify` checks it by.
fn popup(book: &Logbook, e: &AuditEntry) -> Popup {
    let mut text = text(book, e);
    text.push(String::new());
    if !trail::emptied(e) {
        text.push(format!("State SHA-256: {}", line(&e.state.to_string())));
    }
    text.push(format!("Entry hash: {}", line(&e.hash.to_string())));
    Popup {
        title: format!("Audit entry {}", title(e)),
        text: text.join("\n"),
        scroll: 0,
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyCode;

    use super::*;
    use crate::model::{Holder, Stamp, Subject};
    use crate::tui::app::{App, Layer};
    use crate::tui::tests::{demo_app, press, render, snap};

    const DSL: &str = "age1lftkev2w6marf77e0l6k86n8zvd7jyjygzd99akkucptc0kxd4vqcz95nf";
    const DEPUTY: &str = "age1u85l5a0cwecc07muwj64qmwe5fapk068qh6zgvqzadrrpcxetu7sag4suy";

    /// Selects the row of the trail's entry `index` (all kinds shown).
    fn select(app: &mut App, index: usize) {
        let row = rows(app.book.as_ref().unwrap(), None)
            .iter()
            .position(|n| *n == index)
            .unwrap();
        if let Some(Screen::History { selected, .. }) = app.screens.last_mut() {
            *selected = row;
        }
    }

    /// The demo logbook with the entries about the logbook itself that tester3 #25 could
    /// not read anywhere: a key added, a change of recorder, a backup, a restore, the
    /// concern folder, and a disposal that emptied its record's entries.
    fn app_with_logbook_entries() -> App {
        let mut app = demo_app();
        let book = app.book.as_mut().unwrap();
        let at = book.audit.last().unwrap().at + chrono::Duration::minutes(5);
        let s = Stamp::new("RO", at);
        book.update_settings(&s, |st| {
            st.recipients = vec![DSL.into(), DEPUTY.into()];
            st.holders = vec![
                Holder {
                    key: DSL.into(),
                    name: "RO".into(),
                },
                Holder {
                    key: DEPUTY.into(),
                    name: "J. Patel".into(),
                },
            ];
        })
        .unwrap();
        book.record_recorder(
            &Stamp::new("J. Patel", at),
            "RO",
            "opened the logbook with their key",
        )
        .unwrap();
        book.record_backup(&s, "/media/dsl/STICK/logbook-20261130-101500.age")
            .unwrap();
        book.record_restore(&s, "/media/dsl/STICK/logbook-20261130-101500.age")
            .unwrap();
        book.update_settings(&s, |st| st.concern_inbox = "/srv/share/concerns".into())
            .unwrap();
        app
    }

    fn open_history(app: &mut App) {
        press(app, KeyCode::Char('H'));
        assert!(
            matches!(app.screen(), Screen::History { .. }),
            "{:?}",
            app.screen()
        );
    }

    #[test]
    fn the_history_shows_the_entries_about_the_logbook_itself_newest_selected() {
        let mut app = app_with_logbook_entries();
        open_history(&mut app);
        let screen = render(&mut app, 100, 30);
        // The newest entry is selected and shown whole under the table.
        assert!(
            screen.contains("changed settings: concern folder"),
            "{screen}"
        );
        assert!(
            screen.contains("concern folder: (none) -> \"/srv/share/concerns\""),
            "{screen}"
        );
        // Older ones are above, said so.
        assert!(screen.contains("↑"), "{screen}");
        snap("history", &mut app);
        // Up to the key added: the holder is named, and what it means.
        for _ in 0..4 {
            press(&mut app, KeyCode::Char('k'));
        }
        let screen = render(&mut app, 100, 30);
        assert!(screen.contains("│J. Patel (age1u85l5a0"), "{screen}");
        assert!(screen.contains("): can now open the logbook"), "{screen}");
        snap("history-keys-entry", &mut app);
        // Enter shows it whole; Esc goes back to the history, Esc again to the list.
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.top(), Layer::Popup);
        let popup = render(&mut app, 80, 24);
        assert!(popup.contains("Audit entry #"), "{popup}");
        press(&mut app, KeyCode::Char('G'));
        let popup = render(&mut app, 80, 24);
        assert!(popup.contains("Entry hash:"), "{popup}");
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
        assert!(matches!(app.screen(), Screen::List));
    }

    #[test]
    fn tab_shows_one_kind_at_a_time_then_all() {
        let mut app = app_with_logbook_entries();
        let total = app.book.as_ref().unwrap().audit.len();
        open_history(&mut app);
        let mut seen = Vec::new();
        for _ in 0..Kind::ALL.len() {
            press(&mut app, KeyCode::Tab);
            let Screen::History { kind: Some(k), .. } = app.screen().clone() else {
                panic!("{:?}", app.screen());
            };
            seen.push(k);
            let book = app.book.as_ref().unwrap();
            assert!(
                rows(book, Some(k))
                    .iter()
                    .all(|n| trail::kind(&book.audit[*n]) == k)
            );
        }
        assert_eq!(seen, Kind::ALL);
        press(&mut app, KeyCode::Tab);
        assert!(matches!(app.screen(), Screen::History { kind: None, .. }));
        // The kinds together are every entry.
        let book = app.book.as_ref().unwrap();
        let sum: usize = Kind::ALL.iter().map(|k| rows(book, Some(*k)).len()).sum();
        assert_eq!(sum, total);
        // Keys: the one change of keys, whatever else the logbook holds.
        while !matches!(
            app.screen(),
            Screen::History {
                kind: Some(Kind::Keys),
                ..
            }
        ) {
            press(&mut app, KeyCode::Tab);
        }
        let screen = render(&mut app, 80, 24);
        assert!(screen.contains("· keys ·"), "{screen}");
        assert!(
            screen.contains("who can open the logbook and its backups"),
            "{screen}"
        );
        assert!(screen.contains("1 of"), "{screen}");
        snap("history-kind-keys", &mut app);
    }

    #[test]
    fn the_history_is_reached_from_the_list_and_the_people_register_and_help_says_so() {
        let mut app = demo_app();
        press(&mut app, KeyCode::Char('?'));
        let help = render(&mut app, 100, 30);
        assert!(help.contains("the logbook's history"), "{help}");
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('P'));
        open_history(&mut app);
        press(&mut app, KeyCode::Char('?'));
        let help = render(&mut app, 100, 30);
        assert!(help.contains("show one kind of entry only"), "{help}");
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
        assert!(matches!(app.screen(), Screen::People { .. }));
    }

    #[test]
    fn text_from_entries_is_escaped_and_emptied_entries_say_so() {
        let mut app = demo_app();
        let book = app.book.as_mut().unwrap();
        let at = book.audit.last().unwrap().at + chrono::Duration::minutes(5);
        let closed = book
            .incidents
            .iter()
            .find(|i| i.status == crate::model::Status::Closed)
            .unwrap()
            .id
            .clone();
        book.record_recorder(
            &Stamp::new("Evil\u{1b}[2J\u{1b}]52;c;aGk=\u{7}Name", at),
            "RO",
            "chosen at the keyboard",
        )
        .unwrap();
        book.dispose(
            &Stamp::new("RO", at),
            &closed,
            "adults only: closed + 6 years",
        )
        .unwrap();
        open_history(&mut app);
        let book = app.book.as_ref().unwrap();
        let recorder = book
            .audit
            .iter()
            .rposition(|e| e.action.starts_with("recording now as"))
            .unwrap();
        let disposal = book
            .audit
            .iter()
            .rposition(|e| e.subject == Subject::Incident(closed.clone()))
            .unwrap();
        let emptied = book
            .audit
            .iter()
            .position(|e| e.subject == Subject::Incident(closed.clone()))
            .unwrap();
        select(&mut app, recorder);
        let screen = render(&mut app, 100, 30);
        assert!(!screen.contains('\u{1b}'), "{screen:?}");
        assert!(screen.contains("Evil\\e[2J"), "{screen}");
        // The disposal's own entry lists what it emptied; the emptied ones say so.
        select(&mut app, disposal);
        let screen = render(&mut app, 100, 30);
        assert!(screen.contains("emptied entry #"), "{screen}");
        select(&mut app, emptied);
        let screen = render(&mut app, 100, 30);
        assert!(
            screen.contains("[emptied by the disposal, entry #"),
            "{screen}"
        );
    }

    #[test]
    fn while_the_history_is_checked_the_screen_says_so() {
        let mut app = demo_app();
        let book = app.book.as_mut().unwrap();
        book.audit.clear();
        book.trail_pending = true;
        open_history(&mut app);
        let screen = render(&mut app, 80, 24);
        assert!(screen.contains("still being read and checked"), "{screen}");
    }
}
