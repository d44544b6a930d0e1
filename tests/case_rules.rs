//! Case rules and what `show` and the exports say, through the binary (tester3 #46, #30,
//! #22, #18, #32): a person linked by mistake is unlinked with the reason; what an incident
//! owes (references awaited, follow-ups) is in `show` and the exports; a reference not in
//! the agency's format is flagged; `show` refuses a record altered outside the logbook; an
//! incident entered in error owes nothing and is disposed of in its time; a disposed number
//! is named as disposed by every command.

mod common;

use common::*;
use logbook::model::Logbook;
use logbook::vault::{Access, Key, Vault};

/// One open case (INC-2026-0001: a child, a witness linked by mistake, a Report Fraud
/// reference mistyped, a police reference awaited with a follow-up owed) and an adult's
/// incident entered in error in 2016 and never closed (INC-2016-0001).
const RECORDS: &str = r#"(
    format: 1,
    settings: (organisation: "Case School", staff: ["RO"], review_interval_days: 21),
    people: [
        (id: "P-0001", reference: "AB (Y8)", age_group: Child, birth_year: Some(2013)),
        (id: "P-0002", reference: "Max (Y9)", age_group: Child, birth_year: Some(2012)),
        (id: "P-0003", reference: "GH", age_group: Adult),
    ],
    incidents: [
        (
            id: "INC-2026-0001", occurred: "2026-11-01T10:00:00", reported: "2026-11-01T12:00:00",
            reported_by: "Form tutor", recorded_by: "RO",
            people: [(person: "P-0001", role: Subject), (person: "P-0002", role: Witness)],
            risk_area: Conduct, types: [Fraud], description: "AB was tricked into paying for a game account",
            risk_level: Medium, status: Open,
            reports: [
                (id: "RS-1", agency: ActionFraud, decision: Referred, when: "2026-11-02T09:00:00",
                 by: "RO", reference: "12345"),
                (id: "RS-2", agency: Police101, decision: Referred, when: "2026-11-02T10:00:00",
                 by: "RO", reference_awaited: true, follow_up_owed: true,
                 contact: "PC 4471 Dean"),
            ],
            reviews: [(id: "RV-1", due: "2026-12-20")],
        ),
        (
            id: "INC-2016-0001", occurred: "2016-02-28T10:00:00", reported: "2016-03-01T10:00:00",
            reported_by: "Parent", recorded_by: "RO",
            people: [(person: "P-0003", role: Subject)],
            risk_area: Contact, types: [Fraud], description: "Recorded against the wrong adult",
            risk_level: Low, status: Open,
            reviews: [(id: "RV-1", due: "2016-03-15")],
            error: Some((when: "2016-06-30T10:00:00", by: "RO", reason: "Wrong adult")),
        ),
    ],
)"#;

fn case() -> Fixture {
    let f = Fixture::new();
    let file = f.dir.path().join("records.ron");
    std::fs::write(&file, RECORDS).unwrap();
    ok(&f.run(&["import", file.to_str().unwrap()]));
    f
}

fn ok(o: &std::process::Output) -> String {
    assert_eq!(code(o), 0, "{}", stderr(o));
    stdout(o)
}

