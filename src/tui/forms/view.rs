//! Drawing a form: labels wrapped in their column with a focus marker and `*` on required
//! fields, text wrapped to the value column (never scrolled sideways) with the cursor shown,
//! and each refusal wrapped under its field. Pure: reads the form, writes the frame.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::super::editor::Editor;
use super::super::form::{Field, FieldKind, Form};
use super::super::keymap;
use super::super::view::{centered, wrap_words};

/// How many rows a field takes at this width: its wrapped label, its text (which grows with
/// what is typed, up to a limit), its refusal, and its suggestions or strength.
fn field_height(
    form: &Form,
    f: &Field,
    hidden: Option<&str>,
    focused: bool,
    label_width: u16,
    value_width: u16,
) -> u16 {
    let label = label_lines(f, focused, label_width).len() as u16;
    let rows = if f.is_text() {
        f.input.layout(value_width).0.len() as u16
    } else {
        choice_lines(f, value_width).len() as u16
    };
    // A one-line field grows too when what it holds is longer than its column, so long
    // text is read whole rather than only its tail.
    let value = match f.kind {
        FieldKind::Multiline if focused => rows.clamp(3, 8),
        FieldKind::Multiline => rows.clamp(1, 3),
        _ if focused => rows.clamp(1, 6),
        _ => rows.clamp(1, 3),
    };
    label.max(value)
        + error_lines(f, label_width + value_width).len() as u16
        + suggestion_lines(form, f, hidden, focused, value_width).len() as u16
}

/// A field's refusal, under it across the whole form (label column included) and wrapped,
/// so no refusal is cut at 80 columns.
fn error_lines(f: &Field, width: u16) -> Vec<String> {
    f.shown_error().map_or_else(Vec::new, |e| {
        wrap_words(e, width.saturating_sub(2))
            .into_iter()
            .map(|l| format!("  {l}"))
            .collect()
    })
}

/// The suggestions matching what is typed in a focused suggest field, on lines of their
/// own under it (wrapped to the value column, at most three), so the names can be seen
/// before Enter offers them. A new passphrase's strength also goes on a line of its own,
/// never cut beside the dots.
fn suggestion_lines(
    form: &Form,
    f: &Field,
    hidden: Option<&str>,
    focused: bool,
    width: u16,
) -> Vec<String> {
    let line = match hidden {
        Some(why) => Some(format!("(hidden: {why})")),
        None => suggestion_line(form, f, focused),
    };
    let mut lines = line.map_or_else(Vec::new, |l| wrap_words(&l, width));
    lines.truncate(3);
    lines
}

fn suggestion_line(form: &Form, f: &Field, focused: bool) -> Option<String> {
    if f.kind == FieldKind::Secret && f.key == "passphrase" {
        let s = super::strength(form, f.input.text());
        return (!s.is_empty()).then(|| format!("strength: {s}"));
    }
    let FieldKind::Suggest(all) = &f.kind else {
        return None;
    };
    // With no names to suggest, "no name matches" would only read as a warning.
    if !focused || all.is_empty() {
        return None;
    }
    let names: Vec<String> = f
        .suggestions()
        .iter()
        .map(|s| crate::text::line(s).into_owned())
        .collect();
    Some(if names.is_empty() {
        "(no staff name matches: kept as typed)".to_string()
    } else {
        format!("staff: {}", names.join(" · "))
    })
}

/// A choice or toggle as shown, wrapped to the value column (a long option, such as a
/// person with their details, is read whole, not cut).
fn choice_lines(f: &Field, width: u16) -> Vec<String> {
    wrap_words(&crate::text::line(&f.display()), width)
}

/// The label as drawn, wrapped to its column: a marker that cannot be missed on the
/// focused field, and `*` on a required one; continuation lines are indented under the text.
fn label_lines(f: &Field, focused: bool, width: u16) -> Vec<String> {
    let marker = if focused { "▶" } else { " " };
    let mark = if f.required || f.needed { "*" } else { " " };
    wrap_words(f.label, width.saturating_sub(3))
        .into_iter()
        .enumerate()
        .map(|(n, l)| {
            if n == 0 {
                format!("{marker}{mark}{l}")
            } else {
                format!("  {l}")
            }
        })
        .collect()
}

