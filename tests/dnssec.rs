//! The DNSSEC chain across delegations, with keys made at test time by BIND's
//! `dnssec-keygen` and DS records by `dnssec-dsfromkey`, so that every digest is real: a
//! managed child read from its zone file, and an unmanaged child served by a real `knotd` on
//! a loopback address at port 53. And delegation pre-flight: a delegation moves only to
//! servers (real `knotd`s) that serve the zone.

mod common;

use std::path::Path;
use std::process::Command;

use common::knot::Knot;
use common::{Repo, git};

const POLICY: &str = "[[tier]]\nname = \"routine\"\nrequire = []\n[deletion]\nwindow = \"14d\"\n";

const PARENT: &str = "$ORIGIN example.\n@ 300 IN SOA ns1 hostmaster 1 2 3 4 60\n@ 300 IN NS ns1\nns1 300 IN A 192.0.2.1\n\
                      child 300 IN NS ns1.child\nns1.child 300 IN A 127.0.0.77\n";
const CHILD: &str = "$ORIGIN child.example.\n@ 300 IN SOA ns1 hostmaster 1 2 3 4 60\n@ 300 IN NS ns1\nns1 300 IN A 127.0.0.77\n";

/// A key for `child.example`: its DNSKEY line and its DS (SHA-256), both as record data.
fn keypair(dir: &Path) -> (String, String) {
    let tool = |name: &str| common::tool(name, "bind9-utils");
    let (Some(keygen), Some(dsfromkey)) = (tool("dnssec-keygen"), tool("dnssec-dsfromkey")) else {
        panic!("bind9-utils is needed");
    };
    let out = Command::new(keygen)
        .current_dir(dir)
        .args(["-q", "-a", "ECDSAP256SHA256", "-f", "KSK", "child.example"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let base = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let file = dir.join(format!("{base}.key"));
    let text = std::fs::read_to_string(&file).unwrap();
    let dnskey = text
        .lines()
        .find(|l| !l.starts_with(';'))
        .and_then(|l| l.split_once("DNSKEY"))
        .map(|(_, data)| data.trim().to_string())
        .unwrap();
    let out = Command::new(dsfromkey)
        .arg("-2")
        .arg(&file)
        .output()
        .unwrap();
    let ds = String::from_utf8_lossy(&out.stdout)
        .split_once(" DS ")
        .map(|(_, data)| data.trim().to_string())
        .unwrap();
    (dnskey, ds)
}

struct Keys {
    _dir: tempfile::TempDir,
    one: (String, String),
    two: (String, String),
}

fn keys() -> Keys {
    let dir = tempfile::tempdir().unwrap();
    let one = keypair(dir.path());
    let two = keypair(dir.path());
    Keys {
        _dir: dir,
        one,
        two,
    }
}

/// A repository whose base holds `parent` (and `child`, when the child is managed), and a
/// head with the edited zones and a ticket declaring `changes`.
fn range(
    parent: &str,
    child: Option<&str>,
    head_parent: &str,
    head_child: Option<&str>,
    changes: &[(&str, &str, &str)],
) -> Repo {
    let repo = Repo::new();
    let zones = if child.or(head_child).is_some() {
        "zones/*.zone"
    } else {
        "zones/example.zone"
    };
    repo.write(
        "changegate.toml",
        &format!("[sources]\nzonefiles = [\"{zones}\"]\n[metrics]\nbackend = \"file\"\npath = \"counts.csv\"\n"),
    )
    .write("policies/default.toml", POLICY)
    .write("counts.csv", "# from: 2026-01-01T00:00:00Z\n# to: 2026-01-15T00:00:00Z\nname,type,count\nns1.example,A,100\n")
    .write("zones/example.zone", parent);
    if let Some(child) = child {
        repo.write("zones/child.example.zone", child);
    }
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    repo.write("zones/example.zone", head_parent);
    if let Some(child) = head_child {
        repo.write("zones/child.example.zone", child);
    }
    let mut ticket = common::complete_ticket("CHG-1", "zone");
    for (action, name, rtype) in changes {
        ticket.push_str(&format!(
            "\n[[change]]\naction = \"{action}\"\nname = \"{name}\"\ntype = \"{rtype}\"\n"
        ));
    }
    repo.write("changes/CHG-1.toml", &ticket);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "head"]);
    repo
}

/// The range of `repo` checked and refused: its `delegation-target-mismatch` messages, one of
/// which must contain `expected`.
fn refused_naming(repo: &Repo, expected: &str) {
    refused_with(repo, "delegation-target-mismatch", expected);
}

