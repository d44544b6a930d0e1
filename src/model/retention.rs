//! How long each incident is kept, and disposal once that time has passed.
//!
//! The rules are the IRMS toolkit's for UK schools, with the periods in `Settings::retention`:
//! - a child involved: until the youngest child involved is `child_until_age` (25): the end
//!   of the year of birth + 25, because the register holds a year of birth, not a date, and
//!   the latest possible birthday is the safe one;
//! - an allegation about a member of staff: until their normal retirement age or
//!   `staff_min_years` after the case closed, whichever is longer;
//! - adults only: `adult_years` after the case closed;
//! - a per-incident date of its own, with a reason, for keeping a record longer (an inquiry,
//!   a claim), or for a record whose date the rules cannot work out.
//!
//! Several rules can apply to one incident: the latest date wins, a date of its own included,
//! so a date set by hand never shortens what the rules give. When a date cannot be
//! worked out (a child with neither a year of birth nor a year group) the incident is never
//! offered for disposal: the list says what is missing. Nothing here reads a clock.

use chrono::{Datelike, Months, NaiveDate};

use super::audit::Stamp;
use super::types::*;
use super::validate::{Invalid, invalid};

type Latest<'a> = std::collections::HashMap<&'a str, NaiveDate>;

/// Until when an incident is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Until {
    /// Kept to the end of this day; a closed case may be disposed of from the next.
    Date(NaiveDate),
    /// The period runs from closure and the case is not closed yet.
    WhenClosed,
    /// The date cannot be worked out: what is missing and what to do.
    Unknown(String),
}

/// An incident's retention: until when, and the rule that decides it, in words that name
/// no one (they are printed on the disposal certificate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub until: Until,
    pub rule: String,
}

impl Kept {
    /// Whether a case with this retention may be disposed of on `today`.
    pub fn is_due(&self, incident: &Incident, today: NaiveDate) -> bool {
        incident.ended().is_some() && matches!(self.until, Until::Date(d) if d < today)
    }

    fn date(until: Option<NaiveDate>, rule: String) -> Kept {
        match until {
            Some(d) => Kept {
                until: Until::Date(d),
                rule,
            },
            None => Kept {
                until: Until::Unknown("the retention date is beyond the calendar".into()),
                rule,
            },
        }
    }
}

impl Incident {
    /// When the case ended for retention: when it closed, or, for an incident entered in
    /// error and never closed, when it was marked so. A record entered in error is kept
    /// as the case would have been, its period running from the day it was marked, and
    /// is then disposed of like a closed case; until this rule it was never due and kept
    /// for ever (tester3 #32). None while the case is open.
    pub fn ended(&self) -> Option<chrono::NaiveDateTime> {
        match (&self.closure, &self.error) {
            (Some(c), _) if self.status == Status::Closed => Some(c.when),
            (_, Some(e)) => Some(e.when),
            _ => None,
        }
    }
}

fn end_of_year(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 12, 31)
}

fn years_after(date: NaiveDate, years: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(years.checked_mul(12)?))
}

/// The latest year a child in `group` (N, R, Y1 to Y13) on `on` can have been born in. In
/// England a child in Year n during the school year that starts in September of year S was
/// born between September S-n-5 and August S-n-4; reception is Year 0 and nursery Year -1.
pub fn latest_birth_year(group: &str, on: NaiveDate) -> Option<i32> {
    let n: i32 = match group {
        "N" => -1,
        "R" => 0,
        _ => group.strip_prefix('Y')?.parse().ok()?,
    };
    let school_year = if on.month() >= 9 {
        on.year()
    } else {
        on.year() - 1
    };
    Some(school_year - n - 4)
}

impl Logbook {
    /// The year of birth the retention rules use for a person: the one recorded, else the
    /// latest their year group allows on the latest date they were involved in an incident
    /// (a later date gives a later year, so the record is never kept too short).
    fn birth_year_for_retention(&self, person: &Person, latest: Option<&Latest>) -> Option<i32> {
        if person.birth_year.is_some() {
            return person.birth_year;
        }
        if person.year_group.is_empty() {
            return None;
        }
        let latest = match latest {
            Some(map) => *map.get(person.id.as_str())?,
            None => self
                .incidents
                .iter()
                .filter(|i| i.people.iter().any(|p| p.person == person.id))
                .map(|i| i.reported.date())
                .max()?,
        };
        latest_birth_year(&person.year_group, latest)
    }

