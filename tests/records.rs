//! The record's rules as a script or a DSL meets them through the binary: an import with a
//! mistyped field is refused naming it, and `verify` fails on records put in or taken out
//! beside the audit trail.

mod common;

use common::*;
use logbook::model::{Logbook, Tombstone};
use logbook::vault::{Access, Key, Vault};

#[test]
fn import_refuses_an_unknown_field_naming_it_and_its_line() {
    let f = Fixture::new();
    let text = std::fs::read_to_string(data("demo.ron")).unwrap().replacen(
        "immediate_action:",
        "immediate_actoin:",
        1,
    );
    let line = text
        .lines()
        .position(|l| l.contains("immediate_actoin"))
        .unwrap()
        + 1;
    let file = f.dir.path().join("typo.ron");
    std::fs::write(&file, text).unwrap();
    let before = f.bytes();
    let o = f.run(&["import", file.to_str().unwrap()]);
    assert_ne!(code(&o), 0);
    let err = stderr(&o);
    assert!(err.contains("immediate_actoin"), "{err}");
    assert!(err.contains(&format!("line {line}")), "{err}");
    assert_eq!(f.bytes(), before, "nothing imported");
}

/// Changes the logbook as a program other than logbook would: decrypt, edit, save.
fn tamper(f: &Fixture, change: impl FnOnce(&mut Logbook)) {
    let key =
        Key::from_identity_files(std::slice::from_ref(&f.key), &mut |_| unreachable!()).unwrap();
    let (mut vault, mut book, _) = Vault::open(&f.logbook, &key, Access::Write).unwrap();
    change(&mut book);
    vault.save(&book).unwrap();
}

#[test]
fn verify_fails_on_an_incident_removed_behind_an_unaudited_tombstone() {
    let f = Fixture::new().with_demo();
    tamper(&f, |b| {
        let id = b.incidents[3].id.clone();
        b.incidents.remove(3);
        b.tombstones.push(Tombstone {
            id,
            disposed: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            by: String::new(),
            rule: String::new(),
        });
    });
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stderr(&o).contains("tombstone"), "{}", stderr(&o));
}

#[test]
fn verify_fails_on_a_changed_copy_inserted_before_the_real_incident() {
    let f = Fixture::new().with_demo();
    tamper(&f, |b| {
        let mut copy = b.incidents[5].clone();
        copy.description = "A different account of events".into();
        b.incidents.insert(5, copy);
    });
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stderr(&o).contains("more than once"), "{}", stderr(&o));
}
