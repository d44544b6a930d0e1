//! The command-line contract (see DESIGN.md): global options, subcommands, help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "logbook",
    version,
    about = "An encrypted logbook of cyberbullying and online-abuse incidents for a Designated Safeguarding Lead.",
    long_about = "An encrypted logbook of cyberbullying and online-abuse incidents for a Designated Safeguarding Lead (DSL).\n\n\
The logbook is one age-encrypted file, opened with a passphrase or with an age identity (key) file. \
Nothing is ever written to disk unencrypted. Every change is kept in an audit trail that `logbook verify` checks.",
    after_help = "Examples:\n  \
logbook demo                                  try the app on a fictional logbook\n  \
logbook init                                  create a logbook protected by a passphrase\n  \
logbook keygen --out ~/dsl.key                make a key file; keep it safe\n  \
logbook init --recipient age1...              create a logbook opened with key files\n  \
logbook --identity ~/dsl.key list --overdue   cases whose review is overdue\n  \
logbook show INC-2026-0007                    one incident in full\n  \
logbook verify                                check the file and its audit trail\n\n\
Exit codes: 0 done; 1 a check failed; 2 usage or refused input; 3 wrong passphrase or key; \
4 damaged or unreadable file; 5 locked by another process; 6 disk or file-system failure."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Global {
    /// The logbook file [default: logbook.age in your data folder].
    #[arg(long, global = true, value_name = "PATH")]
    pub logbook: Option<PathBuf>,
    /// Open with this age identity (key) file instead of a passphrase.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        conflicts_with = "passphrase_file"
    )]
    pub identity: Option<PathBuf>,
    /// For scripts: read the passphrase from the first line of FILE instead of asking.
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the built-in fictional demo logbook (nothing is saved), or write a synthetic one.
    #[command(
        after_help = "Examples:\n  logbook demo\n  logbook demo --generate 10000 --out big.age --recipient age1..."
    )]
    Demo(DemoArgs),
    /// Write a new age identity (key) file, readable by you only, and print its public key.
    #[command(
        after_help = "Example:\n  logbook keygen --out ~/dsl.key\nGive the printed public key (age1...) to `logbook init --recipient`. \
Keep the key file safe: anyone who has it can open the logbook, and without it (or another recipient's key) the logbook cannot be opened."
    )]
    Keygen {
        /// Where to write the identity file (never over an existing file).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Create a new, empty logbook.
    #[command(
        after_help = "Without --recipient the logbook is protected by a passphrase, asked twice.\n\
With --recipient (repeatable) or --recipients-file it is opened with key files instead:\n  \
logbook init --organisation \"Northfield Primary\" --staff \"R. Okafor\" --recipient age1..."
    )]
    Init(InitArgs),
    /// Check a logbook or backup: decrypt it, read it, verify its audit trail.
    #[command(
        after_help = "Exits 0 only when the file is sound. Example:\n  logbook verify\n  logbook --identity dsl.key verify /media/usb/logbook-20261123-101500.age"
    )]
    Verify {
        /// The file to check [default: the logbook].
        file: Option<PathBuf>,
    },
    /// One line per incident.
    #[command(after_help = "Examples:\n  logbook list\n  logbook list --status open --overdue")]
    List {
        /// Only incidents with this status.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// Only incidents whose next review is overdue.
        #[arg(long)]
        overdue: bool,
    },
    /// One incident in full: people, evidence, reporting, reviews, checklist and history.
    Show {
        /// The incident number, e.g. INC-2026-0007.
        id: String,
    },
    /// Add people and incidents from a plaintext RON file in the logbook's own schema.
    #[command(
        after_help = "The whole file is checked first; if anything is refused, nothing is added.\n\
Every imported record gets an audit entry. Example:\n  logbook import data/demo.ron"
    )]
    Import {
        /// The RON file (for example data/demo.ron).
        file: PathBuf,
        /// Who is importing, for the audit trail [default: the first staff member in settings].
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Change the passphrase, or the recipients that can open the logbook.
    #[command(
        after_help = "Without --recipient the new passphrase is asked twice (or read from --new-passphrase-file).\n\
With --recipient (repeatable) or --recipients-file the logbook is re-encrypted to those keys (key mode).\n\
The file is replaced atomically: if anything fails, the old file and secret still work."
    )]
    Passwd(PasswdArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Write a synthetic logbook of N incidents instead of showing the demo.
    #[arg(long, value_name = "N", requires_all = ["out", "recipient"])]
    pub generate: Option<usize>,
    /// Where to write the synthetic logbook.
    #[arg(long, value_name = "FILE", requires = "generate")]
    pub out: Option<PathBuf>,
    /// Public key(s) to encrypt the synthetic logbook to.
    #[arg(long, value_name = "AGE1...", requires = "generate")]
    pub recipient: Vec<String>,
    /// Seed for the synthetic logbook (the same seed gives the same records).
    #[arg(long, default_value_t = 1, requires = "generate")]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Open the logbook with this public key (repeatable); omit for a passphrase.
    #[arg(long, value_name = "AGE1...")]
    pub recipient: Vec<String>,
    /// A file of public keys, one per line (# comments allowed).
    #[arg(long, value_name = "FILE")]
    pub recipients_file: Option<PathBuf>,
    /// The organisation's name.
    #[arg(long, value_name = "NAME", default_value = "")]
    pub organisation: String,
    /// Staff who record, by name or initials (repeatable).
    #[arg(long, value_name = "NAME")]
    pub staff: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// Re-encrypt to this public key (repeatable), switching to key mode.
    #[arg(long, value_name = "AGE1...")]
    pub recipient: Vec<String>,
    /// A file of public keys, one per line.
    #[arg(long, value_name = "FILE")]
    pub recipients_file: Option<PathBuf>,
    /// For scripts: read the new passphrase from the first line of FILE.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["recipient", "recipients_file"])]
    pub new_passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusArg {
    Open,
    Monitoring,
    Closed,
}
