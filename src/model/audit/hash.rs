//! An audit entry's SHA-256 hashes (its own, and its subject's state) as it holds them.
//!
//! In the file a hash is 64 lower-case hex digits; in memory the 32 bytes they spell. As
//! `String`s an entry's two hashes took about 208 bytes with the allocator's headers: at
//! 50,000 incidents (some 800,000 entries) 0.1 GB of the app's memory.
//!
//! The text is what the chain hashes and what the file holds, so it must come back byte for
//! byte: a hash is serialized as exactly the string it was read from. Text that is not a
//! lower-case SHA-256 hex (an emptied entry's "" state, or a hash edited by hand: upper-case,
//! too short, not hex) is kept as written, so it is written back, hashed and reported exactly
//! as when this was a `String`: `verify` names the entry it does not match ("does not match
//! its hash: it was altered"), never a panic and never a stand-in value. Because only text
//! that is not such a hex is kept as text, two hashes are equal exactly when their texts are.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroize;

/// A SHA-256 hash as an audit entry holds it (see the module's note).
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct HashHex(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// The text was (or will be written as) the lower-case hex of these bytes.
    Sha256([u8; 32]),
    /// Any other text, kept as written; never 64 lower-case hex digits.
    Text(Box<str>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Text(Box::default())
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// The 64 hex digits of `bytes`, on the stack.
fn hex64(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (b, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = HEX[usize::from(b >> 4)];
        pair[1] = HEX[usize::from(b & 15)];
    }
    out
}

/// The bytes a hash's text is made of, without building a `String`.
pub enum TextBytes<'a> {
    Hex([u8; 64]),
    Text(&'a [u8]),
}

impl std::ops::Deref for TextBytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            TextBytes::Hex(hex) => hex,
            TextBytes::Text(text) => text,
        }
    }
}

impl HashHex {
    /// The hash that stands before the first entry: 64 zeros (`audit::GENESIS`).
    pub const GENESIS: HashHex = HashHex(Repr::Sha256([0; 32]));

    /// A hash as read from text: the bytes if `text` is 64 lower-case hex digits, else the
    /// text itself, unchanged.
    pub fn parse(text: &str) -> HashHex {
        let digits = text.as_bytes();
        if digits.len() == 64 {
            let mut bytes = [0u8; 32];
            let decoded = bytes
                .iter_mut()
                .zip(digits.chunks_exact(2))
                .all(|(b, pair)| match (hex_digit(pair[0]), hex_digit(pair[1])) {
                    (Some(high), Some(low)) => {
                        *b = high << 4 | low;
                        true
                    }
                    _ => false,
                });
            if decoded {
                return HashHex(Repr::Sha256(bytes));
            }
        }
        HashHex(Repr::Text(text.into()))
    }

    /// Whether this is the hash `digest` (written as its lower-case hex).
    pub fn is(&self, digest: &[u8; 32]) -> bool {
        matches!(&self.0, Repr::Sha256(bytes) if bytes == digest)
    }

    /// Whether the text is empty (an emptied entry's state, or a wiped one).
    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Repr::Text(text) if text.is_empty())
    }

    /// The text's bytes, as the file holds them and the chain hashes them.
    pub fn text_bytes(&self) -> TextBytes<'_> {
        match &self.0 {
            Repr::Sha256(bytes) => TextBytes::Hex(hex64(bytes)),
            Repr::Text(text) => TextBytes::Text(text.as_bytes()),
        }
    }
}

impl From<[u8; 32]> for HashHex {
    fn from(digest: [u8; 32]) -> Self {
        HashHex(Repr::Sha256(digest))
    }
}

impl From<&str> for HashHex {
    fn from(text: &str) -> Self {
        HashHex::parse(text)
    }
}

impl From<String> for HashHex {
    fn from(text: String) -> Self {
        HashHex::parse(&text)
    }
}

impl PartialEq<str> for HashHex {
    fn eq(&self, other: &str) -> bool {
        *self.text_bytes() == *other.as_bytes()
    }
}

impl PartialEq<&str> for HashHex {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq<String> for HashHex {
    fn eq(&self, other: &String) -> bool {
        *self == **other
    }
}

impl fmt::Display for HashHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Sha256(bytes) => {
                for b in bytes {
                    fmt::Write::write_char(f, char::from(HEX[usize::from(b >> 4)]))?;
                    fmt::Write::write_char(f, char::from(HEX[usize::from(b & 15)]))?;
                }
                Ok(())
            }
            Repr::Text(text) => f.write_str(text),
        }
    }
}

/// As the `String` it was: the text in quotes.
impl fmt::Debug for HashHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), f)
    }
}

