//! KSeF tokens (auth-and-certificates.md §13).

use futures::Stream;

use super::paging;
use crate::client::{Client, Request};
use crate::error::Result;
use crate::models::common::ReferenceNumber;
use crate::models::tokens::{
    GenerateTokenRequest, GenerateTokenResponse, QueryTokensResponse, TokenStatusResponse,
    TokensQuery,
};

/// KSeF-token calls; see [`Client::tokens`].
#[derive(Debug, Clone, Copy)]
pub struct TokensApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> TokensApi<'a> {
    /// POST `/tokens`: generates a KSeF token (shown once: store it as a secret).
    ///
    /// ```no_run
    /// # use ksef_client::models::tokens::{GenerateTokenRequest, TokenPermissionType};
    /// # async fn run(client: ksef_client::Client) -> ksef_client::Result<()> {
    /// let t = client.tokens().generate(&GenerateTokenRequest {
    ///     permissions: vec![TokenPermissionType::InvoiceWrite],
    ///     description: "ERP".into(),
    /// }).await?;
    /// println!("{}", t.reference_number);
    /// # Ok(()) }
    /// ```
    pub async fn generate(&self, request: &GenerateTokenRequest) -> Result<GenerateTokenResponse> {
        let req = Request::post("POST /tokens", "/tokens").json(request)?;
        self.client.execute(req).await?.json()
    }

    /// GET `/tokens/{referenceNumber}`.
    pub async fn status(&self, reference: &ReferenceNumber) -> Result<TokenStatusResponse> {
        let req = Request::get(
            "GET /tokens/{referenceNumber}",
            format!("/tokens/{reference}"),
        );
        self.client.execute(req).await?.json()
    }

    /// GET `/tokens`, every page, as a stream.
    pub fn list(
        &self,
        query: TokensQuery,
    ) -> impl Stream<Item = Result<TokenStatusResponse>> + Unpin + 'a {
        let this = *self;
        paging::by_continuation(move |token| {
            let mut q = query.clone();
            q.page.continuation_token = token;
            let mut req = Request::get("GET /tokens", "/tokens");
            req.query = q.query_pairs();
            if let Some((h, v)) = q.page.header() {
                req = req.header(h, v);
            }
            async move {
                let r: QueryTokensResponse = this.client.execute(req).await?.json()?;
                Ok((r.tokens, r.continuation_token))
            }
        })
    }

    /// DELETE `/tokens/{referenceNumber}`: revokes a token.
    pub async fn revoke(&self, reference: &ReferenceNumber) -> Result<()> {
        let req = Request::delete(
            "DELETE /tokens/{referenceNumber}",
            format!("/tokens/{reference}"),
        );
        self.client.execute(req).await.map(|_| ())
    }
}
