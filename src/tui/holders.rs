//! Who holds the keys that open the logbook: the list the Settings screen shows. (The
//! recorder a key names is `Settings::holder_of`, shared with the command line.)

use crate::model::Settings;

/// A public key shortened for a screen: enough to tell keys apart and to find the whole
/// key in `logbook keys`.
fn short(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 16 {
        return key.to_string();
    }
    let head: String = chars[..10].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// One paragraph for the Settings screen: who opens the logbook, who opens only its
/// backups, and where to change that. Names are the logbook's text, escaped.
pub fn who_can_open(s: &Settings) -> String {
    let name = |key: &str| {
        s.holders.iter().find(|h| h.key == key).map_or_else(
            || "no name given".into(),
            |h| crate::text::line(&h.name).into_owned(),
        )
    };
    let everyday: Vec<String> = s
        .recipients
        .iter()
        .map(|k| {
            if *k == s.passphrase_key {
                format!("whoever knows the passphrase ({})", short(k))
            } else {
                format!("{} ({})", name(k), short(k))
            }
        })
        .collect();
    // No keys in settings (the demo, and logbooks from before keys were kept): saves go
    // to the keys that opened it, whichever they were.
    let everyday = if everyday.is_empty() {
        "the key that opened it (settings name no keys)".to_string()
    } else {
        everyday.join(", ")
    };
    let recovery = if s.recovery_recipients.is_empty() {
        "no recovery key".to_string()
    } else {
        s.recovery_recipients
            .iter()
            .map(|k| format!("{} ({})", name(k), short(k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "Opens the logbook and its backups: {everyday}. Opens backups only (recovery): {recovery}. Change with `logbook keys add|remove`."
    )
}
