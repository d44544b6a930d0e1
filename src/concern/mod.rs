//! The staff concern drop-box on disk: an inbox folder (a shared drive or a stick) that
//! any member of staff can write a concern into and only the DSL can read.
//!
//! - `logbook-recipients.txt`: the logbook's public keys and id, written by
//!   `logbook concern-setup`. Public: it opens nothing.
//! - `concern-<32 random hex>.age`: one concern, a standard age file encrypted to those
//!   keys, holding a small RON record (`ConcernFile`). The name is random: it holds none of
//!   the concern's words, nor who wrote it.
//! - `set-aside/`: files that could not be taken in (damaged, for another logbook, already
//!   taken in), moved there and never read again by the app. Beside each, `NAME.why`
//!   holds the reason it was set aside and what to do (never any of the concern's words),
//!   so every later look can still say why.
//!
//! Writing needs no secret; reading needs the logbook's key. A concern file is removed only
//! after the logbook that took it in has been saved (`remove`).

use std::fs;
use std::path::{Path, PathBuf};

use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Concern, ConcernOutcome, ConcernRecord, Logbook, RECEIPT_ALPHABET};
use crate::vault::{self, Key, Recipients, file};

/// The file of public keys in the inbox.
pub const RECIPIENTS_FILE: &str = "logbook-recipients.txt";
/// The folder problem files are moved to.
pub const SET_ASIDE: &str = "set-aside";
/// What a concern file's RON says it is.
pub const KIND: &str = "safeguard-logbook staff concern";
/// The version of `ConcernFile` this build writes; a larger one is refused as newer.
pub const VERSION: u32 = 1;
/// Far beyond any concern typed by hand: a wrong file fails at once.
const LIMIT: u64 = 1 << 20;

/// The plaintext inside a concern file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConcernFile {
    pub kind: String,
    pub version: u32,
    /// The id of the logbook it is for (`Logbook::id`), or empty when the member of staff
    /// gave only the public keys (`--to`): then any logbook whose key opens it takes it.
    pub logbook: String,
    pub concern: Concern,
}

