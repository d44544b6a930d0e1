//! No plaintext on disk: after init, import, a save and the demo, neither the logbook's
//! folder nor the temporary folder holds a marker string from the imported records.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::*;

const MARKER: &str = "ZEBRA-MARKER-7731";

fn files_containing(dir: &Path, needle: &[u8], found: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_containing(&path, needle, found);
        } else if let Ok(bytes) = fs::read(&path)
            && bytes.windows(needle.len()).any(|w| w == needle)
        {
            found.push(path.display().to_string());
        }
    }
}

#[test]
fn no_record_text_ever_reaches_the_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("tmp");
    fs::create_dir(&home).unwrap();
    let f = Fixture::new();
    let demo = fs::read_to_string(data("demo.ron")).unwrap();
    let marked = demo.replacen("description: \"", &format!("description: \"{MARKER} "), 1);
    // The plaintext import file is the user's own; it lives outside the folders searched.
    let source = tempfile::NamedTempFile::new().unwrap();
    fs::write(source.path(), marked).unwrap();

    let with_tmp = |args: &[&str]| {
        let mut all = vec![
            "--logbook",
            f.logbook.to_str().unwrap(),
            "--identity",
            f.key.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        Command::new(BIN)
            .args(&all)
            .env("TMPDIR", &home)
            .output()
            .unwrap()
    };
    assert!(
        with_tmp(&["import", source.path().to_str().unwrap()])
            .status
            .success()
    );
    assert!(
        with_tmp(&["passwd", "--recipient", &f.public])
            .status
            .success()
    );
    let shown = with_tmp(&["list"]);
    assert!(shown.status.success());
    assert!(
        Command::new(BIN)
            .arg("demo")
            .env("TMPDIR", &home)
            .output()
            .unwrap()
            .status
            .success()
    );

    let mut found = Vec::new();
    files_containing(f.dir.path(), MARKER.as_bytes(), &mut found);
    files_containing(&home, MARKER.as_bytes(), &mut found);
    assert!(found.is_empty(), "plaintext found in {found:?}");
    // The marker is really in the logbook, so the search could have found it.
    let o = f.run(&["list"]);
    let id = stdout(&o).split_whitespace().next().unwrap().to_string();
    assert!(stdout(&f.run(&["show", &id])).contains(MARKER));
}
