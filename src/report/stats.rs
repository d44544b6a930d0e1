//! Anonymised figures for governors and trustees: counts only, never a name, initials,
//! reference number or free text. Every count from 1 to 4 is shown as "<5" (small-number
//! suppression), and where a table's counts add up to a total that is shown, a lone
//! suppressed count is protected by hiding the next smallest as well, so it cannot be
//! worked out by subtraction.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use super::doc::{Block, Doc, Row, Table};
use crate::model::*;
use crate::present::{self, Line};

/// Counts below this are never shown.
pub const THRESHOLD: u64 = 5;

/// One table of counts. `additive`: its rows partition the incidents in the period, so
/// their sum is the total shown at the top, and complementary suppression applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub title: &'static str,
    pub column: &'static str,
    pub rows: Vec<(String, u64)>,
    pub additive: bool,
}

/// A single figure (a median) and how many cases it is based on.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub label: &'static str,
    pub value: Option<f64>,
    pub cases: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub incidents: u64,
    pub tallies: Vec<Tally>,
    pub figures: Vec<Figure>,
}

pub const SUPPRESSION_NOTE: &str = "Counts from 1 to 4 are shown as <5 so that no child can be identified. Where the counts in a table add up to the total shown, and only one of them is under 5, the next smallest is shown as <5 too, so the hidden one cannot be worked out by subtraction. Tables marked \"counted once per type\" or \"per group\" can count an incident more than once. Medians are shown only when based on 5 or more cases.";

fn labelled<K>(m: BTreeMap<K, u64>, label: impl Fn(&K) -> String) -> Vec<(String, u64)> {
    m.iter().map(|(k, v)| (label(k), *v)).collect()
}

fn median(mut values: Vec<i64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] + values[n / 2]) as f64 / 2.0
    })
}

