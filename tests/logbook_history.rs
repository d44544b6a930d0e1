//! `logbook history` (tester3 #25): the entries about the logbook itself (keys added and
//! removed, backups, restores, settings, the concern folder, disposals) could be read only
//! with `age -d`. They are listed in order, in words, filtered by record, kind and date, in
//! a format scripts can rely on.

mod common;

use std::path::Path;

use common::*;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Lines of the output that are entries (not changes under them).
fn entries(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.starts_with('#')).collect()
}

#[test]
fn history_lists_keys_added_and_removed_by_name_and_backups_in_order() {
    let f = Fixture::new().with_demo();
    let deputy = f.dir.path().join("deputy.key");
    let o = run(&["keygen", "--unprotected", "--out", p(&deputy)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let deputy_public = stdout(&o).trim().to_string();
    let o = f.run(&["keys", "add", &deputy_public, "--name", "J. Patel"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let usb = f.dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let o = f.run(&["backup", "--to", p(&usb), "--allow-same-disk"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = f.run(&["keys", "remove", "J. Patel", "--yes"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let o = f.run(&["history"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    // In a pipe: no headings, every entry, numbered in order from #1.
    let heads = entries(&out);
    assert!(heads[0].starts_with("#1 "), "{out}");
    let numbers: Vec<u64> = heads
        .iter()
        .map(|l| l[1..].split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(numbers, (1..=numbers.len() as u64).collect::<Vec<_>>());
    assert!(!out.contains("When"), "no headings in a pipe: {out}");
    // The key added and removed, by name, and the backup between them.
    let added = out
        .find(&format!(
            "J. Patel ({deputy_public}): can now open the logbook"
        ))
        .unwrap_or_else(|| panic!("{out}"));
    let backup = out.find("verified backup written").unwrap();
    let removed = out
        .find(&format!(
            "J. Patel ({deputy_public}): can no longer open the logbook"
        ))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(added < backup && backup < removed, "{out}");

    // One kind: the two changes of keys, nothing else.
    let o = f.run(&["history", "--kind", "keys"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let heads = entries(&out);
    assert_eq!(heads.len(), 2, "{out}");
    assert!(
        heads
            .iter()
            .all(|l| l.contains("  keys  ") && l.contains("  logbook  ")),
        "{out}"
    );
    let o = f.run(&["history", "--kind", "backup", "--kind", "keys"]);
    assert_eq!(entries(&stdout(&o)).len(), 3, "{}", stdout(&o));

    // One record: an incident's entries only.
    let o = f.run(&["history", "--record", "inc-2026-0001"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!entries(&out).is_empty());
    assert!(
        entries(&out)
            .iter()
            .all(|l| l.contains("  INC-2026-0001  ")),
        "{out}"
    );
    // The logbook's own entries.
    let o = f.run(&["history", "--record", "logbook"]);
    let out = stdout(&o);
    assert!(
        out.contains("created logbook") && out.contains("verified backup"),
        "{out}"
    );
    assert!(!out.contains("INC-"), "{out}");
}

#[test]
fn history_filters_by_date_and_says_when_nothing_matches() {
    let f = Fixture::new().with_demo();
    let o = f.run(&["history", "--since", "2999-01-01"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "nothing on stdout in a pipe");
    assert!(
        stderr(&o).contains("No audit entry matches"),
        "{}",
        stderr(&o)
    );
    let o = f.run(&["history", "--until", "2000-01-01"]);
    assert_eq!(stdout(&o), "");
    // The forms the app's date fields take (tester4 #13): day first, and `yesterday`.
    let o = f.run(&["history", "--since", "01/01/2999"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let o = f.run(&["history", "--until", "1/1/2000"]);
    assert_eq!((code(&o), stdout(&o).as_str()), (0, ""), "{}", stderr(&o));
    let o = f.run(&["history", "--since", "yesterday"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = f.run(&["history", "--since", "last week"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("last week is not a date: type e.g. 30/11/2026 (day first), 2026-11-30"),
        "{}",
        stderr(&o)
    );
    let o = f.run(&["history", "--since", "31/02/2026"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("31/02/2026 is not a date that exists: check the day"),
        "{}",
        stderr(&o)
    );
    // A record no entry is about: said, with where the numbers are.
    let o = f.run(&["history", "--record", "INC-2026-9999"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("No audit entry is about INC-2026-9999"),
        "{}",
        stderr(&o)
    );
    // An unknown kind: clap lists the kinds.
    let o = f.run(&["history", "--kind", "keyz"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("concern-folder"), "{}", stderr(&o));
}

#[test]
fn history_escapes_text_and_keeps_one_line_per_change() {
    let f = Fixture::new().with_demo();
    let o = f.run(&[
        "retention",
        "--set",
        "INC-2026-0001",
        "--until",
        "2099-12-31",
        "--reason",
        "Kept for\tthe inquiry\nsecond line \u{1b}[2J\u{1b}]52;c;aGk=\u{7}",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = f.run(&["history", "--record", "INC-2026-0001"]);
    let out = stdout(&o);
    assert!(!out.contains(['\u{1b}', '\u{7}', '\t']), "{out:?}");
    assert!(
        out.contains("Kept for\\tthe inquiry\\nsecond line \\e[2J"),
        "{out}"
    );
    // Every line is an entry or one of its changes.
    for l in out.lines() {
        assert!(l.starts_with('#') || l.starts_with("        "), "{l:?}");
    }
}

#[test]
fn a_disposed_records_entries_show_as_emptied() {
    // Records closed in 2016; INC-2016-0001 is past its retention date.
    let f = Fixture::new();
    let file =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/old-records.ron");
    let o = f.run(&["import", p(&file)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let id = "INC-2016-0001";
    let o = f.run(&["history", "--record", id]);
    let before = entries(&stdout(&o)).len();
    assert!(before > 0, "{}", stdout(&o));
    let o = f.run(&[
        "dispose",
        id,
        "--reason",
        "Annual retention review",
        "--yes",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = f.run(&["history", "--record", id]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let heads = entries(&out);
    assert_eq!(heads.len(), before + 1, "{out}");
    assert!(
        heads[..before]
            .iter()
            .all(|l| l.contains("[emptied by the disposal, entry #")),
        "{out}"
    );
    assert!(heads[before].contains("  disposal  "), "{out}");
    assert!(out.contains("emptied entry #"), "{out}");
    let o = f.run(&["history", "--kind", "disposal"]);
    assert!(!entries(&stdout(&o)).is_empty(), "{}", stdout(&o));
}
