//! Templates (`notify.templates`): a message per channel type and locale,
//! whose render keys are checked on write; trait and PostgreSQL
//! implementation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::kinds::{ChannelType, TemplateFormat};
use super::postgres::PgNotify;
use crate::error::Constraint;
use crate::table::Table;
use crate::work::RowQuery;
use crate::{StorageError, TenantContext, input};

/// A template of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Template {
    pub tenant_id: String,
    pub id: Uuid,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub channel_type: ChannelType,
    pub locale: String,
    #[sqlx(try_from = "String")]
    pub format: TemplateFormat,
    pub subject_template: Option<String>,
    pub body_template: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The fields a caller sets on create and update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFields {
    pub name: String,
    pub channel_type: ChannelType,
    pub locale: String,
    pub format: TemplateFormat,
    pub subject_template: Option<String>,
    pub body_template: String,
}

impl TemplateFields {
    pub fn new(
        name: impl Into<String>,
        channel_type: ChannelType,
        body: impl Into<String>,
    ) -> Self {
        TemplateFields {
            name: name.into(),
            channel_type,
            locale: "en-US".to_owned(),
            format: TemplateFormat::Markdown,
            subject_template: None,
            body_template: body.into(),
        }
    }

    /// Binds the fields, in this order, after the statement's own
    /// parameters: create and update write them alike.
    fn bind<'q, O>(&'q self, statement: RowQuery<'q, O>) -> RowQuery<'q, O> {
        statement
            .bind(&self.name)
            .bind(self.channel_type.as_str())
            .bind(&self.locale)
            .bind(self.format.as_str())
            .bind(&self.subject_template)
            .bind(&self.body_template)
    }

    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        input::key("template name", &self.name)?;
        check_locale(&self.locale)?;
        input::text("body template", &self.body_template)?;
        render_keys(&self.body_template)
            .map_err(|reason| StorageError::invalid("body template", reason))?;
        if let Some(subject) = &self.subject_template {
            input::text("subject template", subject)?;
            render_keys(subject)
                .map_err(|reason| StorageError::invalid("subject template", reason))?;
        }
        Ok(())
    }
}

/// A locale tag as the seeds write them: a 2- or 3-letter language, then
/// subtags of 2 to 8 letters or digits (`en`, `en-US`, `zh-Hant-TW`).
fn check_locale(locale: &str) -> Result<(), StorageError> {
    let mut parts = locale.split('-');
    let language = parts.next().unwrap_or_default();
    let language_ok =
        (2..=3).contains(&language.len()) && language.chars().all(|c| c.is_ascii_alphabetic());
    let subtags_ok = parts.all(|part| {
        (2..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
    });
    if language_ok && subtags_ok {
        Ok(())
    } else {
        Err(StorageError::invalid(
            "locale",
            format!("{locale:?} is not a locale tag such as en or en-US"),
        ))
    }
}

/// The render keys of a template text, sorted and once each: every
/// `{{ key }}` names a dotted path of lowercase identifiers
/// (`event.kind`, `finding.severity`); an unclosed `{{`, a stray `}}` or
/// another key is refused with where it is.
pub fn render_keys(text: &str) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    loop {
        let open = rest.find("{{");
        let close = rest.find("}}");
        match (open, close) {
            (None, None) => break,
            (None, Some(at)) => {
                return Err(format!("a '}}}}' at byte {} closes nothing", offset + at));
            }
            (Some(open_at), Some(close_at)) if close_at < open_at => {
                return Err(format!(
                    "a '}}}}' at byte {} closes nothing",
                    offset + close_at
                ));
            }
            (Some(open_at), _) => {
                let after = &rest[open_at + 2..];
                let Some(end) = after.find("}}") else {
                    return Err(format!(
                        "the '{{{{' at byte {} is never closed",
                        offset + open_at
                    ));
                };
                let key = after[..end].trim();
                if !is_render_key(key) {
                    return Err(format!(
                        "{{{{{key}}}}} at byte {} is not a render key (lowercase names joined by dots)",
                        offset + open_at
                    ));
                }
                keys.push(key.to_owned());
                let consumed = open_at + 2 + end + 2;
                offset += consumed;
                rest = &rest[consumed..];
            }
        }
    }
    keys.sort();
    keys.dedup();
    Ok(keys)
}

