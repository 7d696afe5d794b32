//! Knot DNS (`knotd`) serving zones on a loopback address at port 53, as a zone's real
//! authoritative server would (tests run as root; all of 127.0.0.0/8 is loopback). Stopped
//! when dropped.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Knot {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Knot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A query for `zone` SOA, in wire form.
fn soa_query(zone: &str) -> Vec<u8> {
    let mut q = vec![0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in zone.split('.').filter(|l| !l.is_empty()) {
        q.push(label.len() as u8);
        q.extend(label.as_bytes());
    }
    q.extend([0, 0, 6, 0, 1]);
    q
}

impl Knot {
    /// `knotd` serving each `(zone, master file text)` at `address`, port 53; ready when it
    /// answers for the first zone. `None` (skip) only outside CI.
    pub fn serve(address: &str, zones: &[(&str, &str)]) -> Option<Self> {
        let knotd = super::tool("knotd", "knot")?;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        let mut conf = format!(
            "server:\n    listen: {address}@53\n    rundir: {d}\ndatabase:\n    storage: {d}/db\n\
             template:\n  - id: default\n    storage: {d}\nzone:\n"
        );
        for (zone, text) in zones {
            std::fs::write(dir.path().join(format!("{zone}.zone")), text).unwrap();
            conf.push_str(&format!("  - domain: {zone}\n    file: {d}/{zone}.zone\n"));
        }
        std::fs::write(dir.path().join("knot.conf"), conf).unwrap();
        let child = Command::new(knotd)
            .arg("-c")
            .arg(dir.path().join("knot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let knot = Knot { child, _dir: dir };
        let query = soa_query(zones[0].0);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            socket
                .set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
            let _ = socket.send_to(&query, format!("{address}:53"));
            let mut buffer = [0u8; 512];
            if socket.recv_from(&mut buffer).is_ok() {
                return Some(knot);
            }
            assert!(
                Instant::now() < deadline,
                "knotd did not start on {address}"
            );
        }
    }
}
