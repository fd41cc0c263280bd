//! Every tenant-scoped read of Notify's repositories, on both backends,
//! against a related tenant holding rows with the same ids, names and keys:
//! `acme` never reads a row of `acme-eu`. A read served without row-level
//! security (through the system pool, or a memory map keyed without the
//! tenant) answers with the other tenant's row; here it is caught whatever
//! the order of the rows. Reads that answer no row (a count, an instant,
//! who is on call) report the reading tenant once per thing they found.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use rstest::rstest;
use stellaops_storage::notify::*;
use stellaops_storage::{Backend, PageRequest, TenantContext};
use stellaops_suites::related_reads::{Probe, Seen, tenants};
use uuid::Uuid;

use crate::support::{Bundle, epoch, setup_on};

const CHANNEL: Uuid = Uuid::from_u128(0x31);
const TEMPLATE: Uuid = Uuid::from_u128(0x32);
const RULE: Uuid = Uuid::from_u128(0x33);
const DELIVERY: Uuid = Uuid::from_u128(0x34);
const POLICY: Uuid = Uuid::from_u128(0x35);
const INCIDENT: Uuid = Uuid::from_u128(0x36);
const ESCALATION: Uuid = Uuid::from_u128(0x37);
const QUIET: Uuid = Uuid::from_u128(0x38);
const WINDOW: Uuid = Uuid::from_u128(0x39);
const SCHEDULE: Uuid = Uuid::from_u128(0x3a);
const INBOX_ITEM: Uuid = Uuid::from_u128(0x3b);
const AUDIT_ENTRY: Uuid = Uuid::from_u128(0x3c);
const USER: Uuid = Uuid::from_u128(0xa1);
const KIND: &str = "scan.completed";

/// Inside the quiet hours, the maintenance window and an on-call shift.
fn at() -> DateTime<Utc> {
    epoch()
}

/// The id a digest window of `tenant` gets (a name-based UUID of tenant,
/// channel, key and start, as the storage documents it): both tenants'
/// windows are probed by id, so a read that ignores the tenant finds one.
fn digest_id(tenant: &str) -> Uuid {
    let (start, _) = DigestWindow::Hour.around(at()).unwrap();
    let name = format!(
        "{tenant}\n{CHANNEL}\n{}\n{}",
        digest_key_of_probe(),
        start.timestamp_micros()
    );
    Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes())
}

/// The key the probe's digest event files under.
fn digest_key_of_probe() -> String {
    probe_event().digest_key()
}

fn probe_event() -> DigestEvent {
    DigestEvent {
        channel_id: CHANNEL,
        recipient: "ops@example.test".to_owned(),
        action: KIND.to_owned(),
        window: DigestWindow::Hour,
        event_id: "e1".to_owned(),
        event: serde_json::json!({}),
    }
}