/// Whether a file name is a concern's: `concern-` and 32 lower-case hex digits, `.age`.
pub fn is_concern_name(name: &str) -> bool {
    name.strip_prefix("concern-")
        .and_then(|r| r.strip_suffix(".age"))
        .is_some_and(|hex| {
            hex.len() == 32
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// A new random file name that reveals nothing about the concern.
fn new_name() -> String {
    let bytes: [u8; 16] = rand::rngs::OsRng.r#gen();
    format!(
        "concern-{}.age",
        crate::model::sha256_hex(&bytes)[..32].to_owned()
    )
}

/// A new receipt number, C-XXXX-XXXX, from the operating system's random source.
pub fn new_receipt() -> String {
    let mut rng = rand::rngs::OsRng;
    let mut pick = || RECEIPT_ALPHABET[rng.gen_range(0..RECEIPT_ALPHABET.len())] as char;
    let a: String = (0..4).map(|_| pick()).collect();
    let b: String = (0..4).map(|_| pick()).collect();
    format!("C-{a}-{b}")
}

/// Writes the logbook's public keys and id into the inbox (replacing an older copy), for
/// `logbook concern --inbox DIR` to encrypt to. Returns the file written.
pub fn write_recipients(
    dir: &Path,
    logbook_id: &str,
    organisation: &str,
    keys: &[String],
) -> Result<PathBuf> {
    if !dir.is_dir() {
        fs::create_dir_all(dir).map_err(|e| Error::io("creating the folder", dir, e))?;
    }
    let path = dir.join(RECIPIENTS_FILE);
    let mut text = format!(
        "# The public keys of the safeguarding logbook{}.\n\
         # They only lock a concern so that the DSL alone can read it: they open nothing.\n\
         # Staff write a concern with:  logbook concern --inbox {}\n\
         # logbook: {logbook_id}\n",
        if organisation.trim().is_empty() {
            String::new()
        } else {
            format!(" of {}", crate::text::line(organisation.trim()))
        },
        dir.display()
    );
    for k in keys {
        text.push_str(k);
        text.push('\n');
    }
    match file::replace_atomically(&path, None, |out| out.write_all(text.as_bytes())) {
        Ok(_) | Err(Error::Unflushed { .. }) => {}
        Err(e) => return Err(e),
    }
    // Every member of staff must be able to read it: it holds public keys only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io("making readable", &path, e))?;
    }
    Ok(path)
}

/// The keys a concern is encrypted to: the logbook's everyday keys (`everyday`, as it is
/// sealed to) and its recovery keys, so that a concern waiting when a key is lost or stolen
/// can still be read with the recovery key kept in the safe (tester finding 37). Older
/// versions read every key line alike, so a folder with them works for them too.
pub fn folder_keys(everyday: &[String], settings: &crate::model::Settings) -> Vec<String> {
    let mut keys: Vec<String> = everyday.to_vec();
    for k in &settings.recovery_recipients {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    keys
}

/// After a command changed the logbook's keys (and saved it): rewrites the concern folder's
/// `logbook-recipients.txt` with the new keys, as `concern-setup` does, so that staff
/// concerns are no longer written to a removed (perhaps stolen) key (tester findings 27,
/// 37). `everyday` is what the logbook is now sealed to. Returns one sentence to print,
/// or None when the logbook has no concern folder. A folder that is not there (a stick not
/// plugged in) is not created, and a folder set up for another logbook is left alone: the
/// sentence then says to run `concern-setup` once it is reachable.
pub fn follow_keys(
    settings: &crate::model::Settings,
    logbook_id: &str,
    everyday: &[String],
) -> Option<String> {
    let folder = settings.concern_inbox.trim();
    if folder.is_empty() {
        return None;
    }
    let dir = Path::new(folder);
    let shown = crate::text::path(dir);
    let not_updated = |why: &str| {
        format!(
            "Warning: the concern folder {shown} could not be updated ({why}): run `logbook concern-setup --inbox {shown}` as soon as it is reachable, or staff concerns will be written to the old keys."
        )
    };
    if everyday.is_empty() {
        return Some(not_updated("the logbook's keys are not known here"));
    }
    if !dir.is_dir() {
        return Some(not_updated("it is not there"));
    }
    if let Err(e) = refuse_other_logbook(dir, logbook_id) {
        return Some(not_updated(&e.to_string()));
    }
    let keys = folder_keys(everyday, settings);
    match write_recipients(dir, logbook_id, &settings.organisation, &keys) {
        Ok(path) => Some(format!(
            "The concern folder's {} now holds the logbook's new public keys, so staff concerns are encrypted to them from now on.",
            crate::text::path(&path)
        )),
        Err(e) => Some(not_updated(e.to_string().trim_end_matches('.'))),
    }
}

/// `follow_keys` for a logbook just saved through `vault`: the keys it is sealed to now.
pub fn follow(vault: &vault::Vault, book: &Logbook) -> Option<String> {
    let everyday: Vec<String> = vault
        .recipients(&book.settings)
        .map(|r| r.as_slice().iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    follow_keys(&book.settings, &book.id(), &everyday)
}

/// Refuses a folder whose `logbook-recipients.txt` names another logbook: it was set up for
/// that logbook, whose staff would then write concerns only this one could read (tester
/// finding 40). A folder without the file, or whose file names this logbook or none, passes.
pub fn refuse_other_logbook(dir: &Path, logbook_id: &str) -> Result<()> {
    let path = dir.join(RECIPIENTS_FILE);
    if fs::symlink_metadata(&path).is_err() {
        return Ok(());
    }
    let Ok((_, id)) = read_recipients(&path) else {
        return Ok(());
    };
    if id.is_empty() || id == logbook_id {
        return Ok(());
    }
    let text = fs::read_to_string(&path).unwrap_or_default();
    let organisation = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# The public keys of the safeguarding logbook of "))
        .map(|o| o.trim_end_matches('.').to_string());
    Err(Error::Usage(format!(
        "{} was set up for another logbook ({}, id {}): staff who use that folder would write concerns only this logbook could read. Check the folder; if it really is to be this logbook's, remove {} first, then run `logbook concern-setup` again. Nothing was changed.",
        crate::text::path(dir),
        organisation.map_or_else(
            || "organisation not named".to_string(),
            |o| crate::text::line(&o).into_owned()
        ),
        crate::text::line(&id),
        crate::text::path(&path)
    )))
}

/// `concern --to-file FILE` into a folder set up by a DSL: FILE's keys must all be that
/// folder's logbook's, and it must name no other logbook, or the concern would be set aside
/// unread while the member of staff is told it is with the DSL (tester finding 34). A folder
/// without its own file (or one that cannot be read) leaves FILE as given.
pub fn refuse_foreign_to_file(
    inbox: &Path,
    to_file: &Path,
    keys: &[String],
    logbook_id: &str,
) -> Result<()> {
    let list = inbox.join(RECIPIENTS_FILE);
    let Ok((folder_keys, folder_id)) = read_recipients(&list) else {
        return Ok(());
    };
    let known = |k: &String| folder_keys.iter().any(|f| f.trim() == k.trim());
    let other_id = !logbook_id.is_empty() && !folder_id.is_empty() && logbook_id != folder_id;
    if other_id || !keys.iter().all(known) {
        return Err(Error::Usage(format!(
            "{} is not this folder's: it holds other keys than {} (or names another logbook), so the DSL's logbook could not read a concern encrypted with it: nothing was sent; leave out --to-file to use the folder's keys.",
            crate::text::path(to_file),
            crate::text::path(&list)
        )));
    }
    Ok(())
}

/// Reads a recipients file: its `age1...` keys and the logbook id it names (if any).
pub fn read_recipients(path: &Path) -> Result<(Vec<String>, String)> {
    let bytes = file::read_regular(path, LIMIT, file::Links::Follow).map_err(|e| {
        let folder = file::folder_of(path);
        // A mistyped or unplugged folder is named as such, not as a folder set up wrongly
        // (tester4 #13).
        if file::is_not_found(&e) && !folder.is_dir() {
            Error::Usage(format!(
                "There is no folder {}: check the folder given (ask your DSL which folder concerns go to), or plug in the medium it is on.",
                crate::text::path(&folder)
            ))
        } else if file::is_not_found(&e) {
            Error::Usage(format!(
                "There is no {} in {}: ask your DSL which folder concerns go to (they set it up with `logbook concern-setup`).",
                RECIPIENTS_FILE,
                file::folder_of(path).display()
            ))
        } else {
            e
        }
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::Usage(format!(
            "{} is not a file of public keys: ask your DSL to run `logbook concern-setup` again.",
            path.display()
        ))
    })?;
    let mut keys = Vec::new();
    let mut id = String::new();
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("# logbook:") {
            id = rest.trim().to_string();
        } else if !line.is_empty() && !line.starts_with('#') {
            keys.push(line.to_string());
        }
    }
    if keys.is_empty() {
        return Err(Error::Usage(format!(
            "{} holds no public key: ask your DSL to run `logbook concern-setup` again.",
            path.display()
        )));
    }
    Ok((keys, id))
}

/// Encrypts `concern` to `keys` and writes it into the inbox under a random name, readable
/// by all (0644: it is encrypted, and the DSL is often another computer user) and fsynced. Nothing else is written anywhere. Returns the file's path and whether
/// the folder could be flushed too (a folder staff may write but not read, `chmod 1733`,
/// cannot be opened to flush it: the file is there, but a power cut might lose it).
pub fn write(
    dir: &Path,
    keys: &[String],
    logbook_id: &str,
    concern: &Concern,
) -> Result<(PathBuf, bool)> {
    concern.check()?;
    let recipients = Recipients::parse(keys)?;
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "The concern folder {} does not exist: check the path (ask your DSL), or plug in the drive it is on.",
            dir.display()
        )));
    }
    let value = ConcernFile {
        kind: KIND.into(),
        version: VERSION,
        logbook: logbook_id.to_string(),
        concern: concern.clone(),
    };
    let mut path = dir.join(new_name());
    while fs::symlink_metadata(&path).is_ok() {
        path = dir.join(new_name());
    }
    let flushed = match file::replace_atomically(&path, None, |out| {
        vault::encrypt_ron(out, recipients.encryptor(), &value)
    }) {
        Ok(_) => true,
        // Renamed into place: the concern is written, only the folder was not flushed.
        Err(Error::Unflushed { .. }) => false,
        Err(e) => return Err(e),
    };
    // Staff and the DSL are often different computer users (a shared folder, README): the
    // file is written owner-only, so it is opened to all here, or the DSL's account could
    // never read it (tester finding 41). It is encrypted to the logbook's keys and its name
    // is random, so reading it gives nothing away.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = fs::set_permissions(&path, fs::Permissions::from_mode(0o644)) {
            // Unreadable by the DSL it would wait unread: better not sent, and said so.
            let _ = fs::remove_file(&path);
            return Err(Error::io("making readable by the DSL", &path, e));
        }
    }
    Ok((path, flushed))
}

