//! Tester2 #35: `logbook list` had no header, trailing spaces and unaligned Types/People
//! columns, and a filter matching nothing printed nothing at all. At a terminal it has
//! column headings and says when nothing matches; in a pipe it stays one line per incident
//! (the number first), aligned, with the sentence on stderr, so scripts keep working.

mod common;

use common::tmux::Tmux;
use common::*;

/// Where each cell of a line starts: cells are separated by two or more spaces.
fn cell_starts(line: &str) -> Vec<usize> {
    let b = line.as_bytes();
    (0..b.len())
        .filter(|&i| b[i] != b' ' && (i == 0 || (i >= 2 && &b[i - 2..i] == b"  ")))
        .collect()
}

#[test]
fn list_in_a_pipe_is_one_aligned_line_per_incident_with_no_trailing_spaces() {
    let f = Fixture::new().with_demo();
    let o = f.run(&["list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let list = stdout(&o);
    let lines: Vec<&str> = list.lines().collect();
    assert!(lines.len() >= 20, "{list}");
    for l in &lines {
        assert!(
            l.starts_with("INC-"),
            "one line per incident, no header: {l:?}"
        );
        assert_eq!(l.trim_end(), *l, "trailing spaces: {l:?}");
    }
    // Every line with all seven cells starts them at the same columns (Types and People
    // included, whatever their widths).
    let full: Vec<Vec<usize>> = lines
        .iter()
        .map(|l| cell_starts(l))
        .filter(|s| s.len() == 7)
        .collect();
    assert!(full.len() >= 20, "{list}");
    assert!(full.iter().all(|s| *s == full[0]), "not aligned:\n{list}");

    // A filter matching nothing: nothing on stdout, one sentence on stderr, exit 0.
    let o = f.run(&["list", "--status", "closed", "--overdue"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("No incidents match (status closed, review overdue)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn list_at_a_terminal_has_headings_and_says_when_nothing_matches() {
    let f = Fixture::new().with_demo();
    let lb = f.logbook.to_str().unwrap();
    let key = f.key.to_str().unwrap();
    let t = Tmux::start(&format!(
        "{BIN} --logbook {lb} --identity {key} list --status closed --overdue; echo END; sleep 30"
    ));
    let screen = t.wait_for("END");
    assert!(
        screen.contains("No incidents match (status closed, review overdue)"),
        "{screen}"
    );

    let t = Tmux::start(&format!(
        "{BIN} --logbook {lb} --identity {key} list --status monitoring; echo END; sleep 30"
    ));
    t.wait_for("END");
    // Joined: a line wider than the pane is one line again.
    let o = std::process::Command::new("tmux")
        .args(["capture-pane", "-p", "-J", "-t", &t.name])
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&o.stdout).into_owned();
    let header = screen
        .lines()
        .find(|l| l.starts_with("Incident"))
        .unwrap_or_else(|| panic!("no header:\n{screen}"));
    for heading in [
        "Reported",
        "Status",
        "Risk",
        "Next review",
        "Types",
        "People",
    ] {
        assert!(header.contains(heading), "{header}");
    }
    let row = screen.lines().find(|l| l.starts_with("INC-")).unwrap();
    // The headings stand over their columns.
    assert_eq!(header.find("Status"), row.find("Monitoring"), "{screen}");
}
