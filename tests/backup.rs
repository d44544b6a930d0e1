//! Backups end to end through the real binary: `backup`, `backups`, `restore`, `recovery`
//! and `verify --against`, and every fault a medium can throw (full, read-only, removed
//! mid-write, a name clash, another logbook's files, a damaged backup, a killed backup) on
//! real small tmpfs mounts (root, as in CI). After each fault: one sentence, its exit code,
//! the live logbook and the older backups byte for byte as they were, and no file under a
//! backup's name that is not a good backup.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use logbook::backup::is_backup_name;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Every file in `dir` with its bytes, to prove a fault changed nothing.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn backups_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| is_backup_name(n))
        .collect();
    names.sort();
    names
}

fn partials_in(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".logbook-") && n.contains(".tmp-"))
        .collect()
}

/// Backups are named to the second: wait for the next one before another backup.
fn next_second() {
    let now = chrono::Local::now().timestamp();
    while chrono::Local::now().timestamp() == now {
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn backup_to(f: &Fixture, dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["backup", "--to", p(dir)];
    args.extend_from_slice(extra);
    f.run(&args)
}

/// Backs up into a folder on the same disk (a temporary folder) and returns the file.
fn good_backup(f: &Fixture, dir: &Path) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    let before = backups_in(dir);
    let o = backup_to(f, dir, &["--allow-same-disk"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let new: Vec<String> = backups_in(dir)
        .into_iter()
        .filter(|n| !before.contains(n))
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");
    dir.join(&new[0])
}

fn incident_ids(f: &Fixture) -> Vec<String> {
    stdout(&f.run(&["list"]))
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect()
}

#[test]
fn a_backup_is_encrypted_verified_listed_and_opens_with_verify() {
    let f = Fixture::new().with_demo();
    let usb = f.dir.path().join("usb");
    let file = good_backup(&f, &usb);
    let bytes = fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    let ids = incident_ids(&f);
    assert!(ids.len() >= 20);
    for name in snapshot(&usb).keys() {
        let content = fs::read(usb.join(name)).unwrap();
        for id in &ids {
            assert!(
                !content.windows(id.len()).any(|w| w == id.as_bytes()),
                "{name} holds {id} in plaintext"
            );
        }
        let mode = fs::metadata(usb.join(name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} is owner-only");
    }
    let manifests: Vec<_> = snapshot(&usb)
        .into_iter()
        .filter(|(n, _)| n.ends_with("-manifest.age"))
        .collect();
    assert_eq!(manifests.len(), 1, "one encrypted manifest");
    assert!(manifests[0].1.starts_with(b"age-encryption.org/v1\n"));

    let o = f.run(&["verify", p(&file)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&format!("{} incidents", ids.len())),
        "{}",
        stdout(&o)
    );
    let o = f.run(&["backups", p(&usb)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let listed = stdout(&o);
    let name = file.file_name().unwrap().to_str().unwrap();
    let row = listed.lines().find(|l| l.contains(name)).expect(&listed);
    assert!(row.contains("verified"), "{listed}");
    // The one entry added since is the trail's own record of this backup.
    assert!(
        row.contains("the current trail extends it unchanged (+1 entry)"),
        "{listed}"
    );
}

#[test]
fn the_logbooks_own_disk_is_refused_unless_allowed() {
    let f = Fixture::new();
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    let o = backup_to(&f, &usb, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("same disk"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--allow-same-disk"), "{}", stderr(&o));
    assert!(snapshot(&usb).is_empty());
}

#[test]
fn without_to_and_without_a_terminal_it_asks_for_to() {
    let f = Fixture::new();
    let o = f.run(&["backup"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--to"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1);
}

#[test]
fn a_backup_opens_with_the_recovery_key_alone_in_the_age_cli() {
    assert!(
        age_cli(),
        "the reference age CLI is needed (`bash .ci/run`)"
    );
    let f = Fixture::new().with_demo();
    let recovery = f.dir.path().join("trustees.key");
    let o = run(&["keygen", "--unprotected", "--out", p(&recovery)]);
    let public = stdout(&o).trim().to_string();
    let o = f.run(&["recovery", "--add", &public]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&f.run(&["recovery"])).contains(&public));
    let file = good_backup(&f, &f.dir.path().join("usb"));

    let only = f.dir.path().join("only-recovery");
    fs::create_dir(&only).unwrap();
    let copy = only.join("recovery.key");
    fs::copy(&recovery, &copy).unwrap();
    let o = Command::new("age")
        .args(["-d", "-i", p(&copy), p(&file)])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ron = String::from_utf8(o.stdout).unwrap();
    for id in incident_ids(&f) {
        assert!(
            ron.contains(&format!("\"{id}\"")),
            "{id} is not in the backup"
        );
    }
    // The recovery key opens backups, not the logbook itself.
    let o = Command::new("age")
        .args(["-d", "-i", p(&copy), p(&f.logbook)])
        .output()
        .unwrap();
    assert!(!o.status.success());
    // Bad keys are refused in one sentence.
    let o = f.run(&["recovery", "--add", "age1nope"]);
    assert_eq!(code(&o), 2);
    let o = f.run(&["recovery", "--remove", &f.public]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not a recovery key"), "{}", stderr(&o));
}

/// Passphrase mode: the passphrase alone opens a backup, through the key file beside it,
/// even on a machine without the logbook; and the backup key's secret is in no audit entry.
/// (Release builds spend about a second on each passphrase: this test keeps them few.)
#[test]
fn a_passphrase_backup_opens_with_the_passphrase_alone() {
    assert!(
        age_cli(),
        "the reference age CLI is needed (`bash .ci/run`)"
    );
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pass");
    fs::write(&pass, "correct horse battery staple\n").unwrap();
    let recovery = dir.path().join("trustees.key");
    let recovery_public = stdout(&run(&["keygen", "--unprotected", "--out", p(&recovery)]))
        .trim()
        .to_string();
    let logbook = dir.path().join("logbook.age");
    // Runs a command on the logbook at `lb` with the passphrase, recorded by RO.
    let with_pass_at = |lb: &Path, args: &[&str]| {
        let mut all = vec![
            "--logbook",
            p(lb),
            "--passphrase-file",
            p(&pass),
            "--by",
            "RO",
        ];
        all.extend_from_slice(args);
        run(&all)
    };
    let with_pass = |args: &[&str]| with_pass_at(&logbook, args);
    let o = with_pass(&[
        "init",
        "--staff",
        "RO",
        "--recovery-recipient",
        &recovery_public,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let usb = dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    let o = with_pass(&["backup", "--to", p(&usb), "--allow-same-disk"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("opens with the passphrase"),
        "{}",
        stdout(&o)
    );
    let name = backups_in(&usb).pop().unwrap();
    let key_file = snapshot(&usb)
        .into_keys()
        .find(|n| n.contains("-key-") && n.ends_with(".age"))
        .expect("a key file beside the backup");
    assert_eq!(
        fs::read(usb.join(&key_file)).unwrap(),
        fs::read(dir.path().join("logbook.key.age")).unwrap(),
        "the logbook's own key file, copied"
    );

    // Another machine: only the medium's two files and the passphrase.
    let elsewhere = dir.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    fs::copy(usb.join(&name), elsewhere.join(&name)).unwrap();
    let alone = elsewhere.join(&name);
    let o = run(&["--passphrase-file", p(&pass), "verify", p(&alone)]);
    assert_eq!(code(&o), 3, "without the key file: {}", stderr(&o));
    assert!(stderr(&o).contains("backup key file"), "{}", stderr(&o));
    fs::copy(usb.join(&key_file), elsewhere.join(&key_file)).unwrap();
    let o = run(&["--passphrase-file", p(&pass), "verify", p(&alone)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let sound = stdout(&o);
    let head = sound.split(" people, ").nth(1).unwrap().to_string();
    assert!(head.contains("1 audit entry;"), "created: {sound}");
    let wrong = dir.path().join("wrong");
    fs::write(&wrong, "not the passphrase\n").unwrap();
    let o = run(&["--passphrase-file", p(&wrong), "verify", p(&alone)]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));

    // The recovery key opens it in the age CLI; no secret key is inside the logbook.
    let o = Command::new("age")
        .args(["-d", "-i", p(&recovery), p(&alone)])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ron = String::from_utf8(o.stdout).unwrap();
    assert_eq!(ron.matches("AGE-SECRET-KEY-1").count(), 0, "{ron}");
    assert!(!ron.contains("backup_key"), "{ron}");
    // And the key file opens it in the age CLI too (it asks for the passphrase, so it runs
    // in tmux in tests/interop.rs; here the identity inside is checked by `verify` above).

    // Restore onto a machine with no logbook, with the passphrase alone.
    let fresh = elsewhere.join("logbook.age");
    let o = run(&[
        "--logbook",
        p(&fresh),
        "--passphrase-file",
        p(&pass),
        "--by",
        "RO",
        "restore",
        p(&alone),
        "--yes",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&[
        "--logbook",
        p(&fresh),
        "--passphrase-file",
        p(&pass),
        "verify",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("2 audit entries"),
        "the backup's entry and the restore's: {}",
        stdout(&o)
    );
    assert!(elsewhere.join("logbook.key.age").exists());

    // Tester finding 31: restoring over it keeps the replaced logbook with its key file
    // (NAME.before-restore-TIMESTAMP and its .key.age). That copy opens with the same
    // passphrase, so it can be compared with and restored back.
    next_second();
    let o = run(&[
        "--logbook",
        p(&fresh),
        "--passphrase-file",
        p(&pass),
        "--by",
        "RO",
        "restore",
        p(&alone),
        "--yes",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let kept = fs::read_dir(&elsewhere)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("logbook.age.before-restore-") && !n.ends_with(".key.age")
        })
        .expect("the replaced logbook is kept");
    let with = |args: &[&str]| with_pass_at(&fresh, args);
    // It opens (before: "no backup key file beside it", exit 3); the restore rewrote the
    // history since, which is what --against reports.
    let o = with(&["verify", "--against", p(&kept)]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("does not match the backup"),
        "{}",
        stderr(&o)
    );
    let o = with(&["restore", p(&kept), "--yes"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn rotation_keeps_the_newest_and_never_removes_what_it_did_not_write_or_cannot_verify() {
    let f = Fixture::new().with_demo();
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    let foreign = usb.join("logbook-20200101-000000.age");
    fs::write(&foreign, b"someone else's file, named like a backup").unwrap();
    fs::write(usb.join("notes.txt"), b"not ours").unwrap();

    let first = good_backup(&f, &usb);
    next_second();
    let second = good_backup(&f, &usb);
    next_second();
    // Damage the oldest backup of ours: it is no longer the file the manifest records.
    let mut damaged = fs::read(&first).unwrap();
    let mid = damaged.len() / 2;
    damaged[mid] ^= 0x01;
    fs::write(&first, &damaged).unwrap();

    let o = backup_to(&f, &usb, &["--allow-same-disk", "--keep", "1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let said = stdout(&o);
    assert!(said.contains("Removed 1 older backup"), "{said}");
    assert!(!second.exists(), "the verified older backup is rotated out");
    assert_eq!(
        fs::read(&first).unwrap(),
        damaged,
        "a damaged file is never removed"
    );
    assert!(foreign.exists(), "a file it did not write is never removed");
    assert!(usb.join("notes.txt").exists());
    let first_name = first.file_name().unwrap().to_str().unwrap();
    assert!(
        said.lines()
            .any(|l| l.contains(first_name) && l.contains("damaged")),
        "{said}"
    );
    assert!(
        said.lines()
            .any(|l| l.contains("logbook-20200101-000000.age") && l.contains("unknown")),
        "{said}"
    );

    let o = f.run(&["backups", p(&usb)]);
    assert_eq!(code(&o), 1, "a damaged backup fails the check");
    let listed = stdout(&o);
    assert_eq!(
        listed.lines().filter(|l| l.contains("verified")).count(),
        1,
        "{listed}"
    );
    assert!(
        listed
            .lines()
            .any(|l| l.contains(first_name) && l.contains("damaged")),
        "{listed}"
    );
    assert!(stderr(&o).contains("damaged"), "{}", stderr(&o));
    // A damaged backup is refused by verify and restore.
    assert_eq!(code(&f.run(&["verify", p(&first)])), 4);
}

#[test]
fn another_logbooks_backups_in_the_folder_are_listed_and_left_alone() {
    let a = Fixture::new().with_demo();
    let b = Fixture::new(); // another logbook, another key
    // Another logbook opened with the same key as `a`.
    let c_path = a.dir.path().join("second-logbook.age");
    let o = run(&[
        "--logbook",
        p(&c_path),
        "init",
        "--recipient",
        &format!("{}=RO", a.public),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let usb = a.dir.path().join("usb");
    let b_file = good_backup(&b, &b.dir.path().join("b-usb"));
    let c_dir = a.dir.path().join("c-usb");
    fs::create_dir(&c_dir).unwrap();
    let o = run(&[
        "--logbook",
        p(&c_path),
        "--identity",
        p(&a.key),
        "backup",
        "--to",
        p(&c_dir),
        "--allow-same-disk",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let c_file = c_dir.join(backups_in(&c_dir).pop().unwrap());
    fs::create_dir(&usb).unwrap();
    fs::copy(&b_file, usb.join("logbook-20200101-000000.age")).unwrap();
    fs::copy(&c_file, usb.join("logbook-20200102-000000.age")).unwrap();
    let theirs = snapshot(&usb);

    good_backup(&a, &usb);
    next_second();
    let o = backup_to(&a, &usb, &["--allow-same-disk", "--keep", "1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let said = stdout(&o);
    assert!(said.contains("Removed 1 older backup"), "{said}");
    assert!(said.contains("another logbook"), "{said}");
    for (name, bytes) in &theirs {
        assert_eq!(
            &fs::read(usb.join(name)).unwrap(),
            bytes,
            "{name} was touched"
        );
    }
    let o = a.run(&["backups", p(&usb)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let listed = stdout(&o);
    let state = |name: &str| {
        listed
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not listed:\n{listed}"))
            .to_string()
    };
    assert!(
        state("logbook-20200101-000000.age").contains("unknown"),
        "{listed}"
    );
    assert!(
        state("logbook-20200102-000000.age").contains("other logbook"),
        "{listed}"
    );
}

#[test]
fn verify_against_passes_for_an_honest_later_logbook() {
    let f = Fixture::new().with_demo();
    let file = good_backup(&f, &f.dir.path().join("usb"));
    let recovery = f.dir.path().join("r.key");
    let public = stdout(&run(&["keygen", "--unprotected", "--out", p(&recovery)]))
        .trim()
        .to_string();
    assert_eq!(code(&f.run(&["recovery", "--add", &public])), 0);
    let o = f.run(&["verify", "--against", p(&file)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("unchanged"), "{}", stdout(&o));
    assert!(
        // The backup's own record in the trail, then the recovery key.
        stdout(&o).contains("2 entries were added since"),
        "{}",
        stdout(&o)
    );
    // A backup of another logbook is not evidence about this one.
    let other = Fixture::new();
    let o = run(&[
        "--logbook",
        p(&other.logbook),
        "--identity",
        p(&other.key),
        "verify",
        "--against",
        p(&file),
    ]);
    assert_ne!(code(&o), 0);
}

/// An older entry rewritten and every hash after it recomputed: the logbook verifies on its
/// own, but not against a backup made before the rewrite, which names the entry.
#[test]
fn verify_against_names_an_older_entry_rewritten_and_rehashed() {
    let f = Fixture::new().with_demo();
    let usb = f.dir.path().join("usb");
    let file = good_backup(&f, &usb);
    let key = logbook::vault::Key::from_identity_files(std::slice::from_ref(&f.key), &mut |_| {
        unreachable!("an unprotected key file")
    })
    .unwrap();
    let (mut vault, mut book, _) =
        logbook::vault::Vault::open(&f.logbook, &key, logbook::vault::Access::Write).unwrap();
    let target = 10;
    book.audit[target - 1].by = "Someone Else".into();
    for i in target - 1..book.audit.len() {
        let prev = if i == 0 {
            logbook::model::HashHex::GENESIS
        } else {
            book.audit[i - 1].hash.clone()
        };
        book.audit[i].hash = logbook::model::entry_hash(&prev, &book.audit[i]).unwrap();
    }
    book.verify_audit().unwrap();
    vault.save(&book).unwrap();
    drop(vault);

    assert_eq!(
        code(&f.run(&["verify"])),
        0,
        "on its own the rewrite is invisible"
    );
    let o = f.run(&["verify", "--against", p(&file)]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let said = stderr(&o);
    assert!(
        said.contains(&format!("audit entry {target} differs")),
        "{said}"
    );
    assert!(said.contains("Someone Else"), "{said}");
    assert!(
        said.contains("the author was") && said.contains("and is now Someone Else"),
        "{said}"
    );
    assert_eq!(said.lines().count(), 1, "{said}");

    let o = f.run(&["backups", p(&usb)]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains(&format!(
            "NOT extended by the current trail: audit entry {target}"
        )),
        "{}",
        stdout(&o)
    );
    // Rotation keeps the backup that proves the rewrite, whatever --keep says.
    next_second();
    let o = backup_to(&f, &usb, &["--allow-same-disk", "--keep", "1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(file.exists());
    assert!(stdout(&o).contains("evidence"), "{}", stdout(&o));
}

/// Only a change's value rewritten (same author, time and action): the two versions must
/// not read the same.
#[test]
fn verify_against_shows_a_rewritten_value_not_two_identical_lines() {
    let f = Fixture::new().with_demo();
    let usb = f.dir.path().join("usb");
    let file = good_backup(&f, &usb);
    let key = logbook::vault::Key::from_identity_files(
        std::slice::from_ref(&f.key),
        &mut |_| unreachable!(),
    )
    .unwrap();
    let (mut vault, mut book, _) =
        logbook::vault::Vault::open(&f.logbook, &key, logbook::vault::Access::Write).unwrap();
    let target = book
        .audit
        .iter()
        .position(|e| !e.changes.is_empty())
        .unwrap();
    book.audit[target].changes[0].new = "quietly rewritten".into();
    for i in target..book.audit.len() {
        let prev = if i == 0 {
            logbook::model::HashHex::GENESIS
        } else {
            book.audit[i - 1].hash.clone()
        };
        book.audit[i].hash = logbook::model::entry_hash(&prev, &book.audit[i]).unwrap();
    }
    vault.save(&book).unwrap();
    drop(vault);
    let o = f.run(&["verify", "--against", p(&file)]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let said = stderr(&o);
    assert!(said.contains("change 1 was"), "{said}");
    assert!(said.contains("quietly rewritten"), "{said}");
}

#[test]
fn restore_replaces_a_damaged_logbook_after_confirmation_and_keeps_the_old_file() {
    let f = Fixture::new().with_demo();
    let ids = incident_ids(&f);
    let file = good_backup(&f, &f.dir.path().join("usb"));
    let recovery = f.dir.path().join("r.key");
    let public = stdout(&run(&["keygen", "--unprotected", "--out", p(&recovery)]))
        .trim()
        .to_string();
    assert_eq!(code(&f.run(&["recovery", "--add", &public])), 0);

    // Without a terminal and without --yes: the comparison, then nothing changes.
    let before = f.bytes();
    let o = f.run(&["restore", p(&file)]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    let shown = stdout(&o);
    assert!(shown.contains("verified"), "{shown}");
    assert!(
        shown.contains(&format!("{} incidents", ids.len())),
        "{shown}"
    );
    assert!(shown.contains("newest incident INC-"), "{shown}");
    assert!(shown.contains("last audit entry #"), "{shown}");
    assert!(
        shown.contains(
            "The current trail extends the backup's unchanged: restoring removes the 2 audit entries #78 to #79"
        ),
        "{shown}"
    );
    assert_eq!(f.bytes(), before);

    // Damage the logbook; restore it.
    let damaged = before[..before.len() / 2].to_vec();
    fs::write(&f.logbook, &damaged).unwrap();
    assert_eq!(code(&f.run(&["verify"])), 4);
    let o = f.run(&["restore", p(&file), "--yes"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("cannot be read"), "{}", stdout(&o));
    assert_eq!(code(&f.run(&["verify"])), 0);
    assert_eq!(incident_ids(&f), ids, "every incident is back");
    assert_eq!(code(&f.run(&["verify", "--against", p(&file)])), 0);
    let kept: Vec<PathBuf> = fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("logbook.age.before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(fs::read(&kept[0]).unwrap(), damaged);
    assert_eq!(
        fs::metadata(&kept[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let leftovers: Vec<String> = fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".restore-") || n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn restore_of_a_bit_flipped_backup_is_refused_and_changes_nothing() {
    let f = Fixture::new().with_demo();
    let file = good_backup(&f, &f.dir.path().join("usb"));
    let mut bytes = fs::read(&file).unwrap();
    let at = bytes.len() - 100;
    bytes[at] ^= 0x10;
    fs::write(&file, &bytes).unwrap();
    let before = snapshot(f.dir.path());
    let o = f.run(&["restore", p(&file), "--yes"]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains("damaged"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1);
    assert_eq!(
        snapshot(f.dir.path()),
        before,
        "the logbook's folder is untouched"
    );
    assert_eq!(code(&f.run(&["verify"])), 0);
}

#[test]
fn a_full_medium_leaves_no_backup_and_the_older_ones_untouched() {
    let f = Fixture::new();
    let usb = Mount::new("64k");
    let o = backup_to(&f, &usb.path, &[]);
    assert_eq!(code(&o), 0, "the empty logbook fits: {}", stderr(&o));
    let o = f.run(&["import", p(&data("demo.ron"))]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let medium = snapshot(&usb.path);
    let live = f.bytes();
    next_second();
    let o = backup_to(&f, &usb.path, &[]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert!(stderr(&o).contains("disk is full"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1);
    assert_eq!(
        snapshot(&usb.path),
        medium,
        "older backup and manifest untouched"
    );
    assert!(partials_in(&usb.path).is_empty());
    assert_eq!(f.bytes(), live);
}

#[test]
fn a_read_only_medium_is_refused_and_nothing_changes() {
    let f = Fixture::new().with_demo();
    let usb = Mount::new("4m");
    let o = backup_to(&f, &usb.path, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let medium = snapshot(&usb.path);
    usb.remount_read_only();
    next_second();
    let live = f.bytes();
    let o = backup_to(&f, &usb.path, &[]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1);
    assert_eq!(snapshot(&usb.path), medium);
    assert_eq!(f.bytes(), live);
    // Listing still works on a read-only medium.
    let o = f.run(&["backups", p(&usb.path)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn a_name_clash_is_refused_and_the_file_in_the_way_is_untouched() {
    let f = Fixture::new().with_demo();
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    // Whatever second the backup runs in, its name is taken.
    let start = chrono::Local::now().fixed_offset();
    for s in 0..20 {
        let name = logbook::backup::backup_name(&(start + chrono::Duration::seconds(s)));
        fs::write(usb.join(name), format!("not a backup {s}")).unwrap();
    }
    let medium = snapshot(&usb);
    let o = backup_to(&f, &usb, &["--allow-same-disk"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("nothing was overwritten"),
        "{}",
        stderr(&o)
    );
    let mut after = snapshot(&usb);
    after.retain(|n, _| !n.starts_with('.'));
    assert_eq!(after, medium);
}

/// The hidden files a backup folder holds besides its backups, manifest and key files.
fn locks_in(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".lock"))
        .collect()
}

/// Tester2 #35: every backup left a 0-byte `.logbook-backup.age.lock` on the USB stick. The
/// lock goes when the backup ends, done or refused; a lock another process holds stays,
/// and that backup is refused as locked (exit 5).
#[test]
fn a_backup_leaves_no_lock_file_on_the_medium_and_never_removes_one_held() {
    let f = Fixture::new().with_demo();
    let usb = f.dir.path().join("usb");
    good_backup(&f, &usb);
    assert_eq!(locks_in(&usb), Vec::<String>::new(), "after a good backup");

    // Refused (the name is taken): the lock goes too.
    let start = chrono::Local::now().fixed_offset();
    let mut taken = Vec::new();
    for s in 0..20 {
        let name = logbook::backup::backup_name(&(start + chrono::Duration::seconds(s)));
        if !usb.join(&name).exists() {
            fs::write(usb.join(&name), "not a backup").unwrap();
            taken.push(name);
        }
    }
    let o = backup_to(&f, &usb, &["--allow-same-disk"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        locks_in(&usb),
        Vec::<String>::new(),
        "after a refused backup"
    );
    for name in taken {
        fs::remove_file(usb.join(name)).unwrap();
    }

    // Another backup holds the folder: refused, and its lock file is left where it is.
    let held = usb.join(".logbook-backup.age.lock");
    let other = fs::File::create(&held).unwrap();
    other.lock().unwrap();
    let o = backup_to(&f, &usb, &["--allow-same-disk"]);
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("locked by another process"),
        "{}",
        stderr(&o)
    );
    assert!(
        held.exists(),
        "the other process's lock file is not removed"
    );
    drop(other);

    // A lock file left by an earlier version (or a killed backup) is taken and removed.
    next_second();
    good_backup(&f, &usb);
    assert_eq!(locks_in(&usb), Vec::<String>::new());
}

/// Starts a backup of a logbook big enough to take a while, and stops it (SIGSTOP) while
/// its temporary file is on the medium and no final file is there yet: mid-write.
fn stopped_mid_write(f: &Fixture, big: &Path, dir: &Path, extra: &[&str]) -> Option<Child> {
    let before = backups_in(dir);
    let mut args = vec![
        "--logbook",
        p(big),
        "--identity",
        p(&f.key),
        "--by",
        "RO",
        "backup",
        "--to",
        p(dir),
    ];
    args.extend_from_slice(extra);
    let mut child = Command::new(BIN)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let signal = |s: &str| {
        Command::new("kill")
            .args([s, &pid])
            .status()
            .unwrap()
            .success()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return None;
        }
        let writing = partials_in(dir).iter().any(|n| n.starts_with(".logbook-2"));
        if writing && signal("-STOP") {
            let still = partials_in(dir).iter().any(|n| n.starts_with(".logbook-2"));
            if still && backups_in(dir) == before {
                return Some(child);
            }
            signal("-CONT");
        }
        std::thread::sleep(Duration::from_micros(300));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

fn big_logbook(f: &Fixture) -> PathBuf {
    let big = f.dir.path().join("big.age");
    let o = run(&[
        "demo",
        "--generate",
        "400",
        "--out",
        p(&big),
        "--recipient",
        &f.public,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    big
}

#[test]
fn a_medium_removed_mid_write_leaves_no_backup_and_says_so() {
    let f = Fixture::new();
    let big = big_logbook(&f);
    let live = fs::read(&big).unwrap();
    for attempt in 0..5 {
        let usb = Mount::new("256m");
        let Some(child) = stopped_mid_write(&f, &big, &usb.path, &[]) else {
            eprintln!("attempt {attempt}: the backup finished before it could be caught");
            continue;
        };
        usb.unplug();
        Command::new("kill")
            .args(["-CONT", &child.id().to_string()])
            .status()
            .unwrap();
        let o = child.wait_with_output().unwrap();
        assert_eq!(code(&o), 6, "{}", stderr(&o));
        assert!(stderr(&o).contains("was removed"), "{}", stderr(&o));
        assert_eq!(stderr(&o).lines().count(), 1);
        // Where the medium was, nothing that looks like a backup.
        assert!(backups_in(&usb.path).is_empty());
        assert_eq!(fs::read(&big).unwrap(), live);
        return;
    }
    panic!("in 5 attempts the backup could never be caught mid-write");
}

#[test]
fn a_backup_killed_mid_write_leaves_no_backup_and_the_next_one_cleans_up() {
    let f = Fixture::new();
    let big = big_logbook(&f);
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    let with_big = |args: &[&str]| {
        let mut all = vec!["--logbook", p(&big), "--identity", p(&f.key), "--by", "RO"];
        all.extend_from_slice(args);
        run(&all)
    };
    let o = with_big(&["backup", "--to", p(&usb), "--allow-same-disk"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let medium = snapshot(&usb);
    // After the good backup (whose record the trail now holds): a killed one changes nothing.
    let live = fs::read(&big).unwrap();
    for attempt in 0..5 {
        next_second();
        let Some(mut child) = stopped_mid_write(&f, &big, &usb, &["--allow-same-disk"]) else {
            eprintln!("attempt {attempt}: the backup finished before it could be caught");
            continue;
        };
        child.kill().unwrap(); // SIGKILL, even while stopped
        child.wait().unwrap();
        let mut after = snapshot(&usb);
        let partial: Vec<String> = after
            .keys()
            .filter(|n| n.starts_with(".logbook-2") && n.contains(".tmp-"))
            .cloned()
            .collect();
        assert_eq!(partial.len(), 1, "{:?}", after.keys());
        after.retain(|n, _| !partial.contains(n));
        // A killed backup cannot remove its lock file (the kernel released the lock).
        after.remove(".logbook-backup.age.lock");
        assert_eq!(after, medium, "the older backup and manifest are untouched");
        assert_eq!(fs::read(&big).unwrap(), live);

        let o = with_big(&["backups", p(&usb)]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(
            stdout(&o)
                .lines()
                .filter(|l| l.contains("verified"))
                .count(),
            1,
            "{}",
            stdout(&o)
        );
        assert!(stdout(&o).contains("Partial files"), "{}", stdout(&o));

        next_second();
        let o = with_big(&["backup", "--to", p(&usb), "--allow-same-disk"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(
            stdout(&o).contains("Removed 1 partial file"),
            "{}",
            stdout(&o)
        );
        assert!(partials_in(&usb).is_empty());
        assert_eq!(
            locks_in(&usb),
            Vec::<String>::new(),
            "the stale lock went too"
        );
        assert_eq!(backups_in(&usb).len(), 2);
        return;
    }
    panic!("in 5 attempts the backup could never be caught mid-write");
}

#[test]
fn help_explains_backups_recovery_keys_and_passphrase_mode() {
    let o = run(&["backup", "--help"]);
    let help = stdout(&o);
    for words in [
        "recovery",
        "Passphrase mode",
        "backup key",
        "logbook-ID-key-FPR.age",
        "logbook passwd",
        "manifest",
        "--keep",
        "--allow-same-disk",
    ] {
        assert!(help.contains(words), "backup --help lacks {words}:\n{help}");
    }
    let help = stdout(&run(&["verify", "--help"]));
    assert!(help.contains("--against"), "{help}");
    let help = stdout(&run(&["restore", "--help"]));
    assert!(help.contains("before-restore"), "{help}");
}

/// Tester2 #35: "Removed 1 older backup(s)", "1 audit entries": one is singular.
#[test]
fn counts_of_one_are_singular() {
    let f = Fixture::new();
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("0 incidents (0 open), 0 people, 1 audit entry;"),
        "{}",
        stdout(&o)
    );
    let usb = f.dir.path().join("usb");
    good_backup(&f, &usb);
    next_second();
    let o = backup_to(&f, &usb, &["--allow-same-disk", "--keep", "1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let said = stdout(&o);
    assert!(said.contains("Removed 1 older backup, keeping"), "{said}");
    assert!(!said.contains("(s)"), "{said}");
    let o = f.run(&["backups", p(&usb)]);
    assert!(
        stdout(&o).contains("0 incidents  2 entries"),
        "{}",
        stdout(&o)
    );
}

/// Tester3 #20 (second half): after `passwd` the manifest and the older backups are still
/// encrypted to the old key. `passwd` says older backups are no longer removed by rotation,
/// and the next backup says plainly why the manifest does not open and what that means
/// for the older backups, instead of "could not be read ... no longer rotated".
#[test]
fn after_passwd_the_next_backup_says_plainly_what_happens_to_the_older_backups() {
    let f = PassFixture::new();
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    let o = f.run(&["backup", "--to", p(&usb), "--allow-same-disk"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let new = passphrase_file(f.dir.path(), "new", "a new long passphrase");
    let o = f.run(&["passwd", "--new-passphrase-file", p(&new)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("rotation no longer removes them"),
        "{}",
        stdout(&o)
    );
    std::thread::sleep(Duration::from_millis(1100));
    let o = run(&[
        "--logbook",
        f.lb(),
        "--passphrase-file",
        p(&new),
        "--by",
        "RO",
        "backup",
        "--to",
        p(&usb),
        "--allow-same-disk",
        "--keep",
        "1",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("was written for the keys this logbook had before (a passphrase change, or keys removed)"),
        "{text}"
    );
    assert!(text.contains("so it never removes them"), "{text}");
    assert!(!text.contains("could not be read"), "{text}");
    // What it says is what happened: the older backup is still there, beside the new one.
    assert_eq!(backups_in(&usb).len(), 2);
}
