//! Tenant isolation of packs, versions and rules, as `stellaops_app`
//! under row-level security on PostgreSQL and in memory: every read of
//! `acme` against `acme-eu` holding rows with the same ids, names and keys
//! (a read served without row-level security returns the other's row,
//! whatever the order of the rows), and every write of one tenant aimed at
//! the other's ids finds nothing and changes nothing.

use std::future::Future;
use std::pin::Pin;

use rstest::rstest;
use stellaops_storage::policy::*;
use stellaops_storage::{Backend, ErrorKind, PageRequest, TenantContext};
use stellaops_suites::related_reads::{Probe, Seen, read_all, tenants};
use uuid::Uuid;

use crate::support::{Bundle, expect_kind, setup_on};

const PACK: Uuid = Uuid::from_u128(0x41);
const PUBLISHED: Uuid = Uuid::from_u128(0x42);
const DRAFT: Uuid = Uuid::from_u128(0x43);
const RULE: Uuid = Uuid::from_u128(0x44);

/// The same pack, a published version and a draft with a rule, for any tenant.
async fn seed(b: &Bundle, ctx: &TenantContext) {
    b.pack(ctx, PACK, "baseline").await;
    b.published(ctx, PACK, PUBLISHED, "allow").await;
    b.policy
        .versions
        .derive_version(ctx, DRAFT, PUBLISHED)
        .await
        .unwrap();
    b.policy
        .rules
        .add_rule(
            ctx,
            RULE,
            DRAFT,
            &PolicyRuleFields::new("crit", RuleSeverity::Critical, RuleAction::Block),
        )
        .await
        .unwrap();
}

macro_rules! probes {
    ($($name:ident => |$p:ident, $ctx:ident| $body:expr;)*) => {
        $(
            fn $name<'a>(
                $p: &'a Policy,
                $ctx: &'a TenantContext,
            ) -> Pin<Box<dyn Future<Output = Seen> + Send + 'a>> {
                Box::pin(async move { $body })
            }
        )*
        /// Every tenant-scoped read of the pack, version and rule traits.
        const PROBES: &[(&str, Probe<Policy>)] = &[$((stringify!($name), $name)),*];
    };
}

probes! {
    pack_get => |p, ctx| tenants(p.packs.get_pack(ctx, PACK).await.unwrap(), |x| &x.tenant_id);
    pack_list => |p, ctx| {
        tenants(p.packs.list_packs(ctx, &PageRequest::first(10)).await.unwrap().items, |x| &x.tenant_id)
    };
    version_get => |p, ctx| tenants(p.versions.get_version(ctx, PUBLISHED).await.unwrap(), |x| &x.tenant_id);
    versions_of_pack => |p, ctx| tenants(p.versions.versions_of(ctx, PACK).await.unwrap(), |x| &x.tenant_id);
    active_version => |p, ctx| tenants(p.versions.active_version(ctx, PACK).await.unwrap(), |x| &x.tenant_id);
    rule_get => |p, ctx| tenants(p.rules.get_rule(ctx, RULE).await.unwrap(), |x| &x.tenant_id);
    rules_of_version => |p, ctx| tenants(p.rules.rules_of_version(ctx, DRAFT).await.unwrap(), |x| &x.tenant_id);
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn no_read_returns_a_related_tenants_row_with_the_same_key(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    seed(&b, &b.acme_eu).await;
    let owned = read_all(PROBES, &b.policy, &b.acme_eu).await;
    let leaked = read_all(PROBES, &b.policy, &b.acme).await;
    seed(&b, &b.acme).await;
    let after = read_all(PROBES, &b.policy, &b.acme).await;
    let owner_after = read_all(PROBES, &b.policy, &b.acme_eu).await;
    stellaops_suites::related_reads::judge(
        "acme-eu",
        "acme",
        &owned,
        &leaked,
        &after,
        &owner_after,
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn no_write_reaches_a_related_tenants_rows(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    seed(&b, &b.acme_eu).await;
    let theirs = b
        .policy
        .versions
        .versions_of(&b.acme_eu, PACK)
        .await
        .unwrap();
    let their_rules = b
        .policy
        .rules
        .rules_of_version(&b.acme_eu, DRAFT)
        .await
        .unwrap();
    let their_pack = b.policy.packs.get_pack(&b.acme_eu, PACK).await.unwrap();
    let (p, acme) = (&b.policy, &b.acme);
    let not_found = [
        (
            "update pack",
            expect_kind(
                p.packs.update_pack(acme, PACK, &PackFields::new("x")).await,
                ErrorKind::NotFound,
            ),
        ),
        (
            "pack status",
            expect_kind(
                p.packs
                    .change_pack_status(acme, PACK, PackStatus::Deprecated)
                    .await,
                ErrorKind::NotFound,
            ),
        ),
        (
            "new version",
            expect_kind(
                p.versions
                    .create_version(acme, Uuid::from_u128(9), PACK, &VersionFields::new("x"))
                    .await,
                ErrorKind::NotFound,
            ),
        ),
        (
            "edit draft",
            expect_kind(
                p.versions
                    .update_draft(acme, DRAFT, &VersionFields::new("x"))
                    .await,
                ErrorKind::NotFound,
            ),
        ),
        (
            "submit",
            expect_kind(
                p.versions.submit_version(acme, DRAFT, "mallory").await,
                ErrorKind::NotFound,
            ),
        ),
        (
            "retire",
            expect_kind(
                p.versions.retire_version(acme, PUBLISHED).await,
                ErrorKind::NotFound,
            ),
        ),
        (
            "activate",
            expect_kind(
                p.versions.activate_version(acme, PUBLISHED).await,
                ErrorKind::NotFound,
            ),
        ),
        (
            "derive",
            expect_kind(
                p.versions
                    .derive_version(acme, Uuid::from_u128(9), PUBLISHED)
                    .await,
                ErrorKind::NotFound,
            ),
        ),
        (
            "add rule",
            expect_kind(
                p.rules
                    .add_rule(
                        acme,
                        Uuid::from_u128(9),
                        DRAFT,
                        &PolicyRuleFields::new("x", RuleSeverity::Low, RuleAction::Ignore),
                    )
                    .await,
                ErrorKind::NotFound,
            ),
        ),
        (
            "update rule",
            expect_kind(
                p.rules
                    .update_rule(
                        acme,
                        RULE,
                        &PolicyRuleFields::new("x", RuleSeverity::Low, RuleAction::Ignore),
                    )
                    .await,
                ErrorKind::NotFound,
            ),
        ),
    ];
    for (what, message) in &not_found {
        assert!(message.ends_with("not found"), "{what}: {message}");
    }
    assert!(!p.rules.delete_rule(acme, RULE).await.unwrap());
    assert!(!p.versions.delete_version(acme, DRAFT).await.unwrap());
    assert!(!p.packs.delete_pack(acme, PACK).await.unwrap());
    assert_eq!(
        p.versions.versions_of(&b.acme_eu, PACK).await.unwrap(),
        theirs
    );
    assert_eq!(
        p.rules.rules_of_version(&b.acme_eu, DRAFT).await.unwrap(),
        their_rules
    );
    assert_eq!(
        p.packs.get_pack(&b.acme_eu, PACK).await.unwrap(),
        their_pack
    );
}
