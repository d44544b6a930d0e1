//! Reading a logbook while it is decrypted, in pieces, wiping each piece of text as soon
//! as it is parsed: the peak memory is the parsed records and a few batches of text, not
//! the whole plaintext beside the records (which at 50,000 incidents was 2.5 times the
//! plaintext).
//!
//! This thread decrypts the file into batches of text and finds in each the pieces that
//! `sections` finds in the whole text (each top-level field's value, each record of the
//! three long lists), with the same scanner; two threads parse the batches, in any order,
//! and wipe each batch once its pieces are parsed. A piece cut by a batch's end is carried
//! whole into the next batch. It gives up (None) wherever `sections` would give up, and at
//! a piece that does not parse: the caller then reads the file as before (whole, then
//! parsed whole), which accepts or refuses it exactly as before and names the error. So
//! this path only ever returns what that one parse would, with less memory.
//!
//! The file is read to its end before the logbook is returned: a damaged or truncated
//! file is refused (as `Damaged`, as by the whole read), never half-read.

use std::io::Read;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use super::sections::{
    Scan, compact_entry, compact_incident, compact_person, scan, skip_ws, trim_end,
};
use crate::error::{Error, Result};
use crate::model::{
    AuditEntry, BackupSecret, ConcernRecord, Incident, Logbook, Person, Settings, Shared, Tombstone,
};

/// How much text a batch holds (more when one piece is longer).
const BATCH: usize = 1 << 20;

/// Batches decrypted ahead of the parsers: the text in memory is at most this many
/// batches, the two being parsed and the one being filled.
const AHEAD: usize = 2;

/// What a piece of text is: which field of the logbook, or an item of which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Format,
    Settings,
    Person,
    Incident,
    Tombstones,
    Audit,
    BackupKey,
    Concerns,
}

/// A piece parsed.
enum Piece {
    Format(u32),
    Settings(Box<Settings>),
    Person(Shared<Person>),
    Incident(Shared<Incident>),
    Tombstones(Vec<Tombstone>),
    Audit(Shared<AuditEntry>),
    BackupKey(Option<BackupSecret>),
    Concerns(Vec<ConcernRecord>),
}

/// Where the scanner is in the logbook's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the logbook's opening bracket, which must be the text's first byte.
    Open,
    /// Expecting a field's name, or the logbook's closing bracket.
    Field,
    /// After a field's value: expecting `,` or the closing bracket.
    After,
    /// In a list: expecting an item or the list's end.
    Item(Kind),
    /// After a list's item: expecting `,` or the list's end.
    AfterItem(Kind),
    /// After the logbook's closing bracket: only spaces may follow.
    Closed,
}

/// What one step of the scanner found.
enum Step {
    /// Moved on (to `pos`), with a piece found or not.
    On(Option<(Kind, Range<usize>)>),
    /// The text ends before the next step is complete: more is needed.
    More,
    /// Something `sections` would not read in pieces.
    GiveUp,
}

/// A batch of text and the pieces found in it, numbered in the text's order.
struct Batch<'a> {
    number: usize,
    text: Zeroizing<Vec<u8>>,
    pieces: Vec<(Kind, Range<usize>)>,
    /// How many batches are in memory: one less once this one is dropped.
    live: &'a AtomicUsize,
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The scanner: its place in the text and what it has seen.
struct Scanner {
    state: State,
    /// The fields seen (each at most once, as `sections::top_fields`).
    seen: [bool; 8],
    /// How many records of each long list were found (to size the lists once).
    people: usize,
    incidents: usize,
    audit: usize,
}

