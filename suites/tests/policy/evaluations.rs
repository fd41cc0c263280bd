//! Evaluation runs and their explanations: runs move by their table, a
//! replay of the same version, profile and inputs must give the same
//! result hash (the kit refuses one that does not), runs page by pack, and
//! explanations are written while a run runs and read in finding-key order.

use rstest::rstest;
use stellaops_storage::policy::*;
use stellaops_storage::{Backend, ErrorKind, PageRequest, StorageError};
use uuid::Uuid;

use crate::support::{Bundle, expect_kind, setup_on};

const PACK: Uuid = Uuid::from_u128(1);
const VERSION: Uuid = Uuid::from_u128(10);

fn digest(n: u8) -> String {
    format!("sha256:{}", format!("{n:02x}").repeat(32))
}

fn run(n: u128, inputs: u8) -> NewEvaluation {
    NewEvaluation {
        id: Uuid::from_u128(n),
        pack_version_id: VERSION,
        risk_profile_id: None,
        mode: EvaluationMode::Full,
        input_digest: digest(inputs),
    }
}

fn outcome(hash: u8, total: i32) -> EvaluationOutcome {
    EvaluationOutcome {
        determinism_hash: digest(hash),
        findings_total: total,
        findings_changed: 0,
        stats: serde_json::json!({"rules": 3}),
    }
}

