//! Reading a policy file into a [`Policy`], collecting every problem.

use std::collections::BTreeMap;
use std::path::Path;

use toml::Spanned;
use toml::de::DeValue;

use super::*;
use crate::diag::Diagnostic;
use crate::document::{Fields, Reader, Value};
use crate::ticket::read::parse_principal;

/// Reads a policy. Tier names in rules and freezes are resolved here; an unknown one is an
/// error pointing at the rule.
pub fn read_policy(file: SourceFile, path: &Path) -> Result<Policy, Vec<Diagnostic>> {
    let text = file.text.clone();
    let mut r = Reader::new(file, "policy-invalid");
    let Some(root) = r.parse(&text) else {
        return Err(r.problems);
    };
    let mut top = r.root(&root);
    let groups = top
        .get("groups")
        .and_then(|v| read_groups(&mut r, v))
        .unwrap_or_default();
    let allowed_signers = top.get("signers").and_then(|v| {
        let mut t = r.table(v, "signers".into())?;
        let file = t
            .require(&mut r, "allowed_signers", "\"allowed_signers\"")
            .and_then(|v| r.text_field(v, "signers.allowed_signers"));
        t.finish(&mut r);
        let file = file?;
        let dir = path.parent().unwrap_or(Path::new(""));
        Some(Spanned::new(file.span(), dir.join(file.get_ref())))
    });
    let tier_value = top.require(&mut r, "tier", "[{ name = \"routine\", require = [] }]");
    // Names come from the raw tree, so a tier with a mistake elsewhere can still be referred
    // to without a second, misleading "unknown tier" error.
    let tier_names = raw_tier_names(tier_value);
    let tiers = tier_value
        .and_then(|v| r.array(v, "tier", read_tier))
        .unwrap_or_default();
    check_tier_names(&mut r, &tiers);
    let inventory = top
        .get("inventory")
        .and_then(|v| r.array(v, "inventory", read_inventory))
        .unwrap_or_default();
    let rules = top
        .get("rule")
        .and_then(|v| r.array(v, "rule", |r, v, p| read_rule(r, v, p, &tier_names)))
        .unwrap_or_default();
    let deletion = top.get("deletion").and_then(|v| read_deletion(&mut r, v));
    let limits = top
        .get("limits")
        .and_then(|v| read_limits(&mut r, v))
        .unwrap_or_default();
    let emergency = top.get("emergency").and_then(|v| read_emergency(&mut r, v));
    let freezes = top
        .get("freeze")
        .and_then(|v| r.array(v, "freeze", |r, v, p| read_freeze(r, v, p, &tier_names)))
        .unwrap_or_default();
    top.finish(&mut r);

    if !r.problems.is_empty() {
        r.problems
            .sort_by_key(|d| d.location.as_ref().map(|l| l.span.start).unwrap_or(0));
        return Err(r.problems);
    }
    Ok(Policy {
        file: r.file,
        groups,
        allowed_signers,
        tiers,
        inventory,
        rules,
        deletion,
        freezes,
        limits,
        emergency,
    })
}

fn read_emergency(r: &mut Reader, v: &Value<'_>) -> Option<Spanned<Emergency>> {
    let mut t = r.table(v, "emergency".into())?;
    let require = t
        .require(r, "require", "[{ group = \"dns-oncall\", count = 1 }]")
        .and_then(|v| r.array(v, "emergency.require", read_requirement));
    let review_within = t
        .require(r, "review_within", "\"24h\"")
        .and_then(|v| r.parsed(v, "emergency.review_within", Duration::parse));
    t.finish(r);
    let (require, review_within) = (require?, review_within?);
    if require.is_empty() {
        r.error(
            v.span(),
            "`emergency.require` is empty: an emergency nobody authorizes is a bypass",
            "in `[emergency]`",
            Some("name who may authorize it, e.g. `require = [{ group = \"dns-oncall\", count = 1 }]`".into()),
        );
        return None;
    }
    if review_within.get_ref().as_secs() == 0 {
        r.error(
            review_within.span(),
            "`emergency.review_within` must be longer than nothing",
            "here",
            Some("give the reviewers time, e.g. `\"24h\"`".into()),
        );
        return None;
    }
    Some(Spanned::new(
        v.span(),
        Emergency {
            require,
            review_within,
        },
    ))
}

