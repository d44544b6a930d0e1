//! Where secrets come from: a key file, a passphrase file (scripts), or the terminal.
//! Never from the command line or the environment, where other users and logs can see them.

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::args::Global;
use crate::error::{Error, Result};
use crate::vault::Key;

/// Shortest passphrase accepted for a new logbook.
const MIN_PASSPHRASE: usize = 8;

/// The first line of a passphrase file, without its line ending.
pub fn read_passphrase_file(path: &Path) -> Result<Zeroizing<String>> {
    let text = Zeroizing::new(fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::Usage(format!(
            "The passphrase file {} does not exist: check the path given.",
            path.display()
        )),
        _ => Error::io("reading", path, e),
    })?);
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

/// A new passphrase: from a file, or asked twice on the terminal. Refuses short ones and
/// ones easy to guess (`crate::strength`, the same rule as the app's set-up), checked
/// before the repeat is asked for.
pub fn new_passphrase(file: Option<&PathBuf>) -> Result<Key> {
    let strong_enough = |pass: &str| {
        crate::strength::check(pass).map_err(|e| Error::Usage(format!("{e} Nothing was changed.")))
    };
    let pass = match file {
        Some(file) => {
            let pass = read_passphrase_file(file)?;
            strong_enough(&pass)?;
            pass
        }
        None => {
            let first = ask("New passphrase: ")?;
            strong_enough(&first)?;
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
        let text = fs::read_to_string(file).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::Usage(format!(
                "The recipients file {} does not exist: check the path given.",
                file.display()
            )),
            _ => Error::io("reading", file, e),
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
