//! What a restore keeps of the current logbook, and what it says it brings back or drops
//! (tester3 #15, #16, #23): a key removed since the backup stays removed, the concern folder
//! set up since stays, records disposed of since and concerns taken in since are named
//! before anything is replaced.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn ok(o: &std::process::Output) -> String {
    assert_eq!(code(o), 0, "{}", stderr(o));
    stdout(o)
}

/// The one backup in `usb`.
fn only_backup(usb: &Path) -> PathBuf {
    let all = backups_in(usb);
    assert_eq!(all.len(), 1, "{all:?}");
    all[0].clone()
}

#[test]
fn a_restore_keeps_removed_keys_removed_and_the_concern_folder_and_names_what_it_drops() {
    // A logbook with three records closed in 2016 (two past their date) and a deputy.
    let f = Fixture::new();
    let old = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/old-records.ron");
    ok(&f.run(&["import", p(&old)]));
    let deputy = f.dir.path().join("deputy.key");
    let deputy_public = ok(&run(&["keygen", "--unprotected", "--out", p(&deputy)]))
        .trim()
        .to_string();
    ok(&f.run(&["keys", "add", &deputy_public, "--name", "J. Patel"]));
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    ok(&f.run(&["backup", "--to", p(&usb), "--allow-same-disk"]));
    let backup = only_backup(&usb);

    // Since the backup: the deputy left, a record was disposed of, the concern folder was
    // set up and a staff concern taken in.
    ok(&f.run(&["keys", "remove", "J. Patel", "--yes"]));
    ok(&f.run(&[
        "dispose",
        "INC-2016-0001",
        "--reason",
        "Annual review",
        "--yes",
    ]));
    let inbox = f.dir.path().join("concerns");
    fs::create_dir(&inbox).unwrap();
    ok(&f.run(&["concern-setup", "--inbox", p(&inbox)]));
    let written = ok(&run(&[
        "concern",
        "--inbox",
        p(&inbox),
        "--what",
        "ST (Y9) was sent a threat on Discord",
        "--when",
        "today",
        "--who",
        "ST Y9",
        "--where",
        "Discord",
        "--did",
        "Listened",
        "--by",
        "A. Khan",
        "--role",
        "Form tutor",
    ]));
    let at = written.find("C-").expect("a receipt is printed");
    let receipt = written[at..at + 11].to_string();
    assert!(logbook::model::is_receipt(&receipt), "{written}");
    ok(&f.run(&[
        "concerns",
        "--take",
        &receipt,
        "--no-further-action",
        "Already known",
    ]));

    let o = f.run(&["restore", p(&backup), "--yes"]);
    let said = ok(&o);
    assert!(
        said.contains(
            "Keys removed since the backup stay removed (the backup still lists them): J. Patel."
        ),
        "{said}"
    );
    assert!(said.contains("The concern folder stays"), "{said}");
    assert!(
        said.contains("restoring brings back a record disposed of since the backup: INC-2016-0001"),
        "{said}"
    );
    assert!(said.contains(&receipt), "{said}");
    assert!(said.contains("A. Khan (Form tutor)"), "{said}");

    // The deputy's key opens neither the restored logbook nor a backup made from it.
    let as_deputy = |args: &[&str]| {
        let mut all = vec!["--logbook", p(&f.logbook), "--identity", p(&deputy)];
        all.extend_from_slice(args);
        run(&all)
    };
    assert_eq!(
        code(&as_deputy(&["list"])),
        3,
        "the removed key opens the restored logbook"
    );
    assert!(!ok(&f.run(&["keys"])).contains("J. Patel"));
    // The concern folder is still looked at, and the trail says why the keys differ from
    // the backup's.
    ok(&f.run(&["concerns"]));
    ok(&f.run(&["verify"]));
    if age_cli() {
        let plain = std::process::Command::new("age")
            .args(["-d", "-i", p(&f.key), p(&f.logbook)])
            .output()
            .unwrap();
        assert!(plain.status.success());
        let text = String::from_utf8_lossy(&plain.stdout);
        assert!(
            text.contains("changed settings"),
            "no audit entry for the kept keys"
        );
    }
}
