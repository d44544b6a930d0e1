//! Rotation against a hostile medium: anyone with the logbook's public key can write a
//! manifest (age has no sender authentication), so rotation must never delete a file
//! because a manifest names it. In process, through the library.

use std::fs;
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use logbook::backup::{self, Entry, Manifest};
use logbook::model::{Head, Logbook, Settings, Stamp, sha256_hex};
use logbook::vault::Key;

fn at(day: u32) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(&format!("2026-03-{day:02}T09:00:00+00:00")).unwrap()
}

fn book(public: &str, entries: u32) -> Logbook {
    let mut settings = Settings::new("Test School", vec!["RO".into()]);
    settings.recipients = vec![public.to_string()];
    let mut book = Logbook::create(&Stamp::new("RO", at(1)), settings).unwrap();
    for n in 0..entries {
        book.record_backup(&Stamp::new("RO", at(2)), &format!("b{n}"))
            .unwrap();
    }
    book
}

/// Encrypts `value` as RON to `public`, as anyone holding the public key can.
fn forge<T: serde::Serialize + Sync>(path: &Path, public: &str, value: &T) {
    let recipient: age::x25519::Recipient = public.parse().unwrap();
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .unwrap();
    let mut out = Vec::new();
    logbook::vault::encrypt_ron(&mut out, encryptor, value).unwrap();
    fs::write(path, out).unwrap();
}

fn backup(book: &Logbook, key: &Key, dir: &Path, day: u32, keep: usize) -> backup::Report {
    let options = backup::Options {
        keep,
        now: at(day),
        key_file: None,
        refuse_disk_of: None,
    };
    backup::run(book, key, dir, &options, &mut |_| {}).unwrap()
}

#[test]
fn a_forged_manifest_cannot_make_rotation_delete_anything_outside_or_foreign() {
    let root = tempfile::tempdir().unwrap();
    let media = root.path().join("media");
    let outside = root.path().join("outside");
    fs::create_dir_all(&media).unwrap();
    fs::create_dir_all(&outside).unwrap();
    let id = age::x25519::Identity::generate();
    let public = id.to_public().to_string();
    let key = Key::Identities(logbook::vault::Identities::one(id));

    let first = book(&public, 1);
    backup(&first, &key, &media, 3, 5);

    // The forger: a precious file outside, a foreign file under a backup's name (another
    // logbook, encrypted to the same public key), and a manifest naming both with head 0.
    let precious = outside.join("precious.txt");
    fs::write(&precious, b"the only copy").unwrap();
    let foreign_name = "logbook-20200101-000000.age";
    let mut other_settings = Settings::new("Elsewhere", vec!["X".into()]);
    other_settings.recipients = vec![public.clone()];
    let other = Logbook::create(&Stamp::new("X", at(1)), other_settings).unwrap();
    forge(&media.join(foreign_name), &public, &other);
    let entry = |file: &str, bytes: &[u8]| Entry {
        file: file.into(),
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
        incidents: 0,
        people: 0,
        written: at(1),
        head: Head {
            len: 0,
            hash: String::new(),
        },
    };
    let mut manifest = Manifest::new(&first.id());
    manifest.backups = vec![
        entry("../outside/precious.txt", b"the only copy"),
        entry(foreign_name, &fs::read(media.join(foreign_name)).unwrap()),
    ];
    forge(
        &media.join(backup::manifest_name(&first.id())),
        &public,
        &manifest,
    );

    let second = book(&public, 2);
    let report = backup(&second, &key, &media, 4, 1);
    assert_eq!(fs::read(&precious).unwrap(), b"the only copy");
    assert!(
        media.join(foreign_name).exists(),
        "a foreign file was removed"
    );
    assert!(
        !report.rotation.removed.iter().any(|n| n.contains('/')),
        "{:?}",
        report.rotation.removed
    );
    // The genuine older backup of this logbook is what rotation removed.
    assert_eq!(report.rotation.removed, ["logbook-20260303-090000.age"]);
}

#[test]
fn complete_backups_missing_from_the_manifest_are_recognised_and_rotated() {
    let media = tempfile::tempdir().unwrap();
    let id = age::x25519::Identity::generate();
    let public = id.to_public().to_string();
    let key = Key::Identities(logbook::vault::Identities::one(id));
    let first = book(&public, 1);
    // Three complete backups, then the manifest lost (as after a kill before it was saved).
    for day in 3..6 {
        backup(&first, &key, media.path(), day, 10);
    }
    fs::remove_file(media.path().join(backup::manifest_name(&first.id()))).unwrap();
    let second = book(&public, 2);
    let report = backup(&second, &key, media.path(), 6, 2);
    assert_eq!(report.rotation.removed.len(), 2, "{:?}", report.rotation);
    assert!(report.left.is_empty(), "{:?}", report.left);
    let names: Vec<String> = fs::read_dir(media.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| backup::is_backup_name(n))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn the_backup_api_refuses_the_logbooks_own_disk_for_the_app_too() {
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("usb");
    fs::create_dir(&media).unwrap();
    let id = age::x25519::Identity::generate();
    let public = id.to_public().to_string();
    let key = Key::Identities(logbook::vault::Identities::one(id));
    let options = backup::Options {
        keep: 1,
        now: at(3),
        key_file: None,
        refuse_disk_of: Some(dir.path().join("logbook.age")),
    };
    let e = backup::run(&book(&public, 1), &key, &media, &options, &mut |_| {})
        .expect_err("the same disk is refused");
    assert!(e.to_string().contains("same disk"), "{e}");
    assert_eq!(fs::read_dir(&media).unwrap().count(), 0);
}

/// The app backs up through the same API as the command line: a folder that is not there
/// is named itself (not "the folder above it does not exist"), in the command line's words.
#[test]
fn a_missing_backup_folder_is_named_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("nosuchdir");
    let id = age::x25519::Identity::generate();
    let public = id.to_public().to_string();
    let key = Key::Identities(logbook::vault::Identities::one(id));
    let options = backup::Options {
        keep: 1,
        now: at(3),
        key_file: None,
        refuse_disk_of: None,
    };
    let e = backup::run(&book(&public, 1), &key, &media, &options, &mut |_| {})
        .expect_err("a missing folder is refused");
    let said = e.to_string();
    assert!(
        said.starts_with("There is no folder ") && said.contains("nosuchdir:"),
        "{said}"
    );
    assert!(!media.exists());
}
