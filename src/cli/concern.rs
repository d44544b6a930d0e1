//! The staff concern drop-box on the command line: `concern` (staff, no secret),
//! `concern-setup` and `concerns` (the DSL, with the logbook's key).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::args::{ConcernArgs, ConcernsArgs, Global};
use super::words::{self, Given};
use super::{now, open, operator, stdout_error};
use crate::concern::{self, RECIPIENTS_FILE};
use crate::error::{Error, Result};
use crate::model::{Concern, ConcernOutcome, Stamp, TakeIn};
use crate::present;
use crate::vault::{Access, file};

/// `logbook concern`: asks the questions (or takes them from flags), encrypts the concern
/// to the logbook's public keys, writes it into the inbox and prints the receipt.
pub fn concern(global: &Global, args: ConcernArgs, out: &mut dyn Write) -> Result<()> {
    if !global.identity.is_empty() || global.passphrase_file.is_some() {
        return Err(Error::Usage(
            "`logbook concern` needs no key or passphrase, and reads nothing: leave out --identity and --passphrase-file.".into(),
        ));
    }
    let inbox = match (&args.inbox, &args.to_file) {
        (Some(dir), _) => dir.clone(),
        (None, Some(f)) => file::folder_of(f),
        (None, None) => {
            return Err(Error::Usage(
                "Say which folder concerns go to: give --inbox DIR (your DSL will tell you which)."
                    .into(),
            ));
        }
    };
    let (keys, logbook_id) = if args.to.is_empty() {
        let list = args
            .to_file
            .clone()
            .unwrap_or_else(|| inbox.join(RECIPIENTS_FILE));
        let (keys, id) = concern::read_recipients(&list)?;
        if let Some(to_file) = &args.to_file {
            concern::refuse_foreign_to_file(&inbox, to_file, &keys, &id)?;
        }
        (keys, id)
    } else {
        refuse_keys_the_folder_does_not_name(&inbox, &args.to)?;
        (args.to.clone(), String::new())
    };
    // Refuse a wrong key before anyone types a word.
    crate::vault::parse_recipients(&keys)?;
    if !inbox.is_dir() {
        return Err(Error::Usage(format!(
            "The concern folder {} does not exist: check the path (ask your DSL), or plug in the drive it is on.",
            inbox.display()
        )));
    }
    let written = now();
    let receipt = concern::new_receipt();
    let typed = [&args.what, &args.when, &args.who, &args.place, &args.did]
        .iter()
        .any(|a| a.is_some());
    if args.what.is_none() && args.what_file.is_none() && (typed || args.role.is_some()) {
        return Err(Error::Usage(
            "--when, --who, --where, --did and --role go with --what-file FILE (or --what TEXT): to be asked every question instead, leave them all out; nothing was sent.".into(),
        ));
    }
    let what_option = if args.what_file.is_some() {
        "--what-file"
    } else {
        "--what"
    };
    let what = match (args.what, &args.what_file) {
        (Some(what), _) => Some(what),
        (None, Some(file)) => Some(read_what(file)?),
        (None, None) => None,
    };
    // Typed as options, a refusal names the option; answered at the prompts, the question.
    let from_options = what.is_some();
    let concern = match what {
        Some(what) => {
            let by = global
                .by
                .as_deref()
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .ok_or_else(|| {
                    Error::Usage(
                        "Give your name with --by NAME, so the DSL knows who to ask.".into(),
                    )
                })?;
            Concern {
                receipt,
                written,
                what,
                when: args.when.unwrap_or_default(),
                who: args.who.unwrap_or_default(),
                place: args.place.unwrap_or_default(),
                action: args.did.unwrap_or_default(),
                by: by.to_string(),
                role: args.role.unwrap_or_default(),
            }
        }
        None => {
            if !std::io::stdin().is_terminal() {
                return Err(Error::Usage(
                    "There is no terminal to ask the questions on: give --what-file FILE (or --what-file - to read the words from a pipe) and --by NAME (and --when, --who, --where, --did, --role).".into(),
                ));
            }
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            match ask(&mut input, out, global.by.as_deref())? {
                Some(answers) => Concern {
                    receipt,
                    written,
                    ..answers
                },
                None => {
                    writeln!(out, "Not sent: nothing was written.").map_err(stdout_error)?;
                    return Ok(());
                }
            }
        }
    };
    if let Err(e) = concern.check() {
        let e = if from_options {
            words::reword_invalid(e, Given::Options(&[("what", what_option), ("by", "--by")]))
        } else {
            e
        };
        return Err(Error::Usage(format!(
            "{}: nothing was sent.",
            e.message.trim_end_matches('.')
        )));
    }
    let flushed = match concern::write(&inbox, &keys, &logbook_id, &concern) {
        Ok((_, flushed)) => flushed,
        // A full or read-only folder: said in staff words, and what was typed is kept on the
        // screen to pass on by hand (tester finding 13); the reason follows on stderr.
        Err(e) => {
            writeln!(out, "{}", concern::not_passed_on(&concern)).map_err(stdout_error)?;
            return Err(e);
        }
    };
    writeln!(
        out,
        "Your concern is with the DSL. Receipt number: {} (quote it if you ask about this concern). Nothing is kept on this computer.{}",
        concern.receipt,
        if flushed {
            ""
        } else {
            " (The folder could not be flushed to disk: if this computer loses power in the next minute, tell the DSL.)"
        }
    )
    .map_err(stdout_error)?;
    // Typed at a terminal, the words given as options are in the shell's history, which
    // the next person at a shared staff computer can read (tester3 #42): said once, with
    // how to clear it. Not for a script without a terminal, nor for --what-file.
    if typed && std::io::stdin().is_terminal() {
        writeln!(out, "{HISTORY_WARNING}").map_err(stdout_error)?;
    }
    Ok(())
}

