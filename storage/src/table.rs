//! Table descriptors: a table's name, the entity its errors name, its
//! columns and what its constraints mean, declared once and read by the
//! PostgreSQL repositories and the memory backend alike.

use crate::StorageError;
use crate::error::{Constraint, ConstraintMap, classify};

/// One table as the repositories see it.
///
/// The PostgreSQL code turns a violated constraint into an error through
/// [`Table::classify`]; the memory backend raises the same error for the
/// same rule through [`Table::violation`], by the constraint's name, so the
/// two backends cannot disagree on which field a conflict names. A contract
/// test holds the names, columns and constraints to the migrated catalog.
#[derive(Debug)]
pub struct Table {
    /// Schema-qualified name (`authority.roles`).
    pub name: &'static str,
    /// The entity errors name (`role`).
    pub entity: &'static str,
    /// The select list the repositories read rows with (an expression names
    /// its column with `AS`).
    pub columns: &'static str,
    /// The table's columns the repositories do not read; with `columns`,
    /// every column of the table, so a column a migration adds is a
    /// decision, not an accident.
    pub unread: &'static [&'static str],
    /// Unique and foreign-key constraints by name.
    pub constraints: ConstraintMap,
    /// `SELECT <columns> FROM <name> WHERE id = $1`, for a table whose rows
    /// a caller reads by `id` ([`DataSource::get_by_id`](crate::DataSource::get_by_id)).
    pub by_id: Option<&'static str>,
}

impl Table {
    /// The driver's error for a statement on this table, as a caller sees it.
    pub(crate) fn classify(&self, source: sqlx::Error, doing: &'static str) -> StorageError {
        classify(source, doing, self.entity, self.constraints)
    }

    /// No row of this table with that key (for this tenant).
    pub fn not_found(&self) -> StorageError {
        StorageError::NotFound {
            entity: self.entity,
        }
    }

    /// The error PostgreSQL's violation of `constraint` becomes: a conflict
    /// on the field a unique key names, or the referenced entity not found.
    pub fn violation(&self, constraint: &str) -> StorageError {
        let meaning = self
            .constraints
            .iter()
            .find(|(name, _)| *name == constraint)
            .map(|(_, meaning)| *meaning);
        debug_assert!(
            meaning.is_some(),
            "{} declares no constraint {constraint}",
            self.name
        );
        match meaning {
            Some(Constraint::Unique(field)) => StorageError::Conflict {
                entity: self.entity,
                field,
            },
            Some(Constraint::References(entity)) => StorageError::NotFound { entity },
            // What classify makes of an undeclared unique violation.
            None => StorageError::Conflict {
                entity: self.entity,
                field: "key",
            },
        }
    }

    /// The names of the columns read (`host(ip) AS ip` is `ip`).
    pub fn column_names(&self) -> impl Iterator<Item = &'static str> {
        self.columns.split(',').map(|column| {
            let column = column.trim();
            column
                .rsplit_once(" AS ")
                .map_or(column, |(_, alias)| alias.trim())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const ROLES: Table = Table {
        name: "authority.roles",
        entity: "role",
        columns: "tenant_id, id, lower(name) AS name",
        unread: &["description"],
        by_id: Some("SELECT tenant_id, id, lower(name) AS name FROM authority.roles WHERE id = $1"),
        constraints: &[
            ("roles_tenant_id_name_key", Constraint::Unique("name")),
            ("roles_tenant_id_fkey", Constraint::References("tenant")),
        ],
    };

    #[test]
    fn a_unique_violation_is_a_conflict_on_its_field() {
        let error = ROLES.violation("roles_tenant_id_name_key");
        assert_eq!(error.to_string(), "role conflict: name is already taken");
    }

    #[test]
    fn a_reference_violation_is_the_referenced_entity_not_found() {
        let error = ROLES.violation("roles_tenant_id_fkey");
        assert_eq!(error.kind(), ErrorKind::NotFound);
        assert_eq!(error.to_string(), "tenant not found");
    }

    #[test]
    fn columns_split_in_order() {
        let names: Vec<_> = ROLES.column_names().collect();
        assert_eq!(names, ["tenant_id", "id", "name"]);
    }

    #[test]
    fn every_read_by_id_selects_the_tables_columns_by_its_id() {
        let tables = crate::Module::ALL
            .into_iter()
            .flat_map(crate::Module::tables)
            .copied();
        for table in tables.chain([&ROLES]) {
            if let Some(sql) = table.by_id {
                let expected =
                    format!("SELECT {} FROM {} WHERE id = $1", table.columns, table.name);
                assert_eq!(sql, expected, "{}", table.name);
                assert!(table.column_names().any(|c| c == "id"), "{}", table.name);
            }
        }
    }
}
