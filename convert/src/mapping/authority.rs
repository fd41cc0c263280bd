//! The Authority collections, declared.

use super::Default::{EmptyArray, EmptyDocument, Null, Required, SameAs};
use super::Kind::{Bool, Document, Enum, Int, Ip, Ref, Secret, Strings, Text, Time, Uuid};
use super::{Default, Keep, Mapping, Reference, field, id};

/// Active tokens only.
const TOKEN_KEEP: Keep = Keep::Valid {
    status: "status",
    expires: "expiresAt",
};

pub static MAPPINGS: &[&Mapping] = &[
    &TENANTS,
    &USERS,
    &SERVICE_ACCOUNTS,
    &CLIENTS,
    &SCOPES,
    &TOKENS,
    &REVOCATIONS,
    &LOGIN_ATTEMPTS,
];

pub static TENANTS: Mapping = Mapping {
    module: "authority",
    collection: "authority_tenants",
    table: "authority.tenants",
    id_column: "id",
    columns: &[
        id("id"),
        field("code", "code", Text, Required),
        field("display_name", "displayName", Text, Required),
        field("status", "status", Enum, Default::Text("active")),
        field("settings", "settings", Document, EmptyDocument),
        field("created_at", "createdAt", Time, Required),
        field("updated_at", "updatedAt", Time, SameAs("createdAt")),
    ],
    carry: Some("settings"),
    dropped: &[],
    keep: Keep::All,
};

pub static USERS: Mapping = Mapping {
    module: "authority",
    collection: "authority_users",
    table: "authority.users",
    id_column: "id",
    columns: &[
        field("tenant_id", "tenantId", Text, Required),
        id("id"),
        field("subject_id", "subjectId", Uuid, Required),
        field("username", "username", Text, Required),
        field("email", "email", Text, Null),
        field("display_name", "displayName", Text, Null),
        field("password_hash", "passwordHash", Secret, Null),
        field("status", "status", Enum, Default::Text("active")),
        field(
            "failed_login_count",
            "failedLoginCount",
            Int,
            Default::Int(0),
        ),
        field("last_login_at", "lastLoginAt", Time, Null),
        field("attributes", "attributes", Document, EmptyDocument),
        field("created_at", "createdAt", Time, Required),
        field("updated_at", "updatedAt", Time, SameAs("createdAt")),
        field("deleted_at", "deletedAt", Time, Null),
    ],
    carry: Some("attributes"),
    dropped: &[],
    keep: Keep::All,
};

pub static SERVICE_ACCOUNTS: Mapping = Mapping {
    module: "authority",
    collection: "authority_service_accounts",
    table: "authority.service_accounts",
    id_column: "id",
    columns: &[
        field("tenant_id", "tenantId", Text, Required),
        id("id"),
        field("account_id", "accountId", Text, Required),
        field("display_name", "displayName", Text, Required),
        field("description", "description", Text, Null),
        field("status", "status", Enum, Default::Text("active")),
        field("allowed_scopes", "allowedScopes", Strings, EmptyArray),
        field(
            "authorized_clients",
            "authorizedClients",
            Strings,
            EmptyArray,
        ),
        field("attributes", "attributes", Document, EmptyDocument),
        field("created_at", "createdAt", Time, Required),
        field("updated_at", "updatedAt", Time, SameAs("createdAt")),
    ],
    carry: Some("attributes"),
    dropped: &[],
    keep: Keep::All,
};

pub static CLIENTS: Mapping = Mapping {
    module: "authority",
    collection: "authority_clients",
    table: "authority.clients",
    id_column: "id",
    columns: &[
        field("tenant_id", "tenantId", Text, Required),
        id("id"),
        field("client_id", "clientId", Text, Required),
        field("client_secret_hash", "clientSecretHash", Secret, Null),
        field("display_name", "displayName", Text, Required),
        field(
            "client_type",
            "clientType",
            Enum,
            Default::Text("confidential"),
        ),
        field("status", "status", Enum, Default::Text("active")),
        field("grant_types", "grantTypes", Strings, EmptyArray),
        field("redirect_uris", "redirectUris", Strings, EmptyArray),
        field("allowed_scopes", "allowedScopes", Strings, EmptyArray),
        field("require_pkce", "requirePkce", Bool, Default::Bool(true)),
        field("properties", "properties", Document, EmptyDocument),
        field("created_at", "createdAt", Time, Required),
        field("updated_at", "updatedAt", Time, SameAs("createdAt")),
    ],
    carry: Some("properties"),
    dropped: &[],
    keep: Keep::All,
};

