//! Prometheus HTTP API instant queries. Anything but exactly one finite number (or an empty
//! vector) is an error: HTTP failures, `status: error`, warnings, non-JSON, NaN, several
//! series, or an answer slower than the timeout.

use serde::Deserialize;

use super::Outcome;
use super::http::{self, Secret, snippet};
use crate::model::Duration;

pub struct Prometheus {
    pub url: String,
    /// `<url>/api/v1/`: the API's paths follow.
    api: String,
    client: reqwest::Client,
    token: Result<Option<Secret>, String>,
    pub concurrency: usize,
}

impl Prometheus {
    pub fn new(
        url: &str,
        token_env: Option<&str>,
        timeout: Duration,
        concurrency: usize,
    ) -> Result<Self, String> {
        let base = url.trim_end_matches('/');
        Ok(Self {
            url: url.to_string(),
            api: format!("{base}/api/v1/"),
            client: http::client(timeout)?,
            token: http::secret(token_env, "metrics.bearer_token_env"),
            concurrency,
        })
    }

    /// Sends one form to the API `path` (`query`, `query_range`): the status and the body.
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Result<(u16, Vec<u8>), String> {
        let token = self.token.as_ref().map_err(Clone::clone)?;
        let mut request = self.client.post(format!("{}{path}", self.api)).form(form);
        if let Some(Secret(token)) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| http::describe(&e, "Prometheus", &self.url))?;
        let status = response.status().as_u16();
        let body = http::body(response, "Prometheus", &self.url).await?;
        Ok((status, body))
    }

    /// Evaluates `query` at `at`.
    pub async fn instant(&self, query: &str, at: jiff::Timestamp) -> Result<Outcome, String> {
        let time = format!("{}.{:03}", at.as_second(), at.subsec_millisecond());
        let (status, body) = self
            .post("query", &[("query", query), ("time", time.as_str())])
            .await?;
        parse_response(status, &body)
    }

    /// Evaluates `query` at every `step` from `start` to `end` (a range query): one series of
    /// `[time, value]`, or none. Evidence for people, never for the decision.
    pub async fn range(
        &self,
        query: &str,
        start: jiff::Timestamp,
        end: jiff::Timestamp,
        step: Duration,
    ) -> Result<Vec<(i64, f64)>, String> {
        let (start, end) = (start.as_second().to_string(), end.as_second().to_string());
        let step = step.as_secs().to_string();
        let (status, body) = self
            .post(
                "query_range",
                &[
                    ("query", query),
                    ("start", start.as_str()),
                    ("end", end.as_str()),
                    ("step", step.as_str()),
                ],
            )
            .await?;
        if !(200..300).contains(&status) {
            return Err(format!("Prometheus answered HTTP {status}"));
        }
        #[derive(Deserialize)]
        struct Matrix {
            data: MatrixData,
        }
        #[derive(Deserialize)]
        struct MatrixData {
            result: Vec<RangeSeries>,
        }
        #[derive(Deserialize)]
        struct RangeSeries {
            values: Vec<(f64, String)>,
        }
        let matrix: Matrix =
            serde_json::from_slice(&body).map_err(|e| format!("not a range answer: {e}"))?;
        match matrix.data.result.as_slice() {
            [] => Ok(Vec::new()),
            [one] => Ok(one
                .values
                .iter()
                .filter_map(|(t, v)| {
                    Some((*t as i64, v.parse::<f64>().ok().filter(|v| v.is_finite())?))
                })
                .collect()),
            many => Err(format!("{} series, not one", many.len())),
        }
    }
}

