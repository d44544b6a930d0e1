//! A document that leaves the logbook, independent of its format, and its three renderings:
//! plain text, Markdown and one self-contained HTML page. Every value in a `Doc` is the
//! logbook's own text, unescaped; each renderer escapes every value for its format, so no
//! builder can forget to.

use std::fmt::Write as _;

use crate::present::Line;
use crate::text;

/// Printed at the top and bottom of every export, and on every printed page of the HTML.
pub const BANNER: &str = "CONFIDENTIAL - safeguarding record";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub title: String,
    /// Who, when, from where, and what was left out.
    pub meta: Vec<Line>,
    pub blocks: Vec<Block>,
    /// Printed on landscape A4 (a table of many columns, such as a person's chronology).
    pub wide: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    Fields(Vec<Line>),
    /// A paragraph of the record's text; newlines kept.
    Text(String),
    Table(Table),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<String>,
    /// Entered in error: shown struck through (the reason is in a cell).
    pub struck: bool,
}

impl Row {
    pub fn new(cells: Vec<String>) -> Row {
        Row {
            cells,
            struck: false,
        }
    }
}

impl Doc {
    /// Applies `f` to every piece of text in the document (used to anonymise others).
    pub fn map_text(&mut self, f: &dyn Fn(&str) -> String) {
        let lines = |ls: &mut Vec<Line>| {
            for l in ls {
                l.value = f(&l.value);
            }
        };
        self.title = f(&self.title);
        lines(&mut self.meta);
        for b in &mut self.blocks {
            match b {
                Block::Heading(s) | Block::Text(s) => *s = f(s),
                Block::Fields(ls) => lines(ls),
                Block::Table(t) => {
                    for r in &mut t.rows {
                        for c in &mut r.cells {
                            *c = f(c);
                        }
                    }
                }
            }
        }
    }
}

// ---- plain text ---------------------------------------------------------------------

/// Plain text: headings underlined, tables as one entry per row with its other columns
/// indented beneath. Text passes through `crate::text`, so it is safe in a terminal.
pub fn txt(doc: &Doc) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{BANNER}\n");
    let title = text::line(&doc.title);
    let _ = writeln!(w, "{title}\n{}", "=".repeat(title.chars().count()));
    fields_txt(w, &doc.meta);
    for b in &doc.blocks {
        match b {
            Block::Heading(h) => {
                let h = text::line(h);
                let _ = writeln!(w, "\n{h}\n{}", "-".repeat(h.chars().count()));
            }
            Block::Fields(ls) => fields_txt(w, ls),
            Block::Text(t) => {
                for l in text::block(t).lines() {
                    let _ = writeln!(w, "    {l}");
                }
            }
            Block::Table(t) => {
                for r in &t.rows {
                    let mark = if r.struck { "[entered in error] " } else { "" };
                    // The first two cells head the entry; any further lines of theirs (an
                    // event's paragraphs) follow beneath it, each line escaped on its own.
                    let mut head = Vec::new();
                    let mut under = Vec::new();
                    for cell in r.cells.iter().take(2) {
                        let mut lines = cell.lines();
                        head.push(text::line(lines.next().unwrap_or("")).into_owned());
                        under.extend(lines.map(|l| text::line(l).into_owned()));
                    }
                    let _ = writeln!(w, "  {mark}{}", head.join("  "));
                    for l in under {
                        let _ = writeln!(w, "      {l}");
                    }
                    for (col, cell) in t.columns.iter().zip(&r.cells).skip(2) {
                        // A cell's own lines stay lines, each escaped on its own.
                        for (n, l) in cell.lines().enumerate() {
                            if n == 0 {
                                let _ = writeln!(w, "      {col}: {}", text::line(l));
                            } else {
                                let _ = writeln!(w, "        {}", text::line(l));
                            }
                        }
                    }
                }
            }
        }
    }
    let _ = writeln!(w, "\n{BANNER}");
    s
}

fn fields_txt(w: &mut String, lines: &[Line]) {
    let width = lines.iter().map(|l| l.label.len() + 1).max().unwrap_or(0);
    for l in lines {
        let label = format!("{}:", l.label);
        let _ = writeln!(w, "{label:<width$}  {}", text::line(&l.value));
    }
}

// ---- Markdown -----------------------------------------------------------------------

