//! The encrypted logbook file: one standard age v1 file holding RON, always encrypted to
//! X25519 recipients. Opening reads and decrypts the whole file before parsing; saving
//! replaces it atomically and needs no secret (it seals to the public keys in the
//! settings); a separate lock file keeps a second writer out.
//!
//! Passphrase mode keeps an X25519 identity beside the logbook in `NAME.key.age`, an age
//! file encrypted with the passphrase: unlocking costs one scrypt run, saving none, and
//! `age -d -i NAME.key.age NAME.age` opens the pair without this program. Logbooks from
//! before key files (encrypted to the passphrase itself) still open, and move to a key
//! file the first time they are opened for writing (`Vault::migrate`).

mod codec;
pub mod file;
mod held;
mod key;

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use zeroize::Zeroizing;

use codec::SealedFile;
pub use codec::{
    TrailSpan, decode, decode_records, decrypt, encrypt_ron, header_is_scrypt, read_trail, to_ron,
    wipe_for_exit,
};
pub use file::{FileId, Lock};
pub use held::{Delta, Held, Tracker};
pub use key::{
    Identities, Key, Recipients, fingerprint, holder_in, is_identity_text, is_protected, keygen,
    open_protected, open_to_others, opens_file, parse_recipients, passphrase_recipient,
    read_identity_file, read_identity_file_with_holder, read_key_file, reprotect_identity_file,
    write_identity,
};

use crate::error::{Error, Result};
use crate::model::{Holder, Logbook, Settings, Stamp};

/// `logbook.age` -> `logbook.key.age`: the passphrase-protected identity beside a
/// passphrase-mode logbook.
pub fn key_file_path(logbook: &Path) -> PathBuf {
    let name = logbook
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "logbook.age".into());
    let stem = name.strip_suffix(".age").unwrap_or(&name);
    file::folder_of(logbook).join(format!("{stem}.key.age"))
}

/// A new key file waits here until the logbook encrypted to it has replaced the old one;
/// then it is renamed over the key file. A crash in between leaves both, and opening
/// tries both (the logbook opens with exactly one of them).
fn next_key_file_path(logbook: &Path) -> PathBuf {
    let mut name = key_file_path(logbook).into_os_string();
    name.push(".next");
    PathBuf::from(name)
}

/// How a logbook is opened, as far as can be told without a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Encrypted to a passphrase itself (written before key files).
    OldPassphrase,
    /// Encrypted to X25519 keys, with a passphrase-protected key file beside it.
    Passphrase,
    /// Encrypted to X25519 keys, opened with key files given with `--identity`.
    Keys,
}

/// The first bytes of a file: enough for any age header a logbook has.
fn head(path: &Path) -> Result<Vec<u8>> {
    let mut head = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NoLogbook(path.to_path_buf()),
            _ => Error::io("reading", path, e),
        })?;
    Ok(head)
}

