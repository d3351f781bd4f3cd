//! The KSeF status service, Lighthouse ("Latarnia"): GET `{lighthouse}/status` and
//! `{lighthouse}/messages`. Public, outside `open-api.json`.

use crate::client::{Client, Request};
use crate::error::{Error, Result};
use crate::models::lighthouse::{LighthouseMessagesResponse, LighthouseStatusResponse};

/// Lighthouse calls; see [`Client::lighthouse`].
#[derive(Debug, Clone, Copy)]
pub struct LighthouseApi<'a> {
    pub(crate) client: &'a Client,
}

impl LighthouseApi<'_> {
    fn base(&self) -> Result<String> {
        self.client
            .urls()
            .lighthouse
            .clone()
            .ok_or_else(|| Error::Config("this environment publishes no Lighthouse address".into()))
    }

    /// GET `/status`: whether KSeF works, with current messages.
    ///
    /// ```no_run
    /// # async fn run(client: ksef_client::Client) -> ksef_client::Result<()> {
    /// let status = client.lighthouse().status().await?;
    /// println!("{:?}", status.status);
    /// # Ok(()) }
    /// ```
    pub async fn status(&self) -> Result<LighthouseStatusResponse> {
        let mut req = Request::get("GET lighthouse /status", "/status").public();
        req.base = Some(self.base()?);
        self.client.execute(req).await?.json()
    }

    /// GET `/messages`: announcements (outages, maintenance).
    pub async fn messages(&self) -> Result<LighthouseMessagesResponse> {
        let mut req = Request::get("GET lighthouse /messages", "/messages").public();
        req.base = Some(self.base()?);
        self.client.execute(req).await?.json()
    }
}
