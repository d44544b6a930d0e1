//! `logbook keys`: who can open the logbook and its backups, and changing that.

use std::io::Write;

use super::args::{Global, KeysChange};
use super::{now, open, operator, stdout_error};
use crate::error::{Error, Result};
use crate::model::{Holder, Settings, Stamp};
use crate::text::line;
use crate::vault::{self, Access};

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
        Some(KeysChange::Remove { who }) => remove(global, who.trim(), out),
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
    writeln!(out, "{} ({key}) {what}.", line(name)).map_err(stdout_error)
}

fn remove(global: &Global, who: &str, out: &mut dyn Write) -> Result<()> {
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
        "{name} ({key}) {what}. Every older backup, on any medium, still opens with it: make a new backup now (`logbook backup`), then destroy the older backups that key could open."
    )
    .map_err(stdout_error)
}
