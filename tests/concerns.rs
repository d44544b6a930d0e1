//! The staff concern drop-box end to end through the binary: a member of staff writes a
//! concern with no secret; the DSL lists it, takes it in; duplicates, damaged files and
//! concerns for another logbook are set aside; the inbox file goes only after the save.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const WHAT: &str = "JB (Y9) told me \"they keep posting my photo with horrible comments\"";

/// A fixture with an inbox set up by `concern-setup`.
fn setup() -> (Fixture, PathBuf) {
    let f = Fixture::new();
    let inbox = f.dir.path().join("share").join("concerns");
    fs::create_dir_all(&inbox).unwrap();
    let o = f.run(&["concern-setup", "--inbox", inbox.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("logbook concern --inbox"),
        "{}",
        stdout(&o)
    );
    (f, inbox)
}

/// Staff write a concern with flags: no --identity, no --logbook, no passphrase.
fn write_concern(inbox: &Path, what: &str) -> String {
    let o = run(&[
        "concern",
        "--inbox",
        inbox.to_str().unwrap(),
        "--what",
        what,
        "--when",
        "today, morning break",
        "--who",
        "JB Y9",
        "--where",
        "Snapchat",
        "--did",
        "Listened; said I would pass it on",
        "--by",
        "A. Khan",
        "--role",
        "Form tutor",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    receipt_in(&stdout(&o))
}

#[test]
fn a_concern_written_without_a_secret_is_a_standard_age_file_only_the_logbook_key_opens() {
    let (f, inbox) = setup();
    // The recipients file is public and readable by all staff.
    let list = inbox.join("logbook-recipients.txt");
    assert!(fs::read_to_string(&list).unwrap().contains(&f.public));
    assert_eq!(
        fs::metadata(&list).unwrap().permissions().mode() & 0o777,
        0o644
    );
    let receipt = write_concern(&inbox, WHAT);
    let files = concern_files(&inbox);
    assert_eq!(files.len(), 1);
    let file = &files[0];
    // Readable by the DSL's account, often another computer user (finding 41): it is
    // encrypted and its name is random.
    assert_eq!(
        fs::metadata(file).unwrap().permissions().mode() & 0o777,
        0o644
    );
    // The name holds none of the concern's words, its receipt, or who wrote it.
    let name = file.file_name().unwrap().to_string_lossy().to_lowercase();
    for word in ["jb", "khan", "photo", "snapchat", "y9", "tutor"] {
        assert!(!name.contains(word), "{name} contains {word}");
    }
    assert!(!name.contains(&receipt.to_lowercase()));
    // Nothing but the concern (and the public keys) was written anywhere in the inbox.
    let all: Vec<_> = fs::read_dir(&inbox).unwrap().flatten().collect();
    assert_eq!(all.len(), 2, "{all:?}");
    let bytes = fs::read(file).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    assert!(!String::from_utf8_lossy(&bytes).contains("photo"));
    if age_cli() {
        let o = Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&f.key)
            .arg(file)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let plain = stdout(&o);
        assert!(plain.contains("safeguard-logbook staff concern"), "{plain}");
        assert!(plain.contains(&receipt), "{plain}");
        assert!(plain.contains("they keep posting my photo"), "{plain}");
        // Another key does not open it.
        let other = f.dir.path().join("other.key");
        run(&["keygen", "--unprotected", "--out", other.to_str().unwrap()]);
        let o = Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&other)
            .arg(file)
            .output()
            .unwrap();
        assert!(!o.status.success());
    }
}

#[test]
fn the_staff_command_takes_no_secret_and_reads_nothing() {
    let (f, inbox) = setup();
    let o = run(&[
        "--identity",
        f.key.to_str().unwrap(),
        "concern",
        "--inbox",
        inbox.to_str().unwrap(),
        "--what",
        WHAT,
        "--by",
        "A. Khan",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("needs no key"), "{}", stderr(&o));
    assert!(concern_files(&inbox).is_empty());
    // Without a name, or without a terminal for the form: one sentence, nothing written.
    let o = run(&[
        "concern",
        "--inbox",
        inbox.to_str().unwrap(),
        "--what",
        WHAT,
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--by NAME"), "{}", stderr(&o));
    let o = run(&["concern", "--inbox", inbox.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no terminal"), "{}", stderr(&o));
    // An inbox that was never set up says whom to ask.
    let empty = f.dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let o = run(&[
        "concern",
        "--inbox",
        empty.to_str().unwrap(),
        "--what",
        WHAT,
        "--by",
        "AK",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("ask your DSL"), "{}", stderr(&o));
    assert!(concern_files(&inbox).is_empty());
    assert!(fs::read_dir(&empty).unwrap().next().is_none());
    // A folder that is not there (a typo, a stick not plugged in) is named as such, not
    // as a folder set up wrongly (tester4 #13).
    let typo = f.dir.path().join("share/concern");
    let o = run(&[
        "concern",
        "--inbox",
        typo.to_str().unwrap(),
        "--what",
        WHAT,
        "--by",
        "AK",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains(&format!("There is no folder {}", typo.display())),
        "{}",
        stderr(&o)
    );
    assert!(
        !stderr(&o).contains("logbook-recipients.txt"),
        "{}",
        stderr(&o)
    );
    assert!(!typo.exists());
    // --to with a public key works without the recipients file.
    let o = run(&[
        "concern",
        "--to",
        &f.public,
        "--inbox",
        empty.to_str().unwrap(),
        "--what",
        WHAT,
        "--by",
        "AK",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(concern_files(&empty).len(), 1);
}

#[test]
fn a_concern_to_a_key_the_folder_does_not_name_is_refused_not_said_to_be_with_the_dsl() {
    // Tester finding 30: `--to` another key in a folder set up for this logbook was told
    // "Your concern is with the DSL", and the DSL's logbook then set it aside unread.
    let (f, inbox) = setup();
    let other = Fixture::new();
    let o = run(&[
        "concern",
        "--inbox",
        inbox.to_str().unwrap(),
        "--to",
        &other.public,
        "--what",
        "wrong key concern",
        "--by",
        "X",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!stdout(&o).contains("with the DSL"), "{}", stdout(&o));
    assert!(err.contains("is not one of the keys in"), "{err}");
    assert!(err.contains("leave out --to"), "{err}");
    assert!(concern_files(&inbox).is_empty());
    // The logbook's own key, given with --to, is taken.
    let o = run(&[
        "concern",
        "--inbox",
        inbox.to_str().unwrap(),
        "--to",
        &f.public,
        "--what",
        WHAT,
        "--by",
        "X",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(concern_files(&inbox).len(), 1);
}

#[test]
fn the_dsl_lists_takes_in_and_the_file_goes_only_after_the_save() {
    let (f, inbox) = setup();
    let first = write_concern(&inbox, WHAT);
    let second = write_concern(
        &inbox,
        "Saw a Year 7 pupil crying over messages on her phone",
    );
    let o = f.run(&["concerns"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let list = stdout(&o);
    assert!(list.starts_with("2 new concerns in"), "{list}");
    assert!(list.contains(&first) && list.contains(&second), "{list}");
    assert!(list.contains("A. Khan (Form tutor)"), "{list}");
    assert!(list.contains("JB (Y9) told me"), "{list}");
    // Listing needs the key.
    let o = run(&["--logbook", f.logbook.to_str().unwrap(), "concerns"]);
    assert_ne!(code(&o), 0);

    // Keep copies of the files, to come back as duplicates later.
    let files = concern_files(&inbox);
    let copies: Vec<Vec<u8>> = files.iter().map(|p| fs::read(p).unwrap()).collect();

    // A save that fails (the logbook on a full disk) leaves the concern in the inbox.
    {
        let disk = Mount::new("2M");
        let moved = disk.path.join("logbook.age");
        fs::copy(&f.logbook, &moved).unwrap();
        // Fill the disk, leaving less than the logbook needs.
        let size = fs::metadata(&moved).unwrap().len();
        let filler = disk.path.join("filler");
        let _ = fs::write(&filler, vec![0u8; 2 << 20]);
        assert!(fs::metadata(&moved).unwrap().len() == size);
        let o = run(&[
            "--logbook",
            moved.to_str().unwrap(),
            "--identity",
            f.key.to_str().unwrap(),
            "concerns",
            "--inbox",
            inbox.to_str().unwrap(),
            "--take",
            &first,
            "--no-further-action",
            "Known already",
            "--by",
            "RO",
        ]);
        assert_eq!(code(&o), 6, "{}{}", stdout(&o), stderr(&o));
        assert_eq!(concern_files(&inbox).len(), 2, "removed before the save");
    }

    let o = f.run(&[
        "concerns",
        "--take",
        &first,
        "--no-further-action",
        "Parent already informed; handled by head of year",
        "--by",
        "RO",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("no further action"), "{}", stdout(&o));
    assert_eq!(concern_files(&inbox).len(), 1);
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The decision is kept with the whole concern, and listed.
    let o = f.run(&["concerns", "--taken"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let taken = stdout(&o);
    assert!(taken.starts_with("1 concern taken in"), "{taken}");
    assert!(taken.contains(&first), "{taken}");
    assert!(
        taken.contains("by RO: no further action: Parent already informed"),
        "{taken}"
    );

    // The second joins an incident as evidence of kind "staff concern".
    let o = f.run(&["import", data("demo.ron").to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = f.run(&["list", "--status", "open"]);
    let inc = stdout(&o).split_whitespace().next().unwrap().to_string();
    let o = f.run(&[
        "concerns", "--take", &second, "--add-to", &inc, "--by", "RO",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(concern_files(&inbox).is_empty());
    let o = f.run(&["show", &inc]);
    let shown = stdout(&o);
    assert!(shown.contains("Staff concern"), "{shown}");
    assert!(shown.contains("crying over messages"), "{shown}");
    assert!(shown.contains(&second), "{shown}");

    // The first file comes back (a copy kept elsewhere): it is set aside, never taken in twice.
    fs::write(&files[0], &copies[0]).unwrap();
    fs::write(&files[1], &copies[1]).unwrap();
    let before = f.bytes();
    let o = f.run(&["concerns"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let said = stdout(&o);
    assert!(said.contains("was taken in already"), "{said}");
    assert!(said.contains("set-aside"), "{said}");
    assert!(said.contains("No new concerns"), "{said}");
    assert!(concern_files(&inbox).is_empty());
    assert_eq!(concern_files(&inbox.join("set-aside")).len(), 2);
    assert_eq!(f.bytes(), before, "listing changed the logbook");
}

#[test]
fn damaged_files_and_concerns_for_another_logbook_are_set_aside_with_a_message() {
    let (f, inbox) = setup();
    let good = write_concern(&inbox, WHAT);
    // A damaged concern: the tail cut off.
    write_concern(&inbox, "this one will be damaged");
    // Which file is the second: the one that is not the good one's (found with the key).
    let files = concern_files(&inbox);
    let cut = files
        .iter()
        .find(|p| {
            let o = Command::new("age")
                .arg("-d")
                .arg("-i")
                .arg(&f.key)
                .arg(p)
                .output()
                .unwrap();
            !stdout(&o).contains(&good)
        })
        .expect("the reference age CLI is installed (CI installs it)")
        .clone();
    let bytes = fs::read(&cut).unwrap();
    fs::write(&cut, &bytes[..bytes.len() - 20]).unwrap();
    // A concern for another logbook, encrypted to the same key (a DSL holding two logbooks).
    let other = Fixture::new();
    let other_inbox = other.dir.path().join("in");
    fs::create_dir(&other_inbox).unwrap();
    let o = run(&[
        "--logbook",
        other.logbook.to_str().unwrap(),
        "--identity",
        other.key.to_str().unwrap(),
        "concern-setup",
        "--inbox",
        other_inbox.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Same key as this logbook, other logbook's id.
    let list = other_inbox.join("logbook-recipients.txt");
    let text = fs::read_to_string(&list)
        .unwrap()
        .replace(&other.public, &f.public);
    fs::write(&list, text).unwrap();
    // Written into the other folder (`--to-file` it into this one is refused, finding
    // 34), then copied here as a mix-up of folders would.
    let o = run(&[
        "concern",
        "--to-file",
        list.to_str().unwrap(),
        "--what",
        "for the other school",
        "--by",
        "Z",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for p in concern_files(&other_inbox) {
        fs::rename(&p, inbox.join(p.file_name().unwrap())).unwrap();
    }
    // Something that is not age at all.
    let junk = inbox.join(format!("concern-{}.age", "ab".repeat(16)));
    fs::write(&junk, "hello").unwrap();

    let o = f.run(&["concerns"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let said = stdout(&o);
    assert!(said.contains("is damaged"), "{said}");
    assert!(said.contains("for another logbook"), "{said}");
    assert!(said.contains("1 new concern in"), "{said}");
    assert!(said.contains(&good), "{said}");
    let aside = concern_files(&inbox.join("set-aside"));
    assert_eq!(aside.len(), 3, "{said}");
    assert_eq!(concern_files(&inbox).len(), 1);
    let mode = fs::metadata(inbox.join("set-aside"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o700);
    // The set-aside files are never read again, but every later look lists them all, each
    // with why and what to do, as the app does (tester2 #35: only the run that set them
    // aside named them).
    let before: Vec<Vec<u8>> = aside.iter().map(|p| fs::read(p).unwrap()).collect();
    let o = f.run(&["concerns"]);
    let said = stdout(&o);
    assert!(said.contains("3 files set aside in"), "{said}");
    for file in &aside {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let row = said
            .lines()
            .find(|l| l.contains(&name))
            .unwrap_or_else(|| panic!("{name} is not listed: {said}"));
        assert!(row.contains("what to do"), "{row}");
        assert!(!row.contains("just now"), "{row}");
    }
    assert!(
        said.contains("is damaged") && said.contains("for another logbook"),
        "{said}"
    );
    let after: Vec<Vec<u8>> = aside.iter().map(|p| fs::read(p).unwrap()).collect();
    assert_eq!(before, after);
}

#[test]
fn a_public_keys_file_changed_in_the_shared_folder_is_reported_to_the_dsl() {
    let (f, inbox) = setup();
    let o = f.run(&["concerns"]);
    assert!(!stdout(&o).contains("Warning"), "{}", stdout(&o));
    // Someone with write access puts their own key in the folder's public keys file.
    let other = f.dir.path().join("intruder.key");
    let o = run(&["keygen", "--unprotected", "--out", other.to_str().unwrap()]);
    let intruder = stdout(&o).trim().to_string();
    let list = inbox.join("logbook-recipients.txt");
    let text = fs::read_to_string(&list)
        .unwrap()
        .replace(&f.public, &intruder);
    fs::write(&list, text).unwrap();
    let o = f.run(&["concerns"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("does not hold exactly this logbook's public keys"),
        "{}",
        stdout(&o)
    );
    // Setting the folder up again puts the logbook's keys back.
    let o = f.run(&["concern-setup", "--inbox", inbox.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = f.run(&["concerns"]);
    assert!(!stdout(&o).contains("Warning"), "{}", stdout(&o));
}

/// A refused `concern-setup` (no --by, and the key names no holder) writes nothing into
/// the folder: a folder holding the public keys looks set up to staff while the logbook
/// does not look there (tester finding 8).
#[test]
fn a_refused_concern_setup_leaves_the_folder_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("dsl.key");
    let o = run(&["keygen", "--unprotected", "--out", key.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let public = stdout(&o).trim().to_string();
    let logbook = dir.path().join("logbook.age");
    let p = |p: &Path| p.to_str().unwrap().to_string();
    let o = run(&[
        "--logbook",
        &p(&logbook),
        "--by",
        "RO",
        "init",
        "--recipient",
        &public,
        "--organisation",
        "Test School",
        "--staff",
        "RO",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let before = fs::read(&logbook).unwrap();
    let inbox = dir.path().join("inbox");
    fs::create_dir(&inbox).unwrap();
    let o = run(&[
        "--logbook",
        &p(&logbook),
        "--identity",
        &p(&key),
        "concern-setup",
        "--inbox",
        &p(&inbox),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--by"), "{}", stderr(&o));
    assert_eq!(fs::read_dir(&inbox).unwrap().count(), 0, "nothing written");
    assert_eq!(fs::read(&logbook).unwrap(), before);
}

/// Tester2 #35: the command line spoke the app's form ("choose an incident from the list",
/// "is required: fill it in"), though it has no list and no field. It names the command
/// that shows the numbers, or the option to give; the concern stays waiting.
#[test]
fn take_in_refusals_speak_of_the_command_line_not_a_form() {
    let (f, inbox) = setup();
    let f = f.with_demo();
    let receipt = write_concern(&inbox, WHAT);
    let o = f.run(&["concerns", "--take", &receipt, "--add-to", "INC-2026-0099"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("INC-2026-0099 is not in the logbook"), "{err}");
    assert!(err.contains("`logbook list` shows the numbers"), "{err}");
    assert!(!err.contains("from the list"), "{err}");

    let o = f.run(&["concerns", "--take", &receipt, "--no-further-action", " "]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("give it after --no-further-action"), "{err}");
    assert!(!err.contains("fill it in"), "{err}");

    // A closed incident: what to do, on the command line.
    let o = f.run(&["concerns", "--take", &receipt, "--add-to", "INC-2025-0001"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`logbook list --status open`"),
        "{}",
        stderr(&o)
    );
    assert_eq!(concern_files(&inbox).len(), 1, "still waiting");

    // Staff: an empty --what names the option.
    let o = run(&[
        "concern",
        "--inbox",
        inbox.to_str().unwrap(),
        "--what",
        " ",
        "--by",
        "A. Khan",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("give it after --what"), "{err}");
    assert!(!err.contains("fill it in"), "{err}");
}

/// The same for a record refused in a file being imported: corrected in the file.
#[test]
fn an_import_refusal_says_to_correct_the_file() {
    let f = Fixture::new();
    let demo = fs::read_to_string(data("demo.ron")).unwrap();
    let at = demo.find("description: \"").unwrap() + "description: \"".len();
    let end = at + demo[at..].find("\",").unwrap();
    let file = f.dir.path().join("records.ron");
    fs::write(&file, format!("{}{}", &demo[..at], &demo[end..])).unwrap();
    let o = f.run(&["import", file.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("is required: add it to"), "{err}");
    assert!(err.contains("records.ron and import it again"), "{err}");
}

/// `retention --set` with an empty reason names the option.
#[test]
fn a_retention_date_without_a_reason_names_the_option() {
    let f = Fixture::new().with_demo();
    let o = f.run(&[
        "retention",
        "--set",
        "INC-2025-0001",
        "--until",
        "2090-01-01",
        "--reason",
        " ",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("give it after --reason"),
        "{}",
        stderr(&o)
    );
}

/// Tester3 #42: `concern --help` offered `--what TEXT` with no word that the text stays in
/// the shell history of a shared school computer.
#[test]
fn the_staff_help_warns_that_words_typed_as_options_stay_in_the_shell_history() {
    let o = run(&["concern", "--help"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let help = stdout(&o);
    assert!(help.contains("stay in the shell history"), "{help}");
    assert!(help.contains("--what-file -"), "{help}");
    assert!(help.contains("For scripts only"), "{help}");
    // -h (the short help) says it too.
    let o = run(&["concern", "-h"]);
    assert!(stdout(&o).contains("shell history"), "{}", stdout(&o));
}

/// Runs `logbook concern` with `input` on a pipe.
fn concern_from_pipe(args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Tester3 #42: a script keeps the words off its command line with --what-file (a file, or
/// `-` for a pipe), kept whole, empty lines too; no history warning without a terminal; the
/// answers given as options without the words are refused in one sentence.
#[test]
fn a_script_gives_the_words_from_a_pipe_or_a_file_and_they_are_kept_whole() {
    let (f, inbox) = setup();
    let dir = inbox.to_str().unwrap();
    let words = "She showed me this message:\n\nyou better not tell anyone or else\n";
    let o = concern_from_pipe(
        &[
            "concern",
            "--inbox",
            dir,
            "--what-file",
            "-",
            "--who",
            "AB Y8",
            "--by",
            "Ms Pipe",
        ],
        words,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let said = stdout(&o);
    assert!(!said.contains("shell history"), "{said}");
    let piped = receipt_in(&said);
    let file = f.dir.path().join("words.txt");
    fs::write(&file, "From a file\n\nsecond paragraph\n").unwrap();
    let o = run(&[
        "concern",
        "--inbox",
        dir,
        "--what-file",
        file.to_str().unwrap(),
        "--by",
        "Mr File",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let filed = receipt_in(&stdout(&o));
    let o = f.run(&["concerns", "--show", &piped]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let shown = stdout(&o);
    assert!(
        shown.contains(
            "What was seen or heard:\nShe showed me this message:\n\nyou better not tell anyone or else\n\nWhen: (not given)\nWho is involved: AB Y8"
        ),
        "{shown}"
    );
    let o = f.run(&["concerns", "--show", &filed]);
    assert!(
        stdout(&o).contains("From a file\n\nsecond paragraph\n"),
        "{}",
        stdout(&o)
    );
    // Both at once, or the answers without the words: refused, nothing written.
    let before = concern_files(&inbox).len();
    let o = run(&[
        "concern",
        "--inbox",
        dir,
        "--what",
        "x",
        "--what-file",
        file.to_str().unwrap(),
        "--by",
        "A",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = run(&["concern", "--inbox", dir, "--who", "AB Y8", "--by", "A"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("go with --what-file FILE"),
        "{}",
        stderr(&o)
    );
    assert_eq!(concern_files(&inbox).len(), before);
}

/// Tester3 #43: a concern could not be read whole on the command line before deciding, nor
/// after "no further action"; and it could never join an incident later.
#[test]
fn a_concern_is_read_whole_before_and_after_and_a_no_further_action_one_joins_an_incident_later() {
    let (f, inbox) = setup();
    let f = f.with_demo();
    let long = format!("{WHAT}, and then a long second sentence that a list would cut short.");
    let receipt = write_concern(&inbox, &long);
    // Waiting: printed whole, with what to do.
    let o = f.run(&["concerns", "--show", &receipt.to_lowercase()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let shown = stdout(&o);
    assert!(shown.contains(&long), "{shown}");
    assert!(shown.contains("not yet taken in"), "{shown}");
    assert!(shown.contains("What I did: Listened"), "{shown}");
    assert!(
        shown.contains("When: today, morning break (written "),
        "{shown}"
    );
    let o = f.run(&[
        "concerns",
        "--take",
        &receipt,
        "--no-further-action",
        "Looked like a game advert",
        "--by",
        "RO",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Taken in: still read whole, with the decision.
    let o = f.run(&["concerns", "--show", &receipt]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let shown = stdout(&o);
    assert!(shown.contains(&long), "{shown}");
    assert!(
        shown.contains(
            "Decision: no further action. Reason: Looked like a game advert\n  by RO on "
        ),
        "{shown}"
    );
    // Later, it joins an incident: a reason is required.
    let o = f.run(&["list", "--status", "open"]);
    let inc = stdout(&o).split_whitespace().next().unwrap().to_string();
    let before = f.bytes();
    let o = f.run(&[
        "concerns", "--take", &receipt, "--add-to", &inc, "--by", "RO",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("give it after --reason"),
        "{}",
        stderr(&o)
    );
    assert_eq!(f.bytes(), before);
    let o = f.run(&[
        "concerns",
        "--take",
        &receipt,
        "--add-to",
        &inc,
        "--reason",
        "A second concern names the same sender",
        "--by",
        "RO",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("as evidence EV-"), "{}", stdout(&o));
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = f.run(&["show", &inc]);
    let shown = stdout(&o);
    assert!(shown.contains("Staff concern"), "{shown}");
    assert!(shown.contains(&receipt), "{shown}");
    let o = f.run(&["concerns", "--show", &receipt]);
    let shown = stdout(&o);
    assert!(
        shown.contains(&format!("Decision: added to {inc} as evidence EV-")),
        "{shown}"
    );
    assert!(
        shown.contains("Earlier decision: no further action. Reason: Looked like a game advert"),
        "{shown}"
    );
    assert!(
        shown.contains("Why: A second concern names the same sender"),
        "{shown}"
    );
    let o = f.run(&["concerns", "--taken"]);
    assert!(
        stdout(&o).contains("(at first: no further action: Looked like a game advert)"),
        "{}",
        stdout(&o)
    );
    // Not added twice.
    let o = f.run(&[
        "concerns", "--take", &receipt, "--add-to", &inc, "--reason", "again", "--by", "RO",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("taken in already"), "{}", stderr(&o));
    // A receipt neither waiting nor taken in.
    let o = f.run(&["concerns", "--show", "C-2222-2222"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("nor taken in"), "{}", stderr(&o));
}
