//! Synthetic logbooks of any size, for benchmarks and scale tests: realistic shapes and
//! sizes (1-4 people per incident from a register of N/2, 0-6 evidence items, 0-4
//! reporting steps, 0-6 reviews, 5-20 audit entries, descriptions of 200-2,000
//! characters) and a genuine audit trail. The same seed always gives the same logbook.

use chrono::{Datelike, Duration, NaiveDateTime};

use crate::model::*;
use crate::reference::{IssuesReference, Reference};

/// SplitMix64: small, fast and reproducible; quality is ample for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const STAFF: [&str; 3] = ["RO", "KW", "DM"];
const PLATFORMS: [&str; 10] = [
    "Snapchat",
    "Instagram",
    "TikTok",
    "WhatsApp",
    "Discord",
    "Roblox",
    "Xbox Live",
    "Facebook",
    "Email",
    "Text message",
];
const SENTENCES: [&str; 12] = [
    "The pupil reported receiving repeated messages from an account they did not recognise.",
    "A member of staff was shown the messages on the pupil's phone during the lunch break.",
    "The messages contained name-calling and comments about the pupil's appearance.",
    "The pupil said \"it has been going on since half term and it is getting worse\".",
    "Screenshots were taken by the pupil before the account was blocked.",
    "A parent telephoned the office to say that their child was upset and did not want to come to school.",
    "The group chat was created by a pupil in the same year and has around thirty members.",
    "The pupil has been offered support from the pastoral team and a trusted adult has been named.",
    "No other pupils have come forward at this stage; the form tutor will keep the group under observation.",
    "The account posted the pupil's school and the road where they live in a public comment.",
    "The pupil was asked to pay money and was told that images would be shared if they did not.",
    "The pupil was not asked to delete anything and the device was kept switched off.",
];