    /// The latest date each person was reported in an incident, in one pass (so a whole
    /// schedule does not scan every incident once per person).
    fn latest_reported(&self) -> Latest<'_> {
        let mut latest = Latest::new();
        for i in &self.incidents {
            for p in &i.people {
                let d = latest.entry(p.person.as_str()).or_insert(i.reported.date());
                *d = (*d).max(i.reported.date());
            }
        }
        latest
    }

    /// Until when `incident` is kept, and under which rule.
    pub fn retention(&self, incident: &Incident) -> Kept {
        self.retention_with(incident, None)
    }

    fn retention_with(&self, incident: &Incident, latest: Option<&Latest>) -> Kept {
        let by_rules = self.rules_retention(incident, latest);
        let Some(o) = &incident.retention else {
            return by_rules;
        };
        match by_rules.until {
            // The latest date wins: a shorter date of its own (set before this was refused)
            // never cuts a record short.
            Until::Date(d) if d > o.until => Kept {
                until: Until::Date(d),
                rule: format!(
                    "{}; the earlier date set for this incident ({}) does not apply: the latest date wins",
                    by_rules.rule, o.until
                ),
            },
            // An open case's date from its closure is not known yet: the date of its own
            // stands until then (an open case is never disposed of).
            _ => Kept {
                until: Until::Date(o.until),
                rule: format!(
                    "retention date set for this incident by {} on {}",
                    o.by,
                    o.set.date()
                ),
            },
        }
    }

    /// The date the IRMS rules give, leaving out any date set for this incident by hand.
    fn rules_retention(&self, incident: &Incident, latest: Option<&Latest>) -> Kept {
        let mut kept = self.rules_retention_from_end(incident, latest);
        if incident.closure.is_none()
            && let Some(e) = &incident.error
        {
            kept.rule.push_str(&format!(
                "; entered in error on {}: its retention runs as if it closed that day",
                e.when.date()
            ));
        }
        kept
    }

    /// `rules_retention_counted`, saying which people it left out because they are marked
    /// entered in error: their age no longer counts, and without a word the case's date
    /// changed with nothing on it saying why (tester4 #27).
    fn rules_retention_from_end(&self, incident: &Incident, latest: Option<&Latest>) -> Kept {
        let mut kept = self.rules_retention_counted(incident, latest);
        let mut left: Vec<&str> = incident
            .people
            .iter()
            .filter(|inv| self.person(&inv.person).is_some_and(|p| p.error.is_some()))
            .map(|inv| inv.person.as_str())
            .collect();
        left.dedup();
        if !left.is_empty() {
            let note = format!("{} not counted: entered in error", left.join(", "));
            if let Until::Unknown(why) = &mut kept.until {
                why.push_str(&format!(" ({note})"));
            }
            kept.rule.push_str(&format!("; {note}"));
        }
        kept
    }

    fn rules_retention_counted(&self, incident: &Incident, latest: Option<&Latest>) -> Kept {
        let r = &self.settings.retention;
        let closed = incident.ended().map(|c| c.date());
        let after_closure = |years: u32, rule: String| match closed {
            Some(d) => Kept::date(years_after(d, years), rule),
            None => Kept {
                until: Until::WhenClosed,
                rule,
            },
        };
        let mut rules: Vec<Kept> = Vec::new();
        let mut unknown_age = 0;
        let mut seen = std::collections::HashSet::new();
        for inv in &incident.people {
            if !seen.insert(inv.person.as_str()) {
                continue;
            }
            let Some(person) = self.person(&inv.person).filter(|p| p.error.is_none()) else {
                continue;
            };
            let born = self.birth_year_for_retention(person, latest);
            // Their age (at most) in the year the incident happened.
            let happened = incident.occurred.date();
            let age_then = |born: i32| happened.year() - born;
            let child = |born: i32| {
                let kept = Kept::date(
                    born.checked_add(r.child_until_age as i32)
                        .and_then(end_of_year),
                    format!(
                        "a child involved: kept until the youngest is {}, year of birth {born} + {}",
                        r.child_until_age, r.child_until_age
                    ),
                );
                // A child's date before the incident itself means the year of birth or the
                // age group is wrong (1990 typed for 2009): a date from it would make the
                // record due the day it closes (tester4 #15), so it waits for the DSL.
                match kept.until {
                    Until::Date(d) if d < happened => Kept {
                        until: Until::Unknown(format!(
                            "{} is recorded as a child but would have been {} when the incident happened (year of birth {born}): check their year of birth and age group, or set a retention date for this incident",
                            person.id,
                            age_then(born)
                        )),
                        rule: "a child involved".into(),
                    },
                    _ => kept,
                }
            };
            let kept = match (person.age_group, born) {
                (AgeGroup::Child | AgeGroup::YoungPerson, Some(born)) => child(born),
                (AgeGroup::Child | AgeGroup::YoungPerson, None) => Kept {
                    until: Until::Unknown(format!(
                        "{} is a child with no year of birth or year group: add one, or set a retention date for this incident",
                        person.id
                    )),
                    rule: "a child involved".into(),
                },
                // Someone whose age group is not known but whose year of birth is: kept as a
                // child if they were (or may have been) under 18 when it happened, else as an
                // adult (tester4 #15: a volunteer born in 1990 made a closed case due at once).
                (AgeGroup::Unknown, Some(born)) if age_then(born) <= 18 => child(born),
                (AgeGroup::Unknown, Some(_)) => after_closure(
                    r.adult_years,
                    format!(
                        "adults only (year of birth given, age group not known): {} years after the case closed",
                        r.adult_years
                    ),
                ),
                (AgeGroup::Unknown, None) => {
                    unknown_age += 1;
                    continue;
                }
                (AgeGroup::Staff, born) if inv.role == Role::AllegedPerpetrator => {
                    let rule = format!(
                        "an allegation about a member of staff: until retirement age {} or {} years after closure, whichever is longer",
                        r.staff_retirement_age, r.staff_min_years
                    );
                    match (born, closed) {
                        (None, _) => Kept {
                            until: Until::Unknown(format!(
                                "{} is a member of staff an allegation is about, with no year of birth: add it, or set a retention date for this incident",
                                person.id
                            )),
                            rule,
                        },
                        (Some(_), None) => Kept {
                            until: Until::WhenClosed,
                            rule,
                        },
                        (Some(born), Some(closed)) => {
                            let retire = born
                                .checked_add(r.staff_retirement_age as i32)
                                .and_then(end_of_year);
                            let min = years_after(closed, r.staff_min_years);
                            Kept::date(retire.zip(min).map(|(a, b)| a.max(b)), rule)
                        }
                    }
                }
                (AgeGroup::Staff | AgeGroup::Adult | AgeGroup::AdultAtRisk, _) => after_closure(
                    r.adult_years,
                    format!("adults only: {} years after the case closed", r.adult_years),
                ),
            };
            rules.push(kept);
        }
        if rules.is_empty() {
            if unknown_age > 0 {
                return Kept {
                    until: Until::Unknown(
                        "no one involved has a known age or year of birth: add one, or set a retention date for this incident".into(),
                    ),
                    rule: "people of unknown age".into(),
                };
            }
            return after_closure(
                r.adult_years,
                format!(
                    "no person linked: {} years after the case closed",
                    r.adult_years
                ),
            );
        }
        let pick = if let Some(k) = rules.iter().find(|k| matches!(k.until, Until::Unknown(_))) {
            k.clone()
        } else if let Some(k) = rules.iter().find(|k| k.until == Until::WhenClosed) {
            // An open case whose period also runs from closure: its final date is not known
            // yet, but a child's (or any fixed) date still holds as the least it is kept,
            // so the rule names it rather than reading as if only the adult rule applied.
            let mut k = k.clone();
            let floor = rules
                .iter()
                .filter_map(|r| match r.until {
                    Until::Date(d) => Some((d, &r.rule)),
                    _ => None,
                })
                .max_by_key(|(d, _)| *d);
            if let Some((d, rule)) = floor {
                k.rule = format!("{}, and at least until {d} ({rule})", k.rule);
            }
            k
        } else {
            rules
                .iter()
                .max_by_key(|k| match k.until {
                    Until::Date(d) => Some(d),
                    _ => None,
                })
                .cloned()
                .expect("rules is not empty")
        };
        let mut pick = pick;
        if unknown_age > 0 {
            pick.rule
                .push_str(&format!(" ({unknown_age} of unknown age not counted)"));
        }
        pick
    }

    /// Every incident with its retention, soonest date first; those whose date cannot be
    /// worked out come first of all (they need the DSL's attention), open cases last.
    pub fn retention_schedule(&self) -> Vec<(&Incident, Kept)> {
        let latest = self.latest_reported();
        let mut all: Vec<(&Incident, Kept)> = self
            .incidents
            .iter()
            .map(|i| (Shared::get(i), self.retention_with(i, Some(&latest))))
            .collect();
        all.sort_by_key(|(i, k)| match &k.until {
            Until::Unknown(_) => (0, None, i.reported),
            Until::Date(d) => (1, Some(*d), i.reported),
            Until::WhenClosed => (2, None, i.reported),
        });
        all
    }

    /// Closed incidents whose retention date has passed on `today`, soonest first.
    pub fn due_for_disposal(&self, today: NaiveDate) -> Vec<(&Incident, Kept)> {
        self.retention_schedule()
            .into_iter()
            .filter(|(i, k)| k.is_due(i, today))
            .collect()
    }

    /// Sets a retention date for one incident by hand, with the reason (audited; the old
    /// date stays in the trail).
    pub fn set_retention(
        &mut self,
        stamp: &Stamp,
        id: &str,
        until: NaiveDate,
        reason: &str,
    ) -> Result<(), Invalid> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(invalid(
                "reason",
                "Say why this incident is kept to a date of its own",
            ));
        }
        let incident = self
            .incident(id)
            .ok_or_else(|| invalid("incident", format!("{id} is not in the logbook")))?;
        let happened = incident.occurred.date();
        if until < happened {
            return Err(invalid(
                "until",
                format!(
                    "{until} is before {id} happened ({happened}): a record is kept at least until its case is closed, so give a later date"
                ),
            ));
        }
        if let Some(closed) = incident.closure.as_ref().map(|c| c.when.date())
            && until < closed
        {
            return Err(invalid(
                "until",
                format!(
                    "{until} is before {id} was closed ({closed}): a record is kept at least until its case is closed, so give a later date"
                ),
            ));
        }
        let today = stamp.at.date_naive();
        if until < today {
            return Err(invalid(
                "until",
                format!(
                    "{until} has already passed: a date of its own keeps a record for longer, so give a date after today ({today})"
                ),
            ));
        }
        let latest = self.latest_reported();
        let rules = self.rules_retention(incident, Some(&latest));
        if let Until::Date(d) = rules.until
            && until < d
        {
            return Err(invalid(
                "until",
                format!(
                    "{id} is kept until {d} by the rule \"{}\", and a date of its own can only keep it longer (the latest date wins): give {d} or later, or correct the person's year of birth or year group if that date is wrong",
                    rules.rule
                ),
            ));
        }
        let o = RetentionOverride {
            until,
            reason: reason.to_string(),
            by: stamp.by.clone(),
            set: stamp.at.naive_local(),
        };
        self.update_incident(stamp, id, &format!("set retention date {until}"), |i| {
            i.retention = Some(o)
        })
    }

    /// Disposes of a closed incident whose retention date has passed on `today`, under the
    /// rule that decided the date (with the DSL's `note`, if any). Refuses, saying why, an
    /// incident that is open, kept longer, or whose date cannot be worked out.
    pub fn dispose_due(
        &mut self,
        stamp: &Stamp,
        id: &str,
        today: NaiveDate,
        note: &str,
    ) -> Result<(), Invalid> {
        let incident = self
            .incident(id)
            .ok_or_else(|| invalid("incident", format!("{id} is not in the logbook")))?;
        let kept = self.retention(incident);
        let until = match kept.until {
            Until::Unknown(why) => {
                return Err(invalid(
                    "retention",
                    format!("{id}'s retention date cannot be worked out: {why}"),
                ));
            }
            Until::WhenClosed => {
                return Err(invalid(
                    "status",
                    format!("{id} is not closed: its retention period has not begun"),
                ));
            }
            Until::Date(d) if d >= today => {
                return Err(invalid(
                    "retention",
                    format!(
                        "{id} is kept until {d} ({}): it cannot be disposed of before then",
                        kept.rule
                    ),
                ));
            }
            Until::Date(d) => d,
        };
        let mut rule = format!("{}; kept until {until}", kept.rule);
        let note = note.trim();
        if !note.is_empty() {
            rule.push_str(&format!("; {note}"));
        }
        self.dispose(stamp, id, &rule)
    }

    /// The audit entry that disposed of `id`, if it was disposed of.
    pub fn disposal_entry(&self, id: &str) -> Option<&AuditEntry> {
        self.tombstones.iter().find(|t| t.id == id)?;
        let subject = if super::validate::is_person_id(id) {
            Subject::Person(id.to_string())
        } else {
            Subject::Incident(id.to_string())
        };
        self.audit
            .iter()
            .rev()
            .find(|e| e.subject == subject)
            .filter(|e| e.action.starts_with(super::audit::DISPOSED))
            .map(Shared::get)
    }
}

