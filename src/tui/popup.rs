//! A read-only box over the screen: an entry opened from the detail or chronology, a
//! concern, or what the history check found. It scrolls; any other key of its table closes it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::keymap::{self, Action};

pub struct Popup {
    pub title: String,
    pub text: String,
    pub scroll: u16,
}

impl Popup {
    /// An action while the pop-up is open; true if it closes it.
    pub fn handle(&mut self, action: Action) -> bool {
        match action {
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Down => self.scroll = self.scroll.saturating_add(1),
            _ => return true,
        }
        false
    }

    pub fn draw(&self, frame: &mut Frame, main: Rect) {
        let area = super::view::centered(main, 80, 80);
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(self.text.as_str())
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0))
                .block(
                    Block::bordered()
                        .title(format!(" {} ", self.title))
                        .title_bottom(format!(
                            " {} ",
                            keymap::hints(keymap::POPUP, &[Action::Back])
                        )),
                ),
            area,
        );
    }
}
