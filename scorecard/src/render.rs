//! The scorecard's pages: one per module and a summary across the six,
//! in Markdown and HTML, and the JSON they are rendered from.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::criteria::{ModuleCard, Status, score};
use crate::error::ScorecardError;
use crate::inputs::{Inputs, SourceFile};
use stellaops_kit::html::{markdown_to_html, page};

/// The scorecard's format tag.
pub const FORMAT: &str = "stellaops-scorecard/1";

/// The modules, in the order of the conversion plan's phases, from the
/// registry (`stellaops_kit::modules`).
pub fn modules() -> impl Iterator<Item = &'static str> {
    stellaops_kit::modules::MODULES.iter().map(|m| m.name)
}

/// A whole scorecard.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scorecard {
    pub format: String,
    /// The revision it describes, and when it was made.
    pub revision: Option<String>,
    pub generated_at: String,
    pub sources: Vec<SourceFile>,
    /// Warnings every page repeats (inputs of another revision, a dirty checkout).
    pub notices: Vec<String>,
    pub modules: Vec<ModuleCard>,
}

impl Scorecard {
    pub fn build(inputs: &Inputs) -> Scorecard {
        let sources = inputs.sources();
        let mut notices = Vec::new();
        match &inputs.revision {
            None => {
                notices.push("not in a git checkout: no result can be shown as current".to_owned())
            }
            Some(rev) if rev.ends_with("-dirty") => notices.push(format!(
                "the checkout has uncommitted changes ({rev}): results may not describe them"
            )),
            Some(_) => {}
        }
        for source in sources.iter().filter(|s| !s.current) {
            notices.push(format!(
                "{} {} describes revision {}, not {}: its criteria are stale, not current",
                source.kind,
                source.path,
                source.revision.as_deref().unwrap_or("unknown"),
                inputs.revision.as_deref().unwrap_or("unknown")
            ));
        }
        if inputs.junit.is_empty() {
            notices.push(
                "no JUnit files: run the tests with `cargo nextest run --workspace --profile ci` (or pass --junit)"
                    .to_owned(),
            );
        }
        Scorecard {
            format: FORMAT.to_owned(),
            revision: inputs.revision.clone(),
            generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            sources,
            notices,
            modules: modules().map(|m| score(m, inputs)).collect(),
        }
    }

    fn header(&self, title: &str) -> String {
        let mut out = format!("# {title}\n\n");
        let _ = writeln!(
            out,
            "- revision: `{}`",
            self.revision.as_deref().unwrap_or("unknown")
        );
        let _ = writeln!(out, "- generated: {}", self.generated_at);
        for notice in &self.notices {
            let _ = writeln!(out, "\n> **{notice}**");
        }
        out.push('\n');
        out
    }

    /// The summary across the modules.
    pub fn summary_markdown(&self) -> String {
        let mut out = self.header("Cutover scorecard");
        let names: Vec<&str> = self
            .modules
            .first()
            .map(|m| m.criteria.iter().map(|c| c.name.as_str()).collect())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| module | {} | ready for cutover |",
            names.join(" | ")
        );
        let _ = writeln!(out, "|---|{}---|", "---|".repeat(names.len()));
        for card in &self.modules {
            let cells: Vec<&str> = card.criteria.iter().map(|c| c.status.label()).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                card.module,
                cells.join(" | "),
                if card.ready() { "**yes**" } else { "no" }
            );
        }
        let _ = writeln!(
            out,
            "\nA module is ready only when every criterion passes on this revision; \
             \"not yet measured\" and \"stale\" never count as a pass.\n"
        );
        let _ = writeln!(out, "## Sources\n");
        let _ = writeln!(out, "| kind | file | revision | current |");
        let _ = writeln!(out, "|---|---|---|---|");
        for source in &self.sources {
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | {} |",
                source.kind,
                source.path,
                source.revision.as_deref().unwrap_or("unknown"),
                if source.current { "yes" } else { "**no**" }
            );
        }
        out
    }

    /// One module's page.
    pub fn module_markdown(&self, card: &ModuleCard) -> String {
        let mut out = self.header(&format!("Cutover scorecard: {}", card.module));
        let _ = writeln!(
            out,
            "Ready for cutover: {}\n",
            if card.ready() { "**yes**" } else { "**no**" }
        );
        let _ = writeln!(out, "| criterion | status | measured | source |");
        let _ = writeln!(out, "|---|---|---|---|");
        for c in &card.criteria {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                c.name,
                c.status.label(),
                c.detail.replace('|', "/"),
                c.source.replace('|', "/")
            );
        }
        for c in card.criteria.iter().filter(|c| !c.evidence.is_empty()) {
            let _ = writeln!(out, "\n## {}: {}\n", c.name, c.status.label());
            for line in &c.evidence {
                let _ = writeln!(out, "- {}", line.replace('|', "/"));
            }
        }
        out
    }

    /// Writes `summary.{md,html}`, `<module>.{md,html}` and
    /// `scorecard.json` into `dir`; their paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, ScorecardError> {
        std::fs::create_dir_all(dir).map_err(|source| ScorecardError::Write {
            file: dir.to_owned(),
            source,
        })?;
        let mut pages = vec![("summary".to_owned(), self.summary_markdown())];
        for card in &self.modules {
            pages.push((card.module.clone(), self.module_markdown(card)));
        }
        let mut written = Vec::new();
        let mut put = |name: String, text: String| -> Result<(), ScorecardError> {
            let file = dir.join(name);
            stellaops_kit::files::write_atomically(&file, &text).map_err(|source| {
                ScorecardError::Write {
                    file: file.clone(),
                    source,
                }
            })?;
            written.push(file);
            Ok(())
        };
        for (name, markdown) in pages {
            let title = format!("Cutover scorecard: {name}");
            put(
                format!("{name}.html"),
                page(&title, &colored(&markdown_to_html(&markdown))),
            )?;
            put(format!("{name}.md"), markdown)?;
        }
        let json = serde_json::to_string_pretty(self).map_err(|e| ScorecardError::Write {
            file: dir.join("scorecard.json"),
            source: std::io::Error::other(e),
        })?;
        put("scorecard.json".to_owned(), json)?;
        Ok(written)
    }
}

/// Status cells in colour: green only for a pass.
fn colored(html: &str) -> String {
    let mut out = html.to_owned();
    for (status, color) in [
        (Status::Pass, "#c8e6c9"),
        (Status::Fail, "#ffcdd2"),
        (Status::NotMeasured, "#eeeeee"),
        (Status::Stale, "#ffe0b2"),
    ] {
        out = out.replace(
            &format!("<td>{}</td>", status.label()),
            &format!("<td style=\"background:{color}\">{}</td>", status.label()),
        );
    }
    out
}