impl Scanner {
    /// The next step from `pos` in `text`; on a step, `pos` is moved past it.
    fn step(&mut self, text: &[u8], pos: &mut usize) -> Step {
        let q = skip_ws(text, *pos);
        if self.state == State::Closed {
            *pos = q;
            return if q == text.len() {
                Step::More
            } else {
                Step::GiveUp
            };
        }
        if self.state == State::Open {
            if text.is_empty() {
                return Step::More;
            }
            if text[0] != b'(' {
                return Step::GiveUp;
            }
            *pos = 1;
            self.state = State::Field;
            return Step::On(None);
        }
        let Some(&b) = text.get(q) else {
            return Step::More;
        };
        match self.state {
            State::Open | State::Closed => Step::GiveUp,
            State::Field if b == b')' => {
                *pos = q + 1;
                self.state = State::Closed;
                Step::On(None)
            }
            State::Field => self.field(text, q, pos),
            State::After | State::AfterItem(_) => {
                let (next, close) = match self.state {
                    State::AfterItem(kind) => (State::Item(kind), b']'),
                    _ => (State::Field, b')'),
                };
                *pos = q + 1;
                if b == b',' {
                    self.state = next;
                } else if b == close {
                    self.state = match self.state {
                        State::AfterItem(_) => State::After,
                        _ => State::Closed,
                    };
                } else {
                    return Step::GiveUp;
                }
                Step::On(None)
            }
            State::Item(_) if b == b']' => {
                *pos = q + 1;
                self.state = State::After;
                Step::On(None)
            }
            State::Item(kind) if b == b'(' => match value(text, q) {
                Ok(end) => {
                    *pos = end;
                    self.state = State::AfterItem(kind);
                    match kind {
                        Kind::Person => self.people += 1,
                        Kind::Incident => self.incidents += 1,
                        _ => self.audit += 1,
                    }
                    Step::On(Some((kind, q..end)))
                }
                Err(step) => step,
            },
            State::Item(_) => Step::GiveUp,
        }
    }

    /// A field: its name, `:`, and its value (or a list's opening bracket).
    fn field(&mut self, text: &[u8], q: usize, pos: &mut usize) -> Step {
        let mut r = q;
        while text
            .get(r)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            r += 1;
        }
        let s = skip_ws(text, r);
        let Some(&colon) = text.get(s) else {
            return Step::More;
        };
        if colon != b':' {
            return Step::GiveUp;
        }
        let v = skip_ws(text, s + 1);
        let Some(&first) = text.get(v) else {
            return Step::More;
        };
        let (slot, kind, list) = match &text[q..r] {
            b"format" => (0, Kind::Format, false),
            b"settings" => (1, Kind::Settings, false),
            b"people" => (2, Kind::Person, true),
            b"incidents" => (3, Kind::Incident, true),
            b"tombstones" => (4, Kind::Tombstones, false),
            b"audit" => (5, Kind::Audit, true),
            b"backup_key" => (6, Kind::BackupKey, false),
            b"concerns" => (7, Kind::Concerns, false),
            _ => return Step::GiveUp,
        };
        if self.seen[slot] {
            return Step::GiveUp;
        }
        if list {
            if first != b'[' {
                return Step::GiveUp;
            }
            self.seen[slot] = true;
            *pos = v + 1;
            self.state = State::Item(kind);
            return Step::On(None);
        }
        match value(text, v) {
            Ok(end) => {
                self.seen[slot] = true;
                *pos = end;
                self.state = State::After;
                Step::On(Some((kind, v..end)))
            }
            Err(step) => step,
        }
    }
}

/// The end of the value starting at `text[start]`, once what ends it is in the text.
fn value(text: &[u8], start: usize) -> std::result::Result<usize, Step> {
    match scan(text, start) {
        Scan::At(i) if i > start => Ok(trim_end(text, start, i)),
        Scan::End(_) => Err(Step::More),
        Scan::At(_) | Scan::Unknown => Err(Step::GiveUp),
    }
}

/// Reads the logbook from `plain` (the decrypting reader) in pieces. Err: the file is
/// damaged (the reader failed); Ok(None): give up, read it whole.
pub(super) fn read_logbook(path: &Path, plain: impl Read) -> Result<Option<Logbook>> {
    Ok(read_in_batches(path, plain, BATCH, None)?.map(|(logbook, _)| logbook))
}

/// Reads the logbook's records as `read_logbook` does, and copies the audit trail's
/// entries, not parsed, into a `KeptTrail`: the app shows the list without waiting for the
/// trail, then parses it (`KeptTrail::parse`), freeing its text as it goes. So the whole
/// plaintext is never held beside the records (the app held it until the trail was
/// parsed: at 50,000 incidents 0.63 GB on top of them). The logbook comes back with an
/// empty trail and `trail_pending` set.
pub(super) fn read_records(path: &Path, plain: impl Read) -> Result<Option<(Logbook, KeptTrail)>> {
    let mut kept = KeptTrail::new(KEPT_CHUNK);
    let read = read_in_batches(path, plain, BATCH, Some(&mut kept))?;
    Ok(read.map(|(logbook, _)| (logbook, kept)))
}

