//! Differential tests against the real tools: changegate must read a zone file as BIND
//! (`named-checkzone`) reads it, and diff two zones as `ldns-compare-zones` does.
//!
//! For each zone, from the fixture corpus and from a generator (types, escapes, generic forms,
//! TTL forms, `$ORIGIN`, parentheses, several strings):
//! - BIND refuses it ⇔ changegate refuses it;
//! - when both read it, changegate's reading of the zone equals changegate's reading of
//!   BIND's own dump of it (`named-checkzone -D`): BIND writes every record in its canonical
//!   form, so any difference in how the two read a record shows as a difference here.
//!
//! For random edits of generated zones, the names ldns reports inserted, deleted and changed
//! must be those changegate's diff touches. In CI (`CI` set) a missing tool fails the test.

mod common;

use std::path::Path;
use std::process::Command;

use changegate::zone::{FsFiles, State, diff_states, load_state};
use common::Rng;

/// `named-checkzone` with every policy check that is not about reading turned off: what is
/// left is whether BIND loads the zone.
fn bind_dump(origin: &str, file: &Path) -> Option<Result<String, String>> {
    // BIND resolves `$INCLUDE` from its working folder; changegate from the including file.
    let output = Command::new("named-checkzone")
        .current_dir(file.parent().unwrap_or(Path::new(".")))
        .args(["-D", "-o", "-"])
        .args(["-k", "ignore", "-i", "none", "-n", "ignore", "-m", "ignore"])
        .args([
            "-M", "ignore", "-S", "ignore", "-r", "ignore", "-T", "ignore",
        ])
        .args(["-W", "ignore"])
        .arg(origin)
        .arg(file)
        .output();
    let output = match output {
        Ok(output) => output,
        Err(_) => {
            assert!(
                !common::required(),
                "CI is set but `named-checkzone` is missing (apt-get install bind9-utils)"
            );
            eprintln!("skipping: named-checkzone is not installed");
            return None;
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    Some(if output.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        ))
    })
}

/// changegate's reading of one zone file, as `name TYPE ttl values` lines.
fn changegate_read(dir: &Path, file: &str) -> Result<Vec<String>, String> {
    let files = FsFiles::new(dir);
    load_state(&files, &[file.to_string()], &[])
        .map(|state| rrsets(&state))
        .map_err(|problems| problems.iter().map(|p| p.render(false)).collect())
}

fn rrsets(state: &State) -> Vec<String> {
    let mut out: Vec<String> = state
        .zones
        .values()
        .flat_map(|z| z.rrsets.iter())
        .map(|r| format!("{} {} {} {}", r.name, r.rtype, r.ttl, r.values.join(" | ")))
        .collect();
    out.sort();
    out
}

/// Compares changegate with BIND on one zone file; returns a description of a disagreement.
fn compare_with_bind(dir: &Path, file: &str, origin: &str) -> Option<Result<(), String>> {
    let path = dir.join(file);
    let bind = bind_dump(origin, &path)?;
    let ours = changegate_read(dir, file);
    Some(match (bind, ours) {
        (Err(_), Err(_)) => Ok(()),
        (Ok(_), Err(problems)) => Err(format!(
            "BIND loads {file}, changegate refuses it:\n{problems}"
        )),
        (Err(why), Ok(_)) => Err(format!("changegate reads {file}, BIND refuses it:\n{why}")),
        (Ok(dump), Ok(ours)) => {
            let dumped = format!("{file}.bind");
            std::fs::write(dir.join(&dumped), format!("$ORIGIN {origin}.\n{dump}")).unwrap();
            match changegate_read(dir, &dumped) {
                Err(problems) => Err(format!(
                    "changegate cannot read BIND's dump of {file}:\n{problems}\n{dump}"
                )),
                Ok(theirs) if theirs != ours => {
                    let only_ours: Vec<&String> =
                        ours.iter().filter(|r| !theirs.contains(r)).collect();
                    let only_bind: Vec<&String> =
                        theirs.iter().filter(|r| !ours.contains(r)).collect();
                    Err(format!(
                        "{file}: changegate and BIND read different records\n  changegate: {only_ours:#?}\n  BIND: {only_bind:#?}"
                    ))
                }
                Ok(_) => Ok(()),
            }
        }
    })
}