pub fn draw(frame: &mut Frame, area: Rect, form: &Form) {
    let outer = centered(area, 92, 96);
    frame.render_widget(Clear, outer);
    // While another holder's draft is asked about, only the question's keys work.
    let hints = if form.asking_keep().is_some() {
        keymap::hints(
            keymap::KEEP_DRAFT,
            &[keymap::Action::KeepDraft, keymap::Action::Discard],
        )
    } else {
        keymap::hints(
            keymap::FORM,
            &[
                keymap::Action::NextField,
                keymap::Action::PickChoice,
                keymap::Action::Submit,
                keymap::Action::Cancel,
            ],
        )
    };
    let block = Block::bordered()
        .title(format!(" {} ", form.title))
        .title_bottom(format!(" {hints} "));
    let inner = block.inner(outer);
    frame.render_widget(block, outer);

    let label_width = 34.min(inner.width / 2);
    let value_width = inner.width.saturating_sub(label_width);
    let discard = format!(
        "Discard the changes in this form? {} {}, any other key goes back.",
        keymap::key_for(keymap::DISCARD, keymap::Action::Discard),
        keymap::Action::Discard.short()
    );
    let keep = form.asking_keep().map(|other| {
        let other = crate::text::line(other);
        format!(
            "{other} was filling in this form when the app locked. {} keeps it (its save records that {other} drafted it); {} discards it.",
            keymap::key_for(keymap::KEEP_DRAFT, keymap::Action::KeepDraft),
            keymap::key_for(keymap::KEEP_DRAFT, keymap::Action::Discard),
        )
    });
    let banner = form.banner();
    let top_message = if let Some(keep) = &keep {
        Some(keep.as_str())
    } else if form.confirm_discard {
        Some(discard.as_str())
    } else {
        banner.as_deref()
    };
    let heights: Vec<u16> = form
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            field_height(
                form,
                f,
                looks_like_the_passphrase(form, f),
                i == form.focus,
                label_width,
                value_width,
            )
        })
        .collect();
    // The field being typed in always shows: the message at the top and the guidance above
    // the fields are shortened ("…") to leave it room with its "more fields" rows (a long
    // list of unfinished work once pushed it, and the refusal, off an 80x24 form).
    let focused = heights.get(form.focus).copied().unwrap_or(1) + 2;
    let mut spare = inner.height.saturating_sub(focused);
    let mut top_lines = top_message.map_or_else(Vec::new, |m| wrap_words(m, inner.width));
    shorten(&mut top_lines, spare, inner.width);
    spare = spare.saturating_sub(top_lines.len() as u16);
    let mut notice_lines = form
        .notice
        .as_deref()
        .map_or_else(Vec::new, |n| wrap_words(n, inner.width));
    shorten(&mut notice_lines, spare, inner.width);
    let mut constraints = Vec::new();
    if !notice_lines.is_empty() {
        constraints.push(Constraint::Length(notice_lines.len() as u16));
    }
    if !top_lines.is_empty() {
        constraints.push(Constraint::Length(top_lines.len() as u16));
    }
    constraints.push(Constraint::Min(0));
    let rows = Layout::vertical(constraints).split(inner);
    let mut r = 0;
    if !notice_lines.is_empty() {
        let lines: Vec<Line> = notice_lines.into_iter().map(Line::raw).collect();
        frame.render_widget(Paragraph::new(lines).bold(), rows[r]);
        r += 1;
    }
    if !top_lines.is_empty() {
        let lines: Vec<Line> = top_lines.into_iter().map(Line::raw).collect();
        frame.render_widget(Paragraph::new(lines).red().bold(), rows[r]);
        r += 1;
    }
    let body = rows[r];
    let (shown, above, below) = window(&heights, form.focus, body.height);
    let mut y = body.y;
    // The "more" rows only where the body has room for them: never over other text.
    if above > 0 && body.height >= 1 {
        let more = format!("↑ {above} more field{} above", plural(above));
        frame.render_widget(
            Paragraph::new(more).dim(),
            Rect::new(body.x, y, body.width, 1),
        );
        y += 1;
    }
    if below > 0 && body.height >= 2 {
        let more = format!("↓ {below} more field{} below", plural(below));
        frame.render_widget(
            Paragraph::new(more).dim(),
            Rect::new(body.x, body.bottom() - 1, body.width, 1),
        );
    }
    for i in shown {
        let f = &form.fields[i];
        let height = heights[i].min(body.bottom().saturating_sub(y));
        let field_area = Rect::new(body.x, y, body.width, height);
        y += height;
        let errors = error_lines(f, inner.width);
        let [area, error_area] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(errors.len() as u16)])
                .areas(field_area);
        if !errors.is_empty() {
            let lines: Vec<Line> = errors.into_iter().map(Line::raw).collect();
            frame.render_widget(Paragraph::new(lines).red(), error_area);
        }
        let [label_area, value_area] =
            Layout::horizontal([Constraint::Length(label_width), Constraint::Min(1)]).areas(area);
        let focused = i == form.focus;
        // The focused field is reversed; a refused one is red, so it is found at a glance.
        let label_style = match (focused, f.shown_error().is_some()) {
            (true, false) => Style::new().bold().add_modifier(Modifier::REVERSED),
            (true, true) => Style::new().bold().red().add_modifier(Modifier::REVERSED),
            (false, true) => Style::new().bold().red(),
            (false, false) => Style::new(),
        };
        let label: Vec<Line> = label_lines(f, focused, label_width)
            .into_iter()
            .map(|l| Line::styled(l, label_style))
            .collect();
        frame.render_widget(Paragraph::new(label), label_area);
        let hidden = looks_like_the_passphrase(form, f);
        let suggestions = suggestion_lines(form, f, hidden, focused, value_area.width);
        let [value_area, suggest_area] = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(suggestions.len() as u16),
        ])
        .areas(value_area);
        let suggestions: Vec<Line> = suggestions.into_iter().map(Line::raw).collect();
        frame.render_widget(Paragraph::new(suggestions).dim(), suggest_area);
        if hidden.is_some() {
            // A passphrase typed into a clear-text field by mistake: never echo it, but
            // keep it editable where it is, cursor and all.
            let mut masked = Editor::new(false, Some('•'));
            masked.set_text(f.input.text());
            masked.set_cursor(f.input.cursor());
            draw_editor(frame, value_area, &masked, focused);
        } else if f.is_text() {
            draw_editor(frame, value_area, &f.input, focused);
        } else {
            let style = if focused {
                Style::new().add_modifier(Modifier::UNDERLINED)
            } else {
                Style::new()
            };
            let shown: Vec<Line> = choice_lines(f, value_area.width)
                .into_iter()
                .map(|l| Line::styled(l, style))
                .collect();
            frame.render_widget(Paragraph::new(shown), value_area);
        }
    }
}

