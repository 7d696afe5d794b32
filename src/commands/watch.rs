//! `changegate watch TICKET`: the analysis step of a rollout. Takes a baseline of every
//! health signal, then asks each one every `interval` until its `watch` window has passed,
//! and aborts on a breach (held for `for`) or on a signal gone blind. An error, an empty
//! result or NaN never counts as healthy.

use std::fmt::Write as _;
use std::io::IsTerminal;

use comfy_table::{Cell, Color};

use crate::cli::{Global, WatchArgs};
use crate::evidence::Outcome as Answer;
use crate::evidence::signals;
use crate::report::{Format, sparkline, table};
use crate::ticket::{HealthSignal, Ticket, read_ticket};
use crate::workspace;

use super::Outcome;

/// One signal through the watch.
struct Watched<'t> {
    signal: &'t HealthSignal,
    baseline: f64,
    values: Vec<f64>,
    /// Consecutive evaluations that saw nothing.
    blind: u32,
    /// When the current breach began.
    breached_since: Option<jiff::Timestamp>,
    /// When the signal is next due, and when its window ends.
    next: jiff::Timestamp,
    until: jiff::Timestamp,
    last: Option<Result<f64, String>>,
}

/// Why the watch ended early.
struct Abort {
    signal: String,
    why: String,
}

pub fn run(global: &Global, args: &WatchArgs, color: bool) -> Outcome {
    let ws = match workspace::load(global.config.as_deref()) {
        Ok(ws) => ws,
        Err(problems) => return invalid(&problems),
    };
    let file = match workspace::read_in(
        &ws.config.root,
        &args.ticket,
        "ticket-invalid",
        "the ticket",
    ) {
        Ok(file) => file,
        Err(problems) => return invalid(&problems),
    };
    let ticket = match read_ticket(file, &args.ticket) {
        Ok(ticket) => ticket,
        Err(problems) => return invalid(&problems),
    };
    if ticket.health_signals.is_empty() {
        eprintln!(
            "error: `{}` has no `[[health_signal]]` to watch; add one with `query`, `abort_if` and `watch`",
            args.ticket.display()
        );
        return Outcome::Invalid;
    }
    let store = match signals::store(&ws.config) {
        Ok(store) => store,
        Err(why) => {
            eprintln!("error: cannot start watching: {why}");
            return Outcome::CannotEvaluate;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: {e}");
            return Outcome::CannotEvaluate;
        }
    };
    runtime.block_on(watch(&ticket, &store, args, global.format, color))
}

fn invalid(problems: &[crate::diag::Diagnostic]) -> Outcome {
    for p in problems {
        eprint!("{}", p.render(false));
    }
    Outcome::Invalid
}

async fn ask(store: &crate::evidence::signals::Store, query: &str) -> Result<f64, String> {
    match store.instant(query, jiff::Timestamp::now()).await {
        Ok(Answer::Value(v)) => Ok(v),
        Ok(_) => Err("no series (an empty result is never healthy)".into()),
        Err(e) => Err(e),
    }
}

