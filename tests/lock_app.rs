//! The app's lock screen and unlocking, in a real terminal (tmux): who records after a
//! passphrase unlock (tester4 #11), a passphrase logbook without its key file beside it
//! (tester4 #4), a key holder of a passphrase logbook (tester3 #32), several key files
//! (tester3 #1), a key file readable by others, and a set-up key file made for someone
//! else (tester4 #13).

mod common;

use std::time::{Duration, Instant};

use common::tmux::Tmux;
use common::*;

/// Waits longer than `wait_for`: a passphrase's key derivation takes seconds when busy.
fn wait_long(t: &Tmux, text: &str) -> String {
    let start = Instant::now();
    loop {
        let screen = t.screen();
        if screen.contains(text) {
            return screen;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "waited for {text:?}; the screen shows:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A passphrase logbook with two staff who both know the passphrase.
fn two_staff() -> PassFixture {
    let dir = tempfile::tempdir().unwrap();
    let pass = passphrase_file(dir.path(), "pass", PassFixture::PASSPHRASE);
    let logbook = dir.path().join("lb.age");
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
        "--staff",
        "Siân ap Rhys",
        "--staff",
        "Nia Llewelyn",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    PassFixture { dir, pass, logbook }
}

fn type_passphrase(t: &Tmux) {
    t.wait_for("Passphrase:");
    t.text(PassFixture::PASSPHRASE);
    t.keys(&["Enter"]);
}

/// Tester4 #11: after Ctrl-L (or the idle lock) whoever typed the passphrase carried on
/// recording as the person before them. Now the unlock asks, the last recorder first, and
/// a change of recorder is in the trail.
#[test]
fn whoever_unlocks_a_passphrase_logbook_says_who_is_recording() {
    let f = two_staff();
    let t = Tmux::start(&format!("exec {BIN} --logbook {}", f.lb()));
    type_passphrase(&t);
    wait_long(&t, "Who is recording?");
    t.keys(&["Enter"]);
    t.wait_for("recording as Siân ap Rhys");
    t.keys(&["C-l"]);
    type_passphrase(&t);
    wait_long(&t, "Siân ap Rhys was");
    // Esc does not skip the question.
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(t.screen().contains("Siân ap Rhys was"), "{}", t.screen());
    t.text("Nia");
    t.keys(&["Enter"]);
    t.wait_for("recording as Nia Llewelyn");
    t.wait_for("Saved");
    t.keys(&["q"]);
    t.wait_exit();
    let key = logbook::vault::Key::passphrase(PassFixture::PASSPHRASE);
    let book = logbook::vault::read(&f.logbook, &key).unwrap().0;
    let last = book.audit.last().unwrap();
    assert_eq!(last.by, "Nia Llewelyn");
    assert!(last.action.contains("was Siân ap Rhys"), "{}", last.action);
}

/// Tester4 #4: a passphrase logbook copied or renamed without its `NAME.key.age` was said
/// to "open with a key file". The lock screen now says the key file is missing and where
/// copies are, and the old key file's path typed with the passphrase opens it.
#[test]
fn a_passphrase_logbook_without_its_key_file_says_so_and_takes_its_path() {
    let f = PassFixture::new();
    let copy = f.dir.path().join("d.age");
    std::fs::copy(&f.logbook, &copy).unwrap();
    let t = Tmux::start(&format!("exec {BIN} --logbook {}", copy.display()));
    let screen = t.wait_for("Key file:");
    let flat = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("its key file d.key.age is missing beside it")
            && flat.contains("logbook-ID-key-FPR.age"),
        "{screen}"
    );
    t.text(&f.dir.path().join("lb.key.age").display().to_string());
    t.keys(&["Tab"]);
    t.text(PassFixture::PASSPHRASE);
    t.keys(&["Enter"]);
    wait_long(&t, "Who is recording?");
    t.keys(&["Enter"]);
    t.wait_for("recording as RO");
    t.keys(&["q"]);
    t.wait_exit();
}

/// Tester3 #32: a passphrase logbook with a deputy's key added offered only "Passphrase:",
/// so the deputy could not unlock with their key file. Tab now offers it.
#[test]
fn a_key_holder_of_a_passphrase_logbook_unlocks_with_their_key_file() {
    let f = PassFixture::new();
    let deputy = f.dir.path().join("deputy.key");
    let o = run(&["keygen", "--unprotected", "--out", deputy.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let public = stdout(&o).trim().to_string();
    let o = f.run(&["keys", "add", &public, "--name", "J. Patel"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let t = Tmux::start(&format!("exec {BIN} --logbook {}", f.lb()));
    t.wait_for("Tab: use a key file instead");
    t.keys(&["Tab"]);
    t.wait_for("Key file:");
    t.text(&deputy.display().to_string());
    t.keys(&["Enter"]);
    t.wait_for("recording as J. Patel");
    t.keys(&["q"]);
    t.wait_exit();
}

/// Tester3 #1: with several `--identity` files the app used only the first, so a key
/// file that is not this logbook's, given first, kept the holder's own out.
#[test]
fn the_app_opens_with_any_of_several_key_files() {
    let f = Fixture::new();
    let other = f.dir.path().join("other.key");
    let o = run(&["keygen", "--unprotected", "--out", other.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let t = Tmux::start(&format!(
        "exec {BIN} --logbook {} --identity {} --identity {}",
        f.logbook.display(),
        other.display(),
        f.key.display()
    ));
    t.wait_for("Also tried");
    t.keys(&["Enter"]);
    t.wait_for("recording as RO");
    t.keys(&["q"]);
    t.wait_exit();
}

/// Tester3 #32: an unprotected key file readable by other users opened the app without a
/// word about it.
#[cfg(unix)]
#[test]
fn the_lock_screen_warns_of_a_key_file_others_can_read() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    std::fs::set_permissions(&f.key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let t = Tmux::start(&format!(
        "exec {BIN} --logbook {} --identity {}",
        f.logbook.display(),
        f.key.display()
    ));
    let screen = t.wait_for("Key file:");
    let flat = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Other users of this computer can read it"),
        "{screen}"
    );
    t.keys(&["Escape"]);
    t.wait_exit();
}

/// Tester4 #13: first-run set-up with a key file made for someone else (its `# holder:`
/// line) created the logbook without a word; now it is said, and Ctrl-S again goes on.
#[test]
fn set_up_with_a_key_file_made_for_someone_else_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("dep.key");
    let o = run(&[
        "keygen",
        "--unprotected",
        "--name",
        "J. Patel",
        "--out",
        key.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let logbook = dir.path().join("new.age");
    let t = Tmux::start(&format!("exec {BIN} --logbook {}", logbook.display()));
    t.wait_for("Set up a new logbook");
    t.text("Test School");
    t.keys(&["Tab"]);
    t.text("R. Okafor");
    t.keys(&["Tab"]);
    t.text(&key.display().to_string());
    t.keys(&["C-s"]);
    let screen = t.wait_for("Patel's");
    assert!(!logbook.exists(), "{screen}");
    t.keys(&["C-s"]);
    t.wait_for("Logbook created");
    t.keys(&["q"]);
    t.wait_exit();
    assert!(logbook.exists());
}
