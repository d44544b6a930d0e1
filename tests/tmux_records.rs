//! Records that leave the logbook, in the app, end to end: the release binary in tmux,
//! driven by keystrokes: the Retention screen disposes of a due record with a reason and a
//! confirming tick,
//! the Statistics screen shows, and an export from an incident is an age file the `age` CLI
//! opens; `logbook verify` and `show` read the result back. (`.ci/run` installs tmux, age.)

mod common;

use std::process::Command;

use common::tmux::Tmux;
use common::*;

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
    t.wait_for("Dispose of INC-2016-0002");
    // Nothing given: the reason and the tick are both refused; nothing goes.
    t.keys(&["C-s"]);
    t.wait_for("Tick this to dispose of INC-2016-0002 for good");
    t.text("Annual retention review");
    t.keys(&["Tab", "Space", "C-s"]);
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
    assert!(
        stderr(&o).contains("Annual retention review"),
        "the reason is kept with the tombstone: {}",
        stderr(&o)
    );
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
