//! Where secrets come from: a key file, a passphrase file (scripts), or the terminal.
//! Never from the command line or the environment, where other users and logs can see them.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::args::Global;
use crate::error::{Error, Result};
use crate::vault::{Key, file};

/// Shortest passphrase accepted for a new logbook.
const MIN_PASSPHRASE: usize = 8;

/// The first line of a passphrase file, without its line ending.
pub fn read_passphrase_file(path: &Path) -> Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(
        file::read_regular(path, file::limits::PASSPHRASE, file::Links::Follow).map_err(
            |e| match e {
                e if file::is_not_found(&e) => Error::Usage(format!(
                    "The passphrase file {} does not exist: check the path given.",
                    path.display()
                )),
                e => e,
            },
        )?,
    );
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Error::Usage(format!(
            "The passphrase file {} is not UTF-8 text: write the passphrase as plain text.",
            path.display()
        ))
    })?;
    let line = text.lines().next().unwrap_or("");
    Ok(Zeroizing::new(line.to_string()))
}

fn ask(prompt: &str) -> Result<Zeroizing<String>> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::NoTerminal("passphrase"));
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|_| Error::NoTerminal("passphrase"))
}

/// The key for opening an existing logbook.
pub fn open_key(global: &Global, path: &Path) -> Result<Key> {
    if let Some(identity) = &global.identity {
        return Key::from_identity_file(identity);
    }
    let pass = match &global.passphrase_file {
        Some(file) => read_passphrase_file(file)?,
        None => ask(&format!("Passphrase for {}: ", path.display()))?,
    };
    Ok(Key::passphrase(&pass))
}

/// A new passphrase: from a file, or asked twice on the terminal. Refuses short ones.
pub fn new_passphrase(file: Option<&PathBuf>) -> Result<Key> {
    let pass = match file {
        Some(file) => read_passphrase_file(file)?,
        None => {
            let first = ask("New passphrase: ")?;
            let second = ask("Repeat the passphrase: ")?;
            if *first != *second {
                return Err(Error::Usage(
                    "The two passphrases differ: nothing was changed; try again.".into(),
                ));
            }
            first
        }
    };
    if pass.chars().count() < MIN_PASSPHRASE {
        return Err(Error::Usage(format!(
            "The passphrase is too short: use at least {MIN_PASSPHRASE} characters (a few unrelated words are best)."
        )));
    }
    Ok(Key::passphrase(&pass))
}

/// Public keys from --recipient and --recipients-file, in order, each once.
pub fn recipients(given: &[String], file: Option<&PathBuf>) -> Result<Vec<String>> {
    let mut keys: Vec<String> = given.iter().map(|k| k.trim().to_string()).collect();
    if let Some(file) = file {
        let bytes = crate::vault::file::read_regular(
            file,
            crate::vault::file::limits::IDENTITY,
            crate::vault::file::Links::Follow,
        )
        .map_err(|e| match e {
            e if crate::vault::file::is_not_found(&e) => Error::Usage(format!(
                "The recipients file {} does not exist: check the path given.",
                file.display()
            )),
            e => e,
        })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::Usage(format!(
                "The recipients file {} is not UTF-8 text: give a file of age1... lines.",
                file.display()
            ))
        })?;
        keys.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from),
        );
    }
    keys.dedup();
    crate::vault::parse_recipients(&keys)?;
    Ok(keys)
}