/// An unencrypted export of a record, as the trail's export entry tells it: the file a
/// disposal leaves on disk unless someone destroys it (tester4 #25).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainExport {
    /// The incident or person exported.
    pub subject: String,
    pub at: chrono::NaiveDateTime,
    /// The format's name as recorded ("HTML", "Markdown", "plain text").
    pub format: String,
    pub for_whom: String,
    /// The path as it was given when the export was written.
    pub path: String,
}

/// How an export entry names a file written without encryption (`cli::report::place`,
/// the app's export form).
const PLAINTEXT_FILE: &str = ": plaintext file ";

/// The export an entry records, when it wrote an unencrypted file. The action reads
/// "exported WHAT as FORMAT[, selection] for WHOM[ (from the app)]: plaintext file PATH".
fn plain_export(e: &AuditEntry) -> Option<PlainExport> {
    if !e.is_export() {
        return None;
    }
    let subject = match &e.subject {
        Subject::Incident(id) | Subject::Person(id) => id.clone(),
        Subject::Settings | Subject::Concern(_) => return None,
    };
    let (head, path) = e.action.rsplit_once(PLAINTEXT_FILE)?;
    let head = head.strip_suffix(" (from the app)").unwrap_or(head);
    let rest = head.split_once(" as ").map_or("", |(_, r)| r);
    let format = ["HTML", "Markdown", "plain text"]
        .into_iter()
        .find(|f| rest.starts_with(f))
        .unwrap_or("unknown format");
    let for_whom = rest.split_once(" for ").map_or("", |(_, w)| w);
    Some(PlainExport {
        subject,
        at: e.at.naive_local(),
        format: format.to_string(),
        for_whom: for_whom.to_string(),
        path: path.to_string(),
    })
}

