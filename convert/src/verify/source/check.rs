//! The comparison of the declarations' expectations with the tables.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::PathBuf;

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

use super::ejson::{Typed, typed};
use super::json::{self, Json};
use crate::mapping::{self, Default, From, Hashed, Keep, Kind, Mapping, Reference};
use crate::verify::report::{Difference, DifferenceKind};

/// What the source check found.
#[derive(Debug, Default)]
pub struct SourceCheck {
    pub differences: Vec<Difference>,
    /// Documents read, rows compared column by column, documents the tiers left out.
    pub documents: usize,
    pub rows_compared: usize,
    pub left_out: usize,
}

/// A column's value in one form for both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cell {
    Null,
    Text(String),
    Int(i128),
    Bool(bool),
    /// Microseconds since 1970.
    Time(i64),
    Strings(Vec<String>),
    /// Microseconds since midnight.
    Clock(i64),
    Ints(Vec<i128>),
    Json(Typed),
    /// The digest of the loaded row's profile content (see
    /// [`mapping::Hashed::ProfileContent`]), computed when the row is read.
    ProfileDigest,
}

impl Cell {
    fn show(&self) -> String {
        match self {
            Cell::Null => "NULL".into(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Time(us) => DateTime::from_timestamp_micros(*us)
                .map_or(format!("{us} µs"), |t| {
                    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
                }),
            Cell::Strings(items) => format!("{items:?}"),
            Cell::Clock(us) => format!(
                "{:02}:{:02}:{:02}.{:06}",
                us / 3_600_000_000,
                us / 60_000_000 % 60,
                us / 1_000_000 % 60,
                us % 1_000_000
            ),
            Cell::Ints(items) => format!("{items:?}"),
            Cell::Json(value) => value.show(),
            Cell::ProfileDigest => "the digest of the row's profile content".into(),
        }
    }
}

/// One document's expectation.
struct Expected {
    line: usize,
    source_id: String,
    tenant: Option<String>,
    cells: Vec<(&'static str, Cell)>,
}

/// Where a difference was found.
struct Place<'a> {
    mapping: &'a Mapping,
    file: &'a str,
}

impl Place<'_> {
    fn difference(
        &self,
        line: Option<usize>,
        source_id: Option<&str>,
        column: Option<&str>,
        expected: String,
        actual: String,
    ) -> Difference {
        Difference {
            kind: DifferenceKind::Source,
            collection: self.mapping.collection.to_owned(),
            file: Some(self.file.to_owned()),
            table: Some(self.mapping.table.to_owned()),
            tenant: None,
            line,
            source_id: source_id.map(str::to_owned),
            row_id: None,
            column: column.map(str::to_owned),
            expected: Some(expected),
            actual: Some(actual),
        }
    }
}

/// Row ids per collection with their tenants.
type Ids = HashMap<&'static str, HashMap<Uuid, Option<String>>>;

