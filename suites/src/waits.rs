//! Whether a call waits on a lock another transaction holds: a claim with
//! `SKIP LOCKED` must not. The server says so (`pg_stat_activity` shows a
//! backend of the test's database waiting on a `Lock`), so a test fails the
//! moment the wait starts rather than on a timer.

use std::future::Future;
use std::time::Duration;

use sqlx::PgPool;

/// How often the server is asked; a wait lasts until the holder ends, so
/// any interval finds it.
const POLL: Duration = Duration::from_millis(10);

/// Runs `call` while watching, through `admin` (a pool that sees every
/// backend), for a backend of the same database waiting on a lock. Ok with
/// the call's output when it finished without one; Err naming the waiting
/// statement as soon as one is seen, or when `bound` runs out.
pub async fn never_waits_on_a_lock<T>(
    admin: &PgPool,
    bound: Duration,
    call: impl Future<Output = T>,
) -> Result<T, String> {
    let watch = async {
        loop {
            let waiting: Option<String> = sqlx::query_scalar(
                "SELECT query FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event_type = 'Lock'
                    AND pid <> pg_backend_pid() LIMIT 1",
            )
            .fetch_optional(admin)
            .await
            .map_err(|e| format!("watching pg_stat_activity: {e}"))?;
            if let Some(statement) = waiting {
                return Err::<T, String>(format!(
                    "waited on a lock held by another transaction: {statement}"
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    };
    let race = async {
        tokio::select! {
            output = call => Ok(output),
            waited = watch => waited,
        }
    };
    tokio::time::timeout(bound, race)
        .await
        .map_err(|_| format!("neither finished nor waited on a lock within {bound:?}"))?
}
