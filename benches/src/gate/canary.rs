//! The noise canary: a short `pgbench` select-only run before each side of
//! each round, on a small database of its own. The code under test does
//! not touch it, so when its rate moves between the two sides of a round,
//! the machine moved, not the code.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use stellaops_harness::naming::Owner;
use stellaops_harness::{Server, pool, sweep};

use super::GateError;
use crate::load::SEEDED_PREFIX;

/// A canary ready to measure: pgbench and its initialized database.
#[derive(Debug)]
pub struct Canary {
    pgbench: PathBuf,
    url: String,
    pub database: String,
    pub seconds: u32,
}

impl Canary {
    /// Finds pgbench (next to the server's binaries, then PATH), creates
    /// the canary's database and initializes it (scale 1).
    pub async fn prepare(server: &Server, seconds: u32) -> Result<Canary, GateError> {
        let pgbench = find_pgbench(server).ok_or_else(|| {
            GateError::Canary(
                "pgbench not found (PostgreSQL's client tools, e.g. Debian's postgresql-client)"
                    .into(),
            )
        })?;
        let owner = Owner::current();
        let database = format!(
            "{SEEDED_PREFIX}canary_{}_{}_{}",
            owner.host, owner.pid, owner.start
        );
        let mut admin = server
            .connect_admin()
            .await
            .map_err(crate::load::LoadError::from)?;
        let _ = sweep::drop_database(&mut admin, &database).await;
        pool::create_database(server, &mut admin, None, &database)
            .await
            .map_err(crate::load::LoadError::from)?;
        let canary = Canary {
            pgbench,
            url: server.database_url(&database),
            database,
            seconds,
        };
        canary.pgbench(&["-i", "-s", "1", "-q"], Duration::from_secs(120))?;
        Ok(canary)
    }

    /// Transactions per second of a select-only run of `transactions`
    /// transactions with one client: a few tens of milliseconds, taken
    /// right before a side's turn.
    pub fn measure_short(&self, transactions: u32) -> Result<f64, GateError> {
        let count = transactions.max(1).to_string();
        let output = self.pgbench(
            &["-n", "-S", "-c", "1", "-j", "1", "-t", &count],
            Duration::from_secs(60),
        )?;
        parse_tps(&output).ok_or_else(|| {
            GateError::Canary(format!("no tps in pgbench's output: {}", output.trim()))
        })
    }

    /// Transactions per second of a select-only run of `seconds` with one client.
    pub fn measure(&self) -> Result<f64, GateError> {
        let seconds = self.seconds.to_string();
        let output = self.pgbench(
            &["-n", "-S", "-c", "1", "-j", "1", "-T", &seconds],
            Duration::from_secs(u64::from(self.seconds) + 60),
        )?;
        parse_tps(&output).ok_or_else(|| {
            GateError::Canary(format!("no tps in pgbench's output: {}", output.trim()))
        })
    }

    /// Drops the canary's database.
    pub async fn drop_now(self, server: &Server) -> Result<(), GateError> {
        let mut admin = server
            .connect_admin()
            .await
            .map_err(crate::load::LoadError::from)?;
        sweep::drop_database(&mut admin, &self.database)
            .await
            .map_err(crate::load::LoadError::from)?;
        Ok(())
    }

    /// Runs pgbench with `args`, killed after `limit`; its stdout.
    fn pgbench(&self, args: &[&str], limit: Duration) -> Result<String, GateError> {
        let mut child = Command::new(&self.pgbench)
            .args(args)
            .arg(&self.url)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| GateError::Canary(format!("starting {}: {e}", self.pgbench.display())))?;
        let deadline = std::time::Instant::now() + limit;
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(GateError::Canary(format!(
                        "pgbench {} did not finish within {} s",
                        args.join(" "),
                        limit.as_secs()
                    )));
                }
            }
        }
        let output = child
            .wait_with_output()
            .map_err(|e| GateError::Canary(format!("reading pgbench: {e}")))?;
        if !output.status.success() {
            return Err(GateError::Canary(format!(
                "pgbench {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

fn find_pgbench(server: &Server) -> Option<PathBuf> {
    let beside = stellaops_harness::backend::local::find_bin_dir(&server.settings)
        .ok()
        .map(|dir| dir.join("pgbench"))
        .filter(|p| p.is_file());
    beside.or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("pgbench"))
                .find(|p| p.is_file())
        })
    })
}

/// The rate of pgbench's summary: `tps = 12345.678901 (without initial
/// connection time)` (PostgreSQL 14 and later print one such line).
fn parse_tps(output: &str) -> Option<f64> {
    output
        .lines()
        .rev()
        .filter_map(|line| line.trim().strip_prefix("tps = "))
        .find_map(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pgbench_summaries() {
        let summary = "transaction type: <builtin: select only>\n\
            latency average = 0.061 ms\n\
            initial connection time = 2.123 ms\n\
            tps = 16393.442623 (without initial connection time)\n";
        assert_eq!(parse_tps(summary), Some(16393.442623));
        assert_eq!(parse_tps("pgbench: error: connection refused"), None);
    }
}
