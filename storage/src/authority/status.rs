//! The text-with-CHECK columns of the authority schema, as Rust enums.

/// Defines an enum stored as one of a CHECK list's strings.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(concat!("unknown ", $what, " {:?}"), other)),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(text: String) -> Result<Self, Self::Error> {
                text.parse()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

text_enum!(TenantStatus, "tenant status" {
    Active => "active", Suspended => "suspended", Trial => "trial", Terminated => "terminated",
});
text_enum!(UserStatus, "user status" {
    Active => "active", Disabled => "disabled", Locked => "locked", Deleted => "deleted",
});
text_enum!(
    /// Status of service accounts and clients.
    AccountStatus, "account status" { Active => "active", Disabled => "disabled" }
);
text_enum!(ClientType, "client type" { Public => "public", Confidential => "confidential" });
text_enum!(TokenType, "token type" {
    Access => "access", Refresh => "refresh",
    AuthorizationCode => "authorization_code", DeviceCode => "device_code",
});
text_enum!(TokenStatus, "token status" {
    Valid => "valid", Revoked => "revoked", Redeemed => "redeemed", Expired => "expired",
});
text_enum!(RevocationCategory, "revocation category" {
    Token => "token", Subject => "subject", Client => "client", Key => "key",
});
text_enum!(LoginOutcome, "login outcome" {
    Success => "success", Failure => "failure", LockedOut => "locked_out",
    MfaRequired => "mfa_required",
});
text_enum!(LicenseEdition, "license edition" {
    Community => "community", Team => "team", Enterprise => "enterprise",
    Sovereign => "sovereign",
});
text_enum!(LicenseStatus, "license status" {
    Active => "active", Expired => "expired", Revoked => "revoked", Suspended => "suspended",
});
