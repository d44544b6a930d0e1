//! The audit trail: a hash chain over every change, and its verification.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical
//! bytes; each entry also holds the SHA-256 of its subject's whole state after the change.
//! Canonical bytes are the compact RON of the value (the same encoder the file uses, with
//! no formatting options), so anyone can recompute them with a RON library. A test pins
//! the hash of a fixed entry, so a change of encoding cannot slip in unnoticed.

mod canonical;
mod hash;

pub use hash::HashHex;

use std::collections::HashMap;

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
    /// The author's name is kept in one Unicode form (tester4 #10: "Siân" typed decomposed
    /// was a second author who looks the same); a stamp is only ever made for a new change.
    pub fn new(by: impl Into<String>, at: DateTime<FixedOffset>) -> Self {
        let by: String = by.into();
        let by = match crate::text::nfc(&by) {
            std::borrow::Cow::Borrowed(_) => by,
            std::borrow::Cow::Owned(composed) => composed,
        };
        Stamp { by, at }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A record that the canonical encoder refused. Never hashed as anything: the change that
/// needed the hash is refused whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the record could not be encoded for the audit trail ({0}): nothing was changed; report this as a defect"
)]
pub struct Unencodable(pub String);

impl From<Unencodable> for super::validate::Invalid {
    fn from(e: Unencodable) -> Self {
        super::validate::Invalid {
            field: String::new(),
            message: e.to_string(),
        }
    }
}

/// Canonical bytes of a value: its compact RON, exactly as `ron::to_string` writes it
/// (see `canonical.rs`, whose tests prove the two agree). An encoder error is returned,
/// never replaced by a stand-in: hashing "" would make every such record look alike.
pub fn canonical<T: Serialize>(value: &T) -> Result<String, Unencodable> {
    let mut bytes = Vec::new();
    canonical::encode(value, &mut bytes).map_err(|e| Unencodable(e.0))?;
    String::from_utf8(bytes).map_err(|e| Unencodable(e.to_string()))
}

pub use canonical::Sink as RonSink;

/// Writes `value` into `sink` as pretty RON, byte for byte what
/// `ron::Options::default().to_writer_pretty` writes with two-space indentation, no struct
/// names and this depth limit (the logbook file's layout; `canonical.rs` tests prove the
/// two agree), without RON's character-by-character escaping.
pub fn pretty_ron<T: Serialize + ?Sized, S: RonSink>(
    value: &T,
    sink: &mut S,
    depth_limit: usize,
) -> Result<(), Unencodable> {
    canonical::encode_pretty(value, sink, depth_limit).map_err(|e| Unencodable(e.0))
}

/// Writes `value` as `pretty_ron` writes it as an item of one of the logbook's top-level
/// lists (a person, an incident, an audit entry in the file), to be written again in its
/// place as `EncodedRon` while the record is unchanged: a save then encodes only what
/// changed.
pub fn pretty_ron_item<T: Serialize + ?Sized, S: RonSink>(
    value: &T,
    sink: &mut S,
    depth_limit: usize,
) -> Result<(), Unencodable> {
    canonical::encode_pretty_item(value, sink, depth_limit).map_err(|e| Unencodable(e.0))
}

pub use canonical::Encoded as EncodedRon;

/// SHA-256 of `prefix` followed by the canonical bytes of `value`, streamed into the
/// hasher: no copy of the record's text is built.
fn digest<T: Serialize + ?Sized>(prefix: &[u8], value: &T) -> Result<[u8; 32], Unencodable> {
    let mut sink = canonical::HashSink::new();
    canonical::Sink::put(&mut sink, prefix);
    canonical::encode(value, &mut sink).map_err(|e| Unencodable(e.0))?;
    Ok(sink.finish())
}

pub fn state_hash<T: Serialize>(value: &T) -> Result<HashHex, Unencodable> {
    Ok(digest(b"", value)?.into())
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
    state: &'a HashHex,
}

pub fn entry_hash(prev: &HashHex, entry: &AuditEntry) -> Result<HashHex, Unencodable> {
    Ok(entry_digest(prev, entry)?.into())
}

