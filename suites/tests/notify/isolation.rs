//! Tenant isolation of channels, templates, rules and deliveries, as `stellaops_app`
//! under row-level security, between the related codes `acme` and
//! `acme-eu`: each tenant holds a row of the same name, and every read,
//! update and delete of one sees, touches and names nothing of the other.

use rstest::rstest;
use stellaops_storage::notify::*;
use stellaops_storage::{Backend, ErrorKind, TenantContext};
use uuid::Uuid;

use crate::support::{Bundle, expect_kind, setup_on};

/// The same names in both tenants; ids differ per tenant.
async fn seed(b: &Bundle, ctx: &TenantContext, base: u128) {
    let channel = Uuid::from_u128(base + 1);
    let template = Uuid::from_u128(base + 2);
    b.notify
        .channels
        .create_channel(ctx, channel, &ChannelFields::new("ops", ChannelType::Email))
        .await
        .unwrap();
    b.notify
        .templates
        .create_template(
            ctx,
            template,
            &TemplateFields::new("t", ChannelType::Email, "{{ event.kind }}"),
        )
        .await
        .unwrap();
    let mut rule = RuleFields::new("r", "scan.completed", channel);
    rule.template_id = Some(template);
    b.notify
        .rules
        .create_rule(ctx, Uuid::from_u128(base + 3), &rule)
        .await
        .unwrap();
    // The same idempotency key in both tenants.
    let mut delivery = NewDelivery::new("scan-1/ops", channel, "scan-1", "ops@example.test");
    delivery.id = Uuid::from_u128(base + 4);
    delivery.rule_id = Some(Uuid::from_u128(base + 3));
    let enqueued = b.notify.deliveries.enqueue(ctx, &delivery).await.unwrap();
    assert!(
        enqueued.created,
        "{} enqueued its own",
        ctx.tenant().as_str()
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn related_tenants_never_see_or_touch_each_others_rows(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    seed(&b, &b.acme, 0x100).await;
    seed(&b, &b.acme_eu, 0x200).await;
    for (ctx, own, other) in [(&b.acme, 0x100, 0x200), (&b.acme_eu, 0x200, 0x100)] {
        let tenant = ctx.tenant().as_str();
        let who = format!("{tenant} reading");
        let channels = b.notify.channels.list_channels(ctx, None).await.unwrap();
        assert!(
            channels.iter().all(|c| c.tenant_id == tenant),
            "{who}: {channels:?}"
        );
        assert_eq!(channels.len(), 1, "{who}");
        let templates = b.notify.templates.list_templates(ctx, None).await.unwrap();
        assert!(templates.iter().all(|t| t.tenant_id == tenant), "{who}");
        let matched = b
            .notify
            .rules
            .matching_rules(ctx, "scan.completed")
            .await
            .unwrap();
        assert_eq!(
            matched
                .iter()
                .map(|r| (r.tenant_id.as_str(), r.id))
                .collect::<Vec<_>>(),
            [(tenant, Uuid::from_u128(own + 3))],
            "{who}"
        );
        assert_eq!(
            b.notify.rules.list_rules(ctx).await.unwrap().len(),
            1,
            "{who}"
        );
        // The other tenant's ids are not found, by read, update or delete.
        let theirs = |n: u128| Uuid::from_u128(other + n);
        assert_eq!(
            b.notify.channels.get_channel(ctx, theirs(1)).await.unwrap(),
            None
        );
        assert_eq!(
            b.notify
                .templates
                .get_template(ctx, theirs(2))
                .await
                .unwrap(),
            None
        );
        assert_eq!(b.notify.rules.get_rule(ctx, theirs(3)).await.unwrap(), None);
        let update = b
            .notify
            .channels
            .update_channel(
                ctx,
                theirs(1),
                &ChannelFields::new("taken", ChannelType::Slack),
            )
            .await;
        assert_eq!(
            expect_kind(update, ErrorKind::NotFound),
            "channel not found"
        );
        let deliveries = b
            .notify
            .deliveries
            .list_deliveries(ctx, &DeliveryQuery::default())
            .await
            .unwrap();
        assert_eq!(
            deliveries
                .items
                .iter()
                .map(|d| (d.tenant_id.as_str(), d.id))
                .collect::<Vec<_>>(),
            [(tenant, Uuid::from_u128(own + 4))],
            "{who}"
        );
        assert_eq!(
            b.notify
                .deliveries
                .get_delivery(ctx, theirs(4))
                .await
                .unwrap(),
            None
        );
        let suppress = b
            .notify
            .deliveries
            .transition_delivery(ctx, theirs(4), DeliveryStatus::Suppressed)
            .await;
        assert_eq!(
            expect_kind(suppress, ErrorKind::NotFound),
            "delivery not found"
        );
        // Their channel and rule ids are not this tenant's to send through.
        let mut through_theirs =
            NewDelivery::new("scan-2/ops", theirs(1), "scan-2", "ops@example.test");
        let enqueue = b.notify.deliveries.enqueue(ctx, &through_theirs).await;
        assert_eq!(
            expect_kind(enqueue, ErrorKind::NotFound),
            "channel not found"
        );
        through_theirs.channel_id = Uuid::from_u128(own + 1);
        through_theirs.rule_id = Some(theirs(3));
        let enqueue = b.notify.deliveries.enqueue(ctx, &through_theirs).await;
        assert_eq!(expect_kind(enqueue, ErrorKind::NotFound), "rule not found");
        assert!(!b.notify.rules.delete_rule(ctx, theirs(3)).await.unwrap());
        assert!(
            !b.notify
                .templates
                .delete_template(ctx, theirs(2))
                .await
                .unwrap()
        );
        assert!(
            !b.notify
                .channels
                .delete_channel(ctx, theirs(1))
                .await
                .unwrap()
        );
    }
    // Nothing of either changed.
    for (ctx, base) in [(&b.acme, 0x100), (&b.acme_eu, 0x200)] {
        let channel = b
            .notify
            .channels
            .get_channel(ctx, Uuid::from_u128(base + 1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (channel.name.as_str(), channel.channel_type),
            ("ops", ChannelType::Email)
        );
        let rule = b
            .notify
            .rules
            .get_rule(ctx, Uuid::from_u128(base + 3))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(rule.template_id, Some(Uuid::from_u128(base + 2)));
        let delivery = b
            .notify
            .deliveries
            .get_delivery(ctx, Uuid::from_u128(base + 4))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (delivery.status, delivery.rule_id),
            (DeliveryStatus::Pending, Some(Uuid::from_u128(base + 3)))
        );
    }
}

/// Digests, escalations, incidents, quiet hours, maintenance windows,
/// on-call schedules, the inbox and the audit trail: each tenant has a row
/// under the same key, and nothing of one is seen, counted, changed or
/// named by the other.
#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn the_rest_of_notify_is_kept_apart_too(#[case] backend: Backend) {
    use chrono::NaiveTime;

    let b = setup_on(backend).await;
    let user = Uuid::from_u128(0xa1);
    let mut kept = Vec::new();
    for (ctx, base) in [(&b.acme, 0x100u128), (&b.acme_eu, 0x200)] {
        let channel = Uuid::from_u128(base + 1);
        b.notify
            .channels
            .create_channel(ctx, channel, &ChannelFields::new("ops", ChannelType::Email))
            .await
            .unwrap();
        let digest = b
            .notify
            .digests
            .append_to_digest(
                ctx,
                &DigestEvent {
                    channel_id: channel,
                    recipient: "ops@example.test".to_owned(),
                    action: "scan.completed".to_owned(),
                    window: DigestWindow::Hour,
                    event_id: "e1".to_owned(),
                    event: serde_json::json!({}),
                },
            )
            .await
            .unwrap();
        let policy = Uuid::from_u128(base + 2);
        b.notify
            .policies
            .create_policy(
                ctx,
                policy,
                &PolicyFields::new("p", vec![EscalationStep::new(60, [channel])]),
            )
            .await
            .unwrap();
        let mut incident = NewIncident::new("db/primary", "down", Severity::High);
        incident.id = Uuid::from_u128(base + 3);
        b.notify.incidents.correlate(ctx, &incident).await.unwrap();
        b.notify
            .escalations
            .start_escalation(ctx, Uuid::from_u128(base + 4), incident.id, policy)
            .await
            .unwrap();
        let quiet = QuietHoursFields::new(
            "nights",
            "UTC",
            NaiveTime::MIN,
            NaiveTime::from_hms_opt(23, 59, 0).unwrap(),
        );
        b.notify
            .quiet_hours
            .create_quiet_hours(ctx, Uuid::from_u128(base + 5), &quiet)
            .await
            .unwrap();
        b.notify
            .maintenance
            .schedule_maintenance(
                ctx,
                &NewMaintenanceWindow {
                    id: Uuid::from_u128(base + 6),
                    name: "upgrade".to_owned(),
                    description: None,
                    suppressed_event_kinds: vec![],
                    starts_at: crate::support::epoch() - chrono::Duration::hours(1),
                    ends_at: crate::support::epoch() + chrono::Duration::hours(1),
                    created_by: "alice".to_owned(),
                },
            )
            .await
            .unwrap();
        b.notify
            .on_call
            .create_schedule(
                ctx,
                Uuid::from_u128(base + 7),
                &ScheduleFields::new("s", "UTC", Rotation::Daily, &["alice"]),
            )
            .await
            .unwrap();
        let mut item = NewInboxItem::new(user, "e1", "scan done");
        item.id = Uuid::from_u128(base + 8);
        b.notify.inbox.deliver_to_inbox(ctx, &item).await.unwrap();
        let mut entry = NewAuditEntry::new(
            AuditCategory::Channel,
            "created",
            "ch-1",
            "alice",
            ActorType::User,
        );
        entry.id = Uuid::from_u128(base + 9);
        b.notify.audit.append_audit(ctx, &entry).await.unwrap();
        kept.push(digest);
    }
    for (ctx, own, other) in [(&b.acme, 0x100u128, 0x200u128), (&b.acme_eu, 0x200, 0x100)] {
        let tenant = ctx.tenant().as_str();
        let theirs = |n: u128| Uuid::from_u128(other + n);
        let ours = |n: u128| Uuid::from_u128(own + n);
        let digests = b
            .notify
            .digests
            .list_digests(ctx, &stellaops_storage::PageRequest::first(10))
            .await
            .unwrap();
        assert!(
            digests.items.iter().all(|d| d.tenant_id == tenant) && digests.items.len() == 1,
            "{tenant}"
        );
        assert_eq!(
            b.notify.policies.get_policy(ctx, theirs(2)).await.unwrap(),
            None
        );
        assert_eq!(
            b.notify
                .incidents
                .get_incident(ctx, theirs(3))
                .await
                .unwrap(),
            None
        );
        let incidents = b
            .notify
            .incidents
            .list_incidents(ctx, &IncidentQuery::default())
            .await
            .unwrap();
        assert_eq!(
            incidents.items.iter().map(|i| i.id).collect::<Vec<_>>(),
            [ours(3)],
            "{tenant}"
        );
        let ack = b
            .notify
            .incidents
            .acknowledge_incident(ctx, theirs(3), "mallory")
            .await;
        assert_eq!(expect_kind(ack, ErrorKind::NotFound), "incident not found");
        let ack = b
            .notify
            .escalations
            .acknowledge_escalation(ctx, theirs(4), "mallory")
            .await;
        assert_eq!(
            expect_kind(ack, ErrorKind::NotFound),
            "escalation not found"
        );
        assert!(
            b.notify
                .escalations
                .escalations_of(ctx, theirs(3))
                .await
                .unwrap()
                .is_empty()
        );
        let start = b
            .notify
            .escalations
            .start_escalation(ctx, Uuid::from_u128(0x999), theirs(3), ours(2))
            .await;
        assert_eq!(
            expect_kind(start, ErrorKind::NotFound),
            "incident not found"
        );
        assert_eq!(
            b.notify
                .quiet_hours
                .list_quiet_hours(ctx)
                .await
                .unwrap()
                .len(),
            1,
            "{tenant}"
        );
        assert!(
            !b.notify
                .quiet_hours
                .delete_quiet_hours(ctx, theirs(5))
                .await
                .unwrap()
        );
        assert_eq!(
            b.notify
                .maintenance
                .get_maintenance(ctx, theirs(6))
                .await
                .unwrap(),
            None
        );
        let suppressing = b
            .notify
            .maintenance
            .suppressing(ctx, "scan.completed", crate::support::epoch())
            .await
            .unwrap();
        assert_eq!(suppressing.map(|w| w.id), Some(ours(6)), "{tenant}");
        let on_call = b
            .notify
            .on_call
            .on_call(ctx, theirs(7), crate::support::epoch())
            .await;
        assert_eq!(
            expect_kind(on_call, ErrorKind::NotFound),
            "on-call schedule not found"
        );
        assert_eq!(
            b.notify.inbox.unread_count(ctx, user).await.unwrap(),
            1,
            "{tenant}"
        );
        assert_eq!(
            b.notify
                .inbox
                .mark_read(ctx, user, &[theirs(8)])
                .await
                .unwrap(),
            0
        );
        assert!(!b.notify.inbox.archive(ctx, user, theirs(8)).await.unwrap());
        let page = b
            .notify
            .inbox
            .inbox_page(ctx, user, &InboxQuery::default())
            .await
            .unwrap();
        assert_eq!(
            page.items.iter().map(|i| i.id).collect::<Vec<_>>(),
            [ours(8)],
            "{tenant}"
        );
        let audit = b
            .notify
            .audit
            .audit_of(
                ctx,
                AuditCategory::Channel,
                "ch-1",
                &stellaops_storage::PageRequest::first(10),
            )
            .await
            .unwrap();
        assert_eq!(
            audit.items.iter().map(|e| e.id).collect::<Vec<_>>(),
            [ours(9)],
            "{tenant}"
        );
    }
    // Nothing either tenant tried changed the other's rows.
    for (ctx, base) in [(&b.acme, 0x100u128), (&b.acme_eu, 0x200)] {
        let incident = b
            .notify
            .incidents
            .get_incident(ctx, Uuid::from_u128(base + 3))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(incident.status, IncidentStatus::Open);
        assert_eq!(b.notify.inbox.unread_count(ctx, user).await.unwrap(), 1);
        assert_eq!(
            b.notify
                .quiet_hours
                .list_quiet_hours(ctx)
                .await
                .unwrap()
                .len(),
            1
        );
    }
    assert_ne!(kept[0].id, kept[1].id);
}
