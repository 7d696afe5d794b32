//! Evidence for the deletion gate: how often a name was resolved over the window, and whether
//! telemetry for its zone flows at all. Backends ask the outside world and return plain
//! [`Measurement`]s; they never decide. Every failure becomes a measurement that says what
//! went wrong, so the gate can refuse with a reason (fail closed).

mod clickhouse;
mod command;
mod file;
mod http;
mod prometheus;
pub mod signals;

/// How a Prometheus answer (HTTP status and body) is read: one number, empty, or why neither.
pub use prometheus::parse_response as parse_prometheus_response;

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::future::join_all;
use serde::Serialize;

use crate::config::{Config, MetricsConfig};
use crate::model::{Duration, Fqdn, RecordType};
use crate::policy::{DEFAULT_COMPLETENESS_MIN, DeletionPolicy, template};
use crate::zone::Files;

/// What a query returned.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "value")]
pub enum Outcome {
    /// Exactly one finite number.
    Value(f64),
    /// No series at all: nothing was ever recorded for the selector.
    Empty,
    /// The source says its logs cover the whole window, without a number for the zone (the
    /// `command` protocol's `covered_from` and `covered_to`).
    Covered,
}

impl Outcome {
    /// The number an empty result stands for.
    pub fn as_number(&self) -> f64 {
        match self {
            Self::Value(v) => *v,
            Self::Empty | Self::Covered => 0.0,
        }
    }

    /// Whether a zone's coverage shows telemetry flowing.
    pub fn shows_telemetry(&self) -> bool {
        match self {
            Self::Value(v) => *v > 0.0,
            Self::Empty => false,
            Self::Covered => true,
        }
    }
}

/// How much of what the DNS server answered for a zone its logs hold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Completeness {
    /// Queries for the zone in the logs over the window.
    pub logged: f64,
    /// Queries the server says it answered for the zone over the window.
    pub answered: f64,
    /// The least share the policy accepts (`completeness_min`).
    pub min: f64,
    /// The server's counter query, as sent.
    pub query: String,
}

/// One query and its result or the reason it has none.
#[derive(Clone, Debug, Serialize)]
pub struct Measurement {
    /// Where it came from: the Prometheus URL or the CSV file.
    pub source: String,
    /// The query as sent (or, for the file backend, the row looked up).
    pub query: String,
    #[serde(serialize_with = "crate::model::ser_timestamp")]
    pub evaluated_at: jiff::Timestamp,
    #[serde(flatten)]
    pub result: Result<Outcome, String>,
    /// For a zone's coverage: where in the window telemetry is missing, if anywhere. A count
    /// over a window the telemetry does not cover proves nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<String>,
    /// For a zone's coverage, when the policy asks for it: the logs against the server's own
    /// count of what it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completeness: Option<Completeness>,
    /// The count over each step of the window (`[unix time, value]`), for people to see the
    /// traffic's shape; never part of the decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<(i64, f64)>>,
}

impl Measurement {
    pub(crate) fn new(
        source: String,
        query: String,
        at: jiff::Timestamp,
        result: Result<Outcome, String>,
    ) -> Self {
        Self {
            source,
            query,
            evaluated_at: at,
            result,
            gap: None,
            completeness: None,
            history: None,
        }
    }
}

/// Everything the deletion gate needs, gathered before deciding.
#[derive(Clone, Debug, Default)]
pub struct DeletionFacts {
    pub window: Option<Duration>,
    pub rrsets: BTreeMap<(Fqdn, RecordType), Measurement>,
    pub zones: BTreeMap<Fqdn, Measurement>,
    /// Why nothing could be measured at all (no backend configured, no `[deletion]`).
    pub unavailable: Option<String>,
}

/// An RRset whose deletion must be proven unused.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DeletionTarget {
    pub name: Fqdn,
    pub rtype: RecordType,
    pub zone: Fqdn,
    /// The RRset's TTL before the change, where the diff has it: resolvers may answer from
    /// cache for that long, unseen by logs at the authoritative servers.
    pub ttl: Option<u32>,
}

/// Which questions a deleted RRset stops answering, and so which query measures it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Questions for the name itself: `[deletion] query`.
    Name,
    /// A wildcard (`*.example.com`) answers names nobody wrote down, never its own:
    /// `wildcard_query`, with `{name}` the part after `*.`.
    Wildcard,
    /// A delegation (NS) or a DNAME answers for every name below it: `subtree_query`.
    Subtree,
}