/// Checks every declared collection that `files` ((module, collection)
/// to export file) has against its table, measuring tier windows from `now`.
/// `conn` reads the tables (an admin connection).
pub async fn check(
    conn: &mut PgConnection,
    files: &BTreeMap<(String, String), PathBuf>,
    now: DateTime<Utc>,
) -> Result<SourceCheck, sqlx::Error> {
    let mut found = SourceCheck::default();
    let mut seen: Ids = HashMap::new();
    let mut kept: Ids = HashMap::new();
    for mapping in mapping::all() {
        let Some(path) = files.get(&(mapping.module.to_owned(), mapping.collection.to_owned()))
        else {
            continue;
        };
        let file = path.display().to_string();
        let place = Place {
            mapping,
            file: &file,
        };
        let docs = match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| json::documents(&text))
        {
            Ok(docs) => docs,
            Err(why) => {
                found.differences.push(place.difference(
                    None,
                    None,
                    None,
                    "an export the source check can read".into(),
                    why,
                ));
                continue;
            }
        };
        let mut expected: BTreeMap<Uuid, Expected> = BTreeMap::new();
        // Documents the tier leaves out: (line, _id) by row id.
        let mut left_out: BTreeMap<Uuid, (usize, String)> = BTreeMap::new();
        for doc in docs {
            found.documents += 1;
            match expect(&place, &doc.value, doc.line, now, &seen, &kept) {
                Err(difference) => found.differences.push(*difference),
                Ok((row_id, tenant, outcome)) => {
                    seen.entry(mapping.collection)
                        .or_default()
                        .insert(row_id, tenant.clone());
                    match outcome {
                        Some(row) => {
                            kept.entry(mapping.collection)
                                .or_default()
                                .insert(row_id, tenant);
                            if let Some(earlier) = expected.insert(row_id, row) {
                                found.differences.push(place.difference(
                                    Some(earlier.line),
                                    Some(&earlier.source_id),
                                    None,
                                    "one document per _id".into(),
                                    format!("another document with the same row id {row_id}"),
                                ));
                            }
                        }
                        None => {
                            found.left_out += 1;
                            left_out.insert(row_id, (doc.line, source_id_of(&doc.value)));
                        }
                    }
                }
            }
        }
        compare(conn, &place, expected, &left_out, &mut found).await?;
    }
    Ok(found)
}

/// What one document must become: its row id, tenant, and the row (None:
/// the tier leaves it out, or its reference's target took it along).
fn expect(
    place: &Place<'_>,
    doc: &Json,
    line: usize,
    now: DateTime<Utc>,
    seen: &Ids,
    kept: &Ids,
) -> Result<(Uuid, Option<String>, Option<Expected>), Box<Difference>> {
    let mapping = place.mapping;
    let fail = |id: Option<&str>, column: Option<&str>, want: &str, got: String| {
        Box::new(place.difference(Some(line), id, column, want.to_owned(), got))
    };
    let fields = match doc {
        Json::Object(pairs) => pairs
            .iter()
            .map(|(k, v)| typed(v).map(|t| (k.clone(), t)))
            .collect::<Result<BTreeMap<String, Typed>, String>>()
            .map_err(|why| fail(None, None, "a document of Extended JSON", why))?,
        other => return Err(fail(None, None, "a document", json_kind(other))),
    };
    let source_id = fields.get("_id").map_or("(no _id)".to_owned(), Typed::show);
    let id = Some(source_id.as_str());
    let row_id = fields
        .get("_id")
        .ok_or_else(|| "none".to_owned())
        .and_then(|v| row_id(mapping.collection, v))
        .map_err(|why| fail(id, None, "an _id to derive the row id from", why))?;
    let tenant = match fields.get("tenantId") {
        Some(Typed::String(code)) => Some(code.clone()),
        _ => None,
    };

    // Every field is accounted for: mapped, dropped on purpose, or carried.
    let declared: BTreeSet<&str> = mapping
        .columns
        .iter()
        .filter_map(|c| match &c.from {
            From::Field(source, _, _) | From::Hashed(Hashed::Text(source)) => Some(*source),
            From::Id | From::Nothing(_) | From::Hashed(Hashed::ProfileContent { .. }) => None,
        })
        .chain(mapping.dropped.iter().map(|(field, _)| *field))
        .chain(["_id"])
        .collect();
    let rest: BTreeMap<String, Typed> = fields
        .iter()
        .filter(|(k, v)| !declared.contains(k.as_str()) && **v != Typed::Null)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if mapping.carry.is_none()
        && let Some(field) = rest.keys().next()
    {
        return Err(fail(
            id,
            Some(field),
            "every field mapped, carried or dropped on purpose",
            format!(
                "{field} is unaccounted: the declaration neither maps nor drops it and {} has no column to carry it",
                mapping.table
            ),
        ));
    }

    if !keeps(&mapping.keep, &fields, now)
        .map_err(|why| fail(id, None, "a tier rule that applies", why))?
    {
        return Ok((row_id, tenant, None));
    }

    let mut cells = Vec::new();
    for column in mapping.columns {
        let cell = match &column.from {
            From::Id => Cell::Text(row_id.to_string()),
            From::Nothing(_) => Cell::Null,
            From::Hashed(Hashed::Text(source)) => match present(&fields, source) {
                Some(Typed::String(text)) => {
                    Cell::Text(format!("sha256:{:x}", Sha256::digest(text.as_bytes())))
                }
                other => {
                    return Err(fail(
                        id,
                        Some(column.name),
                        &format!("field {source} as text to hash"),
                        other.map_or("missing".into(), Typed::show),
                    ));
                }
            },
            From::Hashed(Hashed::ProfileContent { status, unless }) => {
                match present(&fields, status) {
                    Some(Typed::String(text)) if snake(text) != *unless => Cell::ProfileDigest,
                    _ => Cell::Null,
                }
            }
            From::Field(source, kind, default) => {
                let value = present(&fields, source)
                    .cloned()
                    .or_else(|| default_value(default, &fields));
                let Some(value) = value else {
                    return Err(fail(
                        id,
                        Some(column.name),
                        &format!("field {source}"),
                        "missing".into(),
                    ));
                };
                let mut cell = cell_of(kind, &value).map_err(|why| {
                    fail(
                        id,
                        Some(column.name),
                        &format!("field {source} as {kind:?}"),
                        why,
                    )
                })?;
                if let Kind::Ref(target, reference) = kind
                    && let Cell::Text(target_id) = &cell
                {
                    let target_id: Uuid = target_id
                        .parse()
                        .map_err(|_| fail(id, Some(column.name), "a row id", target_id.clone()))?;
                    let in_export = seen.get(target).and_then(|ids| ids.get(&target_id));
                    let was_kept = kept.get(target).and_then(|ids| ids.get(&target_id));
                    match (reference, in_export, was_kept) {
                        (Reference::Loose, _, _) | (_, _, Some(_)) | (_, None, _) => {}
                        (Reference::SetNull, Some(_), None) => cell = Cell::Null,
                        (Reference::Cascade, Some(_), None) => return Ok((row_id, tenant, None)),
                        (Reference::Required, Some(_), None) => {}
                    }
                }
                if mapping.carry == Some(column.name) && !rest.is_empty() {
                    cell = carried(cell, &rest);
                }
                cell
            }
        };
        cells.push((column.name, cell));
    }
    Ok((
        row_id,
        tenant.clone(),
        Some(Expected {
            line,
            source_id,
            tenant,
            cells,
        }),
    ))
}

