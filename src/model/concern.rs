//! Staff concerns: what a member of staff wrote through the drop-box (`logbook concern`),
//! and the DSL's audited operations that take one into the logbook: as a new incident, added
//! to an existing incident, or recorded as needing no further action, with the reason.
//!
//! Whatever the decision, the concern is kept whole and verbatim in `Logbook::concerns`
//! (one audit entry with the subject `Concern(receipt)`), so the same receipt is never
//! taken in twice; when it joins an incident its text is also an evidence item of kind
//! "staff concern". Each take-in is applied to a copy and swapped in only when every step
//! succeeded: the record and the trail change together or not at all.

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::audit::{Stamp, state_hash};
use super::commands::Summary;
use super::types::*;
use super::validate::{Invalid, invalid};

/// What a member of staff wrote, in their own words. Every text is kept exactly as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Concern {
    /// The receipt number the member of staff was given (C-XXXX-XXXX), unique per concern.
    pub receipt: String,
    /// When it was written, by the clock of the computer it was written on.
    #[zeroize(skip)]
    pub written: DateTime<FixedOffset>,
    /// What was seen or heard.
    pub what: String,
    /// When it happened, as the member of staff put it.
    #[serde(default)]
    pub when: String,
    /// Who is involved: initials and year group.
    #[serde(default)]
    pub who: String,
    /// Where: platform or app, or place.
    #[serde(default)]
    pub place: String,
    /// What the member of staff did.
    #[serde(default)]
    pub action: String,
    /// The member of staff's name and role.
    pub by: String,
    #[serde(default)]
    pub role: String,
}

impl Concern {
    /// Who wrote it, for lists and for "reported by": "A. Khan (Form tutor)".
    pub fn from(&self) -> String {
        if self.role.trim().is_empty() {
            self.by.trim().to_string()
        } else {
            format!("{} ({})", self.by.trim(), self.role.trim())
        }
    }

    /// The answers after what was seen or heard, each with its label as the evidence item
    /// shows it: one list, so the app's reader, `logbook concerns --show` and the evidence
    /// item label them alike (tester3 #32: the reader said "What they did").
    pub fn answers(&self) -> [(&'static str, &str); 4] {
        [
            ("When", &self.when),
            ("Who is involved", &self.who),
            ("Where", &self.place),
            ("What I did", &self.action),
        ]
    }

    /// The concern's words as one text: what was seen or heard, verbatim, then the other
    /// answers, each labelled. Kept as the evidence item's description.
    pub fn text(&self) -> String {
        let mut text = self.what.clone();
        for (label, value) in self.answers() {
            if !value.trim().is_empty() {
                text.push_str(&format!("\n{label}: {value}"));
            }
        }
        text
    }

    /// Refuses a concern that lacks what is needed to act on it.
    pub fn check(&self) -> Result<(), Invalid> {
        if !is_receipt(&self.receipt) {
            return Err(invalid(
                "receipt",
                format!(
                    "{} is not a concern receipt (C-XXXX-XXXX)",
                    crate::text::line(&self.receipt)
                ),
            ));
        }
        if self.what.trim().is_empty() {
            return Err(invalid(
                "what",
                "What was seen or heard is required: fill it in",
            ));
        }
        if self.by.trim().is_empty() {
            return Err(invalid("by", "Your name is required: fill it in"));
        }
        Ok(())
    }
}

/// The letters of a receipt: no 0/O, 1/I/L or U, so one read out on the phone is not misheard.
pub const RECEIPT_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Whether `s` is a receipt: C-XXXX-XXXX in `RECEIPT_ALPHABET`.
pub fn is_receipt(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && s.starts_with("C-")
        && b[6] == b'-'
        && b.iter()
            .enumerate()
            .filter(|(i, _)| *i >= 2 && *i != 6)
            .all(|(_, c)| RECEIPT_ALPHABET.contains(c))
}

/// What the DSL decided about a concern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ConcernOutcome {
    /// It became this incident; its text is this evidence item.
    NewIncident { incident: String, evidence: String },
    /// It was added to this existing incident as this evidence item.
    AddedTo { incident: String, evidence: String },
    /// No further action, and why.
    NoFurtherAction { reason: String },
}

