//! The simulator's in-memory state: authentication, sessions, invoices and the indexes KSeF
//! keeps (duplicates, KSeF numbers, hashes, technical corrections), plus the control knobs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use chrono::{DateTime, Utc};
use ksef_core::Clock;
use ksef_core::crypto::{Certificate, Sha256Hash, SymmetricKey};
use ksef_core::ids::ContextIdentifier;
use serde::{Deserialize, Serialize};

use crate::clock::SimClock;
use crate::config::{Faults, RateLimitProfile, SimConfig};
use crate::invoice_check::InvoiceFacts;
use crate::keys::MinistryKeys;
use crate::ratelimit::RateLimiter;
use crate::refs::ReferenceGenerator;
use crate::tokens::TokenSigner;

/// The shared state of one simulator. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SimState(pub(crate) Arc<Shared>);

/// Everything behind the handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: SimConfig,
    pub clock: SimClock,
    pub keys: RwLock<MinistryKeys>,
    pub signer: TokenSigner,
    pub refs: ReferenceGenerator,
    pub db: Mutex<Db>,
    pub limiter: RateLimiter,
    pub rate_profile: RwLock<RateLimitProfile>,
    pub faults: Mutex<Faults>,
    pub outages: Mutex<Vec<Outage>>,
}

/// A window in which KSeF is unavailable (`/sim/outages`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outage {
    /// Message id, set by the simulator.
    #[serde(default)]
    pub id: String,
    /// Start of the window.
    pub start: DateTime<Utc>,
    /// End of the window; open-ended when absent.
    #[serde(default)]
    pub end: Option<DateTime<Utc>>,
    /// What kind of unavailability.
    #[serde(default)]
    pub kind: OutageKind,
    /// Text shown in Lighthouse messages.
    #[serde(default)]
    pub message: Option<String>,
}

/// Kind of outage, as Lighthouse reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OutageKind {
    /// Planned maintenance.
    Maintenance,
    /// A failure (emergency mode).
    #[default]
    Failure,
    /// A total failure.
    TotalFailure,
}

impl Outage {
    /// Whether `at` falls in the window.
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && self.end.is_none_or(|e| at < e)
    }
}

/// A KSeF token known to the simulator.
#[derive(Debug, Clone)]
pub(crate) struct KsefToken {
    pub reference: String,
    pub context: ContextIdentifier,
    pub secret: String,
    pub description: String,
    pub permissions: Vec<String>,
    pub created: DateTime<Utc>,
    pub last_use: Option<DateTime<Utc>>,
    pub revoked: bool,
}

/// An authentication operation (`/auth/{referenceNumber}`).
#[derive(Debug, Clone)]
pub(crate) struct AuthOp {
    pub reference: String,
    pub context: ContextIdentifier,
    pub start: DateTime<Utc>,
    pub status: (u16, Vec<String>),
    pub token_ref: Option<String>,
    pub permissions: Vec<String>,
    pub redeemed: bool,
    pub revoked: bool,
    pub refresh_valid_until: Option<DateTime<Utc>>,
    pub last_refresh: Option<DateTime<Utc>>,
    pub ready_at: Instant,
}

/// Kind of session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionKind {
    Online,
    Batch,
}

/// The form code of a session (the wire model).
pub(crate) use ksef_client::models::FormCode;

/// Where a session is in its life (crypto-and-sessions.md §4.4, §5.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase {
    /// 100: open / started.
    Open,
    /// 150 (batch): processing after close.
    Processing,
    /// Final status, shown from `ready_at` on (170 before, for interactive sessions).
    Final { code: u16, details: Vec<String> },
}

/// A declared batch part.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub ordinal: u32,
    pub size: u64,
    pub hash: Sha256Hash,
    pub data: Option<Arc<Vec<u8>>>,
}

/// Batch data of a session.
#[derive(Debug, Clone)]
pub(crate) struct BatchInfo {
    pub file_size: u64,
    pub file_hash: Sha256Hash,
    pub tar_gz: bool,
    pub parts: Vec<Part>,
    pub upload_deadline: DateTime<Utc>,
}

/// A session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub reference: String,
    pub kind: SessionKind,
    pub context: ContextIdentifier,
    pub auth_ref: String,
    pub token_ref: Option<String>,
    pub form: FormCode,
    pub key: Option<SymmetricKey>,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub closed: Option<DateTime<Utc>>,
    pub phase: Phase,
    pub ready_at: Instant,
    pub invoices: Vec<String>,
    pub offline_mode: bool,
    pub batch: Option<BatchInfo>,
    pub upo_pages: Vec<String>,
}

