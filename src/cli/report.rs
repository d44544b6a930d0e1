//! `logbook export` and `logbook stats`: where a document that leaves the logbook may go.
//!
//! Exports never leak by accident. An export is encrypted to the given age keys
//! (`--recipient`), or written unencrypted only with `--plaintext`; without either it may
//! only be shown on a terminal, never sent into a file, a redirect or a pipe. Every export
//! is an audit entry, saved before the command reports success; a file whose entry cannot
//! be saved is removed again.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::args::{Delivery, ExportArgs, ExportFormat, Global, StatsArgs, StatsFormat};
use super::{now, open, operator, secret, stdout_error};
use crate::error::{Error, Result};
use crate::model::{Logbook, Stamp, Subject, is_person_id};
use crate::report::{self, Export, Format};
use crate::vault::{self, Access};

/// Where the document goes, decided before the logbook is opened.
pub(super) enum Destination {
    Terminal,
    /// Standard output that is not a terminal (a pipe or a redirect), with --plaintext.
    Stdout,
    Plaintext(PathBuf),
    Encrypted(PathBuf, Vec<String>),
}

pub(super) fn destination(args: &Delivery) -> Result<Destination> {
    let encrypt = !args.recipient.is_empty() || args.recipients_file.is_some();
    let keys = if encrypt {
        secret::recipients(&args.recipient, args.recipients_file.as_ref())?.0
    } else {
        Vec::new()
    };
    let dest = match (&args.out, encrypt, args.plaintext) {
        (Some(file), true, _) => Destination::Encrypted(file.clone(), keys),
        (None, true, _) => {
            return Err(Error::Usage(
                "An encrypted export needs --out FILE: add it, e.g. --out chronology.age.".into(),
            ));
        }
        (Some(file), false, true) => Destination::Plaintext(file.clone()),
        (Some(_), false, false) => {
            return Err(Error::Usage(
                "An export to a file is unencrypted unless you give --recipient AGE1... (or --recipients-file): add one, or --plaintext if an unencrypted copy is really meant; nothing was written.".into(),
            ));
        }
        (None, false, true) => Destination::Stdout,
        (None, false, false) if std::io::stdout().is_terminal() => Destination::Terminal,
        (None, false, false) => {
            return Err(Error::Usage(
                "Standard output is not a terminal, so this export would land unencrypted in a file or another program: add --plaintext to allow that, or --recipient AGE1... --out FILE to encrypt it; nothing was written.".into(),
            ));
        }
    };
    if let Destination::Plaintext(file) | Destination::Encrypted(file, _) = &dest
        && file.exists()
    {
        // Not `Error::Exists`, whose advice ("or open it") is for a logbook or key.
        return Err(Error::Usage(format!(
            "{} already exists: give another --out path (a file written here never replaces one).",
            crate::text::path(file)
        )));
    }
    Ok(dest)
}

fn unknown(what: &str, id: &str) -> Error {
    Error::Usage(format!(
        "There is no {what} {} in this logbook: `logbook list` shows the incidents and the app's people register the people.",
        crate::text::line(id)
    ))
}

