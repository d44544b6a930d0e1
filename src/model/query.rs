//! Finding records by a typed filter: which incidents and people a text finds. Pure (no
//! I/O, no clock), so the app's list, its people register and the benchmarks share it.
//!
//! A filter ignores case and accents (`fold`): "chloe" finds "Chloé", "l" finds "Ł", as
//! a DSL typing on a UK keyboard types plain letters.
//!
//! The incident list re-filters on every keystroke, at 50,000 incidents too, so
//! `Narrowing` keeps what it found between keystrokes: a text that extends the last one
//! searches only the last one's matches, and a shorter one (Backspace) is answered from
//! the results kept for it, without searching at all.

use std::borrow::Cow;
use std::collections::HashSet;

use super::audit::AuditFault;
use chrono::NaiveDate;

use super::types::{Incident, Logbook, Person, Status, Subject};

/// A text in lower case with the accents of Latin letters taken off ("Zoë Ł." gives
/// "zoe l."; "ß" gives "ss"): what filters compare. An ASCII text is only lower-cased.
pub fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        };
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match plain(c) {
            Some(p) => out.push_str(p),
            // A combining accent (a letter typed as "e" then the accent) is dropped.
            None if ('\u{300}'..='\u{36f}').contains(&c) => {}
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The plain letters of a lower-case accented Latin letter, None for any other.
fn plain(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        _ => return None,
    })
}

/// Case- and accent-insensitive `contains` (see `fold`), without allocating for an ASCII
/// text: the filter runs on every keystroke over every description. `needle_lower` is
/// lower case (a needle not yet folded is folded here). An ASCII needle in an ASCII text
/// is compared ASCII-case-insensitively, byte for byte; anything else, both folded.
pub fn contains_ignore_case(haystack: &str, needle_lower: &str) -> bool {
    if needle_lower.is_empty() {
        return true;
    }
    if !needle_lower.is_ascii() {
        let needle = fold(needle_lower);
        if needle.is_ascii() {
            return contains_ignore_case(haystack, &needle);
        }
        return fold(haystack).contains(needle.as_ref());
    }
    if !haystack.is_ascii() {
        return fold(haystack).contains(needle_lower);
    }
    {
        let n = needle_lower.as_bytes();
        let h = haystack.as_bytes();
        if h.len() < n.len() {
            return false;
        }
        // Jump (with SIMD) to each place the needle's rarest letter occurs in either case,
        // and compare only there: searching for the first letter of "ex" stops at every
        // "e" of a long description, searching for its "x" almost nowhere.
        let at = rarest(n);
        let (lower, upper) = (n[at], n[at].to_ascii_uppercase());
        let tail = n.len() - at;
        // A match has its rarest letter at `at..=h.len() - tail` in the haystack.
        let window = &h[at..h.len() - tail + 1];
        let hit = |i: usize| h[i..i + n.len()].eq_ignore_ascii_case(n);
        if lower == upper {
            memchr::memchr_iter(lower, window).any(hit)
        } else {
            memchr::memchr2_iter(lower, upper, window).any(hit)
        }
    }
}

/// The index of the byte of `needle` (ASCII, lower case) least common in English text,
/// from a rough table of letter frequencies: the SIMD search then stops least often.
fn rarest(needle: &[u8]) -> usize {
    // Lower is rarer. Letters by frequency in English prose; a space, 'e' and the
    // other most common letters last; digits and punctuation are rare in descriptions.
    fn rank(b: u8) -> u8 {
        match b {
            b' ' => 255,
            b'e' => 250,
            b't' => 240,
            b'a' => 235,
            b'o' => 230,
            b'i' => 225,
            b'n' => 220,
            b's' => 215,
            b'h' | b'r' => 210,
            b'd' | b'l' => 200,
            b'c' | b'u' | b'm' => 190,
            b'w' | b'f' | b'g' | b'y' | b'p' => 180,
            b'b' => 170,
            b'v' | b'k' => 150,
            b'.' | b',' => 140,
            b'j' | b'x' | b'q' | b'z' => 100,
            _ => 50,
        }
    }
    let mut best = 0;
    for (i, b) in needle.iter().enumerate() {
        if rank(*b) < rank(needle[best]) {
            best = i;
        }
    }
    best
}

