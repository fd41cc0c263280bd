//! Self-contained HTML from the Markdown the kit's reports write: one
//! renderer for the verification report, the gate, the load run and the
//! scorecard.

use std::fmt::Write as _;

/// Escapes text for HTML content and attributes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The Markdown the kit writes (headings, tables, quotes, lists,
/// paragraphs; `**bold**` and `` `code` ``) as HTML, so the HTML reports
/// that only hold tables are rendered, not shown as source.
pub fn markdown_to_html(markdown: &str) -> String {
    fn inline(text: &str) -> String {
        let mut out = String::new();
        let (mut bold, mut code) = (false, false);
        let mut rest = escape(text);
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("**") {
                out.push_str(if bold { "</b>" } else { "<b>" });
                bold = !bold;
                rest = after.to_owned();
            } else if let Some(after) = rest.strip_prefix('`') {
                out.push_str(if code { "</code>" } else { "<code>" });
                code = !code;
                rest = after.to_owned();
            } else {
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    out.push(c);
                }
                rest = chars.as_str().to_owned();
            }
        }
        out
    }
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|cell| inline(cell.trim()))
            .collect()
    };
    let mut out = String::new();
    let mut lines = markdown.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.starts_with('|') {
            out.push_str("<table><tr>");
            for cell in cells(trimmed) {
                let _ = write!(out, "<th>{cell}</th>");
            }
            out.push_str("</tr>");
            while let Some(next) = lines.peek().map(|l| l.trim()) {
                if !next.starts_with('|') {
                    break;
                }
                if !is_separator(next) {
                    out.push_str("<tr>");
                    for cell in cells(next) {
                        let _ = write!(out, "<td>{cell}</td>");
                    }
                    out.push_str("</tr>");
                }
                lines.next();
            }
            out.push_str("</table>");
        } else if let Some((level, title)) = heading(trimmed) {
            let _ = write!(out, "<h{level}>{}</h{level}>", inline(title));
        } else if let Some(quote) = trimmed.strip_prefix("> ") {
            let _ = write!(out, "<blockquote>{}</blockquote>", inline(quote));
        } else if let Some(item) = trimmed.strip_prefix("- ") {
            let _ = write!(out, "<ul><li>{}</li></ul>", inline(item));
        } else if !trimmed.is_empty() {
            let _ = write!(out, "<p>{}</p>", inline(trimmed));
        }
    }
    out
}

/// A table's separator line (`|---|---:|`): cells of dashes and colons only.
fn is_separator(line: &str) -> bool {
    line.trim().trim_matches('|').split('|').all(|cell| {
        let cell = cell.trim();
        !cell.is_empty() && cell.contains('-') && cell.chars().all(|c| c == '-' || c == ':')
    })
}

/// A heading's level (1 to 3) and its text.
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|&c| c == '#').count();
    let title = line[level..].strip_prefix(' ')?;
    (1..=3).contains(&level).then_some((level, title))
}

/// Checks every table of a rendered page: each row has one cell per
/// header. The number of rows checked, or the first row that does not.
pub fn check_tables(html: &str) -> Result<usize, String> {
    let mut rows = 0;
    for table in html.split("<table").skip(1) {
        let table = table
            .find("</table>")
            .map(|end| &table[..end])
            .ok_or("a table that is not closed")?;
        let headers = table.matches("<th").count();
        for row in table.split("<tr").skip(1) {
            let cells = row.matches("<td").count();
            if cells == 0 {
                continue;
            }
            if cells != headers {
                return Err(format!(
                    "a row of {cells} cells under {headers} headers: <tr{}",
                    row.chars().take(200).collect::<String>()
                ));
            }
            rows += 1;
        }
    }
    Ok(rows)
}

/// A self-contained page around `body`.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>\
         body{{font-family:sans-serif;margin:2em;color:#222;max-width:1200px}}\
         table{{border-collapse:collapse;margin:1em 0}}\
         td,th{{border:1px solid #ccc;padding:4px 8px;font-size:13px}}\
         blockquote{{border-left:4px solid #c99700;margin:1em 0;padding:4px 12px;background:#fff8e1}}\
         </style></head><body>{body}</body></html>\n",
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_tables_and_marks_become_html() {
        let html = markdown_to_html(
            "## Gate: **pass**\n\n| path | ratio |\n|---|---:|\n| `a.b` | 1.01 |\n\n> careful <x>\n- one\n",
        );
        assert_eq!(
            html,
            "<h2>Gate: <b>pass</b></h2><table><tr><th>path</th><th>ratio</th></tr>\
             <tr><td><code>a.b</code></td><td>1.01</td></tr></table>\
             <blockquote>careful &lt;x&gt;</blockquote><ul><li>one</li></ul>"
        );
    }

    #[test]
    fn headings_of_every_level_and_dashes_in_cells_are_kept() {
        let html = markdown_to_html(
            "# Cutover scorecard\n### notify\n| a | b |\n|---|:---:|\n| --- | x-y |\n#hashtag\n",
        );
        assert_eq!(
            html,
            "<h1>Cutover scorecard</h1><h3>notify</h3>\
             <table><tr><th>a</th><th>b</th></tr><tr><td>---</td><td>x-y</td></tr></table>\
             <p>#hashtag</p>"
        );
    }
}
