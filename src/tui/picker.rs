//! A filterable list of choices: typing narrows it, arrows choose, Enter takes it.

use super::form::Choice;

pub struct Picker {
    pub title: String,
    pub options: Vec<Choice>,
    pub filter: String,
    pub selected: usize,
    /// The form field this picker fills.
    pub field: usize,
    /// The options are suggestions for free text: what is typed in the filter can be
    /// taken as it is, from a last row of its own.
    pub free_text: bool,
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
            free_text: false,
        }
    }

    /// Suggestions for a free-text field: the filter starts as what was typed in the field,
    /// the typed text stays available as the last row, and the field's value (a pre-filled
    /// name) is highlighted when it is one of them.
    pub fn suggesting(
        title: impl Into<String>,
        suggestions: &[String],
        field: usize,
        typed: &str,
        value: &str,
    ) -> Picker {
        let options = suggestions
            .iter()
            .map(|s| Choice::new(crate::text::line(s), s.as_str()))
            .collect();
        let mut picker = Picker {
            filter: typed.trim().to_string(),
            free_text: true,
            ..Picker::new(title, options, field, None)
        };
        if let Some(at) = picker
            .visible()
            .iter()
            .position(|i| picker.options[*i].value == value)
        {
            picker.selected = at;
        }
        picker
    }

    /// The typed text offered as it is: in a free-text picker, when something is typed
    /// that is not exactly one of the suggestions.
    /// A name the suggestions hold in another case, accent or Unicode form is that
    /// suggestion, listed first, not offered again as typed (tester4 #10).
    pub fn typed_row(&self) -> Option<&str> {
        let typed = self.filter.trim();
        let known = crate::text::known_as(typed, self.options.iter().map(|o| o.value.as_str()));
        (self.free_text && !typed.is_empty() && known.is_none()).then_some(typed)
    }

    /// How many rows the picker shows: the matching options, and the typed text.
    pub fn row_count(&self) -> usize {
        self.visible().len() + usize::from(self.typed_row().is_some())
    }

    /// The value Enter takes: the highlighted option's, or the typed text from its row.
    pub fn chosen_value(&self) -> Option<String> {
        match self.current() {
            Some(i) => Some(self.options[i].value.clone()),
            None => self.typed_row().map(str::to_string),
        }
    }

    /// Indices of the options that match the filter, best first: a label that is exactly
    /// what is typed, then labels starting with it, then labels with a word starting with
    /// it, then labels holding it anywhere, then options found only by another name; each
    /// in list order. Enter takes the first, so "adult" gives Adult, not Adult at risk
    /// (listed first), and "social" gives Children's social care, not an agency whose other
    /// names mention social media.
    ///
    /// Case and accents are set aside as the list filter sets them aside (`fold`), and a
    /// name typed decomposed or with other spacing is the same name (`text::same_name`):
    /// "sian ap rhys" finds Siân ap Rhys (tester4 #10). A label spelt exactly as typed
    /// comes before one equal only so, so two names told apart by an accent stay apart.
    pub fn visible(&self) -> Vec<usize> {
        let typed = self.filter.trim();
        let needle = folded(typed);
        if needle.is_empty() {
            return (0..self.options.len()).collect();
        }
        let exact = crate::text::nfc(typed);
        let rank = |c: &Choice| {
            let label = folded(&c.label);
            if crate::text::nfc(&c.label) == exact {
                Some(0)
            } else if label == needle {
                Some(1)
            } else if label.starts_with(&needle) {
                Some(2)
            } else if label
                .split(|ch: char| !ch.is_alphanumeric())
                .any(|w| w.starts_with(&needle))
            {
                Some(3)
            } else if label.contains(&needle) {
                Some(4)
            } else if folded(&c.keywords).contains(&needle) {
                Some(5)
            } else {
                None
            }
        };
        let mut ranked: Vec<(u8, usize)> = self
            .options
            .iter()
            .enumerate()
            .filter_map(|(i, c)| rank(c).map(|r| (r, i)))
            .collect();
        ranked.sort();
        ranked.into_iter().map(|(_, i)| i).collect()
    }

    /// The option index under the cursor (`None` on the typed-text row).
    pub fn current(&self) -> Option<usize> {
        let visible = self.visible();
        let last = self.row_count().saturating_sub(1);
        visible.get(self.selected.min(last)).copied()
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
        let n = self.row_count();
        if self.selected + 1 < n {
            self.selected += 1;
        }
    }
}

