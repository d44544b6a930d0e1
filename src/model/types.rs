//! The record: every entity a safeguarding logbook holds, as plain serde data.
//!
//! Times typed by a person (when something happened, was reported, was
//! reviewed) are local wall-clock times without a zone, as a DSL writes them
//! in a paper chronology. Audit times carry their UTC offset so the trail is
//! unambiguous across clock changes.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A record shared between the logbook the app edits and the copies handed to the save
/// thread: copying a logbook copies pointers, not its text (a save at 50,000 incidents
/// would otherwise copy hundreds of megabytes on the screen's thread). Reading goes through
/// `Deref`; writing through `DerefMut`, which first copies the record if a save still holds
/// it (`Arc::make_mut`), so a change never reaches a copy being saved.
///
/// Serialized exactly as the record itself (no wrapper in the RON, so hashes and the file
/// are unchanged). The record types wipe themselves when dropped (`ZeroizeOnDrop`), so the
/// last holder of a shared record wipes it; `zeroize` wipes it at once when nothing else
/// holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct Shared<T>(std::sync::Arc<T>);

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        Shared(std::sync::Arc::new(value))
    }

    /// The record (for iterators: `.map(Shared::get)` gives `&T`).
    pub fn get(this: &Self) -> &T {
        &this.0
    }

    /// The record itself, copied only if something else still holds it.
    pub fn into_inner(this: Self) -> T
    where
        T: Clone,
    {
        std::sync::Arc::unwrap_or_clone(this.0)
    }

    /// Whether two handles are the same record in memory (not merely equal).
    pub fn same(a: &Self, b: &Self) -> bool {
        std::sync::Arc::ptr_eq(&a.0, &b.0)
    }

    /// Where the record is in memory. While another handle also holds the record, a change
    /// through this one copies it first, to a new address, and no other record can be given
    /// this one: so, compared against a copy that is still held, an unchanged address means
    /// the very same, unchanged record (see `vault::Tracker`).
    pub fn addr(this: &Self) -> usize {
        std::sync::Arc::as_ptr(&this.0) as usize
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Shared::new(value)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> std::ops::DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut T {
        std::sync::Arc::make_mut(&mut self.0)
    }
}

impl<T> AsRef<T> for Shared<T> {
    fn as_ref(&self) -> &T {
        &self.0
    }
}

impl<T> std::borrow::Borrow<T> for Shared<T> {
    fn borrow(&self) -> &T {
        &self.0
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Shared::new)
    }
}

impl<T: Zeroize> Zeroize for Shared<T> {
    fn zeroize(&mut self) {
        if let Some(value) = std::sync::Arc::get_mut(&mut self.0) {
            value.zeroize();
        }
    }
}

/// The audit trail as the logbook holds it.
pub type Trail = Vec<Shared<AuditEntry>>;

/// The format version this build writes. A file with a larger number was
/// written by a newer build and is refused rather than half-understood.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct Logbook {
    /// Always the first field, so a reader can tell the version before parsing the rest.
    pub format: u32,
    pub settings: Settings,
    #[serde(default)]
    pub people: Vec<Shared<Person>>,
    #[serde(default)]
    pub incidents: Vec<Shared<Incident>>,
    /// Records disposed of after their retention date: id and date only.
    #[serde(default)]
    pub tombstones: Vec<Tombstone>,
    #[serde(default)]
    pub audit: Trail,
    /// Passphrase logbooks only: the secret of the X25519 key their backups are encrypted
    /// to (see `backup`). Outside `Settings`, so no audit entry ever lists it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[zeroize(skip)]
    pub backup_key: Option<super::backup::BackupSecret>,
    /// Staff concerns taken in from the drop-box, whole, with the DSL's decision on each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub concerns: Vec<super::concern::ConcernRecord>,
    /// True while `audit` does not hold the file's trail: the app shows the records first
    /// and reads and checks the trail after (`vault::open_records`). Until the trail is in,
    /// no change can be made (`append_audit` refuses) and the logbook cannot be saved.
    /// Never written to the file.
    #[serde(skip)]
    pub trail_pending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub organisation: String,
    /// Staff who may record, by name or initials; "who is recording" is picked from these.
    #[serde(default)]
    pub staff: Vec<String>,
    #[serde(default = "default_review_days")]
    pub review_interval_days: u32,
    #[serde(default = "default_idle_lock")]
    pub idle_lock_minutes: u32,
    #[serde(default = "default_backup_days")]
    pub backup_interval_days: u32,
    #[serde(default = "default_backup_keep")]
    pub backup_keep: u32,
    /// Key mode: the X25519 public keys (age1...) the logbook is encrypted to.
    /// Empty in passphrase mode.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Public keys that can also open every backup (e.g. the chair of trustees' offline key).
    #[serde(default)]
    pub recovery_recipients: Vec<String>,
    #[serde(default)]
    pub retention: Retention,
    /// Passphrase mode: the public key (one of `recipients`) of the identity kept beside
    /// the logbook in `NAME.key.age`, encrypted with the passphrase. Empty in key mode.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub passphrase_key: String,
    /// Who holds each key (everyday or recovery): the name the audit trail records for
    /// changes made with it, and `logbook keys` lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holders: Vec<Holder>,
    /// The folder staff concerns arrive in (`logbook concern-setup`); empty when none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub concern_inbox: String,
}

