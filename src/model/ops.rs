//! Changes to the logbook. Every change goes through here: it is applied to a copy of the
//! record, validated, diffed against the old record and appended to the audit trail, so no
//! change can bypass the trail and no refused change leaves anything half-done.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

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
            concerns: Vec::new(),
            trail_pending: false,
        }
    }

    /// A new, empty logbook whose first audit entry records the settings it was created with.
    pub fn create(stamp: &Stamp, settings: Settings) -> Result<Logbook, Invalid> {
        let mut book = Logbook::new(settings);
        let state = state_hash(&book.settings)?;
        book.append_audit(
            stamp,
            Subject::Settings,
            "created logbook",
            Vec::new(),
            state,
        )?;
        Ok(book)
    }

    /// Keeps incidents and people in id order, which makes lookups a binary search.
    /// Ids sort by year then number (`id_order`), so this is also the order they were
    /// reported in, past number 9999 too.
    pub fn sort(&mut self) {
        self.incidents.sort_by(|a, b| id_order(&a.id, &b.id));
        self.people.sort_by(|a, b| id_order(&a.id, &b.id));
    }

    pub fn incident(&self, id: &str) -> Option<&Incident> {
        self.incidents
            .binary_search_by(|i| id_order(&i.id, id))
            .ok()
            .map(|i| &*self.incidents[i])
    }

    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people
            .binary_search_by(|p| id_order(&p.id, id))
            .ok()
            .map(|i| &*self.people[i])
    }

    pub(crate) fn incident_index(&self, id: &str) -> Result<usize, Invalid> {
        self.incidents
            .binary_search_by(|i| id_order(&i.id, id))
            .map_err(|_| invalid("incident", format!("{id} is not in the logbook")))
    }

    /// The next free incident number for a year (disposed numbers are never reused).
    /// Four digits, then as many as needed: INC-2026-9999 is followed by INC-2026-10000.
    pub fn next_incident_id(&self, year: i32) -> String {
        let prefix = format!("INC-{year:04}-");
        let used = self
            .incidents
            .iter()
            .map(|i| i.id.as_str())
            .chain(self.tombstones.iter().map(|t| t.id.as_str()))
            .filter_map(|id| id.strip_prefix(&prefix))
            .filter_map(|n| n.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        format!("{prefix}{:04}", used + 1)
    }

    /// The next free person number (disposed numbers are never reused).
    pub fn next_person_id(&self) -> String {
        let used = self
            .people
            .iter()
            .map(|p| p.id.as_str())
            .chain(self.tombstones.iter().map(|t| t.id.as_str()))
            .filter_map(|id| id.strip_prefix("P-"))
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
        if self.tombstones.iter().any(|t| t.id == person.id) {
            return Err(invalid(
                "id",
                format!(
                    "{} was disposed of, and a disposed number is never used again: give the person a new number",
                    person.id
                ),
            ));
        }
        let id = person.id.clone();
        let state = state_hash(&person)?;
        self.append_audit(
            stamp,
            Subject::Person(id.clone()),
            "added person",
            Vec::new(),
            state,
        )?;
        let at = self
            .people
            .partition_point(|p| id_order(&p.id, &id).is_lt());
        self.people.insert(at, Shared::new(person));
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
            .binary_search_by(|p| id_order(&p.id, id))
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
        let state = state_hash(&after)?;
        self.append_audit(
            stamp,
            Subject::Person(id.to_string()),
            action,
            changes,
            state,
        )?;
        self.people[index] = after;
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
                    struck: Vec::new(),
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
        let state = state_hash(&incident)?;
        self.append_audit(
            stamp,
            Subject::Incident(id.clone()),
            "recorded incident",
            Vec::new(),
            state,
        )?;
        let at = self
            .incidents
            .partition_point(|i| id_order(&i.id, &id).is_lt());
        self.incidents.insert(at, Shared::new(incident));
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
        let index = self.incident_index(id)?;
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
        let state = state_hash(&after)?;
        self.append_audit(
            stamp,
            Subject::Incident(id.to_string()),
            action,
            changes,
            state,
        )?;
        self.incidents[index] = after;
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
            // A link to a record since disposed of stays: the tombstone keeps its number.
            let disposed = self.tombstones.iter().any(|t| &t.id == rel);
            if rel == &incident.id || (self.incident(rel).is_none() && !disposed) {
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
        let state = state_hash(&after)?;
        self.append_audit(stamp, Subject::Settings, "changed settings", changes, state)?;
        self.settings = after;
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
                && existing != Shared::get(p)
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
        for p in std::mem::take(&mut other.people) {
            if staged.person(&p.id).is_none() {
                staged.add_person(stamp, Shared::into_inner(p))?;
                people += 1;
            }
        }
        // Related links may point forward, so add every incident before checking them.
        let mut links = Vec::new();
        let count = other.incidents.len();
        for inc in std::mem::take(&mut other.incidents) {
            let mut inc = Shared::into_inner(inc);
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
        staged.rehash_from(self.audit.len())?;
        *self = staged;
        Ok((people, count))
    }

    /// Recomputes entry hashes from `start` on; only for entries this process just appended.
    fn rehash_from(&mut self, start: usize) -> Result<(), Invalid> {
        for i in start..self.audit.len() {
            let prev = if i == 0 {
                super::audit::HashHex::GENESIS
            } else {
                self.audit[i - 1].hash.clone()
            };
            self.audit[i].hash = super::audit::entry_hash(&prev, &self.audit[i])?;
        }
        Ok(())
    }
}

impl Logbook {
    /// Records in the trail that a verified backup was made (the backup file holds the
    /// trail up to the entry before this one), so the time of the last backup is itself
    /// part of the checked history.
    pub fn record_backup(&mut self, stamp: &Stamp, file: &str) -> Result<(), Invalid> {
        let state = state_hash(&self.settings)?;
        self.append_audit(
            stamp,
            Subject::Settings,
            format!("{BACKED_UP} {file}"),
            Vec::new(),
            state,
        )?;
        Ok(())
    }

    /// Records in the trail that the logbook was restored from the backup `file` (the
    /// restored trail continues with this entry), so who restored what is on the record.
    pub fn record_restore(&mut self, stamp: &Stamp, file: &str) -> Result<(), Invalid> {
        let state = state_hash(&self.settings)?;
        self.append_audit(
            stamp,
            Subject::Settings,
            format!("{RESTORED} {file}"),
            Vec::new(),
            state,
        )?;
        Ok(())
    }

    /// Records that `stamp.by` took over recording from `from` during a session, and how
    /// (their own key, or chosen at the keyboard), so the trail shows who recorded what.
    pub fn record_recorder(&mut self, stamp: &Stamp, from: &str, how: &str) -> Result<(), Invalid> {
        let state = state_hash(&self.settings)?;
        self.append_audit(
            stamp,
            Subject::Settings,
            format!("recording now as {} (was {from}): {how}", stamp.by),
            Vec::new(),
            state,
        )?;
        Ok(())
    }

    /// Records that the change `stamp.by` has just made to `subject` was typed, in part or
    /// whole, by `drafted_by` in a form left open when the app locked, which `stamp.by`
    /// unlocked, chose to keep and saved: whose words these are stays on the record.
    pub fn record_drafted_by(
        &mut self,
        stamp: &Stamp,
        subject: Subject,
        drafted_by: &str,
    ) -> Result<(), Invalid> {
        if drafted_by.trim().is_empty() {
            return Err(invalid("drafted_by", "Name who drafted the form"));
        }
        let state = self
            .subject_state(&subject)
            .ok_or_else(|| invalid("id", format!("{subject} is not in this logbook")))??;
        self.append_audit(
            stamp,
            subject,
            format!(
                "drafted by {drafted_by}: the form they were filling in when the app locked, kept and saved by {}",
                stamp.by
            ),
            Vec::new(),
            state,
        )?;
        Ok(())
    }

    /// When the last verified backup was made, from the trail. A restore counts too: the
    /// backup it came from held everything up to the entry before the restore's, so that
    /// entry's time is when the logbook was last known to be backed up (the backup's own
    /// entry is not in it, having been recorded after it was written).
    pub fn last_backup(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        let n = self.audit.iter().rposition(|e| {
            e.subject == Subject::Settings
                && (e.action.starts_with(BACKED_UP) || e.action.starts_with(RESTORED))
        })?;
        let entry = &self.audit[n];
        if entry.action.starts_with(BACKED_UP) {
            return Some(entry.at);
        }
        n.checked_sub(1).map(|before| self.audit[before].at)
    }

    /// The file names of the backups recorded in the trail, oldest first (a medium holds
    /// the newest of them, as many as were kept).
    pub fn backups_recorded(&self) -> Vec<&str> {
        self.audit
            .iter()
            .filter(|e| e.subject == Subject::Settings)
            .filter_map(|e| e.action.strip_prefix(BACKED_UP))
            .map(str::trim)
            .collect()
    }
}

/// The action of a backup's audit entry.
const BACKED_UP: &str = "verified backup written:";
/// The action of a restore's audit entry (before the backup's file name).
pub(super) const RESTORED: &str = "restored the logbook from the backup";

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
            cancelled: None,
            moves: Vec::new(),
        }
    }

    /// Whether the review had already passed its date, unheld, when it was moved (or
    /// cancelled) on `day`.
    fn overdue_on(due: NaiveDate, day: NaiveDate) -> bool {
        day > due
    }

    /// The date the review is measured against in the statistics: the date it was first
    /// missed if it was moved (or cancelled) after that date had passed unheld; otherwise
    /// its date now. A review moved before its date is measured against the new date (a
    /// move in good time is a new plan, not a lateness); one moved after its date keeps the
    /// date it missed (tester4 #21).
    pub fn counted_due(&self) -> NaiveDate {
        self.moves
            .iter()
            .find(|m| Review::overdue_on(m.from, m.when.date()))
            .map_or(self.due, |m| m.from)
    }

    /// How the review counts in the statistics on `today`, for an incident whose case
    /// closed at `closed` (if it did); None when it does not count (entered in error, or
    /// taken out of the diary or left unheld by a closure before its date came).
    pub fn timeliness(
        &self,
        closed: Option<NaiveDateTime>,
        today: NaiveDate,
    ) -> Option<Timeliness> {
        if self.error.is_some() {
            return None;
        }
        let due = self.counted_due();
        if let Some(held) = self.held {
            return Some(if held.date() <= due {
                Timeliness::OnTime
            } else {
                Timeliness::Late
            });
        }
        // Not held: taken out of the diary, or the case closed, after its date had passed
        // is a review missed; before it, the review was simply not needed.
        let ended = self.cancelled.as_ref().map(|c| c.when).or(closed);
        match ended {
            Some(end) if Review::overdue_on(due, end.date()) => Some(Timeliness::Missed),
            Some(_) => None,
            None if due < today => Some(Timeliness::Overdue),
            None => None,
        }
    }
}