/// Escapes Markdown's markup characters with backslashes (after `crate::text` has made
/// control characters and bidi overrides visible), so stored text stays text: a `|` cannot
/// break a table, a `<` cannot open raw HTML, a `[` cannot make a link.
fn md(value: &str) -> String {
    let safe = text::block(value);
    let mut out = String::with_capacity(safe.len() + 8);
    let mut line_start = true;
    let mut chars = safe.chars().peekable();
    while let Some(c) = chars.next() {
        // At the start of a line these would make a list item or a heading underline.
        if line_start && matches!(c, '-' | '+' | '=') {
            out.push('\\');
        }
        line_start = c == '\n';
        // A backslash is markup only before punctuation (an escape) or at a line's end (a
        // hard break); elsewhere, as in `\\srv\dsl`, it is shown as typed.
        let markup_backslash = c == '\\'
            && chars
                .peek()
                .is_none_or(|n| n.is_ascii_punctuation() || *n == '\n');
        if markup_backslash
            || matches!(
                c,
                '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '&' | '!' | '~' | '{' | '}'
            )
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One line of Markdown: newlines become `<br>` (our markup, added after escaping).
fn md_line(value: &str) -> String {
    md(value).replace('\n', "<br>")
}

pub fn markdown(doc: &Doc) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "**{BANNER}**\n");
    let _ = writeln!(w, "# {}\n", md_line(&doc.title));
    fields_md(w, &doc.meta);
    for b in &doc.blocks {
        match b {
            Block::Heading(h) => {
                let _ = writeln!(w, "\n## {}\n", md_line(h));
            }
            Block::Fields(ls) => fields_md(w, ls),
            Block::Text(t) => {
                // Hard line breaks keep the record's own line layout.
                let _ = writeln!(w, "{}\n", md(t).replace('\n', "  \n"));
            }
            Block::Table(t) => {
                let _ = writeln!(w, "| {} |", t.columns.join(" | "));
                let _ = writeln!(w, "|{}", "---|".repeat(t.columns.len()));
                for r in &t.rows {
                    let cells: Vec<String> = r
                        .cells
                        .iter()
                        .map(|c| {
                            let c = md_line(c);
                            if r.struck && !c.is_empty() {
                                format!("~~{c}~~")
                            } else {
                                c
                            }
                        })
                        .collect();
                    let _ = writeln!(w, "| {} |", cells.join(" | "));
                }
                let _ = writeln!(w);
            }
        }
    }
    let _ = writeln!(w, "\n**{BANNER}**");
    s
}

fn fields_md(w: &mut String, lines: &[Line]) {
    for l in lines {
        let _ = writeln!(w, "- **{}:** {}", l.label, md_line(&l.value));
    }
    if !lines.is_empty() {
        let _ = writeln!(w);
    }
}

// ---- HTML ---------------------------------------------------------------------------

/// Escapes for HTML text and attribute values, after `crate::text` has written control
/// characters and bidi overrides out visibly (so none reaches the page unmarked).
pub fn html_escape(value: &str) -> String {
    let safe = text::block(value);
    let mut out = String::with_capacity(safe.len() + 8);
    for c in safe.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br/>"),
            c => out.push(c),
        }
    }
    out
}

