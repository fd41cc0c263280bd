//! The criteria of one module and how each is decided.

use serde::{Deserialize, Serialize};

use crate::inputs::Inputs;
use crate::junit::{Outcome, TestCase};
use stellaops_benches::gate::Verdict as GateVerdict;

/// A criterion's state. Only `Pass` counts toward a cutover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    /// Nothing measured it (yet): never a pass.
    NotMeasured,
    /// Measured, but on another (or an unknown) revision: not current.
    Stale,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "FAIL",
            Status::NotMeasured => "not yet measured",
            Status::Stale => "stale (another revision)",
        }
    }
}

/// One criterion of one module.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Criterion {
    pub name: String,
    pub source: String,
    pub status: Status,
    /// What was measured, in a line.
    pub detail: String,
    /// Failing tests, regressed paths, lost documents: what to look at.
    pub evidence: Vec<String>,
}

/// The scorecard of one module.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ModuleCard {
    pub module: String,
    pub criteria: Vec<Criterion>,
}

impl ModuleCard {
    /// Ready for cutover: every criterion passes, on this revision.
    pub fn ready(&self) -> bool {
        self.criteria.iter().all(|c| c.status == Status::Pass)
    }
}

/// Contract tests that are about tenants (RLS, cross-tenant writes, keys
/// scoped by tenant), as the contract suite names them.
const ISOLATION_CHECKS: [&str; 9] = [
    "cross_tenant",
    "invisible_to_other_tenant",
    "no_rows_without_tenant",
    "policy_using_and_with_check",
    "foreign_keys_scoped_by_tenant",
    "related_tenants",
    "rls_forced",
    "unique_conflict_reveals_nothing",
    "security_definer",
];

/// The scorecard of `module` from `inputs`.
pub fn score(module: &str, inputs: &Inputs) -> ModuleCard {
    let suite = format!("stellaops-suites::{module}");
    let is_contract_of = |case: &TestCase| {
        case.suite == "stellaops-suites::contract"
            && (case.name.starts_with(&format!("{module}."))
                || case.name.starts_with(&format!("{module}::")))
    };
    let is_property = |case: &TestCase| {
        case.name.starts_with("determinism::") || case.name.starts_with("model::")
    };
    let contract = junit_criterion(
        inputs,
        "schema and contract suite",
        &format!("JUnit: stellaops-suites::contract ({module}.*) and schema_conventions"),
        |case| is_contract_of(case) || case.suite == "stellaops-suites::schema_conventions",
        &format!("no contract test of {module} in the JUnit files"),
    );
    let suites = junit_criterion(
        inputs,
        "CRUD, isolation and locking suites",
        &format!("JUnit: {suite} (all areas but determinism and model)"),
        |case| case.suite == suite && !is_property(case),
        &format!("no {suite} tests: the module's storage and suites do not exist yet"),
    );
    let determinism = junit_criterion(
        inputs,
        "determinism properties",
        &format!("JUnit: {suite} determinism::* and model::*"),
        |case| case.suite == suite && is_property(case),
        &format!(
            "no determinism or model-based property tests of {module}: its storage does not exist yet"
        ),
    );
    let mut isolation = junit_criterion(
        inputs,
        "tenant isolation",
        &format!(
            "JUnit: {suite} isolation::* and related_reads::*, and the contract suite's tenant checks of {module}.*"
        ),
        |case| {
            (case.suite == suite && is_repository_isolation(case))
                || (is_contract_of(case) && ISOLATION_CHECKS.iter().any(|c| case.name.contains(c)))
        },
        &format!("no tenant isolation tests of {module}"),
    );
    let repository_isolation = inputs
        .junit
        .iter()
        .flat_map(|run| &run.cases)
        .any(|case| case.suite == suite && is_repository_isolation(case));
    if isolation.status == Status::Pass && !repository_isolation {
        isolation.status = Status::NotMeasured;
        isolation.detail = format!(
            "only the schema's row-level security is checked ({}); no repository isolation suite ({suite} isolation::*) yet",
            isolation.detail
        );
    }
    let (mut suites, mut determinism) = (suites, determinism);
    // A module whose storage is still being written (the registry keeps it
    // off) has suites for part of it: they may pass, but they do not
    // measure the module.
    let storage_complete = stellaops_kit::modules::module(module).is_some_and(|row| row.storage);
    if !storage_complete {
        for criterion in [&mut suites, &mut determinism, &mut isolation] {
            if criterion.status == Status::Pass {
                criterion.status = Status::NotMeasured;
                criterion.detail = format!(
                    "{module}'s storage is not complete yet (the registry keeps it off): \
                     the suites of what exists pass ({})",
                    criterion.detail
                );
            }
        }
    }
    ModuleCard {
        module: module.to_owned(),
        criteria: vec![
            contract,
            suites,
            determinism,
            performance(module, inputs),
            conversion(module, inputs),
            isolation,
        ],
    }
}

