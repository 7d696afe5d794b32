//! octoDNS YAML zone files: one file per zone, keys are names relative to the zone (`''` for
//! the apex), each holding one record or a list of records with `type`, `ttl`, `value` or
//! `values`, and `octodns` metadata (kept aside, not compared). Values take the shapes octoDNS
//! uses (strings for addresses and names, maps for MX, SRV, CAA, ...), and become the same
//! canonical record data as a zone file's, so one zone written both ways compares equal.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::rdata::{self, Field};
use super::source::Files;
use super::{Origin, Record};
use crate::diag::{Diagnostic, SourceFile};
use crate::model::{Fqdn, RecordType};

/// octoDNS's default TTL.
const DEFAULT_TTL: u32 = 3600;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordSpec {
    #[serde(rename = "type")]
    rtype: String,
    ttl: Option<u32>,
    value: Option<OneOrMany<Value>>,
    values: Option<OneOrMany<Value>>,
    /// Provider-specific metadata; kept out of the comparison.
    #[serde(default, rename = "octodns")]
    _octodns: Option<serde::de::IgnoredAny>,
}

/// A record value: a scalar, or a map of fields (MX, SRV, CAA, ...).
enum Value {
    Text(String),
    Integer(i64),
    Float(f64),
    Fields(BTreeMap<String, Scalar>),
}

