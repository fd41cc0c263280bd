//! The text-with-CHECK columns of the authority schema, as Rust enums.

use crate::text_enum::text_enum;

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
