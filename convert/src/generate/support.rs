//! Building blocks of generated documents: stable ids, dates, and the
//! two layouts and modes of `mongoexport`.

use bson::spec::BinarySubtype;
use bson::{Binary, Bson, Decimal128, oid::ObjectId};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::Generated;
use crate::export::Layout;

/// Extended JSON mode of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Canonical,
    Relaxed,
}

/// The `n`th ObjectId of collection `tag`: the same on every run.
pub fn oid(tag: u8, n: u32) -> Bson {
    let mut bytes = [0u8; 12];
    bytes[0] = 0x65;
    bytes[1] = tag;
    bytes[8..].copy_from_slice(&n.to_be_bytes());
    Bson::ObjectId(ObjectId::from_bytes(bytes))
}

/// A UUID as `$binary` subtype 4.
pub fn uuid(n: u128) -> Bson {
    Bson::Binary(Binary {
        subtype: BinarySubtype::Uuid,
        bytes: Uuid::from_u128(0x5e11_a000_0000_4000_8000_0000_0000_0000 | n)
            .as_bytes()
            .to_vec(),
    })
}

pub fn binary(bytes: &[u8]) -> Bson {
    Bson::Binary(Binary {
        subtype: BinarySubtype::Generic,
        bytes: bytes.to_vec(),
    })
}

pub fn date(at: DateTime<Utc>) -> Bson {
    Bson::DateTime(bson::DateTime::from_millis(at.timestamp_millis()))
}

pub fn days_ago(now: DateTime<Utc>, days: i64) -> Bson {
    date(now - Duration::days(days))
}

/// The edge of a window of `days` days back from `now` and one
/// millisecond on either side: (label, date), oldest first. The edge
/// itself is inside the window; one millisecond older is outside.
pub fn window_edges(now: DateTime<Utc>, days: i64) -> [(&'static str, Bson); 3] {
    let edge = now - Duration::days(days);
    let ms = Duration::milliseconds(1);
    [
        ("1 ms outside", date(edge - ms)),
        ("at the edge", date(edge)),
        ("1 ms inside", date(edge + ms)),
    ]
}

pub fn decimal(text: &str) -> Bson {
    text.parse::<Decimal128>()
        .map_or(Bson::Null, Bson::Decimal128)
}

/// A date from its RFC 3339 text (generator constants only).
pub fn at(text: &str) -> Bson {
    DateTime::parse_from_rfc3339(text)
        .map(|t| date(t.with_timezone(&Utc)))
        .unwrap_or(Bson::Null)
}

/// The file's text in its layout and mode, as `mongoexport` writes it.
pub fn render(export: &Generated) -> String {
    let json = |doc: &bson::Document| {
        let value = match export.mode {
            Mode::Canonical => Bson::Document(doc.clone()).into_canonical_extjson(),
            Mode::Relaxed => Bson::Document(doc.clone()).into_relaxed_extjson(),
        };
        value.to_string()
    };
    match export.layout {
        Layout::Ndjson => export.docs.iter().map(|d| json(d) + "\n").collect(),
        Layout::Array => {
            let items: Vec<String> = export.docs.iter().map(json).collect();
            format!("[\n{}\n]\n", items.join(",\n"))
        }
    }
}
