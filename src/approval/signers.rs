//! OpenSSH `allowed_signers` files: which key belongs to which principal.
//!
//! The format (ssh-keygen(1), ALLOWED SIGNERS): one entry per line, `principals [options]
//! keytype base64-key [comment]`; principals are comma-separated and may be quoted; options
//! are `namespaces="..."`, `valid-after=...`, `valid-before=...` and `cert-authority`. Blank
//! lines and `#` comments are ignored.

use std::ops::Range;

use crate::diag::{Diagnostic, SourceFile};

/// One key line.
#[derive(Clone, Debug)]
pub struct SignerEntry {
    pub principals: Vec<String>,
    /// Raw options, e.g. `namespaces="changegate"`.
    pub options: Vec<String>,
    pub key_type: String,
    pub key_base64: String,
    pub line: usize,
    pub span: Range<usize>,
}

#[derive(Clone, Debug)]
pub struct AllowedSigners {
    pub file: SourceFile,
    pub entries: Vec<SignerEntry>,
}

impl AllowedSigners {
    /// True if some key line names this principal (globs such as `*@example.com` included).
    pub fn has_key_for(&self, principal: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.principals.iter().any(|p| principal_matches(p, principal)))
    }
}

/// ssh-keygen matches principals as `match_pattern_list` does: `*` and `?` globs, `!` negation
/// is not meaningful for a single allowed principal and is treated literally.
fn principal_matches(pattern: &str, principal: &str) -> bool {
    match crate::model::NamePattern::parse(pattern) {
        Ok(_) if pattern.contains(['*', '?']) => glob(pattern.as_bytes(), principal.as_bytes()),
        _ => pattern == principal,
    }
}

fn glob(p: &[u8], t: &[u8]) -> bool {
    match (p.first(), t.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob(&p[1..], t) || (!t.is_empty() && glob(p, &t[1..])),
        (Some(b'?'), Some(_)) => glob(&p[1..], &t[1..]),
        (Some(a), Some(b)) if a == b => glob(&p[1..], &t[1..]),
        _ => false,
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
            Ok((principals, options, key_type, key_base64)) => entries.push(SignerEntry {
                principals,
                options,
                key_type,
                key_base64,
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

type Parsed = (Vec<String>, Vec<String>, String, String);

fn parse_line(line: &str) -> Result<Parsed, (String, String)> {
    let format = "each line is `principals [options] key-type base64-key`, e.g. \
                  `alice@example.com ssh-ed25519 AAAAC3Nza...`";
    let mut tokens = tokenize(line).into_iter();
    let principals_token = tokens.next().unwrap_or_default();
    let principals: Vec<String> = principals_token
        .trim_matches('"')
        .split(',')
        .map(str::to_string)
        .collect();
    if principals.iter().any(String::is_empty) {
        return Err((
            "an empty principal in `allowed_signers`".into(),
            format.into(),
        ));
    }
    let mut next = tokens.next();
    let mut options = Vec::new();
    if let Some(token) = &next {
        if !KEY_TYPES.contains(&token.as_str()) {
            options = token.split(',').map(str::to_string).collect();
            for option in &options {
                let name = option
                    .split('=')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if name == "cert-authority" {
                    return Err((
                        "`cert-authority` lines are not supported: changegate verifies plain \
                         keys, not certificates"
                            .into(),
                        "list each approver's own public key instead of a certificate authority"
                            .into(),
                    ));
                }
                if !matches!(name.as_str(), "namespaces" | "valid-after" | "valid-before") {
                    return Err((
                        format!("unknown option `{option}` in `allowed_signers`"),
                        "the options are `namespaces=\"...\"`, `valid-after=...` and \
                         `valid-before=...`"
                            .into(),
                    ));
                }
            }
            next = tokens.next();
        }
    }
    let Some(key_type) = next else {
        return Err((
            "this `allowed_signers` line has no key".into(),
            format.into(),
        ));
    };
    if !KEY_TYPES.contains(&key_type.as_str()) {
        return Err((
            format!("`{key_type}` is not a key type"),
            format!("{format}; key types: {}", KEY_TYPES.join(", ")),
        ));
    }
    let Some(key) = tokens.next() else {
        return Err((
            "this `allowed_signers` line has a key type but no key".into(),
            format.into(),
        ));
    };
    if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return Err(("the key is not base64".into(), format.into()));
    }
    Ok((principals, options, key_type, key))
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

    fn read(text: &str) -> Result<AllowedSigners, Vec<Diagnostic>> {
        read_allowed_signers(SourceFile::new("allowed_signers", text))
    }

    #[test]
    fn reads_principals_options_and_keys() {
        let signers = read(
            "# approvers\n\
             alice@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== alice\n\
             \"bob@example.com,carol@example.com\" namespaces=\"changegate\",valid-before=20300101 ssh-ed25519 AAAA\n",
        )
        .unwrap();
        assert_eq!(signers.entries.len(), 2);
        assert_eq!(
            signers.entries[1].principals,
            ["bob@example.com", "carol@example.com"]
        );
        assert_eq!(signers.entries[1].options.len(), 2);
        assert_eq!(signers.entries[1].line, 3);
        assert!(signers.has_key_for("carol@example.com"));
        assert!(!signers.has_key_for("dave@example.com"));
    }

    #[test]
    fn rejects_certificate_authorities_and_junk() {
        let err = read("ca@example.com cert-authority ssh-ed25519 AAAA\n").unwrap_err();
        assert!(err[0].message.contains("cert-authority"));
        assert!(
            read("alice@example.com\n").unwrap_err()[0]
                .message
                .contains("no key")
        );
        assert!(read("alice@example.com ssh-dss AAAA\n").is_err());
        assert!(read("alice@example.com ssh-ed25519 %%%\n").is_err());
    }
}