/// Why a file in the inbox cannot be taken in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// It does not open with this logbook's key.
    NotOpened,
    /// It opens but is not a whole concern (the detail says what is wrong).
    Damaged(String),
    /// A concern written by a newer version of logbook.
    Newer(u32),
    /// A concern for another logbook.
    OtherLogbook,
    /// A concern whose receipt is already in the logbook (or earlier in this inbox).
    AlreadyTakenIn(String),
    /// This computer user may not read it (the owner's name, or uid): never set aside,
    /// since it is no fault of the file; it is left to be read once access is given.
    Unreadable(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The age header does not say which keys a file was written to, so which of
            // these it is cannot be told without the key it was written to.
            Problem::NotOpened => f.write_str(
                "it does not open with the keys given (written to a key this logbook no longer has, for another logbook, or damaged)",
            ),
            Problem::Damaged(detail) => write!(f, "it is damaged ({detail})"),
            Problem::Newer(v) => write!(
                f,
                "it was written by a newer version of logbook (concern version {v}): upgrade logbook, then look at it again"
            ),
            Problem::OtherLogbook => f.write_str("it is a concern for another logbook"),
            Problem::AlreadyTakenIn(receipt) => {
                write!(f, "concern {receipt} was taken in already")
            }
            Problem::Unreadable(owner) => write!(
                f,
                "it cannot be read: permission denied (owned by {owner})"
            ),
        }
    }
}

