//! What each exported collection must become, declared: every source field
//! mapped to its column with a type and a default, carried into a jsonb
//! column under `_mongo`, or dropped on purpose with the reason; which
//! documents the tier keeps; what a reference does when its target is not
//! there. The source check (`verify::source`) reads only these and the
//! export files, never the converters: a converter bug cannot hide on both
//! sides of the comparison.

pub mod authority;
mod declaration;
pub mod notify;
pub mod policy;
pub mod scheduler;
mod trail;

pub use declaration::{
    Column, Default, From, Hashed, Keep, Kind, Mapping, Reference, field, hashed, id, nothing,
};
pub use trail::TRAIL_COLUMNS;

/// Every declared collection, in conversion order (a collection after
/// those its references point into).
pub fn all() -> Vec<&'static Mapping> {
    let mut all: Vec<&'static Mapping> = authority::MAPPINGS.to_vec();
    all.extend(scheduler::MAPPINGS);
    all.extend(notify::MAPPINGS);
    all.extend(policy::MAPPINGS);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_converted_collection_is_declared_once_in_conversion_order() {
        let converted: Vec<(&str, String)> = crate::catalog::COLLECTIONS
            .iter()
            .filter(|c| c.converter.is_some())
            .filter_map(|c| c.table.map(|t| (c.name, t.qualified())))
            .collect();
        let declared: Vec<(&str, String)> = all()
            .iter()
            .map(|m| (m.collection, m.table.to_owned()))
            .collect();
        assert_eq!(declared, converted);
    }

    #[test]
    fn declared_collection_names_are_unique_across_modules() {
        // References and row ids name a collection without its module.
        let mut names: Vec<&str> = all().iter().map(|m| m.collection).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "a collection name is declared twice");
    }
}
