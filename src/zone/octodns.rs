//! octoDNS YAML zone files: one file per zone, keys are names relative to the zone (`''` for
//! the apex), each holding one record or a list of records with `type`, `ttl`, `value` or
//! `values`, and `octodns` provider settings (kept with the RRset: they change what a name
//! answers, Cloudflare's `proxied` for one). Values take the shapes octoDNS
//! uses (strings for addresses and names, maps for MX, SRV, CAA, ...), and become the same
//! canonical record data as a zone file's, so one zone written both ways compares equal.
//!
//! Every problem in a file is reported, each at the node it concerns.

use super::files::Files;
use super::rdata::{self, Field};
use super::yaml::{self, Document, NodeId, Value};
use super::{MAX_PROBLEMS, OctoDns, Origin, Record};
use crate::diag::{Diagnostic, SourceFile, closest};
use crate::model::{Fqdn, RecordType};

/// octoDNS's default TTL.
/// octoDNS's `YamlProvider` default `default_ttl`.
pub const DEFAULT_TTL: u32 = crate::config::OCTODNS_DEFAULT_TTL;

/// A record value as written: text, or a map of fields (MX, SRV, CAA, ...).
enum Data<'d> {
    Text(&'d str),
    Fields(Vec<(&'d str, &'d str)>),
}

/// Reads one octoDNS zone file.
/// Reads one octoDNS zone file; records without a `ttl` get `default_ttl`, as the octoDNS
/// provider's `default_ttl` gives them.
pub fn read_octodns(
    files: &dyn Files,
    path: &str,
    zone: &Fqdn,
    default_ttl: u32,
    file_names: &mut Vec<String>,
) -> Result<Vec<Record>, Vec<Diagnostic>> {
    let shown = files.display(path);
    let text = files.read(path).map_err(|e| {
        vec![Diagnostic::new(
            "zone-invalid",
            format!("cannot read the octoDNS file `{shown}`: {e}"),
        )]
    })?;
    // Problems quote the file: one shared copy of it, made only when there are any.
    let diagnose = |errors: Vec<yaml::Error>| {
        let source = SourceFile::new(shown.clone(), text.as_str());
        errors
            .into_iter()
            .map(|e| Diagnostic::new("zone-invalid", e.message).at(&source, e.at..e.at, "here"))
            .collect::<Vec<_>>()
    };
    let document = Document::parse_including(&text, path, &|p| files.read(p)).map_err(|e| {
        diagnose(vec![yaml::Error {
            message: format!("invalid octoDNS YAML: {}", e.message),
            at: e.at,
        }])
    })?;
    let file = file_names.len() as u32;
    file_names.push(shown.clone());
    let mut reader = Reader {
        document: &document,
        origin: zone.as_str(),
        file,
        records: Vec::new(),
        problems: Vec::new(),
        default_ttl,
    };
    reader.read();
    if reader.problems.is_empty() {
        Ok(reader.records)
    } else {
        let mut problems = diagnose(reader.problems);
        super::note_if_stopped(&mut problems, &shown);
        Err(problems)
    }
}

struct Reader<'d> {
    document: &'d Document<'d>,
    /// The zone, without the trailing dot.
    origin: &'d str,
    file: u32,
    records: Vec<Record>,
    problems: Vec<yaml::Error>,
    default_ttl: u32,
}

impl<'d> Reader<'d> {
    fn read(&mut self) {
        let Some(root) = self.document.root() else {
            return;
        };
        let names = match self.document.value(root) {
            Ok(Value::Map(map)) => self.document.entries(map),
            Ok(Value::Null) => return,
            Ok(_) => Err(self.at(
                root,
                "an octoDNS zone file is a map from names to records".into(),
            )),
            Err(e) => Err(e),
        };
        let names = match names {
            Ok(names) => names,
            Err(e) => return self.problems.push(e),
        };
        self.records.reserve(names.len());
        for (key, node) in names {
            if self.problems.len() >= MAX_PROBLEMS {
                break;
            }
            if let Err(e) = self.name(key, node) {
                self.problems.push(e);
            }
        }
    }

