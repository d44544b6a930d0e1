//! What the record knows about backups: a logbook's stable identity, whether its audit
//! trail extends an earlier copy of itself unchanged, and the backup key that passphrase
//! logbooks encrypt their backups to. No files and no age here.

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::audit::{GENESIS, Head, Stamp};
use super::types::{AuditEntry, FieldChange, Logbook, Shared, Subject};

/// The secret half of a passphrase logbook's backup key, as age writes it
/// (`AGE-SECRET-KEY-1...`). Kept inside the encrypted logbook, never in `Settings`, so it
/// never appears in an audit entry's list of changed values. Wiped from memory on drop and
/// never printed by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BackupSecret(String);

impl BackupSecret {
    pub fn new(secret: String) -> BackupSecret {
        BackupSecret(secret)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Drop for BackupSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for BackupSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BackupSecret(..)")
    }
}

/// How a later trail relates to an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Divergence {
    /// The first entry that is not what the earlier trail holds at that position.
    #[error("audit entry {seq} differs from the earlier copy: it was rewritten or replaced since")]
    Differs { seq: u64 },
    /// The later trail stops before the earlier one does.
    #[error(
        "the trail has {len} entries but the earlier copy has {earlier}: entries {first} to {earlier} were removed since",
        first = len + 1
    )]
    Shorter { len: u64, earlier: u64 },
}

impl Logbook {
    /// A stable identity: the hash of the first audit entry (which records the creation of
    /// the logbook with its settings). It never changes, so every backup of one logbook
    /// carries the same id, and a backup of a different logbook is told apart.
    pub fn id(&self) -> String {
        self.audit
            .first()
            .map_or_else(|| GENESIS.to_string(), |e| e.hash.to_string())
    }

    /// Whether this trail holds `head` at the same position. Because each hash covers the
    /// one before it, an equal hash at position `head.len` means every entry up to there is
    /// unchanged, provided this trail itself verifies (`verify_audit`).
    pub fn extends_head(&self, head: &Head) -> bool {
        if head.len == 0 {
            return true;
        }
        usize::try_from(head.len - 1)
            .ok()
            .and_then(|i| self.audit.get(i))
            .is_some_and(|e| e.hash == head.hash)
    }

    /// Compares this trail with an earlier copy entry by entry. Returns how many entries
    /// were added since, or names the first entry that differs.
    pub fn trail_extends(&self, earlier: &[Shared<AuditEntry>]) -> Result<u64, Divergence> {
        for (i, old) in earlier.iter().enumerate() {
            match self.audit.get(i) {
                Some(now) if now == old || now.emptied_from(old) => {}
                Some(_) => return Err(Divergence::Differs { seq: i as u64 + 1 }),
                None => {
                    return Err(Divergence::Shorter {
                        len: self.audit.len() as u64,
                        earlier: earlier.len() as u64,
                    });
                }
            }
        }
        Ok((self.audit.len() - earlier.len()) as u64)
    }

    /// The audited restore that explains why this trail no longer extends an earlier copy
    /// of it (tester3 #10): the trails part at `divergence`, and every entry of this trail
    /// from there up to and including a restore entry was written by that restore (the
    /// same time and author: the settings it kept, then the restore itself). The earlier
    /// copy then holds history the restore dropped, not a rewrite. Returns the restore's
    /// entry.
    pub fn dropped_by_restore(&self, divergence: &Divergence) -> Option<&AuditEntry> {
        let Divergence::Differs { seq } = divergence else {
            return None;
        };
        let from = usize::try_from(*seq).ok()?.checked_sub(1)?;
        let first = self.audit.get(from)?;
        self.audit[from..]
            .iter()
            .take_while(|e| e.at == first.at && e.by == first.by)
            .find(|e| e.action.starts_with(super::ops::RESTORED))
            .map(|e| &**e)
    }

