//! The audit trail: a hash chain over every change, and its verification.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical
//! bytes; each entry also holds the SHA-256 of its subject's whole state after the change.
//! Canonical bytes are the compact RON of the value (the same encoder the file uses, with
//! no formatting options), so anyone can recompute them with a RON library. A test pins
//! the hash of a fixed entry, so a change of encoding cannot slip in unnoticed.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::types::*;

/// The hash that stands before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who makes a change and when: passed in, so the model never reads a clock.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub by: String,
    pub at: DateTime<FixedOffset>,
}

impl Stamp {
    pub fn new(by: impl Into<String>, at: DateTime<FixedOffset>) -> Self {
        Stamp { by: by.into(), at }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Canonical bytes of a value: its compact RON.
pub fn canonical<T: Serialize>(value: &T) -> String {
    // Serializing our plain data types to a String cannot fail.
    ron::to_string(value).unwrap_or_default()
}

pub fn state_hash<T: Serialize>(value: &T) -> String {
    sha256_hex(canonical(value).as_bytes())
}

/// The fields of an entry that its hash covers: everything but the hash itself.
#[derive(Serialize)]
struct EntryBody<'a> {
    seq: u64,
    at: &'a DateTime<FixedOffset>,
    by: &'a str,
    subject: &'a Subject,
    action: &'a str,
    changes: &'a [FieldChange],
    state: &'a str,
}

pub fn entry_hash(prev: &str, entry: &AuditEntry) -> String {
    let body = EntryBody {
        seq: entry.seq,
        at: &entry.at,
        by: &entry.by,
        subject: &entry.subject,
        action: &entry.action,
        changes: &entry.changes,
        state: &entry.state,
    };
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(canonical(&body).as_bytes());
    hex(&hasher.finalize())
}

/// What `verify` found wrong, naming the first bad entry or record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditFault {
    #[error(
        "audit entry {position} is numbered {found}, not {position}: an entry was removed, inserted or moved there"
    )]
    OutOfSequence { position: u64, found: u64 },
    #[error("audit entry {seq} does not match its hash: it was altered after it was written")]
    EntryAltered { seq: u64 },
    #[error(
        "{subject} no longer matches its last audit entry {seq}: it was changed outside the logbook"
    )]
    StateMismatch { subject: Subject, seq: u64 },
    #[error("{subject} has no audit entry: it was added outside the logbook")]
    Unrecorded { subject: Subject },
    #[error(
        "{subject} is named in audit entry {seq} but is missing: it was removed outside the logbook"
    )]
    Missing { subject: Subject, seq: u64 },
}

/// The end of the chain: how many entries and the last hash. Backups record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Head {
    pub len: u64,
    pub hash: String,
}

impl Logbook {
    pub fn head(&self) -> Head {
        Head {
            len: self.audit.len() as u64,
            hash: self
                .audit
                .last()
                .map_or_else(|| GENESIS.to_string(), |e| e.hash.clone()),
        }
    }

    /// Appends an entry to the chain. Callers have already applied and validated the change.
    pub(crate) fn append_audit(
        &mut self,
        stamp: &Stamp,
        subject: Subject,
        action: impl Into<String>,
        changes: Vec<FieldChange>,
        state: String,
    ) {
        let prev = self.head().hash;
        let mut entry = AuditEntry {
            seq: self.audit.len() as u64 + 1,
            at: stamp.at,
            by: stamp.by.clone(),
            subject,
            action: action.into(),
            changes,
            state,
            hash: String::new(),
        };
        entry.hash = entry_hash(&prev, &entry);
        self.audit.push(entry);
    }

    /// The hash of a subject's current state, or None if it does not exist.
    pub fn subject_state(&self, subject: &Subject) -> Option<String> {
        match subject {
            Subject::Incident(id) => self.incident(id).map(state_hash),
            Subject::Person(id) => self.person(id).map(state_hash),
            Subject::Settings => Some(state_hash(&self.settings)),
        }
    }

