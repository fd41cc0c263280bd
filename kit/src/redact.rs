//! Passwords out of URLs and connection strings before anything is printed or logged.

/// Hides the password of every `scheme://user:password@` in `text`, and of
/// `password=...` pairs.
///
/// ```
/// use stellaops_kit::redact;
/// assert_eq!(
///     redact("postgres://app:s3cret@db:5432/x"),
///     "postgres://app:***@db:5432/x"
/// );
/// ```
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(scheme) = rest.find("://") {
        let (head, tail) = rest.split_at(scheme + 3);
        out.push_str(head);
        // The user info runs to the URL's last '@' (a password may hold '/'
        // or '?'); the URL ends at whitespace or a quote.
        let url_end = tail
            .find([' ', '\t', '\n', '"', '\''])
            .unwrap_or(tail.len());
        let url = &tail[..url_end];
        let resume = match url.rfind('@') {
            Some(at) if url[..at].contains(':') => {
                let colon = url.find(':').unwrap_or(at);
                out.push_str(&url[..colon]);
                out.push_str(":***");
                at
            }
            _ => 0,
        };
        rest = &tail[resume..];
    }
    out.push_str(rest);
    let mut redacted = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest.find("password=") {
        let (head, tail) = rest.split_at(at + "password=".len());
        redacted.push_str(head);
        redacted.push_str("***");
        let end = tail.find(['&', ' ', '"', '\'']).unwrap_or(tail.len());
        rest = &tail[end..];
    }
    redacted.push_str(rest);
    redacted
}
