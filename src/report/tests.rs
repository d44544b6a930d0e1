//! The exports of the demo logbook at the demo clock: insta snapshots in `snapshots/` of
//! the Markdown of two incidents, a person's chronology and the statistics, and checks that
//! the HTML is one well-formed, self-contained page.

use super::*;
use crate::model::Logbook;

fn demo() -> Logbook {
    crate::demo::logbook().unwrap()
}

fn export() -> Export {
    Export::new("RO", crate::demo::demo_now())
}

fn snap(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

/// The person named in most incidents.
fn busiest(book: &Logbook) -> String {
    book.people
        .iter()
        .max_by_key(|p| {
            book.incidents
                .iter()
                .filter(|i| i.people.iter().any(|x| x.person == p.id))
                .count()
        })
        .unwrap()
        .id
        .clone()
}

#[test]
fn markdown_of_two_demo_incidents() {
    let book = demo();
    for id in ["INC-2026-0004", "INC-2025-0001"] {
        let inc = book.incident(id).unwrap();
        snap(
            &format!("export-{id}-md"),
            &Format::Md.render(&incident(&book, inc, &export())),
        );
    }
}

#[test]
fn markdown_of_a_person_chronology() {
    let book = demo();
    let who = book.person(&busiest(&book)).unwrap();
    snap(
        "export-person-chronology-md",
        &Format::Md.render(&person(&book, who, &export())),
    );
}

#[test]
fn statistics_text() {
    let book = demo();
    let today = crate::demo::demo_now();
    let s = stats::compute(&book, None, None, today.date());
    snap(
        "stats-text",
        &Format::Txt.render(&stats::doc(&s, &book.settings.organisation, today)),
    );
}

/// Parses the page as XML: every element closed, every entity known, one root.
fn well_formed(page: &str) {
    let body = page
        .strip_prefix("<!DOCTYPE html>\n")
        .expect("an HTML5 doctype");
    let mut reader = quick_xml::Reader::from_str(body);
    let mut depth = 0i32;
    let mut roots = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
                let name = e.name();
                assert_ne!(name.as_ref(), b"script", "no scripts");
                assert_ne!(name.as_ref(), b"link", "no external stylesheets");
                assert_ne!(name.as_ref(), b"img", "no images");
            }
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Text(t)) => {
                t.decode().expect("text decodes");
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    assert_eq!(roots, 1, "one root element");
}

#[test]
fn html_exports_are_well_formed_self_contained_pages_for_print() {
    let mut book = demo();
    // Hostile text in a record must stay text.
    book.incidents[0].description =
        "a <b>tag</b> & \"quotes\" \u{1b}]52;c;x\u{7} \u{202e}cod.exe </p></html>".into();
    let who = busiest(&book);
    let pages = [
        Format::Html.render(&incident(&book, &book.incidents[0], &export())),
        Format::Html.render(&person(&book, book.person(&who).unwrap(), &export())),
        Format::Html.render(&stats::doc(
            &stats::compute(&book, None, None, crate::demo::demo_now().date()),
            "Org",
            crate::demo::demo_now(),
        )),
    ];
    for page in &pages {
        well_formed(page);
        assert!(!page.contains("http://") || page.contains("http://www.w3.org/1999/xhtml"));
        assert!(!page.contains("https://") && !page.contains("src="));
        for rule in [
            "size: A4",
            "counter(page)",
            "break-inside: avoid",
            "table-header-group",
        ] {
            assert!(page.contains(rule), "print CSS lacks {rule}");
        }
        assert!(page.matches(BANNER).count() >= 4);
    }
    assert!(pages[0].contains("&lt;b&gt;tag&lt;/b&gt; &amp; &quot;quotes&quot;"));
    assert!(!pages[0].contains('\u{1b}') && !pages[0].contains('\u{202e}'));
}

#[test]
fn an_incident_export_holds_every_part_of_the_record() {
    let book = demo();
    let inc = book.incident("INC-2026-0004").unwrap();
    let text = Format::Txt.render(&incident(&book, inc, &export()));
    for e in &inc.evidence {
        assert!(text.contains(&e.kept_at), "{}", e.kept_at);
        if let Some(f) = &e.file {
            assert!(text.contains(&f.sha256) && text.contains(&f.size.to_string()));
        }
        for c in &e.custody {
            assert!(text.contains(&c.event));
        }
    }
    for r in &inc.reports {
        assert!(text.contains(r.agency.label()));
        for v in [&r.reference, &r.outcome, &r.reason] {
            assert!(text.contains(v.as_str()), "{v}");
        }
    }
    for c in &inc.checklist {
        assert!(text.contains(&c.step));
    }
    for p in &inc.people {
        let reference = &book.person(&p.person).unwrap().reference;
        assert!(text.contains(reference.as_str()));
    }
    let entries = book
        .audit
        .iter()
        .filter(|e| e.subject == crate::model::Subject::Incident(inc.id.clone()));
    for e in entries {
        assert!(text.contains(&format!("#{}", e.seq)));
    }
    assert!(text.contains("Exported by") && text.contains("Test") || text.contains("Organisation"));
}

