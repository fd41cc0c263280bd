//! The verification report: what was compared, every difference with the
//! ids involved, and the verdict; as JSON, Markdown and HTML.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::VerifyError;
use crate::html::{escape, markdown_to_html, page};

/// The report's format tag.
pub const FORMAT: &str = "stellaops-convert-verify/1";

/// One verification.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerifyReport {
    pub format: String,
    pub generated_at: String,
    /// The kit's revision that converted and compared (`git rev-parse HEAD`).
    #[serde(default)]
    pub revision: Option<String>,
    pub exports: String,
    /// The clock of the tier windows, and where it came from.
    pub now: String,
    pub clock_source: String,
    pub database: String,
    /// Records compared field by field per table (`None`: all).
    pub sample: Option<usize>,
    pub collections: Vec<CollectionCounts>,
    pub tenants: Vec<TenantHash>,
    pub repositories: Vec<RepositoryCheck>,
    pub differences: Vec<Difference>,
    pub notes: Vec<String>,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every converted document is in PostgreSQL as converted; nothing rejected.
    Pass,
    /// Something was lost or differs.
    Fail,
}

/// Counts of one collection, with its tier's rule applied.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CollectionCounts {
    pub module: String,
    pub collection: String,
    pub tier: String,
    pub rule: String,
    pub table: Option<String>,
    pub export: String,
    pub documents: usize,
    pub converted: usize,
    pub skipped: usize,
    pub rejected: usize,
    /// Rows of the table that came from this export, as read back.
    pub rows_in_table: usize,
    /// Rows compared field by field.
    pub rows_compared: usize,
}

/// A content hash per tenant and module: the same rows give the same hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantHash {
    pub module: String,
    pub tenant: String,
    pub rows_expected: usize,
    pub rows_actual: usize,
    pub expected_sha256: String,
    pub actual_sha256: String,
}

impl TenantHash {
    pub fn matches(&self) -> bool {
        self.expected_sha256 == self.actual_sha256
    }
}

/// A repository's list for one tenant against the export (ids excluded).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RepositoryCheck {
    pub repository: String,
    pub tenant: String,
    pub expected: usize,
    pub listed: usize,
    pub matches: bool,
}

/// One difference, with everything needed to find it on both sides.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Difference {
    pub kind: DifferenceKind,
    pub collection: String,
    /// The export file the document came from, where one is involved.
    #[serde(default)]
    pub file: Option<String>,
    pub table: Option<String>,
    pub tenant: Option<String>,
    /// The document's line in its export, and its `_id`.
    pub line: Option<usize>,
    pub source_id: Option<String>,
    pub row_id: Option<String>,
    pub column: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DifferenceKind {
    /// The document could not be converted (its reason in `expected`).
    NotConverted,
    /// The database refused the converted row during the backfill.
    Refused,
    /// A converted document has no row.
    Missing,
    /// A row no document accounts for.
    Extra,
    /// A column's value differs.
    Field,
    /// A repository's list differs from the export.
    Repository,
    /// A tenant's content hash differs.
    Hash,
    /// A collection the module's export must have has no file.
    MissingExport,
    /// A file holds another number of documents than the manifest counts.
    CountMismatch,
    /// The source check (the declarations against the tables, sharing no
    /// code with the converters) found a row that is not what its document
    /// declares: missing, extra, a column that differs, a field unaccounted.
    Source,
}

impl DifferenceKind {
    fn label(self) -> &'static str {
        match self {
            DifferenceKind::NotConverted => "not converted",
            DifferenceKind::Refused => "refused",
            DifferenceKind::Missing => "missing",
            DifferenceKind::Extra => "extra row",
            DifferenceKind::Field => "field differs",
            DifferenceKind::Repository => "repository list",
            DifferenceKind::Hash => "content hash",
            DifferenceKind::MissingExport => "export missing",
            DifferenceKind::CountMismatch => "documents not as counted",
            DifferenceKind::Source => "source check",
        }
    }
}

