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
use stellaops_suites::related_reads::{Probe, Seen, tenants};
use uuid::Uuid;

use crate::support::{Bundle, expect_kind, setup_on};

const PACK: Uuid = Uuid::from_u128(0x41);
const PUBLISHED: Uuid = Uuid::from_u128(0x42);
const DRAFT: Uuid = Uuid::from_u128(0x43);
const RULE: Uuid = Uuid::from_u128(0x44);
const PROFILE: Uuid = Uuid::from_u128(0x45);
const EXCEPTION: Uuid = Uuid::from_u128(0x46);
const RUN: Uuid = Uuid::from_u128(0x47);
const EXPLANATION: Uuid = Uuid::from_u128(0x48);

/// Inside the exception's validity.
fn at() -> chrono::DateTime<chrono::Utc> {
    crate::support::epoch() + chrono::Duration::hours(1)
}

/// The same pack, a published version and a draft with a rule, a promoted
/// profile, an approved exception, a running evaluation with an
/// explanation, for any tenant.
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
    let p = &b.policy;
    p.profiles
        .create_profile(ctx, PROFILE, &ProfileFields::new("default"))
        .await
        .unwrap();
    p.profiles.promote_profile(ctx, PROFILE).await.unwrap();
    let mut waiver = NewException::new(
        EXCEPTION,
        "w",
        "fix pending",
        "alice",
        at() + chrono::Duration::days(1),
    );
    waiver.pack_id = Some(PACK);
    p.exceptions.propose_exception(ctx, &waiver).await.unwrap();
    p.exceptions
        .approve_exception(ctx, EXCEPTION, "bob")
        .await
        .unwrap();
    let run = NewEvaluation {
        id: RUN,
        pack_version_id: PUBLISHED,
        risk_profile_id: Some(PROFILE),
        mode: EvaluationMode::Full,
        input_digest: format!("sha256:{}", "ab".repeat(32)),
    };
    p.evaluations.record_evaluation(ctx, &run).await.unwrap();
    p.evaluations.start_evaluation(ctx, RUN).await.unwrap();
    let mut entry = NewAuditEntry::new(
        AuditCategory::Pack,
        "created",
        "baseline",
        "alice",
        ActorType::User,
    );
    entry.id = Uuid::from_u128(0x49);
    p.audit.append_audit(ctx, &entry).await.unwrap();
    p.explanations
        .add_explanations(
            ctx,
            RUN,
            &[NewExplanation::new(
                EXPLANATION,
                "pkg:npm/a@1#CVE-1",
                Verdict::Fail,
            )],
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
    profile_get => |p, ctx| tenants(p.profiles.get_profile(ctx, PROFILE).await.unwrap(), |x| &x.tenant_id);
    profile_list => |p, ctx| tenants(p.profiles.list_profiles(ctx).await.unwrap(), |x| &x.tenant_id);
    profile_active => |p, ctx| tenants(p.profiles.active_profile(ctx, "default").await.unwrap(), |x| &x.tenant_id);
    exception_get => |p, ctx| tenants(p.exceptions.get_exception(ctx, EXCEPTION).await.unwrap(), |x| &x.tenant_id);
    exceptions_active => |p, ctx| {
        tenants(p.exceptions.active_exceptions(ctx, PACK, "crit", at()).await.unwrap(), |x| &x.tenant_id)
    };
    evaluation_get => |p, ctx| tenants(p.evaluations.get_evaluation(ctx, RUN).await.unwrap(), |x| &x.tenant_id);
    evaluations_of_pack => |p, ctx| {
        tenants(p.evaluations.evaluations_of_pack(ctx, PACK, &PageRequest::first(10)).await.unwrap().items, |x| &x.tenant_id)
    };
    audit_of_entity => |p, ctx| {
        let page = p.audit.audit_of(ctx, AuditCategory::Pack, "baseline", &PageRequest::first(10)).await.unwrap();
        tenants(page.items, |x| &x.tenant_id)
    };
    explanations_page => |p, ctx| {
        tenants(p.explanations.explanations_page(ctx, RUN, &PageRequest::first(10)).await.unwrap().items, |x| &x.tenant_id)
    };
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn no_read_returns_a_related_tenants_row_with_the_same_key(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    stellaops_suites::related_reads::owner_then_observer(
        PROBES,
        &b.policy,
        &b.acme_eu,
        &b.acme,
        async |ctx| seed(&b, ctx).await,
    )
    .await;
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
    let more = [
        (
            "update profile",
            expect_kind(
                p.profiles
                    .update_profile(acme, PROFILE, &ProfileFields::new("default"))
                    .await,
                ErrorKind::NotFound,
            ),
        ),
        (
            "promote profile",
            expect_kind(
                p.profiles.promote_profile(acme, PROFILE).await,
                ErrorKind::NotFound,
            ),
        ),
        (
            "revoke exception",
            expect_kind(
                p.exceptions.revoke_exception(acme, EXCEPTION).await,
                ErrorKind::NotFound,
            ),
        ),
        (
            "cancel run",
            expect_kind(
                p.evaluations.cancel_evaluation(acme, RUN).await,
                ErrorKind::NotFound,
            ),
        ),
        (
            "explain run",
            expect_kind(
                p.explanations
                    .add_explanations(
                        acme,
                        RUN,
                        &[NewExplanation::new(Uuid::from_u128(9), "k", Verdict::Pass)],
                    )
                    .await,
                ErrorKind::NotFound,
            ),
        ),
    ];
    for (what, message) in not_found.iter().chain(&more) {
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
    assert_eq!(
        p.exceptions
            .get_exception(&b.acme_eu, EXCEPTION)
            .await
            .unwrap()
            .unwrap()
            .status,
        ExceptionStatus::Approved
    );
    assert_eq!(
        p.evaluations
            .get_evaluation(&b.acme_eu, RUN)
            .await
            .unwrap()
            .unwrap()
            .status,
        EvaluationStatus::Running
    );
}
