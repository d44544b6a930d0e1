//! `logbook clock`: the computer's clock against the last change, and the audited way out
//! when a change was saved while the clock ran ahead (`model::clock`).

use std::io::Write;

use super::args::Global;
use super::{now, open, operator, stdout_error};
use crate::error::{Error, Result};
use crate::model::{Stamp, dates};
use crate::text::line;
use crate::vault::Access;

pub fn clock(
    global: &Global,
    confirm: bool,
    reason: Option<String>,
    out: &mut dyn Write,
) -> Result<()> {
    let access = if confirm { Access::Write } else { Access::Read };
    let (mut vault, mut logbook, key) = open(global, access)?;
    let at = now();
    let last = logbook.audit.last().map(|e| e.at);
    // Who would confirm is asked only when there is something to confirm.
    let behind = logbook.clock_behind(&Stamp::new("", at));
    let Some(ahead) = behind else {
        let last = last.map_or_else(|| "none".to_string(), |l| dates::exact(&l));
        writeln!(
            out,
            "The clock reads {}, not before the last change in this logbook ({last}): changes can be saved; there is nothing to confirm.",
            dates::exact(&at)
        )
        .map_err(stdout_error)?;
        if confirm {
            return Err(Error::Usage(
                "Nothing was recorded: --confirm is only for a clock that reads before the last change.".into(),
            ));
        }
        return Ok(());
    };
    if !confirm {
        writeln!(
            out,
            "The clock reads {}, before the last change in this logbook ({}), so changes are refused. If the clock is wrong, correct it. If it is right (that change was saved while it ran ahead), record so: logbook clock --confirm --reason TEXT",
            dates::exact(&at),
            dates::exact(&ahead)
        )
        .map_err(stdout_error)?;
        return Ok(());
    }
    let by = operator(global, Some(&key), &logbook.settings)?;
    let stamp = Stamp::new(by, at);
    logbook
        .correct_clock(&stamp, reason.as_deref().unwrap_or_default())
        .map_err(|e| Error::Usage(format!("{}: nothing was recorded.", line(&e.message))))?;
    vault.save(&logbook)?;
    writeln!(
        out,
        "Recorded that the clock is right at {} (the last change was dated {}); changes are saved again from now.",
        dates::exact(&at),
        dates::exact(&ahead)
    )
    .map_err(stdout_error)?;
    Ok(())
}
