//! Templates in memory.

use async_trait::async_trait;
use uuid::Uuid;

use super::state::{MemoryNotify, key, of_tenant};
use crate::notify::templates::TEMPLATES;
use crate::notify::{ChannelType, Template, TemplateFields, TemplateRepository};
use crate::{StorageError, TenantContext};

const UNIQUE_NAME: &str = "templates_tenant_id_name_channel_type_locale_key";

fn same_key(template: &Template, fields: &TemplateFields) -> bool {
    template.name == fields.name
        && template.channel_type == fields.channel_type
        && template.locale == fields.locale
}

#[async_trait]
impl TemplateRepository for MemoryNotify {
    async fn get_template(
        &self,
        ctx: &TenantContext,
        id: Uuid,
    ) -> Result<Option<Template>, StorageError> {
        Ok(self.state().templates.get(&key(ctx, id)).cloned())
    }

    async fn list_templates(
        &self,
        ctx: &TenantContext,
        of_type: Option<ChannelType>,
    ) -> Result<Vec<Template>, StorageError> {
        let state = self.state();
        let mut templates: Vec<Template> = of_tenant(&state.templates, ctx)
            .filter(|t| of_type.is_none_or(|kind| t.channel_type == kind))
            .cloned()
            .collect();
        // channel_type is text in the database: its order is the text's.
        templates.sort_by(|a, b| {
            (&a.name, a.channel_type.as_str(), &a.locale, a.id).cmp(&(
                &b.name,
                b.channel_type.as_str(),
                &b.locale,
                b.id,
            ))
        });
        Ok(templates)
    }

    async fn create_template(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &TemplateFields,
    ) -> Result<Template, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if state.templates.contains_key(&key(ctx, id)) {
            return Err(TEMPLATES.violation("templates_pkey"));
        }
        if of_tenant(&state.templates, ctx).any(|t| same_key(t, fields)) {
            return Err(TEMPLATES.violation(UNIQUE_NAME));
        }
        let template = Template {
            tenant_id: ctx.tenant().as_str().to_owned(),
            id,
            name: fields.name.clone(),
            channel_type: fields.channel_type,
            locale: fields.locale.clone(),
            format: fields.format,
            subject_template: fields.subject_template.clone(),
            body_template: fields.body_template.clone(),
            created_at: now,
            updated_at: now,
        };
        state.templates.insert(key(ctx, id), template.clone());
        Ok(template)
    }

    async fn update_template(
        &self,
        ctx: &TenantContext,
        id: Uuid,
        fields: &TemplateFields,
    ) -> Result<Template, StorageError> {
        fields.validate()?;
        let now = self.clock.now();
        let mut state = self.state();
        if !state.templates.contains_key(&key(ctx, id)) {
            return Err(TEMPLATES.not_found());
        }
        if of_tenant(&state.templates, ctx).any(|t| same_key(t, fields) && t.id != id) {
            return Err(TEMPLATES.violation(UNIQUE_NAME));
        }
        let template = state
            .templates
            .get_mut(&key(ctx, id))
            .ok_or(TEMPLATES.not_found())?;
        template.name = fields.name.clone();
        template.channel_type = fields.channel_type;
        template.locale = fields.locale.clone();
        template.format = fields.format;
        template.subject_template = fields.subject_template.clone();
        template.body_template = fields.body_template.clone();
        template.updated_at = now;
        Ok(template.clone())
    }

    async fn delete_template(&self, ctx: &TenantContext, id: Uuid) -> Result<bool, StorageError> {
        let mut state = self.state();
        let deleted = state.templates.remove(&key(ctx, id)).is_some();
        // ON DELETE SET NULL (template_id): the rules keep going without it.
        let tenant = ctx.tenant().as_str();
        for ((t, _), rule) in state.rules.iter_mut() {
            if t == tenant && rule.template_id == Some(id) {
                rule.template_id = None;
            }
        }
        Ok(deleted)
    }
}
