//! The README's procedures for a stolen laptop, a deputy who leaves and a lost stick,
//! followed literally: each command is read from README.md and run through the binary by
//! `sh`, with only the placeholders the README names replaced (the stick, the safe, a
//! backup's name, a public key), `--passphrase-file` given for the passphrases a person
//! would type, and `--yes` for the typed confirmations (a restore, removing a key). Then
//! the result is checked: the old key opens nothing new, the history is what it was, the
//! logbook verifies.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use logbook::vault::{self, Key};

const PASS: &str = "violet kettle marsh oboe 1977";

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The commands of one README procedure, in order: the lines of its `sh` blocks.
fn procedure(title: &str) -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find(&format!("### {title}\n"))
        .unwrap_or_else(|| panic!("README has no section {title:?}"));
    let rest = &readme[start + 4 + title.len()..];
    let end = rest
        .find("\n## ")
        .into_iter()
        .chain(rest.find("\n### "))
        .min();
    let section = &rest[..end.unwrap_or(rest.len())];
    let mut commands = Vec::new();
    let mut inside = false;
    for line in section.lines().map(str::trim) {
        if line.starts_with("```") {
            inside = line == "```sh";
            continue;
        }
        if inside && !line.is_empty() {
            commands.push(line.to_string());
        }
    }
    assert!(!commands.is_empty(), "no commands in {title:?}");
    commands
}

/// One machine: a home folder (the logbook in its default place), a passphrase file.
struct Machine {
    home: tempfile::TempDir,
    pass: PathBuf,
}

impl Machine {
    fn new() -> Machine {
        let home = tempfile::tempdir().unwrap();
        let pass = home.path().join(".pass");
        std::fs::write(&pass, format!("{PASS}\n")).unwrap();
        Machine { home, pass }
    }

    fn logbook(&self) -> PathBuf {
        self.home.path().join(".local/share/logbook/logbook.age")
    }

    fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env("HOME", self.home.path())
            .env_remove("XDG_DATA_HOME")
            .current_dir(self.home.path());
        c
    }

    /// The program as set-up steps outside the procedure run it.
    fn logbook_cmd(&self, args: &[&str]) -> Output {
        let o = self
            .command()
            .arg("--passphrase-file")
            .arg(&self.pass)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        o
    }

    fn keygen(&self, file: &Path, name: &str, protected: bool) -> String {
        let mut args = vec!["keygen", "--out", p(file), "--name", name];
        if !protected {
            args.push("--unprotected");
        }
        stdout(&self.logbook_cmd(&args)).trim().to_string()
    }

    /// Runs one README line through `sh`, as typed, with the placeholders replaced.
    fn follow(&self, line: &str, subs: &Subs) -> Output {
        let mut cmd = line.to_string();
        for (from, to) in &subs.fixed {
            cmd = cmd.replace(from, to);
        }
        if let Some(newest) = backups_in(&subs.stick).pop() {
            cmd = cmd.replace(
                "logbook-YYYYMMDD-HHMMSS.age",
                newest.file_name().unwrap().to_str().unwrap(),
            );
        }
        if let Some(key) = &subs.public_key {
            cmd = cmd.replace("age1...", key);
        }
        // What a person types at the prompts: the passphrase, and `yes` to the restore.
        let cmd = cmd.replacen(
            "logbook ",
            &format!("logbook --passphrase-file {} ", p(&self.pass)),
            1,
        );
        // `yes` to the restore and to removing a key, which both ask first.
        let cmd = if cmd.contains(" restore ") || cmd.contains(" keys remove ") {
            format!("{cmd} --yes")
        } else {
            cmd
        };
        let bin_dir = Path::new(BIN).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let o = Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .env("HOME", self.home.path())
            .env("PATH", path)
            .env_remove("XDG_DATA_HOME")
            .current_dir(self.home.path())
            .output()
            .unwrap();
        assert_eq!(
            code(&o),
            0,
            "README step failed: {line}\nran: {cmd}\n{}{}",
            stdout(&o),
            stderr(&o)
        );
        o
    }

    fn follow_all(&self, title: &str, subs: &mut Subs) {
        for line in procedure(title) {
            let o = self.follow(&line, subs);
            // A key made in the procedure is the one a later step adds.
            if line.contains(" keygen ") && subs.public_key.is_none() {
                subs.public_key = Some(stdout(&o).trim().to_string());
            }
        }
    }
}

