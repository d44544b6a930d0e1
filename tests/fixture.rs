//! Logbooks written by an earlier build must always open and verify. The fixtures were made
//! once with the released commands and are never rewritten:
//!
//! - `fixture.age`: `logbook init` then `logbook import data/demo.ron` (every incident type,
//!   agency and state);
//! - `generated.age`: `logbook demo --generate 12` (a long history of field changes).
//!
//! Both are encrypted to `fixture.key`, a test identity that protects nothing else. If a
//! `ron`, `sha2` or `chrono` upgrade, or a change to a hashed type, alters the canonical bytes,
//! these tests fail before any real logbook does. Never "fix" them by regenerating the files.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use logbook::vault::{self, Key};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A copy in a private folder, so a lock file or a mistaken save never touches the fixture.
fn copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::copy(fixture(name), &path).unwrap();
    (dir, path)
}

fn check(name: &str, incidents: usize, entries: u64, head: &str) {
    let (_dir, path) = copy(name);
    let key = Key::from_identity_files(&[fixture("fixture.key")], &mut |_| unreachable!()).unwrap();
    let (book, _) = vault::read(&path, &key).unwrap_or_else(|e| panic!("{name}: {e}"));
    book.verify_audit()
        .unwrap_or_else(|e| panic!("{name} no longer verifies: {e}"));
    assert_eq!(book.incidents.len(), incidents);
    let h = book.head();
    assert_eq!(h.len, entries, "{name}: audit length");
    assert_eq!(h.hash, head, "{name}: the pinned audit head hash changed");

    // And through the binary, as a DSL would run it.
    let o = run(&[
        "verify",
        "--logbook",
        path.to_str().unwrap(),
        "--identity",
        fixture("fixture.key").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{name}: {}", stderr(&o));
    assert!(stdout(&o).contains(head), "{}", stdout(&o));
}

#[test]
fn the_imported_demo_fixture_still_verifies_with_its_pinned_head() {
    check(
        "fixture.age",
        30,
        77,
        "4586a922c0c030335fb0e09d311bd8cf425bda4166aa133e93a2ed51290f467c",
    );
}

#[test]
fn the_generated_fixture_still_verifies_with_its_pinned_head() {
    check(
        "generated.age",
        12,
        161,
        "2ac278892c57ba7e6c0c5555b411191dc9d84d705a3d3413c66d960ec3e25ff4",
    );
}
