//! Reading a logbook's text as this program writes it, in pieces: each top-level field's
//! value, and each record of the three long lists (people, incidents, the audit trail),
//! is parsed from its own slice of the text. That needs no copy of the text, lets the
//! records be parsed on two cores, and lets the list be drawn before the trail is read.
//!
//! A byte scanner finds the pieces: it knows brackets, double-quoted strings with
//! backslash escapes, spaces, tabs and line breaks, and nothing else, and gives up (None)
//! at anything else (a comment, a raw or byte string, a character literal, a field this
//! build does not know, a field twice). Every piece is then parsed by RON itself; a piece
//! that does not parse also gives up. On giving up the caller parses the whole text in
//! one go, which accepts or refuses the file exactly as before and names the error. So
//! this path only ever returns what that one parse would, faster.

use std::ops::Range;

use serde::de::DeserializeOwned;

use crate::model::{AuditEntry, Incident, Logbook, Person, Shared};

type Span = Range<usize>;

/// Where each top-level field of the logbook is: the spans of their values.
#[derive(Default)]
pub(super) struct Fields {
    format: Option<Span>,
    settings: Option<Span>,
    people: Option<Span>,
    incidents: Option<Span>,
    tombstones: Option<Span>,
    pub(super) audit: Option<Span>,
    backup_key: Option<Span>,
    concerns: Option<Span>,
}

/// RON whitespace as this program writes it.
pub(super) fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(i) {
        i += 1;
    }
    i
}

/// The bytes `value_end` looks at: quotes, brackets, commas, and the starts of what it
/// does not know (a character literal, a comment, a raw string's `#`).
const SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut k = 0;
    let special = b"\"[({,)]}'/#";
    while k < special.len() {
        table[special[k] as usize] = true;
        k += 1;
    }
    table
};

/// Where `scan` stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scan {
    /// At the `,` `)` `]` or `}` that ends the value at its own depth.
    At(usize),
    /// At the end of the bytes, this deep in brackets (a string counts as one more).
    End(usize),
    /// At something the scanner does not know (see the module's note).
    Unknown,
}

/// Scans the value starting at `bytes[start]` up to what ends it at its own depth.
pub(super) fn scan(bytes: &[u8], start: usize) -> Scan {
    let mut depth = 0usize;
    let mut i = start;
    loop {
        // Most bytes are names and numbers: skipped a table look-up each.
        while bytes.get(i).is_some_and(|&b| !SPECIAL[usize::from(b)]) {
            i += 1;
        }
        let Some(&b) = bytes.get(i) else {
            return Scan::End(depth);
        };
        match b {
            // A raw or byte string (`r"`, `b"`): no string of this program's has a
            // letter just before its quote.
            b'"' if i > start && bytes[i - 1].is_ascii_alphanumeric() => return Scan::Unknown,
            b'"' => {
                i += 1;
                loop {
                    let Some(at) = bytes
                        .get(i..)
                        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
                    else {
                        return Scan::End(depth + 1);
                    };
                    let at = i + at;
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
            b',' | b')' | b']' | b'}' if depth == 0 => return Scan::At(i),
            b')' | b']' | b'}' => depth -= 1,
            b',' => {}
            _ => return Scan::Unknown,
        }
        i += 1;
    }
}

/// `end` with the spaces before it left out (down to `start`).
pub(super) fn trim_end(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && matches!(bytes[end - 1], b' ' | b'\t' | b'\n' | b'\r') {
        end -= 1;
    }
    end
}

/// The end of the value starting at `bytes[start]`: just after its last byte, before
/// the `,` `)` or `]` that ends it at its own depth, or at the end of the text (trailing
/// spaces left out). None at anything the scanner does not know (see the module's note).
fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    let i = match scan(bytes, start) {
        Scan::At(i) => i,
        Scan::End(0) => bytes.len(),
        Scan::End(_) | Scan::Unknown => return None,
    };
    if i == start {
        return None;
    }
    Some(trim_end(bytes, start, i))
}

/// The top-level fields of a logbook's text: `(`, then `name: value` pairs separated by
/// commas, then `)` and nothing but whitespace. Each known field at most once.
pub(super) fn top_fields(text: &str) -> Option<Fields> {
    let bytes = text.as_bytes();
    let mut fields = Fields::default();
    let mut i = skip_ws(bytes, 0);
    if bytes.get(i) != Some(&b'(') {
        return None;
    }
    i += 1;
    loop {
        i = skip_ws(bytes, i);
        if bytes.get(i) == Some(&b')') {
            break;
        }
        let name_start = i;
        while bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            i += 1;
        }
        let name = &text[name_start..i];
        i = skip_ws(bytes, i);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_ws(bytes, i + 1);
        let end = value_end(bytes, start)?;
        let slot = match name {
            "format" => &mut fields.format,
            "settings" => &mut fields.settings,
            "people" => &mut fields.people,
            "incidents" => &mut fields.incidents,
            "tombstones" => &mut fields.tombstones,
            "audit" => &mut fields.audit,
            "backup_key" => &mut fields.backup_key,
            "concerns" => &mut fields.concerns,
            _ => return None,
        };
        if slot.replace(start..end).is_some() {
            return None;
        }
        i = skip_ws(bytes, end);
        match bytes.get(i) {
            Some(b',') => i += 1,
            Some(b')') => {}
            _ => return None,
        }
    }
    (skip_ws(bytes, i + 1) == bytes.len()).then_some(fields)
}

