//! The critical paths, by the stable names used in scenarios, results,
//! reports and the gate.

use std::fmt;
use std::str::FromStr;

use super::LoadError;

/// One critical path of a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CriticalPath {
    TokenIssue,
    TokenVerifyByHash,
    TokenRevoke,
    LoginAttempt,
    UserByUsername,
    UserPage,
    RoleAssign,
    DuePoll,
    RunClaim,
    RunComplete,
    Heartbeat,
    DeliveryEnqueue,
    DeliveryClaim,
    RuleMatch,
    EscalationDue,
    InboxPage,
    ActiveVersion,
    RulesOfVersion,
    ExceptionsActive,
    EvaluationRecord,
    ExplanationsPage,
    /// Tenants skewed the way real ones are, across the paths above.
    Mixed,
}

impl CriticalPath {
    pub const ALL: [CriticalPath; 22] = [
        CriticalPath::TokenIssue,
        CriticalPath::TokenVerifyByHash,
        CriticalPath::TokenRevoke,
        CriticalPath::LoginAttempt,
        CriticalPath::UserByUsername,
        CriticalPath::UserPage,
        CriticalPath::RoleAssign,
        CriticalPath::DuePoll,
        CriticalPath::RunClaim,
        CriticalPath::RunComplete,
        CriticalPath::Heartbeat,
        CriticalPath::DeliveryEnqueue,
        CriticalPath::DeliveryClaim,
        CriticalPath::RuleMatch,
        CriticalPath::EscalationDue,
        CriticalPath::InboxPage,
        CriticalPath::ActiveVersion,
        CriticalPath::RulesOfVersion,
        CriticalPath::ExceptionsActive,
        CriticalPath::EvaluationRecord,
        CriticalPath::ExplanationsPage,
        CriticalPath::Mixed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CriticalPath::TokenIssue => "authority.token_issue",
            CriticalPath::TokenVerifyByHash => "authority.token_verify_by_hash",
            CriticalPath::TokenRevoke => "authority.token_revoke",
            CriticalPath::LoginAttempt => "authority.login_attempt",
            CriticalPath::UserByUsername => "authority.user_by_username",
            CriticalPath::UserPage => "authority.user_page",
            CriticalPath::RoleAssign => "authority.role_assign",
            CriticalPath::DuePoll => "scheduler.due_poll",
            CriticalPath::RunClaim => "scheduler.run_claim",
            CriticalPath::RunComplete => "scheduler.run_complete",
            CriticalPath::Heartbeat => "scheduler.heartbeat",
            CriticalPath::DeliveryEnqueue => "notify.delivery_enqueue",
            CriticalPath::DeliveryClaim => "notify.delivery_claim",
            CriticalPath::RuleMatch => "notify.rule_match",
            CriticalPath::EscalationDue => "notify.escalation_due",
            CriticalPath::InboxPage => "notify.inbox_page",
            CriticalPath::ActiveVersion => "policy.active_version",
            CriticalPath::RulesOfVersion => "policy.rules_of_version",
            CriticalPath::ExceptionsActive => "policy.exceptions_active",
            CriticalPath::EvaluationRecord => "policy.evaluation_record",
            CriticalPath::ExplanationsPage => "policy.explanations_page",
            CriticalPath::Mixed => "mixed.multi_tenant",
        }
    }

    /// The module a path belongs to: its name's prefix (`mixed` for the
    /// mixed workload).
    pub fn module(self) -> &'static str {
        self.name().split_once('.').map_or("", |(module, _)| module)
    }

    /// Paths of the mixed workload and their weights (reads outnumber writes).
    pub const MIX: [(CriticalPath, u32); 8] = [
        (CriticalPath::TokenVerifyByHash, 30),
        (CriticalPath::UserByUsername, 20),
        (CriticalPath::LoginAttempt, 12),
        (CriticalPath::TokenIssue, 10),
        (CriticalPath::UserPage, 8),
        (CriticalPath::DuePoll, 8),
        (CriticalPath::RoleAssign, 6),
        (CriticalPath::TokenRevoke, 6),
    ];

    /// Parses a comma-separated list of names; an unknown one is an error
    /// listing the known names.
    pub fn parse_list(text: &str) -> Result<Vec<CriticalPath>, LoadError> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect()
    }
}

impl fmt::Display for CriticalPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for CriticalPath {
    type Err = LoadError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        CriticalPath::ALL
            .into_iter()
            .find(|p| p.name() == text)
            .ok_or_else(|| LoadError::UnknownPath {
                name: text.to_owned(),
                known: CriticalPath::ALL.map(CriticalPath::name).join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paths_are_the_registrys() {
        let registered: Vec<&str> = stellaops_kit::modules::MODULES
            .iter()
            .flat_map(|m| m.critical_paths.iter().copied())
            .chain(stellaops_kit::modules::CROSS_MODULE_PATHS.iter().copied())
            .collect();
        let ours: Vec<&str> = CriticalPath::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(ours, registered);
    }

    #[test]
    fn names_are_stable_and_unknown_ones_are_refused() {
        for path in CriticalPath::ALL {
            assert_eq!(path.name().parse::<CriticalPath>().unwrap(), path);
        }
        let err = CriticalPath::parse_list("scheduler.due_poll, authority.token_isue").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unknown critical path \"authority.token_isue\""),
            "{err}"
        );
        assert!(err.to_string().contains("authority.token_issue"), "{err}");
    }
}
