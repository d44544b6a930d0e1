//! The logbook's own history: every audit entry, about any record or about the logbook
//! itself (keys, who records, backups, restores, settings, the concern folder), in words,
//! for `logbook history` and the app's History screen. An incident's changes are worded by
//! the same code as its History tab (`present::changes`); this adds the words for the
//! entries no incident holds. Text is returned as stored: the caller escapes it where it is
//! drawn (`crate::text`).

use std::collections::BTreeMap;

use super::{quoted, stored};
use crate::model::{AuditEntry, FieldChange, Logbook, Subject};

/// What an entry is about, for reading and filtering the history by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An incident recorded or changed.
    Incident,
    /// A person added to the register or changed.
    Person,
    /// A staff concern taken in.
    Concern,
    /// A record that left the logbook: an export, a certificate, figures.
    Export,
    /// A child protection file sent, acknowledged or received.
    Transfer,
    /// A record disposed of at the end of its retention period.
    Disposal,
    /// Who can open the logbook or its backups changed.
    Keys,
    /// Someone else took over recording.
    Recorder,
    Backup,
    Restore,
    /// The folder staff concerns arrive in.
    ConcernFolder,
    /// Any other setting, and the logbook's creation.
    Settings,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Incident,
        Kind::Person,
        Kind::Concern,
        Kind::Export,
        Kind::Transfer,
        Kind::Disposal,
        Kind::Keys,
        Kind::Recorder,
        Kind::Backup,
        Kind::Restore,
        Kind::ConcernFolder,
        Kind::Settings,
    ];

    /// The one word `logbook history --kind` takes and prints (kept stable for scripts).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Incident => "incident",
            Kind::Person => "person",
            Kind::Concern => "concern",
            Kind::Export => "export",
            Kind::Transfer => "transfer",
            Kind::Disposal => "disposal",
            Kind::Keys => "keys",
            Kind::Recorder => "recorder",
            Kind::Backup => "backup",
            Kind::Restore => "restore",
            Kind::ConcernFolder => "concern-folder",
            Kind::Settings => "settings",
        }
    }

    /// What the kind covers, in words (the app's filter, the command's help).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Incident => "incidents recorded and changed",
            Kind::Person => "people added and changed",
            Kind::Concern => "staff concerns taken in",
            Kind::Export => "records that left the logbook",
            Kind::Transfer => "child protection files sent and received",
            Kind::Disposal => "records disposed of",
            Kind::Keys => "who can open the logbook and its backups",
            Kind::Recorder => "changes of who is recording",
            Kind::Backup => "backups made",
            Kind::Restore => "restores from a backup",
            Kind::ConcernFolder => "the concern folder",
            Kind::Settings => "other settings",
        }
    }
}

/// The field of a disposal entry's change that records one entry it emptied.
const EMPTIED_FIELD: &str = "audit entry emptied";

/// The settings fields that say who can open the logbook or its backups.
fn is_key_field(field: &str) -> bool {
    field == "recipients"
        || field == "recovery_recipients"
        || field == "passphrase_key"
        || field.starts_with("holders[")
        || field == "backup key (public)"
}

/// The kind of an entry, from its subject and what it records. The actions are matched by
/// how the model words them; `tests::every_kind_is_told_from_the_entry_the_model_writes`
/// makes each through the model, so a rewording cannot go unnoticed.
pub fn kind(e: &AuditEntry) -> Kind {
    let action = e.action.as_str();
    if action.starts_with("disposed of") && e.redacted.is_none() {
        return Kind::Disposal;
    }
    if action.starts_with(crate::model::TRANSFER_SENT)
        || action.starts_with(crate::model::TRANSFER_ACKNOWLEDGED)
        || action.starts_with("received child protection file transfer")
    {
        return Kind::Transfer;
    }
    if e.is_export() {
        return Kind::Export;
    }
    match &e.subject {
        Subject::Incident(_) => Kind::Incident,
        Subject::Person(_) => Kind::Person,
        Subject::Concern(_) => Kind::Concern,
        Subject::Settings if action.starts_with("verified backup written") => Kind::Backup,
        Subject::Settings if action.starts_with("restored the logbook") => Kind::Restore,
        Subject::Settings if action.starts_with("recording now as") => Kind::Recorder,
        Subject::Settings if e.changes.iter().any(|c| is_key_field(&c.field)) => Kind::Keys,
        Subject::Settings if e.changes.iter().any(|c| c.field == "concern_inbox") => {
            Kind::ConcernFolder
        }
        Subject::Settings => Kind::Settings,
    }
}

