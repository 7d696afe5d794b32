//! Reading a ticket file into a [`Ticket`], collecting every problem.

use std::path::Path;

use toml::Spanned;

use super::*;
use crate::diag::Diagnostic;
use crate::document::{Fields, Reader, Value};

/// Reads and validates a ticket. `Err` holds every problem found, in file order.
pub fn read_ticket(file: SourceFile, path: &Path) -> Result<Ticket, Vec<Diagnostic>> {
    let text = file.text.clone();
    let mut r = Reader::new(file, "ticket-invalid");
    let Some(root) = r.parse(&text) else {
        return Err(r.problems);
    };
    let mut top = r.root(&root);

    let id = top
        .require(&mut r, "id", "\"CHG-1042\"")
        .and_then(|v| r.parsed(v, "id", parse_id));
    if let Some(id) = &id {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if stem != id.get_ref() {
            r.error(
                id.span(),
                format!(
                    "the ticket `id` is `{}` but the file is named `{stem}`",
                    id.get_ref()
                ),
                "does not match the file name",
                Some(format!(
                    "rename the file to `{}.toml` or set `id = \"{stem}\"`",
                    id.get_ref()
                )),
            );
        }
    }
    let title = top
        .require(
            &mut r,
            "title",
            "\"Retire the old traffic-manager profile\"",
        )
        .and_then(|v| r.text_field(v, "title"));
    let author = top
        .require(&mut r, "author", "\"alice@example.com\"")
        .and_then(|v| r.parsed(v, "author", parse_principal));
    let kind = match top.get("kind") {
        Some(v) => r.parsed(v, "kind", Kind::parse),
        None => Some(Spanned::new(0..0, Kind::Normal)),
    };
    let intent = top.get("intent").and_then(|v| read_intent(&mut r, v));
    let blast_radius = top
        .get("blast_radius")
        .and_then(|v| read_blast_radius(&mut r, v));
    let changes = top
        .require(
            &mut r,
            "change",
            "[{ action = \"delete\", name = \"old.example.com\", type = \"A\" }]",
        )
        .and_then(|v| r.array(v, "change", read_change));
    if let Some(changes) = &changes {
        check_changes(&mut r, changes);
    }
    let deployment = top
        .get("deployment")
        .and_then(|v| read_deployment(&mut r, v));
    let rollback = top.get("rollback").and_then(|v| read_rollback(&mut r, v));
    let health_signals = top
        .get("health_signal")
        .map(|v| r.array(v, "health_signal", read_health_signal));
    top.finish(&mut r);

    if !r.problems.is_empty() {
        r.problems
            .sort_by_key(|d| d.location.as_ref().map(|l| l.span.start).unwrap_or(0));
        return Err(r.problems);
    }
    // With no problems recorded, every required part is present.
    let (Some(id), Some(title), Some(author), Some(kind), Some(changes)) =
        (id, title, author, kind, changes)
    else {
        unreachable!("a missing required field is always reported")
    };
    Ok(Ticket {
        file: r.file,
        id,
        title: title.into_inner(),
        author,
        kind,
        intent,
        blast_radius,
        changes,
        deployment,
        rollback,
        health_signals: health_signals.flatten().unwrap_or_default(),
    })
}

fn parse_id(text: &str) -> Result<String, String> {
    if text.is_empty()
        || !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        || text.starts_with('.')
    {
        return Err(format!(
            "`{text}` is not a ticket id; use letters, digits, `-`, `_` and `.`, e.g. `CHG-1042`"
        ));
    }
    Ok(text.to_string())
}

/// A principal as it appears in `allowed_signers`: no spaces, commas or quotes.
pub fn parse_principal(text: &str) -> Result<String, String> {
    if text.is_empty()
        || text
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, ',' | '"' | '\''))
    {
        return Err(format!(
            "`{text}` is not a principal; use the identity from `allowed_signers`, e.g. \
             `alice@example.com` (no spaces, commas or quotes)"
        ));
    }
    Ok(text.to_string())
}

fn open<'a, 'i>(r: &mut Reader, v: &'a Value<'i>, path: &str) -> Option<Fields<'a, 'i>> {
    r.table(v, path.to_string())
}

fn read_intent(r: &mut Reader, v: &Value<'_>) -> Option<Spanned<Intent>> {
    let mut t = open(r, v, "intent")?;
    let summary = t
        .get("summary")
        .and_then(|v| r.text_field(v, "intent.summary"));
    let reason = t
        .get("reason")
        .and_then(|v| r.text_field(v, "intent.reason"));
    t.finish(r);
    Some(Spanned::new(v.span(), Intent { summary, reason }))
}

