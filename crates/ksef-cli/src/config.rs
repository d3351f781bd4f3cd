//! Settings of the engine commands: where the home and the store are, which KSeF environment,
//! where the master key comes from, and the worker and watchdog settings.
//!
//! Precedence, highest first: command-line flags, `KSEF_*` environment variables,
//! `<home>/ksef.toml`, defaults. Everything is read and validated once, by [`Config::load`];
//! the commands then call [`Config::environment`], [`Config::open_store`], and read the
//! public fields ([`Config::worker`], [`Config::watchdog`], ...).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Args;
use ksef_core::{Environment, EnvironmentUrls};
use ksef_offline::{EnvKey, KeyFile, KeyProvider, Store, StoreOptions};
use serde::Deserialize;

use crate::args::EnvName;

/// The file name of the settings file inside the home directory.
pub const CONFIG_FILE: &str = "ksef.toml";
/// The file name of the master key inside the home directory.
pub const KEY_FILE: &str = "master.key";
/// The environment variable holding the master key (Base64 of 32 bytes), instead of the file.
pub const MASTER_KEY_VAR: &str = ksef_offline::keys::MASTER_KEY_VAR;

/// The options every command accepts (`ksef --home DIR offline list`, or after the command).
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// The ksef home: ksef.toml, master.key, the SQLite store, QR images [env: KSEF_HOME]
    /// [default: ~/.ksef].
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        help_heading = "Global options"
    )]
    pub home: Option<PathBuf>,
    /// The store: sqlite:PATH or postgres://... [env: KSEF_DATABASE_URL] [default:
    /// sqlite:<home>/ksef.db].
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help_heading = "Global options"
    )]
    pub database_url: Option<String>,
    /// The KSeF environment [env: KSEF_ENV] [default: test]. Other addresses (a simulator):
    /// KSEF_API_BASE, KSEF_QR_BASE and KSEF_LIGHTHOUSE_BASE, or the same keys in ksef.toml.
    #[arg(long, global = true, value_enum, help_heading = "Global options")]
    pub env: Option<EnvName>,
}

/// Where the master key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A file of 32 bytes, mode 0600 (`<home>/master.key` unless `master_key_file` says).
    File(PathBuf),
    /// The `KSEF_MASTER_KEY` environment variable.
    Env,
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::File(p) => write!(f, "key file {}", p.display()),
            KeySource::Env => write!(f, "environment variable {MASTER_KEY_VAR}"),
        }
    }
}

/// Settings of the submission workers (`ksef sync`, `ksef watch`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerSettings {
    /// From this many queued invoices a batch session is used instead of an interactive one
    /// (`[worker] batch_threshold`, `KSEF_WORKER_BATCH_THRESHOLD`), default 100.
    pub batch_threshold: u32,
    /// Most invoices leased per pass and tenant (`[worker] claim_limit`,
    /// `KSEF_WORKER_CLAIM_LIMIT`), default 10000 (KSeF's batch limit).
    pub claim_limit: u32,
    /// How long a claimed invoice stays leased (`[worker] lease`, `KSEF_WORKER_LEASE`), default
    /// 15m; after it another worker may take over and reconcile.
    pub lease: Duration,
    /// Pause between ticks when idle (`[worker] poll_interval`, `KSEF_WORKER_POLL_INTERVAL`),
    /// default 30s.
    pub poll_interval: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            batch_threshold: 100,
            claim_limit: 10_000,
            lease: Duration::from_secs(900),
            poll_interval: Duration::from_secs(30),
        }
    }
}

/// Settings of the deadline watchdog and the Lighthouse polling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchdogSettings {
    /// Pause between checks (`[watchdog] interval`, `KSEF_WATCHDOG_INTERVAL`), default 1m.
    pub interval: Duration,
    /// Warn about invoices due within this time (`[watchdog] warn_within`,
    /// `KSEF_WATCHDOG_WARN_WITHIN`), default 1d.
    pub warn_within: Duration,
    /// Pause between Lighthouse polls (`[watchdog] lighthouse_poll`,
    /// `KSEF_WATCHDOG_LIGHTHOUSE_POLL`), default 1m.
    pub lighthouse_poll: Duration,
}

