//! OpenSSH `allowed_signers` files: which key belongs to which principal.
//!
//! The format (ssh-keygen(1), ALLOWED SIGNERS): one entry per line, `principals [options]
//! keytype base64-key [comment]`; principals are comma-separated and may be quoted; options
//! are `namespaces="..."`, `valid-after=...`, `valid-before=...` and `cert-authority`. Blank
//! lines and `#` comments are ignored.

use std::ops::Range;

use ssh_key::PublicKey;

use crate::diag::{Diagnostic, SourceFile};

/// One key line.
#[derive(Clone, Debug)]
pub struct SignerEntry {
    pub principals: Vec<String>,
    /// `namespaces="..."`: the namespaces this key may sign in; `None` means any.
    pub namespaces: Option<Vec<String>>,
    /// `valid-after=`: the key is not valid before this instant.
    pub valid_after: Option<jiff::Timestamp>,
    /// `valid-before=`: the key is not valid from this instant on.
    pub valid_before: Option<jiff::Timestamp>,
    pub key: PublicKey,
    pub line: usize,
    pub span: Range<usize>,
}

impl SignerEntry {
    /// Whether this line lets the key sign as `principal`, as `ssh-keygen -Y verify` decides
    /// ([`list_names`]).
    pub fn names(&self, principal: &str) -> bool {
        list_names(&self.principals, principal, false)
    }

    /// Why this key may not sign `namespace` at `at`, if it may not.
    pub fn refuses(&self, namespace: &str, at: jiff::Timestamp) -> Option<String> {
        if let Some(namespaces) = &self.namespaces {
            if !namespaces.iter().any(|n| n == namespace) {
                return Some(format!(
                    "the key on line {} may only sign in the namespaces {}, not `{namespace}`",
                    self.line,
                    namespaces.join(", ")
                ));
            }
        }
        if let Some(after) = self.valid_after {
            if at < after {
                return Some(format!(
                    "the key on line {} is not valid before {after}",
                    self.line
                ));
            }
        }
        if let Some(before) = self.valid_before {
            if at >= before {
                return Some(format!(
                    "the key on line {} expired at {before} (`valid-before`)",
                    self.line
                ));
            }
        }
        None
    }
}

#[derive(Clone, Debug)]
pub struct AllowedSigners {
    pub file: SourceFile,
    pub entries: Vec<SignerEntry>,
}

impl AllowedSigners {
    /// True if some key line names this principal (globs such as `*@example.com` included).
    pub fn has_key_for(&self, principal: &str) -> bool {
        self.entries.iter().any(|e| e.names(principal))
    }

    /// Entries holding this key.
    pub fn entries_for_key<'a>(
        &'a self,
        key: &'a ssh_key::public::KeyData,
    ) -> impl Iterator<Item = &'a SignerEntry> {
        self.entries.iter().filter(move |e| e.key.key_data() == key)
    }

    /// The principals this key may approve as.
    pub fn principals_for_key(&self, key: &ssh_key::public::KeyData) -> Vec<String> {
        self.entries_for_key(key)
            .flat_map(|e| e.principals.clone())
            .collect()
    }
}

