//! Keyset pages: requests, cursors and the clamp on page sizes.

use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

use crate::StorageError;

/// The largest page a list returns; larger requests are clamped to it.
pub const MAX_PAGE_SIZE: u32 = 500;
/// The page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// Which way a keyset page goes from its cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// The first page.
    Start,
    /// Rows strictly after this key, in ascending order.
    After(String),
    /// Rows strictly before this key; the page is still returned ascending.
    Before(String),
    /// The last page (paging backward from the end).
    End,
}

/// A page request: a size and a cursor. Sizes below 1 are refused; sizes
/// above [`MAX_PAGE_SIZE`] are clamped, and the page says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub size: i64,
    pub cursor: Cursor,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            size: i64::from(DEFAULT_PAGE_SIZE),
            cursor: Cursor::Start,
        }
    }
}

impl PageRequest {
    pub fn first(size: i64) -> Self {
        PageRequest {
            size,
            cursor: Cursor::Start,
        }
    }

    pub fn after(size: i64, key: impl Into<String>) -> Self {
        PageRequest {
            size,
            cursor: Cursor::After(key.into()),
        }
    }

    pub fn before(size: i64, key: impl Into<String>) -> Self {
        PageRequest {
            size,
            cursor: Cursor::Before(key.into()),
        }
    }

    /// The size that will be used, and the asked size when it was clamped.
    pub fn effective_size(&self) -> Result<(u32, Option<i64>), StorageError> {
        if self.size < 1 {
            return Err(StorageError::invalid(
                "page size",
                format!("{} is not allowed; ask for 1 to {MAX_PAGE_SIZE}", self.size),
            ));
        }
        if self.size > i64::from(MAX_PAGE_SIZE) {
            return Ok((MAX_PAGE_SIZE, Some(self.size)));
        }
        Ok((self.size as u32, None))
    }
}

/// One page of a keyset-paginated list, in ascending key order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The key to pass to [`PageRequest::after`] for the next page, if any.
    pub next: Option<String>,
    /// The key to pass to [`PageRequest::before`] for the previous page, if any.
    pub previous: Option<String>,
    /// The page size used.
    pub size: u32,
    /// The asked size, when it was above [`MAX_PAGE_SIZE`] and clamped.
    pub clamped_from: Option<i64>,
}

impl<T> Page<T> {
    /// Builds a page from rows fetched in the cursor's direction (ascending
    /// for [`Cursor::Start`] and [`Cursor::After`], descending for
    /// [`Cursor::Before`] and [`Cursor::End`]), one more than `size` when
    /// there are more.
    pub fn assemble(
        mut rows: Vec<T>,
        cursor: &Cursor,
        size: u32,
        clamped_from: Option<i64>,
        key: impl Fn(&T) -> String,
    ) -> Self {
        let more = rows.len() > size as usize;
        rows.truncate(size as usize);
        let backward = matches!(cursor, Cursor::Before(_) | Cursor::End);
        if backward {
            rows.reverse();
        }
        let first = rows.first().map(&key);
        let last = rows.last().map(&key);
        let (previous, next) = match cursor {
            Cursor::Start => (None, if more { last } else { None }),
            Cursor::After(_) => (first, if more { last } else { None }),
            Cursor::Before(_) => (if more { first } else { None }, last),
            Cursor::End => (if more { first } else { None }, None),
        };
        Page {
            items: rows,
            next,
            previous,
            size,
            clamped_from,
        }
    }
}

/// The cursor of a list paged by (a time, id), such as (created_at, id):
/// the time to the microsecond, then the id.
pub(crate) fn time_key(at: DateTime<Utc>, id: Uuid) -> String {
    format!("{}/{id}", at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

pub(crate) fn parse_time_key(text: &str) -> Result<(DateTime<Utc>, Uuid), StorageError> {
    let (at, id) = text
        .split_once('/')
        .ok_or_else(|| StorageError::invalid("page cursor", "is not a (time, id) cursor"))?;
    let at = DateTime::parse_from_rfc3339(at)
        .map_err(|e| StorageError::invalid("page cursor", format!("has a bad time: {e}")))?;
    let id = Uuid::parse_str(id)
        .map_err(|e| StorageError::invalid("page cursor", format!("has a bad id: {e}")))?;
    Ok((at.with_timezone(&Utc), id))
}
