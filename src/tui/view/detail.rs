//! One incident: a header, the sections as tabs, and the selected section's entries.
//! Entries entered in error stay visible, struck through, with the reason.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Paragraph, Tabs, Wrap};

use crate::model::*;
use crate::reference::Reference;
use crate::text::{block as text_block, line};
use crate::tui::app::{App, Popup, Section};

fn when(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn struck(error: &Option<EnteredInError>) -> Style {
    if error.is_some() {
        Style::new().add_modifier(Modifier::CROSSED_OUT)
    } else {
        Style::new()
    }
}

fn error_line(error: &Option<EnteredInError>) -> Option<String> {
    error.as_ref().map(|e| {
        format!(
            "    entered in error {} by {}: {}",
            when(e.when),
            line(&e.by),
            line(&e.reason)
        )
    })
}

/// The lines of a section, one entry per item (with continuation lines), and which line
/// each entry starts on, for highlighting the selection.
fn section_lines(
    book: &Logbook,
    i: &Incident,
    section: Section,
    today: chrono::NaiveDate,
) -> Vec<(usize, Line<'static>)> {
    let mut out: Vec<(usize, Line<'static>)> = Vec::new();
    match section {
        Section::Summary => {
            let approx = if i.occurred_approximate {
                " (approximately)"
            } else {
                ""
            };
            let rows = [
                ("Happened", format!("{}{approx}", when(i.occurred))),
                (
                    "Reported",
                    format!("{} by {}", when(i.reported), line(&i.reported_by)),
                ),
                ("Recorded by", line(&i.recorded_by).into_owned()),
                (
                    "Types",
                    i.types
                        .iter()
                        .map(|t| t.label())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                (
                    "Risk",
                    format!("{} ({})", i.risk_level.label(), i.risk_area.label()),
                ),
                ("Platform", line(&i.platform).into_owned()),
                ("Related", i.related.join(", ")),
            ];
            for (k, v) in rows {
                out.push((
                    usize::MAX,
                    Line::from(vec![
                        Span::styled(format!("{k:<12} "), Style::new().bold()),
                        Span::raw(v),
                    ]),
                ));
            }
            out.push((usize::MAX, Line::raw("")));
            out.push((
                usize::MAX,
                Line::styled("What happened", Style::new().bold()),
            ));
            for l in text_block(&i.description).lines() {
                out.push((usize::MAX, Line::raw(l.to_string())));
            }
            if !i.immediate_action.is_empty() {
                out.push((usize::MAX, Line::raw("")));
                out.push((
                    usize::MAX,
                    Line::styled("Immediate action", Style::new().bold()),
                ));
                for l in text_block(&i.immediate_action).lines() {
                    out.push((usize::MAX, Line::raw(l.to_string())));
                }
            }
            if let Some(c) = &i.closure {
                out.push((usize::MAX, Line::raw("")));
                out.push((
                    usize::MAX,
                    Line::styled(
                        format!("Closed {} by {}", when(c.when), line(&c.by)),
                        Style::new().bold(),
                    ),
                ));
                out.push((usize::MAX, Line::raw(text_block(&c.outcome).into_owned())));
            }
            let open: Vec<&ChecklistItem> = i
                .checklist
                .iter()
                .filter(|c| c.state == StepState::Open)
                .collect();
            if !open.is_empty() && i.status != Status::Closed {
                out.push((usize::MAX, Line::raw("")));
                out.push((
                    usize::MAX,
                    Line::styled(
                        format!("Open checklist steps ({})", open.len()),
                        Style::new().bold(),
                    ),
                ));
                for c in open {
                    out.push((usize::MAX, Line::raw(format!("  [ ] {}", line(&c.step)))));
                }
            }
            if let Some(e) = error_line(&i.error) {
                out.push((usize::MAX, Line::styled(e, Style::new().red().bold())));
            }
        }
        Section::People => {
            for (n, inv) in i.people.iter().enumerate() {
                let text = match book.person(&inv.person) {
                    Some(p) => {
                        let born = p
                            .birth_year
                            .map_or_else(String::new, |y| format!(", born {y}"));
                        format!(
                            "{}  {:<28} {:<20} {}{born}",
                            p.id,
                            line(&p.reference),
                            inv.role.label(),
                            p.age_group.label()
                        )
                    }
                    None => format!("{}  {}", inv.person, inv.role.label()),
                };
                out.push((n, Line::raw(text)));
            }
            if i.people.is_empty() {
                out.push((
                    usize::MAX,
                    Line::raw("No one linked yet: p links a person.").dim(),
                ));
            }
        }
        Section::Evidence => {
            for (n, e) in i.evidence.iter().enumerate() {
                out.push((
                    n,
                    Line::styled(
                        format!(
                            "{}  {:<12} {}  {}",
                            e.id,
                            e.kind.label(),
                            when(e.captured),
                            line(&e.description)
                        ),
                        struck(&e.error),
                    ),
                ));
                out.push((
                    n,
                    Line::raw(format!("    kept at: {}", line(&e.kept_at))).dim(),
                ));
                if let Some(f) = &e.file {
                    let short: String = f.sha256.chars().take(16).collect();
                    out.push((
                        n,
                        Line::raw(format!("    file: {} bytes, SHA-256 {short}...", f.size)).dim(),
                    ));
                }
                if let Some(l) = error_line(&e.error) {
                    out.push((n, Line::styled(l, Style::new().red())));
                }
            }
            if i.evidence.is_empty() {
                out.push((
                    usize::MAX,
                    Line::raw("No evidence recorded: e adds an item.").dim(),
                ));
            }
        }
        Section::Reporting => {
            for (n, r) in i.reports.iter().enumerate() {
                let detail = match r.decision {
                    Decision::Referred if r.reference.is_empty() && r.reference_awaited => {
                        "reference AWAITED".to_string()
                    }
                    Decision::Referred if r.reference.is_empty() => "no reference".to_string(),
                    Decision::Referred => format!("ref {}", line(&r.reference)),
                    Decision::NotReferred => format!("reason: {}", line(&r.reason)),
                };
                let owed = if r.follow_up_owed {
                    "  follow-up owed"
                } else {
                    ""
                };
                out.push((
                    n,
                    Line::styled(
                        format!(
                            "{}  {:<22} {:<24} {}  {detail}{owed}",
                            r.id,
                            r.agency.label(),
                            r.decision.label(),
                            when(r.when)
                        ),
                        struck(&r.error),
                    ),
                ));
                if let Some(l) = error_line(&r.error) {
                    out.push((n, Line::styled(l, Style::new().red())));
                }
            }
            if i.reports.is_empty() {
                out.push((
                    usize::MAX,
                    Line::raw("No reports or decisions yet: r records one.").dim(),
                ));
            }
        }
        Section::Reviews => {
            for (n, r) in i.reviews.iter().enumerate() {
                let text = match r.held {
                    None if r.cancelled.is_some() => {
                        let c = r.cancelled.as_ref().map_or_else(String::new, |c| {
                            format!(" {} by {}: {}", when(c.when), line(&c.by), line(&c.reason))
                        });
                        format!("{}  due {}  cancelled{c}", r.id, r.due)
                    }
                    Some(held) => {
                        let late = if held.date() > r.due { " (late)" } else { "" };
                        format!(
                            "{}  due {}  held {}{late} by {}: {}  {}",
                            r.id,
                            r.due,
                            when(held),
                            line(&r.by),
                            r.decision.map_or("", |d| d.label()),
                            line(&r.outcome)
                        )
                    }
                    None => {
                        let overdue = if r.due < today && i.status != Status::Closed {
                            "  OVERDUE"
                        } else {
                            ""
                        };
                        format!(
                            "{}  due {}  not yet held{overdue} ({} records it)",
                            r.id,
                            r.due,
                            crate::tui::keymap::key_for(
                                crate::tui::keymap::DETAIL,
                                crate::tui::keymap::Action::HoldReview
                            )
                        )
                    }
                };
                let style = if r.held.is_none()
                    && r.cancelled.is_none()
                    && r.due < today
                    && i.status != Status::Closed
                    && r.error.is_none()
                {
                    Style::new().red().bold()
                } else {
                    struck(&r.error)
                };
                out.push((n, Line::styled(text, style)));
                if let Some(l) = error_line(&r.error) {
                    out.push((n, Line::styled(l, Style::new().red())));
                }
            }
            if i.reviews.is_empty() {
                out.push((usize::MAX, Line::raw("No reviews: v schedules one.").dim()));
            }
        }
        Section::Checklist => {
            for (n, c) in i.checklist.iter().enumerate() {
                let state = match &c.state {
                    StepState::Open => "[ ]".to_string(),
                    StepState::Done { by, when: t } => format!("[x] {} {}", when(*t), line(by)),
                    StepState::NotApplicable {
                        by,
                        when: t,
                        reason,
                    } => format!("[-] {} {}: {}", when(*t), line(by), line(reason)),
                };
                // The box first, so it never wraps onto a line of its own.
                let (mark, detail) = state.split_at(3);
                out.push((n, Line::raw(format!("{mark} {} {detail}", line(&c.step)))));
            }
        }
        Section::History => {
            let subject = Subject::Incident(i.id.clone());
            for (n, e) in book
                .audit
                .iter()
                .filter(|e| e.subject == subject)
                .enumerate()
            {
                out.push((
                    n,
                    Line::raw(format!(
                        "#{:<5} {}  {:<6} {}",
                        e.seq,
                        e.at.format("%Y-%m-%d %H:%M"),
                        line(&e.by),
                        line(&e.action)
                    )),
                ));
                for c in e.changes.iter().take(3) {
                    let (old, new) = marked_change(&c.old, &c.new, line);
                    out.push((
                        n,
                        Line::raw(format!(
                            "        {}: {} -> {}",
                            line(&c.field),
                            short(&old),
                            short(&new)
                        ))
                        .dim(),
                    ));
                }
                if e.changes.len() > 3 {
                    out.push((
                        n,
                        Line::raw(format!(
                            "        ... {} more ({})",
                            e.changes.len() - 3,
                            crate::tui::keymap::key_for(
                                crate::tui::keymap::DETAIL,
                                crate::tui::keymap::Action::Open
                            )
                        ))
                        .dim(),
                    ));
                }
            }
        }
    }
    out
}

/// An escaped, marked value cut to 40 characters around its marked change.
fn short(value: &str) -> String {
    if value.is_empty() {
        return "(none)".into();
    }
    let chars: Vec<char> = value.chars().collect();
    let mark = chars.iter().position(|c| *c == '⟦').unwrap_or(0);
    let start = mark.saturating_sub(12);
    let mut s: String = chars.iter().skip(start).take(40).collect();
    if start > 0 {
        s.insert(0, '…');
    }
    if chars.len() > start + 40 {
        s.push('…');
    }
    format!("\"{s}\"")
}

/// Old and new values escaped for display, with the span that differs marked ⟦like this⟧:
/// a change in the middle of a long text, or one between characters that escape alike,
/// can be seen rather than shown as two identical values.
pub fn marked_change(
    old: &str,
    new: &str,
    escape: fn(&str) -> std::borrow::Cow<'_, str>,
) -> (String, String) {
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
    let part = |v: &[char]| escape(&v.iter().collect::<String>()).into_owned();
    let show = |v: &[char]| {
        if v.is_empty() {
            return String::new();
        }
        // A value replaced whole needs no mark; one changed in part shows where.
        if o == n || prefix + suffix == 0 {
            return part(v);
        }
        format!(
            "{}⟦{}⟧{}",
            part(&v[..prefix]),
            part(&v[prefix..v.len() - suffix]),
            part(&v[v.len() - suffix..])
        )
    };
    (show(&o), show(&n))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, id: &str, section: Section, selected: usize) {
    let Some(book) = &app.book else { return };
    let Some(i) = book.incident(id) else { return };
    let [head, tabs_area, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let overdue = if i.is_overdue(app.now.date()) {
        "  REVIEW OVERDUE"
    } else {
        ""
    };
    let error = if i.error.is_some() {
        "  ENTERED IN ERROR"
    } else {
        ""
    };
    let mut title = vec![
        Span::styled(
            format!(" {} ", i.id),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        ),
        Span::raw(format!(
            "  {}  {} risk  {}",
            i.status.label(),
            i.risk_level.label(),
            i.types
                .iter()
                .map(|t| t.label())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    ];
    if !overdue.is_empty() || !error.is_empty() {
        title.push(Span::styled(
            format!("{overdue}{error}"),
            Style::new().red().bold(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(title)), head);
    let index = Section::ALL.iter().position(|s| *s == section).unwrap_or(0);
    frame.render_widget(
        Tabs::new(Section::ALL.iter().map(|s| s.label()))
            .select(index)
            .highlight_style(Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD))
            .divider("│"),
        tabs_area,
    );
    let block = Block::bordered().title_bottom(section_hint(section));
    let inner = block.inner(body);
    let height = inner.height as usize;
    let mut lines = section_lines(book, i, section, app.now.date());
    if section != Section::Summary {
        // Wrapped here, not by the paragraph, so the scroll below counts the rows drawn and
        // the highlighted entry is always on screen (Space acts on what is seen).
        lines = wrap_rows(lines, inner.width);
    }
    let first = lines.iter().position(|(n, _)| *n == selected).unwrap_or(0);
    let last = lines.iter().rposition(|(n, _)| *n == selected).unwrap_or(0);
    let scroll = if section == Section::Summary {
        0
    } else {
        (last + 1).saturating_sub(height).min(first)
    };
    let text: Vec<Line> = lines
        .into_iter()
        .map(|(n, l)| {
            if n == selected && section != Section::Summary {
                l.patch_style(Style::new().add_modifier(Modifier::REVERSED))
            } else {
                l
            }
        })
        .collect();
    frame.render_widget(
        Paragraph::new(Text::from(text))
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0))
            .block(block),
        body,
    );
}

/// Splits each line wider than `width` into rows at spaces, keeping its entry number and
/// style; continuation rows are indented so the entry's first column stays clear.
fn wrap_rows(lines: Vec<(usize, Line<'static>)>, width: u16) -> Vec<(usize, Line<'static>)> {
    let mut out = Vec::with_capacity(lines.len());
    for (n, l) in lines {
        if l.width() <= usize::from(width) {
            out.push((n, l));
            continue;
        }
        let style = l.spans.first().map_or(l.style, |s| l.style.patch(s.style));
        let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
        for (k, row) in super::wrap_words(&text, width.saturating_sub(4))
            .into_iter()
            .enumerate()
        {
            let row = if k == 0 { row } else { format!("    {row}") };
            out.push((n, Line::styled(row, style)));
        }
    }
    out
}

/// The keys of a section, from the detail keymap (so a hint never names a key that does
/// something else).
fn section_hint(section: Section) -> String {
    use crate::tui::keymap::{Action as A, DETAIL, hints};
    let actions: &[A] = match section {
        Section::Summary => &[
            A::EditIncident,
            A::CloseCase,
            A::ReopenCase,
            A::MarkError,
            A::NextSection,
            A::Help,
        ],
        Section::People => &[A::LinkPerson, A::Chronology, A::Open],
        Section::Evidence => &[
            A::AddEvidence,
            A::EditIncident,
            A::RegisterFile,
            A::MarkError,
            A::Open,
        ],
        Section::Reporting => &[A::AddReport, A::EditIncident, A::MarkError, A::Open],
        Section::Reviews => &[A::AddReview, A::HoldReview, A::MarkError, A::Open],
        Section::Checklist => &[A::TickStep, A::TickStepAt, A::StepNotApplicable],
        Section::History => &[A::Open],
    };
    format!(" {} ", hints(DETAIL, actions))
}

/// The full text of the selected entry, for Enter.
pub fn entry_popup(
    book: &Logbook,
    i: &Incident,
    section: Section,
    selected: usize,
) -> Option<Popup> {
    let reference = Reference::get();
    let (title, text) = match section {
        Section::Summary => return None,
        Section::People => {
            let inv = i.people.get(selected)?;
            let p = book.person(&inv.person)?;
            (
                p.id.clone(),
                format!(
                    "Reference: {}\nAge group: {}\nYear of birth: {}\nRole here: {}\nIncidents: {}\n\n{}\n\nC shows this person's chronology.",
                    line(&p.reference),
                    p.age_group.label(),
                    p.birth_year
                        .map_or_else(|| "not recorded".into(), |y| y.to_string()),
                    inv.role.label(),
                    book.incidents
                        .iter()
                        .filter(|x| x.people.iter().any(|y| y.person == p.id))
                        .count(),
                    text_block(&p.notes)
                ),
            )
        }
        Section::Evidence => {
            let e = i.evidence.get(selected)?;
            let mut t = format!(
                "Kind: {}\nDescription: {}\nSource: {}\nCaptured: {} by {}\nKept at: {}\n",
                e.kind.label(),
                text_block(&e.description),
                line(&e.source),
                when(e.captured),
                line(&e.captured_by),
                line(&e.kept_at)
            );
            if let Some(f) = &e.file {
                t.push_str(&format!(
                    "File: {} bytes, SHA-256 {}\n",
                    f.size,
                    line(&f.sha256)
                ));
            }
            for c in &e.custody {
                t.push_str(&format!(
                    "Custody {}: {} {}\n",
                    when(c.when),
                    line(&c.event),
                    line(&c.reference)
                ));
            }
            if let Some(x) = &e.error {
                t.push_str(&format!(
                    "\nENTERED IN ERROR {} by {}: {}\n",
                    when(x.when),
                    line(&x.by),
                    line(&x.reason)
                ));
            }
            (format!("{} {}", i.id, e.id), t)
        }
        Section::Reporting => {
            let r = i.reports.get(selected)?;
            let info = reference.agency(r.agency);
            let mut t = format!(
                "Agency: {}\nDecision: {}\nWhen: {} by {}\nHow: {}\nReference: {}\nContact: {}\nOutcome: {}\nFollow-up owed: {}\n",
                info.name,
                r.decision.label(),
                when(r.when),
                line(&r.by),
                r.method.map_or("", |m| m.label()),
                if r.reference.is_empty() && r.reference_awaited {
                    "awaited (E adds it when it arrives)".into()
                } else {
                    line(&r.reference)
                },
                line(&r.contact),
                text_block(&r.outcome),
                if r.follow_up_owed { "yes" } else { "no" }
            );
            if !r.reason.is_empty() {
                t.push_str(&format!("Reason: {}\n", text_block(&r.reason)));
            }
            t.push_str(&format!("\n{}: {} {}\n", info.name, info.phone, info.web));
            if let Some(x) = &r.error {
                t.push_str(&format!(
                    "\nENTERED IN ERROR {} by {}: {}\n",
                    when(x.when),
                    line(&x.by),
                    line(&x.reason)
                ));
            }
            (format!("{} {}", i.id, r.id), t)
        }
        Section::Reviews => {
            let r = i.reviews.get(selected)?;
            let t = format!(
                "Due: {}\nHeld: {}\nBy: {}\nRisk now: {}\nDecision: {}\nNext review: {}\n\n{}",
                r.due,
                match (&r.held, &r.cancelled) {
                    (Some(t), _) => when(*t),
                    (None, Some(c)) => format!(
                        "no: cancelled {} by {}: {}",
                        when(c.when),
                        line(&c.by),
                        line(&c.reason)
                    ),
                    (None, None) => "not yet".into(),
                },
                line(&r.by),
                r.risk_now.map_or("", |x| x.label()),
                r.decision.map_or("", |d| d.label()),
                r.next_review.map_or_else(String::new, |d| d.to_string()),
                text_block(&r.outcome)
            );
            (format!("{} {}", i.id, r.id), t)
        }
        Section::Checklist => {
            let c = i.checklist.get(selected)?;
            let state = match &c.state {
                StepState::Open => "Open: Space ticks it, N marks it not applicable.".to_string(),
                StepState::Done { by, when: t } => format!("Done {} by {}", when(*t), line(by)),
                StepState::NotApplicable {
                    by,
                    when: t,
                    reason,
                } => format!(
                    "Not applicable ({} by {}): {}",
                    when(*t),
                    line(by),
                    line(reason)
                ),
            };
            (
                "Checklist step".to_string(),
                format!("{}\n\n{state}", line(&c.step)),
            )
        }
        Section::History => {
            let subject = Subject::Incident(i.id.clone());
            let e = book
                .audit
                .iter()
                .filter(|e| e.subject == subject)
                .nth(selected)?;
            let mut t = format!(
                "{} by {}\n{}\n\n",
                e.at.format("%Y-%m-%d %H:%M:%S %:z"),
                line(&e.by),
                line(&e.action)
            );
            for c in &e.changes {
                let (old, new) = marked_change(&c.old, &c.new, text_block);
                t.push_str(&format!(
                    "{}\n  was: {}\n  now: {}\n",
                    line(&c.field),
                    if old.is_empty() { "(none)" } else { &old },
                    if new.is_empty() { "(none)" } else { &new },
                ));
            }
            t.push_str(&format!(
                "\nState SHA-256: {}\nEntry hash: {}",
                e.state, e.hash
            ));
            (format!("Audit entry #{}", e.seq), t)
        }
    };
    Some(Popup {
        title,
        text,
        scroll: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_span_that_changed_is_marked_and_shown_in_a_long_value() {
        let old = format!("{} the boy was 12 \u{200f}", "x".repeat(60));
        let new = format!("{} the boy was 13 \u{200f}", "x".repeat(60));
        let (o, n) = marked_change(&old, &new, line);
        assert!(o.ends_with("was 1⟦2⟧ \\u{200f}"), "{o}");
        assert!(n.ends_with("was 1⟦3⟧ \\u{200f}"), "{n}");
        // The list line shows the change, not the 40 identical characters before it.
        assert!(short(&n).contains("⟦3⟧"), "{}", short(&n));
        let (o, n) = marked_change("same", "same", line);
        assert_eq!((o.as_str(), n.as_str()), ("same", "same"));
        let (o, n) = marked_change("Open", "Done", line);
        assert_eq!((o.as_str(), n.as_str()), ("Open", "Done"));
    }
}