/// One record line a zone may hold, BIND-valid, with `{n}` replaced by a number.
const RECORDS: &[&str] = &[
    "host{n} A 192.0.2.{n}",
    "host{n} 300 IN AAAA 2001:db8::{n}",
    "host{n} IN 1h30m A 198.51.100.{n}",
    "alias{n} CNAME host{n}",
    "mx{n} MX {n} mail{n}.example.net.",
    "srv{n} SRV 10 {n} 5060 sip{n}",
    "txt{n} TXT \"v=spf1 -all\"",
    "txt{n} TXT \"txtvers=1\" \"path=/{n}\"",
    "txt{n} TXT plain{n} \"quoted \\\" and \\\\ and \\059\"",
    "txt{n} TXT ( \"first line\"\n  \"second line {n}\" )",
    "caa{n} CAA 0 issue \"ca{n}.example.net\"",
    "caa{n} CAA 128 tbs \"Unknown\"",
    "gen{n} TYPE1 \\# 4 c00002{hex}",
    "gen{n} TYPE16 \\# 6 05616263{hex}01",
    "opaque{n} TYPE65280 \\# 3 ab{hex}cd",
    "\\065\\066c{n} A 192.0.2.{n}",
    "Mixed{n}.CASE A 192.0.2.{n}",
    "esc\\.dot{n} A 192.0.2.{n}",
    "svc{n} SVCB 1 target{n} alpn=h2,h3 port={n}",
    "svc{n} HTTPS 1 . alpn=\"h2\" ipv4hint=192.0.2.{n},192.0.2.1 ech=AEj+CgBE",
    "svc{n} SVCB 2 . key65000=\"A{n}\" key65001=b mandatory=key65000",
    "sshfp{n} SSHFP 1 2 ( 0123456789ABCDEF0123456789abcdef\n 0123456789abcdef0123456789ABCDEF )",
    "tlsa{n} TLSA 3 1 1 0123456789ABCDEF0123456789abcdef",
    "ds{n} DS 1{n} 8 1 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE",
    "ds{n} DS 2{n} 13 2 ( D4B7D520E7BB5F0F67674A0CCEB1E3E0\n 614B93C4F9E99B8383F6A1E4469DA50A )",
    "*.wild{n} A 192.0.2.{n}",
    "ptr{n} PTR host{n}.example.com.",
    "big{n} 4294967295 A 192.0.2.{n}",
    "naptr{n} NAPTR 100 {n} \"u\" \"E2U+sip\" \"!^.*$!sip:x@example.net!\" .",
    "loc{n} LOC 52 22 N 4 53 32.{n} E {n}m 1500m",
    "loc{n} LOC 1 2 .5 S 179 59 59.999 W -{n}.5 0.05m 0.1 90000000",
    "loc{n} TYPE29 \\# 16 0012161389bdba1b7f1f24ed009896{hex}",
];

/// Records BIND refuses, so changegate must too.
const BAD: &[&str] = &[
    "bad{n} A \\# 5 c000020101",
    "bad{n} TXT \"{long}\"",
    "bad{n} CNAME x\nbad{n} A 192.0.2.1",
    "bad{n} CNAME x\nbad{n} CNAME y",
    "bad{n} SVCB 1 . port=1 port=2",
    "bad{n} A 192.0.2.256",
    "bad{n} DS 1 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE",
    "bad{n} SSHFP 1 1 0123456789ABCDEF0123456789abcdef",
    "bad{n} LOC 90 0 0.001 N 0 E 0",
    "bad{n} LOC 1 n 0 E 0",
    "bad{n} LOC 0 N 0 E 0 0.001",
    "bad{n} TYPE29 \\# 16 00a2161389bdba1b7f1f24ed00989680",
    "bad{n} MD md.example.net.",
    "bad{n} TYPE200 \\# 1 00",
    "bad{n} TYPE999 opaque words",
    "*.bad{n} NS ns1",
    "@ DS 1{n} 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB",
    "bad{n} DNAME x.example.net.\nbad{n} DNAME y.example.net.",
    "bad{n} SOA ns1 hostmaster 1 2 3 4 5",
    "bad{n} ZONEMD 1 1 1 0102",
];

