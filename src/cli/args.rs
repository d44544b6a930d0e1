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
logbook verify                                check the file and its audit trail\n  \
logbook backup --to /media/dsl/STICK          a verified, encrypted backup\n\n\
Exit codes: 0 done; 1 a check failed; 2 usage or refused input; 3 wrong passphrase or key; \
4 damaged or unreadable file; 5 locked by another process; 6 disk or file-system failure."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The command line as people see it: the derived one, with the staff command's help
    /// cut to what staff use. `logbook concern` takes no key, no passphrase and no logbook
    /// (it refuses them), so the DSL's global options are hidden from its help, and --by
    /// there is the member of staff's own name, not "who is making the change".
    pub fn interface() -> clap::Command {
        use clap::{Arg, ArgAction, CommandFactory};
        let by = "Your name, so the DSL knows who to ask (with --what, it writes without asking).";
        // The staff command's own hidden copies of the global options: a subcommand that
        // has an option of the same name does not receive the global one.
        let mut cli = Cli::command().mut_subcommand("concern", |c| {
            c.arg(Arg::new("logbook").long("logbook").hide(true))
                .arg(
                    Arg::new("identity")
                        .long("identity")
                        .action(ArgAction::Append)
                        .hide(true),
                )
                .arg(
                    Arg::new("passphrase_file")
                        .long("passphrase-file")
                        .hide(true),
                )
                .arg(Arg::new("by").long("by").value_name("NAME").help(by))
        });
        // Commands that record nothing have no one to name: --by ("who is making the
        // change") is hidden from their help (tester2 #35), and still accepted, so a
        // script that gives it to every command keeps working.
        for name in RECORD_NOTHING {
            cli = cli.mut_subcommand(name, |c| {
                c.arg(Arg::new("by").long("by").value_name("NAME").hide(true))
            });
        }
        cli
    }

    /// Parses the process's arguments; on a mistake, prints and exits as clap does. Help is
    /// printed from [`Cli::interface`]; values are read by the derived command, whose
    /// global options carry a value given after `concern` up to [`Global`], where the
    /// staff command reads it.
    pub fn from_args() -> Cli {
        use clap::Parser;
        match Cli::try_parse() {
            Ok(cli) => cli,
            Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
                match Cli::interface().try_get_matches() {
                    Err(help) => help.exit(),
                    Ok(_) => e.exit(),
                }
            }
            Err(e) => e.exit(),
        }
    }
}

/// The commands that never write to the audit trail.
const RECORD_NOTHING: [&str; 8] = [
    "demo", "keygen", "verify", "list", "show", "backups", "stats", "history",
];

