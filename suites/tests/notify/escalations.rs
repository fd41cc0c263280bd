//! Escalation policies, incidents and escalations on both backends: stages
//! fire in order, once each, their delays counted from when the stage was
//! due; an acknowledgement is single-use and stops the paging; incidents
//! correlate by key and follow their life cycle.

use chrono::Duration;
use rstest::rstest;
use stellaops_storage::notify::*;
use stellaops_storage::page::PageRequest;
use stellaops_storage::{Backend, ErrorKind, TenantContext};
use uuid::Uuid;

use crate::support::{Bundle, epoch, expect_kind, setup_on};

const C1: Uuid = Uuid::from_u128(0xc1);
const C2: Uuid = Uuid::from_u128(0xc2);
const C3: Uuid = Uuid::from_u128(0xc3);
const POLICY: Uuid = Uuid::from_u128(0xe0);

async fn with_channels(backend: Backend) -> Bundle {
    let b = setup_on(backend).await;
    for ctx in [&b.acme, &b.acme_eu] {
        for (id, name) in [(C1, "pager"), (C2, "slack"), (C3, "manager")] {
            b.channel(ctx, id, name).await;
        }
    }
    b
}

/// Page C2 and C1 at once, then C3 five minutes later; once more after.
fn two_stages() -> PolicyFields {
    let mut fields = PolicyFields::new(
        "on-call",
        vec![
            EscalationStep::new(0, [C2, C1]),
            EscalationStep::new(300, [C3]),
        ],
    );
    fields.repeat_count = 1;
    fields
}

async fn incident(b: &Bundle, ctx: &TenantContext, key: &str) -> Incident {
    let mut new = NewIncident::new(key, format!("{key} is down"), Severity::Critical);
    new.id = Uuid::new_v5(&Uuid::NAMESPACE_OID, key.as_bytes());
    b.notify
        .incidents
        .correlate(ctx, &new)
        .await
        .unwrap()
        .incident
}