    /// One name and its records.
    fn name(&mut self, key: NodeId, node: NodeId) -> Result<(), yaml::Error> {
        let key_text = match self.document.value(key)? {
            Value::Text(text) => text,
            // An empty key (`:` or `~:`) or `null:` is YAML's null, which octoDNS turns into
            // the name `none`, never the apex.
            Value::Null => {
                return Err(self.at(
                    key,
                    "this name is YAML's null, which octoDNS reads as the name `none`: quote the name you mean ('null'), or write '' for the zone apex".into(),
                ));
            }
            _ => {
                return Err(self.at(key, "a name must be text, not a list or a map".into()));
            }
        };
        let shown = if key_text.is_empty() { "''" } else { key_text };
        // octoDNS names are relative to the zone: it refuses a trailing dot (which would name
        // a record outside the zone) and `@`.
        if key_text.ends_with('.') {
            return Err(self.at(
                key,
                format!(
                    "`{key_text}` ends with a dot: octoDNS names are relative to the zone, and octoDNS refuses this one (it would name a record outside `{}`)",
                    self.origin
                ),
            ));
        }
        if key_text.contains('\\') {
            return Err(self.at(
                key,
                format!(
                    "`{key_text}` holds a backslash: octoDNS names are literal text, where a zone file reads `\\` as an escape, so the two would name different records; write the name without escapes"
                ),
            ));
        }
        if key_text == "@" {
            return Err(self.at(
                key,
                "`@` is not the zone apex in octoDNS (octoDNS refuses it); write `''`".into(),
            ));
        }
        // As octoDNS's `idna_encode`: a name that is not ASCII becomes its A-label form.
        let encoded;
        let key_text = if key_text.is_ascii() {
            key_text
        } else {
            encoded = idna::domain_to_ascii(&key_text.to_lowercase()).map_err(|_| {
                self.at(
                    key,
                    format!("`{key_text}` is not a valid internationalised name (IDNA)"),
                )
            })?;
            encoded.as_str()
        };
        let name = if key_text.is_empty() {
            Ok(self.origin.to_string())
        } else {
            rdata::bare_name(key_text, self.origin)
        };
        let name = name
            .map(Fqdn::from_normalised)
            .map_err(|e| self.at(key, format!("the name `{key_text}`: {e}")))?;
        let specs = match self.document.value(node)? {
            Value::Map(_) => vec![node],
            Value::Seq(seq) => self.document.items(seq)?,
            _ => {
                return Err(self.at(
                    node,
                    format!("`{shown}` must hold a record (a map with `type`) or a list of them"),
                ));
            }
        };
        let mut types = Vec::with_capacity(specs.len());
        for spec in specs {
            if let Err(e) = self.record(shown, &name, spec, &mut types) {
                self.problems.push(e);
            }
        }
        Ok(())
    }