impl VerifyReport {
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let verdict = match self.verdict {
            Verdict::Pass => "**PASS**: no data lost, every compared record equal",
            Verdict::Fail => "**FAIL**: data lost or different (see the differences)",
        };
        let _ = writeln!(out, "# Conversion verification\n\n{verdict}\n");
        let _ = writeln!(out, "- exports: `{}`", self.exports);
        let _ = writeln!(
            out,
            "- clock of the tier windows: {} ({})",
            self.now, self.clock_source
        );
        let _ = writeln!(out, "- database: {}", self.database);
        let sample = self.sample.map_or("all records".to_owned(), |n| {
            format!("a sample of {n} records per table")
        });
        let _ = writeln!(out, "- field-by-field comparison: {sample}");
        let _ = writeln!(
            out,
            "- generated: {} by revision {}\n",
            self.generated_at,
            self.revision.as_deref().unwrap_or("unknown")
        );
        let _ = writeln!(out, "## Record counts\n");
        let _ = writeln!(
            out,
            "| module | collection | tier | rule | table | documents | converted | skipped by rule | rejected | rows in table | compared |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|");
        for c in &self.collections {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                c.module,
                c.collection,
                c.tier,
                c.rule,
                c.table.as_deref().unwrap_or("(not converted)"),
                c.documents,
                c.converted,
                c.skipped,
                c.rejected,
                c.rows_in_table,
                c.rows_compared
            );
        }
        let _ = writeln!(out, "\n## Content hash per tenant\n");
        let _ = writeln!(
            out,
            "| module | tenant | rows expected | rows found | expected SHA-256 | found SHA-256 | |"
        );
        let _ = writeln!(out, "|---|---|---:|---:|---|---|---|");
        for t in &self.tenants {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | `{}` | `{}` | {} |",
                t.module,
                if t.tenant.is_empty() {
                    "(global)"
                } else {
                    &t.tenant
                },
                t.rows_expected,
                t.rows_actual,
                t.expected_sha256.get(..16).unwrap_or(&t.expected_sha256),
                t.actual_sha256.get(..16).unwrap_or(&t.actual_sha256),
                if t.matches() { "equal" } else { "**differs**" }
            );
        }
        let _ = writeln!(
            out,
            "\n## Through the repositories (as `stellaops_app`, per tenant, ids excluded)\n"
        );
        let _ = writeln!(out, "| repository | tenant | expected | listed | |");
        let _ = writeln!(out, "|---|---|---:|---:|---|");
        for r in &self.repositories {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                r.repository,
                r.tenant,
                r.expected,
                r.listed,
                if r.matches { "equal" } else { "**differs**" }
            );
        }
        let _ = writeln!(out, "\n## Differences ({})\n", self.differences.len());
        if self.differences.is_empty() {
            let _ = writeln!(out, "None.");
        } else {
            let _ = writeln!(
                out,
                "| kind | collection | file | table | tenant | line | _id | row id | column | expected | found |"
            );
            let _ = writeln!(out, "|---|---|---|---|---|---:|---|---|---|---|---|");
            for d in &self.differences {
                let cell = |v: &Option<String>| v.as_deref().map_or(String::new(), escape_cell);
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    d.kind.label(),
                    d.collection,
                    cell(&d.file),
                    cell(&d.table),
                    cell(&d.tenant),
                    d.line.map_or(String::new(), |l| l.to_string()),
                    cell(&d.source_id),
                    cell(&d.row_id),
                    cell(&d.column),
                    cell(&d.expected),
                    cell(&d.actual)
                );
            }
        }
        if !self.notes.is_empty() {
            let _ = writeln!(out, "\n## Notes\n");
            for note in &self.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
        out
    }

    /// One line per difference, the first `limit` of them, for the console:
    /// kind, collection, file and line, `_id`, table and row, column, and
    /// both values (each part only where the difference has it).
    pub fn console_lines(&self, limit: usize) -> Vec<String> {
        let mut lines: Vec<String> = self
            .differences
            .iter()
            .take(limit)
            .map(|d| {
                let mut parts = vec![format!("{}: {}", d.kind.label(), d.collection)];
                match (&d.file, d.line) {
                    (Some(file), Some(line)) => parts.push(format!("{file} line {line}")),
                    (Some(file), None) => parts.push(file.clone()),
                    (None, Some(line)) => parts.push(format!("line {line}")),
                    (None, None) => {}
                }
                let named = [
                    ("_id", &d.source_id),
                    ("table", &d.table),
                    ("tenant", &d.tenant),
                    ("row", &d.row_id),
                    ("column", &d.column),
                    ("expected", &d.expected),
                    ("found", &d.actual),
                ];
                for (name, value) in named {
                    if let Some(value) = value {
                        parts.push(format!("{name} {}", escape_cell(value)));
                    }
                }
                parts.join(", ")
            })
            .collect();
        if self.differences.len() > limit {
            lines.push(format!(
                "... and {} more in the report",
                self.differences.len() - limit
            ));
        }
        lines
    }

    /// A self-contained page: the verdict, the tables, and a bar chart of
    /// each collection's documents by fate.
    pub fn html(&self) -> String {
        let mut body = String::new();
        let (class, verdict) = match self.verdict {
            Verdict::Pass => ("pass", "PASS: no data lost, every compared record equal"),
            Verdict::Fail => ("fail", "FAIL: data lost or different"),
        };
        let _ = writeln!(
            body,
            "<h1>Conversion verification</h1><p class=\"{class}\">{verdict}</p>"
        );
        let _ = writeln!(
            body,
            "<ul><li>exports: <code>{}</code></li><li>clock: {} ({})</li><li>database: {}</li><li>generated: {}</li></ul>",
            escape(&self.exports),
            escape(&self.now),
            escape(&self.clock_source),
            escape(&self.database),
            escape(&self.generated_at)
        );
        let _ = writeln!(body, "<h2>Documents by fate</h2>{}", self.chart());
        let markdown = self.markdown();
        let sections = markdown.find("\n## ").map_or("", |at| &markdown[at..]);
        body.push_str(&markdown_to_html(sections));
        page(
            "Conversion verification",
            &format!("<style>{STYLE}</style>{body}"),
        )
    }

    fn chart(&self) -> String {
        let rows: Vec<&CollectionCounts> = self.collections.iter().collect();
        let max = rows.iter().map(|c| c.documents).max().unwrap_or(1).max(1) as f64;
        let (label_w, bar_w, row_h) = (230.0, 520.0, 22.0);
        let height = row_h * rows.len() as f64 + 40.0;
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">",
            label_w + bar_w + 120.0
        );
        for (i, c) in rows.iter().enumerate() {
            let y = 10.0 + row_h * i as f64;
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                label_w - 8.0,
                y + 14.0,
                escape(&c.collection)
            );
            let mut x = label_w;
            for (count, color, what) in [
                (c.converted, "#2e7d32", "converted"),
                (c.skipped, "#9e9e9e", "skipped by rule"),
                (c.rejected, "#c62828", "rejected"),
            ] {
                let w = bar_w * count as f64 / max;
                if count > 0 {
                    let _ = write!(
                        svg,
                        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{color}\"><title>{what}: {count}</title></rect>",
                        row_h - 6.0
                    );
                }
                x += w;
            }
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{}\">{}/{}/{}</text>",
                x + 6.0,
                y + 14.0,
                c.converted,
                c.skipped,
                c.rejected
            );
        }
        let legend_y = height - 12.0;
        let _ = write!(
            svg,
            "<text x=\"{label_w}\" y=\"{legend_y}\"><tspan fill=\"#2e7d32\">■ converted</tspan> <tspan fill=\"#9e9e9e\">■ skipped by rule</tspan> <tspan fill=\"#c62828\">■ rejected</tspan></text></svg>"
        );
        svg
    }

    /// Writes `verify.json`, `verify.md` and `verify.html` into `dir`; their paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, VerifyError> {
        std::fs::create_dir_all(dir).map_err(|e| VerifyError::Report {
            file: dir.display().to_string(),
            detail: e.to_string(),
        })?;
        let json = serde_json::to_string_pretty(self).map_err(|e| VerifyError::Report {
            file: "verify.json".into(),
            detail: e.to_string(),
        })?;
        let mut written = Vec::new();
        for (name, text) in [
            ("verify.json", json),
            ("verify.md", self.markdown()),
            ("verify.html", self.html()),
        ] {
            let file = dir.join(name);
            crate::files::write_atomically(&file, &text).map_err(|e| VerifyError::Report {
                file: file.display().to_string(),
                detail: e.to_string(),
            })?;
            written.push(file);
        }
        Ok(written)
    }

    /// Reads a `verify.json` back (for `report`).
    pub fn read(file: &Path) -> Result<VerifyReport, VerifyError> {
        let bad = |detail: String| VerifyError::Report {
            file: file.display().to_string(),
            detail,
        };
        let text = std::fs::read_to_string(file).map_err(|e| bad(e.to_string()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            Some(other) => return Err(bad(format!("format {other:?}, expected {FORMAT:?}"))),
            None => return Err(bad("no format field: not a verification report".into())),
        }
        serde_json::from_value(value).map_err(|e| bad(format!("malformed report: {e}")))
    }
}