/// Whether a principals list names `principal`, as OpenSSH's `match_pattern_list` decides:
/// some pattern matches and no `!`-negated one does; `*` and `?` are the only wildcards.
/// `ssh-keygen` matches case-sensitively, and so does every check that grants a key;
/// `ignore_case` is for recognising one person under two spellings (an author approving
/// their own change), never for granting.
pub fn list_names(patterns: &[String], principal: &str, ignore_case: bool) -> bool {
    let lower;
    let principal = if ignore_case {
        lower = principal.to_ascii_lowercase();
        lower.as_str()
    } else {
        principal
    };
    let mut positive = false;
    for pattern in patterns {
        let pattern = if ignore_case {
            std::borrow::Cow::Owned(pattern.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(pattern.as_str())
        };
        match pattern.strip_prefix('!') {
            Some(negated) if principal_matches(negated, principal) => return false,
            Some(_) => {}
            None => positive |= principal_matches(&pattern, principal),
        }
    }
    positive
}

/// One pattern of a principals list against a principal: `*` and `?` globs, else equality.
fn principal_matches(pattern: &str, principal: &str) -> bool {
    if pattern.contains(['*', '?']) {
        crate::model::glob_match(pattern.as_bytes(), principal.as_bytes())
    } else {
        pattern == principal
    }
}

const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// Parses the whole file; every bad line is reported.
pub fn read_allowed_signers(file: SourceFile) -> Result<AllowedSigners, Vec<Diagnostic>> {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut offset = 0;
    for (index, raw) in file.text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let span = start + (line.len() - trimmed.len())..start + line.len();
        match parse_line(trimmed) {
            Ok((principals, options, key)) => entries.push(SignerEntry {
                principals,
                namespaces: options.namespaces,
                valid_after: options.valid_after,
                valid_before: options.valid_before,
                key,
                line: index + 1,
                span,
            }),
            Err((message, help)) => problems.push(
                Diagnostic::new("policy-invalid", message)
                    .at(&file, span, "this line")
                    .help(help),
            ),
        }
    }
    if problems.is_empty() {
        Ok(AllowedSigners { file, entries })
    } else {
        Err(problems)
    }
}

#[derive(Default)]
struct Options {
    namespaces: Option<Vec<String>>,
    valid_after: Option<jiff::Timestamp>,
    valid_before: Option<jiff::Timestamp>,
}

type Parsed = (Vec<String>, Options, PublicKey);

fn parse_line(line: &str) -> Result<Parsed, (String, String)> {
    let format = "each line is `principals [options] key-type base64-key`, e.g. \
                  `alice@example.com ssh-ed25519 AAAAC3Nza...`";
    let problem = |message: String| (message, format.to_string());
    let mut tokens = tokenize(line).into_iter();
    let principals: Vec<String> = tokens
        .next()
        .unwrap_or_default()
        .trim_matches('"')
        .split(',')
        .map(str::to_string)
        .collect();
    if principals.iter().any(String::is_empty) {
        return Err(problem("an empty principal in `allowed_signers`".into()));
    }
    let mut next = tokens.next();
    let mut options = Options::default();
    if let Some(token) = next.take_if(|t| !KEY_TYPES.contains(&t.as_str())) {
        for option in split_options(&token) {
            let (name, value) = match option.split_once('=') {
                Some((n, v)) => (
                    n.to_ascii_lowercase(),
                    Some(v.trim_matches('"').to_string()),
                ),
                None => (option.to_ascii_lowercase(), None),
            };
            if name == "cert-authority" {
                return Err((
                    "`cert-authority` lines are not supported: changegate verifies plain keys, \
                     not certificates"
                        .into(),
                    "list each approver's own public key instead of a certificate authority".into(),
                ));
            }
            let value = || {
                value
                    .clone()
                    .ok_or_else(|| problem(format!("the option `{name}` needs a value")))
            };
            match name.as_str() {
                "namespaces" => {
                    options.namespaces = Some(value()?.split(',').map(str::to_string).collect());
                }
                "valid-after" => options.valid_after = Some(ssh_time(&value()?)?),
                "valid-before" => options.valid_before = Some(ssh_time(&value()?)?),
                _ => {
                    return Err((
                        format!("unknown option `{option}` in `allowed_signers`"),
                        "the options are `namespaces=\"...\"`, `valid-after=...` and \
                         `valid-before=...`"
                            .into(),
                    ));
                }
            }
        }
        next = tokens.next();
    }
    let Some(key_type) = next else {
        return Err(problem("this `allowed_signers` line has no key".into()));
    };
    if !KEY_TYPES.contains(&key_type.as_str()) {
        return Err((
            format!("`{key_type}` is not a key type"),
            format!("{format}; key types: {}", KEY_TYPES.join(", ")),
        ));
    }
    let Some(key) = tokens.next() else {
        return Err(problem(
            "this `allowed_signers` line has a key type but no key".into(),
        ));
    };
    let key = PublicKey::from_openssh(&format!("{key_type} {key}"))
        .map_err(|e| problem(format!("the `{key_type}` key cannot be decoded: {e}")))?;
    Ok((principals, options, key))
}

