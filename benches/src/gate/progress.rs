//! Progress of the rounds: a bar with rounds and time left in a
//! terminal (indicatif), a plain line per side-round elsewhere (CI logs).

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

/// Counts rounds done out of a known total.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
    started: Instant,
    rounds: usize,
}

impl Progress {
    /// `rounds` measured rounds plus the warm-up.
    pub fn new(rounds: usize) -> Progress {
        let total = rounds + 1;
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "{bar:30} {pos}/{len} rounds · {elapsed} elapsed · ~{eta} left · {msg}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            total,
            done: 0,
            started: Instant::now(),
            rounds,
        }
    }

    pub fn message(&mut self, text: &str) {
        match &self.bar {
            Some(bar) => bar.set_message(text.to_owned()),
            None => eprintln!("{text}"),
        }
    }

    /// A round finished (round 0 is the warm-up).
    pub fn round_done(&mut self, round: usize, seconds: f64) {
        self.done += 1;
        let left = self.started.elapsed().as_secs_f64() / self.done as f64
            * (self.total - self.done) as f64;
        let what = if round == 0 {
            "warm-up".to_owned()
        } else {
            format!("round {round}/{}", self.rounds)
        };
        match &self.bar {
            Some(bar) => {
                bar.set_message(format!("{what}: {seconds:.1} s"));
                bar.inc(1);
            }
            None => eprintln!(
                "[{}/{}] {what}: {seconds:.1} s, ~{:.0} min left",
                self.done,
                self.total,
                left / 60.0
            ),
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        eprintln!(
            "{} rounds in {:.1} min",
            self.done,
            self.started.elapsed().as_secs_f64() / 60.0
        );
    }
}
