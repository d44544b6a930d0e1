//! The command line: parses arguments, runs one command, maps errors to exit codes.

pub mod args;
mod backup;
mod clock;
mod concern;
mod history;
mod keys;
mod print;
mod report;
mod retention;
mod secret;
mod transfer;
mod unlink;
mod words;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Local};

pub use args::Cli;
use args::{Command, DemoArgs, Global, InitArgs, PasswdArgs, StatusArg};

use crate::error::{Error, Result};
use crate::model::{Holder, Logbook, Settings, Stamp, Status};
use crate::vault::{self, Access, Key, Vault};

/// The default logbook: `logbook.age` in the platform's data folder.
fn default_path() -> Result<PathBuf> {
    directories::ProjectDirs::from("uk", "safeguard-logbook", "logbook")
        .map(|dirs| dirs.data_dir().join("logbook.age"))
        .ok_or_else(|| Error::Usage("Could not find your home folder: give --logbook PATH.".into()))
}

fn logbook_path(global: &Global) -> Result<PathBuf> {
    let path = match &global.logbook {
        Some(p) => p.clone(),
        None => default_path()?,
    };
    // A folder or a device given as the logbook: said at once, before its header is sniffed
    // for the key kind ("opened with a key file") or read ("check the disk") (tester
    // finding 43). A link to a regular file is followed.
    if std::fs::metadata(&path).is_ok_and(|m| !m.is_file()) {
        return Err(Error::NotRegular(path));
    }
    Ok(path)
}

fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

/// Who makes a change, for the audit trail: the holder of the key that opened the logbook
/// (key mode); else `--by NAME`; else asked on the terminal. Never a guess: without a name
/// and without a terminal the command stops and says to give --by. A key's holder cannot
/// be overridden: `--by` naming someone else is refused, so a deputy's key never records
/// as the DSL.
fn operator(global: &Global, key: Option<&Key>, settings: &Settings) -> Result<String> {
    // A name typed decomposed ("Sia" + U+0302 + "n") or in other case or spacing is the
    // staff member's or key holder's own name (tester4 #10).
    let by = global
        .by
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(|b| settings.known_name(b).unwrap_or(b));
    let holder = match key {
        Some(Key::Identities(ids)) => settings.holder_of(&ids.public_keys()),
        _ => None,
    };
    match (holder, by) {
        (Some(holder), Some(by)) if !crate::text::same_name(&holder, by) => {
            return Err(Error::Usage(format!(
                "The key given is {}'s, so changes made with it are recorded as {}: leave out --by, or use your own key file.",
                crate::text::line(&holder),
                crate::text::line(&holder)
            )));
        }
        (Some(holder), _) => return Ok(holder),
        (None, Some(by)) => {
            // A key file with no holder's name cannot record under the name of another
            // key's holder (tester3 #29); the passphrase, which names no one, may.
            if let Some(Key::Identities(ids)) = key {
                let opened = ids.public_keys();
                let by_passphrase = opened.contains(&settings.passphrase_key);
                if !by_passphrase
                    && let Some(h) = settings.holders.iter().find(|h| {
                        crate::text::same_name(&h.name, by)
                            && settings.recipients.contains(&h.key)
                            && h.key != settings.passphrase_key
                            && !opened.contains(&h.key)
                    })
                {
                    return Err(Error::Usage(format!(
                        "{} holds another key of this logbook, so a change made with the key given (which has no holder's name) cannot be recorded as theirs: give your own name with --by, or use your own key file.",
                        crate::text::line(&h.name)
                    )));
                }
            }
            return Ok(crate::text::nfc(by).into_owned());
        }
        (None, None) => {}
    }
    if std::io::stdin().is_terminal() {
        eprint!("Who is making this change (your name, for the audit trail)? ");
        let _ = std::io::stderr().flush();
        let mut name = String::new();
        std::io::stdin()
            .read_line(&mut name)
            .map_err(|_| Error::NoTerminal("name of who is making the change"))?;
        let name = name.trim();
        if !name.is_empty() {
            let name = settings.known_name(name).unwrap_or(name);
            return Ok(crate::text::nfc(name).into_owned());
        }
    }
    Err(Error::Usage(
        "Say who is making this change, for the audit trail: give --by NAME.".into(),
    ))
}

