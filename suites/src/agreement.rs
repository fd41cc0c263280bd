//! What every module's model and determinism tests share, written once
//! over [`ModuleStorage`]: the module on PostgreSQL and in memory on one
//! stubbed clock, a call answered alike by both, and the same rows in any
//! order giving the same bytes on every plan and on the reference.

use std::fmt::Debug;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sha2::{Digest, Sha256};
use stellaops_harness::TestDb;
use stellaops_storage::{ManualClock, ModuleStorage};

use crate::sources::{PERTURBED_PLANS, data_source, perturbed};

/// A module on both backends, one clock, and the runtime that drives them
/// (the state machine of a model test owns it between steps).
#[derive(Debug)]
pub struct BothBackends<M> {
    runtime: tokio::runtime::Runtime,
    _db: TestDb,
    pub postgres: M,
    pub memory: M,
    pub clock: Arc<ManualClock>,
}

impl<M: ModuleStorage> BothBackends<M> {
    /// A fresh database for the PostgreSQL side; the clock at `epoch`.
    pub fn start(epoch: DateTime<Utc>) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the model test");
        let clock = Arc::new(ManualClock::at(epoch));
        let (db, postgres) = runtime.block_on(async {
            let db = TestDb::new().await.expect("test database");
            let source = data_source(&db).await;
            let postgres = M::postgres(source, clock.clone());
            (db, postgres)
        });
        BothBackends {
            runtime,
            _db: db,
            postgres,
            memory: M::memory(clock.clone()),
            clock,
        }
    }

    /// Runs `setup` on each backend in turn.
    pub fn on_both(&self, setup: impl AsyncFn(&M)) {
        self.runtime.block_on(async {
            setup(&self.postgres).await;
            setup(&self.memory).await;
        });
    }

    /// Runs `call` on each backend and fails, naming `what`, when their
    /// answers differ.
    pub fn agree<T: PartialEq + Debug>(
        &self,
        what: &dyn Debug,
        call: impl AsyncFn(&M, &ManualClock) -> T,
    ) {
        let (on_postgres, on_memory) = self.runtime.block_on(async {
            (
                call(&self.postgres, &self.clock).await,
                call(&self.memory, &self.clock).await,
            )
        });
        assert_eq!(
            on_postgres, on_memory,
            "the backends answer {what:?} differently"
        );
    }
}

/// Generates rows and a shuffle of them, `cases` times, and runs `check`
/// on each pair inside one runtime.
pub fn in_any_order<R: Clone + Debug>(
    rows: impl Strategy<Value = Vec<R>>,
    cases: u32,
    check: impl AsyncFn(Vec<R>, Vec<R>) -> Result<(), TestCaseError>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the determinism test");
    let strategy = rows.prop_flat_map(|rows| {
        let shuffled = Just(rows.clone()).prop_shuffle();
        (Just(rows), shuffled)
    });
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let outcome = runner.run(&strategy, |(rows, shuffled)| {
        runtime.block_on(check(rows, shuffled))
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

/// The same rows, inserted in two orders into two fresh databases and in
/// the shuffled order into the memory backend, read back as bytes: every
/// reading (each order, each perturbed plan, the reference) must be the
/// same bytes.
pub async fn same_bytes_in_any_order<M: ModuleStorage, R: ?Sized>(
    clock: &Arc<ManualClock>,
    rows: &R,
    shuffled: &R,
    insert: impl AsyncFn(&M, &R),
    read: impl AsyncFn(&M) -> Vec<u8>,
) -> Result<(), TestCaseError> {
    let mut outputs = Vec::new();
    // Kept to the end: a database dropped early would be swept mid-test.
    let mut dbs = Vec::new();
    for order in [rows, shuffled] {
        let db = TestDb::new().await.expect("test database");
        let postgres = M::postgres(data_source(&db).await, clock.clone());
        insert(&postgres, order).await;
        let bytes = read(&postgres).await;
        for settings in PERTURBED_PLANS {
            let replanned = M::postgres(perturbed(&db, settings).await, clock.clone());
            let again = read(&replanned).await;
            prop_assert_eq!(
                Sha256::digest(&again),
                Sha256::digest(&bytes),
                "plan {:?}",
                settings
            );
        }
        outputs.push(bytes);
        dbs.push(db);
    }
    let memory = M::memory(clock.clone());
    insert(&memory, shuffled).await;
    outputs.push(read(&memory).await);
    prop_assert!(
        outputs[0] == outputs[1],
        "insertion order changed the output: {}",
        first_difference(&outputs[0], &outputs[1])
    );
    prop_assert!(
        outputs[0] == outputs[2],
        "postgres and the reference differ: {}",
        first_difference(&outputs[0], &outputs[2])
    );
    Ok(())
}

/// Where two outputs part, with a little of each around it (they are
/// text, JSON mostly; a dump of both would bury the difference).
fn first_difference(left: &[u8], right: &[u8]) -> String {
    let at = left
        .iter()
        .zip(right)
        .position(|(a, b)| a != b)
        .unwrap_or(left.len().min(right.len()));
    let window = |bytes: &[u8]| {
        let start = at.saturating_sub(60);
        let end = (at + 60).min(bytes.len());
        String::from_utf8_lossy(&bytes[start..end]).into_owned()
    };
    format!(
        "at byte {at} of {} and {}: …{}… against …{}…",
        left.len(),
        right.len(),
        window(left),
        window(right)
    )
}
