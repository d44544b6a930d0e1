//! `logbook history`: every audit entry of the logbook, in order, in words: who changed
//! which record when, and the entries about the logbook itself that no record's history
//! holds (keys added and removed, changes of recorder, backups, restores, settings, the
//! concern folder, disposals). The words come from `present::trail`, as in the app's
//! History screen.
//!
//! The output is kept stable for scripts: one line per entry, its changes on the lines
//! under it, indented; every value escaped (`crate::text::line`), so a line break inside a
//! value never starts a line of its own.

use std::io::{IsTerminal, Write};

use clap::{Args, ValueEnum};

use super::args::Global;
use super::{open, stdout_error};
use crate::error::{Error, Result};
use crate::model::AuditEntry;
use crate::present::{self, trail};
use crate::text::line;
use crate::vault::Access;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only the entries about this record: an incident (INC-...), a person (P-...), a staff
    /// concern (C-...), or `logbook` for those about the logbook as a whole.
    #[arg(long, value_name = "ID")]
    pub record: Option<String>,
    /// Only entries of this kind (repeatable).
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Vec<KindArg>,
    /// Only entries made on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = super::args::parse_date)]
    pub since: Option<chrono::NaiveDate>,
    /// Only entries made on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = super::args::parse_date)]
    pub until: Option<chrono::NaiveDate>,
}

/// `--kind`: the kinds of `present::trail::Kind`, by the names it prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Incidents recorded and changed.
    Incident,
    /// People added to the register and changed.
    Person,
    /// Staff concerns taken in.
    Concern,
    /// Records that left the logbook (exports, certificates, figures).
    Export,
    /// Child protection files sent, acknowledged and received.
    Transfer,
    /// Records disposed of.
    Disposal,
    /// Who can open the logbook and its backups (keys, holders, recovery keys, passphrase).
    Keys,
    /// Changes of who is recording.
    Recorder,
    /// Backups made.
    Backup,
    /// Restores from a backup.
    Restore,
    /// The concern folder.
    ConcernFolder,
    /// Other settings, and the logbook's creation.
    Settings,
}

impl KindArg {
    fn kind(self) -> trail::Kind {
        match self {
            KindArg::Incident => trail::Kind::Incident,
            KindArg::Person => trail::Kind::Person,
            KindArg::Concern => trail::Kind::Concern,
            KindArg::Export => trail::Kind::Export,
            KindArg::Transfer => trail::Kind::Transfer,
            KindArg::Disposal => trail::Kind::Disposal,
            KindArg::Keys => trail::Kind::Keys,
            KindArg::Recorder => trail::Kind::Recorder,
            KindArg::Backup => trail::Kind::Backup,
            KindArg::Restore => trail::Kind::Restore,
            KindArg::ConcernFolder => trail::Kind::ConcernFolder,
            KindArg::Settings => trail::Kind::Settings,
        }
    }
}

pub fn history(global: &Global, args: HistoryArgs, out: &mut dyn Write) -> Result<()> {
    let (_, logbook, _) = open(global, Access::Read)?;
    // A trail that fails its check is still shown (it is what there is to look into), and
    // the command then fails with what `verify` says.
    let fault = logbook.verify_audit().err();
    let kinds: Vec<trail::Kind> = args.kind.iter().map(|k| k.kind()).collect();
    if let Some(wanted) = &args.record
        && !logbook.audit.iter().any(|e| trail::is_about(e, wanted))
    {
        return Err(Error::Usage(format!(
            "No audit entry is about {}: give an incident (INC-...), a person (P-...), a concern's receipt (C-...) or `logbook`; `logbook list` shows the incident numbers.",
            line(wanted.trim())
        )));
    }
    let shown: Vec<&AuditEntry> = logbook
        .audit
        .iter()
        .map(|e| &**e)
        .filter(|e| args.record.as_ref().is_none_or(|r| trail::is_about(e, r)))
        .filter(|e| kinds.is_empty() || kinds.contains(&trail::kind(e)))
        .filter(|e| args.since.is_none_or(|d| e.at.date_naive() >= d))
        .filter(|e| args.until.is_none_or(|d| e.at.date_naive() <= d))
        .collect();
    let terminal = std::io::stdout().is_terminal();
    if shown.is_empty() {
        let said = "No audit entry matches: `logbook history` without the filters shows them all.";
        if terminal {
            writeln!(out, "{said}").map_err(stdout_error)?;
        } else {
            eprintln!("{said}");
        }
    } else {
        let text = table(&logbook, &shown, terminal);
        out.write_all(text.as_bytes()).map_err(stdout_error)?;
    }
    match fault {
        Some(fault) => Err(fault.into()),
        None => Ok(()),
    }
}

/// The entries as text: aligned columns, each entry's changes under it.
pub fn table(book: &crate::model::Logbook, entries: &[&AuditEntry], header: bool) -> String {
    let heads: Vec<[String; 6]> = entries
        .iter()
        .map(|e| {
            [
                format!("#{}", e.seq),
                present::at(&e.at),
                trail::kind(e).name().to_string(),
                line(&trail::record(e)).into_owned(),
                line(&e.by).into_owned(),
                line(&trail::what(e)).into_owned(),
            ]
        })
        .collect();
    let headings = ["#", "When", "Kind", "Record", "By", "What"].map(str::to_string);
    let mut widths = [0usize; 6];
    for row in heads.iter().chain(header.then_some(&headings)) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(unicode_width::UnicodeWidthStr::width(cell.as_str()));
        }
    }
    let cells = |row: &[String; 6]| {
        let mut text = String::new();
        for (n, (cell, w)) in row.iter().zip(widths).enumerate() {
            if n > 0 {
                text.push_str("  ");
            }
            text.push_str(cell);
            let pad = w.saturating_sub(unicode_width::UnicodeWidthStr::width(cell.as_str()));
            text.extend(std::iter::repeat_n(' ', pad));
        }
        let mut text = text.trim_end().to_string();
        text.push('\n');
        text
    };
    let mut text = String::new();
    if header {
        text.push_str(&cells(&headings));
    }
    for (e, row) in entries.iter().zip(&heads) {
        text.push_str(&cells(row));
        for change in trail::changes(book, e) {
            text.push_str("        ");
            text.push_str(&line(&change));
            text.push('\n');
        }
    }
    text
}