impl Logbook {
    /// Whether one record still matches its last audit entry: what `show` checks before
    /// printing it, so a record altered outside the logbook is never printed as genuine
    /// (tester3 #18). Cheap: one scan back along the trail and one hash, where `verify`
    /// checks every record and every link of the chain. A subject no longer in the logbook
    /// (disposed of) has nothing to check.
    pub fn check_record(&self, subject: &Subject) -> Result<(), AuditFault> {
        let Some(state) = self.subject_state(subject) else {
            return Ok(());
        };
        let state = state.map_err(AuditFault::Unencodable)?;
        match self.audit.iter().rev().find(|e| &e.subject == subject) {
            None => Err(AuditFault::Unrecorded {
                subject: subject.clone(),
            }),
            Some(e) if e.state != state => Err(AuditFault::StateMismatch {
                subject: subject.clone(),
                seq: e.seq,
            }),
            Some(_) => Ok(()),
        }
    }
}

/// The order of the "Reviews due" view and of the next-review sort: cases with no review
/// booked first, then by the next review's date, the highest risk first within one date
/// (tester4 #13), then the latest reported.
pub fn review_order(i: &Incident) -> impl Ord + use<> {
    (
        !i.no_review_booked(),
        i.next_review().unwrap_or(NaiveDate::MAX),
        std::cmp::Reverse(i.risk_level),
        std::cmp::Reverse(i.reported),
    )
}

/// The incidents "Reviews due" lists, as indices into `book.incidents`, in `review_order`:
/// every open case with no review booked, and those whose next review falls on or before
/// `until` (overdue ones included).
pub fn reviews_due(book: &Logbook, until: NaiveDate) -> Vec<usize> {
    let mut rows: Vec<usize> = book
        .incidents
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            i.status != Status::Closed
                && (i.no_review_booked() || i.next_review().is_some_and(|d| d <= until))
        })
        .map(|(n, _)| n)
        .collect();
    rows.sort_by_cached_key(|n| review_order(&book.incidents[*n]));
    rows
}

/// Whether a person on the register matches a lower-case filter: reference, number,
/// year group, notes or year of birth.
pub fn person_matches(p: &Person, needle_lower: &str) -> bool {
    needle_lower.is_empty()
        || contains_ignore_case(&p.reference, needle_lower)
        || contains_ignore_case(&p.id, needle_lower)
        || contains_ignore_case(&p.year_group, needle_lower)
        || contains_ignore_case(&p.notes, needle_lower)
        || p.birth_year
            .is_some_and(|y| y.to_string().contains(needle_lower))
}

/// The ids of the people whose reference matches a lower-case filter, found once per
/// filter: an incident then matches through its people by id, with no lookup per incident.
pub fn people_named<'a>(book: &'a Logbook, needle_lower: &str) -> HashSet<&'a str> {
    book.people
        .iter()
        .filter(|p| contains_ignore_case(&p.reference, needle_lower))
        .map(|p| p.id.as_str())
        .collect()
}

/// Whether an incident matches a lower-case filter: id, people (by number, or by the
/// reference of a person in `people`, from `people_named`), types, platform, agencies,
/// reference numbers and description.
pub fn incident_matches(i: &Incident, needle_lower: &str, people: &HashSet<&str>) -> bool {
    let has = |s: &str| contains_ignore_case(s, needle_lower);
    has(&i.id)
        || has(&i.platform)
        || i.types.iter().any(|t| has(t.label()))
        || i.people
            .iter()
            .any(|p| (!people.is_empty() && people.contains(p.person.as_str())) || has(&p.person))
        || i.reports
            .iter()
            .any(|r| has(r.agency.label()) || has(&r.agency_name) || has(&r.reference))
        || has(&i.description)
}

/// The incidents a filter finds, kept between keystrokes (see the module's note).
///
/// `K` is the caller's key for its unfiltered rows (for the list: its view, sort and
/// today's date): the rows are recomputed when it or the logbook changes.
#[derive(Debug, Clone)]
pub struct Narrowing<K> {
    /// What the kept results were computed from; None: nothing kept.
    from: Option<(K, Fingerprint)>,
    /// The incidents' searched text in ASCII lower case, made at the first ASCII filter.
    text: Option<SearchText>,
    /// The unfiltered rows, then for each kept filter (lower case, each a prefix of the
    /// next) the rows it finds, in the unfiltered rows' order.
    found: Vec<(String, Vec<usize>)>,
}

impl<K> Default for Narrowing<K> {
    fn default() -> Self {
        Narrowing {
            from: None,
            text: None,
            found: Vec::new(),
        }
    }
}

/// How many filters are kept: one per letter of a typed text, up to this long.
const KEPT: usize = 64;

