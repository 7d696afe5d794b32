//! `backend = "command"`: any store changegate does not speak (Route 53 query logs, Cloud
//! Logging, Loki, ...), through a program that answers the JSON-lines protocol of SPEC.md.
//!
//! The program gets one question per line on stdin and answers one line per question on
//! stdout, in order. Anything but a complete, well-formed answer refuses every deletion it
//! was asked about, quoting what the program wrote on stderr.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{DeletionTarget, Reach};
use crate::model::{Duration, RecordType};

/// Most a program may write on stdout: far more than any number of answers needs.
const MAX_STDOUT: u64 = 16 << 20;
/// Most of stderr that is read.
const MAX_STDERR: u64 = 1 << 20;
/// How much of stderr is kept to quote: its end, where the reason usually is.
const STDERR_TAIL: usize = 2000;

pub struct Command {
    argv: Vec<String>,
    root: PathBuf,
    timeout: Duration,
    /// Names of environment variables the command may see, beyond [`BASE_ENV`].
    env: Vec<String>,
}

/// What every command sees of the environment; everything else (credentials for other
/// stores, CI tokens) is withheld unless the config names it.
const BASE_ENV: &[&str] = &["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER"];

/// The command's process group, killed when the exchange ends however it ends: a program
/// that leaves children behind (holding its pipes, or the secrets it was given) does not
/// outlive the check.
struct Group(Option<u32>);

impl Drop for Group {
    fn drop(&mut self) {
        if let Some(Ok(pgid)) = self.0.map(libc::pid_t::try_from) {
            // SAFETY: kill(2) with a negative pid signals the process group the command was
            // started as the leader of; it touches no memory of this process.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
}

/// One question, as written on the program's stdin.
#[derive(Serialize)]
struct Question<'a> {
    /// The owner name without the trailing dot, as `{name}` in query templates.
    name: &'a str,
    fqdn: String,
    #[serde(rename = "type")]
    rtype: String,
    zone: &'a str,
    /// What to count: `name` (questions for exactly this name), `wildcard` (questions for any
    /// name below the wildcard's parent) or `subtree` (the name and every name below it).
    reach: &'static str,
    from: String,
    to: String,
}

/// One answer: a count and the period the program's logs cover.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub count: u64,
    pub covered_from: jiff::Timestamp,
    pub covered_to: jiff::Timestamp,
}

impl Command {
    pub fn new(argv: &[String], root: &Path, timeout: Duration, env: &[String]) -> Self {
        Self {
            argv: argv.to_vec(),
            root: root.to_path_buf(),
            timeout,
            env: env.to_vec(),
        }
    }

    /// How the program is shown in evidence and messages: its argument vector.
    pub fn source(&self) -> String {
        self.argv.join(" ")
    }

