//! Where secrets come from: a key file, a passphrase file (scripts), or the terminal.
//! Never from the command line or the environment, where other users and logs can see them.

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::args::Global;
use crate::error::{Error, Result};
use age::secrecy::SecretString;

use crate::model::Holder;
use crate::vault::{self, Key, file};

/// Shortest passphrase accepted for a new logbook or key file.
const MIN_PASSPHRASE: usize = 8;

/// The first line of a passphrase file, without its line ending. A byte-order mark or
/// spaces around the text are refused: an editor adds them unseen, and a passphrase set
/// with them would not be the one the visible text types.
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
    if line.starts_with('\u{feff}') {
        return Err(Error::Usage(format!(
            "The passphrase file {} starts with an invisible byte-order mark: save it as UTF-8 without BOM, then try again.",
            path.display()
        )));
    }
    if line.trim() != line {
        return Err(Error::Usage(format!(
            "The passphrase in {} begins or ends with spaces, which cannot be seen: remove them (or put the passphrase alone on the first line), then try again.",
            path.display()
        )));
    }
    if line.is_empty() {
        return Err(Error::Usage(format!(
            "The passphrase file {} is empty: put the passphrase on its first line.",
            path.display()
        )));
    }
    Ok(Zeroizing::new(line.to_string()))
}

pub fn ask(prompt: &str, what: &'static str) -> Result<Zeroizing<String>> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::NoTerminal(what));
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|_| Error::NoTerminal(what))
}

/// Says the passphrase was taken before the slow part (scrypt takes about a second by
/// design), so a pause after Enter does not read as a hang. Only on a terminal: a script
/// reading stderr gets no noise.
fn unlocking() {
    if std::io::stderr().is_terminal() {
        eprintln!("Unlocking...");
    }
}

/// Whether a passphrase could open `path`: a logbook from before key files, one with a
/// key file beside it, or a backup with backup key files beside it. A logbook opened with
/// key files only never asks for a passphrase.
fn takes_passphrase(path: &Path) -> Result<bool> {
    if !path.exists() {
        return Ok(true);
    }
    if vault::mode(path)? != vault::Mode::Keys {
        return Ok(true);
    }
    let folder = vault::file::folder_of(path);
    Ok(fs::read_dir(folder).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("logbook-") && name.ends_with(".age") && name.contains("-key")
        })
    }))
}

/// The key files given with --identity; a protected one is opened with the passphrase
/// from --passphrase-file, or asked on the terminal.
pub fn identities(global: &Global) -> Result<Key> {
    let file = global.passphrase_file.clone();
    Key::from_identity_files(&global.identity, &mut |path| match &file {
        Some(f) => read_passphrase_file(f),
        None => {
            let pass = ask(
                &format!("Passphrase of the key file {}: ", path.display()),
                "key file's passphrase",
            )?;
            unlocking();
            Ok(pass)
        }
    })
}

/// The key for opening an existing logbook (or a backup) at `path`: what the file needs,
/// read from its header before anything is asked.
pub fn open_key(global: &Global, path: &Path) -> Result<Key> {
    if !global.identity.is_empty() {
        return identities(global);
    }
    // A backup named as such may open through a key file copied beside it later: a
    // passphrase given for it is tried (and the error then names the key file).
    let backup_with_passphrase = global.passphrase_file.is_some()
        && path
            .file_name()
            .is_some_and(|n| crate::backup::is_backup_name(&n.to_string_lossy()));
    if !backup_with_passphrase && !takes_passphrase(path)? {
        return Err(Error::NeedsIdentity(path.to_path_buf()));
    }
    let pass = match &global.passphrase_file {
        Some(file) => read_passphrase_file(file)?,
        None => {
            let pass = ask(
                &format!("Passphrase for {}: ", path.display()),
                "passphrase",
            )?;
            unlocking();
            pass
        }
    };
    Ok(Key::passphrase(&pass))
}

/// The names a passphrase must not be built on: the organisation's and the staff's.
pub fn names(settings: &crate::model::Settings) -> Vec<&str> {
    std::iter::once(settings.organisation.as_str())
        .chain(settings.staff.iter().map(String::as_str))
        .collect()
}

/// A new passphrase: from a file, or asked twice on the terminal. Refuses short ones and
/// ones easy to guess (`crate::strength`, the same rule as the app's set-up), checked
/// before the repeat is asked for. `names` (the organisation's, the staff's) count as easy
/// to guess: a passphrase built on them is refused.
pub fn new_passphrase(file: Option<&PathBuf>, names: &[&str]) -> Result<SecretString> {
    let strong_enough = |pass: &str| {
        crate::strength::check_with(pass, names)
            .map_err(|e| Error::Usage(format!("{e} Nothing was changed.")))
    };
    let pass = match file {
        Some(file) => {
            let pass = read_passphrase_file(file)?;
            strong_enough(&pass)?;
            pass
        }
        None => {
            let first = ask("New passphrase: ", "passphrase")?;
            strong_enough(&first)?;
            let second = ask("Repeat the passphrase: ", "passphrase")?;
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
    Ok(SecretString::from(pass.to_string()))
}

/// `age1...=Name`: a public key and, after `=`, the name of the person who holds it.
pub fn split_holder(given: &str) -> (String, Option<String>) {
    match given.split_once('=') {
        Some((key, name)) if !name.trim().is_empty() => {
            (key.trim().to_string(), Some(name.trim().to_string()))
        }
        Some((key, _)) => (key.trim().to_string(), None),
        None => (given.trim().to_string(), None),
    }
}

/// Public keys from --recipient and --recipients-file, in order, each once, with the
/// holders named as `age1...=Name` (in either).
pub fn recipients(given: &[String], file: Option<&PathBuf>) -> Result<(Vec<String>, Vec<Holder>)> {
    let mut lines: Vec<String> = given.to_vec();
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
        lines.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from),
        );
    }
    let mut keys = Vec::new();
    let mut holders = Vec::new();
    for line in lines {
        let (key, name) = split_holder(&line);
        if !keys.contains(&key) {
            keys.push(key.clone());
        }
        if let Some(name) = name
            && !holders.iter().any(|h: &Holder| h.key == key)
        {
            holders.push(Holder { key, name });
        }
    }
    crate::vault::parse_recipients(&keys)?;
    Ok((keys, holders))
}