impl<K: PartialEq> Narrowing<K> {
    /// The rows of `unfiltered` (indices into `book.incidents`, computed by it only when
    /// `key` or the logbook changed) whose incidents match `filter` (as typed), in order.
    pub fn rows(
        &mut self,
        book: &Logbook,
        key: K,
        filter: &str,
        unfiltered: impl FnOnce() -> Vec<usize>,
    ) -> Vec<usize> {
        let from = (key, Fingerprint::of(book));
        if self.from.as_ref() != Some(&from) || self.found.is_empty() {
            self.found = vec![(String::new(), unfiltered())];
            self.text = None;
            self.from = Some(from);
        }
        let needle = fold(filter).into_owned();
        // Drop kept filters that the new one does not extend (Backspace, or a new text).
        while self.found.len() > 1
            && !self
                .found
                .last()
                .is_some_and(|(kept, _)| needle.starts_with(kept.as_str()))
        {
            self.found.pop();
        }
        if let Some((kept, rows)) = self.found.last()
            && *kept == needle
        {
            return rows.clone();
        }
        // Search the rows of the longest kept filter whose matches include every match of
        // the new one. An ASCII filter and a longer non-ASCII one are compared differently
        // (see `contains_ignore_case`), so the first's results may miss some of the second's.
        let source = self
            .found
            .iter()
            .rposition(|(kept, _)| kept.is_empty() || kept.is_ascii() == needle.is_ascii())
            .unwrap_or(0);
        let candidates = self.found[source].1.iter().copied();
        let rows: Vec<usize> = if needle.is_ascii() && !needle.contains('\0') {
            // One search of each incident's text, kept together in memory, instead of one
            // per field, each somewhere else on the heap.
            let text = self.text.get_or_insert_with(|| SearchText::of(book));
            let finder = memchr::memmem::Finder::new(needle.as_bytes());
            candidates
                .filter(|n| {
                    text.of_incident(*n)
                        .is_some_and(|t| finder.find(t).is_some())
                })
                .collect()
        } else {
            let people = people_named(book, &needle);
            candidates
                .filter(|n| {
                    book.incidents
                        .get(*n)
                        .is_some_and(|i| incident_matches(i, &needle, &people))
                })
                .collect()
        };
        if self.found.len() > KEPT {
            // The oldest filter but the unfiltered rows: each kept one still extends the
            // one below it.
            self.found.remove(1);
        }
        self.found.push((needle, rows.clone()));
        rows
    }
}

impl<K> Narrowing<K> {
    /// The bytes of record text kept for searching (wiped when dropped).
    pub fn text_bytes(&self) -> usize {
        self.text.as_ref().map_or(0, |t| t.bytes.len())
    }
}

/// Every incident's searched fields and its people's references, folded (`fold`), each
/// field ended by a NUL: an ASCII filter without a NUL then finds in it exactly what
/// `incident_matches` finds field by field, since a match cannot run across a NUL. Folded
/// once when made, so each keystroke is one byte search.
/// It is a copy of record text, so it is wiped when dropped, as the records are.
#[derive(Clone)]
struct SearchText {
    bytes: zeroize::Zeroizing<Vec<u8>>,
    /// Where each incident's text starts, and the end of the last.
    starts: Vec<usize>,
}

impl std::fmt::Debug for SearchText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchText({} bytes)", self.bytes.len())
    }
}

impl SearchText {
    fn of(book: &Logbook) -> SearchText {
        let mut bytes = zeroize::Zeroizing::new(Vec::new());
        let mut starts = Vec::with_capacity(book.incidents.len() + 1);
        for i in &book.incidents {
            starts.push(bytes.len());
            let mut field = |s: &str| {
                if s.is_ascii() {
                    bytes.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
                } else {
                    // Folded as the needle is; an ASCII needle cannot match inside the
                    // bytes of a letter left unfolded (they are all above 0x7f).
                    bytes.extend(fold(s).bytes());
                }
                bytes.push(0);
            };
            field(&i.id);
            field(&i.platform);
            i.types.iter().for_each(|t| field(t.label()));
            for p in &i.people {
                field(&p.person);
                // The person's reference too (an incident is found by its people's
                // references, see `people_named`); a reference changed is an audited
                // change, after which this text is made again.
                if let Some(person) = book.person(&p.person) {
                    field(&person.reference);
                }
            }
            for r in &i.reports {
                field(r.agency.label());
                field(&r.agency_name);
                field(&r.reference);
            }
            field(&i.description);
        }
        starts.push(bytes.len());
        SearchText { bytes, starts }
    }

