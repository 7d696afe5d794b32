//! Asking resolvers, with hickory-resolver: one resolver object per configured server so that
//! answers can be compared per server; no cache (every answer is fresh), no hosts file, UDP
//! with TCP fallback on truncation, a per-query timeout, limited retries, and a bound on the
//! questions in flight.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::Name;
use hickory_resolver::proto::rr::{RData, Record};

use super::answer::{Answer, Rcode, Rr};
use crate::model::{Fqdn, RecordType};
use crate::zone::rdata;

/// How to ask.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub timeout: Duration,
    /// Tries per question, first included.
    pub attempts: usize,
    /// Questions in flight at once, across all resolvers.
    pub concurrency: usize,
    /// Set RD: ask a resolver to recurse. Off when asking a zone's own servers.
    pub recursion: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(2),
            attempts: 2,
            concurrency: 64,
            recursion: true,
        }
    }
}

/// The resolvers to ask, each labelled by its address.
pub struct Resolvers {
    pub servers: Vec<(String, TokioResolver)>,
    /// Each server's address, for direct questions (`Options::recursion` off).
    addresses: Vec<SocketAddr>,
    pub options: Options,
}

/// `127.0.0.1`, `127.0.0.1:5353`, `::1` or `[::1]:5353`; port 53 when none is given.
pub fn parse_address(text: &str) -> Result<SocketAddr, String> {
    if let Ok(address) = text.parse::<SocketAddr>() {
        return Ok(address);
    }
    if let Ok(ip) = text
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
    {
        return Ok(SocketAddr::new(ip, 53));
    }
    Err(format!(
        "`{text}` is not a resolver address; write e.g. `127.0.0.1:53` or `[::1]:53`"
    ))
}

