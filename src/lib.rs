//! safeguard-logbook: an age-encrypted logbook of online-abuse incidents for a Designated
//! Safeguarding Lead. `model` holds the record and its rules, `vault` the encrypted file,
//! `reference` the agencies and incident types shipped in `data/`.

#![forbid(unsafe_code)]

pub mod backup;
pub mod cli;
pub mod concern;
pub mod demo;
pub mod error;
pub mod model;
pub mod present;
pub mod reference;
pub mod report;
pub mod strength;
pub mod text;
pub mod tui;
pub mod vault;
