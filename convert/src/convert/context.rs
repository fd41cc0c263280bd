//! What a conversion knows beyond one document: the injected clock of the
//! tier windows, the unique keys already taken, and the fate of every
//! document a later collection may refer to.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use stellaops_storage::TenantCode;
use uuid::Uuid;

use super::fields::{Fields, Reject};

/// What became of a document another may refer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    Converted {
        tenant: String,
    },
    /// Left out by its tier's rule.
    Skipped,
}

/// What a reference finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Converted,
    /// The target was left out by its tier's rule: the reference follows
    /// the foreign key's ON DELETE action, as if the row had been pruned.
    Skipped,
    /// No document of that id in the export: an orphan.
    Missing,
    /// The target belongs to another tenant.
    OtherTenant(String),
}

/// The state of one conversion run over a set of exports.
#[derive(Debug)]
pub struct Context {
    now: DateTime<Utc>,
    /// Zero, except under a planted bug (`crate::plant`).
    wider: Duration,
    taken: HashMap<String, usize>,
    pending: Vec<String>,
    fates: HashMap<(&'static str, Uuid), Fate>,
    tenants: HashSet<String>,
    line: usize,
}

impl Context {
    /// A conversion whose windows are measured back from `now`.
    pub fn new(now: DateTime<Utc>) -> Context {
        Context {
            now,
            wider: Duration::zero(),
            taken: HashMap::new(),
            pending: Vec::new(),
            fates: HashMap::new(),
            tenants: HashSet::new(),
            line: 0,
        }
    }

    /// Every window `extra` longer: a planted bug (`crate::plant`) only.
    pub fn with_wider_windows(mut self, extra: Duration) -> Context {
        self.wider = extra;
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Whether `at` lies within the last `days` days.
    pub fn within_days(&self, at: DateTime<Utc>, days: i64) -> bool {
        at >= self.now - Duration::days(days) - self.wider
    }

    pub(crate) fn start_document(&mut self, line: usize) {
        self.line = line;
        self.pending.clear();
    }

    pub(crate) fn finish_document(&mut self, collection: &'static str, id: Uuid, fate: Fate) {
        for key in self.pending.drain(..) {
            self.taken.insert(key, self.line);
        }
        if let (Fate::Converted { tenant }, "authority_tenants") = (&fate, collection) {
            self.tenants.insert(tenant.clone());
        }
        self.fates.insert((collection, id), fate);
    }

    /// Takes a unique key (`what` names the constraint, `key` its value)
    /// for this document; a key an earlier document took refuses this one.
    pub fn unique(&mut self, what: &str, key: &str) -> Result<(), Reject> {
        let full = format!("{what}={key}");
        if let Some(line) = self.taken.get(&full) {
            return Err(Reject(format!(
                "duplicate {what} {key:?}: the document at line {line} has it"
            )));
        }
        if self.pending.contains(&full) {
            return Err(Reject(format!(
                "duplicate {what} {key:?} within the document"
            )));
        }
        self.pending.push(full);
        Ok(())
    }

    /// Whether `id` of `collection` was seen at all (a duplicate `_id`).
    pub fn seen(&self, collection: &'static str, id: Uuid) -> bool {
        self.fates.contains_key(&(collection, id))
    }

    /// A tenant code field: valid, and for Authority a converted tenant.
    pub fn tenant(
        &self,
        fields: &mut Fields<'_>,
        key: &str,
        registered: bool,
    ) -> Result<String, Reject> {
        let code = fields.text(key)?;
        TenantCode::parse(&code).map_err(|e| Reject::field(key, e))?;
        if registered && !self.tenants.contains(&code) {
            return Err(Reject::field(
                key,
                format!("tenant {code:?} is not in authority_tenants"),
            ));
        }
        Ok(code)
    }

    /// What the reference `id` into `collection` from `tenant` finds.
    pub fn target(&self, collection: &'static str, tenant: &str, id: Uuid) -> Target {
        match self.fates.get(&(collection, id)) {
            None => Target::Missing,
            Some(Fate::Skipped) => Target::Skipped,
            Some(Fate::Converted { tenant: owner }) if owner == tenant => Target::Converted,
            Some(Fate::Converted { tenant: owner }) => Target::OtherTenant(owner.clone()),
        }
    }

    /// A reference under a foreign key: it must find a converted row of
    /// the same tenant. `on_skipped` says what the foreign key's ON DELETE
    /// action does when the target was left out by its window.
    pub fn foreign_key(
        &self,
        field: &str,
        collection: &'static str,
        tenant: &str,
        id: Option<Uuid>,
        on_skipped: OnSkipped,
    ) -> Result<Reference, Reject> {
        let Some(id) = id else {
            return Ok(Reference::Kept(None));
        };
        match self.target(collection, tenant, id) {
            Target::Converted => Ok(Reference::Kept(Some(id))),
            Target::Skipped => match on_skipped {
                OnSkipped::SetNull => Ok(Reference::Cleared(format!(
                    "{field} cleared: its {collection} document is outside its tier's window (ON DELETE SET NULL)"
                ))),
                OnSkipped::Cascade => Ok(Reference::Cascaded(format!(
                    "its {collection} document is outside its tier's window (ON DELETE CASCADE)"
                ))),
            },
            Target::Missing => Err(Reject::field(
                field,
                format!("orphan reference: no {collection} document of row id {id}"),
            )),
            Target::OtherTenant(owner) => Err(Reject::field(
                field,
                format!("refers to a {collection} document of tenant {owner:?}, not {tenant:?}"),
            )),
        }
    }

    /// A reference under a foreign key into a collection converted in full
    /// (tier A leaves nothing out): the target's row, or a refusal.
    pub fn full_reference(
        &self,
        field: &str,
        collection: &'static str,
        tenant: &str,
        id: Option<Uuid>,
    ) -> Result<Option<Uuid>, Reject> {
        match self.foreign_key(field, collection, tenant, id, OnSkipped::SetNull)? {
            Reference::Kept(id) => Ok(id),
            Reference::Cleared(_) | Reference::Cascaded(_) => Err(Reject::field(
                field,
                format!(
                    "its {collection} document was left out, but {collection} converts in full"
                ),
            )),
        }
    }
}

/// The ON DELETE action of a foreign key, applied to a target left out by its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnSkipped {
    SetNull,
    Cascade,
}

/// A checked reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    Kept(Option<Uuid>),
    /// Set to NULL, with the note the report shows.
    Cleared(String),
    /// The document goes with its target, for the reason given.
    Cascaded(String),
}
