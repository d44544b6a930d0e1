//! Keys and passphrases: passphrase mode's key file (one KDF per unlock, none per save),
//! migrating old passphrase logbooks, `passwd`, protected key files, several `--identity`,
//! holders and `logbook keys`.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use common::*;
use logbook::vault::{self, Access, Key, Vault};

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A passphrase logbook made with `init` (low work factor), and its passphrase file.
struct Pass {
    dir: tempfile::TempDir,
    logbook: std::path::PathBuf,
    pass: std::path::PathBuf,
}

impl Pass {
    fn new() -> Pass {
        let dir = tempfile::tempdir().unwrap();
        let pass = dir.path().join("pass");
        fs::write(&pass, "correct horse battery staple\n").unwrap();
        let logbook = dir.path().join("logbook.age");
        // As `init` makes one, but with a key file that is cheap to open (see
        // `cheap_key_file`): `cargo test --release` ignores LOGBOOK_TEST_SCRYPT_LOG_N.
        let id = age::x25519::Identity::generate();
        let public = id.to_public().to_string();
        cheap_key_file(&dir.path().join("logbook.key.age"), &id, PASSPHRASE);
        let mut settings = logbook::model::Settings::new("Test School", vec!["RO".into()]);
        settings.recipients = vec![public.clone()];
        settings.passphrase_key = public.clone();
        settings.holders.push(logbook::model::Holder {
            key: public,
            name: "RO".into(),
        });
        let book = logbook::model::Logbook::create(
            &logbook::model::Stamp::new("RO", chrono::Local::now().fixed_offset()),
            settings,
        )
        .unwrap();
        drop(Vault::create(&logbook, &book, None).unwrap());
        Pass { dir, logbook, pass }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec![
            "--logbook",
            p(&self.logbook),
            "--passphrase-file",
            p(&self.pass),
            "--by",
            "RO",
        ];
        all.extend_from_slice(args);
        run(&all)
    }

    fn key_file(&self) -> std::path::PathBuf {
        self.dir.path().join("logbook.key.age")
    }
}

const PASSPHRASE: &str = "correct horse battery staple";

/// Writes `identity` as a key file sealed with `pass` at a low scrypt work factor. Opening
/// costs what the file's own work factor says, so reading it stays quick even in release
/// builds, where the program always writes key files at age's real work factor (which
/// `init`, `passwd`, `keygen` and the migration tests exercise, a few times only).
fn cheap_key_file(path: &Path, identity: &age::x25519::Identity, pass: &str) {
    use age::secrecy::ExposeSecret;
    let text = format!(
        "# public key: {}\n{}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    );
    let mut recipient = age::scrypt::Recipient::new(secret(pass));
    recipient.set_work_factor(10);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .unwrap();
    let mut out = Vec::new();
    let mut w = encryptor.wrap_output(&mut out).unwrap();
    std::io::Write::write_all(&mut w, text.as_bytes()).unwrap();
    w.finish().unwrap();
    fs::write(path, out).unwrap();
}

fn secret(text: &str) -> age::secrecy::SecretString {
    age::secrecy::SecretString::from(text.to_string())
}

/// Runs a command in tmux, types `pass` at its prompt, and waits for it to end.
fn in_tmux_typing(cmd: &str, pass: &str, done: &Path) {
    // One session name per call: tests run in parallel in one process.
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let session = format!("keys{}-{n}", std::process::id());
    let tmux = |args: &[&str]| Command::new("tmux").args(args).status().unwrap().success();
    assert!(
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "100",
            "-y",
            "30",
            cmd
        ]),
        "tmux is needed (.ci/run installs it)"
    );
    // Type only once the prompt shows (a loaded machine can take seconds to start it),
    // then allow scrypt its time: about a second idle, several under load.
    for _ in 0..300 {
        let screen = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &session])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).to_lowercase())
            .unwrap_or_default();
        if screen.contains("passphrase") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    tmux(&["send-keys", "-t", &session, pass, "Enter"]);
    for _ in 0..1200 {
        if done.exists() && !tmux(&["has-session", "-t", &session]) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    tmux(&["kill-session", "-t", &session]);
}

#[test]
fn a_passphrase_logbook_opens_in_the_age_cli_with_its_key_file() {
    assert!(
        age_cli(),
        "the reference age CLI is needed (`bash .ci/run`)"
    );
    let f = Pass::new().with_demo();
    let out = f.dir.path().join("plain.ron");
    let status = f.dir.path().join("status");
    let cmd = format!(
        "age -d -i {} -o {} {}; echo $? > {}",
        p(&f.key_file()),
        p(&out),
        p(&f.logbook),
        p(&status)
    );
    in_tmux_typing(&cmd, "correct horse battery staple", &status);
    assert_eq!(fs::read_to_string(&status).unwrap().trim(), "0");
    let ron = fs::read_to_string(&out).unwrap();
    assert!(ron.contains("format: 1") && ron.contains("INC-"), "{ron}");
}

