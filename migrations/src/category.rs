//! The four categories of a migration: when it runs and who applies it.

use std::fmt;
use std::str::FromStr;

/// When a migration runs (the four categories of the StellaOps runner).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Applied automatically by every `apply`.
    Startup,
    /// Schema changes that need a deliberate rollout: applied only when asked.
    Release,
    /// Idempotent reference data, applied with the startup migrations.
    Seed,
    /// Batched backfills: applied only when asked.
    Data,
}

impl Category {
    /// Every category, in a stable order.
    pub const ALL: [Category; 4] = [
        Category::Startup,
        Category::Release,
        Category::Seed,
        Category::Data,
    ];

    /// The name stored in the tracking table and used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Startup => "startup",
            Category::Release => "release",
            Category::Seed => "seed",
            Category::Data => "data",
        }
    }

    /// Whether a plain `apply` (without asking for this category) runs it.
    pub fn is_automatic(self) -> bool {
        matches!(self, Category::Startup | Category::Seed)
    }

    /// The category a file name's suffix says (`name.release.sql`), startup when none.
    pub(crate) fn from_file_stem(stem: &str) -> (Category, &str) {
        for category in [Category::Release, Category::Seed, Category::Data] {
            if let Some(name) = stem.strip_suffix(&format!(".{}", category.as_str())) {
                return (category, name);
            }
        }
        (Category::Startup, stem)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                format!("unknown migration category `{s}` (startup, release, seed, data)")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_selects_category_and_strips_it_from_the_name() {
        assert_eq!(
            Category::from_file_stem("0001_init"),
            (Category::Startup, "0001_init")
        );
        assert_eq!(
            Category::from_file_stem("0002_drop_col.release"),
            (Category::Release, "0002_drop_col")
        );
        assert_eq!(
            Category::from_file_stem("0003_roles.seed"),
            (Category::Seed, "0003_roles")
        );
        assert_eq!(
            Category::from_file_stem("0004_fill.data"),
            (Category::Data, "0004_fill")
        );
    }

    #[test]
    fn parse_round_trips_and_rejects_unknown() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>(), Ok(c));
        }
        assert!("nightly".parse::<Category>().is_err());
    }
}