/// A criterion decided by the tests `selects` picks out of every JUnit
/// file: a failure anywhere fails it; none at all is "not yet measured".
fn junit_criterion(
    inputs: &Inputs,
    name: &str,
    source: &str,
    selects: impl Fn(&TestCase) -> bool,
    none: &str,
) -> Criterion {
    let mut passed = 0;
    let mut skipped = 0;
    let mut failed = Vec::new();
    let mut files = Vec::new();
    let mut stale = Vec::new();
    let mut failed_elsewhere = Vec::new();
    for run in &inputs.junit {
        let mut used = false;
        let current = inputs.is_current(run.revision.as_deref());
        for case in run.cases.iter().filter(|c| selects(c)) {
            used = true;
            match case.outcome {
                Outcome::Passed => passed += 1,
                Outcome::Skipped => skipped += 1,
                Outcome::Failed => {
                    let failure = format!("{} {} ({})", case.suite, case.name, run.file.display());
                    if current {
                        failed.push(failure);
                    } else {
                        failed_elsewhere.push(failure);
                    }
                }
            }
        }
        if used {
            files.push(run.file.display().to_string());
            if !inputs.is_current(run.revision.as_deref()) {
                stale.push(format!(
                    "{} describes revision {}",
                    run.file.display(),
                    run.revision
                        .as_deref()
                        .unwrap_or("unknown (no .revision file beside it)")
                ));
            }
        }
    }
    let measured = format!(
        "{passed} passed, {} failed, {skipped} skipped in {} JUnit file(s)",
        failed.len() + failed_elsewhere.len(),
        files.len()
    );
    // Evidence of another revision is stale whichever way it points: only
    // a failure on this revision fails the criterion.
    let (status, detail, evidence) = if passed + failed.len() + failed_elsewhere.len() == 0 {
        (Status::NotMeasured, none.to_owned(), Vec::new())
    } else if !failed.is_empty() {
        (Status::Fail, measured, failed)
    } else if !stale.is_empty() {
        stale.extend(failed_elsewhere);
        (Status::Stale, measured, stale)
    } else {
        (Status::Pass, measured, Vec::new())
    };
    Criterion {
        name: name.to_owned(),
        source: source.to_owned(),
        status,
        detail,
        evidence,
    }
}

fn performance(module: &str, inputs: &Inputs) -> Criterion {
    let mut criterion = Criterion {
        name: "performance (no critical path >10% slower)".into(),
        source: "the gate's last verdicts (gate.json)".into(),
        status: Status::NotMeasured,
        detail: String::new(),
        evidence: Vec::new(),
    };
    let Some((file, report)) = &inputs.gate else {
        criterion.detail = "no gate results: run `stellaops-load gate --base <ref>`".into();
        return criterion;
    };
    let paths: Vec<_> = report
        .verdicts
        .iter()
        .filter(|v| v.path.starts_with(&format!("{module}.")))
        .collect();
    if paths.is_empty() {
        criterion.detail =
            format!("the gate has no critical path of {module}: its storage does not exist yet");
        return criterion;
    }
    let count = |verdict: GateVerdict| {
        paths
            .iter()
            .filter(|p| p.decision.verdict == verdict)
            .count()
    };
    let (regressed, noisy) = (count(GateVerdict::Regression), count(GateVerdict::Noisy));
    criterion.detail = format!(
        "{} paths: {} pass, {regressed} regression, {noisy} noisy (base {} vs candidate {}, {})",
        paths.len(),
        paths.len() - regressed - noisy,
        short(&report.base.rev),
        short(&report.candidate.rev),
        file.display()
    );
    criterion.evidence = paths
        .iter()
        .filter(|p| p.decision.verdict != GateVerdict::Pass)
        .map(|p| {
            format!(
                "{}: {} at {:.3} ({:.3}-{:.3})",
                p.path,
                p.decision.verdict.name(),
                p.decision.median,
                p.decision.lower,
                p.decision.upper
            )
        })
        .collect();
    criterion.status = if !inputs.is_current(Some(&report.candidate.rev)) {
        // Evidence of another revision is stale, whichever way it points.
        criterion.evidence.push(format!(
            "the gate measured revision {}",
            report.candidate.rev
        ));
        Status::Stale
    } else if regressed > 0 {
        Status::Fail
    } else if report.base.rev == report.candidate.rev {
        // An A/A run checks the gate, not a change: nothing was compared.
        criterion
            .detail
            .push_str("; base and candidate are the same revision: an A/A run, not a comparison");
        Status::NotMeasured
    } else if noisy > 0 {
        criterion
            .detail
            .push_str("; a noisy path is not a pass: run the gate again");
        Status::NotMeasured
    } else {
        Status::Pass
    };
    criterion
}

