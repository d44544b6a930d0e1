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
