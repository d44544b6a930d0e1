//! Plain-text printouts for `list` and `show`: the presentation layer's lines, laid out for
//! a terminal. Every value from the logbook passes through `text::line` or `text::block`
//! here, so stored text can never drive the terminal.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::model::*;
use crate::present::{self, Line};
use crate::text::{block, line};

/// `n` with its noun, singular or plural: "1 audit entry", "2 audit entries" (never
/// "entry(s)").
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What every command says of a disposed number (`show`, `export`, `retention --set`):
/// when, by whom and under which rule it went, and where its certificate comes from, not
/// "there is no incident" (tester3 #32). Escaped for the terminal.
pub fn disposed(t: &Tombstone) -> String {
    format!(
        "{} was disposed of on {} by {} at the end of its retention period ({}): only its tombstone is kept, and `logbook certificate {}` certifies it.",
        line(&t.id),
        t.disposed,
        line(&t.by),
        line(&t.rule),
        line(&t.id)
    )
}

/// The headings of `logbook list`'s columns.
const LIST_HEADINGS: [&str; 7] = [
    "Incident",
    "Reported",
    "Status",
    "Risk",
    "Next review",
    "Types",
    "People",
];

/// `logbook list`: one line per incident, its columns aligned (padded to the widest value
/// shown) and separated by at least two spaces, with no trailing spaces; with `header`, a
/// line of column headings first. The first column is always the incident's number, so a
/// script may read the lines one by one (tester2 #35).
pub fn list_table(
    logbook: &Logbook,
    incidents: &[&Incident],
    today: NaiveDate,
    header: bool,
) -> String {
    let mut rows: Vec<[String; 7]> = Vec::with_capacity(incidents.len() + 1);
    if header {
        rows.push(LIST_HEADINGS.map(str::to_string));
    }
    rows.extend(incidents.iter().map(|i| list_cells(logbook, i, today)));
    let mut widths = [0usize; 7];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(unicode_width::UnicodeWidthStr::width(cell.as_str()));
        }
    }
    let mut text = String::new();
    for row in &rows {
        let mut out = String::new();
        for (n, (cell, w)) in row.iter().zip(widths).enumerate() {
            if n > 0 {
                out.push_str("  ");
            }
            out.push_str(cell);
            let pad = w.saturating_sub(unicode_width::UnicodeWidthStr::width(cell.as_str()));
            out.extend(std::iter::repeat_n(' ', pad));
        }
        text.push_str(out.trim_end());
        text.push('\n');
    }
    text
}

/// One incident's cells for `logbook list`, each escaped for the terminal.
fn list_cells(logbook: &Logbook, incident: &Incident, today: NaiveDate) -> [String; 7] {
    let review = match incident.next_review() {
        _ if incident.status == Status::Closed => "closed".to_string(),
        Some(due) if due < today => format!("{} OVERDUE", present::date(due)),
        Some(due) => present::date(due),
        // An open case with nothing in the diary (tester4 #13): said as such.
        None if incident.no_review_booked() => "no review booked".to_string(),
        None => "no review".to_string(),
    };
    let error = if incident.error.is_some() {
        " [entered in error]"
    } else {
        ""
    };
    [
        incident.id.clone(),
        present::date(incident.reported.date()),
        // The stored status, which `--status` filters by and scripts read (DESIGN.md: the
        // format is kept stable); an entry in error is marked after its people.
        incident.status.label().to_string(),
        incident.risk_level.label().to_string(),
        review,
        line(&present::types(incident)).into_owned(),
        format!("{}{error}", line(&present::people_refs(logbook, incident))),
    ]
}

fn error_note(error: &Option<EnteredInError>) -> String {
    present::in_error(error).map_or_else(String::new, |note| format!("  [{}]", line(&note)))
}

