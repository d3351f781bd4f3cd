//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ksef_core::Environment;

use crate::cmd::{history, offline, outage, tenant};
pub use crate::config::GlobalArgs;

/// Offline invoicing for KSeF (Krajowy System e-Faktur, API 2.0).
#[derive(Debug, Parser)]
#[command(name = "ksef", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the ksef home: a master key, ksef.toml, and the store.
    #[command(after_help = "Examples:\n  \
        ksef init\n  \
        ksef --home /srv/ksef init --env prod --database-url postgres://ksef@db/ksef\n  \
        ksef init --force   # rewrite ksef.toml; the master key is never replaced")]
    Init(InitArgs),
    /// Tenants: a KSeF context with its token and Offline certificate.
    #[command(subcommand)]
    Tenant(tenant::TenantCommand),
    /// Offline invoices in the store: issue, list, show, due, QR codes, UPO.
    #[command(subcommand)]
    Offline(offline::OfflineCommand),
    /// Send the queued offline invoices to KSeF (offlineMode), record the results, fetch the
    /// UPOs; looks up unknown outcomes by hash first, never sends an invoice twice.
    #[command(after_help = "Examples:\n  \
        ksef sync --once\n  \
        ksef sync --tenant acme --json\n  \
        ksef sync            # keep syncing every [worker] poll_interval until Ctrl-C\n\n\
        Exit 1 when an invoice was rejected or failed (see ksef offline list --state rejected).")]
    Sync(crate::cmd::sync::SyncArgs),
    /// The deadline watchdog: alerts when invoices near (60, 15 min) or pass their deadline and
    /// when Offline certificates near expiry; polls the KSeF status service for outages.
    #[command(after_help = "Examples:\n  \
        ksef watch --webhook https://ops.example.com/ksef-alerts\n  \
        ksef watch --command 'mail -s \"KSeF deadline\" ops@example.com'\n  \
        ksef watch --once    # check now; exit 1 on any alert")]
    Watch(crate::cmd::sync::WatchArgs),
    /// Certificates (for now: self-signed ones for the KSeF TEST environment).
    #[command(subcommand)]
    Cert(crate::cmd::cert::CertCommand),
    /// Announced KSeF outages, which move the deadlines.
    #[command(subcommand)]
    Outage(outage::OutageCommand),
    /// The store's append-only history.
    #[command(subcommand)]
    History(history::HistoryCommand),
    /// QR verification links (KOD I, KOD II) and QR images.
    #[command(subcommand)]
    Qr(QrCommand),
    /// KSeF numbers.
    #[command(subcommand, name = "ksef-number")]
    KsefNumber(CheckCommand),
    /// NIP numbers.
    #[command(subcommand)]
    Nip(CheckCommand),
    /// The legal deadline for sending an offline invoice to KSeF.
    #[command(after_help = "Examples:\n  \
        ksef deadline --mode offline24 --issued 2025-07-08\n  \
        ksef deadline --mode offline24 --issued 2025-07-08 --failure 2025-07-09..2025-07-12 --json\n  \
        ksef deadline --mode offline --issued 2026-03-02 --unavailable 2026-03-02T08:00:00+01:00..2026-03-02T15:30:00+01:00")]
    Deadline(DeadlineArgs),
    /// Invoice files.
    #[command(subcommand)]
    Invoice(InvoiceCommand),
    /// A walk-through of offline invoicing: issue, check, deadlines, KOD I and KOD II.
    #[command(after_help = "Example:\n  ksef demo --dir ./ksef-demo")]
    Demo(DemoArgs),
    /// Run the local KSeF simulator (API, QR pages, Lighthouse, control) until stopped.
    #[command(after_help = "Examples:\n  \
        ksef sim --addr 127.0.0.1:8480 --token 5265877635=my-secret-token\n  \
        ksef sim --fault-5xx-rate 0.05 --latency-ms 200\n\n\
        Prints one JSON line with apiBase, qrBase, lighthouseBase and controlBase, then serves.")]
    Sim(SimArgs),
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: String,
    /// Allow an address other than loopback.
    #[arg(long)]
    pub allow_non_loopback: bool,
    /// A KSeF token the simulator accepts: NIP=SECRET, or Type:Value=SECRET (repeatable).
    #[arg(long, value_name = "NIP=SECRET")]
    pub token: Vec<String>,
    /// Fraction (0..1) of API requests answered with HTTP 500.
    #[arg(long, default_value_t = 0.0)]
    pub fault_5xx_rate: f64,
    /// Milliseconds added to every API answer.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Check NIP checksums in invoices, as production KSeF does (the test environment does not).
    #[arg(long)]
    pub nip_checksums: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory for the invoices, the certificate and the QR images.
    #[arg(long, default_value = "ksef-demo")]
    pub dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// Exit 0 when valid, 1 when invalid (with the reason).
    #[command(
        after_help = "Examples:\n  ksef nip check 5265877635\n  ksef ksef-number check 5265877635-20250826-0100001AF629-AF"
    )]
    Check {
        /// The value to check.
        value: String,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Rewrite an existing ksef.toml (an existing master key is kept, never replaced).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvName {
    Test,
    Demo,
    Prod,
}

impl EnvName {
    pub fn environment(self) -> Environment {
        match self {
            EnvName::Test => Environment::Test,
            EnvName::Demo => Environment::Demo,
            EnvName::Prod => Environment::Production,
        }
    }
}

/// Where the QR links point (the environment is the global `--env`, default test).
#[derive(Debug, Args)]
pub struct QrTarget {
    /// Another QR base address (e.g. a local simulator's), instead of the environment's.
    #[arg(long, value_name = "URL")]
    pub qr_base: Option<String>,
}

/// The invoice a link is for: its file, or the SHA-256 of that file.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct InvoiceSource {
    /// The invoice XML file; its exact bytes are hashed.
    #[arg(long, value_name = "FILE")]
    pub invoice: Option<PathBuf>,
    /// SHA-256 of the invoice file, Base64URL (or standard Base64).
    #[arg(long, value_name = "B64URL")]
    pub hash: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum QrCommand {
    /// Print the KOD I link (invoice verification).
    #[command(after_help = "Examples:\n  \
        ksef qr invoice-link --env test --nip 1111111111 --issue-date 2026-02-01 --hash UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE\n  \
        ksef qr invoice-link --env prod --invoice faktura.xml   # NIP and date read from the invoice")]
    InvoiceLink {
        #[command(flatten)]
        target: QrTarget,
        /// Seller NIP (Podmiot1); read from --invoice when not given.
        #[arg(long)]
        nip: Option<String>,
        /// Issue date P_1, YYYY-MM-DD; read from --invoice when not given.
        #[arg(long, value_name = "YYYY-MM-DD")]
        issue_date: Option<String>,
        #[command(flatten)]
        source: InvoiceSource,
    },
    /// Print the signed KOD II link (issuer verification) made with an Offline certificate.
    #[command(after_help = "Example:\n  \
        ksef qr certificate-link --env test --context-type Nip --context-value 5265877635 \\\n    \
        --seller-nip 5265877635 --cert offline.crt --key offline.key --key-password-env KEY_PASSWORD \\\n    \
        --invoice faktura.xml")]
    CertificateLink {
        #[command(flatten)]
        target: QrTarget,
        /// Context identifier type: Nip, InternalId, NipVatUe or PeppolId.
        #[arg(long)]
        context_type: String,
        /// Context identifier value.
        #[arg(long)]
        context_value: String,
        /// Seller NIP (Podmiot1); read from --invoice when not given.
        #[arg(long)]
        seller_nip: Option<String>,
        /// The KSeF Offline certificate (PEM or DER).
        #[arg(long, value_name = "FILE")]
        cert: PathBuf,
        /// Its private key (PEM or DER; PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Name of the environment variable holding the key's password.
        #[arg(long, value_name = "VAR")]
        key_password_env: Option<String>,
        /// Encoding of an ECDSA signature.
        #[arg(long, value_name = "FORMAT", default_value = "p1363", value_parser = ["p1363", "der"])]
        ecdsa_format: String,
        #[command(flatten)]
        source: InvoiceSource,
    },
    /// Verify the signature of a KOD II link: exit 0 when valid, 1 when not.
    #[command(after_help = "Example:\n  ksef qr verify \"$(cat link.txt)\" --cert offline.crt")]
    Verify {
        /// The KOD II link.
        link: String,
        /// The certificate whose serial the link names (PEM or DER).
        #[arg(long, value_name = "FILE")]
        cert: PathBuf,
    },
    /// Write a QR image of a link with a label under it.
    #[command(
        after_help = "Example:\n  ksef qr image --text \"$(cat link.txt)\" --label CERTYFIKAT --format png --out kod2.png"
    )]
    Image {
        /// The text (link) to encode.
        #[arg(long)]
        text: String,
        /// The label under the code: OFFLINE, the KSeF number, or CERTYFIKAT.
        #[arg(long)]
        label: Option<String>,
        /// Image format.
        #[arg(long, default_value = "png", value_parser = ["png", "svg"])]
        format: String,
        /// Output file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Pixels per module.
        #[arg(long, default_value_t = 5)]
        module_px: u32,
    },
}

