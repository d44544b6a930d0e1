//! The canonical encoder: writes exactly the bytes `ron::to_string` writes (compact RON,
//! no struct names, no extensions), but straight into a sink such as a SHA-256 hasher,
//! without building the string, and copying plain runs of text at once where RON escapes
//! character by character.
//!
//! Exactness is the whole point: audit hashes are over these bytes, so a single differing
//! byte would make every logbook fail `verify`. Every rule below is RON 0.12's
//! `ser::Serializer` with `pretty: None` and empty extensions, and the tests compare the two
//! over generated records with awkward text; anything RON would refuse is refused here too.
//! Escaping delegates every non-ASCII character to `char::escape_debug`, the function RON
//! uses, so Unicode's printable and grapheme tables can never disagree.
//!
//! Not mirrored: RON's recursion limit (128 levels). The hashed types nest about six deep
//! and none is recursive.

use std::fmt::{self, Display, Write as _};

use serde::ser::{self, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

/// Where encoded bytes go.
pub trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Feeds SHA-256 in blocks of a few kilobytes: the encoder writes many short pieces, and
/// one hasher update per piece costs more than copying it. The buffer holds record text,
/// so it is wiped when dropped.
pub(super) struct HashSink {
    hasher: Sha256,
    buf: Vec<u8>,
}

const HASH_CHUNK: usize = 8 * 1024;

impl HashSink {
    pub(super) fn new() -> Self {
        HashSink {
            hasher: Sha256::new(),
            buf: Vec::with_capacity(HASH_CHUNK + 256),
        }
    }

    pub(super) fn finish(mut self) -> [u8; 32] {
        self.hasher.update(&self.buf);
        self.hasher.clone().finalize().into()
    }
}

impl Drop for HashSink {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

impl Sink for HashSink {
    fn put(&mut self, bytes: &[u8]) {
        if self.buf.len() + bytes.len() > HASH_CHUNK {
            self.hasher.update(&self.buf);
            self.buf.clear();
            if bytes.len() > HASH_CHUNK {
                self.hasher.update(bytes);
                return;
            }
        }
        self.buf.extend_from_slice(bytes);
    }
}

/// Why a value could not be encoded (the same cases RON refuses).
#[derive(Debug)]
pub(super) struct EncodeError(pub(super) String);

impl Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EncodeError {}

impl ser::Error for EncodeError {
    fn custom<T: Display>(msg: T) -> Self {
        EncodeError(msg.to_string())
    }
}

type Result<T> = std::result::Result<T, EncodeError>;

/// Encodes `value` into `sink`.
pub(super) fn encode<T: Serialize + ?Sized, S: Sink>(value: &T, sink: &mut S) -> Result<()> {
    encode_with(value, sink, None)
}

/// Encodes `value` into `sink` exactly as `ron::Options::default().to_writer_pretty` does
/// with `PrettyConfig::new().indentor("  ").struct_names(false).depth_limit(depth_limit)`
/// (the logbook file's layout): the same bytes, written without RON's character-by-
/// character escaping.
pub(super) fn encode_pretty<T: Serialize + ?Sized, S: Sink>(
    value: &T,
    sink: &mut S,
    depth_limit: usize,
) -> Result<()> {
    let layout = Layout {
        indent: 0,
        depth_limit,
        is_empty: None,
    };
    encode_with(value, sink, Some(layout))
}

/// Encodes `value` as `encode_pretty` would write it as an item of one of the logbook's
/// top-level lists (`people`, `incidents`, `audit`: the logbook's struct, then the list,
/// two levels in). A record's text there depends on nothing before or after it (the
/// list writes the separators, and a struct sets its own layout state), so the text
/// encoded once can be written again, as `Encoded`, in place of the record.
pub(super) fn encode_pretty_item<T: Serialize + ?Sized, S: Sink>(
    value: &T,
    sink: &mut S,
    depth_limit: usize,
) -> Result<()> {
    let layout = Layout {
        indent: ITEM_INDENT,
        depth_limit,
        is_empty: None,
    };
    encode_with(value, sink, Some(layout))
}

/// How deep an item of the logbook's top-level lists sits: in the logbook's struct (1),
/// in the list (2).
const ITEM_INDENT: usize = 2;

/// The newtype name that marks text already encoded in the pretty layout (`Encoded`).
/// Starts with `$`, which no Rust type name can, so no record can be mistaken for it.
const ENCODED_TOKEN: &str = "$logbook::private::Encoded";

/// A record's text as `encode_pretty_item` wrote it, written verbatim by the pretty
/// encoder in the record's place. Only the pretty layout accepts it (the hashes are never
/// taken over stored text), and only where the item was encoded for: an item of a
/// top-level list of the logbook, at the same depth limit.
pub struct Encoded<'a>(pub &'a [u8]);

impl Serialize for Encoded<'_> {
    fn serialize<S: ser::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        struct Text<'a>(&'a [u8]);
        impl Serialize for Text<'_> {
            fn serialize<S: ser::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_bytes(self.0)
            }
        }
        s.serialize_newtype_struct(ENCODED_TOKEN, &Text(self.0))
    }
}

