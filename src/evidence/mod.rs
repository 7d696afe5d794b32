//! Evidence for the deletion gate: how often a name was resolved over the window, and whether
//! telemetry for its zone flows at all. Backends ask the outside world and return plain
//! [`Measurement`]s; they never decide. Every failure becomes a measurement that says what
//! went wrong, so the gate can refuse with a reason (fail closed).

mod file;
mod prometheus;

/// How a Prometheus answer (HTTP status and body) is read: one number, empty, or why neither.
pub use prometheus::parse_response as parse_prometheus_response;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::config::MetricsConfig;
use crate::model::{Duration, Fqdn, RecordType};
use crate::policy::{DeletionPolicy, template};
use crate::zone::Files;

/// What a query returned.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "value")]
pub enum Outcome {
    /// Exactly one finite number.
    Value(f64),
    /// No series at all: nothing was ever recorded for the selector.
    Empty,
}

impl Outcome {
    /// The number an empty result stands for.
    pub fn as_number(&self) -> f64 {
        match self {
            Self::Value(v) => *v,
            Self::Empty => 0.0,
        }
    }
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
            Self::Name => ("query", Some(policy.query.get_ref().as_str())),
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
    metrics: Option<&MetricsConfig>,
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
    let Some(metrics) = metrics else {
        facts.unavailable = Some(
            "`changegate.toml` has no `[metrics]` section, so no deletion can be proven unused"
                .into(),
        );
        return facts;
    };
    let backend = match Backend::new(metrics, files) {
        Ok(backend) => Arc::new(backend),
        Err(reason) => {
            facts.unavailable = Some(reason);
            return facts;
        }
    };
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
            Job::RRset(name, rtype) => {
                facts.rrsets.insert((name, rtype), measurement);
            }
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
    if let Backend::File(csv) = &*backend {
        let missing = csv.gap(now, *policy.window.get_ref(), gap);
        for coverage in facts.zones.values_mut() {
            coverage.gap.clone_from(&missing);
        }
    }
    facts
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
}

impl Backend {
    fn new(config: &MetricsConfig, files: &dyn Files) -> Result<Self, String> {
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
            Self::File(_) => 1,
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
                Measurement {
                    source: p.url.clone(),
                    query,
                    evaluated_at: at,
                    result,
                    gap: None,
                }
            }
            Self::File(csv) => {
                let (query, result) = match job {
                    Job::RRset(name, rtype) => match Reach::of(name, *rtype) {
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
                Measurement {
                    source: csv.source(),
                    query,
                    evaluated_at: at,
                    result,
                    gap: None,
                }
            }
        }
    }
}