#[derive(Debug, Args, Clone, Default)]
pub struct Global {
    /// The logbook file [default: logbook.age in your data folder].
    #[arg(long, global = true, value_name = "PATH")]
    pub logbook: Option<PathBuf>,
    /// Open with this age identity (key) file instead of a passphrase (repeatable). A key
    /// file protected with a passphrase asks for it (or reads --passphrase-file).
    #[arg(long, global = true, value_name = "FILE", action = clap::ArgAction::Append)]
    pub identity: Vec<PathBuf>,
    /// For scripts: read the passphrase (of the logbook, or of a protected key file) from
    /// the first line of FILE instead of asking.
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Who is making the change, for the audit trail [default: the holder of the key
    /// given; with a passphrase it is asked].
    #[arg(long, global = true, value_name = "NAME")]
    pub by: Option<String>,
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
        after_help = "Example:\n  logbook keygen --out ~/deputy.key --name \"J. Patel\"\n\
The key file is protected with a passphrase, asked twice (or read from --passphrase-file); \
`age -d -i` accepts it too. --unprotected writes it in the clear, for scripts.\n\
Give the printed public key (age1...) to `logbook init --recipient age1...=NAME` or `logbook keys add`. \
A name is at most 60 characters, on one line. To change the key file's passphrase later: `logbook keys passphrase FILE`. \
Keep the key file safe: anyone who has it (and its passphrase) can open the logbook, and without it \
(or another holder's key) the logbook cannot be opened."
    )]
    Keygen {
        /// Where to write the identity file (never over an existing file).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The name of the person who will hold this key (written into the file as a comment).
        #[arg(long, value_name = "NAME", default_value = "")]
        name: String,
        /// Write the key in the clear, without a passphrase (for scripts and offline safes).
        #[arg(long)]
        unprotected: bool,
    },
    /// Create a new, empty logbook.
    #[command(
        after_help = "Without --recipient the logbook is protected by a passphrase, asked twice: it is encrypted to a new key \
kept beside it in NAME.key.age, sealed with the passphrase (keep the two files together).\n\
With --recipient (repeatable) or --recipients-file it is opened with key files instead; name each key's holder after `=`:\n  \
logbook init --organisation \"Northfield Primary\" --staff \"R. Okafor\" --recipient \"age1...=R. Okafor\""
    )]
    Init(InitArgs),
    /// Check a logbook or backup: decrypt it, read it, verify its audit trail.
    #[command(
        long_about = "Check a logbook or backup: decrypt it, read it, verify its audit trail.\n\n\
With --against BACKUP it also proves that the history has not been rewritten since that backup: \
the logbook's audit trail must hold every entry the backup holds, unchanged and in place, with the \
backup's last entry hash at the same position. Because each entry's hash covers the one before it, \
no entry recorded before the backup can be edited, removed or re-ordered without this check naming \
the first entry that differs, even if the whole trail was re-hashed afterwards.",
        after_help = "Exits 0 only when the file is sound (and extends BACKUP). Examples:\n  \
logbook verify\n  \
logbook --identity dsl.key verify /media/usb/logbook-20261123-101500.age\n  \
logbook verify --against /media/usb/logbook-20261123-101500.age\n\
With a passphrase, a backup opens through the key file (logbook-ID-key-FPR.age) beside it."
    )]
    Verify {
        /// The file to check [default: the logbook].
        file: Option<PathBuf>,
        /// Also prove that the file's audit trail extends this backup's unchanged.
        #[arg(long, value_name = "BACKUP")]
        against: Option<PathBuf>,
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
    /// The logbook's whole history: every audit entry in order, in words, filtered by record or kind.
    #[command(
        long_about = "The logbook's whole history: every entry of its audit trail, in order, with when, who, \
which record and what, in words. Beside each incident's and person's own history it shows the entries \
about the logbook itself: keys added and removed (who can now, or can no longer, open it), changes of \
recorder, backups and restores, settings, the concern folder, exports and disposals.",
        after_help = concat!(
            "Examples:\n  logbook history\n  logbook history --record INC-2026-0007\n  \
logbook history --kind keys --kind recorder\n  logbook history --kind backup --since 2026-09-01\n\n",
            "Output: each entry is one line: its number (#N), the date and time, its kind, the record it is about \
(INC-..., P-..., concern C-..., or logbook), who made it, and what it records, in columns separated by two or \
more spaces. The fields it changed follow, one per line, indented by eight spaces: `field: \"old\" -> \"new\"` \
((none) for no value). Text from the logbook is escaped (a line break in a value is written \\n, a tab \\t), so \
each line is one entry or one change. At a terminal a line of column headings comes first; in a pipe or a file \
there is none, and a filter that matches nothing prints nothing (saying so on stderr). That format is kept stable. \
Entries about a record since disposed of were emptied at its disposal: they keep their number, time and author, \
and say \"[emptied by the disposal, entry #N]\". Exits 1 (after printing) if the trail fails its check."
        )
    )]
    History(super::history::HistoryArgs),
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
    },
    /// Change the passphrase of a passphrase logbook, or the recipients that can open the logbook.
    #[command(
        after_help = "Without --recipient the new passphrase is asked twice (or read from --new-passphrase-file), and a NEW key \
is made and sealed with it into NAME.key.age: the old passphrase and old key file open nothing written afterwards. \
Older backups keep opening with the passphrase they were made with; make a new backup.\n\
A logbook opened with key files has no passphrase: change your key file's passphrase with \
`logbook keys passphrase FILE`; --to-passphrase replaces every holder's key file with a passphrase.\n\
With --recipient (repeatable) or --recipients-file the logbook is re-encrypted to exactly those keys (key mode): \
a key it already has keeps its holder's name, a new one is named as age1...=NAME, and the holders whose keys \
it drops are named and asked about first (--yes for scripts):\n  \
logbook passwd --recipient \"age1...=R. Okafor\" --recipient \"age1...=S. Khan\"\n\
The file is replaced atomically: if anything fails, the old file and secret still work."
    )]
    Passwd(PasswdArgs),
    /// Write an encrypted, verified backup to a removable medium and rotate old ones.
    #[command(
        long_about = "Write an encrypted backup of the logbook to a removable medium (a USB stick), read it back \
from the medium and check it whole, then remove the oldest backups beyond --keep.\n\n\
The backup is logbook-YYYYMMDD-HHMMSS.age: a standard age file, never plaintext. It is written under \
a temporary name, fsynced, renamed, then read back, decrypted, parsed and its audit trail verified and \
compared with the logbook; only then is it called good. If anything fails, the logbook and the older \
backups are untouched and no file stands under a backup's name.\n\n\
Who can open a backup:\n  \
Key mode: the logbook's recipients (the DSL's and deputies' keys), plus the recovery keys \
(`logbook recovery --add age1...`, e.g. the chair of trustees' key kept offline in a safe).\n  \
Passphrase mode: the logbook is encrypted to a key kept beside it in NAME.key.age, sealed with the \
passphrase. Backups are encrypted to that key plus the recovery keys, and a copy of the key file is \
written beside them as logbook-ID-key-FPR.age (FPR: a fingerprint of the key). The passphrase alone \
therefore opens every backup (with `logbook verify`/`restore`, or by hand: \
`age -d -i logbook-ID-key-FPR.age BACKUP`, which asks the passphrase), and so does a recovery key. \
Keep the key files with the backups. After `logbook passwd` the logbook has a new key: new backups \
open with the new passphrase only, and older backups keep opening with the passphrase they were made \
with (through their own key file) and with the recovery keys. Backups made before key files used a \
separate backup key (logbook-ID-key.age beside them), which still opens them.\n\n\
Beside the backups, logbook-ID-manifest.age (encrypted to the same keys) records each backup's SHA-256, \
size, counts, time and audit head. Rotation removes only files that manifest lists with the same SHA-256, \
whose history the current logbook still extends; it never removes a file it did not write, a damaged \
one, another logbook's, or one that is evidence of a rewritten history. Older backups beyond --keep that \
hold history an audited `logbook restore` dropped are named, and removed only when you say yes (--yes \
for scripts): they may still open with keys removed since.",
        after_help = "Examples:\n  \
logbook backup                          offer the mounted removable medium (asks first)\n  \
logbook backup --to /media/dsl/STICK    back up there\n  \
logbook backup --to /media/dsl/STICK --keep 20\n\
Without --to and without a terminal, it lists the media it found and asks for --to."
    )]
    Backup(BackupArgs),
    /// Write the manual pages (logbook.1 and one per command) into DIR, for packaging.
    #[command(hide = true, name = "generate-man")]
    GenerateMan {
        /// The folder to write them into (it must exist).
        dir: PathBuf,
    },
    /// Print shell completions for SHELL (bash, zsh, fish, elvish, powershell), for packaging.
    #[command(hide = true)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// List the backups in a folder: verified, damaged, other logbook or unknown.
    #[command(
        long_about = "List the backups in a folder (a removable medium) with their state: verified (opens, reads \
and its audit trail is sound, or is byte for byte the file this logbook wrote and verified), damaged, \
other logbook, or unknown (encrypted to keys not given: --identity may be repeated). For each backup of this logbook it says \
whether the current audit trail extends it unchanged, or names the first entry that differs.",
        after_help = "Exits 0 when every backup of this logbook is verified and extended by the current trail, 1 otherwise.\n\
Examples:\n  logbook backups /media/dsl/STICK\n  logbook backups          (the one removable medium mounted)"
    )]
    Backups {
        /// The folder to look in [default: the removable medium mounted, if exactly one].
        dir: Option<PathBuf>,
    },
    /// Replace the logbook with a backup, after verifying it and showing what changes.
    #[command(
        long_about = "Replace the logbook with a backup. The backup is verified first (decrypted whole, read, audit \
trail checked); then what it holds is shown beside the current logbook (counts, newest incident, last \
audit entry, and whether the current trail extends the backup's, i.e. which entries a restore drops). \
Only after you confirm (or with --yes) is the logbook replaced, atomically, holding its lock. The \
replaced file is kept as logbook.age.before-restore-YYYYMMDD-HHMMSS. Restoring never merges: the \
logbook becomes exactly the backup. It works when the current logbook is damaged or missing.",
        after_help = "Examples:\n  \
logbook restore /media/dsl/STICK/logbook-20261123-101500.age\n  \
logbook --identity recovery.key --identity new.key restore /media/dsl/STICK/logbook-20261123-101500.age --name \"R. Okafor\" --yes\n\n\
A recovery key opens backups only, and still does after a restore: restoring with one needs a new everyday \
key too (made with `logbook keygen --out new.key --name NAME`), given with a second --identity and its \
holder with --name; the restored logbook opens with that key.\n\n\
Passphrase mode: give the current passphrase. A backup made before the passphrase was changed \
asks for the passphrase of then (or reads --backup-passphrase-file); the restored logbook goes on \
opening with the current passphrase only."
    )]
    Restore {
        /// The backup file to restore.
        file: PathBuf,
        /// The holder of a new everyday key given with --identity (a restore with a recovery key).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Restore without asking (for scripts); without a terminal, --yes is required.
        #[arg(long)]
        yes: bool,
        /// Passphrase mode, for scripts: the passphrase the backup was made with, when it
        /// was changed since (first line of FILE). The logbook keeps its current passphrase.
        #[arg(long, value_name = "FILE")]
        backup_passphrase_file: Option<PathBuf>,
    },
    /// Write an incident's or a person's chronology for an agency, a parent or a receiving school.
    #[command(
        long_about = "Write an incident's chronology (INC-YYYY-NNNN: every fact, person and role, evidence item with its \
hash, size, where it is kept and custody, reporting step or decision not to refer, checklist step, review and \
audit entry, in time order) or a person's chronology across incidents (P-NNNN: date, significant event, source, \
impact on the child, action taken, outcome/review), as Markdown, one self-contained HTML page that prints on A4, \
or plain text. Every page carries \"CONFIDENTIAL - safeguarding record\".\n\n\
A person's chronology shows everyone else only by role and age group (\"another pupil\"), as the app \
does; --name-others names them. An incident's names everyone unless --anonymise-others is given.\n\n\
Exports never leak by accident: --recipient AGE1... (or --recipients-file) writes a standard age file that only \
those keys open, for sending by email; plaintext goes to a file (or to a pipe or redirect) only with --plaintext. \
Without either, the export is shown on the terminal only. Every export is recorded in the audit trail: what, \
for whom (--for), which format and where to.",
        after_help = "Examples:\n  \
logbook export INC-2026-0007 --format html --for \"PC 1234 Smith\" --recipient age1... --out inc7.html.age\n  \
logbook export INC-2026-0007 --format md --for \"Children's social care\" --plaintext --out inc7.md\n  \
logbook export P-0003 --format html --for \"Parent of JB\" --recipient age1... --out jb.age\n  \
logbook export INC-2026-0007 --format txt --for \"Case review\" --without history\n\
Read an age file with `age -d -i KEY FILE`."
    )]
    Export(ExportArgs),
    /// Remove a person linked to an incident by mistake, with the reason (audited).
    #[command(
        after_help = "The person stays in the people register; the audit trail keeps that they were linked, in which role, and why the link was removed. Example:\n  logbook unlink INC-2026-0006 P-0007 --reason \"Wrong pupil linked: Max was not involved\""
    )]
    Unlink(super::unlink::UnlinkArgs),
    /// Anonymised figures for governors and trustees: counts only, small numbers shown as <5.
    #[command(
        after_help = "Incidents by month, by 4 Cs area, by type and by age group; reports per agency; decisions not to refer; \
median days to first report and to closure; reviews on time and late. No names, initials or reference numbers, \
ever. Examples:\n  logbook stats --from 2025-09-01 --to 2026-08-31\n  logbook stats --format csv > figures.csv"
    )]
    Stats(StatsArgs),
    /// Closed incidents past their retention date, or set one incident's date by hand.
    #[command(
        long_about = "List the closed incidents whose retention period has ended, and those whose retention date cannot be worked out (a child with no year of birth or year group). The rules (IRMS toolkit): a child involved: until the youngest child is 25 (the end of their year of birth + 25); an allegation about a member of staff: until their normal retirement age or 10 years after closure, whichever is longer; adults only: 6 years after closure. The periods are in the logbook's settings. --set gives one incident a date of its own, with a reason (for example records kept for an inquiry); the change is audited.",
        after_help = "Examples:\n  logbook retention\n  logbook retention --all\n  \
logbook retention --set INC-2019-0004 --until 2040-12-31 --reason \"Kept for the local authority's review\"\n\
Dispose of a listed record with `logbook dispose ID --yes`."
    )]
    Retention(RetentionArgs),
    /// Dispose of closed incidents whose retention date has passed, leaving a tombstone.
    #[command(
        long_about = "Dispose of closed incidents whose retention date has passed (see `logbook retention`). Each record is removed from the logbook; its number, the date, who disposed of it and the retention rule stay as a tombstone, recorded in the audit trail, so `logbook verify` still passes and proves the disposal was made here. Every id is checked first: if any is refused, nothing is disposed of. Make a backup first: older backups keep the records until they are rotated away.",
        after_help = "Examples:\n  logbook dispose INC-2018-0003 INC-2018-0007 --reason \"Annual retention review\" --yes\n  \
logbook certificate INC-2018-0003 INC-2018-0007 --format html --for Governors --recipient age1... --out cert.age"
    )]
    Dispose(DisposeArgs),
    /// A certificate of disposal: what was disposed of, when, by whom, under which rule.
    #[command(
        long_about = "Write a certificate of disposal for records disposed of with `logbook dispose`: each record's number, the date, who disposed of it, the retention rule and the audit entry that proves it. It holds nothing of the records' content. It leaves the logbook like an export: --recipient AGE1... writes an age file, --plaintext allows an unencrypted copy; the certificate is recorded in the audit trail.",
        after_help = "Examples:\n  logbook certificate INC-2018-0003 --format md --for \"Chair of governors\" --plaintext --out cert.md\n  \
logbook certificate --all --format html --for Governors --recipient age1... --out disposals.age"
    )]
    Certificate(CertificateArgs),
    /// Send a person's whole file to the DSL of the school they move to, or record receipt.
    #[command(
        long_about = "Write a child protection file transfer: one age file, encrypted to the receiving DSL's public key, holding the person's record and every incident they are linked to, in the logbook's own schema (another logbook takes it in with `logbook import-transfer`), plus the same records as print-ready HTML chronologies. Other people are reduced to roles: they are not linked, and their ids and references in the text are replaced by \"another pupil\", \"another adult\"... by age group (free text is kept otherwise: read it first). The transfer is recorded in the audit trail (what, for whom, to which key, when), and stays \"sent, not acknowledged\" until `--acknowledged` records that the receiving school confirmed receipt.\n\nUK guidance (Keeping Children Safe in Education) asks that the file reaches the new school within five school days of the child starting there, separately from the main pupil file, with confirmation of receipt.",
        after_help = "Examples:\n  \
logbook transfer P-0007 --to age1... --for \"DSL, Hillside Academy\" --out p0007-transfer.age\n  \
logbook transfer P-0007 --acknowledged --note \"Receipt confirmed by phone by the Hillside DSL\"\n\
The receiving DSL runs `logbook import-transfer p0007-transfer.age`; without this program, `age -d -i KEY p0007-transfer.age` shows the RON with the HTML pages inside."
    )]
    Transfer(TransferArgs),
    /// Take in a child protection file transfer from another school's logbook.
    #[command(
        long_about = "Take in a child protection file transfer written by `logbook transfer` and encrypted to this logbook's key: the person is added to the register with a new number and their incidents with new numbers, each marked with the sending school and its own number, all audited. The same transfer, or an incident already taken in from the same school, is refused, and nothing is added.",
        after_help = "Example:\n  logbook import-transfer p0007-transfer.age"
    )]
    ImportTransfer {
        /// The transfer file (an age file encrypted to this logbook's key).
        file: PathBuf,
    },
    /// Compare the computer's clock with the last change in the logbook; record that the
    /// clock is right when a change was saved while it ran ahead.
    #[command(
        long_about = "Every change is dated by the computer's clock, and no change may be dated before the last one: a change saved while the clock ran ahead (a laptop set to the wrong month) makes every later change refused until that date comes round. Once you have checked the clock is right now, `--confirm` records so in the audit trail, with your reason; changes then go on from the clock as it reads. The entries dated ahead stay as they were, so the slip stays on the record.",
        after_help = "Examples:
  logbook clock
  logbook clock --confirm --reason \"Laptop clock was a month ahead; checked against the school's clock\""
    )]
    Clock {
        /// Record that the clock is right now, though the last change is dated later.
        #[arg(long, requires = "reason")]
        confirm: bool,
        /// Why the clock is right now (recorded in the audit trail).
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Show, add or remove the recovery keys that can also open every backup.
    #[command(
        long_about = "Show, add or remove recovery keys: age public keys (age1...) that can open every backup made \
from now on, in key mode and passphrase mode alike, e.g. the chair of trustees' key kept offline in a \
safe. They keep the records readable if the passphrase is forgotten or the DSL leaves. They do not open \
the logbook itself. Each change is recorded in the audit trail.",
        after_help = "Examples:\n  logbook keygen --out trustees.key      (on an offline machine; keep the file in a safe)\n  \
logbook recovery --add age1... --name \"Chair of trustees\"\n  logbook recovery\n  \
logbook recovery --remove age1...      (asks first; --yes for scripts)"
    )]
    Recovery(RecoveryArgs),
    /// List who can open the logbook and its backups, add or remove a key, or change a key file's passphrase.
    #[command(
        long_about = "List who can open the logbook and who can open its backups: each key's holder, public key, \
and kind (everyday key, the passphrase's key file, or recovery key, which opens backups only). \
`keys add` and `keys remove` change them: the logbook is re-encrypted at once and the change audited. \
`keys passphrase FILE` changes the passphrase of your own key file (the logbook is untouched).",
        after_help = "Examples:\n  logbook keys\n  logbook keys add age1... --name \"J. Patel\"\n  \
logbook keys add age1... --name \"Chair of trustees\" --recovery\n  logbook keys remove \"J. Patel\"\n  \
logbook keys passphrase ~/dsl.key      (change your key file's passphrase)\n\
After `keys remove`, make a new backup: older backups stay open to the removed key."
    )]
    Keys {
        #[command(subcommand)]
        change: Option<KeysChange>,
    },
    /// Staff: pass a concern to the DSL. Needs no key or passphrase; keeps nothing here.
    #[command(
        long_about = "Staff: pass a safeguarding concern to the Designated Safeguarding Lead (DSL). \
It asks a few short questions (what you saw or heard, in the person's own words; when; who is involved; \
where; what you did; your name and role), then writes one encrypted file into the concern folder the DSL \
set up, and prints a receipt number to quote. Only the DSL's logbook key can read it: not you, not \
anyone else with access to the folder. Nothing is kept on this computer. No key or passphrase is needed.",
        after_help = "Pass a concern by answering the questions:\n  \
logbook concern --inbox /srv/share/concerns\n\
Do not type what you saw or heard after --what (or --when, --who, --where, --did): words typed on a \
command line stay in the shell history of this computer (e.g. ~/.bash_history), where the next person \
to use it can read them, and other users can see them while the command runs. Those options are for \
scripts; a script gives what was seen with --what-file FILE, or with --what-file - from a pipe:\n  \
printf '%s\\n' \"$TEXT\" | logbook concern --inbox /srv/share/concerns --what-file - --by \"A. Khan\"\n\
--to AGE1... (or --to-file FILE) encrypts to public keys given another way than the folder's \
logbook-recipients.txt."
    )]
    Concern(ConcernArgs),
    /// The DSL: set up the concern folder staff write concerns into.
    #[command(
        long_about = "The DSL: write the logbook's public keys into the concern folder (as logbook-recipients.txt), \
so that staff can write concerns that only this logbook's key opens, and remember the folder in the \
logbook's settings (audited), so the app shows new concerns on unlocking. Run it again after changing \
the logbook's keys or passphrase.",
        after_help = "Example:\n  logbook concern-setup --inbox /srv/share/concerns"
    )]
    ConcernSetup {
        /// The concern folder: a shared drive staff can write to, or a stick.
        #[arg(long, value_name = "DIR")]
        inbox: PathBuf,
    },
    /// The DSL: list the staff concerns waiting in the concern folder, or take one in.
    #[command(
        long_about = "The DSL: list the staff concerns waiting in the concern folder: when each was written, \
by whom, its first words and its receipt. Files that cannot be taken in (damaged, for another logbook, \
or a concern already taken in) are named, with the reason, and moved to the folder's set-aside/ folder. \
With --take RECEIPT and --add-to INC-... or --no-further-action REASON, one concern is taken into the \
logbook (audited); its file is removed from the folder only after the logbook is saved. The app \
(Concerns screen, C) also turns a concern into a new incident.",
        after_help = "Examples:\n  logbook concerns\n  logbook concerns --inbox /srv/share/concerns\n  \
logbook concerns --take C-7K3Q-9XPD --add-to INC-2026-0007\n  \
logbook concerns --take C-7K3Q-9XPD --no-further-action \"Already known; parent informed\"\n  \
logbook concerns --taken        the concerns taken in, and what was decided"
    )]
    Concerns(ConcernsArgs),
}

