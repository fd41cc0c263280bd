//! Embedded values as they go into jsonb: relaxed Extended JSON (dates,
//! decimals, binaries keep their type), except for the doubles jsonb's
//! numeric cannot give back as the same double. numeric has no negative
//! zero (`-0.0` would come back as `0.0`), and a whole double from 1e16 up
//! is written with an exponent and comes back as an integer (the relaxed
//! reading of it is an Int64). Those are written canonically,
//! `{"$numberDouble": "..."}`, which relaxed Extended JSON allows: every
//! reader gets the same double back, bit for bit.

use bson::Bson;
use serde_json::Value as Json;

/// The smallest whole double jsonb's numeric prints without a decimal point.
const EXPONENT_FROM: f64 = 1e16;

/// `value` as it is stored in a jsonb column.
pub fn to_jsonb(value: Bson) -> Json {
    match value {
        Bson::Double(d) if jsonb_loses(d) => Bson::Double(d).into_canonical_extjson(),
        Bson::Document(doc) => {
            Json::Object(doc.into_iter().map(|(k, v)| (k, to_jsonb(v))).collect())
        }
        Bson::Array(items) => Json::Array(items.into_iter().map(to_jsonb).collect()),
        other => other.into_relaxed_extjson(),
    }
}

/// Whether a finite double written as a JSON number would come back from
/// jsonb as another value or type.
pub fn jsonb_loses(d: f64) -> bool {
    d.is_finite()
        && ((d == 0.0 && d.is_sign_negative()) || (d.fract() == 0.0 && d.abs() >= EXPONENT_FROM))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_jsonb_cannot_keep_are_written_canonically() {
        assert_eq!(to_jsonb(Bson::Double(1.5)), serde_json::json!(1.5));
        assert_eq!(to_jsonb(Bson::Double(123.0)), serde_json::json!(123.0));
        assert_eq!(
            to_jsonb(Bson::Double(-0.0)),
            serde_json::json!({"$numberDouble": "-0.0"})
        );
        let whole = to_jsonb(Bson::Double(1e16));
        let text = whole["$numberDouble"].as_str().expect("canonical");
        assert_eq!(text.parse::<f64>().ok(), Some(1e16));
        let nested = bson::doc! { "a": [ -0.0f64, 2.5f64 ], "b": { "c": 3e20f64 } };
        let json = to_jsonb(Bson::Document(nested));
        assert!(json["a"][0].is_object() && json["a"][1].is_f64() && json["b"]["c"].is_object());
    }
}
