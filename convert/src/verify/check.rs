//! The verification itself (Phase 1, T1.10 and T1.11): counts per
//! collection and table with the tiers' rules applied, a field-by-field
//! comparison of every (or a sample of) converted record, a content hash
//! per tenant, and the repositories' lists per tenant.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use stellaops_storage::DataSource;

use super::error::VerifyError;
use super::report::{
    CollectionCounts, Difference, DifferenceKind, FORMAT, RepositoryCheck, TenantHash, Verdict,
    VerifyReport,
};
use super::repository::{REPOSITORIES, canonical_listed, expected, listed};
use super::rows::{RowKey, actual_rows, expected_rows};
use crate::backfill::BackfillSummary;
use crate::convert::ConvertedRow;
use crate::plan::Plan;
use crate::table::Value;

/// What a verification is told besides the plan.
#[derive(Debug)]
pub struct VerifyContext<'a> {
    /// The kit's revision, as the scorecard checks it.
    pub revision: Option<String>,
    pub clock_source: String,
    pub database: String,
    /// Records compared field by field per table (`None`: all).
    pub sample: Option<usize>,
    /// The backfill this run did, if it did one (its refused rows are listed).
    pub backfill: Option<&'a BackfillSummary>,
}

/// Compares `plan` with what the database holds. `conn` is an admin
/// connection (reads run as `stellaops_system`); `source` serves the
/// repositories as `stellaops_app`.
pub async fn verify(
    conn: &mut PgConnection,
    source: &DataSource,
    plan: &Plan<'_>,
    context: &VerifyContext<'_>,
) -> Result<VerifyReport, VerifyError> {
    // What the folder lacks comes first: a missing export is data lost.
    let complete = super::completeness::check(plan.exports);
    let mut differences = complete.differences;
    let mut notes = complete.warnings;
    let mut collections = Vec::new();
    // (module, tenant) -> canonical lines, expected and actual.
    let mut hashed: BTreeMap<(String, String), (Vec<String>, Vec<String>)> = BTreeMap::new();
    for planned in &plan.collections {
        let collection = planned.collection();
        let result = &planned.result;
        let file = Some(planned.file.path.display().to_string());
        for left in &result.rejected {
            differences.push(Difference {
                kind: DifferenceKind::NotConverted,
                collection: collection.name.to_owned(),
                file: file.clone(),
                table: collection.table.map(|t| t.qualified()),
                tenant: None,
                line: Some(left.line),
                source_id: Some(left.source_id.clone()),
                row_id: None,
                column: None,
                expected: Some(left.reason.clone()),
                actual: None,
            });
        }
        if let Some(summary) = context.backfill
            && let Some(done) = summary
                .collections
                .iter()
                .find(|c| c.collection == collection.name)
        {
            for refused in &done.refused {
                differences.push(Difference {
                    kind: DifferenceKind::Refused,
                    collection: collection.name.to_owned(),
                    file: file.clone(),
                    table: done.table.clone(),
                    tenant: None,
                    line: Some(refused.line),
                    source_id: Some(refused.source_id.clone()),
                    row_id: None,
                    column: None,
                    expected: Some(refused.reason.clone()),
                    actual: None,
                });
            }
        }
        let mut counts = CollectionCounts {
            module: collection.module.to_owned(),
            collection: collection.name.to_owned(),
            tier: collection.tier.to_string(),
            rule: collection.rule.to_owned(),
            table: collection.table.map(|t| t.qualified()),
            export: planned.file.path.display().to_string(),
            documents: result.documents,
            converted: result.rows.len(),
            skipped: result.skipped.len(),
            rejected: result.rejected.len(),
            rows_in_table: 0,
            rows_compared: 0,
        };
        let (Some(table), Some(_)) = (collection.table, collection.converter) else {
            collections.push(counts);
            continue;
        };
        let export = planned.file.path.display().to_string();
        let actual = actual_rows(conn, table).await?;
        let wanted = expected_rows(table, &result.rows);
        let compared = sample_keys(&wanted, context.sample);
        for (key, row) in &wanted {
            let Some(found) = actual.get(key) else {
                differences.push(row_difference(
                    DifferenceKind::Missing,
                    collection.name,
                    &export,
                    table,
                    key,
                    Some(row),
                ));
                continue;
            };
            counts.rows_in_table += 1;
            if !compared.contains(key) {
                continue;
            }
            counts.rows_compared += 1;
            for (i, (column, _)) in table.columns.iter().enumerate() {
                let (want, got) = (row.values[i].canonical(), found[i].canonical());
                if want != got {
                    let mut d = row_difference(
                        DifferenceKind::Field,
                        collection.name,
                        &export,
                        table,
                        key,
                        Some(row),
                    );
                    d.column = Some((*column).to_owned());
                    d.expected = Some(want.to_string());
                    d.actual = Some(got.to_string());
                    differences.push(d);
                }
            }
        }
        for key in actual.keys().filter(|key| !wanted.contains_key(*key)) {
            differences.push(row_difference(
                DifferenceKind::Extra,
                collection.name,
                &export,
                table,
                key,
                None,
            ));
        }
        for (key, row) in &wanted {
            let entry = hashed
                .entry((collection.module.to_owned(), key.0.clone()))
                .or_default();
            entry.0.push(hash_line(&table.qualified(), &row.values));
        }
        for (key, values) in &actual {
            let entry = hashed
                .entry((collection.module.to_owned(), key.0.clone()))
                .or_default();
            entry.1.push(hash_line(&table.qualified(), values));
        }
        collections.push(counts);
    }

    collections.extend(complete.missing);
    collections.sort_by_key(|c| {
        crate::catalog::COLLECTIONS
            .iter()
            .position(|known| known.module == c.module && known.name == c.collection)
    });

    let mut tenants = Vec::new();
    for ((module, tenant), (mut want, mut got)) in hashed {
        want.sort();
        got.sort();
        let hash = TenantHash {
            module: module.clone(),
            tenant: tenant.clone(),
            rows_expected: want.len(),
            rows_actual: got.len(),
            expected_sha256: sha256_lines(&want),
            actual_sha256: sha256_lines(&got),
        };
        if !hash.matches() {
            differences.push(Difference {
                kind: DifferenceKind::Hash,
                collection: module.clone(),
                file: None,
                table: None,
                tenant: Some(tenant.clone()),
                line: None,
                source_id: None,
                row_id: None,
                column: None,
                expected: Some(hash.expected_sha256.clone()),
                actual: Some(hash.actual_sha256.clone()),
            });
        }
        tenants.push(hash);
    }

    let mut repositories = Vec::new();
    for (repository, collection_name) in REPOSITORIES {
        let Some(planned) = plan
            .collections
            .iter()
            .find(|c| c.collection().name == collection_name)
        else {
            continue;
        };
        let Some(table) = planned.collection().table else {
            continue;
        };
        let mut by_tenant: BTreeMap<&str, Vec<&ConvertedRow>> = BTreeMap::new();
        for row in &planned.result.rows {
            if let Some(tenant) = &row.tenant {
                by_tenant.entry(tenant).or_default().push(row);
            }
        }
        for (tenant, rows) in by_tenant {
            // A repository difference of this tenant's list: `column` says
            // which, `expected` and `actual` what each side held.
            let listing =
                |column: String, expected: Option<String>, actual: Option<String>| Difference {
                    kind: DifferenceKind::Repository,
                    collection: collection_name.to_owned(),
                    file: Some(planned.file.path.display().to_string()),
                    table: Some(table.qualified()),
                    tenant: Some(tenant.to_owned()),
                    line: None,
                    source_id: None,
                    row_id: None,
                    column: Some(column),
                    expected,
                    actual,
                };
            // A repository that refuses to read the converted rows (a
            // promoted profile whose digest it disagrees with) is a
            // finding of the report, not the end of the verification.
            let items = match listed(source, repository, tenant).await {
                Ok(items) => items,
                Err(VerifyError::Repository { detail, .. }) => {
                    differences.push(listing(
                        format!("{repository}: refused to list"),
                        Some(format!("the {} converted rows", rows.len())),
                        Some(detail),
                    ));
                    repositories.push(RepositoryCheck {
                        repository: repository.to_owned(),
                        tenant: tenant.to_owned(),
                        expected: rows.len(),
                        listed: 0,
                        matches: false,
                    });
                    continue;
                }
                Err(other) => return Err(other),
            };
            let carried: BTreeSet<String> = match items.first() {
                Some(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
                _ => table.columns.iter().map(|(c, _)| (*c).to_owned()).collect(),
            };
            let want = expected(table, &rows, &|column| carried.contains(column));
            let got =
                canonical_listed(table, &items).map_err(|detail| VerifyError::Repository {
                    repository,
                    tenant: tenant.to_owned(),
                    detail,
                })?;
            let matches = want == got;
            if !matches {
                for (kind, side, other, expected_side) in [
                    ("missing from the list", &want, &got, true),
                    ("listed but not in the export", &got, &want, false),
                ] {
                    for item in side.iter().filter(|item| !other.contains(item)) {
                        differences.push(listing(
                            format!("{repository}: {kind}"),
                            expected_side.then(|| item.clone()),
                            (!expected_side).then(|| item.clone()),
                        ));
                    }
                }
            }
            repositories.push(RepositoryCheck {
                repository: repository.to_owned(),
                tenant: tenant.to_owned(),
                expected: rows.len(),
                listed: items.len(),
                matches,
            });
        }
    }

    for planned in &plan.collections {
        for row in &planned.result.rows {
            for note in &row.notes {
                notes.push(format!(
                    "{} line {} (_id {}): {note}",
                    planned.collection().name,
                    row.line,
                    row.source_id
                ));
            }
        }
    }
    // The second path: the declarations against the tables, sharing no
    // code with the converters above.
    let files = plan
        .exports
        .files
        .iter()
        .map(|f| {
            (
                (f.collection.module.to_owned(), f.collection.name.to_owned()),
                f.path.clone(),
            )
        })
        .collect();
    let source = super::source::check(conn, &files, plan.now)
        .await
        .map_err(VerifyError::db("reading the tables for the source check"))?;
    notes.push(format!(
        "source check: {} documents read by the declarations of stellaops_convert::mapping, {} rows compared column by column, {} left out by their tier's rule, {} differences",
        source.documents,
        source.rows_compared,
        source.left_out,
        source.differences.len()
    ));
    differences.extend(source.differences);

    let verdict = if differences.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    Ok(VerifyReport {
        format: FORMAT.to_owned(),
        generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        revision: context.revision.clone(),
        exports: plan
            .collections
            .first()
            .and_then(|c| c.file.path.parent().and_then(|p| p.parent()))
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        now: plan
            .now
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        clock_source: context.clock_source.clone(),
        database: context.database.clone(),
        sample: context.sample,
        collections,
        tenants,
        repositories,
        differences,
        notes,
        verdict,
    })
}

fn row_difference(
    kind: DifferenceKind,
    collection: &str,
    file: &str,
    table: &crate::table::Table,
    key: &RowKey,
    row: Option<&&ConvertedRow>,
) -> Difference {
    Difference {
        kind,
        collection: collection.to_owned(),
        file: row.map(|_| file.to_owned()),
        table: Some(table.qualified()),
        tenant: (!key.0.is_empty()).then(|| key.0.clone()),
        line: row.map(|r| r.line),
        source_id: row.map(|r| r.source_id.clone()),
        row_id: Some(key.1.to_string()),
        column: None,
        expected: None,
        actual: None,
    }
}

/// The keys compared field by field: all, or the `n` whose id hashes lowest
/// (the same sample on every run).
fn sample_keys<T>(rows: &BTreeMap<RowKey, T>, sample: Option<usize>) -> BTreeSet<RowKey> {
    match sample {
        Some(n) if n < rows.len() => {
            let mut keys: Vec<(String, &RowKey)> = rows
                .keys()
                .map(|key| (format!("{:x}", Sha256::digest(key.1.as_bytes())), key))
                .collect();
            keys.sort();
            keys.into_iter()
                .take(n)
                .map(|(_, key)| key.clone())
                .collect()
        }
        _ => rows.keys().cloned().collect(),
    }
}

fn hash_line(table: &str, values: &[Value]) -> String {
    let canonical: Vec<serde_json::Value> = values.iter().map(Value::canonical).collect();
    format!("{table}\t{}", serde_json::Value::Array(canonical))
}

fn sha256_lines(lines: &[String]) -> String {
    let mut hasher = Sha256::new();
    for line in lines {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    format!("{:x}", hasher.finalize())
}