#[derive(Debug, Args)]
pub struct ConcernArgs {
    /// The concern folder [default: the folder of --to-file].
    #[arg(long, value_name = "DIR")]
    pub inbox: Option<PathBuf>,
    /// Encrypt to this public key of the logbook (repeatable) instead of the folder's
    /// logbook-recipients.txt.
    #[arg(long, value_name = "AGE1...", conflicts_with = "to_file")]
    pub to: Vec<String>,
    /// The logbook's public keys file [default: logbook-recipients.txt in the folder].
    #[arg(long, value_name = "FILE")]
    pub to_file: Option<PathBuf>,
    /// For scripts only (the words stay in the shell history: leave it out to be asked):
    /// what was seen or heard, in the person's own words. Writes without asking; needs --by.
    #[arg(long, value_name = "TEXT")]
    pub what: Option<String>,
    /// For scripts: what was seen or heard, read whole from FILE, or from a pipe with `-`
    /// (kept out of the shell history). Writes without asking; needs --by.
    #[arg(long, value_name = "FILE", conflicts_with = "what")]
    pub what_file: Option<PathBuf>,
    /// For scripts (stays in the shell history): when it happened.
    #[arg(long, value_name = "TEXT")]
    pub when: Option<String>,
    /// For scripts (stays in the shell history): who is involved, initials and year group.
    #[arg(long, value_name = "TEXT")]
    pub who: Option<String>,
    /// For scripts (stays in the shell history): where, platform or app, or place.
    #[arg(long = "where", value_name = "TEXT")]
    pub place: Option<String>,
    /// For scripts (stays in the shell history): what you did.
    #[arg(long, value_name = "TEXT")]
    pub did: Option<String>,
    /// For scripts: your role (give your name with --by).
    #[arg(long, value_name = "TEXT")]
    pub role: Option<String>,
}

