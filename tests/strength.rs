//! Issue 8 defect 2: `logbook init` and `passwd` refuse a passphrase that is easy to guess,
//! with the same rule (`logbook::strength`) as the app's set-up.

mod common;

use std::fs;

use common::*;

#[test]
fn init_and_passwd_refuse_a_guessable_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let weak = passphrase_file(dir.path(), "weak", "password1234");
    let path = dir.path().join("lb.age");
    let lb = path.to_str().unwrap();
    let o = init_with_passphrase(&path, &weak, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("too easy to guess"), "{}", stderr(&o));
    assert!(stderr(&o).contains("four or more random"), "{}", stderr(&o));
    assert!(!path.exists());

    let good = passphrase_file(dir.path(), "good", PassFixture::PASSPHRASE);
    let o = init_with_passphrase(&path, &good, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let before = fs::read(&path).unwrap();
    let o = run(&[
        "--logbook",
        lb,
        "--passphrase-file",
        good.to_str().unwrap(),
        "--by",
        "RO",
        "passwd",
        "--new-passphrase-file",
        weak.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("too easy to guess"), "{}", stderr(&o));
    assert_eq!(fs::read(&path).unwrap(), before, "nothing was changed");
}

/// Tester finding 24: "NorthfieldAcademy2026" passed for Northfield Academy, the first thing
/// anyone who knows the school would try. `init` and `passwd` count the organisation's and
/// the staff's names as guessable, and say so.
#[test]
fn init_and_passwd_refuse_a_passphrase_built_on_the_organisations_name() {
    let dir = tempfile::tempdir().unwrap();
    let named = passphrase_file(dir.path(), "named", "NorthfieldAcademy2026");
    let path = dir.path().join("lb.age");
    let lb = path.to_str().unwrap();
    let init = |pass: &std::path::Path| {
        init_with_passphrase(
            &path,
            pass,
            &[
                "--organisation",
                "Northfield Academy",
                "--staff",
                "Ruth Okafor",
            ],
        )
    };
    let o = init(&named);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("organisation's or a staff member's name"),
        "{}",
        stderr(&o)
    );
    assert!(!path.exists());

    let good = passphrase_file(dir.path(), "good", PassFixture::PASSPHRASE);
    let o = init(&good);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let before = fs::read(&path).unwrap();
    let o = run(&[
        "--logbook",
        lb,
        "--passphrase-file",
        good.to_str().unwrap(),
        "--by",
        "RO",
        "passwd",
        "--new-passphrase-file",
        named.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("organisation's or a staff member's name"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read(&path).unwrap(), before, "nothing was changed");
}
