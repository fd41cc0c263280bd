//! The verdict of a related-tenant read check, the same for every module:
//! each tenant-scoped read runs as the owner (`acme-eu`, which holds rows),
//! then as a related tenant (`acme`) that holds nothing, then as `acme`
//! once it holds rows with the same ids and keys.

/// What each read (by name) returned: the tenant of each row.
pub type Reads = Vec<(&'static str, Vec<String>)>;

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
