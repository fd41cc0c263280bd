//! One versioned SQL file of one module, parsed from its name and header.

use sha2::{Digest, Sha256};

use crate::Category;

/// One versioned SQL file of one module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The module (schema) it belongs to, e.g. `authority`.
    pub module: String,
    /// Its version inside the module, from the file name's leading digits.
    pub version: i64,
    /// The file name without the category suffix and `.sql`, e.g. `0001_authority_schema`.
    pub name: String,
    pub category: Category,
    /// The path relative to the migration directory, e.g. `authority/0001_authority_schema.sql`.
    pub file: String,
    pub sql: String,
    /// Hex SHA-256 of the file's bytes.
    pub checksum: String,
    /// Set by a `-- stellaops:no-transaction` line: for statements such as
    /// `CREATE INDEX CONCURRENTLY` that cannot run inside a transaction.
    pub no_transaction: bool,
}

/// The marker line that makes a migration run outside a transaction.
pub(crate) const NO_TRANSACTION_MARKER: &str = "-- stellaops:no-transaction";

impl Migration {
    pub(crate) fn new(
        module: &str,
        version: i64,
        name: &str,
        category: Category,
        file: String,
        sql: String,
    ) -> Self {
        let no_transaction = sql.lines().any(|line| line.trim() == NO_TRANSACTION_MARKER);
        Migration {
            module: module.to_owned(),
            version,
            name: name.to_owned(),
            category,
            file,
            checksum: sha256_hex(sql.as_bytes()),
            sql,
            no_transaction,
        }
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