impl Problem {
    /// What the DSL can do about a file set aside for this reason.
    pub fn what_to_do(&self) -> &'static str {
        match self {
            Problem::NotOpened => {
                "if the logbook's keys changed lately (a key removed or lost), move it back into the concern folder and look again giving the recovery key too (`logbook --identity YOUR.key --identity RECOVERY.key concerns`); otherwise ask staff who passed on a concern lately to write it again (check with `logbook concern-setup` that the folder holds this logbook's keys)"
            }
            Problem::OtherLogbook => {
                "ask staff who passed on a concern lately to write it again (check with `logbook concern-setup` that the folder holds this logbook's keys)"
            }
            Problem::Damaged(_) => "ask staff who passed on a concern lately to write it again",
            Problem::Newer(_) => "upgrade logbook, then move the file back into the concern folder",
            Problem::AlreadyTakenIn(_) => "nothing: it is a second copy; remove it once checked",
            Problem::Unreadable(_) => {
                "ask IT to let the DSL's account read files in the folder; it is left there and read on the next look"
            }
        }
    }
}

/// A concern waiting in the inbox.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub path: PathBuf,
    pub concern: Concern,
}

/// A file that was moved aside, and why.
#[derive(Debug, Clone)]
pub struct SetAside {
    pub name: String,
    pub problem: Problem,
    /// Where it went, or why it could not be moved.
    pub moved: std::result::Result<PathBuf, String>,
}

