//! A form in progress when the app is ended from outside (the terminal window closed, an
//! SSH session dropped: SIGHUP; a shutdown: SIGTERM) is kept on disk beside the logbook,
//! as the idle lock keeps it in memory: encrypted to the logbook's public keys (never
//! plaintext), owner-only, written atomically, in `NAME.draft.age`. So is a change whose
//! save had failed. The next unlock puts it back, says so in one sentence (when it was
//! kept, by whom), and removes the file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::draft::Draft;
use crate::vault::{self, Key, Recipients};

/// What the file holds, encrypted.
#[derive(Serialize, Deserialize)]
pub struct Kept {
    /// When it was kept (local time, "YYYY-MM-DD HH:MM").
    pub at: String,
    /// Who was recording.
    pub by: String,
    /// Why the app ended ("the terminal was closed").
    pub why: String,
    /// SHA-256 of the logbook's file when it was kept: a change not saved is put back only
    /// onto that very file, never over what was written to it since.
    pub file: String,
    /// The form and unsaved change, or (kept while locked) the draft as the lock sealed it.
    pub draft: Option<Draft>,
    pub sealed: Option<Vec<u8>>,
}

/// `logbook.age` -> `logbook.draft.age`, beside it.
pub fn path_for(logbook: &Path) -> PathBuf {
    let logbook = vault::file::resolve_link(logbook);
    let name = logbook
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "logbook.age".into());
    let stem = name.strip_suffix(".age").unwrap_or(&name);
    vault::file::folder_of(&logbook).join(format!("{stem}.draft.age"))
}

/// Why the app ended, in words, for the sentence on the next unlock.
pub fn why(signal: i32) -> &'static str {
    match signal {
        signal_hook::consts::SIGHUP => "its terminal was closed",
        signal_hook::consts::SIGTERM => "it was told to stop (SIGTERM)",
        _ => "it was stopped by a signal",
    }
}

/// SHA-256 of the logbook's file ("" when there is none).
pub fn file_hash(logbook: &Path) -> String {
    std::fs::read(vault::file::resolve_link(logbook))
        .map(|b| crate::model::sha256_hex(&b))
        .unwrap_or_default()
}

/// Encrypts `kept` to `recipients` (the logbook's public keys) and writes it beside the
/// logbook. A kept form already there was never put back (a put-back one is removed), so
/// it is set aside under a numbered name, never written over (tester5 #7: a form kept
/// before a passphrase change was destroyed by the next one). Returns the path written and
/// where an older one was set aside.
pub fn write(
    logbook: &Path,
    recipients: &[String],
    kept: &Kept,
) -> Result<(PathBuf, Option<PathBuf>), String> {
    let path = path_for(logbook);
    let aside = set_aside(&path)?;
    seal(&path, recipients, kept)?;
    Ok((path, aside))
}

/// Moves a kept form at `path` to the first free `NAME.draft-N.age` beside it.
fn set_aside(path: &Path) -> Result<Option<PathBuf>, String> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(None);
    }
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let stem = name.strip_suffix(".draft.age").unwrap_or(&name);
    let folder = vault::file::folder_of(path);
    let free = (1..1000)
        .map(|n| folder.join(format!("{stem}.draft-{n}.age")))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .ok_or_else(|| "too many kept forms beside the logbook".to_string())?;
    std::fs::rename(path, &free).map_err(|e| e.to_string())?;
    let _ = vault::file::sync_folder(&folder);
    Ok(Some(free))
}

/// After `passwd` or any change of the logbook's keys: the form kept beside it, sealed to
/// the old keys, is sealed again to the new ones with the key that opened the logbook
/// (tester5 #7), so the next unlock opens it. The sentence to say, or None when there is
/// no kept form.
pub fn rekey(logbook: &Path, old: &Key, recipients: &[String]) -> Option<String> {
    let path = path_for(logbook);
    let bytes = std::fs::read(&path).ok()?;
    let shown = crate::text::line(&path.display().to_string()).into_owned();
    Some(match open(&path, &bytes, old) {
        Ok((mut kept, draft)) => {
            kept.draft = Some(draft);
            kept.sealed = None;
            match seal(&path, recipients, &kept) {
                Ok(()) => format!(
                    "The form kept in {shown} (kept {} by {}) is sealed to the new keys too: it comes back when the logbook is next unlocked.",
                    crate::text::line(&kept.at),
                    crate::text::line(&kept.by)
                ),
                Err(e) => format!(
                    "The form kept in {shown} could NOT be sealed to the new keys ({e}): only the old key opens it now."
                ),
            }
        }
        Err(_) => format!(
            "The form kept in {shown} does not open with the key given either; it is left as it is."
        ),
    })
}