fn read_blast_radius(r: &mut Reader, v: &Value<'_>) -> Option<Spanned<BlastRadius>> {
    let mut t = open(r, v, "blast_radius")?;
    let scope = t
        .get("scope")
        .and_then(|v| r.parsed(v, "blast_radius.scope", Scope::parse));
    let impact = t
        .get("impact")
        .and_then(|v| r.text_field(v, "blast_radius.impact"));
    let mass_change = t
        .get("mass_change")
        .and_then(|v| r.bool(v, "blast_radius.mass_change"))
        .unwrap_or(false);
    t.finish(r);
    Some(Spanned::new(
        v.span(),
        BlastRadius {
            scope,
            impact,
            mass_change,
        },
    ))
}

fn read_change(r: &mut Reader, v: &Value<'_>, path: String) -> Option<DeclaredChange> {
    let mut t = r.table(v, path.clone())?;
    let p = |k: &str| format!("{path}.{k}");
    let action = t
        .require(r, "action", "\"delete\"")
        .and_then(|v| r.parsed(v, &p("action"), Action::parse));
    let name = t
        .require(r, "name", "\"www.example.com\"")
        .and_then(|v| r.parsed(v, &p("name"), Fqdn::parse));
    let rtype = t
        .require(r, "type", "\"A\"")
        .and_then(|v| r.parsed(v, &p("type"), RecordType::parse));
    let values_value = t.get("values");
    let values = values_value.and_then(|v| {
        r.array(v, &p("values"), |r, v, path| {
            r.text_field(v, &path).map(Spanned::into_inner)
        })
    });
    let ttl_value = t.get("ttl");
    let ttl = ttl_value.and_then(|v| {
        let n = r.integer(v, &p("ttl"))?;
        match u32::try_from(n) {
            Ok(ttl) if ttl <= i32::MAX as u32 => Some(ttl),
            _ => {
                r.error(
                    v.span(),
                    format!("`{}` must be between 0 and 2147483647 seconds", p("ttl")),
                    "out of range",
                    None,
                );
                None
            }
        }
    });
    let zone = t
        .get("zone")
        .and_then(|v| r.parsed(v, &p("zone"), Fqdn::parse));
    let reconciles_drift = t
        .get("reconciles_drift")
        .and_then(|v| r.bool(v, &p("reconciles_drift")))
        .unwrap_or(false);
    t.finish(r);

    let (action, name, rtype) = (action?, name?, rtype?);
    if *action.get_ref() == Action::Delete {
        for (key, value) in [("values", values_value), ("ttl", ttl_value)] {
            if let Some(value) = value {
                r.error(
                    value.span(),
                    format!("a delete removes the whole RRset; `{}` has no meaning here", p(key)),
                    "remove this",
                    Some("to remove some values only, declare an `update` with the values that remain".into()),
                );
            }
        }
    } else if matches!(values.as_deref(), Some([])) {
        r.error(
            values_value.map(|v| v.span()).unwrap_or_default(),
            format!(
                "`{}` is empty; an RRset has at least one value",
                p("values")
            ),
            "empty",
            Some("to remove the RRset, declare `action = \"delete\"`".into()),
        );
    }
    if let Some(zone) = &zone {
        if !name.get_ref().is_in(zone.get_ref()) {
            r.error(
                zone.span(),
                format!(
                    "`{}` is not inside the zone `{}`",
                    name.get_ref(),
                    zone.get_ref()
                ),
                "the name is not in this zone",
                Some(
                    "give the zone the name belongs to, or drop `zone` to use the managed zones"
                        .into(),
                ),
            );
        }
    }
    Some(DeclaredChange {
        action: *action.get_ref(),
        name,
        rtype,
        values: values.unwrap_or_default(),
        ttl,
        zone,
        reconciles_drift,
        span: v.span(),
    })
}

/// One RRset may be declared once per ticket.
fn check_changes(r: &mut Reader, changes: &[DeclaredChange]) {
    for (i, change) in changes.iter().enumerate() {
        let earlier = changes[..i].iter().find(|c| {
            c.name.get_ref() == change.name.get_ref() && c.rtype.get_ref() == change.rtype.get_ref()
        });
        if let Some(earlier) = earlier {
            let location = crate::diag::Location::new(&r.file, earlier.span.clone());
            let diagnostic = Diagnostic::new(
                "ticket-invalid",
                format!(
                    "the RRset `{} {}` is declared twice",
                    change.name.get_ref(),
                    change.rtype.get_ref()
                ),
            )
            .at(&r.file, change.span.clone(), "declared again here")
            .related(location, "first declared here")
            .help("declare each RRset once; merge the two changes");
            r.push(diagnostic);
        }
    }
}

fn read_steps(r: &mut Reader, t: &mut Fields<'_, '_>, path: &str) -> Option<Vec<String>> {
    t.get("steps").and_then(|v| {
        r.array(v, &format!("{path}.steps"), |r, v, path| {
            r.text_field(v, &path).map(Spanned::into_inner)
        })
    })
}

