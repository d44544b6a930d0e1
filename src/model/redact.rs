//! Disposal of a record with its content in the audit trail, and the check `verify` makes of
//! what was removed.
//!
//! Disposal removes a record and leaves a tombstone (number, date, who, rule). Its earlier
//! audit entries held its content too: every change's old and new values (descriptions,
//! reasons, names, phone numbers) and actions naming who received an export. So disposal
//! also empties them: each one's action becomes a neutral sentence, its changes and its
//! state hash (a fingerprint of the whole record) are wiped, and it is marked `redacted`.
//!
//! An entry's hash covers its content, so an emptied entry can no longer be re-hashed.
//! Instead the disposal entry, hashed and chained like any other, records for each entry it
//! empties the SHA-256 of what stays of it: the hash of the entry before it, its number,
//! date, author, subject and its own hash. `verify` takes an emptied entry's stored hash as
//! the link only when a later disposal of the same record records exactly that and the
//! record has a tombstone. So marking entries emptied gains a tamperer nothing: it is
//! possible only for records that are gone anyway, only for the entries their disposal
//! listed, and what stays of each (who, when, the links on both sides) is still checked.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use zeroize::Zeroize;

use super::audit::{AuditFault, DISPOSED, HashHex, Stamp, Unencodable, state_hash};
use super::types::*;
use super::validate::Invalid;

/// The action an emptied entry holds instead of its own.
pub const REDACTED_ACTION: &str =
    "entry about a record since disposed of (its content was removed with it)";

/// The field of a disposal entry's change that records one emptied entry: `old` is its
/// number, `new` the SHA-256 of what stays of it (`kept_digest`).
const REDACTED_FIELD: &str = "audit entry emptied";

/// The tombstone rule of a person disposed of with the last incident they were linked to
/// (followed by that incident's number).
const WITH_INCIDENT: &str = "linked to no other incident: disposed of with ";

/// What stays of an emptied entry, with the link before it: all the disposal entry vouches for.
#[derive(Serialize)]
struct Kept<'a> {
    prev: &'a HashHex,
    seq: u64,
    at: &'a DateTime<FixedOffset>,
    by: &'a str,
    subject: &'a Subject,
    hash: &'a HashHex,
}

/// SHA-256 (hex) of what stays of `entry` once emptied, whose predecessor's hash is `prev`.
fn kept_digest(prev: &HashHex, entry: &AuditEntry) -> Result<String, Unencodable> {
    Ok(state_hash(&Kept {
        prev,
        seq: entry.seq,
        at: &entry.at,
        by: &entry.by,
        subject: &entry.subject,
        hash: &entry.hash,
    })?
    .to_string())
}

impl AuditEntry {
    /// Whether this entry is `earlier` (an older copy's entry at the same place, say in a
    /// backup) emptied since at its record's disposal: the same link with the content gone.
    /// The equal hash proves the rest, as `verify` has checked this trail.
    pub fn emptied_from(&self, earlier: &AuditEntry) -> bool {
        self.redacted.is_some()
            && self.hash == earlier.hash
            && self.seq == earlier.seq
            && self.at == earlier.at
            && self.by == earlier.by
            && self.subject == earlier.subject
    }
}

impl Logbook {
    fn prev_hash(&self, index: usize) -> &HashHex {
        index
            .checked_sub(1)
            .map_or(&HashHex::GENESIS, |before| &self.audit[before].hash)
    }

    /// Removes `subject` (an incident or a person) for good: appends its disposal entry,
    /// whose state is the tombstone's hash and whose changes record the entries it empties,
    /// then empties every earlier entry about it, removes the record and keeps the tombstone.
    /// Refused before anything changes if the entry cannot be written.
    fn dispose_subject(
        &mut self,
        stamp: &Stamp,
        subject: Subject,
        tombstone: Tombstone,
        action: String,
    ) -> Result<(), Invalid> {
        let mut emptied = Vec::new();
        let mut changes = Vec::new();
        for (i, entry) in self.audit.iter().enumerate() {
            if entry.subject == subject && entry.redacted.is_none() {
                changes.push(FieldChange {
                    field: REDACTED_FIELD.into(),
                    old: entry.seq.to_string(),
                    new: kept_digest(self.prev_hash(i), entry)?,
                });
                emptied.push(i);
            }
        }
        let state = state_hash(&tombstone)?;
        self.append_audit(stamp, subject.clone(), action, changes, state)?;
        let by_seq = self.audit.len() as u64;
        for i in emptied {
            // Copied first if a save still holds the entry; that copy is wiped when its
            // last holder lets it go (`AuditEntry` is `ZeroizeOnDrop`).
            let entry: &mut AuditEntry = &mut self.audit[i];
            entry.action.zeroize();
            entry.action.push_str(REDACTED_ACTION);
            entry.changes.zeroize();
            entry.state.zeroize();
            entry.redacted = Some(by_seq);
        }
        match &subject {
            Subject::Incident(id) => {
                let index = self.incident_index(id)?;
                self.incidents.remove(index).zeroize();
            }
            Subject::Person(id) => {
                if let Some(index) = self.people.iter().position(|p| &p.id == id) {
                    self.people.remove(index).zeroize();
                }
            }
            Subject::Settings | Subject::Concern(_) => {}
        }
        self.tombstones.push(tombstone);
        Ok(())
    }

