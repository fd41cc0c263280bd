//! The distributed lock: advisory locks on a stable key for work inside one
//! transaction, and a fenced lease for longer work.

use std::process::Stdio;
use std::time::Duration as StdDuration;

use chrono::Duration;
use stellaops_storage::StorageError;
use stellaops_storage::scheduler::{Lease, lock_key};
use stellaops_suites::history::{History, Op, Record};
use stellaops_suites::lease_race::lease_contention;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::support::{epoch, setup};

/// Workers racing for one lease.
const LEASE_WORKERS: usize = 6;
/// Leases each worker must win (and give back) before it stops.
const GRANTS_PER_WORKER: usize = 4;
/// Longest any child process or worker may take.
const BOUND: StdDuration = StdDuration::from_secs(30);
const CHILD: &str = "STELLAOPS_LOCK_CHILD";

async fn advisory_locks_held(b: &crate::support::Bundle) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT ((classid::bigint << 32) | objid::bigint) FROM pg_locks \
         WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
         ORDER BY 1",
    )
    .fetch_all(b.db.admin())
    .await
    .unwrap()
}

/// Tries the advisory lock of `name` inside `tx`.
async fn take(
    b: &crate::support::Bundle,
    tx: &mut stellaops_storage::SystemTx,
    name: &str,
) -> bool {
    b.locks.try_xact_lock(tx, name).await.unwrap()
}

#[tokio::test]
async fn xact_lock_excludes_and_releases_on_rollback() {
    let b = setup().await;
    let mut first = b.source.system(&b.system).await.unwrap();
    assert!(take(&b, &mut first, "scheduler:due-poll").await);
    let mut second = b.source.system(&b.system).await.unwrap();
    assert!(
        !take(&b, &mut second, "scheduler:due-poll").await,
        "held elsewhere"
    );
    assert!(
        take(&b, &mut second, "scheduler:other").await,
        "other names are free"
    );
    // Rolled back and awaited: a dropped transaction rolls back only when
    // its connection is next used, so the lock's release would race the
    // next statement.
    second.rollback().await.unwrap();
    first.rollback().await.unwrap();
    let mut third = b.source.system(&b.system).await.unwrap();
    assert!(
        take(&b, &mut third, "scheduler:due-poll").await,
        "free after rollback"
    );
}

#[tokio::test]
async fn no_advisory_lock_left_after_release() {
    let b = setup().await;
    let mut tx = b.source.system(&b.system).await.unwrap();
    assert!(take(&b, &mut tx, "scheduler:run-claim").await);
    assert_eq!(
        advisory_locks_held(&b).await,
        [lock_key("scheduler:run-claim")],
        "held while the transaction runs"
    );
    tx.commit().await.unwrap();
    assert_eq!(
        advisory_locks_held(&b).await,
        Vec::<i64>::new(),
        "pg_locks shows none after commit"
    );

    let mut tx = b.source.system(&b.system).await.unwrap();
    assert!(take(&b, &mut tx, "scheduler:run-claim").await);
    drop(tx);
    // The rollback is sent when the connection is next used or released: wait for it, bounded.
    let deadline = tokio::time::Instant::now() + BOUND;
    while !advisory_locks_held(&b).await.is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the lock outlived its rolled-back transaction"
        );
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
}