    /// Asks every question at once; one answer per target, in order, or why there are none.
    pub async fn ask(
        &self,
        targets: &[DeletionTarget],
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<Vec<Answer>, String> {
        let stamp = |t: jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        // One question per (target, type): a provider record (ALIAS, URLFWD) answers A and
        // AAAA, so it is asked for both and its answers summed.
        let mut asked: Vec<(usize, RecordType)> = Vec::new();
        for (i, target) in targets.iter().enumerate() {
            asked.push((i, target.rtype.asked_as()));
            if target.rtype.is_provider_record() {
                asked.push((i, RecordType::Aaaa));
            }
        }
        let reaches: Vec<&'static str> = asked
            .iter()
            .map(|(i, _)| reach_name(Reach::of(&targets[*i].name, targets[*i].rtype)))
            .collect();
        let mut input = Vec::new();
        for ((i, rtype), reach) in asked.iter().zip(&reaches) {
            let target = &targets[*i];
            let question = Question {
                name: target.name.as_str(),
                fqdn: target.name.to_dotted(),
                rtype: rtype.as_str().into_owned(),
                zone: target.zone.as_str(),
                reach,
                from: stamp(from),
                to: stamp(to),
            };
            serde_json::to_writer(&mut input, &question).map_err(|e| e.to_string())?;
            input.push(b'\n');
        }
        let (status, stdout, stderr) = self.run(input).await?;
        let quote = |what: String| {
            let tail = stderr_tail(&stderr);
            if tail.is_empty() {
                format!("{what} (it wrote nothing on stderr)")
            } else {
                format!("{what}; its stderr ends: {tail}")
            }
        };
        if !status.success() {
            let how = match status.code() {
                Some(code) => format!("exited with status {code}"),
                None => "was killed by a signal".into(),
            };
            return Err(quote(format!("`{}` {how}", self.source())));
        }
        let answers = parse_answers(&stdout, &reaches)
            .map_err(|e| quote(format!("`{}`: {e}", self.source())))?;
        // Per target: the counts summed, and only the period every answer covers.
        let mut combined: Vec<Option<Answer>> = vec![None; targets.len()];
        for ((i, _), answer) in asked.iter().zip(answers) {
            combined[*i] = Some(match combined[*i].take() {
                None => answer,
                Some(so_far) => Answer {
                    count: so_far.count.saturating_add(answer.count),
                    covered_from: so_far.covered_from.max(answer.covered_from),
                    covered_to: so_far.covered_to.min(answer.covered_to),
                },
            });
        }
        combined
            .into_iter()
            .map(|a| a.ok_or_else(|| "a target got no answer".to_string()))
            .collect()
    }

    /// Runs the program with `input` on stdin, killing it at the timeout.
    async fn run(
        &self,
        input: Vec<u8>,
    ) -> Result<(std::process::ExitStatus, Vec<u8>, Vec<u8>), String> {
        let program = Path::new(&self.argv[0]);
        // A path with a folder in it is the repository's own script, relative to its root; a
        // bare name is looked up on PATH.
        let program = if program.is_relative() && self.argv[0].contains('/') {
            self.root.join(program)
        } else {
            program.to_path_buf()
        };
        let mut command = tokio::process::Command::new(&program);
        command
            .args(&self.argv[1..])
            .current_dir(&self.root)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        for name in BASE_ENV
            .iter()
            .copied()
            .chain(self.env.iter().map(String::as_str))
        {
            if let Some(value) = std::env::var_os(name) {
                command.env(name, value);
            }
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot run `{}`: {e}", self.source()))?;
        let _group = Group(child.id());
        let (Some(mut stdin), Some(stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(format!("cannot talk to `{}`", self.source()));
        };
        let exchange = async {
            let write = async {
                // A program that exits without reading its questions closes the pipe: that
                // shows in its answers (or exit status), not here.
                let _ = stdin.write_all(&input).await;
                drop(stdin);
            };
            let mut out = Vec::new();
            let mut stdout = stdout.take(MAX_STDOUT + 1);
            let read_out = stdout.read_to_end(&mut out);
            let mut err = Vec::new();
            let mut stderr = (&mut stderr).take(MAX_STDERR);
            let read_err = stderr.read_to_end(&mut err);
            let ((), out_result, err_result) = tokio::join!(write, read_out, read_err);
            out_result
                .map_err(|e| format!("cannot read the answers of `{}`: {e}", self.source()))?;
            let _ = err_result;
            if out.len() as u64 > MAX_STDOUT {
                return Err(format!(
                    "`{}` wrote more than {} MiB of answers",
                    self.source(),
                    MAX_STDOUT >> 20
                ));
            }
            let status = child
                .wait()
                .await
                .map_err(|e| format!("cannot wait for `{}`: {e}", self.source()))?;
            Ok((status, out, err))
        };
        match tokio::time::timeout(self.timeout.to_std(), exchange).await {
            Ok(result) => result,
            Err(_) => Err(format!(
                "`{}` did not answer within {} and was stopped",
                self.source(),
                self.timeout
            )),
        }
    }
}

fn reach_name(reach: Reach) -> &'static str {
    match reach {
        Reach::Name => "name",
        Reach::Wildcard => "wildcard",
        Reach::Subtree => "subtree",
    }
}

/// The last lines of stderr, on one line, at most [`STDERR_TAIL`] characters.
fn stderr_tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr).replace(|c: char| c.is_control() && c != '\n', " ");
    let text = text.trim();
    let start = text
        .char_indices()
        .rev()
        .nth(STDERR_TAIL - 1)
        .map_or(0, |(i, _)| i);
    text[start..]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Exactly one well-formed answer per question, in order.
fn parse_answers(stdout: &[u8], reaches: &[&str]) -> Result<Vec<Answer>, String> {
    let text = std::str::from_utf8(stdout).map_err(|_| "its answers are not UTF-8".to_string())?;
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    if lines.len() != reaches.len() {
        return Err(format!(
            "it answered {} line(s) to {} question(s); it must answer each question with one line, in order",
            lines.len(),
            reaches.len()
        ));
    }
    lines
        .iter()
        .zip(reaches)
        .enumerate()
        .map(|(i, (line, reach))| {
            parse_answer(line.trim_end_matches('\r'), reach)
                .map_err(|e| format!("answer {} (`{}`): {e}", i + 1, shorten(line)))
        })
        .collect()
}

fn parse_answer(line: &str, reach: &str) -> Result<Answer, String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("not JSON ({e})"))?;
    let object = value.as_object().ok_or("not a JSON object")?;
    let count = match object.get("count") {
        Some(n) if n.is_u64() => n.as_u64().unwrap_or_default(),
        Some(n) => {
            return Err(format!(
                "`count` is {n}; it must be a whole number of resolutions, 0 or more"
            ));
        }
        None => return Err("`count` is missing".into()),
    };
    let time = |key: &str| -> Result<jiff::Timestamp, String> {
        match object.get(key) {
            Some(serde_json::Value::String(s)) => s
                .parse::<jiff::Timestamp>()
                .map_err(|_| format!("`{key}` is `{s}`, not an RFC 3339 time")),
            Some(other) => Err(format!("`{key}` is {other}, not an RFC 3339 time")),
            None => Err(format!("`{key}` is missing")),
        }
    };
    let (covered_from, covered_to) = (time("covered_from")?, time("covered_to")?);
    if covered_to < covered_from {
        return Err("`covered_to` is before `covered_from`".into());
    }
    // A program that counts only the name itself must not pass for one that counted what a
    // wildcard or a delegation answers: it says which it counted.
    if reach != "name" {
        match object.get("reach").and_then(|r| r.as_str()) {
            Some(said) if said == reach => {}
            _ => {
                return Err(format!(
                    "the question asked for reach `{reach}` (every name it answers for), and the answer does not say `\"reach\": \"{reach}\"`"
                ));
            }
        }
    }
    Ok(Answer {
        count,
        covered_from,
        covered_to,
    })
}