fn read_groups(r: &mut Reader, v: &Value<'_>) -> Option<BTreeMap<String, Group>> {
    let DeValue::Table(table) = v.get_ref() else {
        r.table(v, "groups".into());
        return None;
    };
    let mut groups = BTreeMap::new();
    for (key, value) in table.iter() {
        let name = key.get_ref().to_string();
        let path = format!("groups.{name}");
        let members = r.array(value, &path, |r, v, p| r.parsed(v, &p, parse_principal));
        let members = members.unwrap_or_default();
        for (i, member) in members.iter().enumerate() {
            if members[..i].iter().any(|m| m.get_ref() == member.get_ref()) {
                r.error(
                    member.span(),
                    format!(
                        "`{}` is listed twice in the group `{name}`",
                        member.get_ref()
                    ),
                    "duplicate",
                    Some("list each member once".into()),
                );
            }
        }
        groups.insert(
            name.clone(),
            Group {
                name: Spanned::new(key.span(), name),
                members,
            },
        );
    }
    Some(groups)
}

fn read_tier(r: &mut Reader, v: &Value<'_>, path: String) -> Option<Tier> {
    let mut t = r.table(v, path.clone())?;
    let p = |k: &str| format!("{path}.{k}");
    let name = t
        .require(r, "name", "\"high\"")
        .and_then(|v| r.text_field(v, &p("name")));
    let require = t
        .require(r, "require", "[{ group = \"dns-oncall\", count = 1 }]")
        .and_then(|v| r.array(v, &p("require"), read_requirement));
    let require_fields = match t.get("require_fields") {
        Some(v) => r.array(v, &p("require_fields"), |r, v, p| {
            r.parsed(v, &p, FieldPath::parse)
        }),
        None => Some(Vec::new()),
    };
    let approval_ttl = t
        .get("approval_ttl")
        .and_then(|v| r.parsed(v, &p("approval_ttl"), Duration::parse));
    t.finish(r);
    Some(Tier {
        name: name?,
        require: require?,
        require_fields: require_fields?,
        approval_ttl,
        span: v.span(),
    })
}

fn read_requirement(r: &mut Reader, v: &Value<'_>, path: String) -> Option<Requirement> {
    let mut t = r.table(v, path.clone())?;
    let group = t
        .require(r, "group", "\"dns-oncall\"")
        .and_then(|v| r.text_field(v, &format!("{path}.group")));
    let count = match t.get("count") {
        Some(v) => {
            let n = r.integer(v, &format!("{path}.count"))?;
            if !(1..=100).contains(&n) {
                r.error(
                    v.span(),
                    format!("`{path}.count` must be between 1 and 100"),
                    "out of range",
                    Some("to need no approval, leave the requirement out".into()),
                );
                return None;
            }
            n as u32
        }
        None => 1,
    };
    t.finish(r);
    Some(Requirement {
        group: group?.into_inner(),
        count,
        span: v.span(),
    })
}

fn raw_tier_names(tiers: Option<&Value<'_>>) -> Vec<String> {
    let Some(DeValue::Array(items)) = tiers.map(|v| v.get_ref()) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item.get_ref() {
            DeValue::Table(t) => t
                .get("name")
                .and_then(|n| n.get_ref().as_str())
                .map(str::to_string),
            _ => None,
        })
        .collect()
}

fn check_tier_names(r: &mut Reader, tiers: &[Tier]) {
    for (i, tier) in tiers.iter().enumerate() {
        if tiers[..i]
            .iter()
            .any(|t| t.name.get_ref() == tier.name.get_ref())
        {
            r.error(
                tier.name.span(),
                format!("the tier `{}` is defined twice", tier.name.get_ref()),
                "duplicate",
                Some("give every tier its own name".into()),
            );
        }
    }
}