enum Scalar {
    Text(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
}

/// Visitors instead of `#[serde(untagged)]`, which would buffer every value before trying
/// each variant: octoDNS files hold one value per record, and large zones hold many.
macro_rules! scalar_visits {
    ($t:ident) => {
        fn visit_str<E: de::Error>(self, v: &str) -> Result<$t, E> {
            Ok($t::Text(v.to_string()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<$t, E> {
            Ok($t::Text(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<$t, E> {
            Ok($t::Integer(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<$t, E> {
            i64::try_from(v)
                .map($t::Integer)
                .map_err(|_| E::custom("the number is too large"))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<$t, E> {
            Ok($t::Float(v))
        }
    };
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value: text, a number, or a map of fields")
            }
            scalar_visits!(Value);
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Text(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                let mut fields = BTreeMap::new();
                while let Some((key, value)) = map.next_entry::<String, Scalar>()? {
                    fields.insert(key, value);
                }
                Ok(Value::Fields(fields))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("text, a number or a boolean")
            }
            scalar_visits!(Scalar);
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(s) => f.write_str(s),
            Self::Integer(n) => write!(f, "{n}"),
            Self::Float(n) => write!(f, "{n}"),
            Self::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// A name's records: one record (positioned by the name's node) or a list of them (each
/// positioned by itself). serde-saphyr keeps positions only for `Spanned` values read by its
/// own deserializer, so the single record is read plainly and the list's items as `Spanned`.
enum Node {
    One(RecordSpec),
    Many(Vec<Spanned<RecordSpec>>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a record (a map with `type`) or a list of records")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Many(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                RecordSpec::deserialize(de::value::MapAccessDeserializer::new(map)).map(Node::One)
            }
        }
        d.deserialize_any(V)
    }
}

/// One item or a list of them.
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            Self::One(t) => vec![t],
            Self::Many(v) => v,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("one value or a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(OneOrMany::Many(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(OneOrMany::One)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(de::value::StrDeserializer::new(v)).map(OneOrMany::One)
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                T::deserialize(de::value::StringDeserializer::new(v)).map(OneOrMany::One)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::deserialize(de::value::I64Deserializer::new(v)).map(OneOrMany::One)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::deserialize(de::value::U64Deserializer::new(v)).map(OneOrMany::One)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                T::deserialize(de::value::F64Deserializer::new(v)).map(OneOrMany::One)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Reads one octoDNS zone file.
pub fn read_octodns(
    files: &dyn Files,
    path: &str,
    zone: &Fqdn,
    file_names: &mut Vec<String>,
) -> Result<Vec<Record>, Vec<Diagnostic>> {
    let shown = files.display(path);
    let text = files.read(path).map_err(|e| {
        vec![Diagnostic::new(
            "zone-invalid",
            format!("cannot read the octoDNS file `{shown}`: {e}"),
        )]
    })?;
    let source = || SourceFile::new(shown.clone(), text.as_str());
    // Budgets scale with the file, so large zones read while alias bombs are still refused.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = text.len().max(budget.max_events);
    budget.max_nodes = text.len().max(budget.max_nodes);
    let options = serde_saphyr::options! { budget: Some(budget) };
    type Document = BTreeMap<String, Spanned<Node>>;
    let document: Document = if text.trim().is_empty() {
        BTreeMap::new()
    } else {
        serde_saphyr::from_str_with_options(&text, options).map_err(|e| {
            let at = e
                .location()
                .map(|l| offset_of(&text, l.line(), l.column()))
                .unwrap_or(0);
            let message = e.without_snippet().to_string();
            let message = message.lines().next().unwrap_or_default().to_string();
            vec![
                Diagnostic::new("zone-invalid", format!("invalid octoDNS YAML: {message}")).at(
                    &source(),
                    at..at,
                    "here",
                ),
            ]
        })?
    };
    let file = file_names.len() as u32;
    file_names.push(shown.clone());
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let origin = zone.as_str();
    for (key, node) in document {
        let name = if key.is_empty() {
            Ok(format!("{origin}."))
        } else {
            rdata::absolute_name(&key, origin)
        };
        let specs: Vec<(RecordSpec, u64, u64)> = match node.value {
            Node::One(spec) => vec![(spec, node.referenced.line(), node.referenced.column())],
            Node::Many(specs) => specs
                .into_iter()
                .map(|s| (s.value, s.referenced.line(), s.referenced.column()))
                .collect(),
        };
        for (spec, line, column) in specs {
            // Only a problem needs the byte offset; finding it scans the text.
            let mut fail = |message: String| {
                let at = offset_of(&text, line, column.max(1));
                problems.push(Diagnostic::new("zone-invalid", message).at(
                    &source(),
                    at..at,
                    "in this record",
                ));
            };
            let name = match &name {
                Ok(n) => Fqdn::from_normalised(n.trim_end_matches('.').to_string()),
                Err(e) => {
                    fail(format!("the name `{key}`: {e}"));
                    continue;
                }
            };
            let rtype = match RecordType::parse(&spec.rtype) {
                Ok(t) => t,
                Err(e) => {
                    fail(e);
                    continue;
                }
            };
            let values = match (spec.value, spec.values) {
                (Some(v), None) | (None, Some(v)) => v.into_vec(),
                (Some(_), Some(_)) => {
                    fail(format!(
                        "`{key}` {rtype} has both `value` and `values`; keep one"
                    ));
                    continue;
                }
                (None, None) => {
                    fail(format!("`{key}` {rtype} has no `value` or `values`"));
                    continue;
                }
            };
            for value in values {
                match canonical_value(rtype, value, origin) {
                    Ok(rdata) => records.push(Record {
                        key: super::name_key(name.as_str()),
                        name: name.clone(),
                        rtype,
                        ttl: spec.ttl.unwrap_or(DEFAULT_TTL),
                        rdata: rdata.into_boxed_str(),
                        origin: Origin {
                            file,
                            line: line as u32,
                        },
                    }),
                    Err(e) => fail(format!(
                        "`{}` {rtype}: {e}",
                        if key.is_empty() { "''" } else { &key }
                    )),
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(problems)
    }
}

/// Turns an octoDNS value into the fields a zone file would have, then canonicalises them.
fn canonical_value(rtype: RecordType, value: Value, origin: &str) -> Result<String, String> {
    use RecordType as T;
    let text = |v: &Value| -> Result<String, String> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            Value::Integer(n) => Ok(n.to_string()),
            Value::Float(n) => Ok(n.to_string()),
            Value::Fields(_) => Err(format!("{rtype} takes a single value, not a map")),
        }
    };
    let fields = |v: &Value, keys: &[&[&str]]| -> Result<Vec<String>, String> {
        let Value::Fields(map) = v else {
            let names: Vec<&str> = keys.iter().map(|k| k[0]).collect();
            return Err(format!("{rtype} takes a map with {}", names.join(", ")));
        };
        keys.iter()
            .map(|alternatives| {
                alternatives
                    .iter()
                    .find_map(|k| map.get(*k))
                    .map(|s| s.to_string())
                    .ok_or_else(|| format!("`{}` is missing", alternatives[0]))
            })
            .collect()
    };
    let words: Vec<String> = match rtype {
        T::Txt | T::Spf => {
            // octoDNS escapes `;` as `\;`; the rest is the literal text.
            let raw = text(&value)?.replace("\\;", ";");
            return Ok(rdata::txt(raw.as_bytes()));
        }
        T::Caa => {
            let f = fields(&value, &[&["flags"], &["tag"], &["value"]]).or_else(|e| {
                if let Value::Fields(map) = &value {
                    if !map.contains_key("flags") {
                        return fields(&value, &[&["tag"], &["value"]]).map(|mut v| {
                            v.insert(0, "0".into());
                            v
                        });
                    }
                }
                Err(e)
            })?;
            return Ok(format!(
                "{} {} {}",
                f[0],
                f[1].to_ascii_lowercase(),
                rdata::quote(f[2].as_bytes())
            ));
        }
        T::Mx => fields(
            &value,
            &[&["preference", "priority"], &["exchange", "value"]],
        )?,
        T::Srv => fields(
            &value,
            &[&["priority"], &["weight"], &["port"], &["target"]],
        )?,
        T::Naptr => {
            let f = fields(
                &value,
                &[
                    &["order"],
                    &["preference"],
                    &["flags"],
                    &["service"],
                    &["regexp"],
                    &["replacement"],
                ],
            )?;
            let quoted: Vec<String> = f[2..5].iter().map(|s| rdata::quote(s.as_bytes())).collect();
            let replacement = rdata::absolute_name(&f[5], origin)?;
            return Ok(format!(
                "{} {} {} {replacement}",
                f[0],
                f[1],
                quoted.join(" ")
            ));
        }
        T::Sshfp => fields(
            &value,
            &[&["algorithm"], &["fingerprint_type"], &["fingerprint"]],
        )?,
        T::Tlsa => fields(
            &value,
            &[
                &["certificate_usage"],
                &["selector"],
                &["matching_type"],
                &["certificate_association_data"],
            ],
        )?,
        T::Ds => fields(
            &value,
            &[&["key_tag"], &["algorithm"], &["digest_type"], &["digest"]],
        )?,
        _ => text(&value)?
            .split_whitespace()
            .map(str::to_string)
            .collect(),
    };
    let fields: Vec<Field<'_>> = words
        .iter()
        .map(|w| Field {
            text: w,
            quoted: false,
        })
        .collect();
    rdata::canonical(rtype, &fields, origin)
}

/// Byte offset of a 1-based line and character column.
fn offset_of(text: &str, line: u64, column: u64) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            return offset
                + l.char_indices()
                    .nth(column.saturating_sub(1) as usize)
                    .map_or(0, |(i, _)| i);
        }
        offset += l.len();
    }
    offset
}
