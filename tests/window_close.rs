//! The terminal window closed while a save is on its way (tester5 #1).

mod common;

use std::time::{Duration, Instant};

use common::tmux::Tmux;
use common::*;

/// Tester5 #1: closing the window (the pty goes, then SIGHUP) right after Ctrl-S on a
/// logbook large enough that the save is still being written: restoring the closed
/// terminal panicked ("Failed to restore terminal" printed to it fails with EIO), the
/// process aborted, the save thread died mid-write, the change was lost and a partial
/// `.NAME.tmp-*` was left. Now the save finishes first: the change is in the logbook and
/// no temporary file is left.
#[test]
fn closing_the_window_while_a_save_is_on_its_way_keeps_the_change() {
    let f = Fixture::new();
    let big = f.dir.path().join("big.age");
    let o = run(&[
        "demo",
        "--generate",
        "1000",
        "--out",
        big.to_str().unwrap(),
        "--recipient",
        &f.public,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lb = |args: &[&str]| {
        let mut all = vec![
            "--logbook",
            big.to_str().unwrap(),
            "--identity",
            f.key.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        run(&all)
    };

    let t = Tmux::start(&format!(
        "exec {BIN} --logbook {} --identity {}",
        big.display(),
        f.key.display()
    ));
    t.wait_for("Key file:");
    t.keys(&["Enter"]);
    let start = Instant::now();
    while !t.screen().contains("Who is recording?") {
        assert!(start.elapsed() < Duration::from_secs(90), "{}", t.screen());
        std::thread::sleep(Duration::from_millis(200));
    }
    t.keys(&["Enter"]);
    t.wait_for("recording as");
    t.keys(&["Enter"]);
    t.wait_for("Summary");
    t.keys(&["e"]);
    t.wait_for("Add evidence to");
    t.keys(&["Tab"]);
    t.text("WINCLOSE evidence words");
    t.keys(&["Tab", "Tab", "Tab", "Tab"]);
    t.text("DSL safe");
    t.wait_for("DSL safe");
    t.keys(&["C-s"]);
    // Closing the window at once: tmux closes the pty and sends SIGHUP.
    drop(t);

    let start = Instant::now();
    loop {
        let o = lb(&["history"]);
        if stdout(&o).contains("added evidence") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the change never reached the logbook: {}{}",
            stdout(&o).lines().last().unwrap_or(""),
            stderr(&o)
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let temps: Vec<_> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".big.age.tmp-"))
        .collect();
    assert!(temps.is_empty(), "left behind: {temps:?}");
    let o = lb(&["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}