/// Runs the parsed command line, writing results to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<()> {
    let global = cli.global;
    let Some(command) = cli.command else {
        return app(&global);
    };
    match command {
        Command::Demo(args) => demo(args, out),
        Command::Keygen {
            out: file,
            name,
            unprotected,
        } => {
            let name = secret::holder_name(&name)?;
            if let Some(folder) = file.parent() {
                vault::file::ensure_private_dir(folder)?;
            }
            if file.exists() {
                return Err(Error::Exists(file));
            }
            let pass = if unprotected {
                None
            } else {
                Some(
                    secret::new_passphrase(global.passphrase_file.as_ref(), &[name.trim()]).map_err(|e| match e {
                        Error::NoTerminal(_) => Error::Usage(
                            "There is no terminal to ask a passphrase for the key file: give --passphrase-file FILE, or --unprotected to write it in the clear.".into(),
                        ),
                        other => other,
                    })?,
                )
            };
            let public = vault::keygen(&file, &now().to_rfc3339(), name.trim(), pass.as_ref())?;
            writeln!(out, "{public}").map_err(stdout_error)?;
            Ok(())
        }
        Command::Init(args) => init(&global, args, out),
        Command::Verify { file, against } => verify(&global, file, against, out),
        Command::List { status, overdue } => list(&global, status, overdue, out),
        Command::Show { id } => show(&global, &id, out),
        Command::History(args) => history::history(&global, args, out),
        // A refused record in the file is to be corrected in the file, not "filled in".
        Command::Import { file } => {
            import(&global, &file, out).map_err(|e| words::reword(e, words::Given::File(&file)))
        }
        Command::Passwd(args) => passwd(&global, args, out),
        Command::Backup(args) => backup::backup(&global, args, out),
        Command::Backups { dir } => backup::backups(&global, dir, out),
        Command::Restore {
            file,
            yes,
            name,
            backup_passphrase_file,
        } => backup::restore(
            &global,
            &file,
            backup::RestoreArgs {
                yes,
                name: name.as_deref(),
                backup_passphrase_file: backup_passphrase_file.as_deref(),
            },
            out,
        ),
        Command::Recovery(args) => backup::recovery(&global, args, out),
        Command::Keys { change } => keys::keys(&global, change, out),
        Command::GenerateMan { dir } => {
            clap_mangen::generate_to(Cli::interface(), &dir)
                .map_err(|e| Error::io("writing the manual pages into", &dir, e))?;
            writeln!(
                out,
                "Wrote the manual pages into {}.",
                crate::text::path(&dir)
            )
            .map_err(stdout_error)
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::interface(), "logbook", &mut buf);
            out.write_all(&buf).map_err(stdout_error)
        }
        Command::Export(args) => report::export(&global, args, out),
        Command::Unlink(args) => unlink::unlink(&global, args, out),
        Command::Stats(args) => report::stats(&global, args, out),
        Command::Concern(args) => concern::concern(&global, args, out),
        Command::ConcernSetup { inbox } => concern::setup(&global, &inbox, out),
        Command::Concerns(args) => concern::concerns(&global, args, out),
        Command::Retention(args) => retention::retention(&global, args, out),
        Command::Dispose(args) => retention::dispose(&global, args, out),
        Command::Certificate(args) => retention::certificate(&global, args, out),
        Command::Transfer(args) => transfer::transfer(&global, args, out),
        Command::ImportTransfer { file } => transfer::import_transfer(&global, &file, out),
        Command::Clock { confirm, reason } => clock::clock(&global, confirm, reason, out),
    }
}

