//! Users (`authority.users`): the repository trait and its PostgreSQL
//! implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::postgres::PgAuthority;
use super::roles::Role;
use super::status::UserStatus;
use crate::error::Constraint;
use crate::page::{Cursor, Page, PageRequest};
use crate::table::Table;
use crate::{StorageError, SystemContext, TenantContext, input};
use sqlx::AssertSqlSafe;

/// An identity of one tenant (`authority.users`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct User {
    pub tenant_id: String,
    pub id: Uuid,
    pub subject_id: Uuid,
    pub username: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub password_hash: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
    pub failed_login_count: i32,
    pub last_login_at: Option<DateTime<Utc>>,
    pub attributes: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// The fields a caller sets on create and update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFields {
    pub username: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub password_hash: Option<String>,
    pub status: UserStatus,
    pub attributes: Value,
}

impl UserFields {
    /// An active user with only a username.
    pub fn named(username: impl Into<String>) -> Self {
        UserFields {
            username: username.into(),
            email: None,
            display_name: None,
            password_hash: None,
            status: UserStatus::Active,
            attributes: Value::Object(Default::default()),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("username", &self.username)?;
        input::optional_text("email", self.email.as_deref())?;
        input::optional_text("display name", self.display_name.as_deref())?;
        input::optional_text("password hash", self.password_hash.as_deref())?;
        input::json_object("attributes", &self.attributes)
    }
}

/// A user to create. The caller picks the ids, so an import keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub id: Uuid,
    pub subject_id: Uuid,
    pub fields: UserFields,
}

impl NewUser {
    /// A user with fresh random ids.
    pub fn new(fields: UserFields) -> Self {
        NewUser {
            id: Uuid::new_v4(),
            subject_id: Uuid::new_v4(),
            fields,
        }
    }
}

/// Filters of the user list; pages are keyed by username (`COLLATE "C"`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserQuery {
    pub status: Option<UserStatus>,
    /// Usernames that start with this text.
    pub username_prefix: Option<String>,
    pub page: PageRequest,
}

impl UserQuery {
    pub(crate) fn validate(&self) -> Result<(u32, Option<i64>), StorageError> {
        if let Some(prefix) = &self.username_prefix {
            input::bounded("username prefix", prefix, input::MAX_KEY_LEN)?;
        }
        match &self.page.cursor {
            Cursor::After(key) | Cursor::Before(key) => {
                input::bounded("page cursor", key, input::MAX_KEY_LEN)?
            }
            Cursor::Start | Cursor::End => {}
        }
        self.page.effective_size()
    }
}

/// The seeds' `IUserRepository`.
#[async_trait]
pub trait UserRepository: Send + Sync + std::fmt::Debug {
    async fn get_user(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<User>, StorageError>;
    async fn get_user_by_username(
        &self,
        ctx: &TenantContext,
        username: &str,
    ) -> Result<Option<User>, StorageError>;
    /// Across tenants: the subject id is what a token carries.
    async fn get_user_by_subject_id(
        &self,
        ctx: &SystemContext,
        subject_id: Uuid,
    ) -> Result<Option<User>, StorageError>;
    async fn list_users(
        &self,
        ctx: &TenantContext,
        query: &UserQuery,
    ) -> Result<Page<User>, StorageError>;
    async fn create_user(&self, ctx: &TenantContext, user: &NewUser) -> Result<User, StorageError>;
    async fn update_user(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &UserFields,
    ) -> Result<User, StorageError>;
    async fn delete_user(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError>;
    /// The user's roles, by name.
    async fn user_roles(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
    ) -> Result<Vec<Role>, StorageError>;
    /// Grants a role; granting one already held changes nothing.
    async fn assign_role(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        role_id: Uuid,
        granted_by: Option<&str>,
    ) -> Result<(), StorageError>;
    async fn revoke_role(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        role_id: Uuid,
    ) -> Result<bool, StorageError>;
}

pub(crate) const USER_ROLES: Table = Table {
    name: "authority.user_roles",
    entity: "user role",
    columns: "tenant_id, user_id, role_id, granted_at, granted_by, expires_at",
    by_id: None,
    unread: &[],
    constraints: &[
        // Granting a role twice is no change (ON CONFLICT DO NOTHING).
        ("user_roles_pkey", Constraint::Unique("role")),
        (
            "user_roles_tenant_id_user_id_fkey",
            Constraint::References("user"),
        ),
        (
            "user_roles_tenant_id_role_id_fkey",
            Constraint::References("role"),
        ),
    ],
};

/// The columns a `User` is read from, for `concat!`.
macro_rules! user_columns {
    () => {
        "tenant_id, id, subject_id, username, email, display_name, password_hash, status, \
         failed_login_count, last_login_at, attributes, created_at, updated_at, deleted_at"
    };
}

pub(crate) const USERS: Table = Table {
    name: "authority.users",
    entity: "user",
    columns: user_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        user_columns!(),
        " FROM authority.users WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("users_pkey", Constraint::Unique("id")),
        (
            "users_tenant_id_username_key",
            Constraint::Unique("username"),
        ),
        (
            "users_tenant_id_subject_id_key",
            Constraint::Unique("subject id"),
        ),
        ("users_tenant_id_fkey", Constraint::References("tenant")),
    ],
};

#[async_trait]
impl UserRepository for PgAuthority {
    async fn get_user(&self, ctx: &TenantContext, id: Uuid) -> Result<Option<User>, StorageError> {
        self.source
            .get_by_id(ctx, &USERS, "reading a user", id)
            .await
    }

