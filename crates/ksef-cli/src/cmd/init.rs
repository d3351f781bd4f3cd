//! `ksef init`: the home directory, a new master key, `ksef.toml`, and the store's schema.

use std::path::Path;

use anyhow::{Context as _, bail};
use ksef_core::Environment;
use ksef_offline::KeyFile;

use super::block_on;
use crate::Outcome;
use crate::args::InitArgs;
use crate::config::{Config, GlobalArgs, KEY_FILE, KeySource};

pub fn run(global: &GlobalArgs, a: InitArgs) -> anyhow::Result<Outcome> {
    let config = Config::load(global)?;
    if config.config_file_found && !a.force {
        bail!(
            "{} already exists: this home is initialised (use --force to rewrite ksef.toml; the \
             master key is never replaced)",
            config.config_file.display()
        );
    }
    if let KeySource::File(key) = &config.key
        && key.exists()
        && !a.force
    {
        bail!(
            "a master key already exists at {}; it is never overwritten (it seals the store). \
             Use --force to keep it and write ksef.toml",
            key.display()
        );
    }
    create_private_dir(&config.home)?;

    let key_note = match &config.key {
        KeySource::Env => "master key: from KSEF_MASTER_KEY (no key file written)".to_owned(),
        KeySource::File(path) if path.exists() => {
            format!("master key: kept the existing {}", path.display())
        }
        KeySource::File(path) => {
            KeyFile::create(path)
                .with_context(|| format!("cannot create the master key {}", path.display()))?;
            format!(
                "master key: {} (new, 32 random bytes, mode 0600) — back it up: without it the \
                 store cannot be read",
                path.display()
            )
        }
    };

    let text = settings_text(&config);
    super::write_private(&config.config_file, text.as_bytes(), true)?;

    let store = block_on(config.open_store())?.with_context(|| {
        format!(
            "{} was written but the store could not be opened; fix the cause and run \
             `ksef init --force` (the master key is kept)",
            config.config_file.display()
        )
    })?;
    println!("home:      {}", config.home.display());
    println!("{key_note}");
    println!("settings:  {}", config.config_file.display());
    println!(
        "store:     {} ({}, schema up to date)",
        config.database_url_redacted(),
        store.backend()
    );
    println!(
        "KSeF:      {} (QR links {})",
        config.environment(),
        config.environment().urls().qr
    );
    println!();
    println!("Next steps:");
    println!(
        "  ksef tenant add acme --nip NIP --token-file token.txt --offline-cert offline.crt --offline-key offline.key"
    );
    println!("  ksef offline issue --tenant acme FV-1.xml");
    println!("  ksef offline due --within 1d    # for cron: exit 1 when something is due");
    Ok(Outcome::Ok)
}

/// The `ksef.toml` written by `init`: the chosen settings, the rest as commented defaults.
fn settings_text(config: &Config) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"));
    let mut t = String::from(
        "# ksef settings. Precedence: command-line flags > KSEF_* variables > this file > defaults.\n",
    );
    match config.environment() {
        Environment::Custom(urls) => {
            t.push_str(&format!(
                "api_base = {}\nqr_base = {}\n",
                q(&urls.api),
                q(&urls.qr)
            ));
            if let Some(l) = &urls.lighthouse {
                t.push_str(&format!("lighthouse_base = {}\n", q(l)));
            }
        }
        env => t.push_str(&format!("env = {}\n", q(env.name()))),
    }
    if config.database_url_explicit {
        t.push_str(&format!("database_url = {}\n", q(&config.database_url)));
    } else {
        t.push_str("# database_url = \"sqlite:<home>/ksef.db\"\n");
    }
    if let KeySource::File(p) = &config.key
        && *p != config.home.join(KEY_FILE)
    {
        t.push_str(&format!(
            "master_key_file = {}\n",
            q(&p.display().to_string())
        ));
    }
    t.push_str(&format!("nip_checksums = {}\n", config.nip_checksums));
    t.push_str(
        "# qr_dir = \"qr\"\n\
         \n\
         [worker]\n\
         # concurrency = 2\n\
         # batch_size = 50\n\
         # lease = \"5m\"\n\
         # poll_interval = \"30s\"\n\
         \n\
         [watchdog]\n\
         # interval = \"5m\"\n\
         # warn_within = \"1d\"\n\
         # lighthouse_poll = \"1m\"\n",
    );
    t
}

fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
        let existed = dir.exists();
        builder.mode(0o700);
        builder
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        if existed {
            let mode = std::fs::metadata(dir)
                .with_context(|| format!("cannot read {}", dir.display()))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                eprintln!(
                    "warning: {} is accessible by others (mode {:o}); consider chmod 700",
                    dir.display(),
                    mode & 0o777
                );
            }
        }
    }
    #[cfg(not(unix))]
    builder
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(())
}
