//! One file per command; each is thin over the libraries.

pub mod cert;
mod check;
pub(crate) mod deadline;
mod demo;
pub mod history;
mod init;
mod invoice;
pub mod offline;
pub mod outage;
mod qr;
mod sim;
pub mod sync;
pub mod tenant;

use std::future::Future;
use std::path::Path;

use anyhow::{Context as _, bail};
use ksef_offline::{Store, TenantId};

use crate::Outcome;
use crate::args::{Cli, Command, EnvName};
use crate::config::Config;

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let global = cli.global;
    match cli.command {
        Command::Init(a) => init::run(&global, a),
        Command::Tenant(c) => tenant::run(&Config::load(&global)?, c),
        Command::Offline(c) => offline::run(&Config::load(&global)?, c),
        Command::Outage(c) => outage::run(&Config::load(&global)?, c),
        Command::History(c) => history::run(&Config::load(&global)?, c),
        Command::Qr(c) => qr::run(c, qr_env(global.env)?),
        Command::KsefNumber(c) => check::ksef_number(c),
        Command::Nip(c) => check::nip(c),
        Command::Deadline(a) => deadline::run(a),
        Command::Invoice(c) => invoice::run(c),
        Command::Demo(a) => demo::run(a),
        Command::Sim(a) => sim::run(a),
        Command::Cert(c) => cert::run(c),
        Command::Sync(a) => sync::sync(&Config::load(&global)?, a),
        Command::Watch(a) => sync::watch(&Config::load(&global)?, a),
    }
}

/// The environment of the `qr` link commands: `--env`, else `KSEF_ENV`, else test (they need
/// no home, so ksef.toml is not read).
fn qr_env(flag: Option<EnvName>) -> anyhow::Result<EnvName> {
    if let Some(e) = flag {
        return Ok(e);
    }
    match std::env::var("KSEF_ENV")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        None => Ok(EnvName::Test),
        Some(v) => Ok(match v.parse::<ksef_core::Environment>() {
            Ok(ksef_core::Environment::Demo) => EnvName::Demo,
            Ok(ksef_core::Environment::Production) => EnvName::Prod,
            Ok(_) => EnvName::Test,
            Err(e) => bail!("KSEF_ENV: {e}"),
        }),
    }
}

/// Runs an async command body on a runtime made for it.
pub fn block_on<F: Future>(f: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    Ok(runtime.block_on(f))
}

/// The tenant named, or the only one when none is named.
pub async fn tenant_or_only(store: &dyn Store, named: Option<&str>) -> anyhow::Result<TenantId> {
    if let Some(t) = named {
        let id: TenantId = t.parse().with_context(|| format!("--tenant {t:?}"))?;
        store.tenant(&id).await?;
        return Ok(id);
    }
    let tenants = store.list_tenants().await?;
    match tenants.as_slice() {
        [only] => Ok(only.id.clone()),
        [] => bail!("no tenant yet: add one with `ksef tenant add`"),
        many => bail!(
            "{} tenants ({}): choose one with --tenant",
            many.len(),
            many.iter()
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
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

/// Creates a directory and its parents, naming it in the error.
pub fn create_dir(path: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("cannot create {}", path.display()))
}

/// Writes a file readable by its owner only (a key, or settings that may hold a database
/// password); `overwrite` false refuses an existing file.
pub fn write_private(path: &Path, bytes: &[u8], overwrite: bool) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if overwrite {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}
