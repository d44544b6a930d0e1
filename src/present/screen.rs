//! An incident as the app's incident screen shows it: each section's rows (one entry per
//! item, with continuation rows) and the full text of one entry, for its pop-up.
//!
//! Plain data, like the rest of `present`: the text is the logbook's own, unescaped; the tui
//! escapes it, styles each row by its `Kind` and words each `Next` with the key that does it
//! (keys belong to the keymap, not here).

use chrono::NaiveDate;

use super::*;
use crate::reference::Reference;

/// How a row stands out; the screen picks the style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An entry's own line, or a fact.
    Plain,
    /// A heading inside a section ("What happened").
    Heading,
    /// The record's free text, which may run over several lines.
    Text,
    /// A secondary line under an entry (where evidence is kept, a change in the history).
    Detail,
    /// An entry marked entered in error: still shown, struck through.
    Struck,
    /// Why an item was marked entered in error.
    ErrorNote,
    /// Needs doing now, or the whole incident is in error: a review overdue on an open case.
    Alert,
}

/// What the reader can do next from this row; the screen adds the key that does it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// A review not yet held: record it as held.
    HoldReview,
    /// A reference awaited from an agency: add it when it arrives.
    AddReference,
    /// A person: their chronology across incidents.
    Chronology,
    /// An open checklist step: tick it or set it aside.
    TickStep,
    /// An entry with more than the row shows: open it.
    Open,
}

/// One row of a section or of an entry's full text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The section's item this row belongs to (for selection); None for the section's own
    /// text, which cannot be selected.
    pub item: Option<usize>,
    /// A fact's label ("Happened"), shown beside the text.
    pub label: Option<&'static str>,
    pub text: String,
    pub kind: Kind,
    pub next: Option<Next>,
}

impl Row {
    fn new(item: Option<usize>, text: impl Into<String>, kind: Kind) -> Row {
        Row {
            item,
            label: None,
            text: text.into(),
            kind,
            next: None,
        }
    }

    fn labelled(label: &'static str, text: impl Into<String>) -> Row {
        Row {
            label: Some(label),
            ..Row::new(None, text, Kind::Plain)
        }
    }

    fn blank() -> Row {
        Row::new(None, "", Kind::Plain)
    }

    fn then(mut self, next: Next) -> Row {
        self.next = Some(next);
        self
    }
}

/// An entry's headline, struck through when it was entered in error.
fn headline(n: usize, text: String, error: &Option<EnteredInError>) -> Row {
    let kind = if error.is_some() {
        Kind::Struck
    } else {
        Kind::Plain
    };
    Row::new(Some(n), text, kind)
}

/// The error note under an entry marked as a mistake, indented under its headline.
fn error_note(item: Option<usize>, error: &Option<EnteredInError>, kind: Kind) -> Option<Row> {
    in_error(error).map(|note| Row::new(item, format!("    {note}"), kind))
}

