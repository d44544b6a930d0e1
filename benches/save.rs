//! What one save costs, on a logbook file of any size, against re-encrypting that file:
//!   BENCH_LOGBOOK=/path/lb.age BENCH_KEY=/path/key cargo bench --bench save
//! (`benches/scale.sh` runs it on each generated size.) Prints the best of a few runs of:
//!   copy for the save thread   what the app's screen thread does per save (`book.clone()`)
//!   encode                     the whole logbook as the file's pretty RON, into nothing
//!   save                       encode, encrypt, fsync, rename (`Vault::save`)
//!   re-encrypt floor           the file's plaintext (already decrypted) encrypted again to
//!                              the same key and fsynced: the least any save can cost
//! Wall-clock, so on a loaded machine compare the ratios, not the times.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use logbook::vault::{self, Access, Key, Vault};

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
    let (mut v, book, _) = Vault::open(&path, &key, Access::Write).unwrap();

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

    let ciphertext = std::fs::read(&path).unwrap();
    let plain = vault::decrypt(&path, &ciphertext, &key).unwrap();
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
        "{} incidents, {:.1} MB of RON: copy for the save thread {:.2} ms; encode {:.0} ms; \
         save {:.0} ms; re-encrypt floor {:.0} ms; save/floor {:.2}",
        book.incidents.len(),
        size as f64 / 1e6,
        ms(copy),
        ms(encode),
        ms(save),
        ms(floor),
        ms(save) / ms(floor)
    );
}
