//! Arbitrary bytes opened as a logbook with a known key: `vault::decrypt` then `decode`
//! then `verify_audit`, as `logbook open` does. Any input must end in `Ok` or one of the
//! user-facing errors, never a panic, a hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logbook::vault::{self, Key};

/// A fixed key, so that inputs built from a real logbook (the corpus) get past the header.
const IDENTITY: &str = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

fuzz_target!(|data: &[u8]| {
    let key = Key::Identities(logbook::vault::Identities::one(IDENTITY.parse().unwrap()));
    let path = std::path::Path::new("fuzz.age");
    if let Ok(plain) = vault::decrypt(path, data, &key)
        && let Ok(book) = vault::decode(path, &plain)
    {
        let _ = book.verify_audit();
    }
});
