//! The verdict of a related-tenant read check, the same for every module:
//! each tenant-scoped read runs as the owner (`acme-eu`, which holds rows),
//! then as a related tenant (`acme`) that holds nothing, then as `acme`
//! once it holds rows with the same ids and keys.

use std::future::Future;
use std::pin::Pin;

use stellaops_storage::TenantContext;

/// What one read answered: the tenant of each row it returned (a count
/// answers one entry per counted row).
pub type Seen = Vec<String>;

/// What each read (by name) returned.
pub type Reads = Vec<(&'static str, Seen)>;

/// One tenant-scoped read of a module's repositories `S`.
pub type Probe<S> =
    for<'a> fn(&'a S, &'a TenantContext) -> Pin<Box<dyn Future<Output = Seen> + Send + 'a>>;

/// The tenants of `rows`.
pub fn tenants<T>(rows: impl IntoIterator<Item = T>, tenant: impl Fn(&T) -> &str) -> Seen {
    rows.into_iter()
        .map(|row| tenant(&row).to_owned())
        .collect()
}

/// Every probe's answer, as `ctx`.
pub async fn read_all<S: ?Sized>(
    probes: &[(&'static str, Probe<S>)],
    store: &S,
    ctx: &TenantContext,
) -> Reads {
    let mut seen = Vec::new();
    for (name, probe) in probes {
        seen.push((*name, probe(store, ctx).await));
    }
    seen
}

/// Panics naming the reads that prove nothing (found nothing of the
/// owner's), leak (returned the owner's rows to `observer` before it had
/// any), or differ from the owner's once `observer` holds the same rows
/// (`after`: what `observer` read then; `owner_after`: what the owner
/// read then, which must not have changed).
#[track_caller]
pub fn judge(
    owner: &str,
    observer: &str,
    owned: &Reads,
    leaked: &Reads,
    after: &Reads,
    owner_after: &Reads,
) {
    let blind: Vec<&str> = owned
        .iter()
        .filter(|(_, seen)| seen.is_empty())
        .map(|(name, _)| *name)
        .collect();
    assert!(
        blind.is_empty(),
        "reads that found nothing of {owner}: {blind:?}"
    );
    let leaks: Vec<_> = leaked.iter().filter(|(_, seen)| !seen.is_empty()).collect();
    assert!(
        leaks.is_empty(),
        "{observer} read rows of {owner}: {leaks:?}"
    );
    let expected: Reads = owned
        .iter()
        .map(|(name, seen)| {
            let own = seen
                .iter()
                .map(|t| {
                    if t == owner {
                        observer.to_owned()
                    } else {
                        t.clone()
                    }
                })
                .collect();
            (*name, own)
        })
        .collect();
    assert_eq!(after, &expected, "{observer} reads exactly its own rows");
    assert_eq!(owner_after, owned, "{owner} unchanged");
}

/// The whole check: `seed` gives `owner` its rows, every probe reads as
/// `owner` and then as `observer` (who must see nothing), `seed` gives
/// `observer` rows under the same ids and keys, and every probe reads again
/// as both; [`judge`] rules on the four readings.
pub async fn owner_then_observer<S: ?Sized>(
    probes: &[(&'static str, Probe<S>)],
    store: &S,
    owner: &TenantContext,
    observer: &TenantContext,
    seed: impl AsyncFn(&TenantContext),
) {
    seed(owner).await;
    let owned = read_all(probes, store, owner).await;
    let leaked = read_all(probes, store, observer).await;
    seed(observer).await;
    let after = read_all(probes, store, observer).await;
    let owner_after = read_all(probes, store, owner).await;
    judge(
        owner.tenant().as_str(),
        observer.tenant().as_str(),
        &owned,
        &leaked,
        &after,
        &owner_after,
    );
}
