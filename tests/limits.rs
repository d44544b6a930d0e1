//! Wrong paths must fail at once with one sentence: a device, a FIFO or a huge file as the
//! logbook, an import, a passphrase, identity or recipients file, never filling memory or
//! hanging (a FIFO is opened non-blocking, so the program never waits for a writer).

mod common;

use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

fn fifo(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap()
            .success()
    );
    path
}

/// Runs with a deadline: a hang is a failure, not a stuck suite.
fn quick(args: &[&str]) -> std::process::Output {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .env("LOGBOOK_TEST_SCRYPT_LOG_N", "10")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("logbook {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn devices_fifos_and_huge_files_are_refused_at_once() {
    let f = Fixture::new();
    let pipe = fifo(f.dir.path());
    let huge = f.dir.path().join("huge.age");
    // Sparse: costs no disk, but is larger than any logbook.
    fs::File::create(&huge).unwrap().set_len(5 << 30).unwrap();
    let key = f.key.to_str().unwrap();
    for bad in ["/dev/zero", pipe.to_str().unwrap(), huge.to_str().unwrap()] {
        // As the logbook, read and written.
        for command in [
            &["verify"][..],
            &["import", data("demo.ron").to_str().unwrap()],
        ] {
            let mut args = vec!["--logbook", bad, "--identity", key];
            args.extend_from_slice(command);
            let o = quick(&args);
            assert_eq!(code(&o), 4, "{bad} {command:?}: {}", stderr(&o));
            assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
            assert!(
                stderr(&o).contains("not a regular file") || stderr(&o).contains("larger than"),
                "{}",
                stderr(&o)
            );
        }
        // As the file to import, the identity, the passphrase file.
        let o = quick(&[
            "--logbook",
            f.logbook.to_str().unwrap(),
            "--identity",
            key,
            "import",
            bad,
        ]);
        assert_eq!(code(&o), 4, "import {bad}: {}", stderr(&o));
        let o = quick(&[
            "--logbook",
            f.logbook.to_str().unwrap(),
            "--identity",
            bad,
            "verify",
        ]);
        assert_eq!(code(&o), 4, "identity {bad}: {}", stderr(&o));
        // A passphrase file is read where one is needed: creating a passphrase logbook.
        let fresh = f.dir.path().join("fresh.age");
        let o = quick(&[
            "--logbook",
            fresh.to_str().unwrap(),
            "--passphrase-file",
            bad,
            "init",
        ]);
        assert!(!fresh.exists(), "passphrase file {bad}: a logbook was made");
        assert_ne!(code(&o), 0, "passphrase file {bad}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("not a regular file") || stderr(&o).contains("larger than"),
            "passphrase file {bad}: {}",
            stderr(&o)
        );
    }
    assert!(
        !std::path::Path::new("/dev/zero.lock").exists(),
        "a lock file was made beside /dev/zero"
    );
    // The logbook itself is untouched and still verifies.
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn a_passphrase_file_cannot_demand_more_than_scrypt_work_factor_22() {
    use std::io::Write as _;
    // An honest file at work factor 10, then its header edited to claim 24: age checks the
    // factor before deriving anything, so the cap answers at once.
    let pass = age::secrecy::SecretString::from("correct horse".to_string());
    let mut recipient = age::scrypt::Recipient::new(pass.clone());
    recipient.set_work_factor(10);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .unwrap();
    let mut file = Vec::new();
    let mut w = encryptor.wrap_output(&mut file).unwrap();
    w.write_all(b"x").unwrap();
    w.finish().unwrap();
    let text = String::from_utf8_lossy(&file).into_owned();
    let header_end = text.find("\n---").unwrap();
    let header = text[..header_end].replacen(" 10\n", " 24\n", 1);
    assert_ne!(header, text[..header_end]);
    let mut forged = header.into_bytes();
    forged.extend_from_slice(&file[header_end..]);
    let started = Instant::now();
    let result = logbook::vault::decrypt(
        std::path::Path::new("forged.age"),
        &forged,
        &logbook::vault::Key::Passphrase(pass),
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    let e = result.expect_err("refused");
    assert!(e.to_string().contains("more passphrase work"), "{e}");
}

#[test]
fn locks_are_named_after_the_whole_file_name_and_an_old_named_lock_is_respected() {
    let f = Fixture::new();
    // `logbook.age` and `logbook.bak` are two logbooks with two locks.
    let other = f.dir.path().join("logbook.bak");
    fs::copy(&f.logbook, &other).unwrap();
    let held = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(f.dir.path().join("logbook.age.lock"))
        .unwrap();
    held.try_lock().unwrap();
    let o = run(&[
        "--logbook",
        other.to_str().unwrap(),
        "--identity",
        f.key.to_str().unwrap(),
        "import",
        data("demo.ron").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    drop(held);
    // An earlier version of logbook writing it holds `logbook.lock`: still refused.
    let legacy = fs::File::create(f.dir.path().join("logbook.lock")).unwrap();
    legacy.try_lock().unwrap();
    let o = f.run(&["import", data("demo.ron").to_str().unwrap()]);
    assert_eq!(code(&o), 5, "{}", stderr(&o));
}

#[test]
fn a_symlinked_logbook_is_written_where_the_link_points() {
    let f = Fixture::new();
    let link = f.dir.path().join("link.age");
    std::os::unix::fs::symlink(&f.logbook, &link).unwrap();
    let o = run(&[
        "--logbook",
        link.to_str().unwrap(),
        "--identity",
        f.key.to_str().unwrap(),
        "import",
        data("demo.ron").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        fs::symlink_metadata(&link).unwrap().is_symlink(),
        "the link was replaced"
    );
    // The real file holds the import: the target is not stale.
    let o = f.run(&["list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).lines().count() > 3, "{}", stdout(&o));
}

#[test]
fn names_in_messages_are_escaped_like_record_text() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = dir.path().join("x\u{1b}]52;c;aGk=\u{7}\u{202e}.age");
    let o = run(&[
        "--logbook",
        hostile.to_str().unwrap(),
        "--passphrase-file",
        "/dev/null",
        "list",
    ]);
    assert_ne!(code(&o), 0);
    let err = stderr(&o);
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{202e}'),
        "{err:?}"
    );
    assert!(err.contains("\\e]52"), "{err}");
}
