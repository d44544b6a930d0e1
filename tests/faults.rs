//! Disk faults during a save: a full disk and a read-only disk, on real small tmpfs mounts
//! (CI runs as root). Each must fail with one clear sentence, exit 6, and leave the
//! logbook byte-for-byte as it was, with no temporary file behind.

mod common;

use std::fs;
use std::path::Path;

use common::*;

fn only_the_logbook_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_full_disk_during_save_changes_nothing() {
    let f = Fixture::new();
    // Room for the empty logbook, not for the demo imported into it.
    let mount = Mount::new("40k");
    let path = mount.path.join("logbook.age");
    fs::copy(&f.logbook, &path).unwrap();
    let before = fs::read(&path).unwrap();
    let o = run(&[
        "--logbook",
        path.to_str().unwrap(),
        "--identity",
        f.key.to_str().unwrap(),
        "import",
        data("demo.ron").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert!(stderr(&o).contains("disk is full"), "{}", stderr(&o));
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(
        only_the_logbook_files(&mount.path),
        ["logbook.age", "logbook.age.lock"]
    );
    let o = run(&[
        "--logbook",
        path.to_str().unwrap(),
        "--identity",
        f.key.to_str().unwrap(),
        "verify",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn a_read_only_disk_during_save_changes_nothing() {
    let f = Fixture::new();
    let mount = Mount::new("4m");
    let path = mount.path.join("logbook.age");
    fs::copy(&f.logbook, &path).unwrap();
    fs::write(mount.path.join("logbook.age.lock"), b"").unwrap();
    let before = fs::read(&path).unwrap();
    mount.remount_read_only();
    let o = run(&[
        "--logbook",
        path.to_str().unwrap(),
        "--identity",
        f.key.to_str().unwrap(),
        "import",
        data("demo.ron").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1);
    assert_eq!(fs::read(&path).unwrap(), before);
    // Reading still works on a read-only disk.
    let o = run(&[
        "--logbook",
        path.to_str().unwrap(),
        "--identity",
        f.key.to_str().unwrap(),
        "verify",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn init_in_a_read_only_folder_says_so() {
    let f = Fixture::new();
    let mount = Mount::new("1m");
    mount.remount_read_only();
    let path = mount.path.join("logbook.age");
    let o = run(&[
        "--logbook",
        path.to_str().unwrap(),
        "init",
        "--recipient",
        &format!("{}=RO", f.public),
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
}
