//! `logbook demo` in a real terminal (tmux): its temporary folder holds the demo logbook
//! and the throwaway key that opens it, so it is private and goes however the app ends.

mod common;

use std::time::{Duration, Instant};

use common::tmux::Tmux;
use common::*;

/// The demo's folders in `dir`.
fn demo_folders(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("logbook-demo-")
        })
        .collect()
}

/// Tester4 #26: the demo closed by closing its window (SIGHUP) left its folder behind,
/// 0755, with the logbook and the key that opens it. Now the folder is owner-only and is
/// removed on SIGHUP and SIGTERM as on quitting.
#[test]
fn the_demo_folder_is_private_and_goes_when_the_window_is_closed() {
    let tmp = tempfile::tempdir().unwrap();
    for close in ["window", "SIGTERM"] {
        let t = Tmux::start(&format!("TMPDIR={} exec {BIN} demo", tmp.path().display()));
        t.wait_for("INC-");
        let folders = demo_folders(tmp.path());
        assert_eq!(folders.len(), 1, "{folders:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&folders[0]).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "the demo's folder is owner-only");
        }
        if close == "window" {
            drop(t);
        } else {
            let pid = std::process::Command::new("tmux")
                .args(["display", "-p", "-t", &t.name, "#{pane_pid}"])
                .output()
                .unwrap();
            let pid = String::from_utf8_lossy(&pid.stdout).trim().to_string();
            assert!(
                std::process::Command::new("kill")
                    .args(["-TERM", &pid])
                    .status()
                    .unwrap()
                    .success()
            );
            t.wait_exit();
        }
        let start = Instant::now();
        while !demo_folders(tmp.path()).is_empty() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the demo's folder was left behind on {close}: {:?}",
                demo_folders(tmp.path())
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