fn shorten(line: &str) -> String {
    let cut: String = super::http::printable(line).chars().take(80).collect();
    if cut.len() < line.len() {
        format!("{cut}...")
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_answers_are_read() {
        let out = b"{\"count\": 0, \"covered_from\": \"2025-02-01T00:00:00Z\", \"covered_to\": \"2025-02-25T00:00:00Z\"}\n{\"count\": 12, \"covered_from\": \"2025-02-01T00:00:00Z\", \"covered_to\": \"2025-02-25T00:00:00Z\", \"reach\": \"subtree\", \"note\": \"ok\"}\n";
        let answers = parse_answers(out, &["name", "subtree"]).unwrap();
        assert_eq!(answers[0].count, 0);
        assert_eq!(answers[1].count, 12);
    }

    #[test]
    fn everything_else_is_refused() {
        let good =
            "\"covered_from\": \"2025-02-01T00:00:00Z\", \"covered_to\": \"2025-02-25T00:00:00Z\"";
        let cases = [
            (format!("{{\"count\": -1, {good}}}"), "whole number"),
            (format!("{{\"count\": 1.5, {good}}}"), "whole number"),
            (format!("{{\"count\": 1.0, {good}}}"), "whole number"),
            (format!("{{\"count\": \"3\", {good}}}"), "whole number"),
            (format!("{{{good}}}"), "`count` is missing"),
            ("{\"count\": 0}".to_string(), "`covered_from` is missing"),
            (
                "{\"count\": 0, \"covered_from\": \"yesterday\", \"covered_to\": \"2025-02-25T00:00:00Z\"}".to_string(),
                "not an RFC 3339",
            ),
            ("[1]".to_string(), "not a JSON object"),
            ("count=0".to_string(), "not JSON"),
        ];
        for (line, expected) in cases {
            let err = parse_answers(format!("{line}\n").as_bytes(), &["name"]).unwrap_err();
            assert!(err.contains(expected), "{line}: {err}");
        }
        let one = format!("{{\"count\": 0, {good}}}\n");
        let err = parse_answers(one.as_bytes(), &["name", "name"]).unwrap_err();
        assert!(err.contains("1 line(s) to 2 question(s)"), "{err}");
        let two = one.repeat(2);
        assert!(parse_answers(two.as_bytes(), &["name"]).is_err());
        let err = parse_answers(one.as_bytes(), &["wildcard"]).unwrap_err();
        assert!(err.contains("\"reach\": \"wildcard\""), "{err}");
        assert!(parse_answers(format!("\n{one}").as_bytes(), &["name"]).is_err());
    }

    #[test]
    fn stderr_is_quoted_by_its_end() {
        assert_eq!(stderr_tail(b"first\n\nsecond  \n"), "first | second");
        let long = "x".repeat(5000);
        assert_eq!(stderr_tail(long.as_bytes()).len(), STDERR_TAIL);
    }
}
