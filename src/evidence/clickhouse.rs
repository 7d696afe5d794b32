//! `backend = "clickhouse"`: DNS query logs in ClickHouse (DNS-collector's or dnsmonster's
//! table, or any layout named column by column), counted over its HTTP interface.
//!
//! Values never enter the SQL text. Each query gets them in a one-row table uploaded with the
//! request (ClickHouse's *external data*, which every version since 2016 takes) and reads
//! them as `(SELECT name FROM p)`; a name such as `x' OR 1=1 --` is a string to compare,
//! nothing more. Requests are read-only (`readonly=1`), and credentials travel only in the
//! `Authorization` header.
//!
//! Names are compared as resolvers send them: without case and without a trailing dot.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use tokio::sync::OnceCell;

use super::http::{self, Secret, snippet};
use super::{DeletionTarget, Reach};
use crate::config::{ClickHouseConfig, LogLayout};
use crate::model::{Fqdn, RecordType};

/// One hour, the grain of the coverage check.
const HOUR: i64 = 3600;

pub struct ClickHouse {
    pub url: String,
    endpoint: String,
    client: reqwest::Client,
    table: String,
    layout: LogLayout,
    pub servers: Vec<String>,
    credentials: Result<Option<(Secret, Option<Secret>)>, String>,
    pub concurrency: usize,
    /// SQL expressions for the row's name, type and time, chosen from the columns' types.
    columns: OnceCell<Result<Columns, String>>,
}

struct Columns {
    name: String,
    time: String,
    rtype: TypeColumn,
    server: String,
}

/// A type column holds mnemonics (`A`) or numbers (1).
enum TypeColumn {
    Text(String),
    Number(String),
}

/// What one coverage question found for a zone.
pub struct Coverage {
    /// Query rows for the zone over the window, on the listed servers.
    pub total: u64,
    /// The first hour (from the window's start) each listed server has no rows in.
    pub missing: Vec<(String, jiff::Timestamp, usize)>,
}

/// The values a query reads, as the one row of the uploaded table `p`.
struct Bound<'a> {
    name: &'a str,
    below: String,
    /// The query types that count (the same one twice, or A and AAAA).
    qtype: [String; 2],
    qnum: [u16; 2],
    start: i64,
    stop: i64,
}

impl ClickHouse {
    pub fn new(config: &ClickHouseConfig) -> Result<Self, String> {
        let credentials = match (
            http::secret(config.user_env.as_deref(), "metrics.user_env"),
            http::secret(config.password_env.as_deref(), "metrics.password_env"),
        ) {
            (Err(e), _) | (_, Err(e)) => Err(e),
            (Ok(Some(user)), Ok(password)) => Ok(Some((user, password))),
            (Ok(None), Ok(Some(_))) => Err(
                "`metrics.password_env` is set without `metrics.user_env`: name the user too"
                    .into(),
            ),
            (Ok(None), Ok(None)) => Ok(None),
        };
        Ok(Self {
            url: config.url.clone(),
            endpoint: format!("{}/", config.url.trim_end_matches('/')),
            client: http::client(config.timeout)?,
            table: config
                .table
                .split('.')
                .map(|part| format!("`{part}`"))
                .collect::<Vec<_>>()
                .join("."),
            layout: config.layout.clone(),
            servers: config.servers.clone(),
            credentials,
            concurrency: config.concurrency,
            columns: OnceCell::new(),
        })
    }

