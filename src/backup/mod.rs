//! Encrypted backups to removable media: write and verify, rotate, list, restore, and
//! prove that the current audit trail extends a backup's unchanged.
//!
//! A folder of backups holds, for each logbook (told apart by its id, the hash of its
//! first audit entry):
//! - `logbook-YYYYMMDD-HHMMSS.age`: whole backups, standard age files holding the
//!   logbook's RON, encrypted to the logbook's recipients (in passphrase mode, the key
//!   in its key file), plus the recovery recipients in settings;
//! - `logbook-ID-manifest.age`: the encrypted manifest (see `manifest`);
//! - `logbook-ID-key-FPR.age` (passphrase logbooks): a copy of the logbook's key file,
//!   encrypted with the passphrase, one per key (FPR: its fingerprint); and
//!   `logbook-ID-key.age`, the backup key of passphrase logbooks' older backups (see `seal`);
//! - `.logbook-backup.age.lock`: held while a backup runs, removed when it ends.
//!
//! For the app: open the logbook as usual, then `run` (off the UI thread, with a
//! progress callback). `removable_volumes` offers destinations; `list` reads a folder.

mod discover;
mod inspect;
pub mod kept;
mod lock;
mod manifest;
mod names;
mod restore;
mod rotate;
mod seal;
mod write;

pub use discover::{System, Volume, removable_volumes, scan};
pub use inspect::{
    Info, Item, Listing, NOT_OPENED, Opened, Relation, RestoreDrop, State, classify, list,
    open_backup,
};
pub use manifest::{Entry, Manifest};
pub use names::{
    backup_name, is_backup_name, is_manifest_name, key_file_name, manifest_name, short_id,
};
pub use restore::{
    Current, PassphraseStays, Plan, Relation as RestoreRelation, Restored, Summary, apply, plan,
    plan_with,
};
pub use rotate::Rotation;
pub use seal::{Opener, Sealing, opener_for};
pub use write::{
    Options, Progress, Report, check_destination, device_of, missing_folder, remove_dropped, run,
};