/// The same rows, ids, names and keys for any tenant.
async fn seed(b: &Bundle, ctx: &TenantContext) {
    let n = &b.notify;
    n.channels
        .create_channel(ctx, CHANNEL, &ChannelFields::new("ops", ChannelType::Email))
        .await
        .unwrap();
    n.templates
        .create_template(
            ctx,
            TEMPLATE,
            &TemplateFields::new("t", ChannelType::Email, "{{ event.kind }}"),
        )
        .await
        .unwrap();
    let mut rule = RuleFields::new("r", KIND, CHANNEL);
    rule.template_id = Some(TEMPLATE);
    n.rules.create_rule(ctx, RULE, &rule).await.unwrap();
    let mut delivery = NewDelivery::new("scan-1/ops", CHANNEL, "scan-1", "ops@example.test");
    delivery.id = DELIVERY;
    delivery.rule_id = Some(RULE);
    n.deliveries.enqueue(ctx, &delivery).await.unwrap();
    let digest = n
        .digests
        .append_to_digest(ctx, &probe_event())
        .await
        .unwrap();
    assert_eq!(
        digest.id,
        digest_id(ctx.tenant().as_str()),
        "the documented id"
    );
    n.policies
        .create_policy(
            ctx,
            POLICY,
            &PolicyFields::new("p", vec![EscalationStep::new(60, [CHANNEL])]),
        )
        .await
        .unwrap();
    let mut incident = NewIncident::new("db/primary", "down", Severity::High);
    incident.id = INCIDENT;
    n.incidents.correlate(ctx, &incident).await.unwrap();
    n.escalations
        .start_escalation(ctx, ESCALATION, INCIDENT, POLICY)
        .await
        .unwrap();
    let mut quiet = QuietHoursFields::new(
        "nights",
        "UTC",
        NaiveTime::MIN,
        NaiveTime::from_hms_opt(23, 59, 0).unwrap(),
    );
    quiet.channel_id = Some(CHANNEL);
    n.quiet_hours
        .create_quiet_hours(ctx, QUIET, &quiet)
        .await
        .unwrap();
    n.maintenance
        .schedule_maintenance(
            ctx,
            &NewMaintenanceWindow {
                id: WINDOW,
                name: "upgrade".to_owned(),
                description: None,
                suppressed_event_kinds: vec![KIND.to_owned()],
                starts_at: at() - Duration::hours(1),
                ends_at: at() + Duration::hours(1),
                created_by: "alice".to_owned(),
            },
        )
        .await
        .unwrap();
    n.on_call
        .create_schedule(
            ctx,
            SCHEDULE,
            &ScheduleFields::new("s", "UTC", Rotation::Daily, &["alice"]),
        )
        .await
        .unwrap();
    let mut item = NewInboxItem::new(USER, "e1", "scan done");
    item.id = INBOX_ITEM;
    n.inbox.deliver_to_inbox(ctx, &item).await.unwrap();
    let mut entry = NewAuditEntry::new(
        AuditCategory::Channel,
        "created",
        "ch-1",
        "alice",
        ActorType::User,
    );
    entry.id = AUDIT_ENTRY;
    n.audit.append_audit(ctx, &entry).await.unwrap();
}

/// The reading tenant once per thing a read found that is not a row.
fn found(ctx: &TenantContext, times: usize) -> Seen {
    vec![ctx.tenant().as_str().to_owned(); times]
}

macro_rules! probes {
    ($($name:ident => |$n:ident, $ctx:ident| $body:expr;)*) => {
        $(
            fn $name<'a>(
                $n: &'a Notify,
                $ctx: &'a TenantContext,
            ) -> Pin<Box<dyn Future<Output = Seen> + Send + 'a>> {
                Box::pin(async move { $body })
            }
        )*
        /// Every tenant-scoped read of Notify's repository traits.
        const PROBES: &[(&str, Probe<Notify>)] = &[$((stringify!($name), $name)),*];
    };
}