    /// Query rows for a deleted RRset's (name, type) over [start, stop): every type for a
    /// CNAME, which answers them all; names below for a wildcard or a subtree.
    pub async fn count(
        &self,
        target: &DeletionTarget,
        start: jiff::Timestamp,
        stop: jiff::Timestamp,
    ) -> (String, Result<u64, String>) {
        let columns = match self.columns().await {
            Ok(c) => c,
            Err(e) => return (String::new(), Err(e)),
        };
        let name = comparable(&target.name);
        let (matches, below) = match Reach::of(&target.name, target.rtype) {
            Reach::Name => (
                format!("{} = (SELECT name FROM p)", columns.name),
                String::new(),
            ),
            Reach::Wildcard => {
                let parent = name.strip_prefix("*.").unwrap_or_default();
                (
                    format!("endsWith({}, (SELECT below FROM p))", columns.name),
                    format!(".{parent}"),
                )
            }
            Reach::Subtree => (
                format!(
                    "({0} = (SELECT name FROM p) OR endsWith({0}, (SELECT below FROM p)))",
                    columns.name
                ),
                format!(".{name}"),
            ),
        };
        let reach = Reach::of(&target.name, target.rtype);
        // A CNAME answers every type, and so does a delegation or DNAME for the names below
        // it; a provider record (ALIAS, URLFWD) answers A and AAAA.
        let asked = target.rtype.asked_as();
        let also = if target.rtype.is_provider_record() {
            RecordType::Aaaa
        } else {
            asked
        };
        let of_type = if asked == RecordType::Cname || reach == Reach::Subtree {
            "1".to_string()
        } else {
            match &columns.rtype {
                // A logger that does not know a type writes it as `TYPEnnn`.
                TypeColumn::Text(e) => format!(
                    "{e} IN ((SELECT qtype FROM p), (SELECT qtype2 FROM p), \
                     concat('TYPE', toString((SELECT qnum FROM p))), \
                     concat('TYPE', toString((SELECT qnum2 FROM p))))"
                ),
                TypeColumn::Number(e) => {
                    format!("{e} IN ((SELECT qnum FROM p), (SELECT qnum2 FROM p))")
                }
            }
        };
        let sql = format!(
            "SELECT count() FROM {} WHERE ({}) AND {} AND {matches} AND {of_type} FORMAT TabSeparated",
            self.table,
            self.layout.filter,
            window(columns)
        );
        let bound = Bound {
            name: &name,
            below,
            qtype: [asked.as_str().into_owned(), also.as_str().into_owned()],
            qnum: [asked.number(), also.number()],
            start: start.as_second(),
            stop: stop.as_second(),
        };
        let result = self.query(&sql, &bound).await.and_then(|body| {
            let rows = rows(&body, 1)?;
            match rows.as_slice() {
                [row] => number(&row[0]),
                _ => Err(format!(
                    "ClickHouse answered {} rows for one count",
                    rows.len()
                )),
            }
        });
        (sql, result)
    }

    /// The zone's query rows per listed server and hour of [start, stop).
    pub async fn coverage(
        &self,
        zone: &Fqdn,
        start: jiff::Timestamp,
        stop: jiff::Timestamp,
    ) -> (String, Result<Coverage, String>) {
        let columns = match self.columns().await {
            Ok(c) => c,
            Err(e) => return (String::new(), Err(e)),
        };
        let sql = format!(
            "SELECT {server} AS s, intDiv({time} - (SELECT start FROM p), {HOUR}) AS h, count() AS c \
             FROM {table} WHERE ({filter}) AND {window} \
             AND ({name} = (SELECT name FROM p) OR endsWith({name}, (SELECT below FROM p))) \
             GROUP BY s, h FORMAT TabSeparated",
            server = columns.server,
            time = columns.time,
            table = self.table,
            filter = self.layout.filter,
            window = window(columns),
            name = columns.name,
        );
        let name = comparable(zone);
        let bound = Bound {
            below: format!(".{name}"),
            name: &name,
            qtype: Default::default(),
            qnum: [0, 0],
            start: start.as_second(),
            stop: stop.as_second(),
        };
        let result = self.query(&sql, &bound).await.and_then(|body| {
            let mut total = 0u64;
            let mut seen: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
            for row in rows(&body, 3)? {
                let hour: i64 = row[1]
                    .parse()
                    .map_err(|_| format!("ClickHouse answered `{}` for an hour", row[1]))?;
                let count = number(&row[2])?;
                // The total is what the listed servers logged: it is compared with what
                // those servers counted themselves.
                if self.servers.contains(&row[0]) {
                    total = total.saturating_add(count);
                }
                seen.entry(row[0].clone()).or_default().insert(hour);
            }
            let hours = (stop.as_second() - start.as_second() + HOUR - 1) / HOUR;
            let missing = self
                .servers
                .iter()
                .filter_map(|server| {
                    let have = seen.get(server);
                    let absent: Vec<i64> = (0..hours)
                        .filter(|h| !have.is_some_and(|s| s.contains(h)))
                        .collect();
                    let first = *absent.first()?;
                    let at = jiff::Timestamp::from_second(start.as_second() + first * HOUR)
                        .unwrap_or(start);
                    Some((server.clone(), at, absent.len()))
                })
                .collect();
            Ok(Coverage { total, missing })
        });
        (sql, result)
    }

