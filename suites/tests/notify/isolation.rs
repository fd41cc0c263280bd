//! Tenant isolation of channels, templates and rules, as `stellaops_app`
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
    }
}