fn conversion(module: &str, inputs: &Inputs) -> Criterion {
    let mut criterion = Criterion {
        name: "data conversion (zero data loss)".into(),
        source: "stellaops-convert verify (verify.json)".into(),
        status: Status::NotMeasured,
        detail: String::new(),
        evidence: Vec::new(),
    };
    let Some((file, report)) = &inputs.verify else {
        criterion.detail = "no conversion check: run `stellaops-convert verify`".into();
        return criterion;
    };
    let collections: Vec<_> = report
        .collections
        .iter()
        .filter(|c| c.module == module)
        .collect();
    if collections.is_empty() {
        criterion.detail =
            format!("no {module} exports were verified: the module has no converters yet");
        return criterion;
    }
    let names: Vec<&str> = collections.iter().map(|c| c.collection.as_str()).collect();
    let differences: Vec<_> = report
        .differences
        .iter()
        .filter(|d| names.contains(&d.collection.as_str()) || d.collection == module)
        .collect();
    let documents: usize = collections.iter().map(|c| c.documents).sum();
    let converted: usize = collections.iter().map(|c| c.converted).sum();
    let skipped: usize = collections.iter().map(|c| c.skipped).sum();
    criterion.detail = format!(
        "{} collections, {documents} documents: {converted} converted and found, {skipped} left out by their tier's rule, {} differences ({})",
        collections.len(),
        differences.len(),
        file.display()
    );
    criterion.evidence = differences
        .iter()
        .take(20)
        .map(|d| {
            format!(
                "{:?} {} line {} _id {} {}",
                d.kind,
                d.collection,
                d.line.map_or("-".into(), |l| l.to_string()),
                d.source_id.as_deref().unwrap_or("-"),
                d.column.as_deref().unwrap_or("")
            )
        })
        .collect();
    criterion.status = if !inputs.is_current(report.revision.as_deref()) {
        // Evidence of another revision is stale, whichever way it points.
        criterion.evidence.push(format!(
            "the check ran on revision {}",
            report.revision.as_deref().unwrap_or("unknown")
        ));
        Status::Stale
    } else if !differences.is_empty() {
        Status::Fail
    } else {
        Status::Pass
    };
    criterion
}

fn short(rev: &str) -> &str {
    &rev[..rev.len().min(12)]
}