impl Pass {
    fn with_demo(self) -> Pass {
        let o = self.run(&["import", p(&data("demo.ron"))]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        self
    }
}

/// Saving needs no secret: N saves cost far less than the one KDF of unlocking (here
/// at age's real work factor, about a second), and the file carries no scrypt stanza.
#[test]
fn saving_in_passphrase_mode_runs_no_scrypt() {
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pass");
    fs::write(&pass, "correct horse battery staple\n").unwrap();
    let logbook = dir.path().join("logbook.age");
    // The real work factor: no LOGBOOK_TEST_SCRYPT_LOG_N.
    let o = Command::new(BIN)
        .args(["--logbook", p(&logbook), "--passphrase-file", p(&pass)])
        .args(["--by", "RO", "init"])
        .env_remove("LOGBOOK_TEST_SCRYPT_LOG_N")
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let key_file_before = fs::read(dir.path().join("logbook.key.age")).unwrap();

    let started = Instant::now();
    let (mut vault, mut book, _) = Vault::open(
        &logbook,
        &Key::passphrase("correct horse battery staple"),
        Access::Write,
    )
    .unwrap();
    let unlock = started.elapsed();

    let started = Instant::now();
    const SAVES: u32 = 5;
    for n in 0..SAVES {
        let stamp = logbook::model::Stamp::new("RO", chrono::Local::now().fixed_offset());
        book.update_settings(&stamp, |s| s.organisation = format!("version {n}"))
            .unwrap();
        vault.save(&book).unwrap();
    }
    let saves = started.elapsed();
    assert!(
        saves < unlock,
        "{SAVES} saves took {saves:?}, one unlock (one KDF) {unlock:?}: a save runs a KDF"
    );
    let bytes = fs::read(&logbook).unwrap();
    assert!(!vault::header_is_scrypt(&bytes));
    assert_eq!(
        fs::read(dir.path().join("logbook.key.age")).unwrap(),
        key_file_before,
        "saving never rewrites the key file"
    );
}

/// A logbook written before key files: encrypted to the passphrase itself.
fn old_passphrase_logbook(path: &Path, pass: &str) {
    old_passphrase_logbook_with(path, pass, false)
}

/// With `backup_key`: as earlier versions left a logbook after its first backup.
fn old_passphrase_logbook_with(path: &Path, pass: &str, backup_key: bool) {
    let at = chrono::Local::now().fixed_offset();
    let mut book = logbook::model::Logbook::create(
        &logbook::model::Stamp::new("RO", at),
        logbook::model::Settings::new("Old School", vec!["RO".into()]),
    )
    .unwrap();
    let demo = vault::decode(Path::new("demo"), &fs::read(data("demo.ron")).unwrap()).unwrap();
    book.import(&logbook::model::Stamp::new("RO", at), demo)
        .unwrap();
    if backup_key {
        use age::secrecy::ExposeSecret;
        let id = age::x25519::Identity::generate();
        book.set_backup_key(
            &logbook::model::Stamp::new("RO", at),
            logbook::model::BackupSecret::new(id.to_string().expose_secret().to_string()),
            &id.to_public().to_string(),
        )
        .unwrap();
    }
    let mut recipient = vault::passphrase_recipient(&secret(pass));
    recipient.set_work_factor(10);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .unwrap();
    let mut out = Vec::new();
    vault::encrypt_ron(&mut out, encryptor, &book).unwrap();
    fs::write(path, out).unwrap();
}

#[test]
fn an_old_passphrase_logbook_migrates_on_first_open_for_writing_with_an_audit_entry() {
    let dir = tempfile::tempdir().unwrap();
    let logbook = dir.path().join("logbook.age");
    let pass = dir.path().join("pass");
    fs::write(&pass, "correct horse battery staple\n").unwrap();
    old_passphrase_logbook(&logbook, "correct horse battery staple");
    let before = fs::read(&logbook).unwrap();
    let trustees = age::x25519::Identity::generate().to_public().to_string();
    let with = |args: &[&str]| {
        let mut all = vec!["--logbook", p(&logbook), "--passphrase-file", p(&pass)];
        all.extend_from_slice(args);
        run(&all)
    };
    // Reading changes nothing.
    let o = with(&["list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("INC-"), "{}", stdout(&o));
    assert_eq!(fs::read(&logbook).unwrap(), before);
    assert!(!dir.path().join("logbook.key.age").exists());
    // Without --by and without a terminal: one sentence, nothing changed.
    let o = with(&["recovery", "--add", &trustees]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--by"), "{}", stderr(&o));
    assert_eq!(fs::read(&logbook).unwrap(), before);

    // The first change migrates it.
    let o = with(&["--by", "R. Okafor", "recovery", "--add", &trustees]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let bytes = fs::read(&logbook).unwrap();
    assert!(!vault::header_is_scrypt(&bytes), "re-encrypted to X25519");
    assert!(dir.path().join("logbook.key.age").exists());
    let o = with(&["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (book, _) =
        vault::read(&logbook, &Key::passphrase("correct horse battery staple")).unwrap();
    let migration = &book.audit[book.audit.len() - 2];
    assert_eq!(migration.by, "R. Okafor");
    assert!(
        migration
            .changes
            .iter()
            .any(|c| c.field.contains("passphrase_key") && c.new == book.settings.passphrase_key),
        "{migration:?}"
    );
    assert_eq!(
        book.settings.recipients,
        vec![book.settings.passphrase_key.clone()]
    );
}

/// A crash between writing the new key file and replacing the logbook leaves the staged
/// key file beside the old logbook: the old pair still opens.
#[test]
fn a_staged_key_file_beside_an_unchanged_logbook_is_harmless() {
    let f = Pass::new();
    fs::write(
        f.dir.path().join("logbook.key.age.next"),
        b"age-encryption.org/v1\n-> scrypt AAAA 10\nnot a real file",
    )
    .unwrap();
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn after_passwd_the_old_passphrase_and_old_key_file_open_nothing_new() {
    let f = Pass::new().with_demo();
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    let o = f.run(&["backup", "--to", p(&usb), "--allow-same-disk"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let old_backup = backups_in(&usb).remove(0);
    let old_key_file = f.dir.path().join("old.key.age");
    fs::copy(f.key_file(), &old_key_file).unwrap();

    let new = f.dir.path().join("new");
    fs::write(&new, "a new long passphrase\n").unwrap();
    let o = f.run(&["passwd", "--new-passphrase-file", p(&new)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Tester5 #11: until the next backup, the key file beside the logbook is the only copy
    // of the new key; the copies in backup folders are of the old one.
    assert!(
        stdout(&o).contains("is the only copy of the new key"),
        "{}",
        stdout(&o)
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let o = run(&[
        "--logbook",
        p(&f.logbook),
        "--passphrase-file",
        p(&new),
        "--by",
        "RO",
        "backup",
        "--to",
        p(&usb),
        "--allow-same-disk",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let new_backup = backups_in(&usb).pop().unwrap();
    assert_ne!(new_backup, old_backup);

    let old = vault::read_key_file(&old_key_file, &secret("correct horse battery staple")).unwrap();
    let old = Key::Identities(old);
    assert!(
        vault::read(&f.logbook, &old).is_err(),
        "the old key opens the logbook"
    );
    assert!(
        vault::read(&new_backup, &old).is_err(),
        "the old key opens a new backup"
    );
    assert!(
        vault::read(&old_backup, &old).is_ok(),
        "the old backup keeps its key"
    );
    let o = f.run(&["verify"]);
    assert_eq!(
        code(&o),
        3,
        "the old passphrase still opens it: {}",
        stderr(&o)
    );
    // The new passphrase opens both backups through the key files beside them.
    for backup in [&old_backup, &new_backup] {
        let o = run(&["--passphrase-file", p(&new), "verify", p(backup)]);
        let opened = code(&o) == 0;
        assert_eq!(
            opened,
            backup == &new_backup,
            "{}: {}",
            p(backup),
            stderr(&o)
        );
    }
    let o = run(&["--passphrase-file", p(&f.pass), "verify", p(&old_backup)]);
    assert_eq!(
        code(&o),
        0,
        "the old passphrase opens the old backup: {}",
        stderr(&o)
    );
}

#[test]
fn a_key_mode_logbook_never_asks_for_a_passphrase() {
    let f = Fixture::new();
    let o = run(&["--logbook", p(&f.logbook), "list"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("--identity"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("terminal"), "{}", stderr(&o));
}

#[test]
fn identity_may_be_given_more_than_once() {
    let f = Fixture::new();
    let deputy = f.dir.path().join("deputy.key");
    let o = run(&["keygen", "--unprotected", "--out", p(&deputy)]);
    let deputy_public = stdout(&o).trim().to_string();
    let o = f.run(&["passwd", "--recipient", &format!("{deputy_public}=Deputy")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Only the deputy's key opens it now; the first --identity does not, the second does.
    let o = run(&[
        "--logbook",
        p(&f.logbook),
        "--identity",
        p(&f.key),
        "--identity",
        p(&deputy),
        "verify",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn a_protected_key_file_opens_with_its_passphrase_and_refuses_a_wrong_one() {
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pass");
    fs::write(&pass, "deputy's long passphrase\n").unwrap();
    let key = dir.path().join("deputy.key");
    let o = run(&[
        "--passphrase-file",
        p(&pass),
        "keygen",
        "--out",
        p(&key),
        "--name",
        "J. Patel",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let public = stdout(&o).trim().to_string();
    assert!(
        fs::read(&key)
            .unwrap()
            .starts_with(b"age-encryption.org/v1\n")
    );
    assert!(
        !fs::read_to_string(&key)
            .unwrap_or_default()
            .contains("AGE-SECRET-KEY")
    );
    let logbook = dir.path().join("logbook.age");
    let o = run(&[
        "--logbook",
        p(&logbook),
        "init",
        "--recipient",
        &format!("{public}=J. Patel"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&[
        "--logbook",
        p(&logbook),
        "--identity",
        p(&key),
        "--passphrase-file",
        p(&pass),
        "verify",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let wrong = dir.path().join("wrong");
    fs::write(&wrong, "not the passphrase\n").unwrap();
    let o = run(&[
        "--logbook",
        p(&logbook),
        "--identity",
        p(&key),
        "--passphrase-file",
        p(&wrong),
        "verify",
    ]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let o = run(&["keygen", "--out", p(&dir.path().join("k2"))]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--unprotected"), "{}", stderr(&o));
    // Without a terminal and without --passphrase-file: one sentence, no wait.
    let o = run(&["--logbook", p(&logbook), "--identity", p(&key), "verify"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("passphrase"), "{}", stderr(&o));
}

#[test]
fn a_passphrase_file_with_a_bom_or_trailing_spaces_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("bom", "\u{feff}correct horse battery\n"),
        ("spaces", "correct horse battery  \n"),
    ] {
        let pass = dir.path().join(name);
        fs::write(&pass, text).unwrap();
        let logbook = dir.path().join(format!("{name}.age"));
        let o = run(&[
            "--logbook",
            p(&logbook),
            "--passphrase-file",
            p(&pass),
            "--by",
            "RO",
            "init",
        ]);
        assert_eq!(code(&o), 2, "{name}: {}", stderr(&o));
        assert!(!logbook.exists(), "{name}");
        assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
    }
}

fn audit(f: &Fixture) -> logbook::model::Trail {
    let key =
        Key::from_identity_files(std::slice::from_ref(&f.key), &mut |_| unreachable!()).unwrap();
    vault::read(&f.logbook, &key).unwrap().0.audit.clone()
}

#[test]
fn a_cli_change_made_with_the_deputys_key_is_attributed_to_the_deputy() {
    let f = Fixture::new();
    let deputy = f.dir.path().join("deputy.key");
    let o = run(&["keygen", "--unprotected", "--out", p(&deputy)]);
    let deputy_public = stdout(&o).trim().to_string();
    let o = f.run(&["keys", "add", &deputy_public, "--name", "J. Patel"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(audit(&f).last().unwrap().by, "RO", "the DSL added the key");
    let o = run(&[
        "--logbook",
        p(&f.logbook),
        "--identity",
        p(&deputy),
        "import",
        p(&data("demo.ron")),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let trail = audit(&f);
    assert!(trail.len() > 3);
    assert_eq!(trail.last().unwrap().by, "J. Patel");
    let o = f.run(&["keys"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("J. Patel"), "{}", stdout(&o));
    assert!(stdout(&o).contains(&deputy_public), "{}", stdout(&o));
}

#[test]
fn keys_remove_leaves_the_removed_key_unable_to_open_the_logbook() {
    let f = Fixture::new();
    let deputy = f.dir.path().join("deputy.key");
    let o = run(&["keygen", "--unprotected", "--out", p(&deputy)]);
    let deputy_public = stdout(&o).trim().to_string();
    let o = f.run(&["keys", "add", &deputy_public, "--name", "J. Patel"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let as_deputy = |args: &[&str]| {
        let mut all = vec!["--logbook", p(&f.logbook), "--identity", p(&deputy)];
        all.extend_from_slice(args);
        run(&all)
    };
    assert_eq!(code(&as_deputy(&["verify"])), 0);
    let o = f.run(&["keys", "remove", "J. Patel", "--yes"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("make a new backup"), "{}", stdout(&o));
    let o = as_deputy(&["verify"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert_eq!(code(&f.run(&["verify"])), 0);
    // The DSL cannot remove the key that opened it.
    let o = f.run(&["keys", "remove", &f.public]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

/// A migrated logbook that still holds an earlier version's backup key: its new backups
/// open with the passphrase through their key file, not only old ones through that key.
#[test]
fn new_backups_of_a_logbook_with_an_old_backup_key_open_with_the_passphrase() {
    // As a logbook from before key files is after its migration (see the test above):
    // a key file, and the old backup key still inside.
    let f = Pass::new();
    {
        use age::secrecy::ExposeSecret;
        let (mut vault, mut book, _) =
            Vault::open(&f.logbook, &Key::passphrase(PASSPHRASE), Access::Write).unwrap();
        let id = age::x25519::Identity::generate();
        book.set_backup_key(
            &logbook::model::Stamp::new("RO", chrono::Local::now().fixed_offset()),
            logbook::model::BackupSecret::new(id.to_string().expose_secret().to_string()),
            &id.to_public().to_string(),
        )
        .unwrap();
        vault.save(&book).unwrap();
    }
    let (dir, logbook, pass) = (&f.dir, f.logbook.clone(), f.pass.clone());
    let usb = dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    let with = |args: &[&str]| {
        let mut all = vec![
            "--logbook",
            p(&logbook),
            "--passphrase-file",
            p(&pass),
            "--by",
            "RO",
        ];
        all.extend_from_slice(args);
        run(&all)
    };
    let o = with(&["backup", "--to", p(&usb), "--allow-same-disk"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = with(&["backups", p(&usb)]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("verified"), "{}", stdout(&o));
    let backup = backups_in(&usb).remove(0);
    let o = with(&["verify", "--against", p(&backup)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// The app on a key-mode logbook with a protected key file: Enter alone does not unlock,
/// at the start or after `Ctrl-L`; the key file's passphrase does.
#[test]
fn a_protected_key_file_in_the_app_refuses_enter_alone() {
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pass");
    fs::write(&pass, "deputy's long passphrase\n").unwrap();
    let key = dir.path().join("deputy.key");
    let o = run(&["--passphrase-file", p(&pass), "keygen", "--out", p(&key)]);
    let public = stdout(&o).trim().to_string();
    let logbook = dir.path().join("logbook.age");
    let o = run(&[
        "--logbook",
        p(&logbook),
        "init",
        "--recipient",
        &format!("{public}=J. Patel"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let session = format!("keyapp{}", std::process::id());
    let tmux = |args: &[&str]| Command::new("tmux").args(args).output().unwrap();
    let cmd = format!(
        "exec {BIN} --logbook {} --identity {}",
        p(&logbook),
        p(&key)
    );
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "80",
        "-y",
        "24",
        &cmd,
    ]);
    let screen = || {
        String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", &session]).stdout).into_owned()
    };
    let wait_for = |text: &str| {
        for _ in 0..100 {
            if screen().contains(text) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("never saw {text:?}:\n{}", screen());
    };
    let locked_then_unlocks = || {
        wait_for("Locked");
        tmux(&["send-keys", "-t", &session, "Enter"]);
        std::thread::sleep(std::time::Duration::from_millis(800));
        assert!(
            screen().contains("Locked"),
            "Enter alone unlocked:\n{}",
            screen()
        );
        tmux(&[
            "send-keys",
            "-t",
            &session,
            "-l",
            "deputy's long passphrase",
        ]);
        tmux(&["send-keys", "-t", &session, "Enter"]);
        wait_for("incidents");
    };
    locked_then_unlocks();
    if screen().contains("Who is recording") {
        tmux(&["send-keys", "-t", &session, "Enter"]);
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    tmux(&["send-keys", "-t", &session, "C-l"]);
    locked_then_unlocks();
    tmux(&["kill-session", "-t", &session]);
}

/// A passwd interrupted after the logbook was re-encrypted, before the new key file took
/// the old one's place: the new passphrase opens it (through the staged key file, which
/// the next writer puts in place), the old one does not.
#[test]
fn an_interrupted_passwd_opens_with_the_new_passphrase_and_is_finished_on_next_write() {
    let f = Pass::new();
    let old_key_file = fs::read(f.key_file()).unwrap();
    let new = f.dir.path().join("new");
    fs::write(&new, "a new long passphrase\n").unwrap();
    // The state passwd leaves if stopped between its two renames: the new key file
    // staged, the logbook already re-encrypted to its key, the old key file in place.
    let staged = f.dir.path().join("logbook.key.age.next");
    let id = age::x25519::Identity::generate();
    cheap_key_file(&staged, &id, "a new long passphrase");
    let (mut vault, mut book, _) =
        Vault::open(&f.logbook, &Key::passphrase(PASSPHRASE), Access::Write).unwrap();
    let public = id.to_public().to_string();
    let stamp = logbook::model::Stamp::new("RO", chrono::Local::now().fixed_offset());
    book.update_settings(&stamp, |s| {
        s.recipients = vec![public.clone()];
        s.passphrase_key = public.clone();
    })
    .unwrap();
    vault.save(&book).unwrap();
    drop(vault);

    assert_eq!(code(&f.run(&["verify"])), 3, "the old passphrase opens it");
    let with_new = |args: &[&str]| {
        let mut all = vec![
            "--logbook",
            p(&f.logbook),
            "--passphrase-file",
            p(&new),
            "--by",
            "RO",
        ];
        all.extend_from_slice(args);
        run(&all)
    };
    let o = with_new(&["list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(staged.exists(), "reading changes nothing");
    let o = with_new(&["import", p(&data("demo.ron"))]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!staged.exists(), "the writer finished the change");
    assert_ne!(fs::read(f.key_file()).unwrap(), old_key_file);
    assert_eq!(code(&with_new(&["verify"])), 0);
}

/// Restoring over a passphrase logbook keeps the replaced file openable: its key file is
/// kept beside the `.before-restore` copy.
#[test]
fn the_copy_a_restore_keeps_still_opens_with_the_passphrase() {
    let f = Pass::new();
    let usb = f.dir.path().join("usb");
    fs::create_dir(&usb).unwrap();
    let o = f.run(&["backup", "--to", p(&usb), "--allow-same-disk"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let backup = backups_in(&usb).remove(0);
    // The passphrase changes after the backup: the logbook gets a new key file.
    let id = age::x25519::Identity::generate();
    let next = f.dir.path().join("logbook.key.age.next");
    cheap_key_file(&next, &id, PASSPHRASE);
    let (mut vault, mut book, _) =
        Vault::open(&f.logbook, &Key::passphrase(PASSPHRASE), Access::Write).unwrap();
    let public = id.to_public().to_string();
    let stamp = logbook::model::Stamp::new("RO", chrono::Local::now().fixed_offset());
    book.update_settings(&stamp, |s| {
        s.recipients = vec![public.clone()];
        s.passphrase_key = public.clone();
    })
    .unwrap();
    vault.save(&book).unwrap();
    drop(vault);
    fs::rename(&next, f.key_file()).unwrap();

    let o = f.run(&["restore", p(&backup), "--yes"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(code(&f.run(&["verify"])), 0, "the restored logbook opens");
    let before = fs::read_dir(f.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.contains("before-restore") && !n.ends_with(".key.age")
        })
        .unwrap();
    let o = run(&[
        "--logbook",
        p(&before),
        "--passphrase-file",
        p(&f.pass),
        "verify",
    ]);
    assert_eq!(code(&o), 0, "the kept copy opens: {}", stderr(&o));
}

/// `keygen`'s protected key file is age's own format: the age CLI opens a key-mode logbook
/// with it (`age -d -i`), asking its passphrase.
#[test]
fn a_protected_key_file_opens_a_logbook_in_the_age_cli() {
    assert!(
        age_cli(),
        "the reference age CLI is needed (`bash .ci/run`)"
    );
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pass");
    fs::write(&pass, "deputy's long passphrase\n").unwrap();
    let key = dir.path().join("deputy.key");
    let o = run(&["--passphrase-file", p(&pass), "keygen", "--out", p(&key)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let public = stdout(&o).trim().to_string();
    let logbook = dir.path().join("logbook.age");
    let o = run(&[
        "--logbook",
        p(&logbook),
        "init",
        "--recipient",
        &format!("{public}=J. Patel"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = dir.path().join("plain.ron");
    let status = dir.path().join("status");
    let cmd = format!(
        "age -d -i {} -o {} {}; echo $? > {}",
        p(&key),
        p(&out),
        p(&logbook),
        p(&status)
    );
    in_tmux_typing(&cmd, "deputy's long passphrase", &status);
    assert_eq!(fs::read_to_string(&status).unwrap().trim(), "0");
    assert!(fs::read_to_string(&out).unwrap().contains("J. Patel"));
}

/// A key-mode logbook held by the DSL (dsl.key) and a deputy (deputy.key), both key files
/// protected with their own passphrase (files dsl.pp, deputy.pp) at a low work factor.
struct Holders {
    dir: tempfile::TempDir,
    logbook: std::path::PathBuf,
}

impl Holders {
    fn new() -> Holders {
        let dir = tempfile::tempdir().unwrap();
        let mut recipients = Vec::new();
        for (who, name, pass) in [
            ("dsl", "R. Okafor", "okafor's own passphrase"),
            ("deputy", "J. Patel", "patel's different passphrase"),
        ] {
            let id = age::x25519::Identity::generate();
            cheap_key_file(&dir.path().join(format!("{who}.key")), &id, pass);
            fs::write(dir.path().join(format!("{who}.pp")), format!("{pass}\n")).unwrap();
            recipients.push(format!("{}={name}", id.to_public()));
        }
        let logbook = dir.path().join("school.age");
        let o = run(&[
            "--logbook",
            p(&logbook),
            "--by",
            "R. Okafor",
            "init",
            "--organisation",
            "Test School",
            "--recipient",
            &recipients[0],
            "--recipient",
            &recipients[1],
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        Holders { dir, logbook }
    }

    fn file(&self, name: &str) -> String {
        p(&self.dir.path().join(name)).to_string()
    }

    /// Runs a command on the logbook with these key files and this passphrase file.
    fn run(&self, keys: &[&str], pass: &str, args: &[&str]) -> std::process::Output {
        let mut all = vec!["--logbook".to_string(), p(&self.logbook).to_string()];
        for k in keys {
            all.extend(["--identity".to_string(), self.file(k)]);
        }
        all.extend(["--passphrase-file".to_string(), self.file(pass)]);
        all.extend(args.iter().map(|a| a.to_string()));
        run(&all.iter().map(String::as_str).collect::<Vec<_>>())
    }
}

/// tester3 #1: several --identity files open with any one that works; a wrong passphrase
/// for one is no error while another opens, and when none opens each file is named with
/// why; a key file that opened but is not a holder's is not called a wrong passphrase.
#[test]
fn several_key_files_open_with_any_that_works_and_each_failure_is_named() {
    let h = Holders::new();
    // dsl.pp opens dsl.key only: deputy.key, first, is tried with it and left out.
    let o = h.run(&["deputy.key", "dsl.key"], "dsl.pp", &["list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = h.run(&["dsl.key", "deputy.key"], "deputy.pp", &["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // None opens: each key file named, with why; exit 3 as for any wrong secret.
    fs::write(h.dir.path().join("bad.pp"), "not anyone's passphrase\n").unwrap();
    let o = h.run(&["deputy.key", "dsl.key"], "bad.pp", &["list"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("wrong passphrase for") && e.contains("deputy.key"),
        "{e}"
    );
    assert!(e.contains("dsl.key"), "{e}");
    assert!(e.contains("right passphrase"), "{e}");
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    let o = h.run(&["dsl.key"], "bad.pp", &["list"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Wrong passphrase for the key file"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("dsl.key"), "{}", stderr(&o));

    // A key file that opens but is not (or no longer) a holder's.
    let o = h.run(
        &["dsl.key"],
        "dsl.pp",
        &["keys", "remove", "J. Patel", "--yes"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = h.run(&["deputy.key"], "deputy.pp", &["list"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(
            "This key file does not open this logbook: give the key file of one of its holders"
        ),
        "{e}"
    );
    assert!(!e.to_lowercase().contains("wrong passphrase"), "{e}");
    // With another that fails too, both are named, each with its own reason.
    let o = h.run(&["deputy.key", "dsl.key"], "deputy.pp", &["list"]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("deputy.key does not open this logbook"), "{e}");
    assert!(
        e.contains("wrong passphrase for") && e.contains("dsl.key"),
        "{e}"
    );
}

/// tester3 #2: in key mode `passwd` has no passphrase to change. It refused nothing and
/// turned the logbook into a passphrase logbook, locking the deputy out unnamed. Now it
/// refuses, before asking anything, and says how to change a key file's passphrase;
/// only --to-passphrase switches, naming and auditing each holder it removes.
#[test]
fn passwd_in_key_mode_refuses_unless_told_and_then_names_each_holder_removed() {
    let h = Holders::new();
    fs::write(
        h.dir.path().join("new.pp"),
        "a brand new passphrase for all\n",
    )
    .unwrap();
    let before = fs::read(&h.logbook).unwrap();
    let o = h.run(
        &["dsl.key"],
        "dsl.pp",
        &["passwd", "--new-passphrase-file", &h.file("new.pp")],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("opens with key files"), "{e}");
    assert!(e.contains("logbook keys passphrase FILE"), "{e}");
    assert!(e.contains("--to-passphrase"), "{e}");
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    assert_eq!(fs::read(&h.logbook).unwrap(), before, "nothing changed");
    assert!(!vault::key_file_path(&h.logbook).exists());
    assert_eq!(code(&h.run(&["deputy.key"], "deputy.pp", &["verify"])), 0);

    // Explicitly: the deputy is named in the output and in the trail.
    let o = h.run(
        &["dsl.key"],
        "dsl.pp",
        &[
            "passwd",
            "--to-passphrase",
            "--new-passphrase-file",
            &h.file("new.pp"),
        ],
    );
    // It removes the deputy's key: a script says --yes (tester3 #33).
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("J. Patel"), "{}", stderr(&o));
    assert_eq!(fs::read(&h.logbook).unwrap(), before, "nothing changed");
    let o = h.run(
        &["dsl.key"],
        "dsl.pp",
        &[
            "passwd",
            "--to-passphrase",
            "--new-passphrase-file",
            &h.file("new.pp"),
            "--yes",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("J. Patel"), "{}", stdout(&o));
    assert_eq!(code(&h.run(&["deputy.key"], "deputy.pp", &["verify"])), 3);
    let book = vault::read(
        &h.logbook,
        &Key::passphrase("a brand new passphrase for all"),
    )
    .unwrap()
    .0;
    assert!(
        book.audit.iter().any(|e| e.by == "R. Okafor"
            && e.changes
                .iter()
                .any(|c| c.old == "J. Patel" && c.new.is_empty())),
        "an audit entry names the deputy removed"
    );
}

/// tester3 #2: a key file's own passphrase can be changed (`keys passphrase`): the same
/// key opens the logbook with the new passphrase and not the old; a wrong old passphrase
/// changes nothing; the logbook's own passphrase key file is left to `passwd`.
#[test]
fn keys_passphrase_changes_a_key_files_passphrase_and_keeps_its_key() {
    let h = Holders::new();
    fs::write(
        h.dir.path().join("okafor2.pp"),
        "okafor's second passphrase here\n",
    )
    .unwrap();
    let key = h.file("dsl.key");
    let before = fs::read(&key).unwrap();
    let o = run(&[
        "--passphrase-file",
        &h.file("deputy.pp"),
        "keys",
        "passphrase",
        &key,
        "--new-passphrase-file",
        &h.file("okafor2.pp"),
    ]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Wrong passphrase for the key file"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read(&key).unwrap(), before);
    let o = run(&[
        "--passphrase-file",
        &h.file("dsl.pp"),
        "keys",
        "passphrase",
        &key,
        "--new-passphrase-file",
        &h.file("okafor2.pp"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Its key is unchanged"),
        "{}",
        stdout(&o)
    );
    assert_eq!(code(&h.run(&["dsl.key"], "okafor2.pp", &["verify"])), 0);
    assert_eq!(code(&h.run(&["dsl.key"], "dsl.pp", &["verify"])), 3);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only");
    }
    // The passphrase logbook's own key file: `passwd` changes it (with a new key).
    let pass = Pass::new();
    let o = run(&[
        "--passphrase-file",
        p(&pass.pass),
        "keys",
        "passphrase",
        p(&pass.key_file()),
        "--new-passphrase-file",
        &h.file("okafor2.pp"),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("passwd"), "{}", stderr(&o));
}

/// tester3 #8: a holder's name with an escape or a line break, or of 226 characters, was
/// accepted by `keys add` and `keygen`; it is refused, saying the limit.
#[test]
fn holder_names_with_control_characters_or_too_long_are_refused() {
    let f = Fixture::new();
    let deputy = f.dir.path().join("deputy.key");
    let o = run(&["keygen", "--unprotected", "--out", p(&deputy)]);
    let public = stdout(&o).trim().to_string();
    let before = f.bytes();
    for name in [
        "\u{1b}[31mRed\u{1b}[0m\nName",
        "J.\tPatel",
        "J. Patel\u{202e}",
    ] {
        let o = f.run(&["keys", "add", &public, "--name", name]);
        assert_eq!(code(&o), 2, "{name:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("control character"), "{}", stderr(&o));
    }
    let long = "Mrs Bartholomew-Featherstonehaugh-Cholmondeley (Acting Deputy Designated Safeguarding Lead)";
    let o = f.run(&["keys", "add", &public, "--name", long]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("at most 60"), "{}", stderr(&o));
    assert_eq!(f.bytes(), before, "nothing changed");
    let o = f.run(&[
        "keys",
        "add",
        &public,
        "--name",
        "Mrs Bartholomew-Featherstonehaugh",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let out = f.dir.path().join("new.key");
    let o = run(&[
        "keygen",
        "--unprotected",
        "--out",
        p(&out),
        "--name",
        "A\nB",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!out.exists());
    let o = run(&["keygen", "--unprotected", "--out", p(&out), "--name", long]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!out.exists());
    let logbook = f.dir.path().join("other.age");
    let o = run(&[
        "--logbook",
        p(&logbook),
        "init",
        "--recipient",
        &format!("{public}=A\u{1b}[2JB"),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!logbook.exists());
}
