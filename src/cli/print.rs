//! Plain-text printouts for `list` and `show`. Every value from the logbook passes through
//! `text::line` or `text::block`, so stored text can never drive the terminal.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::model::*;
use crate::text::{block, line};

fn people_refs(logbook: &Logbook, incident: &Incident) -> String {
    let refs: Vec<String> = incident
        .people
        .iter()
        .map(|inv| {
            logbook
                .person(&inv.person)
                .map_or_else(|| inv.person.clone(), |p| p.reference.clone())
        })
        .collect();
    refs.join(", ")
}

fn types_text(incident: &Incident) -> String {
    incident
        .types
        .iter()
        .map(|t| t.label())
        .collect::<Vec<_>>()
        .join("; ")
}

/// One line per incident, for `logbook list`.
pub fn list_line(logbook: &Logbook, incident: &Incident, today: NaiveDate) -> String {
    let review = match incident.next_review() {
        _ if incident.status == Status::Closed => "closed".to_string(),
        Some(due) if due < today => format!("{due} OVERDUE"),
        Some(due) => due.to_string(),
        None => "no review".to_string(),
    };
    let error = if incident.error.is_some() {
        " [entered in error]"
    } else {
        ""
    };
    format!(
        "{}  {}  {:<10}  {:<8}  {:<18}  {}  {}{error}",
        incident.id,
        incident.reported.format("%Y-%m-%d"),
        incident.status.label(),
        incident.risk_level.label(),
        review,
        line(&types_text(incident)),
        line(&people_refs(logbook, incident)),
    )
}