/// Print CSS for clean A4 pages: the banner and page numbers in every page's margin
/// (CSS paged media), table headers repeated and no row split across pages.
const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 10.5pt; line-height: 1.35; color: #000; margin: 0 auto; max-width: 60em; padding: 0 1em; }
.banner { font-weight: bold; text-align: center; letter-spacing: 0.05em; border: 2px solid #000; padding: 0.25em; margin: 0.5em 0; }
h1 { font-size: 16pt; margin: 0.6em 0 0.3em; }
h2 { font-size: 12.5pt; margin: 1.2em 0 0.3em; border-bottom: 1px solid #000; break-after: avoid; page-break-after: avoid; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 0.1em 1em; margin: 0.3em 0; }
dl.fields dt { font-weight: bold; }
dl.fields dd { margin: 0; overflow-wrap: anywhere; }
p.text { margin: 0.3em 0 0.6em 1em; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 0.3em 0 0.8em; }
th, td { border: 1px solid #555; padding: 0.2em 0.35em; vertical-align: top; text-align: left; overflow-wrap: break-word; }
td:first-child { white-space: nowrap; }
thead { display: table-header-group; }
th { background: #e6e6e6; }
tr { break-inside: avoid; page-break-inside: avoid; }
tr.struck td { text-decoration: line-through; color: #555; }
td.num { text-align: right; }
@page {
  size: A4;
  margin: 18mm 14mm 16mm 14mm;
  @top-center { content: "CONFIDENTIAL - safeguarding record"; font-family: Arial, Helvetica, sans-serif; font-weight: bold; font-size: 9pt; }
  @bottom-left { content: "CONFIDENTIAL - safeguarding record"; font-family: Arial, Helvetica, sans-serif; font-size: 8pt; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-family: Arial, Helvetica, sans-serif; font-size: 8pt; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  .banner.end { display: none; }
  th { background: #e6e6e6; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// One self-contained XHTML-compatible page: no scripts, no external assets, no links.
pub fn html(doc: &Doc) -> String {
    let mut s = String::new();
    let w = &mut s;
    let title = html_escape(&doc.title);
    let orientation = if doc.wide {
        "@page { size: A4 landscape; }\n"
    } else {
        ""
    };
    let _ = writeln!(
        w,
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\"/>\n\
<meta name=\"robots\" content=\"noindex\"/>\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"/>\n\
<title>{title}</title>\n<style>{CSS}{orientation}</style>\n</head>\n<body>"
    );
    let _ = writeln!(w, "<div class=\"banner\">{BANNER}</div>");
    let _ = writeln!(w, "<h1>{title}</h1>");
    fields_html(w, &doc.meta);
    for b in &doc.blocks {
        match b {
            Block::Heading(h) => {
                let _ = writeln!(w, "<h2>{}</h2>", html_escape(h));
            }
            Block::Fields(ls) => fields_html(w, ls),
            Block::Text(t) => {
                let _ = writeln!(w, "<p class=\"text\">{}</p>", html_escape(t));
            }
            Block::Table(t) => {
                let _ = writeln!(w, "<table>\n<thead><tr>");
                for c in &t.columns {
                    let _ = write!(w, "<th>{}</th>", html_escape(c));
                }
                let _ = writeln!(w, "</tr></thead>\n<tbody>");
                for r in &t.rows {
                    let class = if r.struck { " class=\"struck\"" } else { "" };
                    let _ = write!(w, "<tr{class}>");
                    for c in &r.cells {
                        let _ = write!(w, "<td>{}</td>", html_escape(c));
                    }
                    let _ = writeln!(w, "</tr>");
                }
                let _ = writeln!(w, "</tbody>\n</table>");
            }
        }
    }
    // On paper the page margins carry the banner; this one closes the page on screen.
    let _ = writeln!(
        w,
        "<div class=\"banner end\">{BANNER}</div>\n</body>\n</html>"
    );
    s
}

fn fields_html(w: &mut String, lines: &[Line]) {
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(w, "<dl class=\"fields\">");
    for l in lines {
        let _ = writeln!(
            w,
            "<dt>{}</dt><dd>{}</dd>",
            html_escape(l.label),
            html_escape(&l.value)
        );
    }
    let _ = writeln!(w, "</dl>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hostile() -> Doc {
        Doc {
            title: "T".into(),
            meta: vec![],
            blocks: vec![
                Block::Text("<script>alert(1)</script> a|b \u{1b}[2J \u{202e}gpj.exe".into()),
                Block::Table(Table {
                    columns: vec!["A", "B"],
                    rows: vec![Row::new(vec!["x|y\nz".into(), "[l](http://e)".into()])],
                }),
            ],
            wide: false,
        }
    }

    #[test]
    fn html_escapes_markup_and_marks_controls_and_bidi() {
        let page = html(&hostile());
        assert!(!page.contains("<script"));
        assert!(page.contains("&lt;script&gt;"));
        assert!(!page.contains('\u{1b}') && !page.contains('\u{202e}'));
        assert!(page.contains("\\e[2J") && page.contains("\\u{202e}gpj.exe"));
        assert_eq!(
            page.matches(BANNER).count(),
            2 + 2,
            "top, bottom and @page boxes"
        );
    }

    #[test]
    fn markdown_cannot_break_a_table_or_open_html() {
        let text = markdown(&hostile());
        assert!(text.contains("x\\|y<br>z"), "{text}");
        assert!(text.contains("\\<script\\>"));
        assert!(text.contains("\\[l\\](http://e)"));
        let listy = md("- not a list\n= not a heading\na - b");
        assert_eq!(listy, "\\- not a list\n\\= not a heading\na - b");
        assert!(!text.contains('\u{202e}'));
    }

    #[test]
    fn plain_text_is_terminal_safe() {
        let text = txt(&hostile());
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
        assert!(text.starts_with(BANNER) && text.trim_end().ends_with(BANNER));
    }
}
