//! Records that leave the logbook, through the binary: exports never leak by accident,
//! every export is an audit entry and `verify` still passes, an encrypted export opens with
//! the `age` CLI, and statistics hold no person, initials or reference and no small count.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::*;

const BANNER: &str = "CONFIDENTIAL - safeguarding record";

fn demo() -> Fixture {
    Fixture::new().with_demo()
}

/// The audit entries `show` lists for an incident that record an export.
fn export_entries(f: &Fixture, id: &str) -> Vec<String> {
    let o = f.run(&["show", id]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    stdout(&o)
        .lines()
        .filter(|l| l.contains("exported "))
        .map(String::from)
        .collect()
}

fn verify(f: &Fixture) {
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 0, "verify after export: {}", stderr(&o));
}

#[test]
fn a_plaintext_export_to_a_file_needs_plaintext_and_nothing_is_written_without() {
    let f = demo();
    let before = f.bytes();
    let out = f.dir.path().join("inc.md");
    let o = f.run(&[
        "export",
        "INC-2026-0004",
        "--format",
        "md",
        "--for",
        "MASH",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--plaintext"), "{}", stderr(&o));
    assert!(!out.exists(), "no file without --plaintext");
    assert_eq!(f.bytes(), before, "the logbook is unchanged");

    // Standard output here is a pipe, not a terminal: also refused without --plaintext.
    let o = f.run(&["export", "INC-2026-0004", "--format", "md", "--for", "MASH"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "nothing reaches the pipe");
    assert!(stderr(&o).contains("not a terminal"), "{}", stderr(&o));
    assert_eq!(f.bytes(), before);

    let o = f.run(&[
        "export",
        "INC-2026-0004",
        "--format",
        "md",
        "--for",
        "MASH",
        "--plaintext",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "an export is owner-only");
    let text = fs::read_to_string(&out).unwrap();
    assert!(text.starts_with(&format!("**{BANNER}**")), "{text}");
    assert!(text.contains("# Incident chronology: INC-2026-0004"));
    let entries = export_entries(&f, "INC-2026-0004");
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(
        entries[0].contains("incident chronology as Markdown for MASH: plaintext file"),
        "{}",
        entries[0]
    );
    verify(&f);

    // Never over an existing file.
    let o = f.run(&[
        "export",
        "INC-2026-0004",
        "--format",
        "txt",
        "--for",
        "MASH",
        "--plaintext",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    // Tester finding 21: the advice is an export's, not "or open it instead".
    assert!(
        stderr(&o).contains("already exists: give another --out path"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), text);
}

#[test]
fn plaintext_to_standard_output_is_allowed_with_plaintext_and_audited() {
    let f = demo();
    let o = f.run(&[
        "export",
        "INC-2025-0001",
        "--format",
        "txt",
        "--for",
        "Case review",
        "--plaintext",
        "--without",
        "history",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with(BANNER) && text.trim_end().ends_with(BANNER));
    assert!(text.contains("left out: history"), "{text}");
    assert!(!text.contains("Audit trail"));
    let entries = export_entries(&f, "INC-2025-0001");
    assert!(
        entries[0].contains("without history for Case review: plaintext to standard output"),
        "{entries:?}"
    );
    verify(&f);
}

#[test]
fn an_encrypted_export_opens_with_age_and_is_audited() {
    if !age_cli() {
        panic!("these tests need the age CLI (`bash .ci/run` installs it)");
    }
    let f = demo();
    let reader = f.dir.path().join("police.key");
    let o = run(&["keygen", "--unprotected", "--out", reader.to_str().unwrap()]);
    let police = stdout(&o).trim().to_string();
    let out = f.dir.path().join("inc.html.age");
    let o = f.run(&[
        "export",
        "INC-2026-0004",
        "--format",
        "html",
        "--for",
        "PC 2231 Hale",
        "--recipient",
        &police,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let sealed = fs::read(&out).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1\n"));
    assert!(!String::from_utf8_lossy(&sealed).contains("Ruby"));
    let opened = Command::new("age")
        .args(["-d", "-i"])
        .arg(&reader)
        .arg(&out)
        .output()
        .unwrap();
    assert!(opened.status.success(), "{}", stderr(&opened));
    let page = String::from_utf8(opened.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("Incident chronology: INC-2026-0004"));
    // The logbook's own key does not open it: only the recipients given.
    let o = Command::new("age")
        .args(["-d", "-i"])
        .arg(&f.key)
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let entries = export_entries(&f, "INC-2026-0004");
    assert!(
        entries[0].contains("as HTML for PC 2231 Hale: age file") && entries[0].contains(&police),
        "{entries:?}"
    );
    verify(&f);

    // An encrypted export needs a file to go to.
    let o = f.run(&[
        "export",
        "INC-2026-0004",
        "--format",
        "html",
        "--for",
        "x",
        "--recipient",
        &police,
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn a_person_chronology_with_others_anonymised() {
    let f = demo();
    let book = logbook::demo::logbook().unwrap();
    // A person who shares an incident with someone else.
    let inc = book.incidents.iter().find(|i| i.people.len() >= 2).unwrap();
    let who = &inc.people[0].person;
    let others: Vec<&logbook::model::Person> = inc
        .people
        .iter()
        .skip(1)
        .filter_map(|p| book.person(&p.person))
        .filter(|p| p.id != *who)
        .collect();
    let o = f.run(&[
        "export",
        who,
        "--format",
        "md",
        "--for",
        "Parent",
        "--plaintext",
        "--anonymise-others",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("| Date | Significant event | Source | Impact on the child | Action taken | Outcome / review |"), "{text}");
    assert!(text.contains("other people shown only by role and age group"));
    for p in others {
        assert!(!text.contains(&p.id), "{} named", p.id);
    }
    let o = f.run(&["verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// Tester3 #31: on the command line a person's chronology named every other child unless
/// --anonymise-others was given, while the app's anonymises by default. Now the same safe
/// default; --name-others names them and the header and audit entry say so.
#[test]
fn a_person_chronology_anonymises_others_by_default_and_names_them_only_when_asked() {
    let f = demo();
    let book = logbook::demo::logbook().unwrap();
    let inc = book
        .incidents
        .iter()
        .find(|i| {
            i.people.len() >= 2
                && i.people
                    .iter()
                    .filter(|p| book.person(&p.person).is_some())
                    .count()
                    >= 2
        })
        .unwrap();
    let who = inc.people[0].person.clone();
    let others: Vec<String> = inc
        .people
        .iter()
        .filter(|p| p.person != who)
        .filter_map(|p| book.person(&p.person))
        .map(|p| p.reference.clone())
        .collect();
    assert!(!others.is_empty());
    let export = |extra: &[&str]| {
        let mut args = vec![
            "export",
            who.as_str(),
            "--format",
            "txt",
            "--for",
            "Parent",
            "--plaintext",
        ];
        args.extend_from_slice(extra);
        let o = f.run(&args);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        stdout(&o)
    };
    let text = export(&[]);
    assert!(
        text.contains("other people shown only by role and age group"),
        "{text}"
    );
    for p in &others {
        assert!(!text.contains(p.as_str()), "{p} named by default:\n{text}");
    }
    let text = export(&["--name-others"]);
    assert!(text.contains("as asked (--name-others)"), "{text}");
    assert!(others.iter().any(|p| text.contains(p.as_str())), "{text}");
    // Only for a person; and not together with --anonymise-others.
    let o = f.run(&[
        "export",
        "INC-2026-0004",
        "--format",
        "txt",
        "--for",
        "x",
        "--plaintext",
        "--name-others",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = f.run(&[
        "export",
        &who,
        "--format",
        "txt",
        "--for",
        "x",
        "--plaintext",
        "--name-others",
        "--anonymise-others",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    verify(&f);
}

#[test]
fn an_unknown_record_or_an_empty_for_is_refused_with_the_logbook_unchanged() {
    let f = demo();
    let before = f.bytes();
    for args in [
        [
            "export",
            "INC-2020-0001",
            "--format",
            "md",
            "--for",
            "x",
            "--plaintext",
        ],
        [
            "export",
            "P-9999",
            "--format",
            "md",
            "--for",
            "x",
            "--plaintext",
        ],
        [
            "export",
            "INC-2026-0004",
            "--format",
            "md",
            "--for",
            " ",
            "--plaintext",
        ],
    ] {
        let o = f.run(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o).lines().count(), 1, "one sentence");
        assert!(stdout(&o).is_empty());
    }
    assert_eq!(f.bytes(), before);
}

/// Whether `needle` stands in `text` as a whole word or phrase.
fn mentions(text: &str, needle: &str) -> bool {
    text.match_indices(needle).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + needle.len()..].chars().next();
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
    })
}

#[test]
fn statistics_name_no_one_and_suppress_small_counts_in_every_format() {
    let f = demo();
    let book = logbook::demo::logbook().unwrap();
    let mut secrets: Vec<String> = Vec::new();
    for p in &book.people {
        secrets.push(p.id.clone());
        secrets.push(p.reference.clone());
    }
    for i in &book.incidents {
        secrets.push(i.id.clone());
        secrets.push(i.reported_by.clone());
        secrets.push(i.recorded_by.clone());
        for r in &i.reports {
            secrets.extend([r.reference.clone(), r.contact.clone(), r.by.clone()]);
        }
    }
    secrets.extend(book.settings.staff.iter().cloned());
    secrets.retain(|s| !s.trim().is_empty());
    for format in ["text", "csv", "md", "html"] {
        let o = f.run(&["stats", "--format", format]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let text = stdout(&o);
        for s in &secrets {
            assert!(!mentions(&text, s), "{format} statistics mention {s:?}");
        }
        assert!(
            text.contains("<5") || text.contains("&lt;5"),
            "{format}: {text}"
        );
        // No count from 1 to 4 anywhere as a table cell.
        for n in 1..5 {
            for cell in [
                format!("| {n} |"),
                format!(",\"{n}\""),
                format!("<td>{n}</td>"),
            ] {
                assert!(!text.contains(&cell), "{format} shows a count of {n}");
            }
        }
    }
    let o = f.run(&["stats", "--from", "2026-01-01", "--to", "2026-06-30"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("2026-01-01 to 2026-06-30"));
    let o = f.run(&["stats", "--from", "2026-02-30"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn an_export_whose_audit_entry_cannot_be_saved_is_removed_again() {
    // The logbook on a full disk (a small tmpfs; needs root, as CI has): the export is
    // written elsewhere, then saving its audit entry fails, so the export must go.
    let f = demo();
    let disk = Mount::new("1m");
    let logbook = disk.path.join("logbook.age");
    fs::copy(&f.logbook, &logbook).unwrap();
    fs::write(disk.path.join("logbook.lock"), b"").unwrap();
    let before = fs::read(&logbook).unwrap();
    {
        use std::io::Write;
        let mut filler = fs::File::create(disk.path.join("filler")).unwrap();
        let chunk = vec![0u8; 4096];
        while filler.write_all(&chunk).is_ok() {}
        let _ = filler.sync_all();
    }
    let out = f.dir.path().join("inc.md");
    let o = run(&[
        "--logbook",
        logbook.to_str().unwrap(),
        "--identity",
        f.key.to_str().unwrap(),
        "export",
        "INC-2026-0004",
        "--format",
        "md",
        "--for",
        "MASH",
        "--plaintext",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 6, "{}", stderr(&o));
    assert!(
        !out.exists(),
        "an export without its audit entry is removed"
    );
    assert_eq!(
        fs::read(&logbook).unwrap(),
        before,
        "the logbook is unchanged"
    );
}

/// Tester4 #5: a person's chronology gave an incident's approximate time as exact
/// ("2026-11-20 19:30"), while the incident's own export says "(approximately)". Every
/// format now marks it so.
#[test]
fn a_person_chronology_marks_an_approximate_time_in_every_format() {
    let f = demo();
    let book = logbook::demo::logbook().unwrap();
    let inc = book
        .incidents
        .iter()
        .find(|i| i.occurred_approximate && i.error.is_none() && !i.people.is_empty())
        .expect("the demo has an approximate time on a case with people");
    let who = &inc.people[0].person;
    let exact = logbook::present::when(inc.occurred);
    for format in ["txt", "md", "html"] {
        let o = f.run(&[
            "export",
            who,
            "--format",
            format,
            "--for",
            "Parent",
            "--plaintext",
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let text = stdout(&o);
        let marked = format!("{exact} (approximately)");
        assert!(text.contains(&marked), "{format}: no {marked:?} in\n{text}");
        // Nowhere is the estimate given as exact.
        assert_eq!(
            text.matches(&exact).count(),
            text.matches(&marked).count(),
            "{format}: {exact} given as exact in\n{text}"
        );
    }
}
