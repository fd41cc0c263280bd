//! Policy exports: packs with their versions and rules (published ones
//! with rules, a stale exported digest, PascalCase statuses), risk
//! profiles whose promoted content carries doubles, longs and decimals,
//! waivers in every status, and runs with explanations at the edges of
//! the runs' window, some explanations going with a run left out.

use bson::{Bson, doc};
use chrono::{DateTime, Utc};

use super::Generated;
use super::support::{Mode, at, days_ago, decimal, oid, uuid, window_edges};
use crate::export::Layout;

const TENANTS: [&str; 3] = ["acme", "acme-eu", "globex"];

pub fn exports(now: DateTime<Utc>, scale: usize) -> Vec<Generated> {
    let baseline = Bson::String("pol-baseline".into());
    let mut policies = vec![
        doc! {
            "_id": baseline.clone(), "tenantId": "acme", "name": "baseline",
            "description": "Blocks criticals; waivers by exception", "status": "Active",
            "activeVersion": 2, "createdBy": "alice", "createdAt": at("2019-05-06T07:08:09.123Z"),
            "updatedAt": days_ago(now, 3),
        },
        // The same name in a related tenant: another pack; no status, a draft.
        doc! {
            "_id": oid(40, 2), "tenantId": "acme-eu", "name": "baseline", "createdBy": "élodie",
            "createdAt": days_ago(now, 60),
        },
        doc! {
            "_id": uuid(4001), "tenantId": "globex", "name": "strict", "status": "deprecated",
            "description": null, "createdBy": "gus", "createdAt": at("1969-12-31T23:59:59.999Z"),
        },
    ];
    let mut revisions = vec![
        // Retired, with the digest the export computed some other way:
        // computed again from the source.
        doc! {
            "_id": oid(41, 1), "tenantId": "acme", "policyId": baseline.clone(), "version": 1,
            "status": "Retired", "source": "rule block_critical { when severity >= critical }",
            "compiled": { "rules": 1, "hash": Bson::Int64(9_007_199_254_740_993) },
            "digest": "md5:0cc175b9c0f1b6a831c399e269772661",
            "submittedBy": "alice", "approvedBy": "bob", "publishedAt": days_ago(now, 400),
            "createdAt": days_ago(now, 410),
        },
        // Published: its rules below are written into a published version.
        doc! {
            "_id": oid(41, 2), "tenantId": "acme", "policyId": baseline.clone(), "version": 2,
            "status": "published",
            "source": "rule block_critical {\r\n  when severity >= critical\r\n}\r\n# überprüft ✓\n",
            "compiled": { "rules": 2, "threshold": 7.5 }, "legacyChecksum": "crc:1234",
            "submittedBy": "alice", "approvedBy": "bob", "publishedAt": days_ago(now, 3),
            "createdAt": days_ago(now, 5),
        },
        doc! {
            "_id": oid(41, 3), "tenantId": "acme", "policyId": baseline.clone(), "version": 3,
            "status": "Draft", "source": "", "createdAt": days_ago(now, 1),
        },
        doc! {
            "_id": oid(41, 4), "tenantId": "acme-eu", "policyId": oid(40, 2), "version": 1,
            "status": "submitted", "source": "rule eu { when region == \"eu\" }",
            "submittedBy": "élodie", "createdAt": days_ago(now, 59),
        },
        doc! {
            "_id": uuid(4101), "tenantId": "globex", "policyId": uuid(4001), "version": 1,
            "status": "approved", "source": "rule strict { always block }",
            "submittedBy": "gus", "approvedBy": "hana", "createdAt": at("1970-01-01T00:00:00Z"),
        },
    ];
    let mut rules = vec![
        doc! {
            "_id": oid(42, 1), "tenantId": "acme", "revisionId": oid(41, 1),
            "ruleKey": "block_critical", "name": "Block criticals", "severity": "Critical",
            "action": "Block", "condition": { "severityAtLeast": "critical" }, "priority": 100,
            "createdAt": days_ago(now, 410),
        },
        doc! {
            "_id": oid(42, 2), "tenantId": "acme", "revisionId": oid(41, 2),
            "ruleKey": "block_critical", "name": "Block criticals", "severity": "critical",
            "action": "block", "condition": { "severityAtLeast": "critical" }, "priority": 100,
            "createdAt": days_ago(now, 5),
        },
        // PascalCase action, a negative priority, an unknown field carried.
        doc! {
            "_id": oid(42, 3), "tenantId": "acme", "revisionId": oid(41, 2),
            "ruleKey": "vex_for_high", "name": "Ask for VEX", "severity": "High",
            "action": "RequireVex", "condition": { "cvss": { "gte": 7.0 } }, "priority": -5,
            "owner": "team-sec", "createdAt": days_ago(now, 5),
        },
        // No priority (0), no condition ({}).
        doc! {
            "_id": oid(42, 4), "tenantId": "acme", "revisionId": oid(41, 3),
            "ruleKey": "note_low", "name": "Note lows", "severity": "low", "action": "warn",
            "createdAt": days_ago(now, 1),
        },
        doc! {
            "_id": uuid(4201), "tenantId": "globex", "revisionId": uuid(4101),
            "ruleKey": "always", "name": "Always block", "severity": "none", "action": "Escalate",
            "condition": {}, "priority": Bson::Int64(1_000_000),
            "createdAt": at("1970-01-01T00:00:00Z"),
        },
    ];
    for (t, tenant) in TENANTS.iter().enumerate() {
        for i in 0..scale * 100 {
            let n = (t * scale * 100 + i) as u32;
            policies.push(doc! {
                "_id": oid(40, 100 + n), "tenantId": *tenant, "name": format!("pack-{i:05}"),
                "status": "active", "activeVersion": 1, "createdBy": "seed",
                "createdAt": days_ago(now, (i % 700) as i64),
            });
            revisions.push(doc! {
                "_id": oid(41, 100 + n), "tenantId": *tenant, "policyId": oid(40, 100 + n),
                "version": 1, "status": "published", "source": format!("pack {i}"),
                "submittedBy": "seed", "approvedBy": "seed",
                "publishedAt": days_ago(now, (i % 700) as i64),
                "createdAt": days_ago(now, (i % 700) as i64),
            });
            for r in 0..2u32 {
                let (severity, action) = [("high", "block"), ("low", "warn")][r as usize];
                rules.push(doc! {
                    "_id": oid(42, 100 + 2 * n + r), "tenantId": *tenant,
                    "revisionId": oid(41, 100 + n), "ruleKey": format!("rule-{r}"),
                    "name": "rule", "severity": severity, "action": action, "priority": r as i32,
                    "createdAt": days_ago(now, (i % 700) as i64),
                });
            }
        }
    }

    let risk_profiles = vec![
        // Deprecated, with a hash the export computed its own way, doubles
        // (a whole one), a long and nested thresholds.
        doc! {
            "_id": oid(43, 1), "tenantId": "acme", "name": "default", "version": 1,
            "status": "Deprecated", "signals": ["cvss", "epss", { "name": "kev", "weight": 2.0 }],
            "weights": { "cvss": 0.6, "epss": 0.3, "kev": Bson::Int64(5_000_000_000) },
            "thresholds": { "block": { "score": 9.0 }, "warn": 4.5 },
            "contentHash": "sha1:not-ours", "createdAt": days_ago(now, 300),
            "updatedAt": days_ago(now, 30),
        },
        doc! {
            "_id": oid(43, 2), "tenantId": "acme", "name": "default", "version": 2,
            "status": "active", "signals": ["cvss", "epss", "kev"],
            "weights": { "cvss": 0.5, "epss": 0.25, "kev": 0.25 },
            "thresholds": { "block": 8.5 }, "overrides": { "CVE-2021-44228": "block" },
            "createdAt": days_ago(now, 30),
        },
        // A draft: no digest, content may still change.
        doc! {
            "_id": oid(43, 3), "tenantId": "acme", "name": "default", "version": 3,
            "weights": { "cvss": 1 }, "createdAt": days_ago(now, 1),
        },
        doc! {
            "_id": uuid(4301), "tenantId": "acme-eu", "name": "Standard-Risiko ü", "version": 1,
            "status": "Active", "signals": [], "weights": { "cvss": decimal("0.70") },
            "thresholds": { "warn": -1.5e-3 }, "createdAt": at("2000-02-29T12:00:00Z"),
        },
        doc! {
            "_id": "rp-globex", "tenantId": "globex", "name": "strict", "version": 1,
            "status": "active", "signals": ["cvss"], "weights": { "cvss": 1.0 },
            "thresholds": { "block": 0 }, "createdAt": days_ago(now, 900),
        },
    ];

    let exceptions = vec![
        // Approved, on one rule of a pack, with an unknown field carried.
        doc! {
            "_id": oid(44, 1), "tenantId": "acme", "name": "log4j in legacy", "policyId": baseline.clone(),
            "ruleKey": "block_critical", "scope": { "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1" },
            "status": "Approved", "reason": "isolated host", "requestedBy": "carol",
            "approvedBy": "bob", "approvedAt": days_ago(now, 10), "expiresAt": days_ago(now, -20),
            "ticket": "SEC-42", "createdAt": days_ago(now, 11),
        },
        // Tenant-wide, no status: proposed.
        doc! {
            "_id": oid(44, 2), "tenantId": "acme", "name": "freeze", "reason": "release week",
            "requestedBy": "dave", "expiresAt": at("9999-12-31T23:59:59.999Z"),
            "createdAt": days_ago(now, 2),
        },
        doc! {
            "_id": oid(44, 3), "tenantId": "acme-eu", "name": "old waiver", "policyId": oid(40, 2),
            "status": "expired", "reason": "was needed", "requestedBy": "élodie",
            "approvedBy": "frank", "approvedAt": days_ago(now, 400),
            "expiresAt": days_ago(now, 300), "createdAt": days_ago(now, 401),
        },
        doc! {
            "_id": oid(44, 4), "tenantId": "acme-eu", "name": "revoked", "status": "Revoked",
            "reason": "mistake", "requestedBy": "élodie", "expiresAt": days_ago(now, -5),
            "createdAt": days_ago(now, 7), "updatedAt": days_ago(now, 6),
        },
        doc! {
            "_id": uuid(4401), "tenantId": "globex", "name": "rejected ask", "policyId": uuid(4001),
            "ruleKey": "always", "status": "rejected", "reason": "no", "requestedBy": "gus",
            "expiresAt": at("1970-01-02T00:00:00Z"), "createdAt": at("1969-12-31T00:00:00Z"),
        },
    ];

    let hash = |n: u8| format!("sha256:{}", format!("{n:02x}").repeat(32));
    let mut runs = vec![
        // Queued long ago: kept whatever its age.
        doc! {
            "_id": oid(45, 1), "tenantId": "acme", "revisionId": oid(41, 1), "mode": "Full",
            "status": "queued", "inputDigest": hash(1), "createdAt": days_ago(now, 400),
        },
        doc! {
            "_id": oid(45, 2), "tenantId": "acme", "revisionId": oid(41, 2),
            "riskProfileId": oid(43, 2), "mode": "incremental", "status": "Running",
            "inputDigest": hash(2), "createdAt": days_ago(now, 1), "startedAt": days_ago(now, 1),
            "worker": "policy-engine-3",
        },
        doc! {
            "_id": uuid(4501), "tenantId": "globex", "revisionId": uuid(4101), "mode": "simulate",
            "status": "failed", "error": "input too large", "createdAt": days_ago(now, 4),
            "startedAt": days_ago(now, 4), "completedAt": days_ago(now, 4),
        },
    ];
    // Completed runs at the edge of the window: the oldest is left out
    // and its explanations with it.
    for (i, (label, created)) in window_edges(now, 30).into_iter().enumerate() {
        let i = i as u32;
        runs.push(doc! {
            "_id": oid(45, 10 + i), "tenantId": "acme", "revisionId": oid(41, 2),
            "riskProfileId": oid(43, 2), "mode": "full", "status": "completed",
            "inputDigest": hash(10 + i as u8), "determinismHash": hash(20 + i as u8),
            "findingsTotal": 3, "findingsChanged": Bson::Int64(1),
            "stats": { "edge": label, "millis": Bson::Int64(1234) },
            "createdAt": created.clone(), "startedAt": created.clone(), "completedAt": created,
        });
    }
    let mut explanations = Vec::new();
    for run in 0..3u32 {
        for (k, (finding, verdict, rule)) in [
            (
                "CVE-2021-44228@pkg:maven/log4j-core",
                "Fail",
                Some(oid(42, 2)),
            ),
            ("CVE-2023-0001@pkg:npm/left-pad", "warn", Some(oid(42, 3))),
            ("GHSA-xxxx-yyyy@pkg:pypi/requests", "pass", None),
        ]
        .into_iter()
        .enumerate()
        {
            let mut explanation = doc! {
                "_id": oid(46, run * 10 + k as u32), "tenantId": "acme", "runId": oid(45, 10 + run),
                "findingKey": finding, "verdict": verdict,
                "inputs": { "cvss": 9.8 }, "trace": ["block_critical", "vex_for_high"],
                "createdAt": days_ago(now, 1),
            };
            if let Some(rule) = rule {
                explanation.insert("ruleId", rule);
                explanation.insert("severity", "High");
            }
            explanations.push(explanation);
        }
    }
    explanations.push(doc! {
        "_id": oid(46, 99), "tenantId": "acme", "runId": oid(45, 2),
        "findingKey": "CVE-2024-0002@pkg:golang/x", "verdict": "deferred",
        "inputs": {}, "trace": [], "explainedBy": "engine 2.1", "createdAt": days_ago(now, 1),
    });
    for (t, tenant) in TENANTS.iter().enumerate() {
        for i in 0..scale * 100 {
            let n = (t * scale * 100 + i) as u32;
            let status = ["completed", "queued"][i % 2];
            runs.push(doc! {
                "_id": oid(45, 1000 + n), "tenantId": *tenant, "revisionId": oid(41, 100 + n),
                "mode": "full", "status": status,
                "inputDigest": hash((i % 200) as u8),
                "createdAt": days_ago(now, (i % 60) as i64),
            });
        }
    }

    let audit = vec![
        doc! {
            "_id": oid(47, 1), "tenantId": "acme", "category": "PackVersion", "action": "published",
            "entityId": "pol-baseline/2", "actor": "bob", "actorType": "User",
            "payload": { "version": 2 }, "occurredAt": days_ago(now, 3),
        },
        doc! {
            "_id": oid(47, 2), "tenantId": "acme-eu", "category": "exception", "action": "expired",
            "entityId": "old waiver", "actor": "policy-sweeper", "actorType": "system",
            "correlationId": "sweep-7", "occurredAt": at("2001-09-09T01:46:40Z"), "batch": 3,
        },
    ];

    vec![
        generated("policies", Layout::Ndjson, Mode::Relaxed, policies),
        generated(
            "policy_revisions",
            Layout::Array,
            Mode::Canonical,
            revisions,
        ),
        generated("policy_rules", Layout::Ndjson, Mode::Canonical, rules),
        generated(
            "risk_profiles",
            Layout::Ndjson,
            Mode::Relaxed,
            risk_profiles,
        ),
        generated(
            "policy_exceptions",
            Layout::Array,
            Mode::Relaxed,
            exceptions,
        ),
        generated("policy_runs", Layout::Ndjson, Mode::Canonical, runs),
        generated(
            "policy_explanations",
            Layout::Ndjson,
            Mode::Relaxed,
            explanations,
        ),
        generated("policy_audit", Layout::Ndjson, Mode::Canonical, audit),
    ]
}

fn generated(
    collection: &'static str,
    layout: Layout,
    mode: Mode,
    docs: Vec<bson::Document>,
) -> Generated {
    Generated {
        module: "policy",
        collection,
        layout,
        mode,
        docs,
    }
}
