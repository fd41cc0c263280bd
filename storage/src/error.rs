use crate::TenantCodeError;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(transparent)]
    TenantCode(#[from] TenantCodeError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}