/// Options are comma-separated; commas inside double quotes belong to the value.
fn split_options(token: &str) -> Vec<String> {
    let mut options = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in token.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => options.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    options.push(current);
    options
}

/// ssh-keygen's time format: `YYYYMMDD` or `YYYYMMDDHHMM[SS]`, optionally ending in `Z`.
/// changegate reads every time as UTC; write the `Z` to mean the same to ssh-keygen.
fn ssh_time(text: &str) -> Result<jiff::Timestamp, (String, String)> {
    let digits = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    let bad = || {
        (
            format!("`{text}` is not a time in `allowed_signers`"),
            "write `YYYYMMDD` or `YYYYMMDDHHMM[SS]`, followed by `Z` for UTC".to_string(),
        )
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 14].contains(&digits.len()) {
        return Err(bad());
    }
    let field = |range: std::ops::Range<usize>| digits.get(range).unwrap_or("00");
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        field(0..4),
        field(4..6),
        field(6..8),
        field(8..10),
        field(10..12),
        field(12..14)
    );
    iso.parse().map_err(|_| bad())
}

/// Splits on whitespace outside double quotes.
fn tokenize(line: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMbjsRErzVs3i75P6JxzWe9ofS3S1551BSvwN8RtnOnX";

    fn read(text: &str) -> Result<AllowedSigners, Vec<Diagnostic>> {
        read_allowed_signers(SourceFile::new("allowed_signers", text))
    }

    #[test]
    fn reads_principals_options_and_keys() {
        let text = format!(
            "# approvers\nalice@example.com {KEY} alice\n\
             \"bob@example.com,carol@example.com\" namespaces=\"changegate,git\",valid-before=20300101Z {KEY}\n"
        );
        let signers = read(&text).unwrap();
        assert_eq!(signers.entries.len(), 2);
        let entry = &signers.entries[1];
        assert_eq!(entry.principals, ["bob@example.com", "carol@example.com"]);
        assert_eq!(
            entry.namespaces.as_deref(),
            Some(&["changegate".to_string(), "git".to_string()][..])
        );
        assert_eq!(
            entry.valid_before.unwrap().to_string(),
            "2030-01-01T00:00:00Z"
        );
        assert_eq!(entry.line, 3);
        assert!(signers.has_key_for("carol@example.com"));
        assert!(!signers.has_key_for("dave@example.com"));
    }

    #[test]
    fn principal_globs_match_as_ssh_keygen_does() {
        let signers = read(&format!("*@example.com {KEY}\nops-?@example.net {KEY}\n")).unwrap();
        assert!(signers.has_key_for("carol@example.com"));
        assert!(signers.has_key_for("ops-1@example.net"));
        assert!(!signers.has_key_for("ops-12@example.net"));
        assert!(!signers.has_key_for("carol@example.org"));
    }

    #[test]
    fn options_are_enforced() {
        let text = format!("a@example.com namespaces=\"git\",valid-after=202601011200Z {KEY}\n");
        let entry = read(&text).unwrap().entries.remove(0);
        let later: jiff::Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
        assert!(
            entry
                .refuses("changegate", later)
                .unwrap()
                .contains("namespaces git")
        );
        assert!(
            entry
                .refuses("git", "2026-01-01T11:59:00Z".parse().unwrap())
                .unwrap()
                .contains("not valid before")
        );
        assert_eq!(entry.refuses("git", later), None);
    }

    #[test]
    fn rejects_certificate_authorities_and_junk() {
        let err = read(&format!("ca@example.com cert-authority {KEY}\n")).unwrap_err();
        assert!(err[0].message.contains("cert-authority"));
        assert!(
            read("alice@example.com\n").unwrap_err()[0]
                .message
                .contains("no key")
        );
        assert!(read("alice@example.com ssh-dss AAAA\n").is_err());
        assert!(
            read("alice@example.com ssh-ed25519 %%%\n").unwrap_err()[0]
                .message
                .contains("cannot be decoded")
        );
        assert!(read(&format!("a@example.com valid-before=tomorrow {KEY}\n")).is_err());
    }
}
