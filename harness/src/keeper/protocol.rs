//! One request a connection, one line each way.
//!
//! ```text
//! stellaops-keeper/1 take <template> <database>   ok | miss | err <why>
//! stellaops-keeper/1 return <database>            ok
//! stellaops-keeper/1 keep <database>              ok | err <why>
//! stellaops-keeper/1 ping                         ok <pid> taken=N missed=N returned=N
//! stellaops-keeper/1 quit                         ok
//! ```

use std::fmt;

/// The protocol a keeper speaks; a keeper built from other sources answers
/// `err protocol` and the client does the work itself.
pub const PROTOCOL: &str = "stellaops-keeper/1";

/// What a test process asks of the keeper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Rename a pooled clone of `template` to `database`.
    Take {
        template: String,
        database: String,
    },
    /// The test passed: drop `database` off the test's path.
    Return {
        database: String,
    },
    /// The test failed: mark `database` as kept for a day.
    Keep {
        database: String,
    },
    Ping,
    /// Exit now (for `pg-harness down` and stale keepers).
    Quit,
}

/// The keeper's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Ok(String),
    /// The pool was empty: the test clones for itself.
    Miss,
    Err(String),
}

impl Request {
    pub fn to_line(&self) -> String {
        let body = match self {
            Request::Take { template, database } => format!("take {template} {database}"),
            Request::Return { database } => format!("return {database}"),
            Request::Keep { database } => format!("keep {database}"),
            Request::Ping => "ping".to_owned(),
            Request::Quit => "quit".to_owned(),
        };
        format!("{PROTOCOL} {body}\n")
    }

    /// Parses a request line; database names are the harness's own and are
    /// refused unless they are plain identifiers.
    pub fn parse(line: &str) -> Result<Request, String> {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.first() {
            Some(&PROTOCOL) => {}
            Some(other) => return Err(format!("protocol {other} (this keeper speaks {PROTOCOL})")),
            None => return Err("empty request".to_owned()),
        }
        let name = |index: usize, what: &str| -> Result<String, String> {
            let word = words.get(index).ok_or_else(|| format!("missing {what}"))?;
            if is_plain_identifier(word) {
                Ok((*word).to_owned())
            } else {
                Err(format!("{what} {word:?} is not a harness database name"))
            }
        };
        let (request, arity) = match words.get(1).copied() {
            Some("take") => (
                Request::Take {
                    template: name(2, "template")?,
                    database: name(3, "database")?,
                },
                4,
            ),
            Some("return") => (
                Request::Return {
                    database: name(2, "database")?,
                },
                3,
            ),
            Some("keep") => (
                Request::Keep {
                    database: name(2, "database")?,
                },
                3,
            ),
            Some("ping") => (Request::Ping, 2),
            Some("quit") => (Request::Quit, 2),
            Some(verb) => return Err(format!("unknown request {verb:?}")),
            None => return Err("missing verb".to_owned()),
        };
        if words.len() == arity {
            Ok(request)
        } else {
            Err(format!("{} words where {arity} belong", words.len()))
        }
    }
}

impl Reply {
    pub fn to_line(&self) -> String {
        match self {
            Reply::Ok(detail) if detail.is_empty() => "ok\n".to_owned(),
            Reply::Ok(detail) => format!("ok {detail}\n"),
            Reply::Miss => "miss\n".to_owned(),
            // One line: the message must not break the framing.
            Reply::Err(why) => format!("err {}\n", why.replace(['\n', '\r'], " ")),
        }
    }

    pub fn parse(line: &str) -> Reply {
        let line = line.trim_end();
        match line.split_once(' ') {
            _ if line == "ok" => Reply::Ok(String::new()),
            _ if line == "miss" => Reply::Miss,
            Some(("ok", detail)) => Reply::Ok(detail.to_owned()),
            Some(("err", why)) => Reply::Err(why.to_owned()),
            _ => Reply::Err(format!("unreadable reply {line:?}")),
        }
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.to_line().trim_end())
    }
}

fn is_plain_identifier(word: &str) -> bool {
    !word.is_empty()
        && word.len() < 64
        && word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip() {
        for request in [
            Request::Take {
                template: "stellaops_tpl_ab12".into(),
                database: "stellaops_test_1_2_3_4".into(),
            },
            Request::Return {
                database: "stellaops_test_1_2_3_4".into(),
            },
            Request::Keep {
                database: "stellaops_test_1_2_3_4".into(),
            },
            Request::Ping,
            Request::Quit,
        ] {
            assert_eq!(Request::parse(&request.to_line()), Ok(request));
        }
    }

    #[test]
    fn foreign_protocols_and_names_are_refused() {
        assert!(
            Request::parse("stellaops-keeper/0 ping")
                .unwrap_err()
                .contains("protocol")
        );
        assert!(Request::parse(&format!("{PROTOCOL} return \"x\"; DROP")).is_err());
        assert!(Request::parse(&format!("{PROTOCOL} take only_one")).is_err());
        assert!(Request::parse(&format!("{PROTOCOL} fly")).is_err());
    }

    #[test]
    fn replies_round_trip() {
        for reply in [
            Reply::Ok(String::new()),
            Reply::Ok("123".into()),
            Reply::Miss,
            Reply::Err("server went away".into()),
        ] {
            assert_eq!(Reply::parse(&reply.to_line()), reply);
        }
        assert_eq!(
            Reply::parse(&Reply::Err("two\nlines".into()).to_line()),
            Reply::Err("two lines".into())
        );
    }
}
