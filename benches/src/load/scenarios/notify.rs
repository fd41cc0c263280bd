//! Notify's critical paths: one operation each, through the repositories.

use std::time::{Duration, Instant};

use stellaops_storage::StorageError;
use stellaops_storage::notify::{InboxQuery, NewDelivery};
use stellaops_storage::page::PageRequest;
use uuid::Uuid;

use super::context::{Context, Operation, UserState, finish, seeded_uuid};
use crate::load::CriticalPath;
use crate::load::dataset::EVENT_KINDS;

/// How many due escalations one worker's fetch advances.
pub const ESCALATION_LIMIT: i64 = 10;
/// Items per inbox page.
pub const INBOX_PAGE: i64 = 20;

impl Context {
    pub(super) async fn notify_operation(
        &self,
        path: CriticalPath,
        op: &Operation,
        user: &mut UserState,
    ) -> Result<Option<Duration>, StorageError> {
        let (n, t, tenant) = (op.n, op.t, &op.tenant);
        match path {
            CriticalPath::DeliveryEnqueue => {
                let mut new = NewDelivery::new(
                    format!("load-{n}"),
                    seeded_uuid(&format!("nc/{t}/1")),
                    format!("load-{n}"),
                    format!("ops@tenant{t}.test"),
                );
                new.id = Uuid::from_u128(0x10ad_d000_0000_0000_0000_0000_0000_0000 | u128::from(n));
                new.payload = serde_json::json!({"scan": n, "findings": n % 17});
                let started = Instant::now();
                self.notify.deliveries.enqueue(tenant, &new).await?;
                Ok(Some(finish(path, started)))
            }
            CriticalPath::DeliveryClaim => {
                let started = Instant::now();
                let claimed = self
                    .notify
                    .deliveries
                    .claim_deliveries(&self.system, &user.worker, 1)
                    .await?;
                let took = finish(path, started);
                if claimed.is_empty() {
                    return Err(StorageError::NotFound {
                        entity: "due delivery",
                    });
                }
                Ok(Some(took))
            }
            CriticalPath::RuleMatch => {
                let kind = format!("kind-{}", n % u64::from(EVENT_KINDS));
                let started = Instant::now();
                let rules = self.notify.rules.matching_rules(tenant, &kind).await?;
                let took = finish(path, started);
                if rules.is_empty() {
                    return Err(StorageError::NotFound {
                        entity: "matching rule",
                    });
                }
                Ok(Some(took))
            }
            CriticalPath::EscalationDue => {
                let started = Instant::now();
                let advanced = self
                    .notify
                    .escalations
                    .advance_escalations(&self.system, ESCALATION_LIMIT)
                    .await?;
                let took = finish(path, started);
                if advanced.is_empty() {
                    return Err(StorageError::NotFound {
                        entity: "due escalation",
                    });
                }
                Ok(Some(took))
            }
            CriticalPath::InboxPage => {
                let inbox_user = 1 + (n % u64::from(self.volume.inbox_users_per_tenant.max(1)));
                let user_id = seeded_uuid(&format!("u/{t}/{inbox_user}"));
                let query = InboxQuery {
                    page: PageRequest::first(INBOX_PAGE),
                    ..InboxQuery::default()
                };
                let started = Instant::now();
                let page = self
                    .notify
                    .inbox
                    .inbox_page(tenant, user_id, &query)
                    .await?;
                let took = finish(path, started);
                if page.items.is_empty() {
                    return Err(StorageError::NotFound {
                        entity: "inbox item",
                    });
                }
                Ok(Some(took))
            }
            _ => Ok(None),
        }
    }
}
