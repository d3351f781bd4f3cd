//! Limits (limits-and-errors.md §1.2, §2).

use crate::client::{Client, Request};
use crate::error::Result;
use crate::models::limits::{
    EffectiveApiRateLimits, EffectiveContextLimits, EffectiveSubjectLimits,
};

/// Limit calls; see [`Client::limits`].
#[derive(Debug, Clone, Copy)]
pub struct LimitsApi<'a> {
    pub(crate) client: &'a Client,
}

impl LimitsApi<'_> {
    /// GET `/limits/context`.
    ///
    /// ```no_run
    /// # async fn run(client: ksef_client::Client) -> ksef_client::Result<()> {
    /// let limits = client.limits().context().await?;
    /// # let _ = limits; Ok(()) }
    /// ```
    pub async fn context(&self) -> Result<EffectiveContextLimits> {
        self.client
            .execute(Request::get("GET /limits/context", "/limits/context"))
            .await?
            .json()
    }

    /// GET `/limits/subject`.
    pub async fn subject(&self) -> Result<EffectiveSubjectLimits> {
        self.client
            .execute(Request::get("GET /limits/subject", "/limits/subject"))
            .await?
            .json()
    }

    /// GET `/rate-limits`.
    pub async fn rate_limits(&self) -> Result<EffectiveApiRateLimits> {
        self.client
            .execute(Request::get("GET /rate-limits", "/rate-limits"))
            .await?
            .json()
    }
}
