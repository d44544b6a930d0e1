//! What opening and verifying cost, on a logbook file of any size, against their floors:
//!   BENCH_LOGBOOK=/path/lb.age BENCH_KEY=/path/key cargo bench --bench open
//! Prints the best of a few runs (BENCH_RUNS, default 3) of:
//!   age -d                     the age CLI decrypting the file to /dev/null
//!   decrypt                    the same in this process (`vault::decrypt`)
//!   parse whole / records      RON parse into `serde::de::IgnoredAny` of the whole
//!                              plaintext / of the records alone (the audit trail cut out)
//!   open floor                 age -d + parse records: the least a list can cost
//!   verify floor               age -d + parse whole: the least `verify` can cost
//!   list                       `vault::read_records` (what `logbook list` waits for)
//!   app open                   `Vault::open_records`: what the app's list waits for (the
//!                              records parsed as the file is decrypted, the trail's text
//!                              kept to be parsed after), and then the trail parsed and
//!                              checked (`PendingTrail::check`, after the list is shown)
//!   verify                     `vault::read` and `Logbook::verify_audit` (`logbook verify`)
//! and the ratios issue 12 sets targets for (list and app open within 1.3x of the open floor,
//! verify within 1.5x of the verify floor). Wall-clock, so on a loaded machine compare
//! the ratios, not the times.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use logbook::vault::{self, Access, Key, Vault};
use serde::Deserialize as _;

fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn ignored(text: &str) {
    let mut de = ron::Deserializer::from_str(text).unwrap();
    serde::de::IgnoredAny::deserialize(&mut de).unwrap();
    de.end().unwrap();
}

/// The text with the audit trail's list replaced by `[]`: the file as this program writes
/// it has the trail on a line `  audit: [` and closes it on the first line `  ]` after
/// (strings escape their line breaks, and entries are indented deeper).
fn records_only(text: &str) -> String {
    let start = text.find("\n  audit: [").expect("a trail") + "\n  audit: ".len();
    let end = start + text[start..].find("\n  ]").expect("the end of the trail") + "\n  ]".len();
    format!("{}[]{}", &text[..start], &text[end..])
}

fn main() {
    let (Some(file), Some(key_file)) = (
        std::env::var_os("BENCH_LOGBOOK"),
        std::env::var_os("BENCH_KEY"),
    ) else {
        eprintln!("Set BENCH_LOGBOOK and BENCH_KEY (a key-mode logbook and its key file).");
        return;
    };
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let path = PathBuf::from(&file);
    let key = Key::from_identity_files(&[PathBuf::from(&key_file)], &mut |_| {
        panic!("the key file must not be passphrase-protected")
    })
    .unwrap();

    let age_cli = best(runs, || {
        let status = Command::new("age")
            .args(["-d", "-i"])
            .arg(&key_file)
            .arg(&file)
            .stdout(Stdio::null())
            .status()
            .expect("the age CLI (apt-get install age)");
        assert!(status.success());
    });
    let ciphertext = std::fs::read(&path).unwrap();
    let decrypt = best(runs, || {
        drop(vault::decrypt(Path::new("lb.age"), &ciphertext, &key).unwrap());
    });
    let plain = vault::decrypt(Path::new("lb.age"), &ciphertext, &key).unwrap();
    drop(ciphertext);
    let text = std::str::from_utf8(&plain).unwrap();
    let records = records_only(text);
    let whole = best(runs, || ignored(text));
    let records_parse = best(runs, || ignored(&records));
    drop(records);

    let mut incidents = 0;
    let list = best(runs, || {
        let book = vault::read_records(&path, &key).unwrap();
        incidents = book.incidents.len();
    });
    let (mut app_open, mut app_check) = (Duration::MAX, Duration::MAX);
    for _ in 0..runs {
        let t = Instant::now();
        let (_, mut book, _, trail) = Vault::open_records(&path, &key, Access::Read).unwrap();
        app_open = app_open.min(t.elapsed());
        let t = Instant::now();
        trail.expect("a trail to check").check(&mut book).unwrap();
        app_check = app_check.min(t.elapsed());
    }
    let verify = best(runs, || {
        let (book, _) = vault::read(&path, &key).unwrap();
        book.verify_audit().unwrap();
    });

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let open_floor = age_cli + records_parse;
    let verify_floor = age_cli + whole;
    println!(
        "{incidents} incidents, {:.1} MB of RON: age -d {:.0} ms; decrypt in process {:.0} ms; \
         parse into IgnoredAny: whole {:.0} ms, records {:.0} ms",
        text.len() as f64 / 1e6,
        ms(age_cli),
        ms(decrypt),
        ms(whole),
        ms(records_parse),
    );
    println!(
        "  list {:.0} ms / open floor (age -d + records) {:.0} ms = {:.2} (target 1.3)",
        ms(list),
        ms(open_floor),
        list.as_secs_f64() / open_floor.as_secs_f64()
    );
    println!(
        "  app open {:.0} ms / open floor {:.0} ms = {:.2} (target 1.3); then its history read and checked in {:.0} ms",
        ms(app_open),
        ms(open_floor),
        app_open.as_secs_f64() / open_floor.as_secs_f64(),
        ms(app_check),
    );
    println!(
        "  verify {:.0} ms / verify floor (age -d + whole) {:.0} ms = {:.2} (target 1.5)",
        ms(verify),
        ms(verify_floor),
        verify.as_secs_f64() / verify_floor.as_secs_f64()
    );
}
