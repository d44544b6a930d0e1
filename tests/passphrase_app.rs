//! The app on a passphrase-mode logbook, in a real terminal (tmux), driven by keystrokes:
//! what happens around its key file, its drafts and who is recording.

mod common;

use std::time::{Duration, Instant};

use common::tmux::Tmux;
use common::*;

/// A passphrase logbook with an organisation (Settings refuses to save without one) and
/// RO on its staff.
fn fixture() -> PassFixture {
    let dir = tempfile::tempdir().unwrap();
    let pass = passphrase_file(dir.path(), "pass", PassFixture::PASSPHRASE);
    let logbook = dir.path().join("lb.age");
    let o = init_with_passphrase(
        &logbook,
        &pass,
        &["--organisation", "Test School", "--staff", "RO"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    PassFixture { dir, pass, logbook }
}

/// Starts the app on the fixture's logbook and unlocks it with the passphrase, recording
/// as RO (the first name offered).
fn open_app(f: &PassFixture) -> Tmux {
    let t = Tmux::start(&format!("exec {BIN} --logbook {}", f.lb()));
    unlock_with_passphrase(&t);
    t
}

fn unlock_with_passphrase(t: &Tmux) {
    t.wait_for("Passphrase:");
    t.text(PassFixture::PASSPHRASE);
    t.keys(&["Enter"]);
    wait_long(t, "Who is recording?");
    t.keys(&["Enter"]);
    t.wait_for("recording as");
}

/// Waits for `text` longer than `wait_for`: the passphrase's key derivation (scrypt) takes
/// seconds on a busy machine.
fn wait_long(t: &Tmux, text: &str) -> String {
    let start = Instant::now();
    loop {
        let screen = t.screen();
        if screen.contains(text) {
            return screen;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "waited for {text:?}; the screen shows:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Changes a setting (the idle lock's minutes) and saves: a change that writes the logbook.
fn change_a_setting(t: &Tmux, minutes: &str) {
    t.keys(&["S"]);
    t.wait_for("Settings");
    t.keys(&["Tab", "Tab", "Tab", "BSpace", "BSpace", "BSpace"]);
    t.text(minutes);
    t.keys(&["C-s"]);
}

/// Tester4 #19: the key file beside a passphrase logbook removed while the app is open
/// (alone, or with the logbook, then `R`): each save used to say "Saved" while the
/// passphrase no longer opened what it wrote. Now the key file is written back before the
/// save (and on quitting), and the passphrase opens the logbook afterwards.
#[test]
fn a_key_file_removed_while_the_app_is_open_is_written_back() {
    let f = fixture();
    let key_file = f.dir.path().join("lb.key.age");
    let original = std::fs::read(&key_file).unwrap();
    let t = open_app(&f);

    // The key file alone, then a save.
    std::fs::remove_file(&key_file).unwrap();
    change_a_setting(&t, "9");
    t.wait_for("Saved");
    assert_eq!(std::fs::read(&key_file).unwrap(), original);

    // The logbook and its key file, then a save (refused: the file is gone) and R.
    std::fs::remove_file(&f.logbook).unwrap();
    std::fs::remove_file(&key_file).unwrap();
    change_a_setting(&t, "8");
    t.wait_for("logbook file deleted or moved");
    assert!(!key_file.exists(), "nothing is written beside no logbook");
    t.keys(&["R"]);
    t.wait_for("Saved");
    assert_eq!(std::fs::read(&key_file).unwrap(), original);

    // The key file alone, and no save before quitting.
    std::fs::remove_file(&key_file).unwrap();
    t.keys(&["q"]);
    t.wait_exit();
    assert_eq!(std::fs::read(&key_file).unwrap(), original);

    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let key = logbook::vault::Key::passphrase(PassFixture::PASSPHRASE);
    let book = logbook::vault::read(&f.logbook, &key).unwrap().0;
    assert_eq!(
        book.settings.idle_lock_minutes, 8,
        "the change after R is saved"
    );
}

/// Tester4 #3: closing the terminal window (SIGHUP, as a dropped SSH session also sends)
/// with a form half typed lost it without a trace, though Ctrl-C and the idle lock keep
/// it. Now it is kept beside the logbook, encrypted to the logbook's key (an age file the
/// logbook's own key opens, owner-only, with none of the words in it readable), and the
/// next unlock puts it back, says whose it was and when, and removes the file.
#[test]
fn a_form_open_when_the_terminal_is_closed_comes_back_at_the_next_unlock() {
    let f = fixture();
    let kept = f.dir.path().join("lb.draft.age");
    let t = open_app(&f);
    t.keys(&["n"]);
    t.wait_for("Record a new incident");
    t.keys(&["Tab", "Tab", "Tab"]);
    t.text("Form tutor heard the disclosure");
    t.wait_for("Form tutor heard the disclosure");
    // Closing the window: tmux sends SIGHUP to the app.
    drop(t);
    let start = Instant::now();
    while !kept.exists() {
        assert!(start.elapsed() < Duration::from_secs(10), "no draft kept");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));

    let bytes = std::fs::read(&kept).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"), "an age file");
    assert!(
        !bytes.windows(9).any(|w| w == b"disclosur"),
        "no plaintext on disk"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&kept).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The logbook's own key opens it.
    let pass = age::secrecy::SecretString::from(PassFixture::PASSPHRASE.to_string());
    let ids = logbook::vault::read_key_file(&f.dir.path().join("lb.key.age"), &pass).unwrap();
    let key = logbook::vault::Key::Identities(ids);
    let plain = logbook::vault::decrypt(&kept, &bytes, &key).unwrap();
    let plain = String::from_utf8(plain.to_vec()).unwrap();
    assert!(plain.contains("Form tutor heard the disclosure"), "{plain}");
    assert!(plain.contains("terminal was closed"), "{plain}");

    // The next unlock puts it back, with one sentence, and the file goes.
    let t = Tmux::start(&format!("exec {BIN} --logbook {}", f.lb()));
    t.wait_for("Passphrase:");
    t.text(PassFixture::PASSPHRASE);
    t.keys(&["Enter"]);
    wait_long(&t, "Who is recording?");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Form tutor heard the disclosure");
    assert!(screen.contains("Record a new incident"), "{screen}");
    assert!(
        screen.contains("Kept by RO when the app was closed"),
        "{screen}"
    );
    assert!(!kept.exists(), "the kept draft is removed once back");
    t.keys(&["Escape", "y"]);
    t.wait_for("Changes discarded");
    t.keys(&["q"]);
    t.wait_exit();
}

/// Tester4 #4: a passphrase logbook copied or renamed without its key file was said to be
/// "opened with a key file", sending the DSL after a key they never had. Now the message
/// names the key file missing beside it and where copies are.
#[test]
fn a_passphrase_logbook_renamed_without_its_key_file_says_which_file_is_missing() {
    let f = fixture();
    let renamed = f.dir.path().join("logbook-2026.age");
    std::fs::rename(&f.logbook, &renamed).unwrap();
    let o = run(&[
        "--logbook",
        renamed.to_str().unwrap(),
        "--passphrase-file",
        f.pass.to_str().unwrap(),
        "verify",
    ]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let said = stderr(&o);
    assert!(
        said.contains("no key file logbook-2026.key.age beside it"),
        "{said}"
    );
    assert!(said.contains("every backup folder holds a copy"), "{said}");
    assert!(!said.contains("is opened with a key file"), "{said}");
    // Put back under the new name, it opens again.
    std::fs::rename(
        f.dir.path().join("lb.key.age"),
        f.dir.path().join("logbook-2026.key.age"),
    )
    .unwrap();
    let o = run(&[
        "--logbook",
        renamed.to_str().unwrap(),
        "--passphrase-file",
        f.pass.to_str().unwrap(),
        "verify",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// Tester5 #7: a form kept when the window was closed was sealed to the key `passwd` then
/// replaced: the next unlock said "wrong passphrase, try again" (the passphrase was right)
/// and the next kept form wrote over it. `passwd` now seals it again to the new key, so it
/// comes back; and a kept form already there is set aside, never written over.
#[test]
fn a_form_kept_before_the_passphrase_is_changed_still_comes_back() {
    let f = fixture();
    let kept = f.dir.path().join("lb.draft.age");
    let t = open_app(&f);
    t.keys(&["n"]);
    t.wait_for("Record a new incident");
    t.keys(&["Tab", "Tab", "Tab"]);
    t.text("LM showed me the new group");
    t.wait_for("LM showed me the new group");
    drop(t);
    let start = Instant::now();
    while !kept.exists() {
        assert!(start.elapsed() < Duration::from_secs(10), "no draft kept");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));

    let new = passphrase_file(f.dir.path(), "new", "quartz meadow lantern ferry");
    let o = f.run(&["passwd", "--new-passphrase-file", new.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let said = stdout(&o);
    assert!(said.contains("is sealed to the new keys too"), "{said}");

    let t = Tmux::start(&format!("exec {BIN} --logbook {}", f.lb()));
    t.wait_for("Passphrase:");
    t.text("quartz meadow lantern ferry");
    t.keys(&["Enter"]);
    wait_long(&t, "Who is recording?");
    t.keys(&["Enter"]);
    let screen = t.wait_for("LM showed me the new group");
    assert!(screen.contains("Record a new incident"), "{screen}");
    assert!(!kept.exists(), "the kept draft is removed once back");
    t.keys(&["Escape", "y"]);
    t.wait_for("Changes discarded");
    t.keys(&["q"]);
    t.wait_exit();
}

/// Tester5 #7, addendum: a kept form that was never put back is set aside under a numbered
/// name when another is kept, not written over.
#[test]
fn a_second_kept_form_never_writes_over_one_not_put_back() {
    let f = fixture();
    let kept = f.dir.path().join("lb.draft.age");
    std::fs::write(&kept, b"a form the app could not open").unwrap();
    let t = open_app(&f);
    // The unopenable one is named and left; the passphrase is not blamed.
    let screen = t.wait_for("could not be opened");
    assert!(!screen.contains("try again"), "{screen}");
    t.keys(&["n"]);
    t.wait_for("Record a new incident");
    t.keys(&["Tab", "Tab", "Tab"]);
    t.text("Second form");
    t.wait_for("Second form");
    drop(t);
    let aside = f.dir.path().join("lb.draft-1.age");
    let start = Instant::now();
    while !aside.exists() || !kept.exists() {
        assert!(start.elapsed() < Duration::from_secs(10), "not set aside");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        std::fs::read(&aside).unwrap(),
        b"a form the app could not open"
    );
}
