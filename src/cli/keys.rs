//! `logbook keys`: who can open the logbook and its backups, and changing that.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::args::{Global, KeysChange, PasswdArgs};
use super::{logbook_path, now, open, operator, secret, stdout_error};
use crate::error::{Error, Result};
use crate::model::{Holder, Settings, Stamp};
use crate::text::line;
use crate::vault::{self, Access};
use age::secrecy::ExposeSecret;

fn holder(settings: &Settings, key: &str) -> String {
    settings
        .holders
        .iter()
        .find(|h| h.key == key)
        .map_or_else(|| "(no name given)".into(), |h| line(&h.name).into_owned())
}

pub(super) fn keys(global: &Global, change: Option<KeysChange>, out: &mut dyn Write) -> Result<()> {
    match change {
        None => list(global, out),
        Some(KeysChange::Add {
            key,
            name,
            recovery,
        }) => add(global, key.trim(), name.trim(), recovery, out),
        Some(KeysChange::Remove { who, yes }) => remove(global, who.trim(), yes, out),
        Some(KeysChange::Passphrase {
            file,
            new_passphrase_file,
        }) => key_passphrase(global, &file, new_passphrase_file.as_ref(), out),
    }
}

fn list(global: &Global, out: &mut dyn Write) -> Result<()> {
    let (vault, book, _) = open(global, Access::Read)?;
    let s = &book.settings;
    let mut text = format!(
        "Who can open {} (and every backup made now):\n",
        vault.path().display()
    );
    if s.recipients.is_empty() {
        text.push_str("  whoever knows the passphrase (an older passphrase logbook: it moves to a key file when next changed)\n");
    }
    for key in &s.recipients {
        let kind = if *key == s.passphrase_key {
            format!(
                "passphrase key file ({})",
                vault::key_file_path(vault.path()).display()
            )
        } else {
            "everyday key".into()
        };
        text.push_str(&format!("  {:<24} {key}  {kind}\n", holder(s, key)));
    }
    if s.recovery_recipients.is_empty() {
        text.push_str(
            "No recovery keys: add one with `logbook keys add age1... --name NAME --recovery`.\n",
        );
    } else {
        text.push_str("Who can also open the backups (recovery keys, which do not open the logbook itself):\n");
        for key in &s.recovery_recipients {
            text.push_str(&format!("  {:<24} {key}  recovery key\n", holder(s, key)));
        }
    }
    out.write_all(text.as_bytes()).map_err(stdout_error)
}

fn add(global: &Global, key: &str, name: &str, recovery: bool, out: &mut dyn Write) -> Result<()> {
    vault::parse_recipients(&[key.to_string()])?;
    let name = &secret::holder_name(name)?;
    if name.is_empty() {
        return Err(Error::Usage(
            "Give the name of the person who holds the key: --name NAME.".into(),
        ));
    }
    let (mut vault, mut book, opened) = open(global, Access::Write)?;
    if book.settings.recipients.iter().any(|k| k == key)
        || book.settings.recovery_recipients.iter().any(|k| k == key)
    {
        return Err(Error::Usage(format!(
            "{key} can already open this logbook or its backups: `logbook keys` lists them."
        )));
    }
    let stamp = Stamp::new(operator(global, Some(&opened), &book.settings)?, now());
    book.update_settings(&stamp, |s| {
        if recovery {
            s.recovery_recipients.push(key.to_string());
        } else {
            s.recipients.push(key.to_string());
        }
        s.holders.retain(|h| h.key != key);
        s.holders.push(Holder {
            key: key.to_string(),
            name: name.to_string(),
        });
    })?;
    vault.save(&book)?;
    let what = if recovery {
        "can now open every backup made from now on (not the logbook itself)"
    } else {
        "can now open the logbook, and every backup made from now on"
    };
    writeln!(out, "{} ({key}) {what}.", line(name)).map_err(stdout_error)?;
    follow_concern_folder(&vault, &book, out)
}

/// A form kept beside the logbook (the app ended by a signal) follows a change of the
/// logbook's keys, sealed again with the key that opened it (tester5 #7); said when there
/// is one.
pub(super) fn follow_kept_draft(
    vault: &vault::Vault,
    book: &crate::model::Logbook,
    opened: &vault::Key,
    out: &mut dyn Write,
) -> Result<()> {
    let recipients = &book.settings.recipients;
    if recipients.is_empty() {
        return Ok(());
    }
    match crate::tui::kept_draft::rekey(vault.path(), opened, recipients) {
        Some(said) => writeln!(out, "{}", line(&said)).map_err(stdout_error),
        None => Ok(()),
    }
}

