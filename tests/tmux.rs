//! End to end in a real terminal: the release binary in tmux, driven by keystrokes alone,
//! read back with `capture-pane` as a person would see it, and the saved file checked with
//! `logbook show` and the reference `age` CLI. (`.ci/run` installs tmux and age.)

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

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
    // (named at init) records, so no one is asked.
    t.wait_for("Key file:");
    t.keys(&["Enter"]);
    t.wait_for("1 Open");
}

#[test]
fn a_dsl_records_a_whole_case_by_keystrokes_and_it_is_saved() {
    let f = Fixture::new();
    let t = Tmux::start(&app_command(&f));
    unlock(&t);
    t.wait_for("No incidents yet");

    // A new incident of cyberbullying on Instagram.
    t.keys(&["n"]);
    t.wait_for("Record a new incident");
    t.keys(&["Tab", "Tab", "Tab"]);
    t.text("Form tutor");
    t.keys(&["Tab", "Enter"]);
    t.wait_for("type to filter");
    t.text("cyberb");
    // Focus stays on the field just chosen.
    t.keys(&["Enter", "Tab", "Tab", "Tab", "Tab"]);
    t.text("Instagram");
    t.keys(&["Tab"]);
    t.text("JB was sent comments calling him names under his photos.");
    t.keys(&["C-s"]);
    // Ctrl-S opens the incident it recorded, announcing the review in its diary.
    let screen = t.wait_for("recorded. Review RV-1 due");
    assert!(
        screen.contains("Summary") && screen.contains("Form tutor"),
        "{screen}"
    );

    // Two people: a new subject, then a new alleged perpetrator.
    t.keys(&["p"]);
    t.wait_for("Link a person");
    t.keys(&["Tab"]);
    t.text("JB (Y9)");
    t.keys(&["C-s"]);
    t.wait_for("linked to");
    t.keys(&["p"]);
    t.wait_for("Link a person");
    t.keys(&["Tab"]);
    t.text("KL (Y9)");
    t.keys(&["Tab", "Tab", "Tab", "Enter"]);
    t.wait_for("type to filter");
    t.text("alleged");
    t.keys(&["Enter", "C-s"]);
    t.wait_for("P-0002 linked");

    // Evidence.
    t.keys(&["e"]);
    t.wait_for("Add evidence");
    t.keys(&["Tab"]);
    t.text("Screenshots of the comments");
    // Captured by someone who is not on the staff list: typed, and kept as typed.
    t.keys(&["Tab", "Tab", "Tab"]);
    t.text("PC 2231 Hale");
    t.wait_for("no staff name matches");
    t.keys(&["Enter"]);
    t.text("Safeguarding safe, envelope 7");
    t.keys(&["C-s"]);
    t.wait_for("Evidence EV-1 added");

    // An Action Fraud report with its reference.
    t.keys(&["r"]);
    t.wait_for("Reporting step for");
    t.keys(&["Enter"]);
    t.text("action");
    t.keys(&["Enter"]);
    t.wait_for("NFRC");
    // Focus stays on the agency after the pick: past the decision and when to "By", where
    // typing filters the staff names and Enter offers them with the typed text kept last.
    t.keys(&["Tab", "Tab", "Tab"]);
    t.text("r");
    t.wait_for("staff: RO");
    t.keys(&["Enter"]);
    t.wait_for("\"r\" as typed");
    t.keys(&["Enter"]);
    // Past "How" to the reference.
    t.keys(&["Tab", "Tab"]);
    t.text("NFRC261123000199");
    t.keys(&["C-s"]);
    t.wait_for("Reporting step RS-1 recorded");

    // A review, then a checklist step ticked.
    // v on a case whose first review is not yet held offers to move it, not a second.
    t.keys(&["v"]);
    t.wait_for("Move review RV-1");
    t.text("+20");
    // A move needs its reason (tester4 #21).
    t.keys(&["C-s"]);
    t.wait_for("Why it is moved needs attention");
    t.keys(&["Tab"]);
    t.text("Parents away until then");
    t.keys(&["C-s"]);
    t.wait_for("Review RV-1 moved to");
    t.keys(&["Tab", "Tab", "Tab", "Tab", "Tab"]);
    t.wait_for("Space tick");
    t.keys(&["Space"]);
    t.wait_for("Step ticked");
    let screen = t.wait_for("Saved");
    assert!(screen.contains("[x]"), "{screen}");
    t.keys(&["q"]);
    t.wait_exit();

    // Everything is in the file: `logbook show` ...
    let o = f.run(&["list"]);
    let id = stdout(&o).split_whitespace().next().unwrap().to_string();
    let shown = stdout(&f.run(&["show", &id]));
    for expected in [
        "Parents away until then",
        "Cyberbullying",
        "Instagram",
        "JB was sent comments",
        "JB (Y9)",
        "KL (Y9)",
        "Alleged perpetrator",
        "Screenshots of the comments",
        "PC 2231 Hale",
        "Action Fraud",
        "NFRC261123000199",
        "RV-1",
        "[x]",
    ] {
        assert!(
            shown.contains(expected),
            "`logbook show` lacks {expected:?}:\n{shown}"
        );
    }
    assert_eq!(code(&f.run(&["verify"])), 0);
    // ... and the age CLI.
    let o = Command::new("age")
        .args(["-d", "-i"])
        .arg(&f.key)
        .arg(&f.logbook)
        .output()
        .unwrap();
    assert!(o.status.success());
    let ron = String::from_utf8(o.stdout).unwrap();
    // The staff name chosen from the suggestions, not the letter typed to find it.
    assert!(
        !ron.contains("by:\"r\"") && !ron.contains("by: \"r\""),
        "{ron}"
    );
    for expected in [
        "Instagram",
        "JB (Y9)",
        "KL (Y9)",
        "Screenshots of the comments",
        "ActionFraud",
        "NFRC261123000199",
        "Done(",
    ] {
        assert!(
            ron.contains(expected),
            "the decrypted RON lacks {expected:?}"
        );
    }
}