    /// Stores a new backup key (passphrase logbooks only) and records its public half in
    /// the audit trail; the secret half is never written into an entry.
    pub fn set_backup_key(
        &mut self,
        stamp: &Stamp,
        secret: BackupSecret,
        public: &str,
    ) -> Result<(), super::Invalid> {
        let old = if self.backup_key.is_some() {
            "(an earlier backup key)".to_string()
        } else {
            String::new()
        };
        let state = super::audit::state_hash(&self.settings)?;
        self.append_audit(
            stamp,
            Subject::Settings,
            "created the backup key",
            vec![FieldChange {
                field: "backup key (public)".into(),
                old,
                new: public.to_string(),
            }],
            state,
        )?;
        self.backup_key = Some(secret);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn book() -> Logbook {
        let now = NaiveDate::from_ymd_opt(2026, 11, 16)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        crate::demo::generate(6, 3, now).unwrap()
    }

    fn stamp(book: &Logbook) -> Stamp {
        Stamp::new("RO", book.audit.last().unwrap().at)
    }

    #[test]
    fn a_later_trail_extends_an_earlier_one() {
        let earlier = book();
        let mut later = earlier.clone();
        let s = stamp(&later);
        later
            .update_settings(&s, |s| s.idle_lock_minutes = 9)
            .unwrap();
        assert_eq!(later.trail_extends(&earlier.audit), Ok(1));
        assert!(later.extends_head(&earlier.head()));
        assert_eq!(later.id(), earlier.id());
        assert!(!earlier.extends_head(&later.head()));
        assert_eq!(
            earlier.trail_extends(&later.audit),
            Err(Divergence::Shorter {
                len: earlier.audit.len() as u64,
                earlier: later.audit.len() as u64
            })
        );
    }

    #[test]
    fn a_rewritten_and_rehashed_trail_is_named_at_its_first_change() {
        let earlier = book();
        let mut later = earlier.clone();
        later.audit[4].by = "someone else".into();
        for i in 4..later.audit.len() {
            let prev = later.audit[i - 1].hash.clone();
            later.audit[i].hash = super::super::audit::entry_hash(&prev, &later.audit[i]).unwrap();
        }
        later.verify_audit().unwrap();
        assert_eq!(
            later.trail_extends(&earlier.audit),
            Err(Divergence::Differs { seq: 5 })
        );
        assert!(!later.extends_head(&earlier.head()));
    }

    #[test]
    fn an_audited_restore_explains_a_divergence_and_a_rewrite_does_not() {
        let earlier = book();
        let s = stamp(&earlier);
        // A backup made later holds one more entry.
        let mut later = earlier.clone();
        later
            .update_settings(&s, |s| s.idle_lock_minutes = 9)
            .unwrap();
        // The logbook restored from `earlier`: the settings it kept, then the restore, at
        // one time by one person.
        let mut restored = earlier.clone();
        let r = Stamp::new("RO", s.at + chrono::Duration::minutes(5));
        restored
            .update_settings(&r, |s| s.idle_lock_minutes = 7)
            .unwrap();
        restored.record_restore(&r, "logbook-x.age").unwrap();
        let d = restored.trail_extends(&later.audit).unwrap_err();
        let e = restored.dropped_by_restore(&d).unwrap();
        assert_eq!(e.seq, restored.audit.len() as u64);
        // An entry rewritten (even if a restore is recorded later, at another time): not
        // explained.
        let mut rewritten = earlier.clone();
        rewritten
            .update_settings(&s, |s| s.idle_lock_minutes = 8)
            .unwrap();
        let d = rewritten.trail_extends(&later.audit).unwrap_err();
        assert!(rewritten.dropped_by_restore(&d).is_none());
        rewritten.record_restore(&r, "logbook-x.age").unwrap();
        assert!(rewritten.dropped_by_restore(&d).is_none());
    }

    #[test]
    fn the_backup_key_is_audited_by_its_public_half_only() {
        let mut b = book();
        let s = stamp(&b);
        b.set_backup_key(
            &s,
            BackupSecret::new("AGE-SECRET-KEY-1SECRET".into()),
            "age1public",
        )
        .unwrap();
        b.verify_audit().unwrap();
        let last = b.audit.last().unwrap();
        assert_eq!(last.changes[0].new, "age1public");
        assert!(!format!("{:?}", b.audit).contains("SECRET-KEY"));
        assert!(!format!("{:?}", b.backup_key).contains("SECRET-KEY"));
    }
}
