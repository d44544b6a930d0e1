//! Interoperability with the reference `age` CLI: the logbook is a standard age file that
//! `age -d` opens, and files made by `age -r` and `age -p` open in `logbook verify`.

mod common;

use std::fs;
use std::process::Command;

use common::*;

fn require_age() {
    assert!(
        age_cli(),
        "the reference age CLI is needed: `bash .ci/run` installs it (apt-get install age)"
    );
}

#[test]
fn a_key_mode_logbook_decrypts_with_the_age_cli_to_ron_naming_the_incidents() {
    require_age();
    let f = Fixture::new().with_demo();
    let o = Command::new("age")
        .args(["-d", "-i"])
        .arg(&f.key)
        .arg(&f.logbook)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ron = String::from_utf8(o.stdout).unwrap();
    assert!(
        ron.trim_start().starts_with('(') && ron.contains("format: 1"),
        "{}",
        &ron[..200.min(ron.len())]
    );
    let list = stdout(&f.run(&["list"]));
    for id in list.lines().filter_map(|l| l.split_whitespace().next()) {
        assert!(
            ron.contains(&format!("id: \"{id}\"")),
            "{id} is not in the decrypted RON"
        );
    }
}

#[test]
fn ron_encrypted_by_age_r_opens_in_verify() {
    require_age();
    let f = Fixture::new().with_demo();
    let plain = Command::new("age")
        .args(["-d", "-i"])
        .arg(&f.key)
        .arg(&f.logbook)
        .output()
        .unwrap()
        .stdout;
    let ron = f.dir.path().join("plain.ron");
    fs::write(&ron, plain).unwrap();
    let out = f.dir.path().join("by-age.age");
    let ok = Command::new("age")
        .args(["-r", &f.public, "-o"])
        .arg(&out)
        .arg(&ron)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let o = run(&[
        "--identity",
        f.key.to_str().unwrap(),
        "verify",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("is sound"));
}

/// `age -p` reads its passphrase from the terminal only, so it runs in tmux.
#[test]
fn ron_encrypted_by_age_p_opens_in_verify_with_the_passphrase() {
    require_age();
    let f = Fixture::new().with_demo();
    let plain = Command::new("age")
        .args(["-d", "-i"])
        .arg(&f.key)
        .arg(&f.logbook)
        .output()
        .unwrap()
        .stdout;
    let ron = f.dir.path().join("plain.ron");
    fs::write(&ron, plain).unwrap();
    let out = f.dir.path().join("by-age-p.age");
    let session = format!("agep{}", std::process::id());
    let cmd = format!("age -p -o {} {}", out.display(), ron.display());
    let tmux = |args: &[&str]| Command::new("tmux").args(args).status().unwrap().success();
    assert!(
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "100",
            "-y",
            "30",
            &cmd
        ]),
        "tmux is needed (.ci/run installs it)"
    );
    for _ in 0..2 {
        std::thread::sleep(std::time::Duration::from_millis(700));
        tmux(&[
            "send-keys",
            "-t",
            &session,
            "a long test passphrase",
            "Enter",
        ]);
    }
    for _ in 0..100 {
        if out.exists()
            && fs::metadata(&out).unwrap().len() > 0
            && !tmux(&["has-session", "-t", &session])
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    tmux(&["kill-session", "-t", &session]);
    let pass = f.dir.path().join("pass");
    fs::write(&pass, "a long test passphrase\n").unwrap();
    let o = run(&[
        "--passphrase-file",
        pass.to_str().unwrap(),
        "verify",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}
