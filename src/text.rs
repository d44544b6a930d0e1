//! Text from the logbook is shown as text, never obeyed as terminal commands: control
//! characters, escape sequences and bidirectional overrides are written out visibly, so a
//! pasted message cannot clear the screen, set the title, write the clipboard (OSC 52) or
//! reorder what the reader sees. The escaping is reversible without making ordinary text
//! unreadable: a run of backslashes is shown doubled only where it could be read as the
//! start of an escape (before `e`, `n`, `r`, `x`, `u` or an escaped character), so a typed
//! `\e` never looks like a real escape character while a path such as `\\srv\dsl` is
//! shown as it was typed.
//!
//! A tab is drawn as nothing by the terminal widgets (it has no width of its own), which
//! ran the words either side together: in a one-line place it is written `\t`, in a block
//! it is spaces to the next tab stop (every four columns). A Windows line break (CR LF) in
//! a block is one line break, as the text means it; a CR alone is still written `\r`.

use std::borrow::Cow;

/// Columns between tab stops where a block shows a tab as spaces.
const TAB_STOP: usize = 4;

/// Characters that change how text is displayed rather than being displayed (a tab is
/// drawn as nothing at all), so are shown some other way.
fn is_unsafe(c: char, keep_newlines: bool) -> bool {
    match c {
        '\n' => !keep_newlines,
        '\t' => true,
        // Line and paragraph separators break lines in some terminals and viewers.
        '\u{2028}' | '\u{2029}' => true,
        // C0 controls (ESC among them), DEL and C1 controls (CSI 0x9b, OSC 0x9d...).
        c if c.is_control() => true,
        // Bidirectional embeddings, overrides and isolates, and the marks.
        '\u{200e}'
        | '\u{200f}'
        | '\u{061c}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// Whether a run of backslashes followed by `next` would read as an escape if shown as it
/// is: then each backslash of the run is shown doubled.
fn ambiguous_after_backslash(next: Option<char>, keep_newlines: bool) -> bool {
    match next {
        Some('e' | 'n' | 'r' | 't' | 'x' | 'u') => true,
        // In a block a tab is spaces, which no backslash can be read with.
        Some('\t') => !keep_newlines,
        Some(c) => is_unsafe(c, keep_newlines),
        None => false,
    }
}

fn needs_escaping(text: &str, keep_newlines: bool) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_unsafe(c, keep_newlines) {
            return true;
        }
        if c == '\\' {
            while chars.next_if_eq(&'\\').is_some() {}
            if ambiguous_after_backslash(chars.peek().copied(), keep_newlines) {
                return true;
            }
        }
    }
    false
}

fn escaped(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !needs_escaping(text, keep_newlines) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let mut run = 1;
            while chars.next_if_eq(&'\\').is_some() {
                run += 1;
            }
            let times = if ambiguous_after_backslash(chars.peek().copied(), keep_newlines) {
                2 * run
            } else {
                run
            };
            out.extend(std::iter::repeat_n('\\', times));
        } else if c == '\t' && keep_newlines {
            let column = out
                .rsplit('\n')
                .next()
                .map_or(0, unicode_width::UnicodeWidthStr::width);
            out.extend(std::iter::repeat_n(' ', TAB_STOP - column % TAB_STOP));
        } else if c == '\r' && keep_newlines && chars.peek() == Some(&'\n') {
            // CR LF is one line break: the LF that follows makes it.
        } else if is_unsafe(c, keep_newlines) {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\u{1b}' => out.push_str("\\e"),
                c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// For one-line places (a table cell, a list line): newlines are escaped too, and a tab is
/// written `\t`.
pub fn line(text: &str) -> Cow<'_, str> {
    escaped(text, false)
}

/// A file or folder name (a path in a message, a volume's mount point from a stick's label):
/// escaped like record text, since whoever named it chose its bytes.
pub fn path(path: &std::path::Path) -> String {
    match path.to_string_lossy() {
        Cow::Borrowed(s) => line(s).into_owned(),
        Cow::Owned(s) => line(&s).into_owned(),
    }
}

