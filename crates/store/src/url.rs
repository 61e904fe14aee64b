//! Database URLs hold passwords: a type whose `Debug` and `Display` hide them, and the
//! redaction every message about a URL goes through.

/// A database URL whose `Debug` and `Display` hide the password (settings get logged).
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub String);

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({})", redact(&self.0))
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(DatabaseUrl(s.to_string()))
    }
}

/// The database URL without its password, for logs and error messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// The file a `sqlite:` URL names (`sqlite://PATH`, `sqlite:PATH`, options after `?`
/// dropped); `None` for other URLs and in-memory databases.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && !path.starts_with(":memory:") && !url.contains("mode=memory"))
        .then(|| std::path::PathBuf::from(path))
}

/// The password in a database URL, if it has one.
fn password(url: &str) -> Option<&str> {
    let (s, at) = (url.find("://")?, url.rfind('@')?);
    let (_, pw) = url.get(s + 3..at)?.split_once(':')?;
    (!pw.is_empty()).then_some(pw)
}

/// `%XX` escapes decoded (what a driver may echo back instead of the text of the URL).
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` (an error message about `url`) with the URL's password blotted out, as written
/// in the URL and percent-decoded: drivers echo URLs and their parsed options.
pub(crate) fn scrub(text: &str, url: &str) -> String {
    let mut out = text.to_string();
    if let Some(pw) = password(url) {
        for form in [pw.to_string(), percent_decoded(pw)] {
            if !form.is_empty() {
                out = out.replace(&form, "***");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{DatabaseUrl, redact, scrub, sqlite_file};

    #[test]
    fn sqlite_urls_name_their_file() {
        let file = |u: &str| sqlite_file(u).map(|p| p.display().to_string());
        assert_eq!(file("sqlite://.designdoc/hub.db").as_deref(), Some(".designdoc/hub.db"));
        assert_eq!(file("sqlite:///tmp/x.db?mode=rwc").as_deref(), Some("/tmp/x.db"));
        assert_eq!(file("sqlite:hub.db").as_deref(), Some("hub.db"));
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("postgres://u@h/d"), None);
    }

    #[test]
    fn scrub_removes_the_password_however_it_is_written() {
        let url = "postgres://hub:p%40ss%3Aword@db/hub";
        let said = "bad password p@ss:word for postgres://hub:p%40ss%3Aword@db/hub";
        assert_eq!(scrub(said, url), "bad password *** for postgres://hub:***@db/hub");
        assert_eq!(scrub("no secret here", "sqlite://x.db"), "no secret here");
        assert_eq!(scrub("a%", "postgres://u:%@h/d"), "a***");
    }

    #[test]
    fn database_password_is_redacted() {
        assert_eq!(
            redact("postgres://hub:s3cret@db:5432/hub"),
            "postgres://hub:***@db:5432/hub"
        );
        assert_eq!(redact("sqlite://.designdoc/hub.db"), "sqlite://.designdoc/hub.db");
        let url = DatabaseUrl("postgres://hub:s3cret@db/hub".into());
        for shown in [format!("{url:?}"), url.to_string()] {
            assert!(!shown.contains("s3cret"), "{shown}");
        }
    }
}
