//! Signed approvals end to end, with keys and signatures from the real `ssh-keygen`: interop
//! both ways, the attack matrix, the interactive flow under a pseudo-terminal, the non-TTY
//! refusal, and concurrent approvers.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const POLICY: &str = r#"
[groups]
leads = ["carol@example.com", "vojtech@example.com"]
cab = ["dave@example.com", "erin@example.com", "carol@example.com"]
outsiders = ["frank@example.com"]

[signers]
allowed_signers = "allowed_signers"

[[tier]]
name = "routine"
require = []

[[tier]]
name = "high"
require = [{ group = "leads", count = 1 }, { group = "cab", count = 1 }]
approval_ttl = "72h"

[[rule]]
when = { scope = "global" }
tier = "high"

[deletion]
query = 'sum(increase(x{name="{name}"}[{window}]))'
coverage_query = 'sum(increase(x{zone="{zone}"}[{window}]))'
window = "14d"
"#;

const PEOPLE: &[&str] = &["carol", "dave", "erin", "frank", "vojtech"];

struct Approvals {
    repo: Repo,
    keys: PathBuf,
}

/// The real `ssh-keygen`; these tests never skip: without it they fail.
fn ssh_keygen() -> Command {
    Command::new("ssh-keygen")
}

fn keygen(path: &Path, comment: &str, passphrase: &str) {
    let status = ssh_keygen()
        .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen is required (apt-get install openssh-client)");
    assert!(status.success());
}

impl Approvals {
    /// A repo whose ticket CHG-1 is complete for tier `high` and needs leads + cab.
    fn new() -> Self {
        let repo = Repo::new();
        let keys = repo.path().join("keys");
        std::fs::create_dir_all(&keys).unwrap();
        let mut signers = String::new();
        for person in PEOPLE {
            let key = keys.join(person);
            keygen(&key, person, "");
            let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
            let public: Vec<&str> = public.split_whitespace().take(2).collect();
            signers.push_str(&format!("{person}@example.com {}\n", public.join(" ")));
        }
        repo.write(
            "changegate.toml",
            "[sources]\nzonefiles = [\"zones/*.zone\"]\n",
        )
        .write("policies/default.toml", POLICY)
        .write("policies/allowed_signers", &signers)
        .write("zones/example.com.zone", "$ORIGIN example.com.\n");
        let this = Self { repo, keys };
        this.ticket("CHG-1", "192.0.2.1");
        this.ticket("CHG-2", "192.0.2.2");
        this
    }

    fn ticket(&self, id: &str, value: &str) {
        self.repo.write(
            &format!("changes/{id}.toml"),
            &format!(
                "{}\n[[change]]\naction = \"create\"\nname = \"new.example.com\"\ntype = \"A\"\nvalues = [\"{value}\"]\n",
                complete_ticket(id, "global")
            ),
        );
    }

    fn key(&self, person: &str) -> PathBuf {
        self.keys.join(person)
    }

    fn digest(&self, id: &str) -> String {
        let output = self
            .repo
            .cmd()
            .args(["approve", "--show-digest", &format!("changes/{id}.toml")])
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    }

    /// `changegate approve` without a terminal, repeating the digest.
    fn approve(&self, id: &str, person: &str) -> std::process::Output {
        let digest = self.digest(id);
        self.repo
            .cmd()
            .args([
                "approve",
                &format!("changes/{id}.toml"),
                "--digest",
                &digest,
                "--comment",
                "ok",
            ])
            .arg("--key")
            .arg(self.key(person))
            .env_remove("SSH_AUTH_SOCK")
            .output()
            .unwrap()
    }

    fn sig_path(&self, id: &str, principal: &str) -> PathBuf {
        self.repo
            .path()
            .join(format!("changes/{id}.approvals/{principal}.sig"))
    }

    /// Signs `message` with `ssh-keygen -Y sign` and writes it as `principal`'s approval.
    fn sign_with_ssh_keygen(
        &self,
        id: &str,
        principal: &str,
        person: &str,
        namespace: &str,
        message: &str,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("message");
        std::fs::write(&file, message).unwrap();
        let status = ssh_keygen()
            .args(["-Y", "sign", "-n", namespace, "-f"])
            .arg(self.key(person))
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let signature = std::fs::read_to_string(file.with_extension("sig")).unwrap();
        self.write_sig(id, principal, message, &signature);
    }

