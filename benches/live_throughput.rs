//! Resolution throughput of `changegate snapshot` against an authoritative server on loopback
//! (hickory-server, in process), at the default concurrency and one question at a time, in
//! the same run.
//!
//!     cargo bench --bench live_throughput            # 10,000 names
//!     cargo bench --bench live_throughput -- 50000   # another count

#[allow(dead_code)]
#[path = "../tests/common/dns.rs"]
mod dns;

use std::process::Command;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let mut zone = String::from(
        "$ORIGIN bench.example.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n",
    );
    for i in 0..n {
        zone.push_str(&format!(
            "h{i} IN A 10.{}.{}.{}\n",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255
        ));
    }
    let server = dns::DnsServer::start(&[("bench.example", &zone)]);
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..n).map(|i| format!("h{i}.bench.example")).collect();
    println!("| concurrency | names | wall | answers per second |");
    println!("| ---: | ---: | ---: | ---: |");
    for concurrency in ["1", "64"] {
        let started = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_changegate"))
            .current_dir(dir.path())
            .args([
                "snapshot",
                "--types",
                "A",
                "--out",
                "s.json",
                "--no-progress",
                "-q",
                "--concurrency",
                concurrency,
                "--resolver",
            ])
            .arg(server.resolver())
            .args(&names)
            .status()
            .unwrap();
        let wall = started.elapsed().as_secs_f64();
        assert!(status.success(), "the snapshot failed");
        println!(
            "| {concurrency} | {n} | {wall:.2} s | {:.0} |",
            n as f64 / wall
        );
    }
}
