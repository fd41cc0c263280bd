//! Optional values as row values: `None` is NULL.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::table::Value;

pub fn opt_text(text: Option<String>) -> Value {
    text.map_or(Value::Null, Value::Text)
}

pub fn opt_time(time: Option<DateTime<Utc>>) -> Value {
    time.map_or(Value::Null, Value::Time)
}

pub fn opt_uuid(id: Option<Uuid>) -> Value {
    id.map_or(Value::Null, Value::Uuid)
}