impl Reach {
    pub fn of(name: &Fqdn, rtype: RecordType) -> Self {
        if name.as_str().starts_with("*.") || name.as_str() == "*" {
            Self::Wildcard
        } else if matches!(rtype, RecordType::Ns | RecordType::Dname) {
            Self::Subtree
        } else {
            Self::Name
        }
    }

    /// The policy's template for this reach, and the key it is written under.
    pub fn template<'p>(&self, policy: &'p DeletionPolicy) -> (&'static str, Option<&'p str>) {
        let get = |q: &'p Option<toml::Spanned<String>>| q.as_ref().map(|q| q.get_ref().as_str());
        match self {
            Self::Name => ("query", get(&policy.query)),
            Self::Wildcard => ("wildcard_query", get(&policy.wildcard_query)),
            Self::Subtree => ("subtree_query", get(&policy.subtree_query)),
        }
    }
}

/// Measures every target and every zone they lie in, concurrently with a bound.
///
/// Files the backend reads (the `file` backend's export) come through `files`: the same tree
/// the config was read from, so that with `--base` the evidence is the base's, like the policy.
pub async fn measure_deletions(
    config: &Config,
    files: &dyn Files,
    policy: Option<&DeletionPolicy>,
    targets: &[DeletionTarget],
    now: jiff::Timestamp,
) -> DeletionFacts {
    let mut facts = DeletionFacts::default();
    if targets.is_empty() {
        return facts;
    }
    let Some(policy) = policy else {
        facts.unavailable = Some("the policy has no `[deletion]` section".into());
        return facts;
    };
    facts.window = Some(*policy.window.get_ref());
    let Some(metrics) = config.metrics.as_ref() else {
        facts.unavailable = Some(
            "`changegate.toml` has no `[metrics]` section, so no deletion can be proven unused"
                .into(),
        );
        return facts;
    };
    // A command runs among the files the config was read from: with `--base`, a copy of the
    // base commit's, so that a change cannot edit the program, what it imports or reads.
    let folder = match metrics {
        MetricsConfig::Command { .. } => match files.folder() {
            Ok(folder) => Some(folder),
            Err(e) => {
                facts.unavailable = Some(format!(
                    "cannot prepare the folder to run the command in: {e}"
                ));
                return facts;
            }
        },
        _ => None,
    };
    let root = folder.as_ref().map_or(config.root.as_path(), |f| f.path());
    let backend = match Backend::new(metrics, files, root) {
        Ok(backend) => backend,
        Err(reason) => {
            facts.unavailable = Some(reason);
            return facts;
        }
    };
    match backend {
        Backend::Prometheus(_) | Backend::File(_) => {
            measure_with_templates(&mut facts, Arc::new(backend), policy, targets, now).await;
        }
        Backend::ClickHouse(ch) => measure_logs(&mut facts, &ch, policy, targets, now).await,
        Backend::Command(cmd) => measure_command(&mut facts, &cmd, policy, targets, now).await,
    }
    if let Some(query) = &policy.completeness_query {
        check_completeness(&mut facts, config, policy, query.get_ref(), now).await;
    }
    facts
}

/// The window ending at `now`.
fn window_start(policy: &DeletionPolicy, now: jiff::Timestamp) -> jiff::Timestamp {
    now - jiff::SignedDuration::from_secs(policy.window.get_ref().as_secs() as i64)
}

