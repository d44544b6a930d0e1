//! The command line as a script or a DSL uses it: every command, and every bad input with
//! its one-sentence message, its exit code, and the logbook left byte-for-byte unchanged.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use common::*;

#[test]
fn keygen_writes_a_private_identity_and_prints_its_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.key");
    let o = run(&["keygen", "--unprotected", "--out", key.to_str().unwrap()]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with("age1"), "{}", stdout(&o));
    let mode = fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = fs::read_to_string(&key).unwrap();
    assert!(text.contains("AGE-SECRET-KEY-1"));
    // Never over an existing file.
    let before = fs::read(&key).unwrap();
    let o = run(&["keygen", "--unprotected", "--out", key.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(fs::read(&key).unwrap(), before);
}

#[test]
fn init_import_verify_list_show_round_trip() {
    let f = Fixture::new().with_demo();
    let mode = fs::metadata(&f.logbook).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the logbook is owner-only");
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("is sound"), "{}", stdout(&o));
    let o = f.run(&["list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let list = stdout(&o);
    assert!(list.lines().count() >= 20, "{list}");
    let first = list.split_whitespace().next().unwrap().to_string();
    assert!(first.starts_with("INC-"));
    let o = f.run(&["show", &first]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let shown = stdout(&o);
    for section in [
        "Description",
        "People",
        "Evidence",
        "Reporting",
        "Reviews",
        "Checklist",
        "History",
    ] {
        assert!(shown.contains(section), "show lacks {section}:\n{shown}");
    }
    assert!(shown.contains("imported: recorded incident"), "{shown}");
    // Filters.
    let o = f.run(&["list", "--status", "closed"]);
    let closed = stdout(&o);
    assert!(
        !closed.is_empty() && closed.lines().all(|l| l.contains("Closed")),
        "{closed}"
    );
}

#[test]
fn import_twice_is_refused_and_changes_nothing() {
    let f = Fixture::new().with_demo();
    let before = f.bytes();
    let o = f.run(&["import", data("demo.ron").to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("already in this logbook"),
        "{}",
        stderr(&o)
    );
    assert_eq!(f.bytes(), before);
}

#[test]
fn show_of_an_unknown_incident_says_how_to_find_one() {
    let f = Fixture::new();
    let o = f.run(&["show", "INC-2020-0001"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("logbook list"), "{}", stderr(&o));
}

/// Tester4 #13: `show INC-2025-1` (the number without its leading zeros) said there was no
/// such incident; it finds INC-2025-0001.
#[test]
fn show_finds_an_incident_typed_without_leading_zeros() {
    let f = Fixture::new().with_demo();
    let o = f.run(&["show", "inc-2025-1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("INC-2025-0001"), "{}", stdout(&o));
}

/// Tester2 #35: `show P-0001` said "There is no incident P-0001": it says `show` takes an
/// incident, and names the command that shows a person.
#[test]
fn show_of_a_persons_number_points_to_the_persons_chronology() {
    let f = Fixture::new().with_demo();
    let o = f.run(&["show", "p-0001"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("P-0001 is a person"), "{err}");
    assert!(err.contains("`show` takes an incident number"), "{err}");
    assert!(err.contains("logbook export P-0001"), "{err}");
    // The command it names works (at a terminal; a test's pipe needs --plaintext).
    let o = f.run(&[
        "export",
        "P-0001",
        "--format",
        "txt",
        "--for",
        "RO",
        "--plaintext",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("P-0001"), "{}", stdout(&o));
    // A number that is neither still sends to the list.
    let o = f.run(&["show", "P-9999"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("logbook list"), "{}", stderr(&o));
}

#[test]
fn passphrase_mode_init_passwd_and_wrong_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lb.age");
    let p = path.to_str().unwrap();
    let pass = dir.path().join("pass");
    fs::write(&pass, "correct horse battery\n").unwrap();
    let o = run(&[
        "--logbook",
        p,
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--by",
        "RO",
        "init",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&[
        "--logbook",
        p,
        "--passphrase-file",
        pass.to_str().unwrap(),
        "verify",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let wrong = dir.path().join("wrong");
    fs::write(&wrong, "incorrect horse battery\n").unwrap();
    let before = fs::read(&path).unwrap();
    let o = run(&[
        "--logbook",
        p,
        "--passphrase-file",
        wrong.to_str().unwrap(),
        "list",
    ]);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("Wrong passphrase"), "{}", stderr(&o));
    assert_eq!(fs::read(&path).unwrap(), before);

    let new = dir.path().join("new");
    fs::write(&new, "a new long passphrase\n").unwrap();
    let o = run(&[
        "--logbook",
        p,
        "--passphrase-file",
        pass.to_str().unwrap(),
        "passwd",
        "--by",
        "RO",
        "--new-passphrase-file",
        new.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&[
        "--logbook",
        p,
        "--passphrase-file",
        pass.to_str().unwrap(),
        "verify",
    ]);
    assert_eq!(code(&o), 3, "the old passphrase no longer opens it");
    let o = run(&[
        "--logbook",
        p,
        "--passphrase-file",
        new.to_str().unwrap(),
        "verify",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn passwd_switches_to_key_mode_and_the_new_key_opens_it() {
    let f = Fixture::new().with_demo();
    let key2 = f.dir.path().join("deputy.key");
    let o = run(&["keygen", "--unprotected", "--out", key2.to_str().unwrap()]);
    let deputy = stdout(&o).trim().to_string();
    // A key new to the logbook is named (tester3 #29).
    let deputy = format!("{deputy}=J. Patel");
    let o = f.run(&["passwd", "--recipient", &f.public, "--recipient", &deputy]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&[
        "--logbook",
        f.logbook.to_str().unwrap(),
        "--identity",
        key2.to_str().unwrap(),
        "verify",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn a_short_passphrase_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pass");
    fs::write(&pass, "short\n").unwrap();
    let path = dir.path().join("lb.age");
    let o = run(&[
        "--logbook",
        path.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
        "init",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("too short"), "{}", stderr(&o));
    assert!(!path.exists());
}

#[test]
fn without_a_terminal_nothing_waits_for_a_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lb.age");
    let o = run(&["--logbook", path.to_str().unwrap(), "init"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no terminal"), "{}", stderr(&o));
    assert!(!path.exists());
}

#[test]
fn a_missing_logbook_says_how_to_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.age");
    let o = run(&[
        "--logbook",
        path.to_str().unwrap(),
        "--passphrase-file",
        "/dev/null",
        "list",
    ]);
    assert_eq!(code(&o), 6);
    assert!(stderr(&o).contains("logbook init"), "{}", stderr(&o));
}

#[test]
fn init_in_a_missing_folder_creates_it_owner_only() {
    let f = Fixture::new();
    let path = f.dir.path().join("new/sub/lb.age");
    let o = run(&[
        "--logbook",
        path.to_str().unwrap(),
        "init",
        "--recipient",
        &format!("{}=RO", f.public),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mode = fs::metadata(path.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o700);
}

#[test]
fn wrong_key_is_refused_and_changes_nothing() {
    let f = Fixture::new().with_demo();
    let other = f.dir.path().join("other.key");
    run(&["keygen", "--unprotected", "--out", other.to_str().unwrap()]);
    let before = f.bytes();
    let o = run(&[
        "--logbook",
        f.logbook.to_str().unwrap(),
        "--identity",
        other.to_str().unwrap(),
        "import",
        data("demo.ron").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("does not open this logbook"),
        "{}",
        stderr(&o)
    );
    assert_eq!(f.bytes(), before);
}

#[test]
fn a_passphrase_for_a_key_mode_logbook_says_to_give_the_key() {
    let f = Fixture::new();
    // A regular file: devices such as /dev/null are refused as passphrase files.
    let empty = f.dir.path().join("empty");
    fs::write(&empty, b"").unwrap();
    let o = run(&[
        "--logbook",
        f.logbook.to_str().unwrap(),
        "--passphrase-file",
        empty.to_str().unwrap(),
        "verify",
    ]);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("--identity"), "{}", stderr(&o));
}

/// Damages the logbook in place, then checks that every command refuses it with exit 4
/// and that a refused write leaves the damaged bytes exactly as they were.
fn assert_refused_as_damaged(f: &Fixture, damaged: Vec<u8>, words: &str) {
    fs::write(&f.logbook, &damaged).unwrap();
    for args in [
        vec!["verify"],
        vec!["list"],
        vec!["import", data("demo.ron").to_str().unwrap()],
    ] {
        let o = f.run(&args);
        assert_eq!(code(&o), 4, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(words), "{args:?}: {}", stderr(&o));
        assert_eq!(
            stderr(&o).lines().count(),
            1,
            "one sentence: {}",
            stderr(&o)
        );
        assert_eq!(f.bytes(), damaged);
    }
}

#[test]
fn not_an_age_file_is_refused() {
    let f = Fixture::new();
    assert_refused_as_damaged(
        &f,
        b"just some text\n".to_vec(),
        "not an age-encrypted logbook",
    );
}

#[test]
fn a_truncated_file_is_refused() {
    let f = Fixture::new().with_demo();
    let mut bytes = f.bytes();
    bytes.truncate(bytes.len() - 100);
    assert_refused_as_damaged(&f, bytes, "damaged or truncated");
}

#[test]
fn a_bit_flipped_file_is_refused() {
    let f = Fixture::new().with_demo();
    let mut bytes = f.bytes();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x04;
    assert_refused_as_damaged(&f, bytes, "damaged or truncated");
}

/// Encrypts `plain` to the fixture's key with the library (as any age tool would).
fn encrypt_for(f: &Fixture, plain: &str) -> Vec<u8> {
    let recipient: age::x25519::Recipient = f.public.parse().unwrap();
    let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
        .unwrap();
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out).unwrap();
    std::io::Write::write_all(&mut w, plain.as_bytes()).unwrap();
    w.finish().unwrap();
    out
}

#[test]
fn ron_that_does_not_parse_is_refused() {
    let f = Fixture::new();
    let bytes = encrypt_for(
        &f,
        "(format: 1, settings: (organisation: \"x\"), people: [oops",
    );
    assert_refused_as_damaged(&f, bytes, "not a readable logbook");
}

#[test]
fn a_newer_format_is_refused_with_upgrade_advice() {
    let f = Fixture::new();
    let bytes = encrypt_for(
        &f,
        "(format: 99, settings: (organisation: \"x\"), future_field: [1, 2])",
    );
    assert_refused_as_damaged(&f, bytes, "newer version of logbook");
}

#[test]
fn a_logbook_locked_by_another_process_is_refused() {
    let f = Fixture::new();
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(f.dir.path().join("logbook.age.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let before = f.bytes();
    let o = f.run(&["import", data("demo.ron").to_str().unwrap()]);
    assert_eq!(code(&o), 5);
    assert!(
        stderr(&o).contains("locked by another process"),
        "{}",
        stderr(&o)
    );
    assert_eq!(f.bytes(), before);
    // Readers are not blocked by a writer's lock.
    assert_eq!(code(&f.run(&["verify"])), 0);
    drop(lock);
    assert_eq!(
        code(&f.run(&["import", data("demo.ron").to_str().unwrap()])),
        0
    );
}

#[test]
fn invalid_records_in_an_import_are_refused_in_one_sentence() {
    let f = Fixture::new();
    let before = f.bytes();
    let demo = fs::read_to_string(data("demo.ron")).unwrap();
    // Move the first incident's report time far into the future.
    let bad = demo.replacen("reported: \"20", "reported: \"29", 1);
    let file = f.dir.path().join("bad.ron");
    fs::write(&file, bad).unwrap();
    let o = f.run(&["import", file.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("in the future"), "{}", stderr(&o));
    assert_eq!(f.bytes(), before);
}

#[test]
fn an_impossible_date_in_an_import_is_refused() {
    let f = Fixture::new();
    let demo = fs::read_to_string(data("demo.ron")).unwrap();
    let start = demo.find("reported: \"").unwrap() + "reported: \"".len();
    let mut bad = demo.clone();
    bad.replace_range(start..start + 10, "2025-02-30");
    let file = f.dir.path().join("bad.ron");
    fs::write(&file, bad).unwrap();
    let o = f.run(&["import", file.to_str().unwrap()]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot be imported"), "{}", stderr(&o));
    // Its author is told to correct it, not to restore a plaintext file from a backup.
    assert!(!stderr(&o).contains("restore"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("decrypts"), "{}", stderr(&o));
}

#[test]
fn terminal_escapes_in_records_are_shown_escaped() {
    let f = Fixture::new();
    let demo = fs::read_to_string(data("demo.ron")).unwrap();
    let start = demo.find("description: \"").unwrap() + "description: \"".len();
    let mut hostile = demo.clone();
    hostile.insert_str(start, "\\u{1b}[2J\\u{1b}]52;c;aGk=\\u{7}\\u{202e}evil ");
    let file = f.dir.path().join("hostile.ron");
    fs::write(&file, hostile).unwrap();
    let o = f.run(&["import", file.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let list = stdout(&f.run(&["list"]));
    let id = list.split_whitespace().next().unwrap().to_string();
    let o = f.run(&["show", &id]);
    let shown = stdout(&o);
    assert!(
        shown.contains("\\e[2J\\e]52;c;aGk=\\x07\\u{202e}evil"),
        "{shown}"
    );
    assert!(!shown.contains('\u{1b}') && !shown.contains('\u{202e}') && !shown.contains('\u{7}'));
}

#[test]
fn demo_prints_the_demo_and_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(BIN)
        .arg("demo")
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("INC-"), "{}", stdout(&o));
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "the demo's temporary folder is removed"
    );
}

#[test]
fn generate_writes_a_sound_synthetic_logbook() {
    let f = Fixture::new();
    let out = f.dir.path().join("big.age");
    let o = run(&[
        "demo",
        "--generate",
        "200",
        "--out",
        out.to_str().unwrap(),
        "--recipient",
        &f.public,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&[
        "--logbook",
        out.to_str().unwrap(),
        "--identity",
        f.key.to_str().unwrap(),
        "verify",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("200 incidents"), "{}", stdout(&o));
}

#[test]
fn help_speaks_to_a_dsl_with_examples() {
    let o = run(&["--help"]);
    let help = stdout(&o);
    assert!(help.contains("Designated Safeguarding Lead"));
    assert!(help.contains("Examples:"));
    assert!(help.contains("Exit codes"));
}

/// Tester finding 9: the staff command's help listed the DSL's key and passphrase options,
/// which it refuses, and described --by as "who is making the change".
#[test]
fn the_staff_command_help_shows_only_what_staff_use() {
    let o = run(&["concern", "--help"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let help = stdout(&o);
    for hidden in ["--identity", "--passphrase-file", "--logbook"] {
        assert!(!help.contains(hidden), "{hidden} in {help}");
    }
    assert!(
        help.contains("Your name, so the DSL knows who to ask"),
        "{help}"
    );
    // A value given after `concern` still reaches the command (and its refusal).
    let o = run(&["concern", "--identity", "k", "--inbox", "/nonexistent"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("needs no key or passphrase"),
        "{}",
        stderr(&o)
    );
    // The DSL's commands keep them.
    let o = run(&["list", "--help"]);
    assert!(stdout(&o).contains("--identity"), "{}", stdout(&o));
}

/// Tester2 #35: `stats --help` (and list, show, verify) offered --by as "Who is making the
/// change, for the audit trail", though they record nothing. It is hidden there, still
/// accepted (scripts give it to every command), and kept where a change is recorded.
#[test]
fn by_is_offered_only_by_commands_that_record_something() {
    for command in ["stats", "list", "show", "verify", "backups"] {
        for args in [vec![command, "--help"], vec!["help", command]] {
            let o = run(&args);
            assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
            assert!(!stdout(&o).contains("--by"), "{args:?}: {}", stdout(&o));
            assert!(!stdout(&o).contains("Who is making the change"), "{args:?}");
        }
    }
    for command in ["import", "export", "dispose", "backup"] {
        let o = run(&[command, "--help"]);
        assert!(stdout(&o).contains("--by"), "{command}: {}", stdout(&o));
    }
    let f = Fixture::new();
    let o = f.run(&["--by", "RO", "list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = f.run(&["verify", "--by", "RO"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// Tester3 #9: `logbook retention --set ... | head -0` saved the change, then said "check
/// the disk ... (nothing was changed)". A closed output pipe is named as such and says the
/// change stands.
#[test]
fn a_closed_output_pipe_after_a_saved_change_does_not_say_nothing_was_changed() {
    use std::io::Read;
    let f = Fixture::new().with_demo();
    let mut child = std::process::Command::new(BIN)
        .args([
            "--logbook",
            f.logbook.to_str().unwrap(),
            "--identity",
            f.key.to_str().unwrap(),
            "retention",
            "--set",
            "INC-2026-0005",
            "--until",
            "2060-01-01",
            "--reason",
            "Kept for the LA review",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away at once, as `head -0` does.
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    child.wait().unwrap();
    assert!(!err.contains("nothing was changed"), "{err}");
    assert!(
        err.is_empty() || err.contains("what the command saved is saved"),
        "{err}"
    );
    let o = f.run(&["retention", "--all"]);
    assert!(
        stdout(&o)
            .lines()
            .any(|l| l.contains("INC-2026-0005") && l.contains("2060-01-01")),
        "{}",
        stdout(&o)
    );
}
