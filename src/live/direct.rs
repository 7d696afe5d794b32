//! One question to one of a zone's own servers, answered as that server answers it: recursion
//! off, no CNAME chased to another server, the AA bit and the referral kept. UDP with EDNS
//! (1,232 bytes), TCP when the answer is truncated; a per-try timeout and limited tries.

use std::net::SocketAddr;

use hickory_resolver::proto::op::{Edns, Message, MessageType, Query, ResponseCode};
use hickory_resolver::proto::rr::{Name, RData};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use super::answer::{Answer, Rcode, Rr};
use super::resolve::{Options, rr};
use crate::model::{Fqdn, RecordType};

/// Why one try got no usable answer.
enum Failure {
    Timeout,
    Other(String),
}

/// Asks `server` for `name` `rtype`, directly.
pub async fn ask(server: SocketAddr, name: &Fqdn, rtype: RecordType, options: Options) -> Answer {
    let fail = Answer::failed;
    let query_name = match Name::from_ascii(name.to_dotted()) {
        Ok(n) => n,
        Err(e) => return fail(Rcode::Error, format!("`{name}` is not a name to ask: {e}")),
    };
    let qtype = hickory_resolver::proto::rr::RecordType::from(RecordType::number(&rtype));
    let mut last = Failure::Timeout;
    let mut edns = true;
    for _ in 0..options.attempts.max(1) {
        let mut message = Message::query();
        message.metadata.recursion_desired = false;
        message.add_query(Query::query(query_name.clone(), qtype));
        if edns {
            let mut opt = Edns::new();
            opt.set_max_payload(1232);
            message.set_edns(opt);
        }
        let exchanged = tokio::time::timeout(options.timeout, exchange(server, &message)).await;
        match exchanged {
            // An old server that does not know EDNS says FORMERR: ask it again without.
            Ok(Ok(response))
                if edns && response.metadata.response_code == ResponseCode::FormErr =>
            {
                edns = false;
                last = Failure::Other(format!("{server} answered FORMERR"));
            }
            Ok(Ok(response)) => return answer(&response),
            Ok(Err(failure)) => last = failure,
            Err(_) => last = Failure::Timeout,
        }
    }
    match last {
        Failure::Timeout => fail(
            Rcode::Timeout,
            format!(
                "no answer within {:?} ({} tries)",
                options.timeout, options.attempts
            ),
        ),
        Failure::Other(e) => fail(Rcode::Error, e),
    }
}

/// One try: over UDP, and over TCP when the UDP answer is truncated.
async fn exchange(server: SocketAddr, query: &Message) -> Result<Message, Failure> {
    let bytes = query
        .to_vec()
        .map_err(|e| Failure::Other(format!("cannot write the query: {e}")))?;
    let io = |e: std::io::Error| Failure::Other(format!("{server}: {e}"));
    let local: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().expect("an address")
    } else {
        "[::]:0".parse().expect("an address")
    };
    let socket = UdpSocket::bind(local).await.map_err(io)?;
    socket.connect(server).await.map_err(io)?;
    socket.send(&bytes).await.map_err(io)?;
    let mut buffer = vec![0u8; 65_535];
    loop {
        let n = socket.recv(&mut buffer).await.map_err(io)?;
        // Anything that is not the answer to this question is ignored, not believed.
        match Message::from_vec(&buffer[..n]) {
            Ok(response) if matches(query, &response) => {
                if !response.metadata.truncation {
                    return Ok(response);
                }
                break;
            }
            Ok(_) => {}
            // A truncated answer may not even parse: its header says to ask over TCP.
            Err(_) => {
                let id = query.metadata.id.to_be_bytes();
                if n >= 12 && buffer[..2] == id && buffer[2] & 0x80 != 0 && buffer[2] & 0x02 != 0 {
                    break;
                }
            }
        }
    }
    let mut stream = TcpStream::connect(server).await.map_err(io)?;
    let length =
        u16::try_from(bytes.len()).map_err(|_| Failure::Other("the query is too long".into()))?;
    let mut framed = length.to_be_bytes().to_vec();
    framed.extend(&bytes);
    stream.write_all(&framed).await.map_err(io)?;
    let mut prefix = [0u8; 2];
    stream.read_exact(&mut prefix).await.map_err(io)?;
    let mut body = vec![0u8; usize::from(u16::from_be_bytes(prefix))];
    stream.read_exact(&mut body).await.map_err(io)?;
    let response = Message::from_vec(&body)
        .map_err(|e| Failure::Other(format!("{server} answered over TCP with garbage: {e}")))?;
    if matches(query, &response) {
        Ok(response)
    } else {
        Err(Failure::Other(format!(
            "{server} answered over TCP with another question's answer"
        )))
    }
}

