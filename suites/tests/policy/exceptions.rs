//! Exceptions: proposed, approved by someone at a time, active from that
//! time until the instant they expire (`exception_expiry_boundary`, exact
//! to the microsecond with the injected clock); rejected, revoked and
//! expired ones never are; the expiry sweep closes them across tenants.

use chrono::Duration;
use rstest::rstest;
use stellaops_storage::policy::*;
use stellaops_storage::{Backend, ErrorKind, SystemContext};
use uuid::Uuid;

use crate::support::{epoch, expect_kind, setup_on};

const PACK: Uuid = Uuid::from_u128(1);

fn waiver(n: u128, rule: Option<&str>, days: i64) -> NewException {
    let mut new = NewException::new(
        Uuid::from_u128(n),
        format!("waiver-{n}"),
        "vendor fix pending",
        "alice",
        epoch() + Duration::days(days),
    );
    new.pack_id = Some(PACK);
    new.rule_key = rule.map(str::to_owned);
    new
}

fn ids(exceptions: &[Exception]) -> Vec<u128> {
    exceptions.iter().map(|e| e.id.as_u128()).collect()
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn exception_expiry_boundary(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    b.pack(&b.acme, PACK, "p").await;
    let ex = &b.policy.exceptions;
    ex.propose_exception(&b.acme, &waiver(10, Some("crit"), 30))
        .await
        .unwrap();
    let proposed = ex
        .get_exception(&b.acme, Uuid::from_u128(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(proposed.status, ExceptionStatus::Proposed);
    let at = |d: Duration| epoch() + d;
    assert!(
        ex.active_exceptions(&b.acme, PACK, "crit", at(Duration::days(1)))
            .await
            .unwrap()
            .is_empty(),
        "a proposal waives nothing"
    );
    b.clock.advance(Duration::hours(1));
    let approved = ex
        .approve_exception(&b.acme, Uuid::from_u128(10), "bob")
        .await
        .unwrap();
    assert_eq!(
        (
            approved.status,
            approved.approved_by.as_deref(),
            approved.approved_at
        ),
        (
            ExceptionStatus::Approved,
            Some("bob"),
            Some(epoch() + Duration::hours(1))
        )
    );
    let expires = approved.expires_at;
    let micro = Duration::microseconds(1);
    for (label, instant, active) in [
        (
            "1 µs before approval",
            epoch() + Duration::hours(1) - micro,
            false,
        ),
        ("at approval", epoch() + Duration::hours(1), true),
        ("1 µs before expiry", expires - micro, true),
        ("at expiry", expires, false),
        ("1 µs after expiry", expires + micro, false),
    ] {
        let found = ex
            .active_exceptions(&b.acme, PACK, "crit", instant)
            .await
            .unwrap();
        assert_eq!(
            ids(&found),
            if active { vec![10] } else { vec![] },
            "{label}"
        );
    }
    // Another rule of the pack, another pack: not covered.
    assert!(
        ex.active_exceptions(&b.acme, PACK, "high", at(Duration::days(1)))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        ex.active_exceptions(&b.acme, Uuid::from_u128(2), "crit", at(Duration::days(1)))
            .await
            .unwrap()
            .is_empty()
    );
    // A waiver of every rule of the pack covers both.
    ex.propose_exception(&b.acme, &waiver(11, None, 10))
        .await
        .unwrap();
    ex.approve_exception(&b.acme, Uuid::from_u128(11), "bob")
        .await
        .unwrap();
    let both = ex
        .active_exceptions(&b.acme, PACK, "crit", at(Duration::days(2)))
        .await
        .unwrap();
    assert_eq!(ids(&both), [11, 10], "by expiry, then id");
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn exception_moves_and_bad_proposals_are_refused(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    b.pack(&b.acme, PACK, "p").await;
    let ex = &b.policy.exceptions;
    let before_start = ex.propose_exception(&b.acme, &waiver(1, None, 0)).await;
    assert_eq!(
        expect_kind(before_start, ErrorKind::InvalidInput),
        format!(
            "invalid exception expiry: {} is not after the proposal at {}: it would expire before it starts",
            epoch(),
            epoch()
        )
    );
    let too_long = ex
        .propose_exception(&b.acme, &waiver(2, None, MAX_EXCEPTION_DAYS + 1))
        .await;
    expect_kind(too_long, ErrorKind::InvalidInput);
    let mut sub_micro = waiver(3, None, 1);
    sub_micro.expires_at += Duration::nanoseconds(1);
    expect_kind(
        ex.propose_exception(&b.acme, &sub_micro).await,
        ErrorKind::InvalidInput,
    );
    let mut no_pack = waiver(4, None, 1);
    no_pack.pack_id = Some(Uuid::from_u128(99));
    assert_eq!(
        expect_kind(
            ex.propose_exception(&b.acme, &no_pack).await,
            ErrorKind::NotFound
        ),
        "pack not found"
    );
    for n in 1..=4 {
        assert!(
            ex.get_exception(&b.acme, Uuid::from_u128(n))
                .await
                .unwrap()
                .is_none()
        );
    }
    ex.propose_exception(&b.acme, &waiver(5, None, 1))
        .await
        .unwrap();
    let revoke = ex.revoke_exception(&b.acme, Uuid::from_u128(5)).await;
    assert_eq!(
        expect_kind(revoke, ErrorKind::Conflict),
        "exception cannot go from proposed to revoked"
    );
    ex.reject_exception(&b.acme, Uuid::from_u128(5))
        .await
        .unwrap();
    let approve = ex
        .approve_exception(&b.acme, Uuid::from_u128(5), "bob")
        .await;
    assert_eq!(
        expect_kind(approve, ErrorKind::Conflict),
        "exception cannot go from rejected to approved"
    );
    // Its expiry came before anyone approved it.
    ex.propose_exception(&b.acme, &waiver(6, None, 1))
        .await
        .unwrap();
    b.clock.advance(Duration::days(1));
    let late = ex
        .approve_exception(&b.acme, Uuid::from_u128(6), "bob")
        .await;
    assert_eq!(
        expect_kind(late, ErrorKind::Conflict),
        "exception cannot go from expired to approved"
    );
    assert_eq!(
        ex.get_exception(&b.acme, Uuid::from_u128(6))
            .await
            .unwrap()
            .unwrap()
            .status,
        ExceptionStatus::Proposed
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn the_expiry_sweep_closes_what_has_expired_in_every_tenant(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let ex = &b.policy.exceptions;
    for ctx in [&b.acme, &b.acme_eu] {
        b.pack(ctx, PACK, "p").await;
        ex.propose_exception(ctx, &waiver(1, None, 1))
            .await
            .unwrap();
        ex.approve_exception(ctx, Uuid::from_u128(1), "bob")
            .await
            .unwrap();
        ex.propose_exception(ctx, &waiver(2, None, 1))
            .await
            .unwrap();
        ex.propose_exception(ctx, &waiver(3, None, 3))
            .await
            .unwrap();
        ex.approve_exception(ctx, Uuid::from_u128(3), "bob")
            .await
            .unwrap();
        ex.propose_exception(ctx, &waiver(4, None, 1))
            .await
            .unwrap();
        ex.reject_exception(ctx, Uuid::from_u128(4)).await.unwrap();
    }
    let system = SystemContext::new("policy expiry");
    expect_kind(
        ex.expire_exceptions(&system, 0).await,
        ErrorKind::InvalidInput,
    );
    b.clock
        .advance(Duration::days(1) - Duration::microseconds(1));
    assert_eq!(
        ex.expire_exceptions(&system, 100).await.unwrap(),
        0,
        "1 µs early"
    );
    b.clock.advance(Duration::microseconds(1));
    assert_eq!(
        ex.expire_exceptions(&system, 3).await.unwrap(),
        3,
        "the limit holds"
    );
    assert_eq!(ex.expire_exceptions(&system, 100).await.unwrap(), 1);
    for ctx in [&b.acme, &b.acme_eu] {
        let statuses: Vec<ExceptionStatus> = {
            let mut all = Vec::new();
            for n in 1..=4 {
                all.push(
                    ex.get_exception(ctx, Uuid::from_u128(n))
                        .await
                        .unwrap()
                        .unwrap()
                        .status,
                );
            }
            all
        };
        assert_eq!(
            statuses,
            [
                ExceptionStatus::Expired,
                ExceptionStatus::Expired,
                ExceptionStatus::Approved,
                ExceptionStatus::Rejected
            ]
        );
        let revoke = ex.revoke_exception(ctx, Uuid::from_u128(1)).await;
        assert_eq!(
            expect_kind(revoke, ErrorKind::Conflict),
            "exception cannot go from expired to revoked"
        );
    }
}
