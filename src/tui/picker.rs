//! A filterable list of choices: typing narrows it, arrows choose, Enter takes it.

use super::form::Choice;

pub struct Picker {
    pub title: String,
    pub options: Vec<Choice>,
    pub filter: String,
    pub selected: usize,
    /// The form field this picker fills.
    pub field: usize,
}

impl Picker {
    pub fn new(
        title: impl Into<String>,
        options: Vec<Choice>,
        field: usize,
        current: Option<usize>,
    ) -> Picker {
        Picker {
            title: title.into(),
            options,
            filter: String::new(),
            selected: current.unwrap_or(0),
            field,
        }
    }

    /// Indices of the options that match the filter, in order.
    pub fn visible(&self) -> Vec<usize> {
        let needle = self.filter.to_lowercase();
        self.options
            .iter()
            .enumerate()
            .filter(|(_, c)| needle.is_empty() || c.label.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect()
    }

    /// The option index under the cursor.
    pub fn current(&self) -> Option<usize> {
        let visible = self.visible();
        visible
            .get(self.selected.min(visible.len().saturating_sub(1)))
            .copied()
    }

    pub fn type_char(&mut self, c: char) {
        self.filter.push(c);
        self.selected = 0;
    }

    pub fn backspace(&mut self) {
        self.filter.pop();
        self.selected = 0;
    }

    pub fn up(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    pub fn down(&mut self) {
        let n = self.visible().len();
        if self.selected + 1 < n {
            self.selected += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_filters_and_enter_takes_the_highlighted_option() {
        let options = ["Police (101)", "Action Fraud", "IWF"]
            .iter()
            .map(|l| Choice::new(*l, *l))
            .collect();
        let mut p = Picker::new("Agency", options, 0, None);
        for c in "fra".chars() {
            p.type_char(c);
        }
        assert_eq!(p.visible(), vec![1]);
        assert_eq!(p.current(), Some(1));
        p.backspace();
        p.backspace();
        p.backspace();
        p.down();
        p.down();
        assert_eq!(p.current(), Some(2));
    }
}