fn encode_with<T: Serialize + ?Sized, S: Sink>(
    value: &T,
    sink: &mut S,
    layout: Option<Layout>,
) -> Result<()> {
    let mut encoder = Encoder {
        out: sink,
        scratch: String::new(),
        layout,
        verbatim: false,
    };
    let result = value.serialize(&mut encoder);
    encoder.scratch.zeroize();
    result
}

struct Encoder<'s, S: Sink> {
    out: &'s mut S,
    /// Reused for values serde formats with `Display` (dates and times), which RON turns
    /// into a fresh `String` each time.
    scratch: String,
    /// Pretty layout (new lines and indentation), or None for compact RON.
    layout: Option<Layout>,
    /// Inside `Encoded`: the next bytes are stored text, written as they are.
    verbatim: bool,
}

/// RON's pretty state, mirrored field for field (`ron::ser::Serializer`'s `pretty` and
/// `is_empty`): the indentation level, the depth below which lines are broken, and
/// whether the container just opened is known to be empty. `is_empty` is set when a
/// container opens and cleared only when one closes, as RON does.
struct Layout {
    indent: usize,
    depth_limit: usize,
    is_empty: Option<bool>,
}

const INDENTOR: &[u8] = b"  ";
const NEW_LINE: &[u8] = b"\n";
const SEPARATOR: &[u8] = b" ";

/// ASCII bytes `char::escape_debug` leaves as they are: printable, and not `"`, `'` or `\`.
const fn plain_ascii() -> [bool; 128] {
    let mut table = [false; 128];
    let mut b = 0x20;
    while b < 0x7f {
        table[b] = !matches!(b as u8, b'"' | b'\'' | b'\\');
        b += 1;
    }
    table
}
const PLAIN: [bool; 128] = plain_ascii();

fn put_escape<S: Sink>(out: &mut S, c: char) {
    let mut utf8 = [0u8; 4];
    for e in c.escape_debug() {
        out.put(e.encode_utf8(&mut utf8).as_bytes());
    }
}

/// `"` + each character's `char::escape_debug` + `"`, as RON writes a string, with runs of
/// characters that escape to themselves copied whole.
fn put_string<S: Sink>(out: &mut S, s: &str) {
    out.put(b"\"");
    let bytes = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if PLAIN[b as usize] {
                i += 1;
                continue;
            }
            out.put(&bytes[start..i]);
            put_escape(out, char::from(b));
            i += 1;
            start = i;
        } else {
            // `i` is on a character boundary: every step moves by a whole character.
            let Some(c) = s[i..].chars().next() else {
                break;
            };
            let width = c.len_utf8();
            if c.escape_debug().len() != 1 {
                out.put(&bytes[start..i]);
                put_escape(out, c);
                start = i + width;
            }
            i += width;
        }
    }
    out.put(&bytes[start..]);
    out.put(b"\"");
}