/// How a review counts in the statistics (`Review::timeliness`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    OnTime,
    Late,
    /// Not yet held, its date passed, on an open case.
    Overdue,
    /// Never held: the case closed, or the review was cancelled, after its date had passed.
    Missed,
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

    /// The earliest review not yet held (and not cancelled or entered in error). A closed
    /// case has none: a review left unheld at closing is not due any more; nor has an
    /// incident entered in error (there is no case to review).
    pub fn next_review(&self) -> Option<NaiveDate> {
        if self.status == Status::Closed || self.error.is_some() {
            return None;
        }
        self.reviews
            .iter()
            .filter(|r| r.held.is_none() && r.error.is_none() && r.cancelled.is_none())
            .map(|r| r.due)
            .min()
    }

    /// An open case (not entered in error) with no review in the diary: it is listed first
    /// in "Reviews due" and by `list --overdue`, so it is never forgotten (tester3 #12,
    /// tester4 #13 and #18).
    pub fn no_review_booked(&self) -> bool {
        self.status != Status::Closed && self.error.is_none() && self.next_review().is_none()
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status != Status::Closed && self.next_review().is_some_and(|d| d < today)
    }
}

/// The order of record ids: incidents by year then number, people by number, with numbers
/// of any length (a shorter number is smaller), so INC-2026-9999 comes before INC-2026-10000.
pub fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn key(id: &str) -> (&str, usize, &str) {
        // The part before the number: "INC-2026-" or "P-".
        let split = id.rfind('-').map_or(0, |i| i + 1);
        (&id[..split], id.len() - split, &id[split..])
    }
    key(a).cmp(&key(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Timelike};

    fn now() -> chrono::NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 16)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    }

    fn stamp() -> Stamp {
        Stamp::new("RO", now().and_utc().fixed_offset())
    }

    fn demo() -> Logbook {
        ron::from_str(crate::demo::DEMO_RON).unwrap()
    }

    #[test]
    fn a_restored_logbook_knows_when_it_was_last_backed_up() {
        let mut b = Logbook::create(&stamp(), Settings::new("S", vec!["RO".into()])).unwrap();
        assert_eq!(b.last_backup(), None);
        let later = |h: u32| Stamp::new("RO", now().with_hour(h).unwrap().and_utc().fixed_offset());
        b.update_settings(&later(10), |s| s.organisation = "T".into())
            .unwrap();
        // The backup's copy of the trail ends here; the restore entry follows directly.
        b.record_restore(&later(12), "logbook-20261116-110000.age")
            .unwrap();
        assert_eq!(b.last_backup(), Some(later(10).at));
        b.record_backup(&later(13), "logbook-20261116-130000.age")
            .unwrap();
        assert_eq!(b.last_backup(), Some(later(13).at));
    }

    #[test]
    fn import_refuses_duplicate_ids_and_adds_nothing() {
        let cases: [fn(&mut Logbook); 3] = [
            |b| {
                let again = b.incidents[4].clone();
                b.incidents.push(again)
            },
            |b| {
                let again = b.people[2].clone();
                b.people.push(again)
            },
            |b| {
                let i = b
                    .incidents
                    .iter()
                    .position(|i| i.reports.len() > 1)
                    .unwrap();
                let first = b.incidents[i].reports[0].id.clone();
                b.incidents[i].reports[1].id = first;
            },
        ];
        for change in cases {
            let mut other = demo();
            change(&mut other);
            let mut book = Logbook::new(Settings::new("S", vec![]));
            let before = book.clone();
            let e = book.import(&stamp(), other).unwrap_err();
            assert!(
                e.message.contains("twice") || e.message.contains("used twice"),
                "{e}"
            );
            assert_eq!(book, before);
        }
    }

    #[test]
    fn an_unknown_field_is_refused_with_its_name_and_line() {
        let text = crate::demo::DEMO_RON.replacen("immediate_action:", "immediate_actoin:", 1);
        let line = text
            .lines()
            .position(|l| l.contains("immediate_actoin"))
            .unwrap()
            + 1;
        let e = ron::from_str::<Logbook>(&text).unwrap_err();
        assert_eq!(e.span.start.line, line, "{e}");
        assert!(e.code.to_string().contains("immediate_actoin"), "{e}");
        // The demo and a logbook written by this build still load.
        demo();
    }

    #[test]
    fn ids_order_by_number_past_four_digits() {
        use std::cmp::Ordering::*;
        assert_eq!(id_order("INC-2026-9999", "INC-2026-10000"), Less);
        assert_eq!(id_order("INC-2025-10000", "INC-2026-0001"), Less);
        assert_eq!(id_order("P-9999", "P-10000"), Less);
        assert_eq!(id_order("P-0002", "P-0002"), Equal);
    }

    #[test]
    fn a_refused_update_changes_nothing_and_an_unchanged_one_is_refused() {
        let mut b = crate::demo::logbook().unwrap();
        let id = b.incidents[0].id.clone();
        let before = b.clone();
        assert!(
            b.update_incident(&stamp(), &id, "x", |i| i.description.clear())
                .is_err()
        );
        assert!(b.update_incident(&stamp(), &id, "x", |_| {}).is_err());
        assert!(
            b.update_incident(&stamp(), &id, "x", |i| i.id = "INC-2026-0999".into())
                .is_err()
        );
        assert!(
            b.update_incident(&stamp(), "INC-1999-0001", "x", |_| {})
                .is_err()
        );
        assert!(
            b.update_person(&stamp(), "P-0001", "x", |p| p.id = "P-0999".into())
                .is_err()
        );
        assert!(b.update_settings(&stamp(), |_| {}).is_err());
        assert_eq!(b, before);
    }
}