/// The record an entry is about, as the history names it: an incident's or a person's
/// number, "concern C-...", or "logbook" for the logbook as a whole.
pub fn record(e: &AuditEntry) -> String {
    match &e.subject {
        Subject::Settings => "logbook".to_string(),
        other => other.to_string(),
    }
}

/// Whether the entry is about the record `wanted` names: a number as `record` gives it
/// (any case), a concern's receipt with or without "concern", or "logbook"/"settings".
pub fn is_about(e: &AuditEntry, wanted: &str) -> bool {
    let wanted = wanted.trim();
    match &e.subject {
        Subject::Settings => {
            wanted.eq_ignore_ascii_case("logbook") || wanted.eq_ignore_ascii_case("settings")
        }
        Subject::Incident(id) | Subject::Person(id) => id.eq_ignore_ascii_case(wanted),
        Subject::Concern(receipt) => {
            let wanted = wanted
                .get(..8)
                .filter(|head| head.eq_ignore_ascii_case("concern "))
                .map_or(wanted, |_| wanted[8..].trim());
            receipt.eq_ignore_ascii_case(wanted)
        }
    }
}

/// Whether the entry's content was removed when its record was disposed of.
pub fn emptied(e: &AuditEntry) -> bool {
    e.redacted.is_some()
}

/// What the entry records, in a sentence: its action, and for a change of settings the
/// settings it changed; an emptied entry says so, with the disposal that emptied it.
pub fn what(e: &AuditEntry) -> String {
    if let Some(disposal) = e.redacted {
        return format!("[emptied by the disposal, entry #{disposal}] {}", e.action);
    }
    if e.subject == Subject::Settings && e.action == "changed settings" && !e.changes.is_empty() {
        let mut names: Vec<String> = Vec::new();
        for c in &e.changes {
            let name = setting_name(&c.field);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        return format!("changed settings: {}", names.join(", "));
    }
    e.action.clone()
}

/// A settings field as a reader names it (the stored path stays as it is: it is hashed).
fn setting_name(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("holders[") {
        let (n, part) = rest.split_once(']').unwrap_or((rest, ""));
        let which = n
            .parse::<usize>()
            .map_or_else(|_| n.to_string(), |n| (n + 1).to_string());
        return match part.trim_start_matches('.') {
            "name" => format!("key holder {which}'s name"),
            "key" => format!("key holder {which}'s key"),
            other => format!("key holder {which} {other}"),
        };
    }
    if let Some(rest) = field.strip_prefix("retention.") {
        return format!("retention {}", rest.replace('_', " "));
    }
    match field {
        "organisation" => "organisation",
        "staff" => "staff who may record",
        "review_interval_days" => "days between reviews",
        "idle_lock_minutes" => "minutes before the app locks",
        "backup_interval_days" => "days between backups",
        "backup_keep" => "backups to keep",
        "recipients" => "keys that open the logbook",
        "recovery_recipients" => "recovery keys (open backups only)",
        "passphrase_key" => "the passphrase's key",
        "concern_inbox" => "concern folder",
        other => return other.to_string(),
    }
    .to_string()
}

/// The keys of a list of keys as the trail stores it ("age1..., age1...").
fn keys_of(value: &str) -> Vec<&str> {
    value
        .split(", ")
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .collect()
}

/// Who holds each key, as far as the logbook knows: the holders in its settings now, and
/// those this entry names (a holder removed is named only in the entry that removed them).
fn holder_names<'a>(book: &'a Logbook, e: &'a AuditEntry) -> BTreeMap<&'a str, &'a str> {
    let mut names: BTreeMap<&str, &str> = book
        .settings
        .holders
        .iter()
        .map(|h| (h.key.as_str(), h.name.as_str()))
        .collect();
    let part = |c: &'a FieldChange, which: &str| {
        let rest = c.field.strip_prefix("holders[")?;
        let (n, field) = rest.split_once("].")?;
        (field == which).then_some(n)
    };
    // Every change of settings that names a holder (a holder removed since is named only
    // there), this entry's last so its own names win.
    let entries = book
        .audit
        .iter()
        .map(|x| &**x)
        .filter(|x| x.subject == Subject::Settings && x.seq != e.seq)
        .chain(std::iter::once(e));
    for entry in entries {
        for side in [false, true] {
            let value = |c: &'a FieldChange| if side { c.new.as_str() } else { c.old.as_str() };
            for k in &entry.changes {
                let Some(n) = part(k, "key") else { continue };
                let name = entry
                    .changes
                    .iter()
                    .find(|c| part(c, "name") == Some(n) && !value(c).is_empty())
                    .map(value);
                if let Some(name) = name.filter(|_| !value(k).is_empty()) {
                    names.entry(value(k)).or_insert(name);
                }
            }
        }
    }
    names
}