impl Logbook {
    /// The people who would go with the incidents `ids` if they were disposed of together:
    /// linked to one of them and to no other incident.
    pub fn people_going_with(&self, ids: &[String]) -> Vec<String> {
        let mut going: Vec<String> = Vec::new();
        for i in self.incidents.iter().filter(|i| ids.contains(&i.id)) {
            for p in &i.people {
                let elsewhere = self
                    .incidents
                    .iter()
                    .filter(|o| !ids.contains(&o.id))
                    .any(|o| o.people.iter().any(|q| q.person == p.person));
                if !elsewhere && !going.contains(&p.person) {
                    going.push(p.person.clone());
                }
            }
        }
        going
    }

    /// The unencrypted export files the trail records of the incidents `ids` and of the
    /// people who go with them: a disposal empties those entries, so they are listed first.
    pub fn plaintext_exports(&self, ids: &[String]) -> Vec<PlainExport> {
        let mut subjects: Vec<String> = ids.to_vec();
        subjects.extend(self.people_going_with(ids));
        self.audit
            .iter()
            .filter_map(|e| plain_export(e))
            .filter(|x| subjects.contains(&x.subject))
            .collect()
    }

    /// When the record `id` (incident or person) was first written in this logbook: the
    /// time of the first audit entry about it, which a disposal keeps.
    pub fn first_recorded(&self, id: &str) -> Option<chrono::NaiveDateTime> {
        self.audit
            .iter()
            .find(|e| matches!(&e.subject, Subject::Incident(s) | Subject::Person(s) if s == id))
            .map(|e| e.at.naive_local())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AuditFault;
    use chrono::NaiveDateTime;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        day(y, m, d).and_hms_opt(10, 0, 0).unwrap()
    }

    fn stamp(y: i32, m: u32, d: u32) -> Stamp {
        let t =
            chrono::DateTime::parse_from_rfc3339(&format!("{y:04}-{m:02}-{d:02}T10:00:00+00:00"))
                .unwrap();
        Stamp::new("RO", t)
    }

    fn person(id: &str, group: AgeGroup, born: Option<i32>, year_group: &str) -> Person {
        Person {
            id: id.into(),
            reference: format!("Ref {id}"),
            age_group: group,
            birth_year: born,
            notes: String::new(),
            error: None,
            year_group: year_group.into(),
            transferred: None,
        }
    }

    /// A logbook with one incident reported on 2016-03-01 involving `people` with roles,
    /// closed on 2016-06-30 when `closed`.
    fn book(people: Vec<(Person, Role)>, closed: bool) -> Logbook {
        let s = stamp(2016, 7, 1);
        let mut b = Logbook::create(&s, Settings::new("School", vec!["RO".into()])).unwrap();
        let mut links = Vec::new();
        for (p, role) in people {
            links.push(Involvement {
                person: p.id.clone(),
                role,
            });
            b.add_person(&s, p).unwrap();
        }
        let mut i = Incident {
            id: "INC-2016-0001".into(),
            occurred: at(2016, 2, 28),
            occurred_approximate: false,
            reported: at(2016, 3, 1),
            reported_by: "Form tutor".into(),
            recorded_by: "RO".into(),
            people: links,
            risk_area: RiskArea::Conduct,
            types: vec![IncidentType::Cyberbullying],
            platform: String::new(),
            description: "Messages".into(),
            immediate_action: String::new(),
            risk_level: RiskLevel::Low,
            status: Status::Open,
            closure: None,
            checklist: vec![ChecklistItem {
                step: "Block".into(),
                state: StepState::Open,
                struck: Vec::new(),
            }],
            evidence: Vec::new(),
            reports: Vec::new(),
            reviews: Vec::new(),
            related: Vec::new(),
            error: None,
            retention: None,
            transferred: None,
        };
        if closed {
            i.status = Status::Closed;
            i.closure = Some(Closure {
                when: at(2016, 6, 30),
                by: "RO".into(),
                outcome: "Resolved".into(),
            });
        }
        b.add_incident(&s, i).unwrap();
        b
    }

    fn kept(b: &Logbook) -> Kept {
        b.retention(&b.incidents[0])
    }

