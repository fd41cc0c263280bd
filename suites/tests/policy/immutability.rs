//! `published_version_is_immutable`: a version past draft keeps its
//! content and rules; updates, deletes and rule changes are refused on
//! both backends, naming the state, and nothing is written. On PostgreSQL
//! the schema refuses it too, to a writer that bypasses the repositories
//! (as `stellaops_app`, under row-level security).

use rstest::rstest;
use stellaops_storage::policy::*;
use stellaops_storage::{Backend, ErrorKind};
use uuid::Uuid;

use crate::support::{Bundle, expect_kind, setup_on};

const PACK: Uuid = Uuid::from_u128(1);
const RULE: Uuid = Uuid::from_u128(100);

fn rule(key: &str) -> PolicyRuleFields {
    PolicyRuleFields::new(key, RuleSeverity::High, RuleAction::Warn)
}

/// A version of `PACK` in `status` (draft through retired) with one rule.
async fn version_in(b: &Bundle, id: Uuid, status: VersionStatus) {
    let v = &b.policy.versions;
    v.create_version(&b.acme, id, PACK, &VersionFields::new("warn highs"))
        .await
        .unwrap();
    b.policy
        .rules
        .add_rule(
            &b.acme,
            Uuid::from_u128(id.as_u128() + 1000),
            id,
            &rule("r"),
        )
        .await
        .unwrap();
    if status == VersionStatus::Draft {
        return;
    }
    v.submit_version(&b.acme, id, "alice").await.unwrap();
    if status == VersionStatus::Submitted {
        return;
    }
    v.approve_version(&b.acme, id, "bob").await.unwrap();
    if status == VersionStatus::Approved {
        return;
    }
    v.activate_version(&b.acme, id).await.unwrap();
    if status == VersionStatus::Retired {
        v.retire_version(&b.acme, id).await.unwrap();
    }
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn published_version_is_immutable(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    b.pack(&b.acme, PACK, "p").await;
    for (n, status) in [
        (10u128, VersionStatus::Submitted),
        (20, VersionStatus::Approved),
        (30, VersionStatus::Published),
        (40, VersionStatus::Retired),
    ] {
        let id = Uuid::from_u128(n);
        version_in(&b, id, status).await;
        let rule_id = Uuid::from_u128(n + 1000);
        let before = b
            .policy
            .versions
            .get_version(&b.acme, id)
            .await
            .unwrap()
            .unwrap();
        let rules_before = b.policy.rules.rules_of_version(&b.acme, id).await.unwrap();
        let frozen = format!("pack version is {status}: immutable; derive a new version");
        let edit = b
            .policy
            .versions
            .update_draft(&b.acme, id, &VersionFields::new("allow all"))
            .await;
        assert_eq!(expect_kind(edit, ErrorKind::Conflict), frozen);
        let add = b
            .policy
            .rules
            .add_rule(&b.acme, RULE, id, &rule("new"))
            .await;
        assert_eq!(expect_kind(add, ErrorKind::Conflict), frozen);
        let mut loosened = rule("r");
        loosened.action = RuleAction::Ignore;
        let change = b
            .policy
            .rules
            .update_rule(&b.acme, rule_id, &loosened)
            .await;
        assert_eq!(expect_kind(change, ErrorKind::Conflict), frozen);
        let drop = b.policy.rules.delete_rule(&b.acme, rule_id).await;
        assert_eq!(expect_kind(drop, ErrorKind::Conflict), frozen);
        if matches!(status, VersionStatus::Published | VersionStatus::Retired) {
            let delete = b.policy.versions.delete_version(&b.acme, id).await;
            assert_eq!(expect_kind(delete, ErrorKind::Conflict), frozen);
        }
        assert_eq!(
            b.policy
                .versions
                .get_version(&b.acme, id)
                .await
                .unwrap()
                .unwrap(),
            before,
            "{status}: the version unchanged"
        );
        assert_eq!(
            b.policy.rules.rules_of_version(&b.acme, id).await.unwrap(),
            rules_before,
            "{status}: its rules unchanged"
        );
        assert!(
            b.policy
                .rules
                .get_rule(&b.acme, RULE)
                .await
                .unwrap()
                .is_none()
        );
    }
}

/// Statements as `stellaops_app` for `acme`, past the repositories.
async fn direct(b: &Bundle, sql: &str) -> Result<u64, sqlx::Error> {
    let mut work = b.source().tenant(&b.acme).await.unwrap();
    // Unnamed: behind PgBouncer a named statement outlives its transaction.
    let done = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .persistent(false)
        .execute(work.conn())
        .await
        .map(|r| r.rows_affected());
    work.rollback().await.unwrap();
    done
}

#[tokio::test]
async fn the_schema_refuses_changes_to_published_versions_and_their_rules() {
    let b = setup_on(Backend::Postgres).await;
    b.pack(&b.acme, PACK, "p").await;
    let published = Uuid::from_u128(30);
    version_in(&b, published, VersionStatus::Published).await;
    let draft = Uuid::from_u128(50);
    version_in(&b, draft, VersionStatus::Approved).await;
    let refused = [
        format!("UPDATE policy.pack_versions SET source = 'allow all' WHERE id = '{published}'"),
        format!("UPDATE policy.pack_versions SET status = 'draft' WHERE id = '{published}'"),
        format!("UPDATE policy.pack_versions SET published_at = now() WHERE id = '{published}'"),
        format!("DELETE FROM policy.pack_versions WHERE id = '{published}'"),
        format!("DELETE FROM policy.packs WHERE id = '{PACK}'"),
        format!("UPDATE policy.rules SET action = 'ignore' WHERE pack_version_id = '{published}'"),
        format!("DELETE FROM policy.rules WHERE pack_version_id = '{published}'"),
        format!(
            "INSERT INTO policy.rules (tenant_id, pack_version_id, rule_key, name, severity, \
             action, condition) VALUES ('acme', '{published}', 'new', 'new', 'low', 'ignore', '{{}}')"
        ),
        format!("UPDATE policy.rules SET priority = 7 WHERE pack_version_id = '{draft}'"),
    ];
    for sql in &refused {
        let err = direct(&b, sql).await.expect_err(sql);
        let code = err
            .as_database_error()
            .and_then(|e| e.code())
            .unwrap_or_default();
        assert_eq!(code, "55000", "{sql}: {err}");
        assert!(err.to_string().contains("immutable"), "{sql}: {err}");
    }
    // A second published version of the pack: the unique index refuses it.
    let err = direct(
        &b,
        &format!("UPDATE policy.pack_versions SET status = 'published', published_at = now() WHERE id = '{draft}'"),
    )
    .await
    .expect_err("a second published version");
    let db = err.as_database_error().unwrap();
    assert_eq!(
        (db.code().unwrap_or_default().as_ref(), db.constraint()),
        ("23505", Some("pack_versions_one_published_idx"))
    );
    // Retiring by hand stays possible: published to retired, nothing else.
    assert_eq!(
        direct(
            &b,
            &format!("UPDATE policy.pack_versions SET status = 'retired' WHERE id = '{published}'")
        )
        .await
        .unwrap(),
        1
    );
}