struct Subs {
    fixed: Vec<(&'static str, String)>,
    stick: PathBuf,
    public_key: Option<String>,
}

fn subs(stick: &Path, safe: &Path, public_key: Option<String>) -> Subs {
    Subs {
        fixed: vec![
            ("/media/dsl/STICK", p(stick).to_string()),
            ("/media/dsl/SAFE", p(safe).to_string()),
        ],
        stick: stick.to_path_buf(),
        public_key,
    }
}

/// Opens with `keys` (protected ones with the test passphrase); the exit code of
/// `verify FILE` with them.
fn verify_code(machine: &Machine, file: &Path, keys: &[&Path]) -> i32 {
    let mut c = machine.command();
    c.arg("--passphrase-file").arg(&machine.pass);
    for k in keys {
        c.arg("--identity").arg(k);
    }
    code(&c.arg("verify").arg(file).output().unwrap())
}

fn trail(file: &Path, key: &Path) -> logbook::model::Trail {
    let key = Key::from_identity_files(&[key.to_path_buf()], &mut |_| {
        Ok(zeroize::Zeroizing::new(PASS.to_string()))
    })
    .unwrap();
    vault::read(file, &key).unwrap().0.audit.clone()
}

/// A school's logbook with the demo records: the DSL's protected key, a deputy's key and a
/// recovery key in the safe, and one backup on the stick.
struct School {
    machine: Machine,
    dsl: PathBuf,
    dsl_public: String,
    deputy: PathBuf,
    safe: tempfile::TempDir,
    recovery: PathBuf,
}

/// `protected`: the DSL's key file has a passphrase (each opening then costs a key
/// derivation, so only the procedure that needs it pays for it).
fn school(stick: &Path, protected: bool) -> School {
    let machine = Machine::new();
    let dsl = machine.home.path().join("dsl.key");
    let dsl_public = machine.keygen(&dsl, "R. Okafor", protected);
    let deputy = machine.home.path().join("deputy-old.key");
    let deputy_public = machine.keygen(&deputy, "J. Patel", false);
    let safe = tempfile::tempdir().unwrap();
    let recovery = safe.path().join("recovery.key");
    let recovery_public = machine.keygen(&recovery, "Chair of trustees", false);
    machine.logbook_cmd(&[
        "--by",
        "R. Okafor",
        "init",
        "--organisation",
        "Northfield Primary",
        "--recipient",
        &format!("{dsl_public}=R. Okafor"),
        "--recipient",
        &format!("{deputy_public}=J. Patel"),
        "--recovery-recipient",
        &format!("{recovery_public}=Chair of trustees"),
    ]);
    machine.logbook_cmd(&["--identity", p(&dsl), "import", p(&data("demo.ron"))]);
    machine.logbook_cmd(&["--identity", p(&dsl), "backup", "--to", p(stick)]);
    // Backups are named to the second; a person takes longer than that to the next one.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    School {
        machine,
        dsl,
        dsl_public,
        deputy,
        safe,
        recovery,
    }
}