    /// One record: `type`, `ttl`, `value` or `values`, `octodns`.
    /// `types` are those of the name's records so far: octoDNS refuses a second record of one
    /// type (DuplicateRecordException).
    fn record(
        &mut self,
        shown: &str,
        name: &Fqdn,
        spec: NodeId,
        types: &mut Vec<RecordType>,
    ) -> Result<(), yaml::Error> {
        let Value::Map(map) = self.document.value(spec)? else {
            return Err(self.at(
                spec,
                format!("a record of `{shown}` must be a map with `type`"),
            ));
        };
        let (mut rtype, mut ttl, mut value, mut values) = (None, None, None, None);
        let (mut settings, mut dynamic) = (None, None);
        for (key, node) in self.document.entries(map)? {
            match self.text(key)? {
                "type" => {
                    let text = self.text(node)?;
                    rtype = Some(RecordType::parse(text).map_err(|e| self.at(node, e))?);
                }
                "ttl" => ttl = Some(self.ttl(node)?),
                "value" => value = Some(node),
                "values" => values = Some(node),
                "octodns" => settings = Some(self.document.canonical(node)?.into_boxed_str()),
                "dynamic" => dynamic = Some(node),
                "geo" => {
                    return Err(self.at(
                        key,
                        format!(
                            "`{shown}` uses octoDNS `geo`, which octoDNS replaced by `dynamic`; \
                             changegate refuses it rather than ignore what it answers"
                        ),
                    ));
                }
                _ => {
                    let mut e = self.unknown(
                        key,
                        &["type", "ttl", "value", "values", "octodns", "dynamic"],
                    );
                    e.message = format!("`{shown}`: {}", e.message);
                    return Err(e);
                }
            }
        }
        let Some(rtype) = rtype else {
            return Err(self.at(spec, format!("a record of `{shown}` has no `type`")));
        };
        if types.contains(&rtype) {
            return Err(self.at(
                spec,
                format!(
                    "`{shown}` has a second {rtype} record; octoDNS refuses duplicates: give one record all its `values`"
                ),
            ));
        }
        types.push(rtype);
        let given = match (value, values) {
            (Some(_), Some(second)) => {
                return Err(self.at(
                    second,
                    format!("`{shown}` {rtype} has both `value` and `values`; keep one"),
                ));
            }
            (Some(v), None) | (None, Some(v)) => Some(v),
            (None, None) => None,
        };
        let in_record = |mut e: yaml::Error| {
            e.message = format!("`{shown}` {rtype}: {}", e.message);
            e
        };
        let items = match given
            .map(|v| self.document.value(v))
            .transpose()
            .map_err(in_record)?
        {
            Some(Value::Seq(seq)) => self.document.items(seq)?,
            Some(Value::Null) | None => Vec::new(),
            Some(_) => vec![given.unwrap_or(spec)],
        };
        if items.is_empty() {
            let what = if given.is_some() { "an empty" } else { "no" };
            return Err(self.at(
                given.unwrap_or(spec),
                format!("`{shown}` {rtype} has {what} `value` or `values`"),
            ));
        }
        let octodns = match dynamic {
            Some(node) => Some(self.dynamic(node, rtype).map_err(in_record)?),
            None => settings.is_some().then(OctoDns::default),
        };
        let octodns = octodns.map(|mut o| {
            o.settings = settings;
            Box::new(o)
        });
        let line = self.document.position(spec).1;
        let key = super::name_key(name.as_str());
        for item in items {
            let svcb;
            let data = match (rtype, self.document.value(item)?) {
                // octoDNS writes SVCB and HTTPS as maps with nested parameters.
                (RecordType::Svcb | RecordType::Https, Value::Map(map)) => {
                    svcb = self.svcb_text(map).map_err(in_record)?;
                    Data::Text(svcb.as_str())
                }
                _ => self.data(item, rtype).map_err(in_record)?,
            };
            let rdata = canonical_value(rtype, &data, self.origin)
                .map_err(|e| self.at(item, format!("`{shown}` {rtype}: {e}")))?;
            self.records.push(Record {
                key,
                name: name.clone(),
                rtype,
                ttl: ttl.unwrap_or(self.default_ttl),
                rdata: rdata.into_boxed_str(),
                octodns: octodns.clone(),
                origin: Origin {
                    file: self.file,
                    line,
                },
            });
        }
        Ok(())
    }

    /// A `dynamic` block: `pools` (each with `values`, each with a `value`, and an optional
    /// `fallback` pool) and `rules` (each naming a `pool`). Pool values are checked as values
    /// of the record's type.
    fn dynamic(&self, node: NodeId, rtype: RecordType) -> Result<OctoDns, yaml::Error> {
        let doc = self.document;
        let map = |id: NodeId, what: &str| match doc.value(id)? {
            Value::Map(m) => doc.entries(m),
            _ => Err(self.at(id, format!("{what} must be a map"))),
        };
        let list = |id: NodeId, what: &str| match doc.value(id)? {
            Value::Seq(s) => doc.items(s),
            _ => Err(self.at(id, format!("{what} must be a list"))),
        };
        let (mut pools, mut rules) = (None, None);
        for (key, value) in map(node, "`dynamic`")? {
            match self.text(key)? {
                "pools" => pools = Some(value),
                "rules" => rules = Some(value),
                _ => return Err(self.unknown(key, &["pools", "rules"])),
            }
        }
        let (Some(pools), Some(rules)) = (pools, rules) else {
            return Err(self.at(node, "`dynamic` needs both `pools` and `rules`".into()));
        };
        let mut names = Vec::new();
        let mut fallbacks = Vec::new();
        let mut pool_values = Vec::new();
        for (name, pool) in map(pools, "`pools`")? {
            names.push(self.text(name)?);
            let mut values = None;
            for (key, value) in map(pool, "a pool")? {
                match self.text(key)? {
                    "values" => values = Some(value),
                    // octoDNS writes `fallback: null` for a pool without one.
                    "fallback" => {
                        if !matches!(self.document.value(value)?, Value::Null) {
                            fallbacks.push(value);
                        }
                    }
                    _ => return Err(self.unknown(key, &["values", "fallback"])),
                }
            }
            let Some(values) = values else {
                return Err(self.at(pool, "a pool needs `values`".into()));
            };
            for item in list(values, "a pool's `values`")? {
                let value = self.one_field(item, "a pool value", "value", &["weight", "status"])?;
                let data = Data::Text(self.text(value)?);
                let rdata =
                    canonical_value(rtype, &data, self.origin).map_err(|e| self.at(value, e))?;
                pool_values.push(rdata.into_boxed_str());
            }
        }
        let mut named = fallbacks;
        for rule in list(rules, "`rules`")? {
            named.push(self.one_field(rule, "a rule", "pool", &["geos", "subnets"])?);
        }
        for reference in named {
            let text = self.text(reference)?;
            if !names.contains(&text) {
                return Err(self.at(
                    reference,
                    format!(
                        "there is no pool `{text}`; the pools are {}",
                        names.join(", ")
                    ),
                ));
            }
        }
        pool_values.sort_unstable();
        pool_values.dedup();
        Ok(OctoDns {
            settings: None,
            dynamic: Some(self.document.canonical(node)?.into_boxed_str()),
            pool_values,
            provider: None,
        })
    }

