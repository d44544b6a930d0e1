//! Unlocking and key files on the command line: a key file and a logbook given for each
//! other, a key file left readable by others, and what `init` records (tester4 #13).

mod common;

use common::*;

/// Tester4 #13: the passphrase key file given as the logbook (the names are alike) was
/// said to be a damaged logbook to restore; the logbook given as a key file asked for a
/// passphrase and then blamed the mode.
#[test]
fn a_key_file_and_a_logbook_given_for_each_other_are_named() {
    let f = PassFixture::new();
    let key_file = f.dir.path().join("lb.key.age");
    let o = run(&[
        "--logbook",
        key_file.to_str().unwrap(),
        "--passphrase-file",
        f.pass.to_str().unwrap(),
        "list",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is the passphrase key file of") && stderr(&o).contains("lb.age"),
        "{}",
        stderr(&o)
    );

    let k = Fixture::new();
    let o = run(&[
        "--logbook",
        k.logbook.to_str().unwrap(),
        "--identity",
        f.lb(),
        "--passphrase-file",
        f.pass.to_str().unwrap(),
        "list",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is a logbook (or a backup of one), not a key file"),
        "{}",
        stderr(&o)
    );
}

/// Tester4 #13: a key file beside a passphrase logbook copied in 0644 stayed 0644 after
/// saves, without a word, while the logbook itself was put back to 0600.
#[cfg(unix)]
#[test]
fn a_key_file_readable_by_others_is_made_owner_only_and_said() {
    use std::os::unix::fs::PermissionsExt;
    let f = PassFixture::new();
    let key_file = f.dir.path().join("lb.key.age");
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = f.run(&["import", data("demo.ron").to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("it is now yours alone (600)"),
        "{}",
        stderr(&o)
    );
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let o = f.run(&["list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// Tester4 #13: `init --by NAME` (passphrase) left the staff list empty, so the app's
/// first "Who is recording?" offered no one.
#[test]
fn init_by_a_name_puts_it_on_the_staff_list() {
    let dir = tempfile::tempdir().unwrap();
    let pass = passphrase_file(dir.path(), "pass", PassFixture::PASSPHRASE);
    let logbook = dir.path().join("s.age");
    let o = run(&[
        "--logbook",
        logbook.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--by",
        "Siân ap Rhys",
        "init",
        "--organisation",
        "Ysgol Test",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let key = logbook::vault::Key::passphrase(PassFixture::PASSPHRASE);
    let book = logbook::vault::read(&logbook, &key).unwrap().0;
    assert_eq!(book.settings.staff, vec!["Siân ap Rhys".to_string()]);
}

/// Tester4 #13: an interrupted set-up left an empty `.NAME.key.age.tmp-PID-N` for ever.
/// The next set-up removes one whose process is gone, and nothing else.
#[test]
fn an_interrupted_set_ups_key_temp_is_removed_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let pass = passphrase_file(dir.path(), "pass", PassFixture::PASSPHRASE);
    let stale = dir.path().join(".lb.key.age.tmp-99999999-657458803");
    let alive = dir
        .path()
        .join(format!(".lb.key.age.tmp-{}-1", std::process::id()));
    let other = dir.path().join(".lb.key.age.tmp-notes");
    for f in [&stale, &alive, &other] {
        std::fs::write(f, b"").unwrap();
    }
    let o = init_with_passphrase(&dir.path().join("lb.age"), &pass, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stale.exists(), "the stale temp is removed");
    assert!(alive.exists(), "a running process's is kept");
    assert!(other.exists(), "another name is kept");
}

/// Tester3 #32: an unprotected key file readable by others opened the logbook without a
/// word (the command line now warns, in one sentence, and goes on).
#[cfg(unix)]
#[test]
fn an_unprotected_key_file_readable_by_others_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    std::fs::set_permissions(&f.key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = f.run(&["list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("other users of this computer can read it"),
        "{}",
        stderr(&o)
    );
}