/// `logbook` with no command: the terminal app on the logbook (set-up if there is none yet).
fn app(global: &Global) -> Result<()> {
    // A folder or a device given as the logbook is named as the commands name it, whether
    // or not there is a terminal (tester2 #43).
    let path = logbook_path(global)?;
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Err(Error::Usage(
            "The logbook app needs a terminal: run `logbook` in one, or use a command such as `logbook list` (`logbook --help` lists them).".into(),
        ));
    }
    // The app always opens for writing: a logbook another app or command holds is said
    // before the unlock screen asks for a secret (tester2 #35).
    vault::refuse_if_locked(&path)?;
    if let Some(folder) = path.parent() {
        vault::file::ensure_private_dir(folder)?;
    }
    crate::tui::run(crate::tui::Session {
        path,
        identities: global.identity.clone(),
        open: None,
        scratch: None,
    })
}

fn stdout_error(e: std::io::Error) -> Error {
    Error::io("writing", Path::new("standard output"), e)
}

fn init(global: &Global, args: InitArgs, out: &mut dyn Write) -> Result<()> {
    let path = logbook_path(global)?;
    if path.exists() {
        return Err(Error::Exists(path));
    }
    // Given but blank: every export would carry an empty "Organisation:" (tester3 #32).
    if !args.organisation.is_empty() && args.organisation.trim().is_empty() {
        return Err(Error::Usage(
            "The organisation's name is blank: give it with --organisation NAME (as it should appear on exports).".into(),
        ));
    }
    // Names in one Unicode form, as every typed name (tester4 #10).
    let staff = args
        .staff
        .iter()
        .map(|s| crate::text::nfc(s.trim()).into_owned())
        .collect();
    let mut settings = Settings::new(crate::text::nfc(args.organisation.trim()), staff);
    if !args.recovery_recipient.is_empty() {
        let (keys, holders) = secret::recipients(&args.recovery_recipient, None)?;
        settings.recovery_recipients = keys;
        settings.holders.extend(holders);
    }
    let key_mode = !args.recipient.is_empty() || args.recipients_file.is_some();
    if key_mode {
        let (keys, holders) = secret::recipients(&args.recipient, args.recipients_file.as_ref())?;
        settings.recipients = keys;
        // Whoever creates a logbook for a single named key holder is that holder.
        let by = match (global.by.as_deref(), holders.as_slice()) {
            (None, [only]) if settings.recipients.len() == 1 => only.name.clone(),
            _ => operator(global, None, &settings)?,
        };
        settings.holders.extend(holders);
        settings.validate()?;
        let logbook = Logbook::create(&Stamp::new(by, now()), settings)?;
        Vault::create(&path, &logbook, None)?;
        writeln!(out, "Created {} (opened with key files).", path.display())
            .map_err(stdout_error)?;
        return Ok(());
    }
    // The creator's own name counts as a staff name: the staff list is empty until set.
    let mut names = secret::names(&settings);
    names.extend(global.by.as_deref());
    let pass = secret::new_passphrase(global.passphrase_file.as_ref(), &names)?;
    let by = operator(global, None, &settings)?;
    // The app's first "Who is recording?" lists the staff: its creator is one of them
    // (tester4 #13), as the app's own set-up makes them.
    if !settings.staff.iter().any(|s| s.trim() == by.trim()) {
        settings.staff.insert(0, by.clone());
    }
    let identity = age::x25519::Identity::generate();
    let public = identity.to_public().to_string();
    settings.recipients = vec![public.clone()];
    settings.passphrase_key = public.clone();
    settings.holders.push(Holder {
        key: public,
        name: by.clone(),
    });
    settings.validate()?;
    let logbook = Logbook::create(&Stamp::new(by, now()), settings)?;
    if let Some(folder) = path.parent() {
        vault::file::ensure_private_dir(folder)?;
    }
    // The key file first: a logbook never stands without the key file that opens it.
    let key_file = vault::key_file_path(&path);
    // What an interrupted set-up left of a key file (tester4 #13).
    vault::file::remove_dead_temps(&key_file);
    vault::write_identity(
        &key_file,
        &identity,
        Some(&pass),
        &now().to_rfc3339(),
        "",
        false,
    )?;
    if let Err(e) = Vault::create(&path, &logbook, None) {
        let _ = std::fs::remove_file(&key_file);
        return Err(e);
    }
    writeln!(
        out,
        "Created {} (opened with a passphrase, through the key file {} beside it: keep the two together).",
        path.display(),
        key_file.display()
    )
    .map_err(stdout_error)?;
    Ok(())
}

