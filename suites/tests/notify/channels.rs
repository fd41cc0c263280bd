//! Channels on both backends: CRUD, lists by type without configuration,
//! duplicates, and what a bad request is told.

use chrono::Duration;
use rstest::rstest;
use serde_json::json;
use stellaops_storage::notify::*;
use stellaops_storage::{Backend, ErrorKind};
use uuid::Uuid;

use crate::support::{epoch, expect_kind, setup_on};

fn fields(name: &str, kind: ChannelType) -> ChannelFields {
    let mut fields = ChannelFields::new(name, kind);
    fields.config = json!({"recipients": ["ops@example.test"]});
    fields.credentials_ref = Some(format!("vault://notify/{name}"));
    fields
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn channels_are_created_read_updated_and_deleted(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let channels = &b.notify.channels;
    let id = Uuid::from_u128(1);
    let created = channels
        .create_channel(&b.acme, id, &fields("ops-mail", ChannelType::Email))
        .await
        .unwrap();
    assert_eq!(created.tenant_id, "acme");
    assert_eq!(created.created_at, epoch());
    assert_eq!(
        channels.get_channel(&b.acme, id).await.unwrap(),
        Some(created.clone())
    );

    b.clock.advance(Duration::seconds(1));
    let mut changed = fields("ops-slack", ChannelType::Slack);
    changed.enabled = false;
    let updated = channels
        .update_channel(&b.acme, id, &changed)
        .await
        .unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.channel_type, updated.enabled),
        ("ops-slack", ChannelType::Slack, false)
    );
    assert_eq!(updated.created_at, epoch());
    assert_eq!(updated.updated_at, epoch() + Duration::seconds(1));

    assert!(channels.delete_channel(&b.acme, id).await.unwrap());
    assert!(!channels.delete_channel(&b.acme, id).await.unwrap());
    assert_eq!(channels.get_channel(&b.acme, id).await.unwrap(), None);
    let missing = channels.update_channel(&b.acme, id, &changed).await;
    assert_eq!(
        expect_kind(missing, ErrorKind::NotFound),
        "channel not found"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn lists_go_by_name_filter_by_type_and_never_carry_configuration(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let channels = &b.notify.channels;
    for (n, (name, kind)) in [
        ("pager", ChannelType::PagerDuty),
        ("Alerts", ChannelType::Email),
        ("alerts", ChannelType::Email),
        ("hook", ChannelType::Webhook),
    ]
    .into_iter()
    .enumerate()
    {
        channels
            .create_channel(&b.acme, Uuid::from_u128(n as u128 + 1), &fields(name, kind))
            .await
            .unwrap();
    }
    let names = |list: Vec<ChannelSummary>| list.into_iter().map(|c| c.name).collect::<Vec<_>>();
    // Names sort by their bytes (COLLATE "C"): upper case first.
    assert_eq!(
        names(channels.list_channels(&b.acme, None).await.unwrap()),
        ["Alerts", "alerts", "hook", "pager"]
    );
    assert_eq!(
        names(
            channels
                .list_channels(&b.acme, Some(ChannelType::Email))
                .await
                .unwrap()
        ),
        ["Alerts", "alerts"]
    );
    let listed =
        serde_json::to_string(&channels.list_channels(&b.acme, None).await.unwrap()).unwrap();
    assert!(
        !listed.contains("vault://") && !listed.contains("recipients"),
        "a list carries configuration: {listed}"
    );
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn duplicates_and_bad_input_are_refused_and_write_nothing(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let channels = &b.notify.channels;
    let id = Uuid::from_u128(7);
    channels
        .create_channel(&b.acme, id, &fields("ops", ChannelType::Email))
        .await
        .unwrap();
    let same_id = channels
        .create_channel(&b.acme, id, &fields("other", ChannelType::Email))
        .await;
    assert_eq!(
        expect_kind(same_id, ErrorKind::Conflict),
        "channel conflict: id is already taken"
    );
    let same_name = channels
        .create_channel(
            &b.acme,
            Uuid::from_u128(8),
            &fields("ops", ChannelType::Slack),
        )
        .await;
    assert_eq!(
        expect_kind(same_name, ErrorKind::Conflict),
        "channel conflict: name is already taken"
    );
    let mut not_an_object = fields("cfg", ChannelType::Email);
    not_an_object.config = json!(["a"]);
    let refused = channels
        .create_channel(&b.acme, Uuid::from_u128(9), &not_an_object)
        .await;
    assert!(expect_kind(refused, ErrorKind::InvalidInput).contains("channel config"));
    let unnamed = channels
        .create_channel(
            &b.acme,
            Uuid::from_u128(10),
            &fields("", ChannelType::Email),
        )
        .await;
    assert!(expect_kind(unnamed, ErrorKind::InvalidInput).contains("channel name"));
    assert_eq!(
        channels.list_channels(&b.acme, None).await.unwrap().len(),
        1
    );
    // Another tenant may use the same name.
    channels
        .create_channel(
            &b.acme_eu,
            Uuid::from_u128(8),
            &fields("ops", ChannelType::Email),
        )
        .await
        .unwrap();
}

#[test]
fn an_unknown_channel_type_is_named() {
    let err = "carrier-pigeon".parse::<ChannelType>().unwrap_err();
    assert_eq!(err, "unknown channel type \"carrier-pigeon\"");
}
