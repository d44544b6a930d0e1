//! The plaintext inside the age file: RON with a `format` version, and the age layer.

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::mpsc;

use age::secrecy::ExposeSecret as _;
use serde::Deserialize;
use zeroize::Zeroizing;

mod sections;
mod stream;

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
///
/// A large file opened with identities is decrypted on two cores: age's STREAM seals
/// each 64 KiB chunk on its own (its number and whether it is the last are in the
/// nonce), so a second reader starts at a chunk in the middle while the first reads up
/// to it. The length is authenticated first (the last chunk must open as the last), and
/// every chunk is opened exactly once, so the result and every refusal are those of one
/// reading from start to end. A passphrase file is read on one core: a second reader
/// would cost a second scrypt run.
pub fn decrypt(path: &Path, ciphertext: &[u8], key: &Key) -> Result<Zeroizing<Vec<u8>>> {
    decrypt_sealed(path, &ciphertext, key)
}

/// `decrypt`, of ciphertext in memory or in a file (`SealedFile`).
pub(crate) fn decrypt_sealed<S: Sealed>(
    path: &Path,
    sealed: &S,
    key: &Key,
) -> Result<Zeroizing<Vec<u8>>> {
    let damaged = |_| Error::Damaged(path.to_path_buf());
    let mut first = reader(path, sealed, key)?;
    if matches!(key, Key::Identities(_)) && sealed.len() >= PARALLEL_DECRYPT {
        let len = first.seek(SeekFrom::End(0)).map_err(damaged)?;
        first.seek(SeekFrom::Start(0)).map_err(damaged)?;
        let len = usize::try_from(len).map_err(|_| Error::Damaged(path.to_path_buf()))?;
        // Where the second reader starts: a chunk boundary near the middle.
        let mid = len / 2 / STREAM_CHUNK * STREAM_CHUNK;
        let mut second = reader(path, sealed, key)?;
        second.seek(SeekFrom::Start(mid as u64)).map_err(damaged)?;
        let mut plain = Zeroizing::new(vec![0u8; len]);
        let (front, back) = plain.split_at_mut(mid);
        let (a, b) = std::thread::scope(|scope| {
            let b = scope.spawn(move || {
                second.read_exact(back)?;
                // The end of the stream, and nothing after it.
                match second.read(&mut [0u8; 1])? {
                    0 => Ok(()),
                    _ => Err(io::Error::other("longer than its authenticated length")),
                }
            });
            let a = first.read_exact(front);
            (a, b.join())
        });
        a.map_err(damaged)?;
        match b {
            Ok(Ok(())) => return Ok(plain),
            _ => return Err(Error::Damaged(path.to_path_buf())),
        }
    }
    // The plaintext is never longer than the ciphertext: reserving that much up front
    // means the buffer never reallocates and leaves no unzeroized copy behind.
    let mut plain = Zeroizing::new(Vec::with_capacity(sealed.len() as usize));
    first.read_to_end(&mut plain).map_err(damaged)?;
    Ok(plain)
}

/// Decrypts and parses a logbook file: `decode` of what `decrypt_sealed` gives, with the
/// same result and the same refusals. A large file opened with identities is parsed as
/// it is decrypted, each piece of text wiped once parsed (`stream`): the whole plaintext
/// is never held beside the parsed records. A file that cannot be read that way (not laid
/// out as this program writes it, or a piece that does not parse) is read again whole.
pub(crate) fn decrypt_decode<S: Sealed>(path: &Path, sealed: &S, key: &Key) -> Result<Logbook> {
    if matches!(key, Key::Identities(_)) && sealed.len() >= PARALLEL_DECRYPT {
        let plain = reader(path, sealed, key)?;
        if let Some(mut logbook) = stream::read_logbook(path, plain)? {
            check_format(path, logbook.format)?;
            logbook.sort();
            return Ok(logbook);
        }
    }
    decode(path, &decrypt_sealed(path, sealed, key)?)
}

