//! How dates and times are written, once, for every output: the model's own refusals and
//! audit actions, `logbook show`, the app's screens and the exports (`present` re-exports
//! these). A court-facing printout and the screen can then never disagree on a date.
//!
//! These are for writing. What a person may type into a form is parsed in `tui::form`.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};

/// A day: 2026-10-02.
pub const DAY: &str = "%Y-%m-%d";
/// A moment to the minute, as a DSL records it: 2026-10-02 14:00.
pub const MINUTE: &str = "%Y-%m-%d %H:%M";
/// A moment to the second with its UTC offset, where the clock itself is in question (the
/// audit trail's own stamp).
pub const EXACT: &str = "%Y-%m-%d %H:%M:%S %:z";
/// A time of day: 14:00.
pub const CLOCK: &str = "%H:%M";

pub fn date(d: NaiveDate) -> String {
    d.format(DAY).to_string()
}

pub fn when(t: NaiveDateTime) -> String {
    t.format(MINUTE).to_string()
}

/// A stored moment with its UTC offset (an audit entry, a concern), as its wall-clock
/// time to the minute.
pub fn at(t: &DateTime<FixedOffset>) -> String {
    t.format(MINUTE).to_string()
}

/// A stored moment with its UTC offset, to the second and with the offset.
pub fn exact(t: &DateTime<FixedOffset>) -> String {
    t.format(EXACT).to_string()
}

/// The time of day only.
pub fn clock(t: NaiveDateTime) -> String {
    t.format(CLOCK).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form_of_a_date_is_written_as_the_records_show_it() {
        let t = NaiveDate::from_ymd_opt(2026, 3, 4)
            .unwrap()
            .and_hms_opt(9, 5, 7)
            .unwrap();
        let z = t
            .and_local_timezone(FixedOffset::east_opt(3600).unwrap())
            .unwrap();
        assert_eq!(date(t.date()), "2026-03-04");
        assert_eq!(when(t), "2026-03-04 09:05");
        assert_eq!(at(&z), "2026-03-04 09:05");
        assert_eq!(exact(&z), "2026-03-04 09:05:07 +01:00");
        assert_eq!(clock(t), "09:05");
        // A day written here reads back with the same format (the forms parse DAY/MINUTE).
        assert_eq!(
            NaiveDate::parse_from_str(&date(t.date()), DAY).unwrap(),
            t.date()
        );
        assert_eq!(
            NaiveDateTime::parse_from_str(&when(t), MINUTE).unwrap(),
            chrono::Timelike::with_second(&t, 0).unwrap()
        );
    }
}
