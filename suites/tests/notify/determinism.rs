//! Determinism: the same rules, deliveries, incidents and policies,
//! inserted in any order, give byte-identical reads (rule matches, delivery
//! and incident pages, digests, policies with their stages' channels),
//! also with the planner pushed off its usual plans, and the in-memory
//! reference gives the same bytes; the order deliveries are claimed in and
//! escalation stages fire in is the same for every insertion order and
//! plan.

use std::sync::Arc;

use chrono::Duration;
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use stellaops_harness::TestDb;
use stellaops_storage::notify::*;
use stellaops_storage::{ManualClock, ModuleStorage, PageRequest, SystemContext, TenantContext};
use uuid::Uuid;

use stellaops_suites::agreement::{in_any_order, same_bytes_in_any_order};
use stellaops_suites::sources::{PERTURBED_PLANS, data_source, perturbed};

use crate::support::epoch;

const CHANNELS: [Uuid; 3] = [
    Uuid::from_u128(0xc3),
    Uuid::from_u128(0xc1),
    Uuid::from_u128(0xc2),
];

/// One name's rule, delivery, incident and policy.
#[derive(Debug, Clone)]
struct Row {
    name: String,
    priority: i32,
    /// Seconds before the epoch the delivery is due (ties on purpose).
    due_offset: i64,
    /// The policy's first stage pages these channels, in this order.
    stage: Vec<usize>,
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    proptest::collection::btree_set("[a-zA-Z0-9_é -]{1,12}", 1..8).prop_flat_map(|names| {
        let len = names.len();
        (
            Just(names.into_iter().collect::<Vec<_>>()),
            proptest::collection::vec((-2i32..3, 0i64..3), len),
            proptest::collection::vec(Just(vec![0usize, 1, 2]).prop_shuffle(), len),
        )
            .prop_map(|(names, numbers, stages)| {
                names
                    .into_iter()
                    .zip(numbers)
                    .zip(stages)
                    .map(|((name, (priority, due_offset)), stage)| Row {
                        name,
                        priority,
                        due_offset,
                        stage,
                    })
                    .collect()
            })
    })
}

