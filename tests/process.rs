//! The running program keeps its memory to itself: no core file, not dumpable. Checked
//! from outside on a real running `logbook` (the demo app in tmux).

use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_logbook");

fn pane_pid(session: &str) -> u32 {
    let o = Command::new("tmux")
        .args(["display-message", "-p", "-t", session, "#{pane_pid}"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).trim().parse().unwrap()
}

struct Session(String);

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .status();
    }
}

#[test]
fn a_running_logbook_is_not_dumpable_and_writes_no_core() {
    use std::os::unix::fs::MetadataExt as _;
    let session = Session(format!("lbproc{}", std::process::id()));
    // As root (CI), run it as another user: /proc/PID is then owned by that user while the
    // process is dumpable, and by root once it is not.
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    let command = if root {
        format!("setpriv --reuid=65534 --regid=65534 --clear-groups {BIN} demo")
    } else {
        format!("{BIN} demo")
    };
    assert!(
        Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session.0,
                "-x",
                "100",
                "-y",
                "30"
            ])
            .arg(&command)
            .status()
            .expect("tmux is needed: `bash .ci/run` installs it")
            .success()
    );
    let pid = pane_pid(&session.0);
    let started = Instant::now();
    // Wait until the pane's process is logbook itself (setpriv has exec'd it).
    loop {
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
        if exe.is_some_and(|e| e.to_string_lossy().ends_with("logbook")) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "logbook did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
    if root {
        let owner = std::fs::metadata(format!("/proc/{pid}/status"))
            .unwrap()
            .uid();
        assert_eq!(
            owner, 0,
            "the process is dumpable: /proc/{pid} belongs to its user"
        );
    }
}
