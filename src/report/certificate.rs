//! A certificate of disposal: which records were disposed of, when, by whom, under which
//! retention rule, and the audit entry that proves each disposal. Built from tombstones and
//! the trail only, so it cannot hold anything of a disposed record's content. What it says
//! is kept must stay true of `Logbook::dispose_incident` (`model/redact.rs`).

use chrono::NaiveDateTime;

use super::doc::{Block, Doc, Row, Table};
use crate::model::Logbook;
use crate::present::{self, Line};

/// The certificate for the tombstones `ids` (in the order given). Every id must be a
/// tombstone of `book`: the caller checks. `restore_copies` names the copies a restore
/// kept beside the logbook that may still hold them (the caller looks), so the "not
/// covered" sentence can name them (tester4 #24).
pub fn certificate(
    book: &Logbook,
    ids: &[String],
    by: &str,
    at: NaiveDateTime,
    restore_copies: &[String],
) -> Doc {
    let rows: Vec<Row> = ids
        .iter()
        .filter_map(|id| book.tombstones.iter().find(|t| &t.id == id))
        .map(|t| {
            let entry = book.disposal_entry(&t.id);
            Row::new(vec![
                t.id.clone(),
                present::date(t.disposed),
                t.by.clone(),
                t.rule.clone(),
                entry.map_or_else(
                    || "not found in the audit trail".to_string(),
                    |e| {
                        format!(
                            "entry {}, {}\nSHA-256 {}",
                            e.seq,
                            present::at(&e.at),
                            grouped(&e.hash.to_string())
                        )
                    },
                ),
            ])
        })
        .collect();
    Doc {
        title: "Certificate of disposal".into(),
        meta: vec![
            Line {
                label: "Organisation",
                value: book.settings.organisation.clone(),
            },
            Line {
                label: "Issued by",
                value: by.to_string(),
            },
            Line {
                label: "Issued on",
                value: present::when(at),
            },
            Line {
                label: "Records",
                value: rows.len().to_string(),
            },
        ],
        blocks: vec![
            Block::Text(format!(
                "The safeguarding records listed below were disposed of from the logbook of {} at the end of their retention period. Of each, the logbook keeps only what this certificate shows: its number, the date it was disposed of, who disposed of it, and the retention rule with the reason given. The rest is removed: the record itself, and the content of every earlier entry about it in the audit trail (values changed, reasons given, to whom it was exported), of which only the date, the author and the link in the chain stay. A person linked to no other incident is disposed of with the incident and listed here too. Each disposal is an entry in the logbook's audit trail, chained by SHA-256 to every entry before it, so `logbook verify` proves that it was made in the logbook, when and by whom.",
                book.settings.organisation
            )),
            Block::Text(not_covered(restore_copies)),
            Block::Heading("Records disposed of".into()),
            Block::Table(Table {
                columns: vec![
                    "Record",
                    "Disposed of on",
                    "By",
                    "Retention rule",
                    "Audit entry",
                ],
                rows,
            }),
        ],
        wide: true,
    }
}

/// What a disposal in the logbook does not reach, named so no one takes the certificate
/// for more than it is.
fn not_covered(restore_copies: &[String]) -> String {
    let copies = match restore_copies {
        [] => "copies a restore keeps beside the logbook (NAME.before-restore-DATE), which are never rotated, hold it until they are removed".to_string(),
        names => format!(
            "copies a restore keeps beside the logbook, which are never rotated, hold it until they are removed ({} beside the logbook when this certificate was issued: {})",
            if names.len() == 1 { "this one was" } else { "these were" },
            names.join(", ")
        ),
    };
    format!(
        "Not covered by this certificate: backups of the logbook made before a disposal still hold the record until they are rotated away; {copies}; exports and copies of the record written or sent out before the disposal (unencrypted files, copies sent to the police, social care, another school or a parent) are not reached by it and must be destroyed by whoever holds them; and the words of a staff concern taken in as or into a record stay among the concerns taken in."
    )
}

/// A hash in groups of 16 characters, as fingerprints are printed, so it wraps on paper.
fn grouped(hash: &str) -> String {
    let chars: Vec<char> = hash.chars().collect();
    chars
        .chunks(16)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}