    fn write_sig(&self, id: &str, principal: &str, message: &str, signature: &str) {
        let mut table = toml::Table::new();
        table.insert("message".into(), message.into());
        table.insert("signature".into(), signature.into());
        let path = self.sig_path(id, principal);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, toml::to_string(&table).unwrap()).unwrap();
    }

    /// The message changegate would sign for `principal` on `id` now.
    fn message(&self, id: &str, principal: &str) -> String {
        let (_, v) = self.repo.check_json(&[&format!("changes/{id}.toml")]);
        let t = &v["tickets"][0];
        format!(
            "changegate approval v1\nticket: {id}\ndigest: {}\nplan: {}\napprover: {principal}\ntier: {}\nsigned_at: {NOW}\ncomment: \n",
            t["digest"].as_str().unwrap(),
            t["plan_digest"].as_str().unwrap(),
            t["tier"].as_str().unwrap()
        )
    }

    fn check(&self, id: &str, extra: &[&str]) -> (i32, serde_json::Value) {
        let mut args = vec![format!("changes/{id}.toml")];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.repo.check_json(&args)
    }
}

/// Why `check` refuses an approval of CHG-1 that `key` signed for `principal` in `namespace`,
/// which must be as `approval-invalid`.
fn refused_signature(a: &Approvals, principal: &str, key: &str, namespace: &str) -> String {
    a.sign_with_ssh_keygen(
        "CHG-1",
        principal,
        key,
        namespace,
        &a.message("CHG-1", principal),
    );
    let (_, v) = a.check("CHG-1", &[]);
    let (c, why) = invalid_reason(&v, principal);
    assert_eq!(c, "approval-invalid");
    why.to_string()
}

fn invalid_reason<'a>(v: &'a serde_json::Value, approver: &str) -> (&'a str, &'a str) {
    let entry = v["tickets"][0]["approvals"]["invalid"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["approver"] == approver)
        .unwrap_or_else(|| panic!("no invalid approval by {approver}: {v:#}"));
    (
        entry["code"].as_str().unwrap(),
        entry["reason"].as_str().unwrap(),
    )
}

#[test]
fn a_signature_written_by_approve_verifies_with_ssh_keygen() {
    let a = Approvals::new();
    let output = a.approve("CHG-1", "carol");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let sig: toml::Table =
        toml::from_str(&std::fs::read_to_string(a.sig_path("CHG-1", "carol@example.com")).unwrap())
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sig"), sig["signature"].as_str().unwrap()).unwrap();
    let mut verify = ssh_keygen()
        .args([
            "-Y",
            "verify",
            "-n",
            "changegate",
            "-I",
            "carol@example.com",
            "-f",
        ])
        .arg(a.repo.path().join("policies/allowed_signers"))
        .arg("-s")
        .arg(dir.path().join("sig"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    verify
        .stdin
        .take()
        .unwrap()
        .write_all(sig["message"].as_str().unwrap().as_bytes())
        .unwrap();
    let out = verify.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "ssh-keygen rejected it: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("Good \"changegate\" signature for carol@example.com")
    );
}