/// The items of the list whose value is `span`: each a bracketed record `( ... )`.
pub(super) fn list_items(text: &str, span: &Span) -> Option<Vec<Span>> {
    let bytes = &text.as_bytes()[..span.end];
    if bytes.get(span.start) != Some(&b'[') || bytes.last() != Some(&b']') {
        return None;
    }
    let mut items = Vec::new();
    let mut i = span.start + 1;
    loop {
        i = skip_ws(bytes, i);
        if i == span.end - 1 {
            return Some(items);
        }
        if bytes.get(i) != Some(&b'(') {
            return None;
        }
        let end = value_end(bytes, i)?;
        items.push(i..end);
        i = skip_ws(bytes, end);
        match bytes.get(i) {
            Some(b',') => i += 1,
            Some(b']') if i == span.end - 1 => {}
            _ => return None,
        }
    }
}

fn parse<T: DeserializeOwned>(text: &str, span: &Span) -> Option<T> {
    ron::from_str(&text[span.clone()]).ok()
}

/// The records at `spans`, each made as small as its text (`compact`) while still in
/// the cache.
fn parse_list<T: DeserializeOwned>(
    text: &str,
    spans: &[Span],
    compact: fn(&mut T),
) -> Option<Vec<T>> {
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        let mut record = parse(text, span)?;
        compact(&mut record);
        out.push(record);
    }
    Some(out)
}

/// A field's value, or its default when the field is absent (as `#[serde(default)]`).
fn parse_or_default<T: DeserializeOwned + Default>(text: &str, span: &Option<Span>) -> Option<T> {
    match span {
        Some(span) => parse(text, span),
        None => Some(T::default()),
    }
}

/// The records of the long lists to parse: their items' spans.
#[derive(Clone, Copy, Default)]
pub(super) struct Items<'s> {
    pub(super) people: &'s [Span],
    pub(super) incidents: &'s [Span],
    pub(super) audit: &'s [Span],
}

/// The parsed records of `Items`, in the text's order.
#[derive(Default)]
pub(super) struct Records {
    pub(super) people: Vec<Shared<Person>>,
    pub(super) incidents: Vec<Shared<Incident>>,
    pub(super) audit: Vec<Shared<AuditEntry>>,
}

impl<'s> Items<'s> {
    fn bytes(&self) -> usize {
        [self.people, self.incidents, self.audit]
            .iter()
            .flat_map(|list| list.iter())
            .map(|s| s.len())
            .sum()
    }

    /// Two parts of about the same size of text, in order.
    fn halves(self) -> (Items<'s>, Items<'s>) {
        let mut left = self.bytes() / 2;
        let mut cut = |list: &'s [Span]| -> (&'s [Span], &'s [Span]) {
            let mut at = 0;
            while at < list.len() && left > 0 {
                left = left.saturating_sub(list[at].len());
                at += 1;
            }
            list.split_at(at)
        };
        let (p0, p1) = cut(self.people);
        let (i0, i1) = cut(self.incidents);
        let (a0, a1) = cut(self.audit);
        (
            Items {
                people: p0,
                incidents: i0,
                audit: a0,
            },
            Items {
                people: p1,
                incidents: i1,
                audit: a1,
            },
        )
    }

    fn parse_here(self, text: &str) -> Option<Records> {
        Some(Records {
            people: parse_list(text, self.people, compact_person)?,
            incidents: parse_list(text, self.incidents, compact_incident)?,
            audit: parse_list(text, self.audit, compact_entry)?,
        })
    }

    /// Parses the records, a large set on two cores (`also` runs on this one meanwhile).
    pub(super) fn parse<A: Send>(
        self,
        text: &str,
        also: impl FnOnce() -> A + Send,
    ) -> (Option<Records>, A) {
        if self.bytes() < PARALLEL_PARSE {
            let also = also();
            return (self.parse_here(text), also);
        }
        let (front, back) = self.halves();
        let (front, back, also) = std::thread::scope(|scope| {
            let back = scope.spawn(move || back.parse_here(text));
            let also = also();
            let front = front.parse_here(text);
            (front, back.join().ok().flatten(), also)
        });
        let records = front.zip(back).map(|(mut front, back)| {
            front.people.extend(back.people);
            front.incidents.extend(back.incidents);
            front.audit.extend(back.audit);
            front
        });
        (records, also)
    }
}

