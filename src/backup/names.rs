//! The names of the files a backup folder holds. Only names this module recognises are ever
//! written, read as backups, or removed.

use chrono::{DateTime, FixedOffset};

/// The lock that keeps two backups out of one folder at once, there only while a backup
/// runs (see `lock`).
pub const LOCK_NAME: &str = ".logbook-backup.age.lock";

/// The name earlier versions held the same lock under (and left behind).
pub const LEGACY_LOCK_NAME: &str = ".logbook-backup.lock";

/// `logbook-YYYYMMDD-HHMMSS.age`, in the local time of `now`.
pub fn backup_name(now: &DateTime<FixedOffset>) -> String {
    now.format("logbook-%Y%m%d-%H%M%S.age").to_string()
}

/// Whether `name` is exactly a backup's name.
pub fn is_backup_name(name: &str) -> bool {
    let Some(stamp) = name
        .strip_prefix("logbook-")
        .and_then(|r| r.strip_suffix(".age"))
    else {
        return false;
    };
    let bytes = stamp.as_bytes();
    bytes.len() == 15
        && bytes[8] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 8 || b.is_ascii_digit())
}

/// The short form of a logbook id used in file names: enough to tell logbooks apart.
pub fn short_id(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// The encrypted manifest of one logbook's backups in a folder.
pub fn manifest_name(id: &str) -> String {
    format!("logbook-{}-manifest.age", short_id(id))
}

/// Whether `name` is a backups' manifest's name (`logbook-ID-manifest.age`).
pub fn is_manifest_name(name: &str) -> bool {
    name.strip_prefix("logbook-")
        .and_then(|r| r.strip_suffix("-manifest.age"))
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Passphrase logbooks: the backup key, encrypted with the passphrase.
pub fn key_file_name(id: &str) -> String {
    format!("logbook-{}-key.age", short_id(id))
}

/// Passphrase logbooks with a key file: a copy of it, named after a short fingerprint of
/// its public key, so that older backups keep the key file they need after a passphrase
/// change makes a new key.
pub fn passphrase_key_file_name(id: &str, fingerprint: &str) -> String {
    format!("logbook-{}-key-{fingerprint}.age", short_id(id))
}

pub fn is_key_file_name(name: &str) -> bool {
    let hex12 = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_hexdigit());
    name.strip_prefix("logbook-")
        .and_then(|r| r.strip_suffix(".age"))
        .and_then(|r| r.split_once("-key"))
        .is_some_and(|(id, rest)| {
            hex12(id) && (rest.is_empty() || rest.strip_prefix('-').is_some_and(hex12))
        })
}

/// A temporary file an interrupted backup left behind (the atomic writer names them
/// `.NAME.tmp-PID-NANOS`). Never a backup: removed by the next backup to the folder.
pub fn is_partial(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|r| r.split_once(".tmp-"))
        .is_some_and(|(target, _)| {
            is_backup_name(target)
                || is_key_file_name(target)
                || (target.starts_with("logbook-") && target.ends_with("-manifest.age"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_recognised_exactly() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T10:15:00+00:00").unwrap();
        assert_eq!(backup_name(&now), "logbook-20261123-101500.age");
        assert!(is_backup_name("logbook-20261123-101500.age"));
        for not in [
            "logbook.age",
            "logbook-20261123-10150.age",
            "logbook-20261123x101500.age",
            "logbook-20261123-101500.age.tmp-1-2",
            "logbook-0123456789ab-manifest.age",
        ] {
            assert!(!is_backup_name(not), "{not}");
        }
        assert!(is_key_file_name(&key_file_name("0123456789abcdef")));
        assert!(is_manifest_name(&manifest_name("0123456789abcdef")));
        assert!(!is_manifest_name("logbook-20261123-101500.age"));
        assert!(is_key_file_name(&passphrase_key_file_name(
            "0123456789abcdef",
            "abcdefabcdef"
        )));
        assert!(!is_key_file_name("logbook-0123456789ab-key-x.age"));
        assert!(is_partial(".logbook-20261123-101500.age.tmp-12-34"));
        assert!(is_partial(".logbook-0123456789ab-manifest.age.tmp-12-34"));
        assert!(!is_partial(".logbook.age.tmp-12-34"));
        assert!(!is_partial("logbook-20261123-101500.age"));
    }
}