impl Default for WatchdogSettings {
    fn default() -> Self {
        WatchdogSettings {
            interval: Duration::from_secs(60),
            warn_within: Duration::from_secs(86_400),
            lighthouse_poll: Duration::from_secs(60),
        }
    }
}

/// The resolved settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The home directory (absolute).
    pub home: PathBuf,
    /// `<home>/ksef.toml`.
    pub config_file: PathBuf,
    /// Whether `ksef.toml` exists (and was read).
    pub config_file_found: bool,
    /// The store's URL (may hold a password: print [`Config::database_url_redacted`]).
    pub database_url: String,
    /// Whether the database URL was chosen (flag, variable or file), not the default.
    pub database_url_explicit: bool,
    environment: Environment,
    /// Where the master key comes from.
    pub key: KeySource,
    /// Check NIP checksums when issuing (`nip_checksums`, `KSEF_NIP_CHECKSUMS`), default true.
    pub nip_checksums: bool,
    /// Where `ksef offline issue` writes QR images (`qr_dir`), default `<home>/qr`.
    pub qr_dir: PathBuf,
    /// Who the history records: `cli:$USER`.
    pub actor: String,
    /// The submission workers' settings.
    pub worker: WorkerSettings,
    /// The watchdog's settings.
    pub watchdog: WatchdogSettings,
}