impl Resolvers {
    /// Must be called inside a tokio runtime.
    pub fn new(addresses: &[SocketAddr], options: Options) -> anyhow::Result<Self> {
        let mut servers = Vec::new();
        for address in addresses {
            let mut udp = ConnectionConfig::udp();
            udp.port = address.port();
            let mut tcp = ConnectionConfig::tcp();
            tcp.port = address.port();
            let server = NameServerConfig::new(address.ip(), true, vec![udp, tcp]);
            let mut opts = ResolverOpts::default();
            opts.cache_size = 0;
            opts.use_hosts_file = ResolveHosts::Never;
            opts.preserve_intermediates = true;
            opts.timeout = options.timeout;
            opts.attempts = options.attempts;
            opts.edns0 = true;
            opts.recursion_desired = options.recursion;
            let resolver = TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![server]),
                TokioRuntimeProvider::default(),
            )
            .with_options(opts)
            .build()
            .map_err(|e| anyhow::anyhow!("cannot set up a resolver for {address}: {e}"))?;
            servers.push((address.to_string(), resolver));
        }
        Ok(Self {
            servers,
            addresses: addresses.to_vec(),
            options,
        })
    }

    /// Asks every question of every resolver, at most `concurrency` at once, ticking `progress`
    /// once per question per resolver. Answers come back per question, per resolver.
    pub async fn ask_all(
        self: &Arc<Self>,
        questions: &[(Fqdn, RecordType)],
        progress: &indicatif::ProgressBar,
    ) -> Vec<Vec<Answer>> {
        let limit = Arc::new(tokio::sync::Semaphore::new(self.options.concurrency.max(1)));
        let mut set = tokio::task::JoinSet::new();
        for (q, (name, rtype)) in questions.iter().enumerate() {
            for s in 0..self.servers.len() {
                let (this, limit, name, rtype) =
                    (self.clone(), limit.clone(), name.clone(), *rtype);
                set.spawn(async move {
                    let _permit = limit.acquire_owned().await;
                    (q, s, this.ask(s, &name, rtype).await)
                });
            }
        }
        let mut answers: Vec<Vec<Option<Answer>>> =
            vec![vec![None; self.servers.len()]; questions.len()];
        while let Some(joined) = set.join_next().await {
            if let Ok((q, s, answer)) = joined {
                answers[q][s] = Some(answer);
            }
            progress.inc(1);
        }
        answers
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|a| {
                        a.unwrap_or_else(|| {
                            Answer::failed(Rcode::Error, "the query task failed".into())
                        })
                    })
                    .collect()
            })
            .collect()
    }

    /// One question to one resolver.
    pub async fn ask(&self, server: usize, name: &Fqdn, rtype: RecordType) -> Answer {
        if !self.options.recursion {
            // A zone's own server: asked directly, so that nothing is chased or hidden.
            return super::direct::ask(self.addresses[server], name, rtype, self.options).await;
        }
        let resolver = &self.servers[server].1;
        let fail = Answer::failed;
        let query_name = match Name::from_ascii(name.to_dotted()) {
            Ok(n) => n,
            Err(e) => {
                return fail(
                    Rcode::Error,
                    format!("`{name}` is not a name hickory accepts: {e}"),
                );
            }
        };
        let query_type = hickory_resolver::proto::rr::RecordType::from(RecordType::number(&rtype));
        // ALIAS is a provider-side construct: on the wire the name answers with addresses.
        match resolver.lookup(query_name, query_type).await {
            Ok(lookup) => {
                let chain: Vec<Rr> = lookup.answers().iter().map(rr).collect();
                let message = lookup.message();
                Answer {
                    rcode: if chain.is_empty() {
                        Rcode::Nodata
                    } else {
                        Rcode::Noerror
                    },
                    authoritative: Some(message.metadata.authoritative),
                    chain,
                    referral: Vec::new(),
                    error: None,
                }
            }
            Err(NetError::Dns(DnsError::NoRecordsFound(none))) => Answer {
                rcode: if none.response_code == ResponseCode::NXDomain {
                    Rcode::Nxdomain
                } else {
                    Rcode::Nodata
                },
                authoritative: Some(none.soa.is_some()),
                chain: Vec::new(),
                referral: Vec::new(),
                error: None,
            },
            Err(NetError::Dns(DnsError::ResponseCode(code))) => {
                let rcode = match code {
                    ResponseCode::ServFail => Rcode::Servfail,
                    ResponseCode::Refused => Rcode::Refused,
                    ResponseCode::NXDomain => Rcode::Nxdomain,
                    _ => Rcode::Error,
                };
                Answer {
                    rcode,
                    authoritative: Some(false),
                    chain: Vec::new(),
                    referral: Vec::new(),
                    error: Some(format!("the server answered {code}")),
                }
            }
            Err(NetError::Timeout) => fail(
                Rcode::Timeout,
                format!(
                    "no answer within {:?} ({} tries)",
                    self.options.timeout, self.options.attempts
                ),
            ),
            Err(e) if e.to_string().to_ascii_lowercase().contains("timed out") => {
                fail(Rcode::Timeout, e.to_string())
            }
            Err(e) => fail(Rcode::Error, e.to_string()),
        }
    }
}

/// A record of an answer, its data canonical like the zone readers'.
pub(super) fn rr(record: &Record) -> Rr {
    let name = record.name.to_ascii().to_ascii_lowercase();
    let rtype = RecordType::from_number(u16::from(record.record_type()));
    let data = match &record.data {
        // Each character-string as it came: the boundaries are data.
        RData::TXT(txt) => txt
            .txt_data
            .iter()
            .map(|s| rdata::quote(s))
            .collect::<Vec<_>>()
            .join(" "),
        // Types this resolver does not parse (DNSKEY, DS, RRSIG, ...) arrive as their bytes:
        // read them as the zone readers read RFC 3597 data, into the same canonical text.
        RData::Unknown { rdata, .. } => {
            let bytes = &rdata.anything;
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let length = bytes.len().to_string();
            let mut fields = vec![
                rdata::Field {
                    text: "\\#",
                    quoted: false,
                },
                rdata::Field {
                    text: &length,
                    quoted: false,
                },
            ];
            if !hex.is_empty() {
                fields.push(rdata::Field {
                    text: &hex,
                    quoted: false,
                });
            }
            rdata::canonical(rtype, &fields, "").unwrap_or_else(|_| format!("\\# {length} {hex}"))
        }
        other => {
            let text = other.to_string();
            let lower = |t: String| {
                if matches!(rtype, RecordType::Caa | RecordType::Unknown(_)) {
                    t
                } else {
                    t.to_ascii_lowercase()
                }
            };
            lower(text)
        }
    };
    Rr {
        name: name.trim_end_matches('.').to_string(),
        rtype,
        ttl: record.ttl,
        data,
    }
}
