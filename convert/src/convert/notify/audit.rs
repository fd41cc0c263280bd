//! `audit` (tier A: the audit trail is kept whole) to `notify.audit`;
//! fields the table has no column for are carried in `payload` under
//! `_mongo`.

use uuid::Uuid;

use crate::convert::trail::{convert_trail, trail_table};
use crate::convert::{Context, Conversion, Fields, Reject};
use crate::table::Table;

pub static TABLE: Table = trail_table("notify");

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    convert_trail(
        f,
        cx,
        id,
        &[
            "channel",
            "rule",
            "template",
            "delivery",
            "incident",
            "escalation",
            "schedule",
        ],
    )
}