/// From this much text of records, they are parsed on two cores.
const PARALLEL_PARSE: usize = 1 << 20;

/// The logbook's own fields and its records (the trail too if `trail`), parsed from
/// `text` in pieces; with `trail` false the logbook's trail is empty and `trail_pending`
/// set. None if anything is not as this program writes it: parse the whole text instead.
pub(super) fn parse_logbook(text: &str, fields: &Fields, trail: bool) -> Option<Logbook> {
    let items = |span: &Option<Span>| match span {
        Some(span) => list_items(text, span),
        None => Some(Vec::new()),
    };
    let people = items(&fields.people)?;
    let incidents = items(&fields.incidents)?;
    let audit = if trail {
        items(&fields.audit)?
    } else {
        Vec::new()
    };
    let work = Items {
        people: &people,
        incidents: &incidents,
        audit: &audit,
    };
    // The small fields are parsed on this core while the other starts on the records.
    let (records, own) = work.parse(text, || {
        Some((
            parse::<u32>(text, fields.format.as_ref()?)?,
            parse(text, fields.settings.as_ref()?)?,
            parse_or_default(text, &fields.tombstones)?,
            parse_or_default(text, &fields.backup_key)?,
            parse_or_default(text, &fields.concerns)?,
        ))
    });
    let records = records?;
    let (format, settings, tombstones, backup_key, concerns) = own?;
    // Every field named: a field added to `Logbook` does not compile until it is read here
    // (and `top_fields` gives up on its name until it is known there).
    Some(Logbook {
        format,
        settings,
        people: records.people,
        incidents: records.incidents,
        tombstones,
        audit: records.audit,
        backup_key,
        concerns,
        trail_pending: !trail,
    })
}

/// The audit trail whose list is `span`, parsed in pieces on two cores. None if anything
/// is not as this program writes it.
pub(super) fn parse_trail(text: &str, span: &Span) -> Option<crate::model::Trail> {
    let audit = list_items(text, span)?;
    let items = Items {
        audit: &audit,
        ..Items::default()
    };
    items.parse(text, || ()).0.map(|r| r.audit)
}

// Parsed records as small as their text allows. RON grows a string with escapes (an
// apostrophe is written `\'`) and serde a list, item by item, by doubling: a list of one
// item has room for four, and such spare room was about a third of the records' memory.
// Shrinking gives it back in place (the spare room never held any text). Only the fields
// that hold free text or lists are named: a field missed here is only larger in memory.

fn tight(s: &mut String) {
    if s.capacity() > s.len() {
        s.shrink_to_fit();
    }
}

fn tight_vec<T>(v: &mut Vec<T>) {
    if v.capacity() > v.len() {
        v.shrink_to_fit();
    }
}

pub(super) fn compact_person(person: &mut Shared<Person>) {
    let p = &mut **person;
    tight(&mut p.reference);
    tight(&mut p.notes);
}

pub(super) fn compact_incident(incident: &mut Shared<Incident>) {
    let i = &mut **incident;
    for s in [
        &mut i.reported_by,
        &mut i.platform,
        &mut i.description,
        &mut i.immediate_action,
    ] {
        tight(s);
    }
    tight_vec(&mut i.people);
    tight_vec(&mut i.types);
    tight_vec(&mut i.checklist);
    for item in &mut i.checklist {
        tight(&mut item.step);
    }
    tight_vec(&mut i.evidence);
    for e in &mut i.evidence {
        tight(&mut e.description);
        tight(&mut e.source);
        tight(&mut e.kept_at);
        tight_vec(&mut e.custody);
    }
    tight_vec(&mut i.reports);
    for r in &mut i.reports {
        tight(&mut r.outcome);
        tight(&mut r.reason);
        tight(&mut r.contact);
    }
    tight_vec(&mut i.reviews);
    for r in &mut i.reviews {
        tight(&mut r.outcome);
    }
    tight_vec(&mut i.related);
    if let Some(closure) = &mut i.closure {
        tight(&mut closure.outcome);
    }
}

