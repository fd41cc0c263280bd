//! Locks across notify workers (`notify.locks`, global): fenced leases, as
//! the scheduler's.

use std::sync::Arc;

use crate::error::Constraint;
use crate::lease::{LEASE_COLUMNS, LeaseStatements, Leases, lease_statements};
use crate::table::Table;
use crate::{Clock, DataSource};

static STATEMENTS: LeaseStatements = lease_statements!("notify.locks");

pub(crate) const LOCKS: Table = Table {
    name: "notify.locks",
    entity: "lease",
    columns: LEASE_COLUMNS,
    by_id: None,
    unread: &[],
    constraints: &[("locks_pkey", Constraint::Unique("lock key"))],
};

/// Notify's leases (the delivery and escalation workers' singletons), on
/// PostgreSQL: what they promise is what PostgreSQL's row locks do.
pub fn notify_locks(source: DataSource, clock: Arc<dyn Clock>) -> Leases {
    Leases::new(source, clock, &LOCKS, &STATEMENTS)
}
