//! Policy packs (`policy.packs`): a stable id and name per tenant, the
//! number of the active version, and a status with its transition table;
//! trait and PostgreSQL implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::kinds::{PackStatus, illegal};
use super::postgres::PgPolicy;
use crate::error::Constraint;
use crate::page::{Page, PageRequest};
use crate::table::Table;
use crate::work::TimeKeyset;
use crate::{StorageError, TenantContext, input};

/// A pack of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Pack {
    pub tenant_id: String,
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: PackStatus,
    /// The number of the published version, if one is.
    pub active_version: Option<i32>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The fields a caller sets on create and update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackFields {
    pub name: String,
    pub description: Option<String>,
}

impl PackFields {
    pub fn new(name: impl Into<String>) -> Self {
        PackFields {
            name: name.into(),
            description: None,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("pack name", &self.name)?;
        input::optional_text("pack description", self.description.as_deref())
    }
}

/// Policy's pack repository.
#[async_trait]
pub trait PackRepository: Send + Sync + std::fmt::Debug {
    async fn create_pack(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PackFields,
        created_by: &str,
    ) -> Result<Pack, StorageError>;
    async fn get_pack(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Pack>, StorageError>;
    /// The tenant's packs by (created_at, id), a keyset page.
    async fn list_packs(
        &self,
        ctx: &TenantContext,
        page: &PageRequest,
    ) -> Result<Page<Pack>, StorageError>;
    async fn update_pack(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PackFields,
    ) -> Result<Pack, StorageError>;
    /// A change by hand ([`PackStatus::by_hand`]); a deprecated pack
    /// becomes active again only with an active version. Any other change
    /// names both statuses and writes nothing.
    async fn change_pack_status(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: PackStatus,
    ) -> Result<Pack, StorageError>;
    /// Deletes a pack that never published a version; one that did keeps
    /// its history (archive it instead).
    async fn delete_pack(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError>;
}

macro_rules! pack_columns {
    () => {
        "tenant_id, id, name, description, status, active_version, created_by, created_at, \
         updated_at"
    };
}

pub(crate) const PACKS: Table = Table {
    name: "policy.packs",
    entity: "pack",
    columns: pack_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        pack_columns!(),
        " FROM policy.packs WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("packs_pkey", Constraint::Unique("id")),
        ("packs_tenant_id_name_key", Constraint::Unique("name")),
    ],
};

/// Whether a pack may change from `from` to `to` by hand, given whether
/// it has an active version.
pub(crate) fn check_pack_change(
    from: PackStatus,
    to: PackStatus,
    has_active: bool,
) -> Result<(), StorageError> {
    if !from.by_hand(to) || (to == PackStatus::Active && !has_active) {
        return Err(illegal("pack", from.as_str(), to.as_str()));
    }
    Ok(())
}

/// Why a pack with published history is not deleted.
pub(crate) fn keeps_history() -> StorageError {
    StorageError::Immutable {
        entity: "pack",
        state: "published".to_owned(),
        remedy: "archive it instead",
    }
}

#[async_trait]
impl PackRepository for PgPolicy {
    async fn create_pack(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PackFields,
        created_by: &str,
    ) -> Result<Pack, StorageError> {
        fields.validate()?;
        input::key("created by", created_by)?;
        let statement = sqlx::query_as::<_, Pack>(concat!(
            "INSERT INTO policy.packs (tenant_id, id, name, description, created_by, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ",
            pack_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(id)
        .bind(&fields.name)
        .bind(&fields.description)
        .bind(created_by)
        .bind(self.clock.now());
        self.source
            .call(ctx, &PACKS, "creating a pack")
            .one(statement)
            .await
    }

    async fn get_pack(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<Pack>, StorageError> {
        self.source
            .get_by_id(ctx, &PACKS, "reading a pack", id)
            .await
    }

    async fn list_packs(
        &self,
        ctx: &TenantContext,
        page: &PageRequest,
    ) -> Result<Page<Pack>, StorageError> {
        self.source
            .time_keyset_page(
                ctx,
                &PACKS,
                "listing packs",
                TimeKeyset {
                    page,
                    forward: concat!(
                        "SELECT ",
                        pack_columns!(),
                        " FROM policy.packs \
                         WHERE ($1::timestamptz IS NULL OR (created_at, id) > ($1, $2)) \
                         ORDER BY created_at, id LIMIT $3"
                    ),
                    backward: concat!(
                        "SELECT ",
                        pack_columns!(),
                        " FROM policy.packs \
                         WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2)) \
                         ORDER BY created_at DESC, id DESC LIMIT $3"
                    ),
                },
                |q| q,
                |p: &Pack| (p.created_at, p.id),
            )
            .await
    }

    async fn update_pack(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &PackFields,
    ) -> Result<Pack, StorageError> {
        fields.validate()?;
        let statement = sqlx::query_as::<_, Pack>(concat!(
            "UPDATE policy.packs SET name = $2, description = $3, updated_at = $4 \
             WHERE id = $1 RETURNING ",
            pack_columns!()
        ))
        .bind(id)
        .bind(&fields.name)
        .bind(&fields.description)
        .bind(self.clock.now());
        self.source
            .call(ctx, &PACKS, "updating a pack")
            .one(statement)
            .await
    }

    async fn change_pack_status(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        to: PackStatus,
    ) -> Result<Pack, StorageError> {
        let mut work = self.source.work(ctx).await?;
        let (current, active): (String, Option<i32>) = work
            .on(&PACKS, "reading a pack's status")
            .one(
                sqlx::query_as(
                    "SELECT status, active_version FROM policy.packs WHERE id = $1 FOR UPDATE",
                )
                .bind(id),
            )
            .await?;
        let from: PackStatus = current
            .parse()
            .map_err(|e: String| StorageError::invalid("pack status", e))?;
        check_pack_change(from, to, active.is_some())?;
        let pack = work
            .on(&PACKS, "changing a pack's status")
            .one(
                sqlx::query_as::<_, Pack>(concat!(
                    "UPDATE policy.packs SET status = $2, updated_at = $3 WHERE id = $1 RETURNING ",
                    pack_columns!()
                ))
                .bind(id)
                .bind(to.as_str())
                .bind(self.clock.now()),
            )
            .await?;
        work.commit().await?;
        Ok(pack)
    }

    async fn delete_pack(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut work = self.source.work(ctx).await?;
        let published: Option<bool> = work
            .on(&PACKS, "reading a pack's history")
            .optional(
                sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM policy.pack_versions v \
                      WHERE v.pack_id = p.id AND v.status IN ('published', 'retired')) \
                     FROM policy.packs p WHERE p.id = $1 FOR UPDATE",
                )
                .bind(id),
            )
            .await?;
        match published {
            None => return Ok(false),
            Some(true) => return Err(keeps_history()),
            Some(false) => {}
        }
        let deleted = work
            .on(&PACKS, "deleting a pack")
            .execute(sqlx::query("DELETE FROM policy.packs WHERE id = $1").bind(id))
            .await?;
        work.commit().await?;
        Ok(deleted == 1)
    }
}