/// Opens the logbook with the secret given. For writing, a logbook from before key files
/// first moves its passphrase to a key file (one audit entry). Returns the key that opens
/// it now.
fn open(global: &Global, access: Access) -> Result<(Vault, Logbook, Key)> {
    let path = logbook_path(global)?;
    if !path.exists() {
        return Err(Error::NoLogbook(path));
    }
    // A writer is told the logbook is locked before it is asked for a secret.
    if access == Access::Write {
        vault::refuse_if_locked(&path)?;
    }
    let key = secret::open_key(global, &path)?;
    open_with(global, &path, &key, access)
}

/// Opens the logbook at `path` with `key`, migrating it for writing as `open` does.
fn open_with(
    global: &Global,
    path: &Path,
    key: &Key,
    access: Access,
) -> Result<(Vault, Logbook, Key)> {
    let (mut vault, mut logbook, mut key) = Vault::open(path, key, access)?;
    // Never write onto a trail that fails its check: a change to a record edited outside
    // the logbook would record the edit as its starting point, and hide it.
    if access == Access::Write {
        logbook.verify_audit()?;
        // Its key file made owner-only before a save, as the logbook is (tester4 #13).
        if let Some(note) = vault::tighten_key_file(path) {
            eprintln!("{note}");
        }
    }
    if vault.needs_migration() {
        let by = operator(global, None, &logbook.settings)?;
        if let Some(ids) = vault.migrate(&mut logbook, &Stamp::new(by, now()))? {
            key = Key::Identities(ids);
        }
    }
    Ok((vault, logbook, key))
}

fn verify(
    global: &Global,
    file: Option<PathBuf>,
    against: Option<PathBuf>,
    out: &mut dyn Write,
) -> Result<()> {
    let path = match file {
        Some(f) => f,
        None => logbook_path(global)?,
    };
    if !path.exists() {
        return Err(Error::NoLogbook(path));
    }
    backup::refuse_manifest(&path)?;
    let key = secret::open_key(global, &path)?;
    let logbook = backup::read_logbook_or_backup(&path, &key)?;
    logbook.verify_audit()?;
    let head = logbook.head();
    let open = logbook
        .incidents
        .iter()
        .filter(|i| i.status != Status::Closed)
        .count();
    writeln!(
        out,
        "{} is sound: {} ({open} open), {}, {}; last entry hash {}.",
        path.display(),
        print::count(logbook.incidents.len() as u64, "incident", "incidents"),
        print::count(logbook.people.len() as u64, "person", "people"),
        print::count(head.len, "audit entry", "audit entries"),
        head.hash
    )
    .map_err(stdout_error)?;
    if let Some(backup_file) = against {
        backup::verify_against(&path, &logbook, &backup_file, &key, out)?;
    }
    vault::wipe_for_exit(logbook);
    Ok(())
}