#[test]
fn a_signature_made_by_ssh_keygen_is_accepted_by_check() {
    let a = Approvals::new();
    a.sign_with_ssh_keygen(
        "CHG-1",
        "carol@example.com",
        "carol",
        "changegate",
        &a.message("CHG-1", "carol@example.com"),
    );
    a.sign_with_ssh_keygen(
        "CHG-1",
        "dave@example.com",
        "dave",
        "changegate",
        &a.message("CHG-1", "dave@example.com"),
    );
    let (code, v) = a.check("CHG-1", &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        v["tickets"][0]["approvals"]["valid"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn from_approvals_missing_to_allowed_and_back_to_stale_when_edited() {
    let a = Approvals::new();
    let (code, v) = a.check("CHG-1", &[]);
    assert_eq!(
        (code, codes(&v)),
        (1, vec!["approvals-missing".to_string()])
    );
    assert!(a.approve("CHG-1", "carol").status.success());
    let (code, v) = a.check("CHG-1", &[]);
    assert_eq!(code, 1);
    assert!(
        reason(&v, "approvals-missing")["message"]
            .as_str()
            .unwrap()
            .contains("1 more from `cab`")
    );
    assert!(a.approve("CHG-1", "erin").status.success());
    let (code, v) = a.check("CHG-1", &[]);
    assert_eq!(code, 0, "{v:#}");

    a.ticket("CHG-1", "192.0.2.99");
    let (code, v) = a.check("CHG-1", &[]);
    assert_eq!(code, 1);
    assert_eq!(invalid_reason(&v, "carol@example.com").0, "approval-stale");
    assert_eq!(invalid_reason(&v, "erin@example.com").0, "approval-stale");
}

#[test]
fn attack_forged_or_altered_signature() {
    let a = Approvals::new();
    assert!(a.approve("CHG-1", "carol").status.success());
    let path = a.sig_path("CHG-1", "carol@example.com");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("comment: ok", "comment: ok, and also approve CHG-9");
    std::fs::write(&path, text).unwrap();
    let (code, v) = a.check("CHG-1", &[]);
    assert_eq!(code, 1);
    let (c, why) = invalid_reason(&v, "carol@example.com");
    assert_eq!(c, "approval-invalid");
    assert!(why.contains("does not verify"), "{why}");
}

#[test]
fn attack_key_not_in_allowed_signers() {
    let a = Approvals::new();
    keygen(&a.keys.join("mallory"), "mallory", "");
    let why = refused_signature(&a, "carol@example.com", "mallory", "changegate");
    assert!(why.contains("not in `policies/allowed_signers`"), "{why}");
}

#[test]
fn attack_valid_key_but_not_in_a_required_group() {
    let a = Approvals::new();
    let why = refused_signature(&a, "frank@example.com", "frank", "changegate");
    assert!(why.contains("not in `leads` or `cab`"), "{why}");
}

#[test]
fn attack_wrong_namespace() {
    let a = Approvals::new();
    let why = refused_signature(&a, "carol@example.com", "carol", "git");
    assert!(why.contains("namespace `git`"), "{why}");
}

#[test]
fn attack_replay_of_another_tickets_approval() {
    let a = Approvals::new();
    assert!(a.approve("CHG-2", "carol").status.success());
    let target = a.sig_path("CHG-1", "carol@example.com");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::copy(a.sig_path("CHG-2", "carol@example.com"), &target).unwrap();
    let (_, v) = a.check("CHG-1", &[]);
    let (c, why) = invalid_reason(&v, "carol@example.com");
    assert_eq!(c, "approval-invalid");
    assert!(why.contains("approves ticket `CHG-2`"), "{why}");
}

#[test]
fn attack_plan_changed_after_approval_without_touching_the_ticket() {
    let a = Approvals::new();
    assert!(a.approve("CHG-1", "carol").status.success());
    // A new managed zone moves the change into it: the ticket's bytes are unchanged, the plan is not.
    a.repo
        .write("zones/new.example.com.zone", "$ORIGIN new.example.com.\n");
    let (_, v) = a.check("CHG-1", &[]);
    let (c, why) = invalid_reason(&v, "carol@example.com");
    assert_eq!(c, "approval-stale");
    assert!(why.contains("planned DNS changes"), "{why}");
}

#[test]
fn attack_expired_approval() {
    let a = Approvals::new();
    assert!(a.approve("CHG-1", "carol").status.success());
    let (_, v) = a.check("CHG-1", &["--now", "2026-01-18T00:00:01Z"]);
    let (c, why) = invalid_reason(&v, "carol@example.com");
    assert_eq!(c, "approval-stale");
    assert!(why.contains("expired"), "{why}");
}

#[test]
fn attack_key_past_its_valid_before() {
    let a = Approvals::new();
    assert!(a.approve("CHG-1", "carol").status.success());
    let signers = a.repo.path().join("policies/allowed_signers");
    let text = std::fs::read_to_string(&signers).unwrap().replace(
        "carol@example.com ",
        "carol@example.com valid-before=20260101Z ",
    );
    std::fs::write(&signers, text).unwrap();
    let (_, v) = a.check("CHG-1", &[]);
    let (c, why) = invalid_reason(&v, "carol@example.com");
    assert_eq!(c, "approval-invalid");
    assert!(why.contains("valid-before"), "{why}");
}

#[test]
fn attack_the_author_approving_their_own_change() {
    let a = Approvals::new();
    // `approve` refuses outright...
    let output = a.approve("CHG-1", "vojtech");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("never counts"));
    assert!(!a.sig_path("CHG-1", "vojtech@example.com").exists());
    // ...and a hand-made one is refused by check.
    a.sign_with_ssh_keygen(
        "CHG-1",
        "vojtech@example.com",
        "vojtech",
        "changegate",
        &a.message("CHG-1", "vojtech@example.com"),
    );
    let (_, v) = a.check("CHG-1", &[]);
    assert_eq!(invalid_reason(&v, "vojtech@example.com").0, "self-approval");
}

#[test]
fn attack_one_person_filling_two_requirements() {
    let a = Approvals::new();
    // carol is in both leads and cab: her one approval fills one requirement only.
    assert!(a.approve("CHG-1", "carol").status.success());
    let (code, v) = a.check("CHG-1", &[]);
    assert_eq!(code, 1);
    assert!(
        reason(&v, "approvals-missing")["message"]
            .as_str()
            .unwrap()
            .contains("1 more from `cab`")
    );
    // erin signing with carol's key is carol again.
    a.sign_with_ssh_keygen(
        "CHG-1",
        "erin@example.com",
        "carol",
        "changegate",
        &a.message("CHG-1", "erin@example.com"),
    );
    let (code, v) = a.check("CHG-1", &[]);
    assert_eq!(code, 1);
    assert_eq!(invalid_reason(&v, "erin@example.com").0, "approval-invalid");
}

#[test]
fn attack_file_naming_one_principal_signed_with_anothers_key() {
    let a = Approvals::new();
    a.sign_with_ssh_keygen(
        "CHG-1",
        "carol@example.com",
        "dave",
        "changegate",
        &a.message("CHG-1", "carol@example.com"),
    );
    let (_, v) = a.check("CHG-1", &[]);
    let (c, why) = invalid_reason(&v, "carol@example.com");
    assert_eq!(c, "approval-invalid");
    assert!(why.contains("key of `dave@example.com`"), "{why}");
    // A message naming someone else than its file.
    a.sign_with_ssh_keygen(
        "CHG-1",
        "erin@example.com",
        "dave",
        "changegate",
        &a.message("CHG-1", "dave@example.com"),
    );
    let (_, v) = a.check("CHG-1", &[]);
    assert!(
        invalid_reason(&v, "erin@example.com")
            .1
            .contains("named for `erin@example.com`")
    );
}

#[test]
fn garbage_and_truncated_sig_files_are_refused_clearly() {
    let a = Approvals::new();
    assert!(a.approve("CHG-1", "carol").status.success());
    let good = std::fs::read_to_string(a.sig_path("CHG-1", "carol@example.com")).unwrap();
    let dir = a.sig_path("CHG-1", "x").parent().unwrap().to_path_buf();
    std::fs::write(
        dir.join("garbage@example.com.sig"),
        [0xff, 0x00, 0x13, 0x37],
    )
    .unwrap();
    std::fs::write(
        dir.join("truncated@example.com.sig"),
        &good[..good.len() / 2],
    )
    .unwrap();
    std::fs::write(dir.join("empty@example.com.sig"), "").unwrap();
    let cut_signature = good.replace("-----END SSH SIGNATURE-----", "");
    std::fs::write(
        dir.join("dave@example.com.sig"),
        cut_signature.replace("carol@example.com", "dave@example.com"),
    )
    .unwrap();
    let (code, v) = a.check("CHG-1", &[]);
    assert_eq!(code, 1);
    for who in [
        "garbage@example.com",
        "truncated@example.com",
        "empty@example.com",
        "dave@example.com",
    ] {
        let (c, why) = invalid_reason(&v, who);
        assert_eq!(c, "approval-invalid", "{who}: {why}");
    }
    assert!(
        invalid_reason(&v, "garbage@example.com")
            .1
            .contains("not UTF-8")
    );
    assert!(
        invalid_reason(&v, "empty@example.com")
            .1
            .contains("malformed")
    );
}

#[test]
fn without_a_terminal_approve_refuses_unless_the_digest_is_repeated() {
    let a = Approvals::new();
    let output = a
        .repo
        .cmd()
        .args(["approve", "changes/CHG-1.toml", "--key"])
        .arg(a.key("carol"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("--digest {}", a.digest("CHG-1"))),
        "{stderr}"
    );
    assert!(!a.sig_path("CHG-1", "carol@example.com").exists());

    let stale = format!("sha256:{}", "0".repeat(64));
    let output = a
        .repo
        .cmd()
        .args(["approve", "changes/CHG-1.toml", "--digest", &stale, "--key"])
        .arg(a.key("carol"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("changed since it was reviewed"));
}

#[test]
fn approving_twice_needs_force_and_concurrent_approvers_lose_nothing() {
    let a = Approvals::new();
    assert!(a.approve("CHG-1", "carol").status.success());
    let again = a.approve("CHG-1", "carol");
    assert_eq!(again.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));

    let digest = a.digest("CHG-1");
    let spawn = |person: &str| {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("changegate"));
        cmd.current_dir(a.repo.path())
            .env("CHANGEGATE_NOW", NOW)
            .env_remove("SSH_AUTH_SOCK")
            .args([
                "approve",
                "changes/CHG-1.toml",
                "--digest",
                &digest,
                "--key",
            ])
            .arg(a.key(person))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd.spawn().unwrap()
    };
    let mut children: Vec<_> = ["dave", "erin", "dave", "erin"]
        .iter()
        .map(|p| spawn(p))
        .collect();
    let succeeded = children
        .iter_mut()
        .map(|c| c.wait().unwrap())
        .filter(|s| s.success())
        .count();
    assert_eq!(
        succeeded, 2,
        "each approver's file is written once, never clobbered"
    );
    let (code, v) = a.check("CHG-1", &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        v["tickets"][0]["approvals"]["valid"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let leftovers = std::fs::read_dir(a.sig_path("CHG-1", "x").parent().unwrap())
        .unwrap()
        .count();
    assert_eq!(leftovers, 3, "no temporary files left behind");
}

#[test]
fn interactive_approval_under_a_pseudo_terminal_with_an_encrypted_key() {
    let a = Approvals::new();
    let key = a.keys.join("carol-encrypted");
    keygen(&key, "carol", "correct horse");
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let public: Vec<&str> = public.split_whitespace().take(2).collect();
    let signers = a.repo.path().join("policies/allowed_signers");
    let text = std::fs::read_to_string(&signers).unwrap();
    std::fs::write(
        &signers,
        format!("{text}carol@example.com {}\n", public.join(" ")),
    )
    .unwrap();

    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("changegate"));
    cmd.current_dir(a.repo.path())
        .env("CHANGEGATE_NOW", NOW)
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .env_remove("CI")
        .env_remove("SSH_AUTH_SOCK")
        .args(["approve", "changes/CHG-1.toml", "--key"])
        .arg(&key);
    let mut session = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    session.exp_string("approved by").unwrap();
    session.exp_string("Passphrase for").unwrap();
    session.send_line("correct horse").unwrap();
    session.exp_string("Comment").unwrap();
    session.send_line("reviewed with the on-call lead").unwrap();
    session.exp_string("Approve CHG-1").unwrap();
    // The prompt reads one key in raw mode; type only once it is reading (cursor hidden).
    session.exp_string("[y/N] \u{1b}[?25l").unwrap();
    session.send("y").unwrap();
    session.flush().unwrap();
    session
        .exp_string("wrote changes/CHG-1.approvals/carol@example.com.sig")
        .unwrap();
    session.exp_eof().unwrap();

    let sig = std::fs::read_to_string(a.sig_path("CHG-1", "carol@example.com")).unwrap();
    assert!(
        sig.contains("comment: reviewed with the on-call lead"),
        "{sig}"
    );
    let (_, v) = a.check("CHG-1", &[]);
    assert_eq!(
        v["tickets"][0]["approvals"]["valid"][0]["approver"],
        "carol@example.com"
    );
}

#[test]
fn answering_no_writes_nothing() {
    let a = Approvals::new();
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("changegate"));
    cmd.current_dir(a.repo.path())
        .env("CHANGEGATE_NOW", NOW)
        .env("TERM", "dumb")
        .env_remove("CI")
        .env_remove("SSH_AUTH_SOCK")
        .args(["approve", "changes/CHG-1.toml", "--comment", "", "--key"])
        .arg(a.key("dave"));
    let mut session = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    session.exp_string("Approve CHG-1").unwrap();
    session.exp_string("[y/N] \u{1b}[?25l").unwrap();
    session.send("n").unwrap();
    session.flush().unwrap();
    session.exp_string("nothing was written").unwrap();
    session.exp_eof().unwrap();
    assert!(!a.sig_path("CHG-1", "dave@example.com").exists());
}

/// A real ssh-agent on a socket in a temp dir, killed on drop.
struct Agent {
    child: std::process::Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Agent {
    fn start(keys: &[PathBuf]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("ssh-agent is required (apt-get install openssh-client)");
        for _ in 0..200 {
            if socket.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        for key in keys {
            let status = Command::new("ssh-add")
                .arg("-q")
                .arg(key)
                .env("SSH_AUTH_SOCK", &socket)
                .status()
                .unwrap();
            assert!(status.success(), "ssh-add failed");
        }
        Self {
            child,
            socket,
            _dir: dir,
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn signs_with_the_ssh_agent_key_that_allowed_signers_knows() {
    let a = Approvals::new();
    keygen(&a.keys.join("stranger"), "stranger", "");
    // The agent holds a key nobody registered and dave's: changegate must pick dave's.
    let agent = Agent::start(&[a.keys.join("stranger"), a.key("dave")]);
    let digest = a.digest("CHG-1");
    let output = a
        .repo
        .cmd()
        .args(["approve", "changes/CHG-1.toml", "--digest", &digest])
        .env("SSH_AUTH_SOCK", &agent.socket)
        .env("HOME", a.repo.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("as dave@example.com with the ssh-agent")
    );
    let (_, v) = a.check("CHG-1", &[]);
    assert_eq!(
        v["tickets"][0]["approvals"]["valid"][0]["approver"],
        "dave@example.com"
    );

    // A `.pub` path selects that key in the agent; `--as` must name a principal the key has.
    let wrong = a
        .repo
        .cmd()
        .args([
            "approve",
            "changes/CHG-1.toml",
            "--digest",
            &digest,
            "--as",
            "erin@example.com",
            "--key",
        ])
        .arg(a.key("dave").with_extension("pub"))
        .env("SSH_AUTH_SOCK", &agent.socket)
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("not registered for `erin@example.com` in `policies/allowed_signers` (it is registered for dave@example.com)"));
}

#[test]
fn no_key_anywhere_says_where_keys_are_looked_for() {
    let a = Approvals::new();
    let digest = a.digest("CHG-1");
    let output = a
        .repo
        .cmd()
        .args(["approve", "changes/CHG-1.toml", "--digest", &digest])
        .env_remove("SSH_AUTH_SOCK")
        .env("HOME", a.repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("pass `--key PATH`, load your key into ssh-agent, or create"),
        "{stderr}"
    );
}

impl Approvals {
    /// Adds a line to `allowed_signers`.
    fn add_signer(&self, line: &str) {
        let path = self.repo.path().join("policies/allowed_signers");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(line);
        text.push('\n');
        std::fs::write(path, text).unwrap();
    }

    /// `ssh-keygen -Y verify`'s answer for an approval file, as an auditor would run it.
    fn ssh_keygen_accepts(&self, id: &str, principal: &str) -> bool {
        let sig = std::fs::read_to_string(self.sig_path(id, principal)).unwrap();
        let table: toml::Table = toml::from_str(&sig).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let sig_file = dir.path().join("sig");
        std::fs::write(&sig_file, table["signature"].as_str().unwrap()).unwrap();
        let mut child = ssh_keygen()
            .args(["-Y", "verify", "-n", "changegate", "-f"])
            .arg(self.repo.path().join("policies/allowed_signers"))
            .args(["-I", principal, "-s"])
            .arg(&sig_file)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(table["message"].as_str().unwrap().as_bytes())
            .unwrap();
        child.wait().unwrap().success()
    }

    fn public_key(&self, person: &str) -> String {
        let public = std::fs::read_to_string(self.key(person).with_extension("pub")).unwrap();
        public
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Issue 9, bypass 6: one person with two registered keys filled a two-person requirement
/// with `carol@example.com.sig` and `carol@example.com.sig.sig`.
#[test]
fn regression_9_one_person_with_two_keys_counts_once() {
    let a = Approvals::new();
    keygen(&a.key("carol2"), "carol2", "");
    a.add_signer(&format!("carol@example.com {}", a.public_key("carol2")));
    let message = a.message("CHG-1", "carol@example.com");
    a.sign_with_ssh_keygen(
        "CHG-1",
        "carol@example.com",
        "carol",
        "changegate",
        &message,
    );
    a.sign_with_ssh_keygen(
        "CHG-1",
        "carol@example.com.sig",
        "carol2",
        "changegate",
        &message,
    );
    let (code, v) = a.check("CHG-1", &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        v["tickets"][0]["approvals"]["valid"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "{v:#}"
    );
    let (c, why) = invalid_reason(&v, "carol@example.com.sig");
    assert_eq!(c, "approval-invalid");
    assert!(why.contains("named for"), "{why}");
    assert!(codes(&v).contains(&"approvals-missing".to_string()));
}

/// Issue 9, bypass 7: `author = "VOJTECH@example.com"` let vojtech approve his own change.
#[test]
fn regression_9_the_author_in_another_spelling_never_approves() {
    let a = Approvals::new();
    let path = a.repo.path().join("changes/CHG-1.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("author = \"vojtech@example.com\""));
    std::fs::write(
        &path,
        text.replace("vojtech@example.com", "VOJTECH@Example.com"),
    )
    .unwrap();
    let output = a.approve("CHG-1", "vojtech");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("never counts"));
    let message = a.message("CHG-1", "vojtech@example.com");
    a.sign_with_ssh_keygen(
        "CHG-1",
        "vojtech@example.com",
        "vojtech",
        "changegate",
        &message,
    );
    let (_, v) = a.check("CHG-1", &[]);
    assert_eq!(invalid_reason(&v, "vojtech@example.com").0, "self-approval");
}

/// Issue 9, bypass 8: `"*@example.com,!dave@example.com"` excludes dave for `ssh-keygen`;
/// changegate counted him. Both must now agree, for each principal.
#[test]
fn regression_9_negated_principals_match_ssh_keygen() {
    let a = Approvals::new();
    let path = a.repo.path().join("policies/allowed_signers");
    let text = std::fs::read_to_string(&path).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.starts_with("erin@"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, kept).unwrap();
    // A shared key for the d* and e* people but dave (not the author, vojtech: a key the
    // author holds never approves his change); erin's own key, with a negation beside it.
    keygen(&a.key("team"), "team", "");
    a.add_signer(&format!(
        "\"d*@example.com,e*@example.com,!dave@example.com\" {}",
        a.public_key("team")
    ));
    a.add_signer(&format!(
        "\"!frank@example.com,erin@example.com\" {}",
        a.public_key("erin")
    ));
    for (principal, key) in [
        ("dave@example.com", "team"),
        ("erin@example.com", "team"),
        ("erin@example.com", "erin"),
        ("frank@example.com", "erin"),
    ] {
        let dir = a.sig_path("CHG-1", principal);
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
        let message = a.message("CHG-1", principal);
        a.sign_with_ssh_keygen("CHG-1", principal, key, "changegate", &message);
        let (_, v) = a.check("CHG-1", &[]);
        let counted = v["tickets"][0]["approvals"]["valid"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["approver"] == principal);
        assert_eq!(
            counted,
            a.ssh_keygen_accepts("CHG-1", principal),
            "{principal} signed with {key}'s key: changegate and ssh-keygen disagree: {v:#}"
        );
    }
}

/// Issue 9: a principal from `allowed_signers` is joined into the path `approve` writes.
#[test]
fn regression_9_approve_never_writes_outside_the_approvals_folder() {
    let a = Approvals::new();
    keygen(&a.key("mallory"), "mallory", "");
    a.add_signer(&format!("x/../../../OUTSIDE {}", a.public_key("mallory")));
    let digest = a.digest("CHG-1");
    let output = a
        .repo
        .cmd()
        .args(["approve", "changes/CHG-1.toml", "--digest", &digest])
        .arg("--key")
        .arg(a.key("mallory"))
        .env_remove("SSH_AUTH_SOCK")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(!a.repo.path().join("OUTSIDE.sig").exists());
    assert!(!a.repo.path().parent().unwrap().join("OUTSIDE.sig").exists());
}

/// Issue 9 (review): the ticket's `author` and commit authors are written by the change
/// itself; `--author` names the author from a record the change cannot edit.
#[test]
fn regression_9_a_trusted_author_from_ci_never_approves() {
    let a = Approvals::new();
    assert!(a.approve("CHG-1", "carol").status.success());
    let (_, v) = a.check("CHG-1", &["--author", "Carol@example.com"]);
    assert_eq!(invalid_reason(&v, "carol@example.com").0, "self-approval");
}

/// Issue 17, "an approval covers the state it was given": the plan text approvers sign
/// carries what each change replaces, so an approval given before the base moved under the
/// change (a rebase over someone else's edit of the same record) is stale, and says what
/// moved.
#[test]
fn regression_17_an_approval_is_bound_to_the_state_it_was_given() {
    let a = Approvals::new();
    let dir = a.repo.path();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    let zone = |www: &str| format!("$ORIGIN example.com.\n$TTL 300\nwww A {www}\n");
    std::fs::remove_dir_all(dir.join("changes")).unwrap();
    a.repo.write("zones/example.com.zone", &zone("192.0.2.1"));
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "base"]);
    git(&["tag", "base"]);
    // The change: www from .1 to .2, approved by both groups over that base.
    git(&["checkout", "-q", "-b", "change"]);
    a.repo.write("zones/example.com.zone", &zone("192.0.2.2"));
    a.repo.write(
        "changes/CHG-U.toml",
        &format!(
            "{}\n[[change]]\naction = \"update\"\nname = \"www.example.com\"\ntype = \"A\"\n",
            complete_ticket("CHG-U", "global")
        ),
    );
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "CHG-U"]);
    for person in ["carol", "erin"] {
        let digest = a
            .repo
            .cmd()
            .args([
                "approve",
                "--base",
                "base",
                "--show-digest",
                "changes/CHG-U.toml",
            ])
            .output()
            .unwrap();
        let digest = String::from_utf8(digest.stdout).unwrap();
        let output = a
            .repo
            .cmd()
            .args([
                "approve",
                "--base",
                "base",
                "changes/CHG-U.toml",
                "--digest",
                digest.trim(),
            ])
            .arg("--key")
            .arg(a.key(person))
            .env_remove("SSH_AUTH_SOCK")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "approvals"]);
    let (code, v) = a.repo.check_json(&["--base", "base"]);
    assert_eq!(code, 0, "{v:#}");

    // Meanwhile someone changed www to .9 on main; the branch is rebased onto it: the same
    // ticket and approvals now turn .9 into .2, a silent revert of the other change.
    git(&["checkout", "-q", "main"]);
    a.repo.write("zones/example.com.zone", &zone("192.0.2.9"));
    git(&["commit", "-q", "-am", "someone else's change"]);
    git(&["tag", "moved"]);
    git(&["checkout", "-q", "change"]);
    git(&["rebase", "-q", "-X", "theirs", "moved"]);
    let (code, v) = a.repo.check_json(&["--base", "moved"]);
    assert_eq!(code, 1, "{v:#}");
    let (kind, why) = invalid_reason(&v, "carol@example.com");
    assert_eq!(kind, "approval-stale", "{v:#}");
    assert!(why.contains("www.example.com A is 192.0.2.9"), "{why}");
}

/// An approval of the first plan text (`changegate plan v1`, which did not bind the state a
/// change replaces) is never valid: stale, and told why.
#[test]
fn regression_17_an_approval_of_a_v1_plan_is_stale() {
    use changegate::diag::SourceFile;
    use changegate::plan::Plan;
    let a = Approvals::new();
    let path = a.repo.path().join("changes/CHG-1.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let ticket =
        changegate::ticket::read_ticket(SourceFile::new("CHG-1.toml", text), &path).unwrap();
    let zones = [changegate::zone::ManagedZone {
        name: changegate::model::Fqdn::parse("example.com").unwrap(),
        file: "zones/example.com.zone".into(),
    }];
    let plan = Plan::from_ticket(&ticket, &zones).unwrap();
    let message = a
        .message("CHG-1", "carol@example.com")
        .replace(&plan.digest(), &plan.digest_v1());
    assert!(message.contains(&plan.digest_v1()));
    a.sign_with_ssh_keygen(
        "CHG-1",
        "carol@example.com",
        "carol",
        "changegate",
        &message,
    );
    let (_, v) = a.check("CHG-1", &[]);
    let (code, why) = invalid_reason(&v, "carol@example.com");
    assert_eq!(code, "approval-stale");
    assert!(why.contains("changegate plan v1"), "{why}");
}