/// The rows of one section of an incident, in the screen's order. An empty section has no
/// rows: the screen says how to add the first item.
pub fn section(book: &Logbook, inc: &Incident, section: Section, today: NaiveDate) -> Vec<Row> {
    let mut out = Vec::new();
    match section {
        Section::Summary => {
            for l in summary(inc, today) {
                out.push(Row::labelled(l.label, l.value));
            }
            let text = |out: &mut Vec<Row>, heading: String, body: &str| {
                out.push(Row::blank());
                out.push(Row::new(None, heading, Kind::Heading));
                out.push(Row::new(None, body, Kind::Text));
            };
            text(&mut out, "What happened".into(), &inc.description);
            if !inc.immediate_action.is_empty() {
                text(&mut out, "Immediate action".into(), &inc.immediate_action);
            }
            if let Some(c) = &inc.closure {
                text(&mut out, closed(c), &c.outcome);
            }
            // What is still owed, as `show` and the exports list it (the model's one rule,
            // `Incident::owed`): the steps, and the follow-ups and references owed by the
            // agencies. Reviews are in the facts above ("Next review").
            let owed: Vec<(Section, String, String)> = owed(inc, today)
                .into_iter()
                .filter(|(section, ..)| *section != Section::Reviews)
                .collect();
            if !owed.is_empty() && inc.status != Status::Closed {
                out.push(Row::blank());
                out.push(Row::new(
                    None,
                    format!("Still to do ({})", owed.len()),
                    Kind::Heading,
                ));
                for (section, what, state) in owed {
                    let text = match section {
                        Section::Checklist => format!("  [ ] {}", step_of(&state)),
                        _ => format!("  {what}: {state}"),
                    };
                    out.push(Row::new(None, text, Kind::Plain));
                }
            }
            out.extend(error_note(None, &inc.error, Kind::Alert));
        }
        Section::People => {
            for (n, p) in people(book, inc).into_iter().enumerate() {
                let text = if p.age_group.is_some() {
                    format!(
                        "{}  {:<28} {:<20} {}",
                        p.id,
                        p.reference,
                        p.role.label(),
                        p.group()
                    )
                } else {
                    format!("{}  {}", p.id, p.role.label())
                };
                out.push(Row::new(Some(n), text, Kind::Plain));
            }
        }
        Section::Evidence => {
            for (n, e) in inc.evidence.iter().enumerate() {
                out.push(headline(
                    n,
                    format!(
                        "{}  {:<12} {}  {}",
                        e.id,
                        e.kind.label(),
                        when(e.captured),
                        first_line(&e.description)
                    ),
                    &e.error,
                ));
                for l in more_lines(&e.description) {
                    out.push(Row::new(Some(n), format!("    {l}"), Kind::Text));
                }
                // Where it was kept, and after a custody event ("handed to police") the
                // latest one: the place it was first kept alone no longer says where it is.
                for (label, place) in kept(e) {
                    out.push(Row::new(
                        Some(n),
                        format!("    {label}: {place}"),
                        Kind::Detail,
                    ));
                }
                if let Some(f) = &e.file {
                    out.push(Row::new(
                        Some(n),
                        format!("    file: {}", fingerprint(f, true)),
                        Kind::Detail,
                    ));
                }
                if e.imagery_copy {
                    out.push(Row::new(Some(n), format!("    {COPY_MARK}"), Kind::Alert));
                }
                out.extend(error_note(Some(n), &e.error, Kind::ErrorNote));
            }
        }
        Section::Reporting => {
            for (n, r) in inc.reports.iter().enumerate() {
                let detail = match r.decision {
                    Decision::Referred if r.reference.is_empty() && r.reference_awaited => {
                        "reference AWAITED".to_string()
                    }
                    Decision::Referred if r.reference.is_empty() => "no reference".to_string(),
                    // Flagged, not refused: a reference not in the agency's stated format.
                    Decision::Referred if r.reference_warning().is_some() => {
                        format!("ref {} (check format)", r.reference)
                    }
                    Decision::Referred => format!("ref {}", r.reference),
                    Decision::NotReferred => format!("reason: {}", r.reason),
                };
                let owed = if r.follow_up_owed {
                    "  follow-up owed"
                } else {
                    ""
                };
                let late = if r.lateness(inc.reported).is_some() {
                    "  LATE"
                } else {
                    ""
                };
                // The date first, as in every other list: a fixed width that lines the
                // agencies up and that a narrow screen never splits from its time.
                out.push(headline(
                    n,
                    format!(
                        "{}  {}  {:<22} {}  {detail}{owed}{late}",
                        r.id,
                        when(r.when),
                        r.agency_words(),
                        r.decision.label(),
                    ),
                    &r.error,
                ));
                out.extend(error_note(Some(n), &r.error, Kind::ErrorNote));
            }
        }
        Section::Reviews => {
            for (n, r) in inc.reviews.iter().enumerate() {
                let title = review_title(r, inc, today);
                let row = if r.held.is_some() {
                    headline(n, format!("{}  {title}  {}", r.id, r.outcome), &r.error)
                } else if review_overdue(r, inc, today) {
                    Row::new(Some(n), format!("{}  {title}", r.id), Kind::Alert)
                } else {
                    headline(n, format!("{}  {title}", r.id), &r.error)
                };
                let pending = review_owed(r, inc);
                out.push(if pending {
                    row.then(Next::HoldReview)
                } else {
                    row
                });
                out.extend(error_note(Some(n), &r.error, Kind::ErrorNote));
            }
        }
        Section::Checklist => {
            for (n, c) in inc.checklist.iter().enumerate() {
                let state = checklist_state(&c.state);
                // The box first, so it never wraps onto a row of its own.
                let (mark, detail) = state.split_at(3);
                out.push(Row::new(
                    Some(n),
                    format!("{mark} {} {detail}", c.step),
                    Kind::Plain,
                ));
                // A tick taken back is listed under the step, with its mark (tester4 #22).
                for st in &c.struck {
                    out.push(Row::new(
                        Some(n),
                        format!("    {}", struck_step(st)),
                        Kind::ErrorNote,
                    ));
                }
            }
        }
        Section::History => {
            const SHOWN: usize = 3;
            for (n, e) in history(book, inc).enumerate() {
                out.push(Row::new(
                    Some(n),
                    format!("#{:<5} {}  {:<6} {}", e.seq, at(&e.at), e.by, e.action),
                    Kind::Plain,
                ));
                // A checklist step is named once, above its changes.
                let mut last = None;
                for c in e.changes.iter().take(SHOWN) {
                    let (old, new) =
                        marked_change(&stored(&c.field, &c.old), &stored(&c.field, &c.new));
                    let name = match step_field(inc, &c.field) {
                        Some((step, rest)) if !rest.is_empty() => {
                            if last.as_ref() != Some(&step) {
                                out.push(Row::new(
                                    Some(n),
                                    format!("        {step}:"),
                                    Kind::Detail,
                                ));
                                last = Some(step);
                            }
                            format!("  {rest}")
                        }
                        _ => field(inc, &c.field),
                    };
                    out.push(Row::new(
                        Some(n),
                        format!("        {name}: {} -> {}", short(&old), short(&new)),
                        Kind::Detail,
                    ));
                }
                if e.changes.len() > SHOWN {
                    out.push(
                        Row::new(
                            Some(n),
                            format!("        ... {} more", e.changes.len() - SHOWN),
                            Kind::Detail,
                        )
                        .then(Next::Open),
                    );
                }
            }
        }
    }
    out
}