/// The entry's changes, one line each ("field: \"old\" -> \"new\""), in the words of the
/// record's own history. A change of keys first says in words who can now, or can no
/// longer, open the logbook or its backups, by the holders' names. A disposal lists the
/// entries it emptied.
pub fn changes(book: &Logbook, e: &AuditEntry) -> Vec<String> {
    if let Subject::Incident(id) = &e.subject
        && let Some(inc) = book.incident(id)
    {
        return super::changes(inc, &e.changes);
    }
    let mut out = Vec::new();
    if e.subject == Subject::Settings {
        let names = holder_names(book, e);
        let named = |k: &str| match names.get(k) {
            Some(name) => format!("{name} ({k})"),
            None => format!("{k} (no holder named)"),
        };
        for c in &e.changes {
            let (gained, lost) = match c.field.as_str() {
                "recipients" => ("can now open the logbook", "can no longer open the logbook"),
                "recovery_recipients" => (
                    "can now open its backups (recovery key)",
                    "can no longer open new backups (recovery key)",
                ),
                _ => continue,
            };
            let (old, new) = (keys_of(&c.old), keys_of(&c.new));
            for k in new.iter().filter(|k| !old.contains(*k)) {
                out.push(format!("{}: {gained}", named(k)));
            }
            for k in old.iter().filter(|k| !new.contains(*k)) {
                out.push(format!("{}: {lost}", named(k)));
            }
        }
    }
    for c in &e.changes {
        // How a disposal records each entry it emptied (`model::redact`): its number, and
        // a hash a reader has no use for.
        if c.field == EMPTIED_FIELD && e.action.starts_with("disposed of") {
            out.push(format!("emptied entry #{}", c.old));
            continue;
        }
        let name = match e.subject {
            // Said above in words, key by key.
            Subject::Settings
                if matches!(c.field.as_str(), "recipients" | "recovery_recipients") =>
            {
                continue;
            }
            Subject::Settings => setting_name(&c.field),
            _ => c.field.clone(),
        };
        out.push(format!(
            "{name}: {} -> {}",
            quoted(&stored(&c.field, &c.old)),
            quoted(&stored(&c.field, &c.new))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Holder, Settings, Stamp};

    const DSL: &str = "age1lftkev2w6marf77e0l6k86n8zvd7jyjygzd99akkucptc0kxd4vqcz95nf";
    const DEPUTY: &str = "age1u85l5a0cwecc07muwj64qmwe5fapk068qh6zgvqzadrrpcxetu7sag4suy";
    const RECOVERY: &str = "age1dt8l3avcd0vetwsk2z7p0p5pnd0a6pwj5pqfwyuda6g4kq44luzqf5r2s0";

    fn stamp(book: &Logbook) -> Stamp {
        let last = book.audit.last().unwrap().at;
        Stamp::new("RO", last + chrono::Duration::minutes(1))
    }

    fn last(book: &Logbook) -> &AuditEntry {
        book.audit.last().unwrap()
    }

    #[test]
    fn every_kind_is_told_from_the_entry_the_model_writes() {
        let created = Logbook::create(
            &Stamp::new("RO", crate::demo::logbook().unwrap().audit[0].at),
            Settings::new("Test School", vec!["RO".into()]),
        )
        .unwrap();
        assert_eq!(kind(&created.audit[0]), Kind::Settings, "created logbook");
        let mut book = crate::demo::logbook().unwrap();
        let s = stamp(&book);
        book.record_backup(&s, "/media/STICK/logbook-1.age")
            .unwrap();
        assert_eq!(kind(last(&book)), Kind::Backup);
        book.record_restore(&s, "/media/STICK/logbook-1.age")
            .unwrap();
        assert_eq!(kind(last(&book)), Kind::Restore);
        book.record_recorder(
            &Stamp::new("JP", s.at),
            "RO",
            "opened the logbook with their key",
        )
        .unwrap();
        assert_eq!(kind(last(&book)), Kind::Recorder);
        book.update_settings(&s, |st| {
            st.recovery_recipients.push(RECOVERY.into());
            st.holders.push(Holder {
                key: RECOVERY.into(),
                name: "Chair of trustees".into(),
            });
        })
        .unwrap();
        assert_eq!(kind(last(&book)), Kind::Keys);
        let lines = changes(&book, last(&book));
        assert!(
            lines.contains(&format!(
                "Chair of trustees ({RECOVERY}): can now open its backups (recovery key)"
            )),
            "{lines:?}"
        );
        book.update_settings(&s, |st| st.concern_inbox = "/srv/concerns".into())
            .unwrap();
        assert_eq!(kind(last(&book)), Kind::ConcernFolder);
        assert_eq!(
            changes(&book, last(&book)),
            vec!["concern folder: (none) -> \"/srv/concerns\"".to_string()]
        );
        book.update_settings(&s, |st| st.backup_keep = 3).unwrap();
        assert_eq!(kind(last(&book)), Kind::Settings);
        assert_eq!(what(last(&book)), "changed settings: backups to keep");
        let id = book.incidents[0].id.clone();
        book.record_export(&s, Subject::Incident(id.clone()), "incident as HTML for PC")
            .unwrap();
        assert_eq!(kind(last(&book)), Kind::Export);
        let person = book.people[0].id.clone();
        assert!(
            book.audit
                .iter()
                .any(|e| e.subject == Subject::Person(person.clone()) && kind(e) == Kind::Person)
        );
        assert!(
            book.audit
                .iter()
                .any(|e| e.subject == Subject::Incident(id.clone()) && kind(e) == Kind::Incident)
        );
    }

    #[test]
    fn a_disposal_lists_the_entries_it_emptied_and_they_say_they_were_emptied() {
        let mut book = crate::demo::logbook().unwrap();
        let s = stamp(&book);
        let closed = book
            .incidents
            .iter()
            .find(|i| i.status == crate::model::Status::Closed)
            .unwrap()
            .id
            .clone();
        book.dispose(&s, &closed, "adults only: closed + 6 years")
            .unwrap();
        let disposal = book
            .audit
            .iter()
            .rev()
            .find(|e| e.subject == Subject::Incident(closed.clone()))
            .unwrap();
        assert_eq!(kind(disposal), Kind::Disposal);
        let lines = changes(&book, disposal);
        assert!(
            !lines.is_empty() && lines.iter().all(|l| l.starts_with("emptied entry #")),
            "{lines:?}"
        );
        let first = book
            .audit
            .iter()
            .find(|e| e.subject == Subject::Incident(closed.clone()))
            .unwrap();
        assert!(emptied(first));
        assert_eq!(kind(first), Kind::Incident);
        assert!(what(first).starts_with(&format!(
            "[emptied by the disposal, entry #{}]",
            disposal.seq
        )));
        assert!(changes(&book, first).is_empty());
        assert!(is_about(first, &closed.to_lowercase()));
    }

    #[test]
    fn a_key_removed_is_named_by_its_holder_from_the_entry_that_removed_it() {
        let mut book = crate::demo::logbook().unwrap();
        let s = stamp(&book);
        book.update_settings(&s, |st| {
            st.recipients = vec![DSL.into(), DEPUTY.into()];
            st.holders = vec![
                Holder {
                    key: DSL.into(),
                    name: "R. Okafor".into(),
                },
                Holder {
                    key: DEPUTY.into(),
                    name: "J. Patel".into(),
                },
            ];
        })
        .unwrap();
        book.update_settings(&s, |st| {
            st.recipients = vec![DSL.into()];
            st.holders.truncate(1);
        })
        .unwrap();
        let e = last(&book);
        assert_eq!(kind(e), Kind::Keys);
        let lines = changes(&book, e);
        assert_eq!(
            lines[0],
            format!("J. Patel ({DEPUTY}): can no longer open the logbook"),
            "{lines:?}"
        );
        assert!(
            what(e).starts_with("changed settings: keys that open the logbook"),
            "{}",
            what(e)
        );
        assert!(is_about(e, "logbook") && is_about(e, "Settings") && !is_about(e, "P-0001"));
    }
}
