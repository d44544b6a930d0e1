//! How hard a new passphrase is to guess: one rule for the app's set-up and the command
//! line's `init` and `passwd`. The logbook holds a school's most sensitive records, and its
//! passphrase is all that stands between a stolen file and them, so a passphrase an
//! attacker's word lists find quickly is refused, whatever its length.

/// The shortest passphrase accepted, whatever its estimated strength.
pub const MIN_CHARS: usize = 8;

/// The lowest zxcvbn score accepted (0-4): 3 is "safely unguessable" against an offline
/// attack slowed by a hash; the logbook's scrypt slows it further.
pub const MIN_SCORE: u8 = 3;

/// Longer passphrases are estimated on their first part: the estimate's cost grows with the
/// length, and this is plenty to tell.
const ESTIMATE_CHARS: usize = 100;

/// A strength to show while typing: "" for nothing typed yet.
pub fn label(pass: &str) -> &'static str {
    if pass.is_empty() {
        return "";
    }
    if pass.chars().count() < MIN_CHARS {
        return "too short";
    }
    match score(pass) {
        0 | 1 => "very weak",
        2 => "weak",
        3 => "fair",
        _ => "strong",
    }
}

fn score(pass: &str) -> u8 {
    let head: String = pass.chars().take(ESTIMATE_CHARS).collect();
    u8::from(zxcvbn::zxcvbn(&head, &[]).score())
}

/// Whether a new passphrase may be used: `Err` is one sentence saying why not and what would do.
pub fn check(pass: &str) -> Result<(), String> {
    if pass.chars().count() < MIN_CHARS {
        return Err(format!(
            "The passphrase is too short: use at least {MIN_CHARS} characters, best four or more random words."
        ));
    }
    if score(pass) < MIN_SCORE {
        return Err(format!(
            "The passphrase is too easy to guess (strength: {}): use four or more random, unrelated words.",
            label(pass)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_refused_and_random_words_accepted() {
        for weak in [
            "password",
            "password1",
            "Password123!",
            "qwertyuiop",
            "iloveyou2026",
        ] {
            assert!(check(weak).is_err(), "{weak} was accepted");
        }
        assert!(check("short").unwrap_err().contains("too short"));
        assert!(
            check("password")
                .unwrap_err()
                .contains("four or more random")
        );
        for strong in [
            "lantern orbit velvet cabbage",
            "correct horse battery staple",
            "copper tulip ladder fjord",
        ] {
            assert_eq!(check(strong), Ok(()), "{strong} was refused");
        }
        assert_eq!(label(""), "");
        assert_eq!(label("password"), "very weak");
        assert_eq!(label("lantern orbit velvet cabbage"), "strong");
    }
}
