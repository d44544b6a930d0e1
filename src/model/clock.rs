//! A clock that ran ahead, put right. Every audit entry must be dated no earlier than the
//! one before it (`verify` names one that is: the trail was edited, or the clock was wrong).
//! One change saved while a computer's clock ran ahead (a dual-boot slip, a laptop set to
//! the wrong month) then refused every later change until that date came round, though the
//! clock was right again (tester4 #17). A DSL who has checked the clock records so, with a
//! reason: that entry may be dated before the one it follows, and the entries after it are
//! ordered from it. The entries dated ahead stay as they were, so the slip stays visible.

use super::audit::{Stamp, state_hash};
use super::types::{Logbook, Subject};
use super::validate::{Invalid, invalid};

/// The start of the action of a clock correction's audit entry.
pub(crate) const CLOCK_CORRECTED: &str = "clock corrected";

/// Whether `action` on `subject` is a clock correction, the one entry that may be dated
/// before the entry it follows.
pub(crate) fn is_clock_correction(subject: &Subject, action: &str) -> bool {
    *subject == Subject::Settings && action.starts_with(CLOCK_CORRECTED)
}

impl Logbook {
    /// When the last change is dated later than `stamp` (the clock now), the date of that
    /// change: what a clock correction would put right. None when the clock is not behind.
    pub fn clock_behind(&self, stamp: &Stamp) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        let last = self.audit.last()?;
        (stamp.at.timestamp() < last.at.timestamp()).then_some(last.at)
    }

    /// Records that the clock reading `stamp.at` is right, though the last change is dated
    /// after it (it was saved while the clock ran ahead), with `reason`; later changes are
    /// then dated from now. Refused when the clock is not behind the last change.
    pub fn correct_clock(&mut self, stamp: &Stamp, reason: &str) -> Result<(), Invalid> {
        let reason = reason.trim();
        let Some(last) = self.clock_behind(stamp) else {
            return Err(invalid(
                "",
                "The clock does not read before the last change in this logbook: there is nothing to correct",
            ));
        };
        if reason.is_empty() {
            return Err(invalid(
                "reason",
                "Say why the clock is right now (e.g. \"laptop clock had been set a month ahead; checked against the school's clock\")",
            ));
        }
        let state = state_hash(&self.settings)?;
        let action = format!(
            "{CLOCK_CORRECTED}: the last change is dated {}, later than the clock, which {} confirmed reads right at {}; {reason}",
            super::dates::exact(&last),
            stamp.by,
            super::dates::exact(&stamp.at),
        );
        self.append_audit(stamp, Subject::Settings, action, Vec::new(), state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AuditFault, Settings};
    use chrono::{DateTime, FixedOffset};

    fn stamp(at: &str) -> Stamp {
        Stamp::new(
            "RO",
            DateTime::<FixedOffset>::parse_from_rfc3339(at).unwrap(),
        )
    }

    #[test]
    fn a_clock_that_ran_ahead_is_put_right_on_the_record_and_verify_accepts_it() {
        let mut b = Logbook::create(
            &stamp("2026-11-01T09:00:00Z"),
            Settings::new("School", vec!["RO".into()]),
        )
        .unwrap();
        // A change saved while the clock read 20 December.
        b.record_backup(&stamp("2026-12-20T09:05:00Z"), "x.age")
            .unwrap();
        let now = stamp("2026-11-30T16:24:27Z");
        // The next change is refused, as before: the clock may be wrong now.
        let err = b.record_backup(&now, "y.age").unwrap_err();
        assert!(err.message.contains("logbook clock --confirm"), "{err:?}");
        assert!(b.clock_behind(&now).is_some());
        // A reason is needed.
        assert_eq!(b.correct_clock(&now, "  ").unwrap_err().field, "reason");
        b.correct_clock(&now, "laptop clock was a month ahead")
            .unwrap();
        let entry = b.audit.last().unwrap();
        assert!(
            entry.action.starts_with(CLOCK_CORRECTED),
            "{}",
            entry.action
        );
        assert!(entry.action.contains("2026-12-20"), "{}", entry.action);
        // Changes go on from the corrected clock, and the trail verifies.
        b.record_backup(&stamp("2026-11-30T16:30:00Z"), "y.age")
            .unwrap();
        assert_eq!(b.verify_audit(), Ok(()));
        assert!(b.clock_behind(&stamp("2026-11-30T16:31:00Z")).is_none());
        // Nothing to correct once the clock is past the last change.
        assert!(
            b.correct_clock(&stamp("2026-11-30T16:32:00Z"), "again")
                .is_err()
        );
        // Any other entry dated before its predecessor still fails verify.
        let mut edited = b.clone();
        let mut e = (*edited.audit[1]).clone();
        e.at = DateTime::<FixedOffset>::parse_from_rfc3339("2026-10-01T00:00:00Z").unwrap();
        edited.audit[1] = crate::model::Shared::new(e);
        assert!(matches!(
            edited.verify_audit(),
            Err(AuditFault::EntryAltered { .. } | AuditFault::OutOfOrder { .. })
        ));
    }
}