async fn advance(b: &Bundle) -> Vec<(Uuid, i32, i32, chrono::DateTime<chrono::Utc>, Vec<Uuid>)> {
    b.notify
        .escalations
        .advance_escalations(&b.system, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.escalation.id, a.iteration, a.stage, a.due_at, a.channels))
        .collect()
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn policies_store_sorted_stages_and_refuse_bad_ones(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let policies = &b.notify.policies;
    let created = policies
        .create_policy(&b.acme, POLICY, &two_stages())
        .await
        .unwrap();
    assert_eq!(
        created.steps[0].channels,
        vec![C1, C2],
        "a stage's channels in sorted order"
    );
    assert_eq!((created.repeat_count, created.created_at), (1, epoch()));
    assert_eq!(
        policies.get_policy(&b.acme, POLICY).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(policies.get_policy(&b.acme_eu, POLICY).await.unwrap(), None);

    b.clock.advance(Duration::seconds(1));
    let mut changed = two_stages();
    changed.name = "follow-the-sun".to_owned();
    changed.steps.push(EscalationStep::new(60, [C1]));
    let updated = policies
        .update_policy(&b.acme, POLICY, &changed)
        .await
        .unwrap();
    assert_eq!(
        (updated.steps.len(), updated.updated_at),
        (3, epoch() + Duration::seconds(1))
    );
    policies
        .create_policy(&b.acme, Uuid::from_u128(2), &two_stages())
        .await
        .unwrap();
    let names: Vec<String> = policies
        .list_policies(&b.acme)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["follow-the-sun", "on-call"]);
    let taken = policies
        .create_policy(&b.acme, Uuid::from_u128(3), &two_stages())
        .await;
    assert_eq!(
        expect_kind(taken, ErrorKind::Conflict),
        "escalation policy conflict: name is already taken"
    );

    let bad: Vec<(PolicyFields, &str)> = vec![
        (PolicyFields::new("p", vec![]), "invalid escalation steps"),
        (
            PolicyFields::new("p", vec![EscalationStep::new(-1, [C1])]),
            "invalid escalation step delay",
        ),
        (
            PolicyFields::new(
                "p",
                vec![EscalationStep::new(MAX_STEP_DELAY_SECONDS + 1, [C1])],
            ),
            "invalid escalation step delay",
        ),
        (
            PolicyFields::new("p", vec![EscalationStep::new(0, [])]),
            "invalid escalation step channels",
        ),
        (
            PolicyFields::new("p", vec![EscalationStep::new(0, [C1, C1])]),
            "invalid escalation step channels",
        ),
        (
            PolicyFields {
                repeat_count: MAX_REPEATS + 1,
                ..two_stages()
            },
            "invalid repeat count",
        ),
        (
            PolicyFields {
                repeat_count: -1,
                ..two_stages()
            },
            "invalid repeat count",
        ),
    ];
    for (fields, expected) in bad {
        let message = expect_kind(
            policies
                .create_policy(&b.acme, Uuid::from_u128(9), &fields)
                .await,
            ErrorKind::InvalidInput,
        );
        assert!(message.starts_with(expected), "{message}");
    }
    let foreign = PolicyFields::new("p", vec![EscalationStep::new(0, [Uuid::from_u128(0xdead)])]);
    let missing = policies
        .create_policy(&b.acme, Uuid::from_u128(9), &foreign)
        .await;
    assert_eq!(
        expect_kind(missing, ErrorKind::NotFound),
        "channel not found"
    );
    assert_eq!(
        policies
            .get_policy(&b.acme, Uuid::from_u128(9))
            .await
            .unwrap(),
        None
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn incidents_correlate_by_key_and_follow_their_life_cycle(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    let incidents = &b.notify.incidents;
    let mut new = NewIncident::new("db/primary", "primary is down", Severity::Critical);
    new.id = Uuid::from_u128(1);
    let first = incidents.correlate(&b.acme, &new).await.unwrap();
    assert!(first.opened);
    assert_eq!(
        (
            first.incident.status,
            first.incident.event_count,
            first.incident.opened_at
        ),
        (IncidentStatus::Open, 1, epoch())
    );
    new.id = Uuid::from_u128(2);
    let joined = incidents.correlate(&b.acme, &new).await.unwrap();
    assert_eq!(
        (
            joined.opened,
            joined.incident.id,
            joined.incident.event_count
        ),
        (false, first.incident.id, 2)
    );
    let theirs = incidents.correlate(&b.acme_eu, &new).await.unwrap();
    assert!(theirs.opened, "the related tenant's key is its own");

    let id = first.incident.id;
    b.clock.advance(Duration::seconds(5));
    let acked = incidents
        .acknowledge_incident(&b.acme, id, "alice")
        .await
        .unwrap();
    assert_eq!(
        (
            acked.status,
            acked.acknowledged_at,
            acked.acknowledged_by.as_deref()
        ),
        (IncidentStatus::Acknowledged, Some(b.now()), Some("alice"))
    );
    b.clock.advance(Duration::seconds(5));
    assert_eq!(
        incidents
            .acknowledge_incident(&b.acme, id, "alice")
            .await
            .unwrap(),
        acked,
        "a retry changes nothing"
    );
    let second = incidents.acknowledge_incident(&b.acme, id, "bob").await;
    assert_eq!(
        expect_kind(second, ErrorKind::Conflict),
        "incident conflict: acknowledgement is already taken"
    );
    let resolved = incidents
        .resolve_incident(&b.acme, id, "bob")
        .await
        .unwrap();
    assert_eq!(
        (
            resolved.status,
            resolved.resolved_at,
            resolved.resolved_by.as_deref(),
            resolved.acknowledged_by.as_deref()
        ),
        (
            IncidentStatus::Resolved,
            Some(b.now()),
            Some("bob"),
            Some("alice")
        )
    );
    for (result, to) in [
        (
            incidents.resolve_incident(&b.acme, id, "bob").await,
            "resolved",
        ),
        (
            incidents.acknowledge_incident(&b.acme, id, "carol").await,
            "acknowledged",
        ),
    ] {
        assert_eq!(
            expect_kind(result, ErrorKind::Conflict),
            format!("incident cannot go from resolved to {to}")
        );
    }
    assert_eq!(
        incidents.get_incident(&b.acme, id).await.unwrap(),
        Some(resolved)
    );

    new.id = Uuid::from_u128(3);
    let reopened = incidents.correlate(&b.acme, &new).await.unwrap();
    assert_eq!(
        (reopened.opened, reopened.incident.id),
        (true, Uuid::from_u128(3)),
        "a resolved key opens anew"
    );
    let open = incidents
        .list_incidents(
            &b.acme,
            &IncidentQuery {
                status: Some(IncidentStatus::Open),
                page: PageRequest::first(10),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        open.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [Uuid::from_u128(3)]
    );
    let all = incidents
        .list_incidents(&b.acme, &IncidentQuery::default())
        .await
        .unwrap();
    assert_eq!(
        all.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [Uuid::from_u128(1), Uuid::from_u128(3)]
    );

    let missing = incidents
        .acknowledge_incident(&b.acme_eu, Uuid::from_u128(1), "alice")
        .await;
    assert_eq!(
        expect_kind(missing, ErrorKind::NotFound),
        "incident not found"
    );
    let empty = incidents
        .acknowledge_incident(&b.acme, Uuid::from_u128(3), "")
        .await;
    expect_kind(empty, ErrorKind::InvalidInput);
    let mut no_key = NewIncident::new("", "t", Severity::Low);
    no_key.id = Uuid::from_u128(4);
    expect_kind(
        incidents.correlate(&b.acme, &no_key).await,
        ErrorKind::InvalidInput,
    );
    let mut no_policy = NewIncident::new("other", "t", Severity::Low);
    no_policy.escalation_policy_id = Some(Uuid::from_u128(0xdead));
    assert_eq!(
        expect_kind(
            incidents.correlate(&b.acme, &no_policy).await,
            ErrorKind::NotFound
        ),
        "escalation policy not found"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn stages_fire_in_order_once_each_from_when_they_were_due(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    b.notify
        .policies
        .create_policy(&b.acme, POLICY, &two_stages())
        .await
        .unwrap();
    let incident = incident(&b, &b.acme, "api").await;
    let id = Uuid::from_u128(0xe5);
    let started = b
        .notify
        .escalations
        .start_escalation(&b.acme, id, incident.id, POLICY)
        .await
        .unwrap();
    assert!(started.started);
    assert_eq!(
        (
            started.escalation.status,
            started.escalation.current_step,
            started.escalation.next_escalation_at
        ),
        (EscalationStatus::Active, 0, Some(epoch()))
    );
    let again = b
        .notify
        .escalations
        .start_escalation(&b.acme, Uuid::from_u128(0xe6), incident.id, POLICY)
        .await
        .unwrap();
    assert_eq!(
        (again.started, again.escalation.id),
        (false, id),
        "one active escalation per incident"
    );

    let t0 = epoch();
    assert_eq!(advance(&b).await, [(id, 0, 0, t0, vec![C1, C2])]);
    assert!(advance(&b).await.is_empty(), "stage 1 is not due yet");
    b.clock.advance(Duration::seconds(299));
    assert!(advance(&b).await.is_empty());
    // The worker comes late: the next stage is still due from when this
    // one was, so the repeat's first stage (no delay) is due at once.
    b.clock.advance(Duration::seconds(101));
    let t300 = t0 + Duration::seconds(300);
    assert_eq!(advance(&b).await, [(id, 0, 1, t300, vec![C3])]);
    assert_eq!(advance(&b).await, [(id, 1, 0, t300, vec![C1, C2])]);
    let now = b
        .notify
        .escalations
        .get_escalation(&b.acme, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            now.status,
            now.repeat_iteration,
            now.current_step,
            now.next_escalation_at
        ),
        (
            EscalationStatus::Active,
            1,
            1,
            Some(t0 + Duration::seconds(600))
        )
    );
    b.clock.set(t0 + Duration::seconds(600));
    assert_eq!(
        advance(&b).await,
        [(id, 1, 1, t0 + Duration::seconds(600), vec![C3])]
    );
    let expired = b
        .notify
        .escalations
        .get_escalation(&b.acme, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            expired.status,
            expired.repeat_iteration,
            expired.current_step,
            expired.next_escalation_at
        ),
        (EscalationStatus::Expired, 1, 1, None)
    );
    b.clock.advance(Duration::days(1));
    assert!(
        advance(&b).await.is_empty(),
        "an expired escalation never fires"
    );
    let ack = b
        .notify
        .escalations
        .acknowledge_escalation(&b.acme, id, "alice")
        .await;
    assert_eq!(
        expect_kind(ack, ErrorKind::Conflict),
        "escalation cannot go from expired to acknowledged"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn an_acknowledgement_stops_the_paging_once(#[case] backend: Backend) {
    let b = with_channels(backend).await;
    b.notify
        .policies
        .create_policy(&b.acme, POLICY, &two_stages())
        .await
        .unwrap();
    let escalations = &b.notify.escalations;
    let direct = incident(&b, &b.acme, "direct").await;
    let first = escalations
        .start_escalation(&b.acme, Uuid::from_u128(1), direct.id, POLICY)
        .await
        .unwrap()
        .escalation;
    let acked = escalations
        .acknowledge_escalation(&b.acme, first.id, "alice")
        .await
        .unwrap();
    assert_eq!(
        (
            acked.status,
            acked.acknowledged_by.as_deref(),
            acked.acknowledged_at,
            acked.next_escalation_at
        ),
        (
            EscalationStatus::Acknowledged,
            Some("alice"),
            Some(epoch()),
            None
        )
    );
    assert_eq!(
        escalations
            .acknowledge_escalation(&b.acme, first.id, "alice")
            .await
            .unwrap(),
        acked
    );
    let second = escalations
        .acknowledge_escalation(&b.acme, first.id, "bob")
        .await;
    assert_eq!(
        expect_kind(second, ErrorKind::Conflict),
        "escalation conflict: acknowledgement is already taken"
    );
    assert!(
        advance(&b).await.is_empty(),
        "an acknowledged escalation never fires"
    );

    // Acknowledging the incident stops its escalation; resolving ends it.
    let via_incident = incident(&b, &b.acme, "via-incident").await;
    let second = escalations
        .start_escalation(&b.acme, Uuid::from_u128(2), via_incident.id, POLICY)
        .await
        .unwrap()
        .escalation;
    b.clock.advance(Duration::seconds(1));
    b.notify
        .incidents
        .acknowledge_incident(&b.acme, via_incident.id, "carol")
        .await
        .unwrap();
    let stopped = escalations
        .get_escalation(&b.acme, second.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            stopped.status,
            stopped.acknowledged_by.as_deref(),
            stopped.next_escalation_at,
            stopped.updated_at
        ),
        (EscalationStatus::Acknowledged, Some("carol"), None, b.now())
    );
    let restart = escalations
        .start_escalation(&b.acme, Uuid::from_u128(3), via_incident.id, POLICY)
        .await;
    assert_eq!(
        expect_kind(restart, ErrorKind::Conflict),
        "incident cannot go from acknowledged to escalating"
    );
    b.notify
        .incidents
        .resolve_incident(&b.acme, via_incident.id, "carol")
        .await
        .unwrap();
    let ended = escalations
        .escalations_of(&b.acme, via_incident.id)
        .await
        .unwrap();
    assert_eq!(
        ended.iter().map(|e| e.status).collect::<Vec<_>>(),
        [EscalationStatus::Resolved]
    );
    assert!(advance(&b).await.is_empty());

    let mut disabled = two_stages();
    disabled.name = "off".to_owned();
    disabled.enabled = false;
    b.notify
        .policies
        .create_policy(&b.acme, Uuid::from_u128(0xe1), &disabled)
        .await
        .unwrap();
    let open = incident(&b, &b.acme, "open").await;
    let off = escalations
        .start_escalation(&b.acme, Uuid::from_u128(4), open.id, Uuid::from_u128(0xe1))
        .await;
    assert!(expect_kind(off, ErrorKind::InvalidInput).starts_with("invalid escalation policy"));
    let nowhere = escalations
        .start_escalation(
            &b.acme,
            Uuid::from_u128(4),
            open.id,
            Uuid::from_u128(0xdead),
        )
        .await;
    assert_eq!(
        expect_kind(nowhere, ErrorKind::NotFound),
        "escalation policy not found"
    );
    let theirs = escalations
        .start_escalation(&b.acme_eu, Uuid::from_u128(4), open.id, POLICY)
        .await;
    expect_kind(theirs, ErrorKind::NotFound);
    for limit in [0, -1, MAX_ADVANCE + 1] {
        let result = escalations.advance_escalations(&b.system, limit).await;
        assert!(expect_kind(result, ErrorKind::InvalidInput).starts_with("invalid advance limit"));
    }
    assert!(
        escalations
            .escalations_of(&b.acme, open.id)
            .await
            .unwrap()
            .is_empty(),
        "refused starts wrote nothing"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn deleting_a_policy_takes_its_escalations_and_leaves_its_incidents(
    #[case] backend: Backend,
) {
    let b = with_channels(backend).await;
    b.notify
        .policies
        .create_policy(&b.acme, POLICY, &two_stages())
        .await
        .unwrap();
    let mut new = NewIncident::new("k", "t", Severity::High);
    new.escalation_policy_id = Some(POLICY);
    let incident = b
        .notify
        .incidents
        .correlate(&b.acme, &new)
        .await
        .unwrap()
        .incident;
    assert_eq!(incident.escalation_policy_id, Some(POLICY));
    let escalation = b
        .notify
        .escalations
        .start_escalation(&b.acme, Uuid::from_u128(1), incident.id, POLICY)
        .await
        .unwrap();
    assert!(
        b.notify
            .policies
            .delete_policy(&b.acme, POLICY)
            .await
            .unwrap()
    );
    assert_eq!(
        b.notify
            .escalations
            .get_escalation(&b.acme, escalation.escalation.id)
            .await
            .unwrap(),
        None
    );
    let kept = b
        .notify
        .incidents
        .get_incident(&b.acme, incident.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (kept.status, kept.escalation_policy_id),
        (IncidentStatus::Open, None)
    );
}
