//! Which row-level security policies of a tenant table could let a row of
//! another tenant through, read from the catalog: PostgreSQL ORs the
//! permissive policies of a command together, so one loose policy for one
//! command undoes the tenant policy for that command.

use crate::catalog::{Policy, Table};

/// The tenant predicate as the server renders it (`pg_get_expr`): equal to
/// the transaction's tenant setting, and no row at all when the setting is
/// unset (NULL) or was reset to `''`.
pub const TENANT_PREDICATE: &str =
    "tenant_id = NULLIF(current_setting('app.tenant_id'::text, true), ''::text)";

/// The commands a policy covers.
const COMMANDS: [&str; 4] = ["SELECT", "INSERT", "UPDATE", "DELETE"];

/// Each permissive policy, for each command it covers, whose expression for
/// that command is not keyed on the tenant: a sentence per finding naming
/// the policy, the command, the clause and the expression.
pub fn loose_policies(table: &Table) -> Vec<String> {
    let mut findings = Vec::new();
    for policy in table.policies.iter().filter(|p| p.permissive) {
        for command in COMMANDS {
            if policy.command != "ALL" && policy.command != command {
                continue;
            }
            for (clause, expression) in expressions(policy, command) {
                match expression {
                    Some(text) if tenant_keyed(text) => {}
                    Some(text) => findings.push(format!(
                        "policy {} lets {command} through by its {clause} ({text}), not keyed on \
                         {TENANT_PREDICATE}",
                        policy.name
                    )),
                    None => findings.push(format!(
                        "policy {} has no {clause} for {command}",
                        policy.name
                    )),
                }
            }
        }
    }
    findings
}

/// The expressions PostgreSQL applies for `command` under `policy`: rows
/// seen or targeted by USING, rows written by WITH CHECK (which falls back
/// to USING where a policy has none, for ALL and UPDATE).
fn expressions<'p>(policy: &'p Policy, command: &str) -> Vec<(&'static str, Option<&'p str>)> {
    let using = policy.using.as_deref();
    let check = policy.with_check.as_deref().or(using);
    match command {
        "SELECT" | "DELETE" => vec![("USING", using)],
        "INSERT" => vec![("WITH CHECK", check)],
        _ => vec![("USING", using), ("WITH CHECK", check)],
    }
}

/// Whether `expression` holds only for the tenant's rows: a conjunction of
/// which one term is the tenant predicate (further terms only narrow it).
/// An OR, a comparison with anything else, or a constant is not keyed.
pub fn tenant_keyed(expression: &str) -> bool {
    conjuncts(expression)
        .iter()
        .any(|term| unwrap_parens(term) == TENANT_PREDICATE)
}

/// The terms of a top-level `AND`, outside parentheses and string literals.
fn conjuncts(expression: &str) -> Vec<&str> {
    let expression = unwrap_parens(expression);
    let bytes = expression.as_bytes();
    let mut terms = Vec::new();
    let (mut depth, mut quoted, mut start, mut i) = (0i32, false, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            b' ' if !quoted && depth == 0 && expression[i..].starts_with(" AND ") => {
                terms.push(expression[start..i].trim());
                i += " AND ".len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    terms.push(expression[start..].trim());
    terms
}

/// `expression` without parentheses that enclose all of it.
fn unwrap_parens(expression: &str) -> &str {
    let mut text = expression.trim();
    while text.starts_with('(') && text.ends_with(')') && encloses_all(text) {
        text = text[1..text.len() - 1].trim();
    }
    text
}

/// Whether the first parenthesis of `text` closes at its last character.
fn encloses_all(text: &str) -> bool {
    let (mut depth, mut quoted) = (0i32, false);
    for (i, c) in text.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    return i == text.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(policies: Vec<Policy>) -> Table {
        Table {
            schema: "policy".into(),
            name: "packs".into(),
            columns: Vec::new(),
            primary_key: Vec::new(),
            checks: Vec::new(),
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
            rls_enabled: true,
            rls_forced: true,
            full_policy: true,
            policies,
        }
    }

    fn policy(command: &str, permissive: bool, using: Option<&str>, check: Option<&str>) -> Policy {
        Policy {
            name: format!("p_{command}"),
            permissive,
            command: command.into(),
            roles: vec!["public".into()],
            using: using.map(str::to_owned),
            with_check: check.map(str::to_owned),
        }
    }

    fn keyed() -> String {
        format!("({TENANT_PREDICATE})")
    }

    #[test]
    fn the_shipped_policy_is_keyed() {
        let shipped = policy("ALL", true, Some(&keyed()), Some(&keyed()));
        assert!(loose_policies(&table(vec![shipped])).is_empty());
    }

    #[test]
    fn a_narrower_conjunction_is_keyed_an_or_is_not() {
        assert!(tenant_keyed(&format!(
            "(({TENANT_PREDICATE}) AND (name <> 'x AND y'::text))"
        )));
        assert!(!tenant_keyed(&format!("(({TENANT_PREDICATE}) OR true)")));
        assert!(!tenant_keyed("true"));
        assert!(!tenant_keyed("(tenant_id IS NOT NULL)"));
        assert!(!tenant_keyed(
            "(tenant_id = current_setting('app.viewer'::text, true))"
        ));
        assert!(!tenant_keyed(&format!(
            "(({TENANT_PREDICATE}) AND true) OR (tenant_id ~~ 'acme%'::text)"
        )));
    }

    #[test]
    fn each_command_of_a_loose_policy_is_named() {
        let shipped = policy("ALL", true, Some(&keyed()), Some(&keyed()));
        for (command, using, check, expected) in [
            ("SELECT", Some("true"), None, 1),
            ("DELETE", Some("true"), None, 1),
            ("INSERT", None, Some("true"), 1),
            ("UPDATE", Some("true"), None, 2),
            ("UPDATE", Some(keyed().as_str()), Some("true"), 1),
            ("ALL", Some("true"), Some(keyed().as_str()), 3),
        ] {
            let found = loose_policies(&table(vec![
                shipped.clone(),
                policy(command, true, using, check),
            ]));
            assert_eq!(found.len(), expected, "{command}: {found:?}");
            assert!(found.iter().all(|f| f.contains(&format!("p_{command}"))));
        }
    }

    #[test]
    fn restrictive_policies_only_narrow() {
        let shipped = policy("ALL", true, Some(&keyed()), Some(&keyed()));
        let restrictive = policy("SELECT", false, Some("true"), None);
        assert!(loose_policies(&table(vec![shipped, restrictive])).is_empty());
    }
}