/// The concern folder follows every key change (tester findings 27, 37).
fn follow_concern_folder(
    vault: &vault::Vault,
    book: &crate::model::Logbook,
    out: &mut dyn Write,
) -> Result<()> {
    match crate::concern::follow(vault, book) {
        Some(said) => writeln!(out, "{said}").map_err(stdout_error),
        None => Ok(()),
    }
}

/// A key as people know it: its holder's name, or the start of the key when it has none.
pub(super) fn named(settings: &Settings, key: &str) -> String {
    settings.holders.iter().find(|h| h.key == key).map_or_else(
        || format!("{}...", key.chars().take(16).collect::<String>()),
        |h| line(&h.name).into_owned(),
    )
}

/// "A", "A and B", "A, B and C".
pub(super) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Who can open the logbook and its backups once `s` is in force, in one sentence: said
/// before a key is removed (with the question) and after. `mine`: the keys the logbook was
/// opened with, marked as the person's own.
pub(super) fn who_is_left(s: &Settings, mine: &[String]) -> String {
    let opens: Vec<String> = s
        .recipients
        .iter()
        .map(|k| {
            if *k == s.passphrase_key {
                "the passphrase".to_string()
            } else if mine.contains(k) {
                format!("{} (your key)", named(s, k))
            } else {
                named(s, k)
            }
        })
        .collect();
    let recovery: Vec<String> = s.recovery_recipients.iter().map(|k| named(s, k)).collect();
    let backups = match recovery.as_slice() {
        [] => "no recovery key will open the backups made from now on (if those keys are lost, nothing opens them)".to_string(),
        [one] => format!("the recovery key of {one} also opens the backups made from now on"),
        many => format!(
            "the recovery keys of {} also open the backups made from now on",
            and_list(many)
        ),
    };
    let opens = if opens.is_empty() {
        "no key".to_string()
    } else {
        and_list(&opens)
    };
    format!("Then only {opens} can open the logbook, and {backups}.")
}

fn remove(global: &Global, who: &str, yes: bool, out: &mut dyn Write) -> Result<()> {
    let (mut vault, mut book, opened) = open(global, Access::Write)?;
    let s = &book.settings;
    let keys: Vec<String> = if who.starts_with("age1") {
        vec![who.to_string()]
    } else {
        s.holders
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(who))
            .map(|h| h.key.clone())
            .collect()
    };
    let keys: Vec<String> = keys
        .into_iter()
        .filter(|k| s.recipients.contains(k) || s.recovery_recipients.contains(k))
        .collect();
    let [key] = keys.as_slice() else {
        return Err(Error::Usage(if keys.is_empty() {
            format!(
                "No key of {} opens this logbook or its backups: `logbook keys` lists them.",
                line(who)
            )
        } else {
            format!(
                "{} holds several keys: remove them one at a time by public key (`logbook keys` lists them).",
                line(who)
            )
        }));
    };
    let key = key.clone();
    if key == s.passphrase_key {
        return Err(Error::Usage(
            "That is the passphrase's key: change the passphrase with `logbook passwd` instead, which makes a new one.".into(),
        ));
    }
    if opened.public_keys().contains(&key) {
        return Err(Error::Usage(
            "That is the key you opened the logbook with: open it with another holder's key (or the passphrase) to remove it.".into(),
        ));
    }
    if s.recipients == [key.clone()] {
        return Err(Error::Usage(
            "That is the only key that opens the logbook: add another first (`logbook keys add`)."
                .into(),
        ));
    }
    let name = holder(s, &key);
    let recovery = s.recovery_recipients.contains(&key);
    let mut after = s.clone();
    after.recipients.retain(|k| *k != key);
    after.recovery_recipients.retain(|k| *k != key);
    let mine = opened.public_keys();
    let who_name = named(s, &key);
    // Never someone else's access (nor the last recovery key) without a question: a
    // mistaken or malicious command by one holder must not silently lock out the others
    // (tester3 #33).
    let loses = if recovery {
        "will no longer open the backups made from now on"
    } else {
        "will no longer open the logbook, nor the backups made from now on"
    };
    let said = format!(
        "{who_name}'s key ({key}) {loses}; older backups still open with it.\n{}\n",
        who_is_left(&after, &mine)
    );
    if !super::backup::confirm(
        yes,
        &said,
        &format!("Remove {who_name}'s key? Type yes to remove it: "),
        &format!(
            "Removing {who_name}'s key needs a yes, and there is no terminal to ask: nothing was changed; run it again with --yes to remove it."
        ),
    )? {
        writeln!(out, "Nothing was changed: {who_name}'s key stays.").map_err(stdout_error)?;
        return Ok(());
    }
    let stamp = Stamp::new(operator(global, Some(&opened), &book.settings)?, now());
    book.update_settings(&stamp, |s| {
        s.recipients.retain(|k| *k != key);
        s.recovery_recipients.retain(|k| *k != key);
    })?;
    vault.save(&book)?;
    let what = if recovery {
        "no longer opens backups made from now on"
    } else {
        "can no longer open the logbook (it is re-encrypted without it), nor backups made from now on"
    };
    writeln!(
        out,
        "{name} ({key}) {what}. {} Every older backup, on any medium, still opens with it: make a new backup now (`logbook backup`), then destroy the older backups that key could open.",
        who_is_left(&book.settings, &mine)
    )
    .map_err(stdout_error)?;
    follow_concern_folder(&vault, &book, out)
}