#[test]
fn a_stolen_laptop_procedure_run_literally() {
    let stick = Mount::new("16M");
    let old = school(&stick.path, true);
    let restored_backup = backups_in(&stick.path).pop().unwrap();
    let history = trail(&restored_backup, &old.recovery);

    // A new machine: nothing of the old one but the stick and the safe.
    let new = Machine::new();
    let mut s = subs(&stick.path, old.safe.path(), Some(old.dsl_public.clone()));
    new.follow_all("A laptop is stolen", &mut s);

    let logbook = new.logbook();
    let new_key = new.home.path().join("dsl.key");
    assert_eq!(verify_code(&new, &logbook, &[&new_key]), 0);
    // The history is exactly what it was, then the restore and the re-keying.
    let now = trail(&logbook, &new_key);
    assert!(
        now[..history.len()] == history[..],
        "the restored trail begins with the backup's, unchanged"
    );
    assert!(
        now[history.len()..]
            .iter()
            .any(|e| e.action.contains("restored the logbook") && e.by == "Chair of trustees"),
        "the restore is on the record, by the recovery key's holder"
    );
    // The stolen key opens nothing new: not the logbook, not the backup now on the stick.
    assert_eq!(verify_code(&new, &logbook, &[&old.dsl]), 3);
    let backups = backups_in(&stick.path);
    assert_eq!(backups.len(), 1, "only the new backup is kept");
    assert_ne!(backups[0], restored_backup);
    assert_eq!(verify_code(&new, &backups[0], &[&old.dsl]), 3);
    assert_eq!(verify_code(&new, &backups[0], &[&new_key]), 0);
    // The recovery key opens the new backup, not the logbook; the deputy's key still works.
    assert_eq!(verify_code(&new, &backups[0], &[&old.recovery]), 0);
    assert_eq!(verify_code(&new, &logbook, &[&old.recovery]), 3);
    assert_eq!(verify_code(&new, &logbook, &[&old.deputy]), 0);
}

#[test]
fn a_deputy_leaves_procedure_run_literally() {
    let stick = Mount::new("16M");
    let school = school(&stick.path, false);
    let m = &school.machine;
    let history = trail(&m.logbook(), &school.dsl);
    let older = backups_in(&stick.path).pop().unwrap();
    let mut s = subs(&stick.path, school.safe.path(), None);
    m.follow_all("A deputy leaves", &mut s);

    let logbook = m.logbook();
    assert_eq!(verify_code(m, &logbook, &[&school.dsl]), 0);
    assert!(
        trail(&logbook, &school.dsl)[..history.len()] == history[..],
        "the history is unchanged"
    );
    // The leaver's key opens neither the logbook nor the backup kept.
    assert_eq!(verify_code(m, &logbook, &[&school.deputy]), 3);
    let backups = backups_in(&stick.path);
    assert_eq!(backups.len(), 1);
    assert_ne!(backups[0], older);
    assert_eq!(verify_code(m, &backups[0], &[&school.deputy]), 3);
    // The new deputy's key opens it, and records as the new deputy.
    let new_deputy = m.home.path().join("deputy.key");
    assert_eq!(verify_code(m, &logbook, &[&new_deputy]), 0);
    let keys = stdout(&m.logbook_cmd(&["--identity", p(&school.dsl), "keys"]));
    assert!(
        keys.contains("S. Khan") && !keys.contains("J. Patel"),
        "{keys}"
    );
}

#[test]
fn a_lost_stick_procedure_run_literally() {
    let lost = Mount::new("16M");
    let school = school(&lost.path, false);
    let m = &school.machine;
    let lost_backup = backups_in(&lost.path).pop().unwrap();
    let another = Mount::new("16M");
    let mut s = subs(&another.path, school.safe.path(), None);
    m.follow_all("A backup stick is lost", &mut s);

    let backups = backups_in(&another.path);
    assert_eq!(backups.len(), 1);
    let o = m.logbook_cmd(&[
        "--identity",
        p(&school.dsl),
        "verify",
        "--against",
        p(&backups[0]),
    ]);
    assert!(stdout(&o).contains("unchanged"), "{}", stdout(&o));
    // The lost stick's backup opens only with the keys it was made for.
    let stranger = m.home.path().join("stranger.key");
    m.keygen(&stranger, "Someone", false);
    assert_eq!(verify_code(m, &lost_backup, &[&stranger]), 3);
    assert_eq!(verify_code(m, &lost_backup, &[&school.recovery]), 0);
}