pub fn export(global: &Global, args: ExportArgs, out: &mut dyn Write) -> Result<()> {
    // One line, said in the header and the audit entry (tester4 #13).
    let for_whom =
        report::prepared_for(&args.for_whom).map_err(|e| Error::Usage(format!("{e} (--for).")))?;
    let dest = destination(&args.delivery)?;
    let format = match args.format {
        ExportFormat::Md => Format::Md,
        ExportFormat::Html => Format::Html,
        ExportFormat::Txt => Format::Txt,
    };
    let id = args.id.trim().to_ascii_uppercase();
    let is_person = is_person_id(&id);
    if is_person && !args.without.is_empty() {
        return Err(Error::Usage(
            "--without applies to incident exports; a person's chronology lists significant events only, so leave it out.".into(),
        ));
    }

    let (mut vault, mut logbook, key) = open(global, Access::Write)?;
    let by = operator(global, Some(&key), &logbook.settings)?;
    let at = now();
    let mut export = Export::new(by.clone(), at.naive_local());
    export.prepared_for = for_whom.clone();
    export.without = args.without.clone();
    export.without.sort();
    export.without.dedup();
    if args.name_others && !is_person {
        return Err(Error::Usage(
            "--name-others applies to a person's chronology; an incident's names everyone unless --anonymise-others is given, so leave it out.".into(),
        ));
    }
    // A person's chronology usually goes to a parent or a new school: others are shown by
    // role and age group unless the DSL asks otherwise, as in the app (tester3 #31).
    export.anonymise_others = args.anonymise_others || (is_person && !args.name_others);
    export.named_on_request = is_person && args.name_others;
    export.about = args.about.as_deref().map(|p| p.trim().to_ascii_uppercase());
    if let Some(about) = &export.about
        && logbook.person(about).is_none()
    {
        return Err(unknown("person", about));
    }

    let (doc, subject, what) = if is_person {
        let person = logbook.person(&id).ok_or_else(|| {
            match logbook.tombstones.iter().find(|t| t.id == id) {
                Some(t) => Error::Usage(super::print::disposed(t)),
                None => unknown("person", &id),
            }
        })?;
        (
            report::person(&logbook, person, &export),
            Subject::Person(id.clone()),
            "person chronology",
        )
    } else {
        let incident = logbook.incident(&id).ok_or_else(|| {
            match logbook.tombstones.iter().find(|t| t.id == id) {
                Some(t) => Error::Usage(super::print::disposed(t)),
                None => unknown("incident", &id),
            }
        })?;
        (
            report::incident(&logbook, incident, &export),
            Subject::Incident(id.clone()),
            "incident chronology",
        )
    };
    let text = zeroize::Zeroizing::new(format.render(&doc));

    let selection = export.selection();
    let action = format!(
        "{what} as {}{selection} for {for_whom}: {}",
        format.name(),
        place(&dest)
    );
    deliver(
        &mut vault,
        &mut logbook,
        &Stamp::new(by, at),
        subject,
        &action,
        &dest,
        &text,
        out,
    )?;
    if let Destination::Plaintext(file) | Destination::Encrypted(file, _) = &dest {
        writeln!(
            out,
            "Wrote the {what} of {id} ({}) to {}; the export is recorded in the audit trail.",
            format.name(),
            file.display()
        )
        .map_err(stdout_error)?;
    }
    Ok(())
}

/// Where a document went, in words for the audit trail.
pub(super) fn place(dest: &Destination) -> String {
    match dest {
        Destination::Terminal => "shown on the terminal".to_string(),
        Destination::Stdout => "plaintext to standard output".to_string(),
        Destination::Plaintext(f) => format!("plaintext file {}", f.display()),
        Destination::Encrypted(f, keys) => {
            format!("age file {} encrypted to {}", f.display(), keys.join(", "))
        }
    }
}

/// Writes `text` where `dest` says, records `action` about `subject` in the audit trail and
/// saves the logbook; a document shown on the terminal or standard output is shown only
/// after its entry is saved, and a written file is removed again if the entry cannot be:
/// no document leaves without its entry.
#[allow(clippy::too_many_arguments)]
pub(super) fn deliver(
    vault: &mut vault::Vault,
    logbook: &mut Logbook,
    stamp: &Stamp,
    subject: Subject,
    action: &str,
    dest: &Destination,
    text: &str,
    out: &mut dyn Write,
) -> Result<()> {
    match dest {
        Destination::Plaintext(file) => vault::file::write_new_private(file, text.as_bytes())?,
        Destination::Encrypted(file, keys) => {
            let sealed = report::seal(keys, text.as_bytes(), file)?;
            vault::file::write_new_private(file, &sealed)?;
        }
        Destination::Terminal | Destination::Stdout => {}
    }
    let recorded = logbook
        .record_export(stamp, subject, action)
        .map_err(Error::from)
        .and_then(|()| vault.save(logbook));
    if let Err(e) = recorded {
        if let Destination::Plaintext(file) | Destination::Encrypted(file, _) = dest {
            let _ = std::fs::remove_file(file);
        }
        return Err(e);
    }
    match dest {
        Destination::Terminal | Destination::Stdout => {
            out.write_all(text.as_bytes()).map_err(stdout_error)
        }
        Destination::Plaintext(_) | Destination::Encrypted(..) => Ok(()),
    }
}

/// `logbook stats`: anonymised figures, read-only, to standard output.
pub fn stats(global: &Global, args: StatsArgs, out: &mut dyn Write) -> Result<()> {
    if let (Some(from), Some(to)) = (args.from, args.to)
        && from > to
    {
        return Err(Error::Usage(
            "--from is after --to: give the earlier date first.".into(),
        ));
    }
    let (_, logbook, _) = open(global, Access::Read)?;
    let at = now().naive_local();
    let figures = report::stats::compute(&logbook, args.from, args.to, at.date());
    let text = match args.format {
        StatsFormat::Csv => report::stats::csv(&figures),
        other => {
            let doc = report::stats::doc(&figures, &logbook.settings.organisation, at);
            match other {
                StatsFormat::Md => Format::Md.render(&doc),
                StatsFormat::Html => Format::Html.render(&doc),
                _ => Format::Txt.render(&doc),
            }
        }
    };
    out.write_all(text.as_bytes()).map_err(stdout_error)
}