/// Encrypts `kept` to `recipients` into `path`, atomically, owner-only.
fn seal(path: &Path, recipients: &[String], kept: &Kept) -> Result<(), String> {
    let text = Zeroizing::new(ron::to_string(kept).map_err(|e| e.to_string())?);
    let recipients = Recipients::parse(recipients).map_err(|e| e.to_string())?;
    vault::file::replace_atomically(path, None, |out| {
        let mut w = recipients
            .encryptor()
            .wrap_output(out)
            .map_err(std::io::Error::other)?;
        w.write_all(text.as_bytes())?;
        w.finish().map(|_| ())
    })
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// The draft kept beside the logbook, opened with `key`: None when there is none, an
/// error sentence when there is one that cannot be opened (it is left where it is).
pub fn read(logbook: &Path, key: &Key) -> Option<Result<(Kept, Draft), String>> {
    let path = path_for(logbook);
    let bytes = std::fs::read(&path).ok()?;
    Some(open(&path, &bytes, key))
}

fn open(path: &Path, bytes: &[u8], key: &Key) -> Result<(Kept, Draft), String> {
    let shown = crate::text::line(&path.display().to_string()).into_owned();
    let cannot = |why: String| {
        format!(
            "A form kept when the app was closed could not be opened ({why}): it is left in {shown}."
        )
    };
    let parse = |bytes: &[u8]| -> Result<Zeroizing<Vec<u8>>, String> {
        vault::decrypt(path, bytes, key).map_err(|e| match e {
            // The passphrase was right (the logbook opened): "wrong passphrase, try
            // again" would send the DSL the wrong way (tester5 #7).
            crate::error::Error::WrongSecret | crate::error::Error::KeyFiles(_) => cannot(
                "it does not open with the key that opened the logbook: it was kept before the passphrase or keys were changed, or beside another logbook".into(),
            ),
            e => cannot(e.to_string()),
        })
    };
    let plain = parse(bytes)?;
    let mut kept: Kept = std::str::from_utf8(&plain)
        .map_err(|e| cannot(e.to_string()))
        .and_then(|t| ron::from_str(t).map_err(|e| cannot(e.to_string())))?;
    let draft = match (kept.draft.take(), kept.sealed.take()) {
        (Some(d), _) => d,
        (None, Some(sealed)) => {
            let plain = parse(&sealed)?;
            std::str::from_utf8(&plain)
                .map_err(|e| cannot(e.to_string()))
                .and_then(|t| ron::from_str(t).map_err(|e| cannot(e.to_string())))?
        }
        (None, None) => return Err(cannot("it holds nothing".into())),
    };
    Ok((kept, draft))
}

/// Removes the kept draft (restored or found empty).
pub fn remove(logbook: &Path) {
    let path = path_for(logbook);
    if std::fs::remove_file(&path).is_ok() {
        let _ = vault::file::sync_folder(&vault::file::folder_of(&path));
    }
}

/// The sentence said on the unlock that puts it back.
pub fn restored_words(kept: &Kept, form: bool, change: Option<bool>) -> String {
    let who = if kept.by.is_empty() {
        String::new()
    } else {
        format!(" by {}", crate::text::line(&kept.by))
    };
    let what = match (form, change) {
        (true, Some(true)) => {
            "the form being filled in and the change not yet saved are back (R saves it)"
        }
        (true, _) => "the form being filled in is back: Ctrl-S saves it, Esc discards it",
        (false, Some(true)) => "the change not yet saved is back: R saves it",
        _ => "nothing could be put back",
    };
    let lost = if change == Some(false) {
        "; the change not saved then was NOT put back (the logbook has changed since, or its history failed its check): it stays in the kept draft file beside the logbook"
    } else {
        ""
    };
    format!(
        "Kept{who} when the app was closed at {} ({}): {what}{lost}.",
        kept.at,
        crate::text::line(&kept.why)
    )
}

/// Local time as the sentence shows it.
pub fn stamp(now: NaiveDateTime) -> String {
    now.format("%Y-%m-%d %H:%M").to_string()
}
