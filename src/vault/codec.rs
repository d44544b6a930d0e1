//! The plaintext inside the age file: RON with a `format` version, and the age layer.

use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::mpsc;

use age::secrecy::ExposeSecret as _;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::key::{Key, Recipients};
use crate::error::{Error, Result};
use crate::model::{FORMAT, Logbook};

/// Two-space indentation, no struct names, and one line per item below the record level
/// (an evidence item, an audit entry's field change): a person reading `age -d` output
/// sees each record's fields plainly, and the file is about a third of fully pretty RON.
pub(super) fn pretty() -> ron::ser::PrettyConfig {
    ron::ser::PrettyConfig::new()
        .indentor("  ")
        .struct_names(false)
        .depth_limit(DEPTH_LIMIT)
}

/// Writes the logbook as RON straight into the age stream: no plaintext copy of the whole
/// logbook is ever made, in memory or on disk.
pub(crate) fn encrypt_to(
    out: &mut dyn Write,
    recipients: &Recipients,
    logbook: &Logbook,
) -> io::Result<()> {
    encrypt_ron(out, recipients.encryptor(), logbook)
}

/// Writes any value as RON, in the logbook file's layout, straight into an age stream (the
/// logbook, a backup, a backup manifest). Keeps the writer's own error, so a full disk is
/// still reported as a full disk.
///
/// The text is RON's own pretty layout (`pretty()`), written by the model's encoder
/// (`model::pretty_ron`), which copies plain runs of text at once where RON escapes
/// character by character; its tests prove the bytes are RON's. The encoding runs on a
/// second thread while this one encrypts and writes: a save costs about the longer of the
/// two, not their sum.
pub fn encrypt_ron<T: serde::Serialize + Sync>(
    out: &mut dyn Write,
    encryptor: age::Encryptor,
    value: &T,
) -> io::Result<()> {
    let mut stream = encryptor.wrap_output(out)?;
    // Chunks of text, full ones to this thread and emptied ones back: at most a few
    // exist, each wiped when dropped, and none ever grows (a reallocation would leave
    // plaintext behind in freed memory).
    let (full_tx, full_rx) = mpsc::sync_channel::<Zeroizing<Vec<u8>>>(2);
    let (empty_tx, empty_rx) = mpsc::channel::<Zeroizing<Vec<u8>>>();
    let (encoded, written) = std::thread::scope(|scope| {
        let encoder = scope.spawn(move || {
            let mut sink = ChunkSink {
                buf: Zeroizing::new(Vec::with_capacity(CHUNK)),
                full: Some(full_tx),
                empty: empty_rx,
            };
            let result = crate::model::pretty_ron(value, &mut sink, DEPTH_LIMIT);
            sink.send();
            result
        });
        let mut written = Ok(());
        for mut chunk in full_rx.iter() {
            written = stream.write_all(&chunk);
            if written.is_err() {
                // Dropping the receiver tells the encoder to stop sending.
                break;
            }
            chunk.clear();
            let _ = empty_tx.send(chunk);
        }
        drop(full_rx);
        let encoded = encoder
            .join()
            .unwrap_or_else(|_| Err(crate::model::Unencodable("the encoder stopped".into())));
        (encoded, written)
    });
    written?;
    encoded.map_err(|e| io::Error::other(e.to_string()))?;
    stream.finish()?;
    Ok(())
}

/// The depth below which the file's RON puts one item a line (see `pretty()`).
pub(super) const DEPTH_LIMIT: usize = 4;

/// How much text is gathered before it goes to the age stream: RON's writes are many and
/// small (a bracket, a field name, a comma).
const CHUNK: usize = 256 * 1024;

/// The encoder's sink: fills a chunk, hands it to the writing thread when full, and takes
/// an emptied one back (or makes one). Once the writer has gone (it failed), what is
/// encoded is dropped: the writer's error is the one reported.
struct ChunkSink {
    buf: Zeroizing<Vec<u8>>,
    full: Option<mpsc::SyncSender<Zeroizing<Vec<u8>>>>,
    empty: mpsc::Receiver<Zeroizing<Vec<u8>>>,
}

impl ChunkSink {
    fn send(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let next = self
            .empty
            .try_recv()
            .unwrap_or_else(|_| Zeroizing::new(Vec::with_capacity(CHUNK)));
        let full = std::mem::replace(&mut self.buf, next);
        if let Some(tx) = &self.full
            && tx.send(full).is_err()
        {
            self.full = None;
        }
    }
}

impl crate::model::RonSink for ChunkSink {
    fn put(&mut self, mut bytes: &[u8]) {
        if self.full.is_none() {
            return;
        }
        while !bytes.is_empty() {
            let room = CHUNK - self.buf.len();
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            self.buf.extend_from_slice(now);
            bytes = rest;
            if self.buf.len() == CHUNK {
                self.send();
            }
        }
    }
}

