//! Where a run ran, saved with a baseline: two baselines from different
//! machines or servers compare only roughly, and the report says which
//! of these differ.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use stellaops_harness::Server;

use crate::load::LoadError;

/// Settings that change how fast the same work runs.
const SETTINGS: &[&str] = &[
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "random_page_cost",
    "fsync",
    "synchronous_commit",
    "full_page_writes",
    "jit",
    "max_connections",
    "shared_preload_libraries",
];

/// The environment of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub cpu: String,
    pub cores: usize,
    pub postgres: String,
    pub backend: String,
    pub settings: BTreeMap<String, String>,
    pub revision: String,
    pub dataset: String,
    /// The canary's select-only rate when the run was made, for putting
    /// two runs on one scale.
    pub canary_tps: Option<f64>,
}

impl Fingerprint {
    pub async fn collect(
        server: &Server,
        revision: &str,
        dataset: &str,
        canary_tps: Option<f64>,
    ) -> Result<Fingerprint, LoadError> {
        let mut admin = server.connect_admin().await?;
        let postgres: String = sqlx::query_scalar("SELECT version()")
            .fetch_one(&mut admin)
            .await
            .map_err(LoadError::db("reading the server version"))?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name = ANY($1) ORDER BY name",
        )
        .bind(SETTINGS)
        .fetch_all(&mut admin)
        .await
        .map_err(LoadError::db("reading the server settings"))?;
        Ok(Fingerprint {
            cpu: cpu_model(),
            cores: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            postgres,
            backend: server.kind.to_string(),
            settings: rows.into_iter().collect(),
            revision: revision.to_owned(),
            dataset: dataset.to_owned(),
            canary_tps,
        })
    }

    /// What differs from `other` beyond the revision and the canary (which
    /// are expected to): one line each.
    pub fn differences(&self, other: &Fingerprint) -> Vec<String> {
        let mut out = Vec::new();
        let mut field = |name: &str, a: &str, b: &str| {
            if a != b {
                out.push(format!("{name}: {a} vs {b}"));
            }
        };
        field("cpu", &self.cpu, &other.cpu);
        field("cores", &self.cores.to_string(), &other.cores.to_string());
        field("postgres", &self.postgres, &other.postgres);
        field("backend", &self.backend, &other.backend);
        field("dataset", &self.dataset, &other.dataset);
        let names: std::collections::BTreeSet<&String> =
            self.settings.keys().chain(other.settings.keys()).collect();
        for name in names {
            let a = self.settings.get(name).map_or("(unset)", String::as_str);
            let b = other.settings.get(name).map_or("(unset)", String::as_str);
            if a != b {
                out.push(format!("setting {name}: {a} vs {b}"));
            }
        }
        out
    }
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .and_then(|rest| rest.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint() -> Fingerprint {
        Fingerprint {
            cpu: "Test CPU".into(),
            cores: 2,
            postgres: "PostgreSQL 15.14".into(),
            backend: "local".into(),
            settings: [("work_mem".to_owned(), "4096kB".to_owned())].into(),
            revision: "abc".into(),
            dataset: "d1".into(),
            canary_tps: Some(10_000.0),
        }
    }

    #[test]
    fn names_what_differs_but_not_the_revision_or_canary() {
        let a = fingerprint();
        let mut b = fingerprint();
        b.revision = "def".into();
        b.canary_tps = Some(9_000.0);
        assert!(a.differences(&b).is_empty());
        b.cores = 8;
        b.settings.insert("work_mem".into(), "64MB".into());
        assert_eq!(
            a.differences(&b),
            vec!["cores: 2 vs 8", "setting work_mem: 4096kB vs 64MB"]
        );
    }
}