    /// The columns' SQL expressions, from their types in `system.columns` (asked once).
    async fn columns(&self) -> Result<&Columns, String> {
        self.columns
            .get_or_init(|| async { self.describe().await })
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    async fn describe(&self) -> Result<Columns, String> {
        let (database, table) = match self.table.split_once('.') {
            Some((d, t)) => (d.trim_matches('`'), t.trim_matches('`')),
            None => ("", self.table.trim_matches('`')),
        };
        // The names go in as bound values too: `below` holds the database, `name` the table.
        let sql = "SELECT name, type FROM system.columns \
                   WHERE database = if((SELECT below FROM p) = '', currentDatabase(), (SELECT below FROM p)) \
                   AND table = (SELECT name FROM p) FORMAT TabSeparated";
        let bound = Bound {
            name: table,
            below: database.to_string(),
            qtype: Default::default(),
            qnum: [0, 0],
            start: 0,
            stop: 0,
        };
        let body = self.query(sql, &bound).await?;
        let types: BTreeMap<String, String> = rows(&body, 2)?
            .into_iter()
            .map(|mut r| (std::mem::take(&mut r[0]), std::mem::take(&mut r[1])))
            .collect();
        if types.is_empty() {
            return Err(format!(
                "ClickHouse at {} has no table {}, or this user cannot see it",
                self.url, self.table
            ));
        }
        let column = |name: &str, role: &str| -> Result<(String, &str), String> {
            let kind = types.get(name).ok_or_else(|| {
                format!(
                    "the table {} has no column `{name}` (the {role}); set `schema`, or `[metrics.columns]` with `schema = \"custom\"`",
                    self.table
                )
            })?;
            Ok((format!("`{name}`"), strip_wrappers(kind)))
        };
        let (name, name_kind) = column(&self.layout.name, "queried name")?;
        let (time, time_kind) = column(&self.layout.time, "time")?;
        let (rtype, rtype_kind) = column(&self.layout.rtype, "query type")?;
        let (server, _) = column(&self.layout.server, "server identity")?;
        if !is_text(name_kind) {
            return Err(format!("the column {name} holds {name_kind}, not names"));
        }
        // Unix seconds as a number or as text, as DNS-collector may write them, or a time.
        let time = if time_kind.starts_with("DateTime") {
            format!("toInt64(toUnixTimestamp({time}))")
        } else if is_number(time_kind) {
            format!("toInt64({time})")
        } else if is_text(time_kind) {
            format!("toInt64(toFloat64OrZero(toString({time})))")
        } else {
            return Err(format!(
                "the column {time} holds {time_kind}, not a time or unix seconds"
            ));
        };
        let rtype = if is_number(rtype_kind) {
            TypeColumn::Number(rtype)
        } else {
            TypeColumn::Text(format!("upper(toString({rtype}))"))
        };
        Ok(Columns {
            name: format!("lower(replaceRegexpOne(toString({name}), '\\\\.$', ''))"),
            time,
            rtype,
            server: format!("toString({server})"),
        })
    }

    /// Sends one read-only query with its bound values; the body of a 200, else why not.
    async fn query(&self, sql: &str, bound: &Bound<'_>) -> Result<String, String> {
        let credentials = self.credentials.as_ref().map_err(Clone::clone)?;
        let mut row = String::new();
        for (i, field) in [
            escape(bound.name),
            escape(&bound.below),
            escape(&bound.qtype[0]),
            escape(&bound.qtype[1]),
            bound.qnum[0].to_string(),
            bound.qnum[1].to_string(),
            bound.start.to_string(),
            bound.stop.to_string(),
        ]
        .iter()
        .enumerate()
        {
            if i > 0 {
                row.push('\t');
            }
            row.push_str(field);
        }
        row.push('\n');
        let boundary = "changegate-external-data-7f3c1a";
        let mut body = String::new();
        let _ = write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"p\"; filename=\"p.tsv\"\r\nContent-Type: text/tab-separated-values\r\n\r\n{row}\r\n--{boundary}--\r\n"
        );
        let mut url = reqwest::Url::parse(&self.endpoint)
            .map_err(|e| format!("`{}` is not a URL: {e}", self.url))?;
        url.query_pairs_mut()
            .append_pair("query", sql)
            .append_pair(
                "p_structure",
                "name String, below String, qtype String, qtype2 String, qnum UInt16, qnum2 UInt16, start Int64, stop Int64",
            )
            .append_pair("readonly", "1");
        let mut request = self
            .client
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        if let Some((Secret(user), password)) = credentials {
            request = request.basic_auth(user, password.as_ref().map(|Secret(p)| p));
        }
        let describe = |e: &reqwest::Error| http::describe(e, "ClickHouse", &self.url);
        let response = request.send().await.map_err(|e| describe(&e))?;
        let status = response.status();
        let bytes = http::body(response, "ClickHouse", &self.url).await?;
        if !status.is_success() {
            return Err(format!(
                "ClickHouse at {} answered HTTP {}: {}",
                self.url,
                status.as_u16(),
                snippet(&bytes)
            ));
        }
        String::from_utf8(bytes.clone()).map_err(|_| {
            format!(
                "ClickHouse at {} answered something that is not text: {}",
                self.url,
                snippet(&bytes)
            )
        })
    }
}

