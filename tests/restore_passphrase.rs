//! Passphrase mode after `logbook passwd` (tester3 #20): restoring a backup made with the
//! earlier passphrase is done with the CURRENT passphrase; the backup's is asked apart (or
//! read from --backup-passphrase-file), and the restored logbook goes on opening with the
//! current passphrase only, never with the old (perhaps leaked) one.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use logbook::vault::{self, Key};

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn ok(o: &std::process::Output) -> String {
    assert_eq!(code(o), 0, "{}{}", stdout(o), stderr(o));
    stdout(o)
}

const NEW: &str = "amber tractor quill lagoon";

#[test]
fn an_older_backup_is_restored_with_the_current_passphrase_and_keeps_it() {
    let f = PassFixture::new();
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    ok(&f.run(&["backup", "--to", p(&usb), "--allow-same-disk"]));
    let old_backup = backups_in(&usb).remove(0);
    let new_pass = passphrase_file(f.dir.path(), "new", NEW);
    ok(&f.run(&["passwd", "--new-passphrase-file", p(&new_pass)]));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let current = |args: &[&str]| {
        let mut all = vec![
            "--logbook",
            f.lb(),
            "--passphrase-file",
            p(&new_pass),
            "--by",
            "RO",
        ];
        all.extend_from_slice(args);
        run(&all)
    };
    ok(&current(&["backup", "--to", p(&usb), "--allow-same-disk"]));
    let before = f.bytes();

    // The current passphrase, no terminal: it says the backup was made with an earlier
    // passphrase, when it was changed, and how to give that one.
    let o = current(&["restore", p(&old_backup), "--yes"]);
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("made with an earlier passphrase")
            && err.contains("the passphrase was changed on")
            && err.contains("--backup-passphrase-file"),
        "{err}"
    );
    assert!(
        !err.contains("Wrong passphrase or not this logbook's key"),
        "{err}"
    );
    assert_eq!(f.bytes(), before, "nothing was changed");

    // With the backup's passphrase given apart: restored, keeping the current one.
    let said = ok(&current(&[
        "restore",
        p(&old_backup),
        "--backup-passphrase-file",
        p(&f.pass),
        "--yes",
    ]));
    assert!(
        said.contains("opens with the current passphrase only"),
        "{said}"
    );
    let (book, _) = vault::read(&f.logbook, &Key::passphrase(NEW)).unwrap();
    book.verify_audit().unwrap();
    assert!(
        book.audit
            .last()
            .unwrap()
            .action
            .starts_with("restored the logbook from the backup"),
        "{:?}",
        book.audit.last()
    );
    assert_eq!(code(&current(&["verify"])), 0);
    // The old passphrase opens nothing written since.
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 3, "the old passphrase opens the restored logbook");
    // A wrong passphrase for the backup is said as such.
    let wrong = passphrase_file(f.dir.path(), "wrong", "not the one at all, sorry");
    let o = current(&[
        "restore",
        p(&old_backup),
        "--backup-passphrase-file",
        p(&wrong),
        "--yes",
    ]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("The passphrase given for the backup"),
        "{}",
        stderr(&o)
    );
}
