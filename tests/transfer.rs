//! Child protection file transfer through the binary: the file opens with the age CLI and
//! names no other child, the receiving logbook takes it in once (audited, with where it came
//! from), and the sending logbook keeps it "sent, not acknowledged" until receipt is recorded.

mod common;

use std::process::Command;

use common::*;
use logbook::vault::{Access, Key, Vault};

fn ok(o: &std::process::Output) -> String {
    assert_eq!(code(o), 0, "{}", stderr(o));
    stdout(o)
}

fn book(f: &Fixture) -> logbook::model::Logbook {
    let key =
        Key::from_identity_files(std::slice::from_ref(&f.key), &mut |_| unreachable!()).unwrap();
    Vault::open(&f.logbook, &key, Access::Read).unwrap().1
}

#[test]
fn a_transfer_opens_with_age_names_no_other_child_and_imports_once() {
    if !age_cli() {
        panic!("these tests need the age CLI (`bash .ci/run` installs it)");
    }
    let sending = Fixture::new().with_demo();
    let receiving = Fixture::new();
    let file = sending.dir.path().join("p0001-transfer.age");

    // No key: refused, nothing written.
    let o = sending.run(&["transfer", "P-0001", "--out", file.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--to AGE1"), "{}", stderr(&o));
    assert!(!file.exists());

    ok(&sending.run(&[
        "transfer",
        "P-0001",
        "--to-recipient",
        &receiving.public,
        "--for",
        "DSL, Hillside Academy",
        "--out",
        file.to_str().unwrap(),
    ]));
    let o = Command::new("age")
        .args([
            "-d",
            "-i",
            receiving.key.to_str().unwrap(),
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ron = String::from_utf8(o.stdout).unwrap();
    assert!(
        ron.contains("kind: \"child protection file transfer\""),
        "{ron}"
    );
    assert!(ron.contains("reference: \"JB (Y9)\""));
    assert!(
        ron.contains("<!DOCTYPE html>") || ron.contains("<html"),
        "the print-ready pages"
    );
    // Other children: neither their numbers nor their names, in the records or the pages.
    for other in ["P-0002", "P-0003", "Callum", "Priya"] {
        assert!(!ron.contains(other), "the transfer names {other}");
    }
    assert!(ron.contains("another young person"));

    // The sending trail records it, pending until acknowledged.
    let sent = book(&sending);
    let entry = sent.pending_transfer("P-0001").expect("a pending transfer");
    assert!(
        entry.action.contains("for DSL, Hillside Academy: age file"),
        "{}",
        entry.action
    );
    assert!(entry.action.contains(&receiving.public));
    ok(&sending.run(&["verify"]));

    let text = ok(&receiving.run(&["import-transfer", file.to_str().unwrap()]));
    assert!(
        text.contains("as P-0001 with INC-2025-0001 (their INC-2025-0001)"),
        "{text}"
    );
    let show = ok(&receiving.run(&["show", "INC-2025-0001"]));
    assert!(
        show.contains("Transferred:   Test School (their INC-2025-0001), sent"),
        "{show}"
    );
    assert!(show.contains("JB (Y9)"), "{show}");
    ok(&receiving.run(&["verify"]));
    let got = book(&receiving);
    let p = &got.people[0];
    assert_eq!(p.transferred.as_ref().unwrap().source_id, "P-0001");
    assert!(
        got.audit
            .last()
            .unwrap()
            .action
            .starts_with("received child protection file transfer from Test School")
    );

    // The same file twice: refused, nothing changes.
    let before = receiving.bytes();
    let o = receiving.run(&["import-transfer", file.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("already taken in, as P-0001"),
        "{}",
        stderr(&o)
    );
    assert_eq!(receiving.bytes(), before);

    // Not this logbook's key: refused saying so.
    let o = sending.run(&["import-transfer", file.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not encrypted to this logbook's key"),
        "{}",
        stderr(&o)
    );

    // Receipt acknowledged: no longer pending; twice is refused.
    ok(&sending.run(&[
        "transfer",
        "P-0001",
        "--acknowledged",
        "--note",
        "Confirmed by phone",
    ]));
    assert!(book(&sending).pending_transfer("P-0001").is_none());
    let o = sending.run(&["transfer", "P-0001", "--acknowledged"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    ok(&sending.run(&["verify"]));
}

#[test]
fn a_transfer_with_several_incidents_keeps_their_links_and_numbers_after_the_receivers() {
    let sending = Fixture::new().with_demo();
    // The receiving school already has records of its own for 2025 and 2026.
    let receiving = Fixture::new().with_demo();
    let file = sending.dir.path().join("t.age");
    let b = book(&sending);
    // The person in the most incidents.
    let who = b
        .people
        .iter()
        .max_by_key(|p| {
            b.incidents
                .iter()
                .filter(|i| i.people.iter().any(|x| x.person == p.id))
                .count()
        })
        .unwrap()
        .id
        .clone();
    let theirs: Vec<String> = b
        .incidents
        .iter()
        .filter(|i| i.people.iter().any(|x| x.person == who))
        .map(|i| i.id.clone())
        .collect();
    assert!(theirs.len() >= 2, "{who}: {theirs:?}");
    ok(&sending.run(&[
        "transfer",
        &who,
        "--to",
        &receiving.public,
        "--out",
        file.to_str().unwrap(),
    ]));
    ok(&receiving.run(&["import-transfer", file.to_str().unwrap()]));
    let got = book(&receiving);
    let new: Vec<_> = got
        .incidents
        .iter()
        .filter(|i| i.transferred.is_some())
        .collect();
    assert_eq!(new.len(), theirs.len());
    for i in &new {
        assert!(!theirs.contains(&i.id) || b.incidents.len() < got.incidents.len());
        assert_eq!(i.people.len(), 1, "only the transferred person is linked");
        for r in &i.related {
            assert!(
                new.iter().any(|n| &n.id == r),
                "a link to a record not sent: {r}"
            );
        }
    }
    assert_eq!(got.incidents.len(), b.incidents.len() + theirs.len());
    ok(&receiving.run(&["verify"]));
}

#[test]
fn without_out_the_transfer_is_named_after_the_person_in_the_current_folder() {
    let sending = Fixture::new().with_demo();
    let receiving = Fixture::new();
    let o = Command::new(BIN)
        .current_dir(sending.dir.path())
        .args([
            "--logbook",
            sending.logbook.to_str().unwrap(),
            "--identity",
            sending.key.to_str().unwrap(),
            "transfer",
            "P-0003",
            "--to",
            &receiving.public,
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    ok(&o);
    let file = sending.dir.path().join("transfer-P-0003.age");
    assert!(file.exists(), "{}", stdout(&o));
    ok(&receiving.run(&["import-transfer", file.to_str().unwrap()]));
    // Sent to the second: no fraction of a second in the receiving record.
    let got = book(&receiving);
    let sent = got.people[0].transferred.as_ref().unwrap().sent;
    assert_eq!(chrono::Timelike::nanosecond(&sent), 0);
}

/// Tester2 #35: a staff concern's words, "kept at: In this logbook (concern C-...)", arrived
/// in the receiving logbook saying so, though the concern is in the sending school's logbook.
/// The transfer names that school.
#[test]
fn a_concern_kept_in_the_sending_logbook_is_named_as_kept_there_after_a_transfer() {
    let sending = Fixture::new().with_demo();
    let receiving = Fixture::new();
    let inbox = sending.dir.path().join("concerns");
    std::fs::create_dir(&inbox).unwrap();
    ok(&sending.run(&["concern-setup", "--inbox", inbox.to_str().unwrap()]));
    let said = ok(&run(&[
        "concern",
        "--inbox",
        inbox.to_str().unwrap(),
        "--what",
        "He said the messages started again",
        "--by",
        "A. Khan",
    ]));
    let at = said.find("C-").unwrap();
    let receipt = &said[at..at + 11];
    // An open incident and its first person.
    let open = ok(&sending.run(&["list", "--status", "open"]));
    let inc = open.split_whitespace().next().unwrap().to_string();
    ok(&sending.run(&["concerns", "--take", receipt, "--add-to", &inc]));
    let shown = ok(&sending.run(&["show", &inc]));
    assert!(
        shown.contains(&format!("In this logbook (concern {receipt})")),
        "{shown}"
    );
    let person = {
        let at = shown.find("P-").unwrap();
        shown[at..at + 6].to_string()
    };

    let file = sending.dir.path().join("t.age");
    ok(&sending.run(&[
        "transfer",
        &person,
        "--to",
        &receiving.public,
        "--for",
        "DSL, Hillside",
        "--out",
        file.to_str().unwrap(),
    ]));
    let took = ok(&receiving.run(&["import-transfer", file.to_str().unwrap()]));
    let mut found = false;
    let received = ok(&receiving.run(&["list"]));
    for id in received.lines().filter_map(|l| l.split_whitespace().next()) {
        let shown = ok(&receiving.run(&["show", id]));
        assert!(!shown.contains("In this logbook"), "{shown}");
        found |= shown.contains(&format!(
            "In the logbook of Test School (concern {receipt})"
        ));
    }
    assert!(
        found,
        "the concern's evidence names the sending school: {took}"
    );
    // The sending logbook's own record is unchanged.
    let shown = ok(&sending.run(&["show", &inc]));
    assert!(shown.contains(&format!("In this logbook (concern {receipt})")));
}

/// Tester3 #39: a child protection file is for a child moving school. A member of staff or
/// an adult (an alleged perpetrator's number typed by mistake) is refused, naming who they
/// are, nothing is written and nothing is recorded.
#[test]
fn a_transfer_of_an_adult_or_a_member_of_staff_is_refused_and_writes_nothing() {
    let f = Fixture::new().with_demo();
    let receiver = f.dir.path().join("receiver.key");
    let to = ok(&run(&[
        "keygen",
        "--unprotected",
        "--out",
        receiver.to_str().unwrap(),
    ]))
    .trim()
    .to_string();
    let before = f.bytes();
    let out = f.dir.path().join("t.age");
    let o = f.run(&[
        "transfer",
        "P-0012",
        "--to",
        &to,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("P-0012 is recorded as staff or volunteer"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("alleged perpetrator in INC-2025-0007"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("five school days"));
    assert!(!out.exists(), "a file was written");
    assert_eq!(f.bytes(), before, "the logbook changed");
    // A young person's file still goes.
    let o = f.run(&[
        "transfer",
        "P-0001",
        "--to",
        &to,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}
