//! How dates and times are written, once, for every output: the model's own refusals and
//! audit actions, `logbook show`, the app's screens and the exports (`present` re-exports
//! these). A court-facing printout and the screen can then never disagree on a date.
//!
//! What a person types for a date or a time (a form in the app, a `--since` on the command
//! line) is read here too (`parse_datetime`, `parse_date`), so both take the same forms.
//! Reading is pure: "now" and "today" come in as parameters.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};

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

/// How a piece of what was typed reads: a value, something with the shape of one whose
/// day or time does not exist (`31/02/2026`, `25:00`), or not one at all (`soon`).
enum Read<T> {
    Is(T),
    Impossible,
    Not,
}

/// The digits of a part, if it is only digits and has `min..=max` of them.
fn digits(part: &str, min: usize, max: usize) -> Option<u32> {
    (part.len() >= min && part.len() <= max && part.bytes().all(|b| b.is_ascii_digit()))
        .then(|| part.parse().ok())
        .flatten()
}

/// A day written `2026-11-30` (year first), or `30/11/2026`, `30/11/26`, `30.11.2026` or
/// `30-11-2026` (day first, as the UK writes it: `11/12/2026` is always 11 December, never
/// guessed the American way). A two-digit year is 20YY: the form shows the full date back.
fn day(part: &str) -> Read<NaiveDate> {
    for sep in ['-', '/', '.'] {
        let p: Vec<&str> = part.split(sep).collect();
        if p.len() != 3 {
            continue;
        }
        let ymd = match (digits(p[0], 4, 4), digits(p[1], 1, 2), digits(p[2], 1, 2)) {
            (Some(y), Some(m), Some(d)) if sep == '-' => Some((y as i32, m, d)),
            _ => match (digits(p[0], 1, 2), digits(p[1], 1, 2), digits(p[2], 2, 4)) {
                (Some(d), Some(m), Some(y)) if p[2].len() == 4 => Some((y as i32, m, d)),
                (Some(d), Some(m), Some(y)) if p[2].len() == 2 => Some((2000 + y as i32, m, d)),
                _ => None,
            },
        };
        if let Some((y, m, d)) = ymd {
            return NaiveDate::from_ymd_opt(y, m, d).map_or(Read::Impossible, Read::Is);
        }
    }
    Read::Not
}

/// A time of day: `14:30`, `9:05`, `14.30`, or on the 12-hour clock `2.30pm`, `2:30 pm`,
/// `2pm` (`12pm` is noon, `12am` midnight). Minutes are always two digits.
fn time(part: &str) -> Read<NaiveTime> {
    let (clock, half) = match part
        .strip_suffix("am")
        .or_else(|| part.strip_suffix("a.m."))
    {
        Some(c) => (c.trim_end(), Some(0)),
        None => match part
            .strip_suffix("pm")
            .or_else(|| part.strip_suffix("p.m."))
        {
            Some(c) => (c.trim_end(), Some(12)),
            None => (part, None),
        },
    };
    let (h, m) = match clock.split_once([':', '.']) {
        Some((h, m)) => (digits(h, 1, 2), digits(m, 2, 2)),
        // An hour alone only on the 12-hour clock: `2pm`, never a bare `14`.
        None if half.is_some() => (digits(clock, 1, 2), Some(0)),
        None => (None, None),
    };
    let (Some(h), Some(m)) = (h, m) else {
        return Read::Not;
    };
    let h = match half {
        None => Some(h),
        Some(add) if (1..=12).contains(&h) => Some(h % 12 + add),
        Some(_) => None,
    };
    h.and_then(|h| NaiveTime::from_hms_opt(h, m, 0))
        .map_or(Read::Impossible, Read::Is)
}

/// The forms a date and time may be typed in, for a refusal.
const DATETIME_FORMS: &str =
    "type e.g. 30/11/2026 14:30 (day first), 2026-11-30 14:30, yesterday 19:30, or just 14:30";