impl SetAside {
    /// One plain sentence for the person.
    pub fn sentence(&self) -> String {
        match &self.moved {
            Ok(to) => format!(
                "{} was set aside: {}; it is now in {}.",
                self.name,
                self.problem,
                to.display()
            ),
            Err(e) => format!(
                "{} cannot be taken in: {}; it could not be moved aside ({e}).",
                self.name, self.problem
            ),
        }
    }
}

/// A file in the folder's `set-aside/`, whenever it was set aside.
#[derive(Debug, Clone)]
pub struct Aside {
    pub name: String,
    /// Why it was set aside and what to do (its `.why`), or None when not kept.
    pub why: Option<String>,
}

impl Aside {
    /// One plain sentence for the person.
    pub fn sentence(&self) -> String {
        match &self.why {
            Some(why) => format!("{SET_ASIDE}/{}: {why}", self.name),
            None => format!(
                "{SET_ASIDE}/{}: the reason was not kept (set aside by an earlier version); ask staff who passed on a concern lately to write it again.",
                self.name
            ),
        }
    }
}

/// What the inbox holds for this logbook.
#[derive(Debug, Default)]
pub struct Inbox {
    /// Concerns to take in, oldest first.
    pub concerns: Vec<Incoming>,
    /// Files moved aside this time.
    pub set_aside: Vec<SetAside>,
    /// Every file in `set-aside/` (this time's too), by name, with why and what to do.
    pub aside: Vec<Aside>,
    /// Whatever else is wrong with the folder (its public keys file changed), one sentence each.
    pub warnings: Vec<String>,
}

/// Reads one concern file with the logbook's key.
pub fn read(path: &Path, key: &Key, book: &Logbook) -> std::result::Result<Concern, Problem> {
    let bytes = file::read_regular(path, LIMIT, file::Links::Refuse).map_err(|e| match &e {
        Error::Io(f) if f.source.kind() == std::io::ErrorKind::PermissionDenied => {
            Problem::Unreadable(owner_of(path))
        }
        _ => Problem::Damaged(short(&e)),
    })?;
    let plain = match vault::decrypt(path, &bytes, key) {
        Ok(p) => p,
        Err(Error::WrongSecret | Error::NeedsPassphrase(_) | Error::NeedsIdentity(_)) => {
            return Err(Problem::NotOpened);
        }
        Err(_) => return Err(Problem::Damaged("not a whole age file".into())),
    };
    let text = std::str::from_utf8(&plain)
        .map_err(|_| Problem::Damaged("its contents are not text".into()))?;
    let value: ConcernFile = match ron::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            #[derive(Deserialize)]
            struct Probe {
                kind: String,
                version: u32,
            }
            if let Ok(p) = ron::from_str::<Probe>(text)
                && p.kind == KIND
                && p.version > VERSION
            {
                return Err(Problem::Newer(p.version));
            }
            return Err(Problem::Damaged(format!(
                "not a concern record: line {}, column {}",
                e.span.start.line, e.span.start.col
            )));
        }
    };
    if value.kind != KIND {
        return Err(Problem::Damaged("not a concern record".into()));
    }
    if value.version > VERSION {
        return Err(Problem::Newer(value.version));
    }
    if !value.logbook.is_empty() && value.logbook != book.id() {
        return Err(Problem::OtherLogbook);
    }
    value
        .concern
        .check()
        .map_err(|e| Problem::Damaged(e.message))?;
    if book.concern(&value.concern.receipt).is_some() {
        return Err(Problem::AlreadyTakenIn(value.concern.receipt.clone()));
    }
    Ok(value.concern)
}

/// Who owns a file, by user name where `/etc/passwd` names them (else `uid N`), for the
/// DSL to tell IT whose files their account cannot read.
fn owner_of(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(meta) = fs::symlink_metadata(path) else {
            return "an unknown user".into();
        };
        let uid = meta.uid();
        let named = fs::read_to_string("/etc/passwd").ok().and_then(|text| {
            text.lines().find_map(|line| {
                let mut parts = line.split(':');
                let name = parts.next()?;
                let id: u32 = parts.nth(1)?.parse().ok()?;
                (id == uid).then(|| name.to_string())
            })
        });
        named.unwrap_or_else(|| format!("uid {uid}"))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        "another user".into()
    }
}

