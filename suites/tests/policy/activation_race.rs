//! `one_active_version_under_race`: K sessions activate K approved
//! versions of one pack at once. Each activation is recorded (the version
//! it published, the one it retired) and the history checker holds them to
//! a chain: no version is retired twice and only one activation found the
//! pack without an active version; at the end exactly one version is
//! published and the pack names it.

use std::sync::Arc;

use stellaops_storage::policy::*;
use stellaops_storage::{Backend, TenantContext};
use stellaops_suites::history::{History, Op, Record};
use uuid::Uuid;

use crate::support::setup_on;

const PACK: Uuid = Uuid::from_u128(1);
const CONTENDERS: u128 = 6;

#[tokio::test]
async fn one_active_version_under_race() {
    let b = setup_on(Backend::Postgres).await;
    b.pack(&b.acme, PACK, "p").await;
    for n in 0..CONTENDERS {
        b.approved(&b.acme, PACK, Uuid::from_u128(10 + n), &format!("v{n}"))
            .await;
    }
    let history = Arc::new(History::default());
    let start = Arc::new(tokio::sync::Barrier::new(CONTENDERS as usize));
    let mut tasks = Vec::new();
    for n in 0..CONTENDERS {
        let (versions, history, start) =
            (b.policy.versions.clone(), history.clone(), start.clone());
        let ctx: TenantContext = b.acme.clone();
        tasks.push(tokio::spawn(async move {
            let id = Uuid::from_u128(10 + n);
            let worker = format!("activator-{n}");
            start.wait().await;
            let invoked = history.invoke();
            let activated = versions.activate_version(&ctx, id).await;
            let accepted = activated.is_ok();
            let pack = PACK.to_string();
            history.record(
                invoked,
                Record {
                    worker: &worker,
                    op: Op::Activate,
                    item: &pack,
                    token: n as i64,
                    accepted,
                    batch: None,
                    validity: None,
                },
            );
            if let Ok(activated) = &activated {
                let retired = activated
                    .retired
                    .as_ref()
                    .map_or("none".to_owned(), |v| v.id.to_string());
                let item = format!("{PACK}/{retired}");
                history.record(
                    invoked,
                    Record {
                        worker: &worker,
                        op: Op::Retire,
                        item: &item,
                        token: 0,
                        accepted: true,
                        batch: None,
                        validity: None,
                    },
                );
            }
            activated.map(|a| a.version.id)
        }));
    }
    let mut published = Vec::new();
    for task in tasks {
        published.push(task.await.unwrap().unwrap());
    }
    let violations = history.check(&[]);
    assert!(violations.is_empty(), "{violations:#?}");
    let versions = b.policy.versions.versions_of(&b.acme, PACK).await.unwrap();
    let live: Vec<&PackVersion> = versions
        .iter()
        .filter(|v| v.status == VersionStatus::Published)
        .collect();
    assert_eq!(live.len(), 1, "{versions:#?}");
    assert_eq!(
        versions
            .iter()
            .filter(|v| v.status == VersionStatus::Retired)
            .count() as u128,
        CONTENDERS - 1
    );
    let pack = b
        .policy
        .packs
        .get_pack(&b.acme, PACK)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pack.active_version, Some(live[0].version));
    assert_eq!(
        b.policy
            .versions
            .active_version(&b.acme, PACK)
            .await
            .unwrap()
            .as_ref(),
        Some(live[0])
    );
}