/// Keeps at most `max` of the wrapped lines, the last marked "…" when any are left out.
fn shorten(lines: &mut Vec<String>, max: u16, width: u16) {
    let max = usize::from(max);
    if lines.len() <= max {
        return;
    }
    lines.truncate(max);
    if let Some(last) = lines.last_mut() {
        let mut kept: String = last.trim_end().to_string();
        while Span::raw(kept.as_str()).width() + 1 > usize::from(width) && kept.pop().is_some() {}
        *last = format!("{kept}…");
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Which fields fit in `height` rows, keeping the focused one (with its refusal) whole:
/// a long form at 80x24 scrolls rather than squeezing every field until refusals and
/// text are cut. Returns the fields shown and how many are left out above and below,
/// each of which takes a row to say so.
fn window(heights: &[u16], focus: usize, height: u16) -> (std::ops::Range<usize>, usize, usize) {
    let total: u32 = heights.iter().map(|&h| u32::from(h)).sum();
    if total <= u32::from(height) || heights.is_empty() {
        return (0..heights.len(), 0, 0);
    }
    let focus = focus.min(heights.len() - 1);
    // Room for the two "more" rows; the focused field first, then as many before it as
    // fit, then after it.
    let room = u32::from(height.saturating_sub(2));
    let mut used = u32::from(heights[focus]);
    let mut start = focus;
    while start > 0 && used + u32::from(heights[start - 1]) <= room {
        start -= 1;
        used += u32::from(heights[start]);
    }
    let mut end = focus + 1;
    while end < heights.len() && used + u32::from(heights[end]) <= room {
        used += u32::from(heights[end]);
        end += 1;
    }
    (start..end, start, heights.len() - end)
}

/// Why a clear-text field is not echoed: it holds the start of the form's passphrase, or it
/// is the key file's path holding words and no path (a passphrase typed one field early,
/// since the key file comes first).
fn looks_like_the_passphrase(form: &Form, f: &Field) -> Option<&'static str> {
    if !f.is_text() || f.kind == FieldKind::Secret {
        return None;
    }
    let typed = f.input.text();
    let prefix = !typed.is_empty()
        && form
            .fields
            .iter()
            .filter(|s| s.kind == FieldKind::Secret)
            .any(|s| s.input.text().starts_with(typed) && s.input.text().chars().count() >= 3);
    if prefix {
        return Some("this looks like the passphrase");
    }
    let words = typed.trim().contains(' ') && !typed.contains(['/', '\\']);
    (f.key == "identity" && words).then_some("this looks like a passphrase, not a key file's path")
}

/// A text field: its raw text escaped and wrapped to the width. The focused one shows the
/// cursor and scrolls to keep it in view, and a selected value (a default, or a refused
/// date) is drawn selected, since the first key typed replaces it. One holding more than it
/// shows keeps what fits of its last row and says how many more lines there are.
fn draw_editor(frame: &mut Frame, area: Rect, input: &Editor, focused: bool) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let (lines, cursor) = input.layout(area.width);
    let height = usize::from(area.height);
    let start = if focused {
        cursor.0.saturating_sub(height - 1)
    } else {
        0
    };
    let below = lines.len().saturating_sub(start + height);
    let style = if focused && input.is_prefilled() && !input.text().is_empty() {
        Style::new().add_modifier(Modifier::REVERSED)
    } else {
        Style::new()
    };
    let mut shown: Vec<Line> = lines
        .into_iter()
        .skip(start)
        .take(height)
        .map(|l| Line::styled(l, style))
        .collect();
    // Rows that are not shown are said, on a row the cursor is not in: below the last row,
    // and (while typing far down a long text) above the first.
    let cursor_row = cursor.0.saturating_sub(start);
    if focused && start > 0 && cursor_row > 0 {
        let above = start + 1;
        shown[0] = Line::from(format!(
            "... {above} more line{} above",
            if above == 1 { "" } else { "s" }
        ))
        .dim();
    }
    if below > 0
        && (!focused || cursor_row + 1 < shown.len())
        && let Some(last) = shown.last_mut()
    {
        let more = format!(
            " ... {below} more line{}",
            if below == 1 { "" } else { "s" }
        );
        let room = usize::from(area.width).saturating_sub(Span::raw(more.as_str()).width());
        let text: String = last.spans.iter().map(|s| s.content.as_ref()).collect();
        *last = Line::from(vec![
            Span::styled(fit(&text, room), style),
            Span::raw(more).dim(),
        ]);
    }
    frame.render_widget(Paragraph::new(shown), area);
    if focused {
        let y = area.y + (cursor.0 - start) as u16;
        let x = area.x + (cursor.1 as u16).min(area.width.saturating_sub(1));
        frame.set_cursor_position((x, y));
    }
}