/// The person who holds one key: its public key (age1...) and their name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
pub struct Holder {
    pub key: String,
    pub name: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn default_review_days() -> u32 {
    14
}
fn default_idle_lock() -> u32 {
    5
}
fn default_backup_days() -> u32 {
    7
}
fn default_backup_keep() -> u32 {
    10
}

impl Settings {
    pub fn new(organisation: impl Into<String>, staff: Vec<String>) -> Self {
        Settings {
            organisation: organisation.into(),
            staff,
            review_interval_days: default_review_days(),
            idle_lock_minutes: default_idle_lock(),
            backup_interval_days: default_backup_days(),
            backup_keep: default_backup_keep(),
            recipients: Vec::new(),
            recovery_recipients: Vec::new(),
            retention: Retention::default(),
            passphrase_key: String::new(),
            holders: Vec::new(),
            concern_inbox: String::new(),
        }
    }

    /// The holder named for the first of `public_keys` that has one: who records when the
    /// logbook is opened with those keys. The passphrase's own key is skipped: several
    /// people may know a passphrase, so it names no one.
    pub fn holder_of(&self, public_keys: &[String]) -> Option<String> {
        public_keys
            .iter()
            .filter(|k| **k != self.passphrase_key)
            .find_map(|k| self.holders.iter().find(|h| h.key == *k))
            .map(|h| h.name.clone())
    }

    /// The staff member or everyday key holder whom `typed` names, case, accents, Unicode
    /// form and spacing aside (`text::same_name`), spelt as the settings spell them: a DSL
    /// typing "sian ap rhys" on a UK keyboard is "Siân ap Rhys" of the staff list, not a
    /// second author in the trail who looks almost the same (tester4 #10). A name spelt
    /// exactly as typed comes first, so two staff told apart only by an accent stay two.
    pub fn known_name(&self, typed: &str) -> Option<&str> {
        let holders = self
            .holders
            .iter()
            .filter(|h| self.recipients.contains(&h.key) && h.key != self.passphrase_key);
        let names = self
            .staff
            .iter()
            .map(String::as_str)
            .chain(holders.map(|h| h.name.as_str()));
        crate::text::known_as(typed, names)
    }
}

/// Retention rules (IRMS toolkit defaults for UK schools and charities).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// A child's record is kept until the child reaches this age.
    pub child_until_age: u32,
    /// Allegations about staff: kept until this retirement age ...
    pub staff_retirement_age: u32,
    /// ... or this many years after the case closed, whichever is longer.
    pub staff_min_years: u32,
    /// Records about adults only: this many years after the case closed.
    pub adult_years: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            child_until_age: 25,
            staff_retirement_age: 67,
            staff_min_years: 10,
            adult_years: 6,
        }
    }
}

