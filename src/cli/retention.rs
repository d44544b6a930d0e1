//! `logbook retention`, `logbook dispose` and `logbook certificate`: records kept for their
//! retention period, then disposed of with a tombstone the audit trail proves, and a
//! certificate of disposal that leaves the logbook like any export.

use std::io::{IsTerminal, Write};

use super::args::{CertificateArgs, DisposeArgs, ExportFormat, Global, RetentionArgs};
use super::report::{Destination, deliver, destination, place};
use super::{now, open, operator, stdout_error};
use crate::error::{Error, Result};
use crate::model::{Incident, Kept, Stamp, Subject, Until};
use crate::present;
use crate::report::{self, Format};
use crate::text::line;
use crate::vault::Access;

/// One line of the retention list: number, status or closure, date, rule.
fn schedule_line(inc: &Incident, kept: &Kept) -> String {
    let id = &inc.id;
    let closed = match (&inc.closure, &inc.error) {
        (Some(c), _) => format!("closed {}", present::date(c.when.date())),
        (None, Some(e)) => format!("entered in error {}", present::date(e.when.date())),
        (None, None) => "not closed".to_string(),
    };
    let until = match &kept.until {
        Until::Date(d) => format!("kept until {}", present::date(*d)),
        Until::WhenClosed => "kept from closure".to_string(),
        Until::Unknown(why) => return format!("{id}  {closed}  date unknown: {}\n", line(why)),
    };
    format!("{id}  {closed}  {until}  ({})\n", line(&kept.rule))
}

pub fn retention(global: &Global, args: RetentionArgs, out: &mut dyn Write) -> Result<()> {
    if let (Some(id), Some(until), Some(reason)) = (&args.set, args.until, &args.reason) {
        let id = id.trim().to_ascii_uppercase();
        let (mut vault, mut logbook, key) = open(global, Access::Write)?;
        if logbook.incident(&id).is_none() {
            if let Some(t) = logbook.tombstones.iter().find(|t| t.id == id) {
                return Err(Error::Usage(super::print::disposed(t)));
            }
            return Err(unknown_incident(&id));
        }
        let by = operator(global, Some(&key), &logbook.settings)?;
        logbook
            .set_retention(&Stamp::new(by, now()), &id, until, reason)
            .map_err(|e| {
                super::words::reword(
                    e.into(),
                    super::words::Given::Options(&[("reason", "--reason"), ("until", "--until")]),
                )
            })?;
        vault.save(&logbook)?;
        return writeln!(
            out,
            "{id} is now kept until {}; the change is recorded in the audit trail.",
            present::date(until)
        )
        .map_err(stdout_error);
    }
    let (vault, logbook, _) = open(global, Access::Read)?;
    let today = now().date_naive();
    let mut text = String::new();
    let schedule = logbook.retention_schedule();
    if args.all {
        for (i, k) in &schedule {
            text.push_str(&schedule_line(i, k));
        }
        if schedule.is_empty() {
            text.push_str("The logbook holds no incidents.\n");
        }
        return out.write_all(text.as_bytes()).map_err(stdout_error);
    }
    let due: Vec<_> = schedule
        .iter()
        .filter(|(i, k)| k.is_due(i, today))
        .collect();
    let unknown: Vec<_> = schedule
        .iter()
        .filter(|(_, k)| matches!(k.until, Until::Unknown(_)))
        .collect();
    if due.is_empty() {
        text.push_str("No record is past its retention date.\n");
    } else {
        text.push_str(&format!(
            "Past their retention date ({}), to dispose of with `logbook dispose ID --yes`:\n",
            due.len()
        ));
        for (i, k) in &due {
            text.push_str(&schedule_line(i, k));
        }
    }
    // What disposing of them would not reach, and copies still holding records disposed
    // of before (tester4 #24, #25).
    let due_ids: Vec<String> = due.iter().map(|(i, _)| i.id.clone()).collect();
    let mut records = due_ids.clone();
    records.extend(logbook.people_going_with(&due_ids));
    records.extend(logbook.tombstones.iter().map(|t| t.id.clone()));
    for note in [
        crate::backup::kept::exports_note(&logbook.plaintext_exports(&due_ids)),
        crate::backup::kept::copies_note(
            vault.path(),
            &logbook,
            &records,
            "records past their date or already disposed of",
        ),
    ]
    .into_iter()
    .flatten()
    {
        text.push('\n');
        text.push_str(&note);
    }
    if !unknown.is_empty() {
        text.push_str(&format!(
            "\nRetention date unknown ({}): add a year of birth or year group, or set a date with --set:\n",
            unknown.len()
        ));
        for (i, k) in &unknown {
            text.push_str(&schedule_line(i, k));
        }
    }
    out.write_all(text.as_bytes()).map_err(stdout_error)
}

fn unknown_incident(id: &str) -> Error {
    Error::Usage(format!(
        "There is no incident {} in this logbook: `logbook retention --all` lists them.",
        line(id)
    ))
}

