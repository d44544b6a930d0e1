//! The save thread's own copy of the logbook, with the text of each person and incident
//! as the file holds it, so that a save encodes only those that changed since the last
//! one.
//!
//! The audit trail's entries are encoded again at every save, not kept as text: the trail
//! is most of the file (58% of the text of a generated logbook), and keeping its text
//! doubled the app's memory with a copy of the trail beside its records (at 50,000
//! incidents 0.37 GB). Encoding it runs on its own thread while the text before it is
//! encrypted (`codec::encrypt_ron`), so a save still costs about re-encrypting the file.
//!
//! The app's side (`Tracker`) sends only the records that changed (`Delta`): it compares
//! each record's address with what it sent before, which costs a read of the lists, not a
//! reference-count update per record (600,000 audit entries at 50,000 incidents). The save
//! thread's side (`Held`) applies each delta in order, encodes the records it was sent,
//! and writes the file from the stored text of the rest: byte for byte what encoding the
//! whole logbook writes (the tests compare the two).
//!
//! Why an address proves a record unchanged: `Held` keeps every record it was sent until a
//! later delta replaces it, and the app sends deltas one after another. So each record the
//! tracker remembers is still held elsewhere when the app next compares; a change to it in
//! the app copies it to a new address first (`Shared` is copy-on-write), and no new record
//! can be given the address of one still alive.

use std::io::{self, Write};

use serde::Serialize;
use zeroize::Zeroizing;

use super::codec;
use super::key::Recipients;
use crate::model::{
    AuditEntry, BackupSecret, ConcernRecord, EncodedRon, Incident, Logbook, Person, RonSink,
    Settings, Shared, Tombstone,
};

/// One list's changes: its new length, and each record at an index whose record is new or
/// replaced, in increasing order (every index at or past the old length is among them).
pub struct Changes<T> {
    len: usize,
    changed: Vec<(usize, Shared<T>)>,
}

/// What changed in the logbook since the last delta: its small parts whole (settings,
/// tombstones, concerns: `rest`, whose three lists are empty) and the changes to its three
/// long lists.
pub struct Delta {
    rest: Logbook,
    people: Changes<Person>,
    incidents: Changes<Incident>,
    audit: Changes<AuditEntry>,
}

impl Delta {
    /// How many records it carries (for the tests and the bench).
    pub fn records(&self) -> usize {
        self.people.changed.len() + self.incidents.changed.len() + self.audit.changed.len()
    }
}

/// The app's memory of what it has sent: the address of each record, per list.
#[derive(Default)]
pub struct Tracker {
    people: Vec<usize>,
    incidents: Vec<usize>,
    audit: Vec<usize>,
}

impl Tracker {
    /// The changes since the last delta, to be applied by the one `Held` every delta of
    /// this tracker goes to, in order. The first delta carries every record.
    pub fn delta(&mut self, book: &Logbook) -> Delta {
        // Every field named: a field added to `Logbook` does not compile until it is
        // carried here (and written by `Held::encrypt_to`).
        let Logbook {
            format,
            settings,
            people,
            incidents,
            tombstones,
            audit,
            backup_key,
            concerns,
            trail_pending,
        } = book;
        Delta {
            rest: Logbook {
                format: *format,
                settings: settings.clone(),
                people: Vec::new(),
                incidents: Vec::new(),
                tombstones: tombstones.clone(),
                audit: Vec::new(),
                backup_key: backup_key.clone(),
                concerns: concerns.clone(),
                trail_pending: *trail_pending,
            },
            people: changes(&mut self.people, people),
            incidents: changes(&mut self.incidents, incidents),
            audit: changes(&mut self.audit, audit),
        }
    }
}

fn changes<T: Clone>(sent: &mut Vec<usize>, now: &[Shared<T>]) -> Changes<T> {
    sent.truncate(now.len());
    let mut changed = Vec::new();
    for (i, record) in now.iter().enumerate() {
        let addr = Shared::addr(record);
        match sent.get_mut(i) {
            Some(old) if *old == addr => {}
            Some(old) => {
                *old = addr;
                changed.push((i, record.clone()));
            }
            None => {
                sent.push(addr);
                changed.push((i, record.clone()));
            }
        }
    }
    Changes {
        len: now.len(),
        changed,
    }
}