fn list(
    global: &Global,
    status: Option<StatusArg>,
    overdue: bool,
    out: &mut dyn Write,
) -> Result<()> {
    // The list never shows the trail: its records alone are read (`verify` checks it).
    let path = logbook_path(global)?;
    if !path.exists() {
        return Err(Error::NoLogbook(path));
    }
    let key = secret::open_key(global, &path)?;
    let logbook = crate::vault::read_records(&path, &key)?;
    let today = Local::now().date_naive();
    let wanted = status.map(|s| match s {
        StatusArg::Open => Status::Open,
        StatusArg::Monitoring => Status::Monitoring,
        StatusArg::Closed => Status::Closed,
    });
    let shown: Vec<&crate::model::Incident> = logbook
        .incidents
        .iter()
        .filter(|i| wanted.is_none_or(|s| i.status == s))
        // An open case with no review booked is listed with the overdue ones (tester4 #13).
        .filter(|i| !overdue || i.is_overdue(today) || i.no_review_booked())
        .map(|i| &**i)
        .collect();
    // A person at a terminal reads column headings and, for an empty result, a sentence
    // saying so; a script reading a pipe gets exactly one line per incident, as DESIGN.md
    // promises, and the sentence on stderr (tester2 #35).
    let terminal = std::io::stdout().is_terminal();
    if shown.is_empty() {
        let filters: Vec<String> = [
            wanted.map(|s| format!("status {}", s.label().to_lowercase())),
            overdue.then(|| "review overdue".to_string()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let said = if filters.is_empty() {
            "No incidents in this logbook yet: record one in the app (`logbook`), or add them with `logbook import`.".to_string()
        } else if logbook.incidents.is_empty() {
            "No incidents in this logbook yet, so none match.".to_string()
        } else {
            format!(
                "No incidents match ({}): `logbook list` without {} shows all {}.",
                filters.join(", "),
                if filters.len() == 1 { "it" } else { "them" },
                print::count(logbook.incidents.len() as u64, "incident", "incidents")
            )
        };
        if terminal {
            return writeln!(out, "{said}").map_err(stdout_error);
        }
        eprintln!("{said}");
        return Ok(());
    }
    let text = print::list_table(&logbook, &shown, today, terminal);
    out.write_all(text.as_bytes()).map_err(stdout_error)
}

/// "INC-2026-2" as the logbook numbers it, "INC-2026-0002" (tester4 #13): a number typed
/// without its leading zeros. Anything else is left as typed.
fn padded(id: &str) -> String {
    let mut parts: Vec<&str> = id.split('-').collect();
    let Some(last) = parts.pop() else {
        return id.to_string();
    };
    if parts.is_empty()
        || last.is_empty()
        || last.len() >= 4
        || !last.bytes().all(|b| b.is_ascii_digit())
    {
        return id.to_string();
    }
    format!("{}-{last:0>4}", parts.join("-"))
}

fn show(global: &Global, id: &str, out: &mut dyn Write) -> Result<()> {
    let (_, logbook, _) = open(global, Access::Read)?;
    let id = padded(&id.trim().to_ascii_uppercase());
    if let Some(t) = logbook.tombstones.iter().find(|t| t.id == id) {
        return Err(Error::Usage(print::disposed(t)));
    }
    // A person's number given to `show` (tester2 #35): said what `show` takes, and
    // which command shows a person.
    if logbook.person(&id).is_some() {
        return Err(Error::Usage(format!(
            "{id} is a person, and `show` takes an incident number (INC-YYYY-NNNN): `logbook export {id} --format txt --for WHO` shows their chronology across incidents.",
            id = crate::text::line(&id)
        )));
    }
    let incident = logbook.incident(&id).ok_or_else(|| {
        Error::Usage(format!(
            "There is no incident {} in this logbook: `logbook list` shows the numbers.",
            crate::text::line(&id)
        ))
    })?;
    // The record, and the people it names, as the trail last recorded them: a record
    // altered outside the logbook is refused as `verify` and `export` refuse it, never
    // printed as if genuine (tester3 #18).
    logbook.check_record(&crate::model::Subject::Incident(incident.id.clone()))?;
    for p in &incident.people {
        logbook.check_record(&crate::model::Subject::Person(p.person.clone()))?;
    }
    let today = Local::now().date_naive();
    out.write_all(print::show(&logbook, incident, today).as_bytes())
        .map_err(stdout_error)
}

/// A file named on the command line to read whole (an import, a transfer), within the
/// logbook's size limit; a missing one is named in one sentence.
pub(super) fn read_given_file(file: &Path) -> Result<Vec<u8>> {
    vault::file::read_regular(
        file,
        vault::file::limits::LOGBOOK,
        vault::file::Links::Follow,
    )
    .map_err(|e| match e {
        e if vault::file::is_not_found(&e) => Error::Usage(format!(
            "The file {} does not exist: check the path.",
            file.display()
        )),
        e => e,
    })
}

fn import(global: &Global, file: &Path, out: &mut dyn Write) -> Result<()> {
    let bytes = read_given_file(file)?;
    let text = String::from_utf8(bytes).map_err(|_| Error::BadImport {
        path: file.to_path_buf(),
        detail: "it is not UTF-8 text".into(),
    })?;
    // A plaintext file someone wrote: "decrypts" and "restore from a backup" would be wrong.
    let incoming = vault::decode(file, text.as_bytes()).map_err(|e| match e {
        Error::Unreadable { path, detail } => Error::BadImport { path, detail },
        Error::NewerFormat { path, found } => Error::BadImport {
            path,
            detail: format!("it is in format {found}, newer than this version of logbook reads"),
        },
        other => other,
    })?;
    let (mut vault, mut logbook, key) = open(global, Access::Write)?;
    let stamp = Stamp::new(operator(global, Some(&key), &logbook.settings)?, now());
    // Only people and incidents are taken in: a file's settings (organisation, keys,
    // review interval) never change this logbook's, and saying so beats ignoring them
    // without a word (tester3 #32).
    let settings_differ = incoming.settings != logbook.settings;
    // Open cases coming in with no review in the diary are named (tester4 #13): the app
    // lists them first in Reviews due, and `list --overdue` lists them.
    let unbooked = incoming
        .incidents
        .iter()
        .filter(|i| i.no_review_booked())
        .count();
    let (people, incidents) = logbook.import(&stamp, incoming)?;
    vault.save(&logbook)?;
    vault::wipe_for_exit(logbook);
    writeln!(
        out,
        "Imported {} and {} into {}.",
        print::count(incidents as u64, "incident", "incidents"),
        print::count(people as u64, "person", "people"),
        vault.path().display()
    )
    .map_err(stdout_error)?;
    if unbooked > 0 {
        writeln!(
            out,
            "{} imported with no review booked: they are listed first in the app's Reviews due and by `logbook list --overdue`; book a review with v on each.",
            print::count(unbooked as u64, "open incident", "open incidents"),
        )
        .map_err(stdout_error)?;
    }
    if settings_differ {
        writeln!(
            out,
            "The file's settings were not applied: this logbook keeps its own organisation, keys and periods (change them in the app's Settings)."
        )
        .map_err(stdout_error)?;
    }
    Ok(())
}

fn passwd(global: &Global, args: PasswdArgs, out: &mut dyn Write) -> Result<()> {
    if keys::passwd_in_key_mode(global, &args, out)? {
        return Ok(());
    }
    if !args.recipient.is_empty() || args.recipients_file.is_some() {
        return keys::passwd_to_keys(global, &args, out);
    }
    let (mut vault, mut logbook, key) = open(global, Access::Write)?;
    let stamp = Stamp::new(operator(global, Some(&key), &logbook.settings)?, now());
    let mut names = secret::names(&logbook.settings);
    names.push(&stamp.by);
    let pass = secret::new_passphrase(args.new_passphrase_file.as_ref(), &names)?;
    vault.change_passphrase(&mut logbook, &pass, &stamp)?;
    writeln!(
        out,
        "The passphrase of {} is changed: it is re-encrypted to a new key, kept in {} with the new passphrase, so the old passphrase and old key file open nothing written from now on. Make a new backup now: until you do, {} is the only copy of the new key (the key copies in backup folders are of the old one, and open only the backups made before now). Older backups still open with the passphrase they were made with, so rotation no longer removes them (`logbook backups DIR` lists them; remove them yourself once the new backup is verified).",
        vault.path().display(),
        vault::key_file_path(vault.path()).display(),
        vault::key_file_path(vault.path()).display()
    )
    .map_err(stdout_error)?;
    keys::follow_kept_draft(&vault, &logbook, &key, out)?;
    // The concern folder follows the new keys (tester findings 27, 37).
    if let Some(said) = crate::concern::follow(&vault, &logbook) {
        writeln!(out, "{said}").map_err(stdout_error)?;
    }
    Ok(())
}

fn demo(args: DemoArgs, out: &mut dyn Write) -> Result<()> {
    if let (Some(n), Some(file)) = (args.generate, args.out.as_ref()) {
        let keys = vault::parse_recipients(&args.recipient)?;
        // Whole minutes, as a DSL types times.
        let at = Local::now().naive_local();
        let at = at
            .date()
            .and_hms_opt(
                chrono::Timelike::hour(&at),
                chrono::Timelike::minute(&at),
                0,
            )
            .unwrap_or(at);
        let mut logbook = crate::demo::generate(n, args.seed, at)?;
        // Synthetic records: the generator's own first staff member stands in as the author.
        let by = logbook
            .settings
            .staff
            .first()
            .cloned()
            .unwrap_or_else(|| "demo".into());
        logbook.update_settings(&Stamp::new(by, now()), |s| {
            s.recipients = keys.iter().map(|k| k.to_string()).collect();
        })?;
        Vault::create(file, &logbook, None)?;
        writeln!(
            out,
            "Wrote {} synthetic incidents to {}.",
            logbook.incidents.len(),
            file.display()
        )
        .map_err(stdout_error)?;
        return Ok(());
    }
    let logbook = crate::demo::logbook()?;
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    // The demo lives in a private temporary folder, encrypted to a throwaway key, and is
    // removed on exit, so trying the app leaves nothing behind.
    let folder = tempfile::Builder::new()
        .prefix("logbook-demo-")
        .tempdir()
        .map_err(|e| Error::io("creating", &std::env::temp_dir(), e))?;
    // Owner-only, whatever the umask: it holds the logbook and the key that opens it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(folder.path(), std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io("protecting", folder.path(), e))?;
    }
    let identity = age::x25519::Identity::generate();
    let path = folder.path().join("logbook.age");
    let book = logbook;
    let vault = Vault::create(
        &path,
        &book,
        Some(vault::Identities::one(identity.clone()).recipients()),
    )?;
    if interactive {
        // The throwaway key lives in the same private folder, so the app can lock and
        // unlock like a real key-mode logbook; both go when the folder is removed.
        let key_file = folder.path().join("demo.key");
        {
            use age::secrecy::ExposeSecret;
            let mut f = vault::file::create_private(&key_file)?;
            f.write_all(format!("{}\n", identity.to_string().expose_secret()).as_bytes())
                .map_err(|e| Error::io("writing", &key_file, e))?;
        }
        crate::tui::run(crate::tui::Session {
            path,
            identities: vec![key_file],
            open: Some((vault, book)),
            scratch: Some(folder.path().to_path_buf()),
        })?;
        // The app removes it as it ends (however it ends); what is left is removed here.
        if !folder.path().exists() {
            return Ok(());
        }
        return folder
            .close()
            .map_err(|e| Error::io("removing", &std::env::temp_dir(), e));
    }
    let today = crate::demo::demo_now().date();
    let mut text = format!(
        "Demo logbook of {} (fictional): {}, {}, {}, as on {today}.\n\n",
        crate::text::line(&book.settings.organisation),
        print::count(book.incidents.len() as u64, "incident", "incidents"),
        print::count(book.people.len() as u64, "person", "people"),
        print::count(book.audit.len() as u64, "audit entry", "audit entries")
    );
    let all: Vec<&crate::model::Incident> = book.incidents.iter().map(|i| &**i).collect();
    text.push_str(&print::list_table(&book, &all, today, true));
    out.write_all(text.as_bytes()).map_err(stdout_error)?;
    drop(vault);
    folder
        .close()
        .map_err(|e| Error::io("removing", &std::env::temp_dir(), e))
}