/// The records of a logbook file, with its audit trail's text still to be parsed
/// (`read_trail_text`): what `decode_records` gives of what `decrypt_sealed` gives, with
/// the same records and the same refusals. A large file opened with identities is read as
/// `verify` reads it (`stream::read_records`): each batch of text wiped once parsed, the
/// trail's entries copied out first, to be parsed after. So the app never holds the whole
/// plaintext beside the records, only the trail's text until it is parsed.
pub(crate) fn decrypt_records(
    path: &Path,
    sealed: &SealedFile,
    key: &Key,
) -> Result<(Logbook, TrailText)> {
    if matches!(key, Key::Identities(_)) && sealed.len() >= PARALLEL_DECRYPT {
        let plain = reader(path, sealed, key)?;
        if let Some((mut logbook, kept)) = stream::read_records(path, plain)? {
            check_format(path, logbook.format)?;
            logbook.sort();
            // The same open file, to read it whole again if an entry does not parse.
            let sealed = sealed
                .try_clone()
                .map_err(|e| Error::io("reading", path, e))?;
            let key = key.clone();
            return Ok((logbook, TrailText::Kept { kept, sealed, key }));
        }
    }
    let plain = decrypt_sealed(path, sealed, key)?;
    let (logbook, span) = decode_records(path, &plain)?;
    Ok((logbook, TrailText::Whole { plain, span }))
}

/// The audit trail's text of a logbook whose records were read (`decrypt_records`).
pub enum TrailText {
    /// The whole plaintext (wiped when dropped) and where the trail is in it; None: the
    /// trail is in the logbook already (see `decode_records`).
    Whole {
        plain: Zeroizing<Vec<u8>>,
        span: Option<TrailSpan>,
    },
    /// The trail's entries, their text copied out as the file was decrypted (wiped when
    /// dropped); and the file, still open, with the key that opened it, to read it whole
    /// again if an entry does not parse, so that the answer (the error, with its line) is
    /// the whole read's.
    Kept {
        kept: stream::KeptTrail,
        sealed: SealedFile,
        key: Key,
    },
}

/// Parses the trail of `text`: Some(trail), or None if it is in the logbook already.
pub(crate) fn read_trail_text(path: &Path, text: TrailText) -> Result<Option<crate::model::Trail>> {
    match text {
        TrailText::Whole { span: None, .. } => Ok(None),
        TrailText::Whole {
            plain,
            span: Some(span),
        } => read_trail(path, &plain, span).map(Some),
        TrailText::Kept { kept, sealed, key } => {
            if let Some(trail) = kept.parse() {
                return Ok(Some(trail));
            }
            // An entry not as this program writes it: the file read whole, as before.
            let plain = decrypt_sealed(path, &sealed, &key)?;
            drop((sealed, key));
            match decode_records(path, &plain)? {
                (_, Some(span)) => read_trail(path, &plain, span).map(Some),
                (mut whole, None) => Ok(Some(std::mem::take(&mut whole.audit))),
            }
        }
    }
}

/// Ciphertext to decrypt: readers of it from its start (two decrypt a large file on two
/// cores), its first bytes (enough for any header a logbook has) and its length.
pub(crate) trait Sealed: Sync {
    type Reader<'a>: io::BufRead + Seek + Send
    where
        Self: 'a;
    fn reader(&self) -> Self::Reader<'_>;
    fn head(&self) -> &[u8];
    fn len(&self) -> u64;
}

impl Sealed for &[u8] {
    type Reader<'a>
        = io::Cursor<&'a [u8]>
    where
        Self: 'a;
    fn reader(&self) -> Self::Reader<'_> {
        io::Cursor::new(self)
    }
    fn head(&self) -> &[u8] {
        self
    }
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
}

/// A logbook file opened for reading (`file::open_regular`), decrypted straight from the
/// file: its ciphertext is never held in memory, which would be the logbook's size again
/// on top of the plaintext. Read up to its length when opened.
pub struct SealedFile {
    file: std::fs::File,
    len: u64,
    head: Vec<u8>,
}

impl SealedFile {
    pub fn new(file: std::fs::File, len: u64) -> io::Result<SealedFile> {
        let mut head = Vec::new();
        At {
            file: &file,
            pos: 0,
            len: len.min(HEAD),
        }
        .read_to_end(&mut head)?;
        Ok(SealedFile { file, len, head })
    }

    /// The file's first bytes: its age header.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The same open file again (its own handle: reads are positioned, so the two never
    /// disturb each other).
    pub fn try_clone(&self) -> io::Result<SealedFile> {
        Ok(SealedFile {
            file: self.file.try_clone()?,
            len: self.len,
            head: self.head.clone(),
        })
    }
}

