//! Command-line arguments. Parsing only: each command lives in [`crate::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::report::Format;

/// A gate for DNS changes: change tickets, risk tiers, approvals, and a deletion gate that
/// refuses to delete any record still being resolved.
#[derive(Debug, Parser)]
#[command(name = "changegate", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The config file [default: changegate.toml in this folder or the nearest one above]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Evaluate as of this instant (RFC 3339), for reproducible runs
    #[arg(long, global = true, env = "CHANGEGATE_NOW", value_name = "RFC3339", value_parser = parse_now)]
    pub now: Option<jiff::Timestamp>,
    /// Never show progress bars
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// Print only refusals and errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Explain more: every rule and freeze that set the tier
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate tickets and print a verdict (exit 0 allowed, 1 refused, 2 invalid, 3 could not evaluate)
    Check(CheckArgs),
    /// Show the desired-state DNS diff: `diff OLD NEW` (files or folders) or `diff --base REF`
    Diff(DiffArgs),
    /// Review a ticket and sign it with your SSH key
    Approve(ApproveArgs),
    /// Validate config, policy and tickets without touching the network
    Lint(TicketArgs),
    /// Record live DNS answers (types, CNAME chain, values, TTLs) as the last-known-good state
    Snapshot(SnapshotArgs),
    /// Re-resolve and compare exactly with a snapshot (exit 1 on any difference)
    Verify(VerifyArgs),
    /// Compare desired state (zone files, octoDNS) with live DNS, alias-aware (exit 1 on drift)
    Drift(DriftArgs),
    /// Watch a ticket's health signals through the change; abort on a breach (exit 0 healthy to
    /// the end, 1 aborted, 2 invalid, 3 could not start, 130 interrupted)
    Watch(WatchArgs),
    /// Write a starting changegate.toml, policy, allowed_signers and tickets folder for the DNS
    /// repository here; never overwrites without --force
    Init(InitArgs),
    /// The change record from git history: each ticket merged, its kind, tier and approvals,
    /// and for emergencies whether their review is done, pending or overdue
    Log(LogArgs),
    /// Write tickets: `ticket new` declares every change of a range or of two paths
    Ticket {
        #[command(subcommand)]
        action: TicketAction,
    },
    /// Install git hooks that run the gate
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
    /// Print shell completions
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    #[command(hide = true)]
    Man,
}

/// How to ask resolvers.
#[derive(Clone, Debug, Args)]
pub struct DnsArgs {
    /// A resolver to ask, `ADDR[:PORT]` (repeat for several; their answers must agree)
    /// [default: `[dns] resolvers` in changegate.toml]
    #[arg(long, value_name = "ADDR")]
    pub resolver: Vec<String>,
    /// Questions in flight at once
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub concurrency: usize,
    /// Time to wait for each answer
    #[arg(long, default_value = "2s", value_name = "DURATION")]
    pub timeout: String,
    /// Tries per question, the first included
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub attempts: usize,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Names to record
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Record every name the ticket touches, and the names that depend on them
    #[arg(long, value_name = "TICKET")]
    pub ticket: Option<PathBuf>,
    /// Record types to ask for, comma-separated
    #[arg(long, default_value = "A,AAAA", value_name = "TYPES")]
    pub types: String,
    /// The snapshot file to write (atomically)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// With `--ticket`: a Terraform plan (JSON) whose changes the ticket declares; the names
    /// that depend on them, aliases of resources it deletes included, are recorded too
    #[arg(long = "terraform-plan", value_name = "FILE", requires = "ticket")]
    pub terraform_plans: Vec<PathBuf>,
    #[command(flatten)]
    pub dns: DnsArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A snapshot file written by `changegate snapshot`
    #[arg(value_name = "SNAPSHOT")]
    pub snapshot: PathBuf,
    /// Ask every server of each zone's NS set directly (port 53, no recursion) and compare
    /// each one on its own; resolvers only find the zones and the servers' addresses
    #[arg(long)]
    pub authoritative: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace files that exist (each is written whole or not at all)
    #[arg(long)]
    pub force: bool,
    /// Where resolution counts come from [default: left commented: every deletion is refused
    /// until it is set]
    #[arg(long, value_enum, value_name = "BACKEND")]
    pub metrics: Option<InitMetrics>,
    /// The Prometheus URL, with `--metrics prometheus`
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Zone-file globs, instead of those found (repeat)
    #[arg(long, value_name = "GLOB")]
    pub zonefiles: Vec<String>,
    /// octoDNS YAML globs, instead of those found (repeat)
    #[arg(long, value_name = "GLOB")]
    pub octodns: Vec<String>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum InitMetrics {
    Prometheus,
    File,
}

#[derive(Debug, Subcommand)]
pub enum TicketAction {
    /// Write `changes/<ID>.toml` declaring every RRset change of the range (`--base REF`) or
    /// of `OLD NEW`, with what a person must decide left as `TODO`s; never overwrites
    New(TicketNewArgs),
}

#[derive(Debug, Args)]
pub struct TicketNewArgs {
    /// Two zone files or folders: OLD and NEW (instead of `--base`)
    #[arg(value_name = "PATH", num_args = 0..=2)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub range: RangeArgs,
    /// The ticket's id [default: the next free `CHG-<n>` in the tickets folder]
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// The author [default: git's `user.email`]
    #[arg(long, value_name = "EMAIL")]
    pub author: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The branch whose first-parent history to read [default: HEAD]
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// Only tickets merged at or after this date (`2026-12-01`) or instant (RFC 3339)
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<jiff::Timestamp>,
}

fn parse_since(text: &str) -> Result<jiff::Timestamp, String> {
    if let Ok(instant) = text.parse::<jiff::Timestamp>() {
        return Ok(instant);
    }
    text.parse::<jiff::civil::Date>()
        .map_err(|e| format!("`{text}` is not a date (2026-12-01) or an RFC 3339 instant: {e}"))
        .and_then(|d| {
            d.to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp())
                .map_err(|e| e.to_string())
        })
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The ticket whose `[[health_signal]]`s to watch
    #[arg(value_name = "TICKET")]
    pub ticket: PathBuf,
    /// Consecutive evaluations that may see nothing (error, empty, NaN) before the watch
    /// aborts: a rollout that has gone blind is not healthy
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub max_blind: u32,
    /// A command to run on abort (an argument vector, no shell), with `CHANGEGATE_TICKET`,
    /// `CHANGEGATE_SIGNAL` and `CHANGEGATE_SNAPSHOT` in its environment; give it last
    #[arg(long, num_args = 1.., allow_hyphen_values = true, value_name = "CMD")]
    pub on_abort: Option<Vec<String>>,
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// Only these managed zones (repeat) [default: all]
    #[arg(long, value_name = "ZONE")]
    pub zone: Vec<String>,
    /// Ask every server of each zone's NS set directly (port 53, no recursion) and compare
    /// each one on its own; resolvers only find the zones and the servers' addresses
    #[arg(long)]
    pub authoritative: bool,
    #[command(flatten)]
    pub dns: DnsArgs,
}