/// For multi-line places (a description): newlines kept (a CR LF as one), a tab shown as
/// spaces to the next tab stop, everything else escaped.
pub fn block(text: &str) -> Cow<'_, str> {
    escaped(text, true)
}

/// A name or other short text as typed, in one Unicode form (NFC: "â" as one character,
/// not "a" followed by a combining accent). The same name typed on a Mac, through an input
/// method or pasted from a web page may arrive decomposed: it looks the same on screen but
/// would be another name in the audit trail, in every filter and in every comparison. Only
/// what is typed now is normalised: stored text keeps its bytes (the trail's hashes cover
/// them).
pub fn nfc(text: &str) -> Cow<'_, str> {
    if unicode_normalization::is_nfc(text) {
        Cow::Borrowed(text)
    } else {
        use unicode_normalization::UnicodeNormalization;
        Cow::Owned(text.nfc().collect())
    }
}

/// Whether two names are one person's name written differently: case, accents, Unicode
/// form and spacing aside ("sian  ap rhys" is "Siân ap Rhys"), as the list filter compares
/// (`model::query::fold`).
pub fn same_name(a: &str, b: &str) -> bool {
    name_key(a) == name_key(b)
}

/// Which of the `known` names (staff, key holders) a typed name is, spelt as it is known:
/// first one written exactly so (Unicode form aside), else one that is the same name
/// case, accents and spacing aside (`same_name`). Two staff told apart only by an accent
/// thus stay two, and "sian ap rhys" typed is "Siân ap Rhys" of the list.
pub fn known_as<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = nfc(typed.trim());
    let known: Vec<&str> = known.into_iter().collect();
    known
        .iter()
        .find(|k| nfc(k) == typed)
        .or_else(|| known.iter().find(|k| same_name(k, &typed)))
        .copied()
}