/// A label or filter as the picker compares them: decomposed, so that every accent is a
/// mark `fold` drops, then folded (lower case, accents off), each run of spaces one space
/// (as `text::same_name` compares names). ASCII text, the usual case in a long list of
/// incidents, is only lower-cased and its spaces joined.
fn folded(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let folded = if text.is_ascii() {
        crate::model::query::fold(text).into_owned()
    } else {
        let decomposed: String = text.nfd().collect();
        crate::model::query::fold(&decomposed).into_owned()
    };
    if folded.contains("  ") || folded.contains(|c: char| c.is_whitespace() && c != ' ') {
        folded.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        folded
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

    /// Tester finding 44: "social" + Enter took Platform moderators (found by another
    /// name) over Children's social care / MASH, whose own name matches.
    #[test]
    fn a_match_on_the_name_comes_before_a_match_on_another_name() {
        let options = vec![
            Choice::new("Platform moderators", "Platform").with_keywords("social media apps"),
            Choice::new("Children's social care / MASH", "Mash"),
            Choice::new("Adult social care", "Adult"),
        ];
        let mut p = Picker::new("Agency", options, 0, None);
        for c in "social".chars() {
            p.type_char(c);
        }
        assert_eq!(p.visible(), vec![1, 2, 0]);
        assert_eq!(p.chosen_value().as_deref(), Some("Mash"));
    }

    /// Tester3 #28 (as tester2 #44): typing `adult` in the age group highlighted "Adult
    /// at risk" (listed first) and Enter took it, not "Adult".
    #[test]
    fn an_exact_then_a_starting_match_comes_first() {
        let options = ["Child", "Young person", "Adult at risk", "Adult", "Staff"]
            .iter()
            .map(|l| Choice::new(*l, *l))
            .collect();
        let mut p = Picker::new("Age group", options, 0, None);
        for c in "adult".chars() {
            p.type_char(c);
        }
        assert_eq!(p.visible(), vec![3, 2]);
        assert_eq!(p.chosen_value().as_deref(), Some("Adult"));
        // A word's start beats the middle of a word: "per" is Young person's second word.
        let options = ["Superuser", "Young person"]
            .iter()
            .map(|l| Choice::new(*l, *l))
            .collect();
        let mut p = Picker::new("Test", options, 0, None);
        for c in "per".chars() {
            p.type_char(c);
        }
        assert_eq!(p.visible(), vec![1, 0]);
    }

    #[test]
    fn a_suggesting_picker_filters_by_what_is_typed_and_keeps_free_text() {
        let staff = vec!["J Smith".to_string(), "J Patel".into(), "RO".into()];
        let mut p = Picker::suggesting("By", &staff, 3, "j", "j");
        assert_eq!(p.visible(), vec![0, 1]);
        assert_eq!(p.chosen_value().as_deref(), Some("J Smith"));
        p.down();
        p.down();
        assert_eq!(
            p.chosen_value().as_deref(),
            Some("j"),
            "the typed row is last"
        );
        for c in "ane Doe".chars() {
            p.type_char(c);
        }
        assert!(p.visible().is_empty());
        assert_eq!(p.chosen_value().as_deref(), Some("jane Doe"));
        // A suggestion typed exactly is not offered twice.
        let p = Picker::suggesting("By", &staff, 3, "RO", "RO");
        assert_eq!(p.row_count(), 1);
        // A pre-filled name (nothing typed) shows every suggestion with it highlighted.
        let p = Picker::suggesting("By", &staff, 3, "", "J Patel");
        assert_eq!(p.row_count(), 3);
        assert_eq!(p.chosen_value().as_deref(), Some("J Patel"));
    }
}