/// A field's value, `null` counting as missing.
fn present<'a>(fields: &'a BTreeMap<String, Typed>, key: &str) -> Option<&'a Typed> {
    fields.get(key).filter(|v| **v != Typed::Null)
}

/// The value a missing field takes.
fn default_value(default: &Default, fields: &BTreeMap<String, Typed>) -> Option<Typed> {
    match default {
        Default::Required => None,
        Default::Null => Some(Typed::Null),
        Default::Text(text) => Some(Typed::String((*text).to_owned())),
        Default::Int(n) => Some(Typed::Int(i128::from(*n))),
        Default::Bool(b) => Some(Typed::Bool(*b)),
        Default::EmptyDocument => Some(Typed::Document(BTreeMap::new())),
        Default::EmptyArray => Some(Typed::Array(Vec::new())),
        Default::SameAs(other) => present(fields, other).cloned(),
        Default::Ints(items) => Some(Typed::Array(
            items.iter().map(|n| Typed::Int(i128::from(*n))).collect(),
        )),
        Default::CountOf(other) => Some(Typed::Int(match present(fields, other) {
            Some(Typed::Array(items)) => items.len() as i128,
            _ => 0,
        })),
    }
}

/// `column`'s document with the unaccounted fields under `_mongo`.
fn carried(cell: Cell, rest: &BTreeMap<String, Typed>) -> Cell {
    let mut document = match cell {
        Cell::Json(Typed::Document(fields)) => fields,
        _ => BTreeMap::new(),
    };
    document.insert("_mongo".to_owned(), Typed::Document(rest.clone()));
    Cell::Json(Typed::Document(document))
}