#[test]
fn leaving_out_sections_and_anonymising_others_is_said_in_the_header() {
    let book = demo();
    let inc = book
        .incidents
        .iter()
        .find(|i| i.people.len() >= 2 && !i.evidence.is_empty())
        .unwrap();
    let about = inc.people[0].person.clone();
    let mut ex = export();
    ex.without = vec![Section::History, Section::Evidence];
    ex.anonymise_others = true;
    ex.about = Some(about.clone());
    let text = Format::Txt.render(&incident(&book, inc, &ex));
    assert!(text.contains("left out: evidence, history"), "{text}");
    assert!(text.contains("other people shown only by role and age group"));
    assert!(!text.contains("Audit trail"));
    assert!(!text.contains(&inc.evidence[0].kept_at));
    let named = book.person(&about).unwrap();
    assert!(text.contains(&named.reference));
    for other in inc.people.iter().skip(1) {
        let p = book.person(&other.person).unwrap();
        if p.id != about {
            assert!(!text.contains(&p.id), "{} still named", p.id);
            assert!(!text.contains(&p.reference), "{} still named", p.reference);
            assert!(text.contains(another(p.age_group)));
        }
    }
}

#[test]
fn anonymising_also_catches_a_reference_written_without_its_year_group() {
    let book = demo();
    let mut ex = export();
    ex.anonymise_others = true;
    let who = book.person("P-0021").unwrap();
    let text = Format::Txt.render(&person(&book, who, &ex));
    // "Harvey J. (Y9)" and "Zara Q. (Y9)" appear as such and as "Harvey J." in the record.
    for other in ["Harvey J.", "Zara Q."] {
        assert!(!text.contains(other), "{other} still named");
    }
    assert!(
        text.contains("Olivia N."),
        "the person it is about stays named"
    );
}

/// The demo's first incident with an overdue review, that review cancelled.
pub(crate) fn with_overdue_review_cancelled() -> (Logbook, crate::model::Incident, String) {
    let book = demo();
    let today = crate::demo::demo_now().date();
    let mut inc = book
        .incidents
        .iter()
        .find(|i| i.is_overdue(today))
        .map(|i| (**i).clone())
        .unwrap();
    let n = inc
        .reviews
        .iter()
        .position(|r| crate::present::review_overdue(r, &inc, today))
        .unwrap();
    inc.reviews[n].cancelled = Some(crate::model::EnteredInError {
        when: crate::demo::demo_now(),
        by: "RO".into(),
        reason: "replaced by the multi-agency review".into(),
    });
    let rv = inc.reviews[n].id.clone();
    (book, inc, rv)
}

#[test]
fn a_review_cancelled_before_it_was_held_is_not_listed_as_owed() {
    let (book, inc, rv) = with_overdue_review_cancelled();
    let text = Format::Txt.render(&incident(&book, &inc, &export()));
    // Its cancellation is in the chronology; it is not in what is still to do.
    let owed = text.split("Still to do").nth(1).unwrap_or("");
    assert!(!owed.contains(&format!("Review {rv}")), "{text}");
}

/// A description as a DSL types it: paragraphs, a network path, quotes and a question.
const TYPED: &str =
    "AB (Y8) received \"you're dead\" messages?\n\nSecond paragraph: saved to \\\\srv\\dsl\\AB.";

/// Every export (incident and person; txt, md and html) of an incident whose description
/// is `TYPED`, with the format's name.
fn exports_of_typed_text() -> Vec<(String, String)> {
    let mut book = demo();
    let who = busiest(&book);
    let n = book
        .incidents
        .iter()
        .position(|i| i.people.iter().any(|p| p.person == who))
        .unwrap();
    let mut inc = (*book.incidents[n]).clone();
    inc.description = TYPED.into();
    book.incidents[n] = crate::model::Shared::new(inc.clone());
    let person_doc = person(&book, book.person(&who).unwrap(), &export());
    let incident_doc = incident(&book, &inc, &export());
    let mut out = Vec::new();
    for f in [Format::Txt, Format::Md, Format::Html] {
        out.push((format!("person {}", f.name()), f.render(&person_doc)));
        out.push((format!("incident {}", f.name()), f.render(&incident_doc)));
    }
    out
}