fn when(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn error_note(error: &Option<EnteredInError>) -> String {
    error.as_ref().map_or_else(String::new, |e| {
        format!(
            "  [ENTERED IN ERROR {} by {}: {}]",
            when(e.when),
            line(&e.by),
            line(&e.reason)
        )
    })
}

/// Indents a multi-line block under a heading.
fn indented(text: &str) -> String {
    block(text)
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One incident in full, for `logbook show`.
pub fn show(logbook: &Logbook, inc: &Incident, today: NaiveDate) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "{}  {}{}",
        inc.id,
        inc.status.label(),
        error_note(&inc.error)
    );
    let approx = if inc.occurred_approximate {
        " (approximately)"
    } else {
        ""
    };
    let _ = writeln!(w, "Happened:      {}{approx}", when(inc.occurred));
    let _ = writeln!(
        w,
        "Reported:      {} by {}",
        when(inc.reported),
        line(&inc.reported_by)
    );
    let _ = writeln!(w, "Recorded by:   {}", line(&inc.recorded_by));
    let _ = writeln!(
        w,
        "Risk:          {} ({})",
        inc.risk_level.label(),
        inc.risk_area.label()
    );
    let _ = writeln!(w, "Types:         {}", types_text(inc));
    let _ = writeln!(w, "Platform:      {}", line(&inc.platform));
    if let Some(due) = inc.next_review() {
        let overdue = if inc.is_overdue(today) {
            "  OVERDUE"
        } else {
            ""
        };
        let _ = writeln!(w, "Next review:   {due}{overdue}");
    }
    if !inc.related.is_empty() {
        let _ = writeln!(w, "Related:       {}", line(&inc.related.join(", ")));
    }
    let _ = writeln!(w, "\nDescription\n{}", indented(&inc.description));
    if !inc.immediate_action.is_empty() {
        let _ = writeln!(w, "\nImmediate action\n{}", indented(&inc.immediate_action));
    }
    if let Some(c) = &inc.closure {
        let _ = writeln!(
            w,
            "\nClosed {} by {}\n{}",
            when(c.when),
            line(&c.by),
            indented(&c.outcome)
        );
    }

    let _ = writeln!(w, "\nPeople");
    for inv in &inc.people {
        match logbook.person(&inv.person) {
            Some(p) => {
                let born = p
                    .birth_year
                    .map_or_else(String::new, |y| format!(", born {y}"));
                let _ = writeln!(
                    w,
                    "  {}  {} ({}{born}): {}",
                    p.id,
                    line(&p.reference),
                    p.age_group.label(),
                    inv.role.label()
                );
            }
            None => {
                let _ = writeln!(w, "  {}: {}", inv.person, inv.role.label());
            }
        }
    }

    let _ = writeln!(w, "\nEvidence");
    for e in &inc.evidence {
        let _ = writeln!(
            w,
            "  {}  {}  {}, captured {} by {}{}",
            e.id,
            e.kind.label(),
            line(&e.description),
            when(e.captured),
            line(&e.captured_by),
            error_note(&e.error)
        );
        if !e.source.is_empty() {
            let _ = writeln!(w, "        source: {}", line(&e.source));
        }
        let _ = writeln!(w, "        kept at: {}", line(&e.kept_at));
        if let Some(f) = &e.file {
            let _ = writeln!(
                w,
                "        file: {} bytes, SHA-256 {}",
                f.size,
                line(&f.sha256)
            );
        }
        for c in &e.custody {
            let _ = writeln!(
                w,
                "        {}  {}  {}",
                when(c.when),
                line(&c.event),
                line(&c.reference)
            );
        }
    }

    let _ = writeln!(w, "\nReporting");
    for r in &inc.reports {
        let method = r.method.map_or("", |m| m.label());
        let _ = writeln!(
            w,
            "  {}  {}  {}  {} by {} {method}{}",
            r.id,
            r.agency.label(),
            r.decision.label(),
            when(r.when),
            line(&r.by),
            error_note(&r.error)
        );
        for (label, value) in [
            ("reference", &r.reference),
            ("contact", &r.contact),
            ("outcome", &r.outcome),
            ("reason", &r.reason),
        ] {
            if !value.is_empty() {
                let _ = writeln!(w, "        {label}: {}", line(value));
            }
        }
        if r.follow_up_owed {
            let _ = writeln!(w, "        follow-up owed");
        }
    }

    let _ = writeln!(w, "\nReviews");
    for r in &inc.reviews {
        match r.held {
            Some(held) => {
                let late = if held.date() > r.due { " (late)" } else { "" };
                let _ = writeln!(
                    w,
                    "  {}  due {}  held {}{late} by {}: {}{}",
                    r.id,
                    r.due,
                    when(held),
                    line(&r.by),
                    r.decision.map_or("", |d| d.label()),
                    error_note(&r.error)
                );
                let _ = writeln!(w, "        {}", line(&r.outcome));
                if let Some(next) = r.next_review {
                    let _ = writeln!(w, "        next review {next}");
                }
            }
            None => {
                let overdue = if r.due < today && inc.status != Status::Closed {
                    "  OVERDUE"
                } else {
                    ""
                };
                let _ = writeln!(
                    w,
                    "  {}  due {}{overdue}{}",
                    r.id,
                    r.due,
                    error_note(&r.error)
                );
            }
        }
    }

    let _ = writeln!(w, "\nChecklist");
    for item in &inc.checklist {
        let state = match &item.state {
            StepState::Open => "[ ]".to_string(),
            StepState::Done { by, when: t } => format!("[x] {} {}", when(*t), line(by)),
            StepState::NotApplicable {
                by,
                when: t,
                reason,
            } => {
                format!(
                    "[-] {} {}: not applicable, {}",
                    when(*t),
                    line(by),
                    line(reason)
                )
            }
        };
        let _ = writeln!(w, "  {}  {state}", line(&item.step));
    }

    let _ = writeln!(w, "\nHistory");
    let subject = Subject::Incident(inc.id.clone());
    for entry in logbook.audit.iter().filter(|e| e.subject == subject) {
        let _ = writeln!(
            w,
            "  #{}  {}  {}  {}",
            entry.seq,
            entry.at.format("%Y-%m-%d %H:%M"),
            line(&entry.by),
            line(&entry.action)
        );
        for c in &entry.changes {
            let _ = writeln!(
                w,
                "        {}: {} -> {}",
                line(&c.field),
                quoted(&c.old),
                quoted(&c.new)
            );
        }
    }
    s
}

fn quoted(value: &str) -> String {
    if value.is_empty() {
        "(none)".into()
    } else {
        format!("\"{}\"", line(value))
    }
}
