//! A stable-toolchain stand-in for the cargo-fuzz targets in fuzz/ (same three properties,
//! same corpus): random mutations of the corpus files and arbitrary bytes, opened as a
//! logbook with a known key, decoded as a logbook, and imported. None may panic; a refused
//! import changes nothing. 256 cases each in `cargo test`; set LOGBOOK_FUZZ_CASES for a
//! long run.

use std::path::Path;

use chrono::DateTime;
use logbook::model::{Logbook, Settings, Stamp};
use logbook::vault::{self, Key};
use proptest::prelude::*;

const IDENTITY: &str = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn config() -> ProptestConfig {
    let cases = std::env::var("LOGBOOK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A corpus file with a few bytes replaced, inserted or removed, or arbitrary bytes.
fn input(target: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let seeds = corpus(target);
    let n = seeds.len();
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        (
            0..n,
            proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..8)
        )
            .prop_map(move |(i, edits)| {
                let mut bytes = seeds[i].clone();
                for (at, byte, kind) in edits {
                    let at = if bytes.is_empty() {
                        0
                    } else {
                        at % bytes.len()
                    };
                    match kind {
                        0 if !bytes.is_empty() => bytes[at] = byte,
                        1 => bytes.insert(at, byte),
                        _ if !bytes.is_empty() => {
                            bytes.remove(at);
                        }
                        _ => bytes.push(byte),
                    }
                }
                bytes
            }),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn open_logbook(data in input("open_logbook")) {
        let key = Key::Identities(logbook::vault::Identities::one(IDENTITY.parse().unwrap()));
        let path = Path::new("fuzz.age");
        if let Ok(plain) = vault::decrypt(path, &data, &key)
            && let Ok(book) = vault::decode(path, &plain)
        {
            let _ = book.verify_audit();
        }
    }

    #[test]
    fn decode_logbook(data in input("decode_logbook")) {
        if let Ok(book) = vault::decode(Path::new("fuzz.ron"), &data) {
            let _ = book.verify_audit();
            let _ = book.head();
        }
    }

    #[test]
    fn decode_import(data in input("decode_import")) {
        let Ok(incoming) = vault::decode(Path::new("fuzz.ron"), &data) else {
            return Ok(());
        };
        let at = DateTime::parse_from_rfc3339("2026-03-01T09:00:00+00:00").unwrap();
        let stamp = Stamp::new("RO", at);
        let mut book = Logbook::create(&stamp, Settings::new("Fuzz School", vec!["RO".into()])).unwrap();
        let before = book.clone();
        match book.import(&stamp, incoming) {
            Ok(_) => prop_assert!(book.verify_audit().is_ok()),
            Err(_) => prop_assert!(book == before),
        }
    }
}

#[test]
fn the_corpus_files_open() {
    let key = Key::Identities(logbook::vault::Identities::one(IDENTITY.parse().unwrap()));
    for data in corpus("open_logbook") {
        let plain = vault::decrypt(Path::new("c.age"), &data, &key).unwrap();
        vault::decode(Path::new("c.age"), &plain).unwrap();
    }
}
