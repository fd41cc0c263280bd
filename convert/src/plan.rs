//! The conversion of a whole folder of exports: every collection through
//! its converter, in order, with one clock.

use chrono::{DateTime, Utc};

use crate::catalog::Collection;
use crate::convert::{CollectionResult, Context, convert_collection};
use crate::export::{ExportFile, Exports};

/// Every exported collection, converted.
#[derive(Debug)]
pub struct Plan<'a> {
    /// The clock the tier windows were measured from.
    pub now: DateTime<Utc>,
    /// The folder the plan was made from: what it holds and what it lacks.
    pub exports: &'a Exports,
    pub collections: Vec<PlannedCollection<'a>>,
}

/// One collection's export and what its converter made of it.
#[derive(Debug)]
pub struct PlannedCollection<'a> {
    pub file: &'a ExportFile,
    pub result: CollectionResult,
}

impl PlannedCollection<'_> {
    pub fn collection(&self) -> &'static Collection {
        self.file.collection
    }
}

/// Converts every file of `exports`, measuring the windows from `now`.
pub fn plan(exports: &Exports, now: DateTime<Utc>) -> Plan<'_> {
    planted(exports, now, None)
}

/// The same with a planted bug (`crate::plant`): a test hook.
pub fn planted<'a>(
    exports: &'a Exports,
    now: DateTime<Utc>,
    plant: Option<&crate::plant::Plant>,
) -> Plan<'a> {
    let wider = plant.map_or_else(chrono::Duration::zero, |p| p.wider_windows());
    let mut cx = Context::new(now).with_wider_windows(wider);
    let collections = exports
        .files
        .iter()
        .map(|file| PlannedCollection {
            file,
            result: convert_collection(file.collection, &file.docs, &mut cx),
        })
        .collect();
    Plan {
        now,
        exports,
        collections,
    }
}

impl Plan<'_> {
    /// Documents that cannot be converted, over all collections.
    pub fn rejected(&self) -> usize {
        self.collections
            .iter()
            .map(|c| c.result.rejected.len())
            .sum()
    }
}