/// A record's text in the file, wiped when dropped. None: it could not be encoded; the
/// save encodes the record itself, and so reports why.
type Text = Option<Zeroizing<Box<[u8]>>>;

/// The save thread's copy of the logbook and the text of each person and incident.
pub struct Held {
    book: Logbook,
    people: Vec<Text>,
    incidents: Vec<Text>,
    /// A delta did not fit (a defect): nothing is saved from this copy again.
    out_of_step: bool,
}

impl Held {
    /// The copy the first delta of a tracker makes.
    pub fn new(first: Delta) -> Held {
        let mut held = Held {
            book: Logbook::new(first.rest.settings.clone()),
            people: Vec::new(),
            incidents: Vec::new(),
            out_of_step: false,
        };
        held.apply(first);
        held
    }

    /// Applies the next delta: the copy is then the app's logbook when it was sent.
    pub fn apply(&mut self, delta: Delta) {
        let Delta {
            mut rest,
            people,
            incidents,
            audit,
        } = delta;
        rest.people = std::mem::take(&mut self.book.people);
        rest.incidents = std::mem::take(&mut self.book.incidents);
        rest.audit = std::mem::take(&mut self.book.audit);
        self.book = rest;
        let mut scratch = Scratch::default();
        let fits = apply(
            &mut self.book.people,
            Some((&mut self.people, &mut scratch)),
            people,
        ) && apply(
            &mut self.book.incidents,
            Some((&mut self.incidents, &mut scratch)),
            incidents,
        ) && apply(&mut self.book.audit, None, audit);
        if !fits {
            self.out_of_step = true;
        }
    }

    pub fn logbook(&self) -> &Logbook {
        &self.book
    }

    /// Whether a delta failed to fit (a defect): this copy must not be saved.
    pub fn out_of_step(&self) -> bool {
        self.out_of_step
    }

    /// Writes the logbook into an age stream as `codec::encrypt_to` does, with the stored
    /// text of each person and incident in place of encoding it again.
    pub(super) fn encrypt_to(
        &self,
        out: &mut dyn Write,
        recipients: &Recipients,
    ) -> io::Result<()> {
        codec::encrypt_ron(out, recipients.encryptor(), &self.view())
    }

    fn view(&self) -> View<'_> {
        let Logbook {
            format,
            settings,
            people,
            incidents,
            tombstones,
            audit,
            backup_key,
            concerns,
            trail_pending: _,
        } = &self.book;
        View {
            format: *format,
            settings,
            people: Items(people, &self.people),
            incidents: Items(incidents, &self.incidents),
            tombstones,
            audit,
            backup_key: backup_key.as_ref(),
            concerns,
        }
    }
}

/// Applies one list's changes to the records and, if kept (`texts`), their text.
fn apply<T: Serialize>(
    records: &mut Vec<Shared<T>>,
    mut texts: Option<(&mut Vec<Text>, &mut Scratch)>,
    changes: Changes<T>,
) -> bool {
    records.truncate(changes.len);
    if let Some((texts, _)) = &mut texts {
        texts.truncate(changes.len);
    }
    for (i, record) in changes.changed {
        let text = texts.as_mut().map(|(_, scratch)| scratch.encode(&*record));
        if i < records.len() {
            records[i] = record;
            if let (Some((texts, _)), Some(text)) = (&mut texts, text) {
                texts[i] = text;
            }
        } else if i == records.len() {
            records.push(record);
            if let (Some((texts, _)), Some(text)) = (&mut texts, text) {
                texts.push(text);
            }
        } else {
            return false;
        }
    }
    records.len() == changes.len
        && texts
            .as_ref()
            .is_none_or(|(texts, _)| texts.len() == changes.len)
}

/// Encodes records one at a time into one buffer that grows without leaving copies of
/// record text behind in freed memory, and is wiped when dropped.
#[derive(Default)]
struct Scratch(Zeroizing<Vec<u8>>);

