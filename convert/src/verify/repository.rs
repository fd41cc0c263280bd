//! The seeds' `Users_Should_Match_Between_Mongo_And_Postgres`: per tenant,
//! what a repository lists (as `stellaops_app`, in the tenant's context)
//! equals the export's documents after conversion, ids excluded.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use stellaops_storage::authority::{ClientRepository, ServiceAccountRepository, UserRepository};
use stellaops_storage::authority::{PgAuthority, UserQuery};
use stellaops_storage::notify::{
    ChannelRepository, PgNotify, QuietHoursRepository, RuleRepository, TemplateRepository,
};
use stellaops_storage::policy::{PackRepository, PgPolicy, RiskProfileRepository};
use stellaops_storage::scheduler::{PgSchedules, ScheduleQuery, ScheduleRepository};
use stellaops_storage::{DataSource, Page, PageRequest, StorageError, SystemClock, TenantContext};

use super::error::VerifyError;
use crate::convert::ConvertedRow;
use crate::table::{Table, Value};

/// The repositories compared, with the collection each lists.
pub const REPOSITORIES: [(&str, &str); 10] = [
    ("users", "authority_users"),
    ("clients", "authority_clients"),
    ("service_accounts", "authority_service_accounts"),
    ("schedules", "schedules"),
    ("channels", "channels"),
    ("templates", "templates"),
    ("rules", "rules"),
    ("quiet_hours", "quiet_hours"),
    ("packs", "policies"),
    // Each promoted profile is read through its digest check: a converted
    // digest the repositories disagree with fails the listing.
    ("risk_profiles", "risk_profiles"),
];

const PAGE: i64 = 500;

/// Everything `repository` lists for `tenant`, each item as its JSON.
pub async fn listed(
    source: &DataSource,
    repository: &'static str,
    tenant: &str,
) -> Result<Vec<serde_json::Value>, VerifyError> {
    let fail = |detail: String| VerifyError::Repository {
        repository,
        tenant: tenant.to_owned(),
        detail,
    };
    let ctx = TenantContext::new(tenant).map_err(|e| fail(e.to_string()))?;
    let items = match repository {
        "users" => {
            let authority = PgAuthority::new(source.clone(), Arc::new(SystemClock));
            let (authority, ctx) = (&authority, &ctx);
            jsons(
                every_page(|page| async move {
                    let query = UserQuery {
                        page,
                        ..UserQuery::default()
                    };
                    authority.list_users(ctx, &query).await
                })
                .await,
            )
            .map_err(fail)?
        }
        "clients" => {
            let authority = PgAuthority::new(source.clone(), Arc::new(SystemClock));
            jsons(authority.list_clients(&ctx).await).map_err(fail)?
        }
        "service_accounts" => {
            let authority = PgAuthority::new(source.clone(), Arc::new(SystemClock));
            jsons(authority.list_service_accounts(&ctx).await).map_err(fail)?
        }
        "schedules" => {
            let schedules = PgSchedules::new(source.clone(), Arc::new(SystemClock));
            let (schedules, ctx) = (&schedules, &ctx);
            jsons(
                every_page(|page| async move {
                    let query = ScheduleQuery {
                        include_deleted: true,
                        page,
                        ..ScheduleQuery::default()
                    };
                    schedules.list(ctx, &query).await
                })
                .await,
            )
            .map_err(fail)?
        }
        "channels" => {
            let notify = PgNotify::new(source.clone(), Arc::new(SystemClock));
            jsons(notify.list_channels(&ctx, None).await).map_err(fail)?
        }
        "templates" => {
            let notify = PgNotify::new(source.clone(), Arc::new(SystemClock));
            jsons(notify.list_templates(&ctx, None).await).map_err(fail)?
        }
        "rules" => {
            let notify = PgNotify::new(source.clone(), Arc::new(SystemClock));
            jsons(notify.list_rules(&ctx).await).map_err(fail)?
        }
        "quiet_hours" => {
            let notify = PgNotify::new(source.clone(), Arc::new(SystemClock));
            jsons(notify.list_quiet_hours(&ctx).await).map_err(fail)?
        }
        "packs" => {
            let policy = PgPolicy::new(source.clone(), Arc::new(SystemClock));
            let (policy, ctx) = (&policy, &ctx);
            jsons(every_page(|page| async move { policy.list_packs(ctx, &page).await }).await)
                .map_err(fail)?
        }
        "risk_profiles" => {
            let policy = PgPolicy::new(source.clone(), Arc::new(SystemClock));
            jsons(policy.list_profiles(&ctx).await).map_err(fail)?
        }
        other => return Err(fail(format!("no repository {other}"))),
    };
    Ok(items)
}

/// Listed items as sorted canonical rows without the id.
pub fn canonical_listed(table: &Table, items: &[serde_json::Value]) -> Result<Vec<String>, String> {
    let mut out = items
        .iter()
        .map(|item| canonical_without_id(table, |column| item.get(column).cloned()))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort();
    Ok(out)
}

/// The expected rows of `tenant`, in the same shape as [`listed`]
/// (only the columns the repository's items carry).
pub fn expected(
    table: &Table,
    rows: &[&ConvertedRow],
    carried: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let mut out: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            canonical_without_id(table, |column| {
                let position = table.position(column)?;
                carried(column).then(|| row.values[position].canonical())
            })
            .ok()
        })
        .collect();
    out.sort();
    out
}

/// Every item of a keyset-paged list, page after page.
async fn every_page<T, Fetch, Next>(mut fetch: Fetch) -> Result<Vec<T>, StorageError>
where
    Fetch: FnMut(PageRequest) -> Next,
    Next: std::future::Future<Output = Result<Page<T>, StorageError>>,
{
    let mut items = Vec::new();
    let mut page = PageRequest::first(PAGE);
    loop {
        let listed = fetch(page).await?;
        items.extend(listed.items);
        match listed.next {
            Some(key) => page = PageRequest::after(PAGE, key),
            None => return Ok(items),
        }
    }
}

fn to_json<T: Serialize>(item: &T) -> Result<serde_json::Value, String> {
    serde_json::to_value(item).map_err(|e| format!("serializing an item: {e}"))
}

fn jsons<T: Serialize>(
    items: Result<Vec<T>, StorageError>,
) -> Result<Vec<serde_json::Value>, String> {
    items
        .map_err(|e| e.to_string())?
        .iter()
        .map(to_json)
        .collect()
}

/// A row as canonical JSON of its columns but `id`; `value` gives a
/// column's JSON, `None` when the side does not carry it.
fn canonical_without_id(
    table: &Table,
    value: impl Fn(&str) -> Option<serde_json::Value>,
) -> Result<String, String> {
    let mut row = BTreeMap::new();
    for (column, kind) in table.columns {
        if *column == "id" {
            continue;
        }
        if let Some(json) = value(column) {
            let canonical = Value::from_row_json(*kind, &json)
                .map_err(|e| format!("column {column}: {e}"))?
                .canonical();
            row.insert(*column, canonical);
        }
    }
    serde_json::to_string(&row).map_err(|e| e.to_string())
}
