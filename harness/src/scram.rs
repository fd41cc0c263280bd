//! SCRAM-SHA-256 verifiers computed by the harness.
//!
//! PostgreSQL stores a password as a verifier with an iteration count; the
//! client repeats that many PBKDF2 rounds at every login. The default 4096
//! rounds protect human passwords against offline guessing and cost about
//! 9 ms a login on the machines this kit runs on; the harness's passwords are
//! 128 random bits, which no guessing reaches, so its roles get a verifier
//! with few rounds and a login costs a fraction of that.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Rounds for verifiers of random harness passwords (see the module docs).
pub const HARNESS_ITERATIONS: u32 = 16;

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length: new_from_slice cannot fail for it.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// PBKDF2-HMAC-SHA256 with one output block (32 bytes), as SCRAM uses it.
fn salted_password(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut block = salt.to_vec();
    block.extend_from_slice(&1u32.to_be_bytes());
    let mut u = hmac(password, &block);
    let mut out = u;
    for _ in 1..iterations {
        u = hmac(password, &u);
        out.iter_mut().zip(u.iter()).for_each(|(o, x)| *o ^= x);
    }
    out
}

/// The verifier PostgreSQL stores for `password` (`SCRAM-SHA-256$i:salt$stored:server`).
/// `password` must need no SASLprep (the harness only uses hex).
pub fn verifier(password: &str, salt: &[u8], iterations: u32) -> String {
    let salted = salted_password(password.as_bytes(), salt, iterations);
    let client_key = hmac(&salted, b"Client Key");
    let stored_key = Sha256::digest(client_key);
    let server_key = hmac(&salted, b"Server Key");
    format!(
        "SCRAM-SHA-256${iterations}:{}${}:{}",
        STANDARD.encode(salt),
        STANDARD.encode(stored_key),
        STANDARD.encode(server_key)
    )
}

/// Sets `role`'s password to `password` through a low-round verifier, so the
/// server never sees the password itself and each login stays cheap.
pub async fn set_password(
    conn: &mut sqlx::PgConnection,
    role: &str,
    password: &str,
    login: bool,
) -> Result<(), crate::HarnessError> {
    let salt = crate::state::random_hex()?;
    let secret = verifier(password, &salt.as_bytes()[..16], HARNESS_ITERATIONS);
    // format() with %I/%L quotes the name and the verifier on the server side.
    let statement: String = sqlx::query_scalar(
        "SELECT format('ALTER ROLE %I ' || CASE WHEN $3 THEN 'LOGIN ' ELSE '' END || 'PASSWORD %L', $1::text, $2::text)",
    )
    .bind(role)
    .bind(secret)
    .bind(login)
    .fetch_one(&mut *conn)
    .await
    .map_err(crate::HarnessError::db(format!("preparing the password of {role}")))?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
        .execute(conn)
        .await
        .map_err(crate::HarnessError::db(format!(
            "setting the password of {role}"
        )))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pbkdf2_matches_rfc_7914_test_vector() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1), first 32 bytes.
        let expected = "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc";
        let got: String = salted_password(b"passwd", b"salt", 1)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn verifier_has_postgres_shape() {
        let v = verifier("0123abcd", b"0123456789abcdef", HARNESS_ITERATIONS);
        let (head, keys) = v
            .split_once('$')
            .and_then(|(h, rest)| Some((h, rest.split_once('$')?.1)))
            .unwrap();
        assert_eq!(head, "SCRAM-SHA-256");
        assert!(v.starts_with("SCRAM-SHA-256$16:"));
        assert_eq!(keys.split(':').count(), 2);
    }
}