async fn published(b: &Bundle) {
    b.pack(&b.acme, PACK, "p").await;
    b.published(&b.acme, PACK, VERSION, "block criticals").await;
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn evaluation_runs_move_by_their_table(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    published(&b).await;
    let ev = &b.policy.evaluations;
    let queued = ev.record_evaluation(&b.acme, &run(1, 1)).await.unwrap();
    assert_eq!(
        (queued.status, queued.started_at),
        (EvaluationStatus::Queued, None)
    );
    let early = ev
        .complete_evaluation(&b.acme, queued.id, &outcome(7, 2))
        .await;
    assert_eq!(
        expect_kind(early, ErrorKind::Conflict),
        "evaluation run cannot go from queued to completed"
    );
    let running = ev.start_evaluation(&b.acme, queued.id).await.unwrap();
    assert_eq!(running.started_at, Some(crate::support::epoch()));
    let done = ev
        .complete_evaluation(&b.acme, queued.id, &outcome(7, 2))
        .await
        .unwrap();
    assert_eq!(
        (
            done.status,
            done.determinism_hash.clone(),
            done.findings_total
        ),
        (EvaluationStatus::Completed, Some(digest(7)), 2)
    );
    let cancel = ev.cancel_evaluation(&b.acme, queued.id).await;
    assert_eq!(
        expect_kind(cancel, ErrorKind::Conflict),
        "evaluation run cannot go from completed to cancelled"
    );
    assert_eq!(
        ev.get_evaluation(&b.acme, queued.id).await.unwrap(),
        Some(done)
    );
    let second = ev.record_evaluation(&b.acme, &run(2, 2)).await.unwrap();
    ev.start_evaluation(&b.acme, second.id).await.unwrap();
    let failed = ev
        .fail_evaluation(&b.acme, second.id, "input too large")
        .await
        .unwrap();
    assert_eq!(
        (failed.status, failed.error.as_deref()),
        (EvaluationStatus::Failed, Some("input too large"))
    );
    // Bad input: nothing recorded.
    let mut bad = run(3, 3);
    bad.input_digest = "sha256:ABC".into();
    expect_kind(
        ev.record_evaluation(&b.acme, &bad).await,
        ErrorKind::InvalidInput,
    );
    let mut orphan = run(4, 3);
    orphan.pack_version_id = Uuid::from_u128(99);
    assert_eq!(
        expect_kind(
            ev.record_evaluation(&b.acme, &orphan).await,
            ErrorKind::NotFound
        ),
        "pack version not found"
    );
    let third = ev.record_evaluation(&b.acme, &run(5, 3)).await.unwrap();
    ev.start_evaluation(&b.acme, third.id).await.unwrap();
    let mut more_changed = outcome(1, 1);
    more_changed.findings_changed = 2;
    expect_kind(
        ev.complete_evaluation(&b.acme, third.id, &more_changed)
            .await,
        ErrorKind::InvalidInput,
    );
    assert_eq!(
        ev.get_evaluation(&b.acme, third.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        EvaluationStatus::Running
    );
    for n in [3, 4] {
        assert!(
            ev.get_evaluation(&b.acme, Uuid::from_u128(n))
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn a_replay_of_the_same_inputs_must_give_the_same_result_hash(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    published(&b).await;
    let ev = &b.policy.evaluations;
    for n in 1..=4 {
        let inputs = if n == 4 { 2 } else { 1 };
        ev.record_evaluation(&b.acme, &run(n, inputs))
            .await
            .unwrap();
        ev.start_evaluation(&b.acme, Uuid::from_u128(n))
            .await
            .unwrap();
    }
    ev.complete_evaluation(&b.acme, Uuid::from_u128(1), &outcome(7, 2))
        .await
        .unwrap();
    // The same hash: a faithful replay.
    ev.complete_evaluation(&b.acme, Uuid::from_u128(2), &outcome(7, 2))
        .await
        .unwrap();
    // Another hash of the same inputs: refused, naming the first run.
    match ev
        .complete_evaluation(&b.acme, Uuid::from_u128(3), &outcome(8, 2))
        .await
    {
        Err(e @ StorageError::NotReproducible { .. }) => assert_eq!(
            e.to_string(),
            format!(
                "evaluation run result {} differs from run {} of the same version and inputs: \
                 the evaluation is not reproducible",
                digest(8),
                Uuid::from_u128(1)
            )
        ),
        other => panic!("expected the replay refused, got {other:?}"),
    }
    assert_eq!(
        ev.get_evaluation(&b.acme, Uuid::from_u128(3))
            .await
            .unwrap()
            .unwrap()
            .status,
        EvaluationStatus::Running,
        "nothing written"
    );
    // Other inputs may give another result.
    ev.complete_evaluation(&b.acme, Uuid::from_u128(4), &outcome(8, 5))
        .await
        .unwrap();
}

#[rstest]
#[case::postgres(Backend::Postgres)]
#[case::memory(Backend::Memory)]
#[tokio::test]
async fn runs_page_by_pack_and_explanations_by_finding_key(#[case] backend: Backend) {
    let b = setup_on(backend).await;
    published(&b).await;
    let other_pack = Uuid::from_u128(2);
    b.pack(&b.acme, other_pack, "q").await;
    b.published(&b.acme, other_pack, Uuid::from_u128(20), "warn")
        .await;
    let ev = &b.policy.evaluations;
    let mut expected = Vec::new();
    for n in 1..=5u128 {
        b.clock.advance(chrono::Duration::microseconds(1));
        ev.record_evaluation(&b.acme, &run(n, 1)).await.unwrap();
        expected.push(Uuid::from_u128(n));
        let mut elsewhere = run(100 + n, 1);
        elsewhere.pack_version_id = Uuid::from_u128(20);
        ev.record_evaluation(&b.acme, &elsewhere).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut page = PageRequest::first(2);
    loop {
        let listed = ev.evaluations_of_pack(&b.acme, PACK, &page).await.unwrap();
        seen.extend(listed.items.iter().map(|r| r.id));
        match listed.next {
            Some(next) => page = PageRequest::after(2, next),
            None => break,
        }
    }
    assert_eq!(seen, expected);

    let run_id = Uuid::from_u128(1);
    let explanations = &b.policy.explanations;
    let item =
        |n: u128, key: &str| NewExplanation::new(Uuid::from_u128(1000 + n), key, Verdict::Fail);
    let queued = explanations
        .add_explanations(&b.acme, run_id, &[item(0, "x")])
        .await;
    assert_eq!(
        expect_kind(queued, ErrorKind::Conflict),
        "evaluation run is queued: immutable; record a new run"
    );
    ev.start_evaluation(&b.acme, run_id).await.unwrap();
    let keys = [
        "pkg:npm/b@1#CVE-2",
        "pkg:npm/a@1#CVE-9",
        "pkg:deb/z@1#CVE-1",
        "pkg:npm/a@1#CVE-10",
    ];
    // Two batches at two times: the order is the keys', not the writes'.
    for (half, at) in [(&keys[..2], 0), (&keys[2..], 2)] {
        b.clock.advance(chrono::Duration::seconds(1));
        let batch: Vec<NewExplanation> = half
            .iter()
            .enumerate()
            .map(|(n, key)| item((n + at) as u128, key))
            .collect();
        let written = explanations.add_explanations(&b.acme, run_id, &batch).await;
        assert_eq!(written.unwrap(), 2);
    }
    // A batch with one bad item writes none of it: a rule that is not there
    // fails the second insert, and the first goes back with it.
    let mut unknown_rule = item(12, "pkg:npm/d@1#CVE-4");
    unknown_rule.rule_id = Some(Uuid::from_u128(404));
    let missing = explanations
        .add_explanations(
            &b.acme,
            run_id,
            &[item(13, "pkg:npm/c@1#CVE-5"), unknown_rule],
        )
        .await;
    assert_eq!(expect_kind(missing, ErrorKind::NotFound), "rule not found");
    // A batch with one bad item writes none of it.
    let mut bad = vec![item(10, "pkg:npm/c@1#CVE-3"), item(11, "pkg:npm/a@1#CVE-9")];
    let clash = explanations.add_explanations(&b.acme, run_id, &bad).await;
    assert_eq!(
        expect_kind(clash, ErrorKind::Conflict),
        "explanation conflict: finding key is already taken"
    );
    bad[1].trace = serde_json::json!({"not": "an array"});
    expect_kind(
        explanations.add_explanations(&b.acme, run_id, &bad).await,
        ErrorKind::InvalidInput,
    );
    expect_kind(
        explanations.add_explanations(&b.acme, run_id, &[]).await,
        ErrorKind::InvalidInput,
    );
    let mut sorted: Vec<&str> = keys.to_vec();
    sorted.sort_unstable();
    let mut read = Vec::new();
    let mut page = PageRequest::first(3);
    loop {
        let listed = explanations
            .explanations_page(&b.acme, run_id, &page)
            .await
            .unwrap();
        read.extend(listed.items.iter().map(|e| e.finding_key.clone()));
        match listed.next {
            Some(next) => page = PageRequest::after(3, next),
            None => break,
        }
    }
    assert_eq!(read, sorted, "byte order of the keys, every one once");
    let last = explanations
        .explanations_page(&b.acme, run_id, &PageRequest::before(2, sorted[3]))
        .await
        .unwrap();
    assert_eq!(
        last.items
            .iter()
            .map(|e| e.finding_key.as_str())
            .collect::<Vec<_>>(),
        &sorted[1..3]
    );
}