/// A checklist step's words from its "still to do" state ("<step> (not yet done)").
fn step_of(state: &str) -> &str {
    state.strip_suffix(" (not yet done)").unwrap_or(state)
}

/// The full text of one entry of a section, for its pop-up: a title and rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub title: String,
    pub rows: Vec<Row>,
}

/// The entry `selected` of a section in full (None for the summary, which is already in
/// full, or when there is no such entry).
pub fn entry(book: &Logbook, inc: &Incident, section: Section, selected: usize) -> Option<Opened> {
    let mut rows = Vec::new();
    let mut fact = |label, value: String| rows.push(Row::labelled(label, value));
    let title = match section {
        Section::Summary => return None,
        Section::People => {
            let inv = inc.people.get(selected)?;
            let p = book.person(&inv.person)?;
            fact("Reference", p.reference.clone());
            fact("Age group", p.age_group.label().into());
            fact(
                "Year of birth",
                p.birth_year
                    .map_or_else(|| "not recorded".into(), |y| y.to_string()),
            );
            fact("Role here", inv.role.label().into());
            let count = book
                .incidents
                .iter()
                .filter(|x| x.people.iter().any(|y| y.person == p.id))
                .count();
            fact("Incidents", count.to_string());
            rows.push(Row::blank());
            rows.push(Row::new(None, p.notes.clone(), Kind::Text));
            rows.push(Row::blank());
            rows.push(Row::new(None, "", Kind::Plain).then(Next::Chronology));
            p.id.clone()
        }
        Section::Evidence => {
            let e = inc.evidence.get(selected)?;
            fact("Kind", e.kind.label().into());
            rows.push(Row {
                label: Some("Description"),
                ..Row::new(None, e.description.clone(), Kind::Text)
            });
            let mut fact = |label, value: String| rows.push(Row::labelled(label, value));
            fact("Source", e.source.clone());
            fact(
                "Captured",
                format!("{} by {}", when(e.captured), e.captured_by),
            );
            fact(
                if e.custody.is_empty() {
                    "Kept at"
                } else {
                    "First kept at"
                },
                e.kept_at.clone(),
            );
            if let Some(f) = &e.file {
                fact("File", fingerprint(f, false));
            }
            if e.imagery_copy {
                rows.push(Row::new(None, COPY_MARK, Kind::Alert));
            }
            for c in &e.custody {
                rows.push(Row::new(
                    None,
                    format!("Custody {}: {}{}", when(c.when), c.event, custody_ref(c)),
                    Kind::Plain,
                ));
            }
            in_error_block(&mut rows, &e.error);
            format!("{} {}", inc.id, e.id)
        }
        Section::Reporting => {
            let r = inc.reports.get(selected)?;
            let info = Reference::get().agency(r.agency);
            fact("Agency", info.name.to_string());
            fact("Decision", r.decision.label().into());
            fact("When", format!("{} by {}", when(r.when), r.by));
            fact("How", r.method.map_or("", |m| m.label()).into());
            if let Some(late) = r.lateness(inc.reported) {
                rows.push(Row::new(None, format!("Timescale: {late}"), Kind::Alert));
            }
            if !r.delay_reason.is_empty() {
                rows.push(Row {
                    label: Some("Reason for delay"),
                    ..Row::new(None, r.delay_reason.clone(), Kind::Text)
                });
            }
            if r.reference.is_empty() && r.reference_awaited {
                rows.push(
                    Row::labelled(
                        "Reference",
                        format!("awaited (since {})", date(r.when.date())),
                    )
                    .then(Next::AddReference),
                );
            } else {
                rows.push(Row::labelled("Reference", r.reference.clone()));
                if let Some(w) = r.reference_warning() {
                    rows.push(Row::new(None, w, Kind::Alert));
                }
            }
            rows.push(Row::labelled("Contact", r.contact.clone()));
            rows.push(Row {
                label: Some("Outcome"),
                ..Row::new(None, r.outcome.clone(), Kind::Text)
            });
            rows.push(Row::labelled(
                "Follow-up owed",
                if r.follow_up_owed { "yes" } else { "no" },
            ));
            if !r.reason.is_empty() {
                rows.push(Row {
                    label: Some("Reason"),
                    ..Row::new(None, r.reason.clone(), Kind::Text)
                });
            }
            rows.push(Row::blank());
            rows.push(Row::new(
                None,
                format!("{}: {} {}", info.name, info.phone, info.web),
                Kind::Plain,
            ));
            in_error_block(&mut rows, &r.error);
            format!("{} {}", inc.id, r.id)
        }
        Section::Reviews => {
            let r = inc.reviews.get(selected)?;
            fact("Due", date(r.due));
            // Each move, with its reason (tester4 #21).
            for m in &r.moves {
                fact(
                    "Moved",
                    review_move(m).trim_start_matches("moved ").to_string(),
                );
            }
            let held = match (&r.held, &r.cancelled) {
                (Some(t), _) => when(*t),
                (None, Some(c)) => format!("no: {}", cancelled(c)),
                (None, None) if inc.status == Status::Closed => "no: the case was closed".into(),
                (None, None) => "not yet".into(),
            };
            fact("Held", held);
            fact("By", r.by.clone());
            fact("Risk now", r.risk_now.map_or("", |x| x.label()).into());
            fact("Decision", r.decision.map_or("", |d| d.label()).into());
            fact("Next review", r.next_review.map_or_else(String::new, date));
            rows.push(Row::blank());
            rows.push(Row::new(None, r.outcome.clone(), Kind::Text));
            format!("{} {}", inc.id, r.id)
        }
        Section::Checklist => {
            let c = inc.checklist.get(selected)?;
            rows.push(Row::new(None, c.step.clone(), Kind::Plain));
            rows.push(Row::blank());
            rows.push(match &c.state {
                StepState::Open => Row::new(None, "Open:", Kind::Plain).then(Next::TickStep),
                StepState::Done { by, when: t } => {
                    Row::new(None, format!("Done {} by {by}", when(*t)), Kind::Plain)
                }
                StepState::NotApplicable {
                    by,
                    when: t,
                    reason,
                } => Row::new(
                    None,
                    format!("Not applicable ({} by {by}): {reason}", when(*t)),
                    Kind::Plain,
                ),
            });
            // Each tick taken back, struck with its mark (tester4 #22).
            for st in &c.struck {
                rows.push(Row::blank());
                rows.push(Row::new(None, struck_step(st), Kind::ErrorNote));
            }
            "Checklist step".to_string()
        }
        Section::History => {
            let e = history(book, inc).nth(selected)?;
            rows.push(Row::new(
                None,
                format!("{} by {}", exact(&e.at), e.by),
                Kind::Plain,
            ));
            rows.push(Row::new(None, e.action.clone(), Kind::Plain));
            rows.push(Row::blank());
            for c in &e.changes {
                let (old, new) =
                    marked_change(&stored(&c.field, &c.old), &stored(&c.field, &c.new));
                let none = |v: String| if v.is_empty() { "(none)".into() } else { v };
                rows.push(Row::new(None, field(inc, &c.field), Kind::Plain));
                rows.push(Row::new(None, format!("  was: {}", none(old)), Kind::Text));
                rows.push(Row::new(None, format!("  now: {}", none(new)), Kind::Text));
            }
            rows.push(Row::blank());
            rows.push(Row::new(
                None,
                format!("State SHA-256: {}", e.state),
                Kind::Plain,
            ));
            rows.push(Row::new(
                None,
                format!("Entry hash: {}", e.hash),
                Kind::Plain,
            ));
            format!("Audit entry #{}", e.seq)
        }
    };
    Some(Opened { title, rows })
}

