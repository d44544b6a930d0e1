//! Retention and disposal through the binary: what is past its date is listed, disposal
//! needs confirmation and is all-or-nothing, `verify` stays sound and names disposals
//! against an older backup, and a certificate of disposal leaves like an export and holds
//! nothing of the records' content.

mod common;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use common::*;

/// A logbook holding three records closed in 2016: an adult's (kept to 2022-06-30), a
/// child's born 1995 (kept to 2020-12-31) and a child's with no year of birth (no date).
fn old_records() -> Fixture {
    let f = Fixture::new();
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/old-records.ron");
    let o = f.run(&["import", file.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    f
}

fn ok(o: &std::process::Output) -> String {
    assert_eq!(code(o), 0, "{}", stderr(o));
    stdout(o)
}

#[test]
fn retention_lists_what_is_past_its_date_and_what_has_no_date() {
    let f = old_records();
    let text = ok(&f.run(&["retention"]));
    let due = text.split("Retention date unknown").next().unwrap();
    assert!(
        due.contains("INC-2016-0001  closed 2016-06-30  kept until 2022-06-30"),
        "{text}"
    );
    assert!(
        due.contains("INC-2016-0002  closed 2016-06-30  kept until 2020-12-31"),
        "{text}"
    );
    assert!(!due.contains("INC-2016-0003"), "{text}");
    assert!(text.contains("INC-2016-0003  closed 2016-06-30  date unknown: P-0003 is a child"));
    // An override keeps a record longer, audited.
    let o = f.run(&[
        "retention",
        "--set",
        "INC-2016-0001",
        "--until",
        "2040-12-31",
        "--reason",
        "Held for a review",
    ]);
    ok(&o);
    let text = ok(&f.run(&["retention"]));
    assert!(!text.contains("INC-2016-0001"), "{text}");
    let show = ok(&f.run(&["show", "INC-2016-0001"]));
    assert!(
        show.contains(
            "Retention:     kept until 2040-12-31 (retention date set for this incident by RO"
        ),
        "{show}"
    );
    assert!(show.contains("set retention date 2040-12-31"), "{show}");
    // A reason is required.
    let o = f.run(&[
        "retention",
        "--set",
        "INC-2016-0002",
        "--until",
        "2040-12-31",
        "--reason",
        " ",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    ok(&f.run(&["verify"]));
}

#[test]
fn dispose_needs_confirmation_is_all_or_nothing_and_keeps_verify_sound() {
    let f = old_records();
    let before = f.bytes();
    // No terminal and no --yes: nothing happens.
    let o = f.run(&["dispose", "INC-2016-0001"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert_eq!(f.bytes(), before);
    // One refusal (no date for INC-2016-0003) disposes of nothing.
    let o = f.run(&["dispose", "INC-2016-0001", "INC-2016-0003", "--yes"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("INC-2016-0003's retention date cannot be worked out"),
        "{}",
        stderr(&o)
    );
    assert_eq!(f.bytes(), before);

    let backups = f.dir.path().join("media");
    fs::create_dir(&backups).unwrap();
    ok(&f.run(&[
        "backup",
        "--to",
        backups.to_str().unwrap(),
        "--allow-same-disk",
    ]));
    let backup = backups_in(&backups).pop().unwrap();

    let text = ok(&f.run(&[
        "dispose",
        "INC-2016-0001",
        "INC-2016-0002",
        "--reason",
        "Annual review",
        "--confirm",
    ]));
    assert!(text.contains("INC-2016-0001  under: adults only: 6 years after the case closed; kept until 2022-06-30; Annual review"), "{text}");
    let o = f.run(&["show", "INC-2016-0001"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("was disposed of on"), "{}", stderr(&o));
    let list = ok(&f.run(&["list"]));
    assert!(
        !list.contains("INC-2016-0001") && list.contains("INC-2016-0003"),
        "{list}"
    );
    ok(&f.run(&["verify"]));
    let text = ok(&f.run(&["verify", "--against", backup.to_str().unwrap()]));
    assert!(
        text.contains(
            "Disposed of since the backup, each by an audited disposal: INC-2016-0001 (audit entry"
        ),
        "{text}"
    );
    assert!(text.contains("INC-2016-0002 (audit entry"), "{text}");
    assert!(
        text.contains("about records disposed of since keep only their date, author and link"),
        "{text}"
    );
    // Not twice.
    let o = f.run(&["dispose", "INC-2016-0001", "--yes"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("already disposed of"), "{}", stderr(&o));
    // A number is never reused after disposal.
    let text = ok(&f.run(&["retention"]));
    assert!(
        text.contains("No record is past its retention date."),
        "{text}"
    );
}

#[test]
fn a_certificate_of_disposal_leaves_like_an_export_and_holds_no_content() {
    if !age_cli() {
        panic!("these tests need the age CLI (`bash .ci/run` installs it)");
    }
    let f = old_records();
    ok(&f.run(&["dispose", "INC-2016-0001", "INC-2016-0002", "--yes"]));
    let out = f.dir.path().join("cert.md");
    // A certificate of a record not disposed of is refused.
    let o = f.run(&[
        "certificate",
        "INC-2016-0003",
        "--format",
        "md",
        "--for",
        "Governors",
        "--plaintext",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("has not been disposed of"),
        "{}",
        stderr(&o)
    );
    // Plaintext to a file needs --plaintext.
    let o = f.run(&[
        "certificate",
        "--all",
        "--format",
        "md",
        "--for",
        "Governors",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--plaintext"), "{}", stderr(&o));
    assert!(!out.exists());

    let reader = f.dir.path().join("chair.key");
    let chair = stdout(&run(&[
        "keygen",
        "--unprotected",
        "--out",
        reader.to_str().unwrap(),
    ]))
    .trim()
    .to_string();
    let sealed = f.dir.path().join("cert.html.age");
    ok(&f.run(&[
        "certificate",
        "--all",
        "--format",
        "html",
        "--for",
        "Chair of governors",
        "--recipient",
        &chair,
        "--out",
        sealed.to_str().unwrap(),
    ]));
    let o = Command::new("age")
        .args([
            "-d",
            "-i",
            reader.to_str().unwrap(),
            sealed.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = String::from_utf8(o.stdout).unwrap();
    assert!(html.contains("Certificate of disposal"), "{html}");
    for id in ["INC-2016-0001", "INC-2016-0002"] {
        assert!(html.contains(id), "{id}");
    }
    assert!(html.contains("adults only: 6 years after the case closed"));
    for secret in [
        "Secret adult fraud",
        "Secret child bullying",
        "Resolved adult",
        "AB",
        "CD (Y9)",
    ] {
        assert!(!html.contains(secret), "the certificate holds {secret}");
    }
    // The people disposed of with them are listed by number only.
    assert!(html.contains("P-0001") && html.contains("P-0002"), "{html}");
    // The certificate is in the trail, and the trail is sound.
    let v = ok(&f.run(&["verify"]));
    let shown = ok(&f.run(&[
        "certificate",
        "INC-2016-0002",
        "--format",
        "txt",
        "--for",
        "Auditor",
        "--plaintext",
    ]));
    assert!(
        shown.contains("INC-2016-0002") && !shown.contains("INC-2016-0001"),
        "{shown}"
    );
    let v2 = ok(&f.run(&["verify"]));
    let entries = |v: &str| {
        v.split(" audit entries")
            .next()
            .unwrap()
            .rsplit(' ')
            .next()
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    assert_eq!(entries(&v2), entries(&v) + 1, "{v} / {v2}");
}

/// Tester4 #27: a person marked entered in error was named as a normal participant by
/// `show`, `list` and the exports, while the retention rule silently left them out. They
/// are now marked wherever an incident names them, and the retention says it left them out.
#[test]
fn a_person_entered_in_error_is_marked_where_named_and_said_not_counted() {
    let f = Fixture::new();
    let demo = std::fs::read_to_string(data("demo.ron")).unwrap();
    let marked = demo.replacen(
        "            reference: \"JB (Y9)\",\n            age_group: YoungPerson,\n            birth_year: Some(2010),\n            notes: \"\",\n            error: None,",
        "            reference: \"JB (Y9)\",\n            age_group: YoungPerson,\n            birth_year: Some(2010),\n            notes: \"\",\n            error: Some((when: \"2026-11-20T10:00:00\", by: \"RO\", reason: \"Registered twice\")),",
        1,
    );
    assert_ne!(marked, demo, "the demo's P-0001 is as this test expects");
    let file = f.dir.path().join("marked.ron");
    std::fs::write(&file, marked).unwrap();
    let o = f.run(&["import", file.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let o = f.run(&["show", "INC-2025-0001"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let show = stdout(&o);
    assert!(show.contains("JB (Y9) [entered in error]"), "{show}");
    let retention = show.lines().find(|l| l.starts_with("Retention")).unwrap();
    assert!(
        retention.contains("P-0001 not counted: entered in error"),
        "{retention}"
    );

    let o = f.run(&["list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("JB (Y9) [entered in error]"),
        "{}",
        stdout(&o)
    );

    let o = f.run(&[
        "export",
        "INC-2025-0001",
        "--format",
        "txt",
        "--for",
        "Police",
        "--plaintext",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("JB (Y9) [entered in error]"),
        "{}",
        stdout(&o)
    );
}