impl Zeroize for ConcernOutcome {
    fn zeroize(&mut self) {
        match self {
            ConcernOutcome::NewIncident { incident, evidence }
            | ConcernOutcome::AddedTo { incident, evidence } => {
                incident.zeroize();
                evidence.zeroize();
            }
            ConcernOutcome::NoFurtherAction { reason } => reason.zeroize(),
        }
    }
}

impl ConcernOutcome {
    /// One line for lists: "INC-2026-0003 (new)", "no further action: ...".
    pub fn label(&self) -> String {
        match self {
            ConcernOutcome::NewIncident { incident, .. } => format!("new incident {incident}"),
            ConcernOutcome::AddedTo { incident, .. } => format!("added to {incident}"),
            ConcernOutcome::NoFurtherAction { reason } => {
                format!("no further action: {reason}")
            }
        }
    }
}

/// A concern taken in: the whole concern, who took it in and when, and the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct ConcernRecord {
    pub concern: Concern,
    #[zeroize(skip)]
    pub taken_in: NaiveDateTime,
    pub taken_in_by: String,
    /// The decision now.
    pub outcome: ConcernOutcome,
    /// Decisions made before `outcome` and replaced since (a concern first recorded as
    /// needing no further action, added to an incident later), oldest first. Left out when
    /// empty, so records without one hash as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<Replaced>,
}

/// A decision on a concern that a later one replaced: what it was, when and by whom it was
/// made, and when, by whom and why it was replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Replaced {
    pub outcome: ConcernOutcome,
    #[zeroize(skip)]
    pub decided: NaiveDateTime,
    pub decided_by: String,
    #[zeroize(skip)]
    pub replaced: NaiveDateTime,
    pub replaced_by: String,
    pub why: String,
}

impl ConcernRecord {
    /// When the decision now in `outcome` was made, and by whom.
    pub fn decided(&self) -> (NaiveDateTime, &str) {
        match self.earlier.last() {
            Some(r) => (r.replaced, r.replaced_by.as_str()),
            None => (self.taken_in, self.taken_in_by.as_str()),
        }
    }
}

/// What to do with a concern being taken in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TakeIn {
    /// Record a new incident with this summary (the form pre-filled from the concern).
    NewIncident(Summary),
    /// Add it to this incident.
    AddTo(String),
    /// No further action, for this reason.
    NoFurtherAction(String),
}

impl Logbook {
    /// The record of a concern already taken in, by receipt.
    pub fn concern(&self, receipt: &str) -> Option<&ConcernRecord> {
        self.concerns.iter().find(|c| c.concern.receipt == receipt)
    }

    /// Sets (or, with an empty path, clears) the folder staff concerns arrive in.
    pub fn set_concern_inbox(&mut self, stamp: &Stamp, dir: &str) -> Result<(), Invalid> {
        let dir = dir.trim().to_string();
        self.update_settings(stamp, |s| s.concern_inbox = dir)
    }