#[derive(Debug, Args)]
pub struct DeadlineArgs {
    /// Offline mode the invoice was issued in.
    #[arg(long, value_parser = ["offline24", "offline", "emergency", "total-failure"])]
    pub mode: String,
    /// Issue date (P_1), YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub issued: String,
    /// A KSeF unavailability window, FROM..TO (dates or RFC 3339 instants; TO may be empty while it lasts).
    #[arg(long, value_name = "FROM..TO")]
    pub unavailable: Vec<String>,
    /// An announced KSeF failure window, FROM..TO.
    #[arg(long, value_name = "FROM..TO")]
    pub failure: Vec<String>,
    /// A total failure window, FROM..TO.
    #[arg(long, value_name = "FROM..TO")]
    pub total_failure: Vec<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum InvoiceCommand {
    /// Check an invoice file as KSeF would: exit 0 when its form is acceptable, 1 with every problem.
    #[command(
        after_help = "Examples:\n  ksef invoice check faktura.xml\n  ksef invoice check faktura.xml --json"
    )]
    Check {
        /// The FA(3) invoice XML file.
        file: PathBuf,
        /// Print JSON with the problems and the inspected fields.
        #[arg(long)]
        json: bool,
        /// Skip the NIP checksum rule (KSeF checks it on production only).
        #[arg(long)]
        no_nip_checksums: bool,
    },
    /// Write a sample FA(3) invoice (valid, sample parties and lines) to try the engine with.
    #[command(after_help = "Examples:\n  \
        ksef invoice sample --seller 5265877635 --number FV/1/2026 --out FV-1.xml\n  \
        ksef invoice sample --seller 5265877635 --number FV/2/2026 --date 2026-11-20 --lines 40 --out FV-2.xml")]
    Sample {
        /// Seller NIP (Podmiot1).
        #[arg(long)]
        seller: String,
        /// Invoice number (P_2).
        #[arg(long)]
        number: String,
        /// Issue date (P_1) [default: today in Warsaw].
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// Number of invoice lines.
        #[arg(long, default_value_t = 3)]
        lines: u32,
        /// Output file (not overwritten).
        #[arg(long)]
        out: PathBuf,
    },
}
