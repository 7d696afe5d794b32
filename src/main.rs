use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match changegate::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Bad arguments are invalid input (2); --help and --version are successes.
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    changegate::commands::run(cli).into()
}