    /// The `field` a map must have, among `others` it may have and that are not needed here.
    fn one_field(
        &self,
        node: NodeId,
        what: &str,
        field: &'static str,
        others: &[&'static str],
    ) -> Result<NodeId, yaml::Error> {
        let Value::Map(map) = self.document.value(node)? else {
            return Err(self.at(node, format!("{what} must be a map")));
        };
        let mut found = None;
        for (key, value) in self.document.entries(map)? {
            let text = self.text(key)?;
            if text == field {
                found = Some(value);
            } else if !others.contains(&text) {
                let known: Vec<&str> = std::iter::once(field)
                    .chain(others.iter().copied())
                    .collect();
                return Err(self.unknown(key, &known));
            }
        }
        found.ok_or_else(|| self.at(node, format!("{what} needs `{field}`")))
    }

    /// An unknown key, with the closest known one if it looks like a typo.
    fn unknown(&self, key: NodeId, known: &[&str]) -> yaml::Error {
        let text = self.text(key).unwrap_or_default();
        let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
        let message = match closest(text, known.iter().copied()) {
            Some(near) => format!("unknown field `{text}`; did you mean `{near}`?"),
            None => format!(
                "unknown field `{text}`; expected one of {}",
                list.join(", ")
            ),
        };
        self.at(key, message)
    }

    /// A TTL as octoDNS reads it (`int(ttl)`): a whole number, quoted or not.
    fn ttl(&self, node: NodeId) -> Result<u32, yaml::Error> {
        let Value::Text(text) = self.document.value(node)? else {
            return Err(self.at(node, "`ttl` must be a whole number of seconds".into()));
        };
        let digits = text.trim();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.at(
                node,
                format!("`ttl` must be a whole number of seconds, not `{text}`"),
            ));
        }
        digits.parse().map_err(|_| {
            self.at(
                node,
                format!("`ttl` {digits} is more than a DNS TTL can hold (at most 4294967295)"),
            )
        })
    }

    fn data(&self, node: NodeId, rtype: RecordType) -> Result<Data<'d>, yaml::Error> {
        match self.document.value(node)? {
            Value::Text(text) => Ok(Data::Text(text)),
            // LOC's fields are numbers to octoDNS (`lat_seconds: 52.1`).
            Value::Map(map) if rtype == RecordType::Loc => self
                .document
                .entries(map)?
                .into_iter()
                .map(|(k, v)| match self.document.number(v)? {
                    Value::Text(text) => Ok((self.text(k)?, text)),
                    _ => Err(self.at(v, "a LOC field is a number".into())),
                })
                .collect::<Result<_, _>>()
                .map(Data::Fields),
            Value::Map(map) => self
                .document
                .entries(map)?
                .into_iter()
                .map(|(k, v)| Ok((self.text(k)?, self.text(v)?)))
                .collect::<Result<_, _>>()
                .map(Data::Fields),
            Value::Null => Err(self.at(node, "a value is empty".into())),
            Value::Seq(_) => Err(self.at(node, "a value cannot itself be a list".into())),
        }
    }

    /// An octoDNS SVCB or HTTPS value (`svcpriority`, `targetname`, `svcparams` of keys to a
    /// value, a list of values, or nothing) as the presentation text a zone file would hold.
    fn svcb_text(&self, map: NodeId) -> Result<String, yaml::Error> {
        let (mut priority, mut target, mut params) = (None, None, None);
        for (key, value) in self.document.entries(map)? {
            match self.text(key)? {
                "svcpriority" => priority = Some(self.text(value)?),
                "targetname" => target = Some(self.text(value)?),
                "svcparams" => params = Some(value),
                _ => return Err(self.unknown(key, &["svcpriority", "targetname", "svcparams"])),
            }
        }
        let (Some(priority), Some(target)) = (priority, target) else {
            return Err(self.at(
                map,
                "an SVCB value needs `svcpriority` and `targetname`".into(),
            ));
        };
        let mut text = format!("{priority} {target}");
        if let Some(params) = params {
            let Value::Map(params) = self.document.value(params)? else {
                return Err(self.at(params, "`svcparams` must be a map".into()));
            };
            for (key, value) in self.document.entries(params)? {
                let key = self.text(key)?;
                let items: Vec<&str> = match self.document.value(value)? {
                    Value::Null => Vec::new(),
                    Value::Seq(seq) => self
                        .document
                        .items(seq)?
                        .into_iter()
                        .map(|item| self.text(item))
                        .collect::<Result<_, _>>()?,
                    _ => vec![self.text(value)?],
                };
                if let Some(bad) = items.iter().find(|i| i.contains([',', '\\', '"', ' '])) {
                    return Err(self.at(
                        value,
                        format!("`{bad}`: a parameter value with `,`, `\\`, `\"` or a space is not read here; write the record in a zone file"),
                    ));
                }
                text.push(' ');
                text.push_str(key);
                if !items.is_empty() {
                    text.push('=');
                    text.push_str(&items.join(","));
                }
            }
        }
        Ok(text)
    }

    /// A scalar's text; anything else is an error at the node.
    fn text(&self, node: NodeId) -> Result<&'d str, yaml::Error> {
        match self.document.value(node)? {
            Value::Text(text) => Ok(text),
            Value::Null => Err(self.at(node, "expected text, found nothing".into())),
            Value::Seq(_) | Value::Map(_) => {
                Err(self.at(node, "expected text, found a list or a map".into()))
            }
        }
    }

    fn at(&self, node: NodeId, message: String) -> yaml::Error {
        yaml::Error {
            message,
            at: self.document.position(node).0,
        }
    }
}