fn tier_ref(r: &mut Reader, v: &Value<'_>, path: &str, tiers: &[String]) -> Option<usize> {
    let name = r.text_field(v, path)?;
    let found = tiers.iter().position(|t| t == name.get_ref());
    if found.is_none() {
        let known = if tiers.is_empty() {
            "none (define `[[tier]]` tables)".to_string()
        } else {
            tiers
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let help = match crate::diag::closest(name.get_ref(), tiers.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`? the tiers are {known}"),
            None => format!("the tiers are {known}"),
        };
        r.error(
            v.span(),
            format!("unknown tier `{}` in `{path}`", name.get_ref()),
            "no `[[tier]]` has this name",
            Some(help),
        );
    }
    found
}

fn read_inventory(r: &mut Reader, v: &Value<'_>, path: String) -> Option<InventoryEntry> {
    let mut t = r.table(v, path.clone())?;
    let p = |k: &str| format!("{path}.{k}");
    let names = t
        .require(r, "names", "[\"autologon.example.com\"]")
        .and_then(|v| r.one_or_many(v, &p("names"), NamePattern::parse));
    let scope = t
        .get("scope")
        .and_then(|v| r.parsed(v, &p("scope"), Scope::parse));
    let critical = t.get("critical").and_then(|v| r.bool(v, &p("critical")));
    let dynamic = t.get("dynamic").and_then(|v| r.bool(v, &p("dynamic")));
    t.finish(r);
    Some(InventoryEntry {
        names: names?,
        scope: scope.map(Spanned::into_inner),
        critical: critical.unwrap_or(false),
        dynamic: dynamic.unwrap_or(false),
        span: v.span(),
    })
}

fn read_rule(r: &mut Reader, v: &Value<'_>, path: String, tiers: &[String]) -> Option<Rule> {
    let mut t = r.table(v, path.clone())?;
    let when = t
        .require(r, "when", "{ action = \"delete\" }")
        .and_then(|w| read_conditions(r, w, format!("{path}.when")));
    let tier = t
        .require(r, "tier", "\"high\"")
        .and_then(|v| tier_ref(r, v, &format!("{path}.tier"), tiers));
    t.finish(r);
    Some(Rule {
        when: when?,
        tier: tier?,
        span: v.span(),
    })
}

fn read_conditions(r: &mut Reader, v: &Value<'_>, path: String) -> Option<Conditions> {
    let mut t: Fields<'_, '_> = r.table(v, path.clone())?;
    let p = |k: &str| format!("{path}.{k}");
    let mut ok = true;
    let scope = condition(r, &mut t, "scope", Scope::parse, &mut ok);
    let kind = condition(r, &mut t, "kind", Kind::parse, &mut ok);
    let action = condition(r, &mut t, "action", Action::parse, &mut ok);
    let rtype = condition(r, &mut t, "type", RecordType::parse, &mut ok);
    let name = condition(r, &mut t, "name", NamePattern::parse, &mut ok);
    let zone = condition(r, &mut t, "zone", Fqdn::parse, &mut ok);
    let critical = t.get("critical").map(|v| r.bool(v, &p("critical")));
    let type_change = t.get("type_change").map(|v| r.bool(v, &p("type_change")));
    t.finish(r);
    if !ok || matches!(critical, Some(None)) || matches!(type_change, Some(None)) {
        return None;
    }
    Some(Conditions {
        scope,
        kind,
        action,
        rtype,
        name,
        zone,
        critical: critical.flatten(),
        type_change: type_change.flatten(),
    })
}

/// One value or a list of values for a rule condition.
fn condition<T>(
    r: &mut Reader,
    t: &mut Fields<'_, '_>,
    key: &'static str,
    parse: fn(&str) -> Result<T, String>,
    ok: &mut bool,
) -> Vec<T> {
    let path = t.path_of(key);
    match t.get(key).map(|v| r.one_or_many(v, &path, parse)) {
        Some(Some(values)) => values.into_iter().map(Spanned::into_inner).collect(),
        Some(None) => {
            *ok = false;
            Vec::new()
        }
        None => Vec::new(),
    }
}

fn read_limits(r: &mut Reader, v: &Value<'_>) -> Option<Limits> {
    let mut t = r.table(v, "limits".into())?;
    let mut limits = Limits::default();
    let mut percent = |r: &mut Reader, key: &'static str, slot: &mut f64| {
        if let Some(v) = t.get(key) {
            match r.integer(v, &format!("limits.{key}")) {
                Some(n) if (1..=100).contains(&n) => *slot = n as f64,
                Some(_) => r.error(
                    v.span(),
                    format!("`limits.{key}` is a percentage from 1 to 100"),
                    "here",
                    None,
                ),
                None => {}
            }
        }
    };
    percent(r, "max_update_pct", &mut limits.max_update_pct);
    percent(r, "max_delete_pct", &mut limits.max_delete_pct);
    if let Some(v) = t.get("min_existing") {
        match r.integer(v, "limits.min_existing") {
            Some(n) if n >= 0 => limits.min_existing = n as usize,
            Some(_) => r.error(
                v.span(),
                "`limits.min_existing` is a count of RRsets, 0 or more",
                "here",
                None,
            ),
            None => {}
        }
    }
    if let Some(v) = t.get("negative_ttl") {
        match r.integer(v, "limits.negative_ttl") {
            Some(n) if (0..=i64::from(u32::MAX)).contains(&n) => limits.negative_ttl = n as u32,
            Some(_) => r.error(
                v.span(),
                "`limits.negative_ttl` is a TTL in seconds",
                "here",
                None,
            ),
            None => {}
        }
    }
    t.finish(r);
    Some(limits)
}

fn read_deletion(r: &mut Reader, v: &Value<'_>) -> Option<Spanned<DeletionPolicy>> {
    let mut t = r.table(v, "deletion".into())?;
    // Optional here: the `prometheus` backend needs it, query logs do not (`lint` says so).
    let query = t
        .get("query")
        .and_then(|v| r.text_field(v, "deletion.query"));
    let coverage_query = t
        .get("coverage_query")
        .and_then(|v| r.text_field(v, "deletion.coverage_query"));
    let window = t
        .require(r, "window", "\"14d\"")
        .and_then(|v| r.parsed(v, "deletion.window", Duration::parse));
    let max_gap = t
        .get("max_gap")
        .and_then(|v| r.parsed(v, "deletion.max_gap", Duration::parse));
    let wildcard_query = t
        .get("wildcard_query")
        .and_then(|v| r.text_field(v, "deletion.wildcard_query"));
    let subtree_query = t
        .get("subtree_query")
        .and_then(|v| r.text_field(v, "deletion.subtree_query"));
    let completeness_query = t
        .get("completeness_query")
        .and_then(|v| r.text_field(v, "deletion.completeness_query"));
    let completeness_min = t.get("completeness_min").and_then(|v| {
        let share = match v.get_ref() {
            toml::de::DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            toml::de::DeValue::Integer(i) => i.as_str().parse::<f64>().ok(),
            _ => None,
        };
        match share {
            Some(share) if (0.0..=1.0).contains(&share) && share > 0.0 => Some(share),
            _ => {
                r.error(
                    v.span(),
                    "`deletion.completeness_min` must be a share between 0 and 1, such as 0.99",
                    "here",
                    None,
                );
                None
            }
        }
    });
    t.finish(r);
    for query in [
        &query,
        &coverage_query,
        &wildcard_query,
        &subtree_query,
        &completeness_query,
    ]
    .into_iter()
    .flatten()
    {
        if let Err(message) = crate::policy::template::check(query.get_ref()) {
            r.error(
                query.span(),
                format!("invalid query template: {message}"),
                "here",
                None,
            );
        }
    }
    Some(Spanned::new(
        v.span(),
        DeletionPolicy {
            query,
            coverage_query,
            window: window?,
            max_gap,
            wildcard_query,
            subtree_query,
            completeness_query,
            completeness_min,
        },
    ))
}

fn read_freeze(r: &mut Reader, v: &Value<'_>, path: String, tiers: &[String]) -> Option<Freeze> {
    let mut t = r.table(v, path.clone())?;
    let p = |k: &str| format!("{path}.{k}");
    let start = t
        .require(r, "start", "2025-12-20T00:00:00Z")
        .and_then(|v| r.timestamp(v, &p("start")));
    let end = t
        .require(r, "end", "2026-01-05T00:00:00Z")
        .and_then(|v| r.timestamp(v, &p("end")));
    let tier = t.get("tier").map(|v| tier_ref(r, v, &p("tier"), tiers));
    let reason = t.get("reason").and_then(|v| r.text_field(v, &p("reason")));
    t.finish(r);
    let (start, end) = (start?, end?);
    if end.get_ref() <= start.get_ref() {
        r.error(
            end.span(),
            "the freeze ends before it starts",
            "not after `start`",
            None,
        );
        return None;
    }
    Some(Freeze {
        window: Window {
            start: start.into_inner(),
            end: end.into_inner(),
        },
        tier: match tier {
            Some(Some(t)) => Some(t),
            Some(None) => return None,
            None => None,
        },
        reason: reason.map(Spanned::into_inner),
        span: v.span(),
    })
}
