//! What a converter makes of one document, and the driver that runs a
//! collection's converter over its documents.

use serde::Serialize;
use uuid::Uuid;

use super::context::{Context, Fate};
use super::fields::{Fields, Reject};
use crate::catalog::Collection;
use crate::export::SourceDoc;
use crate::table::Value;

/// A converter's answer for one document.
#[derive(Debug, Clone, PartialEq)]
pub enum Conversion {
    /// The row, in the table's column order, with notes for the report
    /// (a reference cleared by a window, say).
    Row {
        values: Vec<Value>,
        notes: Vec<String>,
    },
    /// Left out by the tier's rule, for the reason given.
    Skipped(String),
}

impl Conversion {
    pub fn row(values: Vec<Value>) -> Conversion {
        Conversion::Row {
            values,
            notes: Vec::new(),
        }
    }
}

/// One collection's converter: document fields in, row or skip out.
pub type Converter = fn(&mut Fields<'_>, &mut Context, Uuid) -> Result<Conversion, Reject>;

/// A converted document: its row and where it came from.
#[derive(Debug, Clone)]
pub struct ConvertedRow {
    /// The document's position in its export (0-based): what a backfill checkpoint counts.
    pub index: usize,
    pub line: usize,
    pub source_id: String,
    pub tenant: Option<String>,
    pub row_id: Uuid,
    pub values: Vec<Value>,
    pub notes: Vec<String>,
}

/// A document left out: by rule (skipped) or because it cannot be converted (rejected).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LeftOut {
    pub line: usize,
    pub source_id: String,
    pub reason: String,
}

/// Every document of one collection, sorted by what became of it.
#[derive(Debug, Clone, Default)]
pub struct CollectionResult {
    pub documents: usize,
    pub rows: Vec<ConvertedRow>,
    pub skipped: Vec<LeftOut>,
    pub rejected: Vec<LeftOut>,
}

/// Converts `docs` of `collection` in order. A document that cannot be
/// converted is rejected alone; the others go on.
pub fn convert_collection(
    collection: &Collection,
    docs: &[SourceDoc],
    cx: &mut Context,
) -> CollectionResult {
    let mut result = CollectionResult {
        documents: docs.len(),
        ..CollectionResult::default()
    };
    let Some(convert) = collection.converter else {
        result.skipped = docs
            .iter()
            .map(|doc| LeftOut {
                line: doc.line,
                source_id: doc.id.clone(),
                reason: format!("tier C: {}", collection.rule),
            })
            .collect();
        return result;
    };
    let tenant_column = collection.table.and_then(|t| t.tenant_scoped.then_some(0));
    for (index, doc) in docs.iter().enumerate() {
        let left_out = |reason: String| LeftOut {
            line: doc.line,
            source_id: doc.id.clone(),
            reason,
        };
        let parsed = match &doc.parsed {
            Ok(parsed) => parsed,
            Err(problem) => {
                result.rejected.push(left_out(problem.clone()));
                continue;
            }
        };
        cx.start_document(doc.line);
        let mut fields = Fields::new(parsed);
        let row_id = match fields.row_id(collection.name) {
            Ok(id) if cx.seen(collection.name, id) => {
                result
                    .rejected
                    .push(left_out(format!("duplicate _id {} (row id {id})", doc.id)));
                continue;
            }
            Ok(id) => id,
            Err(Reject(reason)) => {
                result.rejected.push(left_out(reason));
                continue;
            }
        };
        match convert(&mut fields, cx, row_id) {
            Ok(Conversion::Row { values, notes }) => {
                let tenant = tenant_column.and_then(|i| match &values[i] {
                    Value::Text(code) => Some(code.clone()),
                    _ => None,
                });
                let owner = tenant.clone().or_else(|| match collection.name {
                    // A tenant document owns itself: references check against its code.
                    "authority_tenants" => values.get(1).and_then(|v| match v {
                        Value::Text(code) => Some(code.clone()),
                        _ => None,
                    }),
                    _ => None,
                });
                cx.finish_document(
                    collection.name,
                    row_id,
                    Fate::Converted {
                        tenant: owner.unwrap_or_default(),
                    },
                );
                result.rows.push(ConvertedRow {
                    index,
                    line: doc.line,
                    source_id: doc.id.clone(),
                    tenant,
                    row_id,
                    values,
                    notes,
                });
            }
            Ok(Conversion::Skipped(reason)) => {
                cx.finish_document(collection.name, row_id, Fate::Skipped);
                result
                    .skipped
                    .push(left_out(format!("tier {}: {reason}", collection.tier)));
            }
            Err(Reject(reason)) => result.rejected.push(left_out(reason)),
        }
    }
    result
}
