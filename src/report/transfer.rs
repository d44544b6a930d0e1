//! The contents of a child protection file transfer: one person's incidents in the
//! logbook's own schema, with every other person reduced to a role (unlinked, and their id
//! and reference replaced in the text by "another pupil" etc., as `--anonymise-others`
//! does), inside one readable HTML page: a cover, the person's chronology and each
//! incident's, which a school without this program opens in a browser once `age -d` has
//! decrypted it (tester3 #26). Incidents marked entered in error are withheld, only counted
//! (tester3 #46), as in the person's own chronology.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use zeroize::Zeroizing;

use super::doc::{Block, Doc};
use super::{Export, Format, apply};
use crate::model::{
    EnteredInError, FORMAT, Incident, Logbook, Person, StepState, TRANSFER_KIND, TransferFile,
    Unencodable, embed_records, embedded_len,
};
use crate::present::Line;

/// A transfer ready to be sealed to the receiving DSL.
pub struct Transfer {
    /// The incidents sent, by their numbers here.
    pub sent: Vec<String>,
    /// How many incidents marked entered in error were left out.
    pub withheld: u32,
    /// What the age file decrypts to: the readable page with the records inside it.
    pub page: Zeroizing<String>,
}

/// The transfer of `who`'s file, written by `by` at `at` for `for_whom` (the receiving DSL,
/// when the sending DSL named them).
pub fn transfer(
    book: &Logbook,
    who: &Person,
    by: &str,
    at: NaiveDateTime,
    for_whom: Option<&str>,
) -> Result<Transfer, Unencodable> {
    let mut export = Export::new(by, at);
    export.anonymise_others = true;
    export.about = Some(who.id.clone());
    let linked: Vec<&Incident> = book
        .incidents
        .iter()
        .map(crate::model::Shared::get)
        .filter(|i| i.people.iter().any(|p| p.person == who.id))
        .collect();
    let (withheld, incidents) = super::person::withhold(&linked);
    let mut others: Vec<String> = incidents
        .iter()
        .flat_map(|i| i.people.iter().map(|p| p.person.clone()))
        .filter(|p| *p != who.id)
        .collect();
    others.sort();
    others.dedup();
    let swaps = export.swaps(book, &others);
    let sent: HashSet<&str> = incidents.iter().map(|i| i.id.as_str()).collect();

    let mut pages = vec![super::person(book, who, &export)];
    let mut records = Vec::new();
    for inc in &incidents {
        // Outside this logbook, "kept in this logbook" names the school whose logbook it is.
        let mut copy = (*inc).clone();
        crate::model::name_where_kept(&mut copy, &book.settings.organisation);
        pages.push(super::incident(book, &copy, &export));
        copy.people.retain(|p| p.person == who.id);
        copy.related.retain(|r| sent.contains(r.as_str()));
        // The receiving school applies its own retention; provenance is set on arrival.
        copy.retention = None;
        copy.transferred = None;
        map_text(&mut copy, &|t| apply(&swaps, t));
        records.push(copy);
    }
    let mut person = who.clone();
    person.transferred = None;
    person.notes = apply(&swaps, &person.notes);
    let withheld = u32::try_from(withheld.len()).unwrap_or(u32::MAX);
    let file = TransferFile {
        format: FORMAT,
        kind: TRANSFER_KIND.to_string(),
        from: book.settings.organisation.clone(),
        sent: at,
        sent_by: by.to_string(),
        person,
        incidents: records,
        documents: Vec::new(),
        withheld,
    };
    let cover = cover(book, &file, &pages, for_whom, &export);
    let mut ron = Zeroizing::new(Vec::new());
    crate::model::pretty_ron(&file, &mut *ron, 4)?;
    let ron = std::str::from_utf8(&ron).map_err(|e| Unencodable(e.to_string()))?;
    Ok(Transfer {
        sent: file.incidents.iter().map(|i| i.id.clone()).collect(),
        withheld,
        page: page(&cover, &pages, ron),
    })
}

/// The first page: who the file is about, from and for whom, what it holds and what was
/// left out, and how to take it into a logbook.
fn cover(
    book: &Logbook,
    file: &TransferFile,
    pages: &[Doc],
    for_whom: Option<&str>,
    export: &Export,
) -> Doc {
    let who = &file.person;
    let mut facts = vec![
        Line {
            label: "Person",
            value: format!("{} {}", who.id, who.reference),
        },
        Line {
            label: "Age group",
            value: match (who.birth_year, who.year_group.as_str()) {
                (Some(y), _) => format!("{}, born {y}", who.age_group.label()),
                (None, "") => who.age_group.label().to_string(),
                (None, group) => format!("{}, {group}", who.age_group.label()),
            },
        },
    ];
    if !who.notes.trim().is_empty() {
        facts.push(Line {
            label: "Notes",
            value: who.notes.clone(),
        });
    }
    facts.push(Line {
        label: "From",
        value: format!(
            "{}, sent {} by {}",
            file.from,
            crate::present::when(file.sent),
            file.sent_by
        ),
    });
    if let Some(whom) = for_whom {
        facts.push(Line {
            label: "For",
            value: whom.to_string(),
        });
    }
    facts.push(Line {
        label: "Incidents",
        value: if file.incidents.is_empty() {
            "none".to_string()
        } else {
            file.incidents
                .iter()
                .map(|i| format!("{} ({})", i.id, i.status.label()))
                .collect::<Vec<_>>()
                .join(", ")
        },
    });
    facts.extend(super::person::left_out(file.withheld as usize));
    let contents = pages
        .iter()
        .enumerate()
        .map(|(n, d)| format!("{}. {}", n + 2, d.title))
        .collect::<Vec<_>>()
        .join("\n");
    Doc {
        title: format!(
            "Child protection file transfer: {} {}",
            who.id, who.reference
        ),
        meta: export.meta(book),
        blocks: vec![
            Block::Fields(facts),
            Block::Heading("In this file".into()),
            Block::Text(format!("1. This page\n{contents}")),
            Block::Heading("For the receiving DSL".into()),
            Block::Text(
                "Keep this file as securely as your own child protection records, and confirm \
receipt to the sending DSL. Other people appear only by role and age group. With the logbook \
program, take the encrypted file in with `logbook import-transfer FILE`: the same records are \
inside this page, hidden, for it."
                    .into(),
            ),
        ],
        wide: false,
    }
}