    /// Takes a staff concern into the logbook as `how` says. Returns a sentence for the
    /// person: what was recorded, with the numbers to find it by. A concern whose receipt
    /// is already in the logbook is refused: it is never taken in twice.
    pub fn take_in_concern(
        &mut self,
        stamp: &Stamp,
        concern: &Concern,
        how: TakeIn,
    ) -> Result<String, Invalid> {
        concern.check()?;
        if let Some(done) = self.concern(&concern.receipt) {
            return Err(invalid(
                "receipt",
                format!(
                    "Concern {} was taken in already ({}): it is not taken in twice",
                    concern.receipt,
                    done.outcome.label()
                ),
            ));
        }
        let now = stamp.at.naive_local();
        let mut staged = self.clone();
        let (outcome, message) = match how {
            TakeIn::NewIncident(summary) => {
                let id = staged.record_incident(stamp, summary)?;
                let evidence = staged.add_concern_evidence(stamp, &id, concern, now)?;
                (
                    ConcernOutcome::NewIncident {
                        incident: id.clone(),
                        evidence: evidence.clone(),
                    },
                    format!(
                        "{id} recorded from concern {}; its words are evidence {evidence}.",
                        concern.receipt
                    ),
                )
            }
            TakeIn::AddTo(id) => {
                let id = id.trim().to_string();
                staged.may_add_concern_to(&id)?;
                let evidence = staged.add_concern_evidence(stamp, &id, concern, now)?;
                (
                    ConcernOutcome::AddedTo {
                        incident: id.clone(),
                        evidence: evidence.clone(),
                    },
                    format!(
                        "Concern {} added to {id} as evidence {evidence}.",
                        concern.receipt
                    ),
                )
            }
            TakeIn::NoFurtherAction(reason) => {
                let reason = reason.trim().to_string();
                if reason.is_empty() {
                    return Err(invalid(
                        "reason",
                        "Why no further action is needed is required: fill it in",
                    ));
                }
                (
                    ConcernOutcome::NoFurtherAction { reason },
                    format!(
                        "Concern {} recorded: no further action, with the reason.",
                        concern.receipt
                    ),
                )
            }
        };
        let record = ConcernRecord {
            concern: concern.clone(),
            taken_in: now,
            taken_in_by: stamp.by.clone(),
            outcome,
            earlier: Vec::new(),
        };
        let state = state_hash(&record)?;
        let action = format!("took in staff concern: {}", record.outcome.label());
        staged.append_audit(
            stamp,
            Subject::Concern(concern.receipt.clone()),
            action,
            Vec::new(),
            state,
        )?;
        staged.concerns.push(record);
        *self = staged;
        Ok(message)
    }

    /// Refuses adding a concern to incident `id` unless it is in the logbook and not closed.
    fn may_add_concern_to(&self, id: &str) -> Result<(), Invalid> {
        match self.incident(id) {
            None => Err(invalid(
                "incident",
                format!(
                    "{} is not in the logbook: choose an incident from the list",
                    crate::text::line(id)
                ),
            )),
            Some(i) if i.status == Status::Closed => Err(invalid(
                "incident",
                format!("{id} is closed: re-open it first, or record a new incident"),
            )),
            Some(_) => Ok(()),
        }
    }

    /// Adds a concern taken in earlier with "no further action" to incident `id` after all
    /// (a second concern shows a pattern, tester3 #43): its words become an evidence item
    /// of kind "staff concern" there, and its record keeps the earlier decision with who
    /// made it, beside who changed it, when and `why` (required). Audited on the concern
    /// and on the incident; all or nothing. A concern already in an incident is refused:
    /// its words are not added twice.
    pub fn add_taken_concern_to(
        &mut self,
        stamp: &Stamp,
        receipt: &str,
        id: &str,
        why: &str,
    ) -> Result<String, Invalid> {
        let id = id.trim();
        let why = why.trim();
        let Some(record) = self.concern(receipt) else {
            return Err(invalid(
                "receipt",
                format!(
                    "No concern {} was taken in: `logbook concerns --taken` lists those that were",
                    crate::text::line(receipt)
                ),
            ));
        };
        if let ConcernOutcome::NewIncident { incident, evidence }
        | ConcernOutcome::AddedTo { incident, evidence } = &record.outcome
        {
            return Err(invalid(
                "incident",
                format!(
                    "Concern {receipt} is already evidence {evidence} of {incident}: its words are not added twice"
                ),
            ));
        }
        if why.is_empty() {
            return Err(invalid(
                "why",
                "Why it is added to an incident now is required: fill it in",
            ));
        }
        self.may_add_concern_to(id)?;
        let now = stamp.at.naive_local();
        let mut staged = self.clone();
        let concern = record.concern.clone();
        let evidence = staged.add_concern_evidence(stamp, id, &concern, now)?;
        let index = staged
            .concerns
            .iter()
            .position(|c| c.concern.receipt == receipt)
            .ok_or_else(|| invalid("receipt", format!("No concern {receipt} was taken in")))?;
        let record = &mut staged.concerns[index];
        let (decided, decided_by) = record.decided();
        let (decided, decided_by) = (decided, decided_by.to_string());
        let before = std::mem::replace(
            &mut record.outcome,
            ConcernOutcome::AddedTo {
                incident: id.to_string(),
                evidence: evidence.clone(),
            },
        );
        let action = format!(
            "added staff concern to {id} as evidence {evidence}, replacing the decision \"{}\": {why}",
            before.label()
        );
        record.earlier.push(Replaced {
            outcome: before,
            decided,
            decided_by,
            replaced: now,
            replaced_by: stamp.by.clone(),
            why: why.to_string(),
        });
        let state = state_hash(&*record)?;
        staged.append_audit(
            stamp,
            Subject::Concern(receipt.to_string()),
            action,
            Vec::new(),
            state,
        )?;
        *self = staged;
        Ok(format!(
            "Concern {receipt} added to {id} as evidence {evidence}; its earlier decision (no further action) is kept with it."
        ))
    }