/// `logbook keys passphrase FILE`: a new passphrase on the holder's own key file. The key
/// inside is unchanged, so nothing about the logbook changes and nothing is audited; the
/// logbook's own passphrase key file is refused (`passwd` makes a new key for that).
fn key_passphrase(
    global: &Global,
    file: &Path,
    new_file: Option<&PathBuf>,
    out: &mut dyn Write,
) -> Result<()> {
    let shown = crate::text::path(file);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(stem) = name.strip_suffix(".key.age")
        && file.with_file_name(format!("{stem}.age")).exists()
    {
        return Err(Error::Usage(format!(
            "{shown} is the key file of the passphrase logbook beside it: change that passphrase with `logbook --logbook {} passwd`, which also makes a new key.",
            crate::text::path(&file.with_file_name(format!("{stem}.age")))
        )));
    }
    if crate::backup::is_backup_name(&name)
        || (name.starts_with("logbook-") && name.contains("-key-"))
    {
        return Err(Error::Usage(format!(
            "{shown} belongs to a backup: it keeps the passphrase the backup was made with, so leave it as it is."
        )));
    }
    let bytes = zeroize::Zeroizing::new(
        vault::file::read_regular(
            file,
            vault::file::limits::IDENTITY,
            vault::file::Links::Follow,
        )
        .map_err(|e| match e {
            e if vault::file::is_not_found(&e) => Error::Usage(format!(
                "The key file {shown} does not exist: check the path given."
            )),
            e => e,
        })?,
    );
    let protected = vault::is_protected(file);
    // A logbook or any other age file is not a key file: said before a passphrase is asked.
    let identity = if protected {
        vault::header_is_scrypt(&bytes)
    } else {
        std::str::from_utf8(&bytes).is_ok_and(vault::is_identity_text)
    };
    if !identity {
        return Err(Error::BadIdentity(file.to_path_buf()));
    }
    let mut old_pass = None;
    let plain: zeroize::Zeroizing<Vec<u8>> = if protected {
        let old = match &global.passphrase_file {
            Some(f) => secret::read_passphrase_file(f)?,
            None => secret::ask(
                &format!("Current passphrase of the key file {shown}: "),
                "key file's passphrase",
            )
            .map_err(|e| match e {
                Error::NoTerminal(_) => Error::Usage(
                    "There is no terminal to ask the key file's passphrases: give --passphrase-file OLD and --new-passphrase-file NEW.".into(),
                ),
                other => other,
            })?,
        };
        if std::io::stderr().is_terminal() {
            eprintln!("Unlocking...");
        }
        let plain =
            vault::decrypt(file, &bytes, &vault::Key::passphrase(&old)).map_err(|e| match e {
                Error::WrongSecret => Error::KeyFiles(format!(
                    "Wrong passphrase for the key file {shown}: nothing was changed; try again."
                )),
                other => other,
            })?;
        old_pass = Some(old);
        plain
    } else {
        bytes.clone()
    };
    let text = std::str::from_utf8(&plain).map_err(|_| Error::BadIdentity(file.to_path_buf()))?;
    let holder = vault::holder_in(text).unwrap_or_default().to_string();
    let new = secret::new_passphrase(new_file, &[holder.as_str()]).map_err(|e| match e {
        Error::NoTerminal(_) => Error::Usage(
            "There is no terminal to ask the new passphrase: give --new-passphrase-file FILE."
                .into(),
        ),
        other => other,
    })?;
    if old_pass
        .as_ref()
        .is_some_and(|old| old.as_str() == new.expose_secret())
    {
        return Err(Error::Usage(
            "That is the passphrase the key file already has: give a new one (nothing was changed).".into(),
        ));
    }
    vault::reprotect_identity_file(file, &plain, &new)?;
    let (what, copies) = if protected {
        (
            "now opens with the new passphrase only",
            "still opens with the old passphrase",
        )
    } else {
        ("is now protected with the passphrase", "is unprotected")
    };
    writeln!(
        out,
        "The key file {shown} {what}. Its key is unchanged, so it opens the logbook and its backups as before; any copy of the file made earlier {copies}: destroy it."
    )
    .map_err(stdout_error)
}

