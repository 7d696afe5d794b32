//! `changegate completions SHELL` and the hidden `man`: generated from the clap definitions,
//! so they never drift from the real flags.

use clap::CommandFactory;

use super::{Outcome, write_stdout};
use crate::cli::Cli;

pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "changegate", &mut buffer);
    write_stdout(&String::from_utf8_lossy(&buffer));
    Outcome::Allowed
}

pub fn man() -> Outcome {
    let mut buffer = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut buffer) {
        Ok(()) => {
            write_stdout(&String::from_utf8_lossy(&buffer));
            Outcome::Allowed
        }
        Err(e) => {
            eprintln!("error: cannot render the man page: {e}");
            Outcome::CannotEvaluate
        }
    }
}