/// How much of a file `SealedFile::head` holds.
const HEAD: u64 = 64 * 1024;

impl Sealed for SealedFile {
    type Reader<'a> = io::BufReader<At<'a>>;
    fn reader(&self) -> Self::Reader<'_> {
        io::BufReader::with_capacity(
            STREAM_CHUNK + 16,
            At {
                file: &self.file,
                pos: 0,
                len: self.len,
            },
        )
    }
    fn head(&self) -> &[u8] {
        &self.head
    }
    fn len(&self) -> u64 {
        self.len
    }
}

/// A reader of a file at its own position (positioned reads: several read one file at
/// once), up to `len`.
pub struct At<'f> {
    file: &'f std::fs::File,
    pos: u64,
    len: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = usize::try_from(self.len.saturating_sub(self.pos)).unwrap_or(usize::MAX);
        let want = left.min(buf.len());
        let buf = &mut buf[..want];
        if buf.is_empty() {
            return Ok(0);
        }
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(self.file, buf, self.pos)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for At<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| io::Error::other("seek before the start"))?;
        Ok(self.pos)
    }
}

/// From this size a file opened with identities is decrypted on two cores.
const PARALLEL_DECRYPT: u64 = 4 << 20;

/// The plaintext size of one age STREAM chunk.
const STREAM_CHUNK: usize = 64 * 1024;

/// A reader of the plaintext of `sealed`, once the key has opened its header.
fn reader<'s, S: Sealed>(
    path: &Path,
    sealed: &'s S,
    key: &Key,
) -> Result<age::stream::StreamReader<S::Reader<'s>>> {
    let decryptor = age::Decryptor::new_buffered(sealed.reader())
        .map_err(|e| header_error(path, sealed.head(), e))?;
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
    reader.map_err(|e| match e {
        age::DecryptError::NoMatchingKeys
        | age::DecryptError::DecryptionFailed
        | age::DecryptError::KeyDecryptionFailed => Error::WrongSecret,
        age::DecryptError::ExcessiveWork { .. } => Error::Usage(format!(
            "{} needs more passphrase work than this machine allows: re-encrypt it with `logbook passwd` on the machine that made it.",
            path.display()
        )),
        other => header_error(path, sealed.head(), other),
    })
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

/// Wipes a logbook's records where they are, without freeing them, at the end of a
/// command whose exit frees the memory at once: freeing a million records one by one
/// took as long as a fifth of `verify` at 50,000 incidents. Every record's text is still
/// wiped, as dropping it would (the small rest is dropped as usual).
pub fn wipe_for_exit(logbook: Logbook) {
    std::mem::forget(wiped(logbook));
}

/// The three long lists of `logbook`, every record's text wiped, nothing freed but the
/// small rest of the logbook.
fn wiped(
    mut logbook: Logbook,
) -> (
    Vec<crate::model::Shared<crate::model::Person>>,
    Vec<crate::model::Shared<crate::model::Incident>>,
    crate::model::Trail,
) {
    use zeroize::Zeroize as _;
    let mut people = std::mem::take(&mut logbook.people);
    let mut incidents = std::mem::take(&mut logbook.incidents);
    let mut audit = std::mem::take(&mut logbook.audit);
    drop(logbook);
    for person in &mut people {
        person.zeroize();
    }
    for incident in &mut incidents {
        incident.zeroize();
    }
    for entry in &mut audit {
        // Field by field: `AuditEntry::zeroize` would also free each change. Every field
        // named: one added does not compile until it is wiped here.
        let crate::model::AuditEntry {
            seq,
            at: _,
            by,
            subject,
            action,
            changes,
            state,
            hash,
            // A number, not text: nothing to wipe.
            redacted: _,
        } = &mut **entry;
        seq.zeroize();
        by.zeroize();
        subject.zeroize();
        action.zeroize();
        for change in changes.iter_mut() {
            change.zeroize();
        }
        state.zeroize();
        hash.zeroize();
    }
    (people, incidents, audit)
}

#[derive(Deserialize)]
struct FormatProbe {
    format: u32,
}