/// The size of a block of the trail's kept text. The system allocator (glibc's) maps any
/// block of 32 MiB or more on its own and unmaps it when it is freed: so the memory of
/// each block goes back to the system as soon as its entries are parsed. Smaller blocks
/// would stay with the thread that allocated them for its reuse, while the entries are
/// parsed, and allocated, on other threads: the text and the parsed trail would then be
/// held whole together, which is what keeping the text alone is for avoiding.
const KEPT_CHUNK: usize = 32 << 20;

/// How much of the kept text a parser takes at a time.
const UNIT: usize = 1 << 20;

/// The audit trail's entries as `read_records` found them, each one's text back to back in
/// blocks, in the file's order. Wiped when dropped.
pub struct KeptTrail {
    blocks: Vec<KeptBlock>,
    /// The size of a new block (more for an entry longer than that).
    block: usize,
}

struct KeptBlock {
    /// Never grown past its first capacity: a reallocation would leave a copy behind.
    text: Zeroizing<Vec<u8>>,
    /// Where each entry ends in `text` (each starts where the one before ends).
    ends: Vec<usize>,
}

impl KeptTrail {
    fn new(block: usize) -> KeptTrail {
        KeptTrail {
            blocks: Vec::new(),
            block,
        }
    }

    fn push(&mut self, entry: &[u8]) {
        let room = self
            .blocks
            .last()
            .map_or(0, |b| b.text.capacity() - b.text.len());
        if room < entry.len() {
            self.blocks.push(KeptBlock {
                text: Zeroizing::new(Vec::with_capacity(self.block.max(entry.len()))),
                ends: Vec::new(),
            });
        }
        if let Some(block) = self.blocks.last_mut() {
            block.text.extend_from_slice(entry);
            block.ends.push(block.text.len());
        }
    }

    fn entries(&self) -> usize {
        self.blocks.iter().map(|b| b.ends.len()).sum()
    }

    /// How many bytes of text are kept (the tests check it is the trail's entries alone).
    #[cfg(test)]
    pub(super) fn bytes(&self) -> usize {
        self.blocks.iter().map(|b| b.text.len()).sum()
    }

    /// Parses the entries on two threads, a part of a block at a time, freeing each block
    /// once its entries are parsed: the memory held goes from the trail's text to its
    /// records, never both whole. None if an entry does not parse (read the file whole
    /// instead, for its answer).
    pub(super) fn parse(self) -> Option<crate::model::Trail> {
        let entries = self.entries();
        // The parts, in order; each holds its block, which is freed (and wiped) with the
        // last part of it parsed.
        let mut parts = Vec::new();
        for block in self.blocks {
            let block = Arc::new(block);
            let (mut first, mut from) = (0, 0);
            for (i, &end) in block.ends.iter().enumerate() {
                if end - from >= UNIT || i + 1 == block.ends.len() {
                    parts.push((Arc::clone(&block), first..i + 1));
                    (first, from) = (i + 1, end);
                }
            }
        }
        let count = parts.len();
        let queue = Mutex::new(parts.into_iter().enumerate());
        let failed = AtomicBool::new(false);
        let (done_tx, done_rx) = mpsc::channel::<(usize, Option<Vec<Shared<AuditEntry>>>)>();
        let joined = std::thread::scope(|scope| {
            let parsers: Vec<_> = (0..2)
                .map(|_| {
                    let (queue, failed, done_tx) = (&queue, &failed, done_tx.clone());
                    scope.spawn(move || {
                        while !failed.load(Ordering::Relaxed) {
                            // The lock is held only to take the next part.
                            let next = queue.lock().ok().and_then(|mut q| q.next());
                            let Some((number, (block, range))) = next else {
                                break;
                            };
                            let parsed = block.parse(range);
                            // The block is freed here with its last part.
                            drop(block);
                            if parsed.is_none() {
                                failed.store(true, Ordering::Relaxed);
                            }
                            if done_tx.send((number, parsed)).is_err() {
                                break;
                            }
                        }
                    })
                })
                .collect();
            // A parser that stopped (a defect) makes this a give-up, never a half-read.
            parsers.into_iter().all(|p| p.join().is_ok())
        });
        drop(done_tx);
        if !joined || failed.load(Ordering::Relaxed) {
            return None;
        }
        let mut parsed: Vec<Option<Vec<Shared<AuditEntry>>>> = (0..count).map(|_| None).collect();
        for (number, part) in done_rx.try_iter() {
            *parsed.get_mut(number)? = part;
        }
        let mut trail = Vec::with_capacity(entries);
        for part in parsed {
            trail.extend(part?);
        }
        (trail.len() == entries).then_some(trail)
    }
}

