//! Crash safety: a child process saves in a loop while this test kills it with SIGKILL at
//! random moments, 200 times. After every kill the logbook opens, verifies, and is exactly
//! one of the versions the child wrote; no leftover temporary file trips a later save.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use logbook::model::{Logbook, Stamp};
use logbook::vault::{Access, Key, Vault};

const KILLS: usize = 200;

fn stamp() -> Stamp {
    Stamp::new("RO", chrono::Local::now().fixed_offset())
}

/// A throwaway identity the parent makes and hands to its child (test data, not a secret).
fn key() -> (Key, String) {
    use age::secrecy::ExposeSecret;
    static SECRET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let secret = SECRET.get_or_init(|| {
        std::env::var("CRASH_KEY").unwrap_or_else(|_| {
            age::x25519::Identity::generate()
                .to_string()
                .expose_secret()
                .to_string()
        })
    });
    let identity: age::x25519::Identity = secret.parse().unwrap();
    let public = identity.to_public().to_string();
    (
        Key::Identities(logbook::vault::Identities::one(identity)),
        public,
    )
}

fn key_text() -> String {
    key();
    std::env::var("CRASH_KEY").unwrap_or_else(|_| {
        use age::secrecy::ExposeSecret;
        match key().0 {
            Key::Identities(ids) => ids
                .iter()
                .next()
                .unwrap()
                .to_string()
                .expose_secret()
                .to_string(),
            Key::Passphrase(_) => unreachable!(),
        }
    })
}

/// The version number a logbook is at: the child writes "version N" into the organisation.
fn version(book: &Logbook) -> u64 {
    book.settings
        .organisation
        .strip_prefix("version ")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Runs in the child process only (the parent starts this test binary with CRASH_CHILD).
#[test]
#[ignore = "run by crash_at_any_instant_leaves_the_old_or_the_new_logbook as its child"]
fn child_saver() {
    let Ok(path) = std::env::var("CRASH_CHILD") else {
        return;
    };
    let (key, _) = key();
    let (mut vault, mut book, _) = Vault::open(Path::new(&path), &key, Access::Write).unwrap();
    // Tell the parent the saving starts now, so its kill lands among saves however slow
    // the machine is.
    println!("saving");
    std::io::Write::flush(&mut std::io::stdout()).unwrap();
    loop {
        let next = version(&book) + 1;
        book.update_settings(&stamp(), |s| s.organisation = format!("version {next}"))
            .unwrap();
        vault.save(&book).unwrap();
        println!("saved {next}");
        std::io::Write::flush(&mut std::io::stdout()).unwrap();
    }
}

#[test]
fn crash_at_any_instant_leaves_the_old_or_the_new_logbook() {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("logbook.age");
    let (_, public) = key();
    let mut book = logbook::demo::generate(30, 7, chrono::Local::now().naive_local()).unwrap();
    book.update_settings(&stamp(), |s| {
        s.organisation = "version 0".into();
        s.recipients = vec![public.clone()];
    })
    .unwrap();
    let base = book.audit.len() as u64;
    drop(Vault::create(&path, &book, None).unwrap());

    let exe = std::env::current_exe().unwrap();
    let mut seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut last = 0;
    let mut advanced = 0;
    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .args(["--exact", "child_saver", "--ignored", "--nocapture"])
            .env("CRASH_CHILD", &path)
            .env("CRASH_KEY", key_text())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while !line.contains("saving") {
            line.clear();
            if std::io::BufRead::read_line(&mut out, &mut line).unwrap() == 0 {
                panic!("round {round}: the child stopped before saving");
            }
        }
        // Every third round, wait for one whole save first: on a loaded machine a random
        // pause may end before the first save does, and then no round would prove that a
        // save landed. The kill below still lands among the saves that follow.
        if round % 3 == 0 {
            while !line.starts_with("saved") {
                line.clear();
                if std::io::BufRead::read_line(&mut out, &mut line).unwrap() == 0 {
                    panic!("round {round}: the child stopped before its first save");
                }
            }
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(seed % 30_000));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let (book, _) = logbook::vault::read(&path, &key().0).unwrap_or_else(|e| {
            panic!("round {round}: the logbook does not open after a kill: {e}")
        });
        book.verify_audit()
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let v = version(&book);
        assert!(
            v >= last,
            "round {round}: went back from version {last} to {v}"
        );
        assert_eq!(
            book.audit.len() as u64,
            base + v,
            "round {round}: version {v} is not a whole save"
        );
        if v > last {
            advanced += 1;
        }
        last = v;
    }
    assert!(
        advanced > KILLS / 4,
        "the child saved in only {advanced} of {KILLS} rounds: the test did not exercise saving"
    );

    // A later writer cleans up whatever temporary files the kills left, and saves.
    let (mut vault, mut book, _) = Vault::open(&path, &key().0, Access::Write).unwrap();
    book.update_settings(&stamp(), |s| s.organisation = "after the crashes".into())
        .unwrap();
    vault.save(&book).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}
