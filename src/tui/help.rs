//! The help overlay: the keys of what lies beneath it, from the same keymap tables that
//! decide what the keys do. It has the keyboard while open: only its own keys act, and
//! Esc or the key that opened it closes it.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::keymap::{self, Action};
use super::view::wrap_words;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Help {
    /// How far it is scrolled (drawing clamps it to what there is).
    scroll: u16,
}

impl Help {
    /// A key while the help is open; true if it closes the help. `page`: rows it shows.
    pub fn handle(&mut self, ev: &KeyEvent, page: u16) -> bool {
        if keymap::closes_help(ev) {
            return true;
        }
        self.scroll = match keymap::lookup(keymap::HELP, ev) {
            Some(Action::Up) => self.scroll.saturating_sub(1),
            Some(Action::Down) => self.scroll.saturating_add(1),
            Some(Action::PageUp) => self.scroll.saturating_sub(page),
            Some(Action::PageDown) => self.scroll.saturating_add(page),
            _ => self.scroll,
        };
        false
    }

    /// Draws the (keys, description) entries in the middle of `area`.
    pub fn draw(&self, frame: &mut Frame, area: Rect, entries: &[(String, &str)]) {
        // One column, each description wrapped beside its keys: nothing is cut at 80x24,
        // and what does not fit scrolls.
        let width = 84.min(area.width);
        let inner_width = width.saturating_sub(2);
        let key_width = entries
            .iter()
            .map(|(k, _)| Span::raw(k.as_str()).width())
            .max()
            .unwrap_or(0)
            .min(usize::from(inner_width / 3));
        let what_width = inner_width.saturating_sub(key_width as u16 + 2);
        let mut lines: Vec<Line> = Vec::new();
        for (keys, what) in entries {
            for (n, part) in wrap_words(what, what_width).into_iter().enumerate() {
                let keys = if n == 0 { keys.as_str() } else { "" };
                lines.push(Line::from(vec![
                    Span::styled(format!("{keys:>key_width$}  "), Style::new().bold()),
                    Span::raw(part),
                ]));
            }
        }
        let height = (lines.len() as u16 + 2).min(area.height);
        let shown = usize::from(height.saturating_sub(2));
        let scroll = usize::from(self.scroll).min(lines.len().saturating_sub(shown));
        let below = lines.len().saturating_sub(scroll + shown);
        let [v] = Layout::vertical([Constraint::Length(height)])
            .flex(Flex::Center)
            .areas(area);
        let [h] = Layout::horizontal([Constraint::Length(width)])
            .flex(Flex::Center)
            .areas(v);
        frame.render_widget(Clear, h);
        let close = keymap::key_for(keymap::HELP, Action::Back);
        let mut block = Block::bordered().title(format!(" Keys ({close} closes) "));
        if scroll > 0 || below > 0 {
            let scroll_keys = format!(
                "{}/{}",
                keymap::key_for(keymap::HELP, Action::Up),
                keymap::key_for(keymap::HELP, Action::Down)
            );
            block = block.title_bottom(if below > 0 {
                format!(" {below} more below · {scroll_keys} scroll ")
            } else {
                format!(" the end · {scroll_keys} scroll ")
            });
        }
        frame.render_widget(
            Paragraph::new(Text::from(lines))
                .scroll((scroll as u16, 0))
                .block(block),
            h,
        );
    }
}
