//! Changes to the logbook. Every change goes through here: it is applied to a copy of the
//! record, validated, diffed against the old record and appended to the audit trail, so no
//! change can bypass the trail and no refused change leaves anything half-done.

use chrono::{Datelike, NaiveDate};

use super::audit::{Stamp, state_hash};
use super::flatten::diff;
use super::types::*;
use super::validate::{Context, Invalid, invalid};
use crate::reference::Reference;

impl Logbook {
    pub fn new(settings: Settings) -> Logbook {
        Logbook {
            format: FORMAT,
            settings,
            people: Vec::new(),
            incidents: Vec::new(),
            tombstones: Vec::new(),
            audit: Vec::new(),
            backup_key: None,
        }
    }

    /// A new, empty logbook whose first audit entry records the settings it was created with.
    pub fn create(stamp: &Stamp, settings: Settings) -> Logbook {
        let mut book = Logbook::new(settings);
        let state = state_hash(&book.settings);
        book.append_audit(
            stamp,
            Subject::Settings,
            "created logbook",
            Vec::new(),
            state,
        );
        book
    }

    /// Keeps incidents and people in id order, which makes lookups a binary search.
    /// Ids sort by year then number, so this is also the order they were reported in.
    pub fn sort(&mut self) {
        self.incidents.sort_by(|a, b| a.id.cmp(&b.id));
        self.people.sort_by(|a, b| a.id.cmp(&b.id));
    }