/// Tester3 #46: a pupil linked by mistake could not be unlinked.
#[test]
fn a_person_linked_by_mistake_is_unlinked_with_the_reason_and_stays_in_the_register() {
    let f = case();
    let before = f.bytes();
    // The reason is required, and a refusal changes nothing.
    let o = f.run(&["unlink", "INC-2026-0001", "P-0002", "--reason", " "]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--reason"), "{}", stderr(&o));
    assert_eq!(f.bytes(), before);
    // Someone not linked is named as such.
    let o = f.run(&["unlink", "INC-2026-0001", "P-0003", "--reason", "x"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("not linked"), "{}", stderr(&o));
    let said = ok(&f.run(&[
        "unlink",
        "INC-2026-0001",
        "p-0002",
        "--reason",
        "Wrong pupil linked: Max was not involved",
    ]));
    assert!(
        said.contains("P-0002 is no longer linked to INC-2026-0001 (was Witness)"),
        "{said}"
    );
    let show = ok(&f.run(&["show", "INC-2026-0001"]));
    let people = show.split("\nPeople\n").nth(1).unwrap();
    let people = people.split("\n\n").next().unwrap();
    assert!(!people.contains("P-0002"), "{show}");
    assert!(people.contains("P-0001"), "{show}");
    assert!(
        show.contains("unlinked P-0002 (Witness): Wrong pupil linked: Max was not involved"),
        "{show}"
    );
    // The person stays in the register: their (now empty) chronology can still be written.
    ok(&f.run(&[
        "export",
        "P-0002",
        "--format",
        "txt",
        "--for",
        "RO",
        "--plaintext",
    ]));
    ok(&f.run(&["verify"]));
}

/// Tester3 #30: a reference awaited and a follow-up owed were shown only in the app.
#[test]
fn show_and_the_exports_say_what_is_awaited_and_owed() {
    let f = case();
    let show = ok(&f.run(&["show", "INC-2026-0001"]));
    assert!(
        show.contains("reference: awaited (since 2026-11-02)"),
        "{show}"
    );
    let owed = show.split("\nStill to do\n").nth(1).expect(&show);
    let owed = owed.split("\n\n").next().unwrap();
    assert!(owed.contains("RS-2 Police (101)  follow-up owed"), "{show}");
    assert!(
        owed.contains("RS-2 Police (101)  reference awaited since 2026-11-02"),
        "{show}"
    );
    assert!(owed.contains("Review RV-1"), "{show}");
    assert!(owed.contains("(not yet done)"), "{show}");
    let export = ok(&f.run(&[
        "export",
        "INC-2026-0001",
        "--format",
        "txt",
        "--for",
        "PC 4471 Dean",
        "--plaintext",
    ]));
    assert!(
        export.contains("reference: awaited (since 2026-11-02)"),
        "{export}"
    );
    let owed = export.split("Still to do").nth(1).expect(&export);
    assert!(owed.contains("follow-up owed"), "{export}");
    assert!(
        owed.contains("reference awaited since 2026-11-02"),
        "{export}"
    );
    // Left out with its section, as the rest of the reporting.
    let export = ok(&f.run(&[
        "export",
        "INC-2026-0001",
        "--format",
        "txt",
        "--for",
        "PC 4471 Dean",
        "--plaintext",
        "--without",
        "reporting",
    ]));
    assert!(!export.contains("follow-up owed"), "{export}");
}

/// Tester3 #22: a Report Fraud reference not NFRC + 12 digits was saved with no flag.
#[test]
fn a_reference_not_in_the_agencys_format_is_flagged_in_show_and_the_exports() {
    let f = case();
    let flag = "12345 [Report Fraud (was Action Fraud) references are NFRC followed by 12 digits: check the reference]";
    let show = ok(&f.run(&["show", "INC-2026-0001"]));
    assert!(show.contains(&format!("reference: {flag}")), "{show}");
    for format in ["txt", "md", "html"] {
        let export = ok(&f.run(&[
            "export",
            "INC-2026-0001",
            "--format",
            format,
            "--for",
            "PC 4471 Dean",
            "--plaintext",
        ]));
        assert!(
            export.contains("NFRC followed by 12 digits: check the reference"),
            "{format}: {export}"
        );
    }
    let chronology = ok(&f.run(&[
        "export",
        "P-0001",
        "--format",
        "txt",
        "--for",
        "RO",
        "--plaintext",
    ]));
    assert!(
        chronology.contains("NFRC followed by 12 digits"),
        "{chronology}"
    );
}

/// Changes the logbook as a program other than logbook would: decrypt, edit, save.
fn tamper(f: &Fixture, change: impl FnOnce(&mut Logbook)) {
    let key =
        Key::from_identity_files(std::slice::from_ref(&f.key), &mut |_| unreachable!()).unwrap();
    let (mut vault, mut book, _) = Vault::open(&f.logbook, &key, Access::Write).unwrap();
    change(&mut book);
    vault.save(&book).unwrap();
}

/// Tester3 #18: `show` printed a record altered outside the logbook as if genuine, exit 0.
#[test]
fn show_refuses_a_record_altered_outside_the_logbook() {
    let f = case();
    ok(&f.run(&["show", "INC-2026-0001"]));
    tamper(&f, |b| {
        let i = b
            .incidents
            .iter_mut()
            .find(|i| i.id == "INC-2026-0001")
            .unwrap();
        i.description = "see you at school".into();
    });
    let o = f.run(&["show", "INC-2026-0001"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(!stdout(&o).contains("see you at school"), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("INC-2026-0001 no longer matches its last audit entry"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // A person it names, altered the same way, is refused too.
    let f = case();
    tamper(&f, |b| {
        let p = b.people.iter_mut().find(|p| p.id == "P-0001").unwrap();
        p.reference = "ZZ".into();
    });
    let o = f.run(&["show", "INC-2026-0001"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stderr(&o).contains("P-0001"), "{}", stderr(&o));
}

/// Tester3 #32: an incident entered in error said "Open", listed its review as owed, and was
/// never due for disposal.
#[test]
fn an_incident_entered_in_error_owes_nothing_and_is_disposed_of_in_its_time() {
    let f = case();
    let show = ok(&f.run(&["show", "INC-2016-0001"]));
    let header = show.lines().next().unwrap();
    assert!(
        header.starts_with("INC-2016-0001  Entered in error"),
        "{header}"
    );
    assert!(!show.contains("Still to do"), "{show}");
    assert!(
        show.contains("not owed: incident entered in error"),
        "{show}"
    );
    assert!(
        show.contains(
            "entered in error on 2016-06-30: its retention runs as if it closed that day"
        ),
        "{show}"
    );
    let export = ok(&f.run(&[
        "export",
        "INC-2016-0001",
        "--format",
        "txt",
        "--for",
        "RO",
        "--plaintext",
    ]));
    assert!(!export.contains("Still to do"), "{export}");
    assert!(!export.contains("(not yet done)"), "{export}");
    let list = ok(&f.run(&["list"]));
    let line = list
        .lines()
        .find(|l| l.starts_with("INC-2016-0001"))
        .unwrap();
    assert!(
        line.contains("no review") && line.contains("[entered in error]"),
        "{line}"
    );
    // Adults only: six years from the day it was marked, then due like a closed case.
    let due = ok(&f.run(&["retention"]));
    assert!(
        due.contains("INC-2016-0001  entered in error 2016-06-30  kept until 2022-06-30"),
        "{due}"
    );
    ok(&f.run(&["dispose", "INC-2016-0001", "--yes"]));
    ok(&f.run(&["verify"]));
    // A disposed number is named as disposed by every command that takes one.
    for args in [
        vec!["show", "INC-2016-0001"],
        vec![
            "export",
            "INC-2016-0001",
            "--format",
            "txt",
            "--for",
            "RO",
            "--plaintext",
        ],
        vec![
            "retention",
            "--set",
            "INC-2016-0001",
            "--until",
            "2040-12-31",
            "--reason",
            "Inquiry",
        ],
        vec!["unlink", "INC-2016-0001", "P-0003", "--reason", "x"],
    ] {
        let o = f.run(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("INC-2016-0001 was disposed of on"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

/// Tester3 #32: `import` ignored the file's settings without a word.
#[test]
fn import_says_the_files_settings_were_not_applied() {
    let f = Fixture::new();
    let file = f.dir.path().join("records.ron");
    std::fs::write(&file, RECORDS).unwrap();
    let said = ok(&f.run(&["import", file.to_str().unwrap()]));
    assert!(said.contains("settings were not applied"), "{said}");
    let show = ok(&f.run(&["verify"]));
    assert!(show.contains("is sound"), "{show}");
}
