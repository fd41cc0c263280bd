//! Timings in microseconds, taken by the scenarios themselves: goose
//! records whole milliseconds (its request and transaction times are
//! truncated `u64` milliseconds), so a sub-millisecond path would read as
//! zero there.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::CriticalPath;

/// Every operation's time per path, the span from the first operation's
/// start to the last one's end (throughput without goose's start-up), and
/// the first error of each path.
#[derive(Debug, Default)]
pub struct Recorder {
    samples: Mutex<BTreeMap<CriticalPath, Vec<f64>>>,
    spans: Mutex<BTreeMap<CriticalPath, (Instant, Instant)>>,
    errors: Mutex<BTreeMap<CriticalPath, (u64, String)>>,
}

/// Per path: samples in µs, (error count, first error), busy span.
pub type Taken = (
    BTreeMap<CriticalPath, Vec<f64>>,
    BTreeMap<CriticalPath, (u64, String)>,
    BTreeMap<CriticalPath, Duration>,
);

impl Recorder {
    pub fn record(&self, path: CriticalPath, took: Duration) {
        let end = Instant::now();
        let start = end - took;
        let mut samples = self.samples.lock().unwrap_or_else(|p| p.into_inner());
        samples
            .entry(path)
            .or_default()
            .push(took.as_secs_f64() * 1e6);
        drop(samples);
        let mut spans = self.spans.lock().unwrap_or_else(|p| p.into_inner());
        let span = spans.entry(path).or_insert((start, end));
        span.0 = span.0.min(start);
        span.1 = span.1.max(end);
    }

    pub fn error(&self, path: CriticalPath, message: String) {
        let mut errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        let entry = errors.entry(path).or_insert((0, message));
        entry.0 += 1;
    }

    pub fn take(&self) -> Taken {
        let samples = std::mem::take(&mut *self.samples.lock().unwrap_or_else(|p| p.into_inner()));
        let errors = std::mem::take(&mut *self.errors.lock().unwrap_or_else(|p| p.into_inner()));
        let spans = std::mem::take(&mut *self.spans.lock().unwrap_or_else(|p| p.into_inner()));
        let busy = spans
            .into_iter()
            .map(|(path, (start, end))| (path, end - start))
            .collect();
        (samples, errors, busy)
    }
}

/// What one path did in one run: counts and latency percentiles in µs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathStats {
    pub path: String,
    pub operations: u64,
    pub errors: u64,
    pub mean_micros: f64,
    pub p50_micros: f64,
    pub p95_micros: f64,
    pub p99_micros: f64,
    pub max_micros: f64,
    /// Operations per second from the first operation's start to the last
    /// one's end.
    pub throughput: f64,
    pub busy_secs: f64,
    /// What the server did for the path, when it was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work: Option<super::work::PathWork>,
}

impl PathStats {
    pub fn from_samples(
        path: CriticalPath,
        mut samples: Vec<f64>,
        errors: u64,
        busy: Duration,
    ) -> Self {
        samples.sort_by(f64::total_cmp);
        let at = |p| crate::rounds::percentile(&samples, p).unwrap_or(f64::NAN);
        let operations = samples.len() as u64;
        PathStats {
            path: path.name().to_owned(),
            operations,
            errors,
            mean_micros: if samples.is_empty() {
                f64::NAN
            } else {
                samples.iter().sum::<f64>() / samples.len() as f64
            },
            p50_micros: at(0.5),
            p95_micros: at(0.95),
            p99_micros: at(0.99),
            max_micros: samples.last().copied().unwrap_or(f64::NAN),
            throughput: operations as f64 / busy.as_secs_f64().max(1e-9),
            busy_secs: busy.as_secs_f64(),
            work: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_millisecond_work_keeps_its_microseconds() {
        let recorder = Recorder::default();
        for micros in [180, 220, 250, 900] {
            recorder.record(CriticalPath::DuePoll, Duration::from_micros(micros));
        }
        let (mut samples, _, busy) = recorder.take();
        assert!(busy[&CriticalPath::DuePoll] >= Duration::from_micros(900));
        let stats = PathStats::from_samples(
            CriticalPath::DuePoll,
            samples.remove(&CriticalPath::DuePoll).unwrap(),
            0,
            Duration::from_millis(2),
        );
        assert_eq!(stats.p50_micros, 220.0);
        assert_eq!(stats.max_micros, 900.0);
        assert_eq!(stats.operations, 4);
        assert_eq!(stats.throughput, 2000.0);
    }
}
