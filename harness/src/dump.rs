//! `pg_dump` of a database by a pg_dump of the server's own major version.
//!
//! pg_dump refuses servers newer than itself, and its output differs between
//! majors; a container's server is dumped by the container's own pg_dump.

use std::path::PathBuf;
use std::time::Duration;

use tokio::process::Command;

use crate::backend::local::{ADMIN_USER, find_bin_dir};
use crate::backend::{BackendKind, docker};
use crate::process::run_bounded;
use crate::{HarnessError, Server};

const DUMP_LIMIT: Duration = Duration::from_secs(120);

impl Server {
    /// Runs pg_dump with `args` against `database` and returns its standard
    /// output. `args` come first, so `["--help"]` asks for the help text.
    pub async fn pg_dump(&self, database: &str, args: &[&str]) -> Result<String, HarnessError> {
        let output = match (self.kind, self.container_id()) {
            (BackendKind::Docker, Some(id)) => {
                let mut command = vec!["pg_dump"];
                command.extend_from_slice(args);
                let user = format!("--username={ADMIN_USER}");
                let dbname = format!("--dbname={database}");
                command.push(&user);
                command.push(&dbname);
                docker::exec(id, &command, DUMP_LIMIT).await?
            }
            _ => {
                let url = self.database_url(database);
                let mut cmd = Command::new(self.local_pg_dump());
                cmd.args(args).arg(format!("--dbname={url}"));
                run_bounded(cmd, "pg_dump", DUMP_LIMIT).await?
            }
        };
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    fn container_id(&self) -> Option<&str> {
        self.state.as_ref().and_then(|s| s.container_id.as_deref())
    }

    /// The server major's own pg_dump where installed, else the local
    /// backend's binaries, else the one on PATH.
    fn local_pg_dump(&self) -> PathBuf {
        let same_major = PathBuf::from(format!(
            "/usr/lib/postgresql/{}/bin/pg_dump",
            self.major_version
        ));
        if same_major.is_file() {
            return same_major;
        }
        find_bin_dir(&self.settings)
            .map(|dir| dir.join("pg_dump"))
            .ok()
            .filter(|p| p.is_file())
            .unwrap_or_else(|| PathBuf::from("pg_dump"))
    }
}