fn in_error_block(rows: &mut Vec<Row>, error: &Option<EnteredInError>) {
    if let Some(note) = in_error(error) {
        rows.push(Row::blank());
        rows.push(Row::new(None, note, Kind::Plain));
    }
}

/// A changed value cut to 40 characters around its marked change, quoted.
pub fn short(value: &str) -> String {
    if value.is_empty() {
        return "(none)".into();
    }
    let chars: Vec<char> = value.chars().collect();
    let mark = chars.iter().position(|c| *c == '⟦').unwrap_or(0);
    // Twelve characters before the change, but no later than needed to fill the 40 shown:
    // a short value (a date) is shown whole, never cut in front.
    let start = mark.saturating_sub(12).min(chars.len().saturating_sub(40));
    let mut s: String = chars.iter().skip(start).take(40).collect();
    if start > 0 {
        s.insert(0, '…');
    }
    if chars.len() > start + 40 {
        s.push('…');
    }
    format!("\"{s}\"")
}

/// Old and new values with the span that differs marked ⟦like this⟧: a change in the middle
/// of a long text, or one between characters that escape alike, can be seen rather than
/// shown as two identical values. (The marks are not escaped, so escaping the result is the
/// same as escaping each part.)
pub fn marked_change(old: &str, new: &str) -> (String, String) {
    let o: Vec<char> = old.chars().collect();
    let n: Vec<char> = new.chars().collect();
    let prefix = o.iter().zip(&n).take_while(|(a, b)| a == b).count();
    let room = o.len().min(n.len()) - prefix;
    let suffix = o
        .iter()
        .rev()
        .zip(n.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    let show = |v: &[char]| -> String {
        // A value replaced whole needs no mark; one changed in part shows where.
        if v.is_empty() || o == n || prefix + suffix == 0 {
            return v.iter().collect();
        }
        let part = |p: &[char]| p.iter().collect::<String>();
        format!(
            "{}⟦{}⟧{}",
            part(&v[..prefix]),
            part(&v[prefix..v.len() - suffix]),
            part(&v[v.len() - suffix..])
        )
    };
    (show(&o), show(&n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::line;

    fn demo() -> (Logbook, NaiveDate) {
        (
            crate::demo::logbook().unwrap(),
            crate::demo::demo_now().date(),
        )
    }

    #[test]
    fn the_span_that_changed_is_marked_and_shown_in_a_long_value() {
        let old = format!("{} the boy was 12 \u{200f}", "x".repeat(60));
        let new = format!("{} the boy was 13 \u{200f}", "x".repeat(60));
        let (o, n) = marked_change(&old, &new);
        // Escaped after marking, the marks stand where the escaped text changed.
        assert!(line(&o).ends_with("was 1⟦2⟧ \\u{200f}"), "{o}");
        assert!(line(&n).ends_with("was 1⟦3⟧ \\u{200f}"), "{n}");
        // The list line shows the change, not the 40 identical characters before it.
        assert!(short(&n).contains("⟦3⟧"), "{}", short(&n));
        let (o, n) = marked_change("same", "same");
        assert_eq!((o.as_str(), n.as_str()), ("same", "same"));
        let (o, n) = marked_change("Open", "Done");
        assert_eq!((o.as_str(), n.as_str()), ("Open", "Done"));
    }

    /// Tester finding 23: a staff concern taken in as evidence keeps its own lines, which
    /// the Evidence tab showed as a literal "\n".
    #[test]
    fn a_multi_line_evidence_description_is_shown_as_lines() {
        let (mut book, today) = demo();
        let inc = book
            .incidents
            .iter_mut()
            .find(|i| !i.evidence.is_empty())
            .unwrap();
        inc.evidence[0].description = "AB told me.\nWhen: 2026-11-29 21:15\nWhere: WhatsApp".into();
        let inc = inc.clone();
        let rows = section(&book, &inc, Section::Evidence, today);
        let texts: Vec<&str> = rows
            .iter()
            .filter(|r| r.item == Some(0))
            .map(|r| r.text.as_str())
            .collect();
        assert!(texts[0].ends_with("AB told me."), "{texts:?}");
        assert!(texts.contains(&"    When: 2026-11-29 21:15"), "{texts:?}");
        assert!(texts.contains(&"    Where: WhatsApp"), "{texts:?}");
        assert!(texts.iter().all(|t| !t.contains('\n')));
    }

    #[test]
    fn every_item_of_a_section_has_rows_and_the_summary_none_selectable() {
        let (book, today) = demo();
        for inc in &book.incidents {
            assert!(
                section(&book, inc, Section::Summary, today)
                    .iter()
                    .all(|r| r.item.is_none())
            );
            for (s, len) in [
                (Section::People, inc.people.len()),
                (Section::Evidence, inc.evidence.len()),
                (Section::Reporting, inc.reports.len()),
                (Section::Reviews, inc.reviews.len()),
                (Section::Checklist, inc.checklist.len()),
            ] {
                let rows = section(&book, inc, s, today);
                for n in 0..len {
                    assert!(
                        rows.iter().any(|r| r.item == Some(n)),
                        "{} {s:?} {n}",
                        inc.id
                    );
                    assert!(entry(&book, inc, s, n).is_some(), "{} {s:?} {n}", inc.id);
                }
                assert!(rows.iter().all(|r| r.item.is_some_and(|n| n < len)));
                assert!(entry(&book, inc, s, len).is_none());
            }
        }
    }

    #[test]
    fn an_overdue_review_is_an_alert_that_offers_to_hold_it_and_a_cancelled_one_is_not() {
        let (mut book, today) = demo();
        let inc = book
            .incidents
            .iter_mut()
            .find(|i| i.is_overdue(today))
            .unwrap();
        let n = inc
            .reviews
            .iter()
            .position(|r| review_overdue(r, inc, today))
            .unwrap();
        let inc = inc.clone();
        let rows = section(&book, &inc, Section::Reviews, today);
        let row = rows.iter().find(|r| r.item == Some(n)).unwrap();
        assert_eq!(row.kind, Kind::Alert);
        assert_eq!(row.next, Some(Next::HoldReview));
        assert!(row.text.contains("not yet held  OVERDUE"), "{}", row.text);

        let mut inc = inc;
        inc.reviews[n].cancelled = Some(EnteredInError {
            when: crate::demo::demo_now(),
            by: "RO".into(),
            reason: "moved to the annual review".into(),
        });
        let rows = section(&book, &inc, Section::Reviews, today);
        let row = rows.iter().find(|r| r.item == Some(n)).unwrap();
        assert_eq!(row.kind, Kind::Plain);
        assert_eq!(row.next, None);
        assert!(row.text.contains("cancelled"), "{}", row.text);
        assert!(!row.text.contains("OVERDUE"), "{}", row.text);
        book.incidents.clear();
    }

    #[test]
    fn a_review_not_held_on_a_closed_case_says_so_and_offers_nothing() {
        let (mut book, today) = demo();
        let overdue = book.incidents.iter().find(|i| i.is_overdue(today)).unwrap();
        let id = overdue.id.clone();
        let stamp = crate::model::Stamp::new(
            "RO",
            chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:00+00:00").unwrap(),
        );
        book.close_case(&stamp, &id, "Resolved with parents", true)
            .unwrap();
        let inc = book.incident(&id).unwrap().clone();
        let rows = section(&book, &inc, Section::Reviews, today);
        let pending: Vec<&Row> = rows
            .iter()
            .filter(|r| r.text.contains("not held"))
            .collect();
        assert!(!pending.is_empty());
        for row in pending {
            assert!(
                row.text.contains("not held: case closed 2026-11-20"),
                "{}",
                row.text
            );
            assert!(!row.text.contains("OVERDUE") && !row.text.contains("not yet"));
            assert_eq!(row.next, None, "{}", row.text);
            assert_ne!(row.kind, Kind::Alert);
        }
    }

    #[test]
    fn an_item_in_error_is_struck_with_its_reason_under_it() {
        let (book, today) = demo();
        let mut inc = book.incidents[0].clone();
        let mut e = inc.evidence.first().cloned().expect("demo evidence");
        e.error = Some(EnteredInError {
            when: crate::demo::demo_now(),
            by: "RO".into(),
            reason: "wrong pupil".into(),
        });
        inc.evidence = vec![e];
        let rows = section(&book, &inc, Section::Evidence, today);
        assert_eq!(rows[0].kind, Kind::Struck);
        let note = rows.iter().find(|r| r.kind == Kind::ErrorNote).unwrap();
        assert!(note.text.contains("ENTERED IN ERROR") && note.text.ends_with("wrong pupil"));
        let opened = entry(&book, &inc, Section::Evidence, 0).unwrap();
        assert!(opened.rows.iter().any(|r| r.text.contains("wrong pupil")));
    }
}
