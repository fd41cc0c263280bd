//! What the in-memory backends share: tenant rows keyed like their primary
//! key, a lock that survives a panic, and keyset pages over sorted rows.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use uuid::Uuid;

use crate::page::{Cursor, Page, PageRequest};
use crate::{StorageError, TenantContext};

/// Rows of one tenant table, keyed like its primary key.
pub(crate) type Rows<T> = BTreeMap<(String, Uuid), T>;

/// The primary key of a tenant row.
pub(crate) fn key(ctx: &TenantContext, id: Uuid) -> (String, Uuid) {
    (ctx.tenant().as_str().to_owned(), id)
}

/// The rows of one tenant, in primary-key order.
pub(crate) fn of_tenant<'a, T>(
    rows: &'a Rows<T>,
    ctx: &TenantContext,
) -> impl Iterator<Item = &'a T> {
    let tenant = ctx.tenant().as_str().to_owned();
    rows.range((tenant.clone(), Uuid::nil())..=(tenant, Uuid::max()))
        .map(|(_, row)| row)
}

/// The state behind a memory backend. Every operation checks first and
/// writes last, so a panic cannot leave a half-applied change behind a
/// poisoned lock.
pub(crate) fn lock<T>(state: &Mutex<T>) -> MutexGuard<'_, T> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A keyset page of `rows` as the SQL lists give it: rows sorted by
/// `sort_key`, those past the cursor (parsed by `parse`) in the cursor's
/// direction, one more than the page size, assembled with `cursor_of`.
pub(crate) fn keyset_page<T, K: Ord>(
    mut rows: Vec<T>,
    page: &PageRequest,
    sort_key: impl Fn(&T) -> K,
    parse: impl Fn(&str) -> Result<K, StorageError>,
    cursor_of: impl Fn(&T) -> String,
) -> Result<Page<T>, StorageError> {
    let (size, clamped_from) = page.effective_size()?;
    let bound = match &page.cursor {
        Cursor::After(text) | Cursor::Before(text) => Some(parse(text)?),
        Cursor::Start | Cursor::End => None,
    };
    let backward = matches!(page.cursor, Cursor::Before(_) | Cursor::End);
    rows.sort_by_key(&sort_key);
    if let Some(bound) = &bound {
        rows.retain(|row| {
            let k = sort_key(row);
            if backward { k < *bound } else { k > *bound }
        });
    }
    if backward {
        rows.reverse();
    }
    rows.truncate(size as usize + 1);
    Ok(Page::assemble(
        rows,
        &page.cursor,
        size,
        clamped_from,
        cursor_of,
    ))
}
