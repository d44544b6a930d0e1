//! The staff concern drop-box on the command line: `concern` (staff, no secret),
//! `concern-setup` and `concerns` (the DSL, with the logbook's key).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::args::{ConcernArgs, ConcernsArgs, Global};
use super::words::{self, Given};
use super::{now, open, operator, stdout_error};
use crate::concern::{self, RECIPIENTS_FILE};
use crate::error::{Error, Result};
use crate::model::{Concern, Stamp, TakeIn};
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
    // Typed as options, a refusal names the option; answered at the prompts, the question.
    let from_options = args.what.is_some();
    let concern = match args.what {
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
                    "There is no terminal to ask the questions on: give --what TEXT and --by NAME (and --when, --who, --where, --did, --role).".into(),
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
            words::reword_invalid(e, Given::Options(&[("what", "--what"), ("by", "--by")]))
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
    .map_err(stdout_error)
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

/// The form: one question at a time on the terminal. What was seen or heard may run over
/// several lines and ends with an empty line. Returns None if the person does not send it.
/// Never asks for, or shows, any secret.
fn ask(
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    name: Option<&str>,
) -> Result<Option<Concern>> {
    let mut line = |prompt: &str, out: &mut dyn Write| -> Result<Option<String>> {
        write!(out, "{prompt}").map_err(stdout_error)?;
        out.flush().map_err(stdout_error)?;
        let mut text = String::new();
        let n = input
            .read_line(&mut text)
            .map_err(|e| Error::io("reading", Path::new("the terminal"), e))?;
        Ok((n > 0).then(|| text.trim_end_matches(['\n', '\r']).to_string()))
    };
    writeln!(
        out,
        "Pass a concern to the Designated Safeguarding Lead.\n\
         Only the DSL can read it; nothing is kept on this computer. Ctrl-C stops without sending.\n\n\
         What did you see or hear? Use the person's own words where you can.\n\
         (Several lines are fine; an empty line ends it.)"
    )
    .map_err(stdout_error)?;
    let mut what = String::new();
    loop {
        let Some(l) = line("> ", out)? else {
            return Ok(None);
        };
        if l.trim().is_empty() {
            if what.trim().is_empty() {
                writeln!(out, "Please write what you saw or heard (it is needed).")
                    .map_err(stdout_error)?;
                continue;
            }
            break;
        }
        if !what.is_empty() {
            what.push('\n');
        }
        what.push_str(&l);
    }
    let mut next = |prompt: &str, out: &mut dyn Write| -> Result<Option<String>> {
        Ok(line(prompt, out)?.map(|s| s.trim().to_string()))
    };
    let Some(when) = next(
        "When did it happen? (e.g. today 10:40, Tuesday lunchtime) ",
        out,
    )?
    else {
        return Ok(None);
    };
    let Some(who) = next(
        "Who is involved? (initials and year group, e.g. JB Y9) ",
        out,
    )?
    else {
        return Ok(None);
    };
    let Some(place) = next("Where? (app or website, or place) ", out)? else {
        return Ok(None);
    };
    let Some(action) = next("What did you do? ", out)? else {
        return Ok(None);
    };
    let by = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n.to_string(),
        None => loop {
            let Some(n) = next("Your name: ", out)? else {
                return Ok(None);
            };
            if !n.is_empty() {
                break n;
            }
            writeln!(out, "Please give your name, so the DSL knows who to ask.")
                .map_err(stdout_error)?;
        },
    };
    let Some(role) = next("Your role (e.g. Form tutor, Teaching assistant): ", out)? else {
        return Ok(None);
    };
    let shown = |s: &str| {
        if s.is_empty() {
            "(not given)".to_string()
        } else {
            crate::text::block(s).into_owned()
        }
    };
    writeln!(
        out,
        "\nWhat you saw or heard:\n{}\nWhen: {}\nWho: {}\nWhere: {}\nWhat you did: {}\nFrom: {}{}\n",
        shown(&what),
        shown(&when),
        shown(&who),
        shown(&place),
        shown(&action),
        crate::text::line(&by),
        if role.is_empty() {
            String::new()
        } else {
            format!(" ({})", crate::text::line(&role))
        }
    )
    .map_err(stdout_error)?;
    loop {
        let Some(answer) = next("Send this to the DSL? (y = send, n = do not send) ", out)? else {
            return Ok(None);
        };
        match answer.to_ascii_lowercase().as_str() {
            "y" | "yes" => break,
            "n" | "no" => return Ok(None),
            _ => {}
        }
    }
    Ok(Some(Concern {
        receipt: String::new(),
        written: now(),
        what,
        when,
        who,
        place,
        action,
        by,
        role,
    }))
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
    concern::refuse_other_logbook(&dir, book.id())?;
    // Who is making the change is asked, and the change checked, before anything is
    // written: a refused command must leave the folder as it found it, not looking set up
    // while the logbook does not know it.
    let change = book.settings.concern_inbox != text;
    if change {
        let stamp = Stamp::new(operator(global, Some(&key), &book.settings)?, now());
        book.set_concern_inbox(&stamp, &text)?;
    }
    let written = concern::write_recipients(&dir, book.id(), &book.settings.organisation, &keys)?;
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
                "{}  {}  {}  \"{}\"  taken in {} by {}: {}\n",
                c.receipt,
                present::at(&c.written),
                crate::text::line(&c.from()),
                crate::text::line(&concern::first_words(&c.what, 40)),
                present::when(r.taken_in),
                crate::text::line(&r.taken_in_by),
                crate::text::line(&r.outcome.label())
            ));
        }
        return out.write_all(text.as_bytes()).map_err(stdout_error);
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
    if let Some(receipt) = args.take {
        out.write_all(text.as_bytes()).map_err(stdout_error)?;
        let receipt = receipt.trim().to_ascii_uppercase();
        let Some(found) = inbox.concerns.iter().find(|i| i.concern.receipt == receipt) else {
            return Err(Error::Usage(match book.concern(&receipt) {
                Some(done) => format!(
                    "Concern {receipt} was taken in already ({}).",
                    crate::text::line(&done.outcome.label())
                ),
                None => format!(
                    "There is no concern {} waiting in {}: `logbook concerns` lists them.",
                    crate::text::line(&receipt),
                    dir.display()
                ),
            }));
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

    #[test]
    fn the_form_asks_each_question_and_sends_only_on_yes() {
        let typed = "JB said \"they keep posting my photo\"\nsecond line\n\ntoday 10:40\nJB Y9\nSnapchat\nListened\nA. Khan\nForm tutor\nmaybe\ny\n";
        let mut out = Vec::new();
        let c = ask(&mut typed.as_bytes(), &mut out, None).unwrap().unwrap();
        assert_eq!(
            c.what,
            "JB said \"they keep posting my photo\"\nsecond line"
        );
        assert_eq!((c.when.as_str(), c.who.as_str()), ("today 10:40", "JB Y9"));
        assert_eq!((c.by.as_str(), c.role.as_str()), ("A. Khan", "Form tutor"));
        let shown = String::from_utf8(out).unwrap();
        assert!(!shown.to_lowercase().contains("passphrase"));
        assert!(!shown.to_lowercase().contains("key file"));
        let no = "x\n\nt\nw\np\nd\nN\nR\nn\n";
        assert!(
            ask(&mut no.as_bytes(), &mut Vec::new(), None)
                .unwrap()
                .is_none()
        );
        // End of input (Ctrl-D) part-way sends nothing.
        assert!(
            ask(&mut "x\n\nt\n".as_bytes(), &mut Vec::new(), None)
                .unwrap()
                .is_none()
        );
    }
}