/// The RON text of a logbook, as the file holds it (tests compare files with it). A
/// logbook that cannot be encoded is a bug to see, never an empty text.
pub fn to_ron(logbook: &Logbook) -> String {
    ron::ser::to_string_pretty(logbook, pretty())
        .unwrap_or_else(|e| panic!("a logbook always encodes as RON: {e}"))
}

/// Decrypts a whole age file into a zeroizing buffer. The stream is read to its end
/// before anything is parsed, so a damaged or truncated tail is refused, never half-read.
pub fn decrypt(path: &Path, ciphertext: &[u8], key: &Key) -> Result<Zeroizing<Vec<u8>>> {
    let decryptor =
        age::Decryptor::new_buffered(ciphertext).map_err(|e| header_error(path, ciphertext, e))?;
    let reader = match key {
        Key::Passphrase(pass) => {
            if !decryptor.is_scrypt() {
                return Err(Error::NeedsIdentity(path.to_path_buf()));
            }
            let mut identity = age::scrypt::Identity::new(pass.expose_secret().to_owned().into());
            // Cap the work a file can demand before the passphrase is checked, as the Go age CLI does.
            identity.set_max_work_factor(22);
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
        Key::Identities(ids) => {
            if decryptor.is_scrypt() {
                return Err(Error::NeedsPassphrase(path.to_path_buf()));
            }
            decryptor.decrypt(ids.iter().map(|i| i as &dyn age::Identity))
        }
    };
    let mut reader = reader.map_err(|e| match e {
        age::DecryptError::NoMatchingKeys
        | age::DecryptError::DecryptionFailed
        | age::DecryptError::KeyDecryptionFailed => Error::WrongSecret,
        age::DecryptError::ExcessiveWork { .. } => Error::Usage(format!(
            "{} needs more passphrase work than this machine allows: re-encrypt it with `logbook passwd` on the machine that made it.",
            path.display()
        )),
        other => header_error(path, ciphertext, other),
    })?;
    // The plaintext is never longer than the ciphertext: reserving that much up front
    // means the buffer never reallocates and leaves no unzeroized copy behind.
    let mut plain = Zeroizing::new(Vec::with_capacity(ciphertext.len()));
    reader
        .read_to_end(&mut plain)
        .map_err(|_| Error::Damaged(path.to_path_buf()))?;
    Ok(plain)
}

fn header_error(path: &Path, ciphertext: &[u8], e: age::DecryptError) -> Error {
    let looks_like_age = ciphertext.starts_with(b"age-encryption.org/");
    match e {
        age::DecryptError::UnknownFormat if looks_like_age => Error::Unreadable {
            path: path.to_path_buf(),
            detail: "it uses a newer version of the age format".into(),
        },
        _ if looks_like_age => Error::Damaged(path.to_path_buf()),
        _ => Error::NotAge(path.to_path_buf()),
    }
}

#[derive(Deserialize)]
struct FormatProbe {
    format: u32,
}

/// Parses decrypted RON into a logbook, refusing a newer format with a clear message.
/// Formats older than this build's would be migrated here; format 1 is the first.
///
/// Uses two cores: while this thread parses the records, another parses the audit trail
/// from where this program writes it (a line `  audit: [`). The guess is used only if the
/// records' parse finds the trail starting exactly there; otherwise the trail is parsed
/// again from where it really is. So the result is always that of one whole parse.
pub fn decode(path: &Path, plain: &[u8]) -> Result<Logbook> {
    let text = utf8(path, plain)?;
    let guess = trail_guess(text);
    let (records, early) = std::thread::scope(|scope| {
        let early = guess.map(|at| {
            scope.spawn(move || {
                let mut de = ron::Deserializer::from_str(&text[at..]).ok()?;
                crate::model::Trail::deserialize(&mut de).ok()
            })
        });
        let records = decode_records(path, plain);
        (records, early.map(std::thread::ScopedJoinHandle::join))
    });
    let (mut logbook, span) = records?;
    if let Some(span) = span {
        logbook.audit = match early {
            Some(Ok(Some(audit))) if guess == Some(span.start) => audit,
            _ => read_trail(path, plain, span)?,
        };
    }
    logbook.trail_pending = false;
    Ok(logbook)
}

fn utf8<'a>(path: &Path, plain: &'a [u8]) -> Result<&'a str> {
    std::str::from_utf8(plain).map_err(|_| Error::Unreadable {
        path: path.to_path_buf(),
        detail: "it is not UTF-8 text".into(),
    })
}

/// Whether the text starts as this program writes it, with the logbook's opening bracket:
/// no comment or `#![enable(...)]` attribute before it. An attribute changes how the
/// whole file parses, so the trail can only be parsed on its own in a file without one.
fn simple_layout(text: &str) -> bool {
    text.starts_with('(')
}