impl KeptBlock {
    /// The entries numbered `range` in this block.
    fn parse(&self, range: Range<usize>) -> Option<Vec<Shared<AuditEntry>>> {
        let mut out = Vec::with_capacity(range.len());
        for i in range {
            let start = if i == 0 { 0 } else { self.ends[i - 1] };
            let text = std::str::from_utf8(&self.text[start..self.ends[i]]).ok()?;
            let mut entry = parse(text)?;
            compact_entry(&mut entry);
            out.push(entry);
        }
        Some(out)
    }
}

/// `read_logbook` (or, given `kept`, `read_records`) with batches of `batch` bytes; also
/// says how many batches were in memory at most at once (the tests check it stays a few).
fn read_in_batches(
    path: &Path,
    mut plain: impl Read,
    batch: usize,
    mut kept: Option<&mut KeptTrail>,
) -> Result<Option<(Logbook, usize)>> {
    let live = AtomicUsize::new(0);
    let mut most = 0;
    let (batches_tx, batches_rx) = mpsc::sync_channel::<Batch>(AHEAD);
    // Shared by the parsers, and gone with the last of them: sending then fails rather
    // than waits.
    let batches_rx = Arc::new(Mutex::new(batches_rx));
    let (done_tx, done_rx) = mpsc::channel::<(usize, Option<Vec<Piece>>)>();
    let failed = AtomicBool::new(false);
    let mut scanner = Scanner {
        state: State::Open,
        seen: [false; 8],
        people: 0,
        incidents: 0,
        audit: 0,
    };
    let (read, parsed) = std::thread::scope(|scope| {
        let parsers: Vec<_> = (0..2)
            .map(|_| {
                let (done_tx, batches_rx, failed) = (done_tx.clone(), batches_rx.clone(), &failed);
                scope.spawn(move || {
                    loop {
                        // The lock is held only to take the next batch.
                        let next = batches_rx.lock().ok().and_then(|rx| rx.recv().ok());
                        let Some(batch) = next else { break };
                        let pieces = parse_batch(&batch);
                        let number = batch.number;
                        // The batch's text is wiped here, as it is dropped.
                        drop(batch);
                        if pieces.is_none() {
                            failed.store(true, Ordering::Relaxed);
                        }
                        if done_tx.send((number, pieces)).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop((done_tx, batches_rx));
        let mut feed = Feed {
            batch,
            kept: kept.as_deref_mut(),
            scanner: &mut scanner,
            batches: &batches_tx,
            failed: &failed,
            live: &live,
            most: &mut most,
        };
        let read = feed.all(path, &mut plain);
        drop(batches_tx);
        // A parser that stopped (a defect) makes this a give-up, never a half-read.
        let parsed = parsers.into_iter().all(|p| p.join().is_ok());
        (read, parsed)
    });
    let Some(count) = read? else {
        return Ok(None);
    };
    if !parsed {
        return Ok(None);
    }
    let mut batches: Vec<Option<Vec<Piece>>> = (0..count).map(|_| None).collect();
    for (number, pieces) in done_rx.try_iter() {
        match batches.get_mut(number) {
            Some(slot) => *slot = pieces,
            None => return Ok(None),
        }
    }
    let mut format = None;
    let mut settings = None;
    let mut people = Vec::with_capacity(scanner.people);
    let mut incidents = Vec::with_capacity(scanner.incidents);
    let mut audit = Vec::with_capacity(scanner.audit);
    let mut tombstones = Vec::new();
    let mut backup_key = None;
    let mut concerns = Vec::new();
    for batch in batches {
        // A batch not parsed (a piece that does not parse, or no answer): give up.
        let Some(batch) = batch else {
            return Ok(None);
        };
        for piece in batch {
            match piece {
                Piece::Format(f) => format = Some(f),
                Piece::Settings(s) => settings = Some(*s),
                Piece::Person(p) => people.push(p),
                Piece::Incident(i) => incidents.push(i),
                Piece::Tombstones(t) => tombstones = t,
                Piece::Audit(e) => audit.push(e),
                Piece::BackupKey(k) => backup_key = k,
                Piece::Concerns(c) => concerns = c,
            }
        }
    }
    let trail_found = kept.as_ref().map_or(audit.len(), |k| k.entries());
    if people.len() != scanner.people
        || incidents.len() != scanner.incidents
        || trail_found != scanner.audit
    {
        return Ok(None);
    }
    let (Some(format), Some(settings)) = (format, settings) else {
        return Ok(None);
    };
    // Every field named: a field added to `Logbook` does not compile until it is read here
    // (and the scanner gives up on its name until it is known there).
    let logbook = Logbook {
        format,
        settings,
        people,
        incidents,
        tombstones,
        audit,
        backup_key,
        concerns,
        trail_pending: kept.is_some(),
    };
    Ok(Some((logbook, most)))
}

/// Parses every piece of a batch; None if one does not parse.
fn parse_batch(batch: &Batch) -> Option<Vec<Piece>> {
    let mut out = Vec::with_capacity(batch.pieces.len());
    for (kind, span) in &batch.pieces {
        let text = std::str::from_utf8(&batch.text[span.clone()]).ok()?;
        out.push(match kind {
            Kind::Format => Piece::Format(parse(text)?),
            Kind::Settings => Piece::Settings(Box::new(parse(text)?)),
            Kind::Person => {
                let mut p = parse(text)?;
                compact_person(&mut p);
                Piece::Person(p)
            }
            Kind::Incident => {
                let mut i = parse(text)?;
                compact_incident(&mut i);
                Piece::Incident(i)
            }
            Kind::Tombstones => Piece::Tombstones(parse(text)?),
            Kind::Audit => {
                let mut e = parse(text)?;
                compact_entry(&mut e);
                Piece::Audit(e)
            }
            Kind::BackupKey => Piece::BackupKey(parse(text)?),
            Kind::Concerns => Piece::Concerns(parse(text)?),
        });
    }
    Some(out)
}

fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    ron::from_str(text).ok()
}

/// The scanning side: decrypts the text into batches and sends each, with its pieces,
/// to the parsers.
struct Feed<'s, 'a> {
    /// The size of a batch (more when one piece is longer).
    batch: usize,
    /// Where the trail's entries go, not parsed (`read_records`); None: parse them.
    kept: Option<&'s mut KeptTrail>,
    scanner: &'s mut Scanner,
    batches: &'s mpsc::SyncSender<Batch<'a>>,
    /// Set by a parser when a piece does not parse: stop, give up.
    failed: &'s AtomicBool,
    live: &'a AtomicUsize,
    most: &'s mut usize,
}

impl Feed<'_, '_> {
    /// Ok(Some(batches sent)): the whole text was read and scanned; Ok(None): give up.
    fn all(&mut self, path: &Path, plain: &mut impl Read) -> Result<Option<usize>> {
        let mut text = Zeroizing::new(vec![0u8; self.batch]);
        let mut filled = 0;
        let mut number = 0;
        loop {
            let end = fill(path, plain, &mut text, filled)?;
            // The text ends before the batch is full.
            let eof = end < text.len();
            filled = end;
            let mut pos = 0;
            let mut pieces = Vec::new();
            loop {
                match self.scanner.step(&text[..filled], &mut pos) {
                    Step::On(Some((Kind::Audit, span))) if self.kept.is_some() => {
                        if let Some(kept) = self.kept.as_deref_mut() {
                            kept.push(&text[span]);
                        }
                    }
                    Step::On(piece) => pieces.extend(piece),
                    Step::More => break,
                    Step::GiveUp => return Ok(None),
                }
            }
            if eof && (self.scanner.state != State::Closed || pos != filled) {
                return Ok(None);
            }
            if self.failed.load(Ordering::Relaxed) {
                return Ok(None);
            }
            // What is left (a piece cut by the batch's end) starts the next batch, which
            // has room for it and more; nothing read yet: a batch twice as large.
            let left = filled - pos;
            let size = match (eof, pos) {
                (true, _) => 0,
                (false, 0) => 2 * text.len(),
                (false, _) => self.batch.max(2 * left),
            };
            let mut next = Zeroizing::new(vec![0u8; size]);
            if !eof {
                next[..left].copy_from_slice(&text[pos..filled]);
            }
            let full = std::mem::replace(&mut text, next);
            if !pieces.is_empty() {
                let alive = self.live.fetch_add(1, Ordering::Relaxed) + 1;
                *self.most = (*self.most).max(alive);
                let batch = Batch {
                    number,
                    text: full,
                    pieces,
                    live: self.live,
                };
                number += 1;
                if self.batches.send(batch).is_err() {
                    return Ok(None);
                }
            }
            if eof {
                return Ok(Some(number));
            }
            filled = left;
        }
    }
}

/// Reads the decrypted text into `text` from `from` until it is full or the text ends;
/// returns how far it is filled. A read that fails means the file is damaged.
fn fill(path: &Path, plain: &mut impl Read, text: &mut [u8], mut from: usize) -> Result<usize> {
    while from < text.len() {
        match plain.read(&mut text[from..]) {
            Ok(0) => break,
            Ok(n) => from += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(Error::Damaged(path.to_path_buf())),
        }
    }
    Ok(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated() -> Logbook {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 16)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        crate::demo::generate(60, 5, now).unwrap()
    }

    /// A reader handing out the text a few bytes at a time, as a decryptor may.
    struct Trickle<'t>(&'t [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn read(text: &str, batch: usize) -> Option<(Logbook, usize)> {
        read_in_batches(
            Path::new("lb.age"),
            Trickle(text.as_bytes(), 7_777),
            batch,
            None,
        )
        .unwrap()
    }

    /// A logbook as this program writes it is read in batches, whatever the batches' size
    /// and wherever they cut the text, into exactly what one whole parse gives, with only
    /// a few batches of text in memory at once; a piece longer than a batch is read too.
    #[test]
    fn a_logbook_read_as_it_is_decrypted_is_what_one_whole_parse_reads() {
        let mut book = generated();
        book.incidents[3].description = "it\'s \"quoted\" ) ] ( [ \\ é\n".repeat(3_000);
        book.tombstones.push(Tombstone {
            id: "INC-2019-0001".into(),
            disposed: chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
            by: "RO".into(),
            rule: "six years".into(),
        });
        book.backup_key = Some(BackupSecret::new("AGE-SECRET-KEY-1X".into()));
        let text = super::super::to_ron(&book);
        let whole: Logbook = ron::from_str(&text).unwrap();
        for batch in [300, 4_096, 65_536, BATCH] {
            let (read, most) = read(&text, batch).expect("read in batches");
            assert_eq!(read, whole, "batches of {batch}");
            assert!(!read.trail_pending);
            assert!(
                most <= AHEAD + 3,
                "{most} batches of {batch} bytes in memory at once"
            );
        }
        // Spaces around everything, an empty list, no trail at all.
        let mut spaced =
            text.replace(",\n", " ,\n\t")
                .replacen("tombstones: [", "tombstones:[ ", 1);
        spaced.push_str("\n \n");
        assert_eq!(read(&spaced, 1_000).unwrap().0, whole);
        let mut bare = Logbook::new(book.settings.clone());
        bare.people = book.people.clone();
        let bare_text = super::super::to_ron(&bare).replace("  audit: [],\n", "");
        assert!(!bare_text.contains("audit"));
        assert_eq!(read(&bare_text, 500).unwrap().0, bare);
    }

    /// The app's open path: the records are read in batches as `verify` reads them, and the
    /// trail's entries are kept as text, never the whole text: exactly the entries' bytes
    /// are kept, in blocks (an entry longer than a block has one of its own); parsed after,
    /// the records and the trail are exactly what one whole parse gives.
    #[test]
    fn the_records_read_with_the_trail_kept_as_text_keep_only_the_trails_entries() {
        let mut book = generated();
        let long = book.audit.len() / 2;
        book.audit[long].action = "a long \"action\" ) ] \\ é\n".repeat(1_000);
        let text = super::super::to_ron(&book);
        let whole: Logbook = ron::from_str(&text).unwrap();
        let entries: usize = whole
            .audit
            .iter()
            .map(|e| {
                let mut item = Vec::new();
                crate::model::pretty_ron_item(&**e, &mut item, super::super::DEPTH_LIMIT).unwrap();
                item.len()
            })
            .sum();
        assert!(entries > text.len() / 2, "most of the text is the trail");
        for (batch, block) in [(300, 2_000), (4_096, 50_000), (65_536, KEPT_CHUNK)] {
            let mut kept = KeptTrail::new(block);
            let (mut records, most) = read_in_batches(
                Path::new("lb.age"),
                Trickle(text.as_bytes(), 7_777),
                batch,
                Some(&mut kept),
            )
            .unwrap()
            .expect("read in batches");
            assert!(records.trail_pending && records.audit.is_empty());
            assert!(
                most <= AHEAD + 3,
                "{most} batches of {batch} bytes in memory at once"
            );
            assert_eq!(kept.entries(), whole.audit.len());
            assert_eq!(kept.bytes(), entries, "only the entries' text is kept");
            records.audit = kept.parse().expect("the trail parses");
            records.trail_pending = false;
            assert_eq!(records, whole, "batches of {batch}, blocks of {block}");
        }
        // An entry that does not parse: the records are read, the trail's parse gives up.
        let bad = text.replacen("seq: 5,", "seq: 5, unknown: 1,", 1);
        let mut kept = KeptTrail::new(10_000);
        let read = read_in_batches(
            Path::new("lb.age"),
            Trickle(bad.as_bytes(), 999),
            4_096,
            Some(&mut kept),
        );
        assert!(read.unwrap().is_some(), "the records are read");
        assert!(kept.parse().is_none());
    }

    /// Wherever `sections` would give up, or a piece does not parse, or the text stops
    /// short, this gives up too (the caller then reads the file whole).
    #[test]
    fn what_is_not_written_as_this_program_writes_it_is_given_up() {
        let text = super::super::to_ron(&generated());
        let entry = text.find("\n    (\n      seq: 5,").expect("an audit entry");
        let mut bad: Vec<String> = vec![
            String::new(),
            format!(" {text}"),
            format!("#![enable(implicit_some)]\n{text}"),
            format!("{text} x"),
            text[..text.len() / 2].to_string(),
            text[..text.len() - 3].to_string(),
            text.replacen("  format: 1,", "  format: 1, // one\n", 1),
            text.replacen("  format: 1,", "  format: 1,\n  format: 1,", 1),
            text.replacen("  format: 1,", "  format: 1,\n  other: 1,", 1),
            text.replacen("  format: 1,", "", 1),
            text.replacen("seq: 5,", "seq: 5, unknown: 1,", 1),
            text.replacen("seq: 5,", "seq: 'x',", 1),
            text.replacen("seq: 5,", "seq: 5,,", 1),
            // A small field that does not parse.
            text.replacen("  tombstones: [],", "  tombstones: [(id: 1)],", 1),
            text.replacen("  tombstones: [],", "  tombstones: 7,", 1),
        ];
        assert!(text.contains("  tombstones: [],"));
        // A last field that does not parse, alone in its batch: the text is all scanned
        // before it is parsed.
        let end = text.rfind(')').unwrap();
        bad.push(format!(
            "{}{}  concerns: [(x: 1)],\n{}",
            &text[..end],
            " ".repeat(5_000),
            &text[end..]
        ));
        let mut comment = text.clone();
        comment.insert_str(entry, "\n    // a comment between two entries");
        bad.push(comment);
        for (n, bad) in bad.iter().enumerate() {
            for batch in [300, 65_536] {
                assert!(read(bad, batch).is_none(), "case {n}, batches of {batch}");
            }
        }
        // Not UTF-8 inside a record.
        let mut bytes = text.clone().into_bytes();
        let at = text.find("description: \"").unwrap() + 15;
        bytes[at] = 0xff;
        let read = read_in_batches(Path::new("lb.age"), Trickle(&bytes, 999), 1_000, None).unwrap();
        assert!(read.is_none());
        let mut kept = KeptTrail::new(5_000);
        let read = read_in_batches(
            Path::new("lb.age"),
            Trickle(&bytes, 999),
            1_000,
            Some(&mut kept),
        );
        assert!(read.unwrap().is_none());
    }

    /// A reader that fails (a damaged or truncated file) is a damaged file, never a give-up
    /// nor a half-read logbook.
    #[test]
    fn a_failing_reader_is_a_damaged_file() {
        let text = super::super::to_ron(&generated());
        let failing = Trickle(&text.as_bytes()[..text.len() / 2], 5_000).chain(Failing);
        assert!(matches!(
            read_in_batches(Path::new("lb.age"), failing, 4_096, None),
            Err(Error::Damaged(_))
        ));
    }

    struct Failing;

    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("the last chunk does not open"))
        }
    }
}
