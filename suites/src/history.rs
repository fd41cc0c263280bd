//! A small history checker for the locking suites, in the spirit of
//! Jepsen's Knossos and Elle: concurrency tests record every operation as
//! it happens (worker, operation, item, attempt or fencing token, when it
//! was invoked and when it returned, by a monotonic clock; whether it was
//! accepted; for leases, the validity it was granted by the injected
//! clock), and [`History::check`] names the events that break a rule:
//!
//! - a lease held by two tokens at once (overlapping validity);
//! - a write (renew, release, heartbeat, complete) accepted with a token
//!   older than one already granted before the write was invoked;
//! - lease tokens that do not grow in the order they were granted;
//! - an item claimed again while an earlier claim of it was neither
//!   finished nor rescued (or twice under one attempt);
//! - a claim batch that took more than its LIMIT;
//! - a lost item: a claimable item never claimed while a worker sat idle
//!   (a claim of its came back empty, recorded with [`History::idle`]), or
//!   one claimed and never completed;
//! - an effect that must happen once done twice: two enqueues of one key
//!   that both wrote, two flushes of one digest window, two advances of one
//!   escalation past the same stage, two activations that retired the same
//!   version or both found none active (the same op, item and token).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// What a worker did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    Claim,
    Heartbeat,
    Complete,
    LeaseAcquire,
    LeaseRenew,
    LeaseRelease,
    /// A stale claim put back in the queue (token: the attempt it ends).
    Rescue,
    /// An enqueue; accepted when it wrote the item (item: the idempotency key).
    Enqueue,
    /// A digest window turned into its delivery (item: the window).
    Flush,
    /// An escalation moved past a stage (item: the escalation, token: the stage).
    Advance,
    /// A version activated (item: the pack, token: the contender).
    Activate,
    /// What an activation retired (item: the pack and the version retired,
    /// or `none` when it found no active version): each at most once.
    Retire,
}

impl Op {
    /// Writes that must carry the current token to be accepted.
    fn is_fenced_write(self) -> bool {
        matches!(
            self,
            Op::Heartbeat | Op::Complete | Op::LeaseRenew | Op::LeaseRelease
        )
    }

    /// Effects accepted at most once per item and token.
    fn is_once_only(self) -> bool {
        matches!(self, Op::Enqueue | Op::Flush | Op::Advance | Op::Retire)
    }
}

/// One recorded operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub index: usize,
    pub worker: String,
    pub op: Op,
    pub item: String,
    /// The claim's attempt or the lease's fencing token.
    pub token: i64,
    pub invoked: Duration,
    pub returned: Duration,
    /// The database accepted it (a claim or lease granted, a write applied).
    pub accepted: bool,
    /// For claims: the batch (one claim call) and its LIMIT.
    pub batch: Option<(usize, usize)>,
    /// For granted leases and renewals: valid from, until (injected clock).
    pub validity: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} {} {:?} {} token {} ({}, {:?}..{:?})",
            self.index,
            self.worker,
            self.op,
            self.item,
            self.token,
            if self.accepted { "accepted" } else { "refused" },
            self.invoked,
            self.returned
        )
    }
}

/// A rule the history breaks, with the events that show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    OverlappingLeaseHolders {
        first: Event,
        second: Event,
    },
    StaleWriteAccepted {
        write: Event,
        newer_grant: Event,
    },
    TokensNotIncreasing {
        earlier: Event,
        later: Event,
    },
    DoubleClaim {
        first: Event,
        second: Event,
    },
    OverLimitClaim {
        batch: usize,
        limit: usize,
        claimed: usize,
    },
    /// An effect that must happen once (per item and token) happened twice.
    EffectRepeated {
        first: Event,
        second: Event,
    },
    /// A claimable item never claimed while `idle` shows a worker whose
    /// claim came back empty; or (`idle` is `None`) claimed and never
    /// completed, or never claimed by a history that recorded no idleness.
    LostItem {
        item: String,
        idle: Option<Event>,
        claimed: bool,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::OverlappingLeaseHolders { first, second } => {
                write!(f, "two holders at once: {first} and {second}")
            }
            Violation::StaleWriteAccepted { write, newer_grant } => {
                write!(f, "stale write accepted: {write}, after {newer_grant}")
            }
            Violation::TokensNotIncreasing { earlier, later } => {
                write!(f, "token did not grow: {earlier} then {later}")
            }
            Violation::DoubleClaim { first, second } => {
                write!(f, "claimed while still claimed: {first} and {second}")
            }
            Violation::OverLimitClaim {
                batch,
                limit,
                claimed,
            } => write!(f, "claim batch {batch} took {claimed} items, LIMIT {limit}"),
            Violation::EffectRepeated { first, second } => {
                write!(f, "done twice, once expected: {first} and {second}")
            }
            Violation::LostItem {
                item,
                idle: Some(idle),
                ..
            } => write!(
                f,
                "item {item} was never claimed while a worker sat idle: {idle}"
            ),
            Violation::LostItem {
                item,
                claimed: true,
                ..
            } => write!(f, "item {item} was claimed but never completed"),
            Violation::LostItem { item, .. } => write!(f, "item {item} was never claimed"),
        }
    }
}