/// Turns an octoDNS value into the fields a zone file would have, then canonicalises them.
fn canonical_value(rtype: RecordType, value: &Data<'_>, origin: &str) -> Result<String, String> {
    use RecordType as T;
    let text = || -> Result<&str, String> {
        match value {
            Data::Text(s) => Ok(s),
            Data::Fields(_) => Err(format!("{rtype} takes a single value, not a map")),
        }
    };
    let fields = |keys: &[&[&str]]| -> Result<Vec<&str>, String> {
        let Data::Fields(map) = value else {
            let names: Vec<&str> = keys.iter().map(|k| k[0]).collect();
            return Err(format!("{rtype} takes a map with {}", names.join(", ")));
        };
        keys.iter()
            .map(|alternatives| {
                alternatives
                    .iter()
                    .find_map(|k| map.iter().find(|(key, _)| key == k))
                    .map(|(_, v)| *v)
                    .ok_or_else(|| format!("`{}` is missing", alternatives[0]))
            })
            .collect()
    };
    let words: Vec<&str> = match rtype {
        T::Txt | T::Spf => {
            // As octoDNS's `_ChunkedValue` reads it: a value written already chunked
            // (`"abc" "def"`) is one value with the boundaries dropped; `;` must be escaped as
            // `\;`; providers send the value in 255-byte strings.
            let written = text()?;
            let joined;
            let value = match written.strip_prefix('"') {
                Some(inner) => {
                    joined = inner
                        .strip_suffix('"')
                        .unwrap_or(inner)
                        .replace("\" \"", "");
                    joined.as_str()
                }
                None => written,
            };
            let bytes = value.as_bytes();
            if let Some(at) = (1..bytes.len()).find(|&i| {
                bytes[i] == b';' && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')
            }) {
                return Err(format!(
                    "unescaped `;` in `{}` (octoDNS refuses it); write `\\;`",
                    &value[..=at]
                ));
            }
            return Ok(rdata::txt(value.replace("\\;", ";").as_bytes()));
        }
        T::Caa => {
            let has_flags =
                matches!(value, Data::Fields(map) if map.iter().any(|(k, _)| *k == "flags"));
            let f = if has_flags {
                fields(&[&["flags"], &["tag"], &["value"]])?
            } else {
                let mut f = fields(&[&["tag"], &["value"]])?;
                f.insert(0, "0");
                f
            };
            return Ok(format!(
                "{} {} {}",
                f[0],
                f[1],
                rdata::quote(f[2].as_bytes())
            ));
        }
        T::Mx => fields(&[&["preference", "priority"], &["exchange", "value"]])?,
        T::Srv => fields(&[&["priority"], &["weight"], &["port"], &["target"]])?,
        T::Naptr => {
            let f = fields(&[
                &["order"],
                &["preference"],
                &["flags"],
                &["service"],
                &["regexp"],
                &["replacement"],
            ])?;
            let quoted: Vec<String> = f[2..5].iter().map(|s| rdata::quote(s.as_bytes())).collect();
            let replacement = rdata::absolute_name(f[5], origin)?;
            return Ok(format!(
                "{} {} {} {replacement}",
                f[0],
                f[1],
                quoted.join(" ")
            ));
        }
        T::Sshfp => fields(&[&["algorithm"], &["fingerprint_type"], &["fingerprint"]])?,
        T::Tlsa => fields(&[
            &["certificate_usage"],
            &["selector"],
            &["matching_type"],
            &["certificate_association_data"],
        ])?,
        T::Ds => {
            // octoDNS's old field names: flags, protocol, algorithm, public_key.
            let legacy = matches!(value, Data::Fields(map)
                if map.iter().any(|(k, _)| *k == "public_key" || *k == "flags"));
            if legacy {
                fields(&[&["flags"], &["protocol"], &["algorithm"], &["public_key"]])?
            } else {
                fields(&[&["key_tag"], &["algorithm"], &["digest_type"], &["digest"]])?
            }
        }
        T::Loc => {
            let f = fields(&[
                &["lat_degrees"],
                &["lat_minutes"],
                &["lat_seconds"],
                &["lat_direction"],
                &["long_degrees"],
                &["long_minutes"],
                &["long_seconds"],
                &["long_direction"],
                &["altitude"],
                &["size"],
                &["precision_horz"],
                &["precision_vert"],
            ])?;
            // octoDNS writes `altitude`, `size` and the precisions in metres, without the `m`.
            let mut words = f[..8].to_vec();
            let metres: Vec<String> = f[8..].iter().map(|v| format!("{v}m")).collect();
            words.extend(metres.iter().map(String::as_str));
            let fields: Vec<Field<'_>> = words
                .iter()
                .map(|text| Field {
                    text,
                    quoted: false,
                })
                .collect();
            return rdata::canonical(rtype, &fields, origin);
        }
        T::Urlfwd => {
            // As octoDNS's URLFWD value: a path, a target, a redirect code, masking, query.
            let f = fields(&[&["path"], &["target"], &["code"], &["masking"], &["query"]])?;
            for (text, what, allowed) in [
                (f[2], "code", &["301", "302"][..]),
                (f[3], "masking", &["0", "1", "2"]),
                (f[4], "query", &["0", "1"]),
            ] {
                if !allowed.contains(&text) {
                    return Err(format!(
                        "`{text}` is not a URLFWD {what} (one of {})",
                        allowed.join(", ")
                    ));
                }
            }
            return Ok(format!(
                "{} {} {} {} {}",
                rdata::quote(f[0].as_bytes()),
                rdata::quote(f[1].as_bytes()),
                f[2],
                f[3],
                f[4]
            ));
        }
        T::Uri => {
            let f = fields(&[&["priority"], &["weight"], &["target"]])?;
            return Ok(format!(
                "{} {} {}",
                f[0],
                f[1],
                rdata::quote(f[2].as_bytes())
            ));
        }
        _ => text()?.split_whitespace().collect(),
    };
    // octoDNS takes only absolute names as targets; it never completes a relative one.
    let target = match rtype {
        T::Cname | T::Alias | T::Dname | T::Ns | T::Ptr => Some(0),
        T::Mx => Some(1),
        T::Srv => Some(3),
        _ => None,
    };
    if let Some(word) = target.and_then(|i| words.get(i)) {
        if !word.ends_with('.') {
            return Err(format!(
                "`{word}` is not a fully qualified name, and octoDNS completes none: write `{word}.{origin}.` (or the name it means, ending with a dot)"
            ));
        }
    }
    let fields: Vec<Field<'_>> = words
        .iter()
        .map(|w| Field {
            text: w,
            quoted: false,
        })
        .collect();
    rdata::canonical(rtype, &fields, origin)
}
