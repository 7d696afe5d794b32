//! A tiny HTTP server for faults a real Prometheus will not produce on demand: garbage
//! bodies, errors, answers that never come.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

pub enum Reply {
    /// HTTP status and body.
    Answer(u16, &'static str),
    /// Accept the connection and never answer.
    Hang,
}

/// Serves `reply` to every request on a free loopback port; returns the base URL.
pub fn serve(reply: Reply) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            match &reply {
                Reply::Hang => held.push(stream),
                Reply::Answer(status, body) => {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut buffer = [0u8; 8192];
                    let _ = stream.read(&mut buffer);
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
            }
        }
    });
    url
}

/// A loopback URL where nothing listens.
pub fn refused() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}
