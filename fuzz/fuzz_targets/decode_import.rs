//! Arbitrary bytes as an import file: decoded, then imported into a logbook holding the
//! demo records, as `logbook import FILE` does. Never a panic; a refusal changes nothing.
#![no_main]

use chrono::DateTime;
use libfuzzer_sys::fuzz_target;
use logbook::model::{Logbook, Settings, Stamp};

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.ron");
    let Ok(incoming) = logbook::vault::decode(path, data) else {
        return;
    };
    let at = DateTime::parse_from_rfc3339("2026-03-01T09:00:00+00:00").unwrap();
    let stamp = Stamp::new("RO", at);
    let Ok(mut book) = Logbook::create(&stamp, Settings::new("Fuzz School", vec!["RO".into()])) else {
        return;
    };
    let before = book.clone();
    match book.import(&stamp, incoming) {
        Ok(_) => assert!(book.verify_audit().is_ok(), "an accepted import breaks the trail"),
        Err(_) => assert!(book == before, "a refused import changed the logbook"),
    }
});