/// Whether the tier keeps the document.
fn keeps(
    keep: &Keep,
    fields: &BTreeMap<String, Typed>,
    now: DateTime<Utc>,
) -> Result<bool, String> {
    let time = |field: &str| match present(fields, field) {
        Some(Typed::Date(ms)) => {
            DateTime::from_timestamp_millis(*ms).ok_or_else(|| format!("{field}: out of range"))
        }
        other => Err(format!("{field} is not a date: {other:?}")),
    };
    let status = |field: &str, default: &str| match present(fields, field) {
        Some(Typed::String(s)) => snake(s),
        _ => default.to_owned(),
    };
    Ok(match keep {
        Keep::All => true,
        Keep::None => false,
        Keep::Recent { field, days } => time(field)? >= now - Duration::days(*days),
        Keep::ActiveOrRecent {
            status: field,
            active,
            field: at,
            days,
        } => {
            active.contains(&status(field, "").as_str()) || time(at)? >= now - Duration::days(*days)
        }
        Keep::Valid {
            status: field,
            expires,
        } => status(field, "valid") == "valid" && time(expires)? > now,
    })
}

/// `sha256:` and the hex SHA-256 of a loaded risk profile's content as
/// the repositories define it: a JSON object of name, overrides, signals,
/// thresholds, version and weights, keys sorted, no spaces (serde_json's
/// map keeps keys sorted, and reads jsonb's numbers back as the
/// repositories do). `None` when the row lacks one of them.
fn profile_digest(row_text: &str) -> Option<String> {
    let row: serde_json::Value = serde_json::from_str(row_text).ok()?;
    let mut content = serde_json::Map::new();
    for key in [
        "name",
        "overrides",
        "signals",
        "thresholds",
        "version",
        "weights",
    ] {
        content.insert(key.to_owned(), row.get(key)?.clone());
    }
    let canonical = serde_json::Value::Object(content).to_string();
    Some(format!("sha256:{:x}", Sha256::digest(canonical.as_bytes())))
}