/// What `same_name` compares: the name decomposed (so every accent is a mark of its own),
/// folded as filters fold it (marks dropped, lower case, Ł as L), its words joined by one
/// space.
fn name_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let decomposed: String = name.nfd().collect();
    crate::model::query::fold(&decomposed)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_sequences_osc52_and_bidi_overrides() {
        let hostile = "hi\u{1b}[2J\u{1b}]52;c;aGVsbG8=\u{7}\u{202e}txt.exe\u{9b}31m";
        assert_eq!(
            line(hostile),
            "hi\\e[2J\\e]52;c;aGVsbG8=\\x07\\u{202e}txt.exe\\x9b31m"
        );
    }

    #[test]
    fn escaping_is_reversible_and_separators_are_escaped() {
        // A typed backslash-e and a real ESC look different.
        assert_eq!(line("\\e[2J"), "\\\\e[2J");
        assert_eq!(line("\u{1b}[2J"), "\\e[2J");
        assert_ne!(line("\\e"), line("\u{1b}"));
        assert_eq!(block("a\u{2028}b\u{2029}c"), "a\\u{2028}b\\u{2029}c");
    }

    #[test]
    fn a_path_with_backslashes_is_shown_as_typed() {
        assert!(matches!(line("\\\\srv\\dsl\\AB"), Cow::Borrowed(_)));
        // Only where a backslash could start an escape is it doubled.
        assert_eq!(line("C:\\new"), "C:\\\\new");
        assert_eq!(line("a\\\u{1b}"), "a\\\\\\e");
    }

    /// Reads escaped text back: a run of backslashes before `e n r x u` is doubled
    /// backslashes, plus one that starts an escape when the run is odd.
    fn unescape(shown: &str) -> String {
        let mut out = String::new();
        let mut chars = shown.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let mut run = 1;
            while chars.next_if_eq(&'\\').is_some() {
                run += 1;
            }
            let next = chars.peek().copied();
            if !matches!(next, Some('e' | 'n' | 'r' | 't' | 'x' | 'u')) {
                out.extend(std::iter::repeat_n('\\', run));
                continue;
            }
            out.extend(std::iter::repeat_n('\\', run / 2));
            if run % 2 == 1 {
                match chars.next() {
                    Some('e') => out.push('\u{1b}'),
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some(k @ ('x' | 'u')) => {
                        let code: String = if k == 'x' {
                            chars.by_ref().take(2).collect()
                        } else {
                            chars.next();
                            chars.by_ref().take_while(|&c| c != '}').collect()
                        };
                        out.push(char::from_u32(u32::from_str_radix(&code, 16).unwrap()).unwrap());
                    }
                    _ => unreachable!(),
                }
            }
        }
        out
    }

    #[test]
    fn every_short_text_reads_back_as_it_was() {
        // Every string of up to five characters over the characters that matter.
        let alphabet = [
            '\\', 'e', 'u', 'a', '\u{1b}', '\n', '\u{202e}', '{', '\t', 't',
        ];
        let mut texts = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
            texts.dedup();
        }
        for t in &texts {
            assert_eq!(&unescape(&line(t)), t, "line({t:?}) = {:?}", line(t));
            // A block shows a tab as spaces: read back, the rest is as it was.
            if !t.contains('\t') {
                assert_eq!(&unescape(&block(t)), t, "block({t:?}) = {:?}", block(t));
            }
        }
    }

    #[test]
    fn plain_text_and_newlines_in_blocks_pass_through() {
        assert!(matches!(
            line("Amira K. (Y11) – “quoted”"),
            Cow::Borrowed(_)
        ));
        assert_eq!(block("one\ntwo"), "one\ntwo");
        assert_eq!(line("one\ntwo"), "one\\ntwo");
    }

    /// Tester3 #7: a tab was drawn as nothing ("a tabhere") and a CR LF as two line breaks.
    #[test]
    fn a_tab_is_seen_and_a_windows_line_break_is_one() {
        // One-line places: the tab written out, as the form shows it.
        assert_eq!(line("a tab\there"), "a tab\\there");
        // A typed backslash-t is not a tab.
        assert_eq!(line("C:\\temp"), "C:\\\\temp");
        assert_ne!(line("\\t"), line("\t"));
        // Blocks: spaces to the next stop of four columns, from the start of each line.
        assert_eq!(block("\tIndented"), "    Indented");
        assert_eq!(block("a tab\there"), "a tab   here");
        assert_eq!(block("ab\n\tc"), "ab\n    c");
        // CR LF is one line break in a block; a CR alone stays visible.
        assert_eq!(block("Also\r\nCRLF."), "Also\nCRLF.");
        assert_eq!(block("a\rb"), "a\\rb");
        assert_eq!(line("a\r\nb"), "a\\r\\nb");
        // Nothing from the text is ever passed through as a tab or a CR.
        for shown in [line("x\ty\r\n"), block("x\ty\r\n\r")] {
            assert!(!shown.contains(['\t', '\r']), "{shown:?}");
        }
    }

    /// Tester4 #10: "Siân" typed decomposed (a Mac, an input method) was another name.
    #[test]
    fn names_are_stored_composed_and_compared_case_accents_and_spaces_aside() {
        let composed = "Si\u{e2}n ap Rhys";
        let decomposed = "Sia\u{302}n ap Rhys";
        assert_ne!(composed, decomposed);
        assert_eq!(nfc(decomposed), composed);
        assert!(matches!(nfc(composed), Cow::Borrowed(_)));
        assert!(matches!(nfc("RO"), Cow::Borrowed(_)));
        for typed in [
            decomposed,
            "sian ap rhys",
            "SIAN  AP RHYS",
            " Siân ap Rhys ",
        ] {
            assert!(same_name(typed, composed), "{typed:?}");
        }
        assert!(!same_name("Sian ap Rhys-Jones", composed));
        assert!(!same_name("Siôn ap Rhys", "Siân ap Rhys"));
        assert!(same_name("\u{141}ukasz", "lukasz"));
    }
}
