//! Tester finding 45: a retention date set by hand (`retention --set`) only keeps a record
//! longer. A date earlier than the rules give, or one already passed, is refused with one
//! sentence naming the rule and its date, and the logbook is left as it was.

mod common;

use common::*;

#[test]
fn a_date_of_its_own_earlier_than_the_rule_is_refused_naming_the_rule() {
    let f = Fixture::new().with_demo();
    let all = f.run(&["retention", "--all"]);
    assert_eq!(code(&all), 0, "{}", stderr(&all));
    let all = stdout(&all);
    // A closed child's record, kept by the child rule to a date in the future.
    let line = all
        .lines()
        .find(|l| l.contains("closed ") && l.contains("(a child involved"))
        .unwrap_or_else(|| panic!("no closed child's record in:\n{all}"));
    let id = line.split_whitespace().next().unwrap();
    let until = line
        .split("kept until ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let year: i32 = until[..4].parse().unwrap();
    let before = f.bytes();

    // One typo (a year too early) would have made a child's record disposable sooner.
    let earlier = format!("{}-01-01", year - 1);
    let o = f.run(&[
        "retention",
        "--set",
        id,
        "--until",
        &earlier,
        "--reason",
        "Typo",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{id} is kept until {until} by the rule \"a child involved"
        )),
        "{err}"
    );
    assert!(err.contains("the latest date wins"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(f.bytes(), before);

    // A date already passed (before the case closed, in the tester's case) is refused too.
    let o = f.run(&[
        "retention",
        "--set",
        id,
        "--until",
        "2026-11-01",
        "--reason",
        "Test of disposal",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("give a "), "{}", stderr(&o));
    assert_eq!(f.bytes(), before);
    let due = stdout(&f.run(&["retention"]));
    assert!(!due.contains(id), "{due}");

    // A later date is taken and keeps the record longer.
    let later = format!("{}-12-31", year + 5);
    let o = f.run(&[
        "retention",
        "--set",
        id,
        "--until",
        &later,
        "--reason",
        "Kept for the LA review",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let show = stdout(&f.run(&["show", id]));
    assert!(show.contains(&format!("kept until {later}")), "{show}");
}
