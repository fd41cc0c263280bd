//! Policy's critical paths: one operation each, through the repositories.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use sha2::{Digest, Sha256};
use stellaops_storage::StorageError;
use stellaops_storage::page::PageRequest;
use stellaops_storage::policy::{EvaluationMode, EvaluationOutcome, NewEvaluation};
use uuid::Uuid;

use super::context::{Context, Operation, finish, seeded_uuid};
use crate::load::CriticalPath;
use crate::load::dataset::{EXPLANATIONS_PER_RUN, POLICY_VERSIONS, RULES_PER_VERSION};

/// Explanations per page.
pub const EXPLANATIONS_PAGE: i64 = 50;

/// The instant the active exceptions are asked for: mid-2026, when about
/// half the seeded approved exceptions with an end in 2026 still run.
pub fn exceptions_instant() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// `sha256:` and the hex digest of `text`, as the seeding SQL writes
/// `'sha256:' || encode(sha256(convert_to(text, 'UTF8')), 'hex')`.
pub fn seeded_digest(text: &str) -> String {
    format!("sha256:{:x}", Sha256::digest(text.as_bytes()))
}

impl Context {
    pub(super) async fn policy_operation(
        &self,
        path: CriticalPath,
        op: &Operation,
    ) -> Result<Option<Duration>, StorageError> {
        let (n, t, tenant) = (op.n, op.t, &op.tenant);
        let packs = u64::from(self.volume.packs_per_tenant.max(1));
        let pack = 1 + (n % packs);
        match path {
            CriticalPath::ActiveVersion => {
                let pack_id = seeded_uuid(&format!("pp/{t}/{pack}"));
                let started = Instant::now();
                let active = self.policy.versions.active_version(tenant, pack_id).await?;
                let took = finish(path, started);
                if active.is_none() {
                    return Err(StorageError::NotFound {
                        entity: "active pack version",
                    });
                }
                Ok(Some(took))
            }
            CriticalPath::RulesOfVersion => {
                let version = seeded_uuid(&format!("pv/{t}/{pack}/{POLICY_VERSIONS}"));
                let started = Instant::now();
                let rules = self.policy.rules.rules_of_version(tenant, version).await?;
                let took = finish(path, started);
                if rules.len() != RULES_PER_VERSION as usize {
                    return Err(StorageError::NotFound {
                        entity: "rule of the active version",
                    });
                }
                Ok(Some(took))
            }
            CriticalPath::ExceptionsActive => {
                let pack_id = seeded_uuid(&format!("pp/{t}/{pack}"));
                let rule_key = format!("rule-{:02}", n % u64::from(RULES_PER_VERSION));
                let started = Instant::now();
                let active = self
                    .policy
                    .exceptions
                    .active_exceptions(tenant, pack_id, &rule_key, exceptions_instant())
                    .await?;
                let took = finish(path, started);
                if active.is_empty() {
                    return Err(StorageError::NotFound {
                        entity: "active exception",
                    });
                }
                Ok(Some(took))
            }
            CriticalPath::EvaluationRecord => {
                // A replay of a seeded run: same version and inputs, the
                // same result, so the reproducibility check finds its match.
                let runs = u64::from(self.volume.evaluations_per_tenant.max(1));
                let r = 1 + (n / packs) % runs;
                let run_pack = 1 + r % packs;
                let new = NewEvaluation {
                    id: Uuid::from_u128(0x10ad_e000_0000_0000_0000_0000_0000_0000 | u128::from(n)),
                    pack_version_id: seeded_uuid(&format!("pv/{t}/{run_pack}/{POLICY_VERSIONS}")),
                    risk_profile_id: None,
                    mode: EvaluationMode::Full,
                    input_digest: seeded_digest(&format!("in/{t}/{r}")),
                };
                let outcome = EvaluationOutcome {
                    determinism_hash: seeded_digest(&format!("out/{t}/{r}")),
                    findings_total: (r % 100) as i32,
                    findings_changed: (r % 100 / 10) as i32,
                    stats: serde_json::json!({"n": r}),
                };
                let evaluations = &self.policy.evaluations;
                let started = Instant::now();
                evaluations.record_evaluation(tenant, &new).await?;
                evaluations.start_evaluation(tenant, new.id).await?;
                evaluations
                    .complete_evaluation(tenant, new.id, &outcome)
                    .await?;
                Ok(Some(finish(path, started)))
            }
            CriticalPath::ExplanationsPage => {
                let explained = u64::from(
                    self.volume
                        .explained_runs_per_tenant
                        .min(self.volume.evaluations_per_tenant)
                        .max(1),
                );
                let run = seeded_uuid(&format!("pe/{t}/{}", 1 + n % explained));
                let last_start = u64::from(EXPLANATIONS_PER_RUN) - EXPLANATIONS_PAGE as u64;
                let after = format!("finding-{:04}", (n / explained) % last_start);
                let page = PageRequest::after(EXPLANATIONS_PAGE, after);
                let started = Instant::now();
                let page = self
                    .policy
                    .explanations
                    .explanations_page(tenant, run, &page)
                    .await?;
                let took = finish(path, started);
                if page.items.len() as i64 != EXPLANATIONS_PAGE {
                    return Err(StorageError::NotFound {
                        entity: "explanation",
                    });
                }
                Ok(Some(took))
            }
            _ => Ok(None),
        }
    }
}