#[test]
fn paragraphs_paths_quotes_and_questions_come_out_as_typed_in_every_export() {
    for (what, text) in exports_of_typed_text() {
        assert!(!text.contains("\\n"), "{what}: a literal \\n\n{text}");
        assert!(text.contains("Second paragraph"), "{what}");
        if what.ends_with("plain text") {
            assert!(text.contains("\"you're dead\" messages?"), "{what}\n{text}");
            assert!(text.contains("\\\\srv\\dsl\\AB."), "{what}\n{text}");
            // Each paragraph on a line of its own.
            assert!(
                text.lines()
                    .any(|l| l.trim_start().starts_with("Second paragraph")),
                "{what}\n{text}"
            );
        }
        if what.ends_with("HTML") {
            assert!(
                text.contains("&quot;you&#39;re dead&quot; messages?"),
                "{what}"
            );
            assert!(text.contains("\\\\srv\\dsl\\AB."), "{what}");
        }
        if what.ends_with("Markdown") {
            // Markdown reads `\\` as one backslash: the rendered page shows the path typed.
            assert!(text.contains("\"you're dead\" messages?"), "{what}");
            assert!(text.contains("\\\\\\srv\\dsl\\AB."), "{what}\n{text}");
        }
    }
}

#[test]
fn others_by_role_replaces_every_recorded_initials_and_says_what_it_left() {
    let mut book = demo();
    let n = book
        .incidents
        .iter()
        .position(|i| i.people.len() >= 2)
        .unwrap();
    let mut inc = (*book.incidents[n]).clone();
    let about = inc.people[0].person.clone();
    let other = inc.people[1].person.clone();
    let k = book.people.iter().position(|p| p.id == other).unwrap();
    let mut p = (*book.people[k]).clone();
    p.reference = "Mr GH (PE teacher)".into();
    p.age_group = crate::model::AgeGroup::Staff;
    book.people[k] = crate::model::Shared::new(p);
    inc.description = "Mr GH (PE teacher) saw it. GH not to be told yet. \
Source: Snapchat user GH_99, see GHOST."
        .into();
    book.incidents[n] = crate::model::Shared::new(inc.clone());
    let mut ex = export();
    ex.anonymise_others = true;
    ex.about = Some(about);
    let text = Format::Txt.render(&incident(&book, &inc, &ex));
    assert!(text.contains("A member of staff saw it"), "{text}");
    assert!(
        text.contains("A member of staff not to be told yet"),
        "{text}"
    );
    // A username and a longer word are not the person's initials; the header says so.
    assert!(text.contains("GH_99") && text.contains("GHOST"), "{text}");
    assert!(!text.contains("free text is as recorded"), "{text}");
    assert!(text.contains("NOT replaced: usernames"), "{text}");
    assert!(
        text.contains("Check the free text before sending"),
        "{text}"
    );
}

#[test]
fn a_closed_case_offers_no_review_to_hold_in_its_export() {
    let mut book = demo();
    let today = crate::demo::demo_now().date();
    let id = book
        .incidents
        .iter()
        .find(|i| i.is_overdue(today))
        .unwrap()
        .id
        .clone();
    let stamp = crate::model::Stamp::new(
        "RO",
        chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:00+00:00").unwrap(),
    );
    book.close_case(&stamp, &id, "Resolved with parents", true)
        .unwrap();
    let inc = book.incident(&id).unwrap();
    let text = Format::Txt.render(&incident(&book, inc, &export()));
    assert!(!text.contains("Next review"), "{text}");
    assert!(
        !text.contains("OVERDUE") && !text.contains("not yet held"),
        "{text}"
    );
    assert!(!text.contains("Still to do"), "{text}");
    assert!(text.contains("not held: case closed 2026-11-20"), "{text}");
}

#[test]
fn a_review_cancellation_is_in_the_chronology_with_its_reason() {
    let (book, inc, rv) = with_overdue_review_cancelled();
    let text = Format::Txt.render(&incident(&book, &inc, &export()));
    let chronology = text.split("Chronology").nth(1).unwrap();
    assert!(
        chronology.contains(&format!("Review {rv} cancelled")),
        "{text}"
    );
    assert!(chronology.contains("replaced by the multi-agency review"));
}

/// Tester3 #4: the audit trail of an export must not tell the next recipient (a parent)
/// who else was sent the record (a police officer), with which key and to which file.
#[test]
fn an_exports_audit_trail_leaves_out_earlier_exports_and_counts_them() {
    let mut book = demo();
    let id = "INC-2026-0002".to_string();
    let stamp = crate::model::Stamp::new(
        "RO",
        chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:00+00:00").unwrap(),
    );
    for to in ["PC 2231 Hale, Northshire Police", "Parent of AB"] {
        book.record_export(
            &stamp,
            crate::model::Subject::Incident(id.clone()),
            &format!("incident chronology as HTML for {to}: age file exports/inc2.html.age"),
        )
        .unwrap();
    }
    let inc = book.incident(&id).unwrap();
    let text = Format::Txt.render(&incident(&book, inc, &export()));
    assert!(text.contains("Audit trail"), "{text}");
    assert!(!text.contains("PC 2231 Hale"), "{text}");
    assert!(!text.contains("exports/inc2.html.age"), "{text}");
    assert!(
        text.contains("2 earlier exports of this record are left out"),
        "{text}"
    );
    // The entries about the record itself stay.
    assert!(text.contains("recorded incident"), "{text}");
}