    #[test]
    fn a_child_is_kept_until_the_youngest_is_25_at_the_end_of_that_year() {
        let b = book(
            vec![
                (
                    person("P-0001", AgeGroup::Child, Some(2005), ""),
                    Role::Subject,
                ),
                (
                    person("P-0002", AgeGroup::YoungPerson, Some(2003), ""),
                    Role::AllegedPerpetrator,
                ),
                (person("P-0003", AgeGroup::Adult, None, ""), Role::Reporter),
            ],
            true,
        );
        let k = kept(&b);
        assert_eq!(k.until, Until::Date(day(2030, 12, 31)));
        assert!(k.rule.contains("year of birth 2005 + 25"), "{}", k.rule);
        assert!(!k.rule.contains("Ref"), "the rule names no one: {}", k.rule);
        assert!(!k.is_due(&b.incidents[0], day(2030, 12, 31)));
        assert!(k.is_due(&b.incidents[0], day(2031, 1, 1)));
    }

    #[test]
    fn a_year_group_gives_the_latest_possible_year_of_birth() {
        // Year 7 in March 2016 (school year from September 2015): born Sep 2003 - Aug 2004.
        assert_eq!(latest_birth_year("Y7", day(2016, 3, 1)), Some(2004));
        assert_eq!(latest_birth_year("Y7", day(2016, 9, 1)), Some(2005));
        assert_eq!(latest_birth_year("R", day(2016, 10, 1)), Some(2012));
        assert_eq!(latest_birth_year("N", day(2016, 10, 1)), Some(2013));
        assert_eq!(latest_birth_year("X", day(2016, 10, 1)), None);
        let b = book(
            vec![(person("P-0001", AgeGroup::Child, None, "Y7"), Role::Subject)],
            true,
        );
        assert_eq!(kept(&b).until, Until::Date(day(2029, 12, 31)));
    }

    #[test]
    fn the_schedule_agrees_with_each_incidents_own_retention() {
        let b = book(
            vec![(person("P-0001", AgeGroup::Child, None, "Y7"), Role::Subject)],
            true,
        );
        let schedule = b.retention_schedule();
        assert_eq!(schedule[0].1, b.retention(&b.incidents[0]));
    }

    #[test]
    fn a_child_with_no_year_of_birth_is_never_offered_for_disposal() {
        let b = book(
            vec![(person("P-0001", AgeGroup::Child, None, ""), Role::Subject)],
            true,
        );
        let k = kept(&b);
        assert!(
            matches!(&k.until, Until::Unknown(why) if why.contains("P-0001")),
            "{k:?}"
        );
        assert!(!k.is_due(&b.incidents[0], day(2200, 1, 1)));
    }

    /// Tester4 #15: a volunteer of unknown age group born in 1990 made a closed case "kept
    /// until 2015-12-31", due for disposal the day it closed.
    #[test]
    fn a_year_of_birth_that_makes_no_child_never_makes_a_record_due_at_once() {
        // Unknown age group, an adult when it happened: the adult rule.
        let b = book(
            vec![(
                person("P-0001", AgeGroup::Unknown, Some(1990), ""),
                Role::Subject,
            )],
            true,
        );
        let k = kept(&b);
        assert_eq!(k.until, Until::Date(day(2022, 6, 30)), "{k:?}");
        assert!(k.rule.contains("adults only"), "{k:?}");
        // Unknown age group, 15 when it happened: still a child.
        let b = book(
            vec![(
                person("P-0001", AgeGroup::Unknown, Some(2001), ""),
                Role::Subject,
            )],
            true,
        );
        assert_eq!(kept(&b).until, Until::Date(day(2026, 12, 31)));
        // Recorded as a child but 26 or more when it happened: never due until checked.
        let b = book(
            vec![(
                person("P-0001", AgeGroup::Child, Some(1980), ""),
                Role::Subject,
            )],
            true,
        );
        let k = kept(&b);
        assert!(
            matches!(&k.until, Until::Unknown(why) if why.contains("would have been 36")),
            "{k:?}"
        );
        assert!(!k.is_due(&b.incidents[0], day(2200, 1, 1)));
    }

    #[test]
    fn staff_allegations_keep_the_longer_of_retirement_and_ten_years() {
        // Born 1980: retirement at 67 is the end of 2047, later than closure + 10 (2026).
        let b = book(
            vec![(
                person("P-0001", AgeGroup::Staff, Some(1980), ""),
                Role::AllegedPerpetrator,
            )],
            true,
        );
        assert_eq!(kept(&b).until, Until::Date(day(2047, 12, 31)));
        // Born 1950: retired already, so closure + 10 years.
        let b = book(
            vec![(
                person("P-0001", AgeGroup::Staff, Some(1950), ""),
                Role::AllegedPerpetrator,
            )],
            true,
        );
        assert_eq!(kept(&b).until, Until::Date(day(2026, 6, 30)));
        // No year of birth: cannot tell which is longer.
        let b = book(
            vec![(
                person("P-0001", AgeGroup::Staff, None, ""),
                Role::AllegedPerpetrator,
            )],
            true,
        );
        assert!(matches!(kept(&b).until, Until::Unknown(_)));
        // Staff as a witness: an adult.
        let b = book(
            vec![(person("P-0001", AgeGroup::Staff, None, ""), Role::Witness)],
            true,
        );
        assert_eq!(kept(&b).until, Until::Date(day(2022, 6, 30)));
    }

    #[test]
    fn adults_are_kept_years_after_closure_and_open_cases_wait_for_it() {
        let adults = || {
            vec![(
                person("P-0001", AgeGroup::AdultAtRisk, None, ""),
                Role::Subject,
            )]
        };
        let b = book(adults(), true);
        let k = kept(&b);
        assert_eq!(k.until, Until::Date(day(2022, 6, 30)));
        assert!(k.rule.starts_with("adults only: 6 years"), "{}", k.rule);
        let b = book(adults(), false);
        assert_eq!(kept(&b).until, Until::WhenClosed);
        assert!(!kept(&b).is_due(&b.incidents[0], day(2100, 1, 1)));
        // People of unknown age alone decide nothing; beside an adult they are named as not counted.
        let b = book(
            vec![(
                person("P-0001", AgeGroup::Unknown, None, ""),
                Role::AllegedPerpetrator,
            )],
            true,
        );
        assert!(matches!(kept(&b).until, Until::Unknown(_)));
        let mut people = adults();
        people.push((
            person("P-0002", AgeGroup::Unknown, None, ""),
            Role::AllegedPerpetrator,
        ));
        let b = book(people, true);
        assert!(kept(&b).rule.contains("1 of unknown age not counted"));
    }

