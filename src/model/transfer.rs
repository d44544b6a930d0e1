//! Child protection file transfer: when a child moves, their whole file goes to the new
//! school's DSL (UK guidance: within five school days of the child starting there). The
//! sending logbook writes one `TransferFile`, encrypted to the receiving DSL's age key; the
//! receiving logbook takes it in as a new person with linked incidents, each marked with
//! where it came from. Both ends are audited: the sending, its acknowledgement, the receipt.
//!
//! The file is the logbook's own schema (a `Person` and `Incident`s in RON) so any logbook
//! can read it, plus the print-ready chronologies for a school without this program.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::audit::{Stamp, state_hash};
use super::types::*;
use super::validate::{Invalid, invalid};

/// What the `kind` field of a transfer file says, so a logbook or a backup given to
/// `import-transfer` by mistake is told apart.
pub const TRANSFER_KIND: &str = "child protection file transfer";

/// The start of the audit action that records a transfer sent (after "exported ").
pub const TRANSFER_SENT: &str = "exported child protection file transfer";
/// The start of the audit action that records the receiving school's acknowledgement.
pub const TRANSFER_ACKNOWLEDGED: &str = "child protection file transfer acknowledged";

/// One person's file as it travels between logbooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferFile {
    /// The logbook format the records are in (`FORMAT`).
    pub format: u32,
    pub kind: String,
    /// The sending organisation, who sent it and when.
    pub from: String,
    pub sent: NaiveDateTime,
    pub sent_by: String,
    /// The person, as the sending register holds them.
    pub person: Person,
    /// Their incidents, with other people reduced to roles: only this person is linked,
    /// and other people's references in the text are replaced by "another pupil" etc.
    pub incidents: Vec<Incident>,
    /// The same records as print-ready HTML pages (the person's chronology first).
    #[serde(default)]
    pub documents: Vec<TransferDocument>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferDocument {
    pub title: String,
    pub html: String,
}

/// What a transfer taken in became in the receiving logbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub person: String,
    /// (number in the sending logbook, number here)
    pub incidents: Vec<(String, String)>,
}

impl Logbook {
    /// Whether `person`'s file may go to a new school as a child protection file: it is for
    /// a child or young person (someone of unknown age group counts when their year of
    /// birth makes them under 18 in `year`). Anyone else (an adult alleged to have groomed a
    /// pupil, a member of staff) is refused with a sentence naming who they are, since a slip
    /// of the number would send another child's case to a school under the wrong person.
    pub fn may_transfer(&self, person: &str, year: i32) -> Result<(), Invalid> {
        let p = self
            .person(person)
            .ok_or_else(|| invalid("id", format!("{person} is not in this logbook")))?;
        let child = match p.age_group {
            AgeGroup::Child | AgeGroup::YoungPerson => true,
            AgeGroup::Unknown => p.birth_year.is_some_and(|born| year - born < 18),
            AgeGroup::Adult | AgeGroup::AdultAtRisk | AgeGroup::Staff => false,
        };
        if child {
            return Ok(());
        }
        let mut roles: Vec<String> = self
            .incidents
            .iter()
            .flat_map(|i| {
                i.people
                    .iter()
                    .filter(|x| x.person == p.id)
                    .map(|x| format!("{} in {}", x.role.label().to_lowercase(), i.id))
            })
            .collect();
        roles.dedup();
        let roles = if roles.is_empty() {
            String::new()
        } else {
            format!(", {}", roles.join(", "))
        };
        Err(invalid(
            "id",
            format!(
                "{} is {} ({}{roles}): a child protection file transfer is for a child or young person moving school; check the number (the people register lists them), or set their age group if it is wrong.",
                p.id,
                match p.age_group {
                    AgeGroup::Unknown =>
                        "of unknown age with no year of birth under 18".to_string(),
                    g => format!("recorded as {}", g.label().to_lowercase()),
                },
                p.reference,
            ),
        ))
    }

    /// The audit entry of a transfer of `person` sent and not yet acknowledged.
    pub fn pending_transfer(&self, person: &str) -> Option<&AuditEntry> {
        let subject = Subject::Person(person.to_string());
        let last = self
            .audit
            .iter()
            .rev()
            .filter(|e| e.subject == subject)
            .find(|e| {
                e.action.starts_with(TRANSFER_SENT) || e.action.starts_with(TRANSFER_ACKNOWLEDGED)
            })?;
        last.action.starts_with(TRANSFER_SENT).then_some(last)
    }

    /// Every person whose file was sent and not yet acknowledged, with when it was sent:
    /// one pass over the trail (the people register shows it on every row).
    pub fn pending_transfers(&self) -> std::collections::HashMap<&str, &AuditEntry> {
        let mut pending = std::collections::HashMap::new();
        for e in &self.audit {
            let Subject::Person(id) = &e.subject else {
                continue;
            };
            if e.action.starts_with(TRANSFER_SENT) {
                pending.insert(id.as_str(), Shared::get(e));
            } else if e.action.starts_with(TRANSFER_ACKNOWLEDGED) {
                pending.remove(id.as_str());
            }
        }
        pending
    }