    /// Checks the whole chain and that every record matches its latest entry.
    /// Linear in the size of the logbook: one pass over the entries, one hash per record.
    pub fn verify_audit(&self) -> Result<(), AuditFault> {
        let mut prev = GENESIS.to_string();
        let mut latest: HashMap<&Subject, &AuditEntry> = HashMap::new();
        for (i, entry) in self.audit.iter().enumerate() {
            let position = i as u64 + 1;
            if entry.seq != position {
                return Err(AuditFault::OutOfSequence {
                    position,
                    found: entry.seq,
                });
            }
            if entry_hash(&prev, entry) != entry.hash {
                return Err(AuditFault::EntryAltered { seq: entry.seq });
            }
            prev.clone_from(&entry.hash);
            latest.insert(&entry.subject, entry);
        }

        let tombstoned = |id: &str| self.tombstones.iter().any(|t| t.id == id);
        let subjects = self
            .incidents
            .iter()
            .map(|i| Subject::Incident(i.id.clone()))
            .chain(self.people.iter().map(|p| Subject::Person(p.id.clone())));
        for subject in subjects {
            let Some(entry) = latest.get(&subject) else {
                return Err(AuditFault::Unrecorded { subject });
            };
            if self.subject_state(&subject).as_deref() != Some(entry.state.as_str()) {
                return Err(AuditFault::StateMismatch {
                    subject,
                    seq: entry.seq,
                });
            }
        }
        if let Some(entry) = latest.get(&Subject::Settings)
            && state_hash(&self.settings) != entry.state
        {
            return Err(AuditFault::StateMismatch {
                subject: Subject::Settings,
                seq: entry.seq,
            });
        }
        // Latest entries in trail order, so the first missing record named is the earliest.
        let mut named: Vec<&&AuditEntry> = latest.values().collect();
        named.sort_by_key(|e| e.seq);
        for entry in named {
            let exists = match &entry.subject {
                Subject::Incident(id) => self.incident(id).is_some() || tombstoned(id),
                Subject::Person(id) => self.person(id).is_some() || tombstoned(id),
                Subject::Settings => true,
            };
            if !exists {
                return Err(AuditFault::Missing {
                    subject: entry.subject.clone(),
                    seq: entry.seq,
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn now() -> chrono::NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 16)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    fn book() -> Logbook {
        let book = crate::demo::generate(12, 42, now()).unwrap();
        assert!(book.audit.len() > 40);
        book.verify_audit().unwrap();
        book
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut b = book();
        b.audit[9].by = "someone else".into();
        assert_eq!(b.verify_audit(), Err(AuditFault::EntryAltered { seq: 10 }));
    }

    #[test]
    fn an_edited_old_value_is_named() {
        let mut b = book();
        let i = b.audit.iter().position(|e| !e.changes.is_empty()).unwrap();
        b.audit[i].changes[0].old = "rewritten".into();
        assert_eq!(
            b.verify_audit(),
            Err(AuditFault::EntryAltered { seq: i as u64 + 1 })
        );
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut b = book();
        b.audit.remove(5);
        assert_eq!(
            b.verify_audit(),
            Err(AuditFault::OutOfSequence {
                position: 6,
                found: 7
            })
        );
    }

    #[test]
    fn an_inserted_entry_is_named() {
        let mut b = book();
        let copy = b.audit[3].clone();
        b.audit.insert(8, copy);
        assert_eq!(
            b.verify_audit(),
            Err(AuditFault::OutOfSequence {
                position: 9,
                found: 4
            })
        );
    }

    #[test]
    fn reordered_entries_are_named() {
        let mut b = book();
        b.audit.swap(10, 11);
        assert_eq!(
            b.verify_audit(),
            Err(AuditFault::OutOfSequence {
                position: 11,
                found: 12
            })
        );
    }

    #[test]
    fn renumbered_entries_after_a_removal_still_break_the_chain() {
        let mut b = book();
        b.audit.remove(5);
        for (i, e) in b.audit.iter_mut().enumerate() {
            e.seq = i as u64 + 1;
        }
        assert_eq!(b.verify_audit(), Err(AuditFault::EntryAltered { seq: 6 }));
    }

    #[test]
    fn an_edit_that_bypassed_the_trail_is_named() {
        let mut b = book();
        let id = b.incidents[4].id.clone();
        b.incidents[4].description.push_str(" (quietly changed)");
        let seq = b
            .audit
            .iter()
            .rev()
            .find(|e| e.subject == Subject::Incident(id.clone()))
            .unwrap()
            .seq;
        assert_eq!(
            b.verify_audit(),
            Err(AuditFault::StateMismatch {
                subject: Subject::Incident(id),
                seq
            })
        );
    }

    #[test]
    fn a_record_added_or_removed_outside_the_trail_is_named() {
        let mut b = book();
        let mut extra = b.incidents[0].clone();
        extra.id = "INC-2020-0001".into();
        b.incidents.insert(0, extra);
        assert_eq!(
            b.verify_audit(),
            Err(AuditFault::Unrecorded {
                subject: Subject::Incident("INC-2020-0001".into())
            })
        );
        let mut b = book();
        let gone = b.incidents.remove(2).id;
        assert!(
            matches!(b.verify_audit(), Err(AuditFault::Missing { subject: Subject::Incident(id), .. }) if id == gone)
        );
    }

    #[test]
    fn a_settings_change_outside_the_trail_is_named() {
        let mut b = book();
        let stamp = Stamp::new("RO", b.audit.last().unwrap().at);
        b.update_settings(&stamp, |s| s.idle_lock_minutes = 9)
            .unwrap();
        b.verify_audit().unwrap();
        b.settings.idle_lock_minutes = 60;
        assert!(matches!(
            b.verify_audit(),
            Err(AuditFault::StateMismatch {
                subject: Subject::Settings,
                ..
            })
        ));
    }

    /// The canonical encoding is part of the file format: this pins it.
    #[test]
    fn the_entry_hash_encoding_is_pinned() {
        let at = DateTime::parse_from_rfc3339("2026-01-05T10:15:00+00:00").unwrap();
        let entry = AuditEntry {
            seq: 1,
            at,
            by: "RO".into(),
            subject: Subject::Incident("INC-2026-0001".into()),
            action: "recorded incident".into(),
            changes: vec![FieldChange {
                field: "platform".into(),
                old: String::new(),
                new: "Snapchat".into(),
            }],
            state: sha256_hex(b"state"),
            hash: String::new(),
        };
        assert_eq!(
            canonical(&EntryBody {
                seq: entry.seq,
                at: &entry.at,
                by: &entry.by,
                subject: &entry.subject,
                action: &entry.action,
                changes: &entry.changes,
                state: &entry.state
            }),
            format!(
                "(seq:1,at:\"2026-01-05T10:15:00Z\",by:\"RO\",subject:Incident(\"INC-2026-0001\"),action:\"recorded incident\",changes:[(field:\"platform\",old:\"\",new:\"Snapchat\")],state:\"{}\")",
                sha256_hex(b"state")
            )
        );
        assert_eq!(
            entry_hash(GENESIS, &entry),
            "94078758f8add5f228a72e4ecd5c3b9f1d65a39d80138859a6a6b92659d6ca4c"
        );
    }
}