/// Indents a multi-line block under a heading.
fn indented(text: &str) -> String {
    block(text)
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Continuation lines under an item: "        label: value".
fn sub_lines(w: &mut String, lines: &[Line]) {
    for l in lines {
        let _ = writeln!(w, "        {}: {}", l.label, line(&l.value));
    }
}

/// One incident in full, for `logbook show`.
pub fn show(logbook: &Logbook, inc: &Incident, today: NaiveDate) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "{}  {}{}",
        inc.id,
        present::status(inc),
        error_note(&inc.error)
    );
    let mut lines = present::summary(inc, today);
    lines.push(present::Line {
        label: "Retention",
        value: present::retention(&logbook.retention(inc)),
    });
    if let Some(t) = &inc.transferred {
        lines.push(present::Line {
            label: "Transferred",
            value: present::transferred(t),
        });
    }
    for l in lines {
        let label = format!("{}:", l.label);
        let _ = writeln!(w, "{label:<15}{}", line(&l.value));
    }
    let _ = writeln!(w, "\nDescription\n{}", indented(&inc.description));
    if !inc.immediate_action.is_empty() {
        let _ = writeln!(w, "\nImmediate action\n{}", indented(&inc.immediate_action));
    }
    if let Some(c) = &inc.closure {
        let _ = writeln!(
            w,
            "\n{}\n{}",
            line(&present::closed(c)),
            indented(&c.outcome)
        );
    }

    let _ = writeln!(w, "\nPeople");
    for p in present::people(logbook, inc) {
        if p.age_group.is_some() {
            let _ = writeln!(
                w,
                "  {}  {} ({}): {}",
                p.id,
                line(&p.reference),
                p.group(),
                p.role.label()
            );
        } else {
            let _ = writeln!(w, "  {}: {}", line(&p.id), p.role.label());
        }
    }

    let _ = writeln!(w, "\nEvidence");
    for e in &inc.evidence {
        let _ = writeln!(
            w,
            "  {}  {}{}",
            e.id,
            line(&present::evidence_title(e)),
            error_note(&e.error)
        );
        for l in present::more_lines(&e.description) {
            let _ = writeln!(w, "        {}", line(l));
        }
        sub_lines(w, &present::evidence_lines(e));
        for c in &e.custody {
            let _ = writeln!(w, "        {}", line(&present::custody(c)));
        }
    }

    let _ = writeln!(w, "\nReporting");
    for r in &inc.reports {
        let _ = writeln!(
            w,
            "  {}  {}{}",
            r.id,
            line(&present::report_title(r)),
            error_note(&r.error)
        );
        sub_lines(w, &present::report_lines(r, inc.reported));
    }

    let _ = writeln!(w, "\nReviews");
    for r in &inc.reviews {
        let _ = writeln!(
            w,
            "  {}  {}{}",
            r.id,
            line(&present::review_title(r, inc, today)),
            error_note(&r.error)
        );
        // Each move and its reason (tester4 #21).
        for m in &r.moves {
            let _ = writeln!(w, "        {}", line(&present::review_move(m)));
        }
        if r.held.is_some() {
            let _ = writeln!(w, "        {}", line(&r.outcome));
            if let Some(next) = r.next_review {
                let _ = writeln!(w, "        next review {}", present::date(next));
            }
        }
    }

    let _ = writeln!(w, "\nChecklist");
    for item in &inc.checklist {
        let _ = writeln!(
            w,
            "  {}  {}",
            line(&item.step),
            line(&present::checklist_state(&item.state))
        );
        // A tick taken back, with its mark (tester4 #22).
        for st in &item.struck {
            let _ = writeln!(w, "        {}", line(&present::struck_step(st)));
        }
    }

    // What is still owed, as the exports and the app list it (tester3 #30): one rule.
    let owed = present::owed(inc, today);
    if !owed.is_empty() {
        let _ = writeln!(w, "\n{}", present::owed_heading(inc));
        for (_, what, state) in owed {
            let _ = writeln!(w, "  {}  {}", line(&what), line(&state));
        }
    }

    let _ = writeln!(w, "\nHistory");
    for entry in present::history(logbook, inc) {
        let _ = writeln!(
            w,
            "  #{}  {}  {}  {}",
            entry.seq,
            present::at(&entry.at),
            line(&entry.by),
            line(&entry.action)
        );
        for c in present::changes(inc, &entry.changes) {
            let _ = writeln!(w, "        {}", line(&c));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn show_says_a_review_was_cancelled_and_not_that_it_is_overdue() {
        let (book, inc, rv) = crate::report::snapshots::with_overdue_review_cancelled();
        let shown = super::show(&book, &inc, crate::demo::demo_now().date());
        let line = shown.lines().find(|l| l.contains(&rv)).unwrap();
        assert!(
            line.contains("cancelled") && !line.contains("OVERDUE"),
            "{line}"
        );
    }
}
