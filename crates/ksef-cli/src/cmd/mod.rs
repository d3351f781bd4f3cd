//! One file per command; each is thin over the libraries.

mod check;
mod deadline;
mod demo;
mod invoice;
mod qr;
mod sim;

use std::path::Path;

use anyhow::Context as _;

use crate::Outcome;
use crate::args::{Cli, Command};

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Qr(c) => qr::run(c),
        Command::KsefNumber(c) => check::ksef_number(c),
        Command::Nip(c) => check::nip(c),
        Command::Deadline(a) => deadline::run(a),
        Command::Invoice(c) => invoice::run(c),
        Command::Demo(a) => demo::run(a),
        Command::Sim(a) => sim::run(a),
    }
}

/// Reads a whole file, naming it in the error.
pub fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Writes a whole file, naming it in the error.
pub fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
