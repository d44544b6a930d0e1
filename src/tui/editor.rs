//! The text editor inside a form field. It holds the *raw* text (what is stored in the
//! logbook, control characters and all) and escapes it only when drawing, so an untouched
//! field saves exactly what it was given. Readline keys work in every field, long text wraps
//! instead of scrolling sideways, and a pre-filled value (a date, "now") is replaced by the
//! first character typed.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use zeroize::Zeroize;

#[derive(Clone, Default)]
pub struct Editor {
    /// The raw text.
    text: String,
    /// Byte offset of the cursor, always on a character boundary.
    cursor: usize,
    /// Secret text is drawn as this character, one per character typed.
    mask: Option<char>,
    /// Enter makes a new line (otherwise it is not text).
    multiline: bool,
    /// The text was put there for the person (a default); the first character typed
    /// replaces it rather than being appended to it.
    prefilled: bool,
}

impl std::fmt::Debug for Editor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a secret in a debug message or a panic.
        f.debug_struct("Editor")
            .field("chars", &self.text.chars().count())
            .field("cursor", &self.cursor)
            .finish()
    }
}

impl Drop for Editor {
    fn drop(&mut self) {
        // Typed text may be a passphrase or a child's account of abuse: wipe, not just free.
        self.text.zeroize();
    }
}

