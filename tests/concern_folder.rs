//! The concern folder as schools set it up: staff and the DSL as different computer users
//! (a shared folder owned by the DSL, sticky `1777`), the folder's public keys kept in step
//! with the logbook's keys, and folders or key files of another logbook refused.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// Runs the binary as another computer user (root only), with its own HOME.
fn run_as(user: &str, bin: &Path, home: &Path, args: &[&str]) -> Output {
    let once = || {
        Command::new("runuser")
            .args(["-u", user, "--", "env"])
            .arg(format!("HOME={}", home.display()))
            .arg("LOGBOOK_TEST_SCRYPT_LOG_N=10")
            .arg(bin)
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("runuser runs")
    };
    // The copied binary can be briefly "busy" (ETXTBSY): another test thread forking at
    // the moment of the copy holds its write descriptor until it execs. Try again then.
    let mut o = once();
    for _ in 0..20 {
        if !String::from_utf8_lossy(&o.stderr).contains("Text file busy") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        o = once();
    }
    o
}

fn user_exists(name: &str) -> bool {
    Command::new("id")
        .arg(name)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Finding 41: a member of staff (user `nobody`) writes into the DSL's (user `daemon`)
/// sticky folder; the DSL's account must be able to read the concern, and a file it may
/// not read is left in place with the reason, never called damaged nor set aside.
#[test]
fn a_concern_written_by_another_computer_user_reaches_the_dsl() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("skipped: needs root to run as two computer users (CI runs as root)");
        return;
    }
    if !user_exists("daemon") || !user_exists("nobody") {
        eprintln!("skipped: needs the users daemon and nobody");
        return;
    }
    let base = tempfile::tempdir().unwrap();
    fs::set_permissions(base.path(), fs::Permissions::from_mode(0o755)).unwrap();
    // The test binary may sit under a folder other users cannot enter.
    let bin = base.path().join("logbook");
    fs::copy(BIN, &bin).unwrap();
    fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
    let chown = |path: &Path, user: &str| {
        let o = Command::new("chown").arg(user).arg(path).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    };
    let home = base.path().join("dsl");
    fs::create_dir(&home).unwrap();
    fs::set_permissions(&home, fs::Permissions::from_mode(0o700)).unwrap();
    chown(&home, "daemon");
    let inbox = base.path().join("inbox");
    fs::create_dir(&inbox).unwrap();
    chown(&inbox, "daemon");
    fs::set_permissions(&inbox, fs::Permissions::from_mode(0o1777)).unwrap();
    let staff_home = base.path().join("staff");
    fs::create_dir(&staff_home).unwrap();
    chown(&staff_home, "nobody");

    let key = home.join("dsl.key");
    let logbook = home.join("school.age");
    let dsl = |args: &[&str]| {
        let mut all = vec![
            "--logbook",
            logbook.to_str().unwrap(),
            "--identity",
            key.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        run_as("daemon", &bin, &home, &all)
    };
    let o = run_as(
        "daemon",
        &bin,
        &home,
        &["keygen", "--unprotected", "--out", key.to_str().unwrap()],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let public = stdout(&o).trim().to_string();
    let o = run_as(
        "daemon",
        &bin,
        &home,
        &[
            "--logbook",
            logbook.to_str().unwrap(),
            "init",
            "--recipient",
            &format!("{public}=RO"),
            "--organisation",
            "Test School",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = dsl(&["concern-setup", "--inbox", inbox.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let staff = |what: &str| {
        let o = run_as(
            "nobody",
            &bin,
            &staff_home,
            &[
                "concern",
                "--inbox",
                inbox.to_str().unwrap(),
                "--what",
                what,
                "--by",
                "Ms Nobody",
            ],
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        receipt_in(&stdout(&o))
    };
    let first = staff("AB (Y8) said an older boy keeps messaging her at night");
    let files = concern_files(&inbox);
    assert_eq!(files.len(), 1);
    let mode = fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "encrypted, so readable by the DSL's account");

    let o = dsl(&["concerns"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(&first), "{out}");
    assert!(
        !out.contains("damaged") && !out.contains("set aside"),
        "{out}"
    );

    // A file the DSL's account may not read (an older version wrote 0600, or IT's rules):
    // left for later with what to do, never set aside as damaged.
    let second = staff("CD (Y7) was sent a frightening video");
    let unreadable = concern_files(&inbox)
        .into_iter()
        .find(|p| *p != files[0])
        .unwrap();
    fs::set_permissions(&unreadable, fs::Permissions::from_mode(0o600)).unwrap();
    for _ in 0..2 {
        let o = dsl(&["concerns"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let out = stdout(&o);
        assert!(
            out.contains("cannot be read: permission denied (owned by nobody)")
                && out.contains("ask IT to let the DSL's account read files in the folder"),
            "{out}"
        );
        assert!(
            !out.contains("damaged") && !out.contains("set aside"),
            "{out}"
        );
        assert!(unreadable.exists(), "left in the folder to be read later");
    }
    assert!(!inbox.join("set-aside").exists());
    // Once IT gives access, it is read like any other.
    fs::set_permissions(&unreadable, fs::Permissions::from_mode(0o644)).unwrap();
    let o = dsl(&["concerns"]);
    assert!(stdout(&o).contains(&second), "{}", stdout(&o));

    // The DSL takes the first in: the file leaves the DSL's sticky folder.
    let o = dsl(&[
        "--by",
        "RO",
        "concerns",
        "--take",
        &first,
        "--no-further-action",
        "Already known; parent informed",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!files[0].exists());
}

/// A fixture with a concern folder set up by `concern-setup`.
fn with_folder() -> (Fixture, PathBuf) {
    let f = Fixture::new();
    let inbox = f.dir.path().join("share").join("concerns");
    fs::create_dir_all(&inbox).unwrap();
    let o = f.run(&["concern-setup", "--inbox", inbox.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    (f, inbox)
}

fn keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(name);
    let o = run(&["keygen", "--unprotected", "--out", key.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    (key, stdout(&o).trim().to_string())
}

fn folder_file(inbox: &Path) -> String {
    fs::read_to_string(inbox.join("logbook-recipients.txt")).unwrap()
}

/// Findings 27 and 37: every key change rewrites the folder's public keys (and says so), so
/// staff concerns are never written to a removed key; recovery keys are in it too; an
/// unreachable folder is named with what to run.
#[test]
fn key_changes_rewrite_the_concern_folders_public_keys() {
    let (f, inbox) = with_folder();
    let (deputy_key, deputy) = keygen(f.dir.path(), "deputy.key");
    let o = f.run(&["--by", "RO", "keys", "add", &deputy, "--name", "J. Patel"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("now holds the logbook's new public keys"),
        "{}",
        stdout(&o)
    );
    assert!(folder_file(&inbox).contains(&deputy));

    let (_, recovery) = keygen(f.dir.path(), "recovery.key");
    let o = f.run(&["--by", "RO", "recovery", "--add", &recovery]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        folder_file(&inbox).contains(&recovery),
        "recovery keys open concerns too"
    );

    // A concern written to the deputy's key alone while they were a holder.
    let o = run(&[
        "concern",
        "--inbox",
        inbox.to_str().unwrap(),
        "--to",
        &deputy,
        "--what",
        "GH (Y9) for the deputy",
        "--by",
        "A. Khan",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let for_deputy = concern_files(&inbox);

    // The deputy leaves: their key is gone from the folder at once.
    let o = f.run(&["--by", "RO", "keys", "remove", "J. Patel", "--yes"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("now holds the logbook's new public keys"),
        "{}",
        stdout(&o)
    );
    let text = folder_file(&inbox);
    assert!(
        !text.contains(&deputy) && text.contains(&f.public),
        "{text}"
    );

    // A concern written now opens with neither the leaver's key nor is it set aside.
    let o = run(&[
        "concern",
        "--inbox",
        inbox.to_str().unwrap(),
        "--what",
        "EF (Y10) was added to a group chat by adults",
        "--by",
        "A. Khan",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let receipt = receipt_in(&stdout(&o));
    let o = f.run(&["concerns"]);
    assert!(stdout(&o).contains(&receipt), "{}", stdout(&o));
    assert!(!stdout(&o).contains("Warning"), "{}", stdout(&o));
    // The one only the removed key opens: the reason names the key change, and the way back.
    assert!(
        stdout(&o).contains("written to a key this logbook no longer has"),
        "{}",
        stdout(&o)
    );
    assert!(!for_deputy[0].exists());
    let mut why = inbox
        .join("set-aside")
        .join(for_deputy[0].file_name().unwrap())
        .into_os_string();
    why.push(".why");
    let why = fs::read_to_string(why).unwrap();
    assert!(why.contains("--identity RECOVERY.key concerns"), "{why}");
    if age_cli() {
        let file = &concern_files(&inbox)[0];
        let leaver = Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&deputy_key)
            .arg(file)
            .output()
            .unwrap();
        assert!(
            !leaver.status.success(),
            "the leaver's key opens nothing new"
        );
        let safe = Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(f.dir.path().join("recovery.key"))
            .arg(file)
            .output()
            .unwrap();
        assert!(
            safe.status.success(),
            "the recovery key opens a waiting concern"
        );
    }

    // The folder is on a stick that is not plugged in: said plainly, never created.
    let moved = f.dir.path().join("stick-away");
    fs::rename(f.dir.path().join("share"), &moved).unwrap();
    let (_, other) = keygen(f.dir.path(), "s.key");
    let o = f.run(&["--by", "RO", "keys", "add", &other, "--name", "S. Khan"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("could not be updated")
            && out.contains(&format!(
                "run `logbook concern-setup --inbox {}` as soon as it is reachable",
                inbox.display()
            ))
            && out.contains("staff concerns will be written to the old keys"),
        "{out}"
    );
    assert!(!inbox.exists(), "an absent folder is not created");
}

/// Finding 34: `--to-file` another logbook's keys into a folder set up by a DSL is refused,
/// as `--to` a foreign key is; the folder's own file is accepted.
#[test]
fn a_concern_to_another_logbooks_keys_file_is_refused() {
    let (_f, inbox) = with_folder();
    let (g, other) = with_folder();
    let other_file = other.join("logbook-recipients.txt");
    let o = run(&[
        "concern",
        "--inbox",
        inbox.to_str().unwrap(),
        "--to-file",
        other_file.to_str().unwrap(),
        "--what",
        "to-file test",
        "--by",
        "Z",
    ]);
    assert_ne!(code(&o), 0, "{}", stdout(&o));
    assert!(stderr(&o).contains("nothing was sent"), "{}", stderr(&o));
    assert!(concern_files(&inbox).is_empty());
    drop(g);
    let own = inbox.join("logbook-recipients.txt");
    let o = run(&[
        "concern",
        "--inbox",
        inbox.to_str().unwrap(),
        "--to-file",
        own.to_str().unwrap(),
        "--what",
        "to-file test",
        "--by",
        "Z",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// Finding 40: `concern-setup` on a folder set up for another logbook refuses, naming its
/// organisation and how to proceed, and leaves the folder's file as it was.
#[test]
fn concern_setup_refuses_a_folder_of_another_logbook() {
    let (_f, inbox) = with_folder();
    let before = folder_file(&inbox);
    let g = Fixture::new();
    let o = g.run(&["concern-setup", "--inbox", inbox.to_str().unwrap()]);
    assert_ne!(code(&o), 0, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("another logbook (Test School") && err.contains("remove"),
        "{err}"
    );
    assert_eq!(folder_file(&inbox), before);
    // Its own folder is rewritten without a word of refusal.
    let o = _f.run(&["concern-setup", "--inbox", inbox.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// Finding 13: a concern that cannot be written (here a folder the member of staff may not
/// write to) says in staff words that it was NOT passed on, to tell the DSL in person, and
/// prints what was typed so it is not lost.
#[test]
fn a_concern_that_cannot_be_written_says_so_and_keeps_the_words() {
    let (f, inbox) = with_folder();
    let what = "ST (Y9) told me an adult on Discord said he would pick her up on Friday";
    let args = [
        "concern",
        "--inbox",
        inbox.to_str().unwrap(),
        "--what",
        what,
        "--when",
        "today, lunch",
        "--by",
        "Ms A. Khan",
    ];
    let root = rustix::process::geteuid().is_root();
    let o = if root {
        // Root writes anywhere: the member of staff is another computer user.
        if !user_exists("nobody") {
            eprintln!("skipped: needs the user nobody when run as root");
            return;
        }
        let base = tempfile::tempdir().unwrap();
        fs::set_permissions(base.path(), fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(f.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        for d in [inbox.parent().unwrap(), inbox.as_path()] {
            fs::set_permissions(d, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let bin = base.path().join("logbook");
        fs::copy(BIN, &bin).unwrap();
        fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
        run_as("nobody", &bin, base.path(), &args)
    } else {
        fs::set_permissions(&inbox, fs::Permissions::from_mode(0o555)).unwrap();
        run(&args)
    };
    fs::set_permissions(&inbox, fs::Permissions::from_mode(0o755)).unwrap();
    assert_ne!(code(&o), 0, "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Your concern was NOT passed on")
            && out.contains("Tell the DSL in person now"),
        "{out}"
    );
    assert!(
        out.contains(what) && out.contains("today, lunch") && out.contains("Ms A. Khan"),
        "{out}"
    );
    assert!(!out.contains("Your concern is with the DSL"), "{out}");
    assert!(concern_files(&inbox).is_empty());
}
