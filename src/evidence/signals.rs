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

/// PromQL words that are not metric names: keywords, aggregation modifiers, set operators.
const KEYWORDS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "and",
    "or",
    "unless",
    "atan2",
    "inf",
    "nan",
    "start",
    "end",
];

/// True if a PromQL query reads a metric: it has a selector (`{...}`) or a metric name, not
/// only functions of constants (`vector(1)`, `time()`, `1 > 0`), which measure nothing and
/// would seem alive forever. Words inside strings, label lists of `by (...)` and the like,
/// and function names (a word followed by `(`) are not metric names.
pub fn reads_a_metric(query: &str) -> bool {
    let chars: Vec<char> = query.chars().collect();
    let mut i = 0;
    // After `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`: the next
    // parenthesised list holds label names.
    let mut labels_next = false;
    let mut in_labels = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' | '`' => {
                // Skip a string, with its escapes.
                i += 1;
                while i < chars.len() && chars[i] != c {
                    if chars[i] == '\\' && c != '`' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '{' => return true,
            '[' => {
                // A range or subquery duration.
                while i < chars.len() && chars[i] != ']' {
                    i += 1;
                }
                i += 1;
            }
            '(' if labels_next => {
                in_labels = true;
                labels_next = false;
                i += 1;
            }
            ')' if in_labels => {
                in_labels = false;
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == '_' || c == ':' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let next = chars[i..].iter().find(|c| !c.is_whitespace());
                let lower = word.to_ascii_lowercase();
                if in_labels {
                    continue;
                }
                if matches!(
                    lower.as_str(),
                    "by" | "without" | "on" | "ignoring" | "group_left" | "group_right"
                ) {
                    labels_next = true;
                    continue;
                }
                if next == Some(&'(') || KEYWORDS.contains(&lower.as_str()) {
                    continue;
                }
                return true;
            }
            c if c.is_ascii_digit() || c == '.' => {
                // A number, a duration (`5m`) or a hex literal: not a name.
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::reads_a_metric;

    #[test]
    fn a_query_of_constants_reads_no_metric() {
        for constant in [
            "vector(1)",
            "1",
            "time()",
            "vector(0) > bool 1",
            "scalar(vector(2)) * 3",
            "sum(vector(1)) by (job)",
            "label_replace(vector(1), \"job\", \"dns\", \"\", \"\")",
            "absent(vector(1))[5m:1m]",
            "  # only a comment\n vector(1) offset 5m",
        ] {
            assert!(!reads_a_metric(constant), "{constant}");
        }
        for metric in [
            "up",
            "sum(rate(coredns_dns_requests_total[5m]))",
            "rate(http_requests_total{job=\"sso\"}[5m])",
            "{__name__=\"up\"}",
            "sum by (zone) (dns:requests:rate5m)",
            "histogram_quantile(0.99, sum(rate(latency_bucket[5m])) by (le))",
            "1 - avg(up)",
            "vector(1) and on() up",
        ] {
            assert!(reads_a_metric(metric), "{metric}");
        }
    }
}
