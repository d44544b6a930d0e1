//! Tester finding 43: `--logbook` naming a folder or a device was answered "opened with a
//! key file, not a passphrase" (exit 3) or "check the disk" (exit 6). Like every other file
//! the program reads, it is refused as not a regular file (exit 4), saying what to give.

mod common;

use common::*;

#[test]
fn a_folder_or_a_device_given_as_the_logbook_is_refused_as_not_a_regular_file() {
    let f = Fixture::new();
    let folder = f.dir.path().to_str().unwrap().to_string();
    for logbook in [folder.as_str(), "/dev/null"] {
        for args in [
            vec!["--logbook", logbook, "list"],
            vec![
                "--logbook",
                logbook,
                "--identity",
                f.key.to_str().unwrap(),
                "list",
            ],
            vec![
                "--logbook",
                logbook,
                "--identity",
                f.key.to_str().unwrap(),
                "verify",
            ],
        ] {
            let o = run(&args);
            assert_eq!(code(&o), 4, "{args:?}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(err.contains("is not a regular file"), "{args:?}: {err}");
            assert!(err.contains("give the path of the file itself"), "{err}");
        }
    }
}

/// The app (no command) named a folder or a device as the commands do only when started in
/// a terminal; without one it said "needs a terminal" (exit 2). It is named first, either way.
#[test]
fn the_app_given_a_folder_or_a_device_says_so_before_any_screen() {
    let f = Fixture::new();
    let folder = f.dir.path().to_str().unwrap().to_string();
    for logbook in [folder.as_str(), "/dev/null"] {
        let o = run(&["--logbook", logbook]);
        assert_eq!(code(&o), 4, "{logbook}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("is not a regular file")
                && stderr(&o).contains("give the path of the file itself"),
            "{}",
            stderr(&o)
        );
        // In a terminal: the same sentence and code, and no screen drawn.
        let t = common::tmux::Tmux::start(&format!(
            "{BIN} --logbook {logbook}; echo EXIT=$?; sleep 30"
        ));
        let screen = t.wait_for("EXIT=");
        assert!(screen.contains("EXIT=4"), "{screen}");
        assert!(screen.contains("is not a regular file"), "{screen}");
    }
}
