//! Child protection file transfer: when a child moves, their whole file goes to the new
//! school's DSL (UK guidance: within five school days of the child starting there). The
//! sending logbook writes one `TransferFile`, encrypted to the receiving DSL's age key; the
//! receiving logbook takes it in as a new person with linked incidents, each marked with
//! where it came from. Both ends are audited: the sending, its acknowledgement, the receipt.
//!
//! The file decrypts to one self-contained HTML page a school without this program reads
//! (`age -d -i KEY -o file.html FILE`, opened in a browser): the person's chronology and each
//! incident's. The same records in the logbook's own schema (a `Person` and `Incident`s in
//! RON) travel inside that page in one hidden element (`RECORDS_START`), escaped, for
//! `import-transfer`. A transfer written before (tester3 #26) is that RON alone, with the
//! pages as strings inside it; both are read.

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
    /// The same records as print-ready HTML pages (the person's chronology first). Only a
    /// transfer written before the pages moved out into the readable page holds them here;
    /// they are never read back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<TransferDocument>,
    /// How many of the person's incidents were left out because they are marked entered in
    /// error at the sending school (often: the wrong pupil linked, so it is another child's
    /// case): their content never leaves, only this count (tester3 #46).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub withheld: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Where the records start inside a transfer's readable page: a hidden element, so a browser
/// or a printout shows only the pages, and a person reading the file's text sees where the
/// part for a program begins. Its text is the RON with `&`, `<` and `>` written as HTML
/// entities, so nothing in a record can end the element early.
pub const RECORDS_START: &str = "<pre id=\"logbook-transfer-records\" hidden=\"hidden\">";
const RECORDS_END: &str = "</pre>";

/// Writes the hidden element that carries `ron` at the end of `out`, a transfer's readable
/// page (written in place: the page is wiped when dropped, a copy would not be).
pub fn embed_records(ron: &str, out: &mut String) {
    out.reserve(embedded_len(ron));
    out.push_str(RECORDS_START);
    out.push('\n');
    for c in ron.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out.push_str(RECORDS_END);
    out.push('\n');
}

/// How long `embed_records` makes the element for `ron`, so a page can be sized once.
pub fn embedded_len(ron: &str) -> usize {
    RECORDS_START.len()
        + 1
        + ron.len()
        + 4 * ron.matches('&').count()
        + 3 * ron.matches(['<', '>']).count()
        + RECORDS_END.len()
        + 1
}

/// The RON records of a decrypted transfer: the hidden element of a readable page, or the
/// whole text of a transfer written before the page (which starts with the RON itself).
/// `None` when the text is a page without the element or an entity was not written by
/// `embed_records`.
pub fn transfer_records(plain: &str) -> Option<std::borrow::Cow<'_, str>> {
    let Some(at) = plain.find(RECORDS_START) else {
        // Older transfers: the RON alone. Anything else is for the RON parser to refuse.
        return (!plain.trim_start().starts_with('<')).then_some(std::borrow::Cow::Borrowed(plain));
    };
    let rest = &plain[at + RECORDS_START.len()..];
    let body = rest.strip_prefix('\n').unwrap_or(rest);
    let body = &body[..body.find(RECORDS_END)?];
    let mut out = String::with_capacity(body.len());
    let mut parts = body.split('&');
    out.push_str(parts.next().unwrap_or_default());
    for part in parts {
        let (c, tail) = [("amp;", '&'), ("lt;", '<'), ("gt;", '>')]
            .iter()
            .find_map(|(name, c)| part.strip_prefix(*name).map(|tail| (*c, tail)))?;
        out.push(c);
        out.push_str(tail);
    }
    Some(std::borrow::Cow::Owned(out))
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
    /// (number in the sending logbook, number here) of each incident added.
    pub incidents: Vec<(String, String)>,
    /// Incidents already taken in from the same school with another child's file (two
    /// children of one incident moving to the same school): the person is linked to the
    /// one here instead of adding it twice (tester3 #38).
    pub joined: Vec<Joined>,
    /// Incidents marked entered in error at the sending school, left out: counted in the
    /// file, or found in a transfer written before they were withheld.
    pub left_out: u32,
    /// People already in the register who may be the same person (the same rule as adding a
    /// person in the app), checked before the person was added.
    pub possibly_same: Vec<String>,
}