/// The start of `text` that fits in `width` columns, ending at a word where one fits.
fn fit(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = Span::raw(c.encode_utf8(&mut [0; 4]).to_string()).width();
        if used + w > width {
            if let Some(space) = out.rfind(' ').filter(|_| c != ' ') {
                out.truncate(space);
            }
            break;
        }
        used += w;
        out.push(c);
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod window_tests {
    use super::window;

    #[test]
    fn a_form_that_fits_is_shown_whole() {
        assert_eq!(window(&[2, 3, 1], 1, 6), (0..3, 0, 0));
    }

    /// A long form at 80x24 scrolls to keep the focused field (and its refusal) whole,
    /// saying how many fields are above and below, instead of squeezing every field.
    #[test]
    fn a_long_form_keeps_the_focused_field_whole_and_counts_the_rest() {
        let heights = [2, 2, 2, 4, 2, 2, 2];
        let (shown, above, below) = window(&heights, 5, 8);
        assert!(shown.contains(&5), "{shown:?}");
        let used: u16 = heights[shown.clone()].iter().sum();
        assert!(used <= 6, "{shown:?} takes {used} rows of 6");
        assert_eq!((above, below), (shown.start, heights.len() - shown.end));
        assert!(above > 0);
        let (shown, above, _) = window(&heights, 0, 8);
        assert_eq!((shown.start, above), (0, 0));
    }
}