#[derive(Debug, Args)]
pub struct ConcernsArgs {
    /// The concern folder [default: the one set with `logbook concern-setup`].
    #[arg(long, value_name = "DIR")]
    pub inbox: Option<PathBuf>,
    /// Take in the concern with this receipt (with --add-to or --no-further-action); one
    /// taken in with no further action can be added to an incident later (--add-to, --reason).
    #[arg(long, value_name = "RECEIPT")]
    pub take: Option<String>,
    /// Add the concern to this incident as evidence.
    #[arg(
        long,
        value_name = "INC-ID",
        requires = "take",
        conflicts_with = "no_further_action"
    )]
    pub add_to: Option<String>,
    /// Record that the concern needs no further action, and why.
    #[arg(long, value_name = "REASON", requires = "take")]
    pub no_further_action: Option<String>,
    /// Why a concern taken in with no further action is added to an incident now (with
    /// --take and --add-to); kept beside the earlier decision.
    #[arg(long, value_name = "TEXT", requires = "add_to")]
    pub reason: Option<String>,
    /// List the concerns already taken in, with what was decided (reads the logbook only).
    #[arg(long, conflicts_with_all = ["take", "inbox"])]
    pub taken: bool,
    /// Print one concern whole, waiting or taken in (with what was decided), to read it
    /// before deciding.
    #[arg(long, value_name = "RECEIPT", conflicts_with_all = ["take", "taken"])]
    pub show: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum KeysChange {
    /// Let this public key open the logbook (or, with --recovery, its backups only).
    Add {
        /// The public key, age1... (as `logbook keygen` prints it).
        key: String,
        /// The name of the person who holds it.
        #[arg(long, value_name = "NAME")]
        name: String,
        /// A recovery key: opens backups only, not the logbook itself.
        #[arg(long)]
        recovery: bool,
    },
    /// Stop a key opening the logbook and future backups: by holder's name or public key.
    #[command(
        after_help = "It says whose key goes and who can still open the logbook and its backups, then asks \
(type yes); --yes removes without asking, for scripts (without a terminal, --yes is required). \
The removal is recorded in the audit trail. Your own key, the passphrase's key and the last key \
that opens the logbook cannot be removed."
    )]
    Remove {
        /// The holder's name or the public key (age1...).
        who: String,
        /// Remove without asking (for scripts); without a terminal, --yes is required.
        #[arg(long)]
        yes: bool,
    },
    /// Change the passphrase of your own key file (the key itself stays the same).
    #[command(after_help = "Example:\n  logbook keys passphrase ~/dsl.key\n\
