//! Evidence for the deletion gate: how often a name was resolved over the window, and whether
//! telemetry for its zone flows at all. Backends ask the outside world and return plain
//! [`Measurement`]s; they never decide. Every failure becomes a measurement that says what
//! went wrong, so the gate can refuse with a reason (fail closed).

mod file;
mod prometheus;
pub mod template;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::config::MetricsConfig;
use crate::model::{Duration, Fqdn, RecordType};
use crate::policy::DeletionPolicy;
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
    #[serde(serialize_with = "crate::verdict::ser_timestamp")]
    pub evaluated_at: jiff::Timestamp,
    #[serde(flatten)]
    pub result: Result<Outcome, String>,
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
    let mut jobs: Vec<(Job, String)> = Vec::new();
    let mut zones: Vec<&Fqdn> = Vec::new();
    for target in targets {
        let vars = template::Vars {
            name: target.name.as_str(),
            fqdn: &target.name.to_dotted(),
            rtype: &asked(target.rtype).as_str(),
            zone: target.zone.as_str(),
            window: &window,
        };
        jobs.push((
            Job::RRset(target.name.clone(), target.rtype),
            template::render(policy.query.get_ref(), &vars),
        ));
        if !zones.contains(&&target.zone) {
            zones.push(&target.zone);
        }
    }
    for zone in zones {
        let query = match &policy.coverage_query {
            Some(q) => {
                let vars = template::Vars {
                    name: zone.as_str(),
                    fqdn: &zone.to_dotted(),
                    rtype: "",
                    zone: zone.as_str(),
                    window: &window,
                };
                template::render(q.get_ref(), &vars)
            }
            None => String::new(),
        };
        jobs.push((Job::Zone(zone.clone()), query));
    }

    let limit = Arc::new(tokio::sync::Semaphore::new(backend.concurrency()));
    let mut set = tokio::task::JoinSet::new();
    for (job, query) in jobs {
        let (backend, limit) = (backend.clone(), limit.clone());
        set.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let measurement = backend.measure(&job, query, now).await;
            (job, measurement)
        });
    }
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
        }
    }
    facts
}

/// The type resolvers are asked for: an ALIAS is a provider-side record that answers A
/// questions, so its resolutions are counted as A.
fn asked(rtype: RecordType) -> RecordType {
    if rtype == RecordType::Alias {
        RecordType::A
    } else {
        rtype
    }
}

enum Job {
    RRset(Fqdn, RecordType),
    Zone(Fqdn),
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

    fn concurrency(&self) -> usize {
        match self {
            Self::Prometheus(p) => p.concurrency,
            Self::File(_) => 1,
        }
    }

    async fn measure(&self, job: &Job, query: String, now: jiff::Timestamp) -> Measurement {
        match self {
            Self::Prometheus(p) => {
                let result = if query.is_empty() {
                    Err("the policy has no `coverage_query`".into())
                } else {
                    p.instant(&query, now).await
                };
                Measurement {
                    source: p.url.clone(),
                    query,
                    evaluated_at: now,
                    result,
                }
            }
            Self::File(csv) => {
                let (query, result) = match job {
                    Job::RRset(name, rtype) => csv.rrset(name, asked(*rtype)),
                    Job::Zone(zone) => csv.zone(zone),
                };
                Measurement {
                    source: csv.source(),
                    query,
                    evaluated_at: now,
                    result,
                }
            }
        }
    }
}