impl Scratch {
    fn encode<T: Serialize>(&mut self, record: &T) -> Text {
        self.0.clear();
        crate::model::pretty_ron_item(record, self, codec::DEPTH_LIMIT).ok()?;
        Some(Zeroizing::new(Box::from(self.0.as_slice())))
    }
}

impl RonSink for Scratch {
    fn put(&mut self, bytes: &[u8]) {
        let needed = self.0.len() + bytes.len();
        if needed > self.0.capacity() {
            let mut bigger = Zeroizing::new(Vec::with_capacity(needed.max(4096) * 2));
            bigger.extend_from_slice(&self.0);
            // The old buffer is wiped as it is dropped.
            self.0 = bigger;
        }
        self.0.extend_from_slice(bytes);
    }
}

/// The logbook as `Logbook`'s own `Serialize` writes it (same fields, same order, same
/// rules for leaving one out), with each person and incident written from its text.
#[derive(Serialize)]
#[serde(rename = "Logbook")]
struct View<'a> {
    format: u32,
    settings: &'a Settings,
    people: Items<'a, Person>,
    incidents: Items<'a, Incident>,
    tombstones: &'a [Tombstone],
    audit: &'a [Shared<AuditEntry>],
    #[serde(skip_serializing_if = "Option::is_none")]
    backup_key: Option<&'a BackupSecret>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    concerns: &'a [ConcernRecord],
}

/// A list of records written from their stored text (or encoded, where there is none).
struct Items<'a, T>(&'a [Shared<T>], &'a [Text]);

impl<T: Serialize> Serialize for Items<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for (record, text) in self.0.iter().zip(self.1) {
            match text {
                Some(text) => seq.serialize_element(&EncodedRon(text))?,
                None => seq.serialize_element(&**record)?,
            }
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::{Shared, Tombstone};
    use crate::vault::{Identities, Key};

    /// The text a save of `held` writes, unencrypted.
    fn text(held: &Held) -> Vec<u8> {
        let mut out = Vec::new();
        crate::model::pretty_ron(&held.view(), &mut out, codec::DEPTH_LIMIT).unwrap();
        out
    }

    /// What saving `book` writes today: the whole logbook encoded (and RON's own text).
    fn whole(book: &Logbook) -> Vec<u8> {
        let mut out = Vec::new();
        crate::model::pretty_ron(book, &mut out, codec::DEPTH_LIMIT).unwrap();
        assert!(
            out == codec::to_ron(book).into_bytes(),
            "the encoder differs from RON"
        );
        out
    }

    fn generated() -> Logbook {
        crate::demo::generate(30, 7, crate::demo::demo_now()).unwrap()
    }

    /// Sends `book` through a tracker into a held copy and checks that the copy writes
    /// exactly what encoding `book` whole writes; returns how many records were sent.
    fn step(tracker: &mut Tracker, held: &mut Option<Held>, book: &Logbook) -> usize {
        let delta = tracker.delta(book);
        let sent = delta.records();
        match held {
            Some(h) => h.apply(delta),
            None => *held = Some(Held::new(delta)),
        }
        let h = held.as_ref().unwrap();
        assert!(!h.out_of_step());
        assert_eq!(h.logbook(), book);
        assert!(text(h) == whole(book), "the saved text differs");
        sent
    }

    fn stamp(book: &Logbook) -> crate::model::Stamp {
        crate::model::Stamp::new("RO", book.audit.last().unwrap().at)
    }