/// The figures for incidents reported between `from` and `to` (inclusive), counting only
/// incidents not entered in error. `today` decides which unheld reviews are overdue.
pub fn compute(
    book: &Logbook,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Stats {
    let chosen: Vec<&Incident> = book
        .incidents
        .iter()
        .map(crate::model::Shared::get)
        .filter(|i| i.error.is_none())
        .filter(|i| from.is_none_or(|f| i.reported.date() >= f))
        .filter(|i| to.is_none_or(|t| i.reported.date() <= t))
        .collect();

    let mut month: BTreeMap<String, u64> = BTreeMap::new();
    let mut area: BTreeMap<RiskArea, u64> = BTreeMap::new();
    let mut kind: BTreeMap<IncidentType, u64> = BTreeMap::new();
    let mut group: BTreeMap<AgeGroup, u64> = BTreeMap::new();
    let mut referred: BTreeMap<Agency, u64> = BTreeMap::new();
    let mut not_referred: BTreeMap<Agency, u64> = BTreeMap::new();
    let (mut on_time, mut late, mut overdue, mut missed) = (0u64, 0u64, 0u64, 0u64);
    let mut to_report = Vec::new();
    let mut to_close = Vec::new();

    for i in &chosen {
        *month
            .entry(i.reported.format("%Y-%m").to_string())
            .or_default() += 1;
        *area.entry(i.risk_area).or_default() += 1;
        let mut types = i.types.clone();
        types.sort();
        types.dedup();
        for t in types {
            *kind.entry(t).or_default() += 1;
        }
        let mut groups: Vec<AgeGroup> = i
            .people
            .iter()
            .filter(|p| p.role == Role::Subject)
            .filter_map(|p| book.person(&p.person))
            .map(|p| p.age_group)
            .collect();
        groups.sort();
        groups.dedup();
        for g in groups {
            *group.entry(g).or_default() += 1;
        }
        let reports: Vec<&ReportingStep> = i.reports.iter().filter(|r| r.error.is_none()).collect();
        for r in &reports {
            let tally = match r.decision {
                Decision::Referred => &mut referred,
                Decision::NotReferred => &mut not_referred,
            };
            *tally.entry(r.agency).or_default() += 1;
        }
        if let Some(first) = reports
            .iter()
            .filter(|r| r.decision == Decision::Referred)
            .map(|r| r.when)
            .min()
        {
            to_report.push((first.date() - i.occurred.date()).num_days());
        }
        if let Some(c) = &i.closure {
            to_close.push((c.when.date() - i.occurred.date()).num_days());
        }
        // Each review against the date it first missed, if it was moved after that date
        // (tester4 #21); one never held because the case closed, or it was cancelled,
        // after its date is missed, not left out.
        let closed = i.closure.as_ref().map(|c| c.when);
        for r in &i.reviews {
            match r.timeliness(closed, today) {
                Some(Timeliness::OnTime) => on_time += 1,
                Some(Timeliness::Late) => late += 1,
                Some(Timeliness::Overdue) => overdue += 1,
                Some(Timeliness::Missed) => missed += 1,
                None => {}
            }
        }
    }

    // Every month of the period, those with none as 0, so the trend (and the export's
    // table) covers the whole period: a quiet month at either end is shown, not dropped.
    // The period runs from its first day (or the first incident's month) to its last
    // day or today, whichever is earlier: a month not yet begun is not counted as none.
    let first = from.or_else(|| chosen.iter().map(|i| i.reported.date()).min());
    let last = to.map_or(today, |t| t.min(today));
    for m in months(first, last) {
        month.entry(m).or_default();
    }

    let tallies = vec![
        Tally {
            title: "Incidents by month reported",
            column: "Month",
            rows: month.into_iter().collect(),
            additive: true,
        },
        Tally {
            title: "Incidents by area of risk (the 4 Cs)",
            column: "Area",
            rows: labelled(area, |a: &RiskArea| a.label().to_string()),
            additive: true,
        },
        Tally {
            title: "Incidents by type (counted once per type)",
            column: "Type",
            rows: labelled(kind, |t: &IncidentType| t.label().to_string()),
            additive: false,
        },
        Tally {
            title: "Incidents by age group of the people harmed (counted once per group)",
            column: "Age group",
            rows: labelled(group, |g: &AgeGroup| g.label().to_string()),
            additive: false,
        },
        Tally {
            title: "Reports made, per agency",
            column: "Agency",
            rows: labelled(referred, |a: &Agency| a.label().to_string()),
            additive: false,
        },
        Tally {
            title: "Decisions not to refer, per agency considered",
            column: "Agency",
            rows: labelled(not_referred, |a: &Agency| a.label().to_string()),
            additive: false,
        },
        Tally {
            title: "Reviews",
            column: "Held",
            rows: vec![
                ("On time".into(), on_time),
                ("Late".into(), late),
                ("Overdue, not yet held".into(), overdue),
                ("Missed, never held".into(), missed),
            ],
            additive: false,
        },
    ];
    let figures = vec![
        Figure {
            label: "Median days from incident to first report",
            cases: to_report.len() as u64,
            value: median(to_report),
        },
        Figure {
            label: "Median days from incident to closure",
            cases: to_close.len() as u64,
            value: median(to_close),
        },
    ];
    Stats {
        from,
        to,
        incidents: chosen.len() as u64,
        tallies,
        figures,
    }
}

/// The months from the one holding `first` to the one holding `last`, as "YYYY-MM";
/// none when `first` is unknown or after `last`.
fn months(first: Option<NaiveDate>, last: NaiveDate) -> Vec<String> {
    let start = |d: NaiveDate| d.with_day(1);
    let (Some(mut m), Some(end)) = (first.and_then(start), start(last)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while m <= end {
        out.push(m.format("%Y-%m").to_string());
        let Some(next) = m.checked_add_months(chrono::Months::new(1)) else {
            break;
        };
        m = next;
    }
    out
}

/// A count as it may be shown.
pub fn shown(count: u64) -> String {
    if count > 0 && count < THRESHOLD {
        "<5".into()
    } else {
        count.to_string()
    }
}

/// The cells of a table after suppression (complementary suppression for additive ones).
pub fn suppressed(tally: &Tally) -> Vec<(String, String)> {
    let mut hide: Vec<bool> = tally
        .rows
        .iter()
        .map(|(_, n)| *n > 0 && *n < THRESHOLD)
        .collect();
    if tally.additive && hide.iter().filter(|h| **h).count() == 1 {
        // The smallest other count that is shown: hiding it too leaves two unknowns.
        if let Some((i, _)) = tally
            .rows
            .iter()
            .enumerate()
            .filter(|(i, (_, n))| !hide[*i] && *n > 0)
            .min_by_key(|(_, (_, n))| *n)
        {
            hide[i] = true;
        }
    }
    tally
        .rows
        .iter()
        .zip(hide)
        .map(|((label, n), h)| (label.clone(), if h { "<5".into() } else { shown(*n) }))
        .collect()
}

pub fn figure_text(f: &Figure) -> String {
    match f.value {
        Some(v) if f.cases >= THRESHOLD => format!("{v:.1} (from {} cases)", f.cases),
        Some(_) => "not shown (fewer than 5 cases)".into(),
        None => "no cases".into(),
    }
}

fn period(s: &Stats) -> String {
    match (s.from, s.to) {
        (Some(f), Some(t)) => format!("{} to {}", present::date(f), present::date(t)),
        (Some(f), None) => format!("from {}", present::date(f)),
        (None, Some(t)) => format!("up to {}", present::date(t)),
        (None, None) => "all records".into(),
    }
}

/// The figures as a document (for text, Markdown and HTML). `organisation` and `at` head it.
pub fn doc(s: &Stats, organisation: &str, at: chrono::NaiveDateTime) -> Doc {
    let mut blocks = vec![Block::Fields(vec![
        Line {
            label: "Incidents reported",
            value: shown(s.incidents),
        },
        Line {
            label: s.figures[0].label,
            value: figure_text(&s.figures[0]),
        },
        Line {
            label: s.figures[1].label,
            value: figure_text(&s.figures[1]),
        },
    ])];
    for t in &s.tallies {
        blocks.push(Block::Heading(t.title.into()));
        let rows: Vec<Row> = suppressed(t)
            .into_iter()
            .map(|(label, n)| Row::new(vec![label, n]))
            .collect();
        if rows.is_empty() {
            blocks.push(Block::Text("None in this period.".into()));
        } else {
            blocks.push(Block::Table(Table {
                columns: vec![t.column, "Count"],
                rows,
            }));
        }
    }
    blocks.push(Block::Heading("How small numbers are handled".into()));
    blocks.push(Block::Text(SUPPRESSION_NOTE.into()));
    Doc {
        title: "Safeguarding statistics (anonymised)".into(),
        meta: vec![
            Line {
                label: "Organisation",
                value: organisation.to_string(),
            },
            Line {
                label: "Period",
                value: period(s),
            },
            Line {
                label: "Produced on",
                value: present::when(at),
            },
        ],
        blocks,
        wide: false,
    }
}

/// The figures as CSV: section,category,count (suppressed counts as "<5").
pub fn csv(s: &Stats) -> String {
    let mut out = String::from("section,category,count\n");
    // A cell a spreadsheet would run as a formula (a leading =, +, -, @, tab or carriage
    // return) is written after an apostrophe, the usual guard: categories may one day be
    // free text (an agency's or platform's name), and the guard costs nothing when not.
    let quote = |v: &str| {
        let guard = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            "'"
        } else {
            ""
        };
        format!("\"{guard}{}\"", v.replace('"', "\"\""))
    };
    let _ = writeln!(out, "{},{},", quote("Period"), quote(&period(s)));
    let _ = writeln!(
        out,
        "{},{},{}",
        quote("Incidents reported"),
        quote("all"),
        quote(&shown(s.incidents))
    );
    for f in &s.figures {
        let _ = writeln!(
            out,
            "{},{},{}",
            quote(f.label),
            quote("median days"),
            quote(&figure_text(f))
        );
    }
    for t in &s.tallies {
        for (label, n) in suppressed(t) {
            let _ = writeln!(out, "{},{},{}", quote(t.title), quote(&label), quote(&n));
        }
    }
    let _ = writeln!(out, "{},{},", quote("Note"), quote(SUPPRESSION_NOTE));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tester4 #2: free text reaching the CSV must not run as a spreadsheet formula.
    #[test]
    fn a_cell_a_spreadsheet_would_run_is_guarded() {
        let s = Stats {
            tallies: vec![Tally {
                title: "t",
                column: "c",
                rows: vec![
                    ("=HYPERLINK(\"x\")".into(), 9),
                    ("@SUM(A1)".into(), 9),
                    ("Other agency".into(), 9),
                ],
                additive: true,
            }],
            from: None,
            to: None,
            incidents: 27,
            figures: Vec::new(),
        };
        let out = csv(&s);
        assert!(out.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{out}");
        assert!(out.contains("\"'@SUM(A1)\""), "{out}");
        assert!(out.contains("\"Other agency\""), "{out}");
    }

    #[test]
    fn small_counts_are_shown_as_under_five_and_a_lone_one_is_protected() {
        assert_eq!(shown(0), "0");
        assert_eq!(shown(4), "<5");
        assert_eq!(shown(5), "5");
        let t = Tally {
            title: "t",
            column: "c",
            rows: vec![("a".into(), 3), ("b".into(), 9), ("c".into(), 7)],
            additive: true,
        };
        let cells = suppressed(&t);
        assert_eq!(cells[0].1, "<5");
        assert_eq!(cells[2].1, "<5", "the next smallest is hidden too");
        assert_eq!(cells[1].1, "9");
        let t = Tally {
            additive: false,
            ..t
        };
        assert_eq!(suppressed(&t)[2].1, "7");
    }

    #[test]
    fn the_months_cover_the_whole_period_with_quiet_months_as_none() {
        // Tester2 finding 34: a period whose last month had no incident lost that month.
        let book = crate::demo::logbook().unwrap();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let today = crate::demo::demo_now().date();
        let (from, to) = (d(2025, 9, 1), d(2026, 8, 31));
        let s = compute(&book, Some(from), Some(to), today);
        let rows = &s.tallies[0].rows;
        assert_eq!(rows.len(), 12, "{rows:?}");
        assert_eq!(rows[0].0, "2025-09");
        assert_eq!(rows[11], ("2026-08".to_string(), 0));
        assert_eq!(rows.iter().map(|r| r.1).sum::<u64>(), s.incidents);
        // A period running past today stops at today's month.
        let s = compute(&book, Some(d(2026, 9, 1)), Some(d(2027, 8, 31)), today);
        let last = &s.tallies[0].rows.last().unwrap().0;
        assert_eq!(*last, today.format("%Y-%m").to_string());
        assert_eq!(
            months(Some(d(2026, 12, 31)), d(2026, 11, 1)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![3, 1, 2]), Some(2.0));
        assert_eq!(median(vec![4, 1, 2, 3]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }
}