fn sentence_text(rng: &mut Rng, min: usize, max: usize) -> String {
    let target = rng.range(min as u64, max as u64) as usize;
    let mut text = String::new();
    while text.len() < target {
        if !text.is_empty() {
            text.push(' ');
        }
        let s: &&str = rng.pick(&SENTENCES);
        text.push_str(s);
    }
    // Cut on a character boundary at the target length, within bounds.
    let mut end = target.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

fn later(rng: &mut Rng, t: NaiveDateTime, max_hours: u64, limit: NaiveDateTime) -> NaiveDateTime {
    (t + Duration::minutes(rng.range(5, max_hours * 60) as i64)).min(limit)
}

/// A logbook of `n` incidents reported over the 18 months before `now`.
pub fn generate(n: usize, seed: u64, now: NaiveDateTime) -> Result<Logbook, Invalid> {
    let mut rng = Rng(seed);
    let reference = Reference::get();
    let mut settings = Settings::new(
        "Synthetic Multi-Academy Trust",
        STAFF.iter().map(|s| s.to_string()).collect(),
    );
    settings.review_interval_days = 14;
    let mut records = Logbook::new(settings);

    let register = (n / 2).max(1);
    // (one person even for n = 0, so the register is never trivially empty)
    for i in 0..register {
        let age_group = *rng.pick(&[
            AgeGroup::Child,
            AgeGroup::Child,
            AgeGroup::YoungPerson,
            AgeGroup::Adult,
            AgeGroup::Staff,
            AgeGroup::Unknown,
        ]);
        let birth_year = matches!(age_group, AgeGroup::Child | AgeGroup::YoungPerson)
            .then(|| now.year() - rng.range(11, 18) as i32);
        records.people.push(crate::model::Shared::new(Person {
            id: format!("P-{:06}", i + 1),
            reference: format!(
                "{}{} ({})",
                (b'A' + (i % 26) as u8) as char,
                (b'A' + (i / 26 % 26) as u8) as char,
                i + 1
            ),
            age_group,
            birth_year,
            notes: String::new(),
            error: None,
            year_group: String::new(),
            transferred: None,
        }));
    }

    let span_minutes = 18 * 30 * 24 * 60;
    let mut reported: Vec<NaiveDateTime> = (0..n)
        .map(|_| now - Duration::minutes(rng.range(60 * 24, span_minutes) as i64))
        .collect();
    reported.sort();
    let mut per_year: std::collections::HashMap<i32, u32> = Default::default();

    for reported in reported {
        let year = reported.year();
        let number = per_year.entry(year).or_insert(0);
        *number += 1;
        let id = format!("INC-{year}-{number:04}");
        let kind = *rng.pick(IncidentType::ALL);
        let info = reference.incident_type(kind);
        let who = rng.pick(&STAFF).to_string();
        let occurred = reported - Duration::minutes(rng.range(0, 72 * 60) as i64);

        let mut people = Vec::new();
        for role in [
            Role::Subject,
            Role::AllegedPerpetrator,
            Role::Witness,
            Role::Reporter,
        ]
        .iter()
        .take(rng.range(1, 4) as usize)
        {
            let person = format!("P-{:06}", rng.range(1, register as u64));
            if !people.iter().any(|p: &Involvement| p.person == person) {
                people.push(Involvement {
                    person,
                    role: *role,
                });
            }
        }

        let mut t = reported;
        let mut evidence = Vec::new();
        for k in 0..rng.range(0, 6) {
            t = later(&mut rng, t, 48, now);
            let imagery = info.imagery;
            evidence.push(Evidence {
                imagery_copy: false,
                id: format!("EV-{}", k + 1),
                kind: if imagery {
                    EvidenceKind::Url
                } else {
                    *rng.pick(EvidenceKind::ALL)
                },
                description: sentence_text(&mut rng, 40, 160),
                source: rng.pick(&PLATFORMS).to_string(),
                captured: t,
                captured_by: who.clone(),
                kept_at: if imagery {
                    "Location recorded only: not viewed or copied".into()
                } else {
                    format!("Safeguarding safe, envelope {id}")
                },
                file: None,
                custody: Vec::new(),
                error: None,
            });
        }
        let mut reports = Vec::new();
        for k in 0..rng.range(0, 4) {
            t = later(&mut rng, t, 48, now);
            let agency = if info.agencies.is_empty() {
                // Named agencies only (an "other" one needs a name), in their original order,
                // so a seed gives the same logbook as before `Other` existed.
                *rng.pick(&Agency::ALL[..Agency::ALL.len() - 1])
            } else {
                *rng.pick(&info.agencies)
            };
            let referred = rng.chance(80);
            let needs_ref = reference.agency(agency).issues_reference == IssuesReference::Always;
            reports.push(ReportingStep {
                delay_reason: String::new(),
                id: format!("RS-{}", k + 1),
                agency,
                agency_name: String::new(),
                decision: if referred {
                    Decision::Referred
                } else {
                    Decision::NotReferred
                },
                when: t,
                by: who.clone(),
                method: referred.then_some(Method::OnlineForm),
                reference: if referred && (needs_ref || rng.chance(50)) {
                    format!("REF{:010}", rng.next() % 10_000_000_000)
                } else {
                    String::new()
                },
                contact: String::new(),
                outcome: if referred {
                    "Report acknowledged".into()
                } else {
                    String::new()
                },
                follow_up_owed: rng.chance(30),
                reference_awaited: false,
                reason: if referred {
                    String::new()
                } else {
                    "Threshold not met: managed in school with parents informed".into()
                },
                error: None,
            });
        }

        let mut reviews = Vec::new();
        let mut due = reported.date() + Duration::days(14);
        let mut closure = None;
        let review_count = rng.range(0, 6);
        for k in 0..review_count {
            let id = format!("RV-{}", k + 1);
            let held_at = (due + Duration::days(rng.range(0, 5) as i64))
                .and_hms_opt(15, 30, 0)
                .unwrap_or(now);
            if held_at >= now || k + 1 == review_count && rng.chance(40) {
                reviews.push(Review::scheduled(id, due));
                break;
            }
            let last = k + 1 == review_count;
            let close = last && rng.chance(60);
            let next = due + Duration::days(14);
            reviews.push(Review {
                id,
                due,
                held: Some(held_at),
                by: who.clone(),
                outcome: sentence_text(&mut rng, 40, 200),
                risk_now: Some(*rng.pick(RiskLevel::ALL)),
                decision: Some(if close {
                    ReviewDecision::Close
                } else {
                    ReviewDecision::ContinueMonitoring
                }),
                next_review: (!close).then_some(next),
                error: None,
                cancelled: None,
                moves: Vec::new(),
            });
            if close {
                closure = Some(Closure {
                    when: held_at,
                    by: who.clone(),
                    outcome: "Concern resolved; no further action".into(),
                });
                break;
            }
            due = next;
            if last {
                // Every case still open has its next review in the diary.
                reviews.push(Review::scheduled(format!("RV-{}", k + 2), due));
            }
        }
        let end = closure.as_ref().map_or(now, |c: &Closure| c.when);
        // Tick enough steps, at their own times, for 5-20 audit entries in all.
        let steps = reference.checklist_for(&[kind]);
        let mut tick_time = reported;
        let checklist = steps
            .into_iter()
            .map(|step| {
                let state = if rng.chance(70) {
                    tick_time = later(&mut rng, tick_time, 24, end);
                    StepState::Done {
                        by: who.clone(),
                        when: tick_time,
                    }
                } else {
                    StepState::Open
                };
                ChecklistItem {
                    step,
                    state,
                    struck: Vec::new(),
                }
            })
            .collect();

        records.incidents.push(crate::model::Shared::new(Incident {
            id,
            occurred,
            occurred_approximate: rng.chance(20),
            reported,
            reported_by: rng
                .pick(&["Form tutor", "Parent", "Self-referral", "Support worker"])
                .to_string(),
            recorded_by: who,
            people,
            risk_area: info.risk_area,
            types: vec![kind],
            platform: rng.pick(&PLATFORMS).to_string(),
            description: sentence_text(&mut rng, 200, 2000),
            immediate_action: sentence_text(&mut rng, 40, 200),
            risk_level: *rng.pick(RiskLevel::ALL),
            status: if closure.is_some() {
                Status::Closed
            } else if reviews.iter().any(|r| r.held.is_some()) {
                Status::Monitoring
            } else {
                Status::Open
            },
            closure,
            checklist,
            evidence,
            reports,
            reviews,
            related: Vec::new(),
            error: None,
            retention: None,
            transferred: None,
        }));
    }
    super::with_history(records, now)
}
