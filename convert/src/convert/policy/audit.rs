//! `policy_audit` (tier A: the audit trail is kept whole) to
//! `policy.audit`; fields the table has no column for are carried in
//! `payload` under `_mongo`.

use uuid::Uuid;

use crate::convert::trail::{convert_trail, trail_table};
use crate::convert::{Context, Conversion, Fields, Reject};
use crate::table::Table;

pub static TABLE: Table = trail_table("policy");

pub fn convert(f: &mut Fields<'_>, cx: &mut Context, id: Uuid) -> Result<Conversion, Reject> {
    convert_trail(
        f,
        cx,
        id,
        &[
            "pack",
            "pack_version",
            "risk_profile",
            "evaluation",
            "exception",
        ],
    )
}