/// What a member of staff who typed their words as options is told, once sent.
const HISTORY_WARNING: &str = "Your words were typed on the command line, so this computer's shell history now holds them: in bash, type  history -c  and press Enter before you close this window to clear it (next time, leave out --what and you will be asked the questions instead).";

/// What was seen or heard, from a file or from standard input (`-`), kept exactly as
/// written but for the line break ending it.
fn read_what(file: &Path) -> Result<String> {
    let mut text = String::new();
    if file == Path::new("-") {
        if std::io::stdin().is_terminal() {
            return Err(Error::Usage(
                "--what-file - reads what was seen from a pipe, and there is none: leave out --what-file to be asked the questions; nothing was sent.".into(),
            ));
        }
        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
            .map_err(|e| Error::io("reading", Path::new("standard input"), e))?;
    } else {
        let bytes = file::read_regular(file, 1 << 20, file::Links::Follow)?;
        text = String::from_utf8(bytes).map_err(|_| {
            Error::Usage(format!(
                "{} is not plain text: save what was seen as a text file; nothing was sent.",
                crate::text::path(file)
            ))
        })?;
    }
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}

/// With --to in a folder the DSL set up (it holds logbook-recipients.txt), every key must
/// be one of the logbook's: a concern encrypted to another key is set aside unread by the
/// DSL's logbook (tester finding 30), so it is refused before anyone types a word. A folder
/// without the file, or with one that cannot be read, leaves --to as given.
fn refuse_keys_the_folder_does_not_name(inbox: &Path, to: &[String]) -> Result<()> {
    let list = inbox.join(RECIPIENTS_FILE);
    let Ok((keys, _)) = concern::read_recipients(&list) else {
        return Ok(());
    };
    let known = |k: &str| keys.iter().any(|key| key.trim() == k.trim());
    if let Some(other) = to.iter().find(|k| !known(k)) {
        return Err(Error::Usage(format!(
            "{} is not one of the keys in {}, so the DSL's logbook could not read a concern encrypted to it: nothing was sent; leave out --to to use the folder's keys.",
            crate::text::line(other.trim()),
            list.display()
        )));
    }
    Ok(())
}

/// The questions after what was seen or heard, in the order asked: the prompt, and the
/// label the summary shows the answer under.
const QUESTIONS: [(&str, &str); 6] = [
    (
        "When did it happen? (e.g. today 10:40, Tuesday lunchtime) ",
        "When",
    ),
    (
        "Who is involved? (initials and year group, e.g. JB Y9) ",
        "Who",
    ),
    ("Where? (app or website, or place) ", "Where"),
    ("What did you do? ", "What you did"),
    ("Your name: ", "From"),
    ("Your role (e.g. Form tutor, Teaching assistant): ", "Role"),
];

