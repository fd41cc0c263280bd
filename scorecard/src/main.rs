//! `stellaops-scorecard`: the cutover scorecard of the current revision.
//!
//! ```sh
//! cargo run -p stellaops-scorecard            # target/stellaops-scorecard/
//! ```
//!
//! Per module, the five criteria of the conversion plan (section 7.1) from
//! the suites' JUnit files, the gate's last verdicts and the conversion
//! check; one page per module and a summary, Markdown and HTML.
//!
//! Exit codes: 0 written, 2 an input could not be read or a page written.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use stellaops_benches::gate::repository_root;
use stellaops_scorecard::{Inputs, Scorecard, ScorecardError, current_revision};

#[derive(Debug, Parser)]
#[command(
    name = "stellaops-scorecard",
    about = "The per-module cutover scorecard of the current revision"
)]
struct Cli {
    /// nextest JUnit files (default: target/nextest/ci/junit-*.xml, else
    /// junit.xml); each file's revision is read from `<stem>.revision` beside it.
    #[arg(long, num_args = 1..)]
    junit: Vec<PathBuf>,
    /// A gate.json (default: the newest under target/stellaops-gate/).
    #[arg(long)]
    gate: Option<PathBuf>,
    /// A verify.json of stellaops-convert (default: the newest under target/stellaops-convert/).
    #[arg(long)]
    verify: Option<PathBuf>,
    /// Where the pages go (default: target/stellaops-scorecard).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> ExitCode {
    match write(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stellaops-scorecard: scorecard input {e}");
            ExitCode::from(2)
        }
    }
}

fn write(cli: Cli) -> Result<(), ScorecardError> {
    // Outside a checkout the scorecard still renders, with no revision:
    // nothing in it can then be current.
    let root = repository_root().unwrap_or_else(|_| PathBuf::from("."));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let inputs = Inputs::read(
        current_revision(&root),
        &target,
        &cli.junit,
        cli.gate.as_deref(),
        cli.verify.as_deref(),
    )?;
    let card = Scorecard::build(&inputs);
    let dir = cli
        .out
        .unwrap_or_else(|| target.join("stellaops-scorecard"));
    let files = card.write(&dir)?;
    println!("{}", card.summary_markdown());
    println!(
        "scorecard of revision {} ({}):",
        card.revision.as_deref().unwrap_or("unknown"),
        card.generated_at
    );
    for file in files {
        println!("  {}", file.display());
    }
    Ok(())
}
