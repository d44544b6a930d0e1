//! Fault injection: every write, fsync (file and folder) and rename of a save, a restore
//! and a backup is made to fail in turn, in process, through `vault::file::faults`. After
//! each, the message must be true of what is on disk, and the last good save must be there.
//!
//! Its own test binary on purpose: no test here spawns a process. A child forked by another
//! test while one of these holds a lock keeps that lock's open file until it execs, which
//! makes the next lock attempt here fail as "locked" for an instant.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use logbook::backup;
use logbook::error::Error;
use logbook::model::{Logbook, Settings, Stamp};
use logbook::vault::file::faults;
use logbook::vault::{self, Access, Key, Vault};

fn at(n: u32) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(&format!("2026-03-0{}T09:00:00+00:00", n)).unwrap()
}

fn key() -> (Key, String) {
    let id = age::x25519::Identity::generate();
    let public = id.to_public().to_string();
    (Key::Identities(vault::Identities::one(id)), public)
}

/// A logbook with `entries` backups recorded (each one more audit entry).
fn book(public: &str, entries: u32) -> Logbook {
    let mut settings = Settings::new("Test School", vec!["RO".into()]);
    settings.recipients = vec![public.to_string()];
    let mut book = Logbook::create(&Stamp::new("RO", at(1)), settings).unwrap();
    for n in 0..entries {
        book.record_backup(&Stamp::new("RO", at(2)), &format!("b{n}"))
            .unwrap();
    }
    book
}

fn reads_as(path: &Path, key: &Key, book: &Logbook) -> bool {
    vault::read(path, key).is_ok_and(|(b, _)| b == *book)
}

/// Runs `step` with the `n`th file operation failing; None once `n` is past the last.
fn with_fault<T>(n: usize, step: impl FnOnce() -> T) -> Option<(T, faults::Op)> {
    faults::arm(Some(n));
    let out = step();
    let seen = faults::disarm();
    seen.get(n).map(|(op, _)| (out, *op))
}

fn temps_in(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.contains("tmp"))
        .collect()
}

#[test]
fn every_fault_during_a_save_is_reported_truly() {
    let mut injected = 0;
    for n in 0.. {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logbook.age");
        let (key, public) = key();
        let old = book(&public, 0);
        let new = book(&public, 1);
        drop(Vault::create(&path, &old, None).unwrap());
        let (mut vault, _, _) = Vault::open(&path, &key, Access::Write).unwrap();
        let Some((result, op)) = with_fault(n, || vault.save(&new)) else {
            assert!(
                n > 3,
                "a save does at least a write, two fsyncs and a rename"
            );
            break;
        };
        injected += 1;
        let e = result.expect_err("an injected fault is reported");
        let message = e.to_string();
        match &e {
            Error::Unflushed { .. } => {
                assert_eq!(op, faults::Op::SyncFolder);
                assert!(message.contains("was saved, but"), "{message}");
                assert!(reads_as(&path, &key, &new), "{op:?}: {message}");
                assert_eq!(e.exit_code(), 6);
            }
            _ => {
                assert!(message.contains("nothing was changed"), "{op:?}: {message}");
                assert!(reads_as(&path, &key, &old), "{op:?}: {message}");
            }
        }
        assert!(temps_in(dir.path()).is_empty(), "{op:?}");
        // Whatever happened, the next save goes through and is the logbook.
        let newer = book(&public, 2);
        vault.save(&newer).unwrap_or_else(|e| panic!("{op:?}: {e}"));
        assert!(reads_as(&path, &key, &newer));
    }
    eprintln!("save: {injected} faults injected");
    assert!(injected >= 4);
}