/// One invoice sent in a session.
#[derive(Debug, Clone)]
pub(crate) struct InvoiceRecord {
    pub reference: String,
    pub session_ref: String,
    pub ordinal: u32,
    pub hash: Sha256Hash,
    pub file_name: Option<String>,
    pub invoicing_date: DateTime<Utc>,
    pub acquisition_date: Option<DateTime<Utc>>,
    pub permanent_storage_date: Option<DateTime<Utc>>,
    pub ksef_number: Option<String>,
    pub mode: Option<&'static str>,
    pub code: u16,
    pub details: Vec<String>,
    pub extensions: BTreeMap<String, String>,
    pub ready_at: Instant,
    pub facts: Option<InvoiceFacts>,
    pub invoice_number: Option<String>,
    pub content: Option<Arc<Vec<u8>>>,
    pub hash_of_corrected: Option<Sha256Hash>,
    pub form: FormCode,
}

/// A certificate registered for KOD II verification (`/sim/certificates`).
#[derive(Debug, Clone)]
pub(crate) struct RegisteredCert {
    pub cert: Certificate,
    /// Contexts the certificate holder may issue invoices in (empty: any context).
    pub contexts: Vec<ContextIdentifier>,
    pub revoked: bool,
}

/// The tables.
#[derive(Debug, Default)]
pub(crate) struct Db {
    pub challenges: HashMap<String, (DateTime<Utc>, bool)>,
    pub auth_ops: HashMap<String, AuthOp>,
    pub ksef_tokens: Vec<KsefToken>,
    pub sessions: HashMap<String, Session>,
    pub session_order: Vec<String>,
    pub invoices: HashMap<String, InvoiceRecord>,
    pub by_ksef: HashMap<String, String>,
    pub by_hash: HashMap<[u8; 32], Vec<String>>,
    pub duplicates: HashMap<(String, String, String), String>,
    /// Hash of a technically corrected invoice → reference of its accepted correction.
    pub corrections: HashMap<[u8; 32], String>,
    /// (context as `Type:Value`, seller NIP) pairs granted by `/sim/grants`.
    pub grants: HashSet<(String, String)>,
    pub certificates: HashMap<String, RegisteredCert>,
    /// UPO page reference → (session reference, page index).
    pub upo_pages: HashMap<String, (String, usize)>,
}

impl Db {
    /// The authentication operation `reference`, or the API's 21304 answer.
    pub fn auth_op_mut(&mut self, reference: &str) -> Result<&mut AuthOp, crate::error::ApiError> {
        self.auth_ops.get_mut(reference).ok_or_else(|| {
            crate::error::ApiError::bad_request(
                21304,
                format!("Operacja uwierzytelnienia {reference} nie została znaleziona."),
            )
        })
    }

    /// Registers a newly opened session, keeping the listing order.
    pub fn insert_session(&mut self, reference: String, session: Session) {
        self.session_order.push(reference.clone());
        self.sessions.insert(reference, session);
    }
}

impl SimState {
    /// A state from the configuration: keys made (or taken from the process cache), tokens
    /// seeded.
    pub fn new(config: SimConfig) -> Result<Self, ksef_core::Error> {
        let clock = match config.fixed_time {
            Some(t) => SimClock::fixed(t),
            None => SimClock::system(),
        };
        let shared = Shared {
            keys: RwLock::new(MinistryKeys::new()?),
            signer: TokenSigner::random(),
            refs: ReferenceGenerator::default(),
            db: Mutex::new(Db::default()),
            limiter: RateLimiter::default(),
            rate_profile: RwLock::new(config.rate_limits.clone()),
            faults: Mutex::new(config.faults.clone()),
            outages: Mutex::new(Vec::new()),
            clock,
            config,
        };
        let state = SimState(Arc::new(shared));
        state.seed_tokens();
        Ok(state)
    }

    fn seed_tokens(&self) {
        let now = self.now();
        let mut db = self.db();
        for t in &self.0.config.tokens {
            db.ksef_tokens.push(KsefToken {
                reference: self.0.refs.next("EC", now),
                context: t.context.clone(),
                secret: t.secret.clone(),
                description: "Token z konfiguracji symulatora".into(),
                permissions: all_permissions(),
                created: now,
                last_use: None,
                revoked: false,
            });
        }
    }