/// Tester3 #46: a person linked by mistake to another child's incident, the incident then
/// marked entered in error: their chronology (for a parent) carried that child's case in
/// full. Now nothing of it leaves, only a count in the header.
#[test]
fn a_persons_chronology_withholds_an_incident_entered_in_error() {
    let mut book = demo();
    let who = busiest(&book);
    let n = book
        .incidents
        .iter()
        .position(|i| i.people.iter().any(|p| p.person == who) && !i.description.is_empty())
        .unwrap();
    let inc = &mut book.incidents[n];
    inc.error = Some(crate::model::EnteredInError {
        when: crate::demo::demo_now(),
        by: "RO".into(),
        reason: "Wrong pupil linked".into(),
    });
    let (id, description) = (inc.id.clone(), inc.description.clone());
    let person = book.person(&who).unwrap().clone();
    let text = Format::Txt.render(&person_doc(&book, &person));
    assert!(
        text.contains("1 incident(s) marked entered in error (content withheld)"),
        "{text}"
    );
    assert!(!text.contains(&id), "{id} in:\n{text}");
    let words: String = description.chars().take(40).collect();
    assert!(!text.contains(&words), "{text}");
}

fn person_doc(book: &Logbook, who: &crate::model::Person) -> doc::Doc {
    super::person(book, who, &export())
}

/// Tester4 #23: once "Mr GH" was edited to "Mr Gareth H.", the text written while he was
/// "GH" went to a parent with "GH" in it (the trail keeps the old reference).
#[test]
fn anonymising_replaces_every_reference_a_person_has_had() {
    let mut book = demo();
    let n = book
        .incidents
        .iter()
        .position(|i| i.people.len() >= 2)
        .unwrap();
    let mut inc = (*book.incidents[n]).clone();
    let about = inc.people[0].person.clone();
    let other = inc.people[1].person.clone();
    inc.description = "I: GH's class. J: Callum said so. K: Mr GH (PE) saw it.".into();
    book.incidents[n] = crate::model::Shared::new(inc.clone());
    let mut at = book.audit.last().unwrap().at;
    for reference in ["Mr GH (PE)", "Callum D.", "Mr Gareth H."] {
        at += chrono::Duration::minutes(1);
        let d = crate::model::PersonDetails {
            reference: reference.into(),
            age_group: crate::model::AgeGroup::Staff,
            birth_year: None,
            year_group: String::new(),
            notes: String::new(),
        };
        book.edit_person(&crate::model::Stamp::new("RO", at), &other, d)
            .unwrap();
    }
    let mut ex = export();
    ex.anonymise_others = true;
    ex.about = Some(about);
    let text = Format::Txt.render(&incident(&book, &inc, &ex));
    assert!(
        text.contains(
            "I: a member of staff's class. J: a member of staff said so. \
K: a member of staff saw it."
        ),
        "{text}"
    );
    for old in ["GH", "Callum"] {
        assert!(!text.contains(old), "{old} still named:\n{text}");
    }
}

/// Tester4 #13: an export for a parent with others anonymised printed "Related:
/// INC-2026-0001" and "linked related incident INC-2026-0001", another child's case.
#[test]
fn with_others_anonymised_related_incidents_are_counted_not_named() {
    let mut book = demo();
    let ids: Vec<String> = book.incidents.iter().map(|i| i.id.clone()).collect();
    let (id, other) = (ids[0].clone(), ids[1].clone());
    let at = book.audit.last().unwrap().at + chrono::Duration::minutes(1);
    book.link_related(&crate::model::Stamp::new("RO", at), &id, &other)
        .unwrap();
    let inc = book.incident(&id).unwrap().clone();
    let mut ex = export();
    ex.anonymise_others = true;
    ex.about = Some(inc.people[0].person.clone());
    let text = Format::Txt.render(&incident(&book, &inc, &ex));
    assert!(!text.contains(&other), "{other} named:\n{text}");
    let n = inc.related.len();
    assert!(text.contains(&format!("{n} other incident")), "{text}");
    assert!(
        text.contains("linked related incident another incident"),
        "{text}"
    );
    // Named for an agency, as before.
    let text = Format::Txt.render(&incident(&book, &inc, &export()));
    assert!(text.contains(&other), "{text}");
}
