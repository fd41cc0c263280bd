//! The per-module backend switch (`postgres` or `memory`), read from the
//! persistence options.

use std::fmt;
use std::str::FromStr;

/// The modules whose storage can be switched, named as in the seeds'
/// `PersistenceOptions` (concelier holds vulnerabilities, excititor VEX).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Module {
    Authority,
    Scheduler,
    Notify,
    Policy,
    Concelier,
    Excititor,
}

impl Module {
    pub const ALL: [Module; 6] = [
        Module::Authority,
        Module::Scheduler,
        Module::Notify,
        Module::Policy,
        Module::Concelier,
        Module::Excititor,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Module::Authority => "authority",
            Module::Scheduler => "scheduler",
            Module::Notify => "notify",
            Module::Policy => "policy",
            Module::Concelier => "concelier",
            Module::Excititor => "excititor",
        }
    }

    /// The PostgreSQL schema the module's tables live in.
    pub fn schema(self) -> &'static str {
        match self {
            Module::Concelier => "vuln",
            Module::Excititor => "vex",
            other => other.name(),
        }
    }

    /// The backends this build of the kit implements for the module.
    /// (The registry of modules, `stellaops_kit::modules`, says which have
    /// their storage.)
    pub fn implemented(self) -> &'static [Backend] {
        match stellaops_kit::modules::module(self.name()) {
            Some(row) if row.storage => &[Backend::Postgres, Backend::Memory],
            _ => &[],
        }
    }

    /// The descriptors of the module's tables written so far: one per table
    /// of its schema once its storage is on in the registry.
    pub fn tables(self) -> &'static [&'static crate::Table] {
        match self {
            Module::Authority => crate::authority::TABLES,
            Module::Scheduler => crate::scheduler::TABLES,
            Module::Notify => crate::notify::TABLES,
            Module::Policy => crate::policy::TABLES,
            _ => &[],
        }
    }

    pub(crate) fn names() -> String {
        Module::ALL.map(Module::name).join(", ")
    }
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Module {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Module::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| format!("unknown module {text:?}; known: {}", Module::names()))
    }
}

/// Where a module keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// The real backend.
    Postgres,
    /// The in-memory reference implementation: the property tests' oracle.
    Memory,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Memory => "memory",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "postgres" => Ok(Backend::Postgres),
            "memory" => Ok(Backend::Memory),
            _ => Err(format!(
                "unknown backend {text:?}; expected \"postgres\" or \"memory\""
            )),
        }
    }
}

/// The backend chosen per module (the seeds' `PersistenceOptions`). A module
/// left unset is not served by this process.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Persistence {
    chosen: std::collections::BTreeMap<Module, Backend>,
}

/// A module asked for a backend this build does not implement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("{module} backend {backend} is not implemented yet (implemented: {implemented})")]
    NotImplemented {
        module: Module,
        backend: Backend,
        implemented: String,
    },
    #[error("{module} has no backend configured (set {var})")]
    NotConfigured { module: Module, var: String },
}

impl Persistence {
    pub fn set(&mut self, module: Module, backend: Backend) -> &mut Self {
        self.chosen.insert(module, backend);
        self
    }

    pub fn backend(&self, module: Module) -> Option<Backend> {
        self.chosen.get(&module).copied()
    }

    pub fn uses(&self, backend: Backend) -> bool {
        self.chosen.values().any(|b| *b == backend)
    }

    /// The module's backend, if this build implements it.
    pub fn require(&self, module: Module) -> Result<Backend, BackendError> {
        let backend = self
            .backend(module)
            .ok_or_else(|| BackendError::NotConfigured {
                module,
                var: format!(
                    "{}{}",
                    crate::options::vars::PERSISTENCE_PREFIX,
                    module.name().to_uppercase()
                ),
            })?;
        if module.implemented().contains(&backend) {
            Ok(backend)
        } else {
            Err(BackendError::NotImplemented {
                module,
                backend,
                implemented: if module.implemented().is_empty() {
                    "none".to_owned()
                } else {
                    module
                        .implemented()
                        .iter()
                        .map(|b| b.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            })
        }
    }

    /// Checks at start that every configured module is implemented.
    pub fn validate(&self) -> Result<(), BackendError> {
        for module in self.chosen.keys() {
            self.require(*module)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_parses_by_name_and_unknown_values_are_named() {
        for module in Module::ALL {
            assert_eq!(module.name().parse::<Module>().unwrap(), module);
        }
        let err = "mongo".parse::<Backend>().unwrap_err();
        assert!(err.contains("\"mongo\""), "{err}");
    }

    #[test]
    fn a_module_without_an_implementation_is_a_clear_error() {
        let mut persistence = Persistence::default();
        persistence.set(Module::Authority, Backend::Memory);
        assert!(persistence.validate().is_ok());
        persistence.set(Module::Concelier, Backend::Postgres);
        let err = persistence.validate().unwrap_err();
        assert_eq!(
            err.to_string(),
            "concelier backend postgres is not implemented yet (implemented: none)"
        );
        let err = persistence.require(Module::Excititor).unwrap_err();
        assert!(
            err.to_string().contains("STELLAOPS_PERSISTENCE_EXCITITOR"),
            "{err}"
        );
    }
}
