//! After a theft or a leaver: a restore with the recovery key leaves it opening backups
//! only, with a new everyday key named; `backups` and `verify --against` work with the keys
//! a school then holds.

mod common;

use std::path::Path;

use common::*;
use logbook::vault::{self, Key};

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn keygen(dir: &Path, file: &str, name: &str) -> (std::path::PathBuf, String) {
    let key = dir.join(file);
    let o = run(&["keygen", "--unprotected", "--name", name, "--out", p(&key)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    (key, stdout(&o).trim().to_string())
}

fn trail(logbook: &Path, key: &Path) -> logbook::model::Trail {
    let key = Key::from_identity_files(&[key.to_path_buf()], &mut |_| unreachable!()).unwrap();
    vault::read(logbook, &key).unwrap().0.audit.clone()
}

#[test]
fn a_restore_with_the_recovery_key_leaves_it_opening_backups_only() {
    let f = Fixture::new().with_demo();
    let (recovery, recovery_public) = keygen(f.dir.path(), "chair.key", "Chair");
    let o = f.run(&[
        "keys",
        "add",
        &recovery_public,
        "--name",
        "Chair",
        "--recovery",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let stick = f.dir.path().join("stick");
    std::fs::create_dir(&stick).unwrap();
    let o = f.run(&["backup", "--to", p(&stick), "--allow-same-disk"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let backup = backups_in(&stick).pop().unwrap();

    // A new machine: the recovery key alone is refused, nothing is written.
    let new = f.dir.path().join("new").join("logbook.age");
    let with = |keys: &[&Path], args: &[&str]| {
        let mut all = vec!["--logbook", p(&new)];
        for k in keys {
            all.extend(["--identity", p(k)]);
        }
        all.extend_from_slice(args);
        run(&all)
    };
    let o = with(&[&recovery], &["restore", p(&backup), "--yes"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("keygen"), "{}", stderr(&o));
    assert!(!new.exists());

    // `backups` with only the recovery key lists the backup as verified.
    let o = with(&[&recovery], &["backups", p(&stick)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("verified"), "{}", stdout(&o));

    // With a new everyday key, named: the restore is done and audited.
    let (fresh, fresh_public) = keygen(f.dir.path(), "new.key", "R. Okafor");
    let o = with(&[&recovery, &fresh], &["restore", p(&backup), "--yes"]);
    assert_eq!(code(&o), 2, "without --name: {}", stderr(&o));
    let o = with(
        &[&recovery, &fresh],
        &["restore", p(&backup), "--yes", "--name", "R. Okafor"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("keys remove"), "{}", stdout(&o));
    let keys = stdout(&with(&[&fresh], &["keys"]));
    let everyday: Vec<&str> = keys
        .lines()
        .filter(|l| l.ends_with("everyday key"))
        .collect();
    assert!(everyday.iter().any(|l| l.contains(&fresh_public)), "{keys}");
    assert!(
        !everyday.iter().any(|l| l.contains(&recovery_public)),
        "the recovery key is not an everyday key: {keys}"
    );
    assert!(
        keys.lines()
            .any(|l| l.contains(&recovery_public) && l.ends_with("recovery key")),
        "{keys}"
    );
    // The recovery key does not open the restored logbook.
    assert_eq!(code(&with(&[&recovery], &["list"])), 3);
    // The restore is on the record, by the holder of the key that opened the backup.
    let entries = trail(&new, &fresh);
    let restore = entries
        .iter()
        .find(|e| e.action.contains("restored the logbook from the backup"))
        .expect("a restore entry");
    assert_eq!(restore.by, "Chair");
    let key =
        Key::from_identity_files(std::slice::from_ref(&fresh), &mut |_| unreachable!()).unwrap();
    let book = vault::read(&new, &key).unwrap().0;
    assert!(
        book.last_backup().is_some(),
        "the restored logbook knows its last backup"
    );

    // Re-keyed: the DSL's old key is removed; the old backup then needs the recovery key
    // (or the old key) beside the new one, and says so.
    let o = with(&[&fresh], &["keys", "remove", &f.public, "--yes"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = with(&[&fresh], &["verify", "--against", p(&backup)]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("None of the keys given opens the backup"),
        "{}",
        stderr(&o)
    );
    let o = with(&[&fresh], &["backups", p(&stick)]);
    assert!(
        stdout(&o).contains("encrypted to keys not given"),
        "{}",
        stdout(&o)
    );
    let o = with(&[&fresh, &recovery], &["backups", p(&stick)]);
    assert!(stdout(&o).contains("verified"), "{}", stdout(&o));
    let o = with(&[&fresh, &recovery], &["verify", "--against", p(&backup)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("unchanged"), "{}", stdout(&o));
    // The old key opens nothing new.
    assert_eq!(code(&with(&[&f.key], &["list"])), 3);
}

#[test]
fn a_deputys_key_cannot_record_as_someone_else_with_by() {
    let f = Fixture::new();
    let (deputy, deputy_public) = keygen(f.dir.path(), "deputy.key", "J. Patel");
    let o = f.run(&["keys", "add", &deputy_public, "--name", "J. Patel"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let before = std::fs::read(&f.logbook).unwrap();
    let as_deputy = |by: &str| {
        run(&[
            "--logbook",
            p(&f.logbook),
            "--identity",
            p(&deputy),
            "--by",
            by,
            "import",
            p(&data("demo.ron")),
        ])
    };
    let o = as_deputy("RO");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("J. Patel's"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&f.logbook).unwrap(),
        before,
        "nothing written"
    );
    // Naming oneself is fine.
    let o = as_deputy("j. patel");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(trail(&f.logbook, &f.key).last().unwrap().by, "J. Patel");
}