const TRAIL_MARK: &str = "\n  audit: ";

/// Where this program would have written the trail: just after the first line starting
/// `  audit: [`. A guess, to be confirmed by a parse.
fn trail_guess(text: &str) -> Option<usize> {
    if !simple_layout(text) {
        return None;
    }
    memchr::memmem::find(text.as_bytes(), format!("{TRAIL_MARK}[").as_bytes())
        .map(|at| at + TRAIL_MARK.len())
}

/// The end of the bracketed value starting at `bytes[start]`, in text as this program
/// writes it: strings in double quotes with backslash escapes, and nothing else that can
/// hold a bracket. None at anything else (a comment, raw or byte string, character
/// literal), which RON then skips itself.
fn trail_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                loop {
                    let at = i + memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
                    if bytes[at] == b'\\' {
                        i = at + 2;
                    } else {
                        i = at + 1;
                        break;
                    }
                }
                continue;
            }
            b'[' | b'(' | b'{' => depth += 1,
            b']' | b')' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'\'' | b'/' | b'#' => return None,
            b'r' | b'b' if matches!(bytes.get(i + 1), Some(b'"' | b'#')) => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The records, parsed from a copy of the text with the trail cut out (`[]` in its place),
/// so that RON does not even scan it: for a logbook as this program writes it, where
/// `trail_guess` and `trail_end` find the trail. The cut is confirmed by the parse itself:
/// the records' parse must find the trail field's value exactly where the cut is, which
/// (the text before it being the same) means the trail starts there in the real text too.
/// None when anything differs: the caller parses the real text.
fn records_without_trail(text: &str) -> Option<(Records<'static>, TrailSpan)> {
    let start = trail_guess(text)?;
    let end = trail_end(text.as_bytes(), start)?;
    let mut cut = Zeroizing::new(String::with_capacity(text.len() - (end - start) + 2));
    cut.push_str(&text[..start]);
    cut.push_str("[]");
    cut.push_str(&text[end..]);
    let records = ron::from_str::<Records>(&cut).ok()?;
    let raw = records.audit.0?;
    let found = (raw.as_ptr() as usize).checked_sub(cut.as_ptr() as usize)?;
    if found != start || raw != "[]" {
        return None;
    }
    let Records {
        format,
        settings,
        people,
        incidents,
        tombstones,
        audit: _,
        backup_key,
        concerns,
    } = records;
    Some((
        Records {
            format,
            settings,
            people,
            incidents,
            tombstones,
            audit: RawTrail(None),
            backup_key,
            concerns,
        },
        TrailSpan {
            start,
            end,
            line: text[..start].bytes().filter(|&b| b == b'\n').count(),
        },
    ))
}

/// The whole file in one parse (files not laid out as this program writes them).
fn decode_whole(path: &Path, text: &str) -> Result<Logbook> {
    match ron::from_str::<Logbook>(text) {
        Ok(mut logbook) => {
            check_format(path, logbook.format)?;
            logbook.sort();
            Ok(logbook)
        }
        Err(e) => Err(parse_error(path, text, &e)),
    }
}

/// A logbook's records as `decode` would give them, with the audit trail left as text to
/// be read after (`read_trail`): the list can be drawn without waiting for the trail,
/// which is most of the file. The fields are `Logbook`'s, in its order; `decode_records`
/// names every field of `Logbook` in a struct literal, so adding one there fails to compile until
/// it is added here too (else files holding it would be refused as unknown).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "Logbook")]
struct Records<'a> {
    format: u32,
    settings: crate::model::Settings,
    #[serde(default)]
    people: Vec<crate::model::Shared<crate::model::Person>>,
    #[serde(default)]
    incidents: Vec<crate::model::Shared<crate::model::Incident>>,
    #[serde(default)]
    tombstones: Vec<crate::model::Tombstone>,
    /// Cut out of the text before the parse where it can be (`records_without_trail`),
    /// else skipped by RON; parsed afterwards by `read_trail`.
    #[serde(default, borrow)]
    audit: RawTrail<'a>,
    #[serde(default)]
    backup_key: Option<crate::model::BackupSecret>,
    #[serde(default)]
    concerns: Vec<crate::model::ConcernRecord>,
}

/// The audit trail's text, borrowed from the plaintext. RON hands a value's source text
/// to a newtype named with its raw-value token after skipping it (as for
/// `ron::value::RawValue`, whose own constructor would then scan it a second time). The
/// tests prove the token still works: a changed token fails every split read.
#[derive(Default)]
struct RawTrail<'a>(Option<&'a str>);

const RON_RAW_VALUE: &str = "$ron::private::RawValue";

