//! Names of the databases the harness creates, and whose they are.
//!
//! A test database is `stellaops_test_<host>_<pid>_<start>_<seq>`: the host
//! hash, pid and process start time say which process owns it, so a later
//! run can tell the databases of dead runs from those of live ones.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use sha2::{Digest, Sha256};

pub const TEST_DB_PREFIX: &str = "stellaops_test_";
pub const TEMPLATE_PREFIX: &str = "stellaops_tpl_";
pub const TEMPLATE_BUILD_PREFIX: &str = "stellaops_tplbuild_";

/// The owner of a test database, as read back from its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub host: String,
    pub pid: u32,
    pub start: u64,
}

impl Owner {
    /// This process.
    pub fn current() -> &'static Owner {
        static CURRENT: OnceLock<Owner> = OnceLock::new();
        CURRENT.get_or_init(|| {
            let pid = std::process::id();
            Owner {
                host: host_hash(),
                pid,
                start: process_start(pid).unwrap_or(0),
            }
        })
    }

    /// Whether the owning process still runs (only answerable on its own host).
    pub fn is_alive(&self) -> bool {
        process_start(self.pid) == Some(self.start)
    }

    pub fn parse(db_name: &str) -> Option<Owner> {
        let rest = db_name.strip_prefix(TEST_DB_PREFIX)?;
        let mut parts = rest.split('_');
        let host = parts.next()?.to_owned();
        let pid = parts.next()?.parse().ok()?;
        let start = parts.next()?.parse().ok()?;
        parts.next()?.parse::<u32>().ok()?;
        Some(Owner { host, pid, start })
    }
}

/// A fresh name for a test database of this process.
pub fn next_test_db_name() -> String {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let owner = Owner::current();
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!(
        "{TEST_DB_PREFIX}{}_{}_{}_{seq}",
        owner.host, owner.pid, owner.start
    )
}

/// The template of a migration set on a server of a major version.
pub fn template_name(fingerprint: &str, major_version: u32) -> String {
    format!(
        "{TEMPLATE_PREFIX}{}",
        short_hash(&format!("{fingerprint}\0{major_version}"), 8)
    )
}

/// `"name"` with embedded quotes doubled: an identifier safe to put in SQL.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The first `bytes` bytes of `text`'s SHA-256, in hex: stable names and
/// keys (never a per-process hash).
pub fn short_hash(text: &str, bytes: usize) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(bytes)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `'text'` with embedded quotes doubled: a string literal safe to put in SQL.
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn host_hash() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    short_hash(host.trim(), 3)
}

/// Start time of `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat).
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_to_their_owner() {
        let name = next_test_db_name();
        assert!(
            name.len() < 64,
            "{name} exceeds PostgreSQL's identifier limit"
        );
        assert_eq!(Owner::parse(&name).as_ref(), Some(Owner::current()));
        assert!(Owner::current().is_alive());
        assert_eq!(Owner::parse("stellaops_tpl_abc"), None);
    }

    #[test]
    fn a_dead_owner_is_not_alive() {
        let mut owner = Owner::current().clone();
        owner.start += 1;
        assert!(!owner.is_alive());
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
