//! Text from the logbook is shown as text, never obeyed as terminal commands: control
//! characters, escape sequences and bidirectional overrides are written out visibly, so a
//! pasted message cannot clear the screen, set the title, write the clipboard (OSC 52) or
//! reorder what the reader sees. The escaping is reversible: a backslash in the text is
//! shown doubled, so a typed `\e` never looks like a real escape character.

use std::borrow::Cow;

/// Characters that change how text is displayed rather than being displayed.
fn is_unsafe(c: char, keep_newlines: bool) -> bool {
    match c {
        '\n' => !keep_newlines,
        '\t' => false,
        // Doubled, so that what is shown can be read back unambiguously.
        '\\' => true,
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

fn escaped(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c, keep_newlines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c, keep_newlines) {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
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

/// For one-line places (a table cell, a list line): newlines are escaped too.
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

/// For multi-line places (a description): newlines kept, everything else escaped.
pub fn block(text: &str) -> Cow<'_, str> {
    escaped(text, true)
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
    fn plain_text_and_newlines_in_blocks_pass_through() {
        assert!(matches!(
            line("Amira K. (Y11) – “quoted”"),
            Cow::Borrowed(_)
        ));
        assert_eq!(block("one\ntwo"), "one\ntwo");
        assert_eq!(line("one\ntwo"), "one\\ntwo");
    }
}