/// Ids from the name, independent of the insertion order.
fn id(name: &str, n: u128) -> Uuid {
    let digest = Sha256::digest(name.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_u128(u128::from_be_bytes(bytes) ^ n)
}

fn acme() -> TenantContext {
    TenantContext::new("acme").unwrap()
}

async fn insert(n: &Notify, rows: &[Row]) {
    let ctx = acme();
    for (i, channel) in CHANNELS.iter().enumerate() {
        // Created in a fixed order: only the rows' order varies.
        n.channels
            .create_channel(
                &ctx,
                *channel,
                &ChannelFields::new(format!("c{i}"), ChannelType::Slack),
            )
            .await
            .unwrap();
    }
    for row in rows {
        let mut rule = RuleFields::new(&row.name, "scan.completed", CHANNELS[0]);
        rule.priority = row.priority;
        n.rules
            .create_rule(&ctx, id(&row.name, 1), &rule)
            .await
            .unwrap();
        let mut delivery = NewDelivery::new(&row.name, CHANNELS[0], &row.name, "ops@example.test");
        delivery.id = id(&row.name, 2);
        delivery.due_at = Some(epoch() - Duration::seconds(row.due_offset));
        n.deliveries.enqueue(&ctx, &delivery).await.unwrap();
        let stage = row.stage.iter().map(|c| CHANNELS[*c]);
        let mut policy = PolicyFields::new(
            &row.name,
            vec![
                EscalationStep::new(0, stage),
                EscalationStep::new(row.due_offset * 30, [CHANNELS[2]]),
            ],
        );
        policy.repeat_count = 1;
        n.policies
            .create_policy(&ctx, id(&row.name, 3), &policy)
            .await
            .unwrap();
        let mut incident = NewIncident::new(&row.name, "down", Severity::High);
        incident.id = id(&row.name, 4);
        n.incidents.correlate(&ctx, &incident).await.unwrap();
        n.escalations
            .start_escalation(&ctx, id(&row.name, 5), incident.id, id(&row.name, 3))
            .await
            .unwrap();
    }
}

/// Every read, serialized.
async fn output(n: &Notify) -> Vec<u8> {
    let ctx = acme();
    let matched = n
        .rules
        .matching_rules(&ctx, "scan.completed")
        .await
        .unwrap();
    let mut pages = Vec::new();
    let mut request = PageRequest::first(3);
    loop {
        let query = DeliveryQuery {
            status: None,
            page: request.clone(),
        };
        let page = n.deliveries.list_deliveries(&ctx, &query).await.unwrap();
        let next = page.next.clone();
        pages.push(page);
        match next {
            Some(key) => request = PageRequest::after(3, key),
            None => break,
        }
    }
    let incidents = n
        .incidents
        .list_incidents(&ctx, &IncidentQuery::default())
        .await
        .unwrap();
    let policies = n.policies.list_policies(&ctx).await.unwrap();
    let channels = n.channels.list_channels(&ctx, None).await.unwrap();
    serde_json::to_vec(&(matched, pages, incidents, policies, channels)).unwrap()
}

#[test]
fn same_data_in_any_order_gives_identical_bytes_and_hashes() {
    in_any_order(rows(), 8, async |rows, shuffled| {
        let clock = Arc::new(ManualClock::at(epoch()));
        same_bytes_in_any_order::<Notify, _>(
            &clock,
            rows.as_slice(),
            shuffled.as_slice(),
            async |n, order| {
                clock.set(epoch());
                insert(n, order).await;
            },
            async |n| output(n).await,
        )
        .await
    });
}

/// Claims two at a time and advances escalations two at a time until
/// nothing is left: the order both happen in, as bytes.
async fn worked(n: &Notify, clock: &ManualClock) -> Vec<u8> {
    let system = SystemContext::new("determinism");
    let mut claims = Vec::new();
    loop {
        let batch = n
            .deliveries
            .claim_deliveries(&system, "s", 2)
            .await
            .unwrap();
        if batch.is_empty() {
            break;
        }
        claims.push(batch.into_iter().map(|d| d.id).collect::<Vec<_>>());
    }
    let mut advances = Vec::new();
    for _ in 0..4 {
        loop {
            let batch = n.escalations.advance_escalations(&system, 2).await.unwrap();
            if batch.is_empty() {
                break;
            }
            advances.push(
                batch
                    .into_iter()
                    .map(|a| (a.escalation.id, a.iteration, a.stage, a.due_at, a.channels))
                    .collect::<Vec<_>>(),
            );
        }
        clock.advance(Duration::seconds(60));
    }
    serde_json::to_vec(&(claims, advances)).unwrap()
}

#[test]
fn claims_and_stages_come_in_one_order_whatever_the_insertion_order_and_plan() {
    in_any_order(rows(), 6, async |rows, shuffled| {
        let mut outputs = Vec::new();
        let mut dbs = Vec::new();
        for (order, settings) in [
            (&rows, None),
            (&shuffled, None),
            (&shuffled, Some(PERTURBED_PLANS[0])),
            (&rows, Some(PERTURBED_PLANS[1])),
        ] {
            let clock = Arc::new(ManualClock::at(epoch()));
            let db = TestDb::new().await.expect("test database");
            let setup = Notify::postgres(data_source(&db).await, clock.clone());
            insert(&setup, order).await;
            let source = match settings {
                Some(settings) => perturbed(&db, settings).await,
                None => data_source(&db).await,
            };
            let notify = Notify::postgres(source, clock.clone());
            outputs.push((settings, worked(&notify, &clock).await));
            dbs.push(db);
        }
        let clock = Arc::new(ManualClock::at(epoch()));
        let memory = Notify::memory(clock.clone());
        insert(&memory, &shuffled).await;
        let reference = worked(&memory, &clock).await;
        for (settings, bytes) in outputs {
            prop_assert_eq!(
                Sha256::digest(&bytes),
                Sha256::digest(&reference),
                "plan {:?}: {} against the reference {}",
                settings,
                String::from_utf8_lossy(&bytes),
                String::from_utf8_lossy(&reference)
            );
        }
        Ok(())
    });
}
