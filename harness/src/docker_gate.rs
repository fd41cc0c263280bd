//! Tests that need a Docker engine: run them, report them skipped with the
//! reason, or fail them when `STELLAOPS_REQUIRE_DOCKER=1` says Docker is not optional.
//!
//! For libtest-mimic test binaries (`harness = false`): nextest lists a
//! skipped test as SKIP, and the gate's own `docker_gate::availability` test
//! prints why.
//!
//! ```no_run
//! use stellaops_harness::DockerGate;
//! let gate = DockerGate::detect();
//! let trials = vec![
//!     gate.availability_trial(),
//!     gate.trial("docker::starts", |image| {
//!         // … use `image` …
//!         Ok(())
//!     }),
//! ];
//! libtest_mimic::run(&libtest_mimic::Arguments::from_args(), trials).exit();
//! ```

use libtest_mimic::{Completion, Failed, Trial};

use crate::Settings;
use crate::backend::docker;

/// Set to `1` to make docker-only tests fail, rather than skip, without Docker.
pub const REQUIRE_DOCKER_VAR: &str = "STELLAOPS_REQUIRE_DOCKER";

/// Whether docker-only tests can run here, found once per test binary.
#[derive(Debug, Clone)]
pub struct DockerGate {
    /// The image the tests run (`STELLAOPS_PG_IMAGE`), when engine and image are there.
    image: Result<String, String>,
    required: bool,
}

impl DockerGate {
    /// Asks the engine (bounded) whether it answers and holds the image.
    pub fn detect() -> DockerGate {
        let required = std::env::var(REQUIRE_DOCKER_VAR).is_ok_and(|v| v == "1");
        let image = Settings::from_env()
            .map_err(|e| e.to_string())
            .and_then(|settings| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("no runtime to ask Docker: {e}"))?;
                runtime.block_on(async {
                    let engine = docker::engine_reachable().await?;
                    if docker::image_present(&settings.image).await {
                        Ok(settings.image.clone())
                    } else {
                        Err(format!(
                            "Docker engine {engine} lacks the image {} (build one with \
                             harness/image/build.sh and set STELLAOPS_PG_IMAGE to it)",
                            settings.image
                        ))
                    }
                })
            });
        DockerGate { image, required }
    }

    /// A docker-only test: runs `test` with the image, or is skipped with
    /// the reason, or fails when Docker is required.
    pub fn trial<F>(&self, name: impl Into<String>, test: F) -> Trial
    where
        F: FnOnce(&str) -> Result<(), Failed> + Send + 'static,
    {
        match (&self.image, self.required) {
            (Ok(image), _) => {
                let image = image.clone();
                Trial::test(name, move || test(&image))
            }
            (Err(reason), true) => {
                let message = format!("{REQUIRE_DOCKER_VAR}=1, but {reason}");
                Trial::test(name, move || Err(message.into()))
            }
            (Err(reason), false) => {
                let reason = format!("skipped: {reason}");
                Trial::ignorable_test(name, move || Ok(Completion::ignored_with(reason)))
                    .with_ignored_flag(true)
            }
        }
    }

    /// A test that says whether the docker-only tests of this binary run, and
    /// why not; it fails only when Docker is required and missing.
    pub fn availability_trial(&self) -> Trial {
        let gate = self.clone();
        Trial::test("docker_gate::availability", move || {
            match (&gate.image, gate.required) {
                (Ok(image), _) => println!("docker-only tests run on {image}"),
                (Err(reason), false) => println!(
                    "docker-only tests are skipped: {reason}; \
                     set {REQUIRE_DOCKER_VAR}=1 to make them fail instead"
                ),
                (Err(reason), true) => {
                    return Err(format!("{REQUIRE_DOCKER_VAR}=1, but {reason}").into());
                }
            }
            Ok(())
        })
    }

    /// Prints the gate's verdict once, for runs outside nextest (`cargo test`).
    pub fn announce(&self) {
        if let Err(reason) = &self.image {
            eprintln!("docker-only tests: {reason}");
        }
    }
}
