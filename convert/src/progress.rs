//! Progress of a long backfill: a bar of documents in a terminal
//! (indicatif), a plain line per collection and every few batches elsewhere.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// Counts documents done out of a known total.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Progress {
    pub fn new(total_documents: usize, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total_documents as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "{bar:30} {pos}/{len} documents · {elapsed} · ~{eta} left · {msg}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar, quiet }
    }

    /// A batch of `documents` of `collection` was committed.
    pub fn batch(
        &mut self,
        collection: &str,
        batch: usize,
        documents: usize,
        done: usize,
        total: usize,
    ) {
        match &self.bar {
            Some(bar) => {
                bar.set_message(format!("{collection} batch {batch}"));
                bar.inc(documents as u64);
            }
            None if !self.quiet && (batch.is_multiple_of(20) || done == total) => {
                eprintln!("{collection}: batch {batch} committed ({done}/{total} documents)");
            }
            None => {}
        }
    }

    /// Documents counted without writing (already committed, or tier C).
    pub fn skip(&mut self, documents: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(documents as u64);
        }
    }

    pub fn line(&mut self, text: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
