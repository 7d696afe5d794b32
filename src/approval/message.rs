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

use std::fmt;

/// What an approval says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub ticket: String,
    pub digest: String,
    pub plan: String,
    pub approver: String,
    pub tier: String,
    pub signed_at: jiff::Timestamp,
    pub comment: String,
}

const HEADER: &str = "changegate approval v1";
const FIELDS: [&str; 7] = [
    "ticket",
    "digest",
    "plan",
    "approver",
    "tier",
    "signed_at",
    "comment",
];

impl Message {
    pub fn parse(text: &str) -> Result<Self, String> {
        let body = text
            .strip_suffix('\n')
            .ok_or("the message does not end with a newline")?;
        let mut lines = body.split('\n');
        if lines.next() != Some(HEADER) {
            return Err(format!("the message does not start with `{HEADER}`"));
        }
        let mut values = Vec::with_capacity(FIELDS.len());
        for field in FIELDS {
            let line = lines
                .next()
                .ok_or_else(|| format!("the message has no `{field}:` line"))?;
            let value = line
                .strip_prefix(field)
                .and_then(|rest| rest.strip_prefix(": ").or_else(|| rest.strip_prefix(':')))
                .ok_or_else(|| format!("expected `{field}: ...`, found `{line}`"))?;
            values.push(value.to_string());
        }
        if let Some(extra) = lines.next() {
            return Err(format!("unexpected line after `comment:`: `{extra}`"));
        }
        for (field, value) in FIELDS.iter().zip(&values).take(6) {
            if value.is_empty() {
                return Err(format!("`{field}:` is empty"));
            }
        }
        for (field, value) in [("digest", &values[1]), ("plan", &values[2])] {
            if !is_digest(value) {
                return Err(format!(
                    "`{field}: {value}` is not `sha256:` and 64 hex digits"
                ));
            }
        }
        let Ok([ticket, digest, plan, approver, tier, signed_at, comment]) =
            <[String; 7]>::try_from(values)
        else {
            unreachable!("one value was read for each of the seven fields")
        };
        let signed_at = signed_at
            .parse()
            .map_err(|e| format!("`signed_at: {signed_at}` is not an RFC 3339 instant: {e}"))?;
        Ok(Self {
            ticket,
            digest,
            plan,
            approver,
            tier,
            signed_at,
            comment,
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
        writeln!(f, "{HEADER}")?;
        writeln!(f, "ticket: {}", self.ticket)?;
        writeln!(f, "digest: {}", self.digest)?;
        writeln!(f, "plan: {}", self.plan)?;
        writeln!(f, "approver: {}", self.approver)?;
        writeln!(f, "tier: {}", self.tier)?;
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
            signed_at: "2025-02-25T12:00:00Z".parse().unwrap(),
            comment: "looks right".into(),
        }
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