    pub fn incident(&self, id: &str) -> Option<&Incident> {
        self.incidents
            .binary_search_by(|i| i.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.incidents[i])
    }

    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people
            .binary_search_by(|p| p.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.people[i])
    }

    /// The next free incident number for a year (disposed numbers are never reused).
    pub fn next_incident_id(&self, year: i32) -> String {
        let prefix = format!("INC-{year:04}-");
        let used = self
            .incidents
            .iter()
            .map(|i| i.id.as_str())
            .chain(self.tombstones.iter().map(|t| t.id.as_str()))
            .filter_map(|id| id.strip_prefix(&prefix))
            .filter_map(|n| n.parse::<u32>().ok())
            .max()
            .unwrap_or(0);
        format!("{prefix}{:04}", used + 1)
    }

    pub fn next_person_id(&self) -> String {
        let used = self
            .people
            .iter()
            .filter_map(|p| p.id.strip_prefix("P-"))
            .filter_map(|n| n.parse::<u32>().ok())
            .max()
            .unwrap_or(0);
        format!("P-{:04}", used + 1)
    }

    /// Adds a person to the register. An empty id is given the next number.
    pub fn add_person(&mut self, stamp: &Stamp, mut person: Person) -> Result<String, Invalid> {
        if person.id.is_empty() {
            person.id = self.next_person_id();
        }
        person.validate(stamp.at.naive_local())?;
        if self.person(&person.id).is_some() {
            return Err(invalid(
                "id",
                format!("{} is already in the people register", person.id),
            ));
        }
        let id = person.id.clone();
        let state = state_hash(&person);
        let at = self.people.partition_point(|p| p.id < id);
        self.people.insert(at, person);
        self.append_audit(
            stamp,
            Subject::Person(id.clone()),
            "added person",
            Vec::new(),
            state,
        );
        Ok(id)
    }

    pub fn update_person(
        &mut self,
        stamp: &Stamp,
        id: &str,
        action: &str,
        change: impl FnOnce(&mut Person),
    ) -> Result<(), Invalid> {
        let index = self
            .people
            .binary_search_by(|p| p.id.as_str().cmp(id))
            .map_err(|_| invalid("person", format!("{id} is not in the people register")))?;
        let mut after = self.people[index].clone();
        change(&mut after);
        after.validate(stamp.at.naive_local())?;
        if after.id != id {
            return Err(invalid("id", "A person's number cannot change"));
        }
        let changes = diff(&self.people[index], &after);
        if self.people[index] == after {
            return Err(invalid("person", "Nothing was changed"));
        }
        let state = state_hash(&after);
        self.people[index] = after;
        self.append_audit(
            stamp,
            Subject::Person(id.to_string()),
            action,
            changes,
            state,
        );
        Ok(())
    }

    /// Records a new incident. An empty id is given the next number for the year it was
    /// reported; an empty checklist is filled from the incident types' response steps.
    pub fn add_incident(
        &mut self,
        stamp: &Stamp,
        mut incident: Incident,
    ) -> Result<String, Invalid> {
        if incident.id.is_empty() {
            incident.id = self.next_incident_id(incident.reported.year());
        }
        if incident.checklist.is_empty() {
            incident.checklist = Reference::get()
                .checklist_for(&incident.types)
                .into_iter()
                .map(|step| ChecklistItem {
                    step,
                    state: StepState::Open,
                })
                .collect();
        }
        self.check_incident(stamp, &incident)?;
        if self.incident(&incident.id).is_some() {
            return Err(invalid(
                "id",
                format!("{} is already in the logbook", incident.id),
            ));
        }
        let id = incident.id.clone();
        let state = state_hash(&incident);
        let at = self.incidents.partition_point(|i| i.id < id);
        self.incidents.insert(at, incident);
        self.append_audit(
            stamp,
            Subject::Incident(id.clone()),
            "recorded incident",
            Vec::new(),
            state,
        );
        Ok(id)
    }

    /// Changes an incident through `change`; refused changes leave the incident as it was.
    pub fn update_incident(
        &mut self,
        stamp: &Stamp,
        id: &str,
        action: &str,
        change: impl FnOnce(&mut Incident),
    ) -> Result<(), Invalid> {
        let index = self
            .incidents
            .binary_search_by(|i| i.id.as_str().cmp(id))
            .map_err(|_| invalid("incident", format!("{id} is not in the logbook")))?;
        let mut after = self.incidents[index].clone();
        change(&mut after);
        if after.id != id {
            return Err(invalid("id", "An incident's number cannot change"));
        }
        self.check_incident(stamp, &after)?;
        let changes = diff(&self.incidents[index], &after);
        if self.incidents[index] == after {
            return Err(invalid("incident", "Nothing was changed"));
        }
        let state = state_hash(&after);
        self.incidents[index] = after;
        self.append_audit(
            stamp,
            Subject::Incident(id.to_string()),
            action,
            changes,
            state,
        );
        Ok(())
    }

    fn check_incident(&self, stamp: &Stamp, incident: &Incident) -> Result<(), Invalid> {
        let ctx = Context {
            now: stamp.at.naive_local(),
            people: &self.people,
            reference: Reference::get(),
        };
        incident.validate(&ctx)?;
        for rel in &incident.related {
            if rel == &incident.id || self.incident(rel).is_none() {
                return Err(invalid(
                    "related",
                    format!("{rel} is not another incident in this logbook"),
                ));
            }
        }
        Ok(())
    }

    pub fn update_settings(
        &mut self,
        stamp: &Stamp,
        change: impl FnOnce(&mut Settings),
    ) -> Result<(), Invalid> {
        let mut after = self.settings.clone();
        change(&mut after);
        after.validate()?;
        let changes = diff(&self.settings, &after);
        if self.settings == after {
            return Err(invalid("settings", "Nothing was changed"));
        }
        let state = state_hash(&after);
        self.settings = after;
        self.append_audit(stamp, Subject::Settings, "changed settings", changes, state);
        Ok(())
    }

    /// Adds the people and incidents of another logbook (e.g. `data/demo.ron`), keeping their
    /// numbers. The whole file is checked first; on any refusal nothing is added.
    /// Returns how many people and incidents were added.
    pub fn import(&mut self, stamp: &Stamp, other: Logbook) -> Result<(usize, usize), Invalid> {
        let mut other = other;
        other.sort();
        other.validate(stamp.at.naive_local())?;
        for p in &other.people {
            if let Some(existing) = self.person(&p.id)
                && existing != p
            {
                return Err(invalid(
                    "people",
                    format!(
                        "{} is already in the people register as a different person: nothing was imported",
                        p.id
                    ),
                ));
            }
        }
        for inc in &other.incidents {
            if self.incident(&inc.id).is_some() || self.tombstones.iter().any(|t| t.id == inc.id) {
                return Err(invalid(
                    "incidents",
                    format!(
                        "{} is already in this logbook: nothing was imported",
                        inc.id
                    ),
                ));
            }
        }
        let mut staged = self.clone();
        let mut people = 0;
        for p in other.people {
            if staged.person(&p.id).is_none() {
                staged.add_person(stamp, p)?;
                people += 1;
            }
        }
        // Related links may point forward, so add every incident before checking them.
        let mut links = Vec::new();
        let count = other.incidents.len();
        for mut inc in other.incidents {
            links.push((inc.id.clone(), std::mem::take(&mut inc.related)));
            staged.add_incident(stamp, inc)?;
        }
        for (id, related) in links {
            if !related.is_empty() {
                staged.update_incident(stamp, &id, "linked related incidents", |i| {
                    i.related = related
                })?;
            }
        }
        // Audit actions say "imported" so the trail shows where the records came from.
        for entry in &mut staged.audit[self.audit.len()..] {
            entry.action = format!("imported: {}", entry.action);
        }
        staged.rehash_from(self.audit.len());
        *self = staged;
        Ok((people, count))
    }

    /// Recomputes entry hashes from `start` on; only for entries this process just appended.
    fn rehash_from(&mut self, start: usize) {
        for i in start..self.audit.len() {
            let prev = if i == 0 {
                super::audit::GENESIS.to_string()
            } else {
                self.audit[i - 1].hash.clone()
            };
            self.audit[i].hash = super::audit::entry_hash(&prev, &self.audit[i]);
        }
    }
}

