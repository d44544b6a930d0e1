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
    label_with(pass, &[])
}

/// A strength to show while typing, counting as easy to guess a passphrase built on
/// `names` (the organisation's, the staff's: see `check_with`).
pub fn label_with(pass: &str, names: &[&str]) -> &'static str {
    if pass.is_empty() {
        return "";
    }
    if pass.chars().count() < MIN_CHARS {
        return "too short";
    }
    match score(pass, names) {
        0 | 1 => "very weak",
        2 => "weak",
        3 => "fair",
        _ => "strong",
    }
}

/// The words an attacker who knows the organisation tries first: each name whole, each of
/// its words, and its words run together ("Northfield Academy" gives "northfield",
/// "academy" and "northfieldacademy"), as zxcvbn matches a user input only as a whole word.
fn user_inputs(names: &[&str]) -> Vec<String> {
    let mut inputs = Vec::new();
    for name in names {
        let words: Vec<&str> = name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
            .collect();
        inputs.push(words.concat());
        inputs.extend(words.iter().map(|w| w.to_string()));
    }
    inputs.retain(|w| !w.is_empty());
    inputs
}

/// The estimate, lowered to 0 for a passphrase built mostly on `names` (see `what_is_left`).
fn score(pass: &str, names: &[&str]) -> u8 {
    let head: String = pass.chars().take(ESTIMATE_CHARS).collect();
    let inputs = user_inputs(names);
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let whole = u8::from(zxcvbn::zxcvbn(&head, &inputs).score());
    match what_is_left(&head, names) {
        Some(rest) if u8::from(zxcvbn::zxcvbn(&rest, &[]).score()) < MIN_SCORE => 0,
        _ => whole,
    }
}

/// The passphrase with every word of `names` taken out, compared as filters compare (case
/// and accents aside), or None when it holds none of them. zxcvbn finds a name's word only
/// where the rest of the passphrase does not hide it: "Northfield Academy 2026",
/// "northfield-academy", "Academy Northfield 26" or "HolyTrinityAcademy2026" for "Holy
/// Trinity Church of England Academy" all scored as safe (tester4 #12), though an attacker
/// who knows the school tries exactly those. What is left must be safe on its own, so a
/// name inside four random words is still fine.
fn what_is_left(pass: &str, names: &[&str]) -> Option<String> {
    let folded = crate::model::query::fold(pass).into_owned();
    let mut words: Vec<String> = names
        .iter()
        .flat_map(|name| {
            crate::model::query::fold(name)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    // Longest first, so "academy" goes before a shorter word inside it.
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let mut rest = folded.clone();
    for word in &words {
        rest = rest.replace(word.as_str(), " ");
    }
    (rest != folded).then(|| rest.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Whether a new passphrase may be used: `Err` is one sentence saying why not and what would do.
pub fn check(pass: &str) -> Result<(), String> {
    check_with(pass, &[])
}

/// `check`, counting as easy to guess a passphrase built on `names`: the organisation's
/// name and the staff's, which anyone who knows the school tries first
/// ("NorthfieldAcademy2026" for Northfield Academy).
pub fn check_with(pass: &str, names: &[&str]) -> Result<(), String> {
    if pass.chars().count() < MIN_CHARS {
        return Err(format!(
            "The passphrase is too short: use at least {MIN_CHARS} characters, best four or more random words."
        ));
    }
    if score(pass, names) < MIN_SCORE {
        // Strong by itself, weak once the names are known: say which names gave it away.
        if score(pass, &[]) >= MIN_SCORE {
            return Err(
                "The passphrase is too easy to guess: it is built on the organisation's or a staff member's name, which anyone who knows the school tries first; use four or more random, unrelated words."
                    .into(),
            );
        }
        return Err(format!(
            "The passphrase is too easy to guess (strength: {}): use four or more random, unrelated words.",
            label_with(pass, names)
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

    /// Tester finding 24: "NorthfieldAcademy2026" passed for Northfield Academy, the first
    /// thing anyone who knows the school would try.
    #[test]
    fn a_passphrase_built_on_the_organisations_or_staffs_names_is_refused() {
        let names = ["Northfield Academy", "Ruth Okafor", "KW"];
        assert_eq!(
            check("NorthfieldAcademy2026"),
            Ok(()),
            "strong without the names"
        );
        let err = check_with("NorthfieldAcademy2026", &names).unwrap_err();
        assert!(
            err.contains("organisation's or a staff member's name"),
            "{err}"
        );
        assert_ne!(label_with("NorthfieldAcademy2026", &names), "strong");
        assert_eq!(check_with("lantern orbit velvet cabbage", &names), Ok(()));
        // A name inside random words is fine: what is left is safe by itself.
        assert_eq!(
            check_with("northfield lantern orbit velvet cabbage", &names),
            Ok(())
        );
        // A weak one without the names keeps the general reason.
        assert!(
            check_with("password", &names)
                .unwrap_err()
                .contains("four or more random")
        );
    }

    /// Tester4 #12: the organisation's name with spaces, dashes, another order, a word
    /// left out or accents dropped, with a year, was accepted.
    #[test]
    fn a_passphrase_made_of_the_names_words_in_any_form_is_refused() {
        let cases: [(&str, &[&str]); 10] = [
            ("Northfield Academy 2026", &["Northfield Academy"]),
            ("northfield academy", &["Northfield Academy"]),
            ("Northfield-Academy-2026", &["Northfield Academy"]),
            ("Academy Northfield 26", &["Northfield Academy"]),
            ("StMarysPrimarySchool2026", &["St Mary's Primary School"]),
            (
                "HolyTrinityAcademy2026",
                &["Holy Trinity Church of England Academy"],
            ),
            (
                "YsgolGyfunLlanfairpwll2026",
                &["Ysgol Gyfun Llanfairpwll — Dŵr & Môr"],
            ),
            (
                "Ysgol Gyfun Llanfairpwll 2026",
                &["Ysgol Gyfun Llanfairpwll — Dŵr & Môr"],
            ),
            (
                "Dwr a Mor Llanfairpwll!",
                &["Ysgol Gyfun Llanfairpwll — Dŵr & Môr"],
            ),
            ("SianApRhys2026", &["Northfield Academy", "Siân ap Rhys"]),
        ];
        for (pass, names) in cases {
            let err = check_with(pass, names).expect_err(pass);
            assert!(err.contains("too easy to guess"), "{pass}: {err}");
            assert_ne!(label_with(pass, names), "strong", "{pass}");
        }
    }
}