    /// Records that the receiving school acknowledged the transfer of `person`'s file.
    pub fn acknowledge_transfer(
        &mut self,
        stamp: &Stamp,
        person: &str,
        note: &str,
    ) -> Result<(), Invalid> {
        let p = self
            .person(person)
            .ok_or_else(|| invalid("person", format!("{person} is not in the people register")))?;
        if self.pending_transfer(person).is_none() {
            return Err(invalid(
                "person",
                format!("No transfer of {person}'s file is waiting for acknowledgement"),
            ));
        }
        let state = state_hash(p)?;
        let note = note.trim();
        let action = if note.is_empty() {
            TRANSFER_ACKNOWLEDGED.to_string()
        } else {
            format!("{TRANSFER_ACKNOWLEDGED}: {note}")
        };
        self.append_audit(
            stamp,
            Subject::Person(person.to_string()),
            action,
            Vec::new(),
            state,
        )
    }

    /// Takes in a transfer as a new person with linked incidents, numbered in this logbook
    /// and marked with where they came from. `digest` is the SHA-256 of the transfer's
    /// contents: the same transfer, or an incident already taken in from the same school,
    /// is refused. All or nothing, audited.
    pub fn import_transfer(
        &mut self,
        stamp: &Stamp,
        t: TransferFile,
        digest: &str,
    ) -> Result<Received, Invalid> {
        if t.kind != TRANSFER_KIND {
            return Err(invalid(
                "kind",
                "This is not a child protection file transfer",
            ));
        }
        if let Some(p) = self
            .people
            .iter()
            .find(|p| p.transferred.as_ref().is_some_and(|x| x.transfer == digest))
        {
            return Err(invalid(
                "transfer",
                format!(
                    "This transfer was already taken in, as {}: nothing was added",
                    p.id
                ),
            ));
        }
        for inc in &t.incidents {
            if let Some(here) = self.incidents.iter().find(|i| {
                i.transferred
                    .as_ref()
                    .is_some_and(|x| x.from == t.from && x.source_id == inc.id)
            }) {
                return Err(invalid(
                    "transfer",
                    format!(
                        "{}'s {} was already taken in, as {}: nothing was added",
                        t.from, inc.id, here.id
                    ),
                ));
            }
        }
        if t.incidents
            .iter()
            .any(|i| !i.people.iter().all(|p| p.person == t.person.id))
        {
            return Err(invalid(
                "incidents",
                "The transfer links people other than the one it is about: it was not written by `logbook transfer`",
            ));
        }
        let provenance = |source_id: &str| Transferred {
            from: t.from.clone(),
            source_id: source_id.to_string(),
            sent: t.sent,
            sent_by: t.sent_by.clone(),
            transfer: digest.to_string(),
        };
        let person_id = self.next_person_id();
        let mut person = t.person.clone();
        person.id = person_id.clone();
        person.transferred = Some(provenance(&t.person.id));

        // New numbers, by the year each was reported, after this logbook's own.
        let mut next: HashMap<i32, u64> = HashMap::new();
        let mut renumber = HashMap::new();
        let mut incidents = t.incidents.clone();
        incidents.sort_by_key(|i| i.reported);
        for inc in &incidents {
            let year = inc.reported.year();
            let n = next.entry(year).or_insert_with(|| {
                self.next_incident_id(year)
                    .rsplit('-')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1)
            });
            renumber.insert(inc.id.clone(), format!("INC-{year:04}-{:04}", *n));
            *n += 1;
        }
        let mut other = Logbook::new(self.settings.clone());
        other.people.push(Shared::new(person));
        let mut pairs = Vec::new();
        for mut inc in incidents {
            let new_id = renumber[&inc.id].clone();
            pairs.push((inc.id.clone(), new_id.clone()));
            inc.transferred = Some(provenance(&inc.id));
            inc.id = new_id;
            name_where_kept(&mut inc, &t.from);
            for p in &mut inc.people {
                p.person = person_id.clone();
            }
            inc.related = inc
                .related
                .iter()
                .filter_map(|r| renumber.get(r).cloned())
                .collect();
            other.incidents.push(Shared::new(inc));
        }
        let mut staged = self.clone();
        staged.import(stamp, other)?;
        let list: Vec<String> = pairs
            .iter()
            .map(|(from, to)| format!("{from} as {to}"))
            .collect();
        let state = staged
            .subject_state(&Subject::Person(person_id.clone()))
            .ok_or_else(|| invalid("person", "the transferred person was not added"))??;
        staged.append_audit(
            stamp,
            Subject::Person(person_id.clone()),
            format!(
                "received child protection file transfer from {} (sent {} by {}): their {} as {person_id}{}{}",
                t.from,
                super::dates::when(t.sent),
                t.sent_by,
                t.person.id,
                if list.is_empty() { "" } else { ", with " },
                list.join(", ")
            ),
            Vec::new(),
            state,
        )?;
        *self = staged;
        Ok(Received {
            person: person_id,
            incidents: pairs,
        })
    }
}

/// How an item kept inside a logbook says so ("In this logbook (concern C-...)"): true only
/// in that logbook.
const IN_THIS_LOGBOOK: &str = "In this logbook";

/// Says, in a copy of `incident` leaving the logbook of `school`, that what was kept "In this
/// logbook" (a staff concern's words) is in `school`'s logbook: in the receiving school's
/// logbook "this logbook" would be false (tester2 #35). Written so by `logbook transfer`, and
/// applied again on import to a transfer written before that.
pub fn name_where_kept(incident: &mut Incident, school: &str) {
    for e in &mut incident.evidence {
        if let Some(rest) = e.kept_at.strip_prefix(IN_THIS_LOGBOOK) {
            e.kept_at = format!("In the logbook of {}{rest}", school.trim());
        }
    }
}