fn short(e: &Error) -> String {
    match e {
        Error::NotRegular(_) => "not a regular file".into(),
        Error::TooLarge { .. } => "far too large for a concern".into(),
        Error::Io(f) => f.source.to_string(),
        other => other.to_string(),
    }
}

/// Reads every concern file in the inbox with the logbook's key. Files that cannot be taken
/// in are moved to `set-aside/` and reported; concerns not yet taken in are returned, oldest
/// first. Files in `skip` (taken in, waiting for the save before they are removed) are left
/// alone. A missing inbox folder is an error saying what to do.
pub fn read_inbox(dir: &Path, key: &Key, book: &Logbook, skip: &[PathBuf]) -> Result<Inbox> {
    // The logbook's id is its trail's first hash: without the trail every concern would
    // look written for another logbook and be set aside.
    if book.trail_pending {
        return Err(Error::Usage(
            "The concern inbox is read once the logbook's history has been checked: wait a moment and look again.".into(),
        ));
    }
    let entries = fs::read_dir(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::Usage(format!(
            "The concern inbox {} is not there: plug in the drive it is on, or set it up again with `logbook concern-setup --inbox DIR`.",
            dir.display()
        )),
        _ => Error::io("reading the concern inbox", dir, e),
    })?;
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| is_concern_name(n))
        .filter(|n| !skip.contains(&dir.join(n)))
        .collect();
    names.sort();
    let mut inbox = Inbox::default();
    for name in names {
        let path = dir.join(&name);
        let result = read(&path, key, book).and_then(|c| {
            // Two copies of one concern in the inbox: only the first is taken in.
            if inbox
                .concerns
                .iter()
                .any(|i| i.concern.receipt == c.receipt)
            {
                Err(Problem::AlreadyTakenIn(c.receipt.clone()))
            } else {
                Ok(c)
            }
        });
        match result {
            Ok(concern) => inbox.concerns.push(Incoming { path, concern }),
            // Not the file's fault: left where it is, said on every look until readable.
            Err(problem @ Problem::Unreadable(_)) => inbox.warnings.push(format!(
                "{name} {}: {}.",
                problem.to_string().trim_start_matches("it "),
                problem.what_to_do()
            )),
            Err(problem) => {
                let why = format!("{}; what to do: {}.", problem, problem.what_to_do());
                let moved = set_aside(dir, &name, &why).map_err(|e| e.to_string());
                inbox.set_aside.push(SetAside {
                    name,
                    problem,
                    moved,
                });
            }
        }
    }
    inbox.concerns.sort_by_key(|i| i.concern.written);
    if let Some(w) = check_recipients(dir, &book.settings) {
        inbox.warnings.push(w);
    }
    inbox.aside = list_aside(dir);
    Ok(inbox)
}

/// Every file in `DIR/set-aside/` with its kept reason, by name. A folder that is not there
/// (nothing set aside yet) or cannot be listed gives none: the files themselves are never read.
pub fn list_aside(dir: &Path) -> Vec<Aside> {
    let aside = dir.join(SET_ASIDE);
    if fs::symlink_metadata(&aside).map_or(true, |m| !m.is_dir()) {
        return Vec::new();
    }
    let Ok(entries) = fs::read_dir(&aside) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(WHY))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let why = file::read_regular(
                &aside.join(format!("{name}{WHY}")),
                4096,
                file::Links::Refuse,
            )
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
            Aside { name, why }
        })
        .collect()
}

/// The ending of the file kept beside a set-aside file, saying why.
const WHY: &str = ".why";