/// A name as logs are compared: lowercase, no trailing dot.
fn comparable(name: &Fqdn) -> String {
    name.as_str().to_ascii_lowercase()
}

/// `time in [start, stop)`, with the columns' time expression.
fn window(columns: &Columns) -> String {
    format!(
        "{0} >= (SELECT start FROM p) AND {0} < (SELECT stop FROM p)",
        columns.time
    )
}

/// `Nullable(T)` and `LowCardinality(T)` are T.
fn strip_wrappers(kind: &str) -> &str {
    let mut kind = kind;
    for wrapper in ["LowCardinality(", "Nullable("] {
        if let Some(inner) = kind.strip_prefix(wrapper).and_then(|k| k.strip_suffix(')')) {
            kind = inner;
        }
    }
    kind
}

fn is_text(kind: &str) -> bool {
    kind == "String" || kind.starts_with("FixedString")
}

fn is_number(kind: &str) -> bool {
    ["UInt", "Int", "Float", "Decimal"]
        .iter()
        .any(|p| kind.starts_with(p))
}

/// A value in ClickHouse's TabSeparated escaping.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// TabSeparated rows of exactly `width` fields; anything else is not ClickHouse's answer to
/// the query (an error appended mid-stream, a proxy's page).
fn rows(body: &str, width: usize) -> Result<Vec<Vec<String>>, String> {
    body.lines()
        .map(|line| {
            let fields: Vec<String> = line.split('\t').map(unescape).collect();
            if fields.len() == width {
                Ok(fields)
            } else {
                Err(format!(
                    "ClickHouse answered a line that is not {width} tab-separated fields: {}",
                    snippet(line.as_bytes())
                ))
            }
        })
        .collect()
}

/// A count: digits only (ClickHouse writes 64-bit counts plainly in TabSeparated).
fn number(text: &str) -> Result<u64, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse()
            .map_err(|_| format!("ClickHouse answered `{text}` for a count"))
    } else {
        Err(format!(
            "ClickHouse answered `{}` for a count",
            snippet(text.as_bytes())
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_separated_values_round_trip() {
        for value in ["plain", "x' OR 1=1 --", "tab\there", "a\\b", "new\nline"] {
            assert_eq!(unescape(&escape(value)), value);
            assert!(!escape(value).contains(['\t', '\n']));
        }
    }

    #[test]
    fn answers_that_are_not_counts_are_refused() {
        assert_eq!(number("412"), Ok(412));
        for bad in [
            "",
            "-1",
            "1.5",
            "\"0\"",
            "Code: 241, e.displayText() = DB::Exception",
        ] {
            assert!(number(bad).is_err(), "{bad}");
        }
        assert!(rows("1\t2\n", 3).is_err());
        assert_eq!(rows("ns1\t0\t5\n", 3).unwrap()[0][0], "ns1");
    }

    #[test]
    fn column_types_are_seen_through_their_wrappers() {
        assert_eq!(strip_wrappers("LowCardinality(String)"), "String");
        assert_eq!(strip_wrappers("Nullable(UInt16)"), "UInt16");
        assert!(is_number("UInt16") && !is_number("String"));
    }
}