The old passphrase is asked (or read from --passphrase-file), then the new one twice (or read from \
--new-passphrase-file). The key inside is unchanged, so it opens the logbook and every backup as before; \
the file is replaced atomically and checked first, so it is never left unreadable. A key file written \
without a passphrase (`keygen --unprotected`, age-keygen) gets one. Copies of the file made earlier \
still open with the old passphrase: destroy them. The logbook is not opened or changed.")]
    Passphrase {
        /// The key file (as given to --identity).
        file: PathBuf,
        /// For scripts: read the new passphrase from the first line of FILE.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The folder to back up into, normally on a removable medium.
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
    /// Keep this many of this logbook's backups there [default: the logbook's setting, 10].
    #[arg(long, value_name = "N")]
    pub keep: Option<u32>,
    /// Allow a folder on the same disk as the logbook (such a backup dies with the disk).
    #[arg(long)]
    pub allow_same_disk: bool,
    /// Also remove, without asking, the older backups beyond --keep that hold history a
    /// restore dropped (they are named; on a terminal it asks instead).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct RecoveryArgs {
    /// Add this recovery public key (repeatable; AGE1...=NAME names its holder).
    #[arg(long, value_name = "AGE1...[=NAME]")]
    pub add: Vec<String>,
    /// With one --add: the name of the person (or role) who holds the recovery key.
    #[arg(long, value_name = "NAME", requires = "add")]
    pub name: Option<String>,
    /// Remove this recovery public key (repeatable); it asks first.
    #[arg(long, value_name = "AGE1...")]
    pub remove: Vec<String>,
    /// Remove without asking (for scripts); without a terminal, --yes is required.
    #[arg(long, requires = "remove")]
    pub yes: bool,
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
    /// Open the logbook with this public key (repeatable), as AGE1...=NAME to name the
    /// person who holds it; omit for a passphrase.
    #[arg(long, value_name = "AGE1...[=NAME]")]
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
    /// A recovery public key that can also open every backup (repeatable).
    #[arg(long, value_name = "AGE1...")]
    pub recovery_recipient: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// Re-encrypt to this public key (repeatable), switching to key mode; AGE1...=NAME names
    /// its holder (a key that is new to the logbook must be named).
    #[arg(long, value_name = "AGE1...[=NAME]")]
    pub recipient: Vec<String>,
    /// A file of public keys, one per line.
    #[arg(long, value_name = "FILE")]
    pub recipients_file: Option<PathBuf>,
    /// For scripts: read the new passphrase from the first line of FILE.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["recipient", "recipients_file"])]
    pub new_passphrase_file: Option<PathBuf>,
    /// Key mode only: replace every key file that opens the logbook with a passphrase
    /// (each holder removed is named and audited).
    #[arg(long, conflicts_with_all = ["recipient", "recipients_file"])]
    pub to_passphrase: bool,
    /// With --recipient or --to-passphrase: remove other holders' keys without asking (for
    /// scripts); without a terminal, --yes is required to remove them.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatusArg {
    Open,
    Monitoring,
    Closed,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The incident (INC-YYYY-NNNN) or person (P-NNNN) to export.
    pub id: String,
    /// The document's format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Who it is for, recorded in the audit trail (e.g. "PC 1234 Smith, Northshire Police").
    #[arg(long = "for", value_name = "WHO")]
    pub for_whom: String,
    #[command(flatten)]
    pub delivery: Delivery,
    /// Leave out a section of an incident export (repeatable): description, people,
    /// evidence, reporting, reviews, checklist or history.
    #[arg(long, value_name = "SECTION", value_parser = section)]
    pub without: Vec<crate::present::Section>,
    /// Show people other than the one the export is about only by role and age group
    /// (always so for a person's chronology unless --name-others is given).
    #[arg(long, conflicts_with = "name_others")]
    pub anonymise_others: bool,
    /// A person's chronology only: name the other people too (by default they are shown by
    /// role and age group, as in the app); the export's header says so.
    #[arg(long)]
    pub name_others: bool,
    /// With --anonymise-others on an incident: the one person (P-NNNN) still named.
    #[arg(long, value_name = "P-ID", requires = "anonymise_others")]
    pub about: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Md,
    Html,
    Txt,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// First day of the period (YYYY-MM-DD), by date reported.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<chrono::NaiveDate>,
    /// Last day of the period (YYYY-MM-DD), included.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<chrono::NaiveDate>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: StatsFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatsFormat {
    Text,
    Csv,
    Md,
    Html,
}