fn stamp(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The zones of the targets, each once.
fn zones_of(targets: &[DeletionTarget]) -> Vec<&Fqdn> {
    let mut zones: Vec<&Fqdn> = targets.iter().map(|t| &t.zone).collect();
    zones.sort();
    zones.dedup();
    zones
}

/// Query logs in ClickHouse: a count per target, and per zone the rows of every listed server
/// in every hour of the window.
async fn measure_logs(
    facts: &mut DeletionFacts,
    ch: &clickhouse::ClickHouse,
    policy: &DeletionPolicy,
    targets: &[DeletionTarget],
    now: jiff::Timestamp,
) {
    let start = window_start(policy, now);
    let limit = &tokio::sync::Semaphore::new(ch.concurrency);
    let counts = targets.iter().map(|target| async move {
        let _permit = limit.acquire().await;
        let (sql, result) = ch.count(target, start, now).await;
        let result = result.map(|n| Outcome::Value(n as f64));
        (target, Measurement::new(ch.url.clone(), sql, now, result))
    });
    let zones = zones_of(targets);
    let coverages = zones.iter().map(|zone| async move {
        let _permit = limit.acquire().await;
        let (sql, result) = ch.coverage(zone, start, now).await;
        let mut m = Measurement::new(ch.url.clone(), sql, now, Ok(Outcome::Empty));
        match result {
            Err(e) => m.result = Err(e),
            Ok(coverage) => {
                m.result = Ok(Outcome::Value(coverage.total as f64));
                if let Some((server, at, hours)) = coverage.missing.first() {
                    let others = coverage.missing.len() - 1;
                    m.gap = Some(format!(
                        "the server `{server}` has no query rows for the zone in {hours} hour(s) of the window, the first from {}{}",
                        stamp(*at),
                        if others > 0 {
                            format!(", and {others} other listed server(s) have gaps too")
                        } else {
                            String::new()
                        }
                    ));
                }
            }
        }
        ((*zone).clone(), m)
    });
    let (counts, coverages) = tokio::join!(join_all(counts), join_all(coverages));
    for (target, m) in counts {
        facts.rrsets.insert((target.name.clone(), target.rtype), m);
    }
    facts.zones.extend(coverages);
}

/// A command that answers the JSON-lines protocol: one run for every target. The zone is
/// covered when every answer for it covers the whole window.
async fn measure_command(
    facts: &mut DeletionFacts,
    cmd: &command::Command,
    policy: &DeletionPolicy,
    targets: &[DeletionTarget],
    now: jiff::Timestamp,
) {
    let start = window_start(policy, now);
    let answers = cmd.ask(targets, start, now).await;
    let query = |t: &DeletionTarget| {
        format!(
            "{} {} ({}) from {} to {}",
            t.name.to_dotted(),
            t.rtype.asked_as(),
            match Reach::of(&t.name, t.rtype) {
                Reach::Name => "the name",
                Reach::Wildcard => "what the wildcard answers",
                Reach::Subtree => "the name and everything below it",
            },
            stamp(start),
            stamp(now)
        )
    };
    let zone_query = format!(
        "covered_from and covered_to of every answer for the zone, from {} to {}",
        stamp(start),
        stamp(now)
    );
    match answers {
        Err(e) => {
            for target in targets {
                let m = Measurement::new(cmd.source(), query(target), now, Err(e.clone()));
                facts.rrsets.insert((target.name.clone(), target.rtype), m);
            }
            for zone in zones_of(targets) {
                let m = Measurement::new(cmd.source(), zone_query.clone(), now, Err(e.clone()));
                facts.zones.insert(zone.clone(), m);
            }
        }
        Ok(answers) => {
            for zone in zones_of(targets) {
                let m =
                    Measurement::new(cmd.source(), zone_query.clone(), now, Ok(Outcome::Covered));
                facts.zones.insert(zone.clone(), m);
            }
            for (target, answer) in targets.iter().zip(answers) {
                let m = Measurement::new(
                    cmd.source(),
                    query(target),
                    now,
                    Ok(Outcome::Value(answer.count as f64)),
                );
                facts.rrsets.insert((target.name.clone(), target.rtype), m);
                // At the protocol's precision: whole seconds.
                if answer.covered_from.as_second() > start.as_second()
                    || answer.covered_to.as_second() < now.as_second()
                {
                    if let Some(zone) = facts.zones.get_mut(&target.zone) {
                        if zone.gap.is_none() {
                            zone.gap = Some(format!(
                                "the answer for `{}` covers {} to {}, not the whole window {} to {}",
                                target.name,
                                stamp(answer.covered_from),
                                stamp(answer.covered_to),
                                stamp(start),
                                stamp(now)
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// Compares each zone's logged total with what the DNS server says it answered, from
/// `[metrics.server]`: logs that lost messages look exactly like zero traffic.
async fn check_completeness(
    facts: &mut DeletionFacts,
    config: &Config,
    policy: &DeletionPolicy,
    template: &str,
    now: jiff::Timestamp,
) {
    let min = policy.completeness_min.unwrap_or(DEFAULT_COMPLETENESS_MIN);
    let server = match &config.metrics_server {
        Some(MetricsConfig::Prometheus {
            url,
            bearer_token_env,
            timeout,
            concurrency,
        }) => prometheus::Prometheus::new(url, bearer_token_env.as_deref(), *timeout, *concurrency),
        _ => Err("the policy sets `completeness_query`, but `changegate.toml` has no `[metrics.server]` to run it on".into()),
    };
    let window = policy.window.get_ref().to_string();
    for (zone, coverage) in facts.zones.iter_mut() {
        if coverage.result.is_err() {
            continue;
        }
        let vars = template::Vars {
            name: zone.as_str(),
            fqdn: &zone.to_dotted(),
            rtype: "",
            zone: zone.as_str(),
            window: &window,
        };
        let query = template::render(template, &vars);
        let answered = match &server {
            Ok(server) => server.instant(&query, now).await,
            Err(e) => Err(e.clone()),
        };
        let logged = match coverage.result {
            Ok(Outcome::Value(v)) => Some(v),
            Ok(Outcome::Empty) => Some(0.0),
            _ => None,
        };
        let problem = match (answered, logged) {
            (Err(e), _) => Some(format!("cannot prove the logs complete: {e}")),
            (Ok(_), None) => Some("cannot prove the logs complete: this backend gives no total for the zone to compare with the server's count".into()),
            (Ok(answered), Some(logged)) => {
                let answered = answered.as_number();
                coverage.completeness = Some(Completeness {
                    logged,
                    answered,
                    min,
                    query: query.clone(),
                });
                if answered <= 0.0 {
                    Some("the server's own counter shows no answers for the zone, so the logs cannot be checked against it".into())
                } else if logged / answered < min {
                    Some(format!(
                        "the logs hold {} queries for the zone, but the server answered {} ({:.2}%), below `completeness_min` {}%: the logs lost messages, and lost logs look exactly like zero traffic",
                        logged,
                        answered,
                        100.0 * logged / answered,
                        100.0 * min
                    ))
                } else {
                    None
                }
            }
        };
        if let Some(problem) = problem {
            coverage.gap = Some(match coverage.gap.take() {
                Some(gap) => format!("{gap}; {problem}"),
                None => problem,
            });
        }
    }
}

/// The policy's templates against a query store (every probe of the window too), or the
/// export's rows.
async fn measure_with_templates(
    facts: &mut DeletionFacts,
    backend: Arc<Backend>,
    policy: &DeletionPolicy,
    targets: &[DeletionTarget],
    now: jiff::Timestamp,
) {
    let window = policy.window.get_ref().to_string();
    let mut jobs: Vec<(Job, String, jiff::Timestamp)> = Vec::new();
    let mut zones: Vec<&Fqdn> = Vec::new();
    for target in targets {
        let reach = Reach::of(&target.name, target.rtype);
        // A query store needs a template for the reach; without one the gate refuses the
        // target, so there is nothing to ask. A file export answers every reach itself.
        let template = reach.template(policy).1;
        if template.is_none() && backend.probes() {
            continue;
        }
        let name = match reach {
            Reach::Wildcard => target
                .name
                .as_str()
                .strip_prefix("*.")
                .unwrap_or_default()
                .to_string(),
            _ => target.name.as_str().to_string(),
        };
        let vars = template::Vars {
            name: &name,
            fqdn: &target.name.to_dotted(),
            rtype: &target.rtype.asked_as().as_str(),
            zone: target.zone.as_str(),
            window: &window,
        };
        jobs.push((
            Job::RRset(target.name.clone(), target.rtype),
            template.map_or_else(String::new, |t| template::render(t, &vars)),
            now,
        ));
        // A provider record (ALIAS, URLFWD) answers AAAA too: asked again, and summed.
        if target.rtype.is_provider_record() && backend.probes() {
            let vars = template::Vars {
                rtype: "AAAA",
                ..vars
            };
            jobs.push((
                Job::RRset(target.name.clone(), target.rtype),
                template.map_or_else(String::new, |t| template::render(t, &vars)),
                now,
            ));
        }
        if !zones.contains(&&target.zone) {
            zones.push(&target.zone);
        }
    }
    let gap = policy.max_gap();
    for zone in zones {
        let render = |window: &str| match &policy.coverage_query {
            Some(q) => {
                let vars = template::Vars {
                    name: zone.as_str(),
                    fqdn: &zone.to_dotted(),
                    rtype: "",
                    zone: zone.as_str(),
                    window,
                };
                template::render(q.get_ref(), &vars)
            }
            None => String::new(),
        };
        jobs.push((Job::Zone(zone.clone()), render(&window), now));
        // The whole window, not only its sum: the coverage over each `max_gap`, ending every
        // half `max_gap` from now back to the window's start.
        if backend.probes() {
            let step = jiff::SignedDuration::from_secs(gap.as_secs() as i64 / 2);
            let start = now
                - jiff::SignedDuration::from_secs(policy.window.get_ref().as_secs() as i64)
                + jiff::SignedDuration::from_secs(gap.as_secs() as i64);
            let mut at = now;
            while at >= start {
                jobs.push((Job::Probe(zone.clone()), render(&gap.to_string()), at));
                at -= step;
            }
        }
    }

    let limit = Arc::new(tokio::sync::Semaphore::new(backend.concurrency()));
    let mut set = tokio::task::JoinSet::new();
    for (job, query, at) in jobs {
        let (backend, limit) = (backend.clone(), limit.clone());
        set.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let measurement = backend.measure(&job, query, at).await;
            (job, measurement)
        });
    }
    let mut probes: BTreeMap<Fqdn, Vec<Measurement>> = BTreeMap::new();
    while let Some(joined) = set.join_next().await {
        let Ok((job, measurement)) = joined else {
            continue;
        };
        match job {
            Job::RRset(name, rtype) => match facts.rrsets.remove(&(name.clone(), rtype)) {
                None => {
                    facts.rrsets.insert((name, rtype), measurement);
                }
                // The second question of a provider record: one count for both.
                Some(first) => {
                    let result = match (first.result, measurement.result) {
                        (Ok(a), Ok(b)) => Ok(Outcome::Value(a.as_number() + b.as_number())),
                        (Err(e), _) | (_, Err(e)) => Err(e),
                    };
                    let query = format!("({}) + ({})", first.query, measurement.query);
                    let merged = Measurement::new(first.source, query, first.evaluated_at, result);
                    facts.rrsets.insert((name, rtype), merged);
                }
            },
            Job::Zone(zone) => {
                facts.zones.insert(zone, measurement);
            }
            Job::Probe(zone) => probes.entry(zone).or_default().push(measurement),
        }
    }
    for (zone, probes) in probes {
        if let Some(coverage) = facts.zones.get_mut(&zone) {
            judge_probes(coverage, probes, gap);
        }
    }
    // The traffic's shape over the window, a step at a time: a picture for people. A range
    // query that fails leaves no picture and changes nothing.
    if let Backend::Prometheus(p) = &*backend {
        let window = *policy.window.get_ref();
        let step = Duration::from_secs((window.as_secs() / 14).max(60));
        let start = window_start(policy, now);
        let pictures = targets.iter().filter_map(|target| {
            let reach = Reach::of(&target.name, target.rtype);
            let template = reach.template(policy).1?;
            let name = match reach {
                Reach::Wildcard => target.name.as_str().strip_prefix("*.").unwrap_or_default(),
                _ => target.name.as_str(),
            };
            let vars = template::Vars {
                name,
                fqdn: &target.name.to_dotted(),
                rtype: &target.rtype.asked_as().as_str(),
                zone: target.zone.as_str(),
                window: &step.to_string(),
            };
            let query = template::render(template, &vars);
            let limit = &limit;
            Some(async move {
                let _permit = limit.acquire().await;
                let history = p.range(&query, start, now, step).await.ok();
                ((target.name.clone(), target.rtype), history)
            })
        });
        for (key, history) in join_all(pictures).await {
            if let Some(m) = facts.rrsets.get_mut(&key) {
                m.history = history;
            }
        }
    }
    if let Backend::File(csv) = &*backend {
        let missing = csv.gap(now, *policy.window.get_ref(), gap);
        for coverage in facts.zones.values_mut() {
            coverage.gap.clone_from(&missing);
        }
    }
}

/// Folds the probes of a zone's coverage into its measurement: a probe that failed makes the
/// coverage fail; probes that saw nothing are a gap in the window.
fn judge_probes(coverage: &mut Measurement, mut probes: Vec<Measurement>, gap: Duration) {
    probes.sort_by_key(|p| p.evaluated_at);
    if let Some(failed) = probes.iter().find(|p| p.result.is_err()) {
        if coverage.result.is_ok() {
            coverage.result = Err(format!(
                "checking telemetry over the {gap} before {}: {}",
                failed.evaluated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                failed.result.as_ref().err().map_or("", String::as_str)
            ));
        }
        return;
    }
    let silent: Vec<&Measurement> = probes
        .iter()
        .filter(|p| matches!(p.result, Ok(o) if o.as_number() <= 0.0))
        .collect();
    if let (Some(first), Some(last)) = (silent.first(), silent.last()) {
        let at = |m: &Measurement| m.evaluated_at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        coverage.gap = Some(format!(
            "{} of {} checks found no telemetry in the {gap} before them, the earliest ending {}, the latest {}",
            silent.len(),
            probes.len(),
            at(first),
            at(last)
        ));
    }
}

enum Job {
    RRset(Fqdn, RecordType),
    Zone(Fqdn),
    /// The zone's coverage over one `max_gap` of the window.
    Probe(Fqdn),
}

enum Backend {
    Prometheus(prometheus::Prometheus),
    File(file::CsvCounts),
    ClickHouse(Box<clickhouse::ClickHouse>),
    Command(command::Command),
}

impl Backend {
    fn new(
        config: &MetricsConfig,
        files: &dyn Files,
        root: &std::path::Path,
    ) -> Result<Self, String> {
        match config {
            MetricsConfig::Prometheus {
                url,
                bearer_token_env,
                timeout,
                concurrency,
            } => prometheus::Prometheus::new(
                url,
                bearer_token_env.as_deref(),
                *timeout,
                *concurrency,
            )
            .map(Self::Prometheus),
            MetricsConfig::File { path } => file::CsvCounts::load(files, path).map(Self::File),
            MetricsConfig::ClickHouse(ch) => {
                clickhouse::ClickHouse::new(ch).map(|c| Self::ClickHouse(Box::new(c)))
            }
            MetricsConfig::Command { argv, timeout, env } => Ok(Self::Command(
                command::Command::new(argv, root, *timeout, env),
            )),
        }
    }

    /// Whether this is a query store, asked with the policy's templates, whose zone coverage
    /// is checked by asking again over each part of the window (a file export answers from
    /// its rows, and says which period it covers).
    fn probes(&self) -> bool {
        matches!(self, Self::Prometheus(_))
    }

    fn concurrency(&self) -> usize {
        match self {
            Self::Prometheus(p) => p.concurrency,
            _ => 1,
        }
    }

    async fn measure(&self, job: &Job, query: String, at: jiff::Timestamp) -> Measurement {
        match self {
            Self::Prometheus(p) => {
                let result = if query.is_empty() {
                    Err("the policy has no `coverage_query`".into())
                } else {
                    p.instant(&query, at).await
                };
                Measurement::new(p.url.clone(), query, at, result)
            }
            Self::File(csv) => {
                let (query, result) = match job {
                    Job::RRset(name, rtype) => match Reach::of(name, *rtype) {
                        Reach::Name if rtype.is_provider_record() => {
                            // ALIAS and URLFWD answer A and AAAA: both count.
                            let (query, a) = csv.rrset(name, RecordType::A);
                            let (more, aaaa) = csv.rrset(name, RecordType::Aaaa);
                            let sum = a.and_then(|a| {
                                aaaa.map(|b| Outcome::Value(a.as_number() + b.as_number()))
                            });
                            (format!("{query} + {more}"), sum)
                        }
                        Reach::Name => csv.rrset(name, rtype.asked_as()),
                        Reach::Subtree => csv.below(name, true),
                        Reach::Wildcard => {
                            match name.as_str().strip_prefix("*.").map(Fqdn::parse) {
                                Some(Ok(suffix)) => csv.below(&suffix, false),
                                _ => (
                                    String::new(),
                                    Err(format!("`{name}` has no parent to measure below")),
                                ),
                            }
                        }
                    },
                    Job::Zone(zone) | Job::Probe(zone) => csv.zone(zone),
                };
                Measurement::new(csv.source(), query, at, result)
            }
            Self::ClickHouse(_) | Self::Command(_) => Measurement::new(
                String::new(),
                query,
                at,
                Err("this backend is not asked with query templates".into()),
            ),
        }
    }
}