impl<'de: 'a, 'a> Deserialize<'de> for RawTrail<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Text;
        impl<'de> serde::de::Visitor<'de> for Text {
            type Value = &'de str;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("the audit trail")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> std::result::Result<&'de str, E> {
                Ok(v)
            }
        }
        d.deserialize_newtype_struct(RON_RAW_VALUE, Text)
            .map(|t| RawTrail(Some(t)))
    }
}

/// The part of the plaintext that holds the audit trail, not yet parsed: where it starts
/// and ends, and on which line of the file (for error messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrailSpan {
    start: usize,
    end: usize,
    line: usize,
}

/// Parses the records of a logbook and finds its audit trail without parsing it. The
/// logbook comes back with `trail_pending` set and, with a span, an empty trail, which
/// `read_trail` parses from the same plaintext. Without a span the trail is already in
/// the logbook (none was written, or the file is not laid out as this program writes it
/// and was parsed whole). Together they accept exactly the files a whole parse accepts.
pub fn decode_records(path: &Path, plain: &[u8]) -> Result<(Logbook, Option<TrailSpan>)> {
    let text = utf8(path, plain)?;
    if !simple_layout(text) {
        let mut logbook = decode_whole(path, text)?;
        logbook.trail_pending = true;
        return Ok((logbook, None));
    }
    let (records, cut) = match records_without_trail(text) {
        Some((records, span)) => (records, Some(span)),
        None => match ron::from_str::<Records>(text) {
            Ok(records) => (records, None),
            Err(e) => return Err(parse_error(path, text, &e)),
        },
    };
    check_format(path, records.format)?;
    // The trail's text is a slice of `text`: its place in it, found from the pointers.
    let span = match records.audit.0 {
        None => cut,
        Some(raw) => {
            let start = (raw.as_ptr() as usize)
                .checked_sub(text.as_ptr() as usize)
                .filter(|&s| text.get(s..s + raw.len()) == Some(raw))
                .ok_or_else(|| Error::Damaged(path.to_path_buf()))?;
            Some(TrailSpan {
                start,
                end: start + raw.len(),
                line: text[..start].bytes().filter(|&b| b == b'\n').count(),
            })
        }
    };
    // Every field named: a field added to `Logbook` does not compile until it is read here.
    let mut logbook = Logbook {
        format: records.format,
        settings: records.settings,
        people: records.people,
        incidents: records.incidents,
        tombstones: records.tombstones,
        audit: Vec::new(),
        backup_key: records.backup_key,
        concerns: records.concerns,
        trail_pending: true,
    };
    logbook.sort();
    Ok((logbook, span))
}

/// Parses the audit trail that `decode_records` found in `plain`.
pub fn read_trail(path: &Path, plain: &[u8], span: TrailSpan) -> Result<crate::model::Trail> {
    let Some(raw) = plain.get(span.start..span.end) else {
        return Err(Error::Damaged(path.to_path_buf()));
    };
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    let text = std::str::from_utf8(raw).map_err(|_| Error::Damaged(path.to_path_buf()))?;
    ron::from_str(text).map_err(|e| Error::Unreadable {
        path: path.to_path_buf(),
        detail: format!(
            "RON error at line {}, column {}: {}",
            e.span.start.line + span.line,
            e.span.start.col,
            e.code
        ),
    })
}

fn check_format(path: &Path, format: u32) -> Result<()> {
    if format > FORMAT {
        return Err(Error::NewerFormat {
            path: path.to_path_buf(),
            found: format,
        });
    }
    if format < FORMAT {
        return Err(Error::Unreadable {
            path: path.to_path_buf(),
            detail: format!("format {format} is not a format any version of logbook wrote"),
        });
    }
    Ok(())
}

fn parse_error(path: &Path, text: &str, e: &ron::error::SpannedError) -> Error {
    // A newer format may not parse as this one: say so rather than "damaged".
    if let Ok(probe) = ron::from_str::<FormatProbe>(text)
        && probe.format > FORMAT
    {
        return Error::NewerFormat {
            path: path.to_path_buf(),
            found: probe.format,
        };
    }
    Error::Unreadable {
        path: path.to_path_buf(),
        detail: format!(
            "RON error at line {}, column {}: {}",
            e.span.start.line, e.span.start.col, e.code
        ),
    }
}

/// Whether the age header at the start of `head` holds a passphrase (scrypt) stanza: the
/// logbook was written before key files, or the file is a passphrase-encrypted one. Read
/// from the header's stanza lines alone, before any secret is asked for.
pub fn header_is_scrypt(head: &[u8]) -> bool {
    head.starts_with(b"age-encryption.org/v1\n")
        && head
            .split(|&b| b == b'\n')
            .skip(1)
            .take_while(|l| !l.starts_with(b"---"))
            .any(|l| l.starts_with(b"-> scrypt "))
}
