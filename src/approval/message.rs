//! The exact text an approver signs. Anyone can check it with `ssh-keygen -Y verify`:
//!
//! ```text
//! changegate approval v1
//! ticket: CHG-1042
//! digest: sha256:<hex of the ticket file's bytes>
//! plan: sha256:<hex of the canonical plan text>
//! approver: carol@example.com
//! tier: high
//! signed_at: 2025-02-25T12:00:00Z
//! comment: <one line>
//! ```
//! Every line ends in `\n`; the fields are in this order and no others are allowed.
//!
//! A retrospective review of an emergency change (signed after it merged) starts with
//! `changegate review v1` and has one more field, `merged: <commit id>`, after `tier:`.

use std::fmt;

/// What an approval says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub ticket: String,
    pub digest: String,
    pub plan: String,
    pub approver: String,
    pub tier: String,
    /// For a retrospective review of an emergency change: the commit that merged it. The
    /// header says which kind a message is, so that one can never be replayed as the other.
    pub merged: Option<String>,
    pub signed_at: jiff::Timestamp,
    pub comment: String,
}

const HEADER: &str = "changegate approval v1";
/// A review of an emergency change, signed after it merged.
const REVIEW_HEADER: &str = "changegate review v1";
const FIELDS: [&str; 7] = [
    "ticket",
    "digest",
    "plan",
    "approver",
    "tier",
    "signed_at",
    "comment",
];
const REVIEW_FIELDS: [&str; 8] = [
    "ticket",
    "digest",
    "plan",
    "approver",
    "tier",
    "merged",
    "signed_at",
    "comment",
];

impl Message {
    /// True for a retrospective review, false for an up-front approval.
    pub fn is_review(&self) -> bool {
        self.merged.is_some()
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let body = text
            .strip_suffix('\n')
            .ok_or("the message does not end with a newline")?;
        let mut lines = body.split('\n');
        let fields: &[&str] = match lines.next() {
            Some(HEADER) => &FIELDS,
            Some(REVIEW_HEADER) => &REVIEW_FIELDS,
            _ => {
                return Err(format!(
                    "the message does not start with `{HEADER}` or `{REVIEW_HEADER}`"
                ));
            }
        };
        let mut values = std::collections::HashMap::with_capacity(fields.len());
        for field in fields {
            let line = lines
                .next()
                .ok_or_else(|| format!("the message has no `{field}:` line"))?;
            let value = line
                .strip_prefix(field)
                .and_then(|rest| rest.strip_prefix(": ").or_else(|| rest.strip_prefix(':')))
                .ok_or_else(|| format!("expected `{field}: ...`, found `{line}`"))?;
            if value.is_empty() && *field != "comment" {
                return Err(format!("`{field}:` is empty"));
            }
            values.insert(*field, value.to_string());
        }
        if let Some(extra) = lines.next() {
            return Err(format!("unexpected line after `comment:`: `{extra}`"));
        }
        for field in ["digest", "plan"] {
            let value = &values[field];
            if !is_digest(value) {
                return Err(format!(
                    "`{field}: {value}` is not `sha256:` and 64 hex digits"
                ));
            }
        }
        let mut take = |field: &str| values.remove(field).unwrap_or_default();
        let merged = fields.contains(&"merged").then(|| take("merged"));
        if let Some(commit) = &merged {
            if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("`merged: {commit}` is not a full commit id"));
            }
        }
        let signed_at = take("signed_at");
        let signed_at = signed_at
            .parse()
            .map_err(|e| format!("`signed_at: {signed_at}` is not an RFC 3339 instant: {e}"))?;
        Ok(Self {
            ticket: take("ticket"),
            digest: take("digest"),
            plan: take("plan"),
            approver: take("approver"),
            tier: take("tier"),
            merged,
            signed_at,
            comment: take("comment"),
        })
    }
}

pub fn is_digest(text: &str) -> bool {
    text.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}",
            if self.is_review() {
                REVIEW_HEADER
            } else {
                HEADER
            }
        )?;
        writeln!(f, "ticket: {}", self.ticket)?;
        writeln!(f, "digest: {}", self.digest)?;
        writeln!(f, "plan: {}", self.plan)?;
        writeln!(f, "approver: {}", self.approver)?;
        writeln!(f, "tier: {}", self.tier)?;
        if let Some(commit) = &self.merged {
            writeln!(f, "merged: {commit}")?;
        }
        writeln!(
            f,
            "signed_at: {}",
            self.signed_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        )?;
        writeln!(f, "comment: {}", self.comment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Message {
        Message {
            ticket: "CHG-1042".into(),
            digest: format!("sha256:{}", "a".repeat(64)),
            plan: format!("sha256:{}", "b".repeat(64)),
            approver: "carol@example.com".into(),
            tier: "high".into(),
            merged: None,
            signed_at: "2025-02-25T12:00:00Z".parse().unwrap(),
            comment: "looks right".into(),
        }
    }

    #[test]
    fn a_review_says_so_and_names_the_merge() {
        let review = Message {
            merged: Some("0123456789abcdef0123456789abcdef01234567".into()),
            ..sample()
        };
        let text = review.to_string();
        assert!(text.starts_with("changegate review v1\n"), "{text}");
        assert!(text.contains(
            "\ntier: high\nmerged: 0123456789abcdef0123456789abcdef01234567\nsigned_at: "
        ));
        assert_eq!(Message::parse(&text).unwrap(), review);
        // Neither kind reads as the other: the header decides the fields.
        assert!(
            Message::parse(&text.replace("changegate review v1", "changegate approval v1"))
                .is_err()
        );
        let upfront = sample().to_string();
        assert!(
            Message::parse(&upfront.replace("changegate approval v1", "changegate review v1"))
                .is_err()
        );
        assert!(
            Message::parse(&text.replace("0123456789abcdef0123456789abcdef01234567", "HEAD"))
                .is_err()
        );
    }

    #[test]
    fn round_trips_exactly() {
        let text = sample().to_string();
        assert!(text.starts_with("changegate approval v1\nticket: CHG-1042\n"));
        assert!(text.ends_with("signed_at: 2025-02-25T12:00:00Z\ncomment: looks right\n"));
        assert_eq!(Message::parse(&text).unwrap(), sample());
        let empty_comment = Message {
            comment: String::new(),
            ..sample()
        };
        assert_eq!(
            Message::parse(&empty_comment.to_string()).unwrap(),
            empty_comment
        );
    }

    #[test]
    fn anything_else_is_malformed() {
        let text = sample().to_string();
        for bad in [
            text.trim_end().to_string(),
            text.replace("approval v1", "approval v2"),
            text.replace("tier: high\n", ""),
            text.replace("plan: sha256:bbbb", "plan: sha256:zzzz"),
            format!("{text}extra: 1\n"),
            text.replace("2025-02-25T12:00:00Z", "yesterday"),
            text.replace("approver: carol@example.com", "approver: "),
        ] {
            assert!(Message::parse(&bad).is_err(), "{bad}");
        }
    }
}
