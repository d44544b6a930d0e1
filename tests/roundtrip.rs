//! Properties of the file format: any valid logbook survives encode, encrypt, decrypt and
//! decode unchanged; any single-byte change of the file is refused, never a panic.

use logbook::model::{Logbook, Stamp};
use logbook::vault::{self, Access, Identities, Key, Vault};
use proptest::prelude::*;

fn now() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 16)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
}

/// A valid logbook: a synthetic one of a few incidents whose first description is then
/// changed, through the audited API, to any text at all.
fn valid_logbook(seed: u64, n: usize, text: String) -> Logbook {
    let mut book = logbook::demo::generate(n, seed, now()).unwrap();
    if let Some(id) = book.incidents.first().map(|i| i.id.clone()) {
        let stamp = Stamp::new("RO", chrono::Local::now().fixed_offset());
        let text = if text.trim().is_empty() {
            format!("x{text}")
        } else {
            text
        };
        let _ = book.update_incident(&stamp, &id, "edited description", |i| i.description = text);
    }
    book
}

fn identity() -> age::x25519::Identity {
    age::x25519::Identity::generate()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_logbook_survives_the_file_unchanged(seed in any::<u64>(), n in 0usize..6, text in any::<String>()) {
        let book = valid_logbook(seed, n, text);
        prop_assert!(book.verify_audit().is_ok());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lb.age");
        let id = identity();
        let ids = Identities::one(id);
        let key = Key::Identities(ids.clone());
        drop(Vault::create(&path, &book, Some(ids.recipients())).unwrap());
        let (_, back, _) = Vault::open(&path, &key, Access::Read).unwrap();
        prop_assert_eq!(&back, &book);
        prop_assert!(back.verify_audit().is_ok());
    }

    #[test]
    fn any_single_byte_change_is_refused(at in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let book = valid_logbook(3, 2, "text".into());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lb.age");
        let id = identity();
        let ids = Identities::one(id);
        let key = Key::Identities(ids.clone());
        drop(Vault::create(&path, &book, Some(ids.recipients())).unwrap());
        let mut bytes = std::fs::read(&path).unwrap();
        let i = at.index(bytes.len());
        bytes[i] ^= xor;
        std::fs::write(&path, &bytes).unwrap();
        let result = vault::read(&path, &key);
        prop_assert!(result.is_err(), "a change at byte {} of {} was accepted", i, bytes.len());
    }
}

/// A logbook file deleted while open: saving says so (never "changed by another program"),
/// `save_again` writes it back, and a file that appeared there meanwhile is never overwritten.
#[test]
fn a_deleted_logbook_is_written_again_only_where_nothing_stands() {
    let book = valid_logbook(5, 2, "text".into());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lb.age");
    let ids = Identities::one(identity());
    let key = Key::Identities(ids.clone());
    drop(Vault::create(&path, &book, Some(ids.recipients())).unwrap());
    let (mut vault, back, _) = Vault::open(&path, &key, Access::Write).unwrap();

    std::fs::remove_file(&path).unwrap();
    let err = vault.save(&back).unwrap_err();
    assert!(matches!(err, logbook::error::Error::Vanished(_)), "{err}");
    assert!(!path.exists());

    std::fs::write(&path, b"someone else's file").unwrap();
    let err = vault.save_again(&back).unwrap_err();
    assert!(
        matches!(err, logbook::error::Error::ChangedOnDisk(_)),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"someone else's file");

    std::fs::remove_file(&path).unwrap();
    vault.save_again(&back).unwrap();
    assert_eq!(vault::read(&path, &key).unwrap().0, back);
    // Later saves go over the new file as usual.
    vault.save(&back).unwrap();
}