impl Logbook {
    /// Records in the trail that a verified backup was made (the backup file holds the
    /// trail up to the entry before this one), so the time of the last backup is itself
    /// part of the checked history.
    pub fn record_backup(&mut self, stamp: &Stamp, file: &str) {
        let state = state_hash(&self.settings);
        self.append_audit(
            stamp,
            Subject::Settings,
            format!("{BACKED_UP} {file}"),
            Vec::new(),
            state,
        );
    }

    /// When the last verified backup was made, from the trail.
    pub fn last_backup(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        self.audit
            .iter()
            .rev()
            .find(|e| e.subject == Subject::Settings && e.action.starts_with(BACKED_UP))
            .map(|e| e.at)
    }
}

/// The action of a backup's audit entry.
const BACKED_UP: &str = "verified backup written:";

impl Review {
    /// A review put in the diary: due on `due`, not yet held.
    pub fn scheduled(id: impl Into<String>, due: NaiveDate) -> Review {
        Review {
            id: id.into(),
            due,
            held: None,
            by: String::new(),
            outcome: String::new(),
            risk_now: None,
            decision: None,
            next_review: None,
            error: None,
        }
    }
}

impl Incident {
    /// The next free item number with `prefix` (EV, RS or RV) in this incident.
    pub fn next_item_id(&self, prefix: &str) -> String {
        let ids: Vec<&str> = match prefix {
            "EV" => self.evidence.iter().map(|e| e.id.as_str()).collect(),
            "RS" => self.reports.iter().map(|r| r.id.as_str()).collect(),
            _ => self.reviews.iter().map(|r| r.id.as_str()).collect(),
        };
        let used = ids
            .iter()
            .filter_map(|id| {
                id.strip_prefix(prefix)?
                    .strip_prefix('-')?
                    .parse::<u32>()
                    .ok()
            })
            .max()
            .unwrap_or(0);
        format!("{prefix}-{}", used + 1)
    }

    /// The earliest review not yet held (and not entered in error).
    pub fn next_review(&self) -> Option<NaiveDate> {
        self.reviews
            .iter()
            .filter(|r| r.held.is_none() && r.error.is_none())
            .map(|r| r.due)
            .min()
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status != Status::Closed && self.next_review().is_some_and(|d| d < today)
    }
}