    async fn get_user_by_username(
        &self,
        ctx: &TenantContext,
        username: &str,
    ) -> Result<Option<User>, StorageError> {
        input::key("username", username)?;
        self.source
            .call(ctx, &USERS, "reading a user by username")
            .optional(
                sqlx::query_as::<_, User>(concat!(
                    "SELECT ",
                    user_columns!(),
                    " FROM authority.users WHERE username = $1"
                ))
                .bind(username),
            )
            .await
    }

    async fn get_user_by_subject_id(
        &self,
        ctx: &SystemContext,
        subject_id: Uuid,
    ) -> Result<Option<User>, StorageError> {
        self.source
            .call(ctx, &USERS, "reading a user by subject id")
            .optional(
                sqlx::query_as::<_, User>(concat!(
                    "SELECT ",
                    user_columns!(),
                    " FROM authority.users WHERE subject_id = $1 \
             ORDER BY tenant_id, id LIMIT 1"
                ))
                .bind(subject_id),
            )
            .await
    }

    async fn list_users(
        &self,
        ctx: &TenantContext,
        query: &UserQuery,
    ) -> Result<Page<User>, StorageError> {
        let (size, clamped_from) = query.validate()?;
        let (sql, key) = list_users_sql(query);
        // Only the filters asked for are bound, in the order the SQL numbers them.
        let mut select = sqlx::query_as::<_, User>(AssertSqlSafe(sql));
        if let Some(status) = query.status {
            select = select.bind(status.as_str());
        }
        if let Some(prefix) = &query.username_prefix {
            select = select.bind(prefix.as_str());
        }
        if let Some(key) = key {
            select = select.bind(key);
        }
        let rows = self
            .source
            .call(ctx, &USERS, "listing users")
            .all(select.bind(i64::from(size) + 1))
            .await?;
        Ok(Page::assemble(
            rows,
            &query.page.cursor,
            size,
            clamped_from,
            |u| u.username.clone(),
        ))
    }

    async fn create_user(&self, ctx: &TenantContext, user: &NewUser) -> Result<User, StorageError> {
        user.fields.validate()?;
        let now = self.clock.now();
        self.source
            .call(ctx, &USERS, "creating a user")
            .one(
                sqlx::query_as::<_, User>(concat!(
                    "INSERT INTO authority.users (tenant_id, id, subject_id, username, email, \
             display_name, password_hash, status, attributes, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             RETURNING ",
                    user_columns!()
                ))
                .bind(ctx.tenant().as_str())
                .bind(user.id)
                .bind(user.subject_id)
                .bind(&user.fields.username)
                .bind(&user.fields.email)
                .bind(&user.fields.display_name)
                .bind(&user.fields.password_hash)
                .bind(user.fields.status.as_str())
                .bind(&user.fields.attributes)
                .bind(now),
            )
            .await
    }

    async fn update_user(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &UserFields,
    ) -> Result<User, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let updated = self
            .source
            .call(ctx, &USERS, "updating a user")
            .one(
                sqlx::query_as::<_, User>(concat!(
                    "UPDATE authority.users SET username = $2, email = $3, display_name = $4, \
             password_hash = $5, status = $6, attributes = $7, updated_at = $8, \
             deleted_at = CASE WHEN $6 = 'deleted' THEN coalesce(deleted_at, $8) END \
             WHERE id = $1 \
             RETURNING ",
                    user_columns!()
                ))
                .bind(id)
                .bind(&fields.username)
                .bind(&fields.email)
                .bind(&fields.display_name)
                .bind(&fields.password_hash)
                .bind(fields.status.as_str())
                .bind(&fields.attributes)
                .bind(now),
            )
            .await?;
        Ok(updated)
    }