    /// Refuses evidence details that would put words in a member of staff's mouth
    /// (tester3 #47): a "staff concern" item (item `ev` of incident `id`) holds their words,
    /// name and time as they wrote them, so none of its own fields may change (a custody
    /// event may still be added); and no item is made one by hand (`ev` None: a new item),
    /// nor turned into one: only taking in a concern makes one. The DSL's correction or
    /// addition is an item of its own (a Note), shown as the DSL's.
    pub fn staff_words_refusal(
        &self,
        id: &str,
        ev: Option<&str>,
        d: &super::commands::EvidenceDetails,
    ) -> Option<Invalid> {
        let item = ev.and_then(|ev| self.incident(id)?.evidence.iter().find(|e| e.id == ev));
        let Some(item) = item.filter(|e| e.kind == EvidenceKind::StaffConcern) else {
            return (d.kind == EvidenceKind::StaffConcern).then(|| {
                invalid(
                    "kind",
                    "A staff concern item holds a member of staff's own words and is made only by taking in their concern (the Concerns screen): choose Note for your own record of what you were told",
                )
            });
        };
        let changed = [
            ("kind", item.kind != d.kind),
            ("description", item.description != d.description),
            ("source", item.source != d.source),
            ("captured", item.captured != d.captured),
            ("captured_by", item.captured_by != d.captured_by),
            ("kept_at", item.kept_at != d.kept_at),
        ]
        .into_iter()
        .find_map(|(field, changed)| changed.then_some(field))?;
        let receipt = self
            .concerns
            .iter()
            .find(|c| {
                matches!(&c.outcome,
                    ConcernOutcome::NewIncident { incident, evidence }
                    | ConcernOutcome::AddedTo { incident, evidence }
                    if incident == id && evidence == &item.id)
            })
            .map_or_else(
                || "a staff concern".to_string(),
                |c| format!("staff concern {}", c.concern.receipt),
            );
        Some(invalid(
            changed,
            format!(
                "{} is {receipt} as {} wrote it, so it is kept as written: add your correction or note as a new evidence item of kind Note, or mark {} entered in error",
                item.id,
                crate::text::line(item.captured_by.trim()),
                item.id
            ),
        ))
    }