#[test]
fn every_fault_during_a_restore_is_reported_truly() {
    let mut injected = 0;
    for n in 0.. {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("logbook.age");
        let media = dir.path().join("media");
        fs::create_dir(&media).unwrap();
        let (key, public) = key();
        let older = book(&public, 1);
        let current = book(&public, 2);
        drop(Vault::create(&live, &older, None).unwrap());
        let options = backup::Options {
            keep: 3,
            now: at(3),
            key_file: None,
            refuse_disk_of: None,
        };
        let report = backup::run(&older, &key, &media, &options, &mut |_| {}).unwrap();
        drop(Vault::create(&dir.path().join("x.age"), &current, None).unwrap());
        fs::rename(dir.path().join("x.age"), &live).unwrap();

        let plan = backup::plan(&report.path, &live, &key).unwrap();
        let stamp = Stamp::new("RO", at(4));
        let Some((result, op)) = with_fault(n, || backup::apply(plan, key.clone(), &stamp, at(4)))
        else {
            break;
        };
        injected += 1;
        let kept: Vec<PathBuf> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains(".before-restore-"))
            .collect();
        // The newer records are never lost: in the logbook or in the kept copy.
        assert!(
            reads_as(&live, &key, &current) || kept.iter().any(|k| reads_as(k, &key, &current)),
            "{op:?}: the newer logbook is gone"
        );
        match result {
            Ok(done) => {
                let k = done.kept_as.expect("a copy is kept");
                assert!(reads_as(&k, &key, &current));
                // The read-back compares the restored logbook, which may carry the
                // restore's own entries; it is at least not the current one.
                assert!(!reads_as(&live, &key, &current));
            }
            Err(e) => {
                let message = e.to_string();
                match &e {
                    Error::RestoredUnflushed { kept, .. } => {
                        assert!(message.contains("was restored"), "{message}");
                        assert!(reads_as(kept.as_ref().unwrap(), &key, &current));
                        assert!(!reads_as(&live, &key, &current));
                    }
                    Error::NotRestored { kept, .. } => {
                        assert!(message.contains("not replaced"), "{message}");
                        assert!(reads_as(&live, &key, &current), "{op:?}: {message}");
                        assert!(reads_as(kept, &key, &current), "{op:?}: {message}");
                    }
                    _ => {
                        assert!(message.contains("nothing was changed"), "{op:?}: {message}");
                        assert!(reads_as(&live, &key, &current), "{op:?}: {message}");
                    }
                }
            }
        }
    }
    eprintln!("restore: {injected} faults injected");
    assert!(injected >= 6);
}

#[test]
fn every_fault_during_a_backup_is_reported_truly() {
    let mut injected = 0;
    for n in 0.. {
        let dir = tempfile::tempdir().unwrap();
        let media = dir.path().join("media");
        fs::create_dir(&media).unwrap();
        let (key, public) = key();
        let first = book(&public, 1);
        let second = book(&public, 2);
        let one = backup::Options {
            keep: 1,
            now: at(3),
            key_file: None,
            refuse_disk_of: None,
        };
        let earlier = backup::run(&first, &key, &media, &one, &mut |_| {}).unwrap();
        let two = backup::Options {
            keep: 1,
            now: at(4),
            key_file: None,
            refuse_disk_of: None,
        };
        faults::arm(Some(n));
        let result = backup::run(&second, &key, &media, &two, &mut |_| {});
        let seen = faults::disarm();
        let Some((op, _)) = seen.get(n).cloned() else {
            // Past the last operation: the backup must have succeeded, not stopped early.
            assert!(
                n > 0 && result.is_ok(),
                "fault {n}: the backup stopped early: {:?}",
                result.err()
            );
            break;
        };
        injected += 1;
        let opener = backup::Opener::new(&key, Some(&second));
        let good = |p: &Path| backup::open_backup(p, &opener).is_ok();
        // Every file under a backup's name is a complete, verified backup.
        for entry in fs::read_dir(&media).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if backup::is_backup_name(&name) {
                assert!(good(&entry.path()), "{op:?}: {name} stands but is not good");
            }
        }
        match result {
            Ok(report) => assert!(good(&report.path)),
            Err(e) => {
                let message = e.to_string();
                assert!(
                    message.contains("no backup was made")
                        || message.contains("unchanged")
                        || message.contains("nothing was changed"),
                    "{op:?}: {message}"
                );
                // The earlier backup is still there to restore from.
                assert!(good(&earlier.path), "{op:?}: {message}");
            }
        }
    }
    eprintln!("backup: {injected} faults injected");
    assert!(injected >= 6);
}
