//! The body of every fuzz target, shared with `tests/fuzz_regressions.rs`, which runs each
//! saved input through the same code under `cargo test`. Each function must return for any
//! input; a panic is a bug.

use changegate::approval::{FoundApproval, SigFile, check, read_allowed_signers};
use changegate::diag::SourceFile;
use changegate::zone::{MemFiles, load_state};
use std::path::Path;

/// A fuzz target's body.
pub type Target = fn(&[u8]);

/// The targets, by name, as `cargo fuzz` and the regression corpus know them.
pub const TARGETS: &[(&str, Target)] = &[
    ("zonefile", zonefile),
    ("zonefile_lines", zonefile_lines),
    ("octodns", octodns),
    ("ticket", ticket),
    ("policy", policy),
    ("config", config),
    ("allowed_signers", allowed_signers),
    ("sig_file", sig_file),
    ("prometheus", prometheus),
];

/// Reads zones and fails loudly if a reader thread panicked (`load_state` turns a panic in
/// its threads into a problem, so that one bad file does not take the others down).
fn read_zones(files: &MemFiles, zonefiles: &[String], octodns: &[String]) {
    if let Err(problems) = load_state(files, zonefiles, octodns) {
        // The exact message `load_state` gives a reader thread's panic: a zone's own text
        // (a zone named `crashed.example`) must not look like one.
        assert!(
            !problems
                .iter()
                .any(|p| p.message == "a zone reader crashed"),
            "a zone reader panicked"
        );
        render(&problems);
    }
}

/// A zone file, then `\n=====\n`, then the file its `$INCLUDE inc` lines read.
pub fn zonefile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (zone, inc) = text.split_once("\n=====\n").unwrap_or((text, ""));
    let mut files = MemFiles::default();
    files.files.insert("z/example.com.zone".into(), zone.into());
    files.files.insert("z/inc".into(), inc.into());
    read_zones(&files, &["z/*.zone".to_string()], &[]);
}

const LINES: &[&str] = &[
    "$ORIGIN example.com.",
    "$TTL 3600",
    "$INCLUDE inc sub",
    "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300",
    "@ NS ns1",
    "ns1 300 IN A 192.0.2.53",
    "www IN 300 AAAA 2001:db8::1",
    "a CNAME b",
    "b.example.com. MX 10 mail",
    "_sip._tcp SRV 10 5 5060 sip",
    "txt TXT \"v=spf1 -all\" \"second\"",
    "long TXT ( \"one\"\n  \"two\" )",
    "caa CAA 0 issue \"letsencrypt.org\"",
    "x TYPE65534 \\# 3 abcdef",
    "g TYPE1 \\# 4 c0000202",
    "m TYPE15 \\# 19 000a 036d7831076578616d706c6503636f6d00",
    "svc HTTPS 1 . alpn=h2 ech=AEj+CgBE",
    "s SVCB 0 target.example.com.",
    "fp SSHFP 1 1 ( 0123456789abcdef\n 0123456789abcdef )",
    "ds DS 12345 8 2 49FD46E6C4B45C55D4AC",
    "key DNSKEY 257 3 8 AwEAAag=",
    "*.wild A 192.0.2.9",
    "\\065bc A 192.0.2.10",
    "  A 192.0.2.11",
    "; a comment",
    "naptr NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:a@b!\" .",
    "loc LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",
    "loc2 LOC 1 2 .5 S 179 59 59.999 W -100000 0.05m 0.1 90000000",
    "loc3 TYPE29 \\# 16 0012161389bdba1b7f1f24ed00989680",
    "hinfo HINFO \"PC\" \"Linux\"",
    "h2 TYPE13 \\# 11 0450432d31054c696e7578",
    "n2 TYPE35 \\# 32 000a00140175074532552b7369700003777777076578616d706c6503636f6d00",
    "z ZONEMD 2018031500 1 1 ( FEBE3D4CE2EC2FFA4BA99D46CD69D6D2\n 9711E55217057BEE7EB1A7B641A47BA7 )",
    "l L64 10 2001:0DB8:1140:1000",
    "k DNSKEY 256 3 RSASHA256 AQID",
    "d DS 1 RSASHA256 SHA-256 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB",
    "s2 SVCB 1 . key7=\"/{?dns}\" ech",
    "p PTR !@#3.",
];