    /// Tester3 #3: linking an adult (the unknown adult in a grooming case) to an open case
    /// about a child must not read as "adults only": the child's date is still the least it
    /// is kept, and once closed the later of the two dates decides.
    #[test]
    fn an_adult_linked_to_a_childs_open_case_never_hides_the_child_rule() {
        let people = || {
            vec![
                (
                    person("P-0001", AgeGroup::Child, Some(2005), ""),
                    Role::Subject,
                ),
                (
                    person("P-0002", AgeGroup::Adult, None, ""),
                    Role::AllegedPerpetrator,
                ),
            ]
        };
        let open = book(people(), false);
        let k = kept(&open);
        assert_eq!(k.until, Until::WhenClosed);
        assert!(
            k.rule
                .contains("at least until 2030-12-31 (a child involved"),
            "{}",
            k.rule
        );
        let closed = book(people(), true);
        let k = kept(&closed);
        assert_eq!(k.until, Until::Date(day(2030, 12, 31)));
        assert!(k.rule.starts_with("a child involved"), "{}", k.rule);
    }

    #[test]
    fn an_override_decides_and_needs_a_reason() {
        let mut b = book(
            vec![(
                person("P-0001", AgeGroup::Child, Some(2005), ""),
                Role::Subject,
            )],
            true,
        );
        let s = stamp(2026, 11, 16);
        let e = b
            .set_retention(&s, "INC-2016-0001", day(2060, 1, 1), " ")
            .unwrap_err();
        assert_eq!(e.field, "reason");
        b.set_retention(&s, "INC-2016-0001", day(2060, 1, 1), "Held for the inquiry")
            .unwrap();
        assert_eq!(kept(&b).until, Until::Date(day(2060, 1, 1)));
        assert!(kept(&b).rule.contains("set for this incident by RO"));
        b.verify_audit().unwrap();
    }

    #[test]
    fn a_date_of_its_own_never_shortens_what_the_rules_give() {
        // Born 2005: kept until 2030-12-31 by the child rule.
        let mut b = book(
            vec![(
                person("P-0001", AgeGroup::Child, Some(2005), ""),
                Role::Subject,
            )],
            true,
        );
        let before = b.clone();
        let s = stamp(2026, 11, 30);
        let e = b
            .set_retention(&s, "INC-2016-0001", day(2029, 12, 31), "Typo for 2039")
            .unwrap_err();
        assert_eq!(e.field, "until");
        assert!(
            e.message
                .contains("kept until 2030-12-31 by the rule \"a child involved"),
            "{}",
            e.message
        );
        assert!(e.message.contains("latest date wins"), "{}", e.message);
        // Before the case closed, or already passed: refused saying so.
        let e = b
            .set_retention(&s, "INC-2016-0001", day(2016, 5, 1), "Test")
            .unwrap_err();
        assert!(
            e.message
                .contains("before INC-2016-0001 was closed (2016-06-30)"),
            "{}",
            e.message
        );
        let e = b
            .set_retention(&s, "INC-2016-0001", day(2016, 1, 1), "Test")
            .unwrap_err();
        assert!(
            e.message
                .contains("before INC-2016-0001 happened (2016-02-28)"),
            "{}",
            e.message
        );
        let mut adult = book(
            vec![(person("P-0001", AgeGroup::Adult, None, ""), Role::Subject)],
            true,
        );
        let e = adult
            .set_retention(&s, "INC-2016-0001", day(2026, 11, 1), "Test")
            .unwrap_err();
        assert!(e.message.contains("has already passed"), "{}", e.message);
        assert_eq!(b, before);
        // The rule's own date, or later, is taken.
        b.set_retention(
            &s,
            "INC-2016-0001",
            day(2030, 12, 31),
            "Kept for the inquiry",
        )
        .unwrap();
        assert_eq!(kept(&b).until, Until::Date(day(2030, 12, 31)));
        // A shorter date set before this was refused does not apply: the rule's date wins.
        b.incidents[0].retention = Some(RetentionOverride {
            until: day(2020, 1, 1),
            reason: "Test".into(),
            by: "RO".into(),
            set: at(2026, 11, 30),
        });
        let k = kept(&b);
        assert_eq!(k.until, Until::Date(day(2030, 12, 31)));
        assert!(
            k.rule
                .contains("the earlier date set for this incident (2020-01-01) does not apply"),
            "{}",
            k.rule
        );
        assert!(!k.is_due(&b.incidents[0], day(2026, 11, 30)));
    }

    #[test]
    fn disposal_happens_only_after_the_date_and_keeps_verify_sound() {
        let mut b = book(
            vec![(person("P-0001", AgeGroup::Adult, None, ""), Role::Subject)],
            true,
        );
        let s = stamp(2026, 11, 16);
        let e = b
            .dispose_due(&s, "INC-2016-0001", day(2022, 6, 30), "")
            .unwrap_err();
        assert!(e.message.contains("kept until 2022-06-30"), "{}", e.message);
        assert!(b.due_for_disposal(day(2022, 6, 30)).is_empty());
        assert_eq!(b.due_for_disposal(day(2022, 7, 1)).len(), 1);
        b.dispose_due(&s, "INC-2016-0001", day(2026, 11, 16), "annual review")
            .unwrap();
        assert!(b.incidents.is_empty());
        let t = &b.tombstones[0];
        assert_eq!(
            t.rule,
            "adults only: 6 years after the case closed; kept until 2022-06-30; annual review"
        );
        b.verify_audit().unwrap();
        let entry = b.disposal_entry("INC-2016-0001").unwrap();
        assert_eq!(entry.state, crate::model::state_hash(t).unwrap());
        // Not twice.
        assert!(
            b.dispose_due(&s, "INC-2016-0001", day(2026, 11, 16), "")
                .is_err()
        );
    }

