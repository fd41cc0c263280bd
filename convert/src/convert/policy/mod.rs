//! Policy collections (conversion plan, section 3.2; design, section 10):
//! definitions and profiles in full, runs and their explanations by age.

pub mod audit;
pub mod evaluation_runs;
pub mod exceptions;
pub mod explanations;
pub mod pack_versions;
pub mod packs;
pub mod risk_profiles;
pub mod rules;