#[derive(Debug, Args)]
pub struct RetentionArgs {
    /// List every incident with its retention date, not only those due.
    #[arg(long, conflicts_with = "set")]
    pub all: bool,
    /// Give this incident (INC-YYYY-NNNN) a retention date of its own.
    #[arg(long, value_name = "INC-ID", requires_all = ["until", "reason"])]
    pub set: Option<String>,
    /// With --set: the date it is kept until (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date, requires = "set")]
    pub until: Option<chrono::NaiveDate>,
    /// With --set: why this incident is kept to a date of its own.
    #[arg(long, value_name = "TEXT", requires = "set")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct DisposeArgs {
    /// The incidents to dispose of (INC-YYYY-NNNN ...).
    #[arg(required = true, value_name = "INC-ID")]
    pub ids: Vec<String>,
    /// A note kept with each tombstone, e.g. "Annual retention review, agreed with the head".
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub reason: String,
    /// Dispose without asking (for scripts); without a terminal, --yes is required.
    #[arg(long, visible_alias = "confirm")]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct CertificateArgs {
    /// The disposed-of incidents to certify (INC-YYYY-NNNN ...).
    #[arg(
        value_name = "INC-ID",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub ids: Vec<String>,
    /// Every disposal in the logbook.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Who it is for, recorded in the audit trail.
    #[arg(long = "for", value_name = "WHO")]
    pub for_whom: String,
    #[command(flatten)]
    pub delivery: Delivery,
}

