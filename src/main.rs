//! `logbook`: parses the command line and hands it to the library; prints any error as one
//! sentence on stderr and exits with the code the command-line contract gives it.

#![forbid(unsafe_code)]

use std::process::ExitCode;

/// Keeps the records in memory out of core files and away from other processes of the same
/// user: no core dump (RLIMIT_CORE 0, also for `kill -QUIT`), and not dumpable
/// (PR_SET_DUMPABLE 0), which also stops same-user ptrace and /proc/PID/mem reads. Done
/// before anything secret is read. A failure is said, not hidden; the program still runs.
fn harden() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{
            DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit,
        };
        let none = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        if let Err(e) = setrlimit(Resource::Core, none) {
            eprintln!("logbook: warning: could not turn off core dumps ({e}).");
        }
        if let Err(e) = set_dumpable_behavior(DumpableBehavior::NotDumpable) {
            eprintln!("logbook: warning: could not protect this process's memory ({e}).");
        }
    }
}

fn main() -> ExitCode {
    harden();
    let cli = logbook::cli::Cli::from_args();
    let mut stdout = std::io::stdout().lock();
    match logbook::cli::run(cli, &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Paths and names inside the message are anyone's bytes: shown escaped.
            eprintln!("logbook: {}", logbook::text::line(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}
