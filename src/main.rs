//! `logbook`: parses the command line and hands it to the library; prints any error as one
//! sentence on stderr and exits with the code the command-line contract gives it.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = logbook::cli::Cli::parse();
    let mut stdout = std::io::stdout().lock();
    match logbook::cli::run(cli, &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("logbook: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
