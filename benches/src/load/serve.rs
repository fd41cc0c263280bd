//! The side of a gate round, as a process the gate steers: it opens a
//! round on a fresh clone, then runs paths block by block as the gate
//! asks, so base and candidate blocks alternate. Requests come as JSON
//! lines on stdin; replies go to stdout as JSON lines behind
//! [`REPLY_PREFIX`] (goose prints its own lines there too). The clone is
//! dropped when the gate says close, when stdin ends (the gate died), or
//! on an error.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use stellaops_harness::Server;
use tokio::io::{AsyncBufReadExt, BufReader};

use super::recorder::PathStats;
use super::runner::{RoundSession, RunSize, RunningPath, WorkMode};
use super::{CriticalPath, LoadError, Volume};

/// Marks a protocol line on stdout.
pub const REPLY_PREFIX: &str = "@stellaops-gate ";

/// What the gate asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Start a path's attack in one warm-up block (not counted) and
    /// `blocks` measured blocks; its users wait for turns.
    Start { path: String, blocks: usize },
    /// Run the started path's next block.
    Block,
    /// Wait for the started path's end and report it.
    Finish,
    /// Drop the clone and exit.
    Close,
}

/// What the side answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    Ready {
        work_unavailable: Option<String>,
        /// The server the side runs on ([`super::server_identity`]): every
        /// side of a gate must run on the gate's. Older sides do not say.
        #[serde(default)]
        server: Option<String>,
    },
    Started,
    Block {
        micros: f64,
    },
    Finished {
        stats: PathStats,
    },
    Closed,
    Error {
        message: String,
    },
}

/// A block or a path's end that takes longer than this is an error.
const STEP_LIMIT: Duration = Duration::from_secs(120);

fn send(reply: &Reply) {
    match serde_json::to_string(reply) {
        Ok(line) => println!("{REPLY_PREFIX}{line}"),
        Err(e) => {
            println!("{REPLY_PREFIX}{{\"error\":{{\"message\":\"serializing a reply: {e}\"}}}}")
        }
    }
}

/// Serves one round on a fresh clone of `seeded` until the gate closes it.
pub async fn serve(
    server: &Arc<Server>,
    seeded: &str,
    label: &str,
    volume: Volume,
    size: &RunSize,
    work: WorkMode,
) -> Result<(), LoadError> {
    let identity = super::server_identity(server).await?;
    let mut session = RoundSession::open(server, seeded, label, volume, size, work).await?;
    send(&Reply::Ready {
        work_unavailable: session.work_unavailable.clone(),
        server: Some(identity),
    });
    let result = steer(&mut session).await;
    let closed = session.close().await;
    match (&result, closed) {
        (Ok(()), Ok(())) => {
            send(&Reply::Closed);
            Ok(())
        }
        (Ok(()), Err(e)) => {
            send(&Reply::Error {
                message: e.to_string(),
            });
            Err(e)
        }
        (Err(e), _) => {
            send(&Reply::Error {
                message: e.to_string(),
            });
            result
        }
    }
}

/// Answers requests until `close` or the end of stdin.
async fn steer(session: &mut RoundSession) -> Result<(), LoadError> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut running: Option<RunningPath> = None;
    let mut blocks_left = 0usize;
    let mut warming = false;
    loop {
        let line = lines.next_line().await.map_err(|e| LoadError::File {
            what: "reading",
            file: "the gate's requests (stdin)".into(),
            reason: e.to_string(),
        })?;
        let Some(line) = line else {
            // The gate is gone: nothing more to do, the clone is dropped.
            return Ok(());
        };
        let request: Request = serde_json::from_str(&line).map_err(|e| LoadError::Invalid {
            field: "request",
            reason: format!("{line:?}: {e}"),
        })?;
        match request {
            Request::Start { path, blocks } => {
                if running.is_some() {
                    return Err(protocol("start while a path is running"));
                }
                let path: CriticalPath = path.parse()?;
                running = Some(session.start_path(path, blocks).await?);
                blocks_left = blocks.max(1) + 1;
                warming = true;
                send(&Reply::Started);
            }
            Request::Block => {
                let Some(path) = running.as_mut() else {
                    return Err(protocol("block without a started path"));
                };
                if blocks_left == 0 {
                    return Err(protocol("more blocks than the path was started with"));
                }
                blocks_left -= 1;
                let took = path.blocks.run_block(path.per_block, STEP_LIMIT).await?;
                if warming {
                    session.rebase(path).await?;
                    warming = false;
                }
                send(&Reply::Block {
                    micros: took.as_secs_f64() * 1e6,
                });
            }
            Request::Finish => {
                let Some(path) = running.take() else {
                    return Err(protocol("finish without a started path"));
                };
                if blocks_left > 0 {
                    return Err(protocol("finish before every block ran"));
                }
                let stats = session.finish_path(path, STEP_LIMIT).await?;
                send(&Reply::Finished { stats });
            }
            Request::Close => return Ok(()),
        }
    }
}

fn protocol(reason: &str) -> LoadError {
    LoadError::Invalid {
        field: "request",
        reason: reason.to_owned(),
    }
}

/// Parses a protocol line of stdout; `None` for any other line.
pub fn parse_reply(line: &str) -> Option<Result<Reply, String>> {
    let json = line.strip_prefix(REPLY_PREFIX)?;
    Some(serde_json::from_str(json).map_err(|e| format!("{json:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_replies_read_back() {
        let start = Request::Start {
            path: "scheduler.due_poll".into(),
            blocks: 8,
        };
        let text = serde_json::to_string(&start).unwrap();
        assert_eq!(serde_json::from_str::<Request>(&text).unwrap(), start);
        assert_eq!(
            serde_json::from_str::<Request>("\"block\"").unwrap(),
            Request::Block
        );
        let line = format!(
            "{REPLY_PREFIX}{}",
            serde_json::to_string(&Reply::Started).unwrap()
        );
        assert_eq!(parse_reply(&line), Some(Ok(Reply::Started)));
        assert_eq!(parse_reply("2 users launched."), None);
        assert!(matches!(
            parse_reply(&format!("{REPLY_PREFIX}{{")),
            Some(Err(_))
        ));
    }
}
