//! `logbook unlink`: removes a person linked to an incident by mistake, with the reason
//! (`Logbook::unlink_person`). The person stays in the register; the audit trail keeps that
//! they were linked, in which role, and why the link was removed (tester3 #46).

use std::io::Write;

use clap::{Args, ValueEnum};

use super::args::Global;
use super::{now, open, operator, stdout_error};
use crate::error::{Error, Result};
use crate::model::{Role, Stamp};
use crate::text::line;
use crate::vault::Access;

#[derive(Debug, Args)]
pub struct UnlinkArgs {
    /// The incident (INC-YYYY-NNNN).
    #[arg(value_name = "INC-ID")]
    pub incident: String,
    /// The person linked by mistake (P-NNNN).
    #[arg(value_name = "P-ID")]
    pub person: String,
    /// Why the link is removed (kept in the audit trail), e.g. "Wrong pupil linked".
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// The link to remove, when the person is linked in more than one role.
    #[arg(long, value_enum)]
    pub role: Option<RoleArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Subject,
    AllegedPerpetrator,
    Witness,
    Reporter,
    ParentOrCarer,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Subject => Role::Subject,
            RoleArg::AllegedPerpetrator => Role::AllegedPerpetrator,
            RoleArg::Witness => Role::Witness,
            RoleArg::Reporter => Role::Reporter,
            RoleArg::ParentOrCarer => Role::ParentOrCarer,
        }
    }
}

pub fn unlink(global: &Global, args: UnlinkArgs, out: &mut dyn Write) -> Result<()> {
    let id = args.incident.trim().to_ascii_uppercase();
    let person = args.person.trim().to_ascii_uppercase();
    let (mut vault, mut logbook, key) = open(global, Access::Write)?;
    if logbook.incident(&id).is_none() {
        return Err(Error::Usage(
            match logbook.tombstones.iter().find(|t| t.id == id) {
                Some(t) => super::print::disposed(t),
                None => format!(
                    "There is no incident {} in this logbook: `logbook list` shows the numbers.",
                    line(&id)
                ),
            },
        ));
    }
    let by = operator(global, Some(&key), &logbook.settings)?;
    let role = logbook
        .unlink_person(
            &Stamp::new(by, now()),
            &id,
            &person,
            args.role.map(Role::from),
            &args.reason,
        )
        .map_err(|mut e| {
            if e.field == "role" {
                // The app asks by the row selected; here the role is an option.
                e.message = format!("{}: give it with --role", e.message);
            }
            super::words::reword(
                e.into(),
                super::words::Given::Options(&[("reason", "--reason")]),
            )
        })?;
    vault.save(&logbook)?;
    let left = logbook.incident(&id).map_or(0, |i| i.people.len());
    writeln!(
        out,
        "{} is no longer linked to {id} (was {}); the person stays in the register, and the audit trail keeps the link and your reason. {id} now links {}.",
        line(&person),
        role.label(),
        super::print::count(left as u64, "person", "people")
    )
    .map_err(stdout_error)
}
