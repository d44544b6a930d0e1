//! Records that leave the logbook: an incident's chronology, a person's chronology and
//! anonymised statistics, as plain text, Markdown or one self-contained HTML page.
//!
//! Pure, like `model`: the export time comes in as an argument, and nothing here writes a
//! file; `cli::report` decides where a document may go (exports never leak by accident).

mod certificate;
pub mod doc;
mod incident;
mod person;
pub mod stats;
mod transfer;

use chrono::NaiveDateTime;

pub use certificate::certificate;
pub use doc::{BANNER, Doc};
pub use incident::incident;
pub use person::person;
pub use transfer::transfer;

use crate::model::{AgeGroup, Logbook};
use crate::present::{self, Line, Section};

/// The formats a document can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Md,
    Html,
    Txt,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Md => "Markdown",
            Format::Html => "HTML",
            Format::Txt => "plain text",
        }
    }

    pub fn render(self, doc: &Doc) -> String {
        match self {
            Format::Md => doc::markdown(doc),
            Format::Html => doc::html(doc),
            Format::Txt => doc::txt(doc),
        }
    }
}

/// Who exports, when, and what they chose to leave out.
#[derive(Debug, Clone)]
pub struct Export {
    pub by: String,
    pub at: NaiveDateTime,
    /// Sections left out.
    pub without: Vec<Section>,
    /// Other people are shown as "another pupil" etc.; `about` is the one person named.
    pub anonymise_others: bool,
    pub about: Option<String>,
    /// A person's chronology whose other people are named because the DSL asked
    /// (`--name-others`): the header says so.
    pub named_on_request: bool,
}

impl Export {
    pub fn new(by: impl Into<String>, at: NaiveDateTime) -> Export {
        Export {
            by: by.into(),
            at,
            without: Vec::new(),
            anonymise_others: false,
            about: None,
            named_on_request: false,
        }
    }

    /// What was left out, as the audit entry of an export words it: ", without
    /// evidence, other people anonymised" (empty when nothing was).
    pub fn selection(&self) -> String {
        let mut selection = String::new();
        if !self.without.is_empty() {
            let names: Vec<&str> = self.without.iter().map(|s| s.name()).collect();
            selection.push_str(&format!(", without {}", names.join(", ")));
        }
        if self.anonymise_others {
            selection.push_str(", other people anonymised");
        }
        if self.named_on_request {
            selection.push_str(", other people named (--name-others)");
        }
        selection
    }

    pub fn has(&self, section: Section) -> bool {
        !self.without.contains(&section)
    }

    /// The header's lines: organisation, who exported it and when, and the selection.
    fn meta(&self, book: &Logbook) -> Vec<Line> {
        let mut left_out: Vec<&str> = Section::ALL
            .iter()
            .filter(|s| !self.has(**s))
            .map(|s| s.name())
            .collect();
        left_out.dedup();
        let sections = if left_out.is_empty() {
            "all sections".to_string()
        } else {
            format!("left out: {}", left_out.join(", "))
        };
        let people = if self.anonymise_others {
            "other people shown only by role and age group. Replaced, wherever it stands as a \
whole word (free text included): each other person recorded in the logbook by their logbook \
id, their reference, its initials (two or more capitals, as written in the register) and a \
first name written \"First I.\". NOT replaced: usernames and handles, anyone not recorded as a \
person, initials written differently (other case, with dots) or inside a longer word or \
username. Check the free text before sending"
        } else if self.named_on_request {
            "everyone named by their logbook reference, other children included, as asked \
(--name-others): not for a parent"
        } else {
            "everyone named by their logbook reference"
        };
        vec![
            Line {
                label: "Organisation",
                value: book.settings.organisation.clone(),
            },
            Line {
                label: "Exported by",
                value: self.by.clone(),
            },
            Line {
                label: "Exported on",
                value: present::when(self.at),
            },
            Line {
                label: "Selection",
                value: format!("{sections}; {people}."),
            },
        ]
    }

    /// With `--anonymise-others`: replaces every other person's id and reference, wherever
    /// it appears in the document, by words for their age group.
    fn anonymise(&self, book: &Logbook, doc: &mut Doc, people: &[String]) {
        if !self.anonymise_others {
            return;
        }
        let swaps = self.swaps(book, people);
        doc.map_text(&|text: &str| apply(&swaps, text));
    }

