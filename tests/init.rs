//! `changegate init` in repositories as they are found: zone files, octoDNS with its config,
//! both, nothing; each result passes `lint` and `check` runs on it. Never overwrites.

mod common;

use common::Repo;

fn run(repo: &Repo, args: &[&str]) -> (i32, String) {
    let output = repo.cmd().args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

fn lint_and_check_pass(repo: &Repo) {
    let (code, out) = run(repo, &["lint"]);
    assert_eq!(code, 0, "lint: {out}");
    assert!(!out.contains("policy-warning"), "{out}");
    let (code, out) = run(repo, &["check"]);
    assert_eq!(
        code, 2,
        "check runs, and says there are no tickets yet: {out}"
    );
    assert!(out.contains("ticket"), "{out}");
}

#[test]
fn zone_files_are_found_and_the_result_passes_lint() {
    let repo = Repo::new();
    repo.write(
        "zones/example.com.zone",
        "$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 hm 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n",
    )
    .write(
        "legacy/db.example.net",
        "@ IN SOA ns1.example.net. hm.example.net. 1 2 3 4 5\n",
    )
    .write("notes/readme.zone", "not a zone\n");
    let (code, out) = run(&repo, &["init"]);
    assert_eq!(code, 0, "{out}");
    let config = std::fs::read_to_string(repo.path().join("changegate.toml")).unwrap();
    assert!(
        config.contains("zonefiles = [\"legacy/db.*\", \"zones/*.zone\"]"),
        "{config}"
    );
    assert!(config.contains("octodns = []"), "{config}");
    assert!(repo.path().join("policies/allowed_signers").is_file());
    assert!(repo.path().join("changes").is_dir());
    lint_and_check_pass(&repo);
}

#[test]
fn an_octodns_config_names_its_zones_folder() {
    let repo = Repo::new();
    repo.write(
        "config/production.yaml",
        "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n    directory: ./records\n    default_ttl: 600\n  route53:\n    class: octodns_route53.Route53Provider\nzones:\n  example.org.:\n    sources: [config]\n    targets: [route53]\n",
    )
    .write("records/example.org.yaml", "---\nwww:\n  type: A\n  value: 192.0.2.8\n")
    .write("zones/example.com.zone", "$ORIGIN example.com.\n$TTL 300\nwww A 192.0.2.1\n");
    let (code, out) = run(
        &repo,
        &[
            "init",
            "--metrics",
            "prometheus",
            "--url",
            "http://prom:9090",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("config/production.yaml"), "{out}");
    let config = std::fs::read_to_string(repo.path().join("changegate.toml")).unwrap();
    assert!(
        config.contains("octodns = [\"records/*.yaml\"]"),
        "{config}"
    );
    assert!(config.contains("octodns_default_ttl = 600"), "{config}");
    assert!(config.contains("url = \"http://prom:9090\""), "{config}");
    lint_and_check_pass(&repo);
}

#[test]
fn an_empty_folder_gets_a_config_to_fill_in() {
    let repo = Repo::new();
    let (code, out) = run(&repo, &["init", "--metrics", "file"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no zones were found"), "{out}");
    let (code, out) = run(&repo, &["lint"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn init_never_overwrites_without_force() {
    let repo = Repo::new();
    repo.write("changegate.toml", "# mine\n");
    let (code, out) = run(&repo, &["init"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("never overwrites"), "{out}");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("changegate.toml")).unwrap(),
        "# mine\n"
    );
    assert!(!repo.path().join("policies/default.toml").exists());
    let (code, out) = run(&repo, &["init", "--force"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        std::fs::read_to_string(repo.path().join("changegate.toml"))
            .unwrap()
            .contains("[sources]")
    );
}

/// A review's finding: a linked folder must not carry the written files out of the
/// repository.
#[test]
fn init_and_ticket_new_never_write_through_links() {
    let outside = tempfile::tempdir().unwrap();
    let repo = Repo::new();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("policies")).unwrap();
    let (code, out) = run(&repo, &["init", "--force"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("symbolic link"), "{out}");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);

    let repo = Repo::new();
    let (code, out) = run(&repo, &["init"]);
    assert_eq!(code, 0, "{out}");
    std::fs::remove_dir(repo.path().join("changes")).unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("changes")).unwrap();
    repo.write(
        "old/example.com.zone",
        "$ORIGIN example.com.\n$TTL 300\nwww A 192.0.2.1\n",
    )
    .write(
        "new/example.com.zone",
        "$ORIGIN example.com.\n$TTL 300\nwww A 192.0.2.2\n",
    );
    let (code, out) = run(
        &repo,
        &["ticket", "new", "old", "new", "--author", "a@example.com"],
    );
    assert_eq!(code, 2, "{out}");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}
