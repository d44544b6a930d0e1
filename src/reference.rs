//! Reference data shipped in `data/`: the outside bodies a concern may be reported to,
//! and the incident types with their 4 Cs risk area and response checklist.
//!
//! The files are embedded at build time so the binary carries them, and parsed once.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{Agency, IncidentType, RiskArea};

const AGENCIES_RON: &str = include_str!("../data/agencies.ron");
const INCIDENT_TYPES_RON: &str = include_str!("../data/incident_types.ron");

/// Whether an agency gives a reference number when a concern is reported to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum IssuesReference {
    /// A reference is always given; a referral without one is refused.
    Always,
    /// Sometimes (e.g. IWF only when an email address is left); recorded when given.
    Sometimes,
    Never,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AgencyInfo {
    pub agency: Agency,
    pub name: String,
    pub when_to_use: String,
    pub phone: String,
    pub web: String,
    pub issues_reference: IssuesReference,
    /// What the reference looks like, e.g. "NFRC followed by 12 digits".
    pub reference_format: String,
    /// How soon it must be contacted, where a timescale applies (empty otherwise).
    pub timescale: String,
    /// The timescale as a count of working days (Monday to Friday) after the concern was
    /// reported, where one applies to every referral (LADO: 1); a step made later is
    /// marked late and the form asks why (tester4 #6).
    #[serde(default)]
    pub within_working_days: Option<u32>,
    /// Other names people use for it (former names, acronyms), for finding it by any.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The shape its references take, where it is stated: a fixed prefix, then digits.
    #[serde(default)]
    pub reference_pattern: Option<ReferencePattern>,
}

/// A reference format an agency states, e.g. NFRC followed by 12 digits.
#[derive(Debug, Clone, Deserialize)]
pub struct ReferencePattern {
    pub prefix: String,
    pub digits: usize,
    /// False where the format is usual rather than guaranteed: the warning says "may".
    pub certain: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IncidentTypeInfo {
    pub kind: IncidentType,
    pub name: String,
    pub risk_area: RiskArea,
    pub description: String,
    /// True for nude-image and abuse-imagery types: never view, copy, save or forward the
    /// imagery; record where it is and report it.
    pub imagery: bool,
    /// True where a copy of the material is itself an indecent image of a child (nudes,
    /// abuse imagery, sextortion): a screenshot or file kept as evidence is asked about
    /// before it is saved, and marked (tester4 #7).
    #[serde(default)]
    pub indecent_copies: bool,
    /// Outside bodies usually involved.
    pub agencies: Vec<Agency>,
    pub checklist: Vec<String>,
}

/// All reference data, parsed once.
#[derive(Debug)]
pub struct Reference {
    pub agencies: Vec<AgencyInfo>,
    pub incident_types: Vec<IncidentTypeInfo>,
}

/// The rule shown wherever imagery of children may be involved.
pub const IMAGERY_RULE: &str = "Never view, copy, save or forward the imagery: record where it is (URL, app, device) and report it to the IWF, Report Remove, CEOP or the police.";

/// Said before a screenshot or file is kept as evidence on a case whose imagery a copy
/// would reproduce (`IncidentTypeInfo::indecent_copies`), with what to record instead.
pub const COPY_WARNING: &str = "A screenshot or copy of the image is itself an indecent image of a child: do not keep it; record instead where the original is (URL, app, device), the report made (IWF, Report Remove, police) and what happens to any copy made (a custody event, e.g. deleted on police advice)";

/// Working days (Monday to Friday; no bank holidays are known) from the day of `from` to
/// the day of `to`: 0 on the same day or a weekend day after it, 1 on the next working day.
pub fn working_days_between(from: chrono::NaiveDate, to: chrono::NaiveDate) -> u32 {
    use chrono::{Datelike, Weekday};
    let mut n = 0;
    let mut day = from;
    while day < to {
        day = match day.succ_opt() {
            Some(d) => d,
            None => break,
        };
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            n += 1;
        }
    }
    n
}