fn read_deployment(r: &mut Reader, v: &Value<'_>) -> Option<Spanned<Deployment>> {
    let mut t = open(r, v, "deployment")?;
    let steps = read_steps(r, &mut t, "deployment");
    let window = t.get("window").and_then(|w| {
        let mut wt = r.table(w, "deployment.window".into())?;
        let start = wt
            .require(r, "start", "2025-02-25T14:00:00Z")
            .and_then(|v| r.timestamp(v, "deployment.window.start"));
        let end = wt
            .require(r, "end", "2025-02-25T16:00:00Z")
            .and_then(|v| r.timestamp(v, "deployment.window.end"));
        wt.finish(r);
        let (start, end) = (start?, end?);
        if end.get_ref() <= start.get_ref() {
            r.error(
                end.span(),
                "the deployment window ends before it starts",
                "not after `start`",
                None,
            );
            return None;
        }
        Some(Spanned::new(
            w.span(),
            Window {
                start: *start.get_ref(),
                end: *end.get_ref(),
            },
        ))
    });
    t.finish(r);
    Some(Spanned::new(
        v.span(),
        Deployment {
            steps: steps.unwrap_or_default(),
            window,
        },
    ))
}

fn read_rollback(r: &mut Reader, v: &Value<'_>) -> Option<Spanned<Rollback>> {
    let mut t = open(r, v, "rollback")?;
    let steps = read_steps(r, &mut t, "rollback");
    let last_known_good = t
        .get("last_known_good")
        .and_then(|v| r.text_field(v, "rollback.last_known_good"));
    let time_to_mitigate = t
        .get("time_to_mitigate")
        .and_then(|v| r.parsed(v, "rollback.time_to_mitigate", Duration::parse));
    let rehearsed = t.get("rehearsed").and_then(|v| {
        r.bool(v, "rollback.rehearsed")
            .map(|b| Spanned::new(v.span(), b))
    });
    t.finish(r);
    Some(Spanned::new(
        v.span(),
        Rollback {
            steps: steps.unwrap_or_default(),
            last_known_good,
            time_to_mitigate,
            rehearsed,
        },
    ))
}

fn read_health_signal(
    r: &mut Reader,
    v: &Value<'_>,
    path: String,
) -> Option<Spanned<HealthSignal>> {
    let mut t = r.table(v, path.clone())?;
    let p = |k: &str| format!("{path}.{k}");
    let name = t
        .require(r, "name", "\"resolutions per second\"")
        .and_then(|v| r.text_field(v, &p("name")));
    let query = t
        .require(r, "query", "'sum(rate(dns_resolutions_total[5m]))'")
        .and_then(|v| r.text_field(v, &p("query")));
    let abort_if = t
        .require(r, "abort_if", "\"< 50\"")
        .and_then(|v| r.parsed(v, &p("abort_if"), Threshold::parse));
    let watch = t
        .require(r, "watch", "\"30m\"")
        .and_then(|v| r.parsed(v, &p("watch"), Duration::parse));
    let interval = t
        .get("interval")
        .and_then(|v| r.parsed(v, &p("interval"), Duration::parse));
    let sustained = t
        .get("for")
        .and_then(|v| r.parsed(v, &p("for"), Duration::parse));
    t.finish(r);
    let watch = watch?;
    // A window that holds no evaluation, or a `for` no breach can last, would make `watch` say
    // "healthy" without having looked.
    let every = interval.as_ref().map_or(DEFAULT_INTERVAL, |i| *i.get_ref());
    let held = sustained.as_ref().map_or(0, |f| f.get_ref().as_secs());
    let span = interval.as_ref().map_or(watch.span(), |i| i.span());
    if watch.get_ref().as_secs() > MAX_WATCH.as_secs() {
        r.error(
            watch.span(),
            format!("`{}` is at most {MAX_WATCH}", p("watch")),
            "too long",
            None,
        );
        return None;
    }
    if every.as_secs() == 0 || every.as_secs() * 2 > watch.get_ref().as_secs() {
        r.error(
            span,
            format!(
                "`{}` ({every}) must be at least 1s and leave room for two evaluations in the `watch` window ({})",
                p("interval"),
                watch.get_ref()
            ),
            "here",
            Some("shorten `interval` or lengthen `watch`".into()),
        );
        return None;
    }
    if held + every.as_secs() > watch.get_ref().as_secs() {
        r.error(
            sustained.as_ref().map_or(watch.span(), |f| f.span()),
            format!(
                "`{}` plus `interval` must fit in the `watch` window ({}), or no breach could ever abort",
                p("for"),
                watch.get_ref()
            ),
            "here",
            None,
        );
        return None;
    }
    Some(Spanned::new(
        v.span(),
        HealthSignal {
            name: name?.into_inner(),
            query: query?.into_inner(),
            abort_if: abort_if?.into_inner(),
            watch: watch.into_inner(),
            interval: interval.map_or(DEFAULT_INTERVAL, |i| i.into_inner()),
            sustained: sustained.map_or(Duration::from_secs(0), |f| f.into_inner()),
        },
    ))
}
