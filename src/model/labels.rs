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

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Incident(id) | Subject::Person(id) => f.write_str(id),
            Subject::Concern(receipt) => write!(f, "concern {receipt}"),
            Subject::Settings => f.write_str("settings"),
        }
    }
}
