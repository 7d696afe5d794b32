//! Terraform plans (`terraform show -json PLANFILE`, also OpenTofu's and Atlantis's) as desired
//! state. A plan holds both sides of a change: every DNS record resource's `change.before`
//! becomes the base's RRsets and its `change.after` the head's, in the same model the zone
//! readers produce, so that one diff, one gate and one plan digest serve every source.
//!
//! What no record shows is read too: the resources a plan deletes or replaces, by every
//! identifier an alias can point at (Azure resource IDs, ARNs, DNS names), so that an alias
//! record whose target disappears is seen to lose its answers.
//!
//! Read: `azurerm_dns_{a,aaaa,cname,mx,txt,ns,srv,caa,ptr}_record`, `aws_route53_record`,
//! `google_dns_record_set`, `cloudflare_record` (v4) and `cloudflare_dns_record` (v5).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use super::lexer::Lexer;
use super::rdata::{self, Field};
use super::{OctoDns, Origin, Record, State, Zone, name_key};
use crate::diag::{Diagnostic, SourceFile};
use crate::model::{Fqdn, RecordType};

/// The prefix of an alias RRset's value: `alias <target>`, where the target is a lower-cased
/// Azure resource ID or a Route 53 alias's DNS name (absolute). Record data of A, AAAA and
/// CNAME never starts with it, so an alias is told from a record by its value alone.
pub const ALIAS_PREFIX: &str = "alias ";

/// The value shown (and signed) for data Terraform knows only after apply.
pub const KNOWN_AFTER_APPLY: &str = "(known after apply)";

/// A Route 53 alias has no TTL of its own: it answers with its target's, which for the
/// targets an alias can have (load balancers, CloudFront, API gateways) is 60 seconds.
pub const ROUTE53_ALIAS_TTL: u32 = 60;

/// A record and the zone it belongs to.
pub type ZonedRecord = (Fqdn, Record);

/// One plan file, read.
#[derive(Debug, Default)]
pub struct TerraformPlan {
    /// The path as shown.
    pub shown: String,
    /// `sha256:<hex>` of the file: the same plan given twice is one plan.
    pub digest: String,
    /// Where each record came from: one entry per DNS resource, `ADDRESS in PATH`.
    pub names: Vec<String>,
    /// Records before and after the plan, with their zones.
    pub before: Vec<ZonedRecord>,
    pub after: Vec<ZonedRecord>,
    /// Resources the plan deletes or replaces, by what can point at them.
    pub gone: Vec<Gone>,
    /// Resource types and identifiers (normalised) of resources that exist after the plan.
    pub kept: HashSet<(String, String)>,
    /// DNS zones the plan deletes or replaces, with every record in them.
    pub zones_gone: Vec<String>,
    /// DNS resources that cannot be gated, and why (a name, zone or type unknown at plan time).
    pub unknown: Vec<String>,
    /// DNS records changed outside Terraform since the last apply (`resource_drift`).
    pub drift: Vec<String>,
}

/// A resource a plan deletes (or replaces, which deletes it first or after).
#[derive(Clone, Debug)]
pub struct Gone {
    pub address: String,
    /// The resource type: only a resource of the same type in the same plan keeps it.
    pub rtype: String,
    pub replaced: bool,
    /// Its identifiers, normalised by [`identifier`].
    pub ids: Vec<String>,
}

/// An identifier as aliases are compared: lower case, without a trailing dot, without the
/// `dualstack.` Route 53 puts before load balancers' names.
pub fn identifier(text: &str) -> String {
    let lower = text.trim().to_ascii_lowercase();
    let plain = lower.strip_suffix('.').unwrap_or(&lower);
    plain
        .strip_prefix("dualstack.")
        .unwrap_or(plain)
        .to_string()
}

/// The attributes that identify a resource to whatever points at it.
const ID_KEYS: &[&str] = &["id", "arn"];

/// The attributes that hold a DNS name something can point at, at the top or in a nested
/// block (API gateways' `domain_name_configuration`, VPC endpoints' `dns_entry`).
const NAME_KEYS: &[&str] = &[
    "dns_name",
    "domain_name",
    "fqdn",
    "host_name",
    "hostname",
    "cname",
    "regional_domain_name",
    "cloudfront_domain_name",
    "target_domain_name",
    "website_endpoint",
];

/// The names in nested blocks that are the resource's own: an API gateway domain's
/// `domain_name_configuration { target_domain_name }`, a VPC endpoint's `dns_entry { dns_name }`.
const NESTED_NAME_KEYS: &[&str] = &["target_domain_name", "dns_name"];

/// The DNS zone resources: deleting one deletes every record in it.
const ZONE_TYPES: &[&str] = &[
    "aws_route53_zone",
    "azurerm_dns_zone",
    "azurerm_private_dns_zone",
    "google_dns_managed_zone",
    "cloudflare_zone",
];

/// Which provider a DNS resource type belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Provider {
    Azure(RecordType),
    Route53,
    Google,
    CloudflareV4,
    CloudflareV5,
}

fn provider(resource_type: &str) -> Option<Provider> {
    use RecordType as T;
    Some(match resource_type {
        "aws_route53_record" => Provider::Route53,
        "google_dns_record_set" => Provider::Google,
        "cloudflare_record" => Provider::CloudflareV4,
        "cloudflare_dns_record" => Provider::CloudflareV5,
        other => {
            let kind = other
                .strip_prefix("azurerm_dns_")?
                .strip_suffix("_record")?;
            Provider::Azure(match kind {
                "a" => T::A,
                "aaaa" => T::Aaaa,
                "cname" => T::Cname,
                "mx" => T::Mx,
                "txt" => T::Txt,
                "ns" => T::Ns,
                "srv" => T::Srv,
                "caa" => T::Caa,
                "ptr" => T::Ptr,
                _ => return None,
            })
        }
    })
}

/// True for the resource types read as DNS records.
pub fn is_dns_resource(resource_type: &str) -> bool {
    provider(resource_type).is_some()
}

