//! A damaged audit trail is reported before anything is written (issue 12: the trail may
//! be checked after the records are shown, never after a write).

mod common;

use std::process::{Command, Stdio};

use common::*;

/// Rewrites the logbook's plaintext behind its back with the reference `age` CLI.
fn tamper(f: &Fixture, edit: impl FnOnce(String) -> String) {
    assert!(
        age_cli(),
        "the reference age CLI is needed: `bash .ci/run` installs it"
    );
    let plain = Command::new("age")
        .args(["-d", "-i"])
        .arg(&f.key)
        .arg(&f.logbook)
        .output()
        .unwrap();
    assert!(plain.status.success());
    let edited = edit(String::from_utf8(plain.stdout).unwrap());
    let mut age = Command::new("age")
        .args(["-e", "-r", &f.public, "-o"])
        .arg(&f.logbook)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut age.stdin.take().unwrap(), edited.as_bytes()).unwrap();
    assert!(age.wait().unwrap().success());
}

#[test]
fn a_command_that_writes_refuses_a_logbook_edited_outside_its_trail() {
    let f = Fixture::new();
    tamper(&f, |text| {
        text.replacen("\"Test School\"", "\"Another School\"", 1)
    });
    let before = f.bytes();
    let o = f.run(&["import", data("demo.ron").to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("The audit trail is broken"),
        "{}",
        stderr(&o)
    );
    assert_eq!(f.bytes(), before, "the logbook was written");
    // Reading is still possible: the list needs no trail.
    assert_eq!(code(&f.run(&["list"])), 0);
}

/// Tester2 #35: `verify` said the trail was broken but not what to do; it now says it as the
/// app's pop-up does (one sentence, built in one place).
#[test]
fn verify_of_a_broken_trail_says_to_restore_the_latest_sound_backup() {
    let f = Fixture::new().with_demo();
    tamper(&f, |text| {
        text.replacen("platform: \"Snapchat\"", "platform: \"Instagram\"", 1)
    });
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("The audit trail is broken: INC-"), "{err}");
    assert!(
        err.contains("restore the latest sound backup with `logbook restore`"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "one sentence: {err}");
}
