//! An authoritative DNS server on loopback (hickory-server, in process, UDP and TCP) whose
//! zones a test can replace between steps; and, for faults a real server will not produce on
//! demand, a server that answers SERVFAIL and one that never answers.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::{LowerName, Name, RecordSet, RrKey};
use hickory_proto::serialize::txt::Parser;
use hickory_server::Server;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};

pub struct DnsServer {
    pub address: SocketAddr,
    zones: Vec<(String, Arc<InMemoryZoneHandler>)>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn parse(origin: &str, text: &str) -> BTreeMap<RrKey, RecordSet> {
    let name = Name::from_ascii(format!("{origin}.")).unwrap();
    Parser::new(text.to_string(), None, Some(name))
        .parse()
        .expect("a valid test zone")
        .1
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

impl DnsServer {
    /// Serves `(origin, zone text)` pairs on a free loopback port, over UDP and TCP.
    pub fn start(zones: &[(&str, &str)]) -> Self {
        Self::serve(zones, true)
    }

    /// The same over UDP only: truncated answers cannot be retried over TCP.
    pub fn start_udp_only(zones: &[(&str, &str)]) -> Self {
        Self::serve(zones, false)
    }

    fn serve(zones: &[(&str, &str)], tcp: bool) -> Self {
        let zones: Vec<(String, String)> = zones
            .iter()
            .map(|(o, t)| (o.to_string(), t.to_string()))
            .collect();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            runtime().block_on(async move {
                // UDP takes a free port; TCP wants the same one, which another test may hold
                // for TCP already: then try another port.
                let mut attempts = 0;
                let (udp, address, listener) = loop {
                    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
                    let address = udp.local_addr().unwrap();
                    if !tcp {
                        break (udp, address, None);
                    }
                    match tokio::net::TcpListener::bind(address).await {
                        Ok(listener) => break (udp, address, Some(listener)),
                        Err(_) if attempts < 50 => attempts += 1,
                        Err(e) => panic!("no port free for both UDP and TCP: {e}"),
                    }
                };
                let mut catalog = Catalog::new();
                let mut handlers = Vec::new();
                for (origin, text) in &zones {
                    let name = Name::from_ascii(format!("{origin}.")).unwrap();
                    let handler = Arc::new(
                        InMemoryZoneHandler::new(
                            name.clone(),
                            parse(origin, text),
                            ZoneType::Primary,
                            AxfrPolicy::Deny,
                        )
                        .unwrap(),
                    );
                    catalog.upsert(
                        LowerName::new(&name),
                        vec![handler.clone() as Arc<dyn ZoneHandler>],
                    );
                    handlers.push((origin.clone(), handler));
                }
                let mut server = Server::new(catalog);
                server.register_socket(udp);
                match listener {
                    Some(listener) => {
                        server.register_listener(listener, Duration::from_secs(5), 65_535)
                    }
                    None => drop(listener),
                }
                ready_tx.send((address, handlers)).unwrap();
                let _ = stopped.await;
                let _ = server.shutdown_gracefully().await;
            });
        });
        let (address, zones) = ready_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the DNS server started");
        Self {
            address,
            zones,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Replaces every record of a zone while the server runs.
    pub fn replace(&self, origin: &str, text: &str) {
        let handler = self
            .zones
            .iter()
            .find(|(o, _)| o == origin)
            .map(|(_, h)| h.clone())
            .expect("a served zone");
        let records = parse(origin, text);
        runtime().block_on(async move {
            let mut current = handler.records_mut().await;
            current.clear();
            for (key, set) in records {
                current.insert(key, Arc::new(set));
            }
        });
    }

    pub fn resolver(&self) -> String {
        self.address.to_string()
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A UDP server that answers SERVFAIL to every question.
pub fn servfail() -> SocketAddr {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let address = socket.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok((n, from)) = socket.recv_from(&mut buffer) {
            if n < 12 {
                continue;
            }
            // The question ends at the root label, then type and class.
            let mut end = 12;
            while end < n && buffer[end] != 0 {
                end += buffer[end] as usize + 1;
            }
            let end = (end + 5).min(n);
            let mut reply = Vec::with_capacity(end);
            reply.extend_from_slice(&buffer[..2]);
            reply.extend_from_slice(&[0x81, 0x82, 0, 1, 0, 0, 0, 0, 0, 0]);
            reply.extend_from_slice(&buffer[12..end]);
            let _ = socket.send_to(&reply, from);
        }
    });
    address
}

/// An address where UDP questions are received and never answered, and TCP connections are
/// accepted and never answered: only a timeout can end a question.
pub struct Silent {
    pub address: SocketAddr,
    _udp: std::net::UdpSocket,
    _tcp: std::net::TcpListener,
}

pub fn silent() -> Silent {
    // The UDP port is free; the same TCP port may not be (another test holds it): try again.
    for _ in 0..100 {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let address = udp.local_addr().unwrap();
        if let Ok(tcp) = std::net::TcpListener::bind(address) {
            return Silent {
                address,
                _udp: udp,
                _tcp: tcp,
            };
        }
    }
    panic!("no loopback port was free for both UDP and TCP");
}