pub static SCOPES: Mapping = Mapping {
    module: "authority",
    collection: "authority_scopes",
    table: "authority.scopes",
    id_column: "id",
    columns: &[
        id("id"),
        field("name", "name", Text, Required),
        field("description", "description", Text, Null),
        field("resources", "resources", Strings, EmptyArray),
        field("is_system", "isSystem", Bool, Default::Bool(false)),
        field("created_at", "createdAt", Time, Required),
    ],
    carry: None,
    dropped: &[],
    keep: Keep::All,
};

pub static TOKENS: Mapping = Mapping {
    module: "authority",
    collection: "authority_tokens",
    table: "authority.tokens",
    id_column: "id",
    columns: &[
        field("tenant_id", "tenantId", Text, Required),
        id("id"),
        field("token_hash", "tokenHash", Text, Required),
        field("token_type", "tokenType", Enum, Required),
        field("status", "status", Enum, Default::Text("valid")),
        field("subject_id", "subjectId", Uuid, Null),
        field(
            "user_id",
            "userId",
            Ref("authority_users", Reference::Required),
            Null,
        ),
        field(
            "service_account_id",
            "serviceAccountId",
            Ref("authority_service_accounts", Reference::Required),
            Null,
        ),
        field("client_id", "clientId", Text, Null),
        field("scopes", "scopes", Strings, EmptyArray),
        field("issued_at", "issuedAt", Time, Required),
        field("expires_at", "expiresAt", Time, Required),
        field("revoked_at", "revokedAt", Time, Null),
        field("revoked_reason", "revokedReason", Text, Null),
        field("payload", "payload", Document, EmptyDocument),
    ],
    carry: Some("payload"),
    dropped: &[],
    keep: TOKEN_KEEP,
};

pub static REVOCATIONS: Mapping = Mapping {
    module: "authority",
    collection: "authority_revocations",
    table: "authority.revocations",
    id_column: "id",
    columns: &[
        field("tenant_id", "tenantId", Text, Required),
        id("id"),
        field("category", "category", Enum, Required),
        field("revocation_id", "revocationId", Text, Required),
        field(
            "token_id",
            "tokenId",
            Ref("authority_tokens", Reference::Loose),
            Null,
        ),
        field("subject_id", "subjectId", Uuid, Null),
        field("client_id", "clientId", Text, Null),
        field("reason", "reason", Text, Required),
        field("reason_description", "reasonDescription", Text, Null),
        field("revoked_at", "revokedAt", Time, Required),
        field("effective_at", "effectiveAt", Time, SameAs("revokedAt")),
        field("expires_at", "expiresAt", Time, Null),
        field("metadata", "metadata", Document, EmptyDocument),
    ],
    carry: Some("metadata"),
    dropped: &[],
    keep: Keep::All,
};

pub static LOGIN_ATTEMPTS: Mapping = Mapping {
    module: "authority",
    collection: "authority_login_attempts",
    table: "authority.login_attempts",
    id_column: "id",
    columns: &[
        field("tenant_id", "tenantId", Text, Required),
        id("id"),
        field(
            "user_id",
            "userId",
            Ref("authority_users", Reference::Loose),
            Null,
        ),
        field("username", "username", Text, Required),
        field("outcome", "outcome", Enum, Required),
        field("reason", "reason", Text, Null),
        field("client_ip", "clientIp", Ip, Null),
        field("user_agent", "userAgent", Text, Null),
        field("occurred_at", "occurredAt", Time, Required),
        field("properties", "properties", Document, EmptyDocument),
    ],
    carry: Some("properties"),
    dropped: &[],
    keep: Keep::Recent {
        field: "occurredAt",
        days: 90,
    },
};
