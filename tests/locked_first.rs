//! Tester2 #35: the app (and a command) started on a logbook another process holds asked
//! for the passphrase, ran the slow unlock, and only then said it was locked. Writers are
//! now told at once, before any secret is asked for; readers are still never blocked.

mod common;

use std::fs;

use common::tmux::Tmux;
use common::*;

/// Holds `logbook`'s lock as another logbook process would (the lock is per open file, so
/// the binary run by the test sees it held).
fn hold_lock(logbook: &std::path::Path) -> fs::File {
    let mut name = logbook.file_name().unwrap().to_os_string();
    name.push(".lock");
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(logbook.with_file_name(name))
        .unwrap();
    lock.try_lock().unwrap();
    lock
}

#[test]
fn a_command_that_writes_says_locked_before_asking_for_the_passphrase() {
    let f = PassFixture::new();
    let before = f.bytes();
    let held = hold_lock(&f.logbook);
    // No passphrase file and no terminal: before, "no terminal to ask for the passphrase"
    // (the lock came after the secret); now the lock is named first.
    let o = run(&[
        "--logbook",
        f.lb(),
        "--by",
        "RO",
        "import",
        data("demo.ron").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is locked by another process"),
        "{}",
        stderr(&o)
    );
    assert_eq!(f.bytes(), before);

    // At a terminal: the sentence, and no passphrase prompt.
    let t = Tmux::start(&format!(
        "{BIN} --logbook {} --by RO import {}; echo EXIT=$?; sleep 30",
        f.lb(),
        data("demo.ron").display()
    ));
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=5"), "{screen}");
    assert!(screen.contains("locked by another process"), "{screen}");
    assert!(!screen.contains("Passphrase for"), "{screen}");

    // Reading is not blocked; once the other process lets go, writing works.
    assert_eq!(code(&f.run(&["list"])), 0);
    drop(held);
    let o = f.run(&["import", data("demo.ron").to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn the_app_says_locked_before_the_unlock_screen() {
    let f = PassFixture::new();
    let _held = hold_lock(&f.logbook);
    let t = Tmux::start(&format!(
        "{BIN} --logbook {}; echo EXIT=$?; sleep 30",
        f.lb()
    ));
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=5"), "{screen}");
    assert!(screen.contains("locked by another process"), "{screen}");
    assert!(!screen.to_lowercase().contains("passphrase"), "{screen}");
}

/// Key mode with a protected key file: its passphrase is not asked either.
#[test]
fn a_protected_key_file_is_not_asked_for_when_the_logbook_is_locked() {
    let f = Fixture::new();
    let key = f.dir.path().join("protected.key");
    let pass = passphrase_file(f.dir.path(), "keypass", PassFixture::PASSPHRASE);
    let o = run(&[
        "--passphrase-file",
        pass.to_str().unwrap(),
        "keygen",
        "--out",
        key.to_str().unwrap(),
        "--name",
        "RO",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let _held = hold_lock(&f.logbook);
    let o = run(&[
        "--logbook",
        f.logbook.to_str().unwrap(),
        "--identity",
        key.to_str().unwrap(),
        "import",
        data("demo.ron").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is locked by another process"),
        "{}",
        stderr(&o)
    );
}

/// Tester4 #9: the lock is named after the path, so the same logbook reached by a second
/// name (a hard link) was opened for writing by two apps at once, and their saves split it
/// into two logbooks that each verified. A logbook with a second name is now refused for
/// writing, before any secret is asked, and left as it was; reading it is still allowed.
#[test]
fn a_logbook_with_a_second_name_is_refused_for_writing_and_left_unchanged() {
    let f = PassFixture::new();
    let link = f.logbook.with_file_name("school-link.age");
    fs::hard_link(&f.logbook, &link).unwrap();
    let before = f.bytes();
    for name in [f.lb(), link.to_str().unwrap()] {
        let o = run(&[
            "--logbook",
            name,
            "--by",
            "RO",
            "import",
            data("demo.ron").to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 5, "{}", stderr(&o));
        assert!(stderr(&o).contains("has a second name"), "{}", stderr(&o));
        assert!(stderr(&o).contains("-samefile"), "{}", stderr(&o));
        assert_eq!(f.bytes(), before);
    }
    // The app says so before the unlock screen.
    let t = Tmux::start(&format!(
        "{BIN} --logbook {}; echo EXIT=$?; sleep 30",
        link.display()
    ));
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=5"), "{screen}");
    assert!(screen.contains("has a second name"), "{screen}");
    // Reading is not blocked; with the second name removed, writing works.
    assert_eq!(code(&f.run(&["list"])), 0);
    fs::remove_file(&link).unwrap();
    let o = f.run(&["import", data("demo.ron").to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}