/// What the end of "what you saw or heard" is, said where it is asked: a line holding only
/// a full stop, which pasted text does not have, or Ctrl-D (tester3 #44: an empty line ended
/// it, so a pasted message with paragraphs spilled into When, Who and Where).
const WHAT_ENDS: &str = "(Several lines, empty lines and pasting are fine. When you have finished, type a line holding only a full stop . and press Enter, or press Ctrl-D.)";

/// One line from the person: None at the end of input (Ctrl-D on an empty line).
fn read_line(input: &mut dyn BufRead, out: &mut dyn Write, prompt: &str) -> Result<Option<String>> {
    write!(out, "{prompt}").map_err(stdout_error)?;
    out.flush().map_err(stdout_error)?;
    let mut text = String::new();
    let n = input
        .read_line(&mut text)
        .map_err(|e| Error::io("reading", Path::new("the terminal"), e))?;
    Ok((n > 0).then(|| text.trim_end_matches(['\n', '\r']).to_string()))
}

/// What was seen or heard: every line as typed or pasted, empty ones too, up to a line
/// holding only "." or the end of input. None when the input ends before a word is given.
fn ask_what(input: &mut dyn BufRead, out: &mut dyn Write) -> Result<Option<String>> {
    writeln!(
        out,
        "What did you see or hear? Use the person's own words where you can.\n{WHAT_ENDS}"
    )
    .map_err(stdout_error)?;
    let mut lines: Vec<String> = Vec::new();
    loop {
        let line = read_line(input, out, "> ")?;
        let done = match &line {
            None => true,
            Some(l) => l.trim() == ".",
        };
        if !done {
            lines.extend(line);
            continue;
        }
        // Empty lines before and after the words are not part of them.
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        let first = lines.iter().position(|l| !l.trim().is_empty());
        match first {
            Some(first) => return Ok(Some(lines[first..].join("\n"))),
            None if line.is_none() => return Ok(None),
            None => {
                lines.clear();
                writeln!(out, "Please write what you saw or heard (it is needed).")
                    .map_err(stdout_error)?;
            }
        }
    }
}

/// The answer to question `n` of `QUESTIONS` (a name is asked until one is given). None at
/// the end of input.
fn ask_one(input: &mut dyn BufRead, out: &mut dyn Write, n: usize) -> Result<Option<String>> {
    loop {
        let Some(answer) = read_line(input, out, QUESTIONS[n].0)? else {
            return Ok(None);
        };
        let answer = answer.trim().to_string();
        if n == 4 && answer.is_empty() {
            writeln!(out, "Please give your name, so the DSL knows who to ask.")
                .map_err(stdout_error)?;
            continue;
        }
        return Ok(Some(answer));
    }
}

/// Everything typed, as the member of staff checks it before sending.
fn summary(c: &Concern) -> String {
    let shown = |s: &str| {
        if s.trim().is_empty() {
            "(not given)".to_string()
        } else {
            crate::text::block(s).into_owned()
        }
    };
    format!(
        "\nWhat you saw or heard:\n{}\nWhen: {}\nWho: {}\nWhere: {}\nWhat you did: {}\nFrom: {}{}\n",
        shown(&c.what),
        shown(&c.when),
        shown(&c.who),
        shown(&c.place),
        shown(&c.action),
        crate::text::line(&c.by),
        if c.role.is_empty() {
            String::new()
        } else {
            format!(" ({})", crate::text::line(&c.role))
        }
    )
}

/// The answer of question `n` (0: what was seen or heard, then `QUESTIONS`) in `c`.
fn answer_mut(c: &mut Concern, n: usize) -> &mut String {
    match n {
        0 => &mut c.what,
        1 => &mut c.when,
        2 => &mut c.who,
        3 => &mut c.place,
        4 => &mut c.action,
        5 => &mut c.by,
        _ => &mut c.role,
    }
}

