//! The smaller key and backup findings of tester3 #28 and #32, each through the binary: a
//! link named like a backup, a full medium in passphrase mode, the manifest given to
//! `verify`, dates with a recovery key alone, a count for backups the keys do not open, a
//! world-readable key file, the logbook given as its own key, a blank organisation, and
//! `keygen` asking again for a weak passphrase.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::tmux::Tmux;
use common::*;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn ok(o: &std::process::Output) -> String {
    assert_eq!(code(o), 0, "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn next_second() {
    let now = chrono::Local::now().timestamp();
    while chrono::Local::now().timestamp() == now {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_link_named_like_a_backup_is_said_to_be_a_link_and_left_alone() {
    let f = Fixture::new();
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    ok(&f.run(&["backup", "--to", p(&usb), "--allow-same-disk"]));
    let link = usb.join("logbook-20200101-000000.age");
    std::os::unix::fs::symlink(&f.logbook, &link).unwrap();
    let listed = ok(&f.run(&["backups", p(&usb)]));
    let row = listed
        .lines()
        .find(|l| l.contains("logbook-20200101-000000.age"))
        .unwrap();
    assert!(
        row.contains("symbolic link") && !row.contains("verified"),
        "{listed}"
    );
    next_second();
    let said = ok(&f.run(&[
        "backup",
        "--to",
        p(&usb),
        "--allow-same-disk",
        "--keep",
        "1",
    ]));
    assert!(said.contains("symbolic link"), "{said}");
    assert!(fs::symlink_metadata(&link).is_ok(), "the link is left");
    assert!(f.logbook.exists());
}

#[test]
fn a_full_medium_in_passphrase_mode_leaves_no_key_file_copy_behind() {
    let f = PassFixture::new();
    let usb = Mount::new("64k");
    ok(&f.run(&["backup", "--to", p(&usb.path)]));
    ok(&f.run(&["import", p(&data("demo.ron"))]));
    // A new passphrase makes a new key, whose key file the next backup copies first.
    let new = passphrase_file(f.dir.path(), "new", "amber tractor quill lagoon");
    ok(&f.run(&["passwd", "--new-passphrase-file", p(&new)]));
    let medium = files(&usb.path);
    next_second();
    let o = run(&[
        "--logbook",
        f.lb(),
        "--passphrase-file",
        p(&new),
        "--by",
        "RO",
        "backup",
        "--to",
        p(&usb.path),
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert_eq!(files(&usb.path), medium, "the medium is as it was");
}

#[test]
fn the_manifest_given_to_verify_is_named_as_the_manifest() {
    let f = Fixture::new();
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    ok(&f.run(&["backup", "--to", p(&usb), "--allow-same-disk"]));
    let manifest = fs::read_dir(&usb)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("-manifest.age"))
        .unwrap();
    let o = f.run(&["verify", p(&manifest)]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is the manifest of the backups beside it"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_recovery_key_alone_lists_the_backups_with_their_dates() {
    let f = Fixture::new();
    let recovery = f.dir.path().join("recovery.key");
    let public = ok(&run(&["keygen", "--unprotected", "--out", p(&recovery)]))
        .trim()
        .to_string();
    ok(&f.run(&["recovery", "--add", &public, "--name", "Chair"]));
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    ok(&f.run(&["backup", "--to", p(&usb), "--allow-same-disk"]));
    let listed = ok(&run(&["--identity", p(&recovery), "backups", p(&usb)]));
    let year = chrono::Local::now().format("%Y-").to_string();
    let row = listed.lines().find(|l| l.contains("verified")).unwrap();
    assert!(row.contains(&year), "no date: {listed}");
}

#[test]
fn backups_the_keys_do_not_open_are_counted_in_one_line() {
    let f = Fixture::new();
    let other = Fixture::new();
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    for _ in 0..3 {
        ok(&other.run(&["backup", "--to", p(&usb), "--allow-same-disk"]));
        next_second();
    }
    let said = ok(&f.run(&["backup", "--to", p(&usb), "--allow-same-disk"]));
    assert!(
        said.contains("Left 3 backups untouched that the keys given do not open"),
        "{said}"
    );
    assert!(!said.contains("Left logbook-"), "{said}");
}

#[test]
fn key_files_and_init_mistakes_are_said() {
    let f = Fixture::new();
    // A key file with no passphrase that others can read: a warning, with the fix.
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&f.key, fs::Permissions::from_mode(0o644)).unwrap();
    let o = f.run(&["keys"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("other users of this computer can read it")
            && stderr(&o).contains("chmod 600"),
        "{}",
        stderr(&o)
    );
    fs::set_permissions(&f.key, fs::Permissions::from_mode(0o600)).unwrap();
    assert!(!stderr(&f.run(&["keys"])).contains("Warning"));
    // The logbook given as its own key.
    let o = run(&[
        "--logbook",
        p(&f.logbook),
        "--identity",
        p(&f.logbook),
        "keys",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is the logbook itself, not a key file"),
        "{}",
        stderr(&o)
    );
    // A blank organisation.
    let lb = f.dir.path().join("blank.age");
    let o = run(&[
        "--logbook",
        p(&lb),
        "--by",
        "A",
        "init",
        "--organisation",
        "   ",
        "--recipient",
        &format!("{}=A", f.public),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("organisation"), "{}", stderr(&o));
    assert!(!lb.exists());
}

/// On a terminal, `keygen` asks again after a weak passphrase instead of ending.
#[test]
fn keygen_asks_again_after_a_weak_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dsl.key");
    let t = Tmux::start(&format!(
        "env LOGBOOK_TEST_SCRYPT_LOG_N=10 {BIN} keygen --out {} --name 'R. Okafor'; sleep 30",
        out.display()
    ));
    t.wait_for("New passphrase:");
    t.text("password");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Type another.");
    assert!(!screen.contains("Nothing was changed"), "{screen}");
    t.text("pebble lantern orchard violin");
    t.keys(&["Enter"]);
    t.wait_for("Repeat the passphrase:");
    t.text("pebble lantern orchard violin");
    t.keys(&["Enter"]);
    t.wait_for("age1");
    assert!(out.exists());
}
