//! One person's chronology across incidents: the significant events and decisions in time
//! order, with what UK practice puts in a chronology's columns (date, significant event,
//! source, impact on the child, action taken, outcome/review). Checklist ticks are left
//! out: a chronology lists significant events and decisions, not routine steps.
//!
//! A query, pure: the text is the logbook's own, unescaped; whoever shows it escapes it.

use chrono::NaiveDateTime;

use super::types::*;

/// One significant event in a person's chronology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub when: NaiveDateTime,
    pub incident: String,
    /// What happened, in our words: "Cyberbullying (Subject)", "Reported to CEOP".
    pub event: String,
    /// The record's own words about it (description, reference, reason, outcome).
    pub detail: String,
    /// Who it came from: the reporter, who captured or referred, who held the review.
    pub source: String,
    /// The risk to the person at that point (risk level and area, or the risk after review).
    pub impact: String,
    /// What was done: the immediate action, where evidence is kept, the referral made.
    pub action: String,
    /// What came of it: the agency's outcome, the review's decision, the next review.
    pub outcome: String,
    pub in_error: bool,
    /// `when` is an estimate (the incident's "Time is approximate"): every place that
    /// shows it says so, as the incident's own export does (tester4 #5).
    pub approximate: bool,
}

/// Everything about one person, across the incidents that name them, oldest first.
pub fn events(book: &Logbook, person: &str) -> Vec<Event> {
    let mut out = Vec::new();
    for i in book
        .incidents
        .iter()
        .filter(|i| i.people.iter().any(|p| p.person == person))
    {
        let roles: Vec<&str> = i
            .people
            .iter()
            .filter(|p| p.person == person)
            .map(|p| p.role.label())
            .collect();
        let types: Vec<&str> = i.types.iter().map(|t| t.label()).collect();
        let base = |when, event: String, detail: &str, in_error: bool| Event {
            when,
            incident: i.id.clone(),
            event,
            detail: detail.to_string(),
            source: String::new(),
            impact: String::new(),
            action: String::new(),
            outcome: String::new(),
            in_error,
            approximate: false,
        };
        out.push(Event {
            source: format!("Reported by {}", i.reported_by),
            impact: format!("{} risk ({})", i.risk_level.label(), i.risk_area.label()),
            action: i.immediate_action.clone(),
            outcome: i.status.label().to_string(),
            approximate: i.occurred_approximate,
            ..base(
                i.occurred,
                format!("{} ({})", types.join(", "), roles.join(", ")),
                &i.description,
                i.error.is_some(),
            )
        });
        for e in &i.evidence {
            out.push(Event {
                source: if e.source.is_empty() {
                    format!("Captured by {}", e.captured_by)
                } else {
                    format!("{}; captured by {}", e.source, e.captured_by)
                },
                action: format!("Kept at {}", e.kept_at),
                outcome: e
                    .custody
                    .iter()
                    .map(|c| c.event.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
                ..base(
                    e.captured,
                    format!("Evidence {}: {}", e.id, e.kind.label()),
                    &e.description,
                    e.error.is_some(),
                )
            });
        }
        for r in &i.reports {
            // The reference as every printout gives it: flagged when not in the agency's
            // format, "awaited" while the agency has still to give it (tester3 #22, #30).
            let reference = match (r.reference_warning(), r.reference.is_empty()) {
                (Some(w), _) => format!("{} [{w}]", r.reference),
                (None, true) if r.reference_awaited => {
                    format!("reference awaited since {}", r.when.date())
                }
                _ => r.reference.clone(),
            };
            let (what, detail, action) = match r.decision {
                Decision::Referred => (
                    format!("Reported to {}", r.agency_words()),
                    &reference,
                    match r.method {
                        Some(m) => format!("Referred ({})", m.label()),
                        None => "Referred".to_string(),
                    },
                ),
                Decision::NotReferred => (
                    format!("Not referred to {}", r.agency_words()),
                    &r.reason,
                    format!("Considered, not referred: {}", r.reason),
                ),
            };
            out.push(Event {
                source: r.by.clone(),
                action,
                outcome: r.outcome.clone(),
                ..base(r.when, what, detail, r.error.is_some())
            });
        }
        for r in &i.reviews {
            if let Some(held) = r.held {
                let decision = r.decision.map_or("", |d| d.label());
                out.push(Event {
                    source: r.by.clone(),
                    impact: r
                        .risk_now
                        .map_or_else(String::new, |l| format!("{} risk", l.label())),
                    action: decision.to_string(),
                    outcome: match r.next_review {
                        // "...stopped. Next review 2026-11-24." after a sentence, not
                        // "...stopped.; next review".
                        Some(next) => {
                            let next = super::dates::date(next);
                            if r.outcome.trim_end().ends_with(['.', '!', '?']) {
                                format!("{} Next review {next}.", r.outcome.trim_end())
                            } else if r.outcome.trim().is_empty() {
                                format!("Next review {next}.")
                            } else {
                                format!("{}; next review {next}", r.outcome)
                            }
                        }
                        None => r.outcome.clone(),
                    },
                    ..base(
                        held,
                        format!("Review {}: {decision}", r.id),
                        &r.outcome,
                        r.error.is_some(),
                    )
                });
            }
        }
        if let Some(c) = &i.closure {
            out.push(Event {
                source: c.by.clone(),
                action: "Case closed".into(),
                outcome: c.outcome.clone(),
                ..base(c.when, "Closed".into(), &c.outcome, false)
            });
        }
    }
    out.sort_by(|a, b| {
        a.when
            .cmp(&b.when)
            .then_with(|| a.incident.cmp(&b.incident))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persons_chronology_spans_incidents_in_time_order_with_raw_text() {
        let book = crate::demo::logbook().unwrap();
        let person = book
            .people
            .iter()
            .max_by_key(|p| {
                book.incidents
                    .iter()
                    .filter(|i| i.people.iter().any(|x| x.person == p.id))
                    .count()
            })
            .unwrap();
        let found = events(&book, &person.id);
        let incidents: std::collections::BTreeSet<&str> =
            found.iter().map(|e| e.incident.as_str()).collect();
        assert!(incidents.len() > 1, "spans incidents");
        assert!(found.windows(2).all(|w| w[0].when <= w[1].when));
        assert!(found.iter().all(|e| !e.source.is_empty()));
        assert!(events(&book, "P-9999").is_empty());
        // A review's outcome that ends a sentence is followed by another, not by ";".
        assert!(
            found.iter().all(|e| !e.outcome.contains(".; next review")),
            "{found:#?}"
        );
        assert!(found.iter().any(|e| e.outcome.contains(". Next review 20")));
    }
}
