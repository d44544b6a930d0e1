//! The built-in fictional demo logbook and synthetic logbooks for scale tests.

mod generate;
mod history;

use chrono::{NaiveDate, NaiveDateTime};

pub use generate::generate;
pub use history::with_history;

use crate::model::{Invalid, Logbook};

/// The demo's records: fictional people and incidents, written out whole.
pub const DEMO_RON: &str = include_str!("../../data/demo.ron");

/// The demo clock: reviews are overdue or due soon against this moment.
pub fn demo_now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 16)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("the demo clock is a real date")
}

/// The demo logbook with its audit trail. The data is embedded and tested, so a failure
/// here is a build defect; it is still reported as an error, never a panic.
pub fn logbook() -> Result<Logbook, Invalid> {
    let records: Logbook = ron::from_str(DEMO_RON).map_err(|e| Invalid {
        field: "demo.ron".into(),
        message: format!("the built-in demo data does not parse: {e}"),
    })?;
    with_history(records, demo_now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Agency, IncidentType, Status};

    #[test]
    fn the_demo_logbook_replays_into_a_sound_audit_trail() {
        let book = logbook().unwrap_or_else(|e| panic!("{e}"));
        book.verify_audit().unwrap();
        book.validate(demo_now()).unwrap();
        assert!(book.incidents.len() >= 20);
        assert!(
            book.audit.len() > book.incidents.len() * 3,
            "a history, not one entry per record"
        );
    }

    #[test]
    fn zeroize_wipes_every_record_text() {
        let mut book = logbook().unwrap();
        zeroize::Zeroize::zeroize(&mut book);
        assert!(book.incidents.is_empty() && book.people.is_empty() && book.audit.is_empty());
        assert!(book.settings.organisation.is_empty() && book.settings.staff.is_empty());
    }

    #[test]
    fn the_demo_uses_every_type_and_agency_and_shows_every_state() {
        let book = logbook().unwrap();
        for kind in IncidentType::ALL {
            assert!(
                book.incidents.iter().any(|i| i.types.contains(kind)),
                "no {kind:?} incident"
            );
        }
        // Every named agency: an "other" one is named on each step, which the demo need not show.
        for agency in Agency::ALL.iter().filter(|a| **a != Agency::Other) {
            assert!(
                book.incidents
                    .iter()
                    .any(|i| i.reports.iter().any(|r| r.agency == *agency)),
                "no report to {agency:?}"
            );
        }
        let today = demo_now().date();
        assert!(
            book.incidents.iter().any(|i| i.is_overdue(today)),
            "an overdue review"
        );
        assert!(
            book.incidents.iter().any(|i| i.status == Status::Closed),
            "a closed case"
        );
        assert!(
            book.incidents
                .iter()
                .flat_map(|i| &i.reviews)
                .any(|r| r.held.is_some_and(|h| h.date() > r.due)),
            "a review held late"
        );
        let shared = book.people.iter().filter(|p| {
            book.incidents
                .iter()
                .filter(|i| i.people.iter().any(|x| x.person == p.id))
                .count()
                > 1
        });
        assert!(shared.count() >= 3, "people in several incidents");
        let first = book.incidents.iter().map(|i| i.occurred).min().unwrap();
        assert!(
            (demo_now() - first).num_days() >= 500,
            "spans about 18 months"
        );
    }
}