/// The range of `repo` checked and refused with `code`, one message of which contains
/// `expected`.
fn refused_with(repo: &Repo, code: &str, expected: &str) {
    let (exit, v) = repo.check_json(&["--base", "main~1"]);
    assert_eq!(exit, 1, "{v:#}");
    let refused = reasons(&v, code);
    assert!(
        refused.iter().any(|m| m.contains(expected)),
        "{expected}\nnot in {refused:?}"
    );
}

fn reasons(v: &serde_json::Value, code: &str) -> Vec<String> {
    reasons_in(&v["reasons"], code)
}

/// The messages of `items` (a verdict's `reasons` or `findings`) with this code.
fn reasons_in(items: &serde_json::Value, code: &str) -> Vec<String> {
    items
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["code"] == code)
        .map(|r| r["message"].as_str().unwrap().to_string())
        .collect()
}

fn with_key(zone: &str, dnskey: &str) -> String {
    format!("{zone}@ 3600 IN DNSKEY {dnskey}\n")
}

fn with_ds(zone: &str, ds: &str) -> String {
    format!("{zone}child 300 IN DS {ds}\n")
}

#[test]
fn regression_17_dnssec_chain_broken_against_a_managed_child() {
    let k = keys();
    let child = with_key(CHILD, &k.one.0);
    // The DS of the key the child publishes: the chain holds.
    let repo = range(
        PARENT,
        Some(&child),
        &with_ds(PARENT, &k.one.1),
        Some(&child),
        &[("create", "child.example", "DS")],
    );
    let (code, v) = repo.check_json(&["--base", "main~1"]);
    assert_eq!(code, 0, "{v:#}");
    // The DS of a key the child does not publish: every validating resolver fails.
    let repo = range(
        PARENT,
        Some(&child),
        &with_ds(PARENT, &k.two.1),
        Some(&child),
        &[("create", "child.example", "DS")],
    );
    let (code, v) = repo.check_json(&["--base", "main~1"]);
    assert_eq!(code, 1, "{v:#}");
    let broken = reasons(&v, "dnssec-chain-broken");
    assert_eq!(broken.len(), 1, "{v:#}");
    assert!(
        broken[0].contains("the desired state of `child.example`")
            && broken[0].contains("SERVFAIL"),
        "{broken:?}"
    );
    // A key roll that leaves the published DS matching no key breaks it from the child's side.
    let rolled = with_key(CHILD, &k.two.0);
    let signed = with_ds(PARENT, &k.one.1);
    let repo = range(
        &signed,
        Some(&child),
        &signed,
        Some(&rolled),
        &[("update", "child.example", "DNSKEY")],
    );
    let (code, v) = repo.check_json(&["--base", "main~1"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(reasons(&v, "dnssec-chain-broken").len(), 1, "{v:#}");
}

#[test]
fn regression_17_dnssec_order_rollover_steps_a_ttl_apart() {
    let k = keys();
    let child = with_key(CHILD, &k.one.0);
    let signed = with_ds(PARENT, &k.one.1);
    // Removing the DS and its key together.
    let repo = range(
        &signed,
        Some(&child),
        PARENT,
        Some(CHILD),
        &[
            ("delete", "child.example", "DS"),
            ("delete", "child.example", "DNSKEY"),
        ],
    );
    let (code, v) = repo.check_json(&["--base", "main~1"]);
    assert_eq!(code, 1, "{v:#}");
    let order = reasons(&v, "dnssec-order");
    assert!(
        order
            .iter()
            .any(|m| m.contains("remove the DS first, wait its TTL (300 s)")),
        "{v:#}"
    );
    // The safe first step: the DS alone.
    let repo = range(
        &signed,
        Some(&child),
        PARENT,
        Some(&child),
        &[("delete", "child.example", "DS")],
    );
    let (code, v) = repo.check_json(&["--base", "main~1"]);
    assert_eq!(code, 0, "{v:#}");
    // Publishing a new key and its DS together.
    let both = with_key(&child, &k.two.0);
    let repo = range(
        &signed,
        Some(&child),
        &with_ds(&signed, &k.two.1),
        Some(&both),
        &[
            ("update", "child.example", "DS"),
            ("update", "child.example", "DNSKEY"),
        ],
    );
    let (code, v) = repo.check_json(&["--base", "main~1"]);
    assert_eq!(code, 1, "{v:#}");
    let order = reasons(&v, "dnssec-order");
    assert!(
        order
            .iter()
            .any(|m| m.contains("publish the key first, wait the DNSKEY TTL (3600 s)")),
        "{v:#}"
    );
}

#[test]
fn regression_17_dnssec_chain_broken_asks_each_server_of_an_unmanaged_child() {
    let k = keys();
    let Some(server) = Knot::serve(
        "127.0.0.77",
        &[("child.example", &with_key(CHILD, &k.one.0))],
    ) else {
        return;
    };
    // The DS of the key knotd serves.
    let (code, v) = ds_created(&k.one.1).check_json(&["--base", "main~1"]);
    assert_eq!(code, 0, "{v:#}");
    // The DS of a key it does not serve: refused, naming the server.
    refused_with(
        &ds_created(&k.two.1),
        "dnssec-chain-broken",
        "`ns1.child.example` (127.0.0.77:53)",
    );
    drop(server);
    // The server down: the keys cannot be read, and the DS is not published blind.
    refused_with(
        &ds_created(&k.one.1),
        "dnssec-chain-broken",
        "cannot be read from `ns1.child.example` (127.0.0.77:53)",
    );
}

/// The parent publishing `ds` for the unmanaged `child.example`.
fn ds_created(ds: &str) -> Repo {
    range(
        PARENT,
        None,
        &with_ds(PARENT, ds),
        None,
        &[("create", "child.example", "DS")],
    )
}

// ---------------------------------------------------------------------------------------------
// Delegation pre-flight: a delegation moves only to servers that already serve the zone.

/// The parent delegating `child.example` to ns1 (127.0.0.78), and a head adding ns2
/// (127.0.0.79).
fn moving_delegation(child: Option<&str>, one: &str, two: &str) -> Repo {
    let before = format!(
        "$ORIGIN example.\n@ 300 IN SOA ns1 hostmaster 1 2 3 4 60\n@ 300 IN NS ns1\nns1 300 IN A 192.0.2.1\n\
         child 300 IN NS ns1.child\nns1.child 300 IN A {one}\n"
    );
    let after = format!("{before}child 300 IN NS ns2.child\nns2.child 300 IN A {two}\n");
    range(
        &before,
        child,
        &after,
        child,
        &[
            ("update", "child.example", "NS"),
            ("create", "ns2.child.example", "A"),
        ],
    )
}

#[test]
fn regression_17_delegation_target_mismatch() {
    let served = "$ORIGIN child.example.\n@ 300 IN SOA ns1 hostmaster 7 2 3 4 60\n@ 300 IN NS ns1\n@ 300 IN NS ns2\n@ 300 IN MX 10 mail\nns1 300 IN A 127.0.0.78\nns2 300 IN A 127.0.0.79\nwww 300 IN A 192.0.2.80\n";
    let zone = |text| [("child.example", text)];
    let Some(today) = Knot::serve("127.0.0.78", &zone(served)) else {
        return;
    };
    // The new server serves the same zone: the delegation may move.
    let new = Knot::serve("127.0.0.79", &zone(served)).unwrap();
    let repo = moving_delegation(None, "127.0.0.78", "127.0.0.79");
    let (code, v) = repo.check_json(&["--base", "main~1"]);
    assert_eq!(code, 0, "{v:#}");
    drop(new);
    // Another provider numbers its serials its own way; the same apex answers let it pass.
    let provider = served.replace("hostmaster 7", "hostmaster 2026120501");
    let new = Knot::serve("127.0.0.79", &zone(&provider)).unwrap();
    let (code, v) = repo.check_json(&["--base", "main~1"]);
    assert_eq!(code, 0, "{v:#}");
    drop(new);
    // Behind (an older serial, other data): refused, naming it and what differs.
    let behind = served
        .replace("hostmaster 7", "hostmaster 3")
        .replace("@ 300 IN NS ns2\n", "");
    let new = Knot::serve("127.0.0.79", &zone(&behind)).unwrap();
    refused_naming(
        &repo,
        "`ns2.child.example` (127.0.0.79:53) serves other data (serial 3): its apex NS set for `child.example` is ns1.child.example, not the new delegation's (ns1.child.example, ns2.child.example)",
    );
    drop(new);
    // The same serial is no proof (a new hosted zone at some providers is serial 1 too): a
    // server that lacks the apex MX is refused.
    let hollow = served.replace("@ 300 IN MX 10 mail\n", "");
    let new = Knot::serve("127.0.0.79", &zone(&hollow)).unwrap();
    refused_naming(
        &repo,
        "(127.0.0.79:53) serves other data (serial 7): MX NODATA where `ns1.child.example` (127.0.0.78:53) answers NOERROR MX 10 mail.child.example.",
    );
    drop(new);
    // Lame: a server that serves other zones, not this one.
    let new = Knot::serve(
        "127.0.0.79",
        &[(
            "other.example",
            &served.replace("child.example.", "other.example."),
        )],
    )
    .unwrap();
    refused_naming(&repo, "127.0.0.79:53) cannot serve it: REFUSED");
    drop(new);
    // Nothing there at all: refused, not passed.
    refused_naming(&repo, "127.0.0.79:53) cannot serve it");
    // Moving a name server by its glue alone moves the delegation too.
    let parent = "$ORIGIN example.\n@ 300 IN SOA ns1 hostmaster 1 2 3 4 60\n@ 300 IN NS ns1\nns1 300 IN A 192.0.2.1\n\
                  child 300 IN NS ns1.child\nns1.child 300 IN A 127.0.0.78\n";
    let regl = range(
        parent,
        None,
        &parent.replace(
            "ns1.child 300 IN A 127.0.0.78",
            "ns1.child 300 IN A 127.0.0.79",
        ),
        None,
        &[("update", "ns1.child.example", "A")],
    );
    refused_naming(&regl, "`ns1.child.example` (127.0.0.79:53) cannot serve it");
    // An in-zone name server with no glue cannot be reached at all.
    let glueless = range(
        parent,
        None,
        &format!("{parent}child 300 IN NS ns9.child\n"),
        None,
        &[("update", "child.example", "NS")],
    );
    refused_naming(
        &glueless,
        "`ns9.child.example`: it is inside `child.example` but `example` has no glue",
    );
    // A new delegation: nothing answers for the zone today to compare with. The server
    // answers for it with authority, so the change passes, reported as unverified.
    let bare = "$ORIGIN example.\n@ 300 IN SOA ns1 hostmaster 1 2 3 4 60\n@ 300 IN NS ns1\nns1 300 IN A 192.0.2.1\n";
    let fresh = range(
        bare,
        None,
        &format!("{parent}child 300 IN NS ns2.child\nns2.child 300 IN A 127.0.0.78\n"),
        None,
        &[
            ("create", "child.example", "NS"),
            ("create", "ns1.child.example", "A"),
            ("create", "ns2.child.example", "A"),
        ],
    );
    let (code, v) = fresh.check_json(&["--base", "main~1"]);
    assert_eq!(code, 0, "{v:#}");
    let unverified = reasons_in(&v["findings"], "delegation-unverified");
    assert!(
        unverified
            .iter()
            .any(|m| m.contains("no server is delegated to today")),
        "{v:#}"
    );
    drop(today);
}

#[test]
fn regression_17_a_zone_created_with_its_apex_ns_is_not_asked_before_it_is_served() {
    let bare = "$ORIGIN example.\n@ 300 IN SOA ns1 hostmaster 1 2 3 4 60\n@ 300 IN NS ns1\nns1 300 IN A 192.0.2.1\n";
    let child = "$ORIGIN new.example.\n@ 300 IN SOA ns1 hostmaster 1 2 3 4 60\n@ 300 IN NS ns1\nns1 300 IN A 127.0.0.98\n";
    let repo = range(
        bare,
        None,
        bare,
        Some(child),
        &[
            ("create", "new.example", "SOA"),
            ("create", "new.example", "NS"),
            ("create", "ns1.new.example", "A"),
        ],
    );
    let (code, v) = repo.check_json(&["--base", "main~1"]);
    assert!(
        reasons(&v, "delegation-target-mismatch").is_empty(),
        "{v:#}"
    );
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn regression_17_delegation_target_mismatch_for_a_managed_zone() {
    let desired = "$ORIGIN child.example.\n@ 300 IN SOA ns1 hostmaster 7 2 3 4 60\n@ 300 IN NS ns1.child.example.\n@ 300 IN NS ns2.child.example.\nns1 300 IN A 127.0.0.88\nns2 300 IN A 127.0.0.89\n";
    let repo = moving_delegation(Some(desired), "127.0.0.88", "127.0.0.89");
    // A signer numbering serials its own way, serving the desired apex: allowed.
    let renumbered = desired.replace("hostmaster 7", "hostmaster 1764892800");
    let Some(_today) = Knot::serve("127.0.0.88", &[("child.example", desired)]) else {
        return;
    };
    let new = Knot::serve("127.0.0.89", &[("child.example", &renumbered)]).unwrap();
    let (code, v) = repo.check_json(&["--base", "main~1"]);
    assert_eq!(code, 0, "{v:#}");
    drop(new);
    // The same server with an apex MX the desired state does not have: refused, saying so.
    let other = format!("{renumbered}@ 300 IN MX 10 mail.example.\n");
    let new = Knot::serve("127.0.0.89", &[("child.example", &other)]).unwrap();
    refused_naming(
        &repo,
        "serves other data (serial 1764892800; the desired state's is 7): MX NOERROR MX 10 mail.example. where the desired state has none",
    );
    drop(new);
}
