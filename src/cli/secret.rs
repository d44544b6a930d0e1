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
/// from --passphrase-file, or asked on the terminal. Each file is tried: a wrong
/// passphrase for one does not stop the others (with --passphrase-file the one
/// passphrase is tried on each protected file); only when none opens is it an error,
/// naming each file and why.
/// Checked against the file they are to open (`target`), when given: a key file that
/// opened but is not one of that file's keys is named as such, not as a wrong passphrase.
fn identities_for(global: &Global, target: Option<&Path>) -> Result<Key> {
    let mut from_file: Option<Zeroizing<String>> = None;
    let mut opened: Vec<(&PathBuf, vault::Identities)> = Vec::new();
    let mut wrong: Vec<&PathBuf> = Vec::new();
    let logbook = super::logbook_path(global).ok();
    for path in &global.identity {
        // The logbook given by mistake as its own key (tester3 #28).
        if logbook.as_ref().is_some_and(|l| same_file(l, path)) {
            return Err(Error::Usage(format!(
                "{} is the logbook itself, not a key file: give your key file (made by `logbook keygen`) with --identity.",
                shown(path)
            )));
        }
        warn_if_readable_by_others(path);
        let mut ask = |path: &Path| -> Result<Zeroizing<String>> {
            match &global.passphrase_file {
                Some(f) => {
                    if from_file.is_none() {
                        from_file = Some(read_passphrase_file(f)?);
                    }
                    Ok(from_file.clone().unwrap_or_default())
                }
                None => {
                    let pass = ask(
                        &format!("Passphrase of the key file {}: ", shown(path)),
                        "key file's passphrase",
                    )?;
                    unlocking();
                    Ok(pass)
                }
            }
        };
        match vault::read_identity_file(path, &mut ask) {
            Ok(ids) => opened.push((path, ids)),
            Err(Error::WrongSecret) => wrong.push(path),
            Err(e) => return Err(e),
        }
    }
    let not_opening: Vec<&PathBuf> = match target {
        Some(target) => opened
            .iter()
            .filter(|(_, ids)| !vault::opens_file(target, ids))
            .map(|(p, _)| *p)
            .collect(),
        None => Vec::new(),
    };
    if opened.len() == not_opening.len() && !global.identity.is_empty() {
        return Err(none_opens(&wrong, &not_opening));
    }
    // Said whenever a key file was left out, except for a script trying its one
    // passphrase on each key file of its own logbook: a restore given a recovery key and
    // a new key whose passphrase was wrong must not go on unexplained without the new key.
    let expected = global.passphrase_file.is_some() && target.is_some();
    if !wrong.is_empty() && !expected {
        let names: Vec<String> = wrong.iter().map(|p| shown(p)).collect();
        eprintln!(
            "Wrong passphrase for the key file {}: it was left out, and the other key files given were used.",
            names.join(", ")
        );
    }
    let mut all: Option<vault::Identities> = None;
    for (_, ids) in opened {
        match &mut all {
            Some(a) => a.extend(ids),
            None => all = Some(ids),
        }
    }
    all.map(Key::Identities).ok_or_else(|| {
        Error::Usage("Give the key file that opens the logbook with --identity FILE.".into())
    })
}

fn shown(path: &Path) -> String {
    crate::text::path(path)
}

/// Whether two paths name one file (the same device and inode), as far as can be told.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (fs::metadata(a), fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        a == b
    }
}

/// A key file with no passphrase that other users of the computer can read opens the
/// logbook for any of them: said on stderr, with the fix, every time it is used (tester3
/// #32). A protected key file is sealed with its passphrase, so its mode matters less.
fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = fs::metadata(path)
            && meta.is_file()
            && meta.permissions().mode() & 0o077 != 0
            && !vault::is_protected(path)
        {
            eprintln!(
                "Warning: the key file {} has no passphrase and other users of this computer can read it (mode {:o}): make it yours alone with `chmod 600 {}`, or give it a passphrase with `logbook keys passphrase {}`.",
                shown(path),
                meta.permissions().mode() & 0o777,
                shown(path),
                shown(path)
            );
        }
    }
}

/// What a holder does when a key file opened but this logbook is not encrypted to it.
const NOT_A_HOLDER: &str = "give the key file of one of its holders (a key removed with `logbook keys remove` opens only older backups, and a recovery key opens backups only: see `logbook restore`)";