    async fn delete_user(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let deleted = self
            .source
            .call(ctx, &USERS, "deleting a user")
            .execute(sqlx::query("DELETE FROM authority.users WHERE id = $1").bind(id))
            .await?;
        Ok(deleted == 1)
    }

    async fn user_roles(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
    ) -> Result<Vec<Role>, StorageError> {
        self.source
            .call(ctx, &USER_ROLES, "reading a user's roles")
            .all(
                sqlx::query_as::<_, Role>(
                    "SELECT r.tenant_id, r.id, r.name, r.description, r.is_system, r.permissions, \
             r.created_at, r.updated_at \
             FROM authority.user_roles ur JOIN authority.roles r \
               ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id \
             WHERE ur.user_id = $1 ORDER BY r.name, r.id",
                )
                .bind(user_id),
            )
            .await
    }

    async fn assign_role(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        role_id: Uuid,
        granted_by: Option<&str>,
    ) -> Result<(), StorageError> {
        input::optional_text("granted by", granted_by)?;
        let now = self.clock.now();
        let mut tx = self.source.tenant(ctx).await?;
        let statement = sqlx::query(
            "INSERT INTO authority.user_roles (tenant_id, user_id, role_id, granted_at, granted_by) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, user_id, role_id) DO NOTHING",
        )
        .bind(ctx.tenant().as_str())
        .bind(user_id)
        .bind(role_id)
        .bind(now)
        .bind(granted_by);
        tx.on(&USER_ROLES, "assigning a role")
            .execute(statement)
            .await?;
        tx.commit().await
    }

    async fn revoke_role(
        &self,
        ctx: &TenantContext,
        user_id: Uuid,
        role_id: Uuid,
    ) -> Result<bool, StorageError> {
        let mut tx = self.source.tenant(ctx).await?;
        let revoked = tx
            .on(&USER_ROLES, "revoking a role")
            .execute(
                sqlx::query("DELETE FROM authority.user_roles WHERE user_id = $1 AND role_id = $2")
                    .bind(user_id)
                    .bind(role_id),
            )
            .await?;
        tx.commit().await?;
        Ok(revoked == 1)
    }
}

/// The user list's SQL for the filters a query has: one statement per
/// combination (at most 16, each prepared once per connection), so the
/// planner sees only real predicates, as in SQL written by hand. Built from
/// constant fragments only; every value is bound.
fn list_users_sql(query: &UserQuery) -> (String, Option<&str>) {
    let mut conditions = Vec::new();
    let mut next = 0;
    let mut parameter = || {
        next += 1;
        format!("${next}")
    };
    if query.status.is_some() {
        conditions.push(format!("status = {}", parameter()));
    }
    if query.username_prefix.is_some() {
        conditions.push(format!("starts_with(username, {})", parameter()));
    }
    let (key, order) = match &query.page.cursor {
        Cursor::Start => (None, "ASC"),
        Cursor::After(key) => {
            conditions.push(format!("username > {}", parameter()));
            (Some(key.as_str()), "ASC")
        }
        Cursor::Before(key) => {
            conditions.push(format!("username < {}", parameter()));
            (Some(key.as_str()), "DESC")
        }
        Cursor::End => (None, "DESC"),
    };
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT {} FROM authority.users{filter} ORDER BY username {order} LIMIT {}",
        user_columns!(),
        parameter()
    );
    (sql, key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PageRequest;

    #[test]
    fn the_list_sql_numbers_only_the_filters_asked_for() {
        let after_bob = UserQuery {
            page: PageRequest::after(50, "bob"),
            ..UserQuery::default()
        };
        let (sql, key) = list_users_sql(&after_bob);
        assert!(
            sql.ends_with(
                "FROM authority.users WHERE username > $1 ORDER BY username ASC LIMIT $2"
            ),
            "{sql}"
        );
        assert_eq!(key, Some("bob"));
        let (sql, _) = list_users_sql(&UserQuery {
            status: Some(UserStatus::Active),
            username_prefix: Some("a".into()),
            page: PageRequest {
                size: 5,
                cursor: Cursor::End,
            },
        });
        assert!(
            sql.ends_with(
                "WHERE status = $1 AND starts_with(username, $2) ORDER BY username DESC LIMIT $3"
            ),
            "{sql}"
        );
    }
}
