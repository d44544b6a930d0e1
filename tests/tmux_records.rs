//! Records that leave the logbook, in the app, end to end: the release binary in tmux,
//! driven by keystrokes: the Retention screen disposes of a due record after a second D,
//! the Statistics screen shows, and an export from an incident is an age file the `age` CLI
//! opens; `logbook verify` and `show` read the result back. (`.ci/run` installs tmux, age.)

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

struct Tmux {
    name: String,
}

impl Tmux {
    fn start(command: &str) -> Tmux {
        let name = format!("lb{}-{}", std::process::id(), rand_suffix());
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                "100",
                "-y",
                "30",
                command,
            ])
            .status()
            .expect("tmux is needed: `bash .ci/run` installs it")
            .success();
        assert!(ok);
        Tmux { name }
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            assert!(
                Command::new("tmux")
                    .args(["send-keys", "-t", &self.name, k])
                    .status()
                    .unwrap()
                    .success()
            );
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Types text literally (no key names).
    fn text(&self, text: &str) {
        assert!(
            Command::new("tmux")
                .args(["send-keys", "-t", &self.name, "-l", text])
                .status()
                .unwrap()
                .success()
        );
        std::thread::sleep(Duration::from_millis(60));
    }

    fn screen(&self) -> String {
        let o = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Waits until the screen shows `text`, failing with the screen if it never does.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "waited for {text:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["has-session", "-t", &self.name])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn wait_exit(&self) {
        let start = Instant::now();
        while self.alive() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the app did not quit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .output();
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

fn app_command(f: &Fixture) -> String {
    // `exec` so the pane closes when the app exits.
    format!(
        "exec {BIN} --logbook {} --identity {}",
        f.logbook.display(),
        f.key.display()
    )
}

fn unlock(t: &Tmux) {
    // The fixture's key file has no passphrase: Enter alone opens it, and its holder
    // (named at init) records.
    t.wait_for("Key file:");
    t.keys(&["Enter"]);
    t.wait_for("1 Open");
}

#[test]
fn dispose_on_the_retention_screen_and_export_from_an_incident_by_keystrokes() {
    if !age_cli() {
        panic!("these tests need the age CLI (`bash .ci/run` installs it)");
    }
    let f = Fixture::new();
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/old-records.ron");
    let o = f.run(&["import", file.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let t = Tmux::start(&app_command(&f));
    unlock(&t);

    t.keys(&["D"]);
    let screen = t.wait_for("2 due for disposal");
    assert!(
        screen.contains("INC-2016-0003") && screen.contains("needs data"),
        "{screen}"
    );
    // Rows: the undated record first, then INC-2016-0002 (kept to 2020), INC-2016-0001.
    t.keys(&["j", "D"]);
    t.wait_for("D again disposes of INC-2016-0002");
    t.keys(&["D"]);
    t.wait_for("Disposed of INC-2016-0002");
    t.wait_for("1 due for disposal");

    t.keys(&["Escape", "T"]);
    t.wait_for("Statistics (anonymised)");
    t.keys(&["p"]);
    t.wait_for("this school year");

    // Export the remaining adult record, encrypted to the DSL's own key.
    let out = f.dir.path().join("inc1.html.age");
    t.keys(&["Escape", "4"]);
    t.wait_for("INC-2016-0001");
    t.keys(&["G", "Enter"]);
    t.wait_for("INC-2016-0001");
    t.keys(&["X"]);
    t.wait_for("Export the incident chronology of INC-2016-0001");
    t.keys(&["Tab"]);
    t.text("Auditor");
    t.keys(&["Tab"]);
    t.text(out.to_str().unwrap());
    t.keys(&["Tab"]);
    t.text(&f.public);
    t.keys(&["C-s"]);
    t.wait_for("Exported the incident chronology of INC-2016-0001");
    t.keys(&["q"]);
    t.wait_exit();

    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = f.run(&["show", "INC-2016-0002"]);
    assert!(stderr(&o).contains("was disposed of on"), "{}", stderr(&o));
    let o = f.run(&["show", "INC-2016-0001"]);
    assert!(
        stdout(&o).contains("for Auditor (from the app): age file"),
        "{}",
        stdout(&o)
    );
    let o = Command::new("age")
        .args(["-d", "-i", f.key.to_str().unwrap(), out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = String::from_utf8(o.stdout).unwrap();
    assert!(html.contains("Incident chronology: INC-2016-0001"));
    assert!(html.contains("Secret adult fraud details"));
}
