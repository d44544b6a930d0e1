//! `logbook transfer` and `logbook import-transfer`: a child's whole file, from one
//! school's logbook to the next, encrypted to the receiving DSL's key.

use std::io::Write;
use std::path::Path;

use super::args::{Global, TransferArgs};
use super::print::count;
use super::{now, open, operator, stdout_error};
use crate::error::{Error, Result};
use crate::model::{FORMAT, Stamp, Subject, TransferFile, sha256_hex, transfer_records};
use crate::report;
use crate::text::line;
use crate::vault::{self, Access};

pub fn transfer(global: &Global, args: TransferArgs, out: &mut dyn Write) -> Result<()> {
    let id = args.id.trim().to_ascii_uppercase();
    if args.acknowledged {
        let (mut vault, mut logbook, key) = open(global, Access::Write)?;
        if logbook.person(&id).is_none() {
            return Err(unknown_person(&id));
        }
        let by = operator(global, Some(&key), &logbook.settings)?;
        logbook.acknowledge_transfer(&Stamp::new(by, now()), &id, &args.note)?;
        vault.save(&logbook)?;
        return writeln!(
            out,
            "Recorded that the receiving school acknowledged the transfer of {id}'s file."
        )
        .map_err(stdout_error);
    }
    if args.to.is_empty() {
        return Err(Error::Usage(
            "Give the receiving DSL's public key with --to AGE1... (they print it with `logbook keys`); a transfer is never written unencrypted.".into(),
        ));
    }
    // DESIGN: --out is optional; the default names the person, in the current folder.
    let file = args
        .out
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from(format!("transfer-{id}.age")));
    if file.exists() {
        // Not `Error::Exists`, whose advice ("or open it") is for a logbook or key.
        return Err(Error::Usage(format!(
            "{} already exists: give another --out path (a file written here never replaces one).",
            crate::text::path(&file)
        )));
    }
    // The keys are checked before the logbook is opened: a mistyped key costs nothing.
    vault::parse_recipients(&args.to)?;
    let (mut vault, mut logbook, key) = open(global, Access::Write)?;
    let person = logbook
        .person(&id)
        .ok_or_else(|| unknown_person(&id))?
        .clone();
    let at = now();
    logbook.may_transfer(&id, chrono::Datelike::year(&at))?;
    let by = operator(global, Some(&key), &logbook.settings)?;
    // To the second, as the receiving logbook records when it was sent.
    let sent = chrono::SubsecRound::trunc_subsecs(at.naive_local(), 0);
    // One line when given: it goes on the cover and into the audit entry (tester4 #13).
    let for_whom = args
        .for_whom
        .as_deref()
        .filter(|w| !w.trim().is_empty())
        .map(report::prepared_for)
        .transpose()
        .map_err(|e| Error::Usage(format!("{e} (--for).")))?;
    let for_whom = for_whom.as_deref();
    let t = report::transfer(&logbook, &person, &by, sent, for_whom)
        .map_err(|e| Error::from(crate::model::Invalid::from(e)))?;
    let sealed = report::seal(&args.to, t.page.as_bytes(), &file)?;
    let (ids, withheld) = (t.sent, t.withheld);
    drop(t.page);
    vault::file::write_new_private(&file, &sealed)?;

    let for_whom = for_whom.map_or_else(|| "the holder of that key".to_string(), str::to_string);
    let left_out = format!(
        "{} marked entered in error left out, content withheld",
        count(u64::from(withheld), "incident", "incidents")
    );
    let what = format!(
        "child protection file transfer of {id} with {}{}{}{} for {for_whom}: age file {} encrypted to {}",
        count(ids.len() as u64, "incident", "incidents"),
        if ids.is_empty() { "" } else { ": " },
        ids.join(", "),
        if withheld == 0 {
            String::new()
        } else {
            format!(" ({left_out})")
        },
        file.display(),
        args.to.join(", ")
    );
    let recorded = logbook
        .record_export(&Stamp::new(by, at), Subject::Person(id.clone()), &what)
        .map_err(Error::from)
        .and_then(|()| vault.save(&logbook));
    if let Err(e) = recorded {
        let _ = std::fs::remove_file(&file);
        return Err(e);
    }
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let readable = format!(
        "{}.html",
        name.strip_suffix(".age")
            .unwrap_or(&name)
            .trim_end_matches(".html")
    );
    writeln!(
        out,
        "Wrote the file of {id} ({}{}) to {}, encrypted to the receiving DSL's key; the transfer is recorded in the audit trail. \
Send it now (UK guidance: within five school days of the child starting at the new school), ask for confirmation of receipt, \
then record it with `logbook transfer {id} --acknowledged`. \
The receiving DSL takes it in with `logbook import-transfer`, or, without this program, reads it in a browser after \
`age -d -i THEIR-KEY-FILE -o {} {}`.",
        count(ids.len() as u64, "incident", "incidents"),
        if withheld == 0 {
            String::new()
        } else {
            format!("; {left_out}")
        },
        file.display(),
        line(&readable),
        line(&name),
    )
    .map_err(stdout_error)
}