/// An incident of a transfer already in this logbook from an earlier transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    /// Its number in the sending logbook, and here.
    pub theirs: String,
    pub here: String,
    /// The person here whose transfer brought it in, if still in the register.
    pub with: Option<String>,
    /// The roles the person was linked in.
    pub roles: Vec<Role>,
    /// Entries in this transfer's copy that the one here does not have (EV-3, RV-2...):
    /// added at the sending school after the earlier transfer, so for the DSL to read in
    /// this transfer's pages and add by hand; never merged silently.
    pub not_here: Vec<String>,
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
    /// contents: the same transfer, or the same child's file from the same school, is
    /// refused. An incident already taken in from that school with another child's file
    /// (two children of one incident moving together) is not added twice: the person is
    /// linked to the one here in their own role, and what their copy has that it lacks is
    /// named, not merged. Incidents marked entered in error at the sending school are left
    /// out. All or nothing, audited.
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
        // The same child's file again, written later: adding them twice would split their
        // history over two people here.
        if let Some(p) = self.people.iter().find(|p| {
            p.error.is_none()
                && p.transferred
                    .as_ref()
                    .is_some_and(|x| x.from == t.from && x.source_id == t.person.id)
        }) {
            return Err(invalid(
                "transfer",
                format!(
                    "{}'s {} was already taken in from an earlier transfer, as {}: nothing was added; read this later copy's pages (`age -d`) and add what is new to {} by hand",
                    t.from, t.person.id, p.id, p.id
                ),
            ));
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
        // Checked before the person is added, who would match themselves.
        let possibly_same = self.possibly_same(&t.person);
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

        // A transfer written before entries in error were withheld may still hold them.
        let mut left_out = t.withheld;
        let mut incidents = Vec::new();
        let mut joined = Vec::new();
        for inc in &t.incidents {
            if inc.error.is_some() {
                left_out += 1;
                continue;
            }
            match self.incidents.iter().find(|i| {
                i.transferred
                    .as_ref()
                    .is_some_and(|x| x.from == t.from && x.source_id == inc.id)
            }) {
                Some(here) => joined.push(self.joined(here, inc)),
                None => incidents.push(inc.clone()),
            }
        }

        // New numbers, by the year each was reported, after this logbook's own.
        let mut next: HashMap<i32, u64> = HashMap::new();
        let mut renumber = HashMap::new();
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
        // Links from an incident added to one already here, made once both are in.
        let mut to_joined = Vec::new();
        for mut inc in incidents {
            let new_id = renumber[&inc.id].clone();
            pairs.push((inc.id.clone(), new_id.clone()));
            inc.transferred = Some(provenance(&inc.id));
            inc.id = new_id.clone();
            name_where_kept(&mut inc, &t.from);
            for p in &mut inc.people {
                p.person = person_id.clone();
            }
            for r in &inc.related {
                if let Some(j) = joined.iter().find(|j| &j.theirs == r) {
                    to_joined.push((new_id.clone(), j.here.clone()));
                }
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
        for j in &joined {
            for role in &j.roles {
                staged.link_person(stamp, &j.here, &person_id, *role)?;
            }
        }
        for (id, here) in &to_joined {
            staged.link_related(stamp, id, here)?;
        }
        let mut list: Vec<String> = pairs
            .iter()
            .map(|(from, to)| format!("{from} as {to}"))
            .collect();
        list.extend(joined.iter().map(|j| {
            format!(
                "{} already taken in as {}{}, linked as {}",
                j.theirs,
                j.here,
                j.with
                    .as_ref()
                    .map(|p| format!(" with {p}'s file"))
                    .unwrap_or_default(),
                roles(&j.roles)
            )
        }));
        let state = staged
            .subject_state(&Subject::Person(person_id.clone()))
            .ok_or_else(|| invalid("person", "the transferred person was not added"))??;
        staged.append_audit(
            stamp,
            Subject::Person(person_id.clone()),
            format!(
                "received child protection file transfer from {} (sent {} by {}): their {} as {person_id}{}{}{}",
                t.from,
                super::dates::when(t.sent),
                t.sent_by,
                t.person.id,
                if list.is_empty() { "" } else { ", with " },
                list.join(", "),
                if left_out == 0 {
                    String::new()
                } else {
                    format!("; {left_out} incident(s) marked entered in error there left out")
                }
            ),
            Vec::new(),
            state,
        )?;
        *self = staged;
        Ok(Received {
            person: person_id,
            incidents: pairs,
            joined,
            left_out,
            possibly_same,
        })
    }

    /// What the copy `theirs` of an incident already taken in as `here` adds to it.
    fn joined(&self, here: &Incident, theirs: &Incident) -> Joined {
        let with = here.transferred.as_ref().and_then(|x| {
            self.people
                .iter()
                .find(|p| {
                    p.transferred
                        .as_ref()
                        .is_some_and(|y| y.transfer == x.transfer)
                })
                .map(|p| p.id.clone())
        });
        let mut roles: Vec<Role> = theirs.people.iter().map(|p| p.role).collect();
        roles.dedup();
        // Entries are numbered within the incident at the sending school (EV-1, RS-1,
        // RV-1) and keep their numbers here: one of theirs not here was added since.
        let here_ids: Vec<&str> = here
            .evidence
            .iter()
            .map(|e| e.id.as_str())
            .chain(here.reports.iter().map(|r| r.id.as_str()))
            .chain(here.reviews.iter().map(|r| r.id.as_str()))
            .collect();
        let mut not_here: Vec<String> = theirs
            .evidence
            .iter()
            .map(|e| &e.id)
            .chain(theirs.reports.iter().map(|r| &r.id))
            .chain(theirs.reviews.iter().map(|r| &r.id))
            .filter(|id| !here_ids.contains(&id.as_str()))
            .cloned()
            .collect();
        if theirs.closure.is_some() && here.closure.is_none() {
            not_here.push("its closure".to_string());
        }
        Joined {
            theirs: theirs.id.clone(),
            here: here.id.clone(),
            with,
            roles,
            not_here,
        }
    }

    /// People in the register who may be `person`, by the rule the app's person form warns
    /// with: the same initials and year of birth, and the same year group where both have
    /// one.
    pub fn possibly_same(&self, person: &Person) -> Vec<String> {
        self.likely_duplicates(&person.reference, person.birth_year)
            .into_iter()
            .filter(|p| {
                person.year_group.is_empty()
                    || p.year_group.is_empty()
                    || p.year_group == person.year_group
            })
            .map(|p| p.id.clone())
            .collect()
    }
}

/// "Subject and Witness".
fn roles(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(" and ")
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The records survive the page whole, whatever a record says: text that would end the
    /// element or look like an entity comes back as written.
    #[test]
    fn records_come_back_from_the_page_whole() {
        let ron = "(description: \"a </pre> & <b> &amp; &lt; \\\"q\\\" \u{202e}\")";
        let mut page = "<!DOCTYPE html>\n<html><body><p>x</p>\n".to_string();
        let before = page.len();
        embed_records(ron, &mut page);
        assert_eq!(page.len() - before, embedded_len(ron));
        page.push_str("</body></html>");
        assert!(!page.contains("a </pre>"), "{page}");
        assert_eq!(transfer_records(&page).as_deref(), Some(ron));
        // A transfer written before the page: the RON itself.
        let old = "(\n  format: 1,\n)";
        assert_eq!(transfer_records(old).as_deref(), Some(old));
        // A page without the records, or with an entity `embed_records` never writes.
        assert_eq!(transfer_records("<!DOCTYPE html><html></html>"), None);
        let odd = format!("{RECORDS_START}\na &quot; b</pre>");
        assert_eq!(transfer_records(&odd), None);
        let open = format!("{RECORDS_START}\n(format: 1)");
        assert_eq!(transfer_records(&open), None, "no end");
    }
}
