//! Keys on the Statistics and Retention screens. Kept out of `app.rs` so the screens that
//! show records leaving the logbook sit together; they change state only through `App`'s
//! own fields and the model's audited operations.

use chrono::{Datelike, Months, NaiveDate};

use super::app::{App, Screen, Section};
use super::keymap::Action;
use crate::model::Until;

/// The periods the Statistics screen offers, in the order `p` steps through them.
pub const PERIODS: [&str; 4] = [
    "last 12 months",
    "this school year",
    "last school year",
    "all time",
];

/// The first and last day of period `n` on `today`.
pub fn period(n: usize, today: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let school_start = |year: i32| NaiveDate::from_ymd_opt(year, 9, 1);
    let this_year = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    match n {
        0 => (
            today
                .checked_sub_months(Months::new(12))
                .and_then(|d| d.succ_opt()),
            Some(today),
        ),
        1 => (school_start(this_year), Some(today)),
        2 => (
            school_start(this_year - 1),
            school_start(this_year).and_then(|d| d.pred_opt()),
        ),
        _ => (None, None),
    }
}

fn set_top(app: &mut App, screen: Screen) {
    if let Some(top) = app.screens.last_mut() {
        *top = screen;
    }
}

pub fn statistics(app: &mut App, action: Action, period: usize) {
    match action {
        Action::CyclePeriod => set_top(
            app,
            Screen::Statistics {
                period: (period + 1) % PERIODS.len(),
            },
        ),
        Action::Back => {
            app.screens.pop();
        }
        _ => {}
    }
}