/// A repository's isolation test: the isolation suite, or the reads of a
/// related tenant's rows with the same keys.
fn is_repository_isolation(case: &TestCase) -> bool {
    case.name.starts_with("isolation::") || case.name.starts_with("related_reads::")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::junit::JunitRun;
    use crate::*;

    fn case(suite: &str, name: &str, outcome: Outcome) -> TestCase {
        TestCase {
            suite: suite.into(),
            name: name.into(),
            outcome,
        }
    }

    fn junit(revision: &str, cases: Vec<TestCase>) -> JunitRun {
        JunitRun {
            file: PathBuf::from(format!("junit-{revision}.xml")),
            revision: Some(revision.into()),
            timestamp: None,
            cases,
        }
    }

    fn authority_cases(outcome: Outcome) -> Vec<TestCase> {
        vec![
            case(
                "stellaops-suites::contract",
                "authority.users::crud_round_trip",
                Outcome::Passed,
            ),
            case(
                "stellaops-suites::contract",
                "authority.users::invisible_to_other_tenant",
                Outcome::Passed,
            ),
            case(
                "stellaops-suites::authority",
                "crud::users_round_trip",
                Outcome::Passed,
            ),
            case(
                "stellaops-suites::authority",
                "isolation::tenants_never_meet",
                outcome,
            ),
            case(
                "stellaops-suites::authority",
                "determinism::same_bytes",
                Outcome::Passed,
            ),
            case(
                "stellaops-suites::contract",
                "notify.rules::invisible_to_other_tenant",
                Outcome::Passed,
            ),
        ]
    }

    fn inputs(junit: Vec<JunitRun>) -> Inputs {
        Inputs {
            revision: Some("abc".into()),
            junit,
            gate: None,
            verify: None,
        }
    }

    fn status(card: &ModuleCard, name: &str) -> Status {
        card.criteria
            .iter()
            .find(|c| c.name.starts_with(name))
            .map(|c| c.status)
            .unwrap()
    }

    #[test]
    fn a_failing_related_tenant_read_fails_isolation() {
        let mut cases = authority_cases(Outcome::Passed);
        cases.push(case(
            "stellaops-suites::authority",
            "related_reads::no_read_returns_a_related_tenants_row_with_the_same_key",
            Outcome::Failed,
        ));
        let card = score("authority", &inputs(vec![junit("abc", cases)]));
        assert_eq!(status(&card, "tenant isolation"), Status::Fail);
    }

    #[test]
    fn suites_of_a_module_still_being_written_do_not_count_as_measured() {
        let partial = vec![
            case("stellaops-suites::vuln", "rules::crud", Outcome::Passed),
            case(
                "stellaops-suites::vuln",
                "isolation::related",
                Outcome::Passed,
            ),
            case(
                "stellaops-suites::vuln",
                "determinism::bytes",
                Outcome::Passed,
            ),
        ];
        let card = score("vuln", &inputs(vec![junit("abc", partial)]));
        for criterion in ["CRUD", "determinism", "tenant isolation"] {
            assert_eq!(status(&card, criterion), Status::NotMeasured, "{criterion}");
        }
        let detail = &card
            .criteria
            .iter()
            .find(|c| c.name.starts_with("CRUD"))
            .unwrap()
            .detail;
        assert!(detail.contains("not complete"), "{detail}");
    }

    #[test]
    fn not_yet_measured_is_never_a_pass() {
        let card = score(
            "authority",
            &inputs(vec![junit("abc", authority_cases(Outcome::Passed))]),
        );
        assert_eq!(status(&card, "schema"), Status::Pass);
        assert_eq!(status(&card, "CRUD"), Status::Pass);
        assert_eq!(status(&card, "determinism"), Status::Pass);
        assert_eq!(status(&card, "tenant isolation"), Status::Pass);
        assert_eq!(status(&card, "performance"), Status::NotMeasured);
        assert_eq!(status(&card, "data conversion"), Status::NotMeasured);
        assert!(!card.ready(), "two criteria were not measured");
        let notify = score(
            "notify",
            &inputs(vec![junit("abc", authority_cases(Outcome::Passed))]),
        );
        assert_eq!(status(&notify, "schema"), Status::Pass);
        assert_eq!(status(&notify, "CRUD"), Status::NotMeasured);
        // Schema-level row-level security alone is not the module's isolation.
        assert_eq!(status(&notify, "tenant isolation"), Status::NotMeasured);
    }

    #[test]
    fn a_failure_in_any_run_fails_and_is_named() {
        let card = score(
            "authority",
            &inputs(vec![
                junit("abc", authority_cases(Outcome::Passed)),
                junit("abc", authority_cases(Outcome::Failed)),
            ]),
        );
        let isolation = card
            .criteria
            .iter()
            .find(|c| c.name == "tenant isolation")
            .unwrap();
        assert_eq!(isolation.status, Status::Fail);
        assert_eq!(
            isolation.evidence,
            ["stellaops-suites::authority isolation::tenants_never_meet (junit-abc.xml)"]
        );
    }

    #[test]
    fn results_of_another_revision_are_stale_not_current() {
        let card = score(
            "authority",
            &inputs(vec![junit("old", authority_cases(Outcome::Passed))]),
        );
        assert_eq!(status(&card, "schema"), Status::Stale);
        let evidence = &card.criteria[0].evidence;
        assert_eq!(evidence, &["junit-old.xml describes revision old"]);
        let dirty = Inputs {
            revision: Some("old-dirty".into()),
            ..inputs(vec![junit("old", authority_cases(Outcome::Passed))])
        };
        assert_eq!(status(&score("authority", &dirty), "schema"), Status::Pass);
    }

    #[test]
    fn a_failure_of_another_revision_is_stale_not_a_fail() {
        let card = score(
            "authority",
            &inputs(vec![junit("old", authority_cases(Outcome::Failed))]),
        );
        let isolation = card
            .criteria
            .iter()
            .find(|c| c.name == "tenant isolation")
            .unwrap();
        assert_eq!(isolation.status, Status::Stale);
        assert_eq!(
            isolation.evidence,
            [
                "junit-old.xml describes revision old",
                "stellaops-suites::authority isolation::tenants_never_meet (junit-old.xml)"
            ]
        );
        // The same failure on this revision fails, whatever else is stale.
        let card = score(
            "authority",
            &inputs(vec![
                junit("old", authority_cases(Outcome::Passed)),
                junit("abc", authority_cases(Outcome::Failed)),
            ]),
        );
        assert_eq!(status(&card, "tenant isolation"), Status::Fail);
    }
}