fn generate(rng: &mut Rng, bad: bool) -> String {
    let mut zone = String::from(
        "$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 hostmaster ( 1 7200 3600 1209600 300 )\n@ NS ns1\nns1 A 192.0.2.53\n",
    );
    for _ in 0..(5 + rng.below(25)) {
        let n = 1 + rng.below(250);
        let line = rng
            .pick(RECORDS)
            .replace("{n}", &n.to_string())
            .replace("{hex}", &format!("{n:02x}"));
        if rng.below(10) == 0 {
            zone.push_str("$ORIGIN sub.example.com.\n");
            zone.push_str(&line);
            zone.push_str("\n$ORIGIN example.com.\n");
        } else {
            zone.push_str(&line);
            zone.push('\n');
        }
    }
    if bad {
        let n = rng.below(100);
        zone.push_str(
            &rng.pick(BAD)
                .replace("{n}", &n.to_string())
                .replace("{long}", &"x".repeat(256)),
        );
        zone.push('\n');
    }
    zone
}

#[test]
fn the_fixture_corpus_reads_as_bind_reads_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/differential");
    let dir = tempfile::tempdir().unwrap();
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(origin) = name.strip_suffix(".zone") else {
            continue;
        };
        std::fs::copy(&path, dir.path().join(name)).unwrap();
        match compare_with_bind(dir.path(), name, origin) {
            None => return,
            Some(Err(e)) => disagreements.push(e),
            Some(Ok(())) => compared += 1,
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n\n"));
    assert!(compared >= 5, "compared {compared} fixtures");
}

#[test]
fn generated_zones_read_as_bind_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let mut disagreements = Vec::new();
    let (mut loaded, mut refused) = (0, 0);
    for i in 0..120 {
        let bad = i % 4 == 3;
        let zone = generate(&mut rng, bad);
        let file = format!("z{i}.zone");
        std::fs::write(dir.path().join(&file), &zone).unwrap();
        match compare_with_bind(dir.path(), &file, "example.com") {
            None => return,
            Some(Err(e)) => disagreements.push(format!("{e}\n--- {file}:\n{zone}")),
            Some(Ok(())) if bad => refused += 1,
            Some(Ok(())) => loaded += 1,
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of 120 disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n\n")
    );
    assert!(
        loaded >= 80 && refused >= 25,
        "{loaded} loaded, {refused} refused"
    );
}

/// `ldns-compare-zones`' counts: names inserted, deleted and changed (SOA aside).
fn ldns_counts(old: &Path, new: &Path) -> Option<(usize, usize, usize)> {
    let output = match Command::new("ldns-compare-zones")
        .arg(old)
        .arg(new)
        .output()
    {
        Ok(output) => output,
        Err(_) => {
            assert!(
                !common::required(),
                "CI is set but `ldns-compare-zones` is missing (apt-get install ldnsutils)"
            );
            eprintln!("skipping: ldns-compare-zones is not installed");
            return None;
        }
    };
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stderr),
        std::fs::read_to_string(old).unwrap_or_default()
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let numbers: Vec<usize> = text
        .split_whitespace()
        .map(|w| w.trim_start_matches(['+', '-', '~']).parse().unwrap())
        .collect();
    Some((numbers[0], numbers[1], numbers[2]))
}