fn unknown_person(id: &str) -> Error {
    Error::Usage(format!(
        "There is no person {} in this logbook: the app's people register lists them.",
        line(id)
    ))
}

pub fn import_transfer(global: &Global, file: &Path, out: &mut dyn Write) -> Result<()> {
    let bytes = super::read_given_file(file)?;
    let (mut vault, mut logbook, key) = open(global, Access::Write)?;
    let bad = |detail: &str| Error::BadImport {
        path: file.to_path_buf(),
        detail: detail.to_string(),
    };
    let plain = vault::decrypt(file, &bytes, &key).map_err(|e| match e {
        Error::WrongSecret => Error::Usage(format!(
            "{} is not encrypted to this logbook's key: ask the sending DSL to write it again to a public key `logbook keys` lists here.",
            file.display()
        )),
        Error::NotAge(_) => bad("it is not an age-encrypted transfer"),
        Error::Damaged(_) => bad("it is damaged or truncated: ask the sending DSL to send it again"),
        other => other,
    })?;
    let digest = sha256_hex(&plain);
    let text = std::str::from_utf8(&plain).map_err(|_| bad("it is not a transfer: not text"))?;
    // The records inside the readable page, or (a transfer written before the page) the
    // whole text.
    let records = zeroize::Zeroizing::new(
        transfer_records(text)
            .ok_or_else(|| {
                bad("it is a page without the records of a child protection file transfer")
            })?
            .into_owned(),
    );
    let t: TransferFile = ron::from_str(&records).map_err(|e| {
        bad(&format!(
            "it is not a child protection file transfer: {}",
            line(&e.to_string())
        ))
    })?;
    drop(records);
    if t.format > FORMAT {
        return Err(bad(&format!(
            "it is in format {}, newer than this version of logbook reads",
            t.format
        )));
    }
    let from = t.from.clone();
    let by = operator(global, Some(&key), &logbook.settings)?;
    let received = logbook.import_transfer(&Stamp::new(by, now()), t, &digest)?;
    vault.save(&logbook)?;
    let list: Vec<String> = received
        .incidents
        .iter()
        .map(|(from, to)| format!("{to} (their {from})"))
        .collect();
    let mut said = format!(
        "Took in the child protection file from {} as {}{}{}.",
        line(&from),
        received.person,
        if list.is_empty() { "" } else { " with " },
        list.join(", ")
    );
    let who = |id: &str| {
        logbook.person(id).map_or_else(
            || id.to_string(),
            |p| format!("{} {}", p.id, line(&p.reference)),
        )
    };
    for j in &received.joined {
        let roles: Vec<&str> = j.roles.iter().map(|r| r.label()).collect();
        said.push_str(&format!(
            " Their {} was already taken in{}, as {}: it was not added again, and {} is linked to it as {}.",
            line(&j.theirs),
            j.with
                .as_deref()
                .map(|p| format!(" with the file of {}", who(p)))
                .unwrap_or_default(),
            j.here,
            received.person,
            roles.join(" and ")
        ));
        if !j.not_here.is_empty() {
            said.push_str(&format!(
                " This file's copy of it has {} that {} does not (added there since): read them in this file's pages (`age -d`) and add them to {} by hand.",
                line(&j.not_here.join(", ")),
                j.here,
                j.here
            ));
        }
    }
    if received.left_out > 0 {
        said.push_str(&format!(
            " {} marked entered in error at {} {} left out (content withheld).",
            count(u64::from(received.left_out), "incident", "incidents"),
            line(&from),
            if received.left_out == 1 {
                "was"
            } else {
                "were"
            }
        ));
    }
    said.push_str(
        " The receipt is recorded in the audit trail. Confirm receipt to the sending DSL.",
    );
    if !received.possibly_same.is_empty() {
        // Told apart as the app's warning does: age group and year of birth.
        let same: Vec<String> = received
            .possibly_same
            .iter()
            .filter_map(|id| logbook.person(id))
            .map(|p| {
                format!(
                    "{} {} ({}{})",
                    p.id,
                    line(&p.reference),
                    p.age_group.label(),
                    p.birth_year
                        .map(|y| format!(", born {y}"))
                        .unwrap_or_default()
                )
            })
            .collect();
        said.push_str(&format!(
            "\n{} may be the same person as {}, already in the register: check before relying on either record (the app's people register shows both).",
            received.person,
            same.join("; ")
        ));
    }
    writeln!(out, "{said}").map_err(stdout_error)
}