/// One self-contained page: the cover and each document on pages of their own (a wide one
/// on landscape paper), then the records for `import-transfer` in a hidden element.
fn page(cover: &Doc, docs: &[Doc], ron: &str) -> Zeroizing<String> {
    const STYLE: &str = "<style>\nsection.doc + section.doc { break-before: page; page-break-before: always; }\n\
@page wide { size: A4 landscape; }\nsection.wide { page: wide; }\n</style>\n";
    const RECORDS: &str = "<!-- For the logbook program (logbook import-transfer): the same records in its own format. -->\n";
    let pages: Vec<(bool, Zeroizing<String>)> = std::iter::once(cover)
        .chain(docs)
        .map(|d| (d.wide, Zeroizing::new(Format::Html.render(d))))
        .collect();
    // Every value in a page is escaped, so "<body>" and "</body>" are the page's own.
    let head = pages[0]
        .1
        .split_once("</head>")
        .map_or("", |(head, _)| head);
    let bodies: Vec<(bool, &str)> = pages
        .iter()
        .map(|(wide, html)| {
            let body = html
                .split_once("<body>")
                .and_then(|(_, rest)| rest.rsplit_once("</body>"))
                .map_or("", |(body, _)| body);
            (*wide, body)
        })
        .collect();
    // Sized once: a string that grows leaves copies of the records in freed memory.
    let size = head.len()
        + STYLE.len()
        + bodies.iter().map(|(_, b)| b.len() + 64).sum::<usize>()
        + RECORDS.len()
        + embedded_len(ron)
        + 64;
    let mut out = Zeroizing::new(String::with_capacity(size));
    out.push_str(head);
    out.push_str(STYLE);
    out.push_str("</head>\n<body>\n");
    for (wide, body) in bodies {
        out.push_str(if wide {
            "<section class=\"doc wide\">"
        } else {
            "<section class=\"doc\">"
        });
        out.push_str(body);
        out.push_str("</section>\n");
    }
    out.push_str(RECORDS);
    embed_records(ron, &mut out);
    out.push_str("</body>\n</html>\n");
    debug_assert!(out.len() <= size, "the page grew past its size");
    out
}

/// Applies `f` to every piece of free text in an incident (not to ids, dates or choices).
fn map_text(i: &mut Incident, f: &dyn Fn(&str) -> String) {
    let m = |s: &mut String| *s = f(s);
    let error = |e: &mut Option<EnteredInError>| {
        if let Some(e) = e {
            e.by = f(&e.by);
            e.reason = f(&e.reason);
        }
    };
    m(&mut i.reported_by);
    m(&mut i.recorded_by);
    m(&mut i.platform);
    m(&mut i.description);
    m(&mut i.immediate_action);
    if let Some(c) = &mut i.closure {
        m(&mut c.by);
        m(&mut c.outcome);
    }
    for c in &mut i.checklist {
        m(&mut c.step);
        for st in &mut c.struck {
            if let StepState::Done { by, .. } | StepState::NotApplicable { by, .. } = &mut st.was {
                m(by);
            }
            if let StepState::NotApplicable { reason, .. } = &mut st.was {
                m(reason);
            }
            st.error.by = f(&st.error.by);
            st.error.reason = f(&st.error.reason);
        }
        match &mut c.state {
            StepState::Open => {}
            StepState::Done { by, .. } => m(by),
            StepState::NotApplicable { by, reason, .. } => {
                m(by);
                m(reason);
            }
        }
    }
    for e in &mut i.evidence {
        m(&mut e.description);
        m(&mut e.source);
        m(&mut e.captured_by);
        m(&mut e.kept_at);
        for c in &mut e.custody {
            m(&mut c.event);
            m(&mut c.reference);
        }
        error(&mut e.error);
    }
    for r in &mut i.reports {
        m(&mut r.agency_name);
        m(&mut r.by);
        m(&mut r.reference);
        m(&mut r.contact);
        m(&mut r.outcome);
        m(&mut r.reason);
        error(&mut r.error);
    }
    for r in &mut i.reviews {
        m(&mut r.by);
        m(&mut r.outcome);
        error(&mut r.error);
        error(&mut r.cancelled);
        for mv in &mut r.moves {
            m(&mut mv.by);
            m(&mut mv.reason);
        }
    }
    error(&mut i.error);
}
