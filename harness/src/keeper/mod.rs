//! The keeper: a detached process per server that keeps every test's
//! database work off the test's path.
//!
//! A test process asks the keeper over a Unix socket for a database
//! (`take`), and hands it back when the test passed (`return`) or keeps it
//! when it failed (`keep`). The keeper renames a pre-cloned database to the
//! test's name, refills the pool while tests run, drops returned databases
//! and sweeps those of dead runs. A test process therefore pays one socket
//! round trip at each end instead of an admin login, a clone and a drop
//! (IntegreSQL's daemon, without a port or a container).
//!
//! Without a keeper (none running yet, its binary not built, or
//! `STELLAOPS_PG_KEEPER=off`) a test process does the same work itself on
//! the verified path; the first such process launches one for the next.

mod client;
mod daemon;
mod launch;
mod paths;
mod protocol;

pub use client::{KeeperUnavailable, request, request_blocking};
pub use daemon::run;
pub use launch::{Launch, find_binary, keeper_lock_held, launch};
pub use paths::KeeperPaths;
pub use protocol::{PROTOCOL, Reply, Request};
