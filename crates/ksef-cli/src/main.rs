//! `ksef`: offline invoicing for KSeF from the command line.
//!
//! Exit codes: 0 success (or "valid"), 1 a check found the input invalid, 2 usage or I/O error.

mod args;
mod cmd;
mod config;
mod output;

use std::process::ExitCode;

use clap::Parser;

/// What a command concluded, for the exit code.
#[derive(Debug)]
pub enum Outcome {
    /// Done, or the input is valid: exit 0.
    Ok,
    /// The input was checked and found invalid: exit 1.
    Invalid,
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    // Logs on standard error: warnings by default, more with KSEF_LOG=info|debug.
    let filter = tracing_subscriber::EnvFilter::try_from_env("KSEF_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    match cmd::run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Invalid) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
