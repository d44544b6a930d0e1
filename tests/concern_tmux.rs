//! The staff concern drop-box in real terminals (tmux): a member of staff fills in the
//! concern form by keystrokes, with no secret; the DSL unlocks the app, sees "1 new
//! concern", turns it into an incident, adds a reporting step; `logbook show` has the
//! concern as evidence and the trail has each step. (`.ci/run` installs tmux and age.)

mod common;

use std::fs;
use std::path::Path;

use common::tmux::Tmux;
use common::*;

fn concern_files(dir: &Path) -> usize {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with("concern-") && n.ends_with(".age")
        })
        .count()
}

#[test]
fn staff_file_a_concern_by_keys_and_the_dsl_makes_it_an_incident_in_the_app() {
    let f = Fixture::new();
    let inbox = f.dir.path().join("share");
    fs::create_dir(&inbox).unwrap();
    let o = f.run(&["concern-setup", "--inbox", inbox.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // A member of staff, with no key and no passphrase: the form, by keystrokes. The pane
    // stays open after the command ends, to read its last words.
    let staff = Tmux::start(&format!(
        "{BIN} concern --inbox {}; echo ENDED; sleep 60",
        inbox.display()
    ));
    staff.wait_for("What did you see or hear?");
    staff.text("JB (Y9) told me \"they keep posting my photo with horrible comments\"");
    staff.keys(&["Enter"]);
    staff.text("and showed me the group chat on her phone.");
    staff.keys(&["Enter", "Enter"]);
    staff.wait_for("When did it happen?");
    staff.text("today, morning break");
    staff.keys(&["Enter"]);
    staff.wait_for("Who is involved?");
    staff.text("JB Y9");
    staff.keys(&["Enter"]);
    staff.wait_for("Where?");
    staff.text("Snapchat");
    staff.keys(&["Enter"]);
    staff.wait_for("What did you do?");
    staff.text("Listened and told JB I would pass it on");
    staff.keys(&["Enter"]);
    staff.wait_for("Your name:");
    staff.text("A. Khan");
    staff.keys(&["Enter"]);
    staff.wait_for("Your role");
    staff.text("Form tutor");
    staff.keys(&["Enter"]);
    staff.wait_for("Send this to the DSL?");
    staff.text("y");
    staff.keys(&["Enter"]);
    let screen = staff.wait_for("ENDED");
    assert!(screen.contains("Receipt number: C-"), "{screen}");
    let at = screen.find("Receipt number: ").unwrap() + "Receipt number: ".len();
    let receipt = screen[at..at + 11].to_string();
    assert!(logbook::model::is_receipt(&receipt), "{receipt}");
    // The form never asks for, or shows, a secret.
    let lower = screen.to_lowercase();
    assert!(
        !lower.contains("passphrase") && !lower.contains("secret-key"),
        "{screen}"
    );
    assert_eq!(concern_files(&inbox), 1);
    drop(staff);

    // The DSL unlocks and sees it.
    let t = Tmux::start(&format!(
        "exec {BIN} --logbook {} --identity {}",
        f.logbook.display(),
        f.key.display()
    ));
    // The fixture's key file has no passphrase: Enter alone opens it, and its holder
    // (named at init) records.
    t.wait_for("Key file:");
    t.keys(&["Enter"]);
    t.wait_for("1 new concern");
    t.keys(&["C"]);
    let screen = t.wait_for(&receipt);
    assert!(screen.contains("A. Khan (Form tutor)"), "{screen}");
    assert!(screen.contains("JB (Y9) told me"), "{screen}");

    // A new incident, pre-filled from the concern: only the type is chosen.
    t.keys(&["n"]);
    let screen = t.wait_for("New incident from staff concern");
    assert!(screen.contains("Snapchat"), "{screen}");
    t.keys(&["Tab", "Tab", "Tab", "Tab", "Enter"]);
    t.wait_for("type to filter");
    t.text("cyberb");
    t.keys(&["Enter", "C-s"]);
    t.wait_for("recorded from concern");
    t.wait_for("No new concerns");

    // A reporting step on it.
    t.keys(&["Escape"]);
    t.wait_for("1 Open");
    t.keys(&["Enter"]);
    t.wait_for("Summary");
    t.keys(&["r"]);
    t.wait_for("Reporting step for");
    t.keys(&["Enter"]);
    t.text("platform");
    t.keys(&["Enter"]);
    t.keys(&["Tab", "Tab", "Tab", "Tab", "Tab"]);
    t.text("SNAP-REPORT-4471");
    t.keys(&["C-s"]);
    t.wait_for("Reporting step RS-1 recorded");
    t.wait_for("Saved");
    t.keys(&["q"]);
    t.wait_exit();

    // The concern file is gone from the inbox, now that the logbook holding it is saved.
    assert_eq!(concern_files(&inbox), 0);
    let o = f.run(&["list"]);
    let id = stdout(&o).split_whitespace().next().unwrap().to_string();
    let shown = stdout(&f.run(&["show", &id]));
    for expected in [
        "Cyberbullying",
        "Snapchat",
        "A. Khan (Form tutor)",
        "Staff concern",
        "they keep posting my photo",
        "Listened and told JB",
        receipt.as_str(),
        "SNAP-REPORT-4471",
        "recorded incident",
        "added evidence EV-1 (staff concern",
        "RS-1",
    ] {
        assert!(
            shown.contains(expected),
            "`logbook show` lacks {expected:?}:\n{shown}"
        );
    }
    assert_eq!(code(&f.run(&["verify"])), 0);
    // The concern itself is kept, with the decision, and is never taken in again.
    let o = f.run(&["concerns"]);
    assert!(stdout(&o).contains("No new concerns"), "{}", stdout(&o));
}