/// A date and time as typed: a day and a time (`30/11/2026 14:30`, `2026-11-30 2.30pm`, see
/// `day` and `time`), a day alone (midnight), `now`, a time today (`today 14:30`, or `14:30`
/// alone) or yesterday (`yesterday 19:30`). `now` is the clock's time. A refusal is one
/// sentence saying which forms are taken.
pub fn parse_datetime(text: &str, now: NaiveDateTime) -> Result<NaiveDateTime, String> {
    let shown = crate::text::line(text.trim()).into_owned();
    let lower = text.trim().to_lowercase();
    let minute = |t: NaiveDateTime| t.with_second(0).and_then(|t| t.with_nanosecond(0));
    if matches!(lower.as_str(), "now" | "n" | "today") {
        return minute(now).ok_or_else(|| format!("{shown} cannot be read: type a date and time"));
    }
    let mut words: Vec<String> = lower.split_whitespace().map(str::to_string).collect();
    // `2.30 pm`: the half of the day belongs to the time before it.
    if words.len() > 1 && ["am", "pm", "a.m.", "p.m."].contains(&words[words.len() - 1].as_str()) {
        let half = words.pop().unwrap_or_default();
        if let Some(last) = words.last_mut() {
            last.push_str(&half);
        }
    }
    // What a DSL writes of last night's messages, as a parent reported them this morning.
    if lower.starts_with("yesterday") {
        return match (words.as_slice(), now.date().pred_opt()) {
            ([y, at], Some(d)) if y == "yesterday" => match time(at) {
                Read::Is(t) => Ok(d.and_time(t)),
                _ => Err(format!(
                    "{shown} needs a time of day: type yesterday 19:30, or a date and time (30/11/2026 19:30)"
                )),
            },
            _ => Err(format!(
                "{shown} needs a time of day: type yesterday 19:30, or a date and time (30/11/2026 19:30)"
            )),
        };
    }
    let exists = format!(
        "{shown} is not a date and time that exists: check the day and the time (day first: 30/11/2026 14:30)"
    );
    let no_time = format!(
        "{shown} is not a time of day: type a time from 00:00 to 23:59 (or 2.30pm), or a date and time (30/11/2026 14:30)"
    );
    match words.as_slice() {
        [one] => match (time(one), day(one)) {
            (Read::Is(t), _) => Ok(now.date().and_time(t)),
            (_, Read::Is(d)) => Ok(d.and_time(NaiveTime::MIN)),
            (Read::Impossible, _) => Err(no_time),
            (_, Read::Impossible) => Err(exists),
            _ => Err(format!("{shown} is not a date and time: {DATETIME_FORMS}")),
        },
        [d, t] => {
            let d = if d == "today" {
                Read::Is(now.date())
            } else {
                day(d)
            };
            match (d, time(t)) {
                (Read::Is(d), Read::Is(t)) => Ok(d.and_time(t)),
                (Read::Impossible, _) => Err(exists),
                (Read::Is(_), Read::Impossible) => Err(no_time),
                (Read::Is(_), Read::Not) => Err(format!(
                    "{shown} is not a date and time: the time is not one; {DATETIME_FORMS}"
                )),
                _ => Err(format!("{shown} is not a date and time: {DATETIME_FORMS}")),
            }
        }
        _ => Err(format!("{shown} is not a date and time: {DATETIME_FORMS}")),
    }
}

