//! Notify collections (conversion plan, section 3.2; design, section 10):
//! configuration in full, history by age, locks fresh.

pub mod audit;
pub mod channels;
pub mod deliveries;
pub mod digests;
pub mod escalation_policies;
pub mod escalation_states;
pub mod inbox;
pub mod incidents;
pub mod maintenance_windows;
pub mod on_call_schedules;
pub mod quiet_hours;
pub mod rules;
pub mod templates;