/// Parses decrypted RON into a logbook, refusing a newer format with a clear message.
/// Formats older than this build's would be migrated here; format 1 is the first.
///
/// A file laid out as this program writes it is parsed in pieces on two cores
/// (`sections`); anything else, and any piece that does not parse, is parsed whole, so
/// the result is always that of one whole parse.
pub fn decode(path: &Path, plain: &[u8]) -> Result<Logbook> {
    let text = utf8(path, plain)?;
    if simple_layout(text)
        && let Some(fields) = sections::top_fields(text)
        && let Some(mut logbook) = sections::parse_logbook(text, &fields, true)
    {
        check_format(path, logbook.format)?;
        logbook.sort();
        return Ok(logbook);
    }
    decode_whole(path, text)
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
    if let Some(fields) = sections::top_fields(text)
        && let Some(mut logbook) = sections::parse_logbook(text, &fields, false)
    {
        check_format(path, logbook.format)?;
        logbook.sort();
        let span = fields.audit.map(|audit| TrailSpan {
            start: audit.start,
            end: audit.end,
            line: memchr::memchr_iter(b'\n', &plain[..audit.start]).count(),
        });
        return Ok((logbook, span));
    }
    let records = match ron::from_str::<Records>(text) {
        Ok(records) => records,
        Err(e) => return Err(parse_error(path, text, &e)),
    };
    check_format(path, records.format)?;
    // The trail's text is a slice of `text`: its place in it, found from the pointers.
    let span = match records.audit.0 {
        None => None,
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
    if let Some(trail) = sections::parse_trail(text, &(0..text.len())) {
        return Ok(trail);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Identities;

    fn sealed(ids: &Identities, plain: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = ids.recipients().encryptor().wrap_output(&mut out).unwrap();
        w.write_all(plain).unwrap();
        w.finish().unwrap();
        out
    }

    /// At a one-shot command's exit every record's text is wiped (the records are left
    /// for the exit to free): nothing of any person, incident or audit entry remains.
    #[test]
    fn records_left_for_the_exit_are_wiped_first() {
        let book = crate::demo::generate(30, 2, crate::demo::demo_now()).unwrap();
        assert!(book.audit.iter().any(|e| !e.changes.is_empty()));
        let (people, incidents, audit) = wiped(book);
        for p in &people {
            assert!(p.reference.is_empty() && p.notes.is_empty());
        }
        for i in &incidents {
            assert!(i.description.is_empty() && i.reported_by.is_empty());
            assert!(i.checklist.is_empty() && i.evidence.is_empty());
        }
        for e in &audit {
            assert!(e.by.is_empty() && e.action.is_empty() && e.seq == 0);
            assert!(e.state.is_empty() && e.hash.is_empty());
            assert!(
                e.changes
                    .iter()
                    .all(|c| c.field.is_empty() && c.old.is_empty() && c.new.is_empty())
            );
            use crate::model::Subject;
            assert!(match &e.subject {
                Subject::Incident(id) | Subject::Person(id) | Subject::Concern(id) => id.is_empty(),
                Subject::Settings => true,
            });
        }
    }

    /// A large logbook file is parsed as it is decrypted (`decrypt_decode`) into exactly
    /// what decrypting it whole and parsing gives, or refused exactly as that refuses it:
    /// damaged or truncated anywhere, or with bytes after its end, it is damaged; a file
    /// not laid out as this program writes it is read whole, with the whole read's answer.
    #[test]
    fn a_large_logbook_parsed_as_it_is_decrypted_reads_and_refuses_as_a_whole_read() {
        let ids = Identities::one(age::x25519::Identity::generate());
        let key = Key::Identities(ids.clone());
        let path = Path::new("lb.age");
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 16)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let text = to_ron(&crate::demo::generate(400, 3, now).unwrap());
        assert!(
            text.len() as u64 > PARALLEL_DECRYPT,
            "large enough to stream"
        );
        let whole = |c: &Vec<u8>| decode(path, &decrypt(path, c, &key)?);
        let streamed = |c: &Vec<u8>| decrypt_decode(path, &c.as_slice(), &key);
        let ciphertext = sealed(&ids, text.as_bytes());
        assert_eq!(streamed(&ciphertext).unwrap(), whole(&ciphertext).unwrap());

        let chunk = |n: usize| {
            ciphertext.len() - text.len() - text.len().div_ceil(STREAM_CHUNK) * 16
                + n * (STREAM_CHUNK + 16)
        };
        let mut damaged = vec![
            ciphertext[..chunk(3)].to_vec(),
            ciphertext[..ciphertext.len() / 2].to_vec(),
            ciphertext[..ciphertext.len() - 1].to_vec(),
        ];
        for at in [chunk(1) + 5, ciphertext.len() / 2 + 3, ciphertext.len() - 2] {
            let mut c = ciphertext.clone();
            c[at] ^= 1;
            damaged.push(c);
        }
        let mut longer = ciphertext.clone();
        longer.extend_from_slice(&[0; 40]);
        damaged.push(longer);
        for c in &damaged {
            assert!(matches!(streamed(c), Err(Error::Damaged(_))));
        }

        // Read whole: the same logbook, or the same error naming the same place.
        let commented = text.replacen("  format: 1,", "  format: 1, // one\n", 1);
        let altered = text.replacen("seq: 5,", "seq: 5, unknown: 1,", 1);
        let truncated_text = &text[..text.len() - 2];
        for other in [commented.as_str(), altered.as_str(), truncated_text] {
            let c = sealed(&ids, other.as_bytes());
            assert_eq!(format!("{:?}", streamed(&c)), format!("{:?}", whole(&c)),);
        }
        assert!(streamed(&sealed(&ids, commented.as_bytes())).is_ok());
    }

    /// The app's open path (`decrypt_records`) reads a large file's records as it is
    /// decrypted and keeps only its trail's text, never the whole plaintext; with the trail
    /// parsed after, it is what a whole read gives. A damaged file is refused as a whole
    /// read refuses it, and an entry that does not parse with a whole read's own words.
    #[test]
    fn a_large_logbook_opened_for_the_app_keeps_only_its_trails_text() {
        let ids = Identities::one(age::x25519::Identity::generate());
        let key = Key::Identities(ids.clone());
        let path = Path::new("lb.age");
        let dir = tempfile::tempdir().unwrap();
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 16)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let text = to_ron(&crate::demo::generate(400, 3, now).unwrap());
        assert!(text.len() as u64 > PARALLEL_DECRYPT);
        let open = |ciphertext: &[u8]| {
            let file = dir.path().join("f.age");
            std::fs::write(&file, ciphertext).unwrap();
            let opened = std::fs::File::open(&file).unwrap();
            let len = opened.metadata().unwrap().len();
            decrypt_records(path, &SealedFile::new(opened, len).unwrap(), &key)
        };
        let ciphertext = sealed(&ids, text.as_bytes());
        let (mut records, trail) = open(&ciphertext).unwrap();
        let TrailText::Kept { kept, .. } = &trail else {
            panic!("the whole plaintext is held beside the records");
        };
        assert!(
            kept.bytes() < text.len() * 3 / 4,
            "{} bytes kept of {}",
            kept.bytes(),
            text.len()
        );
        assert!(records.trail_pending && records.audit.is_empty());
        records.audit = read_trail_text(path, trail).unwrap().expect("a trail");
        records.trail_pending = false;
        assert_eq!(records, decode(path, text.as_bytes()).unwrap());

        for damaged in [
            ciphertext[..ciphertext.len() / 2].to_vec(),
            ciphertext[..ciphertext.len() - 1].to_vec(),
        ] {
            assert!(matches!(open(&damaged), Err(Error::Damaged(_))));
        }

        // An entry that does not parse: the records are shown, and the trail is refused
        // with the whole read's words, naming the line in the file.
        let at = text.find("\n  audit: [").unwrap();
        let bad = format!(
            "{}{}",
            &text[..at],
            text[at..].replacen(" action:", " acton:", 1)
        );
        let (_, trail) = open(&sealed(&ids, bad.as_bytes())).unwrap();
        assert!(matches!(trail, TrailText::Kept { .. }));
        let refused = read_trail_text(path, trail).unwrap_err().to_string();
        let (_, span) = decode_records(path, bad.as_bytes()).unwrap();
        let whole = read_trail(path, bad.as_bytes(), span.unwrap()).unwrap_err();
        assert_eq!(refused, whole.to_string());
        let line = bad.lines().position(|l| l.contains("acton:")).unwrap() + 1;
        assert!(refused.contains(&format!("line {line},")), "{refused}");
    }

    /// A large file is decrypted on two cores, from memory or straight from the file,
    /// into exactly its plaintext; a damaged or truncated one is refused as before,
    /// wherever the damage is.
    #[test]
    fn a_large_file_decrypts_on_two_cores_exactly_or_is_refused() {
        let ids = Identities::one(age::x25519::Identity::generate());
        let key = Key::Identities(ids.clone());
        let path = Path::new("lb.age");
        let dir = tempfile::tempdir().unwrap();
        for len in [
            PARALLEL_DECRYPT as usize + 12_345,
            PARALLEL_DECRYPT as usize * 2,
            STREAM_CHUNK * 70,
        ] {
            let plain: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let ciphertext = sealed(&ids, &plain);
            assert!(decrypt(path, &ciphertext, &key).unwrap().as_slice() == plain.as_slice());
            let file = dir.path().join("f.age");
            std::fs::write(&file, &ciphertext).unwrap();
            let from_file = |file: &Path| {
                let opened = std::fs::File::open(file).unwrap();
                let len = opened.metadata().unwrap().len();
                decrypt_sealed(path, &SealedFile::new(opened, len).unwrap(), &key)
            };
            assert!(from_file(&file).unwrap().as_slice() == plain.as_slice());

            let header = ciphertext.len() - len - len.div_ceil(STREAM_CHUNK) * 16;
            let chunk = |n: usize| header + n * (STREAM_CHUNK + 16);
            let mut damaged = vec![
                ciphertext[..chunk(3)].to_vec(),
                ciphertext[..ciphertext.len() / 2].to_vec(),
                ciphertext[..ciphertext.len() - 1].to_vec(),
            ];
            for at in [chunk(1) + 5, ciphertext.len() / 2 + 3, ciphertext.len() - 2] {
                let mut c = ciphertext.clone();
                c[at] ^= 1;
                damaged.push(c);
            }
            let mut longer = ciphertext.clone();
            longer.extend_from_slice(&[0; 40]);
            damaged.push(longer);
            for c in damaged {
                assert!(matches!(decrypt(path, &c, &key), Err(Error::Damaged(_))));
                std::fs::write(&file, &c).unwrap();
                assert!(matches!(from_file(&file), Err(Error::Damaged(_))));
            }
        }
    }
    /// An audit entry's hashes are held as their bytes (`model::HashHex`) but written back
    /// as the text they were read from: a logbook written by an earlier build verifies and
    /// its text, read back, encodes again byte for byte (through RON's encoder and this
    /// program's own; the fixture itself predates some fields' layout), and a hash altered by
    /// hand (upper case, short, not hex, empty) is kept as written and named by `verify` as
    /// an altered entry, as when hashes were strings; one that is not text at all is
    /// refused as a damaged file, never read as a stand-in.
    #[test]
    fn hashes_are_written_back_as_read_and_bad_ones_are_named_as_before() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let key =
            Key::from_identity_files(&[dir.join("fixture.key")], &mut |_| unreachable!()).unwrap();
        let path = dir.join("generated.age");
        let plain = decrypt(&path, &std::fs::read(&path).unwrap(), &key).unwrap();
        let encoded = |book: &Logbook| {
            let mut fast = Vec::new();
            crate::model::pretty_ron(book, &mut fast, DEPTH_LIMIT).unwrap();
            assert_eq!(String::from_utf8(fast).unwrap(), to_ron(book));
            to_ron(book)
        };
        let book = decode(&path, &plain).unwrap();
        book.verify_audit().unwrap();
        let text = encoded(&book);
        assert_eq!(encoded(&decode(&path, text.as_bytes()).unwrap()), text);
        let good = book.audit[9].hash.to_string();
        assert_eq!(good.len(), 64);
        let was = format!("hash: \"{good}\"");
        for bad in [
            good.to_uppercase(),
            good[..63].to_string(),
            format!("{}g", &good[..63]),
            format!("{good}0"),
            String::new(),
        ] {
            let altered = text.replacen(&was, &format!("hash: \"{bad}\""), 1);
            assert_ne!(altered, text);
            let b = decode(&path, altered.as_bytes()).unwrap();
            assert_eq!(b.audit[9].hash, bad);
            assert_eq!(encoded(&b), altered);
            assert_eq!(
                b.verify_audit(),
                Err(crate::model::AuditFault::EntryAltered { seq: 10 })
            );
        }
        let altered = text.replacen(&was, "hash: 5", 1);
        let refused = decode(&path, altered.as_bytes()).unwrap_err().to_string();
        // RON's own refusal of a non-string where a string belongs, as for any `String`.
        assert!(refused.contains("Expected string"), "{refused}");
    }
}
