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
    staff.keys(&["Enter"]);
    staff.text(".");
    staff.keys(&["Enter"]);
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

/// Tester3 #44: a message pasted with empty lines in it ended "what you saw" at the first
/// one and spread the rest over When, Who and Where. Pasted into a real terminal (tmux's
/// paste buffer), it stays whole until the line holding only a full stop; and `e` changes
/// an answer before sending instead of `n` losing everything (tester3 #32).
#[test]
fn staff_paste_a_message_with_empty_lines_and_correct_an_answer_before_sending() {
    let f = Fixture::new();
    let inbox = f.dir.path().join("share");
    fs::create_dir(&inbox).unwrap();
    let o = f.run(&["concern-setup", "--inbox", inbox.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let staff = Tmux::start(&format!(
        "{BIN} concern --inbox {}; echo ENDED; sleep 60",
        inbox.display()
    ));
    staff.wait_for("Ctrl-D.)");
    let pasted = "She showed me this message:\n\nyou better not tell anyone or else\n\nand then another one saying she is ugly\n";
    let buffer = format!("conc{}", std::process::id());
    assert!(
        std::process::Command::new("tmux")
            .args(["set-buffer", "-b", &buffer, pasted])
            .status()
            .unwrap()
            .success()
    );
    assert!(
        std::process::Command::new("tmux")
            .args(["paste-buffer", "-d", "-b", &buffer, "-t", &staff.name])
            .status()
            .unwrap()
            .success()
    );
    staff.wait_for("she is ugly");
    // Still the same answer: no next question yet.
    assert!(
        !staff.screen().contains("When did it happen?"),
        "{}",
        staff.screen()
    );
    staff.text(".");
    staff.keys(&["Enter"]);
    for (question, answer) in [
        ("When did it happen?", "today 12:50"),
        ("Who is involved?", "AB Y7"),
        ("Where?", "Instagram"),
        ("What did you do?", "Listened"),
        ("Your name:", "Ms Paste"),
        ("Your role", "TA"),
    ] {
        staff.wait_for(question);
        staff.text(answer);
        staff.keys(&["Enter"]);
    }
    let screen = staff.wait_for("Send this to the DSL?");
    assert!(screen.contains("When: today 12:50"), "{screen}");
    assert!(screen.contains("Where: Instagram"), "{screen}");
    // Enter alone: one sentence on what to type, not the question again on its line.
    staff.keys(&["Enter"]);
    staff.wait_for("Type y and press Enter to send it");
    // The year group was wrong: e, answer 3.
    staff.text("e");
    staff.keys(&["Enter"]);
    staff.wait_for("Which answer?");
    staff.text("3");
    staff.keys(&["Enter"]);
    staff.text("AB Y8");
    staff.keys(&["Enter"]);
    staff.wait_for("Who: AB Y8");
    staff.text("y");
    staff.keys(&["Enter"]);
    let screen = staff.wait_for("ENDED");
    let receipt = receipt_in(&screen[screen.find("Receipt number").unwrap()..]);
    let o = f.run(&["concerns", "--show", &receipt]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let shown = stdout(&o);
    assert!(
        shown.contains(
            "What was seen or heard:\nShe showed me this message:\n\nyou better not tell anyone or else\n\nand then another one saying she is ugly\n\nWhen: today 12:50 (written "
        ),
        "{shown}"
    );
    assert!(
        shown.contains("Who is involved: AB Y8\nWhere: Instagram"),
        "{shown}"
    );
}

/// Tester3 #42: words typed after --what at a terminal stay in the shell history; the
/// command now says so once sent, with how to clear it (a script without a terminal is
/// not told: `a_script_gives_the_words_from_a_pipe_or_a_file_and_they_are_kept_whole`).
#[test]
fn words_typed_as_options_at_a_terminal_are_followed_by_how_to_clear_the_history() {
    let f = Fixture::new();
    let inbox = f.dir.path().join("share");
    fs::create_dir(&inbox).unwrap();
    let o = f.run(&["concern-setup", "--inbox", inbox.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let staff = Tmux::start(&format!(
        "{BIN} concern --inbox {} --what 'AB (Y8) told me CD sent her a photo' --by 'Mr T'; echo ENDED; sleep 60",
        inbox.display()
    ));
    let screen = staff.wait_for("ENDED");
    assert!(screen.contains("Receipt number: C-"), "{screen}");
    assert!(screen.contains("shell history"), "{screen}");
    assert!(screen.contains("history -c"), "{screen}");
}