/// RON's identifier rule for names it writes: anything that is not a plain identifier (or
/// is one of RON's own words) is written raw, `r#name`.
fn put_identifier<S: Sink>(out: &mut S, name: &str) -> Result<()> {
    // Every field and variant name the logbook has is a plain ASCII identifier: those are
    // valid and written as they are unless they are one of RON's words, without the
    // Unicode tables (the general rule below gives the same answer for them).
    let bytes = name.as_bytes();
    if bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && !RON_WORDS.contains(&name)
    {
        out.put(bytes);
        return Ok(());
    }
    validate_identifier(name)?;
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c == '_' || unicode_ident::is_xid_start(c))
        && chars.all(unicode_ident::is_xid_continue)
        && !RON_WORDS.contains(&name);
    if !plain {
        out.put(b"r#");
    }
    out.put(name.as_bytes());
    Ok(())
}

/// Names RON writes raw (`r#true`) because they would read as its own words.
const RON_WORDS: [&str; 10] = [
    "true", "false", "Some", "None", "inf", "inff32", "inff64", "NaN", "NaNf32", "NaNf64",
];

fn validate_identifier(name: &str) -> Result<()> {
    // The common case (every name the logbook's types have) without the Unicode tables.
    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Ok(());
    }
    let ok = !name.is_empty()
        && name.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '.' | '+' | '-')
                || (!c.is_ascii() && unicode_ident::is_xid_continue(c))
        });
    if ok {
        Ok(())
    } else {
        Err(EncodeError(format!("invalid identifier {name:?}")))
    }
}

impl<S: Sink> Encoder<'_, S> {
    fn put(&mut self, bytes: &[u8]) {
        self.out.put(bytes);
    }

    fn put_display(&mut self, value: &dyn Display) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        // Writing into a String cannot fail.
        let _ = write!(scratch, "{value}");
        self.put(scratch.as_bytes());
        self.scratch = scratch;
    }

    fn put_u64(&mut self, mut v: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.put(&digits[at..]);
    }

    fn put_i64(&mut self, v: i64) {
        if v < 0 {
            self.put(b"-");
        }
        self.put_u64(v.unsigned_abs());
    }

    fn put_indentation(&mut self, levels: usize) {
        for _ in 0..levels {
            self.out.put(INDENTOR);
        }
    }

    /// A container opened (RON's `start_indent`): one level deeper, and a new line
    /// unless it is known to be empty.
    fn start_indent(&mut self) {
        if let Some(l) = &mut self.layout {
            l.indent += 1;
            if l.indent <= l.depth_limit && !l.is_empty.unwrap_or(false) {
                self.out.put(NEW_LINE);
            }
        }
    }

    /// Indentation before an item (RON's `indent`).
    fn indent(&mut self) {
        if let Some(l) = &self.layout
            && l.indent <= l.depth_limit
        {
            let levels = l.indent;
            self.put_indentation(levels);
        }
    }

    /// A container closing (RON's `end_indent`): indentation for the closing bracket.
    fn end_indent(&mut self) {
        if let Some(l) = &mut self.layout {
            let levels = (l.indent <= l.depth_limit && !l.is_empty.unwrap_or(false))
                .then(|| l.indent.saturating_sub(1));
            l.indent -= 1;
            l.is_empty = None;
            if let Some(levels) = levels {
                self.put_indentation(levels);
            }
        }
    }

    /// Whether items are written one a line here (pretty, and within the depth limit).
    fn broken(&self) -> bool {
        self.layout
            .as_ref()
            .is_some_and(|l| l.indent <= l.depth_limit)
    }

    /// A container of known length opens: remember whether it is empty.
    fn set_empty(&mut self, empty: Option<bool>) {
        if let (Some(l), Some(empty)) = (&mut self.layout, empty) {
            l.is_empty = Some(empty);
        }
    }

    /// The space RON writes after `:` and after a tuple's `,` in pretty layout.
    fn separator(&mut self) {
        if self.layout.is_some() {
            self.out.put(SEPARATOR);
        }
    }
}