#[derive(Deserialize)]
struct Response {
    status: String,
    data: Option<Data>,
    error: Option<String>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct Series {
    #[serde(default)]
    metric: serde_json::Map<String, serde_json::Value>,
    value: (serde_json::Value, String),
}

/// Turns an HTTP status and body into exactly one number, an empty result, or the reason why
/// neither can be trusted.
pub fn parse_response(status: u16, body: &[u8]) -> Result<Outcome, String> {
    let parsed: Result<Response, _> = serde_json::from_slice(body);
    let response = match parsed {
        Ok(r) => r,
        Err(_) if !(200..300).contains(&status) => {
            return Err(format!(
                "Prometheus answered HTTP {status}: {}",
                snippet(body)
            ));
        }
        Err(e) => {
            return Err(format!(
                "Prometheus answered something that is not its JSON API ({e}): {}",
                snippet(body)
            ));
        }
    };
    if response.status != "success" {
        return Err(format!(
            "Prometheus answered `status: {}` ({}): {}",
            response.status,
            response.error_type.as_deref().unwrap_or("no error type"),
            response.error.as_deref().unwrap_or("no error message"),
        ));
    }
    if !(200..300).contains(&status) {
        return Err(format!("Prometheus answered HTTP {status}"));
    }
    if !response.warnings.is_empty() {
        return Err(format!(
            "Prometheus answered with warnings, so the result may be partial: {}",
            response.warnings.join("; ")
        ));
    }
    let data = response
        .data
        .ok_or("Prometheus answered `success` without `data`")?;
    let value = match data.result_type.as_str() {
        "vector" => {
            let series: Vec<Series> = serde_json::from_value(data.result)
                .map_err(|e| format!("the vector in Prometheus' answer is malformed: {e}"))?;
            match series.as_slice() {
                [] => return Ok(Outcome::Empty),
                [one] => one.value.1.clone(),
                many => {
                    let labels: Vec<String> = many
                        .iter()
                        .take(3)
                        .map(|s| serde_json::Value::Object(s.metric.clone()).to_string())
                        .collect();
                    return Err(format!(
                        "the query returned {} series ({}{}); it must return exactly one \
                         number: aggregate it, e.g. with `sum(...)`",
                        many.len(),
                        labels.join(", "),
                        if many.len() > 3 { ", ..." } else { "" }
                    ));
                }
            }
        }
        "scalar" => {
            let (_, value): (serde_json::Value, String) = serde_json::from_value(data.result)
                .map_err(|e| format!("the scalar in Prometheus' answer is malformed: {e}"))?;
            value
        }
        other => {
            return Err(format!(
                "the query returned a {other}, not a number; use an instant vector such as \
                 `sum(increase(...[14d]))`"
            ));
        }
    };
    match value.parse::<f64>() {
        Ok(v) if v.is_nan() => Err("the query returned NaN, which proves nothing".into()),
        Ok(v) if v.is_infinite() => Err(format!("the query returned {value}")),
        Ok(v) if v < 0.0 => Err(format!("the query returned a negative count ({value})")),
        Ok(v) => Ok(Outcome::Value(v)),
        Err(_) => Err(format!(
            "the query returned `{value}`, which is not a number"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<Outcome, String> {
        parse_response(200, body.as_bytes())
    }

    #[test]
    fn one_number_or_an_empty_vector_is_accepted() {
        let ok = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1.5,"412"]}]}}"#;
        assert_eq!(parse(ok), Ok(Outcome::Value(412.0)));
        let empty = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert_eq!(parse(empty), Ok(Outcome::Empty));
        let scalar = r#"{"status":"success","data":{"resultType":"scalar","result":[1.5,"0"]}}"#;
        assert_eq!(parse(scalar), Ok(Outcome::Value(0.0)));
    }

    #[test]
    fn everything_else_is_an_error() {
        let cases = [
            (
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}}"#,
                "NaN",
            ),
            (
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1,"1"]},{"metric":{"a":"2"},"value":[1,"0"]}]}}"#,
                "2 series",
            ),
            (
                r#"{"status":"success","warnings":["partial"],"data":{"resultType":"vector","result":[]}}"#,
                "warnings",
            ),
            (
                r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#,
                "bad_data",
            ),
            (
                r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
                "matrix",
            ),
            (
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"+Inf"]}]}}"#,
                "+Inf",
            ),
            (
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"-3"]}]}}"#,
                "negative",
            ),
            (
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"many"]}]}}"#,
                "not a number",
            ),
            (r#"{"status":"success"}"#, "without `data`"),
            ("<html>oops</html>", "not its JSON API"),
        ];
        for (body, expected) in cases {
            let err = parse(body).unwrap_err();
            assert!(err.contains(expected), "{body}: {err}");
        }
        let err = parse_response(500, b"internal").unwrap_err();
        assert!(err.contains("HTTP 500"), "{err}");
    }
}
