//! Evidence, agency timescales and who an export is for, through the binary (tester4 #7,
//! #6 and #13): what `show` and the exports say, and a `--for` that is not one line.

mod common;

use std::fs;

use common::*;

/// The demo logbook as import takes it, with `edit` applied to its text.
fn import_edited(edit: impl Fn(String) -> String) -> Fixture {
    let f = Fixture::new();
    let text = edit(fs::read_to_string(data("demo.ron")).unwrap());
    let file = f.dir.path().join("edited.ron");
    fs::write(&file, text).unwrap();
    let o = f.run(&["import", file.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    f
}

fn export_txt(f: &Fixture, id: &str, for_whom: &str) -> String {
    let o = f.run(&[
        "export",
        id,
        "--format",
        "txt",
        "--for",
        for_whom,
        "--plaintext",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    stdout(&o)
}

/// tester4 #6: the demo's LADO referral, moved from the Monday the concern was reported to
/// the Friday, is marked in `show` and the export with how late it was and why; made the
/// same day, nothing is said.
#[test]
fn a_late_lado_referral_is_marked_in_show_and_exports_with_the_reason() {
    let on_time = Fixture::new().with_demo();
    let show = stdout(&on_time.run(&["show", "INC-2025-0007"]));
    assert!(show.contains("LADO"), "{show}");
    assert!(!show.contains("timescale"), "{show}");

    let lado = "                    agency: Lado,\n                    decision: Referred,\n                    when: \"2025-09-29T09:30:00\",";
    let f = import_edited(|text| {
        assert_eq!(text.matches(lado).count(), 1);
        text.replace(
            lado,
            &lado.replace("2025-09-29T09:30:00", "2025-10-03T09:30:00").replace(
                "decision: Referred,",
                "decision: Referred,\n                    delay_reason: \"The DSL was on a course; the deputy was not told\",",
            ),
        )
    });
    let late = "made 4 working days after the report; LADO asks for one working day";
    let o = f.run(&["show", "INC-2025-0007"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let show = stdout(&o);
    assert!(show.contains(&format!("timescale: {late}")), "{show}");
    assert!(
        show.contains("reason for delay: The DSL was on a course; the deputy was not told"),
        "{show}"
    );
    let text = export_txt(&f, "INC-2025-0007", "LADO, Northshire");
    assert!(text.contains(late), "{text}");
    assert!(text.contains("The DSL was on a course"), "{text}");
    assert_eq!(code(&f.run(&["verify"])), 0);
}

/// tester4 #7: an item saved as a possible copy of the imagery (after the app's question)
/// is marked in `show` and every export; the rest of the demo's items are not.
#[test]
fn an_item_marked_as_a_possible_copy_of_imagery_is_marked_in_show_and_exports() {
    let marker = "POSSIBLE COPY OF THE IMAGERY";
    let plain = Fixture::new().with_demo();
    for id in ["INC-2025-0005", "INC-2026-0015"] {
        assert!(!stdout(&plain.run(&["show", id])).contains(marker));
    }
    let f = import_edited(|text| {
        let start = text.find("id: \"INC-2026-0015\"").unwrap();
        let at = start
            + text[start..]
                .find("                    custody: [],")
                .unwrap();
        let mut text = text;
        text.insert_str(at, "                    imagery_copy: true,\n");
        text
    });
    let show = stdout(&f.run(&["show", "INC-2026-0015"]));
    assert_eq!(show.matches(marker).count(), 1, "{show}");
    for format in ["txt", "md", "html"] {
        let o = f.run(&[
            "export",
            "INC-2026-0015",
            "--format",
            format,
            "--for",
            "PC 3390 Hughes",
            "--plaintext",
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(stdout(&o).contains(marker), "{format}");
    }
    assert_eq!(code(&f.run(&["verify"])), 0);
}

/// tester4 #13: every export's header says who it was prepared for, in each format and for
/// a person's chronology too.
#[test]
fn every_export_says_who_it_was_prepared_for() {
    let f = Fixture::new().with_demo();
    let text = export_txt(&f, "INC-2026-0004", "PC 3390 Hughes, Northshire Police");
    assert!(
        text.contains("Prepared for:  PC 3390 Hughes, Northshire Police"),
        "{text}"
    );
    for (format, expect) in [("md", "Prepared for"), ("html", "Prepared for")] {
        let o = f.run(&[
            "export",
            "P-0001",
            "--format",
            format,
            "--for",
            "Parent of JB",
            "--plaintext",
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let out = stdout(&o);
        assert!(
            out.contains(expect) && out.contains("Parent of JB"),
            "{out}"
        );
    }
}

/// tester4 #13: `--for` with a line break, a tab or an escape sequence (a forged header
/// line, a cleared screen) is refused with one sentence, nothing written or recorded.
#[test]
fn a_for_that_is_not_one_line_of_plain_text_is_refused() {
    let f = Fixture::new().with_demo();
    let before = f.bytes();
    let out = f.dir.path().join("inc.txt");
    for bad in [
        "PC Hale\n\n# Fake heading",
        "PC Hale\u{1b}[2J",
        "PC\tHale",
        "PC Hale\u{202e}",
        "   ",
    ] {
        let o = f.run(&[
            "export",
            "INC-2026-0004",
            "--format",
            "txt",
            "--for",
            bad,
            "--plaintext",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 2, "{bad:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("(--for)"), "{err}");
        assert!(!out.exists(), "nothing written for {bad:?}");
        assert_eq!(f.bytes(), before, "nothing recorded for {bad:?}");
    }
}
