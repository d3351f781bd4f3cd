//! One handler per API area, reached from the client: `client.sessions().open_online(..)`.

pub mod auth;
pub mod certificates;
pub mod invoices;
pub mod lighthouse;
pub mod limits;
mod paging;
pub mod sessions;
pub mod tokens;
pub mod upo;

pub use auth::AuthApi;
pub use certificates::CertificatesApi;
pub use invoices::InvoicesApi;
pub use lighthouse::LighthouseApi;
pub use limits::LimitsApi;
pub use sessions::{BatchSession, OnlineSession, SendOptions, SessionsApi};
pub use tokens::TokensApi;

use crate::client::Client;

impl Client {
    /// Authentication: challenge, KSeF-token login, status, redeem, refresh.
    pub fn auth(&self) -> AuthApi<'_> {
        AuthApi { client: self }
    }

    /// Interactive and batch sessions, statuses, UPO.
    pub fn sessions(&self) -> SessionsApi<'_> {
        SessionsApi { client: self }
    }

    /// Invoices: download by KSeF number, metadata queries.
    pub fn invoices(&self) -> InvoicesApi<'_> {
        InvoicesApi { client: self }
    }

    /// KSeF certificates: limits, enrollment, retrieval, query, revocation.
    pub fn certificates(&self) -> CertificatesApi<'_> {
        CertificatesApi { client: self }
    }

    /// KSeF tokens: generate, list, status, revoke.
    pub fn tokens(&self) -> TokensApi<'_> {
        TokensApi { client: self }
    }

    /// Context, subject and rate limits.
    pub fn limits(&self) -> LimitsApi<'_> {
        LimitsApi { client: self }
    }

    /// The KSeF status service (Lighthouse).
    pub fn lighthouse(&self) -> LighthouseApi<'_> {
        LighthouseApi { client: self }
    }
}