/// .NET's PascalCase as the schema's snake_case (`AnalysisOnly`: `analysis_only`).
fn snake(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A source value as the column must hold it.
fn cell_of(kind: &Kind, value: &Typed) -> Result<Cell, String> {
    if *value == Typed::Null {
        return Ok(Cell::Null);
    }
    let wrong = || format!("{} cannot be one", value.show());
    Ok(match (kind, value) {
        (Kind::Text, Typed::String(s)) => Cell::Text(s.clone()),
        (Kind::Enum, Typed::String(s)) => Cell::Text(snake(s)),
        (Kind::Word, Typed::String(s)) => Cell::Text(s.to_lowercase()),
        (Kind::Clock, Typed::String(s)) => Cell::Clock(clock(s).ok_or_else(wrong)?),
        (Kind::Days, Typed::Array(items)) => Cell::Ints(days(items).ok_or_else(wrong)?),
        (Kind::Secret, Typed::String(s)) => Cell::Text(s.clone()),
        (Kind::Secret, Typed::Binary { bytes, .. }) => {
            Cell::Text(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
        (Kind::Uuid, v) => Cell::Text(as_uuid(v).ok_or_else(wrong)?.to_string()),
        (Kind::Ref(target, _), v) => Cell::Text(row_id(target, v)?.to_string()),
        (Kind::Int, Typed::Int(n)) => Cell::Int(*n),
        (Kind::Int, Typed::Double(bits)) if f64::from_bits(*bits).fract() == 0.0 => {
            Cell::Int(f64::from_bits(*bits) as i128)
        }
        (Kind::Bool, Typed::Bool(b)) => Cell::Bool(*b),
        (Kind::Time, Typed::Date(ms)) => Cell::Time(ms.checked_mul(1000).ok_or_else(wrong)?),
        (Kind::Strings, Typed::Array(items)) => Cell::Strings(
            items
                .iter()
                .map(|item| match item {
                    Typed::String(s) => Ok(s.clone()),
                    _ => Err(wrong()),
                })
                .collect::<Result<_, _>>()?,
        ),
        (Kind::Document, Typed::Document(_)) | (Kind::Array, Typed::Array(_)) => {
            Cell::Json(value.clone())
        }
        (Kind::Ip, Typed::String(s)) => {
            Cell::Text(s.parse::<IpAddr>().map_err(|_| wrong())?.to_string())
        }
        _ => return Err(wrong()),
    })
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.f` (at most six digits) as
/// microseconds since midnight; `None` for anything else.
fn clock(text: &str) -> Option<i64> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let parts: Vec<&str> = whole.split(':').collect();
    let number = |part: &str, below: i64| {
        (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<i64>().ok())
            .flatten()
            .filter(|n| *n < below)
    };
    let (hours, minutes, seconds) = match (parts.as_slice(), fraction) {
        ([h, m], None) => (number(h, 24)?, number(m, 60)?, 0),
        ([h, m, s], _) => (number(h, 24)?, number(m, 60)?, number(s, 60)?),
        _ => return None,
    };
    let micros = match fraction {
        None => 0,
        Some(digits)
            if (1..=6).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{digits:0<6}").parse::<i64>().ok()?
        }
        Some(_) => return None,
    };
    Some(((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + micros)
}

/// Weekdays as ISO numbers in ascending order: whole numbers 1 to 7 or
/// English day names in any case, none twice; `None` for anything else.
fn days(items: &[Typed]) -> Option<Vec<i128>> {
    let names = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let mut out: Vec<i128> = Vec::new();
    for item in items {
        let day = match item {
            Typed::Int(n) => *n,
            Typed::Double(bits) if f64::from_bits(*bits).fract() == 0.0 => {
                f64::from_bits(*bits) as i128
            }
            Typed::String(name) => {
                let lower = name.to_lowercase();
                names.iter().position(|n| *n == lower)? as i128 + 1
            }
            _ => return None,
        };
        if !(1..=7).contains(&day) || out.contains(&day) {
            return None;
        }
        out.push(day);
    }
    out.sort();
    Some(out)
}

/// A column as `to_jsonb` printed it, in the form of `kind`.
fn db_cell(kind: Option<&Kind>, value: &Json) -> Result<Cell, String> {
    if *value == Json::Null {
        return Ok(Cell::Null);
    }
    let wrong = || format!("unexpected {}", super::ejson::render(value));
    Ok(match (kind, value) {
        (None, Json::String(s)) => Cell::Text(s.clone()),
        (Some(Kind::Int), Json::Number(n)) => Cell::Int(n.parse().map_err(|_| wrong())?),
        (Some(Kind::Bool), Json::Bool(b)) => Cell::Bool(*b),
        (Some(Kind::Time), Json::String(s)) => Cell::Time(
            DateTime::parse_from_rfc3339(s)
                .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%:z"))
                .map_err(|_| wrong())?
                .timestamp_micros(),
        ),
        (Some(Kind::Strings), Json::Array(items)) => Cell::Strings(
            items
                .iter()
                .map(|item| match item {
                    Json::String(s) => Ok(s.clone()),
                    _ => Err(wrong()),
                })
                .collect::<Result<_, _>>()?,
        ),
        (Some(Kind::Document | Kind::Array), json) => Cell::Json(typed(json)?),
        (Some(Kind::Clock), Json::String(s)) => Cell::Clock(clock(s).ok_or_else(wrong)?),
        (Some(Kind::Days), Json::Array(items)) => Cell::Ints(
            items
                .iter()
                .map(|item| match item {
                    Json::Number(n) => n.parse().map_err(|_| wrong()),
                    _ => Err(wrong()),
                })
                .collect::<Result<_, _>>()?,
        ),
        (Some(Kind::Ip), Json::String(s)) => {
            let host = s.split('/').next().unwrap_or(s);
            Cell::Text(host.parse::<IpAddr>().map_err(|_| wrong())?.to_string())
        }
        (Some(_), Json::String(s)) => Cell::Text(s.clone()),
        _ => return Err(wrong()),
    })
}

/// The row id a document's `_id` gets: a UUID as it is; any other id a
/// version 8 uuid from SHA-256 of `stellaops-convert:<collection>:<id>`,
/// the id spelled `oid:<hex>`, `str:<text>` or `int:<n>`.
fn row_id(collection: &str, id: &Typed) -> Result<Uuid, String> {
    if let Some(uuid) = as_uuid(id) {
        return Ok(uuid);
    }
    let key = match id {
        Typed::ObjectId(hex) => format!("oid:{hex}"),
        Typed::String(s) if !s.is_empty() => format!("str:{s}"),
        Typed::Int(n) => format!("int:{n}"),
        other => return Err(format!("{} cannot be an id", other.show())),
    };
    let digest = Sha256::digest(format!("stellaops-convert:{collection}:{key}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Ok(Uuid::new_v8(bytes))
}

fn as_uuid(value: &Typed) -> Option<Uuid> {
    match value {
        Typed::Binary { subtype: 4, bytes } => Uuid::from_slice(bytes).ok(),
        Typed::String(text) => Uuid::parse_str(text).ok(),
        _ => None,
    }
}

/// A document's `_id` as the reports show it.
fn source_id_of(doc: &Json) -> String {
    doc.get("_id")
        .and_then(|id| typed(id).ok())
        .map_or("(no _id)".to_owned(), |id| id.show())
}

fn json_kind(value: &Json) -> String {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
    .to_owned()
}

/// The table's rows against the expectations.
async fn compare(
    conn: &mut PgConnection,
    place: &Place<'_>,
    mut expected: BTreeMap<Uuid, Expected>,
    left_out: &BTreeMap<Uuid, (usize, String)>,
    found: &mut SourceCheck,
) -> Result<(), sqlx::Error> {
    let mapping = place.mapping;
    // The table name comes from a static declaration, never from input.
    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT to_jsonb(t)::text FROM {} t",
        mapping.table
    )))
    .fetch_all(&mut *conn)
    .await?;
    let kinds: HashMap<&str, Option<&Kind>> = mapping
        .columns
        .iter()
        .map(|c| {
            let kind = match &c.from {
                From::Id | From::Nothing(_) | From::Hashed(_) => None,
                From::Field(_, kind, _) => Some(kind),
            };
            (c.name, kind)
        })
        .collect();
    let mut undeclared: BTreeSet<String> = BTreeSet::new();
    for text in rows {
        let row =
            json::parse(&text).map_err(|e| sqlx::Error::Protocol(format!("to_jsonb: {e}")))?;
        let Json::Object(columns) = &row else {
            continue;
        };
        for (name, _) in columns {
            if !kinds.contains_key(name.as_str()) {
                undeclared.insert(name.clone());
            }
        }
        let id = match row.get(mapping.id_column) {
            Some(Json::String(id)) => id.parse::<Uuid>().ok(),
            _ => None,
        };
        let Some(want) = id.and_then(|id| expected.remove(&id)) else {
            let shown = id.map_or("?".into(), |i| i.to_string());
            let mut d = match id.and_then(|id| left_out.get(&id)) {
                Some((line, source_id)) => place.difference(
                    Some(*line),
                    Some(source_id),
                    None,
                    format!(
                        "no row: the tier's rule ({:?}) leaves this document out",
                        mapping.keep
                    ),
                    format!("a row with {} {shown}", mapping.id_column),
                ),
                None => place.difference(
                    None,
                    None,
                    None,
                    "no row the exports do not account for".into(),
                    format!("a row with {} {shown}", mapping.id_column),
                ),
            };
            d.row_id = id.map(|i| i.to_string());
            found.differences.push(d);
            continue;
        };
        found.rows_compared += 1;
        for (column, cell) in &want.cells {
            let actual = row
                .get(column)
                .map(|value| db_cell(kinds.get(column).copied().flatten(), value))
                .unwrap_or_else(|| Err("no such column".into()));
            let same = match cell {
                Cell::ProfileDigest => {
                    let want_digest = profile_digest(&text);
                    matches!((&actual, &want_digest), (Ok(Cell::Text(got)), Some(w)) if got == w)
                }
                _ => matches!(&actual, Ok(got) if got == cell),
            };
            if !same {
                let mut d = place.difference(
                    Some(want.line),
                    Some(&want.source_id),
                    Some(column),
                    cell.show(),
                    actual.map_or_else(|why| why, |got| got.show()),
                );
                d.tenant = want.tenant.clone();
                d.row_id = id.map(|i| i.to_string());
                found.differences.push(d);
            }
        }
    }
    for name in undeclared {
        found.differences.push(place.difference(
            None,
            None,
            Some(&name),
            "a declared column".into(),
            format!("{name} of {} is not in the declaration", mapping.table),
        ));
    }
    for (row_id, want) in expected {
        let mut d = place.difference(
            Some(want.line),
            Some(&want.source_id),
            None,
            format!("a row with {} {row_id}", mapping.id_column),
            "no row".into(),
        );
        d.tenant = want.tenant;
        d.row_id = Some(row_id.to_string());
        found.differences.push(d);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn fields(key: &str, when: DateTime<Utc>) -> BTreeMap<String, Typed> {
        BTreeMap::from([(key.to_owned(), Typed::Date(when.timestamp_millis()))])
    }

    #[test]
    fn a_window_keeps_its_edge_and_nothing_older() {
        let now = at("2026-11-30T00:00:00Z");
        let keep = Keep::Recent {
            field: "at",
            days: 90,
        };
        let edge = at("2026-09-01T00:00:00Z");
        let ms = Duration::milliseconds(1);
        assert!(keeps(&keep, &fields("at", edge), now).unwrap());
        assert!(keeps(&keep, &fields("at", edge + ms), now).unwrap());
        assert!(!keeps(&keep, &fields("at", edge - ms), now).unwrap());
        let valid = Keep::Valid {
            status: "status",
            expires: "at",
        };
        assert!(
            !keeps(&valid, &fields("at", now), now).unwrap(),
            "expiring now is expired"
        );
        assert!(keeps(&valid, &fields("at", now + ms), now).unwrap());
    }

    #[test]
    fn clocks_and_weekdays_read_by_their_own_rules() {
        assert_eq!(clock("22:00"), Some(79_200_000_000));
        assert_eq!(clock("00:00:00.5"), Some(500_000));
        assert_eq!(clock("23:59:59.999999"), Some(86_399_999_999));
        for bad in [
            "7:30",
            "24:00",
            "12:00:60",
            "12:00:00.1234567",
            "12:00:00.",
            "12",
        ] {
            assert_eq!(clock(bad), None, "{bad}");
        }
        let items = [
            Typed::String("Sunday".into()),
            Typed::Int(1),
            Typed::String("tuesday".into()),
        ];
        assert_eq!(days(&items), Some(vec![1, 2, 7]));
        assert_eq!(days(&[Typed::Int(8)]), None);
        assert_eq!(days(&[Typed::Int(1), Typed::String("MONDAY".into())]), None);
    }

    #[test]
    fn row_ids_follow_the_documented_rule() {
        let uuid = Uuid::from_u128(0x1234);
        assert_eq!(
            row_id(
                "c",
                &Typed::Binary {
                    subtype: 4,
                    bytes: uuid.as_bytes().to_vec()
                }
            )
            .unwrap(),
            uuid
        );
        let digest =
            Sha256::digest(b"stellaops-convert:authority_users:oid:650100000000000000000001");
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        assert_eq!(
            row_id(
                "authority_users",
                &Typed::ObjectId("650100000000000000000001".into())
            )
            .unwrap(),
            Uuid::new_v8(bytes)
        );
        assert_ne!(
            row_id("a", &Typed::String("x".into())).unwrap(),
            row_id("b", &Typed::String("x".into())).unwrap()
        );
    }
}
