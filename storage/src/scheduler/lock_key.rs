//! Stable 64-bit advisory-lock keys from lock names (never a per-process
//! hash).

use sha2::{Digest, Sha256};

/// The 64-bit advisory-lock key of a lock name: the first eight bytes of
/// SHA-256 over a versioned prefix and the name, big-endian, as `i64`.
///
/// Stable across processes, builds, platforms and Rust versions, unlike the
/// seeds' per-process randomised string hash (two schedulers computing
/// different keys for one name never exclude each other), and unlike
/// `DefaultHasher`. The golden values in the tests pin it: changing it
/// would let an old and a new build run the same job at once.
///
/// ```
/// use stellaops_storage::scheduler::lock_key;
/// assert_eq!(lock_key("scheduler:due-poll"), lock_key("scheduler:due-poll"));
/// assert_ne!(lock_key("a"), lock_key("b"));
/// ```
pub fn lock_key(name: &str) -> i64 {
    let mut hasher = Sha256::new();
    hasher.update(b"stellaops.lock.v1\0");
    hasher.update(name.as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Golden values, computed independently (Python's hashlib): a change
    /// here breaks exclusion between old and new builds.
    #[test]
    fn keys_are_pinned() {
        for (name, key) in [
            ("scheduler:due-poll", 1_403_730_780_573_903_513),
            ("scheduler:run-claim", 2_404_746_904_473_375_955),
            ("tenant:acme/schedule:nightly", 5_387_489_769_553_837_458),
            ("", 2_993_035_650_722_394_308),
            ("ü", -5_719_331_199_761_007_433),
        ] {
            assert_eq!(lock_key(name), key, "{name:?}");
        }
    }
}