/// The form: one question at a time on the terminal, then everything typed shown back
/// with the choice to send it, change an answer, or not send it. What was seen or heard
/// may run over several lines (`WHAT_ENDS`). Returns None if the person does not send it.
/// Never asks for, or shows, any secret.
fn ask(
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    name: Option<&str>,
) -> Result<Option<Concern>> {
    writeln!(
        out,
        "Pass a concern to the Designated Safeguarding Lead.\n\
         Only the DSL can read it; nothing is kept on this computer. Ctrl-C stops without sending.\n"
    )
    .map_err(stdout_error)?;
    let Some(what) = ask_what(input, out)? else {
        return Ok(None);
    };
    let mut c = Concern {
        receipt: String::new(),
        written: now(),
        what,
        when: String::new(),
        who: String::new(),
        place: String::new(),
        action: String::new(),
        by: name.map(str::trim).unwrap_or_default().to_string(),
        role: String::new(),
    };
    for n in 0..QUESTIONS.len() {
        // A name given with --by is not asked again.
        if n == 4 && !c.by.is_empty() {
            continue;
        }
        let Some(answer) = ask_one(input, out, n)? else {
            return Ok(None);
        };
        *answer_mut(&mut c, n + 1) = answer;
    }
    loop {
        write!(out, "{}", summary(&c)).map_err(stdout_error)?;
        loop {
            let Some(answer) = read_line(
                input,
                out,
                "Send this to the DSL? (y = send, e = change an answer, n = do not send) ",
            )?
            else {
                return Ok(None);
            };
            match answer.trim().to_ascii_lowercase().as_str() {
                "y" | "yes" => return Ok(Some(c)),
                "n" | "no" => return Ok(None),
                "e" | "edit" => break,
                _ => writeln!(
                    out,
                    "Type y and press Enter to send it, e to change an answer, or n not to send it."
                )
                .map_err(stdout_error)?,
            }
        }
        let which = loop {
            let Some(answer) = read_line(
                input,
                out,
                "Which answer? (1 what you saw or heard, 2 when, 3 who, 4 where, 5 what you did, 6 your name, 7 your role; Enter: none) ",
            )?
            else {
                return Ok(None);
            };
            match answer.trim() {
                "" => break None,
                n => match n.parse::<usize>() {
                    Ok(n @ 1..=7) => break Some(n - 1),
                    _ => writeln!(out, "Type a number from 1 to 7.").map_err(stdout_error)?,
                },
            }
        };
        let Some(n) = which else { continue };
        let answer = if n == 0 {
            writeln!(out, "Type it again whole.").map_err(stdout_error)?;
            ask_what(input, out)?
        } else {
            ask_one(input, out, n - 1)?
        };
        let Some(answer) = answer else {
            return Ok(None);
        };
        *answer_mut(&mut c, n) = answer;
    }
}

/// `logbook concern-setup --inbox DIR`: the public keys into the inbox, the inbox into
/// the settings.
pub fn setup(global: &Global, inbox: &Path, out: &mut dyn Write) -> Result<()> {
    let (mut vault, mut book, key) = open(global, Access::Write)?;
    let dir = std::path::absolute(inbox).map_err(|e| Error::io("finding", inbox, e))?;
    let Some(text) = dir.to_str().map(str::to_string) else {
        return Err(Error::Usage(format!(
            "The folder name {} is not plain text: choose a folder whose name is.",
            dir.display()
        )));
    };
    let everyday: Vec<String> = vault
        .recipients(&book.settings)?
        .as_slice()
        .iter()
        .map(ToString::to_string)
        .collect();
    // The recovery keys too, so a concern waiting when a key is stolen still opens.
    let keys = concern::folder_keys(&everyday, &book.settings);
    // A folder set up for another logbook is never taken over (tester finding 40).
    concern::refuse_other_logbook(&dir, &book.id())?;
    // Who is making the change is asked, and the change checked, before anything is
    // written: a refused command must leave the folder as it found it, not looking set up
    // while the logbook does not know it.
    let change = book.settings.concern_inbox != text;
    if change {
        let stamp = Stamp::new(operator(global, Some(&key), &book.settings)?, now());
        book.set_concern_inbox(&stamp, &text)?;
    }
    let written = concern::write_recipients(&dir, &book.id(), &book.settings.organisation, &keys)?;
    if change {
        vault.save(&book)?;
    }
    writeln!(
        out,
        "Staff concerns go to {}: the logbook's public keys are in {}.\n\
         Staff pass a concern with:  logbook concern --inbox {}\n\
         The app shows new concerns when it is unlocked; `logbook concerns` lists them.",
        dir.display(),
        written.display(),
        dir.display()
    )
    .map_err(stdout_error)
}