fn is_render_key(key: &str) -> bool {
    !key.is_empty()
        && key.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c.is_ascii_lowercase())
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// Notify's template repository.
#[async_trait]
pub trait TemplateRepository: Send + Sync + std::fmt::Debug {
    async fn get_template(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Template>, StorageError>;
    /// The tenant's templates by name, channel type, locale, of one channel
    /// type if asked.
    async fn list_templates(
        &self,
        ctx: &TenantContext,
        of_type: Option<ChannelType>,
    ) -> Result<Vec<Template>, StorageError>;
    async fn create_template(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &TemplateFields,
    ) -> Result<Template, StorageError>;
    async fn update_template(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &TemplateFields,
    ) -> Result<Template, StorageError>;
    /// Deletes the template; rules that used it keep going without one.
    async fn delete_template(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError>;
}

macro_rules! template_columns {
    () => {
        "tenant_id, id, name, channel_type, locale, format, subject_template, body_template, \
         created_at, updated_at"
    };
}

pub(crate) const TEMPLATES: Table = Table {
    name: "notify.templates",
    entity: "template",
    columns: template_columns!(),
    by_id: Some(concat!(
        "SELECT ",
        template_columns!(),
        " FROM notify.templates WHERE id = $1"
    )),
    unread: &[],
    constraints: &[
        ("templates_pkey", Constraint::Unique("id")),
        (
            "templates_tenant_id_name_channel_type_locale_key",
            Constraint::Unique("name, channel type and locale"),
        ),
    ],
};

#[async_trait]
impl TemplateRepository for PgNotify {
    async fn get_template(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Template>, StorageError> {
        self.source
            .get_by_id(ctx, &TEMPLATES, "reading a template", id)
            .await
    }

    async fn list_templates(
        &self,
        ctx: &TenantContext,
        of_type: Option<ChannelType>,
    ) -> Result<Vec<Template>, StorageError> {
        let statement = sqlx::query_as::<_, Template>(concat!(
            "SELECT ",
            template_columns!(),
            " FROM notify.templates WHERE ($1::text IS NULL OR channel_type = $1) \
             ORDER BY name, channel_type, locale, id"
        ))
        .bind(of_type.map(ChannelType::as_str));
        self.source
            .call(ctx, &TEMPLATES, "listing templates")
            .all(statement)
            .await
    }

    async fn create_template(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &TemplateFields,
    ) -> Result<Template, StorageError> {
        fields.validate()?;
        let statement = sqlx::query_as::<_, Template>(concat!(
            "INSERT INTO notify.templates (tenant_id, id, name, channel_type, locale, format, \
             subject_template, body_template, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING ",
            template_columns!()
        ))
        .bind(ctx.tenant().as_str())
        .bind(id);
        let statement = fields.bind(statement).bind(self.clock.now());
        self.source
            .call(ctx, &TEMPLATES, "creating a template")
            .one(statement)
            .await
    }

    async fn update_template(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &TemplateFields,
    ) -> Result<Template, StorageError> {
        fields.validate()?;
        let statement = sqlx::query_as::<_, Template>(concat!(
            "UPDATE notify.templates SET name = $2, channel_type = $3, locale = $4, format = $5, \
             subject_template = $6, body_template = $7, updated_at = $8 WHERE id = $1 RETURNING ",
            template_columns!()
        ))
        .bind(id);
        let statement = fields.bind(statement).bind(self.clock.now());
        self.source
            .call(ctx, &TEMPLATES, "updating a template")
            .one(statement)
            .await
    }

    async fn delete_template(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let statement = sqlx::query("DELETE FROM notify.templates WHERE id = $1").bind(id);
        let deleted = self
            .source
            .call(ctx, &TEMPLATES, "deleting a template")
            .execute(statement)
            .await?;
        Ok(deleted == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::render_keys;

    #[test]
    fn render_keys_are_found_sorted_and_once() {
        assert_eq!(
            render_keys("{{ event.kind }} on {{finding.severity}}: {{event.kind}}").unwrap(),
            ["event.kind", "finding.severity"]
        );
        assert_eq!(render_keys("no keys").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn broken_or_foreign_keys_are_refused_with_where() {
        assert!(
            render_keys("{{ event.kind ")
                .unwrap_err()
                .contains("byte 0")
        );
        assert!(
            render_keys("done }}")
                .unwrap_err()
                .contains("closes nothing")
        );
        assert!(
            render_keys("{{ Event }}")
                .unwrap_err()
                .contains("not a render key")
        );
        assert!(render_keys("{{ a..b }}").is_err());
        assert!(render_keys("{{}}").is_err());
    }
}