/// Reads a plan's JSON. Problems name the file, and the line and column for malformed JSON.
pub fn read_plan(shown: &str, text: &str) -> Result<TerraformPlan, Vec<Diagnostic>> {
    let invalid = |message: String, help: &str| {
        vec![Diagnostic::new("plan-invalid", format!("{shown}: {message}")).help(help.to_string())]
    };
    let plan: Value = serde_json::from_str(text).map_err(|e| {
        let source = SourceFile::new(shown.to_string(), text.to_string());
        let at = offset_of(text, e.line(), e.column());
        vec![
            Diagnostic::new(
                "plan-invalid",
                format!(
                    "{shown}: not valid JSON at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                ),
            )
            .at(&source, at..at, "here")
            .help("write the plan with `terraform show -json PLANFILE > plan.json`"),
        ]
    })?;
    let Some(top) = plan.as_object() else {
        return Err(invalid(
            "is not a Terraform plan: the JSON is not an object".into(),
            "write the plan with `terraform show -json PLANFILE > plan.json`",
        ));
    };
    match top.get("format_version").and_then(Value::as_str) {
        Some(v) if v == "1" || v.starts_with("1.") => {}
        Some(v) => {
            return Err(invalid(
                format!("`format_version` is \"{v}\"; changegate reads the plan format 1.x"),
                "use a Terraform (or OpenTofu) whose `show -json` writes format 1.x, or report the new format",
            ));
        }
        None => {
            return Err(invalid(
                "is not a Terraform plan: it has no `format_version`".into(),
                "write the plan with `terraform show -json PLANFILE > plan.json`",
            ));
        }
    }
    if !top.contains_key("resource_changes") && !top.contains_key("planned_values") {
        let what = if top.contains_key("values") {
            "a Terraform state, not a plan"
        } else {
            "not a Terraform plan (no `resource_changes`)"
        };
        return Err(invalid(
            format!("is {what}"),
            "run `terraform plan -out PLANFILE`, then `terraform show -json PLANFILE > plan.json`",
        ));
    }
    if top.get("errored").and_then(Value::as_bool) == Some(true) {
        return Err(invalid(
            "the plan errored (`errored: true`): what it would do is not known".into(),
            "fix the errors `terraform plan` reported and plan again",
        ));
    }
    if top.get("complete").and_then(Value::as_bool) == Some(false) {
        return Err(invalid(
            "the plan is incomplete (`complete: false`): Terraform deferred some changes to a later plan, so this one does not say all it will do".into(),
            "apply in the order Terraform asks and gate each complete plan",
        ));
    }
    let zones = ZoneTable::from_plan(&plan);
    let lines = AddressLines::new(text);
    let mut out = TerraformPlan {
        shown: shown.to_string(),
        digest: crate::model::sha256(text.as_bytes()),
        ..TerraformPlan::default()
    };
    let mut problems = Vec::new();
    let changes = array(top.get("resource_changes"));
    let mut sets = RRsets::default();
    let mut zone_ids: HashMap<Fqdn, String> = HashMap::new();
    for (index, change) in changes.iter().enumerate() {
        let Some(rc) = ResourceChange::read(change) else {
            problems.push(Diagnostic::new(
                "plan-invalid",
                format!(
                    "{shown}: `resource_changes[{index}]` has no `address`, `type` or `change.actions`"
                ),
            ));
            continue;
        };
        if rc.mode != "managed" {
            continue;
        }
        let deletes = rc.actions.contains(&"delete");
        let forget = rc.actions.contains(&"forget");
        let record = provider(rc.rtype);
        if deletes && !forget {
            if let Some(before) = rc.before {
                // A DNS record's names are the diff's to follow; its ID is what an Azure alias
                // of a record set names.
                let mut ids = identifiers(before);
                if record.is_some() {
                    let id = before.get("id").and_then(Value::as_str).map(identifier);
                    ids.retain(|i| Some(i) == id.as_ref());
                }
                if !ids.is_empty() {
                    out.gone.push(Gone {
                        address: rc.address.to_string(),
                        rtype: rc.rtype.to_string(),
                        replaced: rc.after.is_some(),
                        ids,
                    });
                }
            }
            if ZONE_TYPES.contains(&rc.rtype) {
                let name = rc
                    .before
                    .and_then(|b| {
                        ["name", "dns_name", "zone"]
                            .iter()
                            .find_map(|k| b.get(*k)?.as_str())
                    })
                    .unwrap_or("?");
                out.zones_gone.push(format!(
                    "`{}` in `{shown}` {} the zone `{name}`: every record in it goes with it, those Terraform does not manage too, and no deletion gate can see them; delete the records in changes of their own first",
                    rc.address,
                    if rc.after.is_some() { "replaces (deletes, then creates anew)" } else { "deletes" }
                ));
            }
        }
        if let Some(after) = rc.after {
            out.kept.extend(
                identifiers(after)
                    .into_iter()
                    .map(|id| (rc.rtype.to_string(), id)),
            );
        }
        let Some(provider) = record else {
            continue;
        };
        let file = out.names.len() as u32;
        out.names.push(format!("{} in {shown}", rc.address));
        let origin = Origin {
            file,
            line: lines.line(rc.address),
        };
        // `forget` leaves the record in DNS and only drops it from Terraform's state.
        let after = if forget { rc.before } else { rc.after };
        for (side, value, unknown, sensitive) in [
            (Side::Before, rc.before, &Value::Null, rc.before_sensitive),
            (Side::After, after, rc.after_unknown, rc.after_sensitive),
        ] {
            let Some(value) = value else { continue };
            let unknown = if forget { &Value::Null } else { unknown };
            match record_set(provider, value, unknown, sensitive, &zones) {
                Ok(set) => {
                    let first = zone_ids
                        .entry(set.zone.clone())
                        .or_insert_with(|| set.zone_id.clone());
                    if *first != set.zone_id {
                        problems.push(
                            Diagnostic::new(
                                "plan-invalid",
                                format!(
                                    "`{}` in `{shown}` is in the zone `{}` known as `{}`, but the plan also has a zone of that name known as `{first}`: changegate keys desired state by zone name, so a record moved between them would look unchanged",
                                    rc.address, set.zone, set.zone_id
                                ),
                            )
                            .help("gate each of the two zones (public and private, two accounts) in a plan of its own"),
                        );
                        continue;
                    }
                    sets.add(side, set, origin, rc.address, &mut problems, shown);
                }
                Err(Problem::Unknown(attribute)) => out.unknown.push(format!(
                    "`{}` in `{shown}`: its `{attribute}` is known only after apply, so what it changes cannot be gated",
                    rc.address
                )),
                Err(Problem::Sensitive(attribute)) => out.unknown.push(format!(
                    "`{}` in `{shown}`: its `{attribute}` is marked sensitive, so where the record points can be neither shown nor followed; a DNS target is public, remove `sensitive` from it",
                    rc.address
                )),
                Err(Problem::Invalid(message)) => problems.push(
                    Diagnostic::new(
                        "plan-invalid",
                        format!("`{}` in `{shown}`: {message}", rc.address),
                    )
                    .help("the plan must come from `terraform show -json` of a plan the provider accepted"),
                ),
            }
        }
    }
    for change in array(top.get("resource_drift")) {
        let Some(rc) = ResourceChange::read(change) else {
            continue;
        };
        let Some(provider) = provider(rc.rtype) else {
            continue;
        };
        let describe = |value: Option<&Value>| {
            value
                .map(
                    |v| match record_set(provider, v, &Value::Null, &Value::Null, &zones) {
                        Ok(set) => format!("{} {} {}", set.name, set.rtype, set.values.join(", ")),
                        Err(_) => "(unreadable)".to_string(),
                    },
                )
                .unwrap_or_else(|| "(none)".to_string())
        };
        out.drift.push(format!(
            "`{}` in `{shown}` was changed outside Terraform since the last apply ({}): Terraform's state said {}, the provider now says {}",
            rc.address,
            rc.actions.join(", "),
            describe(rc.before),
            describe(rc.after)
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    (out.before, out.after) = sets.into_records();
    Ok(out)
}

/// The byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

fn array(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The normalised identifiers of a resource's values: its IDs, and the DNS names it holds at
/// the top or in nested blocks (two levels down).
fn identifiers(values: &Value) -> Vec<String> {
    fn names(value: &Value, depth: u32, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match v {
                        // Nested, only the keys that name the resource itself: a CDN's
                        // `origin { domain_name }` names another resource.
                        Value::String(s)
                            if !s.is_empty()
                                && if depth == 0 {
                                    NAME_KEYS.contains(&key.as_str())
                                } else {
                                    NESTED_NAME_KEYS.contains(&key.as_str())
                                } =>
                        {
                            out.push(identifier(s));
                        }
                        Value::Array(_) | Value::Object(_) if depth < 2 => names(v, depth + 1, out),
                        _ => {}
                    }
                }
            }
            Value::Array(items) if depth < 2 => {
                for item in items {
                    names(item, depth + 1, out);
                }
            }
            _ => {}
        }
    }
    let mut ids: Vec<String> = ID_KEYS
        .iter()
        .filter_map(|k| values.get(*k).and_then(Value::as_str))
        .filter(|s| !s.is_empty())
        .map(identifier)
        .collect();
    names(values, 0, &mut ids);
    ids.sort();
    ids.dedup();
    ids
}

/// The first line each address is written on (Terraform writes its JSON on one line; a plan
/// pretty-printed for review has many).
struct AddressLines(HashMap<String, u32>);

impl AddressLines {
    fn new(text: &str) -> Self {
        let mut lines = HashMap::new();
        if !text.contains('\n') {
            return Self(lines);
        }
        let (mut line, mut counted) = (1u32, 0usize);
        for (at, _) in text.match_indices("\"address\"") {
            line += text[counted..at].bytes().filter(|b| *b == b'\n').count() as u32;
            counted = at;
            let rest = text[at + 9..].trim_start();
            let Some(rest) = rest.strip_prefix(':') else {
                continue;
            };
            let Some(rest) = rest.trim_start().strip_prefix('"') else {
                continue;
            };
            if let Some(end) = rest.find('"') {
                lines.entry(rest[..end].to_string()).or_insert(line);
            }
        }
        Self(lines)
    }

    fn line(&self, address: &str) -> u32 {
        self.0.get(address).copied().unwrap_or(1)
    }
}

/// One entry of `resource_changes` or `resource_drift`.
struct ResourceChange<'a> {
    address: &'a str,
    mode: &'a str,
    rtype: &'a str,
    actions: Vec<&'a str>,
    before: Option<&'a Value>,
    after: Option<&'a Value>,
    after_unknown: &'a Value,
    before_sensitive: &'a Value,
    after_sensitive: &'a Value,
}

impl<'a> ResourceChange<'a> {
    fn read(value: &'a Value) -> Option<Self> {
        let change = value.get("change")?;
        let present = |v: Option<&'a Value>| v.filter(|v| !v.is_null());
        Some(Self {
            address: value.get("address")?.as_str()?,
            mode: value
                .get("mode")
                .and_then(Value::as_str)
                .unwrap_or("managed"),
            rtype: value.get("type")?.as_str()?,
            actions: change
                .get("actions")?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .collect(),
            before: present(change.get("before")),
            after: present(change.get("after")),
            after_unknown: change.get("after_unknown").unwrap_or(&Value::Null),
            before_sensitive: change.get("before_sensitive").unwrap_or(&Value::Null),
            after_sensitive: change.get("after_sensitive").unwrap_or(&Value::Null),
        })
    }
}

/// Zone IDs and managed-zone names to DNS names, from every zone resource and data source the
/// plan mentions.
#[derive(Default)]
struct ZoneTable(HashMap<String, Fqdn>);

impl ZoneTable {
    fn from_plan(plan: &Value) -> Self {
        let mut table = Self::default();
        let mut visit = |rtype: &str, values: &Value| {
            let text = |k: &str| {
                values
                    .get(k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
            };
            let (keys, dns): (&[&str], Option<&str>) = match rtype {
                "aws_route53_zone" => (&["zone_id", "id"], text("name")),
                "google_dns_managed_zone" => (&["name"], text("dns_name")),
                "cloudflare_zone" => (&["id", "zone_id"], text("zone").or(text("name"))),
                _ => return,
            };
            let Some(Ok(dns)) = dns.map(Fqdn::parse) else {
                return;
            };
            for key in keys {
                if let Some(id) = text(key) {
                    table.0.entry(id.to_string()).or_insert_with(|| dns.clone());
                }
            }
        };
        for root in ["prior_state", "planned_values"] {
            let module = match root {
                "prior_state" => plan.get(root).and_then(|s| s.get("values")),
                _ => plan.get(root),
            }
            .and_then(|v| v.get("root_module"));
            let mut stack: Vec<&Value> = module.into_iter().collect();
            while let Some(module) = stack.pop() {
                for resource in array(module.get("resources")) {
                    if let (Some(t), Some(v)) = (
                        resource.get("type").and_then(Value::as_str),
                        resource.get("values"),
                    ) {
                        visit(t, v);
                    }
                }
                stack.extend(array(module.get("child_modules")));
            }
        }
        for change in array(plan.get("resource_changes")) {
            let Some(t) = change.get("type").and_then(Value::as_str) else {
                continue;
            };
            for side in ["before", "after"] {
                if let Some(v) = change.get("change").and_then(|c| c.get(side)) {
                    visit(t, v);
                }
            }
        }
        table
    }

    fn get(&self, id: &str) -> Option<&Fqdn> {
        self.0.get(id)
    }
}

enum Problem {
    /// An attribute the gate needs is known only after apply.
    Unknown(&'static str),
    /// A record's target is marked sensitive: where it points cannot be shown or followed.
    Sensitive(&'static str),
    Invalid(String),
}

/// One DNS resource's RRset (or, for providers with a resource per value, its share of one).
#[derive(Debug)]
struct RecordSet {
    zone: Fqdn,
    /// The zone as the provider knows it (ID, or resource group and name): two zones of one
    /// name (public and private, two accounts) are not one zone.
    zone_id: String,
    name: Fqdn,
    rtype: RecordType,
    ttl: u32,
    values: Vec<String>,
    /// Provider settings that change answers (Cloudflare's `proxied`, Route 53 routing).
    settings: Vec<String>,
    /// Resources of this provider may share one RRset (Cloudflare: one per value; Route 53
    /// with a `set_identifier`: one per routing choice).
    shares: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Side {
    Before,
    After,
}

/// RRsets as they are put together from resources, per side.
#[derive(Default)]
struct RRsets {
    sets: BTreeMap<(Side, Fqdn, Fqdn, RecordType), Merged>,
}

struct Merged {
    ttl: u32,
    values: Vec<String>,
    settings: Vec<String>,
    origin: Origin,
    address: String,
    shares: bool,
}

impl RRsets {
    fn add(
        &mut self,
        side: Side,
        set: RecordSet,
        origin: Origin,
        address: &str,
        problems: &mut Vec<Diagnostic>,
        shown: &str,
    ) {
        let key = (side, set.zone, set.name, set.rtype);
        match self.sets.get_mut(&key) {
            Some(merged) if merged.shares && set.shares => {
                merged.ttl = merged.ttl.min(set.ttl);
                merged.values.extend(set.values);
                merged.settings.extend(set.settings);
                merged.origin = merged.origin.min(origin);
            }
            Some(merged) => {
                // Only the after side is reported: the before side is the same pair of
                // resources, as Terraform last applied them.
                if side == Side::After || merged.address != address {
                    problems.push(
                        Diagnostic::new(
                            "plan-invalid",
                            format!(
                                "`{} {}` is defined by two resources in `{shown}`: `{}` and `{address}`",
                                key.2, key.3, merged.address
                            ),
                        )
                        .help("give each name and type one record resource (Route 53 routing policies need a `set_identifier` on each)"),
                    );
                }
            }
            None => {
                self.sets.insert(
                    key,
                    Merged {
                        ttl: set.ttl,
                        values: set.values,
                        settings: set.settings,
                        origin,
                        address: address.to_string(),
                        shares: set.shares,
                    },
                );
            }
        }
    }

    /// The records before and after the plan.
    fn into_records(self) -> (Vec<ZonedRecord>, Vec<ZonedRecord>) {
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for ((side, zone, name, rtype), mut merged) in self.sets {
            merged.settings.sort();
            merged.settings.dedup();
            let extras = (!merged.settings.is_empty()).then(|| {
                Box::new(OctoDns {
                    provider: Some(merged.settings.join("; ").into()),
                    ..OctoDns::default()
                })
            });
            let out = if side == Side::Before {
                &mut before
            } else {
                &mut after
            };
            for value in merged.values {
                out.push((
                    zone.clone(),
                    Record {
                        key: name_key(name.as_str()),
                        name: name.clone(),
                        rtype,
                        ttl: merged.ttl,
                        rdata: value.into(),
                        octodns: extras.clone(),
                        origin: merged.origin,
                    },
                ));
            }
        }
        (before, after)
    }
}

/// True if `unknown` (an `after_unknown` object) marks `key`, or anything below it, unknown.
fn is_unknown(unknown: &Value, key: &str) -> bool {
    fn any_true(v: &Value) -> bool {
        match v {
            Value::Bool(b) => *b,
            Value::Array(a) => a.iter().any(any_true),
            Value::Object(o) => o.values().any(any_true),
            _ => false,
        }
    }
    unknown.get(key).is_some_and(any_true)
}

/// Reads one DNS resource's values as an RRset.
fn record_set(
    provider: Provider,
    v: &Value,
    unknown: &Value,
    sensitive: &Value,
    zones: &ZoneTable,
) -> Result<RecordSet, Problem> {
    let text = |key: &'static str| -> Result<Option<&str>, Problem> {
        if is_unknown(unknown, key) {
            return Err(Problem::Unknown(key));
        }
        Ok(v.get(key).and_then(Value::as_str))
    };
    let required = |key: &'static str| -> Result<&str, Problem> {
        text(key)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Problem::Invalid(format!("`{key}` is missing")))
    };
    let zone_of = |key: &'static str, what: &str| -> Result<Fqdn, Problem> {
        let id = required(key)?;
        zones.get(id).cloned().ok_or_else(|| {
            Problem::Invalid(format!(
                "its `{key}` `{id}` names no {what} the plan holds, so its zone is not known; add the zone's resource or a `data` source for it to the configuration"
            ))
        })
    };
    let zone_id = match provider {
        Provider::Azure(_) => format!(
            "{}/{}",
            text("resource_group_name")?.unwrap_or_default(),
            required("zone_name")?
        )
        .to_ascii_lowercase(),
        Provider::Route53 => required("zone_id")?.to_string(),
        Provider::Google => format!(
            "{}/{}",
            text("project")?.unwrap_or_default(),
            required("managed_zone")?
        ),
        Provider::CloudflareV4 | Provider::CloudflareV5 => required("zone_id")?.to_string(),
    };
    let (zone, name_text, rtype) = match provider {
        Provider::Azure(rtype) => {
            let zone = parse_name(required("zone_name")?, "zone_name")?;
            (zone, required("name")?.to_string(), rtype)
        }
        Provider::Route53 => (
            zone_of("zone_id", "`aws_route53_zone`")?,
            required("name")?.replace("\\052", "*"),
            record_type(required("type")?)?,
        ),
        Provider::Google => (
            zone_of("managed_zone", "`google_dns_managed_zone`")?,
            required("name")?.to_string(),
            record_type(required("type")?)?,
        ),
        Provider::CloudflareV4 | Provider::CloudflareV5 => {
            let zone = zone_of("zone_id", "`cloudflare_zone`")?;
            // `hostname` (v4) is computed, unknown on a create: `name` says the same.
            let name = match v.get("hostname").and_then(Value::as_str) {
                Some(h) if !h.is_empty() && !is_unknown(unknown, "hostname") => h.to_string(),
                _ => required("name")?.to_string(),
            };
            (zone, name, record_type(required("type")?)?)
        }
    };
    let name = owner(&name_text, &zone, matches!(provider, Provider::Azure(_)))?;
    // The TTL decides how long caches keep what the change publishes: never guessed.
    let is_alias = match provider {
        Provider::Route53 => v
            .get("alias")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty()),
        _ => false,
    };
    let ttl = match v.get("ttl") {
        _ if is_unknown(unknown, "ttl") => return Err(Problem::Unknown("ttl")),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|t| t.min(u64::from(u32::MAX)) as u32)
            .ok_or_else(|| Problem::Invalid(format!("`ttl` {n} is not a TTL")))?,
        None | Some(Value::Null) => match provider {
            // Cloudflare's default is "automatic"; a Route 53 alias has its target's.
            Provider::CloudflareV4 | Provider::CloudflareV5 => 1,
            Provider::Route53 if is_alias => ROUTE53_ALIAS_TTL,
            _ => return Err(Problem::Invalid("`ttl` is missing".into())),
        },
        Some(other) => return Err(Problem::Invalid(format!("`ttl` {other} is not a TTL"))),
    };
    let origin = zone.to_dotted();
    let mut settings = Vec::new();
    let points = matches!(
        rtype,
        RecordType::Cname
            | RecordType::Dname
            | RecordType::Mx
            | RecordType::Srv
            | RecordType::Ns
            | RecordType::Ptr
    );
    let hidden = |key: &'static str| -> Result<bool, Problem> {
        let hidden = is_unknown(sensitive, key);
        if hidden && points {
            return Err(Problem::Sensitive(key));
        }
        Ok(hidden)
    };
    let mut values: Vec<String> = Vec::new();
    let mut shares = false;
    let mut ttl = ttl;
    match provider {
        Provider::Azure(_) => {
            let target = v.get("target_resource_id").and_then(Value::as_str);
            if is_unknown(unknown, "target_resource_id") {
                // The target is created by this plan: nothing deleted can be its target.
                values.push(format!("{ALIAS_PREFIX}{KNOWN_AFTER_APPLY}"));
            } else if let Some(target) = target.filter(|t| !t.is_empty()) {
                if target.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(Problem::Invalid(format!(
                        "`target_resource_id` `{}` is not an Azure resource ID",
                        target.escape_debug()
                    )));
                }
                values.push(format!("{ALIAS_PREFIX}{}", identifier(target)));
            } else if is_unknown(unknown, "records") || is_unknown(unknown, "record") {
                values.push(KNOWN_AFTER_APPLY.into());
            } else if hidden("records")? || hidden("record")? {
                values.push(secret(v, &["records", "record"]));
            } else {
                for key in ["records", "record"] {
                    match v.get(key) {
                        Some(Value::String(s)) => values.push(canonical(rtype, s, &origin, true)?),
                        Some(Value::Array(items)) => {
                            for item in items {
                                values.push(azure_value(rtype, item, &origin)?);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        Provider::Route53 => {
            let alias = v
                .get("alias")
                .and_then(Value::as_array)
                .and_then(|a| a.first());
            if is_unknown(unknown, "alias") {
                values.push(format!("{ALIAS_PREFIX}{KNOWN_AFTER_APPLY}"));
                ttl = ROUTE53_ALIAS_TTL;
            } else if let Some(alias) = alias {
                let target = alias
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Problem::Invalid("its `alias` has no `name`".into()))?;
                let lower = target.to_ascii_lowercase();
                let target = parse_name(
                    lower.strip_prefix("dualstack.").unwrap_or(&lower),
                    "alias.name",
                )?;
                values.push(format!("{ALIAS_PREFIX}{}", target.to_dotted()));
                if let Some(zone_id) = alias.get("zone_id").and_then(Value::as_str) {
                    settings.push(format!("alias_zone_id={zone_id}"));
                }
                if let Some(health) = alias.get("evaluate_target_health").and_then(Value::as_bool) {
                    settings.push(format!("evaluate_target_health={health}"));
                }
                ttl = ROUTE53_ALIAS_TTL;
            } else if is_unknown(unknown, "records") {
                values.push(KNOWN_AFTER_APPLY.into());
            } else if hidden("records")? {
                values.push(secret(v, &["records"]));
            } else {
                for item in array(v.get("records")) {
                    if let Some(s) = item.as_str() {
                        values.push(canonical(rtype, s, &origin, true)?);
                    }
                }
            }
            if let Some(id) = text("set_identifier")?.filter(|s| !s.is_empty()) {
                shares = true;
                let mut routing = vec![format!("set_identifier={id}")];
                for key in [
                    "weighted_routing_policy",
                    "latency_routing_policy",
                    "failover_routing_policy",
                    "geolocation_routing_policy",
                    "geoproximity_routing_policy",
                    "cidr_routing_policy",
                    "multivalue_answer_routing_policy",
                    "health_check_id",
                ] {
                    match v.get(key) {
                        None | Some(Value::Null | Value::Bool(false)) => {}
                        Some(Value::Array(a)) if a.is_empty() => {}
                        Some(Value::String(s)) if s.is_empty() => {}
                        Some(Value::String(s)) => routing.push(format!("{key}={s}")),
                        Some(other) => routing.push(format!("{key}={other}")),
                    }
                }
                settings.push(routing.join(" "));
            } else if is_unknown(unknown, "health_check_id") {
                // A health check created by the same plan.
                settings.push(format!("health_check_id={KNOWN_AFTER_APPLY}"));
            } else if let Some(check) = v
                .get("health_check_id")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                settings.push(format!("health_check_id={check}"));
            }
        }
        Provider::Google => {
            if is_unknown(unknown, "rrdatas") || is_unknown(unknown, "routing_policy") {
                values.push(KNOWN_AFTER_APPLY.into());
            } else if hidden("rrdatas")? || hidden("routing_policy")? {
                values.push(secret(v, &["rrdatas", "routing_policy"]));
            } else {
                // A routed record set answers from its policy's items' `rrdatas`.
                let mut rrdatas = Vec::new();
                collect_rrdatas(v, 0, &mut rrdatas);
                for s in rrdatas {
                    values.push(canonical(rtype, s, &origin, false)?);
                }
            }
            if let Some(policy) = v.get("routing_policy").filter(|p| match p {
                Value::Array(a) => !a.is_empty(),
                other => !other.is_null(),
            }) {
                settings.push(format!("routing_policy={policy}"));
            }
        }
        Provider::CloudflareV4 | Provider::CloudflareV5 => {
            shares = true;
            let content = match v.get("content").and_then(Value::as_str) {
                Some(s) if !s.is_empty() => Some(s),
                _ => v.get("value").and_then(Value::as_str),
            };
            let field = if v
                .get("content")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
            {
                "content"
            } else {
                "value"
            };
            if is_unknown(unknown, field) || (content.is_none() && is_unknown(unknown, "data")) {
                values.push(KNOWN_AFTER_APPLY.into());
            } else if hidden(field)? || hidden("data")? {
                values.push(secret(v, &[field, "data"]));
            } else {
                values.push(cloudflare_value(rtype, v, content, &origin)?);
            }
            if v.get("proxied").and_then(Value::as_bool) == Some(true) {
                settings.push("proxied=true".into());
            }
            // Cloudflare's TTL 1 is "automatic": 300 seconds.
            if ttl == 1 {
                ttl = 300;
            }
        }
    }
    if values.is_empty() {
        return Err(Problem::Invalid(format!("`{name} {rtype}` has no values")));
    }
    Ok(RecordSet {
        zone,
        zone_id,
        name,
        rtype,
        ttl,
        values,
        settings,
        shares,
    })
}

/// `rrdatas` of a record set, and of the items of its `routing_policy` (weighted, geo,
/// primary-backup), in order.
fn collect_rrdatas<'v>(v: &'v Value, depth: u32, out: &mut Vec<&'v str>) {
    match v {
        Value::Object(map) => {
            for (key, item) in map {
                match item {
                    Value::Array(items) if key == "rrdatas" => {
                        out.extend(items.iter().filter_map(Value::as_str));
                    }
                    Value::Array(_) | Value::Object(_)
                        if depth < 6 && (depth > 0 || key == "routing_policy") =>
                    {
                        collect_rrdatas(item, depth + 1, out);
                    }
                    _ => {}
                }
            }
        }
        Value::Array(items) if depth < 6 => {
            for item in items {
                collect_rrdatas(item, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// A value the plan marks sensitive: never shown, yet bound by the hash of the fields that
/// hold it, so that an approval of one value does not cover another.
fn secret(v: &Value, keys: &[&str]) -> String {
    let fields: Vec<String> = keys
        .iter()
        .map(|k| v.get(*k).map_or_else(String::new, Value::to_string))
        .collect();
    let digest = crate::model::sha256(fields.join("\n").as_bytes());
    let short = digest.get(7..23).unwrap_or(&digest);
    format!("(sensitive, {short})")
}

fn parse_name(text: &str, what: &str) -> Result<Fqdn, Problem> {
    Fqdn::parse(text).map_err(|e| Problem::Invalid(format!("`{what}` `{text}` is invalid: {e}")))
}

fn record_type(text: &str) -> Result<RecordType, Problem> {
    RecordType::parse(text).map_err(Problem::Invalid)
}

/// A record's owner: Azure names are relative to the zone (`@` the apex); the others give
/// the full name, but Route 53 and Cloudflare v4 also complete a relative one.
fn owner(text: &str, zone: &Fqdn, relative: bool) -> Result<Fqdn, Problem> {
    if text == "@" {
        return Ok(zone.clone());
    }
    let plain = text.strip_suffix('.').unwrap_or(text);
    let name = parse_name(plain, "name")?;
    if name.is_in(zone) && !relative {
        return Ok(name);
    }
    let full = format!("{}.{}", plain, zone.as_str());
    parse_name(&full, "name")
}

/// Canonical record data from a value in zone-file presentation. Providers other than
/// Google take TXT as the raw text (Route 53 splits strings at `""`), and complete no
/// relative names, so a target without its dot is taken as absolute.
fn canonical(
    rtype: RecordType,
    text: &str,
    origin: &str,
    raw_txt: bool,
) -> Result<String, Problem> {
    use RecordType as T;
    if matches!(rtype, T::Txt | T::Spf) && raw_txt && !text.starts_with('"') {
        let strings: Vec<&str> = text.split("\"\"").collect();
        if strings.len() > 1 {
            return Ok(strings
                .iter()
                .map(|s| rdata::quote(s.as_bytes()))
                .collect::<Vec<_>>()
                .join(" "));
        }
        return Ok(rdata::txt(text.as_bytes()));
    }
    let mut lexer = Lexer::new(text.trim_start());
    let entry = lexer
        .next_entry()
        .map_err(|(e, _)| Problem::Invalid(format!("`{text}` is not {rtype} data: {e}")))?;
    let Some(entry) = entry else {
        return Err(Problem::Invalid(format!("an empty {rtype} value")));
    };
    let mut words: Vec<(String, bool)> = entry
        .tokens
        .iter()
        .map(|t| (t.text.to_string(), t.quoted))
        .collect();
    let target = match rtype {
        T::Cname | T::Dname | T::Ns | T::Ptr => Some(0),
        T::Mx => Some(1),
        T::Srv => Some(3),
        _ => None,
    };
    if let Some((word, _)) = target.and_then(|i| words.get_mut(i)) {
        if !word.ends_with('.') && word != "@" {
            word.push('.');
        }
    }
    let fields: Vec<Field<'_>> = words
        .iter()
        .map(|(text, quoted)| Field {
            text,
            quoted: *quoted,
        })
        .collect();
    rdata::canonical(rtype, &fields, origin)
        .map_err(|e| Problem::Invalid(format!("`{text}` is not {rtype} data: {e}")))
}

fn field_text(item: &Value, key: &str) -> Result<String, Problem> {
    match item.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        _ => Err(Problem::Invalid(format!("a record has no `{key}`"))),
    }
}

/// Azure's structured values (`record { ... }` blocks).
fn azure_value(rtype: RecordType, item: &Value, origin: &str) -> Result<String, Problem> {
    use RecordType as T;
    if let Some(s) = item.as_str() {
        return canonical(rtype, s, origin, true);
    }
    let f = |k: &str| field_text(item, k);
    match rtype {
        T::Mx => canonical(
            rtype,
            &format!("{} {}", f("preference")?, f("exchange")?),
            origin,
            true,
        ),
        T::Srv => canonical(
            rtype,
            &format!(
                "{} {} {} {}",
                f("priority")?,
                f("weight")?,
                f("port")?,
                f("target")?
            ),
            origin,
            true,
        ),
        T::Txt => canonical(rtype, &f("value")?, origin, true),
        T::Caa => Ok(format!(
            "{} {} {}",
            f("flags")?,
            f("tag")?,
            rdata::quote(f("value")?.as_bytes())
        )),
        _ => Err(Problem::Invalid(format!("a {rtype} record is not a map"))),
    }
}

/// Cloudflare's values: `content` (v4 also `value`), `priority` for MX, and `data` for SRV
/// and CAA (a block list in v4, an object in v5).
fn cloudflare_value(
    rtype: RecordType,
    v: &Value,
    content: Option<&str>,
    origin: &str,
) -> Result<String, Problem> {
    use RecordType as T;
    let data = match v.get("data") {
        Some(Value::Array(a)) => a.first(),
        Some(Value::Object(_)) => v.get("data"),
        _ => None,
    };
    let priority = || field_text(v, "priority");
    match (rtype, data) {
        (T::Srv, Some(d)) => canonical(
            rtype,
            &format!(
                "{} {} {} {}",
                field_text(d, "priority")?,
                field_text(d, "weight")?,
                field_text(d, "port")?,
                field_text(d, "target")?
            ),
            origin,
            true,
        ),
        (T::Caa, Some(d)) => Ok(format!(
            "{} {} {}",
            field_text(d, "flags")?,
            field_text(d, "tag")?,
            rdata::quote(field_text(d, "value")?.as_bytes())
        )),
        (T::Mx, _) => {
            let exchange =
                content.ok_or_else(|| Problem::Invalid("`content` is missing".into()))?;
            canonical(rtype, &format!("{} {exchange}", priority()?), origin, true)
        }
        (T::Txt | T::Spf, _) => {
            let text = content.ok_or_else(|| Problem::Invalid("`content` is missing".into()))?;
            // v5 asks for TXT content in quotes; v4 took it bare.
            canonical(rtype, text, origin, true)
        }
        _ => {
            let text = content.ok_or_else(|| Problem::Invalid("`content` is missing".into()))?;
            canonical(rtype, text, origin, true)
        }
    }
}

/// What the plans given do to the desired state, once merged into it.
#[derive(Debug, Default)]
pub struct Effects {
    /// Alias RRsets taken out of the head state because their target is deleted: the
    /// zone, name, type, and why.
    pub lost: Vec<(Fqdn, Fqdn, RecordType, String)>,
    /// Records left pointing at a resource a plan deletes, and where they are written.
    pub dangling: Vec<String>,
    pub unknown: Vec<String>,
    pub drift: Vec<String>,
    /// DNS zones a plan deletes or replaces.
    pub zones_gone: Vec<String>,
}

/// A plan and its part in the change: a changed plan is the change (its before in the base,
/// its after in the head); an unchanged one is context (its after on both sides).
pub struct Given {
    pub plan: TerraformPlan,
    pub changed: bool,
}

/// Adds the plans' records to the base and head states (a zone is either read from files or
/// from plans, never both), then takes out of the head every alias whose target a changed
/// plan deletes, and finds every other record left pointing at one.
pub fn merge(
    plans: Vec<Given>,
    base: &mut State,
    head: &mut State,
) -> Result<Effects, Vec<Diagnostic>> {
    let mut effects = Effects::default();
    let mut problems = Vec::new();
    let file_zones: HashSet<Fqdn> = base
        .zones
        .keys()
        .chain(head.zones.keys())
        .cloned()
        .collect();
    let mut into: [BTreeMap<Fqdn, Vec<Record>>; 2] = Default::default();
    let mut gone: HashMap<String, (String, bool, String)> = HashMap::new();
    let mut owner: HashMap<(Fqdn, Fqdn, RecordType), (usize, String)> = HashMap::new();
    let mut zone_plans: HashMap<Fqdn, String> = HashMap::new();
    for (index, Given { plan, changed }) in plans.into_iter().enumerate() {
        let base_file = base.files.len() as u32;
        let head_file = head.files.len() as u32;
        base.files.extend(plan.names.iter().cloned());
        head.files.extend(plan.names.iter().cloned());
        if changed {
            effects.unknown.extend(plan.unknown);
            effects.drift.extend(plan.drift);
            effects.zones_gone.extend(plan.zones_gone);
            // A resource is kept only by one of its own type in the same plan (a replace
            // whose new ID is known, a profile recreated under the same name): never by
            // another plan, or by another kind of resource naming the same thing.
            for g in plan.gone {
                for id in g.ids {
                    if !plan.kept.contains(&(g.rtype.clone(), id.clone())) {
                        gone.insert(id, (g.address.clone(), g.replaced, plan.shown.clone()));
                    }
                }
            }
        }
        let (before, after) = if changed {
            (plan.before, plan.after)
        } else {
            (plan.after.clone(), plan.after)
        };
        for (side, records, offset) in [(0, before, base_file), (1, after, head_file)] {
            for (zone, mut record) in records {
                zone_plans
                    .entry(zone.clone())
                    .or_insert_with(|| plan.shown.clone());
                if file_zones.contains(&zone) {
                    problems.push(Diagnostic::new(
                        "plan-invalid",
                        format!(
                            "the zone `{zone}` is read from files and also managed by `{}`: a zone has one source",
                            plan.names[record.origin.file as usize]
                        ),
                    ).help("list the zone in `[sources]` once: either its zone or octoDNS files, or the Terraform plans that manage it"));
                    continue;
                }
                // An RRset belongs to one plan, on either side: two plans naming it would let
                // one cancel the other's change.
                {
                    let key = (zone.clone(), record.name.clone(), record.rtype);
                    let first = owner
                        .entry(key.clone())
                        .or_insert_with(|| (index, plan.shown.clone()));
                    if first.0 != index {
                        let first = &first.1;
                        problems.push(
                            Diagnostic::new(
                                "plan-invalid",
                                format!(
                                    "`{} {}` is managed by two plans: `{first}` and `{}`",
                                    key.1, key.2, plan.shown
                                ),
                            )
                            .help("each record belongs to one Terraform configuration; give each plan file its own records, and name a plan either in `[sources]` or with `--terraform-plan`, not both"),
                        );
                    }
                }
                record.origin.file += offset;
                into[side].entry(zone).or_default().push(record);
            }
        }
    }
    if !problems.is_empty() {
        problems.sort_by(|a, b| a.message.cmp(&b.message));
        problems.dedup_by(|a, b| a.message == b.message);
        return Err(problems);
    }
    let [before, after] = into;
    for (state, zones) in [(&mut *base, before), (&mut *head, after)] {
        for (zone, records) in zones {
            let shown = zone_plans.get(&zone).cloned().unwrap_or_default();
            state.zone_files.entry(zone.clone()).or_insert(shown);
            state
                .zones
                .insert(zone.clone(), Zone::from_records(zone, records));
        }
    }
    if gone.is_empty() {
        return Ok(effects);
    }
    let cause = |(address, replaced, shown): &(String, bool, String)| {
        format!(
            "`{address}`, which `{shown}` {}",
            if *replaced {
                "replaces (deletes, then creates anew)"
            } else {
                "deletes"
            }
        )
    };
    for (zone_name, zone) in &mut head.zones {
        let mut lost = Vec::new();
        zone.rrsets.retain(|rrset| {
            let target = rrset
                .values
                .iter()
                .find_map(|v| v.strip_prefix(ALIAS_PREFIX))
                .map(identifier);
            match target.as_ref().and_then(|t| gone.get(t)) {
                Some(by) => {
                    lost.push((rrset.name.clone(), rrset.rtype, cause(by), rrset.origin));
                    false
                }
                None => true,
            }
        });
        for (name, rtype, why, origin) in lost {
            let file = head
                .files
                .get(origin.file as usize)
                .cloned()
                .unwrap_or_default();
            effects.dangling.push(format!(
                "`{name} {rtype}` ({file}) is an alias of {why}: it will answer nothing; delete the alias record in this change (its deletion goes through the deletion gate) or point it at a resource that stays"
            ));
            effects.lost.push((
                zone_name.clone(),
                name,
                rtype,
                format!("its alias target {why}"),
            ));
        }
        for rrset in &zone.rrsets {
            for target in rrset.targets() {
                if let Some(by) = gone.get(&identifier(target)) {
                    let file = head
                        .files
                        .get(rrset.origin.file as usize)
                        .cloned()
                        .unwrap_or_default();
                    effects.dangling.push(format!(
                        "`{} {}` ({file}:{}) points at `{target}`, the DNS name of {}: it will answer nothing; delete or repoint it in this change",
                        rrset.name, rrset.rtype, rrset.origin.line, cause(by)
                    ));
                }
            }
        }
    }
    effects.dangling.sort();
    effects.dangling.dedup();
    Ok(effects)
}

impl Effects {
    /// Says why each lost alias's deletion is in the diff.
    pub fn explain(&self, diff: &mut super::ZoneDiff) {
        for (zone, name, rtype, why) in &self.lost {
            if let Some(change) = diff.changes.iter_mut().find(|c| {
                c.kind == super::ChangeKind::Delete
                    && &c.zone == zone
                    && c.name() == name
                    && c.rtype() == *rtype
            }) {
                change.cause = Some(why.clone());
            }
        }
    }
}

/// Reads the plans `[sources] terraform_plans` matches through `files`, each as the change
/// when `base` (the same globs read at the base) lacks it or holds other bytes, else as context.
pub fn load_plans(
    files: &dyn super::Files,
    base: Option<&dyn super::Files>,
    globs: &[String],
) -> Result<Vec<Given>, Vec<Diagnostic>> {
    let mut given = Vec::new();
    let mut problems = Vec::new();
    for pattern in globs {
        let paths = files.list(pattern).map_err(|e| {
            vec![Diagnostic::new(
                "config-invalid",
                format!("`[sources] terraform_plans`: {e}"),
            )]
        })?;
        for path in paths {
            let shown = files.display(&path);
            let bytes = match files.read_bytes(&path) {
                Ok(bytes) => bytes,
                Err(e) => {
                    problems.push(Diagnostic::new(
                        "plan-invalid",
                        format!("cannot read the Terraform plan `{shown}`: {e}"),
                    ));
                    continue;
                }
            };
            let changed = base.is_none_or(|b| b.read_bytes(&path).ok().as_ref() != Some(&bytes));
            match read_plan_bytes(&shown, bytes) {
                Ok(plan) => given.push(Given { plan, changed }),
                Err(mut p) => problems.append(&mut p),
            }
        }
        // A plan the range deletes still describes what Terraform manages: deleting the file
        // deletes no record, so its records stay (as context) for the aliases in them.
        let Some(base) = base else { continue };
        let at_head = files.list(pattern).unwrap_or_default();
        for path in base.list(pattern).unwrap_or_default() {
            if at_head.contains(&path) {
                continue;
            }
            let shown = base.display(&path);
            match base
                .read_bytes(&path)
                .map_err(|e| {
                    vec![Diagnostic::new(
                        "plan-invalid",
                        format!("cannot read the Terraform plan `{shown}` at the base: {e}"),
                    )]
                })
                .and_then(|bytes| read_plan_bytes(&shown, bytes))
            {
                Ok(plan) => given.push(Given {
                    plan,
                    changed: false,
                }),
                Err(mut p) => problems.append(&mut p),
            }
        }
    }
    if problems.is_empty() {
        Ok(given)
    } else {
        Err(problems)
    }
}

/// Reads plan files a person named on the command line (CI's artifact, anywhere).
pub fn load_named(paths: &[std::path::PathBuf]) -> Result<Vec<Given>, Vec<Diagnostic>> {
    let mut given = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let shown = crate::model::display_path(path);
        let read = super::files::read_named(path);
        match read.map(|text| read_plan(&shown, &text)) {
            Ok(Ok(plan)) => given.push(Given {
                plan,
                changed: true,
            }),
            Ok(Err(mut p)) => problems.append(&mut p),
            Err(e) => problems.push(
                Diagnostic::new(
                    "plan-invalid",
                    format!("cannot read the Terraform plan `{shown}`: {e}"),
                )
                .help("write it with `terraform show -json PLANFILE > plan.json`"),
            ),
        }
    }
    if problems.is_empty() {
        Ok(given)
    } else {
        Err(problems)
    }
}

fn read_plan_bytes(shown: &str, bytes: Vec<u8>) -> Result<TerraformPlan, Vec<Diagnostic>> {
    let text = String::from_utf8(bytes).map_err(|_| {
        vec![Diagnostic::new(
            "plan-invalid",
            format!("{shown}: not UTF-8 text, so not the JSON `terraform show -json` writes"),
        )]
    })?;
    read_plan(shown, &text)
}