pub(super) fn compact_entry(entry: &mut Shared<AuditEntry>) {
    let e = &mut **entry;
    tight(&mut e.action);
    tight_vec(&mut e.changes);
    for c in &mut e.changes {
        tight(&mut c.old);
        tight(&mut c.new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scanner_finds_values_and_gives_up_on_what_it_does_not_know() {
        let text = r#"( format: 1, settings: (a: "x)\"", b: [1, 2]), people: [ (id: "P-1") , (id: "]") ], )"#;
        let f = top_fields(text).unwrap();
        assert_eq!(&text[f.format.unwrap()], "1");
        assert_eq!(&text[f.settings.unwrap()], r#"(a: "x)\"", b: [1, 2])"#);
        let people = f.people.unwrap();
        let items = list_items(text, &people).unwrap();
        let items: Vec<_> = items.into_iter().map(|s| &text[s]).collect();
        assert_eq!(items, [r#"(id: "P-1")"#, r#"(id: "]")"#]);
        for bad in [
            "(format: 1, format: 1)",
            "(format: 1, unknown: 2)",
            "(format: 1 // a comment\n)",
            "(format: 1) x",
            "(format: 'c')",
            r##"(format: r#"x"#)"##,
            r#"(format: r"x")"#,
            r#"(format: b"x")"#,
            r#"(format: [b"x"])"#,
            "(format: (1)",
            "(format 1)",
            "(format: 1,, )",
        ] {
            assert!(top_fields(bad).is_none(), "{bad}");
        }
        assert!(top_fields("(format: 1)\n\n").is_some());
        assert!(top_fields("(\n)").is_some());
        for bad in ["[ (a), b ]", "[ (a),, ]", "[ 1 ]"] {
            assert!(list_items(bad, &(0..bad.len())).is_none(), "{bad}");
        }
        assert!(list_items("[]", &(0..2)).unwrap().is_empty());
        assert_eq!(list_items("[ (a) ]", &(0..7)).unwrap(), vec![(2..5)]);
    }

    #[test]
    fn halves_keep_the_order_and_every_item() {
        let spans: Vec<Span> = (0..10).map(|i| i * 10..i * 10 + 10).collect();
        let items = Items {
            people: &spans[..3],
            incidents: &spans[3..],
            audit: &[],
        };
        let (a, b) = items.halves();
        assert_eq!(a.people.len() + a.incidents.len(), 5);
        assert_eq!(
            [a.people, b.people].concat(),
            spans[..3].to_vec(),
            "people in order"
        );
        assert_eq!([a.incidents, b.incidents].concat(), spans[3..].to_vec());
    }

    /// A logbook as this program writes it is read in pieces (not by the whole parse
    /// the pieces fall back to), on two cores, into exactly what one whole parse gives.
    #[test]
    fn a_written_logbook_is_read_in_pieces_as_one_parse_reads_it() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 16)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let mut book = crate::demo::generate(120, 5, now).unwrap();
        book.incidents[3].description = "it\'s \"quoted\" ) ] ( [ \\ é\n".repeat(90_000);
        let text = super::super::to_ron(&book);
        assert!(
            text.len() > 2 * PARALLEL_PARSE,
            "large enough for two cores"
        );
        let fields = top_fields(&text).expect("the pieces are found");
        let whole: Logbook = ron::from_str(&text).unwrap();
        let pieces = parse_logbook(&text, &fields, true).expect("every piece parses");
        assert_eq!(pieces, whole);
        assert!(!pieces.trail_pending);
        let records = parse_logbook(&text, &fields, false).unwrap();
        assert!(records.trail_pending && records.audit.is_empty());
        assert_eq!(records.incidents, whole.incidents);
        let trail = parse_trail(&text, fields.audit.as_ref().unwrap()).unwrap();
        assert_eq!(trail, whole.audit);
        // The spare room is given back.
        assert!(
            pieces
                .incidents
                .iter()
                .all(|i| i.checklist.capacity() == i.checklist.len()
                    && i.description.capacity() == i.description.len())
        );
    }
}
