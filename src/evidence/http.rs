//! The HTTP client every store is asked through: one timeout for connecting and answering,
//! and errors that name the store and never the credentials.

use crate::model::Duration;

/// A client with `timeout` for the connection and for the whole answer.
pub fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    // The ring provider builds faster than aws-lc; installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout.to_std())
        .connect_timeout(timeout.to_std())
        .user_agent(concat!("changegate/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))
}

/// Why a request to `store` at `url` failed, in words; the innermost cause of a refused
/// connection, which says the most.
pub fn describe(error: &reqwest::Error, store: &str, url: &str) -> String {
    if error.is_timeout() {
        format!("{store} at {url} did not answer in time")
    } else if error.is_connect() {
        let mut cause: &dyn std::error::Error = error;
        while let Some(next) = cause.source() {
            cause = next;
        }
        format!("cannot connect to {store} at {url}: {cause}")
    } else {
        let mut cause: &dyn std::error::Error = error;
        while let Some(next) = cause.source() {
            cause = next;
        }
        format!("the request to {store} at {url} failed: {cause}")
    }
}

/// The start of a body, for an error message: at most 200 characters of one line.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "(empty body)".into();
    }
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    if flat.len() < text.len() {
        format!("{flat}...")
    } else {
        flat
    }
}

/// A secret read from the environment: never printed, not even in debug output.
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The secret in the environment variable `var`, named by the config key `key`.
pub fn secret(var: Option<&str>, key: &str) -> Result<Option<Secret>, String> {
    match var {
        None => Ok(None),
        Some(var) => match std::env::var(var) {
            Ok(value) if !value.trim().is_empty() => Ok(Some(Secret(value.trim().to_string()))),
            _ => Err(format!(
                "the environment variable `{var}` (from `{key}`) is not set"
            )),
        },
    }
}

/// Most of an answer that is read: far more than any count or coverage table needs.
pub const MAX_BODY: usize = 16 << 20;

/// The body of `response`, refusing one longer than [`MAX_BODY`] rather than holding it.
pub async fn body(
    mut response: reqwest::Response,
    store: &str,
    url: &str,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| describe(&e, store, url))?
    {
        if out.len() + chunk.len() > MAX_BODY {
            return Err(format!(
                "{store} at {url} answered more than {} MiB; that is not an answer to a count",
                MAX_BODY >> 20
            ));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Text from outside, for a message: control characters (terminal escapes among them)
/// become spaces.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
