//! Authority exports.

use bson::{Bson, doc};
use chrono::{DateTime, Utc};

use super::Generated;
use super::support::{Mode, at, binary, days_ago, decimal, oid, uuid, window_edges};
use crate::export::Layout;

const TENANTS: [&str; 3] = ["acme", "acme-eu", "globex"];

pub fn exports(now: DateTime<Utc>, scale: usize) -> Vec<Generated> {
    let mut tenants = Vec::new();
    for (i, code) in TENANTS.iter().enumerate() {
        let mut d = doc! {
            "_id": oid(0, i as u32 + 1),
            "code": *code,
            "displayName": format!("{code} corp"),
            "createdAt": at("2019-03-01T08:00:00Z"),
        };
        if i == 0 {
            d.insert("status", "Active");
            d.insert(
                "settings",
                doc! { "mfa": true, "seatLimit": Bson::Int64(5_000_000_000) },
            );
            d.insert("updatedAt", at("2026-01-01T00:00:00Z"));
        }
        tenants.push(d);
    }

    let mut users = vec![
        // Two users whose names differ only in case: both are kept.
        doc! {
            "_id": oid(1, 1), "tenantId": "acme", "subjectId": uuid(1), "username": "alice",
            "email": "alice@acme.test", "displayName": "Alice A.",
            "passwordHash": binary(b"$argon2id$v=19$alice"), "status": "Active",
            "failedLoginCount": Bson::Int64(3), "lastLoginAt": days_ago(now, 2),
            "attributes": { "department": "R&D", "badge": Bson::Int64(9_007_199_254_740_993) },
            "createdAt": at("1969-07-20T20:17:40.123Z"), "updatedAt": days_ago(now, 2),
            // A field the schema does not know: carried into attributes._mongo.
            "legacyLdapDn": "cn=alice,ou=people,dc=acme",
        },
        doc! {
            "_id": oid(1, 2), "tenantId": "acme", "subjectId": uuid(2), "username": "Alice",
            "email": "alice.two@acme.test", "status": "disabled",
            "createdAt": at("2020-05-05T05:05:05Z"),
        },
        // The same name in NFC and in NFD: two different byte strings, two users.
        doc! {
            "_id": oid(1, 3), "tenantId": "acme", "subjectId": uuid(3), "username": "zo\u{eb}",
            "displayName": "Zo\u{eb} (NFC)", "createdAt": at("2021-01-01T00:00:00Z"),
        },
        doc! {
            "_id": oid(1, 4), "tenantId": "acme", "subjectId": uuid(4), "username": "zoe\u{308}",
            "displayName": "Zoe\u{308} (NFD)", "createdAt": at("2021-01-01T00:00:01Z"),
        },
        doc! {
            "_id": oid(1, 5), "tenantId": "acme", "subjectId": uuid(5), "username": "\u{7528}\u{6237}",
            "createdAt": at("2022-02-22T22:22:22.222Z"), "status": "Locked",
            "failedLoginCount": 5,
        },
        doc! {
            "_id": oid(1, 6), "tenantId": "acme-eu", "subjectId": uuid(6), "username": "alice",
            "email": "alice@acme.eu", "createdAt": at("2023-03-03T03:03:03Z"),
        },
        doc! {
            "_id": oid(1, 7), "tenantId": "acme-eu", "subjectId": uuid(7), "username": "\u{c9}mile \u{1f680}",
            "createdAt": at("2024-04-04T04:04:04Z"), "deletedAt": days_ago(now, 10), "status": "deleted",
        },
        // Only the required fields.
        doc! {
            "_id": oid(1, 8), "tenantId": "globex", "subjectId": uuid(8), "username": "carol",
            "createdAt": at("2018-08-08T08:08:08Z"),
        },
    ];
    for tenant in TENANTS {
        for i in 0..scale * 100 {
            let n = users.len() as u32 + 1;
            users.push(doc! {
                "_id": oid(1, n), "tenantId": tenant, "subjectId": uuid(u128::from(n)),
                "username": format!("user-{i:05}"), "email": format!("user-{i}@{tenant}.test"),
                "failedLoginCount": (i % 4) as i32, "createdAt": days_ago(now, (i % 900) as i64),
            });
        }
    }

    let service_accounts = vec![
        doc! {
            "_id": oid(2, 1), "tenantId": "acme", "accountId": "ci-bot", "displayName": "CI bot",
            "allowedScopes": ["scanner.read", "scanner.write"], "authorizedClients": ["web-portal"],
            "createdAt": at("2022-01-01T00:00:00Z"),
        },
        doc! {
            "_id": oid(2, 2), "tenantId": "globex", "accountId": "backup", "displayName": "Backup",
            "description": "nightly backup", "status": "Disabled",
            "createdAt": at("2023-01-01T00:00:00Z"), "owner": { "team": "ops" },
        },
    ];

    let clients = vec![
        doc! {
            "_id": oid(3, 1), "tenantId": "acme", "clientId": "web-portal",
            "clientSecretHash": binary(&[0, 1, 2, 254, 255]), "displayName": "Web portal",
            "grantTypes": ["authorization_code", "refresh_token"],
            "redirectUris": ["https://portal.acme.test/callback"], "allowedScopes": ["scanner.read"],
            "createdAt": at("2021-06-01T00:00:00Z"),
        },
        // Differs from the one above only in case: a second client.
        doc! {
            "_id": oid(3, 2), "tenantId": "acme", "clientId": "Web-Portal", "displayName": "Old portal",
            "clientType": "Public", "requirePkce": false, "createdAt": at("2020-06-01T00:00:00Z"),
        },
        doc! {
            "_id": oid(3, 3), "tenantId": "globex", "clientId": "cli", "displayName": "CLI",
            "clientType": "public", "properties": { "tier": "gold" }, "createdAt": at("2024-06-01T00:00:00Z"),
            "rateLimit": { "perMinute": Bson::Int64(600) },
        },
    ];

    let scopes = vec![
        doc! { "_id": oid(4, 1), "name": "scanner.read", "description": "Read scan results",
        "resources": ["scanner"], "isSystem": true, "createdAt": at("2019-01-01T00:00:00Z") },
        doc! { "_id": oid(4, 2), "name": "scanner.write", "resources": ["scanner"],
        "createdAt": at("2019-01-01T00:00:00Z") },
        doc! { "_id": oid(4, 3), "name": "policy:read", "createdAt": at("2020-01-01T00:00:00Z") },
    ];

    let mut tokens = vec![
        // Active until the far future ("never expires").
        doc! {
            "_id": oid(5, 1), "tenantId": "acme", "tokenHash": "sha256:aaa1", "tokenType": "access",
            "status": "valid", "subjectId": uuid(1), "userId": oid(1, 1), "clientId": "web-portal",
            "scopes": ["scanner.read"], "issuedAt": days_ago(now, 1),
            "expiresAt": at("9999-12-31T23:59:59.999Z"),
            "payload": { "cost": decimal("12.50"), "amr": ["pwd", "otp"] },
        },
        // Expired: tier B leaves it out.
        doc! {
            "_id": oid(5, 2), "tenantId": "acme", "tokenHash": "sha256:aaa2", "tokenType": "Refresh",
            "status": "valid", "userId": oid(1, 1), "issuedAt": days_ago(now, 40),
            "expiresAt": days_ago(now, 10),
        },
        // Revoked: tier B leaves it out.
        doc! {
            "_id": oid(5, 3), "tenantId": "acme", "tokenHash": "sha256:aaa3", "tokenType": "access",
            "status": "Revoked", "userId": oid(1, 2), "issuedAt": days_ago(now, 3),
            "expiresAt": days_ago(now, -3), "revokedAt": days_ago(now, 2), "revokedReason": "logout",
        },
        doc! {
            "_id": oid(5, 4), "tenantId": "globex", "tokenHash": "sha256:ggg1", "tokenType": "refresh",
            "serviceAccountId": oid(2, 2), "issuedAt": days_ago(now, 5), "expiresAt": days_ago(now, -25),
            "deviceInfo": { "os": "linux" },
        },
    ];
    // The edge of "not expired": expiring at the clock is expired.
    for (label, expires) in window_edges(now, 0) {
        let n = tokens.len() as u32 + 1;
        tokens.push(doc! {
            "_id": oid(5, n), "tenantId": "acme-eu", "tokenHash": format!("sha256:edge-{n}"),
            "tokenType": "access", "issuedAt": days_ago(now, 1), "expiresAt": expires,
            "payload": { "edge": label },
        });
    }
    for (t, tenant) in TENANTS.iter().enumerate() {
        for i in 0..scale * 100 {
            let n = tokens.len() as u32 + 1;
            let user = 9 + (t * scale * 100 + i) as u32;
            tokens.push(doc! {
                "_id": oid(5, n), "tenantId": *tenant, "tokenHash": format!("sha256:{tenant}-{i:06}"),
                "tokenType": "access", "userId": oid(1, user),
                "issuedAt": days_ago(now, (i % 30) as i64 + 1),
                "expiresAt": days_ago(now, (i % 30) as i64 - 15),
            });
        }
    }

    let revocations = vec![
        // Names a token the export does not have: kept (no foreign key).
        doc! {
            "_id": oid(6, 1), "tenantId": "acme", "category": "token", "revocationId": "rev-1",
            "tokenId": oid(5, 999), "reason": "compromised", "revokedAt": days_ago(now, 20),
            "metadata": { "ticket": "SEC-1" },
        },
        doc! {
            "_id": oid(6, 2), "tenantId": "globex", "category": "Subject", "revocationId": "rev-2",
            "subjectId": uuid(8), "reason": "offboarded", "reasonDescription": "left the company",
            "revokedAt": days_ago(now, 100), "effectiveAt": days_ago(now, 99), "expiresAt": at("2300-01-01T00:00:00Z"),
        },
    ];

    let mut login_attempts = vec![
        doc! {
            "_id": oid(7, 1), "tenantId": "acme", "userId": oid(1, 1), "username": "alice",
            "outcome": "Success", "clientIp": "203.0.113.7", "userAgent": "curl/8.0",
            "occurredAt": days_ago(now, 1),
        },
        doc! {
            "_id": oid(7, 2), "tenantId": "acme", "userId": oid(1, 1), "username": "alice",
            "outcome": "failure", "reason": "bad password", "clientIp": "2001:db8::1",
            "occurredAt": days_ago(now, 89), "properties": { "attempt": Bson::Int64(2) },
        },
        // Older than 90 days: tier B leaves it out.
        doc! {
            "_id": oid(7, 3), "tenantId": "acme", "username": "alice", "outcome": "failure",
            "occurredAt": days_ago(now, 200),
        },
        // The user is gone: the audit trail keeps the attempt (no foreign key).
        doc! {
            "_id": oid(7, 4), "tenantId": "globex", "userId": oid(1, 4242), "username": "mallory",
            "outcome": "LockedOut", "occurredAt": days_ago(now, 7), "geo": { "country": "NL" },
        },
    ];
    for (label, occurred) in window_edges(now, 90) {
        let n = login_attempts.len() as u32 + 1;
        login_attempts.push(doc! {
            "_id": oid(7, n), "tenantId": "acme-eu", "username": "edge", "outcome": "success",
            "occurredAt": occurred, "properties": { "edge": label },
        });
    }
    for tenant in TENANTS {
        for i in 0..scale * 100 {
            let n = login_attempts.len() as u32 + 1;
            login_attempts.push(doc! {
                "_id": oid(7, n), "tenantId": tenant, "username": format!("user-{i:05}"),
                "outcome": if i % 5 == 0 { "failure" } else { "success" },
                "occurredAt": days_ago(now, (i % 180) as i64),
            });
        }
    }

    vec![
        generated("authority_tenants", Layout::Array, Mode::Canonical, tenants),
        generated("authority_users", Layout::Ndjson, Mode::Relaxed, users),
        generated(
            "authority_service_accounts",
            Layout::Ndjson,
            Mode::Canonical,
            service_accounts,
        ),
        generated("authority_clients", Layout::Array, Mode::Relaxed, clients),
        generated("authority_scopes", Layout::Ndjson, Mode::Relaxed, scopes),
        generated("authority_tokens", Layout::Ndjson, Mode::Canonical, tokens),
        generated(
            "authority_revocations",
            Layout::Array,
            Mode::Canonical,
            revocations,
        ),
        generated(
            "authority_login_attempts",
            Layout::Ndjson,
            Mode::Relaxed,
            login_attempts,
        ),
    ]
}

fn generated(
    collection: &'static str,
    layout: Layout,
    mode: Mode,
    docs: Vec<bson::Document>,
) -> Generated {
    Generated {
        module: "authority",
        collection,
        layout,
        mode,
        docs,
    }
}