/// What `ksef.toml` may hold; any other key is an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    env: Option<String>,
    api_base: Option<String>,
    qr_base: Option<String>,
    lighthouse_base: Option<String>,
    database_url: Option<String>,
    master_key_file: Option<PathBuf>,
    nip_checksums: Option<bool>,
    qr_dir: Option<PathBuf>,
    worker: Option<WorkerFile>,
    watchdog: Option<WatchdogFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkerFile {
    batch_threshold: Option<u32>,
    claim_limit: Option<u32>,
    lease: Option<String>,
    poll_interval: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WatchdogFile {
    interval: Option<String>,
    warn_within: Option<String>,
    lighthouse_poll: Option<String>,
}

impl Config {
    /// Resolves the settings from the flags, the process's `KSEF_*` variables and
    /// `<home>/ksef.toml` (a missing file is fine: defaults apply).
    ///
    /// # Errors
    /// An unreadable or invalid `ksef.toml` (naming the file and the key), an invalid
    /// variable (naming it), no home directory.
    pub fn load(args: &GlobalArgs) -> anyhow::Result<Config> {
        Config::resolve(args, &|name| {
            std::env::var(name).ok().filter(|v| !v.trim().is_empty())
        })
    }

    /// [`Config::load`] with the variables read through `var` (for tests).
    pub fn resolve(
        args: &GlobalArgs,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Config> {
        let home = match (&args.home, var("KSEF_HOME")) {
            (Some(h), _) => h.clone(),
            (None, Some(h)) => PathBuf::from(h),
            (None, None) => match var("HOME") {
                Some(h) => Path::new(&h).join(".ksef"),
                None => bail!("no home directory: give --home DIR or set KSEF_HOME"),
            },
        };
        let home = std::path::absolute(&home)
            .with_context(|| format!("home directory {}", home.display()))?;
        let config_file = home.join(CONFIG_FILE);
        let (file, config_file_found) = read_file_config(&config_file)?;
        let in_file = |key: &str| format!("{key} in {}", config_file.display());

        let environment = resolve_environment(args, var, &file, &config_file)?;

        let (database_url, database_url_explicit) = match (
            &args.database_url,
            var("KSEF_DATABASE_URL"),
            &file.database_url,
        ) {
            (Some(u), _, _) => (u.clone(), true),
            (None, Some(u), _) => (u, true),
            (None, None, Some(u)) => (u.clone(), true),
            (None, None, None) => (default_database_url(&home), false),
        };

        let key = if var(MASTER_KEY_VAR).is_some() {
            KeySource::Env
        } else {
            KeySource::File(match &file.master_key_file {
                Some(p) => home.join(p),
                None => home.join(KEY_FILE),
            })
        };

        let nip_checksums = match var("KSEF_NIP_CHECKSUMS") {
            Some(v) => parse_bool(&v).context("KSEF_NIP_CHECKSUMS")?,
            None => file.nip_checksums.unwrap_or(true),
        };
        let qr_dir = match &file.qr_dir {
            Some(p) => home.join(p),
            None => home.join("qr"),
        };

        let mut worker = WorkerSettings::default();
        let wf = file.worker.unwrap_or_default();
        worker.batch_threshold = number(
            var,
            "KSEF_WORKER_BATCH_THRESHOLD",
            wf.batch_threshold,
            || in_file("[worker] batch_threshold"),
        )?
        .unwrap_or(worker.batch_threshold);
        worker.claim_limit = number(var, "KSEF_WORKER_CLAIM_LIMIT", wf.claim_limit, || {
            in_file("[worker] claim_limit")
        })?
        .unwrap_or(worker.claim_limit);
        worker.lease = duration(var, "KSEF_WORKER_LEASE", wf.lease, || {
            in_file("[worker] lease")
        })?
        .unwrap_or(worker.lease);
        worker.poll_interval =
            duration(var, "KSEF_WORKER_POLL_INTERVAL", wf.poll_interval, || {
                in_file("[worker] poll_interval")
            })?
            .unwrap_or(worker.poll_interval);

        let mut watchdog = WatchdogSettings::default();
        let df = file.watchdog.unwrap_or_default();
        watchdog.interval = duration(var, "KSEF_WATCHDOG_INTERVAL", df.interval, || {
            in_file("[watchdog] interval")
        })?
        .unwrap_or(watchdog.interval);
        watchdog.warn_within = duration(var, "KSEF_WATCHDOG_WARN_WITHIN", df.warn_within, || {
            in_file("[watchdog] warn_within")
        })?
        .unwrap_or(watchdog.warn_within);
        watchdog.lighthouse_poll = duration(
            var,
            "KSEF_WATCHDOG_LIGHTHOUSE_POLL",
            df.lighthouse_poll,
            || in_file("[watchdog] lighthouse_poll"),
        )?
        .unwrap_or(watchdog.lighthouse_poll);

        let user = var("USER")
            .or_else(|| var("LOGNAME"))
            .unwrap_or_else(|| "unknown".into());
        Ok(Config {
            home,
            config_file,
            config_file_found,
            database_url,
            database_url_explicit,
            environment,
            key,
            nip_checksums,
            qr_dir,
            actor: format!("cli:{user}"),
            worker,
            watchdog,
        })
    }

    /// The KSeF environment (named, or custom addresses).
    pub fn environment(&self) -> Environment {
        self.environment.clone()
    }

    /// The store's URL with any password replaced by `***`.
    pub fn database_url_redacted(&self) -> String {
        ksef_offline::redact_url(&self.database_url)
    }

    /// The store's options: QR base of the environment, actor `cli:$USER`, NIP checksums.
    pub fn store_options(&self) -> StoreOptions {
        let mut options = StoreOptions::new(&self.environment);
        options.actor = self.actor.clone();
        options.nip_checksums = self.nip_checksums;
        options
    }

    /// The master key's provider.
    pub fn key_provider(&self) -> Box<dyn KeyProvider> {
        match &self.key {
            KeySource::File(p) => Box::new(KeyFile::new(p)),
            KeySource::Env => Box::new(EnvKey::new(MASTER_KEY_VAR)),
        }
    }

    /// Opens the store (running its migrations) with the master key.
    ///
    /// # Errors
    /// No master key (with a hint to run `ksef init`), the wrong master key, a database error;
    /// each message names the store and the key's source.
    pub async fn open_store(&self) -> anyhow::Result<Box<dyn Store>> {
        if let KeySource::File(path) = &self.key
            && !path.exists()
        {
            bail!(
                "no master key: {} does not exist and {MASTER_KEY_VAR} is not set; run `ksef init` \
                 (or give the right --home)",
                path.display()
            );
        }
        ksef_offline::connect(
            &self.database_url,
            self.key_provider().as_ref(),
            self.store_options(),
        )
        .await
        .with_context(|| {
            format!(
                "cannot open the store {} with the master key from {}",
                self.database_url_redacted(),
                self.key
            )
        })
    }
}

/// `sqlite:<home>/ksef.db`.
pub fn default_database_url(home: &Path) -> String {
    format!("sqlite:{}", home.join("ksef.db").display())
}

fn read_file_config(path: &Path) -> anyhow::Result<(FileConfig, bool)> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((FileConfig::default(), false));
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let file: FileConfig = toml::from_str(&text)
        .with_context(|| format!("invalid settings file {}", path.display()))?;
    Ok((file, true))
}

/// The environment: the highest level (flags, variables, file) that names one or gives
/// addresses wins; one level may not do both.
fn resolve_environment(
    args: &GlobalArgs,
    var: &dyn Fn(&str) -> Option<String>,
    file: &FileConfig,
    config_file: &Path,
) -> anyhow::Result<Environment> {
    if let Some(env) = args.env {
        return Ok(env.environment());
    }
    let (api, qr, lh) = (
        var("KSEF_API_BASE"),
        var("KSEF_QR_BASE"),
        var("KSEF_LIGHTHOUSE_BASE"),
    );
    if let Some(e) = custom(
        var("KSEF_ENV").as_deref(),
        api.as_deref(),
        qr.as_deref(),
        lh.as_deref(),
        (
            "KSEF_ENV",
            "KSEF_API_BASE",
            "KSEF_QR_BASE",
            "KSEF_LIGHTHOUSE_BASE",
        ),
    )? {
        return Ok(e);
    }
    let names = ("env", "api_base", "qr_base", "lighthouse_base");
    let from_file = custom(
        file.env.as_deref(),
        file.api_base.as_deref(),
        file.qr_base.as_deref(),
        file.lighthouse_base.as_deref(),
        names,
    )
    .with_context(|| format!("in {}", config_file.display()))?;
    Ok(from_file.unwrap_or(Environment::Test))
}

/// One level's environment: a name, or addresses (API and QR required), or nothing.
fn custom(
    name: Option<&str>,
    api: Option<&str>,
    qr: Option<&str>,
    lighthouse: Option<&str>,
    keys: (&str, &str, &str, &str),
) -> anyhow::Result<Option<Environment>> {
    let any_base = api.is_some() || qr.is_some() || lighthouse.is_some();
    match (name, any_base) {
        (Some(n), true) => bail!(
            "{} = {n:?} and custom addresses ({}, {}, {}) are both set; give one or the other",
            keys.0,
            keys.1,
            keys.2,
            keys.3
        ),
        (Some(n), false) => {
            let env: Environment = n.parse().map_err(|e| anyhow::anyhow!("{}: {e}", keys.0))?;
            Ok(Some(env))
        }
        (None, false) => Ok(None),
        (None, true) => {
            let (Some(api), Some(qr)) = (api, qr) else {
                bail!(
                    "custom KSeF addresses need both {} and {} ({} is optional)",
                    keys.1,
                    keys.2,
                    keys.3
                );
            };
            for (key, url) in [
                (keys.1, Some(api)),
                (keys.2, Some(qr)),
                (keys.3, lighthouse),
            ] {
                if let Some(u) = url
                    && !(u.starts_with("https://") || u.starts_with("http://"))
                {
                    bail!("{key} {u:?} is not an http(s) address");
                }
            }
            Ok(Some(Environment::Custom(EnvironmentUrls::new(
                api, qr, lighthouse,
            ))))
        }
    }
}

fn number(
    var: &dyn Fn(&str) -> Option<String>,
    name: &str,
    from_file: Option<u32>,
    file_key: impl Fn() -> String,
) -> anyhow::Result<Option<u32>> {
    let n = match var(name) {
        Some(v) => Some(
            v.trim()
                .parse::<u32>()
                .with_context(|| format!("{name} {v:?} is not a whole number"))?,
        ),
        None => from_file,
    };
    if n == Some(0) {
        bail!(
            "{} must be at least 1",
            if var(name).is_some() {
                name.to_owned()
            } else {
                file_key()
            }
        );
    }
    Ok(n)
}

fn duration(
    var: &dyn Fn(&str) -> Option<String>,
    name: &str,
    from_file: Option<String>,
    file_key: impl Fn() -> String,
) -> anyhow::Result<Option<Duration>> {
    match (var(name), from_file) {
        (Some(v), _) => parse_duration(&v)
            .with_context(|| name.to_owned())
            .map(Some),
        (None, Some(v)) => parse_duration(&v).with_context(file_key).map(Some),
        (None, None) => Ok(None),
    }
}

/// `90s`, `60m`, `2h`, `1d`, `1w` (a whole number and one unit; `0` alone is zero).
pub fn parse_duration(s: &str) -> anyhow::Result<Duration> {
    let t = s.trim();
    if t == "0" {
        return Ok(Duration::ZERO);
    }
    let split = t
        .find(|c: char| !c.is_ascii_digit())
        .filter(|&i| i > 0)
        .with_context(|| format!("{s:?} is not a duration such as 90s, 60m, 2h, 1d"))?;
    let (n, unit) = t.split_at(split);
    let n: u64 = n
        .parse()
        .with_context(|| format!("{s:?}: the number is too large"))?;
    let secs = match unit.trim() {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        other => bail!("{s:?}: unknown unit {other:?}; use s, m, h, d or w"),
    };
    n.checked_mul(secs)
        .map(Duration::from_secs)
        .with_context(|| format!("{s:?} is too long"))
}

fn parse_bool(s: &str) -> anyhow::Result<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("{s:?} is not true or false"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn resolve(args: &GlobalArgs, vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::resolve(args, &|k| map.get(k).cloned())
    }

    fn home() -> tempfile::TempDir {
        tempfile::tempdir().expect("temp dir")
    }

    #[test]
    fn defaults_follow_the_home() {
        let h = home();
        let args = GlobalArgs {
            home: Some(h.path().to_owned()),
            ..GlobalArgs::default()
        };
        let c = resolve(&args, &[("USER", "alice")]).expect("config");
        assert_eq!(
            c.database_url,
            format!("sqlite:{}", h.path().join("ksef.db").display())
        );
        assert_eq!(c.key, KeySource::File(h.path().join("master.key")));
        assert_eq!(c.environment(), Environment::Test);
        assert_eq!(c.actor, "cli:alice");
        assert!(c.nip_checksums);
        assert_eq!(c.worker, WorkerSettings::default());
    }

    #[test]
    fn flags_beat_variables_beat_the_file() {
        let h = home();
        std::fs::write(
            h.path().join(CONFIG_FILE),
            "env = \"demo\"\ndatabase_url = \"sqlite:file.db\"\n[worker]\nlease = \"10m\"\nbatch_threshold = 3\n",
        )
        .expect("write");
        let mut args = GlobalArgs {
            home: Some(h.path().to_owned()),
            ..GlobalArgs::default()
        };
        let c = resolve(&args, &[]).expect("config");
        assert_eq!(c.environment(), Environment::Demo);
        assert_eq!(c.database_url, "sqlite:file.db");
        assert_eq!(c.worker.lease, Duration::from_secs(600));
        assert_eq!(c.worker.batch_threshold, 3);

        let vars = [
            ("KSEF_ENV", "prod"),
            ("KSEF_DATABASE_URL", "sqlite:var.db"),
            ("KSEF_WORKER_LEASE", "2m"),
            ("KSEF_MASTER_KEY", "x"),
        ];
        let c = resolve(&args, &vars).expect("config");
        assert_eq!(c.environment(), Environment::Production);
        assert_eq!(c.database_url, "sqlite:var.db");
        assert_eq!(c.worker.lease, Duration::from_secs(120));
        assert_eq!(c.key, KeySource::Env);

        args.env = Some(EnvName::Test);
        args.database_url = Some("sqlite:flag.db".into());
        let c = resolve(&args, &vars).expect("config");
        assert_eq!(c.environment(), Environment::Test);
        assert_eq!(c.database_url, "sqlite:flag.db");
    }

    #[test]
    fn custom_addresses_make_a_custom_environment() {
        let h = home();
        let args = GlobalArgs {
            home: Some(h.path().to_owned()),
            ..GlobalArgs::default()
        };
        let c = resolve(
            &args,
            &[
                ("KSEF_API_BASE", "http://127.0.0.1:8480/v2/"),
                ("KSEF_QR_BASE", "http://127.0.0.1:8480/qr"),
            ],
        )
        .expect("config");
        assert_eq!(
            c.environment().urls(),
            EnvironmentUrls::new("http://127.0.0.1:8480/v2", "http://127.0.0.1:8480/qr", None)
        );
        assert_eq!(c.store_options().qr_base, "http://127.0.0.1:8480/qr");
        let e = resolve(&args, &[("KSEF_API_BASE", "http://x/v2")]).expect_err("needs qr");
        assert!(format!("{e:#}").contains("KSEF_QR_BASE"), "{e:#}");
        let e = resolve(
            &args,
            &[("KSEF_ENV", "prod"), ("KSEF_API_BASE", "http://x/v2")],
        )
        .expect_err("both");
        assert!(format!("{e:#}").contains("one or the other"), "{e:#}");
    }

    #[test]
    fn unknown_keys_in_the_file_are_named() {
        let h = home();
        std::fs::write(h.path().join(CONFIG_FILE), "env = \"test\"\nworkers = 4\n").expect("w");
        let args = GlobalArgs {
            home: Some(h.path().to_owned()),
            ..GlobalArgs::default()
        };
        let e = format!("{:#}", resolve(&args, &[]).expect_err("unknown key"));
        assert!(e.contains("workers") && e.contains("ksef.toml"), "{e}");
    }

    #[test]
    fn bad_values_are_named() {
        let h = home();
        let args = GlobalArgs {
            home: Some(h.path().to_owned()),
            ..GlobalArgs::default()
        };
        let e = format!(
            "{:#}",
            resolve(&args, &[("KSEF_WORKER_LEASE", "5 parsecs")]).expect_err("bad")
        );
        assert!(e.contains("KSEF_WORKER_LEASE"), "{e}");
        let e = format!(
            "{:#}",
            resolve(&args, &[("KSEF_ENV", "staging")]).expect_err("bad")
        );
        assert!(e.contains("KSEF_ENV"), "{e}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("60m").expect("d"), Duration::from_secs(3600));
        assert_eq!(parse_duration("2h").expect("d"), Duration::from_secs(7200));
        assert_eq!(
            parse_duration("1d").expect("d"),
            Duration::from_secs(86_400)
        );
        assert_eq!(parse_duration("45s").expect("d"), Duration::from_secs(45));
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("5y").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            ksef_offline::redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
    }
}