#[test]
fn diffs_of_random_edits_agree_with_ldns_compare_zones() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5eed_cafe_f00d_0002);
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for i in 0..60 {
        // Plain records only: ldns 1.8 reads TTLs over 2^31-1 literally, knows no SVCB, takes
        // no TTL unit after the class and refuses LOC spellings BIND reads (`.5` seconds).
        let old = generate(&mut rng, false)
            .lines()
            .filter(|l| {
                !["SVCB", "HTTPS", "1h30m", "LOC"]
                    .iter()
                    .any(|t| l.contains(t))
                    && !l.starts_with("big")
                    && !l.starts_with("loc")
            })
            .map(|l| format!("{l}\n"))
            .collect::<String>();
        let mut new: Vec<String> = old.lines().map(str::to_string).collect();
        for _ in 0..(1 + rng.below(4)) {
            let at = 5 + rng.below(new.len() - 5);
            match rng.below(3) {
                0 if !new[at].starts_with('$') && !new[at].starts_with(' ') => {
                    new.remove(at);
                }
                1 => new.push(format!(
                    "added{} A 192.0.2.{}",
                    rng.below(1000),
                    rng.below(250)
                )),
                _ => {
                    let line = new[at].replace("192.0.2.", "203.0.113.");
                    new[at] = line;
                }
            }
        }
        let new = new.join("\n") + "\n";
        let (a, b) = (format!("old{i}.zone"), format!("new{i}.zone"));
        std::fs::write(dir.path().join(&a), &old).unwrap();
        std::fs::write(dir.path().join(&b), &new).unwrap();
        let files = FsFiles::new(dir.path());
        let (Ok(before), Ok(after)) = (
            load_state(&files, std::slice::from_ref(&a), &[]),
            load_state(&files, std::slice::from_ref(&b), &[]),
        ) else {
            continue;
        };
        let Some(theirs) = ldns_counts(&dir.path().join(&a), &dir.path().join(&b)) else {
            return;
        };
        compared += 1;
        let names = |s: &State| -> std::collections::BTreeSet<String> {
            s.zones
                .values()
                .flat_map(|z| z.rrsets.iter())
                .filter(|r| r.rtype != changegate::model::RecordType::Soa)
                .map(|r| r.name.to_string())
                .collect()
        };
        let (old_names, new_names) = (names(&before), names(&after));
        let changed: std::collections::BTreeSet<String> = diff_states(&before, &after)
            .changes
            .iter()
            .filter(|c| c.rtype() != changegate::model::RecordType::Soa)
            .map(|c| c.name().to_string())
            .collect();
        let ours = (
            changed.iter().filter(|n| !old_names.contains(*n)).count(),
            changed.iter().filter(|n| !new_names.contains(*n)).count(),
            changed
                .iter()
                .filter(|n| old_names.contains(*n) && new_names.contains(*n))
                .count(),
        );
        if ours != theirs {
            disagreements.push(format!(
                "edit {i}: changegate (+{} -{} ~{}), ldns (+{} -{} ~{})\n--- old\n{old}--- new\n{new}",
                ours.0, ours.1, ours.2, theirs.0, theirs.1, theirs.2
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n\n"));
    assert!(compared >= 50, "compared {compared} edits");
}

/// The Python with octoDNS and octodns-bind (`.ci/run` makes `target/octodns-venv`), or
/// `OCTODNS_PYTHON`.
fn octodns_python() -> Option<std::path::PathBuf> {
    let python = std::env::var_os("OCTODNS_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/octodns-venv/bin/python")
        });
    if python.is_file() {
        return Some(python);
    }
    assert!(
        !common::required(),
        "CI is set but {} is missing (.ci/run makes it: octodns and octodns-bind from PyPI)",
        python.display()
    );
    eprintln!("skipping: no Python with octoDNS at {}", python.display());
    None
}

/// What octoDNS makes of one zone: `Err` with its reason if it refuses it, else the folders
/// holding its zone-file and YAML renderings.
fn octodns_roundtrip(
    python: &Path,
    source: &Path,
    zone: &str,
    out: &Path,
) -> Result<(std::path::PathBuf, std::path::PathBuf), String> {
    let (zonefile, yaml) = (out.join("zonefile"), out.join("yaml"));
    std::fs::create_dir_all(&zonefile).unwrap();
    std::fs::create_dir_all(&yaml).unwrap();
    let output = Command::new(python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/octodns_roundtrip.py"))
        .arg(source)
        .arg(zone)
        .arg(&zonefile)
        .arg(&yaml)
        .output()
        .unwrap();
    if output.status.success() {
        Ok((zonefile, yaml))
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// octoDNS's YAML read by changegate and by octoDNS: octoDNS refuses a zone exactly when
/// changegate does, and where both read it, changegate's reading equals its reading of
/// octoDNS's own renderings of the zone, as a BIND zone file and as YAML.
#[test]
fn octodns_files_read_as_octodns_reads_them() {
    let Some(python) = octodns_python() else {
        return;
    };
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/octodns-diff");
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        let Some(case) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if !path.is_dir() {
            continue;
        }
        // Each case is a folder holding one zone's YAML (and what it includes).
        let yaml_file = std::fs::read_dir(&path)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.ends_with(".yaml") && !n.starts_with('_'))
            .unwrap_or_else(|| panic!("{case}: no zone YAML"));
        let zone = yaml_file.trim_end_matches(".yaml").to_string();
        let out = tempfile::tempdir().unwrap();
        let ours = load_state(&FsFiles::new(&path), &[], std::slice::from_ref(&yaml_file))
            .map(|s| rrsets(&s))
            .map_err(|p| p.iter().map(|d| d.render(false)).collect::<String>());
        let theirs = octodns_roundtrip(&python, &path, &zone, out.path());
        compared += 1;
        // `stricter-` cases are zones octoDNS loads but no DNS server or provider serves (a
        // CNAME beside other data): changegate refuses them, whatever octoDNS says.
        if case.starts_with("stricter-") {
            if ours.is_ok() {
                disagreements.push(format!("{case}: changegate must refuse it"));
            }
            continue;
        }
        match (theirs, ours) {
            (Err(_), Err(_)) => {}
            (Err(why), Ok(_)) => disagreements.push(format!(
                "{case}: changegate reads it, octoDNS refuses it: {why}"
            )),
            (Ok(_), Err(problems)) => disagreements.push(format!(
                "{case}: octoDNS reads it, changegate refuses it:\n{problems}"
            )),
            (Ok((zonefile, yaml)), Ok(ours)) => {
                let without_soa = |r: Vec<String>| -> Vec<String> {
                    r.into_iter().filter(|l| !l.contains(" SOA ")).collect()
                };
                let ours = without_soa(ours);
                // octodns-bind writes no zone file for a type it does not support.
                let written = std::fs::read_dir(&zonefile).map_or(0, |d| d.count());
                let as_zone = load_state(&FsFiles::new(&zonefile), &["*.zone".to_string()], &[])
                    .map(|s| without_soa(rrsets(&s)))
                    .map(|r| if written == 0 { ours.clone() } else { r })
                    .map_err(|p| p.iter().map(|d| d.render(false)).collect::<String>());
                let as_yaml = load_state(&FsFiles::new(&yaml), &[], &["*.yaml".to_string()])
                    .map(|s| without_soa(rrsets(&s)))
                    .map_err(|p| p.iter().map(|d| d.render(false)).collect::<String>());
                for (what, theirs) in [("zone file", as_zone), ("YAML", as_yaml)] {
                    match theirs {
                        Ok(theirs) if theirs == ours => {}
                        Ok(theirs) => disagreements.push(format!(
                            "{case}: octoDNS's {what} differs\n  changegate: {:#?}\n  octoDNS: {:#?}",
                            ours.iter().filter(|r| !theirs.contains(r)).collect::<Vec<_>>(),
                            theirs.iter().filter(|r| !ours.contains(r)).collect::<Vec<_>>()
                        )),
                        Err(p) => disagreements.push(format!("{case}: changegate cannot read octoDNS's {what}:\n{p}")),
                    }
                }
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n\n"));
    assert!(compared >= 5, "compared {compared} cases");
}

/// A zone signed by BIND's own `dnssec-signzone` (RRSIG, NSEC, DNSKEY, in BIND's layout with
/// base64 across lines) reads as BIND reads it.
#[test]
fn a_signed_zone_reads_as_bind_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/differential/types.example.zone");
    // A DS belongs in the parent: dnssec-signzone refuses one at a name without NS.
    let zone: String = std::fs::read_to_string(fixture)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("ds "))
        .map(|l| format!("{l}\n"))
        .collect();
    let run = |program: &str, args: &[&str]| -> Option<String> {
        match Command::new(program)
            .current_dir(dir.path())
            .args(args)
            .output()
        {
            Ok(output) => {
                assert!(
                    output.status.success(),
                    "{program}: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                Some(String::from_utf8_lossy(&output.stdout).trim().to_string())
            }
            Err(_) => {
                assert!(
                    !common::required(),
                    "CI is set but `{program}` is missing (bind9-utils)"
                );
                None
            }
        }
    };
    let mut with_keys = zone;
    for ksk in [true, false] {
        let mut args = vec!["-q", "-a", "ECDSAP256SHA256", "-K", "."];
        if ksk {
            args.extend(["-f", "KSK"]);
        }
        args.push("types.example");
        let Some(key) = run("dnssec-keygen", &args) else {
            return;
        };
        with_keys.push_str(&format!("$INCLUDE {key}.key\n"));
    }
    std::fs::write(dir.path().join("types.example.unsigned"), with_keys).unwrap();
    let Some(_) = run(
        "dnssec-signzone",
        &[
            "-q",
            "-o",
            "types.example",
            "-K",
            ".",
            "-N",
            "keep",
            "-f",
            "types.example.zone",
            "types.example.unsigned",
        ],
    ) else {
        return;
    };
    let signed = std::fs::read_to_string(dir.path().join("types.example.zone")).unwrap();
    assert!(
        signed.contains("RRSIG") && signed.contains("NSEC"),
        "{signed}"
    );
    match compare_with_bind(dir.path(), "types.example.zone", "types.example") {
        None | Some(Ok(())) => {}
        Some(Err(e)) => panic!("{e}"),
    }
}

/// Pairs of spellings judged by BIND alone: two one-record zones are the same for BIND when
/// its canonical dumps of them are the same text, and changegate must call them the same
/// exactly then. Unlike the tests above, this never asks changegate to read BIND's output, so
/// two spellings changegate wrongly merges (or splits) are caught.
#[test]
fn pairs_of_spellings_are_equal_exactly_when_bind_says_so() {
    let pairs: &[(&[u8], &[u8])] = &[
        // RFC 9460 appendix A: `a\,b` is two ids, `a\\,b` one.
        (b"x HTTPS 1 . alpn=a\\,b", b"x HTTPS 1 . alpn=a\\\\,b"),
        (b"x HTTPS 1 . alpn=a,b", b"x HTTPS 1 . alpn=a\\,b"),
        (
            b"x HTTPS 1 . alpn=h2,h3 port=443",
            b"x HTTPS 1 . port=443 alpn=\"h2,h3\"",
        ),
        (b"s SVCB 1 . key65000=\"A\"", b"s SVCB 1 . key65000=\"a\""),
        (b"s HTTPS 1 . ech=AEj+CgBE", b"s HTTPS 1 . ech=aej+cgbe"),
        // Names in rdata of the rarer types are completed with the origin.
        (
            b"h IPSECKEY 10 3 2 gw AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
            b"h IPSECKEY 10 3 2 gw.example.com. AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
        ),
        (
            b"h IPSECKEY 10 3 2 gw AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
            b"h IPSECKEY 10 3 2 gw.evil.net. AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
        ),
        (b"l LP 10 gw", b"l LP 10 gw.evil.net."),
        (b"rt RT 10 relay", b"rt RT 10 relay.example.com."),
        // A byte that is not UTF-8, escaped or not.
        (b"t TXT \"x\\\xe9\"", b"t TXT \"x\\\\233\""),
        (b"t TXT \"x\\\xe9\"", b"t TXT \"x\\233\""),
        (b"t TXT \"x\xe9\"", b"t TXT \"x\\233\""),
        // Case is data in CAA tags and TXT, not in names.
        (
            b"c CAA 0 ISSUE \"ca.example\"",
            b"c CAA 0 issue \"ca.example\"",
        ),
        (b"t TXT \"ABC\"", b"t TXT \"abc\""),
        (b"\\065bc A 192.0.2.1", b"Abc A 192.0.2.1"),
        ("café A 192.0.2.1".as_bytes(), b"caf\\195\\169 A 192.0.2.1"),
        // Strings keep their boundaries.
        (b"t TXT \"ab\"", b"t TXT \"a\" \"b\""),
        (b"t TXT a b", b"t TXT \"a\" \"b\""),
        // Generic and own forms.
        (b"a TYPE1 \\# 4 c0000201", b"a A 192.0.2.1"),
        (b"a TYPE16 \\# 4 03616263", b"a TXT abc"),
        (b"h HINFO PC Linux", b"h HINFO \"PC\" \"Linux\""),
        (b"m MX 10 mail", b"m MX 10 mail.example.com."),
        (
            b"k DNSKEY 257 3 13 ( AQID\n BAU= )",
            b"k DNSKEY 257 3 13 AQIDBAU=",
        ),
        (b"x A 192.0.2.1", b"x.example.com. A 192.0.2.1"),
        (b"e\\.d A 192.0.2.1", b"e\\046d A 192.0.2.1"),
        (b"w 2147483648 A 192.0.2.1", b"w 0 A 192.0.2.1"),
        // Generic forms of the rarer types are those types.
        (
            b"h TYPE13 \\# 11 0450432d31054c696e7578",
            b"h HINFO PC-1 Linux",
        ),
        (
            b"h TYPE13 \\# 10 0450432d3104656e7578",
            b"h HINFO PC-1 Linux",
        ),
        (
            b"n TYPE35 \\# 32 000a00140175074532552b7369700003777777076578616d706c6503636f6d00",
            b"n NAPTR 10 20 u E2U+sip \"\" www.example.com.",
        ),
        (b"r TYPE17 \\# 6 016101620000", b"r RP a.b. ."),
        (b"l TYPE107 \\# 6 000a02677700", b"l LP 10 gw."),
        (
            b"u TYPE256 \\# 9 000a0001 66 74 70 3a 2f",
            b"u URI 10 1 \"ftp:/\"",
        ),
        (
            b"e TYPE108 \\# 6 00005e0053ff",
            b"e EUI48 00-00-5e-00-53-ff",
        ),
        (b"o TYPE61 \\# 3 010203", b"o OPENPGPKEY AQID"),
        // Names with `@` (BIND writes `\@`), written either way.
        (b"a PTR !@#3.", b"a PTR !\\@#3."),
        (b"a@b A 192.0.2.1", b"a\\@b A 192.0.2.1"),
        // DNSSEC mnemonics BIND reads.
        (b"k DNSKEY 256 3 RSASHA256 AQID", b"k DNSKEY 256 3 8 AQID"),
        (b"k DNSKEY 256 3 ecdsap256sha256 AQID", b"k DNSKEY 256 3 13 AQID"),
        (
            b"d DS 1 RSASHA256 SHA-256 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB",
            b"d DS 1 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB",
        ),
        // SVCB as BIND 9.18 writes it: `dohpath` as `key7`, an empty `ech`.
        (b"s SVCB 1 . key7=\"/{?dns}\"", b"s SVCB 1 . dohpath=/{?dns}"),
        (b"s SVCB 1 . ech", b"s SVCB 1 . ech=\"\""),
        // `\#` without a length is text.
        (b"t TXT \\# text", b"t TXT \"#\" text"),
        // An RRset takes its first record's TTL.
        (
            b"m 3600 A 192.0.2.1\nm 300 A 192.0.2.2",
            b"m 3600 A 192.0.2.1\nm 3600 A 192.0.2.2",
        ),
        (b"m 300 A 192.0.2.1\nm 3600 A 192.0.2.2", b"m 300 A 192.0.2.1\nm 300 A 192.0.2.2"),
        // Hex and locators in their canonical form.
        (
            b"z ZONEMD 2018031500 1 1 ( FEBE3D4CE2EC2FFA4BA99D46CD69D6D29711E55217057BEE\n 7EB1A7B641A47BA7FED2DD5B97AE499FAFA4F22C6BD647DE )",
            b"z ZONEMD 2018031500 1 1 febe3d4ce2ec2ffa4ba99d46cd69d6d29711e55217057bee7eb1a7b641a47ba7fed2dd5b97ae499fafa4f22c6bd647de",
        ),
        (b"e EID 12 89 AB", b"e EID 1289ab"),
        (b"e NIMLOC 12 89 ab", b"e NIMLOC 1289AB"),
        (b"l L64 10 2001:0DB8:1140:1000", b"l L64 10 2001:db8:1140:1000"),
        (b"n NID 10 0014:4fff:FF20:ee64", b"n NID 10 14:4fff:ff20:ee64"),
        // Newer types BIND 9.18 reads, compared as written.
        (b"y DSYNC CDS NOTIFY 53 .", b"y DSYNC CDS NOTIFY 53 ."),
        // LOC: defaults, units and BIND's truncation of sizes.
        (
            b"l LOC 52 22 23 N 4 53 32 E -2m",
            b"l LOC 52 22 23.000 N 4 53 32.000 E -2.00m 1m 10000m 10m",
        ),
        (b"l LOC 0 N 0 E 0 1500m", b"l LOC 0 N 0 E 0 1000m"),
        (b"l LOC 0 N 0 E 0 1.5", b"l LOC 0 N 0 E 0 1"),
        (b"l LOC 0 N 0 E 0 0.5", b"l LOC 0 N 0 E 0 0.05"),
        (b"l LOC 0 0 .5 S 0 E +5", b"l LOC 0 0 0.5 S 0 E 5m"),
        (
            b"l TYPE29 \\# 16 0012161389bdba1b7f1f24ed00989680",
            b"l LOC 45 23 48.891 N 4 5 36.147 W 0.00m",
        ),
        (
            b"l TYPE29 \\# 16 0112161389bdba1b7f1f24ed00989680",
            b"l TYPE29 \\# 16 0112161389BDBA1B7F1F24ED00989681",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let header = b"$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n";
    let mut disagreements = Vec::new();
    for (i, (a, b)) in pairs.iter().enumerate() {
        let mut read = Vec::new();
        for (side, record) in [("a", a), ("b", b)] {
            let file = format!("p{i}{side}.zone");
            let mut text = header.to_vec();
            text.extend_from_slice(record);
            text.push(b'\n');
            std::fs::write(dir.path().join(&file), text).unwrap();
            let Some(bind) = bind_dump("example.com", &dir.path().join(&file)) else {
                return;
            };
            read.push((bind, changegate_read(dir.path(), &file)));
        }
        let shown = |r: &[u8]| String::from_utf8_lossy(r).into_owned();
        match (&read[0], &read[1]) {
            ((Ok(bind_a), Ok(ours_a)), (Ok(bind_b), Ok(ours_b))) => {
                let (bind_same, ours_same) = (bind_a == bind_b, ours_a == ours_b);
                if bind_same != ours_same {
                    disagreements.push(format!(
                        "`{}` / `{}`: BIND says {}, changegate says {}\n  changegate: {ours_a:?} / {ours_b:?}",
                        shown(a),
                        shown(b),
                        if bind_same { "same" } else { "different" },
                        if ours_same { "same" } else { "different" },
                    ));
                }
            }
            ((bind_a, ours_a), (bind_b, ours_b)) => {
                // Every pair is meant to load: a pair BIND refuses proves nothing.
                for (record, bind) in [(a, bind_a), (b, bind_b)] {
                    if let Err(why) = bind {
                        disagreements.push(format!("`{}`: BIND refuses it: {why}", shown(record)));
                    }
                }
                for (record, bind, ours) in [(a, bind_a, ours_a), (b, bind_b, ours_b)] {
                    if bind.is_ok() != ours.is_ok() {
                        disagreements.push(format!(
                            "`{}`: BIND {}, changegate {}",
                            shown(record),
                            if bind.is_ok() {
                                "loads it"
                            } else {
                                "refuses it"
                            },
                            if ours.is_ok() {
                                "reads it"
                            } else {
                                "refuses it"
                            },
                        ));
                    }
                }
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