    /// A book whose INC-2016-0001 (P-0001 an adult; P-0002 a child, also in the open
    /// INC-2016-0002) had its description changed to name someone with a phone number and
    /// was exported to a police officer, then was disposed of on 2026-11-16.
    fn disposed_book() -> Logbook {
        let mut b = book(
            vec![
                (person("P-0001", AgeGroup::Adult, None, ""), Role::Subject),
                (
                    person("P-0002", AgeGroup::Child, Some(2000), ""),
                    Role::Witness,
                ),
            ],
            true,
        );
        let s = stamp(2026, 11, 16);
        let mut other = (*b.incidents[0]).clone();
        other.id = "INC-2016-0002".into();
        other.people.remove(0);
        other.status = Status::Open;
        other.closure = None;
        other.description = "Another case".into();
        b.add_incident(&s, other).unwrap();
        b.update_incident(&s, "INC-2016-0001", "changed summary", |i| {
            i.description = "WX is Wendy Xu, volunteer, phone 07700 900123".into()
        })
        .unwrap();
        b.update_person(&s, "P-0001", "changed person", |p| {
            p.notes = "Lives at 4 Elm Road".into()
        })
        .unwrap();
        b.record_export(
            &s,
            Subject::Incident("INC-2016-0001".into()),
            "incident chronology as HTML for PC 2231 Hale, Northshire Police",
        )
        .unwrap();
        b.dispose_due(&s, "INC-2016-0001", day(2026, 11, 16), "Annual review")
            .unwrap();
        b
    }

    /// Tester4 #25: the unencrypted exports of a record, and of the people who go with it,
    /// are read from the trail before a disposal empties their entries; encrypted ones
    /// and exports of people who stay are not listed.
    #[test]
    fn plaintext_exports_of_records_to_dispose_are_read_from_the_trail() {
        let mut b = book(
            vec![
                (person("P-0001", AgeGroup::Adult, None, ""), Role::Subject),
                (
                    person("P-0002", AgeGroup::Child, Some(2000), ""),
                    Role::Witness,
                ),
            ],
            true,
        );
        let s = stamp(2026, 11, 16);
        let mut other = (*b.incidents[0]).clone();
        other.id = "INC-2016-0002".into();
        other.people.remove(0);
        b.add_incident(&s, other).unwrap();
        let id = |i: &str| Subject::Incident(i.into());
        let export = |b: &mut Logbook, subject: Subject, what: &str| {
            b.record_export(&s, subject, what).unwrap()
        };
        export(
            &mut b,
            id("INC-2016-0001"),
            "incident chronology as HTML, other people anonymised for PC 3390 Hughes: plaintext file exports/inc1.html",
        );
        export(
            &mut b,
            id("INC-2016-0001"),
            "incident chronology as Markdown for MASH (from the app): plaintext file /home/dsl/inc1.md",
        );
        export(
            &mut b,
            id("INC-2016-0001"),
            "incident chronology as HTML for CEOP: age file x.html.age encrypted to age1xyz",
        );
        export(
            &mut b,
            id("INC-2016-0002"),
            "incident chronology as HTML for X: plaintext file other.html",
        );
        export(
            &mut b,
            Subject::Person("P-0001".into()),
            "person chronology as plain text for Parent of AB: plaintext file p1.txt",
        );
        export(
            &mut b,
            Subject::Person("P-0002".into()),
            "person chronology as plain text for Y: plaintext file p2.txt",
        );
        let ids = vec!["INC-2016-0001".to_string()];
        assert_eq!(b.people_going_with(&ids), vec!["P-0001".to_string()]);
        let found = b.plaintext_exports(&ids);
        let seen: Vec<(&str, &str, &str, &str)> = found
            .iter()
            .map(|x| {
                (
                    x.subject.as_str(),
                    x.format.as_str(),
                    x.for_whom.as_str(),
                    x.path.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    "INC-2016-0001",
                    "HTML",
                    "PC 3390 Hughes",
                    "exports/inc1.html"
                ),
                ("INC-2016-0001", "Markdown", "MASH", "/home/dsl/inc1.md"),
                ("P-0001", "plain text", "Parent of AB", "p1.txt"),
            ]
        );
        assert_eq!(found[0].at, s.at.naive_local());
        assert_eq!(b.first_recorded("INC-2016-0002"), Some(s.at.naive_local()));
    }

    /// Tester3 #5 and #6: disposal removes the record's content from the audit trail too
    /// (old and new values, export recipients), and the people linked to no other incident,
    /// while `verify` still checks the chain.
    #[test]
    fn disposal_leaves_nothing_of_the_records_content_and_takes_unlinked_people_with_it() {
        let b = disposed_book();
        b.verify_audit().unwrap();
        let text = crate::model::canonical(&b).unwrap();
        for secret in [
            "07700",
            "Wendy",
            "Hale",
            "Messages",
            "Ref P-0001",
            "Elm Road",
        ] {
            assert!(!text.contains(secret), "the logbook still holds {secret}");
        }
        // P-0002 is still in an incident: kept, with its history.
        assert!(text.contains("Ref P-0002"));
        assert!(b.person("P-0002").is_some());
        assert!(b.person("P-0001").is_none());
        assert_eq!(b.people_disposed_with("INC-2016-0001"), vec!["P-0001"]);
        let t = b.tombstones.iter().find(|t| t.id == "P-0001").unwrap();
        assert_eq!(
            t.rule,
            "linked to no other incident: disposed of with INC-2016-0001"
        );
        // Each entry about a disposed record is emptied, except the disposal itself.
        for e in &b.audit {
            let gone = [
                Subject::Incident("INC-2016-0001".into()),
                Subject::Person("P-0001".into()),
            ];
            if !gone.contains(&e.subject) {
                assert!(e.redacted.is_none(), "{e:?}");
            } else if e.action.starts_with("disposed of") {
                assert!(
                    e.redacted.is_none() && e.state.to_string().len() == 64,
                    "{e:?}"
                );
            } else {
                assert_eq!(e.action, crate::model::REDACTED_ACTION);
                assert!(e.changes.is_empty() && e.state.is_empty(), "{e:?}");
                assert!(e.redacted.is_some(), "{e:?}");
            }
        }
        // The certificate still finds the disposal entry; a disposed number is not reused.
        let entry = b.disposal_entry("INC-2016-0001").unwrap();
        assert!(entry.action.starts_with("disposed of INC-2016-0001"));
        assert_eq!(b.next_person_id(), "P-0003");
        let mut again = b.clone();
        let e = again
            .add_person(
                &stamp(2026, 11, 17),
                person("P-0001", AgeGroup::Adult, None, ""),
            )
            .unwrap_err();
        assert!(e.message.contains("never used again"), "{}", e.message);
    }