    /// The simulated time.
    pub fn now(&self) -> DateTime<Utc> {
        self.0.clock.now()
    }

    /// The controllable clock.
    pub fn clock(&self) -> &SimClock {
        &self.0.clock
    }

    /// Forgets all sessions, invoices, authentications, outages and faults; seeded tokens stay.
    pub fn reset(&self) {
        *self.db() = Db::default();
        self.seed_tokens();
        self.0
            .outages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        *self.0.faults.lock().unwrap_or_else(|e| e.into_inner()) = Faults::default();
        self.0.limiter.clear();
    }

    /// Lets `context` issue invoices for `seller_nip` (tax representative, self-invoicing...).
    pub fn grant_invoicing(&self, context: &ContextIdentifier, seller_nip: &str) {
        self.db()
            .grants
            .insert((context.to_string(), seller_nip.to_owned()));
    }

    /// Registers a KOD II certificate; `contexts` empty means any context.
    pub fn register_certificate(&self, cert: Certificate, contexts: Vec<ContextIdentifier>) {
        self.db().certificates.insert(
            cert.serial().to_ascii_uppercase(),
            RegisteredCert {
                cert,
                contexts,
                revoked: false,
            },
        );
    }

    /// Adds a KSeF token for a context; returns the token text.
    pub fn add_token(&self, context: ContextIdentifier, secret: Option<String>) -> String {
        let now = self.now();
        let reference = self.0.refs.next("EC", now);
        let secret = secret.unwrap_or_else(|| {
            format!(
                "{reference}|{}-{}|{}",
                context.type_name().to_ascii_lowercase(),
                context.value(),
                hex::encode(rand::random::<[u8; 32]>())
            )
        });
        self.db().ksef_tokens.push(KsefToken {
            reference,
            context,
            secret: secret.clone(),
            description: "Token dodany przez /sim".into(),
            permissions: all_permissions(),
            created: now,
            last_use: None,
            revoked: false,
        });
        secret
    }

    pub(crate) fn db(&self) -> MutexGuard<'_, Db> {
        self.0.db.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn keys(&self) -> RwLockReadGuard<'_, MinistryKeys> {
        self.0.keys.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn keys_mut(&self) -> RwLockWriteGuard<'_, MinistryKeys> {
        self.0.keys.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Announces an outage window, as POST `/sim/outages` does; returns its message id.
    pub fn add_outage(&self, mut outage: Outage) -> String {
        outage.id = format!("sim-{}", hex::encode(rand::random::<[u8; 4]>()));
        let id = outage.id.clone();
        self.outages().push(outage);
        id
    }

    /// Ends an announced outage at `at`; false when no outage has this id.
    pub fn end_outage(&self, id: &str, at: DateTime<Utc>) -> bool {
        match self.outages().iter_mut().find(|o| o.id == id) {
            Some(o) => {
                o.end = Some(at);
                true
            }
            None => false,
        }
    }

    /// Changes the injected faults, as POST `/sim/faults` does.
    pub fn update_faults(&self, change: impl FnOnce(&mut Faults)) {
        change(&mut self.faults());
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, Faults> {
        self.0.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn outages(&self) -> MutexGuard<'_, Vec<Outage>> {
        self.0.outages.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn config(&self) -> &SimConfig {
        &self.0.config
    }

    pub(crate) fn rate_profile(&self) -> RateLimitProfile {
        self.0
            .rate_profile
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn set_rate_profile(&self, p: RateLimitProfile) {
        *self
            .0
            .rate_profile
            .write()
            .unwrap_or_else(|e| e.into_inner()) = p;
        self.0.limiter.clear();
    }

    pub(crate) fn next_ref(&self, infix: &str) -> String {
        self.0.refs.next(infix, self.now())
    }

    /// When something started now should show its final status.
    pub(crate) fn ready_at(&self) -> Instant {
        Instant::now() + self.0.config.processing_delay
    }
}

/// Every permission a seeded token carries.
pub(crate) fn all_permissions() -> Vec<String> {
    [
        "InvoiceRead",
        "InvoiceWrite",
        "CredentialsRead",
        "CredentialsManage",
        "SubunitManage",
        "EnforcementOperations",
        "Introspection",
    ]
    .map(str::to_owned)
    .to_vec()
}
