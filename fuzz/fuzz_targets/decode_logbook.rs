//! Arbitrary bytes decoded as a logbook's RON (what a decrypted file holds) and checked
//! as `verify` does. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.ron");
    if let Ok(book) = logbook::vault::decode(path, data) {
        let _ = book.verify_audit();
        let _ = book.head();
        // What `list` and `show` would print goes through the escaper.
        for incident in &book.incidents {
            let _ = logbook::text::block(&incident.id);
        }
    }
});