fn entry_digest(prev: &HashHex, entry: &AuditEntry) -> Result<[u8; 32], Unencodable> {
    let body = EntryBody {
        seq: entry.seq,
        at: &entry.at,
        by: &entry.by,
        subject: &entry.subject,
        action: &entry.action,
        changes: &entry.changes,
        state: &entry.state,
    };
    digest(&prev.text_bytes(), &body)
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
    #[error("{what} {id} appears more than once: a copy was added outside the logbook")]
    Duplicate { what: &'static str, id: String },
    #[error(
        "audit entry {seq} is dated before the entry before it: the trail was edited or the clock was wrong"
    )]
    OutOfOrder { seq: u64 },
    #[error("audit entry {seq} names nobody as its author: it was written outside the logbook")]
    NoAuthor { seq: u64 },
    #[error(
        "the tombstone of {id} has no disposal entry in the audit trail that matches it: it was added or changed outside the logbook"
    )]
    UnauditedTombstone { id: String },
    #[error("{id} is both in the logbook and disposed of: it was restored outside the logbook")]
    DisposedButPresent { id: String },
    #[error(
        "audit entry {seq} is marked as emptied because {subject} was disposed of, but {subject} was never disposed of: its content was removed outside the logbook"
    )]
    EmptiedButNotDisposed { seq: u64, subject: Subject },
    #[error(
        "audit entry {seq} is marked as emptied at its record's disposal, but that disposal does not record it as it stands: it was altered after it was written"
    )]
    EmptiedUnrecorded { seq: u64 },
    #[error("{0}")]
    Unencodable(Unencodable),
}

/// The action of the audit entry that disposes of a record (see `Logbook::dispose`).
pub(crate) const DISPOSED: &str = "disposed of";

fn subject_of(id: &str) -> Subject {
    if super::validate::is_person_id(id) {
        Subject::Person(id.to_string())
    } else {
        Subject::Incident(id.to_string())
    }
}

