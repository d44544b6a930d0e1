//! The settings form: the organisation, the staff who record, and the intervals
//! (`update_settings`). Who can open the logbook is shown above it by the app.

use super::super::form::*;
use super::Refused;
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
            // One name a line: a name written the school way, "Llewelyn, Nia (deputy
            // DSL)", holds a comma (tester4 #13: it became two staff).
            Field::new(
                "staff",
                "Staff who record (one per line)",
                FieldKind::Multiline,
            )
            .with_text(&s.staff.join("\n")),
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
            )
            .named("The backup interval"),
            whole_number("backup_keep", "Backups to keep", s.backup_keep),
        ],
    )
}

/// Saves the settings, or refuses every wrong field at once: the numbers that cannot be
/// read, and the model's checks (`Settings::refusals`) of the rest, a number that cannot
/// be read keeping its saved value for them.
pub fn submit(form: &Form, book: &mut Logbook, stamp: &Stamp) -> Result<String, Refused> {
    let staff = staff_list(&multiline(form, "staff"), &book.settings.staff);
    let mut refused = Vec::new();
    let mut read = |key: &str, saved: u32| {
        number(form, key).unwrap_or_else(|e| {
            refused.push(e);
            saved
        })
    };
    let s = &book.settings;
    let mut after = s.clone();
    after.organisation = super::person::typed_name(form, "organisation");
    after.staff = staff;
    after.review_interval_days = read("review_interval_days", s.review_interval_days);
    after.idle_lock_minutes = read("idle_lock_minutes", s.idle_lock_minutes);
    after.backup_interval_days = read("backup_interval_days", s.backup_interval_days);
    after.backup_keep = read("backup_keep", s.backup_keep);
    refused.extend(after.refusals());
    if !refused.is_empty() {
        return Err(Refused(refused));
    }
    let (was, keep) = (s.backup_keep, after.backup_keep);
    book.update_settings(stamp, |s| *s = after)?;
    Ok(format!("Settings saved.{}", fewer_backups(book, was, keep)))
}

/// The staff list as typed: one name a line (a name may hold a comma: "Llewelyn, Nia").
/// A name typed twice is one member of staff ("R. Okafor" twice was offered twice in every
/// "who" list), and so is one typed again in another case, accent or Unicode form
/// ("sian ap rhys" below "Siân ap Rhys"): the first is kept. A name new to the list is
/// kept in one Unicode form (tester4 #10); one already `saved` keeps its stored bytes.
fn staff_list(typed: &str, saved: &[String]) -> Vec<String> {
    let mut staff: Vec<String> = Vec::new();
    for name in typed.lines().map(str::trim).filter(|n| !n.is_empty()) {
        if staff.iter().any(|s| crate::text::same_name(s, name)) {
            continue;
        }
        let composed = crate::text::nfc(name);
        let name = saved
            .iter()
            .find(|s| crate::text::nfc(s) == composed)
            .cloned()
            .unwrap_or_else(|| composed.into_owned());
        staff.push(name);
    }
    staff
}

/// What keeping fewer backups does at the next backup, said when it is saved rather than
/// discovered as "Removed 12 older backup(s)" (tester3 #32): the backup written then is one
/// of the `keep`, and the older backups of this logbook on that medium beyond them go. The
/// medium is not known here, so the count is of the backups the trail records, as many as
/// were kept until now: those a medium used for every backup holds.
fn fewer_backups(book: &Logbook, was: u32, keep: u32) -> String {
    if keep >= was {
        return String::new();
    }
    let recorded = book.backups_recorded();
    let on_medium = &recorded[recorded.len().saturating_sub(was as usize)..];
    let removed = &on_medium[..on_medium.len().saturating_sub(keep as usize - 1)];
    match removed {
        [] => String::new(),
        [one] => format!(
            " Backups to keep lowered from {was} to {keep}: the next backup removes the older backup {} from its medium.",
            crate::text::line(one)
        ),
        [first, .., last] => format!(
            " Backups to keep lowered from {was} to {keep}: the next backup removes {} older backups from its medium ({} to {}, if all went there); copy any to keep first.",
            removed.len(),
            crate::text::line(first),
            crate::text::line(last)
        ),
    }
}
