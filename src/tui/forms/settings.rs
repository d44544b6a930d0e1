//! The settings form: the organisation, the staff who record, and the intervals
//! (`update_settings`). Who can open the logbook is shown above it by the app.

use super::super::form::*;
use super::fields::*;
use crate::model::*;

fn whole_number(key: &'static str, label: &'static str, value: u32) -> Field {
    Field::new(key, label, FieldKind::Number)
        .required()
        .with_text(&value.to_string())
}

pub fn settings(book: &Logbook) -> Form {
    let s = &book.settings;
    Form::new(
        FormKind::Settings,
        "Settings",
        vec![
            Field::new("organisation", "Organisation", FieldKind::Text)
                .required()
                .with_text(&s.organisation),
            Field::new(
                "staff",
                "Staff who record (comma-separated)",
                FieldKind::Text,
            )
            .with_text(&s.staff.join(", ")),
            whole_number(
                "review_interval_days",
                "Review interval (days)",
                s.review_interval_days,
            ),
            whole_number(
                "idle_lock_minutes",
                "Lock after idle (minutes)",
                s.idle_lock_minutes,
            ),
            whole_number(
                "backup_interval_days",
                "Back up every (days)",
                s.backup_interval_days,
            ),
            whole_number("backup_keep", "Backups to keep", s.backup_keep),
        ],
    )
}

pub fn submit(form: &Form, book: &mut Logbook, stamp: &Stamp) -> Result<String, Invalid> {
    let staff: Vec<String> = form
        .value("staff")
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let (review, idle, backup, keep) = (
        number(form, "review_interval_days")?,
        number(form, "idle_lock_minutes")?,
        number(form, "backup_interval_days")?,
        number(form, "backup_keep")?,
    );
    let organisation = form.value("organisation");
    book.update_settings(stamp, |s| {
        s.organisation = organisation;
        s.staff = staff;
        s.review_interval_days = review;
        s.idle_lock_minutes = idle;
        s.backup_interval_days = backup;
        s.backup_keep = keep;
    })?;
    Ok("Settings saved.".into())
}
