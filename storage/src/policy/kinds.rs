//! Policy's text columns with a CHECK list, and the life cycles of packs
//! and versions.

use crate::StorageError;
use crate::text_enum::text_enum;

text_enum!(
    /// Where a pack is (`policy.packs.status`); [`PackStatus::by_hand`] is
    /// its transition table.
    PackStatus, "pack status" {
        Draft => "draft", Active => "active", Deprecated => "deprecated", Archived => "archived",
    }
);
text_enum!(
    /// Where a version is (`policy.pack_versions.status`);
    /// [`VersionStatus::can_become`] is its transition table.
    VersionStatus, "pack version status" {
        Draft => "draft", Submitted => "submitted", Approved => "approved",
        Published => "published", Retired => "retired",
    }
);
text_enum!(
    /// A rule's severity (`policy.rules.severity`).
    RuleSeverity, "rule severity" {
        Critical => "critical", High => "high", Medium => "medium", Low => "low", Info => "info",
        None => "none",
    }
);
text_enum!(
    /// What a matching rule does (`policy.rules.action`).
    RuleAction, "rule action" {
        Block => "block", Warn => "warn", Ignore => "ignore", Escalate => "escalate",
        RequireVex => "require_vex", Defer => "defer",
    }
);

text_enum!(
    /// Where a risk profile is (`policy.risk_profiles.status`): a draft
    /// changes; promotion makes it active and immutable, with its digest.
    ProfileStatus, "risk profile status" {
        Draft => "draft", Active => "active", Deprecated => "deprecated",
    }
);
text_enum!(
    /// Where an exception is (`policy.exceptions.status`);
    /// [`ExceptionStatus::can_become`] is its transition table.
    ExceptionStatus, "exception status" {
        Proposed => "proposed", Approved => "approved", Rejected => "rejected",
        Expired => "expired", Revoked => "revoked",
    }
);

text_enum!(
    /// What an audit entry is about (`policy.audit.category`).
    AuditCategory, "audit category" {
        Pack => "pack", PackVersion => "pack_version", RiskProfile => "risk_profile",
        Evaluation => "evaluation", Exception => "exception",
    }
);
text_enum!(
    /// How an evaluation runs (`policy.evaluation_runs.mode`).
    EvaluationMode, "evaluation mode" {
        Full => "full", Incremental => "incremental", Simulate => "simulate",
    }
);
text_enum!(
    /// Where an evaluation run is (`policy.evaluation_runs.status`);
    /// [`EvaluationStatus::can_become`] is its transition table.
    EvaluationStatus, "evaluation status" {
        Queued => "queued", Running => "running", Completed => "completed", Failed => "failed",
        Cancelled => "cancelled",
    }
);
text_enum!(
    /// What an explanation concluded for a finding (`policy.explanations.verdict`).
    Verdict, "verdict" {
        Pass => "pass", Warn => "warn", Fail => "fail", Ignored => "ignored",
        Deferred => "deferred",
    }
);

impl EvaluationStatus {
    /// Every legal change of a run's status:
    ///
    /// | from             | to                           |
    /// |------------------|------------------------------|
    /// | queued           | running, cancelled           |
    /// | running          | completed, failed, cancelled |
    ///
    /// Completed, failed and cancelled runs never change.
    pub fn can_become(self, to: EvaluationStatus) -> bool {
        use EvaluationStatus::*;
        matches!(
            (self, to),
            (Queued, Running | Cancelled) | (Running, Completed | Failed | Cancelled)
        )
    }
}

impl ExceptionStatus {
    /// Every legal change of an exception's status:
    ///
    /// | from     | to       | by                                        |
    /// |----------|----------|-------------------------------------------|
    /// | proposed | approved | approval, naming who, before it expires   |
    /// | proposed | rejected | rejection                                 |
    /// | approved | revoked  | revocation                                |
    /// | proposed, approved | expired | the expiry sweep, once its time passed |
    ///
    /// Rejected, expired and revoked exceptions never change.
    pub fn can_become(self, to: ExceptionStatus) -> bool {
        use ExceptionStatus::*;
        matches!(
            (self, to),
            (Proposed, Approved | Rejected | Expired) | (Approved, Revoked | Expired)
        )
    }
}

impl PackStatus {
    /// The changes a caller makes by hand:
    ///
    /// | from                | to         |
    /// |---------------------|------------|
    /// | active              | deprecated |
    /// | deprecated          | active     |
    /// | draft, deprecated   | archived   |
    ///
    /// A draft pack becomes active when a version of it is activated;
    /// an archived pack never changes.
    pub fn by_hand(self, to: PackStatus) -> bool {
        use PackStatus::*;
        matches!(
            (self, to),
            (Active, Deprecated) | (Deprecated, Active) | (Draft | Deprecated, Archived)
        )
    }
}

impl VersionStatus {
    /// Every legal change of a version's status:
    ///
    /// | from                | to        | by                                 |
    /// |---------------------|-----------|------------------------------------|
    /// | draft               | submitted | submission, naming who             |
    /// | submitted           | approved  | approval, naming who               |
    /// | submitted, approved | draft     | a return for changes               |
    /// | approved            | published | activation (the previous one retires) |
    /// | published           | retired   | retirement, or another's activation |
    ///
    /// A retired version never changes; published and retired versions
    /// never change otherwise.
    pub fn can_become(self, to: VersionStatus) -> bool {
        use VersionStatus::*;
        matches!(
            (self, to),
            (Draft, Submitted)
                | (Submitted, Approved)
                | (Submitted | Approved, Draft)
                | (Approved, Published)
                | (Published, Retired)
        )
    }

    /// Whether the version's content and rules are frozen.
    pub fn frozen(self) -> bool {
        self != VersionStatus::Draft
    }
}

/// The error of a status change its table does not allow.
pub(crate) fn illegal(entity: &'static str, from: &str, to: &str) -> StorageError {
    StorageError::IllegalTransition {
        entity,
        from: from.to_owned(),
        to: to.to_owned(),
    }
}

/// The error of a change to a frozen version or its rules.
pub(crate) fn immutable(entity: &'static str, status: VersionStatus) -> StorageError {
    StorageError::Immutable {
        entity,
        state: status.as_str().to_owned(),
        remedy: "derive a new version",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_documented_version_moves_are_legal() {
        use VersionStatus::*;
        let legal: Vec<(VersionStatus, VersionStatus)> = VersionStatus::ALL
            .iter()
            .flat_map(|from| VersionStatus::ALL.iter().map(move |to| (*from, *to)))
            .filter(|(from, to)| from.can_become(*to))
            .collect();
        assert_eq!(
            legal,
            [
                (Draft, Submitted),
                (Submitted, Draft),
                (Submitted, Approved),
                (Approved, Draft),
                (Approved, Published),
                (Published, Retired),
            ]
        );
    }
}
