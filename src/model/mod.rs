//! The record and its rules: plain data, validation, the audit chain. No files, no
//! terminal, no clock: time comes in as a `Stamp` or a `now` argument.

mod audit;
mod backup;
pub mod chronology;
mod clock;
mod commands;
mod concern;
pub mod dates;
mod export;
mod flatten;
mod labels;
pub use labels::stored_label;
mod ops;
pub mod query;
mod redact;
mod retention;
mod transfer;
mod types;
mod validate;

pub use audit::{
    AuditFault, GENESIS, HashHex, Head, RonSink, Stamp, Unencodable, canonical, entry_hash,
    pretty_ron, sha256_hex, state_hash,
};
pub use audit::{EncodedRon, pretty_ron_item};
pub use backup::{BackupSecret, Divergence};
pub use commands::{
    Entry, EvidenceDetails, HeldReview, Owed, PersonDetails, StepDetails, Summary, initials,
};
pub use concern::{Concern, ConcernOutcome, ConcernRecord, RECEIPT_ALPHABET, TakeIn, is_receipt};
pub use flatten::{diff, diff_all, flatten};
pub use ops::{Timeliness, id_order};
pub use redact::REDACTED_ACTION;
pub use retention::{Kept, PlainExport, Until, latest_birth_year};
pub use transfer::{
    Joined, RECORDS_START, Received, TRANSFER_ACKNOWLEDGED, TRANSFER_KIND, TRANSFER_SENT,
    TransferDocument, TransferFile, embed_records, embedded_len, name_where_kept, transfer_records,
};
pub use types::*;
pub use validate::{
    Context, Invalid, MAX_IDLE_LOCK_MINUTES, is_incident_id, is_item_id, is_person_id,
    is_year_group, summary_refusals, year_group,
};