/// The one sentence for key files of which none opens the logbook: each named, with why.
fn none_opens(wrong: &[&PathBuf], not_opening: &[&PathBuf]) -> Error {
    match (wrong, not_opening) {
        ([one], []) => Error::KeyFiles(format!(
            "Wrong passphrase for the key file {}: try again, or give the passphrase of that key file.",
            shown(one)
        )),
        ([], [_]) => Error::KeyFiles(format!(
            "This key file does not open this logbook: {NOT_A_HOLDER}."
        )),
        _ => {
            let mut why: Vec<String> = wrong
                .iter()
                .map(|p| format!("wrong passphrase for {}", shown(p)))
                .collect();
            why.extend(
                not_opening
                    .iter()
                    .map(|p| format!("{} does not open this logbook", shown(p))),
            );
            let next = if not_opening.is_empty() {
                "try again with the right passphrase for one of them".to_string()
            } else if wrong.is_empty() {
                NOT_A_HOLDER.to_string()
            } else {
                format!("try again with the right passphrase, or {NOT_A_HOLDER}")
            };
            Error::KeyFiles(format!(
                "None of the key files given opens this logbook ({}): {next}.",
                why.join("; ")
            ))
        }
    }
}

/// The key for opening an existing logbook (or a backup) at `path`: what the file needs,
/// read from its header before anything is asked.
pub fn open_key(global: &Global, path: &Path) -> Result<Key> {
    if !global.identity.is_empty() {
        // The command's own logbook is checked key file by key file, so a key file that
        // is not one of its holders' is named; another file (a backup) is left to its own
        // reading, which may go through a backup key file beside it.
        let own = super::logbook_path(global).is_ok_and(|own| own == path);
        return identities_for(global, own.then_some(path));
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
        // On a terminal a refused passphrase is asked again, saying why, rather than
        // ending the command to be typed again whole (tester3 #28); a few tries.
        None => {
            let mut tries = 1;
            loop {
                let first = ask("New passphrase: ", "passphrase")?;
                let refused = match strong_enough(&first) {
                    Err(e) => Some(e),
                    Ok(()) => {
                        let second = ask("Repeat the passphrase: ", "passphrase")?;
                        if *first == *second {
                            break first;
                        }
                        Some(Error::Usage(
                            "The two passphrases differ: nothing was changed; try again.".into(),
                        ))
                    }
                };
                if let Some(e) = refused {
                    if tries >= 3 {
                        return Err(e);
                    }
                    tries += 1;
                    let said = e.to_string();
                    eprintln!(
                        "{} Type another.",
                        said.trim_end_matches(" Nothing was changed.")
                            .trim_end_matches(" nothing was changed; try again.")
                    );
                }
            }
        }
    };
    if pass.chars().count() < MIN_PASSPHRASE {
        return Err(Error::Usage(format!(
            "The passphrase is too short: use at least {MIN_PASSPHRASE} characters (a few unrelated words are best)."
        )));
    }
    Ok(SecretString::from(pass.to_string()))
}

/// The longest name a key's holder may have: it is shown as the recorder in the status
/// bar, in `logbook keys` and in every audit entry made with the key.
pub const MAX_NAME: usize = 60;

/// A key holder's name as given (trimmed), refused when it would not show as typed: a
/// control character (an escape, a line break, a tab), a bidirectional override or a
/// line separator (whatever `crate::text` has to escape), or over `MAX_NAME` characters.
pub fn holder_name(given: &str) -> Result<String> {
    let name = given.trim();
    if name
        .chars()
        .any(|c| c.is_control() || crate::text::line(c.encode_utf8(&mut [0; 4])) != c.to_string())
    {
        // Printed escaped, as every error is (main), so the reader sees what was refused.
        return Err(Error::Usage(format!(
            "The name {name} holds a control character (an escape, tab or line break) or a direction mark: type it as plain text on one line."
        )));
    }
    let count = name.chars().count();
    if count > MAX_NAME {
        return Err(Error::Usage(format!(
            "The name is {count} characters long: give at most {MAX_NAME} (the holder's name, such as \"J. Patel\"; a role can go in the key file's name)."
        )));
    }
    // One Unicode form, as every typed name (tester4 #10).
    Ok(crate::text::nfc(name).into_owned())
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
        // A key given twice (perhaps with two names) would keep one name and drop the
        // other without a word (tester3 #32): each key once.
        if keys.contains(&key) {
            return Err(Error::Usage(format!(
                "The key {} is given twice: give each key once, with its holder's name after =.",
                crate::text::line(&key)
            )));
        }
        keys.push(key.clone());
        if let Some(name) = name
            && !holders.iter().any(|h: &Holder| h.key == key)
        {
            let name = holder_name(&name)?;
            holders.push(Holder { key, name });
        }
    }
    crate::vault::parse_recipients(&keys)?;
    Ok((keys, holders))
}
