//! The converters, one per collection, and what they share.

pub mod authority;
mod context;
mod conversion;
pub mod extjson;
mod fields;
pub mod notify;
pub mod policy;
pub mod scheduler;
mod trail;
mod values;

pub use context::{Context, Fate, OnSkipped, Reference, Target};
pub use conversion::{
    CollectionResult, Conversion, ConvertedRow, Converter, LeftOut, convert_collection,
};
pub use fields::{Fields, MONGO_EXTRAS, Reject, json};
pub use values::{opt_text, opt_time, opt_uuid};
