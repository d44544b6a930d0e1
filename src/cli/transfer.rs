//! `logbook transfer` and `logbook import-transfer`: a child's whole file, from one
//! school's logbook to the next, encrypted to the receiving DSL's key.

use std::io::Write;
use std::path::Path;

use super::args::{Global, TransferArgs};
use super::print::count;
use super::{now, open, operator, stdout_error};
use crate::error::{Error, Result};
use crate::model::{FORMAT, Stamp, Subject, TransferFile, sha256_hex};
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
    let recipients = vault::parse_recipients(&args.to)?;
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
    let t = report::transfer(&logbook, &person, &by, sent);
    let ids: Vec<String> = t.incidents.iter().map(|i| i.id.clone()).collect();

    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|_| {
                Error::Usage("Give at least one recipient public key (age1...).".into())
            })?;
    let mut sealed = Vec::new();
    vault::encrypt_ron(&mut sealed, encryptor, &t)
        .map_err(|e| Error::io("encrypting", &file, e))?;
    drop(t);
    vault::file::write_new_private(&file, &sealed)?;

    let for_whom = args
        .for_whom
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map_or_else(|| "the holder of that key".to_string(), str::to_string);
    let what = format!(
        "child protection file transfer of {id} with {}{}{} for {for_whom}: age file {} encrypted to {}",
        count(ids.len() as u64, "incident", "incidents"),
        if ids.is_empty() { "" } else { ": " },
        ids.join(", "),
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
    writeln!(
        out,
        "Wrote the file of {id} ({}) to {}, encrypted to the receiving DSL's key; the transfer is recorded in the audit trail. \
Send it now (UK guidance: within five school days of the child starting at the new school), ask for confirmation of receipt, \
then record it with `logbook transfer {id} --acknowledged`.",
        count(ids.len() as u64, "incident", "incidents"),
        file.display()
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
    let t: TransferFile = ron::from_str(text).map_err(|e| {
        bad(&format!(
            "it is not a child protection file transfer: {}",
            line(&e.to_string())
        ))
    })?;
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
    writeln!(
        out,
        "Took in the child protection file from {} as {}{}{}; the receipt is recorded in the audit trail. Confirm receipt to the sending DSL.",
        line(&from),
        received.person,
        if list.is_empty() { "" } else { " with " },
        list.join(", ")
    )
    .map_err(stdout_error)
}