#[derive(Debug, Args)]
pub struct TransferArgs {
    /// The person (P-NNNN) whose file is sent.
    #[arg(value_name = "P-ID")]
    pub id: String,
    /// The receiving DSL's age public key (repeatable).
    #[arg(
        long,
        visible_alias = "to-recipient",
        value_name = "AGE1...",
        conflicts_with = "acknowledged"
    )]
    pub to: Vec<String>,
    /// Who receives it, for the audit trail (e.g. "DSL, Hillside Academy").
    #[arg(long = "for", value_name = "WHO", conflicts_with = "acknowledged")]
    pub for_whom: Option<String>,
    /// Where to write the transfer file (never over an existing file) [default:
    /// transfer-P-NNNN.age in the current folder].
    #[arg(long, value_name = "FILE", conflicts_with = "acknowledged")]
    pub out: Option<PathBuf>,
    /// Record that the receiving school confirmed receipt of the last transfer.
    #[arg(long)]
    pub acknowledged: bool,
    /// With --acknowledged: how receipt was confirmed.
    #[arg(
        long,
        value_name = "TEXT",
        default_value = "",
        requires = "acknowledged"
    )]
    pub note: String,
}

/// Where a document that leaves the logbook goes (see `cli::report`).
#[derive(Debug, Args, Clone, Default)]
pub struct Delivery {
    /// Where to write it (never over an existing file).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Allow an unencrypted copy in a file, a pipe or a redirect.
    #[arg(long, conflicts_with_all = ["recipient", "recipients_file"])]
    pub plaintext: bool,
    /// Encrypt it to this age public key (repeatable); needs --out.
    #[arg(long, value_name = "AGE1...")]
    pub recipient: Vec<String>,
    /// A file of age public keys to encrypt it to, one per line.
    #[arg(long, value_name = "FILE")]
    pub recipients_file: Option<PathBuf>,
}

/// A section by the name exports print in their header.
fn section(text: &str) -> Result<crate::present::Section, String> {
    let all = crate::present::Section::ALL;
    all.iter()
        .find(|s| s.name() == text.trim())
        .copied()
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|s| s.name()).collect();
            format!("{text} is not a section: use one of {}", names.join(", "))
        })
}

/// A day on the command line, in the forms the app's date fields take (`30/11/2026`, day
/// first; `2026-11-30`; `today`, `yesterday`, `+7`), "today" being this computer's.
pub(super) fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    crate::model::dates::parse_date(text, chrono::Local::now().date_naive())
}
