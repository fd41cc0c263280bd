//! The storage error type and the mapping of database errors (constraints,
//! lost connections) onto it.

use crate::TenantCodeError;
use crate::options::ConfigError;

/// What kind of failure a caller sees: the four kinds a caller can act on,
/// plus configuration (at start) and anything unexpected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    NotFound,
    Conflict,
    InvalidInput,
    Unavailable,
    Config,
    Other,
}

/// The one error type of the storage API.
///
/// Messages name the entity and field at fault, never the values of a row:
/// a conflict or a missing reference says which field, not whose row, so no
/// error tells one tenant anything about another tenant's data.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No row with that key for this tenant (another tenant's row is "not found" too).
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    /// A unique key of the tenant is already taken.
    #[error("{entity} conflict: {field} is already taken")]
    Conflict {
        entity: &'static str,
        field: &'static str,
    },
    /// A state change the entity's life cycle does not allow.
    #[error("{entity} cannot go from {from} to {to}")]
    IllegalTransition {
        entity: &'static str,
        from: String,
        to: String,
    },
    /// A change to a row its life cycle has frozen (a published policy
    /// version, the rules of a version past draft).
    #[error("{entity} is {state}: immutable; {remedy}")]
    Immutable {
        entity: &'static str,
        state: String,
        /// What to do instead.
        remedy: &'static str,
    },
    /// A row whose content no longer matches the digest it was sealed
    /// with: changed behind the repositories' back.
    #[error(
        "{entity} {name} does not match its digest: its content was changed after it was sealed"
    )]
    Tampered { entity: &'static str, name: String },
    /// A replay that gave another result: an evaluation of the same
    /// version, profile and inputs completed earlier with another hash.
    #[error(
        "{entity} result {hash} differs from run {earlier} of the same version and inputs: the evaluation is not reproducible"
    )]
    NotReproducible {
        entity: &'static str,
        hash: String,
        earlier: uuid::Uuid,
    },
    /// A lease renewed by a holder that no longer has it: it expired, or
    /// another holder took it with a newer fencing token.
    #[error("lease {lock} is no longer held by {holder} with fencing token {token}")]
    LeaseLost {
        lock: String,
        holder: String,
        token: i64,
    },
    /// Refused before any SQL ran.
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: &'static str, reason: String },
    /// The server went away, refused connections, or a wait ran out.
    #[error("database unavailable while {doing}: {source}")]
    Unavailable {
        doing: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Backend(#[from] crate::BackendError),
    /// Anything else the database reported: a bug in the kit or the schema.
    #[error("database error while {doing}: {source}")]
    Database {
        doing: &'static str,
        #[source]
        source: sqlx::Error,
    },
}

impl StorageError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            StorageError::NotFound { .. } => ErrorKind::NotFound,
            StorageError::Conflict { .. }
            | StorageError::IllegalTransition { .. }
            | StorageError::Immutable { .. }
            | StorageError::NotReproducible { .. }
            | StorageError::LeaseLost { .. } => ErrorKind::Conflict,
            StorageError::InvalidInput { .. } => ErrorKind::InvalidInput,
            StorageError::Unavailable { .. } => ErrorKind::Unavailable,
            StorageError::Config(_) | StorageError::Backend(_) => ErrorKind::Config,
            StorageError::Database { .. } | StorageError::Tampered { .. } => ErrorKind::Other,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        StorageError::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}

impl From<TenantCodeError> for StorageError {
    fn from(error: TenantCodeError) -> Self {
        StorageError::InvalidInput {
            field: "tenant code",
            reason: error.to_string(),
        }
    }
}

impl From<sqlx::Error> for StorageError {
    fn from(source: sqlx::Error) -> Self {
        classify(source, "talking to the database", "row", &[])
    }
}

/// What a named constraint means to a caller.
#[derive(Debug, Clone, Copy)]
pub enum Constraint {
    /// A unique key: a violation is a conflict on this field.
    Unique(&'static str),
    /// A foreign key: a violation means the referenced entity does not exist
    /// (for this tenant: keys are composite, so another tenant's row counts
    /// as missing, and the error is the same either way).
    References(&'static str),
}

/// How one entity's constraints map to errors: `(constraint name, meaning)`.
pub type ConstraintMap = &'static [(&'static str, Constraint)];

/// Turns a driver error into the caller's error: unique and foreign-key
/// violations through `constraints` (the database's message and detail,
/// which quote key values, are dropped), lost connections and timeouts into
/// `Unavailable`.
pub(crate) fn classify(
    source: sqlx::Error,
    doing: &'static str,
    entity: &'static str,
    constraints: &[(&'static str, Constraint)],
) -> StorageError {
    match &source {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => return StorageError::Unavailable { doing, source },
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            let named = db
                .constraint()
                .and_then(|name| constraints.iter().find(|(known, _)| *known == name))
                .map(|(_, meaning)| *meaning);
            match (code.as_str(), named) {
                ("23505", Some(Constraint::Unique(field))) => {
                    return StorageError::Conflict { entity, field };
                }
                ("23505", _) => {
                    return StorageError::Conflict {
                        entity,
                        field: "key",
                    };
                }
                ("23503", Some(Constraint::References(entity))) => {
                    return StorageError::NotFound { entity };
                }
                // Class 08: connection exception; 53300: too many connections;
                // 57014: statement timeout or cancel; 57P01-03: shutdown or
                // not yet accepting; 55P03: lock_timeout ran out.
                (c, _)
                    if c.starts_with("08")
                        || matches!(
                            c,
                            "53300" | "57014" | "57P01" | "57P02" | "57P03" | "55P03"
                        ) =>
                {
                    return StorageError::Unavailable { doing, source };
                }
                _ => {}
            }
        }
        _ => {}
    }
    StorageError::Database { doing, source }
}
