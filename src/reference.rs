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
    fn a_missing_agency_is_refused() {
        let err = Reference::parse("[]", INCIDENT_TYPES_RON).unwrap_err();
        assert!(err.contains("Police999"), "{err}");
    }
}