impl Reference {
    /// The embedded reference data. Its validity is proven by the tests below, so a
    /// failure here is a build defect, not a user error.
    pub fn get() -> &'static Reference {
        static REFERENCE: OnceLock<Reference> = OnceLock::new();
        REFERENCE.get_or_init(|| {
            Reference::parse(AGENCIES_RON, INCIDENT_TYPES_RON)
                .unwrap_or_else(|e| panic!("embedded reference data is invalid: {e}"))
        })
    }

    pub fn parse(agencies: &str, incident_types: &str) -> Result<Reference, String> {
        let agencies: Vec<AgencyInfo> =
            ron::from_str(agencies).map_err(|e| format!("agencies.ron: {e}"))?;
        let incident_types: Vec<IncidentTypeInfo> =
            ron::from_str(incident_types).map_err(|e| format!("incident_types.ron: {e}"))?;
        let reference = Reference {
            agencies,
            incident_types,
        };
        reference.check()?;
        Ok(reference)
    }

    /// Every agency and every incident type appears exactly once, with its facts filled in.
    fn check(&self) -> Result<(), String> {
        for agency in Agency::ALL {
            let n = self.agencies.iter().filter(|a| a.agency == *agency).count();
            if n != 1 {
                return Err(format!("agencies.ron lists {agency:?} {n} times, not once"));
            }
        }
        for kind in IncidentType::ALL {
            let n = self
                .incident_types
                .iter()
                .filter(|t| t.kind == *kind)
                .count();
            if n != 1 {
                return Err(format!(
                    "incident_types.ron lists {kind:?} {n} times, not once"
                ));
            }
        }
        for a in &self.agencies {
            if a.agency == Agency::Other {
                // Its contact details are those of whichever body is named on the step.
                continue;
            }
            if a.name.trim().is_empty() || a.when_to_use.trim().is_empty() {
                return Err(format!(
                    "agencies.ron: {:?} needs a name and when to use it",
                    a.agency
                ));
            }
            if a.phone.trim().is_empty() && a.web.trim().is_empty() {
                return Err(format!(
                    "agencies.ron: {:?} needs a phone number or web address",
                    a.agency
                ));
            }
        }
        for t in &self.incident_types {
            if t.checklist.is_empty() {
                return Err(format!("incident_types.ron: {:?} has no checklist", t.kind));
            }
        }
        Ok(())
    }

    /// Agencies whose name, label or any alias contains `query` (case and spacing ignored),
    /// in the data's order: "report fraud", "action fraud" and "nfrc" all find Report Fraud.
    pub fn find_agencies(&self, query: &str) -> Vec<Agency> {
        let norm = |s: &str| {
            s.to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let q = norm(query);
        self.agencies
            .iter()
            .filter(|a| {
                std::iter::once(a.name.as_str())
                    .chain(std::iter::once(a.agency.label()))
                    .chain(a.aliases.iter().map(String::as_str))
                    .any(|name| norm(name).contains(&q))
            })
            .map(|a| a.agency)
            .collect()
    }

    /// A warning (never a refusal) when a reference does not look like the agency's stated
    /// format, naming the format; None when it fits or no format is stated.
    pub fn reference_warning(&self, agency: Agency, reference: &str) -> Option<String> {
        let info = self.agency(agency);
        let p = info.reference_pattern.as_ref()?;
        let r: String = reference.chars().filter(|c| !c.is_whitespace()).collect();
        if r.is_empty() {
            return None;
        }
        let fits = r
            .get(..p.prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(&p.prefix))
            && r[p.prefix.len()..].len() == p.digits
            && r[p.prefix.len()..].bytes().all(|b| b.is_ascii_digit());
        if fits {
            return None;
        }
        let label = agency.label();
        let shape = format!("{} followed by {} digits", p.prefix, p.digits);
        Some(if p.certain {
            format!("{label} references are {shape}: check the reference")
        } else {
            format!("{label} references are usually {shape}: check the reference")
        })
    }

    pub fn agency(&self, agency: Agency) -> &AgencyInfo {
        self.agencies
            .iter()
            .find(|a| a.agency == agency)
            .expect("check() proved every agency is present")
    }

    pub fn incident_type(&self, kind: IncidentType) -> &IncidentTypeInfo {
        self.incident_types
            .iter()
            .find(|t| t.kind == kind)
            .expect("check() proved every incident type is present")
    }

    /// The response checklist for a set of incident types, each step once, in order.
    pub fn checklist_for(&self, types: &[IncidentType]) -> Vec<String> {
        let mut steps: Vec<String> = Vec::new();
        for kind in types {
            for step in &self.incident_type(*kind).checklist {
                if !steps.contains(step) {
                    steps.push(step.clone());
                }
            }
        }
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_reference_data_parses_and_is_complete() {
        let r = Reference::parse(AGENCIES_RON, INCIDENT_TYPES_RON).unwrap();
        assert_eq!(r.agencies.len(), Agency::ALL.len());
        assert_eq!(r.incident_types.len(), IncidentType::ALL.len());
    }

    #[test]
    fn imagery_types_carry_the_never_copy_rule() {
        let r = Reference::get();
        for kind in [
            IncidentType::NudeImageSharing,
            IncidentType::ChildAbuseImagery,
        ] {
            let t = r.incident_type(kind);
            assert!(t.imagery, "{kind:?} must be marked as imagery");
            let text = t.checklist.join(" ").to_lowercase();
            assert!(
                text.contains("never") && text.contains("copy"),
                "{kind:?} checklist must say never copy"
            );
        }
    }

    #[test]
    fn action_fraud_and_lado_carry_their_facts() {
        let r = Reference::get();
        let af = r.agency(Agency::ActionFraud);
        assert_eq!(af.issues_reference, IssuesReference::Always);
        assert!(af.phone.contains("0300 123 2040"));
        assert!(af.reference_format.contains("NFRC"));
        assert!(r.agency(Agency::Lado).timescale.contains("one working day"));
    }

    #[test]
    fn agencies_are_found_by_any_of_their_names() {
        let r = Reference::get();
        for q in ["report fraud", "Action  Fraud", "nfrc", "fraud"] {
            assert_eq!(r.find_agencies(q), [Agency::ActionFraud], "{q}");
        }
        assert!(r.find_agencies("internet watch").contains(&Agency::Iwf));
        assert!(r.find_agencies("early help").contains(&Agency::Other));
        assert!(r.find_agencies("zzz").is_empty());
        assert!(Agency::ActionFraud.label().starts_with("Report Fraud"));
    }

    #[test]
    fn a_reference_off_the_stated_format_is_warned_about() {
        let r = Reference::get();
        let af = Agency::ActionFraud;
        assert_eq!(r.reference_warning(af, "NFRC260112345678"), None);
        assert_eq!(r.reference_warning(af, "nfrc 2601 1234 5678"), None);
        let w = r.reference_warning(af, "NFRC2601").unwrap();
        assert!(w.contains("NFRC followed by 12 digits"), "{w}");
        assert!(r.reference_warning(af, "CAD 118").is_some());
        assert_eq!(r.reference_warning(Agency::Police101, "anything"), None);
        assert_eq!(r.reference_warning(af, ""), None);
    }

    #[test]
    fn every_type_that_can_involve_imagery_carries_the_rule() {
        let r = Reference::get();
        for kind in [
            IncidentType::NudeImageSharing,
            IncidentType::ChildAbuseImagery,
            IncidentType::SextortionOrBlackmail,
            IncidentType::GroomingOrExploitation,
        ] {
            assert!(r.incident_type(kind).imagery, "{kind:?}");
        }
    }

    /// tester4 #6: working days are Monday to Friday after the day of the report.
    #[test]
    fn working_days_count_monday_to_friday_after_the_day() {
        let d = |day| chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        // 2026-11-24 is a Tuesday, 11-27 a Friday, 11-28 a Saturday, 11-30 a Monday.
        assert_eq!(working_days_between(d(24), d(24)), 0);
        assert_eq!(working_days_between(d(24), d(25)), 1);
        assert_eq!(working_days_between(d(24), d(27)), 3);
        assert_eq!(working_days_between(d(27), d(30)), 1, "Friday to Monday");
        assert_eq!(working_days_between(d(28), d(30)), 1, "Saturday to Monday");
        assert_eq!(working_days_between(d(30), d(24)), 0, "before the report");
        assert_eq!(
            Reference::get().agency(Agency::Lado).within_working_days,
            Some(1)
        );
    }

    #[test]
    fn a_missing_agency_is_refused() {
        let err = Reference::parse("[]", INCIDENT_TYPES_RON).unwrap_err();
        assert!(err.contains("Police999"), "{err}");
    }
}
