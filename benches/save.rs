//! What one save costs, on a logbook file of any size, against re-encrypting that file:
//!   BENCH_LOGBOOK=/path/lb.age BENCH_KEY=/path/key cargo bench --bench save
//! (`benches/scale.sh` runs it on each generated size.) Prints the best of a few runs of:
//!   whole copy                 a copy of the logbook sharing its records (`book.clone()`:
//!                              one reference count per record), what the app's screen
//!                              thread did per save before the save thread kept its own
//!                              copy; now made once, on the unlock thread (`Tracker`'s
//!                              first delta)
//!   screen thread per save     what it does now: the delta of one change (`Tracker`)
//!   encode                     the whole logbook as the file's pretty RON, into nothing
//!   save                       encode, encrypt, fsync, rename (`Vault::save`: the command
//!                              line's saves, and the app's before)
//!   keep                       the save thread encoding and keeping the text of every
//!                              person and incident (`Held::new`), in the background after
//!                              opening (the trail's text is not kept: memory)
//!   save after one change      the app's save of one change: the delta applied (one
//!                              incident encoded), the people and incidents written from
//!                              the kept text and the trail encoded, encrypted, fsynced
//!   re-encrypt floor           the file's plaintext (already decrypted) encrypted again to
//!                              the same key and fsynced: the least any save can cost
//! Wall-clock, so on a loaded machine compare the ratios, not the times.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use logbook::vault::{self, Access, Held, Key, Tracker, Vault};

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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lb.age");
    std::fs::copy(&file, &path).unwrap();
    let key = Key::from_identity_files(&[PathBuf::from(key_file)], &mut |_| {
        panic!("the key file must not be passphrase-protected")
    })
    .unwrap();
    let (mut v, mut book, _) = Vault::open(&path, &key, Access::Write).unwrap();

    let copy = best(runs.max(5), || drop(std::hint::black_box(book.clone())));
    struct Nothing(usize);
    impl logbook::model::RonSink for Nothing {
        fn put(&mut self, bytes: &[u8]) {
            self.0 += bytes.len();
        }
    }
    let mut size = 0;
    let encode = best(runs, || {
        let mut n = Nothing(0);
        logbook::model::pretty_ron(&book, &mut n, 4).unwrap();
        size = n.0;
    });
    let save = best(runs, || v.save(&book).unwrap());

    // The app: the first delta carries every record (made on the unlock thread), and the
    // save thread encodes and keeps them.
    let mut tracker = Tracker::default();
    let t = Instant::now();
    let first_delta = tracker.delta(&book);
    let first_copy = t.elapsed();
    let t = Instant::now();
    let mut held = Held::new(first_delta);
    let keep = t.elapsed();
    // Then one change at a time, as a person makes them: the screen thread's part (the
    // delta) and the save thread's (apply and save).
    let (mut delta_time, mut second) = (Duration::MAX, Duration::MAX);
    for n in 0..runs {
        let id = book.incidents[book.incidents.len() / 2].id.clone();
        let at = book.audit.last().unwrap().at + chrono::Duration::seconds(1);
        let stamp = logbook::model::Stamp::new("RO", at);
        book.update_incident(&stamp, &id, "edited description", |i| {
            i.description.push_str(&format!(" (edit {n})"))
        })
        .unwrap();
        let t = Instant::now();
        let delta = tracker.delta(&book);
        delta_time = delta_time.min(t.elapsed());
        assert_eq!(delta.records(), 2, "one incident and its trail entry");
        let t = Instant::now();
        held.apply(delta);
        v.save_held(&held).unwrap();
        second = second.min(t.elapsed());
    }

    let ciphertext = std::fs::read(&path).unwrap();
    let plain = vault::decrypt(&path, &ciphertext, &key).unwrap();
    // The app's save wrote exactly what encoding the whole logbook writes.
    let mut whole = Vec::new();
    logbook::model::pretty_ron(&book, &mut whole, 4).unwrap();
    assert!(
        plain.as_slice() == whole.as_slice(),
        "the app's save differs"
    );
    drop(whole);
    let recipients = v.recipients(&book.settings).unwrap();
    let floor_path = dir.path().join("floor.age");
    let floor = best(runs, || {
        let mut out = std::fs::File::create(&floor_path).unwrap();
        let keys = recipients.as_slice();
        let enc =
            age::Encryptor::with_recipients(keys.iter().map(|r| r as &dyn age::Recipient)).unwrap();
        let mut w = enc.wrap_output(&mut out).unwrap();
        w.write_all(&plain).unwrap();
        w.finish().unwrap();
        out.sync_all().unwrap();
    });
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{} incidents, {} audit entries, {:.1} MB of RON:\n  \
         screen thread per save: before, a whole copy {:.2} ms; now the delta of one change {:.2} ms\n  \
         encode {:.0} ms; save {:.0} ms; keep the people's and incidents' text (after opening) {:.0} ms; \
         save after one change {:.0} ms; re-encrypt floor {:.0} ms\n  \
         save/floor {:.2}; save after one change/floor {:.2}",
        book.incidents.len(),
        book.audit.len(),
        size as f64 / 1e6,
        ms(copy.min(first_copy)),
        ms(delta_time),
        ms(encode),
        ms(save),
        ms(keep),
        ms(second),
        ms(floor),
        ms(save) / ms(floor),
        ms(second) / ms(floor),
    );
}
