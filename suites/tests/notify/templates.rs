//! Templates on both backends: CRUD per channel type and locale, render
//! keys checked before anything is written.

use rstest::rstest;
use stellaops_storage::notify::*;
use stellaops_storage::{Backend, ErrorKind};
use uuid::Uuid;

use crate::support::{expect_kind, setup_on};

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn templates_are_kept_per_channel_type_and_locale(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let templates = &b.notify.templates;
    let body = "{{ event.kind }} on {{ finding.severity }}";
    let email = TemplateFields::new("finding", ChannelType::Email, body);
    let mut german = email.clone();
    german.locale = "de-DE".into();
    german.subject_template = Some("Befund {{ event.kind }}".into());
    let slack = TemplateFields::new("finding", ChannelType::Slack, body);
    for (n, fields) in [&email, &german, &slack].into_iter().enumerate() {
        templates
            .create_template(&b.acme, Uuid::from_u128(n as u128 + 1), fields)
            .await
            .unwrap();
    }
    let listed: Vec<(ChannelType, String)> = templates
        .list_templates(&b.acme, None)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.channel_type, t.locale))
        .collect();
    assert_eq!(
        listed,
        [
            (ChannelType::Email, "de-DE".to_owned()),
            (ChannelType::Email, "en-US".to_owned()),
            (ChannelType::Slack, "en-US".to_owned()),
        ]
    );
    assert_eq!(
        templates
            .list_templates(&b.acme, Some(ChannelType::Slack))
            .await
            .unwrap()
            .len(),
        1
    );
    let again = templates
        .create_template(&b.acme, Uuid::from_u128(9), &german)
        .await;
    assert_eq!(
        expect_kind(again, ErrorKind::Conflict),
        "template conflict: name, channel type and locale is already taken"
    );
    let mut changed = email.clone();
    changed.body_template = "{{ event.kind }}".into();
    let updated = templates
        .update_template(&b.acme, Uuid::from_u128(1), &changed)
        .await
        .unwrap();
    assert_eq!(updated.body_template, "{{ event.kind }}");
    assert!(
        templates
            .delete_template(&b.acme, Uuid::from_u128(1))
            .await
            .unwrap()
    );
    let gone = templates
        .update_template(&b.acme, Uuid::from_u128(1), &changed)
        .await;
    assert_eq!(expect_kind(gone, ErrorKind::NotFound), "template not found");
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn bad_render_keys_and_locales_are_refused_and_write_nothing(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    let templates = &b.notify.templates;
    let cases: [(&str, TemplateFields); 4] = [
        (
            "body template",
            TemplateFields::new("open", ChannelType::Email, "{{ event.kind"),
        ),
        (
            "body template",
            TemplateFields::new("upper", ChannelType::Email, "{{ Event }}"),
        ),
        ("subject template", {
            let mut f = TemplateFields::new("subject", ChannelType::Email, "ok");
            f.subject_template = Some("stray }}".into());
            f
        }),
        ("locale", {
            let mut f = TemplateFields::new("locale", ChannelType::Email, "ok");
            f.locale = "english please".into();
            f
        }),
    ];
    for (n, (field, fields)) in cases.into_iter().enumerate() {
        let refused = templates
            .create_template(&b.acme, Uuid::from_u128(n as u128 + 1), &fields)
            .await;
        let message = expect_kind(refused, ErrorKind::InvalidInput);
        assert!(message.contains(field), "{field}: {message}");
    }
    assert!(
        templates
            .list_templates(&b.acme, None)
            .await
            .unwrap()
            .is_empty()
    );
}
