//! Scheduler exports.

use bson::{Bson, doc};
use chrono::{DateTime, Utc};

use super::Generated;
use super::support::{Mode, at, days_ago, decimal, oid, window_edges};
use crate::export::Layout;

const TENANTS: [&str; 3] = ["acme", "acme-eu", "globex"];

pub fn exports(now: DateTime<Utc>, scale: usize) -> Vec<Generated> {
    let mut schedules = vec![
        doc! {
            "_id": "sch_nightly", "tenantId": "acme", "name": "nightly", "cronExpression": "0 2 * * *",
            "timezone": "Europe/Berlin", "mode": "AnalysisOnly",
            "selection": { "scope": "AllImages" }, "limits": { "maxJobs": Bson::Int64(10_000_000_000) },
            "nextFireAt": days_ago(now, -1), "lastFiredAt": days_ago(now, 0),
            "createdAt": at("2020-01-01T00:00:00Z"), "createdBy": "alice",
        },
        // A soft-deleted schedule and the live one that took its name.
        doc! {
            "_id": oid(10, 1), "tenantId": "globex", "name": "weekly", "cronExpression": "0 3 * * 1",
            "enabled": false, "createdAt": at("1999-12-31T23:59:59Z"), "createdBy": "carol",
            "deletedAt": days_ago(now, 50), "deletedBy": "carol",
        },
        doc! {
            "_id": oid(10, 2), "tenantId": "globex", "name": "weekly", "cronExpression": "0 4 * * 1",
            "mode": "ContentRefresh", "notify": { "onNewFindings": true },
            "createdAt": days_ago(now, 49), "createdBy": "carol", "updatedBy": "dave",
            "updatedAt": days_ago(now, 10),
        },
        doc! {
            "_id": oid(10, 3), "tenantId": "acme-eu", "name": "hourly", "cronExpression": "@hourly",
            "createdAt": days_ago(now, 400), "createdBy": "system",
        },
    ];
    for tenant in TENANTS {
        for i in 0..scale * 100 {
            let n = schedules.len() as u32 + 1;
            schedules.push(doc! {
                "_id": oid(10, n), "tenantId": tenant, "name": format!("schedule-{i:05}"),
                "cronExpression": format!("{} * * * *", i % 60),
                "createdAt": days_ago(now, (i % 700) as i64), "createdBy": "generator",
            });
        }
    }

    let mut runs = vec![
        doc! {
            "_id": oid(11, 1), "tenantId": "acme", "scheduleId": "sch_nightly", "trigger": "Cron",
            "state": "Completed", "stats": { "images": 120, "cost": decimal("0.0042") },
            "deltas": [ { "image": "registry/app:1", "new": 2 } ],
            "createdAt": days_ago(now, 3), "startedAt": days_ago(now, 3), "finishedAt": days_ago(now, 2),
            "scheduledFor": days_ago(now, 3),
        },
        // Older than 180 days: tier B leaves it out.
        doc! {
            "_id": oid(11, 2), "tenantId": "acme", "scheduleId": "sch_nightly", "trigger": "cron",
            "state": "completed", "createdAt": days_ago(now, 200),
        },
        doc! {
            "_id": oid(11, 3), "tenantId": "globex", "scheduleId": oid(10, 2), "trigger": "manual",
            "state": "running", "claimedBy": "worker-7", "attempt": 1, "priority": 5,
            "createdAt": days_ago(now, 1), "startedAt": days_ago(now, 1), "heartbeatAt": days_ago(now, 0),
            "dueAt": days_ago(now, 1),
        },
        // A run of the deleted schedule: the reference is kept (tier A keeps deleted schedules).
        doc! {
            "_id": oid(11, 4), "tenantId": "globex", "scheduleId": oid(10, 1), "trigger": "cron",
            "state": "error", "error": "registry timeout", "createdAt": days_ago(now, 60),
        },
    ];
    for (label, created) in window_edges(now, 180) {
        let n = runs.len() as u32 + 1;
        runs.push(doc! {
            "_id": oid(11, n), "tenantId": "acme-eu", "trigger": "manual", "state": "completed",
            "reason": { "edge": label }, "createdAt": created,
        });
    }
    for (t, tenant) in TENANTS.iter().enumerate() {
        for i in 0..scale * 100 {
            let n = runs.len() as u32 + 1;
            let schedule = 5 + (t * scale * 100 + i) as u32;
            runs.push(doc! {
                "_id": oid(11, n), "tenantId": *tenant, "scheduleId": oid(10, schedule),
                "trigger": "cron", "state": if i % 3 == 0 { "queued" } else { "completed" },
                "createdAt": days_ago(now, (i % 365) as i64),
            });
        }
    }

    let mut graph_jobs = vec![
        // Pending for a long time: still active, converted whatever its age.
        doc! {
            "_id": oid(12, 1), "tenantId": "acme", "kind": "Build", "status": "pending",
            "sbomId": "sbom-1", "sbomDigest": "sha256:1111", "trigger": "SbomVersion",
            "fencingToken": Bson::Int64(7), "createdAt": days_ago(now, 300),
        },
        // Finished long ago: left out.
        doc! {
            "_id": oid(12, 2), "tenantId": "acme", "kind": "overlay", "status": "completed",
            "sbomId": "sbom-2", "sbomDigest": "sha256:2222", "trigger": "backfill",
            "createdAt": days_ago(now, 90), "completedAt": days_ago(now, 89),
        },
        doc! {
            "_id": oid(12, 3), "tenantId": "globex", "kind": "build", "status": "completed",
            "sbomId": "sbom-3", "sbomVersionId": "v3", "sbomDigest": "sha256:3333",
            "graphSnapshotId": "snap-3", "trigger": "manual", "attempts": 2,
            "createdAt": days_ago(now, 5), "startedAt": days_ago(now, 5), "completedAt": days_ago(now, 4),
            "payload": { "nodes": Bson::Int64(123_456) }, "retryHint": "none",
        },
    ];

    let mut policy_jobs = vec![
        // Its run is outside the runs' window: the job stays, the run id is cleared.
        doc! {
            "_id": oid(13, 1), "tenantId": "acme", "runId": oid(11, 2), "policyPackId": "pack-a",
            "policyVersion": 3, "mode": "Full", "status": "queued", "createdAt": days_ago(now, 20),
        },
        doc! {
            "_id": oid(13, 2), "tenantId": "acme", "runId": oid(11, 1), "policyPackId": "pack-a",
            "policyVersion": Bson::Int64(4), "mode": "incremental", "status": "completed",
            "result": { "findings": 12, "score": decimal("7.5") }, "createdAt": days_ago(now, 3),
            "completedAt": days_ago(now, 2),
        },
        doc! {
            "_id": oid(13, 3), "tenantId": "globex", "policyPackId": "pack-g", "policyVersion": 1,
            "mode": "simulate", "status": "failed", "error": "pack not found", "createdAt": days_ago(now, 45),
        },
    ];

    let mut impact_snapshots = vec![
        doc! {
            "_id": oid(14, 1), "tenantId": "acme", "runId": oid(11, 1), "snapshotId": "impact-1",
            "selector": { "tags": ["prod"] }, "images": ["registry/app:1", "registry/db:2"],
            "generatedAt": days_ago(now, 3),
        },
        // Its run is outside the runs' window: it goes with the run (cascade).
        doc! {
            "_id": oid(14, 2), "tenantId": "acme", "runId": oid(11, 2), "snapshotId": "impact-2",
            "images": [], "generatedAt": days_ago(now, 30),
        },
        // Older than 90 days: left out.
        doc! {
            "_id": oid(14, 3), "tenantId": "globex", "snapshotId": "impact-3",
            "generatedAt": days_ago(now, 120),
        },
    ];

    // The edges of the windows: finished jobs 30 days, snapshots 90 days.
    for (label, created) in window_edges(now, 30) {
        let n = graph_jobs.len() as u32 + 1;
        graph_jobs.push(doc! {
            "_id": oid(12, n), "tenantId": "acme-eu", "kind": "build", "status": "completed",
            "sbomId": format!("sbom-edge-{n}"), "sbomDigest": "sha256:edge", "trigger": "manual",
            "payload": { "edge": label }, "createdAt": created.clone(),
        });
        let n = policy_jobs.len() as u32 + 1;
        policy_jobs.push(doc! {
            "_id": oid(13, n), "tenantId": "acme-eu", "policyPackId": "pack-edge", "policyVersion": 1,
            "mode": "full", "status": "cancelled", "inputs": { "edge": label }, "createdAt": created,
        });
    }
    for (label, generated_at) in window_edges(now, 90) {
        let n = impact_snapshots.len() as u32 + 1;
        impact_snapshots.push(doc! {
            "_id": oid(14, n), "tenantId": "acme-eu", "snapshotId": format!("impact-edge-{n}"),
            "selector": { "edge": label }, "generatedAt": generated_at,
        });
    }

    let locks = vec![
        doc! { "_id": "scheduler:due-poll", "holder": "scheduler-1", "expiresAt": days_ago(now, 0) },
        doc! { "_id": "scheduler:rescue", "holder": "scheduler-2", "expiresAt": days_ago(now, -1) },
    ];

    vec![
        generated("schedules", Layout::Ndjson, Mode::Relaxed, schedules),
        generated("runs", Layout::Ndjson, Mode::Canonical, runs),
        generated("graph_jobs", Layout::Array, Mode::Relaxed, graph_jobs),
        generated("policy_jobs", Layout::Ndjson, Mode::Relaxed, policy_jobs),
        generated(
            "impact_snapshots",
            Layout::Array,
            Mode::Canonical,
            impact_snapshots,
        ),
        generated("locks", Layout::Ndjson, Mode::Relaxed, locks),
    ]
}

fn generated(
    collection: &'static str,
    layout: Layout,
    mode: Mode,
    docs: Vec<bson::Document>,
) -> Generated {
    Generated {
        module: "scheduler",
        collection,
        layout,
        mode,
        docs,
    }
}