probes! {
    channel_get => |n, ctx| tenants(n.channels.get_channel(ctx, CHANNEL).await.unwrap(), |x| &x.tenant_id);
    channel_list => |n, ctx| tenants(n.channels.list_channels(ctx, None).await.unwrap(), |x| &x.tenant_id);
    channel_list_of_type => |n, ctx| {
        tenants(n.channels.list_channels(ctx, Some(ChannelType::Email)).await.unwrap(), |x| &x.tenant_id)
    };
    template_get => |n, ctx| tenants(n.templates.get_template(ctx, TEMPLATE).await.unwrap(), |x| &x.tenant_id);
    template_list => |n, ctx| tenants(n.templates.list_templates(ctx, None).await.unwrap(), |x| &x.tenant_id);
    rule_get => |n, ctx| tenants(n.rules.get_rule(ctx, RULE).await.unwrap(), |x| &x.tenant_id);
    rule_list => |n, ctx| tenants(n.rules.list_rules(ctx).await.unwrap(), |x| &x.tenant_id);
    rule_match => |n, ctx| tenants(n.rules.matching_rules(ctx, KIND).await.unwrap(), |x| &x.tenant_id);
    delivery_get => |n, ctx| tenants(n.deliveries.get_delivery(ctx, DELIVERY).await.unwrap(), |x| &x.tenant_id);
    delivery_list => |n, ctx| {
        tenants(n.deliveries.list_deliveries(ctx, &DeliveryQuery::default()).await.unwrap().items, |x| &x.tenant_id)
    };
    digest_get => |n, ctx| {
        let mut seen = Vec::new();
        for tenant in [crate::support::ACME, crate::support::ACME_EU] {
            seen.extend(tenants(n.digests.get_digest(ctx, digest_id(tenant)).await.unwrap(), |x| &x.tenant_id));
        }
        seen
    };
    digest_list => |n, ctx| {
        tenants(n.digests.list_digests(ctx, &PageRequest::first(10)).await.unwrap().items, |x| &x.tenant_id)
    };
    policy_get => |n, ctx| tenants(n.policies.get_policy(ctx, POLICY).await.unwrap(), |x| &x.tenant_id);
    policy_list => |n, ctx| tenants(n.policies.list_policies(ctx).await.unwrap(), |x| &x.tenant_id);
    incident_get => |n, ctx| tenants(n.incidents.get_incident(ctx, INCIDENT).await.unwrap(), |x| &x.tenant_id);
    incident_list => |n, ctx| {
        tenants(n.incidents.list_incidents(ctx, &IncidentQuery::default()).await.unwrap().items, |x| &x.tenant_id)
    };
    escalation_get => |n, ctx| tenants(n.escalations.get_escalation(ctx, ESCALATION).await.unwrap(), |x| &x.tenant_id);
    escalation_of_incident => |n, ctx| {
        tenants(n.escalations.escalations_of(ctx, INCIDENT).await.unwrap(), |x| &x.tenant_id)
    };
    quiet_get => |n, ctx| tenants(n.quiet_hours.get_quiet_hours(ctx, QUIET).await.unwrap(), |x| &x.tenant_id);
    quiet_list => |n, ctx| tenants(n.quiet_hours.list_quiet_hours(ctx).await.unwrap(), |x| &x.tenant_id);
    quiet_until => |n, ctx| {
        let until = n.quiet_hours.quiet_until(ctx, CHANNEL, at()).await.unwrap();
        found(ctx, usize::from(until.is_some()))
    };
    maintenance_get => |n, ctx| tenants(n.maintenance.get_maintenance(ctx, WINDOW).await.unwrap(), |x| &x.tenant_id);
    maintenance_list => |n, ctx| {
        tenants(n.maintenance.list_maintenance(ctx, &PageRequest::first(10)).await.unwrap().items, |x| &x.tenant_id)
    };
    maintenance_suppressing => |n, ctx| {
        tenants(n.maintenance.suppressing(ctx, KIND, at()).await.unwrap(), |x| &x.tenant_id)
    };
    on_call_get => |n, ctx| tenants(n.on_call.get_schedule(ctx, SCHEDULE).await.unwrap(), |x| &x.tenant_id);
    on_call_list => |n, ctx| tenants(n.on_call.list_schedules(ctx).await.unwrap(), |x| &x.tenant_id);
    on_call_at => |n, ctx| {
        // Another tenant's schedule is "not found", the tenant's own answers.
        let who = n.on_call.on_call(ctx, SCHEDULE, at()).await.ok().flatten();
        found(ctx, usize::from(who.is_some()))
    };
    inbox_page => |n, ctx| {
        tenants(n.inbox.inbox_page(ctx, USER, &InboxQuery::default()).await.unwrap().items, |x| &x.tenant_id)
    };
    inbox_unread_count => |n, ctx| {
        let count = n.inbox.unread_count(ctx, USER).await.unwrap();
        found(ctx, usize::try_from(count).unwrap())
    };
    audit_of_entity => |n, ctx| {
        let page = n.audit.audit_of(ctx, AuditCategory::Channel, "ch-1", &PageRequest::first(10)).await.unwrap();
        tenants(page.items, |x| &x.tenant_id)
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
        &b.notify,
        &b.acme_eu,
        &b.acme,
        async |ctx| seed(&b, ctx).await,
    )
    .await;
}