/// One person in the register, recorded once and linked from incidents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Stable id, P-NNNN.
    pub id: String,
    /// Pseudonymous reference: initials or first name plus a disambiguator, e.g. "JB (Y9)".
    pub reference: String,
    #[zeroize(skip)]
    pub age_group: AgeGroup,
    /// Needed to work out how long a child's record is kept.
    #[serde(default)]
    pub birth_year: Option<i32>,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub error: Option<EnteredInError>,
    /// School year group (R, N, Y1 to Y13) where the year of birth is not known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub year_group: String,
    /// A person taken in from another organisation's child protection file transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferred: Option<Transferred>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgeGroup {
    Child,
    YoungPerson,
    AdultAtRisk,
    Adult,
    Staff,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Subject,
    AllegedPerpetrator,
    Witness,
    Reporter,
    /// A child's parent or carer: told, supporting, or themselves the one posting (tester4
    /// #13: they had no role of their own). Added last: the stored names of the others are
    /// unchanged, so existing records read and hash as before.
    ParentOrCarer,
}

/// A person's part in one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Involvement {
    pub person: String,
    #[zeroize(skip)]
    pub role: Role,
}

/// The "4 Cs" of Keeping Children Safe in Education.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RiskArea {
    Content,
    Contact,
    Conduct,
    Commerce,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum IncidentType {
    Cyberbullying,
    HarassmentOrTrolling,
    Hate,
    NudeImageSharing,
    ChildAbuseImagery,
    SextortionOrBlackmail,
    GroomingOrExploitation,
    Fraud,
    ScamOrPhishing,
    IdentityMisuse,
    Doxxing,
    HarmfulContent,
    Radicalisation,
    MeetingOnlineContact,
    ExcessiveSpending,
    StaffBoundaryBreach,
    ServiceUserPerpetrator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    Open,
    Monitoring,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// INC-YYYY-NNNN: the year it was reported and its number within that year.
    pub id: String,
    /// When it happened, as far as is known.
    #[zeroize(skip)]
    pub occurred: NaiveDateTime,
    /// True when `occurred` is the best estimate rather than a known time.
    #[serde(default)]
    pub occurred_approximate: bool,
    #[zeroize(skip)]
    pub reported: NaiveDateTime,
    /// Who brought the concern (a role or initials, e.g. "Form tutor", "Parent of JB").
    pub reported_by: String,
    /// Which member of staff wrote the record.
    pub recorded_by: String,
    #[serde(default)]
    pub people: Vec<Involvement>,
    #[zeroize(skip)]
    pub risk_area: RiskArea,
    #[zeroize(skip)]
    pub types: Vec<IncidentType>,
    /// The platform or app where it happened, e.g. "Snapchat".
    #[serde(default)]
    pub platform: String,
    /// What happened, factually: who, what, when, where, in the reporter's words where possible.
    pub description: String,
    /// What was done straight away to keep people safe.
    #[serde(default)]
    pub immediate_action: String,
    #[zeroize(skip)]
    pub risk_level: RiskLevel,
    #[zeroize(skip)]
    pub status: Status,
    /// Set when the case is closed; closing needs an outcome.
    #[serde(default)]
    pub closure: Option<Closure>,
    #[serde(default)]
    pub checklist: Vec<ChecklistItem>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    #[serde(default)]
    pub reports: Vec<ReportingStep>,
    #[serde(default)]
    pub reviews: Vec<Review>,
    /// Ids of related incidents.
    #[serde(default)]
    pub related: Vec<String>,
    #[serde(default)]
    pub error: Option<EnteredInError>,
    /// A retention date set by hand for this incident, with the reason (see `retention`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionOverride>,
    /// An incident taken in from another organisation's child protection file transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferred: Option<Transferred>,
}

/// A retention date chosen for one incident instead of the rules' date (for example kept
/// longer for an inquiry or a claim), with why, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct RetentionOverride {
    #[zeroize(skip)]
    pub until: NaiveDate,
    pub reason: String,
    pub by: String,
    #[zeroize(skip)]
    pub set: NaiveDateTime,
}

