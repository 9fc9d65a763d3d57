//! The log file: created 0600 (it names accounts and resources), and every
//! line passes through [`redact`] before it is written, so no credential
//! reaches it at any level (`SKYHOUND_LOG=trace` makes the SDK log request
//! headers, session tokens among them).

use std::io::{self, Write};
use std::path::Path;

/// Names after which a secret follows, compared without case.
const SECRETS: &[&str] = &[
    "x-amz-security-token",
    "authorization",
    "aws_secret_access_key",
    "aws_session_token",
    "secretaccesskey",
    "secret_access_key",
    "sessiontoken",
    "session_token",
    "x-amz-signature",
    "signature=",
];

/// Characters that end a secret's value.
fn ends_value(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | ',' | '}' | ')' | ']' | '\n' | '\r' | '&' | ';'
    )
}

/// The text with every value that follows a secret's name replaced by
/// `<redacted>`.
pub fn redact(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let found = SECRETS
            .iter()
            .filter_map(|name| lower[i..].find(name).map(|at| (i + at, *name)))
            .min();
        let Some((at, name)) = found else {
            out.push_str(&text[i..]);
            break;
        };
        let name_end = at + name.len();
        out.push_str(&text[i..name_end]);
        // Skip the separator (`: `, `=`, `":"`, …), then the value.
        let rest = &text[name_end..];
        let sep = rest
            .char_indices()
            .find(|(_, c)| !matches!(c, ':' | '=' | ' ' | '"' | '\''))
            .map_or(rest.len(), |(n, _)| n);
        out.push_str(&rest[..sep]);
        // A name with no `:` or `=` after it is a word (`GetSessionToken`,
        // `GetAccountAuthorizationDetails`), not a key.
        if !name.ends_with('=') && !rest[..sep].contains([':', '=']) {
            i = name_end + sep;
            continue;
        }
        let value = &rest[sep..];
        let value_len = value.find(ends_value).unwrap_or(value.len());
        if value_len > 0 {
            out.push_str("<redacted>");
        }
        i = name_end + sep + value_len;
    }
    out
}

/// A writer that redacts each chunk (tracing writes one event at a time).
pub struct Redacting<W: Write>(pub W);

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Open the log for appending, creating it 0600 and narrowing an older,
/// wider file to 0600.
pub fn open(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_wherever_they_appear() {
        let line = r#"headers={"x-amz-security-token": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVz", "authorization": "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261202/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0123abcd", "x-amz-date": "20261202T000000Z"}"#;
        let r = redact(line);
        assert!(!r.contains("IQoJb3JpZ2lu"), "{r}");
        assert!(!r.contains("AWS4-HMAC-SHA256 Credential"), "{r}");
        assert!(r.contains("x-amz-date"), "the rest stays: {r}");
        let r = redact("SessionToken: FwoGZXIvYXdzEJr SecretAccessKey=wJalrXUtnFEMI/K7MDENG rest");
        assert!(
            !r.contains("FwoGZXIvYXdzEJr") && !r.contains("wJalrXUtnFEMI"),
            "{r}"
        );
        assert_eq!(redact("nothing secret here"), "nothing secret here");
        assert_eq!(
            redact("calling GetAccountAuthorizationDetails and GetSessionToken"),
            "calling GetAccountAuthorizationDetails and GetSessionToken"
        );
    }

    #[test]
    fn the_log_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("skyhound.log");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        open(&path).expect("opens");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