    fn of_incident(&self, n: usize) -> Option<&[u8]> {
        let (start, end) = (*self.starts.get(n)?, *self.starts.get(n + 1)?);
        self.bytes.get(start..end)
    }
}

/// Identifies the logbook's records as they stand: every change goes through the audited
/// operations (`model::ops`), which move the trail's head and put the changed record in
/// a new allocation; a record replaced or removed otherwise changes the counts or the
/// addresses. (Only a record edited in place through `Shared`'s `DerefMut` outside those
/// operations, which tests alone do, would go unseen.)
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fingerprint {
    head: super::audit::Head,
    incidents: usize,
    people: usize,
    /// A hash of where each record lives.
    records: u64,
}

impl Fingerprint {
    fn of(book: &Logbook) -> Fingerprint {
        // A multiply-and-rotate mix: quick over 75,000 addresses, and a change to any of
        // them almost surely changes the result (the head and counts are compared too).
        let mut h: u64 = 0;
        let mut mix = |addr: usize| {
            h = (h ^ addr as u64)
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .rotate_left(29);
        };
        book.incidents
            .iter()
            .for_each(|i| mix(std::ptr::from_ref::<Incident>(i).addr()));
        book.people
            .iter()
            .for_each(|p| mix(std::ptr::from_ref::<Person>(p).addr()));
        Fingerprint {
            head: book.head(),
            incidents: book.incidents.len(),
            people: book.people.len(),
            records: h,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Shared, Stamp};

    #[test]
    fn the_filter_finds_text_in_any_case_as_a_plain_search_does() {
        let hay = [
            "",
            "Snapchat",
            "sNAPCHAT group",
            "JB (Y9) and jb",
            "a\u{e9}b SNAP",
            "xx Sn",
            "SSSnap",
            "\u{1f600}snap\u{2028}",
            "Extra text, quiz 2025-01",
            "e",
            "ex",
        ];
        let needles = [
            "", "s", "snap", "snapchat", "jb (y9)", "p", "xx sn", "q", "(", "ssnap", "ex", "e",
            "2025-0", "quiz", " ", "t, q", "x",
        ];
        for h in hay {
            for n in needles {
                assert_eq!(
                    contains_ignore_case(h, n),
                    fold(h).contains(n),
                    "{h:?} {n:?}"
                );
            }
        }
        assert!(contains_ignore_case("\u{c9}COLE", "\u{e9}cole"));
        // The Kelvin sign lower-cases to "k".
        assert!(contains_ignore_case("\u{212a}", "k"));
        assert!(contains_ignore_case("\u{212a}\u{e9}", "k\u{e9}"));
    }

    /// Tester2 #42: a DSL typing plain letters on a UK keyboard found nothing for "chloe",
    /// "malaga" or "zoe".
    #[test]
    fn filters_ignore_accents_as_well_as_case() {
        for (hay, needle) in [
            ("Chlo\u{e9}_xx (online account)", "chloe"),
            ("from M\u{e1}laga", "malaga"),
            ("Zo\u{eb} \u{141}.", "zoe"),
            ("Zo\u{eb} \u{141}.", "zoe l"),
            ("Zo\u{eb} \u{141}.", "l"),
            ("Zoe L.", "zo\u{eb} \u{142}"),
            ("Stra\u{df}e", "strasse"),
            ("Chloe\u{301}", "chlo\u{e9}"),
            ("CHLO\u{c9}", "chlo\u{e9}"),
        ] {
            assert!(contains_ignore_case(hay, needle), "{hay:?} {needle:?}");
        }
        assert!(!contains_ignore_case("Chlo\u{e9}", "chloa"));
        assert_eq!(fold("Zo\u{eb} \u{141}. M\u{c1}LAGA"), "zoe l. malaga");
        // The people register and the incident list fold the same way.
        let now = crate::demo::demo_now();
        let mut book = crate::demo::generate(30, 3, now).unwrap();
        let stamp = Stamp::new(
            "RO",
            chrono::DateTime::parse_from_rfc3339("2026-11-16T09:00:00+00:00").unwrap(),
        );
        let id = book.incidents[5].id.clone();
        book.update_incident(&stamp, &id, "edited", |i| {
            i.description = "Messages from an account in M\u{e1}laga".into();
        })
        .unwrap();
        let mut kept = Narrowing::default();
        for typed in ["m", "ma", "mal", "mala", "malag", "malaga", "M\u{c1}LAGA"] {
            let rows = kept.rows(&book, (), typed, || (0..book.incidents.len()).collect());
            assert_eq!(rows, full_scan(&book, typed), "{typed:?}");
        }
        assert_eq!(kept.rows(&book, (), "malaga", || unreachable!()), vec![5]);
        let mut zoe: Person = Shared::get(&book.people[0]).clone();
        zoe.reference = "Zo\u{eb} \u{141}.".into();
        assert!(person_matches(&zoe, "zoe"));
        assert!(person_matches(&zoe, "zoe l"));
    }

    fn full_scan(book: &Logbook, filter: &str) -> Vec<usize> {
        let needle = filter.to_lowercase();
        let people = people_named(book, &needle);
        (0..book.incidents.len())
            .filter(|n| {
                needle.is_empty() || incident_matches(&book.incidents[*n], &needle, &people)
            })
            .collect()
    }

    #[test]
    fn narrowing_finds_what_a_full_search_finds_while_typing_and_deleting() {
        let now = crate::demo::demo_now();
        let mut book = crate::demo::generate(300, 7, now).unwrap();
        // A description only a non-ASCII filter finds through lower-casing.
        let stamp = Stamp::new(
            "RO",
            chrono::DateTime::parse_from_rfc3339("2026-11-16T09:00:00+00:00").unwrap(),
        );
        let id = book.incidents[3].id.clone();
        book.update_incident(&stamp, &id, "edited", |i| {
            i.description = "Seen at the \u{212a}\u{e9}bab shop".into();
            i.platform = "Email".into();
        })
        .unwrap();
        let mut kept = Narrowing::default();
        let typed = [
            "",
            "s",
            "sn",
            "sna",
            "snap",
            "sna",
            "sn",
            "s",
            "",
            "INC",
            "inc-2",
            "INC-20",
            "p",
            "p-0",
            "P-00",
            "p-001",
            "p-00",
            "aa",
            "aa (",
            "re",
            "ref",
            "ref0",
            "refx",
            "ref",
            "e",
            "ex",
            "ext",
            "k",
            "k\u{e9}",
            "k\u{e9}b",
            "k\u{e9}",
            "k",
            "ke",
            "keb",
            "kebab",
            "k\u{c9}bab",
            "k",
            "",
            "q",
            "",
            "police",
            "polic",
            "pol",
            "snapchat",
            "snapchatt",
            "x",
            "0001snapchat",
            "1\0s",
            "\0",
            "",
            "snapchat",
        ];
        for text in typed {
            let rows = kept.rows(&book, (), text, || (0..book.incidents.len()).collect());
            assert_eq!(rows, full_scan(&book, text), "{text:?}");
        }
        assert_eq!(full_scan(&book, "k\u{e9}bab"), vec![3]);
        // Accents and the Kelvin sign folded: the plain letters find it too.
        assert_eq!(full_scan(&book, "kebab"), vec![3]);
        assert!(full_scan(&book, "k").contains(&3));
    }

    #[test]
    fn kept_results_are_dropped_when_the_logbook_or_the_key_changes() {
        let now = crate::demo::demo_now();
        let mut book = crate::demo::generate(50, 3, now).unwrap();
        let mut kept = Narrowing::default();
        let all = |b: &Logbook| (0..b.incidents.len()).collect::<Vec<_>>();
        assert!(kept.rows(&book, 1, "zebra", || all(&book)).is_empty());
        let stamp = Stamp::new(
            "RO",
            chrono::DateTime::parse_from_rfc3339("2026-11-16T09:00:00+00:00").unwrap(),
        );
        let id = book.incidents[10].id.clone();
        book.update_incident(&stamp, &id, "edited", |i| {
            i.description = "A Zebra crossing".into()
        })
        .unwrap();
        assert_eq!(kept.rows(&book, 1, "zebra", || all(&book)), vec![10]);
        // A changed key recomputes the unfiltered rows, even for the same logbook.
        assert_eq!(kept.rows(&book, 2, "", || vec![10, 2]), vec![10, 2]);
        assert_eq!(kept.rows(&book, 2, "zeb", || unreachable!()), vec![10]);
        // A record replaced without an audited change (as tests do) is seen too.
        let mut replaced = (*book.incidents[2]).clone();
        replaced.description = "zebra".into();
        book.incidents[2] = Shared::new(replaced);
        assert_eq!(kept.rows(&book, 2, "zeb", || vec![10, 2]), vec![10, 2]);
    }
}