#[derive(Debug, Subcommand)]
pub enum HookAction {
    /// Write a pre-push hook that runs `changegate check --base` on every pushed ref
    Install {
        /// Replace an existing pre-push hook that is not changegate's
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct TicketArgs {
    /// Ticket files [default: every `*.toml` in the tickets folder from changegate.toml]
    #[arg(value_name = "TICKET")]
    pub tickets: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub tickets: TicketArgs,
    #[command(flatten)]
    pub range: RangeArgs,
    /// Who wrote the change, from a record the change cannot edit (CI's pull-request author,
    /// as an allowed_signers principal); an author of every ticket, never an approver.
    /// Repeatable; also env CHANGEGATE_AUTHOR (comma-separated)
    #[arg(
        long = "author",
        value_name = "PRINCIPAL",
        env = "CHANGEGATE_AUTHOR",
        value_delimiter = ','
    )]
    pub authors: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Two zone files or folders of zone files: OLD and NEW
    #[arg(value_name = "PATH", num_args = 0..=2)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub range: RangeArgs,
}

/// A range of commits: the change under review.
#[derive(Clone, Debug, Default, Args)]
pub struct RangeArgs {
    /// Compare against this commit (e.g. `origin/main`); config, policy and signers are read
    /// from it, and the tickets are those the range adds or edits
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// The commit under review [default: HEAD; uncommitted changes are reported, not included]
    #[arg(long, value_name = "REF", requires = "base")]
    pub head: Option<String>,
    /// A Terraform plan as JSON (`terraform show -json PLANFILE`): its DNS changes are part of
    /// the change (repeat for several; also `[sources] terraform_plans`)
    #[arg(long = "terraform-plan", value_name = "FILE")]
    pub terraform_plans: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The ticket file to approve
    #[arg(value_name = "TICKET")]
    pub ticket: PathBuf,
    /// The SSH private key to sign with (a `.pub` file signs with that key in ssh-agent)
    /// [default: a key in ssh-agent that allowed_signers knows, else ~/.ssh/id_ed25519]
    #[arg(long, value_name = "PATH")]
    pub key: Option<PathBuf>,
    /// Approve as this principal [default: the principal allowed_signers gives the key]
    #[arg(long = "as", value_name = "PRINCIPAL")]
    pub principal: Option<String>,
    /// A one-line comment, signed with the approval
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
    /// The ticket digest you reviewed; required without a terminal
    #[arg(long, value_name = "sha256:HEX", value_parser = parse_digest)]
    pub digest: Option<String>,
    /// Print the ticket's digest and exit
    #[arg(long)]
    pub show_digest: bool,
    /// Replace your own earlier approval
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub range: RangeArgs,
}

fn parse_digest(text: &str) -> Result<String, String> {
    if crate::approval::is_digest(text) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{text}` is not `sha256:` and 64 lowercase hex digits; see `changegate approve --show-digest TICKET`"
        ))
    }
}

fn parse_now(text: &str) -> Result<jiff::Timestamp, String> {
    text.parse::<jiff::Timestamp>().map_err(|e| {
        format!("`{text}` is not an RFC 3339 instant such as 2025-02-25T12:00:00Z: {e}")
    })
}