/// Where a record taken in by a child protection file transfer came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Transferred {
    /// The sending organisation, as its logbook names itself.
    pub from: String,
    /// The record's number there (INC-... or P-...).
    pub source_id: String,
    /// When the sending DSL wrote the transfer, and who.
    #[zeroize(skip)]
    pub sent: NaiveDateTime,
    pub sent_by: String,
    /// SHA-256 of the transfer's contents: the same transfer is never taken in twice.
    pub transfer: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    #[zeroize(skip)]
    pub when: NaiveDateTime,
    pub by: String,
    pub outcome: String,
}

/// A record that turned out to be mistaken stays in the logbook, marked, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct EnteredInError {
    #[zeroize(skip)]
    pub when: NaiveDateTime,
    pub by: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub step: String,
    pub state: StepState,
    /// Ticks (or "not applicable"s) taken back as entered in error, oldest first: what the
    /// step said, and who marked it so, when and why. The step is open again; the record
    /// keeps what was claimed (tester4 #22). Absent when none, so older hashes hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub struck: Vec<StruckStep>,
}

/// A checklist step's state marked entered in error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct StruckStep {
    pub was: StepState,
    pub error: EnteredInError,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum StepState {
    Open,
    Done {
        by: String,
        when: NaiveDateTime,
    },
    NotApplicable {
        by: String,
        when: NaiveDateTime,
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EvidenceKind {
    Screenshot,
    MessageLog,
    Url,
    Email,
    File,
    Statement,
    Note,
    /// A concern a member of staff wrote through the drop-box, kept verbatim.
    StaffConcern,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// EV-N within the incident.
    pub id: String,
    #[zeroize(skip)]
    pub kind: EvidenceKind,
    pub description: String,
    /// Where it came from: platform, URL or account.
    #[serde(default)]
    pub source: String,
    #[zeroize(skip)]
    pub captured: NaiveDateTime,
    pub captured_by: String,
    /// Where the item is kept (e.g. "Safeguarding safe, envelope 12"). For imagery of
    /// children: where the material is online or which device holds it, never a copy.
    pub kept_at: String,
    #[serde(default)]
    pub file: Option<FileFingerprint>,
    #[serde(default)]
    pub custody: Vec<CustodyEvent>,
    #[serde(default)]
    pub error: Option<EnteredInError>,
    /// A screenshot or file kept on a case where a copy of the imagery is itself an
    /// indecent image of a child, saved after the warning said so (tester4 #7): every
    /// printout marks it. Left out when false, so items without it hash as before.
    #[serde(default, skip_serializing_if = "is_false")]
    pub imagery_copy: bool,
}

/// SHA-256 and size of a registered file, so a later copy can be shown to be the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct FileFingerprint {
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct CustodyEvent {
    #[zeroize(skip)]
    pub when: NaiveDateTime,
    /// What happened to the item, e.g. "Handed to PC 1234 Smith".
    pub event: String,
    #[serde(default)]
    pub reference: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Agency {
    Police999,
    Police101,
    Ceop,
    Iwf,
    ReportRemove,
    ActionFraud,
    ReportHarmfulContent,
    Platform,
    ChildrensSocialCare,
    AdultSocialCare,
    Lado,
    Prevent,
    NspccHelpline,
    ProfessionalsOnlineSafetyHelpline,
    RevengePornHelpline,
    /// Any other body (Early Help, CAMHS, another school, a helpline): its name is in the
    /// step's `agency_name`.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Decision {
    Referred,
    /// Considered and not referred; the reason is required.
    NotReferred,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Method {
    Phone,
    OnlineForm,
    Email,
    InPerson,
    Letter,
}

/// A report made to an outside body, or a considered decision not to refer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct ReportingStep {
    /// RS-N within the incident.
    pub id: String,
    #[zeroize(skip)]
    pub agency: Agency,
    /// The name of an `Agency::Other`, e.g. "Early Help".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub agency_name: String,
    #[zeroize(skip)]
    pub decision: Decision,
    #[zeroize(skip)]
    pub when: NaiveDateTime,
    pub by: String,
    #[serde(default)]
    #[zeroize(skip)]
    pub method: Option<Method>,
    /// The agency's reference (crime reference, incident number, report id).
    #[serde(default)]
    pub reference: String,
    /// Who was spoken to, or the address written to.
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub follow_up_owed: bool,
    /// The agency will give its reference later: the step may be saved without it, and the
    /// reference is listed as awaited until `add_reference` records it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub reference_awaited: bool,
    /// Why the concern was not referred (required for NotReferred).
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub error: Option<EnteredInError>,
    /// Why a referral was made later than the agency's timescale (LADO: one working day
    /// after the report), as the form asks (tester4 #6). Left out when empty, so steps
    /// without it hash as before.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub delay_reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReviewDecision {
    ContinueMonitoring,
    Escalate,
    Close,
}

/// A safeguarding follow-up review: scheduled with a due date, then held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// RV-N within the incident.
    pub id: String,
    #[zeroize(skip)]
    pub due: NaiveDate,
    #[serde(default)]
    #[zeroize(skip)]
    pub held: Option<NaiveDateTime>,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    #[zeroize(skip)]
    pub risk_now: Option<RiskLevel>,
    #[serde(default)]
    #[zeroize(skip)]
    pub decision: Option<ReviewDecision>,
    #[serde(default)]
    #[zeroize(skip)]
    pub next_review: Option<NaiveDate>,
    #[serde(default)]
    pub error: Option<EnteredInError>,
    /// A review taken out of the diary before it was held: when, by whom and why.
    /// (Added after format 1 was first written: absent when unset, so older hashes hold.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<EnteredInError>,
    /// Each time the review was moved to another date before it was held, oldest first
    /// (tester4 #21: a move used to leave no trace on the record, so an overdue review moved
    /// on counted as on time). Absent when never moved, so older hashes hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moves: Vec<ReviewMove>,
}

/// A review moved from one date to another before it was held: when, by whom and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct ReviewMove {
    #[zeroize(skip)]
    pub from: NaiveDate,
    #[zeroize(skip)]
    pub to: NaiveDate,
    #[zeroize(skip)]
    pub when: NaiveDateTime,
    pub by: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct Tombstone {
    pub id: String,
    #[zeroize(skip)]
    pub disposed: NaiveDate,
    /// Who disposed of the record, and under which retention rule. The disposal is an
    /// audit entry whose state is this tombstone's hash, so `verify` can check it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub by: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rule: String,
}

/// What an audit entry is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Subject {
    Incident(String),
    Person(String),
    Settings,
    /// A staff concern taken in, by its receipt.
    Concern(String),
}

/// One change to a field: its path within the subject, and the values before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

/// One link of the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    pub seq: u64,
    #[zeroize(skip)]
    pub at: DateTime<FixedOffset>,
    pub by: String,
    pub subject: Subject,
    pub action: String,
    #[serde(default)]
    pub changes: Vec<FieldChange>,
    /// SHA-256 (hex) of the subject's canonical state after this change.
    pub state: super::audit::HashHex,
    /// SHA-256 (hex) over the previous entry's hash and this entry's canonical bytes.
    pub hash: super::audit::HashHex,
    /// Set when the entry's content (action, changes, state) was removed because its
    /// subject was disposed of: the number of the disposal entry that removed it, which
    /// records this entry's link so `verify` can still check the chain (see
    /// `model::redact`). Never part of an entry's hash, and absent from entries that keep
    /// their content, so they are written and hashed exactly as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[zeroize(skip)]
    pub redacted: Option<u64>,
}

// Enums that carry text wipe the text of whichever variant they hold.
impl Zeroize for StepState {
    fn zeroize(&mut self) {
        match self {
            StepState::Open => {}
            StepState::Done { by, .. } => by.zeroize(),
            StepState::NotApplicable { by, reason, .. } => {
                by.zeroize();
                reason.zeroize();
            }
        }
    }
}

impl Zeroize for Subject {
    fn zeroize(&mut self) {
        match self {
            Subject::Incident(id) | Subject::Person(id) | Subject::Concern(id) => id.zeroize(),
            Subject::Settings => {}
        }
    }
}
