//! `ksef nip check`, `ksef ksef-number check`.

use ksef_core::{KsefNumber, Nip};

use crate::Outcome;
use crate::args::CheckCommand;

pub fn nip(c: CheckCommand) -> anyhow::Result<Outcome> {
    let CheckCommand::Check { value } = c;
    Ok(report(
        value
            .trim()
            .parse::<Nip>()
            .map(|n| format!("NIP {n} is valid")),
    ))
}

pub fn ksef_number(c: CheckCommand) -> anyhow::Result<Outcome> {
    let CheckCommand::Check { value } = c;
    Ok(report(value.trim().parse::<KsefNumber>().map(|n| {
        format!(
            "KSeF number {n} is valid: seller NIP {}, accepted on {}, technical part {}",
            n.seller_nip(),
            n.accepted_on(),
            n.technical_part()
        )
    })))
}

fn report(result: Result<String, ksef_core::Error>) -> Outcome {
    match result {
        Ok(msg) => {
            println!("{msg}");
            Outcome::Ok
        }
        Err(e) => {
            println!("{e}");
            Outcome::Invalid
        }
    }
}
