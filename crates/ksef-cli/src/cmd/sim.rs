//! `ksef sim`: the local KSeF simulator, served until stopped.

use std::net::SocketAddr;

use anyhow::{Context as _, bail};
use ksef_sim::{SeedToken, SimConfig};

use crate::Outcome;
use crate::args::SimArgs;

pub fn run(a: SimArgs) -> anyhow::Result<Outcome> {
    let addr: SocketAddr = a
        .addr
        .parse()
        .with_context(|| format!("--addr {:?} is not HOST:PORT", a.addr))?;
    if !addr.ip().is_loopback() && !a.allow_non_loopback {
        bail!(
            "--addr {addr} is not a loopback address; the simulator must never be mistaken for KSeF (add --allow-non-loopback to insist)"
        );
    }
    if !(0.0..=1.0).contains(&a.fault_5xx_rate) {
        bail!(
            "--fault-5xx-rate must be between 0 and 1, got {}",
            a.fault_5xx_rate
        );
    }
    let mut config = SimConfig::default();
    for t in &a.token {
        let seed: SeedToken = t
            .parse()
            .map_err(|e| anyhow::anyhow!("--token {t:?}: {e}"))?;
        config.tokens.push(seed);
    }
    config.faults.error_5xx_rate = a.fault_5xx_rate;
    config.faults.latency_ms = a.latency_ms;
    config.nip_checksums = a.nip_checksums;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(ksef_sim::serve(config, addr, |info| println!("{info}")))?;
    Ok(Outcome::Ok)
}
