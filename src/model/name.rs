//! Domain names, normalised so that `Login.Example.COM.` and `login.example.com` are one name,
//! and the glob patterns policies use to select names.

use std::fmt;

/// An absolute domain name, lowercase, stored without the trailing dot.
///
/// The root zone is the empty string. Wildcard owners (`*.example.com`) are allowed, because
/// zones contain them; a `*` anywhere but as the whole leftmost label is rejected.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Fqdn(String);

impl Fqdn {
    /// Parses and normalises a name: case-folded, trailing dot removed, labels checked.
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        if trimmed != text {
            return Err("a name must not have spaces around it".into());
        }
        if text == "." {
            return Ok(Self(String::new()));
        }
        let name = text.strip_suffix('.').unwrap_or(text);
        if name.is_empty() {
            return Err("a name must not be empty".into());
        }
        if name.len() > 253 {
            return Err(format!(
                "a name is at most 253 characters long; this one has {}",
                name.len()
            ));
        }
        for (index, label) in name.split('.').enumerate() {
            check_label(label, index == 0)?;
        }
        Ok(Self(name.to_ascii_lowercase()))
    }

    /// A name the zone readers already normalised (lowercase, absolute, no trailing dot).
    /// Master files may escape characters (`\.`), which [`Fqdn::parse`] does not accept.
    pub(crate) fn from_normalised(name: String) -> Self {
        debug_assert!(!name.ends_with('.') || name.ends_with("\\."));
        Self(name)
    }

    /// The name without the trailing dot (`{name}` in query templates). Empty for the root.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name with the trailing dot (`{fqdn}` in query templates).
    pub fn to_dotted(&self) -> String {
        format!("{}.", self.0)
    }

    /// True if this name equals `zone` or lies below it.
    pub fn is_in(&self, zone: &Fqdn) -> bool {
        zone.0.is_empty()
            || self.0 == zone.0
            || (self.0.len() > zone.0.len()
                && self.0.ends_with(zone.0.as_str())
                && self.0.as_bytes()[self.0.len() - zone.0.len() - 1] == b'.')
    }

    /// Number of labels; the root has none.
    pub fn label_count(&self) -> usize {
        if self.0.is_empty() {
            0
        } else {
            self.0.split('.').count()
        }
    }
}

fn check_label(label: &str, leftmost: bool) -> Result<(), String> {
    if label.is_empty() {
        return Err("a name must not contain an empty label (`..`)".into());
    }
    if label.len() > 63 {
        return Err(format!("the label `{label}` is longer than 63 characters"));
    }
    if label == "*" {
        return if leftmost {
            Ok(())
        } else {
            Err("`*` may only be the leftmost label of a name".into())
        };
    }
    match label
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        Some(c) => Err(format!(
            "the label `{label}` contains `{c}`; names use letters, digits, `-` and `_` \
             (write internationalised names in their `xn--` form)"
        )),
        None => Ok(()),
    }
}

impl fmt::Display for Fqdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str(".")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// A glob over whole names, as used by policy rules and the inventory.
///
/// `*` matches any run of characters, dots included, so `*.example.com` selects every name
/// below `example.com` (but not `example.com` itself); `?` matches one character. Matching is
/// case-insensitive and ignores a trailing dot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamePattern(String);

impl NamePattern {
    pub fn parse(text: &str) -> Result<Self, String> {
        let pattern = text.strip_suffix('.').unwrap_or(text);
        if pattern.is_empty() {
            return Err("a name pattern must not be empty".into());
        }
        if let Some(c) = pattern
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '*' | '?')))
        {
            return Err(format!(
                "`{c}` cannot appear in a name pattern; use letters, digits, `-`, `_`, `.`, \
                 `*` (any run of characters) and `?` (one character)"
            ));
        }
        Ok(Self(pattern.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, name: &Fqdn) -> bool {
        glob_match(self.0.as_bytes(), name.as_str().as_bytes())
    }
}

impl fmt::Display for NamePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Iterative glob matching with single-star backtracking: linear in practice, no recursion.
/// `*` matches any run of bytes, `?` one byte; everything else matches itself.
pub(crate) fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Fqdn {
        Fqdn::parse(s).unwrap()
    }

    #[test]
    fn names_are_case_folded_and_lose_the_trailing_dot() {
        assert_eq!(name("Login.Example.COM."), name("login.example.com"));
        assert_eq!(name("a.example.com").to_dotted(), "a.example.com.");
        assert_eq!(name(".").to_string(), ".");
    }

    #[test]
    fn bad_names_say_why() {
        assert!(Fqdn::parse("a..b").unwrap_err().contains("empty label"));
        assert!(Fqdn::parse("a.*.b").unwrap_err().contains("leftmost"));
        assert!(Fqdn::parse("exa mple.com").unwrap_err().contains("` `"));
        assert!(Fqdn::parse(&"a".repeat(64)).unwrap_err().contains("63"));
        assert!(Fqdn::parse(" a.com").is_err());
        assert!(Fqdn::parse("").is_err());
    }

    #[test]
    fn zone_membership_respects_label_boundaries() {
        let zone = name("example.com");
        assert!(name("example.com").is_in(&zone));
        assert!(name("a.b.example.com").is_in(&zone));
        assert!(!name("badexample.com").is_in(&zone));
        assert!(name("anything").is_in(&name(".")));
    }

    #[test]
    fn globs_match_whole_names() {
        let p = NamePattern::parse("*.Example.com.").unwrap();
        assert!(p.matches(&name("a.example.com")));
        assert!(p.matches(&name("a.b.example.com")));
        assert!(!p.matches(&name("example.com")));
        assert!(!p.matches(&name("a.example.org")));
        let q = NamePattern::parse("db?.*.internal").unwrap();
        assert!(q.matches(&name("db1.eu.internal")));
        assert!(!q.matches(&name("db12.eu.internal")));
        assert!(NamePattern::parse("a b").is_err());
    }
}