/// The record of one concurrency test, shared by its workers.
#[derive(Debug)]
pub struct History {
    origin: Instant,
    events: Mutex<Vec<Event>>,
}

impl Default for History {
    fn default() -> Self {
        History {
            origin: Instant::now(),
            events: Mutex::new(Vec::new()),
        }
    }
}

/// Where an operation was invoked; pass it back to [`History::record`].
#[derive(Debug, Clone, Copy)]
pub struct Invocation(Duration);

/// What is recorded of one operation besides its timing.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub worker: &'a str,
    pub op: Op,
    pub item: &'a str,
    pub token: i64,
    pub accepted: bool,
    pub batch: Option<(usize, usize)>,
    pub validity: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl History {
    /// Call right before the operation.
    pub fn invoke(&self) -> Invocation {
        Invocation(self.origin.elapsed())
    }

    /// Call right after it returned.
    pub fn record(&self, invoked: Invocation, record: Record<'_>) {
        let returned = self.origin.elapsed();
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        let index = events.len();
        events.push(Event {
            index,
            worker: record.worker.to_owned(),
            op: record.op,
            item: record.item.to_owned(),
            token: record.token,
            invoked: invoked.0,
            returned,
            accepted: record.accepted,
            batch: record.batch,
            validity: record.validity,
        });
    }

    /// Records a claim that came back empty: the worker sits idle. An item
    /// still unclaimed then is lost.
    pub fn idle(&self, invoked: Invocation, worker: &str, batch: Option<(usize, usize)>) {
        self.record(
            invoked,
            Record {
                worker,
                op: Op::Claim,
                item: "",
                token: 0,
                accepted: false,
                batch,
                validity: None,
            },
        );
    }

    pub fn events(&self) -> Vec<Event> {
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Every rule the history breaks; `expected` items must each have an
    /// accepted `Complete`.
    pub fn check(&self, expected: &[String]) -> Vec<Violation> {
        check(&self.events(), expected)
    }
}

/// [`History::check`] on a list of events.
pub fn check(events: &[Event], expected: &[String]) -> Vec<Violation> {
    let mut violations = Vec::new();
    let accepted: Vec<&Event> = events.iter().filter(|e| e.accepted).collect();

    // Leases: the validity each token was granted, extended by its renewals.
    let mut held: Vec<(&Event, DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for event in &accepted {
        let Some((from, until)) = event.validity else {
            continue;
        };
        match event.op {
            Op::LeaseAcquire => held.push((event, from, until)),
            Op::LeaseRenew => {
                // It extends the latest grant of its token.
                if let Some(entry) = held
                    .iter_mut()
                    .rev()
                    .find(|(grant, _, _)| grant.item == event.item && grant.token == event.token)
                {
                    entry.2 = entry.2.max(until);
                }
            }
            _ => {}
        }
    }
    let grants = &held;
    for (i, a) in grants.iter().enumerate() {
        for b in &grants[i + 1..] {
            let released_before = accepted.iter().any(|e| {
                e.op == Op::LeaseRelease
                    && e.item == a.0.item
                    && e.token == a.0.token
                    && e.invoked <= b.0.returned
            });
            if a.0.item == b.0.item && a.1 < b.2 && b.1 < a.2 && !released_before {
                violations.push(Violation::OverlappingLeaseHolders {
                    first: a.0.clone(),
                    second: b.0.clone(),
                });
            }
        }
    }

    // Tokens grow in the order leases were granted (real time, non-overlapping calls).
    let mut acquisitions: Vec<&Event> = accepted
        .iter()
        .copied()
        .filter(|e| e.op == Op::LeaseAcquire)
        .collect();
    acquisitions.sort_by_key(|e| e.returned);
    for (i, earlier) in acquisitions.iter().enumerate() {
        for later in &acquisitions[i + 1..] {
            if earlier.item == later.item
                && earlier.returned < later.invoked
                && later.token <= earlier.token
            {
                violations.push(Violation::TokensNotIncreasing {
                    earlier: (*earlier).clone(),
                    later: (*later).clone(),
                });
            }
        }
    }

    // Fenced writes: accepted only with the newest token granted before them.
    for write in accepted.iter().filter(|e| e.op.is_fenced_write()) {
        let newer = accepted.iter().find(|grant| {
            matches!(grant.op, Op::LeaseAcquire | Op::Claim)
                && grant.item == write.item
                && grant.token > write.token
                && grant.returned < write.invoked
        });
        if let Some(newer) = newer {
            violations.push(Violation::StaleWriteAccepted {
                write: (*write).clone(),
                newer_grant: (*newer).clone(),
            });
        }
    }

    // Claims: an item is claimed again only after its claim was finished
    // or rescued (and never twice under one attempt); a batch within its LIMIT.
    let mut claims_of: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    let mut batches: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for claim in accepted.iter().filter(|e| e.op == Op::Claim) {
        claims_of
            .entry(claim.item.as_str())
            .or_default()
            .push(claim);
        if let Some((batch, limit)) = claim.batch {
            batches.entry(batch).or_insert((limit, 0)).1 += 1;
        }
    }
    for (item, mut claims) in claims_of {
        claims.sort_by_key(|c| (c.token, c.returned));
        for pair in claims.windows(2) {
            let (earlier, later) = (pair[0], pair[1]);
            let ended = accepted.iter().any(|e| {
                matches!(e.op, Op::Rescue | Op::Complete)
                    && e.item == item
                    && e.token == earlier.token
                    && e.invoked <= later.returned
            });
            if later.token == earlier.token || !ended {
                violations.push(Violation::DoubleClaim {
                    first: earlier.clone(),
                    second: later.clone(),
                });
            }
        }
    }
    for (batch, (limit, claimed)) in batches {
        if claimed > limit {
            violations.push(Violation::OverLimitClaim {
                batch,
                limit,
                claimed,
            });
        }
    }

    let mut effects: BTreeMap<(Op, &str, i64), &Event> = BTreeMap::new();
    for effect in accepted.iter().filter(|e| e.op.is_once_only()) {
        match effects.get(&(effect.op, effect.item.as_str(), effect.token)) {
            Some(first) => violations.push(Violation::EffectRepeated {
                first: (*first).clone(),
                second: (*effect).clone(),
            }),
            None => {
                effects.insert((effect.op, effect.item.as_str(), effect.token), effect);
            }
        }
    }

    let completed: BTreeSet<&str> = accepted
        .iter()
        .filter(|e| e.op == Op::Complete)
        .map(|e| e.item.as_str())
        .collect();
    let claimed: BTreeSet<&str> = accepted
        .iter()
        .filter(|e| e.op == Op::Claim)
        .map(|e| e.item.as_str())
        .collect();
    // The first empty claim: from then on a worker sat idle.
    let idle = events
        .iter()
        .filter(|e| e.op == Op::Claim && !e.accepted && e.item.is_empty())
        .min_by_key(|e| e.returned);
    for item in expected {
        if completed.contains(item.as_str()) {
            continue;
        }
        let was_claimed = claimed.contains(item.as_str());
        violations.push(Violation::LostItem {
            item: item.clone(),
            idle: if was_claimed { None } else { idle.cloned() },
            claimed: was_claimed,
        });
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::minutes(minutes)
    }

    struct Builder(Vec<Event>);

    impl Builder {
        #[allow(clippy::too_many_arguments)]
        fn push(
            mut self,
            worker: &str,
            op: Op,
            item: &str,
            token: i64,
            ms: (u64, u64),
            accepted: bool,
            batch: Option<(usize, usize)>,
            validity: Option<(i64, i64)>,
        ) -> Self {
            let index = self.0.len();
            self.0.push(Event {
                index,
                worker: worker.into(),
                op,
                item: item.into(),
                token,
                invoked: Duration::from_millis(ms.0),
                returned: Duration::from_millis(ms.1),
                accepted,
                batch,
                validity: validity.map(|(a, b)| (at(a), at(b))),
            });
            self
        }
    }

    #[test]
    fn a_clean_history_has_no_violations() {
        let events = Builder(Vec::new())
            .push(
                "a",
                Op::LeaseAcquire,
                "job",
                1,
                (0, 1),
                true,
                None,
                Some((0, 5)),
            )
            .push(
                "a",
                Op::LeaseRenew,
                "job",
                1,
                (2, 3),
                true,
                None,
                Some((1, 6)),
            )
            .push("b", Op::LeaseAcquire, "job", 1, (2, 3), false, None, None)
            .push(
                "b",
                Op::LeaseAcquire,
                "job",
                2,
                (10, 11),
                true,
                None,
                Some((6, 10)),
            )
            .push("a", Op::LeaseRenew, "job", 1, (12, 13), false, None, None)
            .push("w", Op::Claim, "run-1", 1, (0, 1), true, Some((0, 2)), None)
            .push("w", Op::Complete, "run-1", 1, (2, 3), true, None, None)
            .push("w", Op::Claim, "run-2", 1, (0, 1), true, Some((1, 2)), None)
            .push("r", Op::Rescue, "run-2", 1, (5, 6), true, None, None)
            .push("v", Op::Claim, "run-2", 2, (7, 8), true, Some((2, 1)), None)
            .push("w", Op::Complete, "run-2", 1, (9, 10), false, None, None)
            .push("v", Op::Complete, "run-2", 2, (9, 10), true, None, None)
            // One enqueue of a key wrote; the racing one found it.
            .push("e1", Op::Enqueue, "key-1", 0, (0, 2), true, None, None)
            .push("e2", Op::Enqueue, "key-1", 0, (1, 3), false, None, None)
            // An escalation advanced once past each of two stages.
            .push("x1", Op::Advance, "esc-1", 0, (0, 1), true, None, None)
            .push("x2", Op::Advance, "esc-1", 1, (2, 3), true, None, None)
            .0;
        assert_eq!(
            check(&events, &["run-1".to_owned(), "run-2".to_owned()]),
            []
        );
    }

    #[test]
    fn each_bad_history_is_named() {
        let events = Builder(Vec::new())
            // Two holders whose validities overlap.
            .push("a", Op::LeaseAcquire, "job", 1, (0, 1), true, None, Some((0, 5)))
            .push("b", Op::LeaseAcquire, "job", 2, (2, 3), true, None, Some((3, 8)))
            // The stale holder's renew accepted after the newer grant.
            .push("a", Op::LeaseRenew, "job", 1, (4, 5), true, None, Some((4, 9)))
            // A token that went down.
            .push("c", Op::LeaseAcquire, "job", 1, (20, 21), true, None, Some((30, 31)))
            // One item claimed twice under one attempt, and a batch over its LIMIT.
            .push("w1", Op::Claim, "run-1", 1, (0, 1), true, Some((0, 1)), None)
            .push("w1", Op::Claim, "run-2", 1, (0, 1), true, Some((0, 1)), None)
            .push("w2", Op::Claim, "run-1", 1, (0, 2), true, Some((1, 1)), None)
            // Claimed again under a new attempt, but nobody rescued run-2.
            .push("w3", Op::Claim, "run-2", 2, (5, 6), true, Some((2, 1)), None)
            // A worker whose claim came back empty while run-3 waited.
            .push("w4", Op::Claim, "", 0, (7, 8), false, Some((3, 1)), None)
            // One digest window flushed by two flushers.
            .push("f1", Op::Flush, "window-1", 0, (0, 1), true, None, None)
            .push("f2", Op::Flush, "window-1", 0, (0, 2), true, None, None)
            .0;
        let violations = check(&events, &["run-1".to_owned(), "run-3".to_owned()]);
        let kinds: Vec<&str> = violations
            .iter()
            .map(|v| match v {
                Violation::OverlappingLeaseHolders { .. } => "overlap",
                Violation::StaleWriteAccepted { .. } => "stale",
                Violation::TokensNotIncreasing { .. } => "token",
                Violation::DoubleClaim { .. } => "double",
                Violation::OverLimitClaim { .. } => "limit",
                Violation::LostItem { .. } => "lost",
                Violation::EffectRepeated { .. } => "twice",
            })
            .collect();
        for kind in [
            "overlap", "stale", "token", "double", "limit", "lost", "twice",
        ] {
            assert!(kinds.contains(&kind), "{kind} not found in {violations:#?}");
        }
        let text = violations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            text.contains("#2 a LeaseRenew job token 1 (accepted"),
            "{text}"
        );
        assert!(
            text.contains("claim batch 0 took 2 items, LIMIT 1"),
            "{text}"
        );
        assert!(
            text.contains("item run-1 was claimed but never completed"),
            "{text}"
        );
        assert!(
            text.contains("item run-3 was never claimed while a worker sat idle: #8 w4 Claim"),
            "{text}"
        );
        assert!(
            text.contains("claimed while still claimed: #5 w1 Claim run-2"),
            "{text}"
        );
        assert!(
            text.contains("done twice, once expected: #9 f1 Flush window-1"),
            "{text}"
        );
    }
}
