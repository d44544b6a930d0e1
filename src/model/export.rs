//! Records that leave the logbook are themselves part of the record: each export appends an
//! audit entry saying what went out, in which format, for whom and to where.

use super::audit::Stamp;
use super::types::*;
use super::validate::{Invalid, invalid};

/// How an export's audit entry begins; `AuditEntry::is_export` knows them by it.
const EXPORTED: &str = "exported ";

impl AuditEntry {
    /// Whether this entry records an export (which says who received the record and where
    /// it was written), as opposed to a change to the record itself.
    pub fn is_export(&self) -> bool {
        self.changes.is_empty() && self.action.starts_with(EXPORTED)
    }
}

impl Logbook {
    /// Records that `subject` (an incident, a person, or the settings for figures about the
    /// whole logbook) was exported. `what` says what, for whom, which format and where to.
    /// The entry carries the subject's current state, so `verify` checks it like any other.
    pub fn record_export(
        &mut self,
        stamp: &Stamp,
        subject: Subject,
        what: &str,
    ) -> Result<(), Invalid> {
        let state = self
            .subject_state(&subject)
            .ok_or_else(|| invalid("id", format!("{subject} is not in this logbook")))??;
        if what.trim().is_empty() {
            return Err(invalid("export", "an export must say what went where"));
        }
        self.append_audit(
            stamp,
            subject,
            format!("{EXPORTED}{what}"),
            Vec::new(),
            state,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_entry_keeps_the_trail_sound_and_names_its_subject() {
        let mut book = crate::demo::logbook().unwrap();
        let id = book.incidents[0].id.clone();
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-16T09:00:00+00:00").unwrap();
        let stamp = Stamp::new("RO", at);
        book.record_export(&stamp, Subject::Incident(id.clone()), "chronology")
            .unwrap();
        book.verify_audit().unwrap();
        let last = book.audit.last().unwrap();
        assert_eq!(last.subject, Subject::Incident(id));
        assert_eq!(last.action, "exported chronology");
        assert!(
            book.record_export(&stamp, Subject::Incident("INC-1999-0001".into()), "x")
                .is_err()
        );
    }
}
