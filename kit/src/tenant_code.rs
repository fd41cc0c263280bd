//! Tenant codes, validated (length, charset) before they reach SQL.

use std::fmt;
use std::str::FromStr;

/// The longest tenant code accepted (the schema's CHECK allows the same).
pub const MAX_TENANT_CODE_LEN: usize = 64;

/// A tenant code that has been validated before it gets anywhere near SQL:
/// 1 to 64 characters, lowercase ASCII letters, digits, `-` and `_`, starting
/// with a letter or digit.
///
/// ```
/// use stellaops_kit::TenantCode;
/// assert!(TenantCode::parse("acme-eu_1").is_ok());
/// assert!(TenantCode::parse("x'; DROP SCHEMA authority; --").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantCode(String);

/// Why a tenant code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantCodeError {
    #[error("tenant code is empty")]
    Empty,
    #[error("tenant code is {len} characters long; at most {MAX_TENANT_CODE_LEN} are allowed")]
    TooLong { len: usize },
    #[error(
        "tenant code {code:?} has {found:?} at position {position}; \
         only lowercase letters, digits, '-' and '_' are allowed"
    )]
    InvalidCharacter {
        code: String,
        found: char,
        position: usize,
    },
    #[error("tenant code {code:?} must start with a lowercase letter or a digit")]
    BadStart { code: String },
}

impl TenantCode {
    pub fn parse(code: &str) -> Result<Self, TenantCodeError> {
        if code.is_empty() {
            return Err(TenantCodeError::Empty);
        }
        let len = code.chars().count();
        if len > MAX_TENANT_CODE_LEN {
            return Err(TenantCodeError::TooLong { len });
        }
        if let Some((position, found)) = code.chars().enumerate().find(|(_, c)| {
            !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_')
        }) {
            return Err(TenantCodeError::InvalidCharacter {
                code: code.to_owned(),
                found,
                position,
            });
        }
        if code.starts_with(['-', '_']) {
            return Err(TenantCodeError::BadStart {
                code: code.to_owned(),
            });
        }
        Ok(TenantCode(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TenantCode {
    type Err = TenantCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TenantCode::parse(s)
    }
}

impl TryFrom<&str> for TenantCode {
    type Error = TenantCodeError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        TenantCode::parse(s)
    }
}

impl TryFrom<&TenantCode> for TenantCode {
    type Error = TenantCodeError;

    fn try_from(code: &TenantCode) -> Result<Self, Self::Error> {
        Ok(code.clone())
    }
}

impl AsRef<str> for TenantCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_codes() {
        for ok in [
            "acme",
            "a",
            "tenant-01",
            "eu_west_2",
            "0day",
            &"a".repeat(64),
        ] {
            assert_eq!(TenantCode::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn rejects_with_a_reason_that_names_the_problem() {
        assert_eq!(TenantCode::parse(""), Err(TenantCodeError::Empty));
        assert_eq!(
            TenantCode::parse(&"a".repeat(65)),
            Err(TenantCodeError::TooLong { len: 65 })
        );
        let err = TenantCode::parse("x'; DROP SCHEMA authority; --").unwrap_err();
        assert!(matches!(
            err,
            TenantCodeError::InvalidCharacter {
                found: '\'',
                position: 1,
                ..
            }
        ));
        for bad in ["Acme", "a;b", "a b", "a\"b", "a\0b", "é", "a.b", "a/b"] {
            assert!(
                matches!(
                    TenantCode::parse(bad),
                    Err(TenantCodeError::InvalidCharacter { .. })
                ),
                "{bad:?} must be refused"
            );
        }
        assert!(matches!(
            TenantCode::parse("-acme"),
            Err(TenantCodeError::BadStart { .. })
        ));
        assert!(err.to_string().contains("position 1"));
    }
}
