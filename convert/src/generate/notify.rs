//! Notify exports: configuration (channels to audit) with PascalCase
//! types, quiet hours across midnight in named days and numbers, and
//! history at the edges of its windows, with references into documents
//! the windows leave out.

use bson::{Bson, doc};
use chrono::{DateTime, Utc};

use super::Generated;
use super::support::{Mode, at, days_ago, decimal, oid, uuid, window_edges};
use crate::export::Layout;

const TENANTS: [&str; 3] = ["acme", "acme-eu", "globex"];

pub fn exports(now: DateTime<Utc>, scale: usize) -> Vec<Generated> {
    let mut channels = vec![
        doc! {
            "_id": "chn-ops-email", "tenantId": "acme", "name": "ops email", "type": "Email",
            "config": { "to": ["ops@acme.test"], "smtpPort": 587 }, "credentialsRef": "vault:smtp",
            "createdAt": at("2021-03-04T05:06:07.891Z"),
        },
        // An unknown field: carried in config under _mongo.
        doc! {
            "_id": "chn-pager", "tenantId": "acme", "name": "pager", "type": "PagerDuty",
            "config": { "serviceKey": "redacted" }, "legacyRouting": { "tier": 2 },
            "createdAt": days_ago(now, 500), "updatedAt": days_ago(now, 2),
        },
        doc! {
            "_id": "chn-eu-slack", "tenantId": "acme-eu", "name": "ops email", "type": "slack",
            "enabled": false, "createdAt": days_ago(now, 40),
        },
        doc! {
            "_id": oid(20, 1), "tenantId": "globex", "name": "hooks", "type": "webhook",
            "config": { "url": "https://hooks.globex.test/n", "timeoutMs": Bson::Int64(1500) },
            "createdAt": at("1969-12-31T23:59:59.999Z"),
        },
    ];
    for tenant in TENANTS {
        for i in 0..scale * 100 {
            let n = channels.len() as u32 + 1;
            let channel_type = ["email", "slack", "teams", "webhook"][i % 4];
            channels.push(doc! {
                "_id": oid(20, n), "tenantId": tenant, "name": format!("channel-{i:05}"),
                "type": channel_type,
                "createdAt": days_ago(now, (i % 900) as i64),
            });
        }
    }
    // The ordinary channel `i` of `tenant`, when the scale made one.
    let channel_of = |t: usize, i: usize| oid(20, 5 + (t * scale * 100 + i) as u32);

    let templates = vec![
        doc! {
            "_id": oid(21, 1), "tenantId": "acme", "name": "finding", "channelType": "Email",
            "locale": "de-DE", "format": "Html", "subject": "Neue Befunde: {{count}}",
            "body": "<p>{{summary}}</p>", "createdAt": days_ago(now, 100),
        },
        // Same name, another channel type: another template.
        doc! {
            "_id": oid(21, 2), "tenantId": "acme", "name": "finding", "channelType": "slack",
            "body": "*{{count}}* new findings\n\t{{summary}}", "createdAt": days_ago(now, 100),
            "updatedAt": days_ago(now, 1),
        },
        doc! {
            "_id": oid(21, 3), "tenantId": "globex", "name": "raw", "channelType": "webhook",
            "format": "json", "body": "{\"event\": \"{{kind}}\"}", "createdAt": days_ago(now, 9),
        },
    ];

    let mut rules = vec![
        doc! {
            "_id": oid(22, 1), "tenantId": "acme", "name": "critical findings", "priority": 10,
            "eventKinds": ["scanner.report.ready", "policy.violation"],
            "filter": { "severity": { "$gte": "high" } }, "channelId": "chn-ops-email",
            "templateId": oid(21, 1), "throttleSeconds": Bson::Int64(300), "digest": "Hourly",
            "createdAt": days_ago(now, 80),
        },
        // No filter, an unknown field: carried in filter under _mongo.
        doc! {
            "_id": oid(22, 2), "tenantId": "acme", "name": "page on incidents", "enabled": false,
            "eventKinds": ["incident.opened"], "channelId": "chn-pager", "muteUntil": days_ago(now, -3),
            "createdAt": days_ago(now, 70),
        },
        doc! {
            "_id": oid(22, 3), "tenantId": "globex", "name": "all", "channelId": oid(20, 1),
            "templateId": oid(21, 3), "priority": -1.0, "createdAt": days_ago(now, 7),
        },
    ];
    for (t, tenant) in TENANTS.iter().enumerate() {
        for i in 0..scale * 100 {
            let n = rules.len() as u32 + 1;
            rules.push(doc! {
                "_id": oid(22, n), "tenantId": *tenant, "name": format!("rule-{i:05}"),
                "priority": (i % 20) as i32, "eventKinds": [format!("kind.{}", i % 7)],
                "channelId": channel_of(t, i), "createdAt": days_ago(now, (i % 400) as i64),
            });
        }
    }

    let escalation_policies = vec![
        doc! {
            "_id": oid(23, 1), "tenantId": "acme", "name": "sev1", "repeatCount": 2,
            "steps": [
                { "delaySeconds": 0, "channels": ["chn-pager"] },
                { "delaySeconds": 900, "channels": ["chn-ops-email", "chn-pager"], "weight": decimal("0.5") },
            ],
            "createdAt": days_ago(now, 200),
        },
        doc! {
            "_id": oid(23, 2), "tenantId": "globex", "name": "business hours", "enabled": false,
            "createdAt": days_ago(now, 3),
        },
    ];

    let on_call_schedules = vec![
        doc! {
            "_id": oid(24, 1), "tenantId": "acme", "name": "primary", "timezone": "America/New_York",
            "rotation": "Weekly", "participants": ["alice", "bob", "carol"],
            "overrides": [ { "user": "dave", "from": days_ago(now, 1), "to": days_ago(now, -1) } ],
            "createdAt": days_ago(now, 365),
        },
        doc! {
            "_id": oid(24, 2), "tenantId": "acme-eu", "name": "primary", "timezone": "Europe/Berlin",
            "rotation": "daily", "participants": ["émile"], "createdAt": days_ago(now, 30),
        },
    ];

    let quiet_hours = vec![
        // Across midnight, weekdays by name, on one channel.
        doc! {
            "_id": oid(25, 1), "tenantId": "acme", "name": "nights", "channelId": "chn-ops-email",
            "timezone": "Europe/Berlin", "daysOfWeek": ["Friday", "Monday", "tuesday", "WEDNESDAY", "Thursday"],
            "startsAt": "22:00", "endsAt": "06:30", "createdAt": days_ago(now, 60),
        },
        // Every day (no days listed), seconds and a fraction.
        doc! {
            "_id": oid(25, 2), "tenantId": "acme-eu", "name": "lunch", "startsAt": "12:00:00",
            "endsAt": "13:15:30.25", "enabled": false, "createdAt": days_ago(now, 6),
        },
        doc! {
            "_id": oid(25, 3), "tenantId": "globex", "name": "weekend", "timezone": "Australia/Lord_Howe",
            "daysOfWeek": [Bson::Int64(7), 6], "startsAt": "00:00", "endsAt": "23:59:59.999999",
            "createdAt": days_ago(now, 6),
        },
    ];

    let maintenance_windows = vec![
        doc! {
            "_id": oid(26, 1), "tenantId": "acme", "name": "db upgrade", "description": "PostgreSQL 16",
            "suppressedEventKinds": ["scanner.report.ready"], "startsAt": days_ago(now, -6),
            "endsAt": days_ago(now, -7), "createdBy": "alice", "createdAt": days_ago(now, 1),
        },
        // Long over: configuration converts in full.
        doc! {
            "_id": oid(26, 2), "tenantId": "globex", "name": "migration", "startsAt": at("2019-01-01T00:00:00Z"),
            "endsAt": at("2019-01-01T00:00:00.001Z"), "createdBy": "ops", "createdAt": at("2018-12-01T00:00:00Z"),
        },
    ];

    let mut incidents = vec![
        // Open for a long time: kept whatever its age.
        doc! {
            "_id": oid(27, 1), "tenantId": "acme", "correlationKey": "db-down", "title": "Database down",
            "severity": "Critical", "status": "Acknowledged", "escalationPolicyId": oid(23, 1),
            "eventCount": 14, "payload": { "host": "db-1" }, "openedAt": days_ago(now, 400),
            "acknowledgedAt": days_ago(now, 399), "acknowledgedBy": "bob",
        },
        // Resolved long ago: left out; the delivery and escalation below refer to it.
        doc! {
            "_id": oid(27, 2), "tenantId": "acme", "correlationKey": "db-down", "title": "Database down",
            "severity": "high", "status": "resolved", "escalationPolicyId": oid(23, 1),
            "openedAt": days_ago(now, 120), "resolvedAt": days_ago(now, 119), "resolvedBy": "carol",
        },
        doc! {
            "_id": oid(27, 3), "tenantId": "globex", "correlationKey": "cert-expiry", "title": "Certificate expires",
            "severity": "medium", "status": "open", "openedAt": days_ago(now, 2), "runbook": "rb-7",
        },
    ];
    for (label, opened) in window_edges(now, 90) {
        let n = incidents.len() as u32 + 1;
        incidents.push(doc! {
            "_id": oid(27, n), "tenantId": "acme-eu", "correlationKey": format!("edge-{n}"),
            "title": label, "severity": "low", "status": "resolved", "openedAt": opened.clone(),
            "resolvedAt": opened,
        });
    }

    let mut escalation_states = vec![
        doc! {
            "_id": oid(28, 1), "tenantId": "acme", "incidentId": oid(27, 1), "policyId": oid(23, 1),
            "status": "Active", "currentStep": 1, "repeatIteration": 1,
            "nextEscalationAt": days_ago(now, -1), "createdAt": days_ago(now, 400),
        },
        // Its incident was left out: it goes with it (cascade).
        doc! {
            "_id": oid(28, 2), "tenantId": "acme", "incidentId": oid(27, 2), "policyId": oid(23, 1),
            "status": "resolved", "createdAt": days_ago(now, 20),
        },
    ];
    for (label, created) in window_edges(now, 30) {
        let n = escalation_states.len() as u32 + 1;
        escalation_states.push(doc! {
            "_id": oid(28, n), "tenantId": "acme", "incidentId": oid(27, 1), "policyId": oid(23, 1),
            "status": "acknowledged", "acknowledgedAt": created.clone(), "acknowledgedBy": label,
            "createdAt": created,
        });
    }

    let mut deliveries = vec![
        doc! {
            "_id": oid(29, 1), "tenantId": "acme", "channelId": "chn-ops-email", "ruleId": oid(22, 1),
            "eventId": "evt-1", "recipient": "ops@acme.test", "status": "Delivered", "attempts": 1,
            "subject": "Neue Befunde: 3", "payload": { "count": 3 }, "externalId": "smtp-1",
            "createdAt": days_ago(now, 2), "sentAt": days_ago(now, 2), "deliveredAt": days_ago(now, 1),
            "idempotencyKey": "evt-1:ops",
        },
        // Pending for a long time: kept; its incident was left out, so the reference is cleared.
        doc! {
            "_id": oid(29, 2), "tenantId": "acme", "channelId": "chn-pager", "incidentId": oid(27, 2),
            "eventId": "evt-2", "recipient": "oncall", "status": "queued", "attempts": 2, "maxAttempts": 5,
            "nextAttemptAt": days_ago(now, 0), "lastError": "timeout\nretrying", "createdAt": days_ago(now, 100),
            "traceId": "00-abc-01",
        },
        doc! {
            "_id": oid(29, 3), "tenantId": "globex", "channelId": oid(20, 1), "ruleId": oid(22, 3),
            "incidentId": oid(27, 3), "eventId": "evt-3", "recipient": "https://hooks.globex.test/n",
            "status": "sending", "attempts": 1, "claimedBy": "notify-worker-2", "claimedAt": days_ago(now, 0),
            "createdAt": days_ago(now, 0),
        },
        // Sent long ago: left out.
        doc! {
            "_id": oid(29, 4), "tenantId": "acme", "channelId": "chn-ops-email", "eventId": "evt-4",
            "recipient": "ops@acme.test", "status": "sent", "createdAt": days_ago(now, 45),
        },
    ];
    for (label, created) in window_edges(now, 30) {
        let n = deliveries.len() as u32 + 1;
        deliveries.push(doc! {
            "_id": oid(29, n), "tenantId": "acme-eu", "channelId": "chn-eu-slack",
            "eventId": format!("edge-{n}"), "recipient": "#ops", "status": "failed", "attempts": 3,
            "failedAt": created.clone(), "lastError": label, "createdAt": created,
        });
    }
    for (t, tenant) in TENANTS.iter().enumerate() {
        for i in 0..scale * 100 {
            let n = deliveries.len() as u32 + 1;
            deliveries.push(doc! {
                "_id": oid(29, n), "tenantId": *tenant, "channelId": channel_of(t, i),
                "eventId": format!("event-{i:05}"), "recipient": "someone",
                "status": if i % 4 == 0 { "pending" } else { "delivered" },
                "idempotencyKey": format!("key-{i:05}"), "createdAt": days_ago(now, (i % 60) as i64),
            });
        }
    }

    let mut digests = vec![
        doc! {
            "_id": oid(30, 1), "tenantId": "acme", "channelId": "chn-ops-email", "recipient": "ops@acme.test",
            "digestKey": "rule:critical findings", "status": "Collecting",
            "events": [ { "id": "evt-5" }, { "id": "evt-6" } ],
            "windowStart": days_ago(now, 0), "windowEnd": days_ago(now, -1),
        },
        // Sent long ago: left out.
        doc! {
            "_id": oid(30, 2), "tenantId": "acme", "channelId": "chn-ops-email", "recipient": "ops@acme.test",
            "digestKey": "rule:critical findings", "status": "sent", "eventCount": 40,
            "windowStart": days_ago(now, 60), "windowEnd": days_ago(now, 59), "sentAt": days_ago(now, 59),
        },
    ];
    for (label, start) in window_edges(now, 30) {
        let n = digests.len() as u32 + 1;
        digests.push(doc! {
            "_id": oid(30, n), "tenantId": "globex", "channelId": oid(20, 1), "recipient": label,
            "digestKey": "daily", "status": "sent", "windowStart": start.clone(),
            "windowEnd": days_ago(now, 29), "createdAt": start,
        });
    }

    let mut inbox = vec![
        doc! {
            "_id": oid(31, 1), "tenantId": "acme", "userId": uuid(1), "eventId": "evt-1",
            "title": "3 new findings", "body": "See the report", "severity": "High",
            "payload": { "report": "r-1" }, "createdAt": days_ago(now, 2), "readAt": days_ago(now, 1),
        },
        doc! {
            "_id": oid(31, 2), "tenantId": "acme", "userId": uuid(2), "eventId": "evt-1",
            "title": "3 new findings", "createdAt": days_ago(now, 2), "pinned": true,
        },
    ];
    for (label, created) in window_edges(now, 90) {
        let n = inbox.len() as u32 + 1;
        inbox.push(doc! {
            "_id": oid(31, n), "tenantId": "acme-eu", "userId": uuid(3), "eventId": format!("edge-{n}"),
            "title": label, "archivedAt": created.clone(), "createdAt": created,
        });
    }
    for (t, tenant) in TENANTS.iter().enumerate() {
        for i in 0..scale * 100 {
            let n = inbox.len() as u32 + 1;
            inbox.push(doc! {
                "_id": oid(31, n), "tenantId": *tenant, "userId": uuid(100 + t as u128),
                "eventId": format!("event-{i:05}"), "title": "message",
                "createdAt": days_ago(now, (i % 120) as i64),
            });
        }
    }

    let audit = vec![
        doc! {
            "_id": oid(32, 1), "tenantId": "acme", "category": "channel", "action": "created",
            "entityId": "chn-pager", "actor": "alice", "actorType": "User",
            "payload": { "name": "pager" }, "occurredAt": days_ago(now, 500),
        },
        doc! {
            "_id": oid(32, 2), "tenantId": "acme", "category": "delivery", "action": "failed",
            "entityId": "evt-2", "actor": "notify-worker-1", "actorType": "service",
            "correlationId": "corr-9", "occurredAt": at("2001-09-09T01:46:40Z"), "attempt": 2,
        },
    ];

    let locks = vec![
        doc! { "_id": "notify:delivery-worker", "holder": "notify-1", "expiresAt": days_ago(now, 0) },
    ];

    vec![
        generated("channels", Layout::Ndjson, Mode::Relaxed, channels),
        generated("templates", Layout::Array, Mode::Canonical, templates),
        generated("rules", Layout::Ndjson, Mode::Canonical, rules),
        generated(
            "escalation_policies",
            Layout::Ndjson,
            Mode::Relaxed,
            escalation_policies,
        ),
        generated(
            "on_call_schedules",
            Layout::Array,
            Mode::Relaxed,
            on_call_schedules,
        ),
        generated("quiet_hours", Layout::Ndjson, Mode::Canonical, quiet_hours),
        generated(
            "maintenance_windows",
            Layout::Ndjson,
            Mode::Relaxed,
            maintenance_windows,
        ),
        generated("incidents", Layout::Array, Mode::Canonical, incidents),
        generated(
            "escalation_states",
            Layout::Ndjson,
            Mode::Relaxed,
            escalation_states,
        ),
        generated("deliveries", Layout::Ndjson, Mode::Canonical, deliveries),
        generated("digests", Layout::Array, Mode::Relaxed, digests),
        generated("inbox", Layout::Ndjson, Mode::Relaxed, inbox),
        generated("audit", Layout::Ndjson, Mode::Canonical, audit),
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
        module: "notify",
        collection,
        layout,
        mode,
        docs,
    }
}
