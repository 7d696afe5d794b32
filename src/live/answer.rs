//! One resolver's full answer to one question: the response code, whether the server was
//! authoritative, and the chain of records (CNAMEs first, then the data), each with its type,
//! owner, TTL and value.

use serde::{Deserialize, Serialize};

use crate::model::RecordType;

/// How a question was answered. NODATA (the name exists, the type does not) and NXDOMAIN (the
/// name does not exist) are different facts and kept apart, as are SERVFAIL and a timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Rcode {
    Noerror,
    Nodata,
    Nxdomain,
    Servfail,
    Refused,
    Timeout,
    /// Anything else: a transport failure, another response code.
    Error,
}

impl Rcode {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Noerror => "NOERROR",
            Self::Nodata => "NODATA",
            Self::Nxdomain => "NXDOMAIN",
            Self::Servfail => "SERVFAIL",
            Self::Refused => "REFUSED",
            Self::Timeout => "TIMEOUT",
            Self::Error => "ERROR",
        }
    }

    /// True when the answer says something about the zone (not a failure to ask).
    pub fn is_answer(&self) -> bool {
        matches!(self, Self::Noerror | Self::Nodata | Self::Nxdomain)
    }
}

/// A record in an answer chain.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Rr {
    /// Owner name, lowercase, without the trailing dot.
    pub name: String,
    #[serde(rename = "type", with = "type_text")]
    pub rtype: RecordType,
    pub ttl: u32,
    /// Presentation form of the data, canonical (see `zone::rdata`).
    pub data: String,
}

/// One resolver's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub rcode: Rcode,
    /// The AA bit; `None` when no response arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authoritative: Option<bool>,
    /// The answer section in order: the CNAME chain, then the records of the asked type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<Rr>,
    /// A referral (the server delegates the name): the child's NS records and their glue.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referral: Vec<Rr>,
    /// What went wrong, for TIMEOUT, SERVFAIL and ERROR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Answer {
    /// No answer: a timeout, a transport failure, a question that could not be asked.
    pub fn failed(rcode: Rcode, error: String) -> Self {
        Self {
            rcode,
            authoritative: None,
            chain: Vec::new(),
            referral: Vec::new(),
            error: Some(error),
        }
    }

    /// The shape: the types at every step and the CNAME targets, e.g. `CNAME→b.example., A`.
    pub fn shape(&self) -> Vec<String> {
        let mut steps: Vec<String> = Vec::new();
        for rr in &self.chain {
            let step = if rr.rtype == RecordType::Cname || rr.rtype == RecordType::Dname {
                format!("{} {} {}", rr.name, rr.rtype, rr.data)
            } else {
                format!("{} {}", rr.name, rr.rtype)
            };
            if steps.last() != Some(&step) {
                steps.push(step);
            }
        }
        steps
    }

    /// The values at the end of the chain (the records of the asked type), sorted.
    pub fn values(&self) -> Vec<&str> {
        let mut values: Vec<&str> = self
            .chain
            .iter()
            .filter(|rr| rr.rtype != RecordType::Cname && rr.rtype != RecordType::Dname)
            .map(|rr| rr.data.as_str())
            .collect();
        values.sort_unstable();
        values.dedup();
        values
    }

    /// A one-line summary for tables: `NOERROR CNAME b.example. → A 192.0.2.1`.
    pub fn describe(&self) -> String {
        if !self.rcode.is_answer() || self.chain.is_empty() {
            return match &self.error {
                Some(e) => format!("{} ({e})", self.rcode.as_str()),
                None => self.rcode.as_str().to_string(),
            };
        }
        // Steps of the chain joined by arrows; the records of one step by commas.
        let mut steps: Vec<(String, RecordType, Vec<&str>)> = Vec::new();
        for rr in &self.chain {
            match steps.last_mut() {
                Some((name, rtype, values)) if *name == rr.name && *rtype == rr.rtype => {
                    values.push(&rr.data)
                }
                _ => steps.push((rr.name.clone(), rr.rtype, vec![&rr.data])),
            }
        }
        let parts: Vec<String> = steps
            .iter()
            .map(|(_, rtype, values)| format!("{rtype} {}", values.join(", ")))
            .collect();
        format!("{} {}", self.rcode.as_str(), parts.join(" → "))
    }
}

mod type_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::model::RecordType;

    pub fn serialize<S: Serializer>(t: &RecordType, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<RecordType, D::Error> {
        let text = String::deserialize(d)?;
        RecordType::parse(&text).map_err(serde::de::Error::custom)
    }
}