async fn watch(
    ticket: &Ticket,
    store: &crate::evidence::signals::Store,
    args: &WatchArgs,
    format: Format,
    color: bool,
) -> Outcome {
    let start = jiff::Timestamp::now();
    let mut watched = Vec::new();
    // The baseline: every signal must see something now, or the watch cannot start.
    for signal in &ticket.health_signals {
        let signal = signal.get_ref();
        if !crate::evidence::signals::reads_a_metric(&signal.query) {
            eprintln!(
                "error: cannot start watching: health signal `{}` reads no metric: `{}` is made of constants, so it could abort nothing; query the service's own metrics",
                signal.name, signal.query
            );
            return Outcome::CannotEvaluate;
        }
        match ask(store, &signal.query).await {
            Ok(0.0)
                if signal.abort_if.relative
                    && matches!(
                        signal.abort_if.comparator,
                        crate::ticket::Comparator::Less | crate::ticket::Comparator::LessOrEqual
                    ) =>
            {
                eprintln!(
                    "error: cannot start watching: health signal `{}` reads 0, and `{}` of a zero baseline can never fall below it",
                    signal.name, signal.abort_if
                );
                return Outcome::CannotEvaluate;
            }
            Ok(baseline) => watched.push(Watched {
                signal,
                baseline,
                values: vec![baseline],
                blind: 0,
                breached_since: None,
                next: start
                    .saturating_add(signal.interval.to_signed())
                    .unwrap_or(start),
                until: start
                    .saturating_add(signal.watch.to_signed())
                    .unwrap_or(start),
                last: Some(Ok(baseline)),
            }),
            Err(e) => {
                eprintln!(
                    "error: cannot start watching: health signal `{}` is dead: {e}",
                    signal.name
                );
                return Outcome::CannotEvaluate;
            }
        }
    }
    let live = format == Format::Human && std::io::stdout().is_terminal();
    let mut drawn = 0usize;
    emit_start(&watched, format);
    let mut abort: Option<Abort> = None;
    // A breach already at the start aborts like any other.
    for w in &mut watched {
        if w.signal.abort_if.holds(w.baseline, w.baseline) && w.signal.sustained.as_secs() == 0 {
            abort = Some(Abort {
                signal: w.signal.name.clone(),
                why: format!(
                    "{} is {} already at the start",
                    w.baseline, w.signal.abort_if
                ),
            });
            break;
        }
    }
    // Ctrl-C is noticed whenever it comes, also during an evaluation.
    let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let notify = std::sync::Arc::new(tokio::sync::Notify::new());
    {
        let (interrupted, notify) = (interrupted.clone(), notify.clone());
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                interrupted.store(true, std::sync::atomic::Ordering::SeqCst);
                notify.notify_one();
            }
        });
    }
    let stop = |watched: &[Watched<'_>]| {
        summary(watched, format, "interrupted", None);
        eprintln!("interrupted: the watch did not finish; the change is not proven healthy");
        Outcome::Interrupted
    };
    while abort.is_none() {
        let Some(due) = watched
            .iter()
            .filter(|w| w.next <= w.until)
            .map(|w| w.next)
            .min()
        else {
            break;
        };
        let wait = std::time::Duration::try_from(due.duration_since(jiff::Timestamp::now()))
            .unwrap_or_default();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = notify.notified() => {}
        }
        if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
            return stop(&watched);
        }
        let now = jiff::Timestamp::now();
        for w in watched
            .iter_mut()
            .filter(|w| w.next <= now && w.next <= w.until)
        {
            let answer = ask(store, &w.signal.query).await;
            w.next = w
                .next
                .saturating_add(w.signal.interval.to_signed())
                .unwrap_or(w.until);
            match &answer {
                Ok(value) => {
                    w.values.push(*value);
                    w.blind = 0;
                    if w.signal.abort_if.holds(*value, w.baseline) {
                        let since = *w.breached_since.get_or_insert(now);
                        let held = now.duration_since(since).as_secs();
                        if held >= w.signal.sustained.as_secs() as i64 && abort.is_none() {
                            abort = Some(Abort {
                                signal: w.signal.name.clone(),
                                why: format!(
                                    "{value} is {} (baseline {}){}",
                                    w.signal.abort_if,
                                    w.baseline,
                                    if w.signal.sustained.as_secs() > 0 {
                                        format!(", held for {}", w.signal.sustained)
                                    } else {
                                        String::new()
                                    }
                                ),
                            });
                        }
                    } else {
                        w.breached_since = None;
                    }
                }
                Err(e) => {
                    w.blind += 1;
                    if w.blind > args.max_blind && abort.is_none() {
                        abort = Some(Abort {
                            signal: w.signal.name.clone(),
                            why: format!(
                                "it went blind: {} evaluations in a row saw nothing (the last: {e}); a rollout that cannot be seen is not healthy",
                                w.blind
                            ),
                        });
                    }
                }
            }
            w.last = Some(answer);
            emit_evaluation(w, now, format);
        }
        if live {
            drawn = redraw(&watched, drawn, color);
        }
    }
    if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        return stop(&watched);
    }
    // A window that ends blind, or breached (a breach still short of `for`), or that never
    // saw a healthy value after the start, is not a healthy rollout.
    if abort.is_none() {
        for w in &watched {
            let why = match &w.last {
                _ if w.values.len() < 2 => {
                    Some("no evaluation after the baseline saw anything".to_string())
                }
                Some(Err(e)) => Some(format!("its window ended blind ({e})")),
                Some(Ok(v)) if w.signal.abort_if.holds(*v, w.baseline) => Some(format!(
                    "its window ended with {v} {}, a breach not yet held for `for`",
                    w.signal.abort_if
                )),
                _ => None,
            };
            if let Some(why) = why {
                abort = Some(Abort {
                    signal: w.signal.name.clone(),
                    why,
                });
                break;
            }
        }
    }
    match abort {
        None => {
            summary(&watched, format, "healthy", None);
            if format != Format::Json {
                println!(
                    "healthy: every signal stayed inside its threshold to the end of its window"
                );
            }
            Outcome::Allowed
        }
        Some(abort) => {
            summary(&watched, format, "aborted", Some(&abort));
            if format != Format::Json {
                print!("{}", abort_text(ticket, &abort));
            }
            if let Some(command) = &args.on_abort {
                run_on_abort(command, ticket, &abort);
            }
            Outcome::Refused
        }
    }
}

/// What to do now: the breach, the rollback steps, and how to verify the rollback.
fn abort_text(ticket: &Ticket, abort: &Abort) -> String {
    let mut out = format!("ABORT: health signal `{}`: {}\n", abort.signal, abort.why);
    if let Some(rollback) = &ticket.rollback {
        let rollback = rollback.get_ref();
        let _ = writeln!(out, "roll back now:");
        for (i, step) in rollback.steps.iter().enumerate() {
            let _ = writeln!(out, "  {}. {step}", i + 1);
        }
        if let Some(snapshot) = &rollback.last_known_good {
            let _ = writeln!(
                out,
                "then check that DNS answers as before the change:\n  changegate verify {}",
                snapshot.get_ref()
            );
        }
    }
    out
}