/// A struct, sequence, tuple or map being written: whether a separator is due.
struct Compound<'a, 's, S: Sink> {
    enc: &'a mut Encoder<'s, S>,
    first: bool,
}

impl<S: Sink> Compound<'_, '_, S> {
    /// Before a tuple's item: `,` and, in pretty layout, a space.
    fn separate(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.enc.put(b",");
            self.enc.separator();
        }
    }

    /// Before an item of a sequence, map or struct: `,` then, in pretty layout, a new line
    /// (or a space past the depth limit); then the item's indentation.
    fn separate_line(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.enc.put(b",");
            if self.enc.broken() {
                self.enc.put(NEW_LINE);
            } else {
                self.enc.separator();
            }
        }
        self.enc.indent();
    }

    /// Before the closing bracket of a sequence, map or struct: in pretty layout, a
    /// trailing `,` and new line after the last item, then the bracket's indentation.
    fn close_line(&mut self) {
        if !self.first && self.enc.broken() {
            self.enc.put(b",");
            self.enc.put(NEW_LINE);
        }
        self.enc.end_indent();
    }
}

impl<'a, 's, S: Sink> ser::Serializer for &'a mut Encoder<'s, S> {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = Compound<'a, 's, S>;
    type SerializeTuple = Compound<'a, 's, S>;
    type SerializeTupleStruct = Compound<'a, 's, S>;
    type SerializeTupleVariant = Compound<'a, 's, S>;
    type SerializeMap = Compound<'a, 's, S>;
    type SerializeStruct = Compound<'a, 's, S>;
    type SerializeStructVariant = Compound<'a, 's, S>;