pub fn retention(app: &mut App, action: Action, selected: usize, confirm: bool) {
    let Some(book) = app.book.as_ref() else {
        return;
    };
    let today = app.now.date();
    let schedule = book.retention_schedule();
    let len = schedule.len();
    let chosen = schedule
        .get(selected)
        .map(|(i, k)| (i.id.clone(), k.is_due(i, today), k.until.clone()));
    drop(schedule);
    let last = len.saturating_sub(1);
    let page = app.page.max(1);
    let moved = match action {
        Action::Up => Some(selected.saturating_sub(1)),
        Action::Down => Some((selected + 1).min(last)),
        Action::PageUp => Some(selected.saturating_sub(page)),
        Action::PageDown => Some((selected + page).min(last)),
        Action::Top => Some(0),
        Action::Bottom => Some(last),
        _ => None,
    };
    if let Some(selected) = moved {
        return set_top(
            app,
            Screen::Retention {
                selected,
                confirm: false,
            },
        );
    }
    match action {
        Action::Open => {
            if let Some((id, ..)) = chosen {
                app.screens.push(Screen::Detail {
                    id,
                    section: Section::Summary,
                    selected: 0,
                });
            }
        }
        Action::Dispose => {
            let Some((id, due, until)) = chosen else {
                return;
            };
            if !due {
                app.message = Some(match until {
                    Until::Date(d) if d >= today => {
                        format!("{id} is kept until {d}: it cannot be disposed of before then.")
                    }
                    Until::Unknown(why) => format!("{id}: retention date unknown: {why}."),
                    _ => format!(
                        "{id} is not closed: only a closed case past its date is disposed of."
                    ),
                });
                return;
            }
            if !confirm {
                app.message = Some(format!(
                    "Dispose of {id} for good? Only a tombstone (number, date, you, the rule) stays. D again to confirm; moving away keeps it."
                ));
                return set_top(
                    app,
                    Screen::Retention {
                        selected,
                        confirm: true,
                    },
                );
            }
            let stamp = app.stamp();
            let Some(book) = app.book.as_mut() else {
                return;
            };
            let result = book
                .dispose_due(
                    &stamp,
                    &id,
                    today,
                    "disposed of in the app's Retention screen",
                )
                .map(|()| format!("Disposed of {id}: its tombstone is in the audit trail."));
            set_top(
                app,
                Screen::Retention {
                    selected: selected.min(len.saturating_sub(2)),
                    confirm: false,
                },
            );
            app.after_change(result);
        }
        Action::Back => {
            app.screens.pop();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;

    fn demo_app() -> App {
        let book = crate::demo::logbook().unwrap();
        App::ready(
            "logbook.age".into(),
            crate::demo::demo_now(),
            book,
            "RO".into(),
        )
    }

    fn press(app: &mut App, c: char) {
        app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }

    fn render(app: &mut App, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| super::super::view::draw(f, app)).unwrap();
        terminal.backend().to_string()
    }

    fn snap(name: &str, app: &mut App) {
        insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("{name}-100x30"), render(app, 100, 30));
            insta::assert_snapshot!(format!("{name}-80x24"), render(app, 80, 24));
        });
    }

    #[test]
    fn periods_are_the_last_year_and_the_school_years() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let today = d(2026, 11, 16);
        assert_eq!(period(0, today), (Some(d(2025, 11, 17)), Some(today)));
        assert_eq!(period(1, today), (Some(d(2026, 9, 1)), Some(today)));
        assert_eq!(
            period(2, today),
            (Some(d(2025, 9, 1)), Some(d(2026, 8, 31)))
        );
        assert_eq!(period(3, today), (None, None));
    }

    #[test]
    fn the_statistics_screen_names_no_one_and_steps_through_periods() {
        let mut app = demo_app();
        press(&mut app, 'T');
        assert!(matches!(app.screen(), Screen::Statistics { period: 0 }));
        snap("statistics", &mut app);
        let shown = render(&mut app, 100, 30);
        let book = app.book.as_ref().unwrap();
        for p in &book.people {
            let short = p.reference.split(" (").next().unwrap();
            assert!(!shown.contains(short), "the screen names {short}");
            assert!(!shown.contains(&p.id));
        }
        press(&mut app, 'p');
        assert!(matches!(app.screen(), Screen::Statistics { period: 1 }));
        press(&mut app, 'p');
        press(&mut app, 'p');
        press(&mut app, 'p');
        assert!(matches!(app.screen(), Screen::Statistics { period: 0 }));
        app.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        assert!(matches!(app.screen(), Screen::List));
    }

    #[test]
    fn the_retention_screen_disposes_of_a_due_record_only_after_a_second_d() {
        let mut app = demo_app();
        // Two years on, an adults-only case closed in 2025 would still be kept; move the
        // clock so one is due: INC-2025-0009 as an adults-only case closed 2025-11-04.
        app.now = NaiveDate::from_ymd_opt(2032, 1, 10)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        press(&mut app, 'D');
        assert!(matches!(app.screen(), Screen::Retention { .. }));
        let book = app.book.as_ref().unwrap();
        let today = app.now.date();
        let schedule = book.retention_schedule();
        let Some(row) = schedule.iter().position(|(i, k)| k.is_due(i, today)) else {
            panic!("a record due in 2032: {schedule:?}");
        };
        let id = schedule[row].0.id.clone();
        drop(schedule);
        if let Some(Screen::Retention { selected, .. }) = app.screens.last_mut() {
            *selected = row;
        }
        press(&mut app, 'D');
        assert!(app.book.as_ref().unwrap().incident(&id).is_some());
        assert!(app.message.as_ref().unwrap().contains("D again to confirm"));
        // Moving away keeps it.
        press(&mut app, 'j');
        assert!(matches!(
            app.screen(),
            Screen::Retention { confirm: false, .. }
        ));
        if let Some(Screen::Retention { selected, .. }) = app.screens.last_mut() {
            *selected = row;
        }
        press(&mut app, 'D');
        press(&mut app, 'D');
        let book = app.book.as_ref().unwrap();
        assert!(book.incident(&id).is_none(), "{:?}", app.message);
        assert!(book.tombstones.iter().any(|t| t.id == id));
        book.verify_audit().unwrap();
    }

    #[test]
    fn the_retention_screen_lists_every_incident_with_its_date() {
        let mut app = demo_app();
        press(&mut app, 'D');
        snap("retention", &mut app);
        // A record not yet due is refused with its date.
        press(&mut app, 'G');
        press(&mut app, 'D');
        assert!(app.message.is_some());
        assert_eq!(
            app.book.as_ref().unwrap().incidents.len(),
            crate::demo::logbook().unwrap().incidents.len()
        );
    }
}