/// Runs `--on-abort`: an argument vector, with the ticket, signal and snapshot in its
/// environment; its exit status is reported.
fn run_on_abort(command: &[String], ticket: &Ticket, abort: &Abort) {
    let Some((program, args)) = command.split_first() else {
        return;
    };
    let snapshot = ticket
        .rollback
        .as_ref()
        .and_then(|r| r.get_ref().last_known_good.as_ref())
        .map(|s| s.get_ref().clone())
        .unwrap_or_default();
    let status = std::process::Command::new(program)
        .args(args)
        .env("CHANGEGATE_TICKET", ticket.file.name.as_ref())
        .env("CHANGEGATE_SIGNAL", &abort.signal)
        .env("CHANGEGATE_SNAPSHOT", snapshot)
        .status();
    match status {
        Ok(status) => eprintln!("--on-abort `{}` exited with {status}", command.join(" ")),
        Err(e) => eprintln!("--on-abort `{}` could not run: {e}", command.join(" ")),
    }
}

fn stamp(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn emit_start(watched: &[Watched<'_>], format: Format) {
    for w in watched {
        match format {
            Format::Json => println!(
                "{}",
                serde_json::json!({
                    "event": "baseline", "signal": w.signal.name, "value": w.baseline,
                    "abort_if": w.signal.abort_if.to_string(),
                    "limit": w.signal.abort_if.limit(w.baseline),
                    "until": stamp(w.until),
                })
            ),
            _ => println!(
                "baseline {}: {} (abort if {}, watching until {})",
                w.signal.name,
                w.baseline,
                w.signal.abort_if,
                stamp(w.until)
            ),
        }
    }
}

fn emit_evaluation(w: &Watched<'_>, at: jiff::Timestamp, format: Format) {
    let (value, error) = match &w.last {
        Some(Ok(v)) => (Some(*v), None),
        Some(Err(e)) => (None, Some(e.clone())),
        None => (None, None),
    };
    let breached = value.is_some_and(|v| w.signal.abort_if.holds(v, w.baseline));
    match format {
        Format::Json => println!(
            "{}",
            serde_json::json!({
                "event": "evaluation", "signal": w.signal.name, "at": stamp(at),
                "value": value, "error": error, "breached": breached, "blind": w.blind,
                "limit": w.signal.abort_if.limit(w.baseline),
            })
        ),
        Format::Human if std::io::stdout().is_terminal() => {}
        _ => println!(
            "{} {}: {} (abort if {}{})",
            stamp(at),
            w.signal.name,
            value.map_or_else(
                || format!("blind ({})", error.unwrap_or_default()),
                |v| v.to_string()
            ),
            w.signal.abort_if,
            if breached { "; BREACHED" } else { "" }
        ),
    }
}

fn summary(watched: &[Watched<'_>], format: Format, result: &str, abort: Option<&Abort>) {
    if format != Format::Json {
        return;
    }
    let signals: Vec<serde_json::Value> = watched
        .iter()
        .map(|w| {
            serde_json::json!({
                "name": w.signal.name, "baseline": w.baseline, "values": w.values,
                "abort_if": w.signal.abort_if.to_string(),
            })
        })
        .collect();
    println!(
        "{}",
        serde_json::json!({
            "event": "summary", "result": result, "signals": signals,
            "aborted_by": abort.map(|a| &a.signal), "why": abort.map(|a| &a.why),
        })
    );
}

/// The live table, drawn over the previous one.
fn redraw(watched: &[Watched<'_>], drawn: usize, color: bool) -> usize {
    let mut t = table(color);
    t.set_header(vec![
        "signal", "now", "abort if", "baseline", "so far", "left",
    ]);
    let now = jiff::Timestamp::now();
    for w in watched {
        let (now_text, cell_color) = match &w.last {
            Some(Ok(v)) if w.signal.abort_if.holds(*v, w.baseline) => (v.to_string(), Color::Red),
            Some(Ok(v)) => (v.to_string(), Color::Green),
            Some(Err(_)) => (format!("blind ×{}", w.blind), Color::Yellow),
            None => ("-".into(), Color::Reset),
        };
        let left = w.until.duration_since(now).as_secs().max(0);
        t.add_row(vec![
            Cell::new(&w.signal.name),
            Cell::new(now_text).fg(cell_color),
            Cell::new(w.signal.abort_if.to_string()),
            Cell::new(w.baseline),
            Cell::new(sparkline(&w.values)),
            Cell::new(format!("{}m{:02}s", left / 60, left % 60)),
        ]);
    }
    let text = t.to_string();
    let mut out = String::new();
    if drawn > 0 {
        let _ = write!(out, "\x1b[{drawn}A\x1b[J");
    }
    out.push_str(&text);
    out.push('\n');
    super::write_stdout(&out);
    text.lines().count()
}
