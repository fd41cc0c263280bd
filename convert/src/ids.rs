//! Row ids from Mongo `_id`s: the same `_id` gives the same uuid on every
//! run (so a second backfill finds its rows and writes no duplicates), and a
//! reference converts to the id its target got.

use bson::Bson;
use bson::spec::BinarySubtype;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The row id of the document `id` of `collection`: a UUID `_id`
/// (binary subtype 4, `$uuid`, or its text) is kept; any other `_id`
/// (ObjectId, string, number) gets a version 8 uuid from a SHA-256 of the
/// collection and the id.
///
/// ```
/// use bson::Bson;
/// use bson::oid::ObjectId;
/// let oid = Bson::ObjectId(ObjectId::parse_str("650000000000000000000001").unwrap());
/// let a = stellaops_convert::ids::row_id("authority_users", &oid).unwrap();
/// assert_eq!(a, stellaops_convert::ids::row_id("authority_users", &oid).unwrap());
/// assert_ne!(a, stellaops_convert::ids::row_id("authority_clients", &oid).unwrap());
/// ```
pub fn row_id(collection: &str, id: &Bson) -> Result<Uuid, String> {
    if let Some(uuid) = as_uuid(id) {
        return Ok(uuid);
    }
    let key = match id {
        Bson::ObjectId(oid) => format!("oid:{}", oid.to_hex()),
        Bson::String(s) if !s.is_empty() => format!("str:{s}"),
        Bson::Int32(n) => format!("int:{n}"),
        Bson::Int64(n) => format!("int:{n}"),
        other => {
            return Err(format!(
                "an id must be an ObjectId, a UUID, a string or an integer, found {}",
                type_name(other)
            ));
        }
    };
    let digest = Sha256::digest(format!("stellaops-convert:{collection}:{key}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Ok(Uuid::new_v8(bytes))
}

/// A UUID spelled as BSON: binary subtype 4 of 16 bytes, or its text. The
/// legacy subtype 3 is not one: its byte order depends on the driver that
/// wrote it.
pub fn as_uuid(value: &Bson) -> Option<Uuid> {
    match value {
        Bson::Binary(binary)
            if binary.subtype == BinarySubtype::Uuid && binary.bytes.len() == 16 =>
        {
            Uuid::from_slice(&binary.bytes).ok()
        }
        Bson::String(text) => Uuid::parse_str(text).ok(),
        _ => None,
    }
}

/// `_id` as the reports show it.
pub fn display(id: &Bson) -> String {
    match id {
        Bson::ObjectId(oid) => oid.to_hex(),
        Bson::String(s) => s.clone(),
        other => match as_uuid(other) {
            Some(uuid) => uuid.to_string(),
            None => other.clone().into_relaxed_extjson().to_string(),
        },
    }
}

/// A BSON type's name, as errors say it.
pub fn type_name(value: &Bson) -> &'static str {
    match value {
        Bson::Double(_) => "a double",
        Bson::String(_) => "a string",
        Bson::Array(_) => "an array",
        Bson::Document(_) => "a document",
        Bson::Boolean(_) => "a boolean",
        Bson::Null => "null",
        Bson::RegularExpression(_) => "a regular expression",
        Bson::JavaScriptCode(_) | Bson::JavaScriptCodeWithScope(_) => "JavaScript code",
        Bson::Int32(_) => "an int32",
        Bson::Int64(_) => "an int64 ($numberLong)",
        Bson::Timestamp(_) => "a timestamp",
        Bson::Binary(_) => "binary data ($binary)",
        Bson::ObjectId(_) => "an ObjectId",
        Bson::DateTime(_) => "a date ($date)",
        Bson::Symbol(_) => "a symbol",
        Bson::Decimal128(_) => "a decimal ($numberDecimal)",
        Bson::Undefined => "undefined",
        Bson::MaxKey => "MaxKey",
        Bson::MinKey => "MinKey",
        Bson::DbPointer(_) => "a DBPointer",
    }
}