/// `passwd` on a logbook opened with key files, which has no passphrase to change:
/// refused (before anything is asked) unless --to-passphrase says to replace every key
/// file with a passphrase. Then each other holder's key is removed by its own audit entry
/// (naming them), the logbook is sealed to a new passphrase key, and the holders removed
/// are named. Returns false for any other logbook: `passwd` goes on as before.
pub(super) fn passwd_in_key_mode(
    global: &Global,
    args: &PasswdArgs,
    out: &mut dyn Write,
) -> Result<bool> {
    let path = logbook_path(global)?;
    let to_keys = !args.recipient.is_empty() || args.recipients_file.is_some();
    if to_keys || !path.exists() {
        return Ok(false);
    }
    if vault::mode(&path)? != vault::Mode::Keys {
        if args.to_passphrase {
            return Err(Error::Usage(format!(
                "{} already opens with a passphrase: leave out --to-passphrase to change it.",
                crate::text::path(&path)
            )));
        }
        return Ok(false);
    }
    if !args.to_passphrase {
        return Err(Error::Usage(format!(
            "{} opens with key files, so it has no passphrase to change: to change your key file's passphrase use `logbook keys passphrase FILE` (the logbook is untouched); to replace every holder's key file with a passphrase, give `passwd --to-passphrase` (it names the holders it removes).",
            crate::text::path(&path)
        )));
    }
    let (mut vault, mut book, opened) = open(global, Access::Write)?;
    let stamp = Stamp::new(operator(global, Some(&opened), &book.settings)?, now());
    let mine = opened.public_keys();
    let others: Vec<String> = book
        .settings
        .recipients
        .iter()
        .filter(|k| !mine.contains(k))
        .cloned()
        .collect();
    // Other holders lose the logbook: asked first, as `keys remove` does (tester3 #33).
    if !others.is_empty() {
        let gone: Vec<String> = others.iter().map(|k| named(&book.settings, k)).collect();
        let said = format!(
            "The key files of {} will no longer open the logbook, nor the backups made from now on; only the new passphrase will.\n",
            and_list(&gone)
        );
        if !super::backup::confirm(
            args.yes,
            &said,
            "Replace every key file with the passphrase? Type yes to go ahead: ",
            &format!(
                "This removes the keys of {}, which needs a yes, and there is no terminal to ask: nothing was changed; run it again with --yes.",
                and_list(&gone)
            ),
        )? {
            writeln!(out, "Nothing was changed.").map_err(stdout_error)?;
            return Ok(true);
        }
    }
    let pass = secret::new_passphrase(
        args.new_passphrase_file.as_ref(),
        &secret::names(&book.settings),
    )?;
    let mut removed = Vec::new();
    for key in &others {
        removed.push(format!("{} ({key})", holder(&book.settings, key)));
        // The holder's entry goes with the key, so this entry's changes name them.
        book.update_settings(&stamp, |s| {
            s.recipients.retain(|k| k != key);
            s.holders.retain(|h| h.key != *key);
        })?;
    }
    vault.change_passphrase(&mut book, &pass, &stamp)?;
    let removed = if removed.is_empty() {
        String::new()
    } else {
        format!(
            " These holders' key files no longer open it: {}.",
            removed.join(", ")
        )
    };
    writeln!(
        out,
        "{} now opens with the passphrase, through the key file {} beside it (keep the two together); the key file you opened it with no longer opens it.{removed} Make a new backup now: older backups still open with the keys they were made with.",
        vault.path().display(),
        vault::key_file_path(vault.path()).display()
    )
    .map_err(stdout_error)?;
    follow_kept_draft(&vault, &book, &opened, out)?;
    follow_concern_folder(&vault, &book, out)?;
    Ok(true)
}

