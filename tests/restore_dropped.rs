//! Backups that hold history an audited restore dropped (tester3 #10): named as such, not
//! as a rewrite, and removable by `backup --keep N` once the person says yes (--yes), so
//! "A deputy leaves" leaves no backup the leaver's key opens.

mod common;

use std::fs;
use std::path::Path;

use common::*;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn ok(o: &std::process::Output) -> String {
    assert_eq!(code(o), 0, "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn second() {
    // Backups are named to the second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
}

#[test]
fn backups_dropped_by_a_restore_are_named_and_removed_only_with_a_yes() {
    let f = Fixture::new();
    let deputy = f.dir.path().join("deputy.key");
    let deputy_public = ok(&run(&["keygen", "--unprotected", "--out", p(&deputy)]))
        .trim()
        .to_string();
    ok(&f.run(&["keys", "add", &deputy_public, "--name", "J. Patel"]));
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    let backup = || ok(&f.run(&["backup", "--to", p(&usb), "--allow-same-disk"]));
    backup();
    let older = backups_in(&usb).remove(0);
    second();
    ok(&f.run(&["import", p(&data("demo.ron"))]));
    backup();
    let dropped = backups_in(&usb).pop().unwrap();
    second();
    // A normal, audited restore of the older backup: the newer one now holds history the
    // restore dropped.
    ok(&f.run(&["restore", p(&older), "--yes"]));
    second();

    let listed = ok(&f.run(&["backups", p(&usb)]));
    assert!(
        listed.contains("that the restore of")
            && listed.contains("restored the logbook from the backup"),
        "{listed}"
    );
    assert!(!listed.contains("NOT extended"), "{listed}");
    let o = f.run(&["verify", "--against", p(&dropped)]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("nothing was rewritten"),
        "{}",
        stderr(&o)
    );

    // "A deputy leaves": remove the key, back up keeping one. Without --yes (and no
    // terminal) the dropped backup is named and kept, with how to remove it.
    ok(&f.run(&["keys", "remove", "J. Patel", "--yes"]));
    let name = dropped.file_name().unwrap().to_str().unwrap();
    let said_keep = ok(&f.run(&[
        "backup",
        "--to",
        p(&usb),
        "--allow-same-disk",
        "--keep",
        "1",
    ]));
    assert!(
        said_keep.contains(&format!("Kept {name}")) && said_keep.contains("--yes"),
        "{said_keep}"
    );
    assert!(
        !said_keep.contains("evidence of a change to history"),
        "{said_keep}"
    );
    assert!(dropped.exists());
    second();
    let said = ok(&f.run(&[
        "backup",
        "--to",
        p(&usb),
        "--allow-same-disk",
        "--keep",
        "1",
        "--yes",
    ]));
    assert!(
        said.contains(&format!(
            "Removed 1 older backup that held history the restore dropped: {name}"
        )),
        "{said}"
    );
    assert!(!dropped.exists());
    // What is left on the stick: the newest backup only, which the leaver's key cannot open.
    let left = backups_in(&usb);
    assert_eq!(left.len(), 1, "{left:?}");
    let o = run(&["--identity", p(&deputy), "verify", p(&left[0])]);
    assert_ne!(code(&o), 0, "the leaver's key opens the backup left");
}