/// Whether `at` is dated before `last` to the second. Times are compared in whole seconds:
/// the app stamps changes to the second while the command line keeps fractions, so a change
/// made in the app within a second of a command-line one is not "before" it.
fn dated_before(at: &DateTime<FixedOffset>, last: &DateTime<FixedOffset>) -> bool {
    at.timestamp() < last.timestamp()
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
                .map_or_else(|| GENESIS.to_string(), |e| e.hash.to_string()),
        }
    }

    /// Appends an entry to the chain. Callers have already applied and validated the change;
    /// they call this before storing the change, so a refusal here leaves nothing half-done.
    pub(crate) fn append_audit(
        &mut self,
        stamp: &Stamp,
        subject: Subject,
        action: impl Into<String>,
        changes: Vec<FieldChange>,
        state: HashHex,
    ) -> Result<(), super::validate::Invalid> {
        // Never write a trail that `verify` would reject: an entry dated before the last one
        // means the computer's clock is wrong (or was, when the last entry was written).
        let action = action.into();
        if let Some(last) = self.audit.last()
            && dated_before(&stamp.at, &last.at)
            && !super::clock::is_clock_correction(&subject, &action)
        {
            return Err(super::validate::Invalid {
                field: String::new(),
                message: format!(
                    "The computer's clock reads {}, before the last change in this logbook ({}): correct the clock, then try again; nothing was changed. If the clock is right now (that change was saved while it ran ahead), record so with `logbook clock --confirm --reason TEXT`",
                    super::dates::exact(&stamp.at),
                    super::dates::exact(&last.at)
                ),
            });
        }
        if self.trail_pending {
            return Err(super::validate::Invalid {
                field: String::new(),
                message: "The history is still being checked (or failed its check): nothing was changed; wait for the check to pass, then try again".into(),
            });
        }
        if stamp.by.trim().is_empty() {
            return Err(super::validate::Invalid {
                field: String::new(),
                message: "Every change needs the name of who made it: choose who is recording"
                    .into(),
            });
        }
        let prev = self
            .audit
            .last()
            .map_or(HashHex::GENESIS, |e| e.hash.clone());
        let mut entry = AuditEntry {
            seq: self.audit.len() as u64 + 1,
            at: stamp.at,
            by: stamp.by.clone(),
            subject,
            action,
            changes,
            state,
            hash: HashHex::default(),
            redacted: None,
        };
        entry.hash = entry_hash(&prev, &entry)?;
        self.audit.push(Shared::new(entry));
        Ok(())
    }

    /// The hash of a subject's current state, or None if it does not exist.
    pub fn subject_state(&self, subject: &Subject) -> Option<Result<HashHex, Unencodable>> {
        match subject {
            Subject::Incident(id) => self.incident(id).map(state_hash),
            Subject::Person(id) => self.person(id).map(state_hash),
            Subject::Settings => Some(state_hash(&self.settings)),
            Subject::Concern(receipt) => self.concern(receipt).map(state_hash),
        }
    }

    /// Ids that appear twice, which a binary search would hide: incidents, people,
    /// tombstones, and the items within each incident.
    fn check_unique(&self) -> Result<(), AuditFault> {
        fn unique<'a>(
            what: &'static str,
            ids: impl Iterator<Item = &'a str>,
        ) -> Result<(), AuditFault> {
            let mut seen = std::collections::HashSet::new();
            for id in ids {
                if !seen.insert(id) {
                    return Err(AuditFault::Duplicate {
                        what,
                        id: id.to_string(),
                    });
                }
            }
            Ok(())
        }
        unique("incident", self.incidents.iter().map(|i| i.id.as_str()))?;
        unique("person", self.people.iter().map(|p| p.id.as_str()))?;
        unique("tombstone", self.tombstones.iter().map(|t| t.id.as_str()))?;
        unique(
            "concern",
            self.concerns.iter().map(|c| c.concern.receipt.as_str()),
        )?;
        for inc in &self.incidents {
            let within = |what, ids: &mut dyn Iterator<Item = &str>| {
                unique(what, ids).map_err(|_| AuditFault::Duplicate {
                    what,
                    id: inc.id.clone(),
                })
            };
            within(
                "an item of incident",
                &mut inc.evidence.iter().map(|e| e.id.as_str()),
            )?;
            within(
                "an item of incident",
                &mut inc.reports.iter().map(|r| r.id.as_str()),
            )?;
            within(
                "an item of incident",
                &mut inc.reviews.iter().map(|r| r.id.as_str()),
            )?;
        }
        Ok(())
    }

    /// Checks the whole chain and that every record matches its latest entry.
    /// Linear in the size of the logbook: one pass over the entries, one hash per record.
    pub fn verify_audit(&self) -> Result<(), AuditFault> {
        self.check_unique()?;
        // The records' state hashes do not depend on the chain: in a large logbook they
        // are computed on a second core while this one walks the chain.
        let digests = || -> Vec<Result<[u8; 32], Unencodable>> {
            self.incidents
                .iter()
                .map(|i| digest(b"", i))
                .chain(self.people.iter().map(|p| digest(b"", p)))
                .chain(self.concerns.iter().map(|c| digest(b"", c)))
                .collect()
        };
        // (In the same order as the subjects `check_records` zips them with.)
        let (chain, states) = if self.incidents.len() + self.people.len() >= 256 {
            std::thread::scope(|scope| {
                let states = scope.spawn(digests);
                let chain = self.check_chain();
                let states = states
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (chain, states)
            })
        } else {
            (self.check_chain(), digests())
        };
        let latest = chain?;
        self.check_records(&latest, states)
    }

    /// Verification, first part: the chain, entry by entry. Returns each subject's latest
    /// entry.
    fn check_chain(&self) -> Result<HashMap<&Subject, &AuditEntry>, AuditFault> {
        let mut prev = &HashHex::GENESIS;
        let mut before: Option<&AuditEntry> = None;
        let mut latest: HashMap<&Subject, &AuditEntry> = HashMap::new();
        let mut redacted = Vec::new();
        for (i, entry) in self.audit.iter().enumerate() {
            let position = i as u64 + 1;
            if entry.seq != position {
                return Err(AuditFault::OutOfSequence {
                    position,
                    found: entry.seq,
                });
            }
            if entry.redacted.is_some() {
                // Emptied at its record's disposal, so it cannot be re-hashed: the disposal
                // entry vouches for its link instead (checked once the walk is done).
                redacted.push(i);
            } else if !entry
                .hash
                .is(&entry_digest(prev, entry).map_err(AuditFault::Unencodable)?)
            {
                return Err(AuditFault::EntryAltered { seq: entry.seq });
            }
            if entry.by.trim().is_empty() {
                return Err(AuditFault::NoAuthor { seq: entry.seq });
            }
            if before.is_some_and(|b| dated_before(&entry.at, &b.at))
                && !super::clock::is_clock_correction(&entry.subject, &entry.action)
            {
                return Err(AuditFault::OutOfOrder { seq: entry.seq });
            }
            before = Some(entry);
            prev = &entry.hash;
            latest.insert(&entry.subject, entry);
        }
        self.check_redacted(&redacted)?;
        Ok(latest)
    }

    /// Verification, continued: the records against the latest entries.
    fn check_records(
        &self,
        latest: &HashMap<&Subject, &AuditEntry>,
        states: Vec<Result<[u8; 32], Unencodable>>,
    ) -> Result<(), AuditFault> {
        // Each tombstone must be the state its subject's last entry, a disposal, recorded.
        let mut tombstoned = std::collections::HashSet::new();
        for t in &self.tombstones {
            let subject = subject_of(&t.id);
            let present = match &subject {
                Subject::Incident(id) => self.incident(id).is_some(),
                Subject::Person(id) => self.person(id).is_some(),
                Subject::Settings | Subject::Concern(_) => false,
            };
            if present {
                return Err(AuditFault::DisposedButPresent { id: t.id.clone() });
            }
            let state = state_hash(t).map_err(AuditFault::Unencodable)?;
            let audited = latest
                .get(&subject)
                .is_some_and(|e| e.action.starts_with(DISPOSED) && e.state == state);
            if !audited {
                return Err(AuditFault::UnauditedTombstone { id: t.id.clone() });
            }
            tombstoned.insert(t.id.as_str());
        }
        let tombstoned = |id: &str| tombstoned.contains(id);
        let subjects = self
            .incidents
            .iter()
            .map(|i| Subject::Incident(i.id.clone()))
            .chain(self.people.iter().map(|p| Subject::Person(p.id.clone())))
            .chain(
                self.concerns
                    .iter()
                    .map(|c| Subject::Concern(c.concern.receipt.clone())),
            );
        for (subject, state) in subjects.zip(states) {
            let Some(entry) = latest.get(&subject) else {
                return Err(AuditFault::Unrecorded { subject });
            };
            let state = state.map_err(AuditFault::Unencodable)?;
            if !entry.state.is(&state) {
                return Err(AuditFault::StateMismatch {
                    subject,
                    seq: entry.seq,
                });
            }
        }
        if let Some(entry) = latest.get(&Subject::Settings)
            && state_hash(&self.settings).map_err(AuditFault::Unencodable)? != entry.state
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
                Subject::Concern(receipt) => self.concern(receipt).is_some(),
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
        let gone = b.incidents.remove(2).id.clone();
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

    #[test]
    fn a_changed_copy_of_an_incident_beside_the_real_one_is_named() {
        let mut b = book();
        let mut copy = b.incidents[3].clone();
        copy.description = "rewritten".into();
        let id = copy.id.clone();
        b.incidents.insert(3, copy);
        assert_eq!(
            b.verify_audit(),
            Err(AuditFault::Duplicate {
                what: "incident",
                id
            })
        );
        let mut b = book();
        let again = b.people[0].clone();
        b.people.insert(1, again);
        assert!(matches!(
            b.verify_audit(),
            Err(AuditFault::Duplicate { what: "person", .. })
        ));
        let mut b = book();
        let i = b
            .incidents
            .iter()
            .position(|i| !i.evidence.is_empty())
            .unwrap();
        let again = b.incidents[i].evidence[0].clone();
        b.incidents[i].evidence.push(again);
        assert!(matches!(
            b.verify_audit(),
            Err(AuditFault::Duplicate { .. })
        ));
    }

    /// Rewrites one entry and re-chains the rest, as a forger with the key would.
    fn forge(b: &mut Logbook, i: usize, change: impl FnOnce(&mut AuditEntry)) {
        change(&mut b.audit[i]);
        for k in i..b.audit.len() {
            let prev = if k == 0 {
                HashHex::GENESIS
            } else {
                b.audit[k - 1].hash.clone()
            };
            b.audit[k].hash = entry_hash(&prev, &b.audit[k]).unwrap();
        }
    }

    #[test]
    fn an_entry_dated_before_its_predecessor_is_named() {
        let mut b = book();
        let earlier = b.audit[9].at - chrono::Duration::days(1);
        forge(&mut b, 10, |e| e.at = earlier);
        assert_eq!(b.verify_audit(), Err(AuditFault::OutOfOrder { seq: 11 }));
    }

    #[test]
    fn an_entry_without_an_author_is_named() {
        let mut b = book();
        forge(&mut b, 7, |e| e.by = "  ".into());
        assert_eq!(b.verify_audit(), Err(AuditFault::NoAuthor { seq: 8 }));
    }

    #[test]
    fn a_removed_incident_hidden_by_an_unaudited_tombstone_is_named() {
        let mut b = book();
        let gone = b.incidents.remove(2).id.clone();
        b.tombstones.push(Tombstone {
            id: gone.clone(),
            disposed: now().date(),
            by: String::new(),
            rule: String::new(),
        });
        assert_eq!(
            b.verify_audit(),
            Err(AuditFault::UnauditedTombstone { id: gone })
        );
        // A tombstone beside the record it claims to dispose of.
        let mut b = book();
        let id = b.incidents[2].id.clone();
        b.tombstones.push(Tombstone {
            id: id.clone(),
            disposed: now().date(),
            by: String::new(),
            rule: String::new(),
        });
        assert_eq!(b.verify_audit(), Err(AuditFault::DisposedButPresent { id }));
    }

    #[test]
    fn canonical_encoding_errors_are_returned_not_hashed() {
        struct Refuses;
        impl Serialize for Refuses {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("cannot encode"))
            }
        }
        assert!(canonical(&Refuses).is_err());
        assert!(state_hash(&Refuses).is_err());
        assert_eq!(canonical(&1u8).unwrap(), "1");
    }

    #[test]
    fn a_change_within_the_same_second_as_the_last_is_not_dated_before_it() {
        let mut b = book();
        let later = b.audit.last().unwrap().at + chrono::Duration::milliseconds(900);
        b.update_settings(&Stamp::new("RO", later), |s| s.idle_lock_minutes = 9)
            .unwrap();
        // The app stamps whole seconds: 0.9 s "before" the command line's entry.
        let whole = DateTime::from_timestamp(later.timestamp(), 0)
            .unwrap()
            .with_timezone(later.offset());
        assert!(whole < later);
        b.update_settings(&Stamp::new("RO", whole), |s| s.idle_lock_minutes = 10)
            .unwrap();
        b.verify_audit().unwrap();
        let a_second_earlier = whole - chrono::Duration::seconds(1);
        assert!(
            b.update_settings(&Stamp::new("RO", a_second_earlier), |s| {
                s.idle_lock_minutes = 11
            })
            .is_err()
        );
    }

    /// A logbook large enough that the records are hashed on a second thread finds the
    /// same faults, in the same order.
    #[test]
    fn a_large_logbook_is_checked_on_two_threads_with_the_same_findings() {
        let mut b = crate::demo::generate(200, 42, now()).unwrap();
        assert!(b.incidents.len() + b.people.len() >= 256);
        b.verify_audit().unwrap();
        let id = b.incidents[150].id.clone();
        b.incidents[150].platform.push_str(" (quietly changed)");
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
        // A chain fault comes first, as on one thread.
        b.audit[20].by = "someone else".into();
        assert_eq!(b.verify_audit(), Err(AuditFault::EntryAltered { seq: 21 }));
    }

    #[test]
    fn no_change_is_made_while_the_trail_is_still_being_read() {
        let mut b = book();
        let len = b.audit.len();
        b.trail_pending = true;
        let stamp = Stamp::new("RO", b.audit.last().unwrap().at);
        let refused = b.update_settings(&stamp, |s| s.idle_lock_minutes = 9);
        assert!(refused.is_err());
        assert_eq!(b.audit.len(), len);
        b.trail_pending = false;
        b.update_settings(&stamp, |s| s.idle_lock_minutes = 9)
            .unwrap();
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
            state: sha256_hex(b"state").into(),
            hash: HashHex::default(),
            redacted: None,
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
            })
            .unwrap(),
            format!(
                "(seq:1,at:\"2026-01-05T10:15:00Z\",by:\"RO\",subject:Incident(\"INC-2026-0001\"),action:\"recorded incident\",changes:[(field:\"platform\",old:\"\",new:\"Snapchat\")],state:\"{}\")",
                sha256_hex(b"state")
            )
        );
        assert_eq!(
            entry_hash(&HashHex::GENESIS, &entry).unwrap(),
            "94078758f8add5f228a72e4ecd5c3b9f1d65a39d80138859a6a6b92659d6ca4c"
        );
    }
}