    fn serialize_bool(self, v: bool) -> Result<()> {
        self.put(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<()> {
        self.put_i64(v.into());
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result<()> {
        self.put_i64(v.into());
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result<()> {
        self.put_i64(v.into());
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<()> {
        self.put_i64(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<()> {
        self.put_u64(v.into());
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<()> {
        self.put_u64(v.into());
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<()> {
        self.put_u64(v.into());
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<()> {
        self.put_u64(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<()> {
        if v.is_nan() && v.is_sign_negative() {
            self.put(b"-");
        }
        self.put_display(&format_args!("{v:?}"));
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<()> {
        if v.is_nan() && v.is_sign_negative() {
            self.put(b"-");
        }
        self.put_display(&format_args!("{v:?}"));
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<()> {
        self.put(b"'");
        if v == '\\' || v == '\'' {
            self.put(b"\\");
        }
        let mut utf8 = [0u8; 4];
        self.put(v.encode_utf8(&mut utf8).as_bytes());
        self.put(b"'");
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<()> {
        put_string(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<()> {
        if std::mem::take(&mut self.verbatim) {
            self.put(v);
            return Ok(());
        }
        self.put(b"b\"");
        for b in v {
            for e in std::ascii::escape_default(*b) {
                self.put(&[e]);
            }
        }
        self.put(b"\"");
        Ok(())
    }
    fn serialize_none(self) -> Result<()> {
        self.put(b"None");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<()> {
        self.put(b"Some(");
        value.serialize(&mut *self)?;
        self.put(b")");
        Ok(())
    }
    fn serialize_unit(self) -> Result<()> {
        self.put(b"()");
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<()> {
        validate_identifier(name)?;
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<()> {
        validate_identifier(name)?;
        put_identifier(self.out, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<()> {
        if name == ENCODED_TOKEN {
            let Some(layout) = &mut self.layout else {
                return Err(EncodeError(
                    "stored text cannot be encoded canonically".into(),
                ));
            };
            // As the record's struct would leave it when closed.
            layout.is_empty = None;
            self.verbatim = true;
            value.serialize(&mut *self)?;
            if std::mem::take(&mut self.verbatim) {
                return Err(EncodeError("stored text expected".into()));
            }
            return Ok(());
        }
        if name.starts_with("$ron::") {
            // RON's raw values are written verbatim; no hashed type holds one.
            return Err(EncodeError(format!("{name} cannot be encoded canonically")));
        }
        validate_identifier(name)?;
        self.put(b"(");
        value.serialize(&mut *self)?;
        self.put(b")");
        Ok(())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<()> {
        validate_identifier(name)?;
        put_identifier(self.out, variant)?;
        self.put(b"(");
        value.serialize(&mut *self)?;
        self.put(b")");
        Ok(())
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq> {
        self.put(b"[");
        self.set_empty(len.map(|n| n == 0));
        self.start_indent();
        Ok(Compound {
            enc: self,
            first: true,
        })
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        self.put(b"(");
        Ok(Compound {
            enc: self,
            first: true,
        })
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        validate_identifier(name)?;
        self.serialize_tuple(len)
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        validate_identifier(name)?;
        put_identifier(self.out, variant)?;
        self.put(b"(");
        Ok(Compound {
            enc: self,
            first: true,
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap> {
        self.put(b"{");
        self.set_empty(len.map(|n| n == 0));
        self.start_indent();
        Ok(Compound {
            enc: self,
            first: true,
        })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Self::SerializeStruct> {
        validate_identifier(name)?;
        self.put(b"(");
        self.set_empty(Some(len == 0));
        self.start_indent();
        Ok(Compound {
            enc: self,
            first: true,
        })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        validate_identifier(name)?;
        put_identifier(self.out, variant)?;
        self.put(b"(");
        self.set_empty(Some(len == 0));
        self.start_indent();
        Ok(Compound {
            enc: self,
            first: true,
        })
    }
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<()> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let _ = write!(scratch, "{value}");
        put_string(self.out, &scratch);
        self.scratch = scratch;
        Ok(())
    }
}

impl<S: Sink> ser::SerializeSeq for Compound<'_, '_, S> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.separate_line();
        value.serialize(&mut *self.enc)
    }
    fn end(mut self) -> Result<()> {
        self.close_line();
        self.enc.put(b"]");
        Ok(())
    }
}

impl<S: Sink> ser::SerializeTuple for Compound<'_, '_, S> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.separate();
        value.serialize(&mut *self.enc)
    }
    fn end(self) -> Result<()> {
        self.enc.put(b")");
        Ok(())
    }
}

impl<S: Sink> ser::SerializeTupleStruct for Compound<'_, '_, S> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        ser::SerializeTuple::serialize_element(self, value)
    }
    fn end(self) -> Result<()> {
        ser::SerializeTuple::end(self)
    }
}

impl<S: Sink> ser::SerializeTupleVariant for Compound<'_, '_, S> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        ser::SerializeTuple::serialize_element(self, value)
    }
    fn end(self) -> Result<()> {
        ser::SerializeTuple::end(self)
    }
}

impl<S: Sink> ser::SerializeMap for Compound<'_, '_, S> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.separate_line();
        key.serialize(&mut *self.enc)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.enc.put(b":");
        self.enc.separator();
        value.serialize(&mut *self.enc)
    }
    fn end(mut self) -> Result<()> {
        self.close_line();
        self.enc.put(b"}");
        Ok(())
    }
}

impl<S: Sink> ser::SerializeStruct for Compound<'_, '_, S> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.separate_line();
        put_identifier(self.enc.out, key)?;
        self.enc.put(b":");
        self.enc.separator();
        value.serialize(&mut *self.enc)
    }
    fn end(mut self) -> Result<()> {
        self.close_line();
        self.enc.put(b")");
        Ok(())
    }
}

impl<S: Sink> ser::SerializeStructVariant for Compound<'_, '_, S> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<()> {
        ser::SerializeStruct::end(self)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::OnceLock;

    use proptest::prelude::*;
    use serde::Serialize;

    use super::super::{canonical, sha256_hex, state_hash};
    use crate::model::Logbook;

    /// What RON writes, the reference the encoder must match byte for byte.
    fn ron(value: &(impl Serialize + ?Sized)) -> String {
        ron::to_string(value).unwrap()
    }

    /// What RON writes in the logbook file's pretty layout, at a depth limit.
    fn ron_pretty(value: &(impl Serialize + ?Sized), depth_limit: usize) -> String {
        let config = ron::ser::PrettyConfig::new()
            .indentor("  ")
            .struct_names(false)
            .depth_limit(depth_limit);
        ron::Options::default()
            .to_string_pretty(value, config)
            .unwrap()
    }

    fn pretty(value: &(impl Serialize + ?Sized), depth_limit: usize) -> String {
        let mut bytes = Vec::new();
        super::encode_pretty(value, &mut bytes, depth_limit).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    /// The compact encoding (and its hash) and the pretty one at every depth limit that
    /// matters agree with RON's.
    fn same(value: &(impl Serialize + ?Sized)) {
        let ours = canonical(&value).unwrap();
        assert_eq!(ours, ron(value));
        assert_eq!(
            state_hash(&value).unwrap(),
            sha256_hex(ron(value).as_bytes())
        );
        for depth_limit in [0, 1, 2, 3, 4, 5, usize::MAX] {
            assert_eq!(pretty(value, depth_limit), ron_pretty(value, depth_limit));
        }
    }

    /// Characters where escaping could go wrong: quotes, backslashes, control characters,
    /// line and paragraph separators, combining marks, private use, the last code point.
    const AWKWARD: &[char] = &[
        '"',
        '\\',
        '\'',
        '\n',
        '\r',
        '\t',
        '\0',
        '\u{1}',
        '\u{1b}',
        '\u{7f}',
        '\u{80}',
        '\u{85}',
        '\u{a0}',
        '\u{ad}',
        '\u{300}',
        '\u{34f}',
        '\u{200b}',
        '\u{200d}',
        '\u{2028}',
        '\u{2029}',
        '\u{202e}',
        '\u{feff}',
        '\u{fffd}',
        '\u{e000}',
        '\u{10ffff}',
        '\u{1f600}',
        '\u{1f3fb}',
        'é',
        '日',
        '#',
        'r',
        'a',
        ' ',
        '{',
        '(',
        ':',
        ',',
    ];

    fn awkward_string() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            any::<String>(),
            proptest::collection::vec(proptest::sample::select(AWKWARD), 0..24)
                .prop_map(String::from_iter),
        ]
    }

    #[derive(Serialize)]
    struct Unit;
    #[derive(Serialize)]
    struct Newtype(String);
    #[derive(Serialize)]
    struct Pair(i32, Option<String>);
    #[derive(Serialize)]
    #[allow(non_camel_case_types)]
    enum Shape {
        Plain,
        Wrapped(String),
        Two(u8, char),
        Named { a: Vec<u8>, b: Option<Option<bool>> },
        Empty {},
        None,
        r#true,
    }
    /// Every shape of serde's data model that RON writes.
    #[derive(Serialize)]
    struct Everything {
        text: String,
        c: char,
        small: i8,
        big: i64,
        unsigned: u64,
        float: f64,
        single: f32,
        flag: bool,
        unit: (),
        unit_struct: Unit,
        newtype: Newtype,
        pair: Pair,
        tuple: (u16, String, ()),
        shapes: Vec<Shape>,
        map: BTreeMap<String, Vec<Option<i16>>>,
        #[serde(with = "serde_bytes_like")]
        bytes: Vec<u8>,
        r#type: u8,
        #[serde(rename = "Some")]
        keyword: u8,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        /// Containers inside containers, empty and not, for the pretty layout's depth.
        nested: Vec<Vec<Pair>>,
        empty: Vec<Shape>,
        /// A sequence of unknown length (RON then keeps the last known emptiness).
        #[serde(serialize_with = "unknown_length")]
        unknown: Vec<u8>,
    }
    fn unknown_length<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().filter(|_| true))
    }
    mod serde_bytes_like {
        pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(v)
        }
    }

    fn everything(text: String, c: char, n: i64, f: f64, bytes: Vec<u8>) -> Everything {
        Everything {
            c,
            small: n as i8,
            big: n,
            unsigned: n.unsigned_abs(),
            float: f,
            single: f as f32,
            flag: n % 2 == 0,
            unit: (),
            unit_struct: Unit,
            newtype: Newtype(text.clone()),
            pair: Pair(n as i32, Some(text.clone()).filter(|t| t.len() % 2 == 0)),
            tuple: (n as u16, text.clone(), ()),
            shapes: vec![
                Shape::Plain,
                Shape::Wrapped(text.clone()),
                Shape::Two(n as u8, c),
                Shape::Named {
                    a: bytes.clone(),
                    b: Some(None),
                },
                Shape::Empty {},
                Shape::None,
                Shape::r#true,
            ],
            nested: vec![vec![], vec![Pair(1, None), Pair(2, Some(text.clone()))]],
            empty: vec![],
            unknown: bytes.iter().take(3).copied().collect(),
            map: BTreeMap::from([
                (text.clone(), vec![None, Some(n as i16)]),
                (String::new(), vec![]),
            ]),
            bytes,
            r#type: 1,
            keyword: 2,
            skipped: None,
            text,
        }
    }

    #[test]
    fn every_shape_of_value_matches_ron() {
        for f in [
            0.0,
            -0.0,
            1.5,
            1e300,
            -1e-300,
            f64::INFINITY,
            f64::NAN,
            -f64::NAN,
        ] {
            same(&everything("x".into(), 'x', -7, f, vec![0, b'"', 0x80]));
        }
        for c in AWKWARD {
            same(&everything(c.to_string(), *c, i64::MIN, 0.1, vec![]));
        }
        same(&everything(
            String::new(),
            '\'',
            i64::MAX,
            2.0,
            (0..=255).collect(),
        ));
    }

    #[test]
    fn awkward_strings_match_ron() {
        for c in AWKWARD {
            same(&c.to_string());
            same(&format!("plain {c} run {c}{c} end"));
        }
        // Every code point of the Basic Multilingual Plane and beyond, a block at a time.
        let all: Vec<char> = (0..=0x10ffffu32).filter_map(char::from_u32).collect();
        for block in all.chunks(4096) {
            same(&String::from_iter(block));
        }
    }

    /// A small generated logbook (people, incidents with evidence and reviews, a replayed
    /// audit trail), made once.
    fn base() -> &'static Logbook {
        static BOOK: OnceLock<Logbook> = OnceLock::new();
        BOOK.get_or_init(|| {
            let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 16)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap();
            crate::demo::generate(6, 7, now).unwrap()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Records as the logbook holds them, with awkward text in every kind of field,
        /// hash exactly as RON's text of them does.
        #[test]
        fn records_with_awkward_text_match_ron(texts in proptest::collection::vec(awkward_string(), 12)) {
            let mut book = base().clone();
            let t = |i: usize| texts[i % texts.len()].clone();
            book.settings.organisation = t(0);
            book.settings.staff.push(t(1));
            for (k, inc) in book.incidents.iter_mut().enumerate() {
                inc.description = t(k + 2);
                inc.platform = t(k + 3);
                inc.reported_by = t(k + 4);
                inc.immediate_action = t(k + 5);
                for ev in &mut inc.evidence {
                    ev.description = t(k + 6);
                    ev.kept_at = t(k + 7);
                }
                for step in &mut inc.checklist {
                    step.step = t(k + 8);
                }
            }
            for (k, p) in book.people.iter_mut().enumerate() {
                p.reference = t(k + 9);
                p.notes = t(k + 10);
            }
            for (k, e) in book.audit.iter_mut().enumerate() {
                e.by = t(k + 11);
                for c in &mut e.changes {
                    c.old = t(k);
                    c.new = t(k + 1);
                }
            }
            for inc in &book.incidents {
                same(inc);
            }
            for p in &book.people {
                same(p);
            }
            for e in &book.audit {
                same(e);
            }
            same(&book.settings);
            same(&book);
        }
    }
}
