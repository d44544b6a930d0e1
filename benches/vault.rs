//! Open, save and verify at realistic sizes: `cargo bench`.
//! Sizes: 1,000 and 10,000 incidents (a trust's logbook reaches 50,000; `benches/scale.sh`
//! measures that end to end with hyperfine against the `age` CLI).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use logbook::model::Logbook;
use logbook::vault::{self, Access, Key, Vault};

fn now() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 16)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
}

fn bench(c: &mut Criterion) {
    for n in [1_000usize, 10_000] {
        let book: Logbook = logbook::demo::generate(n, 1, now()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lb.age");
        let id = age::x25519::Identity::generate();
        let ids = logbook::vault::Identities::one(id);
        let key = || Key::Identities(ids.clone());
        drop(Vault::create(&path, &book, Some(ids.recipients())).unwrap());

        let mut group = c.benchmark_group(format!("{n} incidents"));
        group.sample_size(10);
        group.bench_function("open (read, decrypt, parse)", |b| {
            b.iter(|| black_box(vault::read(&path, &key()).unwrap()))
        });
        group.bench_function("open records only (list, the app's first screen)", |b| {
            b.iter(|| black_box(vault::read_records(&path, &key()).unwrap()))
        });
        group.bench_function("verify audit trail", |b| {
            b.iter(|| {
                book.verify_audit().unwrap();
                black_box(())
            })
        });
        let (mut v, _, _) = Vault::open(&path, &key(), Access::Write).unwrap();
        group.bench_function("save (encode, encrypt, fsync, rename)", |b| {
            b.iter(|| v.save(&book).unwrap())
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