/// `logbook concerns`: the concerns waiting, problem files set aside, and one taken in.
pub fn concerns(global: &Global, args: ConcernsArgs, out: &mut dyn Write) -> Result<()> {
    let taking = args.take.is_some();
    let (mut vault, mut book, key) =
        open(global, if taking { Access::Write } else { Access::Read })?;
    if args.taken {
        let mut text = format!(
            "{} concern{} taken in:\n",
            book.concerns.len(),
            if book.concerns.len() == 1 { "" } else { "s" }
        );
        for r in &book.concerns {
            let c = &r.concern;
            text.push_str(&format!(
                "{}  {}  {}  \"{}\"  taken in {} by {}: {}{}\n",
                c.receipt,
                present::at(&c.written),
                crate::text::line(&c.from()),
                crate::text::line(&concern::first_words(&c.what, 40)),
                present::when(r.taken_in),
                crate::text::line(&r.taken_in_by),
                crate::text::line(&r.outcome.label()),
                match r.earlier.first() {
                    Some(e) => format!(
                        " (at first: {})",
                        crate::text::line(&concern::first_words(&e.outcome.label(), 60))
                    ),
                    None => String::new(),
                }
            ));
        }
        if !book.concerns.is_empty() {
            text.push_str(
                "`logbook concerns --show RECEIPT` prints one whole, with what was decided.\n",
            );
        }
        return out.write_all(text.as_bytes()).map_err(stdout_error);
    }
    let receipt_of = |r: &str| r.trim().to_ascii_uppercase();
    // A concern taken in is read from the logbook, whatever the folder holds.
    if let Some(receipt) = args.show.as_deref().map(receipt_of)
        && let Some(record) = book.concern(&receipt)
    {
        let text = format!(
            "Staff concern {receipt}, taken in\n{}\n{}",
            concern::whole(&record.concern),
            concern::decision(record)
        );
        return out.write_all(text.as_bytes()).map_err(stdout_error);
    }
    // One taken in with no further action, added to an incident after all (tester3 #43).
    if let Some(receipt) = args.take.as_deref().map(receipt_of)
        && let Some(done) = book.concern(&receipt)
    {
        let nfa = matches!(done.outcome, ConcernOutcome::NoFurtherAction { .. });
        let Some(id) = args.add_to.as_deref().filter(|_| nfa) else {
            return Err(Error::Usage(format!(
                "Concern {receipt} was taken in already ({}){}.",
                crate::text::line(&done.outcome.label()),
                if nfa {
                    ": to add it to an incident now, give --add-to INC-... and --reason TEXT"
                } else {
                    ""
                }
            )));
        };
        let stamp = Stamp::new(operator(global, Some(&key), &book.settings)?, now());
        let said = book
            .add_taken_concern_to(
                &stamp,
                &receipt,
                &id.trim().to_ascii_uppercase(),
                args.reason.as_deref().unwrap_or_default(),
            )
            .map_err(|e| {
                words::reword(
                    e.into(),
                    Given::Options(&[("incident", "--add-to"), ("why", "--reason")]),
                )
            })?;
        vault.save(&book)?;
        return writeln!(out, "{}", crate::text::line(&said)).map_err(stdout_error);
    }
    let dir = match (&args.inbox, book.settings.concern_inbox.as_str()) {
        (Some(d), _) => d.clone(),
        (None, "") => {
            return Err(Error::Usage(
                "This logbook has no concern folder yet: give --inbox DIR, or set one up with `logbook concern-setup --inbox DIR`.".into(),
            ));
        }
        (None, d) => PathBuf::from(d),
    };
    let inbox = concern::read_inbox(&dir, &key, &book, &[])?;
    let mut text = String::new();
    for w in &inbox.warnings {
        text.push_str(&format!("Warning: {}\n", crate::text::line(w)));
    }
    // A file that could not be moved aside is said here; every file in set-aside/, this
    // time's and earlier ones, is listed below with why and what to do, as the app lists
    // them (tester2 #35: only this run's were named).
    for s in inbox.set_aside.iter().filter(|s| s.moved.is_err()) {
        text.push_str(&crate::text::line(&s.sentence()));
        text.push('\n');
    }
    if !inbox.aside.is_empty() {
        text.push_str(&format!(
            "{} set aside in {}, never taken in (each with why and what to do):\n",
            super::print::count(inbox.aside.len() as u64, "file", "files"),
            crate::text::path(&dir.join(concern::SET_ASIDE))
        ));
        for a in &inbox.aside {
            let new = inbox.set_aside.iter().any(|s| {
                s.moved
                    .as_ref()
                    .is_ok_and(|to| to.file_name().is_some_and(|n| *n == *a.name))
            });
            text.push_str(&format!(
                "  {}{}\n",
                crate::text::line(&a.sentence()),
                if new { " (set aside just now)" } else { "" }
            ));
        }
    }
    if let Some(receipt) = args.show.as_deref().map(receipt_of) {
        out.write_all(text.as_bytes()).map_err(stdout_error)?;
        let Some(found) = inbox.concerns.iter().find(|i| i.concern.receipt == receipt) else {
            return Err(Error::Usage(format!(
                "There is no concern {} waiting in {} nor taken in: `logbook concerns` lists those waiting, `logbook concerns --taken` those taken in.",
                crate::text::line(&receipt),
                crate::text::path(&dir)
            )));
        };
        let text = format!(
            "Staff concern {receipt}, waiting in {} (not yet taken in)\n{}\nTake it in with `logbook concerns --take {receipt}` and --add-to INC-... or --no-further-action REASON, or in the app (C), which also makes a new incident from it.\n",
            crate::text::path(&dir),
            concern::whole(&found.concern)
        );
        return out.write_all(text.as_bytes()).map_err(stdout_error);
    }
    if let Some(receipt) = args.take {
        out.write_all(text.as_bytes()).map_err(stdout_error)?;
        let receipt = receipt.trim().to_ascii_uppercase();
        let Some(found) = inbox.concerns.iter().find(|i| i.concern.receipt == receipt) else {
            return Err(Error::Usage(format!(
                "There is no concern {} waiting in {}: `logbook concerns` lists them.",
                crate::text::line(&receipt),
                dir.display()
            )));
        };
        let how = match (args.add_to, args.no_further_action) {
            (Some(id), _) => TakeIn::AddTo(id.trim().to_ascii_uppercase()),
            (None, Some(reason)) => TakeIn::NoFurtherAction(reason),
            (None, None) => {
                return Err(Error::Usage(
                    "Say what to do with it: --add-to INC-... or --no-further-action REASON (the app's Concerns screen also makes a new incident).".into(),
                ));
            }
        };
        let stamp = Stamp::new(operator(global, Some(&key), &book.settings)?, now());
        let said = book
            .take_in_concern(&stamp, &found.concern, how)
            .map_err(|e| {
                words::reword(
                    e.into(),
                    Given::Options(&[("incident", "--add-to"), ("reason", "--no-further-action")]),
                )
            })?;
        // Saved first; only then is the file removed from the inbox.
        vault.save(&book)?;
        writeln!(out, "{}", crate::text::line(&said)).map_err(stdout_error)?;
        return concern::remove(&found.path).map_err(|e| {
            Error::Usage(format!(
                "Concern {receipt} is taken in and saved, but its file could not be removed from the folder ({e}): remove {} by hand.",
                found.path.display()
            ))
        });
    }
    match inbox.concerns.len() {
        0 => text.push_str(&format!(
            "No new concerns in {}.\n",
            crate::text::line(&dir.display().to_string())
        )),
        n => {
            text.push_str(&format!(
                "{n} new concern{} in {}:\n",
                if n == 1 { "" } else { "s" },
                crate::text::line(&dir.display().to_string())
            ));
            for i in &inbox.concerns {
                let c = &i.concern;
                text.push_str(&format!(
                    "{}  {}  {}  \"{}\"\n",
                    c.receipt,
                    present::at(&c.written),
                    crate::text::line(&c.from()),
                    crate::text::line(&concern::first_words(&c.what, 50))
                ));
            }
        }
    }
    out.write_all(text.as_bytes()).map_err(stdout_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(typed: &str) -> (Option<Concern>, String) {
        let mut out = Vec::new();
        let c = ask(&mut typed.as_bytes(), &mut out, None).unwrap();
        (c, String::from_utf8(out).unwrap())
    }

    #[test]
    fn the_form_asks_each_question_and_sends_only_on_yes() {
        let typed = "JB said \"they keep posting my photo\"\nsecond line\n.\ntoday 10:40\nJB Y9\nSnapchat\nListened\nA. Khan\nForm tutor\nmaybe\ny\n";
        let (c, shown) = asked(typed);
        let c = c.unwrap();
        assert_eq!(
            c.what,
            "JB said \"they keep posting my photo\"\nsecond line"
        );
        assert_eq!((c.when.as_str(), c.who.as_str()), ("today 10:40", "JB Y9"));
        assert_eq!((c.by.as_str(), c.role.as_str()), ("A. Khan", "Form tutor"));
        assert!(!shown.to_lowercase().contains("passphrase"));
        assert!(!shown.to_lowercase().contains("key file"));
        let (no, _) = asked("x\n.\nt\nw\np\nd\nN\nR\nn\n");
        assert!(no.is_none());
        // End of input part-way sends nothing.
        assert!(asked("x\n.\nt\n").0.is_none());
        assert!(asked("").0.is_none());
    }

    /// Tester3 #44: a pasted message with empty lines ended "what you saw" at the first
    /// one and spread the rest over When, Who and Where.
    #[test]
    fn a_pasted_message_with_empty_lines_stays_whole_until_the_full_stop() {
        let typed = "\nShe showed me this message:\n\nyou better not tell anyone or else\n\nand then another one saying she is ugly\n\n.\nToday 12:50\nAB Y8\nInstagram\nListened\nMs Paste\nTA\ny\n";
        let (c, shown) = asked(typed);
        let c = c.unwrap();
        assert_eq!(
            c.what,
            "She showed me this message:\n\nyou better not tell anyone or else\n\nand then another one saying she is ugly"
        );
        assert_eq!(
            (c.when.as_str(), c.who.as_str(), c.place.as_str()),
            ("Today 12:50", "AB Y8", "Instagram")
        );
        assert!(shown.contains("a line holding only a full stop"), "{shown}");
        assert!(shown.contains("Ctrl-D"), "{shown}");
        // Ctrl-D (the end of input) ends the words too; then the input has ended.
        let (c, _) = asked("one\n\ntwo\n");
        assert!(c.is_none());
        // A full stop before any words asks for them.
        let (c, shown) = asked(".\nwords\n.\nt\nw\np\nd\nN\nR\ny\n");
        assert_eq!(c.unwrap().what, "words");
        assert!(
            shown.contains("Please write what you saw or heard"),
            "{shown}"
        );
    }

    /// Tester3 #32: `n` at "Send this to the DSL?" was the only way to correct a typo, and
    /// lost everything; Enter alone printed the question again on the same line.
    #[test]
    fn an_answer_can_be_changed_before_sending() {
        let typed = "Saw a photo\n.\ntoday 10:40\nJB Y8\nSnapchat\nListened\nA. Khan\nTutor\n\ne\n3\nJB Y9\ne\n1\nSaw a photo\n\nof JB\n.\ny\n";
        let (c, shown) = asked(typed);
        let c = c.unwrap();
        assert_eq!(c.who, "JB Y9");
        assert_eq!(c.what, "Saw a photo\n\nof JB");
        assert_eq!(c.place, "Snapchat");
        assert!(
            shown.contains("y = send, e = change an answer, n = do not send"),
            "{shown}"
        );
        assert!(
            shown.contains(
                "Type y and press Enter to send it, e to change an answer, or n not to send it.\n"
            ),
            "{shown}"
        );
        // The summary is shown again after each change, with the new answer.
        assert_eq!(
            shown.matches("What you saw or heard:").count(),
            3,
            "{shown}"
        );
        assert!(shown.contains("Who: JB Y9"), "{shown}");
        // A number out of range is asked again; Enter changes nothing.
        let (c, shown) = asked("x\n.\nt\nw\np\nd\nN\nR\ne\n9\n\ny\n");
        assert_eq!(c.unwrap().who, "w");
        assert!(shown.contains("Type a number from 1 to 7."), "{shown}");
    }
}
