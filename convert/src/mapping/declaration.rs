//! The shape of a declaration.

/// One collection and the table its documents become.
#[derive(Debug)]
pub struct Mapping {
    pub module: &'static str,
    pub collection: &'static str,
    /// `schema.table`.
    pub table: &'static str,
    /// The primary key column that holds the row id derived from `_id`.
    pub id_column: &'static str,
    pub columns: &'static [Column],
    /// The jsonb column whose `_mongo` key holds every field the
    /// declaration does not map or drop; `None`: such a field has no place,
    /// and the document cannot arrive whole.
    pub carry: Option<&'static str>,
    /// Fields left out on purpose: (field, why).
    pub dropped: &'static [(&'static str, &'static str)],
    pub keep: Keep,
}

/// One column and where its value comes from.
#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub from: From,
}

#[derive(Debug)]
pub enum From {
    /// The row id: a UUID `_id` as it is; any other `_id` a version 8 uuid
    /// from SHA-256 of `stellaops-convert:<collection>:<kind>:<id>`.
    Id,
    /// A source field (missing and `null` alike take the default).
    Field(&'static str, Kind, Default),
    /// No source field: the column starts NULL, for the reason given.
    Nothing(&'static str),
    /// A SHA-256 the conversion computes (`sha256:` and 64 hex digits):
    /// whatever hash the export carries is not trusted.
    Hashed(Hashed),
}

/// What a computed digest covers.
#[derive(Debug)]
pub enum Hashed {
    /// The UTF-8 bytes of a text source field.
    Text(&'static str),
    /// A risk profile's content as the repositories define it: canonical
    /// JSON (keys sorted, no spaces) of name, version, signals, weights,
    /// thresholds and overrides; only when the source's `status` field is
    /// not `unless` (NULL otherwise). Checked against the loaded row, whose
    /// content columns are themselves checked against the source.
    ProfileContent {
        status: &'static str,
        unless: &'static str,
    },
}

/// How a source value becomes a column value.
#[derive(Debug)]
pub enum Kind {
    Text,
    /// Text of the schema's CHECK list; .NET's PascalCase reads as snake_case.
    Enum,
    /// One lowercase word of the schema's CHECK list, in any case
    /// (`PagerDuty` is `pagerduty`).
    Word,
    /// A wall-clock time of day (`HH:MM`, `HH:MM:SS[.ffffff]`) into `time`.
    Clock,
    /// ISO weekdays (1 = Monday), as numbers or English day names, into `smallint[]`.
    Days,
    Uuid,
    Int,
    Bool,
    /// A `$date`, stored to the millisecond it carries.
    Time,
    Strings,
    /// An embedded document, stored as Extended JSON in jsonb.
    Document,
    Array,
    /// A secret: text as it is, `$binary` as its base64 text.
    Secret,
    Ip,
    /// The row id another collection's document got.
    Ref(&'static str, Reference),
}

/// What a reference does when its target has no row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// No foreign key: the derived id is kept whatever became of the target.
    Loose,
    /// Under a foreign key; a target the tier left out sets it to NULL.
    SetNull,
    /// Under a foreign key; a target the tier left out takes the row with it.
    Cascade,
    /// Under a foreign key to a collection converted in full.
    Required,
}

/// The value of a missing (or `null`) field.
#[derive(Debug)]
pub enum Default {
    /// The field must be there.
    Required,
    Null,
    Text(&'static str),
    Int(i64),
    Bool(bool),
    EmptyDocument,
    EmptyArray,
    /// The value of another source field (`updatedAt` from `createdAt`).
    SameAs(&'static str),
    /// The number of items of another source field's array.
    CountOf(&'static str),
    /// A list of whole numbers (every weekday).
    Ints(&'static [i64]),
}

/// Which documents the conversion keeps (conversion plan, section 3.2).
#[derive(Debug)]
pub enum Keep {
    /// Tier A.
    All,
    /// Those whose `field` is at most `days` days before the clock, the
    /// edge itself included.
    Recent { field: &'static str, days: i64 },
    /// Those whose status is one of `active`, and the others by `Recent`.
    ActiveOrRecent {
        status: &'static str,
        active: &'static [&'static str],
        field: &'static str,
        days: i64,
    },
    /// Those whose status (default `valid`) is `valid` and whose `expires`
    /// is after the clock.
    Valid {
        status: &'static str,
        expires: &'static str,
    },
    /// Tier C: none.
    None,
}

/// A column read from a source field.
pub const fn field(
    name: &'static str,
    source: &'static str,
    kind: Kind,
    default: Default,
) -> Column {
    Column {
        name,
        from: From::Field(source, kind, default),
    }
}

/// A column no document fills.
pub const fn nothing(name: &'static str, why: &'static str) -> Column {
    Column {
        name,
        from: From::Nothing(why),
    }
}

/// A column holding a digest the conversion computes.
pub const fn hashed(name: &'static str, of: Hashed) -> Column {
    Column {
        name,
        from: From::Hashed(of),
    }
}

/// The row id column.
pub const fn id(name: &'static str) -> Column {
    Column {
        name,
        from: From::Id,
    }
}
