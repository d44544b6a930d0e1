//! Reviews and checklist rules through the binary: a review moved after its date keeps
//! the lateness (tester4 #21), a case closed over an unheld review counts it missed, a
//! tick entered in error is shown (tester4 #22), and open cases with no review booked are
//! named on import and listed by `list --overdue` (tester4 #13).

mod common;

use common::*;

const RECORDS: &str = r#"(
    format: 1,
    settings: (organisation: "Test School", staff: ["RO"]),
    people: [(id: "P-0001", reference: "AB", age_group: Child, birth_year: Some(2012))],
    incidents: [
        (
            id: "INC-2026-0001", occurred: "2026-10-01T10:00:00", reported: "2026-10-01T12:00:00",
            reported_by: "Tutor", recorded_by: "RO",
            people: [(person: "P-0001", role: Subject)],
            risk_area: Conduct, types: [Cyberbullying], description: "Moved when overdue, then held",
            risk_level: Medium, status: Monitoring,
            checklist: [(
                step: "Report to the police",
                state: Open,
                struck: [(
                    was: Done(by: "RO", when: "2026-10-02T09:00:00"),
                    error: (when: "2026-10-02T09:05:00", by: "RO", reason: "Space pressed by mistake"),
                )],
            )],
            reviews: [
                (
                    id: "RV-1", due: "2026-10-20", held: Some("2026-10-25T10:00:00"), by: "RO",
                    outcome: "Calm", risk_now: Some(Low), decision: Some(ContinueMonitoring),
                    next_review: Some("2026-12-20"),
                    moves: [(from: "2026-10-15", to: "2026-10-20", when: "2026-10-18T09:00:00",
                             by: "RO", reason: "DSL off sick")],
                ),
                (id: "RV-2", due: "2026-12-20"),
            ],
        ),
        (
            id: "INC-2026-0002", occurred: "2026-10-01T10:00:00", reported: "2026-10-01T12:00:00",
            reported_by: "Tutor", recorded_by: "RO",
            people: [(person: "P-0001", role: Subject)],
            risk_area: Conduct, types: [Cyberbullying], description: "Closed over a missed review",
            risk_level: Low, status: Closed,
            closure: Some((when: "2026-10-30T10:00:00", by: "RO", outcome: "Resolved")),
            reviews: [(id: "RV-1", due: "2026-10-15")],
        ),
        (
            id: "INC-2026-0003", occurred: "2026-10-01T10:00:00", reported: "2026-10-01T12:00:00",
            reported_by: "Tutor", recorded_by: "RO",
            people: [(person: "P-0001", role: Subject)],
            risk_area: Conduct, types: [Cyberbullying], description: "Open, nothing in the diary",
            risk_level: High, status: Open,
        ),
    ],
)"#;

fn imported() -> (Fixture, String) {
    let f = Fixture::new();
    let file = f.dir.path().join("records.ron");
    std::fs::write(&file, RECORDS).unwrap();
    let o = f.run(&["import", file.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let said = stdout(&o);
    (f, said)
}

#[test]
fn import_names_open_cases_with_no_review_and_list_overdue_lists_them() {
    let (f, said) = imported();
    assert!(
        said.contains("1 open incident imported with no review booked"),
        "{said}"
    );
    let o = f.run(&["list", "--overdue"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.starts_with("INC-2026-0003"))
        .unwrap_or_else(|| panic!("the case with no review is listed:\n{out}"));
    assert!(line.contains("no review booked"), "{line}");
    assert!(!out.contains("INC-2026-0002"), "{out}");
}

#[test]
fn statistics_keep_a_review_moved_when_overdue_late_and_a_closed_one_missed() {
    let (f, _) = imported();
    let o = f.run(&["stats", "--format", "csv"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let csv = stdout(&o);
    // RV-1 of 0001 was moved on 10-18 from 10-15 (already overdue) and held 10-25: late,
    // though held within its new date (10-20 would have been missed too).
    assert!(csv.contains("\"Reviews\",\"On time\",\"0\""), "{csv}");
    assert!(csv.contains("\"Reviews\",\"Late\",\"<5\""), "{csv}");
    // RV-1 of 0002, due 10-15, never held, the case closed 10-30: missed, not left out.
    assert!(
        csv.contains("\"Reviews\",\"Missed, never held\",\"<5\""),
        "{csv}"
    );
}

#[test]
fn show_gives_the_move_with_its_reason_and_the_tick_entered_in_error() {
    let (f, _) = imported();
    let o = f.run(&["show", "INC-2026-0001"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains(
            "moved 2026-10-18 09:00 by RO from 2026-10-15 (overdue) to 2026-10-20: DSL off sick"
        ),
        "{out}"
    );
    assert!(
        out.contains("(moved from 2026-10-15 when overdue)"),
        "{out}"
    );
    assert!(out.contains("(late)"), "{out}");
    assert!(
        out.contains("[x] 2026-10-02 09:00 RO  ENTERED IN ERROR 2026-10-02 09:05 by RO: Space pressed by mistake"),
        "{out}"
    );
    let o = f.run(&[
        "export",
        "INC-2026-0001",
        "--format",
        "txt",
        "--for",
        "Case review",
        "--plaintext",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Review RV-1 moved from 2026-10-15 (overdue) to 2026-10-20"),
        "{out}"
    );
    assert!(out.contains("DSL off sick"), "{out}");
    assert!(out.contains("Space pressed by mistake"), "{out}");
}
