//! Blast-radius scopes, ordered from narrowest to widest.

use std::fmt;

/// How far a change can reach if it goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Record,
    Zone,
    Region,
    Global,
}

impl Scope {
    pub const NAMES: &[&str] = &["record", "zone", "region", "global"];

    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "record" => Ok(Self::Record),
            "zone" => Ok(Self::Zone),
            "region" => Ok(Self::Region),
            "global" => Ok(Self::Global),
            _ => Err(format!(
                "`{text}` is not a scope; use one of `record`, `zone`, `region`, `global`"
            )),
        }
    }

    pub fn as_str(&self) -> &'static str {
        Self::NAMES[*self as usize]
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