    /// The concern's words as an evidence item of kind "staff concern" on incident `id`.
    fn add_concern_evidence(
        &mut self,
        stamp: &Stamp,
        id: &str,
        concern: &Concern,
        now: NaiveDateTime,
    ) -> Result<String, Invalid> {
        // Written on another computer, whose clock may run ahead of this one.
        let captured = concern.written.naive_local().min(now);
        let next = self
            .incident(id)
            .ok_or_else(|| invalid("incident", format!("{id} is not in the logbook")))?
            .next_item_id("EV");
        let item = Evidence {
            imagery_copy: false,
            id: next.clone(),
            kind: EvidenceKind::StaffConcern,
            description: concern.text(),
            source: format!(
                "Staff concern {} from {}, written {}",
                concern.receipt,
                concern.from(),
                super::dates::at(&concern.written)
            ),
            captured,
            captured_by: concern.by.trim().to_string(),
            kept_at: format!("In this logbook (concern {})", concern.receipt),
            file: None,
            custody: Vec::new(),
            error: None,
        };
        // The action names the concern, so the incident's history shows where it came from.
        let action = format!("added evidence {next} (staff concern {})", concern.receipt);
        self.update_incident(stamp, id, &action, |i| i.evidence.push(item))?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(0)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 30, h, 0, 0)
            .unwrap()
    }

    fn book() -> Logbook {
        Logbook::create(
            &Stamp::new("DSL", at(8)),
            Settings::new("Northfield", vec!["DSL".into()]),
        )
        .unwrap()
    }

    fn concern(receipt: &str) -> Concern {
        Concern {
            receipt: receipt.into(),
            written: at(9),
            what: "JB (Y9) said \"they keep posting my photo\" at break.".into(),
            when: "today, morning break".into(),
            who: "JB Y9".into(),
            place: "Snapchat".into(),
            action: "Listened, told JB I would pass it on.".into(),
            by: "A. Khan".into(),
            role: "Form tutor".into(),
        }
    }

    fn summary(c: &Concern) -> Summary {
        Summary {
            occurred: c.written.naive_local(),
            occurred_approximate: true,
            reported: c.written.naive_local(),
            reported_by: c.from(),
            types: vec![IncidentType::Cyberbullying],
            risk_area: None,
            risk_level: RiskLevel::Medium,
            platform: c.place.clone(),
            description: c.what.clone(),
            immediate_action: c.action.clone(),
        }
    }

    #[test]
    fn a_concern_becomes_an_incident_with_its_words_as_evidence() {
        let mut b = book();
        let c = concern("C-AB23-CD45");
        let stamp = Stamp::new("DSL", at(10));
        b.take_in_concern(&stamp, &c, TakeIn::NewIncident(summary(&c)))
            .unwrap();
        let inc = &b.incidents[0];
        let ev = &inc.evidence[0];
        assert_eq!(ev.kind, EvidenceKind::StaffConcern);
        assert!(ev.description.starts_with(&c.what));
        assert!(ev.description.contains("What I did: Listened"));
        assert!(ev.source.contains("C-AB23-CD45"));
        assert_eq!(ev.captured_by, "A. Khan");
        let rec = b.concern("C-AB23-CD45").unwrap();
        assert_eq!(
            rec.outcome,
            ConcernOutcome::NewIncident {
                incident: inc.id.clone(),
                evidence: "EV-1".into()
            }
        );
        b.verify_audit().unwrap();
        let last = b.audit.last().unwrap();
        assert_eq!(last.subject, Subject::Concern("C-AB23-CD45".into()));
        assert!(last.action.contains("new incident"));
    }

    #[test]
    fn the_same_receipt_is_never_taken_in_twice() {
        let mut b = book();
        let c = concern("C-AB23-CD45");
        let stamp = Stamp::new("DSL", at(10));
        b.take_in_concern(&stamp, &c, TakeIn::NoFurtherAction("Known, handled".into()))
            .unwrap();
        let before = b.clone();
        let e = b
            .take_in_concern(&stamp, &c, TakeIn::NewIncident(summary(&c)))
            .unwrap_err();
        assert!(e.message.contains("taken in already"), "{}", e.message);
        assert_eq!(b, before);
    }

    #[test]
    fn no_further_action_needs_a_reason_and_keeps_the_concern() {
        let mut b = book();
        let c = concern("C-AB23-CD45");
        let stamp = Stamp::new("DSL", at(10));
        let before = b.clone();
        assert!(
            b.take_in_concern(&stamp, &c, TakeIn::NoFurtherAction("  ".into()))
                .is_err()
        );
        assert_eq!(b, before);
        b.take_in_concern(&stamp, &c, TakeIn::NoFurtherAction("Parent aware".into()))
            .unwrap();
        assert_eq!(b.concerns[0].concern, c);
        assert!(b.incidents.is_empty());
        b.verify_audit().unwrap();
    }

    #[test]
    fn adding_to_an_unknown_or_closed_incident_is_refused_and_changes_nothing() {
        let mut b = book();
        let c = concern("C-AB23-CD45");
        let stamp = Stamp::new("DSL", at(10));
        let before = b.clone();
        let e = b
            .take_in_concern(&stamp, &c, TakeIn::AddTo("INC-2026-0099".into()))
            .unwrap_err();
        assert!(e.message.contains("not in the logbook"));
        assert_eq!(b, before);
        b.take_in_concern(&stamp, &c, TakeIn::NewIncident(summary(&c)))
            .unwrap();
        let id = b.incidents[0].id.clone();
        let c2 = concern("C-ZZ23-CD45");
        b.take_in_concern(&stamp, &c2, TakeIn::AddTo(id.clone()))
            .unwrap();
        assert_eq!(b.incidents[0].evidence.len(), 2);
        b.verify_audit().unwrap();
    }

    #[test]
    fn a_concern_record_changed_outside_the_trail_is_caught() {
        let mut b = book();
        let c = concern("C-AB23-CD45");
        let stamp = Stamp::new("DSL", at(10));
        b.take_in_concern(&stamp, &c, TakeIn::NoFurtherAction("Parent aware".into()))
            .unwrap();
        b.concerns[0].concern.what = "something else".into();
        assert!(b.verify_audit().is_err());
        b.concerns.clear();
        assert!(b.verify_audit().is_err());
    }

    /// Tester3 #47: E on a "Staff concern" item rewrote the staff member's words, which
    /// exports then gave as theirs.
    #[test]
    fn a_staff_concern_item_keeps_the_words_as_written() {
        use crate::model::EvidenceDetails;
        let mut b = book();
        let c = concern("C-AB23-CD45");
        let stamp = Stamp::new("DSL", at(10));
        b.take_in_concern(&stamp, &c, TakeIn::NewIncident(summary(&c)))
            .unwrap();
        let id = b.incidents[0].id.clone();
        let item = b.incidents[0].evidence[0].clone();
        let same = EvidenceDetails {
            copy_confirmed: false,
            kind: item.kind,
            description: item.description.clone(),
            source: item.source.clone(),
            captured: item.captured,
            captured_by: item.captured_by.clone(),
            kept_at: item.kept_at.clone(),
        };
        let before = b.clone();
        for changed in [
            EvidenceDetails {
                description: "At lunch KL (Y9) said a boy shared a photo of her.".into(),
                ..same.clone()
            },
            EvidenceDetails {
                captured_by: "DSL".into(),
                ..same.clone()
            },
            EvidenceDetails {
                kind: EvidenceKind::Note,
                ..same.clone()
            },
            EvidenceDetails {
                captured: at(11).naive_local(),
                ..same.clone()
            },
        ] {
            let e = b
                .edit_evidence(&stamp, &id, "EV-1", changed.clone())
                .unwrap_err();
            assert!(
                e.message
                    .contains("staff concern C-AB23-CD45 as A. Khan wrote it")
                    && e.message.contains("kind Note"),
                "{}",
                e.message
            );
            // The form marks the same field.
            let refusals = b.evidence_refusals(&stamp, &id, Some("EV-1"), &changed, None);
            assert_eq!(refusals.first().map(|r| &r.field), Some(&e.field));
            assert_eq!(b, before);
        }
        // A custody event may still be added.
        b.add_custody_event(
            &stamp,
            &id,
            "EV-1",
            CustodyEvent {
                when: at(10).naive_local(),
                event: "Printed copy handed to PC 2231 Hale".into(),
                reference: String::new(),
            },
        )
        .unwrap();
        // No item is made, or turned into, a staff concern by hand.
        let e = b
            .add_evidence(
                &stamp,
                &id,
                EvidenceDetails {
                    description: "What Mrs K told me".into(),
                    captured_by: "DSL".into(),
                    ..same.clone()
                },
            )
            .unwrap_err();
        assert_eq!(e.field, "kind");
        let note = b
            .add_evidence(
                &stamp,
                &id,
                EvidenceDetails {
                    kind: EvidenceKind::Note,
                    description: "Correction: it was at lunch, not break".into(),
                    captured_by: "DSL".into(),
                    ..same.clone()
                },
            )
            .unwrap();
        let e = b
            .edit_evidence(&stamp, &id, &note, same.clone())
            .unwrap_err();
        assert_eq!(e.field, "kind");
        b.verify_audit().unwrap();
    }

    /// Tester3 #43: a concern recorded as needing no further action could not join the
    /// incident it turned out to belong to.
    #[test]
    fn a_no_further_action_concern_is_added_to_an_incident_later_with_the_decision_kept() {
        let mut b = book();
        let first = concern("C-AB23-CD45");
        let second = concern("C-ZZ23-CD45");
        let stamp = Stamp::new("DSL", at(10));
        b.take_in_concern(
            &stamp,
            &first,
            TakeIn::NoFurtherAction("Looked like a game advert".into()),
        )
        .unwrap();
        b.take_in_concern(&stamp, &second, TakeIn::NewIncident(summary(&second)))
            .unwrap();
        let id = b.incidents[0].id.clone();
        let later = Stamp::new("Deputy", at(12));
        let before = b.clone();
        // Why is required; a concern already in an incident is not added twice; the
        // incident must be open.
        let e = b
            .add_taken_concern_to(&later, "C-AB23-CD45", &id, " ")
            .unwrap_err();
        assert_eq!(e.field, "why");
        let e = b
            .add_taken_concern_to(&later, "C-ZZ23-CD45", &id, "x")
            .unwrap_err();
        assert!(e.message.contains("already evidence EV-1"), "{}", e.message);
        let e = b
            .add_taken_concern_to(&later, "C-AB23-CD45", "INC-2026-0099", "x")
            .unwrap_err();
        assert_eq!(e.field, "incident");
        let e = b
            .add_taken_concern_to(&later, "C-2222-2222", &id, "x")
            .unwrap_err();
        assert_eq!(e.field, "receipt");
        assert_eq!(b, before);

        let said = b
            .add_taken_concern_to(&later, "C-AB23-CD45", &id, "Same sender as C-ZZ23-CD45")
            .unwrap();
        assert!(said.contains("EV-2"), "{said}");
        let r = b.concern("C-AB23-CD45").unwrap();
        assert_eq!(
            r.outcome,
            ConcernOutcome::AddedTo {
                incident: id.clone(),
                evidence: "EV-2".into()
            }
        );
        assert_eq!(r.decided(), (at(12).naive_local(), "Deputy"));
        let e = &r.earlier[0];
        assert_eq!(
            e.outcome,
            ConcernOutcome::NoFurtherAction {
                reason: "Looked like a game advert".into()
            }
        );
        assert_eq!(
            (e.decided, e.decided_by.as_str()),
            (at(10).naive_local(), "DSL")
        );
        assert_eq!(e.why, "Same sender as C-ZZ23-CD45");
        let item = &b.incidents[0].evidence[1];
        assert_eq!(item.kind, EvidenceKind::StaffConcern);
        assert!(item.description.starts_with(&first.what));
        b.verify_audit().unwrap();
        let last = b.audit.last().unwrap();
        assert_eq!(last.subject, Subject::Concern("C-AB23-CD45".into()));
        assert!(
            last.action.contains("replacing the decision"),
            "{}",
            last.action
        );
        // Once in the incident, it is not added again.
        assert!(
            b.add_taken_concern_to(&later, "C-AB23-CD45", &id, "again")
                .is_err()
        );
    }

    /// A record with no earlier decision serializes as before the field existed, so every
    /// logbook's concern hashes still verify.
    #[test]
    fn a_concern_record_without_earlier_decisions_serializes_as_before() {
        let mut b = book();
        let c = concern("C-AB23-CD45");
        b.take_in_concern(
            &Stamp::new("DSL", at(10)),
            &c,
            TakeIn::NoFurtherAction("Known".into()),
        )
        .unwrap();
        let text = crate::model::canonical(&b.concerns[0]).unwrap();
        assert!(!text.contains("earlier"), "{text}");
    }

    #[test]
    fn receipts_are_checked() {
        assert!(is_receipt("C-AB23-CD45"));
        assert!(!is_receipt("C-AB23-CD4O"));
        assert!(!is_receipt("C-AB23CD45X"));
        assert!(!is_receipt("X-AB23-CD45"));
        let mut c = concern("C-AB23-CD45");
        c.what = " ".into();
        assert!(c.check().is_err());
    }

    #[test]
    fn settings_without_an_inbox_serialize_as_before() {
        let s = Settings::new("Northfield", vec![]);
        let text = crate::model::canonical(&s).unwrap();
        assert!(!text.contains("concern_inbox"));
        let mut b = book();
        b.set_concern_inbox(&Stamp::new("DSL", at(10)), "/srv/concerns")
            .unwrap();
        assert_eq!(b.settings.concern_inbox, "/srv/concerns");
        b.verify_audit().unwrap();
    }
}