/// `passwd --recipient` (or --recipients-file): the logbook re-encrypted to exactly the keys
/// given (key mode). A key it already has keeps its holder's name; a new one must be named
/// (`age1...=NAME`), so that nothing is recorded with a nameless key; the holders whose keys
/// it drops are named, asked about first (as `keys remove` does) and audited (tester3 #29).
pub(super) fn passwd_to_keys(
    global: &Global,
    args: &PasswdArgs,
    out: &mut dyn Write,
) -> Result<()> {
    let (keys, given) = secret::recipients(&args.recipient, args.recipients_file.as_ref())?;
    let (mut vault, mut book, opened) = open(global, Access::Write)?;
    let s = &book.settings;
    let mut holders = Vec::new();
    for key in &keys {
        match given
            .iter()
            .chain(s.holders.iter().filter(|h| h.key != s.passphrase_key))
            .find(|h| h.key == *key)
        {
            Some(h) => holders.push(h.clone()),
            None => {
                return Err(Error::Usage(format!(
                    "Name the holder of {key}: give it as --recipient \"{key}=NAME\", so that what is recorded with it is recorded under their name. Nothing was changed."
                )));
            }
        }
    }
    let mine = opened.public_keys();
    let dropped: Vec<&String> = s.recipients.iter().filter(|k| !keys.contains(k)).collect();
    let others: Vec<String> = dropped
        .iter()
        .filter(|k| ***k != s.passphrase_key && !mine.contains(k))
        .map(|k| format!("{} ({k})", named(s, k)))
        .collect();
    let had_key_file = !s.passphrase_key.is_empty();
    let mut after = s.clone();
    after.recipients.clone_from(&keys);
    after.passphrase_key.clear();
    for h in &holders {
        after.holders.retain(|o| o.key != h.key);
        after.holders.push(h.clone());
    }
    if !others.is_empty() {
        let said = format!(
            "The key files of {} will no longer open the logbook, nor the backups made from now on.\n{}\n",
            and_list(&others),
            who_is_left(&after, &mine)
        );
        if !super::backup::confirm(
            args.yes,
            &said,
            "Re-encrypt the logbook to the keys given only? Type yes to go ahead: ",
            &format!(
                "This removes the keys of {}, which needs a yes, and there is no terminal to ask: nothing was changed; run it again with --yes.",
                and_list(&others)
            ),
        )? {
            writeln!(out, "Nothing was changed.").map_err(stdout_error)?;
            return Ok(());
        }
    }
    let stamp = Stamp::new(operator(global, Some(&opened), &book.settings)?, now());
    vault.change_to_keys(&mut book, keys.clone(), holders, &stamp)?;
    let s = &book.settings;
    let now_open: Vec<String> = keys.iter().map(|k| named(s, k)).collect();
    let mut text = format!(
        "{} is now opened with the key files of {} only",
        vault.path().display(),
        and_list(&now_open)
    );
    if had_key_file {
        text.push_str("; its passphrase and passphrase key file no longer open it");
    }
    text.push('.');
    if !others.is_empty() {
        text.push_str(&format!(
            " These holders' key files no longer open it: {}.",
            and_list(&others)
        ));
    }
    text.push_str(" Make a new backup now: older backups still open as they did.");
    writeln!(out, "{}", line(&text)).map_err(stdout_error)?;
    follow_kept_draft(&vault, &book, &opened, out)?;
    follow_concern_folder(&vault, &book, out)
}