/// A passphrase logbook's key file left readable by other users (copied in by `cp`, say)
/// lets any of them take the sealed key and try passphrases offline. It is made owner-only
/// (0600, as every save makes the logbook itself), and the sentence saying so is returned,
/// naming a folder others can also open. None when there is nothing to say.
pub fn tighten_key_file(logbook: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let logbook = file::resolve_link(logbook);
        let key_file = key_file_path(&logbook);
        let meta = fs::symlink_metadata(&key_file).ok()?;
        if !meta.is_file() {
            return None;
        }
        let mode = open_to_others(&key_file)?;
        let fixed = fs::set_permissions(&key_file, fs::Permissions::from_mode(0o600)).is_ok();
        let folder = file::folder_of(&logbook);
        let folder_words = match open_to_others(&folder) {
            Some(m) => format!(
                "; its folder {} can be opened by others too (mode {m:o}): `chmod 700 {}` keeps them out",
                crate::text::path(&folder),
                crate::text::path(&folder)
            ),
            None => String::new(),
        };
        let shown = crate::text::path(&key_file);
        Some(if fixed {
            format!(
                "Warning: the key file {shown} could be read by other users of this computer (mode {mode:o}): it is now yours alone (600), as the logbook is{folder_words}."
            )
        } else {
            format!(
                "Warning: the key file {shown} can be read by other users of this computer (mode {mode:o}) and could not be changed: make it yours alone with `chmod 600 {shown}`{folder_words}."
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = logbook;
        None
    }
}

/// How many X25519 keys the age file at `path` is sealed to, read from its header (no
/// secret needed): a passphrase logbook sealed to more than its own key has key holders,
/// who may unlock it with their key files. 0 when it cannot be read.
pub fn sealed_keys(path: &Path) -> usize {
    let Ok(head) = head(path) else { return 0 };
    if !head.starts_with(b"age-encryption.org/v1\n") {
        return 0;
    }
    head.split(|&b| b == b'\n')
        .skip(1)
        .take_while(|l| !l.starts_with(b"---"))
        .filter(|l| l.starts_with(b"-> X25519 "))
        .count()
}

/// The logbook whose passphrase key file `path` is (`NAME.key.age`, sealed with a
/// passphrase, beside `NAME.age`), if it is one: given by mistake for the logbook (the
/// two names are alike), it would decrypt and then read as a damaged logbook.
pub fn logbook_of_key_file(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let stem = name
        .strip_suffix(".key.age")
        .or_else(|| name.strip_suffix(".key.age.next"))?;
    let logbook = file::folder_of(path).join(format!("{stem}.age"));
    (logbook.is_file() && header_is_scrypt(&head(path).ok()?)).then_some(logbook)
}

/// Refuses the passphrase key file given as the logbook, naming the logbook it opens.
pub fn refuse_key_file_as_logbook(path: &Path) -> Result<()> {
    match logbook_of_key_file(path) {
        Some(logbook) => Err(Error::Usage(format!(
            "{} is the passphrase key file of {}, not a logbook: give --logbook {} (the key file stays beside it).",
            crate::text::path(path),
            crate::text::path(&logbook),
            crate::text::path(&logbook)
        ))),
        None => Ok(()),
    }
}

/// Reads the age header's stanza types and looks for a key file beside `path`.
pub fn mode(path: &Path) -> Result<Mode> {
    refuse_key_file_as_logbook(path)?;
    if header_is_scrypt(&head(path)?) {
        return Ok(Mode::OldPassphrase);
    }
    if key_file_path(path).exists() || next_key_file_path(path).exists() {
        return Ok(Mode::Passphrase);
    }
    Ok(Mode::Keys)
}

/// Decrypts `ciphertext` (the file at `path`) with what the user gave: identities
/// directly; a passphrase through the key file beside it (one scrypt run), or directly for
/// a logbook from before key files. Returns the plaintext, the key that opened it
/// (identities, or the passphrase for an old logbook) and whether it was the new key file
/// of an interrupted passphrase change.
fn open_bytes(
    path: &Path,
    ciphertext: &SealedFile,
    key: &Key,
) -> Result<(Zeroizing<Vec<u8>>, Key, bool)> {
    open_sealed(path, ciphertext, key, codec::decrypt_sealed)
}

/// `open_bytes`, with `read` turning the file into what is wanted with the key found
/// (`codec::decrypt_decode`: the logbook, parsed as it is decrypted).
fn open_sealed<T>(
    path: &Path,
    ciphertext: &SealedFile,
    key: &Key,
    read: fn(&Path, &SealedFile, &Key) -> Result<T>,
) -> Result<(T, Key, bool)> {
    let Key::Passphrase(pass) = key else {
        return Ok((read(path, ciphertext, key)?, key.clone(), false));
    };
    if header_is_scrypt(ciphertext.head()) {
        return Ok((read(path, ciphertext, key)?, key.clone(), false));
    }
    let candidates: Vec<(PathBuf, bool)> = [
        (key_file_path(path), false),
        (next_key_file_path(path), true),
    ]
    .into_iter()
    .filter(|(p, _)| p.exists())
    .collect();
    if candidates.is_empty() {
        return Err(Error::NeedsIdentity(path.to_path_buf()));
    }
    let mut error = Error::WrongSecret;
    for (key_file, next) in candidates {
        let ids = match read_key_file(&key_file, pass) {
            Ok(ids) => ids,
            Err(e @ Error::WrongSecret) => {
                error = e;
                continue;
            }
            Err(e) => return Err(e),
        };
        let found = Key::Identities(ids);
        match read(path, ciphertext, &found) {
            Ok(plain) => return Ok((plain, found, next)),
            Err(Error::WrongSecret) => {}
            Err(e) => return Err(e),
        }
    }
    Err(error)
}

/// An open logbook file: where it is, the public keys saves seal to, and (when writable)
/// the lock. It holds no secret, except, until `migrate` runs, the passphrase of a
/// logbook from before key files.
pub struct Vault {
    path: PathBuf,
    lock: Option<Lock>,
    /// The file as it was when opened or last saved, to refuse saving over someone else's write.
    seen: FileId,
    /// Who saves seal to when the settings name no recipients (the demo, and logbooks
    /// written before recipients were kept): the public keys of the identities that opened it.
    fallback: Option<Recipients>,
    /// A logbook from before key files, opened for writing: its passphrase, until
    /// `migrate` has moved it to a key file. Saving refuses until then.
    old_passphrase: Option<SecretString>,
}

/// Whether the caller will write: only writers take the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

impl Vault {
    /// Creates a new logbook file at `path`, sealed to its settings' recipients (or to
    /// `fallback` when it names none); refuses if one is there already.
    pub fn create(path: &Path, logbook: &Logbook, fallback: Option<Recipients>) -> Result<Vault> {
        let folder = file::folder_of(path);
        file::ensure_private_dir(&folder)?;
        let lock = Lock::acquire(path)?;
        if path.exists() {
            return Err(Error::Exists(path.to_path_buf()));
        }
        file::remove_stale_temps(path);
        let recipients = seal_to(&logbook.settings, fallback.as_ref())?;
        let seen = file::replace_atomically(path, None, |out| {
            codec::encrypt_to(out, &recipients, logbook)
        })?;
        Ok(Vault {
            path: path.to_path_buf(),
            lock: Some(lock),
            seen,
            fallback,
            old_passphrase: None,
        })
    }

    /// Opens, decrypts and parses the logbook at `path`. Returns the key that opened it:
    /// identities (from key files or the passphrase's key file), or, for a logbook from
    /// before key files, the passphrase.
    pub fn open(path: &Path, key: &Key, access: Access) -> Result<(Vault, Logbook, Key)> {
        // A symlinked logbook is saved beside the real file, keeping the link.
        let path = &file::resolve_link(path);
        refuse_key_file_as_logbook(path)?;
        let lock = lock_for(path, access)?;
        let (ciphertext, seen) = read_file(path)?;
        // Decrypted straight from the file (`SealedFile`), and parsed as it is decrypted:
        // the peak memory is the records, not the ciphertext or the whole plaintext too.
        let (logbook, opened, next) = open_sealed(path, &ciphertext, key, codec::decrypt_decode)?;
        drop(ciphertext);
        if next && lock.is_some() {
            // A passphrase change was interrupted after the logbook was re-encrypted:
            // finish it.
            promote_key_file(path)?;
        }
        let (fallback, old_passphrase) = match &opened {
            Key::Identities(ids) => (Some(ids.recipients()), None),
            Key::Passphrase(p) => (None, lock.is_some().then(|| p.clone())),
        };
        Ok((
            Vault {
                path: path.to_path_buf(),
                lock,
                seen,
                fallback,
                old_passphrase,
            },
            logbook,
            opened,
        ))
    }

    /// Opens like `open`, but parses only the records: the logbook comes back with
    /// `trail_pending` set and an empty trail, which `PendingTrail::check` reads and checks
    /// afterwards (on another thread). Nothing can be changed or saved until then. A logbook
    /// from before key files is opened whole, since `migrate` writes it at once.
    pub fn open_records(
        path: &Path,
        key: &Key,
        access: Access,
    ) -> Result<(Vault, Logbook, Key, Option<PendingTrail>)> {
        let path = &file::resolve_link(path);
        refuse_key_file_as_logbook(path)?;
        if access == Access::Write && header_is_scrypt(&head(path)?) {
            let (vault, book, key) = Vault::open(path, key, access)?;
            return Ok((vault, book, key, None));
        }
        let lock = lock_for(path, access)?;
        let (ciphertext, seen) = read_file(path)?;
        // The trail's text is kept, not the whole plaintext (`codec::decrypt_records`).
        let ((logbook, text), opened, next) =
            open_sealed(path, &ciphertext, key, codec::decrypt_records)?;
        drop(ciphertext);
        if next && lock.is_some() {
            promote_key_file(path)?;
        }
        let fallback = match &opened {
            Key::Identities(ids) => Some(ids.recipients()),
            Key::Passphrase(_) => None,
        };
        Ok((
            Vault {
                path: path.to_path_buf(),
                lock,
                seen,
                fallback,
                old_passphrase: None,
            },
            logbook,
            opened,
            Some(PendingTrail {
                path: path.to_path_buf(),
                text,
            }),
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The public keys a save seals `logbook` to.
    pub fn recipients(&self, settings: &Settings) -> Result<Recipients> {
        seal_to(settings, self.fallback.as_ref())
    }

    /// Encrypts and saves the logbook atomically over the file this vault opened. Needs
    /// no secret: it seals to the public keys in the settings.
    pub fn save(&mut self, logbook: &Logbook) -> Result<()> {
        let seen = self.seen.clone();
        self.write(logbook, Some(&seen))
    }

    /// Writes the logbook again where it was opened, after that file was deleted or moved
    /// away (`Error::Vanished`): the person asked for it, knowing the file is gone. Refused
    /// if a file has appeared there since, which is never overwritten.
    pub fn save_again(&mut self, logbook: &Logbook) -> Result<()> {
        self.check_vanished()?;
        self.write(logbook, None)
    }

    /// Refuses to write again where the logbook was if a file has appeared there.
    fn check_vanished(&self) -> Result<()> {
        match fs::symlink_metadata(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Ok(_) => Err(Error::ChangedOnDisk(self.path.clone())),
            Err(e) => Err(Error::io("checking", &self.path, e)),
        }
    }

    /// Saves the save thread's copy of the logbook (`Held`) as `save` saves a logbook, byte
    /// for byte, writing each unchanged record from its stored text.
    pub fn save_held(&mut self, held: &Held) -> Result<()> {
        let seen = self.seen.clone();
        self.write_held(held, Some(&seen))
    }

    /// `save_again` for the save thread's copy.
    pub fn save_held_again(&mut self, held: &Held) -> Result<()> {
        self.check_vanished()?;
        self.write_held(held, None)
    }

    fn write_held(&mut self, held: &Held, expected: Option<&file::FileId>) -> Result<()> {
        if held.out_of_step() {
            return Err(Error::Usage(
                "The save thread's copy of the logbook is out of step with the app (a defect): nothing was saved; quit and open the logbook again.".into(),
            ));
        }
        self.write_with(held.logbook(), expected, |out, recipients| {
            held.encrypt_to(out, recipients)
        })
    }

    /// Writes over the file, which must still be `expected` (if given).
    fn write(&mut self, logbook: &Logbook, expected: Option<&file::FileId>) -> Result<()> {
        self.write_with(logbook, expected, |out, recipients| {
            codec::encrypt_to(out, recipients, logbook)
        })
    }

    /// Writes over the file with `encrypt` (which writes `logbook`), after the checks that
    /// every save makes.
    fn write_with(
        &mut self,
        logbook: &Logbook,
        expected: Option<&file::FileId>,
        encrypt: impl FnOnce(&mut dyn std::io::Write, &Recipients) -> std::io::Result<()>,
    ) -> Result<()> {
        if self.lock.is_none() {
            return Err(Error::Usage(
                "This logbook was opened read-only: open it for writing to save.".into(),
            ));
        }
        // Its `audit` is not the trail yet: saving it would write the records without
        // their history.
        if logbook.trail_pending {
            return Err(Error::Usage(
                "The history has not been read and checked yet: nothing was saved; wait for the check, then try again.".into(),
            ));
        }
        let recipients = self.recipients(&logbook.settings)?;
        match file::replace_atomically(&self.path, expected, |out| encrypt(out, &recipients)) {
            Ok(id) => {
                self.seen = id;
                Ok(())
            }
            // Saved, not yet durable: the new file is the logbook, so later saves go over it.
            Err(Error::Unflushed { path, id, source }) => {
                self.seen = id.clone();
                Err(Error::Unflushed { path, id, source })
            }
            Err(e) => Err(e),
        }
    }

    /// Encrypts bytes in memory to the logbook's public keys `recipients` (from its
    /// settings; a draft kept while locked): no secret is needed, and only the logbook's
    /// key opens it again.
    pub fn seal_bytes(&self, recipients: &[String], plain: &[u8]) -> Result<Vec<u8>> {
        let recipients = if recipients.is_empty() {
            self.fallback.clone().ok_or_else(|| {
                Error::Usage("This logbook names no key to encrypt a draft to.".into())
            })?
        } else {
            Recipients::parse(recipients)?
        };
        let mut out = Vec::new();
        let mut w = recipients
            .encryptor()
            .wrap_output(&mut out)
            .map_err(|e| Error::io("encrypting", &self.path, e))?;
        std::io::Write::write_all(&mut w, plain)
            .and_then(|()| w.finish().map(|_| ()))
            .map_err(|e| Error::io("encrypting", &self.path, e))?;
        Ok(out)
    }

    /// Whether this is a logbook from before key files, opened for writing, that must be
    /// migrated before it can be saved.
    pub fn needs_migration(&self) -> bool {
        self.old_passphrase.is_some()
    }

    /// Moves a logbook from before key files to passphrase mode: a new identity, sealed
    /// with the same passphrase into the key file beside it, and the logbook re-encrypted
    /// to its public key, with an audit entry. Returns the new identity (none if there was
    /// nothing to migrate). The key file is written first: a crash before the logbook is
    /// replaced leaves a key file the old logbook ignores, and the next opening migrates
    /// again.
    pub fn migrate(&mut self, logbook: &mut Logbook, stamp: &Stamp) -> Result<Option<Identities>> {
        let Some(pass) = self.old_passphrase.clone() else {
            return Ok(None);
        };
        let ids = self.new_passphrase_identity(logbook, &pass, stamp)?;
        self.old_passphrase = None;
        Ok(Some(ids))
    }

    /// Changes the passphrase: a NEW identity, sealed with `pass` into the key file, and
    /// the logbook re-encrypted to it (audited), so that the old passphrase and any copy
    /// of the old key file open nothing written from now on. A key-mode logbook becomes a
    /// passphrase logbook (its key files no longer open it).
    pub fn change_passphrase(
        &mut self,
        logbook: &mut Logbook,
        pass: &SecretString,
        stamp: &Stamp,
    ) -> Result<Identities> {
        let ids = self.new_passphrase_identity(logbook, pass, stamp)?;
        self.old_passphrase = None;
        Ok(ids)
    }

    fn new_passphrase_identity(
        &mut self,
        logbook: &mut Logbook,
        pass: &SecretString,
        stamp: &Stamp,
    ) -> Result<Identities> {
        let mut changed = logbook.clone();
        let ids = stage_passphrase_key(&self.path, &mut changed, pass, stamp)?;
        if let Err(e) = self.save(&changed) {
            discard_staged_key_file(&self.path);
            return Err(e);
        }
        *logbook = changed;
        promote_key_file(&self.path)?;
        Ok(ids)
    }

    /// Re-encrypts to these public keys only (key mode) and removes the passphrase's key
    /// file, which then opens nothing written from now on.
    pub fn change_to_keys(
        &mut self,
        logbook: &mut Logbook,
        keys: Vec<String>,
        holders: Vec<Holder>,
        stamp: &Stamp,
    ) -> Result<()> {
        Recipients::parse(&keys)?;
        let mut changed = logbook.clone();
        let mut after = changed.settings.clone();
        let old = std::mem::take(&mut after.passphrase_key);
        after
            .holders
            .retain(|h| h.key != old && !holders.iter().any(|n| n.key == h.key));
        after.holders.extend(holders);
        after.recipients = keys;
        if after != changed.settings {
            changed.update_settings(stamp, |s| *s = after)?;
        }
        self.save(&changed)?;
        *logbook = changed;
        self.old_passphrase = None;
        let key_file = key_file_path(&self.path);
        if key_file.exists() {
            fs::remove_file(&key_file)
                .and_then(|()| file::sync_folder(&file::folder_of(&key_file)))
                .map_err(|e| Error::io("removing", &key_file, e))?;
        }
        Ok(())
    }
}

/// Refuses at once when another process holds the logbook's lock, so that a writer is told
/// before a passphrase is asked and the slow unlock runs only to end in "locked" (tester2
/// #35). The lock is taken and let go: the open that follows takes it again (and says
/// "locked" itself if someone took it in between). Only "locked" is reported here; any other
/// trouble with the lock file (a read-only folder) is left to the open to name.
pub fn refuse_if_locked(path: &Path) -> Result<()> {
    let path = file::resolve_link(path);
    if !path.is_file() {
        return Ok(());
    }
    match Lock::acquire(&path) {
        Err(e @ (Error::Locked(_) | Error::HardLinked(_))) => Err(e),
        _ => Ok(()),
    }
}

/// For writing, the logbook's lock, taken before reading so that what is read is what will
/// be saved over (and the temporary files an interrupted save left behind are removed);
/// for reading, none.
fn lock_for(path: &Path, access: Access) -> Result<Option<Lock>> {
    match access {
        Access::Write => {
            if !path.exists() {
                return Err(Error::NoLogbook(path.to_path_buf()));
            }
            let lock = Lock::acquire(path)?;
            file::remove_stale_temps(path);
            file::remove_stale_temps(&key_file_path(path));
            file::remove_stale_temps(&next_key_file_path(path));
            Ok(Some(lock))
        }
        Access::Read => Ok(None),
    }
}

/// Makes a new passphrase identity for the logbook at `path`: written, sealed with
/// `pass`, as the *staged* key file, and put into `logbook`'s settings (an audit entry) in
/// place of the passphrase's old key. The caller saves the logbook, then calls
/// `promote_key_file` (or `discard_staged_key_file` if the save failed).
pub fn stage_passphrase_key(
    path: &Path,
    logbook: &mut Logbook,
    pass: &SecretString,
    stamp: &Stamp,
) -> Result<Identities> {
    let identity = age::x25519::Identity::generate();
    let public = identity.to_public().to_string();
    let next = next_key_file_path(path);
    write_identity(
        &next,
        &identity,
        Some(pass),
        &stamp.at.to_rfc3339(),
        "",
        true,
    )?;
    let result = logbook.update_settings(stamp, |s| {
        let old = std::mem::take(&mut s.passphrase_key);
        let holder = s
            .holders
            .iter()
            .find(|h| !old.is_empty() && h.key == old)
            .map_or_else(|| stamp.by.clone(), |h| h.name.clone());
        if old.is_empty() {
            // From key mode or an old passphrase logbook: the passphrase alone.
            s.recipients = vec![public.clone()];
        } else {
            // Deputies' keys stay; only the passphrase's key is replaced.
            s.recipients.retain(|k| *k != old);
            s.recipients.insert(0, public.clone());
        }
        s.holders.retain(|h| h.key != old);
        s.holders.push(Holder {
            key: public.clone(),
            name: holder,
        });
        s.passphrase_key = public.clone();
    });
    if let Err(e) = result {
        discard_staged_key_file(path);
        return Err(e.into());
    }
    Ok(Identities::one(identity))
}

/// Stages a copy of a key file (`bytes`, as found beside a backup) to become the key
/// file of the logbook at `path` once it is in place (`promote_key_file`).
pub fn stage_key_file(path: &Path, bytes: &[u8]) -> Result<()> {
    file::replace_atomically(&next_key_file_path(path), None, |out| out.write_all(bytes))?;
    Ok(())
}

pub fn discard_staged_key_file(path: &Path) {
    let _ = fs::remove_file(next_key_file_path(path));
}

/// Renames the staged key file over the key file, durably: the logbook now opens with it.
pub fn promote_key_file(logbook: &Path) -> Result<()> {
    let (next, key_file) = (next_key_file_path(logbook), key_file_path(logbook));
    fs::rename(&next, &key_file)
        .and_then(|()| file::sync_folder(&file::folder_of(&key_file)))
        .map_err(|e| Error::io("saving", &key_file, e))
}

fn seal_to(settings: &Settings, fallback: Option<&Recipients>) -> Result<Recipients> {
    if !settings.recipients.is_empty() {
        return Recipients::parse(&settings.recipients);
    }
    fallback.cloned().ok_or_else(|| {
        Error::Usage(
            "This logbook names no key to encrypt it to: open it for writing with its passphrase, which moves it to a key file, then try again.".into(),
        )
    })
}

/// Opens the logbook file to decrypt it straight from the disk (`SealedFile`).
fn read_file(path: &Path) -> Result<(SealedFile, FileId)> {
    let (file, len) = file::open_regular(path, file::limits::LOGBOOK, file::Links::Follow)
        .map_err(|e| match e {
            e if file::is_not_found(&e) => Error::NoLogbook(path.to_path_buf()),
            e => e,
        })?;
    let sealed = SealedFile::new(file, len).map_err(|e| Error::io("reading", path, e))?;
    let seen = FileId::of(path).map_err(|e| Error::io("reading", path, e))?;
    Ok((sealed, seen))
}

/// The audit trail of a logbook opened with `Vault::open_records`: its text, decrypted,
/// still to be parsed (wiped when dropped).
pub struct PendingTrail {
    path: PathBuf,
    text: codec::TrailText,
}

impl PendingTrail {
    /// Parses the trail into `records` (the logbook `open_records` returned, unchanged)
    /// and checks it as `verify` does. On success the logbook is whole and can be changed
    /// and saved; on failure it keeps `trail_pending`, so it never can be.
    pub fn check(self, records: &mut Logbook) -> Result<()> {
        if let Some(trail) = codec::read_trail_text(&self.path, self.text)? {
            records.audit = trail;
        }
        records.trail_pending = false;
        if let Err(fault) = records.verify_audit() {
            records.trail_pending = true;
            return Err(fault.into());
        }
        Ok(())
    }
}

/// Reads a logbook's records without parsing its audit trail (for `list`, which never
/// shows it): the logbook has `trail_pending` set and cannot be saved.
pub fn read_records(path: &Path, key: &Key) -> Result<Logbook> {
    let (ciphertext, _) = read_file(path)?;
    let (plain, _, _) = open_bytes(path, &ciphertext, key)?;
    drop(ciphertext);
    Ok(codec::decode_records(path, &plain)?.0)
}

/// Reads, decrypts and parses a logbook or backup file without locking it. A passphrase
/// opens a logbook through the key file beside it.
pub fn read(path: &Path, key: &Key) -> Result<(Logbook, FileId)> {
    let (ciphertext, seen) = read_file(path)?;
    let (logbook, _, _) = open_sealed(path, &ciphertext, key, codec::decrypt_decode)?;
    Ok((logbook, seen))
}

/// Reads like `read`, and also returns the key that opened it (identities; the
/// passphrase itself only for a logbook from before key files).
pub fn read_unlocking(path: &Path, key: &Key) -> Result<(Logbook, Key)> {
    let (ciphertext, _) = read_file(path)?;
    let (logbook, opened, _) = open_sealed(path, &ciphertext, key, codec::decrypt_decode)?;
    Ok((logbook, opened))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated() -> Logbook {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 16)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let mut book = crate::demo::generate(8, 3, now).unwrap();
        // Text that looks like the trail's field, inside a record.
        book.incidents[0].description = "x\n  audit: [\"]\n),\n".into();
        // ... recorded in the trail, as an edit would be.
        let subject = crate::model::Subject::Incident(book.incidents[0].id.clone());
        let last = book
            .audit
            .iter()
            .rposition(|e| e.subject == subject)
            .unwrap();
        book.audit[last].state = crate::model::state_hash(&book.incidents[0]).unwrap();
        for i in last..book.audit.len() {
            let prev = match i {
                0 => crate::model::HashHex::GENESIS,
                _ => book.audit[i - 1].hash.clone(),
            };
            book.audit[i].hash = crate::model::entry_hash(&prev, &book.audit[i]).unwrap();
        }
        book.verify_audit().unwrap();
        book
    }

    /// The trail's text as the whole plaintext, as `decrypt_records` gives it for a small file.
    fn whole_text(plain: String, span: Option<TrailSpan>) -> codec::TrailText {
        codec::TrailText::Whole {
            plain: Zeroizing::new(plain.into_bytes()),
            span,
        }
    }

    #[test]
    fn records_then_trail_read_exactly_what_a_whole_read_does() {
        let path = Path::new("lb.age");
        let book = generated();
        let plain = to_ron(&book);
        let whole = decode(path, plain.as_bytes()).unwrap();
        let (mut records, span) = decode_records(path, plain.as_bytes()).unwrap();
        assert!(records.trail_pending && records.audit.is_empty());
        assert_eq!(records.incidents, whole.incidents);
        assert_eq!(records.people, whole.people);
        assert_eq!(records.settings, whole.settings);
        let trail = PendingTrail {
            path: path.into(),
            text: whole_text(plain, span),
        };
        trail.check(&mut records).unwrap();
        assert_eq!(records, whole);
    }

    #[test]
    fn a_damaged_trail_is_refused_and_the_logbook_stays_unsaveable() {
        let path = Path::new("lb.age");
        let mut book = generated();
        book.audit[3].by = "someone else".into();
        let plain = to_ron(&book);
        let (mut records, span) = decode_records(path, plain.as_bytes()).unwrap();
        let trail = PendingTrail {
            path: path.into(),
            text: whole_text(plain, span),
        };
        let err = trail.check(&mut records).unwrap_err();
        assert!(matches!(err, Error::Audit(_)), "{err}");
        assert!(records.trail_pending);

        // A trail that does not parse is named with its line in the whole file.
        let plain = to_ron(&generated());
        let at = plain.find("\n  audit: [").unwrap();
        let plain = format!(
            "{}{}",
            &plain[..at],
            plain[at..].replacen(" action:", " acton:", 1)
        );
        let (mut records, span) = decode_records(path, plain.as_bytes()).unwrap();
        let line = plain.lines().position(|l| l.contains("acton:")).unwrap() + 1;
        let trail = PendingTrail {
            path: path.into(),
            text: whole_text(plain, span),
        };
        let err = trail.check(&mut records).unwrap_err().to_string();
        assert!(err.contains(&format!("line {line},")), "{err}");
        // A syntax error in the trail is found when the trail is read, and a whole read
        // refuses the file.
        let plain = to_ron(&generated()).replacen(" action: \"", " action: \"\\q", 1);
        assert!(decode(path, plain.as_bytes()).is_err());
        let (mut records, span) = decode_records(path, plain.as_bytes()).unwrap();
        let trail = PendingTrail {
            path: path.into(),
            text: whole_text(plain, span),
        };
        assert!(matches!(
            trail.check(&mut records),
            Err(Error::Unreadable { .. })
        ));
        assert!(records.trail_pending);
    }

    /// Text that looks like the start of the trail, where only a hand-made file has it:
    /// a raw line break inside a string, a comment. Every way of reading gives what one
    /// whole parse gives.
    #[test]
    fn a_trail_look_alike_in_the_text_is_not_taken_for_the_trail() {
        let path = Path::new("lb.age");
        let plain = to_ron(&generated());
        let cases = [
            // A raw line break in a string, followed by what looks like the trail.
            plain.replacen("reported_by: \"", "reported_by: \"x\n  audit: [\n", 1),
            // A comment holding a bracket inside the trail.
            plain.replacen("\n  audit: [", "\n  audit: [ // ]\n", 1),
            // A character literal and a raw string are not in the trail's types: refused
            // by the parse alike.
            plain.replacen("\n  audit: [", "\n  audit: [']', r\"]\",", 1),
        ];
        assert!(ron::from_str::<Logbook>(&cases[0]).is_ok());
        for text in cases {
            let whole = ron::from_str::<Logbook>(&text).map(|mut b| {
                b.sort();
                b
            });
            let decoded = decode(path, text.as_bytes());
            match (&whole, &decoded) {
                (Ok(w), Ok(d)) => assert_eq!(w, d),
                (Err(_), Err(_)) => {}
                _ => panic!("whole {whole:?} / decoded {decoded:?}"),
            }
            let split = decode_records(path, text.as_bytes()).and_then(|(mut records, span)| {
                PendingTrail {
                    path: path.into(),
                    text: whole_text(text.clone(), span),
                }
                .check(&mut records)
                .map(|()| records)
            });
            match (&whole, &split) {
                (Ok(w), Ok(s)) => assert_eq!(w, s),
                (Err(_), Err(_)) => {}
                // The trail's check refuses a record whose text was changed.
                (Ok(_), Err(Error::Audit(_))) => {}
                _ => panic!("whole {whole:?} / split {split:?}"),
            }
        }
    }

    #[test]
    fn a_logbook_without_a_trail_field_reads_with_an_empty_trail() {
        let path = Path::new("lb.age");
        let book = Logbook::new(Settings::new("School", vec!["RO".into()]));
        let plain = to_ron(&book).replace("audit: [],", "");
        assert!(!plain.contains("audit"));
        let (mut records, span) = decode_records(path, plain.as_bytes()).unwrap();
        let trail = PendingTrail {
            path: path.into(),
            text: whole_text(plain, span),
        };
        trail.check(&mut records).unwrap();
        assert!(records.audit.is_empty() && !records.trail_pending);
    }

    #[test]
    fn the_key_file_is_named_after_the_logbook() {
        assert_eq!(
            key_file_path(Path::new("/x/logbook.age")),
            Path::new("/x/logbook.key.age")
        );
        assert_eq!(
            key_file_path(Path::new("book")),
            Path::new("./book.key.age")
        );
        assert_eq!(
            next_key_file_path(Path::new("/x/logbook.age")),
            Path::new("/x/logbook.key.age.next")
        );
    }

    #[test]
    fn the_header_tells_an_old_passphrase_logbook_from_a_key_mode_one() {
        let id = age::x25519::Identity::generate();
        let mut x = Vec::new();
        let mut w = Identities::one(id)
            .recipients()
            .encryptor()
            .wrap_output(&mut x)
            .unwrap();
        std::io::Write::write_all(&mut w, b"x").unwrap();
        w.finish().unwrap();
        assert!(!header_is_scrypt(&x));
        let mut r = passphrase_recipient(&SecretString::from("p".to_string()));
        r.set_work_factor(2);
        let mut s = Vec::new();
        let mut w = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
            .unwrap()
            .wrap_output(&mut s)
            .unwrap();
        std::io::Write::write_all(&mut w, b"x").unwrap();
        w.finish().unwrap();
        assert!(header_is_scrypt(&s));
        assert!(!header_is_scrypt(b"not age"));
    }

    /// A saved file holds exactly the text RON itself writes in the file's layout (the
    /// encoder that writes it is the model's, not RON's), larger than one write chunk, with
    /// text that needs escaping; and a copy of the logbook shares its records, not copies.
    #[test]
    fn a_saved_file_holds_exactly_the_text_ron_writes() {
        let mut book = generated();
        book.incidents[1].description = "\"quoted\" \\ tab\t é \u{202e} 😀 ".repeat(40_000);
        let ron_text = ron::ser::to_string_pretty(&book, codec::pretty()).unwrap();
        assert!(ron_text.len() > 512 * 1024);
        let id = age::x25519::Identity::generate();
        let ids = Identities::one(id);
        let mut sealed = Vec::new();
        codec::encrypt_to(&mut sealed, &ids.recipients(), &book).unwrap();
        let plain = codec::decrypt(Path::new("lb.age"), &sealed, &Key::Identities(ids)).unwrap();
        assert!(
            plain.as_slice() == ron_text.as_bytes(),
            "the saved text differs from RON's"
        );

        let copy = book.clone();
        assert!(crate::model::Shared::same(
            &copy.incidents[1],
            &book.incidents[1]
        ));
        assert!(crate::model::Shared::same(&copy.audit[0], &book.audit[0]));
        // A change to one copy copies that record first: the other keeps what it had.
        let mut changed = copy.clone();
        changed.incidents[1].description = "changed".into();
        assert!(!crate::model::Shared::same(
            &changed.incidents[1],
            &book.incidents[1]
        ));
        assert_eq!(copy.incidents[1].description, book.incidents[1].description);
        assert!(crate::model::Shared::same(
            &changed.incidents[0],
            &book.incidents[0]
        ));
    }
}