const TOKENS: &[&str] = &[
    "",
    "(",
    ")",
    "\"",
    "\\",
    "\\#",
    "@",
    ".",
    "..",
    ";",
    "IN",
    "CH",
    "CLASS1",
    "TYPE1",
    "A",
    "CNAME",
    "0",
    "4294967295",
    "4294967296",
    "2147483648",
    "65536",
    "-1",
    "1w2d",
    "é",
    "\\999",
    "\\046",
    "*",
    "\"\"",
    "a.b..c",
    "$ORIGIN",
    "\t",
    "\\# 0",
    "\\# 2 ab",
];

/// Structure-aware zone files: every pair of input bytes picks a valid line and a mutation of
/// one of its tokens (or a cut), so that the reader sees near-valid zones rather than noise.
pub fn zonefile_lines(data: &[u8]) {
    let mut zone = String::new();
    for pair in data.chunks(2) {
        let line = LINES[pair[0] as usize % LINES.len()];
        match pair.get(1) {
            Some(&m) if m < 128 => {
                let mut tokens: Vec<&str> = line.split(' ').collect();
                let at = m as usize % tokens.len();
                tokens[at] = TOKENS[(m as usize / tokens.len()) % TOKENS.len()];
                zone.push_str(&tokens.join(" "));
            }
            Some(&m) if m < 160 => {
                let mut cut = line.len() * (m as usize - 128) / 32;
                while !line.is_char_boundary(cut) {
                    cut -= 1;
                }
                zone.push_str(&line[..cut]);
            }
            _ => zone.push_str(line),
        }
        zone.push('\n');
    }
    let mut files = MemFiles::default();
    files.files.insert("example.com.zone".into(), zone);
    files
        .files
        .insert("inc".into(), "sub-a A 192.0.2.1\n$INCLUDE inc\n".into());
    read_zones(&files, &["*.zone".to_string()], &[]);
}

/// An octoDNS zone file, then `\n=====\n`, then `inc.yaml`, which it may `!include`.
pub fn octodns(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (zone, inc) = text.split_once("\n=====\n").unwrap_or((text, ""));
    let mut files = MemFiles::default();
    files.files.insert("o/example.com.yaml".into(), zone.into());
    files.files.insert("o/inc.yaml".into(), inc.into());
    read_zones(&files, &[], &["o/*.yaml".to_string()]);
}

/// Renders the first problems too: positions and snippets must hold for any text.
fn render(problems: &[changegate::diag::Diagnostic]) {
    for p in problems.iter().take(3) {
        let _ = p.render(false);
    }
}

pub fn ticket(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::new("CHG-1.toml", text);
    if let Err(problems) = changegate::ticket::read_ticket(file, Path::new("CHG-1.toml")) {
        render(&problems);
    }
}

pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::new("policies/default.toml", text);
    match changegate::policy::read_policy(file, Path::new("policies/default.toml")) {
        Ok(policy) => {
            render(&changegate::policy::lint(&policy, None));
            render(&changegate::policy::warnings(&policy));
        }
        Err(problems) => render(&problems),
    }
}

pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::new("changegate.toml", text);
    if let Err(problems) = changegate::config::read_config(file, Path::new("changegate.toml")) {
        render(&problems);
    }
}

pub fn allowed_signers(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match read_allowed_signers(SourceFile::new("allowed_signers", text)) {
        Ok(signers) => {
            for principal in ["alice@example.com", "", "!x", "*"] {
                let _ = signers.has_key_for(principal);
            }
        }
        Err(problems) => render(&problems),
    }
}

const SIGNERS: &str = "\"*@example.com,!bob@example.com\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMbjsRErzVs3i75P6JxzWe9ofS3S1551BSvwN8RtnOnX\n";

/// A `.sig` file: TOML, the message inside, the armored signature, checked against a fixed
/// `allowed_signers`.
pub fn sig_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let signers = read_allowed_signers(SourceFile::new("allowed_signers", SIGNERS))
        .unwrap_or_else(|_| unreachable!("the fixed allowed_signers is valid"));
    let found = FoundApproval {
        file: "carol@example.com.sig".into(),
        principal: "carol@example.com".into(),
        content: toml::from_str::<SigFile>(text).map_err(|e| e.to_string()),
    };
    let now = jiff::Timestamp::from_second(1_768_435_200).unwrap_or_default();
    let _ = check(&found, Some(&signers), now);
}

/// A Prometheus answer: the first byte picks the HTTP status, the rest is the body.
pub fn prometheus(data: &[u8]) {
    let status = data.first().map_or(200, |b| 100 + u16::from(*b) * 2);
    let _ =
        changegate::evidence::parse_prometheus_response(status, data.get(1..).unwrap_or_default());
}