impl Editor {
    pub fn new(multiline: bool, mask: Option<char>) -> Editor {
        Editor {
            text: String::new(),
            cursor: 0,
            mask,
            multiline,
            prefilled: false,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Replaces the text; the cursor goes to the end.
    pub fn set_text(&mut self, text: &str) {
        self.text.zeroize();
        self.text = text.to_string();
        self.cursor = self.text.len();
        self.prefilled = false;
    }

    /// Marks the text as a default that the first character typed replaces.
    pub fn set_prefilled(&mut self, prefilled: bool) {
        self.prefilled = prefilled;
    }

    /// Whether the text is still the default put there (nothing typed over it yet).
    pub fn is_prefilled(&self) -> bool {
        self.prefilled
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Puts the cursor at a byte offset (clamped to the text, moved back to a boundary).
    pub fn set_cursor(&mut self, at: usize) {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        self.cursor = at;
    }

    fn insert(&mut self, c: char) {
        if self.prefilled {
            self.set_text("");
        }
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    fn prev_boundary(&self, from: usize) -> usize {
        self.text[..from]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self, from: usize) -> usize {
        self.text[from..]
            .chars()
            .next()
            .map_or(from, |c| from + c.len_utf8())
    }

    /// Start of the word before the cursor (readline's Alt-B and Ctrl-W).
    fn word_left(&self) -> usize {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end_matches(|c: char| !c.is_alphanumeric());
        trimmed
            .char_indices()
            .rev()
            .find(|(_, c)| !c.is_alphanumeric())
            .map_or(0, |(i, c)| i + c.len_utf8())
    }

    /// End of the word after the cursor (readline's Alt-F).
    fn word_right(&self) -> usize {
        let after = &self.text[self.cursor..];
        let skip = after.len()
            - after
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .len();
        let rest = &after[skip..];
        let word = rest
            .char_indices()
            .find(|(_, c)| !c.is_alphanumeric())
            .map_or(rest.len(), |(i, _)| i);
        self.cursor + skip + word
    }

    fn line_start(&self) -> usize {
        self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end(&self) -> usize {
        self.text[self.cursor..]
            .find('\n')
            .map_or(self.text.len(), |i| self.cursor + i)
    }

    fn remove(&mut self, from: usize, to: usize) -> bool {
        if from >= to {
            return false;
        }
        // Overwrite before removing so the removed bytes do not linger in the buffer.
        let removed: String = self.text.drain(from..to).collect();
        let mut removed = removed;
        removed.zeroize();
        self.cursor = from;
        true
    }

    /// Moves up or down one line of text, keeping the column where it can.
    fn vertical(&mut self, down: bool) -> bool {
        let start = self.line_start();
        let column = self.text[start..self.cursor].chars().count();
        let target_start = if down {
            match self.text[self.cursor..].find('\n') {
                Some(i) => self.cursor + i + 1,
                None => return false,
            }
        } else {
            if start == 0 {
                return false;
            }
            self.text[..start - 1].rfind('\n').map_or(0, |i| i + 1)
        };
        let line_end = self.text[target_start..]
            .find('\n')
            .map_or(self.text.len(), |i| target_start + i);
        let at = self.text[target_start..line_end]
            .char_indices()
            .nth(column)
            .map_or(line_end, |(i, _)| target_start + i);
        self.cursor = at;
        true
    }

    /// Inserts pasted text at the cursor, as text: a paste is never keys, so a tab or a
    /// line break in it cannot move to another field or submit (see `pasted`). Replaces a
    /// pre-filled value, as typing does. Returns whether the text changed.
    pub fn paste(&mut self, text: &str) -> bool {
        let text = zeroize::Zeroizing::new(pasted(text, self.multiline, self.mask.is_some()));
        if text.is_empty() {
            return false;
        }
        if self.prefilled {
            self.set_text("");
        }
        self.text.insert_str(self.cursor, &text);
        self.cursor += text.len();
        self.prefilled = false;
        true
    }

    /// Feeds a key; returns whether the text changed. Keys it does not use are ignored
    /// (the form handles them).
    pub fn input(&mut self, ev: KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let before_cursor = self.cursor;
        let changed = match ev.code {
            KeyCode::Char(c) if ctrl => match c {
                'a' => {
                    self.cursor = self.line_start();
                    false
                }
                'e' => {
                    self.cursor = self.line_end();
                    false
                }
                'b' => {
                    self.cursor = self.prev_boundary(self.cursor);
                    false
                }
                'f' => {
                    self.cursor = self.next_boundary(self.cursor);
                    false
                }
                // Ctrl-U clears the field: the quickest way to start a value again.
                'u' => {
                    let end = self.text.len();
                    self.remove(0, end)
                }
                'k' => {
                    let end = self.line_end();
                    self.remove(self.cursor, end)
                }
                'w' => {
                    let from = self.word_left();
                    self.remove(from, self.cursor)
                }
                'h' => {
                    let from = self.prev_boundary(self.cursor);
                    self.remove(from, self.cursor)
                }
                'd' => {
                    let to = self.next_boundary(self.cursor);
                    self.remove(self.cursor, to)
                }
                _ => false,
            },
            KeyCode::Char(c) if alt => match c {
                'b' => {
                    self.cursor = self.word_left();
                    false
                }
                'f' => {
                    self.cursor = self.word_right();
                    false
                }
                'd' => {
                    let to = self.word_right();
                    self.remove(self.cursor, to)
                }
                _ => false,
            },
            KeyCode::Backspace if alt => {
                let from = self.word_left();
                self.remove(from, self.cursor)
            }
            KeyCode::Char(c) if !c.is_control() => {
                self.insert(c);
                true
            }
            KeyCode::Enter if self.multiline => {
                self.insert('\n');
                true
            }
            KeyCode::Backspace => {
                if self.prefilled {
                    self.set_text("");
                    return true;
                }
                let from = self.prev_boundary(self.cursor);
                self.remove(from, self.cursor)
            }
            KeyCode::Delete => {
                let to = self.next_boundary(self.cursor);
                self.remove(self.cursor, to)
            }
            KeyCode::Left => {
                self.cursor = self.prev_boundary(self.cursor);
                false
            }
            KeyCode::Right => {
                self.cursor = self.next_boundary(self.cursor);
                false
            }
            KeyCode::Home => {
                self.cursor = self.line_start();
                false
            }
            KeyCode::End => {
                self.cursor = self.line_end();
                false
            }
            KeyCode::Up | KeyCode::Down if self.multiline => {
                self.vertical(ev.code == KeyCode::Down);
                false
            }
            _ => false,
        };
        // Moving the cursor means the person is editing the value, not replacing it.
        if changed || self.cursor != before_cursor {
            self.prefilled = false;
        }
        changed
    }

    /// How one raw character is drawn: escaped if it would act on the terminal, masked
    /// if secret.
    fn shown(&self, c: char) -> String {
        if let Some(m) = self.mask {
            return m.to_string();
        }
        match c {
            '\t' => "\\t".to_string(),
            c => crate::text::line(c.encode_utf8(&mut [0; 4])).into_owned(),
        }
    }

    /// The rows drawn at `width` columns, wrapped by character, and the cursor's (row,
    /// column). Newlines start a new row; nothing scrolls sideways.
    pub fn layout(&self, width: u16) -> (Vec<String>, (usize, usize)) {
        let width = usize::from(width.max(2));
        let mut rows = vec![String::new()];
        let mut col = 0;
        let mut cursor = (0, 0);
        // On the current row: the byte offset and column just after its last space, where a
        // word that does not fit is moved from to the next row.
        let mut after_space: Option<(usize, usize)> = None;
        for (i, c) in self.text.char_indices() {
            if i == self.cursor {
                cursor = (rows.len() - 1, col);
            }
            if c == '\n' && self.mask.is_none() {
                rows.push(String::new());
                col = 0;
                after_space = None;
                continue;
            }
            let shown = self.shown(c);
            let w = ratatui::text::Span::raw(shown.as_str()).width();
            if col + w > width && c != ' ' {
                let row = rows.len() - 1;
                match after_space.filter(|(_, at)| *at < col && *at > 0) {
                    // Wrap at the word: the word typed so far moves down whole.
                    Some((byte, at)) => {
                        let tail = rows[row].split_off(byte);
                        if cursor.0 == row && cursor.1 >= at && i != self.cursor {
                            cursor = (row + 1, cursor.1 - at);
                        }
                        rows.push(tail);
                        col -= at;
                    }
                    // One word longer than the row: cut it.
                    None => {
                        rows.push(String::new());
                        col = 0;
                    }
                }
                after_space = None;
                if i == self.cursor {
                    cursor = (rows.len() - 1, col);
                }
            }
            if let Some(last) = rows.last_mut() {
                last.push_str(&shown);
                if c == ' ' && self.mask.is_none() {
                    after_space = Some((last.len(), col + w));
                }
            }
            col += w;
        }
        if self.cursor >= self.text.len() {
            // The cursor after the last character: past a full row it starts the next.
            if col >= width {
                rows.push(String::new());
                col = 0;
            }
            cursor = (rows.len() - 1, col);
        }
        (rows, cursor)
    }
}

/// Pasted text as a field of this kind takes it. Line breaks arrive from terminals as CR,
/// CRLF or LF and are kept as newlines in multi-line text; a one-line field turns them and
/// tabs into spaces (a cell copied from a spreadsheet), and drops the line break at the end
/// (a copied line). A secret keeps everything but that last line break: a passphrase from
/// a password manager must arrive exactly. Every other character, escape sequences
/// included, is kept as it came: the record stores what was pasted, and it is escaped when
/// drawn (`crate::text`).
pub fn pasted(text: &str, multiline: bool, secret: bool) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    if multiline && !secret {
        return text;
    }
    let text = text.trim_end_matches('\n');
    if secret {
        return text.to_string();
    }
    text.chars()
        .map(|c| if matches!(c, '\n' | '\t') { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(e: &mut Editor, code: KeyCode, mods: KeyModifiers) -> bool {
        e.input(KeyEvent::new(code, mods))
    }

    fn typed(e: &mut Editor, text: &str) {
        for c in text.chars() {
            press(e, KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    #[test]
    fn readline_keys() {
        let mut e = Editor::new(false, None);
        typed(&mut e, "one two three");
        press(&mut e, KeyCode::Char('w'), KeyModifiers::CONTROL);
        assert_eq!(e.text(), "one two ");
        press(&mut e, KeyCode::Char('a'), KeyModifiers::CONTROL);
        typed(&mut e, ">");
        assert_eq!(e.text(), ">one two ");
        press(&mut e, KeyCode::Char('f'), KeyModifiers::ALT);
        assert_eq!(e.cursor(), 4);
        press(&mut e, KeyCode::Char('k'), KeyModifiers::CONTROL);
        assert_eq!(e.text(), ">one");
        press(&mut e, KeyCode::Char('b'), KeyModifiers::ALT);
        assert_eq!(e.cursor(), 1);
        press(&mut e, KeyCode::Char('e'), KeyModifiers::CONTROL);
        assert_eq!(e.cursor(), 4);
        press(&mut e, KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(e.text(), "");
    }

    /// The help's text-editing keys come from `keymap::EDITING`: every key listed there
    /// does in the editor what its line in the help says.
    #[test]
    fn every_editing_key_in_the_help_does_what_it_says() {
        use crate::tui::keymap::{Action, EDITING};
        for b in EDITING {
            for k in b.keys {
                let ev = KeyEvent::new(k.code, k.mods);
                // "one two three", the cursor after "two" (at 7).
                let mut e = Editor::new(true, None);
                e.set_text("one two three");
                e.set_cursor(7);
                let changed = e.input(ev);
                let (text, at) = (e.text().to_string(), e.cursor());
                let what = format!("{} ({:?})", k.label(), b.action);
                match b.action {
                    // The form's own (tick box) and the stand-in for printable keys: below.
                    Action::TickBox | Action::TypeText => continue,
                    Action::LineStart => {
                        assert_eq!((text.as_str(), at), ("one two three", 0), "{what}")
                    }
                    Action::LineEnd => {
                        assert_eq!((text.as_str(), at), ("one two three", 13), "{what}")
                    }
                    Action::ClearField => assert_eq!((text.as_str(), at), ("", 0), "{what}"),
                    Action::KillToEnd => assert_eq!((text.as_str(), at), ("one two", 7), "{what}"),
                    Action::DeleteWordBack => {
                        assert_eq!((text.as_str(), at), ("one  three", 4), "{what}")
                    }
                    Action::WordLeft => {
                        assert_eq!((text.as_str(), at), ("one two three", 4), "{what}")
                    }
                    Action::WordRight => {
                        assert_eq!((text.as_str(), at), ("one two three", 13), "{what}")
                    }
                    Action::CharLeft => {
                        assert_eq!((text.as_str(), at), ("one two three", 6), "{what}")
                    }
                    Action::CharRight => {
                        assert_eq!((text.as_str(), at), ("one two three", 8), "{what}")
                    }
                    Action::DeleteBack => {
                        assert_eq!((text.as_str(), at), ("one tw three", 6), "{what}")
                    }
                    Action::DeleteForward => {
                        assert_eq!((text.as_str(), at), ("one twothree", 7), "{what}")
                    }
                    Action::NewLine => {
                        assert_eq!((text.as_str(), at), ("one two\n three", 8), "{what}");
                        // Only a multi-line field takes Enter as text.
                        let mut one = Editor::new(false, None);
                        one.set_text("one");
                        assert!(!one.input(ev), "{what} in a one-line field");
                        assert_eq!(one.text(), "one");
                    }
                    other => panic!("{what}: {other:?} is not a text-editing key"),
                }
                assert_eq!(changed, text != "one two three", "{what}");
            }
        }
        // Typing: a pre-filled date is replaced by the first key typed, not added to.
        let mut e = Editor::new(false, None);
        e.set_text("2026-11-16");
        e.set_prefilled(true);
        press(&mut e, KeyCode::Char('1'), KeyModifiers::NONE);
        assert_eq!(e.text(), "1");
    }

    #[test]
    fn a_prefilled_value_is_replaced_by_typing_and_kept_by_moving() {
        let mut e = Editor::new(false, None);
        e.set_text("2026-11-16 09:30");
        e.set_prefilled(true);
        typed(&mut e, "2026-11-01 08:00");
        assert_eq!(e.text(), "2026-11-01 08:00");

        let mut e = Editor::new(false, None);
        e.set_text("2026-11-16 09:30");
        e.set_prefilled(true);
        press(&mut e, KeyCode::Left, KeyModifiers::NONE);
        typed(&mut e, "5");
        assert_eq!(e.text(), "2026-11-16 09:350");
    }

    #[test]
    fn raw_text_is_kept_and_drawn_escaped_and_wrapped() {
        let mut e = Editor::new(true, None);
        e.set_text("a\u{200f}b\r\nc");
        assert_eq!(e.text(), "a\u{200f}b\r\nc");
        let (rows, cursor) = e.layout(40);
        assert_eq!(rows[0], "a\\u{200f}b\\r");
        assert_eq!(rows[1], "c");
        assert_eq!(cursor, (1, 1));

        let mut e = Editor::new(true, None);
        typed(&mut e, "abcdefghij");
        let (rows, cursor) = e.layout(4);
        let shown: Vec<&str> = rows.iter().map(String::as_str).collect();
        assert_eq!(shown, ["abcd", "efgh", "ij"]);
        assert_eq!(cursor, (2, 2));

        // Words move down whole, and the cursor with them.
        let mut e = Editor::new(true, None);
        typed(&mut e, "one two three");
        let (rows, cursor) = e.layout(9);
        let shown: Vec<&str> = rows.iter().map(String::as_str).collect();
        assert_eq!(shown, ["one two ", "three"]);
        assert_eq!(cursor, (1, 5));
        e.set_cursor(10);
        assert_eq!(e.layout(9).1, (1, 2));
    }

    /// A tester's paste of `pasted <ESC>[31mRED<ESC>[0m text<TAB>tab` into a one-line field
    /// moved to the next field at the tab and lost the escapes: a paste is text.
    #[test]
    fn a_paste_is_text_never_keys() {
        let raw = "pasted \u{1b}[31mRED\u{1b}[0m text\ttab";
        let mut e = Editor::new(false, None);
        typed(&mut e, "DM ");
        assert!(e.paste(raw));
        assert_eq!(e.text(), "DM pasted \u{1b}[31mRED\u{1b}[0m text tab");
        assert_eq!(e.layout(80).0[0], "DM pasted \\e[31mRED\\e[0m text tab");

        // Multi-line text keeps its lines and tabs, whatever line ends the terminal sent.
        let mut e = Editor::new(true, None);
        e.paste("one\r\ntwo\rthree\n\tfour");
        assert_eq!(e.text(), "one\ntwo\nthree\n\tfour");

        // One line: breaks become spaces, the one at the end goes.
        let mut e = Editor::new(false, None);
        e.paste("a\r\nb\n");
        assert_eq!(e.text(), "a b");

        // A pre-filled date is replaced, as by typing.
        let mut e = Editor::new(false, None);
        e.set_text("2026-11-16 09:30");
        e.set_prefilled(true);
        e.paste("2026-11-01 08:00\n");
        assert_eq!(e.text(), "2026-11-01 08:00");

        // A passphrase from a password manager: as copied, without its line break, masked.
        let mut e = Editor::new(false, Some('•'));
        e.paste("correct horse\tbattery\r\n");
        assert_eq!(e.text(), "correct horse\tbattery");
        assert_eq!(e.layout(80).0[0], "•".repeat(21));
    }

    #[test]
    fn arrows_move_between_lines_of_multiline_text() {
        let mut e = Editor::new(true, None);
        e.set_text("first\nsecond");
        press(&mut e, KeyCode::Up, KeyModifiers::NONE);
        assert_eq!(e.cursor(), 5);
        press(&mut e, KeyCode::Home, KeyModifiers::NONE);
        press(&mut e, KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(e.cursor(), 6);
    }
}