    /// Emptying an entry is accepted only for a record disposed of, only as its disposal
    /// recorded it; the entries around an emptied one are checked as before.
    #[test]
    fn an_emptied_entry_verifies_only_as_its_disposal_recorded_it() {
        let b = disposed_book();
        let disposal = b.disposal_entry("INC-2016-0001").unwrap().seq;
        let emptied: Vec<usize> = (0..b.audit.len())
            .filter(|&i| b.audit[i].redacted.is_some())
            .collect();
        // The export entry: the last emptied entry about the incident, followed by its
        // disposal (which is re-hashed as any other entry).
        let i = emptied
            .iter()
            .copied()
            .filter(|&i| b.audit[i].subject == Subject::Incident("INC-2016-0001".into()))
            .max()
            .unwrap();
        assert_eq!(b.audit[i + 1].seq, disposal);
        let seq = b.audit[i].seq;

        // An entry about a record still in the logbook, marked emptied.
        let mut f = b.clone();
        let k = f
            .audit
            .iter()
            .position(|e| e.subject == Subject::Person("P-0002".into()))
            .unwrap();
        let e = &mut f.audit[k];
        e.action = crate::model::REDACTED_ACTION.into();
        e.changes.clear();
        e.state = crate::model::HashHex::default();
        e.redacted = Some(disposal);
        let fault = f.verify_audit().unwrap_err();
        assert_eq!(
            fault,
            AuditFault::EmptiedButNotDisposed {
                seq: k as u64 + 1,
                subject: Subject::Person("P-0002".into())
            }
        );
        assert_eq!(
            fault.to_string(),
            format!(
                "audit entry {} is marked as emptied because P-0002 was disposed of, but P-0002 was never disposed of: its content was removed outside the logbook",
                k + 1
            )
        );
        // The same for the settings, which are never disposed of.
        let mut f = b.clone();
        f.audit[0].redacted = Some(disposal);
        assert!(matches!(
            f.verify_audit(),
            Err(AuditFault::EmptiedButNotDisposed { seq: 1, .. })
        ));

        // What stays of an emptied entry is still checked: its author, its action, its
        // state, a forged marker.
        for change in [
            (|e: &mut AuditEntry| e.by = "someone else".into()) as fn(&mut AuditEntry),
            |e| e.action = "a false story".into(),
            |e| e.state = "0".repeat(64).into(),
            |e| e.redacted = e.redacted.map(|s| s + 1),
        ] {
            let mut f = b.clone();
            change(&mut f.audit[i]);
            assert_eq!(f.verify_audit(), Err(AuditFault::EmptiedUnrecorded { seq }));
        }
        // Its date moved back a day: found (here, dated before the entry before it).
        let mut f = b.clone();
        f.audit[i].at -= chrono::Duration::days(1);
        assert!(f.verify_audit().is_err());
        // Its marker taken away: the entry no longer matches its hash.
        let mut f = b.clone();
        f.audit[i].redacted = None;
        assert_eq!(f.verify_audit(), Err(AuditFault::EntryAltered { seq }));
        // Its hash changed: the entry after it no longer links to it, as before.
        let mut f = b.clone();
        f.audit[i].hash = "0".repeat(64).into();
        assert_eq!(
            f.verify_audit(),
            Err(AuditFault::EntryAltered { seq: disposal })
        );
        // An entry before emptied ones changed: named as before; and if re-hashed by a
        // forger, the emptied entry after it no longer matches its recorded link.
        let j = (0..i)
            .rev()
            .find(|&j| b.audit[j].redacted.is_none())
            .unwrap();
        assert!(b.audit[j + 1].redacted.is_some());
        let mut f = b.clone();
        f.audit[j].by = "someone else".into();
        assert_eq!(
            f.verify_audit(),
            Err(AuditFault::EntryAltered { seq: j as u64 + 1 })
        );
        let prev = f.audit[j - 1].hash.clone();
        f.audit[j].hash = crate::model::entry_hash(&prev, &f.audit[j]).unwrap();
        assert_eq!(
            f.verify_audit(),
            Err(AuditFault::EmptiedUnrecorded { seq: j as u64 + 2 })
        );
        // The disposal that vouches for it, altered: named as any altered entry.
        let mut f = b.clone();
        f.audit[i + 1].changes.pop();
        assert_eq!(
            f.verify_audit(),
            Err(AuditFault::EntryAltered { seq: disposal })
        );
    }

    #[test]
    fn an_open_case_or_an_unknown_date_is_refused_saying_why() {
        let mut b = book(
            vec![(person("P-0001", AgeGroup::Adult, None, ""), Role::Subject)],
            false,
        );
        let s = stamp(2026, 11, 16);
        let e = b
            .dispose_due(&s, "INC-2016-0001", day(2026, 11, 16), "")
            .unwrap_err();
        assert!(e.message.contains("not closed"), "{}", e.message);
        let mut b = book(
            vec![(person("P-0001", AgeGroup::Child, None, ""), Role::Subject)],
            true,
        );
        let e = b
            .dispose_due(&s, "INC-2016-0001", day(2026, 11, 16), "")
            .unwrap_err();
        assert!(e.message.contains("cannot be worked out"), "{}", e.message);
        assert_eq!(b.incidents.len(), 1);
    }
}