/// Whether the inbox's public keys file still holds exactly the logbook's keys. Anyone who
/// can write to the folder could put their own key there and so read the concerns written
/// after: the DSL is told at once. (`keys` empty: a logbook that names none; not checked.)
/// A folder set up by an earlier version holds the everyday keys alone; one set up now
/// holds the recovery keys too (`folder_keys`): either is this logbook's.
fn check_recipients(dir: &Path, settings: &crate::model::Settings) -> Option<String> {
    let keys = &settings.recipients;
    if keys.is_empty() {
        return None;
    }
    let path = dir.join(RECIPIENTS_FILE);
    let found = read_recipients(&path).map(|(k, _)| k);
    let sorted = |keys: &[String]| {
        let mut a: Vec<String> = keys.iter().map(|k| k.trim().to_string()).collect();
        a.sort_unstable();
        a.dedup();
        a
    };
    let same = found.as_ref().is_ok_and(|found| {
        let found = sorted(found);
        found == sorted(keys) || found == sorted(&folder_keys(keys, settings))
    });
    (!same).then(|| {
        format!(
            "{} in the concern folder does not hold exactly this logbook's public keys (it was changed, removed, or the keys changed since): staff concerns may be encrypted to someone else; run `logbook concern-setup --inbox {}` now.",
            RECIPIENTS_FILE,
            dir.display()
        )
    })
}

/// Moves `DIR/name` into `DIR/set-aside/` (owner-only), never over another file, and keeps
/// `why` (no concern text) beside it for later looks.
fn set_aside(dir: &Path, name: &str, why: &str) -> Result<PathBuf> {
    let aside = dir.join(SET_ASIDE);
    // A link planted in a shared folder would send the files elsewhere.
    if fs::symlink_metadata(&aside).is_ok_and(|m| !m.is_dir()) {
        return Err(Error::NotRegular(aside));
    }
    file::ensure_private_dir(&aside)?;
    let mut to = aside.join(name);
    let mut n = 2;
    while fs::symlink_metadata(&to).is_ok() {
        to = aside.join(format!("{name}.{n}"));
        n += 1;
    }
    let from = dir.join(name);
    fs::rename(&from, &to).map_err(|e| Error::io("moving aside", &from, e))?;
    let _ = file::sync_folder(dir);
    // The file is aside either way; without its reason a later look says it was not kept.
    let mut why_path = to.clone().into_os_string();
    why_path.push(WHY);
    // A reason left from a file of the same name removed by hand is not this file's.
    let _ = fs::remove_file(&why_path);
    let _ = file::write_new_private(Path::new(&why_path), format!("{why}\n").as_bytes());
    Ok(to)
}

/// Removes a concern file once the logbook holding it has been saved.
pub fn remove(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("removing the concern file", path, e)),
    }
    file::sync_folder(&file::folder_of(path))
        .map_err(|e| Error::io("flushing the concern inbox", path, e))
}

/// What a member of staff is told when their concern could not be written into the folder
/// (full, read-only, gone): that it was NOT passed on, to tell the DSL in person now, and
/// everything they typed, so it can be handed over (or typed again) without being lost.
pub fn not_passed_on(concern: &Concern) -> String {
    let shown = |s: &str| {
        if s.trim().is_empty() {
            "(not given)".to_string()
        } else {
            crate::text::block(s).into_owned()
        }
    };
    format!(
        "Your concern was NOT passed on: it could not be written into the concern folder (the reason is below). Tell the DSL in person now, and give them what you wrote (copy it from here before closing this window):\n\n\
         What you saw or heard:\n{}\nWhen: {}\nWho: {}\nWhere: {}\nWhat you did: {}\nFrom: {}{}\n",
        shown(&concern.what),
        shown(&concern.when),
        shown(&concern.who),
        shown(&concern.place),
        shown(&concern.action),
        crate::text::line(&concern.by),
        if concern.role.trim().is_empty() {
            String::new()
        } else {
            format!(" ({})", crate::text::line(&concern.role))
        }
    )
}