/// Exactly the string it was read from (see the module's note).
impl Serialize for HashHex {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Sha256(bytes) => {
                let hex = hex64(bytes);
                // Hex digits are ASCII: this cannot fail, and if it did the save or hash
                // that needed the text is refused, not given a stand-in.
                let text = std::str::from_utf8(&hex).map_err(serde::ser::Error::custom)?;
                serializer.serialize_str(text)
            }
            Repr::Text(text) => serializer.serialize_str(text),
        }
    }
}

/// Reads any string, as a `String` field did (and refuses anything else with the same
/// words: "expected a string").
impl<'de> Deserialize<'de> for HashHex {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = HashHex;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<HashHex, E> {
                Ok(HashHex::parse(text))
            }
        }
        deserializer.deserialize_string(Visitor)
    }
}

/// Wipes the hash and leaves it empty, as wiping a `String` did.
impl Zeroize for HashHex {
    fn zeroize(&mut self) {
        match &mut self.0 {
            Repr::Sha256(bytes) => bytes.zeroize(),
            Repr::Text(text) => text.zeroize(),
        }
        self.0 = Repr::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "94078758f8add5f228a72e4ecd5c3b9f1d65a39d80138859a6a6b92659d6ca4c";

    fn ron_pretty<T: Serialize>(value: &T) -> String {
        ron::ser::to_string_pretty(value, ron::ser::PrettyConfig::default()).unwrap()
    }

    #[test]
    fn a_hash_is_held_as_its_bytes_and_written_back_as_the_same_text() {
        let hash = HashHex::parse(HASH);
        assert!(matches!(hash.0, Repr::Sha256(_)));
        assert_eq!(hash.to_string(), HASH);
        assert_eq!(format!("{hash:?}"), format!("{HASH:?}"));
        assert_eq!(hash, HASH);
        assert_eq!(&*hash.text_bytes(), HASH.as_bytes());
        // Through RON, compact (as the chain hashes it) and pretty (as the file holds it),
        // exactly as the `String` it was.
        let text = ron::to_string(&hash).unwrap();
        assert_eq!(text, ron::to_string(HASH).unwrap());
        assert_eq!(super::super::canonical(&hash).unwrap(), text);
        assert_eq!(ron_pretty(&hash), ron_pretty(&HASH));
        let back: HashHex = ron::from_str(&text).unwrap();
        assert_eq!(back, hash);
        assert_eq!(ron::to_string(&back).unwrap(), text);
        assert!(HashHex::GENESIS == super::super::GENESIS);
        assert_eq!(HashHex::from([0u8; 32]), HashHex::GENESIS);
    }

    /// Text that is not a lower-case SHA-256 hex is kept as written: written back and
    /// hashed as the same text, and equal only to itself, so `verify` refuses the entry as
    /// altered, as it did when hashes were `String`s.
    #[test]
    fn other_text_is_kept_as_written_and_matches_no_hash() {
        let upper = HASH.to_uppercase();
        let mut not_hex = HASH.to_string();
        not_hex.replace_range(10..11, "g");
        for text in [
            "",
            "0",
            &HASH[..63],
            &format!("{HASH}0"),
            &upper,
            &not_hex,
            " 94078758",
            "é\"\\\n",
        ] {
            let kept = HashHex::parse(text);
            assert!(matches!(kept.0, Repr::Text(_)), "{text}");
            assert_eq!(kept.to_string(), text);
            assert_eq!(kept, text);
            assert_ne!(kept, HashHex::parse(HASH));
            let ron_text = ron::to_string(&kept).unwrap();
            assert_eq!(ron_text, ron::to_string(text).unwrap());
            let back: HashHex = ron::from_str(&ron_text).unwrap();
            assert_eq!(back, kept);
            assert_eq!(ron_pretty(&back), ron_pretty(&text));
        }
        assert!(HashHex::parse("").is_empty());
        assert!(!HashHex::parse(HASH).is_empty());
    }

    /// What is not a string at all is refused with the words a `String` field gave.
    #[test]
    fn a_hash_that_is_not_a_string_is_refused_as_before() {
        for bad in ["5", "(a: 1)", "[\"x\"]", "None", "'c'"] {
            let was = ron::from_str::<String>(bad).unwrap_err().to_string();
            let now = ron::from_str::<HashHex>(bad).unwrap_err().to_string();
            assert_eq!(now, was, "{bad}");
        }
    }

    #[test]
    fn a_wiped_hash_is_empty() {
        let mut hash = HashHex::parse(HASH);
        hash.zeroize();
        assert!(hash.is_empty());
        let mut text = HashHex::parse("not a hash");
        text.zeroize();
        assert!(text.is_empty());
    }

    #[test]
    fn a_hash_takes_no_more_than_its_bytes_and_a_word() {
        assert!(std::mem::size_of::<HashHex>() <= 40);
    }
}
