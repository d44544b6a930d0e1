//! Human words for the record's enums, and the lists of their values for pickers and checks.

use std::fmt;

use super::types::*;

/// Implements `ALL` and a human `label()` for a field-less enum, from one table, so a new
/// variant does not compile until it has its words.
macro_rules! labelled {
    ($ty:ident { $($variant:ident => $label:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn label(self) -> &'static str {
                match self {
                    $($ty::$variant => $label),+
                }
            }

            /// The variant whose stored name (as the file and the audit trail spell it)
            /// is `name`.
            pub fn from_name(name: &str) -> Option<$ty> {
                match name {
                    $(stringify!($variant) => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

labelled!(AgeGroup {
    Child => "Child",
    YoungPerson => "Young person",
    AdultAtRisk => "Adult at risk",
    Adult => "Adult",
    Staff => "Staff or volunteer",
    Unknown => "Not known",
});

labelled!(Role {
    Subject => "Subject",
    AllegedPerpetrator => "Alleged perpetrator",
    Witness => "Witness",
    Reporter => "Reporter",
    ParentOrCarer => "Parent or carer",
});

labelled!(RiskArea {
    Content => "Content",
    Contact => "Contact",
    Conduct => "Conduct",
    Commerce => "Commerce",
});

labelled!(IncidentType {
    Cyberbullying => "Cyberbullying",
    HarassmentOrTrolling => "Harassment or trolling",
    Hate => "Online hate",
    NudeImageSharing => "Sharing nudes or semi-nudes",
    ChildAbuseImagery => "Child sexual abuse imagery",
    SextortionOrBlackmail => "Sextortion or blackmail",
    GroomingOrExploitation => "Grooming or exploitation",
    Fraud => "Fraud",
    ScamOrPhishing => "Scam or phishing",
    IdentityMisuse => "Identity misuse",
    Doxxing => "Personal details published",
    HarmfulContent => "Harmful or triggering content",
    Radicalisation => "Radicalisation",
    MeetingOnlineContact => "Meeting an online contact",
    ExcessiveSpending => "Excessive online spending",
    StaffBoundaryBreach => "Staff professional-boundary breach",
    ServiceUserPerpetrator => "Service user as perpetrator",
});

labelled!(RiskLevel {
    Low => "Low",
    Medium => "Medium",
    High => "High",
    Critical => "Critical",
});

labelled!(Status {
    Open => "Open",
    Monitoring => "Monitoring",
    Closed => "Closed",
});

labelled!(EvidenceKind {
    Screenshot => "Screenshot",
    MessageLog => "Message log",
    Url => "URL",
    Email => "Email",
    File => "File",
    Statement => "Statement",
    Note => "Note",
    StaffConcern => "Staff concern",
});

labelled!(Agency {
    Police999 => "Police (999)",
    Police101 => "Police (101)",
    Ceop => "CEOP",
    Iwf => "IWF",
    ReportRemove => "Report Remove",
    ActionFraud => "Report Fraud (was Action Fraud)",
    ReportHarmfulContent => "Report Harmful Content",
    Platform => "Platform moderators",
    ChildrensSocialCare => "Children's social care / MASH",
    AdultSocialCare => "Adult social care",
    Lado => "LADO",
    Prevent => "Prevent",
    NspccHelpline => "NSPCC helpline",
    ProfessionalsOnlineSafetyHelpline => "Professionals Online Safety Helpline",
    RevengePornHelpline => "Revenge Porn Helpline",
    Other => "Other agency",
});

labelled!(Decision {
    Referred => "Referred",
    NotReferred => "Considered, not referred",
});

labelled!(Method {
    Phone => "Phone",
    OnlineForm => "Online form",
    Email => "Email",
    InPerson => "In person",
    Letter => "Letter",
});

labelled!(ReviewDecision {
    ContinueMonitoring => "Continue monitoring",
    Escalate => "Escalate",
    Close => "Close",
});

/// The human words for a value the audit trail stores under a field of one of the enums
/// above (`agency`: "Police101" is "Police (101)"), found by the field's own name, the last
/// part of its path; a list of them (`types`) word by word. None for any other field, and
/// for a value that is not one of the field's variants, so free text is never reworded.
pub fn stored_label(path: &str, value: &str) -> Option<String> {
    let name = path.rsplit('.').next().unwrap_or(path);
    let one = |v: &str| -> Option<&'static str> {
        match name {
            "age_group" => AgeGroup::from_name(v).map(AgeGroup::label),
            "role" => Role::from_name(v).map(Role::label),
            "risk_area" => RiskArea::from_name(v).map(RiskArea::label),
            "types" => IncidentType::from_name(v).map(IncidentType::label),
            "risk_level" | "risk_now" => RiskLevel::from_name(v).map(RiskLevel::label),
            "status" => Status::from_name(v).map(Status::label),
            "kind" => EvidenceKind::from_name(v).map(EvidenceKind::label),
            "agency" => Agency::from_name(v).map(Agency::label),
            "decision" => Decision::from_name(v)
                .map(Decision::label)
                .or_else(|| ReviewDecision::from_name(v).map(ReviewDecision::label)),
            "method" => Method::from_name(v).map(Method::label),
            _ => None,
        }
    };
    let words: Option<Vec<&str>> = value.split(", ").map(one).collect();
    words.map(|w| w.join(", "))
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Incident(id) | Subject::Person(id) => f.write_str(id),
            Subject::Concern(receipt) => write!(f, "concern {receipt}"),
            Subject::Settings => f.write_str("settings"),
        }
    }
}
