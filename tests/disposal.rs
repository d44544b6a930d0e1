//! Disposal removes a record's content from the whole logbook, as the certificate says
//! (tester3 #5, #6): the audit entries about it are emptied (the reason an entry was
//! marked in error, to whom it was exported), the people linked to it alone go with it,
//! `logbook verify` still passes, and `age -d` of the logbook finds no trace of any of it.
//! Through the binaries: `logbook`, the `age` CLI, and the app in tmux.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::tmux::Tmux;
use common::*;

fn ok(o: &std::process::Output) -> String {
    assert_eq!(code(o), 0, "{}", stderr(o));
    stdout(o)
}

/// The logbook's plaintext, as anyone with the key reads it with the age CLI.
fn decrypted(f: &Fixture) -> String {
    let o = Command::new("age")
        .args([
            "-d",
            "-i",
            f.key.to_str().unwrap(),
            f.logbook.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// Three records closed in 2016; INC-2016-0001 (P-0001 "AB", an adult) is past its date.
fn old_records() -> Fixture {
    if !age_cli() {
        panic!("these tests need the age CLI (`bash .ci/run` installs it)");
    }
    let f = Fixture::new();
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/old-records.ron");
    ok(&f.run(&["import", file.to_str().unwrap()]));
    f
}

#[test]
fn a_disposed_record_leaves_no_trace_in_the_trail_and_its_only_person_goes_with_it() {
    let f = old_records();
    // An export names its recipient in the trail.
    let out = f.dir.path().join("inc1.txt");
    ok(&f.run(&[
        "export",
        "INC-2016-0001",
        "--format",
        "txt",
        "--for",
        "PC 2231 Hale, phone 07700 900123",
        "--plaintext",
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(decrypted(&f).contains("07700 900123"));

    let text = ok(&f.run(&[
        "dispose",
        "INC-2016-0001",
        "--reason",
        "Annual retention review",
        "--yes",
    ]));
    assert!(
        text.contains("P-0001 is linked to no other incident and was disposed of with it"),
        "{text}"
    );
    assert!(
        text.contains("Kept of each: its number, the date, who disposed of it, the retention rule and the reason."),
        "{text}"
    );
    assert!(
        text.contains("Backups made before now still hold these records"),
        "{text}"
    );
    let verified = ok(&f.run(&["verify"]));
    assert!(verified.contains("is sound"), "{verified}");

    let plain = decrypted(&f);
    for trace in [
        "07700",
        "Hale",
        "Secret adult fraud details",
        "Resolved adult",
        "\"AB\"",
    ] {
        assert!(!plain.contains(trace), "the logbook still holds {trace}");
    }
    // The other records and their people stay whole.
    assert!(plain.contains("Secret child bullying details") && plain.contains("CD (Y9)"));
    assert!(plain.contains("linked to no other incident: disposed of with INC-2016-0001"));

    // The certificate says what is kept and what is not, and it is now true.
    let cert = ok(&f.run(&[
        "certificate",
        "--all",
        "--format",
        "txt",
        "--for",
        "Chair of governors",
        "--plaintext",
    ]));
    assert!(!cert.contains("nothing of its content is"), "{cert}");
    assert!(cert.contains("Of each, the logbook keeps only what this certificate shows"));
    assert!(
        cert.contains("P-0001") && cert.contains("INC-2016-0001"),
        "{cert}"
    );
    assert!(!cert.contains("Hale") && !cert.contains("\"AB\""), "{cert}");
    ok(&f.run(&["verify"]));
}

/// Tester3 #5's own steps: in the app, INC-2016-0001 is marked entered in error with a
/// reason naming someone and their phone number; then it is disposed of.
#[test]
fn a_reason_typed_in_the_app_is_gone_after_disposal() {
    let f = old_records();
    let t = Tmux::start(&format!(
        "exec {BIN} --logbook {} --identity {}",
        f.logbook.display(),
        f.key.display()
    ));
    t.wait_for("Key file:");
    t.keys(&["Enter"]);
    t.wait_for("1 Open");
    t.keys(&["4"]);
    t.wait_for("INC-2016-0001");
    t.keys(&["G", "Enter"]);
    t.wait_for("INC-2016-0001");
    t.keys(&["x"]);
    t.wait_for("as entered in error");
    t.text("Duplicate: WX is Wendy Xu, volunteer, phone 07700 900123");
    t.keys(&["C-s"]);
    t.wait_for("marked entered in error");
    t.keys(&["q"]);
    t.wait_exit();
    assert!(decrypted(&f).contains("Wendy Xu"));

    ok(&f.run(&[
        "dispose",
        "INC-2016-0001",
        "--reason",
        "Annual retention review",
        "--yes",
    ]));
    ok(&f.run(&["verify"]));
    let plain = decrypted(&f);
    for trace in ["Wendy", "07700", "Secret adult fraud details"] {
        assert!(!plain.contains(trace), "the logbook still holds {trace}");
    }
}

/// Tester4 #24 and #25: a disposal does not reach the copy a restore kept beside the
/// logbook, nor the unencrypted exports written before it. `retention` and `dispose` name
/// the copy (and how to remove it), `dispose` lists the plaintext exports the trail knows
/// of, with whether each file is still there, before their entries are emptied, and the
/// certificate names the copy among what it does not cover.
#[test]
fn disposal_names_the_restore_copies_and_the_plaintext_exports_it_does_not_reach() {
    let f = old_records();
    let export = |name: &str, format: &str, whom: &str| {
        let out = f.dir.path().join(name);
        ok(&f.run(&[
            "export",
            "INC-2016-0001",
            "--format",
            format,
            "--for",
            whom,
            "--plaintext",
            "--out",
            out.to_str().unwrap(),
        ]));
        out
    };
    let html = export("inc1.html", "html", "PC 3390 Hughes");
    let md = export("inc1.md", "md", "MASH");
    // The Markdown copy was destroyed already; the HTML one is still on disk.
    std::fs::remove_file(&md).unwrap();
    let usb = f.dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    ok(&f.run(&["backup", "--to", usb.to_str().unwrap(), "--allow-same-disk"]));
    let backup = backups_in(&usb).remove(0);
    ok(&f.run(&["restore", backup.to_str().unwrap(), "--yes"]));
    let copy = std::fs::read_dir(f.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("logbook.age.before-restore-"))
        .expect("the restore keeps the replaced logbook");

    let text = ok(&f.run(&["retention"]));
    assert!(text.contains(&copy), "{text}");
    let held = text
        .lines()
        .find(|l| l.contains(&copy) && l.contains("may hold"))
        .unwrap_or_default();
    assert!(held.contains("INC-2016-0001"), "{text}");

    let text = ok(&f.run(&[
        "dispose",
        "INC-2016-0001",
        "--reason",
        "Annual retention review",
        "--yes",
    ]));
    assert!(
        text.contains(&format!(
            "{} (HTML of INC-2016-0001, exported ",
            html.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(", for PC 3390 Hughes) is still on this computer: destroy it."),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} (Markdown of INC-2016-0001", md.display())),
        "{text}"
    );
    assert!(
        text.contains("for MASH) is no longer there (destroyed or moved)."),
        "{text}"
    );
    assert!(text.contains("Copies already sent to others"), "{text}");
    assert!(text.contains(&copy), "{text}");
    assert!(text.contains("may hold INC-2016-0001, P-0001"), "{text}");
    assert!(
        text.contains(&format!("rm -- '{}", f.dir.path().display())),
        "{text}"
    );
    // Nothing is removed without the DSL: the copy and the export are where they were.
    assert!(f.dir.path().join(&copy).exists());
    assert!(html.exists());
    // The trail no longer knows the exports: it was the last chance to list them.
    assert!(!decrypted(&f).contains("inc1.html"));

    let cert = f.dir.path().join("cert.txt");
    ok(&f.run(&[
        "certificate",
        "INC-2016-0001",
        "--format",
        "txt",
        "--for",
        "Governors",
        "--plaintext",
        "--out",
        cert.to_str().unwrap(),
    ]));
    let cert = std::fs::read_to_string(&cert).unwrap();
    let flat = cert.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(&copy), "{cert}");
    assert!(
        flat.contains("are not reached by it and must be destroyed by whoever holds them"),
        "{cert}"
    );
}