    /// Each other person's id and reference (and its short form), longest first, with the
    /// words that replace it.
    fn swaps(&self, book: &Logbook, people: &[String]) -> Vec<(String, &'static str)> {
        let mut swaps: Vec<(String, &'static str)> = Vec::new();
        // The words of the reference of the person the export is about stay theirs, even
        // where another person shares them.
        let named: Vec<&str> = self
            .about
            .as_ref()
            .and_then(|id| book.person(id))
            .map(|p| p.reference.split_whitespace().collect())
            .unwrap_or_default();
        for id in people {
            if Some(id) == self.about.as_ref() {
                continue;
            }
            let Some(p) = book.person(id) else { continue };
            let words = another(p.age_group);
            swaps.push((p.id.clone(), words));
            let reference = p.reference.trim();
            // "Harvey J. (Y9)" is also written "Harvey J." in the record's own text.
            let short = reference.split(" (").next().unwrap_or(reference).trim();
            for name in [reference, short]
                .into_iter()
                .chain(first_name(short))
                .chain(initials(short))
            {
                if name.chars().count() >= 2 && !named.contains(&name) {
                    swaps.push((name.to_string(), words));
                }
            }
        }
        // Longest first, so "JB (Y9)" is replaced before "JB".
        swaps.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
        swaps
    }
}

/// The first name of a reference written "First I." (a first name and an initial), as the
/// record's own text often uses it alone: "Callum R." is also "Callum". Titles ("Ms D.")
/// and descriptions ("Volunteer coach T.") are not names.
fn first_name(short: &str) -> Option<&str> {
    let mut words = short.split_whitespace();
    let (first, initial) = (words.next()?, words.next()?);
    let is_initial = {
        let mut c = initial.chars();
        matches!((c.next(), c.next(), c.next()), (Some(l), Some('.'), None) if l.is_uppercase())
    };
    let is_name = first.chars().next().is_some_and(char::is_uppercase)
        && first.chars().all(char::is_alphabetic)
        && !["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr"].contains(&first);
    (words.next().is_none() && is_initial && is_name).then_some(first)
}

/// The initials in a reference as the record's own text uses them alone: "Mr GH" is also
/// "GH", "CD (Y9)" is "CD". Two or more capitals only: a lone letter is a word too often.
fn initials(short: &str) -> impl Iterator<Item = &str> {
    short.split_whitespace().filter(|w| {
        w.chars().count() >= 2 && w.chars().all(|c| c.is_uppercase() && c.is_alphabetic())
    })
}

fn apply(swaps: &[(String, &'static str)], text: &str) -> String {
    let mut out = text.to_string();
    for (from, to) in swaps {
        out = replace_words(&out, from, to);
    }
    out
}

/// A document sealed in memory as a standard age file (binary) that the given X25519
/// public keys open. `file` is where it will go, for the error message.
pub fn seal(
    keys: &[String],
    plain: &[u8],
    file: &std::path::Path,
) -> crate::error::Result<Vec<u8>> {
    use crate::error::Error;
    use std::io::Write as _;
    let recipients = crate::vault::parse_recipients(keys)?;
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|_| {
                Error::Usage("Give at least one recipient public key (age1...).".into())
            })?;
    let mut sealed = Vec::new();
    let mut writer = encryptor
        .wrap_output(&mut sealed)
        .map_err(|e| Error::io("encrypting", file, e))?;
    writer
        .write_all(plain)
        .and_then(|()| writer.finish().map(|_| ()))
        .map_err(|e| Error::io("encrypting", file, e))?;
    Ok(sealed)
}

/// How an anonymised person is named: by age group.
pub fn another(group: AgeGroup) -> &'static str {
    match group {
        AgeGroup::Child => "another pupil",
        AgeGroup::YoungPerson => "another young person",
        AgeGroup::AdultAtRisk => "another adult at risk",
        AgeGroup::Adult => "another adult",
        AgeGroup::Staff => "a member of staff",
        AgeGroup::Unknown => "another person",
    }
}

/// Replaces `from` in `text` where it stands as a whole word (not inside a longer word).
fn replace_words(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + from.len()..].chars().next();
        // An underscore joins a username ("GH_99"), which is not the person's initials.
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
        out.push_str(&rest[..at]);
        if boundary(before) && boundary(after) {
            // "another pupil" starting a sentence is "Another pupil".
            let prev = out.trim_end_matches([' ', '\t']);
            if prev.is_empty() || prev.ends_with(['.', '!', '?', '\n']) {
                let mut c = to.chars();
                out.extend(c.next().map(|f| f.to_ascii_uppercase()));
                out.push_str(c.as_str());
            } else {
                out.push_str(to);
            }
        } else {
            out.push_str(from);
        }
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_name_is_taken_from_first_name_and_initial_only() {
        assert_eq!(first_name("Callum R."), Some("Callum"));
        assert_eq!(first_name("Ms D."), None);
        assert_eq!(first_name("Volunteer coach T."), None);
        assert_eq!(first_name("JB"), None);
        assert_eq!(first_name("Unknown account 'x'"), None);
    }

    #[test]
    fn initials_are_taken_from_a_reference() {
        assert_eq!(initials("Mr GH").collect::<Vec<_>>(), ["GH"]);
        assert_eq!(initials("CD").collect::<Vec<_>>(), ["CD"]);
        assert_eq!(initials("Harvey J.").count(), 0);
        assert_eq!(initials("Ms D.").count(), 0);
    }

    /// Tester finding 27: "another young person provided screenshots" began sentences in
    /// a document sent to a parent.
    #[test]
    fn a_replacement_starting_a_sentence_has_a_capital() {
        assert_eq!(
            replace_words("JB said so. JB left.\nJB and JB", "JB", "another pupil"),
            "Another pupil said so. Another pupil left.\nAnother pupil and another pupil"
        );
    }

    #[test]
    fn whole_words_only_are_replaced() {
        assert_eq!(
            replace_words("GH_99 and GH.", "GH", "staff"),
            "GH_99 and staff."
        );
        assert_eq!(
            replace_words("JB and JBL told JB.", "JB", "another pupil"),
            "Another pupil and JBL told another pupil."
        );
    }
}

#[cfg(test)]
#[path = "tests.rs"]
pub(crate) mod snapshots;