/// The verdict's colours, beside the shared page style.
const STYLE: &str = ".pass{color:#2e7d32;font-weight:bold;font-size:1.2em}.fail{color:#c62828;font-weight:bold;font-size:1.2em}code{font-size:12px}";

fn escape_cell(text: &str) -> String {
    let text = text.replace('|', "/").replace('\n', " ");
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}...")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(collection: &str) -> CollectionCounts {
        CollectionCounts {
            module: "authority".into(),
            collection: collection.into(),
            tier: "A".into(),
            rule: "full".into(),
            table: Some("authority.users".into()),
            export: "authority/users.json".into(),
            documents: 3,
            converted: 2,
            skipped: 0,
            rejected: 1,
            rows_in_table: 2,
            rows_compared: 2,
        }
    }

    /// A report with every kind of row filled in, values holding the
    /// characters a table could trip on.
    fn report() -> VerifyReport {
        let full = Difference {
            kind: DifferenceKind::NotConverted,
            collection: "users".into(),
            file: Some("authority/users.json".into()),
            table: Some("authority.users".into()),
            tenant: Some("acme-eu".into()),
            line: Some(7),
            source_id: Some("64b0f0c2a1b2c3d4e5f60718".into()),
            row_id: Some("0190e4a2-0000-7000-8000-000000000001".into()),
            column: Some("email".into()),
            expected: Some("a|b@example.org".into()),
            actual: Some("found-value".into()),
        };
        let sparse = Difference {
            kind: DifferenceKind::Missing,
            collection: "users".into(),
            file: None,
            table: None,
            tenant: None,
            line: None,
            source_id: None,
            row_id: None,
            column: None,
            expected: None,
            actual: None,
        };
        VerifyReport {
            format: FORMAT.into(),
            generated_at: "2026-12-03T00:00:00Z".into(),
            revision: Some("abc".into()),
            exports: "fixtures/mongo".into(),
            now: "2026-12-01T00:00:00.123456Z".into(),
            clock_source: "manifest".into(),
            database: "db".into(),
            sample: None,
            collections: vec![counts("users"), counts("clients")],
            tenants: vec![TenantHash {
                module: "authority".into(),
                tenant: "acme".into(),
                rows_expected: 2,
                rows_actual: 2,
                expected_sha256: "aa".into(),
                actual_sha256: "bb".into(),
            }],
            repositories: vec![RepositoryCheck {
                repository: "users".into(),
                tenant: "acme".into(),
                expected: 2,
                listed: 1,
                matches: false,
            }],
            differences: vec![full, sparse],
            notes: vec!["a note".into()],
            verdict: Verdict::Fail,
        }
    }

    /// The cells of a Markdown table row (`| a | b |`).
    fn cells(line: &str) -> Vec<String> {
        let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
        inner.split('|').map(|c| c.trim().to_owned()).collect()
    }

    /// Every Markdown table: its header and its rows, by cells.
    fn tables(markdown: &str) -> Vec<(Vec<String>, Vec<Vec<String>>)> {
        let lines: Vec<&str> = markdown.lines().collect();
        let mut found = Vec::new();
        let mut i = 0;
        while i + 1 < lines.len() {
            if lines[i].starts_with('|') && lines[i + 1].starts_with("|---") {
                let header = cells(lines[i]);
                let mut rows = Vec::new();
                let mut j = i + 2;
                while j < lines.len() && lines[j].starts_with('|') {
                    rows.push(cells(lines[j]));
                    j += 1;
                }
                found.push((header, rows));
                i = j;
            } else {
                i += 1;
            }
        }
        found
    }

    #[test]
    fn every_markdown_row_has_a_cell_per_header() {
        let markdown = report().markdown();
        let tables = tables(&markdown);
        assert!(tables.len() >= 4, "{markdown}");
        for (header, rows) in &tables {
            assert_eq!(cells_of_separator(&markdown, header), header.len());
            for row in rows {
                assert_eq!(row.len(), header.len(), "{header:?} against {row:?}");
            }
        }
        let (header, rows) = tables
            .iter()
            .find(|(h, _)| h.first().map(String::as_str) == Some("kind"))
            .expect("the differences table");
        let at = |row: &Vec<String>, name: &str| {
            let column = header.iter().position(|h| h == name).expect(name);
            row[column].clone()
        };
        let full = &rows[0];
        assert_eq!(at(full, "file"), "authority/users.json");
        assert_eq!(at(full, "table"), "authority.users");
        assert_eq!(at(full, "tenant"), "acme-eu");
        assert_eq!(at(full, "line"), "7");
        assert_eq!(at(full, "_id"), "64b0f0c2a1b2c3d4e5f60718");
        assert_eq!(at(full, "column"), "email");
        assert_eq!(at(full, "expected"), "a/b@example.org");
        assert_eq!(at(full, "found"), "found-value");
        assert_eq!(at(&rows[1], "kind"), DifferenceKind::Missing.label());
    }

    /// The separator line under `header` has as many cells as the header.
    fn cells_of_separator(markdown: &str, header: &[String]) -> usize {
        let lines: Vec<&str> = markdown.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with('|') && cells(l) == header)
            .expect("the header line");
        cells(lines[at + 1]).len()
    }

    #[test]
    fn the_console_names_each_difference() {
        let lines = report().console_lines(1);
        assert_eq!(
            lines,
            [
                "not converted: users, authority/users.json line 7, _id 64b0f0c2a1b2c3d4e5f60718, \
                 table authority.users, tenant acme-eu, row 0190e4a2-0000-7000-8000-000000000001, \
                 column email, expected a/b@example.org, found found-value",
                "... and 1 more in the report",
            ]
        );
    }

    #[test]
    fn every_html_row_has_a_cell_per_header() {
        let html = report().html();
        let checked = crate::html::check_tables(&html).unwrap();
        assert_eq!(checked, 6, "rows of the four tables");
        assert!(html.contains("found-value"));
    }
}
