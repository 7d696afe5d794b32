//! Health signals, asked once when a ticket is evaluated: a signal that cannot see anything
//! before the change can abort nothing during it. The queries are PromQL, asked of the
//! `prometheus` backend, or of `[metrics.server]` when the deletion evidence comes from
//! elsewhere.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Measurement, prometheus};
use crate::config::{Config, MetricsConfig};

/// Every signal query's measurement, by query text.
#[derive(Clone, Debug, Default)]
pub struct SignalFacts {
    pub measurements: BTreeMap<String, Measurement>,
    /// Why no query could be asked at all (no PromQL store configured).
    pub unavailable: Option<String>,
}

/// A PromQL store, as signals are asked of it.
pub type Store = prometheus::Prometheus;

/// The PromQL store signals are asked of, or why there is none.
pub fn store(config: &Config) -> Result<Store, String> {
    let promql = match (&config.metrics, &config.metrics_server) {
        (Some(m @ MetricsConfig::Prometheus { .. }), _) => m,
        (_, Some(m @ MetricsConfig::Prometheus { .. })) => m,
        (Some(MetricsConfig::File { .. }), None) => {
            return Err("the `file` backend holds counts, not live metrics; point `[metrics.server]` at a PromQL store".into());
        }
        _ => {
            return Err("no PromQL store is configured to run health signals (`[metrics]` with `backend = \"prometheus\"`, or `[metrics.server]`)".into());
        }
    };
    let MetricsConfig::Prometheus {
        url,
        bearer_token_env,
        timeout,
        concurrency,
    } = promql
    else {
        unreachable!("matched above")
    };
    prometheus::Prometheus::new(url, bearer_token_env.as_deref(), *timeout, *concurrency)
}

/// Asks each distinct query once, at `now`, concurrently with the store's bound.
pub async fn measure_signals(
    config: &Config,
    queries: &[String],
    now: jiff::Timestamp,
) -> SignalFacts {
    let mut facts = SignalFacts::default();
    if queries.is_empty() {
        return facts;
    }
    let store = match store(config) {
        Ok(store) => Arc::new(store),
        Err(reason) => {
            facts.unavailable = Some(reason);
            return facts;
        }
    };
    let mut queries: Vec<String> = queries.to_vec();
    queries.sort();
    queries.dedup();
    let limit = Arc::new(tokio::sync::Semaphore::new(store.concurrency));
    let mut set = tokio::task::JoinSet::new();
    for query in queries {
        let (store, limit) = (store.clone(), limit.clone());
        set.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let result = store.instant(&query, now).await;
            let m = Measurement::new(store.url.clone(), query.clone(), now, result);
            (query, m)
        });
    }
    while let Some(joined) = set.join_next().await {
        if let Ok((query, m)) = joined {
            facts.measurements.insert(query, m);
        }
    }
    facts
}