    /// Disposes of incident `tombstone.id` (already found closed and due) with its trail's
    /// content, then of each person linked to it and to no other incident. Returns those
    /// people. All or nothing: on a refusal the logbook is as it was.
    pub(crate) fn dispose_incident(
        &mut self,
        stamp: &Stamp,
        tombstone: Tombstone,
    ) -> Result<Vec<String>, Invalid> {
        let before = self.clone();
        let result = self.dispose_incident_and_people(stamp, tombstone);
        if result.is_err() {
            *self = before;
        }
        result
    }

    fn dispose_incident_and_people(
        &mut self,
        stamp: &Stamp,
        tombstone: Tombstone,
    ) -> Result<Vec<String>, Invalid> {
        let id = tombstone.id.clone();
        let mut linked: Vec<String> = Vec::new();
        if let Some(incident) = self.incident(&id) {
            for p in &incident.people {
                if !linked.contains(&p.person) {
                    linked.push(p.person.clone());
                }
            }
        }
        let action = format!("{DISPOSED} {id} under the rule: {}", tombstone.rule);
        self.dispose_subject(stamp, Subject::Incident(id.clone()), tombstone, action)?;
        let mut gone = Vec::new();
        for person in linked {
            let still_linked = self
                .incidents
                .iter()
                .any(|i| i.people.iter().any(|p| p.person == person));
            if still_linked || self.person(&person).is_none() {
                continue;
            }
            let tombstone = Tombstone {
                id: person.clone(),
                disposed: stamp.at.date_naive(),
                by: stamp.by.clone(),
                rule: format!("{WITH_INCIDENT}{id}"),
            };
            let action = format!("{DISPOSED} {person}: {WITH_INCIDENT}{id}");
            self.dispose_subject(stamp, Subject::Person(person.clone()), tombstone, action)?;
            gone.push(person);
        }
        Ok(gone)
    }

    /// The people disposed of with incident `id` because they were linked to no other.
    pub fn people_disposed_with(&self, id: &str) -> Vec<&str> {
        self.tombstones
            .iter()
            .filter(|t| t.rule.strip_prefix(WITH_INCIDENT) == Some(id))
            .map(|t| t.id.as_str())
            .collect()
    }

    /// Verification of the entries emptied at a disposal (`redacted`: their indexes, found
    /// in the chain walk, which could not re-hash them): each must be empty, about a record
    /// that has a tombstone, and recorded, exactly as it stands, by a later disposal entry
    /// of that record, which the chain checks like any other.
    pub(crate) fn check_redacted(&self, redacted: &[usize]) -> Result<(), AuditFault> {
        if redacted.is_empty() {
            return Ok(());
        }
        let tombstoned: HashSet<&str> = self.tombstones.iter().map(|t| t.id.as_str()).collect();
        for &i in redacted {
            let entry = &self.audit[i];
            let disposed = match &entry.subject {
                Subject::Incident(id) | Subject::Person(id) => tombstoned.contains(id.as_str()),
                Subject::Settings | Subject::Concern(_) => false,
            };
            if !disposed {
                return Err(AuditFault::EmptiedButNotDisposed {
                    seq: entry.seq,
                    subject: entry.subject.clone(),
                });
            }
            let kept = kept_digest(self.prev_hash(i), entry).map_err(AuditFault::Unencodable)?;
            let seq = entry.seq.to_string();
            let recorded = entry
                .redacted
                .filter(|&by| by > entry.seq)
                .and_then(|by| self.audit.get(usize::try_from(by - 1).ok()?))
                .is_some_and(|disposal| {
                    disposal.redacted.is_none()
                        && disposal.subject == entry.subject
                        && disposal.action.starts_with(DISPOSED)
                        && disposal
                            .changes
                            .iter()
                            .any(|c| c.field == REDACTED_FIELD && c.old == seq && c.new == kept)
                });
            let empty = entry.action == REDACTED_ACTION
                && entry.changes.is_empty()
                && entry.state.is_empty();
            if !recorded || !empty {
                return Err(AuditFault::EmptiedUnrecorded { seq: entry.seq });
            }
        }
        Ok(())
    }
}