/// A child process of `lock_key_stable_across_processes`: takes or probes
/// the advisory lock of a name, computing the key in its own process.
#[tokio::test]
#[ignore = "a child process of lock_key_stable_across_processes"]
async fn child_takes_or_probes_the_lock() {
    let Ok(mode) = std::env::var(CHILD) else {
        return;
    };
    let url = std::env::var("STELLAOPS_LOCK_URL").unwrap();
    let options: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect_with(
        &options.statement_cache_capacity(0),
    )
    .await
    .unwrap();
    let mut tx = sqlx::Connection::begin(&mut conn).await.unwrap();
    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .persistent(false)
        .bind(lock_key("tenant:acme/schedule:nightly"))
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    println!("GOT {got}");
    if mode == "hold" {
        // Hold until the parent closes stdin (or dies).
        let _ = tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)
        })
        .await;
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn lock_key_stable_across_processes() {
    let b = setup().await;
    let options =
        b.db.server()
            .direct_role_options(b.db.name(), "stellaops_system")
            .unwrap();
    let url = format!(
        "postgres://stellaops_system:{}@{}:{}/{}",
        b.db.server().role_password("stellaops_system"),
        options.get_host(),
        options.get_port(),
        b.db.name()
    );
    let child = |mode: &str| {
        let mut command = tokio::process::Command::new(std::env::current_exe().unwrap());
        command
            .args([
                "--exact",
                "locks::child_takes_or_probes_the_lock",
                "--ignored",
                "--nocapture",
            ])
            .env(CHILD, mode)
            .env("STELLAOPS_LOCK_URL", &url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        command
    };
    let probe = || async {
        let output = tokio::time::timeout(BOUND, child("probe").output())
            .await
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        stdout
            .lines()
            .find_map(|l| l.strip_prefix("GOT ").map(|v| v == "true"))
            .unwrap_or_else(|| panic!("no answer: {stdout}"))
    };

    let mut holder = child("hold").spawn().unwrap();
    let mut lines = BufReader::new(holder.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(BOUND, async {
        loop {
            match lines.next_line().await.unwrap() {
                Some(line) if line.starts_with("GOT ") => return line,
                Some(_) => continue,
                None => panic!("the holder exited without answering"),
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(first, "GOT true", "the holder takes the lock");
    assert!(
        !probe().await,
        "another process computes the same key and is excluded"
    );
    // This process too.
    let mut tx = b.source.system(&b.system).await.unwrap();
    assert!(!take(&b, &mut tx, "tenant:acme/schedule:nightly").await);
    drop(tx);

    let mut stdin = holder.stdin.take().unwrap();
    stdin.write_all(b"release\n").await.unwrap();
    drop(stdin);
    assert!(
        tokio::time::timeout(BOUND, holder.wait())
            .await
            .unwrap()
            .unwrap()
            .success()
    );
    assert!(probe().await, "free once the holder's transaction ended");
}

#[tokio::test]
async fn lease_expiry_boundary_and_fencing() {
    let b = setup().await;
    let history = History::default();
    let name = "scheduler:due-poll";
    let ttl = Duration::seconds(30);
    let record = |invoked, worker: &str, op, token, lease: Option<&Lease>| {
        history.record(
            invoked,
            Record {
                worker,
                op,
                item: name,
                token,
                accepted: lease.is_some(),
                batch: None,
                validity: lease.map(|l| (l.acquired_at, l.expires_at)),
            },
        )
    };

    let t = history.invoke();
    let a = b
        .locks
        .acquire(&b.system, name, "a", ttl)
        .await
        .unwrap()
        .unwrap();
    record(t, "a", Op::LeaseAcquire, a.fencing_token, Some(&a));
    assert_eq!((a.fencing_token, a.expires_at), (1, epoch() + ttl));

    // One microsecond before expiry the lease is still a's.
    b.clock.set(a.expires_at - Duration::microseconds(1));
    let t = history.invoke();
    let refused = b.locks.acquire(&b.system, name, "b", ttl).await.unwrap();
    record(t, "b", Op::LeaseAcquire, 0, refused.as_ref());
    assert_eq!(refused, None);

    // At expiry it is free: b gets it with a larger token.
    b.clock.set(a.expires_at);
    let t = history.invoke();
    let lease_b = b
        .locks
        .acquire(&b.system, name, "b", ttl)
        .await
        .unwrap()
        .unwrap();
    record(
        t,
        "b",
        Op::LeaseAcquire,
        lease_b.fencing_token,
        Some(&lease_b),
    );
    assert_eq!(lease_b.fencing_token, 2);

    // The stale holder's renew and release change nothing.
    let t = history.invoke();
    let renewed = b.locks.renew(&b.system, &a, ttl).await;
    record(
        t,
        "a",
        Op::LeaseRenew,
        a.fencing_token,
        renewed.as_ref().ok(),
    );
    let err = renewed.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("lease {name} is no longer held by a with fencing token 1")
    );
    let t = history.invoke();
    let released = b.locks.release(&b.system, &a).await.unwrap();
    history.record(
        t,
        Record {
            worker: "a",
            op: Op::LeaseRelease,
            item: name,
            token: a.fencing_token,
            accepted: released,
            batch: None,
            validity: None,
        },
    );
    assert!(!released);
    assert_eq!(
        b.locks.current(&b.system, name).await.unwrap(),
        Some(lease_b.clone())
    );

    // The holder renews, releases, and the next token still grows.
    b.clock.advance(Duration::seconds(10));
    let t = history.invoke();
    let renewed = b.locks.renew(&b.system, &lease_b, ttl).await.unwrap();
    record(
        t,
        "b",
        Op::LeaseRenew,
        lease_b.fencing_token,
        Some(&renewed),
    );
    assert_eq!(
        renewed.expires_at,
        epoch() + ttl + Duration::seconds(10) + ttl
    );
    let t = history.invoke();
    let released = b.locks.release(&b.system, &renewed).await.unwrap();
    history.record(
        t,
        Record {
            worker: "b",
            op: Op::LeaseRelease,
            item: name,
            token: renewed.fencing_token,
            accepted: released,
            batch: None,
            validity: None,
        },
    );
    assert!(released);
    let t = history.invoke();
    let c = b
        .locks
        .acquire(&b.system, name, "c", ttl)
        .await
        .unwrap()
        .unwrap();
    record(t, "c", Op::LeaseAcquire, c.fencing_token, Some(&c));
    assert_eq!(
        c.fencing_token, 3,
        "released, not deleted: the token keeps growing"
    );

    let violations = history.check(&[]);
    assert!(violations.is_empty(), "{violations:#?}");
}

/// The holder's name alone does not fence: `a` lost its lease (it expired)
/// and took it again, while a stale task of its first term still runs.
/// That task's renew and release carry the old token and change nothing.
#[tokio::test]
async fn stale_holder_with_the_same_name_changes_nothing() {
    let b = setup().await;
    let history = History::default();
    let name = "scheduler:due-poll";
    let ttl = Duration::seconds(30);
    let record = |invoked, op, lease: &Lease, accepted| {
        history.record(
            invoked,
            Record {
                worker: "a",
                op,
                item: name,
                token: lease.fencing_token,
                accepted,
                batch: None,
                validity: accepted.then_some((lease.acquired_at, lease.expires_at)),
            },
        )
    };
    let t = history.invoke();
    let first = b
        .locks
        .acquire(&b.system, name, "a", ttl)
        .await
        .unwrap()
        .unwrap();
    record(t, Op::LeaseAcquire, &first, true);
    b.clock.set(first.expires_at);
    let t = history.invoke();
    let second = b
        .locks
        .acquire(&b.system, name, "a", ttl)
        .await
        .unwrap()
        .unwrap();
    record(t, Op::LeaseAcquire, &second, true);
    assert_eq!(
        (
            second.holder_id.as_str(),
            first.fencing_token,
            second.fencing_token
        ),
        ("a", 1, 2)
    );

    b.clock.advance(Duration::seconds(5));
    let t = history.invoke();
    let renewed = b.locks.renew(&b.system, &first, ttl).await;
    record(t, Op::LeaseRenew, &first, renewed.is_ok());
    match renewed {
        Err(StorageError::LeaseLost { token: 1, .. }) => {}
        other => panic!("the first term's renew must be refused, got {other:?}"),
    }
    let t = history.invoke();
    let released = b.locks.release(&b.system, &first).await.unwrap();
    record(t, Op::LeaseRelease, &first, released);
    assert!(!released, "the first term's release must change nothing");
    assert_eq!(
        b.locks.current(&b.system, name).await.unwrap(),
        Some(second.clone()),
        "the second term's lease, untouched"
    );
    let t = history.invoke();
    let renewed = b.locks.renew(&b.system, &second, ttl).await.unwrap();
    record(t, Op::LeaseRenew, &renewed, true);
    let violations = history.check(&[]);
    assert!(violations.is_empty(), "{violations:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lease_contention_one_holder_at_a_time() {
    let b = setup().await;
    let name = "scheduler:run-claim";
    let (history, total) = lease_contention(
        b.locks.leases(),
        &b.system,
        name,
        LEASE_WORKERS,
        GRANTS_PER_WORKER,
        BOUND,
    )
    .await;
    let violations = history.check(&[]);
    assert!(violations.is_empty(), "{violations:#?}");
    // Every grant got its own token, in order.
    let current = b.locks.current(&b.system, name).await.unwrap().unwrap();
    assert_eq!(current.fencing_token, total as i64);
    assert_eq!(total, LEASE_WORKERS * GRANTS_PER_WORKER);
}
