//! Several staff in the app, at 80x24 as over SSH: a deputy with a protected key file
//! types its path in the app, records as themself, locks, and only their passphrase
//! unlocks again.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use logbook::vault::{self, Key};

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

struct Pane(String);

impl Pane {
    fn start(cmd: &str) -> Pane {
        let name = format!("staff{}", std::process::id());
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                "80",
                "-y",
                "24",
                cmd,
            ])
            .status()
            .expect("tmux is needed: `bash .ci/run` installs it")
            .success();
        assert!(ok);
        Pane(name)
    }
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            Command::new("tmux")
                .args(["send-keys", "-t", &self.0, k])
                .status()
                .unwrap();
            std::thread::sleep(Duration::from_millis(60));
        }
    }
    fn text(&self, text: &str) {
        Command::new("tmux")
            .args(["send-keys", "-t", &self.0, "-l", text])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }
    fn screen(&self) -> String {
        let o = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "waited for {text:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .output();
    }
}

#[test]
fn a_deputy_with_a_protected_key_unlocks_records_locks_and_unlocks_at_80x24() {
    let f = Fixture::new();
    let pass = f.dir.path().join("pass");
    std::fs::write(&pass, "deputy's long passphrase\n").unwrap();
    let deputy = f.dir.path().join("deputy.key");
    let o = run(&[
        "--passphrase-file",
        p(&pass),
        "keygen",
        "--name",
        "J. Patel",
        "--out",
        p(&deputy),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let public = stdout(&o).trim().to_string();
    let o = f.run(&["keys", "add", &public, "--name", "J. Patel"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // No --identity: the app reads the header and asks for a key file, not a passphrase.
    let t = Pane::start(&format!("exec {BIN} --logbook {}", p(&f.logbook)));
    let screen = t.wait_for("This logbook opens with a key file");
    assert!(!screen.contains("Passphrase:"), "{screen}");
    t.text(p(&deputy));
    t.keys(&["Enter"]);
    t.wait_for("protected by a passphrase");
    t.keys(&["Tab"]);
    t.text("deputy's long passphrase");
    t.keys(&["Enter"]);
    // The key's holder records: no list to pick a name from.
    let screen = t.wait_for("No incidents yet");
    assert!(screen.contains("J. Patel"), "{screen}");
    assert!(!screen.contains("Who is recording"), "{screen}");

    t.keys(&["n"]);
    t.wait_for("Record a new incident");
    t.keys(&["Tab", "Tab", "Tab"]);
    t.text("Form tutor");
    t.keys(&["Tab", "Enter"]);
    t.wait_for("type to filter");
    t.text("cyberb");
    t.keys(&["Enter", "Tab", "Tab", "Tab", "Tab"]);
    t.text("Instagram");
    t.keys(&["Tab"]);
    t.text("Names called under a photo.");
    t.keys(&["C-s"]);
    t.wait_for("INC-2026-");

    // Locked: Enter alone does not unlock; the key file's passphrase does.
    t.keys(&["C-l"]);
    let locked = t.wait_for("Locked");
    assert!(!locked.contains("INC-"), "{locked}");
    assert!(
        locked.contains(p(&deputy)),
        "the key file is kept: {locked}"
    );
    t.keys(&["Enter"]);
    t.wait_for("protected by a passphrase");
    t.text("deputy's long passphrase");
    t.keys(&["Enter"]);
    t.wait_for("INC-");
    t.keys(&["q"]);
    let start = Instant::now();
    while Command::new("tmux")
        .args(["has-session", "-t", &t.0])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        assert!(start.elapsed() < Duration::from_secs(20), "{}", t.screen());
        std::thread::sleep(Duration::from_millis(100));
    }

    // The record and the trail name the deputy, never the DSL.
    let key =
        Key::from_identity_files(std::slice::from_ref(&f.key), &mut |_| unreachable!()).unwrap();
    let book = vault::read(&f.logbook, &key).unwrap().0;
    assert_eq!(book.incidents.len(), 1);
    assert_eq!(book.incidents[0].recorded_by, "J. Patel");
    let last = book.audit.last().unwrap();
    assert_eq!(last.by, "J. Patel", "{last:?}");
    assert!(book.verify_audit().is_ok());
}
