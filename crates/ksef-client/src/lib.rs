//! An async client for the KSeF API 2.0 (Krajowy System e-Faktur, the Polish national
//! e-invoicing system).
//!
//! - [`Client`]: configuration ([`ClientBuilder`]), bearer tokens with transparent refresh,
//!   retries ([`RetryPolicy`]), `X-System-Warning` ([`SystemWarning`]); one handler per API
//!   area ([`api`]): `client.auth()`, `client.sessions()`, `client.invoices()`,
//!   `client.certificates()`, `client.tokens()`, `client.limits()`, `client.lighthouse()`.
//! - [`models`]: the JSON request and response bodies, named and typed as `open-api.json` says.
//! - [`batch`]: batch packages — archive, split, encrypt and hash in one streaming pass, with a
//!   manifest to match results back to local invoices.
//! - [`Error`]: the one error type, with every exception code KSeF returned.
//!
//! ```no_run
//! use ksef_client::Client;
//! use ksef_client::models::common::{ContextIdentifier, ContextIdentifierType, FormCode};
//! use ksef_core::Environment;
//!
//! # async fn run() -> ksef_client::Result<()> {
//! let client = Client::new(Environment::Test)?;
//! let context = ContextIdentifier { kind: ContextIdentifierType::Nip, value: "5265877635".into() };
//! let token = secrecy::SecretString::from(std::env::var("KSEF_TOKEN").unwrap_or_default());
//! client.auth().login_with_ksef_token(&context, &token).await?;
//! let session = client.sessions().open_online(FormCode::fa3()).await?;
//! let sent = client.sessions().send_invoice(&session, b"<Faktura/>", &Default::default()).await?;
//! client.sessions().close_online(&session.reference_number).await?;
//! # let _ = sent; Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod api;
mod auth_state;
pub mod batch;
mod client;
mod config;
mod error;
mod keys;
pub mod models;
mod retry;

pub use auth_state::{AuthTokens, BearerToken};
pub use client::{Client, SystemWarning};
pub use config::{ClientBuilder, WarningHook};
pub use error::{ApiError, Error, ExceptionDetail, Result};
pub use keys::UNKNOWN_KEY;
pub use retry::RetryPolicy;
