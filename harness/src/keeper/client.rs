//! The test process's side: one request, one reply, every wait bounded.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream as StdUnixStream;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as AsyncBufReader};
use tokio::net::UnixStream;

use super::paths::KeeperPaths;
use super::protocol::{Reply, Request};

/// Why no keeper answered: the caller does the work itself.
#[derive(Debug, thiserror::Error)]
pub enum KeeperUnavailable {
    /// Nothing listens on the socket (none started yet, or it exited).
    #[error("no keeper listens on {0}")]
    NotRunning(String),
    #[error("the keeper did not answer {request} within {waited:?}")]
    NoAnswer { request: String, waited: Duration },
    #[error("talking to the keeper: {0}")]
    Io(std::io::Error),
}

fn classify(paths: &KeeperPaths, error: std::io::Error) -> KeeperUnavailable {
    use std::io::ErrorKind::{ConnectionRefused, NotFound};
    match error.kind() {
        NotFound | ConnectionRefused => {
            KeeperUnavailable::NotRunning(paths.socket.display().to_string())
        }
        _ => KeeperUnavailable::Io(error),
    }
}

/// Sends `request` and waits at most `limit` for the reply.
pub async fn request(
    paths: &KeeperPaths,
    request: &Request,
    limit: Duration,
) -> Result<Reply, KeeperUnavailable> {
    let exchange = async {
        let mut stream = UnixStream::connect(&paths.socket)
            .await
            .map_err(|e| classify(paths, e))?;
        stream
            .write_all(request.to_line().as_bytes())
            .await
            .map_err(KeeperUnavailable::Io)?;
        let mut line = String::new();
        AsyncBufReader::new(stream)
            .read_line(&mut line)
            .await
            .map_err(KeeperUnavailable::Io)?;
        Ok(Reply::parse(&line))
    };
    tokio::time::timeout(limit, exchange)
        .await
        .unwrap_or_else(|_| {
            Err(KeeperUnavailable::NoAnswer {
                request: request.to_string(),
                waited: limit,
            })
        })
}

/// [`request`] for places that cannot await (a `Drop`).
pub fn request_blocking(
    paths: &KeeperPaths,
    request: &Request,
    limit: Duration,
) -> Result<Reply, KeeperUnavailable> {
    let mut stream = StdUnixStream::connect(&paths.socket).map_err(|e| classify(paths, e))?;
    let timed_out = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            KeeperUnavailable::NoAnswer {
                request: request.to_string(),
                waited: limit,
            }
        }
        _ => KeeperUnavailable::Io(e),
    };
    stream
        .set_read_timeout(Some(limit))
        .and_then(|()| stream.set_write_timeout(Some(limit)))
        .map_err(KeeperUnavailable::Io)?;
    stream
        .write_all(request.to_line().as_bytes())
        .map_err(timed_out)?;
    let mut line = String::new();
    BufReader::new(stream)
        .read_line(&mut line)
        .map_err(timed_out)?;
    Ok(Reply::parse(&line))
}