/// A day as typed: `2026-11-30`, `30/11/2026` or `30/11/26` (day first, see `day`),
/// `today` (or `t`), `yesterday`, `tomorrow`, or `+N` days from `today`.
pub fn parse_date(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let t = text.trim();
    let shown = crate::text::line(t).into_owned();
    let far = || format!("{shown} is too far away: type a date, e.g. 30/11/2026");
    match t.to_lowercase().as_str() {
        "today" | "t" => return Ok(today),
        "yesterday" => return today.pred_opt().ok_or_else(far),
        "tomorrow" => return today.succ_opt().ok_or_else(far),
        _ => {}
    }
    if let Some(n) = t.strip_prefix('+').and_then(|d| d.parse::<i64>().ok()) {
        // Checked: `+99999999999` is "too far", not a crash.
        return TimeDelta::try_days(n)
            .and_then(|d| today.checked_add_signed(d))
            .ok_or_else(far);
    }
    match day(t) {
        Read::Is(d) => Ok(d),
        Read::Impossible => Err(format!(
            "{shown} is not a date that exists: check the day (day first: 30/11/2026)"
        )),
        Read::Not => Err(format!(
            "{shown} is not a date: type e.g. 30/11/2026 (day first), 2026-11-30, today, or +7 for a week from today"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 16)
            .unwrap()
            .and_hms_opt(9, 30, 12)
            .unwrap()
    }

    fn read_as(typed: &str) -> String {
        parse_datetime(typed, now()).map_or_else(|e| e, when)
    }

    #[test]
    fn dates_accept_shortcuts_and_refuse_impossible_days() {
        assert_eq!(
            parse_datetime("now", now()).unwrap().to_string(),
            "2026-11-16 09:30:00"
        );
        assert_eq!(
            parse_datetime("today 14:05", now()).unwrap().to_string(),
            "2026-11-16 14:05:00"
        );
        assert_eq!(
            parse_datetime("2026-03-04 10:15", now())
                .unwrap()
                .to_string(),
            "2026-03-04 10:15:00"
        );
        assert!(
            parse_datetime("2026-02-30 10:00", now())
                .unwrap_err()
                .contains("not a date and time that exists")
        );
        assert_eq!(
            parse_date("+14", now().date()).unwrap().to_string(),
            "2026-11-30"
        );
        assert!(parse_date("2026-13-01", now().date()).is_err());
    }

    /// A parent's report in the morning of last night's messages: `yesterday 19:30` was
    /// refused as "not a date and time", so the DSL had to work out yesterday's date.
    #[test]
    fn yesterday_at_a_time_is_the_day_before() {
        for typed in ["yesterday 19:30", "Yesterday 7:05", " YESTERDAY 23:59 "] {
            let t = parse_datetime(typed, now()).unwrap();
            assert_eq!(t.date().to_string(), "2026-11-15", "{typed}");
        }
        for typed in [
            "yesterday",
            "yesterday 25:00",
            "yesterday19:30",
            "yesterday evening",
        ] {
            let e = parse_datetime(typed, now()).unwrap_err();
            assert!(
                e.contains("needs a time of day: type yesterday 19:30"),
                "{typed}: {e}"
            );
        }
    }

    /// Tester finding 7: `10:05` was refused as "not a date and time that exists", a
    /// sentence that neither fits text that is no date nor names the short forms.
    #[test]
    fn a_time_alone_is_today_and_a_refusal_names_the_forms_taken() {
        for typed in ["10:05", "today 10:05", " 10:05 ", "TODAY 10:05"] {
            assert_eq!(
                parse_datetime(typed, now()).unwrap().to_string(),
                "2026-11-16 10:05:00",
                "{typed}"
            );
        }
        assert_eq!(
            parse_datetime("9:05", now()).unwrap().to_string(),
            "2026-11-16 09:05:00"
        );
        for typed in ["tab", "last tuesday", "10-05"] {
            let e = parse_datetime(typed, now()).unwrap_err();
            assert_eq!(
                e,
                format!(
                    "{typed} is not a date and time: type e.g. 30/11/2026 14:30 (day first), 2026-11-30 14:30, yesterday 19:30, or just 14:30"
                )
            );
        }
        assert!(
            parse_datetime("25:00", now())
                .unwrap_err()
                .starts_with("25:00 is not a time of day: type a time from 00:00 to 23:59")
        );
        assert!(
            parse_datetime("2026-02-31 19:40", now())
                .unwrap_err()
                .starts_with("2026-02-31 19:40 is not a date and time that exists: check")
        );
        assert!(parse_date("soon", now().date()).unwrap_err().starts_with(
            "soon is not a date: type e.g. 30/11/2026 (day first), 2026-11-30, today, or +7"
        ));
        assert!(
            parse_date("2026-02-30", now().date())
                .unwrap_err()
                .starts_with("2026-02-30 is not a date that exists")
        );
    }

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

    /// Tester4 #13: the UK order a DSL writes every day (`30/11/2026 14:30`), `14.30`,
    /// `2.30pm` were refused. Day first always: `11/12/2026` is 11 December, never guessed.
    #[test]
    fn the_uk_order_and_twelve_hour_times_are_read_day_first() {
        for (typed, read) in [
            ("30/11/2026 14:30", "2026-11-30 14:30"),
            ("11/12/2026 14:30", "2026-12-11 14:30"),
            ("3/4/2026 9:05", "2026-04-03 09:05"),
            ("30/11/26 14:30", "2026-11-30 14:30"),
            ("30.11.2026 14.30", "2026-11-30 14:30"),
            ("30-11-2026 14:30", "2026-11-30 14:30"),
            ("2026-11-3 9:05", "2026-11-03 09:05"),
            ("30/11/2026 2.30pm", "2026-11-30 14:30"),
            ("30/11/2026 2:30 PM", "2026-11-30 14:30"),
            ("14.30", "2026-11-16 14:30"),
            ("2.30pm", "2026-11-16 14:30"),
            ("2pm", "2026-11-16 14:00"),
            ("12pm", "2026-11-16 12:00"),
            ("12.15am", "2026-11-16 00:15"),
            ("9am", "2026-11-16 09:00"),
            ("today 9:05", "2026-11-16 09:05"),
            ("yesterday 15:00", "2026-11-15 15:00"),
            ("yesterday 3pm", "2026-11-15 15:00"),
            ("Yesterday 2.30 pm", "2026-11-15 14:30"),
            ("30/11/2026", "2026-11-30 00:00"),
        ] {
            assert_eq!(read_as(typed), read, "{typed}");
        }
        for (typed, read) in [
            ("30/11/2026", "2026-11-30"),
            ("11/12/2026", "2026-12-11"),
            ("1/2/27", "2027-02-01"),
            ("2026-12-01", "2026-12-01"),
            ("yesterday", "2026-11-15"),
            ("tomorrow", "2026-11-17"),
            ("+7", "2026-11-23"),
        ] {
            assert_eq!(
                parse_date(typed, now().date()).unwrap().to_string(),
                read,
                "{typed}"
            );
        }
    }

    /// An impossible date or time in any form keeps one sentence saying what to check;
    /// the American order is not guessed at (`12/31/2026` has no month 31).
    #[test]
    fn impossible_dates_and_times_in_any_form_get_one_clear_sentence() {
        for typed in [
            "31/02/2026 10:00",
            "12/31/2026 10:00",
            "29/02/27 10:00",
            "00/11/2026 9:00",
        ] {
            assert!(
                read_as(typed).starts_with(&format!(
                    "{typed} is not a date and time that exists: check the day and the time (day first"
                )),
                "{typed}: {}",
                read_as(typed)
            );
        }
        for typed in ["13.30pm", "0am", "24:00", "30/11/2026 9.75", "14.61"] {
            assert!(
                read_as(typed).contains(" is not a time of day: type a time from 00:00 to 23:59"),
                "{typed}: {}",
                read_as(typed)
            );
        }
        for typed in [
            "14",
            "2.3pm",
            "30/11/2026 soon",
            "half past two",
            "30/11/2026 14:30 x",
        ] {
            assert!(
                read_as(typed).contains(" is not a date and time"),
                "{typed}: {}",
                read_as(typed)
            );
        }
        assert_eq!(
            parse_date("31/11/2026", now().date()).unwrap_err(),
            "31/11/2026 is not a date that exists: check the day (day first: 30/11/2026)"
        );
        assert_eq!(
            parse_date("+99999999999", now().date()).unwrap_err(),
            "+99999999999 is too far away: type a date, e.g. 30/11/2026"
        );
    }
}
