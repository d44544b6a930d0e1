//! Helpers shared by the integration tests: run the real binary, make keys and logbooks.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub mod tmux;

pub const BIN: &str = env!("CARGO_BIN_EXE_logbook");

pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name)
}

/// Runs `logbook` with no terminal on stdin and a low scrypt work factor (debug builds only).
pub fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("LOGBOOK_TEST_SCRYPT_LOG_N", "10")
        .stdin(Stdio::null())
        .output()
        .expect("the logbook binary runs")
}

/// The backups in a folder, oldest first: files named exactly `logbook-YYYYMMDD-HHMMSS.age`.
/// (A prefix test is not enough: the manifest and key files are named after the logbook's
/// hex id, which may begin with a digit.)
#[allow(dead_code)]
pub fn backups_in(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.strip_prefix("logbook-")
                .and_then(|r| r.strip_suffix(".age"))
                .is_some_and(|stamp| {
                    stamp.len() == 15
                        && stamp.bytes().enumerate().all(|(i, b)| {
                            if i == 8 {
                                b == b'-'
                            } else {
                                b.is_ascii_digit()
                            }
                        })
                })
        })
        .collect();
    found.sort();
    found
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// A folder with a key file and an empty key-mode logbook in it.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub key: PathBuf,
    pub public: String,
    pub logbook: PathBuf,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("dsl.key");
        let o = run(&["keygen", "--unprotected", "--out", key.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let public = stdout(&o).trim().to_string();
        let logbook = dir.path().join("logbook.age");
        let o = run(&[
            "--logbook",
            logbook.to_str().unwrap(),
            "init",
            "--recipient",
            &format!("{public}=RO"),
            "--organisation",
            "Test School",
            "--staff",
            "RO",
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        Fixture {
            dir,
            key,
            public,
            logbook,
        }
    }

    /// Runs a command against this fixture's logbook with its key.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut all = vec![
            "--logbook",
            self.logbook.to_str().unwrap(),
            "--identity",
            self.key.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        run(&all)
    }

    pub fn with_demo(self) -> Fixture {
        let o = self.run(&["import", data("demo.ron").to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        fs::read(&self.logbook).unwrap()
    }
}

/// Writes a passphrase file `dir/name` holding `passphrase` and a newline, as an editor saves it.
pub fn passphrase_file(dir: &Path, name: &str, passphrase: &str) -> PathBuf {
    let file = dir.join(name);
    fs::write(&file, format!("{passphrase}\n")).unwrap();
    file
}

/// Runs `logbook init` for a passphrase-mode logbook at `logbook`, the passphrase read from
/// `pass`, recorded by RO; `extra` adds init's own options (an organisation, staff).
pub fn init_with_passphrase(logbook: &Path, pass: &Path, extra: &[&str]) -> Output {
    let mut all = vec![
        "--logbook",
        logbook.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--by",
        "RO",
        "init",
    ];
    all.extend_from_slice(extra);
    run(&all)
}

/// A folder with a passphrase file and an empty passphrase-mode logbook (with its key file
/// `logbook.key.age` beside it), the twin of `Fixture` for passphrase mode.
pub struct PassFixture {
    pub dir: tempfile::TempDir,
    pub pass: PathBuf,
    pub logbook: PathBuf,
}

impl PassFixture {
    /// The passphrase in `pass`, strong enough for `init`.
    pub const PASSPHRASE: &'static str = "lantern orbit velvet cabbage";

    pub fn new() -> PassFixture {
        let dir = tempfile::tempdir().unwrap();
        let pass = passphrase_file(dir.path(), "pass", Self::PASSPHRASE);
        let logbook = dir.path().join("lb.age");
        let o = init_with_passphrase(&logbook, &pass, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        PassFixture { dir, pass, logbook }
    }

    /// The logbook's path, as a command-line argument.
    pub fn lb(&self) -> &str {
        self.logbook.to_str().unwrap()
    }

    /// Runs a command against this logbook with the passphrase file, recorded by RO.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut all = vec![
            "--logbook",
            self.lb(),
            "--passphrase-file",
            self.pass.to_str().unwrap(),
            "--by",
            "RO",
        ];
        all.extend_from_slice(args);
        run(&all)
    }

    pub fn bytes(&self) -> Vec<u8> {
        fs::read(&self.logbook).unwrap()
    }
}

/// Whether the reference `age` CLI is installed (`.ci/run` installs it).
pub fn age_cli() -> bool {
    Command::new("age")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A small tmpfs mounted for one test (a full, read-only or removed disk), unmounted on
/// drop. Mounting needs root, as CI has (`bash .ci/run`).
pub struct Mount {
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Mount {
    pub fn new(size: &str) -> Mount {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("medium");
        fs::create_dir(&path).unwrap();
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "these tests mount a small tmpfs and need root, as in CI (`bash .ci/run`)"
        );
        Mount { path, _dir: dir }
    }

    pub fn remount_read_only(&self) {
        assert!(
            Command::new("mount")
                .args(["-o", "remount,ro"])
                .arg(&self.path)
                .status()
                .unwrap()
                .success()
        );
    }

    /// Pulls the medium out from under a running program (lazy unmount).
    pub fn unplug(&self) {
        assert!(
            Command::new("umount")
                .arg("-l")
                .arg(&self.path)
                .status()
                .unwrap()
                .success()
        );
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg(&self.path)
            .stderr(Stdio::null())
            .status();
    }
}

/// The staff concern files in a concern folder (exact name pattern: `concern-` and 32 hex
/// digits), sorted.
pub fn concern_files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.strip_prefix("concern-")
                .and_then(|r| r.strip_suffix(".age"))
                .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .collect();
    found.sort();
    found
}

/// The receipt number (C-XXXX-XXXX) a staff concern command printed.
pub fn receipt_in(text: &str) -> String {
    let at = text.find("C-").expect("a receipt is printed");
    let r = &text[at..at + 11];
    assert!(logbook::model::is_receipt(r), "{r} in {text}");
    r.to_string()
}
