//! Turns for the users of a goose attack: each operation waits for a turn,
//! and a block hands every user the same number of turns and waits until
//! they are all used. The gate runs base and candidate blocks in turn, so
//! a burst on the machine lands on both sides alike; one goose attack per
//! path spans all of a round's blocks (an attack costs about half a second
//! to start and stop, far longer than a block).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, Semaphore};

use super::LoadError;

/// The turns of one attack's users.
#[derive(Debug)]
pub struct Blocks {
    turns: Vec<Semaphore>,
    done: AtomicU64,
    progressed: Notify,
}

impl Blocks {
    /// Turns for `users` users (goose's user indexes 0 to users − 1).
    pub fn new(users: usize) -> Blocks {
        Blocks {
            turns: (0..users).map(|_| Semaphore::new(0)).collect(),
            done: AtomicU64::new(0),
            progressed: Notify::new(),
        }
    }

    /// Waits for user `index`'s next turn.
    pub async fn wait_turn(&self, index: usize) {
        if let Some(turns) = self.turns.get(index)
            && let Ok(permit) = turns.acquire().await
        {
            permit.forget();
        }
    }

    /// An operation (or a failed one) used its turn.
    pub fn used(&self) {
        self.done.fetch_add(1, Ordering::AcqRel);
        self.progressed.notify_waiters();
    }

    /// Gives every user `per_user` turns and waits until all are used, at
    /// most `limit`; the block's wall time.
    pub async fn run_block(&self, per_user: usize, limit: Duration) -> Result<Duration, LoadError> {
        let target = self.done.load(Ordering::Acquire) + (per_user * self.turns.len()) as u64;
        let started = Instant::now();
        for turns in &self.turns {
            turns.add_permits(per_user);
        }
        let wait = async {
            loop {
                let notified = self.progressed.notified();
                if self.done.load(Ordering::Acquire) >= target {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait)
            .await
            .map_err(|_| LoadError::Invalid {
                field: "block",
                reason: format!(
                    "{} of {} operations done after {} s",
                    self.done.load(Ordering::Acquire),
                    target,
                    limit.as_secs()
                ),
            })?;
        Ok(started.elapsed())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn a_block_lets_each_user_do_its_turns_and_no_more() {
        let blocks = Arc::new(Blocks::new(3));
        let ops = Arc::new(AtomicU64::new(0));
        let mut users = Vec::new();
        for index in 0..3 {
            let (blocks, ops) = (blocks.clone(), ops.clone());
            users.push(tokio::spawn(async move {
                for _ in 0..4 {
                    blocks.wait_turn(index).await;
                    ops.fetch_add(1, Ordering::AcqRel);
                    blocks.used();
                }
            }));
        }
        tokio::task::yield_now().await;
        assert_eq!(
            ops.load(Ordering::Acquire),
            0,
            "nobody moves before a block"
        );
        blocks.run_block(2, Duration::from_secs(5)).await.unwrap();
        assert_eq!(ops.load(Ordering::Acquire), 6);
        blocks.run_block(2, Duration::from_secs(5)).await.unwrap();
        assert_eq!(ops.load(Ordering::Acquire), 12);
        for user in users {
            user.await.unwrap();
        }
        // Nobody is left to use a third block's turns: it ends by its bound.
        let stuck = blocks.run_block(1, Duration::from_millis(50)).await;
        assert!(stuck.is_err());
    }
}