#[test]
fn locking_hides_the_records_and_keeps_the_draft() {
    let f = Fixture::new().with_demo();
    let t = Tmux::start(&app_command(&f));
    unlock(&t);
    t.wait_for("INC-");
    t.keys(&["n"]);
    t.wait_for("Record a new incident");
    t.keys(&["Tab", "Tab", "Tab"]);
    t.text("Draft tutor");
    t.keys(&["C-l"]);
    let locked = t.wait_for("Locked");
    assert!(
        !locked.contains("INC-") && !locked.contains("Draft tutor"),
        "records show while locked:\n{locked}"
    );
    assert!(locked.contains("was filling in is kept"), "{locked}");
    // Esc with a form kept warns first instead of quitting and losing it.
    t.keys(&["Escape"]);
    t.wait_for("form you were filling in is lost");
    t.keys(&["Enter"]);
    let back = t.wait_for("Draft tutor");
    assert!(back.contains("Record a new incident"), "{back}");
    t.keys(&["Escape", "y"]);
    t.wait_for("Changes discarded");

    // Auto-lock after the idle minutes in settings (one minute here).
    t.keys(&["S"]);
    t.wait_for("Settings");
    t.keys(&["Tab", "Tab", "Tab", "BSpace", "BSpace", "BSpace"]);
    t.text("1");
    t.keys(&["C-s"]);
    t.wait_for("Settings saved");
    let start = Instant::now();
    loop {
        let screen = t.screen();
        if screen.contains("Locked") {
            assert!(!screen.contains("INC-"), "{screen}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "no auto-lock after a minute idle:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(
        start.elapsed() >= Duration::from_secs(50),
        "locked too early"
    );
    t.keys(&["Enter"]);
    t.wait_for("INC-");
    t.keys(&["q"]);
    t.wait_exit();
}

#[test]
fn terminal_escapes_in_a_description_are_shown_escaped_on_screen() {
    let f = Fixture::new();
    let demo = std::fs::read_to_string(data("demo.ron")).unwrap();
    let start = demo.find("platform: \"").unwrap() + "platform: \"".len();
    let mut hostile = demo.clone();
    hostile.insert_str(start, "\\u{1b}[2J\\u{1b}]52;c;aGk=\\u{7}\\u{202e}X");
    let file = f.dir.path().join("hostile.ron");
    std::fs::write(&file, hostile).unwrap();
    assert_eq!(code(&f.run(&["import", file.to_str().unwrap()])), 0);
    let id = "INC-2025-0001";
    let t = Tmux::start(&app_command(&f));
    unlock(&t);
    t.keys(&["4", "G", "Enter"]);
    let screen = t.wait_for(id);
    assert!(
        screen.contains("\\e[2J\\e]52;c;aGk=\\x07\\u{202e}X"),
        "{screen}"
    );
    t.keys(&["q"]);
    t.wait_exit();
    let shown = stdout(&f.run(&["show", id]));
    assert!(
        shown.contains("\\e[2J\\e]52;c;aGk=\\x07\\u{202e}X"),
        "{shown}"
    );
}

/// Starts the app in a shell that prints its exit code, sends it `signal`, and returns the
/// screen once the shell has printed the code.
fn app_killed_by(signal: &str, code: i32) -> String {
    let f = Fixture::new().with_demo();
    let t = Tmux::start(&format!(
        "{BIN} --logbook {} --identity {}; echo \"exit code $?\"; sleep 30",
        f.logbook.display(),
        f.key.display()
    ));
    unlock(&t);
    t.wait_for("INC-");
    // The pane runs a shell, and the app is its child.
    let shell = Command::new("tmux")
        .args(["display", "-p", "-t", &t.name, "#{pane_pid}"])
        .output()
        .unwrap();
    let shell = String::from_utf8_lossy(&shell.stdout).trim().to_string();
    let pid = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
    let pid = String::from_utf8_lossy(&pid.stdout)
        .lines()
        .next()
        .expect("the app is running")
        .trim()
        .to_string();
    assert!(
        Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap()
            .success()
    );
    let screen = t.wait_for(&format!("exit code {code}"));
    assert!(
        !screen.contains("1 Open"),
        "the app's screen is gone: the terminal was restored\n{screen}"
    );
    assert_eq!(common::code(&f.run(&["verify"])), 0);
    screen
}

#[test]
fn sigterm_restores_the_terminal_and_keeps_saved_work() {
    // 128 + the signal's number, as a shell expects of a process ended by a signal.
    app_killed_by("TERM", 143);
    app_killed_by("HUP", 129);
}

#[test]
fn sigint_and_sigquit_leave_the_alternate_screen() {
    // Issue 10 item 13: both left the shell in the app's alternate screen.
    app_killed_by("INT", 130);
    app_killed_by("QUIT", 131);
}

#[test]
fn back_up_in_the_app_damage_the_logbook_restore_and_find_every_entry() {
    let f = Fixture::new().with_demo();
    let before = stdout(&f.run(&["list"]));
    // A medium of its own: the app refuses the logbook's own disk, as the CLI does.
    let mount = Mount::new("16m");
    let media = mount.path.clone();
    let t = Tmux::start(&app_command(&f));
    unlock(&t);
    t.wait_for("not backed up yet");
    t.keys(&["B"]);
    t.wait_for("Back up to removable media");
    // The folder line is the last one: go there whatever media this machine has.
    t.keys(&["Down", "Down", "Down", "Down", "Down", "Down"]);
    t.text(media.to_str().unwrap());
    t.keys(&["Enter"]);
    let done = t.wait_for("Backup verified");
    assert!(done.contains("eject it before unplugging it"), "{done}");
    assert!(
        done.contains("just written"),
        "the history proof is shown: {done}"
    );
    t.keys(&["Enter"]);
    t.wait_for("backed up today");
    t.keys(&["q"]);
    t.wait_exit();

    let backup = backups_in(&media)
        .pop()
        .expect("a backup file on the medium");
    assert_eq!(code(&f.run(&["verify", backup.to_str().unwrap()])), 0);

    // Damage the live logbook, then restore it from the backup.
    let mut bytes = f.bytes();
    let at = bytes.len() / 3;
    bytes[at] ^= 0x20;
    std::fs::write(&f.logbook, &bytes).unwrap();
    assert_eq!(code(&f.run(&["verify"])), 4);
    let o = f.run(&["restore", backup.to_str().unwrap(), "--yes"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(code(&f.run(&["verify"])), 0);
    assert_eq!(stdout(&f.run(&["list"])), before, "every entry is back");
}

#[test]
fn closing_the_terminal_ends_the_app() {
    let f = Fixture::new().with_demo();
    let t = Tmux::start(&app_command(&f));
    unlock(&t);
    t.wait_for("INC-");
    let pid = Command::new("tmux")
        .args(["display", "-p", "-t", &t.name, "#{pane_pid}"])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&pid.stdout).trim().to_string();
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &t.name])
        .output();
    let start = Instant::now();
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the app went on running after its terminal closed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Issue 8 defect 1: text typed after a lock and unlock goes after the old text, and that
/// is what the file holds.
#[test]
fn text_typed_after_unlocking_is_saved_after_the_text_before() {
    let f = Fixture::new().with_demo();
    let t = Tmux::start(&app_command(&f));
    unlock(&t);
    t.wait_for("INC-");
    t.keys(&["Enter"]);
    t.wait_for("Summary");
    t.keys(&["c"]);
    let screen = t.wait_for("Outcome of the case");
    let id = screen
        .split_whitespace()
        .find(|w| w.starts_with("INC-"))
        .expect("the form names the incident")
        .to_string();
    t.text("AAA");
    t.keys(&["C-l"]);
    t.wait_for("Locked");
    t.keys(&["Enter"]);
    t.wait_for("AAA");
    t.text("BBB");
    // The demo case has unfinished work: closing asks for it to be confirmed.
    t.keys(&["C-s"]);
    t.wait_for("Work unfinished");
    t.keys(&["Tab", "Space", "C-s"]);
    t.wait_for(&format!("{id} closed"));
    t.wait_for("Saved");
    t.keys(&["q"]);
    t.wait_exit();
    let shown = stdout(&f.run(&["show", &id]));
    assert!(shown.contains("AAABBB"), "{shown}");
    assert!(!shown.contains("BBBAAA"), "{shown}");
}

/// Issue 8 defect 4: quitting straight after a change whose save fails stops and says so;
/// quitting anyway exits non-zero with the reason.
#[test]
fn quitting_after_a_failed_save_warns_and_exits_non_zero() {
    let f = Fixture::new().with_demo();
    let disk = Mount::new("4M");
    let logbook = disk.path.join("logbook.age");
    std::fs::copy(&f.logbook, &logbook).unwrap();
    let t = Tmux::start(&format!(
        "{BIN} --logbook {} --identity {} 2>/tmp/lb-quit-$$.err; echo \"exit code $?\"; cat /tmp/lb-quit-$$.err; sleep 30",
        logbook.display(),
        f.key.display()
    ));
    unlock(&t);
    t.wait_for("INC-");
    // Fill the disk, as a full stick would be.
    {
        use std::io::Write;
        let mut filler = std::fs::File::create(disk.path.join("filler")).unwrap();
        let block = vec![0u8; 64 * 1024];
        while filler.write_all(&block).is_ok() {}
        let one = [0u8; 1];
        while filler.write_all(&one).is_ok() {}
    }
    t.keys(&["S"]);
    t.wait_for("Settings");
    t.keys(&["Tab", "Tab", "Tab"]);
    t.text("9");
    t.keys(&["C-s", "q"]);
    // The q arrives while the save is on its way ("q quits anyway") or just after it failed
    // ("press q again"): the app notices a finished save within a frame.
    let screen = t.wait_for("R retries");
    assert!(
        screen.contains("1 Open"),
        "the app is still open:\n{screen}"
    );
    t.keys(&["q"]);
    let screen = t.wait_for("exit code 6");
    assert!(
        screen.contains("logbook: "),
        "the reason is printed:\n{screen}"
    );
}

/// Issue 10 finding 13: a logbook file deleted (or moved away) while the app is open is not
/// a dead end. The save says what happened, the change stays on screen, and `R` writes the
/// logbook there again, which then opens with the change in it.
#[test]
fn a_logbook_deleted_while_open_is_written_again_on_request() {
    let f = Fixture::new().with_demo();
    let t = Tmux::start(&app_command(&f));
    unlock(&t);
    t.wait_for("INC-");
    std::fs::remove_file(&f.logbook).unwrap();
    t.keys(&["S"]);
    t.wait_for("Settings");
    t.keys(&["Tab", "Tab", "Tab"]);
    t.text("9");
    t.keys(&["C-s"]);
    t.wait_for("logbook file deleted or moved");
    assert!(!f.logbook.exists(), "nothing is written without asking");
    t.keys(&["R"]);
    t.wait_for("Saved");
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let key = logbook::vault::Key::from_identity_files(
        std::slice::from_ref(&f.key),
        &mut |_| unreachable!(),
    )
    .unwrap();
    let book = logbook::vault::read(&f.logbook, &key).unwrap().0;
    assert_eq!(book.settings.idle_lock_minutes, 9);
    t.keys(&["q"]);
    t.wait_exit();
}

/// The list is shown before the audit trail is read; a trail that fails its check is
/// reported on screen, and no change can be made or saved (issue 12: open before the
/// trail is checked).
#[test]
fn a_damaged_trail_is_reported_in_the_app_and_nothing_can_be_changed() {
    assert!(
        age_cli(),
        "the reference age CLI is needed: `bash .ci/run` installs it"
    );
    let f = Fixture::new().with_demo();
    // Rewrite one audit entry's author behind the logbook's back, with the age CLI.
    let plain = Command::new("age")
        .args(["-d", "-i"])
        .arg(&f.key)
        .arg(&f.logbook)
        .output()
        .unwrap();
    assert!(plain.status.success());
    let text = String::from_utf8(plain.stdout).unwrap();
    let trail = text.find("\n  audit: [").unwrap();
    let by = trail + text[trail..].find("by: \"").unwrap() + "by: \"".len();
    let forged = format!("{}Someone else, {}", &text[..by], &text[by..]);
    let mut age = Command::new("age")
        .args(["-e", "-r", &f.public, "-o"])
        .arg(&f.logbook)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut age.stdin.take().unwrap(), forged.as_bytes()).unwrap();
    assert!(age.wait().unwrap().success());
    assert_eq!(code(&f.run(&["verify"])), 1);
    let before = f.bytes();

    let t = Tmux::start(&app_command(&f));
    unlock(&t);
    let screen = t.wait_for("HISTORY FAILED ITS CHECK");
    assert!(screen.contains("does not match its hash"), "{screen}");
    // (Esc is not a key of the list screen, so it does not close a popup there.)
    t.keys(&["Enter"]);
    t.wait_for("INC-2026-0019");
    // The records are there to read, but a new incident is refused.
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
    t.text("Written while the history was damaged.");
    t.keys(&["C-s"]);
    t.wait_for("failed its check): nothing was changed");
    t.keys(&["Escape", "y"]);
    t.wait_for("Changes discarded");
    t.keys(&["q"]);
    t.wait_exit();
    assert_eq!(f.bytes(), before, "the logbook file was changed");
}