pub fn dispose(global: &Global, args: DisposeArgs, out: &mut dyn Write) -> Result<()> {
    let mut ids: Vec<String> = args
        .ids
        .iter()
        .map(|i| i.trim().to_ascii_uppercase())
        .collect();
    ids.dedup();
    let (mut vault, logbook, key) = open(global, Access::Write)?;
    let today = now().date_naive();
    // Every id is checked on a copy first: one refusal disposes of nothing.
    let by = operator(global, Some(&key), &logbook.settings)?;
    let stage = |stamp: &Stamp| -> Result<crate::model::Logbook> {
        let mut staged = logbook.clone();
        for id in &ids {
            if staged.incident(id).is_none() {
                if staged.tombstones.iter().any(|t| &t.id == id) {
                    return Err(Error::Usage(format!(
                        "{} was already disposed of: nothing was disposed of.",
                        line(id)
                    )));
                }
                return Err(unknown_incident(id));
            }
            staged
                .dispose_due(stamp, id, today, &args.reason)
                .map_err(|e| {
                    Error::Usage(format!("{}: nothing was disposed of.", line(&e.message)))
                })?;
        }
        Ok(staged)
    };
    let mut staged = stage(&Stamp::new(by.clone(), now()))?;
    // What the disposal does not reach, said before the trail forgets the exports
    // (tester4 #24, #25): restore copies beside the logbook, unencrypted export files.
    let outside = crate::backup::kept::disposal_note(vault.path(), &logbook, &ids);
    // Each record with its rule, and the people who go with it (tester3 #6).
    let listing = |staged: &crate::model::Logbook, done: bool| {
        let mut listing = String::new();
        for id in &ids {
            if let Some(t) = staged.tombstones.iter().find(|t| &t.id == id) {
                listing.push_str(&format!("  {}  under: {}\n", t.id, line(&t.rule)));
                for person in staged.people_disposed_with(id) {
                    listing.push_str(&format!(
                        "    {person} is linked to no other incident and {} with it\n",
                        if done {
                            "was disposed of"
                        } else {
                            "will be disposed of"
                        }
                    ));
                }
            }
        }
        listing
    };
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(Error::Usage(
                "There is no terminal to confirm the disposal, so nothing was disposed of: run it again with --yes.".into(),
            ));
        }
        writeln!(
            out,
            "These records will be removed for good, with what the audit trail holds of their content (a tombstone with the number, date, your name and the rule stays):\n{}{outside}",
            listing(&staged, false)
        )
        .map_err(stdout_error)?;
        out.flush().map_err(stdout_error)?;
        let answer = super::backup::ask_line("Type yes to dispose of them: ")?;
        if !answer.eq_ignore_ascii_case("yes") {
            return writeln!(out, "Nothing was disposed of.").map_err(stdout_error);
        }
        // Recorded at the moment it was confirmed, not when the question was asked.
        staged = stage(&Stamp::new(by, now()))?;
    }
    vault.save(&staged)?;
    write!(
        out,
        "Disposed of {}; each leaves a tombstone recorded in the audit trail:\n{}\
Kept of each: its number, the date, who disposed of it, the retention rule and the reason. \
Removed: the record, and the content of every earlier audit entry about it (values changed, reasons, \
to whom it was exported); only those entries' dates, authors and links in the chain stay.\n\
A certificate of disposal: `logbook certificate {} --format html --for WHO --recipient AGE1... --out FILE`. \
Backups made before now still hold these records until they are rotated away.\n{outside}",
        super::print::count(ids.len() as u64, "record", "records"),
        listing(&staged, true),
        ids.join(" ")
    )
    .map_err(stdout_error)
}

pub fn certificate(global: &Global, args: CertificateArgs, out: &mut dyn Write) -> Result<()> {
    let for_whom = args.for_whom.trim().to_string();
    if for_whom.is_empty() {
        return Err(Error::Usage(
            "Say who the certificate is for with --for, e.g. --for \"Chair of governors\".".into(),
        ));
    }
    let dest = destination(&args.delivery)?;
    let format = match args.format {
        ExportFormat::Md => Format::Md,
        ExportFormat::Html => Format::Html,
        ExportFormat::Txt => Format::Txt,
    };
    let (mut vault, mut logbook, key) = open(global, Access::Write)?;
    let ids: Vec<String> = if args.all {
        logbook.tombstones.iter().map(|t| t.id.clone()).collect()
    } else {
        args.ids
            .iter()
            .map(|i| i.trim().to_ascii_uppercase())
            .collect()
    };
    if ids.is_empty() {
        return Err(Error::Usage(
            "Nothing has been disposed of in this logbook, so there is nothing to certify.".into(),
        ));
    }
    for id in &ids {
        if !logbook.tombstones.iter().any(|t| &t.id == id) {
            return Err(Error::Usage(format!(
                "{} has not been disposed of: a certificate lists disposed records only (`logbook dispose` first).",
                line(id)
            )));
        }
    }
    let by = operator(global, Some(&key), &logbook.settings)?;
    let at = now();
    let copies = crate::backup::kept::copies_holding(vault.path(), &logbook, &ids);
    let doc = report::certificate(&logbook, &ids, &by, at.naive_local(), &copies);
    let text = zeroize::Zeroizing::new(format.render(&doc));
    let action = format!(
        "certificate of disposal of {} as {} for {for_whom}: {}",
        ids.join(", "),
        format.name(),
        place(&dest)
    );
    // About the logbook as a whole: a disposed record's own trail ends at its disposal.
    deliver(
        &mut vault,
        &mut logbook,
        &Stamp::new(by, at),
        Subject::Settings,
        &action,
        &dest,
        &text,
        out,
    )?;
    if let Destination::Plaintext(file) | Destination::Encrypted(file, _) = &dest {
        writeln!(
            out,
            "Wrote the certificate of disposal ({}) to {}; it is recorded in the audit trail.",
            format.name(),
            file.display()
        )
        .map_err(stdout_error)?;
    }
    Ok(())
}
