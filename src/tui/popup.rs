//! A read-only box over the screen: an entry opened from the detail or chronology, a
//! concern, or what the history check found. It scrolls by line, by page and to either
//! end, never past its last line, and says how much is above and below; any other key of
//! its table closes it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::UnicodeWidthChar;

use super::keymap::{self, Action};

pub struct Popup {
    pub title: String,
    pub text: String,
    pub scroll: u16,
}

impl Popup {
    /// An action while the pop-up is open, `main` being the screen it is drawn over; true
    /// if it closes it.
    pub fn handle(&mut self, action: Action, main: Rect) -> bool {
        let (width, shown) = Self::inner(main);
        let last = self.lines(width).len().saturating_sub(shown);
        let page = shown.saturating_sub(1).max(1);
        let at = usize::from(self.scroll).min(last);
        let to = match action {
            Action::Up => at.saturating_sub(1),
            Action::Down => at + 1,
            Action::PageUp => at.saturating_sub(page),
            Action::PageDown => at + page,
            Action::Top => 0,
            Action::Bottom => last,
            _ => return true,
        };
        self.scroll = u16::try_from(to.min(last)).unwrap_or(u16::MAX);
        false
    }

    /// The box's place over `main`.
    fn area(main: Rect) -> Rect {
        super::view::centered(main, 80, 80)
    }

    /// The width of a line and the number of lines shown inside the box's borders.
    fn inner(main: Rect) -> (u16, usize) {
        let area = Self::area(main);
        (
            area.width.saturating_sub(2),
            usize::from(area.height.saturating_sub(2)),
        )
    }

    /// The text wrapped to `width`: at spaces, and a word wider than a line (a link) split
    /// across lines rather than cut, so every character can be scrolled to.
    fn lines(&self, width: u16) -> Vec<String> {
        let width = usize::from(width.max(1));
        let mut out = Vec::new();
        for paragraph in self.text.split('\n') {
            for row in super::view::wrap_words(paragraph, width as u16) {
                let mut piece = String::new();
                let mut used = 0;
                for c in row.chars() {
                    let w = c.width().unwrap_or(0);
                    if used + w > width && !piece.is_empty() {
                        out.push(std::mem::take(&mut piece));
                        used = 0;
                    }
                    piece.push(c);
                    used += w;
                }
                out.push(piece);
            }
        }
        out
    }

    pub fn draw(&self, frame: &mut Frame, main: Rect) {
        let area = Self::area(main);
        let (width, shown) = Self::inner(main);
        let lines = self.lines(width);
        let top = usize::from(self.scroll).min(lines.len().saturating_sub(shown));
        let below = lines.len().saturating_sub(top + shown);
        let more = |n: usize, dir: &str| match n {
            0 => String::new(),
            1 => format!("{dir} 1 more line · "),
            n => format!("{dir} {n} more lines · "),
        };
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(
                lines
                    .into_iter()
                    .skip(top)
                    .take(shown)
                    .map(Line::from)
                    .collect::<Vec<_>>(),
            )
            .block(
                Block::bordered()
                    .title(format!(" {} ", self.title))
                    .title_bottom(format!(
                        " {}{}{} ",
                        more(top, "↑"),
                        more(below, "↓"),
                        keymap::hints(keymap::POPUP, &[Action::Back])
                    )),
            ),
            area,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tester finding 10: a long concern gave no sign of more below, PgDn and G did
    /// nothing, and j scrolled on past the end into an empty box.
    #[test]
    fn a_long_popup_pages_stops_at_its_last_line_and_says_what_is_hidden() {
        let main = Rect::new(0, 0, 100, 28);
        let link = "https://example.org/".repeat(12);
        let text = format!("{}\n{link}\nLast line.", "Word ".repeat(600));
        let mut p = Popup {
            title: "Staff concern".into(),
            text,
            scroll: 0,
        };
        let (width, shown) = Popup::inner(main);
        let lines = p.lines(width);
        assert!(lines.iter().any(|l| l.starts_with("https://")));
        assert_eq!(
            lines.concat().matches("example.org").count(),
            12,
            "a long link is split across lines, not cut"
        );
        let last = lines.len() - shown;
        assert!(!p.handle(Action::PageDown, main));
        assert_eq!(usize::from(p.scroll), shown - 1);
        p.handle(Action::Bottom, main);
        assert_eq!(usize::from(p.scroll), last);
        for _ in 0..40 {
            p.handle(Action::Down, main);
        }
        assert_eq!(usize::from(p.scroll), last, "never past the last line");
        p.handle(Action::Up, main);
        assert_eq!(usize::from(p.scroll), last - 1, "one key brings it back");
        p.handle(Action::Top, main);
        assert_eq!(p.scroll, 0);
        assert!(p.handle(Action::Back, main), "Esc closes it");

        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 28)).unwrap();
        terminal.draw(|f| p.draw(f, main)).unwrap();
        let seen: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(seen.contains("more lines"), "{seen}");
        assert!(seen.contains("↓"), "{seen}");
    }
}