    #[test]
    fn a_save_from_stored_text_is_byte_for_byte_the_whole_encoding() {
        for mut book in [crate::demo::logbook().unwrap(), generated()] {
            let (mut tracker, mut held) = (Tracker::default(), None);
            let all = book.people.len() + book.incidents.len() + book.audit.len();
            assert_eq!(step(&mut tracker, &mut held, &book), all);
            // Nothing changed: nothing sent.
            assert_eq!(step(&mut tracker, &mut held, &book), 0);

            // One change through the model: the incident and its trail entry.
            let id = book.incidents[2].id.clone();
            let s = stamp(&book);
            book.update_incident(&s, &id, "edited description", |i| {
                i.description.push_str(" \"quoted\" \\ tab\t é \u{202e} 😀")
            })
            .unwrap();
            assert_eq!(step(&mut tracker, &mut held, &book), 2);

            // Records inserted, removed, swapped; the trail cut back and extended.
            let mut first = Incident::clone(&book.incidents[0]);
            first.id = "INC-2020-0001".into();
            book.incidents.insert(0, Shared::new(first));
            book.people.pop();
            book.incidents.swap(3, 4);
            let extra = book.audit[1].clone();
            book.audit.truncate(book.audit.len() - 3);
            book.audit.push(extra);
            book.tombstones.push(Tombstone {
                id: "INC-2019-0001".into(),
                disposed: chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
                by: "RO".into(),
                rule: String::new(),
            });
            step(&mut tracker, &mut held, &book);

            // The fields left out when empty, present.
            book.backup_key = Some(BackupSecret::new("AGE-SECRET-KEY-1X".into()));
            book.concerns.push(
                ron::from_str(
                    "(concern: (receipt: \"C-7K3Q-9XPD\", written: \"2026-11-16T09:00:00+00:00\", \
                     what: \"x\", by: \"Staff\"), taken_in: \"2026-11-16T10:00:00\", \
                     taken_in_by: \"RO\", outcome: NoFurtherAction(reason: \"none\"))",
                )
                .unwrap(),
            );
            book.settings.organisation.push_str(" (renamed)");
            assert_eq!(step(&mut tracker, &mut held, &book), 0);

            // Emptied lists.
            book.incidents.clear();
            book.audit.clear();
            assert_eq!(step(&mut tracker, &mut held, &book), 0);
        }
    }

    /// A change made while the held copy shares the record copies it first, so the held
    /// copy keeps what was sent and the change is found.
    #[test]
    fn a_change_in_place_is_found_and_never_reaches_the_held_copy() {
        let mut book = generated();
        let (mut tracker, mut held) = (Tracker::default(), None);
        step(&mut tracker, &mut held, &book);
        let before = book.incidents[5].description.clone();
        book.incidents[5].description = "changed in place".into();
        book.audit[7].by = "someone else".into();
        let h = held.as_ref().unwrap();
        assert_eq!(h.logbook().incidents[5].description, before);
        assert_eq!(step(&mut tracker, &mut held, &book), 2);
    }

    /// The held copy keeps the text of its people and incidents, not of the trail (most of
    /// the file, and encoded again at each save): under half the file's text here, where
    /// the trail is more than half of it.
    #[test]
    fn the_held_copy_keeps_no_text_of_the_trail() {
        let book = generated();
        let held = Held::new(Tracker::default().delta(&book));
        let kept: usize = (held.people.iter().chain(&held.incidents))
            .map(|t| t.as_ref().expect("encoded").len())
            .sum();
        let file = whole(&book).len();
        let trail: usize = (book.audit.iter())
            .map(|e| {
                let mut item = Vec::new();
                crate::model::pretty_ron_item(&**e, &mut item, codec::DEPTH_LIMIT).unwrap();
                item.len()
            })
            .sum();
        assert!(trail > file / 2, "the trail is most of the file");
        assert!(
            kept + trail <= file,
            "{kept} bytes of text kept, of a file of {file} whose trail is {trail}"
        );
    }

    /// The held copy's save is one standard age file holding exactly the whole encoding.
    #[test]
    fn the_held_copy_encrypts_to_an_age_file_of_the_whole_text() {
        let book = generated();
        let mut held = Held::new(Tracker::default().delta(&book));
        let ids = Identities::one(age::x25519::Identity::generate());
        let mut sealed = Vec::new();
        held.encrypt_to(&mut sealed, &ids.recipients()).unwrap();
        let plain = codec::decrypt(Path::new("lb.age"), &sealed, &Key::Identities(ids)).unwrap();
        assert!(plain.as_slice() == whole(&book).as_slice());

        // A delta that does not fit (a defect) is never saved from.
        let mut other = Tracker::default();
        other.delta(&book);
        let mut longer = book.clone();
        longer.audit.push(longer.audit[0].clone());
        let mut skipped = other.delta(&longer);
        skipped.audit.changed.clear();
        held.apply(skipped);
        assert!(held.out_of_step());
    }
}