/// True if `response` answers `query`: the same ID and the same question.
fn matches(query: &Message, response: &Message) -> bool {
    response.metadata.id == query.metadata.id
        && response.metadata.message_type == MessageType::Response
        && response.queries.len() == 1
        && query.queries.first().is_some_and(|q| {
            let r = &response.queries[0];
            r.query_type() == q.query_type() && r.name() == q.name()
        })
}

/// A response as an [`Answer`]: the answer section as the chain; with no answer records, a
/// referral's NS records and their glue.
fn answer(response: &Message) -> Answer {
    let chain: Vec<Rr> = response.answers.iter().map(rr).collect();
    // No data of the asked type (at most a CNAME chain): the NS records and glue of a cut the
    // server refers the rest to.
    let aliases_only = chain
        .iter()
        .all(|rr| matches!(rr.rtype, RecordType::Cname | RecordType::Dname));
    let referral: Vec<Rr> = if aliases_only {
        response
            .authorities
            .iter()
            .filter(|r| r.record_type() == hickory_resolver::proto::rr::RecordType::NS)
            .chain(
                response
                    .additionals
                    .iter()
                    .filter(|r| matches!(r.data, RData::A(_) | RData::AAAA(_))),
            )
            .map(rr)
            .collect()
    } else {
        Vec::new()
    };
    let rcode = match response.metadata.response_code {
        ResponseCode::NoError if chain.is_empty() => Rcode::Nodata,
        ResponseCode::NoError => Rcode::Noerror,
        ResponseCode::NXDomain => Rcode::Nxdomain,
        ResponseCode::ServFail => Rcode::Servfail,
        ResponseCode::Refused => Rcode::Refused,
        _ => Rcode::Error,
    };
    let error = match rcode {
        Rcode::Servfail | Rcode::Refused | Rcode::Error => Some(format!(
            "the server answered {}",
            response.metadata.response_code
        )),
        _ => None,
    };
    Answer {
        rcode,
        authoritative: Some(response.metadata.authoritative),
        chain,
        referral,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_referral_is_nodata_with_the_child_ns_set_and_glue() {
        let name = Name::from_ascii("www.sub.example.").unwrap();
        let mut query = Message::query();
        query.add_query(Query::query(
            name.clone(),
            hickory_resolver::proto::rr::RecordType::A,
        ));
        let mut response = Message::response(query.metadata.id, query.metadata.op_code);
        response.add_query(Query::query(
            name.clone(),
            hickory_resolver::proto::rr::RecordType::A,
        ));
        let ns = Name::from_ascii("ns.sub.example.").unwrap();
        response
            .authorities
            .push(hickory_resolver::proto::rr::Record::from_rdata(
                Name::from_ascii("sub.example.").unwrap(),
                300,
                RData::NS(hickory_resolver::proto::rr::rdata::NS(ns.clone())),
            ));
        response
            .additionals
            .push(hickory_resolver::proto::rr::Record::from_rdata(
                ns,
                300,
                RData::A(hickory_resolver::proto::rr::rdata::A::new(192, 0, 2, 53)),
            ));
        assert!(matches(&query, &response));
        let a = answer(&response);
        assert_eq!(a.rcode, Rcode::Nodata);
        assert_eq!(a.authoritative, Some(false));
        assert_eq!(
            a.referral
                .iter()
                .map(|r| format!("{} {} {}", r.name, r.rtype, r.data))
                .collect::<Vec<_>>(),
            [
                "sub.example NS ns.sub.example.",
                "ns.sub.example A 192.0.2.53"
            ]
        );
        // Another ID is another exchange's answer.
        response.metadata.id = query.metadata.id.wrapping_add(1);
        assert!(!matches(&query, &response));
    }
}