/// A concern whole, labelled, for reading before deciding and after (the app's reader,
/// `logbook concerns --show`, tester3 #43): who wrote it, when and its receipt, what was
/// seen or heard, then each answer labelled as its evidence item labels it. A "When" such as
/// "today 12:50" is given the day the concern was written beside it, since it is read on a
/// later day (tester3 #28). Every text is escaped for display.
pub fn whole(c: &Concern) -> String {
    let shown = |s: &str| {
        if s.trim().is_empty() {
            "(not given)".to_string()
        } else {
            crate::text::block(s).into_owned()
        }
    };
    let mut text = format!(
        "From: {}\nWritten: {} ({})\nReceipt: {}\n\nWhat was seen or heard:\n{}\n\n",
        crate::text::line(&c.from()),
        crate::present::at(&c.written),
        c.written.format("%A"),
        c.receipt,
        shown(&c.what)
    );
    for (label, value) in c.answers() {
        text.push_str(&format!("{label}: {}", shown(value)));
        if label == "When" && !value.trim().is_empty() {
            text.push_str(&format!(
                " (written {})",
                c.written.format("%a %Y-%m-%d %H:%M")
            ));
        }
        text.push('\n');
    }
    text
}

/// What was decided about a concern taken in, whole: the decision now with its reason,
/// who made it and when, then each decision it replaced with who replaced it, when and why.
/// Escaped for display.
pub fn decision(r: &ConcernRecord) -> String {
    fn said(o: &ConcernOutcome) -> String {
        match o {
            ConcernOutcome::NewIncident { incident, evidence } => {
                format!("recorded as a new incident, {incident}; its words are evidence {evidence}")
            }
            ConcernOutcome::AddedTo { incident, evidence } => {
                format!("added to {incident} as evidence {evidence}")
            }
            ConcernOutcome::NoFurtherAction { reason } => format!(
                "no further action. Reason: {}",
                crate::text::block(reason.trim())
            ),
        }
    }
    let (when, by) = r.decided();
    let mut text = format!(
        "Decision: {}\n  by {} on {}",
        said(&r.outcome),
        crate::text::line(by),
        crate::present::when(when)
    );
    if !r.earlier.is_empty() {
        text.push_str(&format!(
            "\nTaken in by {} on {}",
            crate::text::line(&r.taken_in_by),
            crate::present::when(r.taken_in)
        ));
    }
    for e in &r.earlier {
        text.push_str(&format!(
            "\nEarlier decision: {}\n  by {} on {}; replaced by {} on {}. Why: {}",
            said(&e.outcome),
            crate::text::line(&e.decided_by),
            crate::present::when(e.decided),
            crate::text::line(&e.replaced_by),
            crate::present::when(e.replaced),
            crate::text::block(e.why.trim())
        ));
    }
    text.push('\n');
    text
}

/// The first words of a text on one line, for lists: at most `max` characters.
pub fn first_words(text: &str, max: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let cut: String = line.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_receipts_are_random_and_reveal_nothing() {
        let a = new_name();
        assert!(is_concern_name(&a), "{a}");
        assert_ne!(a, new_name());
        let r = new_receipt();
        assert!(crate::model::is_receipt(&r), "{r}");
        assert_ne!(r, new_receipt());
        assert!(!is_concern_name("concern-JB-bullying.age"));
        assert!(!is_concern_name(RECIPIENTS_FILE));
    }

    #[test]
    fn files_are_never_set_aside_through_a_planted_link() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let name = new_name();
        fs::write(dir.path().join(&name), b"x").unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join(SET_ASIDE)).unwrap();
        assert!(set_aside(dir.path(), &name, "why").is_err());
        assert!(dir.path().join(&name).exists());
        assert!(fs::read_dir(elsewhere.path()).unwrap().next().is_none());
        fs::remove_file(dir.path().join(SET_ASIDE)).unwrap();
        let to = set_aside(dir.path(), &name, "why").unwrap();
        assert!(to.starts_with(dir.path().join(SET_ASIDE)) && to.exists());
    }

    #[test]
    fn first_words_are_cut_at_a_word() {
        assert_eq!(first_words("a  b\nc", 10), "a b c");
        let long = first_words("They keep posting my photo on the group chat", 20);
        assert!(long.ends_with('…') && long.chars().count() <= 20, "{long}");
    }
}
